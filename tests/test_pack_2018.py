"""The ISO/IEC 20000-1:2018 pack: every requirement is a rule, and every rule is proved on sample-org.

For each rule: it passes on sample-org; with the documents its passing result cites taken away it
fails and says what is missing; and for a full relation, the ISO 9001 documents it credits are
enough on their own.
"""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import pytest
from conftest import SAMPLE_ORG, run_cli

from imscheck.api import Settings, catalogues, check
from imscheck.resources import rules_dir
from imscheck.results import Result
from imscheck.rules import Rule, load_pack

TARGET = "iso20000-1:2018"
BASE = "iso9001:2015"
CATALOGUES = catalogues()
PACK = load_pack(rules_dir(), TARGET, CATALOGUES)
RULES: dict[str, Rule] = {rule.id: rule for rule in PACK.rules}
FULL = sorted(rule.id for rule in PACK.rules if rule.relation.type == "full")


def _evaluate(repo: Path) -> dict[str, Result]:
    run = check(Settings(repo=repo))
    return {r.rule: r for r in run.results if r.is_requirement}


@pytest.fixture(scope="module")
def sample_results() -> dict[str, Result]:
    """One evaluation of sample-org shared by every per-rule test."""
    return _evaluate(SAMPLE_ORG)


def _copy_without(paths: Iterable[str], dest: Path) -> Path:
    """sample-org copied to ``dest`` with the given repository-relative files left out."""
    shutil.copytree(SAMPLE_ORG, dest)
    for rel in paths:
        (dest / rel).unlink()
    return dest


def test_every_leaf_requirement_has_exactly_one_rule() -> None:
    catalogue = CATALOGUES.require(TARGET, "test")
    leaves = {clause.number for clause in catalogue.requirement_leaves()}
    assert leaves, "the catalogue has no requirement clauses"
    per_clause = Counter(rule.clause for rule in PACK.rules)
    assert sorted(leaves - set(per_clause)) == [], "leaf requirements without a rule"
    assert [clause for clause, n in per_clause.items() if n > 1] == [], "clauses with more than one rule"
    # a rule on a clause that is not a leaf requirement must say why it exists
    unjustified = [rule.id for rule in PACK.rules if rule.clause not in leaves and not rule.justification]
    assert unjustified == []
    for rule in PACK.rules:
        assert rule.id == f"SMS-{rule.clause}"
        assert rule.clause.split(".")[0] in catalogue.requirement_clauses


def test_rules_list_shows_every_requirement() -> None:
    result = run_cli("rules", "list", "--standard", TARGET)
    assert result.exit_code == 0, result.stderr
    listed = {line.split()[0] for line in result.stdout.splitlines() if line.startswith("SMS-")}
    assert listed == set(RULES)


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_rule_states_its_relation_and_explains_its_checks(rule_id: str) -> None:
    rule = RULES[rule_id]
    if rule.relation.type == "none":
        assert not rule.relation.base
    else:
        assert rule.relation.base, "full and partial relations name their ISO 9001 clauses"
    if rule.relation.type == "partial":
        assert rule.relation.adds
    assert rule.checks, "every rule says what an auditor looks for"
    for check_ in rule.checks:
        assert check_.expect, "messages use the rule's own words for the evidence"


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_rule_passes_on_sample_org_and_fails_without_its_evidence(rule_id: str, sample_results: dict[str, Result], tmp_path: Path) -> None:
    rule = RULES[rule_id]
    passed = sample_results[rule_id]
    assert passed.status == "pass", passed.message
    cited = sorted({e.path for e in passed.evidence})
    assert cited, "a passing result names its evidence"
    vias = [e.via or "" for e in passed.evidence]
    if rule.relation.type == "partial":
        assert any(v.startswith(BASE + "/") for v in vias) and any(v.startswith(TARGET + "/") for v in vias), vias
    if rule.relation.type == "none":
        assert all(v.startswith(TARGET + "/") for v in vias), vias

    failed = _evaluate(_copy_without(cited, tmp_path / "org"))[rule_id]
    assert failed.status == "fail", failed.message
    message = failed.message
    expects = [c.expect for c in rule.checks if not c.none and c.expect]
    assert any(expect in message for expect in expects), message
    if rule.relation.type == "partial":
        # the cited evidence includes every ISO 9001 document of the base clauses, so both halves go
        assert "ISO 9001 half missing" in message and "IT service management extension missing" in message
    elif rule.relation.type == "full":
        assert "fully covered by ISO 9001" in message
    else:
        assert "half missing" not in message and "extension missing" not in message


