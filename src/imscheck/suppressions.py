"""Waivers and not-applicable requirements from ``imscheck.yaml`` (DESIGN.md section 3).

They change a result's status, never the finding itself (a waived result keeps its message).
A suppression must stay auditable: an expired waiver, one naming no rule, one that suppresses
nothing, and a not-applicable entry that matches no rule are findings of their own, located at
their line in ``imscheck.yaml``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import replace

from imscheck.config import CONFIG_FILE, Config
from imscheck.findings import Finding
from imscheck.results import Location, Result, Suppression
from imscheck.ruleids import CFG_SCOPE, CFG_WAIVER, CFG_WAIVER_UNUSED


def apply_scope(results: Sequence[Result], config: Config, known_rules: Collection[str],
                as_of: dt.date) -> tuple[list[Result], list[Finding]]:
    """Results with not-applicable and waived statuses applied, and the configuration findings."""
    scoped: list[Result] = []
    used_na: set[int] = set()
    waived: set[str] = set()
    for result in results:
        entry = config.exclusion(result.rule, result.clause)
        waiver = config.waiver(result.rule, as_of)
        if entry is not None:
            used_na.add(entry.line)
            result = replace(result, status="not_applicable", message=f"Not applicable: {entry.justification}",
                             suppression=Suppression("not_applicable", entry.justification, entry.line, entry.approved_by,
                                                     finding=result.message if result.failing else None))
        elif waiver is not None and result.failing:
            waived.add(result.rule)
            result = replace(
                result,
                status="waived",
                message=f"Waived until {waiver.expires} (approved by {waiver.approved_by}): {waiver.reason}. Finding: {result.message}",
                suppression=Suppression("waiver", waiver.reason, waiver.line, waiver.approved_by, waiver.expires, result.message),
            )
        scoped.append(result)
    evaluated = {r.rule for r in results}
    return scoped, (_waiver_findings(config, known_rules, evaluated, waived, as_of) + _scope_findings(config, known_rules, used_na)
                    + _override_findings(config, known_rules))


def _at(line: int) -> tuple[Location, ...]:
    return (Location(CONFIG_FILE, line),)


def _waiver_findings(config: Config, known: Collection[str], evaluated: set[str], waived: set[str], as_of: dt.date) -> list[Finding]:
    out: list[Finding] = []
    for waiver in config.waivers:
        if waiver.rule not in known:
            out.append(Finding(CFG_WAIVER, f"waiver names rule {waiver.rule}, which does not exist: correct the rule id "
                                           "(see `imscheck rules list`) or remove the waiver", _at(waiver.line)))
        elif not waiver.active(as_of):
            out.append(Finding(CFG_WAIVER, f"waiver for {waiver.rule} expired on {waiver.expires}: fix the finding and remove the "
                                           "waiver, or renew it with a new expires date and approval", _at(waiver.line)))
        elif waiver.rule in evaluated and waiver.rule not in waived:
            out.append(Finding(CFG_WAIVER_UNUSED, f"waiver for {waiver.rule} suppresses nothing: the rule passes, so remove the waiver",
                               _at(waiver.line)))
    return out


def _override_findings(config: Config, known: Collection[str]) -> list[Finding]:
    # A mistyped rule id would leave the intended severity or window silently unchanged.
    return [
        Finding(CFG_SCOPE, f"overrides names rule {rule}, which does not exist: correct the rule id (see `imscheck rules list`) "
                           "or remove it", _at(override.line))
        for rule, override in sorted(config.overrides.items())
        if rule not in known
    ]


def _scope_findings(config: Config, known: Collection[str], used_lines: set[int]) -> list[Finding]:
    # An entry for a known rule that did not run (a git rule without --changed-since) is fine.
    return [
        Finding(CFG_SCOPE, f"not_applicable entry for {'rule ' + entry.rule if entry.rule else 'clause ' + str(entry.clause)} "
                           "matches no rule of this pack: correct it or remove it", _at(entry.line))
        for entry in config.not_applicable
        if entry.line not in used_lines and not (entry.rule and entry.rule in known)
    ]
