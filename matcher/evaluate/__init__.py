"""Evaluate: rules x patient x reference date -> per-criterion results and a trial verdict.

Tri-state throughout: a rule's predicate is true, false or unknown (missing data), never a guess.
Polarity turns it into a status: ``require`` passes when true, ``exclude`` passes when false.
The verdict is ``ineligible`` if any criterion fails, else ``needs_review`` if any is unknown,
else ``eligible``.

One evaluation, two renderings: :func:`decide` gives a :class:`Decision` (verdict and per-criterion
statuses, with reasons and facts left unwritten until asked for), which batch screening stores compactly;
:func:`screen` is ``decide(...).result()``, the full ``TrialResult`` with every reason and fact.
"""

from __future__ import annotations

import weakref
from datetime import date
from typing import Callable, Optional

from .. import __version__
from ..models.patient import Patient
from ..models.results import Fact, RuleResult, TrialResult
from ..models.rules import Applicability, CompiledCriterion, RuleSet
from .facts import PatientFacts
from .predicates import EVALUATORS, PATIENT_INDEPENDENT, latest_edss

__all__ = ["screen", "decide", "Decision", "evaluate_rule", "PatientFacts", "STATUS_CODES", "ENGINE_VERSION"]

ENGINE_VERSION = f"msmatch/{__version__}"
STATUS_CODES = {"pass": "p", "fail": "f", "unknown": "u"}  # Decision.statuses: one letter per criterion


# polarity -> predicate value -> status: ``require`` passes when true, ``exclude`` passes when false.
_STATUS = {"require": {True: "pass", False: "fail", None: "unknown"},
           "exclude": {True: "fail", False: "pass", None: "unknown"}}


def _combine(statuses) -> str:
    """A criterion (or an all-of group): fails if any rule fails, else unknown if any is unknown."""
    return "fail" if "fail" in statuses else "unknown" if "unknown" in statuses else "pass"


def _applies(when: Optional[Applicability], p: PatientFacts, as_of: date) -> tuple[Optional[bool], str]:
    if when is None:
        return True, ""
    if when.subtypes is not None:
        if p.subtype is None:
            return None, f"applies to {', '.join(when.subtypes)}; subtype unknown"
        if p.subtype not in when.subtypes:
            return False, f"applies to {', '.join(when.subtypes)} only; patient has {p.subtype}"
    if when.edss is not None:
        latest = latest_edss(p, as_of)
        if latest is None:
            return None, f"applies when EDSS {when.edss}; EDSS unknown"
        if not when.edss.contains(latest.score):
            return False, f"applies when EDSS {when.edss}; patient EDSS {latest.score:g}"
    if when.sex is not None and p.patient.sex is not None and p.patient.sex != when.sex:
        return False, f"applies to {when.sex} patients only"
    return True, ""


def _no_facts() -> list[Fact]:
    return []


class RuleDecision:
    """A rule's status (and, for a failing time window, the date it passes); the reason is written on demand."""

    __slots__ = ("rule", "status", "passes_from", "_reason", "_facts", "children")

    def __init__(self, rule, status: str, passes_from: Optional[date], reason: Callable[[], str],
                 facts: Callable[[], list[Fact]] = _no_facts, children: tuple["RuleDecision", ...] = ()):
        self.rule, self.status, self.passes_from = rule, status, passes_from
        self._reason, self._facts, self.children = reason, facts, children

    @property
    def reason(self) -> str:
        return self._reason()

    def as_dict(self) -> dict:
        return {"rule_id": self.rule.id, "kind": self.rule.kind, "status": self.status, "reason": self._reason(),
                "facts": self._facts(), "passes_from": self.passes_from,
                "children": [child.as_dict() for child in self.children]}


def decide_rule(rule, p: PatientFacts, as_of: date) -> RuleDecision:
    applies, why = (True, "") if rule.when is None else _applies(rule.when, p, as_of)
    if applies is False:
        return RuleDecision(rule, "pass", None, lambda: f"not applicable: {why}")
    if rule.kind == "group":
        children = tuple([decide_rule(child, p, as_of) for child in rule.rules])
        statuses = [c.status for c in children]
        if rule.mode == "all":
            status = _combine(statuses)
            passes_from = max((c.passes_from for c in children if c.status == "fail" and c.passes_from), default=None)
        else:
            status = "pass" if "pass" in statuses else "unknown" if "unknown" in statuses else "fail"
            passes_from = None

        unsure = applies is None and status != "fail"  # the group may not apply to this patient

        def reason() -> str:
            counts = ", ".join(f"{statuses.count(s)} {s}" for s in ("pass", "fail", "unknown") if s in statuses)
            text = f"{'all' if rule.mode == 'all' else 'at least one'} of {len(children)} needed: {counts}"
            return f"{why}; {text}" if unsure else text

        if unsure:
            return RuleDecision(rule, "unknown", None, reason, children=children)
        return RuleDecision(rule, status, passes_from if status == "fail" else None, reason, children=children)
    outcome = EVALUATORS[rule.kind](rule, p, as_of)
    status = _STATUS[rule.polarity][outcome.value]
    if status == "fail":
        passes_from = outcome.clears_on if rule.polarity == "exclude" else None
        return RuleDecision(rule, status, passes_from, outcome.reason, outcome.facts)
    if applies is None:
        return RuleDecision(rule, "unknown", None, lambda: f"{why}; {outcome.reason()}", outcome.facts)
    return RuleDecision(rule, status, None, outcome.reason, outcome.facts)


