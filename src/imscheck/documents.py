"""Discovery and parsing of management-system documents, keeping the line of every field.

A document is a Markdown file that starts with YAML front matter, or a YAML/JSON file whose top
level is a mapping with an ``id`` or ``type`` key. Everything else is ignored. A file that tries
to be a document and cannot be read becomes a :class:`Problem`, never an exception.
"""

from __future__ import annotations

import os
import stat
import subprocess
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, List, Mapping, Optional, Sequence, Tuple

from imscheck.globs import matches_any
from imscheck.jsonparse import parse_json
from imscheck.prose import Block, Heading, data_blocks, headings, markdown_blocks
from imscheck.yamlparse import FieldPath, Limits, ParseError, nearest_line, parse_yaml

MARKDOWN_SUFFIXES = (".md", ".markdown")
DATA_SUFFIXES = (".yaml", ".yml", ".json")
CONFIG_NAME = "imscheck.yaml"


@dataclass(frozen=True)
class Document:
    """One parsed document: its metadata, where each field is, and its sections."""

    path: str  # POSIX, relative to the repository root
    format: str  # markdown | yaml | json
    meta: Mapping[str, Any]
    line: int  # first line of the metadata
    field_lines: Mapping[FieldPath, int] = field(default_factory=dict, repr=False, compare=False)
    duplicate_keys: Tuple[Tuple[str, int], ...] = ()
    body: str = field(default="", repr=False, compare=False)  # Markdown text after the front matter
    body_line: int = 1  # file line of the body's first line

    @cached_property
    def sections(self) -> Tuple[Heading, ...]:
        """Markdown headings (parsed on first use: most checks never read prose)."""
        return headings(self.body, self.body_line) if self.format == "markdown" else ()

    @cached_property
    def blocks(self) -> Tuple[Block, ...]:
        """What the document says, as blocks of stems: headings with their text, or fields with their values."""
        if self.format == "markdown":
            title = self.meta.get("title")
            return markdown_blocks(title if isinstance(title, str) else "", self.body, self.body_line, self.sections)
        return data_blocks(self.meta, self.line_of)

    @property
    def id(self) -> Optional[str]:
        value = self.meta.get("id")
        return value if isinstance(value, str) else None

    @property
    def type(self) -> Optional[str]:
        value = self.meta.get("type")
        return value if isinstance(value, str) else None

    @property
    def name(self) -> str:
        """How messages name the document: its id, or its path when it has no usable id."""
        return self.id or self.path

    def line_of(self, *path: Any) -> int:
        """Line of the field at ``path`` (or of its nearest located parent)."""
        return nearest_line(self.field_lines, path, self.line)

    def string_list(self, name: str) -> Tuple[str, ...]:
        """A list-of-strings field; a single string counts as a one-item list."""
        value = self.meta.get(name)
        if isinstance(value, str):
            return (value,)
        if isinstance(value, list):
            return tuple(v for v in value if isinstance(v, str))
        return ()


@dataclass(frozen=True)
class Problem:
    """A file that could not become (a sound) document: reported by a hygiene rule."""

    rule: str
    path: str
    line: int
    message: str


@dataclass(frozen=True)
class Corpus:
    """Everything read from a repository: documents, unreadable files, the files looked at."""

    root: Path
    documents: Tuple[Document, ...]
    problems: Tuple[Problem, ...]
    commit: Optional[str] = None


def discover(root: Path, include: Sequence[str], exclude: Sequence[str], use_git: bool = True) -> Tuple[List[str], List[str]]:
    """Return (candidate files, symlinks skipped), POSIX paths relative to ``root``, sorted.

    In a git work tree git decides (tracked and untracked files, ignored ones skipped);
    elsewhere (or with ``use_git`` false: a folder written from git objects, whose files are
    exactly the tracked ones) we walk the tree. Hidden files and folders are never documents.
    """
    listed = _git_files(root) if use_git else None
    paths = listed if listed is not None else _walk_files(root)
    files: List[str] = []
    links: List[str] = []
    for rel in sorted(set(paths)):
        if not rel.lower().endswith(MARKDOWN_SUFFIXES + DATA_SUFFIXES):
            continue
        if any(part.startswith(".") for part in rel.split("/")) or rel == CONFIG_NAME:
            continue
        if include and not matches_any(rel, include):
            continue
        if exclude and matches_any(rel, exclude):
            continue
        try:
            mode = os.lstat(root / rel).st_mode
        except OSError:  # listed by git but deleted from the work tree
            continue
        if stat.S_ISLNK(mode):
            links.append(rel)
        elif stat.S_ISREG(mode):
            files.append(rel)
    return files, links


