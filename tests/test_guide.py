"""`imscheck guide`: generated from the rule data, each base clause once, every requirement shown,
summary counts that match the rules; HTML self-contained and escaped; bad options exit 2."""

from __future__ import annotations

import re
import shutil
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import run_cli
from guide_support import USER_NEW, USER_PARTIAL, expected_entries, new_rules, norm, rules_by_id, summaries, titles, write_user_rules
from packdata import RULES, RawPack, catalogue_clauses, load_raw_pack, pack_dirs, relation_counts, requirement_clauses, requirement_leaves

from imscheck.api import catalogues
from imscheck.guidance import render_guide as render
from imscheck.guidance.guide import Guide, build_guide
from imscheck.resources import rules_dir
from imscheck.rules import load_pack

PACKS = [load_raw_pack(d) for d in pack_dirs()]
IDS = [p.directory.name for p in PACKS]


def _guide(pack: RawPack, *extra: str) -> str:
    result = run_cli("guide", "--target", pack.target, "--base", pack.base, *extra)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def _parts(markdown: str, pack: RawPack) -> tuple[str, str]:
    """(the per-9001-clause part, the new-requirements part) of a Markdown guide."""
    after_summary = markdown.split("\n## ", 2)
    assert len(after_summary) == 3, "expected a summary section, then the base clause section"
    body = after_summary[2]
    base_part, _, rest = body.partition("\n## ")
    return base_part, rest


def _base_headings(base_part: str) -> list[str]:
    return re.findall(r"^#{3,6} (\d+(?:\.\d+)*) ", base_part, re.M)


@pytest.mark.parametrize("pack", PACKS, ids=IDS)
def test_each_base_clause_is_listed_once_in_catalogue_order(pack: RawPack) -> None:
    base_part, _ = _parts(_guide(pack), pack)
    headings = _base_headings(base_part)
    expected = requirement_clauses(pack.base)
    assert [n for n, c in Counter(headings).items() if c > 1] == []
    assert headings == expected


_DIRECT = re.compile(r"^- (\S+) .*\((F|P), rule ([^,()\s]+)\)", re.M)
_THROUGH = re.compile(r"^- (\S+) .*\((F|P), rule ([^,()\s]+), through ([\d., ]+)\)$", re.M)
_REUSED = re.compile(r"^- (\S+) .*\(new, rule ([^,()\s]+)(?:, through ([\d., ]+))?\)$", re.M)


def _sections(part: str) -> dict[str, str]:
    """The text under each clause heading of a guide part, up to the next heading."""
    matches = list(re.finditer(r"^#{3,6} (\d+(?:\.\d+)*) .*$", part, re.M))
    ends = [m.start() for m in matches[1:]] + [len(part)]
    return {m.group(1): part[m.end():end] for m, end in zip(matches, ends, strict=False)}


def _new_sections(new_part: str) -> dict[str, str]:
    """The detail of each new requirement, by the rule it names."""
    chunks = re.split(r"^### ", new_part, flags=re.M)[1:]
    found = {}
    for chunk in chunks:
        rule = re.search(r"^Rule (\S+)\. ", chunk, re.M)
        assert rule, chunk[:80]
        found[rule.group(1)] = chunk
    return found


