"""Several bot processes on one PostgreSQL database, as a Deployment with two replicas
runs them: real processes (``python -m bot`` in HTTP mode), real signals, the fake Slack.

The replicas run on the real clock, so the reminders are made due "now" and the working
hours cover the whole week; they sweep every second, with a 3-second lease.
"""

from __future__ import annotations

import asyncio
import signal
import socket
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO

import aiohttp
import pytest
from sqlalchemy import text
from sqlmodel import col, func, select

from bot.context import BotContext
from bot.reminder_rules import ReminderKind
from slackfake import FakeSlack
from storage.db import create_engine, transaction
from storage.models import OutboxMessage, OutboxStatus, Reminder, ReminderStatus
from tests.bot_process import clean_env
from tests.harness import HIRING_CHANNEL, SIGNING_SECRET, Harness, free_port
from tests.pgcluster import PostgresCluster
from tests.scrape import scrape
from tests.seed import add_candidate, add_interview

pytestmark = pytest.mark.postgresql

REMINDERS = 200
LEASE_SECONDS = 3
# Bounds on real waiting: a replica's start-up, and a burst of reminders.
START_TIMEOUT = 30.0
BURST_TIMEOUT = 60.0
POLL = 0.05


@dataclass
class Replica:
    process: asyncio.subprocess.Process
    base_url: str
    log: IO[bytes]

    @property
    def owner(self) -> str:
        """How its claims are marked (``bot.jobs.replica_name``, cut as the sender cuts it)."""
        return f"{socket.gethostname()}:{self.process.pid}"[:40] + "/"

    def output(self) -> str:
        self.log.flush()
        return Path(self.log.name).read_text(errors="replace")


async def until(condition: Callable[[], Awaitable[bool]], timeout: float, what: str) -> None:  # noqa: ASYNC109
    deadline = time.monotonic() + timeout
    while not await condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        await asyncio.sleep(POLL)


@pytest.fixture
async def start_replica(
    fake_slack: FakeSlack, database_url: str, tmp_path: Path
) -> AsyncIterator[Callable[..., Awaitable[Replica]]]:
    """Start ``python -m bot`` replicas on the test's database; all are stopped at the end."""
    started: list[Replica] = []

    async def start(**settings: str) -> Replica:
        port = free_port()
        defaults = {
            "SLACK_BOT_TOKEN": fake_slack.bot_token,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": fake_slack.api_url,
            "HIRING_CHANNEL_ID": HIRING_CHANNEL,
            "DATABASE_URL": database_url,
            "HOST": "127.0.0.1",
            "PORT": str(port),
            "WORKING_DAYS": "mon-sun",
            "WORKING_HOURS": "00:00-24:00",
            "REMINDER_SWEEP_SECONDS": "1",
            "REMINDER_LEASE_SECONDS": str(LEASE_SECONDS),
            # Not yet today's digest, unless a test asks for it.
            "DIGEST_TIME": "23:59",
        }
        env = clean_env(**(defaults | settings))
        log = (tmp_path / f"replica-{len(started) + 1}.log").open("wb")
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", cwd=tmp_path, env=env, stdout=log, stderr=log
        )
        replica = Replica(process, f"http://127.0.0.1:{port}", log)
        started.append(replica)

        async def healthy() -> bool:
            assert process.returncode is None, replica.output()
            try:
                async with (
                    aiohttp.ClientSession() as session,
                    session.get(f"{replica.base_url}/healthz") as response,
                ):
                    return response.status == 200
            except aiohttp.ClientConnectionError:
                return False

        await until(healthy, START_TIMEOUT, "a replica to answer /healthz")
        return replica

    try:
        yield start
    finally:
        for replica in started:
            if replica.process.returncode is None:
                replica.process.send_signal(signal.SIGTERM)
        for replica in started:
            try:
                await asyncio.wait_for(replica.process.wait(), timeout=15)
            except TimeoutError:
                replica.process.kill()
                await replica.process.wait()
            replica.log.close()


