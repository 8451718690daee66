"""The audit trail: record each screening in the results store, and read a decision back as it was made.

``msmatch screen`` records every screening (:func:`record_screenings`): the run (when, the command, the
engine version), the patient profile as screened, the exact rule set (by content hash, with any coordinator
edits) and the whole result (per criterion: section, source text and span, status, reason, rules and the
facts used). :func:`find_screening` reads one back for ``msmatch explain``; :func:`latest_screenings` reads
a patient's latest screening per trial for ``msmatch report``. Nothing is updated or deleted: a re-run adds
a run.

The store is ``--store PATH``, else ``$MSMATCH_STORE``, else ``msmatch-results.sqlite`` in the working folder.
"""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Optional

from ..edits import is_edited
from ..errors import MsmatchError
from ..models.patient import Patient
from ..models.results import TrialResult
from ..models.rules import RuleEdit, RuleSet
from .insights import facts_used, time_to_eligibility
from .store import ResultStore

__all__ = ["DEFAULT_STORE", "STORE_ENV", "store_path", "open_store", "record_screenings", "StoredScreening",
           "find_screening", "latest_screenings", "rederive", "Rederivation", "explain_data", "explain_text",
           "edit_lines", "compiled_rule"]

DEFAULT_STORE = "msmatch-results.sqlite"
STORE_ENV = "MSMATCH_STORE"


def store_path(path: Optional[str | Path] = None) -> Path:
    """``path`` if given, else ``$MSMATCH_STORE``, else ``msmatch-results.sqlite`` in the working folder."""
    return Path(path or os.environ.get(STORE_ENV) or DEFAULT_STORE)


def open_store(path: Optional[str | Path] = None, *, create: bool = False) -> ResultStore:
    """Open the results store; reading (``create=False``) never creates an empty one."""
    target = store_path(path)
    if not create and not target.is_file():
        raise MsmatchError("no results store at this path", file=str(target),
                           hint=f"screen a patient first (msmatch screen), or pass --store PATH / set ${STORE_ENV}")
    try:
        return ResultStore(target)
    except (sqlite3.DatabaseError, OSError) as error:
        raise MsmatchError(f"cannot open the results store: {error}", file=str(target),
                           hint="pass another --store PATH" + (", or --no-store to screen without recording"
                                                              if create else "")) from None


def record_screenings(store: ResultStore, patient: Patient, rulesets: list[RuleSet], results: list[TrialResult],
                      command: Optional[str] = None) -> int:
    """Append one run: the patient as screened, each rule set, each result. Returns the run id."""
    if len(rulesets) != len(results):
        raise ValueError("one result per rule set")
    as_of = results[0].as_of if results else date.today()
    try:
        with store.transaction():
            run_id = store.start_run(as_of, command)
            store.add_patient(run_id, patient)
            for ruleset, result in zip(rulesets, results):
                store.record(run_id, result, ruleset)
    except sqlite3.Error as error:
        raise MsmatchError(f"cannot record in the results store: {error}", file=str(store.path),
                           hint="pass another --store PATH, or --no-store to screen without recording") from None
    return run_id


# --- reading back -----------------------------------------------------------------------------------------

_COLUMNS = ("s.ref, s.run_id, s.patient_id, s.trial_id, s.ruleset_sha256, s.compiler_version, s.engine_version, "
            "s.as_of, s.screened_at, s.verdict, s.result_json, r.command, r.started_at")


@dataclass
class StoredScreening:
    """One stored screening with what an auditor needs around it."""

    row: int
    run_id: int
    patient_id: str
    trial_id: str
    ruleset_sha256: str
    compiler_version: Optional[str]
    engine_version: str
    as_of: date
    screened_at: str
    command: Optional[str]
    result: TrialResult
    ruleset: Optional[RuleSet]
    patient: Optional[Patient]  # the profile as screened (runs of ``msmatch screen``)
    others: int = 0  # other screenings of the same pair in the store

    @property
    def edits(self) -> list[RuleEdit]:
        return list(self.ruleset.edits) if self.ruleset else []

    @property
    def hand_corrected(self) -> bool:
        return self.ruleset is not None and is_edited(self.ruleset)


