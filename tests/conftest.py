from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
SEEDS = FIXTURES / "seeds"
CORPUS = FIXTURES / "corpus"
PROFILES = ROOT / "patient_profiles"
EXAMPLE_TRIALS = ROOT / "example_trials"

SEED_FILES = {
    "NCT05208840": SEEDS / "000_2098f630f39a7730.txt",
    "NCT06592703": SEEDS / "001_c449fd4cdd02647f.txt",
    "NCT02403947": SEEDS / "003_1ab109ef512b8771.txt",
    "NCT03368664": SEEDS / "004_86f80227a82a7c66.txt",
}
NEWS_ARTICLE = SEEDS / "002_e3d31d896824538a.txt"
CORPUS_FILES = sorted(p for p in CORPUS.iterdir() if p.suffix in (".csv", ".json", ".txt"))
ALL_TRIAL_FILES = list(SEED_FILES.values()) + CORPUS_FILES


@lru_cache(maxsize=None)
def ruleset_for(path: Path):
    from matcher.api import load_rulesets
    (ruleset,) = load_rulesets(path)
    return ruleset


@pytest.fixture
def ruleset():
    return ruleset_for


@pytest.fixture(autouse=True, scope="session")
def _results_store(tmp_path_factory):
    """`msmatch screen` records into a results store by default: keep it out of the working tree."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MSMATCH_STORE", str(tmp_path_factory.mktemp("store") / "msmatch-results.sqlite"))
        yield


def compiled_rules(text: str, section: str = "exclusion", kind: str | None = None) -> list[dict]:
    """The leaf rules compiled from one criterion's text, groups flattened as the scorer reads them (of ``kind``
    if given)."""
    from matcher.compile import compile_text
    from matcher.evalcompiler import _flatten

    return [r for r in _flatten(compile_text(text, section, "X1")) if kind is None or r["kind"] == kind]


def one_compiled(text: str, kind: str, section: str = "exclusion") -> dict:
    found = compiled_rules(text, section, kind)
    assert len(found) == 1, f"expected one {kind} rule from {text!r}, got {found}"
    return found[0]


def criterion_with(ruleset, fragment: str):
    """The compiled criterion whose text contains ``fragment``."""
    matches = [c for c in ruleset.criteria if fragment.lower() in c.text.lower()]
    assert matches, f"no criterion of {ruleset.trial_id} contains {fragment!r}"
    return matches[0]


def rules_of(criterion, kind: str):
    found = []

    def walk(rules):
        for rule in rules:
            if rule.kind == kind:
                found.append(rule)
            if rule.kind == "group":
                walk(rule.rules)

    walk(criterion.rules)
    return found
