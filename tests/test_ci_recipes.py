"""The CI recipes in README.md, run as written (install lines aside) against real repositories."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import REPO_ROOT, SHARED, commit_all, git
from gate_docs import base_files, failing_results, policy, write
from readme_snippets import snippet

BIN = Path(sys.executable).parent
SARIF_SCHEMA = SHARED / "external-schemas" / "sarif" / "sarif-schema-2.1.0.json"
JUNIT_XSD = SHARED / "external-schemas" / "junit" / "jenkins-xunit-junit-10.xsd"


def run_lines(lines: list[str], cwd: Path, env: dict[str, str]) -> int:
    """Run the recipe's imscheck command lines with bash, as the CI runner would; the last code."""
    commands = [line for line in lines if line.split()[0] == "imscheck"]
    assert commands, lines
    assert shutil.which("imscheck", path=str(BIN)), f"imscheck is not installed beside {sys.executable}"
    code = 0
    for command in commands:
        done = subprocess.run(["bash", "-c", command], cwd=cwd, env={**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", **env},
                              capture_output=True, text=True, timeout=300)
        assert done.returncode in (0, 1), done.stderr
        code = done.returncode
    return code


@pytest.fixture
def merge_request(make_repo: Any) -> dict[str, Any]:
    """A documentation repository and a merge request on it that edits an approved policy badly."""
    repo = make_repo(base_files())
    base = git(repo, "rev-parse", "HEAD").strip()
    git(repo, "checkout", "-q", "-b", "topic")
    write(repo, "policies/quality-policy.md", policy(body="Edited without a new version."))
    commit_all(repo, "edit policy")
    return {"repo": repo, "base": base}


def test_gitlab_job_gates_the_merge_request_and_publishes_junit(merge_request: dict[str, Any]) -> None:
    from junitparser import Failure, JUnitXml

    job = yaml.safe_load(snippet("artifacts:"))["imscheck"]
    assert job["artifacts"]["when"] == "always"
    junit_path = job["artifacts"]["reports"]["junit"]
    repo = merge_request["repo"]
    code = run_lines(job["script"], repo, {"CI_MERGE_REQUEST_DIFF_BASE_SHA": merge_request["base"]})
    assert code == 1
    failed = {case.name: case for suite in JUnitXml.fromfile(str(repo / junit_path)) for case in suite
              if any(isinstance(r, Failure) for r in case.result)}
    assert "GIT-VERSION policies/quality-policy.md" in failed  # rule and file: stable when lines move
    files = {case.get("name"): case.get("file") for case in ET.parse(repo / junit_path).iter("testcase")}
    assert files["GIT-VERSION policies/quality-policy.md"] == "policies/quality-policy.md"  # GitLab's flavour
    assert all(files[name] for name in failed)
    for path in job["artifacts"]["paths"]:
        assert (repo / path).is_file()

    git(repo, "checkout", "-q", "main")  # a merge request that changes nothing new passes
    assert run_lines(job["script"], repo, {"CI_MERGE_REQUEST_DIFF_BASE_SHA": merge_request["base"]}) == 0


def test_github_workflow_uploads_sarif_even_when_the_check_fails(merge_request: dict[str, Any]) -> None:
    workflow = yaml.safe_load(snippet("upload-sarif"))
    assert workflow["permissions"]["security-events"] == "write"
    steps = workflow["jobs"]["imscheck"]["steps"]
    [upload] = [s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif@")]
    assert upload["if"] == "always()"
    repo = merge_request["repo"]
    assert run_lines([s["run"] for s in steps if "run" in s], repo, {}) == 1
    document = json.loads((repo / upload["with"]["sarif_file"]).read_text())
    results = document["runs"][0]["results"]
    assert any(r["ruleId"] == "SMS-9.3" for r in results)
    # The file names its category; upload-sarif's category input would only fill in a missing one.
    assert "category" not in upload["with"] and document["runs"][0]["automationDetails"]["id"] == "imscheck/iso20000-1:2018/"
    if SARIF_SCHEMA.is_file():  # a user's clone has no ../shared; test_sarif.py says so when skipping
        from jsonschema.validators import validator_for

        schema = json.loads(SARIF_SCHEMA.read_text())
        validator_for(schema)(schema).validate(document)


def test_jenkins_pipeline_publishes_junit_the_xunit_schema_accepts(merge_request: dict[str, Any]) -> None:
    from junitparser import Failure, JUnitXml

    pipeline = snippet("pipeline {", lang="groovy")
    [published] = re.findall(r"^\s*junit '([^']+)'", pipeline, re.M)
    repo = merge_request["repo"]
    assert run_lines(re.findall(r"^\s*sh '([^']+)'", pipeline, re.M), repo, {}) == 1
    text = (repo / published).read_text(encoding="utf-8")
    failed = [case.name for suite in JUnitXml.fromstring(text.encode("utf-8")) for case in suite
              if any(isinstance(r, Failure) for r in case.result)]
    assert "SMS-9.3 Management review" in failed
    if JUNIT_XSD.is_file():  # a user's clone has no ../shared; test_junit.py says so when skipping
        import xmlschema

        xmlschema.XMLSchema(str(JUNIT_XSD)).validate(text)  # the plugin skips an invalid file whole


def test_plain_command_writes_both_reports(make_repo: Any) -> None:
    repo = make_repo(base_files())
    command = snippet("imscheck check", lang="sh").strip()
    assert run_lines([command], repo, {}) == 1
    junit = (repo / "imscheck.xml").read_text()
    sarif = json.loads((repo / "imscheck.sarif").read_text())
    assert junit.startswith("<?xml") and sarif["version"] == "2.1.0"


def test_pre_commit_snippet_names_the_hook_this_repository_declares() -> None:
    [repo] = yaml.safe_load(snippet("repos:"))["repos"]
    declared = {hook["id"]: hook for hook in yaml.safe_load((REPO_ROOT / ".pre-commit-hooks.yaml").read_text())}
    assert [hook["id"] for hook in repo["hooks"]] == ["imscheck"]
    hook = declared["imscheck"]
    assert hook["language"] == "python" and hook["pass_filenames"] is False
    assert "--staged" in hook["args"]
    checked = subprocess.run([sys.executable, "-m", "pre_commit", "validate-manifest", str(REPO_ROOT / ".pre-commit-hooks.yaml")],
                             capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_waiver_example_is_valid_configuration(make_repo: Any) -> None:
    config = snippet("waivers:")
    repo = make_repo(base_files() | {"imscheck.yaml": config})
    report = json.loads(subprocess.run([str(BIN / "imscheck"), "check", str(repo), "--as-of", "2026-06-01", "--format", "json"],
                                       capture_output=True, text=True).stdout)
    [review] = [r for r in report["results"] if r["rule"] == "SMS-9.3"]
    assert review["status"] == "waived"
    assert not failing_results(report, "CFG-WAIVER")
