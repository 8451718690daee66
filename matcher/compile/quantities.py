"""Numbers, comparisons, ranges and time windows as registry text writes them.

"≤ 6.0", "inferior or egal to", "more or egal 1", "at least two", "3 to 6", "from 10 years to <18
years", "0.0 to 5.0 (inclusive)", "within 24 weeks prior to screening", "in the past year", "the 30
days preceding the inclusion", "five half-lives (whichever is longer)".
"""

from __future__ import annotations

import logging
import re
import warnings
from bisect import bisect_left, insort
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

from ..models.rules import Anchor, Duration, Range, Window

_WORDS = {
    "zero": 0, "one": 1, "a": 1, "an": 1, "single": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "eighteen": 18, "twenty": 20, "twenty-four": 24,
    "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "ninety": 90,
}
NUM = r"(?:\d{1,3}(?:,\d{3})+(?![.\d])|\d+(?:[.,]\d+)?|" + "|".join(sorted((w for w in _WORDS if len(w) > 2), key=len, reverse=True)) + r")"
UNIT = r"(?P<unit>days?|d|weeks?|wks?|fortnights?|months?|mos?|years?|yrs?|y)\b"

# Comparators, longest first. Value: (comparator, applies to the number that follows).
_COMPARATORS = [
    (r"inferior\s+or\s+(?:egal|equal)\s+to|(?:less|lower|smaller)\s+than\s+or\s+equal\s+to|"
     r"(?:less|lower)\s+or\s+equal(?:\s+to)?|"
     r"(?:no|not)\s+(?:more|greater|higher|older)\s+than|not\s+(?:above|over|exceeding)|(?:does|do)\s+not\s+exceed|"
     r"at\s+most|up\s+to|maximum\s+of|at\s+or\s+below|equal\s+to\s+or\s+(?:less|lower)\s+than|≤|=<|<=|=\s*<|</=", "<="),
    (r"(?:more|greater|higher)\s+or\s+(?:egal|equal)(?:\s+to)?|(?:greater|higher|more)\s+than\s+or\s+equal\s+to|superior\s+or\s+(?:egal|equal)\s+to|"
     r"at\s+or\s+(?:above|over)|equal\s+to\s+or\s+(?:greater|more|higher)\s+than|"
     r"at\s+least|(?:no|not)\s+(?:less|lower|fewer|younger)\s+than|not\s+(?:below|under)|minimum\s+of|a\s+minimum\s+of|≥|>=|=>|>/=|"
     r"=\s*>", ">="),
    (r"inferior\s+to|less\s+than|lower\s+than|younger\s+than|below|under|fewer\s+than|<", "<"),
    (r"superior\s+to|greater\s+than|more\s+th[ae]n|higher\s+than|older\s+than|above|over|exceeding|>", ">"),
]
COMPARATOR_RE = "|".join(f"(?:{pattern})" for pattern, _ in _COMPARATORS)


def comparator_of(text: str) -> Optional[str]:
    text = " ".join(text.lower().split())
    for pattern, comparator in _COMPARATORS:
        if re.fullmatch(pattern, text):
            return comparator
    return None


def number(text: str) -> float:
    """A number as registry text writes it: "six", "5.5", "5,5" (decimal comma), "100,000" (thousands)."""
    text = text.strip().lower()
    if text in _WORDS:
        return float(_WORDS[text])
    if re.fullmatch(r"\d{1,3}(?:[,\u00a0\u202f ]\d{3})+", text):
        return float(re.sub(r"[,\u00a0\u202f ]", "", text))
    return float(text.replace(",", "."))


def range_from(comparator: str, value: float) -> Range:
    if comparator == "<":
        return Range(high=value, high_inclusive=False)
    if comparator == "<=":
        return Range(high=value)
    if comparator == ">":
        return Range(low=value, low_inclusive=False)
    if comparator == ">=":
        return Range(low=value)
    return Range(low=value, high=value)


