"""JSON parsing for documents: strict JSON, the line of every key, duplicate keys, safety limits.

The json module gives no positions, so after it has accepted the text one pass over its tokens
finds the line of every object key (and the keys an object repeats). Every step is linear in
the size of the text: a 60,000-key document is read as fast as its bytes.
"""

from __future__ import annotations

import json
import re
from typing import Any

from imscheck.escaping import scrub_surrogates
from imscheck.yamlparse import MAX_INT_DIGITS, FieldPath, Limits, Parsed, ParseError

# A string token (unrolled, so matching cannot backtrack) or a structural character; numbers,
# literals and whitespace lie between tokens and are skipped.
_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[{}\[\],:]')
# Only a \uD800-\uDFFF escape can put a lone surrogate into a string.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89abcdefABCDEF]")


class _Refused(Exception):
    """Raised inside the json hooks; turned into a located ParseError."""


def parse_json(text: str, limits: Limits, only_documents: bool = False) -> Parsed:
    """Parse a JSON text; raises ParseError (with a line) for anything that is not sound JSON.

    With ``only_documents``, a file whose top level is not a mapping with an ``id`` or ``type``
    is left alone (``data`` None): a package.json is not ours to judge.
    """
    try:
        data = json.loads(text, parse_int=_parse_int, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise ParseError(f"invalid JSON: {exc.msg}", exc.lineno) from None
    except _Refused as exc:
        raise ParseError(str(exc), _long_number_line(text)) from None
    except _Constant as exc:
        raise ParseError(f"invalid JSON: {exc} is not a JSON number", _line_of_word(text, str(exc))) from None
    except RecursionError:
        raise ParseError("JSON nested too deeply") from None
    if only_documents and not (isinstance(data, dict) and ("id" in data or "type" in data)):
        return Parsed(None, {}, ())
    # Before the key lines: each key's path is as long as it is deep.
    if depth(data) > limits.max_depth:
        raise ParseError(f"nested more than {limits.max_depth} levels deep (limits.max_depth)")
    if _SURROGATE_ESCAPE.search(text):
        data = _clean_strings(data)
    lines, duplicates = key_lines(text)
    return Parsed(data, lines, tuple(duplicates))


def _parse_int(digits: str) -> int:
    # int() would raise ValueError past Python's 4300-digit limit; report, and convert nothing long.
    if len(digits.lstrip("-")) > MAX_INT_DIGITS:
        raise _Refused(f"invalid JSON: integer is too large (more than {MAX_INT_DIGITS} digits)")
    return int(digits)


class _Constant(Exception):
    pass


def _refuse_constant(word: str) -> Any:
    raise _Constant(word)  # NaN, Infinity, -Infinity: Python accepts them, JSON does not


def _long_number_line(text: str) -> int:
    for match in re.finditer(r"\d+", text):
        if len(match.group()) > MAX_INT_DIGITS:
            return text.count("\n", 0, match.start()) + 1
    return 1


def _line_of_word(text: str, word: str) -> int:
    # Outside strings only: tokens are strings or structure, so the word lies between them.
    position = 0
    for match in _TOKEN.finditer(text):
        found = text.find(word, position, match.start())
        if found != -1:
            return text.count("\n", 0, found) + 1
        position = match.end()
    found = text.find(word, position)
    return text.count("\n", 0, found) + 1 if found != -1 else 1


def depth(value: Any) -> int:
    """Nesting depth of a JSON value (JSON has no aliases: a plain walk is linear)."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, level = stack.pop()
        deepest = max(deepest, level)
        if isinstance(item, dict):
            stack.extend((v, level + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, level + 1) for v in item)
    return deepest


def _clean_strings(value: Any) -> Any:
    """``value`` with every lone surrogate in its strings (keys too) replaced by U+FFFD."""
    if isinstance(value, str):
        return scrub_surrogates(value)
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            pairs = list(item.items())
            item.clear()
            for key, inner in pairs:
                item[scrub_surrogates(key)] = scrub_surrogates(inner) if isinstance(inner, str) else inner
                if isinstance(inner, (dict, list)):
                    stack.append(inner)
        elif isinstance(item, list):
            for index, inner in enumerate(item):
                if isinstance(inner, str):
                    item[index] = scrub_surrogates(inner)
                elif isinstance(inner, (dict, list)):
                    stack.append(inner)
    return value


def key_lines(text: str) -> tuple[dict[FieldPath, int], list[tuple[str, int]]]:
    """The line of every object key (by field path), and each repeated key with its line.

    ``text`` must be valid JSON. As in YAML documents, a repeated key's path is dotted
    (``review.interval_months``) and a field's line is that of its last occurrence, whose value
    the parser kept.
    """
    lines: dict[FieldPath, int] = {}
    duplicates: list[tuple[str, int]] = []
    # One frame per open container: an object's keys seen so far and its current key, or an
    # array's current index.
    frames: list[list[Any]] = []
    expect_key = False
    line, position = 1, 0
    for match in _TOKEN.finditer(text):
        token = match.group()
        first = token[0]
        if first == "{":
            frames.append([{}, None])
            expect_key = True
        elif first == "[":
            frames.append([None, 0])
            expect_key = False
        elif first in "}]":
            frames.pop()
        elif first == ",":
            top = frames[-1]
            if top[0] is None:
                top[1] += 1
            else:
                expect_key = True
        elif first == ":":
            expect_key = False
        elif expect_key and frames and frames[-1][0] is not None:
            line += text.count("\n", position, match.start())
            position = match.start()
            key = _decode_key(token)
            top = frames[-1]
            top[1] = key
            path = tuple(frame[1] for frame in frames)
            if key in top[0]:
                duplicates.append((".".join(str(p) for p in path), line))
            top[0][key] = line
            lines[path] = line
    return lines, duplicates


def _decode_key(token: str) -> str:
    key: str | Any = json.loads(token) if "\\" in token else token[1:-1]
    return scrub_surrogates(key)
