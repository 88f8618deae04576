"""The integration guide (``imscheck guide``), generated from the rule data, never written by hand.

In the founding paper's form: for each ISO 9001 clause of the base edition, what the clause asks
(the catalogue's summary, in our words), the relation type(s), the related ISO/IEC 20000-1
requirements with what IT service management adds and the actions to take on the QMS (the
rules' guidance); then the requirements with no ISO 9001 counterpart, each with the reason, the
action and the ISO 9001 clauses whose arrangements it reuses without credit; and a summary of how
much the 9001 system already covers. :func:`build_guide` makes the model; renderers (Markdown in
:mod:`imscheck.guidance.guide_markdown`, HTML in :mod:`imscheck.guidance.guide_html`) only format it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from imscheck.rules import Pack, Rule
from imscheck.standards import Catalogue, Catalogues
from imscheck.terms import RELATIONS

ADVICE = {
    "full": "already covered by the ISO 9001 system: nothing to add",
    "partial": "extend the ISO 9001 process with the IT service management specifics",
    "none": "new: implement as ISO/IEC 20000-1 requires",
}
# The founding paper warns that its relations are indicative; every guide repeats the warning
# (in our words) because the credit they give is a judgment, not a fact about the standards.
CAVEAT_TITLE = "The relations are indicative."
CAVEAT = (
    "They are this rule pack's reading of where the two standards meet, not a verdict. How much an "
    "existing ISO 9001 system really covers depends on how the organisation built it and on the "
    "weight it gives each requirement: judge every relation against your own management system, "
    "and agree the credit you rely on with your certification body before you plan around it."
)


def _text(value: str | None) -> str | None:
    """Rule texts are folded YAML; the guide shows each as one line."""
    return " ".join(value.split()) if value else None


@dataclass(frozen=True)
class ClauseName:
    """A clause of the base edition, as the guide names it."""

    number: str
    title: str


@dataclass(frozen=True)
class Requirement:
    """One ISO/IEC 20000-1 requirement as the guide shows it (from its rule)."""

    clause: str
    title: str
    relation: str
    rule: str
    adds: str | None = None
    summary: str = ""
    guidance: str = ""  # the action to take on the QMS
    justification: str | None = None
    neighbours: tuple[ClauseName, ...] = ()  # base clauses whose arrangements a new requirement reuses


@dataclass(frozen=True)
class Link:
    """A requirement shown in a base clause's entry; ``via`` names the sub-clauses that carry it
    there (empty when the requirement names the entry's clause itself)."""

    requirement: Requirement
    via: tuple[str, ...] = ()


@dataclass(frozen=True)
class BaseClause:
    """One ISO 9001 clause and the 20000-1 requirements that build on it or reuse it."""

    clause: str
    title: str
    depth: int
    requirements: tuple[Requirement, ...]  # rules whose relation base names this clause
    summary: str = ""
    through: tuple[Link, ...] = ()  # rules whose base names only sub-clauses of this one
    reused_by: tuple[Link, ...] = ()  # new requirements naming this clause (or a sub-clause) as a neighbour

    @property
    def relations(self) -> tuple[str, ...]:
        """Relation types present here or in the sub-clauses, in the order full, partial."""
        present = {r.relation for r in self.requirements} | {link.requirement.relation for link in self.through}
        return tuple(kind for kind in RELATIONS if kind in present)


@dataclass(frozen=True)
class Guide:
    target: str
    base: str
    title: str
    base_clauses: tuple[BaseClause, ...]
    new_requirements: tuple[Requirement, ...]
    without_rule: tuple[Requirement, ...]  # requirement leaves the pack has no rule for yet
    counts: Mapping[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def listed(self) -> frozenset[str]:
        """Numbers of the base clauses that have an entry (what a neighbour can link to)."""
        return frozenset(entry.clause for entry in self.base_clauses)


def _requirement(rule: Rule, target: Catalogue, base: Catalogue) -> Requirement:
    clause = target.get(rule.clause)
    return Requirement(
        clause=rule.clause,
        title=clause.display_title if clause else rule.title,
        relation=rule.relation.type,
        rule=rule.id,
        adds=_text(rule.relation.adds),
        summary=clause.summary if clause else "",
        guidance=_text(rule.guidance) or "",
        justification=_text(rule.justification),
        neighbours=tuple(ClauseName(n, _title(base, n)) for n in rule.relation.neighbours),
    )


def _title(catalogue: Catalogue, number: str) -> str:
    clause = catalogue.get(number)
    return clause.display_title if clause is not None else ""


def _gather(number: str, descendants: Sequence[str], named: Mapping[str, Sequence[Requirement]],
            order: Mapping[str, int]) -> list[Link]:
    """The requirements that name ``number`` or any of its ``descendants``, each once: a parent
    clause gathers what its sub-clauses relate to, and says through which."""
    own = {r.rule for r in named.get(number, ())}
    via: dict[str, list[str]] = {}
    found: dict[str, Requirement] = {r.rule: r for r in named.get(number, ())}
    for child in descendants:
        for req in named.get(child, ()):
            found.setdefault(req.rule, req)
            if req.rule not in own:
                via.setdefault(req.rule, []).append(child)
    return [Link(found[rule], tuple(via.get(rule, ()))) for rule in sorted(found, key=order.__getitem__)]


def build_guide(pack: Pack, catalogues: Catalogues) -> Guide:
    """The guide for ``pack``: every base clause once, in catalogue order."""
    target = catalogues.require(pack.target)
    base = catalogues.require(pack.base)
    by_base: dict[str, list[Requirement]] = {}
    by_neighbour: dict[str, list[Requirement]] = {}
    new: list[Requirement] = []
    counts = {kind: 0 for kind in RELATIONS}
    order = {rule.id: i for i, rule in enumerate(pack.rules)}
    for rule in pack.rules:
        item = _requirement(rule, target, base)
        counts[rule.relation.type] += 1
        if rule.relation.type == "none":
            new.append(item)
        for number in rule.relation.base:
            by_base.setdefault(number, []).append(item)
        for number in rule.relation.neighbours:
            by_neighbour.setdefault(number, []).append(item)
    listed = [c for c in base.clauses.values() if c.top in base.requirement_clauses]
    entries = []
    for c in listed:
        below = [d.number for d in listed if d.number.startswith(c.number + ".")]
        related = _gather(c.number, below, by_base, order)
        entries.append(BaseClause(
            c.number, c.display_title, c.number.count("."),
            requirements=tuple(link.requirement for link in related if not link.via),
            summary=c.summary,
            through=tuple(link for link in related if link.via),
            reused_by=tuple(_gather(c.number, below, by_neighbour, order)),
        ))
    ruled = {rule.clause for rule in pack.rules}
    without = tuple(
        Requirement(c.number, c.display_title, "", "", summary=c.summary)
        for c in target.requirement_leaves()
        if c.number not in ruled
    )
    return Guide(pack.target, pack.base, pack.title, tuple(entries), tuple(new), without, counts)


def load_guide(target: str | None = None, base: str | None = None) -> Guide:
    """Build the guide for a target edition; a base that is not the pack's own is an error."""
    from imscheck.resources import rules_dir
    from imscheck.rules import load_pack
    from imscheck.standards import DEFAULT_STANDARD, shipped_catalogues

    known = shipped_catalogues()
    pack = load_pack(rules_dir(), target or DEFAULT_STANDARD, known, base=base, source="--target", base_source="--base")
    return build_guide(pack, known)


def share(count: int, total: int) -> str:
    return f"{round(100 * count / total)} %" if total else "0 %"

