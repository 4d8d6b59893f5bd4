"""Debrief meetings through Slack: the modal, the thread note, the invitations, the changes,
and the three reminders a debrief brings, sent by the sweep job at their times with the
frozen clock moved by hand."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from icalendar import Calendar
from sqlmodel import col, select

from bot.clock import FrozenClock
from bot.reminder_rules import ReminderKind
from bot.reminder_sweep import send_due_reminders
from bot.slack_client import build_client
from handlers.ids import Action, DebriefBlock
from handlers.mrkdwn import date_token
from handlers.slack_notifier import SlackNotifier
from slackfake import FakeSlack
from slackfake import requests as sr
from slackfake.server import Call
from storage.models import (
    AuditEvent,
    Candidate,
    CandidateStatus,
    Debrief,
    DebriefAttendee,
    Interview,
    Reminder,
    ReminderStatus,
)
from tests.conftest import START
from tests.harness import HIRING_CHANNEL, HIRING_MANAGER, Harness, Reply
from tests.intake_helpers import add_candidate
from tests.pipeline_seed import add_scorecard
from tests.test_kit_blocks import all_text
from tests.test_schedule import (
    buttons,
    dms,
    errors_of,
    next_step_of,
    schedule,
    thread_posts,
    updates_of,
)

ANA, BEN, CY = "U0ANA", "U0BEN", "U0CY"
RECRUITER, ADMIN = "U0REC", "U0ADMIN"
BOT_USER, GONE = "U0DEPLOYBOT", "U0GONE"
# The screening interview is Wednesday 14:00-14:30 UTC; the debrief Thursday 15:00-15:30.
INTERVIEW_AT = datetime(2026, 12, 2, 14, 0, tzinfo=UTC)
DEBRIEF_AT = datetime(2026, 12, 3, 15, 0, tzinfo=UTC)
LATER = DEBRIEF_AT + timedelta(days=1)
SECOND = timedelta(seconds=1)


@pytest.fixture(autouse=True)
def people(fake_slack: FakeSlack) -> None:
    for user_id, name in ((ANA, "Ana"), (BEN, "Ben"), (CY, "Cy"), (RECRUITER, "Rae")):
        fake_slack.add_user(user_id, real_name=name)
    fake_slack.add_user(ADMIN, real_name="Ada Admin")
    fake_slack.add_user(BOT_USER, real_name="Deploy Bot", is_bot=True)
    fake_slack.add_user(GONE, real_name="Old Timer", deleted=True)


@pytest.fixture
def notifier(harness: Harness, clock: FrozenClock) -> SlackNotifier:
    return SlackNotifier(build_client(harness.bot.settings), clock)


def values(
    *,
    starts_at: datetime | None = DEBRIEF_AT,
    attendees: tuple[str, ...] = (ANA, BEN, HIRING_MANAGER),
    duration: str = "30",
    link: str | None = None,
) -> dict[str, dict[str, Any]]:
    """``view.state.values`` of a filled-in Schedule debrief modal."""
    return {
        DebriefBlock.STARTS_AT: sr.datetime_value(DebriefBlock.STARTS_AT, starts_at),
        DebriefBlock.ATTENDEES: sr.users_value(DebriefBlock.ATTENDEES, attendees),
        DebriefBlock.DURATION: sr.select_value(DebriefBlock.DURATION, duration),
        DebriefBlock.VIDEO_LINK: sr.url_value(DebriefBlock.VIDEO_LINK, link),
    }


async def with_interview(harness: Harness, *, user_id: str = HIRING_MANAGER) -> Candidate:
    """A candidate whose screening interview with Ana and Ben is scheduled."""
    candidate = await add_candidate(harness, user_id=user_id)
    await schedule(harness, candidate, starts_at=INTERVIEW_AT)
    return candidate


async def open_debrief(
    harness: Harness, candidate: Candidate, user_id: str = HIRING_MANAGER
) -> dict[str, Any]:
    """Click the card's Schedule debrief button; the modal Slack opened."""
    reply = await harness.action(
        Action.SCHEDULE_DEBRIEF, user_id=user_id, value=f"candidate:{candidate.id}"
    )
    assert reply.status == 200
    return harness.fake.calls_to("views.open")[-1].response["view"]


