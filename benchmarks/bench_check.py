"""Benchmark `imscheck check`: start-up, sample-org, and sample-org scaled up.

Timings on shared machines are noisy, so read the ratios within one run, not absolute numbers:
the scaled repositories should cost roughly in proportion to their size (the engine selects
through indexes, never rules x documents), and start-up should stay a small share of a check.
Each scale also times the libyaml floor (reading every file and parsing its YAML with the C
loader, nothing else) so the check's own cost shows as a ratio to it; --against DIR times
another checkout of imscheck (say the previous release, from `git worktree add`) in the same run.

    python benchmarks/bench_check.py [--repeat 5] [--scales 1,10,40] [--against ../imscheck-old]
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample-org"
_ID = re.compile(r"\b((?:QMS|SMS|REC)-[A-Za-z0-9._-]+)")


def scaled_copy(target: Path, copies: int) -> int:
    """sample-org repeated ``copies`` times, ids suffixed per copy so they stay unique."""
    shutil.copy(SAMPLE / "imscheck.yaml", target / "imscheck.yaml")
    count = 0
    for n in range(copies):
        for path in SAMPLE.rglob("*"):
            if path.is_file() and path.suffix in (".md", ".yaml") and path.name != "imscheck.yaml" and "templates" not in path.parts:
                rel = path.relative_to(SAMPLE)
                out = target / f"copy{n}" / rel
                out.parent.mkdir(parents=True, exist_ok=True)
                text = path.read_text(encoding="utf-8")
                out.write_text(_ID.sub(lambda m, n=n: f"{m.group(1)}-{n}" if n else m.group(1), text), encoding="utf-8")
                count += 1
    return count


_FLOOR = """
import sys, pathlib, yaml
load = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
for path in pathlib.Path(sys.argv[1]).rglob("*"):
    if path.suffix in (".md", ".yaml") and path.is_file():
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".md":
            text = text.split("---", 2)[1] if text.startswith("---") else ""
        yaml.load(text, Loader=load)
"""


def timed(args: list[str], repeat: int, env: dict[str, str] | None = None) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, env=env)
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--scales", default="1,10,40")
    parser.add_argument("--against", type=Path, help="another imscheck checkout to time in the same run")
    options = parser.parse_args()
    other = None
    if options.against is not None:
        import os

        other = {**os.environ, "PYTHONPATH": str(options.against.resolve() / "src")}
    cli = [sys.executable, "-m", "imscheck"]
    baseline = timed([sys.executable, "-c", "pass"], options.repeat)
    startup = timed(cli + ["--version"], options.repeat)
    print(f"python start-up          {baseline * 1000:8.1f} ms")
    print(f"imscheck --version       {startup * 1000:8.1f} ms")
    first = None
    with tempfile.TemporaryDirectory() as tmp:
        for scale in (int(s) for s in options.scales.split(",")):
            repo = Path(tmp) / f"x{scale}"
            repo.mkdir()
            docs = scaled_copy(repo, scale)
            seconds = timed(cli + ["check", str(repo), "--format", "json", "--fail-on", "never"], options.repeat)
            work = seconds - startup
            first = first or (work / docs)
            floor = timed([sys.executable, "-c", _FLOOR, str(repo)], options.repeat) - baseline
            print(f"check x{scale:<3} ({docs:5d} files) {seconds * 1000:8.1f} ms   "
                  f"{work / docs * 1000:6.2f} ms/file after start-up   ratio to x1 per file: {work / docs / first:4.2f}   "
                  f"libyaml floor {floor * 1000:7.1f} ms (check/floor {work / max(floor, 1e-9):5.1f})")
            if other is not None:
                theirs = timed(cli + ["check", str(repo), "--format", "json", "--fail-on", "never"], options.repeat, other)
                print(f"  against {options.against}: {theirs * 1000:8.1f} ms   this/other {seconds / theirs:5.2f}")


if __name__ == "__main__":
    main()
