"""The review rules of rules/lexicons/README.md, held: ids unique and sorted, a source for every entry, classes and
parents that exist, class membership closed under parents, and no term that names two ids of one file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from matcher.lexicon import normalise

LEXICONS = Path(__file__).resolve().parent.parent / "rules" / "lexicons"
SORTED = ["conditions", "drug_classes", "drugs", "labs", "ms_subtypes", "vaccines"]


def entries(name: str) -> list[dict]:
    lines = (LEXICONS / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()
    assert all(line.strip() for line in lines), f"{name}.jsonl: blank line"
    return [json.loads(line) for line in lines]


@pytest.mark.parametrize("name", SORTED)
def test_ids_are_unique_sorted_and_sourced(name):
    found = entries(name)
    ids = [e["id"] for e in found]
    assert len(ids) == len(set(ids)), f"{name}: duplicate ids"
    assert ids == sorted(ids), f"{name}: not sorted by id near {next(a for a, b in zip(ids, ids[1:]) if a > b)}"
    assert not [e["id"] for e in found if not e.get("source")], f"{name}: entries without a source"


@pytest.mark.parametrize("name", SORTED)
def test_no_term_names_two_ids(name):
    owner: dict[str, str] = {}
    clashes = []
    for entry in entries(name):
        for term in [entry.get("name", ""), entry["id"].replace("_", " "), *entry.get("synonyms", []),
                     *entry.get("misspellings", [])]:
            key = normalise(term)
            if key and owner.setdefault(key, entry["id"]) != entry["id"]:
                clashes.append((key, owner[key], entry["id"]))
    assert not clashes


def test_drug_classes_exist_and_are_closed_under_their_parents():
    classes = {c["id"]: c for c in entries("drug_classes")}
    assert not [(c["id"], p) for c in classes.values() for p in c.get("parents", []) if p not in classes]
    for drug in entries("drugs"):
        assert set(drug["classes"]) <= set(classes), drug["id"]
        missing = {p for c in drug["classes"] for p in classes[c].get("parents", [])} - set(drug["classes"])
        assert not missing, f"{drug['id']} lacks the parent classes {sorted(missing)}"


def test_condition_parents_exist():
    conditions = {c["id"] for c in entries("conditions")}
    assert not [(c["id"], p) for c in entries("conditions") for p in c.get("parents", []) if p not in conditions]
