"""Human descriptions of rules (``imscheck rules list|show``), generated from the rule data.

Rule data can come from a folder the caller names (``--rules``): the text is passed through
:func:`visible_block`, so a control character in a title or guidance is shown, not obeyed.
"""

from __future__ import annotations

import difflib
import json
from typing import Any

from imscheck.errors import ImscheckError
from imscheck.escaping import visible, visible_block
from imscheck.rulelang import DEFAULT_CHECK, describe, resolve_targets
from imscheck.rules import BuiltinRule, Check, Pack, Rule
from imscheck.standards import Catalogues, edition_name
from imscheck.vocabulary import Vocabulary, shipped_vocabulary


def rule_summary(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "clause": rule.clause,
        "title": rule.title,
        "severity": rule.severity,
        "relation": rule.relation.type,
        "base_clauses": list(rule.relation.base),
        "source": rule.source,
    }


def list_rules(pack: Pack, hygiene: dict[str, BuiltinRule], fmt: str = "text", git: dict[str, BuiltinRule] | None = None) -> str:
    """The pack's rules, the built-in rules every check runs, and the git rules a comparison runs."""
    git = git or {}
    if fmt == "json":
        data = {
            "standard": pack.target,
            "base": pack.base,
            "rules": [rule_summary(r) for r in pack.rules],
            "hygiene": [{"id": h.id, "title": h.title, "severity": h.severity} for h in hygiene.values()],
            "git": [{"id": h.id, "title": h.title, "severity": h.severity} for h in git.values()],
        }
        return json.dumps(data, indent=2) + "\n"
    width = max([len(r.id) for r in pack.rules] + [len(rule_id) for rule_id in (*hygiene, *git)], default=8)
    lines = [f"{pack.title}: {len(pack.rules)} rules for {edition_name(pack.target)}, base {edition_name(pack.base)}", ""]
    lines.append(f"{'RULE':<{width}}  {'CLAUSE':<8} {'RELATION':<8} {'SEVERITY':<11} TITLE")
    for rule in pack.rules:
        base = f" ({', '.join(rule.relation.base)})" if rule.relation.base else ""
        lines.append(f"{rule.id:<{width}}  {rule.clause:<8} {rule.relation.type:<8} {rule.severity:<11} {rule.title}{base}")
    lines.append("")
    lines.append(f"Hygiene rules ({len(hygiene)}), for every repository:")
    for h in hygiene.values():
        lines.append(f"{h.id:<{width}}  {'':<8} {'':<8} {h.severity:<11} {h.title}")
    if git:
        lines.append("")
        lines.append(f"Git rules ({len(git)}), with --changed-since REF or --staged:")
        for h in git.values():
            lines.append(f"{h.id:<{width}}  {'':<8} {'':<8} {h.severity:<11} {h.title}")
    return visible_block("\n".join(lines) + "\n")


def check_phrase(check: Check, rule: Rule) -> str:
    """One check of a rule in words: quantifier and the evidence it looks for."""
    targets = resolve_targets(check.select, rule, rule.relation.type == "full")
    quantifier = "no" if check.none else "every" if check.every else f"at least {check.at_least}"
    return f"{quantifier} {describe(check, targets, check.fresh_months)}" + (" (for each service)" if check.per_service else "")


def _base_half(rule: Rule) -> str:
    return f"{edition_name(rule.base)} half: approved evidence addressing " + ", ".join(str(r) for r in rule.base_refs)


def expectations(rule: Rule) -> list[str]:
    """What an auditor expects to see for ``rule``, one phrase per piece of evidence."""
    phrases = [_base_half(rule)] if rule.relation.type == "partial" else []
    for check in rule.checks or (DEFAULT_CHECK,):
        extras = [f"fields {', '.join(check.fields)}"] if check.fields else []
        extras += [f"{name} naming {describe(Check(select=selector), resolve_targets(selector, rule, False), None)}"
                   for name, selector in check.references]
        phrases.append(check_phrase(check, rule) + (f", with {'; '.join(extras)}" if extras else ""))
    return phrases


