"""Clinical state: lab thresholds, pregnancy, contraception, conditions with exceptions, weight."""

from __future__ import annotations

import re

from ...models.rules import ConditionRule, ContraceptionRule, LabRule, PregnancyRule, WeightRule
from ...lexicon import get_lexicon
from .. import context
from ..context import Context
from ..nlp import Entity
from ..quantities import COMPARATOR_RE, NUM, comparator_of, find_windows, number, range_from

# A threshold stated on a condition ("thrombocytopenia (<50 G/L)") is a threshold on this lab.
CONDITION_LABS = {"thrombocytopenia": "platelets", "renal_failure": "egfr", "renal_impairment": "egfr",
                  "anaemia": "haemoglobin", "anemia": "haemoglobin", "lymphopenia": "lymphocytes",
                  "neutropenia": "neutrophils", "leukopenia": "white_blood_cells"}
_UNIT = r"(?P<unit>(?:[a-zµμ%/^·*.\d]+?\s*/\s*1[.,]73\s*m(?:2|²)?)|(?:[a-zµμ%/^·*.\d]+)|(?:x\s*10\^?\d+\s*/\s*[lL]))"
_THRESHOLD_RE = re.compile(
    rf"(?P<cmp>{COMPARATOR_RE})\s*(?P<value>\d+(?:[.,]\d+)?)\s*{_UNIT}?|"
    rf"(?P<value2>\d+(?:[.,]\d+)?)\s*{_UNIT.replace('unit', 'unit2')}?\s*(?P<post>or\s+(?:higher|more|greater|above|"
    rf"less|lower|below))", re.I)


def extract_labs(ctx: Context) -> list:
    rules = []
    anchors = [(e, e.id) for e in ctx.entities_of("LAB")]
    anchors += [(e, CONDITION_LABS[e.id]) for e in ctx.entities_of("CONDITION") if e.id in CONDITION_LABS]
    for entity, test in sorted(anchors, key=lambda a: a[0].start):
        tail = ctx.text[entity.end:entity.end + 60]
        match = _THRESHOLD_RE.search(tail)
        if not match or re.search(r"[;]", tail[:match.start()]):
            continue
        if any(entity.end <= other.start < entity.end + match.start() for other, _ in anchors if other is not entity):
            continue  # "kidney dysfunction or creatinine > 1.4": the threshold belongs to the nearer lab
        if match.group("cmp"):
            comparator = comparator_of(match.group("cmp"))
            value, unit = match.group("value"), match.group("unit")
        else:
            post = match.group("post").lower()
            comparator = ">=" if any(w in post for w in ("higher", "more", "greater", "above")) else "<="
            value, unit = match.group("value2"), match.group("unit2")
        if comparator is None:
            continue
        unit = get_lexicon().canonical_unit(test, _clean_unit(unit))
        polarity = ctx.base_polarity(entity.start)
        rules.append(LabRule(polarity=polarity, test=test, comparator=comparator, value=number(value), unit=unit))
        ctx.consume(entity.start, entity.end)
        ctx.consume(entity.end + match.start(), entity.end + match.end())
    return rules


def _clean_unit(unit) -> str | None:
    if not unit:
        return None
    unit = unit.strip().rstrip(".,)")
    if not unit or unit.lower() in ("or", "and", "at", "in", "on"):
        return None
    return re.sub(r"\s+", "", unit).replace("²", "2").replace("μ", "µ")


_PREGNANT_RE = re.compile(r"\bpregnan(?:t|cy)\b", re.I)
_BREASTFEEDING_RE = re.compile(r"breast[\s-]*feeding|lactat\w+|\bnursing\b", re.I)
_PREGNANCY_TEST_RE = re.compile(r"pregnancy\s+test|tested\s+for\s+pregnancy|plann\w+\s+(?:to\s+become\s+)?pregnan|"
                                r"intend\w*\s+to\s+become\s+pregnant|become\s+pregnant|risk\s+(?:of|or)\s+pregnancy", re.I)
_NEGATIVE_TEST_RE = re.compile(r"negative\s+(?:\w+\s+){0,2}pregnancy\s+test", re.I)


def extract_pregnancy(ctx: Context) -> list:
    pregnant = [m for m in _PREGNANT_RE.finditer(ctx.text)
                if not any(t.start() <= m.start() < t.end() for t in _PREGNANCY_TEST_RE.finditer(ctx.text))]
    feeding = list(_BREASTFEEDING_RE.finditer(ctx.text))
    negative_test = _NEGATIVE_TEST_RE.search(ctx.text)
    if negative_test and not pregnant:
        # "must have a negative pregnancy test": not pregnant, whichever list it stands in
        ctx.consume(negative_test.start(), negative_test.end())
        return [PregnancyRule(polarity="exclude", pregnant=True, breastfeeding=bool(feeding))]
    if not pregnant and not feeding:
        return []
    first = min([m.start() for m in pregnant + feeding])
    for m in pregnant + feeding:
        ctx.consume(m.start(), m.end())
    return [PregnancyRule(polarity=ctx.base_polarity(first), pregnant=bool(pregnant), breastfeeding=bool(feeding))]


