"""Conditions: comorbidities and history, with exceptions, timing and windows.

How registry language is read (each with tests in ``tests/test_conditions.py``; the annotation policy is
the same one ``tests/gold/README.md`` states):

- **General term and examples.** "Pulmonary conditions, including asthma, emphysema" and "bleeding disorder
  (e.g., haemophilia)" mean the general term: the lexicon hierarchy covers the examples, and an example
  outside it is added ("abuse of recreational drugs, including marijuana and alcohol" adds alcohol abuse).
  When the general term is qualified ("major psychiatric illness (e.g. schizophrenia)", "disorders which
  may mimic MS including ...") or an example narrows it ("poorly controlled asthma", "and other significant
  pulmonary disorders", "coronary stent implanted within 8 weeks"), the general term cannot be stated as a
  rule and the examples stand on their own.
- **Qualifiers.** A judgement word ("severe", "significant", "uncontrolled", "major", "certain", "stable")
  withdraws what it governs: the condition it precedes, a coordinated pair ("poorly controlled epilepsy or
  seizures", not "uncontrolled psoriasis, HIV"), modifiers sharing a head ("serious cardiac, pulmonary or
  renal disease") and the examples of a general term it qualifies ("severe cardiovascular disorder, such
  as ..."). A relational qualifier ("which may mimic MS", "interfering with", "requiring hospitalisation",
  "rendering ... unable") withdraws the term it follows, not the examples that term is given.
- **Not the patient's condition:** what a treatment is for or acts on, what something may affect or cause,
  what to abstain from, the name of a scale or equation, a site-limited form ("puncture site infection"),
  the cause of another condition ("not due to stroke"), family history (unless "history or family history
  of"). Qualified or causal mentions left out make the criterion partial however short it is.
- **Exceptions** ("other than", "except", "aside from MS") reach to the end of their parenthesis or
  sentence and are kept only where they fall under a listed condition; "other autoimmune diseases" in an
  MS trial excepts MS; a sentence allowing a resolved past case ("prior hepatitis infection ... confirmed
  as resolved are not excluded") makes the rule about current disease.
- **Timing:** "history of", "previous", "pre-existing" (or a lifelong allergy) between the previous condition
  and this one mean ever, and carry on to the next; otherwise now ("known active infection or history of
  chronic infection" gives two rules). A look-back window states the timing itself; with two or more windows,
  each list item keeps its own ("coronary stent implanted within 8 weeks"). A rule another one of the
  criterion covers is left out.
- **Polarity** comes from the first condition; one with a negation of its own ("HIV, but no history of
  hepatitis B") makes a rule of the other polarity. **Antonyms** ("must be fully immunocompetent") state the
  condition with the polarity reversed.
"""

from __future__ import annotations

import re
from collections import defaultdict
from bisect import bisect_right
from functools import lru_cache
from typing import Optional

from ...lexicon import get_lexicon
from ...models.rules import ConditionRule, Duration, GroupRule, Window
from .. import context
from ..context import Context
from ..nlp import Entity, kinds_listed_after
from ..quantities import NUM, find_windows, number, unit_of
from .condition_wording import (CAUSE_BEFORE_RE, CAUSED_BY_AFTER_RE, SINCE_STUDY_EVENT_RE, DEFINED_BY_MEASURE_RE, EITHER_EYE_RE, EXAMPLES_RE,
                                NEW_NOUN_PHRASE_RE, SCORE_DEFINED_RE, SEGMENT_BREAK_RE, ExampleList, closing, complete_term,
                                enclosing_paren, item_end, not_conditions, qualified, segment_end, segment_start)

_OTHER_BEFORE_RE = re.compile(r"\bother\s+(?:[\w-]+\s+){0,2}$", re.I)
_MS_RE = re.compile(r"\s*(?:MS|multiple\s+sclerosis)\b", re.I)

# ("anamnesis": the history, in translated wording, "suicide attempts in the anamnesis")
_HISTORY_RE = re.compile(r"\bhistory\b|\bprevious(?:ly)?\b|\bprior\b|\bever\b|\bpast\b|\bpre-?existing\b|\bearlier\b|\blifetime\b|"
                         r"\banamnes[ie]s\b", re.I)
_HISTORY_AFTER_RE = re.compile(r"\bhistory\b|\bpreviously\b|\bever\b|\bin\s+the\s+past\b|\bearlier\b|\bat\s+any\s+time\b|"
                               r"\banamnes[ie]s\b|"
                               r"\b(?:current|present)\s+or\s+past\b|\bpast\s+or\s+(?:current|present)\b", re.I)
# "Active deep vein thrombosis or pulmonary embolism, or a history of these conditions": the history of the ones named
_HISTORY_OF_THESE_RE = re.compile(r"\s*,?\s*(?:or|and/or)\s+(?:a\s+)?(?:(?:past|previous|prior)\s+)?history\s+"
                                  r"(?:thereof|of\s+(?:(?:any\s+|either\s+|one\s+)?of\s+)?(?:these|those|such|them|"
                                  r"this|it|the\s+same)\b)", re.I)
# Allergies and hypersensitivities are lifelong: a bare mention means "ever", not "now".
# "Celiac disease, inflammatory bowel disease, or an eating disorder, current or past.": every item
_HISTORY_AT_END_RE = re.compile(r"[,;(]\s*(?:(?:current|present)\s+or\s+(?:past|in\s+the\s+(?:medical\s+)?history)|"
                                r"past\s+or\s+(?:current|present)|at\s+any\s+time|"
                                r"ever)\s*\)?\s*\.?\s*$", re.I)
# "Malignancy, current or in the past, ...": set off after the item
# ("Alcohol or drug addiction, including in the anamnesis": now or before)
_SET_OFF_HISTORY_RE = re.compile(r"[\s,(]*(?:(?:current(?:ly)?|present|active)\s+or\s+(?:in\s+the\s+)?(?:past|(?:medical\s+)?"
                                 r"history)|"
                                 r"including\s+(?:in\s+the\s+(?:past|anamnes[ie]s)|(?:a\s+)?(?:past\s+)?history)|"
                                 r"(?:past|previous|prior)\s+or\s+(?:current|present))\b", re.I)
_ACUTE_BEFORE_RE = re.compile(r"\bacute\s+(?:(?:unilateral|bilateral|demyelinating|typical)\s+){0,2}$", re.I)
_ACUTE_RE = re.compile(r"acute\b", re.I)  # (a term that opens with it: "Acute optic neuritis")
_ONSET_WORDS_RE = re.compile(r"\bonset(?:\s+of\s+(?:the\s+|its\s+)?(?:(?:first|visual|neurological|clinical)\s+)?"
                             r"(?:symptoms?|signs?|vision\s+loss|visual\s+loss|pain))?", re.I)
_LIFELONG_RE = re.compile(r"allerg|hypersensitiv|sensitive\s+to|sensitivity\s+to|anaphyla", re.I)
_CONTENT_WORD_RE = re.compile(r"\b(?!(?:of|or|and|is|are|has|have|had|having|been|the|an?|current(?:ly)?|active|ongoing)\b)"
                              r"[A-Za-z]{2,}", re.I)
_NOW_WORD_RE = re.compile(r"\b(?:current(?:ly)?|active|ongoing)\b", re.I)
_CURRENT_RE = re.compile(r"\bactive\b|\bcurrent(?:ly)?\b|\bpresence\b|\bongoing\b|\bconcomitant\b|\bpositive\b|\bknown\b",
                         re.I)
# A negated relative clause right after a condition qualifies it ("hypothyroidism that is not adequately treated,
# vitamin B12 deficiency"): it negates nothing after it.
_RELATIVE_NEGATION_RE = re.compile(r"\s*,?\s*(?:that|which)\s+(?:is|are|was|were|has|have|had|does|do|did)\s+"
                                   r"(?:not|never)\b[^,;.]*", re.I)
_UNLESS_BEFORE_RE = re.compile(rf"{context.PROVISO}|\bexcept\s+in\b", re.I)
# a proviso of a condition the patient has: "unless the participant has a functioning pacemaker", "unless a
# functioning pacemaker is in place"
_HAVING_PROVISO_RE = re.compile(r"\bunless\s+(?:the\s+(?:participant|subject|patient)\s+)?(?:has|have|with|is\s+fitted\s+"
                                r"with)\s+(?:an?\s+)?(?:functioning\s+|implanted\s+|permanent\s+)?$", re.I)
_IN_PLACE_RE = re.compile(r"\s+(?:is|are)\s+(?:in\s+place|implanted|fitted)\b", re.I)
# "major depression, or antidepressant therapy started in ...": a treatment item after the condition's
_LIST_BREAK_RE = re.compile(r",|;|\bor\b", re.I)
_EXPOSURE_WORD_RE = re.compile(r"therap|treat|medicat|\buse\s+of\b|\btaking\b|\breceiv", re.I)
# "X or a Y", "X, or any Y": the next item is a noun phrase of its own, so a window after it is its own.
_LIST_CUT_RE = re.compile(r",\s*(?:or|and)\s+(?P<article>(?:an?|any)\s+)?(?=\w)", re.I)
# An item that carries its own time word: "..., current major depressive episode, or ..."
_ITEM_TIMING_RE = re.compile(r"(?:^|[,;(]|\b(?:or|and)\b)\s*(?:(?:an?|any)\s+)?(?:current(?:ly)?|active|ongoing)\b", re.I)
_IN_RELATIVE_AFTER_RE = re.compile(r"\s+in\s+(?:an?\s+|any\s+|the\s+|one\s+|his\s+|her\s+|their\s+)?(?:(?:first|second)[\s-]degree\s+|"
                                   r"close\s+|blood\s+)?(?:relatives?|family\s+members?|siblings?|parents?|mother|father)\b",
                                   re.I)
_FAMILY_RE = re.compile(r"\bfamily\b|\brelatives?\b|\bpartner\b", re.I)
# "Any history or immediate family history of", "personal or family history": the patient's own history too.
_OWN_OR_FAMILY_RE = re.compile(r"\b(?:history|personal|own|patient'?s?|subject'?s?)\s+or\s+(?:\w+\s+)?family\b|"
                               r"\bfamily\s+or\s+(?:personal|own)\b", re.I)
