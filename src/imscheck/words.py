"""Words as an auditor reads them: case, numbering, word order, plurals and spelling ignored.

Field names (``personRole``, ``person_roles``) and prose are cut into words and each word is
reduced to its stem, so that "retained", "retention" and "Retention and disposal" meet on
shared stems. Snowball's English stemmer (PyStemmer) does the reducing: hand-written suffix
lists get "-ies", "-ation" and "-ing" wrong in ways users notice.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from functools import cache, lru_cache

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])|(?<=[A-Za-z])(?=[0-9])|(?<=[0-9])(?=[A-Za-z])")
# American spellings meet British ones before stemming ("prioritization" and "prioritisation").
_IZE = re.compile(r"([iy])z(e|ed|es|er|ers|ing|ation|ations)$")
# Words that carry no meaning for matching a topic or a field name.
STOP_WORDS: frozenset[str] = frozenset(
    "a an and are as at be by for from how in is it its of on or the their this to with within what when who which"
    " where whom why all any each every our we you your".split()
)
# A topic stem this long also matches longer stems that start with it ("classif" / "classifi").
_PREFIX_MIN = 5


@cache
def _stemmer():  # type: ignore[no-untyped-def]
    import Stemmer  # PyStemmer: libstemmer in C, a microsecond a word where pure Python takes a hundred

    return Stemmer.Stemmer("english")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The stem of one lower-case word."""
    return str(_stemmer().stemWord(_IZE.sub(r"\1s\2", word)))


def split_words(text: str) -> list[str]:
    """Lower-case words of ``text``; snake_case, kebab-case and camelCase are split."""
    out: list[str] = []
    for chunk in _WORD.findall(text):
        if chunk.islower() or chunk[1:].islower():  # most words: no camelCase or digits to split
            out.append(chunk.lower())
        else:
            out.extend(part.lower() for part in _CAMEL.split(chunk) if part)
    return out


def stems(text: str, abbreviations: Mapping[str, str] = {}) -> tuple[str, ...]:
    """Stems of the meaning-bearing words of ``text``, in order (abbreviations expanded first)."""
    out: list[str] = []
    for word in split_words(text):
        for full in abbreviations.get(word, word).split():
            if full not in STOP_WORDS and not full.isdigit():
                out.append(stem(full))
    return tuple(out)


def stem_set(words: Iterable[str]) -> frozenset[str]:
    return frozenset(stem(w) for w in words if w not in STOP_WORDS and not w.isdigit())


class Passage:
    """A run of text as stems with their positions, to find phrases in any word order.

    The words of a phrase must stand close together (within a few words of each other), so that
    "changes to the services" is found in an agenda item about them, and not in one that
    mentions a service in one sentence and a change in the next.
    """

    __slots__ = ("positions", "_keys")

    def __init__(self, words: Iterable[str]) -> None:
        positions: dict[str, list[int]] = {}
        index = 0
        for word in words:
            if word in STOP_WORDS or word.isdigit():
                continue
            positions.setdefault(stem(word), []).append(index)
            index += 1
        self.positions = positions
        self._keys: list[str] | None = None

    def _where(self, wanted: str) -> list[int]:
        """Positions of ``wanted``, or (for a long stem) of every stem that begins with it."""
        if len(wanted) < _PREFIX_MIN:
            return self.positions.get(wanted, [])
        if self._keys is None:
            self._keys = sorted(self.positions)
        keys = self._keys
        start = bisect_left(keys, wanted)
        found: list[int] = []
        while start < len(keys) and keys[start].startswith(wanted):  # the stems sharing the prefix, in order
            found.extend(self.positions[keys[start]])
            start += 1
        return sorted(found)

    def says(self, phrase: Sequence[str]) -> bool:
        """True if every stem of ``phrase`` stands within a window of a few words, in any order."""
        return bool(self.where(phrase, first=True))

    def where(self, phrase: Sequence[str], first: bool = False) -> list[int]:
        """Positions (of the phrase's first word) where ``phrase`` is said; with ``first``, at most one."""
        lists = [self._where(w) for w in phrase]
        if not all(lists):
            return []
        if len(lists) == 1:
            return lists[0][:1] if first else lists[0]
        reach = len(phrase) + 2
        found: list[int] = []
        for start in lists[0]:
            if all(_near(others, start, reach) for others in lists[1:]):
                found.append(start)
                if first:
                    break
        return found


def _near(sorted_positions: list[int], at: int, reach: int) -> bool:
    i = bisect_left(sorted_positions, at - reach)
    return i < len(sorted_positions) and sorted_positions[i] <= at + reach
