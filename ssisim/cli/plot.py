"""``ssisim plot``: redraw a results directory's figures."""

from __future__ import annotations

from pathlib import Path

import click

__all__ = ["plot"]


@click.command()
@click.argument("run_dir", type=click.Path(path_type=Path))
def plot(run_dir: Path) -> None:
    """Redraw the figures of a results directory from its files."""
    from ssisim.plots.figures import plot_all

    paths = plot_all(run_dir)
    click.echo(f"{len(paths)} figures in {run_dir / 'figures'}")
