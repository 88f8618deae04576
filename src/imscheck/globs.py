"""Path globs with ``**``, the way users write them in imscheck.yaml and rules.

Python 3.10/3.11 ``fnmatch`` lets ``*`` cross ``/`` and ``PurePath.match`` has no ``**``, so we
translate globs to regular expressions once and cache them.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable, Optional


@lru_cache(maxsize=1024)
def compile_glob(pattern: str) -> re.Pattern[str]:
    """Compile a POSIX path glob: ``*`` and ``?`` stay in one segment, ``**`` spans any."""
    pattern = pattern.strip().lstrip("/")
    if pattern.endswith("/"):
        pattern += "**"
    out: list[str] = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif c == "*":
            out.append("[^/]*")
            i += 1
        elif c == "?":
            out.append("[^/]")
            i += 1
        elif c == "[":
            end = pattern.find("]", i + 1)
            if end == -1:
                out.append(re.escape(c))
                i += 1
            else:
                body = pattern[i + 1 : end].replace("\\", "\\\\")
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append(f"[{body}]")
                i = end + 1
        else:
            out.append(re.escape(c))
            i += 1
    # A pattern without a slash matches a file name in any folder, as in .gitignore.
    prefix = "" if "/" in pattern else "(?:.*/)?"
    return re.compile(prefix + "".join(out) + r"\Z")


def glob_problem(pattern: str) -> Optional[str]:
    """Why ``pattern`` is not a usable glob (a bad [range], say), or None."""
    try:
        compile_glob(pattern)
    except re.error as exc:
        return f"{pattern!r} is not a valid glob ({exc})"
    return None


def matches_any(path: str, patterns: Iterable[str]) -> bool:
    """True if the repository-relative POSIX ``path`` matches one of ``patterns``."""
    return any(compile_glob(p).match(path) for p in patterns)
