"""Typed eligibility rules: the compiler's output and the evaluator's input.

A rule states a *predicate about the patient* ("took fingolimod within 24 weeks
before the reference date", "EDSS between 3.0 and 6.0") and a *polarity*:

- ``require``: the criterion is met when the predicate is true;
- ``exclude``: the criterion is met when the predicate is false.

Inclusion criteria compile to ``require`` rules and exclusion criteria to
``exclude`` rules, flipped by negation ("No relapse in the last 60 days" in an
inclusion list is ``exclude`` of "relapse within 60 days").  Every rule keeps
the criterion id, section, source text and character span it came from.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Annotated, Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field

Section = Literal["inclusion", "exclusion"]
Polarity = Literal["require", "exclude"]
Subtype = Literal["RRMS", "SPMS", "PPMS", "CIS", "RIS"]
TimeUnit = Literal["days", "weeks", "months", "years"]
Anchor = Literal["screening", "baseline", "first_dose", "randomization", "enrollment"]
Comparator = Literal["<", "<=", ">", ">=", "=="]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Duration(Strict):
    """An amount of calendar time ("24 weeks", "6 months")."""

    value: float = Field(ge=0)
    unit: TimeUnit

    def __str__(self) -> str:
        value = int(self.value) if float(self.value).is_integer() else self.value
        unit = self.unit[:-1] if value == 1 else self.unit
        return f"{value} {unit}"


class Range(Strict):
    """A numeric interval; a missing bound is open."""

    low: Optional[float] = None
    low_inclusive: bool = True
    high: Optional[float] = None
    high_inclusive: bool = True

    def contains(self, value: float) -> bool:
        if self.low is not None and (value < self.low or (value == self.low and not self.low_inclusive)):
            return False
        if self.high is not None and (value > self.high or (value == self.high and not self.high_inclusive)):
            return False
        return True

    def __str__(self) -> str:
        parts = []
        if self.low is not None:
            parts.append(f"{'≥' if self.low_inclusive else '>'} {self.low:g}")
        if self.high is not None:
            parts.append(f"{'≤' if self.high_inclusive else '<'} {self.high:g}")
        return " and ".join(parts) or "any value"


class Window(Strict):
    """A look-back window ending at an anchor date ("within 24 weeks prior to screening")."""

    within: Duration
    anchor: Anchor = "screening"
    half_lives: Optional[int] = Field(
        default=None, description="'or N half-lives, whichever is longer': the window may be longer"
    )


class Applicability(Strict):
    """The patients a rule applies to; other patients pass it as 'not applicable'."""

    subtypes: Optional[list[Subtype]] = None
    edss: Optional[Range] = None
    sex: Optional[Literal["female", "male"]] = None
    childbearing_potential: Optional[bool] = None


class RuleBase(Strict):
    id: str = ""
    criterion_id: str = ""
    section: Section = "inclusion"
    polarity: Polarity = "require"
    text: str = Field(default="", description="the source text this rule was compiled from")
    span: Optional[tuple[int, int]] = Field(default=None, description="character offsets in the criteria text")
    origin: Literal["criteria_text", "structured_field", "coordinator"] = "criteria_text"
    when: Optional[Applicability] = None


class AgeRule(RuleBase):
    kind: Literal["age"] = "age"
    years: Range


class SexRule(RuleBase):
    kind: Literal["sex"] = "sex"
    allowed: list[Literal["female", "male"]]


class HealthyVolunteersRule(RuleBase):
    kind: Literal["healthy_volunteers"] = "healthy_volunteers"
    accepted: bool


class DiagnosisRule(RuleBase):
    """A diagnosis of MS (optionally under named McDonald criteria)."""

    kind: Literal["ms_diagnosis"] = "ms_diagnosis"
    criteria_version: Optional[str] = None


class SubtypeRule(RuleBase):
    kind: Literal["ms_subtype"] = "ms_subtype"
    subtypes: list[Subtype]
    active_only: bool = Field(default=False, description="only with disease activity (Lublin 2013 'active')")


class EdssRule(RuleBase):
    kind: Literal["edss"] = "edss"
    score: Range


class DiseaseDurationRule(RuleBase):
    kind: Literal["disease_duration"] = "disease_duration"
    years: Range
    measured_from: Literal["diagnosis", "onset"] = "diagnosis"


class RelapseRule(RuleBase):
    """At least ``min_count`` relapses within the window (or ever, without one)."""

    kind: Literal["relapse_activity"] = "relapse_activity"
    min_count: int = 1
    window: Optional[Window] = None


class MriActivityRule(RuleBase):
    kind: Literal["mri_activity"] = "mri_activity"
    lesion: Literal["gd_enhancing", "new_t2", "any"] = "any"
    min_count: int = 1
    window: Optional[Window] = None


# A dose, regimen or route the patient record cannot show ("high-dose", "> 325 mg/day", "every 4 weeks"): the
# rule names the drugs, so a patient without them is decided, and an exposure found is unknown until checked.
QUALIFIER_HELP = ("only exposures of this dose, regimen or route count ('high-dose corticosteroids'); the record "
                  "does not show it, so an exposure found is unknown until a person checks it")


class WashoutRule(RuleBase):
    """Exposure to any of the drugs or classes within a window before the anchor."""

    kind: Literal["washout"] = "washout"
    drugs: list[str] = Field(default_factory=list, description="drug lexicon ids")
    classes: list[str] = Field(default_factory=list, description="drug class lexicon ids")
    except_drugs: list[str] = Field(default_factory=list, description="drugs of those classes that do not count")
    window: Window
    min_duration: Optional[Duration] = Field(
        default=None, description="only exposures that lasted at least this long count ('chronic (more than 30 "
                                  "consecutive days) corticosteroid treatment within 6 months')")
    started: bool = Field(
        default=False, description="only treatments started within the window count ('fampridine started less than "
                                   "3 months before screening'): a drug taken since before the window does not")
    qualifier: Optional[str] = Field(default=None, description=QUALIFIER_HELP)


class PriorDrugRule(RuleBase):
    """Exposure to any of the drugs or classes, ever (or currently)."""

    kind: Literal["prior_drug"] = "prior_drug"
    drugs: list[str] = Field(default_factory=list)
    classes: list[str] = Field(default_factory=list)
    except_drugs: list[str] = Field(default_factory=list)
    min_distinct: int = 1
    min_duration: Optional[Duration] = None
    current: bool = False
    qualifier: Optional[str] = Field(default=None, description=QUALIFIER_HELP)


# A lab bound relative to the upper limit of normal ("ALT > 2 x ULN"): ``value`` is a multiple of the ULN
# reported with the patient's result (evaluated as result / ULN; no ULN on record gives unknown).
ULN_UNIT = "xULN"
# The same below the lower limit of normal ("lymphocyte count < LLN"): ``value`` is a multiple of the LLN.
LLN_UNIT = "xLLN"


class LabRule(RuleBase):
    kind: Literal["lab"] = "lab"
    test: str = Field(description="lab lexicon id, e.g. egfr, platelets")
    comparator: Comparator
    value: float
    unit: Optional[str] = Field(default=None, description=f"a unit of the lab lexicon, or '{ULN_UNIT}' / "
                                                          f"'{LLN_UNIT}' for multiples of the upper / lower limit of "
                                                          "normal")


class PregnancyRule(RuleBase):
    kind: Literal["pregnancy"] = "pregnancy"
    pregnant: bool = True
    breastfeeding: bool = False


class ContraceptionRule(RuleBase):
    """Participants of childbearing potential must use effective contraception."""

    kind: Literal["contraception"] = "contraception"


class ConditionRule(RuleBase):
    kind: Literal["condition"] = "condition"
    conditions: list[str] = Field(description="condition lexicon ids")
    exceptions: list[str] = Field(default_factory=list, description="condition ids or phrases that do not count")
    timing: Literal["current", "history", "any"] = "any"
    window: Optional[Window] = None


class LiveVaccineRule(RuleBase):
    kind: Literal["live_vaccine"] = "live_vaccine"
    window: Optional[Window] = None


class InvestigationalRule(RuleBase):
    """An investigational agent or another interventional trial within the window."""

    kind: Literal["investigational"] = "investigational"
    window: Optional[Window] = None


class CsfOligoclonalBandsRule(RuleBase):
    kind: Literal["csf_oligoclonal_bands"] = "csf_oligoclonal_bands"


class WeightRule(RuleBase):
    kind: Literal["weight"] = "weight"
    kg: Range


class ManualReviewRule(RuleBase):
    """A criterion (or the part of one) that needs a person: it is always 'unknown'."""

    kind: Literal["manual_review"] = "manual_review"
    why: str = "no structured rule family matched this criterion"
    category: Literal["clinical", "judgement", "administrative", "partial"] = "clinical"
    # A coordinator may settle a manual rule for a given patient set; None means "ask".
    decided: Optional[bool] = None


class GroupRule(RuleBase):
    """any-of / all-of over child rules (nested bullet lists, per-subtype blocks)."""

    kind: Literal["group"] = "group"
    mode: Literal["any", "all"]
    rules: list["Rule"]


Rule = Annotated[
    Union[
        AgeRule,
        SexRule,
        HealthyVolunteersRule,
        DiagnosisRule,
        SubtypeRule,
        EdssRule,
        DiseaseDurationRule,
        RelapseRule,
        MriActivityRule,
        WashoutRule,
        PriorDrugRule,
        LabRule,
        PregnancyRule,
        ContraceptionRule,
        ConditionRule,
        LiveVaccineRule,
        InvestigationalRule,
        CsfOligoclonalBandsRule,
        WeightRule,
        ManualReviewRule,
        GroupRule,
    ],
    Field(discriminator="kind"),
]
GroupRule.model_rebuild()

STRUCTURED_KINDS = frozenset(
    cls.model_fields["kind"].default
    for cls in Rule.__origin__.__args__  # type: ignore[attr-defined]
    if cls.model_fields["kind"].default not in ("manual_review", "group")
)


class CompiledCriterion(Strict):
    """One segmented criterion and the rules compiled from it."""

    id: str
    section: Section
    text: str
    span: tuple[int, int]
    rules: list[Rule]
    coverage: Literal["full", "partial", "manual"]


class RuleEdit(Strict):
    """A coordinator's correction of one criterion's rules, kept in the rule set for audit."""

    editor: str = Field(min_length=1)
    at: dt.datetime
    criterion_id: str
    reason: str = ""
    before_sha256: str = Field(description="content hash of the rule set before the edit")
    after_sha256: str = Field(description="content hash of the rule set after the edit")
    before: dict = Field(description="the criterion as it was (rules and coverage)")
    after: dict = Field(description="the criterion as edited")


class RuleSet(Strict):
    """A trial's compiled, reviewable rule set (``rules/compiled/<trial>.json``)."""

    schema_version: Literal[1] = 1
    trial_id: str
    title: Optional[str] = None
    source: Optional[str] = None
    source_sha256: Optional[str] = None
    compiler_version: str
    compiled_on: Optional[dt.date] = None
    criteria_text: str
    criteria: list[CompiledCriterion]
    edits: list[RuleEdit] = Field(default_factory=list, description="coordinator edits: who, when, before/after hash")

    def content_sha256(self) -> str:
        """Hash of what decides verdicts (the criteria and their rules), not of when it was compiled."""
        payload = json.dumps([c.model_dump(mode="json") for c in self.criteria], sort_keys=True,
                             ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()
