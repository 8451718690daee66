"""Server-rendered pages: the patient form, the results, the coordinator's rule review.

Every page that carries patient data is the answer to a POST; the patient travels back to the server in a
hidden field (to print, download, save or correct it), never in a URL and never through the disk.
"""

from __future__ import annotations

import json
import logging
from datetime import date
from typing import Annotated, Any, Optional
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException

from ..errors import MsmatchError
from ..models.patient import Patient
from ..models.rules import CompiledCriterion
from ..report import results_json
from ..report.audit import open_store, record_screenings
from ..report.insights import next_checks, time_to_eligibility
from .catalog import TrialCatalog
from .forms import FormResult, form_to_profile, profile_to_form
from .screening import fhir_warnings, patient_from_json, screen_ranked

router = APIRouter(include_in_schema=False)
log = logging.getLogger("matcher.web")

_MAX_FIELDS = 1500


def _catalog(request: Request) -> TrialCatalog:
    return request.app.state.catalog


def _render(request: Request, name: str, context: dict, status: int = 200):
    return request.app.state.templates.TemplateResponse(request, name, context, status_code=status)


def _today(request: Request) -> date:
    return request.app.state.today or date.today()


async def _form(request: Request) -> FormData:
    try:
        return await request.form(max_files=1, max_fields=_MAX_FIELDS, max_part_size=request.app.state.max_body_bytes)
    except HTTPException as error:
        if error.status_code == 413:
            raise
        raise HTTPException(400, f"The form could not be read: {error.detail}") from None


def _as_of(values: dict[str, str]) -> tuple[Optional[date], Optional[str]]:
    raw = (values.get("as_of") or "").strip()
    if not raw:
        return None, "give the reference date (the date the screening is for)"
    try:
        return date.fromisoformat(raw), None
    except ValueError:
        return None, f"not a date (YYYY-MM-DD): {raw[:40]!r}"


def _form_page(request: Request, form: FormResult, as_of: str, *, status: int = 200,
               upload_error: Optional[str] = None, upload_as_of: Optional[str] = None):
    return _render(request, "form.html", {
        "form": form, "as_of": as_of, "upload_error": upload_error, "upload_as_of": upload_as_of or as_of,
        "max_kb": request.app.state.max_body_bytes // 1024, "trial_count": len(_catalog(request).entries()),
        "problems": _catalog(request).problems}, status)


@router.get("/")
def form_page(request: Request):
    return _form_page(request, profile_to_form({}), _today(request).isoformat())


# POST handlers are plain functions (FastAPI runs them in its thread pool, so that screening does not block
# the event loop); the form itself is read by the async dependency below.
PostedForm = Annotated[FormData, Depends(_form)]


@router.post("/screen")
def screen_form(request: Request, form: PostedForm):
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    parsed = form_to_profile(values)
    as_of, as_of_error = _as_of(values)
    patient = Patient.model_validate(parsed.profile) if parsed.ok else None
    if as_of_error:
        parsed.errors["as_of"] = as_of_error
    elif patient is not None and patient.birth_date is not None and patient.birth_date > as_of:
        parsed.errors["birth_date"] = "after the reference date: check both dates"
    if not parsed.ok:
        return _form_page(request, parsed, values.get("as_of", ""), status=422)
    return _results_page(request, patient, as_of)


@router.post("/upload")
def upload(request: Request, form: PostedForm):
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    as_of, as_of_error = _as_of(values)
    file = form.get("profile")
    error = as_of_error
    patient = None
    if not isinstance(file, UploadFile) or not file.filename:
        error = "choose a patient profile JSON file to upload"
    elif not error:
        data = file.file.read(request.app.state.max_body_bytes + 1)  # in memory: see app.MAX_BODY_BYTES
        try:
            patient = patient_from_json(data, source=file.filename[:100])
        except MsmatchError as problem:
            error = str(problem)
    if error or patient is None:
        return _form_page(request, profile_to_form({}), _today(request).isoformat(), status=422,
                          upload_error=error, upload_as_of=values.get("as_of"))
    return _results_page(request, patient, as_of)


