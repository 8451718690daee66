"""How a condition is worded: the qualifiers that withdraw it, what is not the patient's condition, and the
sentences, list items and parentheses the condition family reads (``conditions.py``; policy in
``tests/gold/README.md``)."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

from ...lexicon import get_lexicon
from .. import context
from ..nlp import Entity

# Judgement words: outside a lexicon term they always qualify; inside one, only the first group and only when
# the entry's own name carries it ("major psychiatric illness", "major amputation"; but "major depression" is a
# diagnosis, and "unstable angina", "abnormal prostate" name one).
_OWN_JUDGEMENT = r"clinically[\s-]+(?:significant|relevant|important)|significant(?:ly)?|severe(?:ly)?|major|serious"
_JUDGEMENT = _OWN_JUDGEMENT + (r"|uncontrolled|not\s+(?:yet\s+|adequately\s+|well\s+|sufficiently\s+)?controlled|"
                               r"poorly[\s-]+controlled|(?:un)?stable|relevant|moderate(?:ly)?|impaired|abnormal\w*|"
                               r"certain|frequent|untreated|inadequately[\s-]+treated|disabling|pronounced|marked|life[\s-]+threatening")
_OWN_JUDGEMENT_RE = re.compile(rf"\b(?:{_OWN_JUDGEMENT})\b", re.I)
_RELATIONAL_BEFORE = r"may\s+mimic|could\s+(?:have\s+)?caus\w*|(?:that|which)\s+(?:may|might|could|would|can)|" \
                     r"(?:(?:that|which)\s+(?:is|are)\s+)?(?:un)?likely\s+to"
_QUALIFIER_BEFORE_RE = re.compile(rf"\b(?:(?P<degree>{_JUDGEMENT})|(?P<relational>{_RELATIONAL_BEFORE}))\b", re.I)
_QUALIFIER_AFTER_RE = re.compile(
    r"\b(?:(?P<degree>(?:that|which)\s+(?:is|are)\s+(?:severely\s+)?disabling|"
    # ("Tremor of at least moderate severity: a score of 2 or more on ...")
    r"of\s+(?:at\s+least\s+)?(?:mild|moderate|severe|marked)(?:\s+(?:or|to)\s+(?:moderate|severe|marked))?\s+"
    r"(?:severity|intensity|degree)|"
    r"(?:(?:that|which)\s+(?:is|are|was|were)\s+)?not\s+(?:yet\s+|adequately\s+|well\s+|"
    rf"sufficiently\s+|properly\s+)?(?:controlled|treated)|inadequately\s+treated)|{_RELATIONAL_BEFORE}|interfer(?!on)\w*|requiring|(?:that|which)\s+"
    r"require[sd]?|needing|render\w*|prevent\w*|preclud\w*|making|(?:that|which)\s+(?:would\s+)?make[s]?|limit(?:ing|s)|"
    # ("Cardiovascular disease that contraindicates exercise (...)": a bearing on the study's procedure)
    r"(?:(?:that|which)\s+)?contra[\s-]?indicat(?:es?|ing)|"
    r"(?:that|which)\s+limits?|"
    r"restricting|compromising|impairing|"
    # "other neurological conditions affecting walking": a bearing on a function is the investigator's judgement (not
    # "diseases affecting the central nervous system", which names where)
    r"(?:(?:that|which)\s+(?:(?:is|are)\s+)?)?(?:known\s+to\s+)?affect(?:s|ing)?\s+(?:the\s+|their\s+|his\s+or\s+her\s+)?"
    r"(?:(?:cognitive|motor|physical|neurological|sensory|visual|respiratory|breathing|lung|pulmonary)\s+)?(?:walking|gait|"
    r"mobility|balance|cognition|breathing|"
    r"(?:muscle\s+)?strength|muscle\s+(?:power|tone)|coordination|dexterity|vision|speech|swallowing|sensation|"
    r"ambulation|ability|function(?:ing)?|performance|assessments?|evaluations?|outcomes?|participation)|"
    # "pressure sores in the areas of contact with the orthosis", "at the sites where the electrodes are placed": a
    # place narrower than the condition
    r"(?:in|at|on)\s+the\s+(?:areas?|sites?|regions?|places?|parts?)\s+(?:of|where|in\s+contact)\b|attributed\s+by\s+(?:the\s+)?(?:investigator|physician|neurologist|clinician)\s+to)\b", re.I)
# In an exclusion, a cause narrower than the condition: "Spasticity or muscle weakness caused mainly by a disorder other
# than MS" (read bare, the MS spasticity the trial treats was excluded); not its cause in MS ("spasticity due to MS"),
# nor examples of causes ("Unable to undergo MRI (for example due to pacemaker, ...)"). (In an inclusion the condition
# stays required: "Neuropathic pain secondary to diabetes"; the cause is a person's.)
CAUSED_BY_AFTER_RE = re.compile(r"[^.;:()]{0,40}?(?<!example\s)(?<!instance\s)(?<!e\.g\.\s)(?<!e\.g\.,\s)(?<!eg\s)"
                                r"(?:\b(?:(?:caused|induced)\s+(?:\w+\s+)?by|due\s+(?:\w+\s+)?to|secondary\s+to|"
                                r"attributable\s+to|resulting\s+from)\s+(?!(?:the\s+|their\s+|his\s+or\s+her\s+)?"
                                r"(?:MS|multiple\s+sclerosis|the\s+disease)\b)|"
                                # ("Optic neuropathy of a cause other than MS", "tremor of another origin", "not caused
                                # by MS": the same, said of the cause)
                                r"\bof\s+(?:an?\s+|any\s+)?(?:(?:cause|origin|a?etiology)\s+other\s+than|"
                                r"(?:another|other|a\s+different|non[\s-]MS)\s+(?:cause|origin|a?etiology))\b|"
                                r"\bnot\s+(?:caused\s+by|due\s+to|attributable\s+to|related\s+to|explained\s+by)\s+"
                                r"(?:MS|multiple\s+sclerosis)\b)", re.I)
# A degree right after the condition: "diabetes mellitus poorly controlled by treatment".
_DEGREE_AFTER_RE = re.compile(r"\s*(?:(?:that|which|who)\s+(?:is|are|was|were)\s+)?(?:(?:poorly|inadequately|"
                              r"insufficiently)[\s-]+controlled|uncontrolled)\b", re.I)
# Where a trailing qualifier no longer belongs to the mention: a new clause or a catch-all item.
_NEW_CLAUSE_RE = re.compile(r",\s*(?:or|and)\b|\)\s*(?:or|and)\b|\b(?:or|and)\s+(?:who|which|that|are|is|has|have)\b|"
                            r"\b(?:an)?other\b(?!\s+than)", re.I)  # "X other than MS that requires ...": still X's
# Non-exhaustive examples after a general term.
EXAMPLES_RE = re.compile(
    r"\b(?:including|includes?|such\s+as|e\.\s*g\b\.?|eg\b|for\s+(?:example|instance)|like|especially|notably|"
    r"particularly|in\s+particular|(?:with\s+)?(?:an?\s+)?particular\s+focus\s+on)"
    r"(?:,?\s*but\s+(?:are\s+|is\s+)?not\s+(?:limited|restricted)\s+to)?\s*:?", re.I)
# A sentence ends at ";" or a full stop, not at the stop of "e.g.", "i.e.", "etc.", "vs.".
_FULL_STOP = r"(?<![A-Za-z]\.[A-Za-z])(?<!\betc)(?<!\bvs)\.(?:\s|$)"
SEGMENT_BREAK_RE = re.compile(rf";|{_FULL_STOP}")
_ITEM_BREAK_RE = re.compile(rf"[;,()\[\]]|{_FULL_STOP}")
NEW_NOUN_PHRASE_RE = re.compile(r"\b(?:or|and|with)\s+(?:an?\s+|any\s+)?(?:history|presence|known|evidence|diagnosis|"
                                r"positive|current|active|prior|previous)\b", re.I)
_COORDINATION_RE = re.compile(r"\s*(?:or|and|and/or|/|&)?\s*", re.I)
# "severe renal impairment or end-stage renal disease": a condition that names its own degree is not the one a
# degree word before the pair grades
_OWN_DEGREE_RE = re.compile(r"(?:end[\s-]+stage|complete|high[\s-]+grade|(?:second|third|2nd|3rd)[\s-]+degree|"
                            r"stage\s+(?:[1-5]|I{1,3}|IV|V))\b", re.I)
_LOCAL_BEFORE_RE = re.compile(r"\b(?:site|local(?:i[sz]ed)?)[\s-]*$", re.I)
# an event for the condition ("Admission to hospital for a psychiatric disorder in the past 6 months"): the event, not
# the condition, is the criterion (a rule on the disorder excludes every patient with it)
_EVENT_FOR_BEFORE_RE = re.compile(r"\b(?:admission|admitted|hospitali[sz]ation|hospitali[sz]ed|inpatient\s+(?:stay|care|"
                                  r"treatment)|emergency\s+(?:room|department)\s+visits?)\b[^.;,()]{0,30}?\bfor\s+"
                                  r"(?:an?\s+|the\s+|any\s+)?(?:[\w-]+\s+){0,2}$", re.I)
# an organism's binomial name mid-sentence ("History of Neisseria meningitidis infection"): one infection, not any
_ORGANISM_BEFORE_RE = re.compile(r"(?<=[a-z,(]\s)[A-Z][a-z]{3,}\s+[a-z]{4,}\s*$")

# What a treatment is for or acts on, what something may affect or cause, what to abstain from.
_INDICATION_RE = re.compile(r"(?:acting\s+on|used\s+for|for|to\s+treat|treating|against)\s+(?:[\w'-]+\s+){0,3}$", re.I)
# ("Treatment of spasticity with botulinum toxin in the 4 months": what the drug was given for, its qualifier; not
# "treatment of sleep apnoea with positive airway pressure", where the condition is still asked)
_TREATMENT_OF_RE = re.compile(r"\b(?:treatment|therapy|management)\s+of\s+(?:an?\s+|the\s+)?(?:[\w'-]+\s+){0,2}$", re.I)
_WITH_RE = re.compile(r"\s+with\s+(?:an?\s+|the\s+)?", re.I)
# "Other causes of fatigue found at screening, namely: ...": what the causes listed after the colon explain, not a
# condition of the patient (not "Other causes of optic neuropathy (ischaemic, ...)", the neuropathy itself)
_CAUSES_OF_BEFORE_RE = re.compile(r"\bcauses\s+(?:of|for)\s+(?:the\s+|their\s+)?$", re.I)
_LIST_AFTER_RE = re.compile(r"[^.;()]{0,40}?:")
# "For NMOSD and MOG antibody-associated disease: a positive serum test ...": the people an item is for
_FOR_LABEL_BEFORE_RE = re.compile(r"\s*(?:for|in)\s+(?:(?:patients?|participants?|subjects?|those)\s+with\s+)?[^.;:]{0,60}$",
                                  re.I)
# "Took part in the Fatigue Management Programs for People with MS study": the name of a study
_STUDY_NAME_BEFORE_RE = re.compile(r"\b(?i:took\s+part|taking\s+part|take\s+part|participat\w*|enrol\w*)\s+in\s+(?i:the|an?|"
                                   r"another|any)\s+(?:[A-Z][\w'-]*\s+){0,4}$")
_STUDY_NAME_AFTER_RE = re.compile(r"(?:\s+[A-Za-z][\w'-]*){0,8}?\s+(?:study|trial|programs?|programmes?)\b", re.I)
_TREATMENT_WORD_RE = re.compile(r"treatment|therap|medication|regime|drug|agent|dose|diet", re.I)
# What a vaccine protects against ("live vaccines (including for varicella-zoster virus or measles)").
_VACCINE_FOR_RE = re.compile(r"vaccin\w*[\s(,]*(?:including\s+|e\.?\s?g\.?,?\s+|such\s+as\s+)?(?:for|against)\s+"
                             r"(?:[\w'-]+\s+){0,3}[\w'-]*$", re.I)
# The diseases of a vaccine list ("any live vaccine, including but not limited to varicella zoster, oral polio"): they
# name vaccines.
# (and a list after a colon: "one of the following inactivated vaccines: tetanus, ..., hepatitis A, hepatitis B")
_VACCINE_EXAMPLES_RE = re.compile(r"vaccin\w*[^.;:]{0,20}?(?:including(?:,?\s+but\s+not\s+limited\s+to)?|e\.?\s?g\.?|"
                                  r"such\s+as|:)[\s:,(]*(?:[\w'()-]+[\s,/]+(?:and\s+|or\s+)?){0,14}$", re.I)
# Antibodies to a vaccine-preventable virus are immunity, not the disease ("positive varicella zoster virus (VZV)
# IgG", "negative VZV serology").
_IMMUNITY_TESTED = frozenset({"herpes_zoster", "measles", "mumps", "rubella"})
_TEST_AFTER_RE = re.compile(r"\s*(?:virus\s*)?(?:\([^()]{1,12}\)\s*)?(?:IgG|IgM|antibod\w*|serolog\w*|serostatus|"
                            r"titers?|titres?|immunity)\b", re.I)
# "antibodies to varicella-zoster virus", "immunity against measles": a test of immunity, not the disease
_IMMUNITY_BEFORE_RE = re.compile(r"\b(?:antibod\w*|immunity|IgG|serolog\w*|vaccinat\w*|immuni[sz]\w*)\s+(?:to|against|for)\s+"
                                 r"(?:the\s+)?(?:[\w-]+\s+){0,2}(?:\w+-)?$", re.I)
# "exposure to varicella zoster virus", "close contact with a person with active tuberculosis": not the patient's own
_EXPOSURE_BEFORE_RE = re.compile(r"\b(?:exposure|exposed|contacts?)\s+(?:to|with)\s+(?:(?:an?|the|a\s+person\s+with|"
                                 r"someone\s+with|individuals?\s+with)\s+)?(?:[\w-]+\s+){0,2}$", re.I)
_OBJECT_RE = re.compile(
    r"\b(?:effects?\s+on|influenc\w*|affect(?:s|ing|ed)?|impact\w*(?:\s+on)?|interfer\w*\s+with|"
    r"caus(?:e|es|ed|ing)(?!\s+(?:by|of)\b)|worsen\w*|abstain\w*\s+from|refrain\w*\s+from|acting\s+on)\s+"
    r"(?:[\w'/-]+\s+){0,4}$|"
    # "clinical or MRI features atypical of NMOSD": the disease the features are measured against
    r"\b(?:atypical|not\s+typical|uncharacteristic)\s+(?:of|for)\s+(?:an?\s+|the\s+)?$|"
    # "(new or worsening neurological deficit lasting at least 24 hours, in the absence of fever or infection)": what
    # defines an event, not the patient's condition
    r"\bin\s+the\s+absence\s+of\s+(?:an?\s+|any\s+)?(?:[\w-]+,?\s+(?:or|and)\s+(?:an?\s+)?){0,2}$|"
    # "referred to a physician specializing in TB": the physician's field
    r"\bspeciali[sz](?:ing|es|ed|ts?)\s+(?:in|for)\s+(?:[\w'-]+\s+){0,2}$", re.I)
# A cause of another condition ("spasticity, not due to stroke"): not stated as a condition of its own.
CAUSE_BEFORE_RE = re.compile(r"\b(?:due\s+to|caused\s+by|secondary\s+to|attributable\s+to|attributed\s+to)\s+"
                             r"(?:(?:an?|the|another|other)\s+)?$|"
                             # ("quinidine-induced thrombocytopenia": the cause named before it)
                             # (not "drug-induced hepatic injury", a kind of the condition)
                             r"\b(?!(?:drug|medication|medicine|treatment|therapy|exercise|stress)\b)[A-Za-z][\w]*[\s-]"
                             r"induced\s+$", re.I)
_SCALE_AFTER_RE = re.compile(r"^(?-i:(?:,\s*[A-Z][\w-]*|\s+(?:and|&)\s+[A-Z][\w-]*|\s+[A-Z][\w-]*){1,6}\s+(?:Scale|"
                             r"Inventory|Questionnaire))\b|"
                             # ("the Depression, Anxiety and Stress Scale": a scale's name in title case)
                             r"^[\w\s-]{0,40}?\b(?:scale|subscale|score|questionnaire|inventory|index|measures|"
                             r"equation|formula)\b|"
                             # "eGFR (CKD-EPI)": the equation named by the disease's abbreviation
                             r"^-\s*EPI\b|"
                             # "eligible according to the following tuberculosis (TB) screening criteria:": the topic
                             r"^\)?\s*(?:\([^()]{1,12}\)\s*)?screening\s+(?:criteria|requirements?|procedures?|guidelines?)\b",
                             re.I)
# "HIV protease inhibitors", "hepatitis C antivirals": drugs named after the disease they treat
# ("cancer treatment within the past 12 months": a treatment of the condition, which a malignancy dated earlier may
# still have had; a person reads it)
_DRUG_AFTER_RE = re.compile(r"^[\s-]*(?:protease\s+inhibitors?|integrase\s+inhibitors?|(?:anti-?)?(?:retro)?viral\s+"
                            r"(?:drugs?|medications?|therapy|agents?)|antiretrovirals?|antivirals?|"
                            r"(?:treatments?|therap(?:y|ies))\b(?!\s+(?:with|of|for)\b))\b", re.I)


# --- sentences, list items and parentheses ----------------------------------------------------------------


@dataclass(frozen=True)
class ExampleList:
    """"<general> including / such as / (e.g. ...) <examples>": the region the examples occupy."""

    general: Optional[Entity]
    marker_start: int
    start: int
    end: int
    defines: bool = False  # "cardiac disorder, defined as: ...", "namely": the items are what is meant
    heading: bool = False  # "Any of the following hepatic conditions: ...": a heading, never a condition of its own


def segment_end(text: str, position: int) -> int:
    breaks = _breaks(text, SEGMENT_BREAK_RE)
    at = bisect_right(breaks, (position, -1))
    return breaks[at][0] if at < len(breaks) else len(text)


@lru_cache(maxsize=16)
def _breaks(text: str, pattern: re.Pattern) -> list[tuple[int, int]]:
    """(start, end) of every match of a break pattern, found once per text."""
    return [(m.start(), m.end()) for m in pattern.finditer(text)]


def closing(text: str, open_at: int) -> Optional[int]:
    depth = 0
    for i in range(open_at, min(len(text), open_at + 2000)):  # a parenthesis longer than that never closes here
        if text[i] == "(":
            depth += 1
        elif text[i] == ")":
            depth -= 1
            if depth == 0:
                return i
    return None


def _entry_name(condition_id: str) -> str:
    entry = get_lexicon().get("conditions", condition_id)
    return entry.name if entry else ""


def enclosing_paren(text: str, position: int) -> Optional[int]:
    depth = 0
    for i in range(position - 1, max(-1, position - 400), -1):
        if text[i] == ")":
            depth += 1
        elif text[i] == "(":
            if depth == 0:
                return i
            depth -= 1
    return None


def segment_start(text: str, position: int) -> int:
    breaks = _breaks(text, SEGMENT_BREAK_RE)
    at = bisect_right(breaks, (position, position)) - 1
    while at >= 0 and breaks[at][1] > position:
        at -= 1
    return breaks[at][1] if at >= 0 else 0


# --- qualifiers ---------------------------------------------------------------------------------------

_LOOK_BACK = 300


def qualified(text: str, mention: Entity, entities: list, starts: list[int],
               example_of: Optional[ExampleList]) -> bool:
    if _OWN_JUDGEMENT_RE.search(mention.text) and _OWN_JUDGEMENT_RE.search(_entry_name(mention.id)):
        return True  # "major psychiatric illness", "major amputation" (but "major depression" is a diagnosis)
    low = max(segment_start(text, mention.start), mention.start - _LOOK_BACK)
    flat = _flat(text, low, mention.start, mention.end)
    before = flat[:mention.start - low]
    if _LOCAL_BEFORE_RE.search(before) or _ORGANISM_BEFORE_RE.search(before) or _EVENT_FOR_BEFORE_RE.search(before):
        return True  # "puncture site infections": narrower than the lexicon's condition
    nearby = entities[bisect_right(starts, low - 1):bisect_right(starts, mention.start)]
    others = [e for e in nearby if e is not mention and low <= e.start and e.end <= mention.start
              and flat[e.start - low:e.end - low] == text[e.start:e.end]]
    leading = [q for q in _QUALIFIER_BEFORE_RE.finditer(before)
               if not any(e.start - low <= q.start() < e.end - low for e in others)]
    between = [e for e in others if e.start - low >= leading[-1].end()] if leading else []
    if leading and not (between and _OWN_DEGREE_RE.match(mention.text)) and _governs(before, leading[-1], between, low):
        return True
    if example_of is not None and example_of.marker_start > low:
        # The degree of the general term reaches its examples ("severe cardiovascular disorder, such as ...").
        head_end = example_of.marker_start - low
        degree = [q for q in leading if q.group("degree") and q.end() <= head_end]
        head = [e for e in others if degree and e.start - low >= degree[-1].end() and e.end - low <= head_end]
        if degree and _reaches(before, degree[-1].end(), head_end, head, low, head_only=True):
            return True
    after = text[mention.end:min(segment_end(text, mention.end), mention.end + 200)]
    if _DEGREE_AFTER_RE.match(after):
        return True
    trailing = _QUALIFIER_AFTER_RE.search(after)
    if not trailing or trailing.start() > 60 or NEW_NOUN_PHRASE_RE.search(after[:trailing.start()]):
        return False
    # (a relation set off by a comma after the pair is both's: "a neurological disorder other than MS, or a major
    # medical illness, known to affect cognition")
    if _NEW_CLAUSE_RE.search(after[:trailing.start()]) and not after[:trailing.start()].rstrip().endswith(","):
        return False
    if _item_between(text, mention, entities, starts, mention.end + trailing.start()):
        return False  # "stroke, transient ischaemic attack, heart failure requiring hospitalisation": the failure's
    if trailing.group("degree") and _before_a_term(text, mention.end + trailing.end(), entities, starts):
        return False  # "fungal infection, inadequately treated tuberculosis, ...": the degree of the term after it
    # A relational qualifier after an example belongs to the general term ("illness such as X that could ...").
    return example_of is None or bool(trailing.group("degree"))


def _before_a_term(text: str, position: int, entities: list, starts: list[int]) -> bool:
    """Whether a term starts right after ``position`` (past spaces): a qualifier there modifies it."""
    at = position + len(text[position:]) - len(text[position:].lstrip())
    index = bisect_right(starts, at - 1)
    return index < len(entities) and entities[index].start == at


def _item_between(text: str, mention: Entity, entities: list, starts: list[int], qualifier_at: int) -> bool:
    """Whether a complete term of a comma list stands between a complete term and the relation after them: the
    relation is the nearer item's. (Not across modifiers sharing a head: "heart, lung or kidney disease requiring
    hospitalisation" qualifies all three.)"""
    if not complete_term(mention):
        return False
    for other in entities[bisect_right(starts, mention.end - 1):bisect_right(starts, qualifier_at - 1)]:
        if other is not mention and other.start >= mention.end and other.end <= qualifier_at \
                and "," in text[mention.end:other.start] and complete_term(other):
            return True
    return False