def _load(store: ResultStore, row: tuple, others: int = 0) -> StoredScreening:
    (rowid, run_id, patient_id, trial_id, sha, compiler_version, engine_version, as_of, screened_at, _verdict,
     result_json, command, _started) = row
    snapshot = store.query("SELECT p.patient_json FROM run_patients rp JOIN patient_snapshots p "
                           "ON p.sha256 = rp.patient_sha256 WHERE rp.run_id = ? AND rp.patient_id = ?",
                           (run_id, patient_id))
    return StoredScreening(
        row=rowid, run_id=run_id, patient_id=patient_id, trial_id=trial_id, ruleset_sha256=sha,
        compiler_version=compiler_version, engine_version=engine_version, as_of=date.fromisoformat(as_of),
        screened_at=screened_at, command=command,
        # a compact batch row has no result_json: the store re-derives it and checks it (ResultStore.result)
        result=TrialResult.model_validate_json(result_json) if result_json is not None else store.result(rowid),
        ruleset=store.ruleset(sha), patient=Patient.model_validate(json.loads(snapshot[0][0])) if snapshot else None,
        others=others)


def find_screening(store: ResultStore, patient_id: str, trial_id: str, at: Optional[date] = None,
                   run_id: Optional[int] = None) -> StoredScreening:
    """The screening of the pair in run ``run_id``, or the latest with a reference date on or before ``at``
    (the last recorded wins a tie). Raises :class:`MsmatchError` when the store holds none."""
    sql = f"SELECT {_COLUMNS} FROM screenings s JOIN runs r ON r.run_id = s.run_id " \
          "WHERE s.patient_id = ? AND s.trial_id = ?"
    params: list = [patient_id, trial_id]
    if at is not None:
        sql += " AND s.as_of <= ?"
        params.append(at.isoformat())
    if run_id is not None:
        sql += " AND s.run_id = ?"
        params.append(run_id)
    rows = store.query(sql + " ORDER BY s.as_of DESC, s.run_id DESC, s.seq DESC", params)
    if not rows:
        raise _nothing_stored(store, patient_id, trial_id, at, run_id)
    total = store.query("SELECT COUNT(*) FROM screenings WHERE patient_id = ? AND trial_id = ?",
                        (patient_id, trial_id))[0][0]
    return _load(store, rows[0], others=total - 1)


def _nothing_stored(store: ResultStore, patient_id: str, trial_id: str, at: Optional[date],
                    run_id: Optional[int]) -> MsmatchError:
    record = f"{patient_id} x {trial_id}"
    trials = [t for (t,) in store.query("SELECT DISTINCT trial_id FROM screenings WHERE patient_id = ? "
                                         "ORDER BY trial_id", (patient_id,))]
    if not trials:
        return MsmatchError("no screening of this patient is stored", file=str(store.path), record=patient_id,
                            hint="screen the patient first (msmatch screen), or check --patient and --store")
    if trial_id not in trials:
        return MsmatchError("no screening of this pair is stored", file=str(store.path), record=record,
                            hint=f"this patient was screened against: {', '.join(trials)}")
    dates = [d for (d,) in store.query("SELECT DISTINCT as_of FROM screenings WHERE patient_id = ? AND trial_id = ? "
                                        "ORDER BY as_of", (patient_id, trial_id))]
    where = f"in run {run_id}" if run_id is not None else ""
    where += f"{' ' if where else ''}with a reference date on or before {at}" if at else ""
    return MsmatchError(f"no screening of this pair {where}", file=str(store.path), record=record,
                        hint=f"stored reference dates: {', '.join(dates)}")


def latest_screenings(store: ResultStore, patient_id: str, at: Optional[date] = None) -> list[StoredScreening]:
    """The patient's latest screening per trial (reference date on or before ``at``), by trial id."""
    sql = f"SELECT {_COLUMNS} FROM screenings s JOIN runs r ON r.run_id = s.run_id WHERE s.patient_id = ?"
    params: list = [patient_id]
    if at is not None:
        sql += " AND s.as_of <= ?"
        params.append(at.isoformat())
    latest: dict[str, tuple] = {}
    counts: dict[str, int] = {}
    for row in store.query(sql + " ORDER BY s.trial_id, s.as_of DESC, s.run_id DESC, s.seq DESC", params):
        latest.setdefault(row[3], row)
        counts[row[3]] = counts.get(row[3], 0) + 1
    if not latest:
        where = f" with a reference date on or before {at}" if at else ""
        raise MsmatchError(f"no screening of this patient{where} is stored", file=str(store.path), record=patient_id,
                           hint="screen the patient first (msmatch screen), or check --patient, --at and --store")
    return [_load(store, row, counts[trial] - 1) for trial, row in sorted(latest.items())]


