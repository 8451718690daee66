"""FHIR R4 Bundles as patient input: mapping, codes, warnings, errors, registry and screening."""

from __future__ import annotations

import copy
import json
from datetime import date
from importlib import resources

import pytest

from matcher.api import load_patient, load_rulesets, screen_patient
from matcher.batch.registry import RegistryError, iter_registry
from matcher.errors import PatientError
from matcher.evaluate import PatientFacts
from matcher.evaluate.facts import MS_SUBTYPES
from matcher.ingest.fhir import patient_from_bundle, read_bundle
from matcher.lexicon import get_lexicon

from .conftest import EXAMPLE_TRIALS, PROFILES

AS_OF = date(2026, 11, 1)
FHIR = PROFILES / "fhir"
BUNDLES = sorted(FHIR.glob("*.bundle.json"))
S, L = "http://snomed.info/sct", "http://loinc.org"


def _bundle(name="p01-rrms-fingolimod-washout"):
    return json.loads((FHIR / f"{name}.bundle.json").read_text())


def _minimal(*resources_):
    entries = [{"resource": {"resourceType": "Patient", "id": "pt", "gender": "female", "birthDate": "1990-01-01"}}]
    entries += [{"resource": r} for r in resources_]
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}


def _condition(code=None, text=None, **extra):
    concept = {}
    if code:
        concept["coding"] = [code]
    if text:
        concept["text"] = text
    return {"resourceType": "Condition", "subject": {"reference": "Patient/pt"}, "code": concept, **extra}


@pytest.fixture(scope="module")
def example_rulesets():
    return [r for path in sorted(EXAMPLE_TRIALS.iterdir()) for r in load_rulesets(path)]


def test_there_are_example_bundles():
    assert len(BUNDLES) >= 2


@pytest.mark.parametrize("path", BUNDLES, ids=lambda p: p.name)
def test_bundle_screens_like_the_json_profile(path, example_rulesets):
    """Same verdict and same failing criteria as the hand-written profile, for every example trial."""
    pid = path.name.removesuffix(".bundle.json")
    from_fhir = screen_patient(load_patient(path), example_rulesets, AS_OF)
    from_json = screen_patient(load_patient(PROFILES / f"{pid}.json"), example_rulesets, AS_OF)
    for a, b in zip(from_fhir, from_json):
        assert a.verdict == b.verdict, (pid, a.trial_id)
        assert [c.id for c in a.criteria if c.status == "fail"] == [c.id for c in b.criteria if c.status == "fail"]


def test_p01_bundle_maps_every_resource():
    patient = load_patient(FHIR / "p01-rrms-fingolimod-washout.bundle.json")
    profile = load_patient(PROFILES / "p01-rrms-fingolimod-washout.json")
    assert patient.fhir_warnings == []
    assert (patient.id, patient.sex, patient.birth_date) == (profile.id, "female", date(1992, 5, 14))
    assert (patient.ms_subtype, patient.diagnosis_date, patient.symptom_onset_date) == \
        ("RRMS", date(2018, 1, 15), date(2017, 9, 4))
    assert [(e.date, e.score) for e in patient.edss] == [(e.date, e.score) for e in profile.edss]
    assert [r.date for r in patient.relapses] == [r.date for r in profile.relapses]
    assert [(m.date, m.gd_enhancing_lesions, m.new_t2_lesions) for m in patient.mri] == \
        [(m.date, m.gd_enhancing_lesions, m.new_t2_lesions) for m in profile.mri]
    assert [(t.drug, t.start, t.end) for t in patient.treatments] == [(t.drug, t.start, t.end) for t in profile.treatments]
    assert [(c.name, c.onset, c.resolved) for c in patient.conditions] == \
        [(c.name, c.onset, c.resolved) for c in profile.conditions]
    assert [(v.vaccine, v.date) for v in patient.vaccinations] == [(v.vaccine, v.date) for v in profile.vaccinations]
    assert (patient.pregnant, patient.breastfeeding, patient.csf_oligoclonal_bands, patient.weight_kg) == \
        (False, False, True, 64)
    # Labs come from LOINC codes; their names resolve to the same lab ids and units as the profile's.
    facts, reference = PatientFacts(patient), PatientFacts(profile)
    resolved = [(facts.lab_id(l.test), l.value * facts.unit_factor(facts.lab_id(l.test), l.unit)) for l in patient.labs]
    assert resolved == [(reference.lab_id(l.test), l.value * reference.unit_factor(reference.lab_id(l.test), l.unit))
                        for l in profile.labs]
    assert patient.labs[0].fhir == "Observation/lab-1"  # provenance travels with each item


