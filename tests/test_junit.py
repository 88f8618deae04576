"""JUnit XML that CI servers read: valid for the Jenkins xunit schema, counts right, names unique.

``junit`` is the strict flavour (the schema as it is); ``junit-gitlab`` adds GitLab's ``file``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from conftest import SHARED, run_cli
from gate_docs import AS_OF, mixed_files

JUNIT_XSD = SHARED / "external-schemas" / "junit" / "jenkins-xunit-junit-10.xsd"
needs_schema = pytest.mark.skipif(
    not JUNIT_XSD.is_file(), reason=f"{JUNIT_XSD} is not beside this checkout (a user's clone has no ../shared)"
)
TIME = re.compile(r"^\d+(\.\d{1,3})?$")


def outputs(repo: Path, tmp_path: Path, fmt: str = "junit") -> tuple:
    xml_path = tmp_path / "imscheck.xml"
    result = run_cli("check", repo, "--as-of", AS_OF, "--format", "json", "--report", f"{fmt}:{xml_path}")
    assert result.exit_code == 1, result.stderr
    return xml_path.read_text(encoding="utf-8"), result.json()


@needs_schema
def test_strict_flavour_is_valid_for_the_jenkins_xunit_schema_and_gitlab_differs_only_by_file(make_repo: Any, tmp_path: Path) -> None:
    import xmlschema

    repo = make_repo(mixed_files())
    strict, _ = outputs(repo, tmp_path)
    schema = xmlschema.XMLSchema(str(JUNIT_XSD))
    schema.validate(strict)  # as written
    gitlab, _ = outputs(repo, tmp_path, "junit-gitlab")
    root = ET.fromstring(gitlab)
    cases = root.findall(".//testcase")
    assert all("file" in case.attrib for case in cases)
    with pytest.raises(xmlschema.XMLSchemaValidationError):
        schema.validate(gitlab)
    for case in cases:
        case.attrib.pop("file")  # GitLab's attribute, the only one the schema does not know
    assert ET.tostring(root, encoding="unicode") == ET.tostring(ET.fromstring(strict), encoding="unicode")
    root.set("disabled", "0")  # what junit-xml 1.9 writes: the schema check must catch it
    with pytest.raises(xmlschema.XMLSchemaValidationError):
        schema.validate(ET.tostring(root, encoding="unicode"))


def test_counts_read_back_by_junitparser_match_the_json_report(make_repo: Any, tmp_path: Path) -> None:
    from junitparser import Error, Failure, JUnitXml, Skipped

    text, report = outputs(make_repo(mixed_files()), tmp_path)
    raw = ET.fromstring(text)
    for suite in raw.iter("testsuite"):  # written, not left for a reader to compute
        assert {"tests", "failures", "errors", "skipped"} <= set(suite.attrib)
    assert {"tests", "failures", "errors"} <= set(raw.attrib)

    # One testcase per requirement rule, and per built-in rule and file (all its findings there).
    statuses: dict[tuple, set] = {}
    for result in report["results"]:
        group = result["clause"].split(".")[0] if result["clause"] else "hygiene"
        path = result["locations"][0]["path"] if not result["clause"] and result["locations"] else None
        statuses.setdefault((group, result["rule"], path), set()).add(result["status"])
    expected: dict[str, Counter] = {}
    for (group, _, _), found in statuses.items():
        counts = expected.setdefault(group, Counter())
        counts["tests"] += 1
        counts["failures"] += "fail" in found
        counts["errors"] += "error" in found
        counts["skipped"] += bool(found & {"waived", "not_applicable"})

    parsed = JUnitXml.fromstring(text.encode("utf-8"))
    seen = {}
    for suite in parsed:
        group = suite.name.rsplit(" ", 1)[-1]
        written = Counter(tests=suite.tests, failures=suite.failures, errors=suite.errors, skipped=suite.skipped)
        kinds = Counter(type(r).__name__ for case in suite for r in case.result)
        from_cases = Counter(tests=len(list(suite)), failures=kinds[Failure.__name__], errors=kinds[Error.__name__], skipped=kinds[Skipped.__name__])
        assert written == from_cases == expected[group], group
        seen[group] = written
    assert set(seen) == set(expected)
    summary = report["summary"]["by_status"]
    assert int(raw.get("tests")) == report["summary"]["total"]  # no two findings of a rule share a file here
    assert int(raw.get("failures")) == summary["fail"] and int(raw.get("errors")) == summary["error"]
    assert sum(c["skipped"] for c in seen.values()) == summary["waived"] + summary["not_applicable"] > 0


def test_one_document_unique_names_short_times_and_file_attribute(make_repo: Any, tmp_path: Path) -> None:
    text, report = outputs(make_repo(mixed_files()), tmp_path, "junit-gitlab")
    assert text.count("<?xml") == 1 and text.count("<testsuites") == 1
    root = ET.fromstring(text)
    cases = root.findall(".//testcase")
    names = [c.get("name") for c in cases]
    assert len(names) == len(set(names)) == len(report["results"])
    for element in root.iter():
        if "time" in element.attrib:
            assert TIME.match(element.get("time")), element.get("time")
        assert "disabled" not in element.attrib
    by_name = {c.get("name"): c for c in cases}
    duplicate = next(r for r in report["results"] if r["rule"] == "DOC-ID-UNIQUE" and r["status"] == "fail")
    located = [c for c in cases if c.get("name").startswith("DOC-ID-UNIQUE ")]
    assert [c.get("file") for c in located] == [duplicate["locations"][0]["path"]]
    missing = by_name["SMS-9.2 Internal audit"]  # no document to point at: the run's anchor, as in SARIF
    assert missing.find("failure") is not None and missing.get("file") == "imscheck.yaml"
    waived = by_name["SMS-9.3 Management review"]
    assert waived.find("skipped") is not None and waived.find("failure") is None


def test_observations_are_system_out_lines_never_failures(make_repo: Any, tmp_path: Path) -> None:
    text, report = outputs(make_repo(mixed_files()), tmp_path)
    written = sorted(((case.find("failure") is not None, (case.findtext("system-out") or "").splitlines())
                      for case in ET.fromstring(text).iter("testcase")), key=repr)
    expected = sorted(((r["status"] == "fail", [f"observation: {o['path']}:{o['line']}: {o['message']}" for o in r["observations"]])
                       for r in report["results"]), key=repr)
    assert written == expected  # a passing result with observations stays a passing testcase
