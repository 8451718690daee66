"""Treatments: washout windows, prior-drug bans, current therapy, live vaccines, investigational agents."""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import replace
from functools import lru_cache

from ...lexicon import get_lexicon
from ...models.rules import (Duration, GroupRule, InvestigationalRule, LiveVaccineRule, ManualReviewRule, PriorDrugRule,
                             WashoutRule, Window)
from .. import context
from ..context import Context
from ..nlp import Entity
from .condition_wording import EXAMPLES_RE, SEGMENT_BREAK_RE, SINCE_STUDY_EVENT_RE, closing, enclosing_paren
from ..quantities import (ANCHOR_WORDS, COMPARATOR_RE, HALF_LIVES_RE, NUM, STUDY_PERIOD_TIME_RE, anchor_after, anchor_of,
                          find_windows, half_lives_anchor, is_stated_anchor, number, stated_anchor, unit_of)

# Mentions that are about the drug but not exposure to it.
_NOT_EXPOSURE_RE = re.compile(r"allerg|hypersensitiv|intoleran|contra[\s-]?indicat|adverse\s+reaction|anaphyla|"
                              r"sensitivity\s+to|excipients|indicated\s+to\s+treat|indication\s+for|"
                              r"(?:may|might|could|would|will)\s+require|"
                              # (what a condition may need; "requires ongoing treatment with X" is taking X now)
                              r"requir\w+\s+(?!(?:ongoing|chronic|continuous|continued|current|concomitant|long[\s-]term)\b)(?:(?!or\b|and\b)[\w-]+\s+){0,2}?"
                              r"treatment|"
                              r"after\s+(?:the\s+)?(?:last|final)\s+(?:dose|infusion|administration)|"
                              r"(?:when|while)\s+receiving|\b(?:not|never|poorly)\s+tolerat\w*|\bdeclined\b|"
                              # "the physician's decision to prescribe TYSABRI was made before enrolment": a plan
                              r"\bdeci(?:sion|ded)\s+to\s+(?:prescribe|start|initiate|treat)\b|"
                              # ("a current relapse ..., for which the neurologist has prescribed X": its treatment to come)
                              r"\bfor\s+which\s+(?:[\w-]+\s+){0,4}?(?:has|have)\s+(?:been\s+)?(?:prescribed|planned|ordered)\b|"
                              # "Failure to produce a T-cell vaccine from the subject's blood sample": a manufacture
                              r"\bfail\w*\s+to\s+(?:produce|manufacture|prepare)\b|"
                              # "Paternal exposure only: pregnancies in the partners of men treated with X": the
                              # father's drug, not the participant's
                              r"\bpaternal\b|\bpartners?\s+of\s+(?:men|males|fathers|patients)\b", re.I)
_NON_RESPONSE_RE = re.compile(r"\bnon-?respon\w*|\bfail\w*\s+to\s+respond|\b(?:inadequate|insufficient|lack\s+of)\s+"
                              r"(?:response|efficacy)", re.I)
_ALLERGY_CLAUSE_RE = re.compile(r"[,;]\s*(?:or|and)\s+(?:an?\s+)?(?:known\s+|documented\s+|prior\s+|previous\s+|"
                                r"(?:a\s+)?history\s+of\s+)?(?:hypersensitivity|allerg(?:y|ies|ic\s+reactions?)|"
                                r"intolerance|contra[\s-]?indications?)\b", re.I)
# why a drug was stopped is no intolerance criterion of its own: "treated for less than 6 months and stopped for
# reasons other than lack of efficacy or intolerance" (a person reads the reason)
_STOPPED_FOR_RE = re.compile(r"\b(?:stopped|discontinued|withdrawn|ceased)\s+(?:for|due\s+to)\s+(?:any\s+)?reasons?\s+"
                             r"other\s+than\b[^.;]*", re.I)
# why the patient stopped a drug: "interferon beta-1b interrupted for lack of efficacy or for intolerance (e.g. ...)"
# qualifies the exposure (README: like what a drug was given for, the record does not say; an exposure found goes to
# a person)
_REASON = r"(?:(?:lack|loss)\s+of\s+(?:efficacy|response|effect)|inefficacy|(?:an?\s+)?intoleran\w*|(?:treatment\s+)?failure|" \
          r"side[\s-]effects?|adverse\s+(?:events?|effects?|reactions?)|(?:safety|tolerability)(?:\s+reasons?)?)"
_STOPPED_BECAUSE_RE = re.compile(rf"\b(?:interrupted|stopped|discontinued|withdrawn|ceased|abandoned)\s+(?:for|due\s+to|"
                                 rf"because\s+of|owing\s+to)\s+{_REASON}(?:\s*,?\s*(?:or|and|and/or)\s+(?:for\s+|due\s+to\s+|"
                                 rf"because\s+of\s+)?{_REASON})*(?:\s*\([^()]*\))?", re.I)


def _stop_reasons(text: str) -> list:
    """(match, start of its item) of each reason a drug was stopped that qualifies the exposure before it (not a
    condition of a permission: "may enroll, provided that the DMT was stopped because of intolerance")."""
    out = []
    for stopped in _STOPPED_BECAUSE_RE.finditer(text):
        item_from = _item_start(text, stopped.start())
        before = text[item_from:stopped.start()]
        # (but "interferon beta, if it was stopped because of lack of efficacy": the reason of that exposure)
        if not re.search(r"\b(?:provided|if|unless|only|may|can)\b", before, re.I) or \
                re.search(r",\s*if\s+(?:it|they|this|that)\s+(?:was|were|has\s+been|had\s+been)\s*$", before, re.I):
            out.append((stopped, item_from))
    return out


def _without_stop_reasons(text: str) -> str:
    for stopped, _ in reversed(_stop_reasons(text)):
        text = text[:stopped.start()] + " " * (stopped.end() - stopped.start()) + text[stopped.end():]
    return text


# "Contraindication to lumbar puncture: ..., anticoagulant treatment": the list after the colon names the
# contraindications themselves, so the drugs there are exposures.
_CONTRAINDICATION_LIST_RE = re.compile(r"contra[\s-]?indicat\w*\s+(?:to|for)\s+[^:;.]{1,60}:", re.I)
# Future conduct or intent, not exposure: "willing to ... abstain from green tea", "inability to abstain from
# marijuana", "unwilling to use contraception (oral contraceptives ...)", "treatment with Gilenya intended".
_CONDUCT_BEFORE_RE = re.compile(r"\b(?:un)?willing(?:ness)?\s+(?:of\s+(?:the\s+)?(?:subject|patient|participant)s?\s+)?to\b|\b(?:in)?ability\s+to\s+(?:abstain|refrain|stop)|"
                                r"\babstain\w*\s+from\b|\brefrain\w*\s+from\b|\bagree\w*\s+(?:not\s+)?to\b|\bintend\w*\s+to\b|"
                                r"\bplan\w*\s+to\b|\bwish\w*\s+to\b|"
                                # "Planned switch to another disease-modifying treatment": a plan
                                r"\b(?:planned|intended|scheduled|foreseen|anticipated)\s+(?:switch|change|start|"
                                r"initiation|introduction|escalation|discontinuation|interruption|withdrawal|stop)\s+"
                                r"(?:to|of)\s+(?:an?\s+|another\s+|the\s+)?"
                                r"(?:[\w-]+\s+)?$|"
                                # "Men allocated to cladribine agree to ...": the arm of the study, not an exposure
                                r"\b(?:allocated|randomi[sz]ed|assigned)\s+to\s+(?:the\s+|receive\s+)?(?:[\w-]+\s+)?$|"
                                # "Decision of the treating neurologist, independent of the study, to start a first
                                # immunomodulatory therapy": a treatment to come
                                r"\bdeci(?:sion|ded|des)\b[^.;]{0,80}?\bto\s+(?:start|begin|initiate|prescribe|switch|"
                                r"treat|stop|discontinue)\b|"
                                # what the patient is fit for or will undergo: "venous access for leukapheresis"
                                r"\b(?:fit|eligible|suitable|candidates?|access|referred)\s+(?:for|to\s+receive)\b|"
                                r"\bto\s+undergo\b|"
                                # "Able to come fasting and to take the morning dose of teriflunomide at the time
                                # assigned": what the patient can do for the study
                                r"\b(?:un)?able\s+to\s+(?:[\w-]+\s+){0,8}?(?:and\s+)?to\s+take\b[^.;]{0,30}$|"
                                r"\b(?:un)?able\s+to\s+(?:take|swallow|self-?inject|self-?administer)\b[^.;]{0,30}$|"
                                # "may be re-screened after at least 4 weeks of vitamin D repletion": a proviso of
                                # the screening, not the patient's use
                                r"\bre-?(?:screen|test)\w*\b[^.;()]{0,40}$|"
                                # what an infection needed: "an infection requiring hospitalization or IV antibiotics"
                                # (not across a clause of its own: "hospitalized for an infection, or have been treated
                                # with intravenous antibiotics")
                                r"\binfections?\b(?:(?!,\s*(?:or|and)\s+(?:have|has|had|was|were)\b)[^.;]){0,30}"
                                r"\b(?:requir\w+|needing|necessitating|treated\s+with)\b"
                                r"[^.;]{0,60}$", re.I)
# (not across a clause of its own: "Current use of fampridine, or planned start of fampridine during the study")
_CONDUCT_AFTER_RE = re.compile(r"^(?:(?!,\s*(?:or|and)\b)[^.;:]){0,25}?"
                               r"\b(?:intended|planned|scheduled|foreseen|envisaged)\b", re.I)
# A contrast agent named for imaging ("Gd-enhancing lesion", "MRI with and without gadolinium") is no exposure.
_IMAGING_RE = re.compile(r"\bMRI\b|\bscans?\b|\blesions?\b|enhanc\w+|\bimaging\b|magnetic\s+resonance", re.I)
# "activity while on stable interferon therapy", "a relapse during treatment with IFNB": when the activity happened.
_DURING_RE = re.compile(r"\b(?:while|whilst)\s+(?:being\s+)?(?:on|receiving|taking|treated\s+with)\b|"
                        r"\bduring\s+(?:\w+\s+){0,2}(?:treatment|therapy)\s+with\b|\bon\s+(?:that|the\s+same)\s+|"
                        # "muscle symptoms during previous statin treatment"
                        r"\b(?:during|while\s+on)\s+(?:(?:a|an|the|previous|prior|earlier|past)\s+)*$|"
                        # "no relapses during the last 12 months of treatment with natalizumab": the time, not an exposure
                        r"\b(?:last|past|first|previous)\s+(?:\w+\s+)?(?:days?|weeks?|months?|years?)\s+of\s+"
                        r"(?:(?:the|their|her|his)\s+)?(?:treatment|therapy)\s+(?:with|by)\s+$|"
                        # ("during the last 12 months of natalizumab treatment")
                        r"\b(?:during|over|throughout)\s+the\s+(?:last|past|first|previous)\s+(?:\w+\s+)?"
                        r"(?:days?|weeks?|months?|years?)\s+of\s+$", re.I)
_SUBSTANCE_USE_RE = re.compile(r"\babuse\b|\bdependen(?:ce|cy)\b|\baddiction\b|\bmisuse\b|\buse\s+disorder", re.I)
# "5 or more days a week", "once a week", "15 or more days per month": how often
FREQUENCY = (rf"\b(?:{NUM}|once|twice|thrice)\s+(?:or\s+more\s+)?(?:days?|times?)?\s*(?:a|per|each|/)\s*"
             r"(?:week|wk|month|day)\b")
_FREQUENCY_RE = re.compile(FREQUENCY, re.I)
# "having received at least 6 infusions": how many doses
_DOSE_COUNT_RE = re.compile(rf"\b(?:having\s+(?:received|had)\s+|after\s+|with\s+)?(?:at\s+least|a\s+minimum\s+of|minimum\s+of|"
                            rf"more\s+than|no\s+fewer\s+than|not\s+less\s+than|≥|>=)\s*{NUM}\s+(?:[\w-]+\s+)?"
                            r"(?:infusions|doses|injections|administrations)\b", re.I)
# "Regular use of proton pump inhibitors ... during the 3 months", "Daily use of opioids": a regimen the record cannot
# show, the qualifier of the drugs after it in its item (README: a dose or regimen is the rule's qualifier)
_REGIMEN_LEAD_RE = re.compile(r"\b(?P<regimen>(?:regular|daily|habitual)\s+(?:use|intake|treatment|consumption))\s+"
                              r"(?:of|with)\b", re.I)
# A parenthesis of examples after "contraception" lists methods, not exposures.
_CONTRACEPTION_RE = re.compile(r"contracept\w*|birth\s+control", re.I)
_CONTRACEPTIVES = {"hormonal_contraceptive", "oral_contraceptive", "contraceptive"}
_METHOD_OF_CONTRACEPTION_RE = re.compile(r"\b(?:must|agree\w*|willing|should|required\s+to)\b[^.;]{0,120}\b(?:use|add)\b|"
                                         r"\b(?:intra-?uterine|condom|diaphragm|sterili[sz]|abstinen)", re.I)
# A permission ("... may be considered for this trial") states no exclusion.
_PERMISSION_RE = re.compile(r"may\s+be\s+considered|(?:is|are|was|were)\s+(?:also\s+)?(?:allowed|permitted)|"
                            # "Participants may continue their DMT", "Note: participants continue their medication"
                            # (not "may continue X provided the dose is stable": a condition on it)
                            r"\b(?:may|can|will)\s+(?:continue|be\s+continued)\b(?![^.;]*\b(?:provided|if|as\s+long\s+as|stable)\b)|"
                            r"^\s*note\s*:\s*(?:\w+\s+){0,2}continue\b|"
                            r"not\s+exclusionary|acceptable|"
                            # "Corticosteroids given for relapses do not count as disease-modifying therapy"
                            r"(?:do|does|will)\s+not\s+count\b|(?:is|are)\s+not\s+(?:counted|regarded)\b", re.I)
# "(no washout is required for interferon beta or glatiramer acetate)": the drugs it names may have been taken at any time
NO_WASHOUT = r"no\s+(?:wash[\s-]?out(?:\s+period)?|(?:minimum\s+)?interval)\s+(?:is\s+)?(?:required|needed|necessary)"
_NO_WASHOUT_RE = re.compile(rf"\b{NO_WASHOUT}\b", re.I)
# "Previous treatment with X is allowed provided it was stopped at least 4 weeks before randomization": use within
# those 4 weeks excludes, in either section
_ALLOWED_IF_RE = re.compile(r"\b(?:is|are)\s+(?:also\s+)?(?:allowed|permitted|acceptable)\s+(?:only\s+)?(?:provided|if|"
                            r"as\s+long\s+as)\b", re.I)


def _allowed_after_gap(sentence: str) -> bool:
    allowed = _ALLOWED_IF_RE.search(sentence)
    return allowed is not None and any(w.gap and w.start > allowed.start() for w in find_windows(sentence))


# "Must be on baclofen for at least 30 days", "should remain on a stable dose": on it now, stated as a requirement.
_MUST_BE_ON = r"\b(?:must|should|will|to)\s+(?:be|remain|stay)\s+on\b(?:\s+(?:a\s+)?(?:stable|regular)\b)?"
# The present as a time point: "medications at enrollment", "at the time of screening".
AT_ENROLLMENT = r"\bat\s+(?:the\s+time\s+of\s+)?(?:enrol\w*|screening|baseline|randomi[sz]ation|inclusion|study\s+entry)\b"
_CURRENT_RE = re.compile("|".join([
    # ("treated for the current relapse with IV methylprednisolone": the relapse is now, not the treatment)
    r"\bcurrently\b", r"\bcurrent\b(?!\s+(?:MS\s+)?(?:relapse|episode|attack|exacerbation|event|flare|optic|study|trial|"
    r"pregnancy|visit))", r"\bstill\s+taking", r"\bon\s+(?:a\s+)?(?:stable|regular)", r"\bconcurrent\b",
    r"\bconcomitant\b", r"\bintake\b", r"\bneeds?\s+to\s+take", r"\bcontinuous\b", r"\bregular\b",
    r"^\s*constant\s+(?:\w+\s+)?(?:treatment|therapy)\b",  # (translated: "Constant immunomodulatory treatment ...")
    r"\b(?:daily|habitual)\s+(?:use|intake|treatment)\b",
    r"\bduring\s+treatment\s+with", r"\btreatment\s+with\s+\w+\s+according\s+to", r"\bongoing\b",
    r"\b(?:is|are)\s+(?:taking|receiving|using)\b", r"^\s*(?:taking|receiving|using)\b", r"\bestablished\s+on",
    r"^\s*(?:either\s+)?not\s+(?:taking|receiving|using)\b",  # "Either not taking a disease-modifying drug, or ..."
    # "Participants receiving interferon beta who have ...": the participants now on it
    r"^\s*(?:the\s+)?(?:patients?|subjects?|participants?|women|men)\s+(?:who\s+(?:are|is)\s+)?(?:currently\s+)?"
    r"(?:taking|receiving|using)\b",
    AT_ENROLLMENT,  # "medications at enrollment", "at the time of screening"
    r"\bstable\s+(?:therapy|treatment|dose|regimen)\b", r"^\s*(?:patients?\s+|subjects?\s+)?on\s+",
    r"^\s*(?:\d+[.)]\s*)?in\s+treatment\s+with\b",  # (translated: "In treatment with the same DMT ...")
    r"\brequir\w+\s+(?:chronic|continued|long[\s-]term)\b",  # "requires chronic treatment with": needs it now
    _MUST_BE_ON,
    r"\bpump\b",  # "Intrathecal baclofen pump (in place)", "(implanted pump)": a device that delivers it now
    # "the same disease-modifying therapy for at least 3 months": on it now, for that long
    r"\bthe\s+same\s+(?:[\w-]+\s+){0,2}?(?:therap(?:y|ies)|treatments?|DMTs?|drugs?|medications?|agents?|regimens?)\s+"
    r"(?:for|since|over|during|without)\b",
]), re.I)
_PAST_RE = re.compile(r"\bprevious\w*|\bprior\b|\bhistory\b|\bever\b|\bpast\b|\bearlier\b|\breceived\b|\btreated\b|"
                      r"\btaken\b|"
                      r"\bhad\b|\bhave\s+been\b|\bexposure\b|\btried\b|\bfailed\b|\bsince\b", re.I)
# "Treatment with natalizumab ... during at least 12 months before randomization": the treatment the patient is on
_TREATMENT_LEAD_RE = re.compile(r"\s*(?:(?:continuous|ongoing|current)\s+)?(?:treatment|therapy)\s+(?:with|by)\s+", re.I)
_NOW_TREATED_RE = re.compile(r"\b(?:currently|presently|still|now)\s+(?:being\s+)?treated\b", re.I)
# "Statin treatment for other disease", "anticoagulant or fibrinolytic treatment": the drug names the treatment
# the patient is on; without a word of the past that is current treatment.
_TREATMENT_NOUN_RE = re.compile(r"^\s*(?:\w+\s+)?(?:treatment|therapy|medication)\b", re.I)
_DURATION_UNIT = r"(?:(?:consecutive|continuous|uninterrupted)\s+)?(?P<unit>days?|weeks?|months?|years?)"
# How long a treatment has lasted: "for at least six months", "for a minimum of 6 months", "at least a year of
# attempted therapy", "stable dose for three months", "after being on that therapy for at least 6 months".
_MIN_DURATION_RE = re.compile(
    rf"\b(?:for|since|during|lasting)\s+(?:at\s+least|a\s+minimum\s+of|minimum\s+of|no\s+less\s+than|not\s+less\s+than|more\s+than|over|"
    rf"≥|>=)\s*(?:the\s+(?:(?:last|past|previous|preceding)\s+)?)?(?P<value>{NUM}|an?)\s*{_DURATION_UNIT}|"
    rf"(?:at\s+least|a\s+minimum\s+of|minimum\s+of|more\s+than)\s*(?P<value2>{NUM}|an?)\s*"
    rf"(?P<unit2>days?|weeks?|months?|years?)\s+of\s+(?:\w+\s+)?(?:therapy|treatment|use)|"
    # "the treatment must have been initiated more than 1 year before inclusion": on it for at least that long
    rf"\b(?:initiated|started|begun|commenced)\s+(?:at\s+least|more\s+than|over|≥|>=|>)\s*(?P<value3>{NUM}|an?)\s*"
    rf"(?P<unit3>days?|weeks?|months?|years?)\s+(?:before|prior\s+to|ago)|"
    # "for 30 days or longer"
    rf"\bfor\s+(?P<value4>{NUM})\s*(?P<unit4>days?|weeks?|months?|years?)\s+or\s+(?:longer|more)\b|"
    # "total time on any DMT of at least 5 years"
    rf"\b(?:time|duration|exposure)\s+(?:on|of|to)\s+[^.;]{{0,40}}?\bof\s+(?:at\s+least|a\s+minimum\s+of|more\s+than|≥|>=)\s*"
    rf"(?P<value5>{NUM})\s*(?P<unit5>days?|weeks?|months?|years?)|"
    # "without interruption for at least the last 2 years", "continuously for the past 12 months"
    rf"\b(?:without\s+(?:any\s+)?(?:interruptions?|breaks?|gaps?)|continuously|uninterrupted(?:ly)?)\s*,?\s*"
    rf"(?:for|over|during)\s+(?:at\s+least\s+)?(?:the\s+)?(?:(?:last|past|previous|preceding)\s+)?"
    rf"(?P<value6>{NUM}|an?)\s*(?P<unit6>days?|weeks?|months?|years?)|"
    # "Use of more than 2 weeks of steroids": the length of the use, before the drug (not "at least 4 weeks of
    # screening" nor "... of the last dose", the time points of a gap)
    rf"(?:at\s+least|a\s+minimum\s+of|minimum\s+of|more\s+than|longer\s+than|over|≥|>=|>)\s*(?P<value7>{NUM}|an?)\s*"
    rf"(?P<unit7>days?|weeks?|months?|years?)\s+of\s+(?!(?:the\s+)?(?:{ANCHOR_WORDS}|last|final|most\s+recent)\b)",
    re.I)
# "no gap in treatment longer than 3 months during the previous 12 months": how continuous the use was, which the
# record cannot show; its times are no washout, and a person checks it
_GAP_RE = re.compile(rf"\b(?:no|without)\s+(?:any\s+)?(?:gaps?|interruptions?|breaks?|pauses?)\s+(?:in\s+(?:[\w-]+\s+){{0,5}}?"
                     rf"(?:treatment|therapy|use|dosing)\s+)?(?:(?:longer|more|greater)\s+than|exceeding|of\s+more\s+than|>)"
                     rf"\s*(?P<value>{NUM})\s*(?P<unit>days?|weeks?|months?|years?)(?P<rest>[^.;]*)", re.I)
# "anticoagulants that cannot be stopped for 3 days before the procedure", "unwilling to discontinue X": the
# patient is on it now; the window is how long a pause would take, not a washout.
_CANNOT_STOP_RE = re.compile(r"\b(?:cannot|can\s*not|can't|could\s+not|unable\s+to|not\s+able\s+to)\s+be\s+"
                             r"(?:safely\s+)?(?:stopped|discontinued|withheld|interrupted|held|paused|suspended)\b|"
                             r"\b(?:unwilling|unable|not\s+willing|not\s+able)\s+to\s+(?:stop|discontinue|withhold|"
                             r"interrupt|pause)\b", re.I)
