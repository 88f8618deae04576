"""Proof per rule of the ISO/IEC 20000-1:2011 pack, on sample-org-2011.

For every rule: it passes on the sample; in a temporary copy without the documents its passing
result cites, it fails and says what is missing. For full relations, a repository holding only
the ISO 9001 documents passes it, and the result names the 9001 credit. Evaluated through the
library (imscheck.api.check) to keep 2 x 39 evaluations fast.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Dict

import pytest

from conftest import REPO_ROOT, run_cli
from imscheck.api import Settings, catalogues, check
from imscheck.resources import rules_dir
from imscheck.results import Result
from imscheck.rules import Rule, load_pack

SAMPLE = REPO_ROOT / "sample-org-2011"
PACK = load_pack(rules_dir(), "iso20000-1:2011", catalogues())
RULES = {rule.id: rule for rule in PACK.rules}
_ITSM_ADDRESS = re.compile(r"^\s*- iso20000-1:2011/[\d.]+\s*$")
FULL = [rule.id for rule in PACK.rules if rule.relation.type == "full"]


def _results(repo: Path) -> Dict[str, Result]:
    run = check(Settings(repo=repo))
    assert run.standard == "iso20000-1:2011" and run.base == "iso9001:2008"
    return {r.rule: r for r in run.results if r.is_requirement}


@pytest.fixture(scope="module")
def sample_results() -> Dict[str, Result]:
    return _results(SAMPLE)


def test_sample_org_2011_passes_the_whole_pack_from_the_command_line() -> None:
    result = run_cli("check", str(SAMPLE), "--format", "json")
    assert result.exit_code == 0, result.stdout
    report = result.json()
    assert report["standard"] == "iso20000-1:2011" and report["as_of"] == "2015-06-30"
    requirements = [r for r in report["results"] if r["clause"] is not None]
    assert sorted(r["rule"] for r in requirements) == sorted(RULES)
    assert [r["rule"] for r in report["results"] if r["status"] != "pass"] == []


@pytest.mark.parametrize("rule_id", list(RULES))
def test_rule_passes_on_the_sample(rule_id: str, sample_results: Dict[str, Result]) -> None:
    result = sample_results[rule_id]
    assert result.status == "pass", result.message
    assert result.evidence, "a passing result must cite its evidence"


def _copy_without(paths: set, tmp_path: Path) -> Path:
    copy = tmp_path / "repo"
    shutil.copytree(SAMPLE, copy)
    for rel in paths:
        (copy / rel).unlink()
    return copy


def _check_failure_message(rule: Rule, result: Result) -> None:
    base = [f"{rule.base}/{n}" for n in rule.relation.base]
    if rule.relation.type == "partial":
        assert result.missing == ("base", "extension")
        assert "ISO 9001 half missing" in result.message
        assert "IT service management extension missing" in result.message
        assert all(ref in result.message for ref in base)
    elif rule.relation.type == "full":
        assert result.missing == ("extension",)
        assert f"fully covered by ISO 9001 {', '.join(rule.relation.base)}" in result.message
    else:
        assert result.missing == ("extension",)
    # Every check that asks for evidence names what it expected.
    for check_ in rule.checks:
        if not check_.none:
            assert check_.expect and check_.expect in result.message, check_.expect


@pytest.mark.parametrize("rule_id", list(RULES))
def test_rule_fails_without_the_evidence_it_cites(rule_id: str, sample_results: Dict[str, Result], tmp_path: Path) -> None:
    cited = {e.path for e in sample_results[rule_id].evidence}
    assert cited
    result = _results(_copy_without(cited, tmp_path))[rule_id]
    assert result.status == "fail"
    _check_failure_message(RULES[rule_id], result)
    # the finding points somewhere a user can go
    assert result.guidance == RULES[rule_id].guidance


@pytest.mark.parametrize("rule_id", FULL)
def test_full_rule_is_met_by_the_9001_documents_alone(rule_id: str, sample_results: Dict[str, Result], tmp_path: Path) -> None:
    rule = RULES[rule_id]
    evidence = sample_results[rule_id].evidence
    # In the sample the credit comes from the 9001 system, as the relation promises.
    assert all(e.via and e.via.startswith("iso9001:2008/") for e in evidence)
    repo = tmp_path / "only-9001"
    repo.mkdir()
    shutil.copy(SAMPLE / "imscheck.yaml", repo / "imscheck.yaml")
    for item in evidence:
        # Keep the 9001 document but drop any 20000-1 reference it also carries: a pure QMS document.
        lines = (SAMPLE / item.path).read_text(encoding="utf-8").splitlines(keepends=True)
        kept = [line for line in lines if not _ITSM_ADDRESS.match(line)]
        assert len(kept) < len(lines) or not any("iso20000-1" in line for line in lines)
        (repo / item.path).parent.mkdir(parents=True, exist_ok=True)
        (repo / item.path).write_text("".join(kept), encoding="utf-8")
    docs = [p for p in repo.rglob("*") if p.is_file() and p.name != "imscheck.yaml"]
    assert docs and all("iso20000-1" not in p.read_text(encoding="utf-8") for p in docs)
    result = _results(repo)[rule_id]
    assert result.status == "pass", result.message
    assert result.message.startswith("Met by existing ISO 9001 evidence")
    assert {(e.document, e.via) for e in result.evidence} == {(e.document, e.via) for e in evidence}
    assert {e.via for e in result.evidence} <= {f"iso9001:2008/{n}" for n in rule.relation.base}


def test_every_full_relation_of_the_pack_is_proven() -> None:
    # The paper's worked example is among them; a pack without full relations would prove nothing.
    assert "ITSM11-4.3.1" in FULL and len(FULL) >= 4
