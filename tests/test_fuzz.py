"""Property-based fuzzing of what a merge request controls: documents and ``imscheck.yaml``.

Whatever the repository holds, a run ends with exit 0, 1 or 2 and never a traceback; exit 2
says why in one line; JSON output is strict JSON; JUnit and SARIF parse; the audit page is
written. CI runs a fixed budget (``IMSCHECK_FUZZ_EXAMPLES``, default 40 per property); the long
run is ``python benchmarks/fuzz_long.py``, seeded chunks of this same test.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import yaml
from conftest import run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

EXAMPLES = int(os.environ.get("IMSCHECK_FUZZ_EXAMPLES", "40"))
# No example database: a test run must not write into the checkout.
BUDGET = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck),
                  derandomize=EXAMPLES <= 1000, database=None)

# Field names and values people and attackers write: known fields, near misses, and noise.
FIELDS = [
    "id", "title", "type", "owner", "version", "status", "approved_by", "approved_on", "review", "addresses",
    "services", "date", "related", "supersedes", "interval_months", "last_reviewed", "inputs", "outputs",
    "attendees", "targets", "results", "entries", "documents", "closed", "opened", "priority", "x", "",
]
TYPES = ["policy", "procedure", "plan", "record", "report", "agreement", "catalogue", "register", "memo", ""]
NASTY_TEXT = st.sampled_from([
    "\x1b[31mFAIL\x1b[0m", "\x1b]8;;https://evil.example\x07link\x1b]8;;\x07", "a|b\nc", "`tick` ``two``",
    "<img src=x onerror=alert(1)>", "\ufffe\uffff", "\x00\x01\x7f", "\u202etxt.exe", "https://evil.example/x",
    "iso20000-1:2018/8.2", "iso9001:2015/7.5", "iso20000-1:2018/99.99", "9" * 5000, "*a" * 40 + "b", " " * 4000,
    "#" * 200, "1:2:3:4:5:6:7", "\ud800", "]]>", "&amp;", "{{ 7*7 }}",
])
TEXT = st.one_of(st.text(max_size=40), NASTY_TEXT)
DATES = st.one_of(st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)), st.sampled_from(
    [dt.date(1, 1, 1), dt.date(9999, 12, 31), dt.date(2026, 2, 28)]))
SCALARS = st.one_of(TEXT, DATES, st.integers(min_value=-(10**30), max_value=10**30), st.booleans(), st.none(),
                    st.floats(allow_nan=True, allow_infinity=True))
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                       st.dictionaries(st.sampled_from(FIELDS), inner, max_size=4)),
                      max_leaves=12)


@st.composite
def metadata(draw: Any) -> dict[str, Any]:
    meta: dict[str, Any] = {"id": draw(st.one_of(st.just("DOC-1"), TEXT)), "type": draw(st.one_of(st.sampled_from(TYPES), TEXT))}
    meta.update(draw(st.dictionaries(st.sampled_from(FIELDS), VALUES, max_size=8)))
    return meta


def _yaml_text(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


RAW_YAML = st.one_of(
    st.sampled_from([
        "!!timestamp hello", "!!int abc", "!!float abc", "!!bool maybe", "!!binary '%%%'", "a: &a [*a]",
        "id: X\ntype: record\nn: " + "1:" * 2000 + "1", "id: X\ntype: record\nn: " + "9" * 5000,
        "id: X\ntype: record\nl: " + "[" * 200 + "]" * 200, "key: !!python/object:os.system ls", "? [a]\n: b",
        "id: X\nid: Y", "- a\n- b", "%YAML 9.9\n---\na: 1", "id: X\ntype: record\ndate: 0000-01-01",
        "id: X\ntype: record\ndate: 9999-12-31",
    ]),
    st.text(alphabet=st.sampled_from(list(":-[]{},&*!|>'\"#%@` \n\tabc019\x00\x1b\u2028\ufeff")), max_size=80),
)
JSON_TEXT = st.one_of(
    st.sampled_from([
        '{"id": "X", "type": "record", "t": "\\ud800"}', '{"id": "X", "type": "record", "n": ' + "9" * 5000 + "}",
        '{"id": "X", "type": "record", "a": NaN}', '{"id": "X", "type": "record", "d": ' + "[" * 3000 + "]" * 3000 + "}",
        '{"id": "X", "id": "Y"}', '{"type": "record", "date": "9999-12-31", "id": "Z"}',
    ]),
    metadata().map(lambda m: json.dumps(m, default=str)),
)


@st.composite
def document(draw: Any) -> dict[str, str]:
    name = draw(st.sampled_from(["a.md", "records/r.yaml", "b.json", "c.yml", "policies/p.md", "weird |`<x>.md"]))
    if name.endswith(".md"):
        front = draw(st.one_of(metadata().map(_yaml_text), RAW_YAML))
        body = draw(st.one_of(TEXT, st.just("# Service continuity\n\nWe test the plan yearly.\n")))
        return {name: f"---\n{front}\n---\n{body}\n"}
    if name.endswith(".json"):
        return {name: draw(JSON_TEXT)}
    return {name: draw(st.one_of(metadata().map(_yaml_text), RAW_YAML))}


CONFIG_KEYS = ["standard", "base", "as_of", "include", "exclude", "rules", "fail_on", "limits", "waivers",
               "not_applicable", "overrides", "vocabulary", "unknown"]
CONFIG_VALUES = st.one_of(
    VALUES,
    st.sampled_from([
        "iso20000-1:2018", "iso20000-1:2011", ["../../etc"], ["/etc"], {"max_bytes": 10**12, "max_depth": 10**6},
        {"max_nodes": 1}, [{"rule": "DOC-REVIEW", "reason": "r", "approved_by": "a", "expires": "9999-12-31"}],
        {"SMS-8.6.1": {"within_months": 10**9}}, {"SMS-9.3": {"severity": "observation"}}, ["**/*a*a*a*a*a*b"],
        [{"clause": "8.2", "justification": "\x1b[2J"}], {"incident": {"date": ["opened\u202e"]}},
    ]),
)


@st.composite
def config_text(draw: Any) -> str:
    data = draw(st.dictionaries(st.sampled_from(CONFIG_KEYS), CONFIG_VALUES, max_size=5))
    return draw(st.one_of(st.just(_yaml_text(data)), RAW_YAML))


def _strict_json(text: str) -> Any:
    def refuse(name: str) -> None:
        raise ValueError(f"not strict JSON: {name}")

    return json.loads(text, parse_constant=refuse)


def _run_everything(files: dict[str, str]) -> None:
    with tempfile.TemporaryDirectory(prefix="imscheck-fuzz-") as tmp:
        repo = Path(tmp) / "repo"
        out = Path(tmp) / "out"
        out.mkdir()
        for rel, content in files.items():
            path = repo / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content.encode("utf-8", "surrogatepass"))
        check = run_cli("check", repo, "--format", "json", "--as-of", "2026-11-29",
                        "--report", f"junit:{out / 'junit.xml'}", "--report", f"sarif:{out / 'r.sarif'}",
                        "--report", f"markdown:{out / 'r.md'}", "--report", f"text:{out / 'r.txt'}")
        assert check.exit_code in (0, 1, 2), check
        if check.exit_code == 2:
            _assert_one_line(check.stderr)
            assert not list(out.iterdir()), "a failed run leaves no report behind"
            return
        _strict_json(check.stdout)
        ET.parse(out / "junit.xml")
        _strict_json((out / "r.sarif").read_text(encoding="utf-8"))
        audit = run_cli("audit", repo, "--as-of", "2026-11-29", "--output", out / "audit.html")
        assert audit.exit_code in (0, 1), audit
        assert (out / "audit.html").stat().st_size > 0


def _assert_one_line(stderr: str) -> None:
    lines: list[str] = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr


@BUDGET
@given(st.lists(document(), min_size=1, max_size=4))
def test_any_documents_give_findings_never_a_crash(docs: list[dict[str, str]]) -> None:
    files: dict[str, str] = {}
    for doc in docs:
        files.update(doc)
    _run_everything(files)


@BUDGET
@given(config_text(), document())
def test_any_configuration_gives_exit_two_or_a_run(config: str, doc: dict[str, str]) -> None:
    _run_everything({"imscheck.yaml": config, **doc})
