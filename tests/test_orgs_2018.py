"""Repositories written outside the project, in their own house styles, checked against ISO/IEC 20000-1:2018.

They are read in place from ../shared/orgs (never edited; broken copies go to a temporary
folder). Each README states what a correct checker reports: the expectations below are derived
from the pack's relation types, not from imscheck's own output.
"""

from __future__ import annotations

import os
import shutil
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import SHARED, results_by_rule, run_cli

ORGS = SHARED / "orgs"
CLASSIC = ORGS / "qms-classic-2015"
HANDBOOK = ORGS / "ims-handbook-2018"

pytestmark = pytest.mark.skipif(
    not HANDBOOK.is_dir() or not CLASSIC.is_dir(),
    reason=f"{ORGS} is not beside this checkout (a user's clone has no ../shared)",
)


def _report(repo: Path, *extra: str) -> dict[str, Any]:
    result = run_cli("check", str(repo), "--format", "json", "--fail-on", "never", *extra)
    assert result.exit_code == 0, result.stderr
    return result.json()


@pytest.fixture(scope="module")
def classic() -> dict[str, Any]:
    return _report(CLASSIC)


@pytest.fixture(scope="module")
def handbook() -> dict[str, Any]:
    return _report(HANDBOOK)


def _hard_failures(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for r in report["results"] if r["status"] == "fail" and r["severity"] in ("major", "minor")]


# -- an ISO 9001:2015 organisation with no service management system --------------------------


def test_iso9001_only_repository_has_no_hygiene_findings(classic: dict[str, Any]) -> None:
    assert [r["rule"] for r in classic["results"] if r["clause"] is None and r["status"] == "fail"] == []


def test_full_requirements_pass_on_existing_iso9001_evidence(classic: dict[str, Any]) -> None:
    full = [r for r in results_by_rule(classic).values() if r["relation"] == "full"]
    assert full, "the pack has fully related requirements"
    for result in full:
        assert result["status"] == "pass", (result["rule"], result["message"])
        vias = [e["via"] for e in result["evidence"]]
        assert any(v and v.startswith("iso9001:2015/") for v in vias), (result["rule"], vias)
        assert "ISO 9001" in result["message"]


def test_partial_requirements_fail_only_for_their_service_management_half(classic: dict[str, Any]) -> None:
    partial = [r for r in results_by_rule(classic).values() if r["relation"] == "partial"]
    assert partial
    for result in partial:
        assert result["status"] == "fail" and result["severity"] == "major", result["rule"]
        assert "ISO 9001 half missing" not in result["message"], (result["rule"], result["message"])
        assert "IT service management extension missing" in result["message"], result["rule"]
        credited = [e for e in result["evidence"] if (e["via"] or "").startswith("iso9001:2015/")]
        assert credited, f"{result['rule']}: the ISO 9001 half is credited and its evidence listed"
    assert classic["summary"]["by_relation"]["partial"]["credited"] == len(partial)
    text = run_cli("check", str(CLASSIC)).stdout
    assert f"({len(partial)} with their ISO 9001 half in place)" in text


def test_new_requirements_are_major_nonconformities(classic: dict[str, Any]) -> None:
    new = [r for r in results_by_rule(classic).values() if r["relation"] == "none"]
    assert new
    for result in new:
        assert (result["status"], result["severity"]) == ("fail", "major"), result["rule"]
        assert result["message"].startswith("Not addressed"), result["message"]


# -- an organisation certified to both standards ----------------------------------------------


def test_certified_repository_passes_the_gate() -> None:
    result = run_cli("check", str(HANDBOOK))
    assert result.exit_code == 0, result.stdout


def test_every_requirement_is_credited_through_the_right_halves(handbook: dict[str, Any]) -> None:
    requirements = results_by_rule(handbook).values()
    assert _hard_failures(handbook) == []
    for result in requirements:
        assert result["status"] == "pass", (result["rule"], result["message"])
        vias = [e["via"] or "" for e in result["evidence"]]
        if result["relation"] in ("partial", "full"):
            assert any(v.startswith("iso9001:2015/") for v in vias), (result["rule"], vias)
        if result["relation"] in ("partial", "none"):
            assert any(v.startswith("iso20000-1:2018/") for v in vias), (result["rule"], vias)


def test_certified_repository_has_few_observations(handbook: dict[str, Any]) -> None:
    observations = handbook["summary"]["observations"]
    # Topics an auditor reads for are matched tolerantly: a well-kept handbook written in its own
    # words should prompt at most a handful of them (one in twenty requirements).
    assert observations <= len(results_by_rule(handbook)) // 20, observations


# -- defects in a certified repository are still caught ---------------------------------------


