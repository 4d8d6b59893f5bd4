"""Charts drawn from numbers: a line or grouped-bar chart as a PNG, with matplotlib.

Anything that shows figures as a picture (an incident's evidence, the insights) describes
it as `ChartData` and calls `render_png`. Figures are built on matplotlib's object API with
the Agg canvas: no pyplot, so no global state shared between concurrent requests and no
display needed. `draw` returns the figure itself, so that tests read back what was plotted.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure

MARK_GID = "mark"
"""The ``gid`` of the vertical line at ``mark_x``, to tell it from the data lines."""

_SIZE_INCHES = (8.0, 4.5)
_DPI = 100
_MAX_TICKS = 12  # x labels shown at most; the others are left out, evenly


class ChartStyle(StrEnum):
    LINE = "line"
    BARS = "bars"
    # One bar per x label, the series piled on one another (shares of a whole).
    STACKED = "stacked"


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float]
    # Half the width of each value's interval, drawn as an error bar (bars only).
    errors: Sequence[float] | None = None


@dataclass(frozen=True)
class ChartData:
    """What to draw: one value per x label in every series."""

    title: str
    x_label: str
    y_label: str
    x: Sequence[str]
    series: Sequence[Series]
    style: ChartStyle = ChartStyle.LINE
    # A vertical line at one of the x labels: a deploy, a migration, an upstream change.
    mark_x: str | None = None
    mark_label: str | None = None

    def __post_init__(self) -> None:
        for series in self.series:
            if len(series.values) != len(self.x):
                raise ValueError(f"series {series.name!r} has {len(series.values)} values")
            if series.errors is not None and len(series.errors) != len(self.x):
                raise ValueError(f"series {series.name!r} has {len(series.errors)} errors")


def draw(chart: ChartData) -> Figure:
    """The chart as a matplotlib figure, attached to an Agg canvas."""
    # Imported on the first chart, not at start-up: matplotlib adds about a second and
    # tens of megabytes to every process, most of which never draws anything.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=_SIZE_INCHES, dpi=_DPI, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    positions = list(range(len(chart.x)))
    if chart.style == ChartStyle.BARS:
        width = 0.8 / len(chart.series)
        for index, series in enumerate(chart.series):
            offset = (index - (len(chart.series) - 1) / 2) * width
            axes.bar(
                [p + offset for p in positions],
                series.values,
                width=width,
                label=series.name,
                yerr=series.errors,
                capsize=3 if series.errors is not None else 0,
            )
        if any(value < 0 for series in chart.series for value in series.values):
            # Offsets either side of zero: the zero line is what they are read against.
            axes.axhline(0, color="black", linewidth=0.8, gid=MARK_GID)
    elif chart.style == ChartStyle.STACKED:
        bottoms = [0.0] * len(positions)
        for series in chart.series:
            axes.bar(positions, series.values, width=0.7, bottom=bottoms, label=series.name)
            bottoms = [b + v for b, v in zip(bottoms, series.values, strict=True)]
    else:
        for series in chart.series:
            axes.plot(positions, series.values, marker="o", markersize=3, label=series.name)
    if chart.mark_x is not None:
        axes.axvline(
            chart.x.index(chart.mark_x),
            color="tab:red",
            linestyle="--",
            label=chart.mark_label,
            gid=MARK_GID,
        )
    # A time line keeps a dozen labels; categories (bars) each keep theirs.
    many = chart.style == ChartStyle.LINE
    step = max(1, -(-len(chart.x) // _MAX_TICKS)) if many else 1
    axes.set_xticks(positions[::step], list(chart.x)[::step], rotation=30, ha="right")
    axes.set_title(chart.title)
    axes.set_xlabel(chart.x_label)
    axes.set_ylabel(chart.y_label)
    axes.grid(True, alpha=0.3)
    if chart.style == ChartStyle.LINE:
        axes.legend()
    else:
        # Beside the bars rather than over them.
        axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize="small")
    return figure


def render_png(chart: ChartData) -> bytes:
    """The chart as PNG bytes. CPU-bound for tens of milliseconds: run it in a thread."""
    buffer = io.BytesIO()
    draw(chart).savefig(buffer, format="png")
    return buffer.getvalue()
