"""Rule evaluation: the relation semantics of DESIGN.md section 2, over the evidence index.

- full: evidence addressing the rule's clause *or* its ISO 9001 base clauses passes; the result
  names the document and the 9001 clause that earned the credit.
- partial: the ISO 9001 half (evidence for every base clause) *and* the IT service management
  extension (the rule's own checks, on evidence addressing the 20000-1 clause) must both hold;
  a failure says which half is missing.
- none: the rule's own checks on evidence addressing the 20000-1 clause.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from imscheck.config import Override
from imscheck.dates import to_date, within_months
from imscheck.findings import finding_results
from imscheck.hygiene import Inspection
from imscheck.index import Candidate, Index
from imscheck.results import Evidence, Location, Result
from imscheck.rules import Check, HygieneRule, Pack, Rule, Selector
from imscheck.standards import Ref, parse_ref, standard_name

DEFAULT_CHECK = Check(select=Selector(addresses=("self",)))
_MAX_DETAILS = 3
_NUMBERING = re.compile(r"^[\d.]+\s+")


@dataclass(frozen=True)
class Context:
    index: Index
    as_of: dt.date
    overrides: Mapping[str, Override] = field(default_factory=dict)


@dataclass
class _Outcome:
    ok: bool
    problems: List[str] = field(default_factory=list)
    evidence: List[Evidence] = field(default_factory=list)
    locations: List[Location] = field(default_factory=list)


def evaluate(pack: Pack, hygiene: Mapping[str, HygieneRule], inspection: Inspection, ctx: Context) -> List[Result]:
    """All results before scoping: one per requirement rule, then the hygiene findings (one pass each if none)."""
    results = [evaluate_rule(rule, ctx) for rule in pack.rules]
    results.extend(finding_results(hygiene, inspection.findings, ctx.overrides))
    return results


def evaluate_rule(rule: Rule, ctx: Context) -> Result:
    relation = rule.relation.type
    expand = relation == "full"
    outcomes = [_run_check(check, rule, ctx, resolve_targets(check.select, rule, expand)) for check in (rule.checks or (DEFAULT_CHECK,))]
    extension_ok = all(o.ok for o in outcomes)
    base_ok, base_evidence, base_missing = True, [], []
    if relation == "partial":
        for ref in rule.base_refs:
            found = ctx.index.addressing([ref])
            base_evidence.extend(_evidence(found))
            if not found:
                base_missing.append(str(ref))
        base_ok = not base_missing
    evidence = _unique(base_evidence + [e for o in outcomes for e in o.evidence])
    base_label = standard_name(rule.base)
    missing: Tuple[str, ...] = ()
    if base_ok and extension_ok:
        status, locations = "pass", [Location(e.path, e.line) for e in evidence]
        message = _pass_message(rule, evidence, base_label)
    else:
        status = "fail"
        locations = [loc for o in outcomes for loc in o.locations]
        parts = []
        if not base_ok:
            parts.append(f"{base_label} half missing: no approved document or dated record addresses {' or '.join(base_missing)}")
            missing += ("base",)
        problems = "; ".join(p for o in outcomes if not o.ok for p in o.problems)
        if not extension_ok and relation == "partial":
            parts.append(f"IT service management extension missing ({rule.relation.adds.rstrip('.') if rule.relation.adds else 'service management specifics'}): {problems}")
            missing += ("extension",)
        elif not extension_ok and relation == "full":
            parts.append(f"{problems} (fully covered by {base_label} {', '.join(rule.relation.base)}: evidence for either clause counts)")
            missing += ("extension",)
        elif not extension_ok:
            parts.append(problems)
            missing += ("extension",)
        message = ". ".join(p[0].upper() + p[1:] for p in parts)
    override = ctx.overrides.get(rule.id)
    return Result(
        rule=rule.id,
        title=rule.title,
        standard=rule.target,
        clause=rule.clause,
        relation=relation,
        base_clauses=rule.relation.base,
        severity=(override.severity if override and override.severity else rule.severity),
        status=status,
        message=message,
        evidence=tuple(evidence),
        locations=tuple(sorted(set(locations))),
        guidance=rule.guidance,
        base=rule.base,
        missing=missing,
    )


def _pass_message(rule: Rule, evidence: Sequence[Evidence], base_label: str) -> str:
    listed = _list_evidence(evidence)
    if rule.relation.type == "full" and any(e.earned_through(rule.base) for e in evidence):
        return f"Met by existing {base_label} evidence: {listed}"
    if rule.relation.type == "partial":
        base = [e for e in evidence if e.earned_through(rule.base)]
        own = [e for e in evidence if e not in base]
        return f"{base_label} half: {_list_evidence(base)}; service management extension: {_list_evidence(own)}"
    return f"Met: {listed}"


def _list_evidence(evidence: Sequence[Evidence]) -> str:
    shown = [f"{e.document} via {e.via}" if e.via else e.document for e in evidence[:_MAX_DETAILS]]
    more = len(evidence) - len(shown)
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "") if shown else "(none)"


def resolve_targets(selector: Selector, rule: Rule, expand_self: bool) -> List[Ref]:
    """The requirement references a selector's ``addresses`` names for ``rule`` (self, base, clauses)."""
    refs: List[Ref] = []
    for token in selector.addresses:
        if token == "self":
            refs.append(rule.ref)
            if expand_self:
                refs.extend(rule.base_refs)
        elif token == "base":
            refs.extend(rule.base_refs)
        else:
            ref = parse_ref(token) if ":" in token else Ref(rule.ref.standard, rule.ref.edition, token)
            if ref is not None:
                refs.append(ref)
    return refs


