"""The terminal summary fits 80 columns and is saved as summary.txt and summary.md."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ssisim.cli.tables import _HEADERS, save_summary, terminal_table
from ssisim.results.outcomes import debate_sentences


def test_the_summary_fits_80_columns_and_is_saved(run_folder: Path, tmp_path: Path):
    summary = pd.read_csv(run_folder / "summary.csv")
    table = terminal_table(summary, int(summary["week"].max()))
    sentences = debate_sentences(pd.read_csv(run_folder / "outcomes.csv"))
    txt, md = save_summary(tmp_path, [table], sentences)
    text = txt.read_text(encoding="utf-8")
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 80
    header = "\n".join(lines[:6])
    for name in ("SSI", "brand", "people", "insights", "relat.", "accept."):
        assert name in header  # each header word whole, never split
    assert "relevant" in header and "conn." in _HEADERS["connections"]
    assert sentences[0].split(",")[0] in text.replace("\n", " ")
    markdown = md.read_text(encoding="utf-8")
    assert markdown.count("| open-bar |") == 1 and sentences[-1] in markdown