async def submit(
    harness: Harness, view: dict[str, Any], *, user_id: str = HIRING_MANAGER, **changes: Any
) -> Reply:
    return await harness.post(
        sr.view_submission(user_id=user_id, view=view, values=values(**changes))
    )


async def schedule_debrief(
    harness: Harness, candidate: Candidate, *, user_id: str = HIRING_MANAGER, **changes: Any
) -> Debrief:
    view = await open_debrief(harness, candidate, user_id)
    reply = await submit(harness, view, user_id=user_id, **changes)
    assert (reply.status, reply.text) == (200, "")
    [debrief] = [d for d in await stored_debriefs(harness) if d.schedule_view_id == view["id"]]
    return debrief


async def open_reschedule(
    harness: Harness, debrief: Debrief, user_id: str = HIRING_MANAGER
) -> dict[str, Any]:
    await harness.action(Action.RESCHEDULE_DEBRIEF, user_id=user_id, value=f"debrief:{debrief.id}")
    return harness.fake.calls_to("views.open")[-1].response["view"]


async def stored_debriefs(harness: Harness) -> list[Debrief]:
    async with harness.bot.sessions() as session:
        return list((await session.exec(select(Debrief).order_by(col(Debrief.id)))).all())


async def attendees(harness: Harness, debrief: Debrief) -> list[str]:
    async with harness.bot.sessions() as session:
        rows = await session.exec(
            select(DebriefAttendee.user_id)
            .where(DebriefAttendee.debrief_id == debrief.id)
            .order_by(col(DebriefAttendee.user_id))
        )
        return list(rows.all())


async def debrief_reminders(harness: Harness, **filters: Any) -> list[Reminder]:
    async with harness.bot.sessions() as session:
        statement = (
            select(Reminder)
            .where(col(Reminder.debrief_id).is_not(None))
            .order_by(col(Reminder.due_at), col(Reminder.recipient_id))
        )
        for name, value in filters.items():
            statement = statement.where(getattr(Reminder, name) == value)
        return list((await session.exec(statement)).all())


def reminder_dms(fake: FakeSlack, user_id: str, words: str) -> list[dict[str, Any]]:
    """Reminder DMs (the sweep posts to the user's id) to ``user_id`` that say ``words``."""
    return [
        call.args
        for call in fake.calls_to("chat.postMessage")
        if call.args["channel"] == user_id and words in call.args["text"]
    ]


async def sweep_at(harness: Harness, notifier: SlackNotifier, moment: datetime) -> None:
    clock = harness.bot.clock
    assert isinstance(clock, FrozenClock)
    clock.set(moment)
    await send_due_reminders(harness.bot, notifier, owner="test")
    await harness.deliver()


def card_updates(harness: Harness, candidate: Candidate) -> list[Call]:
    return updates_of(harness.fake, HIRING_CHANNEL, candidate.thread_ts)


# --------------------------------------------------------------------- opening the modal


async def test_the_card_button_opens_the_modal_with_the_stage_panel_invited(
    harness: Harness,
) -> None:
    candidate = await with_interview(harness)
    [card] = [
        call
        for call in harness.fake.calls_to("chat.postMessage")
        if call.args["channel"] == HIRING_CHANNEL and "thread_ts" not in call.args
    ]
    assert Action.SCHEDULE_DEBRIEF in [b["action_id"] for b in buttons(card.args["blocks"])]
    harness.fake.clear()

    view = await open_debrief(harness, candidate)

    assert harness.fake.calls[0].method == "views.open", "nothing before the modal opens"
    assert view["title"]["text"] == "Schedule debrief"
    inputs = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
    assert list(inputs) == [
        DebriefBlock.STARTS_AT,
        DebriefBlock.ATTENDEES,
        DebriefBlock.DURATION,
        DebriefBlock.VIDEO_LINK,
    ]
    assert inputs[DebriefBlock.ATTENDEES]["initial_users"] == [ANA, BEN, HIRING_MANAGER]
    assert inputs[DebriefBlock.DURATION]["initial_option"]["value"] == "30"
    assert "Screening debrief" in view["blocks"][0]["text"]["text"]


