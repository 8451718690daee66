"""Read a patient from a FHIR R4 Bundle (one patient per Bundle).

The Bundle and every resource in it are parsed with ``fhir.resources`` (its ``R4B`` models: R4B is
R4 plus a few new resources, and the library keeps no separate R4 package since 7.0). Codes are data,
in ``rules/lexicons/fhir_codes.jsonl``; the mapping is described in ``patient_profiles/README.md``.

* Patient: ``id``, ``gender`` (female / male), ``birthDate``.
* Condition: an MS diagnosis (SNOMED CT or ICD-10 G35, or text the subtype lexicon knows) gives
  ``ms_subtype``, ``diagnosis_date`` (assertedDate extension, else recordedDate) and
  ``symptom_onset_date`` (onset); a relapse phrase gives a relapse dated by its onset; any other
  Condition is a comorbidity (``conditions``).
* Observation: EDSS, MRI lesion counts (standalone or as components, grouped by date), labs (LOINC,
  else the lab lexicon on the text), pregnancy / breastfeeding status and pregnancy tests, CSF
  oligoclonal bands, body weight.
* MedicationStatement / MedicationRequest: ``treatments``; Immunization: ``vaccinations``;
  ResearchSubject: ``trial_participation``.
* List with ``emptyReason`` nilknown and a section code: "none on record" for that list.

A list field is present (the complete record) when the Bundle holds at least one resource for it or a
List saying it is empty; otherwise it stays unknown.  An item the patient model cannot hold (a relapse
without a full date, a stopped drug without an end date, a resolved condition without an abatement
date) makes its list unknown rather than incomplete.  Whatever is not mapped is listed in
``FhirReading.warnings``; a malformed Bundle raises :class:`PatientError` naming the entry and field.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any, Optional

from pydantic import ValidationError

from ..errors import PatientError
from ..evaluate.facts import MS_SUBTYPES, PatientFacts
from ..lexicon import get_lexicon, normalise
from ..models.patient import Patient

__all__ = ["FhirReading", "is_bundle", "read_bundle", "patient_from_bundle"]

_ICD10_SYSTEMS = ("http://hl7.org/fhir/sid/icd-10", "http://hl7.org/fhir/sid/icd-10-cm")
_ASSERTED_DATE = "http://hl7.org/fhir/StructureDefinition/condition-assertedDate"
_LIST_FIELDS = ("edss", "relapses", "mri", "treatments", "conditions", "labs", "vaccinations", "trial_participation")
# Statuses that mean "this did not happen" or "recorded by mistake": the resource is skipped (with a warning).
_VOID_STATUS = {
    "Condition": {"refuted", "entered-in-error"},  # verificationStatus
    "Observation": {"cancelled", "entered-in-error"},
    "MedicationStatement": {"entered-in-error", "not-taken", "intended"},
    "MedicationRequest": {"entered-in-error", "cancelled", "draft"},
    "Immunization": {"not-done", "entered-in-error"},
    "ResearchSubject": {"candidate", "not-registered", "ineligible", "withdrawn", "pending-on-study"},
}
_ENDED = {"completed", "stopped"}
# Coded yes/no observations -> the patient field they state.
_STATUS_FIELDS = {"pregnancy_status": "pregnant", "pregnancy_test": "pregnant", "breastfeeding_status": "breastfeeding",
                  "csf_oligoclonal_bands": "csf_oligoclonal_bands"}
_CLOSED_CONDITION = {"inactive", "resolved"}


def is_bundle(data: object) -> bool:
    return isinstance(data, dict) and data.get("resourceType") == "Bundle"


@dataclass
class FhirReading:
    patient: Patient
    warnings: list[str] = field(default_factory=list)  # what was not mapped, skipped or left unknown, and why


def patient_from_bundle(bundle: dict, source: str = "<bundle>") -> Patient:
    """The patient in a Bundle; the warnings travel with it as the extra field ``fhir_warnings``."""
    reading = read_bundle(bundle, source)
    return reading.patient.model_copy(update={"fhir_warnings": reading.warnings})


def read_bundle(bundle: dict, source: str = "<bundle>") -> FhirReading:
    return _Reader(_parse(bundle, source), source).read()


# --- codes ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Codes:
    by_code: dict[tuple[str, str, str], str]  # (maps_to, system, code) -> id
    by_text: dict[tuple[str, str], str]  # (maps_to, normalised text) -> id
    units: dict[str, dict[str, float]]

    def find(self, maps_to: str, concept) -> Optional[str]:
        """The id a CodeableConcept maps to: its codings first, then its text and displays."""
        if concept is None:
            return None
        for coding in concept.coding or ():
            code = coding.code or ""
            if coding.system in _ICD10_SYSTEMS:
                code = code.split(".")[0]  # G35.x is MS too
            found = self.by_code.get((maps_to, coding.system or "", code))
            if found:
                return found
        for text in _texts(concept):
            found = self.by_text.get((maps_to, normalise(text)))
            if found:
                return found
        return None


@lru_cache(maxsize=1)
def _codes() -> _Codes:
    by_code, by_text, units = {}, {}, {}
    path = resources.files("matcher.rules") / "lexicons" / "fhir_codes.jsonl"
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        entry = json.loads(line)
        kind, ident = entry["maps_to"], entry["id"]
        for coding in entry["codes"]:
            by_code[(kind, coding["system"], coding["code"])] = ident
        for text in entry["texts"]:
            by_text[(kind, normalise(text))] = ident
        if "units" in entry:
            units[ident] = entry["units"]
    return _Codes(by_code, by_text, units)


def _texts(concept) -> list[str]:
    if concept is None:
        return []
    texts = [concept.text] if concept.text else []
    return texts + [c.display for c in concept.coding or () if c.display]


def _label(concept) -> Optional[str]:
    texts = _texts(concept)
    if texts:
        return texts[0]
    codes = [f"{c.system or '?'}|{c.code}" for c in (concept.coding or ()) if c.code] if concept else []
    return codes[0] if codes else None


# --- parsing with fhir.resources -------------------------------------------------------------

@dataclass
class _Entry:
    index: int
    full_url: Optional[str]
    resource: Any  # a fhir.resources R4B model, or None when its type is not an R4B resource
    rtype: str
    rid: Optional[str]

    @property
    def ref(self) -> str:
        return f"entry[{self.index}] ({self.rtype}/{self.rid or '?'})"


def _parse(bundle: object, source: str) -> list[_Entry]:
    from fhir.resources.R4B import get_fhir_model_class  # imported here: only Bundle readers pay for it

    if not is_bundle(bundle):
        raise PatientError("not a FHIR Bundle (resourceType must be 'Bundle')", file=source, field="resourceType")
    raw_entries = bundle.get("entry") or []
    if not isinstance(raw_entries, list) or not all(isinstance(e, dict) for e in raw_entries):
        raise PatientError("'entry' must be a list of objects", file=source, field="entry")
    resources_ = [e.get("resource") for e in raw_entries]
    # The patient id names the record in errors, before anything is validated.
    record = next((str(r["id"]) for r in resources_ if isinstance(r, dict) and r.get("resourceType") == "Patient"
                   and r.get("id")), None)
    shell = {**bundle, "entry": [{k: v for k, v in e.items() if k != "resource"} for e in raw_entries]}
    try:
        get_fhir_model_class("Bundle").model_validate(shell)
    except ValidationError as error:
        raise _validation_error(error, source, record, where=None) from None
    entries = []
    for index, (raw, resource) in enumerate(zip(raw_entries, resources_)):
        if not isinstance(resource, dict) or not isinstance(resource.get("resourceType"), str):
            raise PatientError("entry has no resource with a resourceType", file=source, record=record,
                               field=f"entry[{index}].resource")
        entry = _Entry(index, raw.get("fullUrl"), None, resource["resourceType"], resource.get("id"))
        try:
            model = get_fhir_model_class(entry.rtype)
        except (KeyError, ValueError):
            entries.append(entry)  # not an R4B resource type: reported as unmapped
            continue
        try:
            entry.resource = model.model_validate(resource)
        except ValidationError as error:
            raise _validation_error(error, source, record, where=entry.ref) from None
        entries.append(entry)
    return entries


def _validation_error(error: ValidationError, source: str, record: Optional[str], where: Optional[str]) -> PatientError:
    first = error.errors()[0]
    path = ".".join(str(part) for part in first["loc"])
    return PatientError(f"{first['msg']} (got {first.get('input')!r})"[:300], file=source, record=record,
                        field=f"{where} {path}" if where else path, hint="the Bundle must be valid FHIR R4")


# --- dates --------------------------------------------------------------------------------

def _day(value) -> Optional[dt.date]:
    """A full date from a FHIR date/dateTime (partial dates such as '2017-09' are strings: None)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return None