async def make_reminders_due(bot: BotContext, fake: FakeSlack, count: int) -> list[str]:
    """``count`` interviewers of one interview, each owed a scorecard nudge due now.

    Slack answers a DM in 20 ms rather than the fake's instant, so that a burst lasts long
    enough for both replicas to take part, and for one to be killed in the middle of it.
    """
    fake.latency("chat.postMessage", 0.02)
    recipients = [f"U0R{index:04d}" for index in range(count)]
    for user_id in recipients:
        fake.add_user(user_id, tz="Europe/Berlin")
    now = datetime.now(UTC)
    candidate = await add_candidate(bot, fake=fake)
    interview = await add_interview(
        bot, candidate, recipients, starts_at=now - timedelta(hours=2), minutes=30
    )
    async with transaction(bot.sessions) as session:
        session.add_all(
            Reminder(
                kind=ReminderKind.SCORECARD_NUDGE,
                recipient_id=user_id,
                candidate_id=candidate.id,
                interview_id=interview.id,
                due_at=now - timedelta(seconds=1),
                dedupe_key=f"nudge:{interview.id}:{user_id}",
                created_at=now,
            )
            for user_id in recipients
        )
    return recipients


def dms(fake: FakeSlack) -> Counter[str]:
    """Reminder DMs received, by recipient."""
    return Counter(
        str(call.args["channel"])
        for call in fake.calls_to("chat.postMessage")
        if call.response.get("ok") and str(call.args["channel"]).startswith("U0R")
    )


async def sweeps(replica: Replica) -> float:
    """How many reminder sweeps the replica has finished."""
    return (await scrape(replica.base_url)).get('hiring_reminder_sweeps_total{outcome="ok"}', 0)


async def outbox_rows(bot: BotContext) -> int:
    async with bot.sessions() as session:
        return (await session.exec(select(func.count()).select_from(OutboxMessage))).one()


async def statuses(bot: BotContext) -> Counter[str]:
    async with bot.sessions() as session:
        rows = await session.exec(select(Reminder.status, func.count()).group_by(Reminder.status))
        return Counter(dict(rows.all()))


async def claimers(bot: BotContext, replicas: list[Replica]) -> Counter[int]:
    """Reminders sent, by the index of the replica whose claim sent them."""
    async with bot.sessions() as session:
        owners = (await session.exec(select(Reminder.claimed_by))).all()
    return Counter(
        index
        for owner in owners
        for index, replica in enumerate(replicas)
        if owner and owner.startswith(replica.owner)
    )


async def test_two_replicas_send_each_of_200_reminders_once(
    start_replica: Callable[..., Awaitable[Replica]], harness: Harness
) -> None:
    replicas = [await start_replica(), await start_replica()]
    recipients = await make_reminders_due(harness.bot, harness.fake, REMINDERS)

    async def all_sent() -> bool:
        queued = (await statuses(harness.bot))[ReminderStatus.SENT] == REMINDERS
        async with harness.bot.sessions() as session:
            statuses_sent = await session.exec(
                select(func.count()).where(col(OutboxMessage.status) == OutboxStatus.SENT)
            )
            recorded = statuses_sent.one() == REMINDERS
        return queued and recorded

    await until(all_sent, BURST_TIMEOUT, f"{REMINDERS} reminders to be sent")
    assert dms(harness.fake) == Counter(recipients)
    # Each reminder queued by one replica's claim, each message sent under one claim.
    shares = await claimers(harness.bot, replicas)
    assert sum(shares.values()) == REMINDERS, shares
    async with harness.bot.sessions() as session:
        rows = (await session.exec(select(OutboxMessage))).all()
    assert len(rows) == REMINDERS and {row.status for row in rows} == {OutboxStatus.SENT}
    # One more sweep of each, seen in its metrics, changes nothing.
    done = [await sweeps(replica) for replica in replicas]

    async def each_swept_again() -> bool:
        # Past the sweep that may have been running: one began after every reminder was sent.
        counts = [await sweeps(replica) for replica in replicas]
        return all(now > before + 1 for now, before in zip(counts, done, strict=True))

    await until(each_swept_again, START_TIMEOUT, "a further sweep of each replica")
    assert await outbox_rows(harness.bot) == REMINDERS
    assert dms(harness.fake) == Counter(recipients)


