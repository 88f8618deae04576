"""One judgment across both editions: where ISO/IEC 20000-1:2018 carried a 2011 requirement over, the
two packs relate it to ISO 9001 the same way, or the 2018 rule says why not.

Read from the raw pack files (tests/packdata.py), so the loader cannot hide a disagreement.
"""

from __future__ import annotations

import pytest
from packdata import RULES, load_raw_pack

PACK_2018 = {r["clause"]: r for r in load_raw_pack(RULES / "packs" / "iso20000-1-2018").rules}
PACK_2011 = {r["clause"]: r for r in load_raw_pack(RULES / "packs" / "iso20000-1-2011").rules}

# 2018 clause -> the 2011 clause whose text it carries over (the service management processes
# kept their substance; the clauses 2018 rewrote in the common management-system text are not here)
CARRIED_OVER: dict[str, str] = {
    "7.1": "4.4.1", "7.2": "4.4.2", "7.5.2": "4.3.2", "7.5.3": "4.3.3",
    "6.3": "4.5.2", "8.2.3": "4.2",
    "8.3.2": "7.1", "8.3.3": "6.1", "8.3.4.1": "7.2",
    "8.4.1": "6.4", "8.4.3": "6.5",
    "8.5.1.2": "9.2", "8.5.1.3": "9.2", "8.5.2.1": "5.2", "8.5.2.2": "5.3", "8.5.2.3": "5.4", "8.5.3": "9.3",
    "8.6.1": "8.1", "8.6.3": "8.2",
    "8.2.6": "9.1",
    "8.7.1": "6.3.1", "8.7.2": "6.3.2", "8.7.3.1": "6.6.1", "8.7.3.2": "6.6.2", "8.7.3.3": "6.6.3",
    "9.4": "6.2",
}
# pairs whose relations differ on purpose: the 2018 rule's justification must name the 2011 clause
DIFFERING: dict[str, str] = {"7.5.4": "4.3.1", "8.5.1.1": "9.2"}


@pytest.mark.parametrize("clause", sorted(CARRIED_OVER))
def test_carried_over_requirements_have_the_same_relation(clause: str) -> None:
    new, old = PACK_2018[clause], PACK_2011[CARRIED_OVER[clause]]
    assert new["relation"]["type"] == old["relation"]["type"], (clause, CARRIED_OVER[clause])


@pytest.mark.parametrize("clause", sorted(DIFFERING))
def test_a_relation_that_differs_says_why(clause: str) -> None:
    new, old = PACK_2018[clause], PACK_2011[DIFFERING[clause]]
    assert new["relation"]["type"] != old["relation"]["type"]
    justification = " ".join(str(new.get("justification", "")).split())
    assert DIFFERING[clause] in justification or "2011" in justification, justification


def test_the_common_management_system_text_is_full() -> None:
    common = ["4.1", "4.2", "4.4", "5.2.1", "5.2.2", "5.3", "6.2.1", "6.2.2", "8.1", "9.1", "10.1"]
    for clause in common:
        rule = PACK_2018[clause]
        assert rule["relation"]["type"] == "full", clause
        assert "adds" not in rule["relation"], f"{clause}: a full relation adds nothing"
        assert str(rule.get("justification", "")).strip(), f"{clause}: the reason for full is written"


def test_corrections_of_the_review() -> None:
    def relation(clause: str) -> tuple:
        rel = PACK_2018[clause]["relation"]
        return rel["type"], tuple(rel.get("base", ()))

    assert relation("7.3") == ("partial", ("7.3",))
    assert relation("8.5.1.1") == ("none", ())
    assert relation("8.5.1.2") == ("partial", ("8.5.6", "8.3.6"))
    assert relation("8.5.1.3") == ("partial", ("8.5.6", "8.3.6"))
    assert relation("7.5.4") == ("partial", ("7.5.1",))
    assert relation("8.2.1") == ("partial", ("8.5.1",))
    assert relation("8.2.6") == ("partial", ("8.5.2",))
    assert relation("8.6.1") == ("partial", ("8.7",))
    assert relation("9.4") == ("partial", ("9.1.3", "7.4"))
    assert relation("7.1") == ("full", ("7.1.1", "7.1.2", "7.1.3"))
    assert relation("8.3.3") == ("partial", ("8.2.2", "8.2.3", "8.2.4"))
    assert relation("8.5.2.1") == ("partial", ("8.3.2", "8.3.3"))
    assert "risks to the services" not in " ".join(PACK_2018["5.1"]["relation"]["adds"].split())
    assert PACK_2011["4.4.2"]["relation"]["type"] == "full"
    full = sum(r["relation"]["type"] == "full" for r in PACK_2018.values())
    assert full >= 19, full


def test_new_requirements_name_the_iso9001_arrangements_they_reuse() -> None:
    for number, clause in (("4.5.4.2", "8.2.2"), ("4.5.4.3", "5.6"), ("4.5.5.2", "8.5.1")):
        assert clause in PACK_2011[number]["relation"].get("neighbours", ()), number
    assert "8.5.6" in PACK_2018["8.5.1.1"]["relation"]["neighbours"]
    for pack in (PACK_2011, PACK_2018):
        for rule in pack.values():
            if rule["relation"].get("neighbours"):
                assert rule["relation"]["type"] == "none", rule["id"]


def test_a_requirement_with_no_evidence_is_major_in_both_packs() -> None:
    for pack in (PACK_2011, PACK_2018):
        assert {r["id"]: r["severity"] for r in pack.values()} == {r["id"]: "major" for r in pack.values()}


def test_the_same_activity_has_one_window_in_both_packs() -> None:
    def windows(pack: dict, clause: str) -> set:
        return {tuple(sorted(c["fresh"].items())) for c in pack[clause].get("evidence", ()) if "fresh" in c}

    assert windows(PACK_2018, "9.4") == windows(PACK_2011, "6.2")  # service reports
    assert windows(PACK_2018, "8.4.3") == windows(PACK_2011, "6.5")  # capacity
    for clause in ("9.2", "9.3", "8.7.2", "8.3.4.1"):  # annual cycles: 12 months and a month's grace
        assert ("grace_months", 1) in {kv for w in windows(PACK_2018, clause) for kv in w}, clause
        assert ("within_months", 12) in {kv for w in windows(PACK_2018, clause) for kv in w}, clause
