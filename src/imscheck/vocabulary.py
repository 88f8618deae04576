"""The field vocabulary and the auditor's topics (``rules/vocabulary.yaml``), and how documents meet them.

Rules name *concepts* ("the people trained", "the service level targets"), never one field
spelling. A concept lists the names organisations use for it; a field matches a name when the
field's words include the name's words (``audit_scope`` is a scope, ``cab_approval`` an
approval), after case, snake/camel case, plurals and common abbreviations are set aside. An
organisation maps any other name onto a concept in ``imscheck.yaml`` (``vocabulary:``).

Topics are what an auditor reads prose for ("how documents are retained and disposed of"): a
topic is found when all the meaning-bearing words of one of its phrases stand in one block of
the document (a heading with its text, or a field with its value).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache, partial
from pathlib import Path
from typing import Any

from imscheck.documents import Document
from imscheck.prose import Block, flatten
from imscheck.resources import rules_dir
from imscheck.schemas import load_setup_file
from imscheck.words import Passage, split_words, stems

VOCABULARY_FILE = "vocabulary.yaml"
_EMPTY: tuple[Any, ...] = (None, "", [], {})


@dataclass(frozen=True)
class Concept:
    """One thing an auditor decides on in a kind of record, and the field names used for it."""

    kind: str
    name: str
    title: str
    names: tuple[str, ...]
    abbreviations: tuple[tuple[str, str], ...] = ()
    quantified: bool = False  # a value without a figure does not hold it (targets, results, costs)

    @property
    def ref(self) -> str:
        return f"{self.kind}.{self.name}"

    @cached_property
    def keys(self) -> tuple[frozenset[str], ...]:
        """The stems of each name (computed when first matched: a run uses a few concepts)."""
        expand = dict(self.abbreviations)
        return tuple(frozenset(stems(n, expand)) for n in self.names)


@dataclass(frozen=True)
class Kind:
    name: str
    title: str
    concepts: Mapping[str, Concept]


@dataclass(frozen=True)
class Topic:
    """What an auditor reads a document for, and the phrases that say it."""

    name: str
    title: str
    phrases: tuple[str, ...]
    abbreviations: tuple[tuple[str, str], ...] = ()

    @cached_property
    def keys(self) -> tuple[tuple[str, ...], ...]:
        """The stems of each phrase, as written and with abbreviations spelt out or shortened."""
        expand = dict(self.abbreviations)
        return tuple(dict.fromkeys(key for p in self.phrases for key in _phrase_keys(p, expand)))

    def found_in(self, text: Passage) -> bool:
        return any(text.says(key) for key in self.keys)

    def positions(self, text: Passage) -> list[int]:
        """Where in ``text`` the topic is said (every phrase, every place)."""
        return sorted(p for key in self.keys for p in text.where(key))


@dataclass(frozen=True)
class Found:
    """Where a document holds a concept: a field (with its value) or a Markdown section."""

    label: str  # the field or heading as the document spells it
    where: int | Callable[[], int]  # the line, or how to find it (only a finding needs it)
    value: Any = None  # the field's value (None for a Markdown section)
    section: Passage | None = None  # the Markdown section's text, when the concept is a section

    @property
    def line(self) -> int:
        return self.where if isinstance(self.where, int) else self.where()

    def mentions(self, topic: Topic) -> bool:
        """True if one entry says the topic (review inputs: one agenda item, not words spread over all)."""
        parts = (self.section,) if self.section is not None else _parts(self.value)
        return any(topic.found_in(part) for part in parts)


@dataclass(frozen=True)
class Vocabulary:
    kinds: Mapping[str, Kind]
    topics: Mapping[str, Topic]
    abbreviations: tuple[tuple[str, str], ...]  # short form -> full words ("prio" -> "priority")
    # how often, in words: (months, the phrases that say it) -- "monthly", "twice a year"
    intervals: tuple[tuple[int, Topic], ...] = ()

    def concept(self, ref: str) -> Concept | None:
        """``kind.concept`` -> the concept, or None."""
        kind, _, name = ref.partition(".")
        found = self.kinds.get(kind)
        return found.concepts.get(name) if found else None

    def own_field(self, name: str) -> Concept:
        """A field an organisation's own rule names without a kind: matched on its words like a concept."""
        return Concept("", name, name, (name,), self.abbreviations)

    def with_names(self, extra: Mapping[str, Mapping[str, Sequence[str]]]) -> Vocabulary:
        """This vocabulary plus an organisation's own names (``imscheck.yaml``), checked first."""
        if not extra:
            return self
        kinds = dict(self.kinds)
        for kind_name, concepts in extra.items():
            kind = kinds[kind_name]
            merged = dict(kind.concepts)
            for concept_name, names in concepts.items():
                old = merged[concept_name]
                added = tuple(n for n in names if n not in old.names)
                merged[concept_name] = replace(old, names=added + old.names)
            kinds[kind_name] = replace(kind, concepts=merged)
        return replace(self, kinds=kinds)

    @cached_property
    def _hits(self) -> dict[tuple[str, tuple[frozenset[str], ...]], bool]:
        """Whether a field label names a concept (by the concept's stems): asked once per label and
        concept, not once per document."""
        return {}

    def field_key(self, name: str) -> frozenset[str]:
        return _field_key(name, self.abbreviations)

    def find(self, doc: Document, concept: Concept) -> Found | None:
        """Where ``doc`` holds ``concept`` with a value that is not empty, or None."""
        hits = self._hits
        keys = concept.keys
        # a controlled document's own control fields count only where the rule names that very field
        control = _CONTROL_FIELDS if doc.controlled else ()
        for label, value, path in _fields(doc):
            if value in _EMPTY or not isinstance(label, str) or (len(path) == 1 and label in control and label != concept.name):
                continue
            hit = hits.get((label, keys))
            if hit is None:
                key = self.field_key(label)
                hit = hits[(label, keys)] = any(name and name <= key for name in keys)
            if hit:
                if concept.quantified and not any(ch.isdigit() for text in flatten(value) for ch in text):
                    continue
                return Found(label, partial(doc.line_of, *path), value)
        if doc.format == "markdown":
            # a section of a Markdown record or agreement: "## Attendees", "## Service level targets";
            # not the heading that names the document ("# Service catalogue" holds no services)
            for block in doc.blocks[1:]:
                held = block.listed_figures if concept.quantified else block.has_body
                if (held and any(name and name <= block.title_words for name in concept.keys)
                        and _heading_key(block.title) != _heading_key(doc.meta.get("title"))):
                    return Found(block.title, block.line, section=block.text)
        return None


