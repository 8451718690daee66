"""One evaluator per rule kind: the rule's predicate on the patient at a reference date.

Each returns an ``Outcome``: the predicate (True / False / None for unknown), a reason naming the
facts and dates used, the facts themselves, and, for a time window the patient is still inside,
the first date on which the window is over (``clears_on``).

The reason and the facts are given as functions, called only when a full explanation is asked for:
batch screening needs the value alone, and writing dates into sentences costs more than deciding.
"""

from __future__ import annotations

import functools
import json
import sys
from dataclasses import dataclass
from datetime import date
from typing import Callable, Optional

from ..models import rules as R
from ..models.results import Fact
from . import windows
from .facts import PatientFacts


def _no_facts() -> list[Fact]:
    return []


@dataclass(slots=True)
class Outcome:
    value: Optional[bool]
    reason: Callable[[], str]
    facts: Callable[[], list[Fact]] = _no_facts
    clears_on: Optional[date] = None


def _window_text(window: Optional[R.Window]) -> str:
    if window is None:
        return "ever"
    text = f"within {window.within} before {window.anchor.replace('_', ' ')}"
    return text + (f" (or {window.half_lives} half-lives, whichever is longer)" if window.half_lives else "")


def age(rule: R.AgeRule, p: PatientFacts, as_of: date) -> Outcome:
    birth = p.patient.birth_date
    if birth is None:
        return Outcome(None, lambda: "birth date unknown")
    integral = all(b is None or float(b).is_integer() for b in (rule.years.low, rule.years.high))
    years = windows.completed_years(birth, as_of) if integral else round(windows.years_between(birth, as_of), 2)
    return Outcome(rule.years.contains(years), lambda: f"age {years} on {as_of} (born {birth}); required {rule.years}",
                   lambda: [Fact(field="birth_date", value=birth.isoformat())])


def sex(rule: R.SexRule, p: PatientFacts, as_of: date) -> Outcome:
    if set(rule.allowed) >= {"female", "male"}:
        return Outcome(True, lambda: "all sexes are eligible")
    sex = p.patient.sex
    if sex is None:
        return Outcome(None, lambda: f"sex unknown; the trial takes {', '.join(rule.allowed)} only")
    return Outcome(sex in rule.allowed, lambda: f"sex {sex}; the trial takes {', '.join(rule.allowed)}",
                   lambda: [Fact(field="sex", value=sex)])


def healthy_volunteers(rule: R.HealthyVolunteersRule, p: PatientFacts, as_of: date) -> Outcome:
    if rule.accepted:
        return Outcome(True, lambda: "healthy volunteers and patients are both accepted")
    subtype, diagnosed = p.subtype, p.patient.diagnosis_date
    if subtype or diagnosed:
        return Outcome(True, lambda: f"patient has MS ({subtype or 'diagnosed ' + str(diagnosed)})")
    return Outcome(None, lambda: "no MS diagnosis on record; the trial does not take healthy volunteers")


def ms_diagnosis(rule: R.DiagnosisRule, p: PatientFacts, as_of: date) -> Outcome:
    label = lambda: f" ({rule.criteria_version})" if rule.criteria_version else ""  # noqa: E731
    subtype = p.subtype
    if subtype in ("RRMS", "SPMS", "PPMS"):
        return Outcome(True, lambda: f"MS diagnosis on record: {subtype}{label()}",
                       lambda: [Fact(field="ms_subtype", value=subtype)])
    if subtype in ("CIS", "RIS"):
        return Outcome(False, lambda: f"{subtype} is not a diagnosis of MS{label()}",
                       lambda: [Fact(field="ms_subtype", value=subtype)])
    diagnosed = p.patient.diagnosis_date
    if diagnosed:
        return Outcome(True, lambda: f"MS diagnosed on {diagnosed}{label()}",
                       lambda: [Fact(field="diagnosis_date", value=str(diagnosed))])
    return Outcome(None, lambda: f"no MS diagnosis on record{label()}")


