"""Present the audit view model with the Jinja2 templates shipped in ``audit/templates``.

HTML is autoescaped, and ``finalize`` first replaces the characters an HTML parser rejects (C0
controls, noncharacters such as U+FFFF, lone surrogates); Markdown gets the same protection
through ``finalize``, which escapes every value a template prints. Nothing from the repository can
inject markup either way.
"""

from __future__ import annotations

from typing import Any

import jinja2
from markupsafe import Markup

from imscheck.audit.model import AuditReport, RelationRow
from imscheck.audit.status import LONG_LABEL, RELATION_LABEL
from imscheck.escaping import html_text, md_text, scrub_surrogates
from imscheck.terms import MARK

FORMATS: tuple[str, ...] = ("html", "markdown")
_TEMPLATE = {"html": "report.html.j2", "markdown": "report.md.j2"}
# Markdown has no colour: a symbol beside each status label keeps the grid scannable.
_MD_MARK = {**MARK, "unchecked": "⬜"}
_BAR_CHARS = 20


def md_escape(value: Any) -> str:
    """A value as inert Markdown text on one line (safe in a table cell).

    ``Markup`` (a macro's output marked ``|safe``) was escaped piece by piece already.
    """
    if isinstance(value, Markup):
        return str(value)
    return md_text(value)


def html_clean(value: Any) -> Any:
    """A value with the characters HTML forbids replaced by U+FFFD; autoescaping follows.

    ``Markup`` (a macro's output) is cleaned too: cleaning never adds markup.
    """
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, Markup):
        return Markup(html_text(str(value)))
    return html_text(str(value))


def _environment(fmt: str) -> jinja2.Environment:
    options: dict[str, Any] = dict(
        loader=jinja2.PackageLoader("imscheck.audit", "templates"),
        undefined=jinja2.StrictUndefined,  # a typo in a template fails the tests, not silently blank
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    if fmt == "html":
        env = jinja2.Environment(autoescape=True, finalize=html_clean, **options)
    else:
        env = jinja2.Environment(autoescape=False, finalize=md_escape, **options)
    env.globals.update(status_label=LONG_LABEL, relation_label=RELATION_LABEL, mark=_MD_MARK, bar=_text_bar)
    return env


def _text_bar(met: int, total: int, rows: tuple[RelationRow, ...]) -> str:
    """Met and not met as block characters, scaled like the HTML chart (longest row = full width)."""
    longest = max((row.total for row in rows), default=0) or 1
    filled, length = round(_BAR_CHARS * met / longest), round(_BAR_CHARS * total / longest)
    return "█" * filled + "░" * (length - filled)


def render_audit(report: AuditReport, fmt: str = "html") -> str:
    """The report as one HTML page (inline CSS and SVG, no scripts) or as Markdown."""
    text = _environment(fmt).get_template(_TEMPLATE[fmt]).render(report=report)
    return scrub_surrogates(text)  # belt and braces: the page is encoded as UTF-8 next
