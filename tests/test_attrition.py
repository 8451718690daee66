"""Attrition report: per-criterion counts and the eligibility funnel, read back from the results store."""

from __future__ import annotations

import base64
import csv
from collections import Counter
from pathlib import Path

import pytest

from matcher.api import load_patient, load_rulesets, screen_patient
from matcher.batch import run_batch
from matcher.batch.attrition import attrition_report, compute_attrition
from matcher.batch.pairs import StoredPair
from matcher.cli import main

from .test_batch import AS_OF, PROFILES, compiled_trials, write_jsonl  # noqa: F401 (fixture)

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def batch(tmp_path_factory, compiled_trials):
    """The example patients screened in two runs: a first run stopped after 8 patients, then the resume."""
    folder = tmp_path_factory.mktemp("attrition")
    registry = write_jsonl(folder / "registry.jsonl")
    lines = registry.read_text(encoding="utf-8").splitlines(keepends=True)
    (folder / "first8.jsonl").write_text("".join(lines[:8]), encoding="utf-8")
    run_batch(folder / "first8.jsonl", [compiled_trials], AS_OF, folder / "res", workers=1, progress=False)
    run_batch(registry, [compiled_trials], AS_OF, folder / "res", workers=1, progress=False)
    return folder


@pytest.fixture(scope="module")
def one_by_one(compiled_trials):
    """Per trial: the results of screening each example patient on its own (no batch, no store)."""
    rulesets = [r for f in sorted(compiled_trials.iterdir()) for r in load_rulesets(f)]
    results: dict[str, list] = {}
    for path in PROFILES:
        for result in screen_patient(load_patient(path), rulesets, AS_OF):
            results.setdefault(result.trial_id, []).append(result)
    return results


def test_counts_match_screening_each_patient_and_the_funnel_ends_at_the_not_ineligible(batch, one_by_one, tmp_path):
    report = attrition_report(batch / "res.sqlite", tmp_path / "out")  # default: both runs, each pair once

    assert sorted(t.trial_id for t in report.trials) == sorted(one_by_one)
    for trial in report.trials:
        results = one_by_one[trial.trial_id]
        assert trial.patients == len(PROFILES)
        failed = Counter(c.id for r in results for c in r.criteria if c.status == "fail")
        unknown = Counter(c.id for r in results for c in r.criteria if c.status == "unknown")
        assert {c.id: c.excluded for c in trial.criteria if c.excluded} == dict(failed)
        assert {c.id: c.unknown for c in trial.criteria if c.unknown} == dict(unknown)
        assert sorted(c.id for c in trial.criteria) == sorted(c.id for c in results[0].criteria)  # none dropped

        funnel = trial.funnel
        ineligible = sum(r.verdict == "ineligible" for r in results)
        assert sum(c.newly_excluded for c in funnel) == ineligible
        assert trial.remaining == len(PROFILES) - ineligible == funnel[-1].remaining
        assert all(c.newly_excluded > 0 for c in funnel)
        assert [c.remaining for c in funnel] == sorted((c.remaining for c in funnel), reverse=True)
        # each step takes the criterion failing the most of those still in: never fewer than a later step
        assert [c.newly_excluded for c in funnel] == sorted((c.newly_excluded for c in funnel), reverse=True)


def test_greedy_funnel_on_known_failing_sets():
    def pairs(failing, n):
        return [StoredPair(1, "2026-11-01", f"{''.join(failing)}{i}", "T", "sha", "ineligible" if failing else
                           "needs_review", tuple(failing), (), None) for i in range(n)]

    # Overall B fails 6, A 5, C 3; but after B only one patient fails A while three fail C: C comes second.
    stored = pairs(["A", "B"], 4) + pairs(["B"], 2) + pairs(["A"], 1) + pairs(["C"], 3) + pairs([], 2)
    (trial,) = compute_attrition(stored, lambda shas: {})
    assert [(c.id, c.excluded, c.newly_excluded, c.remaining) for c in trial.funnel] == [
        ("B", 6, 6, 6), ("C", 3, 3, 3), ("A", 5, 1, 2)]
    assert trial.verdicts == {"ineligible": 10, "needs_review": 2}


def test_one_run_only(batch, tmp_path):
    report = attrition_report(batch / "res.sqlite", tmp_path / "out", run_id=2)
    assert {t.patients for t in report.trials} == {len(PROFILES) - 8}  # the resume screened the other 14
    report = attrition_report(batch / "res.sqlite", tmp_path / "out1", run_id=1, trial_ids=["NCT05208840"])
    assert [(t.trial_id, t.patients) for t in report.trials] == [("NCT05208840", 8)]


def test_cli_writes_csv_pngs_and_an_escaped_self_contained_page(batch, tmp_path, capsys):
    out = tmp_path / "report"
    assert main(["attrition", "--store", str(batch / "res.sqlite"), "--out", str(out)]) == 0
    assert "4 trials" in capsys.readouterr().err

    with (out / "attrition.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    steps = [r for r in rows if r["trial_id"] == "NCT03368664" and r["funnel_step"]]
    assert steps and steps[0]["funnel_step"] == "1" and int(steps[0]["remaining"]) < len(PROFILES)

    pngs = sorted(out.glob("funnel-*.png"))
    assert [p.name for p in pngs] == ["funnel-NCT02403947.png", "funnel-NCT03368664.png",
                                      "funnel-NCT05208840.png", "funnel-NCT06592703.png"]
    html = (out / "attrition.html").read_text(encoding="utf-8")
    for png in pngs:
        data = png.read_bytes()
        assert data.startswith(PNG_MAGIC)
        assert f"data:image/png;base64,{base64.b64encode(data).decode()}" in html  # embedded, not linked
    # NCT03368664 I1 reads "aged from 10 years to <18 years": text from a trial record is escaped
    assert "to &lt;18 years" in html and "to <18 years" not in html
    assert 'src="http' not in html and "<script" not in html


def test_batch_writes_the_report_unless_told_not_to(tmp_path, compiled_trials):
    registry = write_jsonl(tmp_path / "registry.jsonl")
    args = ["batch", "--patients", str(registry), "--trials", str(compiled_trials), "--as-of", "2026-11-01",
            "--workers", "1"]
    assert main(args + ["--out", str(tmp_path / "a")]) == 0  # every row screened
    assert (tmp_path / "a.attrition" / "attrition.html").is_file()
    assert main(args + ["--out", str(tmp_path / "b"), "--no-attrition"]) == 0
    assert not (tmp_path / "b.attrition").exists()


def test_unusable_store_or_run_exit_2(batch, tmp_path, capsys):
    assert main(["attrition", "--store", str(tmp_path / "none.sqlite"), "--out", str(tmp_path / "o")]) == 2
    assert "none.sqlite" in capsys.readouterr().err
    assert not (tmp_path / "none.sqlite").exists()
    assert main(["attrition", "--store", str(batch / "res.sqlite"), "--run", "9", "--out", str(tmp_path / "o")]) == 2
    assert "no run 9" in capsys.readouterr().err
    Path(tmp_path / "junk.sqlite").write_text("not a database", encoding="utf-8")
    assert main(["attrition", "--store", str(tmp_path / "junk.sqlite"), "--out", str(tmp_path / "o")]) == 2
