"""Command line: click options in, a frozen Settings object to the library, exit code out.

Nothing else in imscheck imports click (but the text reporter's colours).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import click

from imscheck import __version__
from imscheck.errors import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, ImscheckError
from imscheck.reports import REPORTER_BY_NAME
from imscheck.terms import ERROR, FAIL_ON_CHOICES  # imports nothing: --help stays cheap

if TYPE_CHECKING:  # start-up (--version, --help) pays for none of these
    import datetime as dt
    from pathlib import Path

    from imscheck.api import Settings
    from imscheck.results import Result
    from imscheck.rules import BuiltinRule, Pack
    from imscheck.standards import Catalogues


_DATE = click.DateTime(formats=["%Y-%m-%d"])


class _Path(click.Path):
    """``click.Path`` giving a ``pathlib.Path``, with pathlib imported once a path is given, not at
    start-up (it pulls in urllib and ipaddress: a fifth of ``imscheck --version``)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        import os
        from pathlib import Path

        return Path(os.fsdecode(super().convert(value, param, ctx)))

# \b keeps click from re-wrapping the list.
EXIT_CODES_HELP = (
    "\b\nExit codes:\n"
    f"  {EXIT_OK}  nothing at or above --fail-on\n"
    f"  {EXIT_FINDINGS}  findings at or above --fail-on\n"
    f"  {EXIT_ERROR}  usage, configuration or rule-pack error, or a bug in imscheck (one line on stderr)"
)


TRACEBACK_VARIABLE = "IMSCHECK_TRACEBACK"


def _guard(func: Callable[[], int]) -> None:
    """Run a command body: set-up errors become one line on stderr and exit 2.

    A bug of imscheck's own is exit 2 as well, with one line that says so: exit 1 means findings,
    and a CI gate must not read a crash as a failed check (ruff does the same). With
    IMSCHECK_TRACEBACK set, the traceback is shown instead, for the maintainers.
    """
    import os

    try:
        code = func()
    except ImscheckError as exc:
        from imscheck.escaping import visible

        # The message may quote the repository (a file name, a value): one visible line.
        click.echo(f"imscheck: error: {visible(exc)}", err=True)
        sys.exit(EXIT_ERROR)
    except Exception as exc:  # not KeyboardInterrupt or SystemExit
        if os.environ.get(TRACEBACK_VARIABLE):
            raise
        from imscheck.escaping import visible

        click.echo(f"imscheck: internal error: {type(exc).__name__}: {visible(str(exc)[:200])}. This is a bug in imscheck: "
                   f"please report it with the command you ran ({TRACEBACK_VARIABLE}=1 shows where it happened)", err=True)
        sys.exit(EXIT_ERROR)
    sys.exit(code)


def _warn_unevaluated(results: Sequence[Result]) -> None:
    """Rules that could not be evaluated, said on stderr as well: with --output, or --fail-on never
    (exit 0), the report may be read by no one, and an error must never pass unseen."""
    from imscheck.escaping import visible
    from imscheck.wording import first_few

    rules = [r.rule for r in results if r.status == ERROR]
    if rules:
        what, results_are = ("1 rule", "its result is an error") if len(rules) == 1 else (f"{len(rules)} rules", "their results are errors")
        click.echo(f"imscheck: warning: {what} could not be evaluated ({visible(first_few(rules))}): {results_are}; "
                   "report it to the imscheck maintainers", err=True)


def _parse_reports(values: Sequence[str]) -> tuple[tuple[str, Path], ...]:
    from pathlib import Path

    out: list[tuple[str, Path]] = []
    for value in values:
        fmt, sep, path = value.partition(":")
        if not sep or not path or fmt not in REPORTER_BY_NAME:
            raise click.BadParameter(f"{value!r}: expected FORMAT:PATH with FORMAT one of {', '.join(REPORTER_BY_NAME)}",
                                     param_hint="--report")
        out.append((fmt, Path(path)))
    return tuple(out)


@click.group(context_settings={"help_option_names": ["-h", "--help"]}, epilog=EXIT_CODES_HELP)
@click.version_option(__version__, prog_name="imscheck")
def main() -> None:
    """Compliance-as-code for ISO/IEC 20000-1 on top of an ISO 9001 management system."""


def _repository_options(func: Callable[..., None]) -> Callable[..., None]:
    """REPO and the options that say what to evaluate: shared by ``check`` and ``audit``."""
    for option in reversed((
        click.argument("repo", default=".", type=_Path()),
        click.option("--as-of", type=_DATE, help="Evaluation date (YYYY-MM-DD); default: imscheck.yaml as_of, else today."),
        click.option("--standard", help="Target edition, e.g. iso20000-1:2018 (default: imscheck.yaml, else iso20000-1:2018)."),
        click.option("--rules", "rule_dirs", multiple=True, type=_Path(file_okay=False), help="Extra rule folder (repeatable)."),
    )):
        func = option(func)
    return func