def complete_term(entity: Entity) -> bool:
    """Whether the entity's words are a term of its own entry (not a modifier read with a shared head)."""
    found = get_lexicon().lookup("conditions", entity.text, fuzzy=False)
    return found is not None and found.entry.id == entity.id


def _flat(text: str, low: int, position: int, end: int) -> str:
    """``text[low:end]`` with the parentheses not enclosing ``position`` blanked out and the enclosing ones
    opened: "bleeding disorder (e.g., haemophilia)" reads on into its examples."""
    chars = list(text[low:end])
    stack = []
    for i, ch in enumerate(chars):
        if ch == "(":
            stack.append(i)
        elif ch == ")" and stack:
            opened = stack.pop()
            for j in range(opened, i + 1):
                chars[j] = " "
    for opened in stack:  # still open at the mention: it encloses the mention
        chars[opened] = " "
    return "".join(chars)


def _governs(before: str, qualifier: re.Match, others: list, low: int) -> bool:
    """Whether the qualifier reaches the mention at the end of ``before`` across what lies between."""
    gap_start = qualifier.end()
    marker = EXAMPLES_RE.search(before, gap_start)
    if marker:  # the qualifier stands on the general term: its degree reaches the examples
        if qualifier.group("relational"):
            return False
        head = [e for e in others if e.end - low <= marker.start()]
        return _reaches(before, gap_start, marker.start(), head, low, head_only=True)
    return _reaches(before, gap_start, len(before), others, low, head_only=False)


