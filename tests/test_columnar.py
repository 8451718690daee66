"""Columnar screening (matcher.evaluate.columnar) against decide(), pair by pair.

Batch runs screen partitions of patients column by column; every verdict, status string and eligible-from date
must be the one decide() (and so screen(), tests/test_fast_path.py) gives for the same patient, trial and date.
The patients cover what the column builders treat apart: lists unknown (None) or empty, treatments and
conditions the lexicon cannot resolve, relapses and treatments after the reference date, a 29 February birth.
"""

from __future__ import annotations

import random
from datetime import date

import pytest

from matcher.api import parse_patient
from matcher.evaluate import PatientFacts, decide
from matcher.evaluate.columnar import VERDICTS, decide_partition

from .test_fast_path import AS_OF, EARLIER, EXAMPLE_PATIENTS, EXAMPLE_RULESETS, FIXTURE_RULESETS, _synthetic

LISTS = ("edss", "relapses", "mri", "treatments", "conditions", "labs", "vaccinations", "trial_participation")


def _varied(n: int, seed: int):
    """Synthetic patients, some of whose records are unknown, unresolvable, or dated after the reference date."""
    rng = random.Random(seed)
    patients = []
    for patient in _synthetic(n, seed=seed):
        data = patient.model_dump(mode="json", exclude_none=True)
        for name in LISTS:
            if rng.random() < 0.1:
                data.pop(name, None)  # unknown
        if rng.random() < 0.15:
            data.setdefault("treatments", []).append({"drug": "Zorblimab 40 mg", "start": "2025-06-01"})
        if rng.random() < 0.1:
            data.setdefault("conditions", []).append({"name": "Glorpitis", "onset": "2019-03-01"})
        if rng.random() < 0.1:
            data.setdefault("relapses", []).append({"date": "2027-01-15"})  # after both reference dates
        if rng.random() < 0.05:
            data["birth_date"] = "2008-02-29"
        for name in ("ms_subtype", "sex", "birth_date", "diagnosis_date"):
            if rng.random() < 0.05:
                data.pop(name, None)
        patients.append(parse_patient(data))
    return patients


def _structured_only(ruleset):
    """The rule set without its manual-review criteria, so that patients can be eligible."""
    kept = [c for c in ruleset.criteria if all(rule.kind != "manual_review" for rule in c.rules)]
    return ruleset.model_copy(update={"criteria": kept})


def _mismatches(patients, rulesets, as_of) -> list:
    columns = decide_partition(rulesets, [PatientFacts(p) for p in patients], as_of)
    found = []
    for ruleset, trial in zip(rulesets, columns):
        assert trial.ruleset is ruleset and len(trial.statuses) == len(patients)
        for i, patient in enumerate(patients):
            expected = decide(ruleset, PatientFacts(patient), as_of)
            eligible_from = date.fromordinal(int(trial.eligible_from[i])) if trial.eligible_from[i] else None
            got = (VERDICTS[trial.verdicts[i]], trial.statuses[i], eligible_from)
            if got != (expected.verdict, expected.statuses, expected.eligible_from):
                found.append((patient.id, ruleset.trial_id, got, expected.statuses))
    return found


@pytest.mark.parametrize("as_of", [AS_OF, EARLIER])
def test_columnar_equals_decide_for_the_example_patients(as_of):
    assert _mismatches(EXAMPLE_PATIENTS, EXAMPLE_RULESETS + FIXTURE_RULESETS, as_of) == []


@pytest.mark.parametrize("as_of", [AS_OF, EARLIER])
def test_columnar_equals_decide_for_varied_synthetic_patients_against_the_31_fixture_trials(as_of):
    patients = _varied(600, seed=41)
    rulesets = FIXTURE_RULESETS + [_structured_only(r) for r in FIXTURE_RULESETS]
    assert _mismatches(patients, rulesets, as_of) == []


def test_the_comparison_sees_every_verdict_and_pass_dates():
    patients = _varied(600, seed=41)
    rulesets = [_structured_only(r) for r in FIXTURE_RULESETS]
    columns = decide_partition(rulesets, [PatientFacts(p) for p in patients], AS_OF)
    assert {VERDICTS[v] for trial in columns for v in trial.verdicts.tolist()} == set(VERDICTS)
    assert any(trial.eligible_from.any() for trial in columns)


def test_an_empty_partition_gives_empty_columns():
    (trial,) = decide_partition(FIXTURE_RULESETS[:1], [], AS_OF)
    assert trial.statuses == [] and len(trial.verdicts) == 0
