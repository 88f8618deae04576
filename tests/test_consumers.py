"""JUnit and SARIF as their consumers take them: Jenkins, GitLab and GitHub code scanning.

Each consumer's own validator or documented rules, on real repositories in temporary git work
trees: the Jenkins xunit XSD unmodified (the plugin skips an invalid file whole), junitparser
(what GitLab-style readers do), the OASIS SARIF schema plus the rules GitHub applies on upload.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
from conftest import SHARED, commit_all, init_git, run_cli, write_files
from gate_docs import AS_OF, MIXED_CONFIG, mixed_files, record

from imscheck.reports import render
from imscheck.results import Location, Result, Run, Suppression

JUNIT_XSD = SHARED / "external-schemas" / "junit" / "jenkins-xunit-junit-10.xsd"
SARIF_SCHEMA = SHARED / "external-schemas" / "sarif" / "sarif-schema-2.1.0.json"
needs_schemas = pytest.mark.skipif(not (JUNIT_XSD.is_file() and SARIF_SCHEMA.is_file()),
                                   reason="../shared/external-schemas is not beside this checkout (a user's clone has none)")
pytestmark = needs_schemas

STANDARD = "iso20000-1:2018"
GITHUB_LEVELS = {"error", "warning", "note", "none"}
GITHUB_MAX_RELATED = 1000


# --- the consumers' checks ------------------------------------------------------------------


def jenkins_valid(text: str) -> None:
    """What the xunit plugin does before reading a file: the XSD as published, nothing removed."""
    import xmlschema

    xmlschema.XMLSchema(str(JUNIT_XSD)).validate(text)


def junit_cases(text: str) -> dict[str, tuple[str, Any]]:
    """testcase name -> (outcome, case) as junitparser reads the file."""
    from junitparser import Error, Failure, JUnitXml, Skipped

    kinds = {Failure: "failure", Error: "error", Skipped: "skipped"}
    out: dict[str, tuple[str, Any]] = {}
    for suite in JUnitXml.fromstring(text.encode("utf-8")):
        for case in suite:
            outcome = next((kinds[type(r)] for r in case.result if type(r) in kinds), "pass")
            assert case.name not in out, f"duplicate testcase name {case.name!r}"
            out[case.name] = (outcome, case)
    return out


def sarif_valid(document: dict[str, Any]) -> None:
    from jsonschema.validators import validator_for

    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    errors = sorted(validator_for(schema)(schema).iter_errors(document), key=lambda e: list(e.absolute_path))
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]


def github_accepts(document: dict[str, Any], top: Path, suppressed: bool = False) -> list[dict[str, Any]]:
    """GitHub's documented rules for uploaded SARIF, on top of the schema; the findings."""
    sarif_valid(document)
    assert document["version"] == "2.1.0"
    [run] = document["runs"]
    assert run["automationDetails"]["id"].startswith(f"imscheck/{STANDARD}/")
    rules = run["tool"]["driver"]["rules"]
    assert len({r["id"] for r in rules}) == len(rules)
    for rule in rules:
        assert rule["help"]["markdown"] != rule["help"]["text"]
        assert len(rule["properties"]["tags"]) <= 20
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in GITHUB_LEVELS and result["message"]["text"].strip()
        assert result["partialFingerprints"]
        assert len(result.get("relatedLocations", [])) <= GITHUB_MAX_RELATED
        for where in result["locations"] + result.get("relatedLocations", []):
            physical = where["physicalLocation"]
            uri = physical["artifactLocation"]["uri"]
            # Relative to the top of the repository: no scheme, no leading slash, no climbing out.
            assert not urlsplit(uri).scheme and not uri.startswith("/") and ".." not in uri.split("/"), uri
            assert (top / unquote(uri)).is_file(), uri
            assert physical["region"]["startLine"] >= 1
        assert ("suppressions" in result) == (result["properties"]["status"] in ("waived", "not_applicable"))
        if not suppressed:
            assert "suppressions" not in result  # GitHub shows a suppressed result as an open alert
    return [r for r in run["results"] if r["properties"]["kind"] == "finding"]


def report(repo: Path, fmt: str, tmp_path: Path, *args: str) -> str:
    out = tmp_path / f"out-{fmt}"
    result = run_cli("check", repo, "--as-of", AS_OF, "--format", fmt, "--output", out, *args)
    assert result.exit_code == 1, result.stderr
    return out.read_text(encoding="utf-8")  # strict UTF-8: a lone surrogate would fail here


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), start=1) if needle in line)


