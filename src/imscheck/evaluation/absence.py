"""Why a check found no evidence that counts, when the repository seems to hold it.

"Found none" sends a reader looking for evidence that may be sitting in the repository as a
draft, a withdrawn document, a record dated after ``as_of``, a document whose metadata is broken
or one filed under another type. Each is named with the line to change and what to do about it;
a file that could not be read at all is named as possibly the evidence.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from imscheck.evaluation.index import Uncounted
from imscheck.findings import Finding
from imscheck.results import Location
from imscheck.ruleids import DOC_PARSE
from imscheck.rules import Selector
from imscheck.wording import first_few

PARSE_RULE = DOC_PARSE  # a file that tries to be a document and cannot be read

_STATUS = {
    "draft": "is a draft: approve it for it to count",
    "review": "is still in review: approve it for it to count",
    "withdrawn": "is withdrawn, and withdrawn documents never count: approve the document that replaces it",
}


def reasons(uncounted: Sequence[Uncounted], selector: Selector, defects: Mapping[str, Finding],
            as_of: dt.date) -> tuple[list[str], list[Location]]:
    """One clause per document ("SMS-PRC-017 (path:7) addresses ... but is a draft: approve it ..."),
    documents of another type together in one, and the line each points at."""
    texts: list[str] = []
    locations: list[Location] = []
    typed: list[tuple[Uncounted, int]] = []
    for item in uncounted:
        doc = item.doc
        if item.why == "type":
            typed.append((item, doc.line_of("type")))
            continue
        if item.why == "status":
            status = str(doc.meta.get("status"))
            why, line = _STATUS.get(status, f"has status {status!r}: only approved documents count"), doc.line_of("status")
        elif item.why == "date":
            why = f"is dated {doc.meta.get('date')}, after the evaluation date {as_of}: correct its date for it to count"
            line = doc.line_of("date")
        else:
            finding = defects.get(doc.path)
            if finding is not None and finding.locations:
                why, line = f"has a {finding.rule} finding ({finding.message}): fix it for it to count", finding.locations[0].line
            else:
                why, line = "has a metadata problem reported for it: fix it for it to count", doc.line
        texts.append(f"{doc.name} ({doc.path}:{line}) addresses {item.via} but {why}")
        locations.append(Location(doc.path, line))
    if typed:
        texts.append(_other_types(typed, selector))
        locations.extend(Location(item.doc.path, line) for item, line in typed)
    return texts, locations


def _other_types(typed: Sequence[tuple[Uncounted, int]], selector: Selector) -> str:
    """Documents that count, but as another type than the check asks for."""
    if selector.types:
        wanted = " or ".join(selector.types)
        fix = f"set its type to {selector.types[0]}" if len(selector.types) == 1 else f"set its type to {wanted}"
    else:
        wanted, fix = "controlled document", "set its type to policy, plan, procedure or the type it is"
    if len(typed) == 1:
        item, line = typed[0]
        return f"{item.doc.name} ({item.doc.path}:{line}) addresses {item.via} but is a {item.doc.type}: if it is the {wanted}, {fix}"
    shown = first_few([f"{item.doc.name} ({item.doc.path}:{line}) is a {item.doc.type}" for item, line in typed])
    return f"documents of another type address it ({shown}): if one of them is the {wanted}, {fix}"


def unreadable_note(unreadable: Sequence[Finding]) -> str:
    """Files that could not be read: whether one of them is the evidence cannot be told."""
    if not unreadable:
        return ""
    places = [loc for f in unreadable for loc in f.locations[:1]]
    shown = first_few([f"{loc.path}:{loc.line}" for loc in places])
    it = "it" if len(places) == 1 else "them"
    return (f"; {shown} could not be read, so whether {it} address{'es' if len(places) == 1 else ''} this is unknown: "
            f"fix {it} for {it} to count")


def defect_findings(findings: Sequence[Finding], defective: Sequence[str]) -> Mapping[str, Finding]:
    """The finding that keeps each defective document from counting: the first one at its path
    (hygiene reports a document's own defects before anything else about it)."""
    wanted = set(defective)
    out: dict[str, Finding] = {}
    for finding in findings:
        for loc in finding.locations[:1]:
            if loc.path in wanted:
                out.setdefault(loc.path, finding)
    return out
