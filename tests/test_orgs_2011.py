"""The founding paper's situation on a repository written outside this project.

``../shared/orgs/qms-manual-2008`` is an IT service provider certified to ISO 9001:2008 only, in
its own house style (a quality manual by clause, general procedures with numbered steps, Catalan
ids and some Catalan field names); every document addresses ``iso9001:2008/...`` only. Checked
against ISO/IEC 20000-1:2011 as it is (read in place, never copied or changed), the verdicts must
follow the relation each rule of the pack declares:

- full: met by the existing ISO 9001 evidence, credited through the ISO 9001 clause;
- partial: the ISO 9001 half credited, only the IT service management half missing;
- none: not addressed, at the rule's own severity.

The expectations are derived from the pack's relations, not from the output.
"""

from __future__ import annotations

from typing import Any

import pytest
from conftest import REPO_ROOT, run_cli

from imscheck.api import Settings, catalogues, check
from imscheck.resources import rules_dir
from imscheck.rules import Rule, load_pack

ORGS = REPO_ROOT.parent / "shared" / "orgs"
QMS_2008 = ORGS / "qms-manual-2008"

pytestmark = pytest.mark.skipif(
    not QMS_2008.is_dir(),
    reason=f"the development corpus {QMS_2008} is absent (it sits beside the project, not in a user's clone)",
)

PACK = load_pack(rules_dir(), "iso20000-1:2011", catalogues())
RULES: dict[str, Rule] = {rule.id: rule for rule in PACK.rules}
BY_RELATION: dict[str, list[str]] = {
    kind: [rule.id for rule in PACK.rules if rule.relation.type == kind] for kind in ("full", "partial", "none")
}
BASE = "iso9001:2008"


def _related(a: str, b: str) -> bool:
    """Same clause, or one is a sub-clause of the other (evidence for 4.2 counts for 4.2.1 and back)."""
    return a == b or a.startswith(b + ".") or b.startswith(a + ".")


def _clause(via: str) -> str:
    assert via.startswith(BASE + "/"), via
    return via.split("/", 1)[1]


@pytest.fixture(scope="module")
def report() -> dict[str, Any]:
    result = run_cli("check", str(QMS_2008), "--format", "json")
    # requirements are missing, so the run fails; a set-up error (2) would mean nothing was judged
    assert result.exit_code == 1, result.stderr or result.stdout
    return result.json()


@pytest.fixture(scope="module")
def requirements(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["rule"]: r for r in report["results"] if r["clause"] is not None}


def test_the_corpus_is_checked_against_the_paper_pack(report: dict[str, Any], requirements: dict[str, dict[str, Any]]) -> None:
    assert (report["standard"], report["base"]) == ("iso20000-1:2011", BASE)
    assert sorted(requirements) == sorted(RULES)
    # the pack has all three relations, so every branch below is exercised
    assert all(BY_RELATION[kind] for kind in BY_RELATION)


def test_no_hygiene_finding(report: dict[str, Any]) -> None:
    findings = [(r["rule"], r["message"]) for r in report["results"] if r["clause"] is None and r["status"] != "pass"]
    assert findings == []


@pytest.mark.parametrize("rule_id", BY_RELATION["full"])
def test_full_relation_is_met_by_the_9001_system(rule_id: str, requirements: dict[str, dict[str, Any]]) -> None:
    rule, result = RULES[rule_id], requirements[rule_id]
    assert result["status"] == "pass", result["message"]
    assert result["message"].startswith("Met by existing ISO 9001 evidence")
    assert result["evidence"]
    for item in result["evidence"]:
        assert item["via"], item
        assert any(_related(_clause(item["via"]), base) for base in rule.relation.base), item


def test_the_paper_example_4_3_1_is_credited_through_the_quality_manual(requirements: dict[str, dict[str, Any]]) -> None:
    result = requirements["ITSM11-4.3.1"]
    assert result["status"] == "pass", result["message"]
    manual = [e for e in result["evidence"] if e["document"] == "SIB-MQ"]  # the Quality Manual (README)
    assert manual and all(_related(_clause(e["via"]), "4.2") for e in manual)
    assert "SIB-MQ via iso9001:2008/4.2" in result["message"]


@pytest.mark.parametrize("rule_id", BY_RELATION["partial"])
def test_partial_relation_fails_only_for_its_service_management_half(rule_id: str, requirements: dict[str, dict[str, Any]]) -> None:
    rule, result = RULES[rule_id], requirements[rule_id]
    assert result["status"] == "fail"
    # the half with no evidence: the rule's severity (not a minor shortfall)
    assert result["severity"] == rule.severity
    message = result["message"]
    assert message.startswith("IT service management extension missing"), message
    assert "ISO 9001 half missing" not in message and "ISO 9001 half incomplete" not in message
    assert "ISO 9001 half in place" in message
    # the ISO 9001 half is credited for every base clause, and the evidence is listed
    vias = [e["via"] for e in result["evidence"]]
    assert vias and all(v and v.startswith(BASE + "/") for v in vias)
    for base in rule.relation.base:
        assert any(_related(_clause(v), base) for v in vias), base
    assert any(f"{e['document']} via {e['via']}" in message for e in result["evidence"])


@pytest.mark.parametrize("rule_id", BY_RELATION["none"])
def test_new_requirement_is_not_addressed(rule_id: str, requirements: dict[str, dict[str, Any]]) -> None:
    rule, result = RULES[rule_id], requirements[rule_id]
    assert result["status"] == "fail"
    assert result["severity"] == rule.severity
    assert result["message"].startswith("Not addressed: ")
    assert result["evidence"] == []


def test_new_requirements_fail_major(requirements: dict[str, dict[str, Any]]) -> None:
    # DESIGN.md: major means not addressed, which is what a new requirement with no evidence is
    new = BY_RELATION["none"]
    assert new
    assert {rule_id: requirements[rule_id]["severity"] for rule_id in new} == {rule_id: "major" for rule_id in new}


def test_summary_credits_exactly_the_full_relations(report: dict[str, Any]) -> None:
    by_relation = report["summary"]["by_relation"]
    full = len(BY_RELATION["full"])
    assert by_relation["full"] == {"total": full, "pass": full, "credited": full}
    for kind in ("partial", "none"):
        assert by_relation[kind]["total"] == len(BY_RELATION[kind]) and by_relation[kind]["pass"] == 0
    # every partial requirement has its ISO 9001 half in place; a new one has no ISO 9001 half
    assert by_relation["partial"]["credited"] == len(BY_RELATION["partial"])
    assert by_relation["none"]["credited"] == 0


def test_which_half_is_missing() -> None:
    # The JSON report states the halves in words; the library result names them.
    run = check(Settings(repo=QMS_2008))
    missing = {r.rule: r.missing for r in run.results if r.is_requirement}
    expected = {rule.id: () if rule.relation.type == "full" else ("extension",) for rule in PACK.rules}
    assert missing == expected
