"""SARIF 2.1.0 for code scanning (GitHub and other SARIF viewers), as GitHub takes it.

- Every result is located at a file and line: GitHub rejects results without a location, so a
  finding about something missing points at the run's anchor (imscheck.yaml, else README.md,
  else the first document).
- ``uri``s are relative to the top of the git work tree (``%SRCROOT%``), not to the checked
  folder: checking ``docs/`` in a monorepo gives ``docs/policies/x.md``, which GitHub can place.
- Waived and not-applicable results are left out: GitHub shows a suppressed result as an open
  alert unless a repository setting is on. The ``sarif-suppressed`` format keeps them, with
  ``suppressions``, and puts a waived result at its waiver's line in imscheck.yaml (the finding's
  own files are its related locations).
- ``partialFingerprints`` use the same identity as ``new`` findings, so alerts track across runs
  even when lines move; ``run.automationDetails.id`` (``imscheck/<standard>/<folder>``) is the
  category GitHub keeps one analysis per.
- At most 1,000 ``relatedLocations`` per result (GitHub's limit); the message counts the rest.
- Rule help is plain text and real Markdown, both from the rule data. No rule carries a
  documentation address, so there is no ``helpUri``.
- Lone surrogates (from undecodable file names or JSON ``"\\ud800"``) become U+FFFD in text and
  the file name's own bytes in a ``uri``; they never stop the report.

A rule that could not be evaluated (status ``error``) is a result at level ``error`` whatever its
severity, so it is an alert that nobody misses, and a ``toolExecutionNotification`` at level
``error`` naming the rule: SARIF's own sign that not every rule ran, so the results are not
complete (SARIF 2.1.0 appendix I). ``executionSuccessful`` stays true: the run itself finished.

Each observation (a checklist topic the evidence does not seem to mention) is a result of its
own at level ``note``, at the document read, whatever the status of its requirement: a passing
requirement can carry one. Its fingerprint is the rule and the topic.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from imscheck.config import CONFIG_FILE
from imscheck.escaping import md_text, scrub_surrogates
from imscheck.reports.base import PLAIN, Options
from imscheck.reports.observations import Observation, observations_of
from imscheck.results import Location, Result, Run, fingerprint
from imscheck.standards import edition_name
from imscheck.terms import ERROR

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
LEVEL_BY_SEVERITY = {"major": "error", "minor": "warning", "observation": "note"}
FINGERPRINT_KEY = "imscheck/v1"
MAX_RELATED = 1000  # GitHub keeps no more related locations per result
_SUPPRESSED = ("waived", "not_applicable")
_RELATION_WORDS = {
    "full": "ISO 9001 evidence for the base clauses counts in full",
    "partial": "ISO 9001 evidence counts for the base half; IT service management adds the rest",
    "none": "new in ISO/IEC 20000-1: no ISO 9001 evidence counts",
}


def _requirement(result: Result) -> str:
    return f"{edition_name(result.standard or '')} clause {result.clause} {result.title}"


def _relation(result: Result) -> str:
    base = f" {', '.join(result.base_clauses)}" if result.base_clauses else ""
    return f"Relation to {edition_name(result.base or '')}{base}: {result.relation}." if result.base else ""


def _rule_texts(result: Result) -> dict[str, str]:
    """Short and full descriptions and help, from the rule data carried by the result."""
    if result.is_requirement and result.standard:
        requirement, relation = _requirement(result), _relation(result)
        full = f"{requirement}. {relation}".strip()
        help_text = f"Requirement: {requirement}. {relation} Guidance: {result.guidance or ''}".strip()
        return {"short": f"{result.clause} {result.title}", "full": full, "help": help_text}
    full = result.description or result.title
    return {"short": result.title, "full": full, "help": f"{full} Guidance: {result.guidance or ''}".strip()}


def _help_markdown(result: Result) -> str:
    """The rule's help as Markdown: what it requires, how it relates to ISO 9001, what to do."""
    parts: list[str] = []
    if result.is_requirement and result.standard:
        parts.append(f"## {md_text(result.rule)}: {md_text(_requirement(result))}")
        if result.base:
            base = f" ({md_text(', '.join(result.base_clauses))})" if result.base_clauses else ""
            words = _RELATION_WORDS.get(result.relation or "", "")
            parts.append(f"**Relation to {md_text(edition_name(result.base))}{base}:** {md_text(result.relation or '')}"
                         + (f" ({md_text(words)})" if words else ""))
    else:
        parts.append(f"## {md_text(result.rule)}: {md_text(result.title)}")
        if result.description:
            parts.append(f"### What it checks\n\n{md_text(result.description, line_start=True)}")
    parts.append(f"**Severity:** {result.severity}")
    if result.guidance:
        parts.append(f"### What to do\n\n{md_text(result.guidance, line_start=True)}")
    topics = list(dict.fromkeys(item.topic for item in result.checklist))
    if topics:
        parts.append("### What an auditor reads the evidence for\n\n" + "\n".join(f"- {md_text(t, line_start=True)}" for t in topics))
    return "\n\n".join(parts) + "\n"


