"""Compile: treatment and measurement language on registry wording (one phrasing from the corpus, one variant).

Stability and minimum-duration requirements, ULN-relative lab bounds, current vs ever, a class spelled out by
its brands, mentions that are no exposure, windows per drug and their anchors, investigational participation,
MRI lesion alternatives, relapse definitions and an excluded sex.
"""

from pathlib import Path

import pytest

from matcher.compile import compile_text, compile_trial
from matcher.ingest import readers
from matcher.models.rules import ULN_UNIT

from .conftest import rules_of


def _rules(text, section="exclusion"):
    return compile_text(text, section)


def _kinds(text, section="exclusion"):
    return [r.kind for r in _rules(text, section)]


def _one(text, kind, section="exclusion"):
    found = [r for r in _rules(text, section) if r.kind == kind]
    assert len(found) == 1, (text, _rules(text, section))
    return found[0]


def _duration(rule):
    return (rule.min_duration.value, rule.min_duration.unit) if rule.min_duration else None


# --- stability and minimum duration ---------------------------------------------------------------------

@pytest.mark.parametrize("text, drugs, classes, duration", [
    ("Currently on one of the approved beta-interferon drugs (Avonex, Betaseron, or Rebif) for a minimum of 6 months.",
     {"interferon_beta_1a", "interferon_beta_1b"}, set(), (6, "months")),
    ("Currently receiving one of the approved S1P modulators (Gilenya or Mayzent) for at least 3 months",
     {"fingolimod", "siponimod"}, set(), (3, "months")),
    ("On stable treatment with interferon beta for at least 12 months prior to screening",
     set(), {"interferon_beta"}, (12, "months")),
])
def test_current_therapy_for_a_minimum_duration_is_no_washout(text, drugs, classes, duration):
    assert "washout" not in _kinds(text, "inclusion")
    rule = _one(text, "prior_drug", "inclusion")
    assert (rule.polarity, rule.current, set(rule.drugs), set(rule.classes), _duration(rule)) == \
        ("require", True, drugs, classes, duration)


@pytest.mark.parametrize("text, untreated", [
    ("Stable therapy with Copaxone, for at least six months prior to inclusion in the study or no therapy for six "
     "months in subjects refusing therapy.", (6, "months")),
    ("Stable therapy with glatiramer acetate for at least 6 months prior to inclusion or without treatment during "
     "the last 12 months", (12, "months")),
])
def test_stable_therapy_or_no_therapy_is_an_any_of(text, untreated):
    (group,) = [r for r in _rules(text, "inclusion") if r.kind == "group"]
    on_it, none = group.rules
    assert group.mode == "any"
    assert (on_it.kind, on_it.drugs, on_it.current, _duration(on_it)) == \
        ("prior_drug", ["glatiramer_acetate"], True, (6, "months"))
    assert (none.kind, none.polarity, none.classes, none.window.within.value, none.window.within.unit,
            none.window.anchor) == ("washout", "exclude", ["dmt"], *untreated, "enrollment")


@pytest.mark.parametrize("text, classes, duration", [
    ("If the patient is taking disease modifying medication this must be at a stable dose for three months prior "
     "to the initial visit.", ["dmt"], (3, "months")),
    ("If the subject is on antispasticity medication, the dose must have been stable for at least 30 days before "
     "baseline.", ["antispasticity"], (30, "days")),
])
def test_if_taking_then_stable_reads_not_on_it_or_on_it_long_enough(text, classes, duration):
    (group,) = _rules(text, "inclusion")
    assert group.kind == "group" and group.mode == "any"
    not_on, long_enough = group.rules
    assert (not_on.polarity, not_on.current, not_on.classes, not_on.min_duration) == ("exclude", True, classes, None)
    assert (long_enough.polarity, long_enough.current, _duration(long_enough)) == ("require", True, duration)


@pytest.mark.parametrize("text", [
    "Relapsing remitting MS (RRMS) not responding to at least a year of attempted therapy with one or more of the "
    "approved therapies (beta-interferon, glatiramer acetate, natalizumab, mitoxantrone, fingolimod)",
    "Treated with natalizumab for at least 12 months",
])
def test_how_long_a_therapy_lasted_is_a_min_duration(text):
    rule = _one(text, "prior_drug", "inclusion")
    assert _duration(rule) in ((1, "years"), (12, "months")) and not rule.current


