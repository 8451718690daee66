"""Lab thresholds: absolute ("creatinine > 1.4 mg/dL", "platelets < 100,000/µL") and relative to the limits of
normal ("ALT > 2 x ULN", "bilirubin ≤ local upper limit of normal", "normal AST", "TSH > 20% above the upper limit
of normal", "lymphocyte count below the LLN"), the latter with the unit ``xULN`` or ``xLLN`` (multiples of the
patient's reference limit)."""

from __future__ import annotations

import re
from typing import Optional

from ...lexicon import get_lexicon
from ...models.rules import LLN_UNIT, ULN_UNIT, Applicability, ConditionRule, GroupRule, LabRule
from .. import context
from ..context import Context
from ..quantities import COMPARATOR_RE, NUM, comparator_of, number
from ..nlp import kinds_listed_after
from .condition_wording import SEGMENT_BREAK_RE, closing

# A threshold stated on a condition ("thrombocytopenia (<50 G/L)") is a threshold on this lab.
CONDITION_LABS = {"thrombocytopenia": "platelets", "renal_failure": "egfr", "renal_impairment": "egfr",
                  "anaemia": "haemoglobin", "anemia": "haemoglobin", "lymphopenia": "lymphocytes",
                  "neutropenia": "neutrophils", "leukopenia": "white_blood_cells"}
# "per µL" and "x 10^9/L" before the plain run of unit characters, which would stop at "per" or at the "x" of
# the multiplication.
_UNIT = r"(?P<unit>(?:per\s+(?:[µμun]|mc)?[lL]\b|per\s+mm[3³]|per\s+micro-?lit(?:er|re)\b|per\s+cubic\s+millimet(?:er|re)\b)|" \
        r"(?:[x×]\s*10\s*(?:\^|\*|[eE])?\s*[\d⁹¹²³⁶]+\s*/\s*(?:[lL]|[µμu]L|mcL|mm[3³]))|" \
        r"(?:[a-zµμ%/^·*.\d]+?\s*/\s*1[.,]73\s*m(?:2|²)?)|(?:[a-zµμ%/^·*.\d²³]+))"
# "150,000", "150 000" (a space, thin or no-break, between thousands), "1.5", "1,5".
_VALUE = r"\d{1,3}(?:[,\u00a0\u202f ]\d{3})+(?![.,\d])|\d+(?:[.,]\d+)?"
_THRESHOLD_RE = re.compile(
    rf"(?P<cmp>{COMPARATOR_RE})\s*(?P<value>{_VALUE})\s*{_UNIT}?|"
    rf"(?P<value2>{_VALUE})\s*{_UNIT.replace('unit', 'unit2')}?(?:\s*\([^()]{{0,30}}\))?\s*"  # "8% (64 mmol/mol)"
    rf"(?P<post>or\s+(?:higher|more|greater|above|"
    rf"less|lower|below))", re.I)

# "the age-adjusted lower limit of normal", "the age- and sex-specific ULN": the laboratory's own reference
_REFERENCE_OF = r"(?:(?:age|sex|gender)(?:[\s-]+and[\s-]+(?:age|sex|gender))?[\s-]+" \
                r"(?:adjusted|appropriate|specific|related|matched)\s+)?"
_LIMIT_OF = r"(?:the\s+)?(?:local\s+|institutional\s+|laboratory\s+|lab\s+)?" + _REFERENCE_OF
# ("SGOT no greater than 2 times normal": the old registry's word for the upper limit, after a multiple)
# ("the upper limit of the reference range", "the upper reference limit", "the upper normal value": the laboratory's
# normal range by other names)
_LIMIT_NAME = r"limit\s+of\s+(?:the\s+)?(?:normal(?:\s+range)?|reference\s+(?:range|interval))|(?:normal|reference)\s+(?:limit|value)"
_ULN = _LIMIT_OF + r"(?:\bULN\b|upper\s+(?:" + _LIMIT_NAME + r")|" \
                   r"(?<=times\s)normal\b|(?<=x\s)normal\b)"
_LLN = _LIMIT_OF + r"(?:\bLLN\b|lower\s+(?:" + _LIMIT_NAME + r"))"
# ("2.5 times or more the upper limit": the comparison said between the multiple and the limit)
_MULTIPLE = r"(?P<mult>twice|thrice|" + NUM + r")\s*(?:x|×|\*|times|-?fold)?" \
            r"(?:\s+(?P<mid>or\s+(?:more|greater|higher|above|less|lower|below))(?:\s+than)?)?"
# "> 2 x ULN", "≥ 3 times the upper limit of normal", "≤ local upper limit of normal", "2x ULN", "above the ULN"
_ULN_RE = re.compile(
    rf"(?:(?P<pct_cmp>{COMPARATOR_RE})\s*)?(?P<pct>{NUM})\s*%\s*(?:above|over|greater\s+than|higher\s+than)\s+{_ULN}|"
    rf"(?:(?P<cmp>{COMPARATOR_RE})\s*)?(?:{_MULTIPLE}\s*)?(?:(?P<lln>{_LLN})|{_ULN})"
    rf"(?P<post>\s+or\s+(?:higher|more|greater|above|less|lower|below))?", re.I)
