"""Helpers for the audit report tests: a repository with gaps, the report's expected grid
computed from the JSON report and the catalogue, and a small HTML tree to read the page."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from conftest import commit_all, run_cli

from imscheck.api import catalogues

AS_OF = "2026-11-01"
# The readiness grid shows the worst result of a clause, in this order (the report's contract).
WORST_FIRST = ("error", "major", "minor", "observation", "waived", "pass", "not_applicable")
SHORT_LABEL = {"pass": "met", "major": "major", "minor": "minor", "observation": "obs.", "error": "error",
               "waived": "waived", "not_applicable": "n/a", "unchecked": "no rule"}
NOT_APPLICABLE_CLAUSE = "8.3.4"  # a parent clause: it takes both of its sub-requirements out of scope
HOSTILE_TITLE = '<script>alert("x")</script> | *urgent* [click](http://evil.invalid) & `code`'

GAPPED_FILES: dict[str, str] = {
    "imscheck.yaml": f"as_of: {AS_OF}\n",
    "quality/QMS-POL-001-quality-policy.md": """
        ---
        id: QMS-POL-001
        title: Quality policy
        type: policy
        owner: Managing Director
        version: "3.0"
        status: approved
        approved_by: Managing Director
        approved_on: 2025-12-01
        review: {last_reviewed: 2025-12-15, next_review: 2026-12-15}
        addresses: [iso9001:2015/5.2]
        ---
        # Quality policy
        ## Policy statement
        We meet our customers' requirements and improve continually.
        """,
    "quality/QMS-PRC-007-documented-information.md": """
        ---
        id: QMS-PRC-007
        title: Control of documented information
        type: procedure
        owner: Quality Manager
        version: "2.1"
        status: approved
        approved_by: Quality Manager
        approved_on: 2024-06-01
        review: {last_reviewed: 2025-06-30, next_review: 2026-06-30}
        addresses: [iso9001:2015/7.5]
        related: [SMS-PRC-099]
        ---
        # Control of documented information
        ## Distribution and access
        Documents live in the repository; everyone can read them.
        ## Retention and disposal
        Records are kept for six years.
        """,
    "service-management/SMS-POL-001-service-management-policy.md": """
        ---
        id: SMS-POL-001
        title: Service management policy
        type: policy
        owner: Head of Service
        version: "0.3"
        status: draft
        review: {interval_months: 12}
        addresses: [iso20000-1:2018/5.2]
        ---
        # Service management policy (draft)
        """,
    "service-management/SMS-PRC-099-old-incident-procedure.md": """
        ---
        id: SMS-PRC-099
        title: Old incident procedure
        type: procedure
        owner: Service Desk Lead
        version: "1.4"
        status: withdrawn
        review: {last_reviewed: 2024-01-10, interval_months: 12}
        ---
        # Old incident procedure
        """,
    "quality/records/REC-IA-2026-01.yaml": f"""
        id: REC-IA-2026-01
        title: '{HOSTILE_TITLE}'
        type: record
        date: 2026-03-12
        addresses: [iso9001:2015/9.2]
        scope: purchasing
        findings: []
        """,
}


@dataclass
class Gapped:
    """A repository with gaps, and the scope entries its imscheck.yaml declares."""

    root: Path
    waived: str  # a failing rule, waived until after as_of
    expired: str  # a failing rule whose waiver has expired
    excluded: str  # a failing rule declared not applicable
    unknown: str = "SMS-NO-SUCH-RULE"
    overdue: str = "QMS-PRC-007"
    due_soon: str = "QMS-POL-001"
    draft: str = "SMS-POL-001"
    withdrawn: str = "SMS-PRC-099"
    referrer: str = "QMS-PRC-007"


def build_gapped(make_repo: Callable[..., Path]) -> Gapped:
    """Commit the documents, see which rules fail, then waive and exclude some of them."""
    root = make_repo({path: textwrap.dedent(text).lstrip("\n") for path, text in GAPPED_FILES.items()}, name="gapped")
    report = run_cli("check", str(root), "--format", "json").json()
    failing = [r["rule"] for r in report["results"] if r["clause"] and r["status"] == "fail"
               and not r["clause"].startswith(NOT_APPLICABLE_CLAUSE + ".")]
    assert len(failing) >= 4, failing
    waived, expired, excluded = failing[-1], failing[-2], failing[-3]
    (root / "imscheck.yaml").write_text(textwrap.dedent(f"""\
        as_of: {AS_OF}
        waivers:
          - rule: {waived}
            reason: Tooling migration; the records come back in the first quarter
            approved_by: Head of Service
            expires: 2027-01-31
          - rule: {expired}
            reason: Temporary gap during the reorganisation
            approved_by: Quality Manager
            expires: 2026-09-30
          - rule: SMS-NO-SUCH-RULE
            reason: Left over from an old pack
            approved_by: Quality Manager
            expires: 2027-06-30
        not_applicable:
          - clause: "{NOT_APPLICABLE_CLAUSE}"
            justification: All suppliers are managed by the parent company under its own contract
            approved_by: Managing Director
          - rule: {excluded}
            justification: The service is out of this certificate's scope
        """), encoding="utf-8")
    commit_all(root, "scope")
    return Gapped(root, waived, expired, excluded)


def display_status(result: Mapping[str, Any]) -> str:
    return result["severity"] if result["status"] == "fail" else result["status"]


def expected_grid(report: Mapping[str, Any], not_applicable: Sequence[str] = ()) -> dict[str, str]:
    """Clause -> expected cell status, in clause order (8.10 after 8.9): every requirement leaf of
    the target plus every clause a rule checks; the worst result shows; a leaf without a rule is
    unchecked unless excluded."""
    catalogue = catalogues().require(report["standard"])
    by_clause: dict[str, list[str]] = {leaf.number: [] for leaf in catalogue.requirement_leaves()}
    for result in report["results"]:
        if result["clause"] is not None:
            by_clause.setdefault(result["clause"], []).append(display_status(result))
    grid = {}
    for clause, statuses in sorted(by_clause.items(), key=lambda item: [int(n) for n in item[0].split(".")]):
        if statuses:
            grid[clause] = min(statuses, key=WORST_FIRST.index)
        elif any(clause == c or clause.startswith(c + ".") for c in not_applicable):
            grid[clause] = "not_applicable"
        else:
            grid[clause] = "unchecked"
    return grid


def audit(repo: Path, out: Path, *extra: str) -> tuple[str, dict[str, Any]]:
    """Write the audit report and return it with the JSON report of the same repository."""
    result = run_cli("audit", str(repo), "--output", str(out), *extra)
    assert result.exit_code == 0, result.stderr
    report = run_cli("check", str(repo), "--format", "json").json()
    return out.read_text(encoding="utf-8"), report


# A small element tree over html.parser: enough to find elements and read their text.
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


@dataclass
class Node:
    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[Any] = field(default_factory=list)  # Node or str

    def iter(self) -> Iterator[Node]:
        yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.iter()

    def text(self) -> str:
        parts: list[str] = []
        for child in self.children:
            parts.append(child.text() if isinstance(child, Node) else child)
        return " ".join(" ".join(parts).split())

    def classes(self) -> list[str]:
        return self.attrs.get("class", "").split()

    def find_all(self, tag: str | None = None, cls: str | None = None) -> list[Node]:
        return [n for n in self.iter() if (tag is None or n.tag == tag) and (cls is None or cls in n.classes())]

    def by_id(self, anchor: str) -> Node | None:
        return next((n for n in self.iter() if n.attrs.get("id") == anchor), None)


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document")
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in _VOID:
            self.stack.append(node)

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.stack) - 1, 0, -1):
            if self.stack[index].tag == tag:
                del self.stack[index:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse_html(text: str) -> Node:
    builder = _TreeBuilder()
    builder.feed(text)
    builder.close()
    return builder.root
