"""Screen a whole registry against a set of trials: compile once, evaluate in parallel, store everything.

Each trial is compiled once in the parent. Patients stream from the registry in chunks; a pool of worker
processes (all local cores by default) receives the compiled rule sets once, through the pool initializer,
loads the lexicon once, and screens chunk after chunk. The parent writes, per chunk and in registry order:

* ``<out>.csv``: one row per patient x trial (verdict, failing and unknown criterion ids, eligible-from),
  appended and flushed;
* ``<out>.sqlite``: the append-only results store (:mod:`matcher.report.store`), one transaction per chunk;
* ``<out>.errors.jsonl``: registry rows that could not be screened (file, line, record, field, error);
* ``<out>.parquet/run-<run_id>.parquet``: the CSV's table in Parquet, one row group per chunk
  (:mod:`matcher.batch.parquet`).

Chunks run in local worker processes, or on a Dask cluster (``engine="dask"``, :mod:`matcher.batch.dask_engine`).

A re-run with the same as-of date and trials skips the patients the store already holds (resume), so an
interrupted run loses at most the chunks in flight.
"""

from __future__ import annotations

import csv
import json
import os
import shlex
import sys
import time
from collections import deque
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Iterable, Optional

from ..api import load_rulesets
from ..errors import MsmatchError
from ..evaluate import PatientFacts, screen
from ..lexicon import get_lexicon
from ..models.patient import Patient
from ..models.rules import RuleSet
from ..report.store import ResultStore, Screening
from .parquet import ParquetSink, recover_interrupted_runs
from .progress import Progress
from .registry import RegistryError, count_records, iter_registry

__all__ = ["run_batch", "BatchSummary", "OutputPaths", "load_trials", "CSV_COLUMNS"]

CSV_COLUMNS = ("run_id", "as_of", "patient_id", "trial_id", "verdict", "failing", "unknown", "eligible_from")
CHUNK_SIZE = 500


@dataclass(frozen=True)
class OutputPaths:
    csv: Path
    sqlite: Path
    errors: Path
    parquet: Path  # a dataset folder, one file per run (matcher.batch.parquet)

    @classmethod
    def of(cls, out_dir_or_prefix: str | Path) -> "OutputPaths":
        """``results/`` (an existing folder, or a path ending in a separator) -> ``results/results.*``."""
        text = str(out_dir_or_prefix)
        prefix = Path(text)
        if prefix.is_dir() or text.endswith(("/", os.sep)):
            prefix = prefix / "results"
        if prefix.suffix.lower() in (".csv", ".sqlite"):
            prefix = prefix.with_suffix("")
        return cls(csv=Path(f"{prefix}.csv"), sqlite=Path(f"{prefix}.sqlite"), errors=Path(f"{prefix}.errors.jsonl"),
                   parquet=Path(f"{prefix}.parquet"))


@dataclass
class BatchSummary:
    run_id: int
    as_of: date
    trials: list[str]
    outputs: OutputPaths
    patients_screened: int = 0
    skipped_done: int = 0
    bad_rows: int = 0
    pairs: int = 0
    seconds: float = 0.0
    verdicts: dict[str, int] = field(default_factory=dict)

    @property
    def pairs_per_second(self) -> float:
        return self.pairs / self.seconds if self.seconds > 0 else 0.0

    def as_dict(self) -> dict:
        return {"run_id": self.run_id, "as_of": self.as_of.isoformat(), "trials": self.trials,
                "patients_screened": self.patients_screened, "skipped_done": self.skipped_done,
                "bad_rows": self.bad_rows, "pairs": self.pairs, "seconds": round(self.seconds, 3),
                "pairs_per_second": round(self.pairs_per_second, 1), "verdicts": self.verdicts,
                "csv": str(self.outputs.csv), "store": str(self.outputs.sqlite), "errors": str(self.outputs.errors),
                "parquet": str(self.outputs.parquet)}

    def __str__(self) -> str:
        verdicts = ", ".join(f"{n} {v}" for v, n in sorted(self.verdicts.items())) or "none"
        return (f"run {self.run_id} as of {self.as_of}: {self.patients_screened} patients screened against "
                f"{len(self.trials)} trials ({self.pairs} pairs, {self.pairs_per_second:.0f} pairs/s, "
                f"{self.seconds:.1f} s); {self.skipped_done} skipped as already done; {self.bad_rows} bad rows "
                f"(see {self.outputs.errors}); verdicts: {verdicts}; results in {self.outputs.csv}, "
                f"{self.outputs.parquet} and {self.outputs.sqlite}")


