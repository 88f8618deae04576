"""sample-org end to end: it passes; taking evidence away fails the right rule, saying why."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import SAMPLE_ORG, commit_all, results_by_rule, run_cli

MR_RECORD = "service-management/records/REC-MR-2026-04.yaml"


def test_sample_org_passes_with_a_readable_summary() -> None:
    result = run_cli("check", SAMPLE_ORG)
    assert result.exit_code == 0, result.stdout
    summary = next(line for line in result.stdout.splitlines() if line.startswith("Summary:"))
    report = run_cli("check", SAMPLE_ORG, "--format", "json").json()
    assert f"{report['summary']['by_status']['pass']} passed" in summary
    assert report["summary"]["by_status"]["fail"] == 0
    assert report["as_of"] == "2026-11-01"  # pinned by sample-org/imscheck.yaml


def test_removing_the_management_review_record_fails_9_3(sample_copy: Path) -> None:
    (sample_copy / MR_RECORD).unlink()
    commit_all(sample_copy, "remove the 2026 management review")
    result = run_cli("check", sample_copy, "--format", "json")
    assert result.exit_code == 1
    mr = results_by_rule(result.json())["SMS-9.3"]
    assert mr["status"] == "fail"
    assert "IT service management extension missing" in mr["message"]
    assert "management review record from the last 12 months" in mr["message"]
    # the ISO 9001 half is still there (the 2025 quality management review)
    assert "ISO 9001 half missing" not in mr["message"]
    text = run_cli("check", sample_copy).stdout
    assert "SMS-9.3 Management review" in text


def test_quality_system_alone_credits_full_relations_and_names_missing_extensions(sample_copy: Path) -> None:
    shutil.rmtree(sample_copy / "service-management")
    commit_all(sample_copy, "only the ISO 9001 system")
    report = run_cli("check", sample_copy, "--format", "json").json()
    results = results_by_rule(report)
    full = [r for r in results.values() if r["relation"] == "full"]
    partial = [r for r in results.values() if r["relation"] == "partial"]
    assert full and partial
    for result in full:
        assert result["status"] == "pass", result
        assert result["evidence"] and all(e["path"].startswith("quality/") for e in result["evidence"])
        assert all(e["via"].startswith("iso9001:2015/") for e in result["evidence"])
        assert "Met by existing ISO 9001 evidence" in result["message"]
    for result in partial:
        assert result["status"] == "fail", result
        assert "IT service management extension missing" in result["message"]
        assert "ISO 9001 half missing" not in result["message"], result["message"]
    # no dangling references: the quality system stands on its own
    assert not [r for r in report["results"] if r["clause"] is None and r["status"] == "fail"]


def test_fail_on_threshold_on_a_minor_finding(sample_copy: Path) -> None:
    policy = sample_copy / "quality" / "QMS-POL-001-quality-policy.md"
    # extend the existing related list: a second related key would be a duplicate key instead,
    # which makes the policy defective and loses its ISO 9001 credit (a major finding for 5.1)
    policy.write_text(policy.read_text().replace("related: [", "related: [QMS-NOPE-1, ", 1))
    commit_all(sample_copy, "dangling reference")
    assert run_cli("check", sample_copy).exit_code == 1
    assert run_cli("check", sample_copy, "--fail-on", "major").exit_code == 0
    assert run_cli("check", sample_copy, "--fail-on", "observation").exit_code == 1


def test_fail_on_from_imscheck_yaml_and_the_option_overrides_it(sample_copy: Path) -> None:
    policy = sample_copy / "quality" / "QMS-POL-001-quality-policy.md"
    text = policy.read_text()
    assert "\nrelated: [" in text
    policy.write_text(text.replace("\nrelated: [", "\nrelated: [QMS-NOPE-1, ", 1))
    config = sample_copy / "imscheck.yaml"
    config.write_text(config.read_text() + "fail_on: major\n")
    commit_all(sample_copy, "dangling reference, gate on major only")
    assert run_cli("check", sample_copy).exit_code == 0
    assert run_cli("check", sample_copy, "--fail-on", "minor").exit_code == 1


def test_rules_show_says_where_git_rules_apply() -> None:
    shown = run_cli("rules", "show", "GIT-VERSION")
    assert shown.exit_code == 0 and "--changed-since" in shown.stdout
    assert "every repository" in run_cli("rules", "show", "DOC-REF").stdout


def test_iso9001_credit_counts_only_what_iso9001_evidence_earned(sample_copy: Path) -> None:
    procedure = sample_copy / "quality" / "QMS-PRC-005-communication.md"
    procedure.write_text(procedure.read_text().replace("iso9001:2015/7.4", "iso14001:2015/7.4", 1))
    commit_all(sample_copy, "communication procedure no longer cites ISO 9001")
    report = run_cli("check", sample_copy, "--format", "json").json()
    full = [r for r in report["results"] if r["relation"] == "full"]
    credited = [r for r in full if r["status"] == "pass" and any((e["via"] or "").startswith("iso9001:2015/") for e in r["evidence"])]
    assert results_by_rule(report)["SMS-7.4"]["status"] == "pass"  # met by the service-management document
    assert results_by_rule(report)["SMS-7.4"] not in credited
    assert report["summary"]["by_relation"]["full"]["credited"] == len(credited) == len(full) - 1
    text = run_cli("check", sample_copy).stdout
    assert f"{len(credited)} of {len(full)} fully related requirements met by existing ISO 9001 evidence" in text
