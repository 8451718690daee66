"""The results store: one SQLite file, append-only, that an auditor can query years later.

A re-run adds rows and never overwrites: every screening names its run, the reference date, the engine
version and the SHA-256 of the rule set used, and the ``rulesets`` table keeps that exact rule set.

Tables:

* ``runs``: run_id, started_at, as_of, engine_version, command
* ``screenings``: run_id, patient_id, trial_id, ruleset_sha256, compiler_version, engine_version, as_of,
  screened_at, verdict, eligible_from, failing and unknown (criterion ids, ';'-separated), statuses (one
  letter per criterion of the rule set, in its order: ``p`` pass, ``f`` fail, ``u`` unknown), and
  result_json (the whole ``TrialResult``: per criterion its section, text, span, status, reason and the
  facts used). Batch screenings are *compact*: result_json is NULL, and the full result is re-derived on
  demand (:meth:`ResultStore.result`) by screening the stored patient snapshot with the stored rule set at
  the stored reference date, then checked against the stored statuses.
* ``rulesets``: sha256 (primary key), trial_id, ruleset_json
* ``errors``: run_id, file, line, record, field, error (registry rows that could not be screened)
* ``patient_snapshots``: sha256 (primary key), patient_id, patient_json (the profile as screened), and
  ``run_patients``: run_id, patient_id, patient_sha256 (which snapshot a run screened; written by
  ``msmatch screen`` and ``msmatch batch``, read to re-derive a stored decision)

A store written before compact rows existed is upgraded when opened: the screenings table is rebuilt once
(rows and rowids kept) with result_json optional and the compact columns filled from result_json.

WAL mode; writers group rows in :meth:`ResultStore.transaction` so that a run interrupted midway keeps every
batch already committed.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import sqlite3
from contextlib import contextmanager
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Iterable, Iterator, NamedTuple, Optional

from ..errors import MsmatchError
from ..evaluate import ENGINE_VERSION, STATUS_CODES, screen
from ..models.patient import Patient
from ..models.results import TrialResult
from ..models.rules import RuleSet

__all__ = ["ResultStore", "Screening", "patient_snapshot", "batch_row", "RederivationError"]

SCREENINGS = """
CREATE TABLE IF NOT EXISTS screening_rows (
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
    result_json TEXT,
    failing TEXT,
    unknown TEXT,
    statuses TEXT
);
"""
SCREENINGS_INDEXES = """
CREATE INDEX IF NOT EXISTS screenings_pair ON screening_rows (patient_id, trial_id, as_of);
CREATE INDEX IF NOT EXISTS screenings_as_of ON screening_rows (as_of, trial_id);
"""
# A batch run stores one row per patient: its trials are numbered (batch_trials.position) and the per-trial
# values are packed in that order (verdicts one letter each; the others JSON arrays). The screenings view
# unpacks them into one row per patient x trial.
BATCH = """
CREATE TABLE IF NOT EXISTS batch_trials (
    run_id INTEGER NOT NULL REFERENCES runs(run_id),
    position INTEGER NOT NULL,
    trial_id TEXT NOT NULL,
    ruleset_sha256 TEXT NOT NULL REFERENCES rulesets(sha256),
    compiler_version TEXT,
    PRIMARY KEY (run_id, position)
);
CREATE TABLE IF NOT EXISTS batch_screenings (
    run_id INTEGER NOT NULL REFERENCES runs(run_id),
    patient_id TEXT NOT NULL,
    screened_at TEXT NOT NULL,
    verdicts TEXT NOT NULL,
    eligible_from TEXT,
    failing TEXT NOT NULL,
    unknown TEXT NOT NULL,
    statuses TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS batch_screenings_patient ON batch_screenings (patient_id);
CREATE INDEX IF NOT EXISTS batch_screenings_run ON batch_screenings (run_id);
CREATE VIEW IF NOT EXISTS screenings AS
SELECT rowid AS ref, rowid AS seq, run_id, patient_id, trial_id, ruleset_sha256, compiler_version, engine_version,
       as_of, screened_at, verdict, eligible_from, result_json, failing, unknown, statuses
FROM screening_rows
UNION ALL
SELECT -(b.rowid * {span} + t.position), b.rowid * {span} + t.position, b.run_id, b.patient_id, t.trial_id,
       t.ruleset_sha256, t.compiler_version, r.engine_version, r.as_of, b.screened_at,
       CASE substr(b.verdicts, t.position + 1, 1) {verdicts} END,
       CASE WHEN b.eligible_from IS NULL THEN NULL ELSE json_extract(b.eligible_from, '$[' || t.position || ']') END,
       NULL, json_extract(b.failing, '$[' || t.position || ']'), json_extract(b.unknown, '$[' || t.position || ']'),
       json_extract(b.statuses, '$[' || t.position || ']')
FROM batch_screenings AS b JOIN batch_trials AS t ON t.run_id = b.run_id JOIN runs AS r ON r.run_id = b.run_id;
"""
MAX_BATCH_TRIALS = 4096  # trials per batch run: a pair's reference packs the patient row and the trial position
VERDICT_LETTERS = {"eligible": "e", "needs_review": "n", "ineligible": "i"}  # batch_screenings.verdicts
BATCH = BATCH.replace("{span}", str(MAX_BATCH_TRIALS)).replace("{verdicts}", " ".join(
    f"WHEN '{letter}' THEN '{verdict}'" for verdict, letter in VERDICT_LETTERS.items()))
# Upgrading a store from before compact rows: the compact columns computed from each row's result_json
# (status letters are the statuses' first letters, as in STATUS_CODES).
_V1_COLUMNS = ("run_id", "patient_id", "trial_id", "ruleset_sha256", "compiler_version", "engine_version", "as_of",
               "screened_at", "verdict", "eligible_from", "result_json")
_V1_COMPACT = (
    "COALESCE((SELECT group_concat(f.value, ';') FROM json_each(v.result_json, '$.failing') AS f), ''), "
    "COALESCE((SELECT group_concat(json_extract(c.value, '$.id'), ';') FROM json_each(v.result_json, '$.criteria') "
    "AS c WHERE json_extract(c.value, '$.status') = 'unknown'), ''), "
    "COALESCE((SELECT group_concat(substr(json_extract(c.value, '$.status'), 1, 1), '') "
    "FROM json_each(v.result_json, '$.criteria') AS c), '')")
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
""" + SCREENINGS + SCREENINGS_INDEXES + """
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


class Screening(NamedTuple):
    """One row of ``screening_rows``: a screening of ``msmatch screen`` with its whole result as JSON (batch runs
    store one row per patient instead, :meth:`ResultStore.record_batch`)."""

    patient_id: str
    trial_id: str
    ruleset_sha256: str
    compiler_version: Optional[str]
    engine_version: str
    as_of: str
    verdict: str
    eligible_from: Optional[str]
    failing: tuple[str, ...]
    unknown: tuple[str, ...]
    statuses: str
    result_json: Optional[str] = None

    @classmethod
    def of(cls, result: TrialResult, ruleset: RuleSet) -> "Screening":
        """A full row: the whole result kept as JSON."""
        return cls(patient_id=result.patient_id, trial_id=result.trial_id, ruleset_sha256=result.ruleset_sha256,
                   compiler_version=ruleset.compiler_version, engine_version=result.engine_version,
                   as_of=result.as_of.isoformat(), verdict=result.verdict,
                   eligible_from=result.eligible_from.isoformat() if result.eligible_from else None,
                   failing=tuple(result.failing),
                   unknown=tuple(c.id for c in result.criteria if c.status == "unknown"),
                   statuses="".join(STATUS_CODES[c.status] for c in result.criteria),
                   result_json=result.model_dump_json(exclude_none=True))


def patient_snapshot(patient: Patient) -> tuple[str, str]:
    """(sha256, json) of a profile as screened, so that the same profile is stored once: the model's JSON, whose
    fields come in the model's order (unknown keys, which a profile may carry, in the order given)."""
    payload = patient.model_dump_json(exclude_none=True)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest(), payload


def batch_row(patient_id: str, verdicts: list[str], eligible_from: list[Optional[str]], failing: list[str],
              unknown: list[str], statuses: list[str]) -> tuple:
    """A patient's row of a batch run (:meth:`ResultStore.record_batch`), from per-trial values in the run's
    trial order: verdicts, eligible-from dates (ISO or None), failing and unknown criterion ids (';'-separated)
    and status strings."""
    pack = _PACK.encode
    return (patient_id, "".join([VERDICT_LETTERS[v] for v in verdicts]),
            pack(eligible_from) if any(eligible_from) else None, pack(failing), pack(unknown), pack(statuses))


_PACK = json.JSONEncoder(separators=(",", ":"))


class RederivationError(MsmatchError):
    """A compact row whose full result cannot be re-derived as it was decided."""


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
        # Copy the write-ahead log into the database every 64 MB of changes, not SQLite's default 4 MB: a batch
        # commits about 1.5 MB per chunk, and a checkpoint (with its fsync) after nearly every chunk held the
        # writer up by a fifth of its time.
        self._db.execute("PRAGMA wal_autocheckpoint=16384")
        self._in_transaction = False
        self._rulesets: dict[str, RuleSet] = {}
        self._upgrade()
        self._db.executescript(SCHEMA + BATCH)

    def _upgrade(self) -> None:
        """Move a store's ``screenings`` table (from before batch rows) to ``screening_rows``, under the view that
        now has its name; a table from before compact rows (no statuses column) gets them from result_json."""
        def old_table() -> set[str]:
            if self._db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'screenings'").fetchone():
                return {row[1] for row in self._db.execute("PRAGMA table_info(screenings)")}
            return set()

        if not old_table():
            return
        with self.transaction():
            columns = old_table()
            if not columns:  # another process got there first
                return
            if "statuses" in columns:
                self._db.execute("ALTER TABLE screenings RENAME TO screening_rows")
                return
            kept = ", ".join(_V1_COLUMNS)
            self._db.execute(SCREENINGS)
            self._db.execute(f"INSERT INTO screening_rows (rowid, {kept}, failing, unknown, statuses) "
                             f"SELECT rowid, {kept}, {_V1_COMPACT} FROM screenings AS v ORDER BY rowid")
            self._db.execute("DROP TABLE screenings")

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
        sha, payload = patient_snapshot(patient)
        self.add_patient_snapshots(run_id, [(patient.id, sha, payload)])
        return sha

    def add_patient_snapshots(self, run_id: int, snapshots: Iterable[tuple[str, str, str]]) -> None:
        """(patient_id, sha256, json) per patient a run screened (see :func:`patient_snapshot`)."""
        snapshots = list(snapshots)
        with self.transaction():
            self._db.executemany("INSERT OR IGNORE INTO patient_snapshots (sha256, patient_id, patient_json) "
                                 "VALUES (?, ?, ?)", [(sha, pid, payload) for pid, sha, payload in snapshots])
            self._db.executemany("INSERT INTO run_patients (run_id, patient_id, patient_sha256) VALUES (?, ?, ?)",
                                 [(run_id, pid, sha) for pid, sha, _ in snapshots])

    def record(self, run_id: int, result: TrialResult, ruleset: RuleSet) -> None:
        with self.transaction():
            self.add_ruleset(ruleset)
            self.record_many(run_id, [Screening.of(result, ruleset)])

    def record_many(self, run_id: int, screenings: Iterable[Screening]) -> None:
        """Insert screenings whose rule sets are already stored (see :meth:`add_ruleset`)."""
        screened_at = _now()
        with self.transaction():
            self._db.executemany(
                "INSERT INTO screening_rows (run_id, patient_id, trial_id, ruleset_sha256, compiler_version, "
                "engine_version, as_of, screened_at, verdict, eligible_from, failing, unknown, statuses, result_json) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(run_id, s.patient_id, s.trial_id, s.ruleset_sha256, s.compiler_version, s.engine_version,
                  s.as_of, screened_at, s.verdict, s.eligible_from, ";".join(s.failing), ";".join(s.unknown),
                  s.statuses, s.result_json) for s in screenings])

    def start_batch(self, run_id: int, rulesets: list[RuleSet]) -> None:
        """Number a batch run's trials (the order of the values in its :meth:`record_batch` rows) and keep their
        rule sets."""
        if len(rulesets) > MAX_BATCH_TRIALS:
            raise MsmatchError(f"a batch run screens at most {MAX_BATCH_TRIALS} trials, not {len(rulesets)}",
                               file=str(self.path), hint="split the trials into several runs")
        with self.transaction():
            for ruleset in rulesets:
                self.add_ruleset(ruleset)
            self._db.executemany(
                "INSERT INTO batch_trials (run_id, position, trial_id, ruleset_sha256, compiler_version) "
                "VALUES (?, ?, ?, ?, ?)",
                [(run_id, position, r.trial_id, r.content_sha256(), r.compiler_version)
                 for position, r in enumerate(rulesets)])

    def record_batch(self, run_id: int, rows: Iterable[tuple]) -> None:
        """One row per patient of a batch run: (patient_id, verdicts, eligible_from, failing, unknown, statuses),
        each value listing the run's trials in :meth:`start_batch` order (see :func:`batch_row`)."""
        with self.transaction():
            self._db.executemany(
                "INSERT INTO batch_screenings (run_id, patient_id, screened_at, verdicts, eligible_from, failing, "
                "unknown, statuses) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                ((run_id, patient, screened_at, *values) for screened_at in (_now(),) for patient, *values in rows))

    def record_error(self, run_id: int, error: dict) -> None:
        with self.transaction():
            self._db.execute("INSERT INTO errors (run_id, file, line, record, field, error) VALUES (?, ?, ?, ?, ?, ?)",
                             (run_id, error.get("file"), error.get("line"), error.get("record"),
                              error.get("field"), error.get("error") or "unknown error"))

    def run_holds(self, run_id: int, patient_ids: Iterable[str]) -> set[str]:
        """Which of ``patient_ids`` the run has already screened (from its profile snapshots)."""
        ids, held = sorted(set(patient_ids)), set()
        for start in range(0, len(ids), 500):  # under SQLite's limit on query parameters
            part = ids[start:start + 500]
            held.update(row[0] for row in self._db.execute(
                f"SELECT patient_id FROM run_patients WHERE run_id = ? AND patient_id IN ({','.join('?' * len(part))})",
                [run_id, *part]))
        return held

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
        """The most recent stored result for the pair, with reference date on or before ``at`` if given
        (re-derived when the row is compact, see :meth:`result`)."""
        sql = "SELECT ref FROM screenings WHERE patient_id = ? AND trial_id = ?"
        params: list = [patient_id, trial_id]
        if at is not None:
            sql += " AND as_of <= ?"
            params.append(at.isoformat())
        row = self._db.execute(sql + " ORDER BY as_of DESC, run_id DESC, seq DESC LIMIT 1", params).fetchone()
        return self.result(row[0]) if row else None

    def result(self, rowid: int) -> TrialResult:
        """The full result of one screening (``ref`` of the screenings view): its stored JSON, or for a compact
        (batch) row the result re-derived from the stored patient snapshot and rule set at the stored reference
        date, checked against the stored verdict and per-criterion statuses (:class:`RederivationError` if they
        differ)."""
        # A pair of a batch row has a negative ref (see the view): found through its patient row, so that SQLite
        # unpacks that row alone.
        source, where, params = "screening_rows", "s.rowid = ?", [rowid]
        if rowid < 0:
            owner = self._db.execute("SELECT run_id, patient_id FROM batch_screenings WHERE rowid = ?",
                                     (-rowid // MAX_BATCH_TRIALS,)).fetchone()
            source, where = "screenings", "s.ref = ? AND s.run_id = ? AND s.patient_id = ?"
            params += list(owner or (None, None))
        row = self._db.execute(
            "SELECT s.run_id, s.patient_id, s.ruleset_sha256, s.as_of, s.verdict, s.statuses, s.result_json, "
            f"p.patient_json FROM {source} s LEFT JOIN run_patients rp ON rp.run_id = s.run_id "
            "AND rp.patient_id = s.patient_id LEFT JOIN patient_snapshots p ON p.sha256 = rp.patient_sha256 "
            f"WHERE {where}", params).fetchone()
        if row is None:
            raise MsmatchError(f"no screening row {rowid}", file=str(self.path))
        run_id, patient_id, sha, as_of, verdict, statuses, result_json, patient_json = row
        if result_json is not None:
            return TrialResult.model_validate_json(result_json)
        record = f"{patient_id} x {sha[:12]} (run {run_id}, row {rowid})"
        ruleset = self.ruleset(sha)
        if ruleset is None or patient_json is None:
            raise RederivationError(f"the {'rule set' if ruleset is None else 'patient snapshot'} of a compact "
                                    "screening is missing from the store", file=str(self.path), record=record)
        result = screen(ruleset, Patient.model_validate_json(patient_json), date.fromisoformat(as_of))
        again = "".join(STATUS_CODES[c.status] for c in result.criteria)
        if (result.verdict, again) != (verdict, statuses):
            raise RederivationError(
                f"this engine ({ENGINE_VERSION}) re-derives {result.verdict} with statuses {again}, the store "
                f"holds {verdict} with {statuses}", file=str(self.path), record=record,
                hint="re-derive with the engine version that made the screening (see the row's engine_version)")
        return result

    def ruleset(self, sha256: str) -> Optional[RuleSet]:
        # Kept once read: a rule set never changes under its content hash, and re-deriving many compact rows
        # reads the same few.
        if sha256 not in self._rulesets:
            row = self._db.execute("SELECT ruleset_json FROM rulesets WHERE sha256 = ?", (sha256,)).fetchone()
            if row is None:
                return None
            self._rulesets[sha256] = RuleSet.model_validate_json(row[0])
        return self._rulesets[sha256]

    def count(self, table: str) -> int:
        if table not in ("runs", "screenings", "screening_rows", "batch_screenings", "batch_trials", "rulesets", "errors",
                         "patient_snapshots", "run_patients"):
            raise ValueError(f"no table {table!r}")
        return self._db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]

    def query(self, sql: str, params: Iterable = ()) -> list[tuple]:
        """Read-only convenience for reports and tests."""
        return self._db.execute(sql, tuple(params)).fetchall()
