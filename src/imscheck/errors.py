"""The one error type for bad set-up, and the exit codes computed from results.

Bad *documents* are findings (they become results); bad *set-up* (configuration, rule packs,
command-line usage) raises :class:`ImscheckError`, which the CLI prints as one line, exit 2.
"""

from __future__ import annotations

EXIT_OK = 0
"""Nothing at or above the ``--fail-on`` threshold."""
EXIT_FINDINGS = 1
"""At least one failing result at or above the threshold."""
EXIT_ERROR = 2
"""Usage, configuration or rule-pack error."""


class ImscheckError(Exception):
    """A set-up problem the user must fix: printed as one line, exit code 2.

    ``source`` names the file (or option) at fault so the message always says where.
    """

    def __init__(self, message: str, source: str | None = None) -> None:
        super().__init__(message)
        self.source = source

    def __str__(self) -> str:
        message = super().__str__()
        return f"{self.source}: {message}" if self.source else message
