"""The stages of one evaluation, in the order :mod:`imscheck.pipeline` runs them.

configuration -> pack -> files -> documents -> hygiene -> index -> rule evaluation -> scope
(waivers, not-applicable) -> Run. A comparison (:mod:`imscheck.comparison.compare`) runs the same stages on
both sides. Nothing here prints or exits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from imscheck import __version__
from imscheck.config import CONFIG_FILE, Config, load_config
from imscheck.documents import Corpus, load_corpus
from imscheck.errors import ImscheckError
from imscheck.evaluation.engine import evaluate_pack
from imscheck.evaluation.index import Index
from imscheck.evaluation.lookups import Lookups
from imscheck.findings import Finding, finding_results
from imscheck.hygiene import Inspection, PerDocument, inspect
from imscheck.resources import rules_dir
from imscheck.results import Comparison, Result, Run
from imscheck.ruleids import BUILTIN_RULE_FILES, CONFIG_RULES_FILE, GIT_RULES_FILE, HYGIENE_FILE
from imscheck.rules import BuiltinRule, Pack, Rule, RuleFolder, load_builtin_rules, load_pack
from imscheck.sources import FILE, Source, WorkTree
from imscheck.standards import DEFAULT_STANDARD, Catalogues, shipped_catalogues
from imscheck.suppressions import apply_scope
from imscheck.vocabulary import shipped_vocabulary
from imscheck.worktree import work_tree_prefix


@dataclass(frozen=True)
class Settings:
    """What to check and how: built by the CLI (or a library user), never mutated.

    ``changed_since`` compares with a git revision; ``staged`` checks what the next commit holds
    (the index) against ``changed_since`` or, by default, HEAD.
    """

    repo: Path = Path(".")
    as_of: dt.date | None = None
    standard: str | None = None
    rule_dirs: tuple[Path, ...] = ()
    changed_since: str | None = None
    staged: bool = False
    fail_on: str | None = None

    @property
    def compares(self) -> bool:
        return self.changed_since is not None or self.staged


@dataclass(frozen=True)
class Reading:
    """One folder read and inspected, before any rule result is scoped."""

    config: Config
    pack: Pack
    builtin: dict[str, dict[str, BuiltinRule]]
    as_of: dt.date
    corpus: Corpus
    inspection: Inspection
    results: tuple[Result, ...]
    source: Source  # where the files were read: the work tree, the index or a commit
    # rules a comparison's base left out (``needed`` refused them): their results stand in as passing
    stood_in: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Outcome:
    """A run, and the reading it came from: the configuration, pack and built-in rules it was
    evaluated under (the audit explains results with them, without reading anything again)."""

    run: Run
    reading: Reading

    @property
    def config(self) -> Config:
        return self.reading.config

    @property
    def pack(self) -> Pack:
        return self.reading.pack


@lru_cache(maxsize=1)
def builtin_rules() -> dict[str, dict[str, BuiltinRule]]:
    """Metadata of the built-in rules, by file: hygiene, git and configuration rules (read once)."""
    return {name: load_builtin_rules(rules_dir(), name) for name in BUILTIN_RULE_FILES}


def always_run_rules(builtin: Mapping[str, Mapping[str, BuiltinRule]] | None = None) -> dict[str, BuiltinRule]:
    """Built-in rules every check runs: hygiene and configuration (git rules need a comparison);
    of ``builtin`` (a reading's), else of the shipped metadata."""
    chosen = builtin if builtin is not None else builtin_rules()
    return {**chosen[HYGIENE_FILE], **chosen[CONFIG_RULES_FILE]}


def resolve_pack(settings: Settings, config: Config, known: Catalogues) -> Pack:
    """The pack to check against, with the repository's rule folders and those of ``--rules``.

    The repository's folders (imscheck.yaml ``rules:``) are read through the same source as its
    documents; ``--rules`` folders come from the trusted command line and may lie anywhere.
    """
    target = settings.standard or config.standard or DEFAULT_STANDARD
    source = "--standard" if settings.standard or not config.path else config.label
    own = [RuleFolder(config.source, folder) for folder in config.rule_dirs] if config.source is not None else []
    given = [RuleFolder(WorkTree(folder, use_git=False)) for folder in settings.rule_dirs]
    return load_pack(rules_dir(), target, known, own + given, base=config.base, source=source,
                     base_source=config.label if config.path else None)


Progress = Callable[[str, int, int], None] | None  # phase, done, total: see imscheck.progress


def require_folder(root: Path) -> None:
    """The repository to check must be an existing folder (exit 2 with what to give instead)."""
    if not root.exists():
        raise ImscheckError("repository folder does not exist", str(root))
    if not root.is_dir():
        raise ImscheckError("not a folder: give the repository's root folder", str(root))


def read_folder(root: Path, settings: Settings, as_of: dt.date | None = None, use_git: bool = True, progress: Progress = None) -> Reading:
    """Read, inspect and evaluate the folder ``root``; raises ImscheckError for set-up problems."""
    require_folder(root)
    return read_source(WorkTree(root, use_git), settings, as_of, progress)


def read_source(source: Source, settings: Settings, as_of: dt.date | None = None, progress: Progress = None,
                load: Callable[[Config], Corpus] | None = None, memo: dict[int, PerDocument] | None = None,
                needed: Callable[[Config, Rule], bool] | None = None) -> Reading:
    """Read, inspect and evaluate the files of ``source``; raises ImscheckError for set-up problems.

    For a comparison's base, which only decides which failing results are new: ``load`` builds
    the corpus from the configuration (reusing what the head side parsed from the same bytes),
    ``memo`` carries each document's own hygiene findings between the sides, and a requirement
    rule that ``needed`` refuses is not evaluated but stands as passing (its result cannot
    decide anything).
    """
    config = load_config(source)
    known = shipped_catalogues()
    pack = resolve_pack(settings, config, known)
    builtin = builtin_rules()
    day = as_of or settings.as_of or config.as_of or dt.date.today()
    corpus = load(config) if load is not None else load_corpus(source, config.include, config.exclude, config.limits, progress=progress)
    if progress is not None:
        progress("checking documents", 0, 0)
    inspection = inspect(corpus, known, day, memo)
    vocabulary = shipped_vocabulary().with_names(config.vocabulary)
    skipped: list[Rule] = []
    evaluated = pack
    if needed is not None:
        chosen = [needed(config, rule) for rule in pack.rules]
        skipped = [rule for rule, keep in zip(pack.rules, chosen, strict=True) if not keep]
        evaluated = replace(pack, rules=tuple(rule for rule, keep in zip(pack.rules, chosen, strict=True) if keep))
    # only requirement rules look documents up: with none to evaluate, nothing is indexed
    indexed = corpus.documents if evaluated.rules else ()
    index = Index(indexed, inspection.defective, day, inspection.services)
    if progress is not None:
        progress("evaluating rules", 0, 0)
    results = evaluate_pack(evaluated, builtin[HYGIENE_FILE], inspection, Lookups(index, day, config.overrides, vocabulary))
    results.extend(not_evaluated(rule) for rule in skipped)
    return Reading(config, pack, builtin, day, corpus, inspection, tuple(results), source, frozenset(r.id for r in skipped))


NOT_EVALUATED = "not evaluated: it cannot change which results are new"


def not_evaluated(rule: Rule) -> Result:
    """A passing stand-in for a rule left out: scoping sees the rule (not-applicable entries, waivers) as evaluated."""
    return Result(rule.id, rule.title, rule.target, rule.clause, rule.relation.type, rule.relation.base, rule.severity,
                  "pass", NOT_EVALUATED)


def scoped_results(reading: Reading, history: Sequence[Finding] | None = None) -> list[Result]:
    """Results with git findings (when compared), waivers and not-applicable applied, and config findings."""
    raw = list(reading.results)
    overrides = reading.config.overrides
    if history is not None:
        raw.extend(finding_results(reading.builtin[GIT_RULES_FILE], history, overrides))
    known = {r.id for r in reading.pack.rules}.union(*(set(rules) for rules in reading.builtin.values()))
    results, config_findings = apply_scope(raw, reading.config, known, reading.as_of)
    results.extend(finding_results(reading.builtin[CONFIG_RULES_FILE], config_findings, overrides))
    return results


def anchor(reading: Reading) -> str:
    """A stable file for findings that have none (a missing document): SARIF needs a location."""
    if reading.config.path is not None:
        return CONFIG_FILE
    for name in ("README.md", "README", "readme.md"):
        if reading.source.kind(name) == FILE:
            return name
    paths = sorted(doc.path for doc in reading.corpus.documents)
    return paths[0] if paths else CONFIG_FILE


def make_run(settings: Settings, reading: Reading, results: Sequence[Result], comparison: Comparison | None = None,
             prefix: str | None = None) -> Run:
    """The run of ``reading``; ``prefix`` is the folder's place in its work tree when the caller
    already asked git for it (a comparison), else it is asked here."""
    return Run(
        tool_version=__version__,
        repository=str(settings.repo),
        commit=reading.corpus.commit,
        as_of=reading.as_of,
        standard=reading.pack.target,
        base=reading.pack.base,
        results=tuple(results),
        config_path=CONFIG_FILE if reading.config.path else None,
        documents=reading.corpus.documents,
        comparison=comparison,
        anchor=anchor(reading),
        fail_on=settings.fail_on or reading.config.fail_on or "minor",
        prefix=work_tree_prefix(settings.repo) if prefix is None else prefix,
    )

