"""One style: stable colours per strategy name, labels in words, 16:9 figures, currency."""

from __future__ import annotations

import zlib

from ssisim.plots.style import (
    BUILTIN_COLORS,
    FIGSIZE,
    PALETTE,
    Settings,
    label,
    money,
    new_figure,
    strategy_colors,
    using,
)


def test_a_strategy_keeps_its_colour_whatever_the_others():
    a = strategy_colors(["open-bar", "club-select"])
    b = strategy_colors(["club-select", "zoom", "open-bar", "my-routine"])
    assert a["open-bar"] == b["open-bar"] and a["club-select"] == b["club-select"]
    assert len(set(b.values())) == 4


def test_custom_names_hash_with_crc32_not_palette_order():
    from matplotlib.colors import to_rgb

    name = "ciso-breakfasts"
    expected = to_rgb(PALETTE[zlib.crc32(name.encode()) % len(PALETTE)])
    assert strategy_colors([name])[name] == expected
    assert set(BUILTIN_COLORS) >= {"open-bar", "club-select", "inactive"}


def test_labels_are_words():
    assert label("strategies.open-bar.invites_per_week") == "open-bar: invitations per week"
    assert label("pipeline_value_eur") == "pipeline value"
    assert "_" not in label("answers.messaging.cold_reply_rate")


def test_every_figure_is_16_by_9_and_amounts_carry_the_currency():
    for context in ("paper", "talk"):
        w, h = FIGSIZE[context]
        assert abs(w / h - 16 / 9) < 0.01
        with using(Settings(context=context)):
            fig = new_figure()
            assert abs(fig.get_figwidth() / fig.get_figheight() - 16 / 9) < 0.01
    with using(Settings(currency="USD")):
        assert money(1_500_000) == "$1.5M"
    assert money(950, code="CHF") == "CHF 950"