def _check_markdown(markdown: str, pack: RawPack) -> None:
    """Everything the guide shows for ``pack``, against what the raw YAML says it must show."""
    base_part, new_part = _parts(markdown, pack)
    sections = _sections(base_part)
    expected = expected_entries(pack)
    rules = rules_by_id(pack)
    base_summaries, target_summaries = summaries(pack.base), summaries(pack.target)
    assert list(sections) == list(expected)
    for number, text in sections.items():
        want = expected[number]
        direct = [m.group(3) for m in _DIRECT.finditer(text) if not _THROUGH.match(m.group(0))]
        through = {m.group(3): m.group(4).split(", ") for m in _THROUGH.finditer(text)}
        reused = {m.group(2): (m.group(3).split(", ") if m.group(3) else []) for m in _REUSED.finditer(text)}
        listed = direct + list(through)
        assert len(listed) == len(set(listed)) and len(reused) == len(_REUSED.findall(text)), f"{number}: a requirement listed twice"
        assert sorted(direct) == sorted(want.direct), number
        assert through == want.through, number
        assert reused == want.reused, number
        kinds = {rules[r]["relation"]["type"] for r in listed}
        shown = re.search(r"^Relation: (.*)\.$", text, re.M)
        assert (set(re.findall(r"(full|partial) \(", shown.group(1))) if shown else set()) == kinds, number
        flat = norm(text)
        assert base_summaries[number] in flat, f"{number}: the ISO 9001 clause summary is missing"
        for rule_id in want.direct:
            rule = rules[rule_id]
            assert norm(rule["guidance"]) in flat, f"{number}: the action of {rule_id} is missing"
            if rule["relation"].get("adds"):
                assert norm(rule["relation"]["adds"]) in flat, f"{number}: what {rule_id} adds is missing"
    details = _new_sections(new_part)
    table = set(re.findall(r"^\| (\d+(?:\.\d+)*) \|", new_part, re.M))
    assert table == {r["clause"] for r in new_rules(pack)}
    assert set(details) == {r["id"] for r in new_rules(pack)}
    base_titles = titles(pack.base)
    for rule in new_rules(pack):
        flat = norm(details[rule["id"]])
        assert target_summaries[rule["clause"]] in flat, rule["id"]
        assert norm(rule["guidance"]) in flat, rule["id"]
        if rule.get("justification"):
            assert norm(rule["justification"]) in flat, rule["id"]
        for number in rule["relation"].get("neighbours", []):
            assert norm(f"{number} {base_titles[number]}") in flat, f"{rule['id']}: neighbour {number} is missing"


@pytest.mark.parametrize("pack", PACKS, ids=IDS)
def test_each_base_clause_shows_summary_relations_actions_and_reuse(pack: RawPack) -> None:
    _check_markdown(_guide(pack), pack)


@pytest.mark.parametrize("pack", PACKS, ids=IDS)
def test_every_requirement_appears_under_a_9001_clause_or_as_new(pack: RawPack) -> None:
    base_part, new_part = _parts(_guide(pack), pack)
    shown = {m.group(3) for m in _DIRECT.finditer(base_part)} | set(_new_sections(new_part))
    assert shown == set(rules_by_id(pack)), f"{pack.target}: rules missing from the guide"
    unruled = [n for n in requirement_leaves(pack.target) if n not in {r["clause"] for r in pack.rules}]
    listed = new_part.split("requirements without a rule in this pack", 1)[1] if unruled else ""
    assert re.findall(r"^- (\d+(?:\.\d+)*) ", listed, re.M) == unruled


@pytest.mark.parametrize("pack", PACKS, ids=IDS)
def test_neighbour_clauses_from_the_pack_appear_both_ways(pack: RawPack) -> None:
    with_neighbours = [r for r in pack.rules if r["relation"].get("neighbours")]
    if not with_neighbours:
        pytest.skip(f"{pack.target}: no rule names neighbour clauses yet (the user-folder test covers the feature)")
    sections = _sections(_parts(_guide(pack), pack)[0])
    for rule in with_neighbours:
        for number in rule["relation"]["neighbours"]:
            assert re.search(rf"^- {re.escape(rule['clause'])} .*\(new, rule {re.escape(rule['id'])}\)$", sections[number], re.M), (
                f"{number} does not say that {rule['id']} reuses it"
            )


@pytest.mark.parametrize("pack", PACKS, ids=IDS)
def test_the_caveat_comes_first(pack: RawPack) -> None:
    preamble = _guide(pack).split("\n## ", 1)[0].lower()
    for word in ("indicative", "judge", "certification body"):
        assert word in preamble, word