# "normal AST (SGOT) ALT (SGPT)", "normal serum creatinine": a normal value, i.e. at most the upper limit.
_NORMAL_BEFORE_RE = re.compile(r"\b(?:normal|within\s+normal\s+limits?\s+(?:for|of))\s+(?:serum\s+|total\s+|plasma\s+)?$",
                               re.I)
# ("TSH and free thyroxine (free T4) within the normal reference range": past a test the lexicon does not know)
_NORMAL_AFTER_RE = re.compile(r"^(?:\s*\([^()]{1,20}\))?(?:\s+(?:and|or)\s+(?:[\w-]+\s+){0,3}?[\w-]+(?:\s*\([^()]{1,20}\))?)?"
                              r"\s*(?:levels?\s+|values?\s+|counts?\s+)?(?:(?:is|are|must\s+be|should\s+be)\s+)?"
                              r"(?P<normal>within\s+(?:the\s+)?(?:(?:normal|reference|laboratory)\s+){1,2}(?:limits?|ranges?|values?)"
                              r"(?:\s+(?:of|at|for)\s+the\s+(?:local\s+|central\s+|site'?s?\s+)?laborator(?:y|ies))?|"
                              r"normal\b)", re.I)
# Between labs of one list: separators, and items the lexicon does not know ("CD4+ T-cell count, CD8+ T-cell
# count, CD19+ B-cell count or ... below the LLN": CD8 stays in the residue, CD4 still takes the bound).
# (One parse only: an item's words are whole and are not "and"/"or", so a long gap fails in linear time.)
_ITEM_WORD = r"(?!(?:and|or)\b)[\w+-]+"
_LAB_LIST_GAP_RE = re.compile(rf"^[\s,/()]*(?:{_ITEM_WORD}(?:\s+{_ITEM_WORD}){{0,3}}\s*(?:,|\bor\b|\band\b)\s*)*"
                              r"(?:and\s+|or\s+|and/or\s+)?[\s(]*$", re.I)


# a negative result offered beside a bound: "antibody negative, or ... index < 0.9"
_NEGATIVE_OR_RE = re.compile(r"\s*(?:negative|seronegative|not\s+detected|undetectable)\s*,?\s*(?:or|and/or)\b", re.I)
_CORRECTED_FOR_RE = re.compile(r"\b(?:corrected|adjusted|normali[sz]ed|standardi[sz]ed)\s+(?:for|to|by)\s+(?:the\s+)?$", re.I)


_CONCESSION_RE = re.compile(r"\beven\s+(?:if|when|though|with)\b|\bregardless\s+of\b|\birrespective\s+of\b", re.I)


_GLOSS_OPEN_RE = re.compile(r"\(\s*(?:calculated\s+(?:by|with|using)\s+|by\s+|using\s+|per\s+)?(?:the\s+)?$", re.I)


