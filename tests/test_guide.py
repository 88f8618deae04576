"""`imscheck guide`: generated from the rule data, each base clause once, every requirement shown,
summary counts that match the rules; HTML self-contained and escaped; bad options exit 2."""

from __future__ import annotations

import re
import shutil
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from typing import Dict, List, Tuple

import pytest

from conftest import run_cli
from imscheck.api import catalogues
from imscheck.guide import build_guide, render
from imscheck.rules import load_pack
from packdata import RULES, RawPack, catalogue_clauses, load_raw_pack, pack_dirs, relation_counts, requirement_clauses, requirement_leaves

PACKS = [load_raw_pack(d) for d in pack_dirs()]
IDS = [p.directory.name for p in PACKS]


def _guide(pack: RawPack, *extra: str) -> str:
    result = run_cli("guide", "--target", pack.target, "--base", pack.base, *extra)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def _parts(markdown: str, pack: RawPack) -> Tuple[str, str]:
    """(the per-9001-clause part, the new-requirements part) of a Markdown guide."""
    after_summary = markdown.split("\n## ", 2)
    assert len(after_summary) == 3, "expected a summary section, then the base clause section"
    body = after_summary[2]
    base_part, _, rest = body.partition("\n## ")
    return base_part, rest


def _base_headings(base_part: str) -> List[str]:
    return re.findall(r"^#{3,6} (\d+(?:\.\d+)*) ", base_part, re.M)


@pytest.mark.parametrize("pack", PACKS, ids=IDS)
def test_each_base_clause_is_listed_once_in_catalogue_order(pack: RawPack) -> None:
    base_part, _ = _parts(_guide(pack), pack)
    headings = _base_headings(base_part)
    expected = requirement_clauses(pack.base)
    assert [n for n, c in Counter(headings).items() if c > 1] == []
    assert headings == expected


@pytest.mark.parametrize("pack", PACKS, ids=IDS)
def test_every_requirement_appears_under_its_base_clauses_or_as_new(pack: RawPack) -> None:
    base_part, new_part = _parts(_guide(pack), pack)
    under: Dict[str, set] = {}
    current = None
    for line in base_part.splitlines():
        heading = re.match(r"^#{3,6} (\d+(?:\.\d+)*) ", line)
        if heading:
            current = heading.group(1)
        item = re.match(r"^- (\d+(?:\.\d+)*) .*\((F|P), rule ", line)
        if item:
            under.setdefault(item.group(1), set()).add(current)
    new = set(re.findall(r"^\| (\d+(?:\.\d+)*) \|", new_part, re.M))
    rules = {r["clause"]: r for r in pack.rules}
    shown_nowhere = [n for n in requirement_leaves(pack.target) if n not in under and n not in new]
    assert not shown_nowhere, f"{pack.target}: not in the guide under a 9001 clause or as new: {shown_nowhere}"
    for number, sections in under.items():
        assert sections == set(rules[number]["relation"]["base"]), number
    assert new == {n for n, r in rules.items() if r["relation"]["type"] == "none"}


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
        self.ids: List[str] = []
        self.tags: List[str] = []
        self.links: List[str] = []

    def handle_starttag(self, tag: str, attrs: List[Tuple[str, str | None]]) -> None:
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
