"""Stream patient profiles out of a registry export, one at a time, without loading it all.

Three layouts are read (chosen from the path):

* **a folder** of profile files ``*.json``: one profile per file (a file holding a JSON list is read as
  several profiles);
* **JSONL** (``.jsonl`` / ``.ndjson``): one profile object per line; blank lines are skipped;
* **CSV** (``.csv``): a header row, then one row per patient.

A profile object in a folder file or a JSONL line may instead be a **FHIR R4 Bundle** holding one patient
(``"resourceType": "Bundle"``; read by :mod:`matcher.ingest.fhir`, detected from the content, so folders and
``.ndjson`` files of Bundles work as they are). What the Bundle holds that is not mapped is listed on the
patient as ``fhir_warnings``; a malformed Bundle is reported like a malformed profile, naming the entry.

CSV columns are named as the profile fields (``patient_profiles/README.md``):

* scalar columns: ``id`` (required), ``birth_date``, ``diagnosis_date``, ``symptom_onset_date`` (YYYY-MM-DD),
  ``sex`` (female / male), ``ms_subtype``, ``weight_kg`` (number), and the yes/no columns ``pregnant``,
  ``breastfeeding``, ``childbearing_potential``, ``contraception``, ``csf_oligoclonal_bands``
  (true/false, yes/no, y/n, 1/0; any case);
* repeated events, each a JSON list in one cell: ``edss`` (``[{"date": "2026-01-02", "score": 3.5}]``),
  ``relapses``, ``mri``, ``treatments``, ``conditions``, ``labs``, ``vaccinations``, ``trial_participation``,
  with the same keys as in a profile file.

An empty cell means *unknown* (the field is left out), while ``[]`` means "none on record". Other columns
are kept on the patient and ignored by the evaluator.

Every item is either a :class:`Patient` or a :class:`RegistryError` naming the file, line, record and field:
a malformed row is reported and the stream goes on.

Reading and parsing are two steps: :func:`iter_records` reads raw records (a JSONL line, a CSV row, a profile
file's path) and :func:`parse_record` turns one into patients or errors. The batch runner reads in the parent
and parses in its workers, so that a registry is decoded and validated in parallel, and what crosses between
processes is text rather than models. :func:`iter_registry` does both in turn.
"""

from __future__ import annotations

import csv
import json
import os
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Iterator, NamedTuple, Optional, Union

from ..errors import MsmatchError, PatientError
from ..models.patient import Patient

__all__ = ["RegistryError", "RegistryItem", "RawRecord", "iter_registry", "iter_records", "parse_record",
           "count_records", "CSV_LIST_COLUMNS", "CSV_BOOL_COLUMNS"]

CSV_LIST_COLUMNS = ("edss", "relapses", "mri", "treatments", "conditions", "labs", "vaccinations",
                    "trial_participation")
CSV_BOOL_COLUMNS = ("pregnant", "breastfeeding", "childbearing_potential", "contraception",
                    "csf_oligoclonal_bands")
_TRUE = {"true", "yes", "y", "1"}
_FALSE = {"false", "no", "n", "0"}
JSONL_SUFFIXES = (".jsonl", ".ndjson")


@dataclass(frozen=True)
class RegistryError:
    """A registry row that could not be read as a patient."""

    file: str
    line: Optional[int]  # line in a JSONL / CSV file (1-based, the CSV header is line 1); None for a folder
    record: Optional[str]  # the patient id when it could be read
    field: Optional[str]
    error: str

    def as_dict(self) -> dict:
        return asdict(self)

    def __str__(self) -> str:
        where = ", ".join(part for part in (
            self.file, f"line {self.line}" if self.line else None,
            f"record {self.record}" if self.record else None,
            f"field '{self.field}'" if self.field else None) if part)
        return f"{where}: {self.error}"


RegistryItem = Union[Patient, RegistryError]


class RawRecord(NamedTuple):
    """One registry record as read, not yet parsed."""

    layout: str  # "jsonl" (content: the line), "csv" (content: the row as a dict) or "json" (a profile file)
    file: str
    line: Optional[int]
    content: Union[str, dict, None] = None


def iter_registry(path: str | Path) -> Iterator[RegistryItem]:
    """Patients (or errors) from a folder of profile files, a JSONL file or a CSV file."""
    records = iter_records(path)  # raises now, not at the first item, when the path is unusable
    return (item for record in records for item in parse_record(record))


