"""Quoting repository values in set-up errors: a short, escaped excerpt, never a whole file.

imscheck.yaml and rule folders come from the checked repository, which is untrusted: a value
quoted in full could carry a secret (a symlink to a key file, a token pasted as a rule file)
into a CI log, or control characters into a terminal. ``repr`` escapes; the cut keeps it short.
"""

from __future__ import annotations

import re
from typing import Any

EXCERPT_CHARS = 60
# a value quoted by repr (or by jsonschema, which uses repr) inside a message
_QUOTED = re.compile(r"'(?:[^'\\]|\\.)*'" + r'|"(?:[^"\\]|\\.)*"')


def excerpt(value: Any, limit: int = EXCERPT_CHARS) -> str:
    """``repr(value)``, escaped as Python escapes it, cut to about ``limit`` characters."""
    # repr keeps printable non-ASCII as it is: escape it too, a bidi override can hide text
    try:
        shown = repr(value)
    except ValueError:  # an integer too long for str(): say what it is instead
        shown = f"<{type(value).__name__} too long to show>"
    text = shown.encode("ascii", "backslashreplace").decode("ascii")
    if len(text) <= limit:
        return text
    quote = text[0] if text[0] in "'\"" else ""  # closed again, so the excerpt still reads as one value
    return f"{text[:limit]}...{quote} ({len(text)} characters)"


def kind_of(value: Any) -> str:
    """How a message names the type of a YAML value (``a string``, ``a list``...)."""
    names = {str: "a string", list: "a list", dict: "a mapping", bool: "true/false", int: "a number", float: "a number"}
    return "nothing (empty)" if value is None else names.get(type(value), type(value).__name__)


def short_schema_message(message: str) -> str:
    """A jsonschema message (which quotes values with repr) with each long value cut to an excerpt."""
    message = _QUOTED.sub(lambda m: m.group(0) if len(m.group(0)) <= EXCERPT_CHARS + 8 else excerpt(_unquoted(m.group(0))), message)
    if len(message) > 4 * EXCERPT_CHARS:  # a long mapping or list quoted whole: cut the line itself
        message = message[:4 * EXCERPT_CHARS] + f"... ({len(message)} characters)"
    return message


def _unquoted(literal: str) -> str:
    """The text inside a quoted literal (escapes kept as they are: it is shown, not used)."""
    return literal[1:-1]
