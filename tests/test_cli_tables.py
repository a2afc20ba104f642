"""The terminal's tables: an undefined acceptance rate reads n/a, not 0.0 ± 0.0."""

from __future__ import annotations

import pandas as pd
from rich.console import Console

from ssisim.cli.tables import terminal_table


def _summary() -> pd.DataFrame:
    """Week 4 of three strategies: one sends no invitations (its recorded rate is
    0 with a 0 interval), one sends some and has all refused, one has 40% accepted."""
    rows = []
    for strategy, sent, rate in (("quiet", 0.0, 0.0), ("refused", 5.0, 0.0), ("open", 5.0, 0.4)):
        for metric, mean in (("ssi", 20.0), ("invitations_sent", sent), ("acceptance_rate", rate)):
            rows.append(
                {"strategy": strategy, "week": 4, "metric": metric, "n": 3, "mean": mean,
                 "std": 0.0, "ci_low": mean, "ci_high": mean}
            )  # fmt: skip
    return pd.DataFrame(rows)


def _cells(table) -> dict[str, list[str]]:
    console = Console(record=True, width=120)
    console.print(table)
    lines = console.export_text().splitlines()
    return {line.split()[0]: line.split()[1:] for line in lines if line.split()[:1] in (
        ["quiet"], ["refused"], ["open"])}  # fmt: skip


def test_an_acceptance_rate_without_invitations_reads_n_a():
    cells = _cells(terminal_table(_summary(), 4, ["ssi", "acceptance_rate"]))
    assert cells["quiet"] == ["20.0", "n/a"]  # no invitation to accept: undefined
    assert cells["refused"] == ["20.0", "0.0"]  # invitations all refused: a true 0%
    assert cells["open"] == ["20.0", "40.0"]


def test_without_the_invitations_column_the_rate_is_shown():
    summary = _summary()
    summary = summary[summary.metric != "invitations_sent"]
    cells = _cells(terminal_table(summary, 4, ["acceptance_rate"]))
    assert cells["quiet"] == ["0.0"]


def test_tables_printed_to_a_pipe_are_120_columns_unless_columns_says(monkeypatch):
    """In a pipe rich lays tables out at 80 columns: the calibration table took
    about 100 lines in a file. COLUMNS still decides when it is set."""
    from ssisim.cli.tables import PIPE_WIDTH, output_console

    for name in ("COLUMNS", "FORCE_COLOR", "TTY_COMPATIBLE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr("sys.stdout.isatty", lambda: False)
    assert output_console().width == PIPE_WIDTH == 120
    monkeypatch.setenv("FORCE_COLOR", "1")  # colours asked for in a pipe: still a pipe
    assert output_console().width == PIPE_WIDTH
    monkeypatch.setenv("COLUMNS", "90")
    assert output_console().width == 90
