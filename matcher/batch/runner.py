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
import json
import os
import re
import shlex
import sys
import time
from collections import Counter, deque
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Iterable, NamedTuple, Optional

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import MsmatchError
from ..evaluate import PatientFacts, decide
from ..evaluate.columnar import VERDICTS, decide_partition
from ..lexicon import get_lexicon
from ..models.patient import Patient
from ..models.rules import RuleSet
from ..report.store import ResultStore, batch_row, patient_snapshot
from .parquet import ParquetSink, pairs_batch, recover_interrupted_runs
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
    global _WORKER_RULESETS, _WORKER_SKIP, _WORKER_OUTPUTS
    _WORKER_RULESETS = tuple(rulesets)
    _WORKER_OUTPUTS = tuple(_TrialOutput(ruleset) for ruleset in rulesets)
    _WORKER_SKIP = frozenset(skip)
    get_lexicon()  # load once per process, before the first chunk
    if own_process:
        # The rule sets and the lexicon live as long as the process: the cyclic garbage collector need not
        # walk them again each time screening's many short-lived objects set it off (half the time, else).
        gc.freeze()


class _Patient(NamedTuple):
    """One patient of a chunk, in registry order: where it came from and, unless a resumed run skipped it
    (``row`` None), its store row, profile snapshot, CSV lines, and where its pairs start in the chunk's
    Parquet rows."""

    patient_id: str
    file: str
    line: Optional[int]
    row: Optional[tuple]  # matcher.report.store.batch_row
    snapshot: Optional[tuple[str, str]]  # (sha256, json), see matcher.report.store.patient_snapshot
    csv_text: str
    first_pair: int


class _Chunk(NamedTuple):
    entries: list  # a _Patient or an error dict per registry row, in registry order
    pairs: pa.RecordBatch  # the Parquet rows of the screened patients (matcher.batch.parquet.pairs_batch)


_CSV_SPECIAL = re.compile(r'[",\r\n]')


def _csv_field(text: str) -> str:
    """A CSV field as the csv module writes it (quoted when it holds a comma, quote or line break)."""
    return '"' + text.replace('"', '""') + '"' if _CSV_SPECIAL.search(text) else text


class _TrialOutput:
    """Per trial, what a status string means in output columns: (failing ids, unknown ids), ';'-separated and
    as CSV fields, computed once per distinct status string (patients share a few dozen per trial)."""

    def __init__(self, ruleset: RuleSet):
        self.trial_id, self.csv_trial_id = ruleset.trial_id, _csv_field(ruleset.trial_id)
        self.ruleset_sha256 = ruleset.content_sha256()
        self._ids = [criterion.id for criterion in ruleset.criteria]
        self._meaning: dict[str, tuple[str, str, str]] = {}

    def meaning(self, statuses: str) -> tuple[str, str, str]:
        """(failing, unknown, the CSV line's 'failing,unknown' fields) for a status string."""
        found = self._meaning.get(statuses)
        if found is None:
            failing = ";".join(i for i, s in zip(self._ids, statuses) if s == "f")
            unknown = ";".join(i for i, s in zip(self._ids, statuses) if s == "u")
            found = self._meaning[statuses] = (failing, unknown, f"{_csv_field(failing)},{_csv_field(unknown)}")
        return found


_WORKER_OUTPUTS: tuple[_TrialOutput, ...] = ()


class _Job(NamedTuple):
    """What every chunk of a run is screened for."""

    as_of: date
    run_id: int  # written into the CSV lines, which the workers format


def _decisions(facts: list[PatientFacts], as_of: date) -> tuple[list, list[Optional[dict]]]:
    """Per trial its columns of decisions for the patients, and per patient None or the error that stopped it.

    The partition is screened column by column (:func:`matcher.evaluate.columnar.decide_partition`); if that
    fails, the patients are screened one by one, so that an engine bug on one patient costs that patient only."""
    try:
        return decide_partition(_WORKER_RULESETS, facts, as_of), [None] * len(facts)
    except Exception:
        pass
    errors: list[Optional[dict]] = []
    for patient in facts:
        try:
            for ruleset in _WORKER_RULESETS:
                decide(ruleset, patient, as_of)
            errors.append(None)
        except Exception as error:
            errors.append({"field": None, "error": f"screening failed: {type(error).__name__}: {error}"[:500]})
    good = [patient for patient, error in zip(facts, errors) if error is None]
    columns = decide_partition(_WORKER_RULESETS, good, as_of)
    return columns, errors


