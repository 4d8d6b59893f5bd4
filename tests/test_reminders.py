"""Reminders end to end: planned by domain events, sent by the sweep job at their time,
once, within working hours, with Slack's failures recorded. Job bodies are called
directly with the frozen clock moved by hand; no scheduler runs."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from prometheus_client import REGISTRY
from sqlmodel import col, select

from bot import outbox, reminder_planning, reminder_sweep
from bot.clock import FrozenClock
from bot.context import BotContext
from bot.reminder_rules import ReminderKind
from bot.reminder_sweep import send_due_reminders
from bot.slack_client import build_client
from handlers.ids import Action
from handlers.slack_notifier import SlackNotifier
from slackfake import FakeSlack
from storage import reminders as store
from storage.db import transaction
from storage.models import (
    CandidateStatus,
    Interview,
    InterviewInterviewer,
    InterviewStatus,
    Reminder,
    ReminderStatus,
)
from tests.harness import HIRING_MANAGER, Harness, deliver
from tests.pipeline_seed import add_candidate, add_interview, add_scorecard, hours

# Its SQL can behave differently by dialect: it runs on PostgreSQL too.
pytestmark = pytest.mark.both_databases

ANA, BEN = "U0ANA", "U0BEN"
# Monday 30 Nov 2026 12:00 UTC, an hour long: everyone below is in UTC unless told.
INTERVIEW_AT = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


@pytest.fixture
def notifier(harness: Harness, clock: FrozenClock) -> SlackNotifier:
    return SlackNotifier(build_client(harness.bot.settings), clock)


@pytest.fixture(autouse=True)
def people(fake_slack: FakeSlack) -> None:
    fake_slack.add_user(ANA, real_name="Ana", tz="UTC")
    fake_slack.add_user(BEN, real_name="Ben", tz="UTC")


def dms(fake: FakeSlack, user_id: str | None = None) -> list[dict[str, Any]]:
    return [
        call.args
        for call in fake.calls_to("chat.postMessage")
        if call.args["channel"].startswith("U") and user_id in (None, call.args["channel"])
    ]


def texts(fake: FakeSlack, user_id: str) -> list[str]:
    return [args["text"] for args in dms(fake, user_id)]


async def planned_interview(
    bot: BotContext,
    fake: FakeSlack,
    interviewers: tuple[str, ...] = (ANA, BEN),
    *,
    starts_at: datetime = INTERVIEW_AT,
    name: str = "Jane Doe",
) -> Interview:
    candidate = await add_candidate(bot, name, fake=fake)
    interview = await add_interview(bot, candidate, interviewers, starts_at=starts_at)
    async with transaction(bot.sessions) as session:
        await reminder_planning.interview_planned(
            session,
            interview,
            interviewers,
            hiring_manager_id=candidate.hiring_manager_id,
            feedback_due_hours=bot.settings.feedback_due_hours,
            now=bot.clock.now(),
        )
    return interview


async def rows(bot: BotContext, **filters: Any) -> list[Reminder]:
    async with bot.sessions() as session:
        statement = select(Reminder).order_by(col(Reminder.due_at), col(Reminder.id))
        for name, value in filters.items():
            statement = statement.where(getattr(Reminder, name) == value)
        return list((await session.exec(statement)).all())


async def sweep_at(
    bot: BotContext, notifier: Any, clock: FrozenClock, moment: datetime, owner: str = "a"
) -> reminder_sweep.SweepReport:
    clock.set(moment)
    report = await send_due_reminders(bot, notifier, owner=owner)
    await deliver(bot)
    return report


async def test_each_kind_fires_at_its_time_and_not_before(
    harness: Harness, notifier: SlackNotifier, clock: FrozenClock
) -> None:
    bot, fake = harness.bot, harness.fake
    await planned_interview(bot, fake)
    end = INTERVIEW_AT + hours(1)
    ladder = [
        (INTERVIEW_AT - hours(1), ANA, "starts soon"),
        (end + hours(1), ANA, "How did the interview"),
        (end + hours(24), ANA, "is due"),
        (end + hours(48), HIRING_MANAGER, "Scorecards are late"),
    ]
    for due, user, words in ladder:
        before = len(dms(fake, user))
        await sweep_at(bot, notifier, clock, due - timedelta(seconds=1))
        assert len(dms(fake, user)) == before, f"{words!r} went out early"
        await sweep_at(bot, notifier, clock, due)
        assert len(dms(fake, user)) == before + 1
        assert words in texts(fake, user)[-1]
    # The kit went in full with the invitation: the hour-before DM is short, with Open kit.
    soon = dms(fake, ANA)[0]
    assert not any(b["type"] == "header" for b in soon["blocks"])
    assert len(str(soon["blocks"])) < 1500 and '"action_id": "open_kit"' in json.dumps(soon)
    escalation = dms(fake, HIRING_MANAGER)[0]
    assert f"<@{ANA}>" in escalation["blocks"][0]["text"]["text"]
    assert f"<@{BEN}>" in escalation["blocks"][0]["text"]["text"]
    assert '"action_id": "nudge"' in json.dumps(escalation)
    assert "fake-workspace.slack.com/archives" in str(dms(fake, ANA)[1]["blocks"])
    assert all(r.status == ReminderStatus.SENT for r in await rows(bot))
    # Each DM is remembered with the candidate, where Slack put it: erase can reach it.
    candidate_id = (await rows(bot))[0].candidate_id
    assert candidate_id is not None
    async with bot.sessions() as session:
        remembered = await outbox.remembered(session, candidate_id)
    assert sum(1 for m in remembered if m.channel.startswith("D") and m.ts) == len(dms(fake))


async def test_a_scorecard_stops_its_author_reminders_and_the_last_one_the_escalation(
    harness: Harness, notifier: SlackNotifier, clock: FrozenClock
) -> None:
    bot, fake = harness.bot, harness.fake
    interview = await planned_interview(bot, fake)
    for user in (ANA, BEN):
        clock.set(INTERVIEW_AT + hours(1.5))
        await add_scorecard(bot, interview, user, submitted_at=clock.now())
        async with transaction(bot.sessions) as session:
            await reminder_planning.interviewer_done(
                session, interview, user, hiring_manager_id=HIRING_MANAGER, now=clock.now()
            )
        if user == ANA:
            statuses = {(r.kind, r.recipient_id): r.status for r in await rows(bot)}
            assert statuses[(ReminderKind.SCORECARD_DUE, ANA)] == ReminderStatus.CANCELLED
            assert statuses[(ReminderKind.SCORECARD_DUE, BEN)] == ReminderStatus.PENDING
            assert statuses[(ReminderKind.ESCALATION, HIRING_MANAGER)] == ReminderStatus.PENDING
    statuses = {(r.kind, r.recipient_id): r.status for r in await rows(bot)}
    assert statuses[(ReminderKind.ESCALATION, HIRING_MANAGER)] == ReminderStatus.CANCELLED
    assert statuses[(ReminderKind.DEBRIEF_PENDING, HIRING_MANAGER)] == ReminderStatus.PENDING
    await sweep_at(bot, notifier, clock, INTERVIEW_AT + hours(48))
    assert texts(fake, ANA) == texts(fake, BEN) == []
    assert ["waiting for a decision" in t for t in texts(fake, HIRING_MANAGER)] == [True]

    # A decision ends the wait; closing the candidate ends everything.
    async with transaction(bot.sessions) as session:
        await reminder_planning.decision_recorded(session, interview.candidate_id, closed=True)
    assert not [r for r in await rows(bot) if r.status == ReminderStatus.PENDING]


async def test_cancelling_the_interview_cancels_its_reminders(
    harness: Harness, notifier: SlackNotifier, clock: FrozenClock
) -> None:
    bot, fake = harness.bot, harness.fake
    interview = await planned_interview(bot, fake)
    assert interview.id is not None
    async with transaction(bot.sessions) as session:
        await reminder_planning.interview_cancelled(session, interview.id)
    assert {r.status for r in await rows(bot)} == {ReminderStatus.CANCELLED}
    await sweep_at(bot, notifier, clock, INTERVIEW_AT + hours(72))
    assert dms(fake) == []


async def test_rescheduling_rearms_and_drops_removed_interviewers(
    harness: Harness, notifier: SlackNotifier, clock: FrozenClock
) -> None:
    bot, fake = harness.bot, harness.fake
    interview = await planned_interview(bot, fake)
    await sweep_at(bot, notifier, clock, INTERVIEW_AT - hours(1))
    assert len(dms(fake, ANA)) == len(dms(fake, BEN)) == 1
    # Moved to the next day, Ben taken off: Ana's kit goes out again before the new time.
    later = INTERVIEW_AT + hours(24)
    async with transaction(bot.sessions) as session:
        stored = await session.get(Interview, interview.id)
        assert stored is not None
        stored.starts_at = later
        await reminder_planning.interview_planned(
            session,
            stored,
            [ANA],
            hiring_manager_id=HIRING_MANAGER,
            feedback_due_hours=24,
            now=clock.now(),
        )
    assert ReminderStatus.PENDING not in {r.status for r in await rows(bot, recipient_id=BEN)}
    await sweep_at(bot, notifier, clock, INTERVIEW_AT + hours(3))
    assert len(dms(fake, ANA)) == 1  # the nudge moved with the interview
    await sweep_at(bot, notifier, clock, later - hours(1))
    assert len(dms(fake, ANA)) == 2 and "starts soon" in texts(fake, ANA)[-1]
    assert len(dms(fake, BEN)) == 1
    # Planning the same again is a no-op: nothing re-armed, nothing sent twice.
    async with transaction(bot.sessions) as session:
        stored = await session.get(Interview, interview.id)
        assert stored is not None
        await reminder_planning.interview_planned(
            session,
            stored,
            [ANA],
            hiring_manager_id=HIRING_MANAGER,
            feedback_due_hours=24,
            now=clock.now(),
        )
    await sweep_at(bot, notifier, clock, later - hours(1))
    assert len(dms(fake, ANA)) == 2


async def test_a_closed_candidate_or_a_late_start_makes_a_reminder_obsolete(
    harness: Harness, notifier: SlackNotifier, clock: FrozenClock
) -> None:
    bot, fake = harness.bot, harness.fake
    interview = await planned_interview(bot, fake, (ANA,))
    # The bot was down through the whole hour before the interview: no stale kit after.
    report = await sweep_at(bot, notifier, clock, INTERVIEW_AT + timedelta(minutes=5))
    assert report.outcomes[reminder_sweep.Outcome.OBSOLETE] == 1 and dms(fake) == []
    soon = (await rows(bot, kind=ReminderKind.INTERVIEW_SOON))[0]
    assert soon.status == ReminderStatus.CANCELLED and soon.last_error == "meeting started"
    async with transaction(bot.sessions) as session:
        from storage.models import Candidate

        candidate = await session.get(Candidate, interview.candidate_id)
        assert candidate is not None
        candidate.status = CandidateStatus.WITHDRAWN
    await sweep_at(bot, notifier, clock, INTERVIEW_AT + hours(72))
    assert dms(fake) == []


async def test_sent_once_across_a_restart_on_the_same_database(
    make_harness: Callable[..., Any], clock: FrozenClock
) -> None:
    first = await make_harness()
    await planned_interview(first.bot, first.fake)
    notifier = SlackNotifier(build_client(first.bot.settings), clock)
    await sweep_at(first.bot, notifier, clock, INTERVIEW_AT - hours(1), owner="first")
    assert len(dms(first.fake)) == 2
    # The app restarts: a new process, a new engine and client, the same database.
    second = await make_harness()
    restarted = SlackNotifier(build_client(second.bot.settings), clock)
    report = await sweep_at(second.bot, restarted, clock, INTERVIEW_AT - hours(1), owner="second")
    assert report.sent == 0 and len(dms(first.fake)) == 2
    await sweep_at(second.bot, restarted, clock, INTERVIEW_AT + hours(2), owner="second")
    assert len(dms(first.fake)) == 4


async def test_two_replicas_sweeping_at_once_send_each_reminder_once(
    make_harness: Callable[..., Any], clock: FrozenClock
) -> None:
    first, second = await make_harness(), await make_harness()
    for index in range(25):
        await planned_interview(first.bot, first.fake, (ANA, BEN), name=f"Candidate {index}")
    clock.set(INTERVIEW_AT - hours(1))
    one = SlackNotifier(build_client(first.bot.settings), clock)
    two = SlackNotifier(build_client(second.bot.settings), clock)
    reports = await asyncio.gather(
        send_due_reminders(first.bot, one, owner="one"),
        send_due_reminders(second.bot, two, owner="two"),
    )
    assert sum(report.sent for report in reports) == 50
    await asyncio.gather(deliver(first.bot), deliver(second.bot))
    sent = [(args["channel"], args["text"]) for args in dms(first.fake)]
    assert len(sent) == len(set(sent)) == 50


async def test_a_replica_that_dies_with_a_claimed_batch_leaves_it_to_another_after_the_lease(
    make_harness: Callable[..., Any], clock: FrozenClock
) -> None:
    first = await make_harness()
    await planned_interview(first.bot, first.fake, (ANA,))
    clock.set(INTERVIEW_AT - hours(1))
    async with transaction(first.bot.sessions) as session:
        # Claimed, then the process was killed before queueing anything.
        now = clock.now()
        lease = first.bot.settings.reminder_lease
        dead = await store.claim_due(
            session, now=now, lease_until=now + lease, token="dead/1", limit=10
        )
    assert len(dead) == 1
    second = await make_harness()
    survivor = SlackNotifier(build_client(second.bot.settings), clock)
    almost = INTERVIEW_AT - hours(1) + lease - timedelta(seconds=1)
    assert (await sweep_at(second.bot, survivor, clock, almost, owner="alive")).sent == 0
    lease_over = INTERVIEW_AT - hours(1) + lease
    assert (await sweep_at(second.bot, survivor, clock, lease_over, owner="alive")).sent == 1
    # Queueing and recording commit together: taken over, sent once.
    assert len(dms(first.fake, ANA)) == 1
    soon = (await rows(second.bot, kind=ReminderKind.INTERVIEW_SOON))[0]
    assert soon.status == ReminderStatus.SENT and soon.claimed_by.startswith("alive/")


async def test_held_to_working_hours_in_two_time_zones(
    harness: Harness, notifier: SlackNotifier, clock: FrozenClock
) -> None:
    bot, fake = harness.bot, harness.fake
    tokyo, los_angeles = "U0TOKYO", "U0LA"
    fake.add_user(tokyo, tz="Asia/Tokyo", tz_offset=9 * 3600)
    fake.add_user(los_angeles, tz="America/Los_Angeles", tz_offset=-8 * 3600)
    # Ends Monday 10:00 UTC; the nudge is due at 11:00 UTC: 20:00 in Tokyo, 03:00 in LA.
    await planned_interview(
        bot, fake, (tokyo, los_angeles), starts_at=datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    )
    report = await sweep_at(bot, notifier, clock, datetime(2026, 11, 30, 11, 0, tzinfo=UTC))
    assert report.outcomes[reminder_sweep.Outcome.HELD] == 2 and dms(fake) == []
    held = {r.recipient_id: r.due_at for r in await rows(bot, kind=ReminderKind.SCORECARD_NUDGE)}
    # 09:00 Tuesday in Tokyo is 00:00 UTC; 09:00 Monday in Los Angeles is 17:00 UTC.
    assert held == {
        tokyo: datetime(2026, 12, 1, 0, 0, tzinfo=UTC),
        los_angeles: datetime(2026, 11, 30, 17, 0, tzinfo=UTC),
    }
    await sweep_at(bot, notifier, clock, datetime(2026, 11, 30, 16, 59, tzinfo=UTC))
    assert dms(fake) == []
    await sweep_at(bot, notifier, clock, datetime(2026, 11, 30, 17, 0, tzinfo=UTC))
    assert [args["channel"] for args in dms(fake)] == [los_angeles]
    await sweep_at(bot, notifier, clock, datetime(2026, 12, 1, 0, 0, tzinfo=UTC))
    assert [args["channel"] for args in dms(fake)] == [los_angeles, tokyo]
    assert all(r.attempts == 1 for r in await rows(bot, kind=ReminderKind.SCORECARD_NUDGE))


@pytest.mark.parametrize(
    "error", ["account_inactive", "user_not_found", "cannot_dm_bot", "user_disabled"]
)
async def test_permanent_slack_errors_are_given_up_at_once_and_shown_to_admins(
    harness: Harness, notifier: SlackNotifier, clock: FrozenClock, error: str
) -> None:
    bot, fake = harness.bot, harness.fake
    await planned_interview(bot, fake, (ANA,))
    fake.fail("chat.postMessage", error, when=lambda args: args["channel"] == ANA)
    labels = {"method": "dm", "outcome": "failed"}
    failed_before = REGISTRY.get_sample_value("hiring_outbox_messages_total", labels) or 0
    report = await sweep_at(bot, notifier, clock, INTERVIEW_AT - hours(1))
    assert report.sent == 1  # handed to the outbox
    assert REGISTRY.get_sample_value("hiring_outbox_messages_total", labels) == failed_before + 1
    async with bot.sessions() as session:
        [undelivered] = await outbox.undelivered(session, clock.now(), limit=10)
    assert (undelivered.recipient_id, undelivered.error) == (ANA, error)
    # Refused is final: later sweeps and drains do not try again.
    await sweep_at(bot, notifier, clock, INTERVIEW_AT - hours(0.5))
    assert len(fake.calls_to("chat.postMessage")) == 1


async def test_rate_limits_and_server_errors_are_retried_until_sent(
    harness: Harness, notifier: SlackNotifier, clock: FrozenClock
) -> None:
    bot, fake = harness.bot, harness.fake
    await planned_interview(bot, fake, (ANA,))
    fake.fail("chat.postMessage", "ratelimited", times=2, status=429, headers={"Retry-After": "3"})
    fake.fail("chat.postMessage", "internal_error", times=2, status=500)
    assert (await sweep_at(bot, notifier, clock, INTERVIEW_AT - hours(1))).sent == 1
    # The outbox's own retries: each next moment it names, nothing sent twice.
    while (next_at := await deliver(bot)) is not None:
        clock.set(next_at)
    outcomes = [call.response.get("error") for call in fake.calls_to("chat.postMessage")]
    assert outcomes == ["ratelimited", "ratelimited", "internal_error", "internal_error", None]


async def test_a_slack_down_for_hours_ends_with_the_message_given_up_and_shown(
    harness: Harness, notifier: SlackNotifier, clock: FrozenClock
) -> None:
    bot, fake = harness.bot, harness.fake
    await planned_interview(bot, fake, (ANA,))
    fake.fail("chat.postMessage", "service_unavailable", status=503, times=10_000)
    await sweep_at(bot, notifier, clock, INTERVIEW_AT - hours(1))
    while (next_at := await deliver(bot)) is not None:
        clock.set(next_at)
    tries = len(fake.calls_to("chat.postMessage"))
    # Minutes apart for about six hours, then given up: dozens of tries, not thousands.
    assert 20 < tries < 100
    assert clock.now() - (INTERVIEW_AT - hours(1)) >= hours(6)
    async with bot.sessions() as session:
        [undelivered] = await outbox.undelivered(session, clock.now(), limit=10)
    assert undelivered.error == "service_unavailable"


async def test_the_recipient_time_zone_is_cached(
    harness: Harness, notifier: SlackNotifier, clock: FrozenClock
) -> None:
    assert await notifier.user_timezone(ANA) == "UTC"
    assert await notifier.user_timezone(ANA) == "UTC"
    assert len(harness.fake.calls_to("users.info")) == 1
    clock.advance(timedelta(hours=2))
    harness.fake.add_user(ANA, tz="Europe/Berlin")
    assert await notifier.user_timezone(ANA) == "Europe/Berlin"
    assert await notifier.user_timezone("U0NOBODY") is None


async def test_not_attended_stops_the_reminders_and_tells_the_hiring_manager(
    harness: Harness, notifier: SlackNotifier, clock: FrozenClock
) -> None:
    bot, fake = harness.bot, harness.fake
    interview = await planned_interview(bot, fake)
    await sweep_at(bot, notifier, clock, INTERVIEW_AT + hours(2))
    nudge = dms(fake, ANA)[-1]
    buttons = [e for b in nudge["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert {b["action_id"] for b in buttons} == {Action.SUBMIT_SCORECARD, Action.NOT_ATTENDED}
    value = next(b["value"] for b in buttons if b["action_id"] == Action.NOT_ATTENDED)
    fake.clear()
    reply = await harness.action(Action.NOT_ATTENDED, user_id=ANA, value=value)
    assert reply.status == 200
    async with bot.sessions() as session:
        seat = await session.get(InterviewInterviewer, (interview.id, ANA))
        assert seat is not None and not seat.attended
    told = texts(fake, HIRING_MANAGER)
    assert len(told) == 1 and f"<@{ANA}>" in told[0] and "not attend" in told[0]
    due = (await rows(bot, recipient_id=ANA, kind=ReminderKind.SCORECARD_DUE))[0]
    assert due.status == ReminderStatus.CANCELLED
    await sweep_at(bot, notifier, clock, INTERVIEW_AT + hours(49))
    escalation = texts(fake, HIRING_MANAGER)[-1]
    assert "late" in escalation and dms(fake, ANA) == []
    late_line = dms(fake, HIRING_MANAGER)[-1]["blocks"][0]["text"]["text"]
    assert f"<@{BEN}>" in late_line and f"<@{ANA}>" not in late_line


async def test_only_an_interviewer_may_mark_not_attended(
    harness: Harness, notifier: SlackNotifier, clock: FrozenClock
) -> None:
    bot, fake = harness.bot, harness.fake
    interview = await planned_interview(bot, fake, (ANA,))
    fake.clear()
    reply = await harness.action(
        Action.NOT_ATTENDED, user_id=BEN, value=f"interview:{interview.id}"
    )
    assert reply.status == 200
    answer = fake.calls_to("response_url")
    assert answer and "Only an interviewer" in answer[0].args["text"]
    async with bot.sessions() as session:
        seat = await session.get(InterviewInterviewer, (interview.id, ANA))
        assert seat is not None and seat.attended
    assert {r.status for r in await rows(bot)} == {ReminderStatus.PENDING}
    assert dms(fake) == []
    assert interview.status == InterviewStatus.SCHEDULED


async def test_scheduling_rescheduling_and_cancelling_through_slack_plan_the_reminders(
    harness: Harness,
) -> None:
    from tests.intake_helpers import add_candidate as register
    from tests.test_schedule import CY, LATER, WHEN, schedule, submit

    harness.fake.add_user(CY, real_name="Cy")
    candidate = await register(harness)
    interview = await schedule(harness, candidate)
    soon = {
        r.recipient_id: r.due_at for r in await rows(harness.bot, kind=ReminderKind.INTERVIEW_SOON)
    }
    assert soon == {ANA: WHEN - hours(1), BEN: WHEN - hours(1)}

    await harness.action(Action.RESCHEDULE_INTERVIEW, value=f"interview:{interview.id}")
    view = harness.fake.calls_to("views.open")[-1].response["view"]
    await submit(harness, view, interviewers=(BEN, CY), starts_at=LATER)
    open_rows = [r for r in await rows(harness.bot) if r.status == ReminderStatus.PENDING]
    assert {r.recipient_id for r in open_rows} == {BEN, CY, HIRING_MANAGER}
    assert {r.due_at for r in open_rows if r.kind == ReminderKind.INTERVIEW_SOON} == {
        LATER - hours(1)
    }

    await harness.action(Action.CANCEL_INTERVIEW, value=f"interview:{interview.id}")
    assert {r.status for r in await rows(harness.bot)} == {ReminderStatus.CANCELLED}