def _is_active(p: PatientFacts, as_of: date) -> Optional[bool]:
    """Lublin 2013 'active': a relapse or MRI activity in the past two years."""
    start = windows.window_start(as_of, R.Duration(value=2, unit="years"))
    relapses = p.patient.relapses
    scans = p.patient.mri
    if relapses and any(start <= r.date <= as_of for r in relapses):
        return True
    if scans and any(start <= s.date <= as_of and ((s.gd_enhancing_lesions or 0) + (s.new_t2_lesions or 0)) > 0
                     for s in scans):
        return True
    if relapses is None or scans is None:
        return None
    return False


def ms_subtype(rule: R.SubtypeRule, p: PatientFacts, as_of: date) -> Outcome:
    wanted = lambda: ", ".join(rule.subtypes)  # noqa: E731
    subtype = p.subtype
    if subtype is None:
        raw = p.patient.ms_subtype
        return Outcome(None, lambda: f"MS subtype {'not recognised: ' + repr(raw) if raw else 'unknown'}; "
                                     f"criterion: {wanted()}")
    facts = lambda: [Fact(field="ms_subtype", value=subtype)]  # noqa: E731
    if subtype not in rule.subtypes:
        return Outcome(False, lambda: f"subtype {subtype}; criterion: {wanted()}", facts)
    if rule.active_only and subtype in ("SPMS", "PPMS"):
        # Lublin 2013: a progressive course qualifies only when active (relapses or MRI activity). "Relapsing
        # forms" lists SPMS among relapsing courses; "active progressive MS" lists SPMS and PPMS.
        active = _is_active(p, as_of)
        state = {True: "active", False: "not active", None: "activity unknown"}[active]
        return Outcome(active, lambda: f"{subtype}, {state} in the 2 years before {as_of}; criterion: active "
                                       f"{wanted()}", facts)
    return Outcome(True, lambda: f"subtype {subtype}; criterion: {wanted()}", facts)


def latest_edss(p: PatientFacts, as_of: date):
    return p.latest_edss(as_of)


def edss(rule: R.EdssRule, p: PatientFacts, as_of: date) -> Outcome:
    latest = p.latest_edss(as_of)
    if latest is None:
        return Outcome(None, lambda: f"no EDSS on record; required {rule.score}")
    return Outcome(rule.score.contains(latest.score),
                   lambda: f"EDSS {latest.score:g} on {latest.date or 'an undated visit'}; required {rule.score}",
                   lambda: [Fact(field="edss", value=latest.score, date=latest.date)])


def disease_duration(rule: R.DiseaseDurationRule, p: PatientFacts, as_of: date) -> Outcome:
    start = p.patient.diagnosis_date if rule.measured_from == "diagnosis" else p.patient.symptom_onset_date
    field_name = "diagnosis_date" if rule.measured_from == "diagnosis" else "symptom_onset_date"
    if start is None:
        return Outcome(None, lambda: f"{field_name.replace('_', ' ')} unknown; required duration {rule.years} years")
    years = round(windows.years_between(start, as_of), 2)
    return Outcome(rule.years.contains(years),
                   lambda: f"{years} years since {rule.measured_from} ({start}); required {rule.years} years",
                   lambda: [Fact(field=field_name, value=start.isoformat())])


def _events_in(dates: list[date], window: Optional[R.Window], as_of: date) -> list[date]:
    start = windows.window_start(as_of, window.within) if window else date.min
    return sorted(d for d in dates if start <= d <= as_of)


