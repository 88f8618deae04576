"""The evidence index: per requirement the documents that support it, per document the
requirements it supports.

Records fold (:mod:`imscheck.audit.fold`): a requirement lists a sample of its records, and a
folder of many records is one summary row; every document the page names keeps its own row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from imscheck.audit.context import ReportContext
from imscheck.audit.fold import FAILING_SAMPLE, FOLDER_LIMIT, folder_of, sample
from imscheck.audit.model import DocumentSupport, EvidenceIndex, FolderSupport, RecordFolder, RequirementEvidence, Support
from imscheck.audit.status import SHORT_LABEL
from imscheck.dates import to_date
from imscheck.documents import Document
from imscheck.results import Result
from imscheck.standards import clause_key, edition_name


def build_evidence_index(ctx: ReportContext) -> EvidenceIndex:
    rows = [_requirement_row(ctx, result) for result in ctx.requirements]
    checked = {r.clause for r in ctx.requirements}
    for leaf in ctx.sources.target.requirement_leaves():
        if leaf.number not in checked:
            status = ctx.unchecked_status(leaf.number)
            rows.append(RequirementEvidence(ctx.anchors("ev-clause", leaf.number), leaf.number, leaf.display_title, None, None,
                                            status, SHORT_LABEL[status], (),
                                            f"no rule of the {edition_name(ctx.run.standard)} pack checks this requirement"))
    rows.sort(key=lambda row: (clause_key(row.clause), row.rule or ""))
    supports = _supports(ctx)
    folders = _folders(ctx, supports)  # first: its summary rows name records, which then get a row
    return EvidenceIndex(tuple(rows), _documents(ctx, supports, {f.folder for f in folders}), folders)


def _requirement_row(ctx: ReportContext, result: Result) -> RequirementEvidence:
    status = result.display_status
    clause = result.clause or ""
    if result.evidence:
        note = ""
    elif result.status == "pass":
        note = "met without a supporting document (the rule checks for an absence)"
    elif result.status == "error":
        note = "not known: the rule could not be evaluated"
    else:
        note = "no document or record supports it yet"
    links, more = ctx.evidence_links(result)
    return RequirementEvidence(ctx.anchors("ev", result.rule), clause, ctx.clause_title(clause), result.rule, result.relation,
                               status, SHORT_LABEL[status], links, note, ctx.checklist(result), more)


_Supports = dict[str, dict[str, tuple[Result, list[str]]]]


def _supports(ctx: ReportContext) -> _Supports:
    """Per document path, the requirements it earned credit for and through which references."""
    supports: _Supports = {}
    for result in ctx.requirements:
        for item in result.evidence:
            per_rule = supports.setdefault(item.path, {})
            vias = per_rule.setdefault(result.rule, (result, []))[1]
            if item.via and item.via not in vias:
                vias.append(item.via)
    return supports


def _folders(ctx: ReportContext, supports: _Supports) -> tuple[RecordFolder, ...]:
    """One summary row per folder holding more than FOLDER_LIMIT records."""
    groups: dict[str, list[Document]] = {}
    for doc in ctx.documents:
        if ctx.is_record(doc.path):
            groups.setdefault(folder_of(doc.path), []).append(doc)
    folded = {name: docs for name, docs in groups.items() if len(docs) > FOLDER_LIMIT}
    if not folded:
        return ()
    failing: set[str] = {loc.path for result in ctx.run.results if result.failing for loc in result.locations}
    out = []
    for name in sorted(folded):
        docs = sorted(folded[name], key=lambda d: d.path)
        dated = sorted(((day, doc.path, doc) for doc in docs if (day := to_date(doc.meta.get("date"))) is not None), key=lambda t: t[:2])
        bad = [doc for doc in docs if doc.path in failing]
        shown, _ = sample(bad, FAILING_SAMPLE)
        out.append(RecordFolder(
            anchor=ctx.anchors("records", name),
            folder=name,
            count=len(docs),
            listed=0,  # filled in below, once every section has named its records
            first_date=_iso(dated[0][0]) if dated else "",
            last_date=_iso(dated[-1][0]) if dated else "",
            oldest=ctx.doc_ref(dated[0][2]) if dated else None,
            newest=ctx.doc_ref(dated[-1][2]) if dated else None,
            failing=tuple(ctx.doc_ref(doc) for doc in shown),
            failing_count=len(bad),
            supports=_folder_supports(ctx, docs, supports),
        ))
    return tuple(_with_listed(ctx, folder, folded[folder.folder]) for folder in out)


def _iso(day: dt.date) -> str:
    return day.isoformat()


def _with_listed(ctx: ReportContext, folder: RecordFolder, docs: list[Document]) -> RecordFolder:
    return replace(folder, listed=sum(doc.path in ctx.named for doc in docs))


def _folder_supports(ctx: ReportContext, docs: list[Document], supports: _Supports) -> tuple[FolderSupport, ...]:
    counts: dict[str, tuple[Result, int]] = {}
    for doc in docs:
        for rule, (result, _) in supports.get(doc.path, {}).items():
            counts[rule] = (result, counts.get(rule, (result, 0))[1] + 1)
    out = []
    for result, records in counts.values():
        status = result.display_status
        clause = result.clause or ""
        out.append(FolderSupport(clause, ctx.clause_title(clause), ctx.anchors("ev", result.rule), status, SHORT_LABEL[status], records))
    out.sort(key=lambda s: clause_key(s.clause))
    return tuple(out)


def _documents(ctx: ReportContext, supports: _Supports, folded: set[str]) -> tuple[DocumentSupport, ...]:
    """Every document read, with the requirements it earned credit for (and through which
    reference); of a folded folder, only the records the page names elsewhere."""
    out = []
    for doc in sorted(ctx.documents, key=lambda d: d.path):
        if folded and doc.path not in ctx.named and ctx.is_record(doc.path) and folder_of(doc.path) in folded:
            continue
        listed = []
        for result, vias in supports.get(doc.path, {}).values():
            status = result.display_status
            clause = result.clause or ""
            listed.append(Support(clause, ctx.clause_title(clause), ctx.anchors("ev", result.rule), status, SHORT_LABEL[status],
                                  ", ".join(vias)))
        listed.sort(key=lambda s: clause_key(s.clause))
        out.append(DocumentSupport(ctx.doc_ref(doc), tuple(listed)))
    return tuple(out)
