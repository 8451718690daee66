"""Compile: segmented criteria -> typed rules.  No patient here.

Every criterion comes out with at least one rule.  What no family can state becomes a
``manual_review`` rule holding the text; a criterion only partly structured gets its structured rules
plus a ``manual_review`` rule (category ``partial``) for the rest.  Nothing is dropped.
"""

from __future__ import annotations

import re
from contextvars import ContextVar
from datetime import date
from functools import lru_cache
from typing import Optional

from .. import __version__
from ..errors import NoCriteriaError
from ..models.rules import (AgeRule, Applicability, CompiledCriterion, ConditionRule, GroupRule, HealthyVolunteersRule,
                            ManualReviewRule, PriorDrugRule, Range, RuleSet, SexRule, SubtypeRule, WashoutRule, Window)
from ..models.trial import Criterion, Trial
from ..segment import ALL_COHORT_RE, BESIDE_OTHERS, OTHER_PERSONS_RE, SUBSTUDY_RE, segment
from . import context
from .context import Context
from .nlp import find_entities
from ..lexicon import get_lexicon
from .families import FAMILIES, restates_inclusion
from .families.disease import DURATION_HEADING_RE, ENTRY_AFTER_ONSET_RE, extract_mri, extract_relapses, extract_sex
from .families.condition_wording import SEGMENT_BREAK_RE, item_end
from .families.treatment import (AT_ENROLLMENT, FREQUENCY, NO_WASHOUT, SHARED_DURATION, minimum_duration,
                                 untimed_period)
from .quantities import NUM, anchor_of, find_windows, has_event_anchor, number, stated_anchor

__all__ = ["compile_trial", "compile_text", "compile_criterion"]

COMPILER_VERSION = f"msmatch-compiler/{__version__}"

_MARKS = str.maketrans({"®": " ", "™": " ", "©": " "})
_RESTATED_NUMBER_RE = re.compile(r"\b(?P<word>one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|"
                                 r"eighteen|twenty|thirty|forty|fifty|sixty|ninety)\s*\(\s*\d{1,3}\s*\)", re.I)
_STRATIFIED_RE = re.compile(r"(?:^|(?<=[.;]))\s*(?:Note\s*:\s*)?(?:(?:the\s+)?(?:randomi[sz]ation|participants|patients|"
                            r"subjects)\s+(?:will\s+be|is|are)\s+stratified|stratification|strata)\b[^.;]*[.;]?", re.I)
# Words that carry no condition of their own: what is left of a criterion after the families
# consumed their spans is "residue"; content words in the residue make the criterion partial.
_FILLER = set("""
a an the of and or with without within in on at to for from by as is are be been being was were has have had
any all other others who which that this these those their his her its they them than then such e g eg i ie
patient patients subject subjects participant participants person persons people individual individuals reference
volunteer volunteers
men women male female males females adult adults child children
must should will would may can could shall also either both each per including include includes included namely
known prior previous previously history anamnesis current currently ongoing before after during since until ever
treatment treatments treated therapy therapies therapeutic use used using received receiving receipt take taking
drug drugs medication medications agent agents
diagnosis diagnosed confirmed documented evidence defined definition according criteria criterion
disease form forms type clinical clinically positive negative presence present active test tests result results
months month weeks week days day years year time times period last past preceding following screening baseline
visit entry study enrollment enrolment inclusion randomization randomisation trial dose first level levels
count score value total mg kg ml not no only least more less greater equal above below up over under ms
multiple sclerosis scale status expanded disability edss mri lesion lesions new t2 t1 gd
revised revision committee lublin reingold polman thompson et al international pediatric paediatric group ipmssg
eligible provided example recent activity
""".split())
_STRONG_JUDGEMENT_RE = re.compile(
    r"opinion\s+of\s+the\s+(?:\w+\s+)?investigator|investigator'?s?\s+(?:opinion|judge?ment|discretion)|"
    r"(?:judge?ment|discretion)\s+of\s+the\s+(?:\w+\s+)?investigator|investigators?\s+opinion|"
    r"in\s+the\s+(?:\w+\s+)?(?:opinion|judge?ment)\s+of|investigator\s+(?:considers|feels|believes)|"
    r"(?:considered|determined|deemed|judged|assessed)\s+by\s+the\s+(?:\w+\s+)?investigator", re.I)
# The registry's closing disclaimer, which some records list as a criterion of its own.
_BOILERPLATE_RE = re.compile(r"\binformation\s+is\s+not\s+intended\s+to\s+contain\s+all\s+considerations\b", re.I)
# A note that only allows something ("Note: a diagnosis of MS made within the 3 years before enrollment is allowed;
# such participants are assigned to ...") states no criterion; one that sets a condition on it does
_NOTE_ALLOWS_RE = re.compile(r"^\s*(?:\*\*)?note\b[^.;]*?\b(?:(?:is|are)\s+(?:also\s+)?(?:allowed|permitted|acceptable|"
                             r"eligible)|may\s+(?:be\s+)?(?:enrolled|included|participate|eligible)|remain\s+eligible|"
                             # "Note: modafinil may reduce the effectiveness of hormonal contraceptives": a fact
                             r"(?:may|can|might)\s+(?:reduce|increase|decrease|affect|alter|interact|lower|raise)|"
                             r"(?:is|are)\s+known\s+to|"
                             # "Note: no washout is needed for interferon beta or glatiramer acetate"
                             rf"{NO_WASHOUT})\b",
                             re.I)
# a row of a washout table: "interferon beta or glatiramer acetate | no washout required"
# ("interferon beta or glatiramer acetate | none; may be continued until randomization")
_NO_WASHOUT_ROW_RE = re.compile(rf"^[^.;:|]{{1,150}}[:|]\s*(?:{NO_WASHOUT}|none|not\s+(?:required|needed|applicable)|n/?a|"
                                # ("interferon beta or glatiramer acetate | no minimum time")
                                r"no\s+(?:minimum\s+)?(?:time|interval|period|wash[\s-]?out)(?:\s+required)?\s*[.;]?\s*$)\b",
                                re.I)
_NOTE_SETS_RE = re.compile(r"\b(?:must|unless|provided|only\s+if|if|not\s+(?:allowed|permitted|eligible)|excluded)\b", re.I)
# Consent and notification criteria are administrative whatever else they mention ("sign the consent form
# prior to any study procedure").
_CONSENT_RE = re.compile(r"informed\s+consent|consent\s+form|\bto\s+be\s+notified\b|\bgive\s+(?:written\s+)?consent|"
                         # "Subjects who have given written consent to participate in this study by their own free will"
                         r"\b(?:have|has)\s+given\s+(?:their\s+)?(?:written\s+)?consent\b", re.I)
# "who are able to understand the study and give informed consent": the consent clause after who the patients are
_ABLE_TO_CONSENT_RE = re.compile(r",?\s*\b(?:who|and)\s+(?:are|is)\s+(?:able|willing)\b.*$", re.I | re.S)
_WHO_WORDS_RE = re.compile(r"\b(?:aged|age|years|men|women|males?|females?)\b", re.I)
# ... unless consent only dates something else ("18 to 55 years of age at the time of signing the informed consent").
_CONSENT_AS_TIME_RE = re.compile(
    # (and "at the moment of the signature of the informed consent", as translated)
    r"(?:(?:at\s+the\s+(?:time|moment)\s+of|prior\s+to|before|after|when|upon|on)\s+(?:(?:the\s+)?(?:signing|giving|"
    r"providing|obtaining|signature)(?:\s+of)?)|at\s+the\s+(?:time|moment)\s+of|(?:days?|weeks?|months?|years?)\s+(?:of|from)\s+(?:signing|giving|"
    r"providing|obtaining))\s+(?:the\s+|of\s+)?(?:written\s+)?(?:informed\s+consent|consent)"
    r"(?:\s+form)?|"
    # "as of the date the informed consent is signed", "in the 2 years before the date of informed consent"
    r"(?:\b(?:as\s+of|on|at|by|before|prior\s+to|of|from|after)\s+)?the\s+(?:date|day)\s+(?:(?:that|when|on\s+which)\s+)?(?:the|of|of\s+signing\s+the)\s+"
    r"(?:written\s+)?(?:informed\s+)?consent(?:\s+form)?(?:\s+(?:is|was|has\s+been)\s+signed)?|"
    # "aged 18 to 55 years (inclusive) when the informed consent is signed"
    r"\b(?:when|once|as|at\s+the\s+time(?:\s+that)?)\s+(?:the\s+)?(?:written\s+)?(?:informed\s+)?consent(?:\s+form)?\s+"
    r"(?:is|was|has\s+been)\s+"
    r"(?:signed|given|obtained)|"
    # "aged from 18 up to and including 55 years when they sign the informed consent form"
    r"\b(?:when|once|as|at\s+the\s+time)\s+(?:they|he\s+or\s+she|the\s+(?:participant|patient|subject))\s+"
    r"(?:sign|signs|signed|give|gives|gave|provide|provides|provided)\s+(?:the\s+)?(?:written\s+)?(?:informed\s+)?"
    r"consent(?:\s+form)?", re.I)
_FOLLOWING_HEADING_RE = re.compile(r"\b(?:any|one|either|all|each)\s+(?:\w+\s+){0,2}?of\s+the\s+following\b", re.I)
# a parent that defines the course it names: "Meets the 2009 Okuda criteria for RIS, i.e.:", "RRMS, defined as:"
_DEFINED_COURSE_RE = re.compile(r"\b(?:i\.\s?e\.|namely|defined\s+(?:as|by)|(?:meets?|meeting|fulfils?|fulfills?|fulfilling|"
                                r"satisf(?:y|ies|ying))\b[^.;:]{0,80}\bcriteria)", re.I)
_FOLLOWING_DRUGS_RE = re.compile(r"\bthe\s+following\s+(?:[\w-]+\s+){0,2}?(?:DMTs?|drugs|medications|medicines|therapies|"
                                 r"treatments|agents)\b", re.I)
_K_OF_N_RE = re.compile(rf"\b(?:at\s+least\s+)?(?P<k>{NUM})\s+(?:\(\d\)\s+)?(?:out\s+)?of\s+(?:the\s+)?(?:following|these)\b",
                        re.I)
# (an untreated arm its parenthesis defines: "either untreated (no disease-modifying therapy during the 3 months
# before ...) or"; not "may be untreated, or may continue one of the following", which is untreated by those)
_UNTREATED_OR_RE = re.compile(r"\b(?:either\s+)?untreated\s*\((?P<paren>[^()]{0,150})\)\s*,?\s*or\b", re.I)
# "treated with one of the following immunotherapies, or untreated (no DMT for at least 6 months):": the untreated
# arm after the items' heading; the items are the treatment now
_OR_UNTREATED_RE = re.compile(r",?\s*\bor\s+untreated\s*\((?P<paren>[^()]{0,150})\)\s*:?\s*$", re.I)
_TREATED_WITH_ITEMS_RE = re.compile(r"\b(?:treated|on\s+treatment)\s+with\s+(?:one|any)\s+of\s+the\s+following\b", re.I)
_ANY_OF_RE = re.compile(r"\b(?:at\s+least\s+(?:1|one)|one\s+or\s+more|any\s+(?:one\s+)?of|either|"
                        r"(?:1|one)\s+of\s+the)\b", re.I)
_ITEMS_NEEDED_RE = re.compile(rf"{_ANY_OF_RE.pattern}|(?P<all>\b(?:both|(?:all|each)\s+(?:of\s+)?the\s+following)\b)", re.I)


# "For participants with relapsing-remitting MS, ...", "In patients with SPMS:": a cohort named at the head of a criterion
_COHORT_LEAD_RE = re.compile(r"^\s*(?:for|in|among)\s+(?:(?:the\s+)?(?:participants?|patients?|subjects?|those|individuals|"
                             r"people)\s+(?:with|who\s+have)\s+)(?P<cohort>[^,:;()]{2,80}?)\s*[,:]\s*", re.I)

# "For NMOSD and MOG antibody-associated disease: a positive serum test ...": an item of the participants with that
# disease, named without a word for them (only a disease other than MS: _other_disease_cohort)
_DISEASE_LEAD_RE = re.compile(r"^\s*for\s+(?P<cohort>[^,:;()]{2,80}?)\s*:\s*", re.I)
# a cohort at the head of a criterion: "Patients with SPMS", "Participants who have PPMS"
_COHORT_HEAD = r"^\s*(?:participants?|patients?|subjects?|those|individuals{people})\s+(?:with|who\s+have)\s+" \
               r"(?P<cohort>[^,:;()]{{2,60}}?)"
# "Patients with SPMS: the progressive phase must have begun ...": a cohort heading the criterion, set off by a colon
_COLON_COHORT_RE = re.compile(_COHORT_HEAD.format(people="|people") + r"\s*:\s*", re.I)
# "Participants with SPMS must have a documented history of ...": a cohort named as the subject of what it must meet
_SUBJECT_COHORT_RE = re.compile(_COHORT_HEAD.format(people="") +
                                r"\s+(?=(?:must|should|shall|need\s+to|are\s+required\s+to)\b)", re.I)
# "For participants taking part in the MRI sub-study: ...": what follows holds for that part of the study only
_SUBSTUDY_LEAD_RE = re.compile(r"^\s*(?:for|in|among)\s+(?P<cohort>[^,:;()]{0,60}?\bsub-?stud(?:y|ies)\b[^,:;()]{0,20}?)"
                               r"\s*[,:]\s*", re.I)


# "Cohort 1: relapsing-remitting MS, ...; Cohort 2: primary progressive MS ...": cohorts a trial labels, each by a course
_COHORT_LABEL = r"(?:cohort|group|arm|part|stratum)\s+(?P<label>[A-Z0-9]{1,3})\b"
_COHORT_DEFINED_RE = re.compile(rf"\b{_COHORT_LABEL}\s*(?:\([^()]{{0,40}}\)\s*)?[:–-]\s*(?P<definition>[^;.\n]{{3,200}})", re.I)
# "Cohort 2 only: ...", "For Cohort 2: ...", "In participants of group B, ...": a criterion of one labelled cohort
_LABELLED_COHORT_LEAD_RE = re.compile(rf"^\s*(?:(?:for|in)\s+(?:(?:participants?|patients?|subjects?)\s+(?:in|of)\s+)?)?"
                                      rf"(?:the\s+)?{_COHORT_LABEL}(?:\s+only)?\s*[:,]\s*", re.I)
# the trial's labelled cohorts while its criteria compile (label -> the words that define it)
_TRIAL_COHORTS: ContextVar[dict] = ContextVar("trial_cohorts", default={})
# the headings of the trial's only patients named by course, and the scope their criteria take (see sole_cohorts)
_SOLE_COHORTS: ContextVar[tuple[frozenset, tuple[str, ...]]] = ContextVar("sole_cohorts", default=(frozenset(), ()))
# whether the trial takes people beside its patients (healthy volunteers, controls, carers)
_TAKES_OTHERS: ContextVar[bool] = ContextVar("takes_others", default=False)
# "For patients: an MS relapse ... within 30 days": an item of the patients of a trial that takes others too
_PATIENTS_LEAD_RE = re.compile(r"^\s*(?:for|in)\s+(?:the\s+)?(?:patients|participants\s+with\s+(?:MS|multiple\s+"
                               r"sclerosis)|MS\s+(?:patients|participants))\s*:\s*", re.I)
# "Inclusion Criteria specific for subjects with rrMS:", "Additional criteria for patients with PPMS:": an item that
# heads the criteria of one cohort
_HEADING_COHORT_RE = re.compile(r"\b(?:inclusion|exclusion|eligibility)\s+criteria\b|\badditional\s+(?:\w+\s+)?"
                                r"criteria\b|\bcriteria\s+specific\b", re.I)
# every phenotype a patient may have: the patients of a study that also takes people without one
_PATIENT_COURSES = ("CIS", "RRMS", "SPMS", "PPMS", "RIS")