def _git_files(root: Path) -> Optional[List[str]]:
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


def _walk_files(root: Path) -> List[str]:
    out: List[str] = []
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


def _printable(rel: str) -> str:
    """``rel`` unchanged if it is valid UTF-8, else with each bad byte shown as U+FFFD."""
    try:
        rel.encode("utf-8")
        return rel
    except UnicodeEncodeError:
        return rel.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def load_corpus(root: Path, include: Sequence[str], exclude: Sequence[str], limits: Limits, use_git: bool = True) -> Corpus:
    """Discover and parse every document under ``root``."""
    files, links = discover(root, include, exclude, use_git)
    documents: List[Document] = []
    problems: List[Problem] = [
        Problem("DOC-SYMLINK", _printable(rel), 1, "symbolic link not followed: keep documents as regular files in the repository")
        for rel in links
    ]
    for rel in files:
        shown = _printable(rel)
        if shown != rel:  # reports are UTF-8 (SARIF URIs, JSON): a name that is not cannot be carried
            problems.append(Problem("DOC-PARSE", shown, 1, "file name is not valid UTF-8: rename the file"))
            continue
        try:
            doc = read_document(root / rel, rel, limits)
        except ParseError as exc:
            problems.append(Problem("DOC-PARSE", rel, exc.line, str(exc)))
            continue
        except _Empty:
            problems.append(Problem("DOC-EMPTY", rel, 1, "empty file: not a document (add metadata or remove it)"))
            continue
        if doc is not None:
            documents.append(doc)
    return Corpus(root, tuple(documents), tuple(problems), _git_head(root) if use_git else None)


class _Empty(Exception):
    pass


def read_document(path: Path, rel: str, limits: Limits) -> Optional[Document]:
    """Parse one file; None if it is not a document. Raises ParseError if it cannot be read."""
    try:
        size = path.stat().st_size
        if size > limits.max_bytes:
            raise ParseError(f"file is {size} bytes, over the {limits.max_bytes}-byte limit (limits.max_bytes)")
        raw = path.read_bytes()
    except OSError as exc:
        raise ParseError(f"cannot read file: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ParseError(f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start}): save the file as UTF-8", line) from None
    text = text.lstrip("\ufeff")
    lower = rel.lower()
    if lower.endswith(MARKDOWN_SUFFIXES):
        return _read_markdown(text, rel, limits)
    if not text.strip():
        raise _Empty()
    if lower.endswith(".json"):
        return _read_json(text, rel, limits)
    return _read_yaml(text, rel, limits)


def _is_document(data: Any) -> bool:
    return isinstance(data, dict) and ("id" in data or "type" in data)


def _read_yaml(text: str, rel: str, limits: Limits) -> Optional[Document]:
    parsed = parse_yaml(text, limits, only_documents=True)
    if not _is_document(parsed.data):
        return None
    return Document(rel, "yaml", parsed.data, 1, parsed.lines, parsed.duplicates)


def _read_json(text: str, rel: str, limits: Limits) -> Optional[Document]:
    parsed = parse_json(text, limits, only_documents=True)
    if not _is_document(parsed.data):
        return None
    return Document(rel, "json", parsed.data, 1, parsed.lines, parsed.duplicates)


def _read_markdown(text: str, rel: str, limits: Limits) -> Optional[Document]:
    lines = text.splitlines()
    if not lines or lines[0].rstrip() != "---":
        return None  # no front matter: an ordinary Markdown file
    end = front_matter_end(lines)
    if end is None:
        raise ParseError("front matter opened with '---' on line 1 is never closed: add a closing '---' line", 1)
    parsed = parse_yaml("\n".join(lines[1:end]), limits, first_line=2)
    if not isinstance(parsed.data, dict):
        raise ParseError("front matter is not a mapping of fields (id, title, type, ...)", 2)
    body = "\n".join(lines[end + 1 :])
    return Document(rel, "markdown", parsed.data, 2, parsed.lines, parsed.duplicates, body, end + 2)


def front_matter_end(lines: Sequence[str]) -> Optional[int]:
    """Index of the line closing the front matter that ``lines[0]`` opens, or None."""
    return next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)


def _git_head(root: Path) -> Optional[str]:
    try:
        proc = subprocess.run(["git", "-C", str(root), "rev-parse", "--verify", "-q", "HEAD"], capture_output=True, check=False)
    except OSError:
        return None
    out = proc.stdout.decode().strip()
    return out if proc.returncode == 0 and out else None
