"""Evaluate: the example patients against the seed trials, windows at their boundaries, tri-state."""

import json
from datetime import date

import pytest

from matcher.api import load_patient, parse_patient, screen_patient
from matcher.compile import compile_trial
from matcher.evaluate import screen
from matcher.models.trial import Trial

from .conftest import PROFILES, SEED_FILES, ruleset_for

AS_OF = date(2026, 11, 1)
EXPECTED = json.loads((PROFILES / "EXPECTED.json").read_text())
RULESETS = [ruleset_for(path) for path in SEED_FILES.values()]
PAIRS = [(pid, trial) for pid in EXPECTED["profiles"] for trial in SEED_FILES]


def _results():
    out = {}
    for pid in EXPECTED["profiles"]:
        patient = load_patient(PROFILES / f"{pid}.json")
        for result in screen_patient(patient, RULESETS, AS_OF):
            out[(pid, result.trial_id)] = result
    return out


RESULTS = _results()


def test_no_example_patient_is_ever_called_eligible_while_a_criterion_is_unknown():
    for result in RESULTS.values():
        unknown = [c for c in result.criteria if c.status == "unknown"]
        assert not (unknown and result.verdict == "eligible")
        assert result.verdict != "needs_review" or result.to_confirm


def test_expected_exclusions_are_found():
    """Every profile x trial the clinical annotation calls certainly ineligible comes out ineligible."""
    expected = [(pid, t) for pid, t in PAIRS if EXPECTED["profiles"][pid][t]["verdict"] == "ineligible"]
    caught = [pair for pair in expected if RESULTS[pair].verdict == "ineligible"]
    missed = sorted(set(expected) - set(caught))
    # Regression guard at the level reached (see the closing note of issue 2 for the figures).
    assert len(missed) <= 5, missed


def test_false_exclusions_are_rare():
    """A patient the annotation does not exclude is not excluded (at most the known disagreements)."""
    wrong = [(pid, t) for pid, t in PAIRS
             if EXPECTED["profiles"][pid][t]["verdict"] == "not_ineligible" and RESULTS[(pid, t)].verdict == "ineligible"]
    assert len(wrong) <= 1, wrong


def test_fingolimod_washout_reason_names_dates_and_window():
    result = RESULTS[("p01-rrms-fingolimod-washout", "NCT05208840")]
    washout = next(c for c in result.criteria if "fingolimod or other S1P" in c.text)
    assert washout.status == "fail"
    assert "stopped 2026-07-31" in washout.reason and "24 weeks" in washout.reason
    rule = washout.rules[0]
    assert rule.passes_from == date(2027, 1, 16)
    assert rule.facts and rule.facts[0].field == "treatments"


@pytest.mark.parametrize("stopped, status", [
    (date(2026, 5, 16), "pass"),   # 24 weeks + 1 day before the reference date: outside the window
    (date(2026, 5, 17), "fail"),   # exactly 24 weeks before: inside (windows are inclusive)
])
def test_washout_boundary(stopped, status):
    patient = parse_patient({"id": "b", "treatments": [{"drug": "Gilenya", "start": "2020-01-01",
                                                        "end": stopped.isoformat()}]})
    result = screen(RULESETS[0], patient, AS_OF)
    washout = next(c for c in result.criteria if "fingolimod or other S1P" in c.text)
    assert washout.status == status


def test_missing_data_is_unknown_not_a_guess():
    patient = parse_patient({"id": "empty"})
    result = screen(RULESETS[0], patient, AS_OF)
    edss = next(c for c in result.criteria if c.text.startswith("EDSS ≤ 6.0"))
    assert edss.status == "unknown" and "no EDSS" in edss.reason
    assert result.verdict == "needs_review"


def test_as_of_date_moves_windows():
    patient = load_patient(PROFILES / "p01-rrms-fingolimod-washout.json")
    later = screen(RULESETS[0], patient, date(2027, 1, 16))
    washout = next(c for c in later.criteria if "fingolimod or other S1P" in c.text)
    assert washout.status == "pass"


def test_an_all_of_group_with_a_permanent_failure_gives_no_pass_date():
    """A group clears by waiting only when every failing part of it does."""
    from matcher.evaluate import _group_status

    assert _group_status("all", [("fail", date(2027, 1, 16)), ("pass", None)]) == ("fail", date(2027, 1, 16))
    assert _group_status("all", [("fail", date(2027, 1, 16)), ("fail", date(2027, 3, 1))]) == ("fail", date(2027, 3, 1))
    assert _group_status("all", [("fail", date(2027, 1, 16)), ("fail", None)]) == ("fail", None)
    assert _group_status("any", [("fail", date(2027, 1, 16)), ("fail", None)]) == ("fail", None)


