"""Consistency of every rule pack under rules/packs: coverage of the target's requirements and
relation data that only names clauses that exist. Generic over packs, so a pack added (or
completed) later is held to the same standard without touching this file."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from packdata import RawPack, catalogue_clauses, load_raw_pack, pack_dirs, requirement_clauses, requirement_leaves

PACKS = pack_dirs()


def test_both_editions_have_a_pack() -> None:
    targets = {load_raw_pack(d).target for d in PACKS}
    assert {"iso20000-1:2011", "iso20000-1:2018"} <= targets


def _justified(rule: dict) -> bool:
    return bool(str(rule.get("justification", "")).strip())


@pytest.mark.parametrize("directory", PACKS, ids=[d.name for d in PACKS])
def test_every_requirement_leaf_has_exactly_one_rule(directory: Path) -> None:
    pack = load_raw_pack(directory)
    per_clause = Counter(rule["clause"] for rule in pack.rules)
    leaves = requirement_leaves(pack.target)
    missing = [n for n in leaves if per_clause[n] == 0]
    doubled = sorted(n for n, count in per_clause.items() if count > 1)
    assert not missing, f"{pack.target}: {len(missing)} requirement(s) without a rule: {', '.join(missing)}"
    assert not doubled, f"{pack.target}: more than one rule for {', '.join(doubled)}"
    # A rule on a clause that is not a requirement leaf is allowed only with a stated reason.
    unjustified = [r["id"] for r in pack.rules if r["clause"] not in leaves and not _justified(r)]
    assert not unjustified, f"rules on non-leaf clauses without a justification: {unjustified}"


@pytest.mark.parametrize("directory", PACKS, ids=[d.name for d in PACKS])
def test_relation_data_names_only_clauses_that_exist(directory: Path) -> None:
    pack: RawPack = load_raw_pack(directory)
    target = set(requirement_clauses(pack.target))
    base = {c["number"] for c in catalogue_clauses(pack.base)}
    problems: list[str] = []
    for rule in pack.rules:
        relation = rule["relation"]
        if rule["clause"] not in target:
            problems.append(f"{rule['id']}: clause {rule['clause']} is not a requirement clause of {pack.target}")
        for number in relation.get("base", []):
            if number not in base:
                problems.append(f"{rule['id']}: base {number} is not a clause of {pack.base}")
        if relation["type"] == "none" and relation.get("base"):
            problems.append(f"{rule['id']}: relation none must not name base clauses")
        if relation["type"] != "none" and not relation.get("base"):
            problems.append(f"{rule['id']}: a {relation['type']} relation must name its base clauses")
        if relation["type"] == "partial" and not str(relation.get("adds", "")).strip():
            problems.append(f"{rule['id']}: a partial relation must say what it adds")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("directory", PACKS, ids=[d.name for d in PACKS])
def test_rule_ids_are_unique_and_name_their_clause(directory: Path) -> None:
    pack = load_raw_pack(directory)
    ids = Counter(rule["id"] for rule in pack.rules)
    assert [i for i, n in ids.items() if n > 1] == []
    assert all(rule["id"].endswith("-" + rule["clause"]) for rule in pack.rules)
