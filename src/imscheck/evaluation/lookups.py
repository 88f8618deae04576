"""What rule checks look things up in: the evidence index, the day, overrides and the vocabulary."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from imscheck.config import Override
from imscheck.evaluation.index import Index
from imscheck.findings import Finding
from imscheck.vocabulary import Vocabulary, shipped_vocabulary


@dataclass(frozen=True)
class Lookups:
    """What a rule's checks look things up in while it is evaluated (built once per run)."""

    index: Index
    as_of: dt.date
    overrides: Mapping[str, Override] = field(default_factory=dict)
    vocabulary: Vocabulary = field(default_factory=shipped_vocabulary)
    # from the hygiene inspection, to say why a document earns no credit: the finding that keeps
    # each defective document out, by path, and the files that could not be read at all
    defects: Mapping[str, Finding] = field(default_factory=dict)
    unreadable: tuple[Finding, ...] = ()