def _evidence(candidates: Sequence[Candidate]) -> List[Evidence]:
    return [Evidence(c.doc.id or c.doc.path, c.doc.path, str(c.via) if c.via else None, c.doc.line) for c in candidates]


def _unique(evidence: Sequence[Evidence]) -> List[Evidence]:
    seen: Dict[Tuple[str, Optional[str]], Evidence] = {}
    for item in evidence:
        seen.setdefault((item.path, item.via), item)
    return list(seen.values())


def describe(check: Check, targets: Sequence[Ref], months: Optional[int]) -> str:
    """The evidence a check looks for, in words (``expect`` when the rule gives it)."""
    if check.expect:
        return check.expect
    noun = " or ".join(check.select.types) if check.select.types else "approved document or record"
    words = [noun]
    if check.select.ids:
        words.append("with id " + " or ".join(check.select.ids))
    if targets:
        words.append("addressing " + " or ".join(str(t) for t in targets))
    if months:
        words.append(f"dated within {months} months")
    if check.sections:
        words.append("with sections " + ", ".join(repr(s) for s in check.sections))
    return " ".join(words)


def _run_check(check: Check, rule: Rule, ctx: Context, targets: List[Ref]) -> _Outcome:
    override = ctx.overrides.get(rule.id)
    months = override.within_months if override and override.within_months else check.fresh_months
    candidates = ctx.index.select(check.select, targets)
    good: List[Candidate] = []
    bad: List[Tuple[Candidate, List[Tuple[str, int]]]] = []
    for candidate in candidates:
        defects = _defects(check, candidate, rule, ctx, months)
        if defects:
            bad.append((candidate, defects))
        else:
            good.append(candidate)
    what = describe(check, targets, months)
    shortfall = _shortfall(bad)
    bad_locations = [Location(c.doc.path, line) for c, defects in bad for _, line in defects]
    if check.none:
        if not good:
            return _Outcome(True)
        names = ", ".join(f"{c.doc.id} ({c.doc.path})" for c in good[:_MAX_DETAILS])
        return _Outcome(False, [f"expected no {what}, found {len(good)}: {names}"], [], [Location(c.doc.path, c.doc.line) for c in good])
    if check.per_service:
        if not ctx.index.services:
            return _Outcome(False, [f"no approved service catalogue lists services, so {what} cannot be checked per service"])
        lacking = [s for s in sorted(ctx.index.services) if sum(s in c.doc.string_list("services") for c in good) < check.at_least]
        if lacking:
            return _Outcome(False, [f"expected {what} for every service; none for {', '.join(lacking)}" + shortfall], _evidence(good), bad_locations)
        return _Outcome(True, evidence=_evidence(good))
    need = f"at least {check.at_least} {what}" if check.at_least > 1 else _article(what)
    if check.every:
        if len(candidates) < check.at_least:
            return _Outcome(False, [f"expected {what}; found {len(candidates) or 'none'}"])
        if bad:
            return _Outcome(False, [f"{len(bad)} of {len(candidates)} {what} fall short{shortfall}"], _evidence(good), bad_locations)
        return _Outcome(True, evidence=_evidence(good))
    if len(good) >= check.at_least:
        return _Outcome(True, evidence=_evidence(good))
    found = "found none" if not candidates else f"found {len(candidates)}, {len(good)} meeting the checks{shortfall}"
    return _Outcome(False, [f"expected {need}; {found}"], _evidence(good), bad_locations)


