"""SQLite's statements run on the event loop's thread; its commits on aiosqlite's thread.

The bot's latency under load rests on this (storage/db.py, ``_LoopThreadSqlite``): it
overrides a private method of aiosqlite, so a release that changes it must fail here.
"""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import text

from storage.db import create_engine, session_factory, transaction


async def test_statements_on_the_loop_thread_commit_on_the_other(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'threads.db'}")
    ran: list[tuple[str, int]] = []
    try:
        async with engine.connect() as connection:
            driver = (await connection.get_raw_connection()).driver_connection
            assert driver is not None
            driver._conn.set_trace_callback(
                lambda sql: ran.append((sql.split()[0].upper(), threading.get_ident()))
            )
        async with transaction(session_factory(engine)) as session:
            await session.exec(text("CREATE TABLE kept (n INTEGER)"))  # type: ignore[call-overload]
            await session.exec(text("INSERT INTO kept VALUES (1)"))  # type: ignore[call-overload]
        async with session_factory(engine)() as session:
            kept = (await session.exec(text("SELECT n FROM kept"))).all()  # type: ignore[call-overload]
    finally:
        await engine.dispose()
    assert kept == [(1,)]
    loop_thread = threading.get_ident()
    on_loop = {sql for sql, thread in ran if thread == loop_thread}
    elsewhere = {sql for sql, thread in ran if thread != loop_thread}
    assert {"BEGIN", "CREATE", "INSERT", "SELECT"} <= on_loop
    assert elsewhere == {"COMMIT"}
