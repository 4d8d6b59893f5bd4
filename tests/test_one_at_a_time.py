"""One decision per stage and one upcoming debrief per stage, with the submissions truly
concurrent: two forms submitted at the same moment by two people.

On PostgreSQL (the setup for several replicas), each race is made certain rather than
likely: a third connection holds a lock on the table both submissions write to, until
both requests are inside their transactions and waiting on a lock; then it lets go, and
the database alone decides. Without the bot's own lock on the candidate, both would read
the candidate as it was, both write, and both be recorded. On SQLite the same requests run
together too (its writers take turns, which is why it was always right)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlmodel import select

from bot.context import BotContext
from handlers.ids import Action, DebriefBlock
from handlers.refs import Ref, ref
from slackfake import requests as sr
from storage.models import Candidate, Debrief, Decision
from tests.conftest import START
from tests.harness import HIRING_CHANNEL, HIRING_MANAGER, Harness, Reply
from tests.intake_helpers import add_candidate
from tests.scorecard_helpers import click, decision_values, submit_view

# Its SQL can behave differently by dialect: it runs on PostgreSQL too.
pytestmark = pytest.mark.both_databases

ADMIN = "U0ADM"
WAIT = 10.0


@pytest.fixture
async def harness(make_harness: Any) -> Harness:
    built: Harness = await make_harness(hiring_admins=frozenset({ADMIN}))
    built.fake.add_user(ADMIN)
    return built


async def waiting_on_locks(bot: BotContext) -> int:
    # A fresh transaction each time: pg_stat_activity is a snapshot per transaction.
    async with bot.engine.connect() as connection:
        found = await connection.execute(
            text(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
        )
        return int(found.scalar_one())


@asynccontextmanager
async def held_until_both_wait(bot: BotContext, table: str) -> AsyncIterator[None]:
    """On PostgreSQL, hold ``table`` against writes while the body starts two submissions;
    let go once both wait on a lock. On SQLite, nothing to hold."""
    if bot.engine.dialect.name != "postgresql":
        yield
        return
    async with bot.engine.connect() as holder:
        await holder.execute(text(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE"))
        yield
        deadline = time.monotonic() + WAIT
        while await waiting_on_locks(bot) < 2:
            assert time.monotonic() < deadline, "the two submissions never met at the database"
            await asyncio.sleep(0.01)
        await holder.commit()


async def at_once(bot: BotContext, table: str, *submissions: Awaitable[Reply]) -> list[Reply]:
    async with held_until_both_wait(bot, table):
        tasks = [asyncio.ensure_future(submission) for submission in submissions]
    return list(await asyncio.gather(*tasks))


async def open_form(harness: Harness, action: Action, user_id: str, candidate_id: int) -> Any:
    _, view = await click(
        harness,
        action,
        user_id=user_id,
        value=ref(Ref.CANDIDATE, candidate_id),
        channel_id=HIRING_CHANNEL,
    )
    assert view is not None
    return view


async def stored(harness: Harness, model: Any) -> list[Any]:
    async with harness.bot.sessions() as session:
        return list((await session.exec(select(model))).all())


def refusals(replies: list[Reply]) -> list[str]:
    return [str(reply.json) for reply in replies if reply.text]


async def test_an_advance_and_a_hold_at_the_same_moment_record_one(harness: Harness) -> None:
    candidate = await add_candidate(harness, user_id=ADMIN)
    assert candidate.id is not None
    forms = [
        await open_form(harness, Action.RECORD_DECISION, user, candidate.id)
        for user in (HIRING_MANAGER, ADMIN)
    ]
    harness.fake.clear()

    replies = await at_once(
        harness.bot,
        "decision",
        submit_view(harness, HIRING_MANAGER, forms[0], decision_values("advance")),
        submit_view(harness, ADMIN, forms[1], decision_values("hold")),
    )

    assert all(reply.status == 200 for reply in replies)
    (decision,) = await stored(harness, Decision)
    (refused,) = refusals(replies)
    assert "A decision was recorded for this candidate since you opened this form" in refused
    (after,) = await stored(harness, Candidate)
    expected = {"advance": ("technical", "active"), "hold": ("screening", "on_hold")}
    assert (after.stage_key, after.status) == expected[decision.outcome]
    posted = [
        call.args["text"]
        for call in harness.fake.calls_to("chat.postMessage")
        if call.args.get("thread_ts") == candidate.thread_ts
        and "recorded a decision" in call.args["text"]
    ]
    assert len(posted) == 1


async def test_two_debrief_forms_at_the_same_moment_schedule_one(harness: Harness) -> None:
    candidate = await add_candidate(harness, user_id=ADMIN)
    assert candidate.id is not None
    forms = [
        await open_form(harness, Action.SCHEDULE_DEBRIEF, user, candidate.id)
        for user in (HIRING_MANAGER, ADMIN)
    ]
    harness.fake.clear()

    def values(hours: int) -> dict[str, Any]:
        return {
            DebriefBlock.STARTS_AT: sr.datetime_value(
                DebriefBlock.STARTS_AT, START + timedelta(days=1, hours=hours)
            ),
            DebriefBlock.ATTENDEES: sr.users_value(DebriefBlock.ATTENDEES, (HIRING_MANAGER,)),
            DebriefBlock.DURATION: sr.select_value(DebriefBlock.DURATION, "30"),
            DebriefBlock.VIDEO_LINK: sr.url_value(DebriefBlock.VIDEO_LINK, None),
        }

    replies = await at_once(
        harness.bot,
        "debrief",
        submit_view(harness, HIRING_MANAGER, forms[0], values(1)),
        submit_view(harness, ADMIN, forms[1], values(2)),
    )

    assert all(reply.status == 200 for reply in replies)
    assert len(await stored(harness, Debrief)) == 1
    (refused,) = refusals(replies)
    assert "A debrief of this stage is already scheduled" in refused
