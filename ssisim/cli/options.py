"""What several commands share: options, exit codes and the small steps before the library.

Imports only click and the standard library: ``ssisim --help`` must not load
the model. Library modules are imported inside the functions, when a command runs.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from ssisim.scenario.loading import Override, Trust
    from ssisim.scenario.schema import Scenario

EXIT_FAILED = 1
"""Some runs failed, or a calibration target."""
EXIT_USAGE = 2
"""A user error: an option, a scenario, a data file."""
EXIT_INTERRUPTED = 130
"""Ctrl-C."""

SET_HELP = "Override a scenario key, e.g. --set population.size=5000 (repeatable)."

SCHEDULER_HELP = (
    "Run on a Dask cluster: a scheduler address (tcp://host:8786), or 'local' for a "
    "LocalCluster on this machine; default: local processes (also SSISIM_SCHEDULER; a "
    "scenario's execution.scheduler only with --trust-scenario-scheduler)."
)

_TRUST = "ssisim.trust"


def _remember(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    ctx.meta.setdefault(_TRUST, {})[param.name] = value
    return value


_TRUST_OPTIONS: list[Decorator] = [
    click.option(
        "--trust-scenario-scheduler",
        is_flag=True,
        expose_value=False,
        callback=_remember,
        help="Let the scenario's execution.scheduler choose the Dask scheduler (a network "
        "address where code runs); refused without this flag.",
    ),
    click.option(
        "--allow-path",
        multiple=True,
        metavar="DIR",
        type=click.Path(path_type=Path, file_okay=False),
        expose_value=False,
        callback=_remember,
        help="Let the scenario name files in DIR too (scoring: FILE, ...); by default only in "
        "its own folder (repeatable).",
    ),
]


def trust_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """``--trust-scenario-scheduler`` and ``--allow-path``, read back by :func:`current_trust`."""
    return _apply(_TRUST_OPTIONS, f)


def current_trust() -> Trust:
    """What the running command's flags allow the scenario (see :func:`trust_options`)."""
    from ssisim.scenario.loading import Trust

    ctx = click.get_current_context(silent=True)
    given = ctx.meta.get(_TRUST, {}) if ctx is not None else {}
    return Trust(
        scheduler=bool(given.get("trust_scenario_scheduler")),
        allowed_dirs=tuple(given.get("allow_path") or ()),
    )


Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]


def no_figures_option(
    text: str = "Skip the figures (redraw later with `ssisim plot`).",
) -> Decorator:
    """``--no-figures``: the tables without the figures (and without importing matplotlib)."""
    return click.option("--no-figures", "no_figures", is_flag=True, help=text)


