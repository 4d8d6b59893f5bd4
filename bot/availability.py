"""Who is busy when, for *Find a time*: every connected calendar of a panel read at once,
within a time budget, through a cache of a few minutes.

A calendar that fails or is too slow never blocks scheduling: its owner is reported as
"calendar unavailable" or "too slow" and counts as free, as someone without a calendar does.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.busy import Interval
from bot.calendar_sources import CalendarSource, CalendarUnavailable, source_of
from bot.clock import Clock
from bot.secret_box import SecretBox, SecretsUnavailable
from storage import calendars as store
from storage.db import SessionFactory
from storage.models import CalendarConnection

logger = logging.getLogger(__name__)

CACHE_TTL = timedelta(minutes=5)
# Slack gives an interaction 3 s; the answer must be on its way before that.
FETCH_BUDGET_SECONDS = 2.0


class Status(StrEnum):
    READ = "read"
    NO_CALENDAR = "no_calendar"
    UNAVAILABLE = "unavailable"
    TOO_SLOW = "too_slow"


@dataclass(frozen=True)
class Availability:
    user_id: str
    status: Status
    busy: tuple[Interval, ...] = ()
    reason: str | None = None


@dataclass
class _Entry:
    fetched_at: datetime
    start: datetime
    end: datetime
    busy: tuple[Interval, ...]


@dataclass
class BusyCache:
    """Busy intervals per connection (its ciphertext: a new connection misses), kept for
    ``CACHE_TTL`` by the injected clock."""

    entries: dict[str, _Entry] = field(default_factory=dict)

    def get(self, key: str, start: datetime, end: datetime, now: datetime) -> _Entry | None:
        entry = self.entries.get(key)
        if entry is None or now - entry.fetched_at >= CACHE_TTL:
            return None
        return entry if entry.start <= start and end <= entry.end else None

    def put(self, key: str, entry: _Entry) -> None:
        self.entries[key] = entry


async def panel_availability(
    *,
    sessions: SessionFactory,
    box: SecretBox,
    cache: BusyCache,
    clock: Clock,
    user_ids: Sequence[str],
    zones: dict[str, ZoneInfo],
    start: datetime,
    end: datetime,
    budget_seconds: float = FETCH_BUDGET_SECONDS,
) -> list[Availability]:
    """Each user's busy times between ``start`` and ``end``, in ``user_ids`` order."""
    async with sessions() as session:
        connections = {c.user_id: c for c in await store.of_users(session, list(user_ids))}
    now = clock.now()
    results: dict[str, Availability] = {}
    pending: dict[asyncio.Task[tuple[Interval, ...]], CalendarConnection] = {}
    for user_id in user_ids:
        connection = connections.get(user_id)
        if connection is None:
            results[user_id] = Availability(user_id, Status.NO_CALENDAR)
            continue
        cached = cache.get(connection.secret, start, end, now)
        if cached is not None:
            results[user_id] = Availability(user_id, Status.READ, cached.busy)
            continue
        try:
            source = _source(box, connection)
        except SecretsUnavailable as problem:
            logger.warning("calendar of %s cannot be opened: %s", user_id, problem)
            results[user_id] = Availability(
                user_id, Status.UNAVAILABLE, reason="its stored address cannot be decrypted"
            )
            continue
        zone = zones.get(user_id, ZoneInfo("UTC"))
        pending[asyncio.ensure_future(_read(source, start, end, zone))] = connection
    if pending:
        done, slow = await asyncio.wait(pending, timeout=budget_seconds)
        for task in slow:
            task.cancel()
        for task, connection in pending.items():
            results[connection.user_id] = _outcome(task, connection, done, cache, now, start, end)
        if slow:
            await asyncio.gather(*slow, return_exceptions=True)
    return [results[user_id] for user_id in user_ids]


def _source(box: SecretBox, connection: CalendarConnection) -> CalendarSource:
    return source_of(connection.kind, box.open(connection.secret))


async def _read(
    source: CalendarSource, start: datetime, end: datetime, zone: ZoneInfo
) -> tuple[Interval, ...]:
    return tuple(await source.busy(start, end, zone))


def _outcome(
    task: asyncio.Task[tuple[Interval, ...]],
    connection: CalendarConnection,
    done: set[asyncio.Task[tuple[Interval, ...]]],
    cache: BusyCache,
    now: datetime,
    start: datetime,
    end: datetime,
) -> Availability:
    user_id = connection.user_id
    if task not in done:
        logger.info("calendar of %s too slow for Find a time", user_id)
        return Availability(user_id, Status.TOO_SLOW)
    error = task.exception()
    if isinstance(error, CalendarUnavailable):
        logger.info("calendar of %s unavailable: %s", user_id, error)
        return Availability(user_id, Status.UNAVAILABLE, reason=str(error))
    if error is not None:
        raise error
    busy = task.result()
    cache.put(connection.secret, _Entry(now, start, end, busy))
    return Availability(user_id, Status.READ, busy)
