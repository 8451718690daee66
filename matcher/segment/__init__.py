"""Segment: criteria text -> ordered, nested ``Criterion`` items with offsets.

Registry text comes in many layouts: ``-``/``*``/``•`` bullets, numbers, letters and roman numerals,
wrapped continuation lines, paragraphs acting as block headers ("RRMS ... as evidenced by one or more
of the following:"), lists indented under a parent, and *flat* lists where the children of "At least 1
of the following:" stand at the parent's own level.  The segmenter recovers the tree; it never drops a
line: every non-blank line after the first section header belongs to some criterion.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional

from ..models.trial import Criterion

__all__ = ["segment", "iter_criteria"]

_HEADER_RE = re.compile(
    r"^\s*(?:\*\*|#+\s*)?(?P<key>(?:key|main|major|principal|general|additional|further|specific)\s+)?"
    r"(?P<section>inclusion|exclusion|criteria)\s*(?:criteria)?\b(?P<rest>[^:\n]{0,60}?)"
    r"(?::|\s*$)\s*(?:\*\*)?\s*(?P<tail>.*)$",
    re.I,
)
# A heading inside a section that groups the criteria under it: "Exclusions related to MS:", "Exclusion criteria
# related to previous therapy:", "MS-related exclusions:". Its items are criteria of their own, not one list.
_SUBHEADING_RE = re.compile(
    r"^\s*(?:\*\*|#+\s*)?(?:(?:[\w/-]+\s+){0,3}?(?P<section>inclusions?|exclusions?)\s+(?:criteria\s+)?"
    r"(?:related|relating|regarding|concerning|pertaining|linked)\s+to\b[^:\n]{0,80}|"
    r"[\w/ -]{0,40}?[\s-]related\s+(?P<section2>inclusions?|exclusions?|criteria)|"
    # "Other exclusions:", "General inclusion criteria:"
    r"(?:other|general|additional|further|miscellaneous)\s+(?P<section3>inclusions?|exclusions?)(?:\s+criteria)?)"
    r"\s*:\s*(?:\*\*)?\s*$", re.I)
# A category heading over criteria of their own: "Medical conditions:", "Prior/concomitant therapy:", "Diagnostic
# assessments:" (a short unbulleted noun phrase; not a criterion that introduces its items, "Any of the following:",
# "Cardiac disease, defined as:", nor one that lists them after its colon)
_CATEGORY_HEADING_RE = re.compile(r"^\s*(?:\*\*)?(?P<words>[A-Z][A-Za-z/&-]*(?:[ ][A-Za-z/&-]+){0,3})\s*:\s*(?:\*\*)?\s*$")
# ("Employers (optional, with the agreement of the participant):": other people, with a parenthesis that qualifies them)
_OTHERS_HEADING_RE = re.compile(r"^\s*(?:\*\*)?(?P<words>[A-Z][A-Za-z/&-]*(?:[ ][A-Za-z/&-]+){0,3})\s*\([^()\n]{1,120}\)"
                                r"\s*:\s*(?:\*\*)?\s*$")
# A heading naming people other than the patient: "Infants:", "Caregivers:", "Study partners:", "Healthy controls:"
OTHER_PERSONS_RE = re.compile(r"(?:infants?|babies|newborns?|neonates?|offspring|caregivers?|care[\s-]?givers?|carers?|"
                              r"care\s+partners?|study\s+partners?|(?:spouses?|partners?)|informants?|employers?|line\s+managers?|"
                              r"(?:healthy|reference)\s+(?:(?:control|comparison)\s+)?(?:volunteers?|controls?|subjects?|participants?|"
                              r"individuals?|persons?|people)|"
                              r"healthy\s+(?:(?:comparison|control|reference)\s+)?(?:cohort|group|arm)|(?:control|comparison)\s+"
                              r"(?:group|subjects?|participants?)|controls?)", re.I)
# A heading naming an optional part of the study: "Glucose study only:", "MRI sub-study:", "Participants in the CSF
# substudy:" (the criteria under it exclude from that part only; no rule can be scoped to it)
SUBSTUDY_RE = re.compile(r"\bsub-?stud(?:y|ies)\b|\b(?:study|part|substudy)\s+only\b", re.I)
# A heading naming the participants the criteria below are for: "All participants:", "Participants with MS:",
# "Patients with relapsing MS:", "For all subjects:" (the compiler reads the subtypes in it)
_COHORT_HEADING_RE = re.compile(r"^\s*(?:\*\*)?(?P<words>(?:for\s+)?(?:all\s+|the\s+)?(?:participants?|patients?|subjects?|people|persons|individuals|"
                                r"(?<=all\s)(?:cohorts|groups|arms))"
                                r"(?:\s+(?:with|in|on|who\s+have)\s+[^:\n]{1,50})?)\s*:\s*(?:\*\*)?\s*$", re.I)
_NOT_CATEGORY_RE = re.compile(r"\b(?:following|any|all|either|one|of|at|least|defined|meaning|such|including|namely|"
                              r"must|have|has|with|who|are|is|be|if|for|in|or|and)\b", re.I)
# ... but two words joined before a noun of the record's own categories name one: "Prior or concomitant therapy:",
# "Medical and surgical history:" (not "Cardiac or pulmonary disease:", a criterion over the kinds below it)
_JOINED_CATEGORY_RE = re.compile(r"[A-Za-z/-]+\s+(?:or|and)\s+[A-Za-z/-]+\s+(?:therap(?:y|ies)|treatments?|medications?|"
                                 r"medicines?|history|procedures?|assessments?|characteristics)", re.I)
# The category lines of the PDQ-era pages: "--Disease Characteristics--", "--Prior/Concurrent Therapy--"
_DASHED_HEADING_RE = re.compile(r"^\s*--\s*[A-Za-z][^\n]{0,60}?\s*--\s*$")
# A heading naming the visit the criteria below are checked at: "At screening (Visit 1):", "Visit 2 (Day 1):"
_TIMEPOINT_HEADING_RE = re.compile(
    r"^\s*(?:\*\*)?(?:(?:at|on|before|by)\s+(?:the\s+)?)?(?:screening|baseline|randomi[sz]ation|enrol?ment|"
    r"day\s*-?\d+|visit\s*\d+|week\s*-?\d+)(?:\s*(?:visit\s*)?\([^()\n]{1,30}\))?(?:\s+visit)?\s*:\s*(?:\*\*)?\s*$", re.I)
# A heading naming the part of a study the criteria below are for: "Part 1:", "Part B (extension):", "Stage 2:"
_PART_HEADING_RE = re.compile(r"^\s*(?:\*\*)?(?:part|stage|period|cohort)\s+(?:\d{1,2}|[A-D]|I{1,3}|IV)\b[^:\n]{0,40}:"
                              r"\s*(?:\*\*)?\s*$", re.I)
# A sentence that only says how the list below is read, when that is how its section is read anyway: "You can take
# part in this study if all of the following apply to you:" over inclusions, "... if any of the following applies" over
# exclusions. Its items are criteria of their own (a list with another reading, "at least one of the following:", is
# one criterion over its items).
_PREAMBLE_RE = re.compile(r"^\s*(?:\*\*)?[A-Z][^:\n]{0,120}?\b(?:if|when|who|must|meeting|meet)\s+(?:\w+\s+){0,2}?"
                          r"(?P<q>all|any|each)\s+(?:one\s+)?of\s+the\s+following\b[^:\n]{0,40}:\s*(?:\*\*)?\s*$", re.I)
_PREAMBLE_READING = {"inclusion": ("all", "each"), "exclusion": ("any", "each")}
# The same said as who may take part: "Patients may be eligible for this study if they:" over inclusions (all),
# "Patients may not be eligible for this study if they:" over exclusions (any).
_ELIGIBLE_IF_RE = re.compile(r"^\s*(?:\*\*)?[A-Z][^:\n]{0,80}?\b(?P<not>not\s+|in)?(?:be\s+)?(?:eligible|qualify|"
                             r"(?P<out>excluded)|included|enrolled|take\s+part|participate)\b[^:\n]{0,40}?\bif\s+(?:they|you|"
                             r"he\s+or\s+she|the\s+(?:patient|participant|subject))(?:\s+(?:have|has|are|is))?\s*:\s*"
                             r"(?:\*\*)?\s*$", re.I)


_OWN_LABEL_RE = re.compile(r"(?P<who>[A-Za-z][A-Za-z -]{0,30}?)\s*:\s*\S")


# "Any of the following will exclude a subject of either group:" (not "... will exclude a healthy subject:", whose
# items are of one group of people only)
_FOLLOWING_EXCLUDE_RE = re.compile(r"^\s*(?:\*\*)?(?P<q>any|each)\s+(?:one\s+)?of\s+the\s+following\s+(?:will|shall|would)\s+"
                                   r"exclude(?:\s+(?:a|any|the)\s+(?P<who>(?:healthy\s+)?(?:subjects?|participants?|patients?|"
                                   r"persons?|volunteers?|controls?))(?:\s+(?:of|from|in)\s+(?P<all>either|both|any)\s+"
                                   r"(?:groups?|arms?|cohorts?))?)?(?:\s+from\s+(?:the\s+)?(?:study|trial))?\s*:\s*(?:\*\*)?\s*$",
                                   re.I)


def _preamble_reading(line: str) -> Optional[str]:
    """How a sentence over a list says its items are read ("all", "any", "each"), or None."""
    preamble = _PREAMBLE_RE.match(line)
    if preamble:
        return preamble.group("q").lower()
    eligible = _ELIGIBLE_IF_RE.match(line)
    if eligible:
        return "any" if eligible.group("not") or eligible.group("out") else "all"
    excludes = _FOLLOWING_EXCLUDE_RE.match(line)
    return excludes.group("q").lower() if excludes else None
# i to xx
_ROMAN = r"(?:x{0,2}(?:ix|iv|vi{0,3}|i{1,3})|x{1,2})"
_MARKER_RE = re.compile(
    r"^(?P<indent>[ \t]*)(?P<marker>[-*•·▪◦‣–]|\d{1,2}[.)](?!\d)|\(\d{1,2}\)|\(?[a-z][.)]|"
    rf"\(?{_ROMAN}[.)])[ \t]+(?P<body>\S.*)$"
)
# "10. Any of the following laboratory values:" then "10.1 ...", "10.2 ...": items numbered under their parent's
# number. Read only in sequence (10.1 right under item 10, then 10.2), so that a wrapped line beginning "2.5 times the
# upper limit" is never taken for one.
_SUBNUMBER_RE = re.compile(r"^(?P<indent>[ \t]*)(?P<major>\d{1,2})\.(?P<minor>\d{1,2})\.?[ \t]+(?P<body>[A-Za-z(].*)$")
_CONNECTOR_END_RE = re.compile(r"(?:,|;|\b(?:or|and|and/or))\s*$", re.I)
# "any of the following medications: A, B, or C." lists its items inline: it introduces no list of bullets.
_LIST_INTRO_RE = re.compile(r"(?::\s*:?\s*$|\b(?:the|of)\s+following\b(?![^:]{0,40}:\s*\w)|\beither\s*:?$)", re.I)
_ANNOUNCES_AT_END_RE = re.compile(r"(?::\s*:?|\b(?:the|of)\s+following\b[^.;:]{0,80}:?|\beither\s*:?)\s*$", re.I)
# Deeper items become siblings at this depth. Real lists nest 3-4 levels; without a bound, hundreds of levels
# (one more space per line) nest rule groups deeper than pydantic can serialise.
MAX_DEPTH = 16


def _marker_family(marker: str) -> str:
    if marker in "-–":
        return "dash"
    if marker == "*":
        return "star"
    if marker in "•·▪◦‣":
        return "dot"
    core = marker.strip("().")
    if core.isdigit():
        return "number"
    if re.fullmatch(_ROMAN, core):
        return "roman"
    return "letter"


@dataclass
class _Item:
    section: str
    indent: int
    family: str  # marker family, or "paragraph"
    start: int
    end: int
    lines: list[str]
    section_assumed: bool
    children: list["_Item"] = field(default_factory=list)
    layout: str = "nested"
    parent: Optional["_Item"] = None
    blank_before: bool = False
    marker_core: str = ""  # "h" of "h)": which letter follows it
    cohort: Optional[str] = None  # "specific to participants with RMS": the heading's patients
    after_heading: bool = False  # first item under a heading: no item above it is its parent

    @property
    def text(self) -> str:
        return re.sub(r"\s+", " ", " ".join(self.lines)).strip()

    def introduces_list(self) -> bool:
        return bool(_LIST_INTRO_RE.search(self.text)) or self.text.rstrip().endswith(":")


def _section_of(match: re.Match) -> Optional[str]:
    word = match.group("section").lower()
    rest = (match.group("rest") or "").lower()
    if word in ("inclusion", "exclusion"):
        return word
    # "Major criteria include:" / "Criteria:" headers without a direction.
    if "exclu" in rest:
        return "exclusion"
    return "inclusion"


# "Inclusion criteria specific to participants with RMS:", "Inclusion criteria for the PPMS cohort:"
_COHORT_RE = re.compile(r"\b(?:specific\s+to|applicable\s+to|only\s+for|for|in)\s+(?P<who>(?:the\s+)?(?:participants?|"
                        r"patients?|subjects?|cohort|group|arm)\b.*|(?:the\s+)?[\w-]+\s+(?:cohort|group|arm|participants|"
                        r"patients|subjects)\b.*)", re.I)


def _cohort_of(rest: str) -> Optional[str]:
    """The patients a section header's words name, if any; the compiler reads the subtypes in them."""
    found = _COHORT_RE.search(rest)
    return found.group("who").strip(" :*()") if found else None


