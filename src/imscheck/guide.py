"""The integration guide (``imscheck guide``), generated from the rule data, never written by hand.

In the founding paper's form: for each ISO 9001 clause of the base edition, the relation type(s),
what IT service management adds and the related ISO/IEC 20000-1 requirements; then the
requirements with no ISO 9001 counterpart; and a summary of how much the 9001 system already
covers. :func:`build_guide` makes the model; renderers (Markdown here, HTML in
:mod:`imscheck.guide_html`) only format it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Mapping, Optional, Tuple

from imscheck.errors import ImscheckError
from imscheck.rules import Pack, Rule
from imscheck.standards import Catalogue, Catalogues, edition_name

RELATIONS: Tuple[str, ...] = ("full", "partial", "none")
LETTER = {"full": "F", "partial": "P", "none": "—"}
ADVICE = {
    "full": "already covered by the ISO 9001 system: nothing to add",
    "partial": "extend the ISO 9001 process with the IT service management specifics",
    "none": "new: implement as ISO/IEC 20000-1 requires",
}


@dataclass(frozen=True)
class Requirement:
    """One ISO/IEC 20000-1 requirement as the guide shows it (from its rule)."""

    clause: str
    title: str
    relation: str
    rule: str
    adds: Optional[str] = None
    summary: str = ""


@dataclass(frozen=True)
class BaseClause:
    """One ISO 9001 clause and the 20000-1 requirements that build on it."""

    clause: str
    title: str
    depth: int
    requirements: Tuple[Requirement, ...]

    @property
    def relations(self) -> Tuple[str, ...]:
        """Relation types present, in the order full, partial."""
        present = {r.relation for r in self.requirements}
        return tuple(kind for kind in RELATIONS if kind in present)


@dataclass(frozen=True)
class Guide:
    target: str
    base: str
    title: str
    base_clauses: Tuple[BaseClause, ...]
    new_requirements: Tuple[Requirement, ...]
    without_rule: Tuple[Requirement, ...]  # requirement leaves the pack has no rule for yet
    counts: Mapping[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _requirement(rule: Rule, target: Catalogue) -> Requirement:
    clause = target.get(rule.clause)
    return Requirement(
        clause=rule.clause,
        title=clause.display_title if clause else rule.title,
        relation=rule.relation.type,
        rule=rule.id,
        adds=" ".join(rule.relation.adds.split()) if rule.relation.adds else None,
        summary=clause.summary if clause else "",
    )


def build_guide(pack: Pack, catalogues: Catalogues) -> Guide:
    """The guide for ``pack``: every base clause once, in catalogue order."""
    target = catalogues.require(pack.target)
    base = catalogues.require(pack.base)
    by_base: Dict[str, List[Requirement]] = {}
    new: List[Requirement] = []
    counts = {kind: 0 for kind in RELATIONS}
    for rule in pack.rules:
        item = _requirement(rule, target)
        counts[rule.relation.type] += 1
        if rule.relation.type == "none":
            new.append(item)
        for number in rule.relation.base:
            by_base.setdefault(number, []).append(item)
    base_clauses = tuple(
        BaseClause(c.number, c.display_title, c.number.count("."), tuple(by_base.get(c.number, ())))
        for c in base.clauses.values()
        if c.top in base.requirement_clauses
    )
    ruled = {rule.clause for rule in pack.rules}
    without = tuple(
        Requirement(c.number, c.display_title, "", "", summary=c.summary)
        for c in target.requirement_leaves()
        if c.number not in ruled
    )
    return Guide(pack.target, pack.base, pack.title, base_clauses, tuple(new), without, counts)


def load_guide(target: Optional[str] = None, base: Optional[str] = None) -> Guide:
    """Build the guide for a target edition; a base that is not the pack's own is an error."""
    from imscheck.api import DEFAULT_STANDARD, catalogues
    from imscheck.resources import rules_dir
    from imscheck.rules import available_packs, load_pack

    target = target or DEFAULT_STANDARD
    packs = available_packs(rules_dir())
    if target not in packs:
        raise ImscheckError(f"no rule pack for {target!r} (available: {', '.join(sorted(packs))})", "--target")
    known = catalogues()
    pack = load_pack(rules_dir(), target, known)
    if base is not None and base != pack.base:
        raise ImscheckError(
            f"{base!r} is not the base of {target}: its rules relate it to {pack.base} (use --base {pack.base} or leave --base out)",
            "--base",
        )
    return build_guide(pack, known)


def share(count: int, total: int) -> str:
    return f"{round(100 * count / total)} %" if total else "0 %"


def render_markdown(guide: Guide) -> str:
    target, base = edition_name(guide.target), edition_name(guide.base)
    out: List[str] = [
        f"# Integration guide: {target} on {base}",
        "",
        f"Generated by imscheck from the rule pack *{guide.title}*: for each {base} clause, how "
        f"{target} extends it (F = fully covered by {base}, P = partially: the IT service management "
        f"specifics are added), then the {target} requirements with no {base} counterpart.",
        "",
        "## Summary",
        "",
        f"| Relation | {target} requirements | Share | What to do |",
        "|---|---:|---:|---|",
    ]
    for kind in RELATIONS:
        out.append(f"| {kind} ({LETTER[kind]}) | {guide.counts[kind]} | {share(guide.counts[kind], guide.total)} | {ADVICE[kind]} |")
    out.append(f"| total | {guide.total} | 100 % | |")
    if guide.without_rule:
        out += ["", f"{len(guide.without_rule)} requirement(s) of {target} have no rule in this pack yet; see the last section."]
    out += ["", f"## {base} clauses and how {target} extends them", ""]
    for entry in guide.base_clauses:
        out.append(f"{'#' * min(3 + entry.depth, 6)} {entry.clause} {entry.title}")
        out.append("")
        if not entry.requirements:
            out += [f"No {target} requirement builds on this clause.", ""]
            continue
        out.append(f"Relation: {', '.join(f'{k} ({LETTER[k]})' for k in entry.relations)}.")
        out.append("")
        out.append(f"Related {target} requirements:")
        out.append("")
        for req in entry.requirements:
            line = f"- {req.clause} {req.title} ({LETTER[req.relation]}, rule {req.rule})"
            out.append(line + (f". IT service management adds: {req.adds}." if req.adds else ""))
        out.append("")
    out += [f"## {target} requirements with no {base} counterpart", ""]
    out += [f"Implement these as {target} requires.", ""]
    out += ["| Clause | Title | Rule | In short |", "|---|---|---|---|"]
    out += [f"| {r.clause} | {r.title} | {r.rule} | {r.summary} |" for r in guide.new_requirements]
    if guide.without_rule:
        out += ["", f"## {target} requirements without a rule in this pack", ""]
        out += ["Their relation to ISO 9001 has not been recorded yet.", ""]
        out += [f"- {r.clause} {r.title}" for r in guide.without_rule]
    return "\n".join(out) + "\n"


def render(guide: Guide, fmt: str = "markdown") -> str:
    """Render in ``markdown`` or ``html`` (the HTML renderer imports Jinja2 only when asked)."""
    if fmt == "html":
        from imscheck.guide_html import render_html

        return render_html(guide)
    return render_markdown(guide)
