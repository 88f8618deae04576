"""The command line as a user meets it: formats, outputs, exit codes, rule listings."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO_ROOT, run_cli
from test_relations import QUALITY_ONLY


@pytest.fixture
def quality_repo(make_repo) -> Path:
    return make_repo(QUALITY_ONLY)


def test_text_output_groups_by_clause_with_locations_and_summary(quality_repo: Path) -> None:
    result = run_cli("check", quality_repo, "--as-of", "2026-06-30")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith("imscheck ") and "as of 2026-06-30" in lines[0]
    assert "Clause 9" in lines and "Clause 5" in lines
    assert lines.index("Clause 5") < lines.index("Clause 9")
    # a missing document is shown at the run's anchor, like every finding: path:line: severity RULE
    assert any(re.match(rf"{re.escape(str(quality_repo))}/\S+:\d+: major +SMS-9\.3 Management review: ", line) for line in lines)
    assert lines[-2].startswith("Summary: ") and "failed" in lines[-2]
    assert "\x1b[" not in result.stdout  # no colour when not a terminal


def test_verbose_lists_passes_with_their_credit(quality_repo: Path) -> None:
    result = run_cli("check", quality_repo, "--as-of", "2026-06-30", "-v")
    line = next(line for line in result.stdout.splitlines() if "SMS-7.5.3" in line)
    assert f"{quality_repo}/quality/doc-control.md:" in line and "pass" in line and "ISO 9001 evidence" in line


@pytest.mark.parametrize(
    "fail_on, code",
    [("major", 1), ("never", 0)],
)
def test_fail_on_threshold(quality_repo: Path, fail_on: str, code: int) -> None:
    assert run_cli("check", quality_repo, "--as-of", "2026-06-30", "--fail-on", fail_on).exit_code == code


def test_output_file_and_extra_reports(quality_repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "out" / "report.json"
    junit = tmp_path / "junit.xml"
    text = tmp_path / "check.txt"
    result = run_cli("check", quality_repo, "--as-of", "2026-06-30", "--format", "json", "--output", out,
                     "--report", f"junit:{junit}", "--report", f"text:{text}")
    assert result.exit_code == 1 and result.stdout == ""
    assert out.read_text().startswith("{") and junit.read_text().startswith("<?xml")
    assert "Summary:" in text.read_text()


@pytest.mark.parametrize("value", ["junit", "pdf:x.pdf", "json:"])
def test_bad_report_option_is_a_usage_error(quality_repo: Path, value: str) -> None:
    result = run_cli("check", quality_repo, "--report", value)
    assert result.exit_code == 2 and "--report" in result.stderr and "Traceback" not in result.stderr


def test_as_of_must_be_a_date(quality_repo: Path) -> None:
    result = run_cli("check", quality_repo, "--as-of", "next week")
    assert result.exit_code == 2 and "--as-of" in result.stderr


def test_unknown_standard_is_exit_2(quality_repo: Path) -> None:
    result = run_cli("check", quality_repo, "--standard", "iso20000-1:1999")
    assert result.exit_code == 2 and "no rule pack for standard 'iso20000-1:1999'" in result.stderr


def test_rules_list_and_show() -> None:
    listed = run_cli("rules", "list")
    assert listed.exit_code == 0
    assert any(line.split()[:4] == ["SMS-9.3", "9.3", "partial", "major"] for line in listed.stdout.splitlines())
    assert "DOC-DUPKEY" in listed.stdout
    data = run_cli("rules", "list", "--format", "json").json()
    assert {"id": "SMS-7.5.3", "relation": "full"}.items() <= next(r for r in data["rules"] if r["id"] == "SMS-7.5.3").items()
    shown = run_cli("rules", "show", "SMS-9.3")
    assert shown.exit_code == 0
    assert "relation:    partial to ISO 9001:2015" in shown.stdout and "9.3 Management review" in shown.stdout
    assert "dated within 12 months" not in shown.stdout or "record" in shown.stdout
    assert "management review record from the last 12 months" in shown.stdout
    hygiene = run_cli("rules", "show", "DOC-DUPKEY")
    assert hygiene.exit_code == 0 and "duplicate" in hygiene.stdout.lower()
    missing = run_cli("rules", "show", "SMS-99")
    assert missing.exit_code == 2 and "no rule 'SMS-99'" in missing.stderr


def test_python_dash_m_runs_the_cli(quality_repo: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "imscheck", "check", str(quality_repo), "--as-of", "2026-06-30", "--fail-on", "never"],
                          capture_output=True, text=True, cwd=REPO_ROOT)
    assert proc.returncode == 0, proc.stderr
    assert "Summary:" in proc.stdout


def test_version_option() -> None:
    from imscheck import __version__

    result = run_cli("--version")
    assert result.exit_code == 0 and __version__ in result.stdout
