"""The wheel: rules/ and schemas/ ship inside it, and an installed imscheck checks sample-org."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import REPO_ROOT, SAMPLE_ORG


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(out), str(REPO_ROOT)], check=True)
    (path,) = out.glob("imscheck-*.whl")
    return path


def test_wheel_ships_rules_and_schemas(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    shipped_rules = {n.split("imscheck/_data/", 1)[1] for n in names if n.startswith("imscheck/_data/rules/")}
    repo_rules = {p.relative_to(REPO_ROOT).as_posix() for p in (REPO_ROOT / "rules").rglob("*.yaml")}
    assert repo_rules and repo_rules == shipped_rules
    repo_schemas = {p.relative_to(REPO_ROOT).as_posix() for p in (REPO_ROOT / "schemas").glob("*.json")}
    assert repo_schemas == {n.split("imscheck/_data/", 1)[1] for n in names if n.startswith("imscheck/_data/schemas/")}


def test_installed_wheel_checks_sample_org_from_another_folder(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", str(wheel)], check=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    proc = subprocess.run([str(venv / "bin" / "imscheck"), "check", str(SAMPLE_ORG), "--format", "json"], cwd=elsewhere, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr
    report = json.loads(proc.stdout)
    assert report["summary"]["requirements"] > 0
    # the installed copy, not this checkout, did the work
    where = subprocess.run([str(python), "-c", "import imscheck, sys; print(imscheck.__file__)"], cwd=elsewhere, capture_output=True, text=True)
    assert str(venv) in where.stdout
