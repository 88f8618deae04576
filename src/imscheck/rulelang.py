"""What the rule language's words mean, apart from evaluating them: which requirement references
a selector's ``addresses`` names, and a check's expectation in words. Evaluation
(:mod:`imscheck.evaluation.engine`) and the rule documentation (``imscheck rules show``) both read rules
through this module, so they cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Sequence

from imscheck.rules import Check, Rule, Selector
from imscheck.standards import Ref, parse_ref

# a rule without evidence checks: one approved document addressing the requirement
DEFAULT_CHECK = Check(select=Selector(addresses=("self",)))


def resolve_targets(selector: Selector, rule: Rule, expand_self: bool) -> list[Ref]:
    """The requirement references a selector's ``addresses`` names for ``rule`` (self, base, clauses).

    For a full relation ``self`` takes in the ISO 9001 base clauses, named first: a document
    addressing both standards then shows the ISO 9001 reference that earned the credit.
    """
    refs: list[Ref] = []
    for token in selector.addresses:
        if token == "self":
            if expand_self:
                refs.extend(rule.base_refs)
            refs.append(rule.ref)
        elif token == "base":
            refs.extend(rule.base_refs)
        else:
            ref = parse_ref(token) if ":" in token else Ref(rule.ref.standard, rule.ref.edition, token)
            if ref is not None:
                refs.append(ref)
    return refs


def describe(check: Check, targets: Sequence[Ref], months: int | None) -> str:
    """The evidence a check looks for, in words (``expect`` when the rule gives it)."""
    if check.expect:
        return check.expect
    noun = " or ".join(check.select.types) if check.select.types else "approved document"
    words = [noun]
    if check.select.ids:
        words.append("with id " + " or ".join(check.select.ids))
    if targets:
        words.append("addressing " + " or ".join(str(t) for t in targets))
    if months:
        words.append(f"dated within {months} months")
    return " ".join(words)
