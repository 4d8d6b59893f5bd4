"""The daily digest over a large pipeline: how long it takes, how many statements it runs.

Built in this process against a seeded copy of the database, as the daily job builds it
(``build_digest`` then the message's blocks and summary), with a fresh engine per size so
that nothing is cached from the other size; timed twice, cold (the first digest after a
start) and warm. Statements are counted with a ``before_cursor_execute`` listener.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event

from bench.report import Figure, at_most, below
from bench.seed import Shape, seed_pipeline
from bench.sizes import Sizes
from bench.world import Bench, Run
from bot.config import load_settings
from bot.context import BotContext
from bot.digest import build_digest
from bot.kits import default_prompts_dir, load_kits
from bot.runtime import create_context
from handlers.digest_blocks import digest_blocks, digest_summary
from slackfake import message_errors
from storage.db import create_engine, session_factory
from tests.harness import HIRING_CHANNEL, SIGNING_SECRET


def pipeline_shape(candidates: int) -> Shape:
    """4 interviews a candidate, 3 scorecards each; the latest has a 4th interviewer who is
    late, and earlier stages have their decisions."""
    return Shape(
        candidates=candidates,
        interviews=4,
        interviewers=3,
        scorecards=3,
        late_interviewers=1,
        decisions=True,
    )


async def pipeline(bench: Bench, candidates: int) -> Path:
    """The seeded database of ``candidates`` active candidates (built once per bench)."""

    async def seed(url: str) -> None:
        engine = create_engine(url)
        kits = load_kits(default_prompts_dir())
        try:
            await seed_pipeline(
                session_factory(engine), kits, pipeline_shape(candidates), datetime.now(UTC)
            )
        finally:
            await engine.dispose()

    return await bench.database(f"pipeline-{candidates}", seed)


class StatementCounter:
    """A ``before_cursor_execute`` listener: every statement sent to the database."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, *_event: Any) -> None:
        self.count += 1


def _context(database: Path) -> BotContext:
    settings = load_settings(
        {
            "SLACK_BOT_TOKEN": "xoxb-bench",
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "HIRING_CHANNEL_ID": HIRING_CHANNEL,
            "DATABASE_URL": f"sqlite+aiosqlite:///{database}",
        }
    )
    return create_context(settings)


async def _build(bot: BotContext) -> tuple[float, list[dict[str, Any]]]:
    started = time.perf_counter()
    async with bot.sessions() as session:
        digest = await build_digest(session, bot, bot.clock.now())
    blocks = digest_blocks(digest)
    digest_summary(digest)
    return time.perf_counter() - started, blocks


# Every list of the digest full: its first lines, then its count from the index (a list
# shorter than its lines is one statement). However large the pipeline, no more than this.
MOST_STATEMENTS = 16


async def run_once(bench: Bench, workdir: Path, index: int) -> Run:
    run = Run()
    counts: dict[int, int] = {}
    for size in bench.sizes.digest_candidates:
        database = await bench.copy(await pipeline(bench, size), workdir / str(size))
        bot = _context(database)
        statements = StatementCounter()
        event.listen(bot.engine.sync_engine, "before_cursor_execute", statements)
        try:
            cold, blocks = await _build(bot)
            counts[size] = statements.count
            warm, _ = await _build(bot)
        finally:
            await bot.engine.dispose()
        run.figures[f"digest.{size}.cold"] = cold * 1000
        run.figures[f"digest.{size}.warm"] = warm * 1000
        run.figures[f"digest.{size}.statements"] = counts[size]
        errors = message_errors(blocks)
        run.check(not errors, f"digest of {size} candidates is not a valid message: {errors}")
    smallest, largest = min(counts), max(counts)
    for kind in ("cold", "warm"):
        run.figures[f"digest.ratio.{kind}"] = (
            run.figures[f"digest.{largest}.{kind}"] / run.figures[f"digest.{smallest}.{kind}"]
        )
    run.check(
        max(counts.values()) <= MOST_STATEMENTS,
        f"the digest runs more than {MOST_STATEMENTS} statements: {counts}",
    )
    return run


def figures(sizes: Sizes) -> list[Figure]:
    largest = max(sizes.digest_candidates)
    result: list[Figure] = []
    for size in sizes.digest_candidates:
        limit = below(1000, "ms") if size == largest else None
        result += [
            Figure(f"digest.{size}.cold", f"digest of {size} candidates, first", "ms", limit),
            Figure(f"digest.{size}.warm", f"digest of {size} candidates, again", "ms"),
            Figure(f"digest.{size}.statements", f"SQL statements, {size} candidates", "count"),
        ]
    smallest = min(sizes.digest_candidates)
    # The cost should not follow the pipeline: ten times the candidates, at most twice the time.
    for kind, word in (("cold", "first"), ("warm", "again")):
        label = f"digest {largest} / {smallest} candidates, {word}"
        result.append(Figure(f"digest.ratio.{kind}", label, "x", at_most(2, "x")))
    return result