def _screen_chunk(records: list[RawRecord], job: _Job) -> _Chunk:
    """Parse and screen a chunk of registry records: per patient a :class:`_Patient`, per bad row an error
    dict, in registry order (the parent decides about duplicates and resumes, which span chunks), and the
    pairs' Parquet rows. Everything is formatted here, in parallel, so that the parent only writes.

    The cyclic garbage collector waits until the chunk is done: a chunk makes many short-lived objects and
    keeps none, and collections set off in the middle of it cost about a tenth of its time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _screen_records(records, job)
    finally:
        if enabled:
            gc.enable()


def _screen_records(records: list[RawRecord], job: _Job) -> _Chunk:
    as_of, run_id = job
    entries: list = []
    screened: list[tuple[int, RawRecord, Patient]] = []
    for record in records:
        for item in parse_record(record):
            if isinstance(item, RegistryError):
                entries.append(item.as_dict())
            elif item.id in _WORKER_SKIP:
                entries.append(_Patient(item.id, record.file, record.line, None, None, "", 0))
            else:
                screened.append((len(entries), record, item))
                entries.append(None)  # filled below
    trials, errors = _decisions([PatientFacts(patient) for _, _, patient in screened], as_of)
    outputs, day, count = _WORKER_OUTPUTS, as_of.isoformat(), len(_WORKER_OUTPUTS)
    verdicts = np.stack([trial.verdicts for trial in trials], axis=1).tolist() if trials else []
    ordinals = np.stack([trial.eligible_from for trial in trials], axis=1).tolist() if trials else []
    statuses = list(zip(*[trial.statuses for trial in trials]))
    dates: dict[int, Optional[str]] = {0: None}
    columns: dict[str, list] = {"patient_id": [], "verdict": [], "eligible_from": [], "failing": [], "unknown": []}
    position = 0
    for (slot, record, patient), error in zip(screened, errors):
        if error is not None:
            entries[slot] = {"file": record.file, "line": record.line, "record": patient.id, **error}
            continue
        first = len(columns["verdict"])
        patient_statuses = statuses[position] if count else ()
        patient_verdicts = [VERDICTS[code] for code in verdicts[position]] if count else []
        eligible_from = []
        for ordinal in (ordinals[position] if count else ()):
            if ordinal not in dates:
                dates[ordinal] = date.fromordinal(ordinal).isoformat()
            eligible_from.append(dates[ordinal])
        meanings = [output.meaning(text) for output, text in zip(outputs, patient_statuses)]
        failing, unknown = [m[0] for m in meanings], [m[1] for m in meanings]
        prefix = f"{run_id},{day},{_csv_field(patient.id)},"
        csv_text = "".join([f"{prefix}{output.csv_trial_id},{verdict},{meaning[2]},{eligible or ''}\r\n"
                            for output, verdict, meaning, eligible
                            in zip(outputs, patient_verdicts, meanings, eligible_from)])
        columns["patient_id"].extend([patient.id] * count)
        columns["verdict"].extend(patient_verdicts)
        columns["eligible_from"].extend(eligible_from)
        columns["failing"].extend(failing)
        columns["unknown"].extend(unknown)
        entries[slot] = _Patient(patient.id, record.file, record.line,
                                 batch_row(patient.id, patient_verdicts, eligible_from, failing, unknown,
                                           list(patient_statuses)),
                                 patient_snapshot(patient), csv_text, first)
        position += 1
    patients = position
    pairs = pairs_batch(run_id, as_of, trial_id=[o.trial_id for o in outputs] * patients,
                        ruleset_sha256=[o.ruleset_sha256 for o in outputs] * patients, **columns)
    return _Chunk(entries, pairs)


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
    store.start_batch(run_id, rulesets)
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

    def write(self, chunk: _Chunk) -> None:
        """One chunk from a worker: errors and patients in registry order. A patient already held by the store
        (resume) is skipped, and a patient id seen before in this run is a duplicate, screened once (earlier
        chunks are asked of the store, so that memory does not grow with the registry)."""
        seen = self.store.run_holds(self.run_id, [e.patient_id for e in chunk.entries if not isinstance(e, dict)])
        lines: list[str] = []
        rows, snapshots = [], []
        kept: list[tuple[int, int]] = []  # [start, stop) of the written patients' Parquet rows
        per_patient = len(self.stats.trials)
        for entry in chunk.entries:
            if isinstance(entry, dict):
                self.error(entry)
            elif entry.patient_id in self._done:
                self.stats.skipped_done += 1
            elif entry.patient_id in seen:
                self.error({"file": entry.file, "line": entry.line, "record": entry.patient_id, "field": "id",
                            "error": "duplicate patient id in the registry; screened once"})
            else:
                seen.add(entry.patient_id)
                lines.append(entry.csv_text)
                rows.append(entry.row)
                snapshots.append((entry.patient_id, *entry.snapshot))
                if kept and kept[-1][1] == entry.first_pair:
                    kept[-1] = (kept[-1][0], entry.first_pair + per_patient)
                else:
                    kept.append((entry.first_pair, entry.first_pair + per_patient))
                self.stats.patients_screened += 1
        pairs = chunk.pairs
        if kept != [(0, pairs.num_rows)]:
            pairs = pa.Table.from_batches([pairs.slice(start, stop - start) for start, stop in kept],
                                          schema=pairs.schema)
        # CSV first: if the run dies before the commit, a resume screens the chunk again (a duplicate CSV line,
        # never a missing one); the store, committed once per chunk, stays exact.
        self._csv_file.write("".join(lines))
        self._csv_file.flush()
        self._parquet.write(pairs)
        with self.store.transaction():
            self.store.record_batch(self.run_id, rows)
            self.store.add_patient_snapshots(self.run_id, snapshots)
            self._flush_errors_locked()
        self.stats.pairs += pairs.num_rows
        for counted in pc.value_counts(pairs.column("verdict")).to_pylist():
            verdict, count = counted["values"], counted["counts"]
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
