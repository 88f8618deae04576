"""What the integration guide must show, worked out from the raw rule and catalogue YAML (packdata),
not from imscheck's loader or guide model, so a bug there cannot hide behind itself; and a user
rule folder that exercises neighbours and parent gathering whatever the shipped packs hold."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docbuilder import rule_file
from packdata import RawPack, catalogue_clauses, requirement_clauses


def norm(text: str) -> str:
    """Folded YAML as one line, the way a reader sees it."""
    return " ".join(str(text).split())


def summaries(key: str) -> dict[str, str]:
    return {c["number"]: norm(c["summary"]) for c in catalogue_clauses(key)}


def titles(key: str) -> dict[str, str]:
    return {c["number"]: c.get("title") or "" for c in catalogue_clauses(key)}


@dataclass
class Expected:
    """One base clause's entry: rule ids named directly, and those gathered from sub-clauses
    (rule id -> the sub-clauses that carry it), for credit (base) and for reuse (neighbours)."""

    direct: list[str] = field(default_factory=list)
    through: dict[str, list[str]] = field(default_factory=dict)
    reused: dict[str, list[str]] = field(default_factory=dict)  # [] = names this clause itself


def expected_entries(pack: RawPack) -> dict[str, Expected]:
    """Per base clause (catalogue order): what its entry in the guide lists."""
    numbers = requirement_clauses(pack.base)
    out: dict[str, Expected] = {}
    for number in numbers:
        below = [n for n in numbers if n.startswith(number + ".")]
        entry = Expected()
        for rule in pack.rules:
            relation = rule["relation"]
            base, neighbours = relation.get("base", []), relation.get("neighbours", [])
            if number in base:
                entry.direct.append(rule["id"])
            elif any(n in base for n in below):
                entry.through[rule["id"]] = [n for n in below if n in base]
            if number in neighbours:
                entry.reused[rule["id"]] = []
            elif any(n in neighbours for n in below):
                entry.reused[rule["id"]] = [n for n in below if n in neighbours]
        out[number] = entry
    return out


def rules_by_id(pack: RawPack) -> dict[str, Mapping[str, Any]]:
    return {r["id"]: r for r in pack.rules}


def new_rules(pack: RawPack) -> list[Mapping[str, Any]]:
    return [r for r in pack.rules if r["relation"]["type"] == "none"]


def partial_examples(pack: RawPack) -> list[tuple[str, Mapping[str, Any]]]:
    """(base clause, rule) for every partial rule and each base clause it names."""
    return [(b, r) for r in pack.rules if r["relation"]["type"] == "partial" for b in r["relation"]["base"]]


# A user rule folder for the 2018 pack: a new requirement naming a parent and one of its
# sub-clauses as neighbours (the parent's entry must list it once), and a partial one based on two
# sibling sub-clauses (their parent gathers it once, through both).
USER_NEW = {
    "id": "T-GUIDE-NEW",
    "clause": "8.7.3.3",
    "severity": "minor",
    "relation": {"type": "none", "neighbours": ["9.2", "9.2.2", "10.2"]},
    "justification": "No ISO 9001 clause asks for <this>; T-GUIDE-NEW justification.",
    "evidence": [{"select": {"addresses": "self"}}],
    "guidance": "Run it through the <b>audit</b> programme & review; T-GUIDE-NEW guidance.",
}
USER_PARTIAL = {
    "id": "T-GUIDE-PARTIAL",
    "clause": "8.7.3.3",
    "severity": "minor",
    "relation": {"type": "partial", "base": ["9.2.1", "9.2.2"], "adds": "T-GUIDE-PARTIAL adds"},
    "evidence": [{"select": {"addresses": "self"}}],
    "guidance": "T-GUIDE-PARTIAL guidance.",
}


def write_user_rules(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "guide.yaml").write_text(rule_file([USER_NEW, USER_PARTIAL]), encoding="utf-8")
    return folder
