"""Small management-system documents for the change-gating tests (real files, real git)."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

from conftest import git

AS_OF = "2026-06-01"


def policy(doc_id: str = "QP-01", version: str = "1.0", approved_on: str = "2026-01-10", status: str = "approved",
           body: str = "We meet customer requirements and improve the system.", title: str = "Quality policy",
           last_reviewed: str | None = None) -> str:
    return textwrap.dedent(f"""\
        ---
        id: {doc_id}
        title: {title}
        type: policy
        owner: Quality manager
        version: "{version}"
        status: {status}
        approved_by: Managing director
        approved_on: {approved_on}
        review:
          last_reviewed: {last_reviewed or approved_on}
          interval_months: 12
        addresses: [iso9001:2015/5.2]
        ---
        # Purpose

        {body}

        # Commitments

        Top management commits to the quality objectives.
        """)


def record(doc_id: str = "INC-0001", date: str = "2026-03-02", summary: str = "Mail service down for 20 minutes",
           supersedes: str | None = None) -> str:
    lines = [f"id: {doc_id}", f"title: Incident {doc_id}", "type: record", f"date: {date}", f"summary: {summary}",
             "actions:", "  - restarted the relay", "  - added monitoring"]
    if supersedes:
        lines.append(f"supersedes: {supersedes}")
    return "\n".join(lines) + "\n"


def base_files() -> dict[str, str]:
    return {
        "policies/quality-policy.md": policy(),
        "records/inc-0001.yaml": record(),
        "README.md": "# Our management system\n",
    }


def write(repo: Path, rel: str, text: str) -> None:
    path = repo / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def failing_results(report: dict[str, Any], rule: str | None = None) -> list[dict[str, Any]]:
    return [r for r in report["results"] if r["status"] == "fail" and (rule is None or r["rule"] == rule)]


def worktree_state(repo: Path) -> dict[str, Any]:
    """What a read-only check must leave alone: status, stash, index and every file's bytes."""
    files = {p.relative_to(repo).as_posix(): p.read_bytes() for p in sorted(repo.rglob("*")) if p.is_file() and ".git" not in p.parts}
    return {
        "status": git(repo, "status", "--porcelain"),
        "stash": git(repo, "stash", "list"),
        "index": git(repo, "ls-files", "-s"),
        "files": files,
    }


MIXED_CONFIG = """\
waivers:
  - rule: SMS-9.3
    reason: first management review is booked for July
    approved_by: Managing director
    expires: 2026-07-31
not_applicable:
  - rule: SMS-8.6.1
    justification: incidents are handled by the customer's service desk
"""


def mixed_files(config: bool = True) -> dict[str, str]:
    """Every kind of result: pass, fail with and without a location, several locations, waived, n/a."""
    files = base_files() | {
        "records/inc-0002.yaml": record("INC-0002", supersedes="INC-0999"),  # DOC-REF
        "records/dup-a.yaml": record("REC-DUP"),  # DOC-ID-UNIQUE, two locations
        "records/dup-b.yaml": record("REC-DUP", summary="another"),
    }
    if config:
        files["imscheck.yaml"] = MIXED_CONFIG
    return files