# A ceiling on past exposure: "Treatment-naive to X, or treated with X for less than 3 months".
_MAX_DURATION_RE = re.compile(
    rf"\bfor\s+(?:a\s+total\s+of\s+)?(?:less\s+than|fewer\s+than|under|no\s+more\s+than|not\s+more\s+than|"
    rf"up\s+to|at\s+most|a\s+maximum\s+of|<|≤|<=)\s*(?P<value>{NUM}|an?)\s*{_DURATION_UNIT}", re.I)
# (and "more than 30 days continuously")
_CONSECUTIVE_RE = re.compile(rf"(?:(?:more\s+than|at\s+least|over|longer\s+than|≥|>=|>)\s*(?P<value>{NUM})|"
                             rf"(?P<value2>{NUM})\s+or\s+more)\s*(?:consecutive\s+{_DURATION_UNIT}|"
                             r"(?P<unit2>days?|weeks?|months?)\s+(?:continuously|in\s+a\s+row|without\s+interruption))",
                             re.I)
# ", if any,", ", if used,": what follows holds for the patients on it
_IF_ANY = r",\s*(?:if\s+(?:any|used|taken|applicable|present|given|prescribed)|where\s+applicable|when\s+used)\s*,"
# ("the regimen must have been unchanged for the last 3 months", "MS disease-modifying therapy, if any, unchanged
# during the 3 months before randomisation")
_STABLE_FOR_RE = re.compile(
    rf"(?:\b(?:stable|unchanged|constant)\s+(?:[\w-]+\s+){{0,2}}?(?:dose|dosage|doses|therapy|treatment|regimen)\b|"
    # ("no modification of the treatment in the 6 months prior to the inclusion": unchanged)
    rf"\bno\s+(?:change|modification|alteration)s?\s+(?:of|in|to)\s+(?:the\s+|their\s+|this\s+)?(?:[\w-]+\s+){{0,2}}?"
    rf"(?:dose|dosage|doses|therapy|treatment|regimen|DMTs?|medications?)\b|"
    # ("Disease-modifying treatment (immunomodulating or immunosuppressive), if any, unchanged during the 6 months")
    rf"\b(?:dose|dosage|doses|therapy|treatment|regimen|DMTs?|medications?|drugs?)\s*(?:\([^()]{{0,80}}\)\s*)?"
    rf"(?:{_IF_ANY}\s*)?(?:\w+\s+){{0,3}}?"
    # ("Unchanged pharmacological therapy (disease-modifying drugs, antispastic drugs) in the 3 months preceding")
    rf"(?:stable|unchanged|constant|not\s+(?:have\s+|has\s+)?(?:been\s+)?changed)\b)(?:\s*\([^()]{{0,150}}\))?[^.;]{{0,40}}?\b(?:(?:for|during|over|since)\s+(?:the\s+)?|in\s+the\s+)"
    rf"(?:last\s+|past\s+|previous\s+|preceding\s+|prior\s+)?"
    rf"(?:at\s+least\s+)?(?P<value>{NUM}|an?)\s*{_DURATION_UNIT}"
    # (not the time ahead: "No change of DMT expected during the 34 weeks of the study")
    rf"\b(?!\s+(?:of|in)\s+(?:the\s+)?(?:study|trial))", re.I)
# what a conditional lead asks of the patients on the drug
_ASKS = r"\b(?:must|(?:are|is)\s+eligible|provided|as\s+long\s+as)\b"
# "If the patient is taking disease modifying medication this must be at a stable dose for three months",
# "If receiving X, treatment must be ...", "Subjects on X must be on a stable regimen for ...": either not on it,
# or on it for that long.
# ("Is the participant taking medication for tremor (...)? If so, the dose must ...", "Participants converting from
# teriflunomide must ...", "Participants may continue analgesics provided the dose has been stable ...")
_IF_TAKING_RE = re.compile(r"\s*(?:(?:if|when|where)\s+(?:(?:the\s+)?(?:patient|subject|participant)s?\s+(?:(?:is|are)\s+)?|"
                           r"(?:you|they)\s+(?:are\s+)?)?|"
                           # (translated: "In case of pharmacological treatment for spasticity (...), stable dose ...")
                           r"in\s+(?:the\s+)?case\s+of\s+(?:(?:pharmacological|drug|medical|medicinal|concomitant)\s+)?"
                           r"(?=(?:treatment|therapy)\s+(?:with|for)\b)|"
                           # ("Patients with MS who receive a DMT must have been on it ...")
                           r"(?:(?:(?:the\s+)?(?:patients?|subjects?|participants?)|those)\s+"
                           r"(?:with\s+(?:MS|multiple\s+sclerosis|RMS|RRMS)\s+)?(?:who\s+(?:(?:is|are)\s+)?|"
                           # "Patients who enter the study on immunosuppressive therapy must ..."
                           r"(?:who\s+)?(?:enter|enters|entering)\s+the\s+(?:study|trial)\s+)?|"
                           r"is\s+(?:the\s+)?(?:patient|subject|participant)\s+)"
                           # (up to the sentence's end: the period of "e.g." ends none)
                           rf"(?=(?:[^.;]|\.(?=\s*[a-z(,]))*{_ASKS}))"
                           # ("If you take a disease-modifying therapy, you must have been on it for 3 months")
                           # ("If the patient takes medication for neuropathic pain (e.g. ...), the dose must ...")
                           r"(?:currently\s+|already\s+)?(?:taking|on|receiving|using|treated\s+with|takes?|uses?|receives?|"
                           r"(?:treatment|therapy)\s+(?:with|for)|"
                           r"(?:in|under)\s+(?:therapy|treatment)\s+with|"
                           r"(?:may|can)\s+continue(?:\s+(?:taking|to\s+take|on|with|using|receiving))?|"
                           # "Patients may be on interferon beta provided the dose has been stable ..."
                           r"(?:may|can)\s+(?:also\s+)?be\s+(?:on|taking|receiving|using|treated\s+with)|"
                           r"(?:converting|switching|transitioning)\s+from)\b", re.I)
def _if_taking(text: str):
    """The conditional lead ("Participants taking X must ...") at the start of the criterion or of one of its
    sentences ("Untreated participants are eligible. Participants taking X must have been on it for 6 months")."""
    for start in (0, *(m.end() for m in re.finditer(r"[.;]\s+(?=[A-Z])", text))):
        found = _IF_TAKING_RE.match(text, start)
        if found:
            return found
    return None


# "Participants may be untreated, or may continue one of the following treatments provided that the dose has been
# stable for at least 8 weeks": not on them, or on them that long
# (and "Either untreated, or treated with an approved DMT; patients on a DMT must have been on it for 3 months",
# "Untreated or on a stable dose of a DMT for at least 3 months")
_MAY_BE_UNTREATED_RE = re.compile(r"^\s*(?:(?:the\s+)?(?:patients?|subjects?|participants?)\s+)?(?:(?:may|can|must)\s+be\s+)?"
                                  r"(?:either\s+)?"
                                  r"(?:untreated|treatment[\s-]na[iï]ve|off\s+(?:all\s+)?treatment|without\s+treatment|"
                                  # ("Either no disease-modifying therapy, or the same disease-modifying therapy ...")
                                  r"(?<=either\s)no\s+(?:[\w-]+\s+){0,2}?(?:therapy|treatment|DMT|drug|medication)s?)"
                                  r"\s*,?\s*or\s+(?:may\s+|can\s+)?(?:continue|be\s+(?:on|receiving|taking|treated\s+with)|"
                                  r"receive|take|treated\s+with|on|receiving|taking|the\s+same)\b", re.I)
# "MS disease-modifying therapy, if any, unchanged ...": a requirement of the patients on one
# (and at the end: "Using the same DMT for at least the last 3 months, if any")
_IF_ANY_RE = re.compile(_IF_ANY + r"|,\s*if\s+(?:any|used|taken|applicable)\s*\.?\s*$", re.I)
# ("Patients receiving X may continue it if the dose has been unchanged for at least 3 months")
_ONLY_IF_STABLE = (r"\b(?:may|can)\s+(?:(?:take\s+part|participate|be\s+included|be\s+enrol+ed|enrol+|enter)\s+(?:\w+\s+){0,3}?"
                   r"only\s+if|continue\s+(?:\w+\s+){0,3}?(?:only\s+)?(?:if|provided|as\s+long\s+as))\s+(?:\w+\s+){0,5}?"
                   r"(?:stable|unchanged)\b")
# ("Treatment with more than two DMTs", "Prior use of more than two immunosuppressants": a class named in the plural)
# (and "adequate trials of at least two of the following drugs: ...")
_DISTINCT_RE = re.compile(rf"(?:tried|failed|received|used|treated\s+with|taking|on|(?:treatment|therapy)\s+with|"
                          rf"use\s+of|exposure\s+to|exposed\s+to|trials?\s+of)\s+"
                          rf"(?P<most>no\s+more\s+than\s+|not\s+more\s+than\s+|"
                          rf"at\s+most\s+|a\s+maximum\s+of\s+|up\s+to\s+)?(?:at\s+least\s+)?(?P<more>more\s+than\s+)?"
                          rf"(?P<n>{NUM})(?:\s+or\s+more|\s+or\s+(?P<upto>{NUM}))?\s+"
                          r"(?:\w+\s+)?(?:DMTs?|disease[\s-]+modifying|therapies|treatments|drugs|agents|medications|"
                          r"of\s+the\s+following\b|"
                          r"(?!(?:hours|days|weeks|months|years|times|doses|courses|cycles|infusions|injections|tablets|"
                          r"capsules|units|grams|occasions|consecutive|separate|previous|prior)\b)[a-z-]{4,}s\b)|"
                          # "dual antiplatelet therapy": two drugs of the class named next, together
                          r"\b(?P<dual>dual|triple)\s+(?=\w+)", re.I)
_DUAL = {"dual": 2, "triple": 3}
_NAIVE_OR_RE = re.compile(r"(?:\b(?:treatment|DMT)[\s-]+na[iï]ve|\bna[iï]ve\s+to\s+[^,;.]{1,60}?)\s*,?\s*(?:or\s+)?(?:(?:may|must|should)\s+)?(?:have\s+)?"
                          r"(?:previously\s+)?$", re.I)
# "Subjects previously treated with a DMT must have discontinued it before randomization": not on it now
_DISCONTINUED_RE = re.compile(r"\bmust\s+(?:have\s+)?(?:discontinued|stopped|ceased|come\s+off)\b", re.I)
# ... unless an event no record dates is the time ("at the latest when the pregnancy became known"), not the study's
_STOPPED_BY_EVENT_RE = re.compile(rf"\s+(?:it\s+|them\s+|this\s+\w+\s+|the\s+\w+\s+)?(?:at\s+the\s+latest\s+)?"
                                  rf"(?:when|once|as\s+soon\s+as|by\s+the\s+time|before|at)\s+(?:her\s+|their\s+)?"
                                  rf"(?!{ANCHOR_WORDS}\b)(?:the\s+)?\w+", re.I)
_MISSED_DOSES_RE = re.compile(r"\bmissed\s+(?:\w+\s+)?(?:doses?|infusions?)\s*$|\b(?:doses?|infusions?)\s+missed\s*$", re.I)
_STARTED_WITHIN_RE = re.compile(r"\b(?:started|initiated|introduced|begun|began|commenced)\s+(?:with)?in\s+(?:the\s+)?"
                                r"(?:last|past|previous|preceding|prior)\b|\b(?:started|initiated|introduced|begun|began|"
                                rf"commenced)\s+(?:less\s+than|within|<)\s*{NUM}\s*(?:days?|weeks?|months?|years?)\s+"
                                r"(?:before|prior|ago)", re.I)
# a start, as against use: "fampridine started ... less than 1 month before inclusion", "Initiation of X within 30 days"
_START_WORD_RE = re.compile(r"\b(?:start(?:ed|ing)?|initiat(?:ed|ion|ing)|introduc(?:ed|tion)|begun|began|commenc(?:ed|ement)|"
                            r"new(?:ly\s+started)?)\b", re.I)
# "or its dose changed", "or change in dose of": a change the record cannot show
_DOSE_CHANGE_RE = re.compile(r"(?:,?\s*(?:or|and/or)\s+)?(?:(?:its|the|a)\s+)?\b(?:dos(?:e|age|ing)s?\s+(?:was\s+|were\s+|has\s+been\s+)?"
                             r"(?:changed|adjusted|modified|increased|altered)|(?:change|adjustment|modification|increase|"
                             r"alteration)s?\s+(?:in|of|to)\s+(?:the\s+)?dos(?:e|age|ing)s?(?:\s+of)?)\b", re.I)
_STOP_OR_SWITCH_RE = re.compile(r"\b(?:stop(?:ped|ping|s)?|discontinu(?:ed|ation|ing)|switch(?:ed|ing|es)?|chang(?:e|ed|es|ing)|"
                                r"interrupt(?:ed|ion)?|withdrawn?|withdrawal)\b", re.I)
_CHANGE_RE = re.compile(r"\b(?:change[sd]?|introduc\w+|start(?:ed|ing)?|initiat\w+|dose\s+adjust\w*|stable\s+dose|"
                        r"reduc(?:e|ed|es|ing|tion)|modifications?\s+(?:of|in|to)|switch(?:es)?\s+(?:of|in)|"
                        r"alteration)\b", re.I)
# "a disease other than MS": the exception is of the disease, not of a drug
_OTHER_THAN_DISEASE_RE = re.compile(r"(?:other\s+than|except(?:\s+for)?)\s+(?:the\s+)?(?:MS|multiple\s+sclerosis)\b",
                                    re.I)


def _drug_exception_start(text: str) -> Optional[int]:
    """Where the drugs' exception begins ("other than interferon beta"), or None; not an exception of the disease
    ("Immunosuppressive treatment for a disease other than MS: azathioprine, ...": those are the drugs meant)."""
    exception = context.exception_start(text)
    return None if exception is not None and _OTHER_THAN_DISEASE_RE.match(text, exception) else exception


# (a time point, not a change: "prior to initiation of ocrelizumab", "before the start of the programme")
_TIME_POINT_BEFORE_RE = re.compile(r"\b(?:prior\s+to|before|after|since|until|following|at)\s+(?:the\s+)?$", re.I)
# "one of the approved beta-interferon drugs (Avonex, Betaseron, or Rebif)": the parenthesis spells out which.
_LISTED_CLASS_RE = re.compile(r"(?:\bone\s+of\s+(?:the\s+)?|\bapproved\s+)(?:[\w-]+\s+){0,2}$", re.I)
# "second-line disease-modifying therapy", "heart-rate-lowering calcium channel blockers": a part of the class the
# lexicon cannot tell apart, so the drugs listed after it (even as examples) are what the text names.
_NARROWED_CLASS_RE = re.compile(r"\b(?P<dose>(?:first|second|third)[\s-]line|strongly|potently|(?:high|higher|highly|moderate|low)[\s-]efficacy|"
                                r"heart[\s-]rate[\s-]lowering|rate[\s-]limiting|(?:non[\s-]?)?sedating|thiazide(?:[\s-]like)?|"
                                r"loop|potassium[\s-]sparing|tetracycline|macrolide|aminoglycoside|fluoroquinolone|"
                                r"non[\s-]?dihydropyridine|enzyme[\s-]inducing|sodium[\s-]channel[\s-]blocking)"
                                r"\s+(?:[\w-]+\s+){0,1}$",
                                re.I)
# "any other anti-CD3 monoclonal antibody": the antibodies against one target, the same (unless the target is a term
# of its own: "anti-CD20 monoclonal antibodies" are the lexicon's anti-CD20 class)
_ANTI_TARGET_BEFORE_RE = re.compile(r"\b(?P<dose>anti[\s-]?(?:CD\d+[a-z]?|IL[\s-]?\d+\w*|TNF\w*|CTLA[\s-]?4|PD[\s-]?L?1))\s+$",
                                    re.I)
# "a lymphocyte-depleting monoclonal antibody (e.g. alemtuzumab)": the same, before the class's term (not inside it:
# "B-cell depleting therapy" is a class)
_DEPLETING_BEFORE_RE = re.compile(r"\b(?:[\w]+[\s-]+)?(?:cell[\s-]+)?depleting\s+$", re.I)
# "anticonvulsants that induce vitamin D metabolism (phenytoin, carbamazepine)": a part of the class by what it does,
# its members in the parenthesis after the clause
_NARROWING_CLAUSE_RE = re.compile(r"\s+(?:that|which)\s+(?:induce|inhibit|interfere|affect|alter|lower|raise|reduce|accelerat|speed|enhanc|"
                                  r"increase|decrease|prolong)\w*\b[^.;()]{0,60}?\(", re.I)
# "a second-line DMT, i.e. natalizumab, fingolimod or alemtuzumab": the list after "i.e." says which members.
_NAMELY_RE = re.compile(r",?\s*(?:\(\s*)?(?:i\.\s?e\.?|namely|that\s+is|specifically)[\s,:]", re.I)


_NAIVE_OR_TREATED_ELIGIBLE_RE = re.compile(
    r"\b(?:both\s+|either\s+)?(?:treatment|DMT|therapy)[\s-]+na[iï]ve\b[^.;]{0,40}?\b(?:and|or)\b[^.;]{0,80}?"
    r"\b(?:switching|previously\s+treated|pre-?treated|treated|transitioning)\b[^.;]{0,80}?\b(?:are|is)\s+(?:both\s+)?"
    r"(?:eligible|allowed|permitted|included|welcome)\b", re.I)


# "RRMS ... without current treatment": a course of MS, untreated now
_UNTREATED_NOW_RE = re.compile(r"\b(?:without|not\s+on|not\s+receiving)\s+(?:any\s+)?current\s+(?:treatment|therapy)\b", re.I)


def extract_drugs(ctx: Context) -> list:
    """Washout and prior-drug rules. A dose, regimen or frequency the record cannot show ("aspirin > 81 mg/day",
    "high-dose corticosteroids", "cannabis more than twice a week") is the ``qualifier`` of the rule on that drug:
    without the drug the criterion is decided, with it a person checks."""
    mentions = _exposure_mentions(ctx)
    either = _NAIVE_OR_TREATED_ELIGIBLE_RE.search(ctx.text)
    if either:
        # "Both treatment-naive patients and patients switching from another DMT are eligible": either way, no rule
        ctx.consume(*either.span())
        for m in mentions:
            ctx.consume(m.start, m.end)
        return []
    naive = _TREATMENT_NAIVE_RE.search(ctx.text) if not mentions and ctx.section == "inclusion" else None
    if naive and not ctx.is_consumed(naive.start()):
        # "Male and female patients, treatment naïve, aged 18 to 60": never treated for MS
        ctx.consume(*naive.span())
        return [PriorDrugRule(polarity="exclude", classes=["dmt"])]
    untreated = _UNTREATED_NOW_RE.search(ctx.text) if not mentions and ctx.section == "inclusion" else None
    if untreated and not ctx.is_consumed(untreated.start()) and ctx.entities_of("MS_SUBTYPE"):
        # "Relapsing-remitting MS with low activity (...) without current treatment": no MS therapy now
        ctx.consume(*untreated.span())
        return [PriorDrugRule(polarity="exclude", classes=["dmt"], current=True)]
    excepted_doses: list = []
    qualifiers = _dose_qualifiers(ctx, mentions, excepted_doses)
    _unnamed_general_terms(ctx, mentions)
    rules = _extract_drugs(ctx, mentions)
    rules = _asked_of_those_on_it(ctx, rules)
    rules = _in_the_study_period(ctx, rules)
    # ("Prior mitoxantrone at a cumulative dose above 60 mg/m2, or any mitoxantrone within the last 12 months": read
    # clause by clause, each clause's rules carry their own qualifiers)
    rules = _qualified(rules, qualifiers) if qualifiers and rules and not ctx.by_clause else rules
    rules = _without_spelled_members(rules, _spelled_members(ctx.text, mentions))
    if rules:
        # "..., other than aspirin at 325 mg/day or less": the drug is excepted at that dose only, which a person checks
        rules += [ManualReviewRule(polarity="require" if ctx.section == "inclusion" else "exclude", category="partial",
                                   why=f"{drug} is excepted only at this dose: '{dose}'") for drug, dose in excepted_doses]
    return rules


def _spelled_members(text: str, mentions: list) -> dict[str, set[str]]:
    """{class: the members its parenthesis lists}: "disease-modifying therapy (interferon beta, glatiramer acetate,
    natalizumab or fingolimod)" spells the class out (README: the class)."""
    lexicon = get_lexicon()
    out: dict[str, set[str]] = {}
    for m in mentions:
        # (past its abbreviation and what it is for: "disease-modifying drug (DMD) for MS (interferon beta, ...)")
        opening = _SPELLED_OPENING_RE.match(text[m.end:]) if m.label == "DRUG_CLASS" else None
        shut = closing(text, m.end + opening.end() - 1) if opening else None
        if shut is None or EXAMPLES_RE.match(text, m.end + opening.end()) or _NAMELY_RE.match(text, m.end):
            continue
        inside = [o for o in mentions if m.end + opening.end() <= o.start < shut]
        members = [o for o in inside if m.id in (lexicon.drug_classes(o.id) if o.label == "DRUG"
                                                 else lexicon.class_ancestors(o.id) - {o.id})]
        if members and len(members) == len(inside):
            out.setdefault(m.id, set()).update(o.id for o in members)
    return out


_SPELLED_OPENING_RE = re.compile(r"(?:\s*\([A-Za-z]{2,6}s?\))?(?:\s+for\s+(?:MS|multiple\s+sclerosis))?\s*\(", re.I)


def _without_spelled_members(rules: list, spelled: dict) -> list:
    if not spelled:
        return rules
    out = []
    for rule in rules:
        if rule.kind == "group":
            rule = rule.model_copy(update={"rules": _without_spelled_members(rule.rules, spelled)})
        elif rule.kind in ("washout", "prior_drug"):
            listed = set().union(*(spelled.get(c, set()) for c in rule.classes))
            rule = rule.model_copy(update={"drugs": [d for d in rule.drugs if d not in listed],
                                           "classes": [c for c in rule.classes if c not in listed]})
        out.append(rule)
    return out


# the head of an item that names a kind of treatment: "any remyelinating agent under investigation", "other
# lymphocyte-depleting therapies"
_KIND_OF_TREATMENT_RE = re.compile(r"\b(?:agents?|therap(?:y|ies)|drugs?|medications?|medicines?|treatments?|products?)\b",
                                re.I)
_ITEM_HEAD_RE = re.compile(r"(?:^|[,;:]|\b(?:or|and)\b)(?P<head>[^,;:()]*?)[\s,(]*$", re.I)


