"""Git access (GitPython): resolve a base revision and copy a committed or staged state out.

Both sides of a comparison are read from git objects and written into a temporary folder, so the
user's work tree and index are never touched. GitPython is imported here only, and this module
only when a comparison is asked for: a plain ``imscheck check`` does not pay its import time.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Tuple

from imscheck.errors import ImscheckError

# Only files that can be documents, the configuration or rule files are copied out.
_WANTED_SUFFIXES = (".md", ".markdown", ".yaml", ".yml", ".json")
_SYMLINK_MODE = 0o120000
_FILE_TYPE_MASK = 0o170000


@dataclass(frozen=True)
class Revision:
    """A resolved base: what the user asked for and the commit it names (None: no commit yet)."""

    ref: str
    commit: Optional[str]


class GitRepository:
    """The git repository holding a management-system folder (which may be a sub-folder)."""

    def __init__(self, folder: Path) -> None:
        import git  # lazy: see the module docstring

        try:
            self._repo = git.Repo(folder, search_parent_directories=True)
        except (git.InvalidGitRepositoryError, git.NoSuchPathError):
            raise ImscheckError("comparing with git history needs a git repository; this folder is not in one", str(folder)) from None
        top = self._repo.working_tree_dir
        if top is None:
            raise ImscheckError("a bare git repository has no work tree to check", str(folder))
        # Paths in git objects are relative to the top of the repository; documents are
        # relative to the checked folder. ``prefix`` converts one into the other.
        rel = Path(os.path.realpath(folder)).relative_to(os.path.realpath(top)).as_posix()
        self.prefix = "" if rel == "." else rel + "/"

    def close(self) -> None:
        """End the git cat-file processes GitPython keeps for reading objects."""
        self._repo.close()

    def __enter__(self) -> "GitRepository":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def resolve(self, ref: str) -> Revision:
        """The commit ``ref`` names; an unknown revision is a usage error (exit 2)."""
        import git

        try:
            commit = self._repo.commit(ref)
        except (git.BadName, git.BadObject, ValueError):
            if ref == "HEAD" and not self._has_commits():
                return Revision(ref, None)  # first commit: the base is empty
            raise ImscheckError(f"unknown git revision {ref!r}", "--changed-since") from None
        return Revision(ref, commit.hexsha)

    def _has_commits(self) -> bool:
        try:
            self._repo.head.commit
        except ValueError:
            return False
        return True

    def write_commit(self, revision: Revision, dest: Path) -> None:
        """Write the folder's files as committed at ``revision`` into ``dest``."""
        import git

        if revision.commit is None:
            return
        for item in self._repo.commit(revision.commit).tree.traverse():
            if isinstance(item, git.Blob):  # trees are walked into; submodules have no content here
                self._write(str(item.path), item.mode, item.binsha, dest)

    def write_index(self, dest: Path) -> None:
        """Write the folder's files as staged in the index (what the next commit holds) into ``dest``."""
        for (path, stage), entry in self._repo.index.entries.items():
            if stage == 0:  # conflicted entries have no single staged content
                self._write(str(path), entry.mode, entry.binsha, dest)

    def _write(self, path: str, mode: int, binsha: bytes, dest: Path) -> None:
        rel = self._relative(path)
        if rel is None:
            return
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        data = self._repo.odb.stream(binsha).read()
        if mode & _FILE_TYPE_MASK == _SYMLINK_MODE:
            os.symlink(data.decode("utf-8", "surrogateescape"), target)  # kept a link: never followed
        else:
            target.write_bytes(data)

    def _relative(self, path: str) -> Optional[str]:
        if not path.startswith(self.prefix) or not path.lower().endswith(_WANTED_SUFFIXES):
            return None
        return path[len(self.prefix):]


__all__: Tuple[str, ...] = ("GitRepository", "Revision")
