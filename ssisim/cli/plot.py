"""``ssisim plot``: redraw a results directory's figures."""

from __future__ import annotations

from pathlib import Path

import click

__all__ = ["plot"]


@click.command()
@click.argument("run_dir", type=click.Path(path_type=Path))
@click.option(
    "--context",
    type=click.Choice(["paper", "talk"]),
    default="paper",
    show_default=True,
    help="talk: larger type for a 16:9 slide read from the back of a room.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["png", "svg", "pdf"]),
    default="png",
    show_default=True,
    help="The figures' file format.",
)
@click.option(
    "--strategies", metavar="A,B", help="Draw only these strategies (comma-separated names)."
)
@click.option(
    "--currency",
    metavar="CODE",
    help="Show amounts in this currency, e.g. USD (default: report.yaml's, else EUR).",
)
@click.option(
    "--rate",
    type=float,
    metavar="X",
    help="1 EUR in --currency (the model's amounts are in euros); needed unless EUR.",
)
@click.option(
    "--language",
    "--lang",
    type=click.Choice(["en", "fr"]),
    help="The figures' language (default: report.yaml's, else English).",
)
def plot(
    run_dir: Path,
    context: str,
    fmt: str,
    strategies: str | None,
    currency: str | None,
    rate: float | None = None,
    language: str | None = None,
) -> None:
    """Redraw the figures of a results directory from its files.

    Any kind of directory: a run, a sweep, a sensitivity analysis, a team, a
    cohort, a calibration or a fit (the kind is read from its manifest or
    files). Every figure is 16:9, titled with its finding.
    """
    from dataclasses import replace

    from ssisim.cli.options import counted
    from ssisim.plots.redraw import directory_kind, redraw
    from ssisim.plots.style import Settings

    names = tuple(s.strip() for s in strategies.split(",") if s.strip()) if strategies else None
    options = Settings(context=context, format=fmt, strategies=names)
    if currency:
        options = replace(options, currency=currency.upper())
    if rate is not None:
        options = replace(options, eur_to=rate)
    if language:
        options = replace(options, language=language)
    paths = redraw(run_dir, options)
    folders = sorted({str(p.parent) for p in paths})
    click.echo(f"{counted(len(paths), 'figure')} in {', '.join(folders)}")
    if directory_kind(run_dir) == "sensitivity":
        import pandas as pd

        from ssisim.plots.experiments import sobol_warnings

        for line in sobol_warnings(pd.read_csv(run_dir / "sobol.csv")):
            click.echo(f"warning: {line}", err=True)
