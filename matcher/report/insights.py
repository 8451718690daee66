"""Beyond a yes/no: trials ranked for a patient, time to eligibility, and what to check next.

Pure functions over :class:`~matcher.models.results.TrialResult` objects and the
:class:`~matcher.models.rules.RuleSet` objects that produced them. ``msmatch report`` calls them with
results read from the results store; the web app calls them with fresh results, no store needed.

* :func:`rank`: eligible first, then needs-review with the shortest list of things to confirm, then
  ineligible (those only waiting for a time window first, soonest first).
* :func:`time_to_eligibility`: when every failing criterion is a time window (a washout not yet over, a
  recent relapse, steroids too recently), the date from which they all pass, which windows, and what still
  needs review; given the patient, the date is checked by screening again on it.
* :func:`next_checks`: the unknown criteria of the needs-review trials (and of those only waiting for a time
  window) grouped by what they ask (one lab test, the EDSS, the pregnancy status, ...), ordered by how many
  trials each one would decide.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Iterable, Iterator, Optional

from ..lexicon import get_lexicon, normalise
from ..models.patient import Patient
from ..models.results import CriterionResult, RuleResult, TrialResult
from ..models.rules import CompiledCriterion, Duration, RuleSet

__all__ = ["rank", "time_to_eligibility", "TimeToEligibility", "WindowWait", "next_checks", "Check",
           "check_of", "is_open", "rule_pairs", "describe_wait", "facts_used"]

_VERDICT_ORDER = {"eligible": 0, "needs_review": 1, "ineligible": 2}


def rank(results: Iterable[TrialResult]) -> list[TrialResult]:
    """Eligible, then needs review (fewest criteria to confirm first), then ineligible (a date to wait for
    first, soonest first, then fewest failing criteria)."""
    def key(result: TrialResult):
        waiting = result.eligible_from or date.max
        return (_VERDICT_ORDER[result.verdict], len(result.to_confirm) if result.verdict == "needs_review" else 0,
                waiting if result.verdict == "ineligible" else date.max, len(result.failing), result.trial_id)
    return sorted(results, key=key)


def rule_pairs(results: list[RuleResult],
               criterion: Optional[CompiledCriterion]) -> Iterator[tuple[RuleResult, object]]:
    """Each rule result (groups descended into) with the rule it evaluated, or None without the rule set.

    Results are built in rule order (groups: children in order), so the two trees are walked together; rule
    ids are not used because rules nested in groups may have none.
    """
    def walk(rule_results, rules):
        for n, rule_result in enumerate(rule_results):
            rule = rules[n] if rules is not None and n < len(rules) else None
            yield rule_result, rule
            if rule_result.children:
                yield from walk(rule_result.children, getattr(rule, "rules", None))
    yield from walk(results, list(criterion.rules) if criterion is not None else None)


def facts_used(rule_results: list[RuleResult]) -> list[str]:
    """The patient facts a criterion's rules used, once each: 'treatments: Gilenya (2026-07-31)'."""
    seen: dict[str, None] = {}
    for rule_result, _ in rule_pairs(rule_results, None):
        for fact in rule_result.facts:
            value = fact.value if not isinstance(fact.value, dict) else \
                ", ".join(f"{k} {v}" for k, v in fact.value.items() if v is not None)
            seen[f"{fact.field}: {value}" + (f" ({fact.date})" if fact.date else "")] = None
    return list(seen)


def _criterion(ruleset: Optional[RuleSet], criterion_id: str) -> Optional[CompiledCriterion]:
    if ruleset is None:
        return None
    return next((c for c in ruleset.criteria if c.id == criterion_id), None)


# --- time to eligibility ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class WindowWait:
    """One failing time window and the first date on which it passes."""

    criterion_id: str
    passes_from: date
    description: str  # "the 24-week fingolimod washout ends (Gilenya stopped 2026-07-31)"


@dataclass(frozen=True)
class TimeToEligibility:
    trial_id: str
    as_of: date
    eligible_from: date
    waits: tuple[WindowWait, ...]
    still_to_confirm: tuple[str, ...]  # criterion ids still unknown (on eligible_from when re-checked)
    checked_verdict: Optional[str] = None  # the verdict on eligible_from, when the patient was screened again
    blocked_by: tuple[str, ...] = ()  # "I4: reason" for criteria that fail on eligible_from all the same

    @property
    def checked(self) -> bool:
        return self.checked_verdict is not None

    def when(self) -> str:
        if len(self.waits) == 1:
            return self.waits[0].description
        return " and ".join(f"{w.description} on {w.passes_from}" for w in self.waits)

    def sentence(self) -> str:
        if self.blocked_by:
            return (f"The time windows of {self.trial_id} pass from {self.eligible_from} ({self.when()}), but on that "
                    f"date other criteria fail: {'; '.join(self.blocked_by)}.")
        text = f"Eligible for {self.trial_id} from {self.eligible_from}, when {self.when()}"
        if self.still_to_confirm:
            text += f"; still to confirm: {', '.join(self.still_to_confirm)}"
        return text + "."

    def as_dict(self) -> dict:
        return {"trial_id": self.trial_id, "as_of": self.as_of.isoformat(),
                "eligible_from": self.eligible_from.isoformat(),
                "waits": [{"criterion_id": w.criterion_id, "passes_from": w.passes_from.isoformat(),
                           "description": w.description} for w in self.waits],
                "still_to_confirm": list(self.still_to_confirm), "checked_verdict": self.checked_verdict,
                "blocked_by": list(self.blocked_by), "sentence": self.sentence()}


