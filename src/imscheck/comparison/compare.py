"""Checking a change: the head side against a base revision read from git objects.

Both sides are evaluated by the same pipeline, each read through a source
(:mod:`imscheck.sources`): the base is a commit read straight from git objects, the head is the
work tree, or with ``staged`` the index (what the next commit will hold). Nothing is written to
disk and the user's work tree and index are never touched. The git rules compare the two sides,
and every failing result is marked new or not.

A change usually touches a few files of thousands, so the base costs what changed: a base file
whose blob holds the bytes the head side parsed (same blob id) takes the head's parse as is, and
only the other files are read from git and parsed. ``incremental=False`` keeps the plain way
(both sides parsed in full), which the tests compare with.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

from imscheck.comparison.document_control import Side, history_findings
from imscheck.comparison.repository import GitRepository, GitUnreadable
from imscheck.config import Config
from imscheck.documents import Corpus, Document, Problem, discover, load_corpus
from imscheck.errors import ImscheckError
from imscheck.excerpt import excerpt
from imscheck.hygiene import PerDocument
from imscheck.results import Comparison, Result, fingerprint
from imscheck.ruleids import DOC_EMPTY, DOC_PARSE
from imscheck.rules import Rule
from imscheck.sources import Fingerprinted, GitTree, Source, Subset, WorkTree
from imscheck.stages import (
    Outcome,
    Reading,
    Settings,
    make_run,
    not_evaluated,
    read_source,
    require_folder,
    scoped_results,
)

# Problems that depend only on a file's bytes (and the limits): the same bytes give the same one.
_CONTENT_PROBLEMS = (DOC_PARSE, DOC_EMPTY)
_TWICE = object()


def mark_new(results: Sequence[Result], before: Sequence[Result]) -> list[Result]:
    """Set ``new`` on every result: failing now, and not failing the same way at the base."""
    remaining = Counter(fingerprint(r) for r in before if r.failing)
    out: list[Result] = []
    for result in results:
        new = False
        if result.failing:
            key = fingerprint(result)
            if remaining[key] > 0:
                remaining[key] -= 1
            else:
                new = True
        out.append(replace(result, new=new))
    return out


def base_corpus(base: GitTree, config: Config, head: Reading, head_ids: Mapping[str, str]) -> Corpus:
    """The base's corpus, parsing only the files whose bytes the head side did not parse.

    ``head_ids`` maps a head path to the blob id of the bytes its parse read. A base file with
    that blob id, under the same limits, gives what the head's parse gave: the same Document
    object (which the git rules then know unchanged), the same content problem, or nothing
    when the head found no document in it. The base's own include and exclude choose its files;
    every file not taken from the head is discovered and parsed as a full parse would.
    """
    links: list[str] = []
    if (config.include, config.exclude) == (head.config.include, head.config.exclude):
        # the same filters: a path the head read passed them, and load_corpus applies them to the rest
        candidates = base.paths()
    else:
        candidates, links = discover(base, config.include, config.exclude)
    # what the head's parse gave for each path; _TWICE where it gave more than one thing
    outcome: dict[str, object] = {}
    items: tuple[Document | Problem, ...] = (*head.corpus.documents, *head.corpus.problems)
    for item in items:
        outcome[item.path] = _TWICE if item.path in outcome else item
    same_limits = config.limits == head.config.limits
    documents: list[Document] = []
    problems: list[Problem] = []
    fresh: list[str] = list(links)
    for rel in candidates:
        seen = head_ids.get(rel)
        found = outcome.get(rel)
        if not same_limits or seen is None or seen != base.blob_id(rel):
            fresh.append(rel)  # parsed here
        elif found is None:
            continue  # parsed at the head, not a document
        elif isinstance(found, Document):
            documents.append(found)
        elif isinstance(found, Problem) and found.rule in _CONTENT_PROBLEMS:
            problems.append(found)
        else:
            fresh.append(rel)
    parsed = load_corpus(Subset(base, fresh), config.include, config.exclude, config.limits)
    documents.extend(parsed.documents)
    documents.sort(key=lambda d: d.path)  # the order a full parse gives
    return Corpus(base.root, tuple(documents), tuple(problems) + parsed.problems, base.commit())


def _read_base(source: Source, settings: Settings, head: Reading, load: Callable[[Config], Corpus] | None = None,
               memo: dict[int, PerDocument] | None = None,
               needed: Callable[[Config, Rule], bool] | None = None) -> tuple[Reading | None, str | None]:
    """The base side evaluated, or why it could not be (its own imscheck.yaml or rules were broken).

    A base that git cannot read is not a base problem but exit 2 (GitUnreadable passes through).
    """
    try:
        return read_source(source, settings, as_of=head.as_of, load=load, memo=memo, needed=needed), None
    except GitUnreadable:
        raise
    except ImscheckError as exc:
        return None, str(exc)
    except (ValueError, OverflowError, RecursionError) as exc:
        # a value in a base document that evaluation cannot hold: the base's problem, not the head's
        return None, f"a document cannot be evaluated: {excerpt(str(exc))}"


def compare(settings: Settings, incremental: bool = True) -> Outcome:
    """The head checked, each failing result marked new or not against the base revision.

    ``incremental=False`` parses and evaluates both sides in full: the reference the faster
    way must agree with.
    """
    ref = settings.changed_since or "HEAD"
    require_folder(settings.repo)
    with GitRepository(settings.repo) as repo:
        revision = repo.resolve(ref)
        head_source: Source = repo.index_source() if settings.staged else WorkTree(settings.repo)
        base_source = repo.commit_source(revision)
        if incremental:
            head, base, problem = _read_sides(repo, head_source, base_source, settings)
        else:
            head = read_source(head_source, settings)
            base, problem = _read_base(base_source, settings, head)
        if base is None:
            # The base cannot be evaluated: compare with nothing, so every failing result counts
            # as new, and say so.
            results = scoped_results(head, [])
            before: list[Result] = []
        else:
            found = history_findings(
                Side(base_source, base.corpus.documents, base.inspection.defective),
                Side(head_source, head.corpus.documents),
                ref,
            )
            results = scoped_results(head, found)
            before = scoped_results(base)
            if incremental and _stood_in(base, results):
                base, problem = _read_base(base_source, settings, head)  # see _stood_in
                before = scoped_results(base) if base is not None else []
        comparison = Comparison(ref, revision.commit, settings.staged, problem)
        return Outcome(make_run(settings, head, mark_new(results, before), comparison, prefix=repo.prefix), head)


def _read_sides(repo: GitRepository, head_source: Source, base: GitTree,
                settings: Settings) -> tuple[Reading, Reading | None, str | None]:
    """The head read in full and the base only as far as deciding which failing results are new.

    The base takes the head's parse of every file with the same bytes and the head's own
    hygiene findings of those documents (the same Document objects, evaluated on the same
    day); cross-document hygiene is recomputed. Of the requirement rules, a result of the base
    only matters when the head fails the same rule (a requirement result's identity is its rule)
    or when a waiver of the base names it (an unused waiver is a finding of its own): the others
    stand as passing.
    """
    ids: dict[str, str] = {}
    length = repo.id_length()
    memo: dict[int, PerDocument] = {}

    def load_head(config: Config) -> Corpus:
        # only the corpus's reads count: the configuration and rule files are not documents
        recorded = Fingerprinted(head_source, length)
        corpus = load_corpus(recorded, config.include, config.exclude, config.limits)
        ids.update(recorded.read_ids)
        return corpus

    head = read_source(head_source, settings, load=load_head, memo=memo)
    failing = {fingerprint(r) for r in scoped_results(head, []) if r.failing}

    def load_base(config: Config) -> Corpus:
        return base_corpus(base, config, head, ids)

    def needed(config: Config, rule: Rule) -> bool:
        return fingerprint(not_evaluated(rule)) in failing or config.waiver(rule.id, head.as_of) is not None

    reading, problem = _read_base(base, settings, head, load_base, memo, needed)
    return head, reading, problem


def _stood_in(base: Reading, results: Sequence[Result]) -> bool:
    """Whether a failing head result shares its identity with a rule the base left out.

    Only a git finding can, and only if a rule's id equals that finding's whole identity: not a
    real repository, but then the base is evaluated in full rather than decide on a stand-in.
    """
    left_out = {fingerprint(r) for r in base.results if r.rule in base.stood_in}
    return any(r.failing and not r.is_requirement and fingerprint(r) in left_out for r in results)
