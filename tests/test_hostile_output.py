"""Reports from a hostile repository (issue 10 items 1, 9, 12-15): nothing written through a
symlink, nothing half-written, nothing from the repository obeyed by a terminal, a Markdown
renderer or an HTML parser.

The repository is untrusted: it may commit a symlink where the CI job writes its report, name a
file ``a|b<newline>`c`<img ...>``, or put escape sequences, lone surrogates and noncharacters
in its values. Every case runs the real CLI on real files in a git repository.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from conftest import commit_all, git, init_git, run_cli, write_files
from gate_docs import AS_OF, base_files
from markdown_it import MarkdownIt

# A file name that tries to leave its code span and table row and to inject HTML.
HOSTILE_NAME = "a|b\n`c`<img src=x onerror=alert(1)>.yaml"
# A value that tries to plant an OSC 8 hyperlink, colour the log, reorder text, forge a finding
# line, inject HTML and a link, auto-link a URL and mention everyone.
HOSTILE_VALUE = (
    "NOPE\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\ \x1b[31mred\u202eevil\u2066"
    "\nfake.md:1: major FORGED-1 forged <img src=x onerror=alert(1)> [x](https://evil.example) @everyone www.evil.example"
)
POLICY = """\
---
id: POL-EVIL
title: {title}
type: policy
owner: Quality manager
version: "1.0"
status: approved
approved_by: Managing director
approved_on: 2026-01-10
review: {{last_reviewed: 2026-01-10, interval_months: 12}}
related: [{related}]
---
# Purpose
"""
# Lone surrogates, a noncharacter and C0 controls: valid JSON escapes, not valid Unicode text.
SURROGATE_JSON = '{"id": "R-\\ud800", "type": "record", "title": "odd \\uffff\\ufffe\\u0001\\u0008 title", "date": "2026-01-01", "related": ["Q-\\udfff"]}'
NOT_IN_HTML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")


def _hostile_files() -> dict[str, str]:
    # JSON string syntax is YAML double-quoted syntax: the value arrives with its raw characters.
    return {
        **base_files(),
        HOSTILE_NAME: "id: R-1\ntitle: [unclosed\ntype: record\n",
        "policies/evil.md": POLICY.format(title=json.dumps("Evil \x1b[2J\x1b]0;owned\x07 title"), related=json.dumps(HOSTILE_VALUE)),
        "records/odd.json": SURROGATE_JSON,
    }


@pytest.fixture(scope="module")
def hostile_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile") / "repo"
    root.mkdir()
    write_files(root, _hostile_files())
    init_git(root)
    commit_all(root, "hostile")
    return root


def _no_temporary_files(folder: Path) -> bool:
    return not [p for p in folder.rglob(".imscheck-*")]


# --- item 1: never written through a symlink ------------------------------------------------

# case id -> (command and arguments; {target} is the report path inside the repository)
WRITERS: dict[str, list[str]] = {
    "check-output": ["check", ".", "--as-of", AS_OF, "--format", "json", "--output", "{target}"],
    "check-report-junit": ["check", ".", "--as-of", AS_OF, "--report", "junit:{target}"],
    "check-report-text": ["check", ".", "--as-of", AS_OF, "--format", "json", "--report", "text:{target}"],
    "check-output-then-report": ["check", ".", "--as-of", AS_OF, "--format", "json", "--output", "ok.json", "--report", "markdown:{target}"],
    "audit-html": ["audit", ".", "--as-of", AS_OF, "--output", "{target}"],
    "audit-markdown": ["audit", ".", "--as-of", AS_OF, "--format", "markdown", "--output", "{target}"],
    "guide": ["guide", "--output", "{target}"],
}
# how the merge request plants the link: (path written, committed symlink, what it points to)
LINKS: dict[str, tuple[str, str, str]] = {
    "link-to-a-file": ("imscheck.xml", "imscheck.xml", "sentinel.txt"),
    "dangling-link": ("imscheck.xml", "imscheck.xml", "created-by-imscheck.txt"),
    "linked-folder": ("reports/out.txt", "reports", "."),
}


@pytest.mark.parametrize("link", list(LINKS))
@pytest.mark.parametrize("writer", list(WRITERS))
def test_a_committed_symlink_is_never_written_through(make_repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, writer: str, link: str) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    sentinel = outside / "sentinel.txt"
    sentinel.write_text("precious\n")
    written, link_name, points_to = LINKS[link]
    repo = make_repo(base_files(), git_init=False)
    (repo / link_name).symlink_to(outside / points_to if points_to != "." else outside)
    init_git(repo)
    commit_all(repo, "plant a link")
    monkeypatch.chdir(repo)  # as the README's CI jobs run: in the checked-out repository
    before = sorted(p.name for p in outside.iterdir())

    result = run_cli(*[arg.format(target=written) for arg in WRITERS[writer]])

    assert result.exit_code == 2, result.stdout + result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "symbolic link" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""  # refused before anything is printed
    assert sentinel.read_text() == "precious\n"
    assert sorted(p.name for p in outside.iterdir()) == before
    assert not (repo / "ok.json").exists()  # every target is checked before the first is written
    assert git(repo, "status", "--porcelain") == ""  # nothing in the repository changed either


def test_dot_dot_after_a_linked_folder_is_not_resolved_through_the_link(make_repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # "reports/.." where reports links outside: the kernel would resolve it to the link target's
    # parent; the report goes where the check looked, the lexical path in the repository
    outside = tmp_path / "outside" / "inner"
    outside.mkdir(parents=True)
    repo = make_repo(base_files(), git_init=False)
    (repo / "reports").symlink_to(outside)
    monkeypatch.chdir(repo)

    result = run_cli("check", ".", "--as-of", AS_OF, "--format", "json", "--output", "reports/../out.json")

    assert result.exit_code in (0, 1), result.stderr
    assert (repo / "out.json").is_file()
    assert not (outside.parent / "out.json").exists() and not list(outside.iterdir())


def test_a_report_replaces_a_regular_file_and_leaves_no_temporary_file(make_repo, tmp_path: Path) -> None:
    repo = make_repo(base_files())
    out = tmp_path / "out" / "report.json"
    out.parent.mkdir()
    out.write_text("old report\n")
    keep = tmp_path / "out" / "hard-link-to-old.json"
    os.link(out, keep)  # a report written in place would change this one too

    result = run_cli("check", repo, "--as-of", AS_OF, "--format", "json", "--output", out)

    assert result.exit_code in (0, 1), result.stderr
    assert json.loads(out.read_text())["tool"]["name"] == "imscheck"
    assert keep.read_text() == "old report\n"
    assert _no_temporary_files(out.parent)


# --- item 12: a failing run leaves no partial file -----------------------------------------

# case id -> (files to add to the repository, extra arguments; {out} is the main report, {tmp} the test folder)
FAILING_RUNS: dict[str, tuple[dict[str, str], list[str]]] = {
    "broken-config": ({"imscheck.yaml": "standard: [unclosed\n"}, []),
    "unknown-standard": ({"imscheck.yaml": "standard: iso20000-1:1999\n"}, []),
    "second-target-under-a-file": ({}, ["--report", "junit:{tmp}/a-file.txt/x.xml"]),
    "second-target-is-a-folder": ({}, ["--report", "sarif:{tmp}/a-folder"]),
}


@pytest.mark.parametrize("previous", [None, "previous report\n"], ids=["no-previous-file", "previous-file"])
@pytest.mark.parametrize("case", list(FAILING_RUNS))
def test_a_failing_run_leaves_no_partial_file(make_repo, tmp_path: Path, case: str, previous: str | None) -> None:
    files, extra = FAILING_RUNS[case]
    repo = make_repo({**base_files(), **files})
    (tmp_path / "a-file.txt").write_text("not a folder\n")
    (tmp_path / "a-folder").mkdir()
    out = tmp_path / "report.json"
    if previous is not None:
        out.write_text(previous)

    result = run_cli("check", repo, "--as-of", AS_OF, "--format", "json", "--output", out,
                     *[arg.format(tmp=tmp_path) for arg in extra])

    assert result.exit_code == 2, result.stdout + result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    if previous is None:
        assert not out.exists()
    else:
        assert out.read_text() == previous
    assert list((tmp_path / "a-folder").iterdir()) == []
    assert _no_temporary_files(tmp_path)


# --- item 13: Markdown ----------------------------------------------------------------------

def _markdown(text: str) -> tuple[str, list]:
    md = MarkdownIt("commonmark").enable("table")  # raw HTML on, as GitHub and GitLab comments allow some
    return md.render(text), md.parse(text)


def _table_rows(tokens: list) -> list[tuple[int, int]]:
    """(cells in the row, cells in its table's header) for every body row of every table."""
    rows: list[tuple[int, int]] = []
    header = cells = 0
    in_head = False
    for token in tokens:
        if token.type == "thead_open":
            in_head, header = True, 0
        elif token.type == "thead_close":
            in_head = False
        elif token.type == "th_open" and in_head:
            header += 1
        elif token.type == "tr_open":
            cells = 0
        elif token.type == "td_open":
            cells += 1
        elif token.type == "tr_close" and not in_head:
            rows.append((cells, header))
    return rows


def _assert_inert(markdown: str) -> tuple[str, list]:
    html, tokens = _markdown(markdown)
    assert "<img" not in html and "<a " not in html and "\x1b" not in markdown
    assert "://" not in markdown and "www.evil" not in markdown and "@everyone" not in markdown  # nothing to auto-link or mention
    assert all(cells == header for cells, header in _table_rows(tokens)), "a value added or removed a table cell"
    return html, tokens


def test_markdown_report_keeps_repository_text_inert(hostile_repo: Path) -> None:
    result = run_cli("check", hostile_repo, "--as-of", AS_OF, "--format", "markdown")
    assert result.exit_code == 1, result.stderr
    html, tokens = _assert_inert(result.stdout)
    report = run_cli("check", hostile_repo, "--as-of", AS_OF, "--format", "json").json()
    shown = [r for r in report["results"] if r["status"] != "pass"]
    observations = sum(len(r["observations"]) for r in report["results"])
    assert len(_table_rows(tokens)) == len(shown) + observations  # one row each: no row split by a newline
    spans = [t.content for block in tokens if block.type == "inline" for t in block.children or [] if t.type == "code_inline"]
    # the file name keeps its backticks, pipe and markup inside its code span; the newline shows as \n
    assert any(span.startswith("a|b\\n`c`<img src=x onerror=alert(1)>.yaml:") for span in spans), spans
    assert "FORGED-1 forged" in html and "&lt;img src=x onerror=alert(1)&gt;" in html


def test_audit_markdown_keeps_repository_text_inert(hostile_repo: Path) -> None:
    result = run_cli("audit", hostile_repo, "--as-of", AS_OF, "--format", "markdown")
    assert result.exit_code == 0, result.stderr
    html, _ = _assert_inert(result.stdout)
    assert "Evil" in html and "FORGED-1" in html


# --- item 14: text and every human-facing line ----------------------------------------------

def _assert_visible(text: str) -> None:
    assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text and "\u2066" not in text
    assert not any(line.startswith("fake.md:1:") for line in text.splitlines()), "a value forged a finding line"


@pytest.mark.parametrize("extra", [[], ["--quiet"], ["-v"], ["--color", "always"]], ids=["default", "quiet", "verbose", "color"])
def test_text_report_shows_control_characters_visibly(hostile_repo: Path, extra: list[str]) -> None:
    result = run_cli("check", hostile_repo, "--as-of", AS_OF, *extra)
    assert result.exit_code == 1, result.stderr
    text = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout) if "--color" in extra else result.stdout  # our own SGR colours only
    _assert_visible(text)
    assert "NOPE\\x1b]8;;https://evil.example\\x1b\\click" in text and "\\x1b[31mred\\u202eevil\\u2066\\nfake.md:1: major FORGED-1" in text
    assert "a|b\\n`c`<img src=x onerror=alert(1)>.yaml:3: major" in text


