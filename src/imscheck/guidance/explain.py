"""``imscheck explain CLAUSE``: one clause, its relations in both directions, the rules that check it.

For an ISO/IEC 20000-1 clause the relations come from the rules of its pack (which ISO 9001
clauses it builds on, and how); for an ISO 9001 clause from the packs whose base it is (which
20000-1 requirements build on it). A parent clause gathers the rules of its sub-clauses.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from imscheck.errors import ImscheckError
from imscheck.escaping import visible_block
from imscheck.rules import Pack, Rule
from imscheck.standards import Catalogue, Catalogues, Clause, Ref, edition_name, is_clause_number, parse_ref


@dataclass(frozen=True)
class Explanation:
    ref: Ref
    catalogue: Catalogue
    clause: Clause
    ancestors: tuple[Clause, ...]  # nearest first
    children: tuple[Clause, ...]
    checked_by: tuple[Rule, ...]  # rules of this 20000-1 clause and its sub-clauses
    built_on_by: tuple[Rule, ...]  # rules whose base names this 9001 clause or a sub-clause
    packs: tuple[Pack, ...]  # the packs consulted
    catalogues: Catalogues = field(compare=False, repr=False)  # for the other edition's titles
    reused_by: tuple[Rule, ...] = ()  # new requirements that reuse this 9001 clause, without credit


def resolve(text: str, standard: str | None, default: str, catalogues: Catalogues) -> tuple[Ref, Clause]:
    """``iso9001:2015/7.5.3`` or a bare ``8.5.1.1`` (of ``standard`` or the default target)."""
    text = text.strip()
    if ":" in text:
        ref = parse_ref(text)
        if ref is None:
            raise ImscheckError(f"{text!r} is not a requirement reference: "
                                "write STANDARD:EDITION/CLAUSE (iso9001:2015/7.5.3) or a clause number")
        if standard and standard != ref.edition_key:
            raise ImscheckError(f"{text} is a clause of {ref.edition_key}, but --standard says {standard}")
    elif is_clause_number(text):
        key = standard or default
        if ":" not in key:
            raise ImscheckError(f"{key!r} is not an edition: write STANDARD:EDITION, e.g. iso9001:2015", "--standard")
        name, edition = key.split(":", 1)
        ref = Ref(name, edition, text)
    else:
        raise ImscheckError(f"{text!r} is neither a clause number (8.5.1.1) nor a reference (iso9001:2015/7.5.3)")
    catalogue = catalogues.get(ref.edition_key)
    if catalogue is None:
        known = ", ".join(sorted(c.key for c in catalogues))
        raise ImscheckError(f"imscheck has no catalogue for {ref.edition_key} (known: {known})")
    clause = catalogue.get(ref.clause)
    if clause is None:
        raise ImscheckError(f"{ref} is not a clause of {catalogue.title}")
    return ref, clause


def explain(ref: Ref, clause: Clause, packs: Sequence[Pack], catalogues: Catalogues) -> Explanation:
    key = ref.edition_key
    catalogue = catalogues.require(key)
    ancestors = tuple(c for c in (catalogue.get(r.clause) for r in list(ref.lineage())[1:]) if c is not None)
    # Ref.covers is the same "this clause or a sub-clause of it" test that evidence uses.
    checked = tuple(r for p in packs for r in p.rules if ref.covers(r.ref))
    built_on = tuple(r for p in packs for r in p.rules if any(ref.covers(b) for b in r.base_refs))
    consulted = tuple(p for p in packs if key in (p.target, p.base))
    children = tuple(catalogue.children(clause.number))
    reused = tuple(r for p in packs for r in p.rules if r.base == key and any(ref.covers(b) for b in _neighbour_refs(r)))
    return Explanation(ref, catalogue, clause, ancestors, children, checked, built_on, consulted, catalogues, reused)


def _neighbour_refs(rule: Rule) -> list[Ref]:
    standard, edition = rule.base.split(":", 1)
    return [Ref(standard, edition, number) for number in rule.relation.neighbours]


def shipped_packs(known: Catalogues) -> list[Pack]:
    """Every pack shipped under rules/packs, loaded and validated."""
    from imscheck.resources import rules_dir
    from imscheck.rules import available_packs, load_pack

    return [load_pack(rules_dir(), target, known) for target in sorted(available_packs(rules_dir()))]


def load_explanation(text: str, standard: str | None = None) -> Explanation:
    from imscheck.standards import DEFAULT_STANDARD, shipped_catalogues

    known = shipped_catalogues()
    ref, clause = resolve(text, standard, DEFAULT_STANDARD, known)
    return explain(ref, clause, shipped_packs(known), known)


def _rule_line(rule: Rule, base: Catalogue) -> str:
    kind = rule.relation.type
    if kind == "none":
        relation = f"no {edition_name(rule.base)} counterpart"
    else:
        relation = f"{kind} on {edition_name(rule.base)} " + ", ".join(base.label(n) for n in rule.relation.base)
    return f"  {rule.id:<16} {rule.clause:<8} {rule.severity:<6} {relation}"


def _notes(rule: Rule) -> list[str]:
    """What the ITSM half adds, and why the relation was judged as it is, where the rule says."""
    reuses = ", ".join(rule.relation.neighbours) if rule.relation.neighbours else None
    notes = [("adds", rule.relation.adds), ("why", rule.justification),
             ("reuses, without credit", f"{edition_name(rule.base)} {reuses}" if reuses else None)]
    return [f"  {'':<16} {label}: {' '.join(text.split())}" for label, text in notes if text]


def render_text(ex: Explanation) -> str:
    name = edition_name(ex.ref.edition_key)
    lines = [f"{name} {ex.clause.number} {ex.clause.display_title}", f"  reference: {ex.ref}"]
    if ex.ancestors:
        lines.append("  part of:   " + " < ".join(f"{c.number} {c.display_title}" for c in ex.ancestors))
    lines.append(f"  in short:  {ex.clause.summary}")
    if ex.children:
        lines.append("  sub-clauses: " + "; ".join(f"{c.number} {c.display_title}" for c in ex.children))
    if ex.checked_by:
        base = ex.catalogues.require(ex.checked_by[0].base)
        lines += ["", f"Relation to {edition_name(base.key)}, and the rules that check it:"]
        for rule in ex.checked_by:
            lines += [_rule_line(rule, base)] + _notes(rule)
    if ex.built_on_by:
        target = ex.catalogues.require(ex.built_on_by[0].target)
        lines += ["", f"{edition_name(target.key)} requirements that build on it (their rules accept evidence addressing it):"]
        for rule in ex.built_on_by:
            lines += [f"  {rule.id:<16} {target.label(rule.clause)}: {rule.relation.type}"] + _notes(rule)
    if ex.reused_by:
        target = ex.catalogues.require(ex.reused_by[0].target)
        lines += ["", f"New {edition_name(target.key)} requirements that can reuse its arrangements (no credit):"]
        lines += [f"  {rule.id:<16} {target.label(rule.clause)}" for rule in ex.reused_by]
    if not ex.packs:
        lines += ["", f"No rule pack relates {name} to another standard."]
    for pack in ex.packs:
        if pack.target == ex.ref.edition_key and not ex.checked_by:
            lines += ["", f"No rule of the pack {pack.title!r} checks this clause yet."]
        if pack.base == ex.ref.edition_key and not ex.built_on_by and not ex.reused_by:
            lines += ["", f"No {edition_name(pack.target)} requirement builds on this clause."]
    return visible_block("\n".join(lines) + "\n")  # titles and notes come from rule files: shown, never obeyed
