"""The audit report stays a page an auditor can use at 10,000 documents: a few hundred kB, not
8 MB, and still every failing requirement, every controlled document, every link resolving.

The repository is the benchmark's generated one (sample-org's documents and 9,934 records), broken
on purpose: every change record loses its risk assessment (one requirement failing on ~1,000
records), a procedure is deleted (a requirement with no evidence, and records pointing at a
missing document), and three incidents are dated in the future (document findings on records).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import git

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = 10_000
LIMIT = 3_000_000  # bytes: the target for the page at 10,000 documents
DELETED = "service-management/SMS-PRC-019-problem-management.md"


def _break(repo: Path) -> None:
    for path in sorted(repo.glob("service-management/records/chg/*/*.yaml")):
        text = path.read_text(encoding="utf-8")
        path.write_text(re.sub(r"(?m)^risk:", "# risk:", text), encoding="utf-8")
    git(repo, "rm", "-q", DELETED)
    for path in sorted(repo.glob("service-management/records/inc/*/*.yaml"))[:3]:
        text = path.read_text(encoding="utf-8")
        path.write_text(re.sub(r"(?m)^date: .*$", "date: 2099-01-01", text), encoding="utf-8")
    git(repo, "commit", "-qam", "break it")


@pytest.fixture(scope="module")
def audited(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, str, str]:
    repo = tmp_path_factory.mktemp("scale") / "repo"
    made = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "generate_repo.py"), str(repo), "--documents", str(DOCUMENTS),
                           "--single-commit"], capture_output=True, text=True, timeout=600)
    assert made.returncode == 0, made.stderr
    _break(repo)
    from imscheck.api import Settings
    from imscheck.audit import prepare
    from imscheck.audit.render import render_audit

    run, report = prepare(Settings(repo=repo))
    return run, render_audit(report, "html"), render_audit(report, "markdown")


def _failing_requirements(run: Any) -> list[Any]:
    return [r for r in run.results if r.is_requirement and r.status in ("fail", "error")]


def _controlled(run: Any) -> list[Any]:
    return [d for d in run.documents if getattr(d, "type", None) not in ("record", "report")]


def test_the_broken_repository_is_what_the_test_needs(audited: tuple[Any, str, str]) -> None:
    run, _, _ = audited
    assert len(run.documents) >= DOCUMENTS - 1
    failing = {r.rule: r for r in _failing_requirements(run)}
    assert len(failing.get("SMS-8.5.1.3").locations) > 500  # one requirement failing on many records
    assert len(failing) >= 2
    assert sum(1 for r in run.results if not r.is_requirement and r.failing) > 3  # document findings on records
    assert 40 < len(_controlled(run)) < 200


def test_the_page_is_small_and_names_every_failing_requirement_and_controlled_document(audited: tuple[Any, str, str]) -> None:
    run, page, _ = audited
    assert len(page.encode("utf-8")) < LIMIT
    articles = re.findall(r'<article class="finding.*?</article>', page, re.S)
    for result in _failing_requirements(run):
        # its finding, with the clause in the heading and the rule beside it
        assert any(f'<span class="rule">{result.rule}' in a and f"<h4>{result.clause} " in a for a in articles), result.rule
    rows = set(re.findall(r'<tr id="(doc-[^"]+)"><td><strong>([^<]+)</strong>', page))
    named = {doc_id for _, doc_id in rows}
    for doc in _controlled(run):
        assert (doc.id or doc.path) in named, doc.path


def test_long_lists_fold_and_every_link_still_lands(audited: tuple[Any, str, str]) -> None:
    run, page, _ = audited
    failing = next(r for r in run.results if r.rule == "SMS-8.5.1.3")
    total = len(failing.locations)
    # the finding lists a sample of its places and counts the rest
    assert re.search(rf"and {total - 20:,} more places", page)
    # records are summarised per folder; the counts add up to every record read
    folders = re.findall(r'<tr id="records-[^"]+" data-records="(\d+)">', page)
    assert folders
    records = sum(1 for d in run.documents if getattr(d, "type", None) in ("record", "report"))
    listed_alone = len(re.findall(r'<tr id="doc-', page)) - len(_controlled(run))
    assert sum(map(int, folders)) <= records <= sum(map(int, folders)) + listed_alone
    # the incidents dated in the future are named in their folder's summary
    future = [r for r in run.results if r.rule == "DOC-DATE" and r.failing]
    assert len(future) == 3
    for result in future:
        assert result.locations[0].path in page
    ids = set(re.findall(r'\bid="([^"]+)"', page))
    hrefs = set(re.findall(r'href="#([^"]+)"', page))
    assert hrefs and hrefs <= ids, sorted(hrefs - ids)[:5]
    assert "<script" not in page.lower()
    assert "default-src 'none'" in page


def test_markdown_folds_the_same_way(audited: tuple[Any, str, str]) -> None:
    run, _, markdown = audited
    assert len(markdown.encode("utf-8")) < LIMIT
    assert "### Records by folder" in markdown
    for result in _failing_requirements(run):
        assert result.rule in markdown
    for doc in _controlled(run):
        assert (doc.id or doc.path) in markdown, doc.path


def test_sample_spreads_evenly_and_keeps_order() -> None:
    from imscheck.audit.fold import folder_of, sample

    assert sample(list(range(5))) == ((0, 1, 2, 3, 4), 0)
    shown, more = sample(list(range(1000)), 10)
    assert len(shown) == 10 and more == 990
    assert shown[0] == 0 and shown[-1] == 999 and list(shown) == sorted(shown)
    assert folder_of("service-management/records/inc/2026-03/REC-INC-1.yaml") == "service-management/records/inc"
    assert folder_of("records/2026/03/x.yaml") == "records"
    assert folder_of("x.yaml") == "."


def test_a_small_repository_folds_nothing(sample_copy: Path, tmp_path: Path) -> None:
    from conftest import run_cli

    out = tmp_path / "r.html"
    assert run_cli("audit", str(sample_copy), "-o", str(out)).exit_code == 0
    page = out.read_text(encoding="utf-8")
    assert "Records by folder" not in page and " more records" not in page
    documents: dict[str, int] = {}
    for rel in git(sample_copy, "ls-files").split():
        if rel.endswith((".md", ".yaml")) and rel not in ("imscheck.yaml", "README.md"):
            documents[rel] = 1
    rows = re.findall(r'<tr id="doc-', page)
    assert len(rows) >= len([p for p in documents if "/records/" in p])
