"""How a result shows in the report: its display status, labels in words, relation marks."""

from __future__ import annotations

# Display statuses, worst first: a grid cell with several results shows the worst of them.
DISPLAY_ORDER: tuple[str, ...] = ("error", "major", "minor", "observation", "waived", "pass", "not_applicable", "unchecked")
# Counts and the legend read best good news first.
READING_ORDER: tuple[str, ...] = ("pass", "major", "minor", "observation", "error", "waived", "not_applicable", "unchecked")
SHORT_LABEL: dict[str, str] = {
    "pass": "met", "major": "major", "minor": "minor", "observation": "obs.", "error": "error",
    "waived": "waived", "not_applicable": "n/a", "unchecked": "no rule",
}
LEGEND: dict[str, str] = {
    "pass": "requirement met", "major": "major nonconformity", "minor": "minor nonconformity",
    "observation": "observation: an opportunity to improve", "error": "could not be evaluated",
    "waived": "gap accepted by a waiver", "not_applicable": "excluded from scope", "unchecked": "no rule checks it yet",
}
LONG_LABEL: dict[str, str] = {
    "pass": "Met", "major": "Major nonconformity", "minor": "Minor nonconformity", "observation": "Observation",
    "error": "Error", "waived": "Waived", "not_applicable": "Not applicable", "unchecked": "Not checked (no rule)",
}
RELATION_MEANING: dict[str, str] = {
    "full": "covered by ISO 9001", "partial": "extends ISO 9001", "none": "new for service management",
}
RELATION_LABEL: dict[str, str] = {key: f"{key}: {meaning}" for key, meaning in RELATION_MEANING.items()}



