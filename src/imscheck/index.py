"""Indexes over the documents that count as evidence, so rules select without scanning all.

Evidence that counts (DESIGN.md section 1): a controlled document with ``status: approved``,
or a record/report with a ``date`` not after ``as_of``; never a defective document.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Dict, FrozenSet, List, Optional, Sequence, Tuple

from imscheck.dates import to_date
from imscheck.documents import Document
from imscheck.globs import matches_any
from imscheck.hygiene import is_controlled
from imscheck.rules import Selector
from imscheck.schemas import jsonable
from imscheck.standards import Ref, parse_ref


@dataclass(frozen=True)
class Candidate:
    """A selected document, and the reference of its own that matched (None if not by clause)."""

    doc: Document
    via: Optional[Ref]


def counts_as_evidence(doc: Document, as_of: dt.date) -> bool:
    if is_controlled(doc):
        return doc.meta.get("status") == "approved"
    day = to_date(doc.meta.get("date"))
    return day is not None and day <= as_of


class Index:
    """Evidence documents by id, by type and by addressed requirement reference."""

    def __init__(self, documents: Sequence[Document], defective: FrozenSet[str], as_of: dt.date, services: FrozenSet[str]) -> None:
        self.services = services
        self.evidence: List[Document] = []
        self.by_id: Dict[str, Document] = {}
        self.by_type: Dict[str, List[Document]] = {}
        self.by_address: Dict[Ref, List[Tuple[Document, Ref]]] = {}
        # evidence addressing a sub-clause, filed under each of its ancestors (9.3.2 under 9.3 and 9)
        self.below: Dict[Ref, List[Tuple[Document, Ref]]] = {}
        self.known: Dict[str, Document] = {}  # every document by id, evidence or not (drafts, withdrawn)
        self._json: Dict[str, Any] = {}
        # documents that address clauses but earn no credit (draft, in review, withdrawn, dated
        # after as_of): named in a finding so that "found none" points at the file to fix
        self.uncounted: Dict[Ref, List[Document]] = {}
        for doc in documents:
            if doc.id:
                self.known.setdefault(doc.id, doc)
            if doc.path in defective:
                continue
            refs = [ref for ref in map(parse_ref, doc.string_list("addresses")) if ref is not None]
            if not counts_as_evidence(doc, as_of):
                for ref in refs:
                    self.uncounted.setdefault(ref, []).append(doc)
                continue
            self.evidence.append(doc)
            if doc.id:
                self.by_id.setdefault(doc.id, doc)
            self.by_type.setdefault(doc.type or "", []).append(doc)
            for ref in refs:
                self.by_address.setdefault(ref, []).append((doc, ref))
                for ancestor in list(ref.lineage())[1:]:
                    self.below.setdefault(ancestor, []).append((doc, ref))

    def as_json(self, doc: Document) -> Any:
        """The document's metadata as JSON values (computed once per document)."""
        value = self._json.get(doc.path)
        if value is None:
            value = self._json[doc.path] = jsonable(dict(doc.meta))
        return value

    def addressing(self, targets: Sequence[Ref]) -> List[Candidate]:
        """Evidence addressing any target, an ancestor or a sub-clause of one; the first match gives ``via``.

        A target's own clause and its ancestors come before its sub-clauses, so ``via`` names the
        closest reference the document makes.
        """
        found: Dict[str, Candidate] = {}
        for target in targets:
            for ref in target.lineage():
                for doc, own in self.by_address.get(ref, ()):
                    found.setdefault(doc.path, Candidate(doc, own))
            for doc, own in self.below.get(target, ()):
                found.setdefault(doc.path, Candidate(doc, own))
        return sorted(found.values(), key=lambda c: c.doc.path)

    def not_counting(self, selector: Selector, targets: Sequence[Ref]) -> List[Document]:
        """Documents matching ``selector`` and addressing a target (or its parent) that earn no credit."""
        found: Dict[str, Document] = {}
        for target in targets:
            for ref in target.lineage():
                for doc in self.uncounted.get(ref, ()):
                    if self._matches(doc, selector):
                        found.setdefault(doc.path, doc)
        return sorted(found.values(), key=lambda d: d.path)

    def select(self, selector: Selector, targets: Sequence[Ref]) -> List[Candidate]:
        """Evidence documents matching ``selector``; ``targets`` are its resolved addresses."""
        if targets:
            pool = self.addressing(targets)
        elif selector.ids:
            pool = [Candidate(self.by_id[i], None) for i in selector.ids if i in self.by_id]
        elif selector.types:
            pool = [Candidate(d, None) for t in selector.types for d in self.by_type.get(t, ())]
        else:
            pool = [Candidate(d, None) for d in self.evidence]
        chosen = [c for c in pool if self._matches(c.doc, selector)]
        return sorted(chosen, key=lambda c: c.doc.path)

    def _matches(self, doc: Document, selector: Selector) -> bool:
        if selector.types:
            if doc.type not in selector.types:
                return False
        elif not is_controlled(doc):
            return False  # no type named: an approved controlled document (policy, plan, procedure...)
        if selector.ids and doc.id not in selector.ids:
            return False
        if selector.paths and not matches_any(doc.path, selector.paths):
            return False
        for name, expected in selector.where:
            if not _field_has(doc.meta.get(name), expected):
                return False
        return True


def _field_has(value: Any, expected: Any) -> bool:
    if isinstance(value, list):
        return any(_field_has(v, expected) for v in value)
    if hasattr(value, "isoformat"):
        value = value.isoformat()
    return value == expected and type(value) is type(expected)
