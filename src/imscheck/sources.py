"""Trees of files to read: the work tree, or a commit or the index read from git objects.

The checked repository is untrusted (SECURITY.md): whoever opened the merge request wrote its
documents, its ``imscheck.yaml``, its rule folders and its history. Every file of it is read
through a :class:`Source`, which keeps three promises whatever the repository holds:

- a symbolic link is never followed, wherever it stands in a path: it is reported, not read;
- only regular files are read: a FIFO, a device or a folder is reported, never read from;
- no more than the size limit is ever read into memory, and the limit holds before reading.

Git sources (:mod:`imscheck.comparison.repository`) read blobs from the object database: nothing from history
is written to disk, so no path that history controls can create or overwrite a file.
"""

from __future__ import annotations

import hashlib
import os
import stat
import subprocess
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

FILE = "file"
SYMLINK = "symlink"
FOLDER = "folder"
SPECIAL = "special"  # FIFO, device, socket, submodule: never read

# Reasons an :class:`Unreadable` gives, so callers can turn each into the right finding.
TOO_LARGE = "too-large"
MISSING = "missing"
FAILED = "failed"

_READ_CHUNK = 1 << 16


class Unreadable(Exception):
    """A file that cannot be read under the promises above; ``reason`` is a kind or a reason constant."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


def special_name(mode: int) -> str:
    """What a message calls a file that is not a regular file."""
    for test, name in ((stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a folder"), (stat.S_ISLNK, "a symbolic link")):
        if test(mode):
            return name
    return "not a regular file"


def _kind(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return SYMLINK
    if stat.S_ISREG(mode):
        return FILE
    if stat.S_ISDIR(mode):
        return FOLDER
    return SPECIAL


def too_large(size: int | None, max_bytes: int) -> Unreadable:
    shown = f"{size} bytes" if size is not None else "larger"
    return Unreadable(f"file is {shown}, over the {max_bytes}-byte limit", TOO_LARGE)


def parts_of(rel: str) -> tuple[str, ...] | None:
    """The components of a relative POSIX path, or None if it could leave its tree.

    Absolute paths, ``..``, ``.`` and empty components and any ``.git`` component are refused:
    a tree made with ``git mktree`` can hold all of them.
    """
    if not rel or rel.startswith("/") or "\0" in rel:
        return None
    parts = tuple(rel.split("/"))
    if any(part in ("", ".", "..") or part.lower() == ".git" for part in parts):
        return None
    return parts


class Source(ABC):
    """A tree of files: list them, say what each is, and read one within a size limit."""

    root: Path  # the checked folder: how messages and reports name the repository

    def commit(self) -> str | None:
        """The commit the files belong to, when there is one (reports show it)."""
        return None

    @abstractmethod
    def paths(self) -> list[str]:
        """Every file the tree holds (POSIX, relative), in no particular order."""

    @abstractmethod
    def kind(self, rel: str) -> str | None:
        """FILE, SYMLINK, FOLDER or SPECIAL; None if there is nothing at ``rel``."""

    @abstractmethod
    def read(self, rel: str, max_bytes: int) -> bytes:
        """The content of the regular file ``rel``; raises :class:`Unreadable` (never reads more than ``max_bytes + 1``)."""

    @abstractmethod
    def listdir(self, rel: str) -> list[tuple[str, str]]:
        """(name, kind) of what the folder ``rel`` holds, sorted; raises :class:`Unreadable` if ``rel`` is not a folder."""

    @abstractmethod
    def describe(self, rel: str) -> str:
        """How a message names ``rel`` (the user's path, or the path at a revision)."""


class WorkTree(Source):
    """Files on disk under ``root``; with ``use_git`` git lists them (ignored files skipped).

    The root itself was named on the command line (trusted) and may be reached through a link;
    below it, every folder is opened with ``O_NOFOLLOW`` one component at a time.
    """

    def __init__(self, root: Path, use_git: bool = True) -> None:
        self.root = Path(root)
        self._use_git = use_git

    def commit(self) -> str | None:
        return _git_head(self.root) if self._use_git else None

    def paths(self) -> list[str]:
        listed = _git_files(self.root) if self._use_git else None
        return listed if listed is not None else _walk_files(self.root)

    def kind(self, rel: str) -> str | None:
        parts = parts_of(rel)
        if parts is None:
            return None
        try:
            folder = self._open_folder(parts[:-1], rel)
        except Unreadable as exc:
            return SYMLINK if exc.reason == SYMLINK else None
        try:
            return _kind(os.stat(parts[-1], dir_fd=folder, follow_symlinks=False).st_mode)
        except OSError:
            return None
        finally:
            os.close(folder)

    def read(self, rel: str, max_bytes: int) -> bytes:
        parts = parts_of(rel)
        if parts is None:
            raise Unreadable(f"{rel!r} is not a path inside the repository", FAILED)
        folder = self._open_folder(parts[:-1], rel)
        try:
            try:
                mode = os.stat(parts[-1], dir_fd=folder, follow_symlinks=False).st_mode
            except OSError as exc:
                raise _unreadable(exc) from None
            if not stat.S_ISREG(mode):  # not even opened: opening a device can have effects
                raise Unreadable(f"not a regular file: {special_name(mode)}", _kind(mode))
            flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0)
            try:
                handle = os.open(parts[-1], flags, dir_fd=folder)
            except OSError as exc:
                raise _unreadable(exc) from None
        finally:
            os.close(folder)
        try:
            return _read_regular(handle, max_bytes)
        finally:
            os.close(handle)

    def listdir(self, rel: str) -> list[tuple[str, str]]:
        parts = () if rel in ("", ".") else parts_of(rel)
        if parts is None:
            raise Unreadable(f"{rel!r} is not a path inside the repository", FAILED)
        folder = self._open_folder(parts, rel)
        try:
            with os.scandir(folder) as entries:
                found = [(entry.name, _kind(entry.stat(follow_symlinks=False).st_mode)) for entry in entries]
        except OSError as exc:
            raise _unreadable(exc) from None
        finally:
            os.close(folder)
        return sorted(found)

    def describe(self, rel: str) -> str:
        return str(self.root) if rel in ("", ".") else str(self.root / rel)

    def _open_folder(self, parts: Iterable[str], rel: str) -> int:
        """A descriptor of the folder ``parts`` below the root, no link followed on the way."""
        flags = os.O_RDONLY | os.O_DIRECTORY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
        try:
            handle = os.open(self.root, flags)
        except OSError as exc:
            raise _unreadable(exc) from None
        for part in parts:
            try:
                inner = os.open(part, flags | os.O_NOFOLLOW, dir_fd=handle)
            except OSError as exc:
                try:
                    mode: int | None = os.stat(part, dir_fd=handle, follow_symlinks=False).st_mode
                except OSError:
                    mode = None
                os.close(handle)
                if mode is not None and stat.S_ISLNK(mode):
                    raise Unreadable(f"{part!r} in {rel!r} is a symbolic link: not followed", SYMLINK) from None
                if mode is not None:
                    raise Unreadable(f"{part!r} in {rel!r} is not a folder: {special_name(mode)}", _kind(mode)) from None
                raise _unreadable(exc) from None
            os.close(handle)
            handle = inner
        return handle


