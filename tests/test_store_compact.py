"""Compact batch rows in the results store: what is stored per pair, and the full result re-derived on demand."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from matcher.api import load_patient, load_rulesets
from matcher.batch import run_batch
from matcher.evaluate import STATUS_CODES, screen
from matcher.report.store import MAX_BATCH_TRIALS, RederivationError, ResultStore, Screening

from .test_batch import AS_OF, PROFILES, compiled_trials, write_jsonl  # noqa: F401 (fixture)

# The screenings table as stores were written before compact rows (result_json required, no compact columns).
V1_SCREENINGS = """
CREATE TABLE runs (run_id INTEGER PRIMARY KEY AUTOINCREMENT, started_at TEXT NOT NULL, as_of TEXT NOT NULL,
                   engine_version TEXT NOT NULL, command TEXT);
CREATE TABLE rulesets (sha256 TEXT PRIMARY KEY, trial_id TEXT NOT NULL, ruleset_json TEXT NOT NULL);
CREATE TABLE screenings (run_id INTEGER NOT NULL REFERENCES runs(run_id), patient_id TEXT NOT NULL,
    trial_id TEXT NOT NULL, ruleset_sha256 TEXT NOT NULL REFERENCES rulesets(sha256), compiler_version TEXT,
    engine_version TEXT NOT NULL, as_of TEXT NOT NULL, screened_at TEXT NOT NULL, verdict TEXT NOT NULL,
    eligible_from TEXT, result_json TEXT NOT NULL);