def test_text_report_written_to_a_file_is_visible_too(hostile_repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "check.txt"
    result = run_cli("check", hostile_repo, "--as-of", AS_OF, "--format", "json", "--report", f"text:{out}")
    assert result.exit_code == 1, result.stderr
    _assert_visible(out.read_text(encoding="utf-8"))


@pytest.mark.parametrize("args", [
    ["rules", "show", "SMS-\x1b]8;;https://evil.example\x1b\\9.3\u202e"],
    ["explain", "8.\x1b[2J1\nfake.md:1: major X"],
    ["check", "{repo}", "--standard", "iso20000-1:\x1b[31m2018"],
    ["explain", "iso9001:2015/7.5.1", "--standard", "x\x1b]8;;https://evil.example\x1b\\Y\u202e"],
], ids=["rules-show", "explain", "check-standard", "explain-standard"])
def test_error_lines_show_control_characters_visibly(hostile_repo: Path, args: list[str]) -> None:
    result = run_cli(*[arg.format(repo=hostile_repo) for arg in args])
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr, result.stderr
    _assert_visible(result.stderr)
    assert "\\x1b" in result.stderr


# --- items 9 and 15: lone surrogates and characters HTML forbids -----------------------------

# case id -> arguments; every output goes to a file and must be whole, strict UTF-8
SURROGATE_OUTPUTS: dict[str, list[str]] = {
    "text": ["check", "--format", "text"],
    "json": ["check", "--format", "json"],
    "markdown": ["check", "--format", "markdown"],
    "audit-html": ["audit", "--format", "html"],
    "audit-markdown": ["audit", "--format", "markdown"],
}


@pytest.mark.parametrize("to_file", [True, False], ids=["file", "stdout"])
@pytest.mark.parametrize("case", list(SURROGATE_OUTPUTS))
def test_lone_surrogates_do_not_crash_a_reporter(hostile_repo: Path, tmp_path: Path, case: str, to_file: bool) -> None:
    out = tmp_path / "report.out"
    command, *options = SURROGATE_OUTPUTS[case]
    result = run_cli(command, hostile_repo, "--as-of", AS_OF, *options, *(["--output", out] if to_file else []))
    assert result.exit_code in (0, 1), result.stderr
    text = out.read_bytes().decode("utf-8") if to_file else result.stdout  # strict: no surrogate reached the file
    assert "\ufffd" in text or "\\ud800" in text  # the value is there, replaced or shown
    assert not re.search("[\ud800-\udfff]", text)
    if case == "json":
        report = json.loads(text)
        [odd] = [r for r in report["results"] if r["rule"] == "DOC-REF" and r["locations"][0]["path"] == "records/odd.json"]
        assert "\ufffd" in odd["message"]


def test_audit_html_carries_no_character_html_forbids(hostile_repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "audit.html"
    result = run_cli("audit", hostile_repo, "--as-of", AS_OF, "--output", out)
    assert result.exit_code == 0, result.stderr
    page = out.read_bytes().decode("utf-8")
    assert "odd \ufffd\ufffd\ufffd\ufffd title" in page  # U+FFFF, U+FFFE and two C0 controls, replaced
    assert not NOT_IN_HTML.search(page), NOT_IN_HTML.findall(page)
    assert "<img src=x" not in page and "\x1b" not in page
