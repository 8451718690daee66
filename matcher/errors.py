"""Errors a user can act on: each names the file, the record and the field."""

from __future__ import annotations

from typing import Optional


class MsmatchError(Exception):
    """Bad input. ``str(error)`` is a one-line message naming where and what to do."""

    def __init__(self, message: str, *, file: Optional[str] = None, record: Optional[str] = None,
                 field: Optional[str] = None, hint: Optional[str] = None):
        self.message = message
        self.file = file
        self.record = record
        self.field = field
        self.hint = hint
        super().__init__(str(self))

    def __str__(self) -> str:
        where = ", ".join(
            part for part in (
                self.file,
                f"record {self.record}" if self.record else None,
                f"field '{self.field}'" if self.field else None,
            ) if part
        )
        text = f"{where}: {self.message}" if where else self.message
        return f"{text} ({self.hint})" if self.hint else text

    def as_dict(self) -> dict:
        return {"file": self.file, "record": self.record, "field": self.field,
                "error": self.message, "hint": self.hint}


class NoCriteriaError(MsmatchError):
    """The document is readable but holds no eligibility criteria (e.g. a news article)."""


class RecordError(MsmatchError):
    """A trial record could not be read."""


class PatientError(MsmatchError):
    """A patient profile is invalid."""
