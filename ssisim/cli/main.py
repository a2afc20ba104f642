"""The ``ssisim`` command: the click group, ``--version``, and one-line errors.

Start-up imports click and the standard library only; each command imports
the library when it runs.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

import click

from ssisim.cli.debate import cohort, outcomes, team
from ssisim.cli.experiments import run, sensitivity, sweep
from ssisim.cli.model import calibrate, explain, fit, strategies, validate
from ssisim.cli.options import EXIT_INTERRUPTED, EXIT_USAGE
from ssisim.cli.plot import plot
from ssisim.cli.report import report
from ssisim.errors import ScenarioError, SsisimError

__all__ = ["cli", "main"]


def _version() -> str:
    from importlib import metadata

    try:
        return metadata.version("ssisim")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0+unknown"


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    """``--version``, looked up only when asked (importlib.metadata costs ~50 ms)."""
    if not value or ctx.resilient_parsing:
        return
    click.echo(f"ssisim, version {_version()}", color=ctx.color)
    ctx.exit()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    help="Show the version and exit.",
)
@click.option("--debug", is_flag=True, help="Show tracebacks instead of one-line errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Simulate LinkedIn's Social Selling Index: does a bigger network beat a better one?

    Write a scenario (YAML), run it, read weekly.csv, summary.csv and the
    figures. `ssisim COMMAND --help` for each command.
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


for _command in (
    run,
    sweep,
    sensitivity,
    team,
    cohort,
    outcomes,
    validate,
    strategies,
    calibrate,
    explain,
    fit,
    plot,
    report,
):
    cli.add_command(_command)


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point: one-line errors, exit code 2 for user errors, 130 on Ctrl-C."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args or os.environ.get("SSISIM_DEBUG") == "1"
    try:
        cli.main(args=args, prog_name="ssisim", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.UsageError as exc:
        if debug:
            raise
        cmd = exc.ctx.command_path if exc.ctx else "ssisim"
        click.echo(f"{cmd}: {exc.format_message()} (see `{cmd} --help`)", err=True)
        sys.exit(EXIT_USAGE)
    except (click.Abort, KeyboardInterrupt):
        click.echo("interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except SsisimError as exc:
        if debug:
            raise
        click.echo(f"error: {exc}" if not isinstance(exc, ScenarioError) else str(exc), err=True)
        sys.exit(EXIT_USAGE)