def time_to_eligibility(result: TrialResult, ruleset: Optional[RuleSet] = None,
                        patient: Optional[Patient] = None) -> Optional[TimeToEligibility]:
    """When only time windows fail: the date from which they all pass (the evaluator's ``eligible_from``),
    described from the rules (``ruleset``, the one that produced ``result``), with the criteria still to
    confirm. With the ``patient``, the patient is screened again on that date: criteria that fail then (an
    inclusion window that has lapsed, an age limit passed) are reported in ``blocked_by``."""
    if result.eligible_from is None:
        return None
    waits = []
    for criterion in result.criteria:
        if criterion.status != "fail":
            continue
        for rule_result, rule in rule_pairs(criterion.rules, _criterion(ruleset, criterion.id)):
            if rule_result.status == "fail" and rule_result.passes_from and not rule_result.children:
                waits.append(WindowWait(criterion.id, rule_result.passes_from,
                                        describe_wait(rule, rule_result, criterion)))
    waits.sort(key=lambda w: (w.passes_from, w.criterion_id))
    unknown = tuple(c.id for c in result.criteria if c.status == "unknown")
    if patient is None or ruleset is None:
        return TimeToEligibility(result.trial_id, result.as_of, result.eligible_from, tuple(waits), unknown)
    from ..evaluate import screen  # the evaluator is needed only for the re-check

    later = screen(ruleset, patient, result.eligible_from)
    blocked = tuple(f"{c.id}: {c.reason}" for c in later.criteria if c.status == "fail")
    return TimeToEligibility(result.trial_id, result.as_of, result.eligible_from, tuple(waits),
                             tuple(c.id for c in later.criteria if c.status == "unknown"), later.verdict, blocked)


def _adjective(duration: Duration) -> str:
    value = int(duration.value) if float(duration.value).is_integer() else duration.value
    return f"{value}-{duration.unit[:-1]}"


def describe_wait(rule, rule_result: RuleResult, criterion: CriterionResult) -> str:
    """'the 24-week fingolimod washout ends (Gilenya stopped 2026-07-31)' for a failing window rule."""
    window = getattr(rule, "window", None)
    if window is None:
        return f"criterion {criterion.id} passes"
    from ..evaluate.windows import clears_on

    adjective = _adjective(window.within)
    # The event that keeps the window shut is the one it clears from (calendar months do not subtract back).
    dated = [f for f in rule_result.facts if f.date is not None]
    event = next((f for f in dated if clears_on(f.date, window.within) == rule_result.passes_from),
                 max(dated, key=lambda f: f.date, default=None))
    value = event.value if event is not None else None
    event_date = event.date if event is not None else "?"
    extra = f", or {window.half_lives} half-lives if longer" if window.half_lives else ""
    if rule.kind == "washout" and rule.started:
        return f"the {adjective} window after the start of {_washout_target(rule, value)} ends ({value or 'the drug'} " \
               f"started {event_date})"
    if rule.kind == "washout":
        target = _washout_target(rule, value)
        stopped = f" ({value} stopped {event_date}{extra})" if value else f" (last dose {event_date}{extra})"
        return f"the {adjective} {target} washout ends{stopped}"
    if rule.kind == "relapse_activity":
        return f"the {adjective} window after the relapse of {event_date} ends"
    if rule.kind == "mri_activity":
        return f"the {adjective} window after MRI activity on {event_date} ends"
    if rule.kind == "live_vaccine":
        vaccine = f" {value}" if value else ""
        return f"the {adjective} window after the live vaccine{vaccine} given {event_date} ends"
    return f"the {adjective} window of criterion {criterion.id} ends"


def _washout_target(rule, treatment: Optional[str]) -> str:
    """What the washout is named after for this patient: the drug they took if the rule lists it, else the
    class of the rule it belongs to ('fingolimod', 'systemic corticosteroid')."""
    lexicon = get_lexicon()
    match = lexicon.find_in("drugs", treatment) if treatment else None
    if match is not None:
        if match.entry.id in rule.drugs:
            return match.entry.id.replace("_", " ")
        classes = sorted(lexicon.drug_classes(match.entry.id) & set(rule.classes))
        if classes:
            return classes[0].replace("_", " ")
    return (rule.drugs[:1] or rule.classes[:1] or ["drug"])[0].replace("_", " ")


# --- what to check next -----------------------------------------------------------------------------------

