"""Coordinator edits (matcher/edits.py): validated, immutable, recorded with who, when, why and hashes."""

import json
from datetime import date, datetime, timezone

import pytest

from matcher.api import load_patient, load_rulesets
from matcher.cli import main
from matcher.edits import EditError, apply_edit, is_edited
from matcher.evaluate import screen

from .conftest import PROFILES, SEED_FILES, ruleset_for

P01 = PROFILES / "p01-rrms-fingolimod-washout.json"
AT = datetime(2026, 11, 20, 9, 30, tzinfo=timezone.utc)
TWELVE_WEEK_WASHOUT = [{"kind": "washout", "drugs": ["fingolimod"], "classes": ["s1p_modulator"],
                        "window": {"within": {"value": 12, "unit": "weeks"}}}]


@pytest.fixture
def legato():
    """NCT05208840, whose E25 reads 'Treatment with fingolimod or other S1P receptor modulator within 24 weeks'."""
    return ruleset_for(SEED_FILES["NCT05208840"])


def _criterion(ruleset, criterion_id):
    return next(c for c in ruleset.criteria if c.id == criterion_id)


def test_edit_replaces_rules_and_records_who_when_why_and_hashes(legato):
    edited = apply_edit(legato, "E25", TWELVE_WEEK_WASHOUT, editor=" j.doe ", reason="protocol amendment 3", at=AT)
    (edit,) = edited.edits
    assert (edit.editor, edit.at, edit.criterion_id, edit.reason) == ("j.doe", AT, "E25", "protocol amendment 3")
    assert edit.before_sha256 == legato.content_sha256() != edit.after_sha256 == edited.content_sha256()
    assert edit.before["rules"][0]["window"]["within"] == {"value": 24.0, "unit": "weeks"}
    assert edit.after["rules"][0]["window"]["within"] == {"value": 12.0, "unit": "weeks"}
    old, new = _criterion(legato, "E25"), _criterion(edited, "E25")
    # The source is untouched: an edit corrects the reading, not the trial.
    assert (new.text, new.span, new.section) == (old.text, old.span, old.section)
    (rule,) = new.rules
    assert (rule.id, rule.criterion_id, rule.section, rule.polarity, rule.text) == \
        ("E25.r1", "E25", "exclusion", "exclude", old.text)
    assert new.coverage == "full"
    # Rule sets are immutable: the original is unchanged.
    assert legato.edits == [] and _criterion(legato, "E25").rules[0].window.within.value == 24
    assert is_edited(edited) and not is_edited(legato)


def test_edit_changes_the_decision_on_real_patient(legato):
    p01 = load_patient(P01)  # Gilenya stopped 2026-07-31, 13 weeks before 2026-11-01
    before = _criterion(screen(legato, p01, date(2026, 11, 1)), "E25")
    after = _criterion(screen(apply_edit(legato, "E25", TWELVE_WEEK_WASHOUT, editor="j.doe"), p01,
                              date(2026, 11, 1)), "E25")
    assert (before.status, after.status) == ("fail", "pass")


def test_rules_given_as_json_text_and_coverage(legato):
    manual = json.dumps([{"kind": "manual_review", "why": "ask the neurologist", "category": "clinical"}])
    edited = apply_edit(legato, "E25", manual, editor="j.doe")
    assert _criterion(edited, "E25").coverage == "manual"
    mixed = apply_edit(legato, "E25", [*TWELVE_WEEK_WASHOUT, {"kind": "manual_review"}], editor="j.doe")
    assert _criterion(mixed, "E25").coverage == "partial"
    assert [r.id for r in _criterion(mixed, "E25").rules] == ["E25.r1", "E25.r2"]
    forced = apply_edit(legato, "E25", TWELVE_WEEK_WASHOUT, editor="j.doe", coverage="partial")
    assert _criterion(forced, "E25").coverage == "partial"


def test_successive_edits_chain_their_hashes(legato):
    first = apply_edit(legato, "E25", TWELVE_WEEK_WASHOUT, editor="a")
    second = apply_edit(first, "E22", [{"kind": "manual_review", "why": "route of the steroid"}], editor="b")
    assert [e.editor for e in second.edits] == ["a", "b"]
    assert second.edits[1].before_sha256 == second.edits[0].after_sha256 == first.content_sha256()
    assert second.edits[1].after_sha256 == second.content_sha256()
    # Rules changed again after the last edit (e.g. recompiled) are no longer "hand-corrected".
    recompiled = second.model_copy(update={"criteria": legato.criteria})
    assert recompiled.edits and not is_edited(recompiled)


def test_bad_edits_name_trial_criterion_and_field(legato):
    with pytest.raises(EditError) as error:
        apply_edit(legato, "E25", TWELVE_WEEK_WASHOUT, editor="  ")
    assert "field 'editor'" in str(error.value)
    with pytest.raises(EditError) as error:
        apply_edit(legato, "E99", TWELVE_WEEK_WASHOUT, editor="a")
    assert "record NCT05208840" in str(error.value) and "field 'criterion_id'" in str(error.value)
    assert "E25" in str(error.value)  # the hint lists the criteria
    with pytest.raises(EditError) as error:
        apply_edit(legato, "E25", [{"kind": "washout", "drugs": ["fingolimod"]}], editor="a")
    message = str(error.value)
    assert "record NCT05208840 E25" in message and "window" in message and "rules.0" in message
    with pytest.raises(EditError):
        apply_edit(legato, "E25", [], editor="a")
    with pytest.raises(EditError) as error:
        apply_edit(legato, "E25", "[{\"kind\": \"no_such_kind\"}]", editor="a")
    assert "field 'rules." in str(error.value)


def test_edited_rule_set_round_trips_and_screen_accepts_it(legato, tmp_path, capsys):
    edited = apply_edit(legato, "E25", TWELVE_WEEK_WASHOUT, editor="j.doe", reason="amendment", at=AT)
    path = tmp_path / "NCT05208840.json"
    path.write_text(edited.model_dump_json(indent=2, exclude_none=True), encoding="utf-8")
    (loaded,) = load_rulesets(path)
    assert loaded.edits == edited.edits and loaded.content_sha256() == edited.content_sha256()
    assert main(["screen", "--patient", str(P01), "--trial", str(path), "--as-of", "2026-11-01", "--json",
                 "--no-store"]) == 0
    (result,) = json.loads(capsys.readouterr().out)
    assert result["ruleset_sha256"] == edited.content_sha256()
    assert next(c for c in result["criteria"] if c["id"] == "E25")["status"] == "pass"
