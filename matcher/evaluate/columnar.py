"""Columnar screening: a partition of patients against many trials at once, for batch runs.

:func:`decide` screens one patient against one trial; a registry run asks the same ~170 distinct questions
(predicates) of every patient for 20 trials, and Python's per-call cost, not the questions, dominates. Here a
partition of patients is screened column by column:

1. **Predicate columns.** Each distinct predicate of the trials (see :func:`predicates.predicate_key`) is
   answered for every patient of the partition as two arrays: the value (true / false / unknown) and, for a
   window the patient is still inside, the date it clears. The answers come from the very evaluators
   :func:`decide` and :func:`screen` use, called on fewer patients:

   - *candidates*: a rule about drugs, conditions, labs, relapses or MRI scans can only be true for patients
     holding a matching entry (found through an index of the partition built once). Every other patient has no
     matching entry, and for all of them the outcome depends on a small *base* (is the list known at all,
     are there entries the lexicon could not resolve): it is evaluated once per base, on one of them, and
     copied;
   - *signatures*: a rule about the subtype, sex, pregnancy, trial participation... reads a few fields; the
     patients are grouped by those fields and the evaluator runs once per group;
   - *per value*: age, EDSS and disease duration compare one number per patient with a range: the number is
     computed once per distinct date (with the evaluators' own calendar arithmetic) and compared in numpy;
   - any other kind: the evaluator on every patient.

2. **Criteria and verdicts** combine those columns in numpy with the rules of :func:`decide` (a criterion
   fails if a rule fails, else is unknown if one is unknown; the date a failing criterion passes is the last
   of its failing windows' dates, when each has one). Criteria with groups or applicability conditions go
   through :func:`decide`'s own per-patient code.

The result is exactly :func:`decide`'s for every pair (tests/test_columnar.py compares them on the example
patients, the 31 real trials and synthetic registries).
"""

from __future__ import annotations

from datetime import date
from typing import Callable, Iterable, NamedTuple, Optional, Sequence

import numpy as np

from ..models.rules import RuleSet
from . import STATUS_CODES, _FIXED, _FLAT, _LEAF, _applies, _plan
from .facts import PatientFacts
from .predicates import EVALUATORS, Outcome, _is_active, predicate_key
from . import windows

__all__ = ["decide_partition", "TrialColumns", "VERDICTS"]

# Status codes, ordered so that combining a criterion's rules is a maximum: fail > unknown > pass.
PASS, UNKNOWN, FAIL = 0, 1, 2
VERDICTS = ("eligible", "needs_review", "ineligible")  # by the maximum status code of a trial's criteria
_CODE = {"pass": PASS, "unknown": UNKNOWN, "fail": FAIL}
_LETTERS = np.frombuffer("".join(STATUS_CODES[s] for s in ("pass", "unknown", "fail")).encode(), dtype=np.uint8)

# Predicate values: false, true, unknown; and a rule's status by its polarity and its predicate's value.
_F, _T, _U = 0, 1, 2
_VALUE = {False: _F, True: _T, None: _U}
_STATUS_BY_VALUE = {"require": np.array([FAIL, PASS, UNKNOWN], dtype=np.uint8),
                    "exclude": np.array([PASS, FAIL, UNKNOWN], dtype=np.uint8)}
_NO_DATE = 0  # date ordinals start at 1


def _ordinal(day: Optional[date]) -> int:
    return day.toordinal() if day else _NO_DATE


class TrialColumns(NamedTuple):
    """One trial's decisions for a partition, patient by patient (in partition order)."""

    ruleset: RuleSet
    ruleset_sha256: str
    verdicts: np.ndarray  # uint8 index into VERDICTS
    statuses: list[str]  # one letter per criterion, as Decision.statuses
    eligible_from: np.ndarray  # int64 date ordinals, 0: none
    criterion_ids: tuple[str, ...]


