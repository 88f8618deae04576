"""YAML parsing that keeps line numbers, reports duplicate keys and enforces safety limits.

PyYAML silently keeps the last of two equal keys; that loses a user's data without a word, so we
compose the node tree ourselves, look for duplicates, record each key's line, and only then
construct Python values. The libyaml C loader is used when PyYAML was built with it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from sys import intern
from typing import Any

import yaml

from imscheck.escaping import scrub_surrogates
from imscheck.excerpt import excerpt

_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

FieldPath = tuple[Any, ...]


# Integers longer than this are refused: Python will not print one of more than 4300 digits
# (sys.int_max_str_digits), and building one from a long sexagesimal ("1:2:3:...") is quadratic.
MAX_INT_DIGITS = 4000
_MAX_INT_BITS = 13_287  # about 4000 decimal digits, for integers written in hex, octal or base 60
# Lone surrogates (U+D800-U+DFFF) cannot be written as UTF-8: every report would fail on one.
# Where a YAML text can hold one: an escape in a double-quoted scalar, or the character itself.
_SURROGATE_SOURCE = re.compile(r"\\u[dD][89a-fA-F]|\\U0000[dD][89a-fA-F]|[\ud800-\udfff]")


# What PyYAML's safe constructors raise for a bad scalar: they trust the tag, so an explicit
# ``!!float abc`` reaches float().
_SCALAR_ERRORS = (ValueError, KeyError, AttributeError, TypeError, OverflowError)


class _FastLoader(_BaseLoader):  # type: ignore[misc]
    """Safe loader with bounded integers and located bad dates; a bad scalar of another kind
    escapes as a bare exception, and the text is then loaded again with :class:`_Loader`."""

    def construct_yaml_timestamp(self, node: yaml.Node) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, AttributeError, OverflowError) as exc:
            raise yaml.constructor.ConstructorError(
                None, None, f"invalid date {excerpt(node.value)} ({_reason(exc)})", node.start_mark
            ) from None

    def construct_yaml_int(self, node: yaml.Node) -> Any:
        if len(str(node.value)) > MAX_INT_DIGITS + 3:  # before any work: "0x" and a sign may lead
            raise _too_long(node)
        value = super().construct_yaml_int(node)
        if isinstance(value, int) and value.bit_length() > _MAX_INT_BITS:
            raise _too_long(node)
        return value


def _shorten(problem: str) -> str:
    """PyYAML's message on one line, cut short: it may quote a tag or anchor of any length."""
    text = " ".join(problem.split())
    return text if len(text) <= 200 else text[:200] + "..."


def _reason(exc: BaseException) -> str:
    if isinstance(exc, AttributeError):  # a regular expression that found nothing
        return "not in the expected form"
    text = " ".join(str(exc).split())[:80]
    return text if text and not isinstance(exc, KeyError) else "not a known value"


def _too_long(node: yaml.Node) -> yaml.constructor.ConstructorError:
    return yaml.constructor.ConstructorError(
        None, None, f"integer {excerpt(node.value)} is too large (more than {MAX_INT_DIGITS} digits)", node.start_mark
    )


_FastLoader.add_constructor("tag:yaml.org,2002:timestamp", _FastLoader.construct_yaml_timestamp)
_FastLoader.add_constructor("tag:yaml.org,2002:int", _FastLoader.construct_yaml_int)


class _Loader(_FastLoader):
    """Safe loader whose bad scalars (``!!int abc``, ``!!timestamp hello``, a date 2026-13-40, an
    integer of 5000 digits) are located ConstructorErrors, never ValueErrors or worse.

    Wrapping every node costs a fifth of construction, so it is used only for a text the fast
    loader failed on: construction is deterministic, the same node fails again, now located.
    """

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except _SCALAR_ERRORS as exc:
            tag = node.tag.rsplit(":", 1)[-1] if isinstance(node.tag, str) else "value"
            what = excerpt(node.value) if isinstance(node, yaml.ScalarNode) else "this node"
            raise yaml.constructor.ConstructorError(
                None, None, f"{what} is not a valid {tag} ({_reason(exc)})", node.start_mark
            ) from None


@dataclass(frozen=True)
class Limits:
    """Safety limits for one file; imscheck.yaml ``limits`` can raise them."""

    max_bytes: int = 1_000_000
    max_depth: int = 50
    max_nodes: int = 100_000  # after alias expansion: stops "billion laughs" documents


def nearest_line(lines: Mapping[FieldPath, int], path: Sequence[Any], default: int) -> int:
    """Line of the field at ``path``, else of its nearest located parent, else ``default``."""
    key = tuple(path)
    while key:
        line = lines.get(key)
        if line is not None:
            return line
        key = key[:-1]
    return default


class ParseError(Exception):
    """A file that cannot be read as YAML; ``line`` is 1-based in the file."""

    def __init__(self, message: str, line: int = 1) -> None:
        super().__init__(message)
        self.line = line


@dataclass(frozen=True)
class Parsed:
    data: Any
    lines: Mapping[FieldPath, int]
    duplicates: tuple[tuple[str, int], ...]


