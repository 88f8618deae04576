"""The benchmark's instruments: the repository generator and the scale benchmark script.

The generator must make a repository imscheck reads as it reads sample-org (no parse or schema
findings the generator caused, every kind of record, references that resolve), the same one for
the same seed; bench_scale must produce its table and say when a run was cut off. No timings are
asserted: the harness timeouts only keep a hang from blocking the suite.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from conftest import REPO_ROOT, SAMPLE_ORG, git, run_cli

BENCHMARKS = REPO_ROOT / "benchmarks"
ENV = {**os.environ, "PYTHONPATH": str(REPO_ROOT / "src")}
SIZE = 200


def generate(target: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(BENCHMARKS / "generate_repo.py"), str(target), *args],
                          capture_output=True, text=True, env=ENV, timeout=120)


def front_matter(path: Path) -> dict[str, object]:
    import yaml

    text = path.read_text(encoding="utf-8")
    if path.suffix == ".md":
        text = text.split("---", 2)[1]
    data = yaml.safe_load(text)
    assert isinstance(data, dict), path
    return data


def record_prefix(doc_id: str) -> str:
    return doc_id.split("-")[1]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = tmp_path_factory.mktemp("gen") / "repo"
    result = generate(repo, "--documents", str(SIZE), "--seed", "7")
    assert result.returncode == 0, result.stderr
    return repo


@pytest.fixture(scope="module")
def documents(generated: Path) -> dict[str, dict[str, object]]:
    files = [generated / rel for rel in git(generated, "ls-files").split()]
    docs = {}
    for path in files:
        rel = path.relative_to(generated).as_posix()
        if path.suffix in (".md", ".yaml") and rel not in ("imscheck.yaml", "README.md") and not rel.startswith("templates/"):
            docs[rel] = front_matter(path)
    return docs


def test_generator_makes_a_committed_repository_of_the_asked_size(generated: Path, documents: dict[str, dict[str, object]]) -> None:
    assert len(documents) == SIZE
    assert git(generated, "status", "--porcelain") == ""
    # The second commit only adds records, so --changed-since HEAD~1 compares like a day's export.
    changes = git(generated, "diff", "--name-status", "HEAD~1", "HEAD").splitlines()
    assert changes and all(line.startswith("A\t") and "/records/" in line for line in changes)
    ids = [str(d["id"]) for d in documents.values()]
    assert len(set(ids)) == len(ids)


def test_generated_repository_is_read_like_sample_org(generated: Path) -> None:
    mine = run_cli("check", str(generated), "--format", "json", "--fail-on", "never").json()
    theirs = run_cli("check", str(SAMPLE_ORG), "--format", "json", "--fail-on", "never").json()
    hygiene = {r["rule"]: r["status"] for r in mine["results"] if r["rule"].startswith("DOC-")}
    assert hygiene["DOC-PARSE"] == "pass", hygiene
    assert {rule for rule, status in hygiene.items() if status != "pass"} == set(), hygiene
    failing = {r["rule"] for r in mine["results"] if r["status"] != "pass"}
    assert failing == {r["rule"] for r in theirs["results"] if r["status"] != "pass"}


def test_every_record_kind_is_present_with_references(generated: Path, documents: dict[str, dict[str, object]]) -> None:
    sample_kinds = {record_prefix(p.name) for p in SAMPLE_ORG.rglob("REC-*") if "records" in p.parts}
    records = {rel: d for rel, d in documents.items() if d["type"] in ("record", "report")}
    kinds = {record_prefix(str(d["id"])) for d in records.values()}
    assert kinds == sample_kinds | {"DEP", "CMP"}
    assert any(rel.endswith(".md") for rel in records) and any(rel.endswith(".yaml") for rel in records)
    changes = [d for d in records.values() if record_prefix(str(d["id"])) == "CHG"]
    assert any(d.get("change_type") == "emergency" for d in changes)
    ids = {str(d["id"]) for d in documents.values()}
    named = [r for d in changes for r in d.get("related", []) or [] if re.match(r"REC-(INC|PRB)-", str(r))]
    assert named and set(named) <= ids
    catalogue: set[str] = set(documents["service-management/SMS-CAT-001-service-catalogue.md"]["services"])  # type: ignore[arg-type]
    assert {s for d in records.values() for s in d.get("services", []) or []} == catalogue  # type: ignore[union-attr]
    dates = sorted(str(d["date"]) for d in records.values())
    assert "2025-11-01" <= dates[0] and dates[-1] <= "2026-11-01"  # sample-org's as_of and the year before


def test_generator_is_deterministic_for_a_seed(tmp_path: Path, generated: Path) -> None:
    again, other = tmp_path / "again", tmp_path / "other"
    assert generate(again, "--documents", str(SIZE), "--seed", "7").returncode == 0
    assert generate(other, "--documents", str(SIZE), "--seed", "8").returncode == 0
    tree = git(generated, "rev-parse", "HEAD^{tree}", "HEAD~1^{tree}")
    assert git(again, "rev-parse", "HEAD^{tree}", "HEAD~1^{tree}") == tree
    assert git(other, "rev-parse", "HEAD^{tree}", "HEAD~1^{tree}") != tree


def test_generator_refuses_too_few_documents_and_a_used_folder(tmp_path: Path) -> None:
    small = generate(tmp_path / "small", "--documents", "10")
    assert small.returncode == 2 and "--documents must be at least" in small.stderr
    assert "Traceback" not in small.stderr
    used = tmp_path / "used"
    used.mkdir()
    (used / "keep.txt").write_text("mine\n")
    refused = generate(used, "--documents", str(SIZE))
    assert refused.returncode == 2 and "not empty" in refused.stderr
    assert [p.name for p in used.iterdir()] == ["keep.txt"]


def test_bench_scale_prints_the_table(tmp_path: Path) -> None:
    raw = tmp_path / "raw.json"
    result = subprocess.run([sys.executable, str(BENCHMARKS / "bench_scale.py"), "--scales", "130", "--repeat", "1",
                             "--json", str(raw), "--workdir", str(tmp_path)],
                            capture_output=True, text=True, env=ENV, timeout=600)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("| documents | command | CPU median | wall median | floor CPU | ratio to floor | peak MiB |")
    rows = {line.split(" | ")[1]: line for line in lines[2:] if line.startswith("| ")}
    assert set(rows) == {"imscheck --version", "check", "audit", "check --staged --new-only",
                         "check --changed-since HEAD~1"}
    assert all("| 130 |" in rows[c] for c in rows if c != "imscheck --version")
    assert re.search(r"page \d+\.\d MB", rows["audit"])
    assert "timed out" not in result.stdout and "ERROR" not in result.stdout
    numbers = json.loads(raw.read_text())
    assert all(run["exit_code"] in (0, 1) for row in numbers["rows"] for run in row["runs"] + row["floor"])
    assert [p.name for p in tmp_path.iterdir()] == ["raw.json"]  # generated repositories removed


def _bench_scale() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_scale", BENCHMARKS / "bench_scale.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


def test_a_run_past_the_timeout_is_killed_and_reported_as_a_bound(tmp_path: Path) -> None:
    bench = _bench_scale()
    run = bench.measure([sys.executable, "-c", "import time; time.sleep(60)"], ENV, tmp_path, timeout=0.5)
    assert run.timed_out and run.exit_code == -9  # killed, not waited for
    finished = bench.measure([sys.executable, "-c", "pass"], ENV, tmp_path, timeout=60)
    assert not finished.timed_out and finished.exit_code == 0
    row = bench.Row(100000, "check", runs=[run], floor=[finished])
    cells: list[str] = bench.table([row], 0.5).splitlines()[2].split(" | ")
    assert cells[2].startswith("> ") and cells[3] == "> 500 ms" and "timed out" in cells[-1]