def _is_header(line: str) -> Optional[re.Match]:
    match = _HEADER_RE.match(line)
    if not match:
        return None
    word = match.group("section").lower()
    text = line.strip()
    # "Criteria" alone, or "... criteria include:", are headers only when short.
    if word == "criteria" and (len(text) > 40 or not text.rstrip("*").endswith(":")):
        return None
    if word != "criteria" and len(text) - len(match.group("tail") or "") > 80:
        return None
    # "Exclusion of patients with EDSS > 6" is a criterion: words after Inclusion/Exclusion make a header
    # only with "criteria" ("Inclusion Criteria (ALL to be fulfilled):").
    if word != "criteria" and re.search(r"[^\W_]|\.", match.group("rest") or "") \
            and not re.search(r"criteri", line[match.start("section"):match.end("rest")], re.I):
        return None
    return match


def _flat_child_continues(previous: _Item, candidate_text: str) -> bool:
    """Whether an item at the parent's own level still belongs to a flat list."""
    if candidate_text.rstrip().endswith(":"):
        return False  # a new list introducer
    if _CONNECTOR_END_RE.search(previous.text):
        return True
    words = candidate_text.split()
    looks_like_item = not re.search(r"[.!?]\s*$", candidate_text) or candidate_text[:1].islower()
    return looks_like_item and len(words) <= 25


