"""The fast verdict path (decide) against the full evaluation (screen), on real trials and many patients.

Batch screening stores decide()'s compact outcome and re-derives explanations with screen() later: the two
must agree on the verdict, the failing and unknown criteria, the eligible-from date and every criterion's
status, for every patient x trial pair.
"""

from __future__ import annotations

import importlib.util
from datetime import date

import pytest

from matcher.api import load_patient, parse_patient
from matcher.evaluate import STATUS_CODES, PatientFacts, decide, screen

from .conftest import ALL_TRIAL_FILES, EXAMPLE_TRIALS, PROFILES, ROOT, ruleset_for

AS_OF = date(2026, 11, 1)
EARLIER = date(2024, 3, 1)  # before some profiles' treatments start: windows seen from the past
SYNTHETIC = 1000


def _synthetic(n: int, seed: int):
    spec = importlib.util.spec_from_file_location("synthetic_registry", ROOT / "benchmarks" / "synthetic_registry.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return [parse_patient(profile) for profile in module.generate(n, seed=seed)]


FIXTURE_RULESETS = [ruleset_for(path) for path in ALL_TRIAL_FILES]
EXAMPLE_RULESETS = [ruleset_for(path) for path in sorted(EXAMPLE_TRIALS.iterdir())]
EXAMPLE_PATIENTS = [load_patient(path) for path in sorted(PROFILES.glob("p*.json"))]


def _outcome_of(result) -> tuple:
    return (result.verdict, tuple(result.failing), tuple(c.id for c in result.criteria if c.status == "unknown"),
            result.eligible_from, "".join(STATUS_CODES[c.status] for c in result.criteria))


def _mismatches(patients, rulesets, as_of) -> list:
    found = []
    for patient in patients:
        facts = PatientFacts(patient)  # shared across trials, as in batch screening (and its outcome memo)
        for ruleset in rulesets:
            fast = decide(ruleset, facts, as_of)
            full = _outcome_of(screen(ruleset, patient, as_of))
            if (fast.verdict, fast.failing, fast.unknown, fast.eligible_from, fast.statuses) != full:
                found.append((patient.id, ruleset.trial_id, as_of, full))
    return found


@pytest.mark.parametrize("as_of", [AS_OF, EARLIER])
def test_decide_equals_screen_for_the_example_patients(as_of):
    rulesets = EXAMPLE_RULESETS + FIXTURE_RULESETS
    assert _mismatches(EXAMPLE_PATIENTS, rulesets, as_of) == []


def test_decide_equals_screen_for_synthetic_patients_against_the_31_fixture_trials():
    patients = _synthetic(SYNTHETIC, seed=23)
    assert len(FIXTURE_RULESETS) == 31
    assert _mismatches(patients, FIXTURE_RULESETS, AS_OF) == []


def test_the_comparison_sees_every_kind_of_outcome():
    """The patients above reach the verdicts real trials give (most have consent criteria, which always leave
    something to confirm), time-window pass dates, and each criterion status."""
    patients = EXAMPLE_PATIENTS + _synthetic(200, seed=23)
    decisions = [decide(r, PatientFacts(p), AS_OF) for p in patients for r in FIXTURE_RULESETS]
    assert {d.verdict for d in decisions} >= {"needs_review", "ineligible"}
    assert any(d.eligible_from for d in decisions)
    assert {code for d in decisions for code in d.statuses} == set(STATUS_CODES.values())


def test_a_decision_renders_the_full_result_of_screen():
    patient = EXAMPLE_PATIENTS[0]
    for ruleset in EXAMPLE_RULESETS:
        decision = decide(ruleset, patient, AS_OF)
        assert decision.result() == screen(ruleset, patient, AS_OF)
        assert decision.result().model_dump_json() == screen(ruleset, patient, AS_OF).model_dump_json()


def test_a_treatment_that_starts_after_the_reference_date_is_not_an_exposure_yet():
    """Seen from a reference date before it starts, a treatment is outside every washout window; its reason
    says so (it used to read 'ended None', or to crash next to an ended treatment of the same class)."""
    ruleset = ruleset_for(ALL_TRIAL_FILES[0])  # NCT05208840: no S1P modulator within 24 weeks
    washout = next(c for c in ruleset.criteria if "fingolimod or other S1P" in c.text)
    profile = {"id": "later-siponimod", "sex": "female", "birth_date": "1980-01-01",
               "treatments": [{"drug": "Gilenya", "start": "2015-01-01", "end": "2018-06-30"},
                              {"drug": "Mayzent", "start": "2027-02-01"}]}
    result = screen(ruleset, parse_patient(profile), AS_OF)
    (criterion,) = [c for c in result.criteria if c.id == washout.id]
    assert criterion.status == "pass" and "ended 2018-06-30" in criterion.reason
    alone = parse_patient({**profile, "treatments": profile["treatments"][1:]})
    (criterion,) = [c for c in screen(ruleset, alone, AS_OF).criteria if c.id == washout.id]
    assert criterion.status == "pass" and "not started yet" in criterion.reason
    assert decide(ruleset, alone, AS_OF).statuses == "".join(
        STATUS_CODES[c.status] for c in screen(ruleset, alone, AS_OF).criteria)


def test_the_outcome_memo_is_per_reference_date():
    """Outcomes kept for one date are not reused at another (windows move with the date)."""
    patient = load_patient(PROFILES / "p12-spms-steroid-pulse.json")
    ruleset = ruleset_for(ALL_TRIAL_FILES[0])  # NCT05208840: no steroids within 30 days
    facts = PatientFacts(patient)
    now = decide(ruleset, facts, AS_OF)
    assert now.failing == ("E22",) and now.eligible_from == date(2026, 11, 16)
    later = decide(ruleset, facts, now.eligible_from)
    assert later.statuses == decide(ruleset, PatientFacts(patient), now.eligible_from).statuses
    assert "E22" not in later.failing and later.verdict == "needs_review"