# A sentence that lets some patients in: "Subjects who have evidence of prior hepatitis infection that has been
# serologically confirmed as resolved are not excluded".
_ALLOWED_RE = re.compile(r"\b(?:(?:are|is|will\s+be|shall\s+be)\s+not\s+excluded|(?:may|can|will)\s+be\s+(?:included|"
                         r"enrolled|eligible|allowed|permitted)|(?:are|is)\s+(?:also\s+|still\s+)?(?:allowed|permitted|eligible)|remains?\s+eligible|"
                         r"may\s+(?:participate|enrol+)|(?:is|are)\s+not\s+(?:considered\s+)?(?:exclusionary|an?\s+exclusion)|"
                         r"(?:does|do)\s+not\s+exclude|(?:is|are)\s+acceptable|"
                         # ("(febrile seizures in childhood excepted)": the exception after what it spares)
                         r"(?:excepted|exempted)(?=\s*\)))\b", re.I)
_TREATED_FOR_RE = re.compile(r"\b(?:treatment|treated|therapy|prophylaxis|chemoprophylaxis|course)\s+(?:for|of|against)\s+"
                             r"(?:(?:the|his|her|their)\s+)?(?:[\w-]+\s+)?$", re.I)
# "latent TB for which a full course of prophylaxis was completed": the same proviso after the condition
_TREATED_AFTER_RE = re.compile(r"\s*(?:for\s+which|that\s+(?:has|had)\s+received|with)\s+(?:an?\s+)?(?:(?:full|complete|"
                               r"completed|documented|adequate|appropriate)\s+)*(?:course\s+of\s+)?(?:(?:anti-?tuberculosis|"
                               r"prophylactic|preventive)\s+)?(?:prophylaxis|chemoprophylaxis|treatment|therapy)\b", re.I)
_OF_A_TEST_BEFORE_RE = re.compile(r"\b(?:tests?|tested|testing|results?|assays?|serology|screen|radiographs?|x-?rays?)\s+"
                                  r"(?:\([^()]{1,30}\)\s+)?(?:\w+\s+){0,2}$", re.I)
_NOT_TREATED_AFTER_RE = re.compile(r"\b(?:that|which|who)\s+(?:has|have|had|is|are|was|were)\s+not\s+(?:yet\s+)?(?:been\s+)?"
                                   r"(?:adequately\s+|fully\s+|completely\s+|successfully\s+|appropriately\s+)?"
                                   r"(?:treated|controlled|resolved|cured)\b|"
                                   # "a positive tuberculin skin test without documented adequate prophylactic treatment"
                                   r"\bwithout\s+(?:(?:documented|prior|previous|adequate|appropriate|completed|complete|"
                                   r"sufficient|full)\s+)*(?:(?:prophylactic|preventive|preventative|anti[\w-]*)\s+)?"
                                   r"(?:treatment|therapy|prophylaxis)\b", re.I)
_RESOLVED_RE = re.compile(r"\b(?:prior|previous|past|history|resolved|cured|treated|remission)\b", re.I)


_EITHER_BEFORE_RE = re.compile(r"\beither\b[^.;]*$", re.I)
_OR_WITHOUT_AFTER_RE = re.compile(r"[^.;]{0,40}?\bor\s+(?:[\w-]+\s+){0,2}?without\b", re.I)
# ("known or suspected X" is the boilerplate of a known X, as "known or suspected hypersensitivity")
_SUSPICION_BEFORE_RE = re.compile(r"\b(?:(?<!known\sor\s)(?<!known\s/\s)(?<!known/)suspected|suspicion\s+of|"
                                  r"(?:findings?|signs?|symptoms?|features?)\s+"
                                  r"(?:\w+\s+){0,2}?(?:suggestive|indicative)\s+of|suggestive\s+of)\s+(?:an?\s+|active\s+)?$",
                                  re.I)


