"""The ``error`` status: a rule that cannot be evaluated is one result, never a lost run.

Two kinds of test. The real inputs that crashed a rule's evaluation (found by trying user rule
folders and odd document values) are fixed at their root, and each is checked here through the
CLI. With those fixed no real input is known to make a rule raise, so the isolation itself is
checked by injecting a fault at the boundary the engine crosses once per rule: pytest's
monkeypatch on ``imscheck.evaluation.engine.evaluate_rule``, raising for one rule and delegating for the
others. Everything else is real: a copy of sample-org in a git repository, the CLI, the shared
JUnit XSD and SARIF schema.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import SHARED, CliResult, commit_all, run_cli
from docbuilder import controlled, record, rule_file

import imscheck.evaluation.engine
from imscheck.errors import ImscheckError

JUNIT_XSD = SHARED / "external-schemas" / "junit" / "jenkins-xunit-junit-10.xsd"
SARIF_SCHEMA = SHARED / "external-schemas" / "sarif" / "sarif-schema-2.1.0.json"
needs_schemas = pytest.mark.skipif(not (JUNIT_XSD.is_file() and SARIF_SCHEMA.is_file()),
                                   reason="../shared/external-schemas is not beside this checkout (a user's clone has none)")

BROKEN = "SMS-9.3"  # sample-org passes it; severity major
# what the injected fault says: a terminal escape, a line break and far too much text, as a
# message quoting a repository value could
HOSTILE = "\x1b[31mred\nsecond line " + "x" * 500


def _fault(monkeypatch: pytest.MonkeyPatch, rule_id: str = BROKEN, exc: BaseException | None = None) -> list[str]:
    """Make evaluating ``rule_id`` raise ``exc``; every other rule is evaluated as always.

    Returns the ids of the rules evaluated, so a test can see that the others still ran.
    """
    real = imscheck.evaluation.engine.evaluate_rule
    seen: list[str] = []

    def evaluate_rule(rule: Any, ctx: Any) -> Any:
        seen.append(rule.id)
        if rule.id == rule_id:
            raise exc if exc is not None else ValueError(HOSTILE)
        return real(rule, ctx)

    monkeypatch.setattr(imscheck.evaluation.engine, "evaluate_rule", evaluate_rule)
    return seen


def _json(repo: Path, *args: str) -> CliResult:
    return run_cli("check", repo, "--format", "json", *args)


def _by_rule(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {(r["rule"], json.dumps(r["locations"]), r["message"]): r for r in report["results"]}


# --- the isolation ---------------------------------------------------------------------------


def test_a_rule_that_raises_is_one_error_result_and_every_other_rule_stands(sample_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = _json(sample_copy)
    assert before.exit_code == 0, before.stderr
    seen = _fault(monkeypatch)
    after = _json(sample_copy)
    assert after.exit_code == 1, "an error always counts"
    report = after.json()
    [error] = [r for r in report["results"] if r["status"] == "error"]
    assert error["rule"] == BROKEN and error["severity"] == "major" and error["clause"] == "9.3"
    assert error["evidence"] == [] and error["locations"] == []
    message = error["message"]
    assert message.startswith("Could not be evaluated: ValueError in evaluate_rule (test_error_status.py): ")
    assert f"Report it to the imscheck maintainers with the rule id {BROKEN}; the other rules' results stand" in message
    # the exception's text is an escaped excerpt: one line, short, no control character
    assert "\\x1b[31mred\\nsecond line xxx" in message and "(" in message.split("xxx")[-1]
    assert len(message) < 400 and not any(ord(c) < 32 for c in message)
    # every other rule ran, and its result is what it was without the fault
    assert len(set(seen)) == len(seen) == report["summary"]["requirements"]
    others = {k: v for k, v in _by_rule(report).items() if k[0] != BROKEN}
    assert others == {k: v for k, v in _by_rule(before.json()).items() if k[0] != BROKEN}
    assert report["summary"]["by_status"]["error"] == 1
    assert "could not be evaluated (SMS-9.3)" in after.stderr


def test_the_isolation_can_fail(sample_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the engine's isolation the same fault is a crash: the test above can fail."""
    _fault(monkeypatch)
    monkeypatch.setattr(imscheck.evaluation.engine, "_isolated", lambda rule, ctx: imscheck.evaluation.engine.evaluate_rule(rule, ctx))
    with pytest.raises(ValueError):
        _json(sample_copy)