class _Partition:
    """The patients of a partition, their predicate columns (computed on demand, once per predicate key), and
    the indexes the column builders share."""

    def __init__(self, facts: Sequence[PatientFacts], as_of: date):
        self.facts, self.as_of, self.n = list(facts), as_of, len(facts)
        self._columns: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._cache: dict[str, object] = {}
        self.keys: dict[int, str] = {}  # predicate keys of rules inside groups, by id(rule)

    def column(self, key: str, rule, evaluate: Callable[..., Outcome]) -> tuple[np.ndarray, np.ndarray]:
        found = self._columns.get(key)
        if found is None:
            builder = _BUILDERS.get(rule.kind, _every_patient) if evaluate is EVALUATORS.get(rule.kind) \
                else _every_patient
            found = self._columns[key] = builder(self, rule, evaluate)
        return found

    def shared(self, name: str, build: Callable[["_Partition"], object]):
        """A per-partition structure several columns use (an index, a per-patient array), built once."""
        if name not in self._cache:
            self._cache[name] = build(self)
        return self._cache[name]

    # The evaluator on some patients, written into the column.
    def evaluate_into(self, values: np.ndarray, clears: np.ndarray, indices: Iterable[int], rule,
                      evaluate: Callable[..., Outcome]) -> None:
        facts, as_of = self.facts, self.as_of
        for i in indices:
            outcome = evaluate(rule, facts[i], as_of)
            values[i] = _VALUE[outcome.value]
            clears[i] = _ordinal(outcome.clears_on)

    def evaluate_grouped(self, values: np.ndarray, clears: np.ndarray, groups: dict, rule,
                         evaluate: Callable[..., Outcome]) -> None:
        """``groups``: signature -> patient indices whose outcomes are equal; one evaluation per group."""
        facts, as_of = self.facts, self.as_of
        for members in groups.values():
            outcome = evaluate(rule, facts[members[0]], as_of)
            values[members] = _VALUE[outcome.value]
            clears[members] = _ordinal(outcome.clears_on)


def _empty(n: int) -> tuple[np.ndarray, np.ndarray]:
    return np.full(n, _U, dtype=np.uint8), np.zeros(n, dtype=np.int64)


def _group(signatures: Iterable) -> dict:
    """Signature -> the indices of the patients that have it (ascending), in order of first appearance."""
    codes: dict = {}
    index = np.fromiter((codes.setdefault(signature, len(codes)) for signature in signatures), dtype=np.intp)
    order = np.argsort(index, kind="stable")
    return dict(zip(codes, np.split(order, np.flatnonzero(np.diff(index[order])) + 1)))


def _every_patient(part: _Partition, rule, evaluate) -> tuple[np.ndarray, np.ndarray]:
    values, clears = _empty(part.n)
    part.evaluate_into(values, clears, range(part.n), rule, evaluate)
    return values, clears


def _candidates_and_bases(part: _Partition, rule, evaluate, candidates: set[int], bases: dict) -> tuple:
    """Candidates evaluated one by one; every other patient once per base (``bases``: base -> patient indices;
    without a matching entry, a patient's outcome depends on its base alone)."""
    values, clears = _empty(part.n)
    facts, as_of = part.facts, part.as_of
    for members in bases.values():
        representative = next((i for i in map(int, members) if i not in candidates), None)
        if representative is not None:
            outcome = evaluate(rule, facts[representative], as_of)
            values[members] = _VALUE[outcome.value]
            clears[members] = _ordinal(outcome.clears_on)
    part.evaluate_into(values, clears, sorted(candidates), rule, evaluate)  # over their base's outcome
    return values, clears


def _bases(base: Callable[[PatientFacts], object]) -> Callable[["_Partition"], dict]:
    return lambda part: _group(base(f) for f in part.facts)


def _index(entries: Callable[[PatientFacts], Iterable[str]]) -> Callable[[_Partition], dict[str, set[int]]]:
    def build(part: _Partition) -> dict[str, set[int]]:
        index: dict[str, set[int]] = {}
        for i, facts in enumerate(part.facts):
            for key in entries(facts):
                index.setdefault(key, set()).add(i)
        return index
    return build


