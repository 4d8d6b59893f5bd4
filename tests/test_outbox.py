"""The outbox: queued in the caller's transaction, sent in order per channel, paced by
Slack's answers, retried through faults, refused ones shown in words."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot import outbox
from bot.clock import FrozenClock
from bot.context import BotContext
from handlers.undelivered_reasons import problem
from slackfake import FakeSlack
from storage.db import transaction
from storage.models import OutboxMessage, OutboxStatus
from tests.flows import deliver_all, tie_clocks
from tests.harness import HIRING_CHANNEL, Harness

# Its SQL can behave differently by dialect: it runs on PostgreSQL too.
pytestmark = pytest.mark.both_databases


def _posted(fake: FakeSlack, channel: str | None = None) -> list[dict]:
    return [
        call.args
        for call in fake.calls_to("chat.postMessage")
        if call.response.get("ok") and (channel is None or call.args["channel"] == channel)
    ]


async def _rows(bot: BotContext) -> list[OutboxMessage]:
    from sqlmodel import select

    async with bot.sessions() as session:
        return list((await session.exec(select(OutboxMessage).order_by(OutboxMessage.id))).all())


async def test_rate_limited_channels_get_everything_once_in_order(
    harness: Harness, bot: BotContext, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    tie_clocks(fake_slack, clock)
    fake_slack.rate_limit("chat.postMessage", 1.0)
    async with transaction(bot.sessions) as session:
        for n in range(6):
            await outbox.post(session, bot, HIRING_CHANNEL, f"channel {n}")
            await outbox.dm(session, bot, "U0ANA", f"ana {n}")
            await outbox.dm(session, bot, "U0BOB", f"bob {n}")
    start = clock.now()
    await deliver_all(harness, clock)
    assert [m["text"] for m in _posted(fake_slack, HIRING_CHANNEL)] == [
        f"channel {n}" for n in range(6)
    ]
    assert [m["text"] for m in _posted(fake_slack, "U0ANA")] == [f"ana {n}" for n in range(6)]
    assert [m["text"] for m in _posted(fake_slack, "U0BOB")] == [f"bob {n}" for n in range(6)]
    # Each channel keeps Slack's pace, all three at once: about 5 s, not 15.
    assert clock.now() - start < timedelta(seconds=8)
    limited = [c for c in fake_slack.calls_to("chat.postMessage") if not c.response.get("ok")]
    assert limited and all(c.response["error"] == "ratelimited" for c in limited)
    # Told once per channel to slow down, then paced: no storm of 429s.
    assert len(limited) <= 3
    assert {row.status for row in await _rows(bot)} == {OutboxStatus.SENT}


async def test_a_burst_of_5xx_and_dropped_connections_lose_nothing(
    harness: Harness, bot: BotContext, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    fake_slack.fail("chat.postMessage", "internal_error", status=503, times=3)
    fake_slack.drop("chat.postMessage", times=2)
    async with transaction(bot.sessions) as session:
        for n in range(4):
            await outbox.dm(session, bot, "U0ANA", f"ana {n}")
    await deliver_all(harness, clock)
    assert [m["text"] for m in _posted(fake_slack, "U0ANA")] == [f"ana {n}" for n in range(4)]
    rows = await _rows(bot)
    assert [row.status for row in rows] == [OutboxStatus.SENT] * 4
    assert rows[0].attempts == 6  # five failures, then the send


async def test_an_answer_lost_after_slack_posted_is_sent_again_at_least_once(
    harness: Harness, bot: BotContext, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    fake_slack.drop("chat.postMessage", after=True)
    async with transaction(bot.sessions) as session:
        await outbox.dm(session, bot, "U0ANA", "hello")
    await deliver_all(harness, clock)
    # Slack had it the first time; the bot could not know: at least once, as documented.
    first, second = fake_slack.calls_to("chat.postMessage")
    assert first.response["dropped"] and not second.response.get("dropped")
    assert len(fake_slack.messages_in(fake_slack.dm_channel("U0ANA") or "")) == 2


async def test_a_permanent_refusal_is_given_up_at_once_and_said_in_words(
    harness: Harness, bot: BotContext, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    fake_slack.fail("chat.postMessage", "account_inactive", when=lambda a: a["channel"] == "U0GONE")
    async with transaction(bot.sessions) as session:
        await outbox.dm(session, bot, "U0GONE", "hello")
        await outbox.dm(session, bot, "U0ANA", "hello")
    await deliver_all(harness, clock)
    assert len(fake_slack.calls_to("chat.postMessage")) == 2  # no retry of the refusal
    async with bot.sessions() as session:
        found = await outbox.undelivered(session, clock.now(), limit=10)
    assert [(u.recipient_id, u.error, u.count) for u in found] == [
        ("U0GONE", "account_inactive", 1)
    ]
    assert problem(found[0].error).what == "The recipient's Slack account is deactivated."


async def test_five_edits_of_a_card_send_the_newest_state_once(
    harness: Harness, bot: BotContext, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    for n in range(5):
        async with transaction(bot.sessions) as session:
            await outbox.post(session, bot, HIRING_CHANNEL, f"card v{n}", key="card:1")
    await deliver_all(harness, clock)
    assert [m["text"] for m in _posted(fake_slack)] == ["card v4"]
    for n in range(5, 10):
        async with transaction(bot.sessions) as session:
            await outbox.post(session, bot, HIRING_CHANNEL, f"card v{n}", key="card:1")
    await deliver_all(harness, clock)
    updates = fake_slack.calls_to("chat.update")
    assert [c.args["text"] for c in updates] == ["card v9"]
    assert fake_slack.messages_in(HIRING_CHANNEL)[0]["text"] == "card v9"


async def test_a_thread_note_waits_for_its_card_and_lands_under_it(
    harness: Harness, bot: BotContext, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    tie_clocks(fake_slack, clock)
    fake_slack.rate_limit("chat.postMessage", 1.0)
    fake_slack.fail("chat.postMessage", "internal_error", status=500, times=2)
    async with transaction(bot.sessions) as session:
        await outbox.post(session, bot, HIRING_CHANNEL, "card", key="card:1")
        await outbox.post(session, bot, HIRING_CHANNEL, "note", thread_of="card:1")
    await deliver_all(harness, clock)
    card, note = fake_slack.messages_in(HIRING_CHANNEL)
    assert (card["text"], note["text"], note["thread_ts"]) == ("card", "note", card["ts"])


async def test_a_rolled_back_change_sends_nothing(
    harness: Harness, bot: BotContext, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    with pytest.raises(RuntimeError):
        async with transaction(bot.sessions) as session:
            await outbox.dm(session, bot, "U0ANA", "never")
            raise RuntimeError("the change failed")
    await deliver_all(harness, clock)
    assert fake_slack.calls_to("chat.postMessage") == []
    assert not bot.outbox_ready.is_set()


async def test_a_dead_replicas_claim_is_taken_over_after_its_lease(
    harness: Harness, bot: BotContext, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    from storage import outbox as store

    async with transaction(bot.sessions) as session:
        await outbox.dm(session, bot, "U0ANA", "kit")
    async with transaction(bot.sessions) as session:
        now = clock.now()
        claimed = await store.claim(
            session,
            now=now,
            lease_until=now + timedelta(seconds=60),
            token="dead",
            limit=10,
            per_lane=10,
        )
    assert len(claimed) == 1
    await deliver_all(harness, clock)
    assert [m["text"] for m in _posted(fake_slack)] == ["kit"]
    assert clock.now() >= now + timedelta(seconds=60)