# Postfix bounds: "18 years or older", "2 or less", "5.5 or below".
_POSTFIX = [(r"or\s+(?:older|above|more|greater|over|higher)|and\s+(?:older|above|over)|\+", ">="),
            (r"or\s+(?:less|lower|below|younger|fewer|under)", "<=")]


@dataclass(frozen=True)
class FoundRange:
    range: Range
    start: int
    end: int


# "EDSS not between 2.0 and 6.5", "age outside the range of 18 to 55": the range is what the criterion rules out.
_RANGE_NEGATION_RE = re.compile(r"\b(?:not|outside(?:\s+(?:of\s+)?(?:the\s+)?(?:range|interval)(?:\s+of)?)?)\s*$", re.I)


def range_negated(before: str) -> bool:
    """Whether the words just before a range found by :func:`find_range` negate it."""
    return _RANGE_NEGATION_RE.search(before) is not None


# "from 1.0 (no disability) to 7.0 (restricted to a wheelchair)": an aside without a number glosses a bound.
_ASIDE_RE = re.compile(r"\((?![^()]*(?:\d|inclusive|included|exclusive))[^()]{1,80}\)", re.I)
_SPACES_RE = re.compile(r"\s*")


def find_range(text: str, *, number_re: str = NUM, unit_re: str = "") -> Optional[FoundRange]:
    """The first numeric range in ``text``: "X to Y", "between X and Y", "≤ X", "X or older".

    Asides without a number are read as blanks of the same length, so positions stay those of ``text``.
    """
    glossed = text
    text = _ASIDE_RE.sub(lambda aside: " " * len(aside.group()), text)
    u = f"(?:\\s*{unit_re})?" if unit_re else ""
    low_cmp = r"(?P<lowcmp>>=|≥|>|from)?\s*"
    high_cmp = r"(?P<highcmp><=|≤|<|=<|less\s+than|under|below)?\s*"  # "10 to less than 18 years"
    between = re.compile(
        rf"(?:between\s+|from\s+)?{low_cmp}(?P<low>{number_re}){u}\s*(?:up\s+to\s+and\s+including|up\s+to|to|and|-|–|—|−|until|through)\s*{high_cmp}"
        rf"(?P<high>{number_re}){u}(?P<incl>\s*\((?:both\s+)?(?:inclusive|included)\)|\s*,?\s*both\s+inclusive|\s*,\s*inclusive|\s+inclusive)?",
        re.I)
    match = between.search(text)
    if match and unit_re and not re.search(unit_re, match.group(0), re.I):
        # "less than 15 years in participants with an EDSS of 5.5 to 6.5": a bound in the unit asked for comes first
        bound = re.search(rf"(?:{COMPARATOR_RE})\s*(?:of\s+|to\s+)?{number_re}\s*{unit_re}", text, re.I)
        match = None if bound and bound.start() < match.start() else match
    if match:
        low, high = number(match.group("low")), number(match.group("high"))
        if low <= high:
            lowcmp = (match.group("lowcmp") or "").lower()
            highcmp = match.group("highcmp") or ""
            end = match.end()
            gloss = _ASIDE_RE.match(glossed, _SPACES_RE.match(text, end).end())
            if gloss and not match.group("incl"):
                end = gloss.end()  # the aside glossing the upper bound belongs to the range
            return FoundRange(Range(low=low, low_inclusive=lowcmp != ">",
                                    high=high, high_inclusive=comparator_of(highcmp) != "<" if highcmp else True),
                              match.start(), end)
    prefix = re.compile(rf"(?P<cmp>{COMPARATOR_RE})\s*(?:of\s+|to\s+)?(?P<value>{number_re}){u}", re.I)
    match = prefix.search(text)
    postfix = re.compile(rf"(?P<value>{number_re}){u}\s*(?P<post>{'|'.join(p for p, _ in _POSTFIX)})", re.I)
    post_match = postfix.search(text)
    if match and (not post_match or match.start() <= post_match.start()):
        comparator = comparator_of(match.group("cmp"))
        if comparator:
            found = FoundRange(range_from(comparator, number(match.group("value"))), match.start(), match.end())
            return _closed_by_second_bound(text, found, prefix)
    if post_match:
        post = post_match.group("post").lower()
        comparator = next(c for p, c in _POSTFIX if re.fullmatch(p, post))
        found = FoundRange(range_from(comparator, number(post_match.group("value"))),
                           post_match.start(), post_match.end())
        return _closed_by_second_bound(text, found, prefix)  # "40 kg or more and no more than 150 kg"
    equals = re.compile(rf"(?:=|:|\bof|\bscore)\s*(?P<value>{number_re}){u}(?!\s*(?:to|-|and)\s*\d)", re.I)
    match = equals.search(text)
    if match:
        value = number(match.group("value"))
        return FoundRange(Range(low=value, high=value), match.start(), match.end())
    return None


