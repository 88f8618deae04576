"""`imscheck audit --format markdown`: the same content for a merge-request comment or a wiki."""

from __future__ import annotations

import re

import pytest
from audit_support import NOT_APPLICABLE_CLAUSE, Gapped, build_gapped, expected_grid
from conftest import run_cli

SECTIONS = [
    "## 1 Readiness at a glance",
    "## 2 The integration dividend: what ISO 9001 already covers",
    "## 3 Nonconformities by severity",
    "## 4 Waivers and requirements not applicable",
    "## 5 Document control",
    "## 6 Evidence index",
    "## 7 The run",
]
GROUP_SEVERITY = {"Errors": "error", "Major nonconformities": "major", "Minor nonconformities": "minor",
                  "Observations: opportunities for improvement": "observation"}
LONG_LABEL = {"pass": "Met", "major": "Major nonconformity", "minor": "Minor nonconformity", "observation": "Observation",
              "error": "Error", "waived": "Waived", "not_applicable": "Not applicable", "unchecked": "Not checked (no rule)"}


@pytest.fixture
def gapped(make_repo) -> Gapped:
    return build_gapped(make_repo)


def _section(markdown: str, heading: str) -> list[str]:
    lines = markdown.splitlines()
    start = lines.index(heading)
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    return lines[start + 1:end]


def _cells(row: str) -> list[str]:
    # split on unescaped pipes only: repository text may contain an escaped \|
    return [c.strip() for c in re.split(r"(?<!\\)\|", row.strip())[1:-1]]


def _grid_rows(markdown: str) -> dict[str, list[str]]:
    rows = {}
    for line in _section(markdown, SECTIONS[0]):
        cells = _cells(line) if line.startswith("|") else []
        if cells and re.fullmatch(r"\d+(\.\d+)*", cells[0]):
            assert cells[0] not in rows, f"clause {cells[0]} twice"
            rows[cells[0]] = cells
    return rows


def test_headings_in_reading_order(gapped: Gapped) -> None:
    markdown = run_cli("audit", str(gapped.root), "--format", "markdown").stdout
    headings = [line for line in markdown.splitlines() if line.startswith("## ")]
    assert headings == SECTIONS
    assert markdown.splitlines()[0] == "# Internal-audit dry run: gapped, ISO/IEC 20000-1:2018 on ISO 9001:2015"


@pytest.mark.parametrize("which", ["gapped", "sample"])
def test_one_table_row_per_requirement_with_its_status(which: str, request: pytest.FixtureRequest) -> None:
    repo = request.getfixturevalue("gapped").root if which == "gapped" else request.getfixturevalue("sample_copy")
    markdown = run_cli("audit", str(repo), "--format", "markdown").stdout
    report = run_cli("check", str(repo), "--format", "json").json()
    expected = expected_grid(report, [NOT_APPLICABLE_CLAUSE] if which == "gapped" else [])
    rows = _grid_rows(markdown)
    assert list(rows) == list(expected)
    for clause, cells in rows.items():
        assert cells[-1].endswith(LONG_LABEL[expected[clause]]), (clause, cells)
    # grouped by top-level clause, each group a heading with its met count
    groups = [line for line in _section(markdown, SECTIONS[0]) if line.startswith("### ")]
    tops = list(dict.fromkeys(c.split(".")[0] for c in expected))
    assert [g.split()[1] for g in groups] == tops
    for group in groups:
        top = group.split()[1]
        met = sum(s == "pass" for c, s in expected.items() if c.split(".")[0] == top)
        total = sum(c.split(".")[0] == top for c in expected)
        assert group.endswith(f": {met} of {total} met")


def test_nonconformities_one_heading_each_under_their_severity(gapped: Gapped) -> None:
    markdown = run_cli("audit", str(gapped.root), "--format", "markdown").stdout
    report = run_cli("check", str(gapped.root), "--format", "json").json()
    lines = _section(markdown, SECTIONS[2])
    failing = [r for r in report["results"] if r["status"] in ("fail", "error")]
    findings = [line for line in lines if line.startswith("#### ")]
    assert len(findings) == len(failing)
    severity = None
    seen = []
    for line in lines:
        if line.startswith("### "):
            severity = GROUP_SEVERITY[line[4:].rsplit(" (", 1)[0]]
        elif line.startswith("#### "):
            assert line.endswith(f", {severity})"), line
            seen.append(re.search(r"\(([^,]+), \w+\)$", line).group(1).replace("\\", ""))
    assert sorted(seen) == sorted(r["rule"] for r in failing)
    for field in ("- **Expected:**", "- **Found:**", "- **Documents:**", "- **Guidance:**"):
        assert sum(line.startswith(field) for line in lines) == len(failing), field


def test_evidence_and_scope_tables(gapped: Gapped) -> None:
    markdown = run_cli("audit", str(gapped.root), "--format", "markdown").stdout
    report = run_cli("check", str(gapped.root), "--format", "json").json()
    evidence = [_cells(line) for line in _section(markdown, SECTIONS[5]) if line.startswith("| ")]
    by_requirement = [c for c in evidence if re.fullmatch(r"\d+(\.\d+)*", c[0])]
    requirement_results = [r for r in report["results"] if r["clause"]]
    unchecked = [c for c, s in expected_grid(report, [NOT_APPLICABLE_CLAUSE]).items() if c not in {r["clause"] for r in requirement_results}]
    assert len(by_requirement) == len(requirement_results) + len(unchecked)
    for result in requirement_results:
        row = next(c for c in by_requirement if c[0] == result["clause"])
        documents, checklist = row[4], row[5].replace("\\", "")
        for item in result["evidence"]:
            assert item["document"] in documents and item["path"] in documents.replace("\\", "")
        shown = [] if result["status"] in ("waived", "not_applicable") else result["checklist"]
        assert checklist.count("✓") == sum(c["found"] for c in shown) and checklist.count("✗") == sum(not c["found"] for c in shown)
        for item in shown:
            assert f"{item['topic']}: {'found' if item['found'] else 'not found'}" in checklist
    scope = [_cells(line) for line in _section(markdown, SECTIONS[3]) if line.startswith("| ") and not line.startswith("| Entry")]
    assert len(scope) == 5  # three waivers and two not-applicable entries in the gapped imscheck.yaml
    assert any(gapped.waived in c[0] and c[-1] == "in force" for c in scope)