# --- repositories -------------------------------------------------------------------------------

TWO_BAD_REFS = record("INC-0003", supersedes="INC-0997").replace("actions:", "related: [INC-0998]\nactions:")


@pytest.fixture
def monorepo(tmp_path: Path) -> Path:
    """A git work tree whose management system lives in docs/, beside code."""
    top = tmp_path / "mono"
    write_files(top, {"src/app.py": "print('hello')\n", "README.md": "# App\n"})
    write_files(top / "docs", mixed_files() | {"records/inc-0003.yaml": TWO_BAD_REFS})
    init_git(top)
    commit_all(top, "initial")
    return top


# --- JUnit ----------------------------------------------------------------------------------------


def test_strict_junit_is_valid_for_jenkins_as_written_and_gitlab_adds_file(make_repo: Callable[..., Path], tmp_path: Path) -> None:
    import xmlschema

    repo = make_repo(mixed_files() | {"records/inc-0003.yaml": TWO_BAD_REFS})
    strict = report(repo, "junit", tmp_path)
    jenkins_valid(strict)
    gitlab = report(repo, "junit-gitlab", tmp_path)
    with pytest.raises(xmlschema.XMLSchemaValidationError):  # the check can fail: file is not in the XSD
        jenkins_valid(gitlab)
    strict_cases, gitlab_cases = junit_cases(strict), junit_cases(gitlab)
    assert {n: o for n, (o, _) in strict_cases.items()} == {n: o for n, (o, _) in gitlab_cases.items()}
    files = {case.get("name"): case.get("file") for case in ET.fromstring(gitlab).iter("testcase")}
    assert all(files.values())
    assert files["SMS-9.2 Internal audit"] == "imscheck.yaml"  # missing document: the anchor SARIF uses
    assert files["DOC-REF records/inc-0003.yaml"] == "records/inc-0003.yaml"
    assert not any(case.get("file") for case in ET.fromstring(strict).iter("testcase"))


def test_all_findings_of_a_rule_in_one_file_are_one_testcase(make_repo: Callable[..., Path], tmp_path: Path) -> None:
    repo = make_repo(mixed_files() | {"records/inc-0003.yaml": TWO_BAD_REFS})
    outcome, case = junit_cases(report(repo, "junit", tmp_path))["DOC-REF records/inc-0003.yaml"]
    assert outcome == "failure"
    text = (repo / "records/inc-0003.yaml").read_text()
    [failure] = list(case.result)
    assert "(and 1 more in this file)" in failure.message
    assert failure.text.splitlines()[:2] == [
        f"records/inc-0003.yaml:{line_of(text, 'related:')}: INC-0003: related names INC-0998, which no document has as its id",
        f"records/inc-0003.yaml:{line_of(text, 'supersedes:')}: INC-0003: supersedes names INC-0997, which no document has as its id",
    ]


@pytest.mark.parametrize("fmt", ["junit", "junit-gitlab"])
def test_testcase_names_do_not_change_when_a_line_is_inserted_above_a_finding(make_repo: Callable[..., Path], tmp_path: Path, fmt: str) -> None:
    repo = make_repo(mixed_files() | {"records/inc-0003.yaml": TWO_BAD_REFS})
    before = report(repo, fmt, tmp_path)
    for rel in ("records/inc-0002.yaml", "records/inc-0003.yaml", "records/dup-b.yaml"):
        path = repo / rel
        path.write_text("# corrected later\n\n" + path.read_text(), encoding="utf-8")
    after = report(repo, fmt, tmp_path)

    def outcomes(text: str) -> dict[str, str]:
        return {name: outcome for name, (outcome, _) in junit_cases(text).items()}

    def failure_text(text: str, name: str = "DOC-REF records/inc-0002.yaml") -> list[str | None]:
        return [case.findtext("failure") for case in ET.fromstring(text).iter("testcase") if case.get("name") == name]

    assert outcomes(after) == outcomes(before)
    assert outcomes(before)["DOC-REF records/inc-0002.yaml"] == "failure"
    assert failure_text(after) != failure_text(before)  # it did move: the line is in the failure text, not the name


def test_sub_folder_junit_for_gitlab_names_files_from_the_top(monorepo: Path, tmp_path: Path) -> None:
    gitlab = report(monorepo / "docs", "junit-gitlab", tmp_path)
    files = {case.get("name"): case.get("file") for case in ET.fromstring(gitlab).iter("testcase")}
    assert files["DOC-REF records/inc-0003.yaml"] == "docs/records/inc-0003.yaml"
    assert files["SMS-9.2 Internal audit"] == "docs/imscheck.yaml"
    assert all((monorepo / f).is_file() for f in files.values())
    jenkins_valid(report(monorepo / "docs", "junit", tmp_path))


