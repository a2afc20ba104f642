"""``ssisim explore``: the browser explorer a trainer projects (Panel, the ``explore`` extra)."""

from __future__ import annotations

import importlib.util
import socket
from pathlib import Path

import click

from ssisim.errors import SsisimError

__all__ = ["DEFAULT_PORT", "explore", "free_port"]

DEFAULT_PORT = 5006
"""The explorer's port unless ``--port`` says otherwise (Panel's usual port); when
it is taken, the next free one of the following twenty is used."""

INSTALL_HINT = "ssisim explore needs Panel: pip install 'ssisim[explore]'"


def free_port(host: str, first: int, tries: int = 20) -> int:
    """The first port from ``first`` that ``host`` can listen on (``first`` 0: any free port)."""
    for port in range(first, first + tries) if first else [0]:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as s:
            try:
                s.bind((host, port))
            except OSError:
                continue
            return int(s.getsockname()[1])
    raise SsisimError(
        f"--port: ports {first}-{first + tries - 1} are all in use on {host}; choose another"
    )


@click.command()
@click.argument("scenario", required=False, type=click.Path(path_type=Path))
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=None,
    help=f"Port to serve on (default {DEFAULT_PORT}, or the next free one; 0: any free port).",
)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; 0.0.0.0 opens the page (and the room's form) to the local network.",
)
@click.option("--no-show", is_flag=True, help="Serve without opening a browser.")
@click.option(
    "--size",
    type=click.IntRange(200, 5_000_000),
    default=None,
    help="Population size to start with (default 10,000: an update within about a second).",
)
@click.option(
    "--reps",
    type=click.IntRange(1, 1000),
    default=None,
    help="Replications per strategy to start with (default 3).",
)
@click.option(
    "--workers",
    type=click.IntRange(0, 256),
    default=0,
    show_default=True,
    help="Worker processes kept for the runs (0: every core; 1: this process).",
)
def explore(
    scenario: Path | None,
    port: int | None,
    host: str,
    no_show: bool,
    size: int | None,
    reps: int | None,
    workers: int,
) -> None:
    """Open the explorer in the browser: strategies side by side, sliders, the networks
    drawn, the debate's presets, and the room's leaderboard.

    SCENARIO (optional) gives the strategies and assumptions to start from;
    by default, open bar against club select. The page starts at a small
    population (shown on the page; raise it there). Needs the `explore`
    extra: pip install 'ssisim[explore]'.
    """
    if importlib.util.find_spec("panel") is None:
        raise SsisimError(INSTALL_HINT)
    from ssisim.explore.app import room_address, serve
    from ssisim.explore.model import DEFAULT_REPLICATIONS, DEFAULT_SIZE

    chosen = free_port(host, DEFAULT_PORT if port is None else port)
    if port is not None and port != 0 and chosen != port:
        raise SsisimError(f"--port: {port} is in use on {host}; choose another")

    def ready(address: str) -> None:
        room = room_address(host, chosen)
        if host in ("127.0.0.1", "localhost", "::1"):
            shown = address
        elif room is not None:  # what the room's devices open
            shown = f"{address} on this machine, {room} for the room"
        else:
            shown = f"{address} (and {host})"
        click.echo(f"ssisim explore: serving {shown} (Ctrl-C to stop)")

    serve(
        scenario,
        port=chosen,
        host=host,
        show=not no_show,
        workers=workers,
        size=size if size is not None else DEFAULT_SIZE,
        replications=reps if reps is not None else DEFAULT_REPLICATIONS,
        ready=ready,
        starting=lambda what: click.echo(f"ssisim explore: {what}…"),
    )
    click.echo("ssisim explore: stopped")