def relapse_activity(rule: R.RelapseRule, p: PatientFacts, as_of: date) -> Outcome:
    if p.patient.relapses is None:
        return Outcome(None, lambda: f"relapse history unknown; criterion: ≥{rule.min_count} relapse(s) "
                                     f"{_window_text(rule.window)}")
    found = _events_in([r.date for r in p.patient.relapses], rule.window, as_of)
    value = len(found) >= rule.min_count
    clears = windows.clears_on(found[-rule.min_count], rule.window.within) if value and rule.window else None
    return Outcome(value,
                   lambda: f"{len(found)} relapse(s) {_window_text(rule.window)} "
                           f"({', '.join(map(str, found)) or 'none'}); criterion: ≥{rule.min_count}",
                   lambda: [Fact(field="relapses", value="relapse", date=d) for d in found], clears)


def mri_activity(rule: R.MriActivityRule, p: PatientFacts, as_of: date) -> Outcome:
    what = {"gd_enhancing": "Gd-enhancing", "new_t2": "new T2", "any": "Gd-enhancing or new T2"}[rule.lesion]
    if p.patient.mri is None:
        return Outcome(None, lambda: f"MRI history unknown; criterion: ≥{rule.min_count} {what} lesion(s) "
                                     f"{_window_text(rule.window)}")
    start = windows.window_start(as_of, rule.window.within) if rule.window else date.min
    scans = sorted((s for s in p.patient.mri if start <= s.date <= as_of), key=lambda s: s.date)
    best, unknown, last_active = 0, False, None
    for scan in scans:
        counts = {"gd_enhancing": [scan.gd_enhancing_lesions], "new_t2": [scan.new_t2_lesions],
                  "any": [scan.gd_enhancing_lesions, scan.new_t2_lesions]}[rule.lesion]
        known = [c for c in counts if c is not None]
        unknown |= len(known) < len(counts) and not known
        count = sum(known)
        if count >= rule.min_count:
            last_active = scan.date
        best = max(best, count)

    def reason() -> str:
        return f"{len(scans)} MRI scan(s) {_window_text(rule.window)}, most {what} lesions on one scan: {best}; " \
               f"criterion: ≥{rule.min_count}"

    def facts() -> list[Fact]:
        return [Fact(field="mri", value={"gd_enhancing_lesions": scan.gd_enhancing_lesions,
                                         "new_t2_lesions": scan.new_t2_lesions}, date=scan.date) for scan in scans]

    if best >= rule.min_count:
        clears = windows.clears_on(last_active, rule.window.within) if rule.window else None
        return Outcome(True, reason, facts, clears)
    if scans:
        return Outcome(None if unknown else False, reason, facts)
    return Outcome(False, lambda: f"no MRI {_window_text(rule.window)} on record; criterion: ≥{rule.min_count} {what} "
                                  f"lesion(s)")


def _matching_treatments(rule, p: PatientFacts):
    """(matches, unresolved) for a washout or prior-drug rule."""
    matches, unresolved = [], []
    for t in p.treatments or []:
        if t.drug_id is None and not t.classes:
            unresolved.append(t)
            continue
        if t.drug_id in rule.except_drugs:
            continue
        if t.drug_id in rule.drugs or not t.classes.isdisjoint(rule.classes):
            matches.append(t)
    return matches, unresolved


def _targets(rule) -> str:
    names = [*rule.drugs, *(c.replace("_", " ") for c in rule.classes)]
    text = ", ".join(names) or "the drugs named"
    return text + (f" (except {', '.join(rule.except_drugs)})" if rule.except_drugs else "")


def _not_recognised(unresolved, rule) -> str:
    names = ", ".join(repr(t.text) for t in unresolved)
    return f"treatment(s) not recognised: {names}; check whether they are {_targets(rule)}"


def _last_end(treatments, verb: str) -> str:
    """'ended 2026-07-31' (the latest end), for a reason; a treatment that starts after the reference date has
    no end yet."""
    ends = [t.end for t in treatments if t.end]
    return f"{verb} {max(ends)}" if ends else "not started yet"


