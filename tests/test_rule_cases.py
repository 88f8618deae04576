"""Pass and fail cases beside the rules (``*.cases.yaml``) and ``imscheck rules test``.

Every shipped case runs here through the library, one test each (ids: file::case). The CLI is
tested on a user's own rule folder written in tmp_path, as a rule author meets it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import REPO_ROOT, run_cli

from imscheck.errors import ImscheckError
from imscheck.rulecases import Case, describe, find_case_files, load_case_file, run_case
from imscheck.rules import load_pack

RULES = REPO_ROOT / "rules"
# packs whose every rule must have a passing and a failing case
COVERED_PACKS = ("iso20000-1-2018", "iso20000-1-2011")


def _shipped_cases() -> list[Case]:
    return [case for path in find_case_files(RULES) for case in load_case_file(path)]


SHIPPED = _shipped_cases()


@pytest.mark.parametrize("case", SHIPPED, ids=[f"{Path(c.source).relative_to(RULES).as_posix()}::{c.name}" for c in SHIPPED])
def test_shipped_case(case: Case) -> None:
    run = run_case(case)
    assert run.passed, describe(run)


@pytest.mark.parametrize("pack", COVERED_PACKS)
def test_every_rule_of_the_pack_has_a_passing_and_a_failing_case(pack: str) -> None:
    from imscheck.api import catalogues
    from imscheck.resources import rules_dir

    folder = RULES / "packs" / pack
    target = next(c.target for c in SHIPPED if Path(c.source).parent == folder)
    assert target is not None
    rules = {rule.id for rule in load_pack(rules_dir(), target, catalogues()).rules}
    expected = [(e.rule, e.status) for c in SHIPPED if Path(c.source).parent == folder for e in c.expect]
    assert sorted(rules - {rule for rule, status in expected if status == "pass"}) == []
    assert sorted(rules - {rule for rule, status in expected if status == "fail"}) == []
    assert {rule for rule, _ in expected} <= rules, "a case names a rule the pack does not have"


RULE = """\
rules:
  - id: ACME-CONT
    clause: "8.7.2"
    severity: major
    relation: {type: none}
    evidence:
      - select: {type: record, addresses: self}
        expect: continuity test record from the last 12 months
        fresh: {within_months: 12}
        fields: [outcome]
    guidance: Test the continuity plan every year and record the outcome.
"""

TEST_RECORD = """\
        id: REC-BCT-{year}
        title: Continuity test {year}
        type: record
        date: {year}-03-10
        addresses: [iso20000-1:2018/8.7.2]
        outcome: Fail-over to the second site in 42 minutes, within the 4-hour target.
"""


def _cases(*cases: str, header: str = "as_of: 2026-06-30\n") -> str:
    return header + "cases:\n" + "".join(cases)


def _case(name: str, year: int, expect: str) -> str:
    return (f"  - name: {name}\n    files:\n      records/REC-BCT-{year}.yaml: |\n" + TEST_RECORD.format(year=year)
            + f"    expect:\n      {expect}\n")


def _folder(tmp_path: Path, cases: str, name: str = "acme") -> Path:
    folder = tmp_path / "my-rules"
    folder.mkdir(exist_ok=True)
    (folder / "continuity.yaml").write_text(RULE, encoding="utf-8")
    (folder / f"{name}.cases.yaml").write_text(cases, encoding="utf-8")
    return folder


def _tree(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))


def test_a_users_rule_folder_passing_and_deliberately_wrong(tmp_path: Path) -> None:
    folder = _folder(tmp_path, _cases(
        _case("a recent test passes", 2026, "ACME-CONT: pass"),
        _case("an old test is lapsed", 2024, "ACME-CONT: {status: fail, severity: minor}"),
        _case("wrong on purpose", 2024, "ACME-CONT: pass"),
    ))
    before = _tree(tmp_path)
    result = run_cli("rules", "test", str(folder))
    assert result.exit_code == 1, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    where = f"{folder}/acme.cases.yaml"
    assert lines[0] == f"PASS {where}:3 a recent test passes"
    assert lines[1] == f"PASS {where}:14 an old test is lapsed"
    assert lines[2] == f"FAIL {where}:25 wrong on purpose"
    assert lines[3].startswith("    ACME-CONT: expected pass, got fail minor: ") and "REC-BCT-2024" in lines[3], lines[3]
    assert lines[-1] == "3 cases: 2 passed, 1 failed"
    assert result.stderr == ""
    assert _tree(tmp_path) == before, "a case is written into a temporary folder, never beside the rules"


def test_all_cases_passing_exit_0_and_the_case_file_is_no_rule_file(tmp_path: Path) -> None:
    folder = _folder(tmp_path, _cases(_case("recent", 2026, "ACME-CONT: pass")))
    result = run_cli("rules", "test", str(folder))
    assert (result.exit_code, result.stdout.splitlines()[-1]) == (0, "1 case: 1 passed, 0 failed")
    twice = run_cli("rules", "test", str(folder), str(folder))
    assert twice.stdout.splitlines()[-1] == "1 case: 1 passed, 0 failed", "a folder named twice runs its cases once"
    # --rules reads the rule files of the folder, not its cases
    listed = run_cli("rules", "list", "--rules", str(folder), "--format", "json")
    assert listed.exit_code == 0, listed.stderr
    assert "ACME-CONT" in listed.stdout


def test_a_case_sets_its_configuration_standard_and_date(tmp_path: Path) -> None:
    waived = """\
  - name: waived by the case's configuration
    as_of: 2026-01-15
    config: |
      waivers:
        - rule: ACME-CONT
          reason: the second site opens in March
          approved_by: Managing Director
          expires: 2026-04-30
    files: {}
    expect:
      ACME-CONT: waived
      CFG-WAIVER: pass
  - name: the same waiver has expired on the file's date
    config: |
      waivers:
        - rule: ACME-CONT
          reason: the second site opens in March
          approved_by: Managing Director
          expires: 2026-04-30
    files:
      notes/readme.md: "# Continuity notes\\n"
    expect:
      ACME-CONT: {status: fail, severity: major}
      CFG-WAIVER: {status: fail, severity: minor}
