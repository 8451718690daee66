"""The one date-window helper: calendar arithmetic for look-back windows and ages."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Optional

from dateutil.relativedelta import relativedelta

from ..models.rules import Duration


def delta(duration: Duration) -> relativedelta:
    """Months and years are calendar months and years; fractions fall back to days."""
    value = duration.value
    if duration.unit == "days":
        return relativedelta(days=round(value))
    if duration.unit == "weeks":
        return relativedelta(days=round(value * 7))
    if float(value).is_integer():
        return relativedelta(**{duration.unit: int(value)})
    per = 30.4375 if duration.unit == "months" else 365.25
    return relativedelta(days=round(value * per))


def window_start(as_of: date, duration: Duration) -> date:
    """First day inside a window of ``duration`` ending at ``as_of`` (inclusive both ends)."""
    return as_of - delta(duration)


def clears_on(last_event: date, duration: Duration) -> date:
    """First reference date on which an event on ``last_event`` is outside the window."""
    return last_event + delta(duration) + timedelta(days=1)


def years_between(start: date, end: date) -> float:
    return (end - start).days / 365.25


def completed_years(birth: date, on: date) -> int:
    return relativedelta(on, birth).years


def overlaps(start: Optional[date], end: Optional[date], window_from: date, window_to: date) -> bool:
    """Whether an exposure [start, end] (end None = ongoing) touches [window_from, window_to]."""
    if start is not None and start > window_to:
        return False
    return end is None or end >= window_from
