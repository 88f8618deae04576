"""Standards catalogues (clause trees) and requirement references like ``iso9001:2015/7.5.3``."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from imscheck.errors import ImscheckError
from imscheck.resources import rules_dir
from imscheck.schemas import load_setup_file

# the edition checked when neither --standard nor imscheck.yaml names one
DEFAULT_STANDARD = "iso20000-1:2018"

_REF = re.compile(r"^(?P<standard>[a-z][a-z0-9-]*):(?P<edition>\d{4})/(?P<clause>\d+(?:\.\d+)*)$")
_CLAUSE = re.compile(r"^\d+(?:\.\d+)*$")


def clause_key(number: str) -> tuple[int, ...]:
    """Sort key: 8.10 after 8.9."""
    return tuple(int(part) for part in number.split("."))


def parent_of(number: str) -> str | None:
    return number.rsplit(".", 1)[0] if "." in number else None


def is_clause_number(text: str) -> bool:
    return bool(_CLAUSE.match(text))


@dataclass(frozen=True, order=True)
class Ref:
    """A requirement reference: a clause of one edition of one standard."""

    standard: str
    edition: str
    clause: str

    @property
    def edition_key(self) -> str:
        return f"{self.standard}:{self.edition}"

    def __str__(self) -> str:
        return f"{self.standard}:{self.edition}/{self.clause}"

    def lineage(self) -> Iterator[Ref]:
        """This clause and its ancestors: the references that cover it."""
        number: str | None = self.clause
        while number is not None:
            yield Ref(self.standard, self.edition, number)
            number = parent_of(number)

    def covers(self, other: Ref) -> bool:
        """True if evidence addressing ``self`` counts for ``other`` (same or ancestor clause)."""
        return self.edition_key == other.edition_key and (
            other.clause == self.clause or other.clause.startswith(self.clause + ".")
        )


def parse_ref(text: str) -> Ref | None:
    """Parse ``STANDARD:EDITION/CLAUSE``; None if the text is not of that form."""
    match = _REF.match(text.strip()) if isinstance(text, str) else None
    if not match:
        return None
    return Ref(match["standard"], match["edition"], match["clause"])


# The same few hundred references are written thousands of times: parse each string once.
cached_ref = lru_cache(maxsize=4096)(parse_ref)


@dataclass(frozen=True)
class Clause:
    number: str
    title: str | None
    summary: str
    untitled: bool = False
    unverified: bool = False

    @property
    def parent(self) -> str | None:
        return parent_of(self.number)

    @property
    def top(self) -> str:
        return self.number.split(".", 1)[0]

    @property
    def display_title(self) -> str:
        if self.title:
            return self.title
        return f"(untitled paragraph of {self.parent})" if self.parent else "(untitled)"


@dataclass(frozen=True)
class Catalogue:
    """The clause tree of one edition of one standard."""

    standard: str
    edition: str
    title: str
    requirement_clauses: tuple[str, ...]
    clauses: Mapping[str, Clause]  # in document order
    source: str

    @property
    def key(self) -> str:
        return f"{self.standard}:{self.edition}"

    def ref(self, number: str) -> Ref:
        return Ref(self.standard, self.edition, number)

    def get(self, number: str) -> Clause | None:
        return self.clauses.get(number)

    def children(self, number: str) -> list[Clause]:
        return [c for c in self.clauses.values() if c.parent == number]

    def requirement_leaves(self) -> list[Clause]:
        """Leaf clauses of the requirement clauses (4-10, or 4-9 for 20000-1:2011)."""
        parents = {c.parent for c in self.clauses.values() if c.parent}
        return [
            c for c in self.clauses.values()
            if c.number not in parents and c.top in self.requirement_clauses
        ]

    def label(self, number: str) -> str:
        clause = self.get(number)
        return f"{number} {clause.display_title}" if clause else number


class Catalogues:
    """All catalogued editions, by key (``iso9001:2015``)."""

    def __init__(self, catalogues: Iterable[Catalogue]) -> None:
        self._by_key: dict[str, Catalogue] = {c.key: c for c in catalogues}

    def __contains__(self, key: object) -> bool:
        return key in self._by_key

    def __iter__(self) -> Iterator[Catalogue]:
        return iter(self._by_key.values())

    def get(self, key: str) -> Catalogue | None:
        return self._by_key.get(key)

    def require(self, key: str, source: str | None = None) -> Catalogue:
        catalogue = self._by_key.get(key)
        if catalogue is None:
            known = ", ".join(sorted(self._by_key))
            raise ImscheckError(f"no catalogue for standard {key!r} (known: {known})", source)
        return catalogue

    def problem_with(self, ref: Ref) -> str | None:
        """Why ``ref`` is wrong, or None. Uncatalogued standards are accepted unchecked."""
        catalogue = self._by_key.get(ref.edition_key)
        if catalogue is None:
            editions = sorted(c.key for c in self._by_key.values() if c.standard == ref.standard)
            if editions:  # a standard we know, in an edition we do not: most likely a typo
                return f"{ref} names edition {ref.edition} of {ref.standard}, which imscheck does not know (known: {', '.join(editions)})"
            return None
        if catalogue.get(ref.clause) is not None:
            return None
        return f"{ref} names a clause that does not exist in {catalogue.title}"


def load_catalogue(path: Path, validate: bool | None = None) -> Catalogue:
    data = load_setup_file(path, "catalogue", validate)
    clauses: dict[str, Clause] = {}
    for entry in data["clauses"]:
        number = entry["number"]
        if number in clauses:
            raise ImscheckError(f"clause {number} is listed twice", str(path))
        parent = parent_of(number)
        if parent is not None and parent not in clauses:
            raise ImscheckError(f"clause {number} comes before (or without) its parent {parent}", str(path))
        clauses[number] = Clause(
            number, entry.get("title"), entry["summary"], bool(entry.get("untitled")), bool(entry.get("unverified"))
        )
    return Catalogue(data["standard"], str(data["edition"]), data["title"], tuple(data["requirement_clauses"]), clauses, str(path))


def load_catalogues(directories: Sequence[Path]) -> Catalogues:
    """Load every ``*.yaml`` catalogue in ``directories`` (later folders may add editions)."""
    found: list[Catalogue] = []
    for directory in directories:
        for path in sorted(directory.glob("*.yaml")):
            found.append(load_catalogue(path))
    return Catalogues(found)


_NAMES = {"iso9001": "ISO 9001", "iso20000-1": "ISO/IEC 20000-1", "iso27001": "ISO/IEC 27001", "iso14001": "ISO 14001"}


def edition_name(key: str) -> str:
    """``iso9001:2015`` -> ``ISO 9001:2015`` (unknown standards are shown as written)."""
    standard, _, edition = key.partition(":")
    name = _NAMES.get(standard, standard)
    return f"{name}:{edition}" if edition else name


def standard_name(key: str) -> str:
    """``iso9001:2015`` -> ``ISO 9001``."""
    return _NAMES.get(key.partition(":")[0], key)


@lru_cache(maxsize=1)
def shipped_catalogues() -> Catalogues:
    """The catalogues that ship with imscheck, read once per process (they are immutable data)."""
    return load_catalogues([rules_dir() / "catalogues"])
