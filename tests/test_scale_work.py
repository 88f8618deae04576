"""Work that must not grow faster than the repository: counted on generated repositories, never timed.

- reference targets and every other selection are computed once per check, however many
  documents the check judges (the same count at 200 documents as at 400);
- line numbers are found only for documents a finding points into (lazily), not for every one;
- the quick document-schema test agrees with jsonschema: never "valid" where jsonschema finds an
  error, and "valid" for the sound documents, so jsonschema runs only for documents that fail.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from conftest import SAMPLE_ORG, load_generator, run_cli
from hypothesis import given, settings
from hypothesis import strategies as st

from imscheck.api import Settings, builtin_rules, catalogues, resolve_pack
from imscheck.config import load_config
from imscheck.documents import load_corpus
from imscheck.evaluation.engine import evaluate_pack
from imscheck.evaluation.index import Index
from imscheck.evaluation.lookups import Lookups
from imscheck.hygiene import inspect
from imscheck.quickschema import certainly_valid, in_step
from imscheck.schemas import errors, jsonable
from imscheck.sources import WorkTree
from imscheck.vocabulary import shipped_vocabulary
from imscheck.yamlparse import LazyLines, Limits, ParseError, parse_yaml


def _generator() -> ModuleType:
    return load_generator()


@pytest.fixture(scope="module")
def repos(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    generator = _generator()
    made = {}
    for size in (200, 400):
        repo = tmp_path_factory.mktemp(f"gen{size}") / "repo"
        generator.generate(repo, size, seed=3, second_commit=False)
        made[size] = repo
    return made


def _evaluate(repo: Path) -> tuple[Index, Any, list]:
    """What ``imscheck check`` does, step by step, keeping the index to count its work."""
    source = WorkTree(repo, True)
    config = load_config(source)
    known = catalogues()
    pack = resolve_pack(Settings(repo=repo), config, known)
    day = config.as_of or dt.date.today()
    corpus = load_corpus(source, config.include, config.exclude, config.limits)
    inspection = inspect(corpus, known, day)
    index = Index(corpus.documents, inspection.defective, day, inspection.services)
    vocabulary = shipped_vocabulary().with_names(config.vocabulary)
    results = evaluate_pack(pack, builtin_rules()["hygiene.yaml"], inspection, Lookups(index, day, config.overrides, vocabulary))
    return index, corpus, results


def test_selections_do_not_grow_with_the_documents(repos: dict[int, Path]) -> None:
    small, _, small_results = _evaluate(repos[200])
    large, _, large_results = _evaluate(repos[400])
    assert small.selections > 0
    # once per (selector, targets) of the pack: reference checks no longer select per candidate
    assert large.selections == small.selections
    checks = sum(len(r.checks) or 1 for r in resolve_pack(Settings(repo=repos[200]), load_config(WorkTree(repos[200], True)), catalogues()).rules)
    references = sum(len(c.references) for r in resolve_pack(Settings(repo=repos[200]), load_config(WorkTree(repos[200], True)), catalogues()).rules for c in r.checks)
    assert small.selections <= 2 * checks + references
    assert len(small_results) == len(large_results)


def test_lines_are_found_only_for_documents_with_findings(repos: dict[int, Path]) -> None:
    _, corpus, results = _evaluate(repos[400])
    lazy = [d for d in corpus.documents if isinstance(d.field_lines, LazyLines)]
    assert len(lazy) > 0.9 * len(corpus.documents)  # sound YAML documents take the lazy path
    composed = {d.path for d in lazy if d.field_lines.computed}
    pointed = {loc.path for r in results for loc in r.locations}
    assert composed <= pointed
    assert len(composed) < 0.1 * len(corpus.documents)


def test_lazy_lines_equal_the_full_walk() -> None:
    text = textwrap.dedent("""\
        id: X-1
        title: T
        nested:
          a: 1
          b: [1, {c: 2}]
        list:
          - x
          - {y: [3, 4]}
        """)
    lazy = parse_yaml(text, Limits(), first_line=5)
    assert isinstance(lazy.lines, LazyLines) and not lazy.lines.computed
    # a repeated key takes the full walk: its lines are the reference
    full = parse_yaml(text + "title: again\n", Limits(), first_line=5)
    assert not isinstance(full.lines, LazyLines)
    expected = {k: v for k, v in full.lines.items()}
    assert dict(lazy.lines) == {k: v for k, v in expected.items() if k != ("title",)} | {("title",): 6}
    assert lazy.lines.computed
    assert lazy.data == {"id": "X-1", "title": "T", "nested": {"a": 1, "b": [1, {"c": 2}]}, "list": ["x", {"y": [3, 4]}]}


@pytest.mark.parametrize("text, limits, message", [
    ("a: [[[[1]]]]\n", Limits(max_depth=4), "nested more than 4 levels deep"),
    ("a: [[[1]]]\n", Limits(max_depth=4), None),
    ("a: [1, 2, 3, 4]\nb: 5\n", Limits(max_nodes=7), None),
    ("a: [1, 2, 3, 4]\nb: 5\nc: 6\n", Limits(max_nodes=7), "expands to more than 7 values"),
    ("a: &x [1, 2, 3]\nb: *x\nc: *x\n", Limits(max_nodes=12), "expands to more than 12 values"),
    ("a: &x [1, 2, 3]\nb: *x\n", Limits(max_nodes=12), None),
])
def test_limits_hold_on_the_quick_path(text: str, limits: Limits, message: Any) -> None:
    if message is None:
        parse_yaml(text, limits)
    else:
        with pytest.raises(ParseError, match=message):
            parse_yaml(text, limits)


def test_duplicate_keys_are_found_at_any_depth() -> None:
    parsed = parse_yaml("id: A\nreview:\n  x: 1\n  y: 2\n  x: 3\n", Limits())
    assert parsed.duplicates == (("review.x", 5),)
    quoted = parse_yaml("id: A\n1: a\n'1': b\n", Limits())  # equal as written, as before
    assert quoted.duplicates == (("1", 3),)


def test_the_quick_schema_test_is_in_step_with_the_shipped_schema() -> None:
    # fails when document.schema.json changes: bring quickschema.py up to date, then its fingerprint
    assert in_step()


def test_sound_documents_skip_jsonschema(repos: dict[int, Path]) -> None:
    for root in (repos[200], SAMPLE_ORG):
        config = load_config(WorkTree(root, True))
        corpus = load_corpus(WorkTree(root, True), config.include, config.exclude, config.limits)
        for doc in corpus.documents:
            assert certainly_valid(doc.meta) == (not errors(jsonable(dict(doc.meta)), "document")), doc.path


_DATES = st.sampled_from(["2026-01-05", dt.date(2026, 1, 5), dt.datetime(2026, 1, 5, 10, 0), "2026/01/05", "2026-1-5", "2026-01-05\n", 20260105, None, ""])
_IDS = st.sampled_from(["REC-1", "a.b_c-d", "-x", "has space", "", 7, None, dt.date(2026, 1, 5), "REC-1\n"])
_TEXTS = st.sampled_from(["Owner", "", " ", 1, 1.5, None, True, dt.date(2026, 1, 5), ["x"]])
_MONTHS = st.sampled_from([1, 12, 120, 0, 121, 12.0, 12.5, True, "12", None, -1])


_RECORD = {"id": "REC-INC-1", "title": "Outage", "type": "record", "date": dt.date(2026, 3, 1),
           "services": ["SVC-1"], "related": ["REC-CHG-2"], "severity": "P1"}
_PROCEDURE = {"id": "SMS-PRC-1", "title": "Change", "type": "procedure", "owner": "Head of Service",
              "version": "1.2", "status": "approved", "approved_by": "CEO", "approved_on": dt.date(2026, 1, 5),
              "review": {"last_reviewed": dt.date(2026, 1, 5), "interval_months": 12},
              "addresses": ["iso20000-1:2018/8.5.1"]}
_VALUES: dict[str, Any] = {
    "id": _IDS, "title": _TEXTS, "date": _DATES, "record_of": _IDS, "supersedes": _IDS, "owner": _TEXTS,
    "approved_by": _TEXTS, "approved_on": _DATES, "extra": _TEXTS,
    "type": st.sampled_from(["record", "report", "policy", "procedure", "other", "memo", "", 3, None]),
    "addresses": st.one_of(st.lists(st.sampled_from(["iso20000-1:2018/8.2.1", "iso9001:2015/4", "8.2", 3, None]), max_size=3),
                           st.sampled_from(["iso9001:2015/4", {"a": 1}, None])),
    "related": st.one_of(st.lists(_IDS, max_size=3), _IDS),
    "services": st.one_of(st.lists(_IDS, max_size=3), st.just({"REC-1"})),
    "version": st.sampled_from(["1.0", "", 1.1, None, dt.date(2026, 1, 5)]),
    "status": st.sampled_from(["approved", "draft", "review", "withdrawn", "final", "", None, dt.date(2026, 1, 5)]),
    "review": st.one_of(
        st.fixed_dictionaries({}, optional={"last_reviewed": _DATES, "next_review": _DATES, "interval_months": _MONTHS, "other": _TEXTS}),
        st.sampled_from([None, True, "yearly", ["2026-01-05"]])),
}


@st.composite
def _metas(draw: Any) -> dict[str, Any]:
    """A sound record or procedure with up to three fields changed or removed: near the boundary."""
    meta = dict(draw(st.sampled_from([_RECORD, _PROCEDURE])))
    for key in draw(st.lists(st.sampled_from(sorted(_VALUES)), max_size=3)):
        if draw(st.booleans()):
            meta.pop(key, None)
        else:
            meta[key] = draw(_VALUES[key])
    return meta


@settings(max_examples=600, deadline=None)
@given(_metas())
def test_quick_schema_never_passes_what_jsonschema_fails(meta: dict[str, Any]) -> None:
    found = errors(jsonable(dict(meta)), "document")
    if certainly_valid(meta):
        assert not found, [e.message for e in found]


def test_quick_schema_passes_the_usual_documents() -> None:
    for meta in (_RECORD, _PROCEDURE):
        assert certainly_valid(meta)
        assert not errors(jsonable(meta), "document")


def test_check_output_names_the_same_lines_through_the_cli(repos: dict[int, Path], tmp_path: Path) -> None:
    """A finding on a sound-looking document still carries the line of its field (computed late)."""
    repo = repos[200]
    bad = repo / "service-management" / "records" / "zz-late-line.yaml"
    bad.write_text("id: REC-ZZ-1\ntitle: Late\ntype: record\ndate: 2026-01-02\n\nservices:\n  - SVC-NOPE\n", encoding="utf-8")
    try:
        result = run_cli("check", str(repo), "--format", "json")
        found = [loc for r in result.json()["results"] if r["rule"] == "DOC-SERVICE"
                 for loc in r["locations"] if loc["path"].endswith("zz-late-line.yaml")]
        assert found and found[0]["line"] == 7
    finally:
        bad.unlink()


# Scalars whose meaning YAML 1.1 decides from their spelling: the quick build must give PyYAML's values.
_SPELLINGS = ["yes", "No", "on", "true", "1", "0x1f", "0o17", "017", "1_000", "1:20", "-1.5e3", ".inf", "-.Inf", ".nan",
              "~", "null", "", "2026-01-05", "2026-01-05 10:00:00", "2026-01-05T10:00:00+02:00", "=", "<<", "a: b", "x",
              "'quoted'", "12.10", "0b101", "+12", "1e3", "2026-02-30"]


def _scalar_text() -> Any:
    return st.sampled_from(_SPELLINGS + ["!!str 1", "!!int 7", "!!float 1", "!!binary aGVsbG8=", "!!bool yes", "!!null ''",
                                         '"2026-01-05"', "!!timestamp 2026-01-05"])


@st.composite
def _yaml_texts(draw: Any, depth: int = 0) -> str:
    """A YAML text in flow style, from spellings that resolve to every scalar type (and a few tags)."""
    if depth >= 3 or draw(st.integers(0, 3)) == 0:
        return draw(_scalar_text())
    if draw(st.booleans()):
        items = draw(st.lists(_yaml_texts(depth + 1), max_size=4))
        return "[" + ", ".join(items) + "]"
    keys = draw(st.lists(st.sampled_from([s for s in _SPELLINGS if s not in ("", "a: b")] + ["id", "title", "k1", "k2"]),
                         max_size=4, unique=True))
    return "{" + ", ".join(f"{k}: {draw(_yaml_texts(depth + 1))}" for k in keys) + "}"


def _reference(text: str) -> Any:
    import yaml

    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


@settings(max_examples=500, deadline=None)
@given(_yaml_texts())
def test_quick_build_gives_pyyamls_values(text: str) -> None:
    text = "root: " + text + "\n"
    try:
        expected = _reference(text)
    except Exception:  # noqa: BLE001 - PyYAML refuses it: ours must refuse it too
        with pytest.raises((ParseError, ValueError, OverflowError)):
            parse_yaml(text, Limits())
        return
    try:
        parsed = parse_yaml(text, Limits())
    except ParseError:  # a duplicate-free text PyYAML reads, refused only for a reason of ours (limits)
        raise
    assert repr(parsed.data) == repr(expected)  # repr: True is not 1, and the key order counts


@pytest.mark.parametrize("text", [
    "a: &x {b: 1}\nc: *x\n",  # aliases: the careful path, the same values
    "base: &b {x: 1}\nd:\n  <<: *b\n  y: 2\n",  # a merge key
    "s: !!set {a, b}\no: !!omap [{a: 1}, {b: 2}]\n",  # tags the quick build leaves to PyYAML
    "yes: 1\ntrue: 2\n",  # two spellings of one key: the last value, at the first place
    "=: value\n",
])
def test_unusual_texts_give_pyyamls_values(text: str) -> None:
    assert repr(parse_yaml(text, Limits()).data) == repr(_reference(text))
