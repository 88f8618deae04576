"""The one orchestrator: from a folder (and, when comparing, a git revision) to an :class:`Outcome`.

``check``, ``audit`` and the git comparison all run through :func:`evaluate`, which runs the
stages of :mod:`imscheck.stages` once: the configuration and the pack are read once and travel
with the run. Reporters and the CLI only consume what it returns; nothing here prints or exits.
"""

from __future__ import annotations

from imscheck.stages import Outcome, Progress, Settings, make_run, read_folder, scoped_results


def evaluate(settings: Settings, progress: Progress = None) -> Outcome:
    """Evaluate the repository of ``settings``; raises ImscheckError for set-up problems (exit 2).

    ``progress`` (optional) is told the phase and files read so far; comparisons do not report it.
    """
    if settings.compares:
        from imscheck.comparison.compare import compare  # git code only when comparing

        return compare(settings)
    reading = read_folder(settings.repo, settings, progress=progress)
    return Outcome(make_run(settings, reading, scoped_results(reading)), reading)