_SECOND_BOUND_GAP_RE = re.compile(r"\s*(?:,\s*)?(?:and|but)\s+", re.I)


def _closed_by_second_bound(text: str, found: FoundRange, prefix: re.Pattern) -> FoundRange:
    """"at least 40 kg and no more than 130 kg": a one-sided bound closed by the other side right after it."""
    gap = _SECOND_BOUND_GAP_RE.match(text, found.end)
    second = gap and prefix.match(text, gap.end())
    comparator = second and comparator_of(second.group("cmp"))
    if not comparator:
        return found
    other = range_from(comparator, number(second.group("value")))
    first = found.range
    if first.high is None and other.low is None and first.low is not None and other.high is not None \
            and first.low <= other.high:
        return FoundRange(Range(low=first.low, low_inclusive=first.low_inclusive,
                                high=other.high, high_inclusive=other.high_inclusive), found.start, second.end())
    if first.low is None and other.high is None and first.high is not None and other.low is not None \
            and other.low <= first.high:
        return FoundRange(Range(low=other.low, low_inclusive=other.low_inclusive,
                                high=first.high, high_inclusive=first.high_inclusive), found.start, second.end())
    return found


def unit_of(text: str) -> str:
    text = text.lower()
    for prefix, unit in (("d", "days"), ("w", "weeks"), ("mo", "months"), ("y", "years")):
        if text.startswith(prefix):
            return unit
    raise ValueError(text)


# --- windows ------------------------------------------------------------------------------

