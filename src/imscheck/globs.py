"""Path globs with ``**``, the way users write them in imscheck.yaml and rules.

``*`` and ``?`` (and ``[...]``) stay in one path segment, ``**/`` spans any number of folders,
``**`` elsewhere spans anything, a trailing ``/`` means everything below, and a pattern without
a slash matches a file name in any folder, as in .gitignore.

Patterns come from the checked repository, so they are matched by simulating the pattern as a
small automaton over a set of states: time is linear in ``len(path) * len(pattern)`` whatever
the pattern (a regular expression translation backtracks exponentially on ``*a*a*a...*b``).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from imscheck.excerpt import excerpt

# Token kinds. A pattern becomes a tuple of (kind, argument) tokens.
_LITERAL = 0  # one given character
_ONE = 1  # ``?``: one character of a segment
_CLASS = 2  # ``[...]``: one character of a segment in (or, negated, not in) a set
_STAR = 3  # ``*``: any run of characters within a segment
_ANY = 4  # ``**`` not followed by ``/``: any run of characters, folders included
_FOLDERS = 5  # ``**/``: nothing, or any run of characters ending with ``/``

Token = tuple[int, object]
_MAX_LENGTH = 1000  # characters in one glob: its matching time grows with its length
_MAX_STEPS = 20_000  # remembered automaton steps per glob

_CharClass = tuple[bool, frozenset[str], tuple[tuple[str, str], ...]]  # (negated, characters, ranges)


class GlobError(ValueError):
    """A pattern that is not a usable glob."""


@lru_cache(maxsize=1024)
def compile_glob(pattern: str) -> tuple[Token, ...]:
    """The tokens of a POSIX path glob; raises GlobError for a bad ``[...]`` class or a huge glob."""
    if len(pattern) > _MAX_LENGTH:
        raise GlobError(f"longer than {_MAX_LENGTH} characters")
    pattern = pattern.strip().lstrip("/")
    if pattern.endswith("/"):
        pattern += "**"
    # A pattern without a slash matches a file name in any folder.
    tokens: list[Token] = [] if "/" in pattern else [(_FOLDERS, None)]
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if pattern.startswith("**/", i):
            tokens.append((_FOLDERS, None))
            i += 3
        elif pattern.startswith("**", i):
            tokens.append((_ANY, None))
            i += 2
        elif c == "*":
            if not tokens or tokens[-1][0] != _STAR:  # ``***`` in one segment is one ``*``
                tokens.append((_STAR, None))
            i += 1
        elif c == "?":
            tokens.append((_ONE, None))
            i += 1
        elif c == "[" and pattern.find("]", i + 1) != -1:
            end = pattern.find("]", i + 1)
            tokens.append((_CLASS, _char_class(pattern[i + 1 : end])))
            i = end + 1
        else:
            tokens.append((_LITERAL, c))
            i += 1
    return tuple(tokens)


def _char_class(body: str) -> _CharClass:
    negated = body[:1] in ("!", "^")
    if negated:
        body = body[1:]
    if not body:
        raise GlobError("empty [] class")
    chars: set[str] = set()
    ranges: list[tuple[str, str]] = []
    i = 0
    while i < len(body):
        if i + 2 < len(body) and body[i + 1] == "-":
            low, high = body[i], body[i + 2]
            if low > high:
                raise GlobError(f"range {low}-{high} is reversed")
            ranges.append((low, high))
            i += 3
        else:
            chars.add(body[i])
            i += 1
    return negated, frozenset(chars), tuple(ranges)


def _in_class(c: str, spec: _CharClass) -> bool:
    negated, chars, ranges = spec
    found = c in chars or any(low <= c <= high for low, high in ranges)
    return found != negated


def glob_problem(pattern: str) -> str | None:
    """Why ``pattern`` is not a usable glob (a bad [range], say), or None."""
    try:
        compile_glob(pattern)
    except GlobError as exc:
        return f"{excerpt(pattern)} is not a valid glob ({exc})"
    return None


def _closure(tokens: tuple[Token, ...], states: Iterable[int]) -> set[int]:
    """``states`` plus every state reachable without reading a character.

    State ``i`` means "before token i"; state ``-1 - i`` means "inside the ``**/`` of token i,
    after at least one character that did not end it".
    """
    out: set[int] = set()
    todo = list(states)
    while todo:
        state = todo.pop()
        if state in out:
            continue
        out.add(state)
        if 0 <= state < len(tokens) and tokens[state][0] in (_STAR, _ANY, _FOLDERS):
            todo.append(state + 1)  # each of these may match nothing
    return out


class _Matcher:
    """A compiled glob: its tokens and the state-set steps already taken (a lazily built DFA)."""

    __slots__ = ("tokens", "start", "steps")

    def __init__(self, tokens: tuple[Token, ...]) -> None:
        self.tokens = tokens
        self.start = frozenset(_closure(tokens, (0,)))
        self.steps: dict[tuple[frozenset[int], str], frozenset[int]] = {}

    def step(self, states: frozenset[int], c: str) -> frozenset[int]:
        known = self.steps.get((states, c))
        if known is None:
            if len(self.steps) > _MAX_STEPS:  # a bound on memory, not on time: steps are recomputed
                self.steps.clear()
            known = self.steps[(states, c)] = frozenset(_closure(self.tokens, self._read(states, c)))
        return known

    def _read(self, states: frozenset[int], c: str) -> set[int]:
        tokens, end = self.tokens, len(self.tokens)
        step: set[int] = set()
        for state in states:
            if state < 0:  # inside a ``**/``: anything, and a slash may end it
                step.add(state)
                if c == "/":
                    step.add(-state)  # state -1-i ends at i+1
                continue
            if state == end:
                continue
            kind, arg = tokens[state]
            if kind == _LITERAL:
                if c == arg:
                    step.add(state + 1)
            elif kind == _ONE:
                if c != "/":
                    step.add(state + 1)
            elif kind == _CLASS:
                if c != "/" and _in_class(c, arg):  # type: ignore[arg-type]
                    step.add(state + 1)
            elif kind == _STAR:
                if c != "/":
                    step.add(state)
            elif kind == _ANY:
                step.add(state)
            else:  # _FOLDERS, reading its first character
                step.add(-1 - state)
                if c == "/":
                    step.add(state + 1)
        return step

    def matches(self, path: str) -> bool:
        states = self.start
        for c in path:
            states = self.step(states, c)
            if not states:
                return False
        return len(self.tokens) in states


@lru_cache(maxsize=1024)
def _matcher(pattern: str) -> _Matcher:
    return _Matcher(compile_glob(pattern))


def glob_matches(path: str, pattern: str) -> bool:
    """True if the repository-relative POSIX ``path`` matches ``pattern`` as a whole."""
    return _matcher(pattern).matches(path)


def matches_any(path: str, patterns: Iterable[str]) -> bool:
    """True if the repository-relative POSIX ``path`` matches one of ``patterns``."""
    return any(glob_matches(path, p) for p in patterns)
