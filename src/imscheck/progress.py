"""A progress line on a terminal's stderr for long runs: ``imscheck: reading 12,345 of 100,000 files``.

The pipeline calls a plain callback, ``progress(phase, done, total)``, at phase boundaries and
every few hundred files (see ``pipeline.evaluate`` and ``documents.load_corpus``); it never imports this
module. :func:`for_terminal` gives one only when stderr is a terminal and ``--quiet`` is off, so
pipes and CI logs never see a carriage return. Nothing shows for the first second
(``IMSCHECK_PROGRESS_AFTER`` seconds, for tests): a quick run stays silent. The line is rewritten in
place with ``\\r`` and cleared before the report is written.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from typing import TextIO

ProgressCallback = Callable[[str, int, int], None]
DELAY = 1.0  # seconds before the first line: runs shorter than this print nothing
_REDRAW = 0.1  # seconds between redraws of the same phase (a terminal is slow, files are many)


class Progress:
    """One status line on ``stream``, redrawn in place; call :meth:`clear` when the work is done."""

    def __init__(self, stream: TextIO, delay: float = DELAY) -> None:
        self._stream = stream
        self._start = time.monotonic()
        self._delay = delay
        self._phase = ""
        self._drawn = 0.0
        self._width = 0  # characters on the line now (0: nothing to clear)

    def __call__(self, phase: str, done: int = 0, total: int = 0) -> None:
        now = time.monotonic()
        if now - self._start < self._delay:
            return
        if phase == self._phase and now - self._drawn < _REDRAW and done < total:
            return
        self._phase, self._drawn = phase, now
        text = f"imscheck: {phase} {done:,} of {total:,} files ..." if total else f"imscheck: {phase} ..."
        self._write("\r" + text.ljust(self._width))
        self._width = len(text)

    def clear(self) -> None:
        """Blank the line and return to its start, so the report (or an error) starts clean."""
        if self._width:
            self._write("\r" + " " * self._width + "\r")
            self._width = 0

    def _write(self, text: str) -> None:
        try:
            self._stream.write(text)
            self._stream.flush()
        except (OSError, ValueError):  # the terminal went away: progress is never worth failing for
            pass


def for_terminal(quiet: bool = False, stream: TextIO | None = None) -> Progress | None:
    """A :class:`Progress` on stderr when it is a terminal and not ``quiet``, else None."""
    stream = stream if stream is not None else sys.stderr
    if quiet or stream is None:
        return None
    try:
        if not stream.isatty():
            return None
    except (AttributeError, ValueError):
        return None
    try:
        delay = float(os.environ.get("IMSCHECK_PROGRESS_AFTER", DELAY))
    except ValueError:
        delay = DELAY
    return Progress(stream, delay)
