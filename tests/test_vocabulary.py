"""Organisations' own words: field names matched by concept, prose read for topics, never one spelling.

Small repositories in temporary git folders, checked through the CLI with the shipped 2018 pack;
each test looks at the rules it exercises.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import results_by_rule, run_cli
from docbuilder import controlled, record

AS_OF = "2026-06-30"


def _check(repo: Path, *extra: str) -> dict[str, dict[str, Any]]:
    result = run_cli("check", repo, "--format", "json", "--as-of", AS_OF, "--fail-on", "never", *extra)
    assert result.exit_code == 0, result.stderr
    return results_by_rule(result.json())


COMPETENCE = controlled("PRO-HR", "procedure", ["iso9001:2015/7.2"])


@pytest.mark.parametrize(
    "fields",
    [
        {"employee": "A. Smith", "course": "ITIL 4 Foundation", "evaluation": "passed the exam"},
        {"trainees": [{"name": "A. Smith"}], "learningPath": ["change management"], "assessment": "signed off"},
        {"participantNames": ["A. Smith"], "training_modules": "CAB duties", "effectiveness_check": "observed at CAB"},
        {"staff_member": "A. Smith", "competences": ["service desk"], "examResult": "92 %"},
    ],
)
def test_training_records_are_read_by_concept_whatever_the_field_names(make_repo, fields: dict[str, Any]) -> None:
    repo = make_repo({"pro.md": COMPETENCE, "tr.yaml": record("TR-1", "2026-05-01", ["iso9001:2015/7.2"], **fields)})
    result = _check(repo)["SMS-7.2"]
    assert result["status"] == "pass", result["message"]


def test_a_missing_concept_is_minor_and_says_what_counts_and_how_to_map(make_repo) -> None:
    repo = make_repo({
        "pro.md": COMPETENCE,
        "tr.yaml": record("TR-1", "2026-05-01", ["iso9001:2015/7.2"], employee="A. Smith", course="ITIL", grade_given="B"),
    })
    result = _check(repo)["SMS-7.2"]
    assert (result["status"], result["severity"]) == ("fail", "minor")
    assert "tr.yaml" in {loc["path"] for loc in result["locations"]}
    message = result["message"]
    assert "TR-1" in message and "evaluation" in message and "effectiveness" in message
    assert "vocabulary: training: effectiveness" in message
    assert "section" not in message.lower() and "rename" not in message.lower()


def test_imscheck_yaml_maps_an_organisations_own_field_name(make_repo) -> None:
    config = yaml.safe_dump({"vocabulary": {"training": {"effectiveness": ["grade_given"]}}})
    repo = make_repo({
        "imscheck.yaml": config,
        "pro.md": COMPETENCE,
        "tr.yaml": record("TR-1", "2026-05-01", ["iso9001:2015/7.2"], employee="A. Smith", course="ITIL", grade_given="B"),
    })
    assert _check(repo)["SMS-7.2"]["status"] == "pass"


@pytest.mark.parametrize(
    "mapping, fragment",
    [({"trainings": {"people": ["x"]}}, "no kind of evidence 'trainings'"), ({"training": {"persons": ["x"]}}, "training has no concept 'persons'")],
)
def test_a_mapping_to_an_unknown_kind_or_concept_is_a_configuration_error(make_repo, mapping: dict[str, Any], fragment: str) -> None:
    repo = make_repo({"imscheck.yaml": yaml.safe_dump({"vocabulary": mapping}), "pro.md": COMPETENCE})
    result = run_cli("check", repo)
    assert result.exit_code == 2
    assert fragment in result.stderr and "imscheck.yaml" in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


REVIEW_PROCEDURE = controlled("PRO-MR", "procedure", ["iso9001:2015/9.3", "iso20000-1:2018/9.3"])


def _review(**fields: Any) -> str:
    return record("MR-1", "2026-03-10", ["iso9001:2015/9.3", "iso20000-1:2018/9.3"], **fields)


def test_review_inputs_as_plain_strings_are_judged_by_their_words(make_repo) -> None:
    repo = make_repo({
        "pro.md": REVIEW_PROCEDURE,
        "mr.yaml": _review(
            present=["CEO", "Service Manager"],
            agenda_items=["SLA results and availability", "customer feedback and complaints", "vendor scorecards", "new services in the portfolio"],
            outcomes=["fund two agents"],
        ),
    })
    result = _check(repo)["SMS-9.3"]
    assert result["status"] == "pass", result["message"]


def test_review_inputs_lacking_a_topic_are_minor_naming_it(make_repo) -> None:
    repo = make_repo({
        "pro.md": REVIEW_PROCEDURE,
        "mr.yaml": _review(attendees=["CEO"], inputs=[{"topic": "service_performance"}, {"topic": "customer_satisfaction"}], decisions=["x"]),
    })
    result = _check(repo)["SMS-9.3"]
    assert (result["status"], result["severity"]) == ("fail", "minor")
    assert "inputs: no mention of the performance of suppliers and other parties" in result["message"]
    assert "service_performance" not in result["message"]  # judged by meaning: that input is there


DOC_CONTROL_STEPS = """
## 5 Method