def _qualified(predicate: Callable[..., Outcome]) -> Callable[..., Outcome]:
    """An exposure found for a rule with a ``qualifier`` (a dose or regimen the record cannot show) is unknown,
    not a match: "high-dose corticosteroids within 30 days" and a patient on prednisone."""
    @functools.wraps(predicate)
    def evaluate(rule, p: PatientFacts, as_of: date) -> Outcome:
        outcome = predicate(rule, p, as_of)
        if outcome.value is not True or not rule.qualifier:
            return outcome
        return Outcome(None, lambda: f"{outcome.reason()}; check whether it was {rule.qualifier} (not on record)",
                       outcome.facts)
    return evaluate


@_qualified
def washout(rule: R.WashoutRule, p: PatientFacts, as_of: date) -> Outcome:
    if p.treatments is None:
        return Outcome(None, lambda: f"treatment history unknown; criterion: {_targets(rule)} "
                                     f"{_window_text(rule.window)}")
    matches, unresolved = _matching_treatments(rule, p)
    start = windows.window_start(as_of, rule.window.within)
    inside = [t for t in matches if windows.overlaps(t.start, t.end, start, as_of)]
    facts = lambda: [Fact(field="treatments", value=t.text, date=t.end or t.start) for t in matches]  # noqa: E731
    if rule.started:
        return _started_within(rule, matches, unresolved, inside, start, as_of)
    if rule.min_duration and inside:
        undated = [t for t in inside if t.start is None]
        inside = [t for t in inside if t.start and _lasted(t, rule.min_duration, as_of)]
        if not inside and undated:
            return Outcome(None, lambda: f"start date of {undated[0].text} unknown; criterion: {_targets(rule)} for "
                                         f"at least {rule.min_duration} {_window_text(rule.window)}", facts)
        matches = [t for t in matches if t.start and _lasted(t, rule.min_duration, as_of)]
    if inside:
        ongoing = [t for t in inside if t.end is None or t.end >= as_of]
        if ongoing:
            return Outcome(True, lambda: f"{ongoing[0].text} ongoing on {as_of}; the window is {rule.window.within}",
                           facts)
        last = max(t.end for t in inside)
        clears = windows.clears_on(last, rule.window.within)
        return Outcome(True, lambda: f"{inside[0].text} stopped {last}, {(as_of - last).days / 7:.0f} weeks before "
                                     f"{as_of}; the window is {rule.window.within} (passes from {clears})",
                       facts, clears)
    if matches and rule.window.half_lives:
        return Outcome(None, lambda: f"{matches[0].text} {_last_end(matches, 'stopped')}, outside "
                                     f"{rule.window.within}; check {rule.window.half_lives} half-lives", facts)
    return _none_in_window(rule, matches, unresolved, facts, lambda: f"last {matches[-1].text} "
                           f"{_last_end(matches, 'ended')}", _window_text(rule.window))


def _none_in_window(rule, matches, unresolved, facts, last: Callable[[], str], criterion: str) -> Outcome:
    """No exposure in the window: unknown while a treatment is not recognised, else no (``last``: the latest
    exposure outside it, for the reason)."""
    if unresolved:
        return Outcome(None, lambda: _not_recognised(unresolved, rule), facts)
    detail = last if matches else lambda: f"no {_targets(rule)} on record"
    return Outcome(False, lambda: f"{detail()}; criterion: {criterion}", facts)


def _started_within(rule: R.WashoutRule, matches, unresolved, inside, start: date, as_of: date) -> Outcome:
    """A start of the drugs within the window ("fampridine started less than 3 months before screening"), drug by
    drug: baclofen taken for years does not cover tizanidine begun last week, and a start stopped since still counts.
    """
    facts = lambda: [Fact(field="treatments", value=t.text, date=t.start) for t in matches]  # noqa: E731
    began = [t for t in inside if t.start and start <= t.start <= as_of]
    if began:
        latest = max(began, key=lambda t: t.start)
        clears = windows.clears_on(latest.start, rule.window.within)
        return Outcome(True, lambda: f"{latest.text} started {latest.start}, within {rule.window.within} before "
                                     f"{as_of} (passes from {clears})", facts, clears)
    undated = [t for t in inside if t.start is None]
    if undated:
        return Outcome(None, lambda: f"start date of {undated[0].text} unknown; criterion: {_targets(rule)} started "
                                     f"{_window_text(rule.window)}", facts)
    return _none_in_window(rule, matches, unresolved, facts, lambda: f"{matches[-1].text} started "
                           f"{matches[-1].start or 'on a date not on record'}, outside the window",
                           f"started {_window_text(rule.window)}")


