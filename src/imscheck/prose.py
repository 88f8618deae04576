"""What a document says, as blocks of words an auditor reads: headings with their text, fields with their values.

Markdown headings come from a CommonMark parser (markdown-it-py), so setext and indented
headings, headings after any fence and long lines are read as a renderer reads them. A YAML or
JSON document gives one block per top-level field: its name's words and everything inside it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from imscheck.words import Passage, split_words, stem_set

_ITEM_WITH_FIGURE = re.compile(r"^\s{0,3}(?:[-*+]|\d+[.)]|\|)\s.*\d|^\s{0,3}\|.*\d")


@dataclass(frozen=True)
class Heading:
    """A Markdown heading: a section of the document."""

    title: str
    level: int
    line: int


class Block:
    """One heading (or field) and the text under it; its words are stemmed when first read."""

    __slots__ = ("title", "line", "has_body", "listed_figures", "_texts", "_title_words", "_text")

    def __init__(self, title: str, line: int, texts: Sequence[str], has_body: bool, listed_figures: bool = False) -> None:
        self.title = title  # the heading or field name; "" for a document's opening text
        self.line = line
        self.has_body = has_body
        self.listed_figures = listed_figures  # a list item or table row under it holds a figure ("99.9 %")
        self._texts = texts
        self._title_words: frozenset[str] | None = None
        self._text: Passage | None = None

    @property
    def title_words(self) -> frozenset[str]:
        if self._title_words is None:
            self._title_words = stem_set(split_words(self.title))
        return self._title_words

    @property
    def text(self) -> Passage:
        """The title and the text under it (most blocks are never read: a topic is found earlier)."""
        if self._text is None:
            self._text = Passage(w for text in self._texts for w in split_words(text))
            self._texts = ()
        return self._text


@lru_cache(maxsize=1)
def _parser():  # type: ignore[no-untyped-def]
    from markdown_it import MarkdownIt

    # CommonMark block structure only: headings are all we read from it, so inline parsing (a
    # third of the time) is switched off; a heading's raw text is its title.
    return MarkdownIt("commonmark", {"html": False}).disable("inline")


def headings(body: str, first_line: int) -> tuple[Heading, ...]:
    """Headings of a Markdown body whose first line is line ``first_line`` of the file."""
    tokens = _parser().parse(body)
    found: list[Heading] = []
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.map is not None:
            inline = tokens[index + 1]
            title = " ".join(inline.content.split())
            if title:
                found.append(Heading(title, int(token.tag[1:]), first_line + token.map[0]))
    return tuple(found)


def markdown_blocks(title: str, body: str, first_line: int, found: Sequence[Heading]) -> tuple[Block, ...]:
    """The document title and opening text, then one block per heading up to the next heading."""
    lines = body.splitlines()
    starts = [h.line - first_line for h in found]
    blocks: list[Block] = []
    opening = lines[: starts[0]] if starts else lines
    blocks.append(Block("", first_line, [title] + opening, bool("".join(opening).strip())))
    for position, heading in enumerate(found):
        start = starts[position]
        end = starts[position + 1] if position + 1 < len(starts) else len(lines)
        text = lines[start + 1 : end]
        has_body = bool("".join(text).strip())
        figures = any(_ITEM_WITH_FIGURE.match(line) for line in text)
        blocks.append(Block(heading.title, heading.line, [heading.title] + text, has_body, figures))
    return tuple(blocks)


def data_blocks(meta: Any, line_of: Any) -> tuple[Block, ...]:
    """One block per top-level field of a data document: the field name and all it holds."""
    blocks: list[Block] = []
    if not isinstance(meta, dict):
        return ()
    for key, value in meta.items():
        name = str(key)
        text = [name] + flatten(value)
        blocks.append(Block(name, line_of(key), text, value not in (None, "", [], {})))
    return tuple(blocks)


def flatten(value: Any) -> list[str]:
    """Every key and scalar inside ``value``, as text (iteratively: documents may be deep)."""
    out: list[str] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, inner in item.items():
                out.append(str(key))
                stack.append(inner)
        elif isinstance(item, list):
            stack.extend(reversed(item))
        elif item is not None and not isinstance(item, bool):
            out.append(str(item))
    return out