def _unnamed_general_terms(ctx: Context, mentions: list) -> None:
    """A kind of treatment no class id names, given with examples ("any remyelinating agent under investigation (e.g.
    clemastine, opicinumab)"): the examples are read, the rest of the kind goes to a person (``unstated``; it had been
    dropped silently)."""
    if _if_taking(ctx.text):
        return  # "Patients taking symptomatic treatments (for example baclofen) must ...": the examples say which
    starts = sorted(m.start for m in mentions)

    def any_between(start: int, end: int) -> bool:  # (by bisection: a criterion may hold thousands of mentions)
        at = bisect_left(starts, start)
        return at < len(starts) and starts[at] < end

    for examples in EXAMPLES_RE.finditer(ctx.text):
        head = _ITEM_HEAD_RE.search(ctx.text, max(0, examples.start() - 80), examples.start())
        if not any_between(examples.end(), examples.end() + 40) or head is None \
                or not _KIND_OF_TREATMENT_RE.search(head.group("head")):
            continue
        start, end = head.span("head")
        if any_between(start, end) or len(re.findall(r"[A-Za-z]{4,}", head.group("head"))) < 2:
            continue  # (a class the lexicon names is read: "immunosuppressive medications such as azathioprine")
        ctx.unstated.append((start, end))


def _in_the_study_period(ctx: Context, rules: list) -> list:
    """"Use of corticosteroids between screening and randomization": use at the time of the study's first visits, i.e.
    use now (read as ever, it excluded every patient who once took the drug)."""
    period = STUDY_PERIOD_TIME_RE.search(ctx.text)
    if period is None:
        return rules
    timed = [isinstance(r, PriorDrugRule) and r.min_duration is None and not r.current for r in rules]
    if any(timed):
        ctx.consume(*period.span())
    return [r.model_copy(update={"current": True}) if now else r for r, now in zip(rules, timed)]


def _asked_of_those_on_it(ctx: Context, rules: list) -> list:
    """"Participants converting from teriflunomide must complete an accelerated elimination procedure before the
    first dose": in an inclusion, what a conditional lead asks that no rule reads holds for the patients on the drug
    only: not on it, or a person's check (read as the exposure required, every patient off it failed)."""
    lead = _if_taking(ctx.text)
    if ctx.section != "inclusion" or lead is None or not rules or not all(
            isinstance(r, PriorDrugRule) and r.polarity == "require" and r.min_duration is None for r in rules):
        return rules
    stop = re.search(r"[.;](?:\s|$)", ctx.text[lead.end():])
    end = lead.end() + (stop.start() if stop else len(ctx.text) - lead.end())
    asked = re.search(rf"(?:\b(?:should|shall)\b|{_ASKS}).*", ctx.text[lead.end():end], re.I | re.S)
    if asked is None:
        return rules
    # (the words between the lead and what it asks that no rule read go to a person: "taking primidone or ...")
    ctx.consume(*lead.span())
    ctx.consume(lead.end() + asked.start(), end)
    ctx.unstated.append((lead.end(), lead.end() + asked.start()))
    targets = {"drugs": sorted({d for r in rules for d in r.drugs}), "classes": sorted({c for r in rules for c in r.classes})}
    return [GroupRule(mode="any", polarity="require", rules=[
        PriorDrugRule(polarity="exclude", **targets, current=True),
        ManualReviewRule(polarity="require", category="clinical",
                         why=f"asked of patients on it: '{' '.join(asked.group(0).split())[:150]}'")])]


_NO_CHANGE_PAREN_RE = re.compile(r"\(\s*(?:i\.\s?e\.?,?\s*)?(?:no|without)\s+[^()]*\)", re.I)
_PERMISSION_PAREN_RE = re.compile(r"\([^()]*(?:allowed|permitted|acceptable)[^()]*\)", re.I)


_CAUSED_BY_BEFORE_RE = re.compile(r"\b(?:after|following|induced\s+by|caused\s+by|due\s+to|secondary\s+to|related\s+to)\s+"
                                  r"(?:the\s+|a\s+)?(?:use\s+of\s+|treatment\s+with\s+)?$", re.I)


def _permitted_span(text: str, permission: re.Match, sentence: tuple) -> tuple:
    """What a permission frees: its sentence, or only its parenthesis ("Trazodone started within the 30 days before
    baseline (a stable dose for at least 30 days is allowed)": the drugs before it are still read)."""
    open_at = enclosing_paren(text, permission.start())
    close = closing(text, open_at) if open_at is not None and open_at >= sentence[0] else None
    if close is not None:
        return open_at, close + 1
    # ("any disease-modifying drug in the 4 weeks before ..., except interferon beta or glatiramer acetate, which may be
    # continued until the day before": the exception says what it frees, and is read as one)
    if _EXCEPTING_RE.search(text, sentence[0], permission.start()):
        return permission.start(), sentence[1]
    # ("The patients are on a stable DMT (...) for at least 6 months and will continue the same treatment during the
    # study": a requirement, then what they will do; the permission frees its own clause)
    joined = _AND_WILL_RE.search(text, sentence[0], sentence[1])
    if joined and joined.end() == permission.start():
        return joined.start(), sentence[1]
    return sentence


_AND_WILL_RE = re.compile(r"\s+and\s+(?=(?:may|can|will)\s+(?:continue|be\s+continued)\b)", re.I)
_REGIMEN_WITH_BEFORE_RE = re.compile(r"\b(?:mobili[sz]ation|conditioning(?:\s+regimen)?|lymphodepletion|"
                                     r"lymphodepleting\s+chemotherapy)\s+with\s+$", re.I)
_EXCEPTING_RE = re.compile(r"\b(?:except(?:\s+for)?|other\s+than|apart\s+from|with\s+the\s+exception\s+of)\b", re.I)


# "Concurrent oral and IV corticosteroids allowed, but none within 30 days prior to any study MRI"
_NONE_WITHIN_RE = re.compile(r"\bnone\s+$", re.I)
_LABEL_AFTER_RE = re.compile(r"(?:\s+(?:therapy|treatment))?\s*:\s*\S")


def _exposure_mentions(ctx: Context) -> list:
    # (a permission after a ";" is of its own clause: "Maintenance IVIG within 4 weeks; IVIG given as rescue
    # treatment is allowed")
    sentences = [m.span() for m in re.finditer(r"[^.;]*[.;]?", ctx.text)]
    permitted = [_permitted_span(ctx.text, permission, (start, end)) for start, end in sentences
                 for permission in [_PERMISSION_RE.search(ctx.text, start, end)]
                 if permission and not _allowed_after_gap(ctx.text[start:end])]
    # ("... for at least 6 months and will continue the same treatment during the study": a commitment, a person's)
    ctx.unstated.extend((joined.end(), end) for start, end in sentences
                        for joined in [_AND_WILL_RE.search(ctx.text, start, end)]
                        if joined and (joined.start(), end) in permitted)
    # "Use of the following DMTs within the stated time (no washout is required for interferon beta or glatiramer
    # acetate)": the drugs the parenthesis (or the sentence) frees of a washout
    for free in _NO_WASHOUT_RE.finditer(ctx.text):
        open_at = enclosing_paren(ctx.text, free.start())
        close = closing(ctx.text, open_at) if open_at is not None else None
        span = (open_at, close + 1) if close is not None else \
            next((start, end) for start, end in sentences if start <= free.start() < end)
        permitted.append(span)
        ctx.consume(free.start(), span[1])  # (what it frees is read: no rule, nothing for a person)
    # ("History of hemorrhagic cystitis after cyclophosphamide": the drug caused the condition, which the condition's
    # rule states)
    caused = [e for e in ctx.entities_of("DRUG", "DRUG_CLASS") if _CAUSED_BY_BEFORE_RE.search(ctx.text, max(0, e.start - 30), e.start)
              and any(0 <= e.start - c.end <= 30 for c in ctx.entities_of("CONDITION"))]
    # ("Chemotherapy: No prior mitoxantrone ...", "Biologic therapy: ...": the category label of an old registry page,
    # which names the items after it, no exposure of its own)
    caused += [e for e in ctx.entities_of("DRUG_CLASS") if not ctx.text[:e.start].strip()
               and _LABEL_AFTER_RE.match(ctx.text, e.end)
               and any(o.start > e.end for o in ctx.entities_of("DRUG", "DRUG_CLASS"))]  # (not a row "X: 1 month")
    found = [_modifier_across_parenthesis(ctx.text, e) for e in ctx.entities_of("DRUG", "DRUG_CLASS")
             if not ctx.is_consumed(e.start) and not any(s <= e.start < en for s, en in permitted)
             and not _not_exposure(ctx.text, e) and e not in caused]
    for e in caused:
        ctx.consume(e.start, e.end)
    for since in _SINCE_LIFE_EVENT_RE.finditer(ctx.text):
        # "Any DMT other than ocrelizumab since delivery, or natalizumab ... within 3 months": a time from an event the
        # record cannot date; the drugs of its clause go to a person (read with the next clause's window, the 3 months
        # had reached them)
        clause_from = _item_start(ctx.text, since.start(), ", or ")
        timed = [e for e in found if clause_from <= e.start < since.start()]
        if timed:
            found = [e for e in found if e not in timed]
            ctx.unstated.append((clause_from, since.end()))
            for e in timed:
                ctx.consume(e.start, e.end)
    glosses = [e for e in found if _glosses_drug_before(ctx, e, found)]
    for gloss in glosses:
        ctx.consume(gloss.start, gloss.end)
    found = [e for e in found if e not in glosses and not _level_of_lab(ctx, e)]
    return sorted(found + _related_classes(ctx.text, found), key=lambda e: e.start)


_TAKEN_BEFORE_RE = re.compile(r"\b(?:treat\w*|therap\w*|use|using|used|taking|take|takes|received|receiving|"
                              r"supplement\w*|replacement|exposure|prescribed|on)\s+(?:\w+\s+){0,2}$", re.I)
_TAKEN_AFTER_RE = re.compile(r"\s*(?:therapy|treatment|gel|replacement|supplement\w*|injections?|patch\w*|use|within|"
                             r"in\s+the\s+(?:last|past|previous))\b", re.I)


def _level_of_lab(ctx: Context, drug) -> bool:
    """"Low or low-normal testosterone: serum total testosterone below 500 ng/dL": the substance a laboratory test of
    the criterion measures, named without a word of taking it, is the level, not an exposure."""
    if drug.label != "DRUG" or _TAKEN_BEFORE_RE.search(ctx.text, max(0, drug.start - 40), drug.start) \
            or _TAKEN_AFTER_RE.match(ctx.text, drug.end):
        return False
    name = drug.text.lower()
    return any(name in lab.text.lower() for lab in ctx.entities_of("LAB"))


def _glosses_drug_before(ctx: Context, mention, mentions: list) -> bool:
    """"peginterferon beta-1a (PEGylated human interferon beta-1a)": a drug alone in a parenthesis right after a drug
    names that drug again (read as a drug of its own, every interferon beta-1a user was excluded). Not an
    alternative ("(or diroximel fumarate)") nor a list of examples."""
    opening = enclosing_paren(ctx.text, mention.start)
    if opening is None or mention.label != "DRUG":
        return False
    closing = ctx.text.find(")", mention.end)
    inside = ctx.text[opening + 1:closing if closing >= 0 else len(ctx.text)]
    if re.search(r"[,;/]|\b(?:or|and|e\.?\s?g|such\s+as|including|other)\b", inside, re.I):
        return False
    if sum(1 for m in mentions if opening < m.start < opening + 1 + len(inside)) > 1:
        return False
    return any(m.label == "DRUG" and m.id != mention.id and m.end <= opening and not ctx.text[m.end:opening].strip()
               for m in mentions)


# "4-aminopyridine or related products", "fingolimod or other drugs of the same class"
_RELATED_RE = re.compile(r"\s*,?\s*(?:or|and|and/or)\s+(?:any\s+)?(?:other\s+)?(?:related|similar|structurally\s+related)\s+"
                         r"(?:products?|compounds?|agents?|drugs?|medications?|substances?)|"
                         r"\s*,?\s*(?:or|and)\s+(?:any\s+)?other\s+(?:drugs?|agents?|medications?)\s+of\s+the\s+same\s+class",
                         re.I)


@lru_cache(maxsize=1)
def _class_sizes() -> dict[str, int]:
    """How many drugs of the lexicon each class holds."""
    lexicon = get_lexicon()
    sizes: dict[str, int] = {}
    for drug in lexicon.entries["drugs"]:
        for c in lexicon.drug_classes(drug):
            sizes[c] = sizes.get(c, 0) + 1
    return sizes


def _related_classes(text: str, mentions: list) -> list:
    """The class of a drug named with "or related products": the drug's own class, when it has one."""
    lexicon = get_lexicon()
    sizes = _class_sizes()
    out = []
    for m in mentions:
        related = _RELATED_RE.match(text, m.end) if m.label == "DRUG" else None
        entry = related and lexicon.get("drugs", m.id)
        if not entry:
            continue
        own = sorted(entry.classes, key=lambda c: sizes.get(c, 0))
        if own and (len(own) == 1 or sizes.get(own[0], 0) < sizes.get(own[1], 0)):  # the narrowest class
            phrase = related.group(0)
            out.append(Entity("DRUG_CLASS", own[0], phrase.strip(), related.end() - len(phrase.lstrip()), related.end()))
    return out


_PAREN_AFTER_RE = re.compile(r"[^.;()]{0,60}?\(")
# what a drug was given for: "for a relapse", "for the treatment of an acute exacerbation" (not "for relapse
# prevention")
_GIVEN_FOR = (r"(?:(?:given\s+|used\s+|prescribed\s+)?for\s+(?:the\s+treatment\s+of\s+)?(?:an?\s+|the\s+|any\s+)?"
               r"(?:(?:acute|current|MS)\s+)*(?:relapses?|exacerbations?|attacks?)\b(?![\s-]+(?:prevention|prophylaxis))|"
               # "corticosteroids given for the purpose of disease modification"
               r"(?:given|used|prescribed)\s+(?:for|with)\s+the\s+(?:purpose|aim|intention)\s+of\s+[\w-]+(?:\s+[\w-]+)?|"
               # "corticosteroids given as maintenance therapy": a regimen
               r"(?:given|used|taken|prescribed)\s+as\s+(?:a\s+)?(?:maintenance|long[\s-]term|chronic|continuous)\s+"
               r"(?:therapy|treatment)\b|"
               # "Patients receiving TYSABRI for Crohn's disease", "an antiepileptic drug for seizure control": the
               # indication a drug with several is taken for
               r"(?:(?:given|used|prescribed)\s+)?for\s+(?:the\s+treatment\s+of\s+)?(?:an?\s+)?(?:Crohn'?s\s+disease|"
               r"ulcerative\s+colitis|inflammatory\s+bowel\s+disease|rheumatoid\s+arthritis|psoria\w+|lymphoma|"
               r"leuka?emia|cancer|(?:seizure|epilepsy)\s+control|seizures|epilepsy|"
               r"(?:another|an?\s+other|any\s+other)\s+(?:indication|disease|condition)|(?:an?\s+)?(?:indication|"
               r"disease|condition)\s+other\s+than\s+(?:MS|multiple\s+sclerosis)))")
_GIVEN_FOR_RE = re.compile(_GIVEN_FOR, re.I)
# "aspirin > 81 mg/day", "Copaxone 40 mg/mL three times per week", "amitriptyline at a dose of 25 mg/day or less"
_DOSE_AFTER_RE = re.compile(
    rf"(?:\s*\([^()]{{1,60}}\))?[\s()]*(?:\w+\s+){{0,1}}?(?P<dose>(?:(?:at\s+)?(?:an?\s+)?(?:(?:cumulative|total|lifetime)\s+)?"
    rf"(?:doses?|dosages?)\s+(?:of\s+)?)?(?:(?:{COMPARATOR_RE})\s*)?"
    rf"{NUM}\s*(?:mg|µg|mcg|g|IU|units?)\b(?:\s*/\s*(?:mL|kg|day|d|week|m2))?"
    rf"(?:\s+(?:or\s+(?:less|more|lower|higher)|(?:per|a|each|/)\s*(?:day|week|month)|daily|weekly|"
    rf"(?:once|twice|thrice|{NUM}\s+times?)\s+(?:per|a|each)\s+(?:day|week|month)|"
    rf"(?:IV|intravenous(?:ly)?|orally|oral|subcutaneous(?:ly)?)|every\s+{NUM}\s+(?:days?|weeks?)))*|"
    # "corticosteroid pulse(s)": a regimen; "natalizumab at an extended interval (every 5 weeks or less often)",
    # "natalizumab every 6 weeks": a dosing interval
    rf"pulses?\b|pulse\s+therapy|"
    # "Botulinum toxin injections into the muscles of the affected leg": where it was injected
    rf"(?<=[\s)])(?:into|in)\s+(?:the\s+)?(?:muscles?\s+of\s+(?:the\s+)?)?(?:(?:affected|lower|upper|both|target|"
    rf"treated|left|right|spastic)\s+)?(?:(?:limbs?|legs?|arms?|calf|calves|extremit(?:y|ies)|bladder|detrusor)(?:\s+(?:muscles?|wall))?|"
    rf"[a-z-]+\s+muscles?)\b|"
    # "steroids (intravenous or oral) for a relapse": what it was given for, which the record does not show
    rf"(?<=[\s)])(?<!except\s)(?<!than\s)(?<!unless\s)(?<!when\s)(?<!from\s){_GIVEN_FOR}|(?:at|on|with)\s+(?:an?\s+)?(?:extended|standard|reduced|prolonged|shortened)[\s-]+"
    rf"(?:interval|dosing)(?:\s+dosing)?(?:\s*\([^()]*\))?|every\s+{NUM}\s+(?:days?|weeks?|months?))", re.I)
# (and "maintenance IVIG": a regimen, beside the rescue doses the record holds under the same drug)
_HIGH_DOSE_BEFORE_RE = re.compile(r"\b(?P<dose>(?:high|low)[\s-]+dose|(?:high|low)[\s-]+dosage|pulsed?|maintenance|parenteral)\s+"
                                  r"(?:(?:systemic|intravenous|IV|oral)\s+){0,2}$", re.I)

# "class Ia or class III antiarrhythmics": a subclass the lexicon does not hold narrows the class
_ROMAN_CLASS = r"(?:I{1,3}[abc]?|IV|[1-4][abc]?)"
_SUBCLASS_BEFORE_RE = re.compile(rf"\b(?P<dose>class\s+{_ROMAN_CLASS}(?:\s*(?:,|or|and|/)\s*(?:class\s+)?{_ROMAN_CLASS})*)\s+$", re.I)


# "IV methylprednisolone": one route of a drug given by several (a class named with its routes is the class)
_IV = r"IV|i\.v\.|intravenous"
_ROUTE_RE = re.compile(_IV, re.I)
_ROUTE_BEFORE_RE = re.compile(rf"(?<![\w/-])(?P<dose>{_IV}|intrathecal)\s+$", re.I)


_OWN_QUALIFIER_RE = re.compile(rf"\b(?:high|low)[\s-]+dos\w*|\bpulses?\b|(?<![\w/-])(?:{_IV}|intrathecal)\b|"
                               rf"\bclass\s+{_ROMAN_CLASS}(?:\s*(?:,|or|and|/)\s*(?:class\s+)?{_ROMAN_CLASS})*\b", re.I)


# "Botulinum toxin injections for spasticity", "botulinum toxin of any serotype for a urological condition": what the
# drug was given for, a condition the lexicon names (README: the qualifier; the record does not say why a drug was given)
_FOR_INDICATION_RE = re.compile(r"(?:\s+(?:injections?|infusions?|treatment|therapy|use))?(?:\s+of\s+any\s+[\w-]+)?\s+"
                                r"(?P<for>(?:(?:given|used|prescribed|injected)\s+)?for\s+(?:the\s+(?:treatment|management)\s+"
                                r"of\s+)?(?:an?\s+|the\s+|any\s+)?)", re.I)


# ("for optic neuritis or for multiple sclerosis": each indication named; "for hypogonadism or other medical
# condition": any indication, so none narrows)
_NEXT_INDICATION_RE = re.compile(r"\s*,?\s*(?:or|and|and/or)\s+(?:for\s+)?(?:an?\s+|the\s+|any\s+)?", re.I)
# ("for MS or for the qualifying event": the event the trial enrols on)
_EVENT_INDICATION_RE = re.compile(r"\s*,?\s*(?:or|and)\s+for\s+(?:the|this|an?)\s+(?:qualifying|index|presenting|first|"
                                  r"current|acute)\s+(?:(?:demyelinating|clinical)\s+)?(?:event|episode|attack|relapse)\b", re.I)
_EXAMPLES_AFTER_RE = re.compile(r"[^.;()]{0,60}?(?:,\s*|\(\s*)(?:including|such\s+as|e\.\s*g\.?,?|for\s+example)\s+", re.I)
_MS_WORD_RE = re.compile(r"(?:MS|multiple\s+sclerosis)\b", re.I)
_ANY_OTHER_RE = re.compile(r"\s*,?\s*(?:or|and|and/or)\s+(?:for\s+)?(?:an?\s+|any\s+)?other\b", re.I)


def _is_dmt(mention) -> bool:
    lexicon = get_lexicon()
    classes = lexicon.drug_classes(mention.id) if mention.label == "DRUG" else lexicon.class_ancestors(mention.id) | {mention.id}
    return "dmt" in classes


# the glue of a list of treatments that one indication after the last of them qualifies: "immunomodulatory or
# immunosuppressive treatment for MS"
_TREATMENT_LIST_GAP_RE = re.compile(r"\s*(?:,\s*)?(?:(?:or|and|and/or)\s+)?(?:(?:any\s+)?other\s+)?$", re.I)


def _indication_after(ctx: Context, mention) -> tuple[int, int] | None:
    lead = _FOR_INDICATION_RE.match(ctx.text, mention.end)
    if lead is None:
        return None
    starting = {e.start: e for e in ctx.entities_of("CONDITION")}
    condition = starting.get(lead.end())
    ms = _MS_WORD_RE.match(ctx.text, lead.end())
    if (condition is None or condition.id == "multiple_sclerosis") and (ms is None or _is_dmt(mention)):
        return None  # ("natalizumab for MS": what a DMT is for; "immunosuppressive treatment for MS": one use of it)
    end = condition.end if condition is not None else ms.end()
    while True:
        more = _NEXT_INDICATION_RE.match(ctx.text, end)
        named = more and (starting.get(more.end()) or _MS_WORD_RE.match(ctx.text, more.end()))
        if not named:
            break
        end = named.end if isinstance(named, Entity) else named.end()
    event = _EVENT_INDICATION_RE.match(ctx.text, end)
    if event:
        end = event.end()
    if _ANY_OTHER_RE.match(ctx.text, end):
        return None
    return lead.start("for"), end


# "Treatment of spasticity with botulinum toxin": the indication named before the drug
_TREATMENT_OF_BEFORE_RE = re.compile(r"\b(?:treatment|therapy|management)\s+of\s+(?:an?\s+|the\s+)?"
                                     r"(?P<what>[^.;,()]{3,60}?)\s+with\s+(?:an?\s+|the\s+)?$", re.I)


def _indication_before(ctx: Context, mention) -> tuple[int, int] | None:
    found = _TREATMENT_OF_BEFORE_RE.search(ctx.text, max(0, mention.start - 90), mention.start)
    if found is None:
        return None
    condition = next((e for e in ctx.entities_of("CONDITION") if e.start == found.start("what")), None)
    if condition is None or condition.id == "multiple_sclerosis":
        return None
    return found.start(), found.end("what")


