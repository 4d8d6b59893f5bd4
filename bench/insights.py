"""The insights over a large history: how long the statistics take, how many statements
they run, and how long the charts take to draw.

On a copy of a seeded database of the largest digest size (5,000 candidates in the full
bench), 4 interviews each with 3 scorecards, decisions, notes per question and some red
flags: ``team_insights`` and the message's blocks, with a fresh engine, timed cold and
warm with their statements counted; then the three charts drawn to PNG, the first time in
this process (matplotlib's import included, as the bot's first chart pays it) and again.
"""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import event

from bench.digest import StatementCounter, _context, pipeline_shape
from bench.report import Figure, below
from bench.seed import seed_pipeline
from bench.sizes import Sizes
from bench.world import Bench, Run
from bot.charts import render_png
from bot.context import BotContext
from bot.insight_charts import team_charts
from bot.insights import TeamInsights, team_insights
from bot.kits import default_prompts_dir, load_kits
from handlers.insights_blocks import team_insights_message
from slackfake import message_errors
from storage.db import create_engine, session_factory


def size_of(sizes: Sizes) -> int:
    return max(sizes.digest_candidates)


async def history(bench: Bench, candidates: int) -> Path:
    async def seed(url: str) -> None:
        engine = create_engine(url)
        kits = load_kits(default_prompts_dir())
        shape = replace(pipeline_shape(candidates), answers=True)
        try:
            await seed_pipeline(session_factory(engine), kits, shape, datetime.now(UTC))
        finally:
            await engine.dispose()

    return await bench.database(f"insights-{candidates}", seed)


async def _build(bot: BotContext) -> tuple[float, TeamInsights]:
    started = time.perf_counter()
    insights = await team_insights(bot)
    text, blocks = team_insights_message(insights)
    elapsed = time.perf_counter() - started
    assert text and not message_errors(blocks), message_errors(blocks)
    return elapsed, insights


def _draw(insights: TeamInsights) -> float:
    started = time.perf_counter()
    for chart in team_charts(insights, {}):
        render_png(chart.data)
    return time.perf_counter() - started


async def run_once(bench: Bench, workdir: Path, index: int) -> Run:
    run = Run()
    size = size_of(bench.sizes)
    database = await bench.copy(await history(bench, size), workdir / str(size))
    bot = _context(database)
    statements = StatementCounter()
    event.listen(bot.engine.sync_engine, "before_cursor_execute", statements)
    try:
        cold, insights = await _build(bot)
        counted = statements.count
        warm, _ = await _build(bot)
    finally:
        await bot.engine.dispose()
    run.figures[f"insights.{size}.cold"] = cold * 1000
    run.figures[f"insights.{size}.warm"] = warm * 1000
    run.figures[f"insights.{size}.statements"] = counted
    run.figures["insights.charts.first"] = _draw(insights) * 1000
    run.figures["insights.charts.again"] = _draw(insights) * 1000
    run.check(len(team_charts(insights, {})) == 3, "the insights did not make three charts")
    return run


def figures(sizes: Sizes) -> list[Figure]:
    size = size_of(sizes)
    return [
        Figure(f"insights.{size}.cold", f"insights of {size} candidates, first", "ms"),
        Figure(f"insights.{size}.warm", f"insights of {size} candidates, again", "ms"),
        Figure(f"insights.{size}.statements", f"SQL statements, {size} candidates", "count"),
        Figure(
            "insights.charts.first",
            "three insights charts to PNG, first in the process",
            "ms",
            below(2000, "ms"),
        ),
        Figure(
            "insights.charts.again", "three insights charts to PNG, again", "ms", below(2000, "ms")
        ),
    ]
