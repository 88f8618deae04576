"""Human output for a terminal: findings grouped by clause, one line each (observations too), then a summary."""

from __future__ import annotations

from typing import Callable, Dict, List

import click

from imscheck.reports.observations import observations_of
from imscheck.reports.summary import credit_line, summary_parts
from imscheck.results import Location, Result, Run
from imscheck.standards import edition_name

_COLORS = {"major": "red", "minor": "yellow", "observation": "cyan"}


def _prefixed(run: Run, loc: Location) -> str:
    prefix = "" if run.repository in ("", ".") else run.repository.rstrip("/") + "/"
    return f"{prefix}{loc.path}:{loc.line}"


def _where(run: Run, result: Result) -> str:
    if result.locations:
        return _prefixed(run, result.locations[0])
    return run.repository or "."  # nothing to point at: the finding is about the repository


_BUILTIN_HEADINGS = {"GIT": "Document control (git history)", "CFG": "Configuration (imscheck.yaml)"}


def _heading(result: Result) -> str:
    if result.clause:
        return f"Clause {result.group}"
    return _BUILTIN_HEADINGS.get(result.rule.split("-", 1)[0], "Document hygiene")


def _observations_listed(run: Run, result: Result, verbose: bool) -> bool:
    """Comparing lists what is new; observations are not tracked as new, so only a new finding's are listed."""
    return run.comparison is None or verbose or bool(result.new)


def _listed(run: Run, result: Result, verbose: bool) -> bool:
    """Comparing without --verbose, results already not passing at the base are counted, not listed."""
    if run.comparison is not None and not verbose and result.status != "pass" and not result.new:
        return False
    return result.status != "pass" or verbose or bool(result.observations and _observations_listed(run, result, verbose))


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _result_lines(run: Run, result: Result, verbose: bool, style: Callable[..., str]) -> List[str]:
    """The result's own line (unless it passes quietly), then one line per observation it carries."""
    lines: List[str] = []
    name = style(result.rule + (f" {result.title}" if result.clause else ""), bold=True)
    if result.status != "pass" or verbose:
        tag = result.severity if result.failing else result.status.replace("_", " ")
        label = style(f"{tag:<11}", fg=_COLORS.get(result.severity) if result.failing else "green" if result.status == "pass" else "blue")
        new = style("new ", fg="magenta", bold=True) if result.new else ""
        lines.append(f"{_where(run, result)}: {new}{label} {name}: {result.message}")
    # A passing result's observations are listed without its pass line: an opportunity to
    # improve is worth a line, "pass" is not (--verbose shows both).
    if _observations_listed(run, result, verbose):
        label = style(f"{'observation':<11}", fg=_COLORS["observation"])
        lines.extend(f"{_prefixed(run, o.location)}: {label} {name}: {o.message}" for o in observations_of(result, run.anchor))
    return lines


def _notes(run: Run, known: int, unlisted: int, style: Callable[..., str]) -> List[str]:
    """What a comparison left out, and why."""
    lines: List[str] = []
    if run.comparison is not None and run.comparison.base_problem:
        lines += ["", style("note: ", bold=True) + f"{run.comparison.ref} could not be evaluated ({run.comparison.base_problem}): "
                  "every failing result counts as new and the git document-control rules did not run"]
    if run.comparison is not None and known:
        lines += ["", f"{known} results not passing already at {run.comparison.ref} are not listed (--verbose lists them)"]
    if unlisted:
        lines += ["", f"{_plural(unlisted, 'observation is', 'observations are')} not listed when comparing (--verbose lists them)"]
    return lines


def render(run: Run, color: bool = False, verbose: bool = False) -> str:
    def style(text: str, **kw: object) -> str:
        return click.style(text, **kw) if color else text  # type: ignore[arg-type]

    lines: List[str] = [
        style(f"imscheck {run.tool_version}", bold=True)
        + f" · {edition_name(run.standard)} (base {edition_name(run.base)}) · as of {run.as_of} · {run.repository}",
    ]
    groups: Dict[str, List[Result]] = {}
    known = 0  # comparing: findings already there at the base are counted, not listed
    unlisted = 0  # comparing: observations are counted, not listed
    for result in run.results:
        if _listed(run, result, verbose):
            groups.setdefault(_heading(result), []).append(result)
        elif result.status != "pass":
            known += 1
        if not _observations_listed(run, result, verbose):
            unlisted += len(result.observations)
    for heading, results in groups.items():
        lines += ["", style(heading, bold=True, underline=True)]
        for result in results:
            lines += _result_lines(run, result, verbose, style)
    lines += _notes(run, known, unlisted, style)
    lines.append("")
    lines.append(style("Summary: ", bold=True) + ", ".join(summary_parts(run)))
    lines.append(f"ISO 9001 credit: {credit_line(run)}")
    return "\n".join(lines) + "\n"
