"""The database engine and sessions: one engine per process, a session per unit of work."""

from __future__ import annotations

import asyncio
import sqlite3
import traceback
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager, nullcontext
from contextvars import ContextVar
from functools import cache
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

import aiosqlite
from sqlalchemy import event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

SessionFactory = async_sessionmaker[AsyncSession]


def ensure_sqlite_directory(url: str) -> None:
    """Create the folder of a SQLite file so that the first start needs no set-up."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets the digest read while a scorecard is written; foreign keys are off
    # by default in SQLite and our cascades need them.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


_BESIDE_THE_LOOP: ContextVar[bool] = ContextVar("sqlite_beside_the_loop", default=False)


@contextmanager
def statements_beside_the_loop() -> Iterator[None]:
    """SQLite statements of the code inside run on aiosqlite's thread, where SQLite works
    beside the loop (it releases the GIL): for statements that scan many rows, such as the
    outbox sender's claims, which would hold the loop for as long."""
    token = _BESIDE_THE_LOOP.set(True)
    try:
        yield
    finally:
        _BESIDE_THE_LOOP.reset(token)


class _LoopThreadSqlite(aiosqlite.Connection):
    """An aiosqlite connection whose statements run on the event loop's own thread, and
    only the commit (which may wait for the disk) on aiosqlite's thread, as do the
    statements inside ``statements_beside_the_loop``.

    A statement on a local file takes tens of microseconds; the hop to aiosqlite's thread
    and back waits behind every callback queued on a busy loop. A scorecard's transaction
    runs about thirty statements while holding the one writer's turn, so under 20
    scorecards in flight the hops, not SQLite, set the pace: request p50 1.1 s with
    them, 0.58 s without (bench, quick size). Relies on aiosqlite's ``_execute``, the one
    door every call goes through (hence the pin on its minor version, and a test).
    """

    async def _execute(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        if _BESIDE_THE_LOOP.get():
            return await super()._execute(fn, *args, **kwargs)  # type: ignore[no-untyped-call]
        if not self._running or not self._connection:
            raise ValueError("Connection closed")
        return fn(*args, **kwargs)

    async def commit(self) -> None:
        await super()._execute(self._conn.commit)  # type: ignore[no-untyped-call]

    @classmethod
    def open(cls, database: str, **kwargs: Any) -> _LoopThreadSqlite:
        """What ``aiosqlite.connect`` does, for this class (SQLAlchemy awaits it)."""
        connection = cls(lambda: sqlite3.connect(database, **kwargs), iter_chunk_size=64)
        # As SQLAlchemy does for aiosqlite's own: a pooled connection must not keep the
        # process alive.
        connection._thread.daemon = True
        return connection


def _connect_on_loop_thread(dialect: Any, _record: Any, cargs: Any, cparams: Any) -> Any:
    # The dialect's own connect arguments (check_same_thread=False among them: one
    # connection is used by two threads, never at once) with our connection class.
    return dialect.dbapi.connect(*cargs, async_creator_fn=_LoopThreadSqlite.open, **cparams)


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    ensure_sqlite_directory(url)
    is_sqlite = make_url(url).get_backend_name() == "sqlite"
    if not is_sqlite:
        kwargs.setdefault("pool_pre_ping", True)
    # Bound parameters are candidate data: keep them out of error messages and logs.
    engine = create_async_engine(url, hide_parameters=True, **kwargs)
    if is_sqlite:
        event.listen(engine.sync_engine, "do_connect", _connect_on_loop_thread)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


def session_factory(engine: AsyncEngine) -> SessionFactory:
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


# SQLite lets one writer in at a time and makes the others poll its busy handler, which
# serves nobody in order: under 20 concurrent scorecards, a few waited past Slack's 3 s.
# Queueing writers in the event loop instead keeps the wait short and fair. One queue per
# file, not per engine: a statement that waits for SQLite's lock on the loop's thread
# would hold the very loop that the other engine's writer (replicas in one process, as
# the tests run them) needs in order to finish.
_SQLITE_WRITERS: WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, asyncio.Lock]] = (
    WeakKeyDictionary()
)


@cache
def _sqlite_file(database: str) -> str:
    # Resolved once per name: resolving walks the path with a system call per part, on
    # every transaction. A name that meant another file after a chdir only shares a queue.
    if database and database != ":memory:":
        return str(Path(database).resolve())
    return database


def _writer_lock(factory: SessionFactory) -> asyncio.Lock | None:
    bind = factory.kw.get("bind")
    if not isinstance(bind, AsyncEngine) or bind.dialect.name != "sqlite":
        return None
    locks = _SQLITE_WRITERS.setdefault(asyncio.get_running_loop(), {})
    return locks.setdefault(_sqlite_file(bind.url.database or ""), asyncio.Lock())


@asynccontextmanager
async def transaction(factory: SessionFactory) -> AsyncIterator[AsyncSession]:
    """A session whose work is committed on success and rolled back on any error.

    Do not open one inside another: on SQLite the inner one would wait for the outer.
    """
    async with _writer_lock(factory) or nullcontext(), factory() as session, session.begin():
        yield session


def upsert_insert(session: AsyncSession) -> Any:
    """The ``insert`` of the session's dialect, which has ``on_conflict_do_…``; both
    databases we run on (SQLite, PostgreSQL) spell upserts the same way."""
    dialect = session.get_bind().dialect.name
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


async def ping(engine: AsyncEngine) -> bool:
    """True when the database answers a trivial query."""
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception:
        return False
    return True


# PostgreSQL SQLSTATEs (prefixes) meaning the server cannot be used right now: connection
# exceptions, too many connections, shutting down, crashed, starting up.
_UNAVAILABLE_SQLSTATES = ("08", "53300", "57P01", "57P02", "57P03")
# SQLite primary result codes meaning the same of the file: busy or locked beyond the busy
# timeout, read-only, I/O error, disk full, cannot open.
_UNAVAILABLE_SQLITE_CODES = frozenset({5, 6, 8, 10, 13, 14})


def _driver_says_unavailable(error: BaseException | None) -> bool:
    sqlstate = getattr(error, "sqlstate", None)
    if isinstance(sqlstate, str):
        return sqlstate.startswith(_UNAVAILABLE_SQLSTATES)
    code = getattr(error, "sqlite_errorcode", None)
    return isinstance(code, int) and code & 0xFF in _UNAVAILABLE_SQLITE_CODES


def is_unavailable(error: BaseException) -> bool:
    """True when ``error`` means the database could not be reached or used right now (down,
    restarting, the connection dropped, SQLite's file locked or missing), not that it
    refused a statement: the first is worth a "try again", a missing table or a
    constraint violation is a bug or a conflict.
    """
    if isinstance(error, DBAPIError):
        return error.connection_invalidated or _driver_says_unavailable(error.orig)
    # A failed connect can escape SQLAlchemy's pool as the driver raised it (asyncpg raises
    # OSError for a refused or timed-out connection). Only errors raised through SQLAlchemy
    # count, so that an unrelated OSError (Slack unreachable) is not blamed on the database.
    if not isinstance(error, OSError) and not _driver_says_unavailable(error):
        return False
    return any(
        frame.f_globals.get("__name__", "").startswith("sqlalchemy.")
        for frame, _ in traceback.walk_tb(error.__traceback__)
    )
