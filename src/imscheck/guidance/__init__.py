"""What is checked and why, for people: the integration guide (``imscheck guide``), the rule
documentation (``imscheck rules list|show``) and clause explanations (``imscheck explain``).

Each is a model built from the shipped catalogues and packs, and renderers of it; none of them
reads an organisation's repository.
"""

from __future__ import annotations

from imscheck.guidance.guide import Guide


def render_guide(guide: Guide, fmt: str = "markdown") -> str:
    """The guide in ``markdown`` or ``html`` (the HTML renderer imports Jinja2 only when asked)."""
    if fmt == "html":
        from imscheck.guidance.guide_html import render_html

        return render_html(guide)
    from imscheck.guidance.guide_markdown import render_markdown

    return render_markdown(guide)