def _settings(repo: Path, as_of: dt.datetime | None, standard: str | None, rule_dirs: Sequence[Path],
              changed_since: str | None = None, staged: bool = False, fail_on: str | None = None) -> Settings:
    from imscheck.api import Settings

    return Settings(repo=repo, as_of=as_of.date() if as_of else None, standard=standard, rule_dirs=tuple(rule_dirs),
                    changed_since=changed_since, staged=staged, fail_on=fail_on)


@main.command(epilog=EXIT_CODES_HELP)
@click.option("--format", "fmt", type=click.Choice(list(REPORTER_BY_NAME)), default="text", show_default=True,
              help="Output format. junit: valid for Jenkins' xunit schema; junit-gitlab: with GitLab's file attribute; "
                   "sarif: open findings only; sarif-suppressed: also waived and not-applicable ones, as suppressed results.")
@click.option("--output", "-o", type=_Path(dir_okay=False), help="Write the report to FILE instead of stdout.")
@click.option("--report", "reports", multiple=True, metavar="FORMAT:PATH", help="Also write a report in FORMAT to PATH (repeatable).")
@click.option("--fail-on", type=click.Choice(list(FAIL_ON_CHOICES)), help="Lowest severity that fails the run (default: minor).")
@click.option("--changed-since", metavar="REF",
              help="Compare with git revision REF: run the git document-control rules and mark new findings.")
@click.option("--staged", is_flag=True,
              help="Check what is staged for the next commit against HEAD (or --changed-since REF); for the pre-commit hook.")
@click.option("--new-only", is_flag=True, help="Let --fail-on count only findings that are new since the compared revision.")
@click.option("--verbose", "-v", is_flag=True, help="Text output: also list passing results and their evidence.")
@click.option("--quiet", "-q", is_flag=True,
              help="Text output: only the failing lines, no headings or summary; and no progress line on stderr.")
@click.option("--color", "color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True,
              help="Colour the text output. auto: on a terminal, unless NO_COLOR is set or TERM=dumb; FORCE_COLOR colours a pipe.")
@_repository_options
def check(repo: Path, fmt: str, output: Path | None, reports: Sequence[str], as_of: dt.datetime | None,
          standard: str | None, rule_dirs: Sequence[Path], fail_on: str | None, changed_since: str | None,
          staged: bool, new_only: bool, verbose: bool, quiet: bool, color: str) -> None:
    """Check the management-system repository REPO (default: the current folder)."""
    extra_reports = _parse_reports(reports)
    if quiet and verbose:
        raise click.UsageError("--quiet and --verbose contradict each other: choose one")
    if changed_since is not None and not changed_since.strip():
        raise click.UsageError("--changed-since needs a git revision (a branch, tag or commit)")
    if new_only and not (changed_since or staged):
        raise click.UsageError("--new-only needs --changed-since REF or --staged: new compared with what?")

    def body() -> int:
        from imscheck.api import check as run_check
        from imscheck.output import emit
        from imscheck.progress import for_terminal
        from imscheck.results import exit_code

        progress = for_terminal(quiet)
        try:
            settings = _settings(repo, as_of, standard, rule_dirs, changed_since=changed_since, staged=staged, fail_on=fail_on)
            run = run_check(settings, progress)
        finally:
            if progress is not None:
                progress.clear()  # before the report (or an error line) reaches the terminal
        emit(run, fmt, output, extra_reports, verbose=verbose, color=color, quiet=quiet)
        _warn_unevaluated(run.results)
        return exit_code(run.results, run.fail_on, new_only=new_only)

    _guard(body)


@main.command(epilog=EXIT_CODES_HELP)
@click.option("--format", "fmt", type=click.Choice(["html", "markdown"]), default="html", show_default=True,
              help="html: one self-contained page; markdown: for a merge-request comment or a wiki.")
@click.option("--output", "-o", type=_Path(dir_okay=False), help="Write the report to FILE instead of stdout.")
@click.option("--fail-on", type=click.Choice(list(FAIL_ON_CHOICES)),
              help="Also exit 1 on findings at or above this severity (default: exit 0 once the report is written).")
@click.option("--quiet", "-q", is_flag=True, help="No progress line on stderr (shown only on a terminal, for runs over a second).")
@_repository_options
def audit(repo: Path, fmt: str, output: Path | None, as_of: dt.datetime | None, standard: str | None,
          rule_dirs: Sequence[Path], fail_on: str | None, quiet: bool) -> None:
    """Internal-audit dry run of REPO: readiness, ISO 9001 dividend, gaps and evidence, as one report."""

    def body() -> int:
        from imscheck.audit import prepare
        from imscheck.audit.render import render_audit
        from imscheck.output import deliver
        from imscheck.progress import for_terminal
        from imscheck.results import exit_code

        progress = for_terminal(quiet)
        try:
            run, report = prepare(_settings(repo, as_of, standard, rule_dirs), progress)
            if progress is not None:
                progress("writing the report", 0, 0)
            page = render_audit(report, fmt)
        finally:
            if progress is not None:
                progress.clear()
        deliver(page, output, roots=[repo])
        _warn_unevaluated(run.results)
        # A dry run informs, it does not gate: only an explicit --fail-on turns findings into exit 1.
        return exit_code(run.results, fail_on) if fail_on else 0

    _guard(body)


