"""The interface every reporter meets: ``render(run, options) -> str``.

A reporter is a module with a ``render`` function of this shape; :data:`imscheck.reports.REPORTER_BY_NAME`
names the module of each format. mypy checks each module against :class:`Reporter`
(:mod:`imscheck.reports.conformance`), so a reporter with another signature fails the type
check, not a run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from imscheck.results import Run


@dataclass(frozen=True)
class Options:
    """How a report is presented; only the text report uses them today."""

    color: bool = False  # ANSI colours (the text report on a terminal)
    verbose: bool = False  # also passing results and their evidence
    quiet: bool = False  # only what fails the run


PLAIN = Options()


class Reporter(Protocol):
    def render(self, run: Run, options: Options = PLAIN) -> str:
        """The whole report of ``run`` as text; a reporter never decides the exit code."""
        ...