# --- re-deriving ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Rederivation:
    """The stored decision computed again from the stored patient and rule set, by the current engine."""

    engine_version: str
    verdict: str
    differences: tuple[str, ...]  # "E25: stored fail, now pass"

    @property
    def same(self) -> bool:
        return not self.differences

    def as_dict(self) -> dict:
        return {"engine_version": self.engine_version, "verdict": self.verdict, "same": self.same,
                "differences": list(self.differences)}


def rederive(stored: StoredScreening) -> Optional[Rederivation]:
    """None when the profile or the rule set was not stored (stores written before profiles were kept)."""
    if stored.patient is None or stored.ruleset is None:
        return None
    from ..evaluate import screen

    again = screen(stored.ruleset, stored.patient, stored.as_of)
    before = {c.id: c.status for c in stored.result.criteria}
    now = {c.id: c.status for c in again.criteria}
    differences = [f"{cid}: stored {before.get(cid, 'absent')}, now {now.get(cid, 'absent')}"
                   for cid in dict.fromkeys([*before, *now]) if before.get(cid) != now.get(cid)]
    if again.verdict != stored.result.verdict:
        differences.insert(0, f"verdict: stored {stored.result.verdict}, now {again.verdict}")
    return Rederivation(again.engine_version, again.verdict, tuple(differences))


# --- explaining -------------------------------------------------------------------------------------------

def _short(sha: str) -> str:
    return sha[:12]


def edit_lines(ruleset: Optional[RuleSet]) -> list[str]:
    """One line per coordinator edit, or one saying the rules are as compiled."""
    if ruleset is None:
        return ["rule set not stored"]
    if not ruleset.edits:
        return [f"rules as compiled by {ruleset.compiler_version} (no coordinator edits)"]
    lines = [f"rules edited by {e.editor} on {e.at.isoformat(timespec='minutes')} (criterion {e.criterion_id}, "
             f"hash {_short(e.before_sha256)} -> {_short(e.after_sha256)})" + (f": {e.reason}" if e.reason else "")
             for e in ruleset.edits]
    if not is_edited(ruleset):
        lines.append(f"the rules in force ({_short(ruleset.content_sha256())}) differ from the last edit's result")
    return lines


_PROVENANCE_FIELDS = {"id", "criterion_id", "section", "text", "span", "origin"}


def compiled_rule(rule) -> dict:
    """A compiled rule as an auditor reads it: kind and parameters, without the provenance every rule repeats."""
    def strip(data):
        if isinstance(data, dict):
            return {k: strip(v) for k, v in data.items() if k not in _PROVENANCE_FIELDS and v is not None}
        if isinstance(data, list):
            return [strip(v) for v in data]
        return data
    return {"id": rule.id, **strip(rule.model_dump(mode="json", exclude_none=True))}


def _compiled(stored: StoredScreening, criterion_id: str) -> list[dict]:
    criterion = next((c for c in stored.ruleset.criteria if c.id == criterion_id), None) if stored.ruleset else None
    return [compiled_rule(rule) for rule in criterion.rules] if criterion else []


def _source(stored: StoredScreening, criterion_id: str) -> Optional[dict]:
    """The criterion's source text and offsets in the trial's criteria text (None for structured fields)."""
    if stored.ruleset is None:
        return None
    criterion = next((c for c in stored.ruleset.criteria if c.id == criterion_id), None)
    if criterion is None or criterion.span[1] <= criterion.span[0]:
        return None
    start, end = criterion.span
    return {"start": start, "end": end, "text": stored.ruleset.criteria_text[start:end]}


