"""Markdown for a merge-request comment or a wiki page: the verdict, a table of findings and a
table of observations (opportunities for improvement, which never change a status).

Everything that comes from the repository is escaped for where it lands (``escaping``): a
document title or a file name cannot inject links, HTML, mentions or table cells into the
comment, and a file name keeps its backticks inside its code span.
"""

from __future__ import annotations

from imscheck.escaping import md_code, md_text
from imscheck.reports.base import PLAIN, Options
from imscheck.reports.observations import Observation, all_observations
from imscheck.reports.summary import credit_line, summary_parts
from imscheck.results import Location, Result, Run
from imscheck.standards import edition_name
from imscheck.terms import FAIL, MARK, PASS


def _code_place(loc: Location) -> str:
    return md_code(f"{loc.path}:{max(loc.line, 1)}")


def _where(result: Result, anchor: str) -> str:
    # A finding with no file of its own (a missing document) is shown where SARIF puts it.
    return _code_place(result.locations[0] if result.locations else Location(anchor, 1))


def _observation_lines(observations: list[Observation]) -> list[str]:
    """Their own small table after the findings: a conforming requirement can carry one."""
    lines = ["", f"### Observations (opportunities for improvement): {len(observations)}", "",
             "| | Rule | Clause | Where | Observation |", "|---|---|---|---|---|"]
    for o in observations:
        rule = md_text(f"{o.result.rule} {o.result.title}" if o.result.clause else o.result.rule)
        cells = [MARK["observation"], rule, md_text(o.result.clause or ""), _code_place(o.location), md_text(o.message)]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def render(run: Run, options: Options = PLAIN) -> str:
    # comparing, the findings already there at the base are left out; an error never is (it always counts)
    shown = [r for r in run.results if r.status != PASS and (run.comparison is None or r.new or r.status != FAIL)]
    failed = sum(1 for r in run.results if r.failing)
    title = md_text(f"{edition_name(run.standard)} on {edition_name(run.base)}")
    verdict = "all requirements met" if not failed else f"{failed} failing"
    lines: list[str] = [
        f"## imscheck: {title} — {verdict}",
        "",
        f"As of {run.as_of} · commit {md_code((run.commit or 'none')[:12], in_table=False)} · imscheck {run.tool_version}",
        "",
        f"**Summary:** {md_text(', '.join(summary_parts(run)))}",
        "",
        f"**ISO 9001 credit:** {md_text(credit_line(run))}",
        "",
    ]
    if shown:
        new_column = run.comparison is not None
        lines.append("| | Rule | Clause | Severity | Where | Finding |" + (" New |" if new_column else ""))
        lines.append("|---|---|---|---|---|---|" + ("---|" if new_column else ""))
        for result in shown:
            rule = md_text(f"{result.rule} {result.title}" if result.clause else result.rule)
            cells = [MARK[result.display_status], rule, md_text(result.clause or ""), result.display_status.replace("_", " "),
                     _where(result, run.anchor), md_text(result.message)]
            if new_column:
                cells.append("new" if result.new else "")
            lines.append("| " + " | ".join(cells) + " |")
    else:
        lines.append("No findings.")
    # Comparing, the comment is about the change: observations are not tracked as new, so only
    # those of new findings are listed (the summary still counts them all).
    observations = [o for o in all_observations(run.results, run.anchor) if run.comparison is None or o.result.new]
    if observations:
        lines += _observation_lines(observations)
    return "\n".join(lines) + "\n"