_NEXT_LINE_RE = re.compile(r"(?:[ \t\r]*\n)*(?P<line>[^\n]*)")


def _next_is_bullet(text: str, offset: int) -> bool:
    """Whether the next non-blank line from ``offset`` is a bulleted or numbered item."""
    return _MARKER_RE.match(_NEXT_LINE_RE.match(text, offset).group("line").rstrip()) is not None


def _read_items(text: str) -> list[_Item]:
    """First pass: lines -> items (bullets, paragraphs) with their continuation lines."""
    items: list[_Item] = []
    section: Optional[str] = None
    section_assumed = True
    cohort: Optional[str] = None
    section_cohort: Optional[str] = None  # (the header's cohort, under a heading of other people)
    current: Optional[_Item] = None
    blank_before = True
    headed = False  # a heading came since the last item
    offset = 0
    for raw_line in text.split("\n"):
        line_start = offset
        offset += len(raw_line) + 1
        line = raw_line.rstrip()
        if not line.strip():
            blank_before = True
            continue
        header = _is_header(line)
        if header and current is not None and not blank_before and _MARKER_RE.match(line) is None \
                and not re.search(r"criteri|:", line, re.I):
            header = None  # "... meeting the McDonald criteria at\n inclusion.": a wrapped line, not a section
        subheading = _SUBHEADING_RE.match(line) if not header else None
        category = _CATEGORY_HEADING_RE.match(line)
        if category is None:
            category = _OTHERS_HEADING_RE.match(line)
            category = category if category and OTHER_PERSONS_RE.fullmatch(category.group("words").strip()) else None
        if _DASHED_HEADING_RE.match(line):
            current = None  # "--Disease Characteristics--": a category of the old registry's pages
            blank_before = True
            continue
        preamble = _preamble_reading(line)
        for_whom = _COHORT_HEADING_RE.match(line)
        part = _PART_HEADING_RE.match(line)
        heading = not header and not subheading and blank_before and (
            _TIMEPOINT_HEADING_RE.match(line) or part or for_whom
            or category and (not _NOT_CATEGORY_RE.search(category.group("words"))
                             or _JOINED_CATEGORY_RE.fullmatch(category.group("words").strip()))
            or preamble in _PREAMBLE_READING.get(section or "inclusion", ()))
        if heading and _next_is_bullet(text, offset):
            current = None  # the items under it are criteria of their own
            blank_before = headed = True
            # ("Mothers:" ... "Infants:": the criteria under a heading of other people are theirs, not the patient's)
            others = category and OTHER_PERSONS_RE.fullmatch(category.group("words").strip())
            under_others = bool(cohort and OTHER_PERSONS_RE.fullmatch(cohort))
            # ("Any of the following will exclude a healthy subject from the study:": the items are that group's;
            # "... a subject of either group:": everyone's)
            following = _FOLLOWING_EXCLUDE_RE.match(line)
            if following and following.group("who") and not following.group("all") and not others:
                others = OTHER_PERSONS_RE.fullmatch(following.group("who"))
                if not others:
                    cohort = following.group("who")
            elif following and following.group("all"):
                cohort = section_cohort if under_others else cohort
            if part and not others:
                # "Cohort 3 – healthy comparison cohort:": the part of the study its people are in
                others = OTHER_PERSONS_RE.search(line)
                if not others and under_others:
                    cohort = section_cohort  # ("Cohort 1 – siponimod-exposed cohort:" after it: the patients again)
            if others:
                section_cohort = section_cohort if under_others else cohort
                cohort = others.group(0)
            elif category and SUBSTUDY_RE.search(category.group("words")):
                cohort = category.group("words").strip()
            elif for_whom:
                cohort = for_whom.group("words").strip()
            elif category and under_others:
                cohort = section_cohort
            continue
        if subheading:
            cohort = None
            word = (subheading.group("section") or subheading.group("section2") or subheading.group("section3")
                    or "").lower()
            section = "exclusion" if word.startswith("exclu") else "inclusion" if word.startswith("inclu") else section
            section_assumed = section is None
            current = None
            blank_before = headed = True
            continue
        if header:
            section = _section_of(header)
            cohort = _cohort_of(header.group("rest") or "")
            section_assumed = False
            current = None
            blank_before = True
            tail = (header.group("tail") or "").strip()
            if not tail:
                continue
            # "Inclusion Criteria: Age 18-65": the rest of the line is a criterion.
            line_start += len(line) - len(tail)
            line = tail
        sub = _subnumber(line, items)
        marker = _MARKER_RE.match(line) if sub is None else None
        if sub is None and marker is None and current is not None and not blank_before:
            current.lines.append(line.strip())  # continuation of a wrapped line
            current.end = line_start + len(line)
            continue
        if section is None:
            section = "inclusion"
        content_start = line_start + (len(line) - len(line.lstrip()))
        if sub is not None:
            family, (indent, core, body) = "subnumber", sub
        elif marker is None:
            family, indent, body, core = "paragraph", len(line) - len(line.lstrip()), line.strip(), ""
        else:
            family = _marker_family(marker.group("marker"))
            indent = len(marker.group("indent").expandtabs(4))
            core = marker.group("marker").strip("().")
            if family == "roman" and len(core) == 1 and items and items[-1].family == "letter" \
                    and ord(items[-1].marker_core.lower()) + 1 == ord(core.lower()):
                family = "letter"  # "h) ... i) ...": the letter after h, not the roman one
            body = marker.group("body").strip()
        # ("Carers: the relative named by the patient ... may take part if aged 18 or over": an item of other people)
        label = _OWN_LABEL_RE.match(body)
        own = label.group("who") if label and OTHER_PERSONS_RE.fullmatch(label.group("who")) else cohort
        current = _Item(section, indent, family, content_start, line_start + len(line), [body],
                        section_assumed, blank_before=blank_before, marker_core=core, cohort=own,
                        after_heading=headed)
        items.append(current)
        blank_before = headed = False
    return items