# What each rule kind asks of the patient, when it is unknown: one question or test settles all of them.
_ASKS = {
    "age": "Date of birth", "sex": "Sex", "healthy_volunteers": "MS diagnosis", "ms_diagnosis": "MS diagnosis",
    "ms_subtype": "MS subtype (and disease activity)", "edss": "EDSS score",
    "disease_duration": "Date of diagnosis or symptom onset", "relapse_activity": "Relapse history",
    "mri_activity": "MRI activity (Gd-enhancing / new T2 lesions)", "washout": "Treatment history",
    "prior_drug": "Treatment history", "pregnancy": "Pregnancy test / breastfeeding status",
    "contraception": "Childbearing potential and contraception", "condition": "Medical history",
    "live_vaccine": "Vaccination history (live vaccines)",
    "investigational": "Participation in other trials / investigational agents",
    "csf_oligoclonal_bands": "CSF oligoclonal bands", "weight": "Weight",
}
_ASKS_KEY = {"prior_drug": "washout", "healthy_volunteers": "ms_diagnosis"}
_MANUAL = {"administrative": "Consent and administrative items (ask at the screening visit)",
           "judgement": "Investigator's judgement"}


def check_of(rule, rule_result: RuleResult, criterion: CriterionResult) -> tuple[str, str]:
    """(key, label) of what an unknown rule asks: rules with the same key are settled by the same question."""
    if rule is not None and rule.when is not None and rule_result.reason.startswith("applies "):
        # Unknown because it is not known whether the rule applies (subtype or EDSS missing), not because of
        # the rule's own predicate: the question is the applicability.
        if rule.when.subtypes is not None and "subtype unknown" in rule_result.reason:
            return "ms_subtype", _ASKS["ms_subtype"]
        if rule.when.edss is not None and "EDSS unknown" in rule_result.reason:
            return "edss", _ASKS["edss"]
    kind = rule_result.kind
    if kind == "lab":
        if rule is None:
            return "lab", "Laboratory tests"
        entry = get_lexicon().get("labs", rule.test)
        return f"lab:{rule.test}", f"Lab: {entry.name if entry else rule.test}"
    if kind == "manual_review":
        category = getattr(rule, "category", None)
        if category in _MANUAL:
            return f"manual:{category}", _MANUAL[category]
        return f"manual:{normalise(criterion.text)}", criterion.text
    return f"kind:{_ASKS_KEY.get(kind, kind)}", _ASKS.get(kind, kind.replace("_", " ").capitalize())


@dataclass
class Check:
    """One question or test, the unknown criteria it bears on, and the trials it would decide."""

    key: str
    label: str
    criteria: list[tuple[str, str]] = field(default_factory=list)  # (trial id, criterion id)
    trials: list[str] = field(default_factory=list)  # open trials with a criterion it bears on
    settles: list[str] = field(default_factory=list)  # open trials for which it is the only question

    def as_dict(self) -> dict:
        return {"key": self.key, "label": self.label, "criteria": [list(c) for c in self.criteria],
                "trials": self.trials, "settles": self.settles}


def _unknown_keys(result: TrialResult, ruleset: Optional[RuleSet]) -> dict[str, dict[tuple[str, str], None]]:
    """criterion id -> the checks (key, label) its unknown rules ask, in order."""
    keys: dict[str, dict[tuple[str, str], None]] = {}
    for criterion in result.criteria:
        if criterion.status != "unknown":
            continue
        asked: dict[tuple[str, str], None] = {}
        for rule_result, rule in rule_pairs(criterion.rules, _criterion(ruleset, criterion.id)):
            if rule_result.status == "unknown" and not rule_result.children:
                asked[check_of(rule, rule_result, criterion)] = None
        if not asked:  # an unknown group whose applicability is unknown: ask about the criterion itself
            asked[(f"criterion:{result.trial_id}:{criterion.id}", criterion.text)] = None
        keys[criterion.id] = asked
    return keys


def is_open(result: TrialResult) -> bool:
    """Needs review, or ineligible only until a time window passes: its unknown criteria are what is left."""
    return result.verdict == "needs_review" or (result.verdict == "ineligible" and result.eligible_from is not None)


def next_checks(results: Iterable[TrialResult], rulesets: Optional[dict[str, RuleSet]] = None) -> list[Check]:
    """The unknown criteria of the open trials (:func:`is_open`), grouped by what they ask, ordered by how
    many trials each would decide: first the checks that are the only open question of the most trials
    (answering them settles those verdicts), then those bearing on the most trials."""
    rulesets = rulesets or {}
    checks: dict[str, Check] = {}
    for result in results:
        if not is_open(result):
            continue
        trial_keys: set[str] = set()
        for criterion_id, asked in _unknown_keys(result, rulesets.get(result.trial_id)).items():
            for key, label in asked:
                check = checks.setdefault(key, Check(key, label))
                check.criteria.append((result.trial_id, criterion_id))
                if result.trial_id not in check.trials:
                    check.trials.append(result.trial_id)
                trial_keys.add(key)
        if len(trial_keys) == 1:
            checks[next(iter(trial_keys))].settles.append(result.trial_id)
    return sorted(checks.values(), key=lambda c: (-len(c.settles), -len(c.trials), -len(c.criteria), c.label))
