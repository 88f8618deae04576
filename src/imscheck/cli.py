"""Command line: click options in, a frozen Settings object to the library, exit code out.

Nothing else in imscheck imports click (but the text reporter's colours).
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any, Callable, List, Optional, Sequence, Tuple

import click

from imscheck import __version__
from imscheck.errors import EXIT_ERROR, ImscheckError
from imscheck.reports import REPORTER_BY_NAME
from imscheck.results import FAIL_ON_CHOICES

_DATE = click.DateTime(formats=["%Y-%m-%d"])


def _guard(func: Callable[[], int]) -> None:
    """Run a command body: set-up errors become one line on stderr and exit 2."""
    try:
        code = func()
    except ImscheckError as exc:
        click.echo(f"imscheck: error: {exc}", err=True)
        sys.exit(EXIT_ERROR)
    sys.exit(code)


def _parse_reports(values: Sequence[str]) -> Tuple[Tuple[str, Path], ...]:
    out: List[Tuple[str, Path]] = []
    for value in values:
        fmt, sep, path = value.partition(":")
        if not sep or not path or fmt not in REPORTER_BY_NAME:
            raise click.BadParameter(f"{value!r}: expected FORMAT:PATH with FORMAT one of {', '.join(REPORTER_BY_NAME)}", param_hint="--report")
        out.append((fmt, Path(path)))
    return tuple(out)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="imscheck")
def main() -> None:
    """Compliance-as-code for ISO/IEC 20000-1 on top of an ISO 9001 management system."""


@main.command()
@click.argument("repo", default=".", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(list(REPORTER_BY_NAME)), default="text", show_default=True, help="Output format.")
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False), help="Write the report to FILE instead of stdout.")
@click.option("--report", "reports", multiple=True, metavar="FORMAT:PATH", help="Also write a report in FORMAT to PATH (repeatable).")
@click.option("--as-of", type=_DATE, help="Evaluation date (YYYY-MM-DD); default: imscheck.yaml as_of, else today.")
@click.option("--standard", help="Target edition, e.g. iso20000-1:2018 (default: imscheck.yaml, else iso20000-1:2018).")
@click.option("--rules", "rule_dirs", multiple=True, type=click.Path(path_type=Path, file_okay=False), help="Extra rule folder (repeatable).")
@click.option("--fail-on", type=click.Choice(list(FAIL_ON_CHOICES)), help="Lowest severity that fails the run (default: minor).")
@click.option("--changed-since", metavar="REF", help="Compare with git revision REF: run the git document-control rules and mark new findings.")
@click.option("--staged", is_flag=True, help="Check what is staged for the next commit against HEAD (or --changed-since REF); for the pre-commit hook.")
@click.option("--new-only", is_flag=True, help="Let --fail-on count only findings that are new since the compared revision.")
@click.option("--verbose", "-v", is_flag=True, help="Text output: also list passing results and their evidence.")
def check(repo: Path, fmt: str, output: Optional[Path], reports: Sequence[str], as_of: Optional[dt.datetime],
          standard: Optional[str], rule_dirs: Sequence[Path], fail_on: Optional[str], changed_since: Optional[str],
          staged: bool, new_only: bool, verbose: bool) -> None:
    """Check the management-system repository REPO (default: the current folder)."""
    extra_reports = _parse_reports(reports)
    if changed_since is not None and not changed_since.strip():
        raise click.UsageError("--changed-since needs a git revision (a branch, tag or commit)")
    if new_only and not (changed_since or staged):
        raise click.UsageError("--new-only needs --changed-since REF or --staged: new compared with what?")

    def body() -> int:
        from imscheck.api import Settings, check as run_check, open_repository
        from imscheck.output import emit
        from imscheck.results import exit_code

        settings = Settings(repo=repo, as_of=as_of.date() if as_of else None, standard=standard, rule_dirs=tuple(rule_dirs),
                            changed_since=changed_since, staged=staged)
        run = run_check(settings)
        emit(run, fmt, output, extra_reports, verbose=verbose)
        threshold = fail_on or open_repository(repo).fail_on or "minor"
        return exit_code(run.results, threshold, new_only=new_only)

    _guard(body)


@main.group()
def rules() -> None:
    """What is checked and why."""


def _pack_and_hygiene(standard: Optional[str], rule_dirs: Sequence[Path]) -> Any:
    from imscheck.api import Settings, builtin_rules, catalogues, resolve_pack
    from imscheck.config import Config

    known = catalogues()
    pack = resolve_pack(Settings(standard=standard, rule_dirs=tuple(rule_dirs)), Config(), known)
    builtin = {rule_id: rule for rules in builtin_rules().values() for rule_id, rule in rules.items()}
    return pack, builtin, known


def _split_git(builtin: Any) -> Tuple[Any, Any]:
    """Rules every check runs, and the git rules only a comparison runs."""
    git = {k: v for k, v in builtin.items() if k.startswith("GIT-")}
    return {k: v for k, v in builtin.items() if k not in git}, git


_standard_option = click.option("--standard", help="Target edition (default iso20000-1:2018).")
_rules_option = click.option("--rules", "rule_dirs", multiple=True, type=click.Path(path_type=Path, file_okay=False), help="Extra rule folder.")


@rules.command("list")
@_standard_option
@_rules_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def rules_list(standard: Optional[str], rule_dirs: Sequence[Path], fmt: str) -> None:
    """List the rules of a pack."""

    def body() -> int:
        from imscheck.ruledocs import list_rules

        pack, builtin, _ = _pack_and_hygiene(standard, rule_dirs)
        hygiene, git = _split_git(builtin)
        click.echo(list_rules(pack, hygiene, fmt, git), nl=False)
        return 0

    _guard(body)


@rules.command("show")
@click.argument("rule_id")
@_standard_option
@_rules_option
def rules_show(rule_id: str, standard: Optional[str], rule_dirs: Sequence[Path]) -> None:
    """Show one rule: its requirement, relation to ISO 9001, checks and guidance."""

    def body() -> int:
        from imscheck.ruledocs import show_hygiene, show_rule

        pack, hygiene, known = _pack_and_hygiene(standard, rule_dirs)
        rule = pack.get(rule_id)
        if rule is not None:
            click.echo(show_rule(rule, known), nl=False)
        elif rule_id in hygiene:
            click.echo(show_hygiene(hygiene[rule_id]), nl=False)
        else:
            raise ImscheckError(f"no rule {rule_id!r} in {pack.target} (see `imscheck rules list`)")
        return 0

    _guard(body)