def _lasted(t, duration: R.Duration, as_of: date) -> bool:
    """Whether a treatment with a known start lasted ``duration`` (an ongoing one: up to the reference date)."""
    return min(t.end or as_of, as_of) >= windows.after(t.start, duration)


@_qualified
def prior_drug(rule: R.PriorDrugRule, p: PatientFacts, as_of: date) -> Outcome:
    if p.treatments is None:
        return Outcome(None, lambda: f"treatment history unknown; criterion: {_targets(rule)}")
    matches, unresolved = _matching_treatments(rule, p)
    matches = [t for t in matches if t.start is None or t.start <= as_of]
    if rule.current:
        matches = [t for t in matches if t.end is None or t.end >= as_of]
    if rule.min_duration:
        long_enough = [t for t in matches if t.start and _lasted(t, rule.min_duration, as_of)]
        undated = [t for t in matches if t.start is None]
        if undated and len({t.drug_id or t.text for t in long_enough}) < rule.min_distinct:
            first = undated[0]
            return Outcome(None, lambda: f"start date of {first.text} unknown; criterion: at least {rule.min_duration}")
        matches = long_enough
    distinct = {t.drug_id or t.text for t in matches}
    facts = lambda: [Fact(field="treatments", value=t.text, date=t.start) for t in matches]  # noqa: E731

    def what() -> str:
        text = f"{'current ' if rule.current else ''}{_targets(rule)}"
        return text + (f" for at least {rule.min_duration}" if rule.min_duration else "")

    if len(distinct) >= rule.min_distinct:
        return Outcome(True, lambda: f"{', '.join(sorted(t.text for t in matches))} on record; criterion: {what()}",
                       facts)
    if unresolved:
        return Outcome(None, lambda: _not_recognised(unresolved, rule), facts)
    count = lambda: f" ({len(distinct)} of {rule.min_distinct} needed)" if rule.min_distinct > 1 else ""  # noqa: E731
    return Outcome(False, lambda: f"no {what()} on record{count()}", facts)


_OPS = {"<": lambda a, b: a < b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b,
        ">=": lambda a, b: a >= b, "==": lambda a, b: a == b}


def _lab_criterion(rule: R.LabRule) -> str:
    return f"{rule.test} {rule.comparator} {rule.value:g} {rule.unit or ''}".strip()


def lab(rule: R.LabRule, p: PatientFacts, as_of: date) -> Outcome:
    if p.patient.labs is None:
        return Outcome(None, lambda: f"no labs on record; criterion: {_lab_criterion(rule)}")
    results = [result for result in p.patient.labs
               if (result.date is None or result.date <= as_of) and p.lab_id(result.test) == rule.test]
    if not results:
        return Outcome(None, lambda: f"no {rule.test} result on record; criterion: {_lab_criterion(rule)}")
    latest = max(results, key=lambda result: result.date or date.min)
    if rule.unit in (R.ULN_UNIT, R.LLN_UNIT):
        return _lab_relative_to_limit(rule, latest)
    patient_factor = p.unit_factor(rule.test, latest.unit)
    rule_factor = p.unit_factor(rule.test, rule.unit)
    fact = lambda: [Fact(field="labs", value=f"{latest.test} {latest.value:g} {latest.unit or ''}".strip(),  # noqa: E731
                         date=latest.date)]
    if patient_factor is None or rule_factor is None:
        return Outcome(None, lambda: f"{latest.test} {latest.value:g} {latest.unit}: cannot compare units with "
                                     f"{_lab_criterion(rule)}", fact)
    value = latest.value * patient_factor
    threshold = rule.value * rule_factor
    return Outcome(_OPS[rule.comparator](value, threshold),
                   lambda: f"{latest.test} {latest.value:g} {latest.unit or ''} on {latest.date}; "
                           f"criterion: {_lab_criterion(rule)}", fact)


