"""Attrition: per trial, how many patients each criterion excluded or left unknown, and the eligibility funnel.

Read from the results store (:mod:`matcher.batch.pairs`), one patient x trial pair at a time, and written to
a folder:

* ``attrition.csv``: one row per trial x criterion: patients screened, how many the criterion failed
  (``excluded``) and left ``unknown``, its ``funnel_step``, how many it ``newly_excluded`` at that step and
  how many patients ``remaining`` after it;
* ``funnel-<trial>.png``: the funnel as a bar chart;
* ``attrition.html``: one self-contained page with the pictures and the tables (criterion text escaped).

The funnel applies the criteria one after the other, each time taking the criterion that fails the most of
the patients still remaining (ties: more patients excluded overall, then rule-set order); a patient leaves
the funnel at the first of them it fails. A criterion whose failing patients all left at earlier steps has
no step (its ``excluded`` count still says how many it fails). The last bar is the patients no criterion
excludes, split into eligible and needs review (some criterion unknown).

Which screenings: one run (``run_id``), or by default every screening at the reference date of the latest
run (or ``as_of``), keeping the newest row per patient and trial, so that a batch that was resumed over
several runs is counted once and whole.
"""

from __future__ import annotations

import base64
import csv
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable, Iterable, Optional

from ..errors import MsmatchError
from ..models.rules import RuleSet
from .pairs import StoredPair, iter_pairs, store_runs, stored_rulesets

__all__ = ["AttritionReport", "TrialAttrition", "CriterionAttrition", "compute_attrition", "attrition_report",
           "CSV_COLUMNS"]

CSV_COLUMNS = ("trial_id", "ruleset_sha256", "patients", "criterion_id", "section", "excluded", "unknown",
               "funnel_step", "newly_excluded", "remaining", "criterion_text")


@dataclass
class CriterionAttrition:
    id: str
    section: str
    text: str
    excluded: int = 0
    unknown: int = 0
    funnel_step: Optional[int] = None
    newly_excluded: int = 0
    remaining: Optional[int] = None


@dataclass
class TrialAttrition:
    trial_id: str
    title: Optional[str]
    ruleset_sha256: str
    patients: int
    verdicts: dict[str, int]
    criteria: list[CriterionAttrition]  # funnel steps first, in funnel order, then the rest in rule-set order

    @property
    def funnel(self) -> list[CriterionAttrition]:
        return [c for c in self.criteria if c.funnel_step is not None]

    @property
    def remaining(self) -> int:
        return self.patients - sum(c.newly_excluded for c in self.funnel)


@dataclass
class AttritionReport:
    selection: str
    trials: list[TrialAttrition]
    csv: Optional[Path] = None
    html: Optional[Path] = None
    pngs: list[Path] = field(default_factory=list)


@dataclass
class _Tally:
    patients: int = 0
    verdicts: Counter = field(default_factory=Counter)
    excluded: Counter = field(default_factory=Counter)
    unknown: Counter = field(default_factory=Counter)
    failing_sets: Counter = field(default_factory=Counter)  # distinct failing sets: few, whatever the registry


def compute_attrition(pairs: Iterable[StoredPair],
                      rulesets: Callable[[set[str]], dict[str, RuleSet]]) -> list[TrialAttrition]:
    """Count per trial and rule set. ``rulesets(shas)`` gives the rule sets by content hash, asked once the
    pairs are counted: they give criterion order, section and text."""
    # Pairs repeat a few outcomes per trial: count the outcomes, then tally each once.
    outcomes = Counter((pair.trial_id, pair.ruleset_sha256, pair.verdict, pair.failing, pair.unknown) for pair in pairs)
    tallies: dict[tuple[str, str], _Tally] = {}
    for (trial_id, sha, verdict, failing, unknown), count in outcomes.items():
        tally = tallies.setdefault((trial_id, sha), _Tally())
        tally.patients += count
        tally.verdicts[verdict] += count
        tally.excluded.update(dict.fromkeys(failing, count))
        tally.unknown.update(dict.fromkeys(unknown, count))
        tally.failing_sets[frozenset(failing)] += count
    found = rulesets({sha for _, sha in tallies})
    return [_trial(trial_id, sha, tally, found.get(sha)) for (trial_id, sha), tally in sorted(tallies.items())]


