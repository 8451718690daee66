"""The results table as a Parquet dataset: ``<out>.parquet/run-<run_id>.parquet``, one file per run.

pandas (``pd.read_parquet("results.parquet")``) and pyarrow (``pq.read_table("results.parquet")``) read the
folder as one table. Each run streams into ``.run-<id>.parquet.partial`` (names starting with a dot are
skipped by both readers), one row group per chunk, written before the store commits the chunk (so a crash
can leave a duplicate for a resume to screen again, never a gap); the file is renamed to
``run-<id>.parquet`` when the run ends, also when it stops on an error or Ctrl-C. A run killed outright
leaves its ``.partial`` file without a footer: the next batch on the same output rebuilds that run's file
from the store, which holds exactly the chunks that were committed.

Columns: run_id, as_of (date), patient_id, trial_id, verdict, failing and unknown (lists of criterion ids),
eligible_from (date, null unless only time windows fail), ruleset_sha256.
"""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path
from typing import Iterable, Optional

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .pairs import StoredPair, iter_pairs

__all__ = ["PARQUET_SCHEMA", "ParquetSink", "pairs_batch", "recover_interrupted_runs"]

PARQUET_SCHEMA = pa.schema([
    ("run_id", pa.int64()),
    ("as_of", pa.date32()),
    ("patient_id", pa.string()),
    ("trial_id", pa.string()),
    ("verdict", pa.string()),
    ("failing", pa.list_(pa.string())),
    ("unknown", pa.list_(pa.string())),
    ("eligible_from", pa.date32()),
    ("ruleset_sha256", pa.string()),
])
_PARTIAL = re.compile(r"^\.run-(\d+)\.parquet\.partial$")


def pairs_batch(run_id: int, as_of: date, *, patient_id: list[str], trial_id: list[str], ruleset_sha256: list[str],
                verdict: list[str], eligible_from: list[Optional[str]], failing: list[str],
                unknown: list[str]) -> pa.RecordBatch:
    """Parquet rows from equal-length columns: eligible_from as ISO dates or None, failing and unknown as
    ';'-separated criterion ids. Columns repeat a few values many times (20 trials, a few dozen id lists per
    trial): each distinct value is converted once."""
    rows = len(verdict)
    strings = lambda values: pa.array(values, pa.string())  # noqa: E731
    return pa.RecordBatch.from_arrays([
        pa.repeat(pa.scalar(run_id, pa.int64()), rows),
        pa.repeat(pa.scalar(as_of, pa.date32()), rows),
        _distinct(patient_id, strings),
        _distinct(trial_id, strings),
        _distinct(verdict, strings),
        _distinct(failing, _id_lists),
        _distinct(unknown, _id_lists),
        _distinct(eligible_from, lambda days: pa.array([_day(d) for d in days], pa.date32())),
        _distinct(ruleset_sha256, strings),
    ], schema=PARQUET_SCHEMA)


def _distinct(values: list, convert) -> pa.Array:
    """``convert`` applied to the distinct values, then repeated in the order of ``values``."""
    positions: dict = {}
    index = [positions.setdefault(value, len(positions)) for value in values]
    return convert(list(positions)).take(pa.array(index, pa.int32()))


def _id_lists(joined: list[str]) -> pa.Array:
    """';'-separated criterion ids -> lists of ids (an empty string is an empty list)."""
    return pa.array([text.split(";") if text else [] for text in joined], pa.list_(pa.string()))


def _day(text: Optional[str]) -> Optional[date]:
    return date.fromisoformat(text) if text else None


def _table(pairs: Iterable[StoredPair]) -> pa.Table:
    pairs = list(pairs)
    return pa.table({
        "run_id": [p.run_id for p in pairs],
        "as_of": [_day(p.as_of) for p in pairs],
        "patient_id": [p.patient_id for p in pairs],
        "trial_id": [p.trial_id for p in pairs],
        "verdict": [p.verdict for p in pairs],
        "failing": [list(p.failing) for p in pairs],
        "unknown": [list(p.unknown) for p in pairs],
        "eligible_from": [_day(p.eligible_from) for p in pairs],
        "ruleset_sha256": [p.ruleset_sha256 for p in pairs],
    }, schema=PARQUET_SCHEMA)


class ParquetSink:
    """One run's Parquet file: ``write`` a chunk of pairs as a row group, ``close`` to publish the file."""

    def __init__(self, folder: str | Path, run_id: int):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.path = self.folder / f"run-{run_id}.parquet"
        self._partial = self.folder / f".run-{run_id}.parquet.partial"
        self._writer: Optional[pq.ParquetWriter] = pq.ParquetWriter(self._partial, PARQUET_SCHEMA,
                                                                     compression="zstd")

    def write(self, rows: "pa.RecordBatch | pa.Table") -> None:
        """A chunk's rows (see :func:`pairs_batch`) as a row group."""
        if self._writer is None:
            raise ValueError(f"{self.path} is already closed")
        if rows.num_rows:
            self._writer.write_table(rows if isinstance(rows, pa.Table) else pa.Table.from_batches([rows]))

    def write_pairs(self, pairs: Iterable[StoredPair]) -> None:
        """Pairs read back from the store, as a row group."""
        self.write(_table(pairs))

    def close(self) -> None:
        """Finish the file (an empty run gives an empty table, so the dataset always has a schema)."""
        if self._writer is None:
            return
        self._writer.close()
        self._writer = None
        os.replace(self._partial, self.path)


def recover_interrupted_runs(folder: str | Path, store_path: str | Path) -> list[Path]:
    """Rebuild ``run-<id>.parquet`` from the store for every run whose ``.partial`` file was left behind."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    rebuilt = []
    for entry in sorted(folder.iterdir()):
        match = _PARTIAL.match(entry.name)
        if not match:
            continue
        run_id = int(match.group(1))
        # The sink writes to the same .partial name: if this is interrupted too, the next run starts over.
        sink = ParquetSink(folder, run_id)
        batch: list[StoredPair] = []
        for pair in iter_pairs(store_path, run_id=run_id):
            batch.append(pair)
            if len(batch) >= 5000:
                sink.write_pairs(batch)
                batch.clear()
        sink.write_pairs(batch)
        sink.close()
        rebuilt.append(sink.path)
    return rebuilt
