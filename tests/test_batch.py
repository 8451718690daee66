"""Batch screening: registry readers (folder, JSONL, CSV), results store, resume, parallel workers, CLI."""

from __future__ import annotations

import csv
import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from matcher.api import load_patient, load_rulesets, screen_patient
from matcher.batch import RegistryError, iter_registry, run_batch
from matcher.batch.registry import CSV_BOOL_COLUMNS, CSV_LIST_COLUMNS
from matcher.cli import main
from matcher.report import ruleset_json
from matcher.report.store import ResultStore

ROOT = Path(__file__).resolve().parents[1]
PROFILES = sorted((ROOT / "patient_profiles").glob("p*.json"))
EXAMPLE_TRIALS = ROOT / "example_trials"
AS_OF = date(2026, 11, 1)
SCALARS = ("id", "birth_date", "sex", "ms_subtype", "diagnosis_date", "symptom_onset_date", "weight_kg")


@pytest.fixture(scope="module")
def compiled_trials(tmp_path_factory) -> Path:
    """The example trials compiled once into rule set files (reading those is fast)."""
    folder = tmp_path_factory.mktemp("compiled")
    for record in sorted(EXAMPLE_TRIALS.iterdir()):
        for ruleset in load_rulesets(record):
            data = json.loads(ruleset_json(ruleset))
            # matcher.api recognises a rule set by the keys in its first 4000 characters: keep the long
            # criteria text last so that "criteria" comes early.
            data["criteria_text"] = data.pop("criteria_text")
            (folder / f"{ruleset.trial_id}.json").write_text(json.dumps(data, indent=1), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def expected(compiled_trials) -> dict[tuple[str, str], str]:
    """Verdicts from screening each profile one by one: the batch must give the same."""
    rulesets = [r for f in sorted(compiled_trials.iterdir()) for r in load_rulesets(f)]
    return {(r.patient_id, r.trial_id): r.verdict
            for path in PROFILES for r in screen_patient(load_patient(path), rulesets, AS_OF)}


def _profiles() -> list[dict]:
    return [json.loads(path.read_text(encoding="utf-8")) for path in PROFILES]


def write_jsonl(path: Path, bad_line_after: int | None = None) -> Path:
    with path.open("w", encoding="utf-8") as out:
        for i, profile in enumerate(_profiles(), start=1):
            out.write(json.dumps(profile) + "\n")
            if i == bad_line_after:
                out.write('{"id": "broken", "sex": \n')
    return path


def write_csv(path: Path, bad_birth_date_row: int | None = None) -> Path:
    columns = SCALARS + CSV_BOOL_COLUMNS + CSV_LIST_COLUMNS
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=columns)
        writer.writeheader()
        for i, profile in enumerate(_profiles(), start=1):
            row = {}
            for column in columns:
                value = profile.get(column)
                if value is None:
                    row[column] = ""
                elif column in CSV_LIST_COLUMNS:
                    row[column] = json.dumps(value)
                elif column in CSV_BOOL_COLUMNS:
                    row[column] = "yes" if value else "no"
                else:
                    row[column] = value
            writer.writerow(row)
            if i == bad_birth_date_row:
                writer.writerow({**row, "id": "bad-date", "birth_date": "1990-02-30"})
    return path


def csv_verdicts(path: Path) -> dict[tuple[str, str], str]:
    with path.open(encoding="utf-8", newline="") as handle:
        return {(row["patient_id"], row["trial_id"]): row["verdict"] for row in csv.DictReader(handle)}