def _anti_target(ctx: Context, mention) -> re.Match | None:
    """The target named before an antibody class ("anti-CD3 monoclonal antibody"), its ``dose`` group the qualifier
    as the other patterns of the qualifier's reading; none where the target is a term the lexicon reads."""
    found = _ANTI_TARGET_BEFORE_RE.search(ctx.text, max(0, mention.start - 20), mention.start)
    if found and not any(e.start < mention.start and e.end > found.start() for e in ctx.entities if e is not mention):
        return found
    return None


def _own_qualifier(mention) -> str | None:
    """A dose, regimen or route inside a lexicon term ("IV methylprednisolone"), unless the drug's own name holds
    it ("intravenous immunoglobulin")."""
    found = _OWN_QUALIFIER_RE.search(mention.text)
    if not found or (mention.label != "DRUG" and _ROUTE_RE.fullmatch(found.group(0))):
        return None  # "intravenous antibiotics": a route of a class is the class
    kind = "drugs" if mention.label == "DRUG" else "drug_classes"
    entry = get_lexicon().get(kind, mention.id)
    if entry is not None and _OWN_QUALIFIER_RE.search(entry.name):
        return None
    return " ".join(found.group(0).split())


_EXCEPT_FOR_RELAPSE_RE = re.compile(
    r"\(?\s*,?\s*\b(?:except|other\s+than|unless|apart\s+from)\s+(?:when\s+|if\s+)?(?:(?:given|used|administered|"
    r"prescribed|taken)\s+)?(?:for|to\s+treat)\s+(?:the\s+)?(?:treatment\s+of\s+)?(?:an?\s+|any\s+)?(?:acute\s+)?"
    r"(?:MS\s+|multiple\s+sclerosis\s+)?(?:relapses?|exacerbations?|attacks?)\b\s*\)?", re.I)


# "Systemic glucocorticoids taken in the last six months, except when given as premedication before an infusion of
# disease-modifying therapy such as ocrelizumab": a use the exception spares, which the record cannot tell apart; the
# drugs it names are no exposure
_EXCEPT_WHEN_GIVEN_RE = re.compile(r"\(?\s*,?\s*\b(?:except|other\s+than|unless)\s+(?:(?:when|if|where)\s+(?:\w+\s+){0,2}?"
                                   r"(?:given|used|administered|prescribed|taken)\s+(?:as|for|before|with|to)|"
                                   # ("other than as premedication for an anti-CD20 infusion": a use, not a drug)
                                   r"(?<!\bunless\s)as(?=\s+(?:an?\s+)?[\w-]+))\b[^.;)]*\)?", re.I)


# the words that give a clause a time of its own
_NOW_CLAUSE_RE = re.compile(r"[,;]\s*(?:(?:or|and)\s+)?(?:\w+\s+){0,2}?(?:currently|current|now|ongoing|at\s+present)\b",
                            re.I)
_OWN_TIME = r"since|within|during|ever|at\s+any\s+time|in\s+the\s+(?:last|past|previous)"
_TIMED_BEFORE_CUT_RE = re.compile(rf"\b(?:{_OWN_TIME})\b[^,;()]*$", re.I)
_SINCE_LIFE_EVENT_RE = re.compile(r"\b(?:since|after|following)\s+(?:the\s+|her\s+)?(?:delivery|childbirth|giving\s+birth|"
                                  r"(?:last\s+)?(?:pregnancy|conception|birth)|last\s+menstrual\s+period)\b", re.I)
_GESTATION_TIME_RE = re.compile(r"\b(?:during|in|throughout)\s+(?:the\s+|her\s+)?(?:(?:first|second|third|1st|2nd|3rd)\s+"
                                r"trimester|(?:current\s+|this\s+)?(?:pregnancy|gestation))\b", re.I)
_EXCEPTION_CUT_RE = re.compile(r"[,;]\s*(?:(?:and/)?or\s+|and\s+)?(?:the\s+|an?\s+)?", re.I)



# "Treatment between the end of the core study and baseline with ...": the exposure the time opens
_TREATMENT_WORD_RE = re.compile(r"\s*(?:any\s+)?(?:treatment|therapy|use|exposure|intake)\s*", re.I)
_WITH_FOLLOWING_RE = re.compile(r"\s*(?:with|to|of)\s+(?:any|one|all)\s+(?:\w+\s+){0,2}?of\s+the\s+following\b[^:]{0,40}:", re.I)
_FOLLOWING_TREATMENTS_RE = re.compile(r"\s*(?:any|one|all)\s+(?:\w+\s+){0,2}?of\s+the\s+following(?:\s+[\w-]+){0,3}?\s*",
                                      re.I)


def untimed_period(text: str) -> Optional[str]:
    """A time the record cannot date that a heading gives its items ("Any of the following treatments since the last
    dose of study drug in the parent study:", "... during the first trimester:"): the words, or None."""
    found = SINCE_STUDY_EVENT_RE.search(text) or _GESTATION_TIME_RE.search(text)
    return " ".join(found.group(0).split()) if found else None


_OWN_TIME_RE = re.compile(rf"\b(?:{_OWN_TIME}|previous(?:ly)?|prior)\b", re.I)


def _item_start(text: str, at: int, *breaks: str) -> int:
    """Where the item holding ``at`` starts: after the last ";" or sentence end before it (or other ``breaks``)."""
    return max(text.rfind(stop, 0, at) for stop in (";", ". ", *breaks)) + 1


def _item_end(text: str, at: int, *breaks: str) -> int:
    """Where the item holding ``at`` ends: at the next ";" or sentence end after it (or other ``breaks``)."""
    return min((found for stop in (";", ". ", *breaks) for found in [text.find(stop, at)] if found >= 0),
               default=len(text))


def _dose_qualifiers(ctx: Context, mentions: list, excepted_doses: list) -> dict:
    """{mention: qualifier text} for the mentions a dose, a regimen or a frequency narrows. A dose in an exception
    ("other than amitriptyline at 25 mg/day or less") narrows the exception: the drug stays excepted and the dose
    goes to a person."""
    out = {}
    indicated = []  # (end, qualifier) of each indication read
    exception = _drug_exception_start(ctx.text)
    for index, m in enumerate(mentions):
        after = _DOSE_AFTER_RE.match(ctx.text, m.end)
        before = _HIGH_DOSE_BEFORE_RE.search(ctx.text, max(0, m.start - 40), m.start) or \
            (m.label == "DRUG" and _ROUTE_BEFORE_RE.search(ctx.text, max(0, m.start - 20), m.start)) or \
            (m.label == "DRUG_CLASS" and (_SUBCLASS_BEFORE_RE.search(ctx.text, max(0, m.start - 40), m.start) or
                                          _NARROWED_CLASS_RE.search(ctx.text, max(0, m.start - 40), m.start) or
                                          _anti_target(ctx, m)))
        if not after and not before:
            indication = _indication_after(ctx, m)
            ahead = None if indication else _indication_before(ctx, m)
            if ahead:
                ctx.consume(*ahead)
                out[m] = "for " + " ".join(ctx.text[ahead[0]:ahead[1]].split()[2:])
                continue
            if indication:
                ctx.consume(*indication)
                out[m] = " ".join(ctx.text[indication[0]:indication[1]].split())
                at = index
                while at > 0 and _TREATMENT_LIST_GAP_RE.fullmatch(ctx.text, mentions[at - 1].end, mentions[at].start):
                    at -= 1
                    out.setdefault(mentions[at], out[m])
                indicated.append((indication[1], out[m]))
                continue
        own = _own_qualifier(m)  # the term itself: "high dose corticosteroids", "corticosteroid pulse"
        if own and not after:
            out[m] = own
            continue
        if not (after or before):
            continue
        if after and exception is not None and m.start >= exception:
            if not _GIVEN_FOR_RE.match(after.group("dose")):  # ("except methylprednisolone for relapses": the use
                ctx.unstated.append(after.span("dose"))           # excepted, nothing to check)
                excepted_doses.append((m.text, " ".join(after.group("dose").split())))
            ctx.consume(*after.span("dose"))
            continue
        span = after.span("dose") if after else before.span("dose")
        ctx.consume(*span)
        out[m] = " ".join(ctx.text[span[0]:span[1]].split())
    for stopped, item_from in _stop_reasons(ctx.text):
        # "Previous treatment with interferon beta-1b interrupted for lack of efficacy or for intolerance": the drugs
        # of its item, stopped for that reason
        ctx.consume(*stopped.span())
        reason = " ".join(re.sub(r"\s*\([^()]*\)$", "", stopped.group(0)).split())
        out.update({m: reason for m in mentions if item_from <= m.start < stopped.start() and m not in out})
    for given_for in _EXCEPT_FOR_RELAPSE_RE.finditer(ctx.text):
        # "Systemic corticosteroids or ACTH (except for the treatment of an MS relapse) within 30 days": only
        # exposures for another reason count, which the record cannot show; a person checks an exposure
        item_from = _item_start(ctx.text, given_for.start())
        ctx.consume(*given_for.span())
        out.update({m: "not when given for an MS relapse" for m in mentions
                    if item_from <= m.start < given_for.start() and m not in out})
    for given_as in _EXCEPT_WHEN_GIVEN_RE.finditer(ctx.text):
        item_from = _item_start(ctx.text, given_as.start())
        ctx.consume(*given_as.span())
        spared = " ".join(given_as.group(0).strip(" ,()").split())
        out.update({m: spared for m in mentions if item_from <= m.start < given_as.start() and m not in out})
    for since in SINCE_STUDY_EVENT_RE.finditer(ctx.text):
        # "... cytapheresis or plasmapheresis between the end of the core study and Day 1": a time counted from a
        # visit of another study, which the record cannot date; an exposure found goes to a person
        # (of the drugs of its own clause: "B-cell depleting therapy at any time, or any other DMT since ...")
        item_from = _item_start(ctx.text, since.start(), ", or ")
        whole = _item_start(ctx.text, since.start())
        if ctx.text[:since.start()].rstrip().endswith(",") and not _OWN_TIME_RE.search(ctx.text, whole, item_from):
            # "Treatment with any DMT other than X, or with any immunosuppressive drug, since the last visit of the
            # parent study": set off by a comma, the time is of every clause before it that has none of its own
            item_from = whole
        timed = [m for m in mentions if item_from <= m.start < since.start() and m not in out]
        heading = _FOLLOWING_TREATMENTS_RE.fullmatch(ctx.text, item_from, since.start()) or \
            _TREATMENT_WORD_RE.fullmatch(ctx.text, item_from, since.start())
        if not timed and (not ctx.text[item_from:since.start()].strip(" ,;:(") or heading):
            # "Since the last dose in the parent study, treatment with any DMT other than X": it opens the item
            # (or a heading's: "Any of the following treatments since the last dose of study drug in the parent study:
            # alemtuzumab, ...")
            # ("Treatment between the end of the core study and baseline with any of the following: A; B; C": all of them)
            listed = _WITH_FOLLOWING_RE.match(ctx.text, since.end())
            item_end = len(ctx.text) if listed else _item_end(ctx.text, since.end())
            # (not the drugs excepted; the examples after the exception are the class's)
            examples = EXAMPLES_RE.search(ctx.text, exception) if exception is not None else None
            excepted = (exception, examples.start() if examples else _item_end(ctx.text, exception, ")")) \
                if exception is not None else (0, 0)
            # (an item with a qualifier of its own keeps it too: "systemic corticosteroids, other than for a relapse")
            timed = [m for m in mentions if since.end() <= m.start < item_end
                     and (m not in out or listed)
                     and not excepted[0] <= m.start < excepted[1]]
        if timed:
            ctx.consume(*since.span())
            when = " ".join(since.group(0).split())
            out.update({m: f"{when}; {out[m]}" if m in out else when for m in timed})
    for during in _GESTATION_TIME_RE.finditer(ctx.text):
        # "Exposure during the first trimester to another DMT, namely ...": a time counted from conception, which the
        # record cannot date (the drugs of its clause, before or after it); an exposure found goes to a person
        item_from = _item_start(ctx.text, during.start(), ", or ", ", but ")
        item_end = _item_end(ctx.text, during.end(), ", or ", ", but ")
        timed = [m for m in mentions if item_from <= m.start < item_end and m not in out]
        if timed:
            ctx.consume(*during.span())
            out.update({m: " ".join(during.group(0).split()) for m in timed})
    lexicon = get_lexicon()
    for m, text in list(out.items()):
        # "Steroids for an acute exacerbation (> 100 mg/day of prednisone or equivalent)": a member named in the
        # parenthesis after a class given for something is its example, qualified with it
        paren = _PAREN_AFTER_RE.match(ctx.text, m.end) if m.label == "DRUG_CLASS" and _GIVEN_FOR_RE.match(text) \
            else None
        end = closing(ctx.text, paren.end() - 1) if paren else -1
        out.update({d: text for d in mentions if paren and paren.end() <= d.start < end and d not in out
                    and d.label == "DRUG" and m.id in lexicon.drug_classes(d.id)})
    for end, text in indicated:
        # "immunomodulatory or immunosuppressive therapy for MS, including interferon beta, natalizumab ...": the
        # examples after the classes given for something are their members, given for the same
        examples = _EXAMPLES_AFTER_RE.match(ctx.text, end)
        if not examples:
            continue
        classes = {m.id for m, t in out.items() if t == text and m.label == "DRUG_CLASS"}
        stop = _item_end(ctx.text, end)
        out.update({d: text for d in mentions if examples.end() <= d.start < stop and d not in out and classes & (
            lexicon.drug_classes(d.id) if d.label == "DRUG" else lexicon.class_ancestors(d.id))})
    frequency = _FREQUENCY_RE.search(ctx.text) if mentions else None  # (with no drug, a frequency of something else)
    if frequency:  # "NSAIDs 5 or more days a week": of every drug named
        ctx.consume(frequency.start(), frequency.end())
        out.update({m: out.get(m, " ".join(frequency.group(0).split())) for m in mentions
                    if exception is None or m.start < exception})
    for count in _DOSE_COUNT_RE.finditer(ctx.text):
        # "natalizumab, having received at least 6 infusions": a count of doses the record cannot show, of the drugs
        # of its item before it
        item_from = _item_start(ctx.text, count.start())
        counted = [m for m in mentions if item_from <= m.start < count.start() and m not in out]
        if counted:
            ctx.consume(*count.span())
            out.update({m: " ".join(count.group(0).split()) for m in counted})
    for lead in _REGIMEN_LEAD_RE.finditer(ctx.text):
        stop = _item_end(ctx.text, lead.end())
        regimen = [m for m in mentions if lead.end() <= m.start < stop and (exception is None or m.start < exception)]
        if regimen:
            ctx.consume(*lead.span("regimen"))
            words = " ".join(lead.group("regimen").lower().split())
            out.update({m: f"{words}, {out[m]}" if m in out else words for m in regimen})
    return out


def _qualified(rules: list, qualifiers: dict) -> list:
    """The rules with each qualified drug or class in a rule of its own carrying its qualifier."""
    by_id: dict = {}
    for mention, text in qualifiers.items():
        by_id.setdefault(mention.id, text)
    out = []
    for rule in rules:
        if rule.kind == "group" and rule.mode == "any":
            # "if on X or Y (up to 15 mg/day), stable for 4 weeks": split, each part of "not on it, or stable" would
            # be an alternative of its own (not on Y let a patient unstable on X in); the dose goes to a person
            out.append(rule)
            out.extend(ManualReviewRule(polarity=rule.polarity, category="partial",
                                        why=f"the dose or regimen is not checked: '{text}'")
                       for text in dict.fromkeys(qualifiers.values()))
            continue
        if rule.kind == "group":
            out.append(rule.model_copy(update={"rules": _qualified(rule.rules, qualifiers)}))
            continue
        if rule.kind not in ("washout", "prior_drug"):
            out.append(rule)
            continue
        qualified_classes = {i for i in rule.classes if i in by_id}
        # "high-dose corticosteroids (e.g., IV methylprednisolone 1 g/day)": an example of a qualified class is in
        # it; "IV methylprednisolone, oral prednisone or other systemic corticosteroids": a route of a member of a
        # class named beside it is the class's
        drugs = [i for i in rule.drugs if not (i in by_id and get_lexicon().drug_classes(i) & qualified_classes)]
        texts_by_id = {i: t for i, t in by_id.items()
                       if not (i in drugs and _ROUTE_RE.fullmatch(t) and get_lexicon().drug_classes(i) & set(rule.classes))}
        targets = [("drugs", i) for i in drugs] + [("classes", i) for i in rule.classes]
        texts = {i: texts_by_id[i] for _, i in targets if i in texts_by_id}
        if not texts:
            out.append(rule)
            continue
        plain = [(field, i) for field, i in targets if i not in texts]
        # ("Corticosteroid treatment (e.g. an intravenous methylprednisolone pulse)": an example given with its usual
        # route or regimen is still the class's; only a threshold, "including aspirin > 81 mg/day", carves it out)
        plain_classes = {i for f, i in plain if f == "classes"}
        covered = {i for f, i in targets if f == "drugs" and i in texts and not re.search(r"\d|\bfor\b", texts[i])
                   and get_lexicon().drug_classes(i) & plain_classes}
        if covered:
            targets = [(f, i) for f, i in targets if i not in covered]
            texts = {i: t for i, t in texts.items() if i not in covered}
            if not texts:
                out.append(rule.model_copy(update={"drugs": [i for f, i in targets if f == "drugs"]}))
                continue
        if rule.polarity == "require" and getattr(rule, "min_distinct", 1) == 1 and len(targets) > 1:
            # "currently treated with interferon beta-1a 30 µg weekly or glatiramer acetate 20 mg daily": split,
            # the rules would each be required and no one is on both; one rule, every dose for a person to check
            out.append(rule.model_copy(update={"qualifier": "; ".join(dict.fromkeys(texts.values()))}))
            continue
        if plain:
            # "anticoagulant or antiplatelet therapies, including aspirin > 81 mg/day": the class does not take
            # the qualified member back in
            classes = [i for f, i in plain if f == "classes"]
            members = [i for f, i in targets if f == "drugs" and i in texts
                       and get_lexicon().drug_classes(i) & set(classes)]
            out.append(rule.model_copy(update={"drugs": [i for f, i in plain if f == "drugs"], "classes": classes,
                                               "except_drugs": list(dict.fromkeys([*rule.except_drugs, *members]))}))
        for text in dict.fromkeys(texts.values()):
            ids = [(f, i) for f, i in targets if texts.get(i) == text]
            out.append(rule.model_copy(update={"drugs": [i for f, i in ids if f == "drugs"],
                                               "classes": [i for f, i in ids if f == "classes"], "qualifier": text}))
    return out