def _unreadable(exc: OSError) -> Unreadable:
    import errno

    if exc.errno == errno.ELOOP:
        return Unreadable("symbolic link not followed", SYMLINK)
    if exc.errno in (errno.ENOENT, errno.ENOTDIR):
        return Unreadable("does not exist", MISSING)
    return Unreadable(f"cannot read file: {exc.strerror}", FAILED)


def _read_regular(handle: int, max_bytes: int) -> bytes:
    """At most ``max_bytes`` from an open regular file; the size is checked before reading."""
    info = os.fstat(handle)
    if not stat.S_ISREG(info.st_mode):  # replaced between the look and the open
        raise Unreadable(f"not a regular file: {special_name(info.st_mode)}", _kind(info.st_mode))
    if info.st_size > max_bytes:
        raise too_large(info.st_size, max_bytes)
    chunks: list[bytes] = []
    total = 0
    while total <= max_bytes:  # a file that grows while read still stops at the limit
        try:
            chunk = os.read(handle, min(_READ_CHUNK, max_bytes + 1 - total))
        except OSError as exc:
            raise _unreadable(exc) from None
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    if total > max_bytes:
        raise too_large(None, max_bytes)
    return b"".join(chunks)


def read_file(path: Path, max_bytes: int) -> bytes:
    """One file named by a trusted path (its folder may be a link; the file itself may not)."""
    return WorkTree(path.parent, use_git=False).read(path.name, max_bytes)


