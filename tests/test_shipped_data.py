"""The data that ships with imscheck is valid: every run trusts it, so this is where it is checked.

Shipped rules, catalogues, built-in rule metadata and the vocabulary are read without schema
validation on each run (a pre-commit hook pays for every millisecond); an organisation's own rule
folders are still validated when they load (test_rule_language.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import REPO_ROOT

from imscheck.api import catalogues
from imscheck.resources import is_shipped, rules_dir
from imscheck.rules import _parse_rule_file, load_pack
from imscheck.schemas import load_setup_file
from imscheck.standards import load_catalogue
from imscheck.vocabulary import load_vocabulary, shipped_vocabulary

RULES = REPO_ROOT / "rules"


def _shipped_files() -> list[tuple[Path, str]]:
    # *.cases.yaml beside the rules are test cases, loaded and run by test_rule_cases.py
    files = [(p, "pack" if p.name == "pack.yaml" else "rule") for p in sorted(RULES.glob("packs/*/*.yaml")) if not p.name.endswith(".cases.yaml")]
    files += [(p, "catalogue") for p in sorted(RULES.glob("catalogues/*.yaml"))]
    files += [(RULES / name, "builtin") for name in ("hygiene.yaml", "git.yaml", "configuration.yaml")]
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
            if path.name == "pack.yaml" or path.name.endswith(".cases.yaml"):
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


def test_flattened_schemas_judge_exactly_as_the_originals() -> None:
    from jsonschema import Draft202012Validator

    from imscheck.documents import load_corpus
    from imscheck.schemas import inline_refs, jsonable, schema
    from imscheck.yamlparse import Limits

    corpus = load_corpus(REPO_ROOT / "sample-org", (), (), Limits(), use_git=False)
    broken = [{"id": 1, "type": "policy"}, {"id": "X", "title": "t", "type": "policy", "status": "final"}, {}]
    instances = [jsonable(dict(d.meta)) for d in corpus.documents] + broken
    plain, flat = Draft202012Validator(schema("document")), Draft202012Validator(inline_refs(schema("document")))
    for instance in instances:
        assert sorted(e.message for e in plain.iter_errors(instance)) == sorted(e.message for e in flat.iter_errors(instance))
    # a recursive schema is left recursive, not expanded forever
    tree = {"$defs": {"node": {"type": "object", "properties": {"kids": {"type": "array", "items": {"$ref": "#/$defs/node"}}}}},
            "$ref": "#/$defs/node"}
    flat_tree = Draft202012Validator(inline_refs(tree))
    assert flat_tree.is_valid({"kids": [{"kids": []}]}) and not flat_tree.is_valid({"kids": [{"kids": 3}]})


def test_the_data_cache_serves_a_copy_of_this_very_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from imscheck.datacache import cached

    monkeypatch.setenv("IMSCHECK_CACHE_DIR", str(tmp_path / "cache"))
    source = tmp_path / "data.yaml"
    source.write_text("a: 1\n")
    calls: list[str] = []

    def parse() -> dict:
        calls.append(source.read_text())
        return {"text": source.read_text()}

    assert cached(source, parse) == cached(source, parse) == {"text": "a: 1\n"}
    assert len(calls) == 1, "the second read comes from the cache"
    source.write_text("a: 22\n")  # size and time change: the copy no longer matches
    assert cached(source, parse) == {"text": "a: 22\n"} and len(calls) == 2
    monkeypatch.setenv("IMSCHECK_CACHE_DIR", "")  # switched off
    assert cached(source, parse) == {"text": "a: 22\n"} and len(calls) == 3
    blocked = tmp_path / "blocked"
    blocked.write_text("not a folder")
    monkeypatch.setenv("IMSCHECK_CACHE_DIR", str(blocked))  # cannot be written: parse each time, no error
    assert cached(source, parse) == {"text": "a: 22\n"} and len(calls) == 4