def _reaches(flat: str, start: int, end: int, others: list, low: int, head_only: bool) -> bool:
    if NEW_NOUN_PHRASE_RE.search(flat, start, end):
        return False  # "abnormal ECG or history of HIV": a new noun phrase the qualifier does not reach
    if not others:  # across a comma only bare modifiers: "serious cardiac, pulmonary ... disease"
        # ("severe renal impairment (eGFR < 30) or cirrhosis": a noun phrase of its own before the "or")
        gap = flat[start:end]
        return _modifier_list(gap) or not re.sub(r"[\s,]|\b(?:or|and)\b", "", gap, flags=re.I) \
            if re.search(r",|\b(?:or|and)\b", gap, re.I) else len(gap.split()) <= 6
    first = flat[start:others[0].start - low]
    if not (len(first.split()) <= 3 and "," not in first) and not _modifier_list(first):
        return False
    for a, b in zip(others, others[1:]):
        if not _coordinated(a, flat[a.end - low:b.start - low]):
            return False
    tail = flat[others[-1].end - low:end]
    if head_only:
        return len(tail.split()) <= 6 and not re.search(r"\b(?:or|and)\b", tail, re.I)
    return _coordinated(others[-1], tail)


def _coordinated(mention, gap: str) -> bool:
    """"or", "and", "/" join two mentions; a comma does too after a bare modifier whose head is elided ("renal,
    hepatic or cardiac disease"), not after a condition of its own ("uncontrolled psoriasis, HIV")."""
    if _COORDINATION_RE.fullmatch(gap):
        return True
    bare = len(mention.text.split()) == 1 and get_lexicon().lookup("conditions", mention.text, fuzzy=False) is None
    return bare and _COORDINATION_RE.fullmatch(gap.replace(",", " ")) is not None


