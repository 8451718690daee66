"""Audit trail figures: the size of what a screening records, and how long explain and report take.

Screens the 22 example patients against the 4 example trials into a fresh store (as ``msmatch screen``
records them), then times ``explain`` (in-process, per pair, with and without the re-derivation check) and
the HTML report (per patient), and once each as a command (with the interpreter start-up and imports).

Run: python benchmarks/bench_audit.py
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from matcher.api import load_patient, load_rulesets, screen_patient
from matcher.report.audit import edit_lines, explain_data, find_screening, latest_screenings, record_screenings
from matcher.report.html import ReportEntry, render_report
from matcher.report.store import ResultStore

ROOT = Path(__file__).resolve().parents[1]
AS_OF = date(2026, 11, 1)


def _ms(seconds: list[float]) -> str:
    return f"median {statistics.median(seconds) * 1000:.1f} ms, max {max(seconds) * 1000:.1f} ms"


def main() -> None:
    rulesets = [rs for f in sorted((ROOT / "example_trials").iterdir()) for rs in load_rulesets(f)]
    patients = [load_patient(p) for p in sorted((ROOT / "patient_profiles").glob("p*.json"))]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.sqlite"
        with ResultStore(path) as store:
            started = time.perf_counter()
            for patient in patients:
                record_screenings(store, patient, rulesets, screen_patient(patient, rulesets, AS_OF), "bench")
            record_s = time.perf_counter() - started
            results = [n for (n,) in store.query("SELECT length(result_json) FROM screenings")]
            rules = [n for (n,) in store.query("SELECT length(ruleset_json) FROM rulesets")]
            snapshots = [n for (n,) in store.query("SELECT length(patient_json) FROM patient_snapshots")]

            explain_s, explain_quick_s, report_s, pages = [], [], [], []
            for patient in patients:
                for ruleset in rulesets:
                    started = time.perf_counter()
                    explain_data(find_screening(store, patient.id, ruleset.trial_id))
                    explain_s.append(time.perf_counter() - started)
                    started = time.perf_counter()
                    explain_data(find_screening(store, patient.id, ruleset.trial_id), check=False)
                    explain_quick_s.append(time.perf_counter() - started)
                started = time.perf_counter()
                page = render_report([ReportEntry(s.result, s.ruleset, s.patient, s.screened_at, s.run_id,
                                                  edit_lines(s.ruleset)) for s in latest_screenings(store, patient.id)])
                report_s.append(time.perf_counter() - started)
                pages.append(len(page.encode("utf-8")))
        size = path.stat().st_size + sum(p.stat().st_size for p in path.parent.glob("bench.sqlite-*"))

        command = [sys.executable, "-m", "matcher.cli"]
        started = time.perf_counter()
        subprocess.run([*command, "explain", "--patient", patients[0].id, "--trial", rulesets[0].trial_id,
                        "--store", str(path)], check=True, capture_output=True)
        explain_cli = time.perf_counter() - started
        started = time.perf_counter()
        subprocess.run([*command, "report", "--patient", patients[0].id, "--store", str(path),
                        "--out", str(Path(folder) / "p.html")], check=True, capture_output=True)
        report_cli = time.perf_counter() - started

    pairs = len(patients) * len(rulesets)
    print(f"recorded {pairs} screenings ({len(patients)} patients x {len(rulesets)} trials) in {record_s:.2f} s "
          f"({record_s / len(patients) * 1000:.0f} ms per patient run, screening included)")
    print(f"store file: {size / 1024:.0f} KiB; per screening result_json median {statistics.median(results) / 1024:.1f} "
          f"KiB (max {max(results) / 1024:.1f}); rule set once per hash median "
          f"{statistics.median(rules) / 1024:.1f} KiB; patient snapshot median {statistics.median(snapshots) / 1024:.1f} KiB")
    print(f"explain (in-process, with re-derivation and time-to-eligibility check): {_ms(explain_s)}")
    print(f"explain (in-process, stored decision only): {_ms(explain_quick_s)}")
    print(f"report (in-process, 4 trials): {_ms(report_s)}; page {statistics.median(pages) / 1024:.0f} KiB median")
    print(f"as commands, start-up and imports included: explain {explain_cli:.2f} s, report {report_cli:.2f} s")


if __name__ == "__main__":
    main()
