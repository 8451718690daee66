"""The patient profile.

Field names are a contract used by outside test suites: add fields, never rename.
Every field but ``id`` is optional and *absent means unknown*.  A list that is
present (even empty) is read as the complete record the clinic holds: an empty
``treatments`` list means "no treatments on record", while a missing one means
"treatment history unknown".
"""

from __future__ import annotations

import datetime as dt
from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, field_validator


class Record(BaseModel):
    # Unknown keys are kept (extra="allow") so that registry exports with more
    # columns still load; they are ignored by the evaluator.
    model_config = ConfigDict(extra="allow", frozen=True)


class EdssScore(Record):
    date: Optional[dt.date] = None
    score: float = Field(ge=0, le=10)

    @field_validator("score")
    @classmethod
    def _half_steps(cls, value: float) -> float:
        if value != 0 and not (1.0 <= value <= 10.0 and (value * 2).is_integer()):
            raise ValueError("EDSS is 0 or 1.0-10.0 in steps of 0.5")
        return value


class Relapse(Record):
    date: dt.date


class MriScan(Record):
    date: dt.date
    gd_enhancing_lesions: Optional[int] = Field(default=None, ge=0)
    new_t2_lesions: Optional[int] = Field(default=None, ge=0)


class Treatment(Record):
    drug: str
    start: Optional[dt.date] = None
    end: Optional[dt.date] = Field(default=None, description="absent = ongoing")
    investigational: Optional[bool] = None


class Condition(Record):
    name: str
    onset: Optional[dt.date] = None
    resolved: Optional[dt.date] = None


class Lab(Record):
    test: str
    value: float
    unit: Optional[str] = None
    date: Optional[dt.date] = None
    upper_limit: Optional[float] = Field(default=None, gt=0, description="the reference range's upper limit "
                                         "(ULN) reported with this result, in the result's unit")
    lower_limit: Optional[float] = Field(default=None, gt=0, description="the reference range's lower limit "
                                         "(LLN) reported with this result, in the result's unit")


class Vaccination(Record):
    vaccine: str
    live: Optional[bool] = None
    date: Optional[dt.date] = None


class TrialParticipation(Record):
    """Participation in another interventional trial (for 'no other trial within N months')."""

    trial: Optional[str] = None
    start: Optional[dt.date] = None
    end: Optional[dt.date] = None


class Patient(Record):
    id: str = Field(min_length=1)
    birth_date: Optional[dt.date] = None
    sex: Optional[Literal["female", "male"]] = None
    ms_subtype: Optional[str] = Field(default=None, description="RRMS, SPMS, PPMS, CIS, RIS (free text is normalised)")
    diagnosis_date: Optional[dt.date] = None
    symptom_onset_date: Optional[dt.date] = None
    edss: Optional[list[EdssScore]] = None
    relapses: Optional[list[Relapse]] = None
    mri: Optional[list[MriScan]] = None
    treatments: Optional[list[Treatment]] = None
    conditions: Optional[list[Condition]] = None
    labs: Optional[list[Lab]] = None
    vaccinations: Optional[list[Vaccination]] = None
    pregnant: Optional[bool] = None
    breastfeeding: Optional[bool] = None
    childbearing_potential: Optional[bool] = None
    contraception: Optional[bool] = None
    csf_oligoclonal_bands: Optional[bool] = None
    weight_kg: Optional[float] = Field(default=None, gt=0)
    # Additions beyond the contract.
    trial_participation: Optional[list[TrialParticipation]] = None
