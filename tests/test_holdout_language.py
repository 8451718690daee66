"""Registry language the hold-out records (tests/holdout/) showed the compiler misreading.

Each class of mismatch found on the unseen records was fixed by a general rule or lexicon entry; each is checked
here on at least two phrasings, one of them written the way other MS trials put it, so that the fix is about the
language and not about one sentence.
"""

from __future__ import annotations

import re
from datetime import date

import pytest

from matcher.api import parse_patient
from matcher.compile import compile_criterion, compile_text, compile_trial
from matcher.compile.nlp import find_entities
from matcher.evaluate import screen
from matcher.models.rules import CompiledCriterion, RuleSet
from matcher.models.trial import Trial
from matcher.evalcompiler import _flatten
from matcher.segment import segment

from .conftest import compiled_rules as rules, criterion_with, one_compiled as one


# --- labs: units and numbers ---------------------------------------------------------------------------

@pytest.mark.parametrize("text, test, value", [
    ("Platelet count < 150 x 10^9/L at screening", "platelets", 150),
    ("absolute neutrophil count < 1.5 ×10⁹/L", "neutrophils", 1.5),
    ("WBC < 3.5 X 10^9/l", "white_blood_cells", 3.5),
])
def test_a_count_in_multiples_of_ten_to_the_ninth_keeps_its_unit(text, test, value):
    """The "x" of "x 10^9/L" is a multiplication sign, not the unit."""
    lab = one(text, "lab")
    assert (lab["test"], lab["comparator"], lab["value"], lab["unit"]) == (test, "<", value, "10^9/L")


@pytest.mark.parametrize("text, value", [
    ("Platelet count <150 000/μL at the screening visit.", 150000),
    ("Absolute neutrophil count < 1 500/µL", 1500),
])
def test_a_space_between_thousands_is_one_number(text, value):
    lab = one(text, "lab")
    assert (lab["value"], lab["unit"]) == (value, "/µL")


@pytest.mark.parametrize("text, value, unit", [
    ("Platelets below 100 000 per µL", 100000, "/µL"),
    ("Neutrophil count < 1500 per mm3", 1500, "/mm3"),
])
def test_a_unit_written_with_per(text, value, unit):
    lab = one(text, "lab")
    assert (lab["comparator"], lab["value"], lab["unit"]) == ("<", value, unit)


# --- age, weight -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, low, high", [
    ("The participant must be 18 to 55 years of age, inclusive, at the time of signing the informed consent.", 18, 55),
    ("Aged 12 to 17 years at the time of signing informed consent", 12, 17),
])
def test_consent_that_only_dates_the_age_is_not_an_administrative_criterion(text, low, high):
    compiled = compile_text(text, "inclusion", "X1")
    assert [r.kind for r in compiled] == ["age"]
    assert (compiled[0].years.low, compiled[0].years.high) == (low, high)


def test_a_consent_criterion_stays_administrative():
    (rule,) = compile_text("Signed informed consent form", "inclusion", "X1")
    assert rule.kind == "manual_review" and rule.category == "administrative"


@pytest.mark.parametrize("text", ["Weight between 40 and 120 kg, inclusive.", "Body weight of 40 to 120 kg"])
def test_a_weight_range(text):
    rule = one(text, "weight", "inclusion")
    assert (rule["kg"]["low"], rule["kg"]["high"]) == (40, 120)


def test_a_weight_change_is_not_a_weight():
    assert rules("Weight loss of more than 10 kg in the last 3 months", kind="weight") == []


# --- vaccines --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, value, unit", [
    ("Recipient of a live (attenuated) vaccine within 2 months before the first treatment visit.", 2, "months"),
    ("Live (attenuated) vaccines within 4 weeks prior to the first dose of study drug", 4, "weeks"),
])
def test_live_attenuated_in_a_parenthesis_and_the_first_treatment_anchor(text, value, unit):
    rule = one(text, "live_vaccine")
    assert rule["window"]["within"] == {"value": value, "unit": unit}
    assert rule["window"]["anchor"] == "first_dose"


@pytest.mark.parametrize("text", [
    "Have received any live or live-attenuated vaccines (including for varicella-zoster virus or measles) "
    "within 2 months prior to randomization.",
    "Live vaccines, e.g. for yellow fever or herpes zoster, within 4 weeks before baseline",
])
def test_what_a_vaccine_protects_against_is_not_a_condition_of_the_patient(text):
    assert rules(text, kind="condition") == []
    assert one(text, "live_vaccine")["window"] is not None


def test_a_history_of_the_disease_is_still_a_condition():
    assert one("History of herpes zoster", "condition")["conditions"] == ["herpes_zoster"]


# --- lexicon: word order, abbreviations in parentheses, synonyms ----------------------------------------

@pytest.mark.parametrize("text, condition", [
    ("Diabetes mellitus type 1.", "type_1_diabetes"),
    ("Type I diabetes", "type_1_diabetes"),
    ("Diabetes type 2 treated with insulin", "type_2_diabetes"),
    ("Presence of liver injury at screening", "liver_disease"),
    ("Drug-induced hepatic injury", "liver_disease"),
])
def test_condition_synonyms(text, condition):
    assert one(text, "condition")["conditions"] == [condition]


@pytest.mark.parametrize("text", [
    "Previous treatment with a Bruton's tyrosine kinase (BTK) inhibitor.",
    "Prior exposure to Bruton tyrosine kinase (BTK) inhibitors",
])
def test_a_class_name_with_its_abbreviation_in_a_parenthesis(text):
    assert one(text, "prior_drug")["classes"] == ["btk_inhibitor"]


def test_t_lymphocyte_vaccinations():
    rule = one("a history of T-lymphocyte or T-lymphocyte-receptor vaccination", "prior_drug")
    assert set(rule["drugs"]) == {"t_cell_vaccination", "t_cell_receptor_vaccination"}
    assert one("Prior T-lymphocyte vaccination", "prior_drug")["drugs"] == ["t_cell_vaccination"]


def test_an_optic_neuropathy_is_not_a_polyneuropathy():
    assert one("Known ischaemic or chronic optic neuropathy", "condition")["conditions"] == ["optic_neuropathy"]
    assert one("Peripheral neuropathy", "condition")["conditions"] == ["polyneuropathy"]


@pytest.mark.parametrize("text", [
    "Corticosteroid treatment (intravenous or oral) for an MS relapse within 3 months prior to baseline.",
    "IV or oral steroids within 30 days of screening",
])
def test_corticosteroids_by_the_systemic_routes_are_systemic(text):
    assert one(text, "washout")["classes"] == ["systemic_corticosteroid"]
    assert rules(text, kind="relapse_activity") == []  # the relapse is what the steroids treated


# --- conditions: modifiers sharing a head -----------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "Patients with active systemic bacterial, viral or fungal infections",
    "Active bacterial, viral, or fungal infection at screening",
])
def test_every_modifier_of_a_list_takes_the_shared_head(text):
    assert set(one(text, "condition")["conditions"]) == {"bacterial_infection", "viral_infection", "fungal_infection"}


# --- treatments: current use, lists with a window per item --------------------------------------------

@pytest.mark.parametrize("text", [
    "The participant has a known bleeding disorder, or is receiving anticoagulant or antiplatelet therapy "
    "(e.g. warfarin, apixaban, clopidogrel), except aspirin up to 81 mg/day.",
    "Patients who are receiving warfarin or a DOAC",
])
def test_is_receiving_means_now(text):
    assert one(text, "prior_drug")["current"] is True


def test_have_received_means_ever():
    assert one("Patients who have received natalizumab", "prior_drug")["current"] is False


def _compiled_list(text):
    (criterion,) = segment(text)
    return _flatten(compile_criterion(criterion).rules)


@pytest.mark.parametrize("text, anchor", [
    ("Exclusion Criteria:\n- The participant has received any of the following medications/procedures within the "
     "specified timeframes before randomization:\n    - Natalizumab: 6 months\n    - Fingolimod or siponimod: 6 weeks\n"
     "    - Cladribine or mitoxantrone: any time\n", "randomization"),
    ("Exclusion Criteria:\n- Use of the following therapies prior to Day 1:\n    - natalizumab: 6 months\n"
     "    - fingolimod or siponimod: 6 weeks\n    - cladribine or mitoxantrone: any time\n", "baseline"),
])
def test_list_items_give_their_windows_and_take_the_parents_anchor(text, anchor):
    found = _compiled_list(text)
    washouts = {tuple(r["drugs"]): r["window"] for r in found if r["kind"] == "washout"}
    assert washouts[("natalizumab",)]["within"] == {"value": 6, "unit": "months"}
    assert washouts[("fingolimod", "siponimod")]["within"] == {"value": 6, "unit": "weeks"}
    assert {w["anchor"] for w in washouts.values()} == {anchor}
    (ever,) = [r for r in found if r["kind"] == "prior_drug"]
    assert set(ever["drugs"]) == {"cladribine", "mitoxantrone"}


def test_an_item_with_an_anchor_of_its_own_keeps_it():
    found = _compiled_list("Exclusion Criteria:\n- Treatment before randomization with:\n"
                           "    - natalizumab within 6 months prior to screening\n    - rituximab: 12 months\n")
    anchors = {r["drugs"][0]: r["window"]["anchor"] for r in found if r["kind"] == "washout"}
    assert anchors == {"natalizumab": "screening", "rituximab": "randomization"}


# --- disease activity ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, anchor", [
    ("At least 1 MS relapse (or attack) during the previous year, or 2 relapses during the previous 2 years, or "
     "evidence of 1 or more Gd-enhancing lesions on MRI within 6 months prior to randomization.", "randomization"),
    ("One relapse in the past 12 months or two relapses in the past 24 months before baseline", "baseline"),
])
def test_a_window_without_an_anchor_takes_the_one_its_sentence_states(text, anchor):
    relapses = rules(text, "inclusion", "relapse_activity")
    assert sorted(r["min_count"] for r in relapses) == [1, 2]
    assert {r["window"]["anchor"] for r in relapses} == {anchor}


@pytest.mark.parametrize("text", [
    "At least: 1 relapse during the previous 1 year OR 2 relapses during the previous 2 years prior to screening",
    "1 relapse in the last 1 year or 2 relapses in the last 2 years",
])
def test_a_relapse_count_is_the_nearest_number(text):
    relapses = rules(text, "inclusion", "relapse_activity")
    assert sorted((r["min_count"], r["window"]["within"]["value"]) for r in relapses) == [(1, 1), (2, 2)]


@pytest.mark.parametrize("text", [
    "a positive Gd-enhancing MRI scan during the year prior to randomization",
    "at least one gadolinium-enhancing lesion in the year before randomization",
])
def test_the_year_prior_to_an_anchor(text):
    mri = one(text, "mri_activity", "inclusion")
    assert mri["window"]["within"] == {"value": 1, "unit": "years"} and mri["window"]["anchor"] == "randomization"


# --- subtypes ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "Relapsing MS: relapsing-remitting course (RRMS), or secondary progressive (SPMS) course with disease activity, "
    "as defined by Lublin et al. 2014.",
    "Relapsing-remitting MS or active secondary progressive MS",
    "Diagnosis of RRMS or SPMS with superimposed relapses",
])
def test_activity_asked_of_one_subtype_only(text):
    subtype_rules = rules(text, "inclusion", "ms_subtype")
    assert sorted((r["subtypes"], r["active_only"]) for r in subtype_rules) == [(["RRMS"], False), (["SPMS"], True)]
    (group,) = [r for r in compile_text(text, "inclusion", "X1") if r.kind == "group"]
    assert group.mode == "any"


def test_activity_asked_of_every_subtype_stays_one_rule():
    (rule,) = rules("RRMS with recent relapses or SPMS with disease activity", "inclusion", "ms_subtype")
    assert set(rule["subtypes"]) == {"RRMS", "SPMS"}


@pytest.mark.parametrize("text", [
    "Diagnosis of multiple sclerosis, relapsing form, per McDonald 2017 criteria",
    "MS with a relapsing form of the disease",
])
def test_a_relapsing_form_named_after_the_diagnosis_is_the_relapsing_subtypes(text):
    # only the diagnosis was read: a PPMS patient met the criterion
    rule = one(text, "ms_subtype", "inclusion")
    assert (rule["subtypes"], rule["active_only"]) == (["CIS", "RRMS", "SPMS"], True)


@pytest.mark.parametrize("text", [
    "Patients with primary progressive MS (Polman et al. 2011) or SPMS without disease activity (Lublin et al. 2014).",
    "Non-relapsing secondary progressive MS or primary progressive MS",
])
def test_an_inactive_subtype_is_not_the_whole_subtype(text):
    """Excluding all SPMS would turn away the active SPMS the trial takes."""
    assert one(text, "ms_subtype")["subtypes"] == ["PPMS"]


@pytest.mark.parametrize("text, version", [
    ("Diagnosis of MS as defined by the 2012 International Pediatric Multiple Sclerosis Study Group (IPMSSG) criteria.",
     "IPMSSG 2012"),
    ("Pediatric MS according to the IPMSSG criteria (2013)", "IPMSSG 2013"),
    ("Diagnosis of MS according to IPMSSG criteria", "IPMSSG"),
])
def test_the_pediatric_criteria_revision(text, version):
    compiled = compile_text(text, "inclusion", "X1")
    assert [r.kind for r in compiled] == ["ms_diagnosis"]
    assert compiled[0].criteria_version == version


@pytest.mark.parametrize("text, edss", [
    ("Disease duration of more than 10 years in patients with an EDSS score of 2 or less.", 2),
    ("Disease duration of more than 10 years in participants with EDSS ≤ 3.0", 3),
])
def test_a_duration_for_an_edss_stratum_is_not_an_edss_rule(text, edss):
    assert rules(text, kind="edss") == []
    rule = one(text, "disease_duration")
    assert rule["when"]["edss"]["high"] == edss and rule["years"]["low"] == 10


# --- dates after the study drug --------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "Women of child-bearing potential, unless they are using highly effective methods of contraception during "
    "dosing and for 6 months after stopping investigational drug.",
    "Female participants must use contraception until 3 months after the last dose of the investigational product",
])
def test_the_period_after_the_study_drug_is_not_an_investigational_exposure(text):
    found = rules(text)
    assert [r["kind"] for r in found] == ["contraception"]
    assert not [r for r in compile_text(text, "exclusion", "X1") if r.kind == "manual_review"]


# --- fourth hold-out round: ages, bounds, consent dates ---------------------------------------------------------

@pytest.mark.parametrize("text, section, expected", [
    ("Age 18 through 50 years (inclusive) as of the date the informed consent is signed.", "inclusion",
     ("require", 18, 50)),
    ("Patients younger than 18", "exclusion", ("exclude", None, 18)),
])
def test_ages_in_more_words(text, section, expected):
    # the first went to a person whole (the consent date read as a consent criterion); "younger" was no age word
    rule = one(text, "age", section)
    assert (rule["polarity"], rule["years"]["low"], rule["years"]["high"]) == expected


@pytest.mark.parametrize("text", [
    "Participants younger than 12 years of age must be pubertal (Tanner stage ≥ 2) at screening",
    "AST or ALT ≥ 2.0 × the age-specific upper limit of normal.",
    "Resting heart rate below 60 bpm (participants aged 10 or 11 years) or below 55 bpm (participants aged 12 years "
    "or older)",
])
def test_an_age_that_says_whom_a_bound_is_for_is_no_age_rule(text):
    # these gave "age >= 2", "age >= 2" and "age < 60": every adult, or every participant, excluded or required
    assert rules(text, "exclusion", "age") == [] and rules(text, "inclusion", "age") == []


def test_no_more_than_a_time_before_is_within_it_not_a_gap():
    # read as "more than 14 days before": the optic neuritis the trial enrols became an exclusion (polarity error)
    (rule,) = rules("Acute unilateral optic neuritis, with onset of visual symptoms no more than 14 days before "
                    "randomization.", "inclusion", "condition")
    assert (rule["polarity"], rule["window"]["within"]) == ("require", {"value": 14, "unit": "days"})


def test_attacks_counted_before_the_consent_date():
    found = rules("At least 2 attacks of MS in the 2 years before the date of informed consent, with at least 1 attack "
                  "in the year before", "inclusion", "relapse_activity")
    assert [(r["min_count"], r["window"]["within"]) for r in found] == \
        [(2, {"value": 2, "unit": "years"}), (1, {"value": 1, "unit": "years"})]


@pytest.mark.parametrize("text, high, low", [
    ("Onset of MS symptoms no more than 20 years before screening.", 20, None),
    ("Disease duration of two to ten years from the first reported symptoms of MS.", 10, 2),
])
def test_a_duration_from_the_first_symptoms_is_measured_from_onset(text, high, low):
    rule = one(text, "disease_duration", "inclusion")
    assert (rule["years"]["low"], rule["years"]["high"], rule["measured_from"]) == (low, high, "onset")


@pytest.mark.parametrize("text, expected", [
    ("Serum IgG, IgA or IgM below the age-appropriate lower limit of normal.",
     [("igg", "<", 1, "xLLN"), ("iga", "<", 1, "xLLN"), ("igm", "<", 1, "xLLN")]),
    ("AST or ALT ≥ 2.0 × the age-specific upper limit of normal.", [("ast", ">=", 2, "xULN"), ("alt", ">=", 2, "xULN")]),
    ("CD4+ T-cell count below the age-adjusted lower limit of normal", [("cd4_count", "<", 1, "xLLN")]),
    ("White blood cell count < 3,500/mm³ or lymphocyte count < 800/mm³",
     [("white_blood_cells", "<", 3500, "/mm³"), ("lymphocytes", "<", 800, "/mm³")]),
])
def test_reference_limits_qualified_by_age_and_units_with_superscripts(text, expected):
    # the qualified limits were read as "2.0 U/L" or not at all; "/mm³" lost its cube (the evaluator's
    # conversions know "/mm³", not "/mm")
    assert [(r["test"], r["comparator"], r["value"], r["unit"]) for r in rules(text, "exclusion", "lab")] == expected


@pytest.mark.parametrize("text, condition, timing, bound", [
    ("Diabetes mellitus with an HbA1c of 8% (64 mmol/mol) or higher at screening.", "diabetes_mellitus", "current",
     (">=", 8)),
    ("History of type 1 diabetes, or type 2 diabetes with a screening HbA1c above 9%.", "type_2_diabetes", "any",
     (">", 9)),
])
def test_a_condition_with_a_lab_bound_excludes_only_with_it(text, condition, timing, bound):
    # the condition was a rule of its own: every diabetic excluded, whatever the HbA1c
    (group,) = [r for r in compile_text(text, "exclusion", "X1") if r.kind == "group"]
    assert (group.mode, group.polarity) == ("all", "exclude")
    cond, lab = group.rules
    assert (cond.kind, cond.polarity, cond.conditions, cond.timing) == ("condition", "require", [condition], timing)
    assert (lab.kind, lab.polarity, lab.test, lab.comparator, lab.value) == ("lab", "require", "hba1c", *bound)


@pytest.mark.parametrize("text, section", [
    ("A negative serum β-hCG pregnancy test at screening, and not breastfeeding", "inclusion"),
    ("Current or planned pregnancy, or breastfeeding.", "exclusion"),
])
def test_pregnancy_in_more_words(text, section):
    # both read as breastfeeding only: a pregnant patient passed
    rule = one(text, "pregnancy", section)
    assert (rule["polarity"], rule["pregnant"], rule["breastfeeding"]) == ("exclude", True, True)


def _one_criterion(text: str, section: str, rules: list) -> RuleSet:
    """A rule set of one criterion holding ``rules``."""
    criterion = CompiledCriterion(id="X1", section=section, text=text, span=(0, len(text)), rules=rules,
                                  coverage="full")
    return RuleSet(trial_id="T", compiler_version="test", criteria_text=text, criteria=[criterion])


def test_a_lab_bound_for_each_sex_applies_to_that_sex():
    # the men's bound was lost and the value after it went to the next lab of the list
    text = ("Any of the following at screening: hemoglobin < 11 g/dL in women or < 12 g/dL in men; platelets < "
            "150,000/mm³")
    found = [r for r in compile_text(text, "exclusion", "X1") if r.kind == "lab"]
    assert [(r.test, r.value, r.unit, r.when.sex if r.when else None) for r in found] == [
        ("haemoglobin", 11, "g/dL", "female"), ("haemoglobin", 12, "g/dL", "male"), ("platelets", 150000, "/mm³", None)]
    man = parse_patient({"id": "m", "sex": "male", "labs": [{"test": "haemoglobin", "value": 11.5, "unit": "g/dL",
                                                              "date": "2026-11-01"}]})
    ruleset = _one_criterion(text, "exclusion", found)
    result = screen(ruleset, man, date(2026, 11, 2))
    assert result.verdict == "ineligible"  # 11.5 g/dL: above the women's bound, below the men's
    woman = parse_patient({"id": "w", "sex": "female", "labs": [{"test": "haemoglobin", "value": 11.5, "unit": "g/dL",
                                                                  "date": "2026-11-01"}]})
    assert screen(ruleset, woman, date(2026, 11, 2)).verdict != "ineligible"


# --- after the fourth round: two-sided bounds in words, doses, cell-therapy time points ----------------------------

@pytest.mark.parametrize("text, kind, field, expected", [
    ("Patient weighing at least 40 kg and no more than 130 kg.", "weight", "kg", (40, 130)),
    ("Body weight of at least 35 kg but not more than 120 kg at screening", "weight", "kg", (35, 120)),
    ("Aged at least 18 years and no older than 55 years.", "age", "years", (18, 55)),
])
def test_a_lower_bound_closed_by_an_upper_one_in_words(text, kind, field, expected):
    # "weighing" was no weight word; the upper bound after "and no more than" was lost
    rule = one(text, kind, "inclusion")
    assert (rule[field]["low"], rule[field]["high"]) == expected


@pytest.mark.parametrize("text", [
    "Vitamin D supplementation of more than 400 IU/day during the 3 months before inclusion",
    "Intake of vitamin D above 1000 IU per day",
])
def test_a_dose_is_not_a_lab_level(text):
    # read as a 25(OH)D level of 400 "IU/day": a patient with any vitamin D level was screened on a dose
    assert rules(text, "exclusion", "lab") == []


@pytest.mark.parametrize("text, anchor", [
    ("Receipt of a live vaccine in the 6 weeks before the planned start of lymphodepleting chemotherapy.",
     "first_dose"),
    ("Live attenuated vaccines within 4 weeks prior to the conditioning regimen", "first_dose"),
    ("Anti-CD20 therapy within 4 months before leukapheresis", "enrollment"),
])
def test_cell_therapy_time_points_are_anchors(text, anchor):
    found = [r for r in rules(text, "exclusion") if r["kind"] != "manual_review"]
    assert [r["window"]["anchor"] for r in found] == [anchor]
    assert not any("cytapheresis" in r.get("drugs", []) for r in found)  # the time point is no exposure


@pytest.mark.parametrize("text", [
    "Adequate venous access for leukapheresis, or agreement to placement of a temporary central venous catheter.",
    "Considered fit for stem cell mobilisation and leukapheresis",
])
def test_a_procedure_the_patient_is_fit_for_is_no_exposure(text):
    assert not [r for r in rules(text, "inclusion") if r["kind"] in ("prior_drug", "washout")]


def test_elimination_half_lives():
    rule = one("Use of other investigational drugs within 30 days or five elimination half-lives of enrollment, "
               "whichever is longer.", "investigational")
    assert (rule["window"]["within"]["value"], rule["window"]["half_lives"], rule["window"]["anchor"]) == \
        (30, 5, "enrollment")


# --- relapses asked of one subtype; sub-items that spell out the parent's subtype ----------------------------------

def test_an_excluded_subtype_with_relapses_excludes_only_its_active_patients():
    # read as "exclude RRMS and SPMS" and "exclude any relapse": every SPMS patient was excluded
    text = ("Patient with relapsing-remitting MS, or with secondary progressive MS with one or more relapses in the 2 "
            "years before inclusion.")
    found = rules(text, "exclusion")
    assert [(r["kind"], r.get("subtypes"), (r.get("when") or {}).get("subtypes")) for r in found] == [
        ("ms_subtype", ["RRMS"], None), ("relapse_activity", None, ["SPMS"])]


@pytest.mark.parametrize("text, within", [
    ("Primary progressive MS, or secondary progressive MS without evidence of relapse in the last 2 years",
     (2, "years")),
    ("PPMS or SPMS without relapses in the past 24 months", (24, "months")),
])
def test_an_excluded_subtype_without_relapses_is_that_subtype_and_no_relapse(text, within):
    group = next(r for r in compile_text(text, "exclusion", "X1") if r.kind == "group")
    subtype, relapse = group.rules
    assert (group.mode, group.polarity) == ("all", "exclude")
    assert (subtype.kind, subtype.polarity, subtype.subtypes) == ("ms_subtype", "require", ["SPMS"])
    assert (relapse.kind, relapse.polarity, relapse.window.within.value, relapse.window.within.unit) == (
        "relapse_activity", "exclude", *within)
    assert [r["subtypes"] for r in rules(text, "exclusion", "ms_subtype")] == [["PPMS"], ["SPMS"]]


def test_without_relapses_and_no_window_goes_to_a_person():
    # the "a" inside "secondary" was read as a count: "require a relapse" for every patient
    found = compile_text("Primary progressive MS, or secondary progressive MS without relapses.", "exclusion", "X1")
    assert [(r.kind, getattr(r, "subtypes", None)) for r in found] == [("ms_subtype", ["PPMS"]),
                                                                        ("manual_review", None)]


def test_relapse_free_opens_its_subtypes_clause():
    text = ("Patient with primary progressive MS or relapse-free secondary progressive MS (no relapse within the last "
            "2 years) according to the revised McDonald criteria (2010).")
    (relapse,) = rules(text, "inclusion", "relapse_activity")
    assert (relapse["polarity"], relapse["when"]["subtypes"], relapse["window"]["within"]) == (
        "exclude", ["SPMS"], {"value": 2, "unit": "years"})
    assert not rules(text, "inclusion", "manual_review")  # the PPMS clause asks no activity


def test_activity_after_the_whole_list_is_every_subtypes():
    text = ("Diagnosis of progressive MS, either secondary progressive (SPMS) or primary progressive (PPMS), by the "
            "2010 McDonald criteria, with no clinical relapse in the 2 years before screening")
    (relapse,) = rules(text, "inclusion", "relapse_activity")
    assert relapse.get("when") is None


def _ruleset_of(criteria_text):
    from matcher.compile import compile_trial
    from matcher.models.trial import Trial

    return compile_trial(Trial(id="T1", source="test", source_format="text", criteria_text=criteria_text))


@pytest.mark.parametrize("items", [
    "  * primary progressive MS, or\n  * secondary progressive MS, with or without superimposed relapses",
    "  * PPMS, or\n  * SPMS",
])
def test_sub_items_that_spell_out_the_parents_subtype_are_one_rule(items):
    ruleset = _ruleset_of("Inclusion Criteria:\n\n* Diagnosis of progressive MS according to the 2017 revised "
                          f"McDonald criteria, either:\n\n{items}\n")
    found = [r for c in ruleset.criteria for r in _flatten(c.rules) if r["kind"] == "ms_subtype"]
    assert [(r["polarity"], r["subtypes"]) for r in found] == [("require", ["PPMS", "SPMS"])]


def test_two_of_the_following_goes_to_a_person_and_keeps_the_parents_subtype():
    # was an all-of group: oligoclonal bands required, though they are one of two-of-three
    ruleset = _ruleset_of(
        "Inclusion Criteria:\n\n* Diagnosis of primary progressive MS according to the 2005 revised McDonald "
        "criteria, i.e. at least one year of disease progression and two of the following three:\n\n"
        "  * positive brain MRI (nine T2 lesions)\n  * positive spinal cord MRI (two focal T2 lesions)\n"
        "  * positive CSF (oligoclonal bands or raised IgG index)\n")
    (criterion,) = ruleset.criteria
    assert [r.kind for r in criterion.rules] == ["ms_diagnosis", "ms_subtype", "manual_review"]
    assert criterion.rules[1].subtypes == ["PPMS"] and criterion.rules[1].when is None
    assert "oligoclonal bands" in criterion.rules[2].text  # the items a person checks


@pytest.mark.parametrize("text, tests", [
    ("Screening CD4+ T-cell count, CD8+ T-cell count, CD19+ B-cell count or absolute neutrophil count below the "
     "lower limit of normal.", ["cd4_count", "cd19_count", "neutrophils"]),
    ("Platelet count, IL-6 level or hemoglobin below the lower limit of normal", ["platelets", "haemoglobin"]),
])
def test_an_unknown_item_in_a_lab_list_goes_to_a_person_and_the_others_keep_the_bound(text, tests):
    # CD8 was dropped without a trace and CD4 lost its bound
    found = compile_text(text, "exclusion", "X1")
    assert [r.test for r in found if r.kind == "lab"] == tests
    (manual,) = [r for r in found if r.kind == "manual_review"]
    assert re.search(r"CD8|IL-6", manual.why)


# --- fifth hold-out round (measured first at a1568a6): negations, stopping and counting treatments, half-lives ------

def test_neither_nor_negates():
    # "be neither pregnant nor breast-feeding" required pregnancy (polarity error)
    rule = one("If female, the subject must use a hormonal contraceptive, intra-uterine device or condom for the "
               "duration of the study; and be neither pregnant nor breast-feeding", "pregnancy", "inclusion")
    assert rule["polarity"] == "exclude"


def test_a_contraceptive_named_as_a_method_is_no_exposure():
    text = ("If female, the subject must either be post-menopausal or surgically sterile, or use a hormonal "
            "contraceptive, intra-uterine device, diaphragm with spermicide or condom with spermicide")
    assert [r["kind"] for r in rules(text, "inclusion") if r["kind"] != "manual_review"] == ["contraception"]
    assert rules("Use of hormonal contraceptives", "exclusion", "prior_drug")  # an exposure stays one


def test_a_contraceptive_to_which_a_method_is_added_is_no_exposure():
    """'Note: women using hormonal contraception must add a barrier method' (an exclusion list) excluded every woman
    on hormonal contraception."""
    found = rules("Note: women using hormonal contraception must add a barrier method.", "exclusion")
    assert "prior_drug" not in [r["kind"] for r in found]
    assert ("contraception", "require") in [(r["kind"], r["polarity"]) for r in found]


@pytest.mark.parametrize("text", [
    "Unable to swallow capsules, or unable to undergo MRI without sedation",
    "Inability to undergo MRI",
])
def test_a_term_with_its_own_negation_is_not_negated_again(text):
    assert one(text, "condition")["polarity"] == "exclude"


def test_must_have_discontinued_means_not_on_it_now():
    rule = one("Subjects who were previously treated with a disease-modifying therapy must have discontinued it before "
               "randomization.", "prior_drug", "inclusion")
    assert (rule["polarity"], rule["classes"], rule["current"]) == ("exclude", ["dmt"], True)


@pytest.mark.parametrize("text, most", [
    ("Treatment-naive, or previously treated with no more than two disease-modifying therapies", 2),
    ("Have received at most 3 DMTs", 3),
])
def test_no_more_than_n_therapies_excludes_one_more(text, most):
    # was "require any prior DMT": every treatment-naive patient failed
    rule = one(text, "prior_drug", "inclusion")
    assert (rule["polarity"], rule["min_distinct"]) == ("exclude", most + 1)


@pytest.mark.parametrize("text", [
    "Participants receiving dalfampridine (fampridine) are eligible provided the dose has been stable for at least "
    "30 days before randomization.",
    "Patients on symptomatic therapies (for example dalfampridine, baclofen, tizanidine or modafinil) must have been "
    "on a stable dose for at least 30 days before baseline.",
])
def test_on_a_drug_only_if_stable_is_an_any_of(text):
    (group,) = [r for r in compile_text(text, "inclusion", "X1") if r.kind == "group"]
    assert group.mode == "any"
    assert [(r.polarity, r.current, r.min_duration.value if r.min_duration else None) for r in group.rules] == [
        ("exclude", True, None), ("require", True, 30)]


@pytest.mark.parametrize("text, anchor, days", [
    ("Have received an investigational drug within 5 half-lives of that drug before Day 1.", "baseline", 0),
    ("Use of other investigational drugs within 5 half-lives of enrollment, or within 30 days, whichever is longer.",
     "enrollment", 30),
    ("Receipt of an investigational drug within 12 weeks or 5 drug half-lives (whichever is longer) before screening",
     "screening", 84),
])
def test_half_lives_count_back_from_the_time_point_they_name(text, anchor, days):
    window = one(text, "investigational")["window"]
    within = window["within"]["value"] * {"days": 1, "weeks": 7}[window["within"]["unit"]]
    assert (window["anchor"], window["half_lives"], within) == (anchor, 5, days)


@pytest.mark.parametrize("text, weeks", [
    ("Treatment with interferon beta or glatiramer acetate within a fortnight before randomization", 2),
    ("Systemic corticosteroids within the past fortnight", 2),
])
def test_a_fortnight_is_two_weeks(text, weeks):
    assert one(text, "washout")["window"]["within"] == {"value": weeks, "unit": "weeks"}


def test_a_diagnosis_another_disorder_interferes_with_is_no_diagnosis_rule():
    # "exclude: diagnosis of MS" in an MS trial: every patient excluded
    text = ("Known presence of other neurological disorders that could interfere with the diagnosis or assessment of "
            "MS, such as ischaemic stroke, epilepsy or progressive multifocal leukoencephalopathy (PML)")
    assert not rules(text, "exclusion", "ms_diagnosis")


def test_not_recovered_from_a_relapse_goes_to_a_person():
    # was "require a relapse" (the negation of "has not stabilized" applied to a relapse count)
    found = compile_text("An MS relapse within the 50 days before randomization, or the participant has not "
                         "stabilized from a previous relapse", "exclusion", "X1")
    assert [(r.kind, r.polarity) for r in found] == [("relapse_activity", "exclude"), ("manual_review", "exclude")]


@pytest.mark.parametrize("text, second", [
    ("Evidence of recent disease activity, defined as at least 2 relapses in the previous 2 years or 1 in the "
     "previous year, or one or more gadolinium-enhancing lesions on a brain MRI within 6 months before "
     "randomization", {"value": 1, "unit": "years"}),
    ("At least 2 relapses in the previous 2 years, and 1 in the last 12 months", {"value": 12, "unit": "months"}),
])
def test_a_second_relapse_count_without_its_noun(text, second):
    # "or 1 in the previous year" was lost
    found = rules(text, "inclusion", "relapse_activity")
    assert [(r["min_count"], r["window"]["within"]) for r in found] == [(2, {"value": 2, "unit": "years"}),
                                                                        (1, second)]


def test_an_mri_in_the_same_period_takes_the_relapses_window():
    rule = one("At least one documented relapse in the 12 months before randomization, or at least one Gd+ lesion on "
               "an MRI in the same period", "mri_activity", "inclusion")
    assert rule["window"] == {"within": {"value": 12, "unit": "months"}, "anchor": "randomization", "half_lives": None}


@pytest.mark.parametrize("text", [
    "Active infection, or a serious infection requiring hospitalization or intravenous antibiotics within 30 days "
    "before screening",
    "Active infection requiring systemic antiviral, antifungal or antibacterial therapy within 14 days of Day 1",
    "Eligible to receive at least one of the disease-modifying therapies in each treatment arm",
])
def test_what_an_infection_needed_or_a_patient_may_receive_is_no_exposure(text):
    section = "inclusion" if text.startswith("Eligible") else "exclusion"
    assert not [r for r in rules(text, section) if r["kind"] in ("washout", "prior_drug")]


def test_an_exposure_after_what_an_infection_needed_keeps_its_own_window():
    (washout,) = rules("Infection requiring hospitalization or treatment with intravenous antibiotics within 4 weeks "
                       "prior to the Baseline visit or oral antibiotics within 2 weeks prior to the Baseline visit.",
                       "exclusion", "washout")
    assert (washout["classes"], washout["window"]["within"]) == (["antibiotic"], {"value": 2, "unit": "weeks"})


# --- after the fifth round: asides in ranges, exceptions after the sentence, stability judged by a person -------

@pytest.mark.parametrize("text, low, high", [
    ("Expanded Disability Status Scale (EDSS) score from 1.0 (no disability, minimal signs) to 7.0 (restricted to a "
     "wheelchair), inclusive.", 1.0, 7.0),
    ("EDSS between 2.0 (minimal disability in one functional system) and 6.5 (walks with a cane) at screening", 2.0, 6.5),
])
def test_an_aside_without_a_number_inside_a_range(text, low, high):
    compiled = compile_text(text, "inclusion", "X1")
    assert [r.kind for r in compiled] == ["edss"]  # the asides belong to the range: nothing left for a person
    assert (compiled[0].score.low, compiled[0].score.high) == (low, high)


@pytest.mark.parametrize("text", ["EDSS at screening (≤ 5.5)", "EDSS at screening (no more than 5.5)"])
def test_an_aside_with_a_number_is_not_blanked(text):
    # the bound itself stands in the parenthesis: read as a gloss, it would be lost
    rule = one(text, "edss", "inclusion")
    assert (rule["score"]["low"], rule["score"]["high"]) == (None, 5.5)


@pytest.mark.parametrize("text, exceptions", [
    ("History of cancer within 10 years of screening. Basal or squamous cell carcinoma of the skin that has been "
     "excised, and carcinoma in situ of the cervix treated more than 1 year before screening, are not exclusionary.",
     ["non_melanoma_skin_cancer", "cervical_carcinoma_in_situ"]),
    ("History of malignancy within 5 years. Exceptions: adequately treated basal cell carcinoma and carcinoma in situ "
     "of the cervix.", ["basal_cell_carcinoma", "cervical_carcinoma_in_situ"]),
    ("Malignancy in the last 5 years; adequately treated basal cell carcinoma of the skin does not exclude",
     ["basal_cell_carcinoma"]),
    ("Any malignancy within 5 years (other than in situ cervical cancer)", ["cervical_carcinoma_in_situ"]),
])
def test_exceptions_stated_after_the_sentence_or_the_semicolon(text, exceptions):
    rule = one(text, "condition")
    assert (rule["conditions"], rule["exceptions"]) == (["malignancy"], exceptions)
    assert rule["window"]["within"]["value"] in (5, 10)  # the exception's "more than 1 year" is not the rule's window


@pytest.mark.parametrize("text, section, kinds", [
    ("Relapse-free for at least 30 days before screening and neurologically stable in the investigator's opinion",
     "inclusion", ["relapse_activity"]),
    ("Relapse-free for the 30 days before screening and, in the investigator's judgement, stabilized from any previous "
     "relapse", "inclusion", ["relapse_activity"]),
    ("Diagnosis of multiple sclerosis for at least six months, clinically stable in the investigator's opinion, with an "
     "EDSS of 6.5 or lower", "inclusion", ["edss", "disease_duration", "ms_diagnosis"]),
    ("History of PML or other opportunistic infections, or an increased risk of PML as determined by the investigator.",
     "exclusion", ["condition"]),
])
def test_an_item_left_to_the_investigator_beside_items_stated_plainly(text, section, kinds):
    compiled = compile_text(text, section, "X1")
    assert [r.kind for r in compiled] == [*kinds, "manual_review"]
    assert compiled[-1].category == "partial" and "investigator" in compiled[-1].why


@pytest.mark.parametrize("text, section", [
    # a relation over the whole list, an exclusion's conjunct, an item not set apart: judgement throughout
    ("History of cardiac disease or arrhythmia that in the opinion of the investigator would interfere with the study",
     "exclusion"),
    ("Infection within 30 days and, in the opinion of the investigator, not fully resolved", "exclusion"),
    ("Age 18 to 55 and in good general health in the opinion of the investigator", "inclusion"),
])
def test_a_judgement_not_confined_to_one_item_takes_the_whole_criterion(text, section):
    (rule,) = compile_text(text, section, "X1")
    assert (rule.kind, rule.category) == ("manual_review", "judgement")


def test_an_edss_after_a_comma_is_required_not_a_condition_of_the_duration():
    duration = one("Diagnosis of MS for at least six months, with an EDSS of 6.5 or lower", "disease_duration",
                   "inclusion")
    assert duration["when"] is None
    conditional = one("Disease duration of less than 15 years if the screening EDSS score is above 5.0",
                      "disease_duration", "inclusion")
    assert conditional["when"]["edss"]["low"] == 5.0
    assert rules("Disease duration of less than 15 years if the screening EDSS score is above 5.0", "inclusion",
                 "edss") == []


@pytest.mark.parametrize("text, sex", [
    ("For male participants: agreement to remain abstinent or to use a condom during the treatment period", "male"),
    ("Male participants with female partners of childbearing potential must use condoms", "male"),
    ("Women of childbearing potential and men with partners of childbearing potential must agree to use effective "
     "contraception", None),
])
def test_contraception_asked_of_men_only(text, sex):
    rule = one(text, "contraception", "inclusion")
    assert (rule["when"] or {}).get("sex") == sex


@pytest.mark.parametrize("text, classes, minimum", [
    ("Treated with two or more antiplatelet agents", ["antiplatelet"], 2),
    ("Patients on dual antiplatelet therapy", ["antiplatelet"], 2),
])
def test_a_number_of_drugs_of_a_class_taken_together(text, classes, minimum):
    rule = one(text, "prior_drug")
    assert (rule["classes"], rule["min_distinct"]) == (classes, minimum)


def test_a_combination_beside_a_class_is_a_rule_of_its_own():
    found = rules("Current treatment with anticoagulants (e.g., warfarin) or with dual antiplatelet therapy (e.g., "
                  "aspirin plus clopidogrel)", kind="prior_drug")
    assert [(r["classes"], r["drugs"], r["min_distinct"]) for r in found] == [
        (["anticoagulant"], ["warfarin"], 1), (["antiplatelet"], [], 2)]  # aspirin alone does not exclude


def test_a_systemic_class_named_across_its_dose():
    rule = one("Systemic high-dose corticosteroid therapy (e.g., IV methylprednisolone 1 g/day) within 4 weeks before "
               "screening", "washout")
    assert (rule["classes"], rule["qualifier"]) == (["systemic_corticosteroid"], "high-dose")


# --- sixth hold-out round (measured first at 82dfeb9) -----------------------------------------------------------

@pytest.mark.parametrize("text, section, polarity", [
    ("No systemic disease other than multiple sclerosis that might be the cause of the optic neuritis (for example "
     "sarcoidosis, systemic lupus erythematosus, syphilis or Lyme disease)", "inclusion", "exclude"),
    ("Without any other inflammatory disease of the nervous system that could explain the symptoms (e.g. "
     "sarcoidosis)", "inclusion", "exclude"),
    # a negation that is part of a term does not reach the examples
    ("Inability to undergo the baseline MRI scan (e.g. pacemaker, metallic implants or claustrophobia)", "exclusion",
     "exclude"),
])
def test_examples_take_the_negation_opening_their_general_term(text, section, polarity):
    # the polarity error of the sixth round: the examples of a general term far from its "No" were required
    found = rules(text, section, "condition")
    assert found and {r["polarity"] for r in found} == {polarity}


@pytest.mark.parametrize("text, expected", [
    ("Unable to undergo brain MRI at study entry (e.g. cardiac pacemaker, aneurysm clip, claustrophobia)",
     ["mri_contraindication"]),
    ("Inability to successfully undergo MRI scanning.", ["mri_contraindication"]),
    ("Not able to tolerate a magnetic resonance imaging examination", ["mri_contraindication"]),
    ("Inability to complete the baseline MRI scan.", []),  # a study procedure
    ("Inability to undergo an MRI without sedation", []),  # needing sedation is no contraindication
])
def test_an_mri_contraindication_in_words_the_synonyms_cannot_list(text, expected):
    assert [c for r in rules(text, kind="condition") for c in r["conditions"]] == expected


@pytest.mark.parametrize("text, low, high", [
    ("Disease duration of at least six months and not more than 12 years, measured from the first symptom", 0.5, 12),
    ("Disease duration between 6 and 18 months", 0.5, 1.5),
])
def test_a_duration_with_a_unit_for_each_bound(text, low, high):
    # "at least six months and not more than 12 years" had become 0.5 to 1 year
    rule = one(text, "disease_duration", "inclusion")
    assert (rule["years"]["low"], rule["years"]["high"]) == (low, high)


@pytest.mark.parametrize("text, comparator", [
    ("AST or ALT at or above 3.0 × ULN", ">="), ("Platelets at or below 100 x 10^9/L", "<="),
])
def test_at_or_above_includes_the_bound(text, comparator):
    assert {r["comparator"] for r in rules(text, kind="lab")} == {comparator}


def test_a_time_after_a_lab_is_no_level_of_it():
    # "negative VZV IgG, unless vaccinated at least 4 weeks before" was a VZV IgG of at least 4 weeks
    assert rules("Patients without evidence of varicella immunity (negative VZV IgG), unless they completed VZV "
                 "vaccination at least 4 weeks before the first injection", kind="lab") == []


def test_a_lab_bound_for_each_sex_with_an_aside_in_other_units():
    found = rules("Serum creatinine > 1.4 mg/dL (124 µmol/L) for women or > 1.6 mg/dL (141 µmol/L) for men", kind="lab")
    assert [(r["value"], r["when"]["sex"]) for r in found] == [(1.4, "female"), (1.6, "male")]


def test_a_condition_a_list_of_liver_tests_defines_is_the_tests():
    found = rules("Hepatic impairment: ALT, AST or alkaline phosphatase > 2.5 x ULN, or total bilirubin > 1.5 x ULN")
    assert {r["kind"] for r in found} == {"lab"}


@pytest.mark.parametrize("text", [
    "Participant requires ongoing treatment with anticoagulants or antiplatelet agents, other than aspirin",
    "Requires chronic treatment with systemic corticosteroids",
])
def test_requiring_ongoing_treatment_is_taking_it_now(text):
    (rule,) = rules(text, kind="prior_drug")
    assert rule["current"] is True
    assert rules("Any condition that may require treatment with corticosteroids", kind="prior_drug") == []


@pytest.mark.parametrize("text", ["Female participants who have commenced menstruation must have a negative serum "
                                  "beta-hCG test at screening.",
                                  "Women of childbearing potential must have a negative serum β-hCG at screening"])
def test_a_negative_hcg_is_a_negative_pregnancy_test(text):
    rule = one(text, "pregnancy", "inclusion")
    assert (rule["polarity"], rule["pregnant"]) == ("exclude", True)


def test_a_second_count_of_the_same_relapses():
    found = rules("At least 2 documented relapses within the previous 3 years, with at least 1 of them in the 12 months "
                  "before randomization.", "inclusion", "relapse_activity")
    assert [(r["min_count"], r["window"]["within"]["value"]) for r in found] == [(2, 3), (1, 12)]


def test_a_window_opening_the_criterion_times_the_activity_after_it():
    found = rules("In the last 12 months, one or more clinically reported relapses or one or more signs of MRI "
                  "activity (a gadolinium-enhancing T1 lesion)", "inclusion")
    assert {(r["kind"], r["window"]["within"]["value"]) for r in found} == {("relapse_activity", 12),
                                                                           ("mri_activity", 12)}


def test_the_registry_disclaimer_is_no_criterion():
    (rule,) = compile_text("The above information is not intended to contain all considerations relevant to a "
                           "participant's potential participation in a clinical trial.", "exclusion", "X1")
    assert (rule.kind, rule.category) == ("manual_review", "administrative")  # it had become an investigational rule


def test_a_revised_mcdonald_cited_by_its_paper():
    rule = one("Diagnosis of MS as defined by the Revised McDonald criteria [Ann Neurol 2011;69:292-302]",
               "ms_diagnosis", "inclusion")
    assert rule["criteria_version"] == "McDonald 2010"


@pytest.mark.parametrize("text", [
    "Normal cervical smear and mammogram within the 12 months before screening (mammogram required only for women "
    "aged 40 or older).",
    "Breast cancer, or a first-degree relative with breast cancer diagnosed before the age of 50.",
])
def test_an_age_that_is_not_the_patients_is_no_age_rule(text):
    assert rules(text, "inclusion", "age") == []
    assert rules("Diagnosis of RRMS in patients aged 18 to 55 years", "inclusion", "age")  # still the patient's


def test_a_window_after_an_item_left_to_the_investigator_is_shared():
    rule = one("Suicidal ideation, or an episode of clinically severe depression as judged by the investigator, within "
               "3 months before Day 1.", "condition")
    assert (rule["conditions"], rule["window"]["within"]) == (["suicidal_ideation"], {"value": 3, "unit": "months"})


def test_a_progressive_course():
    rule = one("Subjects with a progressive course of MS.", "ms_subtype")
    assert sorted(rule["subtypes"]) == ["PPMS", "SPMS"]


def test_a_minimum_duration_of_one_clause_only():
    found = rules("Has ever received daclizumab, or has received any interferon beta product for more than 12 months in "
                  "total.", kind="prior_drug")
    assert [(r["drugs"], r["classes"], r["min_duration"]) for r in found] == [
        (["daclizumab"], [], None), ([], ["interferon_beta"], {"value": 12, "unit": "months"})]
    (group,) = compile_text("Treated with natalizumab, or with fingolimod for at least 6 months", "inclusion", "X1")
    assert group.kind == "group" and group.mode == "any"  # in an inclusion either clause is enough
    # a list of examples in a parenthesis is no clause of its own
    (rule,) = rules("Currently on one of the approved beta-interferon drugs (Avonex, Betaseron, or Rebif) for a "
                    "minimum of 6 months.", "inclusion", "prior_drug")
    assert rule["min_duration"] == {"value": 6, "unit": "months"}


def test_a_contraceptive_among_the_drugs_an_exclusion_bans_is_no_contraception_requirement():
    text = ("Use of estrogens, progestins or other sex hormones (including hormonal contraceptives and hormone "
            "replacement therapy) within 3 months before screening.")
    assert rules(text, kind="contraception") == []
    assert "hormonal_contraceptive" in one(text, "washout")["classes"]
    assert rules("Sexually active women unwilling to use reliable contraception (oral contraceptives, condom, IUD).",
                 kind="contraception")  # asked for, with methods as examples


# --- session 8: conditions ------------------------------------------------------------------------------------

def _condition_windows(text: str) -> dict:
    return {tuple(r["conditions"]): (r["window"] or {}).get("within") for r in rules(text, kind="condition")}


@pytest.mark.parametrize("text", [
    "Congestive heart failure (NYHA class III or IV), myocardial infarction within the last 6 months, or unstable "
    "angina pectoris.",
    "Myocardial infarction within 6 months, unstable angina, or heart failure.",
])
def test_a_window_inside_a_list_times_its_own_item(text):
    found = _condition_windows(text)
    assert found[("myocardial_infarction",)] == {"value": 6, "unit": "months"}
    assert all(window is None for conditions, window in found.items() if conditions != ("myocardial_infarction",))
    # a window closing the run still times every item of it
    assert _condition_windows("Myocardial infarction, stroke or unstable angina within 6 months.") == {
        ("myocardial_infarction", "stroke", "unstable_angina"): {"value": 6, "unit": "months"}}


def test_a_window_set_off_by_a_comma_closes_the_whole_list():
    rule = one("Varicella or herpes zoster, or any other severe viral infection, within 6 weeks before randomization.",
               "condition")
    assert (rule["conditions"], rule["window"]["within"]) == (["herpes_zoster"], {"value": 6, "unit": "weeks"})


def test_a_window_in_a_proviso_is_the_provisos():
    rule = one("Active tuberculosis, or latent tuberculosis (positive IGRA) unless the participant has completed at "
               "least 4 weeks of appropriate prophylaxis before randomization.", "condition")
    assert (rule["window"], rule["timing"]) == (None, "current")
    # "unless disease-free for at least 5 years" still times the disease
    rule = one("Has a history of malignancy, unless disease-free for at least 5 years.", "condition")
    assert rule["window"]["within"] == {"value": 5, "unit": "years"}


def test_an_allowance_with_also():
    rule = one("Any malignancy within the past 10 years, with the exception of adequately treated basal cell skin "
               "cancer; cervical carcinoma in situ is also allowed if completely excised", "condition")
    assert "cervical_carcinoma_in_situ" in rule["exceptions"]


@pytest.mark.parametrize("text", [
    "Congestive heart failure (New York Heart Association class III or IV)",
    "Heart failure (NYHA class III or IV)",
])
def test_a_narrowed_general_term_leaves_no_review(text):
    (rule,) = compile_text(text, "exclusion", "X1")
    assert rule.conditions == ["heart_failure_nyha_iii", "heart_failure_nyha_iv"]


def test_a_general_term_defined_by_its_items():
    found = _condition_windows(
        "Patient with a history of cardiac disorder, defined as: congestive heart failure (NYHA class III or IV), "
        "myocardial infarction within 6 months, unstable angina, or poorly controlled arterial hypertension.")
    assert found == {("heart_failure_nyha_iii", "heart_failure_nyha_iv", "unstable_angina"): None,
                     ("myocardial_infarction",): {"value": 6, "unit": "months"}}
    # a restatement is no definition: "at risk of hepatitis B reactivation, i.e. positive HBsAg"
    assert [r["conditions"] for r in rules("Patients at risk of hepatitis B reactivation, i.e. positive HBsAg or "
                                           "HBcAb.", kind="condition")] == [["hepatitis_b"]]


@pytest.mark.parametrize("text, partial", [
    ("Inability to complete an MRI scan, including contraindications such as claustrophobia, a pacemaker, cochlear "
     "implants or other ferromagnetic implants", False),
    ("History of infection or at risk for infection, e.g. solid organ transplantation or antirejection therapy", True),
])
def test_the_examples_of_a_stated_general_term_are_covered_by_it(text, partial):
    kinds = [(r.kind, getattr(r, "category", None)) for r in compile_text(text, "exclusion", "X1")]
    assert (("manual_review", "partial") in kinds) is partial
    assert rules("Inability to complete the baseline MRI scan.", kind="condition") == []  # a study procedure


# --- session 8: treatments ------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, drug", [
    ("Prior treatment with interferon beta for more than 4 weeks, or discontinuation of interferon beta less than 6 "
     "months prior to baseline.", None),
    ("Treatment with glatiramer acetate for at least 3 months, or with natalizumab within 6 months before screening.",
     "natalizumab"),
])
def test_a_duration_clause_and_a_window_clause_give_a_rule_each(text, drug):
    (prior,) = rules(text, kind="prior_drug")
    (washout,) = rules(text, kind="washout")
    assert prior["min_duration"] is not None and washout.get("min_duration") is None
    assert washout["window"]["within"]["unit"] == "months"
    assert drug is None or washout["drugs"] == [drug]
    (group,) = compile_text("Treated with interferon beta for at least 6 months, or with glatiramer acetate within "
                            "the last 3 months.", "inclusion", "X1")
    assert group.kind == "group" and group.mode == "any"  # in an inclusion either clause is enough


@pytest.mark.parametrize("text, drug, cls", [
    ("Treatment with glatiramer acetate or 4-aminopyridine or related products, within 50 days before baseline.",
     "fampridine", "potassium_channel_blocker"),
    ("Prior use of fingolimod or other drugs of the same class.", "fingolimod", "s1p_modulator"),
])
def test_a_drug_or_related_products_names_its_class(text, drug, cls):
    (rule,) = [r for r in rules(text) if r["kind"] in ("washout", "prior_drug")]
    assert drug in rule["drugs"] and cls in rule["classes"]


def test_routes_after_the_class_make_it_systemic():
    rule = one("Chronic corticosteroid treatment (30 or more consecutive days) by the intravenous or oral route within "
               "2 months prior to randomization.", "washout")
    assert (rule["classes"], rule["min_duration"]) == (["systemic_corticosteroid"], {"value": 30, "unit": "days"})


def test_what_does_not_count_is_no_exposure():
    (rule,) = rules("Treatment-naive: no previous disease-modifying therapy for MS. Corticosteroids given for relapses "
                    "do not count as disease-modifying therapy.", "inclusion", "prior_drug")
    assert rule["classes"] == ["dmt"]


def test_examples_after_an_exception_belong_to_the_class():
    (rule,) = rules("Prior treatment at any time with any immunomodulatory therapy other than interferon beta-1a, "
                    "including glatiramer acetate, natalizumab or fingolimod.", kind="prior_drug")
    assert rule["except_drugs"] == ["interferon_beta_1a"]


def test_a_sentence_after_the_last_window_keeps_its_drug():
    found = rules("Treatment with interferon beta or teriflunomide within 4 weeks, or with fingolimod within 12 weeks, "
                  "prior to baseline. Participants previously treated with teriflunomide must also have completed an "
                  "accelerated elimination procedure before baseline.", kind="washout")
    assert [(r["drugs"], r["window"]["within"]["value"]) for r in found] == [(["teriflunomide"], 4), (["fingolimod"], 12)]


@pytest.mark.parametrize("text, section", [
    ("Previous treatment with interferon beta or dimethyl fumarate is allowed provided it was stopped at least 4 weeks "
     "before randomization", "exclusion"),
    ("Prior treatment with dimethyl fumarate is allowed if discontinued at least 4 weeks before randomization.",
     "inclusion"),
])
def test_a_permission_after_a_gap_is_a_washout(text, section):
    rule = one(text, "washout", section)
    assert (rule["polarity"], "dimethyl_fumarate" in rule["drugs"]) == ("exclude", True)
    assert rule["window"] == {"within": {"value": 4, "unit": "weeks"}, "anchor": "randomization", "half_lives": None}
    assert rules("Prior treatment with fingolimod is allowed.", kind="washout") == []


def test_iv_immunoglobulin_is_the_drug():
    assert "intravenous_immunoglobulin" in one("IV immunoglobulin or plasma exchange within 6 months.", "washout")["drugs"]


# --- session 8: seventh hold-out round ------------------------------------------------------------------------

def test_roman_numerals_past_ten_are_markers():
    text = "Exclusion Criteria:\n" + "\n".join(f"{r}) Criterion number {n}." for n, r in enumerate(
        ["i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii", "xiii", "xiv", "xv"], start=1))
    assert [c.text for c in segment(text)] == [f"Criterion number {n}." for n in range(1, 16)]


def test_a_top_level_list_after_a_paragraph_with_a_nested_list():
    text = ("Key Inclusion Criteria:\n\nRelapsing-remitting MS, with either of the following:\n\n"
            "  * at least 1 relapse within the 12 months prior to randomization, OR\n"
            "  * a gadolinium-enhancing lesion within the 6 weeks prior to randomization.\n"
            "* Aged 18 to 55 years old, inclusive.\n* Must give written informed consent.\n")
    criteria = segment(text)
    assert [len(c.children) for c in criteria] == [2, 0, 0]
    assert criteria[1].text == "Aged 18 to 55 years old, inclusive."


@pytest.mark.parametrize("text, kind", [
    ("Inability to undergo MRI with gadolinium, or an eGFR below 30 mL/min/1.73 m2.", "lab"),
    ("Inability to complete an MRI scan without sedation, or contraindications for MRI such as a pacemaker or "
     "cochlear implant", "condition"),
])
def test_an_inability_does_not_reach_the_next_item(text, kind):
    assert [r["polarity"] for r in rules(text, kind=kind)] == ["exclude"]
    # what the patient cannot do stays negated: "unable to undergo MRI, or to receive gadolinium"
    from matcher.compile.context import negated_at
    text = "Unable to undergo MRI, or to receive gadolinium, or an eGFR below 30"
    assert negated_at(text, text.index("receive")) and not negated_at(text, text.index("eGFR"))


def test_a_negation_reaches_past_a_parenthesis():
    (rule,) = rules("negative for hepatitis B (HBsAg and HBcAb), for hepatitis C and for tuberculosis (interferon-gamma "
                    "release assay).", "inclusion", "condition")
    assert rule["polarity"] == "exclude" and "tuberculosis" in rule["conditions"]
    # ... but a negation inside the parenthesis stays there
    (group,) = compile_text("Stable disease-modifying treatment (or no treatment) since at least 6 months",
                            "inclusion", "X1")
    assert group.kind == "group" and group.rules[0].polarity == "require"


def test_a_test_named_after_its_condition_is_how_it_is_found():
    found = compile_text("Latent tuberculosis (positive interferon-gamma release assay) unless treated.", "exclusion",
                         "X1")
    # the proviso goes to a person: an excluded all-of of the condition and the check that it does not lift it
    (group,) = found
    assert (group.kind, group.mode, group.polarity) == ("group", "all", "exclude")
    assert group.rules[0].conditions == ["latent_tuberculosis"] and "unless treated" in group.rules[1].why


def test_a_condom_for_men_is_no_sex_restriction():
    found = rules("Men must agree to use a condom during treatment and until the accelerated elimination procedure has "
                  "been completed.", "inclusion")
    assert [(r["kind"], (r["when"] or {}).get("sex")) for r in found] == [("contraception", "male")]


def test_an_age_when_consent_is_signed():
    rule = one("The participant must be aged 18 to 55 years (inclusive) when the informed consent is signed.", "age",
               "inclusion")
    assert (rule["years"]["low"], rule["years"]["high"]) == (18, 55)


@pytest.mark.parametrize("text, low, high", [
    ("Body weight of 40 kg or more and no more than 150 kg at screening", 40, 150),
    ("Body weight >/= 25 kg.", 25, None),
])
def test_weight_bounds_written_after_the_number_or_with_a_slash(text, low, high):
    rule = one(text, "weight", "inclusion")
    assert (rule["kg"]["low"], rule["kg"]["high"]) == (low, high)


def test_a_course_longer_than_a_duration_then_another_window():
    found = rules("Corticosteroid treatment (IV, IM or oral) for 30 days or longer within the 8 weeks before screening, "
                  "or any IV methylprednisolone within 30 days.", kind="washout")
    assert [(r["polarity"], r["window"]["within"]["value"], r.get("min_duration")) for r in found] == [
        ("exclude", 8, {"value": 30, "unit": "days"}), ("exclude", 30, None)]


@pytest.mark.parametrize("text", [
    "A relapsing course of MS (Lublin et al. 2014), i.e. relapsing-remitting MS, or secondary progressive MS with "
    "superimposed relapses or MRI activity.",
    "Diagnosis of relapsing multiple sclerosis (RMS), with a relapsing-remitting course or a secondary progressive "
    "course with superimposed relapses",
    "Diagnosis of MS with a relapsing course: relapsing-remitting MS, or secondary progressive MS with disease activity",
])
def test_relapsing_ms_spelled_out_as_its_subtypes(text):
    found = rules(text, "inclusion")
    subtypes = [(r["subtypes"], r["active_only"]) for r in found if r["kind"] == "ms_subtype"]
    assert subtypes == [(["RRMS"], False), (["SPMS"], True)]
    assert not [r for r in found if r["kind"] == "mri_activity"]  # the activity is the subtype's
    assert one("Relapsing forms of MS.", "ms_subtype", "inclusion")["subtypes"] == ["CIS", "RRMS", "SPMS"]


@pytest.mark.parametrize("text", [
    "Known history of myocardial infarction, or heart failure of NYHA class III or IV.",
    "Stroke or heart failure of New York Heart Association (NYHA) class III or IV.",
])
def test_a_condition_of_its_subtypes(text):
    (rule,) = rules(text, kind="condition")
    assert "heart_failure" not in rule["conditions"] and "heart_failure_nyha_iv" in rule["conditions"]


def test_half_lives_or_a_time_whichever_is_longer():
    rule = one("Have received an investigational agent within 5 half-lives or 12 weeks, whichever is longer, before "
               "randomization.", "investigational")
    assert rule["window"] == {"within": {"value": 12, "unit": "weeks"}, "anchor": "randomization", "half_lives": 5}


def test_a_count_in_thousands_per_microlitre():
    assert one("Absolute neutrophil count < 1.5 x 10^3/µL", "lab")["unit"] == "10^9/L"


@pytest.mark.parametrize("text, field, value", [
    ("Is currently taking more than one DMT.", "min_distinct", 2),
    ("Total time on any DMT of at least 5 years.", "min_duration", {"value": 5, "unit": "years"}),
])
def test_counts_and_totals_of_therapy(text, field, value):
    assert one(text, "prior_drug", "inclusion")[field] == value


# --- seventh round (tests/holdout7/) leftovers, fixed in session 9 -------------------------------------------------

@pytest.mark.parametrize("text, section, polarity", [
    ("Participants who are seropositive for aquaporin-4 or MOG antibodies are not eligible", "exclusion", "exclude"),
    ("Positive serum test for AQP4-IgG or MOG-IgG at screening.", "exclusion", "exclude"),
    ("Seronegative for AQP4-IgG.", "inclusion", "exclude"),
    ("AQP4 antibody negative at screening", "inclusion", "exclude"),
])
def test_antibody_status_names_the_disease_with_its_sign(text, section, polarity):
    """A positive AQP4 or MOG antibody is NMOSD or MOGAD; a negative one requires their absence."""
    rule = rules(text, section, "condition")[0]
    assert "neuromyelitis_optica" in rule["conditions"] and rule["polarity"] == polarity


def test_seronegative_for_is_a_negation():
    assert one("Seronegative for HIV at screening.", "condition", "inclusion")["polarity"] == "exclude"


@pytest.mark.parametrize("text, section, expected", [
    ("Clinically definite MS according to the Poser criteria, or MS according to the McDonald criteria (2001), at "
     "the time of screening", "exclusion", [("exclude", "Poser"), ("exclude", "McDonald 2001")]),
    ("Diagnosis of relapsing-remitting MS by either the Poser or the McDonald (2001) criteria.", "inclusion",
     [("require", "Poser"), ("require", "McDonald 2001")]),
    ("Definite MS by the 2005 McDonald criteria or by Poser criteria", "inclusion",
     [("require", "McDonald 2005"), ("require", "Poser")]),
])
def test_two_sets_of_diagnostic_criteria_each_count(text, section, expected):
    """Either set of criteria is meant: any of them in an inclusion, each one excludes in an exclusion."""
    compiled = compile_text(text, section, "X1")
    found = rules(text, section, "ms_diagnosis")
    assert [(r["polarity"], r["criteria_version"]) for r in found] == expected
    if section == "inclusion":
        (group,) = [r for r in compiled if r.kind == "group"]
        assert group.mode == "any"


@pytest.mark.parametrize("text", [
    "Pre-existing multiple sclerosis or another chronic neurological disorder",
    "Known multiple sclerosis.",
])
def test_an_ms_diagnosis_excluded_in_a_trial_of_another_disease(text):
    assert one(text, "ms_diagnosis")["polarity"] == "exclude"


def test_the_first_administration_of_investigational_product_is_an_anchor():
    text = ("Acute optic neuritis in one eye, with onset of visual symptoms ≤ 10 days prior to the first "
            "administration of investigational product")
    assert not rules(text, "inclusion", "investigational")
    rule = one(text, "condition", "inclusion")
    assert rule["window"]["within"] == {"value": 10, "unit": "days"} and rule["window"]["anchor"] == "first_dose"
    washout = one("Use of any investigational product within 30 days prior to the first dose of study drug",
                  "investigational")
    assert washout["window"]["anchor"] == "first_dose"


@pytest.mark.parametrize("text, condition", [
    ("Any other disease of the optic nerve or the retina", "optic_neuropathy"),
    ("Acute gastrointestinal ulceration within the last 3 months prior to randomisation", "peptic_ulcer"),
    ("History of human immunodeficiency virus (HIV) or other immunodeficient conditions.", "immunodeficiency"),
    ("Known hypersensitivity to ocrelizumab or to any of its excipients, or a history of anaphylaxis to a monoclonal "
     "antibody", "monoclonal_antibody_hypersensitivity"),
])
def test_conditions_in_registry_wording(text, condition):
    assert condition in one(text, "condition")["conditions"]


@pytest.mark.parametrize("text, drug_class", [
    ("Is currently taking a monoamine oxidase (MAO) inhibitor (e.g., selegiline, phenelzine), or has taken one "
     "within 14 days before Day 1.", "mao_inhibitor"),
    ("Prior treatment with interferon beta, glatiramer acetate or any other immunomodulatory drug, at any time",
     "immunomodulator"),
])
def test_drug_classes_in_registry_wording(text, drug_class):
    (rule,) = [r for r in rules(text) if r["kind"] in ("washout", "prior_drug")]
    assert drug_class in rule["classes"]


@pytest.mark.parametrize("text, kept", [
    ("Severe renal impairment (creatinine clearance below 30 mL/min) or end-stage renal disease.",
     "end_stage_renal_disease"),
    ("Severe renal impairment (eGFR below 30) or hepatic cirrhosis.", "cirrhosis"),
])
def test_a_degree_word_does_not_reach_past_a_noun_phrase_of_its_own(text, kept):
    """"Severe" grades the renal impairment its parenthesis defines, not the disease after the "or"."""
    assert one(text, "condition")["conditions"] == [kept]


@pytest.mark.parametrize("text", [
    "History of severe or recurrent infection",
    "Serious cardiac, pulmonary or renal disease",
])
def test_a_degree_word_still_reaches_modifiers_sharing_a_head(text):
    assert not rules(text, kind="condition")


@pytest.mark.parametrize("text, low, high", [
    ("platelet count > 400,000/µl or < 100,000/µl", (">", 400000), ("<", 100000)),
    ("Platelets below 100 x 10^9/L or above 600 x 10^9/L", ("<", 100), (">", 600)),
])
def test_a_lab_bound_on_both_sides_of_a_range(text, low, high):
    """Outside a range, each side excludes; a second bound in another unit (same side) is not a second rule."""
    found = rules(text, kind="lab")
    assert [(r["comparator"], r["value"]) for r in found] == [low, high]
    assert len(rules("Creatinine > 1.5 mg/dL or > 133 µmol/L", kind="lab")) == 1


@pytest.mark.parametrize("text, min_count", [
    ("Any previous clinical event reasonably attributable to demyelination, other than the qualifying episode", 2),
    ("Any prior demyelinating event other than the qualifying event.", 2),
    ("Any previous clinical event reasonably attributable to acute demyelination, whether or not medical attention "
     "was sought.", 2),
])
def test_an_earlier_demyelinating_event_is_a_second_one(text, min_count):
    """In a trial of a first event, an earlier (or other) event makes two in all."""
    assert one(text, "relapse_activity")["min_count"] == min_count


@pytest.mark.parametrize("text", [
    "A single clinical demyelinating event (clinically isolated syndrome) that does not yet fulfil the McDonald "
    "criteria for MS.",
    "Acute disseminated encephalomyelitis (ADEM) as the only demyelinating event",
])
def test_a_first_or_only_event_is_not_a_relapse_count(text):
    assert not rules(text, kind="relapse_activity")


def test_subtypes_named_as_a_course_or_denied_are_not_the_patients():
    assert one("Primary progressive MS, or relapsing-remitting MS without secondary progression.",
               "ms_subtype")["subtypes"] == ["PPMS", "RRMS"]
    assert one("Diagnosis of secondary progressive MS (Lublin and Reingold 1996): an initial relapsing-remitting course "
               "followed by steady progression of disability.", "ms_subtype", "inclusion")["subtypes"] == ["SPMS"]


def test_current_use_inside_the_window_is_one_washout():
    found = rules("Current treatment with a statin, or treatment with any statin within the 6 months before screening.")
    assert [r["kind"] for r in found] == ["washout"]


def test_lifelong_and_windowed_items_keep_their_own_timing():
    found = rules("Treatment at any time with mitoxantrone, cyclophosphamide, cladribine, alemtuzumab or natalizumab, "
                  "or with another immunosuppressant (e.g. azathioprine, methotrexate) within the last 12 months.")
    (ever,) = [r for r in found if r["kind"] == "prior_drug"]
    (washout,) = [r for r in found if r["kind"] == "washout"]
    assert "natalizumab" in ever["drugs"] and "natalizumab" not in washout["drugs"]
    assert washout["classes"] == ["immunosuppressant"] and washout["window"]["within"]["value"] == 12


@pytest.mark.parametrize("text", [
    "Current use of drugs that interact with simvastatin: itraconazole, HIV protease inhibitors, amiodarone.",
    "History of myopathy, or of muscle symptoms during previous statin treatment.",
])
def test_drugs_and_diseases_that_are_not_the_patients_exposure(text):
    found = rules(text)
    assert not [r for r in found if "statin" in r.get("classes", []) or "simvastatin" in r.get("drugs", [])]
    assert not [r for r in found if "hiv" in r.get("conditions", [])]


@pytest.mark.parametrize("text", [
    "Patients without antibodies to varicella-zoster virus (negative VZV IgG) at screening.",
    "Exposure to varicella zoster virus within the 21 days before screening.",
])
def test_immunity_and_exposure_are_not_the_disease(text):
    assert not rules(text, kind="condition")


# --- eighth round (tests/holdout8/): first-contact mismatches, fixed in session 9 -------------------------------

def test_a_proviso_sentence_takes_its_window_and_goes_to_a_person():
    """"... are eligible only if they have completed at least 4 weeks of prophylaxis": the 4 weeks are the
    prophylaxis's, not a window on tuberculosis (read as one, the exclusion turned into a requirement)."""
    found = rules("Active or latent tuberculosis. Participants with a positive interferon-gamma release assay (IGRA) "
                  "are eligible only if they have completed at least 4 weeks of prophylaxis before randomization.")
    (tb,) = [r for r in found if r["kind"] == "condition"]
    assert tb["polarity"] == "exclude" and tb["window"] is None
    (partial,) = [r for r in compile_text("Active or latent tuberculosis. Participants with a positive IGRA are "
                                          "eligible only if they have completed at least 4 weeks of prophylaxis.",
                                          "exclusion", "X1") if r.kind == "manual_review"]
    assert partial.category == "partial"


@pytest.mark.parametrize("text, expected", [
    ("Participants may be treatment-naive or may have received one or two previous DMTs for MS.",
     [("exclude", 3)]),
    ("Previously treated with 1 or 2 DMTs", [("require", 1), ("exclude", 3)]),
])
def test_one_or_two_previous_therapies(text, expected):
    assert [(r["polarity"], r["min_distinct"]) for r in rules(text, "inclusion", "prior_drug")] == expected


@pytest.mark.parametrize("text, drugs", [
    ("Inflammatory disease despite treatment for at least 6 months with one of the following approved DMTs: "
     "interferon beta-1a, glatiramer acetate, natalizumab or fingolimod.",
     ["interferon_beta_1a", "glatiramer_acetate", "natalizumab", "fingolimod"]),
])
def test_one_of_the_following_approved_drugs_is_the_list_not_the_class(text, drugs):
    (rule,) = rules(text, "inclusion", "prior_drug")
    assert rule["drugs"] == drugs and rule["classes"] == []


def test_any_approved_therapy_with_examples_is_the_class():
    (rule,) = rules("Treatment with any approved MS disease-modifying therapy (e.g. interferon beta, glatiramer "
                    "acetate, fingolimod) within 8 weeks before baseline.", kind="washout")
    assert "dmt" in rule["classes"]


def test_a_nested_list_of_drugs_under_one_of_the_following_is_one_rule():
    """Any one of the listed drugs: one rule over all of them states the any-of."""
    from pathlib import Path
    from matcher.api import load_rulesets
    (ruleset,) = load_rulesets(Path(__file__).parent / "holdout8" / "records" / "NCT05131828_mirror.md")
    criterion = next(c for c in ruleset.criteria if c.text.startswith("Currently treated"))
    (rule,) = [r for r in _flatten(criterion.rules) if r["kind"] == "prior_drug"]
    assert {"fingolimod", "natalizumab", "glatiramer_acetate"} <= set(rule["drugs"]) and rule["current"]


@pytest.mark.parametrize("text, kind, expected", [
    ("Participants must be aged from 18 up to and including 55 years when they sign the informed consent form.",
     "age", {"low": 18, "high": 55}),
    ("A screening EDSS score from 0 up to and including 5.5.", "edss", {"low": 0, "high": 5.5}),
    ("The participant has a score of no more than 5.5 on the Expanded Disability Status Scale (EDSS) at screening.",
     "edss", {"low": None, "high": 5.5}),
])
def test_ranges_up_to_and_including(text, kind, expected):
    rule = one(text, kind, "inclusion")
    bounds = rule["years"] if kind == "age" else rule["score"]
    assert {k: bounds[k] for k in expected} == expected and bounds["high_inclusive"]


@pytest.mark.parametrize("text, kind, value", [
    ("Live or attenuated vaccines within 3 months before study Day 1.", "live_vaccine", None),
    ("Alcohol or drug dependency.", "condition", ["substance_abuse"]),
    ("Current abuse of alcohol or illicit drugs.", "condition", ["substance_abuse"]),
    ("Other causes of optic neuropathy (ischaemic, compressive, toxic or hereditary)", "condition", ["optic_neuropathy"]),
    ("Known hypersensitivity to rituximab or to any other monoclonal antibody", "condition",
     ["monoclonal_antibody_hypersensitivity"]),
])
def test_more_registry_wording(text, kind, value):
    rule = one(text, kind)
    if value is not None:
        assert rule["conditions"] == value


def test_a_time_word_after_an_item_is_that_items():
    found = rules("Major depression at any time, or current suicidal ideation.", kind="condition")
    assert sorted((r["conditions"][0], r["timing"]) for r in found) == [("depression", "any"),
                                                                        ("suicidal_ideation", "current")]


def test_a_judged_item_after_a_semicolon_leaves_the_items_before_it():
    found = rules("Current major depression or active suicidal ideation; any other psychiatric illness that, in the "
                  "opinion of the investigator, would interfere with participation.", kind="condition")
    assert found and found[0]["conditions"] == ["depression", "suicidal_ideation"]


def test_an_elliptic_second_count_with_or_more():
    found = rules("One or more documented relapses in the year before randomization, or two or more in the two years "
                  "before randomization.", "inclusion", "relapse_activity")
    assert [(r["min_count"], r["window"]["within"]["value"]) for r in found] == [(1, 1), (2, 2)]


def test_a_window_mid_list_before_a_narrowed_condition():
    found = rules("Myocardial infarction in the past 6 months, or heart failure of NYHA class III-IV", kind="condition")
    assert [(r["conditions"], r["window"] is not None) for r in found] == [
        (["myocardial_infarction"], True), (["heart_failure_nyha_iii", "heart_failure_nyha_iv"], False)]


@pytest.mark.parametrize("text", [
    "Previous autologous or allogeneic HSCT, or total body or total lymphoid irradiation.",
    "Prior total lymphoid or total body irradiation",
])
def test_a_shared_head_after_a_two_word_modifier(text):
    (rule,) = rules(text, kind="prior_drug")
    assert {"total_body_irradiation", "total_lymphoid_irradiation"} <= set(rule["drugs"])


def test_an_earlier_episode_of_demyelination_with_a_count():
    rule = one("A history of at least one earlier clinical episode of CNS demyelination, at any time before the "
               "qualifying event.", "relapse_activity")
    assert rule["min_count"] == 2 and rule["window"] is None


def test_a_heading_the_labs_after_its_colon_define():
    found = rules("Renal or hepatic dysfunction: serum creatinine above 1.5 mg/dL (133 umol/L), or ALT or AST above "
                  "2 x ULN.")
    assert sorted(r["test"] for r in found if r["kind"] == "lab") == ["alt", "ast", "creatinine"]
    assert not [r for r in found if r["kind"] == "condition"]


# --- session 10: exposure length and continuity ------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "Treatment-naive to interferon beta, or treated with it for less than 3 months at the time of randomisation.",
    "Naive to interferon beta therapy or treated with interferon beta for less than 3 months",
])
def test_a_ceiling_on_exposure_measured_at_a_time_point(text):
    """"at the time of randomisation" says when the length is measured: not current use, not a washout."""
    (rule,) = rules(text, "inclusion", kind="prior_drug")
    assert (rule["polarity"], rule["classes"], rule["min_duration"]) == (
        "exclude", ["interferon_beta"], {"value": 3.0, "unit": "months"})
    assert not rules(text, "inclusion", kind="washout")


@pytest.mark.parametrize("text", [
    "Currently on a DMT, with no gap in treatment longer than 3 months during the previous 12 months.",
    "Total time on any DMT of at least 5 years, with no gap in treatment longer than 3 months.",
])
def test_no_gap_in_treatment_is_continuity_not_a_washout(text):
    found = rules(text, "inclusion")
    assert not [r for r in found if r["kind"] == "washout"]
    assert [r["polarity"] for r in found if r["kind"] == "prior_drug"] == ["require"]
    assert any(r.kind == "manual_review" and "gap" in r.why for r in compile_text(text, "inclusion"))


@pytest.mark.parametrize("text, current", [
    ("Currently taking one of the following DMTs, without interruption for at least the last 2 years: glatiramer "
     "acetate, fingolimod", True),
    # (session 24: "the past 2 years before screening" are the years up to it, current use, as the gold of holdout11
    # NCT00030966, holdout13 NCT04260711, holdout15 NCT01405820 and holdout24 NCT00097760 has it)
    ("Treated with glatiramer acetate for at least the past 2 years before screening", True),
])
def test_uninterrupted_use_for_the_last_years_is_a_minimum_duration(text, current):
    (rule,) = rules(text, "inclusion", kind="prior_drug")
    assert (rule["polarity"], rule["min_duration"], rule["current"]) == (
        "require", {"value": 2.0, "unit": "years"}, current)


@pytest.mark.parametrize("text", [
    "No treatment with natalizumab for at least 6 months",
    "No treatment with natalizumab for at least the last 6 months",
])
def test_no_treatment_for_at_least_a_time_is_a_washout(text):
    """Before, the minimum was read as how long the (denied) exposure lasted: patients with any natalizumab were
    excluded, and those with a short course in the window let in."""
    rule = one(text, "washout", "inclusion")
    assert (rule["polarity"], rule["drugs"], rule["window"]["within"]) == (
        "exclude", ["natalizumab"], {"value": 6.0, "unit": "months"})


# --- session 10: progressive-relapsing MS ------------------------------------------------------------------

def _screen_one(text: str, section: str, patient: dict):
    return screen(_one_criterion(text, section, compile_text(text, section, "X1")), parse_patient(patient),
                  date(2026, 11, 2))


@pytest.mark.parametrize("text", [
    "A history of relapsing-remitting, secondary progressive or progressive-relapsing MS",
    "Patients with RRMS, SPMS or PRMS",
])
def test_excluded_progressive_relapsing_ms_is_relapses_of_ppms_not_ppms(text):
    """Lublin 2013 folds progressive-relapsing MS into PPMS with activity. Read as excluded PPMS it excluded every
    participant of a PPMS trial."""
    found = rules(text)
    assert [(r["kind"], r.get("subtypes"), (r.get("when") or {}).get("subtypes")) for r in found] == [
        ("relapse_activity", None, ["PPMS"]), ("ms_subtype", ["RRMS", "SPMS"], None)]
    quiet = {"id": "p", "ms_subtype": "PPMS", "relapses": []}
    assert _screen_one(text, "exclusion", quiet).verdict == "eligible"
    relapsing = {**quiet, "relapses": [{"date": "2025-03-01"}]}
    assert _screen_one(text, "exclusion", relapsing).verdict == "ineligible"


def test_progressive_relapsing_named_with_ppms_is_part_of_it():
    (rule,) = rules("Primary progressive MS, including progressive-relapsing MS", "inclusion")
    assert (rule["subtypes"], rule["active_only"]) == (["PPMS"], False)
    assert one("Progressive-relapsing MS", "ms_subtype", "inclusion")["active_only"] is True


def test_excluded_active_subtype_beside_a_whole_one():
    """"RRMS or active SPMS" excluded: SPMS without activity stays eligible."""
    found = rules("Relapsing-remitting MS or active secondary progressive MS")
    assert [(r["subtypes"], r["active_only"]) for r in found] == [(["RRMS"], False), (["SPMS"], True)]


@pytest.mark.parametrize("raw", ["PRMS", "progressive-relapsing", "Progressive relapsing MS", "PR-MS"])
def test_a_patient_recorded_as_progressive_relapsing_has_ppms(raw):
    from matcher.evaluate.facts import PatientFacts
    assert PatientFacts(parse_patient({"id": "p", "ms_subtype": raw})).subtype == "PPMS"


# --- session 10: headings, allergies and provisos --------------------------------------------------------

@pytest.mark.parametrize("text, conditions", [
    ("Cardiac disease: unstable angina, heart failure of NYHA class III or IV, or a clinically significant "
     "arrhythmia", ["unstable_angina", "heart_failure_nyha_iii", "heart_failure_nyha_iv"]),
    ("Contraindications to MRI: a pacemaker or other metallic implants, or claustrophobia",
     ["cardiac_pacemaker", "metallic_implant", "claustrophobia"]),
])
def test_a_heading_colon_is_defined_by_the_conditions_listed_after_it(text, conditions):
    found = rules(text, kind="condition")
    assert [r["conditions"] for r in found] == [conditions]


@pytest.mark.parametrize("text", [
    "Known sensitivity to gadolinium, claustrophobia, or any other contraindication to MRI.",
    "Contraindications to MRI: a pacemaker, claustrophobia, or known sensitivity to gadolinium.",
])
def test_an_allergy_is_lifelong_but_its_timing_stays_its_own(text):
    found = {tuple(r["conditions"]): r["timing"] for r in rules(text, kind="condition")}
    assert found[("gadolinium_hypersensitivity",)] == "any"
    assert set(found.values()) == {"any", "current"}


@pytest.mark.parametrize("text", [
    "Tuberculosis: a positive QuantiFERON-TB Gold test at screening, unless the participant has completed treatment "
    "for latent tuberculosis.",
    "Positive interferon-gamma release assay, unless a full course of prophylaxis for latent tuberculosis has been "
    "completed",
])
def test_a_proviso_of_treatment_is_no_exception_of_the_condition(text):
    """Untreated latent tuberculosis still excludes: an exception of latent TB let it in."""
    rule = one(text, "condition")
    assert rule["conditions"] == ["tuberculosis"] and rule["exceptions"] == []
    found = compile_text(text, "exclusion")  # the proviso goes to a person (inside the excluded all-of it makes)
    assert any(r.kind == "manual_review" for top in found for r in (top.rules if top.kind == "group" else [top]))


@pytest.mark.parametrize("text", [
    "History of hypersensitivity to ofatumumab, to any of its excipients, or to drugs of similar chemical classes "
    "(e.g. other monoclonal antibodies).",
    "Hypersensitivity to ocrelizumab, to any of its excipients, or to any other humanized monoclonal antibody.",
])
def test_hypersensitivity_to_the_drug_or_other_monoclonal_antibodies(text):
    assert one(text, "condition")["conditions"] == ["monoclonal_antibody_hypersensitivity"]


@pytest.mark.parametrize("text, anchor", [
    ("There must be no gap in ofatumumab or teriflunomide treatment longer than 3 months during the 12 months before "
     "the first dose of ofatumumab in this study.", "first_dose"),
    ("Received ozanimod in the parent trial, with no gap in treatment longer than 3 months before Day 1.", "baseline"),
])
def test_no_gap_longer_than_n_before_an_anchor_is_use_within_n(text, anchor):
    """A gap of at most 3 months ending at the first dose: the drug was taken within the 3 months before it. The
    "no" is the gap's, not the drug's (read as the drug's it was a polarity error)."""
    rule = one(text, "washout", "inclusion")
    assert (rule["polarity"], rule["window"]["within"], rule["window"]["anchor"]) == (
        "require", {"value": 3.0, "unit": "months"}, anchor)
    assert any(r.kind == "manual_review" for r in compile_text(text, "inclusion"))


@pytest.mark.parametrize("text, polarity", [
    ("Disease-modifying therapy naive: no previous treatment for MS other than corticosteroids.", "exclude"),
    ("Natalizumab-naive patients", "exclude"),
])
def test_a_drug_named_before_naive_is_never_taken(text, polarity):
    """Read as exposure it was a polarity error: DMT-naive patients were required to have had a DMT."""
    assert one(text, "prior_drug", "inclusion")["polarity"] == polarity


# --- session 10: disease duration by EDSS stratum ------------------------------------------------------------

@pytest.mark.parametrize("text, edss_high, years_low, measured_from", [
    ("Participants with an EDSS score below 2.0 at screening whose first MS symptoms began more than 10 years before "
     "screening.", 2.0, 10.0, "onset"),
    ("Participants with an EDSS of 2.0 or lower at screening and a disease duration (since diagnosis) exceeding 10 "
     "years.", 2.0, 10.0, "diagnosis"),
])
def test_an_edss_named_first_conditions_the_duration(text, edss_high, years_low, measured_from):
    """The EDSS was read as an excluded score of its own (or lost), and the duration excluded everyone."""
    found = rules(text)
    assert [r["kind"] for r in found] == ["disease_duration"]
    (rule,) = found
    assert (rule["when"]["edss"]["high"], rule["years"]["low"], rule["measured_from"]) == (
        edss_high, years_low, measured_from)


def test_an_edss_requirement_beside_an_edss_conditioned_duration():
    found = rules("Expanded Disability Status Scale (EDSS) score of 0 to 6.0 at Baseline. Participants with an EDSS "
                  "score of 2.0 or less at Screening are eligible only if their disease duration (time since onset of "
                  "symptoms) is no more than 10 years.", "inclusion")
    assert [(r["kind"], (r.get("when") or {}).get("edss", {}).get("high")) for r in found] == [
        ("edss", None), ("disease_duration", 2.0)]


@pytest.mark.parametrize("text", [
    "Disease duration from the onset of MS symptoms of less than 10 years in participants with an EDSS of 5.0 or less "
    "at screening, and of less than 15 years in participants with an EDSS above 5.0 at screening.",
    "Duration of MS symptoms of no more than 10 years in patients with an EDSS of 5.0 or less at screening, or no more "
    "than 15 years in patients with an EDSS above 5.0.",
])
def test_each_edss_stratum_keeps_its_duration(text):
    found = rules(text, "inclusion")
    assert [(r["kind"], r["years"]["high"]) for r in found] == [("disease_duration", 10.0), ("disease_duration", 15.0)]
    assert [r["when"]["edss"]["high"] for r in found] == [5.0, None]


@pytest.mark.parametrize("text", [
    "Pediatric-onset MS (first MS symptoms before the age of 18 years)",
    "Onset of MS at the age of 50 years or older",
])
def test_an_age_at_onset_is_not_the_patients_age(text):
    """Read as the patient's age it excluded every 18-year-old."""
    assert not rules(text, kind="age")


def test_drug_elimination_half_lives():
    rule = one("Participation in an investigational drug study within 12 weeks, or 5 drug-elimination half-lives, "
               "whichever is longer, before screening", "investigational")
    assert (rule["window"]["within"]["value"], rule["window"]["half_lives"]) == (12.0, 5)


# --- session 11: kinds in parentheses, ranges of lab values -------------------------------------------------

@pytest.mark.parametrize("text", [
    "Diabetes mellitus (type 1 or type 2), a history of stroke or transient ischaemic attack",
    "Type 1 or type 2 diabetes.",
    "Diabetes (type I or II), hypertension.",
])
def test_kinds_of_diabetes_named_beside_the_head(text):
    """The parenthesis narrows diabetes to the kinds it names; "type 1 or type 2 diabetes" kept only type 2."""
    (rule,) = [r for r in rules(text, kind="condition") if "type_2_diabetes" in r["conditions"]]
    assert rule["conditions"][:2] == ["type_1_diabetes", "type_2_diabetes"]


@pytest.mark.parametrize("text, test, low, high, unit", [
    ("haemoglobin 11.6 to 16.2 g/dL", "haemoglobin", 11.6, 16.2, "g/dL"),
    ("Platelet count between 150 and 450 x 10^9/L at screening.", "platelets", 150, 450, "10^9/L"),
    ("absolute lymphocyte count 1.02 to 3.36 x 10^3/µL", "lymphocytes", 1.02, 3.36, "10^9/L"),
])
def test_a_closed_range_of_lab_values_is_two_bounds(text, test, low, high, unit):
    found = rules(text, "inclusion", kind="lab")
    assert [(r["test"], r["comparator"], r["value"], r["unit"]) for r in found] == [
        (test, ">=", low, unit), (test, "<=", high, unit)]


def test_a_range_of_multiples_of_the_limit_is_no_range_of_values():
    assert not rules("ALT 2-3 x ULN at screening", kind="lab")


def test_an_excluded_range_of_lab_values_excludes_values_within_it():
    text = "Haemoglobin between 8 and 10 g/dL at screening."
    ruleset = _one_criterion(text, "exclusion", compile_text(text, "exclusion", "X1"))

    def verdict(value):
        patient = {"id": "p", "labs": [{"test": "haemoglobin", "value": value, "unit": "g/dL", "date": "2026-10-20"}]}
        return screen(ruleset, parse_patient(patient), date(2026, 11, 2)).verdict

    assert [verdict(v) for v in (7.5, 9.0, 12.0)] == ["eligible", "ineligible", "eligible"]


@pytest.mark.parametrize("text", [
    "Thyroid-stimulating hormone (TSH) outside the normal range, or positive anti-TSH receptor antibodies, at "
    "screening.",
    "Serum vitamin B12 levels outside of the laboratory reference range",
])
def test_a_lab_outside_the_normal_range_excludes_on_either_side(text):
    found = rules(text, kind="lab")
    assert [(r["comparator"], r["value"], r["unit"]) for r in found] == [("<", 1, "xLLN"), (">", 1, "xULN")]


# --- session 11: extension trials ------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "Participants must have completed the treatment period of a Novartis ofatumumab study in relapsing MS, on "
    "ofatumumab or on teriflunomide.",
    "Completed the treatment period of a parent ozanimod trial in relapsing MS (RPC01-1001, RPC01-201 or RPC01-301).",
    "Participated in and completed, as per protocol, the BG00012 study 109MS301 (DEFINE).",
])
def test_a_parent_trial_named_by_its_drug_is_trial_history_not_exposure(text):
    """The drug names the parent trial (and its arms): patients on its placebo arm are eligible too, so requiring
    prior use of the drug excluded them. The criterion goes to review."""
    assert not rules(text, "inclusion", kind="prior_drug")
    assert all(r.kind == "manual_review" for r in compile_text(text, "inclusion"))


def test_the_study_drug_in_the_time_point_is_no_washout():
    found = rules("Receipt of any live or live-attenuated vaccine within 4 weeks before the first dose of ofatumumab "
                  "in this study.")
    assert [r["kind"] for r in found] == ["live_vaccine"]


# --- session 11: conditional stability of symptomatic treatment -------------------------------------------------

@pytest.mark.parametrize("text, classes, drugs", [
    ("Subjects taking medications for spasticity, pain, fatigue or depression must be on a stable dose for at least "
     "30 days prior to screening", ["antispasticity", "analgesic", "fatigue_treatment", "antidepressant"], []),
    ("Participants receiving symptomatic treatment for MS (e.g. fampridine, baclofen) must be on a stable dose for "
     "at least 30 days before randomization.", [], ["fampridine", "baclofen"]),
    ("Participants already on an antidepressant must have been on a stable dose for at least 30 days.",
     ["antidepressant"], []),
])
def test_medications_for_symptoms_must_be_stable_if_taken(text, classes, drugs):
    """Either not on them, or on them for 30 days. "Medications for fatigue or depression" named the conditions
    (required them, in an inclusion); "e.g." ended the sentence before its "must"."""
    (group,) = [r for r in compile_text(text, "inclusion", "X1") if r.kind == "group"]
    off, stable = group.rules
    assert (group.mode, off.polarity, off.current, stable.min_duration.value) == ("any", "exclude", True, 30)
    assert (stable.classes, stable.drugs) == (classes, drugs)
    assert not rules(text, "inclusion", kind="condition")


def test_a_condition_is_still_a_condition_when_no_medication_is_named():
    assert one("History of depression or spasticity.", "condition")["conditions"] == ["depression", "spasticity"]


# --- session 11: courses other than one, restated conditions, counts, subclasses ---------------------------------

@pytest.mark.parametrize("text, subtypes", [
    ("Any disease course other than relapsing-remitting, i.e. neurological progression from disease onset or between "
     "relapses (primary progressive, secondary progressive or progressive-relapsing MS)", ["SPMS", "PPMS"]),
    ("Any form of MS other than RRMS.", ["CIS", "SPMS", "PPMS"]),
    ("Other forms of multiple sclerosis except for relapsing remitting multiple sclerosis or secondary progressive MS.",
     ["CIS", "PPMS"]),
])
def test_a_course_other_than_one_excludes_the_others(text, subtypes):
    """Read as the course named it excluded every RRMS participant of an RRMS trial; no MS diagnosis is excluded."""
    assert [(r["kind"], r.get("subtypes")) for r in rules(text)] == [("ms_subtype", subtypes)]


@pytest.mark.parametrize("text, conditions", [
    ("Current alcohol or drug abuse, or abuse within the 2 years before Day 1.", ["substance_abuse"]),
    ("Active hepatitis, or hepatitis within the past year.", ["hepatitis"]),
])
def test_a_condition_restated_with_a_window_is_one_window_rule(text, conditions):
    """The window covers now too: one rule, not a current one beside a windowed one (the window was lost)."""
    (rule,) = rules(text, kind="condition")
    assert (rule["conditions"], rule["timing"], rule["window"]["within"]["unit"]) == (conditions, "any", "years")


def test_a_condition_of_another_kind_after_a_current_one_keeps_its_own_timing():
    found = rules("Active infection, or a history of chronic infection within 2 years.", kind="condition")
    assert [(r["conditions"], r["timing"], bool(r["window"])) for r in found] == [
        (["infection"], "current", False), (["chronic_infection"], "any", True)]


@pytest.mark.parametrize("text", [
    "At least two clinical episodes of MS (relapses, the first episode included) in the 24 months before screening.",
    "At least 2 clinical events of multiple sclerosis in the prior 2 years.",
])
def test_clinical_episodes_of_ms_are_relapses_counted(text):
    assert one(text, "relapse_activity", "inclusion")["min_count"] == 2


def test_antibodies_to_a_drug_are_no_exposure_to_it():
    assert not rules("Known neutralizing antibodies to interferon beta.", kind="prior_drug")
    rule = one("Participants receiving interferon beta who have known neutralizing antibodies to interferon beta.",
               "prior_drug")
    assert rule["current"] is True


@pytest.mark.parametrize("text", [
    "Class Ia or class III antiarrhythmic drugs.",
    "Is receiving a class Ia or class III antiarrhythmic medication.",
])
def test_a_subclass_of_a_drug_class_is_a_qualifier(text):
    """Antiarrhythmics of other classes (beta-blockers of class II) are not excluded: a person checks the class."""
    rule = one(text, "prior_drug")
    assert (rule["classes"], rule["qualifier"].lower()) == (["antiarrhythmic"], "class ia or class iii")


@pytest.mark.parametrize("text, windows", [
    ("At least one relapse in the 12 months before screening, but not within 30 days of screening.",
     [("exclude", 30.0, "days"), ("require", 12.0, "months")]),
    ("a clinical relapse, but not within the 24 weeks before Day 1", [("exclude", 24.0, "weeks"), ("require", None, None)]),
])
def test_a_relapse_but_not_within_a_window(text, windows):
    """The window after "but not" was read as the one the relapse is required in (the "not" was lost)."""
    found = rules(text, "inclusion", kind="relapse_activity")
    assert [(r["polarity"], *((r["window"]["within"]["value"], r["window"]["within"]["unit"]) if r.get("window")
                              else (None, None))) for r in found] == windows


# --- session 11: the tenth round ---------------------------------------------------------------------------------

def test_a_class_excepted_is_its_member_drugs():
    """The class id matched no patient's treatment, so "other than interferon beta" excepted nothing."""
    rule = one("Treatment with any immunomodulatory or immunosuppressive therapy, other than interferon beta or "
               "glatiramer acetate, within 3 months.", "washout")
    assert {"interferon_beta_1a", "interferon_beta_1b", "glatiramer_acetate"} <= set(rule["except_drugs"])
    assert "interferon_beta" not in rule["except_drugs"]


def test_a_class_in_a_later_clause_is_not_excepted():
    rule = one("Treatment with any B-cell depleting therapy other than ofatumumab at any time, or with any other "
               "disease-modifying therapy since the last dose of study treatment.", "prior_drug")
    assert rule["except_drugs"] == ["ofatumumab"]


@pytest.mark.parametrize("text", [
    "Disease-modifying therapy naive, or starting a first or second switch after treatment with one of the following "
    "DMTs: interferon beta, glatiramer acetate, dimethyl fumarate, teriflunomide, fingolimod or natalizumab.",
    "DMT naive, or previously treated with interferon beta or glatiramer acetate only.",
])
def test_naive_or_treated_with_listed_members_excludes_the_others(text):
    """Read as exposure to the class it was a polarity error: the naive patients named first were excluded."""
    (rule,) = rules(text, "inclusion", kind="prior_drug")
    assert (rule["polarity"], rule["classes"]) == ("exclude", ["dmt"])
    assert {"glatiramer_acetate", "interferon_beta_1a"} <= set(rule["except_drugs"])


def test_a_sentence_that_only_permits_requires_nothing():
    text = "Well-controlled comorbidities, for example hypertension or type 1 or type 2 diabetes, are allowed."
    assert not rules(text, "inclusion", kind="condition")
    assert one("Patients with hypertension are eligible.", "condition", "inclusion")["polarity"] == "require"


@pytest.mark.parametrize("text", [
    "Bilateral optic neuritis, or optic neuropathy of another cause (for example ischaemic or toxic optic neuropathy).",
    "Complete transverse myelitis or bilateral optic neuritis as the presenting event.",
])
def test_an_excluded_side_of_a_condition_does_not_exclude_the_condition(text):
    """A trial of unilateral optic neuritis excluded every participant."""
    assert all("optic_neuritis" not in r["conditions"] for r in rules(text, kind="condition"))


@pytest.mark.parametrize("text, tests", [
    ("All of the following haematology values within the reference range at screening: haemoglobin; platelet count; "
     "absolute neutrophil count", ["haemoglobin", "platelets", "neutrophils"]),
    ("CD19+ B-cell counts within normal limits at screening", ["cd19_count"]),
])
def test_within_the_normal_range_is_both_limits(text, tests):
    found = rules(text, "inclusion", kind="lab")
    assert [(r["test"], r["comparator"], r["unit"]) for r in found] == [
        (t, c, u) for t in tests for c, u in ((">=", "xLLN"), ("<=", "xULN"))]
    assert [(r["comparator"], r["unit"]) for r in rules("normal AST (SGOT) ALT (SGPT)", "inclusion")] == [
        ("<=", "xULN"), ("<=", "xULN")]


def test_a_lab_in_a_sentence_that_lets_patients_in_excludes_nobody():
    """It excluded every participant with a normal bilirubin."""
    found = rules("Total bilirubin at or above 2 x ULN; participants with Gilbert's syndrome may be enrolled if direct "
                  "bilirubin is within normal limits", kind="lab")
    assert [(r["comparator"], r["value"]) for r in found] == [(">=", 2)]


@pytest.mark.parametrize("text, sexes", [
    ("Women of childbearing potential must use a highly effective method of contraception during the study. Men must "
     "use a condom during the same period.", [None, "male"]),
    ("Women of childbearing potential and men must use effective contraception.", [None]),
])
def test_the_mens_contraception_sentence_is_a_rule_for_men(text, sexes):
    found = rules(text, "inclusion", kind="contraception")
    assert [(r.get("when") or {}).get("sex") for r in found] == sexes


@pytest.mark.parametrize("text, within, anchor", [
    ("Received any investigational drug within a fortnight of screening", (2.0, "weeks"), "screening"),
    ("Live vaccines within 4 weeks before the first injection of study drug", (4.0, "weeks"), "first_dose"),
])
def test_a_fortnight_of_screening_and_the_first_injection_are_windows(text, within, anchor):
    (rule,) = rules(text)
    window = rule["window"]
    assert ((window["within"]["value"], window["within"]["unit"]), window["anchor"]) == (within, anchor)


@pytest.mark.parametrize("text, subtypes", [
    ("Any disease course other than relapsing-remitting MS.", {"CIS", "SPMS", "PPMS"}),
    ("Any course other than RRMS (for example secondary progressive or primary progressive MS)", {"CIS", "SPMS", "PPMS"}),
])
def test_a_course_other_than_one_is_the_other_lublin_courses_unless_spelled_out(text, subtypes):
    (rule,) = rules(text, kind="ms_subtype")
    assert (rule["polarity"], set(rule["subtypes"])) == ("exclude", subtypes)


# --- session 12: a drug ever, for participants with a condition ----------------------------------------------------

@pytest.mark.parametrize("text, condition_kind", [
    ("Treatment with natalizumab within 6 months before screening, or at any time in participants with an anti-JCV "
     "antibody index above 1.5 at screening.", "lab"),
    ("Natalizumab within 24 weeks, or at any time if the most recent anti-JCV antibody index was above 0.9", "lab"),
    ("Teriflunomide within 6 months before screening, or at any time in participants who stopped it because of liver "
     "toxicity.", "manual_review"),
])
def test_a_drug_at_any_time_in_participants_with_a_condition_is_an_excluded_all_of(text, condition_kind):
    """Read apart, the JCV index alone excluded every JCV-positive patient who never had natalizumab."""
    (criterion,) = [CompiledCriterion(id="X1", section="exclusion", text=text, span=(0, len(text)),
                                      rules=compile_text(text, "exclusion", "X1"), coverage="full")]
    washout, group = criterion.rules
    assert (washout.kind, washout.polarity) == ("washout", "exclude")
    assert (group.kind, group.mode, group.polarity) == ("group", "all", "exclude")
    assert [(r.kind, r.polarity) for r in group.rules] == [("prior_drug", "require"), (condition_kind, "require")]
    assert group.rules[0].drugs == washout.drugs and not group.rules[0].current


def test_a_jcv_positive_patient_never_on_natalizumab_is_not_excluded():
    text = ("Natalizumab within 6 months before randomization, or at any time in participants with an anti-JCV antibody "
            "index > 0.9.")
    positive = {"id": "p", "treatments": [{"drug": "interferon beta-1a", "start": "2019-01-01", "end": "2024-01-01"}],
                "labs": [{"test": "jcv_antibody_index", "value": 2.1, "unit": "index", "date": "2026-10-01"}]}
    assert _screen_one(text, "exclusion", positive).verdict == "eligible"
    exposed = {**positive, "treatments": [{"drug": "natalizumab", "start": "2019-01-01", "end": "2021-01-01"}]}
    assert _screen_one(text, "exclusion", exposed).verdict == "ineligible"
    stopped_recently = {**exposed, "labs": [], "treatments": [
        {"drug": "natalizumab", "start": "2019-01-01", "end": "2026-09-01"}]}
    assert _screen_one(text, "exclusion", stopped_recently).verdict == "ineligible"


@pytest.mark.parametrize("text, version", [
    ("Relapsing-remitting MS, diagnosed according to McDonald criteria 1 to 4 (Ann Neurol 2001).", "McDonald 2001"),
    ("Diagnosis of MS (McDonald criteria, Lancet Neurol 2018)", "McDonald 2017"),
])
def test_the_criteria_met_and_the_citation_name_the_mcdonald_revision(text, version):
    assert one(text, "ms_diagnosis", "inclusion")["criteria_version"] == version


@pytest.mark.parametrize("text", ["Suicidal ideation or behaviour in the 6 months before screening",
                                  "Current suicidal ideation and/or behavior"])
def test_suicidal_ideation_or_behaviour_is_suicidality(text):
    assert one(text, "condition")["conditions"] == ["suicidality"]


@pytest.mark.parametrize("text, classes", [
    ("Chronic corticosteroid therapy (> 30 consecutive days; IV, IM or PO) within the 2 months before screening",
     ["systemic_corticosteroid"]),
    ("Steroids (oral) within 30 days", ["systemic_corticosteroid"]),
    ("Corticosteroids (inhaled) within 30 days", ["corticosteroid"]),
])
def test_systemic_routes_after_corticosteroids_make_them_systemic(text, classes):
    assert one(text, "washout")["classes"] == classes


@pytest.mark.parametrize("text", ["Any MS therapy within 6 months before screening.",
                                  "Any MS treatment in the past year"])
def test_ms_named_by_a_therapy_is_no_diagnosis(text):
    """It excluded every patient with MS."""
    assert not rules(text, kind="ms_diagnosis")


def test_approved_ms_therapy_is_a_dmt_and_symptomatic_ms_therapy_is_not():
    assert one("Any approved MS therapy within 5 half-lives of that medication before screening.", "washout")[
        "classes"] == ["dmt"]
    assert not rules("Patients on symptomatic MS therapy must be stable for 30 days", "inclusion", kind="prior_drug")


@pytest.mark.parametrize("text", ["Naive to disease-modifying therapy", "Never treated with disease-modifying therapy"])
def test_naive_to_a_therapy_is_no_use_ever(text):
    rule = one(text, "prior_drug", "inclusion")
    assert (rule["polarity"], rule["classes"], rule["current"]) == ("exclude", ["dmt"], False)


def test_a_subtype_without_activity_of_no_time_goes_to_a_person_and_requires_no_mri():
    """"... or SPMS without clinical or MRI activity" required MRI activity of every participant."""
    found = compile_text("Primary progressive MS, or secondary progressive MS without clinical or MRI activity.",
                         "exclusion", "X1")
    assert [(r.kind, getattr(r, "subtypes", None), getattr(r, "category", None)) for r in found] == [
        ("ms_subtype", ["PPMS"], None), ("manual_review", None, "partial")]


@pytest.mark.parametrize("text, kinds", [
    ("Secondary progressive MS without relapses for at least 1 year (non-active SPMS)", ["relapse_activity"]),
    ("SPMS without MRI activity in the last 2 years", ["mri_activity"]),
    ("Primary progressive MS, or SPMS without evidence of relapse or MRI activity in the 2 years before screening.",
     ["relapse_activity", "mri_activity"]),
])
def test_a_quiet_subtype_is_one_excluded_all_of(text, kinds):
    """Excluded is the subtype without any of the activity: one all-of, not one per kind of activity."""
    (group,) = [r for r in compile_text(text, "exclusion", "X1") if r.kind == "group"]
    assert (group.mode, group.polarity) == ("all", "exclude")
    assert [(r.kind, r.polarity) for r in group.rules] == [("ms_subtype", "require")] + [(k, "exclude") for k in kinds]
    assert group.rules[0].subtypes == ["SPMS"]
    assert not [r for r in compile_text(text, "exclusion", "X1") if r.kind == "manual_review"]


# --- session 12: eleventh round -------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, allowed", [
    ("Untreated, OR treated only with first-line injectables (interferon beta or glatiramer acetate)",
     {"interferon_beta_1a", "interferon_beta_1b", "peginterferon_beta_1a", "glatiramer_acetate"}),
    ("Treatment-naive, or previously treated with teriflunomide or dimethyl fumarate",
     {"teriflunomide", "dimethyl_fumarate"}),
])
def test_untreated_or_treated_only_with_listed_dmts_excludes_the_others(text, allowed):
    """Read as exposure to the listed drugs it was a polarity error: the untreated patients named first were out."""
    (rule,) = rules(text, "inclusion", kind="prior_drug")
    assert (rule["polarity"], rule["classes"], set(rule["except_drugs"])) == ("exclude", ["dmt"], allowed)


def test_a_dose_in_conditional_stability_goes_to_a_person_without_splitting_the_alternatives():
    """Split by the steroid dose, 'not on steroids' let in a patient unstable on azathioprine (a polarity error)."""
    text = ("Participants on maintenance therapy (oral corticosteroids up to 15 mg/day prednisone equivalent, "
            "azathioprine or mycophenolate mofetil) must be on a stable dose for at least 4 weeks before Baseline")
    found = compile_text(text, "inclusion", "X1")
    (group,) = [r for r in found if r.kind == "group"]
    assert [(r.polarity, r.drugs, r.classes) for r in group.rules] == [
        (p, ["azathioprine", "mycophenolate_mofetil"], ["systemic_corticosteroid"]) for p in ("exclude", "require")]
    assert any(r.kind == "manual_review" and "15 mg/day" in r.why for r in found)
    assert not any("prednisone" in getattr(r, "drugs", []) for r in group.rules)


@pytest.mark.parametrize("text, version", [
    ("Diagnosis of relapsing-remitting MS according to McDonald et al. criteria #1 to #4 (Ann Neurol 2001;50:121-7)",
     "McDonald 2001"),
    ("Diagnosis of relapsing-remitting MS as defined by the revised (2005) McDonald diagnostic criteria",
     "McDonald 2005"),
])
def test_mcdonald_revision_in_parentheses_or_after_numbered_criteria(text, version):
    assert one(text, "ms_diagnosis", "inclusion")["criteria_version"] == version


@pytest.mark.parametrize("text, bounds, drugs, classes", [
    ("Absolute lymphocyte count < 800/mm3 at screening, unless the participant is transitioning from fingolimod (in "
     "which case < 200/mm3)", (200.0, 800.0), ["fingolimod"], []),
    ("Lymphocyte count below 1,000/µL at screening, unless the patient is switching from interferon beta, in which "
     "case below 800/µL.", (800.0, 1000.0), [], ["interferon_beta"]),
])
def test_a_lab_bound_of_its_own_for_patients_switching_from_a_drug(text, bounds, drugs, classes):
    """Read as the first bound alone, it excluded the fingolimod patients the trial let in down to 200."""
    lower, group = compile_text(text, "exclusion", "X1")
    assert (lower.kind, lower.polarity, lower.value) == ("lab", "exclude", bounds[0])
    lab, switching = group.rules
    assert (group.mode, group.polarity, lab.polarity, lab.value) == ("all", "exclude", "require", bounds[1])
    assert (switching.polarity, switching.drugs, switching.classes, switching.current) == ("exclude", drugs, classes, True)
    on_fingolimod = {"id": "p", "treatments": [{"drug": "fingolimod", "start": "2022-01-01"}],
                     "labs": [{"test": "lymphocytes", "value": 500, "unit": "/mm3", "date": "2026-10-20"}]}
    if drugs == ["fingolimod"]:
        assert _screen_one(text, "exclusion", on_fingolimod).verdict == "eligible"
        assert _screen_one(text, "exclusion", {**on_fingolimod, "treatments": []}).verdict == "ineligible"


@pytest.mark.parametrize("text", [
    "A first clinical event (a single, unifocal neurological event) consistent with demyelination, such as optic "
    "neuritis, partial transverse myelitis or a brainstem or cerebellar syndrome",
    "A first neurological event consistent with demyelination, either unifocal or multifocal, such as unilateral optic "
    "neuritis or a partial spinal cord syndrome.",
])
def test_a_first_event_consistent_with_demyelination_is_cis_and_its_forms_are_not_required(text):
    """The examples are forms the event may take: as conditions they required optic neuritis of every participant."""
    found = rules(text, "inclusion")
    assert [(r["kind"], r.get("subtypes")) for r in found] == [("ms_subtype", ["CIS"])]


@pytest.mark.parametrize("text", ["Any previous neurological event suggestive of demyelination before the qualifying "
                                  "event", "Any previous clinical event reasonably attributable to demyelination"])
def test_a_previous_event_before_the_qualifying_one_is_a_second_event(text):
    found = compile_text(text, "exclusion", "X1")
    assert [(r.kind, getattr(r, "min_count", None)) for r in found] == [("relapse_activity", 2)]


@pytest.mark.parametrize("text, counts", [
    ("Clinically active disease: at least 2 relapses in the previous 2 years or 1 relapse in the previous year.", [2, 1]),
    # each count with its own noun (found by the scorer once it compared groups: four rounds had it as two rules)
    ("At least two documented clinical relapses within the 2 years prior to screening, or one documented clinical "
     "relapse within the year prior to screening", [2, 1]),
    ("At least one relapse (or attack) in the 12 months preceding randomization, or at least two relapses (or attacks) "
     "in the 24 months preceding randomization.", [1, 2]),
])
def test_two_relapses_in_two_years_or_one_in_the_last_year_is_either(text, counts):
    """Read as two rules, both counts were required: two relapses 18 months ago excluded the patient."""
    (group,) = compile_text(text, "inclusion", "X1")
    assert (group.kind, group.mode, [r.min_count for r in group.rules]) == ("group", "any", counts)
    earlier = {"id": "p", "relapses": [{"date": "2025-04-01"}, {"date": "2025-06-01"}]}
    assert _screen_one(text, "inclusion", earlier).verdict == "eligible"
    assert _screen_one(text, "inclusion", {"id": "q", "relapses": [{"date": "2023-01-01"}]}).verdict == "ineligible"


@pytest.mark.parametrize("text", [
    "At least two relapses in the previous 2 years, one of which in the last year",
    "At least two documented relapses within the last 3 years, one of which occurred within the year before screening, "
    "and/or at least one gadolinium-enhancing lesion on a brain MRI performed within the 6 months before screening.",
])
def test_one_of_which_in_the_last_year_is_a_second_count_of_the_same_relapses(text):
    """The clause was dropped without a trace ('one of which' are filler words)."""
    found = rules(text, "inclusion", kind="relapse_activity")
    assert [(r["min_count"], r["window"]["within"]["value"]) for r in found][-1] == (1, 1.0)
    quiet_last_year = {"id": "p", "relapses": [{"date": "2024-12-01"}, {"date": "2025-03-01"}],
                       "mri": [{"date": "2026-09-01", "gd_enhancing_lesions": 0, "new_t2_lesions": 0}]}
    assert _screen_one(text, "inclusion", quiet_last_year).verdict == "ineligible"


def test_an_alternative_count_keeps_what_its_own_words_add():
    """"or one relapse within the year (but not within 30 days)": the 30 days are the second alternative's."""
    text = ("At least 2 documented clinical relapses within the last 2 years prior to screening, or one clinical "
            "relapse within the year prior to screening (but not within 30 days prior to screening)")
    (group,) = compile_text(text, "inclusion", "X1")
    two, recent = group.rules
    assert (group.mode, two.min_count, recent.kind, recent.mode) == ("any", 2, "group", "all")
    assert sorted((r.polarity, r.window.within.value) for r in recent.rules) == [("exclude", 30), ("require", 1)]
    # two relapses 20 days ago pass on the first count; one relapse 20 days ago passes neither
    assert _screen_one(text, "inclusion", {"id": "p", "relapses": [{"date": "2026-10-12"}, {"date": "2026-10-01"}]}
                       ).verdict == "eligible"
    assert _screen_one(text, "inclusion", {"id": "q", "relapses": [{"date": "2026-10-12"}]}).verdict == "ineligible"


def test_counts_joined_by_and_are_both_required():
    found = compile_text("at least 1 relapse in the last year and 2 relapses in the last 2 years", "inclusion", "X1")
    assert [(r.kind, r.min_count) for r in found] == [("relapse_activity", 1), ("relapse_activity", 2)]


def test_one_or_more_is_a_bound_not_alternatives():
    """"therapy with one or more of the approved therapies (...) as evidenced by both:" asks both items."""
    ruleset = _ruleset_of("Inclusion Criteria:\n- SPMS not responding to a year of therapy with one or more of the "
                       "approved therapies (interferon beta, fingolimod) as evidenced by both:\n  - at least 1 relapse "
                       "in the last 12 months\n  - at least 1 Gd-enhancing lesion on MRI within the last 12 months")
    (criterion,) = ruleset.criteria
    modes = [g.mode for r in criterion.rules for g in [r, *getattr(r, "rules", [])] if g.kind == "group"]
    assert modes == ["all", "all"]


def test_the_first_attack_included_in_a_count_is_no_count_of_its_own():
    text = ("Clinical evidence of at least 2 documented relapses (including the first attack) in the 2 years before "
            "screening, at least one of which occurred in the 12 months before screening.")
    assert [(r["min_count"], r["window"]["within"]["value"]) for r in rules(text, "inclusion")] == [(2, 2.0), (1, 12.0)]


def test_the_scorer_reads_the_subtypes_a_rule_applies_to_as_a_set():
    from matcher.evalcompiler import _params_equal
    edss = {"kind": "edss", "polarity": "require", "score": {"low": 0, "high": 5.5}}
    assert _params_equal({**edss, "when": {"subtypes": ["RRMS", "CIS", "SPMS"]}},
                         {**edss, "when": {"subtypes": ["CIS", "RRMS", "SPMS"]}})
    assert not _params_equal({**edss, "when": {"subtypes": ["PPMS"]}}, {**edss, "when": {"subtypes": ["SPMS"]}})


def test_a_last_dose_gap_beside_an_exposure_ceiling_is_a_washout():
    """'..., with the last dose at least 3 months before randomization' was dropped without a trace."""
    text = ("Interferon beta naive, or previously treated with interferon beta for less than 6 months in total, with "
            "the last dose at least 3 months before randomization.")
    found = rules(text, "inclusion")
    assert [(r["kind"], r["polarity"]) for r in found] == [("prior_drug", "exclude"), ("washout", "exclude")]
    assert (found[1]["window"]["within"]["value"], found[1]["window"]["anchor"]) == (3.0, "randomization")


@pytest.mark.parametrize("text", [
    "Pregnant or breastfeeding, or planning a pregnancy within 6 months after the last dose.",
    "History of prostate cancer or bladder cancer, or bladder stones within the past 6 months",
])
def test_a_time_no_rule_read_goes_to_a_person(text):
    """Times are made of filler words ('within', 'months', 'last'): unread, they vanished without a partial review."""
    found = compile_text(text, "exclusion", "X1")
    assert any(r.kind == "manual_review" and r.category == "partial" and "a time no rule read" in r.why for r in found)


def test_a_switching_bound_with_words_no_rule_reads_is_read_whole_with_a_review():
    """Split into its bounds, 'on two consecutive occasions' was dropped without a trace."""
    found = compile_text("Lymphocyte count < 800/mm3 on two consecutive occasions, unless switching from fingolimod, "
                         "then < 200/mm3", "exclusion", "X1")
    assert any(r.kind == "manual_review" and "consecutive occasions" in r.why for r in found)


# --- found once the scorer compared groups (session 13) ----------------------------------------------------------


@pytest.mark.parametrize("text, current", [
    ("Anti-JCV antibody index above 1.5 at screening in participants previously treated with natalizumab", False),
    ("Subjects who are anti-JCV antibody positive with an index > 1.5 and who have previously received natalizumab.",
     False),
    ("Participants receiving natalizumab who have an anti-JCV antibody index above 1.5 at screening.", True),
])
def test_a_bound_for_patients_on_a_drug_excludes_only_them(text, current):
    """Read apart, the JCV bound excluded every JCV-positive patient, natalizumab or not (three rounds)."""
    (group,) = compile_text(text, "exclusion", "X1")
    assert (group.kind, group.mode, group.polarity) == ("group", "all", "exclude")
    assert sorted((r.kind, getattr(r, "current", None)) for r in group.rules) == [("lab", None), ("prior_drug", current)]
    positive = {"id": "p", "treatments": [{"drug": "interferon beta-1a", "start": "2019-01-01", "end": "2024-01-01"}],
                "labs": [{"test": "jcv_antibody_index", "value": 2.1, "unit": "index", "date": "2026-10-01"}]}
    assert _screen_one(text, "exclusion", positive).verdict == "eligible"
    on_it = {**positive, "treatments": [{"drug": "natalizumab", "start": "2019-01-01"}]}
    assert _screen_one(text, "exclusion", on_it).verdict == "ineligible"


def test_a_trailing_scope_reaches_the_last_alternative_and_a_leading_subject_all():
    pml, scoped = compile_text("History of PML, or a JCV antibody index above 1.5 in participants currently taking "
                               "natalizumab.", "exclusion", "X1")
    assert (pml.kind, pml.polarity, scoped.kind) == ("condition", "exclude", "group")
    both = compile_text("Participants receiving natalizumab who have persistent anti-drug antibodies to natalizumab, or "
                        "an anti-JCV antibody index above 0.9 at screening.", "exclusion", "X1")
    assert [[r.kind for r in g.rules] for g in both] == [["prior_drug", "manual_review"], ["prior_drug", "lab"]]


@pytest.mark.parametrize("text", ["Diabetes mellitus, type 1 or type 2, with an HbA1c above 8.0% at screening.",
                                  "Diabetes mellitus (type 1 or type 2) with an HbA1c of 8% or higher"])
def test_the_kinds_listed_after_a_condition_qualified_by_a_lab_are_the_condition(text):
    (group,) = compile_text(text, "exclusion", "X1")
    condition, lab = group.rules
    assert (group.mode, group.polarity, lab.test) == ("all", "exclude", "hba1c")
    assert condition.conditions == ["type_1_diabetes", "type_2_diabetes"]


def test_kinds_between_commas_narrow_a_condition():
    assert one("Diabetes mellitus, type 1 or type 2", "condition")["conditions"] == ["type_1_diabetes", "type_2_diabetes"]


@pytest.mark.parametrize("text, either", [
    ("At least one clinically documented relapse, at least one T1 gadolinium-enhancing lesion, or at least one new T2 "
     "lesion in the year before enrollment", True),
    ("At least 1 relapse within the 12 months prior to randomization, with a prior cranial MRI demonstrating lesion(s) "
     "consistent with MS, or evidence of Gd+ lesion(s) on a brain MRI obtained within the 6 weeks prior to "
     "randomization.", True),
    # the "or" of a lesion type, or a list's closing "or", joins no alternatives
    ("One relapse in the prior 12 months, with a new T2 or Gd-enhancing lesion on MRI", False),
    ("at least one clinical relapse in the past two years and at least one new T2 or gadolinium-enhancing lesion on a "
     "brain MRI performed within the past 12 months, or", False),
])
def test_relapse_and_mri_activity_are_alternatives_only_when_or_joins_them(text, either):
    found = compile_text(text, "inclusion", "X1")
    groups = [r for r in found if r.kind == "group" and r.mode == "any"]
    assert bool(groups) is either
    assert {r.kind for r in found if r.kind != "manual_review"} == ({"group"} if either else
                                                                      {"relapse_activity", "mri_activity"})


# --- twelfth hold-out round (measured first at 3d18418): its three polarity errors ------------------------------


def test_conditional_stability_over_a_list_of_classes_stays_conditional():
    """", or medications for spasticity" split it into current antidepressant use (required of everyone) and a
    window on the rest."""
    text = ("Participants taking antidepressants, or medications for spasticity or pain, must have been on a stable dose "
            "for at least 4 weeks before randomization.")
    (group,) = [r for r in compile_text(text, "inclusion", "X1") if r.kind != "manual_review"]
    not_on, stable = group.rules
    assert (group.mode, not_on.polarity, stable.min_duration.value) == ("any", "exclude", 4)
    assert not_on.classes == stable.classes == ["antidepressant", "antispasticity", "analgesic"]
    assert _screen_one(text, "inclusion", {"id": "p"}).verdict != "ineligible"


@pytest.mark.parametrize("text", [
    "Either naive to disease-modifying therapy or previously treated with no more than two disease-modifying therapies.",
    "Naive to DMT, or treated with no more than 2 DMTs",
])
def test_naive_or_no_more_than_two_excludes_three(text):
    """The negation of "naive to" reached the count: three DMTs were required."""
    assert (one(text, "prior_drug", "inclusion")["polarity"], one(text, "prior_drug", "inclusion")["min_distinct"]) \
        == ("exclude", 3)


@pytest.mark.parametrize("text", ["McDonald criteria for MS diagnosis not met at the time of the screening visit.",
                                  "Patients who do not fulfil the McDonald criteria"])
def test_an_exclusion_of_unmet_mcdonald_criteria_requires_the_diagnosis(text):
    """A negation after the criteria it denies was not read: every patient with MS was excluded."""
    assert one(text, "ms_diagnosis", "exclusion")["polarity"] == "require"


# --- twelfth hold-out round: other wrong verdicts it showed ---------------------------------------------------


@pytest.mark.parametrize("text", ["Current use of fampridine, unless on a stable dose for at least 3 months before "
                                  "enrolment.", "Use of fampridine unless the dose has been stable for 3 months"])
def test_an_exclusion_of_use_unless_stable_excludes_those_not_stable(text):
    """Read as one exclusion of the duration, it excluded those stable on the drug and let in those who just began."""
    (group,) = compile_text(text, "exclusion", "X1")
    assert (group.kind, group.mode, group.polarity) == ("group", "all", "exclude")
    started = {"id": "p", "treatments": [{"drug": "fampridine", "start": "2026-10-01"}]}
    assert _screen_one(text, "exclusion", started).verdict == "ineligible"
    stable = {"id": "q", "treatments": [{"drug": "fampridine", "start": "2024-01-01"}]}
    assert _screen_one(text, "exclusion", stable).verdict == "eligible"


def test_a_dated_diagnosis_in_an_exclusion_excludes_by_its_date():
    """"A diagnosis of MS made more than 3 years before enrollment" excluded every patient with MS."""
    (rule,) = compile_text("A diagnosis of MS made by a neurologist more than 3 years before enrollment", "exclusion",
                           "X1")
    assert (rule.kind, rule.measured_from, rule.years.low, rule.years.low_inclusive) == \
        ("disease_duration", "diagnosis", 3, False)
    found = rules("Diagnosis of MS of any disease subtype according to the 2017 revised McDonald criteria, made at "
                  "least 12 months before screening.", "inclusion")
    assert sorted(r["kind"] for r in found) == ["disease_duration", "ms_diagnosis"]
    assert rules("First symptom of MS at least six months before screening", "inclusion",
                 kind="disease_duration")[0]["years"]["low"] == 0.5


def test_a_note_that_only_allows_states_no_criterion():
    text = "Note: a diagnosis of MS made within the 3 years before enrollment is allowed; such participants remain eligible."
    assert [r.kind for r in compile_text(text, "exclusion", "X1")] == ["manual_review"]
    # a note that sets a condition is read
    found = compile_text("Note: fampridine is allowed only if the dose has been stable for 30 days", "exclusion", "X1")
    assert "a note that allows something or states a fact" not in " ".join(getattr(r, "why", "") for r in found)


def test_an_age_at_onset_is_not_the_patients_age():
    text = "Onset of neurological symptoms suggestive of demyelination before the age of 18 years (paediatric-onset MS)."
    assert not rules(text, "exclusion", kind="age")


def test_what_excludes_patients_of_an_age_only_is_an_all_of():
    """"Smoking ... in women older than 35 years", read apart, excluded every woman over 35."""
    text = "Smoking of more than 15 cigarettes a day in women older than 35 years."
    (group,) = [r for r in compile_text(text, "exclusion", "X1") if r.kind == "group"]
    assert (group.mode, group.polarity, sorted(r.kind for r in group.rules)[:2]) == ("all", "exclude", ["age", "condition"])
    assert _screen_one(text, "exclusion", {"id": "p", "sex": "female", "birth_date": "1980-01-01",
                                           "conditions": []}).verdict != "ineligible"


@pytest.mark.parametrize("text, kinds", [
    # "therapy within" is no "therapy with": a stability, to a person (it required a DMT in the 60 days)
    ("No change in disease-modifying therapy within the 60 days before screening", ["manual_review"]),
    ("Body weight below 40 kg or above 130 kg", ["weight", "weight"]),
    # the lab another value is corrected for is no bound (it read "haemoglobin below 60%")
    ("DLCO below 60% of predicted (corrected for haemoglobin)", ["manual_review"]),
    # "i.e." defines the condition by its labs
    ("Renal insufficiency, i.e. an estimated creatinine clearance below 40 mL/min", ["lab"]),
    ("Note: modafinil may reduce the effectiveness of hormonal contraceptives.", ["manual_review"]),
])
def test_twelfth_round_wording(text, kinds):
    section = "inclusion" if text.startswith("No change") else "exclusion"
    assert [r.kind for r in compile_text(text, section, "X1")] == kinds


def test_the_other_side_of_a_weight_bound_is_a_rule_of_its_own():
    low, high = rules("Body weight below 40 kg or above 130 kg", "exclusion")
    assert (low["kg"]["high"], high["kg"]["low"]) == (40, 130)


def test_current_or_in_the_past_is_ever():
    assert one("Malignancy, current or in the past, with the exception of basal cell carcinoma", "condition",
               "exclusion")["timing"] == "any"


@pytest.mark.parametrize("text", ["Chronic corticosteroid treatment (more than 30 consecutive days, by any systemic "
                                  "route) within 2 months before screening",
                                  "Oral or intravenous corticosteroids for more than 30 consecutive days within the 6 "
                                  "months before screening"])
def test_a_systemic_route_makes_corticosteroids_systemic(text):
    assert one(text, "washout", "exclusion")["classes"] == ["systemic_corticosteroid"]


def test_why_a_drug_was_stopped_is_no_intolerance_criterion():
    """"... stopped for reasons other than lack of efficacy or intolerance" dropped the exposure ceiling."""
    text = ("Treatment-naive to interferon beta, or treated with interferon beta for less than 6 months and stopped for "
            "reasons other than lack of efficacy or intolerance")
    rule = one(text, "prior_drug", "inclusion")
    assert (rule["polarity"], rule["min_duration"]["value"]) == ("exclude", 6)


def test_a_window_before_both_screening_and_day_1_is_two_windows():
    found = rules("Neurologically stable, with no relapse, for at least 30 days before both screening and Day 1.",
                  "inclusion", kind="relapse_activity")
    assert sorted(r["window"]["anchor"] for r in found) == ["baseline", "screening"]


@pytest.mark.parametrize("text", ["Poorly controlled diabetes mellitus (HbA1c > 9%).",
                                  "Diabetes mellitus with poor glycaemic control (HbA1c > 9%), or a history of "
                                  "macular oedema"])
def test_a_lab_in_parentheses_says_when_a_condition_excludes(text):
    """Read apart, "diabetes" excluded every diabetic, well controlled or not."""
    (group,) = [r for r in compile_text(text, "exclusion", "X1") if r.kind == "group"]
    assert (group.mode, group.polarity, [r.kind for r in group.rules]) == ("all", "exclude", ["condition", "lab"])
    controlled = {"id": "p", "conditions": [{"name": "diabetes mellitus", "onset": "2015-01-01"}],
                  "labs": [{"test": "hba1c", "value": 6.5, "unit": "%", "date": "2026-10-01"}]}
    assert _screen_one(text, "exclusion", controlled).verdict == "eligible"


def test_a_condition_its_lab_defines_is_the_lab_and_a_degree_word_goes_to_a_person():
    found = compile_text("Untreated vitamin B12 deficiency (serum vitamin B12 below the lower limit of normal)",
                         "exclusion", "X1")
    assert [r.kind for r in found] == ["lab", "manual_review"] and "Untreated" in found[1].why
    assert [r.kind for r in compile_text("Lymphopenia (lymphocyte count < 800/mm3)", "exclusion", "X1")] == ["lab"]


def test_a_negated_requirement_no_rule_reads_goes_to_a_person():
    """"... and must not plan to change it during the study": two content words, dropped without a trace before."""
    text = ("Participants receiving a disease-modifying therapy must have been on it continuously for at least 6 months "
            "before Day 1 and must not plan to change it during the study.")
    (review,) = [r for r in compile_text(text, "inclusion", "X1") if r.kind == "manual_review"]
    assert "plan change" in review.why


def test_a_relapse_mention_takes_no_window_from_the_clause_before():
    """"... within the 4 weeks before screening; subjects who relapse between screening and randomization ...": the
    second mention borrowed the first's window and required a relapse in the last 4 weeks."""
    text = ("The subject must not have had a relapse within the 4 weeks before screening; subjects who relapse between "
            "screening and randomization are not eligible.")
    assert [r["polarity"] for r in rules(text, "inclusion", kind="relapse_activity")] == ["exclude"]


# --- session 14: treatments named only to say they do not matter ------------------------------------------------


@pytest.mark.parametrize("text, kinds", [
    # holdout10 NCT03364036: required a DMT in the last year
    ("Two or more relapses in the previous year, whether on DMT or not.", ["relapse_activity"]),
    ("At least one relapse in the last 12 months, regardless of treatment with disease-modifying therapy.",
     ["relapse_activity"]),
    ("At least one relapse in the past year whether or not treated with interferon beta.", ["relapse_activity"]),
    # excluded every patient on a DMT
    ("Secondary progressive MS with or without ongoing DMT treatment.", ["ms_subtype"]),
    ("Relapsing MS, regardless of prior treatment with interferon beta or glatiramer acetate.", ["ms_subtype"]),
])
def test_a_treatment_said_not_to_matter_makes_no_rule(text, kinds):
    assert [r.kind for r in compile_text(text, "inclusion", "X1")] == kinds


def test_a_treatment_beside_words_of_indifference_about_something_else_stays():
    found = compile_text("Treatment with natalizumab within 6 months, regardless of dose.", "exclusion", "X1")
    assert [(r.kind, r.drugs) for r in found] == [("washout", ["natalizumab"])]


@pytest.mark.parametrize("text, narrowed, why", [
    # holdout12 NCT00127075, holdout3 NCT02914964: every diabetic was excluded
    ("Diabetes mellitus (type 1 or type 2) with vascular complications.", ["type_1_diabetes", "type_2_diabetes"],
     "vascular complications"),
    ("Osteoporosis with a previous fragility fracture.", ["osteoporosis"], "a previous fragility fracture"),
])
def test_a_condition_narrowed_by_words_no_rule_reads_excludes_only_with_them(text, narrowed, why):
    groups = [r for r in compile_text(text, "exclusion", "X1") if r.kind == "group"]
    assert [(g.mode, g.polarity, [c.kind for c in g.rules]) for g in groups] == \
        [("all", "exclude", ["condition", "manual_review"])]
    assert groups[0].rules[0].conditions == narrowed and why in groups[0].rules[1].why


def test_a_condition_narrowed_by_a_treatment_the_lexicon_names_excludes_only_with_it():
    """Since session 23 insulin and the sulfonylureas have ids: the narrowing treatment is a rule, not a person's."""
    groups = [r for r in compile_text("Kidney disease with eGFR under 45 mL/min/1.73m2, or liver disease (including "
                                      "cirrhosis); diabetes treated with insulin or sulfonylureas.", "exclusion", "X1")
              if r.kind == "group"]
    assert [(g.mode, g.polarity, [c.kind for c in g.rules]) for g in groups] == \
        [("all", "exclude", ["condition", "prior_drug"])]
    assert groups[0].rules[0].conditions == ["diabetes_mellitus"]
    assert groups[0].rules[1].drugs == ["insulin"] and groups[0].rules[1].classes == ["sulfonylurea"]


@pytest.mark.parametrize("text", ["Infection with HIV.", "Diabetes with HbA1c > 8%.",
                                  "History of malignancy with the exception of basal cell carcinoma."])
def test_a_condition_with_words_a_rule_reads_is_not_narrowed_by_a_person(text):
    assert all(r.kind != "manual_review" for r in compile_text(text, "exclusion", "X1"))


def test_a_positive_hepatitis_b_core_antibody_is_hepatitis_b():
    (rule,) = compile_text("Positive HBcAb at screening.", "exclusion", "X1")
    assert (rule.kind, rule.conditions) == ("condition", ["hepatitis_b"])


# --- thirteenth hold-out round (measured first at 7aa3911): its six polarity errors ----------------------------


@pytest.mark.parametrize("text, section, expected", [
    # holdout13 NCT04260711: "fewer than 3" required three new T2 lesions
    ("fewer than 3 new or enlarging T2 lesions in total on brain MRI in that period.", "inclusion",
     ("mri_activity", "exclude", 3)),
    ("Less than two Gd-enhancing lesions at screening.", "inclusion", ("mri_activity", "exclude", 2)),
    ("No more than one relapse in the last year.", "inclusion", ("relapse_activity", "exclude", 2)),
    ("Fewer than 2 relapses in the previous 2 years.", "exclusion", ("relapse_activity", "require", 2)),
    ("At least 2 relapses in the last 2 years.", "inclusion", ("relapse_activity", "require", 2)),
    ("More than 1 relapse in the past year.", "inclusion", ("relapse_activity", "require", 2)),
])
def test_an_upper_bound_on_a_count_excludes_the_count_above_it(text, section, expected):
    (rule,) = compile_text(text, section, "X1")
    assert (rule.kind, rule.polarity, rule.min_count) == expected


@pytest.mark.parametrize("text, kinds", [
    # holdout13 NCT00292266, NCT00984984: "not controlled" negated the item after ", or"
    ("Thyroid dysfunction not adequately controlled by treatment, or a TSH outside the normal range at screening",
     [("lab", "exclude"), ("lab", "exclude"), ("manual_review", "exclude")]),
    ("Psychiatric disorder not controlled by treatment, or a history of corticosteroid-induced psychosis.",
     [("condition", "exclude"), ("manual_review", "exclude")]),
])
def test_not_controlled_is_a_state_not_a_negation_of_what_follows(text, kinds):
    assert [(r.kind, r.polarity) for r in compile_text(text, "exclusion", "X1")] == kinds


def test_a_negative_result_ends_its_item():
    """holdout13 NCT04115488: 'negative' negated the index bound after ', or' (every low-index patient excluded)."""
    (rule,) = compile_text("Anti-JCV antibody negative, or anti-JCV antibody index of 1.5 or less, at screening.",
                           "inclusion", "X1")
    assert (rule.kind, rule.polarity, rule.comparator, rule.value) == ("lab", "require", "<=", 1.5)
    (rule,) = compile_text("Negative for HIV and hepatitis B.", "inclusion", "X1")
    assert rule.polarity == "exclude"  # "negative for" still negates what follows


def test_a_registered_trademark_is_no_part_of_a_word():
    """holdout13 NCT00112034: 'No gap in AVONEX® treatment longer than 4 weeks during the 12 months before
    screening' was an excluded 12-month interferon washout (the gap reader did not see 'AVONEX®' as a word)."""
    found = compile_text("No gap in AVONEX® treatment longer than 4 weeks during the 12 months before the Screening "
                         "Visit", "inclusion", "X1")
    assert [(r.kind, r.polarity, r.window.within.value if r.window else None) for r in found if r.kind == "washout"] \
        == [("washout", "require", 4.0)]
    assert found[0].text.startswith("No gap in AVONEX®")  # the rule quotes the source as written


# --- thirteenth hold-out round: other wrong verdicts it showed ---------------------------------------------------


@pytest.mark.parametrize("text, section", [
    # holdout13 NCT00984984: a relapse or steroids in the month before screening excluded other patients than these
    ("A previous relapse, or any corticosteroid treatment, within the month before the onset of the present relapse.",
     "exclusion"),
    # NCT03126760: required a relapse within 28 days of screening
    ("Started a 3- to 5-day course of high-dose corticosteroids (intravenous methylprednisolone 500 mg/day or more, or "
     "an equivalent oral dose) within 28 days of the onset of the relapse", "inclusion"),
])
def test_a_window_counted_from_an_event_of_the_patients_goes_to_a_person(text, section):
    found = compile_text(text, section, "X1")
    assert [r.kind for r in found] == ["manual_review"] and found[0].polarity == ("exclude" if section == "exclusion"
                                                                                   else "require")


def test_a_window_from_a_study_time_point_is_kept():
    (rule,) = compile_text("Corticosteroids within 30 days before screening.", "exclusion", "X1")
    assert (rule.kind, rule.window.within.value, rule.window.anchor) == ("washout", 30.0, "screening")


@pytest.mark.parametrize("text, kinds", [
    # NCT03126760: "Acthar Gel" was a gadolinium-enhancing lesion (GEL), excluded
    ("Previous use of Acthar Gel (repository corticotropin injection) for the treatment of MS", ["prior_drug"]),
    ("At least one GEL on the screening MRI.", ["mri_activity"]),
    # NCT00984984: the EDSS bound "5.0" was a count of five relapses, required
    # (the score is the one before the relapse: a person confirms it, as the gold asks since holdout13)
    ("EDSS score between 0 and 5.0 before the present relapse.", ["edss", "manual_review"]),
    # NCT01499667: "(including varicella-zoster or measles)" after the vaccine excluded herpes zoster
    ("Vaccination with a live or live-attenuated vaccine (including varicella-zoster or measles) within 6 weeks before "
     "randomization.", ["live_vaccine"]),
    # NCT03126760: the definition of a relapse ("not associated with fever or infection") excluded infections
    ("A relapse with onset no more than 42 days before the Baseline Visit. A relapse is defined as new or recurrent "
     "neurological symptoms lasting at least 24 hours, not associated with fever or infection, with an objective change "
     "on neurological examination.", ["relapse_activity"]),
])
def test_words_that_only_look_like_a_rule_make_none(text, kinds):
    section = "exclusion" if text.startswith(("Previous", "Vaccination")) else "inclusion"
    assert [r.kind for r in compile_text(text, section, "X1")] == kinds


def test_ocular_herpes_simplex_is_a_condition_of_its_own():
    """'Herpes zoster or ocular herpes simplex infection' was read as any infection."""
    (rule,) = compile_text("Herpes zoster or ocular herpes simplex infection in progress.", "exclusion", "X1")
    assert rule.conditions == ["herpes_zoster", "herpes_simplex"]


@pytest.mark.parametrize("text", [
    # holdout13 NCT04998812, a study of pregnant women: each of these excluded every participant
    "Known high-risk pregnancy (for example pre-eclampsia, placental insufficiency or gestational diabetes).",
    "Receipt of a live or live-attenuated vaccine within the 6 weeks before enrollment, or a live vaccine during "
    "pregnancy.",
    "Alcohol or illicit drug use during the current pregnancy, or substance abuse within the 2 years before enrollment.",
])
def test_a_pregnancy_that_dates_or_qualifies_something_excludes_no_pregnant_woman(text):
    assert "pregnancy" not in [r.kind for r in compile_text(text, "exclusion", "X1")]


def test_pregnancy_itself_is_still_read():
    (rule,) = compile_text("Pregnancy or breastfeeding.", "exclusion", "X1")
    assert (rule.kind, rule.pregnant, rule.breastfeeding) == ("pregnancy", True, True)
    found = compile_text("Singleton pregnancy at a gestational age of 20 to 30 weeks (inclusive) at enrollment.",
                         "inclusion", "X1")
    assert [r.kind for r in found] == ["pregnancy", "manual_review"]  # a gestational age is no age of the patient


def test_an_upper_age_bound_written_as_less_than_keeps_the_lower_one():
    """holdout13 NCT03958877: 'aged 10 to less than 18 years' lost its lower bound."""
    (rule,) = compile_text("Must be aged 10 to less than 18 years at the time of informed consent.", "inclusion", "X1")
    assert (rule.years.low, rule.years.high, rule.years.high_inclusive) == (10.0, 18.0, False)


def test_an_exception_in_a_parenthesis_ends_with_it():
    """holdout13 NCT03232073: '(other than the core-study drug), cytapheresis or plasmapheresis' excepted both."""
    (rule,) = [r for r in compile_text("Immunosuppressive or immunomodulatory treatment (other than the core-study "
                                       "drug), cytapheresis or plasmapheresis within 3 months.", "exclusion", "X1")
               if r.kind == "washout"]
    assert rule.drugs == ["cytapheresis", "plasma_exchange"] and not rule.except_drugs


def test_a_drug_glossed_in_a_parenthesis_is_not_a_second_drug():
    """holdout13 NCT03958877: '(PEGylated human interferon beta-1a)' after peginterferon excluded every interferon
    beta-1a user."""
    (rule,) = compile_text("Any previous treatment with peginterferon beta-1a (PEGylated human interferon beta-1a).",
                           "exclusion", "X1")
    assert rule.drugs == ["peginterferon_beta_1a"]
    (rule,) = compile_text("Prior treatment with dimethyl fumarate (or diroximel fumarate).", "exclusion", "X1")
    assert rule.drugs == ["dimethyl_fumarate", "diroximel_fumarate"]  # an alternative stays one


def test_a_stratification_note_makes_no_rule():
    """holdout13 NCT04260711: 'randomization is stratified by age (younger than 50 years ...)' required an age."""
    found = compile_text("Willing to stop the current disease-modifying therapy if randomized to the discontinuation "
                         "arm. Note: randomization is stratified by age (younger than 50 years, or 50 years and older).",
                         "inclusion", "X1")
    assert [r.kind for r in found] == ["manual_review"]


@pytest.mark.parametrize("text", [
    # holdout13 NCT01294176, an optic neuritis trial: each excluded every participant (the episode it treats)
    "No previous history of optic neuritis, and no ophthalmoscopic signs of optic atrophy, in the affected eye.",
    "Symptoms of optic neuritis already improving before the first dose of study drug.",
    "Optic neuritis earlier in the same eye",
])
def test_a_condition_of_one_eye_or_the_course_of_the_treated_episode_goes_to_a_person(text):
    section = "inclusion" if text.startswith("No ") else "exclusion"
    assert [r.kind for r in compile_text(text, section, "X1")] == ["manual_review"]


def test_an_optic_neuritis_history_in_either_eye_is_still_a_condition():
    (rule,) = compile_text("Previous diagnosis of optic neuritis in either eye.", "exclusion", "X1")
    assert (rule.kind, rule.conditions) == ("condition", ["optic_neuritis"])


def test_untreated_is_a_degree_the_record_cannot_show():
    """holdout13 NCT01294176: 'Untreated hypothyroidism' excluded every patient treated for hypothyroidism."""
    found = compile_text("Untreated hypothyroidism, or a TSH above the upper limit of normal at screening.",
                         "exclusion", "X1")
    assert [(r.kind, getattr(r, "test", None)) for r in found] == [("lab", "tsh"), ("manual_review", None)]


def test_none_of_a_class_or_only_a_member_of_it_excludes_the_other_members():
    """holdout13 NCT02545868: 'receiving no DMT at screening or be treated with interferon beta' excluded interferon
    beta users (both were read as one list of exposures)."""
    (rule,) = compile_text("Participants must either be receiving no disease-modifying therapy (DMT) at screening or be "
                           "treated with interferon beta.", "inclusion", "X1")
    assert (rule.kind, rule.polarity, rule.classes, rule.current) == ("prior_drug", "exclude", ["dmt"], True)
    assert "interferon_beta_1a" in rule.except_drugs


def test_the_disease_a_drug_is_given_for_is_no_condition_of_the_patient():
    """holdout13 NCT04260711: '(for example methotrexate for rheumatoid arthritis)' excluded rheumatoid arthritis."""
    found = compile_text("Concomitant immunosuppressive treatment for another autoimmune disease (for example "
                         "methotrexate for rheumatoid arthritis).", "exclusion", "X1")
    assert "condition" not in [r.kind for r in found]
    assert [r.conditions for r in compile_text("Rheumatoid arthritis or psoriasis.", "exclusion", "X1")] == \
        [["rheumatoid_arthritis", "psoriasis"]]


def test_an_elimination_procedure_is_no_exposure_to_the_drug():
    """holdout13 NCT03232073: 'Completion of the teriflunomide accelerated elimination procedure' required teriflunomide."""
    found = compile_text("Completion of the teriflunomide accelerated elimination procedure at the end of the core "
                         "study.", "inclusion", "X1")
    assert [r.kind for r in found] == ["manual_review"]


def test_activity_asked_of_the_relapsing_forms_is_not_asked_of_the_others():
    """holdout13 NCT04998812: 'CIS or MS (relapsing MS or primary progressive MS)' asked activity of PPMS and CIS."""
    (group,) = [r for r in compile_text("Diagnosis of CIS or of MS (relapsing MS or primary progressive MS).",
                                        "inclusion", "X1") if r.kind == "group"]
    assert [(r.subtypes, r.active_only) for r in group.rules] == [
        (["CIS"], False), (["CIS", "RRMS", "SPMS"], True), (["PPMS"], False)]


def test_a_list_item_window_after_a_colon_is_read_before_a_proviso():
    """holdout13 NCT04115488: 'teriflunomide: 3.5 months, unless an accelerated elimination procedure was completed'
    lost its window (teriflunomide ever excluded) and its proviso decided nothing."""
    (group,) = compile_text("teriflunomide: 3.5 months, unless an accelerated elimination procedure was completed",
                            "exclusion", "X1")
    washout, review = group.rules
    assert (group.mode, group.polarity) == ("all", "exclude")
    assert (washout.kind, washout.polarity, washout.window.within.value) == ("washout", "require", 3.5)
    assert review.kind == "manual_review" and "accelerated elimination" in review.why


def test_a_proviso_of_the_last_item_does_not_lift_the_others():
    found = compile_text("ALT or AST more than 2.5 times the upper limit of normal; bilirubin > 1.5 x ULN (unless known "
                         "Gilbert's syndrome).", "exclusion", "X1")
    assert all(r.kind != "group" for r in found)  # decided exclusions stay decided; the proviso is a partial review
    found = compile_text("Has a history of malignancy, unless it was a basal cell carcinoma of the skin.", "exclusion",
                         "X1")
    assert [(r.kind, r.exceptions) for r in found] == [("condition", ["basal_cell_carcinoma"])]  # read: its exception


def test_a_condition_with_a_kind_of_itself_is_that_kind():
    """holdout13 NCT01199861: 'diabetes mellitus (type 1 or type 2) with diabetic retinopathy or an HbA1c above 8%'
    excluded every diabetic (the retinopathy was folded into the diabetes it is a kind of)."""
    found = compile_text("Patients with diabetes mellitus (type 1 or type 2) with diabetic retinopathy or an HbA1c "
                         "above 8%.", "exclusion", "X1")
    assert [r.conditions for r in found if r.kind == "condition"] == [["diabetic_retinopathy"]]
    assert [r.conditions for r in compile_text("Diabetes mellitus or hypertension.", "exclusion", "X1")] == \
        [["diabetes_mellitus", "hypertension"]]


def test_a_time_word_after_a_parenthesis_of_kinds_is_every_kinds():
    """holdout13 NCT01199861: 'cardiac failure (NYHA class III or IV) at any time' read class III as current only."""
    (rule, review) = compile_text("cardiac failure (NYHA class III or IV) at any time, or known cardiomyopathy",
                                  "exclusion", "X1")
    assert (rule.conditions, rule.timing) == (["heart_failure_nyha_iii", "heart_failure_nyha_iv"], "any")


@pytest.mark.parametrize("text, duration", [
    # holdout13 NCT00112034: "for at least 6 consecutive months" was no duration
    ("Currently receiving AVONEX (interferon beta-1a 30 mcg intramuscularly once a week), and treated with AVONEX for "
     "at least 6 consecutive months before the Screening Visit", 6.0),
    # NCT01499667: the duration before a treatment gap was dropped
    ("Treatment with natalizumab (Tysabri) for at least 6 months prior to screening, with no gap in natalizumab dosing "
     "longer than 8 weeks during the 12 months prior to randomization", 6.0),
])
def test_how_long_a_required_treatment_lasted_is_read(text, duration):
    (rule,) = [r for r in compile_text(text, "inclusion", "X1") if r.kind == "prior_drug"]
    assert (rule.polarity, rule.current, rule.min_duration.value) == ("require", True, duration)


def test_another_study_at_the_time_of_inclusion_is_a_current_one():
    (rule,) = compile_text("Participation in another interventional study at the time of inclusion.", "exclusion", "X1")
    assert (rule.window.within.value, rule.window.anchor) == (0.0, "enrollment")


def test_live_or_inactivated_vaccines_are_a_rule_and_a_review():
    """holdout13 NCT01199861: 'any other live or inactivated vaccine within 1 month' went to a person whole."""
    found = compile_text("Patients who have received any other live or inactivated vaccine within 1 month prior to "
                         "randomization.", "exclusion", "X1")
    assert [r.kind for r in found] == ["live_vaccine", "manual_review"] and "inactivated" in found[1].why
    assert (found[0].window.within.value, found[0].window.anchor) == (1.0, "randomization")


@pytest.mark.parametrize("text", [
    # holdout13 NCT03232073: the exception was dropped without a trace (steroids for a relapse excluded)
    "Systemic corticosteroids or ACTH (except for the treatment of an MS relapse) within 30 days before Day 1.",
    "Systemic corticosteroids within 30 days, except for the treatment of a relapse.",
])
def test_steroids_except_for_a_relapse_are_a_qualified_washout(text):
    (rule,) = compile_text(text, "exclusion", "X1")
    assert rule.kind == "washout" and rule.qualifier == "not when given for an MS relapse"


def test_those_on_a_drug_is_a_conditional_stability():
    """holdout13 NCT02545868: 'those on interferon beta must have been on a stable dose for at least 6 months'."""
    (group,) = compile_text("Those on interferon beta must have been on a stable dose for at least 6 months before "
                            "screening.", "inclusion", "X1")
    assert (group.mode, [(r.polarity, r.current) for r in group.rules]) == \
        ("any", [("exclude", True), ("require", True)])
    assert group.rules[1].min_duration.value == 6.0


@pytest.mark.parametrize("text, diagnosed", [
    # holdout13 NCT01294176: the McDonald diagnosis required beside the CIS failed every CIS patient
    ("Optic neuritis as a first demyelinating event (possibly idiopathic), or in a patient with a clinically isolated "
     "syndrome or with MS according to the 2010 McDonald criteria.", "ms_diagnosis"),
    # holdout11 NCT02746744 (a grouping error for two rounds)
    ("Diagnosis of relapsing-remitting MS according to the 2017 revised McDonald criteria, OR one demyelinating episode "
     "together with at least one asymptomatic T2 lesion and oligoclonal bands in the cerebrospinal fluid (clinically "
     "isolated syndrome)", "group"),
])
def test_a_cis_beside_an_ms_diagnosis_is_an_alternative_to_it(text, diagnosed):
    (group,) = [r for r in compile_text(text, "inclusion", "X1") if r.kind == "group"]
    assert group.mode == "any" and [r.kind for r in group.rules] == ["ms_subtype", diagnosed]
    assert group.rules[0].subtypes == ["CIS"]


def test_a_cis_another_sentence_excludes_stays_no_alternative():
    found = compile_text("Meets the 2017 McDonald criteria for relapsing-remitting MS. Patients with a clinically "
                         "isolated syndrome (CIS) are not eligible.", "inclusion", "X1")
    assert "group" not in [r.kind for r in found]


@pytest.mark.parametrize("text, drugs, classes", [
    # holdout13 NCT04260711: "a second-line DMT, i.e. ..." excluded every patient on any DMT (the inclusion asks for a
    # first-line one): the members after "i.e." are the drugs meant
    ("Previous treatment at any time with a second-line disease-modifying therapy, i.e. natalizumab, fingolimod, "
     "cladribine, alemtuzumab, ocrelizumab or mitoxantrone.",
     ["natalizumab", "fingolimod", "cladribine", "alemtuzumab", "ocrelizumab", "mitoxantrone"], []),
    # holdout13 NCT01199861: amlodipine does not lower the heart rate; the examples are the drugs meant
    ("Patients receiving beta blockers or heart-rate-lowering calcium channel blockers (e.g., verapamil or diltiazem) "
     "at the time of randomization", ["verapamil", "diltiazem"], ["beta_blocker"]),
    ("Prior treatment with an S1P receptor modulator, namely fingolimod or siponimod", ["fingolimod", "siponimod"], []),
    # a class with examples stays the class
    ("Prior use of immunosuppressants (e.g. azathioprine, methotrexate)", ["azathioprine", "methotrexate"],
     ["immunosuppressant"]),
])
def test_a_narrowed_class_or_a_namely_list_is_the_drugs_listed(text, drugs, classes):
    (rule,) = compile_text(text, "exclusion", "X1")
    assert (rule.drugs, rule.classes, rule.qualifier) == (drugs, classes, None)


def test_a_narrowed_class_without_members_is_a_qualified_class():
    """'a second-line DMT' is a part of the class the lexicon cannot tell apart: a DMT user goes to a person."""
    text = "Prior treatment with a second-line DMT."
    (rule,) = compile_text(text, "exclusion", "X1")
    assert (rule.classes, rule.qualifier) == (["dmt"], "second-line")
    on_interferon = _screen_one(text, "exclusion", {"id": "p", "treatments": [{"drug": "Rebif 44",
                                                                              "start": "2020-01-01"}]})
    untreated = _screen_one(text, "exclusion", {"id": "q", "treatments": []})
    assert (on_interferon.criteria[0].status, untreated.criteria[0].status) == ("unknown", "pass")


@pytest.mark.parametrize("text", [
    # holdout13 NCT03126760: read apart, every type 1 diabetic was excluded whatever the HbA1c
    "Type 1 or type 2 diabetes mellitus with an HbA1c of 8% or higher at Screening",
    "Diabetes mellitus (type 1 or type 2) with an HbA1c above 8%",
])
def test_kinds_of_a_condition_joined_before_a_value_share_it(text):
    (group,) = compile_text(text, "exclusion", "X1")
    assert group.kind == "group" and group.mode == "all"
    assert [r.kind for r in group.rules] == ["condition", "lab"]
    assert group.rules[0].conditions == ["type_1_diabetes", "type_2_diabetes"]


def test_a_condition_joined_before_a_qualified_one_stays_its_own():
    found = compile_text("Hypertension or diabetes mellitus with an HbA1c above 8%", "exclusion", "X1")
    assert sorted((r.kind, r.rules[0].conditions if r.kind == "group" else r.conditions) for r in found) == \
        [("condition", ["hypertension"]), ("group", ["diabetes_mellitus"])]


def test_a_long_exposure_is_of_the_clause_it_stands_in():
    """holdout13 NCT02545868: the 6-month window was lost (to a person) and the 30-day minimum given to the 4-week
    washout, so a 3-week course of prednisone did not exclude."""
    short, long = compile_text("Systemic corticosteroid therapy within 4 weeks prior to screening, or chronic "
                               "corticosteroid therapy (more than 30 consecutive days) within the 6 months prior to "
                               "screening", "exclusion", "X1")
    assert (short.classes, short.window.within.value, short.min_duration) == (["systemic_corticosteroid"], 4.0, None)
    assert (long.classes, long.window.within.value, long.min_duration.value) == (["corticosteroid"], 6.0, 30.0)


# --- session 15: the fourteenth hold-out round ------------------------------------------------------------

def test_not_compatible_with_mri_describes_the_devices():
    """holdout14 NCT02649985: 'not compatible' negated the examples, and a pacemaker was required."""
    (rule, _review) = compile_text("Implanted devices that are not compatible with MRI, such as a cardiac pacemaker, "
                                   "a neurostimulator or a cochlear implant.", "exclusion", "X1")
    assert (rule.polarity, rule.conditions) == ("exclude", ["cardiac_pacemaker", "cochlear_implant"])


@pytest.mark.parametrize("text, window", [
    # holdout14 NCT02200770: the time of the skin cancer's curative treatment required a cancer in the last 3 months
    ("History of cancer, apart from squamous cell or basal cell carcinoma of the skin treated with documented success "
     "of curative therapy more than 3 months before randomization.", None),
    # a window after the exception's own clause still times the malignancy
    ("Malignancy, except adequately treated basal cell carcinoma or cervical carcinoma in situ, within the past 5 years",
     5.0),
])
def test_a_window_of_the_exceptions_treatment_is_not_the_conditions(text, window):
    rule = next(r for r in compile_text(text, "exclusion", "X1") if r.kind == "condition")
    assert rule.polarity == "exclude" and rule.conditions == ["malignancy"]
    assert (rule.window.within.value if rule.window else None) == window


def test_may_be_untreated_or_stable_is_a_conditional_stability():
    """holdout14 NCT05271409: each listed treatment was required (untreated participants failed)."""
    (group, *reviews) = compile_text(
        "Participants may be untreated, or may continue one of the following baseline treatments for MOGAD provided "
        "that the dose has been stable for at least 8 weeks before baseline: azathioprine, mycophenolate mofetil, "
        "oral corticosteroids at a dose of 15 mg/day prednisone equivalent or less", "inclusion", "X1")
    assert group.mode == "any" and [(r.polarity, r.current) for r in group.rules] == [("exclude", True),
                                                                                      ("require", True)]
    assert group.rules[1].min_duration.value == 8.0
    assert group.rules[0].drugs == ["azathioprine", "mycophenolate_mofetil"]
    assert group.rules[0].classes == ["systemic_corticosteroid"]
    assert all(r.kind == "manual_review" for r in reviews)


@pytest.mark.parametrize("text", ["exclusion of alternative diagnoses, including multiple sclerosis",
                                  "Ruling out of other diagnoses, such as multiple sclerosis"])
def test_exclusion_of_a_diagnosis_excludes_it(text):
    """holdout14 NCT05271409: a MOGAD trial required an MS diagnosis."""
    rule = next(r for r in compile_text(text, "inclusion", "X1") if r.kind == "ms_diagnosis")
    assert rule.polarity == "exclude"


def test_what_attacks_presented_as_is_not_required():
    """holdout14 NCT05271409: 'attacks presenting as optic neuritis, transverse myelitis or ADEM' required optic
    neuritis."""
    found = compile_text("a documented history of at least two MOGAD attacks, presenting as optic neuritis, "
                         "transverse myelitis or acute disseminated encephalomyelitis", "inclusion", "X1")
    assert "condition" not in [r.kind for r in found]
    assert any(r.kind == "relapse_activity" and r.min_count == 2 for r in found)


def test_an_unread_alternative_clause_is_the_other_way_in():
    """holdout14 NCT06372145: the elimination procedure's '11 days' required teriflunomide in the last 11 days, the
    study drug after 'the first dose of open-label' was washed out, and the washout alone excluded participants whom
    the procedure lets in."""
    (group, _review) = compile_text(
        "Participants who received teriflunomide in GEMINI 1 or GEMINI 2 must have completed an accelerated elimination "
        "procedure (cholestyramine for 11 days), or must have stopped teriflunomide at least 3 months before the first "
        "dose of open-label tolebrutinib.", "inclusion", "X1")
    washout, check = group.rules
    assert group.mode == "any" and (washout.kind, washout.drugs, washout.window.within.value) == (
        "washout", ["teriflunomide"], 3.0)
    assert check.kind == "manual_review" and "elimination procedure" in check.why


@pytest.mark.parametrize("text, test", [
    # holdout14 NCT00537082 / NCT03249714: Japanese laboratory names
    ("GPT above 2 times the upper limit of normal", "alt"),
    ("GOT above 2 times the upper limit of normal", "ast"),
    ("γ-GTP more than 3 times the upper limit of normal", "ggt"),
    ("gamma-GTP above 3 times the upper limit of normal", "ggt"),
    ("CD4 T-lymphocyte count < 300 cells/µL", "cd4_count"),
])
def test_older_and_japanese_laboratory_names(text, test):
    assert test in [r.test for r in compile_text(text, "exclusion", "X1") if r.kind == "lab"]


def test_got_is_the_laboratory_name_in_capitals_only():
    """'GOT' (AST) is also the English word 'got'."""
    assert [e.id for e in find_entities("Patients who got a live vaccine within 4 weeks") if e.label == "LAB"] == []


def test_latent_tuberculosis_eligible_only_if_treated_is_no_exception():
    """holdout14 NCT02200770: latent TB without prophylaxis was let in (an exception)."""
    rule, review = compile_text(
        "Evidence of active or latent tuberculosis (positive interferon-gamma release assay or tuberculin skin test) at "
        "screening; participants with latent tuberculosis are eligible only if they have started prophylaxis according "
        "to local guidelines before randomization.", "exclusion", "X1")
    assert (rule.conditions, rule.exceptions) == (["tuberculosis"], [])
    assert review.kind == "manual_review" and "prophylaxis" in review.why


def test_seronegative_nmo_is_nmo_and_atypical_of_is_no_condition():
    """holdout14 NCT02200770: 'AQP4-IgG seronegative NMO' excluded NMO in an NMO trial; 'features atypical of NMOSD'
    excluded NMOSD."""
    (rule, _review) = compile_text("AQP4-IgG seronegative NMO meeting the 2006 Wingerchuk diagnostic criteria.",
                                   "inclusion", "X1")
    assert (rule.polarity, rule.conditions) == ("require", ["neuromyelitis_optica"])
    found = compile_text("A diagnosis of multiple sclerosis, or clinical or MRI features atypical of NMOSD that suggest "
                         "another demyelinating disease.", "exclusion", "X1")
    assert "condition" not in [r.kind for r in found]


def test_rescue_therapy_an_attack_required_is_no_exposure():
    found = compile_text("A history of at least 1 acute NMO attack requiring rescue therapy (for example IV "
                         "corticosteroids, IV immunoglobulin or plasma exchange) in the year before screening.",
                         "inclusion", "X1")
    assert not [r for r in found if r.kind in ("washout", "prior_drug")]


@pytest.mark.parametrize("text, anchor, half_lives", [
    ("Receipt of any investigational agent within 4 weeks or 5 published half-lives, whichever is longer, before "
     "screening.", "screening", 5),
    ("Received an investigational product within 30 days or 5 half-lives (whichever is longer) prior to the first "
     "dosing day in the current study.", "first_dose", 5),
])
def test_investigational_windows_of_other_wording(text, anchor, half_lives):
    rule = next(r for r in compile_text(text, "exclusion", "X1") if r.kind == "investigational")
    assert (rule.window.anchor, rule.window.half_lives) == (anchor, half_lives)


def test_a_bone_marrow_aspiration_anchors_like_a_leukapheresis():
    (rule,) = compile_text("Natalizumab within 6 months before the bone marrow aspiration.", "exclusion", "X1")
    assert rule.window.anchor == "enrollment"


def test_a_cohort_named_at_the_head_scopes_the_criterion():
    """holdout14 NCT02649985: 'For participants with RRMS, ...' required RRMS, and the next criterion SPMS."""
    found = compile_text(
        "For participants with relapsing-remitting MS, the disease must be active, defined as at least one relapse in "
        "the past 12 months, at least one gadolinium-enhancing lesion on an MRI performed within 12 months of "
        "enrollment, or at least one new FLAIR-hyperintense lesion on an MRI performed within 6 months of enrollment.",
        "inclusion", "X1")
    assert "ms_subtype" not in [r.kind for r in found]
    assert all(r.when and r.when.subtypes == ["RRMS"] for r in found)
    (group,) = [r for r in found if r.kind == "group"]
    assert sorted((r.kind, getattr(r, "lesion", None)) for r in group.rules) == [
        ("mri_activity", "gd_enhancing"), ("mri_activity", "new_t2"), ("relapse_activity", None)]


@pytest.mark.parametrize("text, high, measured_from", [
    # holdout14 NCT06384976, NCT01772199, NCT04578639: durations stated from the event, bound first
    ("No more than 20 years since the onset of MS symptoms, as reported by the participant.", 20.0, "onset"),
    ("20 years or less since the onset of MS symptoms", 20.0, "onset"),
    ("Diagnosis of RRMS made within approximately 10 years prior to the screening visit", 10.0, "diagnosis"),
    ("Diagnosis of MS within the last 12 months", 1.0, "diagnosis"),
    # holdout8 NCT00666224: the days were read as years once "within the" was read
    ("Subjects presenting with a single, unifocal neurological event consistent with demyelination, with onset of "
     "the first symptom within the 90 days prior to randomization.", 0.2466, "onset"),
])
def test_disease_duration_of_other_wording(text, high, measured_from):
    rule = next(r for r in compile_text(text, "inclusion", "X1") if r.kind == "disease_duration")
    assert (rule.years.high, rule.measured_from) == (high, measured_from)


def test_age_at_the_time_the_consent_is_signed_is_an_age():
    """holdout14 NCT06384976: the whole criterion went to a person as a consent criterion."""
    (rule,) = compile_text("Age 18 to 65 years, inclusive, at the time the informed consent form is signed.",
                           "inclusion", "X1")
    assert (rule.kind, rule.years.low, rule.years.high) == ("age", 18.0, 65.0)


def test_treatment_naive_alone_is_no_dmt_ever():
    found = compile_text("Male and female patients, treatment naïve, aged between 18 and 60 years (both included)",
                         "inclusion", "X1")
    (naive,) = [r for r in found if r.kind == "prior_drug"]
    assert (naive.polarity, naive.classes, naive.current) == ("exclude", ["dmt"], False)


@pytest.mark.parametrize("text, classes", [
    # holdout14 NCT03508414: the whole criterion went to a person
    ("Stable immunomodulatory therapy, or no immunomodulatory therapy, for more than 6 months before inclusion",
     ["immunomodulator"]),
    ("Stable interferon beta therapy, or no interferon beta therapy, for more than 6 months before inclusion",
     ["interferon_beta"]),
    # holdout3 NCT04097418 (gold reconciled: the duration is both arms')
    ("Stable disease-modifying treatment (or no treatment) since at least 6 months", ["dmt"]),
])
def test_a_duration_after_the_untreated_arm_is_both_arms(text, classes):
    (group,) = compile_text(text, "inclusion", "X1")
    on, off = group.rules
    assert group.mode == "any" and (on.kind, on.classes, on.min_duration.value) == ("prior_drug", classes, 6.0)
    assert (off.kind, off.polarity, off.window.within.value) == ("washout", "exclude", 6.0)


@pytest.mark.parametrize("text, narrowed", [
    # holdout14 NCT00537082: every diabetic was excluded
    ("Diabetic patients with an HbA1c above 8%", "lab"),
    ("Diabetic patients with retinopathy, or with an HbA1c (JDS value) of 7.0% or higher.", "manual_review"),
])
def test_diabetic_patients_with_a_finding_are_excluded_only_with_it(text, narrowed):
    found = compile_text(text, "exclusion", "X1")
    assert not [r for r in found if r.kind == "condition"]
    (group,) = [r for r in found if r.kind == "group"]
    assert [r.kind for r in group.rules] == ["condition", narrowed]


@pytest.mark.parametrize("text", [
    # holdout14 NCT01772199: a dose on each drug split them into two required rules, and no one is on both
    "Currently treated with intramuscular interferon beta-1a (Avonex) 30 µg once weekly or with glatiramer acetate "
    "(Copaxone) 20 mg once daily, at an unchanged dose for at least 12 months before screening.",
    "Currently treated with interferon beta-1a 30 µg or glatiramer acetate 20 mg for at least 12 months.",
])
def test_required_drugs_with_their_own_doses_stay_alternatives(text):
    (rule,) = [r for r in compile_text(text, "inclusion", "X1") if r.kind == "prior_drug"]
    assert rule.drugs == ["interferon_beta_1a", "glatiramer_acetate"] and rule.qualifier and rule.current


@pytest.mark.parametrize("text", [
    "Must be on baclofen for at least 30 days before screening",  # it was read as a washout: no baclofen in 30 days
    "Must be on a stable dose of baclofen for at least 30 days before screening",  # it went to a person whole
])
def test_must_be_on_a_drug_for_a_time_is_current_use_that_long(text):
    (rule,) = compile_text(text, "inclusion", "X1")
    assert (rule.kind, rule.polarity, rule.drugs, rule.current) == ("prior_drug", "require", ["baclofen"], True)
    assert (rule.min_duration.value, rule.min_duration.unit) == (30.0, "days")


@pytest.mark.parametrize("text, classes", [
    # holdout14 NCT03508414 and NCT06384976: heart failure of any class excluded
    ("Heart failure NYHA stage III or higher, or cardiac arrhythmias requiring treatment ;", ["iii", "iv"]),
    ("Cardiac disease: New York Heart Association class III or IV heart failure", ["iii", "iv"]),
    ("Congestive heart failure (NYHA class II or worse)", ["ii", "iii", "iv"]),
])
def test_heart_failure_narrowed_to_its_classes(text, classes):
    (rule, *_) = compile_text(text, "exclusion", "X1")
    assert rule.conditions[:len(classes)] == [f"heart_failure_nyha_{c}" for c in classes]
    assert "heart_failure" not in rule.conditions


def test_cortisone_treatment_is_the_corticosteroid_class():
    """holdout14 NCT03508414 (translated from German, 'Kortison'): the drug cortisone alone let in methylprednisolone."""
    (rule,) = compile_text("Cortisone treatment in the last 30 days before inclusion ;", "exclusion", "X1")
    assert (rule.kind, rule.classes, rule.drugs) == ("washout", ["corticosteroid"], [])


def test_the_disease_of_a_therapy_is_no_diagnosis():
    """holdout14 NCT06372145: 'any MS disease-modifying therapy' in an exclusion excluded every MS patient."""
    found = compile_text("Treatment with any MS disease-modifying therapy other than the intervention received in the "
                         "parent study (tolebrutinib or teriflunomide) within the 6 months before Day 1.", "exclusion", "X1")
    (rule,) = found
    assert (rule.kind, rule.classes, rule.except_drugs) == ("washout", ["dmt"], ["tolebrutinib", "teriflunomide"])


@pytest.mark.parametrize("text", [
    # holdout14 NCT06113666 and holdout9 NCT01524250: both excluded every patient on a DMT
    "Note: participants continue their disease-modifying therapy and other medication as prescribed by their "
    "neurologist during the study.",
    "Note: participants with a prior diagnosis of MS may continue their current disease-modifying therapy during the "
    "study.",
])
def test_a_note_that_lets_patients_continue_a_therapy_excludes_no_one(text):
    assert not [r for r in compile_text(text, "exclusion", "X1") if r.kind in ("prior_drug", "washout")]


def test_either_a_or_b_is_an_any_of_of_the_clauses():
    """holdout14 NCT02649985: both clauses were required, and no patient or control met both."""
    (group,) = compile_text("Either a diagnosis of relapsing-remitting or secondary progressive multiple sclerosis, or, "
                            "for healthy control participants, no history of neurological or psychiatric disease.",
                            "inclusion", "X1")
    patient, control = group.rules
    assert group.mode == "any" and [r.kind for r in patient.rules] == ["ms_diagnosis", "ms_subtype"]
    assert (control.kind, control.polarity, control.conditions) == ("condition", "exclude",
                                                                    ["neurological_disorder", "psychiatric_disorder"])


def test_maintenance_use_is_a_qualifier_and_a_permission_after_a_semicolon_is_its_own():
    """holdout14 NCT05271409: the allowed rescue use in the second clause took the washout of the first with it."""
    (washout, review) = compile_text("Maintenance intravenous immunoglobulin (IVIG) within 4 weeks before baseline; IVIG "
                                     "or plasma exchange given as rescue treatment for an attack is allowed.",
                                     "exclusion", "X1")
    assert (washout.kind, washout.drugs, washout.qualifier) == ("washout", ["intravenous_immunoglobulin"], "Maintenance")
    assert review.kind == "manual_review"


def test_list_items_take_the_parents_window_unless_timed_otherwise():
    """holdout15 NCT01188811: the items of 'Use of any of the following in the 12 months before screening' excluded
    every patient ever treated with them."""
    found = _compiled_list("Exclusion Criteria:\n- Use of any of the following in the 12 months before screening:\n"
                           "    - natalizumab, mitoxantrone or azathioprine\n"
                           "    - alemtuzumab or cladribine at any time\n"
                           "    - a live vaccine\n")
    washout, ever, vaccine = found
    assert (washout["kind"], washout["window"]["within"]["value"]) == ("washout", 12.0)
    assert (ever["kind"], ever["drugs"]) == ("prior_drug", ["alemtuzumab", "cladribine"])
    assert vaccine["kind"] == "live_vaccine" and vaccine["window"]["within"]["value"] == 12.0


def test_stable_therapy_or_none_during_a_time_is_either_arm():
    """holdout15 NCT01663649 (a polarity error: a DMT in the 3 months was required)."""
    (group,) = compile_text("Stable disease-modifying therapy, or no disease-modifying therapy, during the 3 months "
                            "before screening", "inclusion", "X1")
    on, off = group.rules
    assert (on.kind, on.current, on.min_duration.value) == ("prior_drug", True, 3.0)
    assert (off.kind, off.polarity, off.window.within.value) == ("washout", "exclude", 3.0)


def test_a_relapsing_group_with_its_abbreviation_beside_another_course_stays():
    """holdout15 NCT03972306: '(PPMS)' was taken for the spelled-out members of 'relapsing MS (RMS)', and every
    relapsing patient failed."""
    found = compile_text("Diagnosis of relapsing multiple sclerosis (RMS) or primary progressive multiple sclerosis "
                         "(PPMS) in accordance with the 2017 revised McDonald criteria", "inclusion", "X1")
    (group,) = [r for r in found if r.kind == "group"]
    assert [r.subtypes for r in group.rules] == [["CIS", "RRMS", "SPMS"], ["PPMS"]]


@pytest.mark.parametrize("text, section, kinds", [
    # holdout15 NCT05957913: the equation's name required chronic kidney disease
    ("Estimated glomerular filtration rate (eGFR, CKD-EPI) of 60 mL/min/1.73 m2 or higher at screening.", "inclusion",
     ["lab"]),
    # holdout15 NCT03000127: the level the test measures required testosterone treatment
    ("Low or low-normal testosterone: serum total testosterone below 500 ng/dL (17.3 nmol/L) at screening.",
     "inclusion", ["lab", "manual_review"]),
    ("Treatment with testosterone, or a serum testosterone above 1000 ng/dL", "exclusion", ["lab", "prior_drug"]),
    # holdout15 NCT03183869: every SPMS patient was excluded
    ("Primary progressive MS, or secondary progressive MS without a relapse in the last 2 years", "exclusion",
     ["ms_subtype", "group"]),
    # holdout15 NCT03870763: any relapse ever excluded
    ("An MS relapse within the 50 days before randomization, or incomplete recovery from an earlier relapse at the "
     "time of randomization.", "exclusion", ["relapse_activity", "manual_review"]),
])
def test_a_word_of_another_rule_states_no_rule_of_its_own(text, section, kinds):
    assert [r.kind for r in compile_text(text, section, "X1")] == kinds


def test_the_months_of_the_trial_ahead_are_no_look_back():
    """holdout15 NCT05349474: 'throughout the 12 months of the trial' made a required DMT within 12 months."""
    found = compile_text("Participants on a disease-modifying therapy must have been on it for at least 6 months before "
                         "screening and must intend to continue it unchanged throughout the 12 months of the trial; "
                         "untreated participants must intend to remain untreated.", "inclusion", "X1")
    group, review = found
    not_on, on = group.rules
    assert (not_on.polarity, on.min_duration.value, review.kind) == ("exclude", 6.0, "manual_review")


@pytest.mark.parametrize("text", [
    "Pregnancy or lactation, or planned pregnancy during the study period ;",
    "Pregnancy or breastfeeding; women planning a pregnancy during the 6 months of the study",
    "Pregnancy in course or planned during the study period.",
])
def test_a_planned_pregnancy_goes_to_a_person(text):
    """The plan was consumed with the pregnancy rule: women planning one passed (holdout15 NCT03508414, NCT06314412)."""
    pregnancy, review = compile_text(text, "exclusion", "X1")
    assert (pregnancy.kind, review.kind, review.category) == ("pregnancy", "manual_review", "partial")


def test_a_condition_treated_with_a_drug_excludes_with_the_treatment_only():
    """holdout15 NCT02661555: 'asthma treated with daily oral corticosteroids' excluded every patient once given
    steroids (in MS, for a relapse)."""
    group, copd = compile_text("Chronic obstructive pulmonary disease, or asthma treated with daily oral "
                               "corticosteroids", "exclusion", "X1")
    asthma, steroids = group.rules
    assert (group.mode, group.polarity, asthma.conditions) == ("all", "exclude", ["asthma"])
    assert (steroids.kind, steroids.classes, steroids.current) == ("prior_drug", ["systemic_corticosteroid"], True)
    assert copd.conditions == ["copd"]


@pytest.mark.parametrize("text, kind, current", [
    # holdout15 NCT01442233: the relapse is current, the treatment was given for it
    ("Treated for the current relapse with intravenous methylprednisolone, 1 g per day for at least 3 days",
     "prior_drug", False),
    # holdout15 NCT03183869: the conditional lead in the second sentence was missed (a washout excluded those on it)
    ("Untreated participants are eligible. Participants taking interferon beta, glatiramer acetate, teriflunomide or "
     "dimethyl fumarate must have been on the same drug and dose for at least 6 months before screening", "group", None),
])
def test_treatment_timing_of_other_wording(text, kind, current):
    (rule,) = compile_text(text, "inclusion", "X1")
    assert rule.kind == kind and (current is None or rule.current is current)


def test_a_use_the_exception_spares_is_the_qualifier_and_names_no_exposure():
    """holdout15 NCT05349474: 'except when given as premedication before an infusion of ... ocrelizumab' excluded
    ocrelizumab."""
    washout, _ = compile_text("Systemic glucocorticoids (oral or intravenous) taken in the last six months, except when "
                              "given as premedication before an infusion of disease-modifying therapy such as "
                              "ocrelizumab.", "exclusion", "X1")
    assert (washout.classes, washout.drugs) == (["systemic_corticosteroid"], []) and washout.qualifier


@pytest.mark.parametrize("text, kind", [
    ("Participation in another clinical trial with an intervention during the study period", "investigational"),
    ("Other neurological or systemic disease that could interfere with the assessment of the relapse", "manual_review"),
    ("Depression so severe that inpatient treatment is needed, in the clinical judgement of the study physician",
     "manual_review"),
])
def test_fifteenth_round_exclusions_of_other_wording(text, kind):
    (rule,) = compile_text(text, "exclusion", "X1")
    assert rule.kind == kind
    if kind == "investigational":
        assert rule.window.within.value == 0  # from now on: another trial now excludes, one years ago does not


@pytest.mark.parametrize("text, section, expected", [
    ("Men and women over the age of 18", "inclusion", (18.0, False, None)),  # it required an age of exactly 18
    ("Under the age of 18", "exclusion", (None, True, 18.0)),
])
def test_a_comparator_before_the_age_of(text, section, expected):
    (age, *_) = [r for r in compile_text(text, section, "X1") if r.kind == "age"]
    assert (age.years.low, age.years.low_inclusive, age.years.high) == expected


@pytest.mark.parametrize("text, unread", [
    # holdout15 NCT05957913: the age of the fracture excluded patients aged 40, and the fracture was dropped
    ("Osteoporosis, or a fragility fracture after the age of 40 years.", "fragility fracture"),
    # holdout15 NCT03000127 and NCT01442233: a name that opens with its number, an item with its value, dropped
    ("Treatment with testosterone, anabolic steroids or any other androgen, or with a 5-alpha-reductase inhibitor, "
     "within the 6 months before screening.", "5-alpha-reductase"),
    ("Active infection, including urinary tract infection, or fever of 38 °C or more at inclusion", "fever"),
    # holdout15 NCT03972306: whether latent tuberculosis was treated was consumed silently
    ("Active tuberculosis, or latent tuberculosis (a positive QuantiFERON-TB test) that has not been adequately "
     "treated", "adequately"),
])
def test_what_no_rule_reads_reaches_a_person(text, unread):
    found = compile_text(text, "exclusion", "X1")
    assert not [r for r in found if r.kind == "age"]
    (review,) = [r for r in found if r.kind == "manual_review"]
    assert review.category == "partial" and unread in review.why


def test_the_window_of_a_test_is_not_the_conditions():
    """holdout15 NCT05957913: 'a negative HIV test within the 30 days before Day 1' excluded only an HIV diagnosed in
    those 30 days."""
    hiv, review = compile_text("Documented negative HIV-1/2 antigen/antibody test within the 30 days before Day 1.",
                               "inclusion", "X1")
    assert (hiv.conditions, hiv.timing, hiv.window) == (["hiv"], "current", None)
    assert "30 days" in review.why


def test_a_score_before_the_relapse_goes_to_a_person_too():
    """holdout15 NCT01442233: the score before the current relapse was read as today's, and passed."""
    edss, review = compile_text("EDSS score below 6.5 before the onset of the current relapse", "inclusion", "X1")
    assert (edss.kind, edss.score.high, review.category) == ("edss", 6.5, "partial")


# --- session 17: the wrong verdicts of the earlier rounds, on other phrasings ------------------------------------

@pytest.mark.parametrize("text", [
    "Any MS relapse within 30 days of baseline.",  # holdout11 NCT04486716: every MS patient was excluded
    "Any MS exacerbation in the 60 days before randomization",
])
def test_the_disease_naming_an_event_is_no_course(text):
    (relapse,) = compile_text(text, "exclusion", "X1")
    assert relapse.kind == "relapse_activity"


@pytest.mark.parametrize("text, read_kind, other", [
    # holdout7 NCT02284568: the walking impairment alone had been required
    ("A Kurtzke Functional System score of ≥ 2 for the pyramidal system, or gait impairment due to lower extremity "
     "dysfunction.", "condition", "Kurtzke"),
    ("Serum 25-hydroxy vitamin D of at least 30 ng/mL at screening, or willingness to take vitamin D3 supplements "
     "throughout the study", "lab", "willingness"),
])
def test_an_unread_alternative_after_a_comma_or_is_another_way_in(text, read_kind, other):
    (group,) = [r for r in compile_text(text, "inclusion", "X1") if r.kind == "group"]
    assert group.mode == "any"
    assert any(r.kind == read_kind or r.kind == "group" and r.rules[0].kind == read_kind for r in group.rules)
    assert any(r.kind == "manual_review" and other in r.why for r in group.rules)


@pytest.mark.parametrize("text", [
    # the last item of a list, and the examples of a term, are no alternative
    "Onset as optic neuritis, transverse myelitis, or another brain syndrome compatible with demyelination",
    "A first clinical event such as optic neuritis, or a partial spinal cord syndrome",
    "Post-menopausal for at least one year, or using a highly effective method of contraception",
])
def test_a_list_or_a_womans_alternatives_are_not_split(text):
    assert not [r for r in compile_text(text, "inclusion", "X1") if r.kind == "group" and r.mode == "any"]


def test_the_read_clause_keeps_its_own_unread_words():
    """holdout4 NCT01817166: 'or one such lesion together with oligoclonal bands' made the bands alone a way in."""
    (group,) = compile_text("At least two lesions on brain or spinal cord T2-weighted MRI consistent with "
                            "demyelination, or at least one such lesion together with positive cerebrospinal fluid "
                            "oligoclonal bands.", "inclusion", "X1")
    bands, lesions = group.rules
    assert bands.mode == "all" and [r.kind for r in bands.rules] == ["csf_oligoclonal_bands", "manual_review"]
    assert "two lesions" in lesions.why


def test_the_conditions_of_a_conditional_lead_are_not_required():
    """holdout7 NCT03500328: 'If the patient has a prior history of ... malignancy, the clinician must document ...'
    required a malignancy of every patient."""
    found = compile_text("No chemotherapy in the past year. If the patient has a history of malignancy, the treating "
                         "physician must document why treatment is justified.", "inclusion", "X1")
    assert not [r for r in found if r.kind == "condition"]
    assert "malignancy" in found[-1].why


@pytest.mark.parametrize("text, qualifier", [
    # holdout13 NCT03232073: every patient once on an immunosuppressant was excluded
    ("Immunosuppressive treatment, cytapheresis or plasmapheresis between the end of the core study and Day 1.",
     "between the end of the core study and Day 1"),
    ("Treatment with any disease-modifying therapy since the last visit of the parent study",
     "since the last visit of the parent study"),
])
def test_a_time_from_another_studys_visit_is_the_exposures_qualifier(text, qualifier):
    (rule,) = compile_text(text, "exclusion", "X1")
    assert (rule.kind, rule.qualifier) == ("prior_drug", qualifier)


def test_an_exception_ends_where_another_clause_starts():
    """holdout9 NCT03650114: 'any other DMT since the last dose in the parent study' was read as excepted."""
    b_cells, dmt = compile_text("Treatment with any B-cell depleting therapy other than ofatumumab at any time, or "
                                "with any other disease-modifying therapy since the last dose of study treatment in "
                                "the parent study.", "exclusion", "X1")
    assert (b_cells.classes, b_cells.qualifier) == (["b_cell_depleting"], None)
    assert dmt.classes == ["dmt"] and "parent study" in dmt.qualifier
    listed = compile_text("Any DMT other than interferon beta-1b, glatiramer acetate, or teriflunomide within 6 "
                          "months", "exclusion", "X1")
    assert {"glatiramer_acetate", "teriflunomide"} <= set(listed[0].except_drugs)


@pytest.mark.parametrize("text, exposed", [
    # holdout13 NCT03958877 and NCT04260711: every patient once on interferon was excluded
    ("Presence of neutralizing antibodies to interferon beta in participants previously treated with interferon beta.",
     "require"),
    ("Previous treatment with interferon beta with a positive test for neutralizing antibodies.", "require"),
    # holdout11 NCT00030966: 'not receiving' had required anticoagulants of every patient
    ("INR above 1.5 in a subject not receiving anticoagulants", "exclude"),
])
def test_a_finding_in_those_treated_excludes_with_the_treatment(text, exposed):
    (group,) = compile_text(text, "exclusion", "X1")
    assert (group.kind, group.mode, group.polarity) == ("group", "all", "exclude")
    drug, finding = group.rules
    # (the INR has a lab id since session 23: its bound is the finding's rule)
    assert (drug.kind, drug.polarity, finding.kind) == ("prior_drug", exposed,
                                                         "lab" if "INR" in text else "manual_review")


@pytest.mark.parametrize("text, under_18", [
    ("Any surgical procedure, except minor surgery, within 4 weeks before baseline.", False),  # holdout11 NCT02028884
    ("Minor head trauma in the last month", False),
    ("Prisoners, minors or persons under guardianship", True),
    ("Pregnant women, prisoners, minor subjects or adults unable to consent", True),
])
def test_minor_as_small_is_no_age(text, under_18):
    assert bool([r for r in compile_text(text, "exclusion", "X1") if r.kind == "age"]) is under_18


# --- sixteenth round: its polarity errors, on other phrasings -----------------------------------------------------

@pytest.mark.parametrize("text, kind, months", [
    # holdout16 NCT00004744 (the PDQ-era wording): each had required the drug
    ("At least 3 months since prior interferon beta", "washout", 3.0),
    ("At least 6 months since prior immunosuppressive therapy, e.g., azathioprine or methotrexate", "washout", 6.0),
    ("At least 30 days since other investigational drugs", "investigational", 1.0),
    ("More than 12 weeks since the last dose of natalizumab", "washout", 3.0),
])
def test_a_time_since_prior_therapy_is_a_washout(text, kind, months):
    (rule,) = compile_text(text, "inclusion", "X1")
    within = rule.window.within
    assert (rule.kind, rule.polarity) == (kind, "exclude")
    assert within.value * {"days": 1 / 30, "weeks": 0.25, "months": 1}.get(within.unit, 1) == pytest.approx(months)


def test_examples_after_e_g_take_the_negation_of_their_general_term():
    """holdout16 NCT00004744: 'No other neurologic disease ..., e.g.: ... peripheral neuropathy' required it."""
    found = compile_text("No other neurologic disease that could account for the weakness, e.g.: cervical "
                         "spondylotic myelopathy, peripheral neuropathy or radiculopathy", "inclusion", "X1")
    (neuropathy,) = [r for r in found if r.kind == "condition"]
    assert neuropathy.polarity == "exclude"


@pytest.mark.parametrize("text", [
    # holdout16 NCT00755807, NCT01018485, NCT03623243: each required the drug of every patient
    "Participants may continue other analgesics provided the dose has been stable for at least 1 month before entry.",
    "Is the participant taking medication for tremor (for example propranolol)? If so, the dose must have been stable "
    "for at least 4 weeks before enrolment.",
    "Participants converting from teriflunomide must complete an accelerated elimination procedure before the first "
    "dose.",
    "Patients on baclofen must be willing to keep the dose unchanged.",
])
def test_what_a_conditional_lead_asks_holds_for_those_on_the_drug(text):
    (group,) = [r for r in compile_text(text, "inclusion", "X1") if r.kind == "group"]
    off, on = group.rules
    assert group.mode == "any"
    assert (off.kind, off.polarity, off.current) == ("prior_drug", "exclude", True)
    assert on.kind in ("prior_drug", "manual_review") and on.polarity == "require"


def test_times_normal_is_a_multiple_of_the_upper_limit():
    """holdout16 NCT00278655's old wording: 'SGOT no greater than 2 times normal' had the unit 'times'."""
    (ast,) = compile_text("SGOT no greater than 2 times normal", "inclusion", "X1")
    assert (ast.test, ast.comparator, ast.value, ast.unit) == ("ast", "<=", 2.0, "xULN")


def test_a_drug_without_an_id_in_a_conditional_lead_reaches_a_person():
    """Consumed with the lead, "primidone" (then with no lexicon id) had been dropped without a person's check."""
    found = compile_text("Participants taking isoniazid or propranolol must agree to keep the dose unchanged.",
                         "inclusion", "X1")
    assert found[0].kind == "group" and "isoniazid" in found[-1].why


# --- session 18: wrong verdicts of the earlier rounds, on other phrasings -----------------------------------------

@pytest.mark.parametrize("text", [
    # holdout16 NCT02521311: the permission had required CIS and optic neuritis of every patient
    "Participants may have a clinically isolated syndrome or established multiple sclerosis at the time of the "
    "optic neuritis.",
    "Patients may have relapsing-remitting or secondary progressive MS.",
    "Subjects may be treatment-naive.",
])
def test_a_sentence_that_only_permits_requires_nothing(text):
    (rule,) = compile_text(text, "inclusion", "X1")
    assert (rule.kind, rule.category) == ("manual_review", "administrative")


@pytest.mark.parametrize("text, kind", [
    # a bound or a proviso on what is allowed is read as it stands
    ("Participants may have received up to two prior DMTs for MS", "prior_drug"),
    ("Patients may be on interferon beta provided the dose has been stable for 3 months", "group"),
])
def test_a_permission_with_a_bound_or_proviso_is_read(text, kind):
    assert kind in {r.kind for r in compile_text(text, "inclusion", "X1")}


def test_the_rest_of_a_criterion_after_a_permission_is_read():
    found = compile_text("Participants may have CIS or MS. Those treated with a disease-modifying therapy may continue "
                         "it, provided the dose has been stable for at least 3 months before randomization.",
                         "inclusion", "X1")
    assert [r.kind for r in found] == ["group"] and "ms_subtype" not in {r["kind"] for r in _flatten(found)}


@pytest.mark.parametrize("text", [
    # holdout12 NCT04495556, holdout8 NCT00666224: the examples had required optic neuritis of every patient
    "A typical presentation: a single, unifocal neurological event consistent with demyelination (for example acute "
    "unilateral optic neuritis, a partial transverse myelitis, or a brainstem syndrome)",
    "Subjects presenting with a single, unifocal neurological event consistent with demyelination (for example optic "
    "neuritis, a spinal cord syndrome)",
    "A clinical presentation suggestive of demyelination, e.g. optic neuritis or internuclear ophthalmoplegia",
])
def test_examples_of_an_unread_requirement_are_not_required(text):
    assert not [r for r in _flatten(compile_text(text, "inclusion", "X1")) if r["kind"] == "condition"]


@pytest.mark.parametrize("text", [
    # what must be absent: each example is excluded (holdout14 NCT04578639, holdout6 NCT00000146)
    "Able to complete treatment and follow-up visits in the study (e.g. no contraindications for MRI)",
    "No systemic disease other than multiple sclerosis that might be the cause of the optic neuritis (for example "
    "sarcoidosis or syphilis)",
])
def test_examples_of_what_must_be_absent_are_excluded(text):
    conditions = [r for r in compile_text(text, "inclusion", "X1") if r.kind == "condition"]
    assert conditions and all(r.polarity == "exclude" for r in conditions)


@pytest.mark.parametrize("text", [
    # holdout12 NCT00127075: "including clinically isolated syndromes" had required CIS of 22 patients with MS
    "Multiple sclerosis according to the McDonald criteria (2001), including clinically isolated syndromes that fulfil "
    "the MRI criteria for dissemination in space and in time.",
    "Diagnosis of MS, including patients with a clinically isolated syndrome",
])
def test_what_a_diagnosis_includes_does_not_narrow_it(text):
    found = compile_text(text, "inclusion", "X1")
    assert "ms_diagnosis" in {r.kind for r in found} and "ms_subtype" not in {r.kind for r in found}


def test_a_course_named_after_including_in_a_subtype_still_widens_it():
    (subtype,) = [r for r in compile_text("Relapsing-remitting MS (including patients with CIS)", "inclusion", "X1")
                  if r.kind == "ms_subtype"]
    assert set(subtype.subtypes) == {"RRMS", "CIS"}


@pytest.mark.parametrize("text, subtypes", [
    # holdout11 NCT05441488: the definition's "progressive course" had excluded active SPMS too
    ("Progressive-relapsing MS (new relapses superimposed on a progressive course from onset).", None),
    ("Secondary progressive MS (a relapsing-remitting course followed by progression)", ["SPMS"]),
])
def test_a_parenthesis_that_describes_a_course_names_no_other(text, subtypes):
    found = compile_text(text, "exclusion" if subtypes is None else "inclusion", "X1")
    named = [r.subtypes for r in found if r.kind == "ms_subtype"]
    assert named == ([subtypes] if subtypes else [])
    if subtypes is None:
        (activity,) = [r for r in found if r.kind == "relapse_activity"]
        assert activity.when.subtypes == ["PPMS"]


@pytest.mark.parametrize("text, low, high", [
    ("Kurtzke Disability Status Scale (DSS) 2 to 7", 2.0, 7.0),  # holdout16 NCT00004744 (1993)
    ("DSS of 3 or less", None, 3.0),
])
def test_kurtzkes_dss_is_read_on_the_edss_scale(text, low, high):
    (edss,) = compile_text(text, "inclusion", "X1")
    assert (edss.kind, edss.score.low, edss.score.high) == ("edss", low, high)


def test_a_window_between_two_visits_counts_back_from_the_second():
    """holdout12 NCT00605215, holdout9 NCT00509145: the window had been lost (a relapse ever excluded)."""
    found = compile_text("Onset of a relapse, or any treatment with corticosteroids (iv, im and/or po) or ACTH, between "
                         "screening (month -1) and baseline (month 0)", "exclusion", "X1")
    assert [(r.kind, r.window.within.value, r.window.within.unit, r.window.anchor) for r in found] == [
        ("relapse_activity", 1.0, "months", "baseline"), ("washout", 1.0, "months", "baseline")]


# --- seventeenth round: its polarity errors and wrong verdicts, on other phrasings --------------------------------

@pytest.mark.parametrize("parent", [
    # holdout17 NCT07225504: each item had been a washout *required* of every patient, the DMT too
    "Participants previously treated with a disease-modifying therapy must have completed the following washout "
    "periods before randomization:",
    "The following washout periods must be respected before the first dose:",
])
def test_items_under_a_washout_heading_are_washouts(parent):
    found = _compiled_list(f"Inclusion Criteria:\n- {parent}\n    - natalizumab: 3 months\n    - fingolimod or siponimod: "
                           "8 weeks\n    - teriflunomide: 3.5 months (or 2 weeks after completing an accelerated "
                           "elimination procedure)\n")
    washouts = {tuple(r["drugs"]): (r["polarity"], r["window"]["within"]["value"]) for r in found
                if r["kind"] == "washout"}
    assert washouts == {("natalizumab",): ("exclude", 3.0), ("fingolimod", "siponimod"): ("exclude", 8.0),
                        ("teriflunomide",): ("exclude", 3.5)}
    assert not [r for r in found if r["kind"] == "prior_drug"]


def test_an_alternative_in_a_parenthesis_is_another_way_in():
    (group,) = compile_text("Teriflunomide: 3.5 months (or 2 weeks after completing an accelerated elimination "
                            "procedure)", "inclusion", "X1")
    washout, instead = group.rules
    assert (group.kind, group.mode, washout.kind, washout.window.within.value) == ("group", "any", "washout", 3.5)
    assert "accelerated elimination" in instead.why


@pytest.mark.parametrize("text", [
    # holdout17 NCT01892345: the way out of a stability requirement had required a relapse of every patient
    "Patients on interferon beta must stay on that dose throughout the study, unless they have a relapse",
    "Symptomatic treatment must remain unchanged during the study, unless a relapse occurs",
    "Systemic corticosteroids within 30 days, unless given for a relapse",
])
def test_a_relapse_in_an_unless_clause_is_no_relapse_rule(text):
    for section in ("inclusion", "exclusion"):
        assert "relapse_activity" not in {r["kind"] for r in _flatten(compile_text(text, section, "X1"))}


@pytest.mark.parametrize("text, drugs", [
    # holdout11 NCT01006265: the drugs freed of a washout had been excluded for 6 months
    ("Treatment with natalizumab, azathioprine or cyclosporine within the 6 months before randomization (no washout "
     "is required for interferon beta or glatiramer acetate).", ["azathioprine", "cyclosporine", "natalizumab"]),
])
def test_drugs_freed_of_a_washout_are_not_excluded(text, drugs):
    (washout,) = compile_text(text, "exclusion", "X1")
    assert (washout.kind, sorted(washout.drugs), washout.classes) == ("washout", drugs, [])


def test_a_note_that_no_washout_is_needed_is_no_criterion():
    """holdout10 NCT04879628, holdout7 NCT03277248: the note had required interferon beta inside an exclusion."""
    (note,) = compile_text("Note: no washout is needed for interferon beta or glatiramer acetate", "exclusion", "X1")
    assert (note.kind, note.category) == ("manual_review", "administrative")


def test_the_class_a_list_heading_names_is_not_a_rule_of_its_own():
    """holdout10 NCT03364036: 'Use of the following DMTs within the stated time' had excluded every DMT ever."""
    found = _compiled_list("Exclusion Criteria:\n- Use of the following DMTs within the stated time before the first "
                           "dose:\n    - fingolimod: 8 weeks\n    - natalizumab: 12 weeks\n")
    assert sorted(tuple(r["drugs"]) for r in found if r["kind"] in ("washout", "prior_drug")) == [
        ("fingolimod",), ("natalizumab",)]


def test_a_permission_with_examples_after_e_g_is_one_sentence():
    """holdout17 NCT06095271: the sentence had ended at 'e.' and rituximab was required."""
    (rule,) = compile_text("Patients may be treated with any disease-modifying therapy, including therapies used "
                           "off-label (e.g. rituximab), or may be untreated", "inclusion", "X1")
    assert (rule.kind, rule.category) == ("manual_review", "administrative")


def test_patients_who_enter_the_study_on_a_drug_is_a_conditional_lead():
    """holdout17 NCT01892345: 'Patients who enter the study on IST must have been on a stable dose ...' required IST."""
    (group,) = compile_text("Patients who enter the study on azathioprine must have been on a stable dose for at least "
                            "1 month before screening", "inclusion", "X1")
    off, on = group.rules
    assert (group.mode, off.polarity, off.current, on.polarity, on.min_duration.value) == (
        "any", "exclude", True, "require", 1.0)


@pytest.mark.parametrize("preamble, section, split", [
    # holdout17 NCT04225312: the bullets had been one criterion under the sentence
    ("You can take part in this study if all of the following apply to you:", "Inclusion", True),
    ("You cannot take part in this study if any of the following applies to you:", "Exclusion", True),
    ("Patients must meet all of the following criteria:", "Inclusion", True),
    # a list with another reading than its section's is one criterion over its items
    ("Patients must meet at least one of the following criteria:", "Inclusion", False),
    ("You can take part if any of the following applies to you:", "Inclusion", False),
])
def test_a_sentence_that_only_says_how_its_section_reads_is_a_heading(preamble, section, split):
    criteria = segment(f"{section} Criteria:\n\n{preamble}\n\n* Age 18 to 55 years\n* EDSS of 2.0 to 5.5\n")
    assert [c.text for c in criteria] == (["Age 18 to 55 years", "EDSS of 2.0 to 5.5"] if split else [preamble])


@pytest.mark.parametrize("text", [
    # holdout17 NCT04225312: the gap's "no" had excluded natalizumab ever
    "There has been no gap in your natalizumab treatment longer than 8 weeks during the previous 12 months.",
    "No gap in natalizumab dosing longer than 8 weeks in the past 12 months",
])
def test_no_gap_in_the_previous_months_is_use_within_the_gap(text):
    washout = next(r for r in compile_text(text, "inclusion", "X1") if r.kind != "manual_review")
    assert (washout.kind, washout.polarity, washout.drugs, washout.window.within.value) == (
        "washout", "require", ["natalizumab"], 8.0)


@pytest.mark.parametrize("text, current", [
    ("You are currently treated with natalizumab 300 mg intravenously every 4 weeks.", True),  # holdout17 NCT04225312
    ("Currently being treated with fingolimod", True),
    ("Previously treated with natalizumab", False),
])
def test_currently_treated_is_the_present(text, current):
    (rule,) = compile_text(text, "inclusion", "X1")
    assert (rule.kind, rule.current) == ("prior_drug", current)


@pytest.mark.parametrize("text", [
    # holdout17 NCT01892345, NCT03555253: a rule on the general condition excluded every patient who ever had it
    "History of Neisseria meningitidis infection",
    "Admission to hospital for a psychiatric disorder in the past 6 months.",
    "Hospitalization for pneumonia within 3 months",
])
def test_a_narrower_event_of_a_condition_is_no_rule_on_the_condition(text):
    assert "condition" not in {r.kind for r in compile_text(text, "exclusion", "X1")}


def test_unwilling_or_unable_leaves_the_unwillingness_to_a_person():
    """holdout17 NCT07225504: 'Unwilling or unable to undergo MRI' read only the inability."""
    found = compile_text("Unwilling or unable to undergo MRI scans as per protocol (for example claustrophobia)",
                         "exclusion", "X1")
    assert [r.kind for r in found] == ["condition", "manual_review"] and "Unwilling" in found[1].why


def test_a_parent_that_defines_its_course_requires_it():
    """holdout5 NCT02739542, holdout7 NCT03122652: the RIS of 'Meets the 2009 Okuda criteria for RIS, i.e. all of the
    following:' had been the scope of the block, so every patient without RIS passed."""
    found = _compiled_list("Inclusion Criteria:\n- Meets the 2009 Okuda criteria for radiologically isolated syndrome "
                           "(RIS), i.e. all of the following:\n    - incidental anomalies on MRI of the brain\n"
                           "    - anomalies not consistent with a vascular pattern\n")
    (subtype,) = [r for r in found if r["kind"] == "ms_subtype"]
    assert subtype["subtypes"] == ["RIS"] and subtype["polarity"] == "require"
    assert not [r for r in found if r.get("when")]


@pytest.mark.parametrize("text", [
    # holdout5 NCT02739542, holdout7 NCT03122652 (RIS trials): only the CIS had been excluded
    "A first clinical demyelinating event (clinically isolated syndrome), or a diagnosis of MS according to the 2017 "
    "McDonald criteria, at any time before randomization.",
    "Clinically isolated syndrome or multiple sclerosis (2017 revised McDonald criteria) diagnosed at any time",
])
def test_a_cis_or_an_ms_diagnosis_excluded_excludes_both(text):
    found = compile_text(text, "exclusion", "X1")
    assert {(r.kind, r.polarity) for r in found} == {("ms_diagnosis", "exclude"), ("ms_subtype", "exclude")}


@pytest.mark.parametrize("text, partial", [
    # holdout5, holdout7, holdout10 and others: the gadolinium was read as part of the MRI contraindication
    ("Unable to undergo MRI with gadolinium.", True),
    ("Inability to undergo MRI or to receive gadolinium-DTPA", True),
    ("≥1 documented Gadolinium (Gd)-enhancing lesion on an MRI scan within the previous year", False),
])
def test_gadolinium_beside_an_mri_contraindication_goes_to_a_person(text, partial):
    section = "exclusion" if partial else "inclusion"
    assert any(r.kind == "manual_review" for r in compile_text(text, section, "X1")) is partial


@pytest.mark.parametrize("text", [
    # holdout11 NCT02028884 (an NMOSD trial): the MS among the demyelinating diseases had been dropped
    "Evidence of another demyelinating disease, including multiple sclerosis, or of PML.",
    "History of multiple sclerosis or other demyelinating disease",
])
def test_ms_among_the_demyelinating_diseases_excluded_is_an_ms_diagnosis(text):
    found = compile_text(text, "exclusion", "X1")
    assert ("ms_diagnosis", "exclude") in {(r.kind, r.polarity) for r in found}
    # (the other demyelinating diseases, which no id names, go to a person)
    assert any(r.kind == "manual_review" and "demyelinating" in r.why for r in found)


def test_a_drugs_excipients_go_to_a_person():
    """holdout10, holdout11, holdout5 and others: the monoclonal-antibody pattern had read the excipients too."""
    found = compile_text("Known hypersensitivity to ofatumumab or any of its excipients, or to any other monoclonal "
                         "antibody.", "exclusion", "X1")
    assert [r.kind for r in found] == ["condition", "manual_review"] and "excipients" in found[1].why


def test_a_condition_its_colon_defines_by_measures_goes_to_a_person():
    """holdout16 NCT04255953: 'obesity: a WHtR above 0.57 or a BMI above 29 kg/m²' required the diagnosis of obesity,
    which a BMI of 29.5 does not have."""
    found = compile_text("obesity: a waist-to-height ratio (WHtR) above 0.57 or a body mass index (BMI) above 29 "
                         "kg/m², with a body weight of no more than 180 kg", "inclusion", "X1")
    assert [r.kind for r in found] == ["weight", "manual_review"] and "obesity" in found[1].why


def test_a_heading_over_a_narrowed_condition_is_defined_by_its_items():
    """holdout15 NCT01442233 and others: 'Cardiac disease: heart failure (NYHA class III or IV), ...' excluded every
    heart disease."""
    found = compile_text("Cardiac disease: heart failure (NYHA class III or IV), unstable angina, or a myocardial "
                         "infarction within the last 6 months", "exclusion", "X1")
    named = {c for r in found for c in r.conditions}
    assert "heart_disease" not in named and {"heart_failure_nyha_iii", "unstable_angina"} <= named


def test_an_ecg_interval_bound_goes_to_a_person():
    """holdout12 NCT02086188, NCT04711148: 'QTcF > 450 ms in men or > 470 ms in women' had been dropped silently."""
    found = compile_text("Known long QT syndrome, or QTcF > 450 ms in men or > 470 ms in women on the screening ECG",
                         "exclusion", "X1")
    assert [r.kind for r in found] == ["condition", "manual_review"] and "QTcF" in found[1].why


def test_a_relapse_in_a_time_of_the_study_goes_to_a_person():
    """'Any relapse during the screening period' had excluded every patient with a relapse ever."""
    (rule,) = compile_text("Any relapse during the screening period", "exclusion", "X1")
    assert rule.kind == "manual_review"
    # (beside the window, the time of the study is a person's check: session 32, it had been dropped silently)
    windowed, asked = compile_text("Any relapse within 30 days before screening or during the screening period",
                                   "exclusion", "X1")
    assert (windowed.kind, windowed.window.within.value) == ("relapse_activity", 30.0)
    assert asked.kind == "manual_review" and "screening period" in asked.why


def test_a_drug_in_a_time_of_the_study_is_current_use():
    """'Use of corticosteroids between screening and randomization' had excluded every patient who once took them."""
    (rule,) = compile_text("Use of corticosteroids between screening and randomization", "exclusion", "X1")
    assert (rule.kind, rule.polarity, rule.current) == ("prior_drug", "exclude", True)


# --- session 19: the seventeenth round's errors, read generally ------------------------------------------------


def test_a_willingness_to_stop_a_drug_is_no_exposure():
    """holdout17 NCT07321093: 'Willingness of the subject to discontinue previously prescribed DMTs from the day of the
    first administration of the investigational product' had required a DMT and another trial's drug."""
    (rule,) = compile_text("Willingness of the subject to discontinue previously prescribed MS disease-modifying "
                           "drugs from the day of the first administration of the investigational product and "
                           "throughout the study.", "inclusion", "X1")
    assert (rule.kind, rule.category) == ("manual_review", "administrative")


@pytest.mark.parametrize("text, untimed, timed", [
    # holdout17 NCT07321093: the infarction's window had been given to the heart failure before it
    ("Congestive heart failure (NYHA class III-IV), myocardial infarction within 6 months before screening, "
     "uncontrolled arterial hypertension.", "heart_failure_nyha_iii", "myocardial_infarction"),
    # holdout11 NCT00395317: the zoster's window had been given to the opportunistic infection
    ("A history of opportunistic infection (such as PML), herpes zoster within the previous 3 months, or any current "
     "active infection.", "opportunistic_infection", "herpes_zoster"),
])
def test_a_window_inside_a_list_times_its_own_item(text, untimed, timed):
    found = {c: r.window for r in compile_text(text, "exclusion", "X1") if r.kind == "condition" for c in r.conditions}
    assert found[untimed] is None and found[timed].within.value in (6.0, 3.0)


def test_a_window_from_the_relapse_onset_goes_to_a_person():
    """holdout17 NCT00947895: '30 days before the onset of the study-entry relapse' had been read as 30 days before
    enrolment (excluding every patient, all of whom had the initial course), and 'within 14 days of the relapse onset'
    as a count of 14 relapses."""
    (rule,) = compile_text("any systemic corticosteroid or ACTH in the 30 days before the onset of the study-entry "
                           "relapse, other than the initial IV methylprednisolone course", "exclusion", "X1")
    assert rule.kind == "manual_review"
    found = compile_text("treated for the current relapse with a 3- to 5-day course of IV methylprednisolone (at least "
                         "500 mg daily), started within 14 days of the relapse onset", "inclusion", "X1")
    assert [r.kind for r in found] == ["prior_drug", "manual_review"]
    assert found[0].drugs == ["methylprednisolone"] and found[0].qualifier


def test_a_chronic_immune_disease_is_a_disease_of_the_immune_system():
    """holdout17 NCT00947895: the general term had been unread, each example excluded instead."""
    found = compile_text("a history of a chronic immune disease other than MS (for example rheumatoid arthritis or "
                         "systemic lupus erythematosus), or a known immunodeficiency syndrome", "exclusion", "X1")
    assert [(r.conditions, r.exceptions) for r in found] == [(["immune_system_disease"], ["multiple_sclerosis"])]


def test_two_clauses_of_the_second_person_joined_by_and_exclude_together():
    """holdout17 NCT04225312: 'You have a JCV index above 1.5 and you have been treated with natalizumab for more than
    2 years' excluded every JCV-positive patient, and every patient long on natalizumab."""
    (group,) = compile_text("You have a JCV antibody index above 1.5 and you have been treated with natalizumab for "
                            "more than 2 years.", "exclusion", "X1")
    assert (group.kind, group.mode, group.polarity) == ("group", "all", "exclude")
    assert {r.kind for r in group.rules} == {"lab", "prior_drug"}


def test_another_drug_taken_together_with_one_is_not_that_one():
    """holdout17 NCT04225312, a trial of patients on natalizumab: 'another DMT together with natalizumab in the last
    6 months' had excluded every participant."""
    (rule,) = compile_text("You used another disease-modifying therapy together with natalizumab in the last 6 months.",
                           "exclusion", "X1")
    assert (rule.kind, rule.classes, rule.drugs, rule.except_drugs) == ("washout", ["dmt"], [], ["natalizumab"])


@pytest.mark.parametrize("text, qualifier", [
    # holdout17 NCT04225312: the interval is what excludes; every participant is on natalizumab
    ("You have been treated with natalizumab at an extended interval (every 5 weeks or less often) in the last 6 "
     "months.", "at an extended interval (every 5 weeks or less often)"),
    # what the drug was given for: the record holds the drug, not why (tests/gold/README.md)
    ("You have had no MS relapse, and no course of steroids (intravenous or oral) for a relapse, in the 30 days "
     "before screening.", "for a relapse"),
    ("Corticosteroid treatment for an acute exacerbation within 30 days before screening", "for an acute exacerbation"),
])
def test_a_dosing_interval_or_an_indication_qualifies_the_exposure(text, qualifier):
    found = [r for r in compile_text(text, "exclusion", "X1") if r.kind == "washout"]
    assert [r.qualifier for r in found] == [qualifier]


@pytest.mark.parametrize("text", [
    "Systemic corticosteroids (except for the treatment of a relapse) within 30 days",
    "Immunosuppressive therapy for relapse prevention within 3 months",
])
def test_an_indication_excepted_or_of_prevention_is_no_qualifier_of_the_use(text):
    (rule,) = [r for r in compile_text(text, "exclusion", "X1") if r.kind == "washout"]
    assert rule.qualifier in (None, "not when given for an MS relapse")
    assert not (rule.qualifier or "").startswith("for")


def test_a_conditional_lead_in_the_second_person():
    """holdout17 NCT03555253: 'If you take a DMT, you must have been on the same therapy for at least 3 months' had
    excluded every DMT in the 3 months."""
    (group,) = compile_text("If you take a disease-modifying therapy, you must have been on the same therapy for at "
                            "least 3 months before screening.", "inclusion", "X1")
    assert (group.kind, group.mode) == ("group", "any")
    assert sorted((r.polarity, r.min_duration is not None) for r in group.rules) == [("exclude", False),
                                                                                    ("require", True)]


# --- session 19: the eighteenth round's errors, read generally -------------------------------------------------


def test_a_washout_table_reads_each_row():
    """holdout18 NCT07211633: 'must have stopped it for at least the period listed below before Day 1 (treatment |
    minimum washout):' required each drug of the table, and its 'no washout required' row went to a person."""
    trial = _ruleset_of("Inclusion Criteria:\n* Participants previously treated with a disease-modifying therapy must "
                        "have stopped it for at least the period listed below before Day 1 (treatment | minimum "
                        "washout):\n  * interferon beta or glatiramer acetate | no washout required\n  * fingolimod "
                        "or siponimod | 8 weeks\n  * natalizumab | 3 months\n")
    found = [r for c in trial.criteria for r in _flatten(c.rules)]
    assert [(r["kind"], r["drugs"], r["window"]["within"]["value"]) for r in found] == [
        ("washout", ["fingolimod", "siponimod"], 8.0), ("washout", ["natalizumab"], 3.0)]


def test_a_table_row_of_none_sets_no_washout():
    """holdout18 NCT02342704: the row 'interferon beta or glatiramer acetate | none; may be continued' of an excluded
    table had excluded every patient ever on them."""
    trial = _ruleset_of("Exclusion Criteria:\n* Treatment with any of the following medications within the period "
                        "specified before randomization (medication | period):\n  * interferon beta or glatiramer "
                        "acetate | none; may be continued until randomization\n  * dimethyl fumarate | 2 weeks\n")
    found = [r for c in trial.criteria for r in _flatten(c.rules)]
    assert [(r["kind"], r["drugs"]) for r in found] == [("washout", ["dimethyl_fumarate"])]


def test_a_shorter_period_after_a_procedure_lifts_an_excluded_washout():
    """holdout18 NCT02342704: 'teriflunomide | 3.5 months, or 14 days after completion of an accelerated elimination
    procedure' excluded every patient without teriflunomide to a person's check, and failed those the procedure
    lets in."""
    (group,) = compile_text("Teriflunomide within 3.5 months before randomization, or 14 days after completion of an "
                            "accelerated elimination procedure", "exclusion", "X1")
    assert (group.kind, group.mode, group.polarity) == ("group", "all", "exclude")
    assert [(r.kind, r.polarity) for r in group.rules] == [("washout", "require"), ("manual_review", "require")]


def test_ms_as_a_time_point_is_no_ms_criterion():
    """holdout18 NCT04768777: 'Patients must have no history of a sexual disorder diagnosed before the onset of MS'
    excluded every patient with MS."""
    found = compile_text("Patients must have no history of a sexual disorder diagnosed before the onset of MS",
                         "inclusion", "X1")
    assert [r.kind for r in found] == ["manual_review"]


def test_an_age_that_says_whom_a_measure_is_for_is_no_age_rule():
    """holdout18 NCT03933020: ', or, for participants aged 18 or older, a BDI-II score of 20 or higher' excluded every
    adult."""
    found = compile_text("Moderate or severe depressive symptoms: CDI-2 T-score of 65 or higher, or, for participants "
                         "aged 18 or older, a Beck Depression Inventory-II score of 20 or higher.", "exclusion", "X1")
    assert "age" not in {r.kind for r in found}


@pytest.mark.parametrize("text", [
    # holdout18 NCT03677440: it had excluded every patient on a DMT in the window (NCT02740361 ', if any, unchanged'
    # is an untreated arm sharing the window since session 28: test_an_untreated_arm_if_any_and_a_plan_beside_a_washout)
    "If taking a disease-modifying therapy, fampridine or a medication for fatigue, the regimen must have been "
    "unchanged for the last 3 months.",
])
def test_an_unchanged_therapy_if_any_is_conditional_stability(text):
    (group,) = compile_text(text, "inclusion", "X1")
    assert (group.kind, group.mode) == ("group", "any")
    assert sorted((r.polarity, r.current, r.min_duration is not None) for r in group.rules) == [
        ("exclude", True, False), ("require", True, True)]


@pytest.mark.parametrize("text, relapse", [
    # holdout18 NCT02220933: how the score is taken
    ("EDSS score from 4.5 to 7.0 inclusive, assessed away from any relapse", None),
    # holdout18 NCT00869726: a relapse at the disease's onset (ever), and 'with or without' relapses (no rule: it had
    # excluded a relapse in the 2 years, the opposite of the text)
    ("SPMS is defined as MS in a subject whose disease began with at least one clinical relapse, and who has shown "
     "progression of disability over the 2 years before enrolment, with or without superimposed relapses", "ever"),
    # 'any' counts one
    ("Any history of clinical relapse, or a diagnosis of relapsing-remitting MS.", "ever"),
])
def test_a_relapse_is_read_only_where_the_text_asks_for_one(text, relapse):
    found = [r for r in compile_text(text, "inclusion", "X1") if r.kind == "relapse_activity"]
    assert [(r.min_count, r.window) for r in found] == ([] if relapse is None else [(1, None)])


def test_the_first_clear_cut_symptoms_date_the_onset():
    """holdout18 NCT00869726: 'the first clear-cut symptoms of MS must have occurred at least 3 years before
    enrolment' had been left as a time no rule read."""
    (rule,) = compile_text("the first clear-cut symptoms of MS must have occurred at least 3 years before enrolment",
                           "inclusion", "X1")
    assert (rule.kind, rule.years.low, rule.measured_from) == ("disease_duration", 3.0, "onset")


@pytest.mark.parametrize("text, term", [
    # holdout18 NCT03536559, holdout9 NCT02975349, holdout7 NCT03500328: the kind of treatment no class id names had
    # been dropped silently, its examples read
    ("Treatment with high-dose biotin (more than 10 mg/day), or with any remyelinating agent under investigation "
     "(e.g. clemastine, opicinumab), within 3 months before Screening.", "remyelinating"),
    ("Treatment at any time with rituximab, ocrelizumab, mitoxantrone, or lymphocyte-depleting therapies (e.g. "
     "alemtuzumab, cladribine, cyclophosphamide).", "lymphocyte-depleting"),
])
def test_a_kind_of_treatment_no_class_names_goes_to_a_person_beside_its_examples(text, term):
    found = compile_text(text, "exclusion", "X1")
    assert any(r.kind == "washout" or r.kind == "prior_drug" for r in found)
    assert any(r.kind == "manual_review" and term in r.why for r in found)
    # (a class the lexicon names is read whole)
    assert all(r.kind != "manual_review" for r in compile_text(
        "immunosuppressive medications such as azathioprine or methotrexate within 6 months", "exclusion", "X1"))


def test_a_required_condition_long_ago_stays_required():
    """holdout18 NCT03536559 (a polarity error): 'with at least one episode of optic neuritis more than 6 months before
    Screening' became 'no optic neuritis in the 6 months', which every patient without one met."""
    found = compile_text("History of optic neuritis more than 6 months before screening", "inclusion", "X1")
    assert [(r.kind, r.polarity) for r in found] == [("condition", "require"), ("manual_review", "require")]
    assert found[0].window is None and "6 months" in found[1].why


# --- session 20 ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, drugs, classes, duration, person", [
    # holdout18 NCT02220933, holdout3 NCT04097418 and NCT02936037, holdout15, holdout16: a recent start excluded had
    # gone to a person
    ("Fampridine (4-aminopyridine) started, or its dose changed, less than 1 month before inclusion", ["fampridine"], [],
     (1.0, "months"), "changed"),
    ("Initiation or change in dose of dalfampridine within 30 days prior to screening", ["fampridine"], [],
     (30.0, "days"), "change"),
    ("Treatment with amantadine initiated within the 3 months before screening", ["amantadine"], [], (3.0, "months"),
     None),
    ("Started, stopped or changed a disease-modifying therapy in the 3 months before enrollment.", [], ["dmt"],
     (3.0, "months"), "stopped"),
])
def test_a_recent_start_excluded_is_a_start_in_the_window(text, drugs, classes, duration, person):
    found = compile_text(text, "exclusion", "X1")
    rule = found[0]
    assert (rule.kind, rule.polarity, rule.started, rule.drugs, rule.classes) == ("washout", "exclude", True, drugs,
                                                                                   classes)
    assert (rule.window.within.value, rule.window.within.unit) == duration
    manual = [r for r in found[1:] if r.kind == "manual_review"]
    assert (person in manual[0].why) if person else not manual


def test_use_in_a_window_is_still_a_washout():
    (rule,) = compile_text("Use of interferon beta within 3 months before screening", "exclusion", "X1")
    assert rule.kind == "washout"
    assert rule.started is False
    # (in an inclusion a start is no exclusion: the start is required)
    assert [(r.kind, r.polarity, r.started) for r in compile_text("Fampridine started within the last 3 months",
                                                                   "inclusion", "X1")] == [("washout", "require", True)]


# --- session 20: the nineteenth round's errors, read generally ----------------------------------------------------

def test_an_age_in_weeks_is_no_age_in_years():
    """holdout19 NCT04998851: an infant 'Aged 2 to 24 weeks' had become an age of 2 to 24 years."""
    assert all(r.kind != "age" for r in compile_text("Aged 2 to 24 weeks at the time of the first infusion",
                                                     "inclusion", "X1"))
    (rule,) = compile_text("Children aged 10 to 17 years inclusive", "inclusion", "X1")
    assert (rule.kind, rule.years.low, rule.years.high) == ("age", 10.0, 17.0)


def test_criteria_under_a_heading_of_other_people_go_to_a_person():
    """holdout19 NCT04998851: under 'Infants:', 'a primary immunodeficiency' and 'a live vaccine' had excluded the
    mother; the mothers' criteria after 'Mothers:' are still read."""
    text = ("Exclusion Criteria:\n\nMothers:\n\n* Relapse of MS within 30 days before screening\n\nInfants:\n\n"
            "* Infant with a primary immunodeficiency\n* Infant who has received a live vaccine within 30 days\n\n"
            "Mothers:\n\n* History of PML\n")
    criteria = {c.text: c for c in compile_trial(Trial(id="T", source="test", source_format="text", criteria_text=text)).criteria}
    assert criteria["Relapse of MS within 30 days before screening"].rules[0].kind == "relapse_activity"
    for infant in ("Infant with a primary immunodeficiency", "Infant who has received a live vaccine within 30 days"):
        (rule,) = criteria[infant].rules
        assert rule.kind == "manual_review" and "infants" in rule.why
    assert criteria["History of PML"].rules[0].kind == "condition"


@pytest.mark.parametrize("text, section, kinds", [
    # holdout19 NCT04998851: a contraceptive method, and a time point, had become pregnancy rules
    ("Women of childbearing potential must agree to remain abstinent or to use an acceptable contraceptive method; "
     "breastfeeding alone is not an acceptable method", "inclusion", None),
    ("Participants treated with ocrelizumab before the pregnancy: last infusion received more than 3 months before",
     "inclusion", None),
    ("Participation in an interventional trial within 12 weeks (enrolment in observational pregnancy registries is "
     "allowed)", "exclusion", ["investigational"]),
])
def test_pregnancy_named_for_something_else_is_no_pregnancy_rule(text, section, kinds):
    found = compile_text(text, section, "X1")
    assert all(r.kind != "pregnancy" for r in found)
    assert kinds is None or [r.kind for r in found] == kinds


def test_a_drug_named_as_the_first_dose_to_come_is_no_exposure():
    """holdout19 NCT04998851: 'breastfeeding ... for at least 60 days after the first post-partum ocrelizumab
    infusion' had required 60 days on ocrelizumab."""
    found = compile_text("Currently breastfeeding, with the intention to continue for at least 60 days after the first "
                         "post-partum ocrelizumab infusion", "inclusion", "X1")
    assert [r.kind for r in found] == ["pregnancy", "manual_review"] and found[0].breastfeeding


@pytest.mark.parametrize("text", [
    # holdout19 NCT00702468: 'if used' had made the stability a required use in the last 30 days
    "Anti-spasticity medication (e.g. baclofen) and disease-modifying therapy, if used, must have been stable for 30 "
    "days before randomisation",
])
def test_if_used_makes_the_stability_conditional(text):
    group = compile_text(text, "inclusion", "X1")[0]
    assert (group.kind, group.mode) == ("group", "any")
    assert [(r.polarity, r.current, r.min_duration is not None) for r in group.rules] == [
        ("exclude", True, False), ("require", True, True)]


def test_times_from_events_the_record_cannot_date():
    # holdout19 NCT03996291: a parent-study time before the drugs is their qualifier, as after them
    (rule,) = compile_text("Since the last dose in the parent study, treatment with any DMT other than tolebrutinib.",
                           "exclusion", "X1")
    assert rule.qualifier and rule.except_drugs == ["tolebrutinib"]
    # holdout19 NCT04998851: 'since delivery' is its clause's own time (the 3 months had reached the DMTs), a person's
    found = compile_text("Any disease-modifying therapy other than ocrelizumab since delivery, or natalizumab within 3 "
                         "months before screening", "exclusion", "X1")
    assert [(r.kind, r.drugs, r.classes) for r in found if r.kind == "washout"] == [("washout", ["natalizumab"], [])]
    assert any(r.kind == "manual_review" and "delivery" in r.why for r in found)


def test_a_live_vaccine_planned_during_the_study_goes_to_a_person():
    found = compile_text("Live or live-attenuated vaccination within 6 weeks prior to randomization, or planned during "
                         "the study", "exclusion", "X1")
    assert [r.kind for r in found] == ["live_vaccine", "manual_review"]


def test_what_a_drug_is_given_for_the_purpose_of_is_its_qualifier():
    found = compile_text("Treatment within 6 months with azathioprine, or oral corticosteroids given for the purpose "
                         "of disease modification.", "exclusion", "X1")
    steroids = [r for r in found if r.classes]
    assert steroids and steroids[0].qualifier and not [r for r in found if r.drugs and r.qualifier]


def test_an_item_that_names_its_own_list_takes_no_siblings_as_children():
    """holdout19 NCT03737851 and holdout18 NCT03536559: 'either treated with one of the following DMTs for 6 months
    (A, B or C), or not treated.' had taken the pregnancy-test bullet after it as one of its items."""
    text = ("Inclusion Criteria:\n\n* Either treated with one of the following disease-modifying therapies for at least 6 "
            "months (interferon beta, glatiramer acetate or natalizumab), or not treated with any DMT during the 6 "
            "months before Day 1.\n* Women of childbearing potential must have a negative serum pregnancy test.\n")
    criteria = compile_trial(Trial(id="T", source="test", source_format="text", criteria_text=text)).criteria
    assert len(criteria) == 2 and criteria[1].rules[0].kind == "pregnancy"


# --- session 21: the sixteenth round's remaining errors, read generally -------------------------------------------

def _criteria_of(text: str) -> dict:
    return {c.text: c for c in compile_trial(Trial(id="T", source="test", source_format="text", criteria_text=text)).criteria}


def test_a_heading_ends_the_list_of_the_item_above_it():
    """holdout16 NCT00930553: under 'Other:' the bullets had stayed children of 'Laboratory findings at the extension
    Baseline Visit:', one criterion of nine (its live vaccine and pregnancy rules scored nowhere)."""
    text = ("Exclusion Criteria:\n\nLaboratory findings at the Baseline Visit:\n\n* Platelet count below 100 x 10^9/L.\n"
            "* TSH outside the normal range.\n\nOther:\n\n* Receipt of any live vaccine within the 6 weeks before entry.\n"
            "* Women who are pregnant or breastfeeding.\n")
    criteria = _criteria_of(text)
    assert criteria["Receipt of any live vaccine within the 6 weeks before entry."].rules[0].kind == "live_vaccine"
    assert criteria["Women who are pregnant or breastfeeding."].rules[0].kind == "pregnancy"
    assert len(criteria) == 3


def test_an_additional_criteria_header_names_its_cohort():
    """holdout16 NCT02907281: 'Additional inclusion criteria for patients with RRMS:' had become an item over all the
    criteria after it; the reference subjects' criteria bound the patients."""
    text = ("Inclusion criteria (all participants):\n\n1. Aged 18 to 55 years.\n\nAdditional inclusion criteria for "
            "patients with RRMS:\n\n2. EDSS score of 0 to 5.0, inclusive, at screening.\n\nAdditional inclusion criteria "
            "for reference subjects:\n\n3. Best-corrected visual acuity of 20/25 or better in each eye.\n4. No history "
            "of neurological disease.\n\nExclusion criteria (all participants):\n\n1. Pregnancy or breastfeeding.\n")
    criteria = _criteria_of(text)
    (edss,) = criteria["EDSS score of 0 to 5.0, inclusive, at screening."].rules
    assert edss.kind == "edss" and edss.when.subtypes == ["RRMS"]
    (other,) = criteria["No history of neurological disease."].rules
    assert other.kind == "manual_review" and "reference subjects" in other.why
    assert criteria["Pregnancy or breastfeeding."].section == "exclusion"


@pytest.mark.parametrize("text, extra", [
    ("Known hypersensitivity to alemtuzumab or to any component of its formulation.", "formulation"),
    ("Known hypersensitivity to ocrelizumab or to any of its excipients", "excipients"),
    ("The participant has a known allergy to frexalimab, teriflunomide or any of their excipients", "teriflunomide"),
])
def test_an_allergy_to_a_named_monoclonal_antibody(text, extra):
    """An allergy to a drug named -mab is an allergy to a monoclonal antibody (tests/gold/README.md); what else it
    names goes to a person (a formulation's components had been dropped silently)."""
    condition, review = compile_text(text, "exclusion", "X1")
    assert (condition.kind, condition.conditions, condition.timing) == ("condition", ["monoclonal_antibody_hypersensitivity"],
                                                                        "any")
    assert review.kind == "manual_review" and extra in review.why
    assert compile_text("Known hypersensitivity to teriflunomide", "exclusion", "X1")[0].kind == "manual_review"


def test_a_drug_named_as_the_last_dose_of_the_study_is_no_exposure():
    """holdout16 NCT00930553: 'monitoring until 48 months after the last alemtuzumab infusion' had excluded every
    patient of the alemtuzumab extension treated with alemtuzumab."""
    found = compile_text("Unwilling or unable to comply with monthly blood and urine monitoring until 48 months after the "
                         "last alemtuzumab infusion.", "exclusion", "X1")
    assert [r.kind for r in found] == ["manual_review"]
    (washout,) = compile_text("Alemtuzumab infusion within 12 months before screening", "exclusion", "X1")
    assert washout.kind == "washout"


def test_a_time_of_a_parent_study_set_off_by_a_comma_is_of_every_clause():
    """holdout16 NCT00930553: the parent study's time had qualified only the last clause, so any earlier DMT excluded
    (15 wrong fails); the investigational drug in it has no date to count from either."""
    found = compile_text("Treatment with any disease-modifying therapy other than alemtuzumab, or with any "
                         "immunosuppressive or investigational drug, since the last visit of the parent study.",
                         "exclusion", "X1")
    drugs = [r for r in found if r.kind == "prior_drug"]
    assert drugs and all(r.qualifier for r in drugs)
    assert not [r for r in found if r.kind == "investigational"]
    assert any(r.kind == "manual_review" and "investigational" in r.why for r in found)
    # (a clause with a time of its own keeps it)
    plain, timed = compile_text("B-cell depleting therapy at any time, or any other DMT since the last dose in the "
                                "parent study.", "exclusion", "X1")
    assert not plain.qualifier and timed.qualifier


def test_either_untreated_or_on_it_that_long():
    """holdout16 NCT02907281: 'Either untreated, or treated with an approved DMT; patients on a DMT must have been on
    the same therapy for at least 3 months' had required 3 months of a DMT of every patient."""
    found = compile_text("Either untreated, or treated with an approved disease-modifying therapy according to the local "
                         "label; patients on a disease-modifying therapy must have been on the same therapy for at least "
                         "3 months before baseline.", "inclusion", "X1")
    group = found[0]
    assert (group.kind, group.mode) == ("group", "any")
    off, on = group.rules
    assert (off.polarity, off.current, on.polarity, on.min_duration.value) == ("exclude", True, "require", 3.0)


@pytest.mark.parametrize("text, conditions, unread", [
    ("History of neurological or ophthalmological disease.", ["neurological_disorder"], "ophthalmological"),
    ("Reference subjects with no history of neurological or ophthalmological disease.", ["neurological_disorder"],
     "ophthalmological"),
    ("Psychiatric or behavioural disorder", ["psychiatric_disorder"], "behavioural"),
])
def test_a_modifier_takes_the_head_of_an_unknown_term_after_it(text, conditions, unread):
    """holdout16 NCT02907281: 'neurological or ophthalmological disease' had gone to a person whole."""
    condition, review = compile_text(text, "exclusion", "X1")
    assert condition.conditions == conditions and unread in review.why
    # ("any medical, psychiatric or other condition that could ...": the general term carries the relation)
    found = compile_text("Any medical, psychiatric or other condition that could result in the subject not being able "
                         "to comply with the protocol.", "exclusion", "X1")
    assert all(r.kind == "manual_review" for r in found)


# --- session 21: the twentieth round's errors, read generally ------------------------------------------------------

def test_a_cohort_heading_scopes_nothing_it_cannot_and_ends_the_list_above():
    """holdout20 NCT05060354: 'All participants:' and 'Participants with MS:' had become items over every bullet after
    them (the EDSS bound of the MS participants was one child of a list of twelve)."""
    text = ("Inclusion Criteria:\n\nAll participants:\n\n* Adults aged 18 to 64 years at enrolment.\n\nParticipants with "
            "MS:\n\n* EDSS score of 7.0 or less at the most recent clinic visit.\n\nExclusion Criteria:\n\n* Pregnancy.\n")
    criteria = _criteria_of(text)
    assert len(criteria) == 3
    assert criteria["EDSS score of 7.0 or less at the most recent clinic visit."].rules[0].kind == "edss"


@pytest.mark.parametrize("text, section", [
    # holdout20 NCT02421731: 'unchanged' holds of a patient on none of them (read as a required washout, 12 wrong fails)
    ("Unchanged pharmacological therapy (disease-modifying drugs, antispastic drugs, fampridine) in the 3 months "
     "preceding the enrolment", "inclusion"),
    # holdout20 NCT00467584: a permission in an exclusion list (it had excluded the patients stable on the drugs)
    ("Patients on interferon beta may take part only if the dose has been stable for at least 4 weeks before "
     "screening.", "inclusion"),
])
def test_unchanged_or_permitted_if_stable_is_not_on_it_or_on_it_that_long(text, section):
    (group,) = compile_text(text, section, "X1")
    assert (group.kind, group.mode, group.polarity) == ("group", "any", "require")
    off, on = group.rules
    assert (off.polarity, off.current, on.polarity, on.current) == ("exclude", True, "require", True)


def test_a_permission_only_if_stable_in_an_exclusion_excludes_the_unstable():
    (group,) = compile_text("Patients on interferon beta, glatiramer acetate or an immunosuppressant (e.g. "
                            "azathioprine) may take part only if the dose has been stable for at least 4 weeks before "
                            "screening.", "exclusion", "X1")
    assert (group.kind, group.mode, group.polarity) == ("group", "all", "exclude")
    on, short = group.rules
    assert (on.polarity, short.polarity, short.min_duration.value) == ("require", "exclude", 4.0)


def test_drugs_that_may_be_continued_set_no_washout():
    """holdout20 NCT03342638: '...; dimethyl fumarate and teriflunomide may be continued until mobilization' had
    joined the washout of natalizumab and fingolimod."""
    found = compile_text("Treatment with natalizumab or fingolimod within 3 months prior to randomization; dimethyl "
                         "fumarate and teriflunomide may be continued until mobilization.", "exclusion", "X1")
    (washout,) = [r for r in found if r.kind == "washout"]
    assert washout.drugs == ["natalizumab", "fingolimod"]


@pytest.mark.parametrize("text", [
    "Bleeding disorder or anticoagulant therapy that would make repeated venipuncture unsafe.",
    "Fatigue present on most days for at least 8 weeks, attributed by the investigator to MS rather than to another "
    "cause.",
])
def test_a_relation_after_a_drug_or_symptom_goes_to_a_person(text):
    section = "inclusion" if text.startswith("Fatigue") else "exclusion"
    found = compile_text(text, section, "X1")
    assert all(r.kind == "manual_review" for r in found)


@pytest.mark.parametrize("text, kept, unread", [
    # holdout20: each of these had been dropped without a word to a person
    ("Known history of psychosis, schizophrenia or any other psychotic disorder, or schizophrenia in a first-degree "
     "relative.", ["psychotic_disorder"], "relative"),
    ("History of tuberculosis, or a positive tuberculin skin test (PPD) without documented adequate prophylactic "
     "treatment", ["tuberculosis"], "prophylactic"),
    ("Immunocompromised state, including participants currently receiving immunosuppressive or myelosuppressive "
     "therapy.", ["immunodeficiency"], "myelosuppressive"),
])
def test_what_no_rule_reads_beside_a_condition_goes_to_a_person(text, kept, unread):
    found = compile_text(text, "exclusion", "X1")
    conditions = [c for r in found if r.kind == "condition" for c in r.conditions]
    assert conditions == kept
    assert any(r.kind == "manual_review" and unread in r.why for r in found)


def test_an_unknown_drug_beside_a_known_one_goes_to_a_person():
    warfarin, review = compile_text("Concurrent treatment with isotretinoin or with warfarin.", "exclusion", "X1")
    assert warfarin.drugs == ["warfarin"] and "isotretinoin" in review.why
    # ("experimental or investigational drugs": one thing)
    assert [r.kind for r in compile_text("Use of experimental or investigational drugs within the 6 months prior to "
                                         "randomization.", "exclusion", "X1")] == ["investigational"]


def test_an_age_at_onset_goes_to_a_person():
    found = compile_text("Diagnosis of MS with onset before age 18.", "inclusion", "X1")
    assert found[0].kind == "ms_diagnosis" and found[-1].kind == "manual_review"


# --- session 21: disease wording (helper) ---


@pytest.mark.parametrize("text, subtypes", [
    ("MS diagnosed no more than 5 years before screening.", None),
    ("RMS diagnosed no more than 5 years before signing the ICF.", ["CIS", "RRMS", "SPMS"]),
    ("Diagnosed with relapsing-remitting MS within 5 years prior to signing informed consent.", ["RRMS"]),
])
def test_a_dated_ms_diagnosis_is_a_duration_from_diagnosis(text, subtypes):
    """holdout20 NCT04140305: "RMS diagnosed no more than 5 years before ..." had left a time no rule read."""
    found = compile_text(text, "inclusion", "X1")
    (duration,) = [r for r in found if r.kind == "disease_duration"]
    assert duration.measured_from == "diagnosis" and duration.polarity == "require"
    assert (duration.years.low, duration.years.high, duration.years.high_inclusive) == (None, 5.0, True)
    assert [r.kind for r in found if r.kind == "ms_diagnosis"] == ["ms_diagnosis"]
    assert [r.subtypes for r in found if r.kind == "ms_subtype"] == ([subtypes] if subtypes else [])
    assert not any(r.kind == "manual_review" for r in found)
    # (not another disease's diagnosis)
    assert not any(r.kind == "disease_duration" for r in compile_text(
        "Malignancy diagnosed within the last 5 years.", "exclusion", "X1"))


@pytest.mark.parametrize("text", [
    "Previously treated with no more than one approved disease-modifying therapy for RMS.",
    "Treated with a DMT approved for relapsing MS for at least 6 months.",
    "Prior use of a DMT indicated for RRMS.",
])
def test_the_course_a_therapy_is_for_is_not_the_patients(text):
    found = compile_text(text, "inclusion", "X1")
    assert not any(r.kind == "ms_subtype" for r in found)
    assert any(r.kind == "prior_drug" for r in found)


@pytest.mark.parametrize("text", [
    "Primary progressive MS, or secondary progressive MS without relapses during the last 1 year.",
    "Multiple sclerosis according to the revised McDonald criteria (2005), with either a primary progressive course, "
    "or a secondary progressive course without relapses during the last 1 year.",
    "PPMS or SPMS without relapses in the 2 years before screening.",
])
def test_an_inactive_course_beside_another_is_admitted(text):
    """holdout20 NCT01144117: the SPMS without relapses had been dropped from the subtypes (SPMS patients failed)."""
    found = compile_text(text, "inclusion", "X1")
    (subtype,) = [r for r in found if r.kind == "ms_subtype"]
    assert subtype.subtypes == ["PPMS", "SPMS"] and subtype.polarity == "require"
    (relapse,) = [r for r in found if r.kind == "relapse_activity"]
    assert relapse.polarity == "exclude" and relapse.when.subtypes == ["SPMS"]
    # an inactivity no rule reads goes to a person, for that course only
    review = [r for r in compile_text("PPMS or non-active SPMS.", "inclusion", "X1") if r.kind == "manual_review"]
    assert len(review) == 1 and review[0].when.subtypes == ["SPMS"]


@pytest.mark.parametrize("text", [
    "Non-specific white matter abnormalities without a diagnosis of MS or CIS, or white matter disease of metabolic, "
    "genetic or infectious origin (e.g. leukodystrophy).",
    "Brain MRI lesions without a definite diagnosis of multiple sclerosis.",
])
def test_an_ms_denied_of_an_excluded_finding_is_no_diagnosis_rule(text):
    """holdout20: "without a diagnosis of MS or CIS" describes the abnormality; read, it required a CIS of everyone."""
    found = compile_text(text, "exclusion", "X1")
    assert not any(r.kind in ("ms_subtype", "ms_diagnosis") for r in found)
    assert any(r.kind == "manual_review" for r in found)
    # (the patient's own: "Patients without a diagnosis of MS" requires it)
    (diagnosis,) = compile_text("Patients without a diagnosis of MS.", "exclusion", "X1")
    assert (diagnosis.kind, diagnosis.polarity) == ("ms_diagnosis", "require")


# --- session 22: the twentieth round's remaining errors, read generally ------------------------------------------


def test_items_numbered_under_their_parents_number_are_its_children():
    """holdout20 NCT00110396, holdout16 NCT01803867: "10.1 ...", "10.2 ..." under "10. Any of the following laboratory
    values:" had been criteria of their own, and the parent a manual review with no rule."""
    text = ("Exclusion Criteria:\n\n          9. Significant cardiac disease.\n\n"
            "          10. Any of the following laboratory values at screening:\n\n"
            "             10.1 white blood cell count < 3.0 x 10^9/L or platelet count < 75 x 10^9/L\n\n"
            "             10.2 haemoglobin < 10 g/dL\n\n"
            "          11. Pregnant or breastfeeding women.\n")
    criteria = segment(text)
    assert [c.text for c in criteria][1] == "Any of the following laboratory values at screening:"
    assert [len(c.children) for c in criteria] == [0, 2, 0]
    assert criteria[1].children[1].text == "haemoglobin < 10 g/dL"
    # flush with the parent's number, still its children; a wrapped line starting with a decimal is not one
    flush = "1. Any of the following:\n1.1 ALT above 2 x ULN\n1.2 AST above 2 x ULN\n2. Age 18 or more."
    assert [len(c.children) for c in segment(flush)] == [2, 0]
    wrapped = "1. Any of the following laboratory values:\n2. ALT above\n2.5 times the upper limit of normal"
    (parent,) = segment(wrapped)
    assert [c.text for c in parent.children] == ["ALT above 2.5 times the upper limit of normal"]


@pytest.mark.parametrize("text, any_of, current", [
    ("Stroke or myocardial infarction at any time, or angina pectoris.",
     ["myocardial_infarction", "stroke"], ["angina_pectoris"]),
    ("Severe depression, suicidal thoughts and/or suicide attempts at any time in the past; alcohol or drug "
     "dependence.", ["suicidality"], ["substance_abuse"]),
])
def test_a_time_word_after_a_run_times_the_run_and_not_the_next_item(text, any_of, current):
    """holdout20 NCT01144117: the stroke had been read as current and the angina as ever; holdout17 NCT07321093: the
    dependence after the semicolon took the suicide items' "at any time in the past"."""
    found = rules(text, kind="condition")
    timing = {c: r["timing"] for r in found for c in r["conditions"]}
    assert sorted(c for c, t in timing.items() if t == "any") == any_of
    assert sorted(c for c, t in timing.items() if t == "current") == current
    # a leading "History of" still reaches across its semicolon list
    found = rules("History of significant cardiac disease; immune deficiency.", kind="condition")
    assert {r["timing"] for r in found if "immunodeficiency" in r["conditions"]} == {"any"}


@pytest.mark.parametrize("text, pregnant, feeding", [
    ("State of pregnancy", True, False),
    ("Positive pregnancy test, breastfeeding, or inability or unwillingness to use contraception.", True, True),
    ("Pregnancy at the time of enrolment (breastfeeding is allowed).", True, False),
    ("Breastfeeding women are eligible; pregnant women are not.", True, False),
])
def test_pregnancy_wordings(text, pregnant, feeding):
    """holdout20: "State of pregnancy" had no rule, a positive test was no pregnancy, and a breastfeeding the criterion
    allows was excluded."""
    rule = one(text, "pregnancy")
    assert (rule["pregnant"], rule["breastfeeding"], rule["polarity"]) == (pregnant, feeding, "exclude")
    # (a pregnancy that dates something is still none)
    assert not rules("Live vaccines in the first trimester of pregnancy.", kind="pregnancy")


def test_a_relapse_counted_from_its_onset_is_a_recent_relapse_and_its_definition_no_rule():
    """holdout20 NCT01906684: "within 72 hours of the onset of an acute relapse" had no rule, and the definition's
    "in the absence of fever or infection" excluded every infected patient."""
    text = ("Presenting for care within 72 hours of the onset of an acute relapse, defined as new or worsening "
            "neurological symptoms lasting at least 24 hours, in the absence of fever or infection, with an objective "
            "change on the neurological examination.")
    found = rules(text, "inclusion")
    assert [r["kind"] for r in found] == ["relapse_activity"]
    assert (found[0]["polarity"], found[0]["window"]["within"]) == ("require", {"value": 3.0, "unit": "days"})
    weeks = one("Enrolment within 2 weeks after the onset of an MS relapse.", "relapse_activity", "inclusion")
    assert weeks["window"]["within"] == {"value": 2.0, "unit": "weeks"}


def test_two_revisions_of_the_mcdonald_criteria_are_either():
    found = compile_text("Diagnosis of relapsing multiple sclerosis (RMS) according to the 2010 or the 2017 revised "
                         "McDonald criteria.", "inclusion", "X1")
    (group,) = [r for r in found if r.kind == "group"]
    assert group.mode == "any" and [r.criteria_version for r in group.rules] == ["McDonald 2010", "McDonald 2017"]
    # beside a CIS the courses say it (tests/gold README)
    found = compile_text("Diagnosis of RRMS according to the 2005 or 2010 revised McDonald criteria, or a first "
                         "demyelinating event with a brain MRI that fulfils the MAGNIMS criteria.", "inclusion", "X1")
    assert not any(r.kind in ("group", "ms_diagnosis") for r in found)


@pytest.mark.parametrize("text, kind, entry", [
    ("Prior treatment with any sphingosine 1-phosphate (S1P) receptor modulator, at any time.", "DRUG_CLASS",
     "s1p_modulator"),
    ("Current treatment with monoamine oxidase (MAO) inhibitors.", "DRUG_CLASS", "mao_inhibitor"),
])
def test_a_term_with_its_abbreviation_inside_is_the_term(text, kind, entry):
    """holdout20 NCT04140305 and four earlier sets: "sphingosine 1-phosphate (S1P) receptor modulator" had been an
    unread residue (the examples alone were excluded)."""
    assert (kind, entry) in {(e.label, e.id) for e in find_entities(text)}
    # (not across a parenthesis of examples)
    assert not any(e.id == "s1p_modulator" for e in find_entities("sphingosine 1-phosphate (e.g. X) receptor modulator"))


def test_a_relation_after_a_list_is_the_nearest_items():
    """holdout20 NCT04140305: "stroke, transient ischemic attack, decompensated heart failure requiring
    hospitalization" sent the stroke and the TIA to a person."""
    found = rules("Myocardial infarction, stroke, transient ischemic attack, decompensated heart failure requiring "
                  "hospitalization, within the 6 months prior to Day 1.", kind="condition")
    # (stroke and TIA together are their parent, cerebrovascular disease: lexicon.minimal_conditions)
    assert [r["conditions"] for r in found] == [["myocardial_infarction", "cerebrovascular_disease"]]
    # modifiers sharing a head share the relation
    assert not rules("Heart, lung or kidney disease requiring hospitalization.", kind="condition")


def test_a_negative_result_beside_a_bound_does_not_negate_the_bound():
    """holdout7 NCT03500328: "JCV antibody negative, or low positive with an index < 0.9" excluded the low index."""
    rule = one("JC virus (JCV) antibody negative, or low positive with an index < 0.9", "lab", "inclusion")
    assert (rule["test"], rule["comparator"], rule["value"], rule["polarity"]) == ("jcv_antibody_index", "<", 0.9,
                                                                                  "require")


# --- session 22: the twenty-first round's errors, read generally -------------------------------------------------


@pytest.mark.parametrize("text, low, above", [
    ("At least 1 and no more than 15 gadolinium-enhancing T1 lesions on the screening MRI", 1, 16),
    ("Between 1 and 9 Gd+ lesions on the baseline MRI", 1, 10),
    ("At least 1 and fewer than 10 Gd+ lesions on the baseline MRI", 1, 10),
])
def test_a_lesion_count_between_two_bounds_gives_both(text, low, above):
    """holdout21 NCT00203073: only the maximum had been read (a polarity error against the required minimum)."""
    found = rules(text, "inclusion", "mri_activity")
    assert [(r["min_count"], r["polarity"]) for r in found] == [(low, "require"), (above, "exclude")]


def test_a_use_in_a_window_except_a_stable_dose_excludes_the_recent_use_only():
    """holdout21 NCT00573443: the exception had been read as the excluded exposure (the stable patients excluded)."""
    text = ("Use of a tricyclic antidepressant or a selective serotonin reuptake inhibitor (SSRI) within the 14 days "
            "before baseline, except a stable dose taken for depression for at least 3 months before baseline.")
    leaves = {(r["kind"], r["polarity"]) for r in rules(text)}
    # excluded: used in the 14 days and not on it for 3 months -> any of: no use in 14 days, on it 3 months
    assert leaves == {("washout", "exclude"), ("prior_drug", "require")}
    (stable,) = [r for r in rules(text) if r["kind"] == "prior_drug"]
    assert stable["min_duration"] == {"value": 3.0, "unit": "months"} and stable["current"]


@pytest.mark.parametrize("text", [
    "Patients receiving interferon beta or glatiramer acetate may continue it if the dose has been unchanged for at "
    "least 3 months before enrollment",
    "Using the same disease-modifying treatment for at least the last 3 months, if any",
])
def test_a_conditional_stability_is_not_a_requirement_of_everyone(text):
    """holdout21 NCT00954421, NCT06672770: both had required the drug of every patient."""
    (group,) = compile_text(text, "inclusion", "X1")
    assert group.kind == "group" and group.mode == "any"
    assert sorted(r.polarity for r in group.rules) == ["exclude", "require"]


def test_the_patients_heading_beside_healthy_volunteers_scopes_to_the_patients():
    """holdout21 NCT00099307: the patients' EDSS, washouts and relapses had held for the healthy volunteers too."""
    text = ("Inclusion Criteria:\n\nAll participants:\n\n- Age 18 to 55 years.\n\nPatients:\n\n"
            "- EDSS score of 6.5 or less.\n\nHealthy volunteers:\n\n- Normal neurological examination.\n")
    ruleset = compile_trial(Trial(id="T", source="test", source_format="text", criteria_text=text))
    age = criterion_with(ruleset, "Age 18").rules[0]
    edss = criterion_with(ruleset, "EDSS").rules[0]
    assert age.when is None
    assert edss.kind == "edss" and edss.when.subtypes == ["CIS", "RRMS", "SPMS", "PPMS", "RIS"]
    # "Participants with MS:" in a study with a control group: every phenotype a patient may have (session 32: the MS
    # courses alone let a CIS patient pass the block, its MS diagnosis too); without other people nothing
    with_ms = text.replace("Patients:", "Participants with MS:")
    edss = criterion_with(compile_trial(Trial(id="T", source="test", source_format="text", criteria_text=with_ms)), "EDSS").rules[0]
    assert edss.when.subtypes == ["CIS", "RRMS", "SPMS", "PPMS", "RIS"]
    alone = text.split("Healthy volunteers:")[0]
    assert criterion_with(compile_trial(Trial(id="T", source="test", source_format="text", criteria_text=alone)), "EDSS").rules[0].when is None


@pytest.mark.parametrize("text, kind, expected", [
    ("EDSS score lower than or equal to 5.5 at the baseline visit.", "edss", {"high": 5.5, "high_inclusive": True}),
    ("Age 18 to 65 years, both inclusive, on the day the informed consent is signed.", "age",
     {"low": 18.0, "high": 65.0}),
])
def test_translated_bounds(text, kind, expected):
    rule = one(text, kind, "inclusion")
    bounds = rule["score"] if kind == "edss" else rule["years"]
    assert {k: bounds[k] for k in expected} == expected


def test_translated_windows_and_remission():
    cancer = one("Cancer during the 5 last years, except basal cell carcinoma of the skin.", "condition")
    assert cancer["window"]["within"] == {"value": 5.0, "unit": "years"} and cancer["timing"] == "any"
    relapse = one("Being in the remission period, that is, not having had an attack in the last 3 months",
                  "relapse_activity", "inclusion")
    assert relapse["polarity"] == "exclude" and relapse["window"]["within"] == {"value": 3.0, "unit": "months"}


def test_a_hyphen_where_the_lexicon_has_a_space():
    """holdout21 NCT03594487: "H2-receptor antagonist" had no entity (the criterion went to a person)."""
    assert {e.id for e in find_entities("Daily use of an H2-receptor antagonist")} == {"h2_antagonist"}
    assert {e.id for e in find_entities("another sphingosine-1-phosphate (S1P) receptor modulator")} == \
        {"s1p_modulator"}


@pytest.mark.parametrize("text", [
    "In case of receiving disease-modifying treatment, no modification of the treatment in the 6 months prior to the "
    "inclusion.",
    "If on a DMT, no change of treatment in the 6 months before inclusion",
    "No change in disease-modifying therapy during the 6 months before inclusion",
])
def test_no_change_of_a_treatment_is_its_stability(text):
    """holdout21 NCT06873464 (translated): it had required DMT use in the 6 months of every patient (a washout)."""
    (group,) = compile_text(text, "inclusion", "X1")
    assert group.kind == "group" and group.mode == "any"
    off, on = group.rules
    assert (off.polarity, off.current, on.polarity, on.current) == ("exclude", True, "require", True)
    assert on.min_duration.value == 6 and on.classes == ["dmt"]


@pytest.mark.parametrize("text", [
    "Modification of the disease-modifying treatment in the 6 months before inclusion",
    "Switch of disease-modifying therapy within 6 months prior to screening",
    "Any modification of symptomatic treatment (fampridine, baclofen) within 30 days before baseline",
])
def test_a_change_or_switch_in_a_window_goes_to_a_person(text):
    """Read as a washout, a modification excluded every patient on a stable treatment (README: a change goes to a
    person); a verb that modifies something else is no change of treatment."""
    assert [(r.kind, r.polarity) for r in compile_text(text, "exclusion", "X1")] == [("manual_review", "exclude")]
    drugs = rules("Regular consumption of drugs that modify the cortical excitability, such as benzodiazepines")
    assert ("prior_drug", "exclude") in {(r["kind"], r["polarity"]) for r in drugs}


@pytest.mark.parametrize("text", [
    "Participants may be untreated or on a disease-modifying therapy (DMT), provided there has been no change in DMT "
    "during the 3 months before Day 1.",
    "Patients may be untreated or may receive interferon beta or glatiramer acetate, provided the treatment has not "
    "changed during the 3 months before the research MRI.",
])
def test_untreated_or_unchanged_for_months_means_no_dmt_in_those_months(text):
    """holdout15 NCT05957913, holdout21 NCT00099307: a stop in the 3 months is a change too, so the untreated arm is
    no DMT in them (it had been 'not on one now', or a person)."""
    (group,) = compile_text(text, "inclusion", "X1")
    untreated, on = group.rules
    assert (untreated.kind, untreated.polarity, untreated.classes) == ("washout", "exclude", ["dmt"])
    assert untreated.window.within.value == 3 and untreated.window.anchor == "baseline"
    assert (on.kind, on.polarity, on.current, on.min_duration.value) == ("prior_drug", "require", True, 3)


@pytest.mark.parametrize("text", [
    "Corticosteroid treatment (intravenous pulse or oral) within the month preceding inclusion",
    "Having received pulse corticosteroid therapy in the last 3 months",
    "Use of systemic glucocorticosteroids within 30 days before signing the ICF.",
    "High-dose corticosteroid therapy (e.g. pulses of intravenous methylprednisolone) in the 3 months before inclusion",
])
def test_pulses_and_systemic_glucocorticosteroids_are_the_systemic_class(text):
    assert one(text, "washout")["classes"] == ["systemic_corticosteroid"]


@pytest.mark.parametrize("text", [
    "MS relapse within 1 month before vaccination.",
    "An MS relapse within the 30 days before the research MRI.",
])
def test_the_studys_own_first_procedure_is_its_baseline(text):
    assert one(text, "relapse_activity")["window"]["anchor"] == "baseline"


# --- the twenty-second hold-out round (tests/holdout22/) ----------------------------------------------------------

@pytest.mark.parametrize("text", [
    "ALT, AST and total bilirubin no higher than 1.5 × ULN, and an eGFR of at least 60 mL/min/1.73 m2 at Screening.",
    "Serum creatinine not above 1.5 mg/dL, and an eGFR of at least 60 mL/min/1.73 m2",
])
def test_a_bound_in_words_negates_nothing_after_it(text):
    """holdout22 NCT04086225: 'no higher than' had negated the eGFR after it (a polarity error)."""
    egfr = [r for r in rules(text, "inclusion", "lab") if r["test"] == "egfr"]
    assert [(r["comparator"], r["polarity"]) for r in egfr] == [(">=", "require")]


@pytest.mark.parametrize("text, high, low, unit", [
    ("Last rituximab infusion given no more than 8 weeks and no less than 4 weeks before Randomization (Study Day 1).",
     8, 4, "weeks"),
    ("The last rituximab infusion was given 5 to 7 months before randomisation.", 7, 5, "months"),
    ("Treated with ocrelizumab, with the most recent infusion given 20 to 26 weeks before Day 1", 26, 20, "weeks"),
    ("Last ocrelizumab infusion at least 4 months but no more than 9 months before baseline", 9, 4, "months"),
])
def test_a_last_dose_between_two_times_is_two_washouts(text, high, low, unit):
    """holdout22 NCT04480307 (a polarity error), holdout19 NCT03979456: the shorter bound had been read alone, as a
    washout, or the longer alone."""
    found = {(r["polarity"], r["window"]["within"]["value"], r["window"]["within"]["unit"])
             for r in rules(text, "inclusion", "washout")}
    assert found == {("require", high, unit), ("exclude", low, unit)}


def test_seizure_free_on_treatment_is_a_proviso_not_a_window():
    found = compile_text("Seizure disorder, unless the participant has been seizure-free for at least 12 months on a "
                         "stable treatment.", "exclusion", "X1")
    condition = next(r for r in found if r.kind == "condition")
    assert condition.timing == "current" and condition.window is None
    assert any(r.kind == "manual_review" for r in found)
    # (disease-free alone still times the condition)
    assert one("History of malignancy, unless disease-free for at least 5 years", "condition")["window"]


@pytest.mark.parametrize("text, stated", [
    ("Other neurological conditions affecting walking, such as stroke, Parkinson's disease or spinal cord injury.",
     {"stroke", "parkinsons_disease", "spinal_cord_injury"}),
    ("Artificial heart valves, stents or coils", {"prosthetic_heart_valve"}),
])
def test_what_no_rule_reads_goes_to_a_person(text, stated):
    """holdout22 NCT02123537, NCT02361697: a relation to a function ('affecting walking') is judgement, and two short
    unread items had been dropped silently."""
    found = compile_text(text, "exclusion", "X1")
    assert {c for r in found if r.kind == "condition" for c in r.conditions} == stated
    assert any(r.kind == "manual_review" and r.category == "partial" for r in found)


@pytest.mark.parametrize("text, section", [
    ("Overweight or obesity, defined as a body mass index (BMI) of 25.0 to 50.0 kg/m2 at screening.", "inclusion"),
    ("Obesity (BMI > 35 kg/m2) or diabetes", "exclusion"),
])
def test_a_condition_defined_by_a_measure_no_rule_reads_goes_to_a_person(text, section):
    """holdout22 NCT05327322: the obesity required had turned away the overweight the BMI range admits."""
    found = compile_text(text, section, "X1")
    assert not [r for r in found if r.kind == "condition" and "obesity" in r.conditions]
    assert any(r.kind == "manual_review" and (r.category == "clinical" or "BMI" in r.why) for r in found)


@pytest.mark.parametrize("text", [
    "A brain MRI performed within the 3 months before the first TYSABRI infusion is available to the physician.",
    "Has received no more than 3 TYSABRI infusions before enrollment",
    "The physician's decision to prescribe TYSABRI was made before, and independently of, the enrollment",
])
def test_a_drug_named_as_a_time_point_a_count_or_a_plan_is_not_required(text):
    """holdout22 NCT00477113, holdout16 NCT00493298: each had required natalizumab of every patient."""
    assert not rules(text, "inclusion", "prior_drug") and not rules(text, "inclusion", "washout")


def test_the_first_infusion_of_a_named_drug_is_the_first_dose():
    relapse = one("Relapse within 30 days before the first ocrelizumab infusion", "relapse_activity")
    assert relapse["window"]["anchor"] == "first_dose"
    assert not rules("Relapse within 30 days before the first ocrelizumab infusion", "exclusion", "washout")


def test_contraindications_to_a_contraceptive_and_a_predisposition_are_not_the_thing():
    """holdout22 NCT04086225: the heading had required contraception; a predisposition to thrombosis had excluded
    thrombosis."""
    assert not rules("Any of the following contraindications to combined oral contraceptives:", "exclusion",
                     "contraception")
    assert not rules("A known hereditary or acquired predisposition to venous or arterial thrombosis", "exclusion",
                     "condition")


@pytest.mark.parametrize("text, other", [
    ("Women aged 35 years or older who smoke.", "condition"),
    ("Smokers aged over 35 years", "condition"),
    ("Patients over 65 years of age who have a history of stroke", "condition"),
    ("Patients aged over 60 years who ride horses", "manual_review"),
])
def test_an_age_that_excludes_only_with_something_else(text, other):
    """holdout22 NCT04086225: the age alone had excluded every woman over 35."""
    (group,) = [r for r in compile_text(text, "exclusion", "X1") if r.kind == "group"]
    assert group.mode == "all" and group.polarity == "exclude"
    assert [r.kind for r in group.rules] == ["age", other]
    assert one("Age over 65 years", "age")["polarity"] == "exclude"


def test_a_treatment_of_a_condition_is_no_exception_and_keeps_its_window():
    """holdout22 NCT05327322: the treatment's window had timed the active cancer and its exception was lost."""
    found = compile_text("Active cancer other than non-melanoma skin cancer, or cancer treatment within the past 12 "
                         "months.", "exclusion", "X1")
    (cancer,) = [r for r in found if r.kind == "condition"]
    assert cancer.timing == "current" and cancer.window is None and cancer.exceptions == ["non_melanoma_skin_cancer"]
    assert any(r.kind == "manual_review" and "12 months" in r.why for r in found)


@pytest.mark.parametrize("text", [
    "Hepatic insufficiency (transaminases above 3 times the upper limit of normal).",
    "Serum transaminases > 3 x ULN",
])
def test_transaminases_are_alt_and_ast(text):
    assert {(r["test"], r["comparator"], r["value"]) for r in rules(text, "exclusion", "lab")} == \
        {("alt", ">", 3.0), ("ast", ">", 3.0)}


@pytest.mark.parametrize("text, timing", [
    ("History of gout, obstruction of the urinary tract, or current urinary tract infection.", "current"),
    ("History of, or currently active, primary or secondary immunodeficiency.", "any"),
    ("Previous or current neoplastic disease.", "any"),
])
def test_the_nearer_time_word_governs(text, timing):
    """holdout22 NCT00241254: 'history of' had reached past 'current' to the infection."""
    last = [r for r in rules(text, "exclusion", "condition")][-1]
    assert last["timing"] == timing


@pytest.mark.parametrize("text", [
    "Stable disease, without relapse during the 30 days before randomisation.",
    "Neurologically stable, with no relapse in the 30 days prior to randomization",
])
def test_a_stability_state_goes_to_a_person(text):
    """The README's policy (holdout8, 9, 11, 12, 22): stability is a person's judgement beside the relapse rule."""
    found = compile_text(text, "inclusion", "X1")
    assert [r.kind for r in found] == ["relapse_activity", "manual_review"]


@pytest.mark.parametrize("text, words", [
    ("Known hypersensitivity to natalizumab or to any component of TYSABRI", "component"),
    ("Relapse within the 28 days before screening, or between screening and Study Day 1.", "between"),
])
def test_short_unread_parts_are_named(text, words):
    found = compile_text(text, "exclusion", "X1")
    assert found[-1].kind == "manual_review" and words in found[-1].why


@pytest.mark.parametrize("text, lab", [
    ("Thyroid-stimulating hormone (TSH) and free thyroxine (free T4) within the normal reference range at screening.",
     "tsh"),
    ("Creatinine within the normal laboratory range", "creatinine"),
])
def test_within_the_normal_reference_range_is_both_limits(text, lab):
    found = [r for r in rules(text, "inclusion", "lab") if r["test"] == lab]
    assert {(r["test"], r["comparator"], r["unit"]) for r in found} == {(lab, ">=", "xLLN"), (lab, "<=", "xULN")}


def test_a_lab_in_a_concession_is_no_bound():
    """holdout22 NCT02760056: 'even if currently treated and with a normal TSH' had required a normal TSH."""
    text = "History of hypothyroidism or hyperthyroidism, even if currently treated and with a normal TSH at screening."
    assert not rules(text, "exclusion", "lab") and one(text, "condition")["timing"] == "any"


@pytest.mark.parametrize("text, kind", [
    ("Attempt of suicide in the last 2 years.", "condition"),
    ("Participation in another diet, exercise or drug trial within the 3 months before screening", "investigational"),
    ("Participation in another gait rehabilitation, device or drug study within the previous 3 months",
     "investigational"),
])
def test_translated_and_listed_wordings(text, kind):
    assert one(text, kind)["window"]["within"]["value"] in (2.0, 3.0)


def test_another_disease_different_from_ms_excepts_ms_not_its_examples():
    rule = one("Presence of another neurological disease different from MS (epilepsy, cerebrovascular disease, "
               "dementia).", "condition")
    assert rule["conditions"] == ["neurological_disorder"] and rule["exceptions"] == ["multiple_sclerosis"]
    assert not rules("Patients that received MS treatments other than fingolimod since completion of study X",
                     "exclusion", "investigational")


@pytest.mark.parametrize("text, low, high, since", [
    ("Time of evolution of the disease of at least 2 years and not more than 15 years from the diagnosis.", 2, 15,
     "diagnosis"),
    ("Disease duration of 10 years or less, counted from the first clinical event.", None, 10, "onset"),
])
def test_disease_duration_wordings(text, low, high, since):
    rule = one(text, "disease_duration", "inclusion")
    assert (rule["years"]["low"], rule["years"]["high"], rule["measured_from"]) == (low, high, since)


def test_women_of_an_age_are_the_sex_whatever_reproductive_words_follow():
    found = compile_text("Pre-menopausal women aged 18 to 45 years, inclusive, with a regular menstrual cycle",
                         "inclusion", "X1")
    assert [r.kind for r in found] == ["age", "sex", "manual_review"] and found[1].allowed == ["female"]
    assert "Pre-menopausal" in found[2].why
    assert not rules("Women of childbearing potential must use contraception", "inclusion", "sex")


def test_a_weight_beside_a_bmi_range():
    weight = one("Body weight of 40 kg or more and a body mass index (BMI) of 18.5 to 32.0 kg/m2, inclusive.", "weight",
                 "inclusion")
    assert (weight["kg"]["low"], weight["kg"]["high"]) == (40.0, None)


def test_a_start_or_change_of_the_examples_of_a_treatment():
    """holdout22 NCT07273604: 'initiated or modified a psychopharmacological treatment (antidepressants, ...)' is the
    start within the window (README), the change to a person."""
    found = compile_text("Having initiated or modified a psychopharmacological treatment (antidepressants, anxiolytics or "
                         "hypnotics) in the 2 months prior to the inclusion", "exclusion", "X1")
    assert [r.kind for r in found] == ["washout", "manual_review"] and found[0].started
    assert (found[0].window.within.value, found[0].window.anchor) == (2, "enrollment")


@pytest.mark.parametrize("text", [
    "Failure to produce a T-cell vaccine from the subject's blood sample",
    "Persistent anti-natalizumab antibodies (positive on two tests at least 6 weeks apart)",
])
def test_a_manufacture_or_an_antibody_test_is_no_exposure(text):
    """holdout22 NCT00245622, NCT00477113: each had excluded every patient ever given the drug."""
    assert not rules(text, "exclusion", "prior_drug")


@pytest.mark.parametrize("text, drugs, classes, qualifier", [
    ("Concomitant treatment with thiazide diuretics (e.g., hydrochlorothiazide, indapamide)",
     ["hydrochlorothiazide", "indapamide"], [], None),
    ("Current use of potassium-sparing diuretics", [], ["diuretic"], "potassium-sparing"),
])
def test_a_part_of_a_class_inside_the_class_term(text, drugs, classes, qualifier):
    """README: a part of a class the lexicon cannot tell apart is the drugs listed, else the class with a qualifier
    ('thiazide diuretics' is a synonym of the whole diuretic class)."""
    (rule,) = rules(text, "exclusion", "prior_drug")
    assert (rule["drugs"], rule["classes"], rule.get("qualifier")) == (drugs, classes, qualifier)


def test_a_hormonal_contraceptive_used_is_its_washout_not_a_contraception_rule():
    found = compile_text("Use of a hormonal contraceptive (oral, transdermal or implant) within 2 months before "
                         "Screening, or of a depot progestogen injection within 6 months before Screening.", "exclusion",
                         "X1")
    assert not [r for r in found if r.kind == "contraception"]
    assert {(tuple(r.classes), r.window.within.value) for r in found if r.kind == "washout"} == \
        {(("hormonal_contraceptive",), 2.0), (("progestogen",), 6.0)}


def test_relapse_therapy_is_the_treatments_window():
    found = compile_text("Relapse therapy with high-dose methylprednisolone within 4 weeks before an MRI examination",
                         "exclusion", "X1")
    assert [r.kind for r in found] == ["washout"] and found[0].window.anchor == "baseline"


@pytest.mark.parametrize("text, untreated", [
    ("Participants taking a DMT must have been on the same DMT for at least 6 months before baseline; participants "
     "who are not taking a DMT must not have taken one during the 6 months before baseline.", "washout"),
    ("In treatment with the same disease-modifying drug (interferon beta or fingolimod) during at least the last 6 "
     "months, or without disease-modifying treatment.", "prior_drug"),
])
def test_the_untreated_arm_of_a_conditional_stability(text, untreated):
    (group,) = compile_text(text, "inclusion", "X1")
    kinds = {(r.kind, r.polarity) for r in group.rules}
    assert group.mode == "any" and kinds == {(untreated, "exclude"), ("prior_drug", "require")}
    assert next(r for r in group.rules if r.polarity == "require").min_duration.value == 6


def test_no_change_expected_during_the_study_is_a_plan():
    assert [r.kind for r in compile_text("No change of DMT expected during the 34 weeks of the study.", "inclusion",
                                         "X1")] == ["manual_review"]


@pytest.mark.parametrize("text, qualifier", [
    ("Patients receiving TYSABRI for Crohn's disease", "for Crohn's disease"),
    ("Treatment with rituximab for another indication within 12 months", "for another indication"),
])
def test_another_indication_of_the_drug_is_its_qualifier(text, qualifier):
    """README: what the drug was given for is a qualifier (holdout22 NCT00477113 had excluded every patient on it)."""
    (rule,) = [r for r in rules(text) if r["kind"] in ("prior_drug", "washout")]
    assert rule["qualifier"] == qualifier


def test_parenteral_corticosteroids_are_the_systemic_class_qualified_by_route():
    found = compile_text("Treatment with parenteral corticosteroids or with adrenocorticotropic hormone (ACTH) within "
                         "the 30 days before Study Day 1.", "exclusion", "X1")
    assert {(tuple(r.drugs), tuple(r.classes), r.qualifier) for r in found} == {
        (("corticotropin",), (), None), ((), ("systemic_corticosteroid",), "parenteral")}


def test_the_first_clinical_event_dates_the_disease():
    rule = one("Inclusion at the first manifestation of the disease: first clinical event not more than 6 months "
               "before the baseline MRI", "disease_duration", "inclusion")
    assert (rule["years"]["high"], rule["measured_from"]) == (0.5, "onset")


@pytest.mark.parametrize("text, section, kind, polarity", [
    ("Urinary incontinence secondary to MS, not adequately managed with at least one anticholinergic medication",
     "inclusion", "prior_drug", "require"),
    ("A diagnosis of obstructive sleep apnoea not treated with CPAP, restless legs syndrome or narcolepsy.", "exclusion",
     "condition", "exclude"),
    ("No concurrent pharmacological weight-loss treatment (for example orlistat, liraglutide or semaglutide)",
     "inclusion", "prior_drug", "exclude"),
    ("Inability to undergo MRI (e.g. pacemaker, claustrophobia)", "exclusion", "condition", "exclude"),
    ("Symptomatic upper-limb tremor, with or without head tremor", "inclusion", "condition", "require"),
])
def test_negations_the_new_lexicon_ids_exposed(text, section, kind, polarity):
    """Session 23 (new ids for anticholinergics, sleep disorders, GLP-1 agonists, tremor): 'not adequately managed
    with', 'not treated with CPAP' and 'with or without' negate nothing; examples take the negation of the term they
    exemplify, not the causes of an inability."""
    assert {r["polarity"] for r in rules(text, section, kind)} == {polarity}


def test_patients_in_therapy_with_is_a_conditional_lead():
    group = compile_text("Patients in therapy with antimuscarinic drugs (e.g. oxybutynin) or with mirabegron must "
                         "be at a stable dose since at least 4 weeks before enrolment.", "inclusion", "X1")[0]
    assert group.kind == "group" and sorted(r.polarity for r in group.rules) == ["exclude", "require"]


def test_look_alike_terms_of_the_new_sleep_and_tumour_ids():
    """holdout22 NCT01746342, NCT04086225: 'circadian rhythm disorder' had been an arrhythmia, and the 'steroid' of
    'sex-steroid-dependent malignancy' a corticosteroid."""
    assert not [r for r in rules("Circadian rhythm disorder", "exclusion", "condition")
                if "arrhythmia" in r["conditions"]]
    found = compile_text("Known or suspected sex-steroid-dependent malignancy (e.g. breast cancer)", "exclusion", "X1")
    assert [(r.kind, r.conditions) for r in found] == [("condition", ["hormone_dependent_tumour", "breast_cancer"])]


# Session 24: residues of the earlier rounds, each checked on other phrasings


@pytest.mark.parametrize("text, low, high, measured_from", [
    ("Diagnosed with multiple sclerosis (any disease subtype) at least 6 months before screening", 0.5, None,
     "diagnosis"),
    ("Diagnosis of multiple sclerosis (any clinical course) confirmed by the participant's neurologist, made at least "
     "1 year before enrolment.", 1.0, None, "diagnosis"),
    ("First symptoms of demyelinating disease no more than 20 years before screening.", None, 20.0, "onset"),
    ("< 10 years of disease course after onset of the first symptoms", None, 10.0, "onset"),
])
def test_more_ways_to_date_the_disease(text, low, high, measured_from):
    """holdout18 NCT03677440 / NCT04971005, holdout19 NCT00702468, holdout21 NCT00099307: a parenthesis after the MS,
    who confirmed the diagnosis, 'demyelinating disease' and 'years of disease course after onset' had left the time
    to a person."""
    rule = one(text, "disease_duration", "inclusion")
    assert (rule["years"]["low"], rule["years"]["high"], rule["measured_from"]) == (low, high, measured_from)


@pytest.mark.parametrize("text, targets", [
    ("Started a medication for fatigue (e.g. modafinil, armodafinil, amantadine or methylphenidate) within the 30 days "
     "before baseline.", ["fatigue_treatment"]),
    ("Trazodone, mirtazapine or gabapentin started, or its dose changed, within the 30 days before baseline (a stable "
     "dose for at least 30 days is allowed).", ["trazodone", "mirtazapine", "gabapentin"]),
])
def test_a_recent_start_with_examples_or_a_stable_dose_allowed(text, targets):
    """holdout21 NCT04035889: the dots of 'e.g.' ended no clause, and a parenthesis that allows a stable dose says what
    the any-of says already (both had sent the criterion to a person)."""
    rule = [r for r in compile_text(text, "exclusion", "X1") if r.kind == "washout"][0]
    assert (rule.polarity, rule.started, rule.window.within.value) == ("exclude", True, 30)
    assert set(targets) <= set(rule.drugs + rule.classes)


def test_a_parenthesised_permission_frees_only_what_it_names():
    """holdout21 NCT03594487, holdout18 NCT02220933: '(topical antibiotics are allowed)' had freed the whole sentence,
    so the systemic antibiotics before it went to a person."""
    found = compile_text("Use of systemic antibiotics within the 3 months before screening (topical antibiotics are "
                         "allowed).", "exclusion", "X1")
    assert [(r.kind, r.classes, r.window.within.value) for r in found if r.kind == "washout"] == [
        ("washout", ["antibiotic"], 3.0)]


@pytest.mark.parametrize("text", [
    "Start or change of disease-modifying therapy within the 3 months before baseline (current treatment with any "
    "approved DMT, including natalizumab or an anti-CD20 antibody, is permitted).",
    "A switch of first-line disease-modifying therapy in the previous 2 years because of disease activity (a switch "
    "because of side effects or for convenience is allowed).",
])
def test_a_change_of_treatment_stays_no_exposure_beside_a_permission(text):
    """A change in a window goes to a person (README); neither the permitted treatment in the parenthesis nor the 'use
    of' inside 'because of' is an exposure."""
    assert [r.kind for r in compile_text(text, "exclusion", "X1")] == ["manual_review"]


def test_if_the_patient_takes_a_class_by_its_examples_is_conditional():
    """holdout20 NCT00959218: 'If the patient takes ...' (not 'is taking') is the conditional lead."""
    group = compile_text("If the patient takes medication for neuropathic pain (e.g. gabapentin, pregabalin), the dose "
                         "must have been stable for at least 4 weeks before baseline.", "inclusion", "X1")[0]
    assert group.kind == "group" and group.mode == "any"
    assert sorted((r.polarity, r.drugs) for r in group.rules) == [("exclude", ["gabapentin", "pregabalin"]),
                                                                  ("require", ["gabapentin", "pregabalin"])]


@pytest.mark.parametrize("text, qualifier", [
    ("Botulinum toxin injections into the muscles of the affected leg in the previous 3 months.",
     "into the muscles of the affected leg"),
    ("Botulinum toxin injections in the lower limbs in the 3 months preceding the enrolment", "in the lower limbs"),
    ("Botulinum toxin injection into the cricopharyngeal muscle within 6 months before enrolment.",
     "into the cricopharyngeal muscle"),
    ("Botulinum toxin injections for spasticity within the 12 weeks before screening", "for spasticity"),
    ("Previous treatment with botulinum toxin of any serotype for a urological condition at any time",
     "for a urological condition"),
    ("No previous treatment with corticosteroids for optic neuritis or for multiple sclerosis",
     "for optic neuritis or for multiple sclerosis"),
    ("Intrathecal baclofen pump.", "Intrathecal"),
    ("Any previous immunomodulatory or immunosuppressive treatment, including corticosteroids given as maintenance "
     "therapy", "given as maintenance therapy"),
])
def test_where_and_what_for_a_drug_was_given_is_its_qualifier(text, qualifier):
    """README (session 19): the injection site, the route and what a drug was given for are qualifiers the record
    cannot show (holdout17-22: botulinum toxin into the limbs, intrathecal baclofen; the lexicon's conditions name the
    indication)."""
    assert qualifier in {r.qualifier for r in compile_text(text, "exclusion", "X1") if r.kind in ("washout", "prior_drug")}


@pytest.mark.parametrize("text, qualified", [
    ("Prior treatment with natalizumab for MS", False),  # what a DMT is for
    ("Previous immunomodulatory or immunosuppressive treatment for MS other than interferon beta-1a", True),
    ("Males on sex hormone treatment including androgens, estrogens, or anti-estrogens for hypogonadism or other "
     "medical condition during the 12 months before enrollment", False),  # any indication
    ("Treatment with fingolimod for at least 6 months", False),  # a duration
])
def test_an_indication_narrows_only_when_it_excludes_some_uses(text, qualified):
    found = [r for r in compile_text(text, "exclusion", "X1") if r.kind in ("washout", "prior_drug")]
    assert any(r.qualifier for r in found) is qualified


def test_an_implanted_pump_is_current_use_and_a_plan_goes_to_a_person():
    (rule,) = [r for r in compile_text("Intrathecal baclofen therapy (implanted pump)", "exclusion", "X1")
               if r.kind == "prior_drug"]
    assert rule.current
    found = compile_text("Botulinum toxin injections into the leg muscles within 3 months before screening, or planned "
                         "during the study.", "exclusion", "X1")
    assert "planned" in [r for r in found if r.kind == "manual_review"][0].why


# Twenty-third hold-out round (tests/holdout23), each fix checked on other phrasings


@pytest.mark.parametrize("text, low, high", [
    ("Being 18 years old or older and being 60 years old or younger.", 18, 60),
    ("18 years of age or older and 65 years of age or younger", 18, 65),
])
def test_two_one_sided_ages_joined_by_and_are_one_range(text, low, high):
    """holdout23 NCT05218317: the upper bound after 'and' had been dropped."""
    rule = one(text, "age", "inclusion")
    assert (rule["years"]["low"], rule["years"]["high"]) == (low, high)


@pytest.mark.parametrize("text, later", [
    ("Autoimmune disease other than MS, or HIV infection", ["hiv"]),
    ("Any malignancy other than basal cell carcinoma, or squamous cell carcinoma of the skin", []),
])
def test_an_item_after_other_than_ms_is_no_exception(text, later):
    """holdout23 NCT05199571: 'other than MS, or a congenital or acquired immunodeficiency' had excepted the
    immunodeficiency, and 'other than MS, or HIV infection' let HIV in; an exception that is not MS still runs on."""
    found = rules(text, "exclusion", "condition")
    assert [r["conditions"] for r in found if not r.get("exceptions")] == ([later] if later else [])


def test_the_drugs_before_an_allergy_clause_are_exposures():
    """holdout23 NCT05730738: 'Previous treatment with dalfampridine ..., or known hypersensitivity to 4-aminopyridine'
    had sent the whole criterion to a person; the allergy still goes to one."""
    found = compile_text("Treatment with fingolimod within 6 months, or contraindication to fingolimod", "exclusion", "X1")
    assert [(r.kind, r.drugs) for r in found if r.kind != "manual_review"] == [("washout", ["fingolimod"])]
    assert "contraindication" in [r for r in found if r.kind == "manual_review"][0].why
    assert [r.kind for r in compile_text("Previous non-response to an adequate trial of citalopram or escitalopram, or "
                                         "intolerance of either drug.", "exclusion", "X1")] == ["manual_review"]


@pytest.mark.parametrize("text, test", [
    ("Creatinine clearance of 50 mL/min or less (Cockcroft-Gault) or serum creatinine above the upper normal limit.",
     {("creatinine_clearance", "mL/min"), ("creatinine", "xULN")}),
    ("Serum creatinine above 1.5 × ULN, or a urine protein/creatinine ratio above 0.5 g/g", {("creatinine", "xULN")}),
    ("Urine albumin-to-creatinine ratio above 30 mg/g", set()),
])
def test_a_method_gloss_and_a_ratio_are_no_labs_of_their_own(text, test):
    """holdout23 NCT05730738, NCT02255656: '(Cockcroft-Gault)' shared the next lab's bound, and a protein/creatinine
    ratio was read as creatinine in g/g."""
    assert {(r["test"], r["unit"]) for r in rules(text, "exclusion", "lab")} == test


def test_a_window_of_the_clause_before_is_not_the_drugs():
    """holdout23 NCT03521557: 'No MS relapse in the 8 weeks ..., and no change in DMT during the 3 months' had given
    the DMT the relapse's 8 weeks."""
    found = compile_text("No MS relapse in the 8 weeks before enrollment, and no change in disease-modifying therapy "
                         "during the 3 months before enrollment.", "inclusion", "X1")
    group = [r for r in found if r.kind == "group"][0]
    assert sorted((r.polarity, r.min_duration and r.min_duration.value) for r in group.rules) == [
        ("exclude", None), ("require", 3.0)]


def test_either_untreated_or_on_the_same_therapy_and_the_pet_scan_anchor():
    group = compile_text("Either untreated, or on the same disease-modifying therapy for at least 3 months before the "
                         "PET scan.", "inclusion", "X1")
    assert [r.kind for r in group] == ["group"]
    (washout,) = compile_text("Use of a monoamine oxidase inhibitor within the 2 weeks before the PET scan.", "exclusion",
                              "X1")
    assert washout.window.anchor == "baseline"


def test_a_parenthesis_of_examples_does_not_part_a_relapse_from_its_window():
    """holdout23 NCT05865405: the examples between 'MS relapse, or a course of high-dose corticosteroids' and 'within
    the 30 days' had put the window out of the relapse's reach."""
    found = compile_text("MS relapse, or a course of high-dose corticosteroids (e.g., intravenous methylprednisolone or "
                         "oral prednisone of 500 mg per day or more), within the 30 days before enrollment.", "exclusion",
                         "X1")
    assert [r.window.within.value for r in found if r.kind == "relapse_activity"] == [30.0]


def test_a_condition_a_drug_caused_is_no_exposure_to_it():
    found = compile_text("History of hemorrhagic cystitis after cyclophosphamide", "exclusion", "X1")
    assert [r.kind for r in found] == ["condition"]


def test_a_prognosis_is_no_window_and_a_study_topic_no_condition():
    """holdout23 NCT05865405: 'a life expectancy of less than 12 months' had dated the terminal illness, and 'another
    interventional study for depression or fatigue' had excluded depression and fatigue."""
    (group,) = compile_text("Terminal illness with a life expectancy of less than 12 months.", "exclusion", "X1")
    assert group.kind == "group" and not any(getattr(r, "window", None) for r in group.rules)
    assert [r.kind for r in compile_text("Current participation in another interventional study for depression or "
                                         "fatigue.", "exclusion", "X1")] == ["investigational"]


def test_either_naive_or_treated_patients_are_eligible_states_no_rule():
    found = compile_text("Both treatment-naive patients and patients switching from another disease-modifying therapy "
                         "are eligible.", "inclusion", "X1")
    assert [r.kind for r in found] == ["manual_review"]


def _leaves(rules):
    for rule in rules:
        if rule.kind == "group":
            yield from _leaves(rule.rules)
        else:
            yield rule


@pytest.mark.parametrize("heading, rows, expected", [
    ("Inclusion Criteria:\n- Patients switching from another disease-modifying therapy must respect the following "
     "minimum intervals between the last dose of that therapy and the first dose of teriflunomide:",
     ["interferon beta or glatiramer acetate: no interval required", "fingolimod: at least 6 weeks",
      "natalizumab: at least 12 weeks"],
     {(("fingolimod",), 6.0, "first_dose"), (("natalizumab",), 12.0, "first_dose")}),
    ("Exclusion Criteria:\n- Prohibited treatments, with the minimum time between the last dose and Day 1:",
     ["azathioprine or methotrexate: at least 6 months", "fingolimod: at least 8 weeks"],
     {(("azathioprine", "methotrexate"), 6.0, "baseline"), (("fingolimod",), 8.0, "baseline")}),
])
def test_a_table_of_minimum_intervals_since_the_last_dose_is_washouts(heading, rows, expected):
    """holdout23 NCT01895335, NCT00559702: the rows 'X: at least N weeks' had been read as required use of X for N
    weeks (or as use ever), and the patients switching as required to be on a DMT."""
    ruleset = _ruleset_of(heading + "\n" + "\n".join(f"  - {row}" for row in rows))
    leaves = [r for c in ruleset.criteria for r in _leaves(c.rules)]
    assert {(tuple(r.drugs), r.window.within.value, r.window.anchor) for r in leaves} == expected
    assert {r.kind for r in leaves} == {"washout"} and {r.polarity for r in leaves} == {"exclude"}


@pytest.mark.parametrize("text, pair", [
    ("Diabetes mellitus with peripheral neuropathy.", ["diabetes_mellitus", "polyneuropathy"]),
    ("Major depression with suicidal ideation at screening, or a previous suicide attempt", ["depression",
                                                                                             "suicidal_ideation"]),
])
def test_a_condition_with_another_excludes_only_with_it(text, pair):
    """holdout23 NCT03521557, NCT00151801 (README: an excluded all-of, as a condition with a lab value): the first
    alone had excluded every diabetic or depressed patient."""
    group = [r for r in compile_text(text, "exclusion", "X1") if r.kind == "group"][0]
    assert (group.mode, group.polarity) == ("all", "exclude")
    assert [r.conditions for r in group.rules] == [[c] for c in pair]


def test_an_infection_with_a_named_virus_is_that_infection():
    found = compile_text("Known chronic infection with hepatitis B virus", "exclusion", "X1")
    assert [r.kind for r in found] == ["condition"]


def test_a_semicolon_ends_the_window_and_the_exception_before_it():
    """holdout23 NCT01166178: '...; multiple myeloma at any time' had been folded into the malignancy within 5 years
    (and so into its exceptions' reach)."""
    found = compile_text("Malignancy within the past 5 years, other than adequately treated basal cell carcinoma of the "
                         "skin; multiple myeloma at any time.", "exclusion", "X1")
    assert [(r.conditions, r.window is None) for r in found] == [(["malignancy"], False), (["multiple_myeloma"], True)]


@pytest.mark.parametrize("text, condition", [
    ("Neoplastic pathologies in the last 5 years, with the exception of basal cell carcinoma of the skin.",
     "malignancy"),
    ("Pathologies of the immune system other than multiple sclerosis, chronic or active.", "immune_system_disease"),
])
def test_translated_pathologies_are_the_lexicon_conditions(text, condition):
    assert [r["conditions"] for r in rules(text, "exclusion", "condition")] == [[condition]]


# Twenty-fourth hold-out round (tests/holdout24)


@pytest.mark.parametrize("text, window", [("Non-smoker since at least 12 months.", 12.0), ("Non-smoker", None)])
def test_a_non_smoker_is_no_smoker(text, window):
    """holdout24 NCT06370403: the 'smoker' inside 'Non-smoker' had been required (a polarity error)."""
    (rule,) = rules(text, "inclusion", "condition")
    assert (rule["conditions"], rule["polarity"]) == (["tobacco_use"], "exclude")
    assert (rule.get("window") or {}).get("within", {}).get("value") == window


@pytest.mark.parametrize("text", [
    "Receipt of a live vaccine within 6 weeks before Day 0",
    "Treatment with corticosteroids within 4 weeks prior to the first MRI.",
    "Acute infection in the 2 weeks before the first experimental session.",
])
def test_the_studys_first_visit_anchors_at_baseline(text):
    found = [r for r in compile_text(text, "exclusion", "X1") if getattr(r, "window", None)]
    assert [r.window.anchor for r in found] == ["baseline"]


def test_a_word_that_only_says_how_sure_is_no_item_beside_an_unread_one():
    """holdout24 NCT06370403-like: 'Fever or known epilepsy' had dropped the fever with the 'known' of the epilepsy
    (two unread words that were no item side by side)."""
    found = compile_text("Fever or known epilepsy", "exclusion", "X1")
    assert "Fever" in [r for r in found if r.kind == "manual_review"][0].why


def test_treated_for_at_least_the_months_before_is_current_use_that_long():
    """holdout24 NCT00097760 (and holdout11 NCT00030966, holdout15 NCT01405820): 'for at least the 12 months before
    randomization' had been read as a use within 12 months, not as 12 months of use up to randomization."""
    (rule,) = compile_text("Treatment with glatiramer acetate 20 mg daily for at least the 12 months before "
                           "randomization, with the intention of continuing it during the study.", "inclusion", "X1")
    assert (rule.kind, rule.current, rule.min_duration.value) == ("prior_drug", True, 12.0)


def test_more_than_days_continuously_is_a_chronic_use():
    (rule,) = compile_text("Chronic therapy with corticosteroids (more than 30 days continuously) in the 6 months "
                           "before the inclusion.", "exclusion", "X1")
    assert (rule.kind, rule.min_duration.value, rule.window.within.value) == ("washout", 30.0, 6.0)


def test_naive_to_a_class_and_a_candidate_to_start_a_drug():
    """holdout24 NCT00270816: 'naive to any DMT, who are candidates to start interferon beta-1b' had gone to a person
    (the start read as a change); the drug to start is the plan, no exposure. With an alternative ('or treated with it
    for less than 3 months') it is the any-of read elsewhere."""
    found = compile_text("Patients naive to any disease-modifying treatment, who are candidates to start interferon "
                         "beta-1b.", "inclusion", "X1")
    assert [(r.kind, r.polarity, r.classes, r.drugs) for r in found] == [("prior_drug", "exclude", ["dmt"], [])]
    found = compile_text("Patients must be naive to teriflunomide, or must have been treated with it for less than 3 "
                         "months in total.", "inclusion", "X1")
    assert [(r.kind, r.polarity, r.drugs, r.min_duration.value) for r in found] == [
        ("prior_drug", "exclude", ["teriflunomide"], 3.0)]  # (3 months or more excluded; none ever is not)


def test_a_stable_course_over_the_past_months_or_none_during_that_period():
    """holdout24 NCT03949387: the stability over a window, with an untreated arm 'during that period', is the any-of
    of README session 23 (it had gone to a person)."""
    found = compile_text("Stable course of disease-modifying therapy over the past 6 months (no start, stop or switch), "
                         "or no disease-modifying therapy during that period.", "inclusion", "X1")
    group = [r for r in found if r.kind == "group"][0]
    assert sorted((r.kind, r.polarity) for r in group.rules) == [("prior_drug", "require"), ("washout", "exclude")]


# ---------------------------------------------------------------------------------------------------------------
# Twenty-fifth hold-out round (tests/holdout25)


def test_a_joined_category_heading_heads_criteria_of_their_own():
    """holdout25 NCT05834855: 'Prior or concomitant therapy:' (two words joined before a category noun) had made the
    seven numbered items under it the children of one criterion; 'Cardiac or pulmonary disease:' still leads in."""
    text = ("Exclusion Criteria:\n\nMedical conditions:\n\n1. Active infection.\n2. Malignancy.\n\n"
            "Prior or concomitant therapy:\n\n1. Natalizumab in the 8 weeks before the first infusion.\n"
            "2. A live vaccine in the 6 weeks before the first infusion.\n")
    assert [c.text for c in segment(text)] == ["Active infection.", "Malignancy.",
                                               "Natalizumab in the 8 weeks before the first infusion.",
                                               "A live vaccine in the 6 weeks before the first infusion."]
    text = "Exclusion Criteria:\n\n- Stroke.\n\nCardiac or pulmonary disease:\n\n- asthma\n- heart failure\n"
    assert [len(c.children) for c in segment(text)] == [0, 2]


def test_a_sub_study_heading_or_lead_sends_its_criteria_to_a_person():
    """holdout25 NCT00062972 ('Glucose study only:') and holdout12 NCT03679468 ('For participants taking part in the
    MRI sub-study:'): what excludes from an optional part of the study had excluded from the trial."""
    text = ("Exclusion Criteria:\n\n  * Stroke.\n\nGlucose study only:\n\n  * Diabetes mellitus of either type, or a "
            "fasting blood glucose of 126 mg/dL or higher at screening\n")
    trial = compile_trial(Trial(id="X", source="test", source_format="text", criteria_text=text))
    kinds = [[r.kind for r in c.rules] for c in trial.criteria]
    assert kinds == [["condition"], ["manual_review"]]
    assert "part of the study" in trial.criteria[1].rules[0].why
    (rule,) = compile_text("For participants taking part in the MRI sub-study: a cardiac pacemaker or other metallic "
                           "implant, or claustrophobia.", "exclusion", "X1")
    assert rule.kind == "manual_review"


def test_a_relation_set_off_after_a_pair_is_both_terms():
    """holdout25 NCT00062972: ', known to affect cognitive function' after 'a neurological disorder other than MS, or
    a major medical illness' is both terms' (the first had been stated); their examples are stated."""
    found = compile_text("History of a neurological disorder other than MS, or of a major medical illness, known to "
                         "affect cognitive function (for example stroke, head injury with loss of consciousness, "
                         "epilepsy or dementia)", "exclusion", "X1")
    (rule,) = [r for r in found if r.kind == "condition"]
    assert (rule.conditions, rule.timing) == (["stroke", "epilepsy", "dementia"], "any")


@pytest.mark.parametrize("text", ["at least 1 gadolinium-enhancing T1 lesion on either of the two screening MRI scans",
                                  "More than 15 gadolinium-enhancing lesions on the first screening MRI"])
def test_lesions_on_one_of_the_screening_scans(text):
    """holdout25 NCT00207727, NCT00382629: 'on either of the two screening MRI scans', 'on the first screening MRI':
    the scans at screening (the window had been left open: any lesion ever)."""
    (rule,) = [r for r in compile_text(text, "inclusion", "X1") if r.kind == "mri_activity"]
    assert (rule.window.within.value, rule.window.anchor) == (0, "screening")


def test_tb_screening_items():
    """holdout25 NCT00207727: the items of a tuberculosis screening lead-in. The lead-in had required tuberculosis
    (its topic); a positive skin test 'with active TB ruled out' had required it too; a test's or a radiograph's time
    had become the disease's window; a physician 'specializing in TB' had been read as the patient's; 'latent TB for
    which a full course of prophylaxis was completed' is a treatment proviso, no exception (README)."""
    assert [r.kind for r in compile_text("Are considered eligible according to the following tuberculosis (TB) "
                                         "screening criteria:", "inclusion", "X1")] == ["manual_review"]
    found = compile_text("Have no history of latent or active TB before screening, except latent TB for which a full "
                         "course of prophylaxis was completed and documented before the first administration of study "
                         "agent.", "inclusion", "X1")
    assert [(r.conditions, r.exceptions, r.timing, r.polarity) for r in found if r.kind == "condition"] == [
        (["tuberculosis"], [], "any", "exclude")]
    assert any(r.kind == "manual_review" for r in found)
    for text in ["Have a negative tuberculin skin test (PPD) within 1 month before the first administration of study "
                 "agent, or a newly identified positive PPD with active TB ruled out and appropriate prophylaxis "
                 "started before the first administration.",
                 "Have a chest radiograph (posterior-anterior view) taken within 3 months before the first "
                 "administration of study agent, read by a qualified radiologist, with no evidence of current active "
                 "TB or old inactive TB."]:
        (rule,) = [r for r in compile_text(text, "inclusion", "X1") if r.kind == "condition"]
        assert (rule.polarity, rule.window) == ("exclude", None)
    found = compile_text("Have had no recent close contact with a person with active TB or, if there has been such "
                         "contact, have been referred to a physician specializing in TB and have received appropriate "
                         "prophylaxis.", "inclusion", "X1")
    assert [r.kind for r in found] == ["manual_review"]


def test_a_depleting_class_narrows_the_class_after_it():
    """holdout25 NCT00207727: 'a lymphocyte-depleting monoclonal antibody (e.g., alemtuzumab or anti-CD4 antibodies)'
    had excluded every monoclonal antibody (natalizumab too); the examples are what it names."""
    (rule,) = compile_text("Have ever received cladribine or a lymphocyte-depleting monoclonal antibody (e.g., "
                           "alemtuzumab [Campath-1H] or anti-CD4 antibodies).", "exclusion", "X1")
    assert (rule.drugs, rule.classes) == (["cladribine", "alemtuzumab"], ["anti_cd4"])
    (rule,) = compile_text("Have ever received a B-cell depleting monoclonal antibody (e.g., rituximab).", "exclusion",
                           "X1")
    assert "monoclonal_antibody" not in rule.classes and "b_cell_depleting" in rule.classes


def test_live_virus_or_bacterial_vaccination():
    """holdout25 NCT00207727: 'any live virus or bacterial vaccination within 3 months' had been no vaccine rule."""
    found = compile_text("Have received, or are expected to receive, any live virus or bacterial vaccination within 3 "
                         "months before the first administration of study agent, or BCG vaccination within 12 months "
                         "before screening.", "exclusion", "X1")
    (rule,) = [r for r in found if r.kind == "live_vaccine"]
    assert (rule.window.within.value, rule.window.anchor) == (3.0, "first_dose")
    assert "BCG" in [r for r in found if r.kind == "manual_review"][0].why


def test_an_example_broader_than_its_general_term_is_a_kind_of_it():
    """holdout25 NCT00207727: 'chronic or recurrent infectious disease, including ... chronic renal infection' had
    excluded every infection (the example's lexicon term, 'infection', is broader than the general ones)."""
    found = compile_text("Have a history of, or ongoing, chronic or recurrent infectious disease, including but not "
                         "limited to chronic renal infection, chronic chest infection (e.g., bronchiectasis), recurrent "
                         "urinary tract infection, or an open, draining or infected skin wound.", "exclusion", "X1")
    (rule,) = [r for r in found if r.kind == "condition"]
    assert rule.conditions == ["chronic_infection", "recurrent_infection", "bronchiectasis"]


def test_a_treatment_in_a_clause_of_its_own_after_an_infection():
    """holdout25 NCT00207727: 'hospitalized for an infection, or have been treated with intravenous antibiotics for an
    infection, within 2 months' is a use of antibiotics (it had been read as what the infection needed)."""
    found = compile_text("Have had a serious infection (e.g., hepatitis, pneumonia, or pyelonephritis), have been "
                         "hospitalized for an infection, or have been treated with intravenous antibiotics for an "
                         "infection, within 2 months before the first administration of study agent.", "exclusion", "X1")
    (rule,) = [r for r in found if r.kind == "washout"]
    assert (rule.classes, rule.window.within.value) == (["antibiotic"], 2.0)
    (rule,) = compile_text("Serious infection requiring hospitalization or treatment with intravenous antibiotics.",
                           "exclusion", "X1")
    assert rule.kind == "manual_review"


def test_a_window_after_the_examples_of_a_general_term_is_its_own():
    """holdout25 NCT00207727: 'an opportunistic infection (e.g., cytomegalovirus, aspergillosis) within 6 months' had
    lost its window (the examples' parenthesis stood between)."""
    found = compile_text("Have had an opportunistic infection (e.g., cytomegalovirus, Pneumocystis carinii, "
                         "aspergillosis, or histoplasmosis) within 6 months before screening, or herpes zoster within 2 "
                         "months before screening.", "exclusion", "X1")
    assert [(r.conditions, r.window.within.value) for r in found if r.kind == "condition"] == [
        (["opportunistic_infection"], 6.0), (["herpes_zoster"], 2.0)]


def test_a_negative_test_excludes_what_it_indicates():
    """holdout25 NCT00382629: 'Negative HIV antibody test at screening' (an inclusion) had gone to a person."""
    (rule,) = compile_text("Negative HIV antibody test at screening", "inclusion", "X1")
    assert (rule.kind, rule.conditions, rule.polarity) == ("condition", ["hiv"], "exclude")


def test_a_duration_in_the_examples_of_a_class_is_theirs():
    """holdout25 NCT00382629: '(for example intravenous methylprednisolone 500 mg/day or more for at least 3 days)' had
    made the high-dose corticosteroid washout a chronic use of 3 days."""
    (rule,) = compile_text("High-dose corticosteroids (for example intravenous methylprednisolone 500 mg/day or more for "
                           "at least 3 days) within 50 days before screening", "exclusion", "X1")
    assert (rule.kind, rule.classes, rule.min_duration, rule.window.within.value) == (
        "washout", ["systemic_corticosteroid"], None, 50.0)


def test_antispastic_medication_unchanged_if_any():
    """holdout25 NCT00552604: 'Antispastic medication (if any) ... unchanged since at least 30 days' (the lexicon had
    'antispastic drugs' only)."""
    (group,) = [r for r in compile_text("Antispastic medication (if any) and physiotherapy unchanged since at least 30 "
                                        "days before enrolment", "inclusion", "X1") if r.kind == "group"]
    assert group.mode == "any" and [r.classes for r in group.rules] == [["antispasticity"], ["antispasticity"]]


def test_a_relation_after_two_coordinated_classes_is_both():
    """holdout25 NCT00552604: 'immunomodulating or immunosuppressive drugs which may influence spasticity (such as ...)'
    had stated the first class (the relation stood after the second)."""
    found = compile_text("Current treatment, or treatment during the last 30 days, with immunomodulating or "
                         "immunosuppressive drugs which may influence spasticity (such as corticosteroids or "
                         "beta-interferons); azathioprine is allowed", "exclusion", "X1")
    (rule,) = [r for r in found if r.kind == "washout"]
    assert rule.classes == ["corticosteroid", "interferon_beta"]


def test_the_regular_plural_of_a_condition_term():
    """holdout25 NCT00552604: 'Open or infected pressure sores' (the lexicon lists 'pressure sore'); a place narrower
    than the condition ('in the areas of contact with the orthosis') is a person's (holdout20, holdout24)."""
    (rule,) = [r for r in compile_text("Open or infected pressure sores, or any other source of chronic infection",
                                       "exclusion", "X1") if r.kind == "condition"]
    assert rule.conditions == ["decubitus_ulcer", "chronic_infection"]
    found = compile_text("Skin lesions or pressure sores in the areas of contact with the orthosis or the harness",
                         "exclusion", "X1")
    assert [r.kind for r in found] == ["manual_review"]


def test_a_heading_term_is_no_condition_even_where_an_item_restates_it():
    """holdout13 NCT01199861: 'Patients with any of the following hepatic conditions: a known history of alcohol abuse
    or chronic liver disease; ...' (a heading of seven words)."""
    found = compile_text("Patients with any of the following hepatic conditions: a known history of alcohol abuse or "
                         "chronic liver disease; AST or ALT greater than 2 x ULN", "exclusion", "X1")
    assert [(r.conditions, r.timing) for r in found if r.kind == "condition"] == [
        (["alcohol_abuse", "liver_disease"], "any")]


def test_a_window_on_an_event_does_not_cover_a_lasting_condition_under_it():
    """holdout25 NCT00552604: 'Epilepsy, or any seizure during the last 12 months' had dropped the epilepsy (a seizure
    within 12 months was taken to cover it); 'Current alcohol abuse, or alcohol abuse within 2 years' stays one rule."""
    found = compile_text("Epilepsy, or any seizure during the last 12 months", "exclusion", "X1")
    assert [(r.conditions, r.window is None) for r in found] == [(["epilepsy"], True), (["seizure"], False)]
    (rule,) = compile_text("Current alcohol abuse, or alcohol abuse within 2 years", "exclusion", "X1")
    assert rule.window.within.value == 2.0


def test_a_positive_test_defined_by_its_reading_and_a_treatment_proviso():
    """holdout25 NCT01116427: '(5 mm or more of induration)' defines a positive skin test (it had become a bound on
    the IGRA); 'unless ... documented completion of treatment for latent TB' is a proviso of treatment (README): the
    condition stays, a person reads the proviso."""
    found = compile_text("A positive tuberculin skin test (5 mm or more of induration) or QuantiFERON-TB Gold test at "
                         "screening, unless the participant has documented completion of treatment for latent TB and a "
                         "chest X-ray showing no active disease.", "exclusion", "X1")
    assert [(r.kind, getattr(r, "conditions", None)) for r in found] == [
        ("condition", ["tuberculosis"]), ("manual_review", None)]
    (group, *_) = compile_text("Teriflunomide within 3.5 months, unless an accelerated elimination procedure was "
                               "completed", "exclusion", "X1")
    assert group.kind == "group"  # (a procedure: the excluded all-of stays)


def test_values_outside_the_following_limits():
    """holdout25 NCT01116427: 'Laboratory values outside any of the following limits: white blood cells 3,000/µL or
    more; ...' had excluded the limits themselves (a normal count excluded the patient)."""
    found = compile_text("Laboratory values at screening outside any of the following limits: white blood cells "
                         "3,000/µL or more; ALT and AST no more than 2.5 × ULN.", "exclusion", "X1")
    assert [(r.test, r.comparator, r.value) for r in found] == [
        ("white_blood_cells", "<", 3000.0), ("alt", ">", 2.5), ("ast", ">", 2.5)]


def test_a_window_in_a_relative_clause_of_the_next_item():
    """holdout25 NCT01116427: 'COPD, or asthma that required hospitalization in the past 2 years': the window is the
    asthma's relation, not the COPD's; 'that occurred within' still closes the run."""
    (rule, _) = compile_text("Chronic obstructive pulmonary disease, or asthma that required hospitalization in the "
                             "past 2 years.", "exclusion", "X1")
    assert (rule.conditions, rule.window) == (["copd"], None)
    (rule,) = compile_text("Myocardial infarction, or stroke that occurred within the past 6 months.", "exclusion", "X1")
    assert rule.window.within.value == 6.0


def test_because_of_names_the_reasons():
    """holdout25 NCT01116427 (README session 25): 'Inability to undergo MRI because of claustrophobia, metal in the
    body, or ...' is a closed list of reasons; 'for example because of' gives examples."""
    found = compile_text("Inability to undergo monthly MRI with gadolinium because of claustrophobia, metal in the body, "
                         "or a creatinine clearance below 60 mL/min.", "exclusion", "X1")
    assert [r.conditions for r in found if r.kind == "condition"] == [["claustrophobia", "metallic_implant"]]
    found = compile_text("Inability to undergo MRI scans (for example because of a cardiac pacemaker or claustrophobia)",
                         "exclusion", "X1")
    assert [r.conditions for r in found if r.kind == "condition"] == [["mri_contraindication"]]


@pytest.mark.parametrize("text", [
    "ACTH or corticosteroids, whether prescription or over-the-counter, by any systemic route, within 60 days before "
    "screening (topical and inhaled steroids are allowed).",
    "Corticosteroids by any route other than topical or inhaled within the past 30 days."])
def test_corticosteroids_by_any_systemic_route(text):
    """holdout25 NCT01684761, NCT02253264: the route said after the class makes it systemic."""
    (rule, *_) = compile_text(text, "exclusion", "X1")
    assert rule.classes == ["systemic_corticosteroid"]


def test_an_investigational_drug_for_ms_beside_any_other():
    """holdout25 NCT01684761: 'An investigational drug for MS within 1 year ..., or any other investigational drug
    within 30 days or 5 half-lives': the rule is any drug's; the longer window for MS drugs a person's (one rule of 1
    year had excluded a non-MS drug 2 months ago)."""
    (rule, review) = compile_text("An investigational drug for MS within 1 year before screening, or any other "
                                  "investigational drug within 30 days or 5 half-lives before screening, whichever is "
                                  "longer.", "exclusion", "X1")
    assert (rule.window.within.value, rule.window.half_lives) == (30.0, 5)
    assert "1 year" in review.why


def test_a_diagnosis_beside_a_symptom_in_another_clause():
    """holdout25 NCT01743651: '..., and spasticity attributable to MS' had withheld the McDonald diagnosis (the
    symptom guard read the whole criterion); 'Diagnosis of MS-related fatigue' still is no MS diagnosis."""
    found = compile_text("Established diagnosis of multiple sclerosis according to the McDonald criteria (Polman 2005 "
                         "revision), with a relapsing-remitting or secondary progressive course, and spasticity "
                         "attributable to MS that has been present for at least 6 months", "inclusion", "X1")
    assert [r.criteria_version for r in found if r.kind == "ms_diagnosis"] == ["McDonald 2005"]
    assert [r.kind for r in compile_text("Diagnosis of MS-related fatigue", "inclusion", "X1")] == ["condition"]


def test_counts_per_microliter_and_beyond_the_normal_range():
    """holdout25 NCT03315923 (translated): 'less than 3000 per microliter' had kept the unit 'per'; 'Serum IgG level
    lower than the normal range' had gone to a person."""
    found = compile_text("White blood cell count less than 3000 per microliter or lymphocyte count less than 800 per "
                         "microliter.", "exclusion", "X1")
    assert [(r.test, r.unit) for r in found] == [("white_blood_cells", "/µL"), ("lymphocytes", "/µL")]
    (rule,) = compile_text("Serum IgG level lower than the normal range.", "exclusion", "X1")
    assert (rule.test, rule.comparator, rule.value, rule.unit) == ("igg", "<", 1.0, "xLLN")


def test_active_spms_and_its_negation():
    """holdout25 NCT03315923: 'active secondary progressive multiple sclerosis' is SPMS with activity; 'non-active
    secondary progressive MS' is not (holdout9 NCT05119569, holdout10 NCT04377555)."""
    found = compile_text("Definite diagnosis of active secondary progressive multiple sclerosis based on the McDonald "
                         "2010 criteria.", "inclusion", "X1")
    assert [(r.subtypes, r.active_only) for r in found if r.kind == "ms_subtype"] == [(["SPMS"], True)]
    found = compile_text("A diagnosis of primary progressive MS, or of non-active secondary progressive MS",
                         "exclusion", "X1")
    assert not any(r.kind == "ms_subtype" and r.active_only for r in found)


def test_before_entering_the_study_is_enrollment():
    (rule,) = compile_text("Having an attack in the 30 days before entering the study.", "exclusion", "X1")
    assert (rule.window.within.value, rule.window.anchor) == (30.0, "enrollment")


def test_other_types_of_ms_including_and_the_inactive_form():
    """holdout25 NCT03315923: 'other types of MS, including RRMS and PPMS, or the inactive form of SPMS' had excluded
    SPMS (the trial's own population) and lost RRMS (read as what widens the diagnosis)."""
    found = compile_text("Diagnosis of other types of MS, including relapsing-remitting MS and primary progressive MS, "
                         "or the inactive form of secondary progressive MS.", "exclusion", "X1")
    assert [r.subtypes for r in found if r.kind == "ms_subtype"] == [["RRMS", "PPMS"]]
    assert any(r.kind == "manual_review" for r in found)


def test_a_pregnancy_prevention_method_is_contraception():
    """holdout25 NCT03315923: 'should use a reliable pregnancy prevention method' had required pregnancy."""
    found = compile_text("Women in reproductive age should use a reliable pregnancy prevention method during the study "
                         "and until 12 months after the last rituximab infusion.", "inclusion", "X1")
    assert [(r.kind, r.polarity) for r in found] == [("contraception", "require")]


def test_any_previous_use_then_a_window_for_the_next_clause():
    """holdout25 NCT03315923: 'Any previous use of rituximab, or using mitoxantrone ... during the last 6 months': ever
    for rituximab, the window for the others; ', or other ... within 4 months' continues one list (gold NCT01487096)."""
    found = compile_text("Any previous use of rituximab, or using mitoxantrone, cyclophosphamide, natalizumab or "
                         "fingolimod during the last 6 months.", "exclusion", "X1")
    assert [(r.kind, r.drugs) for r in found] == [
        ("prior_drug", ["rituximab"]), ("washout", ["mitoxantrone", "cyclophosphamide", "natalizumab", "fingolimod"])]
    found = compile_text("Prior treatment with glatiramer acetate, or other immunomodulatory therapy within 4 months",
                         "exclusion", "X1")
    assert [r.kind for r in found] == ["washout"]


def test_a_cumulative_dose_qualifies_its_own_clause_only():
    """holdout16 NCT00278655: 'Prior mitoxantrone at a cumulative dose above 60 mg/m2, or any mitoxantrone within the
    last 12 months': the dose qualifies the ever rule (read bare, any mitoxantrone ever excluded), not the washout."""
    found = compile_text("Prior mitoxantrone at a cumulative dose above 60 mg/m2, or any mitoxantrone within the last 12 "
                         "months.", "exclusion", "X1")
    assert [(r.kind, r.qualifier) for r in found] == [("prior_drug", "at a cumulative dose above 60 mg/m2"),
                                                      ("washout", None)]


def test_a_condition_caused_by_another_disorder():
    """holdout25 NCT01743651: 'Spasticity or muscle weakness caused mainly by a disorder other than MS, such as ALS, a
    previous stroke, ... or a traumatic spinal cord injury' had excluded spasticity (every patient of a spasticity
    trial); the examples are stated, 'a previous' is the stroke's own. 'Spasticity due to MS' is still spasticity."""
    found = compile_text("Spasticity or muscle weakness caused mainly by a disorder other than MS, such as amyotrophic "
                         "lateral sclerosis, a previous stroke, cervical spondylotic myelopathy or a traumatic spinal "
                         "cord injury", "exclusion", "X1")
    assert [(r.conditions, r.timing) for r in found if r.kind == "condition"] == [
        (["amyotrophic_lateral_sclerosis", "spinal_cord_injury"], "current"), (["stroke"], "any")]
    (rule,) = compile_text("Spasticity due to MS for at least 6 months", "inclusion", "X1")
    assert rule.conditions == ["spasticity"]
    found = compile_text("Unable to undergo MRI (for example due to pacemaker, metal fragments or claustrophobia)",
                         "exclusion", "X1")
    assert [r.conditions for r in found if r.kind == "condition"] == [["mri_contraindication"]]


def test_non_pharmacological_treatments_for_a_condition_are_no_drug_class():
    """holdout25 NCT01743651: 'Non-pharmacological treatments for spasticity (for example physiotherapy ...)' had been
    read as the antispasticity drugs."""
    found = compile_text("Non-pharmacological treatments for spasticity (for example physiotherapy, stretching "
                         "programmes or hydrotherapy) must have been unchanged for at least 30 days before Screening",
                         "inclusion", "X1")
    assert [r.kind for r in found] == ["manual_review"]


def test_a_number_word_restated_in_digits():
    """holdout25 NCT01743651: 'a stable dose for at least three (3) months' had lost the duration; the members in a
    class's parenthesis spell it out (README: the class)."""
    found = compile_text("Subjects on disease-modifying therapy (interferon beta, glatiramer acetate, natalizumab or "
                         "fingolimod) must have received a stable dose for at least three (3) months before Screening",
                         "inclusion", "X1")
    (group,) = [r for r in found if r.kind == "group"]
    assert [(r.classes, r.drugs, r.min_duration and r.min_duration.value) for r in group.rules] == [
        (["dmt"], [], None), (["dmt"], [], 3.0)]


def test_a_grade_is_no_value_and_the_labs_in_parenthesis_define_it():
    """holdout25 NCT05834855: 'lymphopenia of grade 3 or higher' had become lymphocytes >= 3 (a grade read as a count:
    every patient counted per µL was excluded); the conditions the parenthesis defines are its lab bounds."""
    found = compile_text("Neutropenia or lymphopenia of grade 3 or higher (neutrophils below 1.0 × 10^9/L, lymphocytes "
                         "below 0.5 × 10^9/L), platelets below 100 × 10^9/L.", "exclusion", "X1")
    assert [(r.kind, getattr(r, "test", None), getattr(r, "value", None)) for r in found] == [
        ("lab", "neutrophils", 1.0), ("lab", "lymphocytes", 0.5), ("lab", "platelets", 100.0)]


def test_gadolinium_enhanced_scans_are_no_lesions():
    """holdout25 NCT05834855: 'because of the gadolinium-enhanced MRI scans' had excluded Gd-enhancing lesions; a
    'positive Gd-enhancing MRI scan' (holdout NCT02792218) and a 'gadolinium-enhanced lesion' still are."""
    found = compile_text("Severe renal impairment (eGFR below 30 mL/min/1.73 m2), because of the gadolinium-enhanced MRI "
                         "scans.", "exclusion", "X1")
    assert "mri_activity" not in [r.kind for r in found]
    for text in ["At least one gadolinium-enhanced lesion on MRI", "A positive Gd-enhancing MRI scan in the past year"]:
        assert "mri_activity" in [r.kind for r in compile_text(text, "inclusion", "X1")]


def test_outbreaks_are_relapses_but_not_herpes_outbreaks():
    """holdout25 NCT04497025 (translated, Spanish 'brotes'): 'without outbreaks in the last 3 months'."""
    (rule,) = compile_text("Stable phase of the disease, without outbreaks in the last 3 months.", "inclusion", "X1")
    assert (rule.kind, rule.polarity, rule.window.within.value) == ("relapse_activity", "exclude", 3.0)
    assert "relapse_activity" not in [r.kind for r in compile_text("Herpes outbreaks in the last 3 months",
                                                                   "exclusion", "X1")]


def test_an_allergy_or_intolerance_for_a_monoclonal_antibody():
    """holdout25 NCT05834855: 'Known allergy or intolerance for rituximab, ocrelizumab or murine proteins' (the pattern
    read 'allergy to'); an allergy is lifelong however it is worded."""
    found = compile_text("Known allergy or intolerance for rituximab, ocrelizumab or murine proteins, or for "
                         "gadolinium-containing contrast agents.", "exclusion", "X1")
    (rule,) = [r for r in found if r.kind == "condition"]
    assert ("monoclonal_antibody_hypersensitivity" in rule.conditions, rule.timing) == (True, "any")


# ---------------------------------------------------------------------------------------------------------------
# Twenty-sixth hold-out round (tests/holdout26)


def test_a_window_then_at_any_time_for_the_next_clause():
    """holdout26 NCT04667949: 'natalizumab within 6 months before enrollment, or at any time with alemtuzumab, ...':
    the window is natalizumab's, the rest is ever (it had taken the 6 months)."""
    found = compile_text("Treatment with natalizumab within 6 months before enrollment, or at any time with "
                         "alemtuzumab, cladribine, mitoxantrone or cyclophosphamide.", "exclusion", "X1")
    assert [(r.kind, r.drugs) for r in found] == [
        ("washout", ["natalizumab"]), ("prior_drug", ["alemtuzumab", "cladribine", "mitoxantrone", "cyclophosphamide"])]


def test_an_allowance_in_its_own_parenthesis_leaves_the_bounds_outside():
    """holdout26 NCT05054140: '(participants with Gilbert's syndrome may be included if direct bilirubin is within the
    normal range)' had sent every liver bound of the criterion to a person."""
    found = compile_text("ALT, AST or GGT above 1.5 x ULN, or total bilirubin above the ULN (participants with Gilbert's "
                         "syndrome may be included if direct bilirubin is within the normal range), at screening.",
                         "exclusion", "X1")
    assert [r.test for r in found if r.kind == "lab"] == ["alt", "ast", "ggt", "bilirubin"]
    assert found[-1].kind == "manual_review"


def test_a_csf_value_is_no_blood_value_and_an_event_definition_states_no_condition():
    """holdout26 NCT02104661, NCT02671682: 'Neurofilament light chain ... in the cerebrospinal fluid (CSF NfL) of 380
    ng/L or more' had become a serum NfL bound; '(..., in the absence of fever or infection)' defines a relapse."""
    found = compile_text("Neurofilament light chain concentration in the cerebrospinal fluid (CSF NfL) of 380 ng/L or "
                         "more on the screening lumbar puncture", "inclusion", "X1")
    assert [r.kind for r in found] == ["manual_review"]
    found = compile_text("Acute relapse (new or worsening neurological deficit lasting at least 24 hours, in the absence "
                         "of fever or infection) with onset of symptoms not more than 6 weeks before inclusion",
                         "inclusion", "X1")
    assert "condition" not in [r.kind for r in found]


def test_a_cohort_as_the_subject_of_its_requirement():
    """holdout26 NCT05054140: 'Participants with SPMS must have a documented history of relapsing-remitting MS followed
    by ...' had required RRMS or SPMS of every participant (the PPMS cohort failed)."""
    found = compile_text("Participants with SPMS must have a documented history of relapsing-remitting MS followed by "
                         "progressive worsening independent of relapses for at least 12 months before screening.",
                         "inclusion", "X1")
    assert [(r.kind, r.when.subtypes) for r in found] == [("manual_review", ["SPMS"])]
    (rule,) = compile_text("Patients with RRMS must have had at least one relapse in the previous year", "inclusion", "X1")
    assert (rule.kind, rule.when.subtypes) == ("relapse_activity", ["RRMS"])


def test_a_judgement_in_a_sentence_of_its_own():
    """holdout26 NCT02104661: '... for at least 6 months before the baseline visit. A temporary interruption of up to 8
    weeks ... is permitted at the investigator's discretion.' had sent the whole criterion to a person; the DMD named
    with its abbreviation and its members in parentheses is the class."""
    found = compile_text("Receiving a licensed disease-modifying drug (DMD) for MS (interferon beta, glatiramer acetate, "
                         "dimethyl fumarate, teriflunomide, fingolimod or natalizumab) for at least 6 months before the "
                         "baseline visit. A temporary interruption of up to 8 weeks, for example while switching between "
                         "DMDs, is permitted at the investigator's discretion.", "inclusion", "X1")
    assert [(r.kind, getattr(r, "classes", None)) for r in found] == [("prior_drug", ["dmt"]), ("manual_review", None)]
    assert found[0].min_duration.value == 6.0


def test_progenitor_cell_transplantation_and_an_exception_that_may_be_continued():
    """holdout26 NCT02674217: 'transplantation of haematopoietic progenitor cells'; 'any disease-modifying drug in the 4
    weeks before the start of the mobilisation with cyclophosphamide, except interferon beta or glatiramer acetate,
    which may be continued': the permission is the exception's, the regimen's drug a time point."""
    (rule,) = compile_text("Previous transplantation of haematopoietic progenitor cells (autologous or allogeneic).",
                           "exclusion", "X1")
    assert rule.drugs == ["haematopoietic_stem_cell_transplantation"]
    (rule, *_) = compile_text("Having received any disease-modifying drug in the 4 weeks before the start of the "
                              "mobilisation with cyclophosphamide, except interferon beta or glatiramer acetate, which "
                              "may be continued until the day before.", "exclusion", "X1")
    assert (rule.kind, rule.drugs, rule.classes, rule.window.anchor) == ("washout", [], ["dmt"], "first_dose")
    assert "glatiramer_acetate" in rule.except_drugs


def test_an_age_that_says_for_whom_is_no_age_requirement():
    """holdout26 NCT01440101: 'For subjects under 20 years of age, written consent of the legal representative is also
    obtained' had required an age under 20 (every adult failed); 'have given written consent' is consent."""
    found = compile_text("Subjects who have given written consent to participate in this study by their own free will. "
                         "For subjects under 20 years of age, written consent of the legal representative is also "
                         "obtained.", "inclusion", "X1")
    assert [(r.kind, r.category) for r in found] == [("manual_review", "administrative")]
    assert "age" not in [r.kind for r in compile_text("For subjects under 18 years of age, consent of a parent is "
                                                      "required.", "inclusion", "X1")]


def test_what_a_diet_is_for_is_no_condition():
    """holdout26 NCT03539094: 'a special diet prescribed by a physician (e.g., for celiac disease ...)' had excluded
    coeliac disease; a relation's examples are still conditions (holdout25 NCT01684761)."""
    found = compile_text("Following a special diet prescribed by a physician (e.g., for celiac disease or after gastric "
                         "bypass surgery), or currently following a fasting or calorie-restricted diet", "exclusion", "X1")
    assert "condition" not in [r.kind for r in found]


def test_a_limit_of_the_reference_range_and_a_comparison_before_it():
    """holdout26 NCT01440101 'AST or ALT 2.5 times or more the upper limit of the reference range' and NCT02674217
    'lower than 3 times the upper normal value': multiples of the upper limit, not bare numbers."""
    found = compile_text("AST or ALT 2.5 times or more the upper limit of the reference range", "exclusion", "X1")
    assert [(r.test, r.comparator, r.value, r.unit) for r in found] == [("ast", ">=", 2.5, "xULN"),
                                                                         ("alt", ">=", 2.5, "xULN")]
    (rule,) = compile_text("AST lower than 3 times the upper normal value.", "inclusion", "X1")
    assert (rule.comparator, rule.value, rule.unit) == ("<", 3.0, "xULN")


def test_a_quiet_subtype_without_a_time_goes_to_a_person():
    """holdout26 NCT05083923: 'secondary progressive MS without relapses or MRI activity (non-active SPMS)' excluded had
    become 'SPMS and no relapse ever' (every SPMS began with relapses); with a time it stays a rule."""
    found = compile_text("Primary progressive MS, or secondary progressive MS without relapses or MRI activity "
                         "(non-active SPMS).", "exclusion", "X1")
    assert [(r.kind, getattr(r, "subtypes", None)) for r in found] == [("ms_subtype", ["PPMS"]), ("manual_review", None)]
    (rule,) = compile_text("Secondary progressive MS without relapses in the last 2 years.", "exclusion", "X1")
    assert (rule.kind, [child.kind for child in rule.rules]) == ("group", ["ms_subtype", "relapse_activity"])


def test_a_nursing_home_is_no_breastfeeding():
    """holdout25 NCT02583386: 'Living in the community (not in a nursing home ...)' had read a breastfeeding rule."""
    found = compile_text("Living in the community (not in a nursing home or other long-term care facility).",
                         "inclusion", "X1")
    assert "pregnancy" not in [r.kind for r in found]
    (rule,) = compile_text("Women who are pregnant or nursing.", "exclusion", "X1")
    assert (rule.pregnant, rule.breastfeeding) == (True, True)


def test_the_scheduled_first_dose_and_a_history_of_these_conditions():
    """holdout25 NCT02253264 'before the scheduled first dose of rituximab' is the first dose; NCT02710214 'Active deep
    vein thrombosis or pulmonary embolism, or a history of these conditions' is ever."""
    (rule,) = compile_text("Receipt of a live vaccine within 1 month before the scheduled first dose of rituximab.",
                           "exclusion", "X1")
    assert rule.window.anchor == "first_dose"
    (rule,) = compile_text("Active deep vein thrombosis or pulmonary embolism, or a history of these conditions",
                           "exclusion", "X1")
    assert (rule.conditions, rule.timing) == (["thrombosis"], "any")
    (rule,) = compile_text("Active hepatitis B, or a history thereof.", "exclusion", "X1")
    assert rule.timing == "any"


def test_current_participation_keeps_its_own_time():
    """holdout25 NCT02583386: 'Current participation in another ... study, or supervised balance training in the past 6
    months': the window is the training's; another study's window after ', or' is still the rule's."""
    (rule, _) = compile_text("Current participation in another falls-prevention, exercise or rehabilitation study, or "
                             "supervised balance training in the past 6 months.", "exclusion", "X1")
    assert (rule.kind, rule.window.within.value) == ("investigational", 0.0)
    (rule,) = compile_text("Current participation in another interventional study, or participation in a clinical "
                           "trial within the past 6 months.", "exclusion", "X1")
    assert (rule.window.within.value, rule.window.within.unit) == (6.0, "months")


# Twenty-seventh hold-out round (tests/holdout27)

def test_last_doses_of_different_drugs_are_alternatives():
    """holdout27 NCT06529406: 'Last anti-CD20 dose before Day 1 given as follows: - ocrelizumab, rituximab or
    ublituximab: last infusion no sooner than 4 months and no later than 9 months before Day 1; - ofatumumab: last
    injection within the 6 weeks before Day 1': one of the drugs, each between its own times (read as all, every
    patient failed; the 4 months went unread)."""
    found = compile_text("Last ocrelizumab infusion no sooner than 4 months and no later than 9 months before Day 1.",
                         "inclusion", "X1")
    assert [(r.polarity, r.window.within.value) for r in found] == [("require", 9.0), ("exclude", 4.0)]
    (criterion,) = compile_trial(Trial(id="T", source="test", source_format="text", criteria_text=(
        "Inclusion Criteria:\n- Last anti-CD20 dose before Day 1 given as follows:\n"
        "  - ocrelizumab, rituximab or ublituximab: last infusion no sooner than 4 months and no later than 9 months "
        "before Day 1;\n  - ofatumumab: last injection within the 6 weeks before Day 1.\n"))).criteria
    def groups(rules):
        for r in rules:
            if r.kind == "group":
                yield r
                yield from groups(r.rules)
    assert [g.mode for g in groups(criterion.rules) if len(g.rules) == 2 and g.rules[-1].kind == "washout"
            and g.rules[-1].drugs == ["ofatumumab"]] == ["any"]


def test_an_untreated_arm_in_a_clause_of_its_own():
    """holdout27 NCT02308137: '... those on a DMT must have been on the same DMT for at least 6 months before screening,
    and those not on a DMT must not have taken one during the 6 months before screening' had required DMT use in the
    6 months (every untreated patient failed)."""
    (rule,) = compile_text("Participants may be untreated or may receive a disease-modifying therapy (DMT); those on a "
                           "DMT must have been on the same DMT for at least 6 months before screening, and those not on "
                           "a DMT must not have taken one during the 6 months before screening.", "inclusion", "X1")
    assert rule.mode == "any"
    assert sorted((r.kind, r.polarity) for r in rule.rules) == [("prior_drug", "require"), ("washout", "exclude")]


def test_free_of_ms_or_converted_is_cis_or_the_diagnosis():
    """holdout27 NCT00813709: 'a first clinical demyelinating event ... who either remain free of CDMS or have converted
    to CDMS or to McDonald MS' had excluded the diagnosis (every converted patient failed); 'CIS or MS' without a
    version is the same any-of."""
    found = compile_text("Subjects with a first clinical demyelinating event at entry into Study 27025 who either remain "
                         "free of clinically definite MS (CDMS) or have converted to CDMS or to McDonald MS during Study "
                         "27025.", "inclusion", "X1")
    assert found[0].kind == "group" and found[0].mode == "any"
    assert sorted(r.kind for r in found[0].rules) == ["ms_diagnosis", "ms_subtype"]
    (rule,) = compile_text("Diagnosis of CIS or of MS.", "inclusion", "X1")
    assert (rule.kind, rule.mode) == ("group", "any")
    (rule,) = compile_text("No diagnosis of MS.", "inclusion", "X1")
    assert (rule.kind, rule.polarity) == ("ms_diagnosis", "exclude")


def test_an_age_at_the_moment_of_consent_and_treatment_during_at_least():
    """holdout27 NCT01144052 (translated): 'aged between 18 and 60 years (limits included) at the moment of the signature
    of the informed consent' had made the whole criterion a consent item; 'Treatment with natalizumab ... during at
    least 12 months before randomization' had become no natalizumab in those months."""
    found = compile_text("Patients of both sexes, aged between 18 and 60 years (limits included) at the moment of the "
                         "signature of the informed consent.", "inclusion", "X1")
    assert [r.kind for r in found] == ["age", "sex"]
    (rule,) = compile_text("Treatment with natalizumab 300 mg i.v. every 4 weeks during at least 12 months before "
                           "randomization.", "inclusion", "X1")
    assert (rule.kind, rule.polarity, rule.min_duration.value, rule.current) == ("prior_drug", "require", 12.0, True)


def test_a_scan_performed_at_a_visit_and_a_cohort_heading_with_a_colon():
    """holdout27 NCT01144052 'No gadolinium-enhancing lesion on the brain MRI performed at the screening visit' is that
    scan; NCT01077466 'Patients with SPMS: the progressive phase ...; no attacks during the last 2 years' holds for
    that cohort (read for everyone, it required SPMS of the PPMS patients)."""
    (rule,) = compile_text("No gadolinium-enhancing lesion on the brain MRI performed at the screening visit.",
                           "inclusion", "X1")
    assert (rule.window.within.value, rule.window.anchor) == (0.0, "screening")
    found = compile_text("Patients with SPMS: the progressive phase must have begun at least 1 year before inclusion, "
                         "and there must have been no attacks during the last 2 years.", "inclusion", "X1")
    assert "ms_subtype" not in [r.kind for r in found]
    assert all(r.when is not None and r.when.subtypes == ["SPMS"] for r in found)


def test_a_risk_of_a_condition_and_why_a_drug_was_stopped():
    """holdout27 NCT01144052: 'to interrupt natalizumab because of the risk of PML' had required PML; 'interferon beta-1b
    interrupted for lack of efficacy or for intolerance (e.g. ... injection-site necrosis ...)' had required the
    example and read no exposure: the reason qualifies it (not in a permission, holdout7 NCT03500328)."""
    found = compile_text("Desire of the patient to interrupt natalizumab because of the risk of progressive multifocal "
                         "leukoencephalopathy (PML).", "inclusion", "X1")
    assert "condition" not in [r.kind for r in found]
    (rule,) = compile_text("Previous treatment with interferon beta-1b interrupted for lack of efficacy or for "
                           "intolerance (e.g. persistent flu-like symptoms, injection-site necrosis, increase of liver "
                           "enzymes).", "exclusion", "X1")
    assert (rule.kind, rule.drugs, rule.qualifier) == ("prior_drug", ["interferon_beta_1b"],
                                                       "interrupted for lack of efficacy or for intolerance")
    found = compile_text("Participants who have previously taken a disease-modifying therapy (DMT) for 6 months or less "
                         "may enroll, provided that the DMT was stopped because of intolerance or inconvenience and not "
                         "because of disease activity.", "inclusion", "X1")
    assert [r.kind for r in found] == ["manual_review"]


def test_cytotoxic_immunosuppressants_the_months_of_a_treatment_and_a_start_with_a_ceiling():
    """holdout27 NCT01144052 'other cytotoxic immunosuppressants' is the cytotoxic class; 'Absence of clinical relapses
    during the last 12 months of treatment with natalizumab' had also required natalizumab in those months (the time,
    not an exposure); NCT01005095 'Starting treatment with interferon beta at the time of randomization, or treated with
    it for no more than 3 months' had required interferon within 3 months (every patient about to start failed)."""
    (rule,) = compile_text("Previous treatment with mitoxantrone, cyclophosphamide or other cytotoxic immunosuppressants.",
                           "exclusion", "X1")
    assert (rule.drugs, rule.classes) == (["mitoxantrone", "cyclophosphamide"], ["cytotoxic"])
    (rule,) = compile_text("Absence of clinical relapses during the last 12 months of treatment with natalizumab.",
                           "inclusion", "X1")
    assert (rule.kind, rule.polarity, rule.window.within.value) == ("relapse_activity", "exclude", 12.0)
    (rule,) = compile_text("Starting treatment with interferon beta (Avonex, Rebif or Betaferon) at the time of "
                           "randomization, or treated with interferon beta for no more than 3 months before "
                           "randomization", "inclusion", "X1")
    assert (rule.kind, rule.polarity, rule.min_duration.value) == ("prior_drug", "exclude", 3.0)


# Twenty-eighth hold-out round: leftovers of earlier rounds, before the round was written

def test_a_pregnancy_only_contemplated_is_no_pregnancy_now():
    """gold NCT00261326 'Women who contemplate pregnancy in the duration of the study' had read as pregnant now and
    fully structured: a non-pregnant woman planning one passed. The plan goes to a person; a pregnancy named beside
    the plan ("Pregnancy, or planned pregnancy", "Current or planned pregnancy") is still a rule."""
    for text in ("Women who contemplate pregnancy in the duration of the study",
                 "Women who are planning a pregnancy during the study"):
        assert [r.kind for r in compile_text(text, "exclusion", "X1")] == ["manual_review"]
    for text in ("Pregnancy, planned pregnancy or breastfeeding.", "Current or planned pregnancy",
                 "Ongoing pregnancy, pregnancy planned during the study, or breastfeeding."):
        (rule,) = [r for r in compile_text(text, "exclusion", "X1") if r.kind == "pregnancy"]
        assert rule.pregnant


def test_a_list_of_labs_closed_by_within_normal_limits():
    """holdout27 NCT00501943 'ALT, AST and total bilirubin within normal limits at screening' had left ALT to a person:
    the words after the list govern each of its labs."""
    found = compile_text("ALT, AST and total bilirubin within normal limits at screening", "inclusion", "X1")
    labs = {(r["test"], r["unit"]) for r in _flatten(r.model_dump(mode="json") for r in found) if r["kind"] == "lab"}
    assert labs == {(t, u) for t in ("alt", "ast", "bilirubin") for u in ("xLLN", "xULN")}
    assert "manual_review" not in [r.kind for r in found]


# Twenty-eighth hold-out round (tests/holdout28/)

def test_a_therapy_not_changed_and_the_untreated_in_those_months():
    """holdout28 NCT02411838 'Participants on a DMT must not have changed it during the 3 months before enrollment, and
    participants who are untreated must not have received any DMT during those 3 months' had read as a DMT required in
    those months (a polarity error): it is stable use that long, or no DMT in those months."""
    (group,) = compile_text("Participants on a disease-modifying therapy must not have changed it during the 3 months "
                            "before enrollment, and participants who are untreated must not have received any "
                            "disease-modifying therapy during those 3 months.", "inclusion", "X1")
    assert group.kind == "group" and group.mode == "any"
    kinds = {(r.kind, r.polarity) for r in group.rules}
    assert kinds == {("washout", "exclude"), ("prior_drug", "require")}
    (washout,) = [r for r in group.rules if r.kind == "washout"]
    assert (washout.classes, washout.window.within.value, washout.window.anchor) == (["dmt"], 3.0, "enrollment")


@pytest.mark.parametrize("text, timing", [
    ("Severe depression, suicidal thoughts or suicide attempts in the anamnesis.", "any"),
    ("Alcohol or drug addiction, including in the anamnesis.", "any"),
    ("Alcohol or drug addiction.", "current"),
])
def test_the_anamnesis_is_the_history(text, timing):
    """holdout28 NCT02753088 (translated Russian): 'in the anamnesis' is a history word."""
    (rule,) = [r for r in compile_text(text, "exclusion", "X1") if r.kind == "condition"]
    assert rule.timing == timing


def test_a_current_relapse_dated_by_its_onset_and_its_prescribed_treatment():
    """holdout28 NCT02411838 'A current MS relapse, with onset of symptoms within the 14 days before enrollment, for
    which the treating neurologist has prescribed IV methylprednisolone ... (10 days of corticosteroids in total)' had
    read as a disease of at most 14 days and corticosteroids required in 10 days: it is a relapse that recent, and the
    prescribed course is to come (a person checks it)."""
    found = compile_text("A current MS relapse, with onset of symptoms within the 14 days before enrollment, for which "
                         "the treating neurologist has prescribed intravenous methylprednisolone followed by an oral "
                         "prednisone taper (10 days of corticosteroids in total).", "inclusion", "X1")
    assert [r.kind for r in found] == ["relapse_activity", "manual_review"]
    assert (found[0].window.within.value, found[0].window.anchor) == (14.0, "enrollment")
    # the EDSS before the current relapse still counts no relapse
    assert "relapse_activity" not in [r.kind for r in compile_text(
        "EDSS below 6.5 before the onset of the current relapse", "inclusion", "X1")]


def test_an_interval_that_ends_at_an_anchor():
    """holdout28 NCT00753792 'Time from the onset of the relapse symptoms to randomisation of less than 15 days': the
    window is counted back from randomisation (it had taken screening)."""
    (rule,) = compile_text("Time from the onset of the relapse symptoms to randomisation of less than 15 days.",
                           "inclusion", "X1")
    assert (rule.kind, rule.window.within.value, rule.window.anchor) == ("relapse_activity", 15.0, "randomization")


def test_counted_drugs_of_one_clause_and_counted_courses():
    """holdout28 NCT00122954 'Taking more than two antidepressant medications, or any monoamine oxidase inhibitor' had
    asked three of either (one MAO inhibitor excludes); 'Treatment with more than two DMTs' had excluded one DMT (the
    count was read only after 'treated with'); NCT02411838 'More than two courses of high-dose corticosteroids during
    the 12 months' had excluded one course: a person counts courses."""
    found = compile_text("Taking more than two antidepressant medications, or any monoamine oxidase inhibitor.",
                         "exclusion", "X1")
    assert [(r.classes, r.min_distinct) for r in found] == [(["antidepressant"], 3), (["mao_inhibitor"], 1)]
    for text in ("Treatment with more than two disease-modifying therapies", "Prior use of more than two "
                 "immunosuppressants"):
        (rule,) = compile_text(text, "exclusion", "X1")
        assert rule.min_distinct == 3
    found = compile_text("More than two courses of high-dose corticosteroids during the 12 months before enrollment.",
                         "exclusion", "X1")
    assert [r.kind for r in found] == ["manual_review"]


def test_a_condition_treated_with_a_drug_named_with_a_parenthesis():
    """holdout28 NCT02411838 'Diabetes treated with insulin (injections or pump) or with a sulfonylurea' had excluded
    every diabetic and anyone ever on insulin: it is the diabetes with the treatment, an excluded all-of."""
    (group,) = compile_text("Diabetes treated with insulin (injections or pump) or with a sulfonylurea.", "exclusion",
                            "X1")
    assert (group.kind, group.mode, group.polarity) == ("group", "all", "exclude")
    condition, drug = group.rules
    assert condition.conditions == ["diabetes_mellitus"]
    assert (drug.drugs, drug.classes, drug.current) == (["insulin"], ["sulfonylurea"], True)


def test_a_doubtful_diagnosis_a_stop_dated_by_an_event_and_a_score_before_the_relapse():
    """holdout28 NCT00753792 'Doubtful diagnosis of multiple sclerosis, or a first demyelinating episode' had excluded
    MS (every patient of the relapse trial failed); NCT06444113 'Women who received ofatumumab before the pregnancy must
    have stopped it at the latest when the pregnancy became known' had required a pregnancy and no ofatumumab now (the
    women back on it after delivery failed); 'EDSS prior to the relapse between 0 and 5.5' is the bound, and the time of
    the score goes to a person."""
    found = compile_text("Doubtful diagnosis of multiple sclerosis, or a first demyelinating episode (clinically "
                         "isolated syndrome).", "exclusion", "X1")
    assert [r.kind for r in found] == ["ms_subtype", "manual_review"] and found[0].subtypes == ["CIS"]
    found = compile_text("Women who received ofatumumab before the pregnancy must have stopped it at the latest when "
                         "the pregnancy became known.", "inclusion", "X1")
    assert [r.kind for r in found] == ["manual_review"]
    (rule,) = compile_text("Patients on fingolimod must have stopped it before screening", "inclusion", "X1")
    assert (rule.kind, rule.polarity, rule.current) == ("prior_drug", "exclude", True)
    found = compile_text("EDSS prior to the relapse between 0 and 5.5, both inclusive.", "inclusion", "X1")
    assert [r.kind for r in found] == ["edss", "manual_review"] and found[0].score.high == 5.5


def test_the_healthy_cohort_of_a_pregnancy_registry():
    """holdout28 NCT04933552: under 'Cohort 3 – healthy comparison cohort:' the items are the healthy women's (read as
    the patient's, 'No diagnosis of MS' failed every woman with MS); 'All cohorts:' is a heading, not a criterion."""
    text = ("Inclusion Criteria:\n\nAll cohorts:\n\n* Currently pregnant at the time of enrolment.\n\n"
            "Cohort 1 – siponimod-exposed cohort:\n\n* Diagnosed with multiple sclerosis.\n\n"
            "Cohort 3 – healthy comparison cohort:\n\n* No diagnosis of MS and no other autoimmune or chronic "
            "neurological disease.\n")
    ruleset = compile_trial(Trial(id="NCT04933552", source="test", source_format="text", criteria_text=text))
    kinds = {c.text[:20]: [r.kind for r in c.rules] for c in ruleset.criteria if not c.id.startswith("F")}
    assert kinds == {"Currently pregnant a": ["pregnancy"], "Diagnosed with multi": ["ms_diagnosis"],
                     "No diagnosis of MS a": ["manual_review"]}


def test_skin_cancers_named_together_either_eye_and_an_acute_episode_dated_by_its_onset():
    """holdout28 NCT05658484 '..., except basal cell and squamous cell carcinomas of the skin' had excepted every solid
    tumour ('carcinomas'): the two are non-melanoma skin cancer (lexicon synonyms); NCT00355095 'Any previous episode of
    optic neuritis, in the affected or in the fellow eye' had gone to a person as a condition of one eye: it is either
    eye; NCT00771043 'Acute optic neuritis in one eye, with onset ... within the 14 days before Day 1' is the episode
    now, begun in the window (as the optic-neuritis sets wrote it)."""
    (rule, _) = compile_text("History of malignant disease, including solid tumours and haematological malignancies, "
                             "except basal cell and squamous cell carcinomas of the skin that have been completely "
                             "excised and are considered cured.", "exclusion", "X1")
    assert (rule.conditions, rule.exceptions) == (["malignancy"], ["non_melanoma_skin_cancer"])
    (rule,) = compile_text("Any previous episode of optic neuritis, in the affected or in the fellow eye", "exclusion",
                           "X1")
    assert (rule.conditions, rule.timing) == (["optic_neuritis"], "any")
    assert [r.kind for r in compile_text("Previous optic neuritis in the fellow eye", "exclusion", "X1")] == \
        ["manual_review"]
    (rule, _) = compile_text("Acute optic neuritis in one eye, with onset of visual symptoms within the 14 days before "
                             "Day 1.", "inclusion", "X1")
    assert (rule.timing, rule.window.within.value, rule.window.anchor) == ("current", 14.0, "baseline")


# --- session 28: leftovers of the twenty-eighth round, read generally --------------------------------------------------

def test_a_length_of_use_before_the_drug_is_how_long_not_a_washout():
    """'Use of more than 2 weeks of steroids' had read as a washout of 2 weeks, and in an exclusion as one required
    (the gap wording 'more than 2 weeks'): it is use that lasted that long; with a window it is use that long within it.
    A re-screening proviso ('may be re-screened after at least 4 weeks of vitamin D repletion') is no exposure."""
    (rule,) = compile_text("Use of more than 2 weeks of steroids", "exclusion", "X1")
    assert (rule.kind, rule.polarity, rule.classes, rule.min_duration.value, rule.min_duration.unit) == \
        ("prior_drug", "exclude", ["corticosteroid"], 2.0, "weeks")
    (rule,) = compile_text("Use of more than 2 weeks of systemic steroids in the past 3 months", "exclusion", "X1")
    assert (rule.kind, rule.window.within.value, rule.min_duration.value) == ("washout", 3.0, 2.0)
    (rule,) = compile_text("Received at least 4 weeks of interferon beta", "inclusion", "X1")
    assert (rule.kind, rule.polarity, rule.min_duration.value) == ("prior_drug", "require", 4.0)
    found = compile_text("Serum 25-hydroxyvitamin D of at least 15 ng/mL at screening (patients with lower values may "
                         "be re-screened after at least 4 weeks of vitamin D repletion).", "inclusion", "X1")
    assert [r.kind for r in found] == ["lab", "manual_review"] and "4 weeks of" in found[1].why


def test_a_bare_treatment_with_a_daily_medicine_is_use_now():
    """holdout28 NCT00122954 'Treatment with anticoagulants (e.g. warfarin) or with antiplatelet agents ...' had read as
    any use ever: a class taken day after day (lexicon 'ongoing') named bare is use now; a DMT named so is any use."""
    (rule, dose) = compile_text("Treatment with anticoagulants (e.g. warfarin) or with antiplatelet agents other than "
                                "aspirin at 325 mg per day or less.", "exclusion", "X1")
    assert (rule.classes, rule.current) == (["anticoagulant", "antiplatelet"], True)
    # (aspirin is excepted at that dose only, which a person checks)
    assert (dose.category, dose.why) == ("partial", "aspirin is excepted only at this dose: '325 mg per day or less'")
    (rule,) = compile_text("Use of strong CYP3A4 inhibitors", "exclusion", "X1")
    assert rule.current is True
    for text in ("Treatment with alemtuzumab", "Treatment with anticoagulants or with natalizumab",
                 "Previous treatment with anticoagulants"):
        (rule,) = compile_text(text, "exclusion", "X1")
        assert rule.current is False, text


def test_the_drug_whose_levels_others_change_is_not_the_patients():
    """holdout28 NCT04129736 'drugs that markedly lower teriflunomide levels, namely rifampicin, ...' had taken
    teriflunomide, the study drug, into the washout: it is the drug they act on, as 'drugs that interact with X'."""
    (rule,) = compile_text("Use of drugs that lower teriflunomide levels, namely rifampicin, carbamazepine, phenytoin",
                           "exclusion", "X1")
    assert rule.drugs == ["rifampicin", "carbamazepine", "phenytoin"]
    (rule, _) = compile_text("Concomitant use during the last 4 weeks of drugs that markedly lower teriflunomide levels, "
                             "namely rifampicin, carbamazepine, phenytoin or St John's wort, or of cholestyramine for "
                             "another indication.", "exclusion", "X1")
    assert (rule.kind, rule.drugs) == ("washout", ["rifampicin", "carbamazepine", "phenytoin", "st_johns_wort"])


def test_mog_antibodies_spelled_out_and_a_required_episode_dated_by_its_onset():
    """holdout28 NCT05658484 'aquaporin-4 or myelin oligodendrocyte glycoprotein (MOG) antibodies' left MOGAD to a
    person (lexicon synonyms); 'Acute optic neuritis in one eye, with onset of visual symptoms within ...': the onset is
    the rule's window (the evaluator checks it), the side still goes to a person."""
    (rule,) = compile_text("Neuromyelitis optica spectrum disorder, or a positive test for aquaporin-4 or myelin "
                           "oligodendrocyte glycoprotein (MOG) antibodies at any time.", "exclusion", "X1")
    assert (rule.conditions, rule.timing) == (["neuromyelitis_optica", "mogad"], "any")
    (rule,) = compile_text("Acute optic neuritis, with onset of visual symptoms within the 14 days before Day 1.",
                           "inclusion", "X1")
    assert (rule.conditions, rule.timing, rule.window.within.value) == (["optic_neuritis"], "current", 14.0)
    for text, side in (("Acute optic neuritis in one eye, with onset of visual symptoms within the 14 days before "
                        "Day 1.", "one eye"),
                       ("Acute unilateral optic neuritis, with onset of visual symptoms no more than 14 days before "
                        "randomisation.", "unilateral")):
        (rule, review) = compile_text(text, "inclusion", "X1")
        assert rule.timing == "current" and review.kind == "manual_review" and side in review.why


# --- the twenty-ninth hold-out round (tests/holdout29/) ----------------------------------------------------------------

def test_examples_of_failing_a_check_are_excluded():
    """holdout29 NCT04150549 'Does not pass the standard MRI safety screening questionnaire (for example a pacemaker
    ...)' had required a pacemaker (the negation of passing reached the examples): they are the ways to fail it."""
    (rule, _) = compile_text("Does not pass the standard MRI safety screening questionnaire (for example a pacemaker, a "
                             "non-MRI-compatible implant or claustrophobia)", "exclusion", "X1")
    assert (rule.polarity, rule.conditions) == ("exclude", ["cardiac_pacemaker", "claustrophobia"])


def test_regular_or_daily_use_is_a_regimen_the_record_cannot_show():
    """holdout29 NCT04150549 'Regular use of proton pump inhibitors, H2-receptor antagonists or laxatives during the 3
    months' had excluded any use, and left laxatives unread: the regimen is the qualifier (a person checks a use found)
    and laxatives go to a person; 'Daily use of opioids' is use now, daily."""
    (rule, review) = compile_text("Regular use of proton pump inhibitors, H2-receptor antagonists or laxatives during the "
                                  "3 months before screening", "exclusion", "X1")
    assert (rule.kind, rule.qualifier) == ("washout", "regular use") and "laxatives" in review.why
    (rule, _) = compile_text("Daily use of opioids for another pain condition.", "exclusion", "X1")
    assert (rule.classes, rule.current, rule.qualifier) == (["opioid"], True, "daily use")


def test_who_may_be_included_is_no_requirement():
    """holdout29 NCT04371575 'Patients already treated with carbamazepine or oxcarbazepine can be included' had required
    carbamazepine; NCT01440062 'Relapse within the 30 days before inclusion; patients with an acute relapse may be
    included once they have been relapse-free for 30 days' had required a relapse beside excluding it. A permission
    after the criterion lets some patients in, whom a person checks; alone it states nothing."""
    (rule,) = compile_text("Patients already treated with carbamazepine or oxcarbazepine can be included.", "inclusion",
                           "X1")
    assert (rule.kind, rule.category) == ("manual_review", "administrative")
    (rule, review) = compile_text("Relapse within the 30 days before inclusion; patients with an acute relapse may be "
                                  "included once they have been relapse-free for 30 days.", "exclusion", "X1")
    assert (rule.kind, rule.polarity, rule.window.within.value) == ("relapse_activity", "exclude", 30.0)
    assert review.category == "partial" and "relapse-free" in review.why
    # (a permission inside the criterion's parenthesis, or a whole criterion with a condition, is read as before)
    (rule, _) = compile_text("Subjects who received Rebif within the 3 months before enrolment (subjects who stopped "
                             "Rebif more than 3 months earlier may be enrolled).", "exclusion", "X1")
    assert (rule.kind, rule.drugs) == ("washout", ["interferon_beta_1a"])


def test_sex_stated_in_translated_wording():
    """holdout29 NCT06143397 'Being a female patient between 18 and 65 years of age' had no sex rule (men passed);
    'Man or woman' is both; 'A female subject is eligible ... if she is:' conditions women, it requires no sex."""
    found = compile_text("Being a female patient between 18 and 65 years of age", "inclusion", "X1")
    assert [(r.kind, getattr(r, "allowed", None)) for r in found] == [("age", None), ("sex", ["female"])]
    found = compile_text("Man or woman aged 18 or over", "inclusion", "X1")
    assert [r.allowed for r in found if r.kind == "sex"] == [["female", "male"]]
    assert not [r for r in compile_text("A female subject is eligible to enter the study if she is:", "inclusion",
                                        "X1") if r.kind == "sex"]


def test_an_untreated_arm_if_any_and_a_plan_beside_a_washout():
    """holdout29 NCT06143397 'Disease-modifying treatment, if any, unchanged for the last 6 months': the untreated arm
    is no DMT in those months (a stop is a change); NCT03718247 'on no DMT for at least 6 months before the baseline
    visit, and not planning to start one during the study' had gone whole to a person (the start read as a change):
    the washout, and the plan for a person; 'Disease-modifying therapy status, one of the following:' states no DMT."""
    (group,) = compile_text("Disease-modifying treatment, if any, unchanged for the last 6 months", "inclusion", "X1")
    untreated, treated = group.rules
    assert (untreated.kind, untreated.window.within.value) == ("washout", 6.0)
    assert (treated.current, treated.min_duration.value) == (True, 6.0)
    (washout, plan) = compile_text("on no disease-modifying therapy for at least 6 months before the baseline visit, and "
                                   "not planning to start one during the study", "inclusion", "X1")
    assert (washout.kind, washout.polarity, washout.window.anchor) == ("washout", "exclude", "baseline")
    assert plan.category == "partial" and "planning" in plan.why
    assert [r.kind for r in compile_text("Disease-modifying therapy status, one of the following:", "inclusion",
                                         "X1")] == ["manual_review"]


def test_a_parent_asking_for_current_use_for_a_time_reaches_its_items_and_a_dose_count_is_a_qualifier():
    """holdout29 NCT04834401 'Currently treated with one of the following DMTs, without interruption, for more than 6
    months before the first vaccine dose: - natalizumab, having received at least 6 infusions - ...': each item is on
    the drug now, for that long (read as any exposure ever); the infusion count is a regimen the record cannot show;
    NCT01597297 '... and must intend to remain on it for the duration of the study' is a plan, for a person."""
    text = ("Inclusion Criteria:\n\n* Currently treated with one of the following disease-modifying therapies, without "
            "interruption, for more than 6 months before the first vaccine dose:\n\n  * natalizumab, having received at "
            "least 6 infusions\n  * dimethyl fumarate or diroximel fumarate\n")
    ruleset = compile_trial(Trial(id="NCT04834401", source="test", source_format="text", criteria_text=text))
    (group,) = ruleset.criteria[0].rules
    natalizumab, fumarates = group.rules
    assert (natalizumab.current, natalizumab.min_duration.value, natalizumab.qualifier) == \
        (True, 6.0, "having received at least 6 infusions")
    assert (fumarates.current, fumarates.min_duration.value, fumarates.qualifier) == (True, 6.0, None)
    found = compile_text("Subjects treated with interferon beta, glatiramer acetate, fingolimod or natalizumab must have "
                         "been on that treatment for at least 3 months before Screening and must intend to remain on it "
                         "for the duration of the study.", "inclusion", "X1")
    assert [r.kind for r in found] == ["group", "manual_review"] and "intend" in found[1].why


def test_a_cohort_with_another_disease_and_a_degree_of_severity_go_to_a_person():
    """holdout29 NCT02660359 'For subjects with SCI: a stable neurological injury at level T1 or below ...' had required a
    spinal cord injury of every MS patient; NCT00430599 'Tremor of at least moderate severity: a score of 2 or more on
    ...' is a degree a scale defines."""
    (rule,) = compile_text("For subjects with SCI: a stable neurological injury at level T1 or below, which occurred at "
                           "least 6 months before Screening.", "inclusion", "X1")
    assert rule.kind == "manual_review" and "cohort with SCI" in rule.why
    (rule,) = compile_text("For participants with relapsing-remitting MS, the disease must be active", "inclusion", "X1")
    assert rule.when.subtypes == ["RRMS"]
    (rule,) = compile_text("Tremor of at least moderate severity: a score of 2 or more on part A of the Fahn-Tolosa-Marin "
                           "tremor rating scale", "inclusion", "X1")
    assert rule.kind == "manual_review"


def test_other_tremors_causes_and_indications_are_not_the_patients_tremor_or_drug():
    """holdout29 NCT00430599 'Essential tremor, Parkinson's disease ...' had excluded tremor in a trial of MS tremor;
    NCT01324232 'History of quinidine-induced thrombocytopenia, hepatitis or lupus-like syndrome' had excluded any
    quinidine and any hepatitis (the drug is the cause, a person reads it); NCT00942591 '... any other condition in
    which statin therapy is indicated' had excluded statin users; NCT06143397 'cancer of the bladder, uterus, cervix or
    ovary' had excluded every cancer."""
    (rule, _) = compile_text("Essential tremor, Parkinson's disease or another movement disorder, or hyperthyroidism",
                             "exclusion", "X1")
    assert rule.conditions == ["parkinsons_disease", "hyperthyroidism"]
    (rule,) = compile_text("History of quinidine-induced thrombocytopenia, hepatitis or lupus-like syndrome, or known "
                           "hypersensitivity to dextromethorphan, quinidine or opiate drugs.", "exclusion", "X1")
    assert rule.kind == "manual_review"
    found = compile_text("Coronary heart disease, peripheral arterial occlusive disease, diabetes mellitus or any other "
                         "condition in which statin therapy is indicated according to current guidelines", "exclusion", "X1")
    assert [r.kind for r in found] == ["condition", "manual_review"]
    (rule, _) = compile_text("History of cancer of the bladder, uterus, cervix or ovary, or radiotherapy to the pelvis",
                             "exclusion", "X1")
    assert rule.conditions == ["bladder_cancer", "endometrial_cancer", "cervical_cancer", "ovarian_cancer"]
    assert [r.kind for r in compile_text("Decision of the treating neurologist, independent of the study, to start a "
                                         "first immunomodulatory therapy", "inclusion", "X1")] == ["manual_review"]


def test_a_diagnosis_dated_after_its_criteria_an_attack_of_pain_and_an_exception_after_what_it_spares():
    """holdout29 NCT01324232 'Diagnosis of RRMS or SPMS according to the revised McDonald criteria (2005), made at least
    1 year before Screening' had left the time to a person (a diagnosis of another disease so dated is not MS's);
    NCT04371575 'facial pain with at least one attack per day' had required an MS relapse in the last month;
    NCT01597297 '(febrile seizures in childhood excepted)' excepts them."""
    found = compile_text("Diagnosis of relapsing-remitting or secondary progressive multiple sclerosis according to the "
                         "revised McDonald criteria (2005), made at least 1 year before Screening.", "inclusion", "X1")
    (duration,) = [r for r in found if r.kind == "disease_duration"]
    assert (duration.years.low, duration.measured_from) == (1.0, "diagnosis")
    assert "disease_duration" not in {r.kind for r in compile_text("Diagnosis of malignancy, made within 5 years "
                                                                   "before screening", "exclusion", "X1")}
    assert "relapse_activity" not in {r.kind for r in compile_text(
        "Ongoing paroxysmal facial pain with at least one attack per day on most days during the last month.",
        "inclusion", "X1")}
    (rule,) = compile_text("A history of seizures, epilepsy or any other convulsive disorder at any time (febrile seizures "
                           "in childhood excepted).", "exclusion", "X1")
    assert (rule.conditions, rule.exceptions) == (["seizure"], ["febrile_seizure"])
    (rule,) = compile_text("Current treatment with an inhibitor of organic cation transporter 2 (OCT2), such as "
                           "cimetidine.", "exclusion", "X1")
    assert "oct2_inhibitor" in rule.classes


def test_history_set_off_a_shared_head_over_substances_and_a_relation_on_the_catch_all():
    """holdout29 NCT01440062 'Nephrolithiasis, current or in the medical history' is any time; NCT04371575 'Known
    abuse of alcohol, medicine or illegal drugs' is substance abuse (it had read alcohol only); 'Dementia or other
    cognitive impairment that makes the interview ... impossible': dementia, the qualified catch-all to a person;
    NCT04150549 'Immunocompromise, including HIV infection, ...' is immunodeficiency."""
    (rule,) = compile_text("Nephrolithiasis, current or in the medical history.", "exclusion", "X1")
    assert rule.timing == "any"
    (rule,) = compile_text("Known abuse of alcohol, medicine or illegal drugs.", "exclusion", "X1")
    assert rule.conditions == ["substance_abuse"]
    (rule, review) = compile_text("Dementia or other cognitive impairment that makes the interview and the "
                                  "questionnaires impossible", "exclusion", "X1")
    assert rule.conditions == ["dementia"] and "cognitive impairment" in review.why
    found = compile_text("Immunocompromise, including HIV infection, or an absolute neutrophil count below "
                         "1.0 x 10^9/L", "exclusion", "X1")
    assert ["immunodeficiency", "hiv"] in [r.conditions for r in found if r.kind == "condition"]


def test_a_lifetime_item_keeps_no_window_and_an_activity_heading_times_its_items():
    """holdout29 NCT02782858 'Any lifetime suicide attempt, or suicidal ideation of type 4 or 5 ... within the 6 months
    before screening' had read both as suicidality in the 6 months (an attempt two years ago passed): the attempt is
    ever, the ideation in the window; NCT04150549 'Radiological activity in the 12 months before screening, i.e. at
    least one new or enlarging T2 lesion ...' had left the 12 months to a person."""
    found = compile_text("Any lifetime suicide attempt, or suicidal ideation of type 4 or 5 on the Columbia-Suicide "
                         "Severity Rating Scale (C-SSRS) within the 6 months before screening", "exclusion", "X1")
    attempt, ideation = [r for r in found if r.kind == "condition"]
    assert (attempt.conditions, attempt.timing, attempt.window) == (["suicide_attempt"], "any", None)
    assert (ideation.conditions, ideation.window.within.value) == (["suicidal_ideation"], 6.0)
    (rule, _) = compile_text("Radiological activity in the 12 months before screening, i.e. at least one new or enlarging "
                             "T2 lesion or at least one gadolinium-enhancing lesion on brain or spinal cord MRI",
                             "inclusion", "X1")
    assert (rule.kind, rule.window.within.value, rule.window.anchor) == ("mri_activity", 12.0, "screening")


def test_a_relapse_with_fever_and_a_dose_to_take_for_the_study_state_no_relapse_or_exposure():
    """holdout28 NCT00753792 'Relapse accompanied by fever ... or by a concomitant infection, suggesting a
    pseudo-relapse' had excluded every patient with a relapse, in a relapse trial (13 wrong fails): the fever or
    infection excludes, and a pseudo-relapse is no relapse; NCT04129736 'Able to come to the sampling visit fasting
    and to take the morning dose of teriflunomide at the time assigned by the study' had required teriflunomide."""
    found = compile_text("Relapse accompanied by fever (axillary temperature >= 37.5 ºC) or by a concomitant infection "
                         "(for example, urinary infection), suggesting a pseudo-relapse.", "exclusion", "X1")
    assert "relapse_activity" not in {r.kind for r in found} and found[0].conditions == ["infection"]
    (rule,) = compile_text("Relapse within 30 days before screening", "exclusion", "X1")
    assert rule.kind == "relapse_activity"
    assert [r.kind for r in compile_text("Able to come to the sampling visit fasting and to take the morning dose of "
                                         "teriflunomide at the time assigned by the study (08:00 or 12:00).",
                                         "inclusion", "X1")] == ["manual_review"]


# --- session 29: leftovers of the twenty-ninth round, read generally ---------------------------------------------------


def test_an_ability_to_undergo_mri_is_no_contraindication_and_a_bracketed_word_stays_in_its_term():
    """holdout29 NCT04371575 'Able to undergo MRI of the brain at 3.0 Tesla.' went whole to a person while 'Unable to
    undergo MRI' was read; NCT06143397 'having a permanent (indwelling) urinary catheter' missed the catheter."""
    (rule,) = compile_text("Able to undergo MRI of the brain at 3.0 Tesla.", "inclusion", "X1")
    assert (rule.kind, rule.polarity, rule.conditions) == ("condition", "exclude", ["mri_contraindication"])
    (rule,) = compile_text("Not able to undergo MRI", "exclusion", "X1")
    assert (rule.polarity, rule.conditions) == ("exclude", ["mri_contraindication"])
    # (willing and able: the patient's consent, a person's)
    assert [r.kind for r in compile_text("Willing and able to undergo MRI scans.", "inclusion", "X1")] == ["manual_review"]
    found = compile_text("Emptying the bladder with intermittent catheterisation or having a permanent (indwelling) "
                         "catheter.", "exclusion", "X1")
    assert found[0].conditions == ["indwelling_catheter"] and found[-1].category == "partial"


def test_a_pacemaker_proviso_is_an_excluded_all_of_of_the_block_and_no_pacemaker():
    """Ten sets carry 'second- or third-degree AV block, or sick sinus syndrome, unless the subject has a functioning
    pacemaker'; the block went to a person. The proviso names a condition: the block excludes without a pacemaker."""
    found = compile_text("Cardiac conditions: myocardial infarction, unstable angina, stroke or transient ischemic "
                         "attack within 6 months before Screening; heart failure of New York Heart Association class "
                         "III or IV; second- or third-degree AV block or sick sinus syndrome, unless the participant "
                         "has a functioning pacemaker.", "exclusion", "X1")
    assert [r.kind for r in found] == ["condition", "condition", "group"]
    assert found[0].window.within.value == 6.0 and "heart_failure_nyha_iii" in found[1].conditions
    block, pacemaker = found[2].rules
    assert (found[2].mode, found[2].polarity) == ("all", "exclude")
    assert (block.polarity, block.conditions) == ("require", ["high_grade_av_block", "bradycardia"])
    assert (pacemaker.polarity, pacemaker.conditions) == ("exclude", ["cardiac_pacemaker"])
    (group,) = compile_text("second-degree or complete (third-degree) atrioventricular block, unless a functioning "
                            "pacemaker is in place;", "exclusion", "X1")
    assert group.rules[0].conditions == ["high_grade_av_block"]
    # (a proviso of treatment stays a person's: "unless the participant has completed treatment")
    found = compile_text("Active tuberculosis, unless the participant has completed treatment", "exclusion", "X1")
    assert [r.kind for r in found] == ["condition", "manual_review"]


def test_the_pacemaker_proviso_decides_the_patient():
    text = "Second- or third-degree AV block, unless the subject has a functioning pacemaker"

    def verdict(*names):
        return _screen_one(text, "exclusion", {"id": "p", "conditions": [{"name": n} for n in names]}).verdict

    assert verdict("third-degree AV block") == "ineligible"
    assert verdict("third-degree AV block", "cardiac pacemaker") != "ineligible"


def test_a_history_parent_makes_its_items_ever():
    """holdout29 NCT01324232 'History of, or ECG evidence at Screening of, any of the following: ... - second-degree or
    complete (third-degree) atrioventricular block, unless a functioning pacemaker is in place': the block ever."""
    trial = Trial(id="T1", source="test", source_format="text", criteria_text=(
        "Exclusion Criteria:\n- History of, or ECG evidence at Screening of, any of the following:\n"
        "  - QTc interval greater than 450 ms in men or greater than 470 ms in women;\n"
        "  - second-degree or complete (third-degree) atrioventricular block, unless a functioning pacemaker is in "
        "place;\n  - active hepatitis B\n"))
    (criterion,) = compile_trial(trial).criteria

    def conditions(rule):
        if rule.kind == "group":
            return [c for child in rule.rules for c in conditions(child)]
        return [(rule.conditions[0], rule.timing)] if rule.kind == "condition" else []

    found = conditions(criterion.rules[0])
    assert ("high_grade_av_block", "any") in found and ("cardiac_pacemaker", "current") in found
    assert ("hepatitis_b", "current") in found


# --- the thirtieth hold-out round (tests/holdout30/) ----------------------------------------------------------------


def test_a_strict_bound_under_outside_the_following_limits_names_the_side_outside():
    """holdout30 NCT00395200 'a full blood count outside the following limits: haemoglobin below 10 g/dl, ...' had
    excluded every patient with a normal count (the bounds complemented as if they were the limits)."""
    found = compile_text("Haematological disorder, or a full blood count outside the following limits: haemoglobin "
                         "below 10 g/dl, platelets below 100 x 10^9/l, white cell count below 3.0 x 10^9/l",
                         "exclusion", "X1")
    labs = {r.test: r.comparator for r in found if r.kind == "lab"}
    assert labs == {"haemoglobin": "<", "platelets": "<", "white_blood_cells": "<"}
    assert "manual_review" not in {r.kind for r in found}
    # (limits stated as what the patient must meet are still complemented)
    found = compile_text("Laboratory values outside any of the following limits: white blood cells 3,000/µL or more; "
                         "ALT no more than 2.5 × ULN", "exclusion", "X1")
    assert {r.test: r.comparator for r in found} == {"white_blood_cells": "<", "alt": ">"}


def test_drugs_stay_exposures_beside_the_reason_they_are_contraindicated_and_not_taking_is_now():
    """holdout30 NCT00395200 '... current treatment with warfarin, heparin or other anticoagulants (contraindications
    to bone marrow aspiration)' lost the drugs; NCT00147446 'Either not taking a disease-modifying drug, or taking
    ...' had failed every patient ever treated."""
    found = compile_text("Bleeding disorder, or current treatment with warfarin, heparin or other anticoagulants "
                         "(contraindications to bone marrow aspiration)", "exclusion", "X1")
    (drug,) = [r for r in found if r.kind == "prior_drug"]
    assert (drug.classes, drug.current) == (["anticoagulant"], True)
    assert compile_text("Hypersensitivity to heparin", "exclusion", "X1")[0].kind == "manual_review"
    (rule,) = compile_text("Not taking a disease-modifying drug", "inclusion", "X1")
    assert (rule.polarity, rule.current) == ("exclude", True)


def test_a_count_of_lesions_or_one_more_is_a_range_and_a_joined_condition_ignores_another_items_window():
    """holdout30 NCT02903537 '1 or 2 new T2 or gadolinium-enhancing lesions in the last year' (a low-activity group);
    NCT00147446 'Current major depressive episode with suicidal ideation, or a suicide attempt within the past 5
    years' had excluded every current depression."""
    low, high = compile_text("1 or 2 new T2 or gadolinium-enhancing lesions in the last year", "inclusion", "X1")
    assert (low.polarity, low.min_count, high.polarity, high.min_count) == ("require", 1, "exclude", 3)
    joined, attempt = compile_text("Current major depressive episode with suicidal ideation, or a suicide attempt "
                                   "within the past 5 years", "exclusion", "X1")
    assert joined.kind == "group" and joined.mode == "all"
    assert (attempt.conditions, attempt.window.within.value) == (["suicide_attempt"], 5.0)


def test_a_condition_a_score_defines_goes_to_a_person():
    """holdout30 NCT04533971 'Fatigue confirmed by a result of at least 36 points in the Fatigue Severity Scale' and
    NCT05956119 'Spasticity of the medial gastrocnemius of grade 1+ or more in the Modified Ashworth Scale' had
    required the condition of every patient (21 wrong fails each): the scale decides, which the record does not hold."""
    for text in ("Fatigue confirmed by a result of at least 36 points in the Fatigue Severity Scale (FSS).",
                 "Spasticity of the medial gastrocnemius of grade 1+ or more in the Modified Ashworth Scale.",
                 "Low mood or anxiety: a score of 8 or above on the depression subscale (HADS-D) or on the anxiety "
                 "subscale (HADS-A) of the Hospital Anxiety and Depression Scale."):
        assert [r.kind for r in compile_text(text, "inclusion", "X1")] == ["manual_review"], text
    (rule,) = compile_text("Spasticity of the lower limbs", "inclusion", "X1")
    assert rule.conditions == ["spasticity"]


def test_an_agreement_to_avoid_pregnancy_is_contraception_and_a_suspected_pregnancy_a_persons():
    """holdout30 NCT02988401 'Women of childbearing potential must agree to avoid pregnancy, by contraception or
    abstinence' had required a pregnancy (21 wrong fails); NCT05956119 'Pregnancy or suspicion of pregnancy' and
    NCT02903537 '..., or desire for pregnancy during the study' left the suspicion and the wish unread."""
    (rule,) = compile_text("Women of childbearing potential must agree to avoid pregnancy, by contraception or "
                           "abstinence, for the duration of the study.", "inclusion", "X1")
    assert (rule.kind, rule.polarity) == ("contraception", "require")
    (rule,) = compile_text("Women unwilling to avoid pregnancy", "exclusion", "X1")
    assert (rule.kind, rule.polarity) == ("contraception", "require")
    for text in ("Pregnancy or suspicion of pregnancy.", "Pregnancy or lactation, or desire for pregnancy during the study."):
        rule, review = compile_text(text, "exclusion", "X1")
        assert (rule.kind, rule.polarity, review.category) == ("pregnancy", "exclude", "partial")


def test_a_drug_or_class_without_an_id_after_or_an_is_left_for_a_person():
    """holdout30: 'an anxiolytic medication', 'an anticonvulsant other than ...' and 'an amphetamine that was started
    ...' had been dropped silently (coverage full)."""
    for text, word in (("If taking an antidepressant or an anxiolytic medication, the dose has been stable for at least "
                        "8 weeks before enrollment", "anxiolytic"),
                       # (anticonvulsants have a class since session 30: an antiemetic has none)
                       ("Use within 6 weeks before screening of a tricyclic antidepressant, or of an antiemetic "
                        "other than ondansetron or metoclopramide.", "antiemetic"),
                       ("Current treatment with modafinil, armodafinil, methylphenidate or an amphetamine that was "
                        "started less than 3 months before enrollment", "amphetamine")):
        review = compile_text(text, "inclusion" if text.startswith("If") else "exclusion", "X1")[-1]
        assert review.category == "partial" and word in review.why, text


def test_a_contraindication_to_gadolinium_enhanced_mri_is_an_mri_contraindication():
    found = compile_text("Contraindication for gadolinium-enhanced MRI (e.g. claustrophobia, pacemaker or allergy to "
                         "gadolinium).", "exclusion", "X1")
    assert found[0].conditions == ["mri_contraindication"]


def test_a_grade_no_worse_than_allows_the_better_ones_and_excludes_the_worse():
    """holdout30 NCT07178431 'heart: heart failure no worse than NYHA class II, and ...' had required heart failure of
    every patient (20 wrong fails): NYHA III and IV are excluded, a patient without heart failure passes."""
    for text in ("heart failure no worse than NYHA class II, and left ventricular ejection fraction of 45% or more",
                 "Heart failure NYHA class II or better"):
        rule = compile_text(text, "inclusion", "X1")[0]
        assert (rule.polarity, rule.conditions) == ("exclude", ["heart_failure_nyha_iii", "heart_failure_nyha_iv"])


def test_a_criterion_of_a_labelled_cohort_holds_for_the_courses_another_criterion_gives_it():
    """holdout30 NCT03993171 'Cohort 2 only: an MS relapse, or a gadolinium-enhancing lesion on brain MRI, within the
    5 years before Screening', with 'Cohort 2: primary progressive MS or non-active secondary progressive MS ...'
    under another criterion, had excluded the relapsing cohort's recent relapses."""
    text = ("Inclusion Criteria:\n- Disease course and current therapy according to the cohort:\n"
            "  - Cohort 1: relapsing-remitting MS, treated with natalizumab for at least the 6 months before Screening;\n"
            "  - Cohort 2: primary progressive MS or non-active secondary progressive MS, treated with ocrelizumab.\n"
            "Exclusion Criteria:\n- Cohort 2 only: an MS relapse, or a gadolinium-enhancing lesion on brain MRI, within "
            "the 5 years before Screening.\n")
    ruleset = compile_trial(Trial(id="T1", source="test", source_format="text", criteria_text=text))
    (exclusion,) = [c for c in ruleset.criteria if c.section == "exclusion"]
    assert {r.kind for r in exclusion.rules} == {"relapse_activity", "mri_activity"}
    assert all(r.when.subtypes == ["PPMS", "SPMS"] for r in exclusion.rules)
    # (cohorts that share a course, told apart by treatment, scope nothing)
    same = text.replace("primary progressive MS or non-active secondary progressive MS", "relapsing-remitting MS")
    ruleset = compile_trial(Trial(id="T1", source="test", source_format="text", criteria_text=same))
    (exclusion,) = [c for c in ruleset.criteria if c.section == "exclusion"]
    assert all(r.when is None for r in exclusion.rules if r.kind != "manual_review")


def test_an_infection_of_one_site_is_no_infection_of_any_kind_and_excepting_excepts():
    """holdout30 NCT04533971 'Open wounds, pressure ulcers or skin infections' had excluded any infection (as had
    holdout11's 'a skin infection at the lumbar puncture site' and holdout23's 'an active dental or jaw infection');
    NCT02903537 'Malignant neoplasm, current or in the last 5 years, excepting treated basal cell carcinoma' lost its
    exception."""
    found = compile_text("Open wounds, pressure ulcers or skin infections.", "exclusion", "X1")
    assert "infection" not in [c for r in found if r.kind == "condition" for c in r.conditions]
    assert "skin infections" in found[-1].why
    (rule,) = compile_text("Active infection", "exclusion", "X1")
    assert rule.conditions == ["infection"]
    (rule,) = compile_text("Malignant neoplasm, current or in the last 5 years, excepting treated basal cell carcinoma "
                           "of the skin.", "exclusion", "X1")
    assert rule.exceptions == ["basal_cell_carcinoma"]


def test_an_edss_bound_in_points_and_a_constant_treatment_and_a_drug_taken_now_beside_a_window():
    """holdout30 NCT04533971 'Degree of disability in the EDSS scale of not more than 6.5 points' (read as a change of
    points, nothing); 'Constant immunomodulatory treatment (...) for at least 6 months' (now); NCT02596633 'An MS
    relapse within the past 3 months, or currently taking steroids for a relapse' (the steroids had taken the 3
    months, and the window's 'past' had made them history)."""
    (rule,) = compile_text("Degree of disability in the EDSS scale of not more than 6.5 points.", "inclusion", "X1")
    assert (rule.kind, rule.score.high) == ("edss", 6.5)
    (group,) = compile_text("Constant immunomodulatory treatment (interferon beta, glatiramer acetate) for at least 6 "
                            "months, or no immunomodulatory treatment during the last 6 months.", "inclusion", "X1")
    assert any(r.kind == "prior_drug" and r.current for r in group.rules)
    relapse, steroids = compile_text("An MS relapse within the past 3 months, or currently taking steroids for a "
                                     "relapse.", "exclusion", "X1")
    assert relapse.window.within.value == 3.0
    assert (steroids.kind, steroids.current) == ("prior_drug", True)
    # (a drug in the window's clause keeps it: "Relapse within 30 days, or corticosteroids for a relapse during that
    # period")
    _, steroids = compile_text("Relapse within 30 days, or corticosteroids for a relapse during that period",
                               "exclusion", "X1")
    assert steroids.kind == "washout"


def test_a_dose_not_stable_long_enough_excludes_those_on_it_for_less():
    """holdout30 NCT02988401 'Use of any of the following at a dose that has not been stable for at least 6 weeks
    before screening: ...' and 'Oxybutynin or tolterodine, unless taken at a stable dose for more than 6 months with
    no dose change planned' went whole to a person: on the drug and not that long excludes (an excluded all-of)."""
    (group,) = compile_text("Use of any of the following at a dose that has not been stable for at least 6 weeks "
                            "before screening: SSRIs or SNRIs, amantadine or memantine", "exclusion", "X1")
    on, long = group.rules
    assert (group.mode, group.polarity) == ("all", "exclude")
    assert (on.polarity, on.current, long.polarity, long.min_duration.value) == ("require", True, "exclude", 6.0)
    assert long.qualifier  # (the dose's stability: a patient on it 6 weeks or more goes to a person)
    group, review = compile_text("Oxybutynin or tolterodine, unless taken at a stable dose for more than 6 months with "
                                 "no dose change planned.", "exclusion", "X1")
    assert group.rules[0].drugs == ["oxybutynin", "tolterodine"] and "planned" in review.why


def test_in_case_of_treatment_is_a_conditional_lead_and_either_no_therapy_an_untreated_arm():
    """holdout30 NCT05956119 'In case of pharmacological treatment for spasticity (baclofen, ...), stable dose during
    the 3 months prior to the inclusion' (translated) went to a person; NCT02988401 'Either no disease-modifying
    therapy, or the same disease-modifying therapy without interruption, for at least the 6 months before screening;
    ...' had read as no DMT in the 6 months only."""
    (group,) = compile_text("In case of pharmacological treatment for spasticity (baclofen, tizanidine, nabiximols), "
                            "stable dose during the 3 months prior to the inclusion.", "inclusion", "X1")
    assert group.mode == "any" and {r.polarity for r in group.rules} == {"exclude", "require"}
    assert group.rules[0].classes == ["antispasticity"]
    group = compile_text("Either no disease-modifying therapy, or the same disease-modifying therapy without "
                         "interruption, for at least the 6 months before screening; no change of therapy planned for "
                         "the next 12 months.", "inclusion", "X1")[0]
    assert group.mode == "any" and any(r.polarity == "require" and r.min_duration for r in group.rules)


def test_antibodies_against_one_target_and_non_dihydropyridine_blockers_are_parts_of_their_class():
    """holdout30 NCT06292923 'Prior exposure to foralumab or to any other anti-CD3 monoclonal antibody' had excluded
    every patient ever given natalizumab or ocrelizumab (any monoclonal antibody); NCT06816004 'non-dihydropyridine
    calcium channel blockers' had read as every calcium channel blocker. A person checks a member; anti-CD20 stays
    the lexicon's class."""
    rule = compile_text("Prior exposure to foralumab or to any other anti-CD3 monoclonal antibody (e.g. teplizumab, "
                        "otelixizumab).", "exclusion", "X1")[0]
    assert (rule.classes, rule.qualifier) == (["monoclonal_antibody"], "anti-CD3")
    (rule,) = compile_text("Current use of non-dihydropyridine calcium channel blockers", "exclusion", "X1")
    assert (rule.classes, rule.qualifier) == (["calcium_channel_blocker"], "non-dihydropyridine")
    (rule,) = compile_text("Previous treatment with an anti-CD20 monoclonal antibody (rituximab, ocrelizumab, ofatumumab "
                           "or ublituximab)", "exclusion", "X1")
    assert (rule.classes, rule.qualifier) == (["anti_cd20"], None)


def test_an_infection_with_one_pathogen_is_no_infection_of_any_kind():
    """holdout30 NCT07178431 '... or one vaccine dose and a documented SARS-CoV-2 infection' had required a current
    infection; holdout29 NCT04834401 'Laboratory-confirmed SARS-CoV-2 infection at any time' had excluded any."""
    found = compile_text("Laboratory-confirmed SARS-CoV-2 infection at any time before the baseline visit",
                         "exclusion", "X1")
    assert "infection" not in [c for r in found if r.kind == "condition" for c in r.conditions]
    (rule,) = compile_text("Active bacterial, viral or fungal infection", "exclusion", "X1")
    assert rule.conditions == ["bacterial_infection", "viral_infection", "fungal_infection"]


def test_an_unread_exception_goes_to_a_person():
    """holdout30 NCT02903537 '..., or with interferon beta except in patients of group d, in the 4 weeks before
    inclusion' was full: the exception had been dropped silently."""
    review = compile_text("Treatment with glatiramer acetate, or with interferon beta except in patients of group d, in "
                          "the 4 weeks before inclusion.", "exclusion", "X1")[-1]
    assert review.category == "partial" and "except" in review.why
    # (the screening period is in a window counted back from the day of screening: "... within 30 days before
    # screening or at any time during screening" needs no person)
    found = compile_text("An MS relapse within 60 days before screening, or systemic corticosteroid treatment for a "
                         "relapse within 30 days before screening or at any time during screening.", "exclusion", "X1")
    assert [r.kind for r in found] == ["relapse_activity", "washout"]
    # (an exception read is no residue: "except adequately treated basal cell carcinoma")
    assert [r.kind for r in compile_text("Malignancy within 5 years, except adequately treated basal cell carcinoma",
                                         "exclusion", "X1")] == ["condition"]


def test_hepatitis_c_rna_is_hepatitis_c_unless_undetectable_and_the_mcdonald_revisions_and_ms_duration():
    """holdout30 NCT06083753 'Positive test for HIV, hepatitis B surface antigen or hepatitis C RNA at screening' lost
    hepatitis C; '... according to the 2017 revisions of the McDonald criteria' lost the year; 'MS disease duration of
    no more than 15 years ...' required a diagnosis of its own."""
    (rule,) = compile_text("Positive test for HIV, hepatitis B surface antigen or hepatitis C RNA at screening.",
                           "exclusion", "X1")
    assert rule.conditions == ["hiv", "viral_hepatitis"]
    (group,) = [r for r in compile_text("Positive hepatitis C antibody test, unless HCV RNA is undetectable",
                                        "exclusion", "X1") if r.kind == "group"]
    assert group.rules[0].conditions == ["hepatitis_c"]
    diagnosis, _ = compile_text("Diagnosis of relapsing-remitting MS (RRMS) according to the 2017 revisions of the "
                                "McDonald criteria.", "inclusion", "X1")
    assert diagnosis.criteria_version == "McDonald 2017"
    assert [r.kind for r in compile_text("MS disease duration of no more than 15 years from the onset of the first "
                                         "symptoms.", "inclusion", "X1")] == ["disease_duration"]


def test_a_course_without_current_treatment_is_untreated_now():
    """holdout30 NCT02903537 'Relapsing-remitting MS with low activity (...) without current treatment' had dropped the
    treatment silently."""
    found = compile_text("Relapsing-remitting MS with low activity (1 relapse in the last year, or 1 or 2 new T2 or "
                         "gadolinium-enhancing lesions in the last year) without current treatment.", "inclusion", "X1")
    (untreated,) = [r for r in found if r.kind == "prior_drug"]
    assert (untreated.polarity, untreated.classes, untreated.current) == ("exclude", ["dmt"], True)


def test_a_condition_at_a_frequency_excludes_only_at_it():
    """holdout30 NCT06816004 'Chronic headache or migraine occurring on 15 or more days per month' excluded any
    migraine; 'Seizures occurring more than once a week' had lost its frequency silently (taken as a drug's
    frequency, with no drug named). The condition excludes with a person's check of how often."""
    for text, condition in (("Chronic headache or migraine occurring on 15 or more days per month", "migraine"),
                            ("Seizures occurring more than once a week", "seizure")):
        group = next(r for r in compile_text(text, "exclusion", "X1") if r.kind == "group")
        assert (group.mode, group.polarity, group.rules[0].conditions) == ("all", "exclude", [condition])
        assert group.rules[1].kind == "manual_review" and "occurring" in group.rules[1].why
    (rule,) = compile_text("Use of NSAIDs 5 or more days a week", "exclusion", "X1")
    assert rule.qualifier == "5 or more days a week"


# --- session 30: leftovers of holdout30, and a class of antiepileptic drugs ---------------------------------------


def test_a_duration_set_off_after_both_arms_is_the_untreated_arms_window():
    """holdout30 NCT02988401 'Either no disease-modifying therapy, or the same disease-modifying therapy without
    interruption, for at least the 6 months before screening' read the untreated arm as no DMT now: a DMT stopped a
    month ago passed. The duration after the comma is both arms': no DMT in those 6 months."""
    for text in ("Either no disease-modifying therapy, or the same disease-modifying therapy without interruption, for "
                 "at least the 6 months before screening.",
                 "Either no disease-modifying therapy, or the same disease-modifying therapy without interruption, for "
                 "at least the 6 months before screening; no change of therapy planned for the next 12 months.",
                 "Either untreated, or on the same DMT, for at least 6 months."):
        group = next(r for r in compile_text(text, "inclusion", "X1") if r.kind == "group")
        untreated, treated = group.rules
        assert (untreated.kind, untreated.polarity, untreated.classes) == ("washout", "exclude", ["dmt"])
        assert (untreated.window.within.value, untreated.window.within.unit) == (6, "months")
        assert (treated.kind, treated.polarity, treated.current) == ("prior_drug", "require", True)
    # (without the comma the duration is the treated arm's: the untreated are off a DMT now)
    group = next(r for r in compile_text("Either untreated, or on the same DMT for at least 6 months.", "inclusion",
                                         "X1") if r.kind == "group")
    assert (group.rules[0].kind, group.rules[0].current) == ("prior_drug", True)


def test_antiepileptic_drugs_are_a_class():
    """Anticonvulsants had no class in the lexicon: 'current treatment with anticonvulsant medication' (holdout13),
    'an anticonvulsant other than carbamazepine, gabapentin or pregabalin' (holdout30) went to a person, and
    'previous treatment with levetiracetam' (holdout29) was no rule at all."""
    found = compile_text("History of seizures, other than febrile seizures of early childhood, or current treatment "
                         "with anticonvulsant medication.", "exclusion", "X1")
    (drug,) = [r for r in found if r.kind == "prior_drug"]
    # (the history is the first clause's; the second says current)
    assert (drug.classes, drug.current) == (["antiepileptic"], True)
    (washout,) = compile_text("Use within 6 weeks before screening of a tricyclic antidepressant, or of an "
                              "anticonvulsant other than carbamazepine, gabapentin or pregabalin.", "exclusion", "X1")
    assert washout.classes == ["tricyclic_antidepressant", "antiepileptic"]
    assert washout.except_drugs == ["carbamazepine", "gabapentin", "pregabalin"]
    (rule,) = compile_text("Previous treatment with levetiracetam (Keppra)", "exclusion", "X1")
    assert (rule.drugs, rule.current) == (["levetiracetam"], False)
    # (what the drug is taken for, when the class has several uses: gabapentin for pain is no seizure control)
    (rule,) = [r for r in compile_text("History of seizures or a seizure disorder, or current treatment with an "
                                       "antiepileptic drug for seizure control", "exclusion", "X1")
               if r.kind == "prior_drug"]
    assert (rule.classes, rule.qualifier) == (["antiepileptic"], "for seizure control")


def test_a_class_narrowed_by_what_its_drugs_do_is_the_drugs_listed():
    """'anticonvulsants that induce vitamin D metabolism (phenytoin, carbamazepine, phenobarbital)' (holdout15),
    'another sodium-channel blocking anticonvulsant (e.g. carbamazepine, oxcarbazepine, lamotrigine)' (holdout4) and
    'such as the anticonvulsants phenytoin or carbamazepine' (holdout27) name a part of the class: its members listed,
    not every antiepileptic."""
    (rule, _) = compile_text("Current treatment with thiazide diuretics, digoxin, or anticonvulsants that induce "
                             "vitamin D metabolism (phenytoin, carbamazepine, phenobarbital).", "exclusion", "X1")
    assert "antiepileptic" not in rule.classes and {"phenytoin", "carbamazepine", "phenobarbital"} <= set(rule.drugs)
    (washout, review) = compile_text("Use of phenytoin, fosphenytoin or another sodium-channel blocking anticonvulsant "
                                     "(e.g. carbamazepine, oxcarbazepine, lamotrigine) within the 3 months before "
                                     "randomisation, or known allergy to phenytoin or other hydantoins.", "exclusion", "X1")
    assert washout.classes == [] and "lamotrigine" in washout.drugs and review.category == "partial"
    (rule, _) = compile_text("Chronic use of drugs that interfere with vitamin D metabolism, such as the anticonvulsants "
                             "phenytoin or carbamazepine", "exclusion", "X1")
    assert (rule.drugs, rule.classes) == (["phenytoin", "carbamazepine"], [])


def test_a_drug_named_for_the_bodys_handling_of_it_is_no_use():
    """'drugs that interfere with vitamin D metabolism' excluded everyone taking vitamin D; 'a history of insulin
    resistance' excluded everyone taking insulin."""
    found = compile_text("Chronic use of drugs that interfere with vitamin D metabolism", "exclusion", "X1")
    assert not [r for r in found if r.kind == "prior_drug"]
    found = compile_text("Diabetes mellitus (type 1 or type 2), a history of insulin resistance or prediabetes, or a "
                         "haemoglobin A1c of 6.5% or higher at screening.", "exclusion", "X1")
    assert not [r for r in found if r.kind == "prior_drug"]
    assert found[-1].kind == "manual_review" and "insulin resistance" in found[-1].why


# --- the thirty-first hold-out round --------------------------------------------------------------------------------


def test_a_cause_other_than_ms_makes_the_general_term_a_persons():
    """holdout31 NCT02220244 'Optic neuropathy of a cause other than MS (e.g. ...)' excluded the MS optic neuropathy
    the trial requires; 'Tremor of another origin, such as Parkinson's disease' (holdout21) excluded the MS tremor
    the trial treats. The example stays."""
    found = compile_text("Optic neuropathy of a cause other than MS (e.g. ischaemic, compressive, toxic or hereditary "
                         "optic neuropathy)", "exclusion", "X1")
    assert [r.kind for r in found] == ["manual_review"]
    found = compile_text("Tremor of another origin, such as Parkinson's disease", "exclusion", "X1")
    assert [r.conditions for r in found if r.kind == "condition"] == [["parkinsons_disease"]]
    assert found[-1].category == "partial" and "Tremor" in found[-1].why
    (rule,) = compile_text("Spasticity due to MS", "exclusion", "X1")
    assert rule.conditions == ["spasticity"]


@pytest.mark.parametrize("text", [
    "Men allocated to cladribine agree to use safe contraception while taking tablets and for 6 months after the "
    "last tablet of each treatment year.",
    "Completed the 96-week double-blind treatment period of study TG1101-RMS301 or TG1101-RMS302.",
    "A natalizumab trough concentration of 15 µg/mL or higher, measured just before the baseline infusion.",
    "Planned switch to another disease-modifying treatment in the coming 12 months.",
    "Exposure to AVONEX through the male partner only (paternal exposure)",
    "The same pregnancy already enrolled in another interferon beta pregnancy registry",
    "Exposure that cannot be dated because the date of the last AVONEX dose is unknown",
])
def test_a_drug_named_for_something_else_is_no_exposure(text):
    """holdout31: the arm of the study, a study's code (TG1101 is ublituximab's), a drug level, a plan, a partner's
    treatment, a registry and a date on record had each required or excluded the drug (and 'the same pregnancy ...
    enrolled in another pregnancy registry' had excluded every pregnant woman of a pregnancy registry)."""
    found = compile_text(text, "inclusion" if text.startswith(("Men", "Completed", "A natalizumab")) else "exclusion",
                         "X1")
    assert not [r for r in found if r.kind in ("prior_drug", "washout", "pregnancy")], found


def test_an_untimed_period_is_the_qualifier_of_the_drugs_it_times():
    """holdout31 NCT00168714 'Exposure during the first trimester to another DMT, namely ...' and NCT04130997 'Any of
    the following treatments since the last dose of study drug in the parent study: - ...' excluded every patient ever
    given the drugs. The time is one the record cannot date: a patient never given them is decided, one given them goes
    to a person."""
    (rule,) = compile_text("Exposure during the first trimester to another disease-modifying therapy for MS, namely "
                           "interferon beta-1b (Betaseron), glatiramer acetate (Copaxone) or natalizumab (Tysabri)",
                           "exclusion", "X1")
    assert rule.qualifier == "during the first trimester" and "natalizumab" in rule.drugs
    (rule, _) = compile_text("Participants who stopped study drug early in the parent study are eligible only if they "
                             "stayed in follow-up until Week 96 and have received no disease-modifying therapy other "
                             "than the parent-study drugs (ublituximab or teriflunomide) since their last parent-study "
                             "dose.", "inclusion", "X1")
    assert rule.qualifier == "since their last parent-study dose"
    ruleset = _ruleset_of("Exclusion Criteria:\n- Any of the following treatments since the last dose of study drug "
                          "in the parent study:\n  - alemtuzumab, cladribine or mitoxantrone\n  - natalizumab")
    leaves = [r for c in ruleset.criteria for r in _leaves(c.rules) if r.kind == "prior_drug"]
    assert leaves and all(r.qualifier == "since the last dose of study drug in the parent study" for r in leaves)


def test_a_relapse_not_yet_recovered_from_and_a_suspected_condition_go_to_a_person():
    """holdout31 NCT04130997 'MS relapse within 30 days before Day 1, or not yet clinically stable after a previous
    relapse' required a relapse of every patient; '... or clinical or MRI findings suggestive of PML at screening'
    was dropped silently."""
    found = compile_text("MS relapse within 30 days before Day 1, or not yet clinically stable after a previous "
                         "relapse.", "exclusion", "X1")
    assert [(r.kind, r.polarity) for r in found] == [("relapse_activity", "exclude"), ("manual_review", "exclude")]
    found = compile_text("History of progressive multifocal leukoencephalopathy (PML), or clinical or MRI findings "
                         "suggestive of PML at screening.", "exclusion", "X1")
    assert found[0].conditions == ["pml"] and found[-1].category == "partial" and "suggestive" in found[-1].why


def test_disease_activity_defined_by_its_items_times_each_of_them():
    """holdout31 NCT03516526 'No signs of disease activity during the last 12 months of natalizumab treatment: no
    relapses, no new or enlarging T2 lesions and no gadolinium-enhancing lesions' timed the relapses only (and required
    natalizumab in the window); NCT04121403 '... the last 12 months before inclusion, seen as either a clinical relapse,
    or MRI activity (...)' likewise."""
    found = compile_text("No signs of disease activity during the last 12 months of natalizumab treatment: no "
                         "relapses, no new or enlarging T2 lesions and no gadolinium-enhancing lesions on MRI.",
                         "inclusion", "X1")
    assert {r.kind for r in found} == {"relapse_activity", "mri_activity"}
    assert all(r.window and r.window.within.value == 12 for r in found)
    (group,) = compile_text("Disease activity the last 12 months before inclusion, seen as either a clinical relapse, "
                            "or MRI activity (a new T2 lesion or a contrast-enhancing lesion).", "inclusion", "X1")
    assert all(r.window and r.window.within.value == 12 for r in group.rules)


def test_starts_each_with_its_own_window_and_an_untreated_arm_sharing_one():
    """holdout31 NCT02220244 'Any new disease-modifying ... treatment started less than 3 months before inclusion, or
    fampridine started less than 1 month before inclusion' and NCT05893225 'Either no DMT during the 12 months before
    screening, or the same DMT used without change during those 12 months, ...' went whole to a person."""
    found = compile_text("Any new disease-modifying treatment started less than 3 months before inclusion, or "
                         "fampridine started less than 1 month before inclusion", "exclusion", "X1")
    assert [(r.classes or r.drugs, r.started, r.window.within.value) for r in found] == [
        (["dmt"], True, 3), (["fampridine"], True, 1)]
    group, review = compile_text("Either no disease-modifying treatment during the 12 months before screening, or the "
                                 "same disease-modifying treatment used without change during those 12 months, and no "
                                 "change foreseen during the trial.", "inclusion", "X1")
    untreated, treated = group.rules
    assert (untreated.kind, untreated.window.within.value) == ("washout", 12)
    assert (treated.kind, treated.current, treated.min_duration.value) == ("prior_drug", True, 12)
    assert review.category == "partial" and "foreseen" in review.why


@pytest.mark.parametrize("text, kind", [
    ("Time since the first MS symptom of 10 years or less", "disease_duration"),
    ("The degree of disability ranges from 2 to 4.5 on the Expanded Disability Status Scale (EDSS).", "edss"),
    ("Thirty patients with multiple sclerosis from both sexes will participate in this study.", "ms_diagnosis"),
    ("The patients are on a stable disease modifying treatment (interferon beta-1a, interferon beta-1b or fingolimod) "
     "for at least 6 months and will continue the same treatment during the study period.", "prior_drug"),
])
def test_translated_inclusions_are_read(text, kind):
    """holdout31 NCT04458688 and NCT07064239 (translated wording): each went whole to a person."""
    assert kind in [r.kind for r in compile_text(text, "inclusion", "X1")]


def test_labs_and_terms_in_other_words():
    """holdout31: 'thrombocyte and leukocyte counts within the reference range of the local laboratory', 'a previous
    allergic reaction to a gadolinium-based contrast agent', 'Contraindication for the realisation of MRI', 'secondary
    progressive forms of multiple sclerosis' (which had excluded PPMS too), 'Alcohol dependence, or regular use of a
    sedative or hypnotic medication' (the sedatives dropped as a use disorder's)."""
    tests = {r.test for r in compile_text("Thrombocyte and leukocyte counts within the reference range of the local "
                                          "laboratory", "inclusion", "X1")}
    assert tests == {"platelets", "white_blood_cells"}
    found = compile_text("Platelet and neutrophil counts within normal limits", "inclusion", "X1")
    assert {r.test for r in found} == {"platelets", "neutrophils"}
    found = compile_text("Contraindication to gadolinium: a previous allergic reaction to a gadolinium-based contrast "
                         "agent, or an eGFR below 30 mL/min/1.73 m2", "exclusion", "X1")
    assert ["gadolinium_hypersensitivity"] in [r.conditions for r in found if r.kind == "condition"]
    (rule,) = compile_text("Contraindication for the realisation of MRI.", "exclusion", "X1")
    assert rule.conditions == ["mri_contraindication"]
    (rule,) = compile_text("Relapsing-remitting or secondary progressive forms of multiple sclerosis.", "exclusion", "X1")
    assert rule.subtypes == ["RRMS", "SPMS"]
    found = compile_text("Alcohol dependence, or regular use of a sedative or hypnotic medication at night (e.g., "
                         "benzodiazepines, zolpidem).", "exclusion", "X1")
    assert "sedative_hypnotic" in next(r for r in found if r.kind == "prior_drug").classes


def test_criteria_of_an_optional_procedure_decide_no_entry():
    """holdout24 NCT02504840 'Additional exclusion criteria for the MRI with gadolinium (participants who meet them may
    take part without contrast): - eGFR below 45 ... - History of an allergic reaction to a gadolinium-based contrast
    agent' had excluded from the study those the heading keeps in it."""
    ruleset = _ruleset_of("Exclusion Criteria:\n- Additional exclusion criteria for lumbar puncture (participants who "
                          "meet them may take part without it):\n  - Platelet count below 100,000/µL\n  - Current "
                          "anticoagulant therapy")
    (criterion,) = ruleset.criteria
    assert [(r.kind, r.category) for r in criterion.rules] == [("manual_review", "clinical")]


def test_a_count_of_the_following_drugs_an_allocation_anchor_and_an_alternative_without_the_condition():
    """holdout31 NCT04279912 'adequate trials of at least two of the following drugs: ...' asked one; NCT01450488
    '... within 4 weeks before treatment allocation' was counted from screening; NCT02220244 '..., either following one
    or more acute optic neuritis episodes or progressively without an acute episode' required optic neuritis (21 wrong
    fails)."""
    (rule, *_) = compile_text("Medication-refractory tremor: an inadequate response to, or intolerable side effects "
                              "from, adequate trials of at least two of the following drugs: propranolol, primidone, "
                              "topiramate, clonazepam, gabapentin or levetiracetam.", "inclusion", "X1")
    assert (rule.kind, rule.min_distinct) == ("prior_drug", 2)
    (rule,) = compile_text("Treatment with interferon beta or glatiramer acetate within 4 weeks before treatment "
                           "allocation.", "exclusion", "X1")
    assert rule.window.anchor == "randomization"
    found = compile_text("Documented worsening of visual acuity in the selected eye of at least 1/10 during the last 3 "
                         "years, either following one or more acute optic neuritis episodes or progressively without an "
                         "acute episode", "inclusion", "X1")
    assert [r.kind for r in found] == ["manual_review"]


def test_findings_in_combination_exclude_together():
    """holdout31 NCT03516526 'Anti-JCV antibody index above 1.5 in combination with natalizumab treatment for more
    than 24 months, or positive anti-JCV antibodies in combination with earlier use of immunosuppressive medication'
    excluded every patient on natalizumab for 2 years, whatever the index."""
    first, second = compile_text("Anti-JCV antibody index above 1.5 in combination with natalizumab treatment for more "
                                 "than 24 months, or positive anti-JCV antibodies in combination with earlier use of "
                                 "immunosuppressive medication.", "exclusion", "X1")
    assert (first.kind, first.mode, first.polarity) == ("group", "all", "exclude")
    assert [(r.kind, r.polarity) for r in first.rules] == [("lab", "require"), ("prior_drug", "require")]
    assert first.rules[1].min_duration.value == 24
    # (a finding no rule reads stays a person's check inside the all-of; "earlier" use is any use)
    assert [r.kind for r in second.rules] == ["manual_review", "prior_drug"] and second.rules[1].current is False


def test_a_commitment_joined_to_a_requirement_goes_to_a_person():
    """holdout31 NCT07064239 '... for at least 6 months and will continue the same treatment during the study period':
    read as a permission, the commitment had been dropped."""
    rule, review = compile_text("The patients are on a stable disease modifying treatment (interferon beta-1a, "
                                "interferon beta-1b or fingolimod) for at least 6 months and will continue the same "
                                "treatment during the study period.", "inclusion", "X1")
    assert (rule.kind, rule.min_duration.value) == ("prior_drug", 6) and review.category == "partial"


def test_a_window_without_its_preposition_and_a_condition_a_consumption_defines():
    """holdout31 NCT04121403 'myocardial infarction the last 6 months' (translated) was any myocardial infarction;
    NCT05893225 'Alcohol abuse (more than 21 units per week on average)' was any alcohol abuse (the consumption decides,
    which the record does not hold: a person, as a BMI-defined obesity)."""
    (rule,) = compile_text("Myocardial infarction the last 6 months", "exclusion", "X1")
    assert (rule.window.within.value, rule.window.within.unit) == (6, "months")
    # ("for at least the last 3 months" is how long, not a window)
    (rule,) = compile_text("Treatment with an interferon for at least the last 3 months", "inclusion", "X1")
    assert (rule.kind, rule.min_duration.value) == ("prior_drug", 3)
    (rule,) = compile_text("Alcohol abuse (more than 21 units per week on average) or acute alcohol intoxication at "
                           "screening.", "exclusion", "X1")
    assert rule.kind == "manual_review"


def test_a_bearing_on_strength_withdraws_the_general_term_not_its_examples():
    """holdout30 NCT03691766 'Neurological condition other than MS that affects muscle strength or walking (e.g.
    stroke, peripheral neuropathy, myopathy)' read the general term (every other neurological disorder excluded) and
    not its examples."""
    found = compile_text("Neurological condition other than MS that affects muscle strength or walking (e.g. stroke, "
                         "peripheral neuropathy, myopathy).", "exclusion", "X1")
    assert found[0].conditions == ["stroke", "polyneuropathy", "myopathy"]
    assert found[-1].category == "partial" and "affects" in found[-1].why


def test_an_exception_by_use_is_the_qualifier():
    """holdout31 NCT05893225 'Systemic corticosteroids within the 3 months before baseline, other than as premedication
    for an anti-CD20 infusion' dropped the exception silently (coverage full), excluding the patients given steroids as
    premedication. The use is the qualifier: an exposure found goes to a person."""
    (rule,) = compile_text("Systemic corticosteroids within the 3 months before baseline, other than as premedication "
                           "for an anti-CD20 infusion.", "exclusion", "X1")
    assert rule.classes == ["systemic_corticosteroid"] and "premedication" in rule.qualifier


# --- session 31 ---------------------------------------------------------------------------------------------------

_STARTS = "Baclofen, tizanidine or dantrolene started within the 30 days before screening."


@pytest.mark.parametrize("treatments, verdict", [
    # baclofen for years does not cover tizanidine begun last week (the joined any-of "not on any, or on one for 30
    # days" let this patient in)
    ([{"drug": "baclofen", "start": "2020-01-01"}, {"drug": "tizanidine", "start": "2026-10-28"}], "ineligible"),
    ([{"drug": "baclofen", "start": "2020-01-01"}, {"drug": "tizanidine", "start": "2025-05-01"}], "eligible"),
    # a start in the window stopped since is still a start in it
    ([{"drug": "dantrolene", "start": "2026-10-20", "end": "2026-10-27"}], "ineligible"),
    # a drug in use through the window whose start is not on record: a person checks
    ([{"drug": "tizanidine"}], "needs_review"),
    # a start after the reference date is no start before it
    ([{"drug": "tizanidine", "start": "2026-12-01"}], "eligible"),
])
def test_a_start_in_the_window_is_read_drug_by_drug(treatments, verdict):
    (rule,) = compile_text(_STARTS, "exclusion", "X1")
    assert (rule.kind, rule.started, rule.window.anchor) == ("washout", True, "screening")
    assert _screen_one(_STARTS, "exclusion", {"id": "p", "treatments": treatments}).verdict == verdict


def test_a_start_in_the_window_passes_once_the_window_is_past_the_start():
    """The wait is counted from the start (for a washout it is counted from the last dose)."""
    from matcher.report.insights import describe_wait
    (rule,) = compile_text(_STARTS, "exclusion", "X1")
    patient = {"id": "p", "treatments": [{"drug": "Zanaflex", "start": "2026-10-28"}]}
    (result,) = _screen_one(_STARTS, "exclusion", patient).criteria[0].rules
    assert (result.status, result.passes_from) == ("fail", date(2026, 11, 28))
    assert describe_wait(rule, result, None) == "the 30-day window after the start of tizanidine ends (Zanaflex " \
                                                "started 2026-10-28)"


# --- the thirty-second hold-out round -----------------------------------------------------------------------------

def _read(text: str, section: str = "exclusion") -> list[dict]:
    return [{**r.model_dump(exclude_defaults=True, exclude={"id", "criterion_id", "text", "span", "section"}),
             "kind": r.kind, "polarity": r.polarity} for r in compile_text(text, section, "X1")]


def test_a_sentence_saying_who_may_take_part_leaves_the_items_criteria_of_their_own():
    """holdout32 NCT00039988 (an old registry page): 'Patients may be eligible for this study if they:' had made its
    items one group, the first item's text holding every rule of the list."""
    ruleset = _ruleset_of("Inclusion Criteria\n\nPatients may be eligible for this study if they:\n\n"
                          "  • Are 18 to 55 years old.\n  • Have an EDSS score between 0 and 3.5.\n\n"
                          "Exclusion Criteria\n\nPatients may not be eligible for this study if they:\n\n"
                          "  • Have a history of seizures.\n  • Are pregnant or breast-feeding.\n")
    assert [(c.section, c.rules[0].kind) for c in ruleset.criteria] == [
        ("inclusion", "age"), ("inclusion", "edss"), ("exclusion", "condition"), ("exclusion", "pregnancy")]


def test_an_item_labelled_with_other_people_is_theirs():
    """holdout32 NCT00364936: 'Carers: ... may take part with the patient if aged 18 years or over' had required the
    patient to be 18."""
    ruleset = _ruleset_of("Inclusion Criteria:\n  • Severely affected by multiple sclerosis\n  • Carers: the relative "
                          "named by the patient may take part with the patient if aged 18 years or over\n")
    carers = criterion_with(ruleset, "Carers")
    assert [r.kind for r in carers.rules] == ["manual_review"] and "carers" in carers.rules[0].why


@pytest.mark.parametrize("text, kept, person", [
    # a catch-all item qualified by what it affects: the items named (the general term to a person)
    ("Have asthma or another lung disease affecting breathing function, or a bleeding disorder.",
     ["asthma", "coagulation_disorder"], "lung"),
    # "likely to ...": a relation, as "which may ..."
    ("Another progressive neurological disease likely to shorten life, such as motor neurone disease",
     ["amyotrophic_lateral_sclerosis"], "shorten"),
    # "lupus-like": resembling lupus, not lupus
    ("Systemic lupus erythematosus, or a history of drug-induced lupus-like syndrome.", ["sle"], "lupus-like"),
])
def test_qualified_catch_alls_and_likenesses_go_to_a_person(text, kept, person):
    found = _read(text)
    assert [c for r in found if r["kind"] == "condition" for c in r["conditions"]] == kept
    assert person in found[-1]["why"]


def test_a_time_word_of_an_item_no_rule_reads_does_not_stop_the_window():
    """holdout32 NCT01134627: 'Current severe depression, or suicidal ideation or a suicide attempt within the 6 months
    before screening': 'current' is the depression's; the window reaches the ideation too."""
    (rule, review) = _read("Current severe depression, or suicidal ideation or a suicide attempt within the 6 months "
                           "before screening.")
    assert rule["conditions"] == ["suicidality"] and rule["window"]["within"]["value"] == 6
    assert "severe depression" in review["why"]


def test_a_start_required_in_an_inclusion():
    """holdout32 NCT01134627: 'started at least 3 months and no more than 12 months before randomisation' had been read
    as use in the 12 months (and the 3 months dropped)."""
    on, started = compile_text("Currently treated with interferon beta-1a, started at least 3 months and no more than 12 "
                               "months before randomisation.", "inclusion", "X1")
    assert (on.kind, on.polarity, on.current, on.min_duration.value) == ("prior_drug", "require", True, 3)
    assert (started.kind, started.polarity, started.started) == ("washout", "require", True)
    assert (started.window.within.value, started.window.anchor) == (12, "randomization")
    # no start in a look-back window: a start at randomization, a start planned after baseline
    assert not [r for r in compile_text("Starting treatment with interferon beta at the time of randomization, or "
                                        "treated with interferon beta for no more than 3 months before randomization",
                                        "inclusion", "X1") if r.kind == "washout"]
    assert not [r for r in compile_text("Decision made to start ocrelizumab, with the first infusion planned within 30 "
                                        "days after the baseline visit", "inclusion", "X1") if r.kind == "washout"]


def test_an_age_qualified_by_a_trait_before_it_and_a_relatives_age():
    """holdout32 NCT01466114: 'Smokers aged 35 years or older' had excluded everyone 35 or older; 'breast cancer in a
    mother or sister before the age of 50' had excluded an age of 50."""
    (group,) = _read("Smokers aged 35 years or older.")
    assert (group["kind"], group["mode"], group["polarity"]) == ("group", "all", "exclude")
    assert [r["kind"] for r in _read("Patients aged 65 years or older.")] == ["age"]
    found = _read("History of breast cancer, or breast cancer in a mother or sister before the age of 50.")
    assert "age" not in [r["kind"] for r in found]


def test_the_month_0_visit_is_baseline():
    (rule,) = _read("No relapse within the 30 days before the month 0 visit.", "inclusion")
    assert rule["window"]["anchor"] == "baseline"


@pytest.mark.parametrize("text", [
    # holdout32 NCT01538225: the untreated arm named by "medication" had been dropped silently
    "Receiving oral anti-spasticity medication (for example baclofen, tizanidine or dantrolene) at a dose that has been "
    "stable for at least 2 months before screening, or not taking any anti-spasticity medication",
    # and a parenthesis before ", if any, unchanged during ..." had made it use in the window, required
    "Disease-modifying treatment (immunomodulating or immunosuppressive), if any, unchanged during the 6 months before "
    "screening",
])
def test_a_stable_treatment_or_none(text):
    group = compile_text(text, "inclusion", "X1")[0]
    assert (group.kind, group.mode) == ("group", "any")
    assert sorted(r.polarity for r in group.rules) == ["exclude", "require"]


def test_what_a_treatment_was_of_is_its_qualifier():
    """holdout32 NCT01538225: 'Treatment of spasticity with botulinum toxin in the 4 months' had excluded spasticity
    in a spasticity trial."""
    (rule,) = _read("Treatment of spasticity with botulinum toxin in the 4 months preceding screening")
    assert (rule["kind"], rule["qualifier"]) == ("washout", "for spasticity")


def test_naive_to_a_class_or_treated_only_with_its_members():
    """holdout32 NCT01633112: 'either naive to disease-modifying therapy or have been treated only with interferon beta
    and/or glatiramer acetate' had excluded the interferon and glatiramer users it admits."""
    (rule,) = _read("Patients must be either naive to disease-modifying therapy or have been treated only with interferon "
                    "beta and/or glatiramer acetate before screening", "inclusion")
    assert (rule["kind"], rule["polarity"], rule["classes"]) == ("prior_drug", "exclude", ["dmt"])
    assert {"interferon_beta_1a", "glatiramer_acetate"} <= set(rule["except_drugs"])


@pytest.mark.parametrize("text, conditions", [
    # a drug class naming a state: no drug (it had excluded everyone on an immunosuppressant)
    ("Any known immunosuppressive condition, including AIDS or a hereditary immune deficiency", ["immunodeficiency"]),
    # "anti-anxiety medication": what the drug acts against
    ("Started an antidepressant or an anti-anxiety medication within the past 8 weeks", []),
    # a study's name, a scale's name in title case, the causes a list after the colon gives
    ("Took part in the Fatigue Management Programs for People with MS study", []),
    ("At least mild distress on the Depression, Anxiety and Stress Scale (DASS-42) at screening", []),
    ("Other causes of fatigue found at screening, namely:", []),
    # (but the neuropathy of other causes is still the neuropathy)
    ("Other causes of optic neuropathy (ischaemic, compressive, toxic or hereditary)", ["optic_neuropathy"]),
    # the bounds by sex define the anaemia: the labs alone
    ("Anaemia (haemoglobin below 12 g/dL in women or below 13 g/dL in men)", []),
])
def test_words_that_name_no_condition_of_the_patient(text, conditions):
    section = "inclusion" if text.startswith("At least") else "exclusion"
    assert [c for r in _read(text, section) if r["kind"] == "condition" for c in r["conditions"]] == conditions


@pytest.mark.parametrize("text, kind, value, anchor", [
    ("Kidney stones in the recent 5 years.", "condition", 5, "screening"),  # translated "in the recent N"
    ("Smoking or drug abuse in the recent year.", "condition", 1, "screening"),
    ("Clinical relapse within the 30 days before admission", "relapse_activity", 30, "enrollment"),
])
def test_translated_windows_and_an_inpatient_admission(text, kind, value, anchor):
    rule = next(r for r in _read(text) if r["kind"] == kind)
    assert (rule["window"]["within"]["value"], rule["window"].get("anchor", "screening")) == (value, anchor)


def test_an_example_with_its_usual_route_stays_the_classes():
    """holdout32 NCT05229861: '(e.g. an intravenous methylprednisolone pulse)' had been excepted from the corticosteroids
    and given a rule of its own with a qualifier; a threshold still carves its member out."""
    (rule,) = _read("Corticosteroid treatment (e.g. an intravenous methylprednisolone pulse) within the 4 weeks before "
                    "admission")
    assert rule["classes"] == ["corticosteroid"] and not rule.get("except_drugs")
    found = _read("Anticoagulant or antiplatelet therapies, including aspirin > 81 mg/day")
    assert [r.get("qualifier") for r in found] == [None, "> 81 mg/day"]


def test_a_period_counted_from_another_study_named_by_its_code():
    (rule,) = _read("Treatment with any disease-modifying therapy other than BG00012 since the last dose of study treatment "
                    "in Study 109MS202.")
    assert rule["qualifier"] == "since the last dose of study treatment in Study 109MS202"


def test_lettered_alternatives_after_at_least_one_of_the_following():
    """holdout32 NCT05385744: 'namely at least one of the following: a) ...; b) ...; c) ...' had required all three."""
    (group,) = compile_text("Documented disease activity, namely at least one of the following: a) not less than 1 "
                              "relapse during the last 12 months; b) 2 relapses or more during the last 24 months; c) not "
                              "less than 1 gadolinium-enhancing lesion on brain MRI during the last 6 months.",
                              "inclusion", "X1")
    assert (group.kind, group.mode, len(group.rules)) == ("group", "any", 3)


def test_an_untreated_arm_before_a_list_of_treatments():
    """holdout32 NCT01466114: 'either untreated (no DMT during the 3 months before ...) or on a stable dose, for at least
    3 months ..., of one of the following approved treatments:' had required use of each listed drug in the 3 months."""
    ruleset = _ruleset_of("Inclusion Criteria:\n\n* Patients must be either untreated (no disease-modifying therapy "
                          "during the 3 months before baseline) or on a stable dose, for at least 3 months before "
                          "baseline, of one of the following approved treatments:\n  * glatiramer acetate\n"
                          "  * dimethyl fumarate\n")
    (group,) = criterion_with(ruleset, "either untreated").rules
    untreated, *treated = group.rules
    assert group.mode == "any" and (untreated.kind, untreated.polarity, untreated.classes) == ("washout", "exclude",
                                                                                              ["dmt"])
    assert [(r.drugs, r.current, r.min_duration.value) for r in treated] == [
        (["glatiramer_acetate"], True, 3), (["dimethyl_fumarate"], True, 3)]


def test_an_exposure_lasting_more_than():
    (rule,) = _read("Previous therapy with teriflunomide or leflunomide lasting more than 3 months.")
    assert rule["min_duration"]["value"] == 3


def test_an_alternative_after_or_comma_and_a_definition_by_ie():
    """holdout32 NCT00364936: '..., i.e. an EDSS score of 6.5 or more, or, where the EDSS cannot be rated, confined to
    bed ...' had required the EDSS (20 wrong fails); the words 'i.e.' defines are no part left for a person."""
    (group,) = compile_text("Severely affected by MS, i.e. an EDSS score of 6.5 or more, or, where the EDSS cannot be "
                            "rated, confined to bed or to a wheelchair for most of the day", "inclusion", "X1")
    assert group.mode == "any" and [r.kind for r in group.rules] == ["edss", "manual_review"]


def test_a_relapse_in_an_if_clause_is_not_required():
    found = compile_text("No relapse within the 30 days before the month 0 visit. If a relapse was treated with "
                         "corticosteroids, the month 0 visit must take place at least 30 days after the last steroid "
                         "dose.", "inclusion", "X1")
    assert [(r.kind, r.polarity) for r in found] == [("relapse_activity", "exclude"), ("manual_review", "require")]


def test_a_disease_duration_for_patients_with_a_total_edss_in_points():
    (rule,) = compile_text("Duration of the disease more than 10 years from the moment of diagnosis in patients with a "
                           "total EDSS score of 2.0 points or less at screening.", "exclusion", "X1")
    assert rule.when.edss.high == 2.0 and rule.years.low == 10


@pytest.mark.parametrize("text, expected", [
    # a regimen of the systemic class, its qualifier
    ("Pulse therapy with corticosteroids in the recent 2 months.", ("washout", ["systemic_corticosteroid"])),
    ("Past or present dependence on drugs or on alcohol", ("condition", ["substance_abuse"])),
])
def test_translated_names_of_a_class_and_a_condition(text, expected):
    rule = compile_text(text, "exclusion", "X1")[0]
    assert (rule.kind, getattr(rule, "classes", None) or getattr(rule, "conditions", None)) == expected


def test_a_degree_before_the_next_term_does_not_reach_back():
    """holdout32 NCT01633112: 'Active systemic bacterial, viral or fungal infection, inadequately treated tuberculosis,
    ...' had sent the infections to a person with the tuberculosis."""
    found = _read("Active systemic bacterial, viral or fungal infection, inadequately treated tuberculosis, or a positive "
                  "test for hepatitis B surface antigen")
    assert found[0]["conditions"] == ["bacterial_infection", "viral_infection", "fungal_infection"]
    assert "tuberculosis" in found[-1]["why"]


@pytest.mark.parametrize("text, ever, windowed", [
    ("Patients who received glatiramer acetate within the 3 months prior to randomization, or glatiramer acetate 40 "
     "mg/mL three times weekly at any time", ["glatiramer_acetate"], ["glatiramer_acetate"]),
    # holdout28 NCT00146159, holdout12 NCT04657666: the clause "at any time" had been read within the first window
    ("Treatment with azathioprine or cyclosporine within 3 months before the first infusion, or total lymphoid "
     "irradiation or cladribine at any time", ["total_lymphoid_irradiation", "cladribine"],
     ["azathioprine", "cyclosporine"]),
    ("Botulinum toxin injections for spasticity within 3 months before screening, or intrathecal baclofen at any time.",
     ["baclofen"], []),
])
def test_a_clause_at_any_time_after_a_window_is_ever(text, ever, windowed):
    found = compile_text(text, "exclusion", "X1")
    assert [r.drugs for r in found if r.kind == "prior_drug"] == [ever]
    # (the window's drugs are the first clause's only)
    assert [d for r in found if r.kind == "washout" for d in r.drugs] == windowed


def test_a_reason_for_stopping_qualifies_its_own_clause():
    """holdout32 NCT05385744: '... lasting more than 3 months, or teriflunomide withdrawn because of intolerance' had put
    the reason on the 3-month exposure (a patient on it for years went to a person)."""
    long, stopped = compile_text("Previous therapy with teriflunomide or leflunomide lasting more than 3 months, or "
                                 "teriflunomide withdrawn because of intolerance.", "exclusion", "X1")
    assert (long.min_duration.value, long.qualifier) == (3, None)
    assert (stopped.drugs, stopped.min_duration, stopped.qualifier) == (["teriflunomide"], None,
                                                                       "withdrawn because of intolerance")


@pytest.mark.parametrize("text, now, windowed", [
    # holdout32 NCT05385744: the semicolon ends the items the window does not close
    ("Chronic heart failure (NYHA class III or IV), unstable angina; myocardial infarction or stroke within 6 months "
     "before screening.", ["heart_failure_nyha_iii", "heart_failure_nyha_iv", "unstable_angina"],
     ["myocardial_infarction", "stroke"]),
    # holdout31 NCT05893225: items joined by their own "or" on both sides of a comma
    ("Heart failure NYHA class III or IV, myocardial infarction or unstable angina within 6 months",
     ["heart_failure_nyha_iii", "heart_failure_nyha_iv"], ["myocardial_infarction", "unstable_angina"]),
    # (a plain list stays one item of the window)
    ("Stroke, myocardial infarction or unstable angina within 6 months", [],
     ["stroke", "myocardial_infarction", "unstable_angina"]),
])
def test_where_a_window_at_the_end_of_a_list_starts(text, now, windowed):
    found = [r for r in _read(text) if r["kind"] == "condition"]
    assert [c for r in found if "window" not in r for c in r["conditions"]] == now
    assert [c for r in found if "window" in r for c in r["conditions"]] == windowed


def test_active_or_untreated_latent_tuberculosis():
    """holdout31 NCT04130997: the degree of the latent tuberculosis had withdrawn the active tuberculosis too."""
    rule, review = _read("Active or untreated latent tuberculosis")
    assert (rule["conditions"], rule["timing"]) == (["tuberculosis"], "current")
    assert "untreated latent" in review["why"]


def test_the_items_a_narrowed_term_covered_stay():
    """holdout32 NCT01879202: '..., including angina pectoris, myocardial infarction, heart failure, ... or congenital
    heart disease with haemodynamic significance': the narrowed heart disease had taken the angina, infarction and
    failure it covers into its all-of (dropped silently)."""
    found = _read("Cardiovascular disease, including angina pectoris, myocardial infarction, heart failure, severe "
                  "hypertension or congenital heart disease with haemodynamic significance")
    assert found[0]["conditions"] == ["angina_pectoris", "myocardial_infarction", "heart_failure"]
    assert (found[1]["kind"], found[1]["mode"]) == ("group", "all")


# --- the thirty-third hold-out round ------------------------------------------------------------------------------

def test_the_category_labels_of_an_old_registry_page():
    """holdout33 NCT00006060 (a PDQ page): 'Chemotherapy: No prior ...; No concurrent ...' had required the
    chemotherapy (the label read as an exposure, its negation lost), and the two times were joined."""
    ever, now = _read("Chemotherapy: No prior mitoxantrone, cyclophosphamide, or cladribine; No concurrent "
                      "immunosuppressive therapy (e.g., azathioprine, methotrexate)", "inclusion")
    assert (ever["polarity"], ever["drugs"], ever.get("current", False)) == (
        "exclude", ["mitoxantrone", "cyclophosphamide", "cladribine"], False)
    assert (now["polarity"], now["classes"], now["current"]) == ("exclude", ["immunosuppressant"], True)
    (washout, _) = _read("Endocrine therapy: Concurrent oral and IV corticosteroids allowed, but none within 30 days "
                         "prior to any study MRI", "inclusion")
    assert (washout["polarity"], washout["window"]["anchor"]) == ("exclude", "baseline")
    (row,) = _read("Prior interferon beta-1a, interferon beta-1b, or glatiramer acetate allowed if stopped at least 3 "
                   "months before study entry", "inclusion")
    assert (row["kind"], row["drugs"]) == ("washout", ["interferon_beta_1a", "interferon_beta_1b", "glatiramer_acetate"])


def test_what_is_asked_of_the_patients_once_treated():
    """holdout33 NCT01099930: 'Patients previously treated with a cytotoxic agent ... must have normal bone marrow'
    had required the cytotoxic agent (17 wrong fails)."""
    (group,) = compile_text("Patients previously treated with a cytotoxic agent (mitoxantrone, cyclophosphamide or "
                            "similar) must have normal bone marrow morphology and cytogenetics", "inclusion", "X1")
    assert group.mode == "any" and [(r.kind, r.polarity) for r in group.rules] == [
        ("prior_drug", "exclude"), ("manual_review", "require")]


def test_a_clause_opening_negation_reaches_the_list_that_spells_out_its_term():
    found = _read("No history of clinical symptoms suggestive of an acute demyelinating event (optic neuritis, myelitis, "
                  "brainstem or cerebellar syndrome)", "inclusion")
    assert (found[0]["conditions"], found[0]["polarity"]) == (["optic_neuritis"], "exclude")
    # (a state word is no negation of the list: "not compensated pharmacologically (hypothyroidism, ...)")
    assert _read("Disorders of thyroid function not compensated pharmacologically (hypothyroidism, hyperthyroidism).",
                 )[0]["polarity"] == "exclude"


def test_a_lead_in_saying_the_items_exclude_whom():
    """holdout33 NCT03401879: 'Any of the following will exclude a subject of either group:' had made its items one
    group (one of them unaligned); '... will exclude a healthy subject from the study:' makes them the volunteers'."""
    ruleset = _ruleset_of("Exclusion Criteria:\n\nAny of the following will exclude a healthy subject from the study:\n\n"
                          "* Hypertension\n\n"
                          "Any of the following will exclude a subject of either group:\n\n* Diabetes mellitus\n"
                          "* Pregnancy or breastfeeding\n")
    assert [c.rules[0].kind for c in ruleset.criteria] == ["manual_review", "condition", "pregnancy"]
    assert "healthy subject" in ruleset.criteria[0].rules[0].why


def test_a_single_episode_that_long_ago():
    found = _read("One episode of unilateral optic neuritis that occurred at least 6 months before the study day",
                  "inclusion")
    assert [(r["kind"], r["polarity"], "window" in r) for r in found[:2]] == [
        ("condition", "require", False), ("condition", "exclude", True)]
    assert found[1]["window"]["anchor"] == "baseline"


@pytest.mark.parametrize("text", [
    # holdout33 NCT01416155, NCT01970410, NCT02275741, NCT04369898: each had decided every patient
    "Subjects who agree not to use any other immunosuppressive or immunomodulatory drug (including interferon beta) "
    "during the study.",
    "The patient and the treating neurologist have decided to stop natalizumab because of the risk of PML.",
    "Indication for a vaccination, with one of the following inactivated vaccines: tetanus, diphtheria, influenza "
    "(inactivated), hepatitis A, hepatitis B or pneumococcal vaccine",
    "Clinical follow-up of at least 2 years after the MRI without a change of the diagnosis to MS",
])
def test_a_plan_a_vaccine_list_and_a_diagnosis_to_come_are_for_a_person(text):
    assert [r.kind for r in compile_text(text, "inclusion", "X1")] == ["manual_review"]


def test_an_excluded_duration_and_edss_is_the_duration_for_that_edss():
    """holdout33 NCT01742052: 'a disease duration of more than 15 years and an EDSS score of 2.0 or less' had excluded
    every patient with an EDSS of 2 or less (9 wrong fails); in an inclusion both stay required."""
    (rule,) = compile_text("Subjects with a disease duration of more than 15 years and an EDSS score of 2.0 or less at "
                           "screening.", "exclusion", "X1")
    assert (rule.kind, rule.when.edss.high, rule.years.low) == ("disease_duration", 2.0, 15)
    assert sorted(r.kind for r in compile_text("Disease duration of 10 years or less and an EDSS score of 5.5 or less",
                                               "inclusion", "X1")) == ["disease_duration", "edss"]


# --- session 32: the holdout33 leftovers ---

@pytest.mark.parametrize("text, check", [
    # holdout33 NCT01970410, NCT01742052: what the record cannot show, in words no residue names, had been dropped
    # silently (every patient passed where the gold asks a person)
    ("Active tuberculosis, or latent tuberculosis (positive interferon-gamma release assay) that has not been treated.",
     "that has not been treated"),
    ("Subjects who had an MS relapse within 30 days before screening or during the screening period.",
     "during the screening period"),
    # holdout33 NCT01738347, NCT02275741, NCT01970410: a drug screen, an exception by cause, a suspicion
    ("The subject has a history of alcohol or drug abuse within the 2 years before screening, or a positive urine drug "
     "screen at screening.", "urine"),
    ("Known congenital or acquired immunodeficiency other than that caused by the MS therapy, including HIV infection",
     "caused"),
])
def test_what_the_record_cannot_show_goes_to_a_person_beside_the_rule(text, check):
    found = _read(text)
    assert found[0]["kind"] != "manual_review"
    assert [r["kind"] for r in found[1:]] == ["manual_review"] and check in found[1]["why"]


def test_a_suspicion_of_the_condition_in_an_inclusion_goes_to_a_person():
    found = _read("No history of PML, and no clinical or MRI finding suspicious of PML at screening.", "inclusion")
    assert (found[0]["conditions"], found[0]["polarity"]) == (["pml"], "exclude")
    assert found[1]["kind"] == "manual_review" and "suspicious" in found[1]["why"]


def test_a_family_that_asks_a_person_is_not_asked_twice():
    found = _read("Receipt of a live or live-attenuated vaccine within 4 weeks before the first infusion, or planned "
                  "during the study.")
    assert [r["kind"] for r in found] == ["live_vaccine", "manual_review"]


def test_current_use_then_a_clause_of_past_exposure():
    """holdout33 NCT01738347: 'currently receiving natalizumab, or has received mitoxantrone ... at any time' had made
    every drug current (a patient given mitoxantrone years ago passed)."""
    found = _read("The subject is currently receiving natalizumab, or has received mitoxantrone, cyclophosphamide, "
                  "alemtuzumab or any other cytotoxic therapy at any time.")
    assert [(r["drugs"], r.get("current", False)) for r in found] == [
        (["natalizumab"], True), (["mitoxantrone", "cyclophosphamide", "alemtuzumab"], False)]


_ONE_COURSE_BESIDE_HEALTHY = (
    "Inclusion Criteria:\n\nAll participants:\n\n* Aged 18 to 60 years.\n\n"
    "Patients with clinically isolated syndrome:\n\n* A first clinical episode suggestive of CNS demyelination.\n"
    "* EDSS score of 0 to 3.5 at screening.\n\n"
    "Healthy control participants:\n\n* No personal history of MS or of any other neurological disease.\n")


def test_the_only_patients_of_a_trial_with_healthy_controls_are_held_to_their_block_whatever_their_course():
    """holdout27 NCT01728922, holdout33 NCT01738347: scoped to CIS, the CIS block's own CIS requirement was a tautology;
    a patient who already had RRMS passed it as not applicable (248 and 195 wrong passes). The heading "Healthy control
    participants:" is the volunteers' (its items had been the patients')."""
    ruleset = _ruleset_of(_ONE_COURSE_BESIDE_HEALTHY)
    cis, edss, healthy = ruleset.criteria[1:]
    assert cis.rules[0].kind == "ms_subtype" and cis.rules[0].when.subtypes == ["CIS", "RRMS", "SPMS", "PPMS", "RIS"]
    assert edss.rules[0].when.subtypes == ["CIS", "RRMS", "SPMS", "PPMS", "RIS"]
    assert healthy.rules[0].kind == "manual_review"
    patient = parse_patient({"id": "P1", "birth_date": "1980-01-01", "sex": "female", "ms_subtype": "RRMS",
                             "edss": [{"score": 2.0, "date": "2026-10-01"}]})
    assert screen(ruleset, patient, date(2026, 11, 1)).verdict == "ineligible"


def test_a_block_for_one_course_keeps_its_scope_where_another_course_has_one_or_all_participants_require_it():
    two = _ruleset_of("Inclusion Criteria:\n\nPatients with RRMS:\n\n* Diagnosis of RRMS.\n* EDSS 0 to 5.5.\n\n"
                      "Patients with PPMS:\n\n* Diagnosis of PPMS.\n* EDSS 3.0 to 6.5.\n\n"
                      "Healthy volunteers:\n\n* No neurological disease.\n")
    assert two.criteria[1].rules[0].when.subtypes == ["RRMS"]
    # holdout16 NCT02907281: the RRMS requirement is an item of all participants; the block's scope stays
    required = _ruleset_of("Inclusion Criteria:\n\n1. Participants must be either:\n   a. patients with RRMS, or\n"
                           "   b. reference subjects with no neurological disease.\n\n"
                           "Additional inclusion criteria for patients with RRMS:\n\n2. EDSS score of 0 to 5.0.\n\n"
                           "Additional inclusion criteria for reference subjects:\n\n3. Visual acuity of 20/25.\n")
    assert required.criteria[1].rules[0].when.subtypes == ["RRMS"]


# --- the thirty-fourth hold-out round ---

def test_beside_an_untreated_arm_the_treated_arm_is_the_use():
    """holdout34 NCT00094068 (a polarity error), NCT00591721: 'Either no DMT, or interferon beta at an unchanged dose
    for at least 3 months' had nested 'not on it now, or on it for 3 months' in the treated arm, and 'the same DMT for
    at least 3 months' had been a washout."""
    for text, named in (("Either no disease-modifying therapy, or treatment with interferon beta or glatiramer acetate "
                         "at an unchanged dose for at least 3 months before the first MRI.", ["interferon_beta"]),
                        ("Either no disease-modifying therapy, or the same disease-modifying therapy for at least 3 "
                         "months before enrolment.", ["dmt"])):
        (group,) = compile_text(text, "inclusion", "X1")
        untreated, treated = group.rules
        assert (untreated.polarity, untreated.classes, untreated.current) == ("exclude", ["dmt"], True)
        assert (treated.kind, treated.polarity, treated.classes, treated.current, treated.min_duration.value) == (
            "prior_drug", "require", named, True, 3.0)


def test_a_degree_word_life_threatening_goes_to_a_person():
    found = _read("Myocardial infarction, stroke or life-threatening arrhythmia within the last 6 months.")
    assert found[0]["conditions"] == ["myocardial_infarction", "stroke"]
    assert found[1]["kind"] == "manual_review" and "arrhythmia" in found[1]["why"]


def test_events_since_the_start_of_the_core_study_go_to_a_person():
    """holdout34 NCT01093326: read as current, they had excluded nothing the core study allowed to be checked."""
    found = _read("Myocardial infarction, unstable angina, stroke or transient ischaemic attack since the start of the core "
                  "study, or current heart failure of New York Heart Association class III or IV.")
    assert found[0]["conditions"] == ["heart_failure_nyha_iii", "heart_failure_nyha_iv"]
    assert found[1]["kind"] == "manual_review" and "Myocardial infarction" in found[1]["why"]


def test_treatment_between_the_core_study_and_baseline_with_the_following_is_each_items_qualifier():
    """holdout34 NCT01185821: read as ever, every patient once on an immunomodulator failed (15 wrong fails)."""
    found = _read("Treatment between the end of the core study and the extension baseline visit with any of the following: "
                  "interferon beta, natalizumab or any other immunosuppressive drug (other than the core-study drug "
                  "BAF312); intravenous immunoglobulin or plasmapheresis; systemic corticosteroids, other than for the "
                  "treatment of a relapse.")
    assert all(r["kind"] == "prior_drug" and "core study" in r["qualifier"] for r in found)
    assert {"plasma_exchange", "intravenous_immunoglobulin"} <= {d for r in found for d in r.get("drugs", [])}
    assert any("relapse" in r["qualifier"] for r in found)


def test_a_quiet_subtype_with_its_abbreviation_is_not_excluded_whole():
    """holdout34 NCT07138833: '(SPMS) without relapses in the past 2 years' had excluded every SPMS patient."""
    found = _read("Primary progressive multiple sclerosis (PPMS), or secondary progressive multiple sclerosis (SPMS) "
                  "without relapses in the past 2 years.")
    assert (found[0]["kind"], found[0]["subtypes"]) == ("ms_subtype", ["PPMS"])
    assert found[1]["kind"] == "group" and found[1]["mode"] == "all"


def test_clauses_joined_by_semicolon_or_are_alternatives():
    (group, _) = compile_text("At least 1 documented relapse within 12 months before screening, with a prior brain MRI "
                              "showing lesion(s) consistent with MS; or gadolinium-enhancing lesion(s) on a brain MRI "
                              "performed within 6 weeks before screening.", "inclusion", "X1")
    assert group.mode == "any" and sorted(r.kind for r in group.rules) == ["mri_activity", "relapse_activity"]


def test_strongly_narrows_a_class():
    found = _read("Previous treatment with alemtuzumab, cladribine or other strongly immunosuppressive drugs.")
    assert any(r.get("classes") == ["immunosuppressant"] and r.get("qualifier") == "strongly" for r in found)


def test_the_start_of_the_programme_is_baseline_and_no_change_of_treatment():
    """holdout34 NCT06121648: 'the start' had read as a change of treatment (the steroids dropped silently)."""
    found = _read("Relapse or corticosteroid pulse therapy during the 3 months before the start of the programme.")
    assert [(r["kind"], r["window"]["anchor"]) for r in found] == [("relapse_activity", "baseline"),
                                                                   ("washout", "baseline")]
    # (a drug's start stays its time point: "prior to initiation of ocrelizumab" is no exposure to it)
    assert [r["kind"] for r in _read("Any change in DMT prior to initiation of ocrelizumab.")] == ["manual_review"]


def test_the_patients_and_other_people_of_a_vocational_study():
    """holdout34 NCT06966115: 'People with MS:' and 'Employers (optional, ...):' had been two criteria over the
    items (one unaligned); the employers' age bound the patients."""
    ruleset = _ruleset_of("Inclusion Criteria:\n\nPeople with MS:\n\n- Adults aged 18 to 65 years.\n\n"
                          "Employers (optional, with the agreement of the participant with MS):\n\n"
                          "- Aged 18 years or older.\n")
    patients, employers = ruleset.criteria
    assert patients.rules[0].kind == "age" and "RIS" in patients.rules[0].when.subtypes
    assert employers.rules[0].kind == "manual_review" and "employers" in employers.rules[0].why.lower()


def test_an_item_for_patients_in_a_trial_that_takes_healthy_volunteers():
    """holdout34 NCT00094068: 'For patients: an MS relapse ... within 30 days' had bound the volunteers."""
    ruleset = _ruleset_of("Inclusion Criteria:\n\nPatients with multiple sclerosis:\n\n- EDSS 6.5 or less.\n\n"
                          "Healthy volunteers:\n\n- No neurological disease.\n\nExclusion Criteria:\n\n"
                          "- For patients: an MS relapse within the 30 days before the first MRI.\n")
    (relapse,) = ruleset.criteria[-1].rules
    assert relapse.kind == "relapse_activity" and relapse.when.subtypes == ["CIS", "RRMS", "SPMS", "PPMS", "RIS"]


def test_a_window_counted_from_the_last_menstrual_period_goes_to_a_person():
    """holdout34 NCT01285479: 'Last dose ... more than 8 weeks before the first day of the LMP' had required
    fingolimod of every patient (18 wrong fails)."""
    found = _read("Last dose of fingolimod taken more than 8 weeks before the first day of the LMP, with no exposure "
                  "afterwards.")
    assert [r["kind"] for r in found] == ["manual_review"]


def test_suitable_for_one_of_the_following_treatments_names_no_exposure():
    ruleset = _ruleset_of("Inclusion Criteria:\n\n- Suitable, in the investigator's judgement, for treatment with one of "
                          "the following first-line DMTs:\n  - teriflunomide\n  - dimethyl fumarate\n")
    (rule,) = ruleset.criteria[0].rules
    assert (rule.kind, rule.category) == ("manual_review", "judgement")


def test_an_untreated_arm_after_the_treatments_heading():
    """holdout34 NCT04760990: '..., treated with one of the following immunotherapies, or untreated (no DMT for at
    least 6 months):' had lost the untreated arm, its 6 months becoming each treatment's duration (a polarity error
    once the anchors differed)."""
    ruleset = _ruleset_of("Inclusion Criteria:\n\n- At the time of the serum sampling, treated with one of the following "
                          "immunotherapies, or untreated (no disease-modifying therapy for at least 6 months):\n"
                          "  - natalizumab\n  - an anti-CD20 antibody (ocrelizumab, rituximab)\n")
    (group,) = ruleset.criteria[0].rules
    untreated, natalizumab, anti_cd20 = group.rules
    assert group.mode == "any"
    assert (untreated.kind, untreated.polarity, untreated.window.within.value, untreated.window.anchor) == (
        "washout", "exclude", 6.0, "baseline")
    assert natalizumab.current and natalizumab.min_duration is None and anti_cd20.classes == ["anti_cd20"]


def test_a_relapse_with_either_of_two_activities():
    """holdout34 NCT04032171: 'At least one relapse in the 2 years before screening, with either: (a) ..., or (b) ...'
    had made the 2-year relapse one more alternative (2 wrong passes)."""
    rules = compile_text("At least one documented relapse in the 2 years before screening, with either: (a) a relapse "
                         "in the 12 months before randomization, or (b) at least one gadolinium-enhancing T1 lesion on an "
                         "MRI performed in the 6 months before randomization.", "inclusion", "X1")
    (group,) = [r for r in rules if r.kind == "group"]
    (required,) = [r for r in rules if r.kind == "relapse_activity"]
    assert required.window.within.value == 2.0 and group.mode == "any" and len(group.rules) == 2


@pytest.mark.parametrize("text", [
    "Paternal exposure only: pregnancies in the partners of men treated with fingolimod are not enrolled.",
    "Pregnancy already ended (live birth, stillbirth, spontaneous or induced abortion, or ectopic pregnancy) when first "
    "reported to the registry.",
])
def test_a_registrys_exclusions_of_the_father_and_of_an_ended_pregnancy(text):
    """holdout34 NCT01285479: the father's fingolimod had excluded the mother's own, and an ended pregnancy every
    pregnant woman the registry enrols."""
    assert [r["kind"] for r in _read(text)] == ["manual_review"]


def test_the_judgement_of_the_last_item_leaves_the_items_before_it():
    found = _read("No relapse within 30 days before screening, and clinically stable from any previous relapse before "
                  "the first dose, as judged by the investigator.", "inclusion")
    assert [(r["kind"], r["polarity"]) for r in found] == [("relapse_activity", "exclude"), ("manual_review", "require")]
    found = _read("History or current diagnosis of malignant tumour (except completely resected basal cell carcinoma of "
                  "the skin or cervical carcinoma in situ), or uncontrolled serious disease of the heart, liver, kidney, "
                  "lung or other major organ system in the opinion of the investigator.")
    assert found[0]["conditions"] == ["malignancy"] and found[0]["exceptions"] == [
        "basal_cell_carcinoma", "cervical_carcinoma_in_situ"]
    assert found[1]["kind"] == "manual_review" and found[1]["category"] == "partial"


def test_capable_of_becoming_pregnant_is_no_pregnancy():
    found = _read("Women of childbearing potential, defined as all women physiologically capable of becoming pregnant, "
                  "unless they are using highly effective methods of contraception during the study.")
    assert [r["kind"] for r in found] == ["contraception"]


def test_a_disease_other_than_ms_excepts_no_drug():
    """holdout34 NCT04760990: 'Immunosuppressive treatment for a disease other than MS ...: azathioprine, ...' had made
    the drugs it lists exceptions."""
    found = _read("Immunosuppressive treatment for a disease other than MS: azathioprine, mycophenolate mofetil or "
                  "methotrexate.")
    assert not any(r.get("except_drugs") for r in found)
    assert any({"azathioprine", "methotrexate"} <= set(r.get("drugs", [])) for r in found)
    # (what a disease requires is no exposure: "... other than MS that requires systemic immunosuppressive treatment")
    assert not any(r["kind"] == "prior_drug" for r in _read(
        "Any autoimmune disease other than MS that requires systemic immunosuppressive treatment."))


def test_the_age_and_sex_of_a_consent_criterion_are_read():
    """holdout34 NCT00094068: 'Men and women aged 18 years or older who are able to ... give informed consent' had
    been one administrative criterion (the age lost)."""
    found = _read("Men and women aged 18 years or older who are able to understand the study and give informed consent.",
                  "inclusion")
    assert [r["kind"] for r in found] == ["age", "sex", "manual_review"]
    assert [r["kind"] for r in _read("Able to give written informed consent.", "inclusion")] == ["manual_review"]


def test_a_list_item_stopped_for_a_reason_keeps_its_reason_alone():
    """holdout34 NCT04032171: '...; interferon beta, if it was stopped because of lack of efficacy or intolerance' had
    sent the whole list to a person (the intolerance read as an allergy criterion)."""
    ruleset = _ruleset_of("Exclusion Criteria:\n\n- Prior treatment at any time with any of the following:\n"
                          "  - alemtuzumab, cladribine or mitoxantrone;\n  - any Bruton's tyrosine kinase inhibitor;\n"
                          "  - interferon beta, if it was stopped because of lack of efficacy or intolerance.\n")
    rules = ruleset.criteria[0].rules
    (reasoned,) = [r for r in rules if r.kind == "prior_drug" and r.qualifier]
    assert reasoned.classes == ["interferon_beta"] and "efficacy" in reasoned.qualifier
    assert any("alemtuzumab" in r.drugs and not r.qualifier for r in rules if r.kind == "prior_drug")


def test_a_disease_that_contraindicates_exercise_keeps_its_examples():
    found = _read("Cardiovascular disease that contraindicates exercise (unstable angina, myocardial infarction during "
                  "the last 6 months, uncontrolled arrhythmia, heart failure NYHA III-IV).")
    assert found[0]["conditions"] == ["unstable_angina", "heart_failure_nyha_iii", "heart_failure_nyha_iv"]
    assert found[1]["conditions"] == ["myocardial_infarction"] and found[1]["window"]["within"]["value"] == 6
    assert found[2]["kind"] == "manual_review" and "contraindicates" in found[2]["why"]


def test_an_item_of_the_participants_with_another_disease_named_without_a_word_for_them():
    """holdout33 NCT04369898: 'For NMOSD and MOG antibody-associated disease: a positive serum test ...' had required
    MOGAD of every participant (21 wrong fails)."""
    (rule,) = compile_text("For NMOSD and MOG antibody-associated disease: a positive serum test for aquaporin-4 IgG or "
                           "MOG IgG with a cell-based assay", "inclusion", "X1")
    assert rule.kind == "manual_review" and "NMOSD" in rule.why
    # (women of childbearing potential are no cohort with another disease)
    assert compile_text("For women of childbearing potential: a negative pregnancy test at screening.", "inclusion",
                        "X1")[0].kind == "pregnancy"


def test_a_controls_item_over_its_own_list_is_theirs():
    """holdout33 NCT03586986: 'Age- and sex-matched controls (non-FDR):' had bound every participant to the controls'
    age and matching (21 wrong fails)."""
    ruleset = _ruleset_of("Inclusion Criteria:\n\n- Age- and sex-matched controls (non-FDR):\n  - Age 18 to 30 years.\n"
                          "  - No first-degree relative with multiple sclerosis.\n")
    (rule,) = ruleset.criteria[0].rules
    assert rule.kind == "manual_review" and "controls" in rule.why
    # (everyone's heading is not the controls': "All participants (patients and controls):")
    everyone = _ruleset_of("Inclusion Criteria:\n\n- All participants (patients and controls):\n  - Age 18 to 30 years.\n"
                           "  - Able to undergo MRI.\n")
    assert any(r["kind"] == "age" for c in everyone.criteria for r in _flatten(c.rules))
