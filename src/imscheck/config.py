"""``imscheck.yaml``: the repository's own settings (DESIGN.md section 3)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Optional, Tuple

from imscheck.dates import to_date
from imscheck.errors import ImscheckError
from imscheck.globs import glob_problem
from imscheck.schemas import errors, describe_error, jsonable
from imscheck.vocabulary import mapping_problem, shipped_vocabulary
from imscheck.yamlparse import FieldPath, Limits, ParseError, nearest_line, parse_yaml

CONFIG_FILE = "imscheck.yaml"


@dataclass(frozen=True)
class Waiver:
    rule: str
    reason: str
    approved_by: str
    expires: dt.date
    line: int

    def active(self, as_of: dt.date) -> bool:
        """In force on ``as_of`` (a waiver expiring that day still holds)."""
        return self.expires >= as_of


@dataclass(frozen=True)
class NotApplicable:
    justification: str
    line: int
    rule: Optional[str] = None
    clause: Optional[str] = None
    approved_by: Optional[str] = None

    def covers(self, rule_id: Optional[str], clause: Optional[str]) -> bool:
        """True if this entry takes the rule (by id) or its clause out of scope.

        A clause entry covers its sub-clauses, as requirement references do.
        """
        if self.rule is not None:
            return self.rule == rule_id
        return bool(self.clause and clause and (clause == self.clause or clause.startswith(self.clause + ".")))


@dataclass(frozen=True)
class Override:
    severity: Optional[str] = None
    within_months: Optional[int] = None
    line: int = 1


@dataclass(frozen=True)
class Config:
    """Parsed and validated configuration; every field has the documented default."""

    path: Optional[Path] = None
    standard: Optional[str] = None
    base: Optional[str] = None
    as_of: Optional[dt.date] = None
    include: Tuple[str, ...] = ()
    exclude: Tuple[str, ...] = ()
    rule_dirs: Tuple[Path, ...] = ()
    fail_on: Optional[str] = None
    limits: Limits = Limits()
    waivers: Tuple[Waiver, ...] = ()
    not_applicable: Tuple[NotApplicable, ...] = ()
    overrides: Mapping[str, Override] = field(default_factory=dict)
    # kind -> concept -> the organisation's own field names (checked against the vocabulary on load)
    vocabulary: Mapping[str, Mapping[str, Tuple[str, ...]]] = field(default_factory=dict)

    def exclusion(self, rule_id: Optional[str], clause: Optional[str]) -> Optional[NotApplicable]:
        """The first not-applicable entry that covers the rule or clause, if any."""
        return next((entry for entry in self.not_applicable if entry.covers(rule_id, clause)), None)

    def waiver(self, rule_id: str, as_of: dt.date) -> Optional[Waiver]:
        """The first waiver of ``rule_id`` in force on ``as_of``, if any."""
        return next((w for w in self.waivers if w.rule == rule_id and w.active(as_of)), None)


def load_config(root: Path) -> Config:
    """Read ``root/imscheck.yaml`` if it exists; a bad file raises ImscheckError (exit 2)."""
    path = root / CONFIG_FILE
    if not path.is_file():
        return Config()
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
        parsed = parse_yaml(text, Limits())
    except UnicodeDecodeError:
        raise ImscheckError("not valid UTF-8", source) from None
    except OSError as exc:
        raise ImscheckError(f"cannot read: {exc.strerror}", source) from None
    except ParseError as exc:
        raise ImscheckError(f"line {exc.line}: {exc}", source) from None
    if parsed.duplicates:
        key, line = parsed.duplicates[0]
        raise ImscheckError(f"line {line}: key {key!r} appears twice", source)
    data = jsonable(parsed.data)
    found = errors(data, "config")
    if found:
        first = found[0]
        line = _line(parsed.lines, tuple(first.absolute_path))
        raise ImscheckError(f"line {line}: {describe_error(first)}", source)
    data = data or {}
    as_of = _date(data.get("as_of"), "as_of", source)
    for key in ("include", "exclude"):
        for index, pattern in enumerate(data.get(key, ())):
            problem = glob_problem(pattern)
            if problem:
                raise ImscheckError(f"line {_line(parsed.lines, (key, index))}: {key}: {problem}", source)
    limits = Limits(**{**Limits().__dict__, **data.get("limits", {})})
    waivers = tuple(
        Waiver(w["rule"], w["reason"], w["approved_by"], _date(w["expires"], f"waivers[{i}].expires", source),
               _line(parsed.lines, ("waivers", i)))
        for i, w in enumerate(data.get("waivers", []))
    )
    not_applicable = tuple(
        NotApplicable(n["justification"], _line(parsed.lines, ("not_applicable", i)), n.get("rule"), n.get("clause"), n.get("approved_by"))
        for i, n in enumerate(data.get("not_applicable", []))
    )
    overrides = {
        rule: Override(o.get("severity"), o.get("within_months"), _line(parsed.lines, ("overrides", rule)))
        for rule, o in data.get("overrides", {}).items()
    }
    vocabulary = {kind: {concept: tuple(names) for concept, names in concepts.items()} for kind, concepts in data.get("vocabulary", {}).items()}
    unknown = mapping_problem(shipped_vocabulary(), vocabulary) if vocabulary else None
    if unknown:
        where, message = unknown
        raise ImscheckError(f"line {_line(parsed.lines, ('vocabulary',) + where)}: vocabulary: {message}", source)
    return Config(
        path=path,
        standard=data.get("standard"),
        base=data.get("base"),
        as_of=as_of,
        include=tuple(data.get("include", ())),
        exclude=tuple(data.get("exclude", ())),
        rule_dirs=tuple(root / d for d in data.get("rules", ())),
        fail_on=data.get("fail_on"),
        limits=limits,
        waivers=waivers,
        not_applicable=not_applicable,
        overrides=overrides,
        vocabulary=vocabulary,
    )


def _line(lines: Mapping[FieldPath, int], path: Tuple[Any, ...]) -> int:
    return nearest_line(lines, path, 1)


def _date(value: Any, key: str, source: str) -> Any:
    if value is None:
        return None
    day = to_date(value)
    if day is None:
        raise ImscheckError(f"{key}: {value!r} is not a real date (YYYY-MM-DD)", source)
    return day

