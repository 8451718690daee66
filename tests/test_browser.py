"""The clinic web app in a real headless browser: Debian's chromium driven by Playwright against
``msmatch serve`` started on a free loopback port. Fill the form, submit, see the verdicts, open a trial's
details, edit a rule. Playwright's own browser downloads are never used (``executable_path``)."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest
from playwright.sync_api import sync_playwright

from matcher.api import load_patient, load_rulesets, screen_patient
from matcher.web.forms import profile_to_form

from .conftest import EXAMPLE_TRIALS, PROFILES

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(),
                                reason="Debian's chromium is not installed at /usr/bin/chromium (.ci/run installs it)")

P02 = PROFILES / "p02-ppms-active-maestro-candidate.json"
P09 = PROFILES / "p09-spms-bcc-excised-edss-6.json"
LABEL = "browser-patient-7f3a"  # typed into the form; must never reach the server log


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    work = tmp_path_factory.mktemp("serve-cwd")
    log_path = tmp_path_factory.mktemp("serve-log") / "server.log"
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    with open(log_path, "w", encoding="utf-8") as log:
        process = subprocess.Popen([sys.executable, "-m", "matcher.cli", "serve", "--trials", str(EXAMPLE_TRIALS),
                                    "--port", str(port), "--rules-dir", str(work / "rules")],
                                   cwd=work, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                pytest.fail(f"msmatch serve exited with {process.returncode}:\n{log_path.read_text()}")
            try:
                with urllib.request.urlopen(url + "/healthz", timeout=2) as response:
                    if json.load(response)["trials"] == 4:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"msmatch serve did not answer within 120 s:\n{log_path.read_text()}")
            time.sleep(0.3)
        yield SimpleNamespace(url=url, work=work, log=log_path)
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    # A CSP violation (an inline script or style) shows up as a console error.
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.problems = problems
    yield page
    context.close()


def _expected(path: Path) -> dict[str, str]:
    rulesets = [r for record in sorted(EXAMPLE_TRIALS.iterdir()) for r in load_rulesets(record)]
    return {r.trial_id: r.verdict for r in screen_patient(load_patient(path), rulesets, date(2026, 11, 1))}


def _shown_verdicts(page) -> dict[str, str]:
    shown = {}
    for verdict in ("eligible", "needs_review", "ineligible"):
        for trial in page.locator(f"#group-{verdict} details.trial").all():
            shown[trial.get_attribute("data-trial")] = verdict
    return shown


def _fill(page, values: dict[str, str]) -> None:
    """Type a profile into the form as a person would, adding rows with the page's own button."""
    for name, value in values.items():
        field = page.locator(f'[name="{name}"]')
        if field.count() == 0:
            section = name.split("-", 1)[0]
            while field.count() == 0:
                page.click(f'button.add-row[data-section="{section}"]')
        tag = field.evaluate("element => element.tagName + ':' + (element.type || '')")
        if tag.startswith("SELECT"):
            field.select_option(value)
        elif tag == "INPUT:checkbox":
            field.check()
        else:
            field.fill(value)


def test_fill_the_form_submit_and_open_a_trials_details(server, page):
    page.goto(server.url + "/")
    values = profile_to_form(json.loads(P02.read_text(encoding="utf-8"))).values
    values["id"] = LABEL
    page.fill("#f-as_of", "2026-11-01")
    _fill(page, values)
    assert page.locator('[name="edss-3-score"]').count() == 1  # p02 has 4 EDSS rows: two were added by the button
    page.click("#screen-button")
    page.wait_for_selector("#counts")

    assert page.locator("#patient-label").inner_text() == LABEL
    assert _shown_verdicts(page) == _expected(P02)

    details = page.locator('details.trial[data-trial="NCT02403947"]')  # MESEMS: p02 is ineligible
    criteria = details.locator("table.criteria")
    assert not criteria.is_visible()
    details.locator("summary").click()
    assert criteria.is_visible()
    failing = criteria.locator("tr.criterion-fail")
    assert failing.count() >= 1 and failing.first.is_visible()
    assert failing.first.locator("td.reason").inner_text().strip()
    assert failing.first.locator("td.source-text").inner_text().strip()
    assert page.problems == []


def test_bad_input_gets_a_message_next_to_the_field(server, page):
    page.goto(server.url + "/")
    page.fill("#f-as_of", "2026-11-01")
    page.fill('[name="edss-0-date"]', "2026-06-01")
    page.fill('[name="edss-0-score"]', "3.7")
    page.click("#screen-button")
    message = page.locator("#e-edss-0-score")
    message.wait_for()
    assert "steps of 0.5" in message.inner_text()
    assert page.locator("#error-summary").is_visible()
    assert page.locator('[name="edss-0-score"]').input_value() == "3.7"
    assert "Traceback" not in page.content()


def test_edit_a_rule_then_screen_with_it(server, page):
    page.goto(server.url + "/trials/NCT05208840")
    row = page.locator("#criterion-I3")
    assert "EDSS ≤ 6.0" in row.locator("td.source-text").inner_text()
    row.locator("details.edit summary").click()
    row.locator("textarea").fill('[{"kind": "edss", "score": {"high": 5.5}}]')
    row.locator('[name="editor"]').fill("Dr Browser")
    row.locator('[name="reason"]').fill("protocol amendment: EDSS at most 5.5")
    row.locator('button[type="submit"]').click()
    notice = page.locator("#saved-notice")
    notice.wait_for()
    version = (server.work / "rules" / "NCT05208840" / "CURRENT").read_text().strip()
    assert version in notice.inner_text()
    assert "Dr Browser" in page.locator("#history").inner_text()
    assert '"high": 5.5' in page.locator("#criterion-I3 pre.rules-json").inner_text()

    # The edited rule set is the one screened from now on: p09's EDSS 6.0 now fails I3.
    page.goto(server.url + "/")
    page.set_input_files("#f-profile", str(P09))
    page.fill("#f-upload-as-of", "2026-11-01")
    page.click("text=Upload and screen")
    page.wait_for_selector("#counts")
    assert _shown_verdicts(page)["NCT05208840"] == "ineligible"
    assert "I3" in page.locator('details.trial[data-trial="NCT05208840"] .summary-line').inner_text()
    assert page.problems == []


def test_no_patient_data_in_the_log_or_on_disk(server):
    log = server.log.read_text(encoding="utf-8")
    assert '"POST /screen HTTP/1.1" 200' in log and '"POST /upload HTTP/1.1" 200' in log  # access log is on
    for secret in (LABEL, "p09-spms", "1981-03-22", "1974-09-09", "3.7"):
        assert secret not in log, secret
    assert "Traceback" not in log
    written = sorted(str(p.relative_to(server.work)) for p in server.work.rglob("*") if p.is_file())
    assert all(name.startswith("rules/NCT05208840/") for name in written), written
