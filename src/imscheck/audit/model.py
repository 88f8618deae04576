"""The audit report's view model: plain, immutable data that the templates only present.

Everything here is derived from a :class:`~imscheck.results.Run` and the rule pack, catalogue and
configuration it was evaluated with; nothing reads the clock, so the same repository and
``as_of`` give the same report.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DocRef:
    """A document as the report names it."""

    id: str
    title: str
    path: str
    line: int
    type: str
    status: str
    owner: str
    anchor: str


@dataclass(frozen=True)
class Place:
    """A file line an auditor can open."""

    path: str
    line: int


@dataclass(frozen=True)
class EvidenceLink:
    """A document that earned credit for a requirement, through its own reference ``via``."""

    document: str
    path: str
    line: int
    via: str
    source: str  # "base" (ISO 9001), "target" (ISO/IEC 20000-1) or "other"
    anchor: str | None


@dataclass(frozen=True)
class ChecklistItem:
    """A topic an auditor reads the evidence for: found in a document (where), or not found."""

    topic: str
    found: bool
    document: str  # where it was found, or the document read when it was not ("" if none)
    path: str
    line: int
    anchor: str | None  # the document's row in the evidence index


@dataclass(frozen=True)
class ObservationItem:
    """An opportunity for improvement: a checklist topic the evidence does not seem to mention.

    It never changes its requirement's status, which is shown beside it.
    """

    target: str | None  # anchor of the requirement's evidence row (its checklist)
    clause: str | None
    heading: str
    rule: str
    status: str
    label: str
    topic: str
    message: str
    document: str
    path: str
    line: int
    doc_anchor: str | None


@dataclass(frozen=True)
class Count:
    key: str
    label: str
    count: int


@dataclass(frozen=True)
class LegendEntry:
    key: str
    short: str
    label: str


@dataclass(frozen=True)
class Cell:
    """One requirement in the readiness grid."""

    clause: str
    title: str
    summary: str
    status: str
    label: str
    relation: str | None
    letter: str
    target: str  # anchor of its detail
    rules: tuple[str, ...]
    observations: int  # opportunities for improvement on its results (never its status)


@dataclass(frozen=True)
class ClauseGroup:
    number: str
    title: str
    cells: tuple[Cell, ...]
    met: int


@dataclass(frozen=True)
class Readiness:
    verdict: str
    verdict_key: str  # ready | nearly | not-ready
    met: int
    in_scope: int
    percent: int
    total: int
    counts: tuple[Count, ...]
    groups: tuple[ClauseGroup, ...]
    observations: int  # opportunities for improvement over all results
    observed: int  # requirements carrying at least one


@dataclass(frozen=True)
class Segment:
    """One coloured part of a bar in the dividend chart, in chart units."""

    status: str
    label: str
    count: int
    x: float
    width: float


@dataclass(frozen=True)
class RelationRow:
    """How many requirements have one relation to ISO 9001, and how many are met."""

    relation: str
    label: str
    meaning: str
    letter: str
    total: int
    met: int
    open: int
    out_of_scope: int
    credited: int  # full: credited to ISO 9001 evidence; partial: the ISO 9001 half in place
    credited_open: int  # of those, how many still carry a (minor) finding to close
    segments: tuple[Segment, ...]
    y: float


@dataclass(frozen=True)
class Dividend:
    rows: tuple[RelationRow, ...]
    requirements: int
    chart_width: float
    chart_height: float
    bar_left: float
    bar_width: float


@dataclass(frozen=True)
class Nonconformity:
    """A nonconformity: what was expected, what was found, where, and what to do."""

    anchor: str
    severity: str
    kind: str  # requirement | document
    clause: str | None
    heading: str
    rule: str
    relation: str | None
    expected: tuple[str, ...]
    adds: str | None
    found: str
    missing: tuple[str, ...]
    places: tuple[Place, ...]
    evidence: tuple[EvidenceLink, ...]
    guidance: str | None
    checklist: tuple[ChecklistItem, ...] = ()
    more_places: int = 0  # places beyond those listed (see audit.fold)
    more_evidence: int = 0  # records of evidence beyond the sample listed


@dataclass(frozen=True)
class SeverityGroup:
    severity: str
    label: str
    findings: tuple[Nonconformity, ...]


@dataclass(frozen=True)
class ScopeEntry:
    """A waiver or a not-applicable entry of ``imscheck.yaml``, and what it does in this run."""

    anchor: str
    kind: str  # waiver | not_applicable
    target: str
    heading: str
    justification: str
    approved_by: str
    expires: str
    state: str
    state_key: str
    line: int
    covers: tuple[str, ...]
    finding: str | None


@dataclass(frozen=True)
class ReviewItem:
    doc: DocRef
    due: str
    days: int
    line: int  # of the review field, where the fix goes


@dataclass(frozen=True)
class Reference:
    doc: DocRef
    field: str
    line: int


@dataclass(frozen=True)
class WithdrawnItem:
    doc: DocRef
    referenced_by: tuple[Reference, ...]
    more: int = 0  # references beyond those listed


@dataclass(frozen=True)
class DocumentControl:
    horizon_days: int
    overdue: tuple[ReviewItem, ...]
    due_soon: tuple[ReviewItem, ...]
    drafts: tuple[DocRef, ...]
    withdrawn: tuple[WithdrawnItem, ...]


@dataclass(frozen=True)
class RequirementEvidence:
    anchor: str
    clause: str
    title: str
    rule: str | None
    relation: str | None
    status: str
    label: str
    links: tuple[EvidenceLink, ...]
    note: str
    checklist: tuple[ChecklistItem, ...] = ()
    more: int = 0  # records of evidence beyond the sample listed


@dataclass(frozen=True)
class Support:
    clause: str
    title: str
    anchor: str
    status: str
    label: str
    via: str


@dataclass(frozen=True)
class DocumentSupport:
    doc: DocRef
    supports: tuple[Support, ...]


@dataclass(frozen=True)
class FolderSupport:
    """A requirement that records of a folder earned credit for, and how many of them."""

    clause: str
    title: str
    anchor: str
    status: str
    label: str
    records: int


@dataclass(frozen=True)
class RecordFolder:
    """The records of one folder, summarised: an auditor samples them, the page cannot list 100,000."""

    anchor: str
    folder: str
    count: int
    listed: int  # of them, how many have their own row (named elsewhere in the report)
    first_date: str  # date range of the records that carry a date ("" if none)
    last_date: str
    oldest: DocRef | None
    newest: DocRef | None
    failing: tuple[DocRef, ...]  # records with a finding located on them (a sample)
    failing_count: int
    supports: tuple[FolderSupport, ...]


@dataclass(frozen=True)
class EvidenceIndex:
    requirements: tuple[RequirementEvidence, ...]
    documents: tuple[DocumentSupport, ...]
    folders: tuple[RecordFolder, ...] = ()  # folded folders of records (see audit.fold)


@dataclass(frozen=True)
class RunInfo:
    repository: str
    name: str
    commit: str | None
    as_of: str
    standard: str
    standard_title: str
    base: str
    base_title: str
    tool_version: str
    config: str | None
    rules: int
    hygiene_checks: int
    documents: int


@dataclass(frozen=True)
class AuditReport:
    """Everything the HTML and Markdown templates show, in reading order."""

    run: RunInfo
    readiness: Readiness
    dividend: Dividend
    nonconformities: tuple[SeverityGroup, ...]
    observations: tuple[ObservationItem, ...]
    scope: tuple[ScopeEntry, ...]
    document_control: DocumentControl
    evidence: EvidenceIndex
    legend: tuple[LegendEntry, ...]
