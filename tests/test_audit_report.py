"""`imscheck audit`: the command as a user runs it, and the HTML page it writes.

Expected values come from the JSON report of the same repository and from the catalogue, never
from counts written into the test: the rule pack grows, the tests keep holding.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from audit_support import (
    AS_OF,
    HOSTILE_TITLE,
    NOT_APPLICABLE_CLAUSE,
    SHORT_LABEL,
    Gapped,
    audit,
    build_gapped,
    expected_grid,
    parse_html,
)
from conftest import git, run_cli


@pytest.fixture
def gapped(make_repo) -> Gapped:
    return build_gapped(make_repo)


def _guidance(standard: str) -> dict[str, str]:
    """Each rule's guidance, as the library loads the pack and the hygiene rules."""
    from imscheck.api import Settings, always_run_rules, catalogues, resolve_pack
    from imscheck.config import Config

    pack = resolve_pack(Settings(standard=standard), Config(), catalogues())
    return {**{r.id: r.guidance for r in pack.rules}, **{h.id: h.guidance for h in always_run_rules().values()}}


def _snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    return {str(p.relative_to(root)): (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(root.rglob("*")) if p.is_file()}


def test_audit_writes_the_report_and_exits_0_although_check_fails(gapped: Gapped, tmp_path: Path) -> None:
    out = tmp_path / "out" / "report.html"
    result = run_cli("audit", str(gapped.root), "--output", str(out))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert run_cli("check", str(gapped.root)).exit_code == 1  # the same repository fails the gate


@pytest.mark.parametrize("threshold", ["major", "minor", "observation", "never"])
def test_fail_on_gives_the_exit_code_check_gives(gapped: Gapped, tmp_path: Path, threshold: str) -> None:
    audited = run_cli("audit", str(gapped.root), "-o", str(tmp_path / "r.html"), "--fail-on", threshold)
    checked = run_cli("check", str(gapped.root), "--fail-on", threshold)
    assert audited.exit_code == checked.exit_code
    assert (tmp_path / "r.html").is_file()  # the report is written before the gate decides


def test_without_output_the_report_goes_to_stdout(gapped: Gapped) -> None:
    result = run_cli("audit", str(gapped.root), "--format", "markdown")
    assert result.exit_code == 0
    assert result.stdout.startswith("# Internal-audit dry run: gapped")


@pytest.mark.parametrize("problem", ["missing", "file", "config"])
def test_set_up_errors_are_one_line_and_exit_2(tmp_path: Path, make_repo, problem: str) -> None:
    if problem == "missing":
        repo = tmp_path / "nowhere"
    elif problem == "file":
        repo = tmp_path / "plain.txt"
        repo.write_text("x")
    else:
        repo = make_repo({"imscheck.yaml": "as_of: [not, a, date\n"})
    result = run_cli("audit", str(repo), "--output", str(tmp_path / "r.html"))
    assert result.exit_code == 2
    assert result.stderr.startswith("imscheck: error: ") and result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "r.html").exists()