def _posted_patient(form: FormData) -> tuple[Patient, date]:
    """The patient and reference date a results page posts back (hidden fields)."""
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    as_of, as_of_error = _as_of(values)
    if as_of_error:
        raise HTTPException(400, f"The reference date is missing or wrong: {as_of_error}.")
    try:
        return patient_from_json(values.get("patient_json", "").encode("utf-8"), source="the results page"), as_of
    except MsmatchError as error:
        raise HTTPException(400, f"The patient data sent back by the page is not valid: {error}") from None


@router.post("/results/print")
def print_view(request: Request, form: PostedForm):
    patient, as_of = _posted_patient(form)
    return _results_page(request, patient, as_of, printable=True)


@router.post("/results/download")
def download(request: Request, form: PostedForm):
    patient, as_of = _posted_patient(form)
    results = screen_ranked(_catalog(request), patient, as_of)
    name = f"msmatch-{quote(patient.id, safe='')[:60]}-{as_of.isoformat()}.json"
    return PlainTextResponse(results_json(results) + "\n", media_type="application/json",
                             headers={"content-disposition": f'attachment; filename="{name}"'})


@router.post("/results/form")
def back_to_form(request: Request, form: PostedForm):
    patient, as_of = _posted_patient(form)
    return _form_page(request, profile_to_form(patient.model_dump(mode="json", exclude_none=True)), as_of.isoformat())


@router.post("/results/save")
def save(request: Request, form: PostedForm):
    store_path = request.app.state.store
    if store_path is None:
        raise HTTPException(404, "Saving is off: start the app with --store FILE to keep screenings.")
    patient, as_of = _posted_patient(form)
    catalog = _catalog(request)
    results = screen_ranked(catalog, patient, as_of)
    rulesets = [catalog.by_trial_id(r.trial_id).ruleset for r in results]
    try:
        with open_store(store_path, create=True) as store:
            run_id = record_screenings(store, patient, rulesets, results, command="msmatch serve: saved by the user")
    except MsmatchError as error:
        log.error("saving a screening failed: %s", type(error).__name__)
        raise HTTPException(500, "The screening could not be saved to the results store; nothing was saved.") from None
    return _results_page(request, patient, as_of,
                         saved=f"Saved as run {run_id} in the results store {store_path.name}.")


def _results_page(request: Request, patient: Patient, as_of: date, *, printable: bool = False,
                  saved: Optional[str] = None):
    catalog = _catalog(request)
    results = screen_ranked(catalog, patient, as_of)
    entries = {r.trial_id: catalog.by_trial_id(r.trial_id) for r in results}
    rulesets = {trial_id: entry.ruleset for trial_id, entry in entries.items()}
    waits = {r.trial_id: time_to_eligibility(r, rulesets[r.trial_id], patient) for r in results if r.eligible_from}
    counts = {v: sum(r.verdict == v for r in results) for v in ("eligible", "needs_review", "ineligible")}
    return _render(request, "results.html", {
        "patient": patient, "as_of": as_of, "results": results, "counts": counts, "printable": printable,
        "entries": entries, "waits": waits, "checks": next_checks(results, rulesets),
        "warnings": fhir_warnings(patient), "patient_json": patient.model_dump_json(exclude_none=True),
        "age": _age(patient, as_of), "store": request.app.state.store is not None, "saved": saved,
        "days": _days_between})


def _age(patient: Patient, as_of: date) -> Optional[int]:
    if patient.birth_date is None:
        return None
    born = patient.birth_date
    return as_of.year - born.year - ((as_of.month, as_of.day) < (born.month, born.day))


def _days_between(start: date, end: date) -> int:
    return (end - start).days


# -- coordinator view ---------------------------------------------------------------------------------------