# The patients' heading of a study that also takes other people ("Patients:" beside "Healthy volunteers:"): its
# criteria hold for the patients only, whichever course they have (the compiler scopes them to the courses)
BESIDE_OTHERS = " (beside other persons)"
ALL_COHORT_RE = re.compile(r"^\s*(?:for\s+)?all\b", re.I)  # "All participants:", "For all subjects:"
_HEALTHY_GROUP_RE = re.compile(r"\bhealthy\s+(?:volunteers?|controls?|subjects|participants|individuals)\b|"
                               r"\((?:healthy\s+)?controls?\)|\bcontrol\s+(?:group|subjects|participants|arm|cohort)\b",
                               re.I)


def _beside_others(items: list[_Item], text: str) -> list[_Item]:
    """(a study of patients and healthy controls: a heading of the controls, or a group of them in a criterion)"""
    if not any(item.cohort and OTHER_PERSONS_RE.fullmatch(item.cohort) for item in items) \
            and not _HEALTHY_GROUP_RE.search(text):
        return items
    for item in items:
        if item.cohort and not OTHER_PERSONS_RE.fullmatch(item.cohort) and not ALL_COHORT_RE.match(item.cohort) \
                and _COHORT_HEADING_RE.match(item.cohort + ":"):
            item.cohort += BESIDE_OTHERS
    return items


