"""Rule evaluation: the relation semantics of DESIGN.md section 2, over the evidence index.

Credit follows the founding paper. Whether a requirement (or each half of a partial one) is
met is decided only by evidence that counts addressing it:

- full: evidence addressing the rule's clause *or* its ISO 9001 base clauses;
- partial: the ISO 9001 half (evidence for the base clauses) *and* the IT service management
  half (the rule's own checks, on evidence addressing the 20000-1 clause);
- none: the rule's own checks on evidence addressing the 20000-1 clause.

A half with no evidence at all is unmet: the rule's severity (normally major). Once any of its
checks finds evidence that counts, what an auditor then looks for never takes that credit away:
a record the auditor samples that is absent, lapsed (out of its window) or defective (a missing
field) is ``minor``; a topic the prose does not seem to mention is an observation on the
auditor's checklist.
"""

from __future__ import annotations

import traceback
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import PurePath

from imscheck.config import Override
from imscheck.errors import ImscheckError
from imscheck.evaluation.absence import PARSE_RULE, defect_findings, reasons, unreadable_note
from imscheck.evaluation.checklist import auditor_checklist
from imscheck.evaluation.defects import Defect, defects
from imscheck.evaluation.freshness import lapsed, outside_text, split, window_for
from imscheck.evaluation.index import Candidate, Uncounted
from imscheck.evaluation.lookups import Lookups
from imscheck.excerpt import excerpt
from imscheck.findings import finding_results
from imscheck.hygiene import Inspection
from imscheck.results import Evidence, Location, Result, TopicCheck
from imscheck.rulelang import DEFAULT_CHECK, describe, resolve_targets
from imscheck.rules import BuiltinRule, Check, Pack, Rule, Selector
from imscheck.standards import Ref, standard_name
from imscheck.terms import ERROR, SEVERITY_RANK
from imscheck.wording import MAX_SHOWN, first_few

_STATING = Selector(addresses=("self",))  # the controlled documents that may state an activity's interval
_OK, _MINOR, _MISSING = "ok", "minor", "missing"
_EXCERPT = 100  # characters of an exception's text in an error result: it may quote the repository


@dataclass
class _Outcome:
    level: str  # ok | minor (evidence present, falls short) | missing (no evidence: the half is unmet)
    problems: list[str] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    locations: list[Location] = field(default_factory=list)
    checklist: list[TopicCheck] = field(default_factory=list)
    found: list[str] = field(default_factory=list)  # each problem without the expectation it restates
    absent: _Absence | None = None  # missing: what was looked for, explained once the rule's evidence is known


@dataclass(frozen=True)
class _Absence:
    what: str
    check: Check
    uncounted: tuple[Uncounted, ...]


def evaluate_pack(pack: Pack, hygiene: Mapping[str, BuiltinRule], inspection: Inspection, ctx: Lookups) -> list[Result]:
    """All results before scoping: one per requirement rule, then the hygiene findings (one pass each if none)."""
    ctx = replace(ctx, defects=defect_findings(inspection.findings, sorted(inspection.defective)),
                  unreadable=tuple(f for f in inspection.findings if f.rule == PARSE_RULE))
    results = [_isolated(with_override(rule, ctx.overrides.get(rule.id)), ctx) for rule in pack.rules]
    # The hygiene findings are computed before any rule (hygiene.inspect), several rules in one pass
    # per document, and decide which documents count for every rule: not isolated rule by rule.
    results.extend(finding_results(hygiene, inspection.findings, ctx.overrides))
    return results


def _isolated(rule: Rule, ctx: Lookups) -> Result:
    """The rule's result; if evaluating it raises, an ``error`` result and the other rules still run.

    As flake8 and ruff report a crashing check as a finding instead of dying, an unexpected
    exception is one rule that could not be evaluated, never a lost run. Evaluation only reads
    the index and fills its caches after computing, so a rule that raises leaves nothing half
    done for the next. ``Exception`` only: KeyboardInterrupt and SystemExit stop the run; a
    set-up error (ImscheckError) stays exit 2.
    """
    try:
        return evaluate_rule(rule, ctx)
    except (ImscheckError, MemoryError):  # set-up errors stay exit 2; out of memory, nothing after is safe
        raise
    except Exception as exc:  # any fault of one rule: isolating it is the point
        return _error_result(rule, exc)