def load_trials(paths: Iterable[str | Path]) -> list[RuleSet]:
    """Compile every trial record (or read every compiled rule set) under ``paths``, once."""
    rulesets: dict[str, RuleSet] = {}
    for path in map(Path, paths):
        if not path.exists():
            raise MsmatchError("no such trial file or folder", file=str(path), hint="check the --trials path")
        files = sorted(f for f in path.iterdir() if f.is_file() and not f.name.startswith(".")) \
            if path.is_dir() else [path]
        for file in files:
            for ruleset in load_rulesets(file):
                seen = rulesets.get(ruleset.trial_id)
                if seen is not None and seen.content_sha256() != ruleset.content_sha256():
                    raise MsmatchError(f"trial {ruleset.trial_id} is given twice with different criteria",
                                       file=str(file), hint="pass one record per trial")
                rulesets.setdefault(ruleset.trial_id, ruleset)
    if not rulesets:
        raise MsmatchError("no trials found", file=", ".join(map(str, paths)))
    return list(rulesets.values())


# Worker side: the rule sets arrive once per process (pool initializer), not with every chunk.
_WORKER_RULESETS: tuple[RuleSet, ...] = ()


def _init_worker(rulesets: list[RuleSet]) -> None:
    global _WORKER_RULESETS
    _WORKER_RULESETS = tuple(rulesets)
    get_lexicon()  # load once per process, before the first chunk


@dataclass(frozen=True)
class _Row:
    screening: Screening
    failing: tuple[str, ...]
    unknown: tuple[str, ...]


def _screen_chunk(patients: list[Patient], as_of: date) -> tuple[list[_Row], list[dict]]:
    rows: list[_Row] = []
    errors: list[dict] = []
    for patient in patients:
        try:
            facts = PatientFacts(patient)
            patient_rows = []
            for ruleset in _WORKER_RULESETS:
                result = screen(ruleset, facts, as_of)
                patient_rows.append(_Row(Screening.of(result, ruleset), tuple(result.failing),
                                         tuple(c.id for c in result.criteria if c.status == "unknown")))
        except Exception as error:  # an engine bug on one patient must not stop the batch
            errors.append({"file": None, "line": None, "record": patient.id, "field": None,
                           "error": f"screening failed: {type(error).__name__}: {error}"[:500]})
            continue
        rows.extend(patient_rows)
    return rows, errors


class _InProcess(Executor):
    """workers=1: same code path, no processes."""

    def __init__(self, rulesets: list[RuleSet]):
        _init_worker(rulesets)

    def submit(self, fn, /, *args, **kwargs) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as error:
            future.set_exception(error)
        return future


def _start_engine(engine: str, rulesets: list[RuleSet], workers: int,
                  scheduler: Optional[str]) -> tuple[Executor, int]:
    """The executor that screens chunks, and how many chunks it runs at once."""
    if engine == "dask":
        from .dask_engine import DaskExecutor  # optional dependency: msmatch[dask]

        executor = DaskExecutor(rulesets, scheduler=scheduler, workers=workers)
        return executor, executor.capacity
    if engine != "local":
        raise MsmatchError(f"unknown engine {engine!r}", hint="use local or dask")
    return (_InProcess(rulesets) if workers == 1 else ProcessPoolExecutor(
        max_workers=workers, initializer=_init_worker, initargs=(rulesets,))), workers