def _modifier_list(gap: str) -> bool:
    """"cardiac, pulmonary, renal, ... or": bare modifiers sharing the head that follows."""
    items = [i.strip() for i in re.split(r",|\band/or\b|\bor\b|\band\b|/", gap, flags=re.I)]
    items = [i for i in items if i]
    return bool(items) and all(len(i.split()) == 1 for i in items)


# "No previous history of optic neuritis ... in the other eye": a condition of one eye, which the record does not hold
_ONE_EYE_AFTER_RE = re.compile(r"[^.;]{0,80}?\bin\s+(?:the\s+)?(?:other|fellow|contralateral|affected|unaffected|same|"
                               r"study|index|opposite|non-?affected|qualifying)\s+eyes?\b", re.I)
# (not both: "in the affected or in the fellow eye" is either eye)
EITHER_EYE_RE = re.compile(r"[^.;]{0,80}?(?P<eyes>\bin\s+(?:the\s+)?(?:affected|study|index|qualifying)\s+(?:eye\s+)?or\s+"
                           r"(?:in\s+)?(?:the\s+)?(?:other|fellow|contralateral|non-?affected|unaffected)\s+eyes?\b)", re.I)
# "Symptoms of optic neuritis already improving": the course of the condition the trial treats, not a comorbidity
_SYMPTOMS_OF_RE = re.compile(r"\bsymptoms?\s+(?:of|from)\s+(?:the\s+)?(?:current\s+|acute\s+)?$", re.I)
_COURSE_AFTER_RE = re.compile(r"\s+(?:(?:are|is|were|was|have|has)\s+)?(?:already\s+)?(?:improving|improved|resolving|"
                              r"resolved|worsening|stabili[sz]\w+)\b", re.I)


