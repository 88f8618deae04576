"""The integration guide as one self-contained HTML page (inline CSS, no scripts, no network).

Jinja2 with autoescape: every title and text comes from rule data a user may extend, so all of
it is escaped. Imported only for ``imscheck guide --format html``.
"""

from __future__ import annotations

from pathlib import Path

from imscheck.guidance.guide import ADVICE, CAVEAT, CAVEAT_TITLE, Guide, share
from imscheck.standards import edition_name
from imscheck.terms import RELATION_LETTER as LETTER
from imscheck.terms import RELATIONS

_TEMPLATES = Path(__file__).resolve().parent / "templates"


def render_html(guide: Guide) -> str:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    env = Environment(loader=FileSystemLoader(str(_TEMPLATES)), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True)
    template = env.get_template("guide.html.j2")
    return template.render(
        guide=guide,
        target=edition_name(guide.target),
        base=edition_name(guide.base),
        relations=RELATIONS,
        letter=LETTER,
        advice=ADVICE,
        share=share,
        caveat_title=CAVEAT_TITLE,
        caveat=CAVEAT,
        listed=guide.listed,
    )
