"""SQLite's statements run on the event loop's thread, its commits on aiosqlite's thread,
and inside ``statements_beside_the_loop`` everything on aiosqlite's thread.

The bot's latency under load rests on this (storage/db.py, ``_LoopThreadSqlite``): it
overrides a private method of aiosqlite, so a release that changes it must fail here.
"""

from __future__ import annotations

import asyncio
import threading
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

from sqlalchemy import text

from storage.db import create_engine, session_factory, statements_beside_the_loop, transaction


async def _threads(path: Path, scope: AbstractContextManager[None]) -> tuple[set[str], set[str]]:
    """The statements run on the loop's thread, and those run elsewhere."""
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    ran: list[tuple[str, int]] = []
    try:
        async with engine.connect() as connection:
            driver = (await connection.get_raw_connection()).driver_connection
            assert driver is not None
            driver._conn.set_trace_callback(
                lambda sql: ran.append((sql.split()[0].upper(), threading.get_ident()))
            )
        with scope:
            async with transaction(session_factory(engine)) as session:
                await session.exec(text("CREATE TABLE kept (n INTEGER)"))  # type: ignore[call-overload]
                await session.exec(text("INSERT INTO kept VALUES (1)"))  # type: ignore[call-overload]
            async with session_factory(engine)() as session:
                kept = (await session.exec(text("SELECT n FROM kept"))).all()  # type: ignore[call-overload]
    finally:
        await engine.dispose()
    assert kept == [(1,)]
    loop_thread = threading.get_ident()
    return (
        {sql for sql, thread in ran if thread == loop_thread},
        {sql for sql, thread in ran if thread != loop_thread},
    )


async def test_statements_run_on_the_loop_and_the_commit_beside_it(tmp_path: Path) -> None:
    on_loop, elsewhere = await _threads(tmp_path / "loop.db", nullcontext())
    assert {"BEGIN", "CREATE", "INSERT", "SELECT"} <= on_loop
    assert elsewhere == {"COMMIT"}


async def test_statements_that_scan_run_beside_the_loop(tmp_path: Path) -> None:
    on_loop, elsewhere = await _threads(tmp_path / "beside.db", statements_beside_the_loop())
    assert on_loop == set()
    assert {"BEGIN", "CREATE", "INSERT", "SELECT", "COMMIT"} <= elsewhere


async def test_two_engines_on_one_file_take_turns(tmp_path: Path) -> None:
    """Replicas in one process (as the tests run them) write the same file: a statement
    waiting for SQLite's lock on the loop's thread would hold the loop the other writer
    needs to finish, so writers queue per file, whichever engine they use."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'shared.db'}"
    engines = [create_engine(url), create_engine(url)]
    try:
        async with transaction(session_factory(engines[0])) as session:
            await session.exec(text("CREATE TABLE kept (n INTEGER)"))  # type: ignore[call-overload]

        async def write(n: int) -> None:
            async with transaction(session_factory(engines[n % 2])) as session:
                await session.exec(text(f"INSERT INTO kept VALUES ({n})"))  # type: ignore[call-overload]
                # Hand the loop to the other engine's writer in the middle of the transaction.
                await asyncio.sleep(0.01)
                await session.exec(text(f"INSERT INTO kept VALUES ({-n})"))  # type: ignore[call-overload]

        await asyncio.wait_for(asyncio.gather(*(write(n) for n in range(1, 11))), 10)
        async with session_factory(engines[1])() as session:
            kept = (await session.exec(text("SELECT count(*) FROM kept"))).one()  # type: ignore[call-overload]
    finally:
        for engine in engines:
            await engine.dispose()
    assert kept == (20,)
