"""Readiness at a glance (the grid of requirements) and the integration dividend chart."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from imscheck.audit.context import ReportContext
from imscheck.audit.model import Cell, ClauseGroup, Count, Dividend, Readiness, RelationRow, Segment
from imscheck.audit.status import (
    DISPLAY_ORDER,
    LONG_LABEL,
    READING_ORDER,
    RELATION_LABEL,
    RELATION_MEANING,
    SHORT_LABEL,
)
from imscheck.results import Result
from imscheck.standards import clause_key
from imscheck.terms import RELATION_LETTER

# Counts always shown (a manager wants to read "0 major"); the others only when they occur.
_ALWAYS = ("pass", "major", "minor", "observation", "waived", "not_applicable")


def build_readiness(ctx: ReportContext) -> Readiness:
    """One cell per requirement leaf of the target catalogue (and per clause a rule checks)."""
    by_clause: dict[str, list[Result]] = {}
    for result in ctx.requirements:
        by_clause.setdefault(result.clause or "", []).append(result)
    leaves = [c.number for c in ctx.sources.target.requirement_leaves()]
    clauses = sorted(set(leaves) | set(by_clause), key=clause_key)
    groups: dict[str, list[Cell]] = {}
    for clause in clauses:
        groups.setdefault(clause.split(".", 1)[0], []).append(_cell(ctx, clause, by_clause.get(clause, [])))
    cells = [cell for group in groups.values() for cell in group]
    tally = {key: sum(cell.status == key for cell in cells) for key in DISPLAY_ORDER}
    in_scope = len(cells) - tally["not_applicable"]
    met = tally["pass"]
    verdict_key, verdict = _verdict(ctx, tally)
    observed = [r for r in ctx.requirements if r.observations]
    return Readiness(
        verdict=verdict,
        verdict_key=verdict_key,
        met=met,
        in_scope=in_scope,
        percent=(100 * met) // in_scope if in_scope else 100,  # floor: 99.6 % must not read 100 %
        total=len(cells),
        counts=tuple(Count(k, LONG_LABEL[k], tally[k]) for k in READING_ORDER if k in _ALWAYS or tally[k]),
        groups=tuple(
            ClauseGroup(top, ctx.clause_title(top), tuple(group), sum(c.status == "pass" for c in group))
            for top, group in groups.items()
        ),
        observations=sum(len(r.observations) for r in ctx.run.results),
        observed=len(observed),
    )


def _cell(ctx: ReportContext, clause: str, results: Sequence[Result]) -> Cell:
    title = ctx.clause_title(clause)
    found = ctx.sources.target.get(clause)
    summary = found.summary if found else ""
    if results:
        shown = min(results, key=lambda r: DISPLAY_ORDER.index(r.display_status))
        status = shown.display_status
        relation = shown.relation
        target = ctx.detail_anchor(shown)
    else:
        status = ctx.unchecked_status(clause)
        relation = None
        target = ctx.clause_anchor(clause)
    return Cell(clause, title, summary, status, SHORT_LABEL[status], relation, RELATION_LETTER.get(relation or "", ""),
                target, tuple(r.rule for r in results), sum(len(r.observations) for r in results))


def _verdict(ctx: ReportContext, tally: Mapping[str, int]) -> tuple[str, str]:
    """One sentence for the manager, in the units of the counts beside it.

    Requirements are counted as the grid shows them (``tally``), so "1 minor nonconformity" in
    the sentence is the "Minor nonconformity: 1" of the counts; findings of the document checks
    are named apart, never added to those numbers. Observations never make a repository less
    ready; they are named so they are not missed.
    """
    major, minor, errors, unchecked = tally["major"], tally["minor"], tally["error"], tally["unchecked"]
    documents = [r for r in ctx.run.results if not r.is_requirement and r.failing]
    doc_major = sum(r.severity == "major" or r.status == "error" for r in documents)
    doc_minor = sum(r.severity == "minor" and r.status != "error" for r in documents)
    observations = sum(len(r.observations) for r in ctx.run.results)
    note = f" {_plural(observations, 'observation', 'observations')} (opportunities for improvement) to consider." if observations else ""
    if unchecked:
        verb = "is" if unchecked == 1 else "are"
        note += f" {_plural(unchecked, 'requirement has', 'requirements have')} no rule yet and {verb} not checked."
    parts = ([_plural(major, "major nonconformity", "major nonconformities")] if major else []) + (
        [_plural(minor, "minor nonconformity", "minor nonconformities")] if minor else [])
    severities = [f"{n} {label}" for n, label in ((doc_major, "major"), (doc_minor, "minor")) if n]
    found = doc_major + doc_minor
    docs = f"{_plural(found, 'finding', 'findings')} of the document checks ({', '.join(severities)})" if found else ""
    listed = " and ".join(p for p in (", ".join(parts), docs) if p)
    # A rule that could not be evaluated is imscheck's fault, not the organisation's to close; but
    # until it is evaluated nobody can say the requirement is met, so readiness cannot be claimed.
    unknown = (f" {_plural(errors, 'requirement', 'requirements')} could not be evaluated (a fault in imscheck, listed "
               f"under Errors), so whether {'it is' if errors == 1 else 'they are'} met is not known.") if errors else ""
    if major or doc_major:
        return "not-ready", f"Not ready: {listed} to close before the audit." + unknown + note
    if errors:
        close = f" Besides, {listed} to close." if listed else ""
        return "not-ready", "Readiness not known:" + unknown + close + note
    if minor or doc_minor:
        return "nearly", f"Nearly ready: no major nonconformity; {listed} to close." + note
    return "ready", "Ready: no major or minor nonconformity." + note


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


# Chart geometry, in SVG user units: labels on the left, bars in the middle, totals on the right.
_BAR_LEFT, _BAR_WIDTH, _CHART_WIDTH, _ROW, _BAR_HEIGHT = 200.0, 300.0, 640.0, 40.0, 22.0
_SEGMENTS = (("pass", "met"), ("open", "not met"), ("out", "waived or not applicable"))


def build_dividend(ctx: ReportContext) -> Dividend:
    """Requirements by relation to ISO 9001: how many, how many met, how much ISO 9001 credit."""
    rows: list[RelationRow] = []
    longest = max((sum(r.relation == rel for r in ctx.requirements) for rel in RELATION_LABEL), default=0) or 1
    for index, relation in enumerate(RELATION_LABEL):
        results = [r for r in ctx.requirements if r.relation == relation]
        met = sum(r.status == "pass" for r in results)
        open_ = sum(r.failing for r in results)
        out = len(results) - met - open_
        segments, x = [], _BAR_LEFT
        for (key, label), count in zip(_SEGMENTS, (met, open_, out), strict=True):
            width = _BAR_WIDTH * count / longest
            if count:
                segments.append(Segment(key, label, count, round(x, 2), round(width, 2)))
            x += width
        credited = _credited(relation, results)
        rows.append(RelationRow(relation, RELATION_LABEL[relation], RELATION_MEANING[relation], RELATION_LETTER[relation], len(results),
                                met, open_, out,
                                len(credited), sum(r.failing for r in credited), tuple(segments), index * _ROW))
    return Dividend(tuple(rows), len(ctx.requirements), _CHART_WIDTH, len(rows) * _ROW, _BAR_LEFT, _BAR_WIDTH)


def _credited(relation: str, results: Sequence[Result]) -> list[Result]:
    """Full: credited through ISO 9001 evidence. Partial: the ISO 9001 half is in place.

    A minor shortfall (a lapsed record, a missing field) keeps the credit: the evidence exists.
    A result that could not be evaluated (error) has shown no evidence, so it earns none.
    """
    if relation == "full":
        return [r for r in results if r.credited_to_base]
    if relation == "partial":
        return [r for r in results if r.status not in ("not_applicable", "error") and "base" not in r.missing]
    return []
