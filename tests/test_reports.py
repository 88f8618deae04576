"""Reports: the JSON contract and its schema, determinism, and the JUnit structure."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
from conftest import REPO_ROOT, run_cli
from test_relations import QUALITY_ONLY

SCHEMA = json.loads((REPO_ROOT / "schemas" / "report.schema.json").read_text())


@pytest.fixture
def quality_repo(make_repo) -> Path:
    files = dict(QUALITY_ONLY)
    files["quality/broken.yaml"] = "id: [\n"  # a hygiene finding among the results
    return make_repo(files)


def test_json_report_validates_against_its_schema(quality_repo: Path) -> None:
    report = run_cli("check", quality_repo, "--format", "json", "--as-of", "2026-06-30").json()
    jsonschema.Draft202012Validator(SCHEMA).validate(report)
    assert report["tool"]["name"] == "imscheck"
    assert report["as_of"] == "2026-06-30"
    assert (report["standard"], report["base"]) == ("iso20000-1:2018", "iso9001:2015")
    assert len(report["repository"]["commit"]) == 40


def test_schema_rejects_a_report_that_breaks_the_contract(quality_repo: Path) -> None:
    report = run_cli("check", quality_repo, "--format", "json", "--as-of", "2026-06-30").json()
    report["results"][0]["status"] = "passed"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(SCHEMA).validate(report)


def test_summary_counts_match_the_results(quality_repo: Path) -> None:
    report = run_cli("check", quality_repo, "--format", "json", "--as-of", "2026-06-30").json()
    results = report["results"]
    summary = report["summary"]
    assert summary["total"] == len(results)
    assert summary["observations"] == sum(len(r["observations"]) for r in results)
    for result in results:  # an observation is a checklist topic not found, and never on a waived result
        assert [o["topic"] for o in result["observations"]] == (
            [] if result["status"] in ("waived", "not_applicable") else [c["topic"] for c in result["checklist"] if not c["found"]])
    for status, count in summary["by_status"].items():
        assert count == sum(r["status"] == status for r in results)
    for severity, count in summary["failing_by_severity"].items():
        assert count == sum(r["status"] == "fail" and r["severity"] == severity for r in results)
    requirement = [r for r in results if r["clause"]]
    assert summary["requirements"] == len(requirement)
    for relation, counts in summary["by_relation"].items():
        assert counts["total"] == sum(r["relation"] == relation for r in requirement)


def test_one_entry_per_rule_and_per_hygiene_finding(quality_repo: Path) -> None:
    report = run_cli("check", quality_repo, "--format", "json", "--as-of", "2026-06-30").json()
    listed = run_cli("rules", "list", "--format", "json").json()
    requirement_rules = [r["rule"] for r in report["results"] if r["clause"]]
    assert requirement_rules == [r["id"] for r in listed["rules"]]
    for hygiene in listed["hygiene"]:
        entries = [r for r in report["results"] if r["rule"] == hygiene["id"]]
        assert entries, hygiene["id"]
        assert len(entries) == 1 or all(r["status"] == "fail" for r in entries)
    parse = [r for r in report["results"] if r["rule"] == "DOC-PARSE"]
    assert [(r["status"], r["locations"]) for r in parse] == [("fail", [{"path": "quality/broken.yaml", "line": 2}])]


def test_identical_input_gives_byte_identical_output(quality_repo: Path, tmp_path: Path) -> None:
    outputs = []
    for i in range(2):
        for fmt in ("json", "junit", "text"):
            path = tmp_path / f"{i}.{fmt}"
            run_cli("check", quality_repo, "--as-of", "2026-06-30", "--format", fmt, "--output", path)
            outputs.append(path.read_bytes())
    assert outputs[:3] == outputs[3:]


def test_junit_has_one_suite_per_clause_and_one_case_per_rule(quality_repo: Path) -> None:
    report = run_cli("check", quality_repo, "--format", "json", "--as-of", "2026-06-30").json()
    xml = run_cli("check", quality_repo, "--format", "junit-gitlab", "--as-of", "2026-06-30").stdout
    root = ET.fromstring(xml.encode())
    suites = root.findall("testsuite")
    groups = []
    for r in report["results"]:
        group = r["clause"].split(".")[0] if r["clause"] else "hygiene"
        if group not in groups:
            groups.append(group)
    assert len(suites) == len(groups)
    cases = root.findall("testsuite/testcase")
    assert len(cases) == len(report["results"])
    names = [c.get("name") for c in cases]
    assert len(set(names)) == len(names)
    failures = root.findall("testsuite/testcase/failure")
    assert len(failures) == sum(r["status"] == "fail" for r in report["results"])
    parse_case = next(c for c in cases if c.get("name", "").startswith("DOC-PARSE"))
    assert parse_case.get("file") == "quality/broken.yaml"


def test_markdown_report_for_a_merge_request_comment(quality_repo: Path) -> None:
    report = run_cli("check", quality_repo, "--format", "json", "--as-of", "2026-06-30").json()
    result = run_cli("check", quality_repo, "--format", "markdown", "--as-of", "2026-06-30")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith("## imscheck: ISO/IEC 20000-1:2018 on ISO 9001:2015")
    assert any(line.startswith("**Summary:**") for line in lines)
    observations = [o for r in report["results"] for o in r["observations"]]
    heading = f"### Observations (opportunities for improvement): {len(observations)}"
    assert (heading in lines) == bool(observations)
    findings_table = lines[:lines.index(heading)] if observations else lines
    rows = [line for line in findings_table if line.startswith("| ") and not line.startswith("| | Rule")]
    not_passing = [r for r in report["results"] if r["status"] != "pass"]
    assert len(rows) == len(not_passing)
    assert all(line.count(" | ") == 5 for line in rows)  # six cells: nothing from the repo split a row
    assert any("`quality/broken.yaml:2`" in line and "DOC-PARSE" in line for line in rows)


def test_markdown_escapes_what_comes_from_the_repository(make_repo) -> None:
    hostile = "id: X|1\ntitle: '<script>alert(1)</script> [click](http://evil)'\ntype: record\ndate: 2026-01-01\n"
    repo = make_repo({"r.yaml": hostile})
    text = run_cli("check", repo, "--format", "markdown", "--as-of", "2026-06-30").stdout
    assert "<script>" not in text and "](http" not in text
    row = next(line for line in text.splitlines() if "DOC-SCHEMA" in line)
    assert row.count(" | ") == 5
