"""Batch throughput: N synthetic patients x the trial records in example_trials/.

    python benchmarks/bench_batch.py              # 1000 patients, all cores
    python benchmarks/bench_batch.py --large      # 10000 patients
    python benchmarks/bench_batch.py --n 2000 --workers 1
    python benchmarks/bench_batch.py --n 5000 --engine dask   # a local Dask cluster of --workers processes

Prints patient x trial pairs per second (trial compilation included in the wall time) and peak resident
memory of the parent and of the largest worker (resource.getrusage).
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from synthetic_registry import write_jsonl

from matcher.batch import run_batch

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="patients (default 1000)")
    parser.add_argument("--large", action="store_true", help="10000 patients")
    parser.add_argument("--workers", type=int, default=None, help="default: all cores")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--trials", default=str(ROOT / "example_trials"))
    parser.add_argument("--engine", choices=("local", "dask"), default="local")
    parser.add_argument("--scheduler", default=None, help="Dask scheduler address (default: a local cluster)")
    args = parser.parse_args(argv)
    n = 10000 if args.large else args.n

    with tempfile.TemporaryDirectory(prefix="msmatch-bench-") as tmp:
        registry = write_jsonl(Path(tmp) / "registry.jsonl", n, args.seed)
        started = time.perf_counter()
        summary = run_batch(registry, [args.trials], date(2026, 11, 1), Path(tmp) / "out", workers=args.workers,
                            progress=False, engine=args.engine, scheduler=args.scheduler)
        wall = time.perf_counter() - started
        store_mb = summary.outputs.sqlite.stat().st_size / 1e6

    parent_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    child_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"patients: {summary.patients_screened} screened, {summary.bad_rows} bad rows; trials: {len(summary.trials)}")
    print(f"pairs: {summary.pairs} in {wall:.1f} s wall (incl. compiling the trials) = "
          f"{summary.pairs / wall:.0f} pairs/s; engine: {args.engine}, workers: {args.workers or 'all cores'}")
    print(f"verdicts: {summary.verdicts}")
    print(f"peak RSS: parent {parent_mb:.0f} MB, largest worker {child_mb:.0f} MB; store {store_mb:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
