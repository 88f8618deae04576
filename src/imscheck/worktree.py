"""Where the checked folder sits inside its git work tree (reports name files from the top)."""

from __future__ import annotations

import subprocess
from pathlib import Path


def work_tree_prefix(folder: Path) -> str:
    """``docs/`` for a folder ``docs`` at the top of its work tree; ``""`` at the top or outside git.

    Code scanning and GitLab resolve a file's path from the top of the repository, not from the
    folder imscheck was pointed at. Any failure (no git, not a work tree) means no prefix.
    """
    try:
        proc = subprocess.run(["git", "-C", str(folder), "rev-parse", "--show-prefix"], capture_output=True, check=False, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return ""
    if proc.returncode != 0:
        return ""
    # git prints the prefix with a trailing newline; the bytes are the file system's own.
    return proc.stdout.decode("utf-8", "surrogateescape").rstrip("\n")
