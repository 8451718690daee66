"""Audit: screenings recorded append-only, explained from the store as they were made, time to eligibility,
what to check next, and the printable HTML report."""

import json
import re
from datetime import date, timedelta
from html.parser import HTMLParser

import pytest

from matcher.api import load_patient, load_rulesets
from matcher.cli import main
from matcher.edits import apply_edit
from matcher.evaluate import screen
from matcher.report.audit import find_screening, record_screenings, rederive, store_path
from matcher.report.insights import describe_wait, is_open, next_checks, rank, time_to_eligibility
from matcher.report.store import ResultStore

from .conftest import EXAMPLE_TRIALS, PROFILES, SEED_FILES, criterion_with, ruleset_for

P01 = PROFILES / "p01-rrms-fingolimod-washout.json"  # Gilenya stopped 2026-07-31
P11 = PROFILES / "p11-ppms-yellow-fever-vaccine.json"  # Stamaril (live) on 2026-10-11
P12 = PROFILES / "p12-spms-steroid-pulse.json"  # methylprednisolone until 2026-10-18, relapse 2026-10-12
AS_OF = date(2026, 11, 1)
DAY = timedelta(days=1)


def _screen_cli(store, patient, *trials, as_of="2026-11-01"):
    args = ["screen", "--patient", str(patient), "--as-of", as_of, "--store", str(store), "--json"]
    for trial in trials:
        args += ["--trial", str(trial)]
    assert main(args) == 0


def _status(result, fragment, ruleset):
    criterion_id = criterion_with(ruleset, fragment).id
    return next(c for c in result.criteria if c.id == criterion_id)


def _washout(result, fragment, ruleset):
    """The status of the criterion's washout rule (the criterion may hold other rules, e.g. a manual part)."""
    (rule,) = [r for r in _status(result, fragment, ruleset).rules if r.kind == "washout"]
    return rule.status


# --- recording ----------------------------------------------------------------------------------------------

def test_screen_records_by_default_and_a_rerun_appends(tmp_path, monkeypatch, capsys):
    store = tmp_path / "default.sqlite"
    monkeypatch.setenv("MSMATCH_STORE", str(store))
    assert main(["screen", "--patient", str(P01), "--trial", str(EXAMPLE_TRIALS), "--as-of", "2026-11-01"]) == 0
    assert f"recorded in {store} (run 1)" in capsys.readouterr().err
    with ResultStore(store) as db:
        first = db.query("SELECT * FROM screenings ORDER BY run_id, seq")
        assert len(first) == 4 and {row[4] for row in first} == {"NCT02403947", "NCT03368664", "NCT05208840",
                                                                  "NCT06592703"}
    assert main(["screen", "--patient", str(P01), "--trial", str(EXAMPLE_TRIALS), "--as-of", "2026-11-01"]) == 0
    with ResultStore(store) as db:
        assert db.count("runs") == 2 and db.count("screenings") == 8
        # The first run's rows are untouched; the profile and the rule sets are kept once per content hash.
        assert db.query("SELECT * FROM screenings ORDER BY run_id, seq")[:4] == first
        assert (db.count("patient_snapshots"), db.count("run_patients"), db.count("rulesets")) == (1, 2, 4)
        (command,) = db.query("SELECT command FROM runs WHERE run_id = 2")[0]
        assert command.startswith("msmatch screen --patient ") and "--as-of 2026-11-01" in command


def test_no_store_records_nothing_and_store_location(tmp_path, monkeypatch):
    store = tmp_path / "nothing.sqlite"
    monkeypatch.setenv("MSMATCH_STORE", str(store))
    assert main(["screen", "--patient", str(P01), "--trial", str(SEED_FILES["NCT05208840"]), "--no-store"]) == 0
    assert not store.exists()
    assert store_path() == store and store_path(tmp_path / "x.sqlite") == tmp_path / "x.sqlite"
    monkeypatch.delenv("MSMATCH_STORE")
    assert str(store_path()) == "msmatch-results.sqlite"


def test_unusable_store_is_a_clear_error(tmp_path, capsys):
    not_a_db = tmp_path / "notes.sqlite"
    not_a_db.write_text("these are not the results you are looking for\n" * 100)
    assert main(["screen", "--patient", str(P01), "--trial", str(SEED_FILES["NCT05208840"]),
                 "--store", str(not_a_db)]) == 2
    err = capsys.readouterr().err
    assert str(not_a_db) in err and "--no-store" in err and len(err.strip().splitlines()) == 1