def extract_labs(ctx: Context) -> list:
    found: dict = {}
    several: dict = {}  # a lab with one bound per sex, or bounds on both sides: its two rules
    # ("DLCO below 60% of predicted (corrected for haemoglobin)": the lab another value is corrected for is no bound)
    anchors = [(e, e.id) for e in ctx.entities_of("LAB") if not _CORRECTED_FOR_RE.search(ctx.text, max(0, e.start - 30),
                                                                                         e.start)]
    anchors += [(e, CONDITION_LABS[e.id]) for e in ctx.entities_of("CONDITION") if e.id in CONDITION_LABS]
    anchors.sort(key=lambda a: a[0].start)
    normal_run = _normal_runs(ctx, anchors)
    for index, (entity, test) in enumerate(anchors):
        # (a parenthesis of its own that lets some in leaves the bounds outside it: "total bilirubin above the ULN
        # (participants with Gilbert's syndrome may be included if direct bilirubin is normal)"; a person reads it)
        if ctx.section == "exclusion" and _LETS_IN_RE.search(_outside_other_parentheses(ctx.text, entity.start)):
            continue  # "patients with Gilbert's syndrome may be enrolled if direct bilirubin is within normal limits"
        concession = _CONCESSION_RE.search(ctx.text, max(0, entity.start - 80), entity.start)
        if concession and not re.search(r"[.;]", ctx.text[concession.end():entity.start]):
            # "History of hypothyroidism, even if currently treated and with a normal TSH": what does not lift the
            # exclusion, no bound of its own (read, it required a normal TSH)
            stop = SEGMENT_BREAK_RE.search(ctx.text, entity.end)
            ctx.consume(concession.start(), stop.start() if stop else len(ctx.text))
            continue
        tail = ctx.text[entity.end:entity.end + 80]
        following = next(((other, other_test) for other, other_test in anchors[index + 1:index + 4]
                          if other.start >= entity.end), None)
        relative = _relative_threshold(tail)
        match = _THRESHOLD_RE.search(tail[:60])
        if relative and (not match or relative[2] <= match.start() or _overlaps(relative[2:4], match.span())) and not (
                following and following[0].start < entity.end + relative[2] and test != following[1]):
            comparator, value, start, end, unit = relative
            found[entity] = LabRule(polarity=ctx.base_polarity(entity.start), test=test, comparator=comparator,
                                    value=value, unit=unit)
            ctx.consume(entity.start, entity.end)
            ctx.consume(entity.end + start, entity.end + end)
            continue
        if entity in normal_run:
            start, end = normal_run[entity]
            upper = LabRule(polarity="require", test=test, comparator="<=", value=1, unit=ULN_UNIT)
            ctx.consume(entity.start, entity.end)
            ctx.consume(start, end)
            if _WITHIN_RANGE_RE.search(ctx.text, start, end):
                # "within the normal range", "within normal limits": both limits ("normal AST": not above the upper)
                lower = LabRule(polarity="require", test=test, comparator=">=", value=1, unit=LLN_UNIT)
                several[entity] = _both_bounds(ctx, entity, lower, upper)
            else:
                found[entity] = upper.model_copy(update={"polarity": ctx.base_polarity(entity.start)})
            continue
        outside = _OUTSIDE_RE.match(ctx.text, entity.end)
        if outside:
            several[entity] = _outside_rules(ctx, entity, test, outside)
            continue
        closed = _RANGE_RE.match(ctx.text, entity.end)
        if closed and not (match and match.start() < closed.start("low") - entity.end):
            several[entity] = _range_rules(ctx, entity, test, closed)
            continue
        if not match or re.search(r"[;]", tail[:match.start()]):
            continue
        if re.search(r"\bgrades?\s*$", tail[:match.start()], re.I):
            continue  # "lymphopenia of grade 3 or higher": a grade, no value of the test
        if _CSF_RE.search(tail[:match.start()]) or _CSF_RE.search(ctx.text, max(0, entity.start - 20), entity.start):
            continue  # "neurofilament light chain in the cerebrospinal fluid (CSF NfL)": no blood value; a person reads it
        if match and tail[:match.start()].strip() == "(" and _indicates(entity) \
                and re.search(r"\bpositive\s+$", ctx.text[max(0, entity.start - 12):entity.start], re.I):
            # "A positive tuberculin skin test (5 mm or more of induration)": what positive means; the condition the
            # test indicates is the rule
            ctx.consume(entity.end + match.start(), entity.end + match.end())
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
        unit = _clean_unit(unit)
        if comparator is None or _DOSE_UNIT_RE.fullmatch(unit or "") or _TIME_UNIT_RE.fullmatch(unit or ""):
            continue  # "vitamin D supplementation of more than 400 IU/day" is a dose, "at least 4 weeks" a time
        unit = get_lexicon().canonical_unit(test, unit)
        polarity = ctx.base_polarity(entity.start)
        if _NEGATIVE_OR_RE.match(tail):
            # "JCV antibody negative, or low positive with an index < 0.9": the bound is the other way to qualify,
            # not negated by the negative result before it
            polarity = ctx.base_polarity(entity.end + match.start())
        found[entity] = LabRule(polarity=polarity, test=test, comparator=comparator, value=number(value), unit=unit)
        ctx.consume(entity.start, entity.end)
        ctx.consume(entity.end + match.start(), entity.end + match.end())
        sexes = _BY_SEX_RE.match(ctx.text, entity.end + match.end())
        if sexes and comparator_of(sexes.group("cmp")):
            # "hemoglobin < 11 g/dL in women or < 12 g/dL in men": one bound for each sex, shared with no other lab
            second = get_lexicon().canonical_unit(test, _clean_unit(sexes.group("unit"))) if sexes.group("unit") \
                else unit
            first = found.pop(entity).model_copy(update={"when": Applicability(sex=_sex(sexes.group("sex1")))})
            several[entity] = [first,
                              LabRule(polarity=polarity, test=test, comparator=comparator_of(sexes.group("cmp")),
                                      value=number(sexes.group("value")), unit=second,
                                      when=Applicability(sex=_sex(sexes.group("sex2"))))]
            ctx.consume(*sexes.span())
            continue
        other_side = _OTHER_SIDE_RE.match(ctx.text, entity.end + match.end())
        if other_side and {comparator[0], (comparator_of(other_side.group("cmp")) or " ")[0]} == {"<", ">"}:
            # "platelet count > 400,000/µl or < 100,000/µl": outside a range (an exclusion), "≥ 100 and ≤ 400" inside
            second = get_lexicon().canonical_unit(test, _clean_unit(other_side.group("unit"))) \
                if other_side.group("unit") else unit
            several[entity] = [found.pop(entity),
                                LabRule(polarity=polarity, test=test, comparator=comparator_of(other_side.group("cmp")),
                                        value=number(other_side.group("value")), unit=second)]
            ctx.consume(*other_side.span())
    _share_coordinated(ctx, [e for e, _ in anchors if e.label == "LAB"], found, dict(anchors))
    # (a condition the bounds by sex define: "anaemia (haemoglobin below 12 g/dL in women or below 13 g/dL in men)")
    _defined_by_lab(ctx, {**found, **{e: bounds[0] for e, bounds in several.items()}})
    qualified = _qualified_by_lab(ctx, found)
    rules = [r for e, _ in anchors for r in several.get(e, [found[e]] if e in found else [])]
    limits = _OUTSIDE_LIMITS_RE.search(ctx.text)
    if limits:
        # "Laboratory values outside any of the following limits: white blood cells 3,000/µL or more; ALT no more than
        # 2.5 × ULN": each limit stated is what the patient must meet, the other side what the criterion names (read
        # as written, a normal count excluded the patient). A strict bound names the side outside ("outside the
        # following limits: haemoglobin below 10 g/dl"): as written.
        after = {id(r) for e, _ in anchors if e.start > limits.end()
                 for r in several.get(e, [found[e]] if e in found else [])
                 if not isinstance(r, LabRule) or r.comparator in (">=", "<=")}
        rules = [r.model_copy(update={"comparator": _COMPLEMENT[r.comparator]})
                 if id(r) in after and isinstance(r, LabRule) else r for r in rules]
        if after or any(isinstance(r, LabRule) for r in rules):
            # (the heading: "Laboratory values at screening outside ...", "..., or a full blood count outside ...")
            heading = max(ctx.text.rfind(",", 0, limits.start()), ctx.text.rfind(";", 0, limits.start())) + 1
            if not any(heading <= e.start < limits.start() for e in ctx.entities):
                ctx.consume(heading, limits.end())
    return _unique(rules) + qualified


