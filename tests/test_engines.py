"""The harness's engine serves one test after another (``tests/engines.py``), and each test
still starts on a fresh database: nothing the test before stored, ids from 1, no connection
of the test before; only the compiled statements carry over.

The tests run in file order on one worker (``--dist loadscope``): the second reads what the
first left in ``FIRST``."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest
from sqlalchemy import event, func
from sqlalchemy.engine import make_url
from sqlalchemy.engine.interfaces import CacheStats
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select

from storage.models import Candidate
from tests.engines import Engines
from tests.harness import Harness
from tests.seed import add_candidate

pytestmark = pytest.mark.both_databases

FIRST: dict[str, Any] = {}


def candidates_named(name: str) -> Any:
    return select(func.count()).select_from(Candidate).where(Candidate.name == name)


async def test_a_test_stores_a_candidate_and_leaves_a_connection_open(
    harness: Harness, database_url: str
) -> None:
    candidate = await add_candidate(harness.bot, "Left Behind")
    assert candidate.id == 1
    async with harness.bot.sessions() as session:
        assert (await session.exec(candidates_named("Left Behind"))).one() == 1
    FIRST["engine"] = harness.bot.engine
    FIRST["pool"] = harness.bot.engine.sync_engine.pool
    database = make_url(database_url).database
    if harness.bot.engine.dialect.name == "sqlite" and database:
        # As a test that forgot to close one would: still open when the next test starts.
        FIRST["leftover"] = sqlite3.connect(database)


async def test_the_next_test_gets_the_same_engine_on_a_fresh_database(harness: Harness) -> None:
    if "engine" not in FIRST:
        pytest.skip("reads what the test before it left: run the module")
    engine: AsyncEngine = harness.bot.engine
    assert engine is FIRST["engine"]
    # Disposed in between: a new pool, so no connection of the test before.
    assert engine.sync_engine.pool is not FIRST["pool"]
    hits: list[bool] = []

    def cache_hit(*args: Any) -> None:
        hits.append(args[4].cache_hit is CacheStats.CACHE_HIT)

    event.listen(engine.sync_engine, "before_cursor_execute", cache_hit)
    try:
        async with harness.bot.sessions() as session:
            left = (await session.exec(candidates_named("Left Behind"))).one()
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", cache_hit)
    assert left == 0
    # Compiled in the test before, not again.
    assert hits == [True]
    assert (await add_candidate(harness.bot, "Next")).id == 1
    leftover: sqlite3.Connection | None = FIRST.get("leftover")
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
