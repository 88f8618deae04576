"""The real pre-commit framework using this project as its hook repository.

The hook repository is a git copy of this project (its working files, committed), so the test
also runs from an unpacked source tree. The documentation repository uses the
``.pre-commit-config.yaml`` snippet from README.md with that copy as ``repo`` and its commit as
``rev``. pre-commit builds the hook's environment with pip (from PyPI) once per session.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import REPO_ROOT, commit_all, git, init_git
from gate_docs import base_files, policy, record, write
from readme_snippets import snippet

HOOK_REPO_FILES = ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml", "src", "rules", "schemas")


@pytest.fixture(scope="session")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A committed copy of this project: what a user's pre-commit clones by URL and rev."""
    root = tmp_path_factory.mktemp("hook-repo") / "imscheck"
    root.mkdir()
    for name in HOOK_REPO_FILES:
        source = REPO_ROOT / name
        if source.is_dir():
            shutil.copytree(source, root / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info"))
        else:
            shutil.copy2(source, root / name)
    init_git(root)
    return root, commit_all(root, "imscheck")


@pytest.fixture(scope="session")
def pre_commit_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """One PRE_COMMIT_HOME for the session: the hook environment is built once."""
    env = dict(os.environ)
    env["PRE_COMMIT_HOME"] = str(tmp_path_factory.mktemp("pre-commit-home"))
    env.pop("PRE_COMMIT_ALLOW_NO_CONFIG", None)
    return env


@pytest.fixture
def docs_repo(tmp_path: Path, hook_repo: tuple[Path, str], pre_commit_env: dict[str, str]) -> Path:
    """A documentation repository with the README's hook configuration, hook installed."""
    root = tmp_path / "ims"
    root.mkdir()
    for rel, text in base_files().items():
        write(root, rel, text)
    config = yaml.safe_load(snippet("repos:"))
    [entry] = config["repos"]
    entry["repo"], entry["rev"] = str(hook_repo[0]), hook_repo[1]
    write(root, ".pre-commit-config.yaml", yaml.safe_dump(config, sort_keys=False))
    init_git(root)
    commit_all(root, "documents before the hook")
    subprocess.run([sys.executable, "-m", "pre_commit", "install"], cwd=root, env=pre_commit_env, check=True, capture_output=True)
    return root


def commit(repo: Path, env: dict[str, str], message: str) -> tuple[int, str]:
    """``git commit`` as a user runs it; git shows hook output on stderr, so both are kept."""
    git(repo, "add", "-A")
    done = subprocess.run(["git", "commit", "-m", message], cwd=repo, env=env, capture_output=True, text=True, timeout=900)
    return done.returncode, done.stdout + done.stderr


def test_clean_change_commits(docs_repo: Path, pre_commit_env: dict[str, str]) -> None:
    write(docs_repo, "policies/quality-policy.md", policy(version="1.1", approved_on="2026-05-20", body="Revised commitments."))
    write(docs_repo, "records/inc-0002.yaml", record("INC-0002", summary="Mail relay slow", date="2026-04-01"))
    code, output = commit(docs_repo, pre_commit_env, "revise policy, record incident")
    assert code == 0, output
    assert re.search(r"^imscheck\.+Passed$", output, re.M), output
    assert git(docs_repo, "log", "-1", "--format=%s").strip() == "revise policy, record incident"


def test_approved_policy_edited_without_new_version_is_refused(docs_repo: Path, pre_commit_env: dict[str, str]) -> None:
    head = git(docs_repo, "rev-parse", "HEAD")
    write(docs_repo, "policies/quality-policy.md", policy(body="Quietly changed commitments."))
    code, output = commit(docs_repo, pre_commit_env, "edit policy")
    assert code != 0
    assert re.search(r"^imscheck\.+Failed$", output, re.M), output
    assert "GIT-VERSION" in output and "policies/quality-policy.md" in output
    assert 'version is still "1.0"' in output and "bump version" in output
    assert git(docs_repo, "rev-parse", "HEAD") == head
    assert "Quietly changed" in (docs_repo / "policies/quality-policy.md").read_text()  # the user's edit is kept


def test_editing_a_committed_record_is_refused(docs_repo: Path, pre_commit_env: dict[str, str]) -> None:
    write(docs_repo, "records/inc-0001.yaml", record(summary="Mail service down for 5 minutes"))
    code, output = commit(docs_repo, pre_commit_env, "tidy record")
    assert code != 0
    assert "GIT-RECORD" in output and "records/inc-0001.yaml" in output and "supersedes: INC-0001" in output


def test_a_commit_that_breaks_a_hygiene_rule_is_refused(docs_repo: Path, pre_commit_env: dict[str, str]) -> None:
    write(docs_repo, "records/inc-0002.yaml", record("INC-0002", supersedes="INC-0999"))
    code, output = commit(docs_repo, pre_commit_env, "record with a broken reference")
    assert code != 0
    assert "DOC-REF" in output and "records/inc-0002.yaml" in output and "INC-0999" in output
