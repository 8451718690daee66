"""The one clinical lexicon: drugs, drug classes, conditions, MS subtypes, labs, vaccines.

Entries live in ``rules/lexicons/*.jsonl`` as reviewed data (installed as ``matcher.rules``).
Lookup is exact (case-folded, punctuation-normalised) first, then fuzzy with rapidfuzz's
``token_sort_ratio`` at a cutoff of 88: it catches the misspellings seen in real records
("Ceterizine", "fingolimode") without confusing look-alike drugs, which have entries of their own.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib import resources
from typing import Iterable, Optional

from rapidfuzz import fuzz, process

FUZZY_CUTOFF = 88
KINDS = ("drugs", "drug_classes", "conditions", "ms_subtypes", "labs", "vaccines")


def normalise(text: str) -> str:
    """Case-fold, strip accents and trademark signs, fold punctuation to spaces."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.replace("®", "").replace("™", "").lower()
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return " ".join(text.split())


@dataclass(frozen=True)
class Entry:
    kind: str
    id: str
    name: str
    terms: tuple[str, ...]
    data: dict = field(hash=False, compare=False)

    @property
    def parents(self) -> tuple[str, ...]:
        return tuple(self.data.get("parents", ()))

    @property
    def classes(self) -> tuple[str, ...]:
        return tuple(self.data.get("classes", ()))


@dataclass(frozen=True)
class Match:
    entry: Entry
    score: float
    how: str  # "exact" or "fuzzy"