def _condition_ids(facts: PatientFacts) -> Iterable[str]:
    for condition in facts.conditions or ():
        yield from condition.ids


def _treatment_keys(treatment) -> Iterable[str]:
    if treatment.drug_id:
        yield "drug:" + treatment.drug_id
    for cls in treatment.classes:
        yield "class:" + cls


def _exposures(part: _Partition) -> dict[str, list[tuple[int, Optional[date], Optional[date]]]]:
    """Drug or class key -> (patient, start, end) of every treatment of the partition under it."""
    index: dict[str, list] = {}
    for i, facts in enumerate(part.facts):
        for treatment in facts.treatments or ():
            for key in _treatment_keys(treatment):
                index.setdefault(key, []).append((i, treatment.start, treatment.end))
    return index


def _lab_ids(facts: PatientFacts) -> Iterable[str]:
    for result in facts.patient.labs or ():
        lab_id = facts.lab_id(result.test)
        if lab_id:
            yield lab_id


def _matching(index: dict[str, set[int]], keys: Iterable[str]) -> set[int]:
    found: set[int] = set()
    for key in keys:
        found |= index.get(key, set())
    return found


def _conditions(part: _Partition, rule, evaluate):
    # Without a condition whose ids meet the rule's, the evaluator's answer is "no" (or unknown when the history
    # is unknown); exceptions only ever remove matching conditions.
    index = part.shared("conditions", _index(_condition_ids))
    base = part.shared("conditions.base", _bases(lambda f: f.conditions is None))
    return _candidates_and_bases(part, rule, evaluate, _matching(index, rule.conditions), base)


def _treatments(part: _Partition, rule, evaluate):
    # Washout and prior-drug rules read the treatments matching their drugs or classes, and whether any
    # treatment is unresolved (then a "no" becomes unknown). A washout without half-lives reads only those
    # inside its window: a matching treatment that ended before it leaves the answer as if there were none.
    index = part.shared("treatments", _exposures)
    base = part.shared("treatments.base", _bases(lambda f: None if f.treatments is None else any(
        t.drug_id is None and not t.classes for t in f.treatments)))
    keys = [*("drug:" + d for d in rule.drugs), *("class:" + c for c in rule.classes)]
    exposures = [exposure for key in keys for exposure in index.get(key, ())]
    if rule.kind == "washout" and not rule.window.half_lives:
        start, as_of = windows.window_start(part.as_of, rule.window.within), part.as_of
        candidates = {i for i, began, ended in exposures if windows.overlaps(began, ended, start, as_of)}
    else:
        candidates = {i for i, _, _ in exposures}
    return _candidates_and_bases(part, rule, evaluate, candidates, base)


def _labs(part: _Partition, rule, evaluate):
    index = part.shared("labs", _index(_lab_ids))
    base = part.shared("labs.base", _bases(lambda f: f.patient.labs is None))
    return _candidates_and_bases(part, rule, evaluate, index.get(rule.test, set()), base)


def _last_dates(dates: Callable[[PatientFacts], Optional[Iterable[date]]]) -> Callable[["_Partition"], np.ndarray]:
    """Per patient the last of ``dates`` on or before the reference date (ordinal; 0 when none or unknown)."""
    def build(part: _Partition) -> np.ndarray:
        as_of = part.as_of
        return np.fromiter((max((d.toordinal() for d in dates(f) or () if d <= as_of), default=0)
                            for f in part.facts), dtype=np.int64, count=part.n)
    return build


def _relapse_dates(facts: PatientFacts):
    return facts.patient.relapses and [r.date for r in facts.patient.relapses]


def _scan_dates(facts: PatientFacts):
    return facts.patient.mri and [s.date for s in facts.patient.mri]


