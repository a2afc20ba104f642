"""``ssisim run``, ``ssisim sweep`` and ``ssisim sensitivity``: one pipeline, three outputs.

The pipeline is :mod:`ssisim.experiments.pipeline`; these commands print.
"""

from __future__ import annotations

import shlex
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ssisim.cli.options import EXIT_FAILED, EXIT_INTERRUPTED, counted, experiment_options
from ssisim.errors import OperationalError

if TYPE_CHECKING:
    from ssisim.experiments.pipeline import Experiment, ExperimentOptions, Outcome

__all__ = ["run", "sensitivity", "sweep"]


def _start(
    kind: str, opts: ExperimentOptions, report: bool = False
) -> tuple[Experiment, Outcome] | None:
    """Prepare and run, with a progress bar; None after a dry run (printed)."""
    from ssisim.cli.progress import progress_bar
    from ssisim.experiments.pipeline import prepare_experiment, run_experiment
    from ssisim.plots.client import client_options

    if opts.figures or report:  # the figures and the report read these: check them first
        client_options(Path(opts.scenario).parent)
        if opts.resume is not None:
            client_options(Path(opts.resume))
    exp = prepare_experiment(kind, opts)
    if exp.estimate is not None:
        est = exp.estimate
        where = (
            f"Dask scheduler {exp.scheduler}" if exp.scheduler else f"{est.workers} local worker(s)"
        )
        click.echo(f"{kind} {exp.scenario.name!r} on {where}, results in {exp.out}")
        for line in est.lines():
            click.echo(f"  {line}")
        if not est.fits:
            click.echo(f"  refused without --force: {est.refusal()}")
        return None
    with resumable(exp), progress_bar(exp.todo_runs, opts.quiet) as advance:
        outcome = run_experiment(exp, advance)
    return exp, outcome


@contextmanager
def resumable(exp: Experiment) -> Iterator[None]:
    """Once the results directory exists, an interruption (Ctrl-C at any moment)
    or a failure of the machine (disk full, a read-only folder) ends in one line
    that says how to finish with ``--resume``."""
    try:
        yield
    except KeyboardInterrupt:
        click.echo(exp.interrupted_line(), err=True)
        sys.exit(EXIT_INTERRUPTED)
    except (OSError, OperationalError) as exc:
        if click.get_current_context().find_root().params.get("debug"):
            raise
        if isinstance(exc, OperationalError):
            what = str(exc)
        else:
            what = f"{exc.filename + ': ' if exc.filename else ''}{exc.strerror or exc}"
        if not exp.results.root.is_dir():
            click.echo(f"error: {what}", err=True)
            sys.exit(EXIT_FAILED)
        click.echo(
            f"error: {what}; once fixed, finish with "
            f"`{exp.command} --resume {shlex.quote(str(exp.results.root))}`",
            err=True,
        )
        sys.exit(EXIT_FAILED)


def _finish(exp: Experiment, outcome: Outcome, head: str) -> None:
    """The final line; the failures, if any, on stderr with exit status 1."""
    from ssisim.experiments.pipeline import failure_line, rate_line

    root = exp.results.root
    click.echo(f"{head}: {rate_line(outcome)}; results in {root}")
    if outcome.failures:
        click.echo(failure_line(outcome.failures, root, exp.command), err=True)
        sys.exit(EXIT_FAILED)


@click.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option("--reps", type=click.IntRange(min=1), help="Replications per strategy.")
@click.option("--report", is_flag=True, help="Write report.html at the end (`ssisim report`).")
@experiment_options(reps="replications")
def run(opts: ExperimentOptions, report: bool = False) -> None:
    """Run a scenario: every strategy, every replication; write the results.

    Writes weekly.csv, summary.csv, manifest.json and figures/ into OUT
    (default results/<scenario name>/<timestamp>/), and the runs as they
    finish under weekly/ (Parquet), so that an interrupted run can be resumed.
    """
    started = _start("run", replace(opts, report=report), report)
    if started is None:
        return
    exp, outcome = started
    with resumable(exp):
        import pandas as pd

        from ssisim.cli.tables import output_console, save_summary, terminal_table
        from ssisim.experiments.pipeline import finalize_run, run_manifest
        from ssisim.results.outcomes import debate_sentences, write_outcomes
        from ssisim.sim.routine import budget_note, cap_note

        sc, store = exp.scenario, exp.results
        weekly, summary = finalize_run(store, run_manifest("run", sc, outcome), outcome.failures)
        written, _ = write_outcomes(store.root, weekly, sc.contexts, sc.weeks)
        if opts.figures:
            from ssisim.plots.redraw import redraw

            redraw(store.root)
        table = terminal_table(summary, sc.weeks)
        sentences = debate_sentences(pd.read_csv(written[0]))
        # a routine whose rates were scaled (by its budget or by equal time), or held
        # back by the invitation cap, says so
        notes = [n for st in sc.strategies for n in (budget_note(st, sc), cap_note(st, sc)) if n]
        save_summary(store.root, [table], [*sentences, *notes])
        if not opts.quiet:
            output_console().print(table)
            for sentence in sentences:
                click.echo(sentence)
        for note in notes:
            click.echo(note)
        if report:
            from ssisim.cli.report import write_report

            write_report(store.root)
        head = (
            f"{counted(len(sc.strategies), 'strategy', 'strategies')} x "
            f"{counted(sc.replications, 'replication')}, {counted(sc.weeks, 'week')}"
        )
        _finish(exp, outcome, head)


