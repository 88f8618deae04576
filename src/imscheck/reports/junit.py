"""JUnit XML for CI servers: one testsuite per top-level clause, one testcase per rule."""

from __future__ import annotations

from typing import Dict, List

from junit_xml import TestCase, TestSuite, to_xml_report_string

from imscheck.results import Result, Run


def _case_name(result: Result, used: Dict[str, int]) -> str:
    name = f"{result.rule} {result.title}" if result.clause else result.rule
    if not result.clause and result.status != "pass" and result.locations:
        loc = result.locations[0]
        name = f"{result.rule} {loc.path}:{loc.line}"
    count = used.get(name, 0)
    used[name] = count + 1
    return name if count == 0 else f"{name} #{count + 1}"  # GitLab merges equal names


def render(run: Run, color: bool = False) -> str:
    suites: Dict[str, List[TestCase]] = {}
    used: Dict[str, int] = {}
    for result in run.results:
        case = TestCase(
            name=_case_name(result, used),
            classname=f"imscheck.{result.group}",
            file=result.locations[0].path if result.locations else None,
            line=result.locations[0].line if result.locations else None,
        )
        detail = result.message + (f"\nGuidance: {result.guidance}" if result.guidance else "")
        if result.status == "fail":
            case.add_failure_info(message=f"[{result.severity}] {result.message}", output=detail, failure_type=result.severity)
        elif result.status == "error":
            case.add_error_info(message=result.message, output=detail)
        elif result.status in ("waived", "not_applicable"):
            case.add_skipped_info(message=result.message)
        suites.setdefault(result.group, []).append(case)
    test_suites = [
        TestSuite(f"{run.standard} clause {group}" if group != "hygiene" else "hygiene", cases, package="imscheck")
        for group, cases in suites.items()
    ]
    return to_xml_report_string(test_suites, prettyprint=True, encoding="utf-8")
