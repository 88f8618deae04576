"""How long lists fold, so the page stays readable (and a few MB) at 100,000 documents.

An auditor reads every finding and every controlled document, and samples records: a list of
records longer than :data:`SAMPLE` shows an evenly spread sample and counts the rest, and a folder
of more than :data:`FOLDER_LIMIT` records is summarised in one row. Small repositories fold
nothing, so their report lists everything, as before.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TypeVar

SAMPLE = 10  # records listed per requirement, finding or reference list before "and N more"
FOLDER_LIMIT = 50  # a folder with more records than this is summarised (sample-org's biggest has 42)
FAILING_SAMPLE = 10  # failing records named in a folder's summary row

T = TypeVar("T")

# Folders named by a year, a month or a day sort records by date: they group with their parent.
_DATED = re.compile(r"^\d{4}(-\d{2}){0,2}$|^\d{1,2}$")


def sample(items: Sequence[T], limit: int = SAMPLE) -> tuple[tuple[T, ...], int]:
    """At most ``limit`` items spread evenly over ``items`` (first and last included, order kept),
    and how many were left out. Deterministic: the same list gives the same sample."""
    count = len(items)
    if count <= limit:
        return tuple(items), 0
    if limit <= 1:
        return tuple(items[:limit]), count - limit
    picks: list[int] = sorted({round(i * (count - 1) / (limit - 1)) for i in range(limit)})
    return tuple(items[i] for i in picks), count - len(picks)


def folder_of(path: str) -> str:
    """The folder a record is summarised under: its directory, without dated sub-folders
    (``records/inc/2026-03/INC-1.yaml`` is under ``records/inc``)."""
    parts = path.split("/")[:-1]
    while parts and _DATED.match(parts[-1]):
        parts.pop()
    return "/".join(parts) or "."