def _trial(trial_id: str, sha: str, tally: _Tally, ruleset: Optional[RuleSet]) -> TrialAttrition:
    known = [(c.id, c.section, c.text) for c in ruleset.criteria] if ruleset else []
    seen = {cid for cid, _, _ in known}
    # A criterion id the stored rule set lacks (the rule set was not kept) is still counted, never dropped.
    known += [(cid, "", "") for cid in sorted((set(tally.excluded) | set(tally.unknown)) - seen)]
    position = {cid: i for i, (cid, _, _) in enumerate(known)}
    criteria = {cid: CriterionAttrition(cid, section, text, tally.excluded[cid], tally.unknown[cid])
                for cid, section, text in known}

    # Greedy funnel: next comes the criterion that fails the most of the patients still remaining.
    remaining_sets = {failing: count for failing, count in tally.failing_sets.items() if failing}
    remaining = tally.patients
    order: list[str] = []
    while remaining_sets:
        newly: Counter = Counter()
        for failing, count in remaining_sets.items():
            newly.update(dict.fromkeys(failing, count))
        cid = min(newly, key=lambda c: (-newly[c], -tally.excluded[c], position[c]))
        remaining -= newly[cid]
        criteria[cid].funnel_step, criteria[cid].newly_excluded, criteria[cid].remaining = \
            len(order) + 1, newly[cid], remaining
        order.append(cid)
        remaining_sets = {failing: count for failing, count in remaining_sets.items() if cid not in failing}
    rank = set(order)
    rest = [criteria[cid] for cid, _, _ in known if cid not in rank]
    return TrialAttrition(trial_id=trial_id, title=ruleset.title if ruleset else None, ruleset_sha256=sha,
                          patients=tally.patients, verdicts=dict(tally.verdicts),
                          criteria=[criteria[cid] for cid in order] + rest)


def attrition_report(store_path: str | Path, out_dir: str | Path, *, run_id: Optional[int] = None,
                     as_of: Optional[date | str] = None, trial_ids: Optional[Iterable[str]] = None) -> AttritionReport:
    """Compute the attrition of the selected screenings and write CSV, PNGs and HTML into ``out_dir``."""
    runs = dict(store_runs(store_path))
    if not runs:
        raise MsmatchError("the results store holds no runs", file=str(store_path), hint="run msmatch batch first")
    if run_id is not None:
        if run_id not in runs:
            raise MsmatchError(f"no run {run_id} in the results store (runs: {min(runs)}-{max(runs)})",
                               file=str(store_path), hint="pick a run id listed by the batch summary")
        selection = f"run {run_id} (as of {runs[run_id]})"
        pairs = iter_pairs(store_path, run_id=run_id, trial_ids=trial_ids)
    else:
        as_of = str(as_of) if as_of else runs[max(runs)]
        selection = f"all runs as of {as_of}, newest screening per patient and trial"
        pairs = iter_pairs(store_path, as_of=as_of, trial_ids=trial_ids, newest_per_pair=True)
    report = AttritionReport(selection=selection,
                             trials=compute_attrition(pairs, lambda shas: stored_rulesets(store_path, shas)))
    write_report(report, out_dir)
    return report


def write_report(report: AttritionReport, out_dir: str | Path) -> AttritionReport:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    report.csv = out / "attrition.csv"
    with report.csv.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_COLUMNS)
        for trial in report.trials:
            for c in trial.criteria:
                writer.writerow((trial.trial_id, trial.ruleset_sha256, trial.patients, c.id, c.section, c.excluded,
                                 c.unknown, c.funnel_step or "", c.newly_excluded if c.funnel_step else "",
                                 "" if c.remaining is None else c.remaining, c.text))
    names = _png_names(report.trials)
    images = []
    for trial in report.trials:
        png = out / names[(trial.trial_id, trial.ruleset_sha256)]
        plot_funnel(trial, png)
        report.pngs.append(png)
        images.append(base64.b64encode(png.read_bytes()).decode("ascii"))
    report.html = out / "attrition.html"
    report.html.write_text(_render_html(report, images), encoding="utf-8")
    return report


def _png_names(trials: list[TrialAttrition]) -> dict[tuple[str, str], str]:
    per_trial = Counter(t.trial_id for t in trials)
    names = {}
    for t in trials:
        stem = re.sub(r"[^A-Za-z0-9._-]+", "_", t.trial_id)
        if per_trial[t.trial_id] > 1:  # the same trial screened with two versions of its rule set
            stem += f"-{t.ruleset_sha256[:8]}"
        names[(t.trial_id, t.ruleset_sha256)] = f"funnel-{stem}.png"
    return names