"""
    folder = _folder(tmp_path, _cases(waived))
    result = run_cli("rules", "test", str(folder))
    assert result.exit_code == 0, result.stdout


def test_a_case_on_another_edition(tmp_path: Path) -> None:
    folder = tmp_path / "rules-2011"
    folder.mkdir()
    (folder / "r.yaml").write_text(RULE.replace("ACME-CONT", "ACME-2011").replace('"8.7.2"', '"6.3"'), encoding="utf-8")
    (folder / "r.cases.yaml").write_text(
        "standard: iso20000-1:2011\ncases:\n"
        "  - name: a 2011 continuity test\n    files:\n      REC-1.yaml: |\n"
        "        {id: REC-1, title: Test, type: record, date: 2026-05-01, addresses: [iso20000-1:2011/6.3], outcome: passed}\n"
        "    expect: {ACME-2011: pass}\n", encoding="utf-8")
    result = run_cli("rules", "test", str(folder))
    assert result.exit_code == 0, result.stdout + result.stderr


@pytest.mark.parametrize("text, said", [
    ("cases:\n  - name: x\n    expect: {ACME-CONT: pass}\n", "line 2: at cases/0: 'files' is a required property"),
    ("cases:\n  - name: x\n    files: {}\n    expect: {ACME-CONT: passed}\n", "line 4: at cases/0/expect/ACME-CONT:"),
    ("cases:\n  - name: x\n    files: {}\n    expect: {ACME-CONT: pass}\n  - name: x\n    files: {}\n    expect: {ACME-CONT: pass}\n",
     "line 5: case name 'x' is used twice in the file"),
    ("as_of: 2026-02-30\ncases: []\n", "line 1: invalid YAML: invalid date '2026-02-30'"),
    ("as_of: '2026-02-30'\ncases:\n  - {name: x, files: {}, expect: {ACME-CONT: pass}}\n",
     "line 1: as_of: '2026-02-30' is not a real date"),
    ("cases:\n  - name: x\n    files: {}\n    files: {}\n    expect: {ACME-CONT: pass}\n", "line 4: key 'cases.0.files' appears twice"),
    ("cases: [\n", "line 2: invalid YAML"),
    # a passing result has no severity to compare: such an expectation could never be met
    ("cases:\n  - name: x\n    files: {}\n    expect: {ACME-CONT: {status: pass, severity: minor}}\n", "line 4: at cases/0/expect/ACME-CONT:"),
])
def test_a_malformed_case_file_is_one_line_and_exit_2(tmp_path: Path, text: str, said: str) -> None:
    folder = _folder(tmp_path, text)
    result = run_cli("rules", "test", str(folder))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert result.stderr.startswith(f"imscheck: error: {folder}/acme.cases.yaml: {said}"), result.stderr


@pytest.mark.parametrize("path", ["../x", "/etc/x", "docs/../../x", "./x", "a//b", ".git/config", "C:x", "docs\\x", "x.", "a\tb"])
def test_a_path_that_could_leave_the_case_folder_is_refused(tmp_path: Path, path: str) -> None:
    quoted = '"' + path.replace("\\", "\\\\").replace("\t", "\\t") + '"'
    case = f"  - name: escape\n    files:\n      ok.md: hello\n      {quoted}: boom\n    expect: {{ACME-CONT: pass}}\n"
    folder = _folder(tmp_path, _cases(case))
    with pytest.raises(ImscheckError) as caught:
        load_case_file(folder / "acme.cases.yaml")
    assert str(caught.value).startswith(f"{folder}/acme.cases.yaml: line 6: files: "), str(caught.value)
    result = run_cli("rules", "test", str(folder))
    assert result.exit_code == 2 and result.stdout == ""
    assert not (tmp_path / "x").exists() and not Path("/etc/x").exists()


def test_paths_that_clash_are_refused(tmp_path: Path) -> None:
    for files, said in [("      a.md: x\n      A.md: y\n", "line 7: files: 'A.md' is given twice"),
                        ("      docs: x\n      docs/a.md: y\n", "line 6: files: 'docs' is a file and also a folder"),
                        ("      imscheck.yaml: 'standard: iso20000-1:2018'\n", "line 6: files: imscheck.yaml and config: both")]:
        text = _cases(f"  - name: clash\n    config: 'fail_on: major'\n    files:\n{files}    expect: {{ACME-CONT: pass}}\n")
        folder = _folder(tmp_path, text)
        with pytest.raises(ImscheckError) as caught:
            load_case_file(folder / "acme.cases.yaml")
        assert said in str(caught.value)


def test_no_case_files_is_exit_2(tmp_path: Path) -> None:
    folder = tmp_path / "empty-rules"
    folder.mkdir()
    (folder / "continuity.yaml").write_text(RULE, encoding="utf-8")
    result = run_cli("rules", "test", str(folder))
    assert result.exit_code == 2
    assert result.stderr == (f"imscheck: error: {folder}: no *.cases.yaml files found: "
                             "put each rule's cases beside it as <name>.cases.yaml\n")


def test_linked_folders_are_not_entered_and_a_linked_case_file_is_refused(tmp_path: Path) -> None:
    folder = _folder(tmp_path, _cases(_case("recent", 2026, "ACME-CONT: pass")))
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "other.cases.yaml").write_text(_cases(_case("elsewhere", 2026, "ACME-CONT: fail")), encoding="utf-8")
    os.symlink(outside, folder / "linked")
    assert find_case_files(folder) == [folder / "acme.cases.yaml"]
    os.symlink(outside / "other.cases.yaml", folder / "zz.cases.yaml")
    result = run_cli("rules", "test", str(folder))
    assert result.exit_code == 2
    assert "zz.cases.yaml" in result.stderr and "symbolic link" in result.stderr


def test_a_case_whose_configuration_is_broken_names_the_case(tmp_path: Path) -> None:
    folder = _folder(tmp_path, _cases("  - name: bad config\n    config: 'standard: [1'\n    files: {}\n    expect: {ACME-CONT: pass}\n"))
    result = run_cli("rules", "test", str(folder))
    assert result.exit_code == 2 and len(result.stderr.splitlines()) == 1
    said = f"imscheck: error: {folder}/acme.cases.yaml:3: case 'bad config': the check stopped: imscheck.yaml: line 2: invalid YAML"
    assert result.stderr.startswith(said), result.stderr


def test_a_pack_folder_other_than_the_installed_one_is_refused(tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "iso20000-1-2018"
    shutil.copytree(RULES / "packs" / "iso20000-1-2018", copy)
    result = run_cli("rules", "test", str(copy))
    assert result.exit_code == 2
    assert "pack.yaml: a pack folder for iso20000-1:2018, but not the one this imscheck runs" in result.stderr


def test_an_unknown_rule_in_a_case_fails_it_and_says_so(tmp_path: Path) -> None:
    folder = _folder(tmp_path, _cases(_case("typo", 2026, "ACME-CONTT: pass")))
    result = run_cli("rules", "test", str(folder))
    assert result.exit_code == 1
    assert "    ACME-CONTT: expected pass, but the run has no result for ACME-CONTT" in result.stdout


def test_help_says_what_the_exit_codes_mean() -> None:
    result = run_cli("rules", "test", "--help")
    assert result.exit_code == 0
    assert "*.cases.yaml" in result.stdout
    for line in ("0  every case passed", "1  a case failed", "2  a bad case file or rule file, or no case files found"):
        assert line in result.stdout


def test_a_pass_where_a_failure_was_expected_shows_no_severity(tmp_path: Path) -> None:
    """A passing result has no severity: the line says what came out, not the rule's default."""
    folder = _folder(tmp_path, _cases(_case("expected lapsed, but recent", 2026, "ACME-CONT: {status: fail, severity: minor}")))
    result = run_cli("rules", "test", str(folder))
    assert result.exit_code == 1
    assert result.stdout.splitlines()[1].startswith("    ACME-CONT: expected fail minor, got pass: "), result.stdout
