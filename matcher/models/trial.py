"""A trial record as read from any source format, and its segmented criteria."""

from __future__ import annotations

from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, Field

from .rules import Section


class Trial(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    title: Optional[str] = None
    criteria_text: str = Field(description="eligibility criteria, unescaped; criterion spans index into it")
    minimum_age: Optional[str] = Field(default=None, description='structured field as written, e.g. "18 Years"')
    maximum_age: Optional[str] = None
    sex: Optional[str] = Field(default=None, description="ALL, FEMALE or MALE")
    healthy_volunteers: Optional[bool] = None
    source: str = Field(description="file the record came from")
    source_format: str
    record: Optional[str] = Field(default=None, description="where in the file: row or study index")
    source_sha256: Optional[str] = None


class Criterion(BaseModel):
    """One criterion: a bullet, a numbered item or a paragraph, with its nested children."""

    model_config = ConfigDict(extra="forbid")

    id: str
    section: Section
    text: str = Field(description="whitespace-folded text without the bullet marker")
    span: tuple[int, int] = Field(description="character offsets of the item in Trial.criteria_text")
    section_assumed: bool = Field(default=False, description="no section header preceded it")
    cohort: Optional[str] = Field(default=None, description="the patients a heading above it scopes it to, as "
                                                             "written (\"specific to participants with PPMS\")")
    children: list["Criterion"] = Field(default_factory=list)
    layout: Literal["nested", "flat"] = Field(
        default="nested", description="how the children were found: indented under it, or at its level after a colon"
    )