class LazyLines(Mapping[FieldPath, int]):
    """The line of every field of a YAML text, found when first asked for.

    Most documents of a large repository have no finding and never need a line: keeping the
    text (as UTF-8, half the size of a str holding one non-Latin-1 character, and smaller than
    the table of lines) and composing it again on first use saves a walk over every node of
    every document. The text has passed every limit already.
    """

    __slots__ = ("_text", "_first_line", "_limits", "_lines")

    def __init__(self, text: str, first_line: int, limits: Limits) -> None:
        self._text: bytes | None = text.encode("utf-8", "surrogatepass")
        self._first_line = first_line
        self._limits = limits
        self._lines: dict[FieldPath, int] | None = None

    def _table(self) -> dict[FieldPath, int]:
        if self._lines is None:
            assert self._text is not None
            lines: dict[FieldPath, int] = {}
            loader = _FastLoader(self._text.decode("utf-8", "surrogatepass"))
            try:
                node = loader.get_node() if loader.check_node() else None
                if node is not None:
                    _walk(node, self._limits, self._first_line - 1, lines, [])
            finally:
                loader.dispose()
            self._lines, self._text = lines, None
        return self._lines

    @property
    def computed(self) -> bool:
        """Whether the lines have been found (the text composed again)."""
        return self._lines is not None

    def __getitem__(self, key: FieldPath) -> int:
        return self._table()[key]

    def __iter__(self) -> Iterator[FieldPath]:
        return iter(self._table())

    def __len__(self) -> int:
        return len(self._table())


def looks_like_document(node: yaml.Node) -> bool:
    """A mapping with a plain ``id`` or ``type`` key: the file means to be a document."""
    return isinstance(node, yaml.MappingNode) and any(
        isinstance(key, yaml.ScalarNode) and key.value in ("id", "type") for key, _ in node.value
    )


def parse_yaml(text: str, limits: Limits, first_line: int = 1, only_documents: bool = False) -> Parsed:
    """Parse one YAML document; ``first_line`` is the file line where ``text`` starts.

    With ``only_documents``, a file whose first node is not document-shaped is left alone
    (``data`` None) before any value is built: an mkdocs.yml with Python tags, a multi-document
    CI file or a config with its own odd dates is not ours to judge.
    """
    try:
        return _parse(_FastLoader, text, limits, first_line, only_documents)
    except _SCALAR_ERRORS:
        return _parse(_Loader, text, limits, first_line, only_documents)  # to say which value, and where


def _parse(loader_class: Any, text: str, limits: Limits, first_line: int, only_documents: bool) -> Parsed:
    loader = loader_class(text)
    try:
        if only_documents:
            node = loader.get_node() if loader.check_node() else None
            if node is None or not looks_like_document(node):
                return Parsed(None, {}, ())
            if loader.check_node():
                raise ParseError("more than one YAML document in the file: keep one document per file", first_line)
        else:
            node = loader.get_single_node()
        if node is None:
            return Parsed(None, {}, ())
        lines: Mapping[FieldPath, int]
        duplicates: list[tuple[str, int]] = []
        data = _build(loader, node, limits) if loader_class is _FastLoader else _DOUBT
        if data is not _DOUBT:
            lines = LazyLines(text, first_line, limits)
        else:  # aliases, a duplicate key, a limit near, an odd tag or a bad value: as PyYAML does it
            lines = {}
            _walk(node, limits, first_line - 1, lines, duplicates)
            data = loader.construct_document(node)
        if _SURROGATE_SOURCE.search(text):  # only PyYAML's pure-Python scanner lets one through
            data = _clean_strings(data)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = first_line + mark.line if mark is not None else first_line
        problem = exc.problem or exc.context or "invalid YAML"
        raise ParseError(f"invalid YAML: {_shorten(problem)}", line) from None
    except yaml.reader.ReaderError as exc:  # control characters: a position, not a mark
        line = first_line + text.count("\n", 0, exc.position)
        raise ParseError(f"invalid YAML: control character {exc.character!r} is not allowed", line) from None
    except yaml.YAMLError as exc:
        raise ParseError("invalid YAML: " + _shorten(str(exc)), first_line) from None
    except RecursionError:
        raise ParseError("YAML nested too deeply", first_line) from None
    finally:
        loader.dispose()
    return Parsed(data, lines, tuple(duplicates))


_DOUBT: Any = object()
_TAG = "tag:yaml.org,2002:"
_STR, _MAP, _SEQ = _TAG + "str", _TAG + "map", _TAG + "seq"
# scalar tags whose safe constructor returns the value directly (no generator, no other node)
_SCALAR_TAGS = frozenset(_TAG + t for t in ("null", "bool", "int", "float", "binary", "timestamp", "str"))


_INTERNED = 40


class _Unsure(Exception):
    pass