# --- ULN-relative labs, minimum durations (treatment and measurement families) -------------------------

def _status(text, section, patient, as_of=AS_OF):
    from matcher.compile import compile_text
    from matcher.models.rules import CompiledCriterion, RuleSet

    rules = compile_text(text, section, "X1")
    ruleset = RuleSet(trial_id="T", compiler_version="test", criteria_text=text, criteria=[
        CompiledCriterion(id="X1", section=section, text=text, span=(0, len(text)), rules=rules, coverage="full")])
    return screen(ruleset, parse_patient({"id": "x", **patient}), as_of).criteria[0]


@pytest.mark.parametrize("labs, status", [
    ([{"test": "ALT", "value": 80, "unit": "U/L", "date": "2026-10-01", "upper_limit": 40}], "pass"),  # 2.0 x ULN
    ([{"test": "ALT", "value": 81, "unit": "U/L", "date": "2026-10-01", "upper_limit": 40}], "fail"),  # 2.03 x ULN
    ([{"test": "ALT", "value": 81, "unit": "U/L", "date": "2026-10-01"}], "unknown"),  # no ULN: no guess
    ([], "unknown"),
])
def test_a_lab_bound_in_multiples_of_the_uln_uses_the_reported_limit(labs, status):
    result = _status("ALT > 2x ULN", "exclusion", {"labs": labs})
    assert result.status == status
    if status == "unknown" and labs:
        assert "upper limit of normal" in result.reason


@pytest.mark.parametrize("labs, status", [
    ([{"test": "lymphocytes", "value": 0.9, "unit": "G/L", "date": "2026-10-01", "lower_limit": 1.0}], "fail"),
    ([{"test": "lymphocytes", "value": 1.0, "unit": "G/L", "date": "2026-10-01", "lower_limit": 1.0}], "pass"),
    # an upper limit alone says nothing about the lower one
    ([{"test": "lymphocytes", "value": 0.9, "unit": "G/L", "date": "2026-10-01", "upper_limit": 4.0}], "unknown"),
])
def test_a_lab_bound_below_the_lln_uses_the_reported_lower_limit(labs, status):
    result = _status("Absolute lymphocyte count below the lower limit of normal at screening", "exclusion",
                     {"labs": labs})
    assert result.status == status
    if status == "unknown":
        assert "lower limit of normal" in result.reason


@pytest.mark.parametrize("start, end, status", [
    ("2026-01-15", None, "pass"),          # on interferon beta-1a for 9 months and a half
    ("2026-06-01", None, "fail"),          # on it for 5 months: not yet 6
    (None, None, "unknown"),               # start date missing: how long is unknown, not guessed
    ("2020-01-01", "2025-12-31", "fail"),  # long enough, but stopped: not current
])
def test_current_therapy_for_a_minimum_duration(start, end, status):
    treatment = {"drug": "Avonex", **({"start": start} if start else {}), **({"end": end} if end else {})}
    text = "Currently on one of the approved beta-interferon drugs (Avonex, Betaseron, or Rebif) for a minimum of 6 months."
    assert _status(text, "inclusion", {"treatments": [treatment]}).status == status


def test_a_minimum_duration_passes_on_one_long_enough_course_even_beside_an_undated_one():
    treatments = [{"drug": "Avonex", "start": "2025-01-01"}, {"drug": "Rebif"}]
    text = "Currently on one of the approved beta-interferon drugs (Avonex, Betaseron, or Rebif) for a minimum of 6 months."
    assert _status(text, "inclusion", {"treatments": treatments}).status == "pass"


@pytest.mark.parametrize("course, status", [
    ({"drug": "methylprednisolone", "start": "2026-09-01", "end": "2026-09-05"}, "pass"),   # a 5-day relapse pulse
    ({"drug": "prednisone", "start": "2026-06-01", "end": "2026-08-15"}, "fail"),           # 75 days: chronic
    ({"drug": "prednisone", "start": "2025-01-01", "end": "2025-06-01"}, "pass"),           # chronic, but long ago
    ({"drug": "prednisone", "end": "2026-08-15"}, "unknown"),                               # start unknown
])
def test_a_washout_of_chronic_use_counts_only_long_courses(course, status):
    text = ("Chronic (more than 30 consecutive days) systemic (IV, PO or IM) corticosteroid treatment within 6 months "
            "prior to screening visit.")
    assert _status(text, "exclusion", {"treatments": [course]}).status == status