def errors(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_jsonl_registry_reports_a_malformed_line_and_screens_the_rest(tmp_path, compiled_trials, expected):
    registry = write_jsonl(tmp_path / "registry.jsonl", bad_line_after=3)
    summary = run_batch(registry, [compiled_trials], AS_OF, tmp_path / "out", workers=1, progress=False)

    assert summary.patients_screened == len(PROFILES) and summary.bad_rows == 1
    assert summary.pairs == len(expected)
    assert csv_verdicts(tmp_path / "out.csv") == expected
    (error,) = errors(tmp_path / "out.errors.jsonl")
    assert error["file"] == str(registry) and error["line"] == 4 and "invalid JSON" in error["error"]
    with ResultStore(tmp_path / "out.sqlite") as store:
        assert store.count("screenings") == len(expected)
        assert store.query("SELECT line, error FROM errors") == [(4, error["error"])]


def test_csv_registry_reports_a_bad_date_with_line_and_field(tmp_path, compiled_trials, expected):
    registry = write_csv(tmp_path / "registry.csv", bad_birth_date_row=5)
    summary = run_batch(registry, [compiled_trials], AS_OF, tmp_path / "out", workers=1, progress=False)

    assert summary.patients_screened == len(PROFILES) and summary.bad_rows == 1
    assert csv_verdicts(tmp_path / "out.csv") == expected
    (error,) = errors(tmp_path / "out.errors.jsonl")
    # header is line 1, so the row written after the 5th patient is on line 7
    assert (error["line"], error["record"], error["field"]) == (7, "bad-date", "birth_date")


def test_csv_cells_bad_json_and_bad_booleans_are_reported(tmp_path):
    registry = tmp_path / "registry.csv"
    registry.write_text('id,edss,pregnant\n'
                        'a,"[{""date"": ""2026-01-02"", ""score"": 3.5}]",no\n'
                        'b,[{oops,no\n'
                        'c,,maybe\n'
                        'd,,\n', encoding="utf-8")
    items = list(iter_registry(registry))
    assert items[0].edss[0].score == 3.5 and items[0].pregnant is False
    assert isinstance(items[1], RegistryError) and (items[1].line, items[1].field) == (3, "edss")
    assert isinstance(items[2], RegistryError) and (items[2].line, items[2].field) == (4, "pregnant")
    assert items[3].id == "d" and items[3].edss is None and items[3].pregnant is None  # empty = unknown


def test_folder_registry(tmp_path, compiled_trials, expected):
    folder = tmp_path / "profiles"
    folder.mkdir()
    for path in PROFILES:
        shutil.copy(path, folder / path.name)
    (folder / "zz-not-a-patient.json").write_text('{"name": "no id"}', encoding="utf-8")
    summary = run_batch(folder, [compiled_trials], AS_OF, tmp_path / "out", workers=1, progress=False)

    assert summary.patients_screened == len(PROFILES) and summary.bad_rows == 1
    assert csv_verdicts(tmp_path / "out.csv") == expected
    (error,) = errors(tmp_path / "out.errors.jsonl")
    assert error["file"].endswith("zz-not-a-patient.json") and error["field"] == "id"


def test_resume_screens_nothing_twice(tmp_path, compiled_trials, expected):
    registry = write_jsonl(tmp_path / "registry.jsonl")
    first = run_batch(registry, [compiled_trials], AS_OF, tmp_path / "out", workers=1, progress=False, chunk_size=5)
    second = run_batch(registry, [compiled_trials], AS_OF, tmp_path / "out", workers=1, progress=False)

    assert first.patients_screened == len(PROFILES)
    assert (second.patients_screened, second.skipped_done, second.pairs) == (0, len(PROFILES), 0)
    with ResultStore(tmp_path / "out.sqlite") as store:
        assert store.count("runs") == 2
        assert store.count("screenings") == len(expected)
        assert store.query("SELECT DISTINCT run_id FROM screenings") == [(first.run_id,)]
        assert store.query("SELECT patient_id, trial_id FROM screenings GROUP BY 1, 2 HAVING COUNT(*) > 1") == []
        # the CSV holds one line per pair too: the second run appended nothing, not even a header
        assert len((tmp_path / "out.csv").read_text().splitlines()) == 1 + len(expected)

    # another reference date is a new screening, not a resume
    third = run_batch(registry, [compiled_trials], date(2027, 1, 1), tmp_path / "out", workers=1, progress=False)
    assert third.patients_screened == len(PROFILES)


def test_no_resume_appends_and_latest_returns_the_newest(tmp_path, compiled_trials):
    registry = write_jsonl(tmp_path / "registry.jsonl")
    run_batch(registry, [compiled_trials], AS_OF, tmp_path / "out", workers=1, progress=False)
    again = run_batch(registry, [compiled_trials], AS_OF, tmp_path / "out", workers=1, progress=False, resume=False)
    assert again.patients_screened == len(PROFILES)

    patient_id = PROFILES[0].stem
    with ResultStore(tmp_path / "out.sqlite") as store:
        rows = store.query("SELECT run_id FROM screenings WHERE patient_id = ? AND trial_id = 'NCT05208840'",
                           (patient_id,))
        assert sorted(rows) == [(1,), (2,)]  # append-only: both runs kept
        result = store.latest(patient_id, "NCT05208840")
        assert result is not None and result.patient_id == patient_id and result.as_of == AS_OF
        assert result.criteria and result.criteria[0].text and result.criteria[0].span
        assert store.latest(patient_id, "NCT05208840", at=date(2026, 10, 31)) is None
        ruleset = store.ruleset(result.ruleset_sha256)
        assert ruleset is not None and ruleset.trial_id == "NCT05208840"
        assert ruleset.content_sha256() == result.ruleset_sha256


def test_store_record_api(tmp_path, compiled_trials):
    (ruleset,) = load_rulesets(compiled_trials / "NCT06592703.json")
    (result,) = screen_patient(load_patient(PROFILES[1]), [ruleset], AS_OF)
    with ResultStore(tmp_path / "store.sqlite") as store:
        run_id = store.start_run(AS_OF, "test")
        store.record(run_id, result, ruleset)
        store.record_error(run_id, {"file": "x.csv", "line": 3, "field": "birth_date", "error": "bad date"})
        assert store.latest(result.patient_id, ruleset.trial_id) == result
        assert store.done_patients(AS_OF, [ruleset.trial_id]) == {result.patient_id}
        assert store.done_patients(AS_OF, [ruleset.trial_id, "NCT00000000"]) == set()
        assert store.query("PRAGMA journal_mode") == [("wal",)]


def test_two_workers_give_the_same_verdicts_as_one(tmp_path, compiled_trials, expected):
    registry = write_jsonl(tmp_path / "registry.jsonl")
    run_batch(registry, [compiled_trials], AS_OF, tmp_path / "one", workers=1, progress=False, chunk_size=4)
    summary = run_batch(registry, [compiled_trials], AS_OF, tmp_path / "two", workers=2, progress=False,
                        chunk_size=4)
    assert summary.patients_screened == len(PROFILES)

    def rows(path: Path) -> list[list[str]]:
        return [line.split(",", 1)[1] for line in path.read_text().splitlines()[1:]]  # drop run_id

    assert rows(tmp_path / "two.csv") == rows(tmp_path / "one.csv")  # same rows, same order
    assert csv_verdicts(tmp_path / "two.csv") == expected


def test_cli_batch(tmp_path, compiled_trials, expected, capsys):
    registry = write_jsonl(tmp_path / "registry.jsonl", bad_line_after=1)
    code = main(["batch", "--patients", str(registry), "--trials", str(compiled_trials), "--as-of", "2026-11-01",
                 "--out", str(tmp_path / "res"), "--workers", "1"])
    assert code == 1  # the batch completed, but one row was skipped (exit 0 only when every row was screened)
    assert csv_verdicts(tmp_path / "res.csv") == expected
    err = capsys.readouterr().err
    assert f"{len(PROFILES)} patients screened" in err and "1 bad rows" in err


def test_cli_batch_unusable_arguments_exit_2(tmp_path, compiled_trials, capsys):
    registry = write_jsonl(tmp_path / "registry.jsonl")
    code = main(["batch", "--patients", str(registry), "--trials", str(tmp_path / "missing.txt"),
                 "--as-of", "2026-11-01", "--out", str(tmp_path / "res")])
    assert code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "missing.txt" in err
    assert main(["batch", "--patients", str(tmp_path / "nope.jsonl"), "--trials", str(compiled_trials),
                 "--as-of", "2026-11-01", "--out", str(tmp_path / "res")]) == 2
    assert not (tmp_path / "res.sqlite").exists()


def test_an_engine_error_on_one_patient_costs_that_patient_only(tmp_path, compiled_trials, expected, monkeypatch):
    """The columnar path screens a chunk at once; when it fails, the chunk is screened patient by patient, the
    failing patient is reported with its line and the others are written as usual."""
    from matcher.evaluate import predicates

    broken = PROFILES[2].stem
    real = predicates.EVALUATORS["mri_activity"]

    def mri_activity(rule, facts, as_of):
        if facts.patient.id == broken:
            raise ZeroDivisionError("simulated engine bug")
        return real(rule, facts, as_of)

    monkeypatch.setitem(predicates.EVALUATORS, "mri_activity", mri_activity)
    summary = run_batch(write_jsonl(tmp_path / "registry.jsonl"), [compiled_trials], AS_OF, tmp_path / "out",
                        workers=1, progress=False)
    assert (summary.patients_screened, summary.bad_rows) == (len(PROFILES) - 1, 1)
    (error,) = [json.loads(line) for line in (tmp_path / "out.errors.jsonl").read_text().splitlines()]
    assert (error["line"], error["record"]) == (3, broken) and "ZeroDivisionError" in error["error"]
    with ResultStore(tmp_path / "out.sqlite") as store:
        rows = store.query("SELECT patient_id, trial_id, verdict FROM screenings")
    assert {(p, t): v for p, t, v in rows} == {pair: v for pair, v in expected.items() if pair[0] != broken}