@pytest.mark.parametrize("text, classes, window, minimum", [
    ("Chronic (more than 30 consecutive days) systemic (IV, PO or IM) corticosteroid treatment within 6 months prior "
     "to screening visit.", ["systemic_corticosteroid"], (6, "months"), (30, "days")),
    ("Treatment with corticosteroids for more than 2 weeks within the last 3 months",
     ["corticosteroid"], (3, "months"), (2, "weeks")),
])
def test_a_long_exposure_inside_a_window_is_a_washout_with_min_duration(text, classes, window, minimum):
    rule = _one(text, "washout")
    assert (rule.classes, (rule.window.within.value, rule.window.within.unit), _duration(rule)) == \
        (classes, window, minimum)


# --- labs relative to the upper limit of normal ---------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("Total bilirubin ≤local upper limit of normal", {("bilirubin", "<=", 1.0)}),
    ("normal AST (SGOT) ALT (SGPT)", {("ast", "<=", 1.0), ("alt", "<=", 1.0)}),
    ("normal serum Creatinine", {("creatinine", "<=", 1.0)}),
    ("ALT or AST > 2x ULN", {("alt", ">", 2.0), ("ast", ">", 2.0)}),
    ("Serum creatinine ≥ 1.5 times the upper limit of normal", {("creatinine", ">=", 1.5)}),
    ("Abnormal liver function tests (AST, ALT > 1.5 x ULN)", {("ast", ">", 1.5), ("alt", ">", 1.5)}),
])
def test_lab_bounds_relative_to_the_uln(text, expected):
    labs = [r for r in _rules(text, "inclusion") if r.kind == "lab"]
    assert {(r.test, r.comparator, r.value) for r in labs} == expected
    assert {r.unit for r in labs} == {ULN_UNIT}


@pytest.mark.parametrize("text, pct", [
    ("Patients with known kidney dysfunction or creatinine >1.4; known cardiac arrhythmia or significant conduction "
     "abnormality on EKG; uncontrolled thyroid disease or TSH >20% above the upper limit of normal", 1.2),
    ("TSH more than 50% above the ULN", 1.5),
])
def test_a_percentage_above_the_uln_is_a_multiple_not_a_percent_unit(text, pct):
    labs = {r.test: r for r in _rules(text) if r.kind == "lab"}
    assert (labs["tsh"].comparator, labs["tsh"].value, labs["tsh"].unit) == (">", pct, ULN_UNIT)
    if "creatinine" in labs:
        assert (labs["creatinine"].value, labs["creatinine"].unit) == (1.4, None)


# --- current vs ever ------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, classes, current", [
    ("Statin treatment for other disease", ["statin"], True),
    ("Anticoagulant therapy", ["anticoagulant"], True),
    ("Previous statin treatment", ["statin"], False),
    ("Use of cladribine, mitoxantrone, or other immunosuppressant agents before enrollment", ["immunosuppressant"],
     False),
])
def test_a_drug_naming_the_treatment_means_current_use_unless_the_past_is_said(text, classes, current):
    rule = _one(text, "prior_drug")
    assert set(classes) <= set(rule.classes) and rule.current is current


@pytest.mark.parametrize("text", [
    "Contra indication to lumbar puncture/intrathecal infusion: intracranial hypertension, puncture site infections, "
    "severe thrombocytopenia (<50 G/L), anticoagulant or fibrinolytic treatment",
    "Contraindications to lumbar puncture: coagulopathy or anticoagulant therapy",
])
def test_drugs_listed_as_contraindications_are_current_exposures(text):
    rule = _one(text, "prior_drug")
    assert "anticoagulant" in rule.classes and rule.current and rule.polarity == "exclude"


def test_a_contraindication_to_a_drug_is_still_no_exposure():
    assert "prior_drug" not in _kinds("Contraindication to natalizumab")


# --- mentions that are no exposure ----------------------------------------------------------------------

