"""Human output for a terminal: findings grouped by clause, one line each, then a summary."""

from __future__ import annotations

from typing import Dict, List

import click

from imscheck.reports.summary import credit_line, summary_parts
from imscheck.results import Result, Run
from imscheck.standards import edition_name

_COLORS = {"major": "red", "minor": "yellow", "observation": "cyan"}


def _where(run: Run, result: Result) -> str:
    prefix = "" if run.repository in ("", ".") else run.repository.rstrip("/") + "/"
    if result.locations:
        loc = result.locations[0]
        return f"{prefix}{loc.path}:{loc.line}"
    return run.repository or "."  # nothing to point at: the finding is about the repository


_BUILTIN_HEADINGS = {"GIT": "Document control (git history)", "CFG": "Configuration (imscheck.yaml)"}


def _heading(result: Result) -> str:
    if result.clause:
        return f"Clause {result.group}"
    return _BUILTIN_HEADINGS.get(result.rule.split("-", 1)[0], "Document hygiene")


def render(run: Run, color: bool = False, verbose: bool = False) -> str:
    def style(text: str, **kw: object) -> str:
        return click.style(text, **kw) if color else text  # type: ignore[arg-type]

    lines: List[str] = [
        style(f"imscheck {run.tool_version}", bold=True)
        + f" · {edition_name(run.standard)} (base {edition_name(run.base)}) · as of {run.as_of} · {run.repository}",
    ]
    groups: Dict[str, List[Result]] = {}
    known = 0  # comparing: findings already there at the base are counted, not listed
    for result in run.results:
        if run.comparison is not None and not verbose and result.status != "pass" and not result.new:
            known += 1
        elif result.status != "pass" or verbose:
            groups.setdefault(_heading(result), []).append(result)
    for heading, results in groups.items():
        lines.append("")
        lines.append(style(heading, bold=True, underline=True))
        for result in results:
            tag = result.severity if result.failing else result.status.replace("_", " ")
            label = style(f"{tag:<11}", fg=_COLORS.get(result.severity) if result.failing else "green" if result.status == "pass" else "blue")
            name = f"{result.rule}" + (f" {result.title}" if result.clause else "")
            new = style("new ", fg="magenta", bold=True) if result.new else ""
            lines.append(f"{_where(run, result)}: {new}{label} {style(name, bold=True)}: {result.message}")
    if run.comparison is not None and run.comparison.base_problem:
        lines.append("")
        lines.append(style("note: ", bold=True) + f"{run.comparison.ref} could not be evaluated ({run.comparison.base_problem}): "
                     "every failing result counts as new and the git document-control rules did not run")
    if run.comparison is not None and known:
        lines.append("")
        lines.append(f"{known} results not passing already at {run.comparison.ref} are not listed (--verbose lists them)")
    lines.append("")
    lines.append(style("Summary: ", bold=True) + ", ".join(summary_parts(run)))
    lines.append(f"ISO 9001 credit: {credit_line(run)}")
    return "\n".join(lines) + "\n"
