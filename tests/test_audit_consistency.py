"""The audit report does not contradict or repeat itself (issue 12, item 11), on broken copies of
sample-org: the Found line does not restate the Expected one, the verdict's counts are the counts
beside it, and the evidence index names a document once per requirement."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import run_cli

BRM = "service-management/SMS-PRC-008-business-relationship-management.md"
INCIDENTS = "service-management/SMS-PRC-017-incident-management.md"


def edit(repo: Path, rel: str, old: str, new: str) -> None:
    path = repo / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, (rel, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def audit_markdown(repo: Path, out: Path) -> str:
    result = run_cli("audit", repo, "--format", "markdown", "--output", out)
    assert result.exit_code == 0, result.stderr
    return out.read_text(encoding="utf-8")


def audit_html(repo: Path, out: Path) -> str:
    result = run_cli("audit", repo, "--output", out)
    assert result.exit_code == 0, result.stderr
    return out.read_text(encoding="utf-8")


def findings(markdown: str) -> list[tuple[str, str, str]]:
    """(heading, Expected, Found) of each nonconformity."""
    out = []
    for block in re.split(r"\n#### ", markdown)[1:]:
        fields = dict(re.findall(r"^- \*\*(\w[\w ']*):\*\* (.*)$", block, re.M))
        if "Found" in fields:
            out.append((block.splitlines()[0], fields.get("Expected", ""), fields["Found"]))
    return out


def test_the_found_line_does_not_repeat_the_expected_one(sample_copy: Path, tmp_path: Path) -> None:
    edit(sample_copy, BRM, "status: approved", "status: draft")  # a major (8.3.1) and a partial rule's extension (8.3.2)
    (sample_copy / "service-management/records/REC-CTR-2026-01.yaml").unlink()  # a minor: the test record
    listed = findings(audit_markdown(sample_copy, tmp_path / "a.md"))
    requirements = [f for f in listed if re.match(r"\d", f[0])]
    assert {"8.3.1", "8.3.2", "8.7.2"} <= {heading.split()[0] for heading, _, _ in requirements}
    for heading, expected, found in requirements:
        assert found and not found.lower().startswith(("expected", "not addressed", "evidence present")), (heading, found)
        assert "expected " not in found.lower(), (heading, found)
        for phrase in expected.split("; "):
            assert phrase not in found, (heading, phrase)
    by_clause = {heading.split()[0]: found for heading, _, found in requirements}
    assert "SMS-PRC-008" in by_clause["8.3.1"] and "is a draft: approve it for it to count" in by_clause["8.3.1"]
    assert by_clause["8.7.2"].startswith("no continuity test record")  # several expectations: which one is lacking


def _table_counts(markdown: str) -> dict[str, int]:
    return {label: int(n) for label, n in re.findall(r"^\| \S+ ([A-Z][a-z]+(?: [a-z]+)*) \| (\d+) \|$", markdown, re.M)}


def _verdict_counts(verdict: str) -> dict[str, int]:
    found = {"major": 0, "minor": 0}
    for n, severity in re.findall(r"(\d+) (major|minor) (?:nonconformit|one)", verdict):
        found[severity] = int(n)
    return found


def test_the_verdict_counts_what_the_counts_beside_it_count(sample_copy: Path, tmp_path: Path) -> None:
    # only a document check fails: the requirement counts say 0 minor, and so must the verdict
    edit(sample_copy, INCIDENTS, "related: [SMS-PRC-018", "related: [SMS-PRC-999")
    markdown = audit_markdown(sample_copy, tmp_path / "doc.md")
    verdict = re.search(r"^> \*\*(.*)\*\*$", markdown, re.M).group(1)  # type: ignore[union-attr]
    counts = _table_counts(markdown)
    assert counts["Minor nonconformity"] == 0 and counts["Major nonconformity"] == 0
    assert _verdict_counts(verdict) == {"major": 0, "minor": 0}, verdict
    assert verdict.startswith("Nearly ready") and "1 finding of the document checks (1 minor)" in verdict

    # and with requirement findings as well, the numbers in the sentence are the ones in the table
    edit(sample_copy, BRM, "status: approved", "status: draft")
    markdown = audit_markdown(sample_copy, tmp_path / "both.md")
    verdict = re.search(r"^> \*\*(.*)\*\*$", markdown, re.M).group(1)  # type: ignore[union-attr]
    counts = _table_counts(markdown)
    assert counts["Major nonconformity"] >= 1 and counts["Minor nonconformity"] >= 1
    assert _verdict_counts(verdict) == {"major": counts["Major nonconformity"], "minor": counts["Minor nonconformity"]}, verdict

    html = audit_html(sample_copy, tmp_path / "both.html")
    shown = dict((label, int(n)) for n, label in re.findall(r'<span class="n">(\d+)</span> ([A-Z][a-z]+(?: [a-z]+)*)</li>', html))
    html_verdict = re.search(r'<p class="verdict[^"]*">(.*?)</p>', html).group(1)  # type: ignore[union-attr]
    assert _verdict_counts(html_verdict) == {"major": shown["Major nonconformity"], "minor": shown["Minor nonconformity"]}


def test_the_evidence_index_names_a_document_once_per_requirement(sample_copy: Path, tmp_path: Path) -> None:
    # sample-org's management review record addresses both standards' 9.3, so it earns both halves
    markdown = audit_markdown(sample_copy, tmp_path / "a.md")
    section = markdown[markdown.index("Evidence index"):] if "Evidence index" in markdown else markdown
    rows = [line for line in section.splitlines() if re.match(r"^\| \d+(\.\d+)* \| ", line)]
    assert rows
    for row in rows:
        paths = re.findall(r"\(([^()\s]+):\d+\)", row.split(" | ")[4])
        assert len(paths) == len(set(paths)), row
    [review] = [row for row in rows if row.startswith("| 9.3 |")]
    assert "REC-MR-2026-04 (service-management/records/REC-MR-2026-04.yaml:1) via iso9001:2015/9.3, iso20000-1:2018/9.3" in review

    html = audit_html(sample_copy, tmp_path / "a.html")
    row = re.search(r'<tr id="ev-SMS-9\.3".*?</tr>', html, re.S).group(0)  # type: ignore[union-attr]
    assert row.count(">REC-MR-2026-04</a>") == 1