@pytest.mark.parametrize("interrupt", [KeyboardInterrupt(), SystemExit(3)], ids=["KeyboardInterrupt", "SystemExit"])
def test_an_interrupt_is_not_an_error_result(sample_copy: Path, monkeypatch: pytest.MonkeyPatch, interrupt: BaseException) -> None:
    from imscheck.api import Settings, check

    _fault(monkeypatch, exc=interrupt)
    with pytest.raises(type(interrupt)):
        check(Settings(repo=sample_copy))


def test_a_setup_error_raised_while_evaluating_stays_exit_2(sample_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fault(monkeypatch, exc=ImscheckError("the rule pack is broken", "rules/x.yaml"))
    result = _json(sample_copy)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == "imscheck: error: rules/x.yaml: the rule pack is broken\n"


# --- exit codes ------------------------------------------------------------------------------


def test_an_error_counts_whatever_its_severity_and_never_passes_unseen(sample_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = sample_copy / "imscheck.yaml"
    config.write_text(config.read_text() + f"overrides:\n  {BROKEN}: {{severity: observation}}\n")
    _fault(monkeypatch)
    result = _json(sample_copy, "--fail-on", "major")
    assert result.exit_code == 1, "an error counts even below --fail-on"
    [error] = [r for r in result.json()["results"] if r["status"] == "error"]
    assert error["severity"] == "observation", "the error keeps the rule's own severity"
    # --fail-on never gates nothing, but the error is named on stderr, also when the report goes to a file
    quiet = run_cli("check", sample_copy, "--format", "json", "--output", sample_copy.parent / "report.json", "--fail-on", "never")
    assert quiet.exit_code == 0 and quiet.stdout == ""
    assert quiet.stderr == ("imscheck: warning: 1 rule could not be evaluated (SMS-9.3): its result is an error; "
                            "report it to the imscheck maintainers\n")


def test_an_error_counts_with_new_only_even_when_the_base_had_it_too(sample_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The base side runs the same rule with the same fault: there the error is just a failing
    result, so the head's is not new; it still counts, since the rule did not run."""
    (sample_copy / "notes.md").write_text("a change\n")
    commit_all(sample_copy, "a change")
    _fault(monkeypatch)
    result = run_cli("check", sample_copy, "--changed-since", "HEAD~1", "--new-only", "--format", "json")
    assert result.exit_code == 1
    report = result.json()
    assert report["changed_since"]["base_problem"] is None
    [error] = [r for r in report["results"] if r["status"] == "error"]
    assert error["new"] is False
    text = run_cli("check", sample_copy, "--changed-since", "HEAD~1", "--new-only")
    assert text.exit_code == 1
    assert re.search(r"/imscheck\.yaml:1: error +SMS-9\.3 Management review: Could not be evaluated", text.stdout), text.stdout


# --- every consumer --------------------------------------------------------------------------


def test_text_shows_error_where_the_severity_goes_and_counts_it_apart(sample_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fault(monkeypatch)
    result = run_cli("check", sample_copy)
    assert result.exit_code == 1
    lines = [line for line in result.stdout.splitlines() if "SMS-9.3" in line]
    assert len(lines) == 1 and re.search(r"/imscheck\.yaml:1: error +SMS-9\.3 Management review: Could not be evaluated: ValueError", lines[0])
    assert "\x1b" not in result.stdout
    summary = next(line for line in result.stdout.splitlines() if line.startswith("Summary: "))
    assert "71 passed, 0 failed, 1 could not be evaluated (error)" in summary
    quiet = run_cli("check", sample_copy, "--quiet")
    assert quiet.stdout == lines[0] + "\n"


def test_markdown_marks_the_error_as_one(sample_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fault(monkeypatch)
    result = run_cli("check", sample_copy, "--format", "markdown")
    [row] = [line for line in result.stdout.splitlines() if "SMS-9.3" in line]
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    assert cells[:4] == ["⛔", "SMS-9.3 Management review", "9.3", "error"]
    assert "1 could not be evaluated (error)" in result.stdout


@needs_schemas
@pytest.mark.parametrize("fmt", ["junit", "junit-gitlab"])
def test_junit_has_one_error_element_and_counts_it(sample_copy: Path, monkeypatch: pytest.MonkeyPatch, fmt: str) -> None:
    import xml.etree.ElementTree as ET

    import xmlschema

    _fault(monkeypatch)
    result = run_cli("check", sample_copy, "--format", fmt)
    assert result.exit_code == 1
    root = ET.fromstring(result.stdout)
    cases = [c for c in root.iter("testcase") if c.find("error") is not None]
    assert [c.get("name") for c in cases] == ["SMS-9.3 Management review"]
    error = cases[0].find("error")
    assert error is not None and error.get("message", "").startswith("Could not be evaluated: ValueError")
    assert root.find(".//failure") is None
    assert root.get("errors") == "1" and root.get("failures") == "0"
    [suite] = [s for s in root.iter("testsuite") if s.find("testcase/error") is not None]
    assert suite.get("errors") == "1" and suite.get("name") == "iso20000-1:2018 clause 9"
    assert sum(int(s.get("errors", "0")) for s in root.iter("testsuite")) == 1
    if fmt == "junit":
        xmlschema.XMLSchema(str(JUNIT_XSD)).validate(result.stdout)
        assert cases[0].get("file") is None
    else:
        assert cases[0].get("file") == "imscheck.yaml"


@needs_schemas
def test_sarif_gives_an_error_level_result_and_says_the_run_is_incomplete(sample_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from jsonschema.validators import validator_for

    config = sample_copy / "imscheck.yaml"
    config.write_text(config.read_text() + f"overrides:\n  {BROKEN}: {{severity: minor}}\n")
    _fault(monkeypatch)
    result = run_cli("check", sample_copy, "--format", "sarif")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    problems = [e.message for e in validator_for(schema)(schema).iter_errors(document)]
    assert not problems, problems[:5]
    run = document["runs"][0]
    [found] = [r for r in run["results"] if r["properties"]["kind"] == "finding"]
    assert found["ruleId"] == BROKEN and found["level"] == "error", "error whatever the rule's severity (minor here)"
    assert found["properties"] == {"kind": "finding", "status": "error", "severity": "minor"}
    assert found["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "imscheck.yaml"
    [invocation] = run["invocations"]
    assert invocation["executionSuccessful"] is True
    [note] = invocation["toolExecutionNotifications"]
    assert note["level"] == "error" and note["message"]["text"].startswith("SMS-9.3: Could not be evaluated: ValueError")
    rule = run["tool"]["driver"]["rules"][note["associatedRule"]["index"]]
    assert note["associatedRule"]["id"] == rule["id"] == BROKEN


def test_the_audit_report_names_the_error(sample_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fault(monkeypatch)
    markdown = run_cli("audit", sample_copy, "--format", "markdown")
    assert markdown.exit_code == 0, "a dry run informs; it gates only with --fail-on"
    assert "could not be evaluated (SMS-9.3)" in markdown.stderr
    page = markdown.stdout
    # not the organisation's to close, but nobody can say the requirement is met
    assert ("Readiness not known: 1 requirement could not be evaluated (a fault in imscheck, listed under Errors), "
            "so whether it is met is not known.") in page
    assert "### Errors: rules that could not be evaluated (1)" in page
    assert "#### 9.3 Management review (SMS-9.3, error)" in page
    assert "| 9.3 | Management review | partial | error | not known: the rule could not be evaluated |" in page
    finding = page.split("#### 9.3 Management review (SMS-9.3, error)", 1)[1].split("####", 1)[0]
    assert "- **Documents:** not known: the rule could not be evaluated" in finding
    assert "the evidence does not exist yet" not in finding
    html = run_cli("audit", sample_copy)
    block = html.stdout.split('id="nc-SMS-9.3"', 1)[1].split("</article>", 1)[0]
    assert '<span class="badge st-error">error</span>' in block
    assert "not known: the rule could not be evaluated" in block and "the evidence does not exist yet" not in block
    assert 'data-clause="9.3" data-status="error"' in html.stdout
    assert run_cli("audit", sample_copy, "--fail-on", "major").exit_code == 1


# --- the real inputs that crashed a rule, fixed at their root ---------------------------------

AS_OF = "2026-06-30"


def _custom_rule(assertion: dict[str, Any]) -> dict[str, Any]:
    return {"id": "T-CRASH", "clause": "8.4.3", "severity": "minor", "relation": {"type": "none"},
            "evidence": [{"select": {"type": "record", "addresses": "self"}, "assert": assertion}], "guidance": "Do it."}


def _check_with_rule(make_repo: Callable[..., Path], tmp_path: Path, assertion: dict[str, Any], value: str,
                     config: str = "") -> CliResult:
    rules = tmp_path / "rules"
    rules.mkdir(exist_ok=True)
    (rules / "custom.yaml").write_text(rule_file([_custom_rule(assertion)]))
    files = {"r.yaml": record("R-1", "2026-05-01", ["iso20000-1:2018/8.4.3"]) + f"score: {value}\n",
             "proc.md": controlled("PROC", "procedure", ["iso20000-1:2018/8.4.3"])}
    if config:
        files["imscheck.yaml"] = config
    return run_cli("check", make_repo(files), "--rules", rules, "--format", "json", "--as-of", AS_OF)


def _custom_result(result: CliResult) -> dict[str, Any]:
    assert result.exit_code in (0, 1) and "Traceback" not in result.stderr, result.stderr
    [found] = [r for r in result.json()["results"] if r["rule"] == "T-CRASH"]
    return found


@pytest.mark.parametrize("value, multiple", [
    (".nan", False),  # ValueError: cannot convert float NaN to integer
    (".inf", False),  # OverflowError: cannot convert Infinity to integer ratio
    ("-.inf", False),
    ("1" + "0" * 400, True),  # OverflowError: int too large to convert to float; 10**400 / 2.5 is whole
    ("1" + "0" * 399 + "1", False),  # (10**400 + 1) / 2.5 is not
    ("7.5", True),
    ("2.6", False),
])
def test_multiple_of_judges_values_yaml_has_and_json_has_not(make_repo: Callable[..., Path], tmp_path: Path, value: str,
                                                              multiple: bool) -> None:
    found = _custom_result(_check_with_rule(make_repo, tmp_path, {"properties": {"score": {"multipleOf": 2.5}}}, value))
    assert found["status"] == ("pass" if multiple else "fail"), found["message"]
    if not multiple:
        assert "is not a multiple of 2.5" in found["message"]


@pytest.mark.parametrize("assertion, said", [
    ({"$ref": "#"}, "a $ref reaches its own schema without stepping into a part of the value"),  # RecursionError
    ({"$defs": {"a": {"allOf": [{"$ref": "#/$defs/b"}]}, "b": {"not": {"$ref": "#/$defs/a"}}}, "properties": {"score": {"$ref": "#/$defs/a"}}},
     "a $ref reaches its own schema without stepping into a part of the value"),  # RecursionError
    ({"$anchor": "a", "$ref": "#a"}, "$ref '#a' is not supported: write a JSON pointer"),  # RecursionError
    ({"$dynamicRef": "#/nothing"}, "$dynamicRef is not supported"),  # PointerToNowhere
    ({"properties": {"score": {"$id": "https://example.com/s", "$ref": "#/x"}}, "x": {}}, "$id is not supported"),
    ({"$defs": {"a b": {}}, "$ref": "#/$defs/a%20b"}, "without percent-encoding"),
    ({"allOf": [{"type": "integer"}], "properties": {"score": {"$ref": "#/allOf"}}}, "a $ref points at something that is not a schema"),
    ({"properties": {"score": {"const": {"pattern": "(a)\\1"}, "not": {"$ref": "#/properties/score/const"}}}},
     "cannot be matched in linear time"),  # re2.error at evaluation
])
def test_a_schema_that_crashed_evaluation_is_refused_when_the_rule_loads(make_repo: Callable[..., Path], tmp_path: Path,
                                                                          assertion: dict[str, Any], said: str) -> None:
    result = _check_with_rule(make_repo, tmp_path, assertion, "3")
    assert result.exit_code == 2 and result.stdout == "", result.stdout[-500:]
    [line] = result.stderr.splitlines()
    assert line.startswith("imscheck: error: ") and "rule T-CRASH: at evidence/0/assert: " in line and said in line, line


def test_recursion_over_the_documents_own_nesting_still_works(make_repo: Callable[..., Path], tmp_path: Path) -> None:
    tree = {"$defs": {"n": {"anyOf": [{"type": "integer"}, {"type": "array", "items": {"$ref": "#/$defs/n"}}]}},
            "properties": {"score": {"$ref": "#/$defs/n"}}}
    assert _custom_result(_check_with_rule(make_repo, tmp_path, tree, "[1, [2, [3]]]"))["status"] == "pass"
    found = _custom_result(_check_with_rule(make_repo, tmp_path, tree, "[1, [2, [x]]]"))
    assert found["status"] == "fail" and "score: [1, [2, ['x']]] is not valid under any of the given schemas" in found["message"]


def test_a_document_too_deep_for_a_recursive_schema_is_a_defect(make_repo: Callable[..., Path], tmp_path: Path) -> None:
    # three in-place steps per level of a 98-level list took more than Python's stack
    tree = {"$defs": {"n": {"allOf": [{"allOf": [{"allOf": [{"type": "array", "items": {"$ref": "#/$defs/n"}}]}]}]}},
            "properties": {"score": {"$ref": "#/$defs/n"}}}
    deep = "[" * 98 + "]" * 98
    found = _custom_result(_check_with_rule(make_repo, tmp_path, tree, deep, config="limits: {max_depth: 100}\n"))
    assert found["status"] == "fail"
    assert "R-1 (r.yaml:1) is nested too deeply to be checked against the rule's schema (assert)" in found["message"]
    assert _custom_result(_check_with_rule(make_repo, tmp_path, tree, "[[[]]]", config="limits: {max_depth: 100}\n"))["status"] == "pass"


def test_a_bug_outside_rule_evaluation_is_exit_2_and_one_line(sample_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A crash must not read as findings (exit 1) in CI: exit 2, one line, no traceback.

    Fault injection again (a reporter that raises stands for any bug outside the rules' isolation):
    no input is known to make a reporter raise.
    """
    import imscheck.reports.text

    def broken(*args: object, **kwargs: object) -> str:
        raise KeyError("a bug")

    monkeypatch.setattr(imscheck.reports.text, "render", broken)
    monkeypatch.delenv("IMSCHECK_TRACEBACK")
    result = run_cli("check", sample_copy)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "imscheck: internal error: KeyError: 'a bug'. This is a bug in imscheck: please report it with the command you ran "
        "(IMSCHECK_TRACEBACK=1 shows where it happened)"]
    monkeypatch.setenv("IMSCHECK_TRACEBACK", "1")
    with pytest.raises(KeyError):
        run_cli("check", sample_copy)


def test_with_a_major_gap_too_the_audit_is_not_ready_and_still_names_the_unknown(sample_copy: Path,
                                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    _fault(monkeypatch)
    (sample_copy / "quality" / "QMS-POL-001-quality-policy.md").unlink()
    page = run_cli("audit", sample_copy, "--format", "markdown").stdout
    verdict = next(line for line in page.splitlines() if "Not ready:" in line)
    assert "major nonconformit" in verdict and "to close before the audit." in verdict
    assert "1 requirement could not be evaluated (a fault in imscheck, listed under Errors)" in verdict
    assert "could not be evaluated to close" not in verdict