_DRUG_FOR_RE = re.compile(r"\s+(?:for|to\s+treat|used\s+for|against)\s+(?:[\w'-]+\s+){0,3}", re.I)


# "a known hereditary or acquired predisposition to thrombosis": a risk of the condition, not the condition
# (and "to interrupt natalizumab because of the risk of PML", "conditions which increase the risk of opportunistic
# infections")
_PREDISPOSITION_RE = re.compile(r"(?:\b(?:predispos\w+|susceptib\w+|propensity|tendency)\s+(?:to|for)|\brisks?\s+(?:of|for))"
                                r"\s+(?:[\w-]+\s+){0,3}$", re.I)
# "Overweight or obesity, defined as a body mass index (BMI) of 25.0 to 50.0": the condition is the measure, which no
# rule family reads (a person's check; the condition alone would turn away the overweight the text admits)
DEFINED_BY_MEASURE_RE = re.compile(r"\s*(?:,\s*|\(\s*)(?:(?:(?:defined|as\s+defined)\s+(?:as|by)|i\.\s?e\.,?)\s+|"
                                    r"(?<=\()\s*)(?:an?\s+|the\s+)?"
                                    r"(?:BMI|body\s+mass\s+index|(?:systolic\s+|diastolic\s+)?blood\s+pressure|waist|"
                                    r"apn(?:o)?ea[\s-]+hypopn(?:o)?ea\s+index|AHI|"
                                    # ("Alcohol abuse (more than 21 units per week on average)": a consumption)
                                    r"(?:(?:more|greater)\s+than|over|above|>|≥|at\s+least)\s*\d+\s*(?:units?|drinks?|"
                                    r"glasses|standard\s+drinks?)(?:\s+of\s+alcohol)?\s+(?:per|a|/)\s*(?:day|week))\b", re.I)


