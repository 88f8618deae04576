"""Escaping repository-derived text for the place it lands: a terminal line, Markdown, HTML.

Everything a checked repository writes (file names, titles, ids, messages quoting its values) is
untrusted. Each human-facing format gets one function here, so every reporter escapes the same
way:

- :func:`visible` for a line of text on a terminal or in a CI log: control characters, bidi
  overrides and lone surrogates are shown as escapes (``\\x1b``, ``\\n``), so a value cannot forge
  a finding line, colour the log or plant an OSC 8 hyperlink;
- :func:`md_text` and :func:`md_code` for Markdown (a merge-request comment): inert text on one
  line, safe in a table cell, no raw HTML, no link, no auto-linked URL, no @mention;
- :func:`html_text` for HTML, before autoescaping: no character an HTML parser rejects;
- :func:`scrub_surrogates` for any output about to be encoded as UTF-8.
"""

from __future__ import annotations

import re

# C0 controls, DEL and C1 controls; bidi embeddings, overrides and isolates (U+202A-202E,
# U+2066-2069) and marks (U+200E/200F, U+061C) that reorder what a reader sees; the Unicode line
# and paragraph separators some editors and viewers break lines at; lone surrogates (a str can
# hold them, UTF-8 cannot).
_INVISIBLE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_INVISIBLE_BUT_NEWLINE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_SURROGATE = re.compile("[\ud800-\udfff]")
# Characters an HTML parser reports as errors: C0 controls but tab, newline and carriage return;
# DEL and C1 controls; noncharacters (U+FDD0-FDEF and the last two code points of every plane).
_NOT_HTML = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff\ud800-\udfff"
    + "".join(f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(1, 17))
    + "]"
)
# Backslash escapes are valid for every ASCII punctuation character in CommonMark; these are the
# ones that can start markup (emphasis, links, images, HTML, tables, headings, code, maths).
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|#~!$])")
# GFM auto-links bare URLs (scheme://, www.) and e-mail addresses, and GitHub/GitLab turn @name
# into a mention: a zero-width space breaks each without changing what a reader sees.
_AUTOLINK = re.compile(r"(://|(?<![\w.])www\.|@)", re.IGNORECASE)
_ZWSP = "\u200b"


def _escape_char(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(value: object) -> str:
    """``value`` as one terminal line: every control or reordering character shown as an escape."""
    return _INVISIBLE.sub(_escape_char, str(value))


def visible_block(text: str) -> str:
    """Like :func:`visible`, keeping line breaks: for multi-line help built from rule data."""
    return _INVISIBLE_BUT_NEWLINE.sub(_escape_char, text)


def scrub_surrogates(text: str) -> str:
    """Lone surrogates (from a JSON ``"\\ud800"``) replaced by U+FFFD, so UTF-8 can encode the text."""
    return text if text.isascii() else _SURROGATE.sub("\ufffd", text)


def html_text(value: str) -> str:
    """``value`` with every character HTML forbids replaced by U+FFFD (escape ``<&`` afterwards)."""
    return _NOT_HTML.sub("\ufffd", value)


def _md_plain(value: object) -> str:
    """One line, visible controls: whitespace runs (newlines too) become a space."""
    return visible(" ".join(str(value).split()))


def _break_autolinks(text: str) -> str:
    # "://" -> ":\u200b//", "www." -> "www\u200b.", "@" -> "@\u200b"
    cut = {"://": 1, "@": 1}
    return _AUTOLINK.sub(lambda m: m.group()[:cut.get(m.group(), 3)] + _ZWSP + m.group()[cut.get(m.group(), 3):], text)


def md_text(value: object, line_start: bool = False) -> str:
    """``value`` as inert Markdown text on one line: safe as a paragraph, a list item's text or a
    table cell.

    Markup characters are backslash-escaped (``<img>`` cannot become HTML, ``[x](y)`` a link,
    ``|`` a new cell), ``&`` is written as an entity so ``&lt;`` stays literal, bare URLs and
    mentions are broken with a zero-width space. With ``line_start`` (text that begins a line of
    its own) a leading ``-``, ``+``, ``=`` or ``1.`` is escaped too, so it cannot start a list.
    """
    if value is None:
        return ""
    text = _break_autolinks(_MD_SPECIAL.sub(r"\\\1", _md_plain(value).replace("&", "&amp;")))
    return _BLOCK_START.sub(_inert_block_start, text) if line_start else text


# Block syntax counts only where a line starts (md_text's line_start) (a list item "- " or "1. ", a setext underline "=");
# "#" and ">" are escaped everywhere already.
_BLOCK_START = re.compile(r"^([+=-]|\d+(?=[.)]))")


def _inert_block_start(match: re.Match[str]) -> str:
    start = match.group(1)
    return start + "\\" if start[0].isdigit() else "\\" + start


def md_code(value: object, in_table: bool = True) -> str:
    """``value`` as a Markdown code span, whatever backticks it holds.

    Control characters are shown as escapes (a code span shows a backslash as it is), so a
    newline cannot end a table row. The fence is one backtick longer than the longest run inside
    (CommonMark), padded with a space where the content starts or ends with a backtick, or starts
    and ends with a space (which CommonMark would strip). In a table a pipe must still be
    escaped: GFM splits cells before it parses code spans.
    """
    text = visible(value)
    longest = max((len(run) for run in re.findall("`+", text)), default=0)
    fence = "`" * (longest + 1)
    padded = text[:1] == "`" or text[-1:] == "`" or (text[:1] == " " and text[-1:] == " " and text.strip(" "))
    pad = " " if padded else ""
    if in_table:
        text = text.replace("|", "\\|")
    return f"{fence}{pad}{text}{pad}{fence}"
