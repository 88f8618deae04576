"""The JSON Schemas in ``schemas/`` and validation of imscheck's own set-up files against them."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from imscheck.datacache import cached
from imscheck.errors import ImscheckError
from imscheck.excerpt import excerpt, short_schema_message
from imscheck.resources import is_shipped, schemas_dir
from imscheck.yamlparse import FieldPath, Limits, Parsed, ParseError, nearest_line, parse_yaml

_SETUP_LIMITS = Limits(max_bytes=5_000_000, max_depth=64, max_nodes=1_000_000)


@cache
def schema(name: str) -> dict[str, Any]:
    """The schema ``schemas/<name>.schema.json``."""
    path = schemas_dir() / f"{name}.schema.json"
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


@cache
def validator(name: str) -> Any:
    from jsonschema import Draft202012Validator  # imported when first needed: it is slow to import

    return Draft202012Validator(inline_refs(schema(name)))


def inline_refs(root: Any) -> Any:
    """``root`` with each plain local ``{"$ref": "#/..."}`` replaced by what it points at.

    Resolving a reference costs jsonschema more than checking what it points at; every document
    of a repository is validated, so the document schema is flattened once (a third less time per
    document). A reference inside its own target (recursion) is left as it is.
    """
    def expand(node: Any, active: tuple[str, ...]) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if len(node) == 1 and isinstance(ref, str) and ref.startswith("#/") and ref not in active:
                target: Any = root
                for part in ref[2:].split("/"):
                    target = target.get(part.replace("~1", "/").replace("~0", "~")) if isinstance(target, dict) else None
                if target is not None:
                    return expand(target, active + (ref,))
            return {key: expand(value, active) for key, value in node.items()}
        if isinstance(node, list):
            return [expand(value, active) for value in node]
        return node

    return expand(root, ())


def load_yaml_file(path: Path) -> Any:
    """Load a set-up YAML file (rule, catalogue, config); any problem is an ImscheckError."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ImscheckError("file not found", str(path)) from None
    except UnicodeDecodeError:
        raise ImscheckError("not valid UTF-8", str(path)) from None
    except OSError as exc:
        raise ImscheckError(f"cannot read: {exc.strerror}", str(path)) from None
    return parse_setup_text(text, _SETUP_LIMITS, str(path)).data


def parse_setup_text(text: str, limits: Limits, shown: str) -> Parsed:
    """The text of a set-up YAML file (configuration, rules, catalogue, rule cases) parsed, with
    a duplicate key refused: any problem is one ImscheckError naming ``shown`` and the line."""
    try:
        parsed = parse_yaml(text, limits)
    except ParseError as exc:
        raise ImscheckError(f"line {exc.line}: {exc}", shown) from None
    except (ValueError, OverflowError, RecursionError) as exc:  # values the YAML loader lets through but cannot hold
        raise ImscheckError(f"cannot be read: {excerpt(str(exc))}", shown) from None
    if parsed.duplicates:
        key, line = parsed.duplicates[0]
        raise ImscheckError(f"line {line}: key {excerpt(key)} appears twice (the first value would be lost)", shown)
    return parsed


def parse_checked(raw: bytes, limits: Limits, name: str, shown: str) -> tuple[Any, Mapping[FieldPath, int]]:
    """The bytes of a set-up YAML file from the repository (imscheck.yaml, a rule case file),
    parsed and checked against schema ``name``, with the line of every field. Any problem is one
    ImscheckError naming ``shown`` and the line."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ImscheckError("not valid UTF-8", shown) from None
    parsed = parse_setup_text(text, limits, shown)
    data = jsonable(parsed.data)
    found = errors(data, name)
    if found:
        first = found[0]
        line = nearest_line(parsed.lines, tuple(first.absolute_path), 1)
        raise ImscheckError(f"line {line}: {short_schema_message(describe_error(first))}", shown)
    return data, parsed.lines


def load_setup_file(path: Path, name: str, validate: bool | None = None) -> Any:
    """A set-up YAML file checked against schema ``name``; a shipped file is read as it is.

    Shipped rules, catalogues and the vocabulary are validated by imscheck's own tests, so a
    pre-commit run does not pay tens of milliseconds to validate them again; an organisation's
    own rule folders are always validated. ``validate`` forces the choice.
    """
    if validate is None:
        validate = not is_shipped(path)
    if validate:
        data = load_yaml_file(path)
        validate_or_raise(data, name, str(path))
        return data
    import yaml

    def parse() -> Any:
        try:
            return yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            raise ImscheckError(f"cannot read a file of the installation: {exc}", str(path)) from None

    return cached(path, parse)


def describe_error(error: Any) -> str:
    """One line for a jsonschema ValidationError, saying at which key."""
    where = "/".join(str(p) for p in error.absolute_path)
    return f"at {where}: {error.message}" if where else error.message


def errors(instance: Any, name: str) -> list[Any]:
    """All validation errors of ``instance`` against schema ``name``, in a stable order."""
    found = list(validator(name).iter_errors(instance))
    return sorted(found, key=lambda e: ([str(p) for p in e.absolute_path], e.message))


def validate_or_raise(instance: Any, name: str, source: str) -> None:
    found = errors(instance, name)
    if found:
        raise ImscheckError(_best(found), source)


def _best(found: Iterable[Any]) -> str:
    from jsonschema.exceptions import best_match

    return describe_error(best_match(found))


def jsonable(value: Any) -> Any:
    """Dates and other YAML scalars as JSON values, so JSON Schema can check them.

    Iterative, not recursive: a document may be nested as deeply as its limits allow, and
    Python's recursion limit must not be what stops it.
    """
    def convert(item: Any) -> Any:
        if isinstance(item, dict):
            return {}
        if isinstance(item, (list, tuple)):
            return []
        return item.isoformat() if hasattr(item, "isoformat") else item

    root = convert(value)
    stack = [(value, root)]
    while stack:
        source, target = stack.pop()
        if isinstance(source, dict):
            for key, inner in source.items():
                target[str(key)] = out = convert(inner)
                if isinstance(out, (dict, list)):
                    stack.append((inner, out))
        elif isinstance(source, (list, tuple)):
            for inner in source:
                out = convert(inner)
                target.append(out)
                if isinstance(out, (dict, list)):
                    stack.append((inner, out))
    return root
