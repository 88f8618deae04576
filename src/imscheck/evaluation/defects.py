"""What keeps one piece of evidence from meeting a check: the auditor's look at structured content.

Each defect is a sentence naming what the document lacks, and the line to show. Concepts are
looked up through the vocabulary, so a finding about a missing field lists the names accepted
and says how to map the organisation's own.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, NamedTuple

from imscheck.evaluation.index import Candidate
from imscheck.prose import flatten
from imscheck.rulelang import describe, resolve_targets
from imscheck.rules import Check, Rule
from imscheck.vocabulary import Concept, Found, accepted_names

if TYPE_CHECKING:
    from imscheck.evaluation.lookups import Lookups

_ID_SPLIT = re.compile(r"[\s,;()\[\]{}]+")


class Defect(NamedTuple):
    """One thing a document lacks, and the line to show."""

    message: str
    line: int
    # False for a service the catalogue lacks: the document still counts for the services it names
    counts_for_service: bool = True


def missing_concept(concept: Concept) -> str:
    """What a document lacks, the names that would have counted, and how to map another."""
    if not concept.kind:  # a field an organisation's own rule names
        return f"lacks {concept.title}"
    return (f"lacks {concept.title} (a field such as {accepted_names(concept)}; to use your own name, map it in "
            f"imscheck.yaml under vocabulary: {concept.kind}: {concept.name})")


def defects(check: Check, candidate: Candidate, rule: Rule, ctx: Lookups) -> list[Defect]:
    """What keeps one selected document from meeting the check."""
    doc = candidate.doc
    vocabulary = ctx.vocabulary
    out: list[Defect] = []
    covered = dict(check.covers)
    listed = (check.listed_documents,) if check.listed_documents else ()
    held: dict[str, Found] = {}
    for name in dict.fromkeys(check.fields + tuple(covered) + listed):
        concept = vocabulary.concept(f"{check.kind}.{name}") if check.kind else vocabulary.own_field(name)
        assert concept is not None  # checked when the rule was loaded
        found = vocabulary.find(doc, concept)
        if found is None:
            out.append(Defect(missing_concept(concept), doc.line))
            continue
        held[name] = found
        topics = [vocabulary.topics[t] for t in covered.get(name, ())]
        absent = [t.title for t in topics if not found.mentions(t)]
        if absent:
            out.append(Defect(f"{found.label}: no mention of {'; '.join(absent)}", found.line))
    if check.listed_documents in held:
        out.extend(_unlisted(held[check.listed_documents], ctx))
    if check.services_catalogued and ctx.index.services:
        unknown = [s for s in doc.string_list("services") if s not in ctx.index.services]
        if unknown:
            out.append(Defect(f"names service {', '.join(unknown)}, which the service catalogue does not list",
                              doc.line_of("services"), counts_for_service=False))
    if check.validator is not None:
        try:
            errors = sorted(check.validator.iter_errors(ctx.index.as_json(doc)), key=lambda e: [str(p) for p in e.absolute_path])
        except RecursionError:
            # jsonschema recurses per level of the value and per schema applied within a level: a
            # document nested near its limit under a recursive schema can take more than Python's
            # stack, as parsing can (a document too deeply nested is a finding there too)
            errors = []
            out.append(Defect("is nested too deeply to be checked against the rule's schema (assert): flatten the document "
                              "or the schema", doc.line))
        if errors:
            path = list(errors[0].absolute_path)
            where = "/".join(str(p) for p in path)
            out.append(Defect((f"{where}: " if where else "") + schema_error_text(errors[0]), doc.line_of(*path)))
    for name, selector in check.references:
        targets = resolve_targets(selector, rule, rule.relation.type == "full")
        allowed = ctx.index.selected_ids(selector, targets)
        ids = doc.string_list(name)
        if not ids:
            out.append(Defect(f"has no {name}", doc.line))
        for target in ids:
            if target not in allowed:
                out.append(Defect(f"{name} {target} is not {describe(Check(select=selector), targets, None)}", doc.line_of(name)))
    return out


def _unlisted(found: Found, ctx: Lookups) -> list[Defect]:
    """Documents of the repository a register lists that do not count as evidence (draft, withdrawn)."""
    out: list[Defect] = []
    for text in flatten(found.value):
        for token in _ID_SPLIT.split(text):
            listed = ctx.index.known.get(token)
            if listed is not None and listed.id not in ctx.index.by_id:
                problem = ctx.defects.get(listed.path)
                status = listed.meta.get("status")
                if status == "approved" and problem is not None:  # approved, but its metadata keeps it out
                    out.append(Defect(f"lists {token}, which has a {problem.rule} finding: fix it for it to count", found.line))
                else:
                    out.append(Defect(f"lists {token}, which is {status or 'not evidence'}: only approved documents count", found.line))
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
        return str(error.message).replace("is a required property", "is required")
    message = str(error.message)
    return message if len(message) <= 160 else message[:159] + "…"