_ANCHORS: list[tuple[str, Anchor]] = [
    (r"screening|the\s+screening\s+visit|screening\s+visit|(?:the\s+)?(?:initial|first)\s+visit", "screening"),
    # (the study's own first procedure: "before the research MRI", "within 1 month before vaccination" in a vaccine
    # study)
    # ("before Day 0", "prior to the first MRI", "before the first experimental session": the study's first visit)
    (r"(?:extension\s+)?baseline|day\s*[01]\b|the\s+(?:extension\s+)?baseline\s+visit|(?:the\s+)?(?:study\s+)?(?:serum|blood)\s+sampl(?:e|ing)|study\s+day\s+[01]\b|(?:the\s+)?study\s+day\b|(?:the\s+)?month[\s-]*0\s+visit|(?:research|study)\s+(?:mri|scan|pet(?:\s+scan)?)|"
     r"(?:the\s+)?first\s+(?:study\s+|research\s+)?mri(?:\s+scan)?|"
     r"(?:the\s+)?first\s+(?:experimental|study|testing|test|assessment|training)\s+session|"
     r"(?:an|the)\s+mri\s+(?:examination|scan)|(?:the\s+)?pet(?:[\s/-]+(?:ct|mri))?\s+(?:scan|imaging|examination)|"
     r"(?:(?:first|study)\s+)?vaccination|"
     # ("before the start of the programme": the first session of a rehabilitation or education study)
     r"(?:the\s+)?(?:start|beginning)\s+of\s+(?:the\s+)?(?:study\s+)?(?:programme|program|intervention|training|"
     r"rehabilitation|course|sessions)", "baseline"),
    # "the first administration of investigational product"
    # (and "the first TYSABRI infusion", a drug's name between)
    # ("the scheduled first dose of rituximab")
    (r"(?:the\s+)?(?:(?:scheduled|planned)\s+)?first\s+(?:study\s+|[\w-]+\s+)?(?:(?:drug|treatment|intervention)\s+)?(?:dose|administration|infusion|injection)"
     r"(?:\s+of\s+(?:the\s+)?(?:study\s+(?:drug|medication|treatment|intervention)|investigational\s+(?:medicinal\s+)?"
     r"(?:product|drug|agent)|IMP|IP|trial\s+(?:drug|medication)))?|"
     r"(?:the\s+)?first\s+treatment(?:\s+visit)?|(?:the\s+)?first\s+dosing(?:\s+day)?|"
     r"study\s+(?:drug|treatment)\s+(?:start|initiation)|"
     r"start\s+of\s+(?:study\s+)?treatment|initiation\s+of|(?:study\s+(?:drug|treatment)\s+)?dosing|"
     # cell therapy and transplantation: treatment starts with the lymphodepleting or conditioning chemotherapy or
     # the stem cell mobilisation; the leukapheresis that collects the cells follows enrolment
     r"(?:(?:the\s+)?(?:planned\s+)?start\s+of\s+)?(?:lymphodepleti(?:on|ng)(?:\s+chemotherapy)?|"
     r"conditioning(?:\s+(?:regimen|chemotherapy))?|(?:stem\s+cell\s+)?mobili[sz]ation)", "first_dose"),
    # ("within 4 weeks before treatment allocation": the random allocation of the arms)
    (r"randomi[sz]ation|(?:treatment|random)\s+allocation|allocation\s+to\s+(?:treatment|a\s+treatment\s+(?:arm|group))",
     "randomization"),
    # ("before entering the study", "prior to entry into the trial")
    (r"enter(?:ing)?\s+(?:into\s+)?the\s+(?:study|trial)|entry\s+into\s+the\s+(?:study|trial)|"
     r"(?:(?:study|trial)\s+)?entry|enrol(?:l)?(?:ment|ing)|inclusion|(?:the\s+)?trial|study\s+start|"
     r"(?:the\s+)?study|(?:leuk)?apheresis|bone\s+marrow\s+(?:aspirat(?:e|ion)|harvest(?:ing)?|collection)|"
     # ("within the 30 days before admission": the start of an inpatient study stay)
     r"admission(?:\s+to\s+(?:the\s+)?(?:clinic|hospital|rehabilitation(?:\s+(?:centre|center|unit|clinic))?|ward|unit))?",
     "enrollment"),
]
# ("prior to any study MRI": the first of them)
_ANCHOR_RE = r"(?:the\s+|any\s+)?(?:" + "|".join(f"(?:{p})" for p, _ in _ANCHORS) + ")"
ANCHOR_WORDS = _ANCHOR_RE  # (the study's time points, for patterns of other modules)
_BEFORE = r"(?:prior\s+to|before|befor|preceding|prior)"


_ANCHOR_AFTER_RE = re.compile(rf"\s*{_BEFORE}\s+(?P<a>{_ANCHOR_RE})", re.I)


def anchor_after(text: str, position: int) -> Optional[tuple[Anchor, int]]:
    """The anchor stated right at ``position`` ("... before Day 1") and where its words end, or None."""
    found = _ANCHOR_AFTER_RE.match(text, position)
    return (anchor_of(found.group("a")), found.end()) if found else None


def stated_anchor(text: str) -> Optional[Anchor]:
    """The anchor a text states ("... before randomization:"), or None when it states none."""
    match = re.search(rf"\b{_BEFORE}\s+(?P<a>{_ANCHOR_RE})", text, re.I) or _AT_TIME_OF_RE.match(text)
    return anchor_of(match.group("a")) if match else None


# "At the time of the serum sampling, treated with ...": the time point a criterion opens with
_AT_TIME_OF_RE = re.compile(rf"\s*at\s+the\s+time\s+of\s+(?P<a>{_ANCHOR_RE})", re.I)


_ANCHOR_LEAD_RE = re.compile(r"\b(?:prior\s+to|before|preceding)\s+(?:the\s+)?(?:planned\s+|scheduled\s+)?"
                             r"(?:start\s+of\s+)?$", re.I)