_CONTRACEPTION_RE = re.compile(r"contracept\w*|birth[\s-]+control|method\s+of\s+birth\b", re.I)
_CHILDBEARING_RE = re.compile(r"child[\s-]*bearing\s+(?:potential|age)|\bWOCBP\b|\bfertile\b|"
                              r"(?:women|females?)\s+(?:of|with)\s+reproductive|menstruat\w+", re.I)


def extract_contraception(ctx: Context) -> list:
    match = _CONTRACEPTION_RE.search(ctx.text)
    if not match:
        return []
    ctx.consume(match.start(), match.end())
    for m in _CHILDBEARING_RE.finditer(ctx.text):
        ctx.consume(m.start(), m.end())
    for m in re.finditer(r"\b(?:effective|highly|adequate|reliable|acceptable|method|use|practi[cs]e|during|study)\b",
                         ctx.text, re.I):
        ctx.consume(m.start(), m.end())
    # Trials ask for contraception in both lists: "must agree to use ..." (inclusion), "unwilling to use ...",
    # "not using ...", "wish to parent children (contraception was required)" (exclusion). Only taking a
    # contraceptive *drug* as an exclusion ("use of hormonal contraceptives") is the reverse.
    if ctx.section == "exclusion" and _CONTRACEPTIVE_DRUG_RE.search(ctx.text) and not ctx.negated(match.start()):
        return [ContraceptionRule(polarity="exclude")]
    return [ContraceptionRule(polarity="require")]


_CONTRACEPTIVE_DRUG_RE = re.compile(r"(?:use|taking|intake|treatment)\s+(?:of|with)\s+(?:oral|hormonal)\s+contracepti", re.I)


_QUALIFIER_RE = re.compile(r"\b(?:clinically\s+(?:significant|relevant|important)|significant(?:ly)?|severe(?:ly)?|"
                           r"major|uncontrolled|not\s+(?:adequately\s+|well\s+)?controlled|poorly\s+controlled|"
                           r"unstable|serious|relevant|moderate(?:ly)?|impaired|abnormal\w*|may\s+mimic|"
                           r"could\s+(?:have\s+)?cause\w*|that\s+(?:may|might|could|would))\b", re.I)
_HISTORY_RE = re.compile(r"\bhistory\b|\bprevious(?:ly)?\b|\bprior\b|\bever\b|\bpast\b|\bpre-?existing\b|\bearlier\b", re.I)
# Allergies and hypersensitivities are lifelong: a bare mention means "ever", not "now".
_LIFELONG_RE = re.compile(r"allerg|hypersensitiv|sensitive\s+to|anaphyla", re.I)
_CURRENT_RE = re.compile(r"\bactive\b|\bcurrent(?:ly)?\b|\bpresence\b|\bongoing\b|\bconcomitant\b|\bpositive\b", re.I)
_FAMILY_RE = re.compile(r"\bfamily\b|\brelatives?\b|\bpartner\b", re.I)


def extract_conditions(ctx: Context) -> list:
    mentions = [e for e in ctx.entities_of("CONDITION") + _serology(ctx)
                if not any(s <= e.start < en for s, en in ctx.consumed)]
    mentions.sort(key=lambda e: e.start)
    if not mentions:
        return []
    exception = context.exception_start(ctx.text)
    included = [m for m in mentions if exception is None or m.start < exception]
    excepted = [m for m in mentions if exception is not None and m.start >= exception]
    trigger = context.exception_trigger(ctx.text)
    if trigger and _MS_RE.match(ctx.text, trigger.end()):  # "autoimmune disease other than MS"
        excepted.append(Entity("CONDITION", "multiple_sclerosis", "MS", trigger.start(), trigger.start()))
    # The trial's own disease is not a comorbidity ("spasticity due to multiple sclerosis").
    included = _specific([m for m in included if m.id != "multiple_sclerosis"], ctx.text)
    # A condition qualified by judgement ("clinically significant", "severe", "uncontrolled") is not a rule,
    # nor is one named as what a treatment is for or as the name of a scale ("Fatigue Severity Scale").
    confident = [m for m in included if not _qualified(ctx.text, m.start) and not _not_a_condition(ctx.text, m)]
    if not confident:
        return []
    if _FAMILY_RE.search(ctx.text[:confident[0].start]):
        return []  # family history is not the patient's condition
    prefix = ctx.text[:confident[0].start]
    windows = [w for w in find_windows(ctx.text) if not any(s <= w.start < e for s, e in ctx.consumed)]
    # A look-back window states the timing itself: "infection within the last month" counts a resolved one.
    timing = "any" if windows else _timing(ctx.text)
    for m in confident + excepted:
        ctx.consume(m.start, m.end)
    window = windows[0] if windows else None
    if window:
        ctx.consume(window.start, window.end)
    for m in list(_HISTORY_RE.finditer(prefix)) + list(_CURRENT_RE.finditer(prefix)):
        ctx.consume(m.start(), m.end())
    return [ConditionRule(polarity=ctx.base_polarity(confident[0].start, window),
                          conditions=get_lexicon().minimal_conditions(m.id for m in confident),
                          exceptions=get_lexicon().minimal_conditions(m.id for m in excepted),
                          timing=timing, window=window.window if window else None)]


