"""The terminal and the CI log (issue 12 items 6-9): colour as no-color.org and force-color.org
say, one line shape for every finding, --quiet, exit codes in --help, forgiving ``rules show``,
shell completion.

Colour is decided by a real terminal: the CLI runs in a subprocess whose stdout is a pty.
"""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO_ROOT, commit_all, init_git, read_terminal, run_cli, write_files
from gate_docs import AS_OF, base_files
from test_relations import QUALITY_ONLY
from test_waivers import WAIVERS

import imscheck

# Every failing line of the text report, and only those, in the shape problem matchers read.
FAILING_LINE = re.compile(r"^(?P<path>[^\s:][^:]*):(?P<line>[1-9]\d*): (?P<severity>major|minor|observation) +(?P<rule>[^\s:]+) (?P<message>\S.*)$")
# The same columns for the lines of results that do not fail.
OTHER_LINE = re.compile(r"^(?P<path>[^\s:][^:]*):(?P<line>[1-9]\d*): (?P<status>waived|not-applicable|pass) +(?P<rule>[^\s:]+) (?P<message>\S.*)$")
SGR = re.compile(r"\x1b\[[0-9;]*m")
BROKEN = "id: R-BROKEN\ntitle: [unclosed\ntype: record\n"


@pytest.fixture(scope="module")
def small_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("terminal") / "repo"
    root.mkdir()
    write_files(root, QUALITY_ONLY)
    init_git(root)
    commit_all(root)
    return root


