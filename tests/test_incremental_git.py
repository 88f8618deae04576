"""The incremental git paths give the report the full evaluation of both sides gives.

``--staged`` and ``--changed-since`` parse only the base files whose bytes the head did not parse,
reuse the head's per-document hygiene and evaluate only the requirement rules that can decide
which failing results are new. Each case below changes a real repository (sample-org, or one made
by the benchmark generator) in a known way and compares the JSON report of
``compare(incremental=False)`` (both sides in full) with the default one.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO_ROOT, commit_all, git, run_cli

from imscheck.api import Settings
from imscheck.comparison.compare import compare
from imscheck.reports import json_report

sys.path.insert(0, str(REPO_ROOT / "benchmarks"))
import generate_repo  # noqa: E402  (a script beside the package, not part of it)

Change = Callable[[Path], None]
PLAN = "service-management/SMS-PLN-005-service-continuity-plan.md"
RECORD = "quality/records/REC-CA-2026-004.yaml"


def report(repo: Path, incremental: bool, **settings: Any) -> dict[str, Any]:
    run = compare(Settings(repo=repo, **settings), incremental=incremental).run
    data: dict[str, Any] = json.loads(json_report.render(run))
    return data


def assert_same(repo: Path, **settings: Any) -> dict[str, Any]:
    full = report(repo, False, **settings)
    fast = report(repo, True, **settings)
    assert fast == full
    return fast


def edit(repo: Path, rel: str, old: str, new: str, count: int = 1) -> None:
    path = repo / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, (rel, old)
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def draft_plan(repo: Path) -> None:
    edit(repo, PLAN, "status: approved", "status: draft")  # SMS-8.7.2 loses its plan (and SMS-7.5.4 fails)


def edit_record(repo: Path) -> None:
    edit(repo, RECORD, "effective: true", "effective: false")  # a committed record edited: GIT-RECORD


def edit_body_without_new_version(repo: Path) -> None:
    edit(repo, PLAN, "## Invocation", "## Invocation\n\nA sentence added without a new version.")  # GIT-VERSION


def add_documents(repo: Path) -> None:
    (repo / "quality/records/REC-NEW-1.yaml").write_text(
        "id: REC-NEW-1\ntitle: New\ntype: record\ndate: 2026-06-01\nrelated: [NOWHERE-1]\n", encoding="utf-8")  # DOC-REF
    shutil.copy(repo / RECORD, repo / "quality/records/copy-of-ca.yaml")  # DOC-ID-UNIQUE


def delete_documents(repo: Path) -> None:
    (repo / RECORD).unlink()  # a committed record deleted; references to it now dangle
    (repo / "quality/QMS-PRC-017-management-review.md").unlink()


def rename_documents(repo: Path) -> None:
    (repo / PLAN).rename(repo / "service-management/continuity.md")
    (repo / RECORD).rename(repo / "quality/records/renamed.yaml")
    edit(repo, "quality/records/renamed.yaml", "id: REC-CA-2026-004", "id: REC-CA-2026-104")  # GIT-ID on the renamed file


def break_documents(repo: Path) -> None:
    edit(repo, RECORD, "type: record", "type: [record")  # YAML syntax error
    edit(repo, PLAN, "version: \"2.0\"", "version: 2.0")  # a schema finding: the document turns defective
    (repo / "quality/records/empty.yaml").write_text("", encoding="utf-8")


def waive_and_limit(repo: Path) -> None:
    edit(repo, "imscheck.yaml", "exclude:",
         "waivers:\n  - rule: SMS-8.7.2\n    reason: moving\n    approved_by: MD\n    expires: 2027-01-01\n"
         "limits:\n  max_depth: 40\nexclude:")


def change_filters(repo: Path) -> None:
    edit(repo, "imscheck.yaml", 'exclude: ["README.md", "templates/**"]', 'exclude: ["README.md", "templates/**", "quality/records/REC-IA-*"]')
    edit_record(repo)


HEAD_CHANGES: dict[str, Change] = {
    "edit-record": edit_record,
    "edit-controlled": edit_body_without_new_version,
    "draft-plan": draft_plan,
    "add": add_documents,
    "delete": delete_documents,
    "rename": rename_documents,
    "broken": break_documents,
    "config": waive_and_limit,
    "filters": change_filters,
}


@pytest.fixture
def sample_repo(sample_copy: Path) -> Path:
    return sample_copy


@pytest.mark.parametrize("name", sorted(HEAD_CHANGES))
def test_sample_org_change_gives_the_full_report(name: str, sample_repo: Path) -> None:
    HEAD_CHANGES[name](sample_repo)
    since = assert_same(sample_repo, changed_since="HEAD")
    git(sample_repo, "add", "-A")
    staged = assert_same(sample_repo, staged=True)
    assert since["results"] == staged["results"]
    assert since["changed_since"]["new_failing"] > 0  # each change is seen, not only agreed on


def test_a_base_that_fails_and_is_partly_repaired(sample_repo: Path) -> None:
    """Failing at the base and still failing is not new: the base must evaluate those rules."""
    draft_plan(sample_repo)
    break_documents(sample_repo)
    (sample_repo / "quality/QMS-PRC-017-management-review.md").unlink()
    commit_all(sample_repo, "a broken base")
    edit(sample_repo, PLAN, "status: draft", "status: approved")  # one repaired
    add_documents(sample_repo)
    data = assert_same(sample_repo, changed_since="HEAD")
    failing = [r for r in data["results"] if r["status"] == "fail"]
    assert any(r["clause"] for r in failing) and not any(r["new"] for r in failing if r["clause"])
    assert any(r["new"] for r in failing)


def test_a_waiver_of_the_base_that_the_change_makes_unused(sample_repo: Path) -> None:
    """The head passes a rule the base failed under a waiver: the base must evaluate the waived rule."""
    waive_and_limit(sample_repo)
    draft_plan(sample_repo)
    commit_all(sample_repo, "waived at the base")
    edit(sample_repo, PLAN, "status: draft", "status: approved")
    data = assert_same(sample_repo, changed_since="HEAD")
    assert [r["rule"] for r in data["results"] if r["new"]] == ["CFG-WAIVER-UNUSED"]


def test_staged_differs_from_the_work_tree(sample_repo: Path) -> None:
    """The staged content is checked, whatever the work tree holds (it is read from git then)."""
    draft_plan(sample_repo)
    git(sample_repo, "add", "-A")
    edit(sample_repo, PLAN, "status: draft", "status: approved")  # not staged
    edit_record(sample_repo)  # not staged
    data = assert_same(sample_repo, staged=True)
    new = {r["rule"] for r in data["results"] if r["new"]}
    assert "GIT-RECORD" not in new and any(r["clause"] for r in data["results"] if r["new"])


def test_the_cli_uses_the_incremental_path_with_the_same_report(sample_repo: Path) -> None:
    draft_plan(sample_repo)
    add_documents(sample_repo)
    git(sample_repo, "add", "-A")
    result = run_cli("check", sample_repo, "--staged", "--format", "json")
    assert result.exit_code == 1, result.stderr
    assert json.loads(result.stdout) == report(sample_repo, False, staged=True)
    assert run_cli("check", sample_repo, "--staged", "--new-only").exit_code == 1


def test_an_unchanged_base_file_is_parsed_once(sample_repo: Path) -> None:
    """Work done grows with the change: the base shares the head's Document for every unchanged file."""
    from imscheck.comparison.compare import base_corpus
    from imscheck.comparison.repository import GitRepository
    from imscheck.config import load_config
    from imscheck.documents import load_corpus
    from imscheck.sources import Fingerprinted, WorkTree
    from imscheck.stages import read_source

    edit_record(sample_repo)
    (sample_repo / "quality/records/REC-NEW-1.yaml").write_text("id: REC-NEW-1\ntype: record\ndate: 2026-01-01\n", encoding="utf-8")
    settings = Settings(repo=sample_repo, changed_since="HEAD")
    with GitRepository(sample_repo) as repo:
        base = repo.commit_source(repo.resolve("HEAD"))
        recorded = Fingerprinted(WorkTree(sample_repo))
        head = read_source(WorkTree(sample_repo), settings,
                           load=lambda config: load_corpus(recorded, config.include, config.exclude, config.limits))
        corpus = base_corpus(base, load_config(base), head, recorded.read_ids)
    shared = {id(d) for d in head.corpus.documents}
    parsed_again = [d.path for d in corpus.documents if id(d) not in shared]
    assert parsed_again == [RECORD]
    assert len(corpus.documents) == len(head.corpus.documents) - 1


