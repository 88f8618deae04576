"""The code blocks of README.md's "Gating changes in CI and pre-commit" section, as users copy them."""

from __future__ import annotations

import re

from conftest import REPO_ROOT

SECTION = "## Gating changes in CI and pre-commit"
_BLOCK = re.compile(r"^```(\w*)\n(.*?)^```", re.M | re.S)


def blocks() -> list[tuple[str, str]]:
    """(language, code) of every fenced block in the section."""
    text = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index(SECTION)
    end = text.find("\n## ", start + len(SECTION))
    return [(match.group(1), match.group(2)) for match in _BLOCK.finditer(text[start:end if end != -1 else None])]


def snippet(marker: str, lang: str = "yaml") -> str:
    """The one ``lang`` block of the section that contains ``marker``."""
    [found] = [code for language, code in blocks() if language == lang and marker in code]
    return found