@pytest.mark.parametrize("text, section", [
    ("Willing to drink at most one cup of black tea and two cups of coffee per day, and abstain from drinking green "
     "tea or taking supplements containing green tea or green tea compounds, for the duration of the investigation.",
     "inclusion"),
    ("Inability to abstain from tobacco or marijuana smoking, or use of alcohol or sedative or hypnotic medications "
     "during the duration of the study", "exclusion"),
    ("treatment with Gilenya intended", "inclusion"),
    ("Treatment with ocrelizumab planned by the treating neurologist", "inclusion"),
    ("Pregnant or breastfeeding, or intending to become pregnant during the study or within 6 months after the final "
     "dose of ocrelizumab.", "exclusion"),
    ("Women planning a pregnancy within 3 months after the last infusion of natalizumab", "exclusion"),
    ("Sexually active women unwilling to use reliable contraception (oral contraceptives, condom, IUD).", "exclusion"),
    ("Women of childbearing potential must use effective contraception (e.g. oral contraceptives or IUD)", "inclusion"),
    ("Must be willing and able to receive an initial screening cerebral MRI, a baseline MRI and monthly cerebral MRIs "
     "(with and without gadolinium) for a total period of 12 months", "inclusion"),
    ("At least one gadolinium-enhancing lesion on MRI within 12 months", "inclusion"),
    ("Relapsing remitting patients who have declined or not tolerated treatment with beta interferon (Betaseron, "
     "Avonex) or glatiramer acetate, copolymer-1 (Copaxone).", "inclusion"),
    ("Past history of abuse of recreational drugs, including marijuana and alcohol in the last 12 months", "exclusion"),
])
def test_mentions_that_are_no_exposure_give_no_drug_rule(text, section):
    assert not {"washout", "prior_drug"} & set(_kinds(text, section))


@pytest.mark.parametrize("text", [
    "Previous use of Copaxone 40 mg/mL three times per week.",
    "Use of non-steroidal anti-inflammatory drugs (NSAIDs) 5 or more days a week.",
    "Recent cannabis use of more than twice per week one month prior to study entry",
])
def test_a_dose_or_frequency_specific_exposure_is_qualified_not_any_use(text):
    # any use would over-exclude: the rule carries the dose or frequency, and an exposure goes to a person
    rules = [r for r in _rules(text) if r.kind in ("washout", "prior_drug")]
    assert len(rules) == 1 and rules[0].qualifier


def test_activity_while_on_a_therapy_is_no_exposure_rule_but_currently_still_taking_is():
    assert "prior_drug" not in _kinds(">=1 new or enlarging T2 hyperintense lesion or gadolinium enhancing lesion "
                                      "while on that same prior therapy (IFNB or GA), or", "inclusion")
    rule = _one("At least 2 recorded MS attacks and at least 1 MS attack (relapse) in the last year during treatment "
                "with a beta interferon therapy (IFNB) or glatiramer acetate (GA) after being on that therapy for at "
                "least 6 months, and was currently still taking the same therapy.", "prior_drug", "inclusion")
    assert (rule.current, _duration(rule), rule.drugs, rule.classes) == \
        (True, (6, "months"), ["glatiramer_acetate"], ["interferon_beta"])


@pytest.mark.parametrize("text", [
    "Patients that received immunomodulating or immunosuppressive MS treatments other than fingolimod since "
    "completion of study CFTY720DDE01 as for example: Natalizumab, Alemtuzumab",
    "Any DMT since the end of the core study",
])
def test_a_window_from_an_event_goes_to_a_person(text):
    assert _kinds(text) == ["manual_review"]


# --- windows per drug, anchors, clauses ----------------------------------------------------------------

def test_the_same_drugs_with_two_windows_take_the_shorter_one():
    rule = _one("Infection requiring hospitalization or treatment with intravenous antibiotics within 4 weeks prior "
                "to the Baseline visit or oral antibiotics within 2 weeks prior to the Baseline visit.", "washout")
    assert (rule.classes, rule.window.within.value, rule.window.anchor) == (["antibiotic"], 2, "baseline")


def test_drugs_with_windows_of_their_own_give_a_washout_each():
    rules = [r for r in _rules("Treatment with natalizumab within 6 months or rituximab within 12 months prior to "
                               "screening") if r.kind == "washout"]
    assert [(r.drugs, r.window.within.value) for r in rules] == [(["natalizumab"], 6), (["rituximab"], 12)]


@pytest.mark.parametrize("text, anchor", [
    ("Participants may not participate in any other clinical trial involving investigational agents during the "
     "study, or within six months prior to enrolling in the study.", "enrollment"),
    ("Use of dalfampridine within 30 days before enrolling", "enrollment"),
])
def test_enrolling_anchors_on_enrollment(text, anchor):
    rule = next(r for r in _rules(text) if r.kind in ("investigational", "washout"))
    assert rule.window.anchor == anchor