async def test_without_interviews_the_hiring_manager_alone_is_proposed(harness: Harness) -> None:
    candidate = await add_candidate(harness)
    view = await open_debrief(harness, candidate)
    [attendees_input] = [b for b in view["blocks"] if b.get("block_id") == DebriefBlock.ATTENDEES]
    assert attendees_input["element"]["initial_users"] == [HIRING_MANAGER]


async def test_the_debrief_subcommand_opens_the_modal_or_says_what_is_wrong(
    harness: Harness,
) -> None:
    candidate = await with_interview(harness)
    harness.fake.clear()

    reply = await harness.command("debrief jane")

    assert (reply.status, reply.text) == (200, "")
    [opened] = harness.fake.calls_to("views.open")
    assert f'"candidate_id":{candidate.id}' in opened.args["view"]["private_metadata"]
    for text, expected in (("debrief", "Which candidate?"), ("debrief nobody", "No open")):
        answer = await harness.command(text)
        assert answer.json["response_type"] == "ephemeral"
        assert expected in answer.json["text"]
    assert len(harness.fake.calls_to("views.open")) == 1
    help_reply = await harness.command("help")
    assert "debrief NAME" in help_reply.json["text"]


# --------------------------------------------------------------------- scheduling


async def test_scheduling_notes_it_invites_each_attendee_and_plans_the_reminders(
    harness: Harness,
) -> None:
    candidate = await with_interview(harness)
    harness.fake.clear()

    debrief = await schedule_debrief(harness, candidate, link="https://meet.example.com/d")

    assert (debrief.stage_key, debrief.starts_at, debrief.duration_minutes) == (
        "screening",
        DEBRIEF_AT,
        30,
    )
    assert (debrief.video_link, debrief.created_by) == (
        "https://meet.example.com/d",
        HIRING_MANAGER,
    )
    assert await attendees(harness, debrief) == sorted([ANA, BEN, HIRING_MANAGER])
    # The thread: the note, its time as Slack's date token, its buttons.
    [note] = thread_posts(harness.fake, candidate)
    assert note.args["text"] == (
        f"*Screening debrief* on {date_token(DEBRIEF_AT)} "
        f"with <@{ANA}> <@{BEN}> <@{HIRING_MANAGER}>"
    )
    assert f"<!date^{int(DEBRIEF_AT.timestamp())}^" in note.args["text"]
    assert [(b["action_id"], b["value"]) for b in buttons(note.args["blocks"])] == [
        (Action.RESCHEDULE_DEBRIEF, f"debrief:{debrief.id}"),
        (Action.CANCEL_DEBRIEF, f"debrief:{debrief.id}"),
    ]
    assert debrief.message_ts == note.response["ts"]
    # Each attendee: an invitation linking the thread and the call.
    sent = dms(harness.fake)
    for user_id in (ANA, BEN, HIRING_MANAGER):
        [invitation] = sent[user_id]
        text = all_text(invitation.args["blocks"])
        assert f"<@{HIRING_MANAGER}> invited you to the *Screening debrief*" in text
        assert "*Jane Doe*" in text and date_token(DEBRIEF_AT) in text
        assert candidate.permalink is not None and candidate.permalink in text
        assert "<https://meet.example.com/d|Video call>" in text
    [card] = card_updates(harness, candidate)
    assert next_step_of(card) == f"Screening debrief on {date_token(DEBRIEF_AT)}"
    # The reminders: the chase and the pack for each attendee and, when it ends, the call
    # to confirm their ratings; the decision and the nudge.
    planned = {(r.kind, r.recipient_id): r.due_at for r in await debrief_reminders(harness)}
    end = DEBRIEF_AT + timedelta(minutes=30)
    assert planned == {
        **{(ReminderKind.DEBRIEF_CONFIRM, u): end for u in (ANA, BEN, HIRING_MANAGER)},
        **{(ReminderKind.DEBRIEF_CHASE, u): DEBRIEF_AT - timedelta(hours=24) for u in (ANA, BEN)},
        (ReminderKind.DEBRIEF_CHASE, HIRING_MANAGER): DEBRIEF_AT - timedelta(hours=24),
        **{(ReminderKind.DEBRIEF_PACK, u): DEBRIEF_AT - timedelta(minutes=15) for u in (ANA, BEN)},
        (ReminderKind.DEBRIEF_PACK, HIRING_MANAGER): DEBRIEF_AT - timedelta(minutes=15),
        (ReminderKind.DEBRIEF_DECISION, HIRING_MANAGER): end,
        (ReminderKind.DEBRIEF_PENDING, HIRING_MANAGER): end + timedelta(hours=24),
    }
    async with harness.bot.sessions() as session:
        audit = (await session.exec(select(AuditEvent.action))).all()
    assert "debrief_scheduled" in audit