def _extract_drugs(ctx: Context, mentions: list) -> list:
    if not mentions:
        return []
    # ("Previous treatment with dalfampridine ..., or known hypersensitivity to 4-aminopyridine": the allergy is a
    # clause of its own; the drugs before it are exposures)
    # (but in an exclusion, "non-response to an adequate trial of citalopram, or intolerance of either drug": the
    # response, not the exposure, excludes; a person reads both)
    allergy = _ALLERGY_CLAUSE_RE.search(ctx.text)
    if allergy and ctx.section == "exclusion" and _NON_RESPONSE_RE.search(ctx.text, 0, allergy.start()):
        allergy = None
    if allergy and any(m.start < allergy.start() for m in mentions):
        stop = SEGMENT_BREAK_RE.search(ctx.text, allergy.end())
        ctx.unstated.append((allergy.start(), stop.start() if stop else len(ctx.text)))  # (unless a rule reads it)
        mentions = [m for m in mentions if m.start < allergy.start()]
    checked = ctx.text[:allergy.start()] if allergy and mentions[-1].end <= allergy.start() else ctx.text
    # ("current treatment with warfarin, heparin or other anticoagulants (contraindications to bone marrow
    # aspiration)": the parenthesis after the drugs says why they exclude, they are still exposures)
    checked = checked[:mentions[-1].end] + _WHY_CONTRAINDICATED_RE.sub(" ", checked[mentions[-1].end:])
    if _NOT_EXPOSURE_RE.search(_without_stop_reasons(_STOPPED_FOR_RE.sub(" ", checked))) and \
            not _listed_contraindications(ctx.text, mentions):
        return []
    naive_or = _naive_or_listed(ctx, mentions)
    if naive_or:
        return naive_or
    naive = _naive_to(ctx, mentions)
    if naive:
        return naive
    # the clause of the exposure, up to the first ";" after its last mention ("Stable on the current DMT for 3
    # months ...; no plans to change therapy": the change is another clause)
    stop = ctx.text.find(";", mentions[-1].end)
    exposure = ctx.text if stop < 0 else ctx.text[:stop]
    for plan in _PLAN_CLAUSE_RE.finditer(exposure):
        # "on no DMT for at least 6 months before baseline, and not planning to start one during the study": the plan
        # is a clause of its own, which a person asks (not a change of the treatment the exposure states)
        ctx.unstated.append(plan.span())
        exposure = exposure[:plan.start()] + " " * len(plan.group(0)) + exposure[plan.end():]
    if ctx.section == "inclusion" and _AT_MOST_DOSES_RE.search(exposure):
        return []  # "Has received no more than 3 TYSABRI infusions": none at all too; the count goes to a person
    several = _SEVERAL_COURSES_RE.search(exposure)
    if several and (several.group("more") or number(several.group("n")) >= 2):
        # "More than two courses of high-dose corticosteroids during the 12 months": a count of courses no record
        # states (read as any use in the window, one course excluded); a person counts them
        ctx.unstated.append(several.span())
        return []
    recent = _last_dose_between(ctx, mentions) or _recent_start(ctx, mentions)
    if recent:
        return recent
    # ("treated for the current relapse with X, started within 14 days of its onset": an exposure, when it started)
    # ("In case of receiving a DMT, no modification of the treatment in the 6 months": its stability, read below)
    # (what a parenthesis permits is no exposure: "Start or change of DMT within 3 months (current treatment with
    # any approved DMT is permitted)")
    # (nor a change a parenthesis denies: "Stable course of DMT over the past 6 months (no start, stop or switch)")
    exposure = _PERMISSION_PAREN_RE.sub(lambda m: " " * len(m.group(0)), exposure)
    exposure = _NO_CHANGE_PAREN_RE.sub(lambda m: " " * len(m.group(0)), exposure)
    # (a start that is a time point is no change: "during the 3 months before the start of the programme")
    # (but "prior to initiation of ocrelizumab" dates the drug's start: no exposure of it)
    change = next((c for c in _CHANGE_RE.finditer(exposure) if not (
        re.match(r"start|initiat", c.group(), re.I) and _TIME_POINT_BEFORE_RE.search(exposure[:c.start()])
        and not any(c.end() <= m.start <= c.end() + 30 for m in mentions))), None)
    if change and not (_UNCHANGED_RE.search(exposure) and _STABLE_FOR_RE.search(exposure)) \
            and not re.search(r"treat(?:ed|ment)\s+(?:for\s+[^.;,]{1,40}?\s+)?with\b|"
                                                     r"therapy\s+with\b|\buse\s+of|received|"
                                                     r"\bcurrently\s+(?:treated|taking|receiving|on)\b|"
                                                     r"\b(?:is|are)\s+(?:currently\s+)?taking|" + _MUST_BE_ON,
                                                     exposure, re.I) and not _if_taking(ctx.text) \
            and not (ctx.section == "exclusion" and _UNLESS_STABLE_RE.search(exposure)):
        # ("Oxybutynin or tolterodine, unless taken at a stable dose for more than 6 months": the drugs, and how long)
        # ("No relapse and no change in disease-modifying therapy within the 12 weeks": what no rule read, a person's)
        if not _TIME_POINT_BEFORE_RE.search(exposure[:change.start()]):  # (not "prior to reduction of X")
            ctx.unstated.append(change.span())
        return []  # "changes to / introduction of a treatment": a stability criterion, not an exposure
    if _STARTED_WITHIN_RE.search(ctx.text):
        return []  # "fampridine started in the last 3 months": a recent start, not any use in the window
    if _EVENT_WINDOW_RE.search(ctx.text):
        return []  # "since completion of study X": a window from an event, not a duration
    found_gaps = list(_GAP_RE.finditer(ctx.text))
    gaps = [m.span() for m in found_gaps]
    ctx.unstated.extend(gaps)
    # (a time before now: "before the first dose", "during the previous 12 months")
    anchored = next((m for m in found_gaps if re.search(rf"\b{_BEFORE}|\b(?:previous|past|last|preceding)\s+(?:{NUM}\s*)?"
                                                         r"(?:days?|weeks?|months?|years?)\b", m.group("rest"), re.I)), None)
    if anchored and not _CURRENT_RE.search(ctx.text):
        # "no gap in ofatumumab treatment longer than 3 months during the 12 months before the first dose": the drug
        # was taken within the 3 months before it (the continuity before that goes to a person)
        for mention in mentions:
            ctx.consume(mention.start, mention.end)
        polarity = "require" if ctx.section == "inclusion" else "exclude"
        lasted = _MIN_DURATION_RE.search(ctx.text, 0, anchored.start())
        # "Treatment with natalizumab for at least 6 months prior to screening, with no gap ...": how long, too
        before = [PriorDrugRule(polarity=polarity, **_named(mentions), current=True, min_duration=_duration_of(lasted))] \
            if lasted and ctx.section == "inclusion" else []
        if before:
            ctx.consume(lasted.start(), _UP_TO_ANCHOR_RE.match(ctx.text, lasted.end()).end())
        return before + [WashoutRule(polarity=polarity, **_named(mentions),
                                     window=Window(within=_duration_of(anchored), anchor=anchor_of(anchored.group("rest"))))]
    # "an accelerated elimination procedure (cholestyramine for 11 days)": how the procedure runs, for a person
    procedures = [m.span(1) for m in _PROCEDURE_DETAIL_RE.finditer(ctx.text)]
    ctx.unstated.extend(procedures)
    all_windows = [w for w in find_windows(ctx.text) if not any(s <= w.start < e for s, e in [*gaps, *procedures])]
    stopped = _DISCONTINUED_RE.search(ctx.text)
    if stopped and not all_windows:
        by_event = _STOPPED_BY_EVENT_RE.match(ctx.text, stopped.end())
        if by_event:
            # "must have stopped it at the latest when the pregnancy became known": a stop dated by an event no
            # record dates (read as not on it now, it failed the women back on it since); a person checks the date
            ctx.unstated.append((stopped.start(), by_event.end()))
            return []
        ctx.consume(*stopped.span())
        return [PriorDrugRule(polarity="exclude", **_named(mentions), current=True)]
    by_clause = _timed_clauses(ctx, mentions, all_windows)
    if by_clause is not None:
        return by_clause
    exception = _drug_exception_start(ctx.text)
    together = _ANOTHER_TOGETHER_RE.search(ctx.text) if exception is None else None
    if together:  # "another DMT together with natalizumab": natalizumab is the one it is not
        exception = together.start("with")
    # "any immunomodulatory therapy other than interferon beta-1a, including glatiramer acetate, ...": the examples
    # after the exception are the class's
    examples = EXAMPLES_RE.search(ctx.text, exception) if exception is not None else None
    excepted_end = examples.start() if examples else len(ctx.text)
    if exception is not None:
        # "other than ofatumumab at any time, or with any other disease-modifying therapy since ...": the exception
        # ends where a clause of other words starts (not at "..., or teriflunomide", another excepted drug)
        starts = {m.start for m in mentions}
        # (nor after a time of the excepted clause's own: "other than ocrelizumab since delivery, or natalizumab ...")
        # (and a ";" ends it: "teriflunomide, unless an elimination was completed before conception; mycophenolate ...")
        clause = next((cut for cut in _EXCEPTION_CUT_RE.finditer(ctx.text, exception, excepted_end)
                       if cut.end() not in starts or _TIMED_BEFORE_CUT_RE.search(ctx.text, exception, cut.start())
                       or ctx.text[cut.start()] == ";"), None)
        excepted_end = clause.start() if clause else excepted_end
    if exception is not None and enclosing_paren(ctx.text, exception) is not None:
        # "Immunosuppressive treatment (other than the core-study drug), cytapheresis or plasmapheresis": an
        # exception in a parenthesis ends with it
        closing = ctx.text.find(")", exception)
        excepted_end = min(excepted_end, closing if closing >= 0 else len(ctx.text))
    excepted = [m for m in mentions if exception is not None and exception <= m.start < excepted_end]
    excepted_at = {id(m) for m in excepted}
    included = [m for m in mentions if id(m) not in excepted_at]
    if all_windows:
        # "... within 12 weeks, prior to baseline. Participants previously treated with teriflunomide must also have
        # completed an accelerated elimination procedure": a sentence after the last window, with none of its own, is
        # another requirement, left to a person
        last = max(w.end for w in all_windows)
        stop = _NEXT_SENTENCE_RE.search(ctx.text, last)
        if stop:
            mentions = [m for m in mentions if m.start < stop.start()]
            included = [m for m in included if m.start < stop.start()]
    if not included:
        return []
    if excepted:
        trigger = together or context.exception_trigger(ctx.text)
        ctx.consume(trigger.start("with") if together else trigger.start(), trigger.end())
    heading = re.search(r"\bas\s+follows\s*:", ctx.text, re.I)
    if heading:
        ctx.consume(heading.start(), heading.end())
    included = _listed_instead_of_class(ctx.text, included)
    during = _DURING_RE.search(ctx.text[max(0, included[0].start - 60):included[0].start])
    current = _CURRENT_RE.search(ctx.text)
    # ("Stable course of DMT over the past 6 months": stable for at least that long)
    minimum = _MIN_DURATION_RE.search(ctx.text) or _STABLE_FOR_RE.search(ctx.text) or _STABLE_OVER_RE.search(ctx.text)
    paren = enclosing_paren(ctx.text, minimum.start()) if minimum else None
    if paren is not None and EXAMPLES_RE.match(ctx.text, paren + 1):
        minimum = None  # "High-dose corticosteroids (for example IV methylprednisolone 500 mg/day for at least 3 days)"
    # ("Either untreated, or on the same DMT for at least 3 months": the treated arm is on it now)
    on_it = current or _if_taking(ctx.text) or _IF_ANY_RE.search(ctx.text) or _MAY_BE_UNTREATED_RE.match(ctx.text) or \
        re.search(r"\bstable\b|\bon\s+the\s+same\b|\bintention\s+(?:of|to)\s+continu", ctx.text, re.I) or \
        _UNCHANGED_RE.search(ctx.text)
    # ("no change in the DMT during the 3 months": the change is negated, not the drug)
    # (nor the untreated arm of an either/or: "Either no DMT, or the same DMT without interruption, for at least ...")
    negated = ctx.negated(included[0].start) and not (minimum and _UNCHANGED_RE.match(minimum.group(0))) \
        and not _MAY_BE_UNTREATED_RE.match(ctx.text)
    # "Treated with X for at least 12 months before screening", in an inclusion: how long the exposure lasted
    # (and "Treatment with natalizumab every 4 weeks during at least 12 months before randomization")
    exposed = ctx.section == "inclusion" and (_PAST_RE.search(ctx.text, 0, included[0].start)
                                              or _TREATMENT_LEAD_RE.fullmatch(ctx.text, 0, included[0].start))
    if minimum and (negated or not on_it and not exposed) \
            and re.match(rf"\s*(?:{_BEFORE})", ctx.text[minimum.end():], re.I):
        minimum = None  # "no therapy with X for at least 6 months before screening": a gap, i.e. a washout
    if during and not minimum and not re.search(r"\bcurrently\b|\bstill\s+(?:taking|on|receiving)", ctx.text, re.I):
        return []  # "a relapse while on interferon": when the activity happened, stated by the activity rule
    except_drugs = _excepted_drugs(ctx.text, excepted, included)
    for mention in mentions:
        ctx.consume(mention.start, mention.end)
    targets = {**_named(included), "except_drugs": except_drugs}
    # "with no missed doses in the previous 3 months": the window of the adherence, not of the exposure
    windows = [w for w in all_windows
               if not _MISSED_DOSES_RE.search(ctx.text, max(0, w.start - 30), w.start)]
    # ("No MS relapse in the 8 weeks before enrollment, and no change in DMT during the 3 months": a window that ends a
    # clause before the first drug's is the other clause's)
    # (but "Relapse within 30 days, or corticosteroids for a relapse during that period": the drugs' only window)
    if any(w.start > mentions[0].start for w in windows):
        windows = [w for w in windows if not (w.end <= mentions[0].start and _CLAUSE_JOIN_RE.search(
            ctx.text, w.end, mentions[0].start))]
    # ("An MS relapse within the past 3 months, or currently taking steroids for a relapse": the drug's clause has a
    # time of its own, now)
    windows = [w for w in windows if not (w.end <= mentions[0].start and _NOW_CLAUSE_RE.search(
        ctx.text, w.end, mentions[0].start))]
    chronic = minimum or _CONSECUTIVE_RE.search(ctx.text)
    separate = [w for w in windows if chronic and not _overlaps((w.start, w.end), chronic.span())]
    # (not a treated arm's duration beside an untreated arm's window: "may be untreated or receive a DMT; those on a
    # DMT for at least 6 months, and those not on one none during the 6 months")
    if chronic and separate and not current and not re.search(r"\bstable\b", ctx.text, re.I) and not (
            _MAY_BE_UNTREATED_RE.match(ctx.text) or _if_taking(ctx.text)):
        # "chronic (more than 30 consecutive days) steroid treatment within 6 months": long exposures in a window;
        # "Systemic corticosteroids within 4 weeks, or chronic corticosteroid therapy (more than 30 consecutive days)
        # within 6 months": the duration is of the clause it stands in
        ctx.consume(*chronic.span())
        groups = _by_window(included, separate, merge=False) if len(separate) > 1 else [(included, separate[0])]
        rules = []
        for group, window in groups:
            ctx.consume(window.start, window.end)
            clause_from = max((w.end for w in separate if w.end <= group[0].start), default=0)
            long = clause_from <= chronic.start() < window.end or len(groups) == 1
            rules.append(WashoutRule(polarity=ctx.base_polarity(group[0].start, window), **_named(group),
                                     except_drugs=except_drugs, window=_inherit_anchor(ctx.text, window),
                                     min_duration=_duration_of(chronic) if long else None))
        return rules
    cannot_stop = _CANNOT_STOP_RE.search(ctx.text)
    if cannot_stop and not minimum:
        ctx.consume(*cannot_stop.span())
        for window in windows:
            ctx.consume(window.start, window.end)
        return [PriorDrugRule(polarity=ctx.base_polarity(included[0].start), **targets, current=True)]
    if minimum and negated and not on_it and not windows:
        # "No treatment with X for at least 6 months": a gap counted back from screening
        ctx.consume(*minimum.span())
        return [WashoutRule(polarity=ctx.base_polarity(included[0].start), **targets,
                            window=Window(within=_duration_of(minimum), anchor="screening"))]
    if minimum:
        # "Has ever received daclizumab, or has received any interferon beta for more than 12 months": the duration is
        # of the drugs in its own clause; those of the clauses before it count at any exposure
        cut = _last_or_clause(ctx.text, included[0].end, minimum.start())
        before = [m for m in included if cut is not None and m.start < cut]
        after = [m for m in included if m not in before]
        if before and after:
            plain = PriorDrugRule(polarity=ctx.base_polarity(before[0].start), **_named(before))
            timed = {**_named(after), "except_drugs": except_drugs}
            found = [plain, *_minimum_duration(ctx, after[0], timed, minimum, current)]
            # in an inclusion either clause is enough
            return [GroupRule(mode="any", rules=found)] if ctx.section == "inclusion" else found
        return _minimum_duration(ctx, included[0], targets, minimum, current)
    shorter = _MAX_DURATION_RE.search(ctx.text, included[0].end)
    # "treated with it for less than 3 months at the time of randomisation": when the length is measured, not use now
    measured_at = shorter and re.match(rf"\s*,?\s*{AT_ENROLLMENT}", ctx.text[shorter.end():], re.I)
    if current and shorter and re.match(r"\s*(?:starting|initiating|beginning|to\s+start)\b", ctx.text, re.I):
        current = None  # "Starting treatment with X at the time of randomization, or treated with X for no more than 3
        # months": a start, not use now; the ceiling is the rule
    if shorter and ctx.section == "inclusion" and (not current or measured_at and current.start() >= shorter.end()) \
            and not re.search(r"[.;]", ctx.text[included[0].end:shorter.start()]):
        # the patient may have had less than that: an exposure that long or longer excludes
        ctx.consume(*shorter.span())
        if measured_at:
            ctx.consume(shorter.end(), shorter.end() + measured_at.end())
        rules = [PriorDrugRule(polarity="exclude", **targets, min_duration=_duration_of(shorter))]
        for window in windows:
            if _overlaps((window.start, window.end), shorter.span()):
                ctx.consume(window.start, window.end)
            elif window.gap:
                # "..., with the last dose at least 3 months before randomization": none within those 3 months
                ctx.consume(window.start, window.end)
                rules.append(WashoutRule(polarity="exclude", **targets, window=_inherit_anchor(ctx.text, window)))
        return rules
    if windows:
        rules = []
        groups = _by_window(included, windows)
        allowed_after_gap = _allowed_after_gap(ctx.text)
        for group, window in groups:
            ctx.consume(window.start, window.end)
            polarity = "exclude" if window.gap and allowed_after_gap or _NONE_WITHIN_RE.search(
                ctx.text, max(0, window.start - 12), window.start) else ctx.base_polarity(group[0].start, window)
            rules.append(WashoutRule(polarity=polarity, **_named(group),
                                     except_drugs=_excepted_drugs(ctx.text, [*excepted, *_other_than_named(
                                         ctx.text, group, groups)], group),
                                     window=_inherit_anchor(ctx.text, window)))
        return rules
    polarity = ctx.base_polarity(included[0].start)
    half_lives = HALF_LIVES_RE.search(ctx.text)
    if half_lives:
        ctx.consume(half_lives.start(), half_lives.end())
        window = Window(within=Duration(value=0, unit="days"),
                        anchor=half_lives_anchor(ctx.text, half_lives) or "screening",
                        half_lives=int(number(half_lives.group("value"))))
        return [WashoutRule(polarity=polarity, **targets, window=window)]
    rule = {"polarity": polarity, **targets}
    distinct = _DISTINCT_RE.search(ctx.text)
    combined = least = None
    if distinct and distinct.group("dual"):
        # "dual antiplatelet therapy": the class named next, two of its drugs together
        combined = next((m for m in included if m.start == distinct.end()), None)
        if combined:
            rule["min_distinct"] = _DUAL[distinct.group("dual").lower()]
            ctx.consume(distinct.start(), distinct.end())
    elif distinct:
        rule["min_distinct"] = int(number(distinct.group("upto") or distinct.group("n"))) + (1 if distinct.group("more") else 0)
        if distinct.group("most") or distinct.group("upto"):
            # "treated with no more than two DMTs", "received one or two previous DMTs": three or more exclude (the
            # polarity of the drugs counted: "naive to DMT, or treated with no more than two" negates the first only)
            naive = _NAIVE_OR_RE.search(ctx.text, 0, distinct.start())  # "Treatment-naive, or": zero is allowed
            counted = next((m for m in included if m.start >= distinct.start()), included[0])
            stated = ("require" if ctx.section == "inclusion" else "exclude") if naive else \
                ctx.base_polarity(counted.start)
            rule.update(min_distinct=rule["min_distinct"] + 1, polarity=context.opposite(stated))
            if naive:
                ctx.consume(*naive.span())
            elif distinct.group("upto") and polarity == "require" and not re.search(r"\bmay\b", ctx.text, re.I):
                # "previously treated with 1 or 2 DMTs": at least the first number, too
                least = PriorDrugRule(polarity="require", drugs=rule["drugs"], classes=rule["classes"],
                                      except_drugs=rule["except_drugs"], min_distinct=int(number(distinct.group("n"))))
        ctx.consume(distinct.start(), distinct.end())
    # ("currently treated with": the present, however "treated" reads alone)
    # (nor the "past" of a window: "An MS relapse within the past 3 months, or currently taking steroids")
    lead = _NOW_TREATED_RE.sub(lambda m: " " * len(m.group(0)), ctx.text[:included[0].start])
    for w in all_windows:
        if w.end <= included[0].start:
            lead = lead[:w.start] + " " * (w.end - w.start) + lead[w.end:]
    past = _PAST_RE.search(lead)
    if past and current and past.end() <= current.start() and _CLAUSE_JOIN_RE.search(ctx.text, past.end(),
                                                                                       current.start()):
        past = None  # "History of seizures, or current treatment with anticonvulsants": the past is another clause's
    if current and not past:
        rule["current"] = True
        ctx.consume(current.start(), current.end())
    elif _FREQUENCY_RE.search(ctx.text) and not _PAST_RE.search(ctx.text):
        rule["current"] = True  # "Use of NSAIDs 5 or more days a week": a habit, now
    elif not _PAST_RE.search(ctx.text) and not _NEVER_BEFORE_RE.search(ctx.text, 0, included[0].start) and (
            _TREATMENT_NOUN_RE.match(ctx.text[included[-1].end:]) or re.search(
            r"(?:treatment|therapy|medication)s?$", included[-1].text, re.I)):
        rule["current"] = True  # "Statin treatment for other disease"
    elif _BARE_TREATMENT_RE.match(ctx.text) and not _PAST_RE.search(ctx.text) and all(
            get_lexicon().ongoing_use(m.id) for m in included):
        rule["current"] = True  # "Treatment with anticoagulants": a medicine taken day after day, taken now
        # (where "Treatment with alemtuzumab" is any exposure)
    if combined and len({m.id for m in included}) > 1:
        # "anticoagulants or dual antiplatelet therapy": the combination is a rule of its own beside the rest
        # ("e.g., aspirin plus clopidogrel": examples of the combination go with it)
        field = "drugs" if combined.label == "DRUG" else "classes"
        together = [i for i in rule["drugs"] if i == combined.id or combined.id in get_lexicon().drug_classes(i)]
        rest = {**rule, "min_distinct": 1, "drugs": [i for i in rule["drugs"] if i not in together],
                "classes": [i for i in rule["classes"] if i != combined.id]}
        return [PriorDrugRule(**rest),
                PriorDrugRule(**{**rule, "drugs": [], "classes": [], field: [combined.id]})]
    apart = _OR_ANY_RE.search(ctx.text, distinct.end()) if distinct and not combined and least is None else None
    later = [m for m in included if apart and m.start >= apart.end()]
    if later and len(later) < len(included) and rule.get("min_distinct", 1) > 1:
        # "Taking more than two antidepressants, or any monoamine oxidase inhibitor": the count is the first clause's
        counted = [m for m in included if m not in later]
        return [PriorDrugRule(**{**rule, **_named(counted)}),
                PriorDrugRule(**{**rule, **_named(later), "min_distinct": 1})]
    return [PriorDrugRule(**rule)] if least is None else [least, PriorDrugRule(**rule)]


# "Treatment with", "Use of", "Therapy with": the exposure named without a time of its own
_BARE_TREATMENT_RE = re.compile(r"\s*(?:treatment|therapy|use|intake)\s+(?:with|of)\b", re.I)
# (", or any MAO inhibitor" after a counted class: an item of its own, counted once)
_OR_ANY_RE = re.compile(r",\s*or\s+(?:any|an?)\b", re.I)
# "naive to disease-modifying therapy", "never received ...": no use ever, not only now
_NEVER_BEFORE_RE = re.compile(r"\bna[iï]ve\b|\buntreated\b|\bnever\b", re.I)
_NEXT_SENTENCE_RE = re.compile(r"\.\s+[A-Z]")
_DAYS_PER = {"days": 1, "weeks": 7, "months": 30.4375, "years": 365.25}


_EVENT_WINDOW_RE = re.compile(r"\bsince\s+(?:the\s+)?(?:completion|end|termination|discontinuation)\s+of\b|"
                              r"\bsince\s+(?:completing|finishing|leaving)\b", re.I)
_AT_ANY_TIME_RE = re.compile(r"\bat\s+any\s+time\b|\bever\b", re.I)


def _timed_clauses(ctx: Context, mentions: list, windows: list) -> list | None:
    """"...: radiation ablation or anti-CD4 antibody treatment at any time; mitoxantrone, ... within prior nine
    months": clauses separated by ";" with timings of their own give a rule each, under the shared heading."""
    head_end = ctx.text.find(":") + 1
    clauses, start = [], head_end
    for match in re.finditer(r";", ctx.text[head_end:]):
        clauses.append((start, head_end + match.start()))
        start = head_end + match.end()
    clauses.append((start, len(ctx.text)))
    starts = sorted(m.start for m in mentions)
    either = False
    timed = [(a, b) for a, b in clauses if bisect_left(starts, a) < bisect_left(starts, b)]
    windowed = [bool(find_windows(ctx.text[a:b])) for a, b in timed]  # (read once per clause)
    timings = {w or bool(_AT_ANY_TIME_RE.search(ctx.text[a:b])) for w, (a, b) in zip(windowed, timed)}
    # ("No prior mitoxantrone, cyclophosphamide, or cladribine; No concurrent immunosuppressive therapy": ever, then now)
    kinds = [_clause_time(ctx.text[a:b], w) for w, (a, b) in zip(windowed, timed)]
    own_times = len(timed) >= 2 and all(kinds) and len(set(kinds)) > 1
    if not own_times and (len(timed) < 2 or timings != {True} or len(set(windowed)) < 2):
        timed = _current_then_window(ctx.text, starts, windows) or _window_then_ever(ctx.text, starts, windows) \
            or _current_then_past(ctx.text, starts, windows)
        either = timed is None  # "for at least 6 months, or ... within 3 months": alternatives
        timed = timed or _duration_then_window(ctx.text, starts, windows) or _duration_then_reason(ctx.text, starts)
        if timed is None:
            return None
        head_end = 0
    rules = []
    for a, b in timed:
        head = ctx.text[:head_end]
        sub = Context.of(head + ctx.text[a:b], ctx.section, ctx.criterion_id, ctx.span)
        sub.consumed = [(s - a + len(head), e - a + len(head)) for s, e in ctx.consumed if a <= s < b]
        rules.extend(extract_drugs(sub))
        for s, e in sub.consumed:
            if s >= len(head):
                ctx.consume(s - len(head) + a, e - len(head) + a)
    for m in mentions:
        ctx.consume(m.start, m.end)
    ctx.by_clause = True
    rules = _without_covered_current(rules)
    if head_end == 0 and either and ctx.section == "inclusion" and len(rules) > 1:
        return [GroupRule(mode="any", rules=rules)]  # in an inclusion either clause is enough
    return rules


