"""Hostile input to the parsers and the arithmetic: no repository can hang imscheck or crash it.

Each row is one crafted input from issue 10 (items 6, 8, 9 and 10), run through the command line
on a temporary git repository: the exit code, the finding (rule, path, line) it must give, and
no traceback. Inputs that once hung run in a subprocess with a generous timeout, so that a
regression fails the test instead of blocking CI; nothing is timed.
"""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml
from conftest import REPO_ROOT, CliResult, run_cli
from docbuilder import GOOD

AS_OF = "2026-06-01"
# Overdue on AS_OF: DOC-REVIEW at line 10 shows that the document was read and checked.
OVERDUE = GOOD.replace("POL-OK", "POL-LATE").replace("interval_months: 12", "interval_months: 3")
REVIEW_LINE = 10


def _record(extra: str, doc_id: str = "R-1") -> str:
    """A YAML record whose line 4 is ``extra``."""
    return f"id: {doc_id}\ntitle: r\ntype: record\n{extra}\n"


def _rule_file(assertion: dict) -> str:
    rule = {
        "id": "T-PAT", "clause": "8.4.3", "severity": "minor", "relation": {"type": "none"}, "guidance": "Keep notes plain.",
        "evidence": [{"select": {"type": "record"}, "every": True, "assert": assertion, "expect": "records with a plain note"}],
    }
    return yaml.safe_dump({"rules": [rule]}, sort_keys=False)


def _wide_json(keys: int) -> str:
    """A JSON record with ``keys`` filler keys; its ``date`` (after the evaluation date) is the last line."""
    filler = "".join(f'"k{i}":0,\n' for i in range(keys))  # short lines: under the 1 MB limit
    return '{\n  "id": "R-WIDE",\n  "title": "wide",\n  "type": "record",\n' + filler + '  "date": "2030-01-01"\n}\n'


def _deep_list(levels: int) -> str:
    return _record("x: " + "[" * levels + "]" * levels, "R-DEEP")


@dataclass(frozen=True)
class Case:
    files: dict[str, object]
    expected: list[tuple[str, str, int]] = field(default_factory=list)  # (rule, path, line) that must fail
    absent: list[tuple[str, str]] = field(default_factory=list)  # (rule, path) that must not fail
    args: tuple[str, ...] = ("--as-of", AS_OF)
    hang_prone: bool = False  # run in a subprocess with a timeout


SEXAGESIMAL = _record("n: 1" + ":2" * 400_000)  # about 800 KB: under the default size limit
LONG_NAME = "a" * 60 + ".md"

