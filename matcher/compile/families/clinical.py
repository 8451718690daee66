"""Clinical state: pregnancy, contraception, weight.  (Lab thresholds are in ``labs.py``, conditions in
``conditions.py``.)"""

from __future__ import annotations

import re

from ...models.rules import Applicability, ContraceptionRule, PregnancyRule, WeightRule
from .. import context
from ..context import Context
from ..quantities import COMPARATOR_RE, NUM, comparator_of, find_range, number, range_from


# (not a register of pregnancies: "enrolment in observational pregnancy registries is allowed")
_PREGNANT_RE = re.compile(r"\bpregnan(?:t|cy)\b(?!\s+(?:(?:exposure|outcomes?)\s+)?registr)", re.I)
# (not "a nursing home", "nursing care", "nursing staff": a place or a profession)
_BREASTFEEDING_RE = re.compile(r"breast[\s-]*feeding|lactat\w+|\bnursing\b(?!\s+(?:homes?|facilit|care|staff|"
                               r"services?|assessments?|students?|research|practice))", re.I)
_PREGNANCY_TEST_RE = re.compile(r"pregnancy\s+test|tested\s+for\s+pregnancy|plann\w+\s+(?:to\s+become\s+)?pregnan|"
                                r"intend\w*\s+to\s+become\s+pregnant|become\s+pregnant|risk\s+(?:of|or)\s+pregnancy", re.I)
# "Positive pregnancy test": pregnant
_POSITIVE_TEST_RE = re.compile(r"\bpositive\s+(?:(?:serum|urine|blood|beta[\s-]*hCG)\s+){0,2}pregnancy\s+test", re.I)
_NEGATIVE_TEST_RE = re.compile(r"negative\s+(?:[\w-]+\s+){0,3}?(?:pregnancy\s+test|(?:beta|β|b)?[\s-]*hCG(?:\s+test)?)",
                               re.I)
# "Current or planned pregnancy": the pregnancy now shares its noun with the planned one.
_CURRENT_OR_PLANNED_RE = re.compile(r"\b(?:current(?:ly)?|present|existing)\s+(?:or|and/or)\s+plann\w+\s+pregnan", re.I)


# A pregnancy that dates something ("a live vaccine during pregnancy", "alcohol use during the current pregnancy"),
# and, in an exclusion, a kind of pregnancy ("Known high-risk pregnancy"): no criterion on being pregnant (read as
# one, they excluded every participant of a trial of pregnant women); "state of pregnancy" is being pregnant
# (and "stopped at the latest when the pregnancy became known")
_PREGNANCY_AS_TIME_RE = re.compile(r"\b(?:during|in|throughout|since|(?<!\bstate\s)(?<!\bstatus\s)of|before|after|following|prior\s+to|"
                                   r"when|once|until)\s+"
                                   r"(?:the\s+|this\s+|her\s+|a\s+|their\s+)?"
                                   r"(?:(?:current|present|index|ongoing)\s+)?$", re.I)
_FEEDING_AS_METHOD_RE = re.compile(r"\s+(?:alone\s+)?(?:is|are)\s+not\s+(?:considered\s+)?(?:an?\s+)?(?:\w+\s+){0,2}?"
                                   r"(?:method|means|form)\b|\s+(?:alone\s+)?\(?(?:lactational\s+)?amenorrh", re.I)
_ALLOWED_AFTER_RE = re.compile(r"\s*(?:(?:women|participants|patients|mothers)\s+)?(?:is|are|will\s+be)\s+"
                               r"(?:(?:also|still)\s+)?(?:allowed|permitted|acceptable|eligible)\b|"
                               r"\s*(?:(?:women|participants|patients|mothers)\s+)?(?:may|can)\s+(?:also\s+)?"
                               r"(?:participate|take\s+part|be\s+(?:included|enrolled))\b", re.I)
