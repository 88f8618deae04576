"""A pre-commit hook pays start-up time on every commit: heavy modules load only when needed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from gate_docs import base_files

PROBE = """
import json, sys
from imscheck.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
heavy = sorted({m.split('.')[0] + ('.etree' if m.startswith('xml.etree') else '') for m in sys.modules
                if m.split('.')[0] in ('git', 'gitdb', 'junit_xml', 'xmlschema') or m.startswith('xml.etree')})
print(json.dumps(heavy), file=sys.stderr)
"""


def heavy_modules(*args: Any) -> list[str]:
    proc = subprocess.run([sys.executable, "-c", PROBE, *map(str, args)], capture_output=True, text=True, check=True)
    return json.loads(proc.stderr.strip().splitlines()[-1])


def test_plain_check_imports_neither_git_nor_xml(make_repo: Any, tmp_path: Path) -> None:
    repo = make_repo(base_files())
    assert heavy_modules("check", repo) == []
    assert heavy_modules("check", repo, "--format", "sarif") == []
    # comparing reads git objects with the git binary: GitPython is not loaded at all
    assert heavy_modules("check", repo, "--changed-since", "HEAD") == []
    # the probe can see them: JUnit loads ElementTree
    assert heavy_modules("check", repo, "--report", f"junit:{tmp_path / 'r.xml'}") == ["xml.etree"]


# --- start-up: --version and --help (issue 11) ------------------------------------------------
# Counted in modules, not time: what a run imports is what it pays for at every start.

STARTUP_PROBE = """
import json, runpy, sys
before = set(sys.modules)
sys.argv = ["imscheck"] + ARGS
try:
    runpy.run_module("imscheck", run_name="__main__", alter_sys=True)
except SystemExit:
    pass
print(json.dumps(sorted(set(sys.modules) - before)), file=sys.stderr)
"""


def startup_modules(*args: str) -> tuple[str, list[str]]:
    """What ``python -m imscheck ARGS`` prints, and the modules it imported beyond the interpreter's own."""
    probe = STARTUP_PROBE.replace("ARGS", repr(list(args)))
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60)
    return proc.stdout, json.loads(proc.stderr.strip().splitlines()[-1])


def test_version_imports_nothing_but_imscheck_itself() -> None:
    from click.testing import CliRunner

    from imscheck.cli import main

    out, modules = startup_modules("--version")
    assert out == CliRunner().invoke(main, ["--version"]).output  # the same words as click's option
    assert [m for m in modules if m.startswith("imscheck")] == ["imscheck"]  # (runpy drops imscheck.__main__ after)
    assert not [m for m in modules if m.split(".")[0] in ("click", "yaml", "pathlib", "jinja2", "jsonschema")]
    assert len(modules) <= 5, modules


def test_help_loads_click_and_the_cli_only() -> None:
    out, modules = startup_modules("--help")
    assert "Usage:" in out and "check" in out
    ours = [m for m in modules if m.startswith("imscheck")]
    # the command line, its error type, the names of the report formats and the contract's words
    # (terms imports nothing); no results, rules or parsing
    assert sorted(ours) == ["imscheck", "imscheck.cli", "imscheck.errors", "imscheck.reports", "imscheck.terms"]
    assert not [m for m in modules if m.split(".")[0] in ("yaml", "pathlib", "jinja2", "jsonschema", "dataclasses", "hashlib")]