_ANCHOR_AT_RE = re.compile(_ANCHOR_RE, re.I)


def is_stated_anchor(text: str, start: int) -> bool:
    """Whether the words at ``start`` are the time point a window counts back from ("before leukapheresis")."""
    return bool(_ANCHOR_LEAD_RE.search(text, max(0, start - 40), start)) and bool(_ANCHOR_AT_RE.match(text, start))


_HALF_LIVES_ANCHOR_RE = re.compile(rf"\s*(?:of\s+(?:that|the|this|each|the\s+investigational)\s+(?:drug|agent|product|"
                                   rf"medication|compound)\s+)?(?:{_BEFORE}|of|from)\s+(?P<a>{_ANCHOR_RE})", re.I)


def half_lives_anchor(text: str, half_lives: re.Match) -> Optional[Anchor]:
    """The time point half-lives count back from: "5 half-lives of enrollment", "5 half-lives of that drug
    before Day 1", else the one the text states elsewhere."""
    after = _HALF_LIVES_ANCHOR_RE.match(text, half_lives.end())
    return anchor_of(after.group("a")) if after else stated_anchor(text)


_BOTH_ANCHORS_RE = re.compile(rf"\s*(?:(?:{_BEFORE})\s+)?(?:each\s+of\s+|both\s+)(?P<a>{_ANCHOR_RE})\s+and\s+(?P<b>{_ANCHOR_RE})",
                              re.I)


def both_anchors(text: str, position: int) -> Optional[tuple[Anchor, Anchor, int, int]]:
    """"for 30 days before both screening and Day 1" after a window's number: the two time points it counts back
    from, and where the words stand."""
    found = _BOTH_ANCHORS_RE.match(text, position)
    if not found:
        return None
    return anchor_of(found.group("a")), anchor_of(found.group("b")), found.start(), found.end()


def anchor_of(text: Optional[str]) -> Anchor:
    if not text:
        return "screening"
    text = " ".join(text.lower().split())
    for pattern, anchor in _ANCHORS:
        if re.search(pattern, text):
            return anchor
    return "screening"