def _writable_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "ims-handbook-2018"
    shutil.copytree(HANDBOOK, copy)
    for folder, _, files in os.walk(copy):  # the shared copy may be read-only
        os.chmod(folder, os.stat(folder).st_mode | stat.S_IWUSR)
        for name in files:
            path = os.path.join(folder, name)
            os.chmod(path, os.stat(path).st_mode | stat.S_IWUSR)
    return copy


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _drop_block(path: Path, start: str) -> None:
    """Remove a top-level front-matter field and its indented lines."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.startswith(start))
    end = at + 1
    while end < len(lines) and lines[end].startswith((" ", "\t")):
        end += 1
    path.write_text("".join(lines[:at] + lines[end:]), encoding="utf-8")


MR = "07-records/management/LD-MR-2026-management-review.md"
IA1 = "07-records/management/LD-IA-2026-01.yaml"
IA2 = "07-records/management/LD-IA-2026-02.yaml"
SLA_PG = "05-catalogue-and-agreements/LD-SLA-PG-managed-postgresql.md"
CHANGE_PROCEDURE = "03-process-handbook/LD-PH-CHG-change-management.md"
CONTINUITY_TEST = "07-records/assurance/LD-BCT-2026-01-hall-loss-exercise.md"
SECURITY_POLICY = "02-policies/LD-POL-02-information-security-policy.md"

DEFECTS: dict[str, Callable[[Path], None]] = {
    "management review older than 12 months": lambda root: _edit(root / MR, "date: 2026-05-20", "date: 2025-08-20"),
    "internal audits older than 12 months": lambda root: (
        _edit(root / IA1, "date: 2026-03-19", "date: 2025-07-19"),
        _edit(root / IA2, "date: 2026-06-17", "date: 2025-08-17"),
    ),
    "an SLA without its targets": lambda root: _drop_block(root / SLA_PG, "service_levels:"),
    "the change management procedure set to draft": lambda root: _edit(root / CHANGE_PROCEDURE, "status: approved", "status: draft"),
    "the continuity test record deleted": lambda root: (root / CONTINUITY_TEST).unlink(),
    "the information security policy withdrawn": lambda root: _edit(root / SECURITY_POLICY, "status: approved", "status: withdrawn"),
    "an SLA naming a service the catalogue lacks": lambda root: _edit(root / SLA_PG, "services: [ld-postgres]", "services: [ld-postgres, ld-mysql]"),
}

# (the annual cycles have 12 months and a stated month's grace: the dates above are well past both)
# defect -> (clause that must fail, file it must point at or None when the file is gone,
#            id of the document at fault: any other failure must be about it)
EXPECTED = {
    "management review older than 12 months": ("9.3", MR, "LD-MR-2026"),
    "internal audits older than 12 months": ("9.2", IA2, "LD-IA-2026"),
    "an SLA without its targets": ("8.3.3", SLA_PG, "LD-SLA-PG"),
    "the change management procedure set to draft": ("8.5.1.3", CHANGE_PROCEDURE, "LD-PH-CHG"),
    "the continuity test record deleted": ("8.7.2", None, "LD-BCT-2026-01"),
    "the information security policy withdrawn": ("8.7.3.1", SECURITY_POLICY, "LD-POL-02"),
    "an SLA naming a service the catalogue lacks": ("8.3.3", SLA_PG, "LD-SLA-PG"),
}


@pytest.mark.parametrize("defect", list(DEFECTS))
def test_a_defect_fails_at_its_clause_and_nothing_unrelated_fails(defect: str, tmp_path: Path) -> None:
    root = _writable_copy(tmp_path)
    DEFECTS[defect](root)
    clause, path, culprit = EXPECTED[defect]
    gate = run_cli("check", str(root))
    assert gate.exit_code == 1, gate.stdout
    report = _report(root)
    failures = _hard_failures(report)
    at_clause = [r for r in failures if r["clause"] == clause]
    assert at_clause, [(r["rule"], r["message"]) for r in failures]
    if path is not None:
        assert any(loc["path"] == path for r in at_clause for loc in r["locations"]), at_clause
    for other in failures:
        if other["clause"] == clause:
            continue
        # a consequence of the same defect (a register listing the withdrawn policy, a link to the
        # deleted record, the unknown service itself) names the document at fault
        assert culprit in other["message"] or any(loc["path"] == path for loc in other["locations"]), (other["rule"], other["message"])


def test_a_lapsed_record_is_minor_and_a_missing_requirement_major(tmp_path: Path) -> None:
    root = _writable_copy(tmp_path)
    DEFECTS["management review older than 12 months"](root)
    DEFECTS["the information security policy withdrawn"](root)
    results = results_by_rule(_report(root))
    assert (results["SMS-9.3"]["status"], results["SMS-9.3"]["severity"]) == ("fail", "minor")
    assert "lapsed" in results["SMS-9.3"]["message"] and "2025-08-20" in results["SMS-9.3"]["message"]
    assert "more than 12 months and 1 month's grace before 2026-10-31" in results["SMS-9.3"]["message"]
    assert (results["SMS-8.7.3.1"]["status"], results["SMS-8.7.3.1"]["severity"]) == ("fail", "major")
    assert "withdrawn" in results["SMS-8.7.3.1"]["message"]
