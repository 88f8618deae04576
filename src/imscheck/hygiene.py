"""Hygiene checks that hold for every repository: they run before any requirement rule.

They also decide which documents are too defective to earn credit (unreadable metadata,
duplicate keys, approval without approver, records dated in the future).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from imscheck.dates import to_date
from imscheck.documents import Corpus, Document
from imscheck.findings import Finding
from imscheck.quickschema import certainly_valid
from imscheck.results import Location
from imscheck.ruleids import DOC_APPROVAL, DOC_CLAUSE, DOC_DATE, DOC_DUPKEY, DOC_ID_UNIQUE, DOC_REF, DOC_REVIEW, DOC_SCHEMA, DOC_SERVICE
from imscheck.schemas import errors, jsonable
from imscheck.standards import Catalogues, cached_ref

_DATE_FIELDS = (("approved_on",), ("date",), ("review", "last_reviewed"), ("review", "next_review"))
_MAX_SCHEMA_ERRORS = 5


@dataclass(frozen=True)
class Inspection:
    findings: tuple[Finding, ...]
    defective: frozenset[str]  # paths of documents that earn no credit
    services: frozenset[str]  # service ids defined by approved service catalogues
    has_catalogue: bool


def catalogue_services(documents: Iterable[Document]) -> tuple[frozenset[str], bool]:
    """Service ids defined by approved ``catalogue`` documents, and whether any exists."""
    services: set[str] = set()
    found = False
    for doc in documents:
        if doc.type == "catalogue" and doc.approved:
            found = True
            services.update(doc.string_list("services"))
    return frozenset(services), found


# A document's own findings: the document (kept alive, so that its id stays its own), those that
# make it defective, and the others.
PerDocument = tuple[Document, tuple[Finding, ...], tuple[Finding, ...]]


def inspect(corpus: Corpus, catalogues: Catalogues, as_of: dt.date, memo: dict[int, PerDocument] | None = None) -> Inspection:
    """``memo`` keeps each document's own findings, by ``id(Document)``, for another inspection
    with the same catalogues and ``as_of`` that holds the same Document objects (a comparison's base)."""
    findings: list[Finding] = [Finding(p.rule, p.message, (Location(p.path, p.line),)) for p in corpus.problems]
    defective: set[str] = set()
    documents = corpus.documents
    for doc in documents:
        own = memo.get(id(doc)) if memo is not None else None
        if own is None or own[0] is not doc:
            own = (doc, tuple(_document_findings(doc, as_of)), tuple(_review_findings(doc, as_of) + _clause_findings(doc, catalogues)))
            if memo is not None:
                memo[id(doc)] = own
        _, doc_findings, others = own
        if doc_findings:
            defective.add(doc.path)
        findings.extend(doc_findings)
        findings.extend(others)
    findings.extend(_unique_ids(documents))
    findings.extend(_dangling(documents))
    services, has_catalogue = catalogue_services(d for d in documents if d.path not in defective)
    if has_catalogue:
        findings.extend(_unknown_services(documents, services))
    return Inspection(tuple(findings), frozenset(defective), services, has_catalogue)


def located(doc: Document, *path: Any) -> tuple[Location, ...]:
    """The location of a document's field, as findings carry it."""
    return (Location(doc.path, doc.line_of(*path)),)


def _document_findings(doc: Document, as_of: dt.date) -> list[Finding]:
    """Findings that make a document defective: it then earns no credit."""
    out: list[Finding] = []
    for key, line in doc.duplicate_keys:
        out.append(Finding(DOC_DUPKEY, f"key {key!r} appears twice in {doc.name}: the first value is silently lost",
                           (Location(doc.path, line),)))
    # jsonschema only for metadata that may fail: it also writes the messages
    schema_errors = [] if certainly_valid(doc.meta) else errors(jsonable(dict(doc.meta)), "document")
    for error in schema_errors[:_MAX_SCHEMA_ERRORS]:
        out.append(Finding(DOC_SCHEMA, _schema_message(doc, error), located(doc, *error.absolute_path)))
    for path in _DATE_FIELDS:
        value: Any = doc.meta
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        # matches the YYYY-MM-DD pattern of the schema but is no calendar date (2026-02-30)
        if isinstance(value, str) and len(value) == 10 and value[4] == "-" and to_date(value) is None:
            out.append(Finding(DOC_SCHEMA, f"{'/'.join(path)}: {value!r} is not a real date", located(doc, *path)))
    if doc.approved and doc.controlled:
        missing = [f for f in ("approved_by", "approved_on") if not doc.meta.get(f)]
        if missing:
            out.append(Finding(DOC_APPROVAL, f"{doc.name} is approved but has no {' or '.join(missing)}", located(doc, "status")))
        approved_on = to_date(doc.meta.get("approved_on"))
        if approved_on and approved_on > as_of:
            out.append(Finding(DOC_APPROVAL, f"{doc.name} is approved on {approved_on}, after the evaluation date {as_of}",
                               located(doc, "approved_on")))
    if not doc.controlled:
        day = to_date(doc.meta.get("date"))
        if day and day > as_of:
            out.append(Finding(DOC_DATE, f"{doc.name} is dated {day}, after the evaluation date {as_of}", located(doc, "date")))
    return out


def _schema_message(doc: Document, error: Any) -> str:
    path = list(error.absolute_path)
    name = "/".join(str(p) for p in path)
    value = error.instance
    if path == ["version"] and isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"version is the number {value!r}: quote it (version: \"{value}\"); an unquoted 1.10 reads as 1.1"
    if error.validator == "required":
        return f"{doc.name}: {error.message.replace('is a required property', 'is required')}" + (f" in {name}" if name else "")
    if error.validator == "pattern" and path and path[-1] in ("approved_on", "date", "last_reviewed", "next_review"):
        return f"{name}: {value!r} is not a date (write YYYY-MM-DD)"
    if error.validator == "enum":
        return f"{name}: {value!r} is not one of {', '.join(map(str, error.validator_value))}"
    return f"{name}: {error.message}" if name else error.message


def _review_findings(doc: Document, as_of: dt.date) -> list[Finding]:
    due = doc.review_due()
    if due is not None and due < as_of:
        return [Finding(DOC_REVIEW, f"{doc.name} was due for review on {due} (evaluated as of {as_of})", located(doc, "review"))]
    return []


def _clause_findings(doc: Document, catalogues: Catalogues) -> list[Finding]:
    out: list[Finding] = []
    value = doc.meta.get("addresses")
    if not isinstance(value, list):
        return out
    for index, text in enumerate(value):
        ref = cached_ref(text) if isinstance(text, str) else None
        problem = catalogues.problem_with(ref) if ref else None
        if problem:
            out.append(Finding(DOC_CLAUSE, f"{doc.name}: {problem}", located(doc, "addresses", index)))
    return out


def _unique_ids(documents: Sequence[Document]) -> list[Finding]:
    by_id: dict[str, list[Document]] = {}
    for doc in documents:
        if doc.id:
            by_id.setdefault(doc.id, []).append(doc)
    return [
        Finding(
            DOC_ID_UNIQUE,
            f"id {doc_id} is used by {len(docs)} documents: " + ", ".join(d.path for d in docs),
            tuple(Location(d.path, d.line_of("id")) for d in docs),
        )
        for doc_id, docs in sorted(by_id.items())
        if len(docs) > 1
    ]


def _dangling(documents: Sequence[Document]) -> list[Finding]:
    known = {doc.id for doc in documents if doc.id}
    out: list[Finding] = []
    for doc in documents:
        for name in ("related", "record_of", "supersedes"):
            raw = doc.meta.get(name)
            items = list(enumerate(raw)) if isinstance(raw, list) else [(None, raw)] if isinstance(raw, str) else []
            for index, target in items:
                if isinstance(target, str) and target not in known:
                    where = (name,) if index is None else (name, index)
                    out.append(Finding(DOC_REF, f"{doc.name}: {name} names {target}, which no document has as its id",
                                       located(doc, *where)))
    return out


def _unknown_services(documents: Sequence[Document], services: frozenset[str]) -> list[Finding]:
    out: list[Finding] = []
    for doc in documents:
        raw = doc.meta.get("services")
        if not isinstance(raw, list) or doc.type == "catalogue":
            continue
        for index, service in enumerate(raw):
            if isinstance(service, str) and service not in services:
                out.append(Finding(DOC_SERVICE, f"{doc.name}: service {service!r} is not in the service catalogue",
                                   located(doc, "services", index)))
    return out
