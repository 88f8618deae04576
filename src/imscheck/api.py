"""The library entry point: one function from a repository to a :class:`~imscheck.results.Run`.

files -> documents -> hygiene -> index -> rule evaluation -> results. Reporters and the CLI
only consume the Run; nothing here prints or exits.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Optional, Tuple

from imscheck import __version__
from imscheck.config import CONFIG_FILE, Config, load_config
from imscheck.documents import load_corpus
from imscheck.engine import Context, evaluate
from imscheck.errors import ImscheckError
from imscheck.hygiene import inspect
from imscheck.index import Index
from imscheck.resources import rules_dir
from imscheck.results import Run
from imscheck.rules import Pack, load_hygiene_rules, load_pack
from imscheck.standards import Catalogues, load_catalogues

DEFAULT_STANDARD = "iso20000-1:2018"


@dataclass(frozen=True)
class Settings:
    """What to check and how: built by the CLI (or a library user), never mutated."""

    repo: Path = Path(".")
    as_of: Optional[dt.date] = None
    standard: Optional[str] = None
    rule_dirs: Tuple[Path, ...] = ()


@lru_cache(maxsize=1)
def catalogues() -> Catalogues:
    """The shipped catalogues, read once per process (they are immutable data)."""
    return load_catalogues([rules_dir() / "catalogues"])


def open_repository(repo: Path) -> Config:
    if not repo.exists():
        raise ImscheckError("repository folder does not exist", str(repo))
    if not repo.is_dir():
        raise ImscheckError("not a folder: give the repository's root folder", str(repo))
    return load_config(repo)


def resolve_pack(settings: Settings, config: Config, known: Catalogues) -> Pack:
    target = settings.standard or config.standard or DEFAULT_STANDARD
    source = "--standard" if settings.standard or not config.path else str(config.path)
    return load_pack(rules_dir(), target, known, config.rule_dirs + settings.rule_dirs, base=config.base, source=source,
                     base_source=str(config.path) if config.path else None)


def check(settings: Settings) -> Run:
    """Evaluate the repository; raises ImscheckError for set-up problems (exit 2)."""
    config = open_repository(settings.repo)
    known = catalogues()
    pack = resolve_pack(settings, config, known)
    hygiene = load_hygiene_rules(rules_dir())
    as_of = settings.as_of or config.as_of or dt.date.today()
    corpus = load_corpus(settings.repo, config.include, config.exclude, config.limits)
    inspection = inspect(corpus, known, as_of)
    index = Index(corpus.documents, inspection.defective, as_of, inspection.services)
    results = evaluate(pack, hygiene, inspection, Context(index, as_of, config.overrides), config)
    return Run(
        tool_version=__version__,
        repository=str(settings.repo),
        commit=corpus.commit,
        as_of=as_of,
        standard=pack.target,
        base=pack.base,
        results=results,
        config_path=CONFIG_FILE if config.path else None,
        documents=corpus.documents,
    )
