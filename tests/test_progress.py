"""Progress on long runs (issue 11 item 6): on a terminal, one line on stderr rewritten in place
with a carriage return and cleared at the end; nothing on a pipe, nothing with ``--quiet``.

stderr is a real terminal here (a pty); ``IMSCHECK_PROGRESS_AFTER=0`` shows the line from the
first file, so the test does not depend on how long the run takes.
"""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import read_terminal

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = 1000


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = tmp_path_factory.mktemp("progress") / "repo"
    made = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "generate_repo.py"), str(repo), "--documents", str(DOCUMENTS),
                           "--single-commit"], capture_output=True, text=True, timeout=300)
    assert made.returncode == 0, made.stderr
    return repo


def _env(after: str | None = "0") -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    env.pop("IMSCHECK_PROGRESS_AFTER", None)
    if after is not None:
        env["IMSCHECK_PROGRESS_AFTER"] = after
    return env


def _on_terminal(args: list[str], out: Path, env: dict[str, str]) -> tuple[int, str]:
    """``imscheck ARGS`` with stderr a pty and stdout a file; returns the exit code and what the terminal got."""
    master, slave = pty.openpty()
    with out.open("wb") as stdout:
        proc = subprocess.Popen([sys.executable, "-m", "imscheck", *args], env=env, stdout=stdout, stderr=slave, stdin=subprocess.DEVNULL)
    os.close(slave)
    terminal = read_terminal(master)
    return proc.wait(timeout=120), terminal


def _lines(terminal: str) -> list[str]:
    return [part.strip() for part in terminal.split("\r") if part.strip()]


def test_check_on_a_terminal_shows_its_phases_in_place_and_clears_the_line(generated: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    code, terminal = _on_terminal(["check", str(generated), "--format", "json"], out, _env())
    assert code in (0, 1), terminal
    shown = _lines(terminal)
    reading = [line for line in shown if line.startswith("imscheck: reading ")]
    assert len(reading) >= 2, shown  # updated as files are read, not once
    assert reading[0] == f"imscheck: reading 0 of {DOCUMENTS:,} files ..."
    assert "imscheck: checking documents ..." in shown and "imscheck: evaluating rules ..." in shown
    assert shown.index("imscheck: checking documents ...") < shown.index("imscheck: evaluating rules ...")
    assert "\n" not in terminal  # one line, rewritten in place
    assert terminal.endswith("\r") and terminal.rstrip("\r").split("\r")[-1].strip() == ""  # cleared at the end
    json.loads(out.read_text(encoding="utf-8"))  # the report itself is untouched


def test_audit_on_a_terminal_shows_progress_and_writes_the_page(generated: Path, tmp_path: Path) -> None:
    page = tmp_path / "audit.html"
    code, terminal = _on_terminal(["audit", str(generated), "-o", str(page)], tmp_path / "stdout", _env())
    assert code == 0, terminal
    shown = _lines(terminal)
    assert "imscheck: writing the report ..." in shown and any(line.startswith("imscheck: reading ") for line in shown)
    assert terminal.rstrip("\r").split("\r")[-1].strip() == ""
    assert page.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


@pytest.mark.parametrize("command", [["check", "--quiet"], ["audit", "--quiet"], ["audit", "-q"]])
def test_quiet_shows_no_progress(generated: Path, tmp_path: Path, command: list[str]) -> None:
    args = [command[0], str(generated), *command[1:], "-o", str(tmp_path / "out")]
    code, terminal = _on_terminal(args, tmp_path / "stdout", _env())
    assert code in (0, 1), terminal
    assert terminal == ""


def test_a_pipe_gets_no_progress(generated: Path) -> None:
    for command in (["check", "--format", "json"], ["audit", "--format", "markdown"]):
        done = subprocess.run([sys.executable, "-m", "imscheck", command[0], str(generated), *command[1:]], env=_env(),
                              capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
        assert done.returncode in (0, 1), done.stderr
        assert done.stderr == ""
        assert "\r" not in done.stdout and "imscheck: reading" not in done.stdout


def test_an_error_line_starts_on_a_clean_line(tmp_path: Path) -> None:
    # set-up error after progress has begun: the error is one clean line, no progress left on it
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "imscheck.yaml").write_text("standard: iso20000-1:1999\n", encoding="utf-8")
    code, terminal = _on_terminal(["check", str(repo)], tmp_path / "stdout", _env())
    assert code == 2
    assert "imscheck: error:" in terminal
    last = terminal.replace("\r\n", "\n").split("\n")
    error = next(line for line in last if "imscheck: error:" in line)
    assert error.split("\r")[-1].startswith("imscheck: error:")
