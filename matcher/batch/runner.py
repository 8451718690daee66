"""Screen a whole registry against a set of trials: compile once, evaluate in parallel, store everything.

Each trial is compiled once in the parent. Raw registry records (JSONL lines, CSV rows, file names) stream
from the registry in chunks; a pool of worker processes (all local cores by default) receives the compiled
rule sets once, through the pool initializer, loads the lexicon once, and parses and screens chunk after
chunk (statuses only, :func:`matcher.evaluate.decide`). The parent writes, per chunk and in registry order:

* ``<out>.csv``: one row per patient x trial (verdict, failing and unknown criterion ids, eligible-from),
  appended and flushed;
* ``<out>.sqlite``: the append-only results store (:mod:`matcher.report.store`), one transaction per chunk:
  a compact row per pair (verdict, failing and unknown ids, one status per criterion) and each patient's
  profile once (a content-addressed snapshot), from which the store re-derives any full explanation;
* ``<out>.errors.jsonl``: registry rows that could not be screened (file, line, record, field, error);
* ``<out>.parquet/run-<run_id>.parquet``: the CSV's table in Parquet, one row group per chunk
  (:mod:`matcher.batch.parquet`).

Chunks run in local worker processes, or on a Dask cluster (``engine="dask"``, :mod:`matcher.batch.dask_engine`).

A re-run with the same as-of date and trials skips the patients the store already holds (resume), so an
interrupted run loses at most the chunks in flight.
"""

from __future__ import annotations

import csv
import gc
import io
import json
import os
import shlex
import sys
import time
from collections import Counter, deque
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Iterable, NamedTuple, Optional, Union

from ..errors import MsmatchError
from ..evaluate import PatientFacts, decide
from ..lexicon import get_lexicon
from ..models.rules import RuleSet
from ..report.store import ResultStore, Screening, patient_snapshot
from .parquet import ParquetSink, recover_interrupted_runs
from .progress import Progress
from .registry import RawRecord, RegistryError, count_records, iter_records, parse_record

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


def _load_rulesets(file):
    from ..api import load_rulesets  # imported on use: `msmatch --help` does not load spaCy

    return load_rulesets(file)


def load_trials(paths: Iterable[str | Path]) -> list[RuleSet]:
    """Compile every trial record (or read every compiled rule set) under ``paths``, once."""
    rulesets: dict[str, RuleSet] = {}
    for path in map(Path, paths):
        if not path.exists():
            raise MsmatchError("no such trial file or folder", file=str(path), hint="check the --trials path")
        files = sorted(f for f in path.iterdir() if f.is_file() and not f.name.startswith(".")) \
            if path.is_dir() else [path]
        for file in files:
            for ruleset in _load_rulesets(file):
                seen = rulesets.get(ruleset.trial_id)
                if seen is not None and seen.content_sha256() != ruleset.content_sha256():
                    raise MsmatchError(f"trial {ruleset.trial_id} is given twice with different criteria",
                                       file=str(file), hint="pass one record per trial")
                rulesets.setdefault(ruleset.trial_id, ruleset)
    if not rulesets:
        raise MsmatchError("no trials found", file=", ".join(map(str, paths)))
    return list(rulesets.values())


# Worker side: the rule sets (and the patients a resumed run already holds) arrive once per process, through
# the pool initializer, not with every chunk.
_WORKER_RULESETS: tuple[RuleSet, ...] = ()
_WORKER_SKIP: frozenset[str] = frozenset()


def _init_worker(rulesets: list[RuleSet], skip: frozenset[str] = frozenset(), own_process: bool = False) -> None:
    global _WORKER_RULESETS, _WORKER_SKIP
    _WORKER_RULESETS = tuple(rulesets)
    _WORKER_SKIP = frozenset(skip)
    get_lexicon()  # load once per process, before the first chunk
    if own_process:
        # The rule sets and the lexicon live as long as the process: the cyclic garbage collector need not
        # walk them again each time screening's many short-lived objects set it off (half the time, else).
        gc.freeze()


