"""JUnit XML with GitLab's ``file`` attribute on every testcase (see :mod:`imscheck.reports.junit`)."""

from __future__ import annotations

from imscheck.reports.base import PLAIN, Options
from imscheck.reports.junit import junit_xml
from imscheck.results import Run


def render(run: Run, options: Options = PLAIN) -> str:
    return junit_xml(run, "gitlab")
