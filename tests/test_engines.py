"""The harness's engine serves one test after another (``tests/engines.py``), and each test
still starts on a fresh database: nothing the test before stored, ids from 1, no connection
of the test before; only the compiled statements carry over."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func
from sqlalchemy.engine import make_url
from sqlalchemy.engine.interfaces import CacheStats
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select

from bot.clock import FrozenClock
from bot.config import Settings
from bot.context import BotContext
from bot.kits import Kits
from storage.db import session_factory
from storage.models import Candidate
from tests.conftest import fresh_database
from tests.engines import Engines
from tests.seed import add_candidate

pytestmark = pytest.mark.both_databases


def candidates_named(name: str) -> Any:
    return select(func.count()).select_from(Candidate).where(Candidate.name == name)


def bot_on(engine: AsyncEngine, settings: Settings, clock: FrozenClock, kits: Kits) -> BotContext:
    """The bot as ``make_harness`` builds it on ``engine``."""
    return BotContext(
        settings=settings, engine=engine, sessions=session_factory(engine), clock=clock, kits=kits
    )


async def test_an_engine_given_back_serves_the_next_test_on_a_fresh_database(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    settings: Settings,
    clock: FrozenClock,
    kits: Kits,
) -> None:
    """One test, then the next, as the fixtures run them: ``fresh_database`` for each, the
    engine taken for the first and given back at its end."""
    engines = Engines()
    first, following = tmp_path / "first", tmp_path / "next"
    first.mkdir()
    following.mkdir()
    url = fresh_database(request, first)
    engine = engines.take(url)
    first_bot = bot_on(engine, settings, clock, kits)
    candidate = await add_candidate(first_bot, "Left Behind")
    assert candidate.id == 1
    async with first_bot.sessions() as session:
        assert (await session.exec(candidates_named("Left Behind"))).one() == 1
    pool = engine.sync_engine.pool
    database = make_url(url).database
    # As a test that forgot to close one would: still open when the next test starts.
    leftover = sqlite3.connect(database) if engine.dialect.name == "sqlite" and database else None
    await engines.give_back(engine)

    next_url = fresh_database(request, following)
    assert next_url == url
    again = engines.take(next_url)
    assert again is engine
    # Disposed in between: a new pool, so no connection of the test before.
    assert again.sync_engine.pool is not pool
    hits: list[bool] = []

    def cache_hit(*args: Any) -> None:
        hits.append(args[4].cache_hit is CacheStats.CACHE_HIT)

    bot = bot_on(again, settings, clock, kits)
    event.listen(again.sync_engine, "before_cursor_execute", cache_hit)
    try:
        async with bot.sessions() as session:
            left = (await session.exec(candidates_named("Left Behind"))).one()
    finally:
        event.remove(again.sync_engine, "before_cursor_execute", cache_hit)
    assert left == 0
    # Compiled in the test before, not again.
    assert hits == [True]
    assert (await add_candidate(bot, "Next")).id == 1
    await again.dispose()
    if leftover is not None:
        # The connection left open still reads the old file, which no test uses any more.
        count = "SELECT count(*) FROM candidate WHERE name = ?"
        assert leftover.execute(count, ("Left Behind",)).fetchone() == (1,)
        assert leftover.execute(count, ("Next",)).fetchone() == (0,)
        leftover.close()


async def test_an_engine_a_test_hooked_into_is_not_reused(database_url: str) -> None:
    engines = Engines()
    first = engines.take(database_url)
    again = engines.take(database_url)
    assert again is not first
    await engines.give_back(again)
    assert engines.take(database_url) is again

    def noop(*_: Any) -> None:
        pass

    event.listen(first.sync_engine, "before_cursor_execute", noop)
    await engines.give_back(first)
    made = engines.take(database_url)
    assert made is not first
    for engine in (again, made):
        await engine.dispose()