def _rule(result: Result) -> dict[str, Any]:
    texts = _rule_texts(result)
    tags = [result.standard, f"relation-{result.relation}"] if result.is_requirement and result.standard else ["document-control"]
    return {
        "id": result.rule,
        "name": result.rule,
        "shortDescription": {"text": texts["short"]},
        "fullDescription": {"text": texts["full"]},
        "help": {"text": texts["help"], "markdown": _help_markdown(result)},
        "defaultConfiguration": {"level": LEVEL_BY_SEVERITY[result.severity]},
        "properties": {"tags": tags, "severity": result.severity},
    }


def _uri(path: str) -> str:
    """A relative URI: the file name's own bytes, percent-encoded (undecodable names included)."""
    try:
        raw = path.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a lone surrogate that is no escaped byte
        raw = scrub_surrogates(path).encode("utf-8")
    return quote(raw, safe="/")


def _location(loc: Location, prefix: str) -> dict[str, Any]:
    return {
        "physicalLocation": {
            "artifactLocation": {"uri": _uri(prefix + loc.path), "uriBaseId": "%SRCROOT%"},
            "region": {"startLine": max(loc.line, 1)},
        }
    }


def _result(result: Result, index: int, run: Run) -> dict[str, Any]:
    own = list(result.locations)
    waiver = result.suppression if result.suppression and result.suppression.kind == "waiver" else None
    if waiver is not None:  # shown where it was waived; the finding's files stay related
        primary, related = Location(run.config_path or CONFIG_FILE, waiver.line), own
    else:
        located = own or [Location(run.anchor, 1)]
        primary, related = located[0], located[1:]
    message = result.message
    if len(related) > MAX_RELATED:
        message += f" Related locations: the first {MAX_RELATED} are listed ... and {len(related) - MAX_RELATED} more."
    out: dict[str, Any] = {
        "ruleId": result.rule,
        "ruleIndex": index,
        "level": "error" if result.status == ERROR else LEVEL_BY_SEVERITY[result.severity],
        "message": {"text": message},
        "locations": [_location(primary, run.prefix)],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint(result)},
        "properties": {"kind": "finding", "status": result.status, "severity": result.severity},
    }
    if related:
        out["relatedLocations"] = [{"id": i, **_location(loc, run.prefix)} for i, loc in enumerate(related[:MAX_RELATED], start=1)]
    if result.new is not None:
        out["properties"]["new"] = result.new
    if result.status in _SUPPRESSED:
        out["suppressions"] = [{"kind": "external", "status": "accepted", "justification": result.message}]
    return out


def _observation(observation: Observation, index: int, run: Run) -> dict[str, Any]:
    result = observation.result
    return {
        "ruleId": result.rule,
        "ruleIndex": index,
        "level": LEVEL_BY_SEVERITY["observation"],
        "message": {"text": observation.message},
        "locations": [_location(observation.location, run.prefix)],
        "partialFingerprints": {FINGERPRINT_KEY: observation.key},
        # status is the requirement's (an observation never changes it); kind tells the two apart
        "properties": {"kind": "observation", "topic": observation.item.topic, "status": result.status, "severity": "observation"},
    }


def _results(run: Run, rule_index: dict[str, int], shown: Sequence[str]) -> list[dict[str, Any]]:
    """Findings with a status in ``shown``, in result order, each followed by its observations."""
    out: list[dict[str, Any]] = []
    for result in run.results:
        index = rule_index[result.rule]
        if result.status in shown:
            out.append(_result(result, index, run))
        out.extend(_observation(o, index, run) for o in observations_of(result, run.anchor))
    return out


def _notifications(run: Run, rule_index: dict[str, int]) -> list[dict[str, Any]]:
    """One error-level notification per rule that could not be evaluated: the results are incomplete."""
    return [{"level": "error", "message": {"text": f"{result.rule}: {result.message}"},
             "associatedRule": {"id": result.rule, "index": rule_index[result.rule]}}
            for result in run.results if result.status == ERROR]


def _safe(value: Any) -> Any:
    """The document with every string free of lone surrogates (they cannot be written as UTF-8)."""
    if isinstance(value, str):
        return scrub_surrogates(value)
    if isinstance(value, dict):
        return {_safe(k): _safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_safe(v) for v in value]
    return value


def sarif_dict(run: Run, keep_suppressed: bool = False) -> dict[str, Any]:
    """The SARIF log of ``run``; ``keep_suppressed`` adds waived and not-applicable results."""
    rule_index: dict[str, int] = {}
    rules: list[dict[str, Any]] = []
    for result in run.results:
        if result.rule not in rule_index:
            rule_index[result.rule] = len(rules)
            rules.append(_rule(result))
    shown = ("fail", ERROR) + (_SUPPRESSED if keep_suppressed else ())
    results = _results(run, rule_index, shown)
    invocation: dict[str, Any] = {"executionSuccessful": True}
    notifications = _notifications(run, rule_index)
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    report: dict[str, Any] = _safe({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "imscheck", "version": run.tool_version, "semanticVersion": run.tool_version, "rules": rules}},
                # One analysis per standard and checked folder: the part GitHub keeps apart.
                "automationDetails": {"id": f"imscheck/{run.standard}/{run.prefix}"},
                "invocations": [invocation],
                "results": results,
                "properties": {"standard": run.standard, "base": run.base, "as_of": run.as_of.isoformat()},
            }
        ],
    })
    return report


def render(run: Run, options: Options = PLAIN) -> str:
    return json.dumps(sarif_dict(run), indent=2, ensure_ascii=False) + "\n"
