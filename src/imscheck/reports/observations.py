"""Observations as every reporter shows them: the text, where it points, and a stable identity.

An observation is an auditor's checklist topic the evidence does not seem to mention (an
opportunity for improvement). It never changes a result's status, so reporters list it beside
the result, never as a failure.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from imscheck.results import Location, Result, TopicCheck


@dataclass(frozen=True)
class Observation:
    """One observation of one result, ready to print."""

    result: Result
    item: TopicCheck
    message: str
    location: Location  # the document read, else the result's first location, else the anchor
    key: str  # stable identity: rule and topic, never a line number


def observation_message(item: TopicCheck) -> str:
    """The engine's sentence; a plain one if a result was built without it."""
    if item.message:
        return item.message
    where = f"; {item.document} does not seem to mention it" if item.document else ""
    return f"an auditor will look for {item.topic}{where}"


def observation_location(result: Result, item: TopicCheck, anchor: str) -> Location:
    if item.path:
        return Location(item.path, max(item.line, 1))
    if result.locations:
        return result.locations[0]
    return Location(anchor, 1)


def observations_of(result: Result, anchor: str = "imscheck.yaml") -> tuple[Observation, ...]:
    """The observations of ``result`` in checklist order.

    Two checks of one rule can read for the same topic: the second gets ``#2`` in its key so
    every observation keeps its own identity (SARIF fingerprints must not collide).
    """
    seen: dict[str, int] = {}
    out: list[Observation] = []
    for item in result.observations:
        count = seen.get(item.topic, 0) + 1
        seen[item.topic] = count
        identity = "\0".join((result.rule, "observation", item.topic) + ((str(count),) if count > 1 else ()))
        # surrogatepass: a lone surrogate in a custom rule's id must not crash every reporter
        key = hashlib.sha256(identity.encode("utf-8", "surrogatepass")).hexdigest()[:32]
        out.append(Observation(result, item, observation_message(item), observation_location(result, item, anchor), key))
    return tuple(out)


def all_observations(results: Iterable[Result], anchor: str = "imscheck.yaml") -> tuple[Observation, ...]:
    return tuple(o for result in results for o in observations_of(result, anchor))