async def test_the_three_reminders_fire_at_their_times_and_not_before(
    harness: Harness, notifier: SlackNotifier
) -> None:
    candidate = await with_interview(harness)
    await schedule_debrief(harness, candidate)
    async with harness.bot.sessions() as session:
        [interview] = (await session.exec(select(Interview))).all()
    await add_scorecard(harness.bot, interview, ANA, submitted_at=INTERVIEW_AT + timedelta(hours=1))
    chase_at = DEBRIEF_AT - timedelta(hours=24)
    pack_at = DEBRIEF_AT - timedelta(minutes=15)
    end = DEBRIEF_AT + timedelta(minutes=30)
    steps = [
        (chase_at, [BEN], "before the debrief"),
        (pack_at, [ANA, BEN, HIRING_MANAGER], "debrief for Jane Doe starts soon"),
        (end, [HIRING_MANAGER], "Record a decision"),
    ]
    for due, people, words in steps:
        await sweep_at(harness, notifier, due - SECOND)
        for user_id in people:
            assert reminder_dms(harness.fake, user_id, words) == [], f"{words!r} went out early"
        await sweep_at(harness, notifier, due)
        for user_id in people:
            assert len(reminder_dms(harness.fake, user_id, words)) == 1, (words, user_id)
    # The chase goes to whoever still owes a scorecard, with the button to write it.
    assert reminder_dms(harness.fake, ANA, "before the debrief") == []
    assert reminder_dms(harness.fake, HIRING_MANAGER, "before the debrief") == []
    [chase] = reminder_dms(harness.fake, BEN, "before the debrief")
    assert [(b["action_id"], b["value"]) for b in buttons(chase["blocks"])] == [
        (Action.SUBMIT_SCORECARD, f"interview:{interview.id}")
    ]
    [decision] = reminder_dms(harness.fake, HIRING_MANAGER, "Record a decision")
    assert buttons(decision["blocks"])[0]["action_id"] == Action.RECORD_DECISION
    statuses = {(r.kind, r.recipient_id): r.status for r in await debrief_reminders(harness)}
    assert statuses[(ReminderKind.DEBRIEF_CHASE, ANA)] == ReminderStatus.CANCELLED
    assert statuses[(ReminderKind.DEBRIEF_PACK, BEN)] == ReminderStatus.SENT
    assert statuses[(ReminderKind.DEBRIEF_PENDING, HIRING_MANAGER)] == ReminderStatus.PENDING


async def test_a_debrief_sooner_than_a_day_is_chased_at_once(
    harness: Harness, notifier: SlackNotifier
) -> None:
    candidate = await with_interview(harness)
    soon = START + timedelta(hours=2)
    await schedule_debrief(harness, candidate, starts_at=soon)
    chases = await debrief_reminders(harness, kind=ReminderKind.DEBRIEF_CHASE)
    assert {r.due_at for r in chases} == {START}
    await sweep_at(harness, notifier, START)
    assert len(reminder_dms(harness.fake, ANA, "before the debrief")) == 1


async def test_an_explicit_length_and_a_few_minutes_ago_are_fine(harness: Harness) -> None:
    candidate = await with_interview(harness)
    debrief = await schedule_debrief(
        harness, candidate, starts_at=START - timedelta(minutes=5), duration="60"
    )
    assert (debrief.starts_at, debrief.duration_minutes) == (START - timedelta(minutes=5), 60)


