"""The one date-window helper: calendar arithmetic for look-back windows and ages.

The results are cached: a registry screening asks the same questions (this window before this reference
date, this birth date at this date) for every patient and trial, and dateutil's arithmetic is slow.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache
from typing import Optional

from dateutil.relativedelta import relativedelta

from ..models.rules import Duration

_ONE_DAY = timedelta(days=1)


def delta(duration: Duration) -> relativedelta:
    """Months and years are calendar months and years; fractions fall back to days."""
    return _delta(duration.value, duration.unit)


@lru_cache(maxsize=1024)
def _delta(value: float, unit: str) -> relativedelta:
    if unit == "days":
        return relativedelta(days=round(value))
    if unit == "weeks":
        return relativedelta(days=round(value * 7))
    if float(value).is_integer():
        return relativedelta(**{unit: int(value)})
    per = 30.4375 if unit == "months" else 365.25
    return relativedelta(days=round(value * per))


def window_start(as_of: date, duration: Duration) -> date:
    """First day inside a window of ``duration`` ending at ``as_of`` (inclusive both ends)."""
    return _window_start(as_of, duration.value, duration.unit)


@lru_cache(maxsize=4096)
def _window_start(as_of: date, value: float, unit: str) -> date:
    try:
        return as_of - _delta(value, unit)
    except (OverflowError, ValueError):  # longer than the calendar ("within 99999999 years"): all of it
        return date.min


def clears_on(last_event: date, duration: Duration) -> date:
    """First reference date on which an event on ``last_event`` is outside the window."""
    return _clears_on(last_event, duration.value, duration.unit)


@lru_cache(maxsize=65536)
def _clears_on(last_event: date, value: float, unit: str) -> date:
    try:
        return last_event + _delta(value, unit) + _ONE_DAY
    except (OverflowError, ValueError):  # not before the end of the calendar
        return date.max


def after(start: date, duration: Duration) -> date:
    """``start`` plus ``duration``; date.max when that is past the calendar."""
    try:
        return start + delta(duration)
    except (OverflowError, ValueError):
        return date.max


def years_between(start: date, end: date) -> float:
    return (end - start).days / 365.25


@lru_cache(maxsize=65536)
def completed_years(birth: date, on: date) -> int:
    return relativedelta(on, birth).years


def overlaps(start: Optional[date], end: Optional[date], window_from: date, window_to: date) -> bool:
    """Whether an exposure [start, end] (end None = ongoing) touches [window_from, window_to]."""
    if start is not None and start > window_to:
        return False
    return end is None or end >= window_from