def _article(phrase: str) -> str:
    if phrase.split(" ", 1)[0].lower() in ("a", "an", "the", "at", "every", "no"):
        return phrase
    return ("an " if phrase[:1].lower() in "aeiou" else "a ") + phrase


def _shortfall(bad: Sequence[Tuple[Candidate, List[Tuple[str, int]]]]) -> str:
    if not bad:
        return ""
    shown = [f"{c.doc.id} ({c.doc.path}:{defects[0][1]}) {', '.join(d for d, _ in defects)}" for c, defects in bad[:_MAX_DETAILS]]
    more = len(bad) - len(shown)
    return ": " + "; ".join(shown) + (f"; and {more} more" if more > 0 else "")


def _norm(title: str) -> str:
    return " ".join(_NUMBERING.sub("", title.strip()).lower().split())


def _defects(check: Check, candidate: Candidate, rule: Rule, ctx: Context, months: Optional[int]) -> List[Tuple[str, int]]:
    """What keeps one selected document from meeting the check: (message, line) pairs."""
    doc = candidate.doc
    out: List[Tuple[str, int]] = []
    if check.sections:
        have = {_norm(s.title) for s in doc.sections}
        missing = [s for s in check.sections if _norm(s) not in have]
        if missing:
            out.append((("lacks section " if len(missing) == 1 else "lacks sections ") + ", ".join(repr(m) for m in missing), doc.line))
    for name in check.fields:
        if doc.meta.get(name) in (None, "", [], {}):
            out.append((f"has no {name}", doc.line_of(name)))
    if check.validator is not None:
        errors = sorted(check.validator.iter_errors(ctx.index.as_json(doc)), key=lambda e: [str(p) for p in e.absolute_path])
        if errors:
            path = list(errors[0].absolute_path)
            where = "/".join(str(p) for p in path)
            out.append(((f"{where}: " if where else "") + schema_error_text(errors[0]), doc.line_of(*path)))
    if months:
        day = to_date(doc.meta.get(check.fresh_field))
        if day is None:
            out.append((f"has no {check.fresh_field} date", doc.line))
        elif not within_months(day, ctx.as_of, months):
            out.append((f"{check.fresh_field} {day} is not within the {months} months before {ctx.as_of}", doc.line_of(check.fresh_field)))
    for name, selector in check.references:
        targets = resolve_targets(selector, rule, rule.relation.type == "full")
        allowed = {c.doc.id for c in ctx.index.select(selector, targets)}
        ids = doc.string_list(name)
        if not ids:
            out.append((f"has no {name}", doc.line))
        for target in ids:
            if target not in allowed:
                out.append((f"{name} {target} is not {describe(Check(select=selector), targets, None)}", doc.line_of(name)))
    return out


def schema_error_text(error: Any) -> str:
    """A JSON Schema error in words a quality manager reads (no dump of the whole value)."""
    if error.validator == "contains" and isinstance(error.validator_value, dict):
        props = error.validator_value.get("properties", {})
        consts = [f"{k} {v['const']!r}" for k, v in props.items() if isinstance(v, dict) and "const" in v]
        if consts:
            return "no entry with " + " and ".join(consts)
        if "const" in error.validator_value:
            return f"does not include {error.validator_value['const']!r}"
    if error.validator == "required":
        return error.message.replace("is a required property", "is required")
    message = error.message
    return message if len(message) <= 160 else message[:159] + "…"