def explain_data(stored: StoredScreening, *, check: bool = True) -> dict:
    """The decision as stored, for ``msmatch explain --json``."""
    result = stored.result
    tte = time_to_eligibility(result, stored.ruleset, stored.patient if check else None)
    rederived = rederive(stored) if check else None
    ruleset = stored.ruleset

    def criterion(c) -> dict:
        return {"id": c.id, "section": c.section, "status": c.status, "text": c.text, "reason": c.reason,
                "source": _source(stored, c.id), "facts": facts_used(c.rules), "compiled": _compiled(stored, c.id),
                "rules": [r.model_dump(mode="json", exclude_none=True) for r in c.rules]}

    return {
        "patient_id": stored.patient_id, "trial_id": stored.trial_id, "title": result.title,
        "verdict": result.verdict, "as_of": stored.as_of.isoformat(), "screened_at": stored.screened_at,
        "run_id": stored.run_id, "command": stored.command, "engine_version": stored.engine_version,
        "ruleset": {"sha256": stored.ruleset_sha256, "compiler_version": stored.compiler_version,
                    "schema_version": ruleset.schema_version if ruleset else None,
                    "source": ruleset.source if ruleset else None,
                    "source_sha256": ruleset.source_sha256 if ruleset else None,
                    "hand_corrected": stored.hand_corrected,
                    "edits": [e.model_dump(mode="json", exclude={"before", "after"}) for e in stored.edits],
                    "provenance": edit_lines(ruleset)},
        "failing": [criterion(c) for c in result.criteria if c.status == "fail"],
        "unknown": [criterion(c) for c in result.criteria if c.status == "unknown"],
        "passing": [c.id for c in result.criteria if c.status == "pass"],
        "eligible_from": result.eligible_from.isoformat() if result.eligible_from else None,
        "time_to_eligibility": tte.as_dict() if tte else None,
        "patient_snapshot_stored": stored.patient is not None,
        "rederived": rederived.as_dict() if rederived else None,
        "other_screenings_of_pair": stored.others,
    }


def explain_text(stored: StoredScreening, *, check: bool = True) -> str:
    """The decision as stored, for a person: verdict, provenance, each failing and unknown criterion."""
    data = explain_data(stored, check=check)
    result = stored.result
    lines = [f"{stored.patient_id} x {stored.trial_id}" + (f" - {result.title}" if result.title else ""),
             f"  verdict: {result.verdict.upper()} as of {stored.as_of}",
             f"  screened {stored.screened_at} (run {stored.run_id}" +
             (f": {stored.command})" if stored.command else ")"),
             f"  rule set {stored.ruleset_sha256} ({stored.compiler_version or 'compiler unknown'}), "
             f"engine {stored.engine_version}"]
    lines += [f"  {line}" for line in data["ruleset"]["provenance"]]
    rederived = data["rederived"]
    if rederived is None:
        lines.append("  not re-derived: the patient profile as screened is not in the store")
    elif rederived["same"]:
        lines.append(f"  re-derived from the stored profile and rule set by {rederived['engine_version']}: "
                     "same decision")
    else:
        lines.append(f"  re-derived by {rederived['engine_version']}: DIFFERS: {'; '.join(rederived['differences'])}")
    for title, items in (("Failing", data["failing"]), ("Unknown (to confirm)", data["unknown"])):
        if not items:
            continue
        lines.append(f"\n{title}:")
        for item in items:
            where = f"chars {item['source']['start']}-{item['source']['end']}" if item["source"] else "structured field"
            lines.append(f"  {item['id']} [{item['section']}, {where}] {item['text']}")
            lines.append(f"      -> {item['reason']}")
            for fact in item["facts"]:
                lines.append(f"      fact: {fact}")
            for rule in item["compiled"]:
                lines.append(f"      rule: {json.dumps(rule, ensure_ascii=False, separators=(', ', ': '))}")
    tte: Optional[dict] = data["time_to_eligibility"]
    if tte:
        lines.append(f"\n{tte['sentence']}")
    passed = len(data["passing"])
    lines.append(f"\n({passed} of {len(result.criteria)} criteria pass"
                 + (f"; {stored.others} other screening(s) of this pair stored: see --at and --run)"
                    if stored.others else ")"))
    return "\n".join(lines)