class _Row(NamedTuple):
    """A pair as the Parquet sink reads it (:meth:`matcher.batch.parquet.ParquetSink.write_rows`)."""

    screening: Screening
    failing: tuple[str, ...]
    unknown: tuple[str, ...]


class _Screened(NamedTuple):
    """One patient of a chunk: its rows (none when a resumed run skipped it), the same as CSV lines, and its
    profile snapshot."""

    patient_id: str
    file: str
    line: Optional[int]
    rows: list[Screening]
    csv_text: str
    snapshot: Optional[tuple[str, str]]  # (sha256, json), see matcher.report.store.patient_snapshot


def _csv_text(run_id: int, rows: list[Screening]) -> str:
    out = io.StringIO()
    csv.writer(out).writerows((run_id, s.as_of, s.patient_id, s.trial_id, s.verdict, ";".join(s.failing),
                               ";".join(s.unknown), s.eligible_from or "") for s in rows)
    return out.getvalue()


class _Job(NamedTuple):
    """What every chunk of a run is screened for."""

    as_of: date
    run_id: int  # written into the CSV lines, which the workers format


def _screen_chunk(records: list[RawRecord], job: _Job) -> list[Union[_Screened, dict]]:
    """Parse and screen a chunk of registry records: per patient a :class:`_Screened`, per bad row an error
    dict, in registry order (the parent decides about duplicates and resumes, which span chunks). The rows
    are formatted here, in parallel, so that the parent only writes."""
    as_of, run_id = job
    out: list[Union[_Screened, dict]] = []
    for record in records:
        for item in parse_record(record):
            if isinstance(item, RegistryError):
                out.append(item.as_dict())
                continue
            if item.id in _WORKER_SKIP:
                out.append(_Screened(item.id, record.file, record.line, [], "", None))
                continue
            try:
                facts = PatientFacts(item)
                rows = [Screening.compact(decide(ruleset, facts, as_of)) for ruleset in _WORKER_RULESETS]
                out.append(_Screened(item.id, record.file, record.line, rows, _csv_text(run_id, rows),
                                     patient_snapshot(item)))
            except Exception as error:  # an engine bug on one patient must not stop the batch
                out.append({"file": record.file, "line": record.line, "record": item.id, "field": None,
                            "error": f"screening failed: {type(error).__name__}: {error}"[:500]})
    return out


class _InProcess(Executor):
    """workers=1: same code path, no processes."""

    def __init__(self, rulesets: list[RuleSet], skip: frozenset[str] = frozenset()):
        _init_worker(rulesets, skip)

    def submit(self, fn, /, *args, **kwargs) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as error:
            future.set_exception(error)
        return future


def _start_engine(engine: str, rulesets: list[RuleSet], workers: int, scheduler: Optional[str],
                  skip: frozenset[str] = frozenset()) -> tuple[Executor, int]:
    """The executor that screens chunks, and how many chunks it runs at once."""
    if engine == "dask":
        from .dask_engine import DaskExecutor  # optional dependency: msmatch[dask]

        executor = DaskExecutor(rulesets, scheduler=scheduler, workers=workers, skip=skip)
        return executor, executor.capacity
    if engine != "local":
        raise MsmatchError(f"unknown engine {engine!r}", hint="use local or dask")
    return (_InProcess(rulesets, skip) if workers == 1 else ProcessPoolExecutor(
        max_workers=workers, initializer=_init_worker, initargs=(rulesets, skip, True))), workers


