"""A pre-commit hook pays start-up time on every commit: heavy modules load only when needed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any, List

from gate_docs import base_files

PROBE = """
import json, sys
from imscheck.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
heavy = sorted({m.split('.')[0] + ('.etree' if m.startswith('xml.etree') else '') for m in sys.modules
                if m.split('.')[0] in ('git', 'gitdb', 'junit_xml', 'xmlschema') or m.startswith('xml.etree')})
print(json.dumps(heavy), file=sys.stderr)
"""


def heavy_modules(*args: Any) -> List[str]:
    proc = subprocess.run([sys.executable, "-c", PROBE, *map(str, args)], capture_output=True, text=True, check=True)
    return json.loads(proc.stderr.strip().splitlines()[-1])


def test_plain_check_imports_neither_git_nor_xml(make_repo: Any, tmp_path: Path) -> None:
    repo = make_repo(base_files())
    assert heavy_modules("check", repo) == []
    assert heavy_modules("check", repo, "--format", "sarif") == []
    # comparing reads git objects with the git binary: GitPython is not loaded at all
    assert heavy_modules("check", repo, "--changed-since", "HEAD") == []
    # the probe can see them: JUnit loads ElementTree
    assert heavy_modules("check", repo, "--report", f"junit:{tmp_path / 'r.xml'}") == ["xml.etree"]
