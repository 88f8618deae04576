"""The long run of tests/test_fuzz.py: many seeded chunks until a case count or a time budget.

CI runs the fuzz test with a small fixed budget. This script runs the same properties for
longer, chunk by chunk, each chunk with its own Hypothesis seed so any failure can be
replayed with ``pytest tests/test_fuzz.py --hypothesis-seed=SEED``. It prints one line per chunk
and a total, and exits 1 at the first failing chunk (its output is kept in the log folder).

    python benchmarks/fuzz_long.py [--cases 100000] [--chunk 2000] [--hours 3] [--log DIR]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROPERTIES = 2  # the test functions in tests/test_fuzz.py, each run with the chunk's budget


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000, help="total cases over all properties")
    parser.add_argument("--chunk", type=int, default=2_000, help="cases per chunk and property")
    parser.add_argument("--hours", type=float, default=3.0, help="stop after this long, whatever the count")
    parser.add_argument("--first-seed", type=int, default=1)
    parser.add_argument("--log", type=Path, default=Path("/tmp/imscheck-fuzz"))
    options = parser.parse_args()
    options.log.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "IMSCHECK_FUZZ_EXAMPLES": str(options.chunk)}
    deadline = time.monotonic() + options.hours * 3600
    done, seed = 0, options.first_seed
    while done < options.cases and time.monotonic() < deadline:
        log = options.log / f"seed-{seed}.log"
        started = time.monotonic()
        with log.open("w") as out:
            proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_fuzz.py",
                                   f"--hypothesis-seed={seed}"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, check=False)
        if proc.returncode != 0:
            print(f"seed {seed}: FAILED after {done} passing cases; see {log}")
            return 1
        done += options.chunk * PROPERTIES
        print(f"seed {seed}: {options.chunk * PROPERTIES} cases passed in {time.monotonic() - started:.0f} s (total {done})", flush=True)
        seed += 1
    print(f"total: {done} cases passed, no exception, strict JSON, JUnit and SARIF parsed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