def _events(name: str, dates: Callable[[PatientFacts], Optional[Iterable[date]]], known: Callable[[PatientFacts], bool]):
    """A builder for rules counting dated events (relapses, MRI scans) in a window: only patients with an event
    inside the window can count any; the others count none (or unknown when the list is unknown)."""
    def build(part: _Partition, rule, evaluate):
        last = part.shared(f"{name}.last", _last_dates(dates))
        start = windows.window_start(part.as_of, rule.window.within).toordinal() if rule.window else 1
        candidates = set(np.flatnonzero(last >= start).tolist())
        base = part.shared(f"{name}.base", _bases(known))
        return _candidates_and_bases(part, rule, evaluate, candidates, base)
    return build


def _by_signature(signature: Callable[[PatientFacts, date], object]):
    """A builder for kinds whose evaluator reads a few fields: one evaluation per distinct ``signature``."""
    name = f"signature.{id(signature)}"

    def build(part: _Partition, rule, evaluate):
        values, clears = _empty(part.n)
        groups = part.shared(name, lambda p: _group(signature(f, p.as_of) for f in p.facts))
        part.evaluate_grouped(values, clears, groups, rule, evaluate)
        return values, clears
    return build


def _subtype_signature(facts: PatientFacts, as_of: date):
    subtype = facts.subtype
    return subtype, _is_active(facts, as_of) if subtype in ("SPMS", "PPMS") else None


def _distinct(field: Callable[[PatientFacts, date], object]) -> Callable[["_Partition"], tuple[list, np.ndarray]]:
    """(the distinct values of ``field`` in the partition, each patient's position among them)."""
    def build(part: _Partition) -> tuple[list, np.ndarray]:
        positions: dict = {}
        where = np.fromiter((positions.setdefault(field(f, part.as_of), len(positions)) for f in part.facts),
                            dtype=np.intp, count=part.n)
        return list(positions), where
    return build


def _per_value(field: Callable[[PatientFacts, date], object], bounds: Callable[[object], object],
               number: Callable[[object, date, object], Optional[float]] = lambda value, as_of, reading: value,
               reading: Callable[[object], object] = lambda rule: None):
    """A builder for ``range.contains(number)`` rules: ``number`` (None: unknown, which the evaluator answers with
    unknown) computed once per distinct ``field`` value of the partition and per ``reading`` (how a rule reads the
    value: rules that read it alike share the numbers), and compared with the rule's range in numpy."""
    name = f"distinct.{id(field)}"

    def numbers_for(how):
        def build(part: _Partition) -> np.ndarray:
            distinct, where = part.shared(name, _distinct(field))
            per_value = np.array([np.nan if q is None else q for q in (number(v, part.as_of, how) for v in distinct)],
                                 dtype=np.float64)
            return per_value[where]
        return build

    def build(part: _Partition, rule, evaluate):
        how = reading(rule)
        numbers = part.shared(f"{name}.{how}", numbers_for(how))
        interval = bounds(rule)
        inside = np.ones(part.n, dtype=bool)
        if interval.low is not None:
            inside &= numbers >= interval.low if interval.low_inclusive else numbers > interval.low
        if interval.high is not None:
            inside &= numbers <= interval.high if interval.high_inclusive else numbers < interval.high
        values = np.where(np.isnan(numbers), _U, np.where(inside, _T, _F)).astype(np.uint8)
        return values, np.zeros(part.n, dtype=np.int64)
    return build


def _edss_field(facts: PatientFacts, as_of: date):
    latest = facts.latest_edss(as_of)
    return None if latest is None else latest.score


def _whole_years(rule) -> bool:
    """Whether an age rule's bounds are whole years (then age is in completed years, as the evaluator counts)."""
    return all(b is None or float(b).is_integer() for b in (rule.years.low, rule.years.high))


def _age_years(birth: Optional[date], as_of: date, whole_years: bool) -> Optional[float]:
    if birth is None:
        return None
    return windows.completed_years(birth, as_of) if whole_years else round(windows.years_between(birth, as_of), 2)


def _duration_years(starts: tuple, as_of: date, measured_from: str) -> Optional[float]:
    start = starts[0] if measured_from == "diagnosis" else starts[1]
    return None if start is None else round(windows.years_between(start, as_of), 2)


