"""A debrief and the loop around it, all through Slack: the pack each attendee gets 15 min
before, as independent feedback lets them see it, and the scorecard and decision flows
settling the debrief's reminders."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import select

from bot.clock import FrozenClock
from bot.reminder_rules import ReminderKind
from bot.slack_client import build_client
from handlers.ids import Action
from handlers.slack_notifier import SlackNotifier
from storage.models import Candidate, Interview, ReminderStatus, ScorecardRead
from tests.calls import buttons, mrkdwn_text, reminder_dms
from tests.flows import (
    ADMIN,
    ANA,
    BEN,
    CY,
    DEBRIEF_AT,
    INTERVIEW_AT,
    decide,
    schedule_debrief,
    submit_scorecard,
    sweep_at,
    with_interview,
)
from tests.harness import HIRING_MANAGER, Harness
from tests.seed import debrief_reminders

pytestmark = pytest.mark.usefixtures("people")

PACK = "debrief for Jane Doe starts soon"
PACK_AT = DEBRIEF_AT - timedelta(minutes=15)
END = DEBRIEF_AT + timedelta(minutes=30)
EVIDENCE = "Rolled back a bad model with a canary and said why."
NOTE = "Salary expectations above band."


async def interviewed(
    harness: Harness, *, added_by: str = HIRING_MANAGER
) -> tuple[Candidate, Interview]:
    """Jane's screening interview with Ana and Ben has taken place; Ana's scorecard (4s,
    with evidence and a private note) is in, Ben's is not."""
    candidate = await with_interview(harness, user_id=added_by)
    clock = harness.bot.clock
    assert isinstance(clock, FrozenClock)
    clock.set(INTERVIEW_AT + timedelta(hours=1))
    async with harness.bot.sessions() as session:
        [interview] = (await session.exec(select(Interview))).all()
    assert interview.id is not None
    await submit_scorecard(
        harness,
        ANA,
        interview.id,
        stage_key="screening",
        score=4,
        overall=4,
        evidence=EVIDENCE,
        private_note=NOTE,
    )
    return candidate, interview


def pack_of(harness: Harness, user_id: str) -> tuple[str, list[str]]:
    """The text of ``user_id``'s one pack and its buttons' action ids."""
    [pack] = reminder_dms(harness.fake, user_id, PACK)
    return mrkdwn_text(pack["blocks"]), [b["action_id"] for b in buttons(pack["blocks"])]


async def test_the_pack_shows_each_attendee_what_independent_feedback_allows(
    make_harness: Callable[..., Any], clock: FrozenClock
) -> None:
    harness: Harness = await make_harness(hiring_admins=frozenset({ADMIN}))
    notifier = SlackNotifier(build_client(harness.bot.settings), clock)
    candidate, _ = await interviewed(harness, added_by=ADMIN)
    attendees = (ANA, BEN, CY, HIRING_MANAGER, ADMIN)
    await schedule_debrief(harness, candidate, attendees=attendees)

    await sweep_at(harness, notifier, PACK_AT - timedelta(seconds=1))
    assert [reminder_dms(harness.fake, user, PACK) for user in attendees] == [[]] * 5
    await sweep_at(harness, notifier, PACK_AT)

    figures = "*Competencies*"
    progress = "1 of 2 scorecards in"
    # Who may read the ratings sees the summary so far, and a way to the scorecards.
    for user_id in (ANA, HIRING_MANAGER, ADMIN):
        text, actions = pack_of(harness, user_id)
        assert progress in text and figures in text and "scores *4*" in text, user_id
        assert "Strong yes *1*" in text
        assert actions == [Action.VIEW_SCORECARDS]
    # Ben, on the panel without his own scorecard, sees how many are in and is asked for his.
    text, actions = pack_of(harness, BEN)
    assert progress in text and "Yours is not in yet" in text
    assert figures not in text and "mean" not in text and "Strong yes" not in text
    assert actions == [Action.SUBMIT_SCORECARD]
    # Cy attends but did not interview: the count, and why no more.
    text, actions = pack_of(harness, CY)
    assert progress in text and "The ratings are for its interviewers" in text
    assert figures not in text and "mean" not in text and actions == []
    # Evidence and private notes stay in View scorecards, for those allowed to open it.
    for user_id in attendees:
        text, _ = pack_of(harness, user_id)
        assert EVIDENCE not in text and NOTE not in text
        assert "fake-workspace.slack.com/archives" in text, "the thread's link"
    # Who was shown others' ratings is remembered (Ana's pack held only her own).
    async with harness.bot.sessions() as session:
        reads = (await session.exec(select(ScorecardRead.reader_id))).all()
    assert sorted(reads) == sorted([ADMIN, HIRING_MANAGER])