def _subnumber(line: str, items: list[_Item]) -> Optional[tuple[int, str, str]]:
    """(indent, "10.2", body) when the line is the next sub-numbered item of the numbered item above it."""
    match = _SUBNUMBER_RE.match(line)
    if match is None or not items:
        return None
    major, minor = match.group("major"), int(match.group("minor"))
    last = items[-1]
    if last.family == "number" and last.marker_core == major and minor == 1:
        parent_indent = last.indent
    elif last.family == "subnumber" and last.marker_core == f"{major}.{minor - 1}":
        parent_indent = last.indent - 1
    else:
        return None
    # (deeper than its parent even when the source prints it flush: it is the parent's child)
    return max(len(match.group("indent").expandtabs(4)), parent_indent + 1), f"{major}.{minor}", \
        match.group("body").strip()


def _parse(text: str) -> list[_Item]:
    """Second pass: place each complete item in the tree."""
    roots: list[_Item] = []
    stack: list[_Item] = []  # open items, outermost first
    section = None
    for item in _beside_others(_read_items(text), text):
        if item.section != section or item.family == "paragraph" or item.after_heading:
            stack = []
            section = item.section
        else:
            _place(item, stack, item.blank_before)
        if item.parent is None:
            roots.append(item)
        else:
            item.parent.children.append(item)
        stack.append(item)
    return roots