def sole_cohorts(criteria: list[Criterion], beside: bool) -> tuple[frozenset, tuple[str, ...]]:
    """The headings that name the trial's only patients by course ("Inclusion criteria specific for subjects with
    rrMS:", "Patients with clinically isolated syndrome:"), when no heading names patients of another course, and the
    scope their criteria take: every patient ``beside`` other people (healthy volunteers by the trial's structured
    field, or a heading of others), none otherwise. Scoped to the course they name, the course their items require was a tautology: a patient
    of another course passed the block as not applicable and could be found eligible for a trial that cannot take them."""
    texts: dict[Optional[str], list[str]] = {}  # (a heading item's own text is a cohort of its items)
    stack = [(criterion, criterion.cohort) for criterion in criteria]
    while stack:
        criterion, cohort = stack.pop(0)
        heading = criterion.children and criterion.text.rstrip().endswith(":") and \
            _cohort_subtypes(criterion.text) and _HEADING_COHORT_RE.search(criterion.text)
        stack[:0] = [(child, criterion.text if heading else cohort) for child in criterion.children]
        texts.setdefault(criterion.text if heading else cohort, []).extend([] if heading else [criterion.text])
    cohorts = {cohort for cohort in texts if cohort}
    courses = {cohort: _cohort_subtypes(cohort.removesuffix(BESIDE_OTHERS)) for cohort in cohorts
               if not OTHER_PERSONS_RE.fullmatch(cohort)}
    named = {subtypes for subtypes in courses.values() if subtypes}
    if len(named) != 1:
        return frozenset(), ()
    # (not where a criterion of all participants requires the course: "Participants must be either: a. patients with
    # RRMS ..., or b. reference subjects" beside "Additional inclusion criteria for patients with RRMS:" scopes nothing
    # twice; the block keeps its course)
    lexicon = get_lexicon()
    (course,) = named
    def requires_course(whose) -> bool:
        return any(set(lexicon.subtype_members(entity.id)) <= set(course) for cohort in texts if whose(cohort)
                   for text in texts[cohort] for entity in find_entities(text) if entity.label == "MS_SUBTYPE")

    # (and only where the block itself requires its course, which its scope made a tautology)
    if requires_course(lambda cohort: cohort is None or ALL_COHORT_RE.match(cohort)) or \
            not requires_course(lambda cohort: cohort is not None and courses.get(cohort)):
        return frozenset(), ()
    return frozenset(cohort for cohort, subtypes in courses.items() if subtypes), _PATIENT_COURSES if beside else ()


def takes_others(criteria: list[Criterion]) -> bool:
    """Whether headings of the trial name people beside its patients ("Healthy volunteers:", "Patients:" beside them)."""
    stack = list(criteria)
    while stack:
        criterion = stack.pop(0)
        stack[:0] = criterion.children
        if criterion.cohort and (criterion.cohort.endswith(BESIDE_OTHERS) or OTHER_PERSONS_RE.fullmatch(criterion.cohort)):
            return True
    return False


def labelled_cohorts(criteria: list[Criterion]) -> dict[str, str]:
    """The cohorts the criteria label and define by course ("Cohort 2: primary progressive MS ..."), when each names a
    course and no two share one (cohorts told apart by dose or treatment cannot be scoped by course)."""
    found: dict[str, str] = {}
    stack = list(criteria)
    while stack:
        criterion = stack.pop(0)
        stack[:0] = criterion.children
        for defined in _COHORT_DEFINED_RE.finditer(criterion.text):
            found.setdefault(defined.group("label").upper(), defined.group("definition"))
    courses = {label: set(_cohort_subtypes(definition)) for label, definition in found.items()}
    labels = list(courses)
    if len(labels) < 2 or not all(courses.values()) or any(
            courses[a] & courses[b] for i, a in enumerate(labels) for b in labels[i + 1:]):
        return {}
    return found


def compile_text(text: str, section: str, criterion_id: str = "", span: tuple[int, int] = (0, 0),
                 rule_prefix: Optional[str] = None) -> list:
    """Compile one criterion's text into rules (at least one)."""
    common = {"criterion_id": criterion_id, "section": section, "text": text, "span": span}
    text = text.translate(_MARKS)  # "AVONEX® treatment": the mark is no part of a word (offsets kept)
    # "Note: randomization is stratified by age (younger than 50 years, or 50 years and older)": how the trial
    # groups its patients, no criterion (read, it required an age under 50); blanked, offsets kept
    text = _STRATIFIED_RE.sub(lambda m: " " * len(m.group(0)), text)
    # "at least three (3) months": the digits restate the number word (blanked, offsets kept)
    text = _RESTATED_NUMBER_RE.sub(lambda m: m.group("word") + " " * (len(m.group(0)) - len(m.group("word"))), text)
    # "Participants may have CIS or established MS.": what it allows is not required (blanked, offsets kept)
    text = _PERMITS_RE.sub(lambda m: m.group(0) if _PERMITS_SETS_RE.search(m.group(0)) else " " * len(m.group(0)), text)
    # "Patients already treated with carbamazepine can be included", "...; patients with an acute relapse may be
    # included once they have been relapse-free for 30 days": who may join is no requirement (read, it required the
    # drug, or the relapse the sentence before excludes). After the criterion it lets some patients in, whom a person
    # checks; as the whole criterion with a condition ("... may be included provided that ...") it is read as it is.
    allowed_if = []

    def _permitted(found: re.Match) -> str:
        if text[:found.start()].strip():
            allowed_if.append(" ".join(found.group(0).strip(" .;").split()))
        elif _PERMISSION_CONDITION_RE.search(found.group(0)):
            return found.group(0)
        return " " * len(found.group(0))

    text = _MAY_BE_INCLUDED_RE.sub(_permitted, text)
    if allowed_if:
        # (the criterion read without them, whatever path it takes, and each for a person)
        inner = [rule.model_copy(update={"text": common["text"]})
                 for rule in compile_text(text, section, criterion_id, span, rule_prefix)]
        notes = [ManualReviewRule(**common, polarity=_default_polarity(section), category="partial",
                                  why=f"lets some patients in, whom a person checks: '{allowed}'") for allowed in allowed_if]
        return [_number(rule, rule_prefix, n) for n, rule in enumerate([*inner, *notes], start=1)]
    if not re.search(r"\w", text):
        return [_number(ManualReviewRule(**common, why="only permits something: no criterion of its own",
                                         category="administrative", polarity=_default_polarity(section)), rule_prefix, 1)]
    patients = _PATIENTS_LEAD_RE.match(text) if _TAKES_OTHERS.get() else None
    if patients and re.search(r"\w", text[patients.end():]):
        # (read for everyone, the patients' relapse window bound the volunteers)
        inner = compile_text(" " * patients.end() + text[patients.end():], section, criterion_id, span)
        return [rule.model_copy(update={"text": common["text"]}) for rule in _of_cohort(inner, "patients" + BESIDE_OTHERS)]
    lead = _COHORT_LEAD_RE.match(text) or _SUBSTUDY_LEAD_RE.match(text) or _SUBJECT_COHORT_RE.match(text) or \
        _COLON_COHORT_RE.match(text)
    if lead and SUBSTUDY_RE.search(lead.group("cohort")):
        return _of_cohort(compile_text(" " * lead.end() + text[lead.end():], section, criterion_id, span, rule_prefix),
                          lead.group("cohort"))
    if lead and _cohort_subtypes(lead.group("cohort")) and re.search(r"\w", text[lead.end():]):
        # "For participants with relapsing-remitting MS, the disease must be active, ...": what follows holds for that
        # cohort (read for everyone, it required RRMS of the SPMS cohort the next criterion names)
        inner = compile_text(" " * lead.end() + text[lead.end():], section, criterion_id, span, rule_prefix)
        return [rule.model_copy(update={"text": common["text"]}) for rule in _of_cohort(inner, lead.group("cohort"))]
    labelled = _LABELLED_COHORT_LEAD_RE.match(text)
    cohort = _TRIAL_COHORTS.get().get(labelled.group("label").upper()) if labelled else None
    if cohort and re.search(r"\w", text[labelled.end():]) and not _cohort_subtypes(text[labelled.end():]):
        # "Cohort 2 only: an MS relapse, or a gadolinium-enhancing lesion, within the 5 years before Screening", where
        # another criterion defines "Cohort 2: primary progressive MS or non-active secondary progressive MS": for the
        # patients of that cohort's courses (read for everyone, it excluded the relapsing cohort's recent relapses)
        inner = compile_text(" " * labelled.end() + text[labelled.end():], section, criterion_id, span, rule_prefix)
        return [rule.model_copy(update={"text": common["text"]}) for rule in _of_cohort(inner, cohort)]
    lead = lead or _DISEASE_LEAD_RE.match(text)
    if lead and lead.re in (_COHORT_LEAD_RE, _DISEASE_LEAD_RE) and _other_disease_cohort(lead.group("cohort")):
        # "For subjects with SCI: a stable neurological injury at level T1 or below ...": the item of a cohort with
        # another disease (read for everyone, the injury was required of every MS patient); a person checks whom it
        # concerns
        return [_number(ManualReviewRule(**common, polarity=_default_polarity(section), category="clinical",
                                         why=f"a criterion of the cohort with {lead.group('cohort').strip()}: a person "
                                             f"checks whether it applies"), rule_prefix, 1)]
    ctx = Context.of(text, section, criterion_id, span)
    if restates_inclusion(ctx):
        # "Males unable to fulfill the above criteria and all female patients": the pointer back, plus what it adds
        added = [rule.model_copy(update=common) for rule in extract_sex(ctx)]
        return [_number(rule, rule_prefix, n) for n, rule in enumerate([*added, ManualReviewRule(
            **common, why="restates the inclusion criteria (check them for this subtype)", category="clinical",
            polarity=_default_polarity(section))], start=1)]
    if _BOILERPLATE_RE.search(text):
        return [_number(ManualReviewRule(**common, why="registry boilerplate, not a criterion: nothing to check",
                                         category="administrative", polarity=_default_polarity(section)), rule_prefix, 1)]
    if (_NOTE_ALLOWS_RE.search(text) or _NO_WASHOUT_ROW_RE.match(text)) and not _NOTE_SETS_RE.search(text):
        return [_number(ManualReviewRule(**common, why="a note that allows something or states a fact: no criterion of its own",
                                         category="administrative", polarity=_default_polarity(section)), rule_prefix, 1)]
    if _CONSENT_RE.search(_CONSENT_AS_TIME_RE.sub(" ", text)) and not context.has("NEGATION", text):
        able = _ABLE_TO_CONSENT_RE.search(text)
        if able and section == "inclusion" and _WHO_WORDS_RE.search(text[:able.start()]):
            # "Men and women aged 18 years or older who are able to understand the study and give informed consent":
            # the age and sex before the consent clause are read; the consent is confirmed with the patient
            inner = compile_text(text[:able.start()] + " " * (len(text) - able.start()), section, criterion_id, span,
                                 rule_prefix)
            if any(r.kind in ("age", "sex") for r in inner):
                kept = [r.model_copy(update={"text": common["text"]}) for r in inner if r.kind != "manual_review"]
                return [_number(rule, rule_prefix, n) for n, rule in enumerate([*kept, ManualReviewRule(
                    **common, why="consent: confirm with the patient", category="partial",
                    polarity=_default_polarity(section))], start=1)]
        return [_number(ManualReviewRule(**common, why="administrative or consent criterion: confirm with the patient",
                                         category="administrative", polarity=_default_polarity(section)), rule_prefix, 1)]
    for conditional in (_bound_of_those_switching, _ever_in_those_with, _of_those_treated, _in_combination) \
            if section == "exclusion" else ():
        rules = conditional(text, criterion_id, span)  # a clause whose rules hold for some patients only
        if rules:
            return [_number(rule.model_copy(update=common), rule_prefix, n) for n, rule in enumerate(rules, start=1)]
    either = (_either_clauses(text, criterion_id, span) or _asked_of_those_treated(text, criterion_id, span)) \
        if section == "inclusion" else []
    if either:
        return [_number(rule.model_copy(update=common), rule_prefix, n) for n, rule in enumerate(either, start=1)]
    judged = None
    judgement = _STRONG_JUDGEMENT_RE.search(text)
    whole_judgement = lambda: ManualReviewRule(  # noqa: E731 (built only when the criterion needs it)
        **common, why="needs the investigator's judgement", category="judgement", polarity=_default_polarity(section))
    if judgement:
        judged = _judged_item(text, section, judgement)
        if judged is None:
            return [_number(whole_judgement(), rule_prefix, 1)]
        ctx = Context.of(text[:judged[0]] + " " * (judged[1] - judged[0]) + text[judged[1]:], section, criterion_id,
                         span)
    for moment in _CONSENT_AS_TIME_RE.finditer(text):
        ctx.consume(moment.start(), moment.end())  # a point in time, not a requirement of its own
    for start, end in _indifferent_to_treatment(ctx):
        ctx.consume(start, end)  # "whether on DMT or not": no criterion on the treatment
    rules = []
    for extract in FAMILIES:
        rules.extend(extract(ctx))
    rules = _qualified_by_unread(ctx, _without_event_windows(ctx, rules))
    rules = [rule.model_copy(update=common)
             for rule in _alternatives(_per_subtype_activity(_one_group_per_quiet_subtype(rules), ctx), ctx)]
    if judged and not rules:
        rules = [whole_judgement()]
    elif not rules:
        rules = [ManualReviewRule(**common, polarity=_default_polarity(section), **_manual_reason(text))]
    elif judged:
        residue = _residue(ctx)  # words outside the judged item that no rule took are named too
        rest = f"; not structured: '{' '.join(residue[:12])}'" if residue else ""
        rules.append(ManualReviewRule(**common, polarity=_default_polarity(section), category="partial",
                                      why=f"needs the investigator's judgement: '{text[judged[0]:judged[1]].strip()}'"
                                          f"{rest}"))
    else:
        # a proviso no rule took ("latent tuberculosis unless treated") lets some patients in: a person reads it
        provisos = [m for m in context.UNLESS_RE.finditer(text) if not ctx.is_consumed(m.start())]
        # (only a proviso the rules took nothing of: "unless it was a basal cell carcinoma" is the rule's exception;
        # and only in a criterion of one item: in "ALT > 1.5 x ULN; bilirubin > 1.5 x ULN unless due to Gilbert's
        # syndrome" it lifts the last one, and a person's check on the others would undo decided exclusions)
        rules = _washout_or_shorter(ctx, _unread_alternative(ctx, rules, common), common)
        rules = _age_qualified(ctx, rules, common)
        if provisos and section == "exclusion" and not ctx.touches_consumed(provisos[0].end(), len(text)) \
                and not _ITEMS_BEFORE_RE.search(text, 0, provisos[0].start()) \
                and not _TREATMENT_PROVISO_RE.match(text, provisos[0].end()) \
                and any(_liftable(rule) for rule in rules):
            rules = _unless_read(rules, text[provisos[0].start():].strip(" .;"), common)
            ctx.consume(provisos[0].start(), len(text))  # read by the person each rule now asks
        else:
            for proviso in provisos:  # (one whose words a rule read as its exception is read)
                stop = SEGMENT_BREAK_RE.search(text, proviso.end())
                if ctx.touches_consumed(proviso.end(), stop.start() if stop else len(text)):
                    ctx.consume(*proviso.span())
                else:
                    ctx.unstated.append(proviso.span())
        residue = _residue(ctx)
        # a time no rule read ("..., one of which in the last year"): its words are filler, the time is not
        unread = [text[w.start:w.end] for w in find_windows(text) if not ctx.touches_consumed(w.start, w.end)]
        # what the record cannot show, in filler words ("latent tuberculosis that has not been treated", "or during
        # the screening period"): a person checks it (not twice, where a rule already asks one)
        checks = [" ".join(text[a:b].split()) for a, b in ctx.checks] \
            if not residue and not any(r.kind == "manual_review" for r in rules) else []
        if residue or unread or checks:
            parts = ([f"'{' '.join(residue[:12])}'"] if residue else []) + \
                    ([f"a time no rule read: '{unread[0].strip()}'"] if unread else []) + \
                    ([f"'{checks[0]}' (the record cannot show it)"] if checks else [])
            rules.append(ManualReviewRule(**common, polarity=_default_polarity(section), category="partial",
                                          why=f"part of the criterion is not structured: {'; '.join(parts)}"))
    return [_number(rule, rule_prefix, n) for n, rule in enumerate(rules, start=1)]


# "Natalizumab within 6 months, or at any time in participants with an anti-JCV antibody index above 1.5": the drug
# ever, for those patients only
_EVER_IN_RE = re.compile(r",?\s*\bor\s+(?:at\s+any\s+time|ever|regardless\s+of\s+timing)\s+(?:(?:in|for|among)\s+"
                         r"(?=(?:the\s+)?(?:participants?|patients?|subjects?|those|individuals|people)\s+"
                         r"(?:with|who|whose|having|testing)\b)|if\s+|when\s+|where\s+)(?P<rest>.+?)[\s.;]*$", re.I | re.S)