# "values outside any of the following limits:", "results outside these limits:": a heading whose limits are kept
_OUTSIDE_LIMITS_RE = re.compile(r"\boutside\s+(?:(?:any|one)\s+of\s+)?(?:the\s+following|these|the\s+limits\s+below)"
                                r"(?:\s+(?:limits|ranges?|thresholds|values|bounds))?\s*:", re.I)
_COMPLEMENT = {">=": "<", ">": "<=", "<=": ">", "<": ">="}


# In an exclusion, a sentence that lets patients in or states what some must have: its bound excludes nobody, a
# person reads it
_LETS_IN_RE = re.compile(r"\bmay\s+(?:be\s+)?(?:enrolled|included|eligible|participate)\b|\b(?:are|is)\s+(?:still\s+)?"
                         r"eligible\b|\bmust\s+(?:have|be|show)\b", re.I)


def _indicates(entity) -> bool:
    """Whether the lab is a qualitative test that indicates a condition (``indicates`` in labs.jsonl)."""
    entry = get_lexicon().get("labs", entity.id) if entity.label == "LAB" else None
    return bool(entry and entry.data.get("indicates"))


_CSF_RE = re.compile(r"\bcerebrospinal\s+fluid\b|\bCSF\b", re.I)


def _outside_other_parentheses(text: str, position: int) -> str:
    """The sentence of ``position`` without the parentheses that do not hold it."""
    sentence = _sentence(text, position)
    start = text.find(sentence, max(0, position - len(sentence)))
    return re.sub(r"\([^()]*\)", lambda m: m.group(0) if start + m.start() <= position < start + m.end()
                  else " " * len(m.group(0)), sentence)


def _sentence(text: str, position: int) -> str:
    breaks = [m.end() for m in SEGMENT_BREAK_RE.finditer(text)]
    start = max((b for b in breaks if b <= position), default=0)
    end = min((b for b in breaks if b > position), default=len(text))
    return text[start:end]


