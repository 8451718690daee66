"""The compiler's figures on every gold and hold-out set, one line per set.

    python benchmarks/eval_sets.py [--verdicts] [SET ...]

SET is a folder name under tests/ ("gold", "holdout", "holdout34"); without one, every set in order. Each line
gives precision, recall and exact-parameter accuracy of the rules, the polarity and grouping errors and the
criteria scored; with --verdicts also the wrong fails and wrong passes of the example patients
(patient_profiles/, at 2026-11-01) and the share of trial verdicts that agree. `msmatch eval-compiler --gold
tests/<set>/gold` lists the mismatches of one set.
"""

from __future__ import annotations

import argparse
import re
import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from matcher.evalcompiler import Verdicts, _panel, evaluate  # noqa: E402


def all_sets() -> list[str]:
    numbered = sorted((p.parent.name for p in (ROOT / "tests").glob("holdout*/gold")),
                      key=lambda name: int(re.sub(r"\D", "", name) or 1))
    return ["gold", *numbered]


def gold_dir(name: str) -> Path:
    return ROOT / "tests" / "gold" if name == "gold" else ROOT / "tests" / name / "gold"


def percent(value) -> str:
    return "   -" if value is None else f"{value * 100:5.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="*", help="folder names under tests/ (default: every set)")
    parser.add_argument("--verdicts", action="store_true", help="also decide the example patients")
    args = parser.parse_args()
    panel = _panel(ROOT / "patient_profiles") if args.verdicts else None
    for name in args.sets or all_sets():
        if not gold_dir(name).is_dir():
            sys.exit(f"{name}: no gold folder at {gold_dir(name)} (a folder name under tests/, e.g. holdout34)")
        verdicts = Verdicts() if args.verdicts else None
        summary = evaluate(gold_dir(name), ROOT, panel, date(2026, 11, 1), verdicts).summary()
        line = (f"{name:<10} P {percent(summary['precision'])} R {percent(summary['recall'])} "
                f"exact {percent(summary['exact_parameter_accuracy'])} polarity {summary['polarity_errors']} "
                f"grouping {summary['grouping_errors']} criteria {summary['criteria']}")
        if verdicts is not None:
            counts = verdicts.summary()
            line += (f" | wrong fails {counts['wrong_fail']} wrong passes {counts['wrong_pass']} "
                     f"trials {percent(counts['trial_verdict_agreement'])}")
        print(line, flush=True)


if __name__ == "__main__":
    main()