def _user_guide(tmp_path: Path) -> tuple[Guide, RawPack]:
    folder = write_user_rules(tmp_path / "user-rules")
    pack = next(p for p in PACKS if p.target == "iso20000-1:2018")
    guide = build_guide(load_pack(rules_dir(), pack.target, catalogues(), extra_dirs=[folder]), catalogues())
    return guide, RawPack(pack.target, pack.base, pack.directory, pack.rules + (USER_NEW, USER_PARTIAL))


def test_user_rules_neighbours_and_parents_gather_each_requirement_once(tmp_path: Path) -> None:
    guide, raw = _user_guide(tmp_path)
    markdown = render(guide)
    _check_markdown(markdown, raw)
    sections = _sections(_parts(markdown, raw)[0])
    new, partial = USER_NEW["id"], USER_PARTIAL["id"]
    # named as neighbour by 9.2 and 9.2.2: listed once under 9.2, as its own; once under 9, through both
    assert len(re.findall(rf"rule {new}\b", sections["9.2"])) == 1
    assert re.search(rf"\(new, rule {new}\)$", sections["9.2"], re.M)
    assert re.search(rf"\(new, rule {new}, through 9.2, 9.2.2\)$", sections["9"], re.M)
    # based on 9.2.1 and 9.2.2: its parent 9.2 gathers it once, through both, and shows it as partial
    assert len(re.findall(rf"rule {partial}\b", sections["9.2"])) == 1
    assert re.search(rf"\(P, rule {partial}, through 9.2.1, 9.2.2\)$", sections["9.2"], re.M)
    assert re.search(r"^Relation: .*partial \(P\)", sections["9.2"], re.M)
    for number in ("9.2.1", "9.2.2"):
        assert norm(USER_PARTIAL["guidance"]) in norm(sections[number])


@pytest.mark.parametrize("pack", PACKS, ids=IDS)
def test_summary_counts_match_the_rules(pack: RawPack) -> None:
    markdown = _guide(pack)
    shown = {kind: int(n) for kind, n in re.findall(r"^\| (full|partial|none) \([^)]*\) \| (\d+) \|", markdown, re.M)}
    expected = relation_counts(pack)
    assert shown == expected
    total = re.search(r"^\| total \| (\d+) \|", markdown, re.M)
    assert total and int(total.group(1)) == len(pack.rules)


def test_default_target_is_2018_with_its_base() -> None:
    result = run_cli("guide")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("# Integration guide: ISO/IEC 20000-1:2018 on ISO 9001:2015\n")


def test_wrong_base_is_a_clear_usage_error() -> None:
    result = run_cli("guide", "--target", "iso20000-1:2011", "--base", "iso9001:2015")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "--base" in result.stderr and "iso9001:2008" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_target_is_a_clear_usage_error() -> None:
    result = run_cli("guide", "--target", "iso20000-1:1999")
    assert result.exit_code == 2
    assert "no rule pack for standard 'iso20000-1:1999'" in result.stderr


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.tags: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        values = dict(attrs)
        if values.get("id"):
            self.ids.append(values["id"] or "")
        for name in ("href", "src"):
            if values.get(name):
                self.links.append(values[name] or "")


@pytest.mark.parametrize("pack", PACKS, ids=IDS)
def test_html_is_self_contained_and_lists_each_base_clause_once(pack: RawPack, tmp_path: Path) -> None:
    out = tmp_path / "guide.html"
    result = run_cli("guide", "--target", pack.target, "--format", "html", "--output", str(out))
    assert result.exit_code == 0 and result.stdout == ""
    page = _Page()
    page.feed(out.read_text(encoding="utf-8"))
    assert "script" not in page.tags and "link" not in page.tags and "img" not in page.tags
    assert all(link.startswith("#") for link in page.links)
    assert set(link[1:] for link in page.links) <= set(page.ids)
    assert "caveat" in page.ids
    sections = [i[len("base-"):] for i in page.ids if i.startswith("base-")]
    assert sections == requirement_clauses(pack.base)
    new = {i[len("new-"):] for i in page.ids if i.startswith("new-")}
    assert new == {r["clause"] for r in pack.rules if r["relation"]["type"] == "none"}