def extract_conditions(ctx: Context) -> list:
    text = ctx.text
    free = lambda position: not ctx.is_consumed(position)  # noqa: E731
    entities = _mentions(ctx, free)
    # ("Non-smoker": the antonym, not the "smoker" inside it)
    antonyms = [a for a in _antonyms(text) if free(a.start)]
    entities = [e for e in entities if not any(a.start <= e.start and e.end <= a.end and a.end - a.start > e.end - e.start
                                               for a in antonyms)]
    rules = [_antonym_rule(ctx, a) for a in antonyms if not any(e.start < a.end and a.start < e.end for e in entities)]
    if not entities:
        return rules
    exceptions = _merged(_exception_spans(text))
    allowed = _merged(_allowed_spans(text, ctx.section))
    excepted = [m for m in entities if _inside(m.start, exceptions)]
    excepted += [Entity("CONDITION", "multiple_sclerosis", "MS", start, start)  # "autoimmune disease other than MS"
                 for start, _ in exceptions if _MS_RE.match(text, start)]
    # The trial's own disease is not a comorbidity ("spasticity due to multiple sclerosis").
    # "If the patient has a prior history of chemotherapy or of malignancy, the clinician must document ...": the
    # conditions of a conditional lead say to whom the rest applies, they are not required (a person reads it)
    conditional = [m.span() for m in _CONDITIONAL_LEAD_RE.finditer(text)]
    ctx.unstated.extend(conditional)
    allowed = _merged(allowed + conditional)
    candidates = [m for m in entities if not _inside(m.start, exceptions) and not _inside(m.start, allowed)
                  and m.id != "multiple_sclerosis"]
    # "AQP4-IgG seronegative NMO": the antibody's status names a kind of the disease after it, still that disease (the
    # status stays unread: a person checks it)
    at = {(o.start, o.id) for o in candidates}
    serostatus = [m for m in candidates for status in [_SEROSTATUS_AFTER_RE.match(text, m.end)]
                  if status and (status.end(), m.id) in at]
    candidates = [m for m in candidates if m not in serostatus]
    included = _specific(candidates, text)
    kept = {id(m) for m in included}
    narrowed = [m for m in candidates if id(m) not in kept]  # stated by the subtypes that narrow them
    excepted += _other_than_ms(text, included)
    # "unless the participant has completed treatment for latent tuberculosis": the proviso is the treatment, not the
    # condition (which, untreated, still excludes); a person reads it
    treated = [m for m in excepted if _TREATED_FOR_RE.search(text, max(0, m.start - 50), m.start)
               or _TREATED_AFTER_RE.match(text, m.end)]
    excepted = [m for m in excepted if m not in treated]
    ctx.unstated.extend((m.start, m.end) for m in treated)
    # "latent tuberculosis (a positive QuantiFERON test) that has not been adequately treated": whether it was treated,
    # which the record cannot show, for a person (as "untreated" before the condition)
    untreated = [m.span() for m in _NOT_TREATED_AFTER_RE.finditer(text)]
    ctx.unstated.extend(untreated)
    ctx.checks.extend(untreated)
    if ctx.section == "exclusion":
        # "clinical or MRI findings suggestive of PML", "suspected tuberculosis": a suspicion the record cannot show
        # beside the diagnosis it can (the condition stays; a person looks for the suspicion)
        suspected = [(found.start(), m.start) for m in included
                     for found in [_SUSPICION_BEFORE_RE.search(text, max(0, m.start - 60), m.start)] if found]
        ctx.unstated.extend(suspected)
        ctx.checks.extend(suspected)
    lists = _example_lists(text, included)
    forms = [m for m in included for lst in lists if lst.general is None and lst.start <= m.start < lst.end
             and _EVENT_BEFORE_RE.search(text, segment_start(text, lst.start), lst.start)]
    # "at least two MOGAD attacks, presenting as optic neuritis, transverse myelitis or ADEM": what the attacks were
    forms += [m for m in included if m not in forms and _PRESENTING_AS_RE.search(
        text, max(segment_start(text, m.start), m.start - 340), m.start)]
    for m in forms:  # "a first event consistent with demyelination, such as optic neuritis": what the event may be
        ctx.consume(m.start, m.end)
    included = [m for m in included if m not in forms]
    if not included:
        return rules
    distributed = _distributed_examples(text, lists, entities)
    included = sorted(included + distributed, key=lambda m: m.start)
    entities = sorted(entities + distributed, key=lambda m: m.start)

    all_windows = find_windows(text)
    # "latent tuberculosis unless the participant has completed at least 4 weeks of prophylaxis before randomization":
    # a window in a proviso after the conditions is the proviso's, left to the person who checks it
    ends = sorted(m.end for m in included)
    main_ends = [m.end for m in included if m not in excepted]
    exception = context.exception_start(text) if all_windows else None
    in_proviso = [w for w in all_windows if _in_proviso(text, ends, w)
                  or _of_excepted_treatment(text, exception, main_ends, w)
                  # "a negative HIV test within the 30 days before Day 1": when the test was done, not the condition
                  or _OF_A_TEST_BEFORE_RE.search(text, max(0, w.start - 60), w.start)]
    ctx.unstated.extend((w.start, w.end) for w in in_proviso)  # the proviso is read by a person
    all_windows = [w for w in all_windows if w not in in_proviso]
    windows = [w for w in all_windows if free(w.start)]
    own_window = _item_windows(text, included, windows) if len(windows) >= 2 or _mid_list(text, candidates, windows) \
        else {}
    example_of = _examples_by_mention(lists, included)
    starts = [e.start for e in entities]
    judged = {m for m in included if qualified(text, m, entities, starts, example_of.get(m))}
    # "Myocardial infarction, unstable angina or stroke since the start of the core study, or current heart failure":
    # a time counted from another study's visit, which the record cannot date (read as ever, it excluded the events
    # the core study allowed); the clause's conditions go to a person
    for since in SINCE_STUDY_EVENT_RE.finditer(text):
        clause_from = max(text.rfind(stop, 0, since.start()) for stop in (";", ". ", ", or ")) + 1
        judged |= {m for m in included if clause_from <= m.start < since.start()}
    if ctx.section == "exclusion":
        judged |= {m for m in included if m not in example_of and (cause := CAUSED_BY_AFTER_RE.match(text, m.end))
                   and not _NEW_ITEM_RE.search(cause.group(0))}
    # "obesity: a waist-to-height ratio above 0.57 or a BMI above 29 kg/m²": a condition the measures after its colon
    # define, which no rule reads (the diagnosis would not admit a BMI of 29.5); a person reads them
    # (a heading over conditions, "Cardiac disease: heart failure (NYHA class III or IV), ...", is defined by them)
    # (the colon is looked for first: the other two tests read the text before and the mentions after)
    judged |= {m for m in included if _DEFINED_BY_MEASURES_RE.match(text, m.end)
               and _WORD_RE.search(text, 0, m.start) is None and not any(o.start > m.end for o in included)}
    if ctx.section == "inclusion":
        # "a single event consistent with demyelination (for example acute unilateral optic neuritis, a partial
        # myelitis)": examples of a requirement no rule reads are some of the ways to meet it, none is required.
        # Examples of what must be absent ("able to attend the visits (e.g. no contraindication for MRI)") are each
        # excluded.
        judged |= {m for m, lst in example_of.items() if lst.general is None and not lst.defines
                   and not ctx.negated(m.start) and not _negated_head_of_examples(ctx, m.start)}
        # "..., either following one or more acute optic neuritis episodes or progressively without an acute episode":
        # one way among others, the other without it; none is required
        judged |= {m for m in included if _EITHER_BEFORE_RE.search(text, max(0, m.start - 80), m.start)
                   and _OR_WITHOUT_AFTER_RE.match(text, m.end)}
    if ctx.section == "exclusion":
        # "Bilateral optic neuritis" excluded in a trial of unilateral optic neuritis: a side the schema cannot state
        # narrows the condition, which alone must not exclude (required, the condition still holds: "unilateral
        # optic neuritis" requires optic neuritis, the side goes to a person)
        judged |= {m for m in included if _SIDE_BEFORE_RE.search(text, max(0, m.start - 20), m.start)}
    else:
        # ("Acute unilateral optic neuritis", "optic neuritis in one eye", required: the side goes to a person, whatever
        # else of the criterion a rule reads)
        for m in included:
            side = _SIDE_BEFORE_RE.search(text, max(0, m.start - 20), m.start) or _ONE_EYE_RE.match(text, m.end)
            if side:
                ctx.unstated.append(side.span())
    # "schizophrenia in a first-degree relative": a relative's
    judged |= {m for m in included if _IN_RELATIVE_AFTER_RE.match(text, m.end)}
    others = not_conditions(text, included, ctx.entities_of("DRUG", "DRUG_CLASS"))  # what a treatment acts on, ...
    # ("Obesity (BMI > 35 kg/m2) or diabetes": the condition a measure no rule reads defines goes to a person)
    ctx.unstated.extend((m.start, m.end) for m in others
                        if DEFINED_BY_MEASURE_RE.match(text, m.end) or SCORE_DEFINED_RE.match(text, m.end))
    # (a window of the general term's own times it, no narrowing: "an opportunistic infection (e.g., CMV) within 6
    # months")
    generals = {id(lst.general) for lst in lists}
    dropped = _general_terms_dropped(lists, example_of, judged | {m for m in own_window if id(m) not in generals}, others)
    # (a heading's term is no condition of its own, even where an item restates it: "Any of the following hepatic
    # conditions: ... chronic liver disease")
    headings = {id(lst.general) for lst in lists if lst.heading}
    confident = [m for m in included if m not in judged and m not in others and m.id not in dropped
                 and id(m) not in headings]
    # "chronic or recurrent infectious disease, including ... chronic renal infection": an example the lexicon names
    # only by a term broader than its general one is a kind of that general (read, it excluded every infection)
    ancestors = get_lexicon().condition_ancestors
    broader = [m for m, lst in example_of.items() if lst.general is not None and m.id != lst.general.id
               and m.id in ancestors(lst.general.id)]
    confident = [m for m in confident if m not in broader]
    for m in broader:
        ctx.consume(m.start, m.end)
    graded, confident = _no_worse_than(ctx, confident)
    rules.extend(graded)
    # "AV block, unless the subject has a functioning pacemaker": a proviso no exception can carry. In an exclusion,
    # a proviso that names a condition the patient has is an excluded all-of of the conditions it qualifies and that
    # condition's absence (README); otherwise a rule would exclude the patients it lets in, and they go to a person
    provided: dict = {}
    for proviso in [m for m in excepted if m.id != "multiple_sclerosis" and _UNLESS_BEFORE_RE.search(
            text, max(0, m.start - 60), m.start) and not any(_exceptions_for([c.id for c in confident], [m]))]:
        clause = max(text.rfind(".", 0, proviso.start), text.rfind(";", 0, proviso.start)) + 1
        qualified_by = [m for m in confident if clause <= m.start < proviso.start]
        having = _HAVING_PROVISO_RE.search(text, max(clause, proviso.start - 60), proviso.start)
        in_place = _IN_PLACE_RE.match(text, proviso.end)
        if ctx.section == "exclusion" and qualified_by and (having or in_place):
            provided.update((id(m), proviso) for m in qualified_by)
            ctx.consume((having or _UNLESS_BEFORE_RE.search(text, max(0, proviso.start - 60), proviso.start)).start(),
                        in_place.end() if in_place else proviso.end)
            continue
        confident = [m for m in confident if m not in qualified_by]
        ctx.unstated.extend((m.start, m.end) for m in [*qualified_by, proviso])
    ctx.unstated.extend((m.start, m.end) for m in included if m in judged and m not in others
                        or CAUSE_BEFORE_RE.search(text[max(0, m.start - 40):m.start]))
    if not confident:
        return rules
    if _FAMILY_RE.search(text[:confident[0].start]) and not _OWN_OR_FAMILY_RE.search(text[:confident[0].start]):
        return rules  # family history is not the patient's condition

    # An allowed past case of the same condition ("prior hepatitis infection ... resolved") limits the rule to
    # current disease; an allowed narrower condition ("treated basal cell carcinoma is allowed") is an exception.
    allowed_mentions = [m for m in entities if _inside(m.start, allowed)]
    past_only = bool(allowed_mentions) and {m.id for m in allowed_mentions} <= {m.id for m in confident} and any(
        _RESOLVED_RE.search(text[s:e]) for s, e in allowed)
    if not past_only:
        excepted += allowed_mentions
    polarity_ctx = _without_inner_negations(ctx, entities)
    ms_excepted = [found.start("or") for start, _ in exceptions for found in [_MS_THEN_OR_RE.match(text, start)] if found]
    groups: dict = {}
    timings = _timings(text, confident, all_windows)
    these = _HISTORY_OF_THESE_RE.match(text, confident[-1].end) if confident else None
    if these:
        ctx.consume(*these.span())  # (read by the timing: "or a history thereof")
    # "Diabetes mellitus with peripheral neuropathy", "Major depression with suicidal ideation": the first excludes only
    # with the second (an excluded all-of, as a condition with a lab value; README), not every diabetic
    # (a window of another item is no reason not to: "... with suicidal ideation, or a suicide attempt within the past
    # 5 years")
    joined = [(a, b) for a, b in zip(confident, confident[1:]) if ctx.section == "exclusion"
              and _WITH_CONDITION_RE.fullmatch(text, a.end, b.start)
              # ("chronic infection with hepatitis B virus": the second names which of the first)
              and a.id not in get_lexicon().condition_ancestors(b.id) and a.id != b.id
              and "infection" not in get_lexicon().condition_ancestors(a.id) | {a.id}
              and not any(_reaches(text, w, a.start, b.end) for w in all_windows)]
    joined = [(a, b) for i, (a, b) in enumerate(joined) if not (i and joined[i - 1][1] is a)]
    for a, b in joined:
        rules.append(GroupRule(mode="all", polarity=polarity_ctx.base_polarity(a.start), rules=[
            ConditionRule(polarity="require", conditions=[m.id], timing=timings[m]) for m in (a, b)]))
    paired = {id(m) for pair in joined for m in pair}
    for m in confident:
        if id(m) in paired:
            ctx.consume(m.start, m.end)
    confident = [m for m in confident if id(m) not in paired]
    if not confident:
        return rules
    drugs = ctx.entities_of("DRUG", "DRUG_CLASS")
    for index, m in enumerate(confident):
        window = own_window.get(m) if own_window else (windows[0] if windows else None)
        if window and not own_window and m.start >= window.end and (NEW_NOUN_PHRASE_RE.search(text, window.end, m.start)
                                                                    or ";" in text[window.end:m.start]):
            window = None  # "myocardial infarction in the past 6 months or any history of heart failure"
        if window and m.end <= window.start and _LIFETIME_BEFORE_RE.search(text, max(0, m.start - 25), m.start) \
                and any(o.start > m.end for o in confident):
            window = None  # "Any lifetime suicide attempt, or suicidal ideation ... within the 6 months": ever
            # (or "Malignancy within the past 5 years, other than ...; multiple myeloma at any time")
        if window and not own_window and m.end <= window.start and any(
                m.end <= d.start < window.start and _LIST_BREAK_RE.search(text, m.end, d.start)
                and _EXPOSURE_WORD_RE.search(text, max(m.end, d.start - 20), min(d.end + 15, window.start))
                for d in drugs):
            window = None  # "major depression, or antidepressant therapy started in the previous 3 months"
        if window and m.end <= window.start and any(
                m.end <= o.start < window.start and _LIST_BREAK_RE.search(text, m.end, o.start) for o in others):
            window = None  # "Active cancer ..., or cancer treatment within the past 12 months": the treatment's window
        if window and not own_window and _window_stops_before(text, confident, index, window):
            window = None  # "Current suicidal ideation or a suicide attempt within the past year": the attempt's window
        # ("Chronic disease of the immune system other than MS, or a known immunodeficiency syndrome": the item after
        # "other than MS" is a rule of its own, which the exception does not reach)
        # (unless it falls under a condition before it: "... other than MS, or an immunodeficiency" is still a
        # disease of the immune system, which MS is not)
        item = sum(1 for end in ms_excepted if end <= m.start)
        if item and get_lexicon().condition_ancestors(m.id) & {c.id for c in confident if c.start < m.start}:
            item = 0
        key = (id(window), _negated_apart(polarity_ctx, confident, index), "any" if window else timings[m], item,
               provided.get(id(m)))
        groups.setdefault(key, (window, []))[1].append(m)
    for (_, flipped, timing, _, proviso), (window, members) in groups.items():
        ids = get_lexicon().minimal_conditions(m.id for m in members)
        kept, covering = _exceptions_for(ids, excepted)
        resolved = past_only or (covering and any(_RESOLVED_RE.search(text[s:e]) for s, e in exceptions))
        timing = "any" if window else "current" if resolved else timing
        if window and not window.gap and polarity_ctx.base_polarity(members[0].start) == "require" \
                and (_ACUTE_BEFORE_RE.search(text, max(0, members[0].start - 30), members[0].start)
                     or _ACUTE_RE.match(text, members[0].start)):
            timing = "current"  # "Acute optic neuritis, with onset within the 14 days": the episode now, begun then
            # (the onset the window dates is the rule's: "with onset of visual symptoms within ...")
            for onset in _ONSET_WORDS_RE.finditer(text, members[-1].end, window.start):
                ctx.consume(*onset.span())
        # a term that opens with its own negation ("unable to undergo MRI") is read in the text as it stands,
        # where no negation before it reaches it
        first = confident[0]
        reader = ctx if context.has("NEGATION", text[first.start:first.end]) else polarity_ctx
        polarity = reader.base_polarity(first.start, window)
        if _negated_head_of_examples(reader, first.start) or _examples_of_a_failed_check(reader, first.start):
            polarity = context.opposite(polarity)
        if flipped:
            polarity = context.opposite(polarity)
        if window and window.gap and ctx.section == "inclusion" and not flipped \
                and polarity == "exclude" and reader.base_polarity(first.start) == "require" \
                and not _FREE_OF_RE.search(text, max(0, first.start - 30), window.start):
            # "with at least one episode of optic neuritis more than 6 months before Screening": the condition is
            # required, its age a person checks (read as a loose "within", the requirement was lost: no optic
            # neuritis in the 6 months, every patient without one passed)
            rules.append(ConditionRule(polarity="require", conditions=ids, exceptions=kept, timing="any"))
            if _SINGLE_EPISODE_BEFORE_RE.search(text, max(0, first.start - 50), first.start):
                # "one episode of unilateral optic neuritis that occurred at least 6 months before the study day": the
                # only episode is that old, so none within the 6 months
                rules.append(ConditionRule(polarity="exclude", conditions=ids, exceptions=kept, timing="any",
                                           window=window.window))
                ctx.consume(window.start, window.end)
            continue  # (the window left unread: "a time no rule read")
        rule = ConditionRule(polarity=polarity, conditions=ids, exceptions=kept, timing=timing,
                             window=window.window if window else None)
        if proviso is not None and polarity == "exclude":
            rule = GroupRule(mode="all", polarity="exclude", rules=[
                rule.model_copy(update={"polarity": "require"}),
                ConditionRule(polarity="exclude", conditions=[proviso.id], timing="current")])
        rules.append(rule)
        if window:
            ctx.consume(window.start, window.end)
    rules = _without_covered(rules)
    for m in confident:
        either = EITHER_EYE_RE.match(text, m.end)
        if either:  # "optic neuritis, in the affected or in the fellow eye": either eye, the condition itself
            ctx.consume(*either.span("eyes"))
    for m in confident + excepted + allowed_mentions + narrowed:
        # ("hypersensitivity to ofatumumab or any of its excipients, or to any other monoclonal antibody": the
        # excipients the condition does not cover stay for a person)
        start = m.start
        for excipients in _EXCIPIENTS_RE.finditer(text, m.start, m.end):
            ctx.consume(start, excipients.start())
            start = excipients.end()
        ctx.consume(start, m.end)
    for test in ctx.entities_of("LAB"):  # "tuberculosis (interferon-gamma release assay)": how it is found
        if _names_the_test(text, test, confident):
            ctx.consume(test.start, test.end)
    # the examples of a general term stated as a rule are what it covers ("inability to complete an MRI scan,
    # including contraindications such as ..., or other ferromagnetic implants"), unless they carry a number
    stated = {id(m) for m in confident}
    for lst in lists:
        if id(lst.general) in stated and _only_examples_of(ctx, lst):
            ctx.consume(lst.marker_start, lst.end)
        elif lst.defines and lst.general is not None and lst.general.id in dropped:
            ctx.consume(lst.general.start, lst.general.end)  # the items say what it is
    prefix = text[:confident[0].start]
    for m in list(_HISTORY_RE.finditer(prefix)) + list(_CURRENT_RE.finditer(prefix)):
        ctx.consume(m.start(), m.end())
    return rules