_WINDOW_PATTERNS = [
    # "within 5 half-lives or 12 weeks, whichever is longer": the time after the half-lives
    rf"(?:within|in)\s+(?:the\s+)?{NUM}\s*(?:(?:drug[\s-]+)?(?:elimination|terminal|plasma|drug)\s+)?half[\s-]*li(?:ves|fe)\s+or\s+"
    rf"(?P<value>{NUM})\s*{UNIT}(?:\s+(?:{_BEFORE}|of|from|since)\s+(?P<anchor>{_ANCHOR_RE}))?",
    # "within (the) (last|past|previous) 24 weeks (prior to|before|of) screening"
    # (and "during the 5 last years", as translated)
    # (and "in the recent 3 months", as translated)
    rf"(?:within|in|during|over|for)\s+(?:the\s+)?(?:last|past|previous|preceding|prior|recent)?\s*(?P<value>{NUM})\s*"
    rf"(?:(?:last|past|previous|preceding)\s+)?{UNIT}"
    rf"(?:\s+(?:{_BEFORE}|of|from|since)\s+(?P<anchor>{_ANCHOR_RE}))?",
    # ("myocardial infarction the last 6 months", translated: the preposition left out)
    rf"(?<=[a-z)]\s)(?<!least\s)(?<!than\s)(?<!of\s)the\s+(?:last|past|previous|preceding)\s+(?P<value>{NUM})\s*{UNIT}"
    rf"(?:\s+(?:{_BEFORE}|of)\s+(?P<anchor>{_ANCHOR_RE}))?",
    # "24 weeks prior to screening", "30 days preceding the inclusion", "six months before enrollment"
    rf"(?P<value>{NUM})\s*{UNIT}\s+(?:{_BEFORE}|of)\s*(?P<anchor>{_ANCHOR_RE})?",
    # "At least 3 months since prior interferon beta" (the old registry's pages): the time since the exposure
    rf"(?P<value>{NUM})\s*{UNIT}\s+since\s+(?=(?:the\s+|any\s+)?(?:prior|previous|last|other|most\s+recent)\b)",
    # "the past year", "the last year", "the prior year", "previous year", "the past fortnight"
    rf"(?:the\s+)?(?:last|past|previous|prior|preceding|(?<=the\s)recent)\s+(?P<unit>year|month|fortnight|week|day)\b"
    rf"(?:\s+{_BEFORE}\s+(?P<anchor>{_ANCHOR_RE}))?",
    # "during the year prior to randomization", "in the month before screening", "within a fortnight before"
    rf"(?:within|in|during|over)\s+(?:the|a)\s+(?P<unit>year|month|fortnight|week)\s+(?:{_BEFORE}|of)(?:\s+(?P<anchor>{_ANCHOR_RE}))?",
    # a list item giving its own window after a colon ("Natalizumab: 6 months") or in a table's column
    # ("natalizumab | 3 months"), the anchor in its parent
    rf"[:|]\s*(?P<value>{NUM})\s*{UNIT}(?=\s*(?:[.;,(]|$))",  # ("teriflunomide: 3.5 months, unless ...")
    # "between screening (month -1) and baseline (month 0)": the visits' own times give the window before the second
    rf"between\s+(?:the\s+)?screening(?:\s+visit)?\s*\((?P<unit>month|week|day)\s*[-−–]\s*(?P<value>{NUM})\)\s*"
    rf"(?:and|to|until)\s+(?P<anchor>{_ANCHOR_RE})\s*\((?:month|week|day)\s*0\)",
    # "inferior (or egal) to 3 months since", "less than 30 days"
    rf"(?P<cmp>inferior\s+(?:or\s+egal\s+)?to|less\s+than|<|≤)\s*(?P<value>{NUM})\s*{UNIT}",
]
# "free of any malignancy for at least 5 years", "relapse-free for a minimum of 30 days": the time the patient has
# been free of it, i.e. none within the window. Elsewhere "for at least 6 months" is how long something lasted.
_FREE_FOR_PATTERN = (rf"for\s+(?:at\s+least|a\s+minimum\s+of|more\s+than|over|>|≥)\s*(?P<value>{NUM})\s*{UNIT}"
                     rf"(?:\s+(?:{_BEFORE}|of)\s+(?P<anchor>{_ANCHOR_RE}))?")
# ... or without it for that time ("SPMS without relapses for at least 1 year")
_FREE_BEFORE_RE = re.compile(r"\bfree\b|\bwithout\s+(?:any\s+)?(?:\w+\s+){0,2}?(?:relapses?|attacks?|exacerbations?|"
                             r"activity)\s*$", re.I)
_WINDOW_RES = [re.compile(p, re.I) for p in [*_WINDOW_PATTERNS, _FREE_FOR_PATTERN]]
# an interval that ends at an anchor, stated before its length: "from X to randomisation of", "between X and Day 1:"
_INTERVAL_TO_RE = re.compile(rf"\b(?:from\b[^.;]{{1,80}}?\bto|between\b[^.;]{{1,80}}?\band)\s+(?:the\s+)?"
                             rf"(?P<a>{_ANCHOR_RE})[\s:,]*(?:(?:of|is|was|must\s+be|should\s+be)\s+)?$", re.I)
_FREE_FOR_RE = _WINDOW_RES[-1]
HALF_LIVES_RE = re.compile(rf"(?P<value>{NUM})\s*(?:(?:published|known|reported)\s+)?(?:(?:drug[\s-]+)?(?:elimination|terminal|plasma|drug)\s+)?half[\s-]*li(?:ves|fe)", re.I)


# A time of the study with no length of its own: "during the screening period", "between screening and randomization"
# (with the visits' months it is a window: "between screening (month -1) and baseline (month 0)")
STUDY_PERIOD_TIME_RE = re.compile(r"\b(?:during|throughout|in)\s+(?:the\s+)?(?:screening|run-?in|wash-?out|baseline)\s+"
                                  r"(?:period|phase|visits?)\b|\bbetween\s+(?:the\s+)?screening(?:\s+visit)?\s+and\s+(?:the\s+)?"
                                  r"(?:study\s+)?(?:baseline|randomi[sz]ation|day\s*1|first\s+dose|enrol\w*)\b(?!\s*\()", re.I)