def _heading_key(text: object) -> str:
    return " ".join(str(text).casefold().split()) if isinstance(text, str) else ""


def _parts(value: Any) -> tuple[Passage, ...]:
    """Stems of each entry of a list or mapping, or of the whole of a single value."""
    if isinstance(value, list):
        entries: list[Any] = value
    elif isinstance(value, dict):
        entries = [{key: inner} for key, inner in value.items()]
    else:
        entries = [value]
    return tuple(Passage(w for text in flatten(entry) for w in split_words(text)) for entry in entries)


# A controlled document's own control fields say who owns and approved the document, not what it
# holds: a register's owner is not the manager of each supplier, a plan's owner not its
# responsibilities, unless a rule asks for that very field (fields: [owner]). A record's
# approved_by is content: the approval of the change it records.
_CONTROL_FIELDS = ("owner", "version", "status", "approved_by", "approved_on", "review")


def _fields(doc: Document) -> Iterator[tuple[Any, Any, tuple[Any, ...]]]:
    """Top-level fields, then those one level down (``timeline.restored``, a register entry's ``contract``),
    each with its path (its line is looked up only for the field found)."""
    meta = doc.meta
    for key, value in meta.items():
        yield key, value, (key,)
    for key, value in meta.items():
        if isinstance(value, dict):
            for inner, inner_value in value.items():
                yield inner, inner_value, (key, inner)
        elif isinstance(value, list):  # a register's entries: [{supplier, contract, ...}, ...]
            seen = set()
            for index, entry in enumerate(value):
                if isinstance(entry, dict):
                    for inner, inner_value in entry.items():
                        if inner not in seen and inner_value not in _EMPTY:
                            seen.add(inner)
                            yield inner, inner_value, (key, index, inner)


@lru_cache(maxsize=4096)
def _field_key(name: str, abbreviations: tuple[tuple[str, str], ...]) -> frozenset[str]:
    return frozenset(stems(name, dict(abbreviations)))