def _duration_start(facts: PatientFacts, as_of: date):
    return facts.patient.diagnosis_date, facts.patient.symptom_onset_date


def _investigational_signature(facts: PatientFacts, as_of: date):
    trials = facts.patient.trial_participation
    return (None if trials is None else tuple((t.start, t.end) for t in trials),
            tuple((t.start, t.end) for t in facts.patient.treatments or () if t.investigational))


# Per rule kind, how its column is built (see the module docstring); the signatures name every field the
# kind's evaluator in matcher.evaluate.predicates reads.
_BUILDERS: dict[str, Callable] = {
    "condition": _conditions,
    "washout": _treatments,
    "prior_drug": _treatments,
    "lab": _labs,
    "relapse_activity": _events("relapses", _relapse_dates, lambda f: f.patient.relapses is None),
    "mri_activity": _events("mri", _scan_dates, lambda f: f.patient.mri is None),
    "edss": _per_value(_edss_field, lambda rule: rule.score),
    "age": _per_value(lambda f, as_of: f.patient.birth_date, lambda rule: rule.years, _age_years, _whole_years),
    "disease_duration": _per_value(_duration_start, lambda rule: rule.years, _duration_years,
                                   lambda rule: rule.measured_from),
    "ms_subtype": _by_signature(_subtype_signature),
    "ms_diagnosis": _by_signature(lambda f, as_of: (f.subtype, bool(f.patient.diagnosis_date))),
    "healthy_volunteers": _by_signature(lambda f, as_of: (bool(f.subtype), bool(f.patient.diagnosis_date))),
    "sex": _by_signature(lambda f, as_of: f.patient.sex),
    "pregnancy": _by_signature(lambda f, as_of: (f.patient.sex, f.patient.pregnant, f.patient.breastfeeding)),
    "contraception": _by_signature(lambda f, as_of: (f.patient.sex, f.patient.childbearing_potential,
                                                     f.patient.contraception)),
    "investigational": _by_signature(_investigational_signature),
    "csf_oligoclonal_bands": _by_signature(lambda f, as_of: f.patient.csf_oligoclonal_bands),
    "weight": _per_value(lambda f, as_of: f.patient.weight_kg, lambda rule: rule.kg),
    "manual_review": _by_signature(lambda f, as_of: None),  # reads neither the patient nor the date
}


def _leaf_columns(part: _Partition, leaf) -> tuple[np.ndarray, np.ndarray]:
    """A rule's status codes and pass dates (a failing exclusion window's clearing date) for the partition."""
    if leaf.__class__ is str:  # decided for every patient
        return np.full(part.n, _CODE[leaf], dtype=np.uint8), np.zeros(part.n, dtype=np.int64)
    evaluate, rule, _, window, key = leaf
    values, clears = part.column(key, rule, evaluate)
    statuses = _STATUS_BY_VALUE[rule.polarity][values]
    return statuses, (np.where(statuses == FAIL, clears, _NO_DATE) if window else np.zeros(part.n, dtype=np.int64))


