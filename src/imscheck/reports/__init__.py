"""One reporter per output format behind one small interface (:class:`~imscheck.reports.base.Reporter`):
``render(run, options) -> str``.

Reporters format results; they never decide the exit code. Modules are imported only when their
format is asked for, so a pre-commit run does not pay for XML or template libraries.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the CLI imports this module for the format names: start-up must not pay for results
    from imscheck.reports.base import Options, Reporter
    from imscheck.results import Run

REPORTER_BY_NAME: dict[str, str] = {
    "text": "imscheck.reports.text",
    "json": "imscheck.reports.json_report",
    "junit": "imscheck.reports.junit",  # strict: the Jenkins xunit schema as it is
    "junit-gitlab": "imscheck.reports.junit_gitlab",  # with GitLab's testcase file attribute
    "sarif": "imscheck.reports.sarif",  # waived and not-applicable results left out
    "sarif-suppressed": "imscheck.reports.sarif_suppressed",  # kept, as suppressed results
    "markdown": "imscheck.reports.markdown",
}


def reporter(name: str) -> Reporter:
    """The reporter of format ``name`` (one of :data:`REPORTER_BY_NAME`), imported now."""
    module: Reporter = import_module(REPORTER_BY_NAME[name])  # mypy holds each to Reporter: reports/conformance.py
    return module


def render(run: Run, name: str, options: Options | None = None) -> str:
    """Render ``run`` in format ``name`` (one of :data:`REPORTER_BY_NAME`)."""
    from imscheck.reports.base import PLAIN

    return reporter(name).render(run, options or PLAIN)
