"""Read the results store back one patient x trial pair at a time: verdict, failing and unknown criterion ids.

The attrition report and the Parquet recovery read the store (:mod:`matcher.report.store`) through this one
reader. It streams rows of the store's ``screenings`` view with its own connection (a store from before
that view is upgraded first).
"""

from __future__ import annotations

import json
import sqlite3
from functools import lru_cache
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, Optional

from ..errors import MsmatchError
from ..models.rules import RuleSet

__all__ = ["StoredPair", "iter_pairs", "store_runs", "stored_rulesets"]


@dataclass(frozen=True)
class StoredPair:
    run_id: int
    as_of: str
    patient_id: str
    trial_id: str
    ruleset_sha256: str
    verdict: str
    failing: tuple[str, ...]
    unknown: tuple[str, ...]
    eligible_from: Optional[str]


def _connect(store_path: str | Path) -> sqlite3.Connection:
    path = Path(store_path)
    if not path.is_file():
        raise MsmatchError("no such results store", file=str(path),
                           hint="pass the .sqlite file that msmatch batch wrote")
    db = sqlite3.connect(path)
    try:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as error:
        db.close()
        raise MsmatchError(f"not a results store: {error}", file=str(path)) from None
    if "screenings" not in tables and "screening_rows" not in tables:
        db.close()
        raise MsmatchError("not a results store (no screenings table)", file=str(path),
                           hint="pass the .sqlite file that msmatch batch wrote")
    if "screenings" in tables:  # a store from before the screenings view: upgraded once, by the store
        db.close()
        from ..report.store import ResultStore

        ResultStore(path).close()
        db = sqlite3.connect(path)
    return db


@lru_cache(maxsize=65536)  # a trial's pairs share a few dozen id lists
def _ids(value) -> tuple[str, ...]:
    """A JSON array or a ';'-separated list of criterion ids (compact columns may use either)."""
    if not value:
        return ()
    text = value.decode() if isinstance(value, bytes) else str(value)
    if text.startswith("["):
        return tuple(str(item) for item in json.loads(text))
    return tuple(part for part in text.split(";") if part)


def store_runs(store_path: str | Path) -> list[tuple[int, str]]:
    """(run_id, as_of) of every run in the store, oldest first."""
    with closing(_connect(store_path)) as db:
        return [(int(r), str(a)) for r, a in db.execute("SELECT run_id, as_of FROM runs ORDER BY run_id")]


def iter_pairs(store_path: str | Path, *, run_id: Optional[int] = None, as_of: Optional[str] = None,
               trial_ids: Optional[Iterable[str]] = None, newest_per_pair: bool = False) -> Iterator[StoredPair]:
    """Screenings in the order they were written, filtered by run, reference date and trials.

    ``newest_per_pair`` keeps, for each patient and trial, only the last row written (a resumed batch spans
    several runs; a ``--no-resume`` re-run supersedes the earlier rows)."""
    where, params = [], []
    if run_id is not None:
        where.append("run_id = ?")
        params.append(run_id)
    if as_of is not None:
        where.append("as_of = ?")
        params.append(as_of)
    if trial_ids is not None:
        trial_ids = sorted(set(trial_ids))
        where.append(f"trial_id IN ({','.join('?' * len(trial_ids))})")
        params.extend(trial_ids)
    condition = " AND ".join(where) or "1"
    with closing(_connect(store_path)) as db:
        source = "screenings"
        # A run screens a pair once, so within one run every row is the newest of its pair: the ranking (a sort
        # of every selected pair) is needed only when the selection spans several runs.
        if newest_per_pair and _run_count(db, run_id, as_of) < 2:
            newest_per_pair = False
        if newest_per_pair:  # the last written of each pair: runs are numbered in time, seq within a run
            source = ("(SELECT *, ROW_NUMBER() OVER (PARTITION BY patient_id, trial_id ORDER BY run_id DESC, "
                      f"seq DESC) AS newest FROM screenings WHERE {condition})")
            condition = "s.newest = 1"
        else:
            condition = " AND ".join(f"s.{clause}" for clause in where) or "1"
        sql = ("SELECT s.run_id, s.as_of, s.patient_id, s.trial_id, s.ruleset_sha256, s.verdict, s.failing, "
               f"s.unknown, s.eligible_from FROM {source} AS s WHERE {condition} ORDER BY s.run_id, s.seq")
        for row in db.execute(sql, params):
            yield StoredPair(run_id=int(row[0]), as_of=row[1], patient_id=row[2], trial_id=row[3],
                             ruleset_sha256=row[4], verdict=row[5], failing=_ids(row[6]), unknown=_ids(row[7]),
                             eligible_from=row[8])


def _run_count(db: sqlite3.Connection, run_id: Optional[int], as_of: Optional[str]) -> int:
    """How many runs (at most 2 counted) match the run and reference-date filters."""
    where = [clause for clause, value in (("run_id = ?", run_id), ("as_of = ?", as_of)) if value is not None]
    sql = f"SELECT run_id FROM runs WHERE {' AND '.join(where) or '1'} LIMIT 2"
    return len(db.execute(sql, [value for value in (run_id, as_of) if value is not None]).fetchall())


def stored_rulesets(store_path: str | Path, shas: Iterable[str]) -> dict[str, RuleSet]:
    """The exact rule sets the store kept (by content hash) for the screenings read."""
    shas = sorted(set(shas))
    if not shas:
        return {}
    with closing(_connect(store_path)) as db:
        rows = db.execute(f"SELECT sha256, ruleset_json FROM rulesets WHERE sha256 IN ({','.join('?' * len(shas))})",
                          shas).fetchall()
    return {sha: RuleSet.model_validate_json(text) for sha, text in rows}