@main.group()
def rules() -> None:
    """What is checked and why."""


def _pack_and_builtin(standard: str | None,
                      rule_dirs: Sequence[Path]) -> tuple[Pack, dict[str, BuiltinRule], dict[str, BuiltinRule], Catalogues]:
    """The pack, the built-in rules every check runs, the git rules a comparison adds, catalogues."""
    from imscheck.api import Settings, always_run_rules, builtin_rules, catalogues, resolve_pack
    from imscheck.config import Config
    from imscheck.ruleids import GIT_RULES_FILE

    known = catalogues()
    pack = resolve_pack(Settings(standard=standard, rule_dirs=tuple(rule_dirs)), Config(), known)
    return pack, always_run_rules(), builtin_rules()[GIT_RULES_FILE], known


_standard_option = click.option("--standard", help="Target edition (default iso20000-1:2018).")
_rules_option = click.option("--rules", "rule_dirs", multiple=True, type=_Path(file_okay=False), help="Extra rule folder.")


@rules.command("list")
@_standard_option
@_rules_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def rules_list(standard: str | None, rule_dirs: Sequence[Path], fmt: str) -> None:
    """List the rules of a pack."""

    def body() -> int:
        from imscheck.guidance.ruledocs import list_rules

        pack, hygiene, git, _ = _pack_and_builtin(standard, rule_dirs)
        click.echo(list_rules(pack, hygiene, fmt, git), nl=False)
        return 0

    _guard(body)


@rules.command("show")
@click.argument("rule_id", metavar="RULE")
@_standard_option
@_rules_option
def rules_show(rule_id: str, standard: str | None, rule_dirs: Sequence[Path]) -> None:
    """Show one RULE (any case: sms-9.3): its requirement, relation to ISO 9001, checks and guidance."""

    def body() -> int:
        from imscheck.guidance.ruledocs import find_rule

        pack, hygiene, git, known = _pack_and_builtin(standard, rule_dirs)
        click.echo(find_rule(rule_id, pack, hygiene, git, known), nl=False)
        return 0

    _guard(body)


@rules.command("test", epilog=(
    "\b\nExit codes:\n"
    f"  {EXIT_OK}  every case passed\n"
    f"  {EXIT_FINDINGS}  a case failed\n"
    f"  {EXIT_ERROR}  a bad case file or rule file, or no case files found (one line on stderr)"))
@click.argument("folders", metavar="DIR...", nargs=-1, required=True, type=_Path(exists=True, file_okay=False))
def rules_test(folders: Sequence[Path]) -> None:
    """Run the pass and fail cases (*.cases.yaml) found under each DIR.

    Each case file sits beside the rules it tests: in a user's rule folder those rules are added
    as with --rules; in a shipped pack folder (rules/packs/iso20000-1-2018) the case runs on that
    pack's target. Each case is written into a fresh temporary folder and checked; one PASS or
    FAIL line per case, and for a failure what was expected and what came out.
    """

    def body() -> int:
        from imscheck.rulecases import describe, load_folders, run_cases, summary

        runs = []
        for run in run_cases(load_folders(folders)):  # every case file is read before the first case runs
            click.echo(describe(run))
            runs.append(run)
        click.echo(summary(runs))
        return EXIT_OK if all(run.passed for run in runs) else EXIT_FINDINGS

    _guard(body)


@main.command()
@click.option("--target", help="ISO/IEC 20000-1 edition (default iso20000-1:2018).")
@click.option("--base", help="ISO 9001 edition; must be the target pack's base (iso9001:2015 for 2018, iso9001:2008 for 2011).")
@click.option("--format", "fmt", type=click.Choice(["markdown", "html"]), default="markdown", show_default=True)
@click.option("--output", "-o", type=_Path(dir_okay=False), help="Write the guide to FILE instead of stdout.")
def guide(target: str | None, base: str | None, fmt: str, output: Path | None) -> None:
    """The integration guide: how ISO/IEC 20000-1 extends each ISO 9001 clause, and what is new."""

    def body() -> int:
        from imscheck.guidance import render_guide
        from imscheck.guidance.guide import load_guide
        from imscheck.output import deliver

        deliver(render_guide(load_guide(target, base), fmt), output)
        return 0

    _guard(body)


@main.command()
@click.argument("clause")
@click.option("--standard", help="Edition of a bare clause number (default iso20000-1:2018), e.g. iso9001:2015.")
def explain(clause: str, standard: str | None) -> None:
    """Explain CLAUSE (iso9001:2015/7.5.3, iso20000-1:2011/4.3.1 or a bare 8.5.1.1): relations and rules."""

    def body() -> int:
        from imscheck.guidance.explain import load_explanation, render_text

        click.echo(render_text(load_explanation(clause, standard)), nl=False)
        return 0

    _guard(body)
