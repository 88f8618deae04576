"""Dates as users write them (YAML dates or ISO strings) and calendar-month arithmetic."""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any, Optional


def to_date(value: Any) -> Optional[dt.date]:
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
    """``day`` moved by whole calendar months; the 31st becomes the month's last day."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def within_months(day: dt.date, as_of: dt.date, months: int) -> bool:
    """On or after ``as_of`` minus ``months`` calendar months, and not after ``as_of``."""
    return add_months(as_of, -months) <= day <= as_of