def _clause_time(clause: str, windowed: bool) -> str | None:
    """The time a clause gives its drugs: a window (``windowed``: the clause has one), ever, now, or None."""
    if windowed:
        return "window"
    if _CURRENT_RE.search(clause):
        return "current"
    if _AT_ANY_TIME_RE.search(clause) or _EVER_BEFORE_RE.search(clause):
        return "ever"
    return None


def _without_covered_current(rules: list) -> list:
    """"Current treatment with a statin, or treatment with any statin within the 6 months before screening": current
    use lies inside the window, so the washout on the same drugs states both."""
    washouts = [r for r in rules if isinstance(r, WashoutRule) and r.window and r.window.within.value > 0]
    return [r for r in rules if not (
        isinstance(r, PriorDrugRule) and r.current and r.min_duration is None and not r.qualifier and r.min_distinct == 1
        and any(w.polarity == r.polarity and set(r.drugs) <= set(w.drugs) and set(r.classes) <= set(w.classes)
                for w in washouts))]


def _current_then_window(text: str, starts: list, windows: list) -> list | None:
    """"Current use of an SSRI or TCA, or MAOI use within the 5 weeks before baseline", "Treatment at any time with
    mitoxantrone or natalizumab, or with another immunosuppressant within the last 12 months": the items the current
    (or lifelong) use opens keep that timing; the item after the last ", or" before the window is the window's."""
    if not windows or _if_taking(text) or _STABLE_FOR_RE.search(text):
        return None  # "Participants taking X, or Y, must have been on a stable dose for 4 weeks": one stability
    cuts = list(re.finditer(r",\s*(?:or|and)\b", text[:windows[0].start]))
    cut = cuts[-1] if cuts else None
    if cut is None or not starts[0] < cut.start() < starts[-1] or bisect_left(starts, cut.end()) == len(starts) \
            or starts[bisect_left(starts, cut.end())] > windows[0].start:
        return None
    listed = context.PARENTHESIS_RE.sub("", text[starts[0]:cut.start()])
    if "," in listed and not re.search(r"\bor\b", listed):
        return None  # ("Prior interferon beta-1a, interferon beta-1b, or glatiramer acetate allowed if stopped at least 3
        # months before": the ", or" that closes one list)
    # ("Any previous use of rituximab, or using mitoxantrone ... during the last 6 months": ever, then the window)
    if not _CURRENT_RE.match(text) and not re.match(r"\s*\w+\s+(?:of\s+)?(?:current|concomitant)\b", text, re.I) \
            and not _AT_ANY_TIME_RE.search(text, 0, cut.start()) \
            and not (_EVER_BEFORE_RE.search(text, 0, min(starts[0] + 1, cut.start()))
                     and not re.match(r"\s*(?:with\s+)?(?:any\s+|an?\s+)?other\b", text[cut.end():], re.I)):
        return None  # (", or other immunomodulatory therapy within 4 months": the list goes on, one window)
    return [(0, cut.start()), (cut.end(), len(text))]


# ", or has received", ", or has ever been treated with", ", or any previous": a clause of past exposure
_OR_PAST_CLAUSE_RE = re.compile(r",\s*or\s+(?:(?:has|have|had)\s+(?:ever\s+|previously\s+)?(?:received|been\s+"
                                r"(?:treated|exposed)|taken|used)|(?:any\s+)?(?:prior|previous)\b)", re.I)


def _current_then_past(text: str, starts: list, windows: list) -> list | None:
    """"The subject is currently receiving natalizumab, or has received mitoxantrone, cyclophosphamide ... at any
    time": the current use is the first clause's; the drugs of the clause of past exposure count ever."""
    if windows or not _CURRENT_RE.search(text, 0, starts[0]):
        return None
    for cut in _OR_PAST_CLAUSE_RE.finditer(text):
        if any(s < cut.start() for s in starts) and any(s >= cut.end() for s in starts) \
                and not _CURRENT_RE.search(text, cut.start()):
            return [(0, cut.start()), (cut.start() + 1, len(text))]
    return None


def _window_then_ever(text: str, starts: list, windows: list) -> list | None:
    """"Treatment with natalizumab within 6 months before enrollment, or at any time with alemtuzumab, cladribine ...":
    the window closes the first clause; the clause after ", or" that says "at any time" is ever."""
    if not windows or len(windows) > 1:
        return None
    # (and "..., or glatiramer acetate 40 mg/mL three times weekly at any time": the drug, then its time)
    for cut in re.finditer(r",\s*(?:or|and)\s+(?=[^,;.]{0,60}?\b(?:at\s+any\s+time|ever)\b)", text):
        if cut.start() >= windows[0].end and any(s < cut.start() for s in starts) and any(s >= cut.end() for s in starts):
            return [(0, cut.start()), (cut.end(), len(text))]
    return None


_EVER_BEFORE_RE = re.compile(r"\b(?:previous(?:ly)?|ever|past)\b|\bprior\b(?!\s+to\b)", re.I)


def _duration_then_window(text: str, starts: list, windows: list) -> list | None:
    """"Prior treatment with interferon beta for more than 4 weeks, or discontinuation of interferon beta less than
    6 months prior to baseline": a clause timed by how long the drug was taken and one timed by a window, joined by
    ", or", give a rule each."""
    minimum = _MIN_DURATION_RE.search(text)
    if not windows or minimum is None or not starts[0] < minimum.start():
        return None
    # the window of the second clause: "... for more than 4 weeks, or discontinuation ... less than 6 months prior to
    # baseline"; "for 30 days or longer within the 8 weeks before screening, or any IV methylprednisolone within 30 days"
    for window in [w for w in windows if w.start >= minimum.end()]:
        if re.search(r"[;.]", text[minimum.end():window.start]):
            return None  # "..., or not on any DMT; no plans to change therapy during the 36 weeks": another clause
        cut = _last_or_clause(text, minimum.end(), window.start, _OR_RE)
        if cut is not None and any(cut <= s < window.start for s in starts):
            return [(0, cut), (cut, len(text))]
    return None


def _duration_then_reason(text: str, starts: list) -> list | None:
    """"Previous therapy with teriflunomide or leflunomide lasting more than 3 months, or teriflunomide withdrawn because
    of intolerance": the second clause's reason qualifies its own exposure, not the first clause's (a rule each)."""
    minimum = _MIN_DURATION_RE.search(text)
    reasons = _stop_reasons(text)
    if minimum is None or not reasons or not starts[0] < minimum.start():
        return None
    cut = _last_or_clause(text, minimum.end(), reasons[0][0].start(), _OR_RE)
    if cut is not None and any(cut <= s < reasons[0][0].start() for s in starts):
        return [(0, cut), (cut, len(text))]
    return None


def _other_than_named(text: str, group: list, groups: list) -> list:
    """"Natalizumab or teriflunomide within 3 months, or any other immunosuppressive therapy within 6 months": the
    drugs named with a window of their own are not the "other" class's."""
    others = {m.id for m in group if m.label == "DRUG_CLASS" and re.search(r"\bother\s+(?:[\w-]+\s+){0,2}$",
                                                                          text[max(0, m.start - 40):m.start], re.I)}
    if not others:
        return []
    lexicon = get_lexicon()
    return [d for other, _ in groups if other is not group for d in other
            if d.label == "DRUG" and not others.isdisjoint(lexicon.drug_classes(d.id))]


def _by_window(included: list, windows: list, merge: bool = True) -> list:
    """Drugs with windows of their own ("X within 4 weeks or Y within 12 weeks") give one washout per window.
    The same drugs given two windows ("IV antibiotics within 4 weeks or oral antibiotics within 2 weeks", the
    route being lost) give the shorter one, which holds whatever the route, unless ``merge`` is off (the clauses
    differ by more than the route)."""
    groups: dict = {}
    starts = [w.start for w in windows]  # in order
    for mention in included:
        after = bisect_left(starts, mention.end)
        window = windows[after] if after < len(windows) else windows[-1]
        groups.setdefault(window, []).append(mention)
    if len(groups) < 2:
        return [(included, next(iter(groups)))]  # the window after the drugs, not one before them
    targets = {tuple(sorted({m.id for m in group})) for group in groups.values()}
    if len(targets) == 1 and merge:
        shortest = min(groups, key=lambda w: w.window.within.value * _DAYS_PER[w.window.within.unit])
        return [(included, shortest)]
    return [(group, window) for window, group in groups.items()]


# "another disease-modifying therapy together with natalizumab": the drug it is taken with is not the other one
_ANOTHER_TOGETHER_RE = re.compile(r"\b(?:another|other|any\s+other|additional)\s+[^.;]{0,60}?\s"
                                  r"(?P<with>(?:(?:together|in\s+combination|concomitantly|concurrently|combined)\s+"
                                  r"with|in\s+addition\s+to|alongside))\s+", re.I)
_EVENT_REQUIRING_RE = re.compile(r"\b(?:attacks?|relapses?|exacerbations?|episodes?)\s+(?:that\s+)?(?:requir\w*|needing|"
                                 r"needed)\b[^.;]*$", re.I)
_PROCEDURE_DETAIL_RE = re.compile(r"\b(?:elimination|wash-?out)\s+(?:procedure|protocol)\s*(\([^()]*\))", re.I)
_ELIMINATION_AFTER_RE = re.compile(r"\s+(?:accelerated\s+|rapid\s+)?(?:elimination|wash-?out)\s+(?:procedure|protocol)", re.I)
_INTERACTS_WITH_RE = re.compile(r"\binteract\w*\s+with\s+(?:the\s+)?$", re.I)
# ... and the drug whose levels others change: "drugs that lower the plasma levels of teriflunomide", "drugs that
# markedly lower teriflunomide levels"
_MEDIUM = r"(?:(?:plasma|serum|blood)\s+)?"
_LEVELS = r"(?:levels?|concentrations?|exposure)"
_CHANGES_LEVELS_BEFORE_RE = re.compile(r"\b(?:lower|reduce|decrease|increase|raise|alter|affect)s?\s+(?:the\s+)?"
                                       rf"{_MEDIUM}(?P<levels>{_LEVELS}\s+(?:of|to)\s+(?:the\s+)?)?$", re.I)
_LEVELS_AFTER_RE = re.compile(rf"\s+{_MEDIUM}{_LEVELS}\b", re.I)
# The trial a drug names, not a treatment of the patient: "a Novartis ofatumumab study", "the BG00012 study
# 109MS301", "a parent ozanimod trial"; "completed the parent study on placebo or on glatiramer acetate" (its arm);
# "before the first dose of ofatumumab in this study" (the time point); "re-randomized to one of two BG00012 doses".
_ANTIBODIES_TO_RE = re.compile(r"\bantibod(?:y|ies)\s+(?:to|against)\s+(?:the\s+)?$", re.I)
# "Persistent anti-natalizumab antibodies": a test result too
_ANTI_DRUG_ANTIBODY_RE = re.compile(r"[\s-]*(?:neutrali[sz]ing\s+)?antibod(?:y|ies)\b", re.I)
_TRIAL_AFTER_RE = re.compile(r"[\s-]*(?:stud(?:y|ies)|trials?|programme|program)\b", re.I)
_TRIAL_ARM_BEFORE_RE = re.compile(r"\b(?:complet\w*|participat\w*|randomi[sz]ed|enrol\w*|t(?:ook|aking)\s+part)\b[^.;]{0,150}"
                                  r"\b(?:stud(?:y|ies)|trials?)\b[^.;]{0,150}\bon\s+$|"
                                  r"\b(?:first|initial)\s+(?:dose|administration|infusion|injection)\s+of\s+"
                                  r"(?:(?:the\s+)?(?:open[\s-]label|study|blinded|trial)\s+)?$|"
                                  r"\brandomi[sz]ed\s+to\s+(?:receive\s+)?(?:[\w-]+\s+){0,4}$|"
                                  # ("enrollment in an interventional clinical trial in which AVONEX or another
                                  # investigational drug is given": the trial's drug)
                                  r"\b(?:stud(?:y|ies)|trials?)\s+(?:in\s+which|where)\s+(?:[\w-]+\s+){0,3}$", re.I)


# (and "within the 3 months before the first TYSABRI infusion", "on the day of the first natalizumab infusion": the
# time point a window counts back from)
_FIRST_DOSE_BEFORE_RE = re.compile(r"\b(?:time|day|date)\s+of\s+(?:the\s+|their\s+|her\s+)?last\s+(?:[\w-]+\s+){0,2}$|"
                                   r"\b(?:after|following|until|from|(?:time|day|date)\s+of|before|prior\s+to|preceding)\s+"
                                   r"(?:the\s+|their\s+|her\s+)?"
                                   r"first\s+(?:[\w-]+\s+){0,2}$|"
                                   # "monitoring until 48 months after the last alemtuzumab infusion": the study's last
                                   r"\buntil\s+(?:[\w-]+\s+){0,3}?(?:after|following)\s+(?:the\s+|their\s+|her\s+)?"
                                   r"(?:last|final)\s+(?:[\w-]+\s+){0,2}$", re.I)
# (and "enrolled in another interferon beta pregnancy registry": the registry's drug)
_SOMEONE_ELSES_AFTER_RE = re.compile(r"\s*(?:\([^()]*\)\s*)?(?:only\s+)?(?:through|via|by|from)\s+(?:the\s+|a\s+|her\s+)?"
                               r"(?:male\s+)?(?:partner|father)\b|\s+(?:pregnancy\s+)?(?:exposure\s+)?registr(?:y|ies)\b",
                               re.I)
_DOSE_NOUN_AFTER_RE = re.compile(r"\s+(?:infusion|dose|injection|administration)s?\b", re.I)


# "anticoagulant therapy that would make repeated venipuncture unsafe": an exposure the criterion names for what it
# would do, which a person judges ("that cannot be stopped" is current use)
_CAUSED_OR_INDICATED_AFTER_RE = re.compile(r"[\s-]*(?:induced|associated|related)\b|\s*(?:(?:therapy|treatment|use)\s+)?"
                                           r"(?:is|are|would\s+be|may\s+be)\s+(?:indicated|recommended)\b", re.I)
_STATUS_AFTER_RE = re.compile(r"\s*(?:(?:treatment|therapy|use)\s+)?status\b", re.I)
_RELATION_AFTER_DRUG_RE = re.compile(r"\s*(?:(?:or|and|and/or)\s+[\w-]+\s+)?"  # ("immunomodulating or immunosuppressive drugs which may")
                                     r"(?:(?:therapy|therapies|treatments?|medications?|drugs?|agents?)\s+)?"
                                     r"(?:that|which)\s+(?:would|could|might|may)\b", re.I)


def _not_exposure(text: str, mention) -> bool:
    """A mention that names a drug without saying the patient takes or took it."""
    if is_stated_anchor(text, mention.start):
        return True  # "within 4 months before leukapheresis": the time point of the window
    if _RELATION_AFTER_DRUG_RE.match(text, mention.end):
        return True
    if _STATUS_AFTER_RE.match(text, mention.end):
        return True  # "Disease-modifying therapy status, one of the following:": a heading over the cases
    if _CAUSED_OR_INDICATED_AFTER_RE.match(text, mention.end):
        return True  # "quinidine-induced thrombocytopenia" (the cause of a condition), "any other condition in which
        # statin therapy is indicated" (what a condition calls for)
    if mention.id in _CONTRACEPTIVES and _METHOD_OF_CONTRACEPTION_RE.search(text):
        return True  # "must ... use a hormonal contraceptive, intra-uterine device or condom": a method, required
    sentence_start = max(text.rfind(". ", max(0, mention.start - 200), mention.start) + 1, mention.start - 200, 0)
    if _CONDUCT_BEFORE_RE.search(text[sentence_start:mention.start]) or _CONDUCT_AFTER_RE.match(text[mention.end:]):
        return True
    if _REGIMEN_WITH_BEFORE_RE.search(text, max(0, mention.start - 40), mention.start):
        return True  # "before the start of the mobilisation with cyclophosphamide": the study's regimen, a time point
    if _FIRST_DOSE_BEFORE_RE.search(text, max(0, mention.start - 60), mention.start) \
            and _DOSE_NOUN_AFTER_RE.match(text, mention.end):
        return True  # "for at least 60 days after the first post-partum ocrelizumab infusion": a time point to come
        # (and "until 48 months after the last alemtuzumab infusion")
    if _SOMEONE_ELSES_AFTER_RE.match(text, mention.end):
        return True  # "Exposure to AVONEX through the male partner only": the partner's treatment (or a registry's)
    if _ELIMINATION_AFTER_RE.match(text, mention.end):
        return True  # "the teriflunomide accelerated elimination procedure": a procedure, asked of every participant
    if _EVENT_REQUIRING_RE.search(text, max(sentence_start, mention.start - 120), mention.start):
        return True  # "an NMO attack requiring rescue therapy (for example IV corticosteroids)": what the attack needed
    if any(g.start() < mention.start < g.end()
           for g in _EXCEPT_WHEN_GIVEN_RE.finditer(text, sentence_start, mention.end)):
        return True  # "except when given as premedication before an infusion of ocrelizumab": what the use is for
    changes = _CHANGES_LEVELS_BEFORE_RE.search(text, max(0, mention.start - 40), mention.start)
    if _INTERACTS_WITH_RE.search(text, max(0, mention.start - 40), mention.start) or changes and (
            changes.group("levels") or _LEVELS_AFTER_RE.match(text, mention.end)):
        return True  # "drugs that interact with simvastatin: ...", "... lower teriflunomide levels": the study drug
    if _TRIAL_AFTER_RE.match(text, mention.end) or _TRIAL_ARM_BEFORE_RE.search(text[sentence_start:mention.start]):
        return True
    if _ANTIBODIES_TO_RE.search(text, max(0, mention.start - 40), mention.start) or (
            re.search(r"\banti-?\s*$", text[max(0, mention.start - 6):mention.start], re.I)
            and _ANTI_DRUG_ANTIBODY_RE.match(text, mention.end)):
        return True  # "neutralizing antibodies to interferon beta": a test result, which a person reads
    if mention.id == "gadolinium_contrast" and _IMAGING_RE.search(text):
        return True
    disorder = _SUBSTANCE_USE_RE.search(text[sentence_start:mention.start])
    if disorder and not _CLAUSE_JOIN_RE.search(text, sentence_start + disorder.end(), mention.start):
        return True  # "abuse of recreational drugs, including marijuana": a use disorder, a condition
        # (not another clause's drug: "Alcohol dependence, or regular use of a sedative or hypnotic medication")
    paren = text.rfind("(", 0, mention.start)
    return paren >= 0 and ")" not in text[paren:mention.start] and bool(
        _CONTRACEPTION_RE.search(text[max(0, paren - 30):paren]))


_WHY_CONTRAINDICATED_RE = re.compile(r"\(\s*(?:as\s+|being\s+)?(?:an?\s+)?contra[\s-]?indications?\s+(?:to|for)\s+[^()]*\)",
                                     re.I)


def _listed_contraindications(text: str, mentions) -> bool:
    """Whether every mention stands in the list after "contraindication to <procedure>:" (and no other
    not-exposure trigger governs them)."""
    listing = _CONTRAINDICATION_LIST_RE.search(text)
    if not listing:
        return False
    rest = text[listing.end():]
    return all(m.start >= listing.end() for m in mentions) and not _NOT_EXPOSURE_RE.search(rest)


def _listed_instead_of_class(text: str, included: list) -> list:
    """"one of the approved beta-interferon drugs (Avonex, Betaseron, or Rebif)", "one of the following approved
    DMTs: interferon beta-1a, ...": the drugs the parenthesis or the list after the colon names replace the class
    they belong to."""
    lexicon = get_lexicon()

    def member(o, of: str) -> bool:
        return of in (lexicon.drug_classes(o.id) if o.label == "DRUG" else lexicon.class_ancestors(o.id) - {o.id})

    keep = []
    for m in included:
        if m.label == "DRUG_CLASS":
            before = text[max(0, m.start - 40):m.start]
            # (the narrowing word may open the class's own term: "thiazide diuretics" is a synonym of diuretic)
            term = text[m.start:m.end]
            narrowed = _NARROWED_CLASS_RE.search(before) or _DEPLETING_BEFORE_RE.search(before) or (
                " " in term and _NARROWED_CLASS_RE.match(term.rsplit(None, 1)[0] + " "))
            namely = _NAMELY_RE.match(text, m.end)
            # ("anticonvulsants that induce vitamin D metabolism (phenytoin, ...)": narrowed by what they do)
            relative = _NARROWING_CLAUSE_RE.match(text, m.end)
            # ("such as the anticonvulsants phenytoin or carbamazepine": the class in apposition to its members)
            apposed = re.match(r"\s+", text[m.end:])
            apposed = apposed and any(o.start == m.end + apposed.end() and member(o, m.id) for o in included)
            if namely:
                listed = re.match(r"([^.;()]*)", text[namely.end():])
                offset = namely.end()
            elif relative or apposed:
                listed = re.match(r"([^.;()]*)", text[relative.end():]) if relative else \
                    re.match(r"([^.;()]*)", text[m.end:])
                offset = relative.end() if relative else m.end
            else:
                listed = re.match(r"[\w\s-]{0,30}?\(([^()]*)\)", text[m.end:]) or \
                    re.match(r"[^.;:()]{0,100}?:([^.;]*)", text[m.end:])
                offset = m.end
            inside = [o for o in included if listed and offset + listed.start(1) <= o.start < offset + listed.end(1)]
            examples = listed and EXAMPLES_RE.match(listed.group(1).lstrip())  # "(e.g. ...)": the class, exemplified
            restricted = namely or narrowed or relative or apposed or (_LISTED_CLASS_RE.search(before) and not examples)
            if inside and restricted and all(member(o, m.id) for o in inside):
                continue
        keep.append(m)
    return keep


def _last_or_clause(text: str, start: int, end: int, pattern: re.Pattern | None = None) -> int | None:
    """Where the last ", or" clause of its own (with its verb: ", or has received ...", ", or with ...", or any
    ", or" given ``pattern``) between ``start`` and ``end`` begins, outside parentheses (", or Rebif)" ends a list of
    examples)."""
    found = None
    for match in (pattern or _OR_CLAUSE_RE).finditer(text, start, end):
        if text.count("(", start, match.start()) == text.count(")", start, match.start()):
            found = match
    return found.start() if found else None


_OR_RE = re.compile(r",\s*or\b", re.I)
_OR_CLAUSE_RE = re.compile(r",\s*or\s+(?:has\s+|have\s+|had\s+|was\s+|been\s+)*(?:with|treated|received|receiving|"
                           r"taken|taking|used|using|exposed|on)\b", re.I)


