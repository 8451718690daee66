"""The Parquet results dataset: same table as the CSV, one file per run, published even when a run stops,
rebuilt from the store when a run was killed outright, and read back as one table with resumed runs."""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from matcher.batch import run_batch, runner

from .test_batch import AS_OF, PROFILES, compiled_trials, write_jsonl  # noqa: F401 (fixture)


def _csv_rows(path: Path) -> list[tuple]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [(int(r["run_id"]), r["patient_id"], r["trial_id"], r["verdict"],
                 tuple(filter(None, r["failing"].split(";"))), tuple(filter(None, r["unknown"].split(";"))),
                 r["eligible_from"] or None) for r in csv.DictReader(handle)]


def _parquet_rows(folder: Path) -> list[tuple]:
    table = pq.read_table(folder).sort_by([("run_id", "ascending")])  # the dataset: every run's file
    return [(r["run_id"], r["patient_id"], r["trial_id"], r["verdict"], tuple(r["failing"]), tuple(r["unknown"]),
             r["eligible_from"].isoformat() if r["eligible_from"] else None) for r in table.to_pylist()]


def test_parquet_holds_the_csv_table_with_typed_columns(tmp_path, compiled_trials):
    registry = write_jsonl(tmp_path / "registry.jsonl")
    summary = run_batch(registry, [compiled_trials], AS_OF, tmp_path / "res", workers=1, progress=False,
                        chunk_size=6)

    folder = tmp_path / "res.parquet"
    assert sorted(p.name for p in folder.iterdir()) == [f"run-{summary.run_id}.parquet"]  # no leftover .partial
    rows = _parquet_rows(folder)
    assert rows == _csv_rows(tmp_path / "res.csv") and len(rows) == len(PROFILES) * 4
    assert any(r[4] for r in rows) and any(r[5] for r in rows)  # failing and unknown lists are filled in

    file = pq.ParquetFile(folder / f"run-{summary.run_id}.parquet")
    assert file.metadata.num_row_groups == 4  # streamed: one row group per chunk of 6 patients (22 = 6+6+6+4)
    schema = file.schema_arrow
    assert schema.field("failing").type == pa.list_(pa.string())
    assert schema.field("as_of").type == pa.date32() and schema.field("eligible_from").type == pa.date32()
    assert set(pq.read_table(folder).column("as_of").to_pylist()) == {AS_OF}


def test_a_stopped_run_publishes_its_file_and_the_resume_completes_the_dataset(tmp_path, compiled_trials,
                                                                                monkeypatch):
    registry = write_jsonl(tmp_path / "registry.jsonl")
    screen_chunk, calls = runner._screen_chunk, []

    def stopped_on_third_chunk(patients, as_of):
        calls.append(len(patients))
        if len(calls) == 3:
            raise KeyboardInterrupt
        return screen_chunk(patients, as_of)

    monkeypatch.setattr(runner, "_screen_chunk", stopped_on_third_chunk)
    with pytest.raises(KeyboardInterrupt):
        run_batch(registry, [compiled_trials], AS_OF, tmp_path / "res", workers=1, progress=False, chunk_size=5)
    monkeypatch.undo()

    folder = tmp_path / "res.parquet"
    assert [p.name for p in folder.iterdir()] == ["run-1.parquet"]
    assert len(_parquet_rows(folder)) == 2 * 5 * 4  # the two chunks screened before the stop

    second = run_batch(registry, [compiled_trials], AS_OF, tmp_path / "res", workers=1, progress=False)
    assert second.skipped_done == 10
    rows = _parquet_rows(folder)
    assert rows == _csv_rows(tmp_path / "res.csv")
    pairs = [(r[1], r[2]) for r in rows]
    assert len(pairs) == len(set(pairs)) == len(PROFILES) * 4  # every pair once across the two run files


def test_a_killed_runs_partial_file_is_rebuilt_from_the_store(tmp_path, compiled_trials):
    registry = write_jsonl(tmp_path / "registry.jsonl")
    run_batch(registry, [compiled_trials], AS_OF, tmp_path / "res", workers=1, progress=False)
    folder = tmp_path / "res.parquet"
    expected = _parquet_rows(folder)
    # What a kill -9 leaves: the run's file still under its temporary name, with no Parquet footer.
    (folder / "run-1.parquet").rename(folder / ".run-1.parquet.partial")
    with (folder / ".run-1.parquet.partial").open("r+b") as handle:
        handle.truncate(100)

    second = run_batch(registry, [compiled_trials], AS_OF, tmp_path / "res", workers=1, progress=False)
    assert second.patients_screened == 0  # resume: nothing new to screen
    assert sorted(p.name for p in folder.iterdir()) == ["run-1.parquet", "run-2.parquet"]
    assert _parquet_rows(folder) == expected
