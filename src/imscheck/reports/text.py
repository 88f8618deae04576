"""Human output for a terminal: findings grouped by clause, one line each (observations too), then a summary.

Every finding line has the shape editors and CI problem matchers parse,
``path:line: severity RULE message`` (a rule that could not be evaluated, waived, not-applicable
and passing lines put their status where the severity goes: ``error``, ``waived``...). Every
value is passed through :func:`visible`, so nothing the repository wrote can forge a line,
colour the log or plant a hyperlink.
"""

from __future__ import annotations

from collections.abc import Callable

import click

from imscheck.escaping import visible
from imscheck.reports.base import PLAIN, Options
from imscheck.reports.observations import observations_of
from imscheck.reports.summary import credit_line, summary_parts
from imscheck.results import Location, Result, Run
from imscheck.standards import edition_name
from imscheck.terms import CONFIGURATION, ERROR, GIT, HYGIENE, PASS

_COLORS = {"major": "red", "minor": "yellow", "observation": "cyan", "error": "red"}
# Padded to the longest severity, so findings line up; "not-applicable" runs three characters over.
LABEL_WIDTH = len("observation")


def _prefixed(run: Run, loc: Location) -> str:
    prefix = "" if run.repository in ("", ".") else run.repository.rstrip("/") + "/"
    return visible(f"{prefix}{loc.path}:{max(loc.line, 1)}")


def _where(run: Run, result: Result) -> str:
    # A finding with no file of its own (a missing document) is shown where SARIF puts it.
    return _prefixed(run, result.locations[0] if result.locations else Location(run.anchor, 1))


def label(result: Result) -> str:
    """The severity of a failed result, else its status: ``error``, ``waived``, ``not-applicable``, ``pass``.

    A rule that could not be evaluated says ``error``, not its severity: nothing was found
    wanting, the check did not run, and a problem matcher reads ``error`` as one.
    """
    return result.display_status.replace("_", "-")


_BUILTIN_HEADINGS = {HYGIENE: "Document hygiene", GIT: "Document control (git history)", CONFIGURATION: "Configuration (imscheck.yaml)"}


def _heading(result: Result) -> str:
    if result.clause:
        return f"Clause {result.group}"
    return _BUILTIN_HEADINGS[result.kind]


def _observations_listed(run: Run, result: Result, verbose: bool) -> bool:
    """Comparing lists what is new; observations are not tracked as new, so only a new finding's are listed."""
    return run.comparison is None or verbose or bool(result.new)


def _listed(run: Run, result: Result, verbose: bool) -> bool:
    """Comparing without --verbose, results already not passing at the base are counted, not listed;
    a rule that could not be evaluated is always listed (it always counts)."""
    if run.comparison is not None and not verbose and result.status not in (PASS, ERROR) and not result.new:
        return False
    return result.status != "pass" or verbose or bool(result.observations and _observations_listed(run, result, verbose))


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _result_lines(run: Run, result: Result, verbose: bool, style: Callable[..., str], observations: bool = True) -> list[str]:
    """The result's own line (unless it passes quietly), then one line per observation it carries."""
    lines: list[str] = []
    # RULE, a space, then the message (a requirement's title leads it): one shape for every rule
    name = style(visible(result.rule), bold=True) + (f" {visible(result.title)}:" if result.clause else "")
    if result.status != "pass" or verbose:
        colour = _COLORS.get(label(result)) if result.failing else "green" if result.status == "pass" else "blue"
        tag = style(f"{label(result):<{LABEL_WIDTH}}", fg=colour)
        # after the rule, not before the severity: the line keeps the shape problem matchers read
        new = style("[new]", fg="magenta", bold=True) + " " if result.new else ""
        lines.append(f"{_where(run, result)}: {tag} {name} {new}{visible(result.message)}")
    # A passing result's observations are listed without its pass line: an opportunity to
    # improve is worth a line, "pass" is not (--verbose shows both).
    if observations and _observations_listed(run, result, verbose):
        tag = style(f"{'observation':<{LABEL_WIDTH}}", fg=_COLORS["observation"])
        lines.extend(f"{_prefixed(run, o.location)}: {tag} {name} {visible(o.message)}" for o in observations_of(result, run.anchor))
    return lines


def _notes(run: Run, known: int, unlisted: int, style: Callable[..., str]) -> list[str]:
    """What a comparison left out, and why."""
    lines: list[str] = []
    if run.comparison is not None and run.comparison.base_problem:
        lines += ["", style("note: ", bold=True)
                  + f"{visible(run.comparison.ref)} could not be evaluated ({visible(run.comparison.base_problem)}): "
                  "every failing result counts as new and the git document-control rules did not run"]
    if run.comparison is not None and known:
        lines += ["", f"{known} results not passing already at {visible(run.comparison.ref)} are not listed (--verbose lists them)"]
    if unlisted:
        lines += ["", f"{_plural(unlisted, 'observation is', 'observations are')} not listed when comparing (--verbose lists them)"]
    return lines


def _quiet_lines(run: Run, style: Callable[..., str]) -> list[str]:
    """``--quiet``: the failing lines only (observations too when ``--fail-on observation`` counts them)."""
    lines: list[str] = []
    observations = run.fail_on == "observation"
    for result in run.results:
        if result.failing and _listed(run, result, False):
            lines += _result_lines(run, result, False, style, observations)
        elif observations and result.status == "pass":
            lines += _result_lines(run, result, False, style)
    return lines


def render(run: Run, options: Options = PLAIN) -> str:
    """The report; ``quiet`` keeps only the lines of what fails the run, without headings or summary."""
    color, verbose, quiet = options.color, options.verbose, options.quiet
    def style(text: str, **kw: object) -> str:
        return click.style(text, **kw) if color else text  # type: ignore[arg-type]

    if quiet:
        lines = _quiet_lines(run, style)
        return "".join(line + "\n" for line in lines)
    lines = [
        style(f"imscheck {run.tool_version}", bold=True)
        + visible(f" · {edition_name(run.standard)} (base {edition_name(run.base)}) · as of {run.as_of} · {run.repository}"),
    ]
    groups: dict[str, list[Result]] = {}
    known = 0  # comparing: findings already there at the base are counted, not listed
    unlisted = 0  # comparing: observations are counted, not listed
    for result in run.results:
        if _listed(run, result, verbose):
            groups.setdefault(visible(_heading(result)), []).append(result)
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
    lines.append(style("Summary: ", bold=True) + visible(", ".join(summary_parts(run))))
    lines.append(f"ISO 9001 credit: {visible(credit_line(run))}")
    return "\n".join(lines) + "\n"
