"""RETENTION_DAYS: closed candidates erased as ``erase`` does, at a quiet hour, once; the
hiring manager warned a week before with *Keep 90 more days*. The job's body runs with an
injected clock; nothing waits for a real night."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import col, select

from bot.clock import FrozenClock
from bot.retention import KEEP_MORE, NOTICE, RetentionReport, run_retention
from handlers.ids import Action
from handlers.refs import Ref, ref
from handlers.slack_notifier import SlackNotifier
from slackfake import FakeSlack
from storage.models import AuditEvent, Candidate, CandidateStatus, Interview
from tests.harness import HIRING_MANAGER, Harness
from tests.pipeline_seed import add_candidate, add_interview, hours

# Its SQL can behave differently by dialect: it runs on PostgreSQL too.
pytestmark = pytest.mark.both_databases

DAYS = 30
ANA = "U0ANA"


@pytest.fixture
async def kept(make_harness: Any, fake_slack: FakeSlack) -> Harness:
    fake_slack.add_user(ANA)
    harness: Harness = await make_harness(retention_days=DAYS)
    return harness


async def _closed(harness: Harness, name: str, *, days_ago: float) -> Candidate:
    """A rejected candidate with their card, an interview and a kit DM, closed that long ago."""
    bot = harness.bot
    candidate = await add_candidate(bot, name, fake=harness.fake, status=CandidateStatus.REJECTED)
    await add_interview(bot, candidate, [ANA], starts_at=bot.clock.now() - hours(24 * 40))
    async with bot.sessions() as session, session.begin():
        candidate = await session.get(Candidate, candidate.id)
        assert candidate is not None
        candidate.closed_at = bot.clock.now() - timedelta(days=days_ago)
        session.add(candidate)
    return candidate


async def _run(harness: Harness) -> RetentionReport:
    assert harness.app is not None
    report = await run_retention(harness.bot, SlackNotifier(harness.app.client, harness.bot.clock))
    await harness.deliver()
    return report


async def _names(harness: Harness) -> list[str]:
    async with harness.bot.sessions() as session:
        rows = await session.exec(select(Candidate).order_by(col(Candidate.id)))
        return [candidate.name for candidate in rows.all()]


def _warnings(fake: FakeSlack) -> list[Any]:
    return [
        call
        for call in fake.calls_to("chat.postMessage")
        if call.args["channel"] == HIRING_MANAGER
        and "will be erased" in call.args["text"]
        and call.response.get("ok")
    ]


async def test_unset_retention_keeps_closed_candidates(harness: Harness) -> None:
    await _closed(harness, "Old Closed", days_ago=3000)
    assert await _run(harness) == RetentionReport(0, 0)
    assert await _names(harness) == ["Old Closed"] and harness.fake.calls == []


async def test_warned_a_week_before_then_erased_as_erase_does_once(
    kept: Harness, clock: FrozenClock
) -> None:
    jane = await _closed(kept, "Jane Due", days_ago=DAYS - 7)
    await _closed(kept, "Not Yet", days_ago=DAYS - 8)
    open_one = await add_candidate(kept.bot, "Still Open")
    open_one.closed_at = None
    kept.fake.clear()

    assert await _run(kept) == RetentionReport(warned=1, erased=0)
    (warning,) = _warnings(kept.fake)
    assert "Jane Due" in warning.args["text"] and "Not Yet" not in warning.args["text"]
    erase_on = int((clock.now() + NOTICE).timestamp())
    assert f"<!date^{erase_on}^" in warning.args["text"]
    button = warning.args["blocks"][-1]["elements"][0]
    assert button["action_id"] == Action.KEEP_CANDIDATE
    assert button["text"]["text"] == "Keep 90 more days"
    # A second run the same night warns nobody again.
    assert await _run(kept) == RetentionReport(0, 0)

    clock.advance(NOTICE - timedelta(hours=1))
    assert (await _run(kept)).erased == 0
    clock.advance(timedelta(hours=1))
    kept.fake.clear()
    assert (await _run(kept)).erased == 1
    assert "Jane Due" not in await _names(kept)
    assert {"Not Yet", "Still Open"} <= set(await _names(kept))
    deleted = {call.args["ts"] for call in kept.fake.calls_to("chat.delete")}
    assert jane.thread_ts in deleted  # the card and its thread, as erase deletes them
    async with kept.bot.sessions() as session:
        (audit,) = (
            await session.exec(select(AuditEvent).where(AuditEvent.action == "candidate_erased"))
        ).all()
        assert audit.actor_id == "retention" and audit.detail["reason"] == "retention"
        assert audit.candidate_id is None
        interviews = (await session.exec(select(Interview))).all()
        assert jane.id not in {interview.candidate_id for interview in interviews}
    assert await _run(kept) == RetentionReport(0, 0)  # erased once; Not Yet was warned already


async def test_a_candidate_closed_long_ago_still_gets_the_weeks_notice(
    kept: Harness, clock: FrozenClock
) -> None:
    await _closed(kept, "Long Gone", days_ago=400)
    assert await _run(kept) == RetentionReport(warned=1, erased=0)
    clock.advance(NOTICE - timedelta(minutes=1))
    assert await _run(kept) == RetentionReport(0, 0)
    clock.advance(timedelta(minutes=1))
    assert await _run(kept) == RetentionReport(0, 1)


async def test_keep_90_more_days_moves_the_erasure_and_warns_again(
    kept: Harness, clock: FrozenClock
) -> None:
    jane = await _closed(kept, "Jane Kept", days_ago=DAYS - 7)
    await _run(kept)
    kept.fake.clear()
    reply = await kept.action(Action.KEEP_CANDIDATE, value=ref(Ref.CANDIDATE, jane.id or 0))
    assert reply.status == 200
    (answer,) = kept.fake.calls_to("response_url")
    assert answer.args["replace_original"] is True and "kept" in answer.args["text"]
    new_date = clock.now() + NOTICE + KEEP_MORE
    assert f"<!date^{int(new_date.timestamp())}^" in answer.args["text"]

    clock.advance(NOTICE + timedelta(days=1))
    assert await _run(kept) == RetentionReport(0, 0)  # kept: no warning, no erasure
    clock.set(new_date - NOTICE)
    assert await _run(kept) == RetentionReport(warned=1, erased=0)
    clock.set(new_date)
    assert await _run(kept) == RetentionReport(0, 1)


async def test_keep_is_for_the_hiring_manager_and_admins(kept: Harness, clock: FrozenClock) -> None:
    jane = await _closed(kept, "Jane Kept", days_ago=DAYS - 7)
    await _run(kept)
    kept.fake.clear()
    await kept.action(Action.KEEP_CANDIDATE, user_id=ANA, value=ref(Ref.CANDIDATE, jane.id or 0))
    (answer,) = kept.fake.calls_to("response_url")
    assert "Only the hiring manager" in answer.args["text"]
    clock.advance(NOTICE)
    assert await _run(kept) == RetentionReport(0, 1)


async def test_keep_after_the_erasure_says_so_and_changes_nothing(
    kept: Harness, clock: FrozenClock
) -> None:
    jane = await _closed(kept, "Jane Gone", days_ago=DAYS - 7)
    await _run(kept)
    clock.advance(NOTICE)
    await _run(kept)
    kept.fake.clear()
    await kept.action(Action.KEEP_CANDIDATE, value=ref(Ref.CANDIDATE, jane.id or 0))
    (answer,) = kept.fake.calls_to("response_url")
    assert "no longer exists" in answer.args["text"]
    assert await _names(kept) == []


async def test_a_warning_slack_could_not_take_is_sent_again_by_the_outbox(
    kept: Harness, clock: FrozenClock
) -> None:
    await _closed(kept, "Jane Retry", days_ago=DAYS)
    # Slack's answer that is worth another try: the outbox tries again shortly.
    kept.fake.fail("chat.postMessage", "internal_error", status=500)
    assert await _run(kept) == RetentionReport(warned=1, erased=0)
    assert _warnings(kept.fake) == []
    clock.advance(timedelta(minutes=1))
    await kept.deliver()
    assert len(_warnings(kept.fake)) == 1
    assert await _names(kept) == ["Jane Retry"]


async def test_a_manager_who_left_cannot_stop_the_erasure(
    kept: Harness, clock: FrozenClock
) -> None:
    await _closed(kept, "Jane Orphan", days_ago=DAYS)
    kept.fake.fail("chat.postMessage", "account_inactive")
    # Queued (and refused for good: shown to admins); the erasure comes all the same.
    assert await _run(kept) == RetentionReport(1, 0)
    clock.advance(NOTICE)
    assert await _run(kept) == RetentionReport(0, 1)


async def test_replicas_running_together_warn_once_and_erase_once(
    kept: Harness, clock: FrozenClock
) -> None:
    for index in range(3):
        await _closed(kept, f"Jane {index}", days_ago=DAYS)
    kept.fake.clear()
    reports = await asyncio.gather(_run(kept), _run(kept))
    assert sum(r.warned for r in reports) == 3 and len(_warnings(kept.fake)) == 3
    clock.advance(NOTICE)
    reports = await asyncio.gather(_run(kept), _run(kept))
    assert sum(r.erased for r in reports) == 3 and await _names(kept) == []
    async with kept.bot.sessions() as session:
        erased = (
            await session.exec(select(AuditEvent).where(AuditEvent.action == "candidate_erased"))
        ).all()
    assert len(erased) == 3
