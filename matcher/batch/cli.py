"""``msmatch batch``: the command-line face of :func:`matcher.batch.run_batch`."""

from __future__ import annotations

import argparse

from .runner import run_batch

EPILOG = """example:
  msmatch batch --patients registry.jsonl --trials example_trials/ --as-of 2026-11-01 --out results/run1

REGISTRY is a folder of profile .json files, a .jsonl file (one profile per line) or a .csv file (one row
per patient; columns documented in matcher/batch/registry.py). Writes RESULTS_PREFIX.csv, .sqlite and
.errors.jsonl. Exit status 0 when the batch completed, even if some rows were skipped (see the summary);
2 on unusable arguments.
"""


def _workers(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"not a positive number of workers: {text!r}")
    return value


def cmd_batch(args) -> int:
    run_batch(args.patients, args.trials, args.as_of, args.out, workers=args.workers, resume=not args.no_resume,
              progress=True)
    return 0


def register(subparsers) -> None:
    from ..cli import _date  # the one YYYY-MM-DD parser; imported late because matcher.cli imports this module

    p = subparsers.add_parser("batch", help="screen a registry of patients against trials into a results store",
                              epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--patients", required=True, metavar="REGISTRY", help="folder of .json, .jsonl or .csv")
    p.add_argument("--trials", action="append", required=True, metavar="DIR_OR_FILE",
                   help="trial record, compiled rule set or folder (repeatable)")
    p.add_argument("--as-of", type=_date, required=True, help="reference date YYYY-MM-DD")
    p.add_argument("--out", required=True, metavar="RESULTS_PREFIX",
                   help="output prefix (or existing folder): writes .csv, .sqlite, .errors.jsonl")
    p.add_argument("--workers", type=_workers, default=None, help="worker processes (default: all cores; 1 = in-process)")
    p.add_argument("--no-resume", action="store_true",
                   help="screen every patient again, even those already in the store for this date and trials")
    p.set_defaults(func=cmd_batch)