# Conditions a lab bound defines: "Renal insufficiency: creatinine clearance < 60 ml/min", "neutropenia (ANC <
# 1.5 x 10^9/L)", "kidney disease with eGFR under 45": the bound states the condition, which is not a second rule.
DEFINING_LABS = {
    **{kidney: {"egfr", "creatinine", "creatinine_clearance"}
       for kidney in ("renal_impairment", "renal_failure", "kidney_disease")},
    "thrombocytopenia": {"platelets"}, "neutropenia": {"neutrophils", "white_blood_cells"},
    "lymphopenia": {"lymphocytes", "white_blood_cells"}, "leukopenia": {"white_blood_cells", "neutrophils"},
    "anaemia": {"haemoglobin", "haematocrit"}, "anemia": {"haemoglobin", "haematocrit"},
    "hepatic_impairment": {"alt", "ast", "alp", "bilirubin", "ggt"},
    "vitamin_b12_deficiency": {"vitamin_b12"}, "hypothyroidism": {"tsh"}, "hyperthyroidism": {"tsh"},
    "thyroid_disease": {"tsh"},
}
# ("Neutropenia or lymphopenia of grade 3 or higher (neutrophils below 1.0 × 10^9/L, ...)": a grade the values define)
_GRADE = r"(?:\s+(?:of\s+)?(?:CTCAE\s+)?grade\s+\d(?:\s+or\s+(?:higher|more|above|greater|worse))?)?"
_DEFINED_AS_RE = re.compile(r"(?:\s+(?:or|and)\s+[a-z][\w-]*)?" + _GRADE +
                            r"\s*(?:\(|:|-|,?\s*(?:(?:with|defined\s+as|as\s+(?:shown|evidenced)\s+by)\b|i\.e\.?,?))\s*"
                            r"(?:an?\s+|the\s+)?(?:serum\s+|plasma\s+|absolute\s+|calculated\s+|estimated\s+)?$", re.I)


def _defined_by_lab(ctx: Context, found: dict) -> None:
    for condition in ctx.entities_of("CONDITION"):
        tests = DEFINING_LABS.get(condition.id)
        if not tests:
            continue
        lab = next((e for e in found if e.label == "LAB" and e.start >= condition.end
                    and found[e].test in tests and _DEFINED_AS_RE.fullmatch(ctx.text, condition.end, e.start)), None)
        opening = _DEFINING_PAREN_RE.match(ctx.text, condition.end) if lab is None else None
        shut = closing(ctx.text, opening.end() - 1) if opening else None
        if shut is not None:
            # "Neutropenia or lymphopenia of grade 3 or higher (neutrophils below 1.0 × 10^9/L, lymphocytes below 0.5
            # × 10^9/L)": each condition by its own lab in the parenthesis
            lab = next((e for e in found if e.label == "LAB" and opening.end() <= e.start < shut
                        and found[e].test in tests), None)
        # "Renal or hepatic dysfunction: serum creatinine above 1.5 mg/dL, or ALT or AST > 2 x ULN": a heading the
        # list after its colon defines, each condition by its own labs
        heading = _HEADING_COLON_RE.match(ctx.text, condition.end)
        if lab is None and heading:
            end = _SENTENCE_END_RE.search(ctx.text, heading.end())
            lab = next((e for e in found if e.label == "LAB" and heading.end() <= e.start < (end.start() if end else
                                                                                             len(ctx.text))
                        and found[e].test in tests), None)
        if lab is not None:
            ctx.consume(condition.start, condition.end)
            # "Untreated vitamin B12 deficiency (B12 below the LLN)": the lab states the deficiency, not that it is
            # untreated; a person reads that word
            degree = _DEGREE_BEFORE_RE.search(ctx.text, max(0, condition.start - 30), condition.start)
            if degree:
                ctx.unstated.append(degree.span())


_DEFINING_PAREN_RE = re.compile(_GRADE + r"\s*\(", re.I)
_SENTENCE_END_RE = re.compile(r";|\.(?!\d)")
_DEGREE_BEFORE_RE = re.compile(r"\b(?:untreated|uncontrolled|unresolved|untreatable|persistent|symptomatic|"
                               r"clinically\s+significant)\s+$", re.I)
_HEADING_COLON_RE = re.compile(r"(?:\s*(?:,|or|and|/)\s*[A-Za-z][\w-]*(?:\s+[A-Za-z][\w-]*)?)?\s*:", re.I)
_SEX_WORDS = r"women|females?|men|males?"
# (an aside in other units may follow each bound: "> 1.4 mg/dL (124 µmol/L) for women or > 1.6 mg/dL (141 µmol/L)
# for men")
_ASIDE = r"(?:\s*\([^()]{1,30}\))?"
_BY_SEX_RE = re.compile(rf"{_ASIDE}\s*(?:in|for)\s+(?P<sex1>{_SEX_WORDS})\s*,?\s*(?:or|and|;|,)\s*(?P<cmp>{COMPARATOR_RE})\s*"
                        rf"(?P<value>{_VALUE})\s*{_UNIT}?{_ASIDE}\s*(?:in|for)\s+(?P<sex2>{_SEX_WORDS})\b", re.I)


# "> 400,000/µl or < 100,000/µl", "≥ 100 and ≤ 400 x 10^9/L": a second bound on the other side of the range
_OTHER_SIDE_RE = re.compile(rf"{_ASIDE}\s*,?\s*(?:or|and|but)\s+(?P<cmp>{COMPARATOR_RE})\s*(?P<value>{_VALUE})\s*{_UNIT}?", re.I)


