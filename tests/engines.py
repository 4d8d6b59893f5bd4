"""The harness's database engines, kept for the next test of the worker.

SQLAlchemy caches each statement's compiled SQL per engine (the cache key holds the engine's
dialect), so an engine per test compiled every statement again in every test: about a fifth
of an in-process test's CPU. Production keeps one engine per process, made by
``storage.db.create_engine``; so do the tests now, one per database URL (each worker's
database has the same URL test after test, ``tests/conftest.py``).

What a test leaves behind stays with it: an engine comes back disposed (no pooled
connection, so no connection of one test is used by the next) and is reused only if its
event listeners are those it had when it was made. The database under it is fresh per test
(``database_url``). ``tests/test_engines.py`` checks both.
"""

from __future__ import annotations

from collections.abc import Hashable

from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import create_engine

Listeners = tuple[tuple[str, str, tuple[Hashable, ...]], ...]


def listeners(engine: AsyncEngine) -> Listeners:
    """Every event listener of the engine, its dialect and its pool (where tests and
    ``storage.db`` hook in)."""
    sync = engine.sync_engine
    found = []
    for kind, target in (("engine", sync), ("dialect", sync.dialect), ("pool", sync.pool)):
        dispatch = target.dispatch
        for name in dispatch._event_names:
            hooked = tuple(getattr(dispatch, name))
            if hooked:
                found.append((kind, name, hooked))
    return tuple(found)


class Engines:
    """Engines by URL: ``take`` one for a test, ``give_back`` it at the test's end."""

    def __init__(self) -> None:
        self._idle: dict[str, list[AsyncEngine]] = {}
        # Each engine made: its URL, and its listeners when it was made.
        self._made: dict[AsyncEngine, tuple[str, Listeners]] = {}

    def take(self, url: str) -> AsyncEngine:
        """An engine on ``url`` that no one else holds: one given back, or a new one."""
        idle = self._idle.get(url)
        if idle:
            return idle.pop()
        engine = create_engine(url)
        self._made[engine] = (url, listeners(engine))
        return engine

    async def give_back(self, engine: AsyncEngine) -> None:
        """Close the engine's connections; keep it for another test if it is as it was
        made."""
        await engine.dispose()
        url, made_with = self._made.pop(engine)
        if listeners(engine) == made_with:
            self._made[engine] = (url, made_with)
            self._idle.setdefault(url, []).append(engine)
