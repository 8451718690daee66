"""The patient form: field layout, form data -> patient profile (with per-field errors), and back.

The layout is data (:data:`SCALARS`, :data:`FLAGS`, :data:`LISTS`) that both the parser and the template
read, so a field is declared once. Repeated sections are rows named ``<list>-<row>-<column>``
(``edss-0-score``); a row whose cells are all empty is ignored. A section with rows is the complete record
(the profile contract: a present list is complete); a section left empty is *unknown* unless its
"none on record" box (``<list>-none``) is ticked, which sends an empty list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional

from pydantic import ValidationError

from ..models.patient import Patient

__all__ = ["SCALARS", "FLAGS", "LISTS", "MAX_ROWS", "FormResult", "form_to_profile", "profile_to_form",
           "check_limits", "field_label"]

MAX_ROWS = 50  # per repeated section (EDSS scores, treatments, ...), for form, upload and API alike
BLANK_ROWS = 2  # empty rows offered after the filled ones when the page is served without JavaScript


@dataclass(frozen=True)
class Column:
    name: str
    label: str
    type: str = "text"  # text | date | number | yesno | select
    options: tuple[tuple[str, str], ...] = ()
    step: Optional[str] = None
    placeholder: str = ""


@dataclass(frozen=True)
class Section:
    name: str
    label: str
    columns: tuple[Column, ...]
    hint: str = ""


_SUBTYPES = (("", "unknown"), ("RRMS", "RRMS"), ("SPMS", "SPMS"), ("PPMS", "PPMS"), ("CIS", "CIS"), ("RIS", "RIS"))

SCALARS: tuple[Column, ...] = (
    Column("id", "Label", placeholder="a clinic number or initials; not stored"),
    Column("sex", "Sex", "select", (("", "unknown"), ("female", "female"), ("male", "male"))),
    Column("birth_date", "Birth date", "date"),
    Column("ms_subtype", "MS subtype", "select", _SUBTYPES),
    Column("diagnosis_date", "Diagnosis date", "date"),
    Column("symptom_onset_date", "First symptoms", "date"),
    Column("weight_kg", "Weight (kg)", "number", step="any"),
)

FLAGS: tuple[Column, ...] = (
    Column("pregnant", "Pregnant", "yesno"),
    Column("breastfeeding", "Breastfeeding", "yesno"),
    Column("childbearing_potential", "Childbearing potential", "yesno"),
    Column("contraception", "Uses effective contraception", "yesno"),
    Column("csf_oligoclonal_bands", "CSF oligoclonal bands ever positive", "yesno"),
)

LISTS: tuple[Section, ...] = (
    Section("edss", "EDSS assessments", (Column("date", "Date", "date"),
                                         Column("score", "Score", "number", step="0.5")),
            "0 or 1.0-10.0 in steps of 0.5; the latest is current"),
    Section("relapses", "Relapses", (Column("date", "Date", "date"),), "include the first (onset) attack"),
    Section("mri", "MRI scans", (Column("date", "Date", "date"),
                                 Column("gd_enhancing_lesions", "Gd+ lesions", "number", step="1"),
                                 Column("new_t2_lesions", "New/enlarging T2", "number", step="1")),
            "leave a count empty when it is unknown (no comparison scan)"),
    Section("treatments", "Treatments", (Column("drug", "Drug", placeholder="e.g. Gilenya, DMF, IFNB-1a"),
                                         Column("start", "Start", "date"),
                                         Column("end", "End / last dose", "date"),
                                         Column("investigational", "Investigational", "yesno")),
            "all DMTs, steroid pulses and relevant co-medication; no end = ongoing"),
    Section("conditions", "Conditions", (Column("name", "Condition", placeholder="as written in the chart"),
                                         Column("onset", "Onset", "date"),
                                         Column("resolved", "Resolved", "date")),
            "comorbidities and history; no resolved date = current"),
    Section("labs", "Labs", (Column("test", "Test", placeholder="e.g. eGFR, platelets"),
                             Column("value", "Value", "number", step="any"),
                             Column("unit", "Unit", placeholder="e.g. G/L"),
                             Column("lower_limit", "Lower limit of normal", "number", step="any",
                                    placeholder="the lab's LLN, same unit"),
                             Column("upper_limit", "Upper limit of normal", "number", step="any",
                                    placeholder="the lab's ULN, same unit"),
                             Column("date", "Date", "date")),
            "the limits of normal are needed for bounds such as 'ALT ≤ 2 x ULN' or 'lymphocytes < LLN'"),
    Section("vaccinations", "Vaccinations", (Column("vaccine", "Vaccine"), Column("live", "Live", "yesno"),
                                             Column("date", "Date", "date"))),
    Section("trial_participation", "Other interventional trials", (Column("trial", "Trial"),
                                                                   Column("start", "Start", "date"),
                                                                   Column("end", "End", "date"))),
)

_SECTIONS = {s.name: s for s in LISTS}
_ROW_FIELD = re.compile(r"^([a-z_]+)-(\d{1,6})-([a-z_0-9]+)$")
_YES_NO = {"yes": True, "no": False}


@dataclass
class FormResult:
    """The parsed form: the profile (None when invalid), the raw values to show again, errors by field name."""

    profile: Optional[dict]
    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)  # rows to render per section

    @property
    def ok(self) -> bool:
        return self.profile is not None and not self.errors


def form_to_profile(form: Mapping[str, Any]) -> FormResult:
    """Read the submitted form into a profile dict validated against :class:`Patient`."""
    values = {k: v.strip() for k, v in form.items() if isinstance(v, str)}
    errors: dict[str, str] = {}
    profile: dict[str, Any] = {"id": values.get("id") or "patient"}
    for column in SCALARS[1:]:
        if values.get(column.name):
            profile[column.name] = values[column.name]
    for column in FLAGS:
        _flag(values, column.name, profile, column.name, errors)

    rows: dict[str, dict[int, dict[str, str]]] = {s.name: {} for s in LISTS}
    for key, value in values.items():
        match = _ROW_FIELD.match(key)
        if not match or match[1] not in _SECTIONS:
            continue
        name, row, column = match[1], int(match[2]), match[3]
        if column not in {c.name for c in _SECTIONS[name].columns}:
            continue
        if row >= MAX_ROWS:
            errors.setdefault(f"{name}-none", f"at most {MAX_ROWS} rows per section")
            continue
        if value:
            rows[name].setdefault(row, {})[column] = value

    row_of: dict[tuple[str, int], int] = {}  # (section, list index) -> form row, to place errors
    for section in LISTS:
        filled = rows[section.name]
        none_ticked = values.get(f"{section.name}-none") in ("on", "yes", "true", "1")
        if filled and none_ticked:
            errors[f"{section.name}-none"] = "rows are filled in: untick 'none on record' or clear the rows"
        if filled:
            items = []
            for index, row in enumerate(sorted(filled)):
                row_of[(section.name, index)] = row
                item: dict[str, Any] = {}
                for column in section.columns:
                    raw = filled[row].get(column.name)
                    if raw is None:
                        continue
                    if column.type == "yesno":
                        _flag(filled[row], column.name, item, f"{section.name}-{row}-{column.name}", errors)
                    else:
                        item[column.name] = raw
                items.append(item)
            profile[section.name] = items
        elif none_ticked:
            profile[section.name] = []

    result_rows = {s.name: (max(rows[s.name]) + 1 if rows[s.name] else 0) + BLANK_ROWS for s in LISTS}
    try:  # validated even when some fields failed above, so that every error is shown at once
        Patient.model_validate(profile)
    except ValidationError as error:
        for item in error.errors():
            errors.setdefault(_field_name(item["loc"], row_of), _message(item))
    if errors:
        return FormResult(None, values, errors, result_rows)
    return FormResult(profile, values, {}, result_rows)


def _flag(source: Mapping[str, str], key: str, target: dict, field_name: str, errors: dict) -> None:
    raw = source.get(key, "")
    if not raw:
        return
    if raw not in _YES_NO:
        errors[field_name] = "choose yes, no or unknown"
        return
    target[key] = _YES_NO[raw]


def _field_name(loc: tuple, row_of: dict[tuple[str, int], int]) -> str:
    if len(loc) >= 2 and loc[0] in _SECTIONS and isinstance(loc[1], int):
        row = row_of.get((loc[0], loc[1]), loc[1])
        return f"{loc[0]}-{row}-{loc[2]}" if len(loc) >= 3 else f"{loc[0]}-none"
    return str(loc[0]) if loc else "form"


def _message(item: dict) -> str:
    message = item["msg"]
    for prefix in ("Value error, ", "Assertion failed, "):
        message = message.removeprefix(prefix)
    if item["type"] == "missing":
        return "this row needs this value"
    return message[:200]


def profile_to_form(profile: Mapping[str, Any]) -> FormResult:
    """The form values that show ``profile`` (to correct an uploaded or screened patient in the form)."""
    values: dict[str, str] = {}
    for column in SCALARS:
        if profile.get(column.name) is not None:
            values[column.name] = str(profile[column.name])
    for column in FLAGS:
        if isinstance(profile.get(column.name), bool):
            values[column.name] = "yes" if profile[column.name] else "no"
    rows: dict[str, int] = {}
    for section in LISTS:
        items = profile.get(section.name)
        if items == []:
            values[f"{section.name}-none"] = "on"
        for row, item in enumerate(items or []):
            for column in section.columns:
                value = item.get(column.name) if isinstance(item, Mapping) else None
                if value is None:
                    continue
                if isinstance(value, bool):
                    value = "yes" if value else "no"
                elif isinstance(value, float) and value.is_integer():
                    value = int(value)
                values[f"{section.name}-{row}-{column.name}"] = str(value)
        rows[section.name] = len(items or []) + BLANK_ROWS
    return FormResult(dict(profile), values, {}, rows)


def field_label(name: str) -> str:
    """A form field's name as a person reads it: ``edss-0-score`` -> "EDSS assessments, row 1: Score"."""
    match = _ROW_FIELD.match(name)
    if match and match[1] in _SECTIONS:
        section = _SECTIONS[match[1]]
        column = next((c.label for c in section.columns if c.name == match[3]), match[3])
        return f"{section.label}, row {int(match[2]) + 1}: {column}"
    if name.endswith("-none") and name[:-5] in _SECTIONS:
        return _SECTIONS[name[:-5]].label
    if name == "as_of":
        return "Reference date"
    return next((c.label for c in (*SCALARS, *FLAGS) if c.name == name), name)


def check_limits(profile: Mapping[str, Any]) -> Optional[tuple[str, str]]:
    """``(field, message)`` for the first list longer than :data:`MAX_ROWS`, else None."""
    for name, value in profile.items():
        if isinstance(value, list) and len(value) > MAX_ROWS:
            return name, f"{len(value)} entries; at most {MAX_ROWS} are accepted per list"
    return None