# "haemoglobin 11.6 to 16.2 g/dL", "platelets between 150 and 450 x 10^9/L", "ANC of 1.5-8.0 x 10^9/L": a closed
# range, inclusive as registries mean it (not a multiple of a limit of normal: "ALT 2-3 x ULN" is no range of values)
_RANGE_RE = re.compile(
    rf"\s*(?:count\s+|level\s+|value\s+)?(?:(?:of|from|:|=)\s*|(?P<between>between)\s+)?(?P<low>{_VALUE})"
    rf"(?:\s*{_UNIT.replace('unit', 'unit1')})??\s*(?:-|–|to\b|(?(between)and\b|(?!)))\s*"
    rf"(?P<high>{_VALUE})\s*{_UNIT}?(?![\w-]*\s*(?:x|×|times)?\s*(?:ULN|LLN|upper|lower)\b)", re.I)


# "TSH outside the normal range", "free T4 outside of the reference limits": below the lower or above the upper limit
_OUTSIDE_RE = re.compile(r"\s*(?:\([^()]{1,20}\)\s*)?(?:levels?\s+|values?\s+)?(?:(?:is|are)\s+)?outside\s+(?:of\s+)?(?:the\s+)?"
                         r"(?:local\s+|laboratory\s+|institutional\s+)?(?:normal|reference)\s+(?:limits?|ranges?)", re.I)


def _outside_rules(ctx: Context, entity, test: str, outside: re.Match) -> list:
    """Either side of the normal range: two exclusions in an exclusion, an any-of in an inclusion."""
    polarity = ctx.base_polarity(entity.start)
    sides = [LabRule(polarity=polarity, test=test, comparator="<", value=1, unit=LLN_UNIT),
             LabRule(polarity=polarity, test=test, comparator=">", value=1, unit=ULN_UNIT)]
    ctx.consume(entity.start, outside.end())
    if polarity == "exclude":
        return sides
    return [GroupRule(mode="any", polarity=polarity, rules=[r.model_copy(update={"polarity": "require"}) for r in sides])]


def _range_rules(ctx: Context, entity, test: str, closed: re.Match) -> list:
    """Both bounds of a closed range: two requirements in an inclusion; in an exclusion, a value within it
    excludes (an all-of)."""
    units = [get_lexicon().canonical_unit(test, _clean_unit(closed.group(name))) for name in ("unit1", "unit")]
    low, high = number(closed.group("low")), number(closed.group("high"))
    ctx.consume(entity.start, closed.end())
    return _both_bounds(ctx, entity,
                        LabRule(polarity="require", test=test, comparator=">=", value=low, unit=units[0] or units[1]),
                        LabRule(polarity="require", test=test, comparator="<=", value=high, unit=units[1] or units[0]))


_WITHIN_RANGE_RE = re.compile(r"\bwithin\b", re.I)
_RANGE_HEADING_RE = re.compile(r"(?P<within>\bwithin\s+(?:the\s+)?(?:normal|reference)\s+(?:limits?|ranges?))\b[^:.;]{0,80}:",
                               re.I)


def _both_bounds(ctx: Context, entity, lower: LabRule, upper: LabRule) -> list:
    """The two bounds of a range, required: two requirements in an inclusion; in an exclusion, a value within the
    range excludes (an all-of)."""
    if ctx.base_polarity(entity.start) == "require":
        return [lower, upper]
    return [GroupRule(mode="all", polarity=ctx.base_polarity(entity.start), rules=[lower, upper])]


def _sex(word: str) -> str:
    return "female" if word.lower().startswith(("wom", "fem")) else "male"


_POOR_CONTROL = r"\b(?:poor|inadequate|insufficient)\s+(?:glyc(?:a)?emic\s+)?control\b"
_CONTROL_RE = re.compile(rf"\b(?:poorly|inadequately|insufficiently)\s+controlled\b|\buncontrolled\b|{_POOR_CONTROL}", re.I)
_QUALIFIED_BY_RE = re.compile(r"\s*,?(?:\s+(?:patients?|participants?|subjects?|individuals))?\s*(?:with|and)\s+(?:an?\s+|the\s+)?(?:screening\s+|baseline\s+|current\s+|"
                              r"serum\s+|plasma\s+)?$|"
                              # "Poorly controlled diabetes mellitus (HbA1c > 9%)", "Diabetes mellitus with poor
                              # glycaemic control (HbA1c > 9%)": the parenthesis gives the value that excludes
                              rf"\s*(?:,?\s*with\s+{_POOR_CONTROL}\s*)?"
                              r"\(\s*(?:e\.g\.?,?\s*|i\.e\.?,?\s*|defined\s+as\s+)?(?:an?\s+)?$", re.I)