def _lab_relative_to_limit(rule: R.LabRule, latest) -> Outcome:
    """A bound in multiples of the upper (or lower) limit of normal: the result over the limit reported with it
    (the laboratory's own reference range, in the result's unit). Without that limit there is nothing to compare."""
    upper = rule.unit == R.ULN_UNIT
    name, limit = ("ULN", latest.upper_limit) if upper else ("LLN", latest.lower_limit)
    fact = lambda: [Fact(field="labs", value=f"{latest.test} {latest.value:g} {latest.unit or ''}".strip()  # noqa: E731
                         + (f" ({name} {limit:g})" if limit else ""), date=latest.date)]
    if limit is None:
        return Outcome(None, lambda: f"{latest.test} {latest.value:g} {latest.unit or ''} on {latest.date}: no "
                                     f"{'upper' if upper else 'lower'} limit of normal on record; criterion: "
                                     f"{_lab_criterion(rule)}", fact)
    ratio = latest.value / limit
    return Outcome(_OPS[rule.comparator](ratio, rule.value),
                   lambda: f"{latest.test} {latest.value:g} {latest.unit or ''} on {latest.date} = {ratio:.2f} x {name} "
                           f"({limit:g}); criterion: {_lab_criterion(rule)}", fact)


def pregnancy(rule: R.PregnancyRule, p: PatientFacts, as_of: date) -> Outcome:
    asked = [name for name, wanted in (("pregnant", rule.pregnant), ("breastfeeding", rule.breastfeeding)) if wanted]
    if p.patient.sex == "male":
        return Outcome(False, lambda: "male patient", lambda: [Fact(field="sex", value="male")])
    values = {name: getattr(p.patient, name) for name in asked}
    facts = lambda: [Fact(field=name, value=value) for name, value in values.items() if value is not None]  # noqa: E731
    if any(values.values()):
        return Outcome(True, lambda: " and ".join(n for n, v in values.items() if v), facts)
    if all(v is False for v in values.values()):
        return Outcome(False, lambda: "not " + " or ".join(asked), facts)
    return Outcome(None, lambda: " / ".join(n for n, v in values.items() if v is None) + " status unknown", facts)


def contraception(rule: R.ContraceptionRule, p: PatientFacts, as_of: date) -> Outcome:
    pt = p.patient
    if rule.when is not None and rule.when.sex == "male" and pt.sex == "male":
        # asked of men ("male participants must use a condom"): whether this man does, not whether he can bear children
        if pt.contraception is None:
            return Outcome(None, lambda: "contraception of a male participant unknown")
        return Outcome(pt.contraception, lambda: "uses contraception" if pt.contraception else "does not use contraception",
                       lambda: [Fact(field="contraception", value=pt.contraception)])
    if pt.childbearing_potential is False:
        return Outcome(True, lambda: "not of childbearing potential: contraception criterion does not apply",
                       lambda: [Fact(field="childbearing_potential", value=False)])
    if pt.sex == "male" and pt.childbearing_potential is None:
        return Outcome(True, lambda: "not of childbearing potential: contraception criterion does not apply",
                       lambda: [Fact(field="sex", value="male")])
    if pt.contraception is True:
        return Outcome(True, lambda: "uses effective contraception", lambda: [Fact(field="contraception", value=True)])
    if pt.childbearing_potential is None:
        return Outcome(None, lambda: "childbearing potential unknown")
    if pt.contraception is False:
        return Outcome(False, lambda: "of childbearing potential and not using contraception",
                       lambda: [Fact(field="contraception", value=False)])
    return Outcome(None, lambda: "of childbearing potential; contraception unknown")


