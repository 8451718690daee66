"""Segment: sections, bullets, continuation lines, nested and flat lists, per-subtype blocks, offsets."""

import re

import pytest

from matcher.ingest import load_trials
from matcher.segment import iter_criteria, segment

from .conftest import ALL_TRIAL_FILES, CORPUS, SEED_FILES


def _criteria(path):
    (trial,) = load_trials(path)
    return trial, segment(trial.criteria_text)


@pytest.mark.parametrize("path", ALL_TRIAL_FILES, ids=lambda p: p.name)
def test_no_line_is_dropped(path):
    """Every non-blank, non-header line lies inside some criterion's span."""
    trial, criteria = _criteria(path)
    spans = [c.span for c in iter_criteria(criteria)]
    offset = 0
    for line in trial.criteria_text.split("\n"):
        start, offset = offset, offset + len(line) + 1
        stripped = line.strip()
        if not stripped or re.fullmatch(r"(?i)[\W_]*(key\s+|major\s+)?(inclusion|exclusion)?\s*criteria[^:]*:?[\W_]*"
                                        r"(include:)?", stripped):
            continue
        middle = start + len(line) - len(line.lstrip()) + len(stripped) // 2
        assert any(s <= middle <= e for s, e in spans), f"line dropped: {stripped!r}"


@pytest.mark.parametrize("path", ALL_TRIAL_FILES, ids=lambda p: p.name)
def test_spans_point_at_the_criterion_text(path):
    trial, criteria = _criteria(path)
    for criterion in iter_criteria(criteria):
        source = " ".join(trial.criteria_text[criterion.span[0]:criterion.span[1]].split())
        assert criterion.text.split()[0] in source


def test_flat_any_of_list_in_the_pediatric_mirror():
    _, criteria = _criteria(SEED_FILES["NCT03368664"])
    parent = next(c for c in criteria if c.text.startswith("At least 1 of the following"))
    assert parent.layout == "flat"
    assert [c.text[:20] for c in parent.children] == [
        ">=1 new or enlarging", "Two or more relapses", "Tried at least 2 MS "]
    exclusions = [c for c in criteria if c.section == "exclusion"]
    assert exclusions[0].text == "Any progressive or non-relapsing forms of MS."


def test_per_subtype_blocks_and_the_general_criteria_after_them():
    _, criteria = _criteria(SEED_FILES["NCT02403947"])
    inclusion = [c for c in criteria if c.section == "inclusion"]
    blocks = [c for c in inclusion if c.children]
    assert [b.text.split()[0:3] for b in blocks] == [["Relapsing", "remitting", "MS"], ["Secondary", "progressive", "MS"],
                                                     ["Primary", "progressive", "MS"]]
    assert [len(b.children) for b in blocks] == [3, 2, 3]
    # The EDSS and contraception bullets, re-indented after the PPMS block, are general criteria.
    assert inclusion[-2].text.startswith("EDSS (Expanded Disability Status Scale) 3.0 to 6.5")
    assert inclusion[-1].text.startswith("Women of childbearing age")


def test_flat_item_lists_end_at_the_next_sentence():
    _, criteria = _criteria(CORPUS / "NCT02525874.csv")
    history = next(c for c in criteria if c.text.startswith("History of or positive test result"))
    assert [c.text for c in history.children] == ["human immunodeficiency virus", "hepatitis C virus antibody",
                                                  "hepatitis B infection"]
    assert any(c.text.startswith("Drug or alcohol abuse within 1 year") for c in criteria)
    treatment = next(c for c in criteria if c.text.startswith("Treatment with any of the following"))
    assert len(treatment.children) == 7 and treatment.children[-1].text == "plasmapheresis or cytapheresis"


def test_wrapped_lines_are_joined_and_sections_found():
    _, criteria = _criteria(CORPUS / "NCT00405353.csv")
    assert sum(c.section == "inclusion" for c in criteria) == 8
    assert sum(c.section == "exclusion" for c in criteria) == 23
    first = criteria[0]
    assert first.text == ("Men, age 18-65, with a diagnosis of clinically definite relapsing remitting multiple "
                          "sclerosis.")


def test_roman_numeral_children_at_varying_indentation():
    _, criteria = _criteria(CORPUS / "NCT06408259.json")
    parent = next(c for c in criteria if c.text.startswith("Meets at least 1 of the following"))
    assert len(parent.children) == 3
    assert any(c.text.startswith("Has an Expanded Disability Status Scale") and not c.children for c in criteria)


@pytest.mark.parametrize("text", [
    "Exclusion Criteria:\n\n  -  Concurrent use of any of the following medications: Antipsychotics, diuretics,\n"
    "     digoxin, or iodide salts.\n\n  -  Use of non-steroidal anti-inflammatory drugs (NSAIDs) 5 or more days a week.\n",
    "Exclusion Criteria:\n- Any of the following drugs: cladribine, mitoxantrone\n- Pregnancy\n",
])
def test_a_list_written_inline_after_the_following_colon_takes_no_children(text):
    criteria = segment(text)
    assert len(criteria) == 2 and not criteria[0].children


@pytest.mark.parametrize("wrapped", ["inclusion.", "Inclusion", "exclusion"])
def test_a_wrapped_line_that_starts_with_a_section_word_is_no_header(wrapped):
    # every criterion after "... criteria for MS at\n inclusion." was read as an inclusion: 10 exclusions flipped
    text = ("Inclusion Criteria:\n\n  -  Aged 18 to 55 years.\n\nExclusion Criteria:\n\n"
            f"  -  Patients already meeting the 2010 McDonald criteria for multiple sclerosis at\n     {wrapped}\n\n"
            "  -  Any previous disease-modifying therapy for MS.\n")
    assert [(c.id, c.section) for c in segment(text)] == \
        [("I1", "inclusion"), ("E1", "exclusion"), ("E2", "exclusion")]


