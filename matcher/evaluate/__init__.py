"""Evaluate: rules x patient x reference date -> per-criterion results and a trial verdict.

Tri-state throughout: a rule's predicate is true, false or unknown (missing data), never a guess.
Polarity turns it into a status: ``require`` passes when true, ``exclude`` passes when false.
The verdict is ``ineligible`` if any criterion fails, else ``needs_review`` if any is unknown,
else ``eligible``.

Two entry points over the same evaluators and combining rules: :func:`screen` gives the full ``TrialResult``,
every rule's status, reason and facts; :func:`decide` gives a :class:`Decision`, the verdict and one status
per criterion without writing any reason (batch screening stores it compactly, and screens again when an
explanation is asked for). Per rule set a plan, made once, sorts the criteria: those no patient can change
(manual review) are decided in advance, flat ones (rules without groups or applicability conditions) go
straight to a status, the rest rule by rule. Predicates are answered once per patient and date even when
several trials ask them. ``decide`` and ``screen`` agree on every status (tests/test_fast_path.py).
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
from .predicates import EVALUATORS, PATIENT_INDEPENDENT, latest_edss, predicate_key

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


def _leaf_status(value: Optional[bool], polarity: str, clears_on: Optional[date]) -> tuple[str, Optional[date]]:
    """A rule's status from its predicate, and for a failing exclusion window the date it passes."""
    status = _STATUS[polarity][value]
    return status, clears_on if status == "fail" and polarity == "exclude" else None


def _group_status(mode: str, children: list[tuple[str, Optional[date]]],
                  polarity: str = "require") -> tuple[str, Optional[date]]:
    """An all-of group fails if any child fails, passing on the last pass date its failing children give (none
    when a failing child has no such date: it never clears by waiting); an any-of group passes if any child
    passes; else unknown if any child is unknown. A group of polarity "exclude" ("type 2 diabetes with an HbA1c
    above 9%") states what excludes: it fails when its children hold together and passes when they do not."""
    statuses = [status for status, _ in children]
    if mode == "all":
        status = _combine(statuses)
        days = [day for s, day in children if s == "fail"]
        passes_from = max(days) if status == "fail" and all(days) else None
    else:
        status = "pass" if "pass" in statuses else "unknown" if "unknown" in statuses else "fail"
        passes_from = None
    if polarity == "exclude":
        return _INVERTED[status], None
    return status, passes_from


_INVERTED = {"pass": "fail", "fail": "pass", "unknown": "unknown"}
_HOLD_WORDS = {"pass": "hold", "fail": "do not hold", "unknown": "unknown"}  # the children of an exclusion group
_STATUS_WORDS = {status: status for status in _HOLD_WORDS}


def _conditional(applies: Optional[bool], status: str, passes_from: Optional[date]) -> tuple[str, Optional[date]]:
    """A rule for some patients only (``when``) passes for the others; when it is not known whether it applies,
    it is unknown unless it fails anyway."""
    if applies is False:
        return "pass", None
    if applies is None and status != "fail":
        return "unknown", None
    return status, passes_from


def decide_rule(rule, p: PatientFacts, as_of: date) -> RuleDecision:
    applies, why = (True, "") if rule.when is None else _applies(rule.when, p, as_of)
    if applies is False:
        return RuleDecision(rule, "pass", None, lambda: f"not applicable: {why}")
    if rule.kind == "group":
        children = tuple([decide_rule(child, p, as_of) for child in rule.rules])
        status, passes_from = _conditional(applies, *_group_status(
            rule.mode, [(child.status, child.passes_from) for child in children], rule.polarity))

        def reason() -> str:
            statuses = [child.status for child in children]
            words = _HOLD_WORDS if rule.polarity == "exclude" else _STATUS_WORDS
            counts = ", ".join(f"{statuses.count(s)} {words[s]}" for s in words if s in statuses)
            how = "all" if rule.mode == "all" else "at least one"
            text = f"excluded when {how} of {len(children)} hold: {counts}" if rule.polarity == "exclude" else \
                f"{how} of {len(children)} needed: {counts}"
            return f"{why}; {text}" if applies is None and status != "fail" else text

        return RuleDecision(rule, status, passes_from, reason, children=children)
    outcome = EVALUATORS[rule.kind](rule, p, as_of)
    status, passes_from = _conditional(applies, *_leaf_status(outcome.value, rule.polarity, outcome.clears_on))
    if applies is None and status != "fail":
        return RuleDecision(rule, status, passes_from, lambda: f"{why}; {outcome.reason()}", outcome.facts)
    return RuleDecision(rule, status, passes_from, outcome.reason, outcome.facts)