def _serology(ctx: Context) -> list:
    """A positive qualitative test ("positive HIV serological test", "positive syphilis (RPR) test") is the
    condition it indicates (``indicates`` in labs.jsonl)."""
    lexicon = get_lexicon()
    out = []
    for e in ctx.entities_of("LAB"):
        entry = lexicon.get("labs", e.id)
        condition = entry.data.get("indicates") if entry else None
        if condition and not re.search(r"\bnegative\b", ctx.text[max(0, e.start - 40):e.end + 20], re.I):
            out.append(Entity("CONDITION", condition, e.text, e.start, e.end))
    return out


_MS_RE = re.compile(r"\s*(?:MS|multiple\s+sclerosis)\b", re.I)


def _specific(mentions: list, text: str) -> list:
    """"Congestive heart failure (NYHA III or IV)": the parenthesis narrows the condition before it to the
    subtypes it names, so the broader condition is dropped."""
    lexicon = get_lexicon()
    keep = []
    for m in mentions:
        paren = re.match(r"\s*\(([^()]*)\)", text[m.end:])
        if paren and re.match(r"\s*(?:e\.?\s*g\b|for\s+example|such\s+as|including)", paren.group(1), re.I):
            paren = None  # "(e.g., hepatitis B or C, HIV)" gives examples, it does not narrow
        narrowed = paren and any(
            m.end + paren.start(1) <= o.start < m.end + paren.end(1) and m.id in lexicon.condition_ancestors(o.id) - {o.id}
            for o in mentions)
        if not narrowed:
            keep.append(m)
    return keep


def _timing(text: str) -> str:
    """"History of X", "previous X" (ever: now or in the past) -> any; "active X", "current X" -> current; a
    bare "X" as a criterion means the patient has X now -> current, except lifelong allergies -> any."""
    if _HISTORY_RE.search(text) or _LIFELONG_RE.search(text):
        return "any"
    return "current"


_INDICATION_RE = re.compile(r"(?:acting\s+on|used\s+for|for|to\s+treat|treating|against)\s+(?:the\s+)?(?:\w+\s+)?$", re.I)
_TREATMENT_WORD_RE = re.compile(r"treatment|therap|medication|regime|drug|agent|dose", re.I)
_SCALE_AFTER_RE = re.compile(r"^[\w\s-]{0,25}?\b(?:scale|subscale|score|questionnaire|inventory|index)\b", re.I)


def _not_a_condition(text: str, mention) -> bool:
    before = text[context.clause_start(text, mention.start):mention.start]
    if _INDICATION_RE.search(before[-30:]) and _TREATMENT_WORD_RE.search(before):
        return True
    return bool(_SCALE_AFTER_RE.match(text[mention.end:]))


def _qualified(text: str, position: int) -> bool:
    clause = text[context.clause_start(text, position):position]
    return bool(_QUALIFIER_RE.search(clause[-60:])) or bool(_QUALIFIER_RE.match(text[position:], 0)) or bool(
        re.match(r"[^,;.]{0,40}?\b(?:that|which)\s+(?:may|might|could|would|(?:are|is)\s+not\s+(?:adequately\s+|well\s+)?"
                 r"controlled)", text[position:], re.I))


_WEIGHT_RE = re.compile(rf"(?:body\s+)?weight\s*(?:of\s*)?(?P<cmp>{COMPARATOR_RE})\s*(?P<value>{NUM})\s*kg", re.I)


def extract_weight(ctx: Context) -> list:
    match = _WEIGHT_RE.search(ctx.text)
    if not match:
        return []
    comparator = comparator_of(match.group("cmp"))
    if comparator is None:
        return []
    ctx.consume(match.start(), match.end())
    return [WeightRule(polarity=ctx.base_polarity(match.start()), kg=range_from(comparator, number(match.group("value"))))]
