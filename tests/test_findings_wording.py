"""Findings that say what is really wrong (issue 12, items 10, 12 and 13), through the CLI.

Item 10: a requirement whose only candidate is a draft, withdrawn, a record dated after as_of,
a document with broken metadata, a file that cannot be read or a document of the wrong type
names it, with the line to change and what to do. Item 12: the audit report reads the scope
decision of ``check`` (a waiver of a built-in rule waives its results there too). Item 13: an
override's window applies only to checks with a freshness window.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from conftest import run_cli
from docbuilder import controlled, rule_file

from imscheck.api import Settings
from imscheck.api import check as check_library

BRM = "service-management/SMS-PRC-008-business-relationship-management.md"
CATALOGUE = "service-management/SMS-CAT-001-service-catalogue.md"
CONTINUITY_TEST = "service-management/records/REC-CTR-2026-01.yaml"
SAMPLE_AS_OF = "2026-11-01"  # sample-org's imscheck.yaml


def edit(repo: Path, rel: str, old: str, new: str) -> None:
    path = repo / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, (rel, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(repo: Path, rel: str, prefix: str) -> int:
    return next(i for i, line in enumerate((repo / rel).read_text(encoding="utf-8").splitlines(), 1) if line.startswith(prefix))


def check_json(repo: Path, *args: str) -> dict[str, Any]:
    result = run_cli("check", repo, "--format", "json", *args)
    assert result.exit_code in (0, 1), result.stderr
    return result.json()


def result_of(report: dict[str, Any], rule: str) -> dict[str, Any]:
    [found] = [r for r in report["results"] if r["rule"] == rule]
    return found


def locations(result: dict[str, Any]) -> list[str]:
    return [f"{loc['path']}:{loc['line']}" for loc in result["locations"]]


# -- item 10: name the document that would have counted ------------------------------------------


def test_a_draft_is_named_with_what_to_do_and_nothing_counting_is_major(sample_copy: Path) -> None:
    edit(sample_copy, BRM, "status: approved", "status: draft")
    result = result_of(check_json(sample_copy), "SMS-8.3.1")
    line = line_of(sample_copy, BRM, "status:")
    assert result["status"] == "fail" and result["severity"] == "major"  # nothing counts: the rule's severity
    assert f"SMS-PRC-008 ({BRM}:{line}) addresses iso20000-1:2018/8.3.1 but is a draft: approve it for it to count" in result["message"]
    assert f"{BRM}:{line}" in locations(result)


def test_a_document_in_review_and_a_withdrawn_one_are_named(sample_copy: Path) -> None:
    edit(sample_copy, BRM, "status: approved", "status: review")
    assert "is still in review: approve it for it to count" in result_of(check_json(sample_copy), "SMS-8.3.1")["message"]
    edit(sample_copy, BRM, "status: review", "status: withdrawn")
    message = result_of(check_json(sample_copy), "SMS-8.3.1")["message"]
    assert "SMS-PRC-008" in message and "is withdrawn, and withdrawn documents never count: approve the document that replaces it" in message


def test_a_record_dated_after_as_of_is_named_at_its_date(sample_copy: Path) -> None:
    edit(sample_copy, CONTINUITY_TEST, "date: 2026-06-06", "date: 2027-01-06")
    result = result_of(check_json(sample_copy), "SMS-8.7.2")
    line = line_of(sample_copy, CONTINUITY_TEST, "date:")
    # the continuity plan counts: the missing test record is a minor shortfall, as before
    assert result["status"] == "fail" and result["severity"] == "minor"
    assert (f"REC-CTR-2026-01 ({CONTINUITY_TEST}:{line}) addresses iso20000-1:2018/8.7.2 but is dated 2027-01-06, "
            f"after the evaluation date {SAMPLE_AS_OF}: correct its date for it to count") in result["message"]
    assert f"{CONTINUITY_TEST}:{line}" in locations(result)


def test_a_document_with_broken_metadata_is_named_with_its_finding(sample_copy: Path) -> None:
    edit(sample_copy, BRM, "owner: Client Services Manager\n", "")
    report = check_json(sample_copy)
    result = result_of(report, "SMS-8.3.1")
    assert result["severity"] == "major"
    assert "SMS-PRC-008" in result["message"] and "addresses iso20000-1:2018/8.3.1 but has a DOC-SCHEMA finding" in result["message"]
    assert "'owner' is required" in result["message"] and "fix it for it to count" in result["message"]
    # a register listing it says why it does not count, not "which is approved"
    register = result_of(report, "SMS-7.5.4")["message"]
    assert "lists SMS-PRC-008, which has a DOC-SCHEMA finding" in register and "which is approved" not in register


def test_a_file_that_cannot_be_read_is_named_as_possibly_the_evidence(sample_copy: Path) -> None:
    edit(sample_copy, BRM, "title: ", "title: [")
    result = result_of(check_json(sample_copy), "SMS-8.3.1")
    assert result["severity"] == "major"
    assert f"{BRM}:" in result["message"] and "could not be read" in result["message"]
    # named in the message, not located there: DOC-PARSE already reports the file at its line
    assert not any(loc.startswith(f"{BRM}:") for loc in locations(result))


def test_a_document_of_the_wrong_type_is_named_at_its_type(sample_copy: Path) -> None:
    edit(sample_copy, CATALOGUE, "type: catalogue", "type: register")
    result = result_of(check_json(sample_copy), "SMS-8.2.4")
    line = line_of(sample_copy, CATALOGUE, "type:")
    assert result["severity"] == "major"
    assert f"SMS-CAT-001 ({CATALOGUE}:{line}) is a register" in result["message"]
    assert "set its type to catalogue" in result["message"]
    assert f"{CATALOGUE}:{line}" in locations(result)


def test_a_document_counting_for_another_check_is_not_offered_as_the_missing_one(sample_copy: Path) -> None:
    (sample_copy / CONTINUITY_TEST).unlink()
    message = result_of(check_json(sample_copy), "SMS-8.7.2")["message"]
    assert "found none" in message and "continuity test record" in message
    assert "SMS-PLN-005" not in message  # the continuity plan is no test record, and counts for the plan check


# -- item 12: a waiver of a built-in rule, as check decided it -----------------------------------

WAIVE_REVIEWS = """
waivers:
  - rule: DOC-REVIEW
    reason: Reviews are being rescheduled after the reorganisation
    approved_by: Head of Service Delivery
    expires: 2027-12-31
  - rule: DOC-REVEIW
    reason: a typo waives nothing
    approved_by: Head of Service Delivery
    expires: 2027-12-31