def _rule_status(rule, p: PatientFacts, as_of: date) -> tuple[str, Optional[date]]:
    """:func:`decide_rule`'s status and pass date alone, for the fast path."""
    applies = True if rule.when is None else _applies(rule.when, p, as_of)[0]
    if applies is False:
        return "pass", None
    if rule.kind == "group":
        return _conditional(applies, *_group_status(rule.mode, [_rule_status(c, p, as_of) for c in rule.rules],
                                                    rule.polarity))
    outcome = EVALUATORS[rule.kind](rule, p, as_of)
    return _conditional(applies, *_leaf_status(outcome.value, rule.polarity, outcome.clears_on))


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
        rules = [r.as_dict() for r in self.rules]
        deciding = [r for r in rules if r["status"] == self.status] or rules  # as in reason, written once
        return {"id": c.id, "section": c.section, "text": c.text, "span": c.span, "status": self.status,
                "reason": "; ".join(r["reason"] for r in deciding), "rules": rules}


def _decide_criterion(criterion: CompiledCriterion, p: Optional[PatientFacts],
                      as_of: Optional[date]) -> CriterionDecision:
    rules = [decide_rule(rule, p, as_of) for rule in criterion.rules]
    status = rules[0].status if len(rules) == 1 else _combine([r.status for r in rules])
    return CriterionDecision(criterion, status, rules)


def _criterion_status(rules: list[tuple[str, Optional[date]]]) -> tuple[str, Optional[date]]:
    """A criterion from its rules' (status, pass date): as :class:`CriterionDecision`."""
    status = _combine([s for s, _ in rules])
    if status != "fail":
        return status, None
    dates = [day for s, day in rules if s == "fail"]
    return status, max(dates) if all(dates) else None


def _independent(rule) -> bool:
    """Whether a rule's status can be known without the patient or the date (a manual-review rule)."""
    if rule.when is not None:
        return False
    if rule.kind == "group":
        return all(_independent(child) for child in rule.rules)
    return rule.kind in PATIENT_INDEPENDENT


def _leaf_step(rule):
    """How the fast path evaluates one rule of a flat criterion: its status when no patient can change it,
    else (evaluator, rule, status by predicate value, whether a failing window gives a pass date, the
    predicate's key: trials share many predicates, which are evaluated once per patient)."""
    if _independent(rule):
        return decide_rule(rule, None, None).status
    return EVALUATORS[rule.kind], rule, _STATUS[rule.polarity], rule.polarity == "exclude", predicate_key(rule)


# How the fast path evaluates a criterion (see _step).
_FIXED, _LEAF, _FLAT, _RULES = range(4)


def _step(criterion: CompiledCriterion) -> tuple[int, object]:
    """A criterion's plan: ``_FIXED`` with its (status, passes_from) when no patient can change it; ``_LEAF``
    with the leaf step of its one rule; ``_FLAT`` with the leaf steps of rules without groups or applicability
    conditions (together, nearly all criteria); else ``_RULES``, evaluated rule by rule."""
    if all(map(_independent, criterion.rules)):
        decided = _decide_criterion(criterion, None, None)
        return _FIXED, (decided.status, decided.passes_from)
    if all(rule.kind != "group" and rule.when is None for rule in criterion.rules):
        leaves = [_leaf_step(rule) for rule in criterion.rules]
        return (_LEAF, leaves[0]) if len(leaves) == 1 else (_FLAT, leaves)
    return _RULES, criterion.rules


def _flat_status(leaves: list, p: PatientFacts, as_of: date, memo: dict) -> tuple[str, Optional[date]]:
    """:func:`decide_rule` and :func:`_decide_criterion` for a flat criterion, keeping only the status and the
    date a failing criterion passes (every failing rule a window: the last of their pass dates). ``memo``
    holds the patient's predicate outcomes at ``as_of`` by predicate key."""
    failed = unknown = False
    passes_from: Optional[date] = None
    dated = True
    for leaf in leaves:
        if leaf.__class__ is str:
            status, clears = leaf, None
        else:
            evaluate, rule, status_of, window, key = leaf
            outcome = memo.get(key)
            if outcome is None:
                outcome = memo[key] = evaluate(rule, p, as_of)
            status, clears = status_of[outcome.value], outcome.clears_on if window else None
        if status == "fail":
            failed = True
            if clears is None:
                dated = False
            elif passes_from is None or clears > passes_from:
                passes_from = clears
        elif status == "unknown":
            unknown = True
    if failed:
        return "fail", passes_from if dated else None
    return ("unknown" if unknown else "pass"), None


class _Plan:
    """What screening needs of a rule set, computed once per rule set object (rule sets are frozen: an edit
    makes a new one): its content hash, and per criterion how to evaluate it (see :func:`_step`)."""

    def __init__(self, ruleset: RuleSet):
        self.ruleset = weakref.ref(ruleset)
        self.sha256 = ruleset.content_sha256()
        self.independent = [all(map(_independent, c.rules)) for c in ruleset.criteria]
        self.steps = [(c.id, *_step(c)) for c in ruleset.criteria]


