"""Charts are checked by their data: what the figure plots, read back from its artists."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest
from matplotlib.container import BarContainer
from matplotlib.figure import Figure

from bot.charts import MARK_GID, ChartData, ChartStyle, Series, draw, render_png
from bot.kits import default_prompts_dir, load_kits
from tests.probes import plotted_bars

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
SHIPPED = load_kits(default_prompts_dir())


def plotted_lines(figure: Figure) -> dict[str, list[float]]:
    """Each data line's legend label and y values, the mark line left out."""
    [axes] = figure.axes
    return {
        str(line.get_label()): [float(y) for y in line.get_ydata()]
        for line in axes.get_lines()
        if line.get_gid() != MARK_GID
    }


def mark_position(figure: Figure) -> float | None:
    [axes] = figure.axes
    marks = [line for line in axes.get_lines() if line.get_gid() == MARK_GID]
    return float(marks[0].get_xdata()[0]) if marks else None


def test_a_line_chart_plots_every_series_value_for_value() -> None:
    chart = ChartData(
        title="CTR",
        x_label="Day",
        y_label="CTR (%)",
        x=("Mon", "Tue", "Wed"),
        series=(Series("Web", (4.1, 4.0, 4.2)), Series("App", (4.3, 3.1, 2.2))),
        mark_x="Tue",
        mark_label="SDK rollout",
    )
    figure = draw(chart)
    [axes] = figure.axes
    assert plotted_lines(figure) == {"Web": [4.1, 4.0, 4.2], "App": [4.3, 3.1, 2.2]}
    assert mark_position(figure) == 1.0
    assert (axes.get_title(), axes.get_xlabel(), axes.get_ylabel()) == ("CTR", "Day", "CTR (%)")
    assert [tick.get_text() for tick in axes.get_xticklabels()] == ["Mon", "Tue", "Wed"]
    legend = axes.get_legend()
    assert legend is not None
    assert [text.get_text() for text in legend.get_texts()] == ["Web", "App", "SDK rollout"]


def test_a_bar_chart_groups_its_series_side_by_side() -> None:
    chart = ChartData(
        title="txn_count_24h",
        x_label="Count",
        y_label="Share (%)",
        x=("0", "1", "2"),
        series=(Series("Offline", (22, 27, 18)), Series("Online", (14, 19, 17))),
        style=ChartStyle.BARS,
    )
    figure = draw(chart)
    assert plotted_bars(figure) == {"Offline": [22, 27, 18], "Online": [14, 19, 17]}
    [axes] = figure.axes
    offline, online = (c for c in axes.containers if isinstance(c, BarContainer))
    # Side by side: each online bar just right of its offline bar, around the same label.
    for left, right, position in zip(offline.patches, online.patches, range(3), strict=True):
        assert left.get_x() + left.get_width() == pytest.approx(right.get_x())
        assert left.get_x() < position < right.get_x() + right.get_width()
    assert plotted_lines(figure) == {}


def test_many_days_show_a_readable_subset_of_labels() -> None:
    days = tuple(f"Day {n}" for n in range(1, 61))
    figure = draw(ChartData("t", "x", "y", days, (Series("s", tuple(range(60))),)))
    [axes] = figure.axes
    shown = [tick.get_text() for tick in axes.get_xticklabels()]
    assert 2 <= len(shown) <= 12 and shown[0] == "Day 1"
    assert plotted_lines(figure)["s"] == [float(n) for n in range(60)]


def test_mismatched_lengths_are_refused() -> None:
    with pytest.raises(ValueError, match="'s' has 2 values"):
        ChartData("t", "x", "y", ("a", "b", "c"), (Series("s", (1, 2)),))


def test_render_png_is_a_png() -> None:
    chart = ChartData("t", "x", "y", ("a", "b"), (Series("s", (1, 2)),))
    assert render_png(chart).startswith(PNG_MAGIC)


def _shipped_charts() -> list[Any]:
    return [
        pytest.param(inject.chart, id=f"{scenario.key}.{inject.id}")
        for scenario in SHIPPED.incidents
        for inject in scenario.injects
        if inject.chart is not None
    ]


@pytest.mark.parametrize("chart", _shipped_charts())
def test_each_shipped_chart_plots_the_numbers_of_its_file(chart: Any) -> None:
    figure = draw(chart.data())
    expected = {series.name: list(series.values) for series in chart.series}
    plotted = plotted_bars(figure) if chart.style == ChartStyle.BARS else plotted_lines(figure)
    assert plotted == expected
    if chart.mark is not None:
        assert mark_position(figure) == chart.x.index(chart.mark.x)


def test_the_ctr_scenario_shows_a_30_percent_drop_on_mobile_only() -> None:
    """The evidence tells the story the brief sets up: all traffic down by about 30%,
    web flat, the app's fall starting at the SDK rollout."""
    scenario = SHIPPED.incident("ctr_drop")
    assert scenario is not None
    inject = scenario.inject("ctr_dashboard")
    assert inject is not None and inject.chart is not None
    lines = plotted_lines(draw(inject.chart.data()))
    overall, web, app = lines["All traffic"], lines["Web"], lines["Mobile app"]
    assert 1 - overall[-1] / overall[0] == pytest.approx(0.3, abs=0.03)
    assert max(web) - min(web) <= 0.25
    rollout = inject.chart.x.index("Nov 9")
    assert max(app[:rollout]) - min(app[:rollout]) <= 0.1
    assert app[-1] < app[rollout] * 0.6


def test_the_bot_starts_without_loading_what_only_some_paths_use() -> None:
    """Drawing pays for matplotlib on the first chart; starting the bot does not. Nor does it
    pay for what only some paths use: reading a calendar (caldav, recurring-ical-events)
    or Socket Mode's client, when in HTTP mode."""
    later = ("matplotlib", "caldav", "recurring_ical_events", "slack_bolt.adapter.socket_mode")
    probe = f"import sys, bot.app, bot.runtime; print([m for m in {later!r} if m in sys.modules])"
    found = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert found.stdout.strip() == "[]"
