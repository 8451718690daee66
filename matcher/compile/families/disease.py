"""Demographics and MS disease course: age, sex, diagnosis, subtype, EDSS, duration, relapses, MRI, CSF."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from typing import Optional

from ...lexicon import get_lexicon
from ...models.rules import (AgeRule, Applicability, CsfOligoclonalBandsRule, DiagnosisRule, DiseaseDurationRule,
                             Duration, EdssRule, GroupRule, ManualReviewRule, MriActivityRule, Range, RelapseRule,
                             SexRule, SubtypeRule, Window)
from .. import context
from ..context import Context
from .condition_wording import SEGMENT_BREAK_RE, enclosing_paren
from ..quantities import (COMPARATOR_RE, NUM, STUDY_PERIOD_TIME_RE, FoundWindow, anchor_of, both_anchors, comparator_of,
                          find_range, find_windows, number, range_negated)

YEARS = r"(?:years?|yrs?|y)(?:\s+(?:old|of\s+age))?"
_AGE_KEY_RE = re.compile(r"\bage[ds]?\b|\baged\b|years?\s+(?:of\s+age|old)|\byear-old|\bolder\b|\byounger\b|\bminors?\b",
                         re.I)

_NOT_A_MINOR_RE = re.compile(r"(?:[\s-]+(?:and|or)\s+[\w-]+)?[\s-]+(?![\s-]*(?:or|and|who|under|below|less|aged|\(|(?:subject|patient|participant|person|child|volunteer)s?)\b)[A-Za-z]",
                             re.I)


_FOR_WHOM_AGE_RE = re.compile(r"\b(?:for|in|among)\s+(?:the\s+)?(?:subjects?|patients?|participants?|those|children|"
                              r"adolescents|individuals|persons)\s+(?:who\s+are\s+)?(?:under|below|younger\s+than|"
                              r"over|above|older\s+than|less\s+than|more\s+than|aged\s+(?:under|below|over|above)|<|>|≤|≥)"
                              r"\s*\d{1,2}\s*$", re.I)


def extract_age(ctx: Context) -> list:
    rules = []
    for key in _AGE_KEY_RE.finditer(ctx.text):
        if key.group(0).lower().startswith("minor"):
            if key.group(0).lower() == "minor" and _NOT_A_MINOR_RE.match(ctx.text, key.end()):
                continue  # "except minor surgery", "minor head trauma": small, not a person under 18
            # "minors" (in an exclusion list): under 18.
            rules.append(AgeRule(polarity=ctx.base_polarity(key.start()), years=Range(high=18, high_inclusive=False)))
            ctx.consume(key.start(), key.end())
            break
        if _AT_ONSET_RE.search(ctx.text, max(0, key.start() - 100), key.start()) \
                or _EVENT_AT_AGE_RE.search(ctx.text, max(0, key.start() - 90), key.start()):
            continue  # "onset of symptoms before the age of 18": an age at onset, not the patient's age
        if re.search(r"\bgestation(?:al)?\s+$", ctx.text[max(0, key.start() - 15):key.start()], re.I):
            continue  # "a gestational age of 20 to 30 weeks": the pregnancy's age
        whom = _FOR_WHOM_AGE_RE.search(ctx.text, max(0, key.start() - 60), key.start())
        if whom:
            # "For subjects under 20 years of age, written consent of the legal representative is also obtained": whom
            # the rest applies to, no age required (read, every adult failed); a person reads it
            ctx.unstated.append((whom.start(), key.end()))
            ctx.consume(whom.start(), key.end())
            continue
        lo = max(0, key.start() - 30)
        # "over the age of 18": the comparator's number (read alone, "18" required an age of exactly 18); blanked,
        # offsets kept
        window = _COMPARED_AGE_OF_RE.sub(lambda m: m.group("cmp") + " " * (len(m.group(0)) - len(m.group("cmp"))),
                                         ctx.text[lo:key.end() + 60])
        found = find_range(window, unit_re=YEARS)
        if found and _OTHER_AGE_UNIT_RE.search(window, found.start, min(len(window), found.end + 12)):
            continue  # "Aged 2 to 24 weeks" (an infant's age): not in years
        if found and _plausible_age(found.range) and _of_the_age(window, key.start() - lo, key.end() - lo, found) \
                and not _AGE_GROUP_RE.search(ctx.text, max(0, key.start() - 40), key.end() + 60):
            polarity = ctx.base_polarity(key.start())
            if range_negated(window[:found.start]):
                polarity = context.opposite(polarity)
            years = found.range
            other = _other_bound(window, found)
            if other is not None:
                # "Being 18 years old or older and being 60 years old or younger": the two bounds of one range
                lower, upper = (years, other[0]) if years.low is not None else (other[0], years)
                years = Range(low=lower.low, low_inclusive=lower.low_inclusive, high=upper.high,
                              high_inclusive=upper.high_inclusive)
                ctx.consume(lo + found.end, lo + other[1])
            rules.append(AgeRule(polarity=polarity, years=years))
            ctx.consume(lo + found.start, lo + found.end)
            ctx.consume(key.start(), key.end())
            break
    return rules


_AND_BOUND_RE = re.compile(r"\s*,?\s*(?:and|but)\s+(?:(?:being|aged?|age|of\s+age)\s+)?", re.I)


def _other_bound(window: str, found) -> Optional[tuple[Range, int]]:
    """The open side of a one-sided age range and where it ends, when the text joins it with "and" ("18 years or older
    and 60 years or younger")."""
    if (found.range.low is None) == (found.range.high is None):
        return None
    joined = _AND_BOUND_RE.match(window, found.end)
    other = find_range(window[joined.end():], unit_re=YEARS) if joined else None
    if other is None or other.start != 0 or (other.range.low is None) == (found.range.low is None) \
            or (other.range.low is None) == (other.range.high is None):
        return None
    return other.range, joined.end() + other.end


_OTHER_AGE_UNIT_RE = re.compile(r"\d\s*(?:-\s*)?(?:weeks?|wks?|months?|mos?|days?)\b(?!\s+(?:before|after|prior|ago|of\s+(?:treatment|therapy)))", re.I)
_COMPARED_AGE_OF_RE = re.compile(r"\b(?P<cmp>over|above|under|below|(?:older|younger|greater|less|more)\s+than|"
                                 r"at\s+least|at\s+most)\s+the\s+age\s+of\s+(?=\d)", re.I)
# "a fragility fracture after the age of 40 years": the age of an event the criterion names
_EVENT_AT_AGE_RE = re.compile(r"\b(?:after|since)\s+(?:the\s+)?$|"
                             # "breast cancer in a mother or sister before the age of 50": a relative's age
                             r"\b(?:mother|father|sister|brother|sibling|parent|relative|family\s+member)s?\b[^.;]{0,60}?"
                             r"\b(?:before|at|under|by|prior\s+to)\s+(?:the\s+)?$", re.I)
_AT_ONSET_RE = re.compile(r"\b(?:onset|symptoms?|diagnos\w+|began|started|first\s+(?:attack|event|episode))\b[^.;]{0,80}?"
                          r"\b(?:before|by|at|under|prior\s+to)\s+(?:the\s+)?$", re.I)
# "Participants younger than 12 years of age must be pubertal": the age says whom a requirement applies to.
_AGE_GROUP_RE = re.compile(r"\b(?:participants?|patients?|subjects?|children|those)\s+(?:who\s+are\s+)?"
                           r"(?:younger|older|aged|under|over|below|above|less\s+than|more\s+than)\b[^.;,]{0,40}?\b(?:must|should|need|"
                           r"will\s+need|are\s+required)\b|"
                           # "below 55 bpm (participants aged 12 years or older)": whom the bound before it is for
                           r"\(\s*(?:for\s+|in\s+)?(?:participants?|patients?|subjects?|children|those)\s+aged\b|"
                           # "(mammogram required only for women aged 40 or older)": whom a test is for
                           r"\b(?:only\s+)?for\s+(?:women|men|females?|males?|those)\s+aged\b|"
                           # "a CDI-2 T-score of 65 or higher, or, for participants aged 18 or older, a BDI-II score
                           # of 20 or higher": whom the measure after it is for
                           r",\s*for\s+(?:participants?|patients?|subjects?|children|adults|those)\s+aged\b|"
                           # "a relative with breast cancer diagnosed before the age of 50": the age at a diagnosis
                           r"\bdiagnosed\s+(?:before|after|at|under|over|prior\s+to)\s+(?:the\s+)?age\b|"
                           # "Pediatric-onset MS (first MS symptoms before the age of 18 years)": the age at onset
                           r"\b(?:onset|symptoms?|began|started|diagnosis)\s+(?:\w+\s+){0,2}?(?:before|after|at|under|over|"
                           r"prior\s+to)\s+(?:the\s+)?age\b", re.I)


def _of_the_age(window: str, key_start: int, key_end: int, found) -> bool:
    """Whether a number range is the age the key word names: it carries years, or stands right by the key
    ("Age: 18 to 55", "aged >= 18", "18 years of age"), not "ALT >= 2 x the age-specific upper limit"."""
    if re.search(r"\b(?:years?|yrs?)\b|\by\.?o\b", window[found.start:found.end], re.I):
        return True
    if found.start >= key_end:
        return re.fullmatch(r"[\s:=(]*(?:(?:is|of|between|from|range)\s*)?[\s:]*", window[key_end:found.start], re.I) is not None
    return not window[found.end:key_start].strip()


def _plausible_age(years: Range) -> bool:
    bounds = [b for b in (years.low, years.high) if b is not None]
    return bool(bounds) and all(0 < b <= 100 for b in bounds)


# ("Being a female patient between 18 and 65 years of age", as translated)
_SEX_LEAD = r"^\s*(?:(?:being|is|be)\s+an?\s+)?"  # (not "A female subject is eligible if she is: ...", a condition)
_PEOPLE = r"(?:subjects?|patients?|participants?|individuals?)"
_MALE = rf"men|man|males?|male\s+{_PEOPLE}"
_FEMALE = rf"women|woman|females?|female\s+{_PEOPLE}"
_MEN_RE = re.compile(rf"{_SEX_LEAD}(?:{_MALE})\b", re.I)
_WOMEN_RE = re.compile(rf"{_SEX_LEAD}(?:{_FEMALE})\b", re.I)
# "Pre-menopausal women aged 18 to 45 years, with a regular menstrual cycle": the sex the trial admits, whatever
# reproductive words follow (the menopausal state goes to a person)
_AGED_WOMEN_RE = re.compile(rf"^\s*(?:(?:being|is|be)\s+)?(?:an?\s+)?(?P<state>(?:pre|post|peri)[\s-]?menopausal\s+)?"
                            rf"(?P<sex>{_FEMALE})\s*,?\s*(?=aged|of\s+age|between\s+\d|\d)", re.I)
_BOTH_RE = re.compile(r"\b(?:males?\s+(?:or|and)\s+females?|females?\s+(?:or|and)\s+males?|m[ae]n\s+(?:or|and)\s+wom[ae]n|"
                      r"wom[ae]n\s+(?:or|and)\s+m[ae]n|both\s+(?:genders|sexes)|(?:either|any|all)\s+(?:gender|sex))\b", re.I)
_REPRODUCTIVE_RE = re.compile(r"child\s*-?bearing|pregnan|contracept|lactat|breast|menstruat|fertile|partner|condom|sperm|"
                              r"vasectom|father", re.I)


# In an exclusion list, "all female patients" (or a bare "Women.") excludes that sex.
_ALL_OF_SEX_RE = re.compile(r"(?:^|\band\s+)(?:all\s+)?(?P<sex>female|male)\s+(?:patients|subjects|participants)\s*\.?\s*$|"
                            r"^\s*(?:all\s+)?(?P<bare>women|men|females|males)\s*\.?\s*$", re.I)


def extract_sex(ctx: Context) -> list:
    excluded = _ALL_OF_SEX_RE.search(ctx.text) if ctx.section == "exclusion" else None
    if excluded and not _REPRODUCTIVE_RE.search(ctx.text):
        word = (excluded.group("sex") or excluded.group("bare")).lower()
        ctx.consume(excluded.start(), excluded.end())
        return [SexRule(polarity="exclude", allowed=["female" if word.startswith(("f", "w")) else "male"])]
    women = _AGED_WOMEN_RE.search(ctx.text) if ctx.section == "inclusion" else None
    if women and not _BOTH_RE.search(ctx.text):
        ctx.consume(women.start("sex"), women.end())
        if women.group("state"):
            ctx.unstated.append(women.span("state"))
        return [SexRule(polarity="require", allowed=["female"])]
    if ctx.section != "inclusion" or _BOTH_RE.search(ctx.text) or _REPRODUCTIVE_RE.search(ctx.text):
        both = _BOTH_RE.search(ctx.text)
        if both:
            ctx.consume(both.start(), both.end())
            if ctx.section == "inclusion" and not _REPRODUCTIVE_RE.search(ctx.text):
                return [SexRule(polarity="require", allowed=["female", "male"])]  # stated, so kept explicit
        return []
    for pattern, sex in ((_MEN_RE, "male"), (_WOMEN_RE, "female")):
        match = pattern.search(ctx.text)
        if match:
            ctx.consume(match.start(), match.end())
            return [SexRule(polarity="require", allowed=[sex])]
    return []


# a negation after the criteria it denies: "McDonald criteria for MS diagnosis not met", "... not fulfilled"
_NOT_MET_AFTER_RE = re.compile(r"[^.;]{0,60}?\b(?:(?:are|is|was|were|has|have)\s+)?(?:not|never)\s+(?:been\s+|yet\s+)?"
                               r"(?:met|fulfill?ed|satisfied)\b", re.I)
_DIAGNOSIS_RE = re.compile(
    r"\bdiagnos\w*\b|\bmc\s*donald\b|\bpolman\b|clinically\s+(?:definite|confirmed|established)|\bconfirmed\s+(?:MS|multiple)|"
    r"\bmeet(?:s|ing)?\s+(?:the\s+)?criteria|according\s+to\s+(?:the\s+)?criteria|\bIPMSSG\b|"
    # MS among the demyelinating diseases an NMOSD or MOGAD trial excludes: "History of multiple sclerosis or other
    # demyelinating disease", "Evidence of another demyelinating disease, including multiple sclerosis"
    r"^\s*(?:an?\s+)?(?:(?:known\s+)?history|evidence)\s+of\s+(?:multiple\s+sclerosis|MS)\b(?=\s*(?:,|\bor\b|\band\b|\(|$))|"
    # (the general term is not read: a person checks the other demyelinating diseases)
    r"\bdemyelinating\s+(?:diseases?|disorders?|conditions?)\s*,?\s*\(?(?:including|such\s+as|e\.\s?g\.,?|for\s+example)\s+"
    r"(?P<example>multiple\s+sclerosis|MS)\b|"
    # (a sample description too: "Thirty patients with multiple sclerosis from both sexes will participate")
    r"^\s*(?:(?:(?:\d+|ten|twelve|\w+teen|\w+ty(?:[\s-]\w+)?)\s+)?patients?\s+with\s+|pre-?existing\s+|known\s+)?"
    r"(?:multiple\s+sclerosis|MS)\b(?!\s+(?:drug|medication|therap|treatment|relapse|disease[\s-]modifying|"
    # a scale or body named after the disease: "Multiple Sclerosis Severity Score (MSSS) of 4 or more"
    r"severity|functional|impact|walking|quality|fatigue|neuropsycholog|society|cent(?:er|re)|clinic|symptom\s+onset|"
    # (its duration: "MS disease duration of no more than 15 years", a duration rule's)
    r"(?:disease\s+)?duration))", re.I)
_MS_RE = re.compile(r"\bMS\b|multiple\s+sclerosis", re.I)
# MS or one of its courses, named ("RMS", "relapsing-remitting multiple sclerosis", "CIS")
_MS_NAMED = (r"(?:\b(?:MS|RMS|RRMS|SPMS|PPMS|PRMS|CIS)\b|(?:(?:relapsing(?:[\s-]+remitting)?|(?:secondary|primary)[\s-]+"
             r"progressive)\s+)?(?:MS\b|multiple\s+sclerosis)|clinically\s+isolated\s+syndrome)")
_ONSET_SYMPTOMS_RE = re.compile(r"\b(?:first|initial|earliest)\s+(?:[\w-]+\s+){0,2}?symptoms?\b|\bonset\s+of\s+"
                                r"(?:[\w-]+\s+){0,2}?symptoms?\b|\bsymptoms?\s+onset\b", re.I)
_MS_AS_TIME_RE = re.compile(r"\b(?:before|after|since|prior\s+to|preceding|following)\s+(?:the\s+)?(?:onset|diagnosis|"
                            r"start|first\s+symptoms?)\s+of\s+(?:their\s+|the\s+|her\s+|his\s+)?(?:MS|multiple\s+sclerosis)\b",
                            re.I)
# ("McDonald criteria 1 to 4 (Ann Neurol 2001)": the numbers of the criteria met are no year)
_VERSION_RE = re.compile(r"(?P<who>mc\s*donald|polman|thompson)(?:\s+et\s+al\.?)?(?:\s+(?:diagnostic\s+)?criteria)?"
                         r"(?:\s*#?\s*[1-4]\s*(?:to|-|–|through)\s*#?\s*[1-4]\b)?\D{0,40}?(?P<year>(?:19|20)\d\d)|"
                         # "the 2005 revised McDonald criteria", "the revised (2005) McDonald criteria"
                         # ("the 2017 revisions of the McDonald criteria")
                         r"\(?(?P<year2>(?:19|20)\d\d)\)?\s+(?:revisions?\s+(?:of|to)\s+the\s+|revised\s+)?mc\s*donald|"
                         # "McDonald criteria #1-4 (2005 revision)"
                         r"(?<=mcdonald)[^.;()]{0,30}\(\s*(?P<year3>(?:19|20)\d\d)\s+revision\s*\)", re.I)
# Revisions are named by the panel's year; the papers that publish them appeared a year later ("Revised McDonald
# criteria [Ann Neurol 2011;69:292-302]": no revision bears the year 2011 or 2018, the citation does).
_PUBLISHED_AS = {("polman", "2011"): "2010", ("thompson", "2018"): "2017", ("mcdonald", "2011"): "2010",
                 ("mcdonald", "2018"): "2017"}


def _criteria_version(text: str) -> tuple[Optional[str], list[tuple[int, int]]]:
    """"revised McDonald criteria (Polman et al, 2011)" -> "McDonald 2010"; the latest revision cited wins."""
    years, spans = [], []
    for m in _VERSION_RE.finditer(text):
        named = re.findall(r"polman|thompson", m.group(0), re.I)  # "McDonald criteria (Polman et al, 2011)"
        who = named[-1].lower() if named else "mcdonald"
        year = m.group("year") or m.group("year2") or m.group("year3")
        years.append(_PUBLISHED_AS.get((who, year), year))
        spans.append((m.start(), m.end()))
    if years:
        return f"McDonald {max(years)}", spans
    if re.search(r"mc\s*donald", text, re.I):
        return "McDonald", spans
    ipmssg = re.search(r"\bIPMSSG\b|international\s+pa?ediatric\s+(?:MS|multiple\s+sclerosis)\s+study\s+group",
                       text, re.I)
    if ipmssg:  # the consensus was revised (2007, 2013): "the 2012 IPMSSG criteria" names its revision
        year = re.search(r"((?:19|20)\d\d)\s+(?:revised\s+|revision\s+of\s+the\s+)?$",
                         text[max(0, ipmssg.start() - 30):ipmssg.start()]) \
            or re.match(r"[^\d.;]{0,25}?((?:19|20)\d\d)", text[ipmssg.end():])
        return (f"IPMSSG {year.group(1)}" if year else "IPMSSG"), spans
    if re.search(r"\bposer\b", text, re.I):
        return "Poser", spans
    return None, spans


# "by either the Poser or the McDonald (2001) criteria": two sets of criteria, either of which is meant
_POSER_OR_RE = re.compile(r"\bposer\b[^.;]{0,80}?\bor\b[^.;]{0,60}?mc\s*donald|mc\s*donald[^.;]{0,80}?\bor\b[^.;]{0,60}?\bposer\b",
                          re.I)


def _diagnosis_rules(ctx: Context, polarity: str, label: Optional[str]) -> list:
    """The diagnosis rule, or one per set of criteria when the text offers two ("Poser or McDonald"): any of them
    in an inclusion, each one in an exclusion."""
    # "according to the 2010 or the 2017 revised McDonald criteria": either revision (beside a CIS, the courses alone
    # say it: _cis_or_diagnosed)
    revisions = _TWO_REVISIONS_RE.search(ctx.text) if label and label.startswith("McDonald") \
        and not _CIS_OR_RE.search(ctx.text) else None
    if revisions and revisions.group("y1") != revisions.group("y2"):
        versions = [f"McDonald {revisions.group(year)}" for year in ("y1", "y2")]
    elif not (label and label.startswith("McDonald") and _POSER_OR_RE.search(ctx.text)):
        return [DiagnosisRule(polarity=polarity, criteria_version=label)]
    else:
        poser_first = re.search(r"\bposer\b", ctx.text, re.I).start() < re.search(r"mc\s*donald", ctx.text, re.I).start()
        versions = ["Poser", label] if poser_first else [label, "Poser"]
    if polarity == "exclude":
        return [DiagnosisRule(polarity=polarity, criteria_version=v) for v in versions]
    return [GroupRule(mode="any", polarity=polarity, rules=[
        DiagnosisRule(polarity=polarity, criteria_version=v, **_child_of(ctx)) for v in versions])]


_RESTATES_RE = re.compile(r"not\s+(?:fulfill?ing|meeting|satisfying)\s+(?:the\s+)?(?:above\s+|inclusion\s+)?criteria|"
                          r"unable\s+to\s+fulfill?\s+the\s+above", re.I)


_CLAUSE_AND_RE = re.compile(r"[;.]\s|,\s*and\s+(?!/)", re.I)


def _own_clause(text: str, match: re.Match) -> str:
    """The clause of a match: between the ";", ". " or ", and" around it."""
    start = max((m.end() for m in _CLAUSE_AND_RE.finditer(text, 0, match.start())), default=0)
    end = _CLAUSE_AND_RE.search(text, match.end())
    return text[start:end.start() if end else len(text)]


def restates_inclusion(ctx: Context) -> bool:
    """'RRMS not fulfilling inclusion criteria': a pointer back, not a new condition on the subtype."""
    return _RESTATES_RE.search(ctx.text) is not None


_DEFINED_AS_RE = re.compile(r"\b(?:defined|characteri[sz]ed)\s+(?:as|by)\b", re.I)


def _listed_subtypes(ctx: Context) -> list:
    """MS subtype mentions, where a group ("relapsing clinical course") followed by a parenthesis that lists
    single subtypes ("(relapsing remitting, secondary progressive, progressive relapsing)") gives way to the
    list: the text spells out what it means by the group."""
    lexicon = get_lexicon()
    mentions = ctx.entities_of("MS_SUBTYPE")

    def single(e) -> bool:
        return len(lexicon.subtype_members(e.id)) == 1

    keep = []
    asides_blank = context.PARENTHESIS_RE.sub(lambda m: " " * len(m.group(0)), ctx.text)  # "(Lublin et al. 2014)"
    for e in mentions:
        if keep and e.id == "active_ms" and not ctx.text[keep[-1].end:e.start].strip():
            continue  # "secondary progressive MS with disease activity": the activity of the subtype before it
        if keep and _DEFINED_AS_RE.search(ctx.text[keep[-1].end:e.start]):
            # "SPMS, defined as a history of relapsing-remitting MS followed by ...": the course that led to it
            ctx.consume(e.start, e.end)
            continue
        if keep and single(keep[-1]) and _DEFINING_PAREN_RE.match(ctx.text, keep[-1].end) and \
                enclosing_paren(ctx.text, e.start) == ctx.text.index("(", keep[-1].end):
            # "Progressive-relapsing MS (new relapses superimposed on a progressive course from onset)": a single
            # course's parenthesis describes it; the course it names there is no other course
            ctx.consume(e.start, e.end)
            continue
        widened = _WIDENS_DIAGNOSIS_RE.search(ctx.text, max(0, e.start - 160), e.start)
        if widened and not any(o.end > widened.start() and o.start < e.start for o in mentions if o is not e):
            # "Multiple sclerosis (McDonald 2001), including clinically isolated syndromes that fulfil ...": what
            # the diagnosis takes in, no narrower course
            ctx.consume(e.start, e.end)
            continue
        paren = re.search(r"\(([^()]*)\)", ctx.text[e.end:e.end + 200])
        # (not the abbreviation of another subtype named between: "relapsing MS (RMS) or primary progressive MS (PPMS)")
        between = paren and any(e.end <= o.start < e.end + paren.start() for o in mentions)
        if not single(e) and paren and not between and ctx.text[e.end:e.end + paren.start()].count(",") <= 2 and any(
                single(o) for o in mentions if e.end + paren.start(1) <= o.start < e.end + paren.end(1)):
            ctx.consume(e.start, e.end)
            continue
        # "a relapsing course of MS, i.e. relapsing-remitting MS, or SPMS with superimposed relapses", "relapsing MS
        # (RMS) ..., with a relapsing-remitting course or a secondary progressive course with relapses": spelled out
        spelled = None if single(e) else _SPELLED_OUT_RE.match(asides_blank, e.end)
        if spelled and sum(single(o) for o in mentions if spelled.end() <= o.start < spelled.end() + 160) >= 2:
            ctx.consume(e.start, e.end)
            continue
        keep.append(e)
    return keep


# a parenthesis right after a course that describes it (not one that adds courses: "(including CIS)", "(or SPMS)")
_DEFINING_PAREN_RE = re.compile(r"\s*\((?!\s*(?:including|includes|or|and|and/or|e\.\s?g\.|such\s+as|for\s+example)\b)"
                                r"[^()]*[a-z]{3,}[^()]*\s[^()]*\)", re.I)
# a diagnosis of MS and what it includes: "MS according to the McDonald criteria (2001), including ..."
# (not "other types of MS, including relapsing-remitting MS and primary progressive MS": the types it names)
_WIDENS_DIAGNOSIS_RE = re.compile(r"(?<!types of )(?<!type of )(?<!forms of )(?<!form of )(?<!courses of )"
                                  r"\b(?:multiple\s+sclerosis|MS)\b(?:[^.;()]|\([^()]*\)){0,100}?,?\s+(?:including|includes)\s+"
                                  r"(?:(?:an?|the|also|patients\s+with|those\s+with)\s+){0,2}$", re.I)
_SPELLED_OUT_RE = re.compile(r"[^.;]{0,100}?(?:\bi\.\s?e\.,?|\bnamely\b|\bthat\s+is\b|:|,\s*with\s+an?\b|\bdefined\s+as\b)", re.I)


_INACTIVE_AFTER_RE = re.compile(r"\)?\s*(?:\([^()]{0,40}\)\s*)?(?:course\s+)?without\s+(?:any\s+|an?\s+)?(?:evidence\s+of\s+)?"
                                # "without clinical or MRI activity"
                                r"(?:(?:disease|clinical|MRI|radiological|inflammatory|superimposed)\s+"
                                r"(?:(?:or|and|and/or)\s+)?){0,3}(?:activity|relapses?)", re.I)
_ACTIVE_AFTER_RE = re.compile(r"\)?\s*(?:\([^()]{0,40}\)\s*)?(?:course\s+|MS\s+|multiple\s+sclerosis\s+)?with(?!\s+or\s+without)\s+[^,;.]{0,40}?\b"
                              r"(?:activity|relapses?|lesions?)\b", re.I)
_ACTIVE_BEFORE_RE = re.compile(r"\bactive\s+$", re.I)
_COUNTED_RE = re.compile(r"\d|\b(?:at\s+least|one|two|three|a\s+single|an?)\b", re.I)
_TIMED_RE = re.compile(r"\s*(?:during|within|in|over)\b", re.I)  # "... with relapses or MRI activity during 2 years"
_ACTIVITY_TAIL_RE = re.compile(r"(?:\s+(?:and/or|or|and)\s+(?:new\s+)?(?:MRI|clinical|radiological|disease)\s+activity\b)?", re.I)
# ("the inactive form of secondary progressive MS")
_INACTIVE_BEFORE_RE = re.compile(r"\b(?:non-?active|inactive|not\s+active|non-?relapsing)\s+(?:(?:form|type|course)\s+of\s+)?$",
                                 re.I)
# Not the patient's subtype: the course an SPMS began with ("following an initial relapsing-remitting course"),
# the population of another study ("the pilot study of lipoic acid in SPMS").
_NOT_PATIENTS_SUBTYPE_RE = re.compile(r"\b(?:following|after|preceded\s+by)\s+(?:an?\s+)?(?:initial\s+)?$|"
                                      # "an initial relapsing-remitting course followed by ...", "RRMS without
                                      # secondary progression"
                                      r"\ban?\s+initial\s+$|\bwithout\s+(?:any\s+)?(?:evidence\s+of\s+)?$|"
                                      r"\b(?:study|studies|trial|trials)\b[^.;]{0,60}\bin\s+(?:patients\s+with\s+)?$", re.I)


_FOLLOWED_BY_RE = re.compile(r"\s*(?:\([^()]{1,20}\)\s*)?(?:course\s+|phase\s+)?(?:that\s+was\s+)?followed\s+by\b", re.I)


# "any disease course other than relapsing-remitting", "forms of MS except RRMS": the other courses
_OTHER_THAN_SUBTYPE_RE = re.compile(r"\b(?:courses?|forms?|types?|subtypes?|phenotypes?|MS|multiple\s+sclerosis)"
                                    r"(?:\s+of\s+(?:MS|multiple\s+sclerosis))?\s+(?:other\s+than|except(?:\s+for)?|besides)\s+"
                                    r"(?:the\s+|an?\s+)?$", re.I)
# the Lublin 2013 courses (RIS is not one)
_COURSES = ("CIS", "RRMS", "SPMS", "PPMS")
# "other than relapsing-remitting (for example SPMS or PPMS)": examples of the courses meant, which do not narrow them
_EXAMPLES_RE = re.compile(r"\b(?:e\.\s?g\.|for\s+(?:example|instance)|such\s+as|including|like)\b", re.I)
_JOINED_RE = re.compile(r"\s*(?:,\s*)?(?:(?:or|and|and/or|nor)\s+|/\s*)?", re.I)


# "disorders that could interfere with the diagnosis or assessment of MS", "a condition that may mimic or confound
# the diagnosis": the diagnosis is what another condition affects, not a criterion on it
_THERAPY_AFTER_RE = re.compile(r"[\s-]+(?:disease[\s-]+modifying|DMTs?\b|drugs?\b|medications?\b|medicines?\b|"
                               r"therap(?:y|ies)\b|treatments?\b|immunotherap)", re.I)
# a therapy and the course it is for, named after it: "an approved disease-modifying therapy for RMS", "a DMT indicated
# for RRMS", "approved for relapsing MS", "licensed in the treatment of relapsing forms of MS"
_INDICATION_BEFORE_RE = re.compile(r"(?:\b(?:disease[\s-]+modifying|DMTs?|drugs?|medications?|medicines?|therap(?:y|ies)|"
                                   r"treatments?|immunotherap\w*|agents?|products?)|\b(?:approved|indicated|licen[cs]ed|"
                                   r"authori[sz]ed|label(?:l)?ed|registered))\s+(?:(?:approved|indicated|licen[cs]ed|"
                                   r"authori[sz]ed|label(?:l)?ed|registered|only|specifically)\s+)?(?:for|in)\s+"
                                   r"(?:the\s+)?(?:treatment\s+of\s+)?(?:(?:patients|people|adults)\s+with\s+)?"
                                   r"(?:an?\s+|the\s+)?$", re.I)
# ("Doubtful diagnosis of multiple sclerosis": a diagnosis in doubt, which a person judges, not MS excluded)
_NOT_A_DIAGNOSIS_BEFORE_RE = re.compile(r"\b(?:interfer\w*|confound\w*|complicat\w*|obscur\w*|mimic\w*|affect\w*|"
                                        r"impair\w*)\s+(?:with\s+)?(?:the\s+)?$|"
                                        r"\b(?:doubtful|uncertain|unclear|questionable|equivocal|unconfirmed)\s+$|"
                                        # ("without a change of the diagnosis to MS": a change to come, no diagnosis now)
                                        r"\b(?:change|conversion)\s+(?:of|in)\s+(?:the\s+)?$", re.I)


# In an exclusion, "Non-specific white matter abnormalities without a diagnosis of MS or CIS": the MS the words deny
# describes the abnormality excluded (a patient with it and no MS), not the patient's diagnosis or course (read,
# "without ... CIS" excluded every patient without a CIS); the criterion goes to a person. (Not "Patients without a
# diagnosis of MS", the patient's own.)
_QUALIFIED_BY_NO_MS_RE = re.compile(
    r"\b(?!(?:patients?|subjects?|participants?|individuals?|persons?|people|those|women|men|volunteers?)\b)[A-Za-z][\w-]*"
    r"\s+(?P<words>without\s+(?:an?\s+|any\s+)?(?:(?:prior|previous|established|definite|definitive|confirmed|formal|"
    r"clinical)\s+)?(?:diagnosis|evidence|history)\s+of\s+(?:an?\s+)?" + _MS_NAMED +
    r"(?:\s*(?:,|/|\bor\b|\band\b|\band/or\b)\s*(?:an?\s+)?" + _MS_NAMED + r")*)", re.I)
# "for patients who meet the MAGNIMS but not the McDonald criteria, ...": whom a clause is for, not a diagnosis asked
_SCOPE_BEFORE_RE = re.compile(r"\b(?:for|in|among)\s+(?:the\s+)?(?:patients|participants|subjects|those)\s+who\s+[^.;,]{0,60}$",
                              re.I)


def extract_diagnosis_and_subtype(ctx: Context) -> list:
    if restates_inclusion(ctx):
        return []
    rules = []
    lexicon = get_lexicon()
    subtypes: list[str] = []
    active_only = False
    group_active: set[str] = set()
    with_relapses: set[tuple] = set()
    first = None
    own_activity: dict[tuple, bool] = {}  # each listed subtype (a name and its abbreviation once) and its activity
    listed = _listed_subtypes(ctx)
    any_subtype = None
    excepted: list[str] = []
    other_than = None
    spelled: list[str] = []  # the courses an "other than" spells out after the excepted one
    denied = [m.span("words") for m in _QUALIFIED_BY_NO_MS_RE.finditer(ctx.text)] if ctx.section == "exclusion" else []
    for start, end in denied:
        ctx.unstated.append((start, end))
    for entity in ctx.entities_of("MS_SUBTYPE"):
        if any(start <= entity.start < end for start, end in denied):
            continue  # "white matter abnormalities without a diagnosis of MS or CIS": not the patient's course
        entry = lexicon.get("ms_subtypes", entity.id)
        members = lexicon.subtype_members(entity.id)
        spelled_active = entry is not None and bool(entry.data.get("active_only_for"))
        if spelled_active and own_activity.get(tuple(members)) is False:
            ctx.consume(entity.start, entity.end)
            continue  # "primary progressive MS, including progressive-relapsing MS": in the subtype named already
        if entity in listed and entry is not None and entry.data.get("activity") == "relapses":
            with_relapses.add(tuple(members))  # "progressive-relapsing": a progressive course with relapses
        if spelled_active:
            active_only = True
            if entity not in listed:
                # "relapsing forms (relapsing-remitting or secondary progressive MS)": the group the list spells out
                # asks activity of the members it makes active (SPMS with relapses)
                group_active.update(entry.data["active_only_for"])
        if entity not in listed:
            continue
        if other_than or _OTHER_THAN_SUBTYPE_RE.search(ctx.text, max(0, entity.start - 60), entity.start):
            # the courses excepted ("except RRMS or SPMS"); the subtypes after them spell out the rest ("(primary
            # or secondary progressive)")
            if other_than is None or _JOINED_RE.fullmatch(ctx.text, last_excepted.end, entity.start):
                excepted.extend(members)
                last_excepted = entity
            elif not _EXAMPLES_RE.search(ctx.text, other_than.end, entity.start):
                spelled.extend(m for m in members if m not in spelled)  # "i.e. primary or secondary progressive"
            other_than = other_than or entity
            ctx.consume(entity.start, entity.end)
            continue
        inactive = _INACTIVE_AFTER_RE.match(ctx.text, entity.end)
        inactive_before = None if inactive else _INACTIVE_BEFORE_RE.search(ctx.text, 0, entity.start)
        if inactive or inactive_before:
            # "SPMS without disease activity": not the whole subtype (the relapse rule, if any, is its own). Without a
            # time ("without clinical or MRI activity") the qualifier states nothing more: no MRI rule of its own.
            clause = re.match(r"[^,;.]*", ctx.text[inactive.end():]).group(0) if inactive else ""
            if ctx.section == "inclusion":
                # "primary progressive MS, or secondary progressive MS without relapses during the last year": an
                # inactive SPMS is still SPMS, which the criterion admits (its relapses are a rule of their own, scoped
                # to it; left out, every SPMS patient failed). An inactivity no rule reads ("non-active SPMS", "SPMS
                # without disease activity") is left to a person.
                if not re.search(r"\d", clause):
                    words = inactive.span() if inactive else (inactive_before.start(), entity.start)
                    ctx.consume(*words)
                    rules.append(ManualReviewRule(
                        polarity="require", category="partial", when=Applicability(subtypes=list(members)),
                        why=f"the {'/'.join(members)} inactivity is not structured: "
                            f"'{ctx.text[words[0]:words[1]].strip()}'"))
                subtypes.extend(m for m in members if m not in subtypes)
                own_activity.setdefault(tuple(members), False)
                first = entity if first is None else first
                ctx.consume(entity.start, entity.end)
            elif inactive and inactive.group(0).lower().endswith("activity") and not re.search(r"\d", clause):
                ctx.consume(*inactive.span())
                ctx.unstated.append((entity.start, inactive.end()))  # the inactive subtype goes to a person
            continue
        if ctx.section == "exclusion" and _ACTIVE_AFTER_RE.match(ctx.text[entity.end:]):
            continue  # "RRMS, or SPMS with relapses in the last 2 years": only the active part is excluded
        if _NOT_PATIENTS_SUBTYPE_RE.search(ctx.text[max(0, entity.start - 80):entity.start]) or \
                _FOLLOWED_BY_RE.match(ctx.text, entity.end):
            continue  # ("a documented history of relapsing-remitting MS followed by progressive worsening": the course
            # an SPMS began with)
        if _THERAPY_AFTER_RE.match(ctx.text, entity.end) or \
                _INDICATION_BEFORE_RE.search(ctx.text, max(0, entity.start - 80), entity.start):
            # "any MS disease-modifying therapy", "one approved disease-modifying therapy for RMS", "a DMT indicated
            # for RRMS": the therapy's disease (its indication), not the patient's course
            ctx.consume(entity.start, entity.end)
            continue
        if set(members) >= {"RRMS", "SPMS", "PPMS"} and "progress" not in entity.text.lower():
            any_subtype = any_subtype or entity
            continue  # "any disease sub-type of MS": a diagnosis, not a subtype restriction
        subtypes.extend(m for m in members if m not in subtypes)
        activity = _ACTIVE_AFTER_RE.match(ctx.text, entity.end)
        tail = activity and _ACTIVITY_TAIL_RE.match(ctx.text, activity.end())
        if activity and not _COUNTED_RE.search(activity.group(0)) and not _TIMED_RE.match(ctx.text, tail.end()):
            # "SPMS with superimposed relapses or MRI activity": what makes the subtype active (a count, "with at
            # least one relapse in the last 2 years", is a relapse rule of its own)
            ctx.consume(activity.start(), tail.end())
        own_activity[tuple(members)] = own_activity.get(tuple(members), False) or bool(
            spelled_active or set(members) <= group_active or re.search(r"\bactive\b", entity.text, re.I)
            or activity or _ACTIVE_BEFORE_RE.search(ctx.text[:entity.start]))
        first = entity if first is None else first
        ctx.consume(entity.start, entity.end)
    # (in an exclusion, a diagnosis the duration rule dated, "a diagnosis of MS made more than 3 years before
    # enrollment", excludes by its date, not every patient with MS)
    diagnosis = next((m for m in _DIAGNOSIS_RE.finditer(ctx.text)
                      if not _NOT_A_DIAGNOSIS_BEFORE_RE.search(ctx.text, max(0, m.start() - 40), m.start())
                      and not _SCOPE_BEFORE_RE.search(ctx.text, max(0, m.start() - 80), m.start())
                      and not (ctx.section == "exclusion" and ctx.is_consumed(m.start()))
                      and not any(start <= m.start() < end for start, end in denied)), None)
    # (the McDonald criteria are criteria for MS: "Patients who do not fulfil the McDonald criteria")
    # (MS as a time point is no MS criterion: "a sexual disorder diagnosed before the onset of MS")
    mentions_ms = _MS_RE.search(_MS_AS_TIME_RE.sub(" ", ctx.text)) or subtypes or ctx.entities_of("MS_SUBTYPE") or \
        re.search(r"\bmc\s*donald\b", ctx.text, re.I)
    # (not in a trial of a symptom of MS: "MS-related fatigue"; the first symptoms that date the onset are none)
    # (only in the diagnosis's own clause: "Established diagnosis of MS according to the McDonald criteria, ..., and
    # spasticity attributable to MS" asks the diagnosis)
    if diagnosis and mentions_ms and not re.search(r"\bsymptom|\bpain|spasticity|fatigue|depress",
                                                  _ONSET_SYMPTOMS_RE.sub(" ", _own_clause(ctx.text, diagnosis)), re.I):
        label, spans = _criteria_version(ctx.text)
        polarity = ctx.base_polarity(diagnosis.start())
        converted = next((m for m in _DIAGNOSIS_RE.finditer(ctx.text, diagnosis.end())
                          if re.search(r"\bor\b", ctx.text[diagnosis.end():m.start()])
                          and ctx.base_polarity(m.start()) == "require"), None) \
            if polarity == "exclude" and ctx.section == "inclusion" else None
        if converted:
            # "a first demyelinating event, who either remain free of CDMS or have converted to CDMS or McDonald MS":
            # the diagnosis is the alternative the text affirms (free of it is the CIS, which the course states)
            diagnosis, polarity = converted, "require"
        unmet = _NOT_MET_AFTER_RE.match(ctx.text, diagnosis.end())
        if unmet:  # "McDonald criteria for MS diagnosis not met at screening": the negation follows
            polarity = context.opposite(polarity)
            ctx.consume(*unmet.span())
        # ("diagnosis of progressive MS" excluded: a subtype; but "a clinically isolated syndrome, or a diagnosis of MS
        # according to the 2017 McDonald criteria", excluded in a RIS trial: the diagnosis too)
        cis_or_ms = set(subtypes) <= {"CIS", "RIS"} and not other_than and polarity == "exclude" \
            and _CIS_OR_RE.search(ctx.text)
        if not ((subtypes or other_than) and ctx.section == "exclusion") or cis_or_ms:
            rules.extend(_diagnosis_rules(ctx, polarity, label))
        ctx.consume(diagnosis.start("example") if diagnosis.group("example") else diagnosis.start(), diagnosis.end())
        for m in _MS_RE.finditer(ctx.text):
            ctx.consume(m.start(), m.end())
        for start, end in spans:
            ctx.consume(start, end)
    elif any_subtype and not subtypes and not other_than:
        rules.append(DiagnosisRule(polarity=ctx.base_polarity(any_subtype.start)))
    if other_than:
        rules.append(SubtypeRule(polarity=ctx.base_polarity(other_than.start),
                                 subtypes=[s for s in _COURSES if s in (spelled or _COURSES) and s not in excepted]))
        return rules
    polarity = ctx.base_polarity(first.start) if first else "require"
    separate = sum(len(members) for members in own_activity) == len(set(subtypes))  # no subtype named twice
    mixed = len(own_activity) > 1 and separate and len(set(own_activity.values())) == 2
    if polarity == "exclude" and with_relapses and separate:
        # "relapsing-remitting, secondary progressive or progressive-relapsing MS", excluded in a PPMS trial: relapses
        # of a progressive course exclude, not the whole subtype (that would exclude every participant)
        rules.extend(RelapseRule(polarity="exclude", min_count=1, when=Applicability(subtypes=list(members)))
                     for members in with_relapses)
        for active in (False, True):
            others = [m for members, own in own_activity.items() if own is active and members not in with_relapses
                      for m in members]
            if others:
                rules.append(SubtypeRule(polarity="exclude", active_only=active, subtypes=others))
    elif mixed and polarity == "exclude":
        # "relapsing-remitting MS or active secondary progressive MS": the active part of a subtype is excluded, the
        # others whole
        for active in (False, True):
            rules.append(SubtypeRule(polarity="exclude", active_only=active, subtypes=[
                m for members, own in own_activity.items() if own is active for m in members]))
    elif polarity == "require" and len(own_activity) > 1 and len(set(own_activity.values())) == 2:
        # "RRMS, or SPMS with disease activity", "relapsing-remitting or active secondary progressive MS": activity
        # is asked of one subtype only ("CIS or MS (relapsing MS or primary progressive MS)": of the relapsing forms
        # only, though they hold the CIS named on its own too)
        rules.append(GroupRule(mode="any", polarity="require", rules=[
            SubtypeRule(polarity="require", subtypes=list(members), active_only=active, **_child_of(ctx))
            for members, active in own_activity.items()]))
    elif subtypes:
        rules.append(SubtypeRule(polarity=polarity, subtypes=subtypes, active_only=active_only))
    return _cis_or_diagnosed(ctx, rules)


_TWO_REVISIONS_RE = re.compile(r"\b(?P<y1>(?:19|20)\d\d)\s*(?:or|and|/|and/or)\s*(?:the\s+)?(?P<y2>(?:19|20)\d\d)\b")
# A CIS and an MS diagnosis offered as alternatives, in either order
_CIS_OR_RE = re.compile(r"(?:clinically\s+isolated|\bCIS\b|first\s+(?:clinical\s+)?demyelinating)[^.;]{0,150}?\bor\b[^.;]{0,40}?"
                        r"(?:\bMS\b|multiple\s+sclerosis|mc\s*donald)|(?:mc\s*donald|\bMS\b|multiple\s+sclerosis)[^.;]{0,150}?"
                        r",?\s+or\b[^.;]{0,80}?(?:clinically\s+isolated|\bCIS\b|(?:single|first)\s+(?:clinical\s+)?"
                        r"demyelinating|demyelinating\s+(?:episode|event))", re.I)


def _cis_or_diagnosed(ctx: Context, rules: list) -> list:
    """"a clinically isolated syndrome or MS according to the 2010 McDonald criteria": a CIS is an alternative to
    the diagnosis (a patient with a CIS has no MS diagnosis; required beside it, the diagnosis failed every CIS
    patient the criterion admits): an any-of of the CIS and the diagnosis with the other courses named."""
    diagnosis = [r for r in rules if isinstance(r, DiagnosisRule) and r.polarity == "require"]
    courses = [r for r in rules if isinstance(r, SubtypeRule) and r.polarity == "require" and "CIS" in r.subtypes
               and not r.active_only]
    if ctx.section != "inclusion" or len(diagnosis) != 1 or len(courses) != 1 or not _CIS_OR_RE.search(ctx.text):
        return rules  # (not "MS by McDonald 2001, including CIS that fulfil ...", nor a CIS another sentence excludes)
    if _TWO_REVISIONS_RE.search(ctx.text):
        # "RRMS according to the 2005 or 2010 revised McDonald criteria, or a first demyelinating event": one
        # version cannot hold both revisions; the courses alone say it
        return [r for r in rules if r is not diagnosis[0]]
    others = [s for s in courses[0].subtypes if s != "CIS"]
    child = _child_of(ctx)
    diagnosed = diagnosis[0].model_copy(update=child)
    if others:
        diagnosed = GroupRule(mode="all", polarity="require", rules=[
            diagnosed, courses[0].model_copy(update={"subtypes": others, **child})], **child)
    group = GroupRule(mode="any", polarity="require", rules=[
        SubtypeRule(polarity="require", subtypes=["CIS"], **child), diagnosed])
    return [group if r is diagnosis[0] else r for r in rules if r is not courses[0]]


# (Kurtzke's Disability Status Scale, the DSS, is the EDSS's integer predecessor on the same 0-10 scale)
_EDSS_RE = re.compile(r"\b(?:E?DSS)\b|(?:expanded\s+)?disability\s+status\s+(?:scale|score)(?:\s*\(E?DSS\))?", re.I)
_EDSS_CHANGE_RE = re.compile(r"\bincrease|\bworsening|\bchange|\bprogression|\bpoints?\b|\bimprove", re.I)
# "from 3.0 to 6.5 points", "of not more than 6.5 points" name the unit of a score or its bound, not a change of so
# many points.
_EDSS_RANGE_POINTS_RE = re.compile(r"(?:\d\s*(?:to|-|–|and)|\b(?:not|no)\s+more\s+than|\bat\s+most|\bup\s+to|"
                                   r"\ba\s+maximum\s+of|≤|<=)\s*\d+(?:\.\d+)?\s*points?\b", re.I)


# "more than 10 years in patients with an EDSS of 2 or less": the EDSS conditions the duration before it; after a
# comma ("for at least six months, with an EDSS of 6.5 or lower") it is a requirement of its own.
_EDSS_CONDITION_RE = re.compile(r"(?:(?:in|for)\s+(?:patients|participants|subjects)\s+with|\b(?:if|when)(?:\s+the)?(?:\s+(?:screening|baseline))?|"
                                r"(?<![,\s])\s+with)\s+(?:an?\s+)?(?:total\s+|baseline\s+|screening\s+)?EDSS", re.I)


# (in an exclusion, "a disease duration of more than 15 years and an EDSS score of 2.0 or less": both excluded together,
# i.e. the duration for those with that EDSS)
_EDSS_AND_RE = re.compile(r"(?:(?<=\w)|^)\s+and\s+(?:an?\s+)?(?:total\s+|baseline\s+|screening\s+)?EDSS", re.I)


# (and "The degree of disability ranges from 2 to 4.5 on the EDSS")
_SCORE_BEFORE_RE = re.compile(r"\b(?:score|rating|disability(?:\s+(?:ranges?|ranging|is|lies|between))?)\s+"
                              r"(?P<range>(?:[^.;]|(?<=\d)\.(?=\d)){1,50}?)\s+(?:on|in|according\s+to)\s+(?:the\s+)?$", re.I)


def extract_edss(ctx: Context) -> list:
    if _EDSS_CHANGE_RE.search(_EDSS_RANGE_POINTS_RE.sub(" ", ctx.text)):
        return []
    # (an item under a duration heading: "less than 15 years in participants with an EDSS of 5.5 to 6.5")
    duration = _DURATION_RE.search(ctx.text) or re.search(rf"\d\s*{DURATION_UNITS}\b", ctx.text, re.I)
    conditions = [m.span() for m in (*_EDSS_CONDITION_RE.finditer(ctx.text), *_EDSS_LEAD_RE.finditer(ctx.text),
                                     *(_EDSS_AND_RE.finditer(ctx.text) if ctx.section == "exclusion" else ()))] \
        if duration else []
    for match in _EDSS_RE.finditer(ctx.text):
        if not any(match.start() < end <= match.end() for _, end in conditions):  # an EDSS-dependent duration's
            # condition is read by extract_duration; so is what follows up to the next one ("according to the EDSS
            # score: less than 15 years in participants with an EDSS of 5.5 to 6.5")
            return _edss_at(ctx, match, min([start for start, _ in conditions if start >= match.end()],
                                            default=len(ctx.text)))
    return []


# "Participants with an EDSS of 2.0 or lower at screening and a disease duration exceeding 10 years", "... whose
# first MS symptoms began more than 10 years before": the EDSS, named first, is the condition of the duration
_EDSS_LEAD = r"(?:participants|patients|subjects|those)\s+with\s+(?:an?\s+)?EDSS"
_EDSS_LEAD_RE = re.compile(_EDSS_LEAD, re.I)
_EDSS_LEAD_RANGE_RE = re.compile(r"\b" + _EDSS_LEAD + r"\s*(?:score\s*)?(?:of\s*)?(?P<range>[^;]{0,40}?)"
                                 r"(?=\s+(?:at|and|whose|who|are|is|must)\b|,)", re.I)


_SCORE_THEN_RE = re.compile(r"\s*(?:points?\s+)?(?:before|prior\s+to|preceding)\s+(?:the\s+)?(?:onset|start|beginning)\s+of\b|"
                            r"\s*(?:points?\s+)?(?:before|prior\s+to)\s+(?:the\s+)?(?:(?:current|present|index|qualifying)\s+)?"
                            r"(?:relapse|attack|episode|exacerbation)", re.I)


def _edss_at(ctx: Context, match: re.Match, stop: int) -> list:
    tail = ctx.text[match.end():min(stop, match.end() + 160)]
    found = find_range(tail)
    before = _SCORE_BEFORE_RE.search(ctx.text, max(0, match.start() - 80), match.start())
    if not found and before:
        # "a score of no more than 5.5 on the Expanded Disability Status Scale": the score before the scale's name
        ranged = find_range(before.group("range"))
        if ranged and _valid_edss(ranged.range):
            ctx.consume(before.start(), match.end())
            return [EdssRule(polarity=ctx.base_polarity(match.start()), score=ranged.range)]
    if not found or not _valid_edss(found.range) or re.match(rf"\s*{DURATION_UNITS}\b", tail[found.end:], re.I):
        return []  # "according to the EDSS score: less than 10 years in ...": a duration
    # ("EDSS prior to the relapse between 0 and 5.5": said before the bound too)
    then = _SCORE_THEN_RE.match(tail, found.end) or _SCORE_THEN_RE.match(tail[:found.start])
    if then:  # "EDSS below 6.5 before the onset of the current relapse": the score then, which a person confirms
        ctx.unstated.append((match.end() + then.start(), match.end() + then.end()))
    if then and then.end() <= found.start:  # (the time words before the bound stay for the person)
        ctx.consume(match.start(), match.end() + then.start())
        ctx.consume(match.end() + then.end(), match.end() + found.end)
    else:
        ctx.consume(match.start(), match.end() + found.end)
    polarity = ctx.base_polarity(match.start())
    if range_negated(tail[:found.start]):
        polarity = context.opposite(polarity)
    return [EdssRule(polarity=polarity, score=found.range)]


def _valid_edss(score: Range) -> bool:
    return all(b is None or 0 <= b <= 10 for b in (score.low, score.high))


_DURATION_RE = re.compile(
    r"(?:disease|MS|multiple\s+sclerosis|illness)\s+duration|(?:duration|length)\s+of\s+(?:the\s+)?(?:MS|multiple\s+sclerosis|"
    r"disease|illness)|"
    # (translated: "time of evolution of the disease of at least 2 years")
    r"(?:time\s+of\s+)?evolution\s+of\s+(?:the\s+)?(?:MS|multiple\s+sclerosis|disease|illness)|(?:diagnosed|diagnosis)\s+(?:for|at\s+least|more\s+than|since|of\s+(?:MS|multiple\s+sclerosis)\s+for)|"
    r"since\s+(?:the\s+)?(?:diagnosis|onset|first\s+(?:MS\s+)?symptoms?)|"
    # "No more than 20 years since the onset of MS symptoms", "20 years or less since diagnosis": the bound first
    r"(?:(?:(?:no|not)\s+more\s+than|at\s+least|more\s+than|less\s+than|up\s+to|over|under|≤|<=|<|≥|>=|>)\s*\S+\s+"
    r"years?|\S+\s+years?\s+or\s+(?:less|more|fewer|longer|shorter))\s+"
    # "< 10 years of disease course after onset of the first symptoms"
    r"(?:of\s+(?:the\s+)?(?:disease|MS|multiple\s+sclerosis|illness)(?:\s+course)?\s+)?(?:since|from|after)\s+(?:the\s+)?"
    r"(?:diagnosis|onset|first)|"
    r"years?\s+(?:since|from|after)\s+(?:the\s+)?"
    r"(?:diagnosis|onset|first)|(?:of\s+)?at\s+least\s+\S+\s+(?:months?|years?)(?:'|’)?\s+duration|"
    r"(?P<onset_within>onset\s+of\s+(?:the\s+)?(?:first\s+)?(?:MS\s+|multiple\s+sclerosis\s+)?symptoms?\s+(?=within\b))|"
    # "MS symptom onset at least two years before screening": how long ago the disease began
    r"(?:(?:symptom|disease|MS|multiple\s+sclerosis)\s+onset|onset\s+of\s+(?:the\s+)?(?:first\s+)?(?:MS\s+|multiple\s+"
    r"sclerosis\s+)?symptoms?)\s+(?=(?:at\s+least|(?:no|not)\s+more\s+than|(?:no|not)\s+less\s+than|more\s+than|"
    r"less\s+than|over|under|≥|>=|>|≤|<=|<)\s*\S+\s+(?:years?|months?)\s+(?:before|prior|ago))|"
    # "a diagnosis of MS made by a neurologist more than 3 years before enrollment", "First symptom of MS at least six
    # months before screening", "diagnosed within the 3 years before enrollment"
    r"(?P<dated>(?:(?:a|the|their|his|her)\s+)?(?:diagnos[ie]s|first\s+(?:MS\s+)?symptom(?:s|\(s\))?|"
    # "first clinical event not more than 6 months before the baseline MRI"
    r"first\s+(?:clinical\s+|demyelinating\s+)?(?:event|attack|episode)|"
    # "RMS diagnosed no more than 5 years before signing the ICF", "diagnosed with MS less than 10 years before
    # screening": the MS the participle dates (not "a malignancy diagnosed within the last 5 years")
    rf"{_MS_NAMED}\s+(?:\([^()]{{1,30}}\)\s+)?(?:(?:was|were|been|first)\s+)?diagnosed|"
    rf"diagnosed\s+with\s+(?:an?\s+)?{_MS_NAMED})(?:\s+of\s+(?:MS|multiple\s+sclerosis|RRMS|"
    r"SPMS|PPMS|relapsing(?:[\s-]+remitting)?\s+(?:MS|multiple\s+sclerosis)|(?:the\s+|a\s+)?(?:demyelinating\s+)?disease))?"
    # "Diagnosed with MS (any disease subtype) at least 6 months before": what the parenthesis says of the MS
    r"(?:\s*\([^()]{1,40}\))?"
    r"(?:(?:\s+of\s+any\s+[\w-]+(?:\s+[\w-]+)?)?(?:\s+(?:according\s+to|per|by|using)\s+[^,.;]{0,60}?)?,?"
    r"(?=\s+(?:was\s+)?(?:made|established|confirmed)))?"
    r"(?:\s+(?:was\s+)?(?:made|established|confirmed|given))?(?:\s+by\s+(?:a\s+|the\s+)?(?:[\w-]+(?:'s|’s)?\s+)?[\w-]+)?"
    # "confirmed by the participant's neurologist, made at least 1 year before"
    r"(?:,?\s+(?:and\s+)?(?:made|established))?\s+"
    r"(?=(?:at\s+least|(?:no|not)\s+more\s+than|more\s+than|less\s+than|over|under|within\s+(?:the\s+)?(?:last\s+|past\s+)?)"
    r"\s*(?:approximately\s+|about\s+)?\S+\s+(?:years?|months?)\s+(?:before|prior|ago)|"
    # "Diagnosis of MS within the last 12 months"
    r"within\s+(?:the\s+)?(?:last|past|previous|preceding)\s+\S+\s+(?:years?|months?)\b))|"
    # "whose first MS symptoms began more than 10 years before screening"
    # ("the first clear-cut symptoms of MS must have occurred at least 3 years before enrolment")
    r"(?:first\s+)?(?:clear[\s-]cut\s+)?(?:MS\s+)?symptoms?(?:\s+of\s+(?:MS|multiple\s+sclerosis))?\s+"
    r"(?:must\s+have\s+|should\s+have\s+|have\s+|had\s+)?(?:began|begun|started|appeared|occurred)\s+"
    r"(?=(?:at\s+least|(?:no|not)\s+more\s+than|"
    r"more\s+than|less\s+than|over|under)\s*\S+\s+(?:years?|months?)\s+(?:before|prior|ago))|"
    # "Diagnosis of RRMS or SPMS according to the revised McDonald criteria (2005), made at least 1 year before
    # Screening": a diagnosis dated after its criteria, set off by a comma
    r"(?P<dated_after>\b(?:a\s+|the\s+)?diagnos[ie]s\s+of\s+(?=[^.;,(]{0,80}\b(?:MS|multiple\s+sclerosis|RR?MS|SPMS|PPMS)\b)"
    r"[^.;]{0,150}?,\s*(?:made|established|confirmed)\s+"
    r"(?=(?:at\s+least|(?:no|not)\s+more\s+than|more\s+than|less\s+than|over|under|within)\s*\S+\s+(?:years?|months?)\s+"
    r"(?:before|prior|ago)))",
    re.I)
# (an episode named just before an onset: the onset is the episode's, not the disease's)
_EPISODE_BEFORE_RE = re.compile(r"\b(?:relapses?|attacks?|exacerbations?|optic\s+neuritis|episodes?)\b[^.;]{0,40}$", re.I)
DURATION_HEADING_RE = _DURATION_RE  # a parent whose items complete its duration (matcher.compile._group)
# "Onset of MS symptoms within 10 years of ...": "within" bounds the duration from above.
_WITHIN_RE = re.compile(r"\bwithin\s+(?:the\s+)?(?:(?:last|past|previous|preceding)\s+)?(?:approximately\s+|about\s+)?", re.I)
DURATION_UNITS = r"(?:years?|yrs?|months?|weeks?|days?)"


def extract_duration(ctx: Context) -> list:
    match = _DURATION_RE.search(ctx.text)
    if not match:
        return []
    if match.group("onset_within") and _EPISODE_BEFORE_RE.search(ctx.text, max(0, match.start() - 60), match.start()):
        return []  # "A current MS relapse, with onset of symptoms within the 14 days": the relapse's onset, its family
    if match.group(0).lower().endswith("duration") and any(
            e.id != "multiple_sclerosis" and e.start < match.start() for e in ctx.entities_of("CONDITION")):
        return []  # "neuropathic pain of at least three months duration": the symptom's duration, not the disease's
    measured_from = "onset" if re.search(r"onset|first\s+(?:reported\s+|clinical\s+|clear[\s-]cut\s+|MS\s+)?symptom|first\s+(?:documented\s+)?"
                                         r"(?:clinical\s+)?(?:attack|relapse|episode|(?:demyelinating\s+)?event)", ctx.text, re.I) \
        else "diagnosis"
    rules = []
    # Clauses such as "more than 10 years in patients with an EDSS of 2 or less" carry their own condition.
    # ("2 or less", "10 years or less" are bounds, not a second clause)
    clauses = re.split(r";|(?<!\d\s)\bor\s+(?=(?:more\s+than|less\s+than|at\s+least|(?:no|not)\s+more\s+than|\d))|"
                       r",\s*and\s+(?:of\s+)?(?=(?:more\s+than|less\s+than|at\s+least|(?:no|not)\s+more\s+than|\d))",
                       ctx.text[match.start():])
    sentence = [m.end() for m in re.finditer(r"\.\s+(?=[A-Z])", ctx.text, 0) if m.end() <= match.start()]
    lead = _EDSS_LEAD_RANGE_RE.search(ctx.text, sentence[-1] if sentence else 0, match.start())
    lead_range = lead and find_range(lead.group("range"))
    if lead_range:
        ctx.consume(*lead.span())
    offset = match.start()
    for clause in clauses:
        if match.group("onset_within") or (match.group("dated") or match.group("dated_after")) and (
                re.match(r"within\b", clause, re.I) or offset == match.start()
                and re.match(r"within\b", ctx.text[match.end():], re.I)):
            clause = _WITHIN_RE.sub(lambda m: "≤".ljust(len(m.group(0))), clause, count=1)  # same offsets
        found = find_range(clause, unit_re=DURATION_UNITS)
        if found:
            years = _to_years(found.range, clause[found.start:found.end])
            when = None
            edss = re.search(r"EDSS\s*(?:score\s*)?(?:of\s*)?(.{0,30})", clause[found.end:], re.I)
            if edss and (_EDSS_CONDITION_RE.search(clause[found.end:found.end + edss.end()]) or ctx.section == "exclusion"
                         and _EDSS_AND_RE.search(clause[found.end:found.end + edss.end()])):
                edss_range = find_range(re.sub(r"\bpoints?\s+", "", edss.group(1)))  # ("2.0 points or less")
                if edss_range:
                    when = Applicability(edss=edss_range.range)
            if when is None and lead_range:
                when = Applicability(edss=lead_range.range)
            rules.append(DiseaseDurationRule(polarity=ctx.base_polarity(match.start()), years=years,
                                             measured_from=measured_from, when=when))
            ctx.consume(offset + found.start, offset + found.end)
            ctx.dated.append((offset + found.start, offset + found.end))
        offset += len(clause) + 1
    if rules:
        ctx.consume(match.start(), match.end())
    return rules


def _to_years(found: Range, text: str) -> Range:
    """The range in years; "at least six months and not more than 12 years": each bound in its own unit."""
    per_year = {"m": 12, "w": 52, "d": 365}  # "with onset of the first symptom within the 90 days": not 90 years
    units = {number(m.group("value")): per_year.get(m.group("unit")[0].lower(), 1)
             for m in re.finditer(rf"(?P<value>{NUM})\s*(?P<unit>{DURATION_UNITS})", text, re.I)}
    stated = re.search(r"\b(?P<unit>months?|weeks?|days?)\b", text, re.I)
    default = per_year[stated.group("unit")[0].lower()] if stated else 1

    def years(value: Optional[float]) -> Optional[float]:
        if value is None or units.get(value, default) == 1:
            return value
        return round(value / units.get(value, default), 4)
    return Range(low=years(found.low), low_inclusive=found.low_inclusive, high=years(found.high),
                 high_inclusive=found.high_inclusive)


_ACCOMPANIED_AFTER_RE = re.compile(r"\s*(?:\([^()]*\)\s*)?(?:accompanied\s+by|associated\s+with|in\s+the\s+(?:context|"
                                   r"setting)\s+of)\s+(?:an?\s+|the\s+)?(?:fever|febrile|infection|concomitant|"
                                   r"intercurrent|elevated\s+(?:body\s+)?temperature)", re.I)
_OTHER_ATTACK_BEFORE_RE = re.compile(r"\b(?:pain|migraine|headache|panic|asthma|angina|gout|seizures?|neuralgia|"
                                     r"ischa?emic|heart|spasms?)\b[^.;]{0,50}$", re.I)
_ATTACK_FREQUENCY_RE = re.compile(r"\s+(?:per|a|each|every)\s+(?:day|week|month)\b|\s+daily\b", re.I)
_RELAPSE_RE = re.compile(r"(?<!pseudo-)(?<!pseudo\s)\b(?:relapses?|attacks?|exacerbations?)\b|"  # (a pseudo-relapse is none)
                         # "without outbreaks in the last 3 months" (translated: Spanish 'brotes'); not an infection's
                         r"(?<!herpes\s)(?<!zoster\s)(?<!HSV\s)(?<!cold\ssore\s)\boutbreaks?\b(?!\s+of\b)|"
                         # "any previous clinical event reasonably attributable to demyelination", "demyelinating event"
                         r"\bdemyelinating\s+(?:events?|episodes?)\b|\b(?:clinical|neurologic(?:al)?)\s+(?:events?|episodes?)(?=\s+(?:\w+\s+){0,3}"
                         r"(?:attributable|due|related|suggestive|consistent)\s+(?:to|with|of)\s+(?:\w+\s+){0,2}demyelinat|"
                         r"\s+of\s+(?:\w+\s+){0,2}demyelinat)|"
                         # "two clinical episodes of MS (relapses, the first included)"
                         r"\bclinical\s+(?:events?|episodes?)\s+of\s+(?:MS|multiple\s+sclerosis)\b|"
                         # a relapse is one form of neurological worsening; the rest stays in the residue (partial)
                         r"\b(?:deterioration|worsening)(?=\s+of\s+(?:the\s+)?neurologic\w*\s+(?:symptom|status|condition))",
                         re.I)
# Attacks of another kind: "transient ischemic attack", "heart attack", "panic attacks" are not MS relapses.
_OTHER_ATTACK_RE = re.compile(r"\b(?:isch(?:a)?emic|heart|cardiac|brain|panic|anxiety|asthma(?:tic)?|gout|migraine|"
                              r"hypoglyc(?:a)?emic|vasovagal|drop|sleep)\s+$", re.I)
# "Relapse will be defined as ...": a definition, not a criterion on relapses; "a relapse, defined as ...": the
# relapse asked for, then its definition
_DEFINED_INLINE_RE = re.compile(r"\s*[,(]\s*(?:which\s+is\s+|as\s+)?defined\s+as\b", re.I)
_DEFINED_AFTER_RE = re.compile(r"^\s*(?:is|will\s+be|was|are|were|shall\s+be)\s+(?:\w+\s+)?defined\b", re.I)
# The words between a count and "relapse" are not numbers: in "1 relapse in the last 1 year OR 2 relapses" (or
# "in the past 12 months or two relapses") the second relapse counts 2. Nor times: "within 14 days of the relapse
# onset" counts no relapses.
_COUNT_BEFORE_RE = re.compile(
    rf"(?:(?P<cmp>{COMPARATOR_RE})\s*)?(?<![^\W\d])(?P<n>{NUM}|a|one|any)(?![^\W\d])\s*(?P<post>or\s+more\s+)?"
    rf"(?:(?!(?:{NUM}|days?|weeks?|months?|years?)\b)[^\W\d]\w*[\s/-]+){{0,4}}$", re.I)
# ("relapse, with onset of symptoms within the 14 days before enrollment": the relapse dated by its onset)
_DATED_ONSET_RE = re.compile(r"[\s,]*(?:with\s+)?(?:(?:an?|the|its)\s+)?onset(?:\s+of\s+(?:the\s+)?(?:\w+\s+)?symptoms?)?\s+"
                             r"(?:within|no\s+more\s+than|less\s+than|in\s+the\s+(?:last|past))\b", re.I)
_NO_COUNT_RE = re.compile(r"(?:intercurrent|on-?going|ongoing|current)\s+(?:\w+\s+)?$|not\s+expected|remission(?:\s+[\w-]+){0,3}\s+$|"
                          # "a disease that could interfere with the assessment of the relapse": the relapse assessed
                          r"\b(?:assess\w*|evaluat\w*|severity|diagnosis)\s+of\s+(?:the\s+|a\s+|an\s+)?(?:MS\s+)?$|"
                          # "steroids for relapses", "for an MS relapse"
                          r"\bfor\s+(?:the\s+)?(?:treatment\s+of\s+)?(?:an?\s+)?(?:acute\s+)?(?:MS\s+|multiple\s+sclerosis\s+)?$|"
                          r"independent\s+of\s+$|"
                          # "disability progression not due to relapse": the cause of the progression, not a count
                          r"\bnot\s+(?:due|related|attributable|secondary)\s+to\s+(?:an?\s+|any\s+)?$|"
                          r"\bnot\s+(?:explained|caused)\s+by\s+(?:an?\s+|any\s+)?$|\bunrelated\s+to\s+(?:an?\s+)?$", re.I)


# "has not (fully) stabilized from a previous relapse", "recovered from any relapse": recovery, which a person checks
# (and "not yet clinically stable after a previous relapse")
_RECOVERY_BEFORE_RE = re.compile(r"\b(?:stabili[sz]\w*|recover\w*|stable)\s+(?:from|after|since|following)\s+"
                                 r"(?:an?\s+|the\s+|any\s+|their\s+|his\s+or\s+her\s+)?"
                                 r"(?:previous\s+|prior\s+|recent\s+|preceding\s+|earlier\s+|last\s+|latest\s+)?"
                                 r"(?:MS\s+)?$", re.I)


# Relapses a criterion names without asking for or against them: "progression ..., with or without superimposed
# relapses" (either way), "EDSS ... assessed away from any relapse" (how a score is taken)
_NO_RELAPSE_RULE_BEFORE_RE = re.compile(r"\bwith\s+or\s+without\s+(?:[\w-]+\s+){0,2}$|"
                                        r"\b(?:assessed|measured|scored|obtained|determined|rated)\s+(?:away\s+from|"
                                        r"outside(?:\s+of)?|not\s+during|in\s+the\s+absence\s+of)\s+(?:an?\s+|any\s+)?"
                                        r"(?:acute\s+)?(?:MS\s+)?$", re.I)
_BEGAN_WITH_RE = re.compile(r"\b(?:began|begun|started|beginning|starting)\s+with\s+(?:at\s+least\s+)?(?:\w+\s+){0,3}$", re.I)
# "... other than the qualifying event": the qualifying event is one, so another makes two
_BESIDES_QUALIFYING_RE = re.compile(r"[^.;]{0,80}?\b(?P<trigger>other\s+than|besides|apart\s+from|in\s+addition\s+to|"
                                    r"except(?:\s+for)?|before|preceding|prior\s+to)\s+"
                                    r"(?:the\s+)?(?:qualifying|index|presenting|first|initial|inaugural)\s+"
                                    r"(?:clinical\s+|demyelinating\s+)?(?:event|episode|attack|relapse)\b", re.I)


_FIRST_EVENT_BEFORE_RE = re.compile(r"\b(?:single|first|initial|isolated|only|index|qualifying|presenting)\s+"
                                    r"(?:(?:clinical|acute|neurological|demyelinating)\s+){0,2}$", re.I)
_INCLUDED_FIRST_RE = re.compile(r"\b(?:including|incl\.?|counting)\s+(?:the\s+)?(?:first|initial|qualifying|index|"
                                r"inaugural|onset)\s+(?:clinical\s+)?$", re.I)
_ATTRIBUTED_RE = re.compile(r"\s+(?:\w+\s+){0,3}?(?:attributable|due|related|suggestive|consistent|typical)\s+(?:to|with|of)\s+"
                            r"(?:\w+\s+){0,2}demyelinat\w*", re.I)
_EARLIER_BEFORE_RE = re.compile(r"\b(?:previous|prior|earlier|past)\s+(?:(?:clinical|acute|neurological)\s+){0,2}$", re.I)


# Entry into the study counted from a relapse's onset: "presenting within 72 hours of the onset of an acute relapse",
# "enrolled within 14 days after the onset of the current relapse" (a recent relapse is required; a treatment started
# within 14 days of the onset is timed by the relapse, which has no date of its own: _without_event_windows)
ENTRY_AFTER_ONSET_RE = re.compile(
    rf"(?:^\W*|\b(?:present\w*|enrol\w*|randomi[sz]\w*|screen\w*|includ\w*|inclusion|entry|enter\w*|seen|visit|"
    rf"baseline|day\s*1|consent\w*)\s+(?:\w+\s+){{0,3}}?)"
    rf"(?:within|no\s+(?:more|later)\s+than)\s+(?P<n>{NUM})\s+(?P<unit>hours?|days?|weeks?)\s+"
    r"(?:of|from|after)\s+(?:the\s+)?(?:onset|start|beginning)\s+of\s+(?:the\s+|an?\s+)?"
    r"(?:(?:acute|current|present|new|qualifying)\s+){0,2}(?:MS\s+)?(?=(?:relapse|attack|exacerbation))", re.I)


def _at_least(comparator_words: Optional[str], n: float, post: Optional[str] = None) -> tuple[int, bool]:
    """The "at least" count a stated count bound means, and whether the bound is an upper one: "fewer than 3 new T2
    lesions" holds when "at least 3" does not (the rule is then the opposite of the criterion's polarity)."""
    comparator = comparator_of(comparator_words) if comparator_words else ">="
    if comparator in ("<", "<=") and not post:
        return int(n if comparator == "<" else n + 1), True
    return int(n + 1 if comparator == ">" else n), False


_TREATMENT_OF_RE = re.compile(r"[\s-]+(?:therapy|treatment)\s+(?:with|by)\b", re.I)


_IF_A_BEFORE_RE = re.compile(r"(?:^|[.;:]\s*)(?:if|when|in\s+case\s+of)\s+(?:an?\s+|the\s+|any\s+)?(?:(?:clinical|MS|recent)\s+)?$",
                             re.I)


def extract_relapses(ctx: Context) -> list:
    rules = []
    # (not a window the disease duration read: "first MS symptoms within the previous 20 years")
    windows = [w for w in find_windows(ctx.text) if not any(s <= w.start < e for s, e in ctx.dated)]
    window_starts = [w.start for w in windows]
    mentions = list(_RELAPSE_RE.finditer(ctx.text))
    # the mentions with a count of their own, and where numbers stand: read once (per mention, a long criterion with
    # no counted mention made the search for the next one quadratic)
    counted = [i for i, m in enumerate(mentions) if _COUNT_BEFORE_RE.search(ctx.text[max(0, m.start() - 200):m.start()])]
    counted_starts = [mentions[i].start() for i in counted]
    numbers = [m.start() for m in re.finditer(r"\d|\bone\b|\btwo\b", ctx.text)]
    previous = None  # the rules of the last counted mention, and where its words end
    for index, match in enumerate(mentions):
        if index and re.fullmatch(r"[\s/(),]*(?:or\s*)?", ctx.text[mentions[index - 1].end():match.start()]):
            continue  # "relapse/attack", "attack (relapse)": one mention
        before = ctx.text[max(0, match.start() - 60):match.start()]
        if _RECOVERY_BEFORE_RE.search(before):
            ctx.unstated.append((match.start(), match.end()))  # "has not stabilized from a previous relapse"
            continue
        if _IF_A_BEFORE_RE.search(before):
            # "If a relapse was treated with corticosteroids, the month 0 visit must take place at least 30 days after
            # the last steroid dose": what holds when there was one, not a relapse required; a person reads it
            ctx.unstated.append((match.start(), match.end()))
            continue
        no_rule = _NO_RELAPSE_RULE_BEFORE_RE.search(before)
        if no_rule:
            ctx.consume(no_rule.start() + max(0, match.start() - 60), match.end())
            continue
        if ctx.section == "exclusion" and _ACCOMPANIED_AFTER_RE.match(ctx.text, match.end()):
            continue  # "Relapse accompanied by fever ... or by a concomitant infection, suggesting a pseudo-relapse":
            # what excludes is the fever or infection at the relapse the trial treats, not a relapse
        if match.group(0).lower().startswith("attack") and (
                _OTHER_ATTACK_BEFORE_RE.search(before) or _ATTACK_FREQUENCY_RE.match(ctx.text, match.end())):
            continue  # "paroxysmal facial pain with at least one attack per day": an attack of pain, not a relapse
        if _INCLUDED_FIRST_RE.search(before):
            ctx.consume(match.start(), match.end())  # "2 relapses (including the first attack)": one of those counted
            continue
        if _TREATMENT_OF_RE.match(ctx.text, match.end()):
            # "Relapse therapy with high-dose methylprednisolone within 4 weeks": the treatment's window, not a relapse's
            ctx.consume(match.start(), match.end())
            continue
        if _DEFINED_AFTER_RE.match(ctx.text[match.end():]) and not ctx.is_consumed(match.start()):
            # "A relapse is defined as new symptoms ..., not associated with fever or infection": the definition of
            # the relapses counted, no criterion of its own (its fever and infection exclude nobody)
            stop = SEGMENT_BREAK_RE.search(ctx.text, match.end())
            ctx.consume(match.start(), stop.start() if stop else len(ctx.text))
            continue
        inline = _DEFINED_INLINE_RE.match(ctx.text, match.end())
        if inline:
            # "an acute relapse, defined as new or worsening symptoms ..., in the absence of fever or infection": the
            # relapse asked for, then its definition (whose fever and infection exclude nobody)
            stop = SEGMENT_BREAK_RE.search(ctx.text, inline.end())
            ctx.consume(inline.start(), stop.start() if stop else len(ctx.text))
        if ctx._unless_before(match.start()):
            # "must stay on that dose throughout the study, unless they have a relapse": the way out of another
            # requirement, no relapse rule (read, it required a relapse of every patient); a person reads it
            ctx.unstated.append((match.start(), match.end()))
            continue
        no_count = _NO_COUNT_RE.search(before)
        dated = _DATED_ONSET_RE.match(ctx.text, match.end())
        if no_count and re.match(r"(?:on-?going|current)\b", no_count.group(0), re.I) and dated:
            no_count = None  # "A current MS relapse, with onset of symptoms within the 14 days before": one that recent
            ctx.consume(*dated.span())
        if no_count or ctx.is_consumed(match.start()) or \
                (match.group(0).lower().startswith("attack") and _OTHER_ATTACK_RE.search(before)):
            continue
        clause_from = context.clause_start(ctx.text, match.start())
        count = _COUNT_BEFORE_RE.search(before[-(match.start() - clause_from):] if match.start() > clause_from else "")
        if count and count.group("n") and re.search(r"\d[.,]\d", count.group("n")):
            count = None  # "EDSS score between 0 and 5.0 before the present relapse": a score, not a count
        min_count, at_most = 1, False
        if count and count.group("n"):
            n = number(count.group("n")) if count.group("n").lower() not in ("a", "any") else 1
            min_count, at_most = _at_least(count.group("cmp"), n, count.group("post"))
        event = not match.group(0).lower().startswith(("relapse", "attack", "exacerbation", "outbreak", "deteriorat",
                                                      "worsening"))
        if event and _FIRST_EVENT_BEFORE_RE.search(before):
            continue  # "a single clinical demyelinating event", "a first clinical episode": the CIS, a subtype
        attributed = _ATTRIBUTED_RE.match(ctx.text, match.end()) if event else None
        if attributed:  # "... event reasonably attributable to demyelination": what makes the event a relapse
            ctx.consume(*attributed.span())
        besides = _BESIDES_QUALIFYING_RE.match(ctx.text, match.end())
        # "any previous clinical event reasonably attributable to demyelination": one before the qualifying one
        second = bool(besides) or (event and _EARLIER_BEFORE_RE.search(before) is not None)
        if second:
            min_count += 1
        if besides:
            ctx.consume(besides.start("trigger"), besides.end())
        # The first later mention with a count of its own. The count is searched in the 200 characters before
        # it, not in the whole text: that made this quadratic in the text (minutes on a 10,000-character criterion).
        at = bisect_left(numbers, match.end())  # (a number between the two: "1 relapse in the last year OR 2 relapses")
        after = max(bisect_right(counted, index), bisect_right(counted_starts, numbers[at])) if at < len(numbers) \
            else len(counted)
        limit = counted_starts[after] if after < len(counted) else len(ctx.text)
        window = _window_after(windows[:bisect_left(window_starts, limit)], match.end(), ctx.text) or \
            _leading_window(ctx.text, windows)
        if _BEGAN_WITH_RE.search(before):
            window = None  # "whose disease began with at least one clinical relapse": at onset, whenever that was
        # "a clinical relapse, but not within the 24 weeks before Day 1": none in that window; the relapse itself is
        # counted in the other window (or the one of the parent criterion)
        not_within = next(((w, but) for w in windows[:bisect_left(window_starts, limit)] if w.start >= match.end()
                           for but in [_BUT_NOT_RE.search(ctx.text, max(match.end(), w.start - 20), w.start)] if but),
                          None)
        if not_within:
            excluded, but = not_within
            rules.append(RelapseRule(polarity=context.opposite(ctx.base_polarity(match.start())), min_count=1,
                                     window=excluded.window))
            ctx.consume(but.start(), excluded.end)
            if window is excluded:
                window = next((w for w in windows if w is not excluded and w.end <= excluded.start), None)
        # (from 120 characters before: "^" still matches only at the text's start)
        onset = ENTRY_AFTER_ONSET_RE.search(ctx.text, max(0, match.start() - 120), match.end()) \
            if window is None else None
        onset = onset if onset and onset.end() == match.start() else None
        if onset:
            # "presenting within 72 hours of the onset of an acute relapse": a relapse that began that recently
            n, unit = number(onset.group("n")), onset.group("unit").lower().rstrip("s") + "s"
            if unit == "hours":
                n, unit = float(-(-n // 24)), "days"  # (72 hours: 3 days)
            window = FoundWindow(window=Window(within=Duration(value=n, unit=unit), anchor="baseline"),
                                 start=onset.start("n"), end=onset.end())
        if window is None and not count and not second and not not_within:
            continue  # a relapse mention without count or window is not a rule we can state
        if window is None and STUDY_PERIOD_TIME_RE.search(ctx.text, match.end()):
            # "Any relapse during the screening period": a time of the study no record holds (read, it excluded every
            # relapse ever); a person checks it at the visit
            ctx.unstated.append((match.start(), match.end()))
            continue
        first_rule = len(rules) - (1 if not_within else 0)
        polarity = ctx.base_polarity(match.start(), window)
        rule = RelapseRule(polarity=context.opposite(polarity) if at_most else polarity, min_count=max(min_count, 1),
                           window=window.window if window else None)
        both = both_anchors(ctx.text, window.end) if window else None
        if both:  # "no relapse for at least 30 days before both screening and Day 1": one window from each
            ctx.consume(both[2], both[3])
            rule = rule.model_copy(update={"window": rule.window.model_copy(update={"anchor": both[0]})})
            rules.append(rule.model_copy(update={"window": rule.window.model_copy(update={"anchor": both[1]})}))
        rule = _of_one_subtype(ctx, match, rule)
        if rule is None:
            ctx.consume(match.start(), match.end())
            continue
        if rule not in rules:  # "onset of a relapse ... stable from relapse ... 1 month since end of relapse": one rule
            rules.append(rule)
        period = STUDY_PERIOD_TIME_RE.search(ctx.text, window.end) if window else None
        if period and not ctx.is_consumed(period.start()):
            # "Relapse within the 28 days before screening, or between screening and Study Day 1": a time of the
            # study no record holds, beside the window; a person checks it at the visit
            ctx.unstated.append(period.span())
            ctx.checks.append(period.span())
        if not event and not match.group(0).lower().startswith(("relapse", "attack", "exacerbation", "outbreak")):
            rules.append(ManualReviewRule(polarity="require" if ctx.section == "inclusion" else "exclude",
                                          category="partial", why="neurological worsening other than a relapse "
                                                                  "(e.g. progression) is not structured"))
        ctx.consume(match.start() - (len(count.group(0)) if count else 0), match.end())
        if window:
            ctx.consume(window.start, window.end)
            elliptic = _elliptic_count(ctx, windows, window, rule)
            if elliptic and elliptic[0].kind == "group" and rule in rules:
                rules[rules.index(rule)] = elliptic[0]
            else:
                rules.extend(elliptic)
        start = match.start() - (len(count.group(0)) if count else 0)
        if previous and rule.polarity == "require" and previous[0] < first_rule < len(rules) and \
                _OR_BETWEEN_RE.fullmatch(ctx.text, previous[1], start):
            rules[previous[0]:] = [_either(rules[previous[0]:first_rule], rules[first_rule:], ctx)]
            first_rule = previous[0]
        previous = (first_rule, window.end if window else match.end()) if rule.polarity == "require" else None
    return rules


# "at least 2 relapses in the previous 2 years, or 1 confirmed relapse in the previous year": two counts, either
_OR_BETWEEN_RE = re.compile(r"\s*(?:\([^()]*\)\s*)?,?\s*(?:or|and/or)\s+", re.I)


def _either(before: list, after: list, ctx: Context) -> GroupRule:
    """An any-of of two counted relapse requirements, each with what its own words add ("one relapse within
    the year (but not within 30 days)" is an all-of); a third alternative joins the any-of of the first two."""
    def alternative(unit: list):
        unit = [r.model_copy(update=_child_of(ctx)) for r in unit]
        return unit[0] if len(unit) == 1 else GroupRule(mode="all", rules=unit, **_child_of(ctx))
    if len(before) == 1 and before[0].kind == "group" and before[0].mode == "any":
        return before[0].model_copy(update={"rules": [*before[0].rules, alternative(after)]})
    return GroupRule(mode="any", rules=[alternative(before), alternative(after)], **_child_of(ctx))


_BUT_NOT_RE = re.compile(r"(?:,\s*)?\b(?:but|and)\s+not\s+$", re.I)


# "at least 2 relapses in the previous 2 years or 1 in the previous year": a second count whose noun is left out
# ("..., with at least 1 of them in the 12 months before randomization": a second requirement on the same relapses)
_ELLIPTIC_COUNT_RE = re.compile(rf"\s*,?\s*(?:(?P<conn>or|and(?:/or)?|with)\s+(?:at\s+least\s+)?(?P<n>{NUM}|one)\s+(?:or\s+more\s+)?"
                                rf"(?:(?:clinical\s+)?(?:relapses?|attacks?|exacerbations?)\s+)?"
                                rf"(?P<of>of\s+(?:them|which|these|those)\s+)?|"
                                # "..., one of which occurred within the last year": a part of the count
                                rf"(?:at\s+least\s+)?(?P<n2>{NUM}|one)\s+(?P<of2>of\s+(?:them|which|these|those)\s+))"
                                rf"(?:(?:occurring|occurred|having\s+occurred|that\s+occurred|was|were)\s+)?"
                                rf"(?=(?:in|during|within|over)\b)", re.I)


def _elliptic_count(ctx: Context, windows: list, window, rule: RelapseRule) -> list:
    elliptic = _ELLIPTIC_COUNT_RE.match(ctx.text, window.end)
    following = elliptic and next((w for w in windows if w.start >= elliptic.end() and re.fullmatch(r"(?:(?:in|during|within|over)\s+)?",
                                                                     ctx.text[elliptic.end():w.start])), None)
    if not following or re.match(r"\s*[(,]?\s*(?:but|and)\s+not\b", ctx.text[following.end:following.end + 40], re.I):
        return []  # "or one relapse within the year (but not within 30 days)": a count of its own, read as one
    ctx.consume(elliptic.start(), following.end)
    part = rule.model_copy(update={"min_count": max(int(number(elliptic.group("n") or elliptic.group("n2"))), 1),
                                   "window": following.window})
    connector = (elliptic.group("conn") or "").lower()
    if connector in ("and", "with"):
        return [part]  # "2 relapses in 2 years and 1 in the last year": both required
    # "two relapses in 3 years, one of which in the last year": both counts of the same relapses, one rule; "2
    # relapses in 2 years or 1 in the last year": either count (read as two rules, both were required)
    return [GroupRule(mode="any" if connector in ("or", "and/or") else "all", polarity=rule.polarity, rules=[
        r.model_copy(update={"polarity": "require", **_child_of(ctx)}) for r in (rule, part)])]


# "SPMS with one or more relapses in the 2 years before inclusion", "SPMS without evidence of relapse in the last 2
# years", "relapse-free SPMS (no relapse within 2 years)": relapses asked of one subtype.
_SUBTYPE_ACTIVITY_RE = re.compile(r"\s*(?:\([^()]{0,40}\)\s*)?,?\s*(?:course\s+)?(?P<how>with(?:out)?|\(\s*(?:no|with(?:out)?))"
                                  r"\s+(?:[\w-]+\s+){0,5}", re.I)
_FREE_SUBTYPE_RE = re.compile(r"\s*-?\s*free\s+", re.I)


def _of_one_subtype(ctx: Context, match: re.Match, rule):
    """In an exclusion, the relapse (or MRI activity) rule of a subtype the mention qualifies: "when" that subtype, or, for a
    subtype without relapses, the all-of "that subtype and no relapse" (None, left to a person, when no time is said).
    (In an inclusion each subtype's clause is read on its own: ``_per_subtype_activity`` in ``matcher.compile``.)"""
    if ctx.section != "exclusion":
        return rule
    subtypes = ctx.entities_of("MS_SUBTYPE")
    qualified, without = None, True
    for e in reversed(subtypes):  # "SPMS with / without ... relapses": the nearest subtype before the mention
        gap = _SUBTYPE_ACTIVITY_RE.fullmatch(ctx.text, e.end, match.start()) \
            if match.start() - 150 <= e.end <= match.start() else None
        if gap and not re.search(r"\bwith\s+or\s+without\b", gap.group(0), re.I):
            qualified, without = e, gap.group("how").lower().lstrip("( ") != "with"
            break
    if qualified is None:  # "relapse-free SPMS"
        qualified = next((e for e in subtypes if match.end() <= e.start <= match.end() + 20
                          and _FREE_SUBTYPE_RE.fullmatch(ctx.text, match.end(), e.start)), None)
    if qualified is None:
        return rule
    members = get_lexicon().subtype_members(qualified.id)
    if without and rule.window is None:
        # "SPMS without relapses or MRI activity (non-active SPMS)": with no time, the quiet subtype is no rule (every
        # SPMS began with relapses); a person reads it
        ctx.unstated.append((qualified.start, match.end()))
        return None
    if without:
        for e in subtypes:  # the subtype, and its restatement ("(non-active SPMS)"), are read
            if get_lexicon().subtype_members(e.id) == members:
                inactive = _INACTIVE_BEFORE_RE.search(ctx.text, max(0, e.start - 20), e.start)
                ctx.consume(inactive.start() if inactive else e.start, e.end)
        return GroupRule(mode="all", polarity="exclude", rules=[
            SubtypeRule(polarity="require", subtypes=members, **_child_of(ctx)),
            rule.model_copy(update={"polarity": "exclude", **_child_of(ctx)})])
    return rule.model_copy(update={"when": Applicability(subtypes=members)})


def _child_of(ctx: Context) -> dict:
    """The fields a rule nested in a group takes from its criterion."""
    return {"criterion_id": ctx.criterion_id, "section": ctx.section, "text": ctx.text, "span": ctx.span}


_PAREN_RE = re.compile(r"\([^()]*\)")


def _window_after(windows, position: int, text: str, reach: int = 120):
    """The nearest window after a mention, in the same clause; else the nearest one before it."""
    # (a parenthesis of examples between is no distance: "MS relapse, or a course of high-dose corticosteroids (e.g.
    # intravenous methylprednisolone ...), within the 30 days"; the windows come in order, so the first that fits is
    # the nearest, and none after a ";" or far beyond the reach fits: each text is read once, not per window)
    for w in windows:
        if w.start < position:
            continue
        if w.start - position > 8 * reach or ";" in text[position:w.start]:
            break
        if w.start - position <= reach or len(_PAREN_RE.sub("", text[position:w.start])) <= reach:
            return w
    # (not across a clause: "... within the 4 weeks before screening; subjects who relapse between ...")
    before = [w for w in windows if w.end <= position and position - w.end <= 40
              and not re.search(r"[;]|\.\s", text[w.end:position])]
    return before[-1] if before else None


# (not the scan: "because of the gadolinium-enhanced MRI scans")
_GD_RE = re.compile(r"(?:gadolinium|\bgd)\s*[-+]?\s*(?:enhanced\b(?!\s+(?:brain\s+|cranial\s+|spinal\s+)?(?:MRI|MR\b|scans?|"
                    r"imaging|images?|sequences?|examinations?|stud(?:y|ies)|T1[\s-]*weighted))|enhanc(?!ed\b)\w*|positive|\+|"
                    r"lesion)|\bgd\+|\bgde\b|(?-i:\bGELs?\b)|"
                    r"\bT1\s+(?:gd|enhanc)|enhancing\s+(?:T1\s+)?lesion", re.I)
# (a FLAIR-hyperintense lesion is a T2 lesion, on the sequence most centres read them)
_T2_RE = re.compile(r"new\s+(?:or\s+(?:newly\s+)?enlarg\w+\s+)?(?:T2|FLAIR)(?:[\s-]+hyperintens\w*)?|new\s+T2|(?:T2|FLAIR)(?:[\s-]+hyperintense)?\s+"
                    r"(?:MRI\s+)?lesions?", re.I)
_ACTIVITY_RE = re.compile(r"\bMRI\s+activity|radiolog\w+\s+activity|MRI\s+lesion\s+activity", re.I)
_LESION_COUNT_RE = re.compile(rf"(?:(?P<cmp>{COMPARATOR_RE})\s*)?(?<![\w.])(?P<n>\d+|one|two|three|four|five|six|ten)\s*(?:or\s+more\s+)?(?:\w+[\s-]+){{0,3}}$", re.I)


# a count between two bounds before the lesions: "at least 1 and no more than 15", "between 1 and 9", "1 to 9", "1-9",
# "1 or 2 new T2 lesions"
_LESION_RANGE_RE = re.compile(rf"(?:(?:at\s+least|a\s+minimum\s+of|between|from)\s+|>=\s*|≥\s*)?(?<![\w.])(?P<lo>\d+|one|two)\s*"
                              rf"(?:and|to|-|–|but|or)\s*(?P<cmp>(?:no\s+more\s+than|not\s+more\s+than|at\s+most|a\s+maximum\s+of|"
                              rf"fewer\s+than|less\s+than|up\s+to|<=|≤|<)\s*)?(?P<hi>\d+)\s+(?:\w+[\s-]+){{0,3}}$", re.I)
_SCAN_RE = re.compile(r"\b(?:on|at|in)\s+(?:the\s+|either\s+of\s+the\s+|(?:any|one)\s+of\s+the\s+|both\s+)?"
                      r"(?:(?:first|second|initial|two|2)\s+)?(?P<at>screening|baseline)\s+(?:brain\s+)?(?:MRI|scan|imaging)|"
                      # "on the brain MRI performed at the screening visit"
                      r"\b(?:on|at|in)\s+(?:the|a)\s+(?:brain\s+)?(?:MRI|scan)(?:\s+scan)?\s+(?:performed|done|obtained|"
                      r"taken|acquired)\s+(?:at|during)\s+(?:the\s+)?(?P<at2>screening|baseline)(?:\s+visit)?",
                      re.I)


def extract_mri(ctx: Context) -> list:
    rules = []
    windows = find_windows(ctx.text)
    gd = _GD_RE.search(ctx.text)
    t2 = _T2_RE.search(ctx.text)
    if t2 and not re.search(r"\bnew\b", t2.group(0), re.I):
        t2 = None  # lesion load / burden is not activity
    found = [(m, kind) for m, kind in ((gd, "gd_enhancing"), (t2, "new_t2")) if m]
    if not found:
        found = [(m, "any") for m in _ACTIVITY_RE.finditer(ctx.text)]
    if gd and t2 and _alternatives_joined(ctx.text, gd, t2):
        found = [(min(gd, t2, key=lambda m: m.start()), "any")]  # ">=1 new T2 or Gd-enhancing lesion"
    for match, lesion in found:
        if ctx.is_consumed(match.start()):
            continue  # "SPMS with superimposed relapses or MRI activity": the subtype's activity
        between = _LESION_RANGE_RE.search(ctx.text[max(0, match.start() - 60):match.start()])
        if between:  # "at least 1 and no more than 15 Gd+ lesions", "1 to 9 Gd+ lesions": both bounds (the upper below)
            min_count, at_most = int(number(between.group("lo"))), False
        else:
            count = _LESION_COUNT_RE.search(ctx.text[max(0, match.start() - 40):match.start()])
            min_count, at_most = _at_least(count.group("cmp"), number(count.group("n"))) if count else (1, False)
        window = _window_after([w for w in windows if not _RELAPSE_BEFORE_RE.search(ctx.text[:w.start])],
                               match.end(), ctx.text, reach=200)
        same = _SAME_PERIOD_RE.search(ctx.text, match.end(), match.end() + 120) if window is None else None
        if same and windows and windows[0].start < match.start():
            # "a relapse in the 12 months before randomization, or a Gd+ lesion in the same period"
            window = FoundWindow(windows[0].window, same.start(), same.end())
        window = window or _leading_window(ctx.text, windows)
        scan = _SCAN_RE.search(ctx.text, match.end()) if window is None else None
        if scan:  # "on the screening MRI": the scan at that visit
            ctx.consume(scan.start(), scan.end())
        polarity = ctx.base_polarity(match.start(), window)
        rule = _of_one_subtype(ctx, match, MriActivityRule(
            polarity=context.opposite(polarity) if at_most else polarity, lesion=lesion, min_count=min_count,
            window=window.window if window else Window(within=Duration(value=0, unit="days"),
                                                       anchor=anchor_of(scan.group("at") or scan.group("at2")))
            if scan else None))
        if rule is None:
            ctx.consume(match.start(), match.end())
            continue
        rules.append(rule)
        if between and rules[-1].kind == "mri_activity":  # (the count above the maximum, excluded on that window)
            above = _at_least(between.group("cmp") or "<=", number(between.group("hi")))[0]
            rules.append(rules[-1].model_copy(update={"min_count": above,
                                                      "polarity": context.opposite(rules[-1].polarity)}))
        ctx.consume(match.start(), match.end())
        if window:
            ctx.consume(window.start, window.end)
    return rules


def _leading_window(text: str, windows: list) -> Optional[FoundWindow]:
    """"In the last 12 months, one or more relapses or one or more signs of MRI activity": a window opening the
    criterion, set off by a comma, times all the activity after it."""
    first = windows[0] if windows else None
    if first and re.fullmatch(r"[\W\d]*(?:(?:in|during|within|over)\s+)?", text[:first.start], re.I) \
            and re.match(r"\s*,", text[first.end:]):
        return first
    # ("Radiological activity in the 12 months before screening, i.e. at least one new or enlarging T2 lesion ...":
    # the activity the items define, timed before them)
    if first and _ACTIVITY_HEAD_RE.fullmatch(text, 0, first.start) and _DEFINED_BY_ITEMS_RE.match(text, first.end):
        return first
    return None


# (and "No signs of disease activity during the last 12 months of natalizumab treatment: no relapses, no new ...")
_ACTIVITY_HEAD_RE = re.compile(r"[\W\d]*(?:no\s+)?(?:(?:evidence|signs?)\s+of\s+)?(?:(?:radiolog\w*|MRI|imaging|"
                               r"neuroradiolog\w*|clinical\s+(?:or|and|and/or)\s+radiolog\w*)\s+(?:disease\s+)?|disease\s+)"
                               r"activity\s+(?:(?:in|during|within|over)\s+)?(?:the\s+)?(?:(?:last|past|previous|preceding)\s+)?",
                               re.I)
_DEFINED_BY_ITEMS_RE = re.compile(r"(?:\s+of\s+(?:[\w-]+\s+){1,3}?(?:treatment|therapy))?"
                                  r"\s*(?:,\s*)?(?:i\.\s?e\.|that\s+is|defined\s+as|namely|:|\(|"
                                  r"(?:seen|shown|evidenced|documented|manifested)\s+(?:as|by)\b)", re.I)


_SAME_PERIOD_RE = re.compile(r"\b(?:in|within|during|over)\s+(?:the\s+)?same\s+(?:time\s+)?(?:period|time\s*frame|"
                             r"interval|window)\b", re.I)
# "a relapse within the last year and/or a new T2 lesion": the window right after a relapse mention is the relapse's.
_RELAPSE_BEFORE_RE = re.compile(r"\b(?:relapses?|attacks?|exacerbations?)\s*(?:\([^()]*\)\s*)?"
                                r"(?:(?:within|in|during|over)(?:\s+the)?\s*)?$", re.I)


def _alternatives_joined(text: str, gd: re.Match, t2: re.Match) -> bool:
    """"new T2 or Gd-enhancing lesion", "new or enlarging T2 hyperintense lesion or gadolinium enhancing lesion":
    the two lesion types as alternatives of one count."""
    first, second = sorted((gd, t2), key=lambda m: m.start())
    between = text[first.end():second.start()]
    return len(between) < 50 and bool(re.search(r"\bor\b|/", between)) and not re.search(r"[;.]|\band\b", between)


_OCB_RE = re.compile(r"oligoclonal", re.I)


def extract_csf(ctx: Context) -> list:
    match = _OCB_RE.search(ctx.text)
    if not match:
        return []
    ctx.consume(match.start(), match.end())
    for m in re.finditer(r"\bCSF\b|cerebrospinal\s+fluid|positive|bands?|banding", ctx.text, re.I):
        ctx.consume(m.start(), m.end())
    return [CsfOligoclonalBandsRule(polarity=ctx.base_polarity(match.start()))]
