"""The auditor's checklist: the topics an auditor reads a requirement's prose evidence for.

A topic found is a line of the checklist with the place it is said; one not found is an
observation worded as a prompt. Neither takes credit away.
"""

from __future__ import annotations

from collections.abc import Sequence

from imscheck.documents import Document
from imscheck.results import TopicCheck
from imscheck.vocabulary import Vocabulary, first_block_with
from imscheck.wording import first_few


def auditor_checklist(topics: Sequence[str], docs: Sequence[Document], vocabulary: Vocabulary) -> list[TopicCheck]:
    """Each topic with the first place these documents say it, or the prompt an auditor would give."""
    items: list[TopicCheck] = []
    if not topics or not docs:
        return items
    names = first_few([d.name for d in docs])
    first = docs[0]
    verb = "does" if len(docs) == 1 else "do"
    for name in topics:
        topic = vocabulary.topics[name]
        hit = first_block_with(topic, docs)
        if hit is not None:
            doc, block = hit
            items.append(TopicCheck(topic.title, True, doc.name, doc.path, block.line))
        else:
            message = f"an auditor will look for {topic.title}; {names} {verb} not seem to mention it"
            items.append(TopicCheck(topic.title, False, first.name, first.path, first.line, message))
    return items
