"""Observations and the auditor's checklist in every report, on runs built from results.

An observation (a checklist topic the evidence does not seem to mention) is an opportunity for
improvement: every reporter shows it, none turns it into a failure, and a passing requirement
can carry one. The runs are built directly so the reporters are tested on exactly the results
they are given, whatever the rule packs say today.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from audit_support import parse_html
from conftest import REPO_ROOT, SHARED

from imscheck.documents import Document
from imscheck.reports import render
from imscheck.reports.base import Options
from imscheck.reports.text import render as render_text
from imscheck.results import Comparison, Evidence, Location, Result, Run, TopicCheck

AS_OF = dt.date(2026, 6, 30)
PROCEDURE = "quality/QMS-PRC-007-documented-information.md"
RECORD = "records/REC-1.yaml"
RETENTION = "how documents are retained and disposed of"
RETENTION_MESSAGE = f"an auditor will look for {RETENTION}; QMS-PRC-007 does not seem to mention it"
HOSTILE = '<script>alert("x")</script> | *urgent* [click](http://evil.invalid)'
REPORT_SCHEMA = json.loads((REPO_ROOT / "schemas" / "report.schema.json").read_text(encoding="utf-8"))
SARIF_SCHEMA = SHARED / "external-schemas" / "sarif" / "sarif-schema-2.1.0.json"
JUNIT_XSD = SHARED / "external-schemas" / "junit" / "jenkins-xunit-junit-10.xsd"


def approved(topic: str, line: int) -> TopicCheck:
    return TopicCheck(topic, True, "QMS-PRC-007", PROCEDURE, line)


def not_found(topic: str, document: str = "QMS-PRC-007", path: str = PROCEDURE, line: int = 2) -> TopicCheck:
    return TopicCheck(topic, False, document, path, line, f"an auditor will look for {topic}; {document} does not seem to mention it")


def requirement(rule: str, clause: str, status: str = "pass", severity: str = "major", checklist: Sequence[TopicCheck] = (),
                relation: str = "full", **fields: Any) -> Result:
    evidence = (Evidence("QMS-PRC-007", PROCEDURE, "iso9001:2015/7.5", 2),)
    values: dict[str, Any] = dict(
        rule=rule, title=f"Requirement {clause}", standard="iso20000-1:2018", clause=clause, relation=relation,
        base_clauses=("7.5",) if relation != "none" else (), severity=severity, status=status,
        message=f"{rule}: {status}", evidence=evidence, locations=(Location(PROCEDURE, 2),),
        guidance="Say how documents are retained.", base="iso9001:2015", checklist=tuple(checklist),
    )
    values.update(fields)
    return Result(**values)


def hygiene_pass(rule: str = "DOC-SCHEMA") -> Result:
    return Result(rule=rule, title="Document metadata", standard=None, clause=None, relation=None, base_clauses=(),
                  severity="major", status="pass", message="every document's metadata is valid", description="Metadata is valid.",
                  kind="hygiene")


def passing_with_observation() -> Result:
    """A met requirement whose procedure does not mention retention: conforming, with an OFI."""
    return requirement("SMS-7.5.3", "7.5.3", checklist=(approved("how documents are approved", 12), not_found(RETENTION)))


def make_run(results: Sequence[Result], **fields: Any) -> Run:
    documents = (
        Document(PROCEDURE, "markdown", {"id": "QMS-PRC-007", "title": "Control of documented information", "type": "procedure",
                                         "owner": "Quality Manager", "version": "2.1", "status": "approved"}, 2),
    )
    values: dict[str, Any] = dict(tool_version="0.0-test", repository=".", commit="a" * 40, as_of=AS_OF, standard="iso20000-1:2018",
                                  base="iso9001:2015", results=tuple(results), documents=documents, anchor="imscheck.yaml")
    values.update(fields)
    return Run(**values)


def mixed_run() -> Run:
    """A passing requirement with an observation, a minor failure with one, a waived one whose
    observation does not count, a passing one with a full checklist, and a hygiene pass."""
    minor = requirement("SMS-8.2.2", "8.2.2", status="fail", severity="minor", relation="partial",
                        checklist=(not_found("how service requirements are agreed", "SMS-PRC-010", "sm/SMS-PRC-010.md", 3),),
                        locations=(Location(RECORD, 4),))
    waived = requirement("SMS-8.3.3", "8.3.3", status="waived", checklist=(not_found("what is waived"),))
    clean = requirement("SMS-7.1", "7.1", checklist=(approved("who provides resources", 20),))
    return make_run([passing_with_observation(), minor, waived, clean, hygiene_pass()])


# --- text -------------------------------------------------------------------------------------


def test_text_lists_the_observation_of_a_passing_requirement_at_the_document_read() -> None:
    text = render(mixed_run(), "text")
    lines = text.splitlines()
    observation = next(line for line in lines if RETENTION in line)
    assert observation == f"{PROCEDURE}:2: observation SMS-7.5.3 Requirement 7.5.3: {RETENTION_MESSAGE}"
    assert not any(line.startswith(f"{PROCEDURE}:2: pass") for line in lines)  # the pass line itself stays quiet
    assert "what is waived" not in text  # a waived requirement's observations are out of scope
    assert "who provides resources" not in text


def test_text_puts_a_failing_requirements_observations_after_its_line() -> None:
    lines = render(mixed_run(), "text").splitlines()
    failing = next(i for i, line in enumerate(lines) if line.startswith(f"{RECORD}:4: minor"))
    assert lines[failing + 1].startswith("sm/SMS-PRC-010.md:3: observation SMS-8.2.2 Requirement 8.2.2: an auditor will look for")


def test_text_verbose_lists_the_pass_line_then_its_observation() -> None:
    lines = render_text(mixed_run(), Options(verbose=True)).splitlines()
    passing = next(i for i, line in enumerate(lines) if line.startswith(f"{PROCEDURE}:2: pass") and "SMS-7.5.3" in line)
    assert RETENTION in lines[passing + 1] and "observation" in lines[passing + 1]


def test_text_summary_counts_observations_but_not_as_failures() -> None:
    summary = next(line for line in render(mixed_run(), "text").splitlines() if line.startswith("Summary: "))
    assert "2 observations" in summary
    assert "1 failed (1 minor)" in summary
    one = next(line for line in render(make_run([passing_with_observation()]), "text").splitlines() if line.startswith("Summary: "))
    assert one.endswith(", 1 observation") and "0 failed" in one


def test_text_comparing_counts_observations_instead_of_listing_them() -> None:
    run = make_run([passing_with_observation()], comparison=Comparison("HEAD", "b" * 40))
    text = render(run, "text")
    assert RETENTION not in text
    assert "1 observation is not listed when comparing (--verbose lists them)" in text
    assert RETENTION in render_text(run, Options(verbose=True))


def test_an_observation_without_a_path_points_at_the_result_or_the_anchor() -> None:
    bare = TopicCheck("a topic", False, None, None, 1, None)
    at_result = requirement("SMS-7.5.3", "7.5.3", checklist=(bare,))
    nowhere = requirement("SMS-7.1", "7.1", checklist=(bare,), locations=())
    text = render(make_run([at_result, nowhere]), "text")
    assert f"{PROCEDURE}:2: observation SMS-7.5.3 Requirement 7.5.3: an auditor will look for a topic" in text
    assert "imscheck.yaml:1: observation SMS-7.1" in text


# --- JSON -------------------------------------------------------------------------------------


def test_json_carries_checklist_and_observations_and_validates() -> None:
    report = json.loads(render(mixed_run(), "json"))
    jsonschema.Draft202012Validator(REPORT_SCHEMA).validate(report)
    by_rule = {r["rule"]: r for r in report["results"]}
    passing = by_rule["SMS-7.5.3"]
    assert passing["status"] == "pass"
    assert passing["checklist"] == [
        {"topic": "how documents are approved", "found": True, "document": "QMS-PRC-007", "path": PROCEDURE, "line": 12},
        {"topic": RETENTION, "found": False, "document": "QMS-PRC-007", "path": PROCEDURE, "line": 2},
    ]
    assert passing["observations"] == [{"topic": RETENTION, "message": RETENTION_MESSAGE, "path": PROCEDURE, "line": 2}]
    assert by_rule["SMS-8.3.3"]["observations"] == [] and len(by_rule["SMS-8.3.3"]["checklist"]) == 1  # waived
    assert by_rule["DOC-SCHEMA"]["checklist"] == by_rule["DOC-SCHEMA"]["observations"] == []
    assert report["summary"]["observations"] == 2
    assert render(mixed_run(), "json") == render(mixed_run(), "json")


@pytest.mark.parametrize("break_it", ["drop_observations", "bad_item", "unknown_key", "summary"])
def test_report_schema_holds_the_new_fields_to_their_shape(break_it: str) -> None:
    report = json.loads(render(mixed_run(), "json"))
    result = next(r for r in report["results"] if r["rule"] == "SMS-7.5.3")
    if break_it == "drop_observations":
        del result["observations"]
    elif break_it == "bad_item":
        result["checklist"][0]["found"] = "yes"
    elif break_it == "unknown_key":
        result["observations"][0]["severity"] = "observation"
    else:
        del report["summary"]["observations"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(REPORT_SCHEMA).validate(report)


# --- SARIF ------------------------------------------------------------------------------------


def _sarif(run: Run) -> dict[str, Any]:
    return json.loads(render(run, "sarif"))


def _notes(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for r in document["runs"][0]["results"] if r["properties"]["kind"] == "observation"]


def test_sarif_has_a_note_per_observation_at_the_document_read() -> None:
    document = _sarif(mixed_run())
    [run] = document["runs"]
    notes = _notes(document)
    assert [(n["ruleId"], n["level"], n["properties"]["status"]) for n in notes] == [("SMS-7.5.3", "note", "pass"), ("SMS-8.2.2", "note", "fail")]
    note = notes[0]
    assert note["message"]["text"] == RETENTION_MESSAGE
    assert note["locations"][0]["physicalLocation"] == {"artifactLocation": {"uri": PROCEDURE, "uriBaseId": "%SRCROOT%"}, "region": {"startLine": 2}}
    assert run["tool"]["driver"]["rules"][note["ruleIndex"]]["id"] == "SMS-7.5.3"
    findings = [r for r in run["results"] if r["properties"]["kind"] == "finding"]
    assert [(r["ruleId"], r["properties"]["status"]) for r in findings] == [("SMS-8.2.2", "fail")]  # waived: left out
    kept = json.loads(render(mixed_run(), "sarif-suppressed"))["runs"][0]["results"]
    assert [(r["ruleId"], r["properties"]["status"]) for r in kept if r["properties"]["kind"] == "finding"] == [
        ("SMS-8.2.2", "fail"), ("SMS-8.3.3", "waived")]


def test_sarif_observation_fingerprints_are_rule_and_topic_not_lines() -> None:
    first = _notes(_sarif(mixed_run()))
    moved = passing_with_observation()
    moved = dataclasses.replace(moved, checklist=tuple(dataclasses.replace(c, line=c.line + 40) for c in moved.checklist))
    second = _notes(_sarif(make_run([moved])))
    assert second[0]["partialFingerprints"] == first[0]["partialFingerprints"]
    assert second[0]["locations"][0]["physicalLocation"]["region"]["startLine"] == 42
    prints = [n["partialFingerprints"]["imscheck/v1"] for n in first]
    assert len(set(prints)) == len(prints)
    twice = requirement("SMS-7.5.3", "7.5.3", checklist=(not_found(RETENTION), not_found(RETENTION, "QMS-POL-001", "q/pol.md")))
    assert len({n["partialFingerprints"]["imscheck/v1"] for n in _notes(_sarif(make_run([twice])))}) == 2


@pytest.mark.skipif(not SARIF_SCHEMA.is_file(), reason=f"{SARIF_SCHEMA} is not beside this checkout")
def test_sarif_with_notes_is_valid() -> None:
    from jsonschema.validators import validator_for

    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    hostile = requirement("SMS-7.1", "7.1", checklist=(not_found(HOSTILE, HOSTILE, "odd dir/ä#1.md"),))
    document = _sarif(make_run(list(mixed_run().results) + [hostile]))
    errors = list(validator_for(schema)(schema).iter_errors(document))
    assert not errors, [e.message for e in errors[:5]]
    assert _notes(document)[-1]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "odd%20dir/%C3%A4%231.md"


# --- JUnit ------------------------------------------------------------------------------------


def _cases(run: Run) -> dict[str, ET.Element]:
    root = ET.fromstring(render(run, "junit"))
    return {case.get("name", ""): case for case in root.iter("testcase")}


def test_junit_puts_observations_in_system_out_and_never_fails_for_them() -> None:
    root = ET.fromstring(render(mixed_run(), "junit"))
    assert root.get("failures") == "1"  # the minor finding only
    cases = _cases(mixed_run())
    passing = cases["SMS-7.5.3 Requirement 7.5.3"]
    assert passing.find("failure") is None and passing.find("error") is None
    assert passing.findtext("system-out") == f"observation: {PROCEDURE}:2: {RETENTION_MESSAGE}"
    failing = cases["SMS-8.2.2 Requirement 8.2.2"]
    assert failing.find("failure") is not None and len(failing.findtext("system-out", "").splitlines()) == 1
    assert cases["SMS-8.3.3 Requirement 8.3.3"].find("system-out") is None  # waived
    assert cases["SMS-7.1 Requirement 7.1"].find("system-out") is None  # everything found


@pytest.mark.skipif(not JUNIT_XSD.is_file(), reason=f"{JUNIT_XSD} is not beside this checkout")
def test_junit_with_system_out_is_valid_for_the_jenkins_xunit_schema() -> None:
    import xmlschema

    hostile = requirement("SMS-7.1", "7.1", checklist=(not_found(HOSTILE + "\x01", HOSTILE),))
    root = ET.fromstring(render(make_run(list(mixed_run().results) + [hostile]), "junit"))
    for case in root.iter("testcase"):
        case.attrib.pop("file", None)  # GitLab's attribute, the only one the schema does not know
    assert len(root.findall(".//system-out")) == 3
    xmlschema.XMLSchema(str(JUNIT_XSD)).validate(ET.tostring(root, encoding="unicode"))


# --- Markdown check report --------------------------------------------------------------------


def test_markdown_lists_observations_in_their_own_table_escaped() -> None:
    hostile = requirement("SMS-7.1", "7.1", checklist=(not_found(HOSTILE, "DOC|X", "a|b`c.md"),))
    text = render(make_run([passing_with_observation(), hostile]), "markdown")
    lines = text.splitlines()
    heading = lines.index("### Observations (opportunities for improvement): 2")
    rows = [line for line in lines[heading:] if line.startswith("| 🔵")]
    assert len(rows) == 2
    assert all(len(re.split(r"(?<!\\)\|", row)) == 7 for row in rows)  # five cells: nothing split a row
    assert f"`{PROCEDURE}:2`" in rows[0] and "retained and disposed of" in rows[0]
    assert "<script>" not in text and "[click](" not in text and r"\<script\>" in rows[1]
    assert r"``a\|b`c.md:2``" in rows[1]  # the backtick kept: a longer fence (issue 10 item 13)
    assert "No findings." in text  # an observation is not a finding


# --- audit report -----------------------------------------------------------------------------


def audit_report(run: Run) -> Any:
    from imscheck.api import always_run_rules, catalogues
    from imscheck.audit import build
    from imscheck.audit.context import AuditInputs
    from imscheck.config import Config
    from imscheck.rules import Pack

    known = catalogues()
    pack = Pack(run.standard, run.base, "test pack", (), Path("."))
    return build(AuditInputs(run, Config(), pack, always_run_rules(), known.require(run.standard), known.require(run.base), "constructed"))


def audit_page(run: Run, fmt: str = "html") -> str:
    from imscheck.audit.render import render_audit

    return render_audit(audit_report(run), fmt)


def test_audit_model_counts_observations_and_keeps_credit_with_a_minor_finding() -> None:
    credited_minor = requirement("SMS-7.5.2", "7.5.2", status="fail", severity="minor", checklist=(not_found("who approves"),))
    report = audit_report(make_run(list(mixed_run().results) + [credited_minor]))
    assert (report.readiness.observations, report.readiness.observed) == (3, 3)
    assert [o.rule for o in report.observations] == ["SMS-7.5.2", "SMS-7.5.3", "SMS-8.2.2"]  # by clause
    full = next(row for row in report.dividend.rows if row.relation == "full")
    assert (full.credited, full.credited_open) == (3, 1)  # 7.5.2 (minor), 7.5.3 and 7.1; not the waived 8.3.3
    assert "3 observations (opportunities for improvement) to consider" in report.readiness.verdict


def test_audit_html_shows_the_checklist_beside_the_evidence_and_the_observations() -> None:
    tree = parse_html(audit_page(mixed_run()))
    evidence = tree.by_id("evidence")
    row = next(r for r in evidence.find_all("tr") if r.find_all("td") and "SMS-7.5.3" in r.text())
    [checklist] = row.find_all("ul", "checklist")
    items = [li.text() for li in checklist.find_all("li")]
    assert items == [f"✓ how documents are approved: found in QMS-PRC-007 {PROCEDURE}:12",
                     f"✗ {RETENTION}: not found in QMS-PRC-007 {PROCEDURE}:2"]
    assert checklist.find_all("a")[0].attrs["href"] == f"#{next(n for n in evidence.iter() if n.tag == 'tr' and PROCEDURE in n.text() and n.attrs.get('id', '').startswith('doc-')).attrs['id']}"
    finding = next(a for a in tree.by_id("nonconformities").find_all("article") if "SMS-8.2.2" in a.text())
    assert "Auditor's checklist" in finding.text() and "how service requirements are agreed: not found in SMS-PRC-010" in finding.text()
    observations = tree.by_id("nonconformities").find_all("table", "observations")[0]
    rows = [r for r in observations.find_all("tr") if r.find_all("td")]
    assert [r.attrs["data-rule"] for r in rows] == ["SMS-7.5.3", "SMS-8.2.2"]
    assert RETENTION_MESSAGE in rows[0].text() and "met" in rows[0].text()
    assert rows[0].find_all("a")[0].attrs["href"] == f"#{row.attrs['id']}"  # leads to the checklist
    assert tree.by_id("observations").text() == "Observations: opportunities for improvement (2)"
    ofi = next(li for li in tree.by_id("readiness").find_all("li", "ofi"))
    assert ofi.text().startswith("2 observations (opportunities for improvement) on 2 requirements")
    cell = next(c for c in tree.find_all("a", "cell") if c.attrs["data-clause"] == "7.5.3")
    assert cell.attrs["data-status"] == "pass" and "1 observation" in cell.attrs["title"]


def test_audit_html_links_resolve_and_nothing_from_the_repository_is_markup() -> None:
    hostile = requirement("SMS-7.1", "7.1", checklist=(not_found(HOSTILE, HOSTILE, "odd/<b>.md"), approved(HOSTILE, 9)))
    page = audit_page(make_run([passing_with_observation(), hostile]))
    assert "<script>" not in page and "<b>" not in page
    tree = parse_html(page)
    assert not tree.find_all("script") and not tree.find_all("b")
    assert any(HOSTILE in li.text() for li in tree.find_all("li"))  # shown as text, exactly as written
    ids = {n.attrs["id"] for n in tree.iter() if "id" in n.attrs}
    hrefs = [n.attrs["href"] for n in tree.iter() if "href" in n.attrs]
    assert hrefs and all(h.startswith("#") and h[1:] in ids for h in hrefs)


def test_audit_markdown_shows_checklist_and_observations_escaped() -> None:
    hostile = requirement("SMS-7.1", "7.1", checklist=(not_found(HOSTILE, "DOC|<script>"),))
    markdown = audit_page(make_run(list(mixed_run().results) + [hostile]), "markdown")
    lines = markdown.splitlines()
    assert "<script>" not in markdown and "[click](" not in markdown
    counts = next(line for line in lines if line.startswith("| 💡 Observations"))
    assert counts.endswith("| 3 |") and "on 3 requirements" in counts
    evidence = next(line for line in lines[lines.index("## 6 Evidence index"):] if line.startswith("| 7.5.3 |"))
    cells = re.split(r"(?<!\\)\|", evidence)[1:-1]
    assert len(cells) == 6
    assert cells[-1].strip().replace("\\", "") == f"✓ how documents are approved: found in QMS-PRC-007 ({PROCEDURE}:12); ✗ {RETENTION}: not found in QMS-PRC-007 ({PROCEDURE}:2)"
    heading = lines.index("### Observations: opportunities for improvement (3)")
    rows = [line for line in lines[heading:] if line.startswith("| ") and not line.startswith("| Requirement") and not line.startswith("|---")]
    rows = rows[:3]
    assert all(len(re.split(r"(?<!\\)\|", row)) == 6 for row in rows)  # four cells each
    assert r"\<script\>" in rows[0] and "SMS-7.1" in rows[0]
    assert any(line.startswith("- **Auditor's checklist:** ✗ how service requirements are agreed: not found") for line in lines)
