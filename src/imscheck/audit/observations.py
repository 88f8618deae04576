"""Observations (opportunities for improvement): the checklist topics the evidence does not seem
to mention. They sit beside the nonconformities and never change a requirement's status."""

from __future__ import annotations

from imscheck.audit.context import ReportContext
from imscheck.audit.model import ObservationItem
from imscheck.audit.status import SHORT_LABEL
from imscheck.reports.observations import Observation, all_observations
from imscheck.standards import clause_key


def build_observations(ctx: ReportContext) -> tuple[ObservationItem, ...]:
    """Every observation, requirements by clause first, then any on document checks."""
    found = all_observations(ctx.run.results, ctx.run.anchor)
    ordered = sorted(found, key=lambda o: (o.result.clause is None, clause_key(o.result.clause or "0"), o.result.rule))
    return tuple(_item(ctx, o) for o in ordered)


def _item(ctx: ReportContext, observation: Observation) -> ObservationItem:
    result, item = observation.result, observation.item
    status = result.display_status
    clause = result.clause
    # A requirement's evidence row carries its checklist: that is where the observation leads.
    target = ctx.anchors("ev", result.rule) if result.is_requirement else None
    return ObservationItem(
        target=target,
        clause=clause,
        heading=f"{clause} {ctx.clause_title(clause)}" if clause else result.title,
        rule=result.rule,
        status=status,
        label=SHORT_LABEL[status],
        topic=item.topic,
        message=observation.message,
        document=item.document or "",
        path=observation.location.path,
        line=observation.location.line,
        doc_anchor=ctx.doc_anchor(observation.location.path) if ctx.has_document(observation.location.path) else None,
    )