def _ever_in_those_with(text: str, criterion_id: str, span: tuple[int, int]) -> list:
    """The drug rules of the clause before "or at any time in participants with X", and an excluded all-of: the drug
    ever, and X (as the clause states it, or for a person). Read apart, X alone excluded patients never exposed
    ("an anti-JCV index above 1.5" excluded every JCV-positive patient). [] when the clause before names no drug."""
    ever_in = _EVER_IN_RE.search(text)
    if ever_in is None:
        return []
    before = compile_text(text[:ever_in.start()], "exclusion", criterion_id, span)
    drugs = [r for r in before if r.kind in ("washout", "prior_drug") and r.polarity == "exclude"]
    if not drugs:
        return []
    rest = ever_in.group("rest")
    stated = compile_text(rest, "inclusion", criterion_id, span)
    condition = [r for r in stated if r.kind != "manual_review"]
    if len(condition) < len(stated):  # a part no rule states ("who stopped it because of liver toxicity")
        condition.append(ManualReviewRule(polarity="require", category="clinical", text=rest,
                                          why=f"{rest}: check it for patients who ever had the drug"))
    ever = PriorDrugRule(polarity="require", text=text[:ever_in.start()].strip(" ,;"),
                         drugs=list(dict.fromkeys(d for r in drugs for d in r.drugs)),
                         classes=list(dict.fromkeys(c for r in drugs for c in r.classes)))
    return [*before, GroupRule(mode="all", polarity="exclude", rules=[ever, *[r.model_copy(update={"polarity": "require"})
                                                                           for r in condition]])]


_THOSE = r"(?:the\s+|an?\s+)?(?:participants?|patients?|subjects?|those|individuals|people)"
_TREATED = (r"(?:(?:previously|currently|ever|already|recently)\s+)?(?:treated\s+with|exposed\s+to|receiving|received|"
            r"taking|taken|on|using|used)\b")
_WHO_ARE = r"(?:who\s+(?:are|were|have|had|has)\s+(?:been\s+)?)"
# "an anti-JCV antibody index above 1.5 in participants previously treated with natalizumab", "... and who have
# previously received immunosuppressant therapy", "You have a JCV index above 1.5 and you have been treated with
# natalizumab for more than 2 years"
_TREATED_AFTER_RE = re.compile(rf"^(?P<main>.+?)\s*,?\s*(?:\b(?:in|among|for)\s+{_THOSE}\s+{_WHO_ARE}?|"
                               rf"\band\s+(?:{_WHO_ARE}|(?:you|they|he|she)\s+(?:are|were|have|had|has)\s+(?:been\s+)?))"
                               rf"(?P<not>not\s+)?(?P<treated>{_TREATED}.+?)[\s.;]*$", re.I | re.S)
# "Participants receiving natalizumab who have persistent anti-drug antibodies, or an anti-JCV index above 0.9"
_TREATED_BEFORE_RE = re.compile(rf"^{_THOSE}\s+{_WHO_ARE}?(?P<treated>{_TREATED}.+?)\s+(?:who\s+(?:have|has|had|are|show)|with)\s+"
                                rf"(?P<main>.+?)[\s.;]*$", re.I | re.S)
_OR_ALTERNATIVE_RE = re.compile(r",\s*(?:and/)?or\s+", re.I)
# "Smoking of more than 15 cigarettes a day in women older than 35 years"
_AGED_AFTER_RE = re.compile(r"^(?P<main>.+?)\s*,?\s*\b(?:in|among|for)\s+(?P<treated>(?:women|men|females?|males?|"
                            r"participants?|patients?|subjects?|those)\s+(?:who\s+are\s+)?(?:older|younger|aged|over|"
                            r"under|above|below)\b.+?)[\s.;]*$", re.I | re.S)
_SCOPES = ((_TREATED_AFTER_RE, ("prior_drug", "washout")), (_TREATED_BEFORE_RE, ("prior_drug", "washout")),
           (_AGED_AFTER_RE, ("age",)))


def _of_those_treated(text: str, criterion_id: str, span: tuple[int, int]) -> list:
    """What excludes only patients on (or once on) a drug, or of an age: an excluded all-of of the scope and what
    the clause states ("smoking in women older than 35 years" read apart excluded every woman over 35).
    Read apart, "a JCV index above 1.5 in participants previously treated with natalizumab" excluded every
    JCV-positive patient, natalizumab or not. A trailing scope reaches the last alternative ("History of PML, or a
    JCV index above 1.5 in participants taking natalizumab"); a leading subject reaches all of them. [] when the
    scope names no drug alone."""
    for pattern, kinds in _SCOPES:
        found = pattern.match(text)
        scope = compile_text(found.group("treated"), "exclusion", criterion_id, span) if found else []
        if scope and all(r.kind in kinds and r.polarity == "exclude" for r in scope):
            break
    else:
        return []
    after = pattern is not _TREATED_BEFORE_RE
    parts = _OR_ALTERNATIVE_RE.split(found.group("main"))
    flat, scoped = (parts[:-1], parts[-1:]) if after else ([], parts)
    drugs = {d for r in scope for d in getattr(r, "drugs", [])}
    # ("INR above 1.5 in a subject not receiving anticoagulants": the scope holds for those off the drug)
    unexposed = bool(found.groupdict().get("not"))
    groups = []
    for part in scoped:
        stated = [r for r in compile_text(part, "exclusion", criterion_id, span)
                  if not (r.kind in ("prior_drug", "washout") and set(r.drugs) <= drugs and not r.classes)]
        if not stated or all(r.kind == "manual_review" for r in stated):
            if pattern is _AGED_AFTER_RE:
                return []  # "or above 3.5 ng/mL in men aged 50 or older": the criterion is read whole
            # "Neutralizing antibodies to interferon beta in participants previously treated with interferon beta":
            # a person checks the clause for the treated; read whole, every treated patient was excluded
            stated = [ManualReviewRule(polarity="require", category="clinical", text=part,
                                       why=f"{part.strip()}: check it for patients {'off' if unexposed else 'on'} "
                                           f"the drug")]
        groups.append(GroupRule(mode="all", polarity="exclude", rules=[
            *[r.model_copy(update={"polarity": "exclude" if unexposed else "require"}) for r in scope],
            *[r.model_copy(update={"polarity": "require"}) for r in stated]]))
    return [r for part in flat for r in compile_text(part, "exclusion", criterion_id, span)] + groups


# "Patients previously treated with a cytotoxic agent (mitoxantrone, cyclophosphamide or similar) must have normal
# bone marrow morphology ...": asked of the treated only
# (the past only: "Patients treated with interferon beta must have been on it for 6 months" asks for use now)
_ASKED_OF_TREATED_RE = re.compile(r"^\s*(?:patients?|participants?|subjects?|those)\s+(?:who\s+(?:were|had\s+been)\s+"
                                  r"(?:previously\s+)?|(?:who\s+have\s+been\s+)?(?:previously|ever)\s+)(?:treated\s+with|"
                                  r"exposed\s+to)\s+(?P<treated>[^;.]+?)\s+(?P<main>must\s+(?:have|be)\b[^;]+?)[\s.]*$",
                                  re.I | re.S)


_STOPPED_ASKED_RE = re.compile(r"\b(?:stopped|discontinued|ceased|interrupted|washed\s+out|completed)\b", re.I)


def _asked_of_those_treated(text: str, criterion_id: str, span: tuple[int, int]) -> list:
    """In an inclusion, what is asked of the patients once treated with a drug: no such treatment, or what is asked
    (read as written the drug was required, and every untreated patient failed)."""
    found = _ASKED_OF_TREATED_RE.match(text)
    scope = [r for r in (compile_text(found.group("treated"), "inclusion", criterion_id, span) if found else [])
             if r.kind != "manual_review"]  # ("or similar": the class named covers them)
    if not scope or not all(r.kind == "prior_drug" and r.polarity == "require" and not r.current for r in scope) \
            or _STOPPED_ASKED_RE.search(found.group("main")):
        return []  # ("... must have stopped that therapy before ...": not on it now, which the drug family reads)
    asked = [r for r in compile_text(found.group("main"), "inclusion", criterion_id, span) if r.kind != "manual_review"]
    if not asked:
        asked = [ManualReviewRule(polarity="require", category="clinical", text=found.group("main"),
                                  why=f"for the patients treated with it: '{found.group('main').strip()[:120]}'")]
    return [GroupRule(mode="any", polarity="require", rules=[
        *[r.model_copy(update={"polarity": "exclude"}) for r in scope], *asked])]


# "Either a diagnosis of RRMS or SPMS, or, for healthy control participants, no history of neurological disease"
_EITHER_RE = re.compile(r"^\s*either\s+(?P<first>[^;]+?),\s*or\s*,?\s+(?P<second>[^;]+?)[\s.]*$", re.I | re.S)
# ("for healthy control participants, ...": whom the alternative is for, which its own rules say)
_ALTERNATIVE_FOR_RE = re.compile(r"^\s*(?:for|in)\s+(?:the\s+)?[^,;]{0,50}?\b(?:participants?|patients?|subjects?|"
                                 r"controls?|volunteers?|individuals)\s*,\s*", re.I)


# ("Either no DMT, or the same DMT without interruption, for at least the 6 months before screening": the duration
# set off by a comma after the second clause is both clauses', which neither clause read alone would keep)
_SHARED_DURATION_RE = re.compile(rf"{SHARED_DURATION}{NUM}\b[^,;]*?[\s.]*$", re.I)


# ("..., or the same disease-modifying treatment used without change during those 12 months")
_SAME_PERIOD_ARM_RE = re.compile(r"^\s*(?:on\s+|taking\s+|receiving\s+)?the\s+same\s+[^,;]{0,80}?"
                                 r"\b(?:during|over|for|in|throughout)\s+(?:all\s+(?:of\s+)?)?(?:those|these|that|the\s+same)\s+"
                                 r"(?:\S+\s+)?(?:days|weeks|months|years|period|time)\b", re.I)


def _either_clauses(text: str, criterion_id: str, span: tuple[int, int]) -> list:
    """"Either A, or B" in an inclusion: an any-of of the clauses, each one's rules together (read whole, both were
    required: "either RRMS or SPMS, or, for healthy controls, no neurological disease" admitted no one). [] unless
    each clause states a rule."""
    either = _EITHER_RE.match(text)
    if either is None:
        return []
    if _SHARED_DURATION_RE.search(either.group("second")):
        return []  # (the treatment family reads the arms with the time they share)
    clauses, leftover = [], []
    for name in ("first", "second"):
        clause = either.group(name)
        lead = _ALTERNATIVE_FOR_RE.match(clause)
        same = _SAME_PERIOD_ARM_RE.match(clause) if name == "second" else None
        untreated = clauses[0] if clauses else None
        if same and isinstance(untreated, WashoutRule) and untreated.polarity == "exclude" and untreated.window.within:
            # "Either no DMT during the 12 months before screening, or the same DMT used without change during those
            # 12 months": the untreated arm's window is the treated arm's time on it (what follows goes to a person)
            targets = {"drugs": untreated.drugs, "classes": untreated.classes}
            rest = re.sub(r"^(?:and|but)\s+", "", clause[same.end():].strip(" ,;."))
            clauses.append(PriorDrugRule(polarity="require", **targets, current=True,
                                         min_duration=untreated.window.within))
            if rest:
                leftover.append(ManualReviewRule(polarity="require", category="partial",
                                                 why=f"part of the criterion is not structured: '{rest}'"))
            continue
        rules = compile_text(clause[lead.end():] if lead else clause, "inclusion", criterion_id, span)
        if all(r.kind == "manual_review" for r in rules):
            return []
        if untreated is not None and untreated.kind in ("prior_drug", "washout") and untreated.polarity == "exclude":
            # "Either no DMT, or interferon beta at an unchanged dose for at least 3 months": beside the untreated arm,
            # the treated arm is the use ("if on it, stable" read alone, its "not on it now" let in any other DMT)
            rules = [_treated_arm(rule) for rule in rules]
        clauses.append(rules[0] if len(rules) == 1 else GroupRule(mode="all", polarity="require", rules=rules))
    return [GroupRule(mode="any", polarity="require", rules=clauses), *leftover]


def _treated_arm(rule):
    """The required use of an "if on X, on it for N" any-of (not on X now, or on X for N); any other rule as it is."""
    if isinstance(rule, GroupRule) and rule.mode == "any" and len(rule.rules) == 2:
        absent, used = rule.rules
        if isinstance(absent, PriorDrugRule) and isinstance(used, PriorDrugRule) and absent.polarity == "exclude" \
                and absent.current and used.polarity == "require" \
                and (absent.drugs, absent.classes) == (used.drugs, used.classes):
            return used.model_copy(update={"text": rule.text})
    return rule


_IN_COMBINATION_RE = re.compile(r"\s+in\s+combination\s+with\s+", re.I)


def _in_combination(text: str, criterion_id: str, span: tuple[int, int]) -> list:
    """"Anti-JCV antibody index above 1.5 in combination with natalizumab treatment for more than 24 months, or ...":
    each clause that joins two findings "in combination with" excludes only with both (an excluded all-of; read apart,
    every patient on natalizumab that long was excluded). [] unless a clause joins two and one of them is structured."""
    if not _IN_COMBINATION_RE.search(text):
        return []
    out = []
    for clause in re.split(r",\s*or\s+", text):
        joined = _IN_COMBINATION_RE.search(clause)
        if joined is None:
            out.extend(compile_text(clause, "exclusion", criterion_id, span))
            continue
        parts = [compile_text(piece, "exclusion", criterion_id, span)
                 for piece in (clause[:joined.start()], clause[joined.end():])]
        if all(r.kind == "manual_review" for part in parts for r in part):
            return []
        out.append(GroupRule(mode="all", polarity="exclude", rules=[
            r.model_copy(update={"polarity": context.opposite(r.polarity) if r.kind != "manual_review" else "require"})
            for part in parts for r in part]))
    return out


# "Absolute lymphocyte count < 800/mm3, unless transitioning from fingolimod (in which case < 200/mm3)"
_SWITCHING_BOUND_RE = re.compile(
    r"^(?P<main>.+?)[\s,]*\bunless\s+(?:the\s+)?(?:(?:participant|patient|subject)s?\s+)?(?:is\s+|are\s+)?"
    r"(?:switching|transitioning|coming|changing)\s+(?:directly\s+)?from\s+(?P<drug>[^,;()]+?)\s*(?:,|\()?\s*"
    r"(?:in\s+which\s+case|then|for\s+whom|where)\s+(?:the\s+(?:limit|threshold|cut-?off)\s+is\s+)?(?P<bound>[^;()]+?)\)?[\s.;]*$",
    re.I | re.S)
_COMPARATOR_WORD_RE = re.compile(r"\b(?:below|under|less\s+than|lower\s+than|above|over|greater\s+than|more\s+than)\b|[<>≤≥]",
                                 re.I)


def _bound_of_those_switching(text: str, criterion_id: str, span: tuple[int, int]) -> list:
    """A lab bound with another bound for patients switching from a drug: the other bound for everyone (a count
    below it is below the first too), and the first for those not on the drug (an excluded all-of). [] when the
    parts are not one lab bound each and a drug (the criterion is then read whole, with what no rule states)."""
    found = _SWITCHING_BOUND_RE.match(text)
    if found is None:
        return []
    main = found.group("main")
    first = compile_text(main, "exclusion", criterion_id, span)
    comparator = _COMPARATOR_WORD_RE.search(main)
    if len(first) != 1 or first[0].kind != "lab" or comparator is None:
        return []
    other = compile_text(main[:comparator.start()] + found.group("bound"), "exclusion", criterion_id, span)
    drugs = [e for e in find_entities(found.group("drug")) if e.label in ("DRUG", "DRUG_CLASS")]
    if len(other) != 1 or other[0].kind != "lab" or other[0].test != first[0].test or not drugs:
        return []
    bound = other[0] if other[0].unit else other[0].model_copy(update={"unit": first[0].unit})
    switching_from = PriorDrugRule(polarity="exclude", current=True, text=found.group("drug"),
                                   drugs=[e.id for e in drugs if e.label == "DRUG"],
                                   classes=[e.id for e in drugs if e.label == "DRUG_CLASS"])
    return [bound, GroupRule(mode="all", polarity="exclude", rules=[first[0].model_copy(update={"polarity": "require"}),
                                                                     switching_from])]


