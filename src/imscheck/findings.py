"""Findings of the built-in rules (hygiene, git history, configuration) and their results.

Built-in rules find any number of problems; each becomes one result, and a rule that finds
nothing gives one passing result (DESIGN.md section 5). Their identity, severity and guidance
are data (``rules/hygiene.yaml``, ``rules/git.yaml``, ``rules/configuration.yaml``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from imscheck.config import Override
from imscheck.results import Location, Result
from imscheck.rules import BuiltinRule


@dataclass(frozen=True)
class Finding:
    rule: str
    message: str
    locations: tuple[Location, ...]


def finding_results(rules: Mapping[str, BuiltinRule], findings: Iterable[Finding], overrides: Mapping[str, Override]) -> list[Result]:
    """One failing result per finding, one passing result per rule that found nothing; by rule id."""
    by_rule: dict[str, list[Finding]] = {}
    for finding in findings:
        by_rule.setdefault(finding.rule, []).append(finding)
    out: list[Result] = []
    for rule_id in sorted(rules):
        meta = rules[rule_id]
        override = overrides.get(rule_id)
        severity = override.severity if override and override.severity else meta.severity
        found = sorted(by_rule.get(rule_id, []), key=lambda f: (f.locations, f.message))
        if not found:
            out.append(_result(rule_id, meta, severity, "pass", f"{meta.title}: no problems found"))
        out.extend(_result(rule_id, meta, severity, "fail", f.message, f.locations) for f in found)
    return out


def _result(rule_id: str, meta: BuiltinRule, severity: str, status: str, message: str,
            locations: tuple[Location, ...] = ()) -> Result:
    return Result(rule_id, meta.title, None, None, None, (), severity, status, message, (), locations, meta.guidance,
                  description=meta.description, kind=meta.kind)