def test_unwritable_output_is_exit_2(gapped: Gapped, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    result = run_cli("audit", str(gapped.root), "--output", str(blocker / "report.html"))
    assert result.exit_code == 2
    assert "cannot write report" in result.stderr and str(blocker / "report.html") in result.stderr


def test_bad_date_option_is_a_usage_error(gapped: Gapped) -> None:
    result = run_cli("audit", str(gapped.root), "--as-of", "1 November")
    assert result.exit_code == 2
    assert "--as-of" in result.stderr


def test_audit_only_reads_the_repository(gapped: Gapped, tmp_path: Path) -> None:
    before = _snapshot(gapped.root)
    for fmt in ("html", "markdown"):
        assert run_cli("audit", str(gapped.root), "--format", fmt, "-o", str(tmp_path / f"r.{fmt}")).exit_code == 0
    assert _snapshot(gapped.root) == before
    assert git(gapped.root, "status", "--porcelain", "--ignored") == ""


def test_same_input_and_as_of_give_identical_bytes(gapped: Gapped, tmp_path: Path) -> None:
    first, second = tmp_path / "1.html", tmp_path / "2.html"
    run_cli("audit", str(gapped.root), "-o", str(first))
    run_cli("audit", str(gapped.root), "-o", str(second))
    assert first.read_bytes() == second.read_bytes()
    # and nothing of "now" in it: a different as_of changes the report, today's date does not appear
    page = first.read_text(encoding="utf-8")
    assert AS_OF in page
    import datetime as dt

    if dt.date.today().isoformat() != AS_OF:
        assert dt.date.today().isoformat() not in page


def test_the_page_is_self_contained(gapped: Gapped, tmp_path: Path) -> None:
    page, _ = audit(gapped.root, tmp_path / "r.html")
    lowered = page.lower()
    for needle in ("<script", "<link", "<img", "<iframe", "<object", "@import", "url(", " src=", "@font-face"):
        assert needle not in lowered, needle
    hrefs = re.findall(r'href="([^"]*)"', page)
    assert hrefs and all(h.startswith("#") for h in hrefs)
    assert "default-src 'none'" in page  # the browser itself refuses any request the page might make


def test_everything_from_the_repository_is_escaped(gapped: Gapped, tmp_path: Path) -> None:
    page, _ = audit(gapped.root, tmp_path / "r.html")
    assert "<script>" not in page
    tree = parse_html(page)
    assert not tree.find_all("script")
    # the record's own row in the evidence index (requirement rows name it by id only)
    row = next(n for n in tree.find_all("tr") if n.attrs.get("id", "").startswith("doc-") and "REC-IA-2026-01" in n.text())
    assert HOSTILE_TITLE in row.text()  # shown as text, exactly as written
    markdown = run_cli("audit", str(gapped.root), "--format", "markdown").stdout
    assert "<script>" not in markdown and "[click](" not in markdown
    assert r"\<script\>" in markdown and r"\| \*urgent\* \[click\]" in markdown


def test_readiness_grid_has_one_cell_per_requirement(gapped: Gapped, tmp_path: Path) -> None:
    page, report = audit(gapped.root, tmp_path / "r.html")
    tree = parse_html(page)
    expected = expected_grid(report, [NOT_APPLICABLE_CLAUSE])
    cells = tree.find_all("a", "cell")
    assert [c.attrs["data-clause"] for c in cells] == list(expected)  # catalogue order, no clause twice
    for cell in cells:
        status = expected[cell.attrs["data-clause"]]
        assert cell.attrs["data-status"] == status
        assert f"st-{status}" in cell.classes()
        assert cell.text().startswith(f"{cell.attrs['data-clause']} {SHORT_LABEL[status]}")  # a text label, not colour alone
    counts = {li.text() for li in tree.by_id("readiness").find_all("li") if li.find_all("span", "n")}
    for status in ("pass", "major", "not_applicable"):
        n = sum(s == status for s in expected.values())
        assert any(text.startswith(f"{n} ") for text in counts)
    in_scope = sum(s != "not_applicable" for s in expected.values())
    met = sum(s == "pass" for s in expected.values())
    assert f"{met} of {in_scope} requirements in scope met" in tree.by_id("readiness").text()


def test_sections_come_in_the_order_a_lead_auditor_reads_them(gapped: Gapped, tmp_path: Path) -> None:
    page, _ = audit(gapped.root, tmp_path / "r.html")
    ids = [n.attrs["id"] for n in parse_html(page).find_all("section")]
    assert ids == ["readiness", "dividend", "nonconformities", "scope", "document-control", "evidence", "run"]


def test_dividend_matches_the_json_summary(gapped: Gapped, tmp_path: Path) -> None:
    page, report = audit(gapped.root, tmp_path / "r.html")
    tree = parse_html(page)
    relations = report["summary"]["by_relation"]
    for relation, counts in relations.items():
        row = next(r for r in tree.by_id("dividend").find_all("tr") if r.attrs.get("data-relation") == relation)
        cells = [td.text() for td in row.find_all("td")]
        assert cells[1:3] == [str(counts["total"]), str(counts["pass"])]
        bar = next(g for g in tree.find_all("g", "bar") if g.attrs["data-relation"] == relation)
        met = [r for r in bar.find_all("rect") if "seg-pass" in r.classes()]
        assert sum(int(r.attrs["data-count"]) for r in met) == counts["pass"]
        assert f"{counts['pass']} of {counts['total']} met" in bar.text()
    # the 9001 credit: QMS-PRC-007 (addressing iso9001:2015/7.5) meets the fully related 7.5.3
    full = next(r for r in report["results"] if r["clause"] == "7.5.3")
    assert full["status"] == "pass" and any(e["via"] == "iso9001:2015/7.5" for e in full["evidence"])
    assert "met by ISO 9001 evidence" in tree.by_id("dividend").text()


def test_each_nonconformity_shows_clause_expected_found_documents_and_guidance(gapped: Gapped, tmp_path: Path) -> None:
    page, report = audit(gapped.root, tmp_path / "r.html")
    tree = parse_html(page)
    articles = tree.by_id("nonconformities").find_all("article", "finding")
    failing = [r for r in report["results"] if r["status"] in ("fail", "error")]
    assert len(articles) == len(failing)
    guidance = _guidance(report["standard"])
    texts = [a.text() for a in articles]
    for result in failing:
        heading = f"{result['clause']} " if result["clause"] else result["title"]
        # a requirement's Found line says what was found without the expectation its message
        # restates (tests/test_audit_consistency.py); a document finding shows its message
        shown = " ".join(result["message"].split()) if not result["clause"] else ""
        matches = [t for t in texts if result["rule"] in t and shown in t and heading in t]
        assert matches, result["rule"]
        text = matches[0]
        assert "Expected" in text and "Found" in text and "Documents" in text
        for loc in result["locations"]:
            assert f"{loc['path']}:{loc['line']}" in text
        assert " ".join(guidance[result["rule"]].split()) in text
    # grouped by severity, majors first
    severities = [a.classes()[1].removeprefix("sev-") for a in articles]
    order = {"error": 0, "major": 1, "minor": 2, "observation": 3}
    assert severities == sorted(severities, key=order.__getitem__)


def test_checklist_and_observations_match_the_json_report(gapped: Gapped, tmp_path: Path) -> None:
    page, report = audit(gapped.root, tmp_path / "r.html")
    tree = parse_html(page)
    rows = {r.attrs["id"]: r for r in tree.by_id("evidence").find_all("tr") if r.attrs.get("id", "").startswith("ev-")}
    for result in (r for r in report["results"] if r["clause"]):
        row = rows[f"ev-{result['rule']}"]  # rule ids are anchor-safe
        items = [li.text() for ul in row.find_all("ul", "checklist") for li in ul.find_all("li")]
        shown = [] if result["status"] in ("waived", "not_applicable") else result["checklist"]
        assert len(items) == len(shown), result["rule"]
        for text, item in zip(items, shown, strict=False):
            assert text.startswith(f"{'✓' if item['found'] else '✗'} {item['topic']}: {'found' if item['found'] else 'not found'}")
    observations = [(r["rule"], " ".join(o["message"].split())) for r in report["results"] for o in r["observations"]]
    table = tree.by_id("nonconformities").find_all("table", "observations")
    written = [(r.attrs["data-rule"], r.find_all("td")[2].text()) for t in table for r in t.find_all("tr") if r.find_all("td")]
    assert sorted(written) == sorted(observations)
    ofi = tree.by_id("readiness").find_all("li", "ofi")[0]
    assert ofi.attrs["data-observations"] == str(report["summary"]["observations"])


def test_waivers_and_not_applicable_show_justification_approver_expiry_and_effect(gapped: Gapped, tmp_path: Path) -> None:
    page, report = audit(gapped.root, tmp_path / "r.html")
    rows = {r.find_all("td")[0].text(): r.text() for r in parse_html(page).by_id("scope").find_all("tr") if r.find_all("td")}
    by_rule = {r["rule"]: r for r in report["results"] if r["clause"]}
    assert by_rule[gapped.waived]["status"] == "waived"
    waived = next(t for k, t in rows.items() if k.startswith(f"waiver of {gapped.waived} "))
    assert "Head of Service" in waived and "2027-01-31" in waived and "in force" in waived and "Tooling migration" in waived
    expired = next(t for k, t in rows.items() if k.startswith(f"waiver of {gapped.expired} "))
    assert by_rule[gapped.expired]["status"] == "fail" and "expired on 2026-09-30" in expired
    unknown = next(t for k, t in rows.items() if k.startswith(f"waiver of {gapped.unknown} "))
    assert "unknown rule" in unknown
    by_clause = next(t for k, t in rows.items() if k.startswith(f"not applicable: {NOT_APPLICABLE_CLAUSE} "))
    assert "parent company" in by_clause and "Managing Director" in by_clause
    assert f"excludes {NOT_APPLICABLE_CLAUSE}.1, {NOT_APPLICABLE_CLAUSE}.2" in by_clause
    by_rule_row = next(t for k, t in rows.items() if k.startswith(f"not applicable: {gapped.excluded} "))
    assert f"excludes {by_rule[gapped.excluded]['clause']}" in by_rule_row and by_rule[gapped.excluded]["status"] == "not_applicable"


def test_document_control_lists_overdue_due_soon_drafts_and_withdrawn_references(gapped: Gapped, tmp_path: Path) -> None:
    page, report = audit(gapped.root, tmp_path / "r.html")
    section = parse_html(page).by_id("document-control")
    tables = {h.text(): None for h in section.find_all("h3")}
    text = section.text()
    assert list(tables) == ["Overdue for review (1)", "Due for review within 90 days (1)",
                            "Drafts and documents in review (1)", "Withdrawn documents still referenced (1)"]
    rows = [r.text() for r in section.find_all("tr") if r.find_all("td")]
    assert any(r.startswith(gapped.overdue) and "2026-06-30" in r and " 124 " in f" {r} " for r in rows)  # 2026-06-30 -> 11-01
    assert any(r.startswith(gapped.due_soon) and "2026-12-15" in r and " 44 " in f" {r} " for r in rows)
    assert any(r.startswith(gapped.draft) and "draft" in r for r in rows)
    withdrawn = next(r for r in rows if r.startswith(gapped.withdrawn))
    assert f"{gapped.referrer}" in withdrawn and "related" in withdrawn
    # the overdue row points where DOC-REVIEW points: the review field
    review = next(r for r in report["results"] if r["rule"] == "DOC-REVIEW" and r["status"] == "fail")
    loc = review["locations"][0]
    overdue = next(r for r in rows if r.startswith(gapped.overdue))
    assert f"{loc['path']}:{loc['line']}" in overdue and "review" in text


def test_evidence_index_runs_both_ways(gapped: Gapped, tmp_path: Path) -> None:
    page, report = audit(gapped.root, tmp_path / "r.html")
    tree = parse_html(page)
    section = tree.by_id("evidence")
    documents = {}
    for result in (r for r in report["results"] if r["clause"]):
        row = next(r for r in section.find_all("tr") if r.find_all("td") and result["rule"] in r.text())
        for item in result["evidence"]:
            assert item["document"] in row.text() and f"via {item['via']}" in row.text()
            documents.setdefault(item["path"], set()).add(result["clause"])
    assert documents, "the gapped repository has some evidence"
    doc_rows = [r for r in section.find_all("tr") if r.attrs.get("id", "").startswith("doc-")]
    assert len(doc_rows) == len(list(gapped.root.rglob("*.md"))) + len(list(gapped.root.rglob("records/*.yaml")))
    for path, clauses in documents.items():
        row = next(r for r in doc_rows if f"{path}:" in r.text())
        linked = [a.text() for a in row.find_all("a")]
        assert sorted(linked) == sorted(clauses)


def test_the_run_section_names_date_editions_version_and_commit(gapped: Gapped, tmp_path: Path) -> None:
    page, report = audit(gapped.root, tmp_path / "r.html")
    text = parse_html(page).by_id("run").text()
    head = git(gapped.root, "rev-parse", "HEAD").strip()
    assert report["repository"]["commit"] == head
    for needle in (AS_OF, "ISO/IEC 20000-1:2018", "ISO 9001:2015", f"imscheck {report['tool']['version']}", head):
        assert needle in text


def test_templates_are_package_data() -> None:
    from importlib.resources import files

    templates = files("imscheck.audit") / "templates"
    for name in ("report.html.j2", "report.md.j2", "report.css"):
        assert (templates / name).is_file(), name


def test_check_does_not_import_jinja2_but_audit_does(gapped: Gapped) -> None:
    probe = (
        "import sys\nfrom imscheck.cli import main\n"
        "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
        "sys.stderr.write('jinja2=%s' % ('jinja2' in sys.modules))\n"
    )

    def loaded(*args: str) -> str:
        proc = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True, text=True, env={**os.environ, "PYTHONPATH": ""})
        return proc.stderr.rsplit("jinja2=", 1)[-1]

    assert loaded("check", str(gapped.root), "--format", "json") == "False"
    assert loaded("audit", str(gapped.root), "--format", "markdown") == "True"


