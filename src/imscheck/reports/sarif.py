"""SARIF 2.1.0 for code scanning (GitHub and other SARIF viewers).

Every result is located at a file and line: GitHub rejects results without a location, so a
finding about something missing points at the run's anchor (imscheck.yaml, else README.md, else
the first document). Waived results are kept as suppressed results; passing and not-applicable
ones are left out. ``partialFingerprints`` use the same identity as ``new`` findings, so alerts
track across runs even when lines move.

Each observation (a checklist topic the evidence does not seem to mention) is a result of its
own at level ``note``, at the document read, whatever the status of its requirement: a passing
requirement can carry one. Its fingerprint is the rule and the topic.
"""

from __future__ import annotations

import json
from typing import Any, Dict, List
from urllib.parse import quote

from imscheck.reports.observations import Observation, observations_of
from imscheck.results import Location, Result, Run, fingerprint
from imscheck.standards import edition_name

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
LEVEL_BY_SEVERITY = {"major": "error", "minor": "warning", "observation": "note"}
FINGERPRINT_KEY = "imscheck/v1"


def _rule_texts(result: Result) -> Dict[str, str]:
    """Short and full descriptions and help, from the rule data carried by the result."""
    if result.is_requirement and result.standard:
        requirement = f"{edition_name(result.standard)} clause {result.clause} {result.title}"
        base = f" {', '.join(result.base_clauses)}" if result.base_clauses else ""
        relation = f"Relation to {edition_name(result.base)}{base}: {result.relation}." if result.base else ""
        full = f"{requirement}. {relation}".strip()
        help_text = f"Requirement: {requirement}. {relation} Guidance: {result.guidance or ''}".strip()
        return {"short": f"{result.clause} {result.title}", "full": full, "help": help_text}
    full = result.description or result.title
    return {"short": result.title, "full": full, "help": f"{full} Guidance: {result.guidance or ''}".strip()}


def _rule(result: Result) -> Dict[str, Any]:
    texts = _rule_texts(result)
    tags = [result.standard, f"relation-{result.relation}"] if result.is_requirement and result.standard else ["document-control"]
    return {
        "id": result.rule,
        "name": result.rule,
        "shortDescription": {"text": texts["short"]},
        "fullDescription": {"text": texts["full"]},
        "help": {"text": texts["help"], "markdown": texts["help"]},
        "defaultConfiguration": {"level": LEVEL_BY_SEVERITY[result.severity]},
        "properties": {"tags": tags, "severity": result.severity},
    }


def _location(loc: Location) -> Dict[str, Any]:
    return {
        "physicalLocation": {
            "artifactLocation": {"uri": quote(loc.path, safe="/"), "uriBaseId": "%SRCROOT%"},
            "region": {"startLine": max(loc.line, 1)},
        }
    }


def _result(result: Result, index: int, run: Run) -> Dict[str, Any]:
    locations = list(result.locations) or [Location(run.anchor, 1)]
    out: Dict[str, Any] = {
        "ruleId": result.rule,
        "ruleIndex": index,
        "level": LEVEL_BY_SEVERITY[result.severity],
        "message": {"text": result.message},
        "locations": [_location(locations[0])],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint(result)},
        "properties": {"kind": "finding", "status": result.status, "severity": result.severity},
    }
    if len(locations) > 1:
        out["relatedLocations"] = [{"id": i, **_location(loc)} for i, loc in enumerate(locations[1:], start=1)]
    if result.new is not None:
        out["properties"]["new"] = result.new
    if result.status == "waived":
        out["suppressions"] = [{"kind": "external", "status": "accepted", "justification": result.message}]
    return out


def _observation(observation: Observation, index: int) -> Dict[str, Any]:
    result = observation.result
    return {
        "ruleId": result.rule,
        "ruleIndex": index,
        "level": LEVEL_BY_SEVERITY["observation"],
        "message": {"text": observation.message},
        "locations": [_location(observation.location)],
        "partialFingerprints": {FINGERPRINT_KEY: observation.key},
        # status is the requirement's (an observation never changes it); kind tells the two apart
        "properties": {"kind": "observation", "topic": observation.item.topic, "status": result.status, "severity": "observation"},
    }


def _results(run: Run, rule_index: Dict[str, int]) -> List[Dict[str, Any]]:
    """Findings (failing, errors, waived) in result order, each followed by its observations."""
    out: List[Dict[str, Any]] = []
    for result in run.results:
        index = rule_index[result.rule]
        if result.status in ("fail", "error", "waived"):
            out.append(_result(result, index, run))
        out.extend(_observation(o, index) for o in observations_of(result, run.anchor))
    return out


def sarif_dict(run: Run) -> Dict[str, Any]:
    rule_index: Dict[str, int] = {}
    rules: List[Dict[str, Any]] = []
    for result in run.results:
        if result.rule not in rule_index:
            rule_index[result.rule] = len(rules)
            rules.append(_rule(result))
    results = _results(run, rule_index)
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "imscheck", "version": run.tool_version, "semanticVersion": run.tool_version, "rules": rules}},
                "invocations": [{"executionSuccessful": True}],
                "results": results,
                "properties": {"standard": run.standard, "base": run.base, "as_of": run.as_of.isoformat()},
            }
        ],
    }


def render(run: Run, color: bool = False) -> str:
    return json.dumps(sarif_dict(run), indent=2, ensure_ascii=False) + "\n"
