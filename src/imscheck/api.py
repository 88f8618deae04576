"""The library's public names: build :class:`Settings`, call :func:`check` (or :func:`evaluate` for
the configuration and pack with the run), hand the :class:`~imscheck.results.Run` to a reporter.

    from imscheck.api import Settings, check
    run = check(Settings(repo=Path("ims")))
"""

from __future__ import annotations

from imscheck.pipeline import evaluate
from imscheck.results import Run
from imscheck.stages import Outcome, Progress, Settings, always_run_rules, builtin_rules, resolve_pack
from imscheck.standards import DEFAULT_STANDARD
from imscheck.standards import shipped_catalogues as catalogues

__all__ = ["DEFAULT_STANDARD", "Outcome", "Progress", "Settings", "always_run_rules", "builtin_rules", "catalogues", "check", "evaluate",
           "resolve_pack"]


def check(settings: Settings, progress: Progress = None) -> Run:
    """Evaluate the repository; raises ImscheckError for set-up problems (exit 2)."""
    return evaluate(settings, progress).run
