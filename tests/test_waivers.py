"""Waivers and not-applicable requirements (DESIGN.md section 3), and the findings about them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conftest import run_cli
from gate_docs import AS_OF, base_files, failing_results

WAIVERS = """\
as_of: "2026-06-01"
waivers:
  - rule: SMS-9.3
    reason: first management review is booked for July
    approved_by: Managing director
    expires: 2026-07-31
  - rule: SMS-9.2
    reason: audit programme was due in spring
    approved_by: Managing director
    expires: 2026-04-30
  - rule: SMS-99.9
    reason: typo in the rule id
    approved_by: Managing director
    expires: 2026-12-31
  - rule: DOC-REVIEW
    reason: nothing is overdue, so this suppresses nothing
    approved_by: Quality manager
    expires: 2026-12-31
not_applicable:
  - rule: SMS-8.6.1
    justification: incidents are handled by the customer's own service desk
  - clause: "8.5.1"
    justification: no changes to services are made under this contract
  - clause: "4.9"
    justification: a clause with no rule
"""


def check(repo: Path, *args: str) -> dict[str, Any]:
    result = run_cli("check", repo, "--format", "json", *args)
    assert result.exit_code in (0, 1), result.stderr
    return result.json()


def by_rule(report: dict[str, Any], rule: str) -> list[dict[str, Any]]:
    return [r for r in report["results"] if r["rule"] == rule]


def config_line(repo: Path, text: str) -> int:
    return next(i for i, line in enumerate((repo / "imscheck.yaml").read_text().splitlines(), 1) if text in line)


def test_waivers_and_not_applicable_change_status_and_are_audited(make_repo: Any) -> None:
    repo = make_repo(base_files() | {"imscheck.yaml": WAIVERS})
    report = check(repo)

    [review] = by_rule(report, "SMS-9.3")
    assert review["status"] == "waived"
    assert "Waived until 2026-07-31 (approved by Managing director)" in review["message"] and "Finding:" in review["message"]

    [audit] = by_rule(report, "SMS-9.2")  # its waiver expired: the rule fails again
    assert audit["status"] == "fail"

    [incidents] = by_rule(report, "SMS-8.6.1")
    assert incidents["status"] == "not_applicable" and "customer's own service desk" in incidents["message"]
    change_rules = [r for r in report["results"] if (r["clause"] or "").startswith("8.5.1.")]
    assert change_rules and all(r["status"] == "not_applicable" for r in change_rules)

    waiver_findings = {f["message"].split(":")[0]: f for f in failing_results(report, "CFG-WAIVER")}
    assert set(waiver_findings) == {"waiver for SMS-9.2 expired on 2026-04-30", "waiver names rule SMS-99.9, which does not exist"}
    for finding in waiver_findings.values():
        assert finding["severity"] == "minor"
        [location] = finding["locations"]
        assert location["path"] == "imscheck.yaml"
    assert waiver_findings["waiver for SMS-9.2 expired on 2026-04-30"]["locations"][0]["line"] == config_line(repo, "rule: SMS-9.2")
    assert waiver_findings["waiver names rule SMS-99.9, which does not exist"]["locations"][0]["line"] == config_line(repo, "rule: SMS-99.9")

    [unused] = failing_results(report, "CFG-WAIVER-UNUSED")
    assert unused["severity"] == "observation" and "DOC-REVIEW" in unused["message"]
    assert unused["locations"] == [{"path": "imscheck.yaml", "line": config_line(repo, "rule: DOC-REVIEW")}]

    [scope] = failing_results(report, "CFG-SCOPE")
    assert "clause 4.9" in scope["message"] and scope["locations"][0]["line"] == config_line(repo, 'clause: "4.9"')

    assert report["summary"]["by_status"]["waived"] == 1
    assert report["summary"]["by_status"]["not_applicable"] == 1 + len(change_rules)


def test_waiver_keeps_the_gate_open_until_it_expires(make_repo: Any) -> None:
    repo = make_repo(base_files() | {"imscheck.yaml": "\n"})
    gaps = [r["rule"] for r in failing_results(check(repo, "--as-of", AS_OF)) if r["severity"] == "major"]
    assert gaps
    waivers = "waivers:\n" + "".join(
        f"  - rule: {rule}\n    reason: known gap\n    approved_by: Quality manager\n    expires: 2026-07-31\n" for rule in gaps
    )
    (repo / "imscheck.yaml").write_text(waivers)
    assert run_cli("check", repo, "--as-of", AS_OF, "--fail-on", "major").exit_code == 0
    assert run_cli("check", repo, "--as-of", "2026-08-01", "--fail-on", "major").exit_code == 1


def test_waiver_without_approver_is_a_configuration_error(make_repo: Any) -> None:
    repo = make_repo(base_files() | {"imscheck.yaml": "waivers:\n  - rule: SMS-9.3\n    reason: later\n    expires: 2026-07-31\n"})
    result = run_cli("check", repo)
    assert result.exit_code == 2
    assert "imscheck.yaml" in result.stderr and "approved_by" in result.stderr and "Traceback" not in result.stderr


def test_an_override_for_an_unknown_rule_is_a_finding_at_its_line(make_repo) -> None:
    from conftest import run_cli as cli

    repo = make_repo({"imscheck.yaml": "as_of: 2026-06-01\noverrides:\n  SMS-9.3: {within_months: 6}\n  SMS-99: {severity: minor}\n"})
    report = cli("check", repo, "--format", "json").json()
    scope = [r for r in report["results"] if r["rule"] == "CFG-SCOPE" and r["status"] == "fail"]
    assert [(r["locations"], "SMS-99" in r["message"]) for r in scope] == [([{"path": "imscheck.yaml", "line": 4}], True)]