@pytest.mark.parametrize("treatments, status", [
    ([{"drug": "prednisone", "start": "2026-10-10", "end": "2026-10-14"}], "unknown"),  # which dose: a person checks
    ([{"drug": "prednisone", "start": "2026-06-01", "end": "2026-06-05"}], "pass"),     # outside the window
    ([{"drug": "fingolimod", "start": "2025-01-01"}], "pass"),                           # no corticosteroid at all
])
def test_a_qualified_washout_is_decided_without_the_drug_and_unknown_with_it(treatments, status):
    from matcher.models.rules import CompiledCriterion, Duration, RuleSet, WashoutRule, Window

    text = "Treatment with high-dose corticosteroids within 30 days prior to screening"
    rule = WashoutRule(polarity="exclude", section="exclusion", classes=["corticosteroid"], qualifier="high-dose",
                       window=Window(within=Duration(value=30, unit="days")))
    ruleset = RuleSet(trial_id="T", compiler_version="test", criteria_text=text, criteria=[
        CompiledCriterion(id="X1", section="exclusion", text=text, span=(0, len(text)), rules=[rule],
                          coverage="full")])
    result = screen(ruleset, parse_patient({"id": "x", "treatments": treatments}), AS_OF).criteria[0]
    assert result.status == status
    if status == "unknown":
        assert "high-dose" in result.reason


@pytest.mark.parametrize("treatments, status", [
    ([{"drug": "aspirin", "start": "2025-01-01"}], "unknown"),     # which dose: a person checks
    ([{"drug": "aspirin", "start": "2020-01-01", "end": "2021-01-01"}], "pass"),  # not current
    ([{"drug": "fingolimod", "start": "2025-01-01"}], "pass"),
    ([{"drug": "clopidogrel", "start": "2025-01-01"}], "fail"),
])
def test_a_compiled_dose_qualifier_decides_patients_without_the_drug(treatments, status):
    text = "Receiving anticoagulant or antiplatelet therapies, including: aspirin > 81 mg/day, clopidogrel, heparin"
    assert _status(text, "exclusion", {"treatments": treatments}).status == status


@pytest.mark.parametrize("hba1c, expected", [(9.0, "fail"), (6.0, "pass")])
def test_an_exclusion_group_excludes_when_its_parts_hold_together(hba1c, expected):
    # "Diabetes with an HbA1c of 8% or higher" compiles to an all-of group of polarity exclude; it was evaluated
    # as a requirement: the diabetic with HbA1c 9% passed and the one with 6% was excluded
    text = "Exclusion Criteria:\n\n* Diabetes mellitus with an HbA1c of 8% (64 mmol/mol) or higher at screening.\n"
    ruleset = compile_trial(Trial(id="T", source="test", source_format="text", criteria_text=text))
    patient = parse_patient({"id": "x", "conditions": [{"name": "diabetes mellitus", "onset": "2020-01-01"}],
                             "labs": [{"test": "hba1c", "value": hba1c, "unit": "%", "date": "2026-10-30"}]})
    (criterion,) = screen(ruleset, patient, date(2026, 11, 1)).criteria
    assert criterion.status == expected
    assert "excluded when all of 2 hold" in criterion.reason
    from .test_columnar import _mismatches

    assert _mismatches([patient], [ruleset], date(2026, 11, 1)) == []  # the columnar path agrees


@pytest.mark.parametrize("patient, expected", [
    ({"id": "m1", "sex": "male", "contraception": False}, "fail"),
    ({"id": "m2", "sex": "male", "contraception": True}, "pass"),
    ({"id": "m3", "sex": "male"}, "unknown"),  # a man's contraception was once passed as "cannot bear children"
    ({"id": "w1", "sex": "female", "childbearing_potential": True, "contraception": False}, "pass"),  # asked of men
])
def test_contraception_asked_of_men_reads_the_mans_contraception(patient, expected):
    text = ("Inclusion Criteria:\n\n* For male participants: agreement to remain abstinent or to use a condom during the "
            "treatment period\n")
    ruleset = compile_trial(Trial(id="T", source="test", source_format="text", criteria_text=text))
    facts = parse_patient(patient)
    (criterion,) = screen(ruleset, facts, date(2026, 11, 1)).criteria
    contraception = next(r for r in criterion.rules if r.kind == "contraception")
    assert contraception.status == expected
    from .test_columnar import _mismatches

    assert _mismatches([facts], [ruleset], date(2026, 11, 1)) == []  # the columnar path agrees