def has_event_anchor(text: str) -> bool:
    """Whether ``text`` names an event of the patient's a window may count from ("the onset of the relapse")."""
    return _EVENT_ANCHOR_RE.search(text) is not None


@dataclass(frozen=True)
class FoundWindow:
    window: Window
    start: int
    end: int
    gap: bool = False  # "at least 2 months before entry": a minimum gap, i.e. *not* within the window
    event: bool = False  # "within 28 days of the onset of the relapse": counted from an event no anchor names


# A window counted from an event of the patient's, which no study time point names: "within the month before the
# onset of the present relapse", "from 6 months before the last menstrual period"
_EVENT_ANCHOR_RE = re.compile(
    rf"\s*(?:(?:{_BEFORE}|of|after|from|since|following)\s+)?(?:the\s+|this\s+|a\s+|an\s+|her\s+|their\s+)?"
    r"(?:(?:onset|start|beginning)\s+of\s+(?:the\s+|this\s+|a\s+|an\s+)?(?:(?:present|current|qualifying|index|"
    r"acute|presenting|most\s+recent|(?:study[\s-])?entry|enrol\w*)\s+)?(?:MS\s+)?(?:relapses?|attacks?|exacerbations?|symptoms?|episodes?|events?|"
    r"optic\s+neuritis|visual\s+(?:loss|symptoms))|(?:MS\s+)?(?:relapse|attack|symptom)\s+onset|"
    r"(?:first\s+day\s+of\s+(?:the\s+|her\s+)?)?(?:last\s+menstrual\s+period|(?-i:LMP))|conception|delivery|childbirth)\b",
    re.I)


# "at least 2 months before", "more than 30 days prior to", "3 months or more before": a minimum gap.
_GAP_BEFORE_RE = re.compile(r"(?:at\s+least|(?<!no\s)(?<!not\s)(?:more|greater)\s+than|a\s+minimum\s+of|minimum\s+of|no\s+sooner\s+than|"
                            r"not\s+less\s+than|no\s+less\s+than|≥|>=|>)\s*$", re.I)
_OF_EXPOSURE_RE = re.compile(r"\s*(?:(?:continuous|consecutive|uninterrupted|stable)\s+)?(?:treatment|therapy|use|"
                             r"exposure|dosing)\b|"
                             # ("(10 days of corticosteroids in total)": a course's length)
                             r"\s*(?:[\w-]+\s+){1,3}?in\s+total\b", re.I)
_GAP_AFTER_RE = re.compile(r"\s*or\s+(?:more|longer)\b|\s*ago\b", re.I)


_STUDY_PERIOD_RE = re.compile(r"\s*(?:of|in)\s+(?:the\s+)?(?:trial|study)\b(?!\s*(?:start|entry|drug|medication|"
                              r"treatment|visit|day|'s))", re.I)


_STUDY_PERIOD_END_RE = re.compile(r"\b(?:of|in)\s+(?:the\s+)?(?:trial|study)\s*$", re.I)
_AHEAD_BEFORE_RE = re.compile(r"\b(?:throughout|during|over|for)\s+(?:the\s+)?(?:whole\s+|entire\s+|first\s+)?$", re.I)


_PROGNOSIS_BEFORE_RE = re.compile(r"\b(?:life\s+expectancy|expected\s+survival|prognosis)\s+(?:of\s+|is\s+|below\s+|under\s+)?$",
                                  re.I)


