"""The audit report's waivers and exclusions: each entry of imscheck.yaml that takes a finding
out of scope, with what it suppressed and whether it still holds."""

from __future__ import annotations

from imscheck.audit.context import ReportContext
from imscheck.audit.model import ScopeEntry
from imscheck.config import CONFIG_FILE, NotApplicable, Waiver
from imscheck.results import Result
from imscheck.ruleids import CFG_WAIVER, CFG_WAIVER_UNUSED
from imscheck.standards import clause_key
from imscheck.terms import CONFIGURATION
from imscheck.wording import first_few

_WAIVER_RULES = (CFG_WAIVER, CFG_WAIVER_UNUSED)  # unknown or expired, and unused: at the waiver's line


def build_scope(ctx: ReportContext) -> tuple[ScopeEntry, ...]:
    """Each waiver and not-applicable entry, with what it did in this run.

    What an entry did is read from the results the scope decision of ``check`` produced: the
    results it suppressed (their ``suppression`` names its line) and the configuration finding
    located at its line; nothing here decides scope again.
    """
    suppressed: dict[tuple[str, int], list[Result]] = {}
    for result in ctx.run.results:
        if result.suppression is not None:
            suppressed.setdefault((result.suppression.kind, result.suppression.line), []).append(result)
    problems = {(result.rule in _WAIVER_RULES, loc.line): result for result in ctx.run.results if result.kind == CONFIGURATION
                for loc in result.locations if loc.path == CONFIG_FILE}
    entries = [_waiver(ctx, waiver, suppressed.get(("waiver", waiver.line), []), problems.get((True, waiver.line)))
               for waiver in ctx.config.waivers]
    entries += [_exclusion(ctx, entry, suppressed.get(("not_applicable", entry.line), []), problems.get((False, entry.line)))
                for entry in ctx.config.not_applicable]
    return tuple(entries)


def _waiver(ctx: ReportContext, waiver: Waiver, waived: list[Result], problem: Result | None) -> ScopeEntry:
    clauses = sorted({r.clause for r in waived if r.clause}, key=clause_key)
    if waived:
        state, key = ("in force" if len(waived) == 1 else f"in force: waives {len(waived)} findings"), "in-force"
    elif problem is not None and problem.rule == CFG_WAIVER and not waiver.active(ctx.run.as_of):
        state, key = f"expired on {waiver.expires}: the finding is open again", "expired"
    elif problem is not None and problem.rule == CFG_WAIVER:
        state, key = "unknown rule: waives nothing", "unknown"
    elif problem is not None:
        state, key = "not needed: the rule passes", "unused"
    else:
        # a rule that did not run (a git rule without --changed-since), or a second waiver of a rule
        state, key = "in force, but nothing to waive in this run", "unused"
    if clauses:
        heading = f"{clauses[0]} {ctx.clause_title(clauses[0])}"
    else:
        heading = waived[0].title if waived else waiver.rule
    return ScopeEntry(
        anchor=ctx.entry_anchor("waiver", waiver.line),
        kind="waiver",
        target=waiver.rule,
        heading=heading,
        justification=waiver.reason,
        approved_by=waiver.approved_by,
        expires=waiver.expires.isoformat(),
        state=state,
        state_key=key,
        line=waiver.line,
        covers=tuple(clauses),
        finding=_waived_finding(waived),
    )


def _waived_finding(waived: list[Result]) -> str | None:
    findings = [r.suppression.finding for r in waived if r.suppression is not None and r.suppression.finding]
    if not findings:
        return None
    return findings[0] if len(findings) == 1 else first_few(findings, "; ")


def _exclusion(ctx: ReportContext, entry: NotApplicable, excluded: list[Result], problem: Result | None) -> ScopeEntry:
    covered = sorted({r.clause for r in excluded if r.clause}, key=clause_key)
    if entry.clause:
        # requirements of the clause that no rule checks are out of scope too
        leaves = {c.number for c in ctx.sources.target.requirement_leaves() if entry.covers(None, c.number)}
        covered = sorted(set(covered) | leaves, key=clause_key)
    target = entry.rule or entry.clause or ""
    clause = entry.clause or (covered[0] if covered else None)
    if covered:
        state, key = "excludes " + ", ".join(covered), "in-force"
    elif excluded:  # a built-in rule: its results have no clause
        state, key = f"excludes {target} ({len(excluded)} {'result' if len(excluded) == 1 else 'results'})", "in-force"
    elif problem is not None:
        state, key = "matches no requirement", "unknown"
    else:
        state, key = "in force, but nothing to exclude in this run", "unused"
    return ScopeEntry(
        anchor=ctx.entry_anchor("not_applicable", entry.line),
        kind="not_applicable",
        target=target,
        heading=f"{clause} {ctx.clause_title(clause)}" if clause else (excluded[0].title if excluded else target),
        justification=entry.justification,
        approved_by=entry.approved_by or "",
        expires="",
        state=state,
        state_key=key,
        line=entry.line,
        covers=tuple(covered),
        finding=None,
    )