"""
LATE = "2027-03-01"  # reviews of sample-org fall due by then


def test_a_waiver_of_a_built_in_rule_is_in_force_in_the_audit_as_in_check(sample_copy: Path, tmp_path: Path) -> None:
    before = [r for r in check_json(sample_copy, "--as-of", LATE)["results"] if r["rule"] == "DOC-REVIEW" and r["status"] == "fail"]
    assert len(before) > 1
    with (sample_copy / "imscheck.yaml").open("a", encoding="utf-8") as config:
        config.write(WAIVE_REVIEWS)
    report = check_json(sample_copy, "--as-of", LATE)
    waived = [r for r in report["results"] if r["rule"] == "DOC-REVIEW" and r["status"] == "waived"]
    assert len(waived) == len(before)

    out = tmp_path / "audit.md"
    result = run_cli("audit", sample_copy, "--as-of", LATE, "--format", "markdown", "--output", out)
    assert result.exit_code == 0, result.stderr
    rows = {row.split("|")[1].strip(): row for row in out.read_text(encoding="utf-8").splitlines() if row.startswith("| waiver of ")}
    review = next(row for key, row in rows.items() if key.startswith("waiver of DOC-REVIEW "))
    assert f"in force: waives {len(waived)} findings" in review and "unknown rule" not in review
    typo = next(row for key, row in rows.items() if key.startswith("waiver of DOC-REVEIW "))
    assert "unknown rule: waives nothing" in typo

    page = tmp_path / "audit.html"
    assert run_cli("audit", sample_copy, "--as-of", LATE, "--output", page).exit_code == 0
    html = page.read_text(encoding="utf-8")
    # the waived finding is the original message, carried by the result, not cut out of a string
    assert before[0]["message"] in html


def test_results_carry_their_suppression(sample_copy: Path) -> None:
    """The library: a suppressed result says which entry of imscheck.yaml took it out, and what it was."""
    with (sample_copy / "imscheck.yaml").open("a", encoding="utf-8") as config:
        config.write(WAIVE_REVIEWS + 'not_applicable:\n  - rule: SMS-8.6.1\n    justification: the customer runs the service desk\n')
    lines = (sample_copy / "imscheck.yaml").read_text(encoding="utf-8").splitlines()
    waiver_line = lines.index("  - rule: DOC-REVIEW") + 1
    na_line = lines.index("  - rule: SMS-8.6.1") + 1
    run = check_library(Settings(repo=sample_copy, as_of=dt.date(2027, 3, 1)))
    waived = [r for r in run.results if r.status == "waived"]
    assert waived and all(r.suppression is not None and r.suppression.kind == "waiver" and r.suppression.line == waiver_line for r in waived)
    first = waived[0].suppression
    assert first is not None and first.approved_by == "Head of Service Delivery" and first.expires == dt.date(2027, 12, 31)
    assert first.finding and re.match(r"\S+ was due for review on \d{4}-\d\d-\d\d", first.finding)
    [excluded] = [r for r in run.results if r.status == "not_applicable"]
    assert excluded.suppression is not None and excluded.suppression.kind == "not_applicable" and excluded.suppression.line == na_line
    assert all(r.suppression is None for r in run.results if r.status in ("pass", "fail"))


# -- item 13: an override's window, only where a window means something --------------------------

def test_a_window_override_leaves_the_procedure_check_alone(sample_copy: Path) -> None:
    before = result_of(check_json(sample_copy), "SMS-8.6.1")
    assert before["status"] == "pass"
    with (sample_copy / "imscheck.yaml").open("a", encoding="utf-8") as config:
        config.write("overrides:\n  SMS-8.6.1: {within_months: 24}\n")
    result = run_cli("check", sample_copy, "--format", "json")
    assert result.exit_code in (0, 1), result.stderr
    after = result_of(result.json(), "SMS-8.6.1")
    # before the fix the procedure check took the window too and failed: "has no date date"
    assert after["status"] == "pass", after["message"]
    assert "date date" not in result.stdout


def test_a_window_override_applies_to_the_checks_with_a_window(sample_copy: Path) -> None:
    late = "2027-09-01"  # the continuity test of 2026-06-06 is older than 12 months and a month's grace
    assert result_of(check_json(sample_copy, "--as-of", late), "SMS-8.7.2")["status"] == "fail"
    with (sample_copy / "imscheck.yaml").open("a", encoding="utf-8") as config:
        config.write("overrides:\n  SMS-8.7.2: {within_months: 24}\n")
    assert result_of(check_json(sample_copy, "--as-of", late), "SMS-8.7.2")["status"] == "pass"
    edit(sample_copy, "imscheck.yaml", "within_months: 24", "within_months: 3")
    shorter = result_of(check_json(sample_copy), "SMS-8.7.2")
    assert shorter["status"] == "fail" and "lapsed" in shorter["message"] and "more than 3 months before" in shorter["message"]


def test_a_record_without_its_date_says_so_once(make_repo: Any, tmp_path: Path) -> None:
    rules_dir = tmp_path / "rules"
    rules_dir.mkdir()
    (rules_dir / "custom.yaml").write_text(rule_file([{
        "id": "T-FRESH", "clause": "8.4.3", "severity": "minor", "relation": {"type": "none"}, "guidance": "Keep it current.",
        "evidence": [{"select": {"addresses": "self"}, "fresh": {"within_months": 12}}],
    }]))
    repo = make_repo({"plan.md": controlled("PLAN-1", "plan", ["iso20000-1:2018/8.4.3"])})
    result = run_cli("check", repo, "--rules", rules_dir, "--format", "json", "--as-of", "2026-06-30")
    assert result.exit_code in (0, 1), result.stderr
    message = result_of(result.json(), "T-FRESH")["message"]
    assert "PLAN-1 (plan.md:" in message and message.endswith("has no date")
