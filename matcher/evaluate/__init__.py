"""Evaluate: rules x patient x reference date -> per-criterion results and a trial verdict.

Tri-state throughout: a rule's predicate is true, false or unknown (missing data), never a guess.
Polarity turns it into a status: ``require`` passes when true, ``exclude`` passes when false.
The verdict is ``ineligible`` if any criterion fails, else ``needs_review`` if any is unknown,
else ``eligible``.
"""

from __future__ import annotations

from datetime import date
from typing import Optional

from .. import __version__
from ..models.patient import Patient
from ..models.results import CriterionResult, RuleResult, TrialResult
from ..models.rules import Applicability, CompiledCriterion, RuleSet
from .facts import PatientFacts
from .predicates import EVALUATORS, Outcome, latest_edss

__all__ = ["screen", "evaluate_rule", "PatientFacts"]

ENGINE_VERSION = f"msmatch/{__version__}"


def _status(value: Optional[bool], polarity: str) -> str:
    if value is None:
        return "unknown"
    return "pass" if value == (polarity == "require") else "fail"


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


def evaluate_rule(rule, p: PatientFacts, as_of: date) -> RuleResult:
    applies, why = _applies(rule.when, p, as_of)
    if applies is False:
        return RuleResult(rule_id=rule.id, kind=rule.kind, status="pass", reason=f"not applicable: {why}")
    if rule.kind == "group":
        children = [evaluate_rule(child, p, as_of) for child in rule.rules]
        statuses = [c.status for c in children]
        if rule.mode == "all":
            status = "fail" if "fail" in statuses else "unknown" if "unknown" in statuses else "pass"
        else:
            status = "pass" if "pass" in statuses else "unknown" if "unknown" in statuses else "fail"
        counts = ", ".join(f"{statuses.count(s)} {s}" for s in ("pass", "fail", "unknown") if s in statuses)
        reason = f"{'all' if rule.mode == 'all' else 'at least one'} of {len(children)} needed: {counts}"
        passes_from = max((c.passes_from for c in children if c.status == "fail" and c.passes_from), default=None) \
            if rule.mode == "all" else None
        if applies is None and status != "fail":
            status, reason = "unknown", f"{why}; {reason}"
        return RuleResult(rule_id=rule.id, kind="group", status=status, reason=reason, children=children,
                          passes_from=passes_from if status == "fail" else None)
    outcome: Outcome = EVALUATORS[rule.kind](rule, p, as_of)
    status = _status(outcome.value, rule.polarity)
    passes_from = outcome.clears_on if status == "fail" and rule.polarity == "exclude" else None
    reason = outcome.reason
    if applies is None and status != "fail":
        status, reason = "unknown", f"{why}; {reason}"
    return RuleResult(rule_id=rule.id, kind=rule.kind, status=status, reason=reason, facts=outcome.facts,
                      passes_from=passes_from)


def _criterion(criterion: CompiledCriterion, p: PatientFacts, as_of: date) -> CriterionResult:
    results = [evaluate_rule(rule, p, as_of) for rule in criterion.rules]
    statuses = [r.status for r in results]
    status = "fail" if "fail" in statuses else "unknown" if "unknown" in statuses else "pass"
    deciding = [r for r in results if r.status == status] or results
    return CriterionResult(id=criterion.id, section=criterion.section, text=criterion.text, span=criterion.span,
                           status=status, reason="; ".join(r.reason for r in deciding), rules=results)


def screen(ruleset: RuleSet, patient: Patient | PatientFacts, as_of: Optional[date] = None) -> TrialResult:
    """Screen one patient against one compiled trial at ``as_of`` (default: today)."""
    facts = patient if isinstance(patient, PatientFacts) else PatientFacts(patient)
    as_of = as_of or date.today()
    criteria = [_criterion(c, facts, as_of) for c in ruleset.criteria]
    failing = [c for c in criteria if c.status == "fail"]
    unknown = [c for c in criteria if c.status == "unknown"]
    verdict = "ineligible" if failing else "needs_review" if unknown else "eligible"
    eligible_from = None
    if failing:
        dates = [_passes_from(c) for c in failing]
        if all(dates):
            eligible_from = max(dates)
    return TrialResult(
        trial_id=ruleset.trial_id, title=ruleset.title, patient_id=facts.patient.id, verdict=verdict, as_of=as_of,
        criteria=criteria, failing=[c.id for c in failing],
        to_confirm=[f"{c.id}: {c.reason}" for c in unknown], eligible_from=eligible_from,
        ruleset_sha256=ruleset.content_sha256(), engine_version=ENGINE_VERSION)


def _passes_from(criterion: CriterionResult) -> Optional[date]:
    failing = [r for r in criterion.rules if r.status == "fail"]
    if not failing or any(r.passes_from is None for r in failing):
        return None
    return max(r.passes_from for r in failing)