def _combine(columns: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """A criterion from its rules: the worst status; failing, the last pass date when every failing rule has one."""
    if len(columns) == 1:
        return columns[0]
    statuses = np.maximum.reduce([s for s, _ in columns])
    failing = [s == FAIL for s, _ in columns]
    undated = np.logical_or.reduce([f & (d == _NO_DATE) for f, (_, d) in zip(failing, columns)])
    last = np.maximum.reduce([np.where(f, d, _NO_DATE) for f, (_, d) in zip(failing, columns)])
    return statuses, np.where((statuses == FAIL) & ~undated, last, _NO_DATE)


def _applicability(part: _Partition, when) -> np.ndarray:
    """Whether a rule applies (true / false / unknown) per patient: ``_applies`` once per distinct subtype,
    latest EDSS and sex, the fields it reads."""
    groups = part.shared("applicability", lambda p: _group(
        (f.subtype, _edss_field(f, p.as_of), f.patient.sex) for f in p.facts))
    applies = np.empty(part.n, dtype=np.uint8)
    for members in groups.values():
        applies[members] = _VALUE[_applies(when, part.facts[members[0]], part.as_of)[0]]
    return applies


def _rule_columns(part: _Partition, rule) -> tuple[np.ndarray, np.ndarray]:
    """decide's ``_rule_status`` for the partition: a rule's status codes and pass dates, groups included."""
    if rule.kind == "group":
        children = [_rule_columns(part, child) for child in rule.rules]
        if rule.mode == "all":
            statuses, dates = _combine(children)
        else:  # any-of: passes if a child passes, else unknown if one is unknown
            statuses, dates = np.minimum.reduce([s for s, _ in children]), np.zeros(part.n, dtype=np.int64)
        if rule.polarity == "exclude":  # what the group states excludes (see decide's _group_status)
            statuses = np.where(statuses == PASS, FAIL, np.where(statuses == FAIL, PASS, statuses)).astype(np.uint8)
            dates = np.full(part.n, _NO_DATE, dtype=np.int64)
    else:
        key = part.keys.get(id(rule))
        if key is None:
            key = part.keys[id(rule)] = predicate_key(rule)
        statuses, dates = _leaf_columns(part, (EVALUATORS[rule.kind], rule, None, rule.polarity == "exclude", key))
    if rule.when is None:
        return statuses, dates
    applies = _applicability(part, rule.when)
    # Not applicable: passes; applicability unknown: unknown unless it fails anyway.
    statuses = np.where(applies == _F, PASS, np.where((applies == _U) & (statuses != FAIL), UNKNOWN, statuses))
    return statuses.astype(np.uint8), np.where(statuses == FAIL, dates, _NO_DATE)


def _trial(part: _Partition, ruleset: RuleSet) -> TrialColumns:
    plan = _plan(ruleset)
    criteria = []
    for _, how, step in plan.steps:
        if how == _FIXED:
            status, passes_from = step
            criteria.append((np.full(part.n, _CODE[status], dtype=np.uint8),
                             np.full(part.n, _ordinal(passes_from), dtype=np.int64)))
        elif how == _LEAF:
            criteria.append(_leaf_columns(part, step))
        elif how == _FLAT:
            criteria.append(_combine([_leaf_columns(part, leaf) for leaf in step]))
        else:
            criteria.append(_combine([_rule_columns(part, rule) for rule in step]))
    ids = tuple(criterion_id for criterion_id, _, _ in plan.steps)
    if not criteria:  # a rule set always has criteria (NoCriteriaError), but an empty one is eligible
        return TrialColumns(ruleset, plan.sha256, np.zeros(part.n, dtype=np.uint8), [""] * part.n,
                            np.zeros(part.n, dtype=np.int64), ids)
    statuses = np.stack([s for s, _ in criteria], axis=1)  # patients x criteria
    dates = np.stack([d for _, d in criteria], axis=1)
    verdicts = statuses.max(axis=1)
    failing = statuses == FAIL
    undated = (failing & (dates == _NO_DATE)).any(axis=1)
    eligible_from = np.where((verdicts == FAIL) & ~undated, np.where(failing, dates, _NO_DATE).max(axis=1), _NO_DATE)
    letters = np.ascontiguousarray(_LETTERS[statuses])
    texts = letters.view(f"S{len(ids)}").ravel().astype(f"U{len(ids)}").tolist()
    return TrialColumns(ruleset, plan.sha256, verdicts, texts, eligible_from, ids)


def decide_partition(rulesets: Sequence[RuleSet], facts: Sequence[PatientFacts], as_of: date) -> list[TrialColumns]:
    """Screen every patient of ``facts`` against every rule set at ``as_of``: per rule set, its decisions for
    the patients in order. Equal, pair by pair, to :func:`matcher.evaluate.decide`."""
    part = _Partition(facts, as_of)
    return [_trial(part, ruleset) for ruleset in rulesets]