@pytest.mark.parametrize("text, ever, window", [
    ("Previous treatment prior to study entry as follows: complete radiation ablation of the bone marrow or anti-CD4 "
     "antibody treatment (Campath) at any time; mitoxantrone, cyclophosphamide, cyclosporin, Natalizumab or other "
     "immunomodulatory or immunosuppressant therapies except for Copaxone or methylprednisone for relapses within "
     "prior nine months.", {"total_body_irradiation", "alemtuzumab", "anti_cd4"}, (9, "enrollment")),
    ("Prior treatment before randomization as follows: cladribine at any time; natalizumab within 6 months",
     {"cladribine"}, (6, "randomization")),
])
def test_clauses_with_timings_of_their_own_give_a_rule_each(text, ever, window):
    kinds = _kinds(text)
    assert "relapse_activity" not in kinds
    prior, washout = _one(text, "prior_drug"), _one(text, "washout")
    assert set(prior.drugs) | set(prior.classes) == ever and not prior.current
    assert (washout.window.within.value, washout.window.anchor) == window


def test_other_immunomodulatory_therapies_except_named_drugs():
    rule = _one("Previous treatment prior to study entry as follows: complete radiation ablation of the bone marrow "
                "at any time; Natalizumab or other immunomodulatory or immunosuppressant therapies except for Copaxone "
                "within prior nine months.", "washout")
    assert set(rule.classes) == {"immunomodulator", "immunosuppressant"} and rule.except_drugs == ["glatiramer_acetate"]


# --- investigational -----------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "Current participation in another interventional clinical study. Participants who are treated with a comparator "
    "agent approved for screening inclusion (INF or GA) may be considered for this trial.",
    "Currently participating in another interventional trial.",
])
def test_current_participation_is_a_zero_day_window(text):
    rule = _one(text, "investigational")
    assert (rule.polarity, rule.window.within.value) == ("exclude", 0)


@pytest.mark.parametrize("text", [
    "Previous treatment with any investigational medication (drug that had not been approved at any dose or for any "
    "indication). Use of an investigational medication that is subsequently licensed was not exclusionary.",
    "Any prior investigational drug. Herbal medications are allowed.",
])
def test_a_permission_in_another_sentence_keeps_the_investigational_rule(text):
    rule = _one(text, "investigational")
    assert (rule.polarity, rule.window) == ("exclude", None)


# --- MRI, relapses, sex --------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "Subjects must have at least one MS relapse within last year and/or at least one new T2 or Gadolinium-enhanced "
    "lesion on MRI while on stable interferon therapy.",
    "At least one relapse in the past year or >=1 new or enlarging T2 lesion or Gd-enhancing lesion",
])
def test_new_t2_or_gd_lesion_is_one_count_and_the_relapse_window_stays_with_the_relapse(text):
    (group,) = [r for r in _rules(text, "inclusion") if r.kind == "group"]
    mri = [r for r in group.rules if r.kind == "mri_activity"]
    relapse = [r for r in group.rules if r.kind == "relapse_activity"]
    assert [(r.lesion, r.window) for r in mri] == [("any", None)]
    assert relapse[0].window.within.value == 1


@pytest.mark.parametrize("text", [
    "At least one relapse in the two years prior to entry. Relapse will be defined historically as definite worsening "
    "of a previous symptom (over 0-3 days) or development of a new symptom (over 0-3 days).",
    "One relapse in the last 2 years. A relapse is defined as new symptoms lasting at least 24 hours.",
])
def test_a_relapse_definition_adds_no_relapse_rule(text):
    assert _kinds(text, "inclusion").count("relapse_activity") == 1


def test_a_relapse_named_three_times_is_one_rule():
    text = ("Patients with onset of an acute relapse had to postpone their evaluation until deemed stable from relapse "
            "by treating physician, but at least for 1 month since end of relapse.")
    assert _kinds(text).count("relapse_activity") == 1


@pytest.mark.parametrize("text, days", [
    ("Deterioration of neurological symptomatology within 60 day before enrollment ;", 60),
    ("Worsening of neurological status in the last 30 days", 30),
])
def test_neurological_deterioration_is_a_relapse_and_a_partial(text, days):
    rules = _rules(text)
    relapse = next(r for r in rules if r.kind == "relapse_activity")
    assert (relapse.polarity, relapse.window.within.value) == ("exclude", days)
    assert any(r.kind == "manual_review" and r.category == "partial" for r in rules)


@pytest.mark.parametrize("text", [
    "Males unable to fulfill the above criteria and all female patients.",
    "All female subjects.",
])
def test_an_excluded_sex(text):
    rule = _one(text, "sex")
    assert (rule.polarity, rule.allowed) == ("exclude", ["female"])


