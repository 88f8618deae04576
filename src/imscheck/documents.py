"""Discovery and parsing of management-system documents, keeping the line of every field.

A document is a Markdown file that starts with YAML front matter, or a YAML/JSON file whose top
level is a mapping with an ``id`` or ``type`` key. Everything else is ignored. A file that tries
to be a document and cannot be read becomes a :class:`Problem`, never an exception.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from imscheck.dates import add_months, to_date
from imscheck.excerpt import excerpt
from imscheck.globs import matches_any
from imscheck.jsonparse import parse_json
from imscheck.prose import Block, Heading, data_blocks, headings, markdown_blocks
from imscheck.ruleids import DOC_EMPTY, DOC_PARSE, DOC_SYMLINK
from imscheck.sources import FILE, FOLDER, MISSING, SPECIAL, SYMLINK, TOO_LARGE, Source, Unreadable, WorkTree, read_file
from imscheck.yamlparse import FieldPath, Limits, ParseError, nearest_line, parse_yaml

MARKDOWN_SUFFIXES = (".md", ".markdown")
DATA_SUFFIXES = (".yaml", ".yml", ".json")
CONFIG_NAME = "imscheck.yaml"
UNCONTROLLED_TYPES = ("record", "report")


@dataclass(frozen=True)
class Document:
    """One parsed document: its metadata, where each field is, and its sections."""

    path: str  # POSIX, relative to the repository root
    format: str  # markdown | yaml | json
    meta: Mapping[str, Any]
    line: int  # first line of the metadata
    field_lines: Mapping[FieldPath, int] = field(default_factory=dict, repr=False, compare=False)
    duplicate_keys: tuple[tuple[str, int], ...] = ()
    body: str = field(default="", repr=False, compare=False)  # Markdown text after the front matter
    body_line: int = 1  # file line of the body's first line

    @cached_property
    def sections(self) -> tuple[Heading, ...]:
        """Markdown headings (parsed on first use: most checks never read prose)."""
        return headings(self.body, self.body_line) if self.format == "markdown" else ()

    @cached_property
    def blocks(self) -> tuple[Block, ...]:
        """What the document says, as blocks of stems: headings with their text, or fields with their values."""
        if self.format == "markdown":
            title = self.meta.get("title")
            return markdown_blocks(title if isinstance(title, str) else "", self.body, self.body_line, self.sections)
        return data_blocks(self.meta, self.line_of)

    @property
    def id(self) -> str | None:
        value = self.meta.get("id")
        return value if isinstance(value, str) else None

    @property
    def type(self) -> str | None:
        value = self.meta.get("type")
        return value if isinstance(value, str) else None

    @property
    def name(self) -> str:
        """How messages name the document: its id, or its path when it has no usable id."""
        return self.id or self.path

    @property
    def controlled(self) -> bool:
        """A controlled document (policy, procedure, plan...): approved and reviewed. Records and
        reports are evidence of what happened: they are sampled, not approved or reviewed."""
        return self.type not in UNCONTROLLED_TYPES

    @property
    def approved(self) -> bool:
        return self.meta.get("status") == "approved"

    def review_due(self) -> dt.date | None:
        """When an approved controlled document is next due for review: ``next_review``, else the
        last review plus ``interval_months``; None when it is not under review control."""
        review = self.meta.get("review")
        if not self.controlled or not self.approved or not isinstance(review, dict):
            return None
        due = to_date(review.get("next_review"))
        last = to_date(review.get("last_reviewed"))
        interval = review.get("interval_months")
        if due is None and last is not None and isinstance(interval, int) and not isinstance(interval, bool):
            due = add_months(last, interval)
        return due

    def line_of(self, *path: Any) -> int:
        """Line of the field at ``path`` (or of its nearest located parent)."""
        return nearest_line(self.field_lines, path, self.line)

    def string_list(self, name: str) -> tuple[str, ...]:
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
    documents: tuple[Document, ...]
    problems: tuple[Problem, ...]
    commit: str | None = None


def discover(root: Path | Source, include: Sequence[str], exclude: Sequence[str], use_git: bool = True) -> tuple[list[str], list[str]]:
    """Return (candidate files, symlinks skipped), POSIX paths relative to the source's root, sorted.

    ``root`` is a :class:`~imscheck.sources.Source` or a folder (read as a work tree: in a git
    work tree git decides, tracked and untracked files with ignored ones skipped; elsewhere or
    with ``use_git`` false the tree is walked). Hidden files and folders are never documents;
    folders named like documents are skipped; FIFOs and devices are candidates, so that reading
    them reports them (they are never opened to read).
    """
    source = root if isinstance(root, Source) else WorkTree(Path(root), use_git)
    files: list[str] = []
    links: list[str] = []
    for rel in sorted(set(source.paths())):
        if not rel.lower().endswith(MARKDOWN_SUFFIXES + DATA_SUFFIXES):
            continue
        if any(part.startswith(".") for part in rel.split("/")) or rel == CONFIG_NAME:
            continue
        if include and not matches_any(rel, include):
            continue
        if exclude and matches_any(rel, exclude):
            continue
        kind = source.kind(rel)
        if kind == SYMLINK:
            links.append(rel)
        elif kind in (FILE, SPECIAL):
            files.append(rel)
    return files, links


def _printable(rel: str) -> str:
    """``rel`` unchanged if it is valid UTF-8, else with each bad byte shown as U+FFFD."""
    try:
        rel.encode("utf-8")
        return rel
    except UnicodeEncodeError:
        return rel.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


_SYMLINK_MESSAGE = "symbolic link not followed: keep documents as regular files in the repository"


def load_corpus(root: Path | Source, include: Sequence[str], exclude: Sequence[str], limits: Limits, use_git: bool = True,
                progress: Callable[[str, int, int], None] | None = None) -> Corpus:
    """Discover and parse every document of ``root`` (a source, or a folder read as a work tree).

    ``progress(phase, done, total)`` is told every few hundred files (see imscheck.progress).
    """
    source = root if isinstance(root, Source) else WorkTree(Path(root), use_git)
    files, links = discover(source, include, exclude)
    documents: list[Document] = []
    problems: list[Problem] = [Problem(DOC_SYMLINK, _printable(rel), 1, _SYMLINK_MESSAGE) for rel in links]
    for number, rel in enumerate(files):
        if progress is not None and number % 250 == 0:
            progress("reading", number, len(files))
        shown = _printable(rel)
        if shown != rel:  # reports are UTF-8 (SARIF URIs, JSON): a name that is not cannot be carried
            problems.append(Problem(DOC_PARSE, shown, 1, "file name is not valid UTF-8: rename the file"))
            continue
        try:
            doc = read_document(source, rel, limits)
        except _Skipped:
            continue
        except _Linked:
            problems.append(Problem(DOC_SYMLINK, rel, 1, _SYMLINK_MESSAGE))
            continue
        except ParseError as exc:
            problems.append(Problem(DOC_PARSE, rel, exc.line, str(exc)))
            continue
        except _Empty:
            problems.append(Problem(DOC_EMPTY, rel, 1, "empty file: not a document (add metadata or remove it)"))
            continue
        except (ValueError, OverflowError, RecursionError) as exc:
            # A value the parsers let through but cannot hold (a date past 9999, an integer of
            # thousands of digits): a finding on this file, never a crash of the whole run.
            problems.append(Problem(DOC_PARSE, rel, 1, f"cannot be read: {excerpt(str(exc))}"))
            continue
        if doc is not None:
            documents.append(doc)
    return Corpus(source.root, tuple(documents), tuple(problems), source.commit())


class _Empty(Exception):
    pass


class _Skipped(Exception):
    """Gone since it was listed, or a folder: nothing to report."""


class _Linked(Exception):
    """A symbolic link met on the way to the file (a linked folder in its path)."""


def read_document(where: Path | Source, rel: str, limits: Limits) -> Document | None:
    """Parse one file; None if it is not a document. Raises ParseError if it cannot be read.

    ``where`` is the source holding ``rel``, or the file's own path (read with the same care).
    """
    try:
        if isinstance(where, Source):
            raw = where.read(rel, limits.max_bytes)
        else:
            raw = read_file(Path(where), limits.max_bytes)
    except Unreadable as exc:
        if exc.reason in (MISSING, FOLDER):
            raise _Skipped() from None
        if exc.reason == SYMLINK:
            raise _Linked() from None
        if exc.reason == SPECIAL:
            raise ParseError(f"{exc}: keep documents as regular files") from None
        if exc.reason == TOO_LARGE:
            raise ParseError(f"{exc} (limits.max_bytes)") from None
        raise ParseError(str(exc)) from None
    return parse_document(raw, rel, limits)


def parse_document(raw: bytes, rel: str, limits: Limits) -> Document | None:
    """Parse the bytes of the file ``rel``; None if it is not a document."""
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


def _read_yaml(text: str, rel: str, limits: Limits) -> Document | None:
    parsed = parse_yaml(text, limits, only_documents=True)
    if not _is_document(parsed.data):
        return None
    return Document(rel, "yaml", parsed.data, 1, parsed.lines, parsed.duplicates)


def _read_json(text: str, rel: str, limits: Limits) -> Document | None:
    parsed = parse_json(text, limits, only_documents=True)
    if not _is_document(parsed.data):
        return None
    return Document(rel, "json", parsed.data, 1, parsed.lines, parsed.duplicates)


def _read_markdown(text: str, rel: str, limits: Limits) -> Document | None:
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


def front_matter_end(lines: Sequence[str]) -> int | None:
    """Index of the line closing the front matter that ``lines[0]`` opens, or None."""
    return next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
