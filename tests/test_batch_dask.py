"""The Dask engine gives exactly what the local engine gives: same pairs, same order, same outputs, same resume."""

from __future__ import annotations

import csv
import importlib.util
import json
from pathlib import Path

import dask
import pytest
from distributed import LocalCluster

from matcher.batch import dask_engine, run_batch
from matcher.cli import main
from matcher.errors import MsmatchError

from .test_batch import AS_OF, PROFILES, ROOT, compiled_trials, write_jsonl  # noqa: F401 (fixture)

SYNTHETIC = 150


def _synthetic_module():
    spec = importlib.util.spec_from_file_location("synthetic_registry", ROOT / "benchmarks" / "synthetic_registry.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def registry(tmp_path_factory) -> Path:
    """The 22 example patients, then a seeded synthetic registry: one JSONL file."""
    folder = tmp_path_factory.mktemp("registry")
    path = write_jsonl(folder / "registry.jsonl")
    with path.open("a", encoding="utf-8") as out:
        for patient in _synthetic_module().generate(SYNTHETIC, seed=11):
            out.write(json.dumps(patient) + "\n")
    return path


@pytest.fixture(scope="module")
def cluster():
    """In-process workers (threads): no process start-up, so the suite stays fast."""
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=":0") as cluster:
        yield cluster


@pytest.fixture(scope="module")
def local_run(tmp_path_factory, registry, compiled_trials):
    out = tmp_path_factory.mktemp("local") / "res"
    summary = run_batch(registry, [compiled_trials], AS_OF, out, workers=1, progress=False, chunk_size=40)
    return summary, _pairs(summary.outputs.csv)


def _pairs(csv_path: Path) -> list[tuple]:
    """Every CSV row but the run id: patient, trial, verdict, failing, unknown, eligible_from, in file order."""
    with csv_path.open(encoding="utf-8", newline="") as handle:
        return [(r["patient_id"], r["trial_id"], r["verdict"], r["failing"], r["unknown"], r["eligible_from"])
                for r in csv.DictReader(handle)]


def test_dask_engine_gives_the_local_engines_results(tmp_path, cluster, registry, compiled_trials, local_run,
                                                     monkeypatch):
    installs = []
    original = dask_engine._init_worker
    monkeypatch.setattr(dask_engine, "_init_worker", lambda *args: (installs.append(1), original(*args)))

    local, local_pairs = local_run
    summary = run_batch(registry, [compiled_trials], AS_OF, tmp_path / "res", progress=False, chunk_size=13,
                        engine="dask", scheduler=cluster.scheduler_address)

    patients = len(PROFILES) + SYNTHETIC
    assert (summary.patients_screened, summary.bad_rows) == (patients, 0)
    assert summary.pairs == local.pairs == patients * len(summary.trials)
    assert _pairs(summary.outputs.csv) == local_pairs  # same rows, same registry order
    assert summary.verdicts == local.verdicts
    # a comparison worth making: both verdicts, failing and unknown lists, eligible-from dates
    assert {v for _, _, v, *_ in local_pairs} >= {"needs_review", "ineligible"}
    assert all(any(p[i] for p in local_pairs) for i in (3, 4, 5))
    # rule sets installed once on the one worker, not once per task (12 tasks here)
    assert len(installs) == 1


def test_dask_resume_continues_a_local_run(tmp_path, cluster, registry, compiled_trials, local_run):
    lines = registry.read_text(encoding="utf-8").splitlines(keepends=True)
    first_half = tmp_path / "half.jsonl"
    first_half.write_text("".join(lines[:60]), encoding="utf-8")
    run_batch(first_half, [compiled_trials], AS_OF, tmp_path / "res", workers=1, progress=False)

    second = run_batch(registry, [compiled_trials], AS_OF, tmp_path / "res", progress=False, chunk_size=25,
                       engine="dask", scheduler=cluster.scheduler_address)
    assert (second.skipped_done, second.patients_screened) == (60, len(lines) - 60)
    assert _pairs(tmp_path / "res.csv") == local_run[1]


def test_cli_dask_engine_exit_status_and_outputs(tmp_path, cluster, compiled_trials, capsys):
    registry = write_jsonl(tmp_path / "registry.jsonl", bad_line_after=2)
    code = main(["batch", "--patients", str(registry), "--trials", str(compiled_trials), "--as-of", "2026-11-01",
                 "--out", str(tmp_path / "res"), "--engine", "dask", "--scheduler", cluster.scheduler_address,
                 "--chunk-size", "5"])
    assert code == 1  # completed, one row skipped
    err = capsys.readouterr().err
    assert f"{len(PROFILES)} patients screened" in err and "1 bad rows" in err
    assert (tmp_path / "res.attrition" / "attrition.html").is_file()
    assert len(_pairs(tmp_path / "res.csv")) == len(PROFILES) * 4

    code = main(["batch", "--patients", str(registry), "--trials", str(compiled_trials), "--as-of", "2026-11-01",
                 "--out", str(tmp_path / "res2"), "--scheduler", cluster.scheduler_address])
    assert code == 2 and "--engine dask" in capsys.readouterr().err


def test_unreachable_scheduler_is_a_clean_error_and_records_nothing(tmp_path, compiled_trials):
    registry = write_jsonl(tmp_path / "registry.jsonl")
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        with pytest.raises(MsmatchError) as raised:
            run_batch(registry, [compiled_trials], AS_OF, tmp_path / "res", progress=False, engine="dask",
                      scheduler="tcp://127.0.0.1:9")
    assert "tcp://127.0.0.1:9" in str(raised.value) and "Dask scheduler" in str(raised.value)
    assert not (tmp_path / "res.sqlite").exists()


def test_a_worker_with_another_msmatch_version_refuses_the_task():
    versions = {**dask_engine.worker_versions(), "msmatch": "0.0.0"}
    with pytest.raises(MsmatchError, match="same msmatch version"):
        dask_engine._run_chunk("token", "plugin", versions, len, [])


def test_local_cluster_of_worker_processes(tmp_path, compiled_trials, local_run):
    """No --scheduler: a LocalCluster of real worker processes; the rule sets travel there by pickle."""
    registry = write_jsonl(tmp_path / "registry.jsonl")
    summary = run_batch(registry, [compiled_trials], AS_OF, tmp_path / "res", workers=1, progress=False,
                        chunk_size=8, engine="dask")
    assert summary.patients_screened == len(PROFILES)
    assert _pairs(summary.outputs.csv) == local_run[1][:len(PROFILES) * 4]
