"""A fast, hand-written "certainly valid" test of document metadata against document.schema.json.

jsonschema costs about as much per document as parsing it, and almost every document of a large
repository is valid. This test answers True only when jsonschema would find no error; anything
it is unsure of (a float where an integer goes, a set, an unknown shape) is False and goes to
jsonschema, which also writes the messages. Values are seen as :func:`schemas.jsonable` would
convert them (a YAML date is its ISO text). It was written for one version of the schema: when
the shipped schema differs (its fingerprint changed), it answers False for everything until it
is brought up to date, so findings never depend on it being in step.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

# sha256 of document.schema.json as json.dumps(..., sort_keys=True): the schema this file encodes
SCHEMA_FINGERPRINT = "30bbb0d42276469230ca70c97aee9e9e5d3fd6b4278c9e06a0d1ded0f4b61e16"

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_ADDRESS = re.compile(r"^[a-z][a-z0-9-]*:[0-9]{4}/[0-9]+(\.[0-9]+)*$")
_TYPES = frozenset(("policy", "plan", "procedure", "manual", "register", "catalogue", "agreement", "report", "record", "other"))
_DATED = frozenset(("record", "report"))
_STATUSES = frozenset(("draft", "review", "approved", "withdrawn"))


def fingerprint(schema: Any) -> str:
    return hashlib.sha256(json.dumps(schema, sort_keys=True).encode("utf-8")).hexdigest()


@lru_cache(maxsize=1)
def in_step() -> bool:
    """True when the shipped document schema is the one this test was written for."""
    from imscheck.schemas import schema

    return fingerprint(schema("document")) == SCHEMA_FINGERPRINT


def _json(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _string(value: Any, pattern: re.Pattern[str]) -> bool:
    value = _json(value)
    # search, as jsonschema does: "$" also matches before a final newline
    return isinstance(value, str) and pattern.search(value) is not None


def _text(value: Any) -> bool:
    value = _json(value)
    return isinstance(value, str) and value != ""


def _optional(meta: Mapping[str, Any], key: str, pattern: re.Pattern[str]) -> bool:
    return key not in meta or _string(meta[key], pattern)


def _strings(meta: Mapping[str, Any], key: str, pattern: re.Pattern[str]) -> bool:
    if key not in meta:
        return True
    value = meta[key]
    return isinstance(value, list) and all(_string(item, pattern) for item in value)


def certainly_valid(meta: Any) -> bool:
    """True only if ``jsonable(meta)`` has no error against the document schema."""
    if not isinstance(meta, dict) or not in_step():
        return False
    kind = meta.get("type")
    if not (isinstance(kind, str) and kind in _TYPES and _string(meta.get("id"), _ID) and _text(meta.get("title"))):
        return False
    if not (_optional(meta, "date", _DATE) and _optional(meta, "record_of", _ID) and _optional(meta, "supersedes", _ID)
            and _strings(meta, "addresses", _ADDRESS) and _strings(meta, "related", _ID) and _strings(meta, "services", _ID)):
        return False
    if kind in _DATED:
        return "date" in meta
    status = _json(meta.get("status"))
    if not (_text(meta.get("owner")) and _text(meta.get("version")) and isinstance(status, str) and status in _STATUSES):
        return False
    if ("approved_by" in meta and not _text(meta["approved_by"])) or not _optional(meta, "approved_on", _DATE):
        return False
    review = meta.get("review")
    if not isinstance(review, dict) or "last_reviewed" not in review or not _string(review["last_reviewed"], _DATE):
        return False
    if not _optional(review, "next_review", _DATE):
        return False
    if "interval_months" in review:
        months = review["interval_months"]
        if type(months) is not int or not 1 <= months <= 120:
            return False
    return "next_review" in review or "interval_months" in review
