"""``ssisim plot``: redraw a results directory's figures."""

from __future__ import annotations

from pathlib import Path

import click

__all__ = ["plot"]


@click.command()
@click.argument("run_dir", type=click.Path(path_type=Path))
def plot(run_dir: Path) -> None:
    """Redraw the figures of a results directory from its files.

    Any kind of directory: a run, a sweep, a sensitivity analysis, a team, a
    cohort or a calibration (the kind is read from its manifest or files).
    """
    from ssisim.plots.redraw import redraw

    paths = redraw(run_dir)
    folders = sorted({str(p.parent) for p in paths})
    click.echo(f"{len(paths)} figures in {', '.join(folders)}")