# ("another interferon beta pregnancy registry", "The same pregnancy already enrolled in another registry": the
# registry and its records, not the woman's state)
_PREGNANCY_AS_RECORD_RE = re.compile(r"\s+(?:(?:exposure|outcomes?)\s+)?(?:registr(?:y|ies)|stud(?:y|ies)|databases?|"
                                     r"cohorts?)\b|\s+(?:already\s+|previously\s+)(?:enrolled|registered|reported)\b|"
                                     # ("Pregnancy already ended (live birth, ...) when first reported": its outcome)
                                     r"\s+(?:(?:has|had)\s+)?(?:already\s+)?(?:ended|terminated|concluded)\b", re.I)
_SAME_BEFORE_RE = re.compile(r"\bsame\s+$", re.I)
# ", defined as all women physiologically capable of becoming pregnant": what childbearing potential means
_WOCBP_DEFINED_RE = re.compile(r",?\s*defined\s+as\s+(?:all\s+|any\s+)?(?:women|females)\s+(?:who\s+are\s+)?"
                               r"(?:physiologically\s+)?capable\s+of\s+becoming\s+pregnant\b", re.I)
_CAPABLE_BEFORE_RE = re.compile(r"\b(?:capable\s+of|able\s+to|could|can|may|potential\s+(?:to|for))\s+"
                                r"(?:becom(?:e|ing)|get(?:ting)?)\s+$", re.I)
_KIND_OF_PREGNANCY_RE = re.compile(r"\b(?:high[\s-]+risk|complicated|ectopic|multiple|twin|molar|singleton|"
                                   r"multifetal)\s+$", re.I)


# A pregnancy planned or wished for: a plan the record cannot show, for a person (consumed with the pregnancy
# rule, it let in the women the criterion excludes)
# (or suspected: "Pregnancy or suspicion of pregnancy")
_PLANNED_RE = re.compile(r"\b(?:plan\w*|wish\w*|intend\w*|intention|desire\w*|want\w*|contemplat\w*)\s+"
                         r"(?:to\s+(?:become|get)\s+|an?\s+|for\s+(?:an?\s+)?|of\s+(?:an?\s+|becoming\s+)?)?"
                         r"pregnan\w*|\b(?:suspicion\s+of|suspected)\s+(?:an?\s+)?"
                         r"pregnan\w*|\bpregnan\w*[^.;]{0,20}?\b(?:planned|intended|wished)\b|"
                         r"\b(?:plan\w*|wish\w*|intend\w*)\s+to\s+(?:conceive|father|have\s+(?:a\s+)?(?:child|children|baby))",
                         re.I)