# --- explain ------------------------------------------------------------------------------------------------

def test_explain_reproduces_the_stored_decision_after_the_rules_change(tmp_path, capsys):
    store = tmp_path / "audit.sqlite"
    compiled = tmp_path / "rules"
    assert main(["compile", str(SEED_FILES["NCT05208840"]), "--out", str(compiled)]) == 0
    rules_file = compiled / "NCT05208840.json"
    original = load_rulesets(rules_file)[0]
    fingolimod = criterion_with(original, "fingolimod or other S1P receptor modulator within 24 weeks").id
    _screen_cli(store, P01, rules_file, as_of="2026-11-01")

    # A coordinator shortens the washout; the trial is screened again two weeks later.
    edited = apply_edit(original, fingolimod, [{"kind": "washout", "drugs": ["fingolimod"],
                                                "classes": ["s1p_modulator"],
                                                "window": {"within": {"value": 12, "unit": "weeks"}}}],
                        editor="coordinator.kim", reason="protocol amendment 2")
    rules_file.write_text(edited.model_dump_json(indent=2, exclude_none=True), encoding="utf-8")
    _screen_cli(store, P01, rules_file, as_of="2026-11-15")
    capsys.readouterr()

    assert main(["explain", "--patient", "p01-rrms-fingolimod-washout", "--trial", "NCT05208840",
                 "--at", "2026-11-01", "--store", str(store), "--json"]) == 0
    old = json.loads(capsys.readouterr().out)
    assert old["as_of"] == "2026-11-01" and old["ruleset"]["sha256"] == original.content_sha256()
    assert fingolimod in [c["id"] for c in old["failing"]]
    (failing,) = [c for c in old["failing"] if c["id"] == fingolimod]
    assert failing["compiled"][0]["window"]["within"] == {"value": 24.0, "unit": "weeks"}
    assert "treatments: Gilenya (2026-07-31)" in failing["facts"]
    assert not old["ruleset"]["hand_corrected"] and "no coordinator edits" in old["ruleset"]["provenance"][0]
    assert old["rederived"]["same"] and old["other_screenings_of_pair"] == 1

    assert main(["explain", "--patient", "p01-rrms-fingolimod-washout", "--trial", "NCT05208840",
                 "--store", str(store)]) == 0
    text = capsys.readouterr().out
    assert "as of 2026-11-15" in text and edited.content_sha256() in text
    assert (f"rules edited by coordinator.kim on {edited.edits[0].at.isoformat(timespec='minutes')} (criterion "
            f"{fingolimod}, hash {original.content_sha256()[:12]} -> {edited.content_sha256()[:12]}): "
            "protocol amendment 2") in text
    assert f"\n  {fingolimod} [" not in text.split("Unknown")[0]  # no longer failing
    assert "same decision" in text