def _only_examples_of(ctx: Context, lst: ExampleList) -> bool:
    """Whether an example list holds nothing but what its general term covers: no number, no mention of another
    kind ("at risk for infection, e.g. a history of T-cell vaccination" names treatments) and no condition outside
    the general term."""
    if re.search(r"\d", ctx.text[lst.marker_start:lst.end]) or context.exception_start(ctx.text[lst.start:lst.end]) \
            is not None:  # an exception's own terms ("except ... excised with clear margins") are read by a person
        return False
    ancestors = get_lexicon().condition_ancestors
    inside = [e for e in ctx.entities if lst.start <= e.start < lst.end]
    return bool(inside) and all(e.label == "CONDITION" and lst.general.id in ancestors(e.id) for e in inside)


# "heart failure no worse than NYHA class II", "NYHA class II or better": the classes above it
_GRADES = ["heart_failure_nyha_i", "heart_failure_nyha_ii", "heart_failure_nyha_iii", "heart_failure_nyha_iv"]
_NO_WORSE_BEFORE_RE = re.compile(r"\b(?:(?:no|not)\s+worse\s+than|at\s+most|not\s+(?:exceeding|above)|up\s+to|"
                                 r"maximum(?:\s+of)?)\s+(?:(?:a|the)\s+)?$", re.I)
_OR_BETTER_AFTER_RE = re.compile(r"\s+or\s+(?:better|less|lower|below)\b", re.I)


def _no_worse_than(ctx: Context, confident: list) -> tuple[list, list]:
    """A grade with its better ones allowed: the grades above it excluded (a patient without the disease passes;
    read as the grade, it required heart failure of every patient)."""
    rules, dropped = [], set()
    for index, m in enumerate(confident):
        if m.id not in _GRADES:
            continue
        before = _NO_WORSE_BEFORE_RE.search(ctx.text, max(0, m.start - 30), m.start)
        after = _OR_BETTER_AFTER_RE.match(ctx.text, m.end)
        if not (before or after):
            continue
        worse = _GRADES[_GRADES.index(m.id) + 1:]
        if not worse:
            continue
        general = confident[index - 1] if index and confident[index - 1].id == "heart_failure" \
            and m.start - confident[index - 1].end < 40 else None
        polarity = context.opposite(ctx.base_polarity((general or m).start))
        rules.append(ConditionRule(polarity=polarity, conditions=worse, timing="current"))
        dropped |= {id(m), id(general)}
        ctx.consume((general or m).start, after.end() if after else m.end)
    return rules, [m for m in confident if id(m) not in dropped]


def _reaches(text: str, window, start: int, end: int) -> bool:
    """Whether a window can time the words between ``start`` and ``end``: not one of another item, set off by ", or"
    or ";" ("... with suicidal ideation, or a suicide attempt within the past 5 years")."""
    if window.start >= end:
        return not _ITEM_SPLIT_RE.search(text, end, window.start)
    if window.end <= start:
        return not _ITEM_SPLIT_RE.search(text, window.end, start)
    return True


_ITEM_SPLIT_RE = re.compile(r",\s*(?:or|and)\b|;", re.I)


def _without_covered(rules: list) -> list:
    """A rule another rule of the criterion already covers ("history of a dependence disorder, current heavy
    alcohol consumption": ever a substance use disorder covers current alcohol abuse; "current alcohol abuse, or
    abuse within 2 years": the window covers now) says nothing more."""
    lexicon = get_lexicon()

    def can_cover(a) -> bool:
        return a.kind == "condition" and a.timing == "any"

    def episodic(c: str) -> bool:
        entry = lexicon.get("conditions", c)
        return bool(entry and entry.data.get("episodic"))

    def in_time(a, b) -> bool:  # ever covers any time; a window covers only now, and not the lasting condition below
        # an event ("Epilepsy, or any seizure during the last 12 months": epilepsy without a recent seizure excludes)
        return a.window is None or (b.timing == "current" and b.window is None
                                    and not any(episodic(c) for c in a.conditions if c not in b.conditions))

    def excepted(c: str, exceptions: list) -> bool:  # an exception of the covering rule touches this condition
        return bool(lexicon.condition_ancestors(c) & set(exceptions)) or \
            any(c in lexicon.condition_ancestors(e) for e in exceptions)

    def covers(a, b) -> bool:
        return a is not b and b.kind == "condition" and a.polarity == b.polarity and in_time(a, b) and \
            all(lexicon.condition_ancestors(c) & set(a.conditions) and not excepted(c, a.exceptions)
                for c in b.conditions)

    covering = [(j, a) for j, a in enumerate(rules) if can_cover(a)]
    # of two rules covering each other the first stays
    return [b for i, b in enumerate(rules)
            if not any(covers(a, b) and not (j > i and can_cover(b) and covers(b, a)) for j, a in covering)]


def _negated_apart(ctx: Context, confident: list, at: int) -> bool:
    """A mention with a negation of its own, unlike the first ("active HIV infection, but no history of
    hepatitis B"): it makes a rule of the other polarity. A negation reaching across a long list ("no history of
    A, B, C, ... or Z") is the first mention's, not a new one."""
    mention = confident[at]
    if at == 0 or not context.has("NEGATION", ctx.text[confident[at - 1].end:mention.start]):
        return False
    return ctx.negated(mention.start) != ctx.negated(confident[0].start)


def _general_terms_dropped(lists: list, example_of: dict, restricting: set, others: set) -> set[str]:
    """The general terms that cannot be stated as they stand: qualified themselves, or narrowed by one of
    their examples (qualified or with a window of its own). Their examples define what is meant."""
    lexicon = get_lexicon()
    members: dict = {}
    for m, lst in example_of.items():
        members.setdefault(id(lst), []).append(m)
    dropped = set()
    for lst in lists:
        general = lst.general
        if general is None or general in others:
            continue
        examples = members.get(id(lst), [])
        restated = any(m.id == general.id for m in examples)  # "at risk of hepatitis B reactivation, i.e. HBsAg+"
        if general in restricting or lst.defines and examples and not restated or any(
                m in restricting and general.id in lexicon.condition_ancestors(m.id) for m in examples):
            dropped.add(general.id)  # with its restatements ("inability to undergo MRI (contraindications for MRI ...")
    return dropped


def _exceptions_for(conditions: list[str], excepted: list) -> tuple[list[str], list[str]]:
    """The exceptions that matter to a rule on ``conditions``, and those that cover a condition itself
    ("History of hepatitis B, except resolved infection": they take away its past, not the condition)."""
    lexicon = get_lexicon()
    kept = [e for e in lexicon.minimal_conditions(m.id for m in excepted) if _overlaps(e, conditions)]
    covering = [e for e in kept if any(e in lexicon.condition_ancestors(c) for c in conditions)]
    return [e for e in kept if e not in covering], covering


def _other_than_ms(text: str, included: list) -> list[Entity]:
    """"Other coexistent autoimmune diseases": other than the MS every patient of the trial has."""
    broader = get_lexicon().condition_ancestors("multiple_sclerosis") - {"multiple_sclerosis"}
    return [Entity("CONDITION", "multiple_sclerosis", "MS", m.start, m.start) for m in included
            if m.id in broader and _OTHER_BEFORE_RE.search(text[max(0, m.start - 40):m.start])]