def _error_result(rule: Rule, exc: Exception) -> Result:
    """A rule that could not be evaluated: its own severity, what went wrong, what to do."""
    # where it failed, for the maintainers: the innermost function with a source file (not code
    # generated at run time), without line numbers, so the message does not change with them
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.endswith(".py")]
    where = f" in {frames[-1].name} ({PurePath(frames[-1].filename).name})" if frames else ""
    message = (f"Could not be evaluated: {type(exc).__name__}{where}: {excerpt(str(exc), _EXCERPT)}. Report it to the "
               f"imscheck maintainers with the rule id {rule.id}; the other rules' results stand")
    return Result(rule=rule.id, title=rule.title, standard=rule.target, clause=rule.clause, relation=rule.relation.type,
                  base_clauses=rule.relation.base, severity=rule.severity, status=ERROR, message=message,
                  guidance=rule.guidance, base=rule.base)


def with_override(rule: Rule, override: Override | None) -> Rule:
    """The rule as imscheck.yaml's ``overrides`` adjust it, applied once before evaluation.

    A severity replaces the rule's; a window (``within_months``) replaces the interval of the
    checks that have one (the rule's, the one the organisation states, and the grace) and means
    nothing to a check without freshness, such as the procedure every process needs.
    """
    if override is None:
        return rule
    if override.severity:
        rule = replace(rule, severity=override.severity)
    months = override.within_months
    if months:
        checks = tuple(replace(c, fresh_months=months, fresh_grace=0, fresh_declared_by=None) if c.fresh_months is not None else c
                       for c in rule.checks)
        rule = replace(rule, checks=checks)
    return rule


def evaluate_rule(rule: Rule, ctx: Lookups) -> Result:
    relation = rule.relation.type
    outcomes = [_run_check(check, rule, ctx, resolve_targets(check.select, rule, relation == "full"))
                for check in (rule.checks or (DEFAULT_CHECK,))]
    base = _base_half(rule, ctx) if relation == "partial" else _Outcome(_OK)
    # a document that earns credit from another check of the rule is no answer to "found none"
    credited = {e.path for o in [base] + outcomes for e in o.evidence}
    outcomes = _credit([_explain(o, credited, rule, ctx) for o in outcomes])
    base_label = standard_name(rule.base)
    evidence = _unique(base.evidence + [e for o in outcomes for e in o.evidence])
    checklist = tuple(item for o in [base] + outcomes for item in o.checklist)
    missing: tuple[str, ...] = (("base",) if base.level == _MISSING else ()) + (
        ("extension",) if any(o.level == _MISSING for o in outcomes) else ())
    short = [o for o in outcomes if o.level == _MINOR]
    rule_severity = rule.severity
    if missing:
        status, severity = "fail", rule_severity
        message = _missing_message(rule, base, outcomes, missing, base_label)
        found = tuple(p for o in [base] + outcomes if o.level == _MISSING for p in o.found)
        locations = [loc for o in [base] + outcomes for loc in o.locations]
    elif short:
        status = "fail"
        severity = min(rule_severity, "minor", key=SEVERITY_RANK.__getitem__)
        message = _shortfall_message(outcomes)
        found = tuple(p for o in short for p in o.found)
        locations = [loc for o in short for loc in o.locations]
    else:
        status, severity = "pass", rule_severity
        message = _pass_message(rule, evidence, base_label)
        found = ()
        locations = [Location(e.path, e.line) for e in evidence]
    return Result(
        rule=rule.id,
        title=rule.title,
        standard=rule.target,
        clause=rule.clause,
        relation=relation,
        base_clauses=rule.relation.base,
        severity=severity,
        status=status,
        message=message,
        evidence=tuple(evidence),
        locations=tuple(sorted(set(locations))),
        guidance=rule.guidance,
        base=rule.base,
        missing=missing,
        checklist=checklist,
        found=found,
    )


def _credit(outcomes: list[_Outcome]) -> list[_Outcome]:
    """A half is met when any of its checks finds evidence that counts; a check that then finds
    nothing leaves that evidence incomplete (minor), not the requirement unaddressed (major)."""
    if not any(o.level != _MISSING and o.evidence for o in outcomes):
        return outcomes
    return [_Outcome(_MINOR, o.problems, locations=o.locations, found=o.found) if o.level == _MISSING else o for o in outcomes]


def _base_half(rule: Rule, ctx: Lookups) -> _Outcome:
    """The ISO 9001 half of a partial rule: evidence addressing each base clause (or its sub-clauses)."""
    evidence: list[Evidence] = []
    lacking: list[Ref] = []
    for ref in rule.base_refs:
        found = ctx.index.addressing([ref])
        evidence.extend(_evidence(found))
        if not found:
            lacking.append(ref)
    if not evidence:
        text = f"no approved document or dated record addresses {' or '.join(map(str, lacking))}"
        return _Outcome(_MISSING, [text], found=[text])
    # The half is evidenced; a base clause no document names is a question for the auditor to
    # ask (an ISO 9001 system covers every clause somewhere), not a shortfall of this requirement.
    label = standard_name(rule.base)
    prompts = [TopicCheck(f"the {label} arrangements for {ref.clause}", False, None, None, 1,
                          f"an auditor will look for the {label} arrangements this requirement builds on; nothing addresses {ref}")
               for ref in lacking]
    return _Outcome(_OK, evidence=_unique(evidence), checklist=prompts)