def _build(loader: Any, root: yaml.Node, limits: Limits) -> Any:
    """The value of a plain node tree, built in one pass, or ``_DOUBT``.

    Plain means what :func:`_walk` would accept without a word: no shared (aliased) collection,
    no mapping repeating a key, well inside ``max_depth`` and ``max_nodes``; and only the
    standard tags on plain maps, sequences and scalars (each scalar built by the loader's own
    constructor, so the values are PyYAML's). PyYAML's generic construction costs four times
    this; anything unusual (or failing) answers ``_DOUBT`` and is walked and built as before,
    which decides, locates and words every error.
    """
    if root.__class__ is yaml.ScalarNode:
        return _DOUBT
    constructors = loader.yaml_constructors
    seen: set[int] = set()
    max_depth = limits.max_depth
    scalar_node, mapping_node = yaml.ScalarNode, yaml.MappingNode
    count = 1

    def scalar(node: yaml.Node) -> Any:
        tag = node.tag
        if tag == _STR:
            value = node.value
            # keys and short values (status, type, service ids) repeat in every document: one
            # copy of each in memory, not one per document (a tenth of a large repository's)
            return intern(value) if len(value) <= _INTERNED else value
        if tag not in _SCALAR_TAGS:
            raise _Unsure()
        return constructors[tag](loader, node)

    def build(node: yaml.Node, depth: int) -> Any:
        nonlocal count
        if depth >= max_depth or id(node) in seen:  # children near the depth limit, or an alias
            raise _Unsure()
        seen.add(id(node))
        children = node.value
        count += len(children)
        if node.__class__ is mapping_node:
            if node.tag != _MAP:
                raise _Unsure()
            mapping: dict[Any, Any] = {}
            written = set()
            for key_node, value_node in children:
                if key_node.__class__ is not scalar_node:
                    raise _Unsure()
                written.add(key_node.value)
                mapping[scalar(key_node)] = scalar(value_node) if value_node.__class__ is scalar_node else build(value_node, depth + 1)
            if len(written) != len(children):  # a key written twice: the walk reports it
                raise _Unsure()
            return mapping
        if node.tag != _SEQ:
            raise _Unsure()
        return [scalar(item) if item.__class__ is scalar_node else build(item, depth + 1) for item in children]

    try:
        value = build(root, 0)
    except Exception:  # noqa: BLE001 - any doubt at all: the careful path decides, and says why
        return _DOUBT
    return value if count <= limits.max_nodes else _DOUBT


def _walk(
    root: yaml.Node,
    limits: Limits,
    offset: int,
    lines: dict[FieldPath, int],
    duplicates: list[tuple[str, int]],
) -> None:
    """Record key lines and duplicate keys; enforce depth and expanded-size limits."""
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()  # the nodes being walked: an alias to one of them is a cycle

    def size_of(node: yaml.Node, path: FieldPath, depth: int) -> int:
        if id(node) in open_nodes:
            # a value that contains itself has no end: every later walk over it would loop
            raise ParseError("an alias refers to a value that contains it (a recursive alias)", node.start_mark.line + 1 + offset)
        if depth > limits.max_depth:
            raise ParseError(
                f"nested more than {limits.max_depth} levels deep (limits.max_depth)",
                node.start_mark.line + 1 + offset,
            )
        known = sizes.get(id(node))
        if known is not None:  # an alias: counted again, not walked again
            return known
        open_nodes.add(id(node))
        total = 1
        if isinstance(node, yaml.MappingNode):
            seen: dict[Any, int] = {}
            for key_node, value_node in node.value:
                key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
                line = key_node.start_mark.line + 1 + offset
                child = path + (key,)
                if key is not None and key != "<<":
                    if key in seen:
                        dotted = ".".join(str(p) for p in child)
                        duplicates.append((dotted, line))
                    seen[key] = line
                    lines[child] = line
                total += size_of(value_node, child, depth + 1)
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                child = path + (index,)
                lines[child] = item.start_mark.line + 1 + offset
                total += size_of(item, child, depth + 1)
        if total > limits.max_nodes:
            raise ParseError(
                f"expands to more than {limits.max_nodes} values, aliases included (limits.max_nodes)",
                node.start_mark.line + 1 + offset,
            )
        open_nodes.discard(id(node))
        sizes[id(node)] = total
        return total

    size_of(root, (), 0)


def _clean_strings(value: Any) -> Any:
    """``value`` with lone surrogates in its strings (keys and set members too) replaced."""
    if isinstance(value, str):
        return scrub_surrogates(value)
    seen: set[int] = set()
    stack = [value]
    while stack:
        item = stack.pop()
        if id(item) in seen:  # an alias: the same object, cleaned once
            continue
        seen.add(id(item))
        if isinstance(item, dict):
            pairs = list(item.items())
            item.clear()
            for key, inner in pairs:
                item[scrub_surrogates(key) if isinstance(key, str) else key] = (
                    scrub_surrogates(inner) if isinstance(inner, str) else inner)
                stack.append(inner)
        elif isinstance(item, list):
            for index, inner in enumerate(item):
                if isinstance(inner, str):
                    item[index] = scrub_surrogates(inner)
                else:
                    stack.append(inner)
        elif isinstance(item, set):
            members = [scrub_surrogates(m) if isinstance(m, str) else m for m in item]
            item.clear()
            item.update(members)
    return value
