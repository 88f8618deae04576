"""Nonconformities by severity, and the waivers and not-applicable entries of imscheck.yaml."""

from __future__ import annotations

from typing import Dict, List, Tuple

from imscheck.config import NotApplicable, Waiver
from imscheck.results import SEVERITIES, Result
from imscheck.ruledocs import expectations
from imscheck.standards import clause_key

from imscheck.audit.context import Context
from imscheck.audit.model import Finding, Place, ScopeEntry, SeverityGroup

_GROUP_LABEL = {"error": "Errors", "major": "Major nonconformities", "minor": "Minor nonconformities", "observation": "Observations: opportunities for improvement"}


def build_nonconformities(ctx: Context) -> Tuple[SeverityGroup, ...]:
    """Every failing result, requirements first (by clause), then document findings."""
    by_group: Dict[str, List[Finding]] = {key: [] for key in _GROUP_LABEL}
    requirements = sorted((r for r in ctx.requirements if r.failing), key=lambda r: (clause_key(r.clause or "0"), r.rule))
    for result in requirements:
        by_group["error" if result.status == "error" else result.severity].append(_requirement_finding(ctx, result))
    documents = [r for r in ctx.run.results if not r.is_requirement and r.failing]
    for index, result in enumerate(documents):
        by_group["error" if result.status == "error" else result.severity].append(_document_finding(ctx, result, index))
    order = ("error",) + SEVERITIES
    return tuple(SeverityGroup(key, _GROUP_LABEL[key], tuple(by_group[key])) for key in order if by_group[key] or key != "error")


def _places(result: Result) -> Tuple[Place, ...]:
    return tuple(Place(loc.path, loc.line) for loc in result.locations)


def _requirement_finding(ctx: Context, result: Result) -> Finding:
    rule = ctx.rule(result.rule)
    clause = result.clause or ""
    return Finding(
        anchor=ctx.detail_anchor(result),
        severity=result.severity,
        kind="requirement",
        clause=clause,
        heading=f"{clause} {ctx.clause_title(clause)}",
        rule=result.rule,
        relation=result.relation,
        expected=tuple(expectations(rule)) if rule else (),
        adds=" ".join(rule.relation.adds.split()) if rule and rule.relation.adds else None,
        found=result.message,
        missing=result.missing,
        places=_places(result),
        evidence=tuple(ctx.evidence_link(e) for e in result.evidence),
        guidance=result.guidance,
        checklist=ctx.checklist(result),
    )


def _document_finding(ctx: Context, result: Result, index: int) -> Finding:
    rule = ctx.sources.hygiene.get(result.rule)
    return Finding(
        anchor=ctx.anchors("nc", f"{result.rule}-{index + 1}"),
        severity=result.severity,
        kind="document",
        clause=None,
        heading=result.title,
        rule=result.rule,
        relation=None,
        expected=(rule.description,) if rule else (),
        adds=None,
        found=result.message,
        missing=(),
        places=_places(result),
        evidence=(),
        guidance=result.guidance,
    )


def build_scope(ctx: Context) -> Tuple[ScopeEntry, ...]:
    """Each waiver and not-applicable entry, with what it does in this run."""
    results: Dict[str, List[Result]] = {}
    for result in ctx.requirements:
        results.setdefault(result.rule, []).append(result)
    entries = [_waiver(ctx, index, waiver, results.get(waiver.rule, [])) for index, waiver in enumerate(ctx.config.waivers)]
    entries += [_exclusion(ctx, index, entry) for index, entry in enumerate(ctx.config.not_applicable)]
    return tuple(entries)


def _waiver(ctx: Context, index: int, waiver: Waiver, results: List[Result]) -> ScopeEntry:
    waived = [r for r in results if r.status == "waived"]
    if not results:
        state, key = "unknown rule: waives nothing", "unknown"
    elif waived:
        state, key = "in force", "in-force"
    elif not waiver.active(ctx.run.as_of):
        state, key = f"expired on {waiver.expires}: the finding is open again", "expired"
    else:
        state, key = "not needed: the requirement is met", "unused"
    clause = results[0].clause if results else None
    return ScopeEntry(
        anchor=ctx.anchors("waiver", str(index)),
        kind="waiver",
        target=waiver.rule,
        heading=f"{clause} {ctx.clause_title(clause)}" if clause else waiver.rule,
        justification=waiver.reason,
        approved_by=waiver.approved_by,
        expires=waiver.expires.isoformat(),
        state=state,
        state_key=key,
        line=waiver.line,
        covers=(clause,) if clause else (),
        finding=waived[0].message.split(" Finding: ", 1)[-1] if waived else None,
    )


def _exclusion(ctx: Context, index: int, entry: NotApplicable) -> ScopeEntry:
    covered = sorted({r.clause for r in ctx.requirements if r.status == "not_applicable" and ctx.config.exclusion(r.rule, r.clause) == entry and r.clause},
                     key=clause_key)
    if entry.clause:
        covered = sorted(set(covered) | {c.number for c in ctx.sources.target.requirement_leaves() if entry.covers(None, c.number)}, key=clause_key)
    target = entry.rule or entry.clause or ""
    clause = entry.clause or (covered[0] if covered else None)
    return ScopeEntry(
        anchor=ctx.anchors("na", str(index)),
        kind="not_applicable",
        target=target,
        heading=f"{clause} {ctx.clause_title(clause)}" if clause else target,
        justification=entry.justification,
        approved_by=entry.approved_by or "",
        expires="",
        state="excludes " + ", ".join(covered) if covered else "matches no requirement",
        state_key="in-force" if covered else "unknown",
        line=entry.line,
        covers=tuple(covered),
        finding=None,
    )