CASES: dict[str, Case] = {
    # Item 6: catastrophic backtracking and quadratic work.
    "markdown-line-of-spaces": Case({"p.md": OVERDUE + " " * 4096 + "x\n" + (" " * 4096 + "\n") * 50},
                                    [("DOC-REVIEW", "p.md", REVIEW_LINE)], hang_prone=True),
    "markdown-many-hashes": Case({"p.md": OVERDUE + ("#" * 4096 + " x\n") * 50 + "#" * 100_000 + "\n"},
                                 [("DOC-REVIEW", "p.md", REVIEW_LINE)], hang_prone=True),
    "markdown-long-lines-no-heading": Case({"p.md": OVERDUE + ("word " * 20_000 + "\n") * 5 + ("-\n" * 20_000)},
                                           [("DOC-REVIEW", "p.md", REVIEW_LINE)], hang_prone=True),
    "glob-star-a-star-b": Case({"imscheck.yaml": "exclude: ['" + "*a" * 40 + "*b']\n", LONG_NAME: OVERDUE},
                               [("DOC-REVIEW", LONG_NAME, REVIEW_LINE)], hang_prone=True),
    "glob-double-star-a": Case({"imscheck.yaml": "include: ['" + "**a" * 40 + "b', '*.md']\n", LONG_NAME: OVERDUE},
                               [("DOC-REVIEW", LONG_NAME, REVIEW_LINE)], hang_prone=True),
    "json-60000-keys": Case({"wide.json": _wide_json(60_000)}, [("DOC-DATE", "wide.json", 60_005)], hang_prone=True),
    "json-duplicate-keys-located": Case({"d.json": '{"id": "R-2",\n "type": "record",\n "review": {"a": 1,\n  "a": 2},\n "id": "R-2"}\n'},
                                        [("DOC-DUPKEY", "d.json", 4)]),
    "schema-pattern-nested-quantifier": Case(
        {"imscheck.yaml": "rules: [checks]\n", "checks/custom.yaml": _rule_file({"properties": {"note": {"pattern": "^(a+)+$"}}}),
         "r.yaml": _record("note: " + "a" * 100_000 + "b\ndate: 2026-05-01")},
        [("T-PAT", "r.yaml", 4)], hang_prone=True),
    "schema-pattern-properties": Case(
        {"imscheck.yaml": "rules: [checks]\n",
         "checks/custom.yaml": _rule_file({"patternProperties": {"^(a|aa)+$": {"type": "integer"}}}),
         "r.json": json.dumps({"id": "R-1", "title": "r", "type": "record", "date": "2026-05-01", "a" * 5_000: "text"})},
        [("T-PAT", "r.json", 1)], hang_prone=True),
    "yaml-sexagesimal-800kb": Case({"s.yaml": SEXAGESIMAL}, [("DOC-PARSE", "s.yaml", 4)], hang_prone=True),
    "yaml-sexagesimal-float": Case({"s.yaml": _record("n: 1" + ":2" * 300_000 + ".5"), "p.md": OVERDUE},
                                   [("DOC-REVIEW", "p.md", REVIEW_LINE)], hang_prone=True),
    "yaml-long-float": Case({"s.yaml": _record("n: 1." + "5" * 500_000), "p.md": OVERDUE},
                            [("DOC-REVIEW", "p.md", REVIEW_LINE)], hang_prone=True),
    "interval-words-said-30000-times": Case(
        {"p.md": OVERDUE.replace("review: {", "addresses: [iso20000-1:2018/9.4]\nreview: {").replace("# Policy\n", "# Reporting\n")
         + "monthly service report " * 30_000 + "\n"},
        [("DOC-REVIEW", "p.md", REVIEW_LINE + 1)], hang_prone=True),
    # Item 8: dates at the edges of the calendar.
    "review-date-9999-12-31": Case({"p.md": GOOD.replace("last_reviewed: 2026-01-05", "last_reviewed: 9999-12-31")},
                                   absent=[("DOC-REVIEW", "p.md")]),
    "next-review-9999-12-31": Case({"p.md": GOOD.replace("{last_reviewed: 2026-01-05, interval_months: 12}", "{next_review: 9999-12-31}")},
                                   absent=[("DOC-REVIEW", "p.md")]),
    "huge-interval-months": Case({"p.md": GOOD.replace("interval_months: 12", "interval_months: 1000000000000000000000")},
                                 absent=[("DOC-REVIEW", "p.md")]),
    "huge-negative-interval-months": Case({"p.md": GOOD.replace("interval_months: 12", "interval_months: -1000000000000000000000")},
                                          [("DOC-REVIEW", "p.md", REVIEW_LINE)]),
    "records-and-as-of-in-year-1": Case({"p.md": GOOD, "r.yaml": _record("date: 0001-01-01\naddresses: [iso20000-1:2018/9.3]")},
                                        [("DOC-APPROVAL", "p.md", 9)], args=("--as-of", "0001-06-01")),
    "as-of-in-year-1-in-imscheck-yaml": Case({"imscheck.yaml": "as_of: 0001-01-01\n", "p.md": GOOD}, [("DOC-APPROVAL", "p.md", 9)], args=()),
    "as-of-9999-12-31": Case({"p.md": GOOD, "r.yaml": _record("date: 9999-12-31")}, [("DOC-REVIEW", "p.md", REVIEW_LINE)],
                             args=("--as-of", "9999-12-31")),
    # Item 9: lone surrogates never reach a report.
    "json-lone-surrogate": Case({"s.json": '{"id": "R-\\ud800",\n "title": "\\udfff",\n "type": "record",\n "\\ud800": ["\\udc00"],\n'
                                           ' "date": "2030-01-01"}\n'}, [("DOC-DATE", "s.json", 5)]),
    # Item 10: tags the safe loader resolves badly, huge integers, deep nesting.
    "yaml-timestamp-hello": Case({"t.yaml": _record("date: !!timestamp hello")}, [("DOC-PARSE", "t.yaml", 4)]),
    "yaml-timestamp-year-99999": Case({"t.yaml": _record("date: !!timestamp 99999-01-01")}, [("DOC-PARSE", "t.yaml", 4)]),
    "yaml-int-abc": Case({"t.yaml": _record("n: !!int abc")}, [("DOC-PARSE", "t.yaml", 4)]),
    "yaml-int-0x": Case({"t.yaml": _record("n: !!int 0x")}, [("DOC-PARSE", "t.yaml", 4)]),
    "yaml-float-abc": Case({"t.yaml": _record("n: !!float abc")}, [("DOC-PARSE", "t.yaml", 4)]),
    # found by tests/test_fuzz.py: a value that contains itself made later walks loop and eat memory
    "yaml-recursive-alias-list": Case({"r.md": "---\na: &a [*a]\n---\n"}, [("DOC-PARSE", "r.md", 2)], hang_prone=True),
    "yaml-recursive-alias-map": Case({"r.yaml": _record("x: &x {y: *x}")}, [("DOC-PARSE", "r.yaml", 4)], hang_prone=True),
    "yaml-bool-maybe": Case({"t.yaml": _record("ok: !!bool maybe")}, [("DOC-PARSE", "t.yaml", 4)]),
    "yaml-binary-junk": Case({"t.yaml": _record("blob: !!binary 'é not base64'")}, [("DOC-PARSE", "t.yaml", 4)]),
    "yaml-binary-odd-but-decodable": Case({"t.yaml": _record("blob: !!binary '!!!'"), "p.md": OVERDUE}, [("DOC-REVIEW", "p.md", REVIEW_LINE)]),
    "markdown-front-matter-bad-tag": Case({"p.md": GOOD.replace("approved_on: 2026-01-05", "approved_on: !!timestamp soon")},
                                          [("DOC-PARSE", "p.md", 9)]),
    "yaml-tag-of-100000-characters": Case({"t.yaml": _record("n: !<" + "x" * 100_000 + "> 1")}, [("DOC-PARSE", "t.yaml", 4)]),
    "yaml-int-5000-digits": Case({"t.yaml": _record("n: " + "7" * 5_000)}, [("DOC-PARSE", "t.yaml", 4)]),
    "yaml-hex-int-5000-digits": Case({"t.yaml": _record("n: 0x" + "f" * 4_000)}, [("DOC-PARSE", "t.yaml", 4)]),
    "json-int-5000-digits": Case({"t.json": '{"id": "R-1",\n "type": "record",\n "n": ' + "7" * 5_000 + "}\n"}, [("DOC-PARSE", "t.json", 3)]),
    "json-nan": Case({"t.json": '{"id": "R-1",\n "type": "record",\n "n": NaN}\n'}, [("DOC-PARSE", "t.json", 3)]),
    "deep-yaml-list-within-raised-limit": Case({"imscheck.yaml": "limits: {max_depth: 100}\n", "d.yaml": _deep_list(98), "p.md": OVERDUE},
                                               [("DOC-REVIEW", "p.md", REVIEW_LINE)], absent=[("DOC-PARSE", "d.yaml")]),
    "deep-yaml-list-past-raised-limit": Case({"imscheck.yaml": "limits: {max_depth: 100}\n", "d.yaml": _deep_list(150)},
                                             [("DOC-PARSE", "d.yaml", 4)]),
    "deep-json-list-within-raised-limit": Case(
        {"imscheck.yaml": "limits: {max_depth: 100}\n", "d.json": '{"id": "R-D", "type": "record", "x": ' + "[" * 98 + "]" * 98 + "}",
         "p.md": OVERDUE},
        [("DOC-REVIEW", "p.md", REVIEW_LINE)], absent=[("DOC-PARSE", "d.json")]),
    "deep-yaml-list-under-a-recursive-rule-schema": Case(
        {"imscheck.yaml": "rules: [checks]\nlimits: {max_depth: 100}\n", "d.yaml": _deep_list(98),
         "checks/custom.yaml": _rule_file({"$defs": {"n": {"type": "array", "items": {"$ref": "#/$defs/n"}}},
                                           "properties": {"x": {"$ref": "#/$defs/n"}}}), "p.md": OVERDUE},
        [("DOC-REVIEW", "p.md", REVIEW_LINE)]),
}
if not getattr(yaml, "__with_libyaml__", False):  # PyYAML's own scanner lets an escaped lone surrogate through
    CASES["yaml-lone-surrogate"] = Case({"s.yaml": _record('title: "\\ud800 \\U0000dfff"\ndate: 2030-01-01')}, [("DOC-DATE", "s.yaml", 5)])
