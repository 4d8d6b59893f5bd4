"""The database going away and coming back: /healthz follows it, users are told to try
again, events are left for Slack to redeliver, nothing is half-written, and the bot
recovers by itself, without a restart."""

from __future__ import annotations

import asyncio
import logging
import shutil
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from slack_bolt.async_app import AsyncAck
from sqlalchemy import func, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from bot.errors import DATABASE_UNAVAILABLE
from storage.db import create_engine, is_unavailable, transaction
from storage.models import AuditEvent
from tests.harness import Harness, Reply
from tests.pgcluster import PostgresCluster
from tests.test_dedupe import deliver
from tests.test_metrics import Counts, requests, scrape

# Its SQL can behave differently by dialect: it runs on PostgreSQL too.
pytestmark = pytest.mark.both_databases


async def health(harness: Harness) -> int:
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{harness.base_url}/healthz") as response,
    ):
        return response.status


def add_probe(harness: Harness) -> None:
    """A command whose listener reads the database after acking, as most listeners do."""
    assert harness.app is not None

    async def probe(ack: AsyncAck, context: dict[str, Any]) -> None:
        await ack()
        async with transaction(context["bot"].sessions) as session:
            await session.exec(select(func.count()).select_from(AuditEvent))

    harness.app.command("/probe")(probe)


async def send(harness: Harness, command: str) -> Reply:
    return await harness.command("", command=command, user_id="U0ANA")


def ephemerals(harness: Harness) -> list[str]:
    return [call.args["text"] for call in harness.fake.calls_to("response_url")]


# ----------------------------------------------------------------- SQLite: a file that appears


@dataclass
class SQLiteOutage:
    """A bot whose SQLite path is a directory, which no connection can open, until
    ``end`` puts the migrated database file there."""

    harness: Harness
    path: Path
    template: Path

    def end(self) -> None:
        self.path.rmdir()
        shutil.copyfile(self.template, self.path)


@pytest.fixture
async def sqlite_outage(
    make_harness: Callable[..., Any], tmp_path: Path, migrated_template: Path
) -> SQLiteOutage:
    path = tmp_path / "outage.db"
    path.mkdir()
    harness = await make_harness(database_url=f"sqlite+aiosqlite:///{path}")
    return SQLiteOutage(harness, path, migrated_template)


async def test_healthz_and_metrics_follow_the_database_without_restart(
    sqlite_outage: SQLiteOutage,
) -> None:
    harness = sqlite_outage.harness
    assert await health(harness) == 503
    samples = await scrape(harness.base_url)
    assert samples["hiring_database_up"] == 0
    assert not [name for name in samples if name.startswith("hiring_reminders_pending")]
    sqlite_outage.end()
    assert await health(harness) == 200
    samples = await scrape(harness.base_url)
    assert samples["hiring_database_up"] == 1
    assert samples['hiring_reminders_pending{due="now"}'] == 0


async def test_a_user_is_told_to_try_again_while_the_database_is_unreachable(
    sqlite_outage: SQLiteOutage, caplog: pytest.LogCaptureFixture
) -> None:
    harness = sqlite_outage.harness
    add_probe(harness)
    counts = Counts(requests("command", "unavailable"))
    with caplog.at_level(logging.WARNING):
        reply = await send(harness, "/probe")
    assert reply.status == 200
    assert ephemerals(harness) == [DATABASE_UNAVAILABLE]
    assert counts.deltas() == [1]
    # An outage is not a bug: no ERROR with a reference, a WARNING naming the cause.
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert "OperationalError" in caplog.text
    sqlite_outage.end()
    harness.fake.clear()
    assert (await send(harness, "/probe")).status == 200
    assert ephemerals(harness) == []


async def test_an_event_during_an_outage_is_left_for_slack_to_redeliver(
    sqlite_outage: SQLiteOutage,
) -> None:
    harness = sqlite_outage.harness
    reply = await deliver(harness, "Ev0OUTAGE")
    assert reply.status == 503
    assert harness.fake.calls_to("views.publish") == []
    sqlite_outage.end()
    assert (await deliver(harness, "Ev0OUTAGE", retry_num=1)).status == 200
    assert len(harness.fake.calls_to("views.publish")) == 1


