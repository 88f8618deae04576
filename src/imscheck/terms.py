"""The words of the contract (DESIGN.md sections 2 and 5), each spelled once.

Statuses, severities, relation kinds and their letters, and the kinds of result. Nothing here
imports anything, so the command line can offer these choices without paying for the library.
"""

from __future__ import annotations

# what a rule's result is
PASS, FAIL, WAIVED, NOT_APPLICABLE, ERROR = "pass", "fail", "waived", "not_applicable", "error"
STATUSES: tuple[str, ...] = (PASS, FAIL, WAIVED, NOT_APPLICABLE, ERROR)
FAILING: tuple[str, ...] = (FAIL, ERROR)  # findings; an error always counts
SUPPRESSED: tuple[str, ...] = (WAIVED, NOT_APPLICABLE)  # out of the findings by imscheck.yaml

# how much a finding weighs, in audit language (major: not addressed; minor: defective or lapsed
# evidence; observation: an opportunity to improve)
MAJOR, MINOR, OBSERVATION = "major", "minor", "observation"
SEVERITIES: tuple[str, ...] = (MAJOR, MINOR, OBSERVATION)
SEVERITY_RANK: dict[str, int] = {MAJOR: 3, MINOR: 2, OBSERVATION: 1}
FAIL_ON_CHOICES: tuple[str, ...] = (*SEVERITIES, "never")

# the mark of a status or severity in Markdown (merge-request comments, the audit's Markdown)
MARK: dict[str, str] = {PASS: "✅", MAJOR: "🔴", MINOR: "🟠", OBSERVATION: "🔵", ERROR: "⛔", WAIVED: "🟣", NOT_APPLICABLE: "➖"}

# how an ISO/IEC 20000-1 requirement relates to ISO 9001 (the founding paper's classification)
FULL, PARTIAL, NONE = "full", "partial", "none"
RELATIONS: tuple[str, ...] = (FULL, PARTIAL, NONE)
RELATION_LETTER: dict[str, str] = {FULL: "F", PARTIAL: "P", NONE: "N"}  # in the guide and the audit report

# what produced a result: a requirement rule of the pack, or one of the built-in rule families
REQUIREMENT, HYGIENE, GIT, CONFIGURATION = "requirement", "hygiene", "git", "configuration"
KINDS: tuple[str, ...] = (REQUIREMENT, HYGIENE, GIT, CONFIGURATION)
