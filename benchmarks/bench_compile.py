"""Compile time per trial (seeds + corpus), on single criteria of 100,000 characters, and screening time per
patient x trial.

Run: python benchmarks/bench_compile.py
"""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

from matcher.api import load_patient, load_rulesets
from matcher.compile import compile_trial
from matcher.ingest import readers
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
    for name, seconds in huge_criteria():
        print(f"one criterion of 100,000 characters ({name}): compiled in {seconds:.2f} s")
    print(f"screening: {pairs} patient x trial pairs, {screen_us:.0f} µs per pair ({1e6 / screen_us:.0f} pairs/s, one core)")


# Long criteria without a clause break, or with thousands of mentions and windows: what used to be quadratic
# (consumed spans, window overlaps, anchors and negation scopes read once per mention).
_WORDS = ("Patients with EDSS between 3.0 and 6.5 who stopped fingolimod at least 3 months before baseline and have "
          "no relapse within 30 days").split()
HUGE = {
    "no clause break": " ".join(_WORDS[i % len(_WORDS)] for i in range(20_000))[:100_000],
    "conditions with windows": ("history of epilepsy, diabetes or stroke within 6 months; " * 1800)[:100_000],
    "drugs with windows": ("treatment with fingolimod within 3 months, natalizumab; " * 1800)[:100_000],
}


def huge_criteria() -> list[tuple[str, float]]:
    timings = []
    for name, text in HUGE.items():
        (trial,) = readers.read_plain_text("Exclusion Criteria:\n- " + text, path=Path(f"{name}.txt"), digest="0")
        start = time.perf_counter()
        compile_trial(trial)
        timings.append((name, time.perf_counter() - start))
    return timings


if __name__ == "__main__":
    main()