def condition(rule: R.ConditionRule, p: PatientFacts, as_of: date) -> Outcome:
    wanted = lambda: ", ".join(c.replace("_", " ") for c in rule.conditions)  # noqa: E731
    if p.conditions is None:
        return Outcome(None, lambda: f"medical history unknown; criterion: {wanted()}")
    start = windows.window_start(as_of, rule.window.within) if rule.window else None
    # "Acute optic neuritis with onset within the 14 days before Day 1", required: the episode now, begun in the
    # window (excluded, "active infection within 2 weeks" is any infection active in that time, however old)
    onset_window = start is not None and rule.timing == "current" and rule.polarity == "require"
    hits, excepted, undated, older = [], [], [], []
    for c in p.conditions:
        if c.ids.isdisjoint(rule.conditions):
            continue
        if not c.ids.isdisjoint(rule.exceptions):
            excepted.append(c)
            continue
        active = c.resolved is None or c.resolved >= as_of
        if rule.timing == "current" and not active:
            continue
        if onset_window and not (c.onset and c.onset >= start):
            (undated if c.onset is None else older).append(c)
            continue
        if start and not ((c.onset and c.onset >= start) or active or (c.resolved and c.resolved >= start)):
            continue
        hits.append(c)
    facts = lambda: [Fact(field="conditions", value=c.text, date=c.onset)  # noqa: E731
                     for c in hits + undated + older + excepted]
    if hits:
        return Outcome(True, lambda: f"{', '.join(c.text for c in hits)} on record; criterion: {wanted()}", facts)
    if undated:
        return Outcome(None, lambda: f"onset of {', '.join(c.text for c in undated)} unknown; criterion: {wanted()} "
                                     f"begun {_window_text(rule.window)}", facts)

    conditions = p.conditions  # not the patient itself: outcomes are kept with the patient's facts

    def reason() -> str:
        note = f" ({', '.join(c.text for c in excepted)} is an exception)" if excepted else ""
        note += "".join(f"; {c.text} began on {c.onset}, not {_window_text(rule.window)}" for c in older)
        unknown = [c.text for c in conditions if not c.ids]
        tail = f"; not in the lexicon, not checked: {', '.join(unknown)}" if unknown else ""
        return f"no {wanted()} on record{note}{tail}"

    return Outcome(False, reason, facts)


def live_vaccine(rule: R.LiveVaccineRule, p: PatientFacts, as_of: date) -> Outcome:
    if p.patient.vaccinations is None:
        return Outcome(None, lambda: f"vaccination history unknown; criterion: live vaccine "
                                     f"{_window_text(rule.window)}")
    start = windows.window_start(as_of, rule.window.within) if rule.window else date.min
    recent = [v for v in p.patient.vaccinations if v.date and start <= v.date <= as_of]
    live = [v for v in recent if p.vaccine_is_live(v.vaccine, v.live)]
    unsure = [v for v in recent if p.vaccine_is_live(v.vaccine, v.live) is None]
    undated = [v for v in p.patient.vaccinations
               if v.date is None and p.vaccine_is_live(v.vaccine, v.live) is not False]
    facts = lambda: [Fact(field="vaccinations", value=v.vaccine, date=v.date) for v in live + unsure]  # noqa: E731
    if live:
        last = max(v.date for v in live)
        clears = windows.clears_on(last, rule.window.within) if rule.window else None
        return Outcome(True, lambda: f"live vaccine {live[-1].vaccine} on {last}; criterion: "
                                     f"{_window_text(rule.window)}", facts, clears)
    if unsure or undated:
        return Outcome(None, lambda: f"not known whether {', '.join(v.vaccine for v in unsure + undated)} is live",
                       facts)
    return Outcome(False, lambda: f"no live vaccine {_window_text(rule.window)}", facts)


