"""Faster must not mean different: the JSON report of whole repositories, compared with stored output.

The expected reports in ``tests/expected/`` were written by imscheck before the scale work (fast
schema path, lazy line numbers, cached index lookups); each case here must still produce them
exactly, timings and the commit aside. A case is a repository and the arguments of ``check``:
sample-org, sample-org-2011, and a generated repository into which documents with every kind of
defect are written (schema errors, duplicate keys, aliases, bad dates, broken references), so the
slow paths are compared too, not only documents that pass.

When a change of rules or wording is meant to change a report, regenerate the files and review
the diff: ``PYTHONPATH=src python tests/test_results_unchanged.py --update``. Another case can be
added to ``CASES`` (a builder and its check arguments) and recorded the same way.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
import textwrap
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from conftest import REPO_ROOT, commit_all, init_git, load_generator, run_cli, write_files  # noqa: E402

EXPECTED = Path(__file__).resolve().parent / "expected"
GENERATED_SIZE = 260

# Documents with defects, written into the generated repository: each exercises a path that a
# fast path skips for sound documents (jsonschema's messages, line numbers of findings, limits).
DEFECTS: dict[str, str] = {
    "service-management/records/bad/REC-X-0001.yaml": """
        id: REC-X-0001
        title: Incident with a status the schema knows nothing of
        type: record
        date: "2026-13-40"
        services: [NOT-A-SERVICE, 7]
        related: [REC-NOPE-0001]
        """,
    "service-management/records/bad/REC-X-0002.yaml": """
        id: REC-X-0002
        title: Duplicate keys
        type: record
        date: 2026-03-01
        date: 2026-03-02
        record_of: "bad id with spaces"
        """,
    "quality/bad/QMS-X-0003.md": """
        ---
        id: QMS-X-0003
        title: A procedure with every approval problem
        type: procedure
        owner: Quality Manager
        version: 1.10
        status: approved
        approved_on: 2027-01-01
        review:
          last_reviewed: 2026/01/01
          interval_months: 0
        addresses: ["iso20000-1:2018/8.99", "nonsense"]
        ---
        # Procedure

        Text.
        """,
    "quality/bad/QMS-X-0004.yaml": """
        base: &base
          owner: Quality Manager
          version: "2"
          status: approved
          approved_by: CEO
          approved_on: 2026-01-05
          review: {last_reviewed: 2026-01-05, next_review: "2026-02-30"}
        id: QMS-X-0004
        title: A plan written with an alias and a merge key
        type: plan
        <<: *base
        addresses: ["iso20000-1:2018/8.2"]
        """,
    "quality/bad/QMS-X-0005.json": json.dumps({
        "id": "QMS-X-0005", "title": "", "type": "manual", "owner": "", "version": 3,
        "status": "final", "review": {"next_review": "2026-12-01", "interval_months": 12.5},
    }),
    "quality/bad/QMS-X-0006.md": """
        ---
        id: QMS-X-0006
        type: policy
        status: draft
        review: yes
        ---
        """,
    "service-management/records/bad/REC-X-0007.yaml": """
        id: REC-X-0007
        title: A record dated in the future
        type: record
        date: 2027-05-01
        supersedes: REC-X-0001
        """,
    "service-management/records/bad/REC-X-0008.yaml": "id: [unclosed\n",
    "service-management/records/bad/REC-X-0009.yaml": """
        id: REC-X-0009
        title: Timestamps and odd scalars
        type: report
        date: 2026-05-01 10:00:00
        extra: !!binary aGVsbG8=
        """,
    "quality/bad/notes.md": "# Only Markdown\n\nNo front matter here.\n",
    "service-management/records/bad/REC-X-0010.yaml": """
        id: REC-X-0010
        title: A change whose references point nowhere
        type: record
        date: 2026-04-01
        related: [REC-X-0001, QMS-X-0004]
        """,
}


def _load_generator() -> ModuleType:
    return load_generator()


def _copy(source: Path) -> Callable[[Path], Path]:
    def build(where: Path) -> Path:
        repo = where / source.name
        shutil.copytree(source, repo)
        init_git(repo)
        commit_all(repo, "copy")
        return repo
    return build


def _generated(where: Path) -> Path:
    repo = where / "generated"
    _load_generator().generate(repo, GENERATED_SIZE, seed=5, second_commit=False)
    write_files(repo, {rel: textwrap.dedent(text).lstrip("\n") for rel, text in DEFECTS.items()})
    return repo


CASES: dict[str, tuple[Callable[[Path], Path], tuple[str, ...]]] = {
    "sample-org": (_copy(REPO_ROOT / "sample-org"), ()),
    "sample-org-2011": (_copy(REPO_ROOT / "sample-org-2011"), ()),
    "generated-with-defects": (_generated, ()),
}


def report(case: str, where: Path) -> Any:
    """The JSON report of ``case`` built under ``where``, without what varies from run to run."""
    build, args = CASES[case]
    repo = build(where)
    result = run_cli("check", str(repo), "--format", "json", *args)
    assert result.exit_code in (0, 1), result.stderr
    data = json.loads(result.stdout)
    data.pop("timings", None)
    data["repository"] = {}
    return data


@pytest.mark.parametrize("case", sorted(CASES))
def test_report_is_unchanged(case: str, tmp_path: Path) -> None:
    expected = json.loads((EXPECTED / f"{case}.json").read_text(encoding="utf-8"))
    actual = report(case, tmp_path)
    if actual != expected:  # name the first result that differs, not a diff of megabytes
        for key in sorted(set(actual) | set(expected)):
            if key != "results" and actual.get(key) != expected.get(key):
                pytest.fail(f"{case}: {key} differs: {actual.get(key)!r} != {expected.get(key)!r}")
        for got, want in zip(actual["results"], expected["results"], strict=False):
            assert got == want, f"{case}: result {want.get('rule')} differs"
        assert len(actual["results"]) == len(expected["results"])


def _update() -> None:
    EXPECTED.mkdir(exist_ok=True)
    for case in sorted(CASES):
        with tempfile.TemporaryDirectory() as where:
            data = report(case, Path(where))
        (EXPECTED / f"{case}.json").write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        print(f"wrote {case}: {len(data['results'])} results")


if __name__ == "__main__":
    if sys.argv[1:] != ["--update"]:
        sys.exit("usage: PYTHONPATH=src python tests/test_results_unchanged.py --update")
    _update()