# --- the reader ---------------------------------------------------------------------------

class _Reader:
    def __init__(self, entries: list[_Entry], source: str):
        self.entries = entries
        self.source = source
        self.codes = _codes()
        self.lexicon = get_lexicon()
        self.warnings: list[str] = []
        self.data: dict[str, Any] = {}
        self.lists: dict[str, list[dict]] = defaultdict(list)
        self.origins: dict[str, list[str]] = defaultdict(list)  # field -> entry ref of each item
        self.declared_empty: set[str] = set()
        self.unknown: dict[str, str] = {}  # list field -> why it cannot be stated completely
        self.ms: list[tuple[_Entry, Optional[str]]] = []  # MS Conditions and their subtype
        self.observed: dict[str, list[tuple[Optional[dt.date], Any]]] = defaultdict(list)  # field -> (date, value)
        self.mri: dict[dt.date, dict[str, int]] = defaultdict(dict)
        self.patient_entry: Optional[_Entry] = None

    def warn(self, entry: _Entry, message: str) -> None:
        self.warnings.append(f"{entry.ref}: {message}")

    def add(self, name: str, entry: _Entry, item: dict) -> None:
        self.lists[name].append({**item, "fhir": f"{entry.rtype}/{entry.rid or entry.index}"})
        self.origins[name].append(entry.ref)

    def make_unknown(self, name: str, entry: _Entry, why: str) -> None:
        self.unknown.setdefault(name, f"{entry.ref}: {why}")

    def read(self) -> FhirReading:
        handlers = {"Patient": self.patient, "Condition": self.condition, "Observation": self.observation,
                    "MedicationStatement": self.medication_statement, "MedicationRequest": self.medication_request,
                    "Immunization": self.immunization, "ResearchSubject": self.research_subject, "List": self.list_}
        patients = [e for e in self.entries if e.rtype == "Patient"]
        if len(patients) != 1:
            raise PatientError(f"a Bundle must hold exactly one Patient resource (found {len(patients)})",
                               file=self.source, field="entry", hint="split the export into one Bundle per patient")
        self.patient(patients[0])
        for entry in self.entries:
            if entry.rtype == "Patient" or entry.rtype == "Medication":
                continue  # Medication resources are read through the references to them
            handler = handlers.get(entry.rtype)
            if entry.resource is None or handler is None:
                self.warn(entry, f"{entry.rtype} resources are not mapped")
                continue
            if not self.about_patient(entry):
                continue
            handler(entry)
        self.finish_ms()
        self.finish_observations()
        return FhirReading(self.build(), self.warnings)

    def about_patient(self, entry: _Entry) -> bool:
        subject = getattr(entry.resource, "subject", None) or getattr(entry.resource, "patient", None) \
            or getattr(entry.resource, "individual", None)
        reference = getattr(subject, "reference", None)
        me = self.patient_entry
        if reference is None or reference in (f"Patient/{me.rid}", me.full_url) or reference.endswith(f"/Patient/{me.rid}"):
            return True
        self.warn(entry, f"about {reference}, not this Bundle's patient: skipped")
        return False

    # --- resources ---

    def patient(self, entry: _Entry) -> None:
        self.patient_entry = entry
        resource = entry.resource
        self.data["id"] = resource.id or next((i.value for i in resource.identifier or () if i.value), None)
        if not self.data["id"]:
            raise PatientError("the Patient has neither an id nor an identifier", file=self.source,
                               field=f"{entry.ref} id")
        if resource.gender in ("female", "male"):
            self.data["sex"] = resource.gender
        elif resource.gender:
            self.warn(entry, f"gender {resource.gender!r} is not mapped (sex left unknown)")
        if resource.birthDate is not None:
            self.data["birth_date"] = self.full_date(entry, resource.birthDate, "birthDate")

    def condition(self, entry: _Entry) -> None:
        resource = entry.resource
        if self.void(entry, _code(resource.verificationStatus)):
            return
        onset = self.full_date(entry, resource.onsetDateTime or (resource.onsetPeriod and resource.onsetPeriod.start),
                               "onset")
        if self.codes.find("relapse", resource.code):
            if onset is None:
                self.make_unknown("relapses", entry, "relapse without a full onset date")
            else:
                self.add("relapses", entry, {"date": onset})
            return
        subtype = self.ms_subtype(resource.code)
        if subtype is not None:
            self.ms.append((entry, None if subtype == "MS" else subtype))
            return
        name = _label(resource.code)
        if name is None:
            self.warn(entry, "Condition without code text, display or code: skipped")
            return
        abatement = resource.abatementDateTime or (resource.abatementPeriod and
                                                   (resource.abatementPeriod.end or resource.abatementPeriod.start))
        resolved = self.full_date(entry, abatement, "abatement") if abatement else None
        if resolved is None and _code(resource.clinicalStatus) in _CLOSED_CONDITION | {"remission"}:
            self.make_unknown("conditions", entry, f"{name!r} is {_code(resource.clinicalStatus)} but has no "
                                                   "abatementDateTime (add it)")
            return
        self.add("conditions", entry, {"name": name, "onset": onset, "resolved": resolved})

    def ms_subtype(self, concept) -> Optional[str]:
        """'RRMS', 'SPMS', ... for an MS diagnosis, 'MS' when the subtype is not said, None otherwise."""
        coded = self.codes.find("ms_diagnosis", concept)
        if coded and coded != "MS":
            return coded
        for text in _texts(concept):  # the text may name the subtype that G35 or 24700007 does not
            match = self.lexicon.lookup("ms_subtypes", text)
            phenotype = self.lexicon.phenotype(match.entry.id) if match else None
            if phenotype in MS_SUBTYPES:  # "progressive-relapsing MS" is PPMS
                return phenotype
        if coded:
            return coded
        for text in _texts(concept):
            match = self.lexicon.lookup("conditions", text)
            if match and match.entry.id == "multiple_sclerosis":
                return "MS"
        return None

    def observation(self, entry: _Entry) -> None:
        resource = entry.resource
        if self.void(entry, resource.status):
            return
        when = resource.effectiveDateTime or (resource.effectivePeriod and resource.effectivePeriod.start) \
            or resource.effectiveInstant or resource.issued
        day = self.full_date(entry, when, "effective") if when else None
        kind = self.codes.find("observation", resource.code)
        if kind is None and self.codes.find("relapse", resource.code):
            if day is None:
                self.make_unknown("relapses", entry, "relapse without a full effective date")
            else:
                self.add("relapses", entry, {"date": day})
            return
        if kind == "edss":
            score = _number(resource)
            if score is None:
                self.warn(entry, "EDSS without a numeric value: skipped")
            else:
                self.add("edss", entry, {"date": day, "score": score})
        elif kind in ("mri_gd_enhancing_lesions", "mri_new_t2_lesions") or resource.component:
            self.mri_counts(entry, day)
        elif kind in _STATUS_FIELDS:
            answer = self.answer(resource)
            if answer is None:
                self.warn(entry, f"{_label(resource.code)}: value not recognised as positive/negative: skipped")
            else:
                self.observed[_STATUS_FIELDS[kind]].append((day, answer))
        elif kind == "weight_kg":
            self.weight(entry, resource)
        else:
            self.lab(entry, resource, day)

    def mri_counts(self, entry: _Entry, day: Optional[dt.date]) -> None:
        resource = entry.resource
        parts = [(self.codes.find("observation", resource.code), resource)] + \
                [(self.codes.find("observation", c.code), c) for c in resource.component or ()]
        counts = {kind.removeprefix("mri_"): _number(part) for kind, part in parts
                  if kind in ("mri_gd_enhancing_lesions", "mri_new_t2_lesions")}
        if not counts:
            self.lab(entry, resource, day)
            return
        if day is None:
            self.make_unknown("mri", entry, "MRI lesion count without a full date")
            return
        for name, value in counts.items():
            if value is None:
                self.warn(entry, f"{name} without a numeric value: skipped")
                continue
            if value < 0 or value != int(value):
                raise PatientError(f"a lesion count must be a whole number (got {value!r})", file=self.source,
                                   record=self.data["id"], field=f"{entry.ref} value")
            self.mri[day][name] = int(value)

    def lab(self, entry: _Entry, resource, day: Optional[dt.date]) -> None:
        lab_id = self.codes.find("lab", resource.code)
        if lab_id is None:
            for text in _texts(resource.code):
                match = self.lexicon.lookup("labs", text)
                if match:
                    lab_id = match.entry.id
                    break
        label = _label(resource.code)
        if lab_id is None:
            self.warn(entry, f"Observation {label!r} is not mapped (not a lab the lexicon knows)")
            return
        quantity = resource.valueQuantity
        value = _number(resource)
        if value is None:
            self.warn(entry, f"{label}: only numeric results can be stated (qualitative value): skipped")
            return
        unit = self.lab_unit(lab_id, quantity)
        if unit is None and quantity is not None and (quantity.unit or quantity.code):
            unit = quantity.unit or quantity.code
            self.warn(entry, f"{label}: unit {unit!r} cannot be converted for {lab_id}")
        record = {"test": self.lexicon.get("labs", lab_id).name, "value": value, "unit": unit, "date": day}
        for field, bound in (("upper_limit", "high"), ("lower_limit", "low")):
            limit = _reference_limit(resource, quantity, bound)
            if limit is not None:
                record[field] = limit
        self.add("labs", entry, record)

    def lab_unit(self, lab_id: str, quantity) -> Optional[str]:
        """The first of the quantity's unit and UCUM code that the lab lexicon can convert."""
        if quantity is None:
            return None
        for candidate in (quantity.unit, _ucum_as_text(quantity.code)):
            if candidate and _unit_converter().unit_factor(lab_id, candidate) is not None:
                return candidate
        return None

    def weight(self, entry: _Entry, resource) -> None:
        quantity = resource.valueQuantity
        factors = self.codes.units["weight_kg"]
        factor = factors.get(quantity.code or "") or factors.get(quantity.unit or "") if quantity else None
        if quantity is None or quantity.value is None or factor is None:
            self.warn(entry, "body weight without a value in kg, g or lb: skipped")
            return
        self.observed["weight_kg"].append((_day(resource.effectiveDateTime), float(quantity.value) * factor))

    def answer(self, resource) -> Optional[bool]:
        if resource.valueBoolean is not None:
            return resource.valueBoolean
        concept = resource.valueCodeableConcept
        if concept is None and resource.valueString:
            return {"positive": True, "negative": False}.get(
                self.codes.by_text.get(("answer", normalise(resource.valueString))))
        return {"positive": True, "negative": False}.get(self.codes.find("answer", concept))

    def medication_statement(self, entry: _Entry) -> None:
        resource = entry.resource
        if self.void(entry, resource.status):
            return
        ended = resource.status in _ENDED
        period = resource.effectivePeriod
        if period is not None:
            start, end = period.start, period.end
        else:  # a single dateTime: one administration when ended, the start of an ongoing one otherwise
            start = resource.effectiveDateTime
            end = start if ended else None
        if ended and end is None:
            end = resource.dateAsserted  # the latest the drug can have been taken
        self.treatment(entry, resource, start, end, ended=ended)

    def medication_request(self, entry: _Entry) -> None:
        resource = entry.resource
        if self.void(entry, resource.status):
            return
        bounds = next((d.timing.repeat.boundsPeriod for d in resource.dosageInstruction or ()
                       if d.timing and d.timing.repeat and d.timing.repeat.boundsPeriod), None)
        start = (bounds and bounds.start) or resource.authoredOn
        self.treatment(entry, resource, start, bounds and bounds.end, ended=resource.status in _ENDED)

    def treatment(self, entry: _Entry, resource, start, end, *, ended: bool) -> None:
        drug = self.medication_name(entry, resource)
        if drug is None:
            self.warn(entry, "medication without a name or code: skipped")
            return
        end_day = self.full_date(entry, end, "end") if end else None
        if ended and end_day is None:
            self.make_unknown("treatments", entry, f"{drug!r} was {resource.status} but has no full end date (add "
                                                   "effectivePeriod.end or a dosage boundsPeriod.end)")
            return
        self.add("treatments", entry, {"drug": drug, "start": self.full_date(entry, start, "start") if start else None,
                                       "end": end_day})

    def medication_name(self, entry: _Entry, resource) -> Optional[str]:
        if resource.medicationCodeableConcept is not None:
            return _label(resource.medicationCodeableConcept)
        reference = resource.medicationReference and resource.medicationReference.reference
        if reference and reference.startswith("#"):
            found = [c for c in resource.contained or () if getattr(c, "id", None) == reference[1:]]
        else:
            found = [e.resource for e in self.entries if e.rtype == "Medication" and e.resource is not None
                     and reference in (f"Medication/{e.rid}", e.full_url)]
        if found:
            return _label(found[0].code)
        return resource.medicationReference.display if resource.medicationReference else None

    def immunization(self, entry: _Entry) -> None:
        resource = entry.resource
        if self.void(entry, resource.status):
            return
        name = _label(resource.vaccineCode)
        if name is None:
            self.warn(entry, "Immunization without a vaccine name or code: skipped")
            return
        day = self.full_date(entry, resource.occurrenceDateTime, "occurrence") if resource.occurrenceDateTime else None
        self.add("vaccinations", entry, {"vaccine": name, "date": day})

    def research_subject(self, entry: _Entry) -> None:
        resource = entry.resource
        if self.void(entry, resource.status):
            return
        study = resource.study
        trial = study.display or (study.identifier and study.identifier.value) or study.reference
        period = resource.period
        self.add("trial_participation", entry, {
            "trial": trial, "start": self.full_date(entry, period.start, "period.start") if period and period.start else None,
            "end": self.full_date(entry, period.end, "period.end") if period and period.end else None})

    def list_(self, entry: _Entry) -> None:
        resource = entry.resource
        section = self.codes.find("section", resource.code)
        if section is None:
            self.warn(entry, f"List {_label(resource.code)!r} is not a section msmatch reads")
        elif _code(resource.emptyReason) == "nilknown" and not resource.entry:
            self.declared_empty.add(section)
        elif not resource.entry:
            self.warn(entry, f"empty {section} List without emptyReason 'nilknown': {section} left unknown")

    # --- helpers ---

    def void(self, entry: _Entry, status: Optional[str]) -> bool:
        if status in _VOID_STATUS.get(entry.rtype, ()):
            self.warn(entry, f"status {status!r}: skipped")
            return True
        return False

    def full_date(self, entry: _Entry, value, what: str) -> Optional[dt.date]:
        day = _day(value)
        if day is None and value is not None:
            self.warn(entry, f"{what} {value!r} is not a full date: read as unknown")
        return day

    def finish_ms(self) -> None:
        if not self.ms:
            return
        asserted = [_day(self.asserted_date(e.resource)) for e, _ in self.ms]
        onsets = [_day(e.resource.onsetDateTime or (e.resource.onsetPeriod and e.resource.onsetPeriod.start))
                  for e, _ in self.ms]
        if any(asserted):
            self.data["diagnosis_date"] = min(d for d in asserted if d)
        if any(onsets):
            self.data["symptom_onset_date"] = min(d for d in onsets if d)
        current = [(onset or dt.date.min, subtype) for (e, subtype), onset in zip(self.ms, onsets)
                   if subtype and _code(e.resource.clinicalStatus) not in _CLOSED_CONDITION]
        if current:
            latest = max(day for day, _ in current)
            subtypes = {subtype for day, subtype in current if day == latest}
            if len(subtypes) == 1:
                self.data["ms_subtype"] = subtypes.pop()
            else:
                self.warnings.append(f"MS subtype conflict ({', '.join(sorted(subtypes))} with the same onset): "
                                     "ms_subtype left unknown")

    @staticmethod
    def asserted_date(resource):
        for extension in resource.extension or ():
            if extension.url == _ASSERTED_DATE:
                return extension.valueDateTime
        return resource.recordedDate

    def finish_observations(self) -> None:
        for name, found in self.observed.items():
            if name == "csf_oligoclonal_bands" and any(value for _, value in found):
                self.data[name] = True  # ever positive
            else:
                self.data[name] = max(found, key=lambda f: f[0] or dt.date.min)[1]
        for day in sorted(self.mri):
            self.lists["mri"].append({"date": day, **self.mri[day]})

    def build(self) -> Patient:
        for name in _LIST_FIELDS:
            if name in self.unknown:
                self.warnings.append(f"{name} left unknown: {self.unknown[name]}")
            elif name in self.lists or name in self.declared_empty:
                self.data[name] = self.lists.get(name, [])
        try:
            return Patient.model_validate(self.data)
        except ValidationError as error:
            first = error.errors()[0]
            loc = [str(part) for part in first["loc"]]
            where = ""
            if len(loc) > 1 and loc[1].isdigit() and int(loc[1]) < len(self.origins.get(loc[0], ())):
                where = f"{self.origins[loc[0]][int(loc[1])]} -> "  # the entry the bad item came from
            raise PatientError(f"{first['msg']} (got {first.get('input')!r})"[:300], file=self.source,
                               record=self.data.get("id"), field=where + ".".join(loc),
                               hint="see patient_profiles/README.md for what each field accepts") from None


