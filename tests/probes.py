"""What the bot did that Slack does not see, read back for assertions: the statements it
sent to the database, and the bars a chart drew (read from the figure's artists)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from matplotlib.container import BarContainer
from matplotlib.figure import Figure
from sqlalchemy import event

from bot.context import BotContext


@contextmanager
def counted_statements(bot: BotContext) -> Iterator[list[tuple[str, Any]]]:
    """Every statement sent to the database, with its parameters."""
    statements: list[tuple[str, Any]] = []

    def count(*args: Any) -> None:
        statements.append((args[2], args[3]))

    engine = bot.engine.sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def plotted_bars(figure: Figure) -> dict[str, list[float]]:
    [axes] = figure.axes
    return {
        str(container.get_label()): [float(patch.get_height()) for patch in container.patches]
        for container in axes.containers
        if isinstance(container, BarContainer)
    }