# --- mentions ---------------------------------------------------------------------------------------


def _mentions(ctx: Context, free) -> list[Entity]:
    entities = sorted((e for e in ctx.entities_of("CONDITION") + _serology(ctx) if free(e.start)), key=lambda e: e.start)
    # ("participation in another interventional study for depression or fatigue": what the study is about)
    topics = []
    for e in entities:  # (the topic and the items listed with it)
        if _STUDY_TOPIC_BEFORE_RE.search(ctx.text, max(0, e.start - 60), e.start) or topics and \
                _LIST_JOIN_RE.fullmatch(ctx.text, topics[-1].end, e.start):
            topics.append(e)
    for e in topics:
        ctx.consume(e.start, e.end)
    entities = [e for e in entities if e not in topics]
    entities = _without_heads(entities, ctx.text)
    return sorted(entities + _coordinated_heads(ctx.text, entities), key=lambda e: e.start)


_LIST_JOIN_RE = re.compile(r"\s*(?:,\s*)?(?:or|and|and/or|,)\s*", re.I)
_WITH_CONDITION_RE = re.compile(r"\s+with\s+(?:an?\s+|associated\s+|concomitant\s+|coexisting\s+|current\s+|active\s+)?",
                                re.I)
_STUDY_TOPIC_BEFORE_RE = re.compile(r"\b(?:study|studies|trial|trials|programme|program)\s+(?:for|of|on|in)\s+(?:the\s+)?"
                                    r"(?:(?:treatment|management|prevention)\s+of\s+)?(?:an?\s+)?$", re.I)


def _serology(ctx: Context) -> list:
    """A positive qualitative test ("positive HIV serological test", "positive syphilis (RPR) test") is the
    condition it indicates (``indicates`` in labs.jsonl)."""
    lexicon = get_lexicon()
    conditions = ctx.entities_of("CONDITION")
    out = []
    for e in ctx.entities_of("LAB"):
        entry = lexicon.get("labs", e.id)
        condition = entry.data.get("indicates") if entry else None
        if condition and not _names_the_test(ctx.text, e, conditions) and not _RULED_OUT_AFTER_RE.match(ctx.text, e.end) \
                and not _NEGATIVE_RESULT_AFTER_RE.match(ctx.text, e.end) \
                and not _NEGATIVE_RESULT_BEFORE_RE.search(ctx.text, max(0, e.start - 20), e.start):
            out.append(Entity("CONDITION", condition, e.text, e.start, e.end))
    return out


# "unless HCV RNA is undetectable", "with undetectable HCV RNA": a result that rules the condition out, no sign of it
# (a negative test is a negation the polarity reads: "Negative HIV antibody test at screening")
_NEGATIVE_RESULT_AFTER_RE = re.compile(r"\s+(?:(?:is|was|are|were|remains?)\s+)?(?:undetectable|not\s+detect(?:ed|able))\b",
                                       re.I)
_NEGATIVE_RESULT_BEFORE_RE = re.compile(r"\b(?:undetectable|no\s+detectable)\s+$", re.I)
# "a positive PPD with active TB ruled out": a positive test whose disease was looked for and not found
_RULED_OUT_AFTER_RE = re.compile(r"[^.;,]{0,20}?\bwith\s+[\w\s-]{1,40}?\bruled\s+out\b", re.I)


def _names_the_test(text: str, test: Entity, conditions: list) -> bool:
    """"for tuberculosis (interferon-gamma release assay)", "hepatitis B (HBsAg or HBcAb)": the test in a parenthesis
    after a condition says how that condition is found; it is no condition of its own."""
    opening = enclosing_paren(text, test.start)
    return opening is not None and any(re.fullmatch(r"[\s,]*", text[c.end:opening]) for c in conditions)


def _without_heads(mentions: list, text: str) -> list:
    """"Hepatitis infection", "HTLV infection": a top-level category right after a condition is that
    condition's head noun, not a second condition; "infection with HIV": the category names the condition
    after it."""
    lexicon = get_lexicon()
    out = []
    for m, following in zip(mentions, [*mentions[1:], None]):
        entry = lexicon.get("conditions", m.id)
        if entry is not None and not entry.parents and m.id in _categories():
            if out and re.fullmatch(r"[\s)\]-]*", text[out[-1].end:m.start]):  # "HIV infection", "(HIV) infection"
                continue
            if following is not None and m.id in lexicon.condition_ancestors(following.id) and \
                    _HEAD_WITH_RE.fullmatch(text[m.end:following.start]):
                continue
        out.append(m)
    return out


@lru_cache(maxsize=1)
def _categories() -> frozenset[str]:
    """Conditions other conditions sit under (infection, malignancy, ...)."""
    return frozenset(parent for entry in get_lexicon().entries["conditions"].values() for parent in entry.parents)


_HEAD_WITH_RE = re.compile(r"\s+(?:with|by|due\s+to|caused\s+by)\s+(?:the\s+|an?\s+)?", re.I)


_STATE_OR_RE = re.compile(r"\b(active|current|acute|chronic|past|previous|prior|untreated|treated)\s+(?:or|and/or|and)\s+$",
                          re.I)


def _coordinated_heads(text: str, mentions: list) -> list[Entity]:
    """"Active or latent tuberculosis": the state word before "or" takes the head noun on its own (active
    tuberculosis), which the lexicon has as the broader condition."""
    lexicon = get_lexicon()
    found = []
    for m in mentions:
        offset = max(0, m.start - 30)
        state = _STATE_OR_RE.search(text[offset:m.start])
        words = m.text.split()
        if not state or len(words) < 2:
            continue
        start = offset + state.start()
        if any(e.start <= start < e.end for e in mentions):
            continue  # "chronic or recurrent infections": "chronic infection" is a condition of its own
        for size in range(len(words) - 1, 0, -1):
            head = lexicon.lookup("conditions", " ".join(words[1:1 + size]), fuzzy=False)
            own = lexicon.lookup("conditions", f"{state.group(1)} {' '.join(words[1:1 + size])}", fuzzy=False)
            if head and head.entry.id != m.id and head.entry.id in lexicon.condition_ancestors(m.id) and \
                    (own is None or own.entry.id == head.entry.id):
                found.append(Entity("CONDITION", head.entry.id, text[start:m.start].strip(), start, m.start))
                break
    return found


def _antonyms(text: str) -> list[Entity]:
    pattern = _antonym_pattern()
    if pattern is None:
        return []
    terms = _antonym_terms()
    return [Entity("CONDITION", terms[m.group(0).lower()], m.group(0), m.start(), m.end()) for m in pattern.finditer(text)]


@lru_cache(maxsize=1)
def _antonym_terms() -> dict[str, str]:
    """Words that state the absence of a condition ("immunocompetent"): ``antonyms`` in conditions.jsonl."""
    return {term.lower(): entry.id for entry in get_lexicon().entries["conditions"].values()
            for term in entry.data.get("antonyms", [])}


@lru_cache(maxsize=1)
def _antonym_pattern() -> Optional[re.Pattern]:
    terms = sorted(_antonym_terms(), key=len, reverse=True)
    if not terms:
        return None
    return re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(t).replace(r"\ ", r"\s+") for t in terms) + r")(?![\w-])",
                      re.I)


def _antonym_rule(ctx: Context, mention: Entity) -> ConditionRule:
    ctx.consume(mention.start, mention.end)
    polarity = context.opposite(ctx.base_polarity(mention.start))
    since = _SINCE_AT_LEAST_RE.match(ctx.text, mention.end)
    if since:
        # "Non-smoker since at least 12 months": none in those 12 months
        ctx.consume(*since.span())
        within = Duration(value=number(since.group("n")), unit=unit_of(since.group("unit")))
        return ConditionRule(polarity=polarity, conditions=[mention.id], timing="any",
                             window=Window(within=within, anchor="screening"))
    return ConditionRule(polarity=polarity, conditions=[mention.id], timing="current")


_SINCE_AT_LEAST_RE = re.compile(rf"\s*(?:since|for)\s+(?:at\s+least|more\s+than|over)\s+(?P<n>{NUM})\s*"
                                r"(?P<unit>days?|weeks?|months?|years?)\b", re.I)


def _specific(mentions: list, text: str) -> list:
    """"Congestive heart failure (NYHA III or IV)": the parenthesis narrows the condition before it to the
    subtypes it names, so the broader condition is dropped."""
    lexicon = get_lexicon()
    keep = []
    starting, ending = defaultdict(list), defaultdict(list)  # mentions by where they start and end
    for o in mentions:
        starting[o.start].append(o)
        ending[o.end].append(o)

    def kind_of(m, o) -> bool:
        return m.id in lexicon.condition_ancestors(o.id) - {o.id}

    for m in mentions:
        paren = _PAREN_AFTER_RE.match(text, m.end)
        if paren and EXAMPLES_RE.match(paren.group(1).lstrip()):
            paren = None  # "(e.g., hepatitis B or C, HIV)" gives examples, it does not narrow
        elif paren and len(list(_items(paren.group(1), 0, len(paren.group(1))))) >= 3:
            paren = None  # "Heart disease (coronary artery disease, heart failure, arrhythmias)": a run of examples
        narrowed = paren and any(paren.start(1) <= o.start < paren.end(1) and kind_of(m, o) for o in mentions)
        # "heart failure of NYHA class III or IV": the subtypes named right after it
        # (or "heart failure NYHA stage III or higher")
        of = _OF_AFTER_RE.match(text, m.end)
        narrowed = narrowed or of and any(kind_of(m, o) for o in starting.get(of.end(), ()))
        # "Diabetes mellitus, type 1 or type 2, ...": kinds between commas narrow as a parenthesis does
        listed = kinds_listed_after(text, m.end)
        narrowed = narrowed or listed and any(m.end <= o.start < listed and kind_of(m, o) for o in mentions)
        # "NYHA class III or IV heart failure": the subtypes named right before it
        before = m.start
        while before and text[before - 1] in " -":
            before -= 1
        narrowed = narrowed or any(kind_of(m, o) for o in ending.get(before, ()) if o is not m)
        if not narrowed:
            keep.append(m)
    # "diabetes mellitus (type 1 or type 2) with diabetic retinopathy": the kind named after "with" (alone, the
    # broader condition, or its kinds in the parenthesis, excluded every diabetic)
    dropped = []
    for m in keep:
        with_kind = _WITH_KIND_RE.match(text, m.end)
        opening = enclosing_paren(text, m.start)  # (a kind in the parenthesis after its head: the head's kind)
        heads = {m.id} | {h.id for h in mentions if opening is not None and h.end <= opening
                          and not text[h.end:opening].strip()}
        if with_kind and any(o.start == with_kind.end() and heads & (lexicon.condition_ancestors(o.id) - {o.id})
                             for o in mentions):
            dropped.append((m.start, with_kind.end()))
    return [m for m in keep if not any(start <= m.start < end for start, end in dropped)]