else:  # libyaml refuses it: a located parse error
    CASES["yaml-lone-surrogate"] = Case({"s.yaml": _record('title: "\\ud800"')}, [("DOC-PARSE", "s.yaml", 4)])


def _run(repo: Path, args: tuple[str, ...], hang_prone: bool) -> CliResult:
    if not hang_prone:
        return run_cli(*args)
    env_path = str(REPO_ROOT / "src")
    proc = subprocess.run(
        [sys.executable, "-c", "import sys; from imscheck.cli import main; sys.exit(main())", *args],
        capture_output=True, text=True, timeout=180, cwd=repo,
        env={"PYTHONPATH": env_path, "PATH": "/usr/bin:/bin", "HOME": str(repo)},
    )
    return CliResult(proc.returncode, proc.stdout, proc.stderr)


def _findings(report: dict) -> list[tuple[str, str, int]]:
    return [(r["rule"], loc["path"], loc["line"]) for r in report["results"] if r["status"] == "fail" for loc in r["locations"]]


@pytest.mark.parametrize("case", sorted(CASES))
def test_hostile_document_gives_a_located_finding(case: str, make_repo) -> None:
    spec = CASES[case]
    repo = make_repo(spec.files)
    result = _run(repo, ("check", str(repo), "--format", "json", *spec.args), spec.hang_prone)
    assert "Traceback" not in result.stdout + result.stderr, result.stderr[-2000:]
    assert result.exit_code == 1, result.stderr[-2000:]
    found = _findings(result.json())
    for finding in spec.expected:
        assert finding in found, f"{finding} not in {found}"
    for rule, path in spec.absent:
        assert not [f for f in found if f[:2] == (rule, path)], found