def test_a_sex_named_with_a_condition_is_no_sex_rule():
    assert "sex" not in _kinds("Female patients who are pregnant")


@pytest.mark.parametrize("text", [
    "Prior treatment with any of the following: cladribine, T-cell or T-cell receptor vaccination",
    "Previous T-cell or T-cell receptor vaccination.",
])
def test_a_shared_head_of_two_words_names_both_treatments(text):
    rule = _one(text, "prior_drug")
    assert {"t_cell_vaccination", "t_cell_receptor_vaccination"} <= set(rule.drugs)


@pytest.mark.parametrize("text, section", [
    ("No therapy with interferon for at least 6 months before screening", "inclusion"),
    ("No natalizumab for at least 3 months prior to baseline", "inclusion"),
])
def test_no_therapy_for_a_time_before_an_anchor_is_a_washout_not_a_duration(text, section):
    rule = _one(text, "washout", section)
    assert rule.polarity == "exclude" and rule.min_duration is None


@pytest.mark.parametrize("text", [
    "Patients on baclofen whose dose has not been stable for at least 30 days",
    "Patients taking fampridine who have not been on a stable dose for 3 months",
])
def test_not_yet_stable_goes_to_a_person(text):
    """Never a plain exclusion of the drug: a person's check, alone or scoped to the patients on the drug (an
    excluded all-of, which decides the patients off it)."""
    (rule,) = compile_text(text, "exclusion", "X1")
    if rule.kind == "group":
        drug, review = rule.rules
        assert (rule.mode, rule.polarity, drug.kind, drug.current) == ("all", "exclude", "prior_drug", True)
        # (a person's check, or the time on it with the dose's stability for a person: session 29)
        assert review.kind == "manual_review" or (review.kind, review.polarity, review.qualifier) == (
            "prior_drug", "exclude", "at a stable dose")
    else:
        assert rule.kind == "manual_review"


@pytest.mark.parametrize("text, section, drugs, window", [
    ("Prior treatment with rituximab, unless the last dose was more than 12 months before screening", "exclusion",
     ["rituximab"], (12.0, "months", "screening")),
    ("Previous treatment with ocrelizumab or ofatumumab unless discontinued at least 2 years prior to randomization",
     "exclusion", ["ocrelizumab", "ofatumumab"], (2.0, "years", "randomization")),
    ("Use of cannabis unless stopped at least 4 weeks prior to screening", "exclusion", ["cannabis"],
     (4.0, "weeks", "screening")),
    # the gap without "unless" reads the same way
    ("Subjects previously treated with natalizumab are eligible only if the last infusion was at least 6 months "
     "before baseline", "inclusion", ["natalizumab"], (6.0, "months", "baseline")),
])
def test_a_gap_in_an_unless_clause_is_the_way_out_of_the_exclusion(text, section, drugs, window):
    # "X, unless the last dose was more than 12 months ago" excludes X within 12 months: the gap flips the
    # polarity once and "unless" flips it back (it was read as *requiring* X within 12 months)
    rule = _one(text, "washout", section)
    assert rule.polarity == "exclude"
    assert sorted(rule.drugs) == drugs
    assert (rule.window.within.value, rule.window.within.unit, rule.window.anchor) == window


@pytest.mark.parametrize("text, section, kind, polarity, bounds", [
    ("EDSS not between 2.0 and 6.5", "exclusion", "edss", "require", (2.0, 6.5)),
    ("EDSS score outside the range of 3.0 to 6.5 at screening", "exclusion", "edss", "require", (3.0, 6.5)),
    ("Age not between 18 and 55 years", "exclusion", "age", "require", (18.0, 55.0)),
    ("EDSS between 2.0 and 6.5", "inclusion", "edss", "require", (2.0, 6.5)),
    # a negated comparator bounds from the other side: "not greater than 2.0" is at most 2.0
    ("EDSS not greater than 2.0", "exclusion", "edss", "exclude", (None, 2.0)),
    ("EDSS score not exceeding 6.0", "inclusion", "edss", "require", (None, 6.0)),
    ("EDSS does not exceed 6.5", "inclusion", "edss", "require", (None, 6.5)),
    ("EDSS score of not less than 3.0", "inclusion", "edss", "require", (3.0, None)),
])
def test_a_negated_range_or_comparator(text, section, kind, polarity, bounds):
    rule = _one(text, kind, section)
    found = rule.score if kind == "edss" else rule.years
    assert (rule.polarity, (found.low, found.high)) == (polarity, bounds)