# --- SARIF ----------------------------------------------------------------------------------------


def test_sarif_of_a_sub_folder_names_files_from_the_work_tree_root(monorepo: Path, tmp_path: Path) -> None:
    document = json.loads(report(monorepo / "docs", "sarif", tmp_path))
    findings = github_accepts(document, monorepo)
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in findings}
    assert uris and all(uri.startswith("docs/") for uri in uris)
    assert "docs/records/inc-0003.yaml" in uris
    assert document["runs"][0]["automationDetails"]["id"] == f"imscheck/{STANDARD}/docs/"


def test_sarif_of_a_folder_outside_git_names_files_from_that_folder(make_repo: Callable[..., Path], tmp_path: Path) -> None:
    repo = make_repo(mixed_files(), git_init=False)
    document = json.loads(report(repo, "sarif", tmp_path))
    github_accepts(document, repo)
    assert document["runs"][0]["automationDetails"]["id"] == f"imscheck/{STANDARD}/"


def test_waived_results_are_left_out_unless_kept_and_then_sit_at_the_waiver(make_repo: Callable[..., Path], tmp_path: Path) -> None:
    config = "# Settings of our management system\nfail_on: minor\n\n" + MIXED_CONFIG
    repo = make_repo(mixed_files() | {"imscheck.yaml": config})
    statuses = {r["rule"]: r["status"] for r in run_cli("check", repo, "--as-of", AS_OF, "--format", "json").json()["results"]}
    assert statuses["SMS-9.3"] == "waived" and statuses["SMS-8.6.1"] == "not_applicable"

    default = github_accepts(json.loads(report(repo, "sarif", tmp_path)), repo)
    assert {"SMS-9.3", "SMS-8.6.1"}.isdisjoint(r["ruleId"] for r in default)

    kept = github_accepts(json.loads(report(repo, "sarif-suppressed", tmp_path)), repo, suppressed=True)
    by_rule = {r["ruleId"]: r for r in kept}
    waived = by_rule["SMS-9.3"]
    assert waived["suppressions"] == [{"kind": "external", "status": "accepted", "justification": waived["message"]["text"]}]
    assert "booked for July" in waived["message"]["text"]
    assert waived["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "imscheck.yaml", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": line_of(config, "- rule: SMS-9.3")},
    }
    assert by_rule["SMS-8.6.1"]["suppressions"][0]["status"] == "accepted"
    assert {r["ruleId"] for r in kept} - {r["ruleId"] for r in default} == {"SMS-9.3", "SMS-8.6.1"}


def test_related_locations_are_capped_at_github_s_limit_and_the_rest_counted(make_repo: Callable[..., Path], tmp_path: Path) -> None:
    copies = 1003  # one id in every file: one finding, 1,002 related locations
    repo = make_repo({f"records/dup-{i:04d}.yaml": record("REC-DUP", summary=f"copy {i}") for i in range(copies)} | {"README.md": "# Records\n"})
    findings = github_accepts(json.loads(report(repo, "sarif", tmp_path)), repo)
    [duplicate] = [r for r in findings if r["ruleId"] == "DOC-ID-UNIQUE"]
    assert len(duplicate["relatedLocations"]) == GITHUB_MAX_RELATED
    assert duplicate["message"]["text"].endswith(f"... and {copies - 1 - GITHUB_MAX_RELATED} more.")
    assert [r["id"] for r in duplicate["relatedLocations"]] == list(range(1, GITHUB_MAX_RELATED + 1))


def test_rule_help_is_markdown_of_its_own_and_the_run_names_its_category(make_repo: Callable[..., Path], tmp_path: Path) -> None:
    repo = make_repo(mixed_files())
    document = json.loads(report(repo, "sarif", tmp_path))
    github_accepts(document, repo)
    [run] = document["runs"]
    assert run["automationDetails"] == {"id": f"imscheck/{STANDARD}/"}
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    review = rules["SMS-9.3"]["help"]["markdown"]
    assert review.startswith("## SMS-9.3: ISO/IEC 20000-1:2018 clause 9.3 Management review\n")
    assert "**Relation to ISO 9001:2015 (9.3):** partial" in review and "### What to do" in review
    ref = rules["DOC-REF"]["help"]
    assert "### What it checks" in ref["markdown"] and "record\\_of" in ref["markdown"]  # escaped, not emphasis
    assert "record_of" in ref["text"]
    assert all("helpUri" not in r for r in rules.values())  # no rule carries a documentation address


