"""``msmatch batch`` and ``msmatch attrition``: the command-line face of :func:`matcher.batch.run_batch` and
:func:`matcher.batch.attrition.attrition_report`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import MsmatchError
from .attrition import attrition_report
from .runner import CHUNK_SIZE, run_batch

EPILOG = """example:
  msmatch batch --patients registry.jsonl --trials example_trials/ --as-of 2026-11-01 --out results/run1
  msmatch batch ... --engine dask                                    # a local Dask cluster of --workers processes
  msmatch batch ... --engine dask --scheduler tcp://sched-host:8786  # an existing Dask cluster

REGISTRY is a folder of profile .json files, a .jsonl file (one profile per line) or a .csv file (one row
per patient; columns documented in matcher/batch/registry.py). Writes RESULTS_PREFIX.csv, .sqlite,
.errors.jsonl, .parquet/ (one file per run) and .attrition/ (attrition.html, attrition.csv, funnel PNGs).

Exit status: 0 when every registry row was screened; 1 when the batch completed but some rows were skipped
as unreadable or invalid (the summary counts them, RESULTS_PREFIX.errors.jsonl names file, line, record and
field); 2 on unusable arguments (nothing screened). Patients skipped because the store already holds them
(resume) are not errors.
"""

ATTRITION_EPILOG = """example:
  msmatch attrition --store results/run1.sqlite --out results/run1.attrition
  msmatch attrition --store results/run1.sqlite --run 3 --out attrition-run3

Without --run: every screening at the reference date of the latest run (or --as-of), newest per patient
and trial, so a batch resumed over several runs counts once. Writes attrition.csv, attrition.html and one
funnel-<trial>.png per trial.
"""


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"not a positive whole number: {text!r}")
    return value


def cmd_batch(args) -> int:
    if args.scheduler and args.engine != "dask":
        raise MsmatchError("--scheduler is for --engine dask", hint="add --engine dask, or drop --scheduler")
    summary = run_batch(args.patients, args.trials, args.as_of, args.out, workers=args.workers,
                        resume=not args.no_resume, progress=True, chunk_size=args.chunk_size, engine=args.engine,
                        scheduler=args.scheduler)
    if not args.no_attrition:
        prefix = summary.outputs.csv.with_suffix("")
        report = attrition_report(summary.outputs.sqlite, Path(f"{prefix}.attrition"), as_of=summary.as_of,
                                  trial_ids=summary.trials)
        print(f"msmatch batch: attrition report in {report.html}", file=sys.stderr)
    return 1 if summary.bad_rows else 0


def cmd_attrition(args) -> int:
    report = attrition_report(args.store, args.out, run_id=args.run, as_of=args.as_of, trial_ids=args.trial)
    print(f"msmatch attrition: {report.selection}: {len(report.trials)} trials; wrote {report.html}, "
          f"{report.csv} and {len(report.pngs)} funnel PNGs", file=sys.stderr)
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
                   help="output prefix (or existing folder): writes .csv, .sqlite, .errors.jsonl, .parquet/, "
                        ".attrition/")
    p.add_argument("--workers", type=_positive, default=None,
                   help="worker processes (default: all cores; 1 = in-process), also for a local Dask cluster")
    p.add_argument("--no-resume", action="store_true",
                   help="screen every patient again, even those already in the store for this date and trials")
    p.add_argument("--engine", choices=("local", "dask"), default="local",
                   help="local worker processes (default) or a Dask cluster")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="Dask scheduler address, e.g. tcp://host:8786 (default with --engine dask: a local cluster "
                        "of --workers processes)")
    p.add_argument("--chunk-size", type=_positive, default=CHUNK_SIZE, metavar="N",
                   help=f"registry records (profiles) per task (default {CHUNK_SIZE})")
    p.add_argument("--no-attrition", action="store_true", help="do not write the attrition report at the end")
    p.set_defaults(func=cmd_batch)

    p = subparsers.add_parser("attrition", help="per-criterion attrition and eligibility funnel from a results store",
                              epilog=ATTRITION_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--store", required=True, metavar="RESULTS.sqlite", help="the store msmatch batch wrote")
    p.add_argument("--run", type=_positive, metavar="ID", help="only the screenings of this run")
    p.add_argument("--as-of", type=_date, help="reference date to report on (default: the latest run's)")
    p.add_argument("--trial", action="append", metavar="TRIAL_ID", help="only this trial (repeatable)")
    p.add_argument("--out", required=True, metavar="DIR", help="folder for attrition.csv, .html and funnel PNGs")
    p.set_defaults(func=cmd_attrition)