def _label(c: CriterionAttrition, width: int = 48) -> str:
    text = c.text if len(c.text) <= width else c.text[:width - 1].rstrip() + "…"
    # matplotlib reads $...$ as mathematics: show the characters as written.
    return f"{c.id}: {text}".replace("$", r"\$")


def plot_funnel(trial: TrialAttrition, path: Path) -> Path:
    """Horizontal bars, top to bottom: screened, remaining after each funnel step, then eligible / review."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # Agg, without touching pyplot's global state
    from matplotlib.figure import Figure

    steps = trial.funnel
    eligible = trial.verdicts.get("eligible", 0)
    review = trial.verdicts.get("needs_review", 0)
    labels = ["screened"] + [f"after {_label(c)}" for c in steps] + ["eligible / needs review"]
    values = [trial.patients] + [c.remaining for c in steps]
    figure = Figure(figsize=(10, 1.4 + 0.38 * len(labels)), layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    rows = list(range(len(labels)))
    axes.barh(rows[:-1], values, color="#4c78a8")
    axes.barh(rows[-1], eligible, color="#54a24b", label=f"eligible ({eligible})")
    axes.barh(rows[-1], review, left=eligible, color="#f2a93b", label=f"needs review ({review})")
    scale = max(trial.patients, 1)
    for row, value in zip(rows, values):
        axes.text(value + scale * 0.01, row, str(value), va="center", fontsize=8)
    for row, c in zip(rows[1:], steps):
        axes.text(scale * 0.01, row, f"-{c.newly_excluded}", va="center", fontsize=8, color="white")
    axes.set_yticks(rows, labels, fontsize=8)
    axes.invert_yaxis()
    axes.set_xlim(0, scale * 1.12)
    axes.set_xlabel("patients")
    title = f"{trial.trial_id}: {trial.patients} patients screened, {trial.remaining} not excluded"
    axes.set_title(title.replace("$", r"\$"), fontsize=10, loc="left")
    axes.legend(loc="lower right", fontsize=8)
    figure.savefig(path, dpi=110)
    return path


_HTML = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>msmatch attrition</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; margin: 1em 0 2.5em; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.5em; vertical-align: top; }
td.n { text-align: right; } th { background: #f3f3f3; } img { max-width: 100%; }
</style></head><body>
<h1>Attrition</h1>
<p>Screenings: {{ report.selection }}. The funnel takes, at each step, the criterion that fails the most of
the patients still remaining; <em>excluded</em> counts every patient a criterion fails, <em>newly excluded</em>
those who leave at its step; <em>unknown</em> counts patients for whom the criterion could not be decided
(missing data): they stay in the funnel but need review.</p>
{% if not report.trials %}<p>No screenings match this selection.</p>{% endif %}
{% for trial in report.trials %}
<h2>{{ trial.trial_id }}{% if trial.title %}: {{ trial.title }}{% endif %}</h2>
<p>{{ trial.patients }} patients screened: {{ trial.verdicts.get("eligible", 0) }} eligible,
{{ trial.verdicts.get("needs_review", 0) }} needs review, {{ trial.verdicts.get("ineligible", 0) }} ineligible.
Rule set <code>{{ trial.ruleset_sha256[:12] }}</code>.</p>
<img alt="funnel for {{ trial.trial_id }}" src="data:image/png;base64,{{ images[loop.index0] }}">
<table>
<tr><th>step</th><th>criterion</th><th>section</th><th>text</th><th>excluded</th><th>newly excluded</th>
<th>remaining</th><th>unknown</th></tr>
{% for c in trial.criteria %}
<tr><td class="n">{{ c.funnel_step or "" }}</td><td>{{ c.id }}</td><td>{{ c.section }}</td><td>{{ c.text }}</td>
<td class="n">{{ c.excluded }}</td><td class="n">{{ c.newly_excluded if c.funnel_step else "" }}</td>
<td class="n">{{ "" if c.remaining is none else c.remaining }}</td><td class="n">{{ c.unknown }}</td></tr>
{% endfor %}
</table>
{% endfor %}
</body></html>
"""


def _render_html(report: AttritionReport, images: list[str]) -> str:
    from jinja2 import Environment

    # autoescape: criterion text and titles come from trial records ("EDSS < 6.5", and worse).
    return Environment(autoescape=True).from_string(_HTML).render(report=report, images=images)