def test_nil_known_lists_say_none_on_record_and_absence_says_unknown():
    bundle = _bundle("p02-ppms-active-maestro-candidate")
    patient = patient_from_bundle(bundle)
    assert patient.treatments == [] and patient.relapses == []
    without_lists = copy.deepcopy(bundle)
    without_lists["entry"] = [e for e in bundle["entry"] if e["resource"]["resourceType"] != "List"]
    patient = patient_from_bundle(without_lists)
    assert patient.treatments is None and patient.relapses is None


@pytest.mark.parametrize("code, text, subtype", [
    ({"system": S, "code": "426373005"}, None, "RRMS"),
    ({"system": S, "code": "425500002"}, None, "SPMS"),  # 425500002 is SPMS, not PPMS
    ({"system": S, "code": "428700003"}, None, "PPMS"),
    ({"system": "http://hl7.org/fhir/sid/icd-10", "code": "G35"}, "Secondary progressive multiple sclerosis", "SPMS"),
    ({"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "G35"}, None, None),
    (None, "Clinically isolated syndrome", "CIS"),
    (None, "Multiple sclerosis", None),
])
def test_ms_diagnosis_codes_and_text(code, text, subtype):
    reading = read_bundle(_minimal(_condition(code, text, onsetDateTime="2015-03-01", recordedDate="2016-02-01")))
    patient = reading.patient
    assert patient.ms_subtype == subtype
    assert (patient.symptom_onset_date, patient.diagnosis_date) == (date(2015, 3, 1), date(2016, 2, 1))
    assert patient.conditions is None  # the diagnosis is not a comorbidity
    assert reading.warnings == []


def test_latest_current_subtype_wins_and_asserted_date_is_the_diagnosis_date():
    rrms = _condition({"system": S, "code": "426373005"}, onsetDateTime="2010-05-01", recordedDate="2024-01-01",
                      extension=[{"url": "http://hl7.org/fhir/StructureDefinition/condition-assertedDate",
                                  "valueDateTime": "2011-02-01"}])
    spms = _condition({"system": S, "code": "425500002"}, onsetDateTime="2022-06-01")
    patient = patient_from_bundle(_minimal(rrms, spms))
    assert (patient.ms_subtype, patient.symptom_onset_date, patient.diagnosis_date) == \
        ("SPMS", date(2010, 5, 1), date(2011, 2, 1))


def test_observations_edss_labs_units_pregnancy_and_relapse():
    observations = [
        {"resourceType": "Observation", "status": "final", "code": {"text": "EDSS"},
         "effectiveDateTime": "2026-01-05", "valueQuantity": {"value": 4.5}},
        {"resourceType": "Observation", "status": "final", "code": {"coding": [{"system": L, "code": "98979-8"}]},
         "effectiveDateTime": "2026-01-05",
         "valueQuantity": {"value": 41, "system": "http://unitsofmeasure.org", "code": "mL/min/{1.73_m2}"}},
        {"resourceType": "Observation", "status": "final", "code": {"text": "Platelet count"},
         "effectiveDateTime": "2026-01-05", "valueQuantity": {"value": 90000, "unit": "/uL"}},
        {"resourceType": "Observation", "status": "final", "code": {"coding": [{"system": L, "code": "2106-3"}]},
         "effectiveDateTime": "2026-02-01", "valueCodeableConcept": {"coding": [{"system": S, "code": "10828004"}]}},
        {"resourceType": "Observation", "status": "final", "code": {"text": "MS relapse"},
         "effectiveDateTime": "2026-01-20"},
    ]
    patient = patient_from_bundle(_minimal(*observations))
    facts = PatientFacts(patient)
    assert [(e.date, e.score) for e in patient.edss] == [(date(2026, 1, 5), 4.5)]
    labs = {facts.lab_id(l.test): l.value * facts.unit_factor(facts.lab_id(l.test), l.unit) for l in patient.labs}
    assert labs == {"egfr": 41, "platelets": 90}
    assert patient.pregnant is True  # a positive urine pregnancy test
    assert [r.date for r in patient.relapses] == [date(2026, 1, 20)]


def test_a_lab_reference_range_is_the_results_limits_of_normal():
    def alt(value, high=None, high_unit="U/L", low=None):
        resource = {"resourceType": "Observation", "status": "final", "code": {"coding": [{"system": L, "code": "1742-6"}]},
                    "effectiveDateTime": "2026-10-01", "valueQuantity": {"value": value, "unit": "U/L"}}
        reference = {**({"high": {"value": high, "unit": high_unit}} if high is not None else {}),
                     **({"low": {"value": low, "unit": "U/L"}} if low is not None else {})}
        if reference:
            resource["referenceRange"] = [reference]
        return resource

    labs = patient_from_bundle(_minimal(alt(90, 40), alt(50), alt(60, 0.7, "µkat/L"), alt(5, 40, low=7))).labs
    # the third ULN is in another unit than the result: not stated rather than compared unlike with unlike
    assert [(lab.value, lab.upper_limit, lab.lower_limit) for lab in labs] == \
        [(90, 40, None), (50, None, None), (60, None, None), (5, 40, 7)]


def test_unmapped_and_void_resources_are_listed_not_dropped():
    reading = read_bundle(_minimal(
        {"resourceType": "Encounter", "id": "enc", "status": "finished",
         "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB"}},
        {"resourceType": "Observation", "id": "bp", "status": "final", "code": {"text": "Systolic blood pressure"},
         "valueQuantity": {"value": 120, "unit": "mm[Hg]"}},
        {"resourceType": "MedicationStatement", "id": "oops", "status": "entered-in-error",
         "medicationCodeableConcept": {"text": "natalizumab"}, "subject": {"reference": "Patient/pt"}},
        {"resourceType": "Observation", "id": "other", "status": "final", "code": {"text": "EDSS"},
         "subject": {"reference": "Patient/someone-else"}, "valueQuantity": {"value": 2.0}},
    ))
    text = "\n".join(reading.warnings)
    assert "entry[1] (Encounter/enc): Encounter resources are not mapped" in text
    assert "entry[2] (Observation/bp)" in text and "Systolic blood pressure" in text
    assert "entry[3] (MedicationStatement/oops): status 'entered-in-error': skipped" in text
    assert "entry[4] (Observation/other): about Patient/someone-else" in text
    assert reading.patient.treatments is None and reading.patient.edss is None


@pytest.mark.parametrize("resource, field", [
    ({"resourceType": "MedicationStatement", "status": "stopped", "medicationCodeableConcept": {"text": "Tysabri"},
      "subject": {"reference": "Patient/pt"}, "effectivePeriod": {"start": "2020-01-01"}}, "treatments"),
    (_condition(text="MS relapse", onsetDateTime="2024-05"), "relapses"),
    (_condition(text="breast cancer", onsetDateTime="2019-01-01", clinicalStatus={"coding": [
        {"system": "http://terminology.hl7.org/CodeSystem/condition-clinical", "code": "resolved"}]}), "conditions"),
])
def test_an_item_the_profile_cannot_hold_makes_its_list_unknown(resource, field):
    """A stopped drug without an end date would read as ongoing; the list is unknown instead, with a warning."""
    reading = read_bundle(_minimal(resource))
    assert getattr(reading.patient, field) is None
    assert any(w.startswith(f"{field} left unknown: entry[1]") for w in reading.warnings)


def test_stopped_drug_ends_at_date_asserted_when_no_end_date():
    statement = {"resourceType": "MedicationStatement", "status": "stopped", "dateAsserted": "2026-03-01",
                 "medicationCodeableConcept": {"text": "Gilenya"}, "subject": {"reference": "Patient/pt"},
                 "effectivePeriod": {"start": "2020-01-01"}}
    (treatment,) = patient_from_bundle(_minimal(statement)).treatments
    assert (treatment.start, treatment.end) == (date(2020, 1, 1), date(2026, 3, 1))


def test_malformed_bundle_names_file_entry_resource_and_field(tmp_path):
    bundle = _bundle()
    bundle["entry"][5]["resource"]["effectiveDateTime"] = "2026-13-40"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bundle))
    with pytest.raises(PatientError) as error:
        load_patient(path)
    assert (error.value.file, error.value.record) == (str(path), "p01-rrms-fingolimod-washout")
    resource = bundle["entry"][5]["resource"]
    assert error.value.field == f"entry[5] ({resource['resourceType']}/{resource['id']}) effectiveDateTime"