@pytest.mark.parametrize("rule_id", FULL)
def test_full_relation_is_met_by_the_iso9001_documents_alone(rule_id: str, sample_results: dict[str, Result], tmp_path: Path) -> None:
    credited = [e for e in sample_results[rule_id].evidence if e.via and e.via.startswith(BASE + "/")]
    assert credited, "sample-org earns this full relation from ISO 9001 evidence"
    repo = tmp_path / "quality-only"
    repo.mkdir()
    shutil.copy(SAMPLE_ORG / "imscheck.yaml", repo / "imscheck.yaml")  # pins as_of
    for evidence in credited:
        (repo / evidence.path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(SAMPLE_ORG / evidence.path, repo / evidence.path)

    result = _evaluate(repo)[rule_id]
    assert result.status == "pass", result.message
    assert {(e.document, e.path, e.via) for e in result.evidence} == {(e.document, e.path, e.via) for e in credited}
    assert result.message.startswith("Met by existing ISO 9001 evidence")
    assert credited[0].document in result.message


# What an auditor looks for beyond "a document exists": each case breaks one thing in a copy of
# sample-org and names the words the failing message must contain.
SM = "service-management/"
AUDITOR_CASES = {
    "SMS-8.3.2-every-service-reviewed": ("SMS-8.3.2", {SM + "records/REC-BRM-2026-09.yaml": None}, ["none for svc-hosting"]),
    "SMS-7.5.4-register-lists-a-draft": (
        "SMS-7.5.4",
        {SM + "SMS-PRC-020-information-security-incidents.md": ("status: approved", "status: draft")},
        ["lists SMS-PRC-020, which is draft"],
    ),
    "SMS-8.7.1-availability-report-lapsed": (
        "SMS-8.7.1",
        {
            SM + "records/REC-AVR-2026-Q1.yaml": None,
            SM + "records/REC-AVR-2026-Q2.yaml": None,
            SM + "records/REC-AVR-2026-Q3.yaml": None,
            SM + "records/REC-AVR-2025-Q4.yaml": ("date: 2026-01-13", "date: 2025-10-13"),
        },
        # the availability plan states quarterly reports: 3 months and a month's grace, not the default 12
        ["lapsed", "REC-AVR-2025-Q4", "2025-10-13", "more than 3 months (quarterly, as SMS-PLN-004 states) and 1 month's grace"],
    ),
    "SMS-8.6.3-problems-without-root-cause": (
        "SMS-8.6.3",
        {
            SM + "records/REC-PRB-2026-007.yaml": ("root_cause:", "notes:"),
            SM + "records/REC-PRB-2026-003.yaml": ("root_cause:", "notes:"),
        },
        ["REC-PRB-2026-007", "lacks the root cause found", "vocabulary: problem: cause"],
    ),
    "SMS-8.5.3-release-without-acceptance-criteria": (
        "SMS-8.5.3",
        {SM + "records/REC-REL-2026-05.yaml": ("acceptance_criteria:", "notes:")},
        ["REC-REL-2026-05", "lacks the acceptance criteria"],
    ),
    "SMS-9.3-review-without-customer-satisfaction": (
        "SMS-9.3",
        {SM + "records/REC-MR-2026-04.yaml": (
            "  - topic: customer_satisfaction\n    summary: >-\n"
            "      Ticket CSAT 4.6 (Q1 2026). 2025 annual survey 7.9; action plan for the 9 detractors\n"
            "      complete. Two complaints in Q1, both closed within 20 working days.\n",
            "",
        )},
        ["inputs: no mention of customer satisfaction and feedback"],
    ),
}


@pytest.mark.parametrize("case", sorted(AUDITOR_CASES))
def test_rule_checks_what_an_auditor_looks_for(case: str, sample_results: dict[str, Result], tmp_path: Path) -> None:
    rule_id, edits, words = AUDITOR_CASES[case]
    assert sample_results[rule_id].status == "pass"
    repo = tmp_path / "org"
    shutil.copytree(SAMPLE_ORG, repo)
    for rel, edit in edits.items():
        path = repo / rel
        if edit is None:
            path.unlink()
            continue
        old, new = edit
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{rel} no longer contains {old!r}: update the case"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    result = _evaluate(repo)[rule_id]
    assert (result.status, result.severity) == ("fail", "minor"), "evidence present but defective or lapsed"
    for word in words:
        assert word in result.message, result.message
