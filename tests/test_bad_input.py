"""A corpus of broken repositories: each gives a clear finding (or exit 2), never a traceback."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import run_cli
from docbuilder import GOOD

BILLION_LAUGHS = "id: LOL\ntype: record\na: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
    for i in range(8)
)

# case id -> (files, expected (rule, path, line) findings)
CASES: dict[str, tuple[dict[str, object], list[tuple[str, str, int]]]] = {
    "unparseable-yaml": ({"bad.yaml": "id: R-1\ntitle: [unclosed\ntype: record\n"}, [("DOC-PARSE", "bad.yaml", 3)]),
    "front-matter-not-closed": ({"open.md": "---\nid: P-1\ntitle: x\n# Heading\n"}, [("DOC-PARSE", "open.md", 1)]),
    "front-matter-not-a-mapping": ({"list.md": "---\n- a\n- b\n---\n"}, [("DOC-PARSE", "list.md", 2)]),
    "duplicate-keys": (
        {"dup.md": GOOD.replace('version: "1.0"\n', 'version: "1.0"\nowner: Someone else\n').replace("POL-OK", "POL-DUP")},
        [("DOC-DUPKEY", "dup.md", 7)],
    ),
    "invalid-utf8": ({"latin1.md": b"---\nid: P-2\ntitle: Caf\xe9 policy\ntype: policy\n---\n"}, [("DOC-PARSE", "latin1.md", 3)]),
    "control-character": ({"nul.yaml": "id: R-9\ntitle: r\ntype: record\nnote: a\x00b\n"}, [("DOC-PARSE", "nul.yaml", 4)]),
    "json-too-deep": ({"deep.json": '{"id": "R-6", "type": "record", "x": ' + "[" * 60 + "]" * 60 + "}"}, [("DOC-PARSE", "deep.json", 1)]),
    "two-yaml-documents": ({"two.yaml": "id: R-7\ntitle: r\ntype: record\n---\nid: R-8\n"}, [("DOC-PARSE", "two.yaml", 1)]),
    "edition-typo": (
        {"p.md": GOOD.replace("review:", "addresses: [iso9001:2051/7.5]\nreview:")},
        [("DOC-CLAUSE", "p.md", 10)],
    ),
    "empty-file": ({"empty.yaml": ""}, [("DOC-EMPTY", "empty.yaml", 1)]),
    "unknown-type": ({"memo.md": GOOD.replace("type: policy", "type: memo")}, [("DOC-SCHEMA", "memo.md", 4)]),
    "duplicate-ids": (
        {"a.md": GOOD, "b.md": GOOD},
        [("DOC-ID-UNIQUE", "a.md", 2)],
    ),
    "dangling-references": (
        {"p.md": GOOD.replace("review:", "related: [POL-OK, NOPE-9]\nreview:")},
        [("DOC-REF", "p.md", 10)],
    ),
    "unknown-clause": (
        {"p.md": GOOD.replace("review:", "addresses: [iso9001:2015/7.5.9, iso14001:2015/6.1]\nreview:")},
        [("DOC-CLAUSE", "p.md", 10)],
    ),
    "unquoted-version": ({"v.md": GOOD.replace('version: "1.0"', "version: 1.10")}, [("DOC-SCHEMA", "v.md", 6)]),
    "impossible-date": ({"d.yaml": "id: R-3\ntitle: r\ntype: record\ndate: 2026-02-30\n"}, [("DOC-PARSE", "d.yaml", 4)]),
    "too-deep": ({"deep.yaml": "id: R-4\ntype: record\nx: " + "[" * 80 + "]" * 80 + "\n"}, [("DOC-PARSE", "deep.yaml", 3)]),
    "billion-laughs": ({"lol.yaml": BILLION_LAUGHS}, [("DOC-PARSE", "lol.yaml", 7)]),
    "record-in-the-future": ({"f.yaml": "id: R-5\ntitle: r\ntype: record\ndate: 2030-01-01\n"}, [("DOC-DATE", "f.yaml", 4)]),
    "approved-without-approver": ({"p.md": GOOD.replace("approved_by: Managing Director\n", "")}, [("DOC-APPROVAL", "p.md", 7)]),
    "overdue-review": ({"p.md": GOOD.replace("interval_months: 12", "interval_months: 3")}, [("DOC-REVIEW", "p.md", 10)]),
}


def _findings(report: dict) -> list[tuple[str, str, int]]:
    for r in report["results"]:
        assert "\n" not in r["message"], r["message"]  # one line per finding
    return [(r["rule"], loc["path"], loc["line"]) for r in report["results"] if r["status"] == "fail" and r["clause"] is None for loc in r["locations"]]


@pytest.mark.parametrize("case", sorted(CASES))
def test_broken_input_is_a_located_finding(case: str, make_repo) -> None:
    files, expected = CASES[case]
    repo = make_repo(files)
    result = run_cli("check", repo, "--format", "json", "--as-of", "2026-06-01")
    assert "Traceback" not in result.stdout + result.stderr
    assert result.exit_code == 1, result.stderr
    found = _findings(result.json())
    for finding in expected:
        assert finding in found, f"{finding} not in {found}"


def test_defective_documents_earn_no_credit(make_repo) -> None:
    """A policy with duplicate keys addresses 5.1 but must not satisfy the ISO 9001 half."""
    doc = GOOD.replace("review:", "addresses: [iso9001:2015/5.1, iso20000-1:2018/5.1]\nreview:")
    clean = make_repo({"p.md": doc})
    broken = make_repo({"p.md": doc.replace('version: "1.0"\n', 'version: "1.0"\nversion: "1.1"\n')})
    for repo, expected in ((clean, False), (broken, True)):
        report = run_cli("check", repo, "--format", "json", "--as-of", "2026-06-01").json()
        rule = next(r for r in report["results"] if r["rule"] == "SMS-5.1")
        assert ("ISO 9001 half missing" in rule["message"]) is expected, rule["message"]


def test_duplicate_ids_list_every_file(make_repo) -> None:
    repo = make_repo({"a.md": GOOD, "sub/b.md": GOOD, "c.md": GOOD})
    report = run_cli("check", repo, "--format", "json", "--as-of", "2026-06-01").json()
    dup = [r for r in report["results"] if r["rule"] == "DOC-ID-UNIQUE" and r["status"] == "fail"]
    assert len(dup) == 1
    assert [loc["path"] for loc in dup[0]["locations"]] == ["a.md", "c.md", "sub/b.md"]


def test_symlink_outside_the_repository_is_never_followed(make_repo, tmp_path: Path) -> None:
    secret = tmp_path / "secret.md"
    secret.write_text(GOOD.replace("POL-OK", "SECRET-1"))
    repo = make_repo({"a.md": GOOD})
    os.symlink(secret, repo / "outside.md")
    result = run_cli("check", repo, "--format", "json", "--as-of", "2026-06-01")
    assert ("DOC-SYMLINK", "outside.md", 1) in _findings(result.json())
    assert "SECRET-1" not in result.stdout


def test_directory_named_like_a_document_does_not_break_the_run(make_repo) -> None:
    repo = make_repo({"policy.md/readme.txt": "a folder", "real.md": GOOD})
    result = run_cli("check", repo, "--format", "json", "--as-of", "2026-06-01")
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    assert not [f for f in _findings(result.json()) if f[0].startswith("DOC-")]


@pytest.mark.parametrize(
    "config, expected",
    [
        ("standard: [unclosed\n", "line 2"),
        ("as_of: 2026-13-01\n", "invalid date"),
        ("as_of: yesterday\n", "as_of"),
        ("fail_on: sometimes\n", "fail_on"),
        ("unknown_key: 1\n", "unknown_key"),
        ("standard: iso20000-1:1999\n", "iso20000-1:1999"),
        ("exclude: a\nexclude: b\n", "appears twice"),
        ("base: iso9001:2008\n", "'iso9001:2008' is not the base of iso20000-1:2018"),
    ],
)
def test_broken_config_is_exit_2_with_one_line(config: str, expected: str, make_repo) -> None:
    repo = make_repo({"imscheck.yaml": config, "a.md": GOOD})
    result = run_cli("check", repo)
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "imscheck.yaml" in lines[0] and expected in lines[0], lines
    assert result.stdout == ""


@pytest.mark.parametrize("compare", [(), ("--staged",), ("--changed-since", "HEAD")])
def test_missing_or_file_repository_is_exit_2(tmp_path: Path, compare: tuple[str, ...]) -> None:
    """The same message whether the check compares with git or not."""
    (tmp_path / "file.md").write_text("x")
    for target, said in ((tmp_path / "nope", "repository folder does not exist"), (tmp_path / "file.md", "not a folder")):
        result = run_cli("check", target, *compare)
        assert result.exit_code == 2 and str(target) in result.stderr and "Traceback" not in result.stderr
        assert said in result.stderr


def test_check_never_writes_into_the_repository(make_repo) -> None:
    from conftest import git

    repo = make_repo({"a.md": GOOD, "bad.yaml": "id: [\n"})
    before = sorted(p.relative_to(repo).as_posix() for p in repo.rglob("*") if ".git" not in p.parts)
    run_cli("check", repo, "--format", "json")
    after = sorted(p.relative_to(repo).as_posix() for p in repo.rglob("*") if ".git" not in p.parts)
    assert before == after
    assert git(repo, "status", "--porcelain") == ""


def test_size_limit_has_a_safe_default_that_imscheck_yaml_can_change(make_repo) -> None:
    big = GOOD + "\n" + "Body text. " * 200_000  # about 2 MB: over the default limit
    repo = make_repo({"big.md": big})
    found = _findings(run_cli("check", repo, "--format", "json", "--as-of", "2026-06-01").json())
    assert ("DOC-PARSE", "big.md", 1) in found
    raised = make_repo({"big.md": big, "imscheck.yaml": "limits: {max_bytes: 5000000}\n"})
    found = _findings(run_cli("check", raised, "--format", "json", "--as-of", "2026-06-01").json())
    assert not [f for f in found if f[0] == "DOC-PARSE"]


def test_service_ids_resolve_against_the_service_catalogue(make_repo) -> None:
    catalogue = GOOD.replace("POL-OK", "CAT-1").replace("type: policy", "type: catalogue").replace("review:", "services: [svc-mail]\nreview:")
    sla = GOOD.replace("POL-OK", "SLA-1").replace("type: policy", "type: agreement").replace("review:", "services: [svc-mail, svc-fax]\nreview:")
    repo = make_repo({"cat.md": catalogue, "sla.md": sla})
    report = run_cli("check", repo, "--format", "json", "--as-of", "2026-06-01").json()
    service = [r for r in report["results"] if r["rule"] == "DOC-SERVICE" and r["status"] == "fail"]
    assert [(r["locations"], "svc-fax" in r["message"]) for r in service] == [([{"path": "sla.md", "line": 10}], True)]
    no_catalogue = make_repo({"sla.md": sla})  # without a catalogue there is nothing to resolve against
    report = run_cli("check", no_catalogue, "--format", "json", "--as-of", "2026-06-01").json()
    assert not [r for r in report["results"] if r["rule"] == "DOC-SERVICE" and r["status"] == "fail"]


def test_yaml_files_that_are_not_documents_are_left_alone(make_repo) -> None:
    repo = make_repo({
        "mkdocs.yml": "site_name: Handbook\nmarkdown_extensions:\n  - x: !!python/name:pymdownx.emoji.twemoji\n",
        "ci.yaml": "stage: one\n---\nstage: two\n",
        "odd.yaml": "when: 2026-13-40\n",
        "a.md": GOOD,
    })
    found = _findings(run_cli("check", repo, "--format", "json", "--as-of", "2026-06-01").json())
    assert not [f for f in found if f[0].startswith("DOC-")], found


def test_messages_name_a_document_without_an_id_by_its_path(make_repo) -> None:
    repo = make_repo({"p.md": GOOD.replace("id: POL-OK\n", "").replace("approved_by: Managing Director\n", "")})
    report = run_cli("check", repo, "--format", "json", "--as-of", "2026-06-01").json()
    messages = [r["message"] for r in report["results"] if r["clause"] is None and r["status"] == "fail"]
    assert messages and not [m for m in messages if "None" in m]
    assert any(m.startswith("p.md is approved but has no approved_by") for m in messages)


def test_a_file_name_that_is_not_utf8_is_a_finding_not_a_crash(make_repo) -> None:
    repo = make_repo({"a.md": GOOD})
    bad = os.fsencode(str(repo)) + b"/bad\xff.md"
    with open(bad, "wb") as handle:
        handle.write(GOOD.replace("POL-OK", "POL-2").encode())
    for fmt in ("json", "sarif"):
        result = run_cli("check", repo, "--format", fmt, "--as-of", "2026-06-01")
        assert result.exit_code == 1 and "Traceback" not in result.stderr
    found = _findings(run_cli("check", repo, "--format", "json", "--as-of", "2026-06-01").json())
    assert ("DOC-PARSE", "bad\ufffd.md", 1) in found


@pytest.mark.parametrize("key", ["include", "exclude"])
def test_a_bad_glob_in_the_config_is_exit_2(key: str, make_repo) -> None:
    repo = make_repo({"imscheck.yaml": f"{key}: ['docs/**', '[z-a].md']\n", "a.md": GOOD})
    result = run_cli("check", repo)
    assert result.exit_code == 2 and "Traceback" not in result.stderr
    assert "imscheck.yaml: line 1: " + key in result.stderr and "'[z-a].md' is not a valid glob" in result.stderr