def test_invalid_edss_score_names_the_entry_it_came_from():
    bundle = _minimal({"resourceType": "Observation", "id": "e1", "status": "final", "code": {"text": "EDSS"},
                       "valueQuantity": {"value": 3.3}})
    with pytest.raises(PatientError) as error:
        patient_from_bundle(bundle, "x.json")
    assert error.value.field == "entry[1] (Observation/e1) -> edss.0.score"


@pytest.mark.parametrize("bundle, message", [
    ({"resourceType": "Bundle", "type": "collection", "entry": []}, "exactly one Patient resource (found 0)"),
    (_minimal({"resourceType": "Patient", "id": "second"}), "exactly one Patient resource (found 2)"),
    ({"resourceType": "Bundle", "type": "collection", "entry": [{"fullUrl": "urn:uuid:1"}]}, "no resource"),
])
def test_bundles_without_one_patient_are_errors(bundle, message):
    with pytest.raises(PatientError, match=message.replace("(", r"\(").replace(")", r"\)")):
        patient_from_bundle(bundle, "x.json")


def test_registry_reads_bundles_in_folders_and_ndjson_and_reports_a_bad_one(tmp_path):
    folder = tmp_path / "bundles"
    folder.mkdir()
    for path in BUNDLES:
        (folder / path.name).write_text(path.read_text())
    bad = _bundle()
    bad["entry"][0]["resource"]["birthDate"] = "not a date"
    (folder / "zz-bad.json").write_text(json.dumps(bad))
    items = list(iter_registry(folder))
    assert [i.id for i in items if not isinstance(i, RegistryError)] == [p.name.removesuffix(".bundle.json")
                                                                         for p in BUNDLES]
    (error,) = [i for i in items if isinstance(i, RegistryError)]
    assert error.file.endswith("zz-bad.json") and error.field == "entry[0] (Patient/p01-rrms-fingolimod-washout) birthDate"

    ndjson = tmp_path / "bundles.ndjson"
    ndjson.write_text("\n".join([json.dumps(bad)] + [json.dumps(json.loads(p.read_text())) for p in BUNDLES]) + "\n")
    items = list(iter_registry(ndjson))
    assert isinstance(items[0], RegistryError) and items[0].line == 1
    assert [i.id for i in items[1:]] == [p.name.removesuffix(".bundle.json") for p in BUNDLES]


