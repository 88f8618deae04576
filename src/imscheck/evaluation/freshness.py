"""Freshness windows: how recent the record of a periodic activity must be.

A window is the rule's interval (12 months for annual cycles), or the interval the organisation
itself states for the activity ("a monthly service report per service" in its reporting
procedure), plus a stated grace period, so that a review held a few days late is not a finding.
An interval set in imscheck.yaml (``overrides``) comes before both.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass

from imscheck.dates import to_date, within_months
from imscheck.documents import Document
from imscheck.evaluation.index import Candidate
from imscheck.results import Location
from imscheck.rules import Check
from imscheck.vocabulary import Topic, Vocabulary
from imscheck.wording import first_few

# An interval word counts for an activity only this close to where the activity is named.
_REACH = 10


@dataclass(frozen=True)
class Window:
    months: int
    grace: int = 0
    stated: str | None = None  # "monthly, as PRO-REP states", when the organisation set it

    @property
    def total(self) -> int:
        return self.months + self.grace

    def describe(self) -> str:
        unit = "month" if self.months == 1 else "months"
        text = f"{self.months} {unit}" + (f" ({self.stated})" if self.stated else "")
        if self.grace:
            text += f" and {self.grace} month's grace" if self.grace == 1 else f" and {self.grace} months' grace"
        return text


def window_for(check: Check, override_months: int | None, stating: Sequence[Document], vocabulary: Vocabulary) -> Window | None:
    """The window a check applies: imscheck.yaml's interval, else the one ``stating`` documents declare, else the rule's."""
    if override_months:
        return Window(override_months)
    if check.fresh_months is None:
        return None
    if check.fresh_declared_by:
        declared = declared_interval(vocabulary.topics[check.fresh_declared_by], stating, vocabulary)
        if declared is not None:
            months, word, doc = declared
            return Window(months, check.fresh_grace, f"{word}, as {doc.name} states")
    return Window(check.fresh_months, check.fresh_grace)


def declared_interval(activity: Topic, docs: Sequence[Document], vocabulary: Vocabulary) -> tuple[int, str, Document] | None:
    """The interval the documents state for ``activity``: the interval word said closest to it.

    "By the fifth working day a monthly service report per service is produced" states monthly
    service reports; a quarterly trend analysis further on in the same step does not.
    """
    for doc in docs:
        best: tuple[int, int] | None = None  # (distance, months)
        for block in doc.blocks:
            named = activity.positions(block.text)  # sorted
            if not named:
                continue
            for months, interval in vocabulary.intervals:
                for at in interval.positions(block.text):
                    distance = _distance(named, at)
                    if distance <= _REACH and (best is None or (distance, months) < best):
                        best = (distance, months)
        if best is not None:
            return best[1], _word(best[1], vocabulary), doc
    return None


def _distance(sorted_positions: Sequence[int], at: int) -> int:
    """Distance from ``at`` to the nearest of ``sorted_positions`` (a binary search: a document
    saying "monthly service report" 30,000 times once took minutes, every pair compared)."""
    i = bisect_left(sorted_positions, at)
    near = sorted_positions[max(i - 1, 0) : i + 1]
    return min(abs(at - p) for p in near)


def _word(months: int, vocabulary: Vocabulary) -> str:
    """How the interval reads in a message: the first phrase of its entry ("monthly")."""
    return next(t.phrases[0] for m, t in vocabulary.intervals if m == months)


def split(check: Check, candidates: Sequence[Candidate], as_of: dt.date, window: Window | None) -> tuple[list[Candidate], list[Candidate]]:
    """(documents inside the window, dated documents outside it); no window: all inside."""
    if window is None:
        return list(candidates), []
    inside: list[Candidate] = []
    outside: list[Candidate] = []
    for candidate in candidates:
        day = to_date(candidate.doc.meta.get(check.fresh_field))
        (inside if day is not None and within_months(day, as_of, window.total) else outside).append(candidate)
    return inside, outside


def outside_text(check: Check, stale: Sequence[Candidate], window: Window | None) -> str:
    """The documents a window left out, with their dates (for a shortfall message)."""
    if not stale or window is None:
        return ""
    dated = [f"{c.doc.name} ({c.doc.path}:{c.doc.line_of(check.fresh_field)}) dated {c.doc.meta.get(check.fresh_field)}" for c in stale]
    return f"; outside the window of {window.describe()}: " + first_few(dated)


def lapsed(check: Check, stale: Sequence[Candidate], what: str, window: Window, as_of: dt.date) -> tuple[str, Location]:
    """Why the latest record of a periodic activity is too old, and where its date is."""
    dated = [(to_date(c.doc.meta.get(check.fresh_field)), c) for c in stale]
    known = sorted(((d, c) for d, c in dated if d is not None), key=lambda pair: (pair[0], pair[1].doc.path))
    if known:
        day, latest = known[-1]
        line = latest.doc.line_of(check.fresh_field)
        text = (f"lapsed: {what}: the latest, {latest.doc.name} ({latest.doc.path}:{line}), is dated {day}, "
                f"more than {window.describe()} before {as_of}")
        return text, Location(latest.doc.path, line)
    latest = stale[0]
    missing = "date" if check.fresh_field == "date" else f"{check.fresh_field} date"  # not "has no date date"
    where = Location(latest.doc.path, latest.doc.line)
    return f"lapsed: {what}: {latest.doc.name} ({latest.doc.path}:{latest.doc.line}) has no {missing}", where
