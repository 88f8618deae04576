"""The evidence index: per requirement the documents that support it, per document the
requirements it supports."""

from __future__ import annotations

from typing import Dict, List, Tuple

from imscheck.results import Result
from imscheck.standards import clause_key, edition_name

from imscheck.audit.context import Context
from imscheck.audit.model import DocumentSupport, EvidenceIndex, RequirementEvidence, Support
from imscheck.audit.status import SHORT_LABEL, display_status


def build_evidence_index(ctx: Context) -> EvidenceIndex:
    rows = [_requirement_row(ctx, result) for result in ctx.requirements]
    checked = {r.clause for r in ctx.requirements}
    for leaf in ctx.sources.target.requirement_leaves():
        if leaf.number not in checked:
            status = ctx.unchecked_status(leaf.number)
            rows.append(RequirementEvidence(ctx.anchors("ev-clause", leaf.number), leaf.number, leaf.display_title, None, None,
                                            status, SHORT_LABEL[status], (), f"no rule of the {edition_name(ctx.run.standard)} pack checks this requirement"))
    rows.sort(key=lambda row: (clause_key(row.clause), row.rule or ""))
    return EvidenceIndex(tuple(rows), _documents(ctx))


def _requirement_row(ctx: Context, result: Result) -> RequirementEvidence:
    status = display_status(result)
    clause = result.clause or ""
    if result.evidence:
        note = ""
    elif result.status == "pass":
        note = "met without a supporting document (the rule checks for an absence)"
    else:
        note = "no document or record supports it yet"
    return RequirementEvidence(ctx.anchors("ev", result.rule), clause, ctx.clause_title(clause), result.rule, result.relation,
                               status, SHORT_LABEL[status], ctx.evidence_links(result), note,
                               ctx.checklist(result))


def _documents(ctx: Context) -> Tuple[DocumentSupport, ...]:
    """Every document read, with the requirements it earned credit for (and through which reference)."""
    supports: Dict[str, Dict[str, Tuple[Result, List[str]]]] = {}
    for result in ctx.requirements:
        for item in result.evidence:
            per_rule = supports.setdefault(item.path, {})
            vias = per_rule.setdefault(result.rule, (result, []))[1]
            if item.via and item.via not in vias:
                vias.append(item.via)
    out = []
    for doc in sorted(ctx.documents, key=lambda d: d.path):
        listed = []
        for result, vias in supports.get(doc.path, {}).values():
            status = display_status(result)
            clause = result.clause or ""
            listed.append(Support(clause, ctx.clause_title(clause), ctx.anchors("ev", result.rule), status, SHORT_LABEL[status], ", ".join(vias)))
        listed.sort(key=lambda s: clause_key(s.clause))
        out.append(DocumentSupport(ctx.doc_ref(doc), tuple(listed)))
    return tuple(out)
