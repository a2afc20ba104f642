"""``ssisim report``: one self-contained HTML (and PDF, and Excel) file for a results folder."""

from __future__ import annotations

import sys
from pathlib import Path

import click

__all__ = ["report", "write_report"]


def write_report(
    run_dir: Path,
    out: Path | None = None,
    *,
    pdf: bool = False,
    xlsx: bool = False,
    language: str | None = None,
    currency: str | None = None,
    client: str | None = None,
    rate: float | None = None,
    rate_date: str | None = None,
    rate_source: str | None = None,
    draw: bool = True,
) -> None:
    """Write the report of ``run_dir`` and print where (``ssisim report`` and ``run --report``)."""
    from ssisim.report.build import build_report, write_pdf, write_xlsx

    command = ["ssisim", *sys.argv[1:]] if sys.argv[1:] else None
    html = build_report(
        run_dir,
        out,
        language=language,
        currency=currency,
        client=client,
        eur_to=rate,
        rate_date=rate_date,
        rate_source=rate_source,
        command=command,
        draw=draw,
    )
    click.echo(f"report in {html}")
    if pdf:
        written = write_pdf(html)
        if written is None:
            click.echo("no PDF: headless Chromium not found (install Debian's `chromium`)")
        else:
            click.echo(f"PDF in {written}")
    if xlsx:
        click.echo(f"workbook in {write_xlsx(run_dir, html.with_suffix('.xlsx'))}")


@click.command()
@click.argument("run_dir", type=click.Path(path_type=Path))
@click.option(
    "--out", type=click.Path(path_type=Path), help="The HTML file (default RUN_DIR/report.html)."
)
@click.option("--pdf", is_flag=True, help="Also print it to PDF (A4) with headless Chromium.")
@click.option("--xlsx", is_flag=True, help="Also write every table to one Excel workbook.")
@click.option(
    "--language",
    "--lang",
    type=click.Choice(["en", "fr"]),
    help="The report's language (default: report.yaml's, else en); the folder's figures "
    "are drawn again in it (--keep-figures keeps those there).",
)
@click.option(
    "--currency",
    metavar="CODE",
    help="Show amounts in this currency, e.g. USD, CHF (default: report.yaml's, else EUR).",
)
@click.option(
    "--rate",
    type=float,
    metavar="X",
    help="1 EUR in --currency, e.g. 1.08 (the model's amounts are in euros); needed unless EUR.",
)
@click.option("--rate-date", metavar="DATE", help="The rate's date, stated in the report.")
@click.option(
    "--rate-source", metavar="TEXT", help="Where the rate comes from, stated in the report."
)
@click.option("--client", metavar="NAME", help="The client's name, on the first page.")
@click.option(
    "--keep-figures",
    is_flag=True,
    help="Embed the figures already in RUN_DIR instead of drawing them again (faster).",
)
def report(
    run_dir: Path,
    out: Path | None,
    pdf: bool,
    xlsx: bool,
    language: str | None,
    currency: str | None,
    client: str | None,
    rate: float | None,
    rate_date: str | None,
    rate_source: str | None,
    keep_figures: bool,
) -> None:
    """Write a self-contained report of a results folder of `ssisim run`, `sweep`,
    `sensitivity`, `team`, `cohort`, `calibrate` or `fit --results`.

    One HTML file (figures embedded, no request to the network, prints to
    A4): what was compared, the verdicts with their confidence intervals,
    the figures, rounded tables, the assumptions that differ from the
    defaults, the calibration status and how to reproduce it. Language,
    currency (with its rate: the model's amounts are in euros) and client
    come from these options, else from a report.yaml in RUN_DIR or beside the
    scenario (see README).
    """
    write_report(
        run_dir,
        out,
        pdf=pdf,
        xlsx=xlsx,
        language=language,
        currency=currency,
        client=client,
        rate=rate,
        rate_date=rate_date,
        rate_source=rate_source,
        draw=not keep_figures,
    )