# A condition a score or grade defines: "Fatigue confirmed by a result of at least 36 points in the FSS", "Low mood or
# anxiety: a score of 8 or above on the HADS", "Spasticity of the medial gastrocnemius of grade 1+ or more in the
# Modified Ashworth Scale": the scale decides, which the record does not hold (a person)
SCORE_DEFINED_RE = re.compile(r"(?:\s+(?:of|in)\s+(?:the\s+)?(?:[\w-]+\s+){0,2}?[\w-]+?(?=\s+of\s+grade))?\s*[:,]?\s*"
                              r"(?:(?:confirmed|defined|documented|measured|assessed|quantified|shown)\s+(?:by|as|with|on)\s+)?"
                              r"(?:an?\s+|the\s+)?(?:(?:total\s+)?(?:score|result)\s+(?:of\s+)?(?:at\s+least\s+|≥\s*|>=\s*)?\d|"
                              r"(?:of\s+)?grade\s+\d)", re.I)


_PAREN_FOR_RE = re.compile(r"\s*(?:e\.\s?g\.,?|for\s+example,?|such\s+as)\s+for\s+(?:[\w'-]+\s+){0,2}", re.I)


def not_conditions(text: str, mentions: list, drugs: tuple = ()) -> set:
    """Mentions that name what a treatment is for, what something acts on or may affect, a scale: with the
    mentions coordinated with them ("acting on spasticity or fatigue", "methotrexate for rheumatoid arthritis")."""
    out = set()
    previous = None
    for m in mentions:
        before = text[context.clause_start(text, m.start):m.start]
        paren = enclosing_paren(text, m.start)
        # ("a special diet prescribed by a physician (e.g., for celiac disease ...)": the treatment before its parenthesis)
        treated = _TREATMENT_WORD_RE.search(before) or (
            paren is not None and _TREATMENT_WORD_RE.search(text, max(0, paren - 50), paren)
            and _PAREN_FOR_RE.fullmatch(text, paren + 1, m.start))
        if (_INDICATION_RE.search(before[-40:]) and treated) or \
                any(d.end <= m.start and _DRUG_FOR_RE.fullmatch(text, d.end, m.start) for d in drugs) or \
                (_STUDY_NAME_BEFORE_RE.search(before[-60:]) and _STUDY_NAME_AFTER_RE.match(text, m.end)) or \
                (_CAUSES_OF_BEFORE_RE.search(before[-30:]) and _LIST_AFTER_RE.match(text, m.end)) or \
                (_FOR_LABEL_BEFORE_RE.match(text[:m.start]) and _LIST_AFTER_RE.match(text, m.end)) or \
                (_TREATMENT_OF_RE.search(before[-50:]) and any(
                    _WITH_RE.fullmatch(text, m.end, d.start) for d in drugs if d.start > m.end)) or \
                _OBJECT_RE.search(before[-60:]) or _SCALE_AFTER_RE.match(text[m.end:]) or _DRUG_AFTER_RE.match(text[m.end:]) or \
                _VACCINE_FOR_RE.search(text[max(0, m.start - 60):m.start]) or \
                _VACCINE_EXAMPLES_RE.search(text[max(0, m.start - 200):m.start]) or \
                (m.id in _IMMUNITY_TESTED and (_TEST_AFTER_RE.match(text, m.end) or _IMMUNITY_BEFORE_RE.search(before[-60:]))) or \
                _EXPOSURE_BEFORE_RE.search(before[-60:]) or DEFINED_BY_MEASURE_RE.match(text, m.end) or \
                SCORE_DEFINED_RE.match(text, m.end) or \
                _PREDISPOSITION_RE.search(before[-60:]) or \
                CAUSE_BEFORE_RE.search(before[-40:]) or (_ONE_EYE_AFTER_RE.match(text, m.end) and not EITHER_EYE_RE.match(text, m.end)) or \
                (_SYMPTOMS_OF_RE.search(before[-30:]) and _COURSE_AFTER_RE.match(text, m.end)) or \
                (previous in out and _COORDINATION_RE.fullmatch(text[previous.end:m.start].replace(",", " "))) or \
                (previous in out and previous.id == m.id and re.fullmatch(r"\s*\(\s*", text[previous.end:m.start])):
            # (the abbreviation restating it: "the risk of progressive multifocal leukoencephalopathy (PML)")
            out.add(m)
        previous = m
    return out