# An item of a criterion left to the investigator, beside items stated plainly: in an inclusion a conjunct ("relapse-free
# for 30 days and, in the investigator's judgement, stable"), in an exclusion an alternative ("history of PML, or an
# increased risk of PML as determined by the investigator"). The connector opens the item; it is either set off by a
# comma or opens a statement of stability, so that a relation over the whole list ("cardiac disease or arrhythmia that
# in the opinion of the investigator would interfere") stays judgement throughout.
_JUDGED_CONNECTOR = {"inclusion": r"and", "exclusion": r"or"}
_SENTENCE_STOP_RE = re.compile(r"(?<=[a-z0-9)])\.\s+(?=[A-Z])")
_SHARED_WINDOW_RE = re.compile(r"\s*,\s*(?:within|during|in\s+the\s+(?:last|past|previous|preceding))\b", re.I)
_STABILITY_RE = re.compile(r"\b(?:stable|stabili[sz]ed|stability)\b", re.I)


def _judged_item(text: str, section: str, judgement: re.Match) -> Optional[tuple[int, int]]:
    """The span of the one item of ``text`` that the investigator's judgement governs, from its connector to the end
    of the criterion (or, for a stability set off by commas in an inclusion, to the next comma), or None when the
    judgement is not confined to one item."""
    word = _JUDGED_CONNECTOR.get(section)
    if not word:
        return None
    # a bare comma opens an item only in an inclusion (a stability set off by commas)
    # ("Current major depression or active suicidal ideation; any other psychiatric illness that, in the opinion of
    # the investigator, ...": a semicolon sets an item apart as well)
    # (a sentence of its own after the first: "... for at least 6 months. A temporary interruption ... is permitted at
    # the investigator's discretion.")
    stops = list(_SENTENCE_STOP_RE.finditer(text, 0, judgement.start()))
    if stops and text[:stops[-1].start()].strip():
        following = _SENTENCE_STOP_RE.search(text, judgement.end())
        return stops[-1].start(), following.start() + 1 if following else len(text)
    connectors = [c for c in re.finditer(rf"(?P<comma>,\s*)?\b{word}\b(?P<after>\s*,)?|(?P<bare>,)|(?P<semi>;)",
                                         text[:judgement.start()], re.I)
                  if (section == "inclusion" or not c.group("bare"))
                  # (not the comma of the judgement's own phrase: "..., as judged by the investigator")
                  and not (c.group("bare") and re.fullmatch(r"\s*(?:as|if|when)?\s*", text[c.end():judgement.start()]))]
    if not connectors or not text[:connectors[-1].start()].strip(" ,;"):
        return None
    connector = connectors[-1]
    apart = [c for c in connectors if c.group("comma") or c.group("semi")]
    if not (connector.group("comma") or connector.group("after") or connector.group("semi") or connector.group("bare")) \
            and apart and text[:apart[-1].start()].strip(" ,;") \
            and not re.search(r"[;.]", text[apart[-1].end():judgement.start()]):
        # ("..., or uncontrolled serious disease of the heart, liver, kidney, lung or other major organ system in the
        # opinion of the investigator": the item opens at the ", or" before its own list)
        connector = apart[-1]
    end = len(text)
    shared = _SHARED_WINDOW_RE.match(text, judgement.end())
    if connector.group("bare"):
        following = text.find(",", judgement.end())
        end = following if following >= 0 else end
    elif shared:
        end = judgement.end()  # "..., or severe depression as judged by the investigator, within 3 months": shared
    item = text[connector.start():end]
    between = text[connector.end():judgement.start()]
    if "(" in between and ")" not in between:
        return None  # the judgement sits in a parenthesis that opened inside the item: kept whole
    stated_apart = connector.group("comma") or connector.group("after") or connector.group("semi")
    if not (stated_apart or _STABILITY_RE.search(item)):
        return None
    return connector.start(), end


_ACTIVITY_KINDS = ("relapse_activity", "mri_activity")


def _activity_kind(rule) -> Optional[str]:
    """The kind of activity a rule asks, also of a group of counts of one kind ("two relapses in 3 years, one of
    which in the last year", "2 relapses in 2 years or 1 in the last year")."""
    if rule.kind in _ACTIVITY_KINDS:
        return rule.kind
    kinds = {child.kind for child in rule.rules} if rule.kind == "group" else set()
    return kinds.pop() if len(kinds) == 1 and kinds <= set(_ACTIVITY_KINDS) else None


# "or" joining alternatives, not the "or" of a bound ("one or more", "more or equal")
_OR_RE = re.compile(r"(?<!\bmore )(?<!\bgreater )(?<!\bless )\bor\b(?!\s+(?:more|greater|less|fewer)\b)", re.I)


_RELAPSE_WORD_RE = re.compile(r"\b(?:relapses?|attacks?|exacerbations?)\b", re.I)
_MRI_WORD_RE = re.compile(r"\b(?:lesions?|MRI|scans?|gadolinium|Gd\w*|T[12])\b", re.I)


def _or_between_kinds(text: str) -> bool:
    """An "or" between a relapse and an MRI alternative ("a relapse in the last year or a Gd+ lesion"), not the
    "or" of a lesion type ("a relapse and a new T2 or gadolinium-enhancing lesion") nor a list's closing "or". In a
    list ("a relapse, a Gd+ lesion, or a new T2 lesion"; "a relapse ..., with an MRI showing lesions, or a Gd+
    lesion") the items are compared by what each names first."""
    marks = sorted([(m.start(), "relapse") for m in _RELAPSE_WORD_RE.finditer(text)] +
                   [(m.start(), "mri") for m in _MRI_WORD_RE.finditer(text)])

    def first(start: int, end: int):
        return next((kind for at, kind in marks if start <= at < end), None)

    # ("namely at least one of the following: a) not less than 1 relapse during the last 12 months; b) ...; c) ... T1
    # gadolinium-enhancing lesion ...": items the heading makes alternatives)
    heading = _ONE_OF_ITEMS_RE.search(text)
    if heading and len({kind for at, kind in marks if at > heading.end()}) > 1:
        return True
    for connector in _OR_RE.finditer(text):
        commas, at = [], connector.start()
        for comma in reversed(list(_LIST_COMMA_RE.finditer(text, 0, at))):
            if re.search(r"\band\b|[;.:]", text[comma.end():at]):
                break
            commas.append(comma)
            at = comma.start()
        if commas or text[:connector.start()].rstrip().endswith(","):
            opening = max((m.end() for m in re.finditer(r"[;:.]\s", text[:at])), default=0)
            bounds = [opening, *sorted(c.end() for c in commas), connector.end()]
            kinds = [first(a, b) for a, b in zip(bounds, [*bounds[1:], len(text)])]
            kinds = [k for k in kinds if k]
            if len(set(kinds)) > 1:
                return True
            continue
        before = [kind for at, kind in marks if at < connector.start()]
        after = [kind for at, kind in marks if at >= connector.end()]
        if before and after and before[-1] != after[0]:
            return True
        if text[:connector.start()].rstrip().endswith(";"):
            # ("a relapse within 12 months, with a prior MRI showing lesions; or a Gd+ lesion within 6 weeks": the
            # clauses "; or" joins, compared by what each names first)
            semicolon = text.rfind(";", 0, connector.start())
            opening = max((m.end() for m in re.finditer(r"[;:.]\s", text[:semicolon])), default=0)
            kinds = first(opening, semicolon), first(connector.end(), len(text))
            if None not in kinds and kinds[0] != kinds[1]:
                return True
    return False


_WITH_EITHER_RE = re.compile(r",?\s*\b(?:with|and|plus)\s+(?:either|(?:at\s+least\s+)?one\s+of\s+the\s+following)\b\s*:?",
                             re.I)
_ONE_OF_ITEMS_RE = re.compile(r"\b(?:at\s+least\s+one|one|any|either)\s+of\s+the\s+following\b[^.;:]{0,40}:", re.I)
# a comma between items of a list, not one that opens a qualifier ("a relapse, with a new T2 or Gd+ lesion")
_LIST_COMMA_RE = re.compile(r",(?!\s*(?:with|and|including|which|who|in|within|during|over|before|after|prior)\b)\s*", re.I)


def _alternatives(rules: list, ctx: Context) -> list:
    """Activity rules joined by "or" in an inclusion ("relapses or MRI activity") are any-of."""
    activity = [r for r in rules if _activity_kind(r) and r.polarity == "require"]
    if ctx.section != "inclusion" or len({_activity_kind(r) for r in activity}) < 2 or \
            not _or_between_kinds(ctx.text):
        return rules  # two relapse counts ("at least 2 attacks and 1 in the last year") are both required
    with_either = _WITH_EITHER_RE.search(ctx.text)
    if with_either:
        # "At least one relapse in the 2 years before screening, with either: (a) a relapse in the 12 months ..., or
        # (b) a Gd+ lesion in the 6 months ...": what comes before "with either" is required, the rest are alternatives
        head = {(w.window.within, w.window.anchor) for w in find_windows(ctx.text[:with_either.start()])}
        required = [r for r in activity if getattr(r, "window", None) and (r.window.within, r.window.anchor) in head]
        if required and len(activity) - len(required) >= 2:
            activity = [r for r in activity if r not in required]
    group = GroupRule(mode="any", rules=[r.model_copy(update={"criterion_id": ctx.criterion_id, "section": ctx.section,
                                                               "text": ctx.text, "span": ctx.span}) for r in activity])
    first = rules.index(activity[0])
    rest = [r for r in rules if r not in activity]
    return rest[:first] + [group] + rest[first:]


def _one_group_per_quiet_subtype(rules: list) -> list:
    """"SPMS without relapse or MRI activity in the 2 years": the relapse and the MRI family each give the all-of
    "SPMS and none of mine"; the subtype is excluded only without either, so the two are one all-of."""
    merged: list = []
    at: dict[tuple, int] = {}
    for rule in rules:
        first = rule.rules[0] if rule.kind == "group" and rule.mode == "all" and rule.polarity == "exclude" else None
        key = tuple(first.subtypes) if first and first.kind == "ms_subtype" and first.polarity == "require" else None
        if key is None or key not in at:
            if key is not None:
                at[key] = len(merged)
            merged.append(rule)
            continue
        group = merged[at[key]]
        children = sorted([*group.rules[1:], *rule.rules[1:]], key=lambda r: _ACTIVITY_KINDS.index(r.kind)
                          if r.kind in _ACTIVITY_KINDS else len(_ACTIVITY_KINDS))
        merged[at[key]] = group.model_copy(update={"rules": [group.rules[0], *children]})
    return merged


def _number(rule, prefix: Optional[str], n: int):
    """Rule ids are unique within the rule set: I1.r1, and for a group's children I1.r4.1, I1.r4.2 ..."""
    return _with_id(rule, f"{prefix or rule.criterion_id}.r{n}")


def _with_anchor(rule, anchor: str):
    """A rule whose windows take the anchor its parent criterion states."""
    if rule.kind == "group":
        return rule.model_copy(update={"rules": [_with_anchor(child, anchor) for child in rule.rules]})
    window = getattr(rule, "window", None)
    return rule.model_copy(update={"window": window.model_copy(update={"anchor": anchor})}) if window else rule


def _as_current(rule):
    """A drug rule under a parent that speaks of the present ("Any of the following medications at enrollment:
    - warfarin"): current use, unless it has a minimum duration of its own."""
    if rule.kind == "group" and rule.mode == "all" and rule.polarity == "exclude" and any(
            child.kind == "prior_drug" and child.polarity == "require" for child in rule.rules):
        return rule  # an exposure joined to a condition ("or at any time in participants with ..."): ever, not now
    if rule.kind == "group":
        return rule.model_copy(update={"rules": [_as_current(child) for child in rule.rules]})
    if rule.kind == "prior_drug" and rule.min_duration is None:
        return rule.model_copy(update={"current": True})
    return rule


def _in_period(rule, period: str):
    """A drug rule under a parent that times it from an event the record cannot date: the time is its qualifier (a
    patient never given the drug is decided; one given it goes to a person)."""
    if rule.kind == "group":
        return rule.model_copy(update={"rules": [_in_period(child, period) for child in rule.rules]})
    if rule.kind in ("prior_drug", "washout") and not rule.qualifier:
        return rule.model_copy(update={"qualifier": period})
    return rule


def _as_history(rule):
    """A condition under a parent that asks for a history ("History of, or ECG evidence at Screening of, any of the
    following: - second-degree AV block, unless a functioning pacemaker is in place"): ever, not only now. (Not the
    proviso's condition: the pacemaker the patient has now.)"""
    if rule.kind == "group":
        return rule.model_copy(update={"rules": [
            child if rule.mode == "all" and rule.polarity == "exclude" and child.polarity == "exclude"
            else _as_history(child) for child in rule.rules]})
    if rule.kind == "condition" and rule.window is None and rule.timing == "current":
        return rule.model_copy(update={"timing": "any"})
    return rule


def _for_at_least(rule, duration):
    """A required drug under a parent that asks for it for at least a time: the exposure that long."""
    if rule.kind == "group":
        return rule.model_copy(update={"rules": [_for_at_least(child, duration) for child in rule.rules]})
    if rule.kind == "prior_drug" and rule.polarity == "require" and rule.min_duration is None:
        return rule.model_copy(update={"min_duration": duration})
    return rule


# A parent speaking of the present: "medications at enrollment:", "currently taking any of the following:"
# a parent whose items are washout periods an inclusion asks to have been completed
# (or a table of them: "must have stopped it for at least the period listed below before Day 1 (treatment | minimum
# washout):")
# (and "the following minimum intervals between the last dose of that therapy and the first dose", "Prohibited
# treatments, with the minimum time between the last dose and Day 1:")
_WASHOUT_HEADING_RE = re.compile(r"(?:\bwash[\s-]?out\s+(?:periods?|times?|intervals?)|\b(?:minimum|required)\s+"
                                 r"wash[\s-]?out|\bminimum\s+(?:times?|intervals?|periods?)\s+(?:between|from|since)\s+"
                                 r"(?:the\s+)?last\s+(?:dose|administration|infusion|injection))\b"
                                 r"(?![^.;:]*\bnot\s+(?:required|needed)\b)", re.I)
_LAST_DOSE_AND_RE = re.compile(r"\blast\s+(?:dose|administration|infusion|injection)\b[^:;.]{0,40}?\s+and\s+(?P<a>[^:;.]{1,60})",
                               re.I)
# a row of such a table: "natalizumab: at least 12 weeks" (the minimum is the window)
_MINIMUM_ROW_RE = re.compile(r"^[^.;:|]{1,150}[:|]\s*(?P<min>at\s+least|a\s+minimum\s+of|minimum(?:\s+of)?|≥|>=)\s*"
                             rf"(?={NUM})", re.I)


def _as_washout(rule):
    """An item under a parent listing washout periods ("fingolimod: 8 weeks"): the drug not taken in its window. A
    group's washout members are turned too ("teriflunomide: 3.5 months (or 2 weeks after ...)")."""
    if rule.kind == "group":
        return rule.model_copy(update={"rules": [_as_washout(r) for r in rule.rules]})
    if rule.kind == "washout" and rule.polarity == "require":
        return rule.model_copy(update={"polarity": "exclude"})
    return rule


# "History of any of the following:", "History or presence of, any of the following:"
_PARENT_HISTORY_RE = re.compile(r"^\s*(?:(?:any|a|known)\s+)?(?:(?:past\s+)?medical\s+)?history\s+(?:or\s+presence\s+)?of\b",
                                re.I)
# (an item that speaks of the present keeps it: "- active hepatitis B")
_PRESENT_ITEM_RE = re.compile(r"\b(?:active|current(?:ly)?|ongoing|present|at\s+screening)\b", re.I)
_PARENT_CURRENT_RE = re.compile(rf"{AT_ENROLLMENT}|\bcurrently\s+(?:being\s+)?(?:taking|receiving|using|on|treated)\b|"
                                r"\bconcomitant\b|"
                                r"^\s*(?:current|ongoing)\s+(?:treatment|therapy|use|medications?)\b", re.I)


def _with_window(rule, window):
    """A rule without a window of its own takes the one its parent criterion states: an activity, a condition, a
    vaccine or a trial in that time; an exposure ever becomes one in that time ("Use of any of the following in the
    12 months before screening: - natalizumab, mitoxantrone or azathioprine")."""
    if rule.kind == "group":
        return rule.model_copy(update={"rules": [_with_window(child, window) for child in rule.rules]})
    if rule.kind in (*_ACTIVITY_KINDS, "live_vaccine", "investigational") and rule.window is None:
        return rule.model_copy(update={"window": window})
    if rule.kind == "condition" and rule.window is None:
        return rule.model_copy(update={"window": window, "timing": "any"})
    if rule.kind == "prior_drug" and not rule.current and rule.min_distinct == 1:
        return WashoutRule(**rule.model_dump(exclude={"kind", "current", "min_distinct"}), window=window)
    return rule