async def _error_of(url: str, statement: str) -> Exception:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            await connection.execute(text(statement))
    except Exception as error:
        return error
    finally:
        await engine.dispose()
    raise AssertionError("the statement did not fail")


async def test_a_statement_the_database_refuses_is_not_unavailable(database_url: str) -> None:
    assert not is_unavailable(await _error_of(database_url, "SELECT * FROM no_such_table"))
    assert not is_unavailable(await _error_of(database_url, "SELEC 1"))
    duplicate = "INSERT INTO processed_event VALUES ('Ev1', '2026-11-30 10:00:00')"
    engine = create_engine(database_url)
    async with engine.begin() as connection:
        await connection.execute(text(duplicate))
    await engine.dispose()
    error = await _error_of(database_url, duplicate)
    assert isinstance(error, IntegrityError) and not is_unavailable(error)


def test_an_os_error_raised_outside_the_database_layer_is_not_unavailable() -> None:
    # Slack unreachable, say: not something to blame on the database.
    assert not is_unavailable(ConnectionRefusedError(111, "Connection refused"))
    assert not is_unavailable(ValueError("bad input"))


# ----------------------------------------------------------------- PostgreSQL: a real restart


@asynccontextmanager
async def stopped(cluster: PostgresCluster) -> AsyncIterator[None]:
    """The cluster down (connections cut, as in a crash) for the block, then up again."""
    await asyncio.to_thread(cluster.stop)
    try:
        yield
    finally:
        await asyncio.to_thread(cluster.start)


@pytest.mark.postgresql
async def test_postgres_down_and_up_again(
    harness: Harness, postgres_cluster: PostgresCluster
) -> None:
    add_probe(harness)
    assert (await send(harness, "/probe")).status == 200
    assert await health(harness) == 200
    async with stopped(postgres_cluster):
        assert await health(harness) == 503
        assert (await send(harness, "/probe")).status == 200
        assert (await deliver(harness, "Ev0PGDOWN")).status == 503
    assert ephemerals(harness) == [DATABASE_UNAVAILABLE]
    # The pool's connections died with the server; pre-ping replaces them, no restart.
    assert await health(harness) == 200
    harness.fake.clear()
    assert (await send(harness, "/probe")).status == 200
    assert ephemerals(harness) == []
    assert (await deliver(harness, "Ev0PGDOWN", retry_num=1)).status == 200
    assert len(harness.fake.calls_to("views.publish")) == 1


@pytest.mark.postgresql
async def test_a_transaction_cut_by_a_restart_leaves_nothing_half_written(
    harness: Harness, postgres_cluster: PostgresCluster
) -> None:
    assert harness.app is not None
    first_written, resume = asyncio.Event(), asyncio.Event()

    async def write_two(ack: AsyncAck, context: dict[str, Any]) -> None:
        await ack()
        bot = context["bot"]
        async with transaction(bot.sessions) as session:
            for action in ("first", "second"):
                session.add(AuditEvent(at=datetime.now(UTC), actor_id="U0ANA", action=action))
                await session.flush()
                first_written.set()
                await resume.wait()

    harness.app.command("/write-two")(write_two)
    in_flight = asyncio.create_task(send(harness, "/write-two"))
    await asyncio.wait_for(first_written.wait(), timeout=10)
    async with stopped(postgres_cluster):
        resume.set()
        reply = await asyncio.wait_for(in_flight, timeout=30)
    assert reply.status == 200
    assert ephemerals(harness) == [DATABASE_UNAVAILABLE]
    async with harness.bot.sessions() as session:
        written = (await session.exec(select(func.count()).select_from(AuditEvent))).one()
        assert (await session.exec(text("SELECT 1"))).one()
    assert written == 0
