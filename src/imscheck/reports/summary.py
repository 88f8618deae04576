"""The one-paragraph verdict shared by the text and Markdown reports."""

from __future__ import annotations

from collections import Counter

from imscheck.results import Run
from imscheck.terms import ERROR, FAIL, SEVERITIES


def summary_parts(run: Run) -> list[str]:
    """'57 requirements and 15 repository checks', 'N passed', 'N failed (..)', waived, observations, new."""
    summary = run.summary()
    by_status = summary["by_status"]
    # failed by severity; a rule that could not be evaluated (error) found nothing wanting, so it
    # is counted on its own, not under its severity
    failed = Counter(r.severity for r in run.results if r.status == FAIL)
    counts = ", ".join(f"{failed[s]} {s}" for s in SEVERITIES if failed[s])
    parts = [
        f"{summary['requirements']} requirements and {summary['total'] - summary['requirements']} repository checks",
        f"{by_status['pass']} passed",
        f"{by_status['fail']} failed" + (f" ({counts})" if counts else ""),
    ]
    if by_status[ERROR]:
        parts.append(f"{by_status[ERROR]} could not be evaluated (error)")
    for status in ("waived", "not_applicable"):
        if by_status[status]:
            parts.append(f"{by_status[status]} {status.replace('_', ' ')}")
    if summary["observations"]:
        # Opportunities for improvement on results of any status: they never count as failed.
        parts.append(f"{summary['observations']} observation{'s' if summary['observations'] != 1 else ''}")
    if run.comparison is not None:
        what = "the staged change" if run.comparison.staged else "the work tree"
        parts.append(f"{sum(1 for r in run.results if r.new)} new in {what} since {run.comparison.ref}")
    return parts


def credit_line(run: Run) -> str:
    """How much of the target the existing ISO 9001 system already carries."""
    relations = run.summary()["by_relation"]
    full = relations["full"]
    # A credited requirement may still carry a minor finding (lapsed record, missing field): say so.
    short = sum(r.relation == "full" and r.credited_to_base and r.status == "fail" for r in run.results)
    caveat = f" ({short} of them with a finding still to close)" if short else ""
    return (
        f"{full['credited']} of {full['total']} fully related requirements met by existing ISO 9001 evidence{caveat}; "
        f"{relations['partial']['pass']} of {relations['partial']['total']} partial requirements met "
        f"({relations['partial']['credited']} with their ISO 9001 half in place); "
        f"{relations['none']['pass']} of {relations['none']['total']} new requirements met"
    )