def _adds(rule: Rule) -> str:
    return rule.relation.adds.rstrip(".") if rule.relation.adds else "service management specifics"


def _missing_message(rule: Rule, base: _Outcome, outcomes: Sequence[_Outcome], missing: Sequence[str], base_label: str) -> str:
    absent = "; ".join(p for o in outcomes if o.level == _MISSING for p in o.problems)
    parts: list[str] = []
    if "base" in missing:
        parts.append(f"{base_label} half missing: {base.problems[0]}")
    if "extension" in missing:
        if rule.relation.type == "partial":
            parts.append(f"IT service management extension missing ({_adds(rule)}): {absent}")
        elif rule.relation.type == "full":
            clauses = ", ".join(rule.relation.base)
            parts.append(f"Not addressed: {absent} (fully covered by {base_label} {clauses}: evidence for either standard's clause counts)")
        else:
            parts.append(f"Not addressed: {absent}")
    credited = [o for o in [base] + list(outcomes) if o.level != _MISSING and o.evidence]
    if "base" not in missing and rule.relation.type == "partial" and base.evidence:
        parts.append(f"{base_label} half in place: {_list_evidence(base.evidence)}")
    elif credited and "extension" in missing and rule.relation.type != "partial":
        parts.append(f"Evidence found so far: {_list_evidence([e for o in credited for e in o.evidence])}")
    return ". ".join(p[0].upper() + p[1:] for p in parts)


def _shortfall_message(outcomes: Sequence[_Outcome]) -> str:
    problems = "; ".join(p for o in outcomes if o.level == _MINOR for p in o.problems)
    return f"Evidence present but falls short: {problems}"


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
    """Each document once, with every clause it is credited through ("KMS-QP-20 via .../10.1 & .../10.3")."""
    if not evidence:
        return "(none)"
    routes: dict[str, list[str]] = {}
    for e in evidence:
        vias = routes.setdefault(e.document, [])
        if e.via and e.via not in vias:
            vias.append(e.via)
    return first_few([f"{doc} via {' & '.join(vias)}" if vias else doc for doc, vias in routes.items()])


def _evidence(candidates: Sequence[Candidate]) -> list[Evidence]:
    return [Evidence(c.doc.id or c.doc.path, c.doc.path, str(c.via) if c.via else None, c.doc.line) for c in candidates]


def _unique(evidence: Sequence[Evidence]) -> list[Evidence]:
    seen: dict[tuple[str, str | None], Evidence] = {}
    for item in evidence:
        seen.setdefault((item.path, item.via), item)
    return list(seen.values())


def _run_check(check: Check, rule: Rule, ctx: Lookups, targets: list[Ref]) -> _Outcome:
    stating = [c.doc for c in ctx.index.select(_STATING, targets)] if check.fresh_declared_by else []
    window = window_for(check, None, stating, ctx.vocabulary)  # overrides are in the rule's data already
    what = describe(check, targets, window.total if window else None)
    candidates = ctx.index.select(check.select, targets)
    if check.none:
        return _forbidden(check, rule, ctx, candidates, what)
    pool, stale = split(check, candidates, ctx.as_of, window)
    if not pool:
        if check.when_present:
            return _Outcome(_OK)
        if stale and window is not None:
            text, location = lapsed(check, stale, what, window, ctx.as_of)
            return _Outcome(_MINOR, [text], _evidence(stale), [location], found=[text])
        return _Outcome(_MISSING, absent=_Absence(what, check, tuple(ctx.index.not_counting(check.select, targets))))
    good: list[Candidate] = []
    bad: list[tuple[Candidate, list[Defect]]] = []
    for candidate in pool:
        found = defects(check, candidate, rule, ctx)
        (bad.append((candidate, found)) if found else good.append(candidate))
    checklist = auditor_checklist(check.topics, [c.doc for c in (good or pool)], ctx.vocabulary)
    shortfall = _shortfall(bad)
    bad_locations = [Location(c.doc.path, d.line) for c, found in bad for d in found]
    per_service = check.per_service and bool(ctx.index.services)
    if per_service and not any(c.doc.string_list("services") for c in pool):
        # `services` is optional metadata: with none named, which service each covers cannot be
        # told, and an auditor's question is worth asking, not a finding
        per_service = False
        checklist.append(_unnamed_services(what, pool))
    problem: str | None = None
    seen = ""  # the problem without the expectation it restates
    if per_service:
        covering = good + [c for c, found in bad if not any(d.counts_for_service for d in found)]
        lacking = [s for s in sorted(ctx.index.services) if sum(s in c.doc.string_list("services") for c in covering) < check.at_least]
        if lacking:
            seen = f"none for {', '.join(lacking)}{shortfall}"
            problem = f"expected {what} for every service in the catalogue; {seen}"
    elif len(good) < check.at_least:
        need = f"at least {check.at_least} {what}" if check.at_least > 1 else _article(what)
        seen = f"{len(pool)}, {len(good)} meeting the checks{shortfall}{outside_text(check, stale, window)}"
        problem = f"expected {need}; found {seen}"
        seen = f"{len(pool)} found, {len(good)} meeting the checks{shortfall}{outside_text(check, stale, window)}"
    reported = bad if check.every else [(c, found) for c, found in bad if not all(d.counts_for_service for d in found)]
    if problem is None and reported:
        problem = seen = f"{len(reported)} of {len(pool)} {what} fall short{_shortfall(reported)}"
    if problem is not None:
        return _Outcome(_MINOR, [problem], _evidence(pool), bad_locations, checklist, found=[seen])
    return _Outcome(_OK, evidence=_evidence(pool), checklist=checklist)


