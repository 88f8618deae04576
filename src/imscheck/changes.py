"""Checking a change: the head side against a base revision read from git objects.

Both sides are evaluated by the same pipeline, each read through a source
(:mod:`imscheck.sources`): the base is a commit read straight from git objects, the head is the
work tree, or with ``staged`` the index (what the next commit will hold). Nothing is written to
disk and the user's work tree and index are never touched. The git rules compare the two sides,
and every failing result is marked new or not.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from typing import List, Optional, Sequence, Tuple

from imscheck.api import Reading, Settings, make_run, read_source, scoped_results
from imscheck.errors import ImscheckError
from imscheck.excerpt import excerpt
from imscheck.gitrules import Side, history_findings
from imscheck.history import GitRepository, GitUnreadable
from imscheck.results import Comparison, Result, Run, fingerprint
from imscheck.sources import Source, WorkTree


def mark_new(results: Sequence[Result], before: Sequence[Result]) -> List[Result]:
    """Set ``new`` on every result: failing now, and not failing the same way at the base."""
    remaining = Counter(fingerprint(r) for r in before if r.failing)
    out: List[Result] = []
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


def _read_base(source: Source, settings: Settings, head: Reading) -> Tuple[Optional[Reading], Optional[str]]:
    """The base side evaluated, or why it could not be (its own imscheck.yaml or rules were broken).

    A base that git cannot read is not a base problem but exit 2 (GitUnreadable passes through).
    """
    try:
        return read_source(source, settings, as_of=head.as_of), None
    except GitUnreadable:
        raise
    except ImscheckError as exc:
        return None, str(exc)
    except (ValueError, OverflowError, RecursionError) as exc:
        # a value in a base document that evaluation cannot hold: the base's problem, not the head's
        return None, f"a document cannot be evaluated: {excerpt(str(exc))}"


def check_changes(settings: Settings) -> Run:
    ref = settings.changed_since or "HEAD"
    if not settings.repo.is_dir():
        raise ImscheckError("repository folder does not exist", str(settings.repo))
    with GitRepository(settings.repo) as repo:
        revision = repo.resolve(ref)
        head_source: Source = repo.index_source() if settings.staged else WorkTree(settings.repo)
        base_source = repo.commit_source(revision)
        head = read_source(head_source, settings)
        base, problem = _read_base(base_source, settings, head)
        if base is None:
            # The base cannot be evaluated: compare with nothing, so every failing result counts
            # as new, and say so.
            results = scoped_results(head, [])
            before: List[Result] = []
        else:
            found = history_findings(
                Side(base_source, base.corpus.documents, base.inspection.defective),
                Side(head_source, head.corpus.documents),
                ref,
            )
            results = scoped_results(head, found)
            before = scoped_results(base)
        comparison = Comparison(ref, revision.commit, settings.staged, problem)
        return make_run(settings, settings.repo, head, mark_new(results, before), comparison)
