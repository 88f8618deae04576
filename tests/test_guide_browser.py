"""The HTML integration guide as a person sees it, in headless Chromium (Debian's ``chromium``).

For both editions: the caveat is on screen, each ISO 9001 clause's section shows its summary and,
for every requirement that builds on it, what IT service management adds and the action on the
QMS; new requirements show their reason, action and neighbour clauses, and the neighbour's own
section names them back. Expected text comes from the raw YAML (guide_support / packdata). A
screenshot of each guide is kept beside the audit ones (``$IMSCHECK_SCREENSHOTS`` or the temp dir).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import open_page, run_cli
from guide_support import USER_NEW, expected_entries, new_rules, norm, partial_examples, rules_by_id, summaries, titles, write_user_rules
from packdata import RawPack, load_raw_pack, pack_dirs

from imscheck.api import catalogues
from imscheck.guidance import render_guide as render
from imscheck.guidance.guide import build_guide
from imscheck.resources import rules_dir
from imscheck.rules import load_pack

PACKS = [load_raw_pack(d) for d in pack_dirs()]
IDS = [p.directory.name for p in PACKS]






def _texts(page: Any, selector: str) -> dict[str, str]:
    """Visible text (innerText: what is rendered, not hidden markup) of each element by id."""
    found = page.eval_on_selector_all(selector, "els => els.map(e => [e.id, e.innerText])")
    return {element_id: norm(text) for element_id, text in found}


def _caveat_is_on_screen(page: Any) -> None:
    box = page.eval_on_selector("#caveat", """e => { const r = e.getBoundingClientRect();
        return {top: r.top, height: r.height, visible: getComputedStyle(e).visibility === 'visible', text: e.innerText}; }""")
    assert box["visible"] and box["height"] > 10 and 0 <= box["top"] < 900, box
    assert "indicative" in box["text"].lower() and "certification body" in box["text"].lower()


@pytest.mark.parametrize("pack", PACKS, ids=IDS)
def test_guide_as_seen_in_chromium(browser: Any, pack: RawPack, tmp_path: Path, screenshots: Path) -> None:
    out = tmp_path / "guide.html"
    assert run_cli("guide", "--target", pack.target, "--base", pack.base, "--format", "html", "--output", str(out)).exit_code == 0
    requests: list[str] = []
    page = open_page(browser, out, requests)
    page.screenshot(path=str(screenshots / f"guide-{pack.directory.name}.png"))
    _caveat_is_on_screen(page)

    base = _texts(page, "section[id^='base-']")
    base_summaries, rules = summaries(pack.base), rules_by_id(pack)
    assert list(base) == [f"base-{n}" for n in expected_entries(pack)]
    for number, entry in expected_entries(pack).items():
        text = base[f"base-{number}"]
        assert base_summaries[number] in text, f"{number}: summary not visible"
        for rule_id in entry.direct + list(entry.through) + list(entry.reused):
            assert rules[rule_id]["clause"] in text and rule_id in text, f"{number}: {rule_id} not visible"

    # a clause with a partial relation: its summary, what ITSM adds and the action, on screen
    examples = partial_examples(pack)
    assert examples, f"{pack.target} has no partial relation"
    for number, rule in examples:
        text = base[f"base-{number}"]
        assert norm(rule["relation"]["adds"]) in text and norm(rule["guidance"]) in text, f"{number}: {rule['id']}"

    new = _texts(page, "section[id^='new-']")
    base_titles, target_summaries = titles(pack.base), summaries(pack.target)
    assert set(new) == {f"new-{r['clause']}" for r in new_rules(pack)}
    for rule in new_rules(pack):
        text = new[f"new-{rule['clause']}"]
        assert target_summaries[rule["clause"]] in text and norm(rule["guidance"]) in text, rule["id"]
        if rule.get("justification"):
            assert norm(rule["justification"]) in text, rule["id"]
        for number in rule["relation"].get("neighbours", []):
            assert norm(f"{number} {base_titles[number]}") in text, f"{rule['id']}: neighbour {number} not visible"

    # following a "reused by" link lands on the new requirement
    reused = page.query_selector("ul.reused a")
    if reused is not None:
        target = reused.get_attribute("href")
        reused.click()
        assert page.evaluate("() => location.hash") == target
        assert page.evaluate("id => { const r = document.getElementById(id).getBoundingClientRect(); return r.top >= -2 && r.top < innerHeight; }", target[1:])
    elif any(r["relation"].get("neighbours") for r in pack.rules):
        pytest.fail("the pack names neighbour clauses, but no ISO 9001 section links to the requirement that reuses it")

    assert page.query_selector("script") is None
    assert requests == [out.as_uri()]
    page.context.close()


def test_user_rule_neighbours_as_seen_in_chromium(browser: Any, tmp_path: Path) -> None:
    # Neighbours from a user rule folder, whatever the shipped packs hold: the new requirement
    # names its 9001 clauses and each of those sections (and their parent) names it back.
    folder = write_user_rules(tmp_path / "user-rules")
    guide = build_guide(load_pack(rules_dir(), "iso20000-1:2018", catalogues(), extra_dirs=[folder]), catalogues())
    out = tmp_path / "guide.html"
    out.write_text(render(guide, "html"), encoding="utf-8")
    requests: list[str] = []
    page = open_page(browser, out, requests)
    _caveat_is_on_screen(page)
    base = _texts(page, "section[id^='base-']")
    base_titles = titles("iso9001:2015")
    detail = page.eval_on_selector(f"section[data-rule='{USER_NEW['id']}']", "e => e.innerText")
    for number in USER_NEW["relation"]["neighbours"]:
        assert norm(f"{number} {base_titles[number]}") in norm(detail)
        assert USER_NEW["id"] in base[f"base-{number}"]
    assert USER_NEW["id"] in base["base-9"]
    assert norm(USER_NEW["justification"]) in norm(detail) and norm(USER_NEW["guidance"]) in norm(detail)
    assert requests == [out.as_uri()]
    page.context.close()