class Lexicon:
    def __init__(self, entries: Iterable[Entry]):
        self.entries: dict[str, dict[str, Entry]] = {kind: {} for kind in KINDS}
        self._exact: dict[str, dict[str, Entry]] = {kind: {} for kind in KINDS}
        for entry in entries:
            self.entries[entry.kind][entry.id] = entry
            for term in entry.terms:
                self._exact[entry.kind].setdefault(normalise(term), entry)

    @classmethod
    def load(cls) -> "Lexicon":
        root = resources.files("matcher.rules") / "lexicons"
        entries = []
        for kind in KINDS:
            path = root / f"{kind}.jsonl"
            if not path.is_file():
                continue
            for line_no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                if not line.strip():
                    continue
                try:
                    data = json.loads(line)
                except json.JSONDecodeError as error:
                    raise ValueError(f"rules/lexicons/{kind}.jsonl line {line_no}: {error.msg}") from None
                terms = [data.get("name", ""), data["id"].replace("_", " "), *data.get("synonyms", []),
                         *data.get("misspellings", [])]
                entries.append(Entry(kind, data["id"], data.get("name", data["id"]),
                                     tuple(t for t in terms if t), data))
        return cls(entries)

    # --- lookup ---------------------------------------------------------------------------

    def get(self, kind: str, entry_id: str) -> Optional[Entry]:
        return self.entries[kind].get(entry_id)

    def subtype_members(self, subtype_id: str) -> list[str]:
        """The Lublin subtypes an ms_subtypes entry stands for ("relapsing forms" -> RRMS, SPMS, ...), else itself."""
        entry = self.get("ms_subtypes", subtype_id)
        return (entry.data.get("subtypes") if entry else None) or [subtype_id]

    def phenotype(self, subtype_id: str) -> Optional[str]:
        """The one Lublin subtype an ms_subtypes entry stands for ("progressive-relapsing MS" -> PPMS), else None."""
        members = self.subtype_members(subtype_id)
        return members[0] if len(members) == 1 else None

    def terms(self, kind: str) -> dict[str, Entry]:
        """Normalised term -> entry, for building phrase patterns."""
        return self._exact[kind]

    @cached_property
    def _fuzzy_choices(self) -> dict[str, list[str]]:
        return {kind: list(self._exact[kind]) for kind in KINDS}

    def lookup(self, kind: str, text: str, fuzzy: bool = True) -> Optional[Match]:
        key = normalise(text)
        if not key:
            return None
        entry = self._exact[kind].get(key)
        if entry is not None:
            return Match(entry, 100.0, "exact")
        if not fuzzy or len(key) < 5:
            return None
        best = process.extractOne(key, self._fuzzy_choices[kind], scorer=fuzz.token_sort_ratio,
                                  score_cutoff=FUZZY_CUTOFF)
        if best is None:
            return None
        return Match(self._exact[kind][best[0]], best[1], "fuzzy")

    def find_in(self, kind: str, text: str) -> Optional[Match]:
        """Resolve free text such as a patient's "Gilenya 0.5 mg daily": whole text, then its words."""
        match = self.lookup(kind, text)
        if match:
            return match
        words = normalise(text).split()
        for size in (3, 2, 1):  # longest word runs first
            for start in range(len(words) - size + 1):
                match = self.lookup(kind, " ".join(words[start:start + size]), fuzzy=size == 1)
                if match:
                    return match
        return None

    # --- hierarchy ------------------------------------------------------------------------

    def _closure(self, kind: str, ids) -> set[str]:
        """The ids and every ancestor of theirs (via ``parents``) within one lexicon."""
        found: set[str] = set()
        pending = list(ids)
        while pending:
            current = pending.pop()
            if current in found:
                continue
            found.add(current)
            entry = self.get(kind, current)
            if entry:
                pending.extend(entry.parents)
        return found

    def class_ancestors(self, class_id: str) -> set[str]:
        """The drug class and every broader class above it."""
        return self._closure("drug_classes", [class_id])

    def class_members(self, class_id: str) -> list[str]:
        """The drugs of a class (and of its narrower classes), in lexicon order."""
        return [drug for drug in self.entries["drugs"] if class_id in self.drug_classes(drug)]

    def drug_classes(self, drug_id: str) -> set[str]:
        """All classes of a drug, including ancestors of its classes."""
        entry = self.get("drugs", drug_id)
        return self._closure("drug_classes", entry.classes if entry else ())

    def canonical_unit(self, lab_id: str, unit: Optional[str]) -> Optional[str]:
        """A lab unit as the lexicon spells it ("mg/dl" -> "mg/dL", "mL/minute" -> "mL/min"), else as given."""
        entry = self.get("labs", lab_id)
        if not unit or entry is None:
            return unit
        spelled = re.sub(r"minutes?\b", "min", unit.replace("mcg", "µg").replace("μ", "µ"))
        conversions = entry.data.get("conversions", {})
        same = [key for key in conversions if key.casefold() == spelled.casefold()]
        canonical = entry.data.get("unit")
        if canonical in same or (same and canonical in conversions and conversions[same[0]] == conversions[canonical]):
            return canonical
        return same[0] if same else spelled

    @cached_property
    def _condition_children(self) -> dict[str, set[str]]:
        children: dict[str, set[str]] = {}
        for entry in self.entries["conditions"].values():
            for parent in entry.parents:
                children.setdefault(parent, set()).add(entry.id)
        return children

    def minimal_conditions(self, ids: Iterable[str]) -> list[str]:
        """The same set of conditions stated once: ids another listed id covers are dropped, and a complete set
        of siblings becomes their parent ("primary or secondary immunodeficiency" -> immunodeficiency)."""
        ids = list(dict.fromkeys(ids))
        collapsed = True
        while collapsed:
            collapsed = False
            for parent, children in self._condition_children.items():
                if parent not in ids and len(children) > 1 and children <= set(ids):
                    at = min(ids.index(child) for child in children)  # the parent takes its first child's place
                    ids = [i for i in ids[:at] if i not in children] + [parent] + \
                          [i for i in ids[at:] if i not in children]
                    collapsed = True
        return [i for i in ids if not (self.condition_ancestors(i) - {i}) & set(ids)]

    @cached_property
    def _treating(self) -> dict[str, str]:
        return {condition: entry.id for entry in self.entries["drug_classes"].values()
                for condition in entry.data.get("treats", ())}

    def class_treating(self, condition: str) -> Optional[str]:
        """The drug class that treats a condition or a broader one ("medications for depression" ->
        antidepressant), from the classes' ``treats`` lists (condition ids, or words for what no condition entry
        names: "pain"), else None."""
        if condition not in self.entries["conditions"]:
            return self._treating.get(normalise(condition))
        return next((self._treating[c] for c in sorted(self.condition_ancestors(condition)) if c in self._treating),
                    None)

    def ongoing_use(self, entry_id: str) -> bool:
        """Whether a drug or class is one taken day after day for a chronic condition or named for its interactions
        (anticoagulants, beta-blockers, CYP3A4 inhibitors): its class or a broader one is marked ``ongoing``."""
        ids = self.drug_classes(entry_id) if entry_id in self.entries["drugs"] else self.class_ancestors(entry_id)
        return any(self.entries["drug_classes"][i].data.get("ongoing") for i in ids if i in self.entries["drug_classes"])

    def condition_ancestors(self, condition_id: str) -> set[str]:
        """The condition and every broader condition above it."""
        return self._closure("conditions", [condition_id])


@lru_cache(maxsize=1)
def get_lexicon() -> Lexicon:
    return Lexicon.load()
