"""Pass and fail cases beside rules (``<name>.cases.yaml``), run the way ``imscheck check`` runs.

Each case is a miniature repository (its files and an optional ``imscheck.yaml``) and the status
expected of the rules it names. A case is written into a fresh temporary folder, checked through
:func:`imscheck.pipeline.evaluate` with the case file's rule folder, and compared rule by rule; rules it
does not name are not compared. Schema: ``schemas/rule-cases.schema.json``.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from imscheck.config import CONFIG_FILE
from imscheck.dates import to_date
from imscheck.errors import ImscheckError
from imscheck.escaping import visible
from imscheck.excerpt import excerpt
from imscheck.results import Result
from imscheck.rules import CASES_SUFFIX, PACK_FILE, RULE_FILE_LIMITS
from imscheck.schemas import parse_checked
from imscheck.sources import Unreadable, WorkTree, parts_of, read_file
from imscheck.terms import FAILING, SEVERITY_RANK
from imscheck.yamlparse import FieldPath, nearest_line

# The error a problem at a place of the case file raises, naming the file and the line.
Failure = Callable[[FieldPath, str], ImscheckError]

# Never today: a case must give the same result on any day it runs.
DEFAULT_AS_OF = dt.date(2026, 11, 1)


@dataclass(frozen=True)
class Expectation:
    """What a case expects of one rule; ``severity`` None compares the status only."""

    rule: str
    status: str
    severity: str | None
    line: int

    def __str__(self) -> str:
        return f"{self.status} {self.severity}" if self.severity else self.status


@dataclass(frozen=True)
class Verdict:
    """What the check gave a rule: its worst result when it has several (a hygiene rule's findings)."""

    status: str
    severity: str
    message: str

    def __str__(self) -> str:
        return f"{self.status} {self.severity}" if self.status in FAILING else self.status


@dataclass(frozen=True)
class Case:
    name: str
    source: str  # the case file as named to the user
    line: int
    as_of: dt.date
    standard: str | None
    config: str | None
    files: tuple[tuple[str, str], ...]  # (relative POSIX path, text)
    expect: tuple[Expectation, ...]
    target: str | None = None  # the shipped pack the case file sits in, if any
    rule_dirs: tuple[Path, ...] = ()  # the user's rule folder the case file sits in

    @property
    def where(self) -> str:
        return f"{self.source}:{self.line}"


@dataclass(frozen=True)
class CaseOutcome:
    """One expectation of one case against what came out (``actual`` None: no result for the rule)."""

    case: Case
    rule: str
    expected: Expectation
    actual: Verdict | None

    @property
    def passed(self) -> bool:
        a, e = self.actual, self.expected
        return a is not None and a.status == e.status and (e.severity is None or a.severity == e.severity)

    @property
    def message(self) -> str:
        if self.actual is None:
            return f"the run has no result for {self.rule}: is the id right, and is the rule in this folder or pack?"
        return self.actual.message


def find_case_files(folder: Path) -> list[Path]:
    """Every ``*.cases.yaml`` under ``folder``, a folder's own before its sub-folders', by name;
    listed as the work tree lists a repository (linked and hidden folders are not entered)."""
    names = [rel.split("/") for rel in WorkTree(folder, use_git=False).paths() if rel.endswith(CASES_SUFFIX)]
    return [folder.joinpath(*parts) for parts in sorted(names, key=lambda parts: (parts[:-1], parts[-1]))]


def load_folders(folders: Sequence[Path]) -> list[Case]:
    """The cases of every case file under each folder; none in a folder is an error (exit 2)."""
    cases: list[Case] = []
    read: set[Path] = set()  # a folder named twice, or inside another named folder, runs its cases once
    for folder in folders:
        paths = find_case_files(folder)
        if not paths:
            raise ImscheckError(f"no *{CASES_SUFFIX} files found: put each rule's cases beside it as <name>{CASES_SUFFIX}", str(folder))
        for path in paths:
            key = path.resolve()
            if key not in read:
                read.add(key)
                cases.extend(load_case_file(path))
    return cases


def load_case_file(path: Path) -> list[Case]:
    """The cases of one file, validated against ``rule-cases``; any problem names the file and line."""
    shown = str(path)
    try:
        raw = read_file(path, RULE_FILE_LIMITS.max_bytes)
    except Unreadable as exc:
        raise ImscheckError(f"{exc}: a case file must be a regular file", shown) from None
    data, lines = parse_checked(raw, RULE_FILE_LIMITS, "rule-cases", shown)
    target, rule_dirs = _rules_beside(path)

    def fail(where: FieldPath, message: str) -> ImscheckError:
        return ImscheckError(f"line {nearest_line(lines, where, 1)}: {message}", shown)

    file_day = _day(data.get("as_of"), ("as_of",), fail) or DEFAULT_AS_OF
    cases: list[Case] = []
    names: set[str] = set()
    for index, raw in enumerate(data["cases"]):
        at: FieldPath = ("cases", index)
        if raw["name"] in names:
            raise fail(at + ("name",), f"case name {excerpt(raw['name'])} is used twice in the file")
        names.add(raw["name"])
        standard = raw.get("standard", data.get("standard"))
        if target is not None and standard not in (None, target):
            raise fail(at + ("standard",), f"standard {standard} in a case of the {target} pack: a pack's cases run on its own target")
        files = tuple(raw["files"].items())
        _check_paths(files, raw.get("config") is not None, at, fail)
        expect = tuple(_expectation(rule, value, nearest_line(lines, at + ("expect", rule), 1))
                       for rule, value in raw["expect"].items())
        cases.append(Case(raw["name"], shown, nearest_line(lines, at, 1), _day(raw.get("as_of"), at + ("as_of",), fail) or file_day,
                          standard, raw.get("config"), files, expect, target, rule_dirs))
    return cases


def _day(value: str | None, where: FieldPath, fail: Failure) -> dt.date | None:
    if value is None:
        return None
    day = to_date(value)
    if day is None:
        raise fail(where, f"as_of: {excerpt(value)} is not a real date (YYYY-MM-DD)")
    return day


def _expectation(rule: str, value: str | Mapping[str, str], line: int) -> Expectation:
    if isinstance(value, str):
        return Expectation(rule, value, None, line)
    return Expectation(rule, value["status"], value.get("severity"), line)


def path_problem(rel: str) -> str | None:
    """Why ``rel`` may not be written into a case's folder, or None: relative POSIX paths only."""
    if any(ord(c) < 32 or ord(c) == 127 for c in rel):
        return "holds a control character"
    if "\\" in rel or ":" in rel:
        return "holds a backslash or colon: write a relative POSIX path such as docs/policy.md"
    parts = parts_of(rel)
    if parts is None:
        return "must be relative, without '..', '.', empty parts or .git (for example docs/policy.md)"
    if any(part.endswith((" ", ".")) for part in parts):
        return "has a part ending in a space or dot, which some file systems drop"
    return None


def _check_paths(files: Sequence[tuple[str, str]], has_config: bool, at: FieldPath, fail: Failure) -> None:
    """Each path safe, none written twice (ignoring case), none both a file and a folder."""
    seen: set[str] = set()
    folders: set[str] = set()
    for rel, _ in files:
        where = at + ("files", rel)
        problem = path_problem(rel)
        if problem:
            raise fail(where, f"files: {excerpt(rel)} {problem}")
        folded = rel.lower()
        if folded in seen:
            raise fail(where, f"files: {excerpt(rel)} is given twice (names differing only in case are one file on some systems)")
        seen.add(folded)
        parts = folded.split("/")
        folders.update("/".join(parts[:i]) for i in range(1, len(parts)))
        if has_config and folded == CONFIG_FILE:
            raise fail(where, f"files: {CONFIG_FILE} and config: both give the configuration; keep one")
    clash = sorted(seen & folders)
    if clash:
        rel = next(r for r, _ in files if r.lower() == clash[0])
        raise fail(at + ("files", rel), f"files: {excerpt(rel)} is a file and also a folder of another path")


def _rules_beside(path: Path) -> tuple[str | None, tuple[Path, ...]]:
    """The shipped pack a case file sits in (its target), or else its folder as a rule folder."""
    folder = path.parent
    manifest = folder / PACK_FILE
    if not manifest.is_file():
        return None, (folder,)
    from imscheck.resources import rules_dir
    from imscheck.rules import available_packs
    from imscheck.schemas import load_setup_file

    target: str = load_setup_file(manifest, "pack")["target"]
    shipped = available_packs(rules_dir()).get(target)
    if shipped is None or shipped.resolve() != folder.resolve():
        raise ImscheckError(f"a pack folder for {target}, but not the one this imscheck runs ({shipped or 'none installed'}): "
                            "test a pack with the imscheck installed from the same checkout", str(manifest))
    return target, ()


@dataclass(frozen=True)
class CaseRun:
    case: Case
    outcomes: tuple[CaseOutcome, ...]

    @property
    def passed(self) -> bool:
        return all(o.passed for o in self.outcomes)


def run_case(case: Case) -> CaseRun:
    """Write the case into a fresh temporary folder, check it, compare; a set-up error is exit 2."""
    from imscheck.pipeline import evaluate
    from imscheck.stages import Settings

    with tempfile.TemporaryDirectory(prefix="imscheck-case-") as tmp:
        root = Path(tmp)
        for rel, text in case.files + (((CONFIG_FILE, case.config),) if case.config is not None else ()):
            _write(root, rel, text)
        settings = Settings(repo=root, as_of=case.as_of, standard=case.standard or case.target, rule_dirs=case.rule_dirs)
        try:
            results = evaluate(settings).run.results
        except ImscheckError as exc:
            said = str(exc).replace(str(root) + os.sep, "")
            raise ImscheckError(f"case {excerpt(case.name)}: the check stopped: {said}", case.where) from None
    by_rule: dict[str, list[Result]] = {}
    for result in results:
        by_rule.setdefault(result.rule, []).append(result)
    return CaseRun(case, tuple(CaseOutcome(case, e.rule, e, _verdict(by_rule.get(e.rule, ()))) for e in case.expect))


def run_cases(cases: Sequence[Case]) -> Iterator[CaseRun]:
    """Each case's run, in order, as it finishes."""
    for case in cases:
        yield run_case(case)


def _write(root: Path, rel: str, text: str) -> None:
    # the folder is new and every path was checked: still, never through a link, never over a file
    target = root.joinpath(*rel.split("/"))
    target.parent.mkdir(parents=True, exist_ok=True)
    handle = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
    with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
        out.write(text)


def _verdict(results: Sequence[Result]) -> Verdict | None:
    if not results:
        return None
    failing = [r for r in results if r.failing]
    worst = max(failing, key=lambda r: (r.status == "error", SEVERITY_RANK[r.severity])) if failing else results[0]
    return Verdict(worst.status, worst.severity, worst.message)


def describe(run: CaseRun) -> str:
    """``PASS file:line name``, or ``FAIL`` and, per rule that differs, what was expected and what came out."""
    lines = [f"{'PASS' if run.passed else 'FAIL'} {visible(run.case.where)} {visible(run.case.name)}"]
    for outcome in run.outcomes:
        if not outcome.passed:
            actual = outcome.actual
            if actual is None:
                lines.append(f"    {visible(outcome.rule)}: expected {outcome.expected}, but {visible(outcome.message)}")
                continue
            lines.append(f"    {visible(outcome.rule)}: expected {outcome.expected}, got {actual}: {visible(outcome.message)}")
    return "\n".join(lines)


def summary(runs: Sequence[CaseRun]) -> str:
    failed = sum(not r.passed for r in runs)
    return f"{len(runs)} {'case' if len(runs) == 1 else 'cases'}: {len(runs) - failed} passed, {failed} failed"
