"""A patient's free text resolved once against the lexicon: drugs, conditions, labs, vaccines, subtype.

Built once per patient and reused for every trial (batch screening evaluates one patient against
many trials). Lexicon lookups of free text are cached across patients too: registries write the same drug,
condition and lab names over and over, and a fuzzy lookup is the slowest step of resolving a patient.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property, lru_cache
from typing import Optional

from ..lexicon import Lexicon, Match, get_lexicon
from ..models.patient import EdssScore, Patient

MS_SUBTYPES = ("RRMS", "SPMS", "PPMS", "CIS", "RIS")
LOOKUP_CACHE_SIZE = 65536  # distinct (kind, text) pairs kept; a registry's vocabulary is far smaller


@lru_cache(maxsize=LOOKUP_CACHE_SIZE)
def _find_in(lexicon: Lexicon, kind: str, text: str) -> Optional[Match]:
    return lexicon.find_in(kind, text)


@lru_cache(maxsize=LOOKUP_CACHE_SIZE)
def _resolve_drug(lexicon: Lexicon, text: str) -> tuple[Optional[str], frozenset[str]]:
    """(drug id, its classes with their ancestors) for a drug as written; a class name resolves to the class."""
    match = _find_in(lexicon, "drugs", text)
    if match:
        return match.entry.id, frozenset(lexicon.drug_classes(match.entry.id))
    cls = _find_in(lexicon, "drug_classes", text)
    return None, frozenset({cls.entry.id}) if cls else frozenset()


@lru_cache(maxsize=LOOKUP_CACHE_SIZE)
def _resolve_condition(lexicon: Lexicon, text: str) -> frozenset[str]:
    match = _find_in(lexicon, "conditions", text)
    return frozenset(lexicon.condition_ancestors(match.entry.id)) if match else frozenset()


@lru_cache(maxsize=LOOKUP_CACHE_SIZE)
def _unit_factor(lexicon: Lexicon, lab_id: str, unit: Optional[str]) -> Optional[float]:
    entry = lexicon.get("labs", lab_id)
    if entry is None:
        return None
    canonical = entry.data.get("unit")
    if not unit or (canonical and _unit_key(unit) == _unit_key(canonical)):
        return 1.0
    for spelling, factor in entry.data.get("conversions", {}).items():
        if _unit_key(spelling) == _unit_key(unit):
            return float(factor)
    return None


@dataclass(frozen=True)
class ResolvedTreatment:
    text: str
    drug_id: Optional[str]  # None when the lexicon does not know it
    classes: frozenset[str]
    start: Optional[date]
    end: Optional[date]
    investigational: Optional[bool]


@dataclass(frozen=True)
class ResolvedCondition:
    text: str
    ids: frozenset[str]  # the condition and its ancestors; empty when unknown to the lexicon
    onset: Optional[date]
    resolved: Optional[date]


@dataclass
class PatientFacts:
    patient: Patient
    lexicon: Lexicon = field(default_factory=get_lexicon)
    _latest_edss: dict = field(default_factory=dict, init=False, repr=False, compare=False)
    _outcomes: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    @cached_property
    def subtype(self) -> Optional[str]:
        raw = self.patient.ms_subtype
        if not raw:
            return None
        if raw.upper() in MS_SUBTYPES:
            return raw.upper()
        match = _find_in(self.lexicon, "ms_subtypes", raw)
        # a name that stands for one subtype: "progressive-relapsing" is PPMS with activity (Lublin 2013)
        phenotype = self.lexicon.phenotype(match.entry.id) if match else None
        return phenotype if phenotype in MS_SUBTYPES else None

    @cached_property
    def treatments(self) -> Optional[list[ResolvedTreatment]]:
        if self.patient.treatments is None:
            return None
        out = []
        for t in self.patient.treatments:
            drug_id, classes = _resolve_drug(self.lexicon, t.drug)
            out.append(ResolvedTreatment(t.drug, drug_id, classes, t.start, t.end, t.investigational))
        return out

    @cached_property
    def conditions(self) -> Optional[list[ResolvedCondition]]:
        if self.patient.conditions is None:
            return None
        return [ResolvedCondition(c.name, _resolve_condition(self.lexicon, c.name), c.onset, c.resolved)
                for c in self.patient.conditions]

    def latest_edss(self, as_of: date) -> Optional[EdssScore]:
        """The last EDSS dated on or before ``as_of`` (else the last undated one), or None."""
        if as_of not in self._latest_edss:
            scores = [s for s in (self.patient.edss or []) if s.date is None or s.date <= as_of]
            dated = sorted((s for s in scores if s.date), key=lambda s: s.date)
            self._latest_edss[as_of] = dated[-1] if dated else (scores[-1] if scores else None)
        return self._latest_edss[as_of]

    def outcomes(self, as_of: date) -> dict:
        """The patient's predicate outcomes at ``as_of``, by predicate key (filled by the evaluator, so that a
        question several trials ask is answered once)."""
        memo = self._outcomes.get(as_of)
        if memo is None:
            memo = self._outcomes[as_of] = {}
        return memo

    def lab_id(self, test: str) -> Optional[str]:
        match = _find_in(self.lexicon, "labs", test)
        return match.entry.id if match else None

    def unit_factor(self, lab_id: str, unit: Optional[str]) -> Optional[float]:
        """Factor that converts a value in ``unit`` to the lab's canonical unit (None: unknown unit)."""
        return _unit_factor(self.lexicon, lab_id, unit)

    def vaccine_is_live(self, name: str, stated: Optional[bool]) -> Optional[bool]:
        if stated is not None:
            return stated
        match = _find_in(self.lexicon, "vaccines", name)
        return bool(match.entry.data.get("live")) if match else None


def _unit_key(unit: str) -> str:
    return unit.lower().replace(" ", "").replace("²", "2").replace("μ", "µ").replace("x10", "10").replace("×10", "10")