def extract_pregnancy(ctx: Context) -> list:
    for defined in _WOCBP_DEFINED_RE.finditer(ctx.text):
        ctx.consume(*defined.span())  # (the childbearing potential a contraception rule states, spelled out)
    planned = [m.span() for m in _PLANNED_RE.finditer(ctx.text)] if ctx.section == "exclusion" else []
    ctx.unstated.extend(planned)
    tests = [t.span() for t in _PREGNANCY_TEST_RE.finditer(ctx.text)]
    pregnant = [m for m in _PREGNANT_RE.finditer(ctx.text)
                if _CURRENT_OR_PLANNED_RE.search(ctx.text, max(0, m.start() - 40), m.end())
                # ("Women who contemplate a pregnancy": the plan's object, no pregnancy now)
                or not any(s <= m.start() and m.end() == e for s, e in planned)
                and (not any(s <= m.start() < e for s, e in tests)
                     or _POSITIVE_TEST_RE.search(ctx.text, max(0, m.start() - 40), m.end() + 8))]
    # ("a reliable pregnancy prevention method": contraception, its own rule)
    methods = [c.span() for c in _CONTRACEPTION_RE.finditer(ctx.text)]
    pregnant = [m for m in pregnant if not any(s <= m.start() < e for s, e in methods)]
    pregnant = [m for m in pregnant if not _PREGNANCY_AS_TIME_RE.search(ctx.text, max(0, m.start() - 40), m.start())
                and not _PREGNANCY_AS_RECORD_RE.match(ctx.text, m.end())
                and not _SAME_BEFORE_RE.search(ctx.text, max(0, m.start() - 12), m.start())
                # ("women physiologically capable of becoming pregnant": a potential, not a pregnancy)
                and not _CAPABLE_BEFORE_RE.search(ctx.text, max(0, m.start() - 40), m.start())
                and not (ctx.section == "exclusion"
                         and _KIND_OF_PREGNANCY_RE.search(ctx.text, max(0, m.start() - 30), m.start()))]
    # ("Pregnancy at enrolment (breastfeeding is allowed)": a state the criterion lets in, no rule)
    for m in list(pregnant):
        permitted = _ALLOWED_AFTER_RE.match(ctx.text, m.end())
        if permitted:
            ctx.consume(m.start(), permitted.end())
            pregnant.remove(m)
    # ("breastfeeding alone is not an acceptable method", "lactational amenorrhoea": a contraceptive method)
    feeding = []
    for m in _BREASTFEEDING_RE.finditer(ctx.text):
        method = _FEEDING_AS_METHOD_RE.match(ctx.text, m.end())
        permitted = _ALLOWED_AFTER_RE.match(ctx.text, m.end())
        if permitted:
            ctx.consume(m.start(), permitted.end())
        elif method or m.group(0).lower().startswith("lactational"):
            ctx.consume(m.start(), method.end() if method else m.end())  # (what the contraception rule asks)
        else:
            feeding.append(m)
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


_CONTRACEPTION_RE = re.compile(r"contracept\w*|birth[\s-]+control|method\s+of\s+birth\b|\bcondoms?\b|"
                               # "a reliable pregnancy prevention method", "a method to prevent pregnancy"
                               r"pregnancy[\s-]+prevention(?:\s+(?:methods?|measures?))?|(?:methods?|means|measures?)\s+"
                               r"(?:of|to|for)\s+(?:prevent(?:ing|ion\s+of)?|avoid(?:ing|ance\s+of)?)\s+pregnancy|"
                               # "must agree to avoid pregnancy, by contraception or abstinence": the requirement, no
                               # pregnancy of the patient's
                               r"\b(?:agree\w*|commit\w*|(?:un|not\s+)?willing|refus\w*|consent\w*)\s+to\s+(?:avoid|prevent)\s+"
                               r"(?:becoming\s+|getting\s+)?pregnan\w*", re.I)
# A requirement addressed to men only: "For male participants: agreement to ... use a condom", "Men must agree to ..."
_MEN_ONLY_RE = re.compile(r"^\W*(?:for\s+)?(?:(?:male|men)(?:\s+(?:participants?|patients?|subjects?))?|if\s+male)\b", re.I)
_WOMEN_RE = re.compile(r"\b(?:wom[ae]n|WOCBP|females?(?!\s+partners?))\b", re.I)
_CHILDBEARING_RE = re.compile(r"child[\s-]*bearing\s+(?:potential|age)|\bWOCBP\b|\bfertile\b|"
                              r"(?:women|females?)\s+(?:of|with|in)\s+(?:the\s+)?reproductive|menstruat\w+", re.I)


def _excepted_at(text: str, at: int) -> bool:
    """Whether an exception trigger of the context lexicon ("other than", "except", ...) stands at most two words
    before ``at``."""
    before = text[max(0, at - 30):at]
    return any(re.fullmatch(r"\s+(?:\w+\s+){0,2}", before[m.end():])
               for m in context.triggers()["EXCEPTION"].finditer(before))