def find_windows(text: str) -> list[FoundWindow]:
    """Every look-back window in ``text``, in order, without overlaps."""
    found: list[FoundWindow] = []
    taken: list[tuple[int, int]] = []
    half = HALF_LIVES_RE.search(text)
    for pattern in _WINDOW_RES:
        for match in pattern.finditer(text):
            at = bisect_left(taken, (match.end(),))  # taken spans do not overlap: only the one before can
            if at and taken[at - 1][1] > match.start():
                continue
            if pattern is _FREE_FOR_RE and not _FREE_BEFORE_RE.search(text, max(text.rfind(".", 0, match.start()), 0),
                                                                      match.start()):
                continue
            if re.search(r"\bof\s*$", match.group(0), re.I) and _OF_EXPOSURE_RE.match(text, match.end()):
                continue  # "at least 6 months of treatment": how long a treatment lasted, not a look-back window
            if _PROGNOSIS_BEFORE_RE.search(text, max(0, match.start() - 40), match.start()):
                continue  # "a life expectancy of less than 12 months": a prognosis, not a look-back window
            if (_STUDY_PERIOD_RE.match(text, match.end()) or _STUDY_PERIOD_END_RE.search(match.group(0))) \
                    and (_AHEAD_BEFORE_RE.search(text[max(0, match.start() - 25):match.start()])
                         or re.match(r"(?:throughout|during|over|for)\s+the\b", match.group(0), re.I)):
                continue  # "unchanged throughout the 12 months of the trial": the time ahead, not a look-back
            groups = match.groupdict()
            value = number(groups["value"]) if groups.get("value") else 1.0
            if groups["unit"].lower().startswith("fortnight"):
                value, unit = value * 2, "weeks"
            else:
                try:
                    unit = unit_of(groups["unit"])
                except ValueError:
                    continue
            anchor_text = groups.get("anchor")
            if not anchor_text:  # "... within 6 weeks of entry into the study", "prior to the Baseline visit"
                tail = re.match(rf"[^.;]{{0,40}}?(?:{_BEFORE}|of)\s+(?P<a>{_ANCHOR_RE})",
                                text[match.end():], re.I)
                # "1 relapse during the previous year, or ... within 6 months prior to randomization": a window
                # without an anchor takes the next one its sentence states
                tail = tail or re.match(rf"[^.;]*?\b{_BEFORE}\s+(?P<a>{_ANCHOR_RE})", text[match.end():], re.I)
                # "Time from the onset of the relapse to randomisation of less than 15 days": the interval's end
                tail = tail or _INTERVAL_TO_RE.search(text, max(0, match.start() - 120), match.start())
                anchor_text = tail.group("a") if tail else None
            window = Window(within=Duration(value=value, unit=unit), anchor=anchor_of(anchor_text),
                            half_lives=int(number(half.group("value"))) if half else None)
            value_at = match.start("value") if groups.get("value") else match.start()
            gap = not groups.get("cmp") and bool(
                _GAP_BEFORE_RE.search(text[max(0, value_at - 25):value_at])
                or (_GAP_AFTER_RE.match(text, match.end("unit")) and not re.match(r"(?:within|in|during)\b",
                                                                                 text[match.start():], re.I)))
            event = _EVENT_ANCHOR_RE.match(text, match.end())
            found.append(FoundWindow(window, match.start(), event.end() if event else match.end(), gap, bool(event)))
            insort(taken, (match.start(), match.end()))
    return sorted(found, key=lambda w: w.start)


# --- quantulum3, contained ------------------------------------------------------------------

@lru_cache(maxsize=1)
def _quantulum_parser():
    """quantulum3 warns about its classifier on import and calls logging.basicConfig on every
    parse; import it with warnings silenced and keep its logging from configuring the root logger."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from quantulum3 import parser
    return parser


def parse_quantities(text: str) -> list[tuple[float, str, tuple[int, int]]]:
    """(value, unit name, span) for every quantity quantulum3 finds, e.g. lab values with units."""
    parser = _quantulum_parser()
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    original = logging.basicConfig
    logging.basicConfig = lambda *args, **kwargs: None  # type: ignore[assignment]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            quantities = parser.parse(text)
    finally:
        logging.basicConfig = original  # type: ignore[assignment]
        root.handlers[:] = handlers
        root.setLevel(level)
    return [(float(q.value), q.unit.name, tuple(q.span)) for q in quantities]