def investigational(rule: R.InvestigationalRule, p: PatientFacts, as_of: date) -> Outcome:
    start = windows.window_start(as_of, rule.window.within) if rule.window else date.min
    trials = p.patient.trial_participation
    flagged = [t for t in (p.patient.treatments or []) if t.investigational]
    hits = [f"{t.drug} (investigational)" for t in flagged if windows.overlaps(t.start, t.end, start, as_of)]
    hits += [f"trial {t.trial or '?'}" for t in trials or [] if windows.overlaps(t.start, t.end, start, as_of)]
    if hits:
        return Outcome(True, lambda: f"{', '.join(hits)} {_window_text(rule.window)}",
                       lambda: [Fact(field="trial_participation", value=h) for h in hits])
    if trials is None:
        return Outcome(None, lambda: f"participation in other trials unknown; criterion: {_window_text(rule.window)}")
    if rule.window and rule.window.half_lives and (flagged or trials):
        return Outcome(None, lambda: f"earlier investigational exposure: check {rule.window.half_lives} half-lives")
    return Outcome(False, lambda: f"no investigational agent or trial {_window_text(rule.window)}")


def csf_oligoclonal_bands(rule: R.CsfOligoclonalBandsRule, p: PatientFacts, as_of: date) -> Outcome:
    value = p.patient.csf_oligoclonal_bands
    if value is None:
        return Outcome(None, lambda: "CSF oligoclonal bands unknown")
    return Outcome(value, lambda: f"CSF oligoclonal bands {'positive' if value else 'negative'}",
                   lambda: [Fact(field="csf_oligoclonal_bands", value=value)])


def weight(rule: R.WeightRule, p: PatientFacts, as_of: date) -> Outcome:
    kg = p.patient.weight_kg
    if kg is None:
        return Outcome(None, lambda: f"weight unknown; criterion: {rule.kg} kg")
    return Outcome(rule.kg.contains(kg), lambda: f"weight {kg:g} kg; criterion: {rule.kg} kg",
                   lambda: [Fact(field="weight_kg", value=kg)])


def manual_review(rule: R.ManualReviewRule, p: PatientFacts, as_of: date) -> Outcome:
    if rule.decided is not None:
        return Outcome(rule.decided, lambda: "decided by a coordinator")
    return Outcome(None, lambda: f"to confirm by a person: {rule.why}")


# Evaluators that read neither the patient nor the date: their rules are decided once per rule set.
PATIENT_INDEPENDENT = frozenset({"manual_review"})
# What a predicate does not read: the rule's identity, source, polarity and applicability (evaluate applies
# those), so rules equal but for these have the same outcome for a patient at a date.
_NOT_READ = {"id", "criterion_id", "section", "polarity", "text", "span", "origin", "when"}


def predicate_key(rule) -> str:
    """A key equal for rules whose predicates are the same (other trials often ask the same question)."""
    fields = json.dumps(rule.model_dump(mode="json", exclude=_NOT_READ), sort_keys=True, ensure_ascii=False)
    return sys.intern(fields)


EVALUATORS: dict[str, Callable[..., Outcome]] = {
    "age": age, "sex": sex, "healthy_volunteers": healthy_volunteers, "ms_diagnosis": ms_diagnosis,
    "ms_subtype": ms_subtype, "edss": edss, "disease_duration": disease_duration,
    "relapse_activity": relapse_activity, "mri_activity": mri_activity, "washout": washout,
    "prior_drug": prior_drug, "lab": lab, "pregnancy": pregnancy, "contraception": contraception,
    "condition": condition, "live_vaccine": live_vaccine, "investigational": investigational,
    "csf_oligoclonal_bands": csf_oligoclonal_bands, "weight": weight, "manual_review": manual_review,
}
