"""JSON report (DESIGN.md section 5); schema in ``schemas/report.schema.json``.

Deterministic: results are already in a stable order and keys are written in a fixed order,
so the same repository and ``as_of`` give byte-identical output.
"""

from __future__ import annotations

import json
from typing import Any

from imscheck.escaping import scrub_surrogates
from imscheck.reports.base import PLAIN, Options
from imscheck.reports.observations import observation_message
from imscheck.results import Result, Run, TopicCheck


def _checklist_item(item: TopicCheck) -> dict[str, Any]:
    return {"topic": item.topic, "found": item.found, "document": item.document, "path": item.path, "line": max(item.line, 1)}


def _observation(item: TopicCheck) -> dict[str, Any]:
    return {"topic": item.topic, "message": observation_message(item), "path": item.path, "line": max(item.line, 1)}


def result_dict(result: Result) -> dict[str, Any]:
    """One result; ``checklist`` is everything read for, ``observations`` the topics not found."""
    return {
        "rule": result.rule,
        "title": result.title,
        "standard": result.standard,
        "clause": result.clause,
        "relation": result.relation,
        "base_clauses": list(result.base_clauses),
        "severity": result.severity,
        "status": result.status,
        "message": result.message,
        "evidence": [{"document": e.document, "path": e.path, "via": e.via} for e in result.evidence],
        "locations": [{"path": loc.path, "line": loc.line} for loc in result.locations],
        "new": result.new,
        "checklist": [_checklist_item(item) for item in result.checklist],
        "observations": [_observation(item) for item in result.observations],
    }


def report_dict(run: Run) -> dict[str, Any]:
    return {
        "tool": {"name": "imscheck", "version": run.tool_version},
        "repository": {"path": run.repository, "commit": run.commit},
        "as_of": run.as_of.isoformat(),
        "standard": run.standard,
        "base": run.base,
        "changed_since": _comparison(run),
        "summary": run.summary(),
        "results": [result_dict(r) for r in run.results],
    }


def _comparison(run: Run) -> dict[str, Any] | None:
    """The compared base revision (``--changed-since``/``--staged``), or None."""
    if run.comparison is None:
        return None
    return {
        "ref": run.comparison.ref,
        "commit": run.comparison.commit,
        "staged": run.comparison.staged,
        "new_failing": sum(1 for r in run.results if r.new),
        "base_problem": run.comparison.base_problem,
    }


def render(run: Run, options: Options = PLAIN) -> str:
    # A lone surrogate (a JSON "\ud800" in a document) is not Unicode: strict JSON readers and
    # UTF-8 reject it, so it is written as U+FFFD.
    return scrub_surrogates(json.dumps(report_dict(run), indent=2, ensure_ascii=False)) + "\n"