def test_cli_screens_a_bundle(capsys):
    from matcher.cli import main

    status = main(["screen", "--patient", str(BUNDLES[0]), "--trial", str(EXAMPLE_TRIALS), "--as-of", "2026-11-01",
                   "--json"])
    assert status == 0
    results = json.loads(capsys.readouterr().out)
    assert len(results) == 4 and {r["verdict"] for r in results} <= {"ineligible", "needs_review"}


def test_code_table_points_at_lexicon_ids():
    """Every lab id exists and its name resolves back to it; every diagnosis id is a subtype or MS."""
    lexicon = get_lexicon()
    text = (resources.files("matcher.rules") / "lexicons" / "fhir_codes.jsonl").read_text(encoding="utf-8")
    entries = [json.loads(line) for line in text.splitlines()]
    assert entries == sorted(entries, key=lambda e: (e["maps_to"], e["id"]))
    seen = set()
    for entry in entries:
        for coding in entry["codes"]:
            key = (entry["maps_to"], coding["system"], coding["code"])
            assert key not in seen, key
            seen.add(key)
        if entry["maps_to"] == "lab":
            lab = lexicon.get("labs", entry["id"])
            assert lab is not None, entry["id"]
            assert lexicon.find_in("labs", lab.name).entry.id == entry["id"]
        if entry["maps_to"] == "ms_diagnosis":
            assert entry["id"] in MS_SUBTYPES + ("MS",)