def iter_records(path: str | Path) -> Iterator[RawRecord]:
    """The raw records of a folder of profile files, a JSONL file or a CSV file, in order."""
    path = Path(path)
    if path.is_dir():
        return _iter_folder(path)
    if not path.exists():
        raise MsmatchError("no such registry file or folder", file=str(path), hint="check the --patients path")
    suffix = path.suffix.lower()
    if suffix in JSONL_SUFFIXES:
        return _iter_jsonl(path)
    if suffix == ".csv":
        return _iter_csv(path)
    if suffix == ".json":
        return iter([RawRecord("json", str(path), None)])
    raise MsmatchError(f"unknown registry format {suffix or '(no suffix)'!r}", file=str(path),
                       hint="use a folder of .json profiles, a .jsonl file or a .csv file")


def parse_record(record: RawRecord) -> list[RegistryItem]:
    """The patients (or errors) in one raw record: one, or several for a profile file holding a list."""
    if record.layout == "jsonl":
        if '"resourceType"' not in record.content:  # not a FHIR Bundle: a profile, parsed and checked in one go
            try:
                return [Patient.model_validate_json(record.content)]
            except ValueError:
                pass  # read again below, for the error message that names the field
        try:
            data = json.loads(record.content)
        except json.JSONDecodeError as error:
            return [RegistryError(file=record.file, line=record.line, record=None, field=None,
                                  error=f"invalid JSON at column {error.colno}: {error.msg}")]
        return [_patient(data, file=record.file, line=record.line)]
    if record.layout == "csv":
        return [_csv_row(record.content, file=record.file, line=record.line)]
    return list(_iter_json_file(Path(record.file)))


def count_records(path: str | Path) -> Optional[int]:
    """A cheap estimate of the number of profiles (for the progress ETA); None when unknown."""
    path = Path(path)
    try:
        if path.is_dir():
            return sum(1 for entry in os.scandir(path) if entry.name.endswith(".json"))
        suffix = path.suffix.lower()
        if suffix not in JSONL_SUFFIXES + (".csv",):
            return None
        with path.open("rb") as handle:
            lines = sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))
        return max(lines - (suffix == ".csv"), 0)
    except OSError:
        return None


def _patient(data, *, file: str, line: Optional[int]) -> RegistryItem:
    try:
        from ..api import parse_patient  # the compiler's imports are not needed to list a registry

        return parse_patient(data, source=file)
    except PatientError as error:
        return RegistryError(file=file, line=line, record=error.record, field=error.field, error=error.message)


def _iter_folder(folder: Path) -> Iterator[RawRecord]:
    # Names only are held in memory, sorted so that a run (and its resume) visits them in the same order.
    names = sorted(entry.name for entry in os.scandir(folder)
                   if entry.is_file() and entry.name.endswith(".json") and not entry.name.startswith("."))
    for name in names:
        yield RawRecord("json", str(folder / name), None)


def _iter_json_file(path: Path) -> Iterator[RegistryItem]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        yield RegistryError(file=str(path), line=None, record=None, field=None, error=f"cannot read: {error}")
        return
    except json.JSONDecodeError as error:
        yield RegistryError(file=str(path), line=error.lineno, record=None, field=None,
                            error=f"invalid JSON at column {error.colno}: {error.msg}")
        return
    for item in data if isinstance(data, list) else [data]:
        yield _patient(item, file=str(path), line=None)


def _iter_jsonl(path: Path) -> Iterator[RawRecord]:
    with path.open(encoding="utf-8", errors="replace") as handle:
        for number, text in enumerate(handle, start=1):
            if text.strip():
                yield RawRecord("jsonl", str(path), number, text)


def _iter_csv(path: Path) -> Iterator[RawRecord]:
    csv.field_size_limit(min(sys.maxsize, 1 << 30))  # long event histories sit in one JSON cell
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
        reader = csv.DictReader(handle)
        start = reader.line_num + 1
        for row in reader:
            line, start = start, reader.line_num + 1
            yield RawRecord("csv", str(path), line, row)


def _csv_row(row: dict, *, file: str, line: int) -> RegistryItem:
    record = (row.get("id") or "").strip() or None
    if None in row:
        return RegistryError(file=file, line=line, record=record, field=None,
                             error="more cells than header columns (an unquoted comma in a JSON cell?)")
    data: dict = {}
    for column, cell in row.items():
        cell = (cell or "").strip()
        if cell == "" or column is None:
            continue  # empty = unknown
        if column in CSV_LIST_COLUMNS:
            try:
                data[column] = json.loads(cell)
            except json.JSONDecodeError as error:
                return RegistryError(file=file, line=line, record=record, field=column,
                                     error=f"cell is not a JSON list: {error.msg} at column {error.colno}")
        elif column in CSV_BOOL_COLUMNS:
            lowered = cell.lower()
            if lowered not in _TRUE | _FALSE:
                return RegistryError(file=file, line=line, record=record, field=column,
                                     error=f"not a yes/no value: {cell!r}")
            data[column] = lowered in _TRUE
        else:
            data[column] = cell
    return _patient(data, file=file, line=line)