CREATE INDEX screenings_pair ON screenings (patient_id, trial_id, as_of);
CREATE INDEX screenings_as_of ON screenings (as_of, trial_id);
"""
# ... and as they were written before one row per patient of a batch run (a screenings table, compact columns).
V2_SCREENINGS = V1_SCREENINGS.replace("result_json TEXT NOT NULL);",
                                      "result_json TEXT, failing TEXT, unknown TEXT, statuses TEXT);")


@pytest.fixture(scope="module")
def rulesets(compiled_trials) -> dict:
    return {r.trial_id: r for f in sorted(compiled_trials.iterdir()) for r in load_rulesets(f)}


@pytest.fixture(scope="module")
def batch_store(tmp_path_factory, compiled_trials) -> Path:
    folder = tmp_path_factory.mktemp("compact")
    run_batch(write_jsonl(folder / "registry.jsonl"), [compiled_trials], AS_OF, folder / "out", workers=1,
              progress=False)
    return folder / "out.sqlite"


def test_batch_rows_are_compact_and_each_profile_is_stored_once(batch_store, rulesets):
    with ResultStore(batch_store) as store:
        rows = store.query("SELECT patient_id, trial_id, verdict, failing, unknown, statuses, result_json "
                           "FROM screenings")
        assert len(rows) == len(PROFILES) * len(rulesets)
        assert all(row[-1] is None for row in rows)  # no whole result per pair
        assert store.count("patient_snapshots") == store.count("run_patients") == len(PROFILES)
        for patient_id, trial_id, verdict, failing, unknown, statuses, _ in rows:
            assert len(statuses) == len(rulesets[trial_id].criteria)
            by_id = dict(zip((c.id for c in rulesets[trial_id].criteria), statuses))
            assert (failing.split(";") if failing else []) == [i for i, s in by_id.items() if s == "f"]
            assert (unknown.split(";") if unknown else []) == [i for i, s in by_id.items() if s == "u"]
            assert (verdict == "ineligible") == ("f" in statuses)


def test_latest_re_derives_the_full_result_of_a_compact_row(batch_store, rulesets):
    with ResultStore(batch_store) as store:
        for path in PROFILES:
            patient = load_patient(path)
            for trial_id, ruleset in rulesets.items():
                assert store.latest(patient.id, trial_id) == screen(ruleset, patient, AS_OF)


def test_a_compact_row_that_the_engine_no_longer_re_derives_is_an_error(batch_store, tmp_path):
    copy = tmp_path / "tampered.sqlite"
    copy.write_bytes(batch_store.read_bytes())
    patient_id = PROFILES[0].stem
    with ResultStore(copy) as store:
        (rowid, statuses), = store.query("SELECT ref, statuses FROM screenings WHERE patient_id = ? "
                                         "AND trial_id = 'NCT05208840'", (patient_id,))
        flipped = ("u" if statuses[0] == "p" else "p") + statuses[1:]
        row, position = divmod(-rowid, MAX_BATCH_TRIALS)  # a batch pair: the patient's row, the trial's position
        with store.transaction():
            store._db.execute("UPDATE batch_screenings SET statuses = json_set(statuses, ?, ?) WHERE rowid = ?",
                              (f"$[{position}]", flipped, row))
        with pytest.raises(RederivationError) as raised:
            store.latest(patient_id, "NCT05208840")
        assert f"row {rowid}" in str(raised.value) and flipped in str(raised.value)
        with store.transaction():
            store._db.execute("DELETE FROM run_patients WHERE patient_id = ?", (patient_id,))
        with pytest.raises(RederivationError, match="patient snapshot"):
            store.result(rowid)


def test_single_screenings_keep_the_whole_result_and_the_compact_columns(tmp_path, rulesets):
    ruleset = rulesets["NCT05208840"]
    result = screen(ruleset, load_patient(PROFILES[0]), AS_OF)
    with ResultStore(tmp_path / "store.sqlite") as store:
        store.record(store.start_run(AS_OF, "test"), result, ruleset)
        (statuses, failing, result_json), = store.query("SELECT statuses, failing, result_json FROM screenings")
        assert statuses == "".join(STATUS_CODES[c.status] for c in result.criteria)
        assert failing == ";".join(result.failing) and json.loads(result_json)["verdict"] == result.verdict
        assert store.latest(result.patient_id, ruleset.trial_id) == result


def _old_store(path: Path, schema: str, ruleset, results, compact: bool) -> Path:
    """A store as an earlier version wrote it: ``schema``, one run, the rule set and a screenings row per result
    (with the compact columns when ``compact``)."""
    with sqlite3.connect(path) as db:
        db.executescript(schema)
        db.execute("INSERT INTO runs (started_at, as_of, engine_version) VALUES ('2026-11-01', ?, 'old')",
                   (AS_OF.isoformat(),))
        db.execute("INSERT INTO rulesets VALUES (?, ?, ?)",
                   (ruleset.content_sha256(), ruleset.trial_id, ruleset.model_dump_json()))
        for result in results:
            row = Screening.of(result, ruleset)
            values = [row.patient_id, row.trial_id, row.ruleset_sha256, row.compiler_version, row.engine_version,
                      row.as_of, row.verdict, row.eligible_from, row.result_json]
            if compact:
                values += [";".join(row.failing), ";".join(row.unknown), row.statuses]
            db.execute(f"INSERT INTO screenings VALUES (1, ?, ?, ?, ?, ?, ?, '2026-11-01', "
                       f"{', '.join('?' * (len(values) - 6))})", values)
    return path


def test_a_store_from_before_compact_rows_is_upgraded_in_place(tmp_path, compiled_trials, rulesets):
    ruleset = rulesets["NCT05208840"]
    results = [screen(ruleset, load_patient(path), AS_OF) for path in PROFILES[:3]]
    old = _old_store(tmp_path / "old.sqlite", V1_SCREENINGS, ruleset, results, compact=False)
    with ResultStore(old) as store:
        stored = store.query("SELECT ref, failing, unknown, statuses FROM screenings ORDER BY seq")
        assert [r[0] for r in stored] == [1, 2, 3]  # rows and rowids kept
        for result, (_, failing, unknown, statuses) in zip(results, stored):
            assert failing == ";".join(result.failing)
            assert unknown == ";".join(c.id for c in result.criteria if c.status == "unknown")
            assert statuses == "".join(STATUS_CODES[c.status] for c in result.criteria)
            assert store.latest(result.patient_id, ruleset.trial_id) == result
        assert {row[1] for row in store.query("PRAGMA index_list(screening_rows)")} >= {"screenings_pair",
                                                                                        "screenings_as_of"}
    # the upgraded store takes compact batch rows (result_json is optional now)
    registry = write_jsonl(tmp_path / "registry.jsonl")
    summary = run_batch(registry, [compiled_trials], AS_OF, tmp_path / "old", workers=1, progress=False)
    assert summary.patients_screened == len(PROFILES)
    with ResultStore(old) as store:
        assert store.count("screenings") == 3 + len(PROFILES) * len(rulesets)


def test_a_duplicate_patient_id_is_screened_once_within_a_chunk_and_across_chunks(tmp_path, compiled_trials,
                                                                                  rulesets):
    registry = write_jsonl(tmp_path / "registry.jsonl")
    lines = registry.read_text(encoding="utf-8").splitlines()
    # line 23 repeats the first patient (from another chunk of 5), line 24 the 22nd (from the same chunk)
    registry.write_text("\n".join([*lines, lines[0], lines[21]]) + "\n", encoding="utf-8")
    summary = run_batch(registry, [compiled_trials], AS_OF, tmp_path / "out", workers=1, progress=False,
                        chunk_size=5)
    assert (summary.patients_screened, summary.bad_rows) == (len(PROFILES), 2)
    errors = [json.loads(line) for line in (tmp_path / "out.errors.jsonl").read_text().splitlines()]
    assert [(e["line"], e["record"], e["field"]) for e in errors] == [
        (23, PROFILES[0].stem, "id"), (24, PROFILES[21].stem, "id")]
    assert all("duplicate patient id" in e["error"] for e in errors)
    with ResultStore(tmp_path / "out.sqlite") as store:
        assert store.count("screenings") == len(PROFILES) * len(rulesets)


def test_a_store_from_before_batch_rows_keeps_its_rows_under_the_screenings_view(tmp_path, compiled_trials, rulesets):
    ruleset = rulesets["NCT05208840"]
    patient = load_patient(PROFILES[0])
    result = screen(ruleset, patient, AS_OF)
    old = _old_store(tmp_path / "v2.sqlite", V2_SCREENINGS, ruleset, [result], compact=True)
    row = Screening.of(result, ruleset)
    with ResultStore(old) as store:
        assert store.query("SELECT type FROM sqlite_master WHERE name = 'screenings'") == [("view",)]
        assert store.query("SELECT ref, statuses FROM screenings") == [(1, row.statuses)]
        assert store.latest(patient.id, ruleset.trial_id) == result
    # a batch run on the upgraded store: its pairs join the old row in the view, the newest wins
    run_batch(write_jsonl(tmp_path / "registry.jsonl"), [compiled_trials], AS_OF, tmp_path / "v2", workers=1,
              progress=False)
    with ResultStore(old) as store:
        assert store.count("screenings") == 1 + len(PROFILES) * len(rulesets)
        (newest,), = store.query("SELECT ref FROM screenings WHERE patient_id = ? AND trial_id = ? "
                                 "ORDER BY run_id DESC, seq DESC LIMIT 1", (patient.id, ruleset.trial_id))
        assert newest < 0 and store.latest(patient.id, ruleset.trial_id) == result
