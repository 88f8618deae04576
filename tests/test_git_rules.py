"""Document control from git history (GIT-VERSION, GIT-RECORD, GIT-ID) on real git histories."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import commit_all, git, run_cli
from gate_docs import AS_OF, base_files, failing_results, policy, record, worktree_state, write


def changed(repo: Path, *extra: str) -> dict[str, Any]:
    result = run_cli("check", repo, "--changed-since", "HEAD", "--as-of", AS_OF, "--format", "json", *extra)
    assert result.exit_code in (0, 1), result.stderr
    return result.json()


def git_findings(report: dict[str, Any], rule: str) -> list:
    return failing_results(report, rule)


@pytest.fixture
def repo(make_repo: Any) -> Path:
    return make_repo(base_files())


def test_approved_document_edited_without_new_version_is_a_finding(repo: Path) -> None:
    write(repo, "policies/quality-policy.md", policy(body="We meet customer and service requirements."))
    report = changed(repo)
    [finding] = git_findings(report, "GIT-VERSION")
    assert finding["severity"] == "major"
    assert finding["new"] is True
    message = finding["message"]
    assert "policies/quality-policy.md" in message and 'version is still "1.0"' in message and "approved_on is still 2026-01-10" in message
    assert "bump version" in message and "draft" in message
    text = (repo / "policies/quality-policy.md").read_text().splitlines()
    [location] = finding["locations"]
    assert location["path"] == "policies/quality-policy.md"
    assert text[location["line"] - 1].startswith("version:")


def test_new_version_without_new_approval_date_names_approved_on(repo: Path) -> None:
    write(repo, "policies/quality-policy.md", policy(version="1.1", body="Changed text."))
    [finding] = git_findings(changed(repo), "GIT-VERSION")
    assert "approved_on is still 2026-01-10" in finding["message"] and "version is still" not in finding["message"]
    line = finding["locations"][0]["line"]
    assert (repo / "policies/quality-policy.md").read_text().splitlines()[line - 1].startswith("approved_on:")


def test_approval_dated_before_the_previous_one_is_a_finding(repo: Path) -> None:
    write(repo, "policies/quality-policy.md", policy(version="1.1", approved_on="2025-12-01", body="Changed text."))
    [finding] = git_findings(changed(repo), "GIT-VERSION")
    assert "before the previous approval on 2026-01-10" in finding["message"]


@pytest.mark.parametrize(
    "new_text",
    [
        policy(version="1.1", approved_on="2026-05-20", body="We meet customer and service requirements."),
        policy(status="draft", body="Work in progress on the new policy."),
        policy(last_reviewed="2026-05-01"),  # a periodic review that changed nothing else
    ],
    ids=["version-and-approval-bumped", "back-to-draft", "review-dates-only"],
)
def test_changes_that_respect_document_control_pass(repo: Path, new_text: str) -> None:
    write(repo, "policies/quality-policy.md", new_text)
    report = changed(repo)
    assert git_findings(report, "GIT-VERSION") == []
    [passing] = [r for r in report["results"] if r["rule"] == "GIT-VERSION"]
    assert passing["status"] == "pass"


def test_record_edited_after_commit_is_located_at_the_changed_line(repo: Path) -> None:
    write(repo, "records/inc-0001.yaml", record(summary="Mail service down for 2 hours"))
    report = changed(repo)
    [finding] = git_findings(report, "GIT-RECORD")
    assert "records/inc-0001.yaml" in finding["message"] and "supersedes: INC-0001" in finding["message"]
    line = finding["locations"][0]["line"]
    assert (repo / "records/inc-0001.yaml").read_text().splitlines()[line - 1] == "summary: Mail service down for 2 hours"


def test_record_deleted_is_a_finding_and_a_correction_record_is_not(repo: Path) -> None:
    (repo / "records/inc-0001.yaml").unlink()
    [finding] = git_findings(changed(repo), "GIT-RECORD")
    assert "records/inc-0001.yaml" in finding["message"] and "deleted" in finding["message"]

    git(repo, "checkout", "--", "records/inc-0001.yaml")
    write(repo, "records/inc-0002.yaml", record("INC-0002", summary="Mail service down for 2 hours", supersedes="INC-0001"))
    report = changed(repo)
    assert git_findings(report, "GIT-RECORD") == [] and git_findings(report, "GIT-ID") == []


def test_record_moved_unchanged_is_not_an_edit(repo: Path) -> None:
    (repo / "records/2026").mkdir()
    git(repo, "mv", "records/inc-0001.yaml", "records/2026/inc-0001.yaml")
    report = changed(repo)
    assert git_findings(report, "GIT-RECORD") == [] and git_findings(report, "GIT-ID") == []


def test_defective_committed_record_may_be_repaired(repo: Path) -> None:
    write(repo, "records/inc-0002.yaml", "id: INC-0002\ntitle: Incident\ntype: record\ndate: not-a-date\n")
    commit_all(repo, "broken record")
    write(repo, "records/inc-0002.yaml", "id: INC-0002\ntitle: Incident\ntype: record\ndate: 2026-03-05\n")
    assert git_findings(changed(repo), "GIT-RECORD") == []


def test_renamed_file_keeps_its_id(repo: Path) -> None:
    git(repo, "mv", "policies/quality-policy.md", "policies/qms-policy.md")
    assert git_findings(changed(repo), "GIT-ID") == []

    write(repo, "policies/qms-policy.md", policy(doc_id="POL-QUALITY"))
    [finding] = git_findings(changed(repo), "GIT-ID")
    assert "id changed from QP-01 to POL-QUALITY" in finding["message"] and "policies/quality-policy.md" in finding["message"]
    assert finding["locations"][0]["path"] == "policies/qms-policy.md"


def test_id_changed_in_place_is_a_finding(repo: Path) -> None:
    write(repo, "policies/quality-policy.md", policy(doc_id="QP-02"))
    [finding] = git_findings(changed(repo), "GIT-ID")
    assert "from QP-01 to QP-02" in finding["message"]
    line = finding["locations"][0]["line"]
    assert (repo / "policies/quality-policy.md").read_text().splitlines()[line - 1] == "id: QP-02"


def test_id_reused_for_a_different_document_is_a_finding(repo: Path) -> None:
    (repo / "policies/quality-policy.md").unlink()
    write(repo, "procedures/incidents.md", "---\nid: QP-01\ntitle: Incident procedure\ntype: procedure\nowner: Service desk lead\n"
          "version: \"1.0\"\nstatus: draft\nreview: {last_reviewed: 2026-05-01, interval_months: 12}\n---\n# Steps\n\nLog, classify, resolve.\n")
    [finding] = git_findings(changed(repo), "GIT-ID")
    assert "procedures/incidents.md" in finding["message"] and "id QP-01 belonged to a different document" in finding["message"]
    assert "policies/quality-policy.md" in finding["message"]


def test_compares_with_any_revision_and_only_reads_the_repository(repo: Path) -> None:
    first = git(repo, "rev-parse", "HEAD").strip()
    write(repo, "records/inc-0001.yaml", record(summary="edited in a later commit"))
    commit_all(repo, "edit record")
    write(repo, "policies/quality-policy.md", policy(body="uncommitted edit"))  # left uncommitted
    before = worktree_state(repo)
    result = run_cli("check", repo, "--changed-since", first, "--as-of", AS_OF, "--format", "json")
    assert result.exit_code == 1
    report = result.json()
    assert report["changed_since"]["commit"] == first
    assert {r["rule"] for r in failing_results(report) if r["rule"].startswith("GIT-")} == {"GIT-RECORD", "GIT-VERSION"}
    assert worktree_state(repo) == before


def test_documents_in_a_sub_folder_of_the_git_repository(make_repo: Any) -> None:
    top = make_repo({f"ims/{rel}": text for rel, text in base_files().items()} | {"src/app.py": "print('hi')\n"})
    write(top, "ims/records/inc-0001.yaml", record(summary="edited"))
    [finding] = git_findings(changed(top / "ims"), "GIT-RECORD")
    assert finding["locations"][0]["path"] == "records/inc-0001.yaml"


def test_staged_checks_the_index_not_the_work_tree(repo: Path) -> None:
    write(repo, "records/inc-0001.yaml", record(summary="staged edit"))
    git(repo, "add", "records/inc-0001.yaml")
    write(repo, "records/inc-0001.yaml", record())  # the work tree is back to the committed text
    write(repo, "policies/quality-policy.md", policy(body="unstaged edit"))  # not staged: not checked
    before = worktree_state(repo)
    result = run_cli("check", repo, "--staged", "--as-of", AS_OF, "--format", "json")
    report = result.json()
    assert [f["rule"] for f in failing_results(report) if f["rule"].startswith("GIT-")] == ["GIT-RECORD"]
    assert report["changed_since"] == {"ref": "HEAD", "commit": git(repo, "rev-parse", "HEAD").strip(), "staged": True, "new_failing": 1,
                                        "base_problem": None}
    assert worktree_state(repo) == before


def test_staged_before_the_first_commit_compares_with_nothing(tmp_path: Path) -> None:
    repo = tmp_path / "fresh"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    for rel, text in base_files().items():
        write(repo, rel, text)
    write(repo, "records/inc-0002.yaml", record("INC-0002", supersedes="INC-0999"))
    git(repo, "add", "-A")
    result = run_cli("check", repo, "--staged", "--as-of", AS_OF, "--format", "json")
    report = result.json()
    assert report["changed_since"]["commit"] is None
    # Gaps an empty repository has too are not new; what the first commit breaks is.
    assert {r["rule"] for r in failing_results(report) if r["new"]} == {"DOC-REF"}
    assert any(r["clause"] and not r["new"] for r in failing_results(report))
    assert not [r for r in failing_results(report) if r["rule"].startswith("GIT-")]


@pytest.mark.parametrize(
    "args, expected",
    [
        (("--changed-since", "no-such-branch"), "--changed-since: unknown git revision 'no-such-branch'"),
        (("--new-only",), "--new-only needs --changed-since REF or --staged"),
        (("--changed-since", ""), "--changed-since needs a git revision"),
        (("--changed-since", "HEAD:policies/quality-policy.md"), "unknown git revision 'HEAD:policies/quality-policy.md'"),
    ],
)
def test_bad_comparison_options_are_usage_errors(repo: Path, args: tuple, expected: str) -> None:
    result = run_cli("check", repo, *args)
    assert result.exit_code == 2
    assert expected in result.stderr and "Traceback" not in result.stderr


def test_changed_since_outside_git_is_a_clear_error(make_repo: Any) -> None:
    folder = make_repo(base_files(), git_init=False)
    result = run_cli("check", folder, "--changed-since", "HEAD")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "needs a git repository" in result.stderr


def test_broken_staged_configuration_names_the_users_file(repo: Path) -> None:
    write(repo, "imscheck.yaml", "fail_on: sometimes\n")
    git(repo, "add", "imscheck.yaml")
    write(repo, "imscheck.yaml", "fail_on: major\n")  # only the staged text is broken
    result = run_cli("check", repo, "--staged")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"imscheck: error: {repo / 'imscheck.yaml'} (staged): line 1:"), result.stderr


def test_git_rules_are_listed_apart_and_shown_from_their_data() -> None:
    listed = run_cli("rules", "list", "--format", "json").json()
    assert [r["id"] for r in listed["git"]] == ["GIT-VERSION", "GIT-RECORD", "GIT-ID"]
    assert not [r for r in listed["hygiene"] if r["id"].startswith("GIT-")]
    assert {"CFG-WAIVER", "CFG-WAIVER-UNUSED", "CFG-SCOPE"} <= {r["id"] for r in listed["hygiene"]}
    shown = run_cli("rules", "show", "GIT-RECORD")
    assert shown.exit_code == 0 and "supersedes" in shown.stdout