@pytest.fixture(scope="module")
def gated_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Missing documents, a broken document, waivers (one expired, one for an unknown rule), not-applicable rules."""
    root = tmp_path_factory.mktemp("gated") / "repo"
    root.mkdir()
    write_files(root, {**base_files(), "imscheck.yaml": WAIVERS, "records/broken.yaml": BROKEN})
    init_git(root)
    commit_all(root)
    return root


# --- item 6: colour -------------------------------------------------------------------------

def _run(args: list[str], env: dict[str, str], tty: bool) -> str:
    """``imscheck ARGS`` in a subprocess, its stdout a terminal (a pty) or a pipe; returns stdout."""
    command = [sys.executable, "-m", "imscheck", *args]
    if not tty:
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
        assert done.returncode in (0, 1), done.stderr
        return done.stdout
    master, slave = pty.openpty()
    proc = subprocess.Popen(command, env=env, stdout=slave, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    os.close(slave)
    try:
        terminal = read_terminal(master, 60)
        proc.wait(timeout=60)
    finally:
        proc.kill() if proc.poll() is None else None
    assert proc.returncode in (0, 1), proc.stderr.read().decode() if proc.stderr else ""
    return terminal


def _env(**values: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "TERM", "CLICOLOR", "CLICOLOR_FORCE")}
    env["TERM"] = "xterm-256color"
    # the subprocess imports the imscheck these tests import, wherever it comes from
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(Path(imscheck.__file__).parents[1]), os.environ.get("PYTHONPATH")) if p)
    for key, value in values.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


# case id -> (environment, extra arguments, stdout is a terminal, coloured?)
COLOR_CASES = {
    "terminal": ({}, [], True, True),
    "pipe": ({}, [], False, False),
    "terminal-NO_COLOR": ({"NO_COLOR": "1"}, [], True, False),
    "terminal-NO_COLOR-empty-is-unset": ({"NO_COLOR": ""}, [], True, True),
    "terminal-TERM-dumb": ({"TERM": "dumb"}, [], True, False),
    "pipe-FORCE_COLOR": ({"FORCE_COLOR": "1"}, [], False, True),
    "pipe-FORCE_COLOR-empty-is-unset": ({"FORCE_COLOR": ""}, [], False, False),
    "terminal-NO_COLOR-beats-FORCE_COLOR": ({"NO_COLOR": "1", "FORCE_COLOR": "1"}, [], True, False),
    "terminal-color-never": ({}, ["--color", "never"], True, False),
    "pipe-color-always": ({}, ["--color", "always"], False, True),
    "terminal-NO_COLOR-color-always": ({"NO_COLOR": "1"}, ["--color", "always"], True, True),
    "pipe-FORCE_COLOR-color-never": ({"FORCE_COLOR": "1"}, ["--color", "never"], False, False),
}


@pytest.mark.parametrize("case", list(COLOR_CASES))
def test_colour_follows_the_terminal_the_environment_and_the_option(small_repo: Path, case: str) -> None:
    env, extra, tty, coloured = COLOR_CASES[case]
    out = _run(["check", str(small_repo), "--as-of", "2026-06-30", *extra], _env(**env), tty)
    assert "SMS-9.3" in out
    assert ("\x1b[" in out) == coloured, out[:400]
    if coloured:  # colour never changes the line shape
        lines = [SGR.sub("", line) for line in out.splitlines()]
        assert any(FAILING_LINE.match(line) for line in lines)


def test_colour_never_goes_into_a_report_file(small_repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "check.txt"
    _run(["check", str(small_repo), "--as-of", "2026-06-30", "--format", "json", "--report", f"text:{out}"], _env(FORCE_COLOR="1"), False)
    assert "\x1b" not in out.read_text()


# --- item 7: linter-shaped lines ------------------------------------------------------------

def _report(repo: Path, *args: str) -> dict:
    result = run_cli("check", repo, "--as-of", AS_OF, "--format", "json", *args)
    assert result.exit_code in (0, 1), result.stderr
    return result.json()


def _finding_lines(text: str) -> list[str]:
    """Every line but the header, headings, notes and summary."""
    lines = text.splitlines()[1:]
    return [line for line in lines if line and not line.startswith(("Clause ", "Document ", "Configuration ", "Summary: ", "ISO 9001 credit: "))]


def test_every_failing_line_has_one_shape(gated_repo: Path) -> None:
    report = _report(gated_repo)
    failing = [r for r in report["results"] if r["status"] in ("fail", "error")]
    kinds = {r["rule"].split("-")[0] for r in failing}
    assert {"SMS", "DOC", "CFG"} <= kinds, kinds  # requirement, hygiene and configuration findings
    assert any(not r["locations"] for r in failing), "the repository must have a missing document"

    result = run_cli("check", gated_repo, "--as-of", AS_OF)
    assert result.exit_code == 1
    lines = _finding_lines(result.stdout)
    matched = [FAILING_LINE.match(line) for line in lines]
    others = [OTHER_LINE.match(line) for line in lines]
    assert all(m or o for m, o in zip(matched, others, strict=False)), [line for line, m, o in zip(lines, matched, others, strict=False) if not (m or o)]
    observations = sum(len(r["observations"]) for r in report["results"])
    assert len([m for m in matched if m]) == len(failing) + observations
    failing_lines = {(m["rule"], m["severity"]) for m in matched if m}
    assert {(r["rule"], r["severity"]) for r in failing} <= failing_lines
    # a missing document is shown at the configuration file, the same fallback as SARIF
    missing = next(r for r in failing if not r["locations"])
    line = next(m for m in matched if m and m["rule"] == missing["rule"])
    assert line["path"] == f"{gated_repo}/imscheck.yaml" and line["line"] == "1"
    # the broken document and the configuration finding at their own lines
    assert any(m and m["rule"] == "DOC-PARSE" and m["path"].endswith("records/broken.yaml") for m in matched)
    cfg = next(r for r in failing if r["rule"] == "CFG-WAIVER")
    assert any(m and m["rule"] == "CFG-WAIVER" and m["line"] == str(cfg["locations"][0]["line"]) for m in matched)
    # waived and not-applicable results keep the columns
    statuses = {o["status"] for o in others if o}
    assert {"waived", "not-applicable"} <= statuses, statuses


def test_verbose_pass_lines_keep_the_columns(gated_repo: Path) -> None:
    result = run_cli("check", gated_repo, "--as-of", AS_OF, "-v")
    lines = _finding_lines(result.stdout)
    assert all(FAILING_LINE.match(line) or OTHER_LINE.match(line) for line in lines)
    assert any((m := OTHER_LINE.match(line)) and m["status"] == "pass" for line in lines)


def test_a_new_finding_keeps_the_shape(make_repo) -> None:
    repo = make_repo(base_files())
    write_files(repo, {"records/broken.yaml": BROKEN})  # not committed: new since HEAD
    result = run_cli("check", repo, "--as-of", AS_OF, "--changed-since", "HEAD")
    [line] = [line for line in result.stdout.splitlines() if "[new]" in line]
    match = FAILING_LINE.match(line)
    assert match and match["rule"] == "DOC-PARSE" and match["message"].startswith("[new] "), line


# --- item 8: --quiet, exit codes in --help, rules show --------------------------------------

def test_quiet_prints_only_the_failing_lines(gated_repo: Path) -> None:
    report = _report(gated_repo)
    failing = [r for r in report["results"] if r["status"] in ("fail", "error")]
    result = run_cli("check", gated_repo, "--as-of", AS_OF, "--quiet")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines and all(FAILING_LINE.match(line) for line in lines), lines
    assert len(lines) == len(failing) and "Summary" not in result.stdout


def test_quiet_adds_observations_when_they_fail_the_run(gated_repo: Path) -> None:
    report = _report(gated_repo)
    failing = [r for r in report["results"] if r["status"] in ("fail", "error")]
    observations = sum(len(r["observations"]) for r in report["results"])
    assert observations, "the repository must carry an observation"
    result = run_cli("check", gated_repo, "--as-of", AS_OF, "--quiet", "--fail-on", "observation")
    lines = result.stdout.splitlines()
    assert all(FAILING_LINE.match(line) for line in lines) and len(lines) == len(failing) + observations


def test_quiet_does_not_change_the_exit_code(gated_repo: Path) -> None:
    quiet = run_cli("check", gated_repo, "--as-of", AS_OF, "--quiet", "--fail-on", "never")
    assert quiet.exit_code == 0 and quiet.stdout.splitlines()
    assert run_cli("check", gated_repo, "--as-of", AS_OF, "--quiet").exit_code == 1


def test_quiet_and_verbose_together_is_a_usage_error(small_repo: Path) -> None:
    result = run_cli("check", small_repo, "--quiet", "--verbose")
    assert result.exit_code == 2 and "--quiet" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("command", [[], ["check"], ["audit"]], ids=["imscheck", "check", "audit"])
def test_help_lists_the_exit_codes(command: list[str]) -> None:
    result = run_cli(*command, "--help")
    assert result.exit_code == 0
    help_text = result.stdout
    assert "Exit codes:" in help_text
    for code, words in (("0", "nothing at or above --fail-on"), ("1", "findings at or above --fail-on"), ("2", "usage, configuration or rule-pack error")):
        assert re.search(rf"^\s+{code}\s+{re.escape(words)}", help_text, re.M), help_text


def test_check_help_names_quiet_and_color() -> None:
    help_text = run_cli("check", "--help").stdout
    assert "--quiet" in help_text and "--color [auto|always|never]" in help_text and "NO_COLOR" in help_text


@pytest.mark.parametrize("typed, shown", [
    ("sms-9.3", "SMS-9.3: Management review"),
    ("SMS-9.3", "SMS-9.3: Management review"),
    ("Sms-9.3 ", "SMS-9.3: Management review"),
    ("doc-review", "DOC-REVIEW: "),
    ("git-approved-change", None),  # a git rule, whatever its id: any case finds it
])
def test_rules_show_accepts_any_case(typed: str, shown: str | None) -> None:
    if shown is None:
        listed = run_cli("rules", "list", "--format", "json").json()["git"]
        assert listed, "there are git rules"
        typed, shown = listed[0]["id"].lower(), f"{listed[0]['id']}: "
    result = run_cli("rules", "show", typed)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(shown)


@pytest.mark.parametrize("typed, suggested", [
    ("SMS-9.33", "SMS-9.3"),
    ("sms-93", "SMS-9.3"),
    ("DOC-REVEIW", "DOC-REVIEW"),
])
def test_rules_show_suggests_the_nearest_id(typed: str, suggested: str) -> None:
    result = run_cli("rules", "show", typed)
    assert result.exit_code == 2 and result.stdout == ""
    [line] = result.stderr.strip().splitlines()
    assert "did you mean" in line and re.search(rf"\b{re.escape(suggested)}\b", line.split("did you mean", 1)[1]), line


def test_rules_show_with_nothing_near_suggests_nothing() -> None:
    result = run_cli("rules", "show", "qqqqqqq")
    assert result.exit_code == 2 and "did you mean" not in result.stderr and "rules list" in result.stderr


# --- item 9: shell completion ---------------------------------------------------------------

def test_shell_completion_works_as_the_readme_says() -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    assert "_IMSCHECK_COMPLETE=bash_source imscheck" in readme
    done = subprocess.run([sys.executable, "-c", "from imscheck.cli import main; main(prog_name='imscheck')"],
                          env={**_env(), "_IMSCHECK_COMPLETE": "bash_source"}, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "_imscheck_completion" in done.stdout and "complete " in done.stdout
