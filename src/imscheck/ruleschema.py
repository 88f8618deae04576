"""JSON Schema validation for a rule's ``assert``, with ``pattern``s matched in linear time.

A rule folder named in imscheck.yaml is written by the repository, and so are the documents its
schemas check: Python's backtracking ``re`` takes exponential time on a pattern such as
``^(a+)+$``. Here ``pattern`` and ``patternProperties`` run on RE2 (google-re2), whose matching
time is linear in the text. A pattern RE2 cannot run (backreferences, lookaround) is refused
when the rule is loaded. ``uniqueItems`` hashes canonical forms instead of comparing items
pairwise. imscheck's own schemas are trusted and keep using ``re``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from fractions import Fraction
from functools import lru_cache
from typing import Any

from imscheck.escaping import scrub_surrogates
from imscheck.excerpt import excerpt

# Keywords whose values are data, not schemas: a "pattern" key inside them is not a keyword.
_DATA_KEYWORDS = frozenset({"const", "enum", "default", "examples"})


@lru_cache(maxsize=1024)
def _compiled(pattern: str) -> Any:
    import re2  # google-re2

    options = re2.Options()
    options.log_errors = False  # RE2 would print each refused pattern to stderr
    return re2.compile(pattern, options=options)


def _search(pattern: str, text: str) -> bool:
    return _compiled(pattern).search(scrub_surrogates(text)) is not None


def pattern_problem(schema: Any) -> str | None:
    """Why a pattern of ``schema`` cannot be matched in linear time, or None."""
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
            continue
        if not isinstance(node, dict):
            continue
        patterns = []
        if isinstance(node.get("pattern"), str):
            patterns.append(node["pattern"])
        if isinstance(node.get("patternProperties"), dict):
            patterns.extend(key for key in node["patternProperties"] if isinstance(key, str))
        for pattern in patterns:
            try:
                _compiled(pattern)
            except Exception as exc:  # re2.error, or a pattern RE2 cannot even encode
                reason = exc.args[0].decode("utf-8", "replace") if exc.args and isinstance(exc.args[0], bytes) else str(exc)
                return (f"pattern {excerpt(pattern)} cannot be matched in linear time ({reason[:80]}): "
                        "write it without backreferences, lookaround or repetition counts over 1000")
        stack.extend(value for key, value in node.items() if key not in _DATA_KEYWORDS)
    return None


def _pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[Any]:
    from jsonschema.exceptions import ValidationError

    if validator.is_type(instance, "string") and not _search(pattern, instance):
        yield ValidationError(f"{excerpt(instance)} does not match {excerpt(pattern)}")


def _pattern_properties(validator: Any, properties: Any, instance: Any, schema: Any) -> Iterator[Any]:
    if not validator.is_type(instance, "object"):
        return
    for pattern, subschema in properties.items():
        for key, value in instance.items():
            if _search(pattern, key):
                yield from validator.descend(value, subschema, path=key, schema_path=pattern)


def _canonical(value: Any) -> Any:
    """A hashable form equal exactly when JSON Schema calls two values equal (1 == 1.0, true != 1,
    key order ignored). Depth is bounded by the parse limits."""
    if isinstance(value, bool) or value is None:
        return ("literal", value)
    if isinstance(value, (int, float)):
        return ("number", int(value) if isinstance(value, float) and value.is_integer() else value)
    if isinstance(value, list):
        return ("array", tuple(_canonical(item) for item in value))
    if isinstance(value, dict):
        return ("object", frozenset((key, _canonical(item)) for key, item in value.items()))
    return ("other", value if isinstance(value, (str, bytes)) else repr(value))


def _unique_items(validator: Any, unique: Any, instance: Any, schema: Any) -> Iterator[Any]:
    # jsonschema compares unsortable items pairwise: quadratic in a list the repository writes
    from jsonschema.exceptions import ValidationError

    if not unique or not validator.is_type(instance, "array"):
        return
    seen = set()
    for item in instance:
        key = _canonical(item)
        if key in seen:
            yield ValidationError(f"{excerpt(instance)} has non-unique elements")
            return
        seen.add(key)


def _multiple_of(validator: Any, divisor: Any, instance: Any, schema: Any) -> Iterator[Any]:
    """jsonschema's ``multipleOf``, for the numbers YAML has and JSON has not.

    It raised on ``.nan`` and ``.inf`` and on an integer too large for a float divided by a float
    divisor (ValueError, OverflowError), so one record could stop a rule. A value or divisor that
    is not finite is a multiple of nothing; a large integer is judged exactly.
    """
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError

    if not validator.is_type(instance, "number"):
        return
    if any(isinstance(n, float) and not math.isfinite(n) for n in (instance, divisor)):
        yield ValidationError(f"{excerpt(instance)} is not a multiple of {excerpt(divisor)}")
        return
    try:
        yield from Draft202012Validator.VALIDATORS["multipleOf"](validator, divisor, instance, schema)
    except OverflowError:
        if (Fraction(instance) / Fraction(divisor)).denominator != 1:
            yield ValidationError(f"{excerpt(instance)} is not a multiple of {excerpt(divisor)}")


@lru_cache(maxsize=1)
def _validator_class() -> Any:
    from jsonschema import Draft202012Validator, validators

    # jsonschema's stubs leave extend untyped
    return validators.extend(  # type: ignore[no-untyped-call]
        Draft202012Validator, {"pattern": _pattern, "patternProperties": _pattern_properties, "uniqueItems": _unique_items,
                               "multipleOf": _multiple_of})


def rule_validator(schema: Any) -> Any:
    """A Draft 2020-12 validator for a rule's schema; call :func:`pattern_problem` first."""
    return _validator_class()(schema)
