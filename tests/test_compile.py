"""Compile: each rule family on real seed and corpus sentences; nothing dropped."""

import pytest

from matcher.compile import compile_text

from .conftest import ALL_TRIAL_FILES, CORPUS, SEED_FILES, criterion_with, ruleset_for, rules_of


def only(criterion, kind):
    found = rules_of(criterion, kind)
    assert len(found) == 1, f"{criterion.id}: expected one {kind} rule, got {found}"
    return found[0]


@pytest.mark.parametrize("path", ALL_TRIAL_FILES, ids=lambda p: p.name)
def test_every_criterion_has_at_least_one_rule(path):
    ruleset = ruleset_for(path)
    assert ruleset.criteria
    for criterion in ruleset.criteria:
        assert criterion.rules, criterion.id
        if criterion.coverage != "full":
            assert rules_of(criterion, "manual_review"), criterion.id


def test_structured_age_fields_and_text_ages():
    legato = ruleset_for(SEED_FILES["NCT05208840"])
    age = only(legato.criteria[0], "age")
    assert (age.years.low, age.years.high, age.origin) == (18, 65, "structured_field")
    peds = criterion_with(ruleset_for(SEED_FILES["NCT03368664"]), "aged from 10 years")
    years = only(peds, "age").years
    assert (years.low, years.low_inclusive, years.high, years.high_inclusive) == (10, True, 18, False)


@pytest.mark.parametrize("path, fragment, low, high", [
    (SEED_FILES["NCT05208840"], "EDSS ≤ 6.0", None, 6.0),
    (SEED_FILES["NCT06592703"], "EDSS score: 3 to 6", 3, 6),
    (SEED_FILES["NCT03368664"], "0.0 to 5.0 (inclusive)", 0, 5),
    (SEED_FILES["NCT02403947"], "EDSS (Expanded Disability Status Scale) 3.0 to 6.5", 3, 6.5),
    (CORPUS / "NCT06408259.json", "score of 0 to 5.5, both inclusive", 0, 5.5),
    (CORPUS / "NCT00134563.csv", "ambulatory (EDSS of ≤ 5.5)", None, 5.5),
])
def test_edss_ranges(path, fragment, low, high):
    score = only(criterion_with(ruleset_for(path), fragment), "edss").score
    assert (score.low, score.high, score.high_inclusive) == (low, high, True)


def test_washout_with_drug_and_class_and_window():
    rule = only(criterion_with(ruleset_for(SEED_FILES["NCT05208840"]), "fingolimod or other S1P"), "washout")
    assert rule.polarity == "exclude" and "fingolimod" in rule.drugs and "s1p_modulator" in rule.classes
    assert (rule.window.within.value, rule.window.within.unit, rule.window.anchor) == (24, "weeks", "screening")


def test_washout_in_months_and_baseline_anchor():
    legato = ruleset_for(SEED_FILES["NCT05208840"])
    rule = only(criterion_with(legato, "Treatment with cyclophosphamide"), "washout")
    assert {"cyclophosphamide", "azathioprine", "natalizumab", "methotrexate"} <= set(rule.drugs)
    assert (rule.window.within.value, rule.window.within.unit) == (24, "months")
    ivig = only(criterion_with(legato, "intravenous immunoglobulin"), "washout")
    assert (ivig.window.within.value, ivig.window.within.unit, ivig.window.anchor) == (12, "weeks", "baseline")


def test_investigational_agent_with_half_lives():
    rule = only(criterion_with(ruleset_for(SEED_FILES["NCT05208840"]), "investigational agent"), "investigational")
    assert rule.polarity == "exclude" and rule.window.half_lives == 5


def test_prior_drug_ban_with_class_expansion():
    rule = only(criterion_with(ruleset_for(SEED_FILES["NCT05208840"]), "B-cell depleting agents"), "prior_drug")
    assert rule.polarity == "exclude" and "b_cell_depleting" in rule.classes and "rituximab" in rule.drugs


def test_prior_drug_list_under_a_flat_parent_with_an_exception():
    rule = only(criterion_with(ruleset_for(CORPUS / "NCT02525874.csv"), "Prior treatment with any of the following"),
                "prior_drug")
    assert {"cladribine", "mitoxantrone", "alemtuzumab"} <= set(rule.drugs)
    assert {"natalizumab", "daclizumab"} <= set(rule.except_drugs)