def evaluate_rule(rule, p: PatientFacts, as_of: date) -> RuleResult:
    return RuleResult.model_validate(decide_rule(rule, p, as_of).as_dict())


class CriterionDecision:
    __slots__ = ("criterion", "status", "rules")

    def __init__(self, criterion: CompiledCriterion, status: str, rules: list[RuleDecision]):
        self.criterion, self.status, self.rules = criterion, status, rules

    @property
    def reason(self) -> str:
        deciding = [r for r in self.rules if r.status == self.status] or self.rules
        return "; ".join(r.reason for r in deciding)

    @property
    def passes_from(self) -> Optional[date]:
        """When every failing rule is a time window: the date the last of them passes."""
        failing = [r for r in self.rules if r.status == "fail"]
        if not failing or any(r.passes_from is None for r in failing):
            return None
        return max(r.passes_from for r in failing)

    def as_dict(self) -> dict:
        c = self.criterion
        return {"id": c.id, "section": c.section, "text": c.text, "span": c.span, "status": self.status,
                "reason": self.reason, "rules": [r.as_dict() for r in self.rules]}


def _decide_criterion(criterion: CompiledCriterion, p: Optional[PatientFacts],
                      as_of: Optional[date]) -> CriterionDecision:
    rules = [decide_rule(rule, p, as_of) for rule in criterion.rules]
    status = rules[0].status if len(rules) == 1 else _combine([r.status for r in rules])
    return CriterionDecision(criterion, status, rules)


def _independent(rule) -> bool:
    """Whether a rule's status can be known without the patient or the date (a manual-review rule)."""
    if rule.when is not None:
        return False
    if rule.kind == "group":
        return all(_independent(child) for child in rule.rules)
    return rule.kind in PATIENT_INDEPENDENT


class _Plan:
    """What screening needs of a rule set, computed once per rule set object (rule sets are frozen: an edit
    makes a new one): its content hash, and the criteria no patient can change, decided in advance."""

    def __init__(self, ruleset: RuleSet):
        self.ruleset = weakref.ref(ruleset)
        self.sha256 = ruleset.content_sha256()
        self.fixed = [_decide_criterion(c, None, None) if all(map(_independent, c.rules)) else None
                      for c in ruleset.criteria]


_PLANS: dict[int, _Plan] = {}


def _plan(ruleset: RuleSet) -> _Plan:
    plan = _PLANS.get(id(ruleset))
    if plan is None or plan.ruleset() is not ruleset:
        plan = _PLANS[id(ruleset)] = _Plan(ruleset)
        weakref.finalize(ruleset, _PLANS.pop, id(ruleset), None)
    return plan


class Decision:
    """One patient x trial screening without the prose: verdict, failing and unknown criterion ids, the date
    the patient could become eligible, and one status per criterion. ``result()`` writes the full
    ``TrialResult`` (reasons and facts), identical to :func:`screen`."""

    __slots__ = ("ruleset", "patient_id", "as_of", "criteria", "verdict", "failing", "unknown", "eligible_from",
                 "ruleset_sha256")

    def __init__(self, ruleset: RuleSet, patient_id: str, as_of: date, criteria: list[CriterionDecision],
                 ruleset_sha256: str):
        self.ruleset, self.patient_id, self.as_of, self.criteria = ruleset, patient_id, as_of, criteria
        self.ruleset_sha256 = ruleset_sha256
        failing = [c for c in criteria if c.status == "fail"]
        self.failing = tuple(c.criterion.id for c in failing)
        self.unknown = tuple(c.criterion.id for c in criteria if c.status == "unknown")
        self.verdict = "ineligible" if failing else "needs_review" if self.unknown else "eligible"
        self.eligible_from = None
        if failing:
            dates = [c.passes_from for c in failing]
            if all(dates):
                self.eligible_from = max(dates)

    @property
    def trial_id(self) -> str:
        return self.ruleset.trial_id

    @property
    def statuses(self) -> str:
        """One letter per criterion in rule-set order: p(ass), f(ail), u(nknown) (see ``STATUS_CODES``)."""
        return "".join([STATUS_CODES[c.status] for c in self.criteria])

    def result(self) -> TrialResult:
        # Validated from plain values in one call: pydantic-core builds the nested models faster than Python can.
        return TrialResult.model_validate({
            "trial_id": self.ruleset.trial_id, "title": self.ruleset.title, "patient_id": self.patient_id,
            "verdict": self.verdict, "as_of": self.as_of, "criteria": [c.as_dict() for c in self.criteria],
            "to_confirm": [f"{c.criterion.id}: {c.reason}" for c in self.criteria if c.status == "unknown"],
            "failing": list(self.failing), "eligible_from": self.eligible_from,
            "ruleset_sha256": self.ruleset_sha256, "engine_version": ENGINE_VERSION})


def decide(ruleset: RuleSet, patient: Patient | PatientFacts, as_of: Optional[date] = None) -> Decision:
    """Screen one patient against one compiled trial at ``as_of`` (default: today), statuses only."""
    facts = patient if isinstance(patient, PatientFacts) else PatientFacts(patient)
    as_of = as_of or date.today()
    plan = _plan(ruleset)
    criteria = [fixed or _decide_criterion(c, facts, as_of) for c, fixed in zip(ruleset.criteria, plan.fixed)]
    return Decision(ruleset, facts.patient.id, as_of, criteria, plan.sha256)


def screen(ruleset: RuleSet, patient: Patient | PatientFacts, as_of: Optional[date] = None) -> TrialResult:
    """Screen one patient against one compiled trial at ``as_of`` (default: today)."""
    return decide(ruleset, patient, as_of).result()