def test_a_sub_heading_inside_a_section_groups_criteria_of_their_own():
    # the items were one criterion under the heading: their rules were scored, and audited, as one
    text = ("Exclusion Criteria:\n\nExclusions related to MS:\n\n* Primary progressive MS\n* Other neurological "
            "disorders, including stroke, transient ischemic attack, or CNS vasculitis\n\n"
            "Exclusions related to previous or concomitant therapy:\n\n* Any previous treatment with rituximab\n"
            "* Receipt of a live vaccine within 6 weeks prior to randomization\n\nMS-related exclusions:\n\n"
            "* Pregnancy\n")
    criteria = segment(text)
    assert [(c.id, c.text, c.children) for c in criteria] == [
        ("E1", "Primary progressive MS", []),
        ("E2", "Other neurological disorders, including stroke, transient ischemic attack, or CNS vasculitis", []),
        ("E3", "Any previous treatment with rituximab", []),
        ("E4", "Receipt of a live vaccine within 6 weeks prior to randomization", []),
        ("E5", "Pregnancy", [])]


def test_letters_after_h_are_markers_and_i_after_h_is_a_letter():
    # "i)" was read as a roman numeral and "j)" .. "o)" as continuations: nine criteria became one
    text = "Exclusion Criteria:\n" + "\n".join(f"{letter}) Criterion {letter}." for letter in "ghijklmno")
    criteria = segment(text)
    assert [c.text for c in criteria] == [f"Criterion {letter}." for letter in "ghijklmno"]
    assert all(not c.children for c in criteria)


@pytest.mark.parametrize("heading", ["Medical conditions:", "Prior/concomitant therapy:", "Other exclusions:"])
def test_a_category_heading_groups_criteria_of_their_own(heading):
    """Under "Medical conditions:" each bullet is an exclusion; read as one criterion with items it merged them."""
    text = (f"Exclusion Criteria:\n\n{heading}\n\n* Primary progressive MS\n* Pregnancy or lactation\n\n"
            "Diagnostic assessments:\n\n* Inability to undergo MRI\n")
    criteria = segment(text)
    assert [(c.section, c.text, c.children) for c in criteria] == [
        ("exclusion", "Primary progressive MS", []), ("exclusion", "Pregnancy or lactation", []),
        ("exclusion", "Inability to undergo MRI", [])]


@pytest.mark.parametrize("heading", ["At screening (Visit 1):", "At randomization (Visit 2):", "Visit 1 (Day -28):",
                                     "Screening visit:", "Part 1:", "Part B (extension):", "Stage 2:"])
def test_a_visit_or_part_heading_groups_criteria_of_their_own(heading):
    """Read as one criterion with items, "At screening (Visit 1):" merged ten inclusions into the first (consent);
    "Part 1:" (holdout13 NCT03958877) made every inclusion and exclusion of the study one criterion."""
    text = (f"Inclusion Criteria:\n\n{heading}\n\n1. Willing and able to give informed consent.\n2. Male or female, "
            "aged 18 years or above.\n")
    assert [(c.text, c.children) for c in segment(text)] == [("Willing and able to give informed consent.", []),
                                                              ("Male or female, aged 18 years or above.", [])]


def test_a_criterion_that_introduces_its_items_keeps_them():
    criteria = segment("Exclusion Criteria:\n\nAny of the following cardiac conditions:\n\n* Heart failure\n* Stroke\n")
    assert len(criteria) == 1 and len(criteria[0].children) == 2


_COHORTS = """Inclusion Criteria:

General inclusion criteria:

* Age 18 to 55 years, inclusive, at screening

Inclusion criteria specific to participants with RMS:

* EDSS score of 0 to 5.5 points, inclusive, at screening

Inclusion criteria specific to participants with PPMS:

* EDSS score of 3.0 to 6.5 points, inclusive, at screening

Exclusion Criteria:

* Any relapse within 30 days before screening
"""


def test_a_header_naming_a_cohort_scopes_its_criteria():
    """Read for everyone, the two cohorts' EDSS ranges excluded each other's patients."""
    from datetime import date

    from matcher.api import parse_patient
    from matcher.compile import compile_criterion
    from matcher.evaluate import screen
    from matcher.models.rules import RuleSet

    criteria = segment(_COHORTS)
    assert [(c.id, c.cohort) for c in criteria] == [
        ("I1", None), ("I2", "participants with RMS"), ("I3", "participants with PPMS"), ("E1", None)]
    compiled = [compile_criterion(c) for c in criteria]
    assert [[r.when.subtypes if r.when else None for r in c.rules] for c in compiled] == [
        [None], [["CIS", "RRMS", "SPMS"]], [["PPMS"]], [None]]
    ruleset = RuleSet(trial_id="X", compiler_version="test", criteria_text=_COHORTS, criteria=compiled)
    ppms = parse_patient({"id": "p", "birth_date": "1980-01-01", "ms_subtype": "PPMS", "relapses": [],
                          "edss": [{"date": "2026-10-01", "score": 6.0}]})
    assert screen(ruleset, ppms, date(2026, 11, 2)).verdict == "eligible"
    rrms = ppms.model_copy(update={"ms_subtype": "RRMS"})
    assert screen(ruleset, rrms, date(2026, 11, 2)).verdict == "ineligible"
