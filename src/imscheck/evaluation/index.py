"""Indexes over the documents that count as evidence, so rules select without scanning all.

Evidence that counts (DESIGN.md section 1): a controlled document with ``status: approved``,
or a record/report with a ``date`` not after ``as_of``; never a defective document.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from imscheck.dates import to_date
from imscheck.documents import Document
from imscheck.globs import matches_any
from imscheck.rules import Selector
from imscheck.schemas import jsonable
from imscheck.standards import Ref, cached_ref

# a repository writes the same few hundred references thousands of times: parse each once


@lru_cache(maxsize=4096)
def _ancestors(ref: Ref) -> tuple[Ref, ...]:
    return tuple(ref.lineage())[1:]


@dataclass(frozen=True)
class Candidate:
    """A selected document, and the reference of its own that matched (None if not by clause)."""

    doc: Document
    via: Ref | None


@dataclass(frozen=True)
class Uncounted:
    """A document addressing a requirement a check looks at that earns that check no credit, and why.

    ``why``: ``status`` (a draft, in review, withdrawn), ``date`` (a record dated after as_of),
    ``defect`` (a hygiene finding keeps it out: broken metadata, say) or ``type`` (it counts as
    evidence, but not of the type the check asks for).
    """

    doc: Document
    via: Ref  # its own reference that matched
    why: str


def counts_as_evidence(doc: Document, as_of: dt.date) -> bool:
    if doc.controlled:
        return doc.approved
    day = to_date(doc.meta.get("date"))
    return day is not None and day <= as_of


class Index:
    """Evidence documents by id, by type and by addressed requirement reference."""

    def __init__(self, documents: Sequence[Document], defective: frozenset[str], as_of: dt.date, services: frozenset[str]) -> None:
        self.services = services
        self.evidence: list[Document] = []
        self.by_id: dict[str, Document] = {}
        self.by_type: dict[str, list[Document]] = {}
        self.by_address: dict[Ref, list[tuple[Document, Ref]]] = {}
        # evidence addressing a sub-clause, filed under each of its ancestors (9.3.2 under 9.3 and 9)
        self.below: dict[Ref, list[tuple[Document, Ref]]] = {}
        self.known: dict[str, Document] = {}  # every document by id, evidence or not (drafts, withdrawn)
        self._json: dict[str, Any] = {}
        self.defective = defective
        # documents that address clauses but earn no credit (draft, in review, withdrawn, dated
        # after as_of, defective): named in a finding so that "found none" points at the file to fix
        self._uncounted: dict[Ref, list[tuple[Document, Ref]]] = {}
        self._uncounted_below: dict[Ref, list[tuple[Document, Ref]]] = {}
        self._as_of = as_of
        # a selection depends only on the check, never on the document being judged: computed once
        self._selected: dict[tuple[Selector, tuple[Ref, ...]], tuple[Candidate, ...]] = {}
        self._selected_ids: dict[tuple[Selector, tuple[Ref, ...]], frozenset[str | None]] = {}
        self.selections = 0  # selections computed (not served from the cache): work grows with checks, not documents
        for doc in documents:
            if doc.id:
                self.known.setdefault(doc.id, doc)
            refs = [ref for ref in map(cached_ref, doc.string_list("addresses")) if ref is not None]
            if doc.path in defective or not counts_as_evidence(doc, as_of):
                for ref in refs:
                    _file(self._uncounted, self._uncounted_below, doc, ref)
                continue
            self.evidence.append(doc)
            if doc.id:
                self.by_id.setdefault(doc.id, doc)
            self.by_type.setdefault(doc.type or "", []).append(doc)
            for ref in refs:
                _file(self.by_address, self.below, doc, ref)

    def as_json(self, doc: Document) -> Any:
        """The document's metadata as JSON values (computed once per document)."""
        value = self._json.get(doc.path)
        if value is None:
            value = self._json[doc.path] = jsonable(dict(doc.meta))
        return value

    def addressing(self, targets: Sequence[Ref]) -> list[Candidate]:
        """Evidence addressing any target, an ancestor or a sub-clause of one; the first match gives ``via``.

        A target's own clause and its ancestors come before its sub-clauses, so ``via`` names the
        closest reference the document makes.
        """
        found: dict[str, Candidate] = {}
        for doc, own in _lookup(self.by_address, self.below, targets):
            found.setdefault(doc.path, Candidate(doc, own))
        return sorted(found.values(), key=lambda c: c.doc.path)

    def not_counting(self, selector: Selector, targets: Sequence[Ref]) -> list[Uncounted]:
        """Documents addressing a target (as :meth:`addressing` finds them) that ``selector`` would
        take but for their status, date or defects, or that count but are of another type."""
        found: dict[str, Uncounted] = {}
        for doc, own in _lookup(self._uncounted, self._uncounted_below, targets):
            if doc.path not in found and self._matches(doc, selector):
                found[doc.path] = Uncounted(doc, own, self._why(doc))
        for candidate in self.addressing(targets):
            doc = candidate.doc
            if candidate.via and doc.path not in found and not self._matches(doc, selector) and self._matches(doc, selector, types=False):
                found[doc.path] = Uncounted(doc, candidate.via, "type")
        return sorted(found.values(), key=lambda u: u.doc.path)

    def _why(self, doc: Document) -> str:
        if doc.controlled and isinstance(doc.meta.get("status"), str) and not doc.approved:
            return "status"
        day = to_date(doc.meta.get("date"))
        if not doc.controlled and day is not None and day > self._as_of:
            return "date"
        return "defect"

    def select(self, selector: Selector, targets: Sequence[Ref]) -> list[Candidate]:
        """Evidence documents matching ``selector``; ``targets`` are its resolved addresses."""
        try:
            key = (selector, tuple(targets))
            chosen = self._selected.get(key)
        except TypeError:  # a ``where`` value that cannot be hashed (a list): not cached
            return list(self._select(selector, targets))
        if chosen is None:
            chosen = self._selected[key] = self._select(selector, targets)
        return list(chosen)

    def selected_ids(self, selector: Selector, targets: Sequence[Ref]) -> frozenset[str | None]:
        """The ids of :meth:`select`'s documents, for reference checks run once per candidate."""
        try:
            key = (selector, tuple(targets))
            ids = self._selected_ids.get(key)
        except TypeError:
            return frozenset(c.doc.id for c in self.select(selector, targets))
        if ids is None:
            ids = self._selected_ids[key] = frozenset(c.doc.id for c in self.select(selector, targets))
        return ids

    def _select(self, selector: Selector, targets: Sequence[Ref]) -> tuple[Candidate, ...]:
        self.selections += 1
        if targets:
            pool = self.addressing(targets)
        elif selector.ids:
            pool = [Candidate(self.by_id[i], None) for i in selector.ids if i in self.by_id]
        elif selector.types:
            pool = [Candidate(d, None) for t in selector.types for d in self.by_type.get(t, ())]
        else:
            pool = [Candidate(d, None) for d in self.evidence]
        chosen = [c for c in pool if self._matches(c.doc, selector)]
        return tuple(sorted(chosen, key=lambda c: c.doc.path))

    def _matches(self, doc: Document, selector: Selector, types: bool = True) -> bool:
        """``types=False`` asks whether it is the right document under the wrong type."""
        if types and selector.types:
            if doc.type not in selector.types:
                return False
        elif types and not doc.controlled:
            return False  # no type named: an approved controlled document (policy, plan, procedure...)
        if selector.ids and doc.id not in selector.ids:
            return False
        if selector.paths and not matches_any(doc.path, selector.paths):
            return False
        for name, expected in selector.where:
            if not _field_has(doc.meta.get(name), expected):
                return False
        return True


Filed = dict[Ref, list[tuple[Document, Ref]]]


def _file(by_ref: Filed, below: Filed, doc: Document, ref: Ref) -> None:
    """File ``doc`` under its reference, and under each ancestor of it (9.3.2 under 9.3 and 9)."""
    by_ref.setdefault(ref, []).append((doc, ref))
    for ancestor in _ancestors(ref):
        below.setdefault(ancestor, []).append((doc, ref))


def _lookup(by_ref: Filed, below: Filed, targets: Sequence[Ref]) -> list[tuple[Document, Ref]]:
    """Documents addressing a target, an ancestor or a sub-clause of one, in that order.

    A target's own clause and its ancestors come before its sub-clauses, so the reference given
    with a document is the closest one it makes.
    """
    out: list[tuple[Document, Ref]] = []
    for target in targets:
        for ref in target.lineage():
            out.extend(by_ref.get(ref, ()))
        out.extend(below.get(target, ()))
    return out


def _field_has(value: Any, expected: Any) -> bool:
    if isinstance(value, list):
        return any(_field_has(v, expected) for v in value)
    if hasattr(value, "isoformat"):
        value = value.isoformat()
    return value == expected and type(value) is type(expected)
