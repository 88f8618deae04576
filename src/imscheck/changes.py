"""Checking a change: the head side against a base revision read from git objects.

Both sides are evaluated by the same pipeline, the base from a copy of the revision's files in a
temporary folder (never a checkout over the user's work tree). The head is the work tree, or
with ``staged`` the index written to a temporary folder (what the next commit will hold). The git
rules compare the two sides, and every failing result is marked new or not.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import List, Sequence

from imscheck.api import Settings, make_run, read_folder, scoped_results
from imscheck.errors import ImscheckError
from imscheck.gitrules import Side, history_findings
from imscheck.history import GitRepository
from imscheck.results import Comparison, Result, Run, fingerprint


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


def _at_repository(exc: ImscheckError, head_root: Path, settings: Settings) -> ImscheckError:
    """Name the user's file, not our temporary copy of the index, in a set-up error."""
    source = exc.source
    if settings.staged and source and Path(source).is_relative_to(head_root):
        source = str(settings.repo / Path(source).relative_to(head_root)) + " (staged)"
    return ImscheckError(str(exc.args[0]), source)


def _at_revision(exc: ImscheckError, base_root: Path, ref: str) -> ImscheckError:
    """Name the file as it is at the revision, not our temporary copy of it."""
    source = exc.source
    if source and Path(source).is_relative_to(base_root):
        source = f"{Path(source).relative_to(base_root).as_posix()} at {ref}"
    return ImscheckError(str(exc.args[0]), source)


def check_changes(settings: Settings) -> Run:
    ref = settings.changed_since or "HEAD"
    if not settings.repo.is_dir():
        raise ImscheckError("repository folder does not exist", str(settings.repo))
    with GitRepository(settings.repo) as repo, tempfile.TemporaryDirectory(prefix="imscheck-") as tmp:
        revision = repo.resolve(ref)
        base_root = Path(tmp) / "base"
        base_root.mkdir()
        repo.write_commit(revision, base_root)
        head_root = settings.repo
        if settings.staged:
            head_root = Path(tmp) / "staged"
            head_root.mkdir()
            repo.write_index(head_root)
        try:
            head = read_folder(head_root, settings, use_git=not settings.staged)
        except ImscheckError as exc:
            raise _at_repository(exc, head_root, settings) from None
        problem = None
        try:
            base = read_folder(base_root, settings, as_of=head.as_of, use_git=False)
        except ImscheckError as exc:
            # The base cannot be evaluated (its imscheck.yaml or rules were broken there): compare
            # with nothing, so every failing result counts as new, and say so.
            results = scoped_results(head, [])
            before: List[Result] = []
            problem = str(_at_revision(exc, base_root, ref))
        else:
            found = history_findings(
                Side(base_root, base.corpus.documents, base.inspection.defective),
                Side(head_root, head.corpus.documents),
                ref,
            )
            results = scoped_results(head, found)
            before = scoped_results(base)
        comparison = Comparison(ref, revision.commit, settings.staged, problem)
        run = make_run(settings, head_root, head, mark_new(results, before), comparison)
    return run
