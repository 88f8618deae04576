"""`imscheck explain CLAUSE`: the clause, its relations in both directions, the rules that check it."""

from __future__ import annotations

import re

import pytest
from conftest import run_cli
from packdata import load_raw_pack, pack_dirs

from imscheck.api import DEFAULT_STANDARD, catalogues
from imscheck.guidance.explain import Explanation, explain, resolve, shipped_packs


def _explain(*args: str) -> str:
    result = run_cli("explain", *args)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def test_20000_clause_shows_its_9001_base_and_rule() -> None:
    out = _explain("iso20000-1:2011/4.1.1")
    assert out.startswith("ISO/IEC 20000-1:2011 4.1.1 Management commitment\n")
    assert re.search(r"^  ITSM11-4\.1\.1 +4\.1\.1 +major +partial on ISO 9001:2008 5\.1 Management commitment$", out, re.M)
    assert "service management plan" in out


def test_9001_clause_shows_the_20000_requirements_that_build_on_it() -> None:
    out = _explain("iso9001:2008/4.2.1")
    assert out.startswith("ISO 9001:2008 4.2.1 General\n")
    assert re.search(r"^  ITSM11-4\.3\.1 +4\.3\.1 Establish and maintain documents: full$", out, re.M)


def test_9001_parent_clause_gathers_relations_of_its_sub_clauses() -> None:
    out = _explain("iso9001:2008/7.3")
    for rule in ("ITSM11-5.1", "ITSM11-5.2", "ITSM11-5.3", "ITSM11-5.4", "ITSM11-9.2"):
        assert re.search(rf"^  {re.escape(rule)} ", out, re.M), rule


def test_20000_parent_clause_lists_the_rules_of_its_sub_clauses() -> None:
    out = _explain("4.5", "--standard", "iso20000-1:2011")
    listed = re.findall(r"^  (ITSM11-[\d.]+) ", out, re.M)
    assert listed == ["ITSM11-4.5.1", "ITSM11-4.5.2", "ITSM11-4.5.3", "ITSM11-4.5.4.1", "ITSM11-4.5.4.2",
                      "ITSM11-4.5.4.3", "ITSM11-4.5.5.1", "ITSM11-4.5.5.2"]
    assert out.count("no ISO 9001:2008 counterpart") == 8


def test_bare_number_is_a_clause_of_the_default_target() -> None:
    out = _explain("8.5.1.1")
    assert out.startswith("ISO/IEC 20000-1:2018 8.5.1.1 ")
    assert "reference: iso20000-1:2018/8.5.1.1" in out


def test_9001_clause_without_relations_says_so() -> None:
    out = _explain("iso9001:2008/7.6")  # control of monitoring equipment: nothing builds on it or reuses it
    assert "No ISO/IEC 20000-1:2011 requirement builds on this clause." in out
    assert "reuse" not in _explain("iso9001:2008/7.6")


@pytest.mark.parametrize("directory", pack_dirs(), ids=[d.name for d in pack_dirs()])
def test_both_directions_agree_with_the_rule_data(directory) -> None:
    pack = load_raw_pack(directory)
    known = catalogues()
    packs = shipped_packs(known)  # loaded once: the CLI loads them per call

    def explained(text: str) -> Explanation:
        return explain(*resolve(text, None, DEFAULT_STANDARD, known), packs, known)

    for rule in pack.rules:
        forward = explained(f"{pack.target}/{rule['clause']}")
        assert [r.id for r in forward.checked_by] == [rule["id"]], rule["id"]
        for number in rule["relation"].get("base", []):
            backward = explained(f"{pack.base}/{number}")
            assert rule["id"] in [r.id for r in backward.built_on_by], (rule["id"], number)


@pytest.mark.parametrize(
    "args, message",
    [
        (("iso9001:2008/9.1",), "iso9001:2008/9.1 is not a clause of ISO 9001:2008"),
        (("7.9", "--standard", "iso9001:2015"), "iso9001:2015/7.9 is not a clause of ISO 9001:2015"),
        (("policy",), "'policy' is neither a clause number"),
        (("iso9001:2008/x",), "is not a requirement reference"),
        (("iso27001:2013/5.1",), "no catalogue for iso27001:2013"),
        (("5.1", "--standard", "iso9001"), "'iso9001' is not an edition"),
        (("iso9001:2008/5.1", "--standard", "iso9001:2015"), "is a clause of iso9001:2008, but --standard says iso9001:2015"),
    ],
)
def test_bad_clause_is_a_clear_error(args, message) -> None:
    result = run_cli("explain", *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stdout == "" and "Traceback" not in result.stderr


def test_explain_shows_why_a_relation_was_judged_as_it_is() -> None:
    out = _explain("iso20000-1:2011/4.5.4.2")
    assert re.search(r"^ +why: Decision: no relation\. .*8\.2\.2", out, re.M)


def test_explain_names_the_iso9001_arrangements_a_new_requirement_reuses() -> None:
    audit = run_cli("explain", "iso9001:2008/8.2.2")
    assert audit.exit_code == 0, audit.stderr
    reuse = audit.stdout.split("can reuse its arrangements (no credit):", 1)[1]
    assert "ITSM11-4.5.4.2" in reuse
    new = run_cli("explain", "iso20000-1:2011/4.5.4.2").stdout
    assert "reuses, without credit: ISO 9001:2008 8.2.2" in new


def test_rules_show_names_the_reused_arrangements_and_the_reason() -> None:
    shown = run_cli("rules", "show", "SMS-8.5.1.1")
    assert shown.exit_code == 0, shown.stderr
    assert "reuses, without credit, the arrangements of ISO 9001:2015:" in shown.stdout
    assert "8.5.6 Control of changes" in shown.stdout
    assert "why:" in shown.stdout and "no requirement for a change management policy" in shown.stdout