def _with_id(rule, ident: str):
    update = {"id": ident}
    if rule.kind == "group":
        update["rules"] = [_with_id(child if child.criterion_id else child.model_copy(
            update={"criterion_id": rule.criterion_id}), f"{ident}.{m}") for m, child in enumerate(rule.rules, start=1)]
    return rule.model_copy(update=update)


_FREE_MODIFIER_RE = re.compile(r"\b(?:relapse|attack|activity|disease[\s-]+activity)[\s-]*free\s+$", re.I)


def _per_subtype_activity(rules: list, ctx: Context) -> list:
    """"primary progressive MS with subsequent relapses or MRI activity, secondary progressive MS with relapses
    or MRI activity during 2 years prior to ...": each subtype's clause carries its own activity rules. When a
    criterion names two or more subtypes and activity, the activity rules are read again clause by clause
    (from one subtype to the next) and scoped to that subtype with ``when.subtypes``."""
    activity = [r for r in rules if r.kind in _ACTIVITY_KINDS]
    if not activity or ctx.section != "inclusion":
        return rules
    lexicon = get_lexicon()
    marks = []  # (where the subtype's clause starts, the subtype)
    named_until = 0  # the end of the last subtype mention
    for entity in ctx.entities_of("MS_SUBTYPE"):
        members = lexicon.subtype_members(entity.id)
        if len(members) == 1 and (not marks or marks[-1][1] != members[0]):
            # "relapse-free secondary progressive MS": the modifier opens that subtype's clause
            free = _FREE_MODIFIER_RE.search(ctx.text, max(0, entity.start - 30), entity.start)
            marks.append((free.start() if free else entity.start, members[0]))
        named_until = max(named_until, entity.end)
    if len({subtype for _, subtype in marks}) < 2 or _shared_activity(ctx.text, marks[-1][0], named_until):
        return rules
    scoped = []
    active_only = any(r.kind == "ms_subtype" and r.active_only for r in rules)
    for (start, subtype), following in zip(marks, [*marks[1:], (len(ctx.text), None)]):
        clause = ctx.text[start:following[0]]
        clause_ctx = Context.of(clause, ctx.section, ctx.criterion_id, ctx.span)
        found = extract_relapses(clause_ctx) + extract_mri(clause_ctx)
        mentioned = {kind for kind, pattern in (("relapse_activity", r"relapse|attack|exacerbation"),
                                                ("mri_activity", r"\bMRI\b|lesion|gadolinium|radiolog"))
                     if re.search(pattern, clause, re.I)}
        common = {"criterion_id": ctx.criterion_id, "section": ctx.section, "text": clause.strip(" ,;."), "span": ctx.span}
        if not found or mentioned - {r.kind for r in found}:
            # No activity of its own, or an alternative we cannot state. An "active" subtype rule checks
            # activity itself; otherwise the clause goes to a person rather than being lost.
            if mentioned and not active_only:
                scoped.append(ManualReviewRule(**common, category="partial", polarity="require",
                                               when=Applicability(subtypes=[subtype]),
                                               why=f"the {subtype} activity requirement is not structured"))
            continue
        when = Applicability(subtypes=[subtype])
        if len(found) == 1:  # one rule needs no group around it
            scoped.append(found[0].model_copy(update={**common, "when": when}))
            continue
        mode = "any" if re.search(r"\bor\b", clause, re.I) else "all"
        scoped.append(GroupRule(**common, mode=mode, rules=[r.model_copy(update=common) for r in found],
                                when=when, polarity="require"))
    if not any(r.when for r in scoped if r.kind != "manual_review"):
        return rules
    first = rules.index(activity[0])
    rest = [r for r in rules if r not in activity]
    return rest[:first] + scoped + rest[first:]


_ACTIVITY_WORD_RE = re.compile(r"relapse|attack|exacerbation|\bMRI\b|lesion|gadolinium|radiolog", re.I)


def _shared_activity(text: str, last_clause: int, named_until: int) -> bool:
    """"either secondary progressive (SPMS) or primary progressive (PPMS), by the 2010 McDonald criteria, with no
    clinical relapse in the 2 years": activity stated only after the list, past a comma, is every subtype's."""
    if _ACTIVITY_WORD_RE.search(text, 0, last_clause):
        return False
    activity = _ACTIVITY_WORD_RE.search(text, named_until)
    return bool(activity) and "," in text[named_until:activity.start()]


def _default_polarity(section: str) -> str:
    return "require" if section == "inclusion" else "exclude"


def _manual_reason(text: str) -> dict:
    if context.has("ADMINISTRATIVE", text):
        return {"category": "administrative", "why": "administrative or consent criterion: confirm with the patient"}
    if context.has("JUDGEMENT", text):
        return {"category": "judgement", "why": "needs clinical judgement (qualified by severity or significance)"}
    return {"category": "clinical", "why": "no structured rule family matched this criterion"}


_DENIED_BEFORE_RE = re.compile(r"\b(?:must|should|will|may)\s+not\s+(?:\w+\s+)?$|\b(?:never|unless)\s+(?:\w+\s+)?$", re.I)


_ITEMS_BEFORE_RE = re.compile(r";|\.\s|,\s*(?:or|and)\b", re.I)


def _unless_read(rules: list, proviso: str, common: dict) -> list:
    """"Teriflunomide within 3.5 months, unless an accelerated elimination procedure was completed": each exclusion
    the proviso may lift excludes only with a person's reading that it does not (alone, it excluded the patients the
    proviso lets in): an excluded all-of of the rule and that check."""
    return [GroupRule(**common, mode="all", polarity="exclude", rules=[
        rule.model_copy(update={"polarity": "require"}),
        ManualReviewRule(**common, polarity="require", category="clinical", why=f"not lifted by: '{proviso[:120]}'")])
        if _liftable(rule) else rule for rule in rules]


# "unless the participant has documented completion of treatment for latent TB": a proviso of treatment is no
# exception (README): the exclusion stays and a person reads the proviso (left unread, it makes the criterion partial)
_TREATMENT_PROVISO_RE = re.compile(r"\s+(?:the\s+)?(?:participant|patient|subject|person)?\s*(?:has|have|had)?\s*"
                                   r"(?:documented\s+|adequately\s+|fully\s+)?(?:completion\s+of|completed|received|started|"
                                   r"been\s+treated)\s+(?:(?:an?|the|a\s+full|a\s+complete|adequate|appropriate|"
                                   r"prophylactic|preventive)\s+)*(?:course\s+of\s+)?(?:treatment|therapy|prophylaxis|"
                                   r"chemoprophylaxis|for)\b", re.I)


# ", or must have stopped teriflunomide ...", ", or have completed ...": a clause of its own offered instead of another
_CLAUSE_OR_RE = re.compile(r",\s*or\s+(?=(?:must|should|shall|will)\s+(?:have\s+)?\w+|(?:has|have)\s+(?:been|had|"
                           r"completed|stopped|discontinued|received|undergone)\b)", re.I)
_MUST_RE = re.compile(r"\b(?:must|should|shall)\b", re.I)
_DEFINES_RE = re.compile(r",?\s*\b(?:i\.\s?e\.|that\s+is|namely|defined\s+as)[\s,:]", re.I)
_ANOTHER_RE = re.compile(r"(?:any\s+)?(?:an)?others?\b", re.I)
# (not inside a parenthesis, unless the parenthesis opens with it: "teriflunomide: 3.5 months (or 2 weeks after
# completing an accelerated elimination procedure)")
_COMMA_OR_RE = re.compile(r"[,;]\s*or\b\s*,?\s*(?![^()]*\))|\(\s*or\s+", re.I)
_EXAMPLES_BEFORE_RE = re.compile(r"\b(?:such\s+as|e\.\s?g\.|for\s+(?:example|instance)|including|includes)\b[^;.]*$",
                                 re.I)


# "teriflunomide | 3.5 months, or 14 days after completion of an accelerated elimination procedure": a shorter
# period after a procedure, offered instead of the washout
_SHORTER_AFTER_RE = re.compile(rf"[,;]\s*or\s+(?:\(\s*)?{NUM}\s*(?:days?|weeks?)\s+(?:after|following)\b[^.;]*", re.I)


# "Women aged 35 years or older who smoke", "Patients over 65 years of age who have a history of stroke", "Smokers
# aged over 35 years", "Smokers aged 35 years or older", "Age over 60 with diabetes": an age that excludes only with
# something else
_AGE_QUALIFIED_RE = re.compile(r"\b(?:years?|yrs)(?:\s+(?:of\s+age|old))?(?:\s+(?:or|and)\s+(?:older|over|above|more))?\s*,?\s+"
                               r"(?:who|with|having|and\s+(?:who|with|having))\b|"
                               r"^\s*(?:[A-Z][\w-]*\s+){1,3}?aged\s+(?:over|above|under|below|older|younger|at\s+least|>|<|≥|≤|"
                               rf"{NUM}\s*(?:years?\s+)?(?:(?:of\s+age|old)\s+)?(?:or|and)\s+(?:older|over|above|more|"
                               r"younger|under|below|less))|"
                               r"^\s*age[ds]?\s+(?:over|above|under|below|older\s+than|younger\s+than|>|<|≥|≤)\s*"
                               rf"{NUM}(?:\s+years?)?\s+(?:with|who|and\s+(?:with|who))\b", re.I)


def _age_qualified(ctx: Context, rules: list, common: dict) -> list:
    """In an exclusion, an age bound qualified by something else ("Women aged 35 years or older who smoke") excludes
    only with it: an excluded all-of of the age and the other rules, or a person's check of the words no rule read
    (alone, the age excluded every woman over 35 where the text excludes smokers over 35)."""
    ages = [r for r in rules if isinstance(r, AgeRule) and r.polarity == "exclude"]
    if ctx.section != "exclusion" or len(ages) != 1 or not _AGE_QUALIFIED_RE.search(ctx.text):
        return rules
    others = [r for r in rules if r is not ages[0]]
    if any(r.polarity != "exclude" or isinstance(r, ManualReviewRule) for r in others):
        return rules
    parts = [r.model_copy(update={"polarity": "require"}) for r in [ages[0], *others]]
    if not others:
        residue = [w.group() for w in _content_words(_masked(ctx))]  # (the persons' words are filler)
        if not residue:
            return rules
        ctx.consume(0, len(ctx.text))
        parts.append(ManualReviewRule(**common, polarity="require", category="clinical",
                                      why=f"the age excludes only with: '{' '.join(residue[:12])}'"))
    return [GroupRule(**common, mode="all", polarity="exclude", rules=parts)]


def _washout_or_shorter(ctx: Context, rules: list, common: dict) -> list:
    """In an exclusion, a washout with a shorter period after a procedure no rule reads excludes only when the
    procedure was not done: an excluded all-of of the washout and a person's check (the washout alone excluded the
    patients the procedure lets in)."""
    shorter = _SHORTER_AFTER_RE.search(ctx.text)
    if ctx.section != "exclusion" or shorter is None or ctx.touches_consumed(shorter.start() + 1, shorter.end()) \
            or not rules or not all(r.kind == "washout" and r.polarity == "exclude" for r in rules):
        return rules
    ctx.consume(*shorter.span())
    clause = shorter.group(0).strip(" ,;()")
    return [GroupRule(**common, mode="all", polarity="exclude", rules=[
        *[r.model_copy(update={**common, "polarity": "require"}) for r in rules],
        ManualReviewRule(**common, polarity="require", category="clinical", why=f"not: '{clause[:120]}'")])]


def _unread_alternative(ctx: Context, rules: list, common: dict) -> list:
    """"Participants who received teriflunomide must have completed an accelerated elimination procedure, or must have
    stopped teriflunomide at least 3 months before the first dose": in an inclusion, a clause no rule read offered
    instead of one a rule read is the other way in; an any-of of the rules and a person's check of the clause (the
    washout alone excluded the participants the procedure lets in)."""
    if ctx.section != "inclusion" or not rules or any(r.kind in ("manual_review", "group") for r in rules):
        return rules
    cuts = [m.start() for m in _CLAUSE_OR_RE.finditer(ctx.text)]
    # "A Kurtzke Functional System score of >= 2 for the pyramidal system, or gait impairment due to ...": a noun
    # phrase after ", or" is an alternative too, when it holds words of its own (the walking impairment alone had
    # been required)
    # (not where the rules are exclusions or women's own, whose alternatives they hold: "post-menopausal, or use
    # contraception"; nor among the examples of a list: "such as optic neuritis, or a partial spinal cord syndrome")
    wordy = cuts or [m.start() for m in _COMMA_OR_RE.finditer(ctx.text)
                     if all(r.polarity == "require" and r.kind not in ("contraception", "pregnancy") for r in rules)
                     and not _EXAMPLES_BEFORE_RE.search(ctx.text, 0, m.start())
                     # (nor the last item of a list: "optic neuritis, transverse myelitis, or another syndrome")
                     and not re.search(r",[^.;]*$", context.PARENTHESIS_RE.sub("", ctx.text[:m.start()]))
                     and not _ANOTHER_RE.match(ctx.text, m.end())]
    if not wordy:
        return rules
    # the first clause from its verb ("Participants who received teriflunomide | must have completed ...")
    verbs = list(_MUST_RE.finditer(ctx.text, 0, wordy[0])) if cuts else []
    bounds = [verbs[-1].start() if verbs else 0, *wordy, len(ctx.text)]
    clauses = [(bounds[i], bounds[i + 1]) for i in range(len(bounds) - 1)]
    unread = [(s, e) for s, e in clauses if not ctx.touches_consumed(s, e)
              and (cuts or len(_content_words(ctx.text[s:e])) >= 2)]
    if not unread or len(unread) == len(clauses):
        return rules
    checks = [ManualReviewRule(**common, polarity="require", category="clinical",
                               why=f"or instead: '{ctx.text[s:e].strip(' ,.;')[:120]}'") for s, e in unread]
    # words no rule read in the clauses the rules did read go with those rules ("or at least one such lesion
    # together with positive oligoclonal bands": the bands alone were no way in)
    masked = _masked(ctx)
    # (not the words a definition states: "Severely affected by MS, i.e. an EDSS score of 6.5 or more")
    defined = [m.end() for m in _DEFINES_RE.finditer(masked)]
    left = [w.group() for s, e in clauses if (s, e) not in unread
            for w in _content_words(masked[max([s, *(d for d in defined if s <= d <= e)]):e])]
    read = [r.model_copy(update=common) for r in rules]
    if not cuts and len(left) >= 2:
        read = [GroupRule(**common, mode="all", polarity="require", rules=[*read, ManualReviewRule(
            **common, polarity="require", category="partial",
            why=f"part of the criterion is not structured: '{' '.join(left[:12])}'")])]
        for start, end in clauses:
            ctx.consume(start, end)
    for start, end in unread:
        ctx.consume(start, end)
    return [GroupRule(**common, mode="any", polarity="require", rules=[*read, *checks])]


def _liftable(rule) -> bool:
    """A structured exclusion a proviso can lift (not a review, nor a group that holds its own logic)."""
    return rule.polarity == "exclude" and rule.kind not in ("manual_review", "group")


def _without_event_windows(ctx: Context, rules: list) -> list:
    """Rules timed by a window counted from an event of the patient's ("a relapse or corticosteroids within the
    month before the onset of the present relapse") go to a person: read from the screening date, they would
    exclude other patients than the text does. A drug such a rule requires stays, without the window ("treated with IV
    methylprednisolone started within 14 days of the relapse onset" still requires methylprednisolone): a patient
    who never had it fails whenever it was due."""
    if not has_event_anchor(ctx.text):
        return rules  # (most criteria: no second pass over their windows)
    # (not the study entry counted from the onset of the relapse the criterion asks for: a recent relapse)
    events = [w for w in find_windows(ctx.text) if w.event
              and not ENTRY_AFTER_ONSET_RE.search(ctx.text, max(0, w.start - 60), min(len(ctx.text), w.end + 40))]
    if not events:
        return rules
    timed = {(w.window.within.value, w.window.within.unit) for w in events}

    def kept(rule) -> Optional[object]:
        if isinstance(rule, GroupRule):
            children = [c for c in (kept(r) for r in rule.rules) if c is not None]
            return rule.model_copy(update={"rules": children}) if children else None
        window = getattr(rule, "window", None)
        if window is None or window.within is None or (window.within.value, window.within.unit) not in timed:
            return rule
        if rule.polarity != "require" or not isinstance(rule, WashoutRule) or ctx.section != "inclusion":
            # (a relapse there is mostly the event itself: "within 28 days of the onset of the relapse"; and an
            # exclusion's "last dose more than 8 weeks before the LMP" asks for no exposure of every patient)
            return None
        return PriorDrugRule(**rule.model_dump(include={"polarity", "when", "drugs", "classes", "except_drugs",
                                                        "min_duration", "qualifier"}))

    ctx.unstated.extend((w.start, w.end) for w in events)
    return [r for r in (kept(rule) for rule in rules) if r is not None]


