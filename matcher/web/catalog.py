"""The trials the web app screens against: compiled once at start-up, plus coordinator-edited versions.

Edited rule sets are saved as new files, never over an old one::

    <rules-dir>/<trial>/<sha256 of the file, 12 hex>.json   one file per version
    <rules-dir>/<trial>/CURRENT                            the name of the version in force
    <rules-dir>/<trial>/versions.jsonl                     one line per saved version (audit log)

Every version file is a complete :class:`RuleSet` whose ``edits`` list records who changed what, when and
why, with content hashes before and after (:func:`matcher.edits.apply_edit`). At start-up a trial's saved
version replaces the fresh compilation only when it was made from the same source record (same
``source_sha256``); otherwise the app uses the fresh compilation and shows a warning on the trial's page.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Optional

from ..api import load_rulesets, read_ruleset
from ..edits import apply_edit
from ..errors import MsmatchError, NoCriteriaError
from ..models.rules import RuleSet

__all__ = ["TrialCatalog", "TrialEntry", "LoadProblem", "SavedVersion"]

log = logging.getLogger("matcher.web")

_SAFE_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


def trial_key(trial_id: str) -> str:
    """A folder and URL name for a trial id (ids come from untrusted records: no path tricks)."""
    if _SAFE_KEY.fullmatch(trial_id) and ".." not in trial_id:
        return trial_id
    return "trial-" + hashlib.sha256(trial_id.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class LoadProblem:
    file: str
    error: str


@dataclass(frozen=True)
class SavedVersion:
    file: str
    sha256: str
    ruleset_sha256: str
    previous: Optional[str]
    editor: str
    at: str
    criterion_id: str
    reason: str


@dataclass
class TrialEntry:
    key: str
    compiled: RuleSet  # as compiled from the record at start-up
    ruleset: RuleSet  # in force: the compiled one or the current saved version
    source_file: str
    version_file: Optional[str] = None
    warnings: list[str] = field(default_factory=list)

    @property
    def edited(self) -> bool:
        return self.version_file is not None


class TrialCatalog:
    """Trial rule sets by id, in load order. Thread-safe for concurrent edits and screenings."""

    def __init__(self, entries: Iterable[TrialEntry], rules_dir: Optional[Path], problems: Iterable[LoadProblem] = ()):
        self._entries: dict[str, TrialEntry] = {}
        self.problems = list(problems)
        for entry in entries:
            self._entries[entry.key] = entry
        self.rules_dir = rules_dir
        self._lock = threading.Lock()

    @classmethod
    def load(cls, paths: Iterable[str | Path], rules_dir: Optional[str | Path] = None) -> "TrialCatalog":
        """Compile every record under ``paths`` (files or folders). A bad record is reported, not fatal."""
        rules_dir = Path(rules_dir) if rules_dir else None
        entries: list[TrialEntry] = []
        problems: list[LoadProblem] = []
        seen: dict[str, str] = {}
        for file in _files(paths, problems):
            try:
                rulesets = load_rulesets(file)
            except NoCriteriaError as error:
                problems.append(LoadProblem(str(file), f"no criteria: {error.message}"))
                continue
            except MsmatchError as error:
                problems.append(LoadProblem(str(file), str(error)))
                continue
            for ruleset in rulesets:
                key = trial_key(ruleset.trial_id)
                if key in seen:
                    problems.append(LoadProblem(str(file), f"trial {ruleset.trial_id} already loaded from "
                                                           f"{seen[key]}; this copy is not used"))
                    continue
                seen[key] = str(file)
                entry = TrialEntry(key=key, compiled=ruleset, ruleset=ruleset, source_file=str(file))
                if rules_dir is not None:
                    _apply_saved_version(entry, rules_dir / key)
                entries.append(entry)
        for problem in problems:
            log.warning("trial not loaded: %s: %s", problem.file, problem.error)
        return cls(entries, rules_dir, problems)

    def entries(self) -> list[TrialEntry]:
        return list(self._entries.values())

    def rulesets(self) -> list[RuleSet]:
        return [entry.ruleset for entry in self._entries.values()]

    def get(self, key: str) -> Optional[TrialEntry]:
        return self._entries.get(key)

    def by_trial_id(self, trial_id: str) -> Optional[TrialEntry]:
        return self._entries.get(trial_key(trial_id))

    def edit(self, key: str, criterion_id: str, rules: Any, *, editor: str, reason: str = "",
             coverage: Optional[str] = None) -> tuple[SavedVersion, RuleSet]:
        """Apply a coordinator's edit (validated by :func:`apply_edit`), save it as a new version and use it."""
        if self.rules_dir is None:
            raise MsmatchError("rule editing is off: the app was started without a rules folder",
                               hint="restart with --rules-dir DIR")
        with self._lock:
            entry = self._entries[key]
            edited = apply_edit(entry.ruleset, criterion_id, rules, editor=editor, reason=reason, coverage=coverage)
            saved = _save_version(edited, self.rules_dir / key, entry.version_file)
            entry.ruleset = edited
            entry.version_file = saved.file
        log.info("rule set %s: criterion %s edited, saved as version %s", edited.trial_id, criterion_id, saved.file)
        return saved, edited

    def versions(self, key: str) -> list[SavedVersion]:
        """Saved versions of a trial, oldest first (from ``versions.jsonl``)."""
        if self.rules_dir is None:
            return []
        path = self.rules_dir / key / "versions.jsonl"
        if not path.exists():
            return []
        versions = []
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                versions.append(SavedVersion(**json.loads(line)))
        return versions