# "Last rituximab infusion given no more than 8 weeks and no less than 4 weeks before randomization", "the most recent
# infusion given 20 to 26 weeks before Day 1", "last dose between 4 and 6 months before screening"
_LAST_DOSE_RE = re.compile(r"\b(?:last|most\s+recent|final)\s+(?:[\w-]+\s+){0,3}?(?:doses?|infusions?|injections?|"
                           r"administrations?|courses?|cycles?|treatments?)\b", re.I)
_UNIT_WORD = r"(?:days?|weeks?|months?|years?)"
_DOSE_RANGE_RE = re.compile(
    rf"\b(?:between\s+)?(?P<low>{NUM})\s*(?P<lunit>{_UNIT_WORD})?\s*(?:and|to|-|–)\s*(?P<high>{NUM})\s*"
    rf"(?P<hunit>{_UNIT_WORD})|"
    rf"\b(?:no|not)\s+(?:more|earlier)\s+than\s+(?P<high2>{NUM})\s*(?P<hunit2>{_UNIT_WORD})\s+(?:and|but)\s+(?:no|not)\s+"
    rf"(?:less|sooner|later)\s+than\s+(?P<low2>{NUM})\s*(?P<lunit2>{_UNIT_WORD})|"
    # ("no sooner than 4 months and no later than 9 months before Day 1": the same two times, the nearer first)
    rf"\b(?:at\s+least|no\s+less\s+than|more\s+than|(?:no|not)\s+(?:sooner|later)\s+than)\s+(?P<low3>{NUM})\s*"
    rf"(?P<lunit3>{_UNIT_WORD})?\s+(?:and|but)\s+"
    rf"(?:no\s+more\s+than|not\s+more\s+than|less\s+than|at\s+most|within|(?:no|not)\s+(?:earlier|later)\s+than)\s+"
    rf"(?P<high3>{NUM})\s*"
    rf"(?P<hunit3>{_UNIT_WORD})",
    re.I)


_SEVERAL_COURSES_RE = re.compile(rf"(?:\b(?P<more>more\s+than)|\bat\s+least)\s+(?P<n>{NUM})\s+(?:[\w-]+\s+){{0,2}}?"
                                 rf"(?:courses|cycles|pulses)\s+of\b", re.I)
_AT_MOST_DOSES_RE = re.compile(rf"(?:\b(?:no|not)\s+more\s+than|\bat\s+most|\ba\s+maximum\s+of|\bup\s+to|"
                               rf"\b(?:fewer|less)\s+than)\s+{NUM}\s+(?:[\w-]+\s+){{0,2}}?(?:infusions|doses|injections|"
                               rf"courses|cycles|administrations)\b", re.I)


def _last_dose_between(ctx: Context, mentions: list) -> list:
    """"The last infusion given 20 to 26 weeks before Day 1", in an inclusion: use within the longer time and none
    within the shorter (two washouts of opposite polarity; read as the longer window alone, the last days were let
    in, or the shorter alone, as a washout, it dropped the requirement)."""
    if ctx.section != "inclusion" or ctx.negated(mentions[0].start):
        return []
    last = _LAST_DOSE_RE.search(ctx.text)
    if last is None or \
            re.search(r"[.;]", ctx.text[min(last.start(), mentions[0].start):max(last.end(), mentions[-1].end)]):
        return []
    found = _DOSE_RANGE_RE.search(ctx.text, max(last.end(), mentions[-1].end))
    if found is None or re.search(r"[.;]", ctx.text[last.end():found.start()]):
        return []
    after = anchor_after(ctx.text, found.end())
    if after is None:
        return []
    anchor, anchor_end = after
    groups = {k.rstrip("23"): v for k, v in found.groupdict().items() if v}
    low, high = number(groups["low"]), number(groups["high"])
    high_unit = unit_of(groups["hunit"])
    low_unit = unit_of(groups["lunit"]) if groups.get("lunit") else high_unit
    if low >= high and low_unit == high_unit:
        return []
    for mention in mentions:
        ctx.consume(mention.start, mention.end)
    ctx.consume(*last.span())
    ctx.consume(found.start(), anchor_end)
    targets = _named(mentions)
    longer = Window(within=Duration(value=high, unit=high_unit), anchor=anchor)
    shorter = Window(within=Duration(value=low, unit=low_unit), anchor=anchor)
    return [WashoutRule(polarity="require", **targets, window=longer),
            WashoutRule(polarity="exclude", **targets, window=shorter)]


_STABLE_DOSE_RE = re.compile(r"^\(\s*(?:but\s+)?(?:an?\s+|the\s+)?stable\s+(?:dose|regimen|treatment|therapy)\b", re.I)
_CLAUSE_JOIN_RE = re.compile(r"[,;]\s*(?:and|or|but)\b|;", re.I)


def _recent_start(ctx: Context, mentions: list) -> list:
    """"Fampridine started, or its dose changed, less than 1 month before inclusion", "Initiation of an antidepressant
    within 30 days prior to screening", excluded: a start of the drug in the window (read as any use in the window, it
    excluded patients on the drug for years; it had gone to a person). A dose change goes to a person. In an inclusion
    the start is required ("Currently treated with X, started at least 3 months and no more than 12 months before
    randomisation": on it for 3 months, begun in the 12)."""
    if ctx.negated(mentions[0].start) or _if_taking(ctx.text):
        return []
    first, last = mentions[0].start, mentions[-1].end
    if SEGMENT_BREAK_RE.search(ctx.text, first, last):  # (not the dots of "e.g.")
        return []
    start = _START_WORD_RE.search(ctx.text)
    if start is None:
        return []  # (most exposures: no window search for them)
    # ("(a stable dose for at least 30 days is allowed)": what the rule says already, being on it that long)
    stable = next((p for p in _PERMISSION_PAREN_RE.finditer(ctx.text, last) if _STABLE_DOSE_RE.match(p.group(0))), None)
    permission = _PERMISSION_RE.search(ctx.text)
    windows = [w for w in find_windows(ctx.text) if not w.gap and not w.event]
    if len(windows) > 1 and not permission and context.exception_start(ctx.text) is None:
        return _recent_starts_by_clause(ctx, mentions, windows) if ctx.section == "exclusion" else []
    if len(windows) != 1 or windows[0].start < start.end() or context.exception_start(ctx.text) is not None \
            or permission and not (stable and stable.start() <= permission.start() < stable.end()):
        return []
    window = windows[0]
    if stable:
        ctx.consume(*stable.span())
    # the start is the drug's: "X started ...", "started X", "initiation of X" ("initiated or modified a
    # psychopharmacological treatment (antidepressants, ...)": the examples of what was started)
    if not (last <= start.start() and not re.search(r"[.;]|\b(?:with|and)\b", ctx.text[last:start.start()])
            or start.end() <= first and re.fullmatch(r"[\s\w,/(-]{0,60}", ctx.text[start.end():first])):
        return []
    if SEGMENT_BREAK_RE.search(ctx.text, min(start.start(), first), window.start):
        return []
    for mention in mentions:
        ctx.consume(mention.start, mention.end)
    ctx.consume(*start.span())
    ctx.consume(window.start, window.end)
    # (a stop or a switch in the window is no start: "Started, stopped or changed a DMT in the 3 months")
    ctx.unstated.extend(change.span() for change in _DOSE_CHANGE_RE.finditer(ctx.text))
    ctx.unstated.extend(change.span() for change in _STOP_OR_SWITCH_RE.finditer(ctx.text))
    if ctx.section == "exclusion":
        return [_started_within(mentions, window.window)]
    if not _PAST_START_RE.fullmatch(start.group(0)) or re.search(r",\s*or\b|\bfor\s+\W*$|\bafter\b",
                                                                  ctx.text[start.end():window.end]):
        return []  # ("Starting X at randomization, or treated with X for no more than 3 months", "to start X, with the
        # first infusion planned within 30 days after baseline": no start in a look-back window)
    rules = [_started_within(mentions, window.window, "require")]
    floor = _START_FLOOR_RE.search(ctx.text, start.end(), window.start)
    if floor:
        ctx.consume(*floor.span())
        rules.insert(0, PriorDrugRule(polarity="require", **_named(mentions), current=True,
                                      min_duration=_duration_of(floor)))
    return rules


_PAST_START_RE = re.compile(r"started|initiated|introduced|begun|began|commenced", re.I)
# "started at least 3 months and no more than 12 months before": how long ago at least, before the window's bound
_START_FLOOR_RE = re.compile(rf"\bat\s+least\s+(?P<value>{NUM})\s*(?P<unit>days?|weeks?|months?|years?)\s+(?:and|but)\s+"
                             r"(?=(?:no|not)\s+more\s+than\b)", re.I)


def _started_within(mentions: list, window: Window, polarity: str = "exclude") -> WashoutRule:
    """A start of the drugs within a window (excluded, or in an inclusion required), drug by drug (taking one for years
    does not cover another just begun)."""
    return WashoutRule(polarity=polarity, **_named(mentions), window=window, started=True)


def _recent_starts_by_clause(ctx: Context, mentions: list, windows: list) -> list:
    """"Any new DMT started less than 3 months before inclusion, or fampridine started less than 1 month before
    inclusion": each clause its drugs, its start and its window (or nothing, when a clause is not one)."""
    bounds = [0, *(m.end() for m in re.finditer(r",\s*or\s+", ctx.text)), len(ctx.text)]
    plans = []
    for lo, hi in zip(bounds, bounds[1:]):
        own = [m for m in mentions if lo <= m.start < hi]
        timed = [w for w in windows if lo <= w.start < hi]
        if not own:
            continue  # (a clause whose drugs nothing read stays for a person: "disease-modifying or symptomatic MS
            # treatment started less than 3 months before")
        if len(timed) != 1:
            return []
        # (the start after the drugs, "fampridine started ...", or before them, "any new DMT started ...")
        starts = list(_START_WORD_RE.finditer(ctx.text, lo, timed[0].start))
        start = next((w for w in starts if w.start() >= own[-1].end
                      and not re.search(r"[.;]|\b(?:with|and)\b", ctx.text[own[-1].end:w.start()])), None) or \
            next((w for w in starts if w.end() <= own[0].start
                  and re.fullmatch(r"[\s\w,/(-]{0,60}", ctx.text[w.end():own[0].start])), None)
        if start is None:
            return []
        plans.append((own, start, timed[0]))
    rules = []
    for own, start, window in plans:
        for mention in own:
            ctx.consume(mention.start, mention.end)
        ctx.consume(*start.span())
        ctx.consume(window.start, window.end)
        rules.append(_started_within(own, window.window))
    return rules


def _minimum_duration(ctx: Context, first, targets: dict, minimum: re.Match, current) -> list:
    """Exposure for at least a duration: prior_drug with ``min_duration``, current when the text says so
    ("stable therapy", "currently on"). "for at least six months prior to inclusion" is how long, not a washout."""
    untreated = _UNTREATED_ARM_RE.search(ctx.text)
    # "Stable immunomodulatory therapy, or no immunomodulatory therapy, for more than 6 months": the duration both
    # arms share, not a negated one
    # ("Stable DMT, or no DMT, during the 3 months before screening": the stability's own time, after both arms)
    shared = untreated is not None and untreated.end() <= minimum.end() and untreated.group("window") is None \
        and ctx.section == "inclusion"
    # ("must not have changed it during the 3 months": the negation is the stability's own wording)
    if not shared and context.negated_at(ctx.text, minimum.start()) and not context.negated_at(ctx.text, first.start) \
            and not _UNCHANGED_RE.search(ctx.text, first.end, minimum.start()):
        not_stable = _NOT_STABLE_RE.search(ctx.text, max(0, minimum.start() - 40), minimum.start())
        if ctx.section == "exclusion" and not_stable:
            # "Use of any of the following at a dose that has not been stable for at least 6 weeks before screening:
            # ...": on it, and not that long (an excluded all-of, as "unless on a stable dose for ..."); the stability
            # of the dose is the qualifier (a patient on it that long goes to a person, who checks the dose; one on it
            # for less is excluded, one off it passes)
            ctx.consume(not_stable.start(), minimum.end())
            return [GroupRule(mode="all", polarity="exclude", rules=[
                PriorDrugRule(polarity="require", **targets, current=True),
                PriorDrugRule(polarity="exclude", **targets, min_duration=_duration_of(minimum), current=True,
                              qualifier="at a stable dose")])]
        return []  # "whose dose has not been stable for 30 days": on it but not long enough, to a person
    duration = _duration_of(minimum)
    ctx.consume(minimum.start(), minimum.end())
    tail = re.match(rf"\s*(?:{_BEFORE_ANCHOR})", ctx.text[minimum.end():], re.I)
    if tail:
        ctx.consume(minimum.end(), minimum.end() + tail.end())
    elif anchor_after(ctx.text, minimum.end()):  # ("... for at least 3 months before the PET scan")
        ctx.consume(minimum.end(), anchor_after(ctx.text, minimum.end())[1])
    if shared:
        ctx.consume(untreated.start(), untreated.end())
        anchor = stated_anchor(ctx.text[minimum.start():]) or "screening"
        return [GroupRule(mode="any", rules=[
            PriorDrugRule(polarity="require", **targets, min_duration=duration, current=True),
            WashoutRule(polarity="exclude", **targets, window=Window(within=duration, anchor=anchor))])]
    # ("Unchanged therapy (A, B) in the 3 months": unchanged holds of a patient on none of them too)
    # (but "Currently treated with X at an unchanged dose for 12 months" requires X)
    conditional = _if_taking(ctx.text) or _MAY_BE_UNTREATED_RE.match(ctx.text) or _IF_ANY_RE.search(ctx.text) or \
        _ONLY_IF_STABLE_RE.search(ctx.text) or (not current and _UNCHANGED_RE.search(ctx.text, 0, minimum.end()))
    # ("... for at least the 12 months before randomization, with the intention of continuing it": on it now)
    # (and "for at least the 12 months before randomization": the months up to it)
    is_current = bool(current or conditional) or bool(re.search(r"\bstable\b|\bintention\s+(?:of|to)\s+continu",
                                                                ctx.text, re.I)) \
        or bool(_TREATMENT_LEAD_RE.fullmatch(ctx.text, 0, first.start)) \
        or bool(re.search(rf"\bthe\s+(?:(?:last|past|previous|preceding)\s+)?{NUM}", minimum.group(0), re.I))
    if current:
        ctx.consume(current.start(), current.end())
    rule = PriorDrugRule(polarity=ctx.base_polarity(first.start), **targets, min_duration=duration, current=is_current)
    untreated = _UNTREATED_ARM_RE.search(ctx.text)
    if untreated and ctx.section == "inclusion":
        # "... or no therapy for six months": the alternative of an untreated patient (no MS therapy in that time);
        # "or not on any DMT", "(or no treatment)": not on one now
        ctx.consume(untreated.start(), untreated.end())
        found = next((w for w in find_windows(ctx.text) if untreated.start() <= w.start < untreated.end()), None)
        same = _SAME_PERIOD_RE.match(ctx.text, untreated.end())
        no_therapy = WashoutRule(polarity="exclude", classes=["dmt"], window=_inherit_anchor(ctx.text, found)) \
            if found else PriorDrugRule(polarity="exclude", **targets, current=True)
        if same and not found:
            # "..., or no DMT during that period": none in the time the stability is asked for
            ctx.consume(*same.span())
            no_therapy = WashoutRule(polarity="exclude", **targets, window=Window(
                within=duration, anchor=stated_anchor(ctx.text) or "screening"))
        return [GroupRule(mode="any", rules=[rule.model_copy(update={"polarity": "require"}), no_therapy])]
    if conditional and ctx.section == "inclusion":
        ctx.consume(conditional.start(), conditional.end())
        not_on = PriorDrugRule(polarity="exclude", **targets, current=True)
        untreated_clause = _NOT_TAKING_CLAUSE_RE.search(ctx.text, minimum.end())
        gap = next((w for w in find_windows(ctx.text) if untreated_clause and w.start > untreated_clause.end()
                    and not re.search(r"[.;]", ctx.text[untreated_clause.end():w.start])), None)
        same = _BACK_TO_PERIOD_RE.search(ctx.text, untreated_clause.end()) if untreated_clause else None
        if gap is not None and not gap.gap:
            # "...; participants who are not taking a DMT must not have taken one during the 6 months before
            # baseline": the untreated arm is no DMT in that window
            ctx.consume(untreated_clause.start(), gap.end)
            not_on = WashoutRule(polarity="exclude", **targets, window=gap.window)
        elif gap is None and same and not re.search(r"[.;]", ctx.text[untreated_clause.end():same.start()]):
            # ("..., and participants who are untreated must not have received any DMT during those 3 months")
            ctx.consume(untreated_clause.start(), same.end())
            anchor = stated_anchor(ctx.text[minimum.start():]) or "screening"
            not_on = WashoutRule(polarity="exclude", **targets, window=Window(within=duration, anchor=anchor))
        elif conditional.re is _MAY_BE_UNTREATED_RE and _SHARED_TAIL_RE.search(ctx.text, conditional.end(),
                                                                                  minimum.end()):
            # "Either no DMT, or the same DMT without interruption, for at least the 6 months before screening": the
            # duration set off after both arms is theirs, so the untreated arm has had no DMT in those months
            anchor = stated_anchor(ctx.text[minimum.start():]) or "screening"
            not_on = WashoutRule(polarity="exclude", classes=["dmt"], window=Window(within=duration, anchor=anchor))
        elif conditional.re in (_MAY_BE_UNTREATED_RE, _IF_ANY_RE) and _UNCHANGED_RE.search(ctx.text, 0, minimum.end()):
            # "may be untreated or on a DMT, provided there has been no change in DMT during the 3 months": a stop
            # in those months is a change too, so the untreated have had no DMT in them
            # (and "Disease-modifying treatment, if any, unchanged for the last 6 months": none of it in them)
            anchor = stated_anchor(ctx.text[minimum.start():]) or "screening"
            washed = {"classes": ["dmt"]} if conditional.re is _MAY_BE_UNTREATED_RE else targets
            not_on = WashoutRule(polarity="exclude", **washed, window=Window(within=duration, anchor=anchor))
        return [GroupRule(mode="any", rules=[not_on, rule.model_copy(update={"polarity": "require"})])]
    unless = _UNLESS_STABLE_RE.search(ctx.text, 0, minimum.end())
    if unless and ctx.section == "exclusion":
        # "Current use of X, unless on a stable dose for at least 3 months": on it, and not that long (read as one
        # exclusion of the duration, it excluded those stable on it and let in those who just started)
        ctx.consume(*unless.span())
        on = PriorDrugRule(polarity="require", **targets, current=True)
        # ("Use of X within the 14 days before baseline, except a stable dose for at least 3 months": used in
        # that window, and not that long)
        used = next((w for w in find_windows(ctx.text) if w.end <= unless.start() and not w.gap and not w.event), None)
        if used is not None:
            ctx.consume(used.start, used.end)
            on = WashoutRule(polarity="require", **targets, window=used.window)
        return [GroupRule(mode="all", polarity="exclude", rules=[
            on, rule.model_copy(update={"polarity": "exclude", "current": True})])]
    return [rule]


# (", for at least the 6 months" after the treated arm: a duration both arms share; compile's either/or reads it too)
SHARED_DURATION = (r",\s*(?:for|during|over|in)\s+(?:at\s+least\s+|a\s+minimum\s+of\s+)?(?:the\s+)?"
                   r"(?:(?:last|past|previous|preceding)\s+)?")
_SHARED_TAIL_RE = re.compile(SHARED_DURATION + r"\S+\s+\w+$", re.I)
# "...; participants who are not taking a DMT must not have ...": the untreated arm's own sentence (or clause: ", and
# those not on a DMT must not have taken one during the 6 months")
_NOT_TAKING_CLAUSE_RE = re.compile(r"(?:[;.]|,\s*(?:and|while|whereas)\b)\s*(?:(?:the\s+)?(?:patients?|participants?|subjects?|those)\s+)?"
                                   r"(?:who\s+(?:are|is)\s+)?(?:not\s+(?:currently\s+)?(?:taking|on|receiving|using|"
                                   r"treated\s+with)|untreated)\b", re.I)
# ("no modification of the treatment in the 6 months": unchanged)
_UNCHANGED_RE = re.compile(r"\bunchanged\b|\bno\s+(?:change|modification|alteration)s?\s+(?:of|in|to)\b|"
                           r"\bnot\s+(?:have\s+|has\s+)?(?:been\s+)?(?:changed|modified|switched)\b", re.I)
_ONLY_IF_STABLE_RE = re.compile(_ONLY_IF_STABLE, re.I)
# (and "Patients on X may take part only if the dose has been stable for at least 4 weeks", a permission in an
# exclusion list)
_NOT_STABLE_RE = re.compile(r"\b(?:has|have)\s+not\s+been\s+(?:stable|unchanged|constant)\b", re.I)
_UNLESS_STABLE_RE = re.compile(r"\b(?:unless|except(?:\s+for)?|other\s+than|apart\s+from)\s+(?:\w+\s+){0,4}?(?:on\s+)?"
                               r"(?:a\s+)?stable\b|" + _ONLY_IF_STABLE, re.I)


def minimum_duration(text: str) -> Optional[Duration]:
    """How long a treatment a text asks for has lasted ("Currently treated with one of the following DMTs, without
    interruption, for more than 6 months before ...:"), else None."""
    found = _MIN_DURATION_RE.search(text)
    return _duration_of(found) if found else None


def _duration_of(match: re.Match) -> Duration:
    groups = match.groupdict()
    value = next(v for k, v in groups.items() if k.startswith("value") and v)
    unit = next(v for k, v in groups.items() if k.startswith("unit") and v)
    return Duration(value=1 if value.lower() in ("a", "an") else number(value), unit=unit_of(unit))


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _modifier_across_parenthesis(text: str, mention):
    """"systemic (IV, PO or IM) corticosteroid treatment", "systemic high-dose corticosteroid therapy": the modifier
    before the parenthesis or the dose still names the class when "systemic corticosteroid treatment" is a lexicon
    term."""
    before = re.search(r"([A-Za-z][\w-]+)\s*(?:\([^()]{1,40}\)|\b(?:high|low)[\s-]+dose\b)\s*$",
                       text[max(0, mention.start - 60):mention.start])
    # "Corticosteroid use (IV or oral)": routes that reach the whole body name the systemic class
    routes = _SYSTEMIC_ROUTES_RE.match(text, mention.end)
    if not before and not routes:
        return mention
    kind = "drug_classes" if mention.label == "DRUG_CLASS" else "drugs"
    found = get_lexicon().lookup(kind, f"{before.group(1) if before else 'systemic'} {mention.text}", fuzzy=False)
    if not found:
        return mention
    # the routes that make it systemic are read with it
    return replace(mention, id=found.entry.id, end=routes.end() if routes and not before else mention.end)