def extract_contraception(ctx: Context) -> list:
    match = _CONTRACEPTION_RE.search(ctx.text)
    if not match:
        return []
    if ctx.section == "exclusion" and _AMONG_DRUGS_RE.search(ctx.text, 0, match.start()) \
            and not _REQUIRED_USE_RE.search(ctx.text):
        return []  # "sex hormones (including hormonal contraceptives ...) within 3 months": a drug, read as one
    if _CONTRAINDICATION_TO_RE.search(ctx.text, max(0, match.start() - 60), match.start()):
        return []  # "Any of the following contraindications to combined oral contraceptives:": what they rule out
    if _excepted_at(ctx.text, match.start()):
        return []  # "no treatment for a chronic condition, other than oral contraceptives, ...": a drug excepted
    ctx.consume(match.start(), match.end())
    for m in _CHILDBEARING_RE.finditer(ctx.text):
        ctx.consume(m.start(), m.end())
    for m in re.finditer(r"\b(?:effective|highly|adequate|reliable|acceptable|methods?|use|practi[cs]e|during|study|"
                         r"unless|(?:remain\s+)?abstinen(?:t|ce)|abstain|alone)\b", ctx.text, re.I):
        ctx.consume(m.start(), m.end())
    period = _CONTRACEPTION_PERIOD_RE.search(ctx.text, match.end())
    if period:  # how long contraception is kept up is part of the requirement, not a criterion of its own
        ctx.consume(period.start(), period.end())
    # Trials ask for contraception in both lists: "must agree to use ..." (inclusion), "unwilling to use ...",
    # "not using ...", "wish to parent children (contraception was required)" (exclusion). Only taking a
    # contraceptive *drug* as an exclusion ("use of hormonal contraceptives") is the reverse.
    if ctx.section == "exclusion" and _CONTRACEPTIVE_DRUG_RE.search(ctx.text) and not ctx.negated(match.start()):
        if any(e.id in ("hormonal_contraceptive", "oral_contraceptive") for e in ctx.entities_of("DRUG", "DRUG_CLASS")):
            return []  # the contraceptive drug's own rule (a washout, or use now) says it
        return [ContraceptionRule(polarity="exclude")]
    men_only = _MEN_ONLY_RE.search(ctx.text) and not _WOMEN_RE.search(ctx.text)
    rules = [ContraceptionRule(polarity="require", when=Applicability(sex="male") if men_only else None)]
    men = None if men_only else _MEN_SENTENCE_RE.search(ctx.text, match.end())
    if men:
        # "Women of childbearing potential must use ... . Men must use a condom during the same period.": a rule for
        # the men of their own (the first is the women's)
        ctx.consume(men.start("men"), men.end("men"))
        rules.append(ContraceptionRule(polarity="require", when=Applicability(sex="male")))
    return rules


# A sentence of its own for the men, after the women's: "Men must use a condom", "Male participants must agree to use
# reliable contraception"
_MEN_SENTENCE_RE = re.compile(r"[.;]\s+(?P<men>(?:men|males?|male\s+(?:participants?|patients?|subjects?)))\b[^.;]*?"
                              r"\b(?:contracept\w*|condoms?|barrier|birth\s+control)", re.I)


_CONTRAINDICATION_TO_RE = re.compile(r"\bcontra[\s-]?indicat\w*\s+(?:to|for|of|against)\s+(?:the\s+)?(?:use\s+of\s+)?"
                                     r"(?:[\w-]+\s+){0,2}$", re.I)
# A contraceptive named as an example of drugs an exclusion bans, and the wording that asks for contraception instead.
_AMONG_DRUGS_RE = re.compile(r"\(\s*(?:including|e\.g\.,?|such\s+as|for\s+example)\s+(?:\w+\s+){0,3}$", re.I)
_REQUIRED_USE_RE = re.compile(r"\b(?:unwilling|not\s+using|not\s+use|must|agree\w*|fail\w*\s+to\s+use|without)\b", re.I)
_CONTRACEPTION_PERIOD_RE = re.compile(
    r"\b(?:during|throughout|until|for\s+(?:at\s+least\s+)?\S+\s+(?:days?|weeks?|months?|years?)\s+(?:after|following))"
    # (up to another requirement joined on: ", and agreement to refrain from donating eggs")
    r"\b(?:(?!,?\s+(?:and|or)\s+(?:agree\w*|to|must|will|should|not|refrain\w*|no)\b)[^.;])*", re.I)