_PLANS: dict[int, _Plan] = {}


def _plan(ruleset: RuleSet) -> _Plan:
    plan = _PLANS.get(id(ruleset))
    if plan is None or plan.ruleset() is not ruleset:
        plan = _PLANS[id(ruleset)] = _Plan(ruleset)
        weakref.finalize(ruleset, _PLANS.pop, id(ruleset), None)
    return plan


def _verdict(failing: list[str], unknown: list[str], dates: list[Optional[date]]):
    """(verdict, failing ids, unknown ids, eligible_from) from the failing and unknown criteria and the
    failing ones' pass dates: the patient could be eligible from the last of them when each has one."""
    verdict = "ineligible" if failing else "needs_review" if unknown else "eligible"
    eligible_from = max(dates) if failing and all(dates) else None
    return verdict, tuple(failing), tuple(unknown), eligible_from


class Decision:
    """One patient x trial screening without the prose: verdict, failing and unknown criterion ids, the date
    the patient could become eligible, and one status per criterion (``statuses``). ``result()`` evaluates
    again with every reason and fact, which gives exactly :func:`screen`."""

    __slots__ = ("ruleset", "facts", "as_of", "statuses", "verdict", "failing", "unknown", "eligible_from",
                 "ruleset_sha256")

    def __init__(self, ruleset: RuleSet, facts: PatientFacts, as_of: date, statuses: str, outcome: tuple,
                 ruleset_sha256: str):
        self.ruleset, self.facts, self.as_of, self.statuses = ruleset, facts, as_of, statuses
        self.verdict, self.failing, self.unknown, self.eligible_from = outcome
        self.ruleset_sha256 = ruleset_sha256

    @property
    def patient_id(self) -> str:
        return self.facts.patient.id

    @property
    def trial_id(self) -> str:
        return self.ruleset.trial_id

    def result(self) -> TrialResult:
        return screen(self.ruleset, self.facts, self.as_of)


def decide(ruleset: RuleSet, patient: Patient | PatientFacts, as_of: Optional[date] = None) -> Decision:
    """Screen one patient against one compiled trial at ``as_of`` (default: today): statuses only, no reasons
    written (the batch path). ``decide(...).result() == screen(...)``."""
    facts = patient if isinstance(patient, PatientFacts) else PatientFacts(patient)
    as_of = as_of or date.today()
    plan = _plan(ruleset)
    memo = facts.outcomes(as_of)
    codes, failing, unknown, dates = [], [], [], []
    for criterion_id, how, step in plan.steps:
        if how == _LEAF:  # _flat_status for one rule, inlined: the commonest case
            evaluate, rule, status_of, window, key = step
            outcome = memo.get(key)
            if outcome is None:
                outcome = memo[key] = evaluate(rule, facts, as_of)
            status, passes_from = status_of[outcome.value], outcome.clears_on if window else None
        elif how == _FIXED:
            status, passes_from = step
        elif how == _FLAT:
            status, passes_from = _flat_status(step, facts, as_of, memo)
        else:
            status, passes_from = _criterion_status([_rule_status(rule, facts, as_of) for rule in step])
        codes.append(STATUS_CODES[status])
        if status == "fail":
            failing.append(criterion_id)
            dates.append(passes_from)
        elif status == "unknown":
            unknown.append(criterion_id)
    return Decision(ruleset, facts, as_of, "".join(codes), _verdict(failing, unknown, dates), plan.sha256)


def screen(ruleset: RuleSet, patient: Patient | PatientFacts, as_of: Optional[date] = None) -> TrialResult:
    """Screen one patient against one compiled trial at ``as_of`` (default: today)."""
    facts = patient if isinstance(patient, PatientFacts) else PatientFacts(patient)
    as_of = as_of or date.today()
    plan = _plan(ruleset)
    criteria = [_decide_criterion(c, None if fixed else facts, None if fixed else as_of)
                for c, fixed in zip(ruleset.criteria, plan.independent)]
    failed = [c for c in criteria if c.status == "fail"]
    verdict, failing, _, eligible_from = _verdict([c.criterion.id for c in failed],
                                                  [c.criterion.id for c in criteria if c.status == "unknown"],
                                                  [c.passes_from for c in failed])
    rendered = [c.as_dict() for c in criteria]
    # Validated from plain values in one call: pydantic-core builds the nested models faster than Python can.
    return TrialResult.model_validate({
        "trial_id": ruleset.trial_id, "title": ruleset.title, "patient_id": facts.patient.id, "verdict": verdict,
        "as_of": as_of, "criteria": rendered,
        "to_confirm": [f"{c['id']}: {c['reason']}" for c in rendered if c["status"] == "unknown"],
        "failing": list(failing), "eligible_from": eligible_from, "ruleset_sha256": plan.sha256,
        "engine_version": ENGINE_VERSION})
