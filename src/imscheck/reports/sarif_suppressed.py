"""SARIF that keeps waived and not-applicable results, as suppressed results (see :mod:`imscheck.reports.sarif`).

For viewers that honour ``suppressions`` (GitHub only with a repository setting on): a waiver
stays visible and auditable at its line in imscheck.yaml.
"""

from __future__ import annotations

import json

from imscheck.reports.base import PLAIN, Options
from imscheck.reports.sarif import sarif_dict
from imscheck.results import Run


def render(run: Run, options: Options = PLAIN) -> str:
    return json.dumps(sarif_dict(run, keep_suppressed=True), indent=2, ensure_ascii=False) + "\n"