_CONTRACEPTIVE_DRUG_RE = re.compile(r"(?:use|taking|intake|treatment)\s+(?:of|with)\s+(?:an?\s+|any\s+)?(?:combined\s+)?"
                                    r"(?:oral|hormonal)\s+contracepti", re.I)


_WEIGHT_RE = re.compile(rf"(?:body\s+)?weigh(?:t|ing|s)\s*(?:of\s*)?(?P<cmp>{COMPARATOR_RE})\s*(?P<value>{NUM})\s*kg", re.I)


def extract_weight(ctx: Context) -> list:
    ranged = _weight_range(ctx)
    if ranged:
        return ranged
    match = _WEIGHT_RE.search(ctx.text)
    if not match:
        return []
    comparator = comparator_of(match.group("cmp"))
    if comparator is None:
        return []
    ctx.consume(match.start(), match.end())
    rule = WeightRule(polarity=ctx.base_polarity(match.start()), kg=range_from(comparator, number(match.group("value"))))
    return _with_other_side(ctx, rule, match.end())


def _with_other_side(ctx: Context, rule: WeightRule, end: int) -> list:
    """"Body weight below 40 kg or above 130 kg": the other side, a rule of its own with the same polarity."""
    other = _OTHER_SIDE_RE.match(ctx.text, end)
    comparator = comparator_of(other.group("cmp")) if other else None
    one_sided = (rule.kg.low is None) != (rule.kg.high is None)
    if not (comparator and one_sided and (comparator[0] == ">") == (rule.kg.high is not None)):
        return [rule]
    ctx.consume(*other.span())
    return [rule, WeightRule(polarity=rule.polarity, kg=range_from(comparator, number(other.group("value"))))]


_OTHER_SIDE_RE = re.compile(rf"\s*,?\s*(?:or|and/or)\s+(?P<cmp>{COMPARATOR_RE})\s*(?P<value>{NUM})\s*kg", re.I)


_OTHER_MEASURE_RE = re.compile(r"\b(?:and|or|with)\s+(?:an?\s+|the\s+)?(?:body\s+mass|BMI|height|waist)", re.I)
_WEIGHT_WORD_RE = re.compile(r"(?:body\s+)?weigh(?:t|ing|s)\b", re.I)
_WEIGHT_GAP_RE = re.compile(r"^[\s:,]*(?:(?:of|is|must\s+be|should\s+be)\s*)?$", re.I)


def _weight_range(ctx: Context) -> list:
    """"Weight between 40 and 120 kg, inclusive", "body weight of 40 to 120 kg": a range in kilograms."""
    word = _WEIGHT_WORD_RE.search(ctx.text)
    if not word:
        return []
    tail = ctx.text[word.end():word.end() + 60]
    # ("Body weight of 40 kg or more and a body mass index (BMI) of 18.5 to 32.0 kg/m2": the BMI's range is not the
    # weight's)
    other = _OTHER_MEASURE_RE.search(tail)
    tail = tail[:other.start()] if other else tail
    found = find_range(tail, unit_re=r"kg\b(?!\s*/)")
    if not found or "kg" not in tail[found.start:found.end].lower() or not _WEIGHT_GAP_RE.match(tail[:found.start]):
        return []  # "weight loss of more than 10 kg" is not a weight
    ctx.consume(word.start(), word.end() + found.end)
    return _with_other_side(ctx, WeightRule(polarity=ctx.base_polarity(word.start()), kg=found.range),
                            word.end() + found.end)