def first_block_with(topic: Topic, docs: Sequence[Document]) -> tuple[Document, Block] | None:
    """The first document block (in document order) that says ``topic``, or None."""
    for doc in docs:
        for block in doc.blocks:
            if topic.found_in(block.text):
                return doc, block
    return None


@lru_cache(maxsize=1)
def shipped_vocabulary() -> Vocabulary:
    """The vocabulary that ships with imscheck, read once per process."""
    return load_vocabulary(rules_dir())


def load_vocabulary(rules_root: Path, validate: bool | None = None) -> Vocabulary:
    """Read ``rules/vocabulary.yaml`` (validated unless it is the shipped one, see load_setup_file)."""
    path = rules_root / VOCABULARY_FILE
    data = load_setup_file(path, "vocabulary", validate)
    abbreviations = {k.lower(): v.lower() for k, v in (data.get("abbreviations") or {}).items()}
    short = tuple(sorted(abbreviations.items()))
    kinds: dict[str, Kind] = {}
    for kind_name, raw in data["kinds"].items():
        concepts = {
            name: Concept(kind_name, name, c["title"], tuple(c["names"]), short, bool(c.get("quantified")))
            for name, c in raw["concepts"].items()
        }
        kinds[kind_name] = Kind(kind_name, raw["title"], concepts)
    topics = {name: Topic(name, raw["title"], tuple(raw["any"]), short) for name, raw in data["topics"].items()}
    intervals = tuple(
        (entry["months"], Topic(f"every {entry['months']} months", f"every {entry['months']} months", tuple(entry["any"]), short))
        for entry in data.get("intervals", ())
    )
    return Vocabulary(kinds, topics, short, intervals)


def meaningless_entries(vocabulary: Vocabulary) -> list[str]:
    """Names and phrases with no meaning-bearing word: they could never match (checked by the tests)."""
    found = [f"kinds/{c.kind}/concepts/{c.name}" for k in vocabulary.kinds.values() for c in k.concepts.values() if not all(c.keys)]
    found += [f"intervals/{t.name}" for _, t in vocabulary.intervals if not all(t.keys)]
    return found + [f"topics/{t.name}" for t in vocabulary.topics.values() if not all(t.keys)]


def _phrase_keys(phrase: str, abbreviations: Mapping[str, str]) -> list[tuple[str, ...]]:
    """Stems of a topic phrase as written, with its long forms shortened and its short forms spelt out.

    Prose says "SLA" as often as "service level agreement": a topic phrase matches either.
    """
    words = split_words(phrase)
    variants = [words]
    for position, word in enumerate(words):
        if word in abbreviations:
            variants.append(words[:position] + abbreviations[word].split() + words[position + 1 :])
        for short, long in _long_forms(tuple(sorted(abbreviations.items()))).get(word, ()):
            if words[position : position + len(long)] == long:
                variants.append(words[:position] + [short] + words[position + len(long) :])
    return [tuple(stems(" ".join(v))) for v in variants]


@lru_cache(maxsize=4)
def _long_forms(abbreviations: tuple[tuple[str, str], ...]) -> dict[str, list[tuple[str, list[str]]]]:
    """Abbreviations of several words, by the first word of their long form."""
    found: dict[str, list[tuple[str, list[str]]]] = {}
    for short, full in abbreviations:
        long = full.split()
        if len(long) > 1:
            found.setdefault(long[0], []).append((short, long))
    return found


def mapping_problem(vocabulary: Vocabulary, extra: Mapping[str, Mapping[str, Sequence[str]]]) -> tuple[tuple[str, ...], str] | None:
    """The first kind or concept an ``imscheck.yaml`` mapping names that does not exist: (path, message)."""
    for kind_name, concepts in extra.items():
        kind = vocabulary.kinds.get(kind_name)
        if kind is None:
            return (kind_name,), f"no kind of evidence {kind_name!r} (known: {', '.join(sorted(vocabulary.kinds))})"
        for concept_name in concepts:
            if concept_name not in kind.concepts:
                known = ", ".join(sorted(kind.concepts))
                return (kind_name, concept_name), f"{kind_name} has no concept {concept_name!r} (known: {known})"
    return None


def accepted_names(concept: Concept, limit: int = 6) -> str:
    shown: list[str] = list(concept.names[:limit])
    return ", ".join(shown) + (", …" if len(concept.names) > limit else "")
