"""Shared fixtures: real files in temporary git repositories, and the CLI as a user runs it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import textwrap
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from imscheck.cli import main

# A bug of imscheck's own is one line and exit 2 for users (cli._guard); the tests want the traceback.
os.environ["IMSCHECK_TRACEBACK"] = "1"

REPO_ROOT = Path(__file__).resolve().parents[1]
SAMPLE_ORG = REPO_ROOT / "sample-org"
SHARED = REPO_ROOT.parent / "shared"

FileContent = str | bytes


@dataclass(frozen=True)
class CliResult:
    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


def run_cli(*args: str, cwd: Path | None = None) -> CliResult:
    """Invoke ``imscheck ARGS`` in-process, stdout and stderr kept apart."""
    runner = CliRunner()
    result = runner.invoke(main, [str(a) for a in args], catch_exceptions=False)
    return CliResult(result.exit_code, result.stdout, result.stderr)


def git(repo: Path, *args: str) -> str:
    proc = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True)
    return proc.stdout


def init_git(repo: Path) -> None:
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.email", "tests@imscheck.invalid")
    git(repo, "config", "user.name", "imscheck tests")
    git(repo, "config", "commit.gpgsign", "false")


def commit_all(repo: Path, message: str = "update") -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", message)
    return git(repo, "rev-parse", "HEAD").strip()


def write_files(root: Path, files: Mapping[str, FileContent]) -> None:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")


@pytest.fixture
def make_repo(tmp_path: Path) -> Callable[..., Path]:
    """Build a git repository from ``{path: content}`` and commit it."""
    counter = {"n": 0}

    def build(files: Mapping[str, FileContent], *, git_init: bool = True, name: str | None = None) -> Path:
        counter["n"] += 1
        root = tmp_path / (name or f"repo{counter['n']}")
        root.mkdir(parents=True)
        write_files(root, files)
        if git_init:
            init_git(root)
            commit_all(root, "initial")
        return root

    return build


@pytest.fixture
def sample_copy(tmp_path: Path) -> Path:
    """A git repository holding a copy of sample-org, free to be changed by the test."""
    root = tmp_path / "sample-org"
    shutil.copytree(SAMPLE_ORG, root)
    init_git(root)
    commit_all(root, "sample-org")
    return root


def results_by_rule(report: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Requirement results of a JSON report, by rule id."""
    return {r["rule"]: r for r in report["results"] if r["clause"] is not None}


def failing(report: Mapping[str, Any], rule: str | None = None) -> Sequence[dict[str, Any]]:
    return [r for r in report["results"] if r["status"] == "fail" and (rule is None or r["rule"] == rule)]


CHROMIUM = "/usr/bin/chromium"
# No sandbox as root in CI; no background networking, component updates or sync: Chromium's own
# traffic would otherwise be refused by the closed network at every start.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's headless Chromium through Playwright (which never downloads a browser of its own)."""
    executable = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    if executable is None:
        pytest.skip(f"no Chromium at {CHROMIUM}: install Debian's chromium package (.ci/run does when apt-get can)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed: pip install -e '.[test]'")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def screenshots() -> Path:
    """A fixed folder in the system's temporary directory (pytest's own rotates away after three
    runs): CI can keep it as an artefact and a person can look at the pictures."""
    folder = Path(os.environ.get("IMSCHECK_SCREENSHOTS") or Path(tempfile.gettempdir()) / "imscheck-audit-screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def open_page(browser: Any, page_path: Path, requests: list[str]) -> Any:
    """A page in a fresh offline context, every request it makes recorded in ``requests``."""
    context = browser.new_context(viewport={"width": 1366, "height": 900}, offline=True)
    page = context.new_page()
    page.on("request", lambda request: requests.append(request.url))
    page.goto(page_path.as_uri())
    return page


def read_terminal(master: int, limit: float = 120) -> str:
    """Everything a child writes to the pty ``master`` until it closes it (then closes ``master``).

    ``limit`` is the harness's guard against a hang, never a timed assertion.
    """
    import select

    chunks: list[bytes] = []
    try:
        while True:
            ready, _, _ = select.select([master], [], [], limit)
            if not ready:
                break
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not data:
                break
            chunks.append(data)
    finally:
        os.close(master)
    return b"".join(chunks).decode("utf-8", "replace")


def load_generator() -> Any:
    """benchmarks/generate_repo.py as a module (a script beside the package, not part of it)."""
    import importlib.util
    import sys

    spec = importlib.util.spec_from_file_location("generate_repo", REPO_ROOT / "benchmarks" / "generate_repo.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module