async def test_a_replica_killed_mid_burst_leaves_its_claims_to_the_other_after_the_lease(
    start_replica: Callable[..., Awaitable[Replica]], harness: Harness
) -> None:
    """SIGKILL while the doomed replica's requests to Slack are in flight: the survivor
    takes over its outbox rows once their lease runs out. Nothing is lost; what the dead
    replica had in flight may arrive twice (Slack had it, the database did not)."""
    replicas = [await start_replica(), await start_replica()]
    recipients = await make_reminders_due(harness.bot, harness.fake, REMINDERS)
    # Slack takes each message at once but answers after a second: requests in flight.
    harness.fake.latency("chat.postMessage", 1.0)
    stranded: list[int] = []
    # Whichever replica claims first is the one killed: either may win the first claim.
    claimants: list[Replica] = []

    async def a_replica_has_requests_in_flight() -> bool:
        async with harness.bot.sessions() as session:
            rows = await session.exec(
                select(OutboxMessage.id, OutboxMessage.claimed_by).where(
                    col(OutboxMessage.status) == OutboxStatus.CLAIMED
                )
            )
            claimed = rows.all()
        for replica in replicas:
            held = [i for i, by in claimed if by and by.startswith(replica.owner)]
            if held:
                stranded[:] = held
                claimants[:] = [replica]
                return True
        return False

    await until(a_replica_has_requests_in_flight, BURST_TIMEOUT, "a replica to send")
    (doomed,) = claimants
    (survivor,) = [replica for replica in replicas if replica is not doomed]
    doomed.process.send_signal(signal.SIGKILL)
    killed_at = time.monotonic()
    await doomed.process.wait()

    async def all_sent() -> bool:
        async with harness.bot.sessions() as session:
            rows = await session.exec(
                select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
            )
            counts = Counter(dict(rows.all()))
        return counts[OutboxStatus.SENT] == REMINDERS and sum(counts.values()) == REMINDERS

    await until(all_sent, BURST_TIMEOUT, "the survivor to send every message")
    received = dms(harness.fake)
    assert set(received) == set(recipients)
    repeats = {user: n - 1 for user, n in received.items() if n > 1}
    # Repeats only within the window: the rows the dead replica held when it died.
    assert sum(repeats.values()) <= len(stranded), repeats
    async with harness.bot.sessions() as session:
        rows = await session.exec(select(OutboxMessage).where(col(OutboxMessage.id).in_(stranded)))
        taken_over = rows.all()
    assert taken_over and all(r.status == OutboxStatus.SENT for r in taken_over)
    assert all(r.claimed_by and r.claimed_by.startswith(survivor.owner) for r in taken_over)
    # Not before the lease ran out: the survivor could not tell a dead replica from a slow one.
    assert time.monotonic() - killed_at >= LEASE_SECONDS - 1


async def test_replicas_starting_together_migrate_one_at_a_time(
    postgres_cluster: PostgresCluster, tmp_path: Path
) -> None:
    postgres_cluster.execute("CREATE DATABASE fresh_for_replicas")
    url = postgres_cluster.url("fresh_for_replicas")
    try:
        processes = [
            await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot",
                "migrate",
                cwd=tmp_path,
                env=clean_env(DATABASE_URL=url),
                stderr=asyncio.subprocess.PIPE,
            )
            for _ in range(3)
        ]
        results = await asyncio.wait_for(
            asyncio.gather(*(process.communicate() for process in processes)), timeout=60
        )
        for process, (_, err) in zip(processes, results, strict=True):
            assert process.returncode == 0, err.decode()
        engine = create_engine(url)
        async with engine.connect() as connection:
            versions = (await connection.execute(text("SELECT * FROM alembic_version"))).all()
        await engine.dispose()
        assert len(versions) == 1
    finally:
        postgres_cluster.execute("DROP DATABASE fresh_for_replicas WITH (FORCE)")


async def test_the_digest_of_a_day_is_posted_once_by_two_replicas(
    start_replica: Callable[..., Awaitable[Replica]], harness: Harness
) -> None:
    # Due since midnight: each replica runs the digest job as it starts.
    replicas = [await start_replica(DIGEST_TIME="00:00"), await start_replica(DIGEST_TIME="00:00")]
    runs: list[dict[str, float]] = []

    async def both_ran() -> bool:
        runs[:] = [await scrape(replica.base_url) for replica in replicas]
        return all(
            any(name.startswith("hiring_digest_runs_total") for name in samples) for samples in runs
        )

    await until(both_ran, START_TIMEOUT, "both replicas to run the digest job")
    outcomes = Counter(
        name
        for samples in runs
        for name, value in samples.items()
        if value and "digest_runs_total" in name
    )
    assert outcomes == Counter(
        {
            'hiring_digest_runs_total{outcome="posted"}': 1,
            'hiring_digest_runs_total{outcome="already_posted"}': 1,
        }
    )
    posts = [
        c for c in harness.fake.calls_to("chat.postMessage") if c.args["channel"] == HIRING_CHANNEL
    ]
    assert len(posts) == 1 and posts[0].response["ok"]