_PAREN_AFTER_RE = re.compile(r"\s*\(([^()]*)\)")
_OF_AFTER_RE = re.compile(r"\s+(?:of\s+)?")
_WITH_KIND_RE = re.compile(r"(?:\s*\([^()]*\)|[^()]{0,30}?\))?\s*,?\s+(?:with|complicated\s+by)\s+(?:an?\s+|any\s+)?", re.I)


# --- exceptions and allowances ------------------------------------------------------------------------


def _exception_spans(text: str) -> list[tuple[int, int]]:
    """Each exception clause, from just after its trigger to the end of its parenthesis or sentence."""
    spans = []
    for trigger in context.find("EXCEPTION", text):
        if context.is_pseudo_exception(text, trigger):
            continue
        spans.append((trigger.end(), _scope_end(text, trigger.start(), trigger.end())))
    return spans


def _scope_end(text: str, position: int, after: Optional[int] = None) -> int:
    """The end of the exception clause at ``position``: its parenthesis, its sentence, or the examples that
    follow ("autoimmune disease other than MS, such as lupus": lupus is an example, not an exception)."""
    open_at = enclosing_paren(text, position)
    if open_at is not None:
        close = closing(text, open_at)
        end = close if close is not None else len(text)
    else:
        end = segment_end(text, position)
        # "other than MS, or a known immunodeficiency syndrome": the next item is a condition of its own
        new_item = _NEW_CONDITION_ITEM_RE.search(text, position, end)
        end = new_item.start() if new_item else end
        # "autoimmune disease other than MS, or HIV infection": MS is the one exception, what follows a new item
        ms_only = _MS_THEN_OR_RE.match(text, after) if after is not None else None
        end = min(end, ms_only.start("or")) if ms_only else end
    examples = EXAMPLES_RE.search(text, position, end)
    end = examples.start() if examples else end
    # "another neurological disease different from MS (epilepsy, dementia)": the parenthesis lists the disease's kinds
    kinds = _MS_THEN_PAREN_RE.match(text, after) if open_at is None and after is not None else None
    return min(end, kinds.end() - 1) if kinds else end


_MS_THEN_OR_RE = re.compile(r"\s*(?:MS|multiple\s+sclerosis)(?:\s+(?:itself|alone))?(?:\s*\([^()]*\))?\s*"
                            r"(?P<or>,\s*(?:or|and)\b)", re.I)
_MS_THEN_PAREN_RE = re.compile(r"\s*(?:MS|multiple\s+sclerosis)\s*\(", re.I)
# (and "other than non-melanoma skin cancer, or cancer treatment within the past 12 months": a treatment is no
# exception)
_NEW_CONDITION_ITEM_RE = re.compile(r",\s*or\s+(?:an?\s+|any\s+)?(?:known|history|presence|evidence|diagnosis|positive|"
                                    r"current|active|(?:[\w-]+\s+){0,3}?(?:treatments?|therapy|surgery|chemotherapy|"
                                    r"radiotherapy)\b)", re.I)


_SIDE_BEFORE_RE = re.compile(r"\b(?:bilateral|unilateral|one-sided|two-sided)[\s-]+$", re.I)
_LIFETIME_BEFORE_RE = re.compile(r"\b(?:lifetime|life-?long|ever)\s+(?:[\w-]+\s+)?$", re.I)
_ONE_EYE_RE = re.compile(r"\s*(?:\([^()]{1,12}\)\s*)?,?\s*in\s+(?:only\s+)?one\s+eye(?:\s+only)?\b", re.I)
_PERMITTED_RE = re.compile(r"\b(?:allowed|permitted|not\s+excluded|excepted|exempted)\b", re.I)


_CONDITIONAL_LEAD_RE = re.compile(r"(?:^|(?<=[.;:]))\s*(?:if|when|where|in\s+case)\s+(?:the\s+|a\s+)?(?:patients?|subjects?|"
                                  r"participants?|persons?|individuals?|wom[ae]n|m[ae]n|she|he|they)\s+(?:has|have|had|is|"
                                  r"are|was|were)\b[^,;.]*,", re.I)
_SEROSTATUS_AFTER_RE = re.compile(r"[\s-]+(?:sero)?(?:negative|positive)\s+", re.I)
_ONLY_IF_RE = re.compile(r"\s*(?:only\s+if|only\s+when|only\s+after|if\s+(?:they|he|she)|provided(?:\s+that)?|as\s+long\s+as)\b",
                         re.I)


def _allowed_spans(text: str, section: str) -> list[tuple[int, int]]:
    """Sentences that let some patients in: in an exclusion, any; in an inclusion, those after the first
    ("Patients with X are eligible" alone states the inclusion), or a first that only permits ("Well-controlled
    comorbidities, for example hypertension, are allowed" requires no hypertension)."""
    spans, start = [], 0
    for stop in [*SEGMENT_BREAK_RE.finditer(text), None]:
        end = stop.end() if stop else len(text)
        allowed = _ALLOWED_RE.search(text, start, end)
        if allowed and _ONLY_IF_RE.match(text, allowed.end()):
            # "participants with latent tuberculosis are eligible only if they have started prophylaxis": an
            # allowance on a condition the record cannot show; no exception (a person reads the proviso)
            allowed = None
        if (start > 0 or section == "exclusion" or allowed and _PERMITTED_RE.search(allowed.group(0))) and allowed:
            # "History of malignancy (subjects with a basal cell carcinoma ... remain eligible)": the parenthesis
            opening = text.rfind("(", start, allowed.start())
            if opening > start and text.rfind(")", opening, allowed.start()) < 0:
                spans.append((opening, end))
            else:
                spans.append((start, end))
        start = end
    return spans


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def _inside(position: int, merged: list[tuple[int, int]]) -> bool:
    at = bisect_right(merged, (position, float("inf"))) - 1
    return at >= 0 and position < merged[at][1]


def _overlaps(exception: str, conditions: list[str]) -> bool:
    """Whether an exception can matter to a rule on ``conditions``: it or something under it falls under one
    of them ("psychotic illness ... other than depression" does not: depression is not psychotic)."""
    lexicon = get_lexicon()
    wanted = set(conditions)
    if lexicon.condition_ancestors(exception) & wanted or any(exception in lexicon.condition_ancestors(c) for c in wanted):
        return True
    return any(exception in ancestors and ancestors & wanted
               for ancestors in (lexicon.condition_ancestors(i) for i in lexicon.entries["conditions"]))


# --- general terms and their examples -------------------------------------------------------------------


def _negated_head_of_examples(ctx: Context, position: int) -> bool:
    """"No systemic disease other than MS that might be the cause of the optic neuritis (for example sarcoidosis,
    ...)": examples in a parenthesis, or after "e.g." in its sentence, take the negation that opens the clause of
    their general term, however far back (when no negation nearer reaches them)."""
    if ctx.negated(position):
        return False
    open_at = enclosing_paren(ctx.text, position)
    if open_at is None:
        # "No other neurologic disease that could account for the weakness, e.g.: cervical spondylotic myelopathy,
        # peripheral neuropathy": examples after the trigger, in the sentence of a negated general term
        head = max(ctx.text.rfind(". ", 0, position), ctx.text.rfind(";", 0, position)) + 1
        trigger = next((m for m in EXAMPLES_RE.finditer(ctx.text, head, position) if m.group(0).strip()), None)
        if trigger is None:
            return False
        before = trigger.start()
    else:
        if not EXAMPLES_RE.match(ctx.text[open_at + 1:position].lstrip()):
            return False
        head, before = context.clause_start(ctx.text, open_at), open_at
    opening = head + re.match(r"[\s\W]*", ctx.text[head:before]).end()
    return _HEAD_NEGATION_RE.match(ctx.text, opening) is not None


# "Does not pass the MRI safety screening questionnaire (for example a pacemaker ...)": the examples are the ways to
# fail the check, which the negation of passing it does not reach
_NOT_PASSED_RE = re.compile(r"\b(?:does|do|did|could|can|would|will)\s*(?:not|n't)\s+(?:pass|meet|satisfy|clear)\b"
                            r"[^();.]{0,80}$", re.I)


def _examples_of_a_failed_check(ctx: Context, position: int) -> bool:
    open_at = enclosing_paren(ctx.text, position)
    if open_at is None or not EXAMPLES_RE.match(ctx.text[open_at + 1:position].lstrip()):
        return False
    return ctx.negated(position) and _NOT_PASSED_RE.search(ctx.text, context.clause_start(ctx.text, open_at),
                                                           open_at) is not None


# The event a first-event (CIS) trial enrols, named before examples of the forms it may take
_EVENT_BEFORE_RE = re.compile(r"\b(?:first|initial|qualifying|index|single|presenting),?\s+(?:[\w-]+,?\s+){0,3}?"
                              r"(?:event|episode|attack)\b[^;]{0,200}$", re.I)


_PRESENTING_AS_RE = re.compile(r"\b(?:attacks?|events?|episodes?|relapses?|exacerbations?)\b[^;]{0,120}?\b(?:presenting|"
                               r"manifesting|presented|manifested)\s+(?:clinically\s+)?(?:as|with)\b[^;]{0,200}$", re.I)


_DEFINED_BY_MEASURES_RE = re.compile(r"\s*:\s*(?=[^.;]*\d)")
_WORD_RE = re.compile(r"[^\W_]")
_EXCIPIENTS_RE = re.compile(r"\bexcipients?\b|\b(?:inactive\s+)?ingredients?\b", re.I)


# a negation of the whole clause; not one that is part of a term ("inability to undergo MRI (e.g. pacemaker)")
_HEAD_NEGATION_RE = re.compile(r"(?:no|without|absence\s+of|free\s+of|never)\b", re.I)