@pytest.mark.parametrize("treatments, status", [
    ([{"drug": "aspirin", "start": "2025-01-01"}], "pass"),  # one antiplatelet drug is not dual therapy
    ([{"drug": "aspirin", "start": "2025-01-01"}, {"drug": "clopidogrel", "start": "2025-06-01"}], "fail"),
    ([{"drug": "warfarin", "start": "2025-01-01"}], "fail"),
    ([{"drug": "aspirin", "start": "2020-01-01", "end": "2021-01-01"},
      {"drug": "clopidogrel", "start": "2020-01-01", "end": "2021-01-01"}], "pass"),  # not current
])
def test_dual_antiplatelet_therapy_needs_two_drugs_of_the_class_now(treatments, status):
    text = ("Current treatment with anticoagulants (e.g., warfarin, rivaroxaban, apixaban) or with dual antiplatelet "
            "therapy (e.g., aspirin plus clopidogrel)")
    assert _status(text, "exclusion", {"treatments": treatments}).status == status


@pytest.mark.parametrize("edss, onset, expected", [
    (6.0, "2014-06-01", "pass"),  # 12 years, under the 15 of EDSS 5.5-6.5
    (4.0, "2014-06-01", "fail"),  # 12 years, over the 10 of EDSS 5.0 or below
    (4.0, "2020-06-01", "pass"),
])
def test_a_duration_by_edss_stratum_in_nested_items(edss, onset, expected):
    # the items were read as three EDSS requirements in an all-of: no patient could meet them
    text = ("Inclusion Criteria:\n\n* Length of disease from the onset of MS symptoms, according to the EDSS score at "
            "screening:\n\n  * less than 10 years in participants with an EDSS of 5.0 or below\n  * less than 15 years "
            "in participants with an EDSS of 5.5 to 6.5\n  * less than 20 years in participants with an EDSS of 7.0 "
            "to 8.0\n")
    ruleset = compile_trial(Trial(id="T", source="test", source_format="text", criteria_text=text))
    patient = parse_patient({"id": "x", "symptom_onset_date": onset,
                             "edss": [{"date": "2026-10-01", "score": edss}]})
    (criterion,) = screen(ruleset, patient, date(2026, 11, 1)).criteria
    assert criterion.status == expected
    from .test_columnar import _mismatches

    assert _mismatches([patient], [ruleset], date(2026, 11, 1)) == []


@pytest.mark.parametrize("conditions, status", [
    ([{"name": "optic neuritis", "onset": "2026-10-25"}], "pass"),  # 7 days before the reference date
    ([{"name": "optic neuritis", "onset": "2026-09-01"}], "fail"),  # still active, but begun long before the window
    ([{"name": "optic neuritis"}], "unknown"),  # active, onset not recorded: no guess
    ([{"name": "optic neuritis", "onset": "2026-10-25", "resolved": "2026-10-28"}], "fail"),  # over
    ([], "fail"),
])
def test_a_required_acute_episode_with_an_onset_window_checks_the_onset(conditions, status):
    # an active episode had met the window whatever its onset: a patient whose optic neuritis began two months ago
    # passed "onset of symptoms within the 14 days before Day 1"
    text = "Acute optic neuritis, with onset of visual symptoms within the 14 days before Day 1."
    criterion = _status(text, "inclusion", {"conditions": conditions}, as_of=date(2026, 11, 1))
    assert criterion.status == status
    if status == "fail" and conditions and "resolved" not in conditions[0]:
        assert "began on 2026-09-01" in criterion.reason


@pytest.mark.parametrize("onset, status", [("2026-10-25", "fail"), ("2026-01-01", "fail"), (None, "fail")])
def test_an_excluded_active_condition_in_a_window_is_excluded_whatever_its_onset(onset, status):
    text = "Active infection within the 2 weeks before screening."
    condition = {"name": "pneumonia", **({"onset": onset} if onset else {})}
    assert _status(text, "exclusion", {"conditions": [condition]}, as_of=date(2026, 11, 1)).status == status
