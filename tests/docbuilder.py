"""Small builders for test documents in the DESIGN.md format."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import yaml

# A sound policy whose lines tests count on (its review is on line 10).
GOOD = """\
---
id: POL-OK
title: A sound policy
type: policy
owner: Quality Manager
version: "1.0"
status: approved
approved_by: Managing Director
approved_on: 2026-01-05
review: {last_reviewed: 2026-01-05, interval_months: 12}
---
# Policy
"""


def controlled(
    doc_id: str,
    doc_type: str,
    addresses: Sequence[str] = (),
    sections: Iterable[str] = (),
    status: str = "approved",
    **fields: object,
) -> str:
    """A Markdown document with front matter; approved and reviewed unless told otherwise."""
    meta = {
        "id": doc_id,
        "title": f"{doc_id} title",
        "type": doc_type,
        "owner": "Quality Manager",
        "version": "1.0",
        "status": status,
        "approved_by": "Managing Director",
        "approved_on": "2026-01-15",
        "review": {"last_reviewed": "2026-01-15", "interval_months": 12},
    }
    if addresses:
        meta["addresses"] = list(addresses)
    meta.update(fields)
    body = "".join(f"\n## {title}\n\nText.\n" for title in sections)
    return "---\n" + yaml.safe_dump(meta, sort_keys=False) + "---\n# " + doc_id + "\n" + body


def record(doc_id: str, date: str, addresses: Sequence[str] = (), record_of: str | None = None, **fields: object) -> str:
    meta: dict = {"id": doc_id, "title": f"{doc_id} record", "type": "record", "date": date}
    if addresses:
        meta["addresses"] = list(addresses)
    if record_of:
        meta["record_of"] = record_of
    meta.update(fields)
    return yaml.safe_dump(meta, sort_keys=False)


def rule_file(rules: Sequence[Mapping[str, object]]) -> str:
    return yaml.safe_dump({"rules": list(rules)}, sort_keys=False)
