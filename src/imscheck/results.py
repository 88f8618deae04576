"""The one immutable result type, the run that holds them, and the exit code computed from them."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from imscheck.errors import EXIT_FINDINGS, EXIT_OK
from imscheck.terms import (
    ERROR,
    FAIL,
    FAILING,
    FULL,
    PARTIAL,
    PASS,
    RELATIONS,
    REQUIREMENT,
    SEVERITIES,
    SEVERITY_RANK,
    STATUSES,
    SUPPRESSED,
)


@dataclass(frozen=True, order=True)
class Location:
    path: str
    line: int


@dataclass(frozen=True)
class Evidence:
    """A document that earned credit, and the requirement reference (``via``) that earned it."""

    document: str
    path: str
    via: str | None
    line: int = 1

    def earned_through(self, edition: str | None) -> bool:
        """True if the credit came through a clause of ``edition`` (e.g. iso9001:2015)."""
        return edition is not None and (self.via or "").startswith(f"{edition}/")


@dataclass(frozen=True)
class TopicCheck:
    """One line of the auditor's checklist: a topic read for in the evidence, and where it was found.

    A topic not found is an observation (an opportunity to improve): it never fails a requirement.
    """

    topic: str  # what an auditor looks for, in words
    found: bool
    document: str | None = None  # where it was found, or the document read when it was not
    path: str | None = None
    line: int = 1
    message: str | None = None  # the observation, when not found


@dataclass(frozen=True)
class Suppression:
    """Why a result is out of the findings: the waiver or not-applicable entry of imscheck.yaml that
    took it out, as the scope decision made it (reporters use this, never the message text)."""

    kind: str  # waiver | not_applicable
    reason: str  # the waiver's reason, or the entry's justification
    line: int  # of the entry in imscheck.yaml
    approved_by: str | None = None
    expires: dt.date | None = None  # waivers only
    finding: str | None = None  # the message the result had before it was suppressed


@dataclass(frozen=True)
class Result:
    """The outcome of one rule (or one hygiene finding). Never mutated after creation."""

    rule: str
    title: str
    standard: str | None
    clause: str | None
    relation: str | None
    base_clauses: tuple[str, ...]
    severity: str
    status: str
    message: str
    evidence: tuple[Evidence, ...] = ()
    locations: tuple[Location, ...] = ()
    guidance: str | None = None
    base: str | None = None  # base edition key (iso9001:2015) for requirement rules
    missing: tuple[str, ...] = ()  # which halves failed: "base", "extension"
    description: str | None = None  # what the rule checks (hygiene, git and config rules)
    new: bool | None = None  # failing now but not at the base revision; None: no comparison
    checklist: tuple[TopicCheck, ...] = ()  # the topics an auditor reads the prose for
    suppression: Suppression | None = None  # set with status waived / not_applicable
    # what the evidence showed, check by check, without the expectation the rule states (the
    # audit report prints the expectation beside it); empty: the message says it all
    found: tuple[str, ...] = ()
    # requirement (a rule of the pack), or the built-in family: hygiene | git | configuration
    kind: str = REQUIREMENT

    @property
    def failing(self) -> bool:
        return self.status in FAILING

    @property
    def display_status(self) -> str:
        """The severity of a failed result, else its status (``error``: the rule could not be
        evaluated, so nothing was found wanting; ``pass``, ``waived``, ``not_applicable``)."""
        return self.severity if self.status == FAIL else self.status

    @property
    def observations(self) -> tuple[TopicCheck, ...]:
        """Opportunities to improve: checklist topics the evidence does not seem to mention."""
        if self.status in SUPPRESSED:
            return ()
        return tuple(item for item in self.checklist if not item.found)

    @property
    def credited(self) -> bool:
        """Every half of the requirement has evidence that counts (a minor shortfall keeps the credit)."""
        return self.status in (PASS, FAIL) and self.is_requirement and not self.missing

    @property
    def base_half_in_place(self) -> bool:
        """The ISO 9001 half of a partial requirement has its evidence, whatever the other half lacks."""
        return (self.relation == PARTIAL and self.status in (PASS, FAIL) and "base" not in self.missing
                and any(e.earned_through(self.base) for e in self.evidence))

    @property
    def credited_to_base(self) -> bool:
        """Met through evidence addressing the base (ISO 9001) edition: the integration dividend."""
        return self.credited and any(e.earned_through(self.base) for e in self.evidence)

    @property
    def is_requirement(self) -> bool:
        return self.kind == REQUIREMENT

    @property
    def group(self) -> str:
        """Top-level clause for requirement rules, ``hygiene`` for the rest."""
        return self.clause.split(".", 1)[0] if self.clause else "hygiene"


_LINE_NUMBERS = re.compile(r"(?<=:)\d+\b|\bline \d+")


def fingerprint(result: Result) -> str:
    """Identity of a finding that survives edits elsewhere in the file: lines are left out.

    A requirement rule has one result, so its id is enough; a hygiene, git or config finding is
    one of many, told apart by its files and its message. Used for ``new`` findings and SARIF
    ``partialFingerprints``.
    """
    if result.is_requirement:
        key = result.rule
    else:
        paths = ",".join(sorted({loc.path for loc in result.locations}))
        key = "\0".join((result.rule, paths, _LINE_NUMBERS.sub("#", result.message)))
    # surrogatepass: a lone surrogate (a value no report can show) must not crash an identity
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]


@dataclass(frozen=True)
class Comparison:
    """The base of ``--changed-since`` / ``--staged``: the revision asked for and its commit."""

    ref: str
    commit: str | None
    staged: bool = False
    # Why the base could not be evaluated (then every failing result counts as new), or None.
    base_problem: str | None = None


@dataclass(frozen=True)
class Run:
    """Everything a reporter needs about one evaluation."""

    tool_version: str
    repository: str
    commit: str | None
    as_of: dt.date
    standard: str
    base: str
    results: tuple[Result, ...]
    config_path: str | None = None
    documents: tuple[object, ...] = field(default=(), compare=False, repr=False)
    comparison: Comparison | None = None
    # Where a finding with no file of its own is shown (SARIF needs a location for every result):
    # imscheck.yaml, else README.md, else the first document.
    anchor: str = "imscheck.yaml"
    fail_on: str = "minor"  # the threshold in force: --fail-on, else imscheck.yaml, else minor
    # The checked folder inside its git work tree ("docs/"; "" at the top or outside git): code
    # scanning and GitLab place a file by its path from the work-tree root.
    prefix: str = ""

    def summary(self) -> dict[str, Any]:
        return summarize(self.results)


def summarize(results: Iterable[Result]) -> dict[str, Any]:
    """Counts by status, and failing results by severity."""
    results = list(results)
    by_status = {status: 0 for status in STATUSES}
    failing = {severity: 0 for severity in SEVERITIES}
    observations = 0
    for result in results:
        by_status[result.status] += 1
        if result.failing:
            failing[result.severity] += 1
        observations += len(result.observations)
    requirements = [r for r in results if r.is_requirement]
    relation = {kind: {"total": 0, "pass": 0, "credited": 0} for kind in RELATIONS}
    for result in requirements:
        if result.relation in relation:
            relation[result.relation]["total"] += 1
            relation[result.relation]["pass"] += result.status == PASS
            relation[result.relation]["credited"] += (result.relation == FULL and result.credited_to_base) or result.base_half_in_place
    return {
        "total": len(results),
        "requirements": len(requirements),
        "by_status": by_status,
        "failing_by_severity": failing,
        "observations": observations,
        "by_relation": relation,
    }


def exit_code(results: Iterable[Result], fail_on: str, new_only: bool = False) -> int:
    """``EXIT_FINDINGS`` if any failing result is at or above ``fail_on``; errors always count.

    Observations on passing requirements count at ``--fail-on observation``. With ``new_only``
    only findings that are new since the comparison's base count, and errors: a rule that could
    not be evaluated may hide a new finding. ``never`` is exit 0 whatever the results (the CLI
    still names the errors on stderr).
    """
    if fail_on == "never":
        return EXIT_OK
    threshold = SEVERITY_RANK[fail_on]
    for result in results:
        if new_only and not result.new and result.status != ERROR:
            continue
        if result.status == ERROR or (result.status == FAIL and SEVERITY_RANK[result.severity] >= threshold):
            return EXIT_FINDINGS
        if threshold == SEVERITY_RANK["observation"] and result.observations:
            return EXIT_FINDINGS
    return EXIT_OK