# "a history of cardiac disorder, defined as: congestive heart failure (NYHA III or IV), ...", "X, namely a or b"
# ("Inability to undergo MRI because of claustrophobia, metal in the body, ...": the reasons a closed list names)
_DEFINITION_RE = re.compile(r"\b(?:namely|defined\s+as(?:\s+(?:any\s+of\s+)?(?:the\s+following|one\s+of))?|i\.\s?e\.|"
                            # (not examples of reasons: "for example because of a cardiac pacemaker")
                            r"(?<=[A-Za-z] )(?<!example )(?<!instance )(?<!e\.g )(?<!eg )because\s+of)\s*:?", re.I)


def _example_lists(text: str, mentions: list) -> list[ExampleList]:
    lists = []
    markers = sorted([*EXAMPLES_RE.finditer(text), *_DEFINITION_RE.finditer(text)], key=lambda m: m.start())
    for marker in markers:
        open_at = enclosing_paren(text, marker.start())
        if open_at is not None:
            end = closing(text, open_at) or len(text)
        else:
            end = segment_end(text, marker.end())
        # the general term: the last mention before the marker, in its sentence, at most 8 words before it
        floor = max(segment_start(text, marker.start()), marker.start() - 200)
        before = [m for m in mentions if floor <= m.start and m.end <= marker.start()]
        general = before[-1] if before and len(text[before[-1].end:marker.start()].split()) <= 8 else None
        lists.append(ExampleList(general, marker.start(), marker.end(), end, marker.re is _DEFINITION_RE))
    heading = _HEADING_COLON_RE.match(text)
    if heading and mentions and mentions[0].end <= heading.start("colon") \
            and not text[mentions[0].end:heading.start("colon")].strip(" )"):
        # "Cardiac disease: unstable angina, heart failure of NYHA class III or IV, or a clinically significant
        # arrhythmia", "Contraindications to MRI: a pacemaker, claustrophobia": the items after the heading's colon
        # are what it means, when they open with a condition
        end = segment_end(text, heading.end())
        items = [m for m in mentions if heading.end() <= m.start < end]
        if len(items) >= 2 and _FIRST_ITEM_RE.match(text, heading.end(), items[0].start):
            lists.append(ExampleList(mentions[0], heading.start("colon"), heading.end(), end, True, heading=True))
    return lists


# A heading of a few words that ends in a colon at the start of a criterion, and the words that may open its first item
_HEADING_COLON_RE = re.compile(r"^\s*(?:[\w'/()-]+\s+){0,7}?[\w'/()-]+(?P<colon>\s*:)", re.I)
# (or a term its parenthesis narrows: "Cardiac disease: heart failure (NYHA class III or IV), ...")
_FIRST_ITEM_RE = re.compile(r"\s*(?:(?:an?|any|the|known|history\s+of|current|active)\s+)*(?:(?:[\w'-]+\s+){1,3}\(\s*)?$", re.I)


def _examples_by_mention(lists: list[ExampleList], mentions: list) -> dict:
    """Each mention standing in an example list, with its list (mentions sorted by position)."""
    starts = [m.start for m in mentions]
    out = {}
    for lst in lists:
        for m in mentions[bisect_right(starts, lst.start - 1):bisect_right(starts, lst.end - 1)]:
            out[m] = lst  # the innermost (latest) list wins
    return out


_HEAD_OF_RE = re.compile(r"^(?P<head>[A-Za-z-]+)\s+(?P<prep>of|on|to)\s+", re.I)


def _distributed_examples(text: str, lists: list[ExampleList], entities: list) -> list[Entity]:
    """"Abuse of recreational drugs, including marijuana and alcohol": the general term's head reaches its
    examples (marijuana abuse, alcohol abuse) when the lexicon has that condition."""
    lexicon = get_lexicon()
    found = []
    for lst in lists:
        head = _HEAD_OF_RE.match(lst.general.text) if lst.general else None
        if not head:
            continue
        for start, end in _items(text, lst.start, lst.end):
            words = list(re.finditer(r"[\w'-]+", text[start:end]))[:3]
            if not words or any(e.start <= start < e.end for e in entities):
                continue
            for size in range(len(words), 0, -1):
                phrase = " ".join(w.group(0) for w in words[:size])
                match = (lexicon.lookup("conditions", f"{phrase} {head.group('head')}", fuzzy=False)
                         or lexicon.lookup("conditions", f"{head.group(0)}{phrase}", fuzzy=False))
                if match:
                    found.append(Entity("CONDITION", match.entry.id, phrase, start, start + words[size - 1].end()))
                    break
    return found


_ITEM_SEPARATOR_RE = re.compile(r"[,;()/]|\b(?:and/or|and|or|other|any)\b", re.I)


def _items(text: str, start: int, end: int):
    """The (start, end) of each item of a list: "marijuana and alcohol in the last 12 months" -> marijuana,
    alcohol in the last 12 months."""
    cuts = [(m.start(), m.end()) for m in _ITEM_SEPARATOR_RE.finditer(text, start, end)]
    for (_, a), (b, _) in zip([(start, start), *cuts], [*cuts, (end, end)]):
        piece = text[a:b]
        if piece.strip():
            offset = a + len(piece) - len(piece.lstrip())
            yield offset, offset + len(piece.strip())


# --- windows and timing ---------------------------------------------------------------------------------


def _item_windows(text: str, mentions: list, windows: list) -> dict:
    """With several windows, each list item keeps its own: "surgery within 6 weeks of entry, coronary stent
    implanted within 8 weeks prior to the MRI"."""
    out = {}
    starts = [w.start for w in windows]
    for m in mentions:
        end = item_end(text, m.end)
        shut = closing(text, end) if text[end:end + 1] == "(" and not text[m.end:end].strip() else None
        if shut is not None:  # "an opportunistic infection (e.g., CMV, aspergillosis) within 6 months": past its examples
            end = item_end(text, shut + 1)
        own = windows[bisect_right(starts, m.end - 1):bisect_right(starts, end - 1)]
        if not own:  # "myocardial infarction, stroke or TIA within 6 months": the window closes the run
            later = windows[bisect_right(starts, end - 1):bisect_right(starts, segment_end(text, m.end) - 1)][:1]
            item_start = max(text.rfind(",", 0, later[0].start), text.rfind(";", 0, later[0].start)) if later else -1
            run = text[end:item_start + 1] if later else ""
            # (not a window inside another item's relative clause: "COPD, or asthma that required hospitalization
            # in the past 2 years")
            if later and re.search(r"\b(?:or|and)\b", text[item_start + 1:later[0].start], re.I) and \
                    not re.search(r"[;()]", run) and not _RELATIVE_CLAUSE_RE.search(text, item_start + 1, later[0].start):
                own = later[:1]
        if own:
            out[m] = own[0]
    return out


_RELATIVE_CLAUSE_RE = re.compile(r"\b(?:that|which|who)\s+(?!(?:occurred|occurs|happened|began|started|was\s+diagnosed|"
                                 r"were\s+diagnosed|has\s+occurred|have\s+occurred)\b)\w+", re.I)


def _in_proviso(text: str, ends: list[int], window) -> bool:
    """Whether a window stands in an "unless" clause after the last condition before it (``ends``: the conditions'
    ends, sorted)."""
    at = bisect_right(ends, window.start)
    start = max(ends[at - 1] if at else 0, segment_start(text, window.start))
    proviso = _UNLESS_BEFORE_RE.search(text, start, window.start)
    # "unless disease-free for at least 5 years" still times the condition (no malignancy within 5 years); "unless
    # seizure-free for 12 months on a stable treatment" is a proviso of treatment (the disorder stays, treated)
    return proviso is not None and (not _DISEASE_FREE_RE.search(text, proviso.end(), window.start)
                                    or _ON_TREATMENT_RE.search(text, window.start, segment_end(text, window.start)))


def _of_excepted_treatment(text: str, exception: Optional[int], ends: list[int], window) -> bool:
    """Whether a window times the treatment of an exception (starting at ``exception``): "History of cancer, apart
    from basal cell carcinoma of the skin treated with curative therapy more than 3 months before randomization" (read
    as the cancer's window, it required a cancer in the last 3 months)."""
    if exception is None or window.start < exception or any(exception <= end <= window.start for end in ends):
        return False
    # (the window of the treatment's own clause: "..., except adequately treated basal cell carcinoma, within the
    # past 5 years" times the malignancy)
    treated = list(_EXCEPTION_TREATED_RE.finditer(text, exception, window.start))
    return bool(treated) and not re.search(r"[,;()]", text[treated[-1].end():window.start])


_EXCEPTION_TREATED_RE = re.compile(r"\b(?:treated|excised|resected|removed|cured|curative|surgery|surgically)\b", re.I)
_ON_TREATMENT_RE = re.compile(r"\b(?:on|with|under|by)\s+(?:a\s+|an\s+|the\s+)?(?:stable\s+|adequate\s+|appropriate\s+)?"
                              r"(?:treatment|medications?|therapy|anti[\s-]?(?:epileptic|convulsant)s?)\b", re.I)
_DISEASE_FREE_RE = re.compile(r"\bfree\b|\bremission\b|\bcured\b|\bresolved\b|\brecurrence\b|\bno\s+evidence\b", re.I)


# "free from seizures for more than 2 years": none in that time (the gap is the rule)
_FREE_OF_RE = re.compile(r"\bfree\b|\bwithout\b|\bno\b|\bnone\b|\blast\b", re.I)


def _mid_list(text: str, mentions: list, windows: list) -> bool:
    """Whether a single window stands inside a list, another item following it: "heart failure (NYHA class III or
    IV), myocardial infarction within the last 6 months, or unstable angina" times the infarction only."""
    if len(windows) != 1:
        return False
    window = windows[0]
    end = segment_end(text, window.end)
    return any(window.end <= m.start < end and _LIST_GAP_RE.fullmatch(text, window.end, m.start) for m in mentions)


# the gap between a window and the next item of its list: ", or (an) unstable angina", ", a known ...",
# ", uncontrolled arterial hypertension" (up to two words of the item's own, not words that list examples)
_LIST_GAP_RE = re.compile(r"[.]?\s*,\s*(?:(?:or|and|and/or)\s+)?(?:(?:an?|any|other)\s+)?"
                          r"(?:(?!(?:includ\w*|such|especially|particularly|notably|namely|[ie]\.[eg]|in|of|with|for)\b)"
                          r"[a-z][\w-]*\s+){0,2}", re.I)