@click.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option("--reps", type=click.IntRange(min=1), help="Replications per strategy and point.")
@experiment_options(reps="replications")
def sweep(opts: ExperimentOptions) -> None:
    """Run every point of the scenario's sweep: block (grid and samples, or one at a time).

    Writes summary.csv (per point, strategy, checkpoint and metric, with the
    swept values as columns), points.csv, outcomes.csv and differences.csv
    per point, manifest.json, figures/sweep.png, and every run under weekly/
    (Parquet, one folder per point). A one_at_a_time sweep also writes
    flips.csv and flips.txt: which assumption changes each verdict, and how
    far it must move. Interrupted? --resume DIR runs only what is missing;
    the files come out the same.
    """
    started = _start("sweep", opts)
    if started is None:
        return
    exp, outcome = started
    with resumable(exp):
        from ssisim.experiments.pipeline import finalize_sweep, run_manifest

        sc, store = exp.scenario, exp.results
        plan = store.plan
        extra = {"sweep": {"points": len(plan.points), "columns": list(plan.columns)}}
        at_horizon = finalize_sweep(
            store, run_manifest("sweep", sc, outcome, extra), outcome.failures
        )
        from ssisim.cli.debate import sweep_flips, sweep_outcomes

        sweep_outcomes(store.root, sc)  # outcomes per point: opportunities, value, value per hour
        # one at a time: where each verdict changes, and how far the assumption moved
        flips = sweep_flips(store.root) if sc.sweep.one_at_a_time else []
        if opts.figures:
            from ssisim.plots.redraw import redraw

            redraw(store.root)
        if not opts.quiet and not at_horizon.empty:
            from ssisim.cli.tables import output_console, sweep_table

            changes = None
            if sc.sweep.one_at_a_time:
                from ssisim.experiments.sweep import one_at_a_time_changes

                changes = one_at_a_time_changes(plan)
            output_console().print(sweep_table(at_horizon, plan.columns, sc.weeks, changes=changes))
        if not opts.quiet:
            for sentence in flips:
                click.echo(sentence)
        strategies = len(sc.strategies)
        head = (
            f"sweep of {len(plan.points)} points x {strategies} "
            f"strateg{'y' if strategies == 1 else 'ies'} x {sc.replications} replications"
        )
        _finish(exp, outcome, head)


@click.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option("--samples", type=click.IntRange(min=2), help="Saltelli's N (a power of 2).")
@click.option(
    "--reps", type=click.IntRange(min=1), help="Replications per design point (averaged)."
)
@experiment_options(samples="sensitivity.samples", reps="sensitivity.replications")
def sensitivity(opts: ExperimentOptions) -> None:
    """Which uncertain parameter moves the SSI most: Sobol' indices and a tornado.

    Reads the scenario's sensitivity: block (parameters and their ranges) and
    writes sobol.csv (first-order and total indices with 95% intervals, per
    strategy and output), tornado.csv, samples.csv, figures/sobol.png and
    figures/tornado.png.
    """
    started = _start("sensitivity", opts)
    if started is None:
        return
    exp, outcome = started
    with resumable(exp):
        from ssisim.experiments.pipeline import run_manifest
        from ssisim.experiments.sensitivity import analyze
        from ssisim.results.files import MANIFEST_FILE, write_json

        sc, store, design = exp.scenario, exp.results, exp.design
        assert design is not None  # planned by prepare_experiment
        strategies = len(sc.strategies)
        head = (
            f"sensitivity of {len(design.parameters)} parameters, "
            f"{design.sobol_points} Sobol' points + {len(store.plan.points) - design.sobol_points} "
            f"tornado points x {strategies} strateg{'y' if strategies == 1 else 'ies'}"
            f" x {sc.sensitivity.replications} replications"
        )
        info = {
            "sensitivity": {"parameters": list(design.parameters), "outputs": list(design.outputs)}
        }
        write_json(store.root / MANIFEST_FILE, run_manifest("sensitivity", sc, outcome, info))
        if outcome.failures:
            _finish(exp, outcome, head)
        seed = sc.sensitivity.seed if sc.sensitivity.seed is not None else sc.seed
        sobol, _tornado, _ = analyze(store, design, seed)
        if opts.figures:
            from ssisim.plots.redraw import redraw

            redraw(store.root)
        output = design.outputs[0]
        top = sobol[sobol["output"] == output]
        if not opts.quiet:
            from ssisim.cli.tables import output_console, sobol_table

            output_console().print(sobol_table(top, output, sc.weeks))
        best = (
            top.sort_values("ST", ascending=False, kind="stable")
            .groupby("strategy", sort=False)
            .head(1)
        )
        moves = "; ".join(
            f"{r.strategy}: {r.parameter} moves {output} most (ST {r.ST:.2f} ± {r.ST_conf:.2f})"
            for r in best.itertuples()
        )
        from ssisim.plots.experiments import sobol_warnings

        for line in sobol_warnings(sobol):  # as on the figure and in the report
            click.echo(f"warning: {line}", err=True)
        _finish(exp, outcome, head + (f"; {moves}" if moves else ""))
