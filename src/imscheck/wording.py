"""How messages list things: the first few, then how many more."""

from __future__ import annotations

from collections.abc import Sequence

MAX_SHOWN = 3


def first_few(items: Sequence[str], sep: str = ", ", limit: int = MAX_SHOWN) -> str:
    """``a, b, c and 2 more`` (with ``sep="; "``: ``a; b; c; and 2 more``)."""
    shown = list(items[:limit])
    more = len(items) - len(shown)
    tail = (f"{sep.rstrip()} and {more} more" if sep.strip() == ";" else f" and {more} more") if more > 0 else ""
    return sep.join(shown) + tail