def _place(item: _Item, stack: list[_Item], blank_before: bool) -> None:
    """Find the parent of a bulleted item among the open items (mutates ``stack``)."""
    if stack:
        last = stack[-1]
        # A list broken by a blank line and re-indented deeper than any open level starts afresh.
        if last.parent is not None and blank_before and item.indent > last.indent \
                and not last.introduces_list() and all(o.indent != item.indent for o in stack):
            stack.clear()
            return
    while stack:
        candidate = stack[-1]
        parent = candidate.parent
        if parent is not None and candidate.family == item.family != parent.family:
            if parent.family == "paragraph" and item.indent < candidate.indent and item.indent <= parent.indent:
                stack.clear()  # back at the level of the paragraph whose nested list this was: a list of its own
                return
            # Same marker as its siblings (i), ii), iii)): a sibling, whatever the indentation.
            stack.pop()
            item.parent = parent
            return
        deeper = item.indent > candidate.indent or (candidate.family == "paragraph" and item.indent >= candidate.indent)
        if deeper:
            if candidate.introduces_list() and _depth(candidate) < MAX_DEPTH:
                item.parent = candidate
                return
            stack.pop()  # deeper but not introduced by it: a formatting artefact, not its child
            continue
        if item.indent == candidate.indent and item.family == candidate.family:
            stack.pop()
            if parent is not None and parent.layout == "flat":
                if _flat_child_continues(candidate, item.text):
                    item.parent = parent
                    return
                if parent in stack:
                    stack.remove(parent)
                continue
            # (at its own level only a list the item ends by announcing: "either treated with one of the following
            # DMTs for 6 months (A, B or C), or not treated." names its own and is followed by a criterion of its own)
            if parent is None and candidate.introduces_list() and not candidate.children \
                    and _ANNOUNCES_AT_END_RE.search(candidate.text):
                item.parent, candidate.layout = candidate, "flat"  # flat list after "...following:"
                return
            if parent is not None:
                item.parent = parent
                return
            continue
        stack.pop()


def _depth(item: _Item) -> int:
    depth = 0
    while item.parent is not None:
        item, depth = item.parent, depth + 1
    return depth


def _to_criterion(item: _Item, ident: str) -> Criterion:
    return Criterion(
        id=ident, section=item.section, text=item.text, span=(item.start, item.end),
        section_assumed=item.section_assumed, layout=item.layout, cohort=item.cohort,
        children=[_to_criterion(child, f"{ident}.{n}") for n, child in enumerate(item.children, start=1)],
    )


def segment(text: str) -> list[Criterion]:
    """Split criteria text into ordered criteria (inclusion ids ``I1``.., exclusion ``E1``..)."""
    counters = {"inclusion": 0, "exclusion": 0}
    criteria = []
    for item in _parse(text):
        counters[item.section] += 1
        prefix = "I" if item.section == "inclusion" else "E"
        criteria.append(_to_criterion(item, f"{prefix}{counters[item.section]}"))
    return criteria


def iter_criteria(criteria: list[Criterion]):
    """Depth-first walk over criteria and their children."""
    for criterion in criteria:
        yield criterion
        yield from iter_criteria(criterion.children)
