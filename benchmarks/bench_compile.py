"""Compile time per trial (seeds + corpus) and screening time per patient x trial.

Run: python benchmarks/bench_compile.py
"""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

from matcher.api import load_patient, load_rulesets
from matcher.evaluate import PatientFacts, screen

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    files = sorted((ROOT / "tests/fixtures/corpus").glob("NCT*")) + sorted((ROOT / "example_trials").iterdir())
    load_rulesets(files[0])  # build the spaCy pipeline and lexicon once, outside the timing
    start = time.perf_counter()
    rulesets = [rs for f in files for rs in load_rulesets(f)]
    compile_ms = (time.perf_counter() - start) * 1000 / len(rulesets)
    criteria = [c for rs in rulesets for c in rs.criteria]
    structured = sum(c.coverage != "manual" for c in criteria)
    full = sum(c.coverage == "full" for c in criteria)
    patients = [PatientFacts(load_patient(p)) for p in sorted((ROOT / "patient_profiles").glob("p*.json"))]
    start = time.perf_counter()
    pairs = 0
    for _ in range(3):
        for patient in patients:
            for ruleset in rulesets:
                screen(ruleset, patient, date(2026, 11, 1))
                pairs += 1
    screen_us = (time.perf_counter() - start) * 1e6 / pairs
    print(f"trials compiled: {len(rulesets)}; mean compile time {compile_ms:.1f} ms per trial")
    print(f"criteria: {len(criteria)}; with a structured rule {structured} ({structured / len(criteria):.1%}); "
          f"fully structured {full} ({full / len(criteria):.1%})")
    print(f"screening: {pairs} patient x trial pairs, {screen_us:.0f} µs per pair ({1e6 / screen_us:.0f} pairs/s, one core)")


if __name__ == "__main__":
    main()