TOO_LATE = START - timedelta(minutes=5, seconds=1)
VALIDATION_ERRORS = [
    pytest.param(
        {"attendees": ()}, DebriefBlock.ATTENDEES, "Pick at least one attendee.", id="none"
    ),
    pytest.param(
        {"attendees": (ANA, BOT_USER)},
        DebriefBlock.ATTENDEES,
        "Deploy Bot is a bot: attendees must be people.",
        id="bot",
    ),
    pytest.param(
        {"attendees": (GONE,)},
        DebriefBlock.ATTENDEES,
        "Old Timer's account is deactivated.",
        id="deactivated",
    ),
    pytest.param(
        {"attendees": tuple(f"U0P{n:02d}" for n in range(11))},
        DebriefBlock.ATTENDEES,
        "Pick at most 10 attendees (you picked 11).",
        id="eleven",
    ),
    pytest.param(
        {"starts_at": None},
        DebriefBlock.STARTS_AT,
        "Pick the date and time of the debrief.",
        id="no-time",
    ),
    pytest.param(
        {"starts_at": TOO_LATE},
        DebriefBlock.STARTS_AT,
        "That time has passed: pick a time from now on.",
        id="past",
    ),
    pytest.param(
        {"link": "javascript:alert(1)"},
        DebriefBlock.VIDEO_LINK,
        "Enter a web address starting with http:// or https://, or leave it empty.",
        id="bad-link",
    ),
    pytest.param(
        {"duration": "1000"},
        DebriefBlock.DURATION,
        "Pick a length from 5 to 480 minutes.",
        id="bad-length",
    ),
]


@pytest.mark.parametrize(("changes", "block", "message"), VALIDATION_ERRORS)
async def test_every_bad_input_is_a_field_error_and_nothing_is_stored(
    harness: Harness, changes: dict[str, Any], block: DebriefBlock, message: str
) -> None:
    candidate = await with_interview(harness)
    view = await open_debrief(harness, candidate)
    harness.fake.clear()

    reply = await submit(harness, view, **changes)

    assert errors_of(reply) == {block: message}
    assert await stored_debriefs(harness) == []
    assert await debrief_reminders(harness) == []
    assert {call.method for call in harness.fake.calls} <= {"users.info"}
    assert len(harness.fake.calls_to("users.info")) <= 10


async def test_a_closed_candidate_gets_no_debrief(harness: Harness) -> None:
    candidate = await with_interview(harness)
    view = await open_debrief(harness, candidate)
    async with harness.bot.sessions() as session:
        row = await session.get(Candidate, candidate.id)
        assert row is not None
        row.status = CandidateStatus.REJECTED
        session.add(row)
        await session.commit()
    harness.fake.clear()

    await harness.action(Action.SCHEDULE_DEBRIEF, value=f"candidate:{candidate.id}")
    reply = await harness.command(f"debrief #{candidate.id}")
    # The modal opened before the rejection cannot be submitted either.
    submitted = await submit(harness, view)

    closed = "This candidate is closed (rejected): there is nothing to debrief."
    [ephemeral] = harness.fake.calls_to("response_url")
    assert ephemeral.args["text"] == closed
    assert reply.json["text"] == closed
    assert errors_of(submitted) == {DebriefBlock.STARTS_AT: closed}
    assert harness.fake.calls_to("views.open") == []
    assert await stored_debriefs(harness) == []


async def test_one_upcoming_debrief_per_stage(harness: Harness) -> None:
    # The hiring manager reads times in New York's zone.
    harness.fake.add_user(HIRING_MANAGER, tz="America/New_York")
    candidate = await with_interview(harness)
    stale_view = await open_debrief(harness, candidate)
    await schedule_debrief(harness, candidate)
    harness.fake.clear()

    await harness.action(Action.SCHEDULE_DEBRIEF, value=f"candidate:{candidate.id}")
    reply = await submit(harness, stale_view, starts_at=LATER)

    expected = (
        "A debrief of this stage is already scheduled for {}: reschedule "
        "that one from its note in the candidate's thread."
    )
    # The button's refusal is a message: Slack shows the date token in the reader's zone.
    [ephemeral] = harness.fake.calls_to("response_url")
    assert ephemeral.args["text"] == expected.format(date_token(DEBRIEF_AT))
    # A modal's error cannot hold the token: the reader's zone, named.
    assert errors_of(reply) == {
        DebriefBlock.STARTS_AT: expected.format("Thu 03 Dec 2026 10:00 EST")
    }
    assert len(await stored_debriefs(harness)) == 1


