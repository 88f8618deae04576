"""The data that ships with imscheck is valid: every run trusts it, so this is where it is checked.

Shipped rules, catalogues, built-in rule metadata and the vocabulary are read without schema
validation on each run (a pre-commit hook pays for every millisecond); an organisation's own rule
folders are still validated when they load (test_rule_language.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import List, Tuple

import pytest

from conftest import REPO_ROOT
from imscheck.api import catalogues
from imscheck.resources import is_shipped, rules_dir
from imscheck.rules import _parse_rule_file, load_pack
from imscheck.schemas import load_setup_file
from imscheck.standards import load_catalogue
from imscheck.vocabulary import load_vocabulary, shipped_vocabulary

RULES = REPO_ROOT / "rules"


def _shipped_files() -> List[Tuple[Path, str]]:
    files = [(p, "pack" if p.name == "pack.yaml" else "rule") for p in sorted(RULES.glob("packs/*/*.yaml"))]
    files += [(p, "catalogue") for p in sorted(RULES.glob("catalogues/*.yaml"))]
    files += [(RULES / name, "hygiene") for name in ("hygiene.yaml", "git.yaml", "waivers.yaml")]
    files.append((RULES / "vocabulary.yaml", "vocabulary"))
    return files


@pytest.mark.parametrize("path, schema", _shipped_files(), ids=lambda v: v.name if isinstance(v, Path) else v)
def test_shipped_file_is_valid_and_reads_the_same_both_ways(path: Path, schema: str) -> None:
    assert is_shipped(path)
    # validated as an organisation's own file would be: schema, duplicate keys, limits
    assert load_setup_file(path, schema, validate=True) == load_setup_file(path, schema, validate=False)


def test_shipped_rules_and_vocabulary_build_the_same_validated_or_not() -> None:
    known = catalogues()
    for directory in sorted(RULES.glob("packs/*")):
        pack = load_pack(rules_dir(), load_setup_file(directory / "pack.yaml", "pack")["target"], known)
        target, base = known.require(pack.target, "test"), known.require(pack.base, "test")
        for path in sorted(directory.glob("*.yaml")):
            if path.name == "pack.yaml":
                continue
            fast = _parse_rule_file(path, target, base, known, shipped_vocabulary(), validate=False)
            checked = _parse_rule_file(path, target, base, known, shipped_vocabulary(), validate=True)
            assert fast == checked, path
    for path in sorted(RULES.glob("catalogues/*.yaml")):
        assert load_catalogue(path, validate=True) == load_catalogue(path, validate=False)
    assert load_vocabulary(rules_dir(), validate=True) == shipped_vocabulary()


def test_a_folder_outside_the_installation_is_not_trusted(tmp_path: Path) -> None:
    assert not is_shipped(tmp_path / "rules.yaml")


def test_every_name_and_phrase_of_the_vocabulary_can_match() -> None:
    from imscheck.vocabulary import meaningless_entries

    assert meaningless_entries(shipped_vocabulary()) == []