def test_the_wheel_ships_the_templates_and_audits_from_them(gapped: Gapped, tmp_path: Path) -> None:
    """Build the wheel (a few seconds), unpack it, and audit with that copy from another folder."""
    import zipfile

    repo_root = Path(__file__).resolve().parents[1]
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(tmp_path / "dist"), str(repo_root)],
                   check=True, capture_output=True)
    wheel = next((tmp_path / "dist").glob("imscheck-*.whl"))
    unpacked = tmp_path / "unpacked"
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        archive.extractall(unpacked)
    for name in ("report.html.j2", "report.md.j2", "report.css"):
        assert f"imscheck/audit/templates/{name}" in names
    probe = "import imscheck, sys; from imscheck.cli import main; sys.stderr.write(imscheck.__file__ + '\\n'); main(sys.argv[1:])"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    proc = subprocess.run([sys.executable, "-c", probe, "audit", str(gapped.root), "-o", "r.html"], cwd=elsewhere,
                          capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(unpacked)})
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.startswith(str(unpacked))  # the wheel's copy ran, not the source tree
    assert "Readiness at a glance" in (elsewhere / "r.html").read_text(encoding="utf-8")


def test_a_custom_rule_on_a_parent_clause_gets_its_own_cell(gapped: Gapped, tmp_path: Path) -> None:
    extra = tmp_path / "our-rules"
    extra.mkdir()
    (extra / "local.yaml").write_text(
        "rules:\n"
        "  - id: LOCAL-8.5\n"
        "    clause: \"8.5\"\n"
        "    title: Our own check on service design\n"
        "    severity: observation\n"
        "    relation: {type: none}\n"
        "    guidance: Keep a service design record for every new service.\n",
        encoding="utf-8",
    )
    page, _ = audit(gapped.root, tmp_path / "r.html", "--rules", str(extra))
    report = run_cli("check", str(gapped.root), "--format", "json", "--rules", str(extra)).json()
    assert any(r["rule"] == "LOCAL-8.5" for r in report["results"])
    expected = expected_grid(report, [NOT_APPLICABLE_CLAUSE])
    cells = parse_html(page).find_all("a", "cell")
    assert [c.attrs["data-clause"] for c in cells] == list(expected)
    assert next(c for c in cells if c.attrs["data-clause"] == "8.5").attrs["data-status"] == expected["8.5"]
