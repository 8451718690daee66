"""Batch screening at scale: 1k, 10k and 100k synthetic patients x 20 trials, pairs/s and peak memory.

    python benchmarks/bench_scale.py                      # 1000, 10000 and 100000 patients, all cores
    python benchmarks/bench_scale.py --sizes 1000 10000   # fewer sizes
    python benchmarks/bench_scale.py --workers 1 --json

The trials are 20 of the 31 real records in tests/fixtures (seeds and corpus), compiled once into rule set
files before any timing. Each size runs in a fresh process (so that peak memory is that size's own) on a
registry written beforehand by ``synthetic_registry.py`` (same seed: the smaller registries are prefixes of
the larger ones). Reported per size: wall time of ``run_batch`` (reading the registry, screening, writing
CSV, Parquet and the SQLite store), pairs per second, peak resident memory of the parent and of the largest
worker, and the store's bytes per pair. Memory that stays flat from 1k to 100k patients shows the run
streams; the figures are noisy when other work shares the cores, so run it more than once.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
AS_OF = date(2026, 11, 1)
TRIALS = 20


def compile_trials(folder: Path, count: int = TRIALS) -> list[str]:
    """The first ``count`` fixture trials (by trial id) as compiled rule set files in ``folder``."""
    from matcher.api import load_rulesets
    from matcher.errors import NoCriteriaError
    from matcher.report import ruleset_json

    rulesets = {}
    for record in sorted([*(FIXTURES / "seeds").iterdir(), *(FIXTURES / "corpus").iterdir()]):
        if record.suffix not in (".txt", ".csv", ".json"):
            continue
        try:
            for ruleset in load_rulesets(record):
                rulesets.setdefault(ruleset.trial_id, ruleset)
        except NoCriteriaError:  # the seed news article
            continue
    chosen = sorted(rulesets)[:count]
    folder.mkdir(parents=True, exist_ok=True)
    for trial_id in chosen:
        (folder / f"{trial_id}.json").write_text(ruleset_json(rulesets[trial_id]), encoding="utf-8")
    return chosen


def run_one(registry: Path, trials: Path, out: Path, workers: int | None, chunk_size: int | None) -> dict:
    """One batch in this process (called in a fresh subprocess per size)."""
    from matcher.batch import run_batch

    options = {"chunk_size": chunk_size} if chunk_size else {}
    started = time.perf_counter()
    summary = run_batch(registry, [trials], AS_OF, out, workers=workers, progress=False, command="bench_scale",
                        **options)
    wall = time.perf_counter() - started
    store = summary.outputs.sqlite
    store_bytes = sum(p.stat().st_size for p in (store, Path(f"{store}-wal")) if p.exists())
    return {"patients": summary.patients_screened, "bad_rows": summary.bad_rows, "pairs": summary.pairs,
            "seconds": round(wall, 2), "pairs_per_second": round(summary.pairs / wall),
            "parent_peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            "worker_peak_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024),
            "store_bytes_per_pair": round(store_bytes / max(summary.pairs, 1)),
            "csv_bytes_per_pair": round(summary.outputs.csv.stat().st_size / max(summary.pairs, 1)),
            "verdicts": summary.verdicts}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--workers", type=int, default=None, help="default: all cores")
    parser.add_argument("--chunk-size", type=int, default=None, help="default: the runner's")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--one", nargs=3, metavar=("REGISTRY", "TRIALS", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(run_one(*map(Path, args.one), args.workers, args.chunk_size)))
        return 0

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from synthetic_registry import write_jsonl

    with tempfile.TemporaryDirectory(prefix="msmatch-scale-") as tmp:
        tmp = Path(tmp)
        trial_ids = compile_trials(tmp / "trials")
        rows = []
        for n in args.sizes:
            registry = write_jsonl(tmp / f"registry-{n}.jsonl", n, args.seed)
            command = [sys.executable, __file__, "--one", str(registry), str(tmp / "trials"), str(tmp / f"out-{n}")]
            command += [f"--workers={args.workers}"] if args.workers else []
            command += [f"--chunk-size={args.chunk_size}"] if args.chunk_size else []
            done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": "0"})
            if done.returncode != 0:
                print(done.stderr, file=sys.stderr)
                return 1
            row = {"size": n, "trials": len(trial_ids), **json.loads(done.stdout.strip().splitlines()[-1])}
            rows.append(row)
            registry.unlink()
            if not args.json:
                print(f"{n:>7} patients x {len(trial_ids)} trials: {row['pairs']:>8} pairs in {row['seconds']:7.1f} s "
                      f"= {row['pairs_per_second']:>6} pairs/s; peak RSS parent {row['parent_peak_mb']} MB, "
                      f"largest worker {row['worker_peak_mb']} MB; store {row['store_bytes_per_pair']} B/pair, "
                      f"CSV {row['csv_bytes_per_pair']} B/pair", flush=True)
    if args.json:
        print(json.dumps({"workers": args.workers or os.cpu_count(), "trials": trial_ids, "runs": rows}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
