"""The audit report as a person sees it, in headless Chromium (Debian's ``chromium`` package).

For sample-org and for a repository with gaps: the grid has one visible cell per requirement,
cell colours are the legend's colour for their status, every in-page link lands on an element,
and the page makes no request but for itself. A screenshot of each is kept in the temporary
directory (``$TMPDIR/imscheck-audit-screenshots``, or ``$IMSCHECK_SCREENSHOTS``; not committed).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from audit_support import NOT_APPLICABLE_CLAUSE, SHORT_LABEL, build_gapped, expected_grid
from conftest import open_page, run_cli


@pytest.fixture(params=["sample-org", "gapped"])
def case(request: pytest.FixtureRequest, make_repo) -> dict[str, Any]:
    if request.param == "gapped":
        return {"name": "gapped", "repo": build_gapped(make_repo).root, "not_applicable": [NOT_APPLICABLE_CLAUSE]}
    return {"name": "sample-org", "repo": request.getfixturevalue("sample_copy"), "not_applicable": []}




def test_report_as_seen_in_chromium(browser: Any, case: dict[str, Any], tmp_path: Path, screenshots: Path) -> None:
    out = tmp_path / f"{case['name']}.html"
    assert run_cli("audit", str(case["repo"]), "--output", str(out)).exit_code == 0
    report = run_cli("check", str(case["repo"]), "--format", "json").json()
    expected = expected_grid(report, case["not_applicable"])
    requests: list[str] = []
    page = open_page(browser, out, requests)
    page.screenshot(path=str(screenshots / f"{case['name']}.png"))
    page.screenshot(path=str(screenshots / f"{case['name']}-full.png"), full_page=True)

    # one visible cell per requirement, labelled with its status in words
    cells = page.eval_on_selector_all(
        "a.cell",
        """els => els.map(e => {
            const box = e.getBoundingClientRect();
            return {clause: e.dataset.clause, status: e.dataset.status, text: e.innerText.replace(/\\s+/g, ' ').trim(),
                    background: getComputedStyle(e).backgroundColor, color: getComputedStyle(e).color,
                    visible: box.width > 20 && box.height > 20 && getComputedStyle(e).visibility === 'visible'};
        })""",
    )
    assert [c["clause"] for c in cells] == list(expected)
    for cell in cells:
        assert cell["visible"], cell
        assert cell["status"] == expected[cell["clause"]], cell
        assert cell["text"].startswith(f"{cell['clause']} {SHORT_LABEL[cell['status']]}"), cell

    # colours: each cell has the colour the legend gives its status; different statuses differ
    legend = page.eval_on_selector_all(
        "[data-legend]", "els => Object.fromEntries(els.map(e => [e.dataset.legend, getComputedStyle(e.querySelector('.swatch')).backgroundColor]))"
    )
    assert set(legend) >= set(SHORT_LABEL)
    assert len(set(legend[s] for s in SHORT_LABEL if s != "unchecked")) == len(SHORT_LABEL) - 1
    for cell in cells:
        assert cell["background"] == legend[cell["status"]], cell
        assert cell["background"] != cell["color"]

    # every in-page link resolves to an element; there are no other links
    links = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    assert links and all(h.startswith("#") for h in links)
    dangling = page.evaluate("hrefs => hrefs.filter(h => !document.getElementById(decodeURIComponent(h.slice(1))))", links)
    assert dangling == []

    # a click on the worst cell takes the reader to its detail
    worst = next((c for c in cells if c["status"] in ("major", "minor", "observation", "error")), cells[0])
    target = page.get_attribute(f"a.cell[data-clause='{worst['clause']}']", "href")
    page.click(f"a.cell[data-clause='{worst['clause']}']")
    assert page.evaluate("() => location.hash") == target
    in_view = page.evaluate("id => { const r = document.getElementById(id).getBoundingClientRect(); return r.top >= -2 && r.top < innerHeight; }", target[1:])
    assert in_view
    if worst["status"] in ("major", "minor", "observation", "error"):
        assert worst["clause"] in page.evaluate("id => document.getElementById(id).innerText", target[1:])

    # the dividend chart shows what the JSON summary says
    for relation, counts in report["summary"]["by_relation"].items():
        met = page.eval_on_selector_all(f"g.bar[data-relation='{relation}'] rect.seg-pass", "els => els.map(e => +e.dataset.count)")
        assert sum(met) == counts["pass"]
    fills = page.eval_on_selector_all("g.bar rect[data-count]", "els => els.map(e => [e.getAttribute('class'), getComputedStyle(e).fill])")
    assert fills and all(fill == legend["pass"] for cls, fill in fills if cls == "seg-pass")

    # printed, the navigation goes and the colours stay
    page.emulate_media(media="print")
    assert page.eval_on_selector(".toc", "e => getComputedStyle(e).display") == "none"
    assert page.eval_on_selector("a.cell", "e => getComputedStyle(e).backgroundColor") == cells[0]["background"]

    # nothing but the page itself was requested
    assert requests == [out.as_uri()]
    page.context.close()