def _unnamed_services(what: str, pool: Sequence[Candidate]) -> TopicCheck:
    first = pool[0].doc
    message = (f"an auditor will check that every catalogued service has {_article(what)}; none of them names its "
               f"services (list the catalogue ids under services:), so imscheck cannot tell which service each covers")
    return TopicCheck("which catalogued service each one covers", False, first.name, first.path, first.line, message)


def _explain(outcome: _Outcome, credited: set[str], rule: Rule, ctx: Lookups) -> _Outcome:
    """A check that found nothing: say so, naming the documents that would have counted and why
    they do not (a draft, a withdrawn document, a record dated too late, broken metadata, another
    type), or else the files that could not be read."""
    absent = outcome.absent
    if absent is None:
        return outcome
    # A document of another type is named only if it holds what the check asks for (its fields)
    # and counts for no other check of the rule: the continuity plan is not the missing test record.
    uncounted = [u for u in absent.uncounted
                 if u.why != "type" or (u.doc.path not in credited and not defects(absent.check, Candidate(u.doc, u.via), rule, ctx))]
    texts, locations = reasons(uncounted, absent.check.select, ctx.defects, ctx.as_of)
    if texts:
        listed = first_few(texts, "; ")
        seen = f"none that counts: {listed}"
        found = f"no {_bare(absent.what)} ({listed})"
    else:
        # Named in the message only: located at the broken file, every missing requirement would
        # become one more alert on it, while DOC-PARSE already reports it there.
        note = unreadable_note(ctx.unreadable)
        seen = "none" + note
        found = f"no {_bare(absent.what)}{note}"
    # Beside a single expectation "none ..." is clear; beside several, say which one is lacking.
    if len(rule.checks) < 2 and rule.relation.type != "partial":
        found = seen
    return _Outcome(_MISSING, [f"expected {_article(absent.what)}; found {seen}"], locations=locations, found=[found])


def _bare(phrase: str) -> str:
    """A phrase without its article, to follow "no" ("no approved procedure")."""
    first, _, rest = phrase.partition(" ")
    return rest if first.lower() in ("a", "an", "the") and rest else phrase


def _forbidden(check: Check, rule: Rule, ctx: Lookups, candidates: Sequence[Candidate], what: str) -> _Outcome:
    """A ``none`` check: no selected document may meet the check's conditions."""
    meeting = [c for c in candidates if not defects(check, c, rule, ctx)]
    if not meeting:
        return _Outcome(_OK)
    names = ", ".join(f"{c.doc.name} ({c.doc.path})" for c in meeting[:MAX_SHOWN])
    return _Outcome(_MINOR, [f"expected no {what}, found {len(meeting)}: {names}"], [], [Location(c.doc.path, c.doc.line) for c in meeting],
                    found=[f"{len(meeting)} found: {names}"])


def _article(phrase: str) -> str:
    if phrase.split(" ", 1)[0].lower() in ("a", "an", "the", "at", "every", "no"):
        return phrase
    return ("an " if phrase[:1].lower() in "aeiou" else "a ") + phrase


def _shortfall(bad: Sequence[tuple[Candidate, list[Defect]]]) -> str:
    if not bad:
        return ""
    return ": " + first_few([f"{c.doc.name} ({c.doc.path}:{found[0].line}) {', '.join(d.message for d in found)}"
                             for c, found in bad], "; ")
