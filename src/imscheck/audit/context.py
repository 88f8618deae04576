"""What every section of the audit report is built from, and the lookups they share."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace

from imscheck.audit.fold import sample
from imscheck.audit.model import ChecklistItem, DocRef, EvidenceLink
from imscheck.config import Config
from imscheck.documents import Document
from imscheck.results import Evidence, Result, Run, TopicCheck
from imscheck.rules import BuiltinRule, Pack, Rule
from imscheck.standards import Catalogue, parse_ref


class Anchors:
    """Unique, stable in-page anchor ids (``nc-SMS-9.3``), the same key always the same id."""

    _UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")

    def __init__(self) -> None:
        self._given: dict[tuple[str, str], str] = {}
        self._used: set[str] = set()

    def __call__(self, prefix: str, key: str) -> str:
        known = self._given.get((prefix, key))
        if known is not None:
            return known
        base = f"{prefix}-{self._UNSAFE.sub('-', key).strip('-') or 'x'}"
        anchor, n = base, 1
        while anchor in self._used:
            n += 1
            anchor = f"{base}-{n}"
        self._used.add(anchor)
        self._given[(prefix, key)] = anchor
        return anchor


@dataclass(frozen=True)
class AuditInputs:
    """One evaluation and the set-up it ran with (the report explains results with them)."""

    run: Run
    config: Config
    pack: Pack
    hygiene: Mapping[str, BuiltinRule]
    target: Catalogue
    base: Catalogue
    name: str  # the repository's folder name, for the title


class ReportContext:
    """AuditInputs plus the shared lookups: documents by path, rules by id, anchors."""

    def __init__(self, sources: AuditInputs) -> None:
        self.sources = sources
        self.run = sources.run
        self.config = sources.config
        self.anchors = Anchors()
        self.documents: tuple[Document, ...] = tuple(d for d in sources.run.documents if isinstance(d, Document))
        self._by_path: dict[str, Document] = {d.path: d for d in self.documents}
        self._records: set[str] = {d.path for d in self.documents if not d.controlled}
        self._rules: dict[str, Rule] = {r.id: r for r in sources.pack.rules}
        self.requirements: tuple[Result, ...] = tuple(r for r in sources.run.results if r.is_requirement)
        # Documents the page links to: each needs its own row in the evidence index, even when
        # its folder of records is folded into one summary row.
        self.named: set[str] = set()

    def rule(self, rule_id: str) -> Rule | None:
        return self._rules.get(rule_id)

    def clause_title(self, clause: str) -> str:
        found = self.sources.target.get(clause)
        return found.display_title if found else clause

    def doc_anchor(self, path: str) -> str:
        self.named.add(path)
        return self.anchors("doc", path)

    def is_record(self, path: str) -> bool:
        """True for a record (or report) read: an auditor samples these, so long lists of them fold."""
        return path in self._records

    def has_document(self, path: str | None) -> bool:
        """True if ``path`` is a document read, so the evidence index has a row to link to."""
        return path is not None and path in self._by_path

    def doc_ref(self, doc: Document) -> DocRef:
        def text(name: str) -> str:
            value = doc.meta.get(name)
            return str(value) if value not in (None, "") else ""

        return DocRef(doc.id or doc.path, text("title"), doc.path, doc.line, doc.type or "", text("status"), text("owner"),
                      self.doc_anchor(doc.path))

    def evidence_link(self, evidence: Evidence) -> EvidenceLink:
        ref = parse_ref(evidence.via) if evidence.via else None
        key = ref.edition_key if ref else None
        source = "base" if key == self.run.base else "target" if key == self.run.standard else "other"
        anchor = self.doc_anchor(evidence.path) if evidence.path in self._by_path else None
        return EvidenceLink(evidence.document, evidence.path, evidence.line, evidence.via or "", source, anchor)

    def evidence_links(self, result: Result) -> tuple[tuple[EvidenceLink, ...], int]:
        """A result's evidence, one link per document: a document that earned credit through
        several of its references (the ISO 9001 half and the service management half) is listed
        once, with each reference. Controlled documents are all listed, records as a sample
        (:func:`~imscheck.audit.fold.sample`); the second value counts the records left out."""
        by_path: dict[str, list[Evidence]] = {}
        for item in result.evidence:
            by_path.setdefault(item.path, []).append(item)
        shown, more = sample([path for path in by_path if self.is_record(path)])
        if more:
            kept = set(shown)
            by_path = {path: items for path, items in by_path.items() if path in kept or not self.is_record(path)}
        links = []
        for items in by_path.values():
            first = self.evidence_link(items[0])
            vias = list(dict.fromkeys(e.via for e in items if e.via))
            links.append(replace(first, via=", ".join(vias)) if len(vias) > 1 else first)
        return tuple(links), more

    def checklist_item(self, item: TopicCheck) -> ChecklistItem:
        anchor = self.doc_anchor(item.path) if item.path and self.has_document(item.path) else None
        return ChecklistItem(item.topic, item.found, item.document or "", item.path or "", max(item.line, 1), anchor)

    def checklist(self, result: Result) -> tuple[ChecklistItem, ...]:
        """The auditor's checklist of a result. None for a waived or excluded one: like its
        observations, what was read for it is out of this audit's scope."""
        if result.status in ("waived", "not_applicable"):
            return ()
        return tuple(self.checklist_item(item) for item in result.checklist)

    def detail_anchor(self, result: Result) -> str:
        """Where a requirement's detail is: its finding, its waiver or exclusion, or its evidence."""
        if result.failing:
            return self.anchors("nc", result.rule)
        if result.suppression is not None:  # the entry of imscheck.yaml the scope decision applied
            return self.entry_anchor(result.suppression.kind, result.suppression.line)
        return self.anchors("ev", result.rule)

    def entry_anchor(self, kind: str, line: int) -> str:
        """The row of a waiver or not-applicable entry, named by its line in imscheck.yaml."""
        return self.anchors("waiver" if kind == "waiver" else "na", str(line))

    def unchecked_status(self, clause: str) -> str:
        """The status of a requirement no rule checks: excluded from scope, or unchecked."""
        return "not_applicable" if self.config.exclusion(None, clause) else "unchecked"

    def clause_anchor(self, clause: str) -> str:
        """Detail of a requirement that no rule checks: its exclusion, else its evidence row."""
        entry = self.config.exclusion(None, clause)
        if entry is not None:
            return self.entry_anchor("not_applicable", entry.line)
        return self.anchors("ev-clause", clause)