def _files(paths: Iterable[str | Path], problems: list[LoadProblem]) -> list[Path]:
    files: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            files.extend(sorted(f for f in path.iterdir() if f.is_file() and not f.name.startswith(".")))
        elif path.is_file():
            files.append(path)
        else:
            problems.append(LoadProblem(str(path), "no such file or folder"))
    return files


def _apply_saved_version(entry: TrialEntry, folder: Path) -> None:
    pointer = folder / "CURRENT"
    if not pointer.exists():
        return
    name = pointer.read_text(encoding="utf-8").strip()
    path = folder / name
    if Path(name).name != name or not path.is_file():
        entry.warnings.append(f"{pointer} names {name!r}, which is not a version file in {folder}; "
                              "using the rules as compiled")
        return
    try:
        saved = read_ruleset(path)
    except MsmatchError as error:
        entry.warnings.append(f"saved version not used: {error}")
        return
    if saved.trial_id != entry.compiled.trial_id:
        entry.warnings.append(f"saved version {path} is for trial {saved.trial_id}; using the rules as compiled")
    elif saved.source_sha256 != entry.compiled.source_sha256:
        entry.warnings.append(f"saved version {name} was edited from a different copy of the trial record "
                              f"(source sha256 {str(saved.source_sha256)[:12]}, now "
                              f"{str(entry.compiled.source_sha256)[:12]}); using the rules as compiled from "
                              "the current record: review the edits and redo them")
    else:
        entry.ruleset = saved
        entry.version_file = name
    for warning in entry.warnings:
        log.warning("trial %s: %s", entry.compiled.trial_id, warning)


def _save_version(ruleset: RuleSet, folder: Path, previous: Optional[str]) -> SavedVersion:
    text = ruleset.model_dump_json(indent=2, exclude_none=True) + "\n"
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    name = f"{sha[:12]}.json"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    try:
        with open(path, "x", encoding="utf-8") as handle:  # "x": a version file is never overwritten
            handle.write(text)
    except FileExistsError:
        if path.read_text(encoding="utf-8") != text:
            raise MsmatchError(f"{path} exists with other content",
                               hint="a version file is never overwritten") from None
    edit = ruleset.edits[-1]
    saved = SavedVersion(file=name, sha256=sha, ruleset_sha256=ruleset.content_sha256(), previous=previous,
                         editor=edit.editor, at=edit.at.isoformat(), criterion_id=edit.criterion_id,
                         reason=edit.reason)
    with open(folder / "versions.jsonl", "a", encoding="utf-8") as log_file:
        log_file.write(json.dumps(saved.__dict__, ensure_ascii=False) + "\n")
    temporary = folder / "CURRENT.tmp"
    temporary.write_text(name + "\n", encoding="utf-8")
    os.replace(temporary, folder / "CURRENT")
    return saved
