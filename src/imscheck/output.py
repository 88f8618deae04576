"""Writing rendered reports to stdout and files (the only place reports touch the file system).

The checked repository is untrusted and may hold symlinks where a CI job writes its reports
(``imscheck.xml -> /somewhere/else``). So a report is never written through a symlink: an
existing one at the target, or at a folder between the current folder (or the repository) and
the target, is an error. A file is written to a temporary file beside it and renamed over the
target, so a failed run never leaves a partial or empty report and a previous one stays whole;
every report is rendered before the first is written.
"""

from __future__ import annotations

import os
import stat
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TextIO

import click

from imscheck.errors import ImscheckError
from imscheck.escaping import scrub_surrogates
from imscheck.reports import render
from imscheck.reports.base import Options
from imscheck.results import Run


def color_wanted(choice: str = "auto", stream: TextIO | None = None, environ: Mapping[str, str] | None = None) -> bool:
    """Colour for ``stream``: ``--color`` first, then no-color.org and force-color.org, then the terminal.

    ``NO_COLOR`` (set and not empty) turns colour off, ``FORCE_COLOR`` (set and not empty) turns it
    on even in a pipe (CI logs that render colour); with both set, ``NO_COLOR`` wins. A terminal
    that says ``TERM=dumb`` gets none.
    """
    if choice != "auto":
        return choice == "always"
    env = os.environ if environ is None else environ
    if env.get("NO_COLOR"):
        return False
    if env.get("FORCE_COLOR"):
        return True
    if env.get("TERM") == "dumb":
        return False
    stream = sys.stdout if stream is None else stream
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or replaced stream
        return False


def _under(path: Path, roots: Sequence[Path]) -> bool:
    return any(path != root and path.is_relative_to(root) for root in roots)


def check_target(path: Path, roots: Sequence[Path] = ()) -> None:
    """Refuse a target that is, or passes through, a symlink the repository could have planted.

    ``roots`` (the current folder, the checked repository) are trusted themselves; every existing
    folder below them on the way to ``path``, and ``path`` itself wherever it is, must not be a
    symlink. ``path`` must be a regular file if it exists, and the nearest existing ancestor a
    folder: checked before anything is written, so one bad target writes no report at all.
    """
    target = Path(os.path.abspath(path))  # lexical: resolving would follow the links we look for
    trusted = [Path(os.path.abspath(root)) for root in (Path.cwd(), *roots)]
    for step in (*reversed(target.parents), target):
        if (step == target or _under(step, trusted)) and step.is_symlink():
            where = "" if step == target else f" ({step} is a symbolic link)"
            raise ImscheckError(f"refusing to write a report through a symbolic link{where}", str(path))
    for step in (target, *target.parents):
        try:
            mode = step.lstat().st_mode
        except OSError:
            continue  # not there yet: writing creates it
        if step == target and not stat.S_ISREG(mode):
            raise ImscheckError("cannot write report: not a regular file", str(path))
        if step != target and not stat.S_ISDIR(mode):
            raise ImscheckError(f"cannot write report: {step} is not a folder", str(path))
        break  # the nearest existing folder: writing can go ahead


def _file_mode() -> int:
    """What ``open()`` would give a new file: 0666 less the umask (mkstemp makes it 0600)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_file(path: Path, text: str, roots: Sequence[Path] = ()) -> None:
    """Write ``text`` to ``path`` whole or not at all, never through a symlink."""
    check_target(path, roots)
    shown = str(path)
    # Write where the check looked: the lexical absolute path. The kernel would resolve a "link/.."
    # in the path as given through the link, past the check.
    path = Path(os.path.abspath(path))
    data = scrub_surrogates(text).encode("utf-8")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".imscheck-", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise ImscheckError(f"cannot write report: {exc.strerror}", shown) from None
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(temporary, _file_mode())
        os.replace(temporary, path)  # rename replaces a link itself, never what it points to
    except BaseException as exc:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise ImscheckError(f"cannot write report: {exc.strerror}", shown) from None
        raise


def print_text(text: str, color: bool = False) -> None:
    """Print a report to stdout; ``color`` keeps ANSI styles click would strip in a pipe."""
    click.echo(scrub_surrogates(text), nl=False, color=color or None)


def deliver(text: str, output: Path | None, roots: Sequence[Path] = ()) -> None:
    """Write ``text`` to ``output``, or print it when no file is given."""
    if output is not None:
        write_file(output, text, roots)
    else:
        print_text(text)


def emit(run: Run, fmt: str, output: Path | None, reports: Sequence[tuple[str, Path]], verbose: bool = False,
         color: str = "auto", quiet: bool = False) -> None:
    """Print (or write) the main report, then every extra ``--report FORMAT:PATH``.

    Everything is rendered and every target checked before anything is written: a report that
    fails to render, or a refused target, leaves no file half-written and prints nothing.
    """
    roots = [Path(run.repository)]
    colored = fmt == "text" and (color == "always" if output is not None else color_wanted(color))
    text = render(run, fmt, Options(color=colored, verbose=verbose, quiet=quiet))
    extra: list[tuple[Path, str]] = [(path, render(run, report_format)) for report_format, path in reports]
    for path in [p for p, _ in extra] + ([output] if output is not None else []):
        check_target(path, roots)
    if output is not None:
        write_file(output, text, roots)
    else:
        print_text(text, color=colored)
    for path, report in extra:
        write_file(path, report, roots)
