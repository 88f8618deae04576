"""Git access: resolve a base revision and read a commit or the index straight from git objects.

The git binary does the work (``rev-parse``, ``ls-tree``, ``ls-files``, ``cat-file``): its
listing gives each entry's mode and blob size, so a blob over the size limit is never read, and
a symbolic link (mode 120000) is reported without being materialised. Nothing from history is
written to disk: the paths a commit holds (``..``, a link and a folder of one name, made with
``git mktree``) cannot reach the file system. The user's work tree and index are never changed.

A repository git cannot read (a shallow clone missing the base, a damaged object) is a set-up
error, exit 2, saying what to do: never a comparison with an empty base, which is right only
for a repository without any commit yet.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from imscheck.errors import ImscheckError
from imscheck.sources import FILE, SPECIAL, SYMLINK, GitTree, Unreadable, WorkTree, blob_id, parts_of

# Only files that can be documents, the configuration or rule files are listed (and links).
_WANTED_SUFFIXES = (".md", ".markdown", ".yaml", ".yml", ".json")
_KINDS = {"100644": FILE, "100755": FILE, "100664": FILE, "120000": SYMLINK}
_DAMAGED = "the repository is damaged or incomplete: run git fsck, or clone it again"
# git must not page, prompt, take locks a read does not need, or translate its messages
_ENV = {"GIT_PAGER": "cat", "GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"}


class GitUnreadable(ImscheckError):
    """git could not give what a comparison needs: exit 2, never an empty base."""


@dataclass(frozen=True)
class Revision:
    """A resolved base: what the user asked for and the commit it names (None: no commit yet)."""

    ref: str
    commit: str | None


def _first_line(stderr: bytes) -> str:
    lines = [line.strip() for line in stderr.decode("utf-8", "replace").splitlines() if line.strip()]
    return repr(lines[0][:160])[1:-1] if lines else "git failed"  # escaped: git may quote a path


class GitRepository:
    """The git repository holding a management-system folder (which may be a sub-folder)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._env = {**os.environ, **_ENV}
        self._cat: subprocess.Popen[bytes] | None = None
        self._check: subprocess.Popen[bytes] | None = None
        self._work: WorkTree | None = None
        top = self._git("rev-parse", "--show-toplevel", cwd=folder, allow_fail=True)
        if top is None:
            inside = self._git("rev-parse", "--is-bare-repository", cwd=folder, allow_fail=True)
            if inside is not None and inside.strip() == b"true":
                raise ImscheckError("a bare git repository has no work tree to check", str(folder))
            raise ImscheckError("comparing with git history needs a git repository; this folder is not in one", str(folder))
        self.top = Path(top.decode("utf-8", "surrogateescape").rstrip("\n"))
        # Paths in git objects are relative to the top of the repository; documents are
        # relative to the checked folder. ``prefix`` converts one into the other.
        self.prefix = (self._git("rev-parse", "--show-prefix", cwd=folder) or b"").decode("utf-8", "surrogateescape").rstrip("\n")

    def close(self) -> None:
        """End the git cat-file processes kept for reading objects."""
        for proc in (self._cat, self._check):
            if proc is not None:
                for stream in (proc.stdin, proc.stdout):
                    if stream is not None:
                        stream.close()
                proc.kill()
                proc.wait()
        self._cat = self._check = None

    def __enter__(self) -> GitRepository:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _git(self, *args: str, cwd: Path | None = None, allow_fail: bool = False, what: str = "") -> bytes | None:
        try:
            proc = subprocess.run(["git", *args], cwd=cwd or self.top, capture_output=True, env=self._env, check=False)
        except OSError as exc:
            raise ImscheckError(f"cannot run git: {exc.strerror}", "--changed-since") from None
        if proc.returncode != 0:
            if allow_fail:
                return None
            raise GitUnreadable(f"git cannot {what or ' '.join(args[:1])}: {_first_line(proc.stderr)}: {_DAMAGED}", str(self.folder))
        return proc.stdout

    def _shallow(self) -> bool:
        out = self._git("rev-parse", "--is-shallow-repository", allow_fail=True)
        return out is not None and out.strip() == b"true"

    def resolve(self, ref: str) -> Revision:
        """The commit ``ref`` names; an unknown revision is a usage error (exit 2)."""
        if ref.startswith("-"):
            raise ImscheckError(f"{ref!r} is not a git revision", "--changed-since")
        named = self._git("rev-parse", "--verify", "--quiet", ref, allow_fail=True)
        if named is None:
            if ref == "HEAD" and self._git("rev-parse", "--verify", "--quiet", "HEAD", allow_fail=True) is None and self._unborn():
                return Revision(ref, None)  # first commit: the base is empty
            if self._shallow():
                raise ImscheckError(
                    f"git revision {ref!r} is not in this shallow clone: fetch more history (git fetch --deepen=50, or "
                    "--unshallow; in CI clone with enough depth, e.g. GIT_DEPTH: 0 or fetch-depth: 0)", "--changed-since")
            raise ImscheckError(f"unknown git revision {ref!r}", "--changed-since")
        kind = self._git("cat-file", "-t", named.decode().strip(), allow_fail=True)
        if kind is None:  # the name resolves, the object behind it cannot be read
            raise GitUnreadable(f"git revision {ref!r} names an object git cannot read: {_DAMAGED}", "--changed-since")
        commit = self._git("rev-parse", "--verify", "--quiet", ref + "^{commit}", allow_fail=True)
        if commit is None:
            if kind.strip() in (b"blob", b"tree"):  # a file or folder, not a revision
                raise ImscheckError(f"unknown git revision {ref!r}: it names a {kind.decode().strip()}, not a commit", "--changed-since")
            raise GitUnreadable(f"git revision {ref!r} names no readable commit: {_DAMAGED}", "--changed-since")
        return Revision(ref, commit.decode().strip())

    def _unborn(self) -> bool:
        """HEAD names a branch that has no commit yet (a new repository), not a damaged one."""
        branch = self._git("symbolic-ref", "--quiet", "HEAD", allow_fail=True)
        if branch is None:
            return False
        name = branch.decode("utf-8", "surrogateescape").strip()
        return self._git("show-ref", "--verify", "--quiet", name, allow_fail=True) is None and not self._has_any_ref_file(name)

    def _has_any_ref_file(self, name: str) -> bool:
        """A branch file whose commit git cannot read still counts as a commit: the repository is damaged."""
        git_dir = self._git("rev-parse", "--git-dir", allow_fail=True)
        if git_dir is None:
            return False
        folder = self.top / git_dir.decode("utf-8", "surrogateescape").strip()
        return (folder / name).exists()

    def commit_source(self, revision: Revision) -> GitTree:
        """The checked folder's files as committed at ``revision`` (empty for no commit yet)."""
        entries: dict[str, tuple[str, str, int | None]] = {}
        if revision.commit is not None:
            listing = self._git("ls-tree", "-r", "-z", "-l", "--full-tree", revision.commit,
                                what=f"list the files of {revision.ref} ({revision.commit[:12]})") or b""
            for record in listing.split(b"\0"):
                meta, tab, raw_path = record.partition(b"\t")
                if not tab:
                    continue
                mode, kind, oid, size = meta.decode("ascii", "replace").split()
                self._add(entries, raw_path, mode, oid, int(size) if size.isdigit() else None)
        return GitTree(self.folder, entries, lambda rel: f"{rel} at {revision.ref}", self._size_of, self._read_blob, revision.commit)

    def index_source(self) -> GitTree:
        """The checked folder's files as staged in the index: what the next commit will hold."""
        listing = self._git("ls-files", "-s", "-z", "--full-name", what="read the index") or b""
        entries: dict[str, tuple[str, str, int | None]] = {}
        for record in listing.split(b"\0"):
            meta, tab, raw_path = record.partition(b"\t")
            if not tab:
                continue
            mode, oid, stage = meta.decode("ascii", "replace").split()
            if stage == "0":  # conflicted entries have no single staged content
                self._add(entries, raw_path, mode, oid, None)
        # The index holds no sizes: one batch asks git for all of them, so that no blob is read
        # to learn its size and a damaged object is found even where the work tree holds its bytes.
        sizes = self._sizes([oid for kind, oid, _ in entries.values() if kind == FILE])
        entries = {rel: (kind, oid, sizes.get(oid) if kind == FILE else size) for rel, (kind, oid, size) in entries.items()}
        return GitTree(self.folder, entries, lambda rel: f"{self.folder / rel} (staged)", self._size_of, self._read_blob,
                       copy=self._work_tree_copy)

    def _work_tree_copy(self, rel: str, oid: str, max_bytes: int) -> bytes | None:
        """The work tree's file ``rel`` when it holds exactly the staged blob ``oid`` (most files do).

        Reading a file is cheaper than asking git for the blob; the id proves the bytes are the
        staged ones. A file that differs, is missing, a link or over the limit: None (git is asked).
        """
        if self._work is None:
            self._work = WorkTree(self.folder, use_git=False)
        try:
            data = self._work.read(rel, max_bytes)
        except Unreadable:
            return None
        return data if blob_id(data, len(oid)) == oid else None

    def id_length(self) -> int:
        """How many hex digits an object id has here: 40 (SHA-1) or 64 (SHA-256)."""
        out = self._git("rev-parse", "--show-object-format", allow_fail=True)
        return 64 if out is not None and out.strip() == b"sha256" else 40

    def _add(self, entries: dict[str, tuple[str, str, int | None]], raw_path: bytes, mode: str, oid: str, size: int | None) -> None:
        path = raw_path.decode("utf-8", "surrogateescape")
        kind = _KINDS.get(mode, SPECIAL)
        # links whatever their name: a linked rule folder or imscheck.yaml must be seen to be refused
        if not path.startswith(self.prefix) or not (kind == SYMLINK or path.lower().endswith(_WANTED_SUFFIXES)):
            return
        rel = path[len(self.prefix):]
        if parts_of(rel) is None or rel in entries:  # '..', absolute, empty or .git parts; a repeated name
            return
        entries[rel] = (kind, oid, size)

    def _sizes(self, oids: list[str]) -> dict[str, int]:
        """The size of each blob, from its header (one ``git cat-file --batch-check`` for all)."""
        if not oids:
            return {}
        unique = list(dict.fromkeys(oids))
        try:
            proc = subprocess.run(["git", "cat-file", "--batch-check"], cwd=self.top, env=self._env, capture_output=True,
                                  input="".join(f"{oid}\n" for oid in unique).encode("ascii"), check=False)
        except OSError as exc:
            raise ImscheckError(f"cannot run git: {exc.strerror}", "--staged") from None
        lines = proc.stdout.decode("ascii", "replace").splitlines()
        sizes: dict[str, int] = {}
        for oid, line in zip(unique, lines, strict=False):
            header = line.split()
            if len(header) == 3 and header[0] == oid and header[1] == "blob" and header[2].isdigit():
                sizes[oid] = int(header[2])
        if proc.returncode != 0 or len(sizes) != len(unique):
            bad = next((oid for oid in unique if oid not in sizes), unique[0])
            raise GitUnreadable(f"git object {bad} cannot be read: {_DAMAGED}", str(self.folder))
        return sizes

    def _size_of(self, oid: str) -> int:
        """The size of a blob, from its header only (``git cat-file --batch-check``)."""
        proc = self._check = self._check or self._batch("--batch-check")
        header = self._ask(proc, oid)
        return int(header[2])

    def _read_blob(self, oid: str, size: int) -> bytes:
        """One blob whose size is known to be within the limit (``git cat-file --batch``)."""
        proc = self._cat = self._cat or self._batch("--batch")
        header = self._ask(proc, oid)
        if int(header[2]) != size:
            self.close()
            raise GitUnreadable(f"git object {oid} is not the size its listing says: {_DAMAGED}", str(self.folder))
        assert proc.stdout is not None
        data = _read_exactly(proc.stdout, size + 1)  # the content and its closing newline
        if data is None:
            self.close()
            raise GitUnreadable(f"git object {oid} cannot be read: {_DAMAGED}", str(self.folder))
        return data[:-1]

    def _batch(self, option: str) -> subprocess.Popen[bytes]:
        return subprocess.Popen(["git", "cat-file", option], cwd=self.top, env=self._env, stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)

    def _ask(self, proc: subprocess.Popen[bytes], oid: str) -> list[str]:
        assert proc.stdin is not None and proc.stdout is not None
        try:
            proc.stdin.write(oid.encode("ascii") + b"\n")
            proc.stdin.flush()
        except OSError:  # git ended: it could not read an earlier object
            self.close()
            raise GitUnreadable(f"git object {oid} cannot be read: {_DAMAGED}", str(self.folder)) from None
        header = proc.stdout.readline().decode("ascii", "replace").split()
        if len(header) != 3 or header[1] != "blob" or not header[2].isdigit():
            self.close()
            raise GitUnreadable(f"git object {oid} cannot be read: {_DAMAGED}", str(self.folder))
        return header


def _read_exactly(stream: IO[bytes], count: int) -> bytes | None:
    chunks: list[bytes] = []
    while count > 0:
        chunk = stream.read(count)
        if not chunk:
            return None
        chunks.append(chunk)
        count -= len(chunk)
    return b"".join(chunks)


__all__: tuple[str, ...] = ("GitRepository", "GitUnreadable", "Revision")