_FILLED_BY_EDIT = ("criterion_id", "section", "text", "span")


def editable_rules(criterion: CompiledCriterion) -> str:
    """The criterion's rules as a reviewer edits them: the fields :func:`apply_edit` fills in are left out."""
    rules = []
    for n, rule in enumerate(criterion.rules):
        data = rule.model_dump(mode="json", exclude_none=True)
        own = {"criterion_id": criterion.id, "section": criterion.section, "text": criterion.text,
               "span": list(criterion.span)}
        for key in _FILLED_BY_EDIT:
            if key in data and data[key] == own[key]:
                del data[key]
        if data.get("id") == f"{criterion.id}.r{n + 1}":
            del data["id"]
        rules.append(data)
    # One rule per line: short enough to read beside the source text, and a diff shows which rule changed.
    lines = [json.dumps(rule, ensure_ascii=False) for rule in rules]
    return "[\n  " + ",\n  ".join(lines) + "\n]"


@router.get("/trials")
def trials_page(request: Request):
    catalog = _catalog(request)
    return _render(request, "trials.html", {"entries": catalog.entries(), "problems": catalog.problems,
                                            "editing": catalog.rules_dir is not None})


@router.get("/trials/{key}", name="trial_page")
def trial_page(key: str, request: Request, saved: Optional[str] = None):
    return _trial_page(request, key, saved=saved)


def _trial_page(request: Request, key: str, *, saved: Optional[str] = None, errors: Optional[dict] = None,
                submitted: Optional[dict] = None, status: int = 200):
    catalog = _catalog(request)
    entry = catalog.get(key)
    if entry is None:
        raise HTTPException(404, "No such trial. The list of trials is on the Trials page.")
    submitted = submitted or {}
    current = {c.id: editable_rules(c) for c in entry.ruleset.criteria}
    drafts = dict(current)
    if submitted.get("criterion_id") in drafts:
        drafts[submitted["criterion_id"]] = submitted.get("rules", "")
    return _render(request, "trial.html", {
        "entry": entry, "ruleset": entry.ruleset, "current": current, "drafts": drafts, "errors": errors or {},
        "submitted": submitted,
        "saved": saved if saved and any(v.file == saved for v in catalog.versions(key)) else None,
        "versions": list(reversed(catalog.versions(key))), "editing": catalog.rules_dir is not None,
        "edits": list(reversed(entry.ruleset.edits))}, status)


@router.post("/trials/{key}/edit")
def edit_rules(key: str, request: Request, form: PostedForm):
    catalog = _catalog(request)
    if catalog.get(key) is None:
        raise HTTPException(404, "No such trial. The list of trials is on the Trials page.")
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    criterion_id = values.get("criterion_id", "")
    coverage = values.get("coverage") or None
    error = None
    rules: Any = None
    try:
        rules = json.loads(values.get("rules", ""))
    except json.JSONDecodeError as problem:
        error = f"the rules are not valid JSON: line {problem.lineno}, column {problem.colno}: {problem.msg}"
    if isinstance(rules, dict):
        rules = [rules]
    if coverage not in (None, "full", "partial", "manual"):
        error = "coverage is full, partial or manual (or automatic)"
    if error is None:
        try:
            saved, _ = catalog.edit(key, criterion_id, rules, editor=values.get("editor", ""),
                                    reason=values.get("reason", ""), coverage=coverage)
        except MsmatchError as problem:
            error = str(problem)
        else:
            url = request.url_for("trial_page", key=key).include_query_params(saved=saved.file)
            return RedirectResponse(f"{url.path}?{url.query}#criterion-{quote(criterion_id)}", status_code=303)
    return _trial_page(request, key, errors={criterion_id: error}, submitted=values, status=422)


@router.get("/favicon.ico")
def favicon():
    return Response(status_code=204)


@router.get("/healthz")
def healthz(request: Request):
    return JSONResponse({"status": "ok", "trials": len(_catalog(request).entries())})