def item_end(text: str, position: int) -> int:
    breaks = _breaks(text, _ITEM_BREAK_RE)
    at = bisect_right(breaks, (position, -1))
    return breaks[at][0] if at < len(breaks) else len(text)


# A time counted from a visit of another study, which the record cannot date: "since the last dose in the parent
# study", "between the end of the core study and the extension baseline visit", "since the start of the core study"
SINCE_STUDY_EVENT_RE = re.compile(
    # ("... since their last parent-study dose")
    r"\b(?:since|after|following)\s+(?:the\s+|their\s+)?last\s+(?:core|parent|feeder|previous|prior|originating)"
    r"[\s-]+(?:study|trial)\s+(?:dose|visit|infusion|administration)\b|"
    r"\b(?:since|after|following|between)\s+(?:the\s+)?(?:end|completion|start|beginning|last\s+(?:visit|dose|infusion|"
    r"administration)|"
    r"termination|discontinuation|final\s+visit)\s+(?:of\s+|in\s+)?(?:the\s+|their\s+)?(?:study\s+(?:drug|treatment)\s+in\s+"
    r"the\s+)?(?:core|parent|previous|prior|feeder|lead[\s-]in|double[\s-]blind|originating|antecedent|preceding|main|"
    r"pivotal)[\s-]+(?:study|trial|phase|period|part)\b(?:\s+(?:and|until)\s+(?:the\s+)?(?:(?:extension|study)\s+)?"
    r"(?:day\s*1|baseline|screening|enrol\w*|randomi[sz]ation|first\s+dose)\b(?:\s+visit\b)?)?|"
    # ("since the last dose of study treatment in Study 109MS202": the other study named by its code)
    r"\b(?:since|after|following)\s+(?:the\s+|their\s+)?last\s+(?:dose|visit|infusion|administration)\s+(?:of\s+(?:the\s+)?"
    r"study\s+(?:drug|treatment|medication)\s+)?in\s+(?:the\s+)?(?:study|trial)\s+[A-Z0-9][\w-]*\d[\w-]*", re.I)
