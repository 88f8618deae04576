"""Every format's module held to the :class:`~imscheck.reports.base.Reporter` protocol by mypy.

Nothing imports this module at run time: it exists for the type check (``mypy --strict``), which
fails if a reporter's ``render`` takes other arguments. Add a new format's module here.
"""

from __future__ import annotations

from imscheck.reports import json_report, junit, junit_gitlab, markdown, sarif, sarif_suppressed, text
from imscheck.reports.base import Reporter

CHECKED: tuple[Reporter, ...] = (text, json_report, junit, junit_gitlab, sarif, sarif_suppressed, markdown)