def test_live_vaccine_window():
    rule = only(criterion_with(ruleset_for(SEED_FILES["NCT05208840"]), "live vaccine"), "live_vaccine")
    assert (rule.window.within.value, rule.window.within.unit, rule.window.anchor) == (6, "weeks", "baseline")


def test_pregnancy_and_breastfeeding_exclusion():
    rule = only(criterion_with(ruleset_for(SEED_FILES["NCT05208840"]), "Pregnant or breastfeeding"), "pregnancy")
    assert (rule.polarity, rule.pregnant, rule.breastfeeding) == ("exclude", True, True)


def test_unwilling_to_use_contraception_is_a_requirement():
    rule = only(criterion_with(ruleset_for(SEED_FILES["NCT03368664"]), "Unwilling to agree to use a highly effective"),
                "contraception")
    assert rule.polarity == "require"


def test_relapse_counts_and_windows_in_an_any_of_group():
    peds = criterion_with(ruleset_for(CORPUS / "NCT06408259.json"), "Meets at least 1 of the following")
    (group,) = [r for r in peds.rules if r.kind == "group"]
    assert group.mode == "any"
    relapses = rules_of(peds, "relapse_activity")
    assert [(r.min_count, r.window.within.value, r.window.within.unit) for r in relapses] == [
        (1, 1, "years"), (2, 2, "years")]
    mri = only(peds, "mri_activity")
    assert (mri.lesion, mri.window.within.value, mri.window.anchor) == ("gd_enhancing", 6, "baseline")


def test_no_relapse_in_an_inclusion_is_an_exclusion_of_relapses():
    rule = only(criterion_with(ruleset_for(CORPUS / "NCT00134563.csv"), "No relapse onset in the preceding 60 days"),
                "relapse_activity")
    assert (rule.polarity, rule.window.within.value, rule.window.anchor) == ("exclude", 60, "randomization")


def test_relapse_within_days_written_as_inferior_or_egal():
    rule = only(criterion_with(ruleset_for(SEED_FILES["NCT02403947"]), "Relapse inferior or egal to 60 days"),
                "relapse_activity")
    assert (rule.polarity, rule.window.within.value, rule.window.within.unit) == ("exclude", 60, "days")


@pytest.mark.parametrize("text, condition", [
    ("History of stroke or transient ischemic attack within 6 months", "cerebrovascular_disease"),
    ("Myocardial infarction (heart attack) in the last 6 months", "myocardial_infarction"),
])
def test_attacks_of_another_kind_are_not_relapses(text, condition):
    """A TIA or a heart attack is a condition with a window, not an MS relapse (a relapse rule here would exclude
    every patient with a recent relapse, and take the window from the condition)."""
    rules = compile_text(text, "exclusion", "X1")
    assert [r.kind for r in rules] == ["condition"]
    assert rules[0].conditions == [condition] and rules[0].window.within.value == 6
    (relapse,) = compile_text("At least one attack within the last year", "inclusion", "X1")
    assert (relapse.kind, relapse.window.within.value) == ("relapse_activity", 1)


def test_judgement_criteria_are_manual_review():
    legato = ruleset_for(SEED_FILES["NCT05208840"])
    criterion = criterion_with(legato, "in the investigator's judgment")
    assert criterion.coverage == "manual" and criterion.rules[0].category == "judgement"
    consent = criterion_with(ruleset_for(SEED_FILES["NCT06592703"]), "signed a free, informed")
    assert consent.coverage == "manual" and consent.rules[0].category == "administrative"


def test_csf_oligoclonal_bands():
    rule = only(criterion_with(ruleset_for(SEED_FILES["NCT06592703"]), "oligoclonal"), "csf_oligoclonal_bands")
    assert rule.polarity == "require"


def test_unknown_text_becomes_manual_review_with_its_text():
    (rule,) = compile_text("Must live within 100 miles of UCLA.", "inclusion", "I7")
    assert rule.kind == "manual_review" and rule.text == "Must live within 100 miles of UCLA."
