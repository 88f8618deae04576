"""Markdown for a merge-request comment or a wiki page: the verdict and a table of findings.

Everything that comes from the repository is escaped: a document title cannot inject links,
HTML or table cells into the comment.
"""

from __future__ import annotations

import re
from typing import List

from imscheck.reports.summary import credit_line, summary_parts
from imscheck.results import Result, Run
from imscheck.standards import edition_name

_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|#~!$])")
MARKS = {"pass": "✅", "major": "🔴", "minor": "🟠", "observation": "🔵", "error": "⛔", "waived": "🟣", "not_applicable": "➖"}


def escape_markdown(value: object) -> str:
    """``value`` as inert Markdown text on one line (safe in a table cell)."""
    if value is None:
        return ""
    text = " ".join(str(value).split()).replace("&", "&amp;")
    return _SPECIAL.sub(r"\\\1", text)


def _mark(result: Result) -> str:
    return MARKS[result.severity] if result.failing else MARKS.get(result.status, "")


def _where(result: Result) -> str:
    if not result.locations:
        return ""
    loc = result.locations[0]
    return f"`{loc.path.replace('`', '')}:{loc.line}`"


def render(run: Run, color: bool = False) -> str:
    shown = [r for r in run.results if r.status != "pass" and (run.comparison is None or r.new or not r.failing)]
    failed = sum(1 for r in run.results if r.failing)
    title = f"{edition_name(run.standard)} on {edition_name(run.base)}"
    verdict = "all requirements met" if not failed else f"{failed} failing"
    lines: List[str] = [
        f"## imscheck: {title} — {verdict}",
        "",
        f"As of {run.as_of} · commit `{(run.commit or 'none')[:12]}` · imscheck {run.tool_version}",
        "",
        f"**Summary:** {escape_markdown(', '.join(summary_parts(run)))}",
        "",
        f"**ISO 9001 credit:** {escape_markdown(credit_line(run))}",
        "",
    ]
    if shown:
        new_column = run.comparison is not None
        lines.append("| | Rule | Clause | Severity | Where | Finding |" + (" New |" if new_column else ""))
        lines.append("|---|---|---|---|---|---|" + ("---|" if new_column else ""))
        for result in shown:
            rule = escape_markdown(f"{result.rule} {result.title}" if result.clause else result.rule)
            cells = [_mark(result), rule, escape_markdown(result.clause or ""), result.severity if result.failing else result.status.replace("_", " "),
                     _where(result), escape_markdown(result.message)]
            if new_column:
                cells.append("new" if result.new else "")
            lines.append("| " + " | ".join(cells) + " |")
    else:
        lines.append("No findings.")
    return "\n".join(lines) + "\n"