def test_explain_source_offsets_point_into_the_trial_record(tmp_path, capsys):
    store = tmp_path / "audit.sqlite"
    _screen_cli(store, P12, SEED_FILES["NCT05208840"])
    capsys.readouterr()
    assert main(["explain", "--patient", "p12-spms-steroid-pulse", "--trial", "NCT05208840", "--store", str(store),
                 "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    ruleset = ruleset_for(SEED_FILES["NCT05208840"])
    for item in data["failing"] + data["unknown"]:
        if item["source"] is not None:
            start, end = item["source"]["start"], item["source"]["end"]
            assert ruleset.criteria_text[start:end] == item["source"]["text"]
            assert item["text"][:20] in item["source"]["text"].replace("\n", " ")
    assert data["time_to_eligibility"]["eligible_from"] == data["eligible_from"]


def test_explain_with_nothing_stored_exits_2(tmp_path, capsys):
    store = tmp_path / "audit.sqlite"
    assert main(["explain", "--patient", "p01-rrms-fingolimod-washout", "--trial", "NCT05208840",
                 "--store", str(store)]) == 2
    assert "no results store" in capsys.readouterr().err and not store.exists()
    _screen_cli(store, P01, SEED_FILES["NCT05208840"])
    capsys.readouterr()
    cases = [(["--patient", "p99", "--trial", "NCT05208840"], "no screening of this patient"),
             (["--patient", "p01-rrms-fingolimod-washout", "--trial", "NCT00000000"], "screened against: NCT05208840"),
             (["--patient", "p01-rrms-fingolimod-washout", "--trial", "NCT05208840", "--at", "2026-10-31"],
              "stored reference dates: 2026-11-01")]
    for args, message in cases:
        assert main(["explain", *args, "--store", str(store)]) == 2
        err = capsys.readouterr().err
        assert message in err and str(store) in err and len(err.strip().splitlines()) == 1


def test_rederiving_finds_a_decision_the_stored_profile_does_not_give(tmp_path):
    """A stored result that the stored profile and rule set no longer reproduce is reported, not hidden."""
    ruleset = ruleset_for(SEED_FILES["NCT05208840"])
    p01 = load_patient(P01)
    fingolimod = criterion_with(ruleset, "fingolimod or other S1P receptor modulator within 24 weeks").id
    result = screen(ruleset, p01, AS_OF)
    never_on_gilenya = p01.model_copy(update={"treatments": [t for t in p01.treatments if t.drug != "Gilenya"]})
    with ResultStore(tmp_path / "audit.sqlite") as store:
        record_screenings(store, never_on_gilenya, [ruleset], [result], "test")
        stored = find_screening(store, p01.id, "NCT05208840")
        check = rederive(stored)
    assert not check.same and f"{fingolimod}: stored fail, now pass" in check.differences


# --- hashes -------------------------------------------------------------------------------------------------

def test_the_hash_changes_when_a_rule_changes_and_only_then():
    ruleset = ruleset_for(SEED_FILES["NCT05208840"])
    fingolimod = criterion_with(ruleset, "fingolimod or other S1P receptor modulator within 24 weeks")
    (rule,) = fingolimod.rules
    longer = rule.model_copy(update={"window": rule.window.model_copy(update={
        "within": rule.window.within.model_copy(update={"value": 25.0})})})
    criteria = [c if c.id != fingolimod.id else c.model_copy(update={"rules": [longer]}) for c in ruleset.criteria]
    assert ruleset.model_copy(update={"criteria": criteria}).content_sha256() != ruleset.content_sha256()
    # When and from where it was compiled do not decide verdicts, so they do not change the hash.
    assert ruleset.model_copy(update={"compiled_on": date(2030, 1, 1), "source": "elsewhere"}).content_sha256() \
        == ruleset.content_sha256()


# --- time to eligibility ------------------------------------------------------------------------------------

@pytest.mark.parametrize("trial, fragment, last_exposure, passes_from", [
    # 24 weeks = 168 days after the last dose, the window closes; it passes the day after.
    ("NCT05208840", "fingolimod or other S1P receptor modulator within 24 weeks", date(2026, 7, 31),
     date(2027, 1, 16)),
    # 6 calendar months: 2026-07-31 + 6 months = 2027-01-31, passes from 2027-02-01.
    ("NCT03368664", "Treatment with natalizumab, daclizumab, fingolimod", date(2026, 7, 31), date(2027, 2, 1)),
    # 1 calendar year.
    ("NCT06592703", "Disease Modifying Drugs during the past year", date(2026, 7, 31), date(2027, 8, 1)),
])
def test_washout_passes_exactly_from_the_day_after_the_window(trial, fragment, last_exposure, passes_from):
    ruleset = ruleset_for(SEED_FILES[trial])
    p01 = load_patient(P01)
    assert next(t.end for t in p01.treatments if t.drug == "Gilenya") == last_exposure
    now = _status(screen(ruleset, p01, AS_OF), fragment, ruleset)
    assert now.status == "fail"
    assert [r.passes_from for r in now.rules if r.status == "fail"] == [passes_from]
    assert _washout(screen(ruleset, p01, passes_from - DAY), fragment, ruleset) == "fail"
    assert _washout(screen(ruleset, p01, passes_from), fragment, ruleset) == "pass"
    assert _washout(screen(ruleset, p01, passes_from + DAY), fragment, ruleset) == "pass"


def test_month_end_washout_is_described_from_the_right_dose():
    """Calendar months do not subtract back (2026-08-30 and -31 + 6 months both end 2027-02-28): the
    description names the dose the window really runs from."""
    ruleset = ruleset_for(SEED_FILES["NCT03368664"])
    p01 = load_patient(P01)
    treatments = [t.model_copy(update={"end": date(2026, 8, 30)}) if t.drug == "Gilenya" else t
                  for t in p01.treatments]
    patient = p01.model_copy(update={"treatments": treatments})
    fragment = "Treatment with natalizumab, daclizumab, fingolimod"
    result = screen(ruleset, patient, AS_OF)
    assert [r.passes_from for r in _status(result, fragment, ruleset).rules if r.status == "fail"] == \
        [date(2027, 3, 1)]
    assert _washout(screen(ruleset, patient, date(2027, 2, 28)), fragment, ruleset) == "fail"
    assert _washout(screen(ruleset, patient, date(2027, 3, 1)), fragment, ruleset) == "pass"
    tte_waits = [r for r in _status(result, fragment, ruleset).rules if r.status == "fail"]
    assert describe_wait(criterion_with(ruleset, fragment).rules[0], tte_waits[0], None) == \
        "the 6-month fingolimod washout ends (Gilenya stopped 2026-08-30)"


def test_time_to_eligibility_steroids_and_a_recent_relapse():
    """p12 fails NCT02403947 only on time windows: 30 days after the steroid pulse, 60 days after the relapse."""
    ruleset = ruleset_for(SEED_FILES["NCT02403947"])
    p12 = load_patient(P12)
    result = screen(ruleset, p12, AS_OF)
    tte = time_to_eligibility(result, ruleset, p12)
    assert tte.eligible_from == date(2026, 12, 12) == date(2026, 10, 12) + timedelta(days=61)
    assert [(w.passes_from, w.description) for w in tte.waits] == [
        (date(2026, 11, 18), "the 30-day corticosteroid washout ends (methylprednisolone 1 g IV daily x5 stopped "
                             "2026-10-18)"),
        (date(2026, 12, 12), "the 60-day window after the relapse of 2026-10-12 ends")]
    assert screen(ruleset, p12, tte.eligible_from - DAY).verdict == "ineligible"
    on_the_day = screen(ruleset, p12, tte.eligible_from)
    assert on_the_day.verdict == tte.checked_verdict == "needs_review" and not tte.blocked_by
    assert tte.still_to_confirm == tuple(c.id for c in on_the_day.criteria if c.status == "unknown")
    sentence = tte.sentence()
    assert sentence.startswith("Eligible for NCT02403947 from 2026-12-12, when the 30-day corticosteroid washout")
    assert f"still to confirm: {', '.join(tte.still_to_confirm)}." in sentence


def test_time_to_eligibility_live_vaccine_in_weeks():
    ruleset = ruleset_for(SEED_FILES["NCT05208840"])
    p11 = load_patient(P11)
    tte = time_to_eligibility(screen(ruleset, p11, AS_OF), ruleset, p11)
    assert tte.eligible_from == date(2026, 11, 23) == date(2026, 10, 11) + timedelta(weeks=6, days=1)
    assert "the 6-week window after the live vaccine Stamaril (yellow fever) given 2026-10-11 ends" in tte.sentence()
    assert screen(ruleset, p11, date(2026, 11, 22)).verdict == "ineligible"
    assert screen(ruleset, p11, date(2026, 11, 23)).verdict == "needs_review"


def test_time_to_eligibility_reports_criteria_that_fail_by_then():
    """Aged 50 now, 51 when the windows pass: the age limit (18 to 50) blocks it, and the report says so."""
    ruleset = ruleset_for(SEED_FILES["NCT02403947"])
    patient = load_patient(P12).model_copy(update={"birth_date": date(1975, 12, 1)})
    result = screen(ruleset, patient, AS_OF)
    assert result.eligible_from == date(2026, 12, 12)
    tte = time_to_eligibility(result, ruleset, patient)
    assert tte.checked_verdict == "ineligible"
    blocked = {item.split(":")[0] for item in tte.blocked_by}
    assert criterion_with(ruleset, "Age 18 to 50 years").id in blocked
    assert "but on that date other criteria fail" in tte.sentence()
    # Without the patient the date is reported unchecked.
    assert time_to_eligibility(result, ruleset).checked_verdict is None


def test_no_time_to_eligibility_when_something_else_fails():
    ruleset = ruleset_for(SEED_FILES["NCT05208840"])  # p01 has RRMS: the subtype criterion fails for good
    assert time_to_eligibility(screen(ruleset, load_patient(P01), AS_OF), ruleset) is None


# --- ranking and what to check next -------------------------------------------------------------------------

def test_rank_eligible_then_fewest_to_confirm_then_ineligible():
    p02 = load_patient(PROFILES / "p02-ppms-active-maestro-candidate.json")
    results = [screen(ruleset_for(path), p02, AS_OF) for path in SEED_FILES.values()]
    ranked = rank(results)
    order = {"eligible": 0, "needs_review": 1, "ineligible": 2}
    assert [order[r.verdict] for r in ranked] == sorted(order[r.verdict] for r in results)
    review = [len(r.to_confirm) for r in ranked if r.verdict == "needs_review"]
    assert review == sorted(review) and len(review) >= 1


def test_next_checks_ordered_by_trials_decided():
    """Two trials cut down to real criteria: the EDSS bears on both and is the only question left for one."""
    legato = ruleset_for(SEED_FILES["NCT05208840"])
    mesems = ruleset_for(SEED_FILES["NCT02403947"])
    edss_only = legato.model_copy(update={"criteria": [criterion_with(legato, "EDSS ≤ 6.0")]})
    edss_and_egfr = mesems.model_copy(update={"criteria": [criterion_with(mesems, "EDSS (Expanded Disability"),
                                                           criterion_with(mesems, "eGFR (estimated")]})
    patient = load_patient(P01).model_copy(update={"edss": None, "labs": None})
    results = [screen(edss_only, patient, AS_OF), screen(edss_and_egfr, patient, AS_OF)]
    assert [r.verdict for r in results] == ["needs_review", "needs_review"]
    checks = next_checks(results, {r.trial_id: r for r in (edss_only, edss_and_egfr)})
    assert [(c.label, c.trials, c.settles) for c in checks] == [
        ("EDSS score", ["NCT05208840", "NCT02403947"], ["NCT05208840"]),
        ("Lab: Estimated glomerular filtration rate (eGFR)", ["NCT02403947"], [])]


def test_next_checks_cover_every_unknown_criterion_of_review_trials():
    p13 = load_patient(PROFILES / "p13-ppms-missing-data.json")
    rulesets = [ruleset_for(path) for path in SEED_FILES.values()]
    results = [screen(r, p13, AS_OF) for r in rulesets]
    checks = next_checks(results, {r.trial_id: r for r in rulesets})
    covered = {c for check in checks for c in check.criteria}
    unknown = {(r.trial_id, c.id) for r in results if is_open(r) for c in r.criteria if c.status == "unknown"}
    assert unknown and covered == unknown
    spans = [(-len(c.settles), -len(c.trials)) for c in checks]
    assert spans == sorted(spans)


# --- the HTML report ----------------------------------------------------------------------------------------

class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[str] = []
        self.marks: dict[str, str] = {}
        self._mark = None

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        attrs = dict(attrs)
        if tag == "mark" and attrs.get("id"):
            self._mark = attrs["id"]
            self.marks[self._mark] = ""

    def handle_endtag(self, tag):
        if tag == "mark":
            self._mark = None

    def handle_data(self, data):
        if self._mark:
            self.marks[self._mark] += data


def test_html_report_renders_the_example_trials_with_a_real_patient(tmp_path, capsys):
    store = tmp_path / "audit.sqlite"
    _screen_cli(store, P12, EXAMPLE_TRIALS)
    out = tmp_path / "report" / "p12.html"
    assert main(["report", "--patient", "p12-spms-steroid-pulse", "--store", str(store), "--out", str(out)]) == 0
    assert f"wrote {out} (4 trials)" in capsys.readouterr().err
    page = out.read_text(encoding="utf-8")
    parser = _Page()
    parser.feed(page)
    assert "script" not in parser.tags and "link" not in parser.tags  # self-contained, nothing runs
    assert "@media print" in page
    for trial_id in ("NCT02403947", "NCT03368664", "NCT05208840", "NCT06592703"):
        assert f'id="t-{trial_id}"' in page
    # Ranked: the time-limited exclusion from NCT05208840 (2026-11-16) comes before the one from NCT02403947.
    assert page.index('id="t-NCT05208840"') < page.index('id="t-NCT02403947"')
    assert "Eligible for NCT05208840 from 2026-11-16, when the 4-week systemic corticosteroid washout ends" in page
    assert "Eligible for NCT02403947 from 2026-12-12" in page
    assert "What to check next" in page and "rules as compiled by" in page
    # Every criterion's span is highlighted in the criteria text exactly as the trial record has it.
    ruleset = ruleset_for(SEED_FILES["NCT05208840"])
    steroid = criterion_with(ruleset, "Systemic corticosteroid therapy within 4 weeks")
    assert parser.marks[f"t-NCT05208840-src-{steroid.id}"] == \
        ruleset.criteria_text[steroid.span[0]:steroid.span[1]]
    assert re.search(r'<mark class="fail">[^<]*Systemic corticosteroid therapy within 4 weeks', page)


def test_html_report_escapes_trial_text(tmp_path, capsys):
    record = (EXAMPLE_TRIALS / "NCT05208840_ctgov_page.txt").read_text(encoding="utf-8")
    planted = "- Allergy to <script>alert('pwned')</script> contrast agents <img src=x onerror=alert(1)>.\n"
    assert "- Known allergies to contrast agent.\n" in record
    hostile = tmp_path / "NCT05208840_hostile.txt"
    hostile.write_text(record.replace("- Known allergies to contrast agent.\n", planted), encoding="utf-8")
    store = tmp_path / "audit.sqlite"
    _screen_cli(store, P01, hostile)
    out = tmp_path / "p01.html"
    assert main(["report", "--patient", "p01-rrms-fingolimod-washout", "--store", str(store), "--out", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    assert "<script" not in page.lower() and "<img" not in page.lower()
    assert "&lt;script&gt;alert(&#39;pwned&#39;)&lt;/script&gt;" in page
    capsys.readouterr()
    assert main(["explain", "--patient", "p01-rrms-fingolimod-washout", "--trial", "NCT05208840",
                 "--store", str(store)]) == 0
    assert "<script>alert('pwned')</script>" in capsys.readouterr().out  # plain text output is verbatim


def test_report_shows_edit_provenance_and_errors_cleanly(tmp_path, capsys):
    store = tmp_path / "audit.sqlite"
    original = ruleset_for(SEED_FILES["NCT05208840"])
    steroid = criterion_with(original, "Systemic corticosteroid therapy within 4 weeks").id
    edited = apply_edit(original, steroid, [{"kind": "manual_review", "why": "route and dose of the steroid"}],
                        editor="dr.ortiz", reason="oral steroids allowed")
    rules_file = tmp_path / "NCT05208840.json"
    rules_file.write_text(edited.model_dump_json(exclude_none=True), encoding="utf-8")
    _screen_cli(store, P12, rules_file)
    out = tmp_path / "p12.html"
    assert main(["report", "--patient", "p12-spms-steroid-pulse", "--store", str(store), "--out", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    assert "rules edited by dr.ortiz on" in page and f"(criterion {steroid}, hash " in page
    capsys.readouterr()
    assert main(["report", "--patient", "p12-spms-steroid-pulse", "--store", str(store), "--at", "2026-10-01",
                 "--out", str(tmp_path / "none.html")]) == 2
    err = capsys.readouterr().err
    assert "no screening of this patient with a reference date on or before 2026-10-01" in err
    assert not (tmp_path / "none.html").exists()



def test_explain_reads_a_batch_store(tmp_path, capsys):
    """Batch runs keep compact rows, the rule sets and each profile once: explain shows the recorded decision,
    re-derived from the stored profile and checked against the stored statuses."""
    registry = tmp_path / "registry"
    registry.mkdir()
    for profile in (P01, P12):
        (registry / profile.name).write_text(profile.read_text(encoding="utf-8"), encoding="utf-8")
    assert main(["batch", "--patients", str(registry), "--trials", str(SEED_FILES["NCT05208840"]),
                 "--as-of", "2026-11-01", "--out", str(tmp_path / "run"), "--workers", "1"]) == 0
    capsys.readouterr()
    assert main(["explain", "--patient", "p12-spms-steroid-pulse", "--trial", "NCT05208840",
                 "--store", str(tmp_path / "run.sqlite"), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["verdict"] == "ineligible" and data["eligible_from"] == "2026-11-16"
    assert data["time_to_eligibility"]["checked_verdict"] == "needs_review"  # E22 passes by then
    assert data["rederived"]["same"] and data["patient_snapshot_stored"]
