"""The ``ssisim`` command: the click group, ``--version``, and one-line errors.

Start-up imports click and the standard library only; each command imports
the library when it runs.
"""

from __future__ import annotations

import os
import signal
import sys


def _interrupted_while_starting(_signum: int, _frame: object) -> None:
    """Ctrl-C before :func:`main` runs (during the imports): one line, exit 130."""
    os.write(2, b"interrupted\n")
    os._exit(130)


def _on_sigint(handler: object, instead_of: object) -> None:
    try:
        if signal.getsignal(signal.SIGINT) is instead_of:
            signal.signal(signal.SIGINT, handler)  # type: ignore[arg-type]
    except ValueError:  # imported outside the main thread
        pass


# the imports below take ~100 ms: Ctrl-C there would print a traceback; Python's
# handler is back at the end of this module, before main() runs
_on_sigint(_interrupted_while_starting, signal.default_int_handler)

from collections.abc import Sequence  # noqa: E402
from typing import Any  # noqa: E402

import click  # noqa: E402

from ssisim.cli.debate import cohort, outcomes, team  # noqa: E402
from ssisim.cli.experiments import run, sensitivity, sweep  # noqa: E402
from ssisim.cli.explore import explore  # noqa: E402
from ssisim.cli.member import MEMBER_COMMANDS  # noqa: E402
from ssisim.cli.model import calibrate, explain, fit, strategies, validate  # noqa: E402
from ssisim.cli.options import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_USAGE  # noqa: E402
from ssisim.cli.plot import plot  # noqa: E402
from ssisim.cli.report import report  # noqa: E402
from ssisim.errors import OperationalError, ScenarioError, SsisimError  # noqa: E402

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


class _Interrupted(BaseException):
    """Ctrl-C, carried past click (which prints an empty line before its Abort)."""


class _Group(click.Group):
    """Ctrl-C while click parses the group's options or runs a command is
    :class:`_Interrupted`: click's own handler would print an empty line first."""

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except KeyboardInterrupt:
            raise _Interrupted() from None

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            raise _Interrupted() from None
        except EOFError as exc:  # click would call it an interruption
            raise RuntimeError(f"EOFError: {exc or 'unexpected end of a stream'}") from exc


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
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
    *MEMBER_COMMANDS,
    report,
    explore,
):
    cli.add_command(_command)


def _printable(text: str) -> str:
    """Each line of a message with control characters, ANSI escapes and the like
    escaped (as ``repr`` does): nothing a scenario writes can drive the terminal."""
    return "\n".join(
        line if line.isprintable() else line.encode("unicode_escape").decode("ascii")
        for line in text.split("\n")
    )


def _say(text: str, lines: bool = False) -> None:
    """Print an error; one line unless ``lines`` (a scenario's list of errors)."""
    try:
        click.echo(_printable(text if lines else text.replace("\n", "\\n")), err=True)
    except OSError:  # stderr itself is gone
        pass


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point: one-line errors, exit code 2 for user errors, 1 for what the
    machine failed (disk full, a folder that cannot be written, workers that cannot
    start, anything unexpected), 130 on Ctrl-C; a traceback only with ``--debug``."""
    try:
        _main(argv)
    finally:
        if argv is None:  # the command line, not a caller in Python
            _ignore_sigint_from_now()


def _ignore_sigint_from_now() -> None:
    """The command's work is done and its exit status chosen: a Ctrl-C while the
    interpreter shuts down (Python resets its handler to the default there) would
    kill the process by the signal, with no line and no status of ours."""
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread
        pass


def _main(argv: Sequence[str] | None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args or os.environ.get("SSISIM_DEBUG") == "1"
    try:
        cli.main(args=args, prog_name="ssisim", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.exceptions.NoArgsIsHelpError as exc:  # `ssisim` alone: its help, as --help
        click.echo(exc.format_message())
        sys.exit(EXIT_USAGE)
    except click.UsageError as exc:
        if debug:
            raise
        cmd = exc.ctx.command_path if exc.ctx else "ssisim"
        click.echo(f"{cmd}: {exc.format_message()} (see `{cmd} --help`)", err=True)
        sys.exit(EXIT_USAGE)
    except (click.Abort, KeyboardInterrupt, _Interrupted):
        _say("interrupted")
        sys.exit(EXIT_INTERRUPTED)
    except OperationalError as exc:
        if debug:
            raise
        _say(f"error: {exc}")
        sys.exit(EXIT_FAILED)
    except SsisimError as exc:
        if debug:
            raise
        scenario = isinstance(exc, ScenarioError)
        _say(str(exc) if scenario else f"error: {exc}", lines=scenario)
        sys.exit(EXIT_USAGE)
    except BrokenPipeError:  # `ssisim ... | head`: the reader left
        sys.stderr.close()
        sys.exit(EXIT_FAILED)
    except OSError as exc:  # disk full, read-only folder, ...
        if debug:
            raise
        where = f"{exc.filename}: " if exc.filename else ""
        _say(f"error: {where}{exc.strerror or exc} (run with --debug for details)")
        sys.exit(EXIT_FAILED)
    except MemoryError:
        if debug:
            raise
        _say("error: out of memory; try fewer --workers or a smaller population")
        sys.exit(EXIT_FAILED)
    except Exception as exc:
        if debug:
            raise
        _say(f"error: {type(exc).__name__}: {exc} (an ssisim bug? --debug shows the traceback)")
        sys.exit(EXIT_FAILED)


_on_sigint(signal.default_int_handler, _interrupted_while_starting)
