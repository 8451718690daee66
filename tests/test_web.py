"""The clinic web app through FastAPI's TestClient: form, upload, results, API, coordinator edits, limits."""

from __future__ import annotations

import json
import logging
import re
import shutil
from datetime import date

import pytest
from fastapi.testclient import TestClient

from matcher.api import load_patient, screen_patient
from matcher.cli import build_parser
from matcher.models.patient import Patient
from matcher.models.rules import RuleSet
from matcher.web import TrialCatalog, create_app
from matcher.web.catalog import TrialEntry
from matcher.web.forms import MAX_ROWS, form_to_profile, profile_to_form

from .conftest import CORPUS, EXAMPLE_TRIALS, PROFILES

AS_OF = date(2026, 11, 1)
EXPECTED = json.loads((PROFILES / "EXPECTED.json").read_text(encoding="utf-8"))
PROFILE_FILES = sorted(PROFILES.glob("p*.json"))
P02 = PROFILES / "p02-ppms-active-maestro-candidate.json"
P09 = PROFILES / "p09-spms-bcc-excised-edss-6.json"
HOSTILE_ID = "NCT09999999"
HOSTILE_LINE = '- Known allergy to <script>alert("criteria")</script> contrast agent <img src=x onerror=alert(1)>\n'


@pytest.fixture(scope="module")
def trials_dir(tmp_path_factory):
    """The four example trials plus an untrusted record whose criteria hold markup."""
    folder = tmp_path_factory.mktemp("trials")
    for record in EXAMPLE_TRIALS.iterdir():
        shutil.copy(record, folder / record.name)
    text = (CORPUS / "NCT03928990.txt").read_text(encoding="utf-8")
    hostile = text.replace("Exclusion Criteria:\n", "Exclusion Criteria:\n" + HOSTILE_LINE)
    (folder / f"{HOSTILE_ID}.txt").write_text(hostile, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def compiled(trials_dir):
    catalog = TrialCatalog.load([trials_dir])
    assert not catalog.problems
    return catalog


def fresh_catalog(compiled, rules_dir=None) -> TrialCatalog:
    """A catalog over the module's compiled trials (compiling once), with its own rules folder."""
    return TrialCatalog([TrialEntry(e.key, e.compiled, e.compiled, e.source_file) for e in compiled.entries()],
                        rules_dir)


@pytest.fixture
def client(compiled, tmp_path):
    app = create_app(fresh_catalog(compiled, tmp_path / "rules"), allowed_hosts=["testserver"], today=AS_OF)
    return TestClient(app)


def verdicts(html: str) -> dict[str, str]:
    """trial id -> verdict group it is listed under on a results page."""
    found = {}
    for verdict, body in re.findall(r'<section class="verdict-group" id="group-(\w+)">(.*?)</section>', html, re.S):
        for trial in re.findall(r'data-trial="([^"]+)"', body):
            found[trial] = verdict
    return found


def field_errors(html: str) -> dict[str, str]:
    return dict(re.findall(r'<span class="field-error" id="e-([^"]+)" role="alert">([^<]*)</span>', html))


def upload(client, path, as_of="2026-11-01", name=None):
    data = path.read_bytes() if hasattr(path, "read_bytes") else path
    return client.post("/upload", data={"as_of": as_of},
                       files={"profile": (name or getattr(path, "name", "profile.json"), data, "application/json")})


def library_verdicts(compiled, patient) -> dict[str, str]:
    return {r.trial_id: r.verdict for r in screen_patient(patient, compiled.rulesets(), AS_OF)}


# --- the form ---------------------------------------------------------------------------------------------

def test_form_page_has_contract_fields_and_security_headers(client):
    response = client.get("/")
    assert response.status_code == 200
    for name in ("birth_date", "sex", "ms_subtype", "edss-0-score", "relapses-0-date", "mri-0-gd_enhancing_lesions",
                 "treatments-0-drug", "treatments-0-start", "labs-0-unit", "labs-0-upper_limit", "labs-0-lower_limit", "conditions-0-name", "pregnant",
                 "vaccinations-0-live", "as_of"):
        assert f'name="{name}"' in response.text, name
    assert 'value="2026-11-01"' in response.text  # the reference date is shown, explicit
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "<script>" not in response.text  # no inline script: the page's only script is /static/app.js


def test_a_lab_row_carries_the_upper_limit_of_normal():
    """Bounds relative to the upper limit of normal ('ALT <= 2 x ULN') need the lab's own ULN with the result."""
    profile = {"id": "uln", "labs": [{"test": "ALT", "value": 80.0, "unit": "U/L", "upper_limit": 40.0,
                                      "lower_limit": 7.0, "date": "2026-10-01"}]}
    parsed = form_to_profile(profile_to_form(profile).values)
    assert parsed.ok, parsed.errors
    assert Patient.model_validate(parsed.profile) == Patient.model_validate(profile)
    assert Patient.model_validate(parsed.profile).labs[0].upper_limit == 40.0


@pytest.mark.parametrize("path", PROFILE_FILES, ids=lambda p: p.stem)
def test_form_round_trip_keeps_every_profile(path):
    original = json.loads(path.read_text(encoding="utf-8"))
    parsed = form_to_profile(profile_to_form(original).values)
    assert parsed.ok, parsed.errors
    assert Patient.model_validate(parsed.profile) == Patient.model_validate(original)


def test_form_submit_gives_the_library_verdicts_for_every_example_patient(client, compiled):
    for path in PROFILE_FILES:
        values = profile_to_form(json.loads(path.read_text(encoding="utf-8"))).values
        response = client.post("/screen", data={**values, "as_of": "2026-11-01"})
        assert response.status_code == 200, path.name
        assert verdicts(response.text) == library_verdicts(compiled, load_patient(path)), path.name


def test_results_match_expected_and_are_ranked(client):
    response = upload(client, P02)
    assert response.status_code == 200
    found = verdicts(response.text)
    for trial_id, expected in EXPECTED["profiles"][P02.stem].items():
        if trial_id in found:
            assert (found[trial_id] == "ineligible") == (expected["verdict"] == "ineligible"), trial_id
    order = [found[t] for t in re.findall(r'data-trial="([^"]+)"', response.text)]
    assert order == sorted(order, key=["eligible", "needs_review", "ineligible"].index)
    # Every criterion with its status, reason and source text; the next checks; the reference date.
    assert "Intrathecal" in response.text or "intrathecal" in response.text
    assert 'id="next-checks"' in response.text and 'id="as-of">2026-11-01<' in response.text


def test_time_to_eligibility_is_shown(client):
    # p12: IV methylprednisolone pulse ended two weeks ago; LEGATO excludes steroids within 4 weeks.
    path = PROFILES / "p12-spms-steroid-pulse.json"
    response = upload(client, path)
    assert response.status_code == 200
    results = screen_patient(load_patient(path), client.app.state.catalog.rulesets(), AS_OF)
    waiting = {r.trial_id: r.eligible_from for r in results if r.eligible_from}
    assert "NCT05208840" in waiting
    for eligible_from in waiting.values():
        assert f"Time to eligibility: {(eligible_from - AS_OF).days} days." in response.text
        assert f"from {eligible_from.isoformat()}" in response.text


def test_bad_form_input_is_shown_next_to_the_field(client):
    response = client.post("/screen", data={"as_of": "", "birth_date": "1990-02-30", "edss-0-date": "2026-01-01",
                                            "edss-0-score": "3.7", "pregnant": "maybe", "relapses-none": "on",
                                            "relapses-0-date": "2026-03-01"})
    assert response.status_code == 422
    errors = field_errors(response.text)
    assert set(errors) == {"as_of", "edss-0-score", "pregnant", "relapses-none", "birth_date"}
    assert "steps of 0.5" in errors["edss-0-score"]
    assert "Traceback" not in response.text
    assert 'value="3.7"' in response.text  # what the user typed is kept
    assert ">EDSS assessments, row 1: Score</a>" in response.text  # the summary names fields as the form does
    response = client.post("/screen", data={"as_of": "2026-11-01", "birth_date": "2027-01-01"})
    assert response.status_code == 422 and field_errors(response.text) == {
        "birth_date": "after the reference date: check both dates"}


def test_upload_errors_are_clear(client):
    cases = [
        (b"{not json", "invalid JSON at line 1"),
        (b"[1, 2]", "a patient profile must be a JSON object"),
        (json.dumps({"id": "x", "birth_date": "1990-13-45"}).encode(), "field &#39;birth_date&#39;"),
        (b"\xff\xfe\x00", "not UTF-8"),
    ]
    for data, message in cases:
        response = upload(client, data, name="bad.json")
        assert response.status_code == 422
        assert message in response.text and "bad.json" in response.text
        assert "Traceback" not in response.text
    response = client.post("/upload", data={"as_of": "2026-11-01"})
    assert response.status_code == 422 and "choose a patient profile" in response.text


def test_fhir_bundle_upload_is_screened(client, compiled):
    bundle = PROFILES / "fhir" / "p02-ppms-active-maestro-candidate.bundle.json"
    response = upload(client, bundle)
    assert response.status_code == 200
    assert verdicts(response.text) == library_verdicts(compiled, load_patient(P02))


# --- untrusted trial text ---------------------------------------------------------------------------------

def test_trial_text_is_escaped_everywhere(client):
    pages = [upload(client, P02).text, client.get(f"/trials/{HOSTILE_ID}").text]
    for html in pages:
        assert '&lt;script&gt;alert(&#34;criteria&#34;)&lt;/script&gt;' in html
        assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in pages[1]


# --- printing, download, saving ---------------------------------------------------------------------------

def _hidden(html: str) -> dict[str, str]:
    import html as html_lib

    form = re.search(r'<form method="post" action="/results/download">(.*?)</form>', html, re.S).group(1)
    return {name: html_lib.unescape(value) for name, value in re.findall(r'name="(\w+)" value="([^"]*)"', form)}


def test_print_view_and_json_download(client, compiled):
    page = upload(client, P02).text
    hidden = _hidden(page)
    printable = client.post("/results/print", data=hidden)
    assert printable.status_code == 200
    assert printable.text.count("<details class=\"trial\"") == printable.text.count(" open>") > 0
    assert "/results/download" not in printable.text
    download = client.post("/results/download", data=hidden)
    assert download.status_code == 200 and "attachment" in download.headers["content-disposition"]
    assert download.headers["cache-control"] == "no-store"
    results = download.json()
    assert {r["trial_id"]: r["verdict"] for r in results} == library_verdicts(compiled, load_patient(P02))
    assert all({"criteria", "ruleset_sha256", "as_of"} <= set(r) for r in results)


def test_correcting_the_patient_prefills_the_form(client):
    hidden = _hidden(upload(client, P09).text)
    response = client.post("/results/form", data=hidden)
    assert response.status_code == 200
    assert 'name="edss-4-score" value="6"' in response.text and 'name="edss-4-date" value="2026-10-08"' in response.text
    assert 'value="p09-spms-bcc-excised-edss-6"' in response.text


def test_nothing_is_written_unless_saved(compiled, tmp_path, monkeypatch, caplog):
    monkeypatch.chdir(tmp_path)
    store = tmp_path / "saved" / "store.sqlite"
    app = create_app(fresh_catalog(compiled, tmp_path / "rules"), allowed_hosts=["testserver"], store=store)
    client = TestClient(app)
    with caplog.at_level(logging.DEBUG):
        page = upload(client, P02).text
        client.post("/screen", data={**profile_to_form(json.loads(P09.read_text())).values, "as_of": "2026-11-01"})
        client.post("/results/download", data=_hidden(page))
    assert sorted(p.name for p in tmp_path.rglob("*")) == []
    assert "p02-ppms" not in caplog.text and "p09-spms" not in caplog.text
    assert "Save to the results store" in page
    saved = client.post("/results/save", data=_hidden(page))
    assert saved.status_code == 200 and "Saved as run" in saved.text
    from matcher.report.store import ResultStore

    with ResultStore(store) as opened:
        assert opened.count("screenings") == len(compiled.entries())


def test_save_is_off_without_a_store(client):
    page = upload(client, P02).text
    assert "/results/save" not in page
    assert client.post("/results/save", data=_hidden(page)).status_code == 404


# --- limits -----------------------------------------------------------------------------------------------

def test_limits(client):
    too_many_rows = {"as_of": "2026-11-01", f"edss-{MAX_ROWS}-score": "3.0", f"edss-{MAX_ROWS}-date": "2026-01-01"}
    response = client.post("/screen", data=too_many_rows)
    assert response.status_code == 422 and f"at most {MAX_ROWS} rows" in response.text

    profile = json.loads(P02.read_text())
    profile["edss"] = [{"date": "2026-01-01", "score": 3.0}] * (MAX_ROWS + 1)
    response = upload(client, json.dumps(profile).encode(), name="long.json")
    assert response.status_code == 422 and f"at most {MAX_ROWS} are accepted" in response.text

    response = upload(client, b" " * (1024 * 1024 + 1), name="huge.json")
    assert response.status_code == 413 and "too large" in response.text and "1024 KB" in response.text

    fields = {f"x{n}": "1" for n in range(1600)}
    response = client.post("/screen", data=fields)
    assert response.status_code == 400 and "Too many fields" in response.text

    response = client.post("/api/screen", json={"as_of": "2026-11-01", "patient": profile})
    assert response.status_code == 422 and response.json()["field"] == "edss"


def test_internal_errors_show_a_plain_page_and_log_no_patient_data(client, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("patient p02-ppms-active-maestro-candidate caused this")

    monkeypatch.setattr("matcher.web.pages.screen_ranked", broken)
    with caplog.at_level(logging.ERROR, logger="matcher.web"):
        response = upload(client, P02)
    assert response.status_code == 500
    assert "Something went wrong" in response.text and "Traceback" not in response.text
    assert "RuntimeError" in caplog.text and "p02-ppms" not in caplog.text


def test_cross_site_posts_and_unknown_hosts_are_refused(client):
    response = client.post("/screen", data={"as_of": "2026-11-01"}, headers={"origin": "http://evil.example"})
    assert response.status_code == 403
    response = client.post("/screen", data={"as_of": "2026-11-01"}, headers={"sec-fetch-site": "cross-site"})
    assert response.status_code == 403
    assert client.get("/", headers={"host": "evil.example"}).status_code == 400


def test_unknown_pages_get_a_page_not_a_stack(client):
    response = client.get("/trials/NCT00000000")
    assert response.status_code == 404 and "No such trial" in response.text
    assert client.get("/screen").status_code == 405  # patient data is only accepted in a POST body
    assert client.head("/screen").status_code == 405


def test_head_is_answered_like_get_without_a_body(client):
    for path in ("/", "/healthz", "/api/trials"):
        got, head = client.get(path), client.head(path)
        assert (head.status_code, head.content) == (200, b"") and got.status_code == 200 and got.content
        assert head.headers["content-type"] == got.headers["content-type"]
        assert head.headers["content-security-policy"] == got.headers["content-security-policy"]


# --- JSON API ---------------------------------------------------------------------------------------------

def test_openapi_schema_describes_the_api(client):
    schema = client.get("/api/openapi.json").json()
    assert {"/api/screen", "/api/trials", "/api/trials/{key}", "/api/trials/{key}/edits"} <= set(schema["paths"])
    assert not any(not path.startswith("/api/") for path in schema["paths"])  # pages are not API
    components = schema["components"]["schemas"]
    assert {"TrialResult", "Patient", "RuleSet", "ScreenRequest"} <= set(components)


def test_api_screen(client, compiled):
    profile = json.loads(P02.read_text())
    response = client.post("/api/screen", json={"as_of": "2026-11-01", "patient": profile})
    assert response.status_code == 200
    body = response.json()
    assert {r["trial_id"]: r["verdict"] for r in body["results"]} == library_verdicts(compiled, load_patient(P02))
    assert body["as_of"] == "2026-11-01" and body["next_checks"]
    assert client.post("/api/screen", json={"patient": profile}).status_code == 422  # no reference date
    both = client.post("/api/screen", json={"as_of": "2026-11-01", "patient": profile, "fhir_bundle": {}})
    assert both.status_code == 422 and "either" in both.json()["error"]
    only = client.post("/api/screen", json={"as_of": "2026-11-01", "patient": profile, "trials": ["NCT05208840"]})
    assert [r["trial_id"] for r in only.json()["results"]] == ["NCT05208840"]


# --- coordinator edits ------------------------------------------------------------------------------------

EDSS_5_5 = '[{"kind": "edss", "score": {"high": 5.5}}]'


def test_edit_a_rule_saves_a_new_version_and_screens_with_it(compiled, tmp_path):
    rules_dir = tmp_path / "rules"
    client = TestClient(create_app(fresh_catalog(compiled, rules_dir), allowed_hosts=["testserver"]))
    assert verdicts(upload(client, P09).text)["NCT05208840"] == "needs_review"  # EDSS 6.0 meets "EDSS ≤ 6.0"
    page = client.get("/trials/NCT05208840").text
    assert "EDSS ≤ 6.0." in page and '{"kind": "edss", "score": {"low": null' not in page

    response = client.post("/trials/NCT05208840/edit", data={
        "criterion_id": "I3", "rules": EDSS_5_5, "editor": "Dr Coordinator", "reason": "amendment 2: EDSS ≤ 5.5"},
        follow_redirects=False)
    assert response.status_code == 303
    folder = rules_dir / "NCT05208840"
    first = (folder / "CURRENT").read_text().strip()
    saved = json.loads((folder / first).read_text())
    edit = saved["edits"][-1]
    assert edit["editor"] == "Dr Coordinator" and edit["criterion_id"] == "I3"
    assert edit["before_sha256"] == compiled.by_trial_id("NCT05208840").compiled.content_sha256()
    assert edit["after_sha256"] == RuleSet.model_validate(saved).content_sha256() != edit["before_sha256"]
    page = client.get(response.headers["location"]).text
    assert f"Saved as version {first}" in page and "Dr Coordinator" in page and "amendment 2" in page

    rescreened = upload(client, P09).text
    assert verdicts(rescreened)["NCT05208840"] == "ineligible"
    assert re.search(r"fails [^<]*\bI3\b", rescreened)

    # A second edit is another file; the first is left as it was.
    first_text = (folder / first).read_text()
    client.post("/trials/NCT05208840/edit", data={"criterion_id": "I3", "editor": "Dr Second", "reason": "amendment 3",
                                                  "rules": '{"kind": "edss", "score": {"high": 6.5}}'})
    second = (folder / "CURRENT").read_text().strip()
    assert second != first and (folder / first).read_text() == first_text
    log = [json.loads(line) for line in (folder / "versions.jsonl").read_text().splitlines()]
    assert [(v["file"], v["previous"], v["editor"]) for v in log] == [(first, None, "Dr Coordinator"),
                                                                      (second, first, "Dr Second")]
    assert len(json.loads((folder / second).read_text())["edits"]) == 2

    # A restarted app reads the version in force.
    restarted = TrialCatalog.load([compiled.by_trial_id("NCT05208840").source_file], rules_dir=rules_dir)
    entry = restarted.by_trial_id("NCT05208840")
    assert entry.version_file == second and [e.editor for e in entry.ruleset.edits] == ["Dr Coordinator", "Dr Second"]


def test_bad_edits_are_refused_with_a_message_and_save_nothing(client, tmp_path):
    cases = [
        ({"rules": "[{", "editor": "A"}, "not valid JSON: line 1"),
        ({"rules": '[{"kind": "edss", "score": {"high": "six"}}]', "editor": "A"}, "do not fit the schema"),
        ({"rules": '[{"kind": "telepathy"}]', "editor": "A"}, "do not fit the schema"),
        ({"rules": EDSS_5_5, "editor": " "}, "must name its editor"),
        ({"rules": "[]", "editor": "A"}, "at least one rule"),
    ]
    for data, message in cases:
        response = client.post("/trials/NCT05208840/edit", data={"criterion_id": "I3", "reason": "", **data})
        assert response.status_code == 422, data
        assert message in response.text and 'id="edit-error-I3"' in response.text
        assert "Traceback" not in response.text
    response = client.post("/trials/NCT05208840/edit", data={"criterion_id": "I99", "rules": EDSS_5_5, "editor": "A"})
    assert response.status_code == 422 and "no criterion" in response.text
    assert not (tmp_path / "rules").exists()


def test_api_edit_and_versions(client):
    response = client.post("/api/trials/NCT05208840/edits", json={
        "criterion_id": "I3", "rules": json.loads(EDSS_5_5), "editor": "api-user", "reason": "test"})
    assert response.status_code == 201
    body = response.json()
    assert body["edit"]["editor"] == "api-user" and body["version_file"].endswith(".json")
    versions = client.get("/api/trials/NCT05208840/versions").json()
    assert [v["file"] for v in versions] == [body["version_file"]]
    rules = client.get("/api/trials/NCT05208840").json()
    assert next(c for c in rules["criteria"] if c["id"] == "I3")["rules"][0]["score"]["high"] == 5.5
    bad = client.post("/api/trials/NCT05208840/edits", json={"criterion_id": "I3", "rules": [{"kind": "x"}],
                                                             "editor": "api-user"})
    assert bad.status_code == 422 and bad.json()["field"].startswith("rules")


def test_stale_saved_version_is_not_used(compiled, tmp_path):
    rules_dir = tmp_path / "rules"
    catalog = fresh_catalog(compiled, rules_dir)
    catalog.edit("NCT05208840", "I3", json.loads(EDSS_5_5), editor="A")
    changed = tmp_path / "NCT05208840_ctgov_page.txt"
    source = compiled.by_trial_id("NCT05208840").source_file
    changed.write_text(open(source, encoding="utf-8").read().replace("EDSS ≤ 6.0.", "EDSS ≤ 6.5."), encoding="utf-8")
    reloaded = TrialCatalog.load([changed], rules_dir=rules_dir).by_trial_id("NCT05208840")
    assert not reloaded.edited and "different copy of the trial record" in reloaded.warnings[0]
    client = TestClient(create_app(TrialCatalog([reloaded], rules_dir), allowed_hosts=["testserver"]))
    assert "different copy of the trial record" in client.get("/trials/NCT05208840").text


def test_bad_records_are_listed_not_fatal(tmp_path):
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    shutil.copy(EXAMPLE_TRIALS / "NCT05208840_ctgov_page.txt", tmp_path)
    catalog = TrialCatalog.load([tmp_path, tmp_path / "missing"])
    assert [e.ruleset.trial_id for e in catalog.entries()] == ["NCT05208840"]
    assert {p.file.rsplit("/", 1)[-1] for p in catalog.problems} == {"empty.txt", "missing"}
    page = TestClient(create_app(catalog, allowed_hosts=["testserver"])).get("/trials").text
    assert "empty.txt" in page and "no such file or folder" in page


def test_serve_is_a_cli_command():
    args = build_parser().parse_args(["serve", "--trials", "example_trials", "--port", "8123", "--rules-dir", "x"])
    assert args.func.__module__ == "matcher.web.cli" and args.port == 8123 and args.host == "127.0.0.1"
    with pytest.raises(SystemExit):
        build_parser().parse_args(["serve", "--port", "99999"])
