"""SARIF 2.1.0 that code scanning accepts: valid, every result located, stable fingerprints."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import SHARED, run_cli
from gate_docs import AS_OF, mixed_files, write

SARIF_SCHEMA = SHARED / "external-schemas" / "sarif" / "sarif-schema-2.1.0.json"
needs_schema = pytest.mark.skipif(
    not SARIF_SCHEMA.is_file(), reason=f"{SARIF_SCHEMA} is not beside this checkout (a user's clone has no ../shared)"
)
LEVELS = {"major": "error", "minor": "warning", "observation": "note"}


def sarif(repo: Path, *args: str, fmt: str = "sarif") -> dict[str, Any]:
    result = run_cli("check", repo, "--as-of", AS_OF, "--format", fmt, *args)
    assert result.exit_code == 1, result.stderr
    return json.loads(result.stdout)


def report(repo: Path) -> dict[str, Any]:
    return run_cli("check", repo, "--as-of", AS_OF, "--format", "json").json()


def findings(run: dict[str, Any]) -> list[dict[str, Any]]:
    """The SARIF results that are findings; observations are notes of their own."""
    return [r for r in run["results"] if r["properties"]["kind"] == "finding"]


def located(result: dict[str, Any]) -> dict[str, Any]:
    [location] = result["locations"]
    return location["physicalLocation"]


def validate(document: dict[str, Any]) -> None:
    from jsonschema.validators import validator_for

    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    validator = validator_for(schema)(schema)
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]


@needs_schema
def test_output_is_valid_sarif_and_the_schema_check_can_fail(make_repo: Any) -> None:
    document = sarif(make_repo(mixed_files()))
    validate(document)
    broken = json.loads(json.dumps(document))
    del broken["runs"][0]["results"][0]["message"]
    with pytest.raises(AssertionError):
        validate(broken)


def test_every_result_is_located_at_a_file_of_the_repository(make_repo: Any) -> None:
    repo = make_repo(mixed_files())
    document = sarif(repo)
    [run] = document["runs"]
    rules = run["tool"]["driver"]["rules"]
    json_results = report(repo)["results"]
    expected = {(r["rule"], r["status"]) for r in json_results if r["status"] == "fail"}  # waived: left out
    assert {(r["ruleId"], r["properties"]["status"]) for r in findings(run)} == expected
    notes = [(r["ruleId"], r["message"]["text"]) for r in run["results"] if r["properties"]["kind"] == "observation"]
    assert notes == [(r["rule"], o["message"]) for r in json_results for o in r["observations"]]
    for result in run["results"]:
        where = located(result)
        assert (repo / where["artifactLocation"]["uri"]).is_file()
        assert where["region"]["startLine"] >= 1
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    missing = next(r for r in findings(run) if r["ruleId"] == "SMS-9.2")  # nothing to point at
    assert located(missing)["artifactLocation"]["uri"] == "imscheck.yaml"
    duplicate = next(r for r in findings(run) if r["ruleId"] == "DOC-ID-UNIQUE")
    assert {located(duplicate)["artifactLocation"]["uri"], duplicate["relatedLocations"][0]["physicalLocation"]["artifactLocation"]["uri"]} == {
        "records/dup-a.yaml", "records/dup-b.yaml"}


@pytest.mark.parametrize("drop, anchor", [(("imscheck.yaml",), "README.md"), (("imscheck.yaml", "README.md"), "policies/quality-policy.md")])
def test_without_a_configuration_file_missing_documents_point_at_another_stable_file(make_repo: Any, drop: tuple, anchor: str) -> None:
    files = {k: v for k, v in mixed_files().items() if k not in drop}
    [run] = sarif(make_repo(files))["runs"]
    missing = next(r for r in findings(run) if r["ruleId"] == "SMS-9.2")
    assert located(missing)["artifactLocation"] == {"uri": anchor, "uriBaseId": "%SRCROOT%"}


def test_levels_rules_and_help_come_from_the_rule_data(make_repo: Any) -> None:
    repo = make_repo(mixed_files())
    json_results = report(repo)["results"]
    severity = {(r["rule"], r["message"]): r["severity"] for r in json_results}
    [run] = sarif(repo)["runs"]
    for result in findings(run):
        assert result["level"] == LEVELS[severity[(result["ruleId"], result["message"]["text"])]]
    assert all(r["level"] == "note" for r in run["results"] if r["properties"]["kind"] == "observation")
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    management_review = rules["SMS-9.3"]
    assert management_review["shortDescription"]["text"] == "9.3 Management review"
    assert "ISO/IEC 20000-1:2018 clause 9.3" in management_review["fullDescription"]["text"]
    assert "clause 9.3" in management_review["help"]["text"] and "Guidance: " in management_review["help"]["text"]
    assert rules["DOC-REF"]["defaultConfiguration"]["level"] == "warning"
    assert "related, record_of and supersedes" in rules["DOC-REF"]["fullDescription"]["text"]
    assert not any(r["ruleId"] == "SMS-9.3" for r in findings(run))  # waived: no open alert
    [kept] = sarif(repo, fmt="sarif-suppressed")["runs"]
    waived = next(r for r in findings(kept) if r["ruleId"] == "SMS-9.3")
    assert waived["suppressions"][0]["kind"] == "external" and "booked for July" in waived["suppressions"][0]["justification"]


def test_fingerprints_are_stable_across_runs_and_line_shifts(make_repo: Any) -> None:
    repo = make_repo(mixed_files())

    def prints() -> list[tuple]:
        [run] = sarif(repo)["runs"]
        return sorted((r["ruleId"], r["partialFingerprints"]["imscheck/v1"]) for r in run["results"])

    first = prints()
    assert first == prints()
    assert len({p for _, p in first}) == len(first)  # one identity per finding
    text = (repo / "records/inc-0002.yaml").read_text()
    (repo / "records/inc-0002.yaml").write_text("# corrected later\n\n" + text)
    assert prints() == first
    write(repo, "records/inc-0002.yaml", text.replace("INC-0999", "INC-0998"))  # a different finding
    changed = prints()
    assert changed != first and [p for p in changed if p[0] != "DOC-REF"] == [p for p in first if p[0] != "DOC-REF"]


def test_report_option_writes_the_same_sarif(make_repo: Any, tmp_path: Path) -> None:
    repo = make_repo(mixed_files())
    out = tmp_path / "reports" / "imscheck.sarif"
    result = run_cli("check", repo, "--as-of", AS_OF, "--report", f"sarif:{out}")
    assert result.exit_code == 1
    assert json.loads(out.read_text()) == sarif(repo)
