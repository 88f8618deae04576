"""Every feature of the rule language, through user rule folders (--rules) on real repositories."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run_cli
from docbuilder import controlled, record, rule_file

AS_OF = "2026-06-30"
CATALOGUE = controlled("CAT", "catalogue", ["iso20000-1:2018/8.2.4"], services=["svc-a", "svc-b"])


def _rule(rule_id: str, evidence: list[dict], relation: str = "none", **extra: object) -> dict:
    rel: dict = {"type": relation}
    if relation != "none":
        rel["base"] = ["8.5.6"]
    if relation == "partial":
        rel["adds"] = "service specifics"
    return {"id": rule_id, "clause": "8.4.3", "severity": "minor", "relation": rel, "evidence": evidence, "guidance": "Do it.", **extra}


def _status(make_repo, tmp_path: Path, rules: list[dict], files: dict[str, str], *extra_args: str) -> dict[str, dict]:
    rules_dir = tmp_path / f"rules{len(list(tmp_path.glob('rules*')))}"
    rules_dir.mkdir()
    (rules_dir / "custom.yaml").write_text(rule_file(rules))
    repo = make_repo(files)
    result = run_cli("check", repo, "--rules", rules_dir, "--format", "json", "--as-of", AS_OF, *extra_args)
    assert result.exit_code in (0, 1), result.stderr
    return {r["rule"]: r for r in result.json()["results"] if r["rule"].startswith("T-")}


def test_select_by_id_path_and_where(make_repo, tmp_path: Path) -> None:
    files = {
        "plans/capacity.md": controlled("CAP-1", "plan", kind="capacity"),
        "plans/other.md": controlled("CAP-2", "plan", kind="demand"),
    }
    rules = [
        _rule("T-ID", [{"select": {"id": "CAP-2"}}]),
        _rule("T-ID-MISSING", [{"select": {"id": "CAP-9"}}]),
        _rule("T-PATH", [{"select": {"path": "plans/cap*.md"}}]),
        _rule("T-WHERE", [{"select": {"type": "plan", "where": {"kind": "capacity"}}, "at_least": 2}]),
        _rule("T-WHERE-ONE", [{"select": {"type": "plan", "where": {"kind": "capacity"}}}]),
    ]
    status = {k: v["status"] for k, v in _status(make_repo, tmp_path, rules, files).items()}
    assert status == {"T-ID": "pass", "T-ID-MISSING": "fail", "T-PATH": "pass", "T-WHERE": "fail", "T-WHERE-ONE": "pass"}


def test_every_none_and_at_least(make_repo, tmp_path: Path) -> None:
    files = {
        "r1.yaml": record("R1", "2026-05-01", ["iso20000-1:2018/8.4.3"], outcome="ok"),
        "r2.yaml": record("R2", "2026-05-02", ["iso20000-1:2018/8.4.3"]),
    }
    rules = [
        _rule("T-EVERY", [{"select": {"type": "record", "addresses": "self"}, "every": True, "fields": ["outcome"], "expect": "capacity reviews"}]),
        _rule("T-AT-LEAST", [{"select": {"type": "record", "addresses": "self"}, "at_least": 2}]),
        _rule("T-AT-LEAST-3", [{"select": {"type": "record", "addresses": "self"}, "at_least": 3}]),
        _rule("T-NONE", [{"select": {"type": "record", "addresses": "self"}, "none": True, "assert": {"not": {"required": ["outcome"]}}, "expect": "review without an outcome"}]),
    ]
    results = _status(make_repo, tmp_path, rules, files)
    assert results["T-EVERY"]["status"] == "fail"
    assert "1 of 2 capacity reviews fall short: R2 (r2.yaml:1) lacks outcome" in results["T-EVERY"]["message"]
    assert results["T-AT-LEAST"]["status"] == "pass"
    assert results["T-AT-LEAST-3"]["status"] == "fail" and "expected at least 3 record" in results["T-AT-LEAST-3"]["message"]
    assert results["T-NONE"]["status"] == "fail"
    assert "no review without an outcome, found 1: R2 (r2.yaml)" in results["T-NONE"]["message"]
    assert results["T-NONE"]["locations"] == [{"path": "r2.yaml", "line": 1}]


def test_per_service_counts_each_catalogued_service(make_repo, tmp_path: Path) -> None:
    rules = [_rule("T-SVC", [{"select": {"type": "agreement", "addresses": "self"}, "per_service": True, "expect": "SLA"}])]
    sla_a = controlled("SLA-A", "agreement", ["iso20000-1:2018/8.4.3"], services=["svc-a"])
    results = _status(make_repo, tmp_path, rules, {"cat.md": CATALOGUE, "a.md": sla_a})
    assert results["T-SVC"]["status"] == "fail" and "none for svc-b" in results["T-SVC"]["message"]
    sla_b = controlled("SLA-B", "agreement", ["iso20000-1:2018/8.4.3"], services=["svc-b"])
    results = _status(make_repo, tmp_path, rules, {"cat.md": CATALOGUE, "a.md": sla_a, "b.md": sla_b})
    assert results["T-SVC"]["status"] == "pass"


def test_topics_fields_and_schema_assertions(make_repo, tmp_path: Path) -> None:
    plan = controlled("CAP", "plan", ["iso20000-1:2018/8.4.3"], ["1. Forecast", "Thresholds"], horizon_months=6)
    rules = [
        _rule("T-TOPICS", [{"select": {"addresses": "self"}, "topics": ["capacity", "demand"]}]),
        _rule("T-TOPICS-MISSING", [{"select": {"addresses": "self"}, "topics": ["capacity", "incident_escalation"]}]),
        _rule("T-FIELDS", [{"select": {"addresses": "self"}, "fields": ["horizon_months", "owner"]}]),
        _rule("T-FIELDS-MISSING", [{"select": {"addresses": "self"}, "fields": ["approved_budget"]}]),
        _rule("T-ASSERT", [{"select": {"addresses": "self"}, "assert": {"properties": {"horizon_months": {"minimum": 12}}}}]),
    ]
    results = _status(make_repo, tmp_path, rules, {"cap.md": plan})
    assert results["T-TOPICS"]["status"] == "pass" and results["T-TOPICS"]["observations"] == []
    found = results["T-TOPICS"]["checklist"][0]
    assert found["found"] and found["line"] == plan.splitlines().index("## 1. Forecast") + 1
    missing = results["T-TOPICS-MISSING"]
    assert missing["status"] == "pass", "a topic not found is an observation, never a failure"
    [observation] = missing["observations"]
    assert observation["message"] == "an auditor will look for how incidents are escalated; CAP does not seem to mention it"
    assert results["T-FIELDS"]["status"] == "pass"
    assert results["T-FIELDS-MISSING"]["status"] == "fail" and "CAP (cap.md:2) lacks approved_budget" in results["T-FIELDS-MISSING"]["message"]
    assert results["T-ASSERT"]["status"] == "fail"
    assert "horizon_months: 6 is less than the minimum of 12" in results["T-ASSERT"]["message"]
    line = plan.splitlines().index("horizon_months: 6") + 1
    assert results["T-ASSERT"]["locations"] == [{"path": "cap.md", "line": line}]


def test_freshness_and_cross_references(make_repo, tmp_path: Path) -> None:
    files = {
        "proc.md": controlled("PROC", "procedure", ["iso20000-1:2018/8.4.3"]),
        "other.md": controlled("OTHER", "policy"),
        "old.yaml": record("OLD", "2025-05-31", ["iso20000-1:2018/8.4.3"], "PROC"),
        "new.yaml": record("NEW", "2025-06-30", ["iso20000-1:2018/8.4.3"], "OTHER"),
    }
    rules = [
        _rule("T-FRESH", [{"select": {"type": "record", "addresses": "self"}, "fresh": {"within_months": 12}, "at_least": 2}]),
        _rule("T-REFS", [{"select": {"type": "record", "addresses": "self"}, "every": True,
                          "references": [{"field": "record_of", "select": {"type": "procedure", "addresses": "self"}}]}]),
    ]
    results = _status(make_repo, tmp_path, rules, files)
    # 2025-06-30 is exactly 12 calendar months before as_of: inside; 2025-05-31 is outside
    assert results["T-FRESH"]["status"] == "fail"
    assert "outside the window of 12 months: OLD (old.yaml:4) dated 2025-05-31" in results["T-FRESH"]["message"]
    assert "NEW" not in results["T-FRESH"]["message"]
    assert results["T-REFS"]["status"] == "fail" and "record_of OTHER is not" in results["T-REFS"]["message"]


def test_config_overrides_not_applicable_and_waivers(make_repo, tmp_path: Path) -> None:
    rules = [
        _rule("T-A", [{"select": {"type": "record", "addresses": "self"}, "fresh": {"within_months": 1}}]),
        _rule("T-B", [{"select": {"id": "NOTHING"}}]),
        _rule("T-C", [{"select": {"id": "NOTHING"}}]),
    ]
    config = (
        "overrides:\n  T-A: {within_months: 3, severity: observation}\n"
        "waivers:\n  - {rule: T-B, reason: Tool migration, approved_by: Quality Manager, expires: 2026-12-31}\n"
        "not_applicable:\n  - {rule: T-C, justification: No hardware in scope}\n"
    )
    files = {"imscheck.yaml": config, "r.yaml": record("R", "2026-04-15", ["iso20000-1:2018/8.4.3"])}
    results = _status(make_repo, tmp_path, rules, files)
    assert results["T-A"]["status"] == "pass" and results["T-A"]["severity"] == "observation"
    assert results["T-B"]["status"] == "waived" and "Tool migration" in results["T-B"]["message"]
    assert results["T-C"]["status"] == "not_applicable" and "No hardware in scope" in results["T-C"]["message"]


@pytest.mark.parametrize(
    "rules, expected",
    [
        ([_rule("T-X", [{"select": {"typ": "plan"}}])], "rule T-X: at rules/0/evidence/0/select"),
        ([_rule("T-X", [], severity="critical")], "rule T-X: at rules/0/severity"),
        ([{**_rule("T-X", []), "clause": "8.4.9"}], "rule T-X: at clause: 8.4.9 is not a clause of"),
        ([_rule("T-X", [], relation="full") | {"relation": {"type": "full", "base": ["7.5.9"]}}], "at relation/base: 7.5.9"),
        ([_rule("T-X", [{"select": {"addresses": ["iso9001:2015/7.5.9"]}}])], "at evidence/0/select/addresses"),
        ([_rule("T-X", [{"select": {"type": "plan"}, "assert": {"type": "plan"}}])], "at evidence/0/assert: not a valid JSON Schema"),
        ([_rule("T-X", []), _rule("T-X", [])], "rule T-X is also defined"),
        ([_rule("T-X", [{"select": {"path": "[z-a]/*.md"}}])], "at evidence/0/select/path: '[z-a]/*.md' is not a valid glob"),
        ([_rule("T-X", [{"select": {"type": "plan"}, "assert": {"$ref": "#/$defs/nope"}}])], "'#/$defs/nope' points at nothing"),
        ([_rule("T-X", [{"select": {"type": "plan"}, "assert": {"$ref": "https://example.com/s.json"}}])], "only local references"),
        ([_rule("SMS-9.3", [])], "rule SMS-9.3 is also defined"),
        ([_rule("T-X", [{"select": {"type": "plan"}, "topics": ["nope"]}])], "at evidence/0: no topic 'nope'"),
        ([_rule("T-X", [{"select": {"type": "plan"}, "kind": "training", "fields": ["nope"]}])], "training has no concept 'nope'"),
        ([_rule("T-X", [{"select": {"type": "plan"}, "kind": "trainings"}])], "no kind 'trainings'"),
        ([_rule("T-X", [{"select": {"type": "plan"}, "sections": ["Scope"]}])], "'sections' was unexpected"),
        ([_rule("T-X", [], relation="partial") | {"relation": {"type": "partial", "base": ["9.3"]}}], "adds"),
    ],
)
def test_broken_rule_files_are_exit_2_naming_file_rule_and_key(rules: list[dict], expected: str, make_repo, tmp_path: Path) -> None:
    rules_dir = tmp_path / "bad-rules"
    rules_dir.mkdir()
    (rules_dir / "broken.yaml").write_text(rule_file(rules))
    result = run_cli("check", make_repo({}), "--rules", rules_dir)
    assert result.exit_code == 2, result.stdout
    assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1
    assert "broken.yaml" in result.stderr and expected in result.stderr, result.stderr


def test_unparseable_rule_file_is_exit_2(make_repo, tmp_path: Path) -> None:
    rules_dir = tmp_path / "bad-rules"
    rules_dir.mkdir()
    (rules_dir / "broken.yaml").write_text("rules:\n  - id: [\n")
    result = run_cli("check", make_repo({}), "--rules", rules_dir)
    assert result.exit_code == 2 and "broken.yaml: line" in result.stderr


def test_grace_and_the_interval_the_organisation_states(make_repo, tmp_path: Path) -> None:
    """12 months and a stated month's grace; a report interval the procedure states comes before the default."""
    rules = [
        _rule("T-GRACE", [{"select": {"type": "record", "addresses": "self"}, "fresh": {"within_months": 12, "grace_months": 1}}]),
        _rule("T-DECLARED", [{"select": {"type": "record", "addresses": "self"}, "expect": "service report",
                              "fresh": {"within_months": 3, "grace_months": 1, "declared_by": "service_report_interval"}}]),
    ]

    def procedure(sentence: str) -> str:
        return controlled("PROC", "procedure", ["iso20000-1:2018/8.4.3"]) + f"\n## 4 Method\n\n1. Collect the data.\n2. {sentence}\n"

    def run(day: str, sentence: str) -> dict[str, dict]:
        files = {"proc.md": procedure(sentence), "r.yaml": record("R", day, ["iso20000-1:2018/8.4.3"])}
        return _status(make_repo, tmp_path, rules, files)

    # 12.5 months before as_of 2026-06-30: inside the grace; 13.5 months: lapsed, and the message says so
    assert run("2025-06-15", "Nothing stated.")["T-GRACE"]["status"] == "pass"
    late = run("2025-05-15", "Nothing stated.")["T-GRACE"]
    assert (late["status"], late["severity"]) == ("fail", "minor")
    assert "more than 12 months and 1 month's grace before 2026-06-30" in late["message"]
    # a report 2.5 months old: fine against the default (3 months and a month's grace) and a quarterly
    # statement, lapsed against a monthly one, which the message names
    assert run("2026-04-15", "The team lead checks the figures.")["T-DECLARED"]["status"] == "pass"
    assert run("2026-04-15", "A quarterly service report per service goes to each customer.")["T-DECLARED"]["status"] == "pass"
    monthly = run("2026-04-15", "By the fifth working day a monthly service report per service is produced; trends are analysed quarterly.")
    assert monthly["T-DECLARED"]["status"] == "fail"
    assert "more than 1 month (monthly, as PROC states) and 1 month's grace" in monthly["T-DECLARED"]["message"]