1. The owner drafts the change and a second person reviews it; the approver signs it off.
2. Approved documents are published on the intranet, read-only for everyone but the owners.
3. Superseded versions stay in the repository history.
4. Records are kept for six years and then destroyed with the Quality Manager's agreement.
"""


def _doc_control(body: str) -> str:
    return controlled("PRO-DOC", "procedure", ["iso9001:2015/7.5"]) + body


def test_topics_in_numbered_steps_under_any_heading_need_no_particular_title(make_repo) -> None:
    repo = make_repo({"pro.md": _doc_control(DOC_CONTROL_STEPS)})
    result = _check(repo)["SMS-7.5.3"]
    assert result["status"] == "pass"
    assert result["observations"] == []
    assert all(item["found"] for item in result["checklist"]), result["checklist"]


def test_a_topic_not_found_is_an_observation_worded_as_a_prompt(make_repo) -> None:
    body = DOC_CONTROL_STEPS.replace("4. Records are kept for six years and then destroyed with the Quality Manager's agreement.\n", "")
    repo = make_repo({"pro.md": _doc_control(body)})
    result = _check(repo)["SMS-7.5.3"]
    assert result["status"] == "pass", "a topic never takes credit away"
    [observation] = result["observations"]
    assert observation["message"].startswith("an auditor will look for how documents and records are retained and disposed of")
    assert "PRO-DOC does not seem to mention it" in observation["message"]


def test_observations_gate_only_at_fail_on_observation(sample_copy: Path) -> None:
    procedure = sample_copy / "quality" / "QMS-PRC-007-documented-information.md"
    text = procedure.read_text(encoding="utf-8")
    start, end = text.index("## Retention and disposal"), text.index("## External documents")
    procedure.write_text(text[:start] + text[end:], encoding="utf-8")
    register = sample_copy / "service-management" / "SMS-REG-001-documented-information-register.yaml"
    text = register.read_text(encoding="utf-8")
    start, end = text.index("control: >-"), text.index("documents:\n")
    register.write_text(text[:start] + "control: under QMS-PRC-007\n" + text[end:], encoding="utf-8")
    report = run_cli("check", sample_copy, "--format", "json")
    assert report.exit_code == 0, report.stdout
    [observation] = [o for r in report.json()["results"] for o in r.get("observations", [])]
    assert "retained and disposed of" in observation["message"]
    assert run_cli("check", sample_copy, "--fail-on", "observation").exit_code == 1


def test_headings_are_read_as_commonmark_reads_them(make_repo) -> None:
    body = (
        "\nRetention and disposal\n----------------------\n\nSix years.\n"  # setext heading
        "\n````\n```\nnot a fence end\n```\n````\n\n"  # a four-backtick fence holding a three-backtick one
        "   ## Distribution and access\n\nIntranet.\n"  # indented ATX heading
        + "\n" + "x" * 20000 + " #\n"  # a long line that must not make the parser backtrack
    )
    text = _doc_control(body)
    repo = make_repo({"pro.md": text})
    result = _check(repo)["SMS-7.5.3"]
    found = {item["topic"]: item for item in result["checklist"]}
    retention = found["how documents and records are retained and disposed of"]
    assert retention["found"]
    assert retention["line"] == text.splitlines().index("Retention and disposal") + 1  # the setext heading's own line
    assert found["how documents are distributed, accessed and kept available"]["found"]


def test_evidence_for_sub_clauses_counts_for_their_parent_clause(make_repo) -> None:
    repo = make_repo({
        "mr.yaml": record("MR-1", "2026-03-10", ["iso9001:2015/9.3.2", "iso20000-1:2018/9.3.1"],
                          attendees=["CEO"], decisions=["x"],
                          inputs=["service performance", "customer satisfaction", "supplier performance", "new services"]),
        "pro.md": controlled("PRO-MR", "procedure", ["iso9001:2015/9.3.1"]),
    })
    result = _check(repo)["SMS-9.3"]
    assert result["status"] == "pass", result["message"]
    vias = {e["via"] for e in result["evidence"]}
    assert {"iso9001:2015/9.3.1", "iso20000-1:2018/9.3.1"} <= vias


def test_a_draft_is_named_where_no_approved_evidence_counts(make_repo) -> None:
    repo = make_repo({"pol.md": controlled("POL-SEC", "policy", ["iso20000-1:2018/8.7.3.1"], status="draft")})
    result = _check(repo)["SMS-8.7.3.1"]
    assert (result["status"], result["severity"]) == ("fail", "major")
    assert "POL-SEC" in result["message"] and "draft" in result["message"]
    assert [loc["path"] for loc in result["locations"]] == ["pol.md"]


def test_events_that_did_not_happen_are_no_finding(make_repo) -> None:
    procedure = controlled("PRO-SEC", "procedure", ["iso20000-1:2018/8.7.3.3"]) + (
        "\n## How we work\n\nAnyone reports a suspected security incident to the desk; the security manager classifies and handles it.\n"
    )
    repo = make_repo({"pro.md": procedure})
    result = _check(repo)["SMS-8.7.3.3"]
    assert result["status"] == "pass", result["message"]


def test_rules_show_lists_what_each_check_accepts() -> None:
    result = run_cli("rules", "show", "SMS-7.2")
    assert result.exit_code == 0, result.stderr
    people = next(line for line in result.stdout.splitlines() if line.strip().startswith("people ("))
    for name in ("person", "employee", "trainee", "participant"):
        assert name in people
    assert "vocabulary kind training" in result.stdout and "imscheck.yaml" in result.stdout
    topics = run_cli("rules", "show", "SMS-7.5.3").stdout
    assert "an auditor reads for (observation if not found): how documents and records are retained and disposed of" in topics



def test_a_registers_entries_hold_concepts_too(make_repo) -> None:
    procedure = controlled("PRO-SUP", "procedure", ["iso9001:2015/8.4", "iso20000-1:2018/8.3.4.1"])
    review = record("SR-1", "2026-05-01", ["iso20000-1:2018/8.3.4.1"], vendor="Acme", scorecard=[{"measure": "uptime", "met": True}])
    register = controlled("REG-SUP", "register", ["iso20000-1:2018/8.3.4.1"],
                          suppliers=[{"name": "Acme", "contractRef": "C-2024-7"}, {"name": "Beta", "contractRef": "C-2025-1"}])
    repo = make_repo({"pro.md": procedure, "sr.yaml": review, "reg.md": register})
    result = _check(repo)["SMS-8.3.4.1"]
    assert result["status"] == "pass", result["message"]
    without = make_repo({"pro.md": procedure, "sr.yaml": review})
    result = _check(without)["SMS-8.3.4.1"]
    assert (result["status"], result["severity"]) == ("fail", "minor")
    assert "contract" in result["message"]


def test_competence_needs_no_procedure_the_records_are_the_evidence(make_repo) -> None:
    records = record("TR-1", "2026-05-01", ["iso9001:2015/7.2"], employee="A. Smith", course="ITIL 4", exam_result="passed")
    result = _check(make_repo({"tr.yaml": records}))["SMS-7.2"]
    assert result["status"] == "pass", result["message"]
    assert _check(make_repo({"pro.md": COMPETENCE}))["SMS-7.2"]["severity"] == "minor"  # a procedure but no records


def test_per_service_checks_ask_rather_than_fail_when_no_document_names_its_services(make_repo) -> None:
    catalogue = controlled("CAT", "catalogue", ["iso20000-1:2018/8.2.4"], services=["svc-a", "svc-b"])
    procedure = controlled("PRO-SLM", "procedure", ["iso9001:2015/8.2", "iso20000-1:2018/8.3.3"])
    sla = controlled("SLA-1", "agreement", ["iso20000-1:2018/8.3.3"], targets=[{"availability": "99.9 %"}])
    result = _check(make_repo({"cat.md": catalogue, "pro.md": procedure, "sla.md": sla}))["SMS-8.3.3"]
    assert result["status"] == "pass", result["message"]
    [observation] = result["observations"]
    assert "every catalogued service" in observation["message"] and "services:" in observation["message"]
    named = controlled("SLA-1", "agreement", ["iso20000-1:2018/8.3.3"], targets=[{"availability": "99.9 %"}], services=["svc-a"])
    result = _check(make_repo({"cat.md": catalogue, "pro.md": procedure, "sla.md": named}))["SMS-8.3.3"]
    assert (result["status"], result["severity"]) == ("fail", "minor") and "none for svc-b" in result["message"]