# "Diabetes mellitus (type 1 or type 2) with vascular complications", "diabetes treated with insulin or sulfonylureas",
# "osteoporosis with a previous fragility fracture": words after a condition that narrow it
_NARROWED_BY_RE = re.compile(r"\s*\)?\s*,?(?:\s+(?:patients?|participants?|subjects?|individuals))?\s+(?:with|requiring|needing|"
                             r"treated\s+with|complicated\s+by|"
                             # ("Seizures occurring more than once a week", "migraine occurring on 15 or more days per
                             # month": a frequency no record shows)
                             rf"occurring(?=\s+(?:on\s+)?(?:more\s+than\s+|at\s+least\s+)?{FREQUENCY}))\s+"
                             # ("diabetes treated with insulin (injections or pump) or ...": up to a parenthesis)
                             r"(?P<tail>[^,;.()]+?)\s*(?=[,;.()]|$)", re.I)


def _qualified_by_unread(ctx: Context, rules: list) -> list:
    """An excluded condition narrowed by words no rule reads excludes only with them: an excluded all-of of the
    condition and a person's check of the words (alone, the condition excluded every diabetic where the trial
    excludes diabetics with vascular complications)."""
    if ctx.section != "exclusion":
        return rules
    entities = ctx.entities
    lexicon = get_lexicon()
    for mention in ctx.entities_of("CONDITION"):
        narrowed = _NARROWED_BY_RE.match(ctx.text, mention.end)
        treated = _treated_with(ctx, rules, mention, narrowed) \
            if narrowed and _TREATED_WITH_RE.match(narrowed.group(0)) else rules
        if treated is not rules:
            rules = treated
            continue
        if not narrowed or any(e.start < narrowed.end("tail") and e.end > narrowed.start("tail") for e in entities):
            continue
        tail = narrowed.group("tail")
        frequency = re.search(r"\boccurring\s*$", ctx.text[narrowed.start():narrowed.start("tail")], re.I)
        if ctx.touches_consumed(narrowed.start("tail"), narrowed.end("tail")) or not frequency and not any(
                w.lower() not in _FILLER and len(w) > 2 for w in re.findall(r"[A-Za-z][\w'-]*", tail)):
            continue
        # the condition's own kinds, listed in a parenthesis between it and the narrowing words ("(type 1 or type 2)")
        head = mention
        if ")" in ctx.text[mention.end:narrowed.start("tail")]:
            opening = ctx.text.rfind("(", 0, mention.start)
            head = next((e for e in ctx.entities_of("CONDITION") if e.end <= opening
                         and not ctx.text[e.end:opening].strip()), mention)
        ids = {e.id for e in ctx.entities_of("CONDITION") if head.start <= e.start < narrowed.start("tail")}
        owner = next((r for r in rules if isinstance(r, ConditionRule) and r.polarity == "exclude"
                      and ids & set(r.conditions)), None)
        if owner is None:
            continue
        mine = [c for c in owner.conditions if c in ids]
        rest = [c for c in owner.conditions if c not in ids]
        # (the other items the narrowed term had covered stay: "..., including angina pectoris, myocardial infarction,
        # heart failure, ... or congenital heart disease with haemodynamic significance": the angina is still excluded)
        rest += list(dict.fromkeys(
            e.id for e in ctx.entities_of("CONDITION") if e.id not in ids and e.id not in rest
            and not head.start <= e.start < narrowed.end("tail") and ctx.is_consumed(e.start)
            and lexicon.condition_ancestors(e.id) & set(mine)))
        group = GroupRule(mode="all", polarity="exclude", rules=[
            owner.model_copy(update={"conditions": mine, "polarity": "require"}),
            ManualReviewRule(polarity="require", category="clinical",
                             why=f"only {'occurring ' if frequency else 'with '}{tail.strip()}: a person checks")])
        at = rules.index(owner)
        rules = rules[:at] + ([owner.model_copy(update={"conditions": rest})] if rest else []) + [group] + rules[at + 1:]
        ctx.consume(frequency.start() + narrowed.start() if frequency else narrowed.start("tail"), narrowed.end("tail"))
    return _exposure_qualified_by_unread(ctx, rules)


_EXPOSURE_WITH_RE = re.compile(r"\s+with\s+(?P<tail>(?:an?\s+|any\s+)?(?:positive|negative|persistent|high|known|"
                               r"documented|confirmed|detectable)\b[^,;.()]+?)\s*(?=[,;.)]|$)", re.I)


def _exposure_qualified_by_unread(ctx: Context, rules: list) -> list:
    """"Previous treatment with interferon beta with a positive test for neutralizing antibodies": an excluded
    exposure narrowed by a finding no rule reads excludes only with it, an excluded all-of of the exposure and a
    person's check (alone, the exposure excluded every patient once on interferon)."""
    for mention in ctx.entities_of("DRUG", "DRUG_CLASS"):
        narrowed = _EXPOSURE_WITH_RE.match(ctx.text, mention.end)
        if not narrowed or ctx.touches_consumed(*narrowed.span("tail")) or \
                len(_content_words(narrowed.group("tail"))) < 2:
            continue
        field = "drugs" if mention.label == "DRUG" else "classes"
        owner = next((r for r in rules if r.kind in ("prior_drug", "washout") and r.polarity == "exclude"
                      and mention.id in getattr(r, field)), None)
        if owner is None or len(owner.drugs) + len(owner.classes) > 1:
            continue
        tail = " ".join(narrowed.group("tail").split())
        group = GroupRule(mode="all", polarity="exclude", rules=[
            owner.model_copy(update={"polarity": "require"}),
            ManualReviewRule(polarity="require", category="clinical", why=f"only with {tail}: a person checks")])
        rules = [group if r is owner else r for r in rules]
        ctx.consume(*narrowed.span("tail"))
    return rules


_TREATED_WITH_RE = re.compile(r"\s*\)?\s*,?(?:\s+\w+)?\s+(?:treated\s+with|requiring|needing)\b", re.I)


def _treated_with(ctx: Context, rules: list, mention, narrowed: re.Match) -> list:
    """"asthma treated with daily oral corticosteroids", "asthma requiring oral corticosteroids": the condition with
    the treatment, an excluded all-of (read apart, the treatment excluded every patient who ever had it: in MS, every
    patient once given steroids for a relapse)."""
    tail = range(narrowed.start("tail"), narrowed.end("tail"))
    drugs = [e for e in ctx.entities_of("DRUG", "DRUG_CLASS") if e.start in tail]
    # (the treatment named first, after at most its dose or route words: not "hospitalization or IV antibiotics")
    lead = ctx.text[tail.start:drugs[0].start] if drugs else ""
    if not drugs or not re.fullmatch(r"(?:[\w-]+\s+){0,3}", lead) or re.search(r"\bor\b", lead):
        return rules
    named = {e.id for e in drugs}
    treatment = next((r for r in rules if r.kind in ("prior_drug", "washout") and r.polarity == "exclude"
                      and named & {*r.drugs, *r.classes}), None)
    if treatment is None:
        return rules
    owner = next((r for r in rules if isinstance(r, ConditionRule) and r.polarity == "exclude"
                  and mention.id in r.conditions), None)
    condition = ConditionRule(polarity="require", conditions=[mention.id], timing="current")
    on_it = treatment.model_copy(update={"polarity": "require", **({"current": True} if treatment.kind == "prior_drug"
                                                                   else {})})
    out = []
    for rule in rules:
        if rule is owner:
            rest = [c for c in owner.conditions if c != mention.id]
            out.extend([owner.model_copy(update={"conditions": rest})] if rest else [])
        elif rule is treatment:
            out.append(GroupRule(mode="all", polarity="exclude", rules=[condition, on_it]))
        else:
            out.append(rule)
    ctx.consume(mention.start, narrowed.start("tail"))
    return out


# A sentence that only permits ("Participants may have a clinically isolated syndrome or established multiple sclerosis
# at the time of the optic neuritis."): its conditions are allowed, none is required. One that bounds or conditions what
# it allows ("may have received up to two prior DMTs", "may continue it, provided ...") is read as it is.
_TO_SENTENCE_END = r"(?:[^.;]|\.(?=\s*(?-i:[a-z(,])))*(?:[.;]|$)"  # ("e.g." ends none)
_PERMITS_RE = re.compile(r"(?:^|(?<=[.;:]\s))\s*(?:participants|patients|subjects|individuals)\s+(?:may|can)\s+(?:also\s+)?"
                         rf"(?:have|be)\b{_TO_SENTENCE_END}", re.I)
# (and who may be included: "Patients already treated with carbamazepine can be included", "patients with an acute
# relapse may be included once ...")
_MAY_BE_INCLUDED_RE = re.compile(r"(?:^|(?<=[.;]))\s*(?:however\s*,?\s*|but\s+)?(?:the\s+)?(?:participants|patients|"
                                 r"subjects|individuals|persons|people|those|women|men)\b[^.;()]{0,150}?\b(?:may|can|could)\s+"
                                 r"(?:also\s+|still\s+|nevertheless\s+)?be\s+(?:included|enrolled|enroled|eligible|"
                                 rf"randomi[sz]ed|accepted|considered\s+for\s+(?:inclusion|enrol\w+|the\s+study))\b"
                                 rf"{_TO_SENTENCE_END}", re.I)
_PERMISSION_CONDITION_RE = re.compile(r"\b(?:if|once|after|when|provided|only|unless|as\s+long\s+as|following|who|whose|"
                                      r"discretion|judge?ment|opinion)\b", re.I)
_PERMITS_SETS_RE = re.compile(rf"\b(?:must|provided|if|unless|only|not|as\s+long\s+as|but|up\s+to|{NUM})\b|\d", re.I)


# Words that make a treatment not matter: "two relapses in the previous year, whether on DMT or not", "regardless of
# treatment with disease-modifying therapy", "SPMS with or without ongoing DMT"
_INDIFFERENT_RE = re.compile(r"\bwhether\s+(?:or\s+not\s+)?(?:on|treated|receiving|taking|using|under)\b|"
                             r"\bregardless\s+of\b|\bwith\s+or\s+without\b|\b(?:irrespective|independent(?:ly)?)\s+of\b",
                             re.I)
_OR_NOT_RE = re.compile(r"\s*,?\s*or\s+not\b", re.I)


def _indifferent_to_treatment(ctx: Context) -> list[tuple[int, int]]:
    """Spans that name a treatment only to say it does not matter: the words up to the end of the drugs they name
    (and a closing "or not"). A drug farther than a few words away, or across a comma, is not theirs."""
    drugs = ctx.entities_of("DRUG", "DRUG_CLASS")
    spans = []
    for marker in _INDIFFERENT_RE.finditer(ctx.text):
        end = marker.end()
        for drug in drugs:
            if drug.start >= end and re.fullmatch(r"(?:\s+[\w-]+){0,4}\s+|\s*", ctx.text[end:drug.start]) \
                    and not re.search(r"[,;.()]", ctx.text[end:drug.start]):
                end = drug.end
            elif drug.start >= end and re.fullmatch(r"\s*(?:,\s*)?(?:or|and|and/or)\s+", ctx.text[end:drug.start]) \
                    and end > marker.end():
                end = drug.end  # "regardless of treatment with interferon beta or glatiramer acetate"
        if end > marker.end():
            rest = _OR_NOT_RE.match(ctx.text, end)
            spans.append((marker.start(), rest.end() if rest else end))
    return spans


def _content_words(text: str) -> list[re.Match]:
    """The words of a text that say something: not filler, longer than two letters. ("5-alpha-reductase": a name
    that opens with its number)"""
    return [w for w in re.finditer(r"(?:\d+-)?[A-Za-z][A-Za-z0-9'+-]*[A-Za-z0-9+]", text)
            if w.group().lower().strip("'-+") not in _FILLER and len(w.group()) > 2 and not _MANUAL_NAME_RE.fullmatch(w.group())]


# the manual a diagnosis is made by ("major depression according to DSM-5 criteria", "ICD-10"): how, not what
_MANUAL_NAME_RE = re.compile(r"DSM(?:-?(?:5|IV|III)(?:-TR|-R)?)?|ICD-?(?:9|10|11)(?:-CM)?")


def _masked(ctx: Context) -> str:
    """The criterion's text with what the rules read blanked (offsets kept)."""
    chars = list(ctx.text)
    for start, end in ctx.consumed:
        for i in range(max(0, start), min(len(chars), end)):
            chars[i] = " "
    return "".join(chars)


# Terms a single unread word names on its own: a drug's excipients ("or to any component of TYSABRI"), an ECG interval
# ("QTcF"), the contrast agent (not "gadolinium-enhancing" or "Gadolinium (Gd)-enhancing", the lesions a rule reads)
# (and a plan: "Botulinum toxin injections ... within 3 months, or planned during the study")
_STANDING_TERM_RE = re.compile(r"(?i:excipient|formulation|(?<=any\s)components?\b)|QTc|"
                               r"(?i:planned|scheduled|anticipated)(?=\s+(?:during|in|for|within|over)\s+(?:the\s+)?"
                               r"(?:study|trial|course))|"
                               r"(?i:gadolinium)(?![\w-]*enhanc|\s*(?:\([^()]*\))?[\s-]*enhanc)|"
                               # a suspicion is no diagnosis ("no clinical or MRI finding suspicious of PML"), and a
                               # drug screen is a test ("or a positive urine drug screen at screening")
                               r"(?i:suspicious|suggestive)(?=\s+(?:of|for)\b)|"
                               r"(?i:urine|urinary|serum|blood)(?=\s+(?:drug|toxicology|alcohol)\s+(?:screen|test))|"
                               r"(?i:toxicology)(?=\s+screen)")
# (an exception by cause no rule read: "immunodeficiency other than that caused by the MS therapy")
_CAUSE_EXCEPTED_RE = re.compile(r"\b(?:other\s+than|except(?:\s+for)?|excluding)\s+(?:th(?:at|ose|ey)\s+|ones?\s+)?"
                                r"(?:(?:which|that)\s+(?:is|are|was|were)\s+)?(?:caused|induced|due|related|secondary|"
                                r"attributable)\b", re.I)
_UNWILLING_OR_UNABLE_RE = re.compile(r"\bunwilling\s+(?:or|and/or)\s+unable|\bunable\s+(?:or|and/or)\s+unwilling", re.I)


# an age at an event ("with onset before age 18", "the first demyelinating event before the 18th birthday"): no rule
# family states it, and its words are mostly filler
_AGE_AT_EVENT_RE = re.compile(r"\b(?:onset|diagnos\w*|event|symptoms?|episode)\s+(?:\w+\s+){0,2}?(?:before|after|prior\s+to)\s+"
                              r"(?:the\s+)?(?:age\s+(?:of\s+)?\d+|(?:the\s+|their\s+|his\s+|her\s+)?\d+(?:st|nd|rd|th)\s+"
                              r"birthday)\b|\bage\s+at\s+(?:onset|diagnosis|first\s+symptoms?)\b", re.I)


# Words that only modify a term a rule read ("Fever or acute infection", "Fever or known epilepsy": "acute" and "known"
# are no items of their own beside the unread "Fever", which is one)
_TERM_MODIFIERS = frozenset("acute active chronic current recent known documented confirmed diagnosed suspected".split())


def _modifier_of_read_term(text: str, masked: str, word: re.Match) -> bool:
    if word.group().lower() not in _TERM_MODIFIERS:
        return False
    gap = re.match(r"[ \t]+", text[word.end():])
    at = word.end() + (gap.end() if gap else 0)
    return gap is not None and at < len(text) and text[at].isalpha() and masked[at] == " "


_DECISION_RE = re.compile(r"decisions?", re.I)
_AFTER_BIRTH_RE = re.compile(r"delivery|childbirth|post-?partum|puerperium", re.I)
_HEAD_OF_EXAMPLES_RE = re.compile(r"(?:\s+(?:syndromes?|disorders?|diseases?|conditions?|illness(?:es)?))?\s*[,(]?\s*"
                                  r"(?:such\s+as|e\.\s*g\.|for\s+example)\b", re.I)
