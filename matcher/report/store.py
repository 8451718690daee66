"""The results store: one SQLite file, append-only, that an auditor can query years later.

A re-run adds rows and never overwrites: every screening names its run, the reference date, the engine
version and the SHA-256 of the rule set used, and the ``rulesets`` table keeps that exact rule set.

Tables:

* ``runs``: run_id, started_at, as_of, engine_version, command
* ``screenings``: run_id, patient_id, trial_id, ruleset_sha256, compiler_version, engine_version, as_of,
  screened_at, verdict, eligible_from, result_json (the whole ``TrialResult``: per criterion its section,
  text, span, status, reason and the facts used)
* ``rulesets``: sha256 (primary key), trial_id, ruleset_json
* ``errors``: run_id, file, line, record, field, error (registry rows that could not be screened)
* ``patient_snapshots``: sha256 (primary key), patient_id, patient_json (the profile as screened), and
  ``run_patients``: run_id, patient_id, patient_sha256 (which snapshot a run screened; written by
  ``msmatch screen``, read by :mod:`matcher.report.audit` to re-derive a stored decision)

WAL mode; writers group rows in :meth:`ResultStore.transaction` so that a run interrupted midway keeps every
batch already committed.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Iterable, Iterator, Optional

from ..evaluate import ENGINE_VERSION
from ..models.patient import Patient
from ..models.results import TrialResult
from ..models.rules import RuleSet

__all__ = ["ResultStore", "Screening"]

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at TEXT NOT NULL,
    as_of TEXT NOT NULL,
    engine_version TEXT NOT NULL,
    command TEXT
);
CREATE TABLE IF NOT EXISTS rulesets (
    sha256 TEXT PRIMARY KEY,
    trial_id TEXT NOT NULL,
    ruleset_json TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS screenings (
    run_id INTEGER NOT NULL REFERENCES runs(run_id),
    patient_id TEXT NOT NULL,
    trial_id TEXT NOT NULL,
    ruleset_sha256 TEXT NOT NULL REFERENCES rulesets(sha256),
    compiler_version TEXT,
    engine_version TEXT NOT NULL,
    as_of TEXT NOT NULL,
    screened_at TEXT NOT NULL,
    verdict TEXT NOT NULL,
    eligible_from TEXT,
    result_json TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS screenings_pair ON screenings (patient_id, trial_id, as_of);
CREATE INDEX IF NOT EXISTS screenings_as_of ON screenings (as_of, trial_id);
CREATE TABLE IF NOT EXISTS errors (
    run_id INTEGER NOT NULL REFERENCES runs(run_id),
    file TEXT,
    line INTEGER,
    record TEXT,
    field TEXT,
    error TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS patient_snapshots (
    sha256 TEXT PRIMARY KEY,
    patient_id TEXT NOT NULL,
    patient_json TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS run_patients (
    run_id INTEGER NOT NULL REFERENCES runs(run_id),
    patient_id TEXT NOT NULL,
    patient_sha256 TEXT NOT NULL REFERENCES patient_snapshots(sha256),
    PRIMARY KEY (run_id, patient_id)
);
"""


