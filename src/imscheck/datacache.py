"""A JSON copy of imscheck's own parsed YAML data in the user's cache, for a faster start.

A pre-commit hook starts imscheck on every commit; parsing the shipped rules, catalogues and
vocabulary from YAML costs it tens of milliseconds, reading them back from JSON almost nothing.
Only files of the installation are cached (never a checked repository's), keyed by imscheck's
version and the file's path, size and modification time, so an edited file is read afresh.
``IMSCHECK_CACHE_DIR`` names another folder; set it empty to switch the cache off.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from imscheck import __version__


def cache_dir() -> Path | None:
    """Where the copies live: $IMSCHECK_CACHE_DIR, else $XDG_CACHE_HOME/imscheck or ~/.cache/imscheck."""
    chosen = os.environ.get("IMSCHECK_CACHE_DIR")
    if chosen is not None:
        return Path(chosen) if chosen else None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "imscheck"


def cached(path: Path, parse: Callable[[], Any]) -> Any:
    """``parse()``'s result for ``path``, from the cache when it holds a copy of this very file."""
    folder = cache_dir()
    try:
        stat = path.stat()
    except OSError:
        return parse()
    if folder is None:
        return parse()
    key = hashlib.sha256(f"{__version__}\0{path.resolve()}\0{stat.st_size}\0{stat.st_mtime_ns}".encode()).hexdigest()[:40]
    copy = folder / f"{key}.json"
    try:
        return json.loads(copy.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        pass
    data = parse()
    try:
        text = json.dumps(data)
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, copy)  # atomic: a concurrent run reads the old copy or the new, never half
    except (OSError, TypeError, ValueError):
        pass  # no cache (read-only home, data JSON cannot hold): parsing each time is still correct
    return data