_PLAN_TO_STAY_RE = re.compile(r"\b(?:intend\w*|plan\w*|willing\w*|wish\w*)\s+to\s+(?:remain|continue|stay|keep)\b|"
                              # ("... with no dose change planned")
                              r"\b(?:no|any)\s+(?:\w+\s+)?(?:change|modification|increase|reduction)\s+(?:is\s+)?planned\b", re.I)


_OR_AN_BEFORE_RE = re.compile(r"\b(?:or|and)\s+(?:of\s+|with\s+)?an?\s+$", re.I)


def _residue(ctx: Context) -> list[str]:
    aged = any(not ctx.is_consumed(age_at.end() - 1) for age_at in _AGE_AT_EVENT_RE.finditer(ctx.text))
    masked = _masked(ctx)
    content = _content_words(masked)
    core = [w for w in content if not _modifier_of_read_term(ctx.text, masked, w)]
    # a name with digits ("CD8+", "IL-17", "COVID-19") is a term of its own: a marker or test nothing read
    # (or a term that stands alone: "Unable to undergo MRI with gadolinium", "... or any of its excipients")
    named = any(re.search(r"\d", w.group()) and re.search(r"[A-Za-z]{2}", w.group())
                or _STANDING_TERM_RE.match(ctx.text, w.start()) for w in content)
    # a negated requirement no rule read ("and must not plan to change it during the study") is a criterion of its own
    denied = len(content) >= 2 and any(_DENIED_BEFORE_RE.search(masked, max(0, w.start() - 25), w.start()) for w in content)
    # ("Unwilling or unable to undergo MRI": what the patient is unwilling to do is a criterion of its own)
    unwilling = any(w.group().lower() == "unwilling" for w in content) and _UNWILLING_OR_UNABLE_RE.search(ctx.text)
    # ("... and must intend to remain on it for the duration of the study": a plan of the patient's, a person asks)
    planned = any(not ctx.is_consumed(plan.start()) for plan in _PLAN_TO_STAY_RE.finditer(ctx.text))
    # (a plan, a general term before its examples, a time after a birth: "or decision for pregnancy during the
    # study", "Malabsorption syndromes such as celiac disease", "or in the first 6 months after delivery")
    unread_head = any(_DECISION_RE.fullmatch(w.group()) or _AFTER_BIRTH_RE.fullmatch(w.group())
                      or _HEAD_OF_EXAMPLES_RE.match(ctx.text, w.end()) for w in content)
    # (an exception no rule read: "interferon beta except in patients of group d")
    excepting = any(context.has("EXCEPTION", w.group()) and w.group().lower() != "excepted" and not any(
        w.end() <= e.start < item_end(ctx.text, w.end()) for e in ctx.entities) for w in content) or \
        any(_CAUSE_EXCEPTED_RE.search(masked, max(0, w.start() - 30), w.end()) for w in content)
    keep = len(content) >= 3 or (content and (ctx.unstated or aged or named or unwilling or planned or unread_head)) \
        or denied or \
        excepting or \
        0 < len(core) <= 2 and (_unread_item(ctx.text, masked, core[0], core[-1])
                                # ("If taking an antidepressant or an anxiolytic medication, the dose has been stable":
                                # an item of its own, after "or an")
                                or any(_OR_AN_BEFORE_RE.search(ctx.text, max(0, w.start() - 12), w.start())
                                       and _unread_item(ctx.text, masked, w, w) for w in core))
    return [w.group() for w in content] if keep else []


def _unread_item(text: str, masked: str, first: re.Match, last: re.Match) -> bool:
    """Whether the one or two words left unread stand side by side as an item of a list: a term nothing read ("...,
    or bladder stones within 6 months", "(e.g. cardiac pacemaker, metallic implants)", "History of uveitis or macular
    edema", "Peripheral neuropathy, or a history of pancreatitis"), not what is left of phrases the rules read ("on a
    stable regimen for", "except adequately treated")."""
    # (two items side by side: "Artificial heart valves, stents or coils")
    if text[first.start():last.end()] != masked[first.start():last.end()] or \
            not re.fullmatch(r"\s*(?:,\s*(?:(?:or|and)\s+)?|(?:or|and|and/or)\s+|/\s*)?", masked[first.end():last.start()]):
        return False
    words = [w for w in re.findall(r"[\w'-]+", text[first.start():last.end()].lower()) if w not in ("or", "and", "and/or")]
    if _NOT_AN_ITEM.intersection(words) or _EXAMPLE_OF_NEXT_RE.match(text, last.end()):
        return False  # "alcohol or other drug abuse": an example of the item after it
    if re.search(r"\(\s*$", text[:first.start()]) and re.match(r"\s*\)", text[last.end():]):
        return False  # "lower limit of normal (LLN)", "Serum albumin below 3.0 g/dL (hypoproteinaemia)": a gloss
    if all(any(not masked[m.start():m.end()].strip() for m in re.finditer(rf"\b{re.escape(word)}\b", text, re.I))
           for word in words):
        return False  # "Current alcohol or drug abuse, or abuse within the 2 years": a word read once already
    if words[-1] in _MEASURE_WORDS:
        return False  # "anti-JCV antibody index above 0.4": the rest of a test's name a rule read
    before = _FILLER_BEFORE_RE.sub("", text[:first.start()])
    return re.search(r"(?:^|[,;:(]|\b(?:or|and))\s*$", before) is not None \
        and re.match(r"\s*(?:(?:diseases?|disorders?|conditions?|therap(?:y|ies)|treatments?|medications?|drugs?|"
                     # ("Antispastic medication and physiotherapy unchanged since ...": the item the predicate shares)
                     r"agents?)\s*)?(?:[,;).]|$|\b(?:or|and|within|in\s+the|during|unchanged|stable|other\s+than|except|that|which|"
                     r"at\s+(?:any\s+time|screening))\b|"
                     # "..., or fever of 38 °C or more at inclusion": the item with a value no rule read
                     r"of\s+(?:\d|at\s+least|more\s+than)|[<>≤≥]\s*\d|(?:above|over|greater\s+than|more\s+than)\s+\d)",
                     text[last.end():]) is not None


# Words that are not an item of a list on their own: a formula, a number, a modifier of the term after them
_NOT_AN_ITEM = frozenset("""autologous allogeneic cockcroft-gault mdrd ckd-epi device compound iii
older younger planned consent assent one two three four five six seven eight nine ten subtype subtypes type types
course courses form forms phenotype oral experimental primary secondary equivalent equivalents""".split())
_MEASURE_WORDS = frozenset("index level levels count counts ratio titer titre value values score concentration".split())
_EXAMPLE_OF_NEXT_RE = re.compile(r"\s*(?:,\s*)?(?:or|and)\s+(?:any\s+)?other\b", re.I)
# The words an item may start with that say only when or how sure: "or a history of pancreatitis", "active or previous
# uveitis", "prior splenectomy"
# ("Concurrent treatment with isotretinoin or with warfarin": the treatment words before a drug nothing read)
_FILLER_BEFORE_RE = re.compile(r"(?:\b(?:a|an|the|of|with|history|known|prior|previous|previously|current|currently|other|"
                               r"concurrent|concomitant|treatment|therapy|use|receiving|taking|"
                               r"another|any|evidence|signs|suspected|suspicion|"
                               r"active|ongoing|presence|diagnosis|or\s+previous|or\s+current|or\s+past)\s*)+$", re.I)


def compile_criterion(criterion: Criterion) -> CompiledCriterion:
    rules = _of_cohort(_compile_node(criterion), criterion.cohort)
    structured = [r for r in _walk(rules) if r.kind not in ("manual_review", "group")]
    manual = [r for r in _walk(rules) if r.kind == "manual_review"]
    coverage = "manual" if not structured else "partial" if manual else "full"
    end = criterion.span[1]
    for child in _descendants(criterion):
        end = max(end, child.span[1])
    text = criterion.text if not criterion.children else \
        criterion.text + " " + " ".join(f"[{c.text}]" for c in criterion.children)
    return CompiledCriterion(id=criterion.id, section=criterion.section, text=text,
                             span=(criterion.span[0], end), rules=rules, coverage=coverage)


def _of_cohort(rules: list, cohort: Optional[str]) -> list:
    """Criteria under a heading that names a cohort ("Inclusion criteria specific to participants with PPMS:") apply
    to the patients of its subtypes only (``when.subtypes``); read for everyone, the PPMS cohort's EDSS range excluded
    the relapsing cohort. A heading naming no subtype, or every one, scopes nothing."""
    others = cohort and OTHER_PERSONS_RE.fullmatch(cohort)
    if (others or cohort and SUBSTUDY_RE.search(cohort)) and any(r.kind != "manual_review" for r in rules):
        # under "Infants:" in a lactation study: the infant's conditions and vaccines are not the patient's (read, a
        # primary immunodeficiency of the infant excluded the mother); a person checks them. Under "MRI sub-study:",
        # they exclude from that part only (read, a pacemaker excluded the patient from the trial).
        first = rules[0]
        why = f"a criterion of the {cohort.lower()}, not of the patient" if others else \
            f"a criterion of a part of the study only ({cohort.strip(' :')}): no rule can be scoped to it"
        return [_number(ManualReviewRule(criterion_id=first.criterion_id, section=first.section, text=first.text,
                                         span=first.span, polarity=_default_polarity(first.section), category="clinical",
                                         why=why), None, 1)]
    sole, scope = _SOLE_COHORTS.get()
    subtypes = list(scope if cohort in sole else _cohort_subtypes(cohort)) if cohort else []
    if not subtypes:
        return rules
    scoped = []
    for rule in rules:
        when = rule.when or Applicability()
        scoped.append(rule if when.subtypes else rule.model_copy(
            update={"when": when.model_copy(update={"subtypes": subtypes})}))
    return scoped


def _other_disease_cohort(cohort: str) -> bool:
    """Whether a cohort is named by a disease other than MS alone ("subjects with SCI", "participants with
    neuromyelitis optica"), not by an MS course or a trait of the MS patient."""
    found = [e for e in find_entities(cohort) if e.label in ("CONDITION", "MS_SUBTYPE")]
    if not found or any(e.label != "CONDITION" or e.id == "multiple_sclerosis" for e in found):
        return False
    # (one disease or several: "For NMOSD and MOG antibody-associated disease:")
    gaps = "".join(cohort[a.end:b.start] for a, b in zip(found, found[1:]))
    rest = cohort[:found[0].start] + gaps + cohort[found[-1].end:]
    return not re.search(r"\w", re.sub(r"\b(?:an?|the|known|documented|confirmed|diagnosed|diagnosis\s+of|and|or)\b",
                                       " ", rest, flags=re.I))


@lru_cache(maxsize=64)
def _cohort_subtypes(cohort: str) -> tuple[str, ...]:
    """The subtypes a cohort's words name (read once per heading, not per criterion under it); none if every one."""
    lexicon = get_lexicon()
    subtypes = list(dict.fromkeys(member for entity in find_entities(cohort) if entity.label == "MS_SUBTYPE"
                                  for member in lexicon.subtype_members(entity.id)))
    if cohort.endswith(BESIDE_OTHERS):
        # "Patients:", "Patients with MS:" beside "Healthy volunteers:": every phenotype a patient may have, so that
        # the volunteers are not held to the patients' criteria and no patient escapes them (a CIS or RIS patient
        # scoped out passed the "Patients with MS:" block, its MS diagnosis too, as not applicable)
        if subtypes:
            return tuple(subtypes)
        return _PATIENT_COURSES
    return () if {"RRMS", "SPMS", "PPMS"} <= set(subtypes) else tuple(subtypes)




def _compile_node(criterion: Criterion) -> list:
    if not criterion.children:
        return compile_text(criterion.text, criterion.section, criterion.id, criterion.span)
    if _PROCEDURE_ONLY_RE.search(criterion.text):
        # "Additional exclusion criteria for the MRI with gadolinium (participants who meet them may take part
        # without contrast): - ...": the items decide one procedure, not entry to the study; a person checks them
        return [_items_for_a_person(criterion, "criteria of one optional procedure, not of entry to the study")]
    head = criterion.text.rstrip()
    if head.endswith(":") and len(head) <= 90 and OTHER_PERSONS_RE.search(head) and not _ANYONE_ELSE_RE.search(head):
        # "Age- and sex-matched controls (non-FDR): - Age 18 to 30 - No relative with MS": the criteria of other
        # people than the patients (read, the controls' items bound every patient); a person checks them
        return [_items_for_a_person(criterion, f"criteria of the {head.rstrip(':').strip()}, not of the patient")]
    if _SUITABLE_FOR_ITEMS_RE.search(criterion.text):
        # "Suitable, in the investigator's judgement, for treatment with one of the following DMTs: - ...": the
        # treatments the patient may be given, not an exposure (read as one, every patient never on them failed)
        return [_items_for_a_person(criterion, "suitable for one of the treatments listed: a treatment to come, not one "
                                               "taken", "judgement" if _STRONG_JUDGEMENT_RE.search(criterion.text)
                                    else "clinical")]
    if _is_item_list(criterion) and _untreated_arm(criterion) is None:
        # "Prior treatment with any of the following: - cladribine - mitoxantrone": one rule over the items.
        # (an untreated arm before them is one more alternative: _group)
        # (items that end with ";" stay apart: "...; interferon beta, if it was stopped because of intolerance.")
        separator = "; " if any(c.text.rstrip().endswith(";") for c in criterion.children) else ", "
        text = criterion.text.rstrip(": ") + ": " + separator.join(c.text.rstrip(".;,") for c in criterion.children)
        end = max(c.span[1] for c in _descendants(criterion))
        rules = compile_text(text, criterion.section, criterion.id, (criterion.span[0], end))
        return rules
    return _group(criterion)


def _items_for_a_person(criterion: Criterion, why: str, category: str = "clinical") -> ManualReviewRule:
    """One rule over a heading and all its items, which a person reads (``why``)."""
    end = max(c.span[1] for c in _descendants(criterion))
    return ManualReviewRule(id=f"{criterion.id}.r1", criterion_id=criterion.id, section=criterion.section,
                            text=criterion.text, span=(criterion.span[0], end), category=category,
                            polarity=_default_polarity(criterion.section), why=why)


# (a heading of everyone, or of the patients beside the others: "All participants (patients and controls):")
_ANYONE_ELSE_RE = re.compile(r"\b(?:patients?|participants?|subjects?|all|both|each|either|any|must|should|have|has|"
                             r"are|is|who)\b", re.I)
_SUITABLE_FOR_ITEMS_RE = re.compile(r"\b(?:suitable|eligible|(?:a\s+)?candidates?|indicated)\b[^:]{0,80}?\bfor\s+"
                                    r"(?:treatment|therapy)\s+with\s+(?:one|any|each)\s+of\s+the\s+following\b", re.I)
_PROCEDURE_ONLY_RE = re.compile(r"\b(?:may|can|will)\s+(?:still\s+)?(?:take\s+part|participate|be\s+included|"
                                r"be\s+enrol+ed|remain\s+in\s+the\s+study)\s+(?:in\s+the\s+(?:study|trial)\s+)?without\b",
                                re.I)


def _untreated_arm(criterion: Criterion) -> Optional[re.Match]:
    """The untreated arm an inclusion's heading offers beside its items ("Either untreated (no DMT during the 3 months
    before ...) or on one of the following:", "..., or untreated (no DMT for at least 6 months):"), or None."""
    if criterion.section != "inclusion":
        return None
    return _UNTREATED_OR_RE.search(criterion.text) or _OR_UNTREATED_RE.search(criterion.text)