def _generated(tmp_path: Path) -> Path:
    repo = tmp_path / "generated"
    generate_repo.generate(repo, 300, seed=3)
    return repo


def _records(repo: Path) -> list[str]:
    return sorted(git(repo, "ls-files", "*/records/*").split())


def generated_changes(repo: Path) -> None:
    records = _records(repo)
    edited, deleted, moved, broken = records[0], records[1], records[2], records[3]
    text = (repo / edited).read_text(encoding="utf-8")
    (repo / edited).write_text(re.sub(r"^title: .*$", "title: edited after commit", text, count=1, flags=re.M), encoding="utf-8")
    (repo / deleted).unlink()
    (repo / moved).rename(repo / f"{moved}.moved.yaml")
    (repo / broken).write_text("id: [unclosed\n", encoding="utf-8")
    (repo / "added.yaml").write_text("id: REC-ADDED-1\ntype: record\ndate: 2026-01-05\nrelated: [REC-NONE]\n", encoding="utf-8")


def test_a_generated_repository_gives_the_full_report(tmp_path: Path) -> None:
    repo = _generated(tmp_path)
    assert_same(repo, changed_since="HEAD~1")  # the generator's second commit: new tickets
    generated_changes(repo)
    for settings in ({"changed_since": "HEAD"}, {"changed_since": "HEAD~1"}):
        data = assert_same(repo, **settings)
        assert data["changed_since"]["new_failing"] > 0
    git(repo, "add", "-A")
    assert assert_same(repo, staged=True)["changed_since"]["new_failing"] > 0


def test_a_damaged_staged_object_is_still_found(sample_repo: Path) -> None:
    """Staged files whose bytes the work tree holds are read from it, yet a damaged object is exit 2."""
    edit_record(sample_repo)
    git(sample_repo, "add", "-A")
    oid = git(sample_repo, "rev-parse", f":{RECORD}").strip()
    loose = sample_repo / ".git/objects" / oid[:2] / oid[2:]
    loose.chmod(0o644)
    loose.write_bytes(b"damaged")
    result = subprocess.run([sys.executable, "-m", "imscheck", "check", str(sample_repo), "--staged"],
                            capture_output=True, text=True, timeout=60,
                            env={"PYTHONPATH": str(REPO_ROOT / "src"), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 2 and "damaged or incomplete" in result.stderr, result.stderr
