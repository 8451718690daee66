"""The JSON API behind the pages (schema at ``/api/openapi.json``)."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal, Optional

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from ..errors import MsmatchError
from ..models.patient import Patient
from ..models.results import TrialResult
from ..models.rules import RuleEdit, RuleSet
from ..report.insights import next_checks, time_to_eligibility
from .catalog import SavedVersion, TrialCatalog
from .forms import MAX_ROWS
from .screening import fhir_warnings, patient_from_data, screen_ranked

router = APIRouter(prefix="/api", tags=["api"])


class Problem(BaseModel):
    error: str
    file: Optional[str] = None
    record: Optional[str] = None
    field: Optional[str] = None
    hint: Optional[str] = None


class TrialSummary(BaseModel):
    trial_id: str
    key: str = Field(description="the trial's name in URLs and in the rules folder")
    title: Optional[str]
    source: str
    criteria: int
    ruleset_sha256: str
    edited: bool = Field(description="the rules in force include coordinator edits")
    version_file: Optional[str]
    warnings: list[str]


class ScreenRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    as_of: date = Field(description="the reference date: windows and ages are evaluated at it")
    patient: Optional[Patient] = Field(default=None, description="a patient profile (patient_profiles/README.md)")
    fhir_bundle: Optional[dict[str, Any]] = Field(default=None, description="a FHIR R4 Bundle instead of a profile")
    trials: Optional[list[str]] = Field(default=None, max_length=500, description="trial ids (default: all)")


class ScreenResponse(BaseModel):
    as_of: date
    patient_id: str
    results: list[TrialResult] = Field(description="ranked: eligible, needs review, ineligible")
    time_to_eligibility: dict[str, dict[str, Any]] = Field(
        description="per trial failing only on time windows: when they pass, and whether it is eligible then")
    next_checks: list[dict[str, Any]] = Field(
        description="open questions of the needs-review trials, most decisive first")
    warnings: list[str] = Field(description="what a FHIR bundle held that could not be read (counted as unknown)")


class EditRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    criterion_id: str
    rules: list[dict[str, Any]] = Field(min_length=1, max_length=MAX_ROWS,
                                        description="the criterion's new rules (see the RuleSet schema)")
    editor: str = Field(min_length=1, max_length=200)
    reason: str = Field(default="", max_length=2000)
    coverage: Optional[Literal["full", "partial", "manual"]] = None


class EditResponse(BaseModel):
    trial_id: str
    version_file: str
    ruleset_sha256: str
    edit: RuleEdit


def _catalog(request: Request) -> TrialCatalog:
    return request.app.state.catalog


def _problem(error: MsmatchError, status: int = 422) -> JSONResponse:
    return JSONResponse(Problem(**error.as_dict()).model_dump(), status_code=status)


@router.get("/trials", response_model=list[TrialSummary], summary="The trials loaded, with their rule-set version")
def list_trials(request: Request):
    return [TrialSummary(trial_id=e.ruleset.trial_id, key=e.key, title=e.ruleset.title, source=e.source_file,
                         criteria=len(e.ruleset.criteria), ruleset_sha256=e.ruleset.content_sha256(),
                         edited=e.edited, version_file=e.version_file, warnings=e.warnings)
            for e in _catalog(request).entries()]


@router.get("/trials/{key}", response_model=RuleSet, response_model_exclude_none=True,
            summary="A trial's rule set in force", responses={404: {"model": Problem}})
def get_trial(key: str, request: Request):
    entry = _catalog(request).get(key)
    if entry is None:
        raise HTTPException(404, f"no trial {key!r}")
    return entry.ruleset


@router.post("/screen", response_model=ScreenResponse, summary="Screen one patient against the trials",
             responses={422: {"model": Problem}})
def screen(body: ScreenRequest, request: Request):
    if (body.patient is None) == (body.fhir_bundle is None):
        return _problem(MsmatchError("give either 'patient' or 'fhir_bundle'", field="patient"))
    data = body.fhir_bundle if body.fhir_bundle is not None else body.patient.model_dump(mode="json", exclude_none=True)
    try:
        patient = patient_from_data(data, source="request")
    except MsmatchError as error:
        return _problem(error)
    catalog = _catalog(request)
    results = screen_ranked(catalog, patient, body.as_of, body.trials)
    rulesets = {r.trial_id: catalog.by_trial_id(r.trial_id).ruleset for r in results}
    waits = {r.trial_id: time_to_eligibility(r, rulesets[r.trial_id], patient).as_dict()
             for r in results if r.eligible_from}
    return ScreenResponse(as_of=body.as_of, patient_id=patient.id, results=results, time_to_eligibility=waits,
                          next_checks=[c.as_dict() for c in next_checks(results, rulesets)],
                          warnings=fhir_warnings(patient))


@router.post("/trials/{key}/edits", response_model=EditResponse, status_code=201,
             summary="Correct one criterion's rules; saved as a new rule-set version",
             responses={404: {"model": Problem}, 422: {"model": Problem}})
def edit_rules(key: str, body: EditRequest, request: Request):
    catalog = _catalog(request)
    if catalog.get(key) is None:
        raise HTTPException(404, f"no trial {key!r}")
    try:
        saved, ruleset = catalog.edit(key, body.criterion_id, body.rules, editor=body.editor, reason=body.reason,
                                      coverage=body.coverage)
    except MsmatchError as error:
        return _problem(error)
    return EditResponse(trial_id=ruleset.trial_id, version_file=saved.file, ruleset_sha256=saved.ruleset_sha256,
                        edit=ruleset.edits[-1])


@router.get("/trials/{key}/versions", response_model=list[SavedVersion],
            summary="Saved versions of a trial's rule set, oldest first", responses={404: {"model": Problem}})
def versions(key: str, request: Request):
    catalog = _catalog(request)
    if catalog.get(key) is None:
        raise HTTPException(404, f"no trial {key!r}")
    return catalog.versions(key)
