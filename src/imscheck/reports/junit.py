"""JUnit XML for CI servers, in two flavours: ``junit`` (Jenkins) and ``junit-gitlab``.

Written with the standard library's ElementTree rather than junit-xml: junit-xml 1.9 always
writes ``disabled="0"`` and unrounded summed times, which the Jenkins xunit schema rejects.

- ``junit`` validates against the Jenkins xunit plugin's ``junit-10.xsd`` unmodified (the plugin
  skips a file that does not, whole). Jenkins' junit step and most other CI servers read it too.
- ``junit-gitlab`` adds GitLab's ``file`` attribute to every testcase (the XSD forbids it): the
  file from the top of the repository, and for a finding with no file of its own (a missing
  document) the run's anchor, the same stable fallback SARIF uses.

Both: one testsuite per top-level clause (and ``hygiene``); ``tests``, ``failures``, ``errors``
and ``skipped`` on every testsuite (``testsuites`` takes the first three: the schema has no
``skipped`` there); times with at most three decimals (rules are not timed one by one, so every
time is ``0.000``); testcase names unique in the file, and stable when lines move (GitLab and
Jenkins track a test by its name, so a name holding a line number would read as one new failure
and one fixed test when a line is inserted above a finding).

A requirement rule is one testcase. A built-in rule (hygiene, git, configuration) can find any
number of problems, so its testcases are named by rule and file: all findings of one rule in one
file are one testcase, listed one per line in its failure. A name made of a rule and a path
never changes while the file still has the problem; an ordinal (``#2``) would shift to another
finding whenever an earlier one is fixed, and GitLab would report a fix that did not happen.

Observations (opportunities for improvement) never fail a testcase: they go to the testcase's
``system-out``, one line each, which the Jenkins xunit schema allows and CI servers show beside
the test. Every value is made XML-safe (control characters, lone surrogates, U+FFFE/U+FFFF
become U+FFFD): repository values reach here unfiltered and must not break the document.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence

from imscheck.reports.base import PLAIN, Options
from imscheck.reports.observations import observations_of
from imscheck.results import Result, Run
from imscheck.terms import SEVERITY_RANK

FLAVOURS: tuple[str, ...] = ("jenkins", "gitlab")
_TIME = "0.000"
# Characters XML 1.0 cannot carry at all; ElementTree would write them and break the file.
_NOT_XML = re.compile("[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_SKIPPED = ("waived", "not_applicable")


def _clean(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def _key(result: Result) -> tuple[str, str | None]:
    """What one testcase stands for: a requirement rule, or a built-in rule in one file."""
    if result.is_requirement or not result.locations:
        return (result.rule, None)
    return (result.rule, result.locations[0].path)


def _name(results: Sequence[Result]) -> str:
    first = results[0]
    rule, path = _key(first)
    if first.is_requirement:
        return f"{rule} {first.title}"
    return f"{rule} {path}" if path is not None else rule


def _status(results: Sequence[Result]) -> str:
    statuses = {r.status for r in results}
    return next((s for s in ("error", "fail", *_SKIPPED) if s in statuses), "pass")


def _finding_line(result: Result) -> str:
    """A built-in rule's finding with its place; a requirement's message names its own files."""
    if result.is_requirement or not result.locations:
        return result.message
    loc = result.locations[0]
    return f"{loc.path}:{loc.line}: {result.message}"


def _outcome(case: ET.Element, results: Sequence[Result], status: str) -> None:
    chosen = [r for r in results if r.status == status]
    first = chosen[0]
    more = f" (and {len(chosen) - 1} more in this file)" if len(chosen) > 1 else ""
    guidance = f"\nGuidance: {first.guidance}" if first.guidance else ""
    detail = "\n".join(_finding_line(r) for r in chosen) + guidance
    if status == "fail":
        severity = max((r.severity for r in chosen), key=lambda s: SEVERITY_RANK[s])
        ET.SubElement(case, "failure", {"type": severity, "message": f"[{severity}] {first.message}{more}"}).text = detail
    elif status == "error":
        ET.SubElement(case, "error", {"type": "error", "message": first.message + more}).text = detail
    elif status in _SKIPPED:
        ET.SubElement(case, "skipped", {"type": status, "message": first.message + more})


def _testcase(results: Sequence[Result], name: str, run: Run, flavour: str) -> ET.Element:
    first = results[0]
    case = ET.Element("testcase", {"name": name, "classname": f"imscheck.{first.group}", "time": _TIME})
    if flavour == "gitlab":
        located = first.locations[0].path if first.locations else run.anchor
        case.set("file", run.prefix + located)
    _outcome(case, results, _status(results))
    lines = [f"observation: {o.location.path}:{o.location.line}: {o.message}" for r in results for o in observations_of(r, run.anchor)]
    if lines:
        ET.SubElement(case, "system-out").text = "\n".join(lines)
    return case


def _cases(results: Sequence[Result]) -> list[list[Result]]:
    """Results grouped into testcases, in the order of each testcase's first result."""
    cases: dict[tuple[str, str | None], list[Result]] = {}
    for result in results:
        cases.setdefault(_key(result), []).append(result)
    return list(cases.values())


def _counts(cases: Sequence[Sequence[Result]]) -> dict[str, str]:
    statuses = [_status(c) for c in cases]
    return {"tests": str(len(cases)), "failures": str(statuses.count("fail")), "errors": str(statuses.count("error"))}


def _unique(name: str, used: dict[str, int]) -> str:
    # Names are unique by construction; this keeps them so if two rules ever share a title.
    count = used.get(name, 0)
    used[name] = count + 1
    return name if count == 0 else f"{name} #{count + 1}"


def _make_safe(root: ET.Element) -> None:
    for element in root.iter():
        for attr, value in element.attrib.items():
            element.set(attr, _clean(value))
        if element.text:
            element.text = _clean(element.text)


def junit_xml(run: Run, flavour: str = "jenkins") -> str:
    """The run as one JUnit XML document in ``flavour`` (one of :data:`FLAVOURS`)."""
    if flavour not in FLAVOURS:
        raise ValueError(f"unknown JUnit flavour {flavour!r}")
    groups: dict[str, list[Result]] = {}
    for result in run.results:
        groups.setdefault(result.group, []).append(result)
    suites = {group: _cases(results) for group, results in groups.items()}
    every_case = [case for cases in suites.values() for case in cases]
    root = ET.Element("testsuites", {"name": f"imscheck {run.standard}", **_counts(every_case), "time": _TIME})
    used: dict[str, int] = {}
    for group, cases in suites.items():
        suite = ET.SubElement(root, "testsuite", {
            "name": f"{run.standard} clause {group}" if group != "hygiene" else "hygiene",
            **_counts(cases),
            "skipped": str(sum(_status(c) in _SKIPPED for c in cases)),
            "time": _TIME,
            "package": "imscheck",
        })
        suite.extend(_testcase(c, _unique(_name(c), used), run, flavour) for c in cases)
    _make_safe(root)
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def render(run: Run, options: Options = PLAIN) -> str:
    """The strict flavour: valid against the Jenkins xunit schema as it is."""
    return junit_xml(run, "jenkins")
