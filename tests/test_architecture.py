"""The structure a newcomer relies on: no import cycles, one registry of built-in rule ids, and
results that say which kind of rule produced them."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import yaml
from conftest import REPO_ROOT

from imscheck.api import Settings, builtin_rules, check
from imscheck.errors import ImscheckError
from imscheck.resources import rules_dir
from imscheck.ruleids import BUILTIN, GIT_VERSION, HYGIENE_FILE
from imscheck.rules import load_builtin_rules
from imscheck.terms import GIT, KINDS, REQUIREMENT

PACKAGE = REPO_ROOT / "src" / "imscheck"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, modules: set[str]) -> set[str]:
    """The imscheck modules ``path`` imports anywhere (lazy and type-checking imports count too)."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return {m for m in found if m in modules and m != name}


def import_graph() -> dict[str, set[str]]:
    paths = sorted(PACKAGE.rglob("*.py"))
    modules = {_module_name(p) for p in paths}
    return {_module_name(p): _imports(p, modules) for p in paths}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, edges = work[-1]
            for nxt in edges:
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(graph[nxt]))))
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return found


def test_the_package_has_no_import_cycles() -> None:
    graph = import_graph()
    assert len(graph) > 40  # the walk found the package
    assert cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_the_registry_names_exactly_the_ids_of_the_metadata_files() -> None:
    for name, (_, produced) in BUILTIN.items():
        data = yaml.safe_load((REPO_ROOT / "rules" / name).read_text(encoding="utf-8"))
        assert {rule["id"] for rule in data["rules"]} == produced, name


def _rewritten_hygiene(tmp_path: Path, change) -> Path:  # type: ignore[no-untyped-def]
    folder = tmp_path / "rules"
    folder.mkdir()
    data = yaml.safe_load((rules_dir() / HYGIENE_FILE).read_text(encoding="utf-8"))
    change(data["rules"])
    (folder / HYGIENE_FILE).write_text(yaml.safe_dump(data), encoding="utf-8")
    return folder


def test_metadata_lacking_an_id_the_code_produces_is_refused(tmp_path: Path) -> None:
    folder = _rewritten_hygiene(tmp_path, lambda rules: rules.pop())
    with pytest.raises(ImscheckError, match=r"lacks DOC-\w+, which imscheck produces"):
        load_builtin_rules(folder, HYGIENE_FILE)


def test_metadata_naming_an_id_the_code_never_produces_is_refused(tmp_path: Path) -> None:
    def mistype(rules: list[dict[str, str]]) -> None:
        rules[0]["id"] = "DOC-PARSED"

    folder = _rewritten_hygiene(tmp_path, mistype)
    with pytest.raises(ImscheckError, match="names DOC-PARSED, which imscheck does not produce"):
        load_builtin_rules(folder, HYGIENE_FILE)


def test_no_module_spells_a_built_in_rule_id_but_the_registry() -> None:
    ids = set().union(*(produced for _, produced in BUILTIN.values()))
    spelled = []
    for path in PACKAGE.rglob("*.py"):
        if path.name == "ruleids.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and node.value in ids:
                spelled.append(f"{path.name}:{node.lineno} {node.value}")
    assert spelled == []


def test_every_result_carries_the_kind_of_rule_that_produced_it(sample_copy: Path) -> None:
    policy = sample_copy / "quality" / "QMS-POL-001-quality-policy.md"
    policy.write_text(policy.read_text(encoding="utf-8") + "\nA sentence added without a new version.\n", encoding="utf-8")
    run = check(Settings(repo=sample_copy, changed_since="HEAD"))
    kind_of = {rule: kind for kind, produced in BUILTIN.values() for rule in produced}
    for result in run.results:
        assert result.kind == kind_of.get(result.rule, REQUIREMENT), result.rule
        assert result.is_requirement == (result.clause is not None)
    assert {r.kind for r in run.results} == set(KINDS)  # compared with git: every family ran
    assert [r.kind for r in run.results if r.rule == GIT_VERSION and r.failing] == [GIT]
    assert set(builtin_rules()) == set(BUILTIN)


def test_every_report_format_is_held_to_the_reporter_protocol() -> None:
    """mypy checks the modules named in reports/conformance.py: a format missing there goes unchecked."""
    from imscheck.reports import REPORTER_BY_NAME, conformance

    assert {module.__name__ for module in conformance.CHECKED} == set(REPORTER_BY_NAME.values())