async def test_a_dm_slack_refuses_is_reported_in_the_thread(harness: Harness) -> None:
    candidate = await with_interview(harness)
    harness.fake.fail("chat.postMessage", "user_disabled", when=lambda args: args["channel"] == BEN)
    harness.fake.clear()

    debrief = await schedule_debrief(harness, candidate)

    note, warning = thread_posts(harness.fake, candidate)
    assert note.args["text"].startswith("*Screening debrief*")
    assert warning.args["text"] == (
        f":warning: I could not tell <@{BEN}> (deactivated) about the debrief by DM. "
        "Please let them know another way."
    )
    delivered = {
        user: [call for call in sent if call.response["ok"]]
        for user, sent in dms(harness.fake).items()
    }
    assert sorted(user for user, sent in delivered.items() if sent) == [ANA, HIRING_MANAGER]
    assert debrief.status == "scheduled" and await attendees(harness, debrief)
    assert len(await debrief_reminders(harness, recipient_id=BEN)) == 3
    assert card_updates(harness, candidate), "card still refreshed"


async def test_the_same_modal_submitted_twice_schedules_once(harness: Harness) -> None:
    candidate = await with_interview(harness)
    view = await open_debrief(harness, candidate)
    harness.fake.clear()

    first = await submit(harness, view)
    again = await submit(harness, view)

    assert (first.status, first.text, again.status, again.text) == (200, "", 200, "")
    assert len(await stored_debriefs(harness)) == 1
    assert len(thread_posts(harness.fake, candidate)) == 1
    # Three attendees, each sent their invitation message and its file once.
    assert all(len(sent) == 1 for sent in dms(harness.fake).values())
    assert len(dms(harness.fake)) == 3
    assert len(harness.fake.calls_to("files.completeUploadExternal")) == 3


async def test_two_submissions_at_once_schedule_once(harness: Harness) -> None:
    candidate = await with_interview(harness)
    view = await open_debrief(harness, candidate)
    harness.fake.clear()

    replies = await asyncio.gather(submit(harness, view), submit(harness, view))

    assert [(reply.status, reply.text) for reply in replies] == [(200, ""), (200, "")]
    assert len(await stored_debriefs(harness)) == 1
    assert len(thread_posts(harness.fake, candidate)) == 1
    assert len(await debrief_reminders(harness, kind=ReminderKind.DEBRIEF_PACK)) == 3


# --------------------------------------------------------------------- reschedule and cancel


