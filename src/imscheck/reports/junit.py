"""JUnit XML for CI servers: one testsuite per top-level clause, one testcase per rule.

Written with the standard library's ElementTree rather than junit-xml: junit-xml 1.9 always
writes ``disabled="0"`` and unrounded summed times, which the Jenkins xunit schema rejects.
What CI servers need, and what this writes: one XML document; ``tests``, ``failures``,
``errors`` and ``skipped`` on every testsuite (``testsuites`` takes the first three: the schema
has no ``skipped`` there); testcase names unique in the file (GitLab merges equal names); the
``file`` attribute GitLab links to; times with at most three decimals. Rules are not timed
one by one, so every time is ``0.000``.

Observations (opportunities for improvement) never fail a testcase: they go to the testcase's
``system-out``, one line each, which the Jenkins xunit schema allows and CI servers show beside
the test.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Dict, List

from imscheck.reports.observations import observations_of
from imscheck.results import Result, Run

_TIME = "0.000"
# Characters XML 1.0 cannot carry at all; ElementTree would write them and break the file.
_NOT_XML = re.compile("[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _clean(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def _case_name(result: Result, used: Dict[str, int]) -> str:
    name = f"{result.rule} {result.title}" if result.clause else result.rule
    if not result.clause and result.status != "pass" and result.locations:
        loc = result.locations[0]
        name = f"{result.rule} {loc.path}:{loc.line}"
    count = used.get(name, 0)
    used[name] = count + 1
    return name if count == 0 else f"{name} #{count + 1}"


def _system_out(result: Result, anchor: str) -> str:
    lines = (f"observation: {o.location.path}:{o.location.line}: {o.message}" for o in observations_of(result, anchor))
    return "\n".join(_clean(line) for line in lines)


def _testcase(result: Result, name: str, anchor: str) -> ET.Element:
    case = ET.Element("testcase", {"name": _clean(name), "classname": f"imscheck.{result.group}", "time": _TIME})
    if result.locations:
        case.set("file", _clean(result.locations[0].path))
    message = _clean(result.message)
    detail = message + (f"\nGuidance: {result.guidance}" if result.guidance else "")
    if result.status == "fail":
        ET.SubElement(case, "failure", {"type": result.severity, "message": f"[{result.severity}] {message}"}).text = detail
    elif result.status == "error":
        ET.SubElement(case, "error", {"type": "error", "message": message}).text = detail
    elif result.status in ("waived", "not_applicable"):
        ET.SubElement(case, "skipped", {"type": result.status, "message": message})
    out = _system_out(result, anchor)
    if out:
        ET.SubElement(case, "system-out").text = out
    return case


def _counts(results: List[Result]) -> Dict[str, str]:
    return {
        "tests": str(len(results)),
        "failures": str(sum(r.status == "fail" for r in results)),
        "errors": str(sum(r.status == "error" for r in results)),
    }


def render(run: Run, color: bool = False) -> str:
    groups: Dict[str, List[Result]] = {}
    for result in run.results:
        groups.setdefault(result.group, []).append(result)
    root = ET.Element("testsuites", {"name": f"imscheck {run.standard}", **_counts(list(run.results)), "time": _TIME})
    used: Dict[str, int] = {}
    for group, results in groups.items():
        suite = ET.SubElement(root, "testsuite", {
            "name": f"{run.standard} clause {group}" if group != "hygiene" else "hygiene",
            **_counts(results),
            "skipped": str(sum(r.status in ("waived", "not_applicable") for r in results)),
            "time": _TIME,
            "package": "imscheck",
        })
        suite.extend(_testcase(r, _case_name(r, used), run.anchor) for r in results)
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
