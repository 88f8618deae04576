"""Writing rendered reports to stdout and files (the only place reports touch the file system)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional, Sequence, Tuple

import click

from imscheck.errors import ImscheckError
from imscheck.reports import render
from imscheck.results import Run


def write_file(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ImscheckError(f"cannot write report: {exc.strerror}", str(path)) from None


def deliver(text: str, output: Optional[Path]) -> None:
    """Write ``text`` to ``output``, or print it when no file is given."""
    if output is not None:
        write_file(output, text)
    else:
        click.echo(text, nl=False)


def emit(run: Run, fmt: str, output: Optional[Path], reports: Sequence[Tuple[str, Path]], verbose: bool = False) -> None:
    """Print (or write) the main report, then every extra ``--report FORMAT:PATH``."""
    if fmt == "text":
        from imscheck.reports.text import render as render_text

        text = render_text(run, color=output is None and sys.stdout.isatty(), verbose=verbose)
    else:
        text = render(run, fmt)
    deliver(text, output)
    for report_format, path in reports:
        write_file(path, render(run, report_format))