def _code(concept) -> Optional[str]:
    """The first code of a CodeableConcept (clinicalStatus, verificationStatus, emptyReason)."""
    if concept is None:
        return None
    return next((c.code for c in concept.coding or () if c.code), None)


def _reference_limit(resource, quantity, bound: str) -> Optional[float]:
    """referenceRange.high (the ULN) or .low (the LLN) of a lab Observation, when it is stated in the result's own
    unit."""
    for reference in resource.referenceRange or []:
        limit = getattr(reference, bound)
        if limit is None or limit.value is None or float(limit.value) <= 0:
            continue
        units = {u for u in (getattr(limit, "unit", None), getattr(limit, "code", None)) if u}
        result_units = {u for u in (getattr(quantity, "unit", None), getattr(quantity, "code", None)) if u}
        if units and result_units and units.isdisjoint(result_units):
            continue  # a limit in another unit would compare unlike with unlike
        return float(limit.value)
    return None


def _number(element) -> Optional[float]:
    """valueQuantity.value or valueInteger of an Observation or one of its components."""
    if element.valueQuantity is not None and element.valueQuantity.value is not None:
        return float(element.valueQuantity.value)
    if element.valueInteger is not None:
        return float(element.valueInteger)
    return None


def _ucum_as_text(code: Optional[str]) -> Optional[str]:
    """UCUM as the lexicon spells units: 'mL/min/{1.73_m2}' -> 'mL/min/1.73m2', '[IU]/L' -> 'IU/L'."""
    if not code:
        return None
    code = re.sub(r"\{([^}]*)\}", lambda m: m.group(1).replace("_", ""), code)
    return code.replace("[", "").replace("]", "")


@lru_cache(maxsize=1)
def _unit_converter() -> PatientFacts:
    # Unit conversion lives with the evaluator (one converter); it needs no patient data.
    return PatientFacts(Patient(id="fhir-units"))