# --- values no consumer can take raw ---------------------------------------------------------------

HOSTILE = "bad\ud800 \x01\x1b[31m\x7f \ufffe end"


def hostile_run() -> Run:
    """Lone surrogates and control characters in every repository-derived string."""
    def result(rule: str, clause: str | None, status: str, path: str, message: str) -> Result:
        return Result(rule=rule, title=f"Title {HOSTILE}", standard=STANDARD if clause else None, clause=clause,
                      relation="full" if clause else None, base_clauses=("7.5",) if clause else (), severity="minor",
                      status=status, message=message, locations=(Location(path, 3), Location(f"b/{HOSTILE}.md", 1)),
                      guidance=f"Fix {HOSTILE}", base="iso9001:2015" if clause else None, description=f"Checks {HOSTILE}",
                      kind="requirement" if clause else "hygiene")

    results = (
        result("SMS-7.5.3", "7.5.3", "fail", f"a/{HOSTILE}.md", f"message {HOSTILE}"),
        result("DOC-REF", None, "fail", f"r/{HOSTILE}.yaml", f"names {HOSTILE}"),
        result("DOC-REF", None, "fail", "r/plain.yaml", "names \udcff"),  # a byte that is no UTF-8, escaped by os
        replace(result("DOC-SCHEMA", None, "waived", "r/w.yaml", f"Waived: {HOSTILE}"),
                suppression=Suppression("waiver", f"reason {HOSTILE}", 4)),
    )
    return Run(tool_version="0.0-test", repository=".", commit=None, as_of=dt.date(2026, 6, 1), standard=STANDARD,
               base="iso9001:2015", results=results, anchor="imscheck.yaml")


@pytest.mark.parametrize("fmt", ["junit", "junit-gitlab"])
def test_junit_stays_well_formed_with_surrogates_and_control_characters(fmt: str) -> None:
    text = render(hostile_run(), fmt)
    text.encode("utf-8")  # what --output writes
    root = ET.fromstring(text.encode("utf-8"))
    assert "\ufffd" in root.find(".//testcase").get("name", "") + (root.findtext(".//failure") or "")
    assert len(junit_cases(text)) == 4
    if fmt == "junit":
        jenkins_valid(text)


@pytest.mark.parametrize("fmt", ["sarif", "sarif-suppressed"])
def test_sarif_fingerprints_and_text_survive_surrogates_and_control_characters(fmt: str) -> None:
    text = render(hostile_run(), fmt)
    text.encode("utf-8")
    document = json.loads(text)
    sarif_valid(document)
    findings = [r for r in document["runs"][0]["results"] if r["properties"]["kind"] == "finding"]
    assert len(findings) == (4 if fmt == "sarif-suppressed" else 3)
    prints = [r["partialFingerprints"]["imscheck/v1"] for r in findings]
    assert len(set(prints)) == len(prints) and all(re.fullmatch(r"[0-9a-f]{32}", p) for p in prints)
    assert "\ufffd" in findings[0]["message"]["text"]
    uris = [loc["physicalLocation"]["artifactLocation"]["uri"] for r in findings for loc in r["locations"] + r.get("relatedLocations", [])]
    assert "r/plain.yaml" in uris and all(re.fullmatch(r"[A-Za-z0-9%/._~\-]+", u) for u in uris), uris


def test_a_hostile_repository_value_reaches_every_ci_report_intact(make_repo: Callable[..., Path], tmp_path: Path) -> None:
    """Through the CLI: a JSON record whose reference holds a lone surrogate and escape sequences."""
    hostile = json.dumps({"id": "INC-0005", "title": "Incident", "type": "record", "date": "2026-03-02",
                          "summary": "x", "supersedes": "INC-\u0001\u001b[31m\ud800"})
    repo = make_repo(mixed_files() | {"records/inc-0005.json": hostile})
    jenkins_valid(report(repo, "junit", tmp_path))
    assert "DOC-REF records/inc-0005.json" in junit_cases(report(repo, "junit-gitlab", tmp_path))
    for fmt in ("sarif", "sarif-suppressed"):
        findings = github_accepts(json.loads(report(repo, fmt, tmp_path)), repo, suppressed=fmt == "sarif-suppressed")
        assert any(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "records/inc-0005.json" for r in findings)
