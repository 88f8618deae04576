"""Dates as users write them (YAML dates or ISO strings) and calendar-month arithmetic."""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any


def to_date(value: Any) -> dt.date | None:
    """A ``date`` from a YAML date/datetime or an ISO ``YYYY-MM-DD`` string; None if neither."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()[:10]) if len(value.strip()) == 10 else None
        except ValueError:
            return None
    return None


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by whole calendar months; the 31st becomes the month's last day.

    Saturates at the calendar's ends (0001-01-01, 9999-12-31): a review date late in year 9999
    or an interval of a billion months is a date far off, not an error.
    """
    index = day.year * 12 + (day.month - 1) + months
    if index < dt.MINYEAR * 12:
        return dt.date.min
    if index > dt.MAXYEAR * 12 + 11:
        return dt.date.max
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def add_days(day: dt.date, days: int) -> dt.date:
    """``day`` moved by ``days`` days, saturating at the calendar's ends."""
    ordinal = day.toordinal() + days
    if ordinal < 1:
        return dt.date.min
    return dt.date.fromordinal(ordinal) if ordinal <= dt.date.max.toordinal() else dt.date.max


def within_months(day: dt.date, as_of: dt.date, months: int) -> bool:
    """On or after ``as_of`` minus ``months`` calendar months, and not after ``as_of``."""
    return add_months(as_of, -months) <= day <= as_of