def _check_lines(check: Check, rule: Rule, vocabulary: Vocabulary) -> list[str]:
    lines = [f"  - {check_phrase(check, rule)}" + (" (when there are any: none is no finding)" if check.when_present else "")]
    kind = vocabulary.kinds.get(check.kind) if check.kind else None
    if kind is not None:
        lines.append(f"    {kind.title} (vocabulary kind {kind.name}); each concept under any of these names, "
                     "or yours mapped in imscheck.yaml:")
        covered = dict(check.covers)
        for name in dict.fromkeys(check.fields + tuple(covered)):
            concept = kind.concepts[name]
            lines.append(f"      {name} ({concept.title}): {', '.join(concept.names)}")
            if name in covered:
                lines.append(f"        mentioning: {'; '.join(vocabulary.topics[t].title for t in covered[name])}")
        if check.listed_documents:
            lines.append(f"    every document listed under {check.listed_documents} must be approved")
    elif check.fields:
        lines.append(f"    fields: {', '.join(check.fields)}")
    if check.services_catalogued:
        lines.append("    every service named must be in the service catalogue")
    for topic in check.topics:
        lines.append(f"    an auditor reads for (observation if not found): {vocabulary.topics[topic].title}")
    if check.schema is not None:
        lines.append(f"    fields must satisfy: {json.dumps(check.schema, sort_keys=True)}")
    for name, selector in check.references:
        lines.append(f"    {name} must name: {describe(Check(select=selector), resolve_targets(selector, rule, False), None)}")
    return lines


def show_rule(rule: Rule, catalogues: Catalogues, vocabulary: Vocabulary | None = None) -> str:
    vocabulary = vocabulary or shipped_vocabulary()
    target = catalogues.require(rule.target)
    base = catalogues.require(rule.base)
    lines = [f"{rule.id}: {rule.title}", f"  requirement: {edition_name(rule.target)} {target.label(rule.clause)}"]
    clause = target.get(rule.clause)
    if clause:
        lines.append(f"  in short:    {clause.summary}")
    lines.append(f"  severity:    {rule.severity}")
    lines.append(f"  relation:    {rule.relation.type} to {edition_name(rule.base)}")
    for number in rule.relation.base:
        lines.append(f"    - {base.label(number)}")
    if rule.relation.adds:
        lines.append(f"  the IT service management extension adds: {' '.join(rule.relation.adds.split())}")
    if rule.relation.neighbours:
        lines.append(f"  reuses, without credit, the arrangements of {edition_name(rule.base)}:")
        lines.extend(f"    - {base.label(number)}" for number in rule.relation.neighbours)
    if rule.justification:
        lines.append(f"  why:         {' '.join(rule.justification.split())}")
    lines.append("  evidence:")
    if rule.relation.type == "partial":
        lines.append(f"  - {_base_half(rule)}")
    for check in rule.checks or (DEFAULT_CHECK,):
        lines.extend(_check_lines(check, rule, vocabulary))
    lines.append(f"  guidance:    {rule.guidance}")
    lines.append(f"  defined in:  {rule.source}")
    return visible_block("\n".join(lines) + "\n")


def show_hygiene(rule: BuiltinRule, applies: str = "every repository (built in)") -> str:
    return visible_block(
        f"{rule.id}: {rule.title}\n  severity:    {rule.severity}\n  checks:      {rule.description}\n"
        f"  guidance:    {rule.guidance}\n  applies to:  {applies}\n"
    )


_GIT_APPLIES = "repositories compared with a git revision (--changed-since, --staged)"


def find_rule(rule_id: str, pack: Pack, hygiene: dict[str, BuiltinRule], git: dict[str, BuiltinRule], catalogues: Catalogues) -> str:
    """``imscheck rules show RULE``: the rule in any case (``sms-9.3``), else the nearest ids in the error."""
    wanted = rule_id.strip().casefold()
    for rule in pack.rules:
        if rule.id.casefold() == wanted:
            return show_rule(rule, catalogues)
    for rules, applies in ((hygiene, None), (git, _GIT_APPLIES)):
        for name, found in rules.items():
            if name.casefold() == wanted:
                return show_hygiene(found, applies) if applies else show_hygiene(found)
    ids = [r.id for r in pack.rules] + list(hygiene) + list(git)
    by_folded = {i.casefold(): i for i in ids}
    near = [by_folded[m] for m in difflib.get_close_matches(wanted, list(by_folded), n=3, cutoff=0.6)]
    hint = f"; did you mean {' or '.join(', '.join(near).rsplit(', ', 1))}?" if near else ""
    raise ImscheckError(f"no rule '{visible(rule_id)}' in {pack.target}{hint} (see `imscheck rules list`)")
