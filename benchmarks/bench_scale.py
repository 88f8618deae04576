"""Time imscheck at scale against the libyaml floor, interleaved in one run.

For each scale (documents) a realistic repository is generated (benchmarks/generate_repo.py) and
these are timed, each run right after a run of the floor so that machine noise hits both:
`check --format json`, `audit` (and the size of its page), `check --staged --new-only` with one
new record staged (the pre-commit hook), and `check --changed-since HEAD~1`. The floor is a
subprocess that lists the candidate files with git, reads each and parses its metadata with
libyaml (`yaml.CSafeLoader`; the front matter of Markdown) and does nothing else: what any tool
reading these files must pay. Start-up is `imscheck --version` against `python -c "import yaml"`.

Each process is measured from `os.wait4` on the child: CPU seconds (user + system, its waited-for
children such as git included), wall seconds and peak RSS; rows show medians over --repeat runs
(peak: the highest). A run that passes --timeout is killed and shown as "> N s". Read the ratios,
which come from one run on one machine; absolute seconds vary with the machine and its load.

    python benchmarks/bench_scale.py [--scales 1000,10000,30000,100000] [--repeat 3] [--timeout 600]
                                     [--against ../imscheck-old] [--json results.json]

It measures the checkout it sits in (its `src` on PYTHONPATH) with the Python running it.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import generate_repo  # noqa: E402  (a sibling script, not a package)

ROOT = Path(__file__).resolve().parents[1]

FLOOR = r"""
import os, subprocess, sys
import yaml
load = yaml.CSafeLoader
root = sys.argv[1]
listing = subprocess.run(["git", "-C", root, "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                         stdout=subprocess.PIPE, check=True).stdout.decode("utf-8")
for rel in listing.split("\0"):
    lower = rel.lower()
    if not lower.endswith((".md", ".markdown", ".yaml", ".yml", ".json")):
        continue
    try:
        with open(os.path.join(root, rel), encoding="utf-8") as handle:
            text = handle.read()
    except FileNotFoundError:
        continue
    if lower.endswith((".md", ".markdown")):
        if not text.startswith("---"):
            continue
        end = text.find("\n---", 3)
        text = text[3:end] if end > 0 else ""
    yaml.load(text, Loader=load)
"""


@dataclass
class Run:
    cpu: float  # user + system seconds of the child and the children it waited for
    wall: float
    peak_kib: int
    exit_code: int
    timed_out: bool = False
    stderr_tail: str = ""


@dataclass
class Row:
    documents: int | None  # None: start-up
    command: str
    runs: list[Run] = field(default_factory=list)
    floor: list[Run] = field(default_factory=list)
    page_bytes: int | None = None

    @property
    def timed_out(self) -> bool:
        return any(r.timed_out for r in self.runs)

    @property
    def failed(self) -> Run | None:
        """A run that ended in a usage error or a crash (exit 0 and 1 are results)."""
        return next((r for r in self.runs if not r.timed_out and r.exit_code not in (0, 1)), None)


def measure(args: Sequence[str], env: dict[str, str], cwd: Path, timeout: float) -> Run:
    """Run `args` once, killing its process group after `timeout` seconds."""
    killed = threading.Event()
    with tempfile.TemporaryFile() as stderr:
        start = time.perf_counter()
        process = subprocess.Popen(list(args), cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                                   stdout=subprocess.DEVNULL, stderr=stderr, start_new_session=True)

        def kill() -> None:
            killed.set()
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

        timer = threading.Timer(timeout, kill)
        timer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            timer.cancel()
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        stderr.seek(0)
        lines = stderr.read().decode("utf-8", "replace").strip().splitlines()
    return Run(cpu=usage.ru_utime + usage.ru_stime, wall=wall, peak_kib=usage.ru_maxrss,
               exit_code=process.returncode, timed_out=killed.is_set(), stderr_tail=lines[-1] if lines else "")


def _stage_one_record(repo: Path) -> str:
    """Stage one new incident record, as a pre-commit hook sees it; returns its path."""
    listing = subprocess.run(["git", "-C", str(repo), "ls-files", "*/inc/*"], stdout=subprocess.PIPE,
                             check=True, text=True).stdout.split()
    source = Path(listing[0])
    text = (repo / source).read_text(encoding="utf-8")
    old = re.search(r"^id: *REC-(\S+)$", text, re.M)
    assert old is not None, source
    text = text.replace(old.group(1), "INC-2026-99999")
    rel = str(source.parent / f"REC-INC-2026-99999{source.suffix}")
    (repo / rel).write_text(text, encoding="utf-8")
    subprocess.run(["git", "-C", str(repo), "-c", "core.fsmonitor=false", "add", "--", rel], check=True)
    return rel


def _seconds(value: float) -> str:
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s" if value < 100 else f"{value:.0f} s"


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def _cells(row: Row, timeout: float) -> list[str]:
    docs = f"{row.documents:,}" if row.documents is not None else "start-up"
    floor_cpu = _median([r.cpu for r in row.floor])
    peak = f"{max(r.peak_kib for r in row.runs) / 1024:.0f}" if row.runs else ""
    notes = []
    if row.page_bytes is not None:
        notes.append(f"page {row.page_bytes / 1e6:.1f} MB")
    failed = row.failed
    if failed is not None:
        notes.append(f"ERROR exit {failed.exit_code}: {failed.stderr_tail[:80]}")
    if row.timed_out:
        # A killed run still reports the CPU it had used: a lower bound, shown as one.
        cpu = max(r.cpu for r in row.runs)
        return [docs, row.command, f"> {_seconds(cpu)}", f"> {_seconds(timeout)}", _seconds(floor_cpu),
                f"> {cpu / floor_cpu:.1f}×", peak, "; ".join(notes + ["timed out"])]
    cpu = _median([r.cpu for r in row.runs])
    wall = _median([r.wall for r in row.runs])
    return [docs, row.command, _seconds(cpu), _seconds(wall), _seconds(floor_cpu), f"{cpu / floor_cpu:.1f}×", peak,
            "; ".join(notes)]


def table(rows: list[Row], timeout: float) -> str:
    head = ["documents", "command", "CPU median", "wall median", "floor CPU", "ratio to floor", "peak MiB", "notes"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(_cells(row, timeout)) + " |" for row in rows]
    return "\n".join(lines)


def growth(rows: list[Row], low: int, high: int) -> str:
    """CPU growth from `low` to `high` documents, imscheck beside the floor (linear: high/low)."""
    lines = [f"| command | CPU growth {high:,} / {low:,} | floor growth | linear would be |", "|---|---|---|---|"]
    for row in rows:
        if row.documents != high:
            continue
        base = next((r for r in rows if r.documents == low and r.command == row.command), None)
        if base is None or base.timed_out or not base.runs or not row.runs:
            continue
        floor = _median([r.cpu for r in row.floor]) / _median([r.cpu for r in base.floor])
        mine = _median([r.cpu for r in row.runs]) / _median([r.cpu for r in base.runs])
        shown = f"> {max(r.cpu for r in row.runs) / _median([r.cpu for r in base.runs]):.1f}×" if row.timed_out else f"{mine:.1f}×"
        lines.append(f"| {row.command} | {shown} | {floor:.1f}× | {high / low:.0f}× |")
    return "\n".join(lines)


def _scale(text: str) -> int:
    text = text.strip().lower()
    return int(float(text[:-1]) * 1000) if text.endswith("k") else int(text)


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run(scales: list[int], repeat: int, timeout: float, against: Path | None, workdir: Path,
        seed: int = 1) -> list[Row]:
    python = sys.executable
    ours = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    versions: list[tuple[str, dict[str, str]]] = [("", ours)]
    if against is not None:
        versions.append((" (against)", {**os.environ, "PYTHONPATH": str(against.resolve() / "src")}))
    cli = [python, "-m", "imscheck"]
    rows: list[Row] = []

    # Start-up: imscheck --version beside python importing yaml, interleaved.
    group = [(Row(None, "imscheck --version" + suffix), env) for suffix, env in versions]
    for _ in range(repeat):
        for row, env in group:
            row.floor.append(measure([python, "-c", "import yaml"], env, ROOT, timeout))
            row.runs.append(measure(cli + ["--version"], env, ROOT, timeout))
    rows.extend(row for row, _ in group)
    for _, env in versions:
        # Untimed: builds imscheck's cache of its own rules, as any second run finds it.
        measure(cli + ["check", str(ROOT / "sample-org"), "--fail-on", "never"], env, ROOT, timeout)

    for documents in scales:
        repo = workdir / f"repo-{documents}"
        out = workdir / f"audit-{documents}.html"  # outside the repository: check must see it unchanged
        started = time.perf_counter()
        generate_repo.generate(repo, documents, seed=seed)
        _stage_one_record(repo)
        _progress(f"[{documents:,}] generated in {time.perf_counter() - started:.0f} s")
        floor_args = [python, "-c", FLOOR, "."]
        floor_timeout = max(timeout, 600.0)  # the instrument itself is not what --timeout cuts short
        measure(floor_args, ours, repo, floor_timeout)  # untimed: the page cache warm for both sides
        commands = [
            ("check", ["check", ".", "--format", "json", "--fail-on", "never"]),
            ("audit", ["audit", ".", "-o", str(out)]),
            ("check --staged --new-only", ["check", ".", "--staged", "--new-only", "--format", "json"]),
            ("check --changed-since HEAD~1", ["check", ".", "--changed-since", "HEAD~1", "--format", "json"]),
        ]
        for name, args in commands:
            # ours and --against alternate run by run, each right after a floor run
            group = [(Row(documents, name + suffix), env) for suffix, env in versions]
            for n in range(repeat):
                for row, env in group:
                    if row.timed_out or row.failed is not None:
                        continue  # another run would say the same, after as long
                    row.floor.append(measure(floor_args, ours, repo, floor_timeout))
                    result = measure(cli + args, env, repo, timeout)
                    row.runs.append(result)
                    _progress(f"[{documents:,}] {row.command} {n + 1}/{repeat}: cpu {_seconds(result.cpu)}"
                              f"{' (timed out)' if result.timed_out else ''}, floor {_seconds(row.floor[-1].cpu)}")
                    if name == "audit" and out.exists() and not result.timed_out:
                        row.page_bytes = out.stat().st_size
                        out.unlink()
            rows.extend(row for row, _ in group)
        shutil.rmtree(repo, ignore_errors=True)
        out.unlink(missing_ok=True)
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--scales", default="1000,10000", help="documents per repository, comma-separated (10k works)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; medians are shown (default 3)")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds before a run is killed (default 600)")
    parser.add_argument("--against", type=Path, help="another imscheck checkout to time in the same run")
    parser.add_argument("--json", type=Path, help="also write the raw numbers to this file")
    parser.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    parser.add_argument("--workdir", type=Path, help="where to generate the repositories (default: a temporary folder)")
    options = parser.parse_args(argv)
    try:
        scales = [_scale(s) for s in options.scales.split(",") if s.strip()]
    except ValueError:
        parser.error(f"--scales: expected numbers such as 1000,10000 or 1k,10k, got {options.scales!r}")
    if not scales or options.repeat < 1 or options.timeout <= 0:
        parser.error("--scales needs at least one scale, --repeat at least 1, --timeout more than 0")
    if options.against is not None and not (options.against / "src" / "imscheck").is_dir():
        parser.error(f"--against: {options.against} is not an imscheck checkout (no src/imscheck)")
    try:
        import yaml

        yaml.CSafeLoader  # noqa: B018  (the floor is libyaml's speed; without it there is no floor)
    except (ImportError, AttributeError):
        print("bench_scale: PyYAML with libyaml (yaml.CSafeLoader) is needed for the floor", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="imscheck-bench-", dir=options.workdir) as tmp:
        try:
            rows = run(scales, options.repeat, options.timeout, options.against, Path(tmp), options.seed)
        except ValueError as error:  # the generator's own message, say too few documents
            print(f"bench_scale: {error}", file=sys.stderr)
            return 2
    print(table(rows, options.timeout))
    if 10000 in scales and 100000 in scales:
        print()
        print(growth(rows, 10000, 100000))
    elif len(scales) > 1:
        print()
        print(growth(rows, min(scales), max(scales)))
    if options.json is not None:
        raw = [{"documents": r.documents, "command": r.command, "page_bytes": r.page_bytes,
                "runs": [asdict(x) for x in r.runs], "floor": [asdict(x) for x in r.floor]} for r in rows]
        options.json.write_text(json.dumps({"python": sys.version.split()[0], "repeat": options.repeat,
                                            "timeout": options.timeout, "rows": raw}, indent=1), encoding="utf-8")
    return 1 if any(r.failed is not None for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