def _done_patients(store_path: Path, as_of: date, rulesets: list[RuleSet]) -> frozenset[str]:
    """Patients an earlier run screened at ``as_of`` against exactly these rule sets (read before the engine
    starts, so that workers skip them; no store file is created for it)."""
    if not store_path.is_file():
        return frozenset()
    with ResultStore(store_path) as store:
        return frozenset(store.done_patients(as_of, [r.trial_id for r in rulesets],
                                             [r.content_sha256() for r in rulesets]))


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
    records = iter_records(patients_source)
    workers = workers or os.cpu_count() or 1
    outputs = OutputPaths.of(out_dir_or_prefix)
    done = _done_patients(outputs.sqlite, as_of, rulesets) if resume else frozenset()
    # Before the store: a cluster that cannot be reached leaves no empty run behind.
    executor, workers = _start_engine(engine, rulesets, workers, scheduler, done)
    outputs.csv.parent.mkdir(parents=True, exist_ok=True)

    store = ResultStore(outputs.sqlite)
    run_id = store.start_run(as_of, command or shlex.join(["msmatch", *sys.argv[1:]]))
    for ruleset in rulesets:
        store.add_ruleset(ruleset)
    trial_ids = [ruleset.trial_id for ruleset in rulesets]
    writer = _Writer(store, run_id, outputs, BatchSummary(run_id, as_of, trial_ids, outputs), done)
    meter = Progress(progress, count_records(patients_source) if progress else None)
    in_flight: deque[Future] = deque()
    chunk: list[RawRecord] = []
    job = _Job(as_of, run_id)

    def submit() -> None:
        in_flight.append(executor.submit(_screen_chunk, list(chunk), job))
        chunk.clear()
        while len(in_flight) > 2 * workers:  # bounded: a huge registry never piles up in memory
            writer.write(in_flight.popleft().result())
            meter.update(writer.stats.patients_screened)

    gc.freeze()  # what exists now (trials, lexicon) outlives the run: keep it out of the collector's walks
    try:
        for record in records:
            chunk.append(record)
            if len(chunk) >= chunk_size:
                submit()
        if chunk:
            submit()
        while in_flight:
            writer.write(in_flight.popleft().result())
            meter.update(writer.stats.patients_screened)
        writer.flush_errors()
    finally:
        gc.unfreeze()
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

    def __init__(self, store: ResultStore, run_id: int, outputs: OutputPaths, stats: BatchSummary,
                 done: frozenset[str] = frozenset()):
        self.store, self.run_id, self.stats = store, run_id, stats
        self._done = done
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

    def write(self, screened: list[Union[_Screened, dict]]) -> None:
        """One chunk from a worker: errors and patients in registry order. A patient already held by the store
        (resume) is skipped, and a patient id seen before in this run is a duplicate, screened once (earlier
        chunks are asked of the store, so that memory does not grow with the registry)."""
        rows: list[Screening] = []
        lines: list[str] = []
        snapshots = []
        seen = self.store.run_holds(self.run_id, [e.patient_id for e in screened if not isinstance(e, dict)])
        for entry in screened:
            if isinstance(entry, dict):
                self.error(entry)
            elif entry.patient_id in self._done:
                self.stats.skipped_done += 1
            elif entry.patient_id in seen:
                self.error({"file": entry.file, "line": entry.line, "record": entry.patient_id, "field": "id",
                            "error": "duplicate patient id in the registry; screened once"})
            else:
                seen.add(entry.patient_id)
                rows.extend(entry.rows)
                lines.append(entry.csv_text)
                snapshots.append((entry.patient_id, *entry.snapshot))
                self.stats.patients_screened += 1
        # CSV first: if the run dies before the commit, a resume screens the chunk again (a duplicate CSV line,
        # never a missing one); the store, committed once per chunk, stays exact.
        self._csv_file.write("".join(lines))
        self._csv_file.flush()
        self._parquet.write_rows(self.run_id, [_Row(r, r.failing, r.unknown) for r in rows])
        with self.store.transaction():
            self.store.record_many(self.run_id, rows)
            self.store.add_patient_snapshots(self.run_id, snapshots)
            self._flush_errors_locked()
        self.stats.pairs += len(rows)
        for verdict, count in Counter(r.verdict for r in rows).items():
            self.stats.verdicts[verdict] = self.stats.verdicts.get(verdict, 0) + count

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
