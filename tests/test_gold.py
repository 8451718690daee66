"""The compiler against the hand-written gold set (tests/gold/): a regression guard at the reached level.

The floors below are the figures `msmatch eval-compiler` printed when they were last raised. A change that
lowers any of them fails here; a change that raises them should raise the floor too (see tests/gold/README.md).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from matcher.api import load_rulesets
from matcher.evalcompiler import _flatten, evaluate
from matcher.models.rules import CompiledCriterion, RuleSet

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "tests" / "gold"

FLOORS = {
    "precision": 0.9975,
    "recall": 0.9951,
    "exact_parameter_accuracy": 1.0,
    "structured_criteria_recall": 0.997,
    "manual_review_precision": 0.9935,  # 152 of 153 (one manual review is wrong, as before; 3 fewer manual reviews)
}


# At most how many criterion verdicts of the example patients the compiled rules get wrong against the gold's
# (msmatch eval-compiler --gold tests/gold --patients patient_profiles): wrong fails, wrong passes.
# (98 since session 23: the lexicon's new ids resolve more of the example patients' facts, so two more are decided
# by a compiled rule where the gold leaves a part of the criterion to a person)
WRONG_VERDICTS = (0, 98)


@pytest.fixture(scope="module")
def scored():
    from datetime import date

    from matcher.evalcompiler import Verdicts, _panel

    verdicts = Verdicts()
    return evaluate(GOLD, ROOT, _panel(ROOT / "patient_profiles"), date(2026, 11, 1), verdicts), verdicts


@pytest.fixture(scope="module")
def scores(scored):
    return scored[0]


def test_wrong_verdicts_do_not_rise(scored):
    verdicts = scored[1]
    most_fail, most_pass = WRONG_VERDICTS
    assert len(verdicts.wrong_fail) <= most_fail and len(verdicts.wrong_pass) <= most_pass, verdicts.summary()


@pytest.mark.parametrize("figure", sorted(FLOORS))
def test_figure_does_not_fall_below_the_reached_level(scores, figure):
    value = scores.summary()[figure]
    assert value >= FLOORS[figure], f"{figure} fell to {value:.3f} (floor {FLOORS[figure]}): run msmatch eval-compiler"


def test_no_polarity_errors(scores):
    assert scores.polarity_errors == [], scores.polarity_errors


def test_every_gold_criterion_is_aligned_with_a_compiled_one(scores):
    assert scores.unaligned == 0
    assert scores.criteria >= 490  # the 31 records' criteria, with min/max age fields merged


def _gold_files():
    return sorted(GOLD.glob("NCT*.json"))


@pytest.mark.parametrize("path", _gold_files(), ids=lambda p: p.stem)
def test_every_criterion_of_the_record_is_accounted_for(path):
    """Each compiled criterion carries at least one rule, structured or manual review: none is dropped."""
    gold = json.loads(path.read_text(encoding="utf-8"))
    if not gold.get("has_criteria", True):
        return
    (ruleset,) = load_rulesets(ROOT / gold["fixture"])
    assert ruleset.trial_id == gold["trial_id"]
    for criterion in ruleset.criteria:
        assert criterion.rules, f"{criterion.id} has no rule"
        assert criterion.coverage in ("full", "partial", "manual")
        if criterion.coverage == "manual":
            assert not _flatten(criterion.rules), f"{criterion.id} is 'manual' but has structured rules"


@pytest.mark.parametrize("text, section, kind, polarity", [
    ("Last relapse of the patient should be at least 2 months before study entry.", "inclusion",
     "relapse_activity", "exclude"),
    ("No relapse within 30 days prior to screening", "inclusion", "relapse_activity", "exclude"),
    ("Patients must be relapse-free for at least 30 days before randomization", "inclusion",
     "relapse_activity", "exclude"),
    ("Relapse within 30 days prior to screening", "exclusion", "relapse_activity", "exclude"),
    ("At least one relapse in the last 12 months", "inclusion", "relapse_activity", "require"),
    ("Participants may not participate in any other clinical trial within 6 months", "exclusion",
     "investigational", "exclude"),
    ("Women of childbearing potential not using effective contraception", "exclusion", "contraception", "require"),
    ("Must agree to use effective contraception during the study", "inclusion", "contraception", "require"),
    ("No history of malignancy", "inclusion", "condition", "exclude"),
    ("History of malignancy other than basal cell carcinoma", "exclusion", "condition", "exclude"),
    ("Any previous treatment with alemtuzumab", "exclusion", "prior_drug", "exclude"),
    ("Fingolimod within 24 weeks prior to screening", "exclusion", "washout", "exclude"),
])
def test_negation_and_history_language(text, section, kind, polarity):
    from matcher.compile import compile_text

    rules = [r for r in _flatten(compile_text(text, section, "X1")) if r["kind"] == kind]
    assert rules, f"no {kind} rule from {text!r}"
    assert rules[0]["polarity"] == polarity


def test_thousands_separators_and_decimal_commas():
    from matcher.compile import compile_text

    (platelets,) = [r for r in compile_text("Platelets ≥100,000/µL", "inclusion") if r.kind == "lab"]
    assert (platelets.value, platelets.unit) == (100000.0, "/µL")
    (edss,) = [r for r in compile_text("Expanded Disability Status Scale score more then 5,5", "exclusion")
               if r.kind == "edss"]
    assert edss.score.low == 5.5 and not edss.score.low_inclusive


def _rules(text, section="exclusion"):
    from matcher.compile import compile_text

    return _flatten(compile_text(text, section, "X1"))


@pytest.mark.parametrize("text, conditions", [
    ("History of renal or liver disease.", {"kidney_disease", "liver_disease"}),
    ("Subject has a history of drug or alcohol abuse within the past year.", {"substance_abuse"}),
    ("History or currently active primary or secondary immunodeficiency.", {"immunodeficiency"}),
    ("Congestive heart failure (NYHA III or IV functional severity).",
     {"heart_failure_nyha_iii", "heart_failure_nyha_iv"}),
    ("Positive HIV infection serological test", {"hiv"}),
    ("Diagnosed with symptomatic spasticity due to multiple sclerosis.", {"spasticity"}),
])
def test_condition_lists_as_registry_text_writes_them(text, conditions):
    (rule,) = [r for r in _rules(text) if r["kind"] == "condition"]
    assert set(rule["conditions"]) == conditions


def test_examples_in_a_parenthesis_do_not_narrow_the_condition():
    (rule,) = [r for r in _rules("History or known presence of recurrent or chronic infection (e.g., hepatitis B "
                                 "or C, HIV, syphilis, tuberculosis)") if r["kind"] == "condition"]
    assert {"recurrent_infection", "chronic_infection"} <= set(rule["conditions"])


def test_each_subtype_clause_keeps_its_own_activity_window():
    """NCT05208840 I1: the 2-year window is stated for SPMS only."""
    from matcher.compile import compile_text

    text = ("Patients of both genders with active progressive multiple sclerosis, defined with Lublin 2013 "
            "classification: primary progressive multiple sclerosis with subsequent relapses or MRI activity "
            "(McDonald 2017 criteria), secondary progressive multiple sclerosis with relapses or MRI activity "
            "during 2 years prior to initiation of ocrelizumab.")
    rules = compile_text(text, "inclusion", "I1")
    (subtype,) = [r for r in rules if r.kind == "ms_subtype"]
    assert set(subtype.subtypes) == {"PPMS", "SPMS"} and subtype.active_only
    (group,) = [r for r in rules if r.kind == "group"]
    assert group.when.subtypes == ["SPMS"] and group.mode == "any"
    assert {r.kind for r in group.rules} == {"relapse_activity", "mri_activity"}
    assert all(r.window.within.value == 2 and r.window.anchor == "first_dose" for r in group.rules)
    ids = [r.id for r in group.rules]
    assert all(ids) and len(set(ids)) == len(ids)


def test_consent_and_investigator_determined_criteria_go_to_a_person():
    assert _rules("Willing and able to give informed consent for participation in the study.", "inclusion") == []
    assert _rules("Have a walking impairment as determined by the Investigator.", "inclusion") == []


def test_a_subtype_clause_whose_activity_cannot_be_stated_goes_to_a_person():
    """Nothing dropped: 'PPMS with subsequent relapses' (no count, no window) becomes a manual-review rule for
    PPMS patients instead of vanishing when the clauses are scoped by subtype."""
    from matcher.compile import compile_text

    rules = compile_text("Primary progressive MS with subsequent relapses, secondary progressive MS with new T2 "
                         "lesions within 2 years prior to screening", "inclusion", "I1")
    manual = [r for r in rules if r.kind == "manual_review"]
    assert [r.when.subtypes for r in manual] == [["PPMS"]]
    (scoped,) = [r for r in rules if r.kind == "mri_activity"]  # one rule of its own: no group around it
    assert scoped.when.subtypes == ["SPMS"]


def test_exclusions_that_differ_only_in_their_ids_are_compared_as_one_rule():
    from matcher.evalcompiler import _merge_equivalent

    window = {"within": {"value": 6, "unit": "months"}, "anchor": "randomization"}
    natalizumab = {"kind": "washout", "polarity": "exclude", "drugs": ["natalizumab"], "window": window}
    cladribine = {**natalizumab, "drugs": ["cladribine"]}
    (merged,) = _merge_equivalent([natalizumab, cladribine])
    assert sorted(merged["drugs"]) == ["cladribine", "natalizumab"]
    # another window, a requirement (all must hold) or a count of distinct drugs is a rule of its own
    later = {**cladribine, "window": {**window, "within": {"value": 12, "unit": "months"}}}
    assert len(_merge_equivalent([natalizumab, later])) == 2
    required = [{**rule, "kind": "prior_drug", "polarity": "require", "window": None} for rule in (natalizumab, cladribine)]
    assert len(_merge_equivalent([{k: v for k, v in r.items() if k != "window"} for r in required])) == 2
    two = [{"kind": "prior_drug", "polarity": "exclude", "drugs": [d], "min_distinct": 2} for d in ("a", "b")]
    assert len(_merge_equivalent(two)) == 2
    # requirements that are alternatives of one any-of are one rule too ("on A for 3 months, or on B for 3 months")
    either = [{**{k: v for k, v in r.items() if k != "window"}, "_path": ["any"]} for r in required]
    (merged,) = _merge_equivalent(either)
    assert sorted(merged["drugs"]) == ["cladribine", "natalizumab"]


def _relapses(n: int, years: int) -> dict:
    return {"kind": "relapse_activity", "polarity": "require", "min_count": n,
            "window": {"within": {"value": years, "unit": "years"}, "anchor": "screening"}}


def test_the_scorer_compares_the_groups_around_a_rule():
    """Two counts read as both required (flat) are not the gold's any-of: a grouping error, not an exact match."""
    from matcher.evalcompiler import Scores, score_trial

    either = {"kind": "group", "mode": "any", "polarity": "require", "rules": [_relapses(2, 2), _relapses(1, 1)]}
    text = "At least 2 relapses in the previous 2 years or 1 relapse in the previous year"
    gold = {"criteria": [{"text": text, "rules": [either]}]}
    for compiled, exact in (([either], 2), ([_relapses(2, 2), _relapses(1, 1)], 0)):
        criterion = CompiledCriterion(id="I1", section="inclusion", text=text, span=(0, len(text)), coverage="full",
                                      rules=compiled)
        scores = Scores()
        score_trial(gold, RuleSet(trial_id="T", compiler_version="test", criteria_text=text, criteria=[criterion]),
                    scores)
        assert (sum(scores.tp.values()), sum(scores.exact.values())) == (2, exact)
        assert len(scores.grouping_errors) == 2 - exact