_ITEM_END_RE = re.compile(r"[,;]|\b(?:or|and)\b", re.I)
_CLAUSE_CUT_RE = re.compile(r"[,;]")
# "a previous stroke, ... or a traumatic spinal cord injury": the history word of an item with its own article is that
# item's; the next item with an article of its own does not take it
_OWN_HISTORY_BEFORE_RE = re.compile(r"\b(?:an?)\s+(?:previous|prior|past)\s+$", re.I)
_OWN_ARTICLE_BEFORE_RE = re.compile(r"(?:,|\bor\b|\band\b)\s+an?\s+(?:[\w-]+\s+){0,2}$", re.I)
_NEW_ITEM_RE = re.compile(r",\s*(?:or|and)\b|\b(?:or|and)\s+(?:an?\s+)?(?:history|presence|known|current|active)\b", re.I)
_RUN_JOINER_RE = re.compile(r"\s*(?:or|and|and/or|/)\s*", re.I)  # "stroke or myocardial infarction"


def _is_allergy(condition_id: str) -> bool:
    entry = get_lexicon().get("conditions", condition_id)
    return entry is not None and entry.data.get("category") == "allergy"


def _timings(text: str, mentions: list, windows: list) -> dict:
    """"History of X", "previous X" (ever: now or in the past) -> any; "active X", "current X" -> current; a
    bare "X" as a criterion means the patient has X now -> current, except lifelong allergies -> any. Each
    mention reads from the one before it: "known active infection or history of recurrent or chronic
    infection" is an active infection now, or ever a recurrent or chronic one."""
    out: dict = {}
    if mentions:  # "optic neuritis or uveitis earlier in the same eye" (not "... implanted within 8 weeks prior to")
        tail = text[mentions[-1].end:item_end(text, mentions[-1].end)]
        tail = _without_windows(tail, find_windows(tail))
        if _HISTORY_AFTER_RE.search(tail) or _HISTORY_AT_END_RE.search(text) or \
                _HISTORY_OF_THESE_RE.match(text, mentions[-1].end):
            return {m: "any" for m in mentions}
    previous = None
    lifelong: set = set()
    timed_after: set = set()  # timed by a word after them: "at any time"
    masked = _without_windows(text, windows)  # a window's "past" ("in the past 6 months") is no history word
    for i, m in enumerate(mentions):
        scope_start = previous.end if previous else 0
        if previous in timed_after:  # (not the time words of the item before: "... at any time in the past; Y")
            cut = _CLAUSE_CUT_RE.search(masked, previous.end, m.start)
            scope_start = cut.end() if cut else m.start
        scope = masked[scope_start:m.end]
        # "Major depression at any time, or current suicidal ideation": a time word of the item's own, after it
        own_after = masked[m.end:mentions[i + 1].start if i + 1 < len(mentions) else len(text)]
        cut = _ITEM_END_RE.search(own_after)
        own_after = own_after[:cut.start()] if cut else own_after
        # (the nearer time word governs: "history of haemorrhagic cystitis, ..., or current urinary tract infection")
        history = [h.end() for h in _HISTORY_RE.finditer(scope)]
        # (but "History of, or current, X", "previous or current X": both, i.e. ever)
        if history and not any(c.start() > history[-1] and _CONTENT_WORD_RE.search(scope, history[-1], c.start())
                               for c in _NOW_WORD_RE.finditer(scope)) \
                or _SET_OFF_HISTORY_RE.match(text, m.end):
            out[m] = "any"
        elif _HISTORY_AFTER_RE.search(own_after):
            out[m] = "any"
            timed_after.add(m)
            # "Stroke or myocardial infarction at any time": the time word closes the run joined by "or"
            run = i
            while run and _RUN_JOINER_RE.fullmatch(text, mentions[run - 1].end, mentions[run].start):
                run -= 1
                out[mentions[run]] = "any"
        elif _LIFELONG_RE.search(scope) or _is_allergy(m.id):
            out[m] = "any"  # (an allergy is lifelong, however it is worded: "..., or for gadolinium contrast agents")
            lifelong.add(m)  # "known sensitivity to gadolinium, or inability to undergo MRI": the allergy's own
        elif previous is not None and out[previous] == "any" and previous not in lifelong \
                and not (previous in timed_after and _CLAUSE_CUT_RE.search(text, previous.end, m.start)) \
                and not _CURRENT_RE.search(text[previous.end:m.end]) \
                and not (_OWN_HISTORY_BEFORE_RE.search(text, max(0, previous.start - 20), previous.start)
                         and _OWN_ARTICLE_BEFORE_RE.search(text, previous.end, m.start)):
            out[m] = "any"  # "history of renal or liver disease" (not the item after "X at any time, or")
        elif previous is not None and out[previous] == "any" and previous not in lifelong \
                and _RUN_JOINER_RE.fullmatch(text, previous.end, m.start) and not complete_term(previous):
            out[m] = "any"  # "history of latent or active TB": two states of one head noun, both ever
        else:
            out[m] = "current"
        previous = m
    # "cardiac failure (NYHA class III or IV) at any time": a time word after a parenthesis of kinds is every kind's
    for opening in {enclosing_paren(text, m.start) for m in mentions} - {None}:
        inside = [m for m in mentions if enclosing_paren(text, m.start) == opening]
        shut = closing(text, opening)
        after = masked[shut + 1:] if shut is not None else ""
        cut = _ITEM_END_RE.search(after)
        if len(inside) > 1 and _HISTORY_AFTER_RE.search(after[:cut.start()] if cut else after):
            out.update((m, "any") for m in inside)
    return out


_SINGLE_EPISODE_BEFORE_RE = re.compile(r"\b(?:one|a\s+single|only\s+one|single)\s+(?:episode|attack|event)\s+of\s+"
                                       r"(?:[\w-]+\s+){0,2}$", re.I)


def _window_stops_before(text: str, confident: list, index: int, window) -> bool:
    """Whether a window closing a list stops short of mention ``index``: after a cut in the list (below), or at an
    item with its own time word ("current", "active", "ongoing"), between it and the window or its own.
    "Bipolar disorder, current major depressive episode, or a suicide attempt in the past 12 months": only the
    attempt is within 12 months."""
    m = confident[index]
    if m.end > window.start or re.search(r",\s*$", text[:window.start]):
        return False  # "Varicella or herpes zoster, or any other viral infection, within 6 weeks": set off, it closes all
    if ";" in context.PARENTHESIS_RE.sub("", text[m.end:window.start]):
        return True  # "heart failure of class III–IV (NYHA), unstable angina; myocardial infarction or stroke within 6
        # months": the window closes its own item
    # "Heart failure NYHA class III or IV, myocardial infarction or unstable angina within 6 months": after a comma,
    # items joined by their own "or" on both sides are two items, and the window is the last one's
    sentence_from = max(text.rfind(".", 0, m.start), text.rfind(":", 0, m.start)) + 1
    for comma in re.finditer(r",\s*(?!or\b|and\b)", text[:window.start]):
        after = [n for n in confident if comma.end() <= n.start and n.end <= window.start]
        if m.end <= comma.start() and re.search(r"\bor\b", text[sentence_from:comma.start()]) and len(after) >= 2 \
                and re.search(r"\bor\b", text[after[0].end:after[-1].start]) \
                and not re.search(r",", text[comma.end():window.start]):
            return True
    # "Congestive heart failure (NYHA class III or IV), or a myocardial infarction within the past 6 months",
    # "Known bleeding diathesis, or a major bleeding event within 6 months": a ", or" after a list that is complete
    # (it has its own "or"), or before a new noun phrase ("a", "an"), starts the item the window closes.
    last = max((n for n in confident if n.end <= window.start), key=lambda n: n.end)
    restated = _RESTATED_RE.fullmatch(text, last.end, window.start)
    run = [n for n in confident if m.start <= n.start and n.end <= last.end]
    if restated and last.text.lower().endswith(restated.group("head").lower()) and all(
            re.fullmatch(r"[\s,/]*(?:(?:or|and|and/or)\s+)?", text[a.end:b.start], re.I) for a, b in zip(run, run[1:])):
        return False  # "Current alcohol or drug abuse, or abuse within the 2 years before Day 1": the same conditions
    relative = _RELATIVE_CLAUSE_RE.search(text, m.end, window.start)
    if relative and re.search(r",\s*(?:or|and)\b", text[m.end:relative.start()], re.I):
        return True  # "COPD, or asthma that required hospitalization in the past 2 years": the asthma's relation
    sentence = max(text.rfind(".", 0, m.start), text.rfind(";", 0, m.start)) + 1
    for cut in _LIST_CUT_RE.finditer(text, m.end, window.start):
        if cut.group("article") or re.search(r"\b(?:or|and)\b", text[sentence:cut.start()], re.I):
            return True
    # (from the item before, or for the first item read from the clause it opens: "Current severe depression, or
    # suicidal ideation or a suicide attempt within the 6 months": "current" is the depression's, read by no rule)
    clauses = [c.end() for c in re.finditer(r",\s*(?:or|and)\b|;", text[:m.start], re.I)]
    own_start = confident[index - 1].end if index else (clauses[-1] if clauses else 0)
    for timed in _ITEM_TIMING_RE.finditer(text, own_start, window.start):
        items = [n for n in confident if timed.end() <= n.start and n.end <= window.start
                 and not EXAMPLES_RE.search(text, m.end, n.start)]  # examples of the timed term are not items
        if len(items) >= 2:
            return True
    return False


# ", or abuse within ...", ", or a history of abuse within ...": the head of the condition before, restated
_RESTATED_RE = re.compile(r"\s*,?\s*(?:or|and)\s+(?:an?\s+|any\s+)?(?:(?:history|episodes?)\s+of\s+)?"
                          r"(?P<head>[A-Za-z][\w-]*(?:\s+[A-Za-z][\w-]*)?)\s*", re.I)


def _without_windows(text: str, windows: list) -> str:
    """``text`` with the windows found in it blanked out (same offsets)."""
    for window in windows:
        text = text[:window.start] + " " * (window.end - window.start) + text[window.end:]
    return text


def _without_inner_negations(ctx: Context, entities: list) -> Context:
    """A context whose negation triggers inside condition terms ("inability to undergo MRI") or in a relative
    clause qualifying one are spelled out of reach: they negate nothing after them."""
    chars = list(ctx.text)
    for e in entities:
        if context.has("NEGATION", ctx.text[e.start:e.end]):
            chars[e.start:e.end] = "x" * (e.end - e.start)
        relative = _RELATIVE_NEGATION_RE.match(ctx.text, e.end)
        if relative:
            chars[relative.start():relative.end()] = "x" * (relative.end() - relative.start())
    return Context(text="".join(chars), section=ctx.section, criterion_id=ctx.criterion_id, span=ctx.span,
                   entities=ctx.entities)