_ROUTE = r"(?:IV|i\.v\.|intravenous(?:ly)?|oral(?:ly)?|PO|p\.o\.|IM|intramuscular(?:ly)?)"
_ROUTES = rf"{_ROUTE}(?:\s*(?:,|/|or|and)\s*{_ROUTE})*"
# "(IV or oral)", "(30 or more consecutive days) by the intravenous or oral route"
_SYSTEMIC_ROUTES_RE = re.compile(rf"\s*(?:use|treatment|therapy|administration)?\s*(?:\(\s*{_ROUTES}\s*\)|"
                                 rf"(?:\([^()]{{1,60}}\)\s*)?(?:by|via)\s+(?:the\s+)?{_ROUTES}\s+routes?\b)", re.I)
# (the period the sentence named before: "during those 3 months", "in that period")
_BACK_TO_PERIOD_RE = re.compile(rf"\b(?:during|in|over|for|within)\s+(?:those|these|that|the\s+same|this)\s+"
                                rf"(?:(?:{NUM}\s+)?(?:days|weeks|months|years)|period|time|interval)\b", re.I)
# "... or no therapy for six months", "or not on any disease-modifying therapy", "(or no treatment)"
_SAME_PERIOD_RE = re.compile(r"\s+(?:during|in|over|for|within)\s+(?:that|the\s+same|this)\s+(?:period|time|interval)\b", re.I)
_STABLE_OVER_RE = re.compile(rf"\bstable\s+(?:course|dose|regimen|use|treatment|therapy)\b[^.;()]{{0,80}}?\b(?:over|during|in|for)\s+"
                             rf"the\s+(?:last|past|previous|preceding)\s+"
                             rf"(?P<value>{NUM}|an?)\s*{_DURATION_UNIT}", re.I)
_UNTREATED_ARM_RE = re.compile(rf"\bor\s+(?:no|without(?:\s+any)?|not\s+on\s+any|not\s+(?:receiving|taking)\s+any)\s+"
                               # ("or no interferon beta therapy"; not "or no change in therapy")
                               rf"(?:(?!(?:change|dose|plan|modif|increase|interruption|gap|new)\w*\b)[\w-]+\s+){{0,3}}?"
                               rf"(?:therapy|therapies|treatment|drug|DMT|medication|medicine|agent)s?"
                               rf"(?P<window>\s+(?:for|in|during|within)\s+(?:the\s+(?:last|past|previous)\s+)?"
                               rf"{NUM}\s*{_DURATION_UNIT})?", re.I)
_BEFORE = r"(?:prior\s+to|before|preceding)\b"
_BEFORE_ANCHOR = r"(?:prior\s+to|before|preceding)\s+(?:the\s+)?(?:inclusion|enrol\w*|entry|screening|baseline|" \
                 r"randomi[sz]ation|(?:the\s+)?(?:initial|first)\s+visit|study\s+(?:entry|start))(?:\s+(?:in|into)\s+" \
                 r"(?:the\s+)?(?:study|trial))?"
# "Previous treatment prior to study entry as follows: ... within prior nine months": the window's anchor is
# the one the criterion states once for all its windows.
_STATED_ANCHOR_RE = re.compile(r"(?:prior\s+to|before)\s+(?P<anchor>(?:the\s+)?(?:study\s+entry|entry\s+into\s+the\s+"
                               r"(?:study|trial)|enrol\w*|randomi[sz]ation|baseline|first\s+dose|inclusion))", re.I)


def _inherit_anchor(text: str, found) -> Window:
    window = found.window
    if window.anchor != "screening":
        return window
    names_screening, stated = _stated_anchors(text)
    if names_screening or re.match(rf"[^.;]{{0,15}}?(?:{_BEFORE_ANCHOR}|of\s+)", text[found.end:], re.I):
        return window
    return window.model_copy(update={"anchor": next(iter(stated))}) if len(stated) == 1 else window


@lru_cache(maxsize=8)
def _stated_anchors(text: str) -> tuple[bool, frozenset]:
    """Whether the criterion names screening, and the anchors it states for its windows (read once per text)."""
    return (re.search(r"screening|initial\s+visit|first\s+visit", text, re.I) is not None,
            frozenset(anchor_of(m.group("anchor")) for m in _STATED_ANCHOR_RE.finditer(text)))


def _ids(mentions) -> list[str]:
    return list(dict.fromkeys(m.id for m in mentions))


_EXCEPTED_JOIN_RE = re.compile(r"[\s,]*(?:(?:or|and|and/or|nor)\s+)?(?:the\s+|any\s+)?")


_NAIVE_OR_AFTER_RE = re.compile(r"[\s-]+(?:treatment[\s-]+)?na[iï]ve\s*,?\s*or\b", re.I)
_NAIVE_TO_BEFORE_RE = re.compile(r"\bna[iï]ve\s+(?:to|for)\s+(?:any\s+|all\s+)?(?:previous\s+|prior\s+)?$", re.I)
_OR_TREATED_ONLY_RE = re.compile(r"\s*(?:\([^()]{1,20}\))?\s*,?\s*or\s+(?:(?:must\s+)?(?:have|has)\s+been\s+|been\s+)?"
                                 r"(?:previously\s+)?(?:treated|exposed)\s+only\s+(?:with|to)\b", re.I)


def _naive_or_listed(ctx: Context, mentions: list) -> list:
    """"Disease-modifying therapy naive, or switching after one of the following DMTs: A, B or C", in an inclusion:
    none of the class, or only the members listed; any other member excludes. (Read as exposure to the class it
    excluded the naive patients the criterion names first.)"""
    if ctx.section != "inclusion":
        return []
    lexicon = get_lexicon()
    naive = next((m for m in mentions if m.label == "DRUG_CLASS" and _NAIVE_OR_AFTER_RE.match(ctx.text, m.end)), None)
    opener = _NAIVE_OR_AFTER_RE.match(ctx.text, naive.end) if naive else _BARE_NAIVE_OR_RE.match(ctx.text)
    current = False
    if opener is None:
        # "either naive to disease-modifying therapy or have been treated only with interferon beta and/or glatiramer
        # acetate": the same, the class after "naive to"
        naive = next((m for m in mentions if m.label == "DRUG_CLASS" and _OR_TREATED_ONLY_RE.match(ctx.text, m.end)
                      and _NAIVE_TO_BEFORE_RE.search(ctx.text, max(0, m.start - 40), m.start)), None)
        opener = _OR_TREATED_ONLY_RE.match(ctx.text, naive.end) if naive else None
    if opener is None:
        # "must either be receiving no disease-modifying therapy (DMT) at screening or be treated with interferon
        # beta": none of the class now, or only the members named (read as one list, interferon users were excluded)
        naive = next((m for m in mentions if m.label == "DRUG_CLASS"
                      and _RECEIVING_NO_RE.search(ctx.text, max(0, m.start - 30), m.start)
                      and _NONE_OR_AFTER_RE.match(ctx.text, m.end)), None)
        opener = _NONE_OR_AFTER_RE.match(ctx.text, naive.end) if naive else None
        current = True
    if opener is None:
        return []
    # "Untreated, or treated only with ...": in an MS trial the treatment one is naive to is disease-modifying
    naive_id = naive.id if naive else "dmt"
    listed = [m for m in mentions if m.start >= opener.end() and m.id != naive_id and naive_id in (
        lexicon.drug_classes(m.id) if m.label == "DRUG" else lexicon.class_ancestors(m.id))]
    if not listed:
        return []
    for m in [*([naive] if naive else []), *listed]:
        ctx.consume(m.start, m.end)
    ctx.consume(*opener.span())
    allowed = [d for m in listed for d in ([m.id] if m.label == "DRUG" else lexicon.class_members(m.id))]
    return [PriorDrugRule(polarity="exclude", classes=[naive_id], except_drugs=list(dict.fromkeys(allowed)),
                          current=current)]


# "for at least 6 months prior to screening": the words up to the time point the duration counts back from
_UP_TO_ANCHOR_RE = re.compile(rf"[^,;.]*?\b{_BEFORE}\s+\S+|")
_RECEIVING_NO_RE = re.compile(r"\b(?:receiving|taking|on|using)\s+no\s+$", re.I)
_NONE_OR_AFTER_RE = re.compile(r"(?:\s*\([^()]{1,20}\))?[^;.()]{0,40}?\bor\s+(?:be\s+)?(?:currently\s+)?(?:treated\s+with|"
                               r"on|receiving|taking|using)\b", re.I)


_PLAN_CLAUSE_RE = re.compile(r",?\s*(?:and|or)\s+(?:(?:is|are)\s+)?(?:not|no)\s+(?:planning|plans?|intending|intention)\s+to\s+"
                             r"(?:start|begin|initiate|change|switch)\b[^.;]*", re.I)
# "Patients naive to any disease-modifying treatment, who are candidates to start interferon beta-1b": never treated
# with the class; the drug to start is the study's plan, no exposure
_NAIVE_TO_RE = re.compile(r"\bna[iï]ve\s+(?:to|for)\s+(?:any\s+|all\s+)?(?:previous\s+|prior\s+)?", re.I)
_PLAN_TO_START_RE = re.compile(r"\b(?:candidates?\s+(?:to|for)|eligible\s+(?:to|for)|scheduled\s+to|planned\s+to|"
                               r"about\s+to|intend(?:s|ing)?\s+to)\s+(?:start|begin|initiate|receive|be\s+treated\s+with)?\s*"
                               r"(?:treatment\s+with\s+|therapy\s+with\s+)?", re.I)


_OR_TREATED_RE = re.compile(r"\bor\s+(?:(?:must|have|has|had|been|previously|was|were)\s+)*(?:treated|exposed|received|"
                            r"taking|on)\b", re.I)


def _naive_to(ctx: Context, mentions: list) -> list:
    lead = _NAIVE_TO_RE.search(ctx.text)
    if lead is None or ctx.section != "inclusion" or ctx.negated(lead.start()) or _OR_TREATED_RE.search(ctx.text, lead.end()):
        return []  # ("naive to teriflunomide, or treated with it for less than 3 months": an any-of, read elsewhere)
    named = [m for m in mentions if m.start == lead.end()]
    plan = _PLAN_TO_START_RE.search(ctx.text, lead.end())
    planned = [m for m in mentions if plan and m.start == plan.end()]
    if not named or any(m not in named and m not in planned for m in mentions):
        return []
    for m in mentions:
        ctx.consume(m.start, m.end)
    ctx.consume(*lead.span())
    if plan:
        ctx.consume(*plan.span())
    return [PriorDrugRule(polarity="exclude", **_named(named))]


_TREATMENT_NAIVE_RE = re.compile(r"\b(?:treatment|therapy)[\s-]+na[iï]ve\b(?!\s+(?:to|for|with)\b)(?!\s*,?\s*or\b)", re.I)
_BARE_NAIVE_OR_RE = re.compile(r"^\s*(?:(?:treatment|therapy|DMT)[\s-]+)?(?:untreated|na[iï]ve)\s*,?\s*or\s+(?:previously\s+)?"
                               r"(?:treated|exposed)\s+(?:only\s+)?(?:with|to)\b", re.I)


def _excepted_drugs(text: str, mentions, targets: list) -> list[str]:
    """The drugs an exception names. A class excepted right after its trigger ("other than interferon beta or
    glatiramer acetate") is its member drugs of the rule's classes, since a patient's treatment is a drug (the class
    id matched no treatment, so the exception excepted nothing); a class further on ("..., or with any other DMT")
    is another clause's."""
    lexicon = get_lexicon()
    trigger = context.exception_trigger(text)
    at = trigger.end() if trigger else None
    covered = {d for c in (m.id for m in targets if m.label == "DRUG_CLASS") for d in lexicon.class_members(c)}
    out = []
    for m in sorted(mentions, key=lambda m: m.start):
        joined = at is not None and m.start >= at and _EXCEPTED_JOIN_RE.fullmatch(text, at, m.start)
        if m.label == "DRUG":
            out.append(m.id)
        elif joined:
            out.extend(d for d in lexicon.class_members(m.id) if d in covered)
        at = m.end if joined or m.label == "DRUG" else None
    return list(dict.fromkeys(out))


def _named(mentions) -> dict[str, list[str]]:
    """The ``drugs`` and ``classes`` fields of a rule on these mentions."""
    return {"drugs": _ids(m for m in mentions if m.label == "DRUG"),
            "classes": _ids(m for m in mentions if m.label == "DRUG_CLASS")}


_LIVE_VACCINE_RE = re.compile(r"live(?:[\s-]+\(?attenuated\)?|\s+(?:or|and/or|and)\s+(?:live[\s-]+)?attenuated)?\s+"
                              r"(?:(?:virus|viral|bacterial)\s+(?:(?:or|and/or|and)\s+(?:virus|viral|bacterial)\s+)?)?vaccin\w*|"
                              # "any other live or inactivated vaccine": the live ones a rule, the others a person
                              r"live\s+(?:or|and/or|and)\s+(?:inactivated|killed|non-?live)\s+vaccin\w*|"
                              r"vaccin\w*\s+with\s+(?:a\s+)?live", re.I)


def extract_live_vaccine(ctx: Context) -> list:
    match = _LIVE_VACCINE_RE.search(ctx.text)
    if not match:
        return []
    windows = find_windows(ctx.text)
    other = re.search(r"\b(?:inactivated|killed|non-?live)\b", match.group(0), re.I)
    if other:  # "live or inactivated vaccine": the inactivated ones are read by a person
        ctx.consume(match.start(), match.start() + other.start())
        ctx.consume(match.start() + other.end(), match.end())
        ctx.unstated.append((match.start() + other.start(), match.start() + other.end()))
    else:
        ctx.consume(match.start(), match.end())
    window = windows[0] if windows else None
    if window:
        ctx.consume(window.start, window.end)
    end = match.end()
    noun = None if re.search(r"vaccin\w*$", match.group(0), re.I) else _VACCINE_NOUN_AFTER_RE.match(ctx.text, end)
    if noun:  # "Vaccination with a live or live-attenuated vaccine (including ...)": the examples follow the noun
        end = noun.end()
        ctx.consume(match.end(), end)
    examples = _VACCINE_EXAMPLES_RE.match(ctx.text, end)
    if examples:  # "including but not limited to varicella zoster, oral polio": live vaccines, all covered
        ctx.consume(examples.start(), examples.end())
    rule = LiveVaccineRule(polarity=ctx.base_polarity(match.start(), window), window=window.window if window else None)
    planned = _PLANNED_DURING_RE.search(ctx.text, match.end())
    if planned:  # "..., or planned during the study": what is to come, a person asks
        ctx.consume(*planned.span())
        ctx.unstated.append(planned.span())  # (what else is left unread is reported too)
        return [rule, ManualReviewRule(polarity=rule.polarity, category="partial",
                                       why=f"a live vaccine to come: '{' '.join(planned.group(0).split())}'")]
    return [rule]


_PLANNED_DURING_RE = re.compile(r"\b(?:planned|scheduled|anticipated|expected|intended|plans?\s+to\s+receive)\b[^.;]{0,40}?"
                                r"\b(?:during|in\s+the\s+course\s+of|throughout)\s+(?:the\s+)?(?:study|trial|treatment)", re.I)


_VACCINE_NOUN_AFTER_RE = re.compile(r"[^.;()]{0,40}?\bvaccin\w*", re.I)
_VACCINE_EXAMPLES_RE = re.compile(r"[\s,(]*(?:vaccines?\s*)?(?:including(?:,?\s+but\s+not\s+limited\s+to)?|e\.?\s?g\.?|"
                                  r"such\s+as)[\s:,]*[^.;()]*?(?=,?\s*(?:within|in\s+the|during|prior|before|\d)\b|[.;)]|$)",
                                  re.I)
_INVESTIGATIONAL_RE = re.compile(
    r"investigational\s+(?:agent|drug|medication|medicinal\s+product|product|therapy|treatment|compound)s?|"
    r"experimental\s+(?:therap(?:y|ies)|drugs?|agents?|treatments?|procedures?|interventions?)|"
    # ("another diet, exercise or drug trial")
    r"(?:another|other|any\s+other)\s+(?!than\b)(?:[\w-]+,?\s+){0,5}?(?:clinical\s+)?(?:trial|study|research\s+study)|"
    r"participat\w+\s+in\s+(?:an?\s+)?(?:\w+\s+){0,2}(?:clinical\s+)?(?:trials?|stud(?:y|ies)|research)|"
    r"(?:simultaneous|concurrent|parallel)\s+participation|participant\s+in\s+(?:an)?other", re.I)


def _unbracketed(text: str, position: int) -> str:
    """The sentence of ``position`` without the parentheses it is not in: "(enrolment in observational registries is
    allowed)" permits what it names, not the trial participation the sentence excludes."""
    open_at = enclosing_paren(text, position)
    sentence = _sentence_of(text, position)
    return sentence if open_at is not None else re.sub(r"\([^()]*\)", " ", sentence)


def _sentence_of(text: str, position: int) -> str:
    start = max(text.rfind(". ", 0, position) + 1, 0)
    end = text.find(". ", position)
    return text[start:end if end >= 0 else len(text)]


# "for 6 months after stopping investigational drug": the product dates a later period, it is not an exposure.
# ("from the day of the first administration of the investigational product": the same)
_AFTER_PRODUCT_RE = re.compile(r"(?:\b(?:after|following)\s+(?:stopping|discontinu\w+|cessation\s+of|completion\s+of)|"
                               r"\b(?:first|last|final)\s+(?:dose|administration|infusion|injection)\s+of)"
                               r"\s+(?:the\s+|any\s+)?$", re.I)


# "methods of contraception for those participating in clinical studies": people in trials in general
_GENERIC_PARTICIPANTS_RE = re.compile(r"\b(?:for|of|by|among)\s+(?:those|persons|people|individuals)\s+(?:who\s+are\s+)?$",
                                      re.I)


_AT_THE_TIME_RE = re.compile(r"\bat\s+the\s+time\s+of\s+(?P<a>inclusion|enrol?ment|screening|randomi[sz]ation|baseline)\b",
                             re.I)


_CURRENT_BEFORE_RE = re.compile(r"\b(?:current(?:ly)?|concurrent|ongoing)\s+(?:[\w-]+\s+){0,3}$", re.I)


def extract_investigational(ctx: Context) -> list:
    anchors = [(w.start, w.end) for w in find_windows(ctx.text)]  # "prior to the first dose of investigational product"
    match = next((m for m in _INVESTIGATIONAL_RE.finditer(ctx.text)
                  if not any(s <= m.start() < e for s, e in anchors)
                  and not _PERMISSION_RE.search(_unbracketed(ctx.text, m.start()))
                  and not _AFTER_PRODUCT_RE.search(ctx.text[max(0, m.start() - 50):m.start()])
                  and not _GENERIC_PARTICIPANTS_RE.search(ctx.text[max(0, m.start() - 40):m.start()])), None)
    # this trial's own product, a named study ("the pilot study of lipoic acid"), not any other trial
    if not match or re.search(r"(?:this|the)\s+(?:\w+\s+){0,2}?(?:study|trial)", match.group(0), re.I) or \
            re.search(r"hypersensitiv|allerg|excipient", ctx.text, re.I):
        return []  # this trial's own product, a permission ("... was not exclusionary"), an allergy
    since = SINCE_STUDY_EVENT_RE.search(ctx.text, match.end())
    if since:
        # "... or investigational drug, since the last visit of the parent study": no date to count from
        ctx.consume(match.start(), match.end())
        return [ManualReviewRule(polarity=ctx.base_polarity(match.start()), category="partial",
                                 why=f"an investigational drug {' '.join(since.group(0).split())}: a person checks it")]
    windows = [w for w in find_windows(ctx.text) if not ctx.is_consumed(w.start)]
    extra = []
    for_ms = _FOR_MS_AFTER_RE.match(ctx.text, match.end())
    other = next(_INVESTIGATIONAL_RE.finditer(ctx.text, for_ms.end()), None) if for_ms else None
    if other and any(w.start < other.start() for w in windows) and any(w.start > other.end() for w in windows):
        # "An investigational drug for MS within 1 year before screening, or any other investigational drug within 30
        # days": the rule cannot tell a drug for MS from others; any drug's window is the rule, the longer one for MS
        # a person's (read as one rule of 1 year, a non-MS drug 2 months ago excluded the patient the text admits)
        own = [w for w in windows if w.start < other.start()]
        clause = ctx.text[match.start():own[-1].end]
        extra = [ManualReviewRule(polarity=ctx.base_polarity(match.start()), category="partial",
                                  why=f"{' '.join(clause.split())} (the rule cannot tell a drug for MS from others)")]
        for w in own:
            ctx.consume(w.start, w.end)
        ctx.consume(match.start(), other.start())
        windows = [w for w in windows if w.start > other.end()]
    for also in _INVESTIGATIONAL_RE.finditer(ctx.text, match.start()):  # "investigational drug or experimental procedure"
        ctx.consume(also.start(), also.end())
    for allowed in re.finditer(r"\([^()]*\)", ctx.text):
        if _PERMISSION_RE.search(allowed.group(0)) and not allowed.start() <= match.start() < allowed.end():
            ctx.consume(*allowed.span())  # "(enrolment in observational registries is allowed)": what it leaves out
    found = windows[0] if windows else None
    if found and _CURRENT_BEFORE_RE.search(ctx.text, max(0, match.start() - 40), match.start()) and \
            re.search(r",\s*(?:or|and)\b", ctx.text[match.end():found.start]) and \
            not _INVESTIGATIONAL_RE.search(ctx.text, match.end(), found.start) and \
            not re.search(r"\b(?:participat\w*|enrol\w*|trials?|one)\b", ctx.text[match.end():found.start], re.I):
        found = None  # "Current participation in another study, or supervised training in the past 6 months": the
        # window is the next clause's (not "..., or participation in one within 6 months")
    window = found.window if found else None
    if found:
        ctx.consume(found.start, found.end)
    elif re.search(r"\bcurrent(?:ly)?\b|\bconcurrent\b|\bongoing\b|\bsimultaneous\b|\bis\s+a\s+participant\b|"
                   # "another trial during the study period": from now on, so now
                   r"\b(?:during|throughout)\s+(?:the\s+)?(?:study|trial)(?:\s+period)?\b|"
                   r"\b(?:(?:is|are)\s+)?(?:participating|taking\s+part|enrolled)\s+in\b", ctx.text, re.I) \
            and not re.search(r"\bprevious|\bprior\b|\bever\b", ctx.text, re.I):
        window = Window(within=Duration(value=0, unit="days"))
    else:
        at = _AT_THE_TIME_RE.search(ctx.text)
        if at:  # "Participation in another interventional study at the time of inclusion": now, at that visit
            window = Window(within=Duration(value=0, unit="days"), anchor=anchor_of(at.group("a")))
            ctx.consume(at.start(), at.end())
    half_lives = HALF_LIVES_RE.search(ctx.text)
    if half_lives:
        within = window.within if window else Duration(value=0, unit="days")
        anchor = half_lives_anchor(ctx.text, half_lives)
        window = Window(within=within, anchor=anchor or (window.anchor if window else "screening"),
                        half_lives=int(number(half_lives.group("value"))))
        ctx.consume(half_lives.start(), half_lives.end())
    return [InvestigationalRule(polarity=ctx.base_polarity(match.start(), found), window=window), *extra]


_FOR_MS_AFTER_RE = re.compile(r"\s*(?:for|to\s+treat)\s+(?:the\s+treatment\s+of\s+)?(?:MS|multiple\s+sclerosis)\b", re.I)
