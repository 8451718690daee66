"""Screening results: per rule, per criterion, per trial."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field

Status = Literal["pass", "fail", "unknown"]
Verdict = Literal["eligible", "needs_review", "ineligible"]


class Fact(BaseModel):
    """A patient fact a decision used: which field, what value, dated when."""

    model_config = ConfigDict(frozen=True)

    field: str
    value: Any = None
    date: Optional[dt.date] = None


class RuleResult(BaseModel):
    rule_id: str
    kind: str
    status: Status
    reason: str
    facts: list[Fact] = Field(default_factory=list)
    passes_from: Optional[dt.date] = Field(
        default=None, description="for a failing time window: the first date on which it passes")
    children: list["RuleResult"] = Field(default_factory=list)


class CriterionResult(BaseModel):
    id: str
    section: Literal["inclusion", "exclusion"]
    text: str
    span: tuple[int, int]
    status: Status
    reason: str
    rules: list[RuleResult]


class TrialResult(BaseModel):
    trial_id: str
    title: Optional[str] = None
    patient_id: str
    verdict: Verdict
    as_of: dt.date
    criteria: list[CriterionResult]
    to_confirm: list[str] = Field(default_factory=list, description="unknown criteria: what to check")
    failing: list[str] = Field(default_factory=list, description="criterion ids that fail")
    eligible_from: Optional[dt.date] = Field(
        default=None, description="when every failing criterion is a time window: the date all of them pass")
    ruleset_sha256: str
    engine_version: str
