"""Document control as an auditor samples it: reviews overdue and due soon, drafts, withdrawn
documents that others still point at."""

from __future__ import annotations

import datetime as dt

from imscheck.audit.context import ReportContext
from imscheck.audit.fold import sample
from imscheck.audit.model import DocRef, DocumentControl, Reference, ReviewItem, WithdrawnItem
from imscheck.dates import add_days
from imscheck.documents import Document

HORIZON_DAYS = 90
_NOT_YET_APPROVED = ("draft", "review")
# Fields that point at a document meant to be in force; ``supersedes`` rightly names withdrawn ones.
_LIVE_REFERENCES = ("related", "record_of")


def build_document_control(ctx: ReportContext) -> DocumentControl:
    as_of = ctx.run.as_of
    horizon = add_days(as_of, HORIZON_DAYS)  # saturates: --as-of 9999-12-31 has no 90 days after it
    overdue: list[tuple[dt.date, str, ReviewItem]] = []
    due_soon: list[tuple[dt.date, str, ReviewItem]] = []
    drafts: list[DocRef] = []
    for doc in ctx.documents:
        due = doc.review_due()
        if due is not None and due < as_of:
            overdue.append((due, doc.path, ReviewItem(ctx.doc_ref(doc), due.isoformat(), (as_of - due).days, doc.line_of("review"))))
        elif due is not None and due <= horizon:
            due_soon.append((due, doc.path, ReviewItem(ctx.doc_ref(doc), due.isoformat(), (due - as_of).days, doc.line_of("review"))))
        if doc.controlled and doc.meta.get("status") in _NOT_YET_APPROVED:
            drafts.append(ctx.doc_ref(doc))
    return DocumentControl(
        horizon_days=HORIZON_DAYS,
        overdue=tuple(item for _, _, item in sorted(overdue, key=lambda t: t[:2])),
        due_soon=tuple(item for _, _, item in sorted(due_soon, key=lambda t: t[:2])),
        drafts=tuple(drafts),
        withdrawn=_withdrawn_referenced(ctx),
    )


def _withdrawn_referenced(ctx: ReportContext) -> tuple[WithdrawnItem, ...]:
    withdrawn = {doc.id: doc for doc in ctx.documents if doc.id and doc.meta.get("status") == "withdrawn"}
    if not withdrawn:
        return ()
    pointers: dict[str, list[tuple[Document, str]]] = {}
    for doc in ctx.documents:
        if doc.meta.get("status") == "withdrawn":
            continue
        for name in _LIVE_REFERENCES:
            for target in doc.string_list(name):
                if target in withdrawn:
                    pointers.setdefault(target, []).append((doc, name))
    out = []
    for target in sorted(pointers):
        # thousands of records can still point at one withdrawn procedure: a sample names them
        shown, more = sample(pointers[target])
        refs = tuple(Reference(ctx.doc_ref(doc), name, doc.line_of(name)) for doc, name in shown)
        out.append(WithdrawnItem(ctx.doc_ref(withdrawn[target]), refs, more))
    return tuple(out)
