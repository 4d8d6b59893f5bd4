"""The outbox under the issue's conditions, as users meet it: Slack's rate limits on,
Slack failing while people work, and an erase that must leave nothing behind."""

from __future__ import annotations

import json
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import select

from bot.clock import FrozenClock
from handlers.ids import View
from slackfake import FakeSlack
from slackfake import requests as sr
from storage.models import Candidate, OutboxMessage, OutboxStatus, Scorecard
from tests.flows import (
    ANA,
    BEN,
    add_candidate,
    deliver_all,
    open_schedule,
    submit_intake,
    submit_schedule,
    submit_scorecard,
    tie_clocks,
)
from tests.harness import HIRING_CHANNEL, HIRING_MANAGER, Harness
from tests.seed import add_interview

# The outbox's claims and pacing by dialect are tested in test_outbox and test_replicas;
# here, what PostgreSQL could change is the erase and the commit without Slack (marked
# below). The fifty intakes run once, on SQLite: 16 s of forms over the same queries.


def _standing(fake: FakeSlack) -> list[dict[str, Any]]:
    return fake.messages_in(HIRING_CHANNEL)


async def test_fifty_candidates_back_to_back_under_rate_limits_every_card_and_thread_once(
    harness: Harness, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    tie_clocks(fake_slack, clock)
    fake_slack.rate_limit("chat.postMessage", 1.0)
    for n in range(50):
        reply = await submit_intake(harness, f"Candidate {n:02d}")
        # The action succeeded when it committed, whatever the channel's queue.
        assert (reply.status, reply.text) == (200, "")
    await deliver_all(harness, clock)
    standing = _standing(fake_slack)
    cards = [m for m in standing if "thread_ts" not in m]
    assert sorted(m["text"].split(" (")[0] for m in cards) == [
        f"Candidate {n:02d}" for n in range(50)
    ]
    replies = Counter(m["thread_ts"] for m in standing if "thread_ts" in m)
    # Every thread has its question set, once, under its own card.
    assert replies == Counter({card["ts"]: 1 for card in cards})
    async with harness.bot.sessions() as session:
        candidates = (await session.exec(select(Candidate))).all()
        statuses = {row.status for row in (await session.exec(select(OutboxMessage))).all()}
    assert all(c.thread_ts and c.permalink for c in candidates) and statuses == {"sent"}
    limited = [c for c in fake_slack.calls_to("chat.postMessage") if not c.response.get("ok")]
    # Slack said 429 a handful of times, not once per message: the channel was paced.
    assert 0 < len(limited) < 10


@pytest.mark.both_databases
async def test_a_committed_scorecard_is_a_success_while_slack_fails_and_arrives_later(
    harness: Harness, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    for user in (ANA, BEN):
        fake_slack.add_user(user)
    candidate = await add_candidate(harness)
    assert candidate.id is not None
    interview = await add_interview(
        harness.bot,
        candidate,
        (ANA, BEN),
        starts_at=clock.now() - timedelta(hours=2),
        stage="technical",
    )
    assert interview.id is not None
    interview_id = interview.id
    fake_slack.clear()
    # Slack is down for every message from now on.
    fake_slack.fail("chat.postMessage", "service_unavailable", status=503, times=1000)
    fake_slack.fail("chat.update", "service_unavailable", status=503, times=1000)
    fake_slack.drop("chat.postMessage", times=3)
    await submit_scorecard(harness, ANA, interview_id)  # asserts the modal closed: success
    async with harness.bot.sessions() as session:
        assert len((await session.exec(select(Scorecard))).all()) == 1
    assert not [c for c in fake_slack.calls_to("chat.postMessage") if c.response.get("ok")]
    # Slack is back: the thread hears of it, once.
    fake_slack._failures.clear()
    await deliver_all(harness, clock)
    notes = [m for m in _standing(fake_slack) if m.get("thread_ts") == candidate.thread_ts]
    assert sum(f"<@{ANA}>" in m["text"] for m in notes) == 1
    async with harness.bot.sessions() as session:
        rows = (await session.exec(select(OutboxMessage))).all()
    assert {row.status for row in rows} == {OutboxStatus.SENT}


@pytest.mark.both_databases
async def test_a_full_loop_then_erase_leaves_nothing_naming_the_candidate_in_slack(
    harness: Harness, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    name = "Zoë Unforgettable"
    for user in (ANA, BEN):
        fake_slack.add_user(user, real_name=user)
    candidate = await add_candidate(harness, name)
    assert candidate.id is not None
    view = await open_schedule(harness, candidate)
    assert (await submit_schedule(harness, view, interviewers=(ANA, BEN))).status == 200
    other = await add_candidate(harness, "Other Person")
    await harness.command(f"export #{candidate.id}")
    await harness.command("digest")
    await deliver_all(harness, clock)

    def naming() -> list[str]:
        found = [
            f"{channel}:{message['ts']}"
            for (channel, _), message in fake_slack._messages.items()
            if name in json.dumps(message, ensure_ascii=False)
        ]
        found += [
            f"file {f.file_id}"
            for f in fake_slack.files.values()
            if name.encode() in f.content or name in (f.title or "")
        ]
        return found

    # The card, the kit DMs, the invitations, the export, the digest: all name her.
    assert len(naming()) >= 7
    assert any(f.filename.endswith(".json") for f in fake_slack.files.values())
    view = (await harness.command(f"erase #{candidate.id}")) and fake_slack.calls_to("views.open")[
        -1
    ].response["view"]
    assert view["callback_id"] == View.ERASE_CANDIDATE
    reply = await harness.post(sr.view_submission(user_id=HIRING_MANAGER, view=view, values={}))
    assert (reply.status, reply.text) == (200, "")
    await deliver_all(harness, clock)
    assert naming() == []
    # The digest stands, for the other candidate, with her name taken out.
    digest = [m for m in _standing(fake_slack) if "Other Person" in json.dumps(m)]
    assert digest, "the shared digest was deleted instead of edited"
    summary = fake_slack.calls_to("chat.postMessage")[-1]
    assert "erased" in summary.args["text"] and "could not" not in summary.args["text"]
    assert other.thread_ts is not None
    async with harness.bot.sessions() as session:
        rows = (await session.exec(select(OutboxMessage))).all()
    assert all(name not in json.dumps(row.payload, ensure_ascii=False) for row in rows)