@pytest.mark.parametrize("case", ["json-lone-surrogate", "yaml-lone-surrogate", "records-and-as-of-in-year-1", "as-of-9999-12-31"])
def test_every_report_is_written_for_hostile_values(case: str, make_repo, tmp_path: Path) -> None:
    """Lone surrogates and calendar edges reach no reporter: each format is written, as UTF-8."""
    spec = CASES[case]
    repo = make_repo(spec.files)
    for command, fmt in [("check", f) for f in ("text", "json", "junit", "sarif", "markdown")] + [("audit", "html"), ("audit", "markdown")]:
        out = tmp_path / f"{case}.{command}.{fmt}"
        result = run_cli(command, repo, "--format", fmt, "--output", out, *spec.args)
        assert "Traceback" not in result.stderr and result.exit_code in (0, 1), (command, fmt, result.stderr)
        text = out.read_bytes().decode("utf-8")  # strict: a surrogate could not have been encoded
        assert text
        if fmt in ("json", "sarif"):
            text = json.dumps(json.loads(text), ensure_ascii=False)
        elif fmt == "junit":
            ET.fromstring(text)
        if case == "json-lone-surrogate" and command == "check" and fmt in ("text", "json"):
            assert "R-\ufffd" in text  # the document's id, its surrogate replaced


def test_audit_as_of_9999_12_31_is_written(make_repo, tmp_path: Path) -> None:
    repo = make_repo({"p.md": GOOD.replace("last_reviewed: 2026-01-05", "last_reviewed: 9999-12-01")})
    for fmt in ("html", "markdown"):
        out = tmp_path / f"audit.{fmt}"
        result = run_cli("audit", repo, "--format", fmt, "--output", out, "--as-of", "9999-12-31")
        assert result.exit_code == 0 and "Traceback" not in result.stderr, result.stderr
        assert "9999-12-31" in out.read_text(encoding="utf-8")


LONG_GLOB = "*a" * 600 + "*b"