def run_batch(patients_source: str | Path, trial_paths: Iterable[str | Path], as_of: date,
              out_dir_or_prefix: str | Path, workers: Optional[int] = None, resume: bool = True,
              progress: bool = True, chunk_size: int = CHUNK_SIZE, command: Optional[str] = None,
              engine: str = "local", scheduler: Optional[str] = None) -> BatchSummary:
    """Screen every patient of a registry against every trial; see the module docstring for the outputs.

    ``engine="dask"`` screens the chunks on a Dask cluster (``scheduler`` address, or a local cluster of
    ``workers`` processes): :mod:`matcher.batch.dask_engine`."""
    started = time.monotonic()
    trial_paths = list(trial_paths)
    rulesets = load_trials(trial_paths)
    items = iter_registry(patients_source)
    workers = workers or os.cpu_count() or 1
    outputs = OutputPaths.of(out_dir_or_prefix)
    # Before the store: a cluster that cannot be reached leaves no empty run behind.
    executor, workers = _start_engine(engine, rulesets, workers, scheduler)
    outputs.csv.parent.mkdir(parents=True, exist_ok=True)

    store = ResultStore(outputs.sqlite)
    run_id = store.start_run(as_of, command or shlex.join(["msmatch", *sys.argv[1:]]))
    shas = [store.add_ruleset(ruleset) for ruleset in rulesets]
    trial_ids = [ruleset.trial_id for ruleset in rulesets]
    done = store.done_patients(as_of, trial_ids, shas) if resume else set()
    writer = _Writer(store, run_id, outputs, BatchSummary(run_id, as_of, trial_ids, outputs))
    meter = Progress(progress, count_records(patients_source) if progress else None)
    in_flight: deque[Future] = deque()
    seen: set[str] = set()
    chunk: list[Patient] = []

    def submit() -> None:
        in_flight.append(executor.submit(_screen_chunk, list(chunk), as_of))
        chunk.clear()
        while len(in_flight) > 2 * workers:  # bounded: a huge registry never piles up in memory
            writer.write(*in_flight.popleft().result())
            meter.update(writer.stats.patients_screened)

    try:
        for item in items:
            if isinstance(item, RegistryError):
                writer.error(item.as_dict())
                continue
            if item.id in done:
                writer.stats.skipped_done += 1
                continue
            if item.id in seen:
                writer.error({"file": str(patients_source), "line": None, "record": item.id, "field": "id",
                               "error": "duplicate patient id in the registry; screened once"})
                continue
            seen.add(item.id)
            chunk.append(item)
            if len(chunk) >= chunk_size:
                submit()
        if chunk:
            submit()
        while in_flight:
            writer.write(*in_flight.popleft().result())
            meter.update(writer.stats.patients_screened)
        writer.flush_errors()
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
        writer.close()
        store.close()
        meter.finish()

    stats = writer.stats
    stats.seconds = time.monotonic() - started
    if progress:
        print(f"msmatch batch: {stats}", file=sys.stderr)
    return stats


class _Writer:
    """The parent's outputs: CSV and errors file appended and flushed, store committed, per chunk."""

    def __init__(self, store: ResultStore, run_id: int, outputs: OutputPaths, stats: BatchSummary):
        self.store, self.run_id, self.stats = store, run_id, stats
        new_csv = not outputs.csv.exists() or outputs.csv.stat().st_size == 0
        self._csv_file = outputs.csv.open("a", encoding="utf-8", newline="")
        self._csv = csv.writer(self._csv_file)
        if new_csv:
            self._csv.writerow(CSV_COLUMNS)
            self._csv_file.flush()
        self._errors_file = outputs.errors.open("a", encoding="utf-8")
        self._pending_errors: list[dict] = []
        recover_interrupted_runs(outputs.parquet, store.path)  # runs killed outright before this one
        self._parquet = ParquetSink(outputs.parquet, run_id)

    def error(self, error: dict) -> None:
        self.stats.bad_rows += 1
        self._pending_errors.append(error)

    def write(self, rows: list[_Row], errors: list[dict]) -> None:
        for error in errors:
            self.error(error)
        as_of = self.stats.as_of.isoformat()
        # CSV first: if the run dies before the commit, a resume screens the chunk again (a duplicate CSV line,
        # never a missing one); the store, committed once per chunk, stays exact.
        self._csv.writerows((self.run_id, as_of, r.screening.patient_id, r.screening.trial_id, r.screening.verdict,
                             ";".join(r.failing), ";".join(r.unknown), r.screening.eligible_from or "")
                            for r in rows)
        self._csv_file.flush()
        self._parquet.write_rows(self.run_id, rows)
        with self.store.transaction():
            self.store.record_many(self.run_id, (r.screening for r in rows))
            self._flush_errors_locked()
        patients = {r.screening.patient_id for r in rows}
        self.stats.patients_screened += len(patients)
        self.stats.pairs += len(rows)
        for r in rows:
            self.stats.verdicts[r.screening.verdict] = self.stats.verdicts.get(r.screening.verdict, 0) + 1

    def flush_errors(self) -> None:
        with self.store.transaction():
            self._flush_errors_locked()

    def _flush_errors_locked(self) -> None:
        for error in self._pending_errors:
            self._errors_file.write(json.dumps({"run_id": self.run_id, **error}, ensure_ascii=False) + "\n")
            self.store.record_error(self.run_id, error)
        self._errors_file.flush()
        self._pending_errors.clear()

    def close(self) -> None:
        self._csv_file.close()
        self._errors_file.close()
        self._parquet.close()
