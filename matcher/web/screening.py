"""What the pages and the JSON API share: reading an uploaded patient, screening, ranking the results."""

from __future__ import annotations

import json
from datetime import date
from typing import Any, Optional

from ..api import parse_patient, screen_patient
from ..errors import PatientError
from ..ingest.fhir import is_bundle, patient_from_bundle
from ..models.patient import Patient
from ..models.results import TrialResult
from ..report.insights import rank
from .catalog import TrialCatalog
from .forms import check_limits

__all__ = ["patient_from_json", "patient_from_data", "screen_ranked", "fhir_warnings"]

_MAX_BUNDLE_ENTRIES = 2000


def patient_from_json(data: bytes, *, source: str) -> Patient:
    """An uploaded profile JSON or FHIR R4 Bundle -> Patient; :class:`PatientError` says what is wrong."""
    try:
        parsed = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise PatientError("not UTF-8 text", file=source, hint="upload a JSON file") from None
    except json.JSONDecodeError as error:
        raise PatientError(f"invalid JSON at line {error.lineno}, column {error.colno}: {error.msg}",
                           file=source) from None
    return patient_from_data(parsed, source=source)


def patient_from_data(data: Any, *, source: str) -> Patient:
    """A profile dict or a FHIR R4 Bundle dict -> Patient, with the list-length limits applied."""
    if is_bundle(data):
        entries = data.get("entry")
        if isinstance(entries, list) and len(entries) > _MAX_BUNDLE_ENTRIES:
            raise PatientError(f"{len(entries)} entries; at most {_MAX_BUNDLE_ENTRIES} are accepted", file=source,
                               field="entry", hint="send a Bundle with this patient's relevant resources only")
        data = patient_from_bundle(data, source).model_dump(mode="json", exclude_none=True)
    if isinstance(data, dict):
        too_long = check_limits(data)
        if too_long:
            raise PatientError(too_long[1], file=source, field=too_long[0], hint="send the most recent entries")
    return parse_patient(data, source=source)



def fhir_warnings(patient: Patient) -> list[str]:
    """What the FHIR reader could not map (kept on the patient as the extra field ``fhir_warnings``)."""
    warnings = getattr(patient, "fhir_warnings", None)
    return [str(w) for w in warnings] if isinstance(warnings, list) else []


def screen_ranked(catalog: TrialCatalog, patient: Patient, as_of: date,
                  trial_ids: Optional[list[str]] = None) -> list[TrialResult]:
    rulesets = catalog.rulesets()
    if trial_ids is not None:
        wanted = set(trial_ids)
        rulesets = [r for r in rulesets if r.trial_id in wanted]
    return rank(screen_patient(patient, rulesets, as_of))