@pytest.mark.parametrize("text", [
    "Previously untreated with B-cell depleting therapy",
    "Patients naive to S1P receptor modulators",
    "Treatment-naïve to disease-modifying therapies",
])
def test_naive_to_and_untreated_with_rule_the_drug_out(text):
    assert _one(text, "prior_drug", "inclusion").polarity == "exclude"


@pytest.mark.parametrize("text, expected", [
    ("Lymphocyte count below the lower limit of normal", [("lymphocytes", "<", 1.0, "xLLN")]),
    ("Absolute lymphocyte count < LLN at screening", [("lymphocytes", "<", 1.0, "xLLN")]),
    ("ALT > 3 x ULN or lymphocytes < 0.8 x LLN", [("alt", ">", 3.0, "xULN"), ("lymphocytes", "<", 0.8, "xLLN")]),
])
def test_a_bound_relative_to_the_lower_limit_of_normal(text, expected):
    labs = [r for r in _rules(text) if r.kind == "lab"]
    assert [(r.test, r.comparator, r.value, r.unit) for r in labs] == expected


@pytest.mark.parametrize("text, drugs, classes, duration", [
    ("If on interferon beta, must have been on it for at least 6 months prior to baseline", [], ["interferon_beta"],
     (6.0, "months")),
    ("When treated with glatiramer acetate, treatment must have been started more than 6 months before randomization",
     ["glatiramer_acetate"], [], (6.0, "months")),
    ("Stable on current DMT since at least 12 months, or not receiving any DMT", [], ["dmt"], (12.0, "months")),
    # ("Stable disease-modifying treatment (or no treatment) since at least 6 months": the duration is both arms', no
    # DMT in the last 6 months; tests/test_holdout_language.py)
])
def test_conditional_stability_in_more_words_is_not_on_it_or_on_it_long_enough(text, drugs, classes, duration):
    # these were read as washouts (no X within N months: the opposite of what they ask) or as "ever treated"
    (group,) = [r for r in _rules(text, "inclusion") if r.kind == "group"]
    not_on = [r for r in group.rules if r.polarity == "exclude"]
    on_long = [r for r in group.rules if r.polarity == "require"]
    assert group.mode == "any" and len(not_on) == len(on_long) == 1
    assert (not_on[0].kind, not_on[0].current, sorted(not_on[0].drugs), sorted(not_on[0].classes)) == \
        ("prior_drug", True, drugs, classes)
    assert (on_long[0].current, _duration(on_long[0])) == (True, duration)


@pytest.mark.parametrize("text", [
    "Treatment with fampridine started in the last 3 months",
    "Dalfampridine initiated within the last 30 days",
])
def test_a_treatment_started_recently_is_not_a_washout_of_any_use(text):
    # patients on it for longer are eligible: any use in the window would over-exclude; only a start counts
    assert [(r.kind, r.started) for r in _rules(text) if r.kind in ("washout", "prior_drug")] == [("washout", True)]


@pytest.mark.parametrize("text", [
    "Evidence of disability progression over the preceding 2 years not due to relapse, as documented by EDSS",
    "Evidence of disability progression not explained by relapses over the previous 2 years",
])
def test_a_relapse_named_as_what_progression_is_not_due_to_is_no_relapse_rule(text):
    assert "relapse_activity" not in _kinds(text, "inclusion")


@pytest.mark.parametrize("text, section, expected", [
    # a subtype that is not the patient's: the course SPMS began with, another study's population
    ("Confirmed diagnosis of MS (McDonald 2010) with a secondary progressive course, following an initial "
     "relapsing-remitting course.", "inclusion", [["SPMS"]]),
    ("Previous participation in the pilot study of lipoic acid in SPMS", "exclusion", []),
    ("Primary progressive MS, or secondary progressive MS without superimposed relapses.", "exclusion", [["PPMS"]]),
])
def test_subtypes_that_are_not_the_patients(text, section, expected):
    rules = _rules(text, section)
    assert [r.subtypes for r in rules if r.kind == "ms_subtype"] == expected
    # a skipped subtype mention is no diagnosis rule either: an excluded diagnosis would exclude every patient
    assert not [r for r in rules if r.kind == "ms_diagnosis" and r.polarity == "exclude"]