async def test_once_ben_submits_his_pack_shows_the_summary_too(
    harness: Harness, notifier: SlackNotifier, clock: FrozenClock
) -> None:
    candidate, interview = await interviewed(harness)
    await schedule_debrief(harness, candidate)
    assert interview.id is not None
    await submit_scorecard(harness, BEN, interview.id, stage_key="screening", score=1, overall=1)

    await sweep_at(harness, notifier, PACK_AT)

    text, actions = pack_of(harness, BEN)
    assert "2 of 2 scorecards in" in text and "scores *4, 1* · spread 3" in text
    assert "Disagreements to discuss" in text and "*Split 1 : 1* (yes : no)" in text
    assert actions == [Action.VIEW_SCORECARDS]


async def test_a_scorecard_submitted_through_slack_stops_the_chase(
    harness: Harness, notifier: SlackNotifier
) -> None:
    candidate, _ = await interviewed(harness)
    await schedule_debrief(harness, candidate)

    await sweep_at(harness, notifier, DEBRIEF_AT - timedelta(hours=24))

    assert len(reminder_dms(harness.fake, BEN, "before the debrief")) == 1
    assert reminder_dms(harness.fake, ANA, "before the debrief") == []
    [ana_chase] = await debrief_reminders(
        harness.bot, kind=ReminderKind.DEBRIEF_CHASE, recipient_id=ANA
    )
    assert (ana_chase.status, ana_chase.last_error) == (
        ReminderStatus.CANCELLED,
        "no scorecard missing",
    )


async def test_a_decision_before_the_debrief_ends_stops_the_call_for_one(
    harness: Harness, notifier: SlackNotifier
) -> None:
    candidate, interview = await interviewed(harness)
    debrief = await schedule_debrief(harness, candidate)
    assert candidate.id is not None and interview.id is not None
    await submit_scorecard(harness, BEN, interview.id, stage_key="screening")
    reply = await decide(harness, candidate.id, "advance")
    assert reply.status == 200

    statuses = {(r.kind, r.recipient_id): r.status for r in await debrief_reminders(harness.bot)}
    for kind in (ReminderKind.DEBRIEF_DECISION, ReminderKind.DEBRIEF_PENDING):
        assert statuses[(kind, HIRING_MANAGER)] == ReminderStatus.CANCELLED
    # The meeting itself still happens: its pack still goes out.
    assert statuses[(ReminderKind.DEBRIEF_PACK, ANA)] == ReminderStatus.PENDING
    await sweep_at(harness, notifier, END + timedelta(hours=25))
    assert reminder_dms(harness.fake, HIRING_MANAGER, "Record a decision") == []
    assert reminder_dms(harness.fake, HIRING_MANAGER, "waiting for a decision") == []
    assert debrief.status == "scheduled"


async def test_rejecting_the_candidate_ends_every_debrief_reminder(
    harness: Harness, notifier: SlackNotifier
) -> None:
    candidate, _ = await interviewed(harness)
    await schedule_debrief(harness, candidate)
    assert candidate.id is not None

    await decide(harness, candidate.id, "reject", "No production depth.")

    assert {r.status for r in await debrief_reminders(harness.bot)} == {ReminderStatus.CANCELLED}
    harness.fake.clear()
    await sweep_at(harness, notifier, END + timedelta(days=2))
    assert [
        c for c in harness.fake.calls_to("chat.postMessage") if "debrief" in c.args["text"]
    ] == []