def _qualified_by_lab(ctx: Context, found: dict) -> list:
    """"Type 2 diabetes with a screening HbA1c above 9%": the condition excludes only with that value, an all-of
    (the condition alone would exclude every diabetic)."""
    groups = []
    for condition in ctx.entities_of("CONDITION"):
        if ctx.is_consumed(condition.start) or condition.id in DEFINING_LABS:
            continue
        # "Diabetes mellitus (type 1 or type 2) with an HbA1c above 8%": the kinds listed are the condition
        end = kinds_listed_after(ctx.text, condition.end) or condition.end
        kinds = [e.id for e in ctx.entities_of("CONDITION") if condition.end <= e.start < end] \
            if end > condition.end else []
        lab = next((e for e in found if e.label == "LAB" and e.start >= end
                    and _QUALIFIED_BY_RE.fullmatch(ctx.text, end, e.start)), None)
        if lab is None or isinstance(found[lab], GroupRule):
            continue
        if "(" in ctx.text[end:lab.start] and not _CONTROL_RE.search(ctx.text, max(0, condition.start - 30), lab.start):
            continue  # "Abnormal liver function tests (AST, ALT > 1.5 x ULN)": the parenthesis defines, it does not qualify
        siblings = _sibling_kinds_before(ctx, condition)
        start = siblings[0].start if siblings else condition.start
        timing = "any" if context.has("HISTORY", ctx.text[:start]) else "current"
        polarity = ctx.base_polarity(start)
        groups.append(GroupRule(mode="all", polarity=polarity, rules=[
            ConditionRule(polarity="require", conditions=[e.id for e in siblings] + (kinds or [condition.id]),
                          timing=timing),
            found.pop(lab).model_copy(update={"polarity": "require"})]))
        ctx.consume(start, lab.start)  # with the words that join them ("with poor glycaemic control (")
    return groups


_KIND_JOINED_RE = re.compile(r"\s*(?:,\s*)?(?:(?:and/)?or\s+|/\s*|,\s*)", re.I)


def _sibling_kinds_before(ctx: Context, condition) -> list:
    """"Type 1 or type 2 diabetes mellitus with an HbA1c of 8% or higher": the kinds of the same condition joined
    before the one the value qualifies share the value (read apart, every type 1 diabetic was excluded): a kind
    elided of the condition's head noun. "Hypertension or diabetes with an HbA1c above 8%" names two conditions, and
    "type 1 diabetes, or type 2 diabetes with an HbA1c above 9%" two items: the value is the last one's alone."""
    lexicon = get_lexicon()
    broader = lexicon.condition_ancestors(condition.id) - {condition.id}
    head = condition.text.split()[-1].lower()
    siblings, start = [], condition.start
    for before in sorted(ctx.entities_of("CONDITION"), key=lambda e: -e.start):
        if before.end > start or ctx.is_consumed(before.start):
            continue
        if before.text.split()[-1].lower() == head or not (_KIND_JOINED_RE.fullmatch(ctx.text, before.end, start) and
                broader & (lexicon.condition_ancestors(before.id) - {before.id})):
            break
        siblings.insert(0, before)
        start = before.start
    return siblings


def _share_coordinated(ctx: Context, labs: list, found: dict, tests: dict) -> None:
    """"ALT or AST > 2 x ULN", "AST/ALT > 3 x ULN", "AST, ALT > 1.5 x ULN": labs listed together share the
    bound stated after the last of them."""
    for i in range(len(labs) - 2, -1, -1):
        entity, nxt = labs[i], labs[i + 1]
        if entity in found or nxt not in found or not _LAB_LIST_GAP_RE.match(ctx.text[entity.end:nxt.start]):
            continue
        if i and tests[labs[i - 1]] == tests[entity] and labs[i - 1] in found and _GLOSS_OPEN_RE.search(
                ctx.text, labs[i - 1].end, entity.start) and re.match(r"\s*\)", ctx.text[entity.end:]):
            # "Creatinine clearance of 50 mL/min or less (Cockcroft-Gault) or serum creatinine above the ULN": the
            # method in the parenthesis names the test before it, no lab of its own to share the next bound
            ctx.consume(entity.start, entity.end)
            continue
        found[entity] = found[nxt].model_copy(update={"test": tests[entity]})
        ctx.consume(entity.start, entity.end)


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


_BEYOND_NORMAL_RE = re.compile(r"\b(?:(?P<low>below|lower\s+than|less\s+than|under)|above|higher\s+than|greater\s+than|over)"
                               r"\s+(?:the\s+)?normal(?:\s+(?:range|limits?|values?))?\b(?!\s+(?:in|for)\s+)", re.I)