@pytest.mark.parametrize("text, version", [
    ("Confirmed diagnosis of RRMS according to McDonald criteria #1-4 (2005 revision).", "McDonald 2005"),
    ("MS according to McDonald (2010 revision)", "McDonald 2010"),
])
def test_a_mcdonald_revision_in_parentheses(text, version):
    assert _one(text, "ms_diagnosis", "inclusion").criteria_version == version


@pytest.mark.parametrize("text, years", [
    ("MS symptom onset at least two years before screening.", (2.0, None)),
    ("Disease duration (from the first symptom attributable to MS) of 10 years or less", (None, 10.0)),
])
def test_disease_duration_from_onset_and_a_postfix_bound(text, years):
    rule = _one(text, "disease_duration", "inclusion")
    assert (rule.years.low, rule.years.high) == years


def test_a_scale_named_after_the_disease_is_no_diagnosis():
    assert "ms_diagnosis" not in _kinds("Multiple Sclerosis Severity Score (MSSS) of 4 or more at screening.",
                                        "inclusion")


@pytest.mark.parametrize("text, anchor", [
    ("Any live vaccine within 1 month before the first study drug administration", "first_dose"),
    ("Live vaccines within 6 weeks before the first dose of study intervention", "first_dose"),
])
def test_first_dose_anchors(text, anchor):
    assert _one(text, "live_vaccine").window.anchor == anchor


@pytest.mark.parametrize("text", [
    "Contraceptive use should be consistent with local regulations for those participating in clinical studies",
    "Previous participation in the pilot study of lipoic acid",
])
def test_trial_participation_in_general_or_a_named_study_is_not_any_other_trial(text):
    assert "investigational" not in _kinds(text)


def test_a_parent_at_enrollment_makes_its_drug_items_current():
    # items that are criteria of their own (a window, a dose): a group, each item compiled alone
    text = ("Exclusion Criteria:\n- Any of the following medications at enrollment:\n  - warfarin\n"
            "  - fluoxetine, or fluoxetine use within the previous 5 weeks\n  - amitriptyline above 25 mg per day\n")
    (trial,) = readers.read_plain_text(text, path=Path("t.txt"), digest="0")
    drugs = [r for c in compile_trial(trial).criteria for r in rules_of(c, "prior_drug")]
    assert [r.current for r in drugs if r.drugs == ["warfarin"]] == [True]
    # bare items are one list: the parent's words are the list's
    text = "Exclusion Criteria:\n- Any of the following medications at enrollment:\n  - warfarin\n  - amantadine\n"
    (trial,) = readers.read_plain_text(text, path=Path("t.txt"), digest="0")
    drugs = [r for c in compile_trial(trial).criteria for r in rules_of(c, "prior_drug")]
    assert [(r.drugs, r.current) for r in drugs] == [(["warfarin", "amantadine"], True)]


@pytest.mark.parametrize("text, expected", [
    # (drugs, classes, except_drugs, has qualifier) per washout / prior-drug rule
    ("Current use of aspirin at doses greater than 325 mg/day", [(["aspirin"], [], [], True)]),
    ("Previous use of Copaxone 40 mg/mL three times per week.", [(["glatiramer_acetate"], [], [], True)]),
    ("Treatment with high dose corticosteroids during the 30 days preceding the inclusion",
     [([], ["systemic_corticosteroid"], [], True)]),
    ("Use of non-steroidal anti-inflammatory drugs (NSAIDs) 5 or more days a week.", [([], ["nsaid"], [], True)]),
    # a qualified member of a class named beside it: excepted from the class, its own rule carries the dose
    ("Receiving anticoagulant or antiplatelet therapies, including: aspirin > 81 mg/day, clopidogrel, heparin",
     [(["clopidogrel", "heparin"], ["anticoagulant", "antiplatelet"], ["aspirin"], False), (["aspirin"], [], [], True)]),
    # an example of a qualified class is in it; a route of a member beside its class is the class's
    ("High-dose corticosteroids (e.g., intravenous methylprednisolone 1 g/day) within the last 30 days",
     [([], ["systemic_corticosteroid"], [], True)]),
    ("Treatment with IV methylprednisolone, oral prednisone or other systemic corticosteroids within 50 days",
     [(["methylprednisolone", "prednisone"], ["systemic_corticosteroid"], [], False)]),
    # a dose in an exception narrows the exception: the drug stays excepted, the dose goes to a person
    ("Tricyclic antidepressants, other than amitriptyline at a dose of 25 mg/day or less",
     [([], ["tricyclic_antidepressant"], ["amitriptyline"], False)]),
    # the drug's own name, and a route of a class, are no qualifier
    ("Treatment with intravenous immunoglobulin within 3 months", [(["intravenous_immunoglobulin"], [], [], False)]),
])
def test_a_dose_regimen_or_route_is_the_rules_qualifier(text, expected):
    # these went to a person whole (or over-excluded every dose); now a patient without the drug is decided
    rules = [r for r in _rules(text) if r.kind in ("washout", "prior_drug")]
    assert [(r.drugs, r.classes, r.except_drugs, r.qualifier is not None) for r in rules] == expected