def test_html_escapes_text_from_rule_data(tmp_path: Path) -> None:
    # A user's own pack (same format) with markup in its text: it must come out as text.
    root = tmp_path / "rules"
    shutil.copytree(RULES / "packs" / "iso20000-1-2011", root / "packs" / "iso20000-1-2011")
    rule_file = root / "packs" / "iso20000-1-2011" / "04-sms-general.yaml"
    text = rule_file.read_text(encoding="utf-8")
    anchor = "top management owns a service management plan"
    assert anchor in text
    rule_file.write_text(text.replace(anchor, "<script>alert(1)</script> & " + anchor, 1), encoding="utf-8")
    guide = build_guide(load_pack(root, "iso20000-1:2011", catalogues()), catalogues())
    html = render(guide, "html")
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; top management owns" in html


def test_html_escapes_guidance_and_justification(tmp_path: Path) -> None:
    guide, _ = _user_guide(tmp_path)
    html = render(guide, "html")
    assert "<b>" not in html and "<this>" not in html
    assert "&lt;b&gt;audit&lt;/b&gt; programme &amp; review" in html
    assert "asks for &lt;this&gt;" in html


def test_guide_writes_to_a_file_and_reports_unwritable_output(tmp_path: Path) -> None:
    target = tmp_path / "guide.md"
    assert run_cli("guide", "--target", "iso20000-1:2011", "-o", str(target)).exit_code == 0
    assert target.read_text(encoding="utf-8").startswith("# Integration guide: ISO/IEC 20000-1:2011 on ISO 9001:2008")
    blocked = tmp_path / "file"
    blocked.write_text("x", encoding="utf-8")
    result = run_cli("guide", "-o", str(blocked / "guide.md"))
    assert result.exit_code == 2 and "cannot write" in result.stderr


def test_guide_matches_the_catalogue_titles() -> None:
    markdown = _guide(next(p for p in PACKS if p.target == "iso20000-1:2011"))
    titles = {c["number"]: c["title"] for c in catalogue_clauses("iso9001:2008")}
    for number in ("4.2.1", "7.2.3", "8.5.3"):
        assert re.search(rf"^#+ {re.escape(number)} {re.escape(titles[number])}$", markdown, re.M)


def test_requirements_without_a_rule_are_listed_not_dropped(tmp_path: Path) -> None:
    # An incomplete pack (here: the 2011 pack without its clause 6 file) must not make the
    # guide look complete: the requirements it has no rule for are named.
    root = tmp_path / "rules"
    shutil.copytree(RULES / "packs" / "iso20000-1-2011", root / "packs" / "iso20000-1-2011")
    (root / "packs" / "iso20000-1-2011" / "06-service-delivery.yaml").unlink()
    guide = build_guide(load_pack(root, "iso20000-1:2011", catalogues()), catalogues())
    clause_6 = [n for n in requirement_leaves("iso20000-1:2011") if n.startswith("6.")]
    assert [r.clause for r in guide.without_rule] == clause_6
    markdown = render(guide)
    section = markdown.split("requirements without a rule in this pack", 1)[1]
    assert re.findall(r"^- (\d+(?:\.\d+)*) ", section, re.M) == clause_6
    assert guide.total == len(requirement_leaves("iso20000-1:2011")) - len(clause_6)


def test_the_guide_letters_relations_as_the_audit_report_does(sample_copy: Path) -> None:
    """F, P and N in both: a reader moving from the guide to the audit report meets one legend."""
    guide = run_cli("guide")
    for kind, letter in (("full", "F"), ("partial", "P"), ("none", "N")):
        assert f"| {kind} ({letter}) |" in guide.stdout
    page = run_cli("audit", sample_copy, "--as-of", "2026-06-01").stdout
    for kind, letter in (("full", "F"), ("partial", "P"), ("none", "N")):
        assert f">{letter} · {kind}<" in page
