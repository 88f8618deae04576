"""Quoting repository values in set-up errors: a short, escaped excerpt, never a whole file.

imscheck.yaml and rule folders come from the checked repository, which is untrusted: a value
quoted in full could carry a secret (a symlink to a key file, a token pasted as a rule file)
into a CI log, or control characters into a terminal. ``repr`` escapes; the cut keeps it short.
"""

from __future__ import annotations

from typing import Any

EXCERPT_CHARS = 60


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
    return f"{text[:limit]}... ({len(text)} characters)"


def kind_of(value: Any) -> str:
    """How a message names the type of a YAML value (``a string``, ``a list``...)."""
    names = {str: "a string", list: "a list", dict: "a mapping", bool: "true/false", int: "a number", float: "a number"}
    return "nothing (empty)" if value is None else names.get(type(value), type(value).__name__)


def short_schema_message(error: Any, message: str) -> str:
    """A jsonschema message with the offending value shown as an excerpt, not in full."""
    try:
        full = repr(error.instance)
    except ValueError:
        full = ""
    if len(full) > EXCERPT_CHARS and full in message:
        message = message.replace(full, excerpt(error.instance))
    if len(message) > 4 * EXCERPT_CHARS:  # another value quoted inside: cut the line itself
        message = excerpt(message, 4 * EXCERPT_CHARS)
    return message