def test_a_short_heading_does_not_take_the_place_of_a_long_criterion():
    """holdout27 NCT04048577: the heading "Other" sits inside "Participation in another interventional study ..." and,
    first in the list, took that criterion's place (its rule then counted as missed)."""
    from matcher.evalcompiler import _align

    long = "Participation in another interventional study within the 30 days before screening."
    criteria = [CompiledCriterion(id=ident, section="exclusion", text=text, span=(0, len(text)), coverage="manual",
                                  rules=[]) for ident, text in (("E15", "Other"), ("E18", long))]
    ruleset = RuleSet(trial_id="T", compiler_version="test", criteria_text=long, criteria=criteria)
    ((_, aligned),) = _align([{"text": long}], ruleset)
    assert aligned.id == "E18"


def test_equivalent_groupings_score_alike():
    """Negations pushed down to the rules: an excluded any-of is its rules each excluded; an excluded all-of is not."""
    from matcher.evalcompiler import _leaves

    a, b = _relapses(2, 2), _relapses(1, 1)
    flat = _leaves([{**a, "polarity": "exclude"}, {**b, "polarity": "exclude"}])
    assert _leaves([{"kind": "group", "mode": "any", "polarity": "exclude", "rules": [a, b]}]) == flat
    both = _leaves([{"kind": "group", "mode": "all", "polarity": "exclude", "rules": [a, b]}])
    assert [r["polarity"] for r in both] == ["exclude", "exclude"] and [r["_path"] for r in both] == [["any"]] * 2
    # an all-of inside the criterion's own all-of, or a group of one rule, adds nothing
    assert _leaves([{"kind": "group", "mode": "all", "polarity": "require", "rules": [a, b]}]) == _leaves([a, b])
    assert _leaves([{"kind": "group", "mode": "any", "polarity": "require", "rules": [a]}]) == _leaves([a])


