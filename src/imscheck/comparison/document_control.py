"""Document control from git history: GIT-VERSION, GIT-RECORD and GIT-ID (rules/git.yaml).

The base side (a commit) and the head side (work tree or index) are both parsed by the normal
pipeline, each read through its source (no file from history is written out); here documents of
the two sides are paired and compared. A file unchanged between the two sides is one Document
object on both (see :mod:`imscheck.comparison.compare`), paired without reading it again. A pair is the same file, or
a file renamed with at least half of its lines kept (git's default rename threshold), or the same
id on files that are that similar.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from imscheck.config import LIMIT_CEILINGS
from imscheck.dates import to_date
from imscheck.documents import Document, front_matter_end
from imscheck.findings import Finding
from imscheck.hygiene import located
from imscheck.results import Location
from imscheck.ruleids import GIT_ID, GIT_RECORD, GIT_VERSION
from imscheck.schemas import jsonable
from imscheck.sources import Source, Unreadable

SIMILAR = 0.5
# Fields that record the approval or the review itself: changing only them is not a content change.
_CONTROL_FIELDS = ("version", "status", "approved_by", "approved_on", "review")


@dataclass
class Side:
    """One side of the comparison: the source it was read from and its parsed documents."""

    source: Source
    documents: Sequence[Document]
    defective: frozenset[str] = frozenset()
    _texts: dict[str, str] = field(default_factory=dict, repr=False)

    def text(self, doc: Document) -> str:
        """The document's file as text (read again: it was parsed within the limits, so it fits them)."""
        if doc.path not in self._texts:
            try:
                raw = self.source.read(doc.path, LIMIT_CEILINGS["max_bytes"])
            except Unreadable:  # changed on disk since it was parsed: compare what is left
                raw = b""
            self._texts[doc.path] = raw.decode("utf-8", "replace")
        return self._texts[doc.path]


def _similarity(base: Side, b: Document, head: Side, h: Document) -> float:
    """Share of lines the two files have in common (0 to 1), as git measures renames."""
    matcher = difflib.SequenceMatcher(None, base.text(b).splitlines(), head.text(h).splitlines(), autojunk=False)
    if matcher.real_quick_ratio() < SIMILAR or matcher.quick_ratio() < SIMILAR:
        return 0.0  # cheap upper bounds rule most pairs out
    return matcher.ratio()


def pair_documents(base: Side, head: Side) -> tuple[list[tuple[Document, Document]], list[Document], list[Document]]:
    """(pairs of the same document, base documents gone, head documents added)."""
    head_by_path = {d.path: d for d in head.documents}
    pairs: list[tuple[Document, Document]] = []
    gone: list[Document] = []
    for b in base.documents:
        h = head_by_path.get(b.path)
        if h is not None and (h is b or b.id == h.id or _similarity(base, b, head, h) >= SIMILAR):
            pairs.append((b, h))
            del head_by_path[b.path]
        else:
            gone.append(b)
    added = sorted(head_by_path.values(), key=lambda d: d.path)
    # Renames: the same id first, then the most similar file with another id.
    for same_id in (True, False):
        for h in list(added):
            scored = [(_similarity(base, b, head, h), b.path, b) for b in gone if (b.id == h.id) == same_id]
            score, _, best = max(scored, key=lambda item: item[:2], default=(0.0, "", None))
            if best is not None and score >= SIMILAR:
                pairs.append((best, h))
                gone.remove(best)
                added.remove(h)
    return pairs, gone, added


def history_findings(base: Side, head: Side, label: str) -> list[Finding]:
    """Findings of the git rules for the change from ``base`` (revision ``label``) to ``head``."""
    pairs, gone, added = pair_documents(base, head)
    out: list[Finding] = []
    for b, h in pairs:
        if b is h:
            continue  # one parse of the same bytes on both sides (changes.base_corpus): nothing changed
        if b.id and h.id and b.id != h.id:
            moved = f" (it was {b.path})" if b.path != h.path else ""
            out.append(Finding(GIT_ID, f"{h.path}: id changed from {b.id} to {h.id} since {label}{moved}: keep the id {b.id}; "
                                       "references and records use it", located(h, "id")))
        if not b.controlled:
            out.extend(_record_edit(base, b, head, h, label))
        else:
            out.extend(_version_findings(base, b, head, h, label))
    base_ids = {d.id: d for d in base.documents if d.id}
    kept_ids = {h.id for b, h in pairs if b.id == h.id}
    for h in added:
        old = base_ids.get(h.id or "")
        if old is not None and h.id not in kept_ids:
            out.append(Finding(GIT_ID, f"{h.path}: id {h.id} belonged to a different document at {label} ({old.path}, "
                                       f"{old.meta.get('title')!r}): give this document a new id; to replace the old document, "
                                       "withdraw it and name it in supersedes", located(h, "id")))
    for b in gone:
        if not b.controlled and b.path not in base.defective:
            out.append(Finding(GIT_RECORD, f"{b.path}: {b.type} {b.id} was committed at {label} and is now deleted: restore it "
                                           f"unchanged; a correction is a new record with supersedes: {b.id}", ()))
    return out


def _record_edit(base: Side, b: Document, head: Side, h: Document, label: str) -> list[Finding]:
    if b.path in base.defective:
        return []  # a record that could not count as evidence may be repaired
    old, new = base.text(b).splitlines(), head.text(h).splitlines()
    if old == new:
        return []
    line = next((i + 1 for i, (x, y) in enumerate(zip(old, new, strict=False)) if x != y), min(len(old), len(new)) + 1)
    line = min(line, max(len(new), 1))
    return [Finding(GIT_RECORD, f"{h.path}: {b.type} {b.id} was edited after it was committed (at {label}): restore it unchanged "
                                f"and add a new record with supersedes: {b.id} that corrects it", (Location(h.path, line),))]


def _content(side: Side, doc: Document) -> tuple[Any, tuple[str, ...]]:
    """What the document says, leaving out the approval and review fields."""
    meta = {k: v for k, v in jsonable(dict(doc.meta)).items() if k not in _CONTROL_FIELDS}
    body: tuple[str, ...] = ()
    if doc.format == "markdown":
        lines = side.text(doc).splitlines()
        end = front_matter_end(lines) or 0
        body = tuple(line.rstrip() for line in lines[end + 1:])
        while body and not body[-1]:
            body = body[:-1]
    return meta, body


def _version_findings(base: Side, b: Document, head: Side, h: Document, label: str) -> list[Finding]:
    if not b.approved or not h.approved or not h.controlled:
        return []  # going back to draft or review is the other way to handle a change
    if base.text(b) == head.text(h) or _content(base, b) == _content(head, h):
        return []
    problems: list[str] = []
    where = "approved_on"
    if h.meta.get("version") == b.meta.get("version"):
        problems.append(f"version is still \"{h.meta.get('version')}\"")
        where = "version"
    old_day, new_day = to_date(b.meta.get("approved_on")), to_date(h.meta.get("approved_on"))
    if old_day is not None and new_day is not None and new_day < old_day:
        problems.append(f"approved_on {new_day} is before the previous approval on {old_day}")
    elif old_day is not None and new_day == old_day:
        problems.append(f"approved_on is still {old_day}")
    if not problems:
        return []
    return [Finding(
        GIT_VERSION,
        f"{h.path}: approved document {h.id} changed since {label} but {' and '.join(problems)}: "
        f"bump version and set approved_on (and approved_by) to the new approval, or set status: draft until it is approved again",
        located(h, where),
    )]