async def test_reschedule_edits_the_note_tells_everyone_and_rearms_the_reminders(
    harness: Harness, notifier: SlackNotifier
) -> None:
    candidate = await with_interview(harness)
    debrief = await schedule_debrief(harness, candidate, user_id=RECRUITER)
    harness.fake.clear()

    view = await open_reschedule(harness, debrief)
    assert view["title"]["text"] == "Reschedule debrief"
    inputs = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
    assert inputs[DebriefBlock.STARTS_AT]["initial_date_time"] == int(DEBRIEF_AT.timestamp())
    assert inputs[DebriefBlock.ATTENDEES]["initial_users"] == sorted([ANA, BEN, HIRING_MANAGER])
    reply = await submit(harness, view, attendees=(BEN, CY, HIRING_MANAGER), starts_at=LATER)

    assert (reply.status, reply.text) == (200, "")
    [after] = await stored_debriefs(harness)
    assert after.starts_at == LATER
    summary = (
        f"*Screening debrief* on {date_token(LATER)} with <@{BEN}> <@{CY}> <@{HIRING_MANAGER}>"
    )
    [note] = updates_of(harness.fake, HIRING_CHANNEL, debrief.message_ts)
    assert note.args["text"] == summary
    assert f"rescheduled by <@{HIRING_MANAGER}>" in all_text(note.args["blocks"])
    [in_thread] = thread_posts(harness.fake, candidate)
    assert in_thread.args["text"] == f"<@{HIRING_MANAGER}> rescheduled the {summary}."
    sent = dms(harness.fake)
    assert "invited you to the *Screening debrief*" in all_text(sent[CY][0].args["blocks"])
    for user_id in (BEN, HIRING_MANAGER):
        [moved] = sent[user_id]
        assert moved.args["text"].startswith(f"<@{HIRING_MANAGER}> moved the *Screening debrief*")
        assert date_token(LATER) in moved.args["text"]
    [off] = sent[ANA]
    assert "took you off" in off.args["text"]
    assert await attendees(harness, after) == sorted([BEN, CY, HIRING_MANAGER])
    assert card_updates(harness, candidate)
    # The reminders moved with it: Ana's are gone, Cy has his, nothing fires at the old time.
    pending = [r for r in await debrief_reminders(harness) if r.status == ReminderStatus.PENDING]
    assert {r.recipient_id for r in pending} == {BEN, CY, HIRING_MANAGER}
    packs = {r.due_at for r in pending if r.kind == ReminderKind.DEBRIEF_PACK}
    assert packs == {LATER - timedelta(minutes=15)}
    await sweep_at(harness, notifier, DEBRIEF_AT - timedelta(minutes=15))
    assert reminder_dms(harness.fake, BEN, "starts soon") == []
    await sweep_at(harness, notifier, LATER - timedelta(minutes=15))
    for user_id in (BEN, CY, HIRING_MANAGER):
        assert len(reminder_dms(harness.fake, user_id, "debrief for Jane Doe starts soon")) == 1
    assert reminder_dms(harness.fake, ANA, "debrief for Jane Doe starts soon") == []


async def test_resubmitting_an_unchanged_reschedule_tells_nobody(harness: Harness) -> None:
    candidate = await with_interview(harness)
    debrief = await schedule_debrief(harness, candidate)
    view = await open_reschedule(harness, debrief)
    harness.fake.clear()

    reply = await submit(harness, view)

    assert (reply.status, reply.text) == (200, "")
    assert {call.method for call in harness.fake.calls} == {"users.info"}


async def test_cancel_edits_the_note_tells_the_attendees_and_drops_the_reminders(
    harness: Harness, notifier: SlackNotifier
) -> None:
    candidate = await with_interview(harness)
    debrief = await schedule_debrief(harness, candidate, user_id=RECRUITER)
    harness.fake.clear()

    reply = await harness.action(
        Action.CANCEL_DEBRIEF, user_id=RECRUITER, value=f"debrief:{debrief.id}"
    )

    assert reply.status == 200
    [after] = await stored_debriefs(harness)
    assert after.status == "cancelled"
    [note] = updates_of(harness.fake, HIRING_CHANNEL, debrief.message_ts)
    assert note.args["text"].startswith("~*Screening debrief*")
    assert note.args["text"].endswith(f"Cancelled by <@{RECRUITER}>.")
    assert buttons(note.args["blocks"]) == []
    [in_thread] = thread_posts(harness.fake, candidate)
    assert in_thread.args["text"] == (
        f"<@{RECRUITER}> cancelled the *Screening debrief* on {date_token(DEBRIEF_AT)}."
    )
    sent = dms(harness.fake)
    for user_id in (ANA, BEN, HIRING_MANAGER):
        [notice] = sent[user_id]
        assert notice.args["text"].startswith(f"<@{RECRUITER}> cancelled the *Screening debrief*")
    [card] = card_updates(harness, candidate)
    assert next_step_of(card) == f"Screening interview on {date_token(INTERVIEW_AT)}"
    assert {r.status for r in await debrief_reminders(harness)} == {ReminderStatus.CANCELLED}
    harness.fake.clear()
    await sweep_at(harness, notifier, LATER + timedelta(days=2))
    assert [
        c for c in harness.fake.calls_to("chat.postMessage") if "debrief" in c.args["text"]
    ] == []

    await harness.action(Action.CANCEL_DEBRIEF, value=f"debrief:{debrief.id}")
    [again] = harness.fake.calls_to("response_url")
    assert again.args["text"] == "This debrief was already cancelled."


