"""CLI: screen and compile as a user calls them; bad input gives one line naming file and field."""

import json

from matcher.cli import main

from .conftest import NEWS_ARTICLE, PROFILES, SEED_FILES

P01 = str(PROFILES / "p01-rrms-fingolimod-washout.json")


def test_screen_json_contract(capsys):
    assert main(["screen", "--patient", P01, "--trial", str(SEED_FILES["NCT05208840"]),
                 "--trial", str(SEED_FILES["NCT06592703"]), "--as-of", "2026-11-01", "--json"]) == 0
    results = json.loads(capsys.readouterr().out)
    assert [r["trial_id"] for r in results] == ["NCT05208840", "NCT06592703"]
    for result in results:
        assert result["verdict"] in ("eligible", "needs_review", "ineligible")
        for criterion in result["criteria"]:
            assert {"section", "text", "status", "reason"} <= set(criterion)


def test_screen_table(capsys):
    assert main(["screen", "--patient", P01, "--trial", str(SEED_FILES["NCT05208840"]), "--as-of", "2026-11-01"]) == 0
    out = capsys.readouterr().out
    assert "verdict: INELIGIBLE" in out and "stopped 2026-07-31" in out


def test_compiled_rule_set_round_trip(tmp_path, capsys):
    assert main(["compile", str(SEED_FILES["NCT05208840"]), "--out", str(tmp_path)]) == 0
    compiled = tmp_path / "NCT05208840.json"
    assert main(["screen", "--patient", P01, "--trial", str(compiled), "--as-of", "2026-11-01", "--json"]) == 0
    (result,) = json.loads(capsys.readouterr().out)
    assert result["verdict"] == "ineligible"


def test_bad_inputs_exit_2_with_one_line(tmp_path, capsys):
    assert main(["screen", "--patient", str(tmp_path / "nobody.json"), "--trial", str(SEED_FILES["NCT05208840"])]) == 2
    assert "nobody.json: no such file" in capsys.readouterr().err
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"id": "x", "birth_date": "1990-13-45"}))
    assert main(["screen", "--patient", str(bad), "--trial", str(SEED_FILES["NCT05208840"])]) == 2
    err = capsys.readouterr().err
    assert "bad.json" in err and "field 'birth_date'" in err and len(err.strip().splitlines()) == 1
    assert main(["screen", "--patient", P01, "--trial", str(NEWS_ARTICLE)]) == 2
    assert "no criteria" in capsys.readouterr().err


def test_eval_compiler_runs(capsys):
    assert main(["eval-compiler", "--quiet"]) == 0
    assert "exact_parameter_accuracy" in capsys.readouterr().out