def date_order_options(dates: str, format_help: str) -> Decorator:
    """``--dayfirst``, ``--monthfirst`` and ``--date-format``, at most one of them:
    the command gets ``date_order`` ("dayfirst", "monthfirst", a format, or None).
    Two of them together are refused (the last one given used to win, unsaid)."""

    def decorate(f: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(f)
        def command(
            *args: Any, dayfirst: bool, monthfirst: bool, date_format: str | None, **kwargs: Any
        ) -> Any:
            given = [
                name
                for name, value in (
                    ("--dayfirst", dayfirst),
                    ("--monthfirst", monthfirst),
                    ("--date-format", date_format),
                )
                if value
            ]
            if len(given) > 1:
                raise click.UsageError(f"{' and '.join(given)}: give one of them")
            order = "dayfirst" if dayfirst else "monthfirst" if monthfirst else date_format
            return f(*args, date_order=order, **kwargs)

        return _apply(
            [
                click.option("--dayfirst", is_flag=True, help=f"{dates} are DD/MM/YYYY."),
                click.option("--monthfirst", is_flag=True, help=f"{dates} are MM/DD/YYYY."),
                click.option("--date-format", metavar="FORMAT", help=format_help),
            ],
            command,
        )

    return decorate


def _apply(options: Sequence[Decorator], f: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed(options):
        f = option(f)
    return f


def counted(n: int, word: str, plural: str | None = None) -> str:
    """``1 strategy``, ``2 strategies``: a count and its noun (``plural`` default: word + s).

    Examples
    --------
    >>> counted(1, "strategy", "strategies"), counted(3, "week")
    ('1 strategy', '3 weeks')
    """
    return f"{n:,} {word if n == 1 else plural or word + 's'}"


def scenario_overrides(
    overrides: Sequence[str], flags: Sequence[tuple[str, Any, str]]
) -> list[Override]:
    """``--set`` values, then each flag given as ``(key, value, flag)`` (None: not given).

    A flag becomes ``("key=value", "--flag value")`` so that errors name the flag.
    """
    options: list[Override] = list(overrides)
    for key, value, flag in flags:
        if value is not None:
            options.append((f"{key}={value}", f"{flag} {value}"))
    return options


def load(scenario: Path, overrides: Sequence[Override]) -> Scenario:
    """:func:`ssisim.scenario.loading.load_scenario`, imported when a command runs."""
    from ssisim.scenario.loading import load_scenario

    return load_scenario(scenario, overrides, current_trust())


def new_out_dir(out: Path | None, name: str) -> Path:
    """``--out``, or a fresh ``results/<name>/<timestamp>``; refused if it exists."""
    from ssisim.errors import SsisimError
    from ssisim.results.files import default_output_dir

    out_dir = out if out is not None else default_output_dir(name)
    if out_dir.exists():
        raise SsisimError(f"{out_dir}: already exists; choose another --out (nothing was written)")
    return out_dir


SEED_OPTION: Decorator = click.option("--seed", type=click.IntRange(min=0), help="The seed.")
WEEKS_OPTION: Decorator = click.option(
    "--weeks", type=click.IntRange(min=1), help="Horizon in weeks."
)
OUT_OPTION: Decorator = click.option(
    "--out",
    "out",
    type=click.Path(path_type=Path),
    help="Output directory (must not exist; default results/<scenario name>/<timestamp>/).",
)

# --------------------------------------------------------------------------- run, sweep, sensitivity

_EXPERIMENT_OPTIONS: list[Decorator] = [
    SEED_OPTION,
    WEEKS_OPTION,
    OUT_OPTION,
    click.option(
        "--workers",
        type=click.IntRange(min=0),
        help="Local worker processes (0: all cores, the default; or execution.workers). "
        "Results do not depend on it.",
    ),
    click.option("--scheduler", metavar="ADDRESS", help=SCHEDULER_HELP),
    click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE", help=SET_HELP),
    click.option(
        "--resume",
        type=click.Path(path_type=Path),
        metavar="DIR",
        help="Run only what an interrupted run in DIR did not finish, then write its results.",
    ),
    click.option(
        "--dry-run",
        is_flag=True,
        help="Print the runs and an estimate of time, memory and disk.",
    ),
    click.option(
        "--force",
        is_flag=True,
        help="Run even if the estimate of memory or disk space exceeds what is free.",
    ),
    no_figures_option(),
    click.option("--quiet", "-q", is_flag=True, help="No progress bar and no summary table."),
    *_TRUST_OPTIONS,
]


def experiment_options(**flags: str) -> Decorator:
    """The options ``run``, ``sweep`` and ``sensitivity`` share, gathered into one object.

    The command is called with a single
    :class:`~ssisim.experiments.pipeline.ExperimentOptions`. ``flags`` maps the
    command's own options that change the scenario to their scenario keys
    (``reps="replications"``); they apply after ``--set``, then ``--seed``
    and ``--weeks``. Declare those options above this decorator.
    """

    def decorate(command: Callable[..., None]) -> Callable[..., None]:
        @functools.wraps(command)
        def gather(
            scenario: Path,
            seed: int | None,
            weeks: int | None,
            out: Path | None,
            workers: int | None,
            scheduler: str | None,
            overrides: tuple[str, ...],
            resume: Path | None,
            dry_run: bool,
            force: bool,
            no_figures: bool,
            quiet: bool,
            **own: Any,
        ) -> None:
            from ssisim.experiments.pipeline import ExperimentOptions

            if resume is not None and out is not None:
                raise click.UsageError("give either --out or --resume, not both")
            changes = [(key, own[name], f"--{name}") for name, key in flags.items()]
            changes += [("seed", seed, "--seed"), ("weeks", weeks, "--weeks")]
            command(
                ExperimentOptions(
                    scenario=scenario,
                    overrides=tuple(scenario_overrides(overrides, changes)),
                    out=out,
                    workers=workers,
                    scheduler=scheduler,
                    resume=resume,
                    dry_run=dry_run,
                    force=force,
                    figures=not no_figures,
                    quiet=quiet,
                    trust=current_trust(),
                ),
                **{name: value for name, value in own.items() if name not in flags},
            )

        return _apply(_EXPERIMENT_OPTIONS, gather)

    return decorate


# --------------------------------------------------------------------------- team, cohort

_DEBATE_OPTIONS: list[Decorator] = [
    SEED_OPTION,
    WEEKS_OPTION,
    OUT_OPTION,
    click.option(
        "--workers",
        type=click.IntRange(min=0),
        default=0,
        show_default=True,
        help="Local worker processes (0: all cores). Results do not depend on it.",
    ),
    click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE", help=SET_HELP),
    click.option("--quiet", "-q", is_flag=True, help="No progress bar and no tables."),
    no_figures_option(),
    *_TRUST_OPTIONS,
]


def debate_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """The options ``team`` and ``cohort`` share."""
    return _apply(_DEBATE_OPTIONS, f)
