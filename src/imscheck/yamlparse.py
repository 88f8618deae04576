"""YAML parsing that keeps line numbers, reports duplicate keys and enforces safety limits.

PyYAML silently keeps the last of two equal keys; that loses a user's data without a word, so we
compose the node tree ourselves, look for duplicates, record each key's line, and only then
construct Python values. The libyaml C loader is used when PyYAML was built with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Sequence, Tuple

import yaml

_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

FieldPath = Tuple[Any, ...]


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    """Safe loader whose invalid timestamps (2026-13-40) are located errors, not ValueErrors."""

    def construct_yaml_timestamp(self, node: yaml.Node) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError as exc:
            raise yaml.constructor.ConstructorError(
                None, None, f"invalid date {node.value!r} ({exc})", node.start_mark
            ) from None


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)


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
    lines: Dict[FieldPath, int]
    duplicates: Tuple[Tuple[str, int], ...]


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
    loader = _Loader(text)
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
        lines: Dict[FieldPath, int] = {}
        duplicates: List[Tuple[str, int]] = []
        _walk(node, limits, first_line - 1, lines, duplicates)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = first_line + mark.line if mark is not None else first_line
        problem = exc.problem or exc.context or "invalid YAML"
        raise ParseError(f"invalid YAML: {problem}", line) from None
    except yaml.reader.ReaderError as exc:  # control characters: a position, not a mark
        line = first_line + text.count("\n", 0, exc.position)
        raise ParseError(f"invalid YAML: control character {exc.character!r} is not allowed", line) from None
    except yaml.YAMLError as exc:
        raise ParseError("invalid YAML: " + " ".join(str(exc).split()), first_line) from None
    except RecursionError:
        raise ParseError("YAML nested too deeply", first_line) from None
    finally:
        loader.dispose()
    return Parsed(data, lines, tuple(duplicates))


def _walk(
    root: yaml.Node,
    limits: Limits,
    offset: int,
    lines: Dict[FieldPath, int],
    duplicates: List[Tuple[str, int]],
) -> None:
    """Record key lines and duplicate keys; enforce depth and expanded-size limits."""
    sizes: Dict[int, int] = {}

    def size_of(node: yaml.Node, path: FieldPath, depth: int) -> int:
        if depth > limits.max_depth:
            raise ParseError(
                f"nested more than {limits.max_depth} levels deep (limits.max_depth)",
                node.start_mark.line + 1 + offset,
            )
        known = sizes.get(id(node))
        if known is not None:  # an alias: counted again, not walked again
            return known
        sizes[id(node)] = 1  # guards against recursive aliases
        total = 1
        if isinstance(node, yaml.MappingNode):
            seen: Dict[Any, int] = {}
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
        sizes[id(node)] = total
        return total

    size_of(root, (), 0)
