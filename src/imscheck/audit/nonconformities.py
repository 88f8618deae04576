"""The audit report's nonconformities: every failing result by severity, with what was expected, what
was found, where, and what to do."""

from __future__ import annotations

from imscheck.audit.context import ReportContext
from imscheck.audit.fold import sample
from imscheck.audit.model import Nonconformity, Place, SeverityGroup
from imscheck.guidance.ruledocs import expectations
from imscheck.results import Result
from imscheck.standards import clause_key
from imscheck.terms import SEVERITIES

PLACES = 20  # places listed per finding before "and N more"
_GROUP_LABEL = {"error": "Errors: rules that could not be evaluated", "major": "Major nonconformities",
                "minor": "Minor nonconformities", "observation": "Observations: opportunities for improvement"}


def build_nonconformities(ctx: ReportContext) -> tuple[SeverityGroup, ...]:
    """Every failing result, requirements first (by clause), then document findings."""
    by_group: dict[str, list[Nonconformity]] = {key: [] for key in _GROUP_LABEL}
    requirements = sorted((r for r in ctx.requirements if r.failing), key=lambda r: (clause_key(r.clause or "0"), r.rule))
    for result in requirements:
        by_group["error" if result.status == "error" else result.severity].append(_requirement_nonconformity(ctx, result))
    documents = [r for r in ctx.run.results if not r.is_requirement and r.failing]
    for index, result in enumerate(documents):
        by_group["error" if result.status == "error" else result.severity].append(_document_nonconformity(ctx, result, index))
    order = ("error",) + SEVERITIES
    return tuple(SeverityGroup(key, _GROUP_LABEL[key], tuple(by_group[key])) for key in order if by_group[key] or key != "error")


def _places(result: Result) -> tuple[tuple[Place, ...], int]:
    """Where the finding is: every place when few, else a sample and how many more (a rule on
    every change record can fail on thousands)."""
    return sample([Place(loc.path, loc.line) for loc in result.locations], PLACES)


def _requirement_nonconformity(ctx: ReportContext, result: Result) -> Nonconformity:
    rule = ctx.rule(result.rule)
    clause = result.clause or ""
    places, more_places = _places(result)
    evidence, more_evidence = ctx.evidence_links(result)
    return Nonconformity(
        anchor=ctx.detail_anchor(result),
        severity=result.display_status,  # error for a rule that could not be evaluated
        kind="requirement",
        clause=clause,
        heading=f"{clause} {ctx.clause_title(clause)}",
        rule=result.rule,
        relation=result.relation,
        expected=tuple(expectations(rule)) if rule else (),
        adds=" ".join(rule.relation.adds.split()) if rule and rule.relation.adds else None,
        # what the evidence showed; the expectation is on the line above, so it is not repeated
        found="; ".join(result.found) if result.found else result.message,
        missing=result.missing,
        places=places,
        evidence=evidence,
        guidance=result.guidance,
        checklist=ctx.checklist(result),
        more_places=more_places,
        more_evidence=more_evidence,
    )


def _document_nonconformity(ctx: ReportContext, result: Result, index: int) -> Nonconformity:
    rule = ctx.sources.hygiene.get(result.rule)
    places, more_places = _places(result)
    return Nonconformity(
        anchor=ctx.anchors("nc", f"{result.rule}-{index + 1}"),
        severity=result.display_status,  # error for a rule that could not be evaluated
        kind="document",
        clause=None,
        heading=result.title,
        rule=result.rule,
        relation=None,
        expected=(rule.description,) if rule else (),
        adds=None,
        found=result.message,
        missing=(),
        places=places,
        evidence=(),
        guidance=result.guidance,
        more_places=more_places,
    )