def _relative_threshold(tail: str) -> Optional[tuple[str, float, int, int, str]]:
    """(comparator, multiple of the limit, start, end, unit) of a bound relative to the upper or lower limit of
    normal at the start of ``tail``."""
    match = _ULN_RE.search(tail)
    beyond = _BEYOND_NORMAL_RE.search(tail[:60])
    if beyond and not re.search(r"[;]", tail[:beyond.start()]) and (not match or beyond.start() < match.start()):
        # "Serum IgG level lower than the normal range": beyond the limit on that side
        low = beyond.group("low") is not None
        return ("<" if low else ">"), 1.0, beyond.start(), beyond.end(), LLN_UNIT if low else ULN_UNIT
    if not match or re.search(r"[;]", tail[:match.start()]) or match.start() > 40:
        return None
    if match.group("pct"):
        comparator = comparator_of(match.group("pct_cmp")) if match.group("pct_cmp") else ">"
        if comparator not in (">", ">="):
            comparator = ">"  # "< 20% above the ULN" is not a form registries use; read the bound as stated
        return comparator, round(1 + number(match.group("pct")) / 100, 4), match.start(), match.end(), ULN_UNIT
    mult = (match.group("mult") or "").lower()
    value = {"twice": 2.0, "thrice": 3.0}.get(mult) or (number(mult) if mult else 1.0)
    if match.group("cmp"):
        comparator = comparator_of(match.group("cmp"))
    elif match.group("post") or match.group("mid"):
        post = (match.group("post") or match.group("mid")).lower()
        comparator = ">=" if any(w in post for w in ("higher", "more", "greater", "above")) else "<="
    else:
        comparator = None
    if comparator is None:
        if not mult or re.search(r"\d\s*(?:-|–|to)\s*$", tail[:match.start()]):
            return None  # "ULN" mentioned without a bound, or a range such as "1-2 x ULN"
        comparator = ">="  # "2x ULN" after a lab in a list of abnormalities: at least that high
    return comparator, value, match.start(), match.end(), LLN_UNIT if match.group("lln") else ULN_UNIT


def _normal_runs(ctx: Context, anchors) -> dict:
    """Lab mentions governed by "normal" ("normal AST (SGOT) ALT (SGPT)", "creatinine within normal limits"),
    each with the span of the word to consume."""
    out = {}
    labs = [e for e, _ in anchors if e.label == "LAB"]
    previous = None
    for entity in labs:
        window = ctx.text[max(0, entity.start - 40):entity.start]
        before = _NORMAL_BEFORE_RE.search(window)
        if before:
            out[entity] = (entity.start - len(window) + before.start(), entity.start)
        elif previous in out and _LAB_LIST_GAP_RE.match(ctx.text[previous.end:entity.start]):
            out[entity] = out[previous]  # the run of labs the word governs: "normal AST (SGOT) ALT (SGPT)"
        previous = entity
    following = None
    for entity in reversed(labs):
        after = _NORMAL_AFTER_RE.match(ctx.text[entity.end:entity.end + 110])
        if after and entity not in out:
            out[entity] = (entity.end + after.start("normal"), entity.end + after.end())
        elif entity not in out and following in out and _LAB_LIST_GAP_RE.match(ctx.text[entity.end:following.start]):
            out[entity] = out[following]  # the run the word closes: "ALT, AST and total bilirubin within normal limits"
        following = entity
    # "All of the following haematology values within the normal range at screening: haemoglobin; platelet count":
    # the heading governs the labs listed after its colon that state no value of their own
    heading = _RANGE_HEADING_RE.search(ctx.text)
    for entity in labs if heading else []:
        item = re.match(r"[^;\n]*", ctx.text[entity.end:]).group(0)
        if entity.start > heading.end() and entity not in out and not re.search(r"\d", item):
            out[entity] = heading.span("within")
    return out


def _unique(rules: list) -> list:
    """"AST (SGOT)" names one test twice: one rule."""
    seen, out = set(), []
    for rule in rules:
        key = (rule.test, rule.comparator, rule.value, rule.unit, rule.polarity, rule.when) \
            if isinstance(rule, LabRule) else id(rule)
        if key not in seen:
            seen.add(key)
            out.append(rule)
    return out


# Units of a dose or an intake, never of a laboratory level.
_TIME_UNIT_RE = re.compile(r"(?:days?|weeks?|wks?|months?|years?|yrs?|hours?|h)", re.I)
_DOSE_UNIT_RE = re.compile(r"(?:[µm]?g|mcg|k?IU|units?)(?:/(?:day|d|week|wk|dose|kg))?|.*/(?:day|d|week|wk|dose)",
                           re.I)


def _clean_unit(unit) -> str | None:
    if not unit:
        return None
    unit = unit.strip().rstrip(".,)")
    if not unit or unit.lower() in ("or", "and", "at", "in", "on"):
        return None
    unit = re.sub(r"^per\s+", "/", unit)  # "per µL"
    unit = re.sub(r"^/micro-?lit(?:er|re)$", "/µL", unit, flags=re.I)  # "per microliter"
    unit = re.sub(r"^/cubic\s+millimet(?:er|re)$", "/mm3", unit, flags=re.I)
    return re.sub(r"\s+", "", unit).replace("²", "2").replace("μ", "µ")
