"""Gating on what a change introduced: --changed-since marks new findings, --new-only gates on them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO_ROOT, commit_all, git, run_cli
from gate_docs import AS_OF, base_files, failing_results, record, write


@pytest.fixture
def imperfect(make_repo: Any) -> Path:
    """A repository with known gaps (most requirement rules fail) and one hygiene finding."""
    return make_repo(base_files() | {"records/inc-0002.yaml": record("INC-0002", supersedes="INC-0998")})


def check(repo: Path, *args: str) -> Any:
    return run_cli("check", repo, "--as-of", AS_OF, *args)


def test_known_gaps_are_not_new_and_a_clean_change_passes_new_only(imperfect: Path) -> None:
    write(imperfect, "records/inc-0003.yaml", record("INC-0003", summary="Printer queue stuck"))
    assert check(imperfect, "--changed-since", "HEAD").exit_code == 1
    result = check(imperfect, "--changed-since", "HEAD", "--new-only")
    assert result.exit_code == 0, result.stdout
    report = check(imperfect, "--changed-since", "HEAD", "--format", "json").json()
    assert failing_results(report) and not any(r["new"] for r in report["results"])
    assert report["changed_since"]["new_failing"] == 0


def test_a_new_finding_fails_new_only_and_is_marked_in_text_and_json(imperfect: Path) -> None:
    write(imperfect, "records/inc-0003.yaml", record("INC-0003", supersedes="INC-0999"))
    result = check(imperfect, "--changed-since", "HEAD", "--new-only")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    [new_line] = [line for line in lines if " [new] " in line]  # path:line: severity RULE [new] message
    assert new_line.startswith(f"{imperfect}/records/inc-0003.yaml:") and "DOC-REF" in new_line and "INC-0999" in new_line
    assert "INC-0998" not in result.stdout  # known before the change: counted, not listed
    assert any(line.endswith("are not listed (--verbose lists them)") for line in lines)
    assert "1 new in the work tree since HEAD" in lines[-2]
    verbose = check(imperfect, "--changed-since", "HEAD", "--verbose")
    assert "INC-0998" in verbose.stdout

    report = check(imperfect, "--changed-since", "HEAD", "--format", "json").json()
    new = [r for r in report["results"] if r["new"]]
    assert [(r["rule"], r["locations"][0]["path"]) for r in new] == [("DOC-REF", "records/inc-0003.yaml")]
    assert all(r["new"] is False for r in report["results"] if r not in new)
    plain = check(imperfect, "--format", "json").json()
    assert plain["changed_since"] is None and all(r["new"] is None for r in plain["results"])


def test_new_only_respects_fail_on(imperfect: Path) -> None:
    write(imperfect, "records/inc-0003.yaml", record("INC-0003", supersedes="INC-0999"))  # DOC-REF is minor
    assert check(imperfect, "--changed-since", "HEAD", "--new-only", "--fail-on", "major").exit_code == 0
    assert check(imperfect, "--changed-since", "HEAD", "--new-only", "--fail-on", "minor").exit_code == 1


DRAFT = """\
---
id: PROC-CHG
title: Change procedure
type: procedure
owner: Change manager
version: "0.1"
status: draft
review: {{last_reviewed: 2026-05-01, interval_months: 12}}
{extra}related: [PROC-404]
---
# Steps
"""


def test_moved_lines_and_other_branches_do_not_make_findings_new(imperfect: Path) -> None:
    write(imperfect, "procedures/change.md", DRAFT.format(extra=""))
    commit_all(imperfect, "draft change procedure")
    git(imperfect, "checkout", "-q", "-b", "feature")
    write(imperfect, "procedures/change.md", DRAFT.format(extra="purpose: >-\n  how changes are requested,\n  assessed and approved\n"))
    commit_all(imperfect, "purpose")
    report = check(imperfect, "--changed-since", "main", "--format", "json").json()
    [moved] = [r for r in failing_results(report, "DOC-REF") if "PROC-404" in r["message"]]
    lines = (imperfect / "procedures/change.md").read_text().splitlines()
    assert lines[moved["locations"][0]["line"] - 1] == "related: [PROC-404]" and moved["locations"][0]["line"] == 12
    assert moved["new"] is False
    assert report["changed_since"]["ref"] == "main" and report["changed_since"]["new_failing"] == 0
    # judged from a commit without the procedure, the same finding is new
    (imperfect / "procedures/change.md").unlink()
    commit_all(imperfect, "drop the draft")
    write(imperfect, "procedures/change.md", DRAFT.format(extra=""))
    assert check(imperfect, "--changed-since", "HEAD", "--new-only").exit_code == 1


def test_new_git_findings_are_always_new(imperfect: Path) -> None:
    (imperfect / "records/inc-0001.yaml").unlink()
    report = check(imperfect, "--changed-since", "HEAD", "--format", "json").json()
    [deleted] = failing_results(report, "GIT-RECORD")
    assert deleted["new"] is True and deleted["locations"] == []
    text = check(imperfect, "--changed-since", "HEAD").stdout
    assert "Document control (git history)" in text


def test_comparison_fields_are_in_the_report_schema(imperfect: Path) -> None:
    from jsonschema import Draft202012Validator

    schema = json.loads((REPO_ROOT / "schemas" / "report.schema.json").read_text())
    validator = Draft202012Validator(schema)
    write(imperfect, "records/inc-0003.yaml", record("INC-0003", supersedes="INC-0999"))
    for args in ((), ("--changed-since", "HEAD"), ("--staged",)):
        validator.validate(check(imperfect, "--format", "json", *args).json())
    report = check(imperfect, "--format", "json", "--changed-since", "HEAD").json()
    report["results"][0]["new"] = "yes"
    assert not validator.is_valid(report)


def test_a_base_that_cannot_be_evaluated_is_said_not_hidden(imperfect: Path) -> None:
    write(imperfect, "imscheck.yaml", "standard: [broken\n")
    commit_all(imperfect, "break the configuration")
    write(imperfect, "imscheck.yaml", f"as_of: {AS_OF}\n")
    report = check(imperfect, "--changed-since", "HEAD", "--format", "json").json()
    problem = report["changed_since"]["base_problem"]
    assert problem and problem.startswith("imscheck.yaml at HEAD: line 2: invalid YAML")
    failing = [r for r in report["results"] if r["status"] == "fail"]
    assert failing and all(r["new"] for r in failing)
    text = check(imperfect, "--changed-since", "HEAD").stdout
    assert "note: HEAD could not be evaluated (imscheck.yaml at HEAD:" in text
    fine = check(imperfect, "--changed-since", "HEAD~1", "--format", "json").json()
    assert fine["changed_since"]["base_problem"] is None