def _group(criterion: Criterion) -> list:
    section = criterion.section
    # (an untreated arm is one more alternative to the items, read below: not a rule of the parent's own, nor its time)
    untreated = _untreated_arm(criterion)
    own_text = criterion.text if untreated is None else \
        criterion.text[:untreated.start()] + " " * len(untreated.group(0)) + criterion.text[untreated.end():]
    own = [r.model_copy(update={"text": criterion.text}) if r.text == own_text else r
           for r in compile_text(own_text, section, criterion.id, criterion.span)]
    subtypes = [r for r in own if isinstance(r, SubtypeRule)]
    own = [r for r in own if not isinstance(r, SubtypeRule)
           and not (r.kind == "manual_review" and r.category in ("partial", "clinical") and len(own) > 1)]
    if own and all(r.kind == "manual_review" for r in own):
        own = []  # a heading such as "Conditions/situations such as:" states nothing of its own
    if _FOLLOWING_HEADING_RE.search(criterion.text):
        # "Any of the following cardiac conditions:": the items are the conditions; the category names the list
        own = [r for r in own if r.kind != "condition"]
    if _FOLLOWING_DRUGS_RE.search(criterion.text):
        # "Use of the following DMTs within the stated time before the first dose:": the items are the drugs
        own = [r for r in own if not (r.kind in ("prior_drug", "washout") and not r.drugs)]
    k_of_n = _K_OF_N_RE.search(criterion.text)
    if k_of_n and number(k_of_n.group("k")) >= 2:
        # "two of the following three:": no group mode states it; the items go to a person
        text = " ".join(c.text for c in _descendants(criterion))
        return [*own, *subtypes, ManualReviewRule(
            criterion_id=criterion.id, section=section, text=text, span=criterion.span, category="partial",
            polarity=_default_polarity(section),
            why=f"'{k_of_n.group(0)}' items: a count of items met is not structured")]
    heading = _WASHOUT_HEADING_RE.search(criterion.text)
    washouts = heading if section == "inclusion" or heading and heading.group(0).lower().startswith("minimum") else None
    if washouts:
        # "Participants previously treated with a DMT must have completed the following washout periods before
        # randomization: - natalizumab: 3 months": the items are the washouts (none of the drugs is required)
        # (nor is the treatment stopped: "... must have stopped it for at least the period listed below")
        # (nor what is asked of the patients on one: "Patients switching from another DMT must respect the following
        # minimum intervals ...:", the rows say what)
        own = [r for r in own if r.kind not in ("prior_drug", "group")]
    children = []
    parent_anchor = stated_anchor(criterion.text)
    until = _LAST_DOSE_AND_RE.search(criterion.text) if washouts and parent_anchor is None else None
    if until:
        # "the minimum time between the last dose and Day 1:", "... and the first dose of teriflunomide:"
        parent_anchor = anchor_of(until.group("a"))
    parent_windows = [w for w in find_windows(criterion.text) if not w.gap]
    # "Patients must be either untreated (no disease-modifying therapy during the 3 months before ...) or on a stable
    # dose ... of one of the following approved treatments:": the untreated arm, with its own window, is one more
    # alternative to the items (read as the items' window, each item became a required use in it)
    untreated_rule = None
    if untreated:
        own_windows = [w for w in parent_windows if untreated.start() <= w.start < untreated.end()]
        parent_windows = [w for w in parent_windows if w not in own_windows]
        named = [e.id for e in find_entities(untreated.group("paren")) if e.label == "DRUG_CLASS"]
        common = dict(criterion_id=criterion.id, section=section, text=untreated.group(0).strip(" ,:"),
                      span=criterion.span, polarity="exclude", classes=named or ["dmt"])
        # ("or untreated (no disease-modifying therapy for at least 6 months):": none in those months)
        lasted = None if own_windows else minimum_duration(untreated.group("paren"))
        window = own_windows[0].window if own_windows else \
            Window(within=lasted, anchor=stated_anchor(criterion.text) or "screening") if lasted else None
        untreated_rule = WashoutRule(id=f"{criterion.id}.r0", **common, window=window) if window \
            else PriorDrugRule(id=f"{criterion.id}.r0", **common, current=True)
    parent_current = _PARENT_CURRENT_RE.search(criterion.text)
    parent_history = _PARENT_HISTORY_RE.match(criterion.text)
    parent_period = untimed_period(criterion.text)
    # ("Currently treated with one of the following DMTs, without interruption, for more than 6 months ...:": each
    # item for that long)
    parent_minimum = minimum_duration(own_text) if section == "inclusion" and _ANY_OF_RE.search(own_text) \
        and not washouts else None
    # "Length of disease from the onset of MS symptoms, according to the EDSS score: - less than 10 years in
    # participants with an EDSS of 5.0 or below": each item completes the parent's duration
    duration_heading = DURATION_HEADING_RE.search(criterion.text) and not any(r.kind == "disease_duration" for r in own)
    table = washouts or re.search(r"\bperiods?\b|\bwash[\s-]?out", criterion.text, re.I)
    for child in criterion.children:
        if table and _NO_WASHOUT_ROW_RE.match(child.text) and not child.children:
            continue  # "interferon beta or glatiramer acetate | no washout required": read, nothing to wait for
        row = _MINIMUM_ROW_RE.match(child.text) if washouts and not child.children else None
        if row:
            # "natalizumab: at least 12 weeks" under a washout table: no natalizumab in those 12 weeks
            blanked = child.text[:row.start("min")] + " " * len(row.group("min")) + child.text[row.end("min"):]
            child_rules = [rule.model_copy(update={"text": child.text}) for rule in
                           compile_text(blanked, section, child.id, child.span)]
        else:
            child_rules = _compile_node(child) if not (duration_heading and not child.children) else [
                rule.model_copy(update={"text": child.text, "span": child.span}) for rule in compile_text(
                    criterion.text.rstrip(": ") + ": " + child.text, section, child.id, child.span)]
        if parent_anchor and stated_anchor(child.text) is None:
            # "... within the specified timeframes before randomization: - Natalizumab: 6 months"
            child_rules = [_with_anchor(rule, parent_anchor) for rule in child_rules]
        if len(parent_windows) == 1 and not _EVER_ITEM_RE.search(child.text):
            # "activity in the 36 months before screening, defined as at least one of: - Two or more relapses"
            child_rules = [_with_window(rule, parent_windows[0].window) for rule in child_rules]
        if parent_current:
            child_rules = [_as_current(rule) for rule in child_rules]
        if parent_period and untimed_period(child.text) is None:
            # "Any of the following treatments since the last dose of study drug in the parent study: - ...": a time the
            # record cannot date, each item's qualifier
            child_rules = [_in_period(rule, parent_period) for rule in child_rules]
        if parent_history and not _PRESENT_ITEM_RE.search(child.text):
            child_rules = [_as_history(rule) for rule in child_rules]
        if parent_minimum:
            child_rules = [_for_at_least(rule, parent_minimum) for rule in child_rules]
        if washouts:
            child_rules = [_as_washout(rule) for rule in child_rules]
        children.append(child_rules[0] if len(child_rules) == 1 else GroupRule(
            id=f"{child.id}.all", criterion_id=child.id, section=section, text=child.text, span=child.span,
            mode="all", rules=child_rules, polarity="require"))
    # the last word on how many items count is the parent's: "therapy with one or more of the approved therapies
    # (...) as evidenced by both:" asks both items
    last = next(reversed(list(_ITEMS_NEEDED_RE.finditer(criterion.text))), None)
    any_of = section == "inclusion" and (last.group("all") is None if last else all(
        re.search(r"\bor\s*$", c.text) for c in criterion.children[:-1]) or _alternatives_by_drug(criterion, children))
    if any_of and all(isinstance(c, SubtypeRule) and c.polarity == "require"
                      and c.active_only == children[0].active_only for c in children):
        # "Diagnosis of progressive MS, either: - primary progressive MS, or - secondary progressive MS": one
        # subtype rule over the items, which spell out the parent's subtype
        return [*own, children[0].model_copy(update={
            "subtypes": list(dict.fromkeys(s for c in children for s in c.subtypes)), "criterion_id": criterion.id,
            "text": criterion.text, "span": (criterion.span[0], max(c.span[1] for c in criterion.children))})]
    if untreated_rule is not None:
        if re.match(r"\s*(?:be\s+)?(?:currently\s+)?(?:on|receiving|taking|using)\b", criterion.text[untreated.end():], re.I) \
                or untreated.re is _OR_UNTREATED_RE and _TREATED_WITH_ITEMS_RE.search(criterion.text, 0, untreated.start()):
            # "or on a stable dose, for at least 3 months, of": use now, for that long
            children = [child.model_copy(update={"current": True}) if child.kind == "prior_drug" else child
                        for child in children]
        children = [untreated_rule, *children] if any_of else [untreated_rule, GroupRule(
            id=f"{criterion.id}.all", criterion_id=criterion.id, section=section, text=criterion.text,
            span=criterion.span, mode="all", rules=children, polarity="require")]
        any_of = True
    inner = GroupRule(id=f"{criterion.id}.{'any' if any_of else 'all'}", criterion_id=criterion.id, section=section,
                      text=criterion.text, span=criterion.span, mode="any" if any_of else "all", rules=children,
                      polarity="require")
    when = Applicability(subtypes=subtypes[0].subtypes) if subtypes and subtypes[0].polarity == "require" else None
    sole, scope = _SOLE_COHORTS.get()
    if when and criterion.text in sole:
        # (the heading of the trial's only patients: the block is theirs, whatever their course; see sole_cohorts)
        when = Applicability(subtypes=list(scope)) if scope else None
    lead = _COHORT_LEAD_RE.match(criterion.text) or _COLON_COHORT_RE.match(criterion.text)
    if when is None and lead and _cohort_subtypes(lead.group("cohort")):
        # "For participants with progressive MS, progression of disability shown by either: - ...": the items too
        when = Applicability(subtypes=list(_cohort_subtypes(lead.group("cohort"))))
    if when and (any(r.kind == "ms_diagnosis" for r in own) or _DEFINED_COURSE_RE.search(criterion.text)):
        # "Diagnosis of primary progressive MS ..., i.e. ...:", "Meets the 2009 Okuda criteria for radiologically
        # isolated syndrome (RIS), i.e. all of the following:": the subtype is required, not a block's scope (read as
        # one, every patient without RIS passed)
        own, when = [*own, *subtypes], None
    if not own and when is None:
        return [inner]
    return [GroupRule(id=f"{criterion.id}.block", criterion_id=criterion.id, section=section, text=criterion.text,
                      span=criterion.span, mode="all", rules=[*own, inner], when=when, polarity="require")]


def _alternatives_by_drug(criterion: Criterion, children: list) -> bool:
    """"Last anti-CD20 dose given as follows: - ocrelizumab or rituximab: last infusion 4 to 9 months before Day 1;
    - ofatumumab: last injection within 6 weeks": items headed by different drugs, each asking for that drug's use,
    are alternatives (a patient is on one of them; read as all, every patient failed). Washout rows, which ask for
    no use, stay all."""
    if len(children) < 2:
        return False
    heads = [re.match(r"\s*([^:;]{2,80}):", c.text) for c in criterion.children]
    if not all(h and _names_drugs_only(h.group(1)) for h in heads):
        return False
    named = [{e.id for e in find_entities(h.group(1))} for h in heads]
    if any(a & b for i, a in enumerate(named) for b in named[i + 1:]):
        return False
    return all(any(r.kind in ("washout", "prior_drug") and r.polarity == "require" for r in _walk([child]))
               for child in children)


# an item timed otherwise than its parent: "- alemtuzumab or cladribine at any time"
_EVER_ITEM_RE = re.compile(r"\b(?:at\s+)?any\s+(?:time|point)\b|\bever\b|\blifetime\b|\bregardless\s+of\s+(?:timing|when)\b",
                           re.I)


def _is_item_list(criterion: Criterion) -> bool:
    """Children that are bare items (drug or condition names) rather than criteria of their own."""
    children = criterion.children
    if any(c.children or _EVER_ITEM_RE.search(c.text) for c in children):
        return False  # (an item timed otherwise than its parent is a criterion of its own)
    # (a row of a table, "dimethyl fumarate | 2 weeks", "X: no washout required", is a criterion of its own)
    bare = [c for c in children if len(c.text.split()) <= 12 and not re.search(r"\d", c.text.split(";")[0])
            and "|" not in c.text and not _NO_WASHOUT_ROW_RE.match(c.text)]
    # In an exclusion list "any of the following:" names items to avoid; in an inclusion list it is an any-of, which
    # one rule over the items states when every item is a drug ("treated with one of the following DMTs: - ...").
    return len(bare) >= max(1, len(children) - 1) and (
        criterion.section == "exclusion" or not _ANY_OF_RE.search(criterion.text) or all(
            _names_drugs_only(c.text) for c in children))


def _names_drugs_only(text: str) -> bool:
    """"dimethyl fumarate, diroximel fumarate or teriflunomide": drug names and the words that join them, nothing else
    (a dose after them is the drug's: "oral corticosteroids at a dose of 15 mg/day prednisone equivalent or less")."""
    text = _DOSE_TAIL_RE.sub("", text)
    entities = find_entities(text)
    if not entities or any(e.label not in ("DRUG", "DRUG_CLASS") for e in entities):
        return False
    gaps, last = [], 0
    for e in entities:  # (sorted by start)
        gaps.append(text[last:e.start])
        last = max(last, e.end)
    gaps.append(text[last:])
    return not [w for w in re.findall(r"[\w'-]+", " ".join(gaps)) if w.lower() not in _JOINING_WORDS]


_DOSE_TAIL_RE = re.compile(r"\s*,?\s*(?:at\s+)?(?:an?\s+)?(?:(?:maximum|stable|daily)\s+)?(?:doses?|dosages?)\s+(?:of\s+)?"
                           r"(?:up\s+to\s+|at\s+most\s+|[<>≤]=?\s*)?\d.*$|\s+(?:up\s+to\s+|[<>≤]=?\s*)?\d[\d.]*\s*"
                           r"(?:mg|g|µg|mcg|IU)\b.*$", re.I)
_JOINING_WORDS = {"or", "and", "and/or", "any", "other", "the", "a", "an", "of"}


def _descendants(criterion: Criterion):
    for child in criterion.children:
        yield child
        yield from _descendants(child)


def _walk(rules):
    for rule in rules:
        yield rule
        if rule.kind == "group":
            yield from _walk(rule.rules)


def structured_field_criteria(trial: Trial) -> list[CompiledCriterion]:
    """Minimum/maximum age, sex and healthy volunteers from the record's structured fields."""
    out = []
    low, high = _age_years(trial.minimum_age), _age_years(trial.maximum_age)
    if low is not None or high is not None:
        text = f"Age (structured field): {trial.minimum_age or 'no minimum'} to {trial.maximum_age or 'no maximum'}"
        out.append(("F1", text, [AgeRule(years=Range(low=low, high=high))]))
    sex = (trial.sex or "").strip().upper()
    if sex in ("FEMALE", "MALE", "ALL", "BOTH"):
        allowed = ["female", "male"] if sex in ("ALL", "BOTH") else [sex.lower()]
        out.append(("F2", f"Sex (structured field): {trial.sex}", [SexRule(allowed=allowed)]))
    if trial.healthy_volunteers is not None:
        out.append(("F3", f"Accepts healthy volunteers (structured field): {'Yes' if trial.healthy_volunteers else 'No'}",
                    [HealthyVolunteersRule(accepted=trial.healthy_volunteers)]))
    return [
        CompiledCriterion(id=ident, section="inclusion", text=text, span=(0, 0), coverage="full",
                          rules=[r.model_copy(update={"id": f"{ident}.r1", "criterion_id": ident, "text": text,
                                                      "origin": "structured_field"}) for r in rules])
        for ident, text, rules in out
    ]


def _age_years(value: Optional[str]) -> Optional[float]:
    if not value:
        return None
    match = re.match(r"\s*(\d+(?:\.\d+)?)\s*(year|month|week|day)", value, re.I)
    if not match:
        return None
    amount = float(match.group(1))
    per_year = {"year": 1, "month": 12, "week": 52.1775, "day": 365.25}[match.group(2).lower()]
    return round(amount / per_year, 4)


def compile_trial(trial: Trial, *, compiled_on: Optional[date] = None) -> RuleSet:
    segmented = segment(trial.criteria_text)
    if not segmented:  # section headers with nothing under them: an empty rule set would screen "eligible"
        raise NoCriteriaError("the eligibility sections hold no criteria", file=trial.source, record=trial.record,
                              field="criteria", hint="check the record's eligibility text")
    cohorts = _TRIAL_COHORTS.set(labelled_cohorts(segmented))
    beside_others = takes_others(segmented)
    sole = _SOLE_COHORTS.set(sole_cohorts(segmented, bool(trial.healthy_volunteers) or beside_others))
    others = _TAKES_OTHERS.set(beside_others)
    try:
        criteria = structured_field_criteria(trial) + [compile_criterion(c) for c in segmented]
    finally:
        _TRIAL_COHORTS.reset(cohorts)
        _SOLE_COHORTS.reset(sole)
        _TAKES_OTHERS.reset(others)
    return RuleSet(trial_id=trial.id, title=trial.title, source=trial.source, source_sha256=trial.source_sha256,
                   compiler_version=COMPILER_VERSION, compiled_on=compiled_on, criteria_text=trial.criteria_text,
                   criteria=criteria)