@dataclass(frozen=True)
class Screening:
    """One screening row, ready to insert (batch workers build these so the parent only writes)."""

    patient_id: str
    trial_id: str
    ruleset_sha256: str
    compiler_version: Optional[str]
    engine_version: str
    as_of: str
    verdict: str
    eligible_from: Optional[str]
    result_json: str

    @classmethod
    def of(cls, result: TrialResult, ruleset: RuleSet) -> "Screening":
        return cls(patient_id=result.patient_id, trial_id=result.trial_id, ruleset_sha256=result.ruleset_sha256,
                   compiler_version=ruleset.compiler_version, engine_version=result.engine_version,
                   as_of=result.as_of.isoformat(), verdict=result.verdict,
                   eligible_from=result.eligible_from.isoformat() if result.eligible_from else None,
                   result_json=result.model_dump_json(exclude_none=True))


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class ResultStore:
    """Append-only SQLite store of screenings. ``ResultStore(path)``; also a context manager."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Autocommit mode: transactions are opened explicitly in transaction().
        self._db = sqlite3.connect(self.path, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(SCHEMA)
        self._in_transaction = False

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> "ResultStore":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator["ResultStore"]:
        """Group writes: all of them are committed together, or none if an exception escapes."""
        if self._in_transaction:
            yield self
            return
        self._db.execute("BEGIN IMMEDIATE")
        self._in_transaction = True
        try:
            yield self
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        else:
            self._db.execute("COMMIT")
        finally:
            self._in_transaction = False

    def start_run(self, as_of: date, command: Optional[str] = None) -> int:
        with self.transaction():
            cursor = self._db.execute(
                "INSERT INTO runs (started_at, as_of, engine_version, command) VALUES (?, ?, ?, ?)",
                (_now(), as_of.isoformat(), ENGINE_VERSION, command))
        return int(cursor.lastrowid)

    def add_ruleset(self, ruleset: RuleSet) -> str:
        """Keep the exact rule set a screening used, once per content hash."""
        sha = ruleset.content_sha256()
        with self.transaction():
            if self._db.execute("SELECT 1 FROM rulesets WHERE sha256 = ?", (sha,)).fetchone() is None:
                self._db.execute("INSERT INTO rulesets (sha256, trial_id, ruleset_json) VALUES (?, ?, ?)",
                                 (sha, ruleset.trial_id, ruleset.model_dump_json(exclude_none=True)))
        return sha

    def add_patient(self, run_id: int, patient: Patient) -> str:
        """Keep the profile a run screened (once per content hash), so a decision can be re-derived later."""
        payload = json.dumps(patient.model_dump(mode="json", exclude_none=True), sort_keys=True, ensure_ascii=False,
                             separators=(",", ":"))
        sha = hashlib.sha256(payload.encode("utf-8")).hexdigest()
        with self.transaction():
            self._db.execute("INSERT OR IGNORE INTO patient_snapshots (sha256, patient_id, patient_json) "
                             "VALUES (?, ?, ?)", (sha, patient.id, payload))
            self._db.execute("INSERT INTO run_patients (run_id, patient_id, patient_sha256) VALUES (?, ?, ?)",
                             (run_id, patient.id, sha))
        return sha

    def record(self, run_id: int, result: TrialResult, ruleset: RuleSet) -> None:
        with self.transaction():
            self.add_ruleset(ruleset)
            self.record_many(run_id, [Screening.of(result, ruleset)])

    def record_many(self, run_id: int, screenings: Iterable[Screening]) -> None:
        """Insert screenings whose rule sets are already stored (see :meth:`add_ruleset`)."""
        screened_at = _now()
        with self.transaction():
            self._db.executemany(
                "INSERT INTO screenings (run_id, patient_id, trial_id, ruleset_sha256, compiler_version, "
                "engine_version, as_of, screened_at, verdict, eligible_from, result_json) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(run_id, s.patient_id, s.trial_id, s.ruleset_sha256, s.compiler_version, s.engine_version,
                  s.as_of, screened_at, s.verdict, s.eligible_from, s.result_json) for s in screenings])

    def record_error(self, run_id: int, error: dict) -> None:
        with self.transaction():
            self._db.execute("INSERT INTO errors (run_id, file, line, record, field, error) VALUES (?, ?, ?, ?, ?, ?)",
                             (run_id, error.get("file"), error.get("line"), error.get("record"),
                              error.get("field"), error.get("error") or "unknown error"))

    def done_patients(self, as_of: date, trial_ids: Iterable[str],
                      ruleset_sha256s: Optional[Iterable[str]] = None) -> set[str]:
        """Patients already screened at ``as_of`` against every one of ``trial_ids`` (and, when given,
        with exactly these rule sets, so that a recompiled trial is screened again)."""
        trial_ids = sorted(set(trial_ids))
        if not trial_ids:
            return set()
        sql = (f"SELECT patient_id FROM screenings WHERE as_of = ? "
               f"AND trial_id IN ({','.join('?' * len(trial_ids))})")
        params: list = [as_of.isoformat(), *trial_ids]
        if ruleset_sha256s is not None:
            shas = sorted(set(ruleset_sha256s))
            sql += f" AND ruleset_sha256 IN ({','.join('?' * len(shas))})"
            params.extend(shas)
        sql += " GROUP BY patient_id HAVING COUNT(DISTINCT trial_id) = ?"
        params.append(len(trial_ids))
        return {row[0] for row in self._db.execute(sql, params)}

    def latest(self, patient_id: str, trial_id: str, at: Optional[date] = None) -> Optional[TrialResult]:
        """The most recent stored result for the pair, with reference date on or before ``at`` if given."""
        sql = "SELECT result_json FROM screenings WHERE patient_id = ? AND trial_id = ?"
        params: list = [patient_id, trial_id]
        if at is not None:
            sql += " AND as_of <= ?"
            params.append(at.isoformat())
        row = self._db.execute(sql + " ORDER BY as_of DESC, rowid DESC LIMIT 1", params).fetchone()
        return TrialResult.model_validate_json(row[0]) if row else None

    def ruleset(self, sha256: str) -> Optional[RuleSet]:
        row = self._db.execute("SELECT ruleset_json FROM rulesets WHERE sha256 = ?", (sha256,)).fetchone()
        return RuleSet.model_validate_json(row[0]) if row else None

    def count(self, table: str) -> int:
        if table not in ("runs", "screenings", "rulesets", "errors", "patient_snapshots", "run_patients"):
            raise ValueError(f"no table {table!r}")
        return self._db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]

    def query(self, sql: str, params: Iterable = ()) -> list[tuple]:
        """Read-only convenience for reports and tests."""
        return self._db.execute(sql, tuple(params)).fetchall()
