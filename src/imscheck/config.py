"""``imscheck.yaml``: the repository's own settings (DESIGN.md section 3)."""

from __future__ import annotations

import datetime as dt
import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from imscheck.dates import to_date
from imscheck.errors import ImscheckError
from imscheck.excerpt import excerpt
from imscheck.globs import glob_problem
from imscheck.schemas import parse_checked
from imscheck.sources import FOLDER, SYMLINK, Source, Unreadable, WorkTree
from imscheck.vocabulary import mapping_problem, shipped_vocabulary
from imscheck.yamlparse import FieldPath, Limits, nearest_line

CONFIG_FILE = "imscheck.yaml"

# imscheck.yaml comes from the checked repository: ``limits`` may lower the limits, or raise them
# only up to these ceilings, so a hostile repository cannot disarm the limits that guard against
# it. 16 MiB is far above any real document; 100 levels stay well inside Python's recursion
# limit; a million values (aliases expanded) keep memory in the hundreds of megabytes.
LIMIT_CEILINGS = {"max_bytes": 16 * 1024 * 1024, "max_depth": 100, "max_nodes": 1_000_000}
# imscheck.yaml itself is read before its limits are known: the default size limit holds.
CONFIG_MAX_BYTES = Limits().max_bytes


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
    rule: str | None = None
    clause: str | None = None
    approved_by: str | None = None

    def covers(self, rule_id: str | None, clause: str | None) -> bool:
        """True if this entry takes the rule (by id) or its clause out of scope.

        A clause entry covers its sub-clauses, as requirement references do.
        """
        if self.rule is not None:
            return self.rule == rule_id
        return bool(self.clause and clause and (clause == self.clause or clause.startswith(self.clause + ".")))


@dataclass(frozen=True)
class Override:
    severity: str | None = None
    within_months: int | None = None
    line: int = 1


@dataclass(frozen=True)
class Config:
    """Parsed and validated configuration; every field has the documented default."""

    path: Path | None = None
    standard: str | None = None
    base: str | None = None
    as_of: dt.date | None = None
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    rule_dirs: tuple[str, ...] = ()  # folders inside the repository (POSIX, relative, checked)
    fail_on: str | None = None
    limits: Limits = Limits()
    waivers: tuple[Waiver, ...] = ()
    not_applicable: tuple[NotApplicable, ...] = ()
    overrides: Mapping[str, Override] = field(default_factory=dict)
    # kind -> concept -> the organisation's own field names (checked against the vocabulary on load)
    vocabulary: Mapping[str, Mapping[str, tuple[str, ...]]] = field(default_factory=dict)
    label: str = CONFIG_FILE  # how set-up errors name the file (a path, or "imscheck.yaml at HEAD")
    source: Source | None = field(default=None, compare=False, repr=False)  # where rule_dirs are read

    def exclusion(self, rule_id: str | None, clause: str | None) -> NotApplicable | None:
        """The first not-applicable entry that covers the rule or clause, if any."""
        return next((entry for entry in self.not_applicable if entry.covers(rule_id, clause)), None)

    def waiver(self, rule_id: str, as_of: dt.date) -> Waiver | None:
        """The first waiver of ``rule_id`` in force on ``as_of``, if any."""
        return next((w for w in self.waivers if w.rule == rule_id and w.active(as_of)), None)


