"""Report: screening results -> terminal table and JSON."""

from __future__ import annotations

import json
import textwrap
from typing import Iterable

from ..models.results import TrialResult
from ..models.rules import RuleSet

__all__ = ["results_json", "results_table", "ruleset_json", "matrix_table"]

_MARK = {"pass": "ok ", "fail": "NO ", "unknown": "?  "}


def results_json(results: Iterable[TrialResult]) -> str:
    return json.dumps([r.model_dump(mode="json") for r in results], indent=2, ensure_ascii=False)


def ruleset_json(ruleset: RuleSet) -> str:
    return ruleset.model_dump_json(indent=2, exclude_none=True)


def results_table(results: Iterable[TrialResult], width: int = 110) -> str:
    lines = []
    for result in results:
        title = f" - {result.title}" if result.title else ""
        lines.append(f"{result.trial_id}{title}"[:width])
        summary = f"  verdict: {result.verdict.upper()} (patient {result.patient_id}, as of {result.as_of})"
        if result.eligible_from:
            summary += f"; could be eligible from {result.eligible_from} when the time windows pass"
        lines.append(summary)
        for criterion in result.criteria:
            if criterion.status == "pass":
                continue
            head = f"  {_MARK[criterion.status]}{criterion.id:<6}"
            lines.append(head + textwrap.shorten(criterion.text, width - len(head)))
            lines.append(" " * len(head) + textwrap.shorten("-> " + criterion.reason, width - len(head)))
        passed = sum(c.status == "pass" for c in result.criteria)
        lines.append(f"  ({passed} of {len(result.criteria)} criteria pass; failing and unknown shown above)")
        lines.append("")
    return "\n".join(lines)


def matrix_table(rows: list[tuple[str, list[TrialResult]]]) -> str:
    """Patients x trials verdict matrix."""
    if not rows:
        return "no patients"
    trials = [r.trial_id for r in rows[0][1]]
    width = max(len(p) for p, _ in rows) + 2
    short = {"eligible": "ELIGIBLE", "needs_review": "review", "ineligible": "no"}
    lines = ["patient".ljust(width) + "".join(t.ljust(14) for t in trials)]
    for patient_id, results in rows:
        lines.append(patient_id.ljust(width) + "".join(short[r.verdict].ljust(14) for r in results))
    return "\n".join(lines)
