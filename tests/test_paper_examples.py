"""The founding paper's worked examples hold in the 2011 pack and in the guide built from it."""

from __future__ import annotations

import re

import pytest
from conftest import run_cli

from imscheck.api import catalogues
from imscheck.resources import rules_dir
from imscheck.rules import Pack, load_pack


@pytest.fixture(scope="module")
def pack() -> Pack:
    return load_pack(rules_dir(), "iso20000-1:2011", catalogues())


def test_the_2011_pack_is_based_on_9001_2008(pack: Pack) -> None:
    assert (pack.target, pack.base) == ("iso20000-1:2011", "iso9001:2008")


def test_4_3_1_is_fully_covered_by_9001_4_2_1(pack: Pack) -> None:
    rule = pack.get("ITSM11-4.3.1")
    assert rule is not None and rule.clause == "4.3.1"
    assert rule.relation.type == "full"
    assert rule.relation.base == ("4.2.1",)


def test_4_1_1_extends_9001_5_1_with_items_b_c_and_g(pack: Pack) -> None:
    rule = pack.get("ITSM11-4.1.1")
    assert rule is not None
    assert rule.relation.type == "partial"
    assert rule.relation.base == ("5.1",)
    adds = " ".join((rule.relation.adds or "").lower().split())
    assert "service management plan" in adds  # item b
    assert "service requirements matters" in adds  # item c: why fulfilling them matters
    assert "risks to the services" in adds  # item g


def test_4_5_1_to_4_5_5_have_no_9001_counterpart(pack: Pack) -> None:
    pdca = [r for r in pack.rules if r.clause == "4.5" or r.clause.startswith("4.5.")]
    # 4.5.1, 4.5.2, 4.5.3 and the sub-clauses of 4.5.4 (3) and 4.5.5 (2)
    assert sorted(r.clause for r in pdca) == ["4.5.1", "4.5.2", "4.5.3", "4.5.4.1", "4.5.4.2", "4.5.4.3", "4.5.5.1", "4.5.5.2"]
    assert {r.id: r.relation.type for r in pdca} == {r.id: "none" for r in pdca}
    assert all(r.relation.base == () for r in pdca)


def test_internal_audit_decision_is_justified(pack: Pack) -> None:
    rule = pack.get("ITSM11-4.5.4.2")
    assert rule is not None and rule.relation.type == "none"
    assert rule.justification and "8.2.2" in rule.justification


def _guide_2011() -> str:
    result = run_cli("guide", "--target", "iso20000-1:2011", "--base", "iso9001:2008")
    assert result.exit_code == 0, result.stderr
    return result.stdout


def _section_of(markdown: str, number: str) -> str:
    """The text under the heading of base clause ``number`` up to the next heading."""
    match = re.search(rf"^#+ {re.escape(number)} .*?$(.*?)(?=^#)", markdown, re.M | re.S)
    assert match, f"no heading for {number}"
    return match.group(1)


def test_guide_shows_the_paper_examples_under_their_9001_clauses() -> None:
    guide = _guide_2011()
    under_4_2_1 = _section_of(guide, "4.2.1")
    assert "Relation: full (F)" in under_4_2_1
    assert "4.3.1 Establish and maintain documents (F" in under_4_2_1
    under_5_1 = _section_of(guide, "5.1")
    assert "Relation: partial (P)" in under_5_1
    assert "4.1.1 Management commitment (P" in under_5_1
    assert "service management plan" in under_5_1


def test_guide_lists_4_5_requirements_as_new() -> None:
    guide = _guide_2011()
    new = guide.split("requirements with no ISO 9001:2008 counterpart", 1)[1]
    for number in ("4.5.1", "4.5.2", "4.5.3", "4.5.4.1", "4.5.4.2", "4.5.4.3", "4.5.5.1", "4.5.5.2"):
        assert re.search(rf"^\| {re.escape(number)} \|", new, re.M), number