@pytest.mark.parametrize("action", [Action.RESCHEDULE_DEBRIEF, Action.CANCEL_DEBRIEF])
async def test_others_may_not_reschedule_or_cancel(harness: Harness, action: Action) -> None:
    candidate = await with_interview(harness)
    debrief = await schedule_debrief(harness, candidate, user_id=RECRUITER)
    harness.fake.clear()

    reply = await harness.action(action, user_id=ANA, value=f"debrief:{debrief.id}")

    assert reply.status == 200
    [answer] = harness.fake.calls_to("response_url")
    assert answer.args["text"] == (
        f"Only the hiring manager (<@{HIRING_MANAGER}>), the person who scheduled this "
        f"debrief (<@{RECRUITER}>) or an admin can change it."
    )
    assert [call.method for call in harness.fake.calls] == ["response_url"]
    [after] = await stored_debriefs(harness)
    assert after.status == "scheduled"
    assert {r.status for r in await debrief_reminders(harness)} == {ReminderStatus.PENDING}


async def test_a_reschedule_modal_submitted_by_someone_else_is_refused(harness: Harness) -> None:
    candidate = await with_interview(harness)
    debrief = await schedule_debrief(harness, candidate)
    view = await open_reschedule(harness, debrief)

    reply = await submit(harness, view, user_id=ANA, starts_at=LATER)

    # Not a field to correct: the form gives way to the reason, mentions and all.
    assert reply.json["response_action"] == "update"
    assert all_text(reply.json["view"]["blocks"]) == (
        f"Only the hiring manager (<@{HIRING_MANAGER}>), the person who scheduled this "
        f"debrief (<@{HIRING_MANAGER}>) or an admin can change it."
    )
    [after] = await stored_debriefs(harness)
    assert after.starts_at == DEBRIEF_AT


async def test_the_scheduler_and_admins_may_change_a_debrief(
    make_harness: Callable[..., Any],
) -> None:
    harness: Harness = await make_harness(hiring_admins=frozenset({ADMIN}))
    candidate = await with_interview(harness, user_id=ADMIN)
    debrief = await schedule_debrief(harness, candidate, user_id=RECRUITER)

    view = await open_reschedule(harness, debrief, RECRUITER)
    reply = await submit(harness, view, user_id=RECRUITER, starts_at=LATER)
    assert (reply.status, reply.text) == (200, "")
    await harness.action(Action.CANCEL_DEBRIEF, user_id=ADMIN, value=f"debrief:{debrief.id}")

    [after] = await stored_debriefs(harness)
    assert (after.starts_at, after.status) == (LATER, "cancelled")


async def test_each_attendee_gets_an_ics_invitation_and_its_cancellation(
    harness: Harness,
) -> None:
    candidate = await with_interview(harness)
    harness.fake.clear()
    debrief = await schedule_debrief(harness, candidate)
    await harness.action(Action.CANCEL_DEBRIEF, value=f"debrief:{debrief.id}")

    files = [f for f in harness.fake.files.values() if f.filename.endswith(".ics")]
    by_method: dict[str, list[Any]] = {}
    for upload in files:
        calendar = Calendar.from_ical(upload.content)
        [event] = calendar.walk("VEVENT")
        if str(event["UID"]).startswith("debrief-"):
            by_method.setdefault(str(calendar["METHOD"]), []).append((upload.channel, event))
    assert {method: len(found) for method, found in by_method.items()} == {
        "REQUEST": 3,
        "CANCEL": 3,
    }
    for method, sequence in (("REQUEST", 0), ("CANCEL", 1)):
        for _, event in by_method[method]:
            assert str(event["UID"]) == f"debrief-{debrief.id}-c0hiring@mlops-hiring-bot"
            assert (int(event["SEQUENCE"]), event["DTSTART"].dt) == (sequence, DEBRIEF_AT)
    # One of each in each attendee's DM.
    assert len({channel for channel, _ in by_method["REQUEST"]}) == 3
