"""A printable, self-contained HTML page for a clinician: one patient against the trials screened.

:func:`render_report` takes results with their rule sets (fresh from the web app, or read from the store by
``msmatch report``) and renders ``templates/patient_report.html.j2`` with jinja2, autoescaping everything:
trial records are untrusted input. Inline CSS with a print stylesheet; no scripts, no external files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Iterable, Optional

from jinja2 import Environment, PackageLoader, StrictUndefined

from ..models.patient import Patient
from ..models.results import CriterionResult, TrialResult
from ..models.rules import RuleSet
from .insights import Check, TimeToEligibility, facts_used, next_checks, rank, time_to_eligibility

__all__ = ["ReportEntry", "render_report", "source_in_context", "annotated_text"]

CONTEXT_CHARS = 160
MAX_CHECKS = 12  # rows of "what to check next"; the rest are listed in one line


@dataclass
class ReportEntry:
    """One trial's result, the rule set that produced it and, when known, the patient profile and the run."""

    result: TrialResult
    ruleset: Optional[RuleSet] = None
    patient: Optional[Patient] = None
    screened_at: Optional[str] = None
    run_id: Optional[int] = None
    provenance: list[str] = field(default_factory=list)  # rule-set edit lines (see audit.edit_lines)


@dataclass(frozen=True)
class SourceContext:
    before: str
    span: str
    after: str
    start: int
    end: int


@dataclass(frozen=True)
class Segment:
    text: str
    criterion_id: Optional[str] = None
    status: Optional[str] = None


def source_in_context(ruleset: Optional[RuleSet], criterion_id: str,
                      chars: int = CONTEXT_CHARS) -> Optional[SourceContext]:
    """The criterion's span in the trial's criteria text with up to ``chars`` characters either side (cut at a
    word). None for structured fields (age, sex from the registry record), which have no span."""
    if ruleset is None:
        return None
    criterion = next((c for c in ruleset.criteria if c.id == criterion_id), None)
    if criterion is None or criterion.span[1] <= criterion.span[0]:
        return None
    text = ruleset.criteria_text
    start, end = criterion.span
    before = text[max(0, start - chars):start]
    if start > chars and " " in before:
        before = "…" + before[before.index(" ") + 1:]
    after = text[end:end + chars]
    if end + chars < len(text) and " " in after:
        after = after[:after.rindex(" ")] + "…"
    return SourceContext(before, text[start:end], after, start, end)


def annotated_text(ruleset: RuleSet, result: TrialResult) -> list[Segment]:
    """The whole criteria text cut into plain and criterion segments (each with its status)."""
    status = {c.id: c.status for c in result.criteria}
    spans = sorted((c.span[0], c.span[1], c.id) for c in ruleset.criteria if c.span[1] > c.span[0])
    text, segments, position = ruleset.criteria_text, [], 0
    for start, end, criterion_id in spans:
        if start < position:  # overlapping spans: the first one is kept whole
            continue
        if start > position:
            segments.append(Segment(text[position:start]))
        segments.append(Segment(text[start:end], criterion_id, status.get(criterion_id)))
        position = end
    if position < len(text):
        segments.append(Segment(text[position:]))
    return segments


@dataclass
class _CriterionView:
    id: str
    section: str
    status: str
    text: str
    reason: str
    facts: list[str]
    source: Optional[SourceContext]


@dataclass
class _TrialView:
    entry: ReportEntry
    result: TrialResult
    tte: Optional[TimeToEligibility]
    failing: list[_CriterionView]
    unknown: list[_CriterionView]
    passing: list[_CriterionView]
    segments: list[Segment]
    anchor: str


def _trial_view(entry: ReportEntry) -> _TrialView:
    result = entry.result
    anchor = "t-" + "".join(ch if ch.isalnum() else "-" for ch in result.trial_id)

    def view(c: CriterionResult) -> _CriterionView:
        return _CriterionView(c.id, c.section, c.status, c.text, c.reason, facts_used(c.rules),
                              source_in_context(entry.ruleset, c.id))

    by_status = {s: [view(c) for c in result.criteria if c.status == s] for s in ("fail", "unknown", "pass")}
    return _TrialView(entry, result, time_to_eligibility(result, entry.ruleset, entry.patient),
                      by_status["fail"], by_status["unknown"], by_status["pass"],
                      annotated_text(entry.ruleset, result) if entry.ruleset else [], anchor)


def _environment() -> Environment:
    env = Environment(loader=PackageLoader("matcher.report", "templates"), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["short"] = lambda sha: (sha or "")[:12]
    return env


def render_report(entries: Iterable[ReportEntry], *, patient_id: Optional[str] = None,
                  generated_at: Optional[datetime] = None, source: Optional[str] = None,
                  engine_version: Optional[str] = None) -> str:
    """The page for one patient: trials ranked, what to check next, each trial's criteria in context."""
    entries = list(entries)
    by_trial = {e.result.trial_id: e for e in entries}
    ranked = [_trial_view(by_trial[r.trial_id]) for r in rank(e.result for e in entries)]
    checks: list[Check] = next_checks((e.result for e in entries),
                                      {e.result.trial_id: e.ruleset for e in entries if e.ruleset})
    patient_ids = sorted({e.result.patient_id for e in entries})
    groups = [(verdict, title, [t for t in ranked if t.result.verdict == verdict]) for verdict, title in (
        ("eligible", "Eligible"), ("needs_review", "Needs review"), ("ineligible", "Ineligible"))]
    from .. import __version__

    return _environment().get_template("patient_report.html.j2").render(
        patient_id=patient_id or ", ".join(patient_ids) or "?", groups=groups, ranked=ranked, checks=checks,
        anchors={t.result.trial_id: t.anchor for t in ranked}, max_checks=MAX_CHECKS,
        more_criteria=list(dict.fromkeys(c for check in checks[MAX_CHECKS:] for c in check.criteria)),
        as_of_dates=sorted({e.result.as_of.isoformat() for e in entries}),
        generated_at=(generated_at or datetime.now(timezone.utc)).isoformat(timespec="seconds"),
        source=source, engine_version=engine_version or f"msmatch/{__version__}")