def load_config(root: Path | Source) -> Config:
    """Read ``imscheck.yaml`` of ``root`` (a folder, or a source) if it exists; a bad file raises ImscheckError (exit 2).

    The file is read like a document: never through a symbolic link, never from a FIFO, device
    or folder of that name (each an error: a configuration silently ignored would change what is
    checked), and within the size limit.
    """
    tree = root if isinstance(root, Source) else WorkTree(Path(root))
    source = tree.describe(CONFIG_FILE)
    kind = tree.kind(CONFIG_FILE)
    if kind is None:
        return Config(source=tree)
    if kind == SYMLINK:
        raise ImscheckError("is a symbolic link: not followed; keep the configuration as a regular file in the repository", source)
    if kind == FOLDER:
        raise ImscheckError("is a folder, not a file: the configuration must be a regular file", source)
    try:  # a FIFO or device is refused here, before it is opened to read
        raw = tree.read(CONFIG_FILE, CONFIG_MAX_BYTES)
    except Unreadable as exc:
        raise ImscheckError(f"{exc}: the configuration must be a regular file", source) from None
    data, lines = parse_checked(raw, Limits(), "config", source)
    data = data or {}
    as_of = _date(data.get("as_of"), "as_of", source)
    for key in ("include", "exclude"):
        for index, pattern in enumerate(data.get(key, ())):
            problem = glob_problem(pattern)
            if problem:
                raise ImscheckError(f"line {_line(lines, (key, index))}: {key}: {problem}", source)
    limits = _limits(data.get("limits", {}), lines, source)
    rule_dirs = tuple(_rule_folder(d, _line(lines, ("rules", i)), source) for i, d in enumerate(data.get("rules", ())))
    waivers = tuple(
        Waiver(w["rule"], w["reason"], w["approved_by"], _date(w["expires"], f"waivers[{i}].expires", source),
               _line(lines, ("waivers", i)))
        for i, w in enumerate(data.get("waivers", []))
    )
    not_applicable = tuple(
        NotApplicable(n["justification"], _line(lines, ("not_applicable", i)), n.get("rule"), n.get("clause"), n.get("approved_by"))
        for i, n in enumerate(data.get("not_applicable", []))
    )
    overrides = {
        rule: Override(o.get("severity"), o.get("within_months"), _line(lines, ("overrides", rule)))
        for rule, o in data.get("overrides", {}).items()
    }
    vocabulary = {kind: {concept: tuple(names) for concept, names in concepts.items()}
                  for kind, concepts in data.get("vocabulary", {}).items()}
    unknown = mapping_problem(shipped_vocabulary(), vocabulary) if vocabulary else None
    if unknown:
        where, message = unknown
        raise ImscheckError(f"line {_line(lines, ('vocabulary',) + where)}: vocabulary: {message}", source)
    return Config(
        path=tree.root / CONFIG_FILE,
        standard=data.get("standard"),
        base=data.get("base"),
        as_of=as_of,
        include=tuple(data.get("include", ())),
        exclude=tuple(data.get("exclude", ())),
        rule_dirs=rule_dirs,
        fail_on=data.get("fail_on"),
        limits=limits,
        waivers=waivers,
        not_applicable=not_applicable,
        overrides=overrides,
        vocabulary=vocabulary,
        label=source,
        source=tree,
    )


def _limits(given: Mapping[str, int], lines: Mapping[FieldPath, int], source: str) -> Limits:
    """The default limits with the configured ones, each at most its ceiling."""
    for key, value in given.items():
        ceiling = LIMIT_CEILINGS[key]
        if type(value) is not int:  # JSON Schema takes 100000.0 as an integer; a read size must be one
            raise ImscheckError(f"line {_line(lines, ('limits', key))}: limits.{key}: {excerpt(value)} is not a whole number", source)
        if value > ceiling:
            raise ImscheckError(
                f"line {_line(lines, ('limits', key))}: limits.{key}: {excerpt(value)} is above the ceiling of {ceiling}, "
                f"which configuration cannot pass (lower it to {ceiling} or less)", source)
    return Limits(**{**Limits().__dict__, **given})


_DRIVE = re.compile(r"^[A-Za-z]:")


def _rule_folder(value: str, line: int, source: str) -> str:
    """A rule folder named in imscheck.yaml, as a path inside the repository; else exit 2.

    The repository is untrusted: its configuration may not make imscheck read folders outside
    it. A folder outside is given on the command line (``--rules``), which the CI owner controls.
    """
    where = f"line {line}: rules: {excerpt(value)}"
    outside = "rule folders named in imscheck.yaml must lie inside the repository (give a folder outside it with --rules)"
    if value.startswith(("/", "\\")) or _DRIVE.match(value):
        raise ImscheckError(f"{where} is an absolute path: {outside}", source)
    folder = posixpath.normpath(value.replace("\\", "/"))
    if folder == ".." or folder.startswith("../"):
        raise ImscheckError(f"{where} leaves the repository: {outside}", source)
    if any(part.lower() == ".git" for part in folder.split("/")):
        raise ImscheckError(f"{where} is inside .git: {outside}", source)
    return folder


def _line(lines: Mapping[FieldPath, int], path: tuple[Any, ...]) -> int:
    return nearest_line(lines, path, 1)


def _date(value: Any, key: str, source: str) -> Any:
    if value is None:
        return None
    day = to_date(value)
    if day is None:
        raise ImscheckError(f"{key}: {excerpt(value)} is not a real date (YYYY-MM-DD)", source)
    return day

