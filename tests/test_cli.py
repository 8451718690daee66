"""CLI: screen and compile as a user calls them; bad input gives one line naming file and field."""

import json

from matcher.cli import main

from .conftest import NEWS_ARTICLE, PROFILES, ROOT, SEED_FILES

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


def test_eval_compiler_reports_an_unscorable_gold_file_and_scores_the_rest(tmp_path, capsys):
    gold = tmp_path / "gold"
    gold.mkdir()
    good = json.loads((ROOT / "tests/gold/NCT05208840.json").read_text(encoding="utf-8"))
    (gold / "NCT05208840.json").write_text(json.dumps(good))
    (gold / "NCT00000001.json").write_text('{"trial_id": "NCT00000001", "fixture": ')  # cut short
    (gold / "NCT00000002.json").write_text(json.dumps({**good, "trial_id": "NCT00000002",
                                                       "fixture": "tests/fixtures/missing.txt"}))
    assert main(["eval-compiler", "--gold", str(gold), "--root", str(ROOT), "--json"]) == 1
    captured = capsys.readouterr()
    overall = json.loads(captured.out)["overall"]
    assert overall["unscored_gold_files"] == 2
    from matcher.evalcompiler import evaluate
    alone = tmp_path / "alone"
    alone.mkdir()
    (alone / "NCT05208840.json").write_text(json.dumps(good))
    assert overall == {**evaluate(alone, ROOT).summary(), "unscored_gold_files": 2}  # the readable file in full
    assert "2 gold file(s) not scored" in captured.err
    assert main(["eval-compiler", "--gold", str(gold), "--root", str(ROOT), "--quiet"]) == 1
    out = capsys.readouterr().out
    assert "NCT00000001.json: JSONDecodeError" in out and "NCT00000002.json" in out and "missing.txt" in out
