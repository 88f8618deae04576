"""Independent readers of the shipped rule packs and catalogues, straight from their YAML files.

Tests compare imscheck's output with what these plain readers find, so a bug in the loader or
the guide cannot hide behind itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

REPO_ROOT = Path(__file__).resolve().parents[1]
RULES = REPO_ROOT / "rules"


@dataclass(frozen=True)
class RawPack:
    target: str
    base: str
    directory: Path
    rules: tuple[dict[str, Any], ...]


def _catalogue_file(key: str) -> Path:
    standard, edition = key.split(":")
    return RULES / "catalogues" / f"{standard}-{edition}.yaml"


def catalogue_clauses(key: str) -> list[dict[str, Any]]:
    """The clause entries of edition ``key`` (iso9001:2008), in file order."""
    return yaml.safe_load(_catalogue_file(key).read_text(encoding="utf-8"))["clauses"]


def requirement_clauses(key: str) -> list[str]:
    """Clause numbers of the requirement clauses (4-10, or as the catalogue says), parents included."""
    data = yaml.safe_load(_catalogue_file(key).read_text(encoding="utf-8"))
    tops = set(data["requirement_clauses"])
    return [c["number"] for c in data["clauses"] if c["number"].split(".")[0] in tops]


def requirement_leaves(key: str) -> list[str]:
    numbers = requirement_clauses(key)
    parents = {n.rsplit(".", 1)[0] for n in numbers if "." in n}
    return [n for n in numbers if n not in parents]


def pack_dirs() -> list[Path]:
    return sorted(p.parent for p in (RULES / "packs").glob("*/pack.yaml"))


def load_raw_pack(directory: Path) -> RawPack:
    manifest = yaml.safe_load((directory / "pack.yaml").read_text(encoding="utf-8"))
    rules: list[dict[str, Any]] = []
    for path in sorted(directory.glob("*.yaml")):
        if path.name != "pack.yaml" and not path.name.endswith(".cases.yaml"):  # test cases, not rules
            rules.extend(yaml.safe_load(path.read_text(encoding="utf-8"))["rules"])
    return RawPack(manifest["target"], manifest["base"], directory, tuple(rules))


def relation_counts(pack: RawPack) -> dict[str, int]:
    counts = {"full": 0, "partial": 0, "none": 0}
    for rule in pack.rules:
        counts[rule["relation"]["type"]] += 1
    return counts