def test_verdicts_of_the_panel_say_where_a_compiled_rule_decides_a_patient_otherwise():
    """The patient panel decides each criterion by the gold's rules and by the compiled ones: a gold EDSS ceiling of
    9.5 where the compiler read 6.0 makes the compiled rule fail the EDSS 6.5 patient the gold lets pass."""
    from matcher.evalcompiler import Verdicts, _panel, score_verdicts
    from datetime import date

    gold = json.loads((GOLD / "NCT05208840.json").read_text(encoding="utf-8"))
    (ruleset,) = load_rulesets(ROOT / gold["fixture"])
    panel = _panel(ROOT / "patient_profiles")
    same = Verdicts()
    score_verdicts(gold, ruleset, panel, date(2026, 11, 1), same)
    assert same.pairs > 20 * len(panel) and not same.wrong_fail and not same.wrong_pass
    for criterion in gold["criteria"]:
        if criterion["text"] == "EDSS ≤ 6.0.":
            criterion["rules"][0]["score"]["high"] = 9.5
    moved = Verdicts()
    score_verdicts(gold, ruleset, panel, date(2026, 11, 1), moved)
    assert {(case[2], case[3]) for case in moved.wrong_fail} == {("EDSS ≤ 6.0.", "p10-spms-edss-6-5")}
    assert moved.trial_agree < moved.trials