# imscheck.yaml content -> a fragment of the one-line message (exit 2).
CONFIG_CASES: dict[str, tuple[str, str]] = {
    "timestamp-hello": ("as_of: !!timestamp hello\n", "line 1: invalid YAML: invalid date 'hello'"),
    "int-abc": ("limits: {max_depth: !!int abc}\n", "line 1: invalid YAML: 'abc' is not a valid int"),
    "float-abc": ("limits: {max_depth: !!float abc}\n", "'abc' is not a valid float"),
    "bool-maybe": ("fail_on: !!bool maybe\n", "'maybe' is not a valid bool"),
    "binary-junk": ("standard: !!binary 'é'\n", "line 1: invalid YAML"),
    "tag-of-100000-characters": ("standard: !<" + "x" * 100_000 + "> a\n", "line 1: invalid YAML: could not determine a constructor"),
    "int-5000-digits": ("limits:\n  max_depth: " + "9" * 5_000 + "\n", "line 2: invalid YAML: integer '9999"),
    "sexagesimal": ("limits:\n  max_nodes: 1" + ":2" * 100_000 + "\n", "more than 4000 digits"),
    "lone-surrogate": ('standard: "\\ud800"\n', "line 1"),
    "recursive-alias": ("vocabulary: &v {incident: *v}\n", "recursive alias"),
    # JSON Schema calls 100000.0 an integer; a read size of a float crashed the first large file
    "limit-as-a-float": ("limits:\n  max_bytes: 100000.0\n", "limits.max_bytes: 100000.0 is not a whole number"),
    "huge-override": ("overrides: {SMS-9.3: {within_months: 1000000000}}\n", "within_months"),
    "glob-too-long": (f"exclude: ['{LONG_GLOB}']\n", "is not a valid glob (longer than 1000 characters)"),
    "pattern-with-backreference": ("rules: [checks]\n", "cannot be matched in linear time"),
    "pattern-with-lookahead": ("rules: [checks]\n", "cannot be matched in linear time"),
}
CONFIG_FILES: dict[str, dict[str, object]] = {
    "pattern-with-backreference": {"checks/custom.yaml": _rule_file({"properties": {"note": {"pattern": "^(a)\\1$"}}})},
    "pattern-with-lookahead": {"checks/custom.yaml": _rule_file({"patternProperties": {"^(?=a)": {"type": "string"}}})},
}


@pytest.mark.parametrize("case", sorted(CONFIG_CASES))
def test_hostile_imscheck_yaml_is_exit_2_with_one_line(case: str, make_repo) -> None:
    config, expected = CONFIG_CASES[case]
    repo = make_repo({"imscheck.yaml": config, "p.md": GOOD, **CONFIG_FILES.get(case, {})})
    result = _run(repo, ("check", str(repo)), hang_prone=True)
    assert result.exit_code == 2, result.stdout[-500:] + result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], lines
    assert len(lines[0]) < 600, "the message quotes a short excerpt, never the whole value"
    assert result.stdout == ""


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_deep_document_under_a_raised_depth_limit_never_hits_the_recursion_limit(suffix: str, tmp_path: Path) -> None:
    """Whatever ``max_depth`` allows, reading and validating a deep document raises no RecursionError."""
    from imscheck.documents import read_document
    from imscheck.schemas import errors, jsonable
    from imscheck.yamlparse import Limits, ParseError

    limits = Limits(max_depth=100_000, max_nodes=10_000_000)
    levels = 900
    text = (_deep_list(levels) if suffix == ".yaml"
            else '{"id": "R-DEEP", "title": "r", "type": "record", "x": ' + "[" * levels + "]" * levels + "}")
    path = tmp_path / f"deep{suffix}"
    path.write_text(text)
    doc = read_document(path, path.name, limits)
    assert doc is not None
    assert [e.message for e in errors(jsonable(dict(doc.meta)), "document")] == ["'date' is a required property"]
    deeper = tmp_path / f"deeper{suffix}"
    deeper.write_text(text.replace("[" * levels, "[" * 100_000).replace("]" * levels, "]" * 100_000))
    with pytest.raises(ParseError, match="nest"):
        read_document(deeper, deeper.name, limits)


UNIQUE_CASES = [[1, 1.0], [True, 1], [0, False], [None, False], [{"a": 1}, {"a": 1.0}], [[1], [True]],
                [{"a": 1, "b": [1]}, {"b": [1.0], "a": 1}], [[1, 2], [2, 1]], ["a", "b"], []]


@pytest.mark.parametrize("items", UNIQUE_CASES, ids=[repr(c) for c in UNIQUE_CASES])
def test_rule_unique_items_agree_with_jsonschema(items: list) -> None:
    from jsonschema import Draft202012Validator

    from imscheck.ruleschema import rule_validator

    schema = {"type": "array", "uniqueItems": True}
    ours = [e.validator for e in rule_validator(schema).iter_errors(items)]
    theirs = [e.validator for e in Draft202012Validator(schema).iter_errors(items)]
    assert ours == theirs


def test_rule_unique_items_over_a_long_list_of_objects_is_linear() -> None:
    # jsonschema compares unsortable items pairwise: 50,000 objects would be about 10^9 comparisons
    from imscheck.ruleschema import rule_validator

    items = [{"k": i} for i in range(50_000)] + [{"k": 7}]
    errors = list(rule_validator({"type": "array", "uniqueItems": True}).iter_errors(items))
    assert [e.validator for e in errors] == ["uniqueItems"]
    assert len(errors[0].message) < 200  # the message quotes an excerpt, not the list