class GitTree(Source):
    """Files listed from git objects (a commit's tree or the index), read blob by blob.

    ``entries`` maps a path to (kind, object id, size or None); ``read_blob`` fetches one blob
    and is only called once its size is known to be within the limit.
    """

    def __init__(self, root: Path, entries: Mapping[str, tuple[str, str, int | None]], label: Callable[[str], str],
                 size_of: Callable[[str], int], read_blob: Callable[[str, int], bytes], commit: str | None = None,
                 copy: Callable[[str, str, int], bytes | None] | None = None) -> None:
        self.root = root
        self._commit = commit
        self._entries = dict(entries)
        self._label = label
        self._size_of = size_of
        self._read_blob = read_blob
        # (rel, object id, limit) -> the same bytes from a cheaper place (the work tree), or None
        self._copy = copy
        self._folders: dict[str, set[str]] | None = None

    def commit(self) -> str | None:
        return self._commit

    def paths(self) -> list[str]:
        return list(self._entries)

    def kind(self, rel: str) -> str | None:
        entry = self._entries.get(rel)
        if entry is not None:
            return entry[0]
        return FOLDER if rel in self._children() else None

    def read(self, rel: str, max_bytes: int) -> bytes:
        entry = self._entries.get(rel)
        if entry is None:
            raise Unreadable("does not exist", FOLDER if rel in self._children() else MISSING)
        kind, oid, size = entry
        if kind == SYMLINK:
            raise Unreadable("symbolic link not followed", SYMLINK)
        if kind != FILE:
            raise Unreadable("not a regular file: a submodule or other special entry", kind)
        if self._copy is not None:
            same = self._copy(rel, oid, max_bytes)
            if same is not None:
                return same
        if size is None:
            size = self._size_of(oid)
        if size > max_bytes:  # checked before a byte of the blob is read
            raise too_large(size, max_bytes)
        return self._read_blob(oid, size)

    def listdir(self, rel: str) -> list[tuple[str, str]]:
        key = "" if rel in ("", ".") else rel
        children = self._children()
        entry = self._entries.get(key)
        if entry is not None:  # a crafted tree can hold a link and a folder of the same name
            raise Unreadable("is a symbolic link: not followed" if entry[0] == SYMLINK else "is not a folder", entry[0])
        if key not in children:
            raise Unreadable("does not exist", MISSING)
        out = []
        for name in sorted(children[key]):
            path = f"{key}/{name}" if key else name
            out.append((name, self.kind(path) or MISSING))
        return out

    def describe(self, rel: str) -> str:
        return self._label(rel)

    def blob_id(self, rel: str) -> str | None:
        """The object id of the regular file ``rel`` (None for anything else)."""
        entry = self._entries.get(rel)
        return entry[1] if entry is not None and entry[0] == FILE else None

    def _children(self) -> dict[str, set[str]]:
        """Folder path -> names directly in it ("" is the root), built on first use."""
        if self._folders is None:
            folders: dict[str, set[str]] = {"": set()}
            for path in self._entries:
                parts = path.split("/")
                for depth, name in enumerate(parts):
                    folders.setdefault("/".join(parts[:depth]), set()).add(name)
            self._folders = folders
        return self._folders


def blob_id(data: bytes, length: int = 40) -> str:
    """The id git gives a blob of ``data``: SHA-1, or SHA-256 in a repository whose ids are 64 digits long."""
    digest = hashlib.sha256() if length == 64 else hashlib.sha1()
    digest.update(b"blob %d\0" % len(data))
    digest.update(data)
    return digest.hexdigest()


class Fingerprinted(Source):
    """``source`` that remembers the git blob id of what each successful read returned.

    A file of the other side of a comparison whose blob has the same id holds the same bytes,
    so what was parsed from them here can be used there.
    """

    def __init__(self, source: Source, id_length: int = 40) -> None:
        self.inner = source
        self.root = source.root
        self.read_ids: dict[str, str] = {}
        self._length = id_length

    def commit(self) -> str | None:
        return self.inner.commit()

    def paths(self) -> list[str]:
        return self.inner.paths()

    def kind(self, rel: str) -> str | None:
        return self.inner.kind(rel)

    def read(self, rel: str, max_bytes: int) -> bytes:
        data = self.inner.read(rel, max_bytes)
        self.read_ids.setdefault(rel, blob_id(data, self._length))  # the first read is the one parsed
        return data

    def listdir(self, rel: str) -> list[tuple[str, str]]:
        return self.inner.listdir(rel)

    def describe(self, rel: str) -> str:
        return self.inner.describe(rel)


class Subset(Source):
    """The files ``paths`` of ``source`` and nothing else listed (all else is read as in ``source``)."""

    def __init__(self, source: Source, paths: Iterable[str]) -> None:
        self.inner = source
        self.root = source.root
        self._paths = list(paths)

    def commit(self) -> str | None:
        return self.inner.commit()

    def paths(self) -> list[str]:
        return list(self._paths)

    def kind(self, rel: str) -> str | None:
        return self.inner.kind(rel)

    def read(self, rel: str, max_bytes: int) -> bytes:
        return self.inner.read(rel, max_bytes)

    def listdir(self, rel: str) -> list[tuple[str, str]]:
        return self.inner.listdir(rel)

    def describe(self, rel: str) -> str:
        return self.inner.describe(rel)


def _git_files(root: Path) -> list[str] | None:
    try:
        proc = subprocess.run(
            ["git", "-C", str(root), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            capture_output=True,
            check=False,
        )
    except OSError:
        return None
    if proc.returncode != 0:
        return None
    return [p for p in proc.stdout.decode("utf-8", "surrogateescape").split("\0") if p]


def _walk_files(root: Path) -> list[str]:
    out: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        rel_dir = os.path.relpath(dirpath, root)
        for name in filenames:
            rel = name if rel_dir == "." else f"{rel_dir}/{name}"
            out.append(rel.replace(os.sep, "/"))
        # symlinked folders are listed by walk as dirs; report them like symlinked files
        for name in list(dirnames):
            if os.path.islink(os.path.join(dirpath, name)):
                rel = name if rel_dir == "." else f"{rel_dir}/{name}"
                out.append(rel.replace(os.sep, "/"))
    return out


def _git_head(root: Path) -> str | None:
    try:
        proc = subprocess.run(["git", "-C", str(root), "rev-parse", "--verify", "-q", "HEAD"], capture_output=True, check=False)
    except OSError:
        return None
    out = proc.stdout.decode().strip()
    return out if proc.returncode == 0 and out else None
