"""Ingest: every format of the seeds and the corpus, structured fields, unescaping, bad input."""

import json

import pytest

from matcher.errors import NoCriteriaError, RecordError
from matcher.ingest import load_trials, unescape

from .conftest import ALL_TRIAL_FILES, CORPUS, NEWS_ARTICLE, SEED_FILES


@pytest.mark.parametrize("path", ALL_TRIAL_FILES, ids=lambda p: p.name)
def test_every_record_loads_with_its_nct_id_and_criteria(path):
    (trial,) = load_trials(path)
    assert trial.id.startswith("NCT") and len(trial.id) == 11
    assert "clusion" in trial.criteria_text.lower() or "criteria" in trial.criteria_text.lower()
    assert trial.source_sha256 and len(trial.source_sha256) == 64


@pytest.mark.parametrize("nct, fmt, low, high", [
    ("NCT05208840", "ctgov_page_text", "18 Years", "65 Years"),
    ("NCT06592703", "ctgov_api_v2_pydict", "18 Years", "55 Years"),
    ("NCT02403947", "ctgov_page_text", "18 Years", "50 Years"),
    ("NCT03368664", "markdown_mirror", "10 Years", "18 Years"),
])
def test_seed_formats_and_structured_ages(nct, fmt, low, high):
    (trial,) = load_trials(SEED_FILES[nct])
    assert (trial.id, trial.source_format, trial.minimum_age, trial.maximum_age) == (nct, fmt, low, high)
    assert trial.sex == "ALL" and trial.healthy_volunteers is False


def test_api_json_record_keeps_structured_fields():
    (trial,) = load_trials(CORPUS / "NCT06408259.json")
    assert (trial.minimum_age, trial.maximum_age, trial.sex) == ("10 Years", "17 Years", "ALL")


def test_search_response_with_several_studies(tmp_path):
    study = json.loads((CORPUS / "NCT06441617.json").read_text())
    path = tmp_path / "search.json"
    path.write_text(json.dumps({"studies": [study, study]}))
    trials = load_trials(path)
    assert [t.record for t in trials] == ["#0", "#1"]


def test_escapes_are_undone():
    (mirror,) = load_trials(SEED_FILES["NCT03368664"])
    assert "from 10 years to <18 years" in mirror.criteria_text and "\\<" not in mirror.criteria_text
    (pydict,) = load_trials(SEED_FILES["NCT06592703"])
    assert "(<50 G/L)" in pydict.criteria_text
    assert unescape("1 ≤ EDSS\\&amp;lt;6") == "1 ≤ EDSS<6"


def test_news_article_says_it_holds_no_criteria():
    with pytest.raises(NoCriteriaError) as error:
        load_trials(NEWS_ARTICLE)
    assert "NCT01412333" in str(error.value) and NEWS_ARTICLE.name in str(error.value)


def test_bad_inputs_name_the_file_and_field(tmp_path):
    with pytest.raises(RecordError, match="no such file"):
        load_trials(tmp_path / "missing.json")
    broken = tmp_path / "broken.json"
    broken.write_text('{"protocolSection": ')
    with pytest.raises(RecordError, match="broken.json: invalid JSON at line 1"):
        load_trials(broken)
    no_column = tmp_path / "rows.csv"
    no_column.write_text("nctid,text\nNCT00000001,hello\n")
    with pytest.raises(RecordError, match="field 'criteria'"):
        load_trials(no_column)
    not_a_study = tmp_path / "other.json"
    not_a_study.write_text('{"hello": 1}')
    with pytest.raises(RecordError, match="protocolSection"):
        load_trials(not_a_study)


def test_a_pdq_era_page_without_inclusion_or_exclusion_headings():
    """The 1990s pages (tests/holdout16 NCT00004744) hold a bare "Criteria" heading over "--Disease
    Characteristics--" category lines: every item is read, none of the headings is a criterion."""
    from pathlib import Path

    (trial,) = load_trials(Path(__file__).parent / "holdout16" / "records" / "NCT00004744_ctgov_page.txt")
    assert trial.criteria_text.lstrip().startswith("--Disease Characteristics--")
    assert "Clinically definite or laboratory-supported definite multiple sclerosis" in trial.criteria_text
    assert (trial.minimum_age, trial.maximum_age) == ("18 Years", "60 Years")
    from matcher.segment import segment

    texts = [c.text for c in segment(trial.criteria_text)]
    assert not [t for t in texts if t.startswith("--") or t.strip() == "Criteria"]
    assert any(t.startswith("No prior intravenous immune globulin") for t in texts)


def test_a_page_of_2008_gives_the_sex_as_genders_eligible():
    """tests/holdout19 NCT00702468: "Genders Eligible for Study: Both" (the pages before 2017) had gone unread."""
    from pathlib import Path

    (trial,) = load_trials(Path(__file__).parent / "holdout19" / "records" / "NCT00702468_ctgov_page.txt")
    assert trial.sex == "ALL"
