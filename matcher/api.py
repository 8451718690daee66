"""The library API the CLI, batch jobs and the web app all call."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Iterable, Optional

from pydantic import ValidationError

from .compile import compile_trial
from .errors import PatientError, RecordError
from .evaluate import PatientFacts, screen
from .ingest import load_trials
from .ingest.fhir import is_bundle, patient_from_bundle
from .models.patient import Patient
from .models.results import TrialResult
from .models.rules import RuleSet

__all__ = ["load_rulesets", "load_patient", "parse_patient", "screen_patient", "compile_file"]


def _is_ruleset(path: Path) -> bool:
    if path.suffix.lower() != ".json":
        return False
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return False  # the trial reader reports what is wrong with it
    return isinstance(data, dict) and {"schema_version", "trial_id", "criteria"} <= set(data)


def read_ruleset(path: Path) -> RuleSet:
    try:
        return RuleSet.model_validate_json(path.read_text(encoding="utf-8"))
    except ValidationError as error:
        first = error.errors()[0]
        raise RecordError(f"invalid compiled rule set: {first['msg']}", file=str(path),
                          field=".".join(str(x) for x in first["loc"]),
                          hint="fix the edit or recompile with 'msmatch compile'") from None


def load_rulesets(path: str | Path, compiled_on: Optional[date] = None) -> list[RuleSet]:
    """A trial record in any format, or a compiled rule set (rules/compiled/<trial>.json)."""
    path = Path(path)
    if _is_ruleset(path):
        return [read_ruleset(path)]
    return [compile_trial(trial, compiled_on=compiled_on) for trial in load_trials(path)]


def compile_file(path: str | Path) -> list[RuleSet]:
    return load_rulesets(path)


def parse_patient(data: dict, *, source: str = "<patient>") -> Patient:
    """A profile object, or a FHIR R4 Bundle (``resourceType`` "Bundle") holding one patient."""
    if is_bundle(data):
        return patient_from_bundle(data, source)
    if not isinstance(data, dict):
        raise PatientError("a patient profile must be a JSON object", file=source)
    try:
        return Patient.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(x) for x in first["loc"])
        record = str(data.get("id")) if data.get("id") is not None else None
        raise PatientError(f"{first['msg']} (got {first.get('input')!r})"[:300], file=source, record=record,
                           field=field, hint="see patient_profiles/README.md for the fields") from None


def load_patient(path: str | Path) -> Patient:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PatientError("no such file", file=str(path)) from None
    except (OSError, UnicodeDecodeError) as error:
        raise PatientError(f"cannot read: {error}", file=str(path)) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise PatientError(f"invalid JSON at line {error.lineno}, column {error.colno}: {error.msg}",
                           file=str(path)) from None
    return parse_patient(data, source=str(path))


def screen_patient(patient: Patient, rulesets: Iterable[RuleSet], as_of: Optional[date] = None) -> list[TrialResult]:
    facts = PatientFacts(patient)
    return [screen(ruleset, facts, as_of) for ruleset in rulesets]