@pytest.mark.parametrize("text, drugs, classes, months", [
    ("Treatment-naive to glatiramer acetate, or treated with glatiramer acetate for less than 3 months",
     ["glatiramer_acetate"], [], 3),
    ("Previously treated with interferon beta for no more than 6 months", [], ["interferon_beta"], 6),
])
def test_a_ceiling_on_past_exposure_excludes_an_exposure_that_long(text, drugs, classes, months):
    # read as a 3-month washout before: a patient on glatiramer for years was let in, one who started last month not
    rule = _one(text, "prior_drug", "inclusion")
    assert (rule.polarity, rule.drugs, rule.classes, rule.current) == ("exclude", drugs, classes, False)
    assert (rule.min_duration.value, rule.min_duration.unit) == (months, "months")
    assert not [r for r in _rules(text, "inclusion") if r.kind == "washout"]


@pytest.mark.parametrize("text, drugs, classes", [
    ("Treatment with anticoagulants (e.g. warfarin) that cannot be stopped for 3 days before the procedure",
     ["warfarin"], ["anticoagulant"]),
    ("Use of aspirin that cannot be discontinued", ["aspirin"], []),
])
def test_a_drug_that_cannot_be_stopped_is_current_use_not_a_washout(text, drugs, classes):
    # the window is how long a pause would take: a patient who paused warfarin 3 days ago is not the one excluded
    rule = _one(text, "prior_drug")
    assert (rule.polarity, rule.drugs, rule.classes, rule.current) == ("exclude", drugs, classes, True)
    assert not [r for r in _rules(text) if r.kind == "washout"]


@pytest.mark.parametrize("text, current, washout", [
    ("Current use of an SSRI, or use of an MAOI within 2 weeks before baseline",
     (["ssri"]), (["mao_inhibitor"], 2, "weeks")),
    ("Current use of fluoxetine or any other selective serotonin reuptake inhibitor, tricyclic antidepressant, or "
     "monoamine oxidase inhibitor (MAOI), or MAOI use within the 5 weeks before baseline.",
     ["ssri", "tricyclic_antidepressant", "mao_inhibitor"], (["mao_inhibitor"], 5, "weeks")),
])
def test_current_use_then_an_item_with_a_window_gives_each_its_timing(text, current, washout):
    # the window was given to every item: an SSRI stopped 3 weeks ago excluded, one taken today within it anyway
    rules = [r for r in _rules(text) if r.kind in ("prior_drug", "washout")]
    assert [(r.kind, r.classes) for r in rules] == [("prior_drug", current), ("washout", washout[0])]
    assert rules[0].current
    assert (rules[1].window.within.value, rules[1].window.within.unit, rules[1].window.anchor) == \
        (washout[1], washout[2], "baseline")


@pytest.mark.parametrize("text, other_class, excepted", [
    ("Natalizumab, glatiramer acetate, dimethyl fumarate, teriflunomide, IVIG or plasmapheresis within 3 months, or "
     "any other immunosuppressive therapy (e.g., azathioprine, methotrexate, cyclosporine) within 6 months, before "
     "randomization.", "immunosuppressant", ["natalizumab", "dimethyl_fumarate", "teriflunomide"]),
    ("Fingolimod within 2 months or other S1P modulators within 6 months", "s1p_modulator", ["fingolimod"]),
])
def test_the_other_members_of_a_class_exclude_the_drugs_named_with_their_own_window(text, other_class, excepted):
    # natalizumab 4 months ago fell in the class's 6 months: the criterion gives it 3
    rules = [r for r in _rules(text) if r.kind == "washout"]
    (other,) = [r for r in rules if other_class in r.classes]
    assert other.except_drugs == excepted
    assert all(d in rules[0].drugs for d in excepted)
