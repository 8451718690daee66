"""A patient's free text resolved once against the lexicon: drugs, conditions, labs, vaccines, subtype.

Built once per patient and reused for every trial (batch screening evaluates one patient against
many trials).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Optional

from ..lexicon import Lexicon, get_lexicon, normalise
from ..models.patient import Patient

MS_SUBTYPES = ("RRMS", "SPMS", "PPMS", "CIS", "RIS")


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

    @cached_property
    def subtype(self) -> Optional[str]:
        raw = self.patient.ms_subtype
        if not raw:
            return None
        if raw.upper() in MS_SUBTYPES:
            return raw.upper()
        if normalise(raw) in ("prms", "progressive relapsing", "progressive relapsing ms"):
            return "PPMS"  # Lublin 2013: progressive-relapsing is PPMS with activity
        match = self.lexicon.find_in("ms_subtypes", raw)
        if match and match.entry.id in MS_SUBTYPES:
            return match.entry.id
        return None

    @cached_property
    def treatments(self) -> Optional[list[ResolvedTreatment]]:
        if self.patient.treatments is None:
            return None
        out = []
        for t in self.patient.treatments:
            match = self.lexicon.find_in("drugs", t.drug)
            drug_id = match.entry.id if match else None
            classes = frozenset(self.lexicon.drug_classes(drug_id)) if drug_id else frozenset()
            if not match:
                cls = self.lexicon.find_in("drug_classes", t.drug)
                classes = frozenset({cls.entry.id}) if cls else frozenset()
            out.append(ResolvedTreatment(t.drug, drug_id, classes, t.start, t.end, t.investigational))
        return out

    @cached_property
    def conditions(self) -> Optional[list[ResolvedCondition]]:
        if self.patient.conditions is None:
            return None
        out = []
        for c in self.patient.conditions:
            match = self.lexicon.find_in("conditions", c.name)
            ids = frozenset(self.lexicon.condition_ancestors(match.entry.id)) if match else frozenset()
            out.append(ResolvedCondition(c.name, ids, c.onset, c.resolved))
        return out

    def lab_id(self, test: str) -> Optional[str]:
        match = self.lexicon.find_in("labs", test)
        return match.entry.id if match else None

    def unit_factor(self, lab_id: str, unit: Optional[str]) -> Optional[float]:
        """Factor that converts a value in ``unit`` to the lab's canonical unit (None: unknown unit)."""
        entry = self.lexicon.get("labs", lab_id)
        if entry is None:
            return None
        canonical = entry.data.get("unit")
        if not unit or (canonical and _unit_key(unit) == _unit_key(canonical)):
            return 1.0
        for spelling, factor in entry.data.get("conversions", {}).items():
            if _unit_key(spelling) == _unit_key(unit):
                return float(factor)
        return None

    def vaccine_is_live(self, name: str, stated: Optional[bool]) -> Optional[bool]:
        if stated is not None:
            return stated
        match = self.lexicon.find_in("vaccines", name)
        return bool(match.entry.data.get("live")) if match else None


def _unit_key(unit: str) -> str:
    return unit.lower().replace(" ", "").replace("²", "2").replace("μ", "µ").replace("x10", "10").replace("×10", "10")
