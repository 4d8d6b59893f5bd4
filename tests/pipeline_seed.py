"""Rows of a hiring pipeline written straight to the database, for tests of the jobs
(reminders, digest) that read what the other flows store; with the marks the flows keep
(``storage.marks``), as they keep them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TypeVar

from bot.context import BotContext
from slackfake import FakeSlack
from storage import marks
from storage.db import transaction
from storage.models import (
    Candidate,
    CandidateStatus,
    Debrief,
    DebriefAttendee,
    Decision,
    Interview,
    InterviewInterviewer,
    Scorecard,
)
from tests.harness import HIRING_CHANNEL, HIRING_MANAGER

T = TypeVar("T")


async def add_candidate(
    bot: BotContext,
    name: str = "Jane Doe",
    *,
    fake: FakeSlack | None = None,
    stage: str = "technical",
    status: str = CandidateStatus.ACTIVE,
    hiring_manager_id: str = HIRING_MANAGER,
    last_activity_at: datetime | None = None,
) -> Candidate:
    """A candidate; with ``fake``, its card is a message the fake knows, linked as intake
    links it."""
    now = bot.clock.now()
    thread_ts = fake.add_message(HIRING_CHANNEL, text="card") if fake is not None else None
    permalink = (
        f"https://fake-workspace.slack.com/archives/{HIRING_CHANNEL}/p{thread_ts.replace('.', '')}"
        if thread_ts
        else None
    )
    candidate = Candidate(
        name=name,
        name_key=name.lower(),
        level="senior",
        location="us",
        hiring_manager_id=hiring_manager_id,
        created_by=hiring_manager_id,
        stage_key=stage,
        status=status,
        stage_entered_at=now,
        last_activity_at=last_activity_at or now,
        channel_id=HIRING_CHANNEL if fake is not None else None,
        thread_ts=thread_ts,
        permalink=permalink,
        created_at=now,
        updated_at=now,
    )
    return await _add(bot, candidate)


async def add_many(
    bot: BotContext,
    count: int,
    *,
    interviewers: Sequence[str],
    starts_at: datetime,
    last_activity_at: datetime,
    first: int = 0,
) -> None:
    """``count`` candidates, each with one interview and no scorecard, in one transaction."""
    now = bot.clock.now()
    async with transaction(bot.sessions) as session:
        for index in range(first, first + count):
            candidate = Candidate(
                name=f"Candidate {index:04d}",
                name_key=f"candidate {index:04d}",
                level="senior",
                location="us",
                hiring_manager_id=HIRING_MANAGER,
                created_by=HIRING_MANAGER,
                stage_key="technical",
                stage_entered_at=now,
                last_activity_at=last_activity_at,
                permalink=f"https://fake-workspace.slack.com/archives/{HIRING_CHANNEL}/p{index}",
                created_at=now,
                updated_at=now,
            )
            session.add(candidate)
            await session.flush()
            interview = Interview(
                candidate_id=candidate.id,
                stage_key="technical",
                starts_at=starts_at,
                duration_minutes=60,
                created_by=HIRING_MANAGER,
                created_at=now,
                updated_at=now,
            )
            session.add(interview)
            await session.flush()
            user_id = interviewers[index % len(interviewers)]
            session.add(InterviewInterviewer(interview_id=interview.id, user_id=user_id))
            await marks.interview_changed(session, interview, bot.settings.feedback_due_hours)


async def add_interview(
    bot: BotContext,
    candidate: Candidate,
    interviewers: Sequence[str],
    *,
    starts_at: datetime,
    minutes: int = 60,
    stage: str | None = None,
) -> Interview:
    assert candidate.id is not None
    now = bot.clock.now()
    interview = Interview(
        candidate_id=candidate.id,
        stage_key=stage or candidate.stage_key,
        starts_at=starts_at,
        duration_minutes=minutes,
        created_by=candidate.hiring_manager_id,
        created_at=now,
        updated_at=now,
    )
    interview = await _add(bot, interview)
    async with transaction(bot.sessions) as session:
        for user_id in interviewers:
            session.add(InterviewInterviewer(interview_id=interview.id, user_id=user_id))
        await marks.interview_changed(session, interview, bot.settings.feedback_due_hours)
    return interview


async def add_scorecard(
    bot: BotContext, interview: Interview, interviewer_id: str, *, submitted_at: datetime
) -> Scorecard:
    assert interview.id is not None
    scorecard = Scorecard(
        interview_id=interview.id,
        interviewer_id=interviewer_id,
        overall=3,
        evidence="Solid answers.",
        submitted_at=submitted_at,
        updated_at=submitted_at,
    )
    scorecard = await _add(bot, scorecard)
    async with transaction(bot.sessions) as session:
        await marks.scorecard_in(session, interview, interviewer_id, submitted_at)
    return scorecard


async def add_decision(
    bot: BotContext,
    candidate: Candidate,
    outcome: str,
    *,
    decided_at: datetime,
    decided_by: str = HIRING_MANAGER,
    stage: str | None = None,
) -> Decision:
    assert candidate.id is not None
    decision = Decision(
        candidate_id=candidate.id,
        stage_key=stage or candidate.stage_key,
        outcome=outcome,
        reason="Strong loop.",
        decided_by=decided_by,
        decided_at=decided_at,
    )
    decision = await _add(bot, decision)
    async with transaction(bot.sessions) as session:
        await marks.candidate_changed(session, candidate.id)
    return decision


async def add_debrief(
    bot: BotContext,
    candidate: Candidate,
    attendees: Sequence[str],
    *,
    starts_at: datetime,
    minutes: int = 30,
) -> Debrief:
    assert candidate.id is not None
    now = bot.clock.now()
    debrief = Debrief(
        candidate_id=candidate.id,
        stage_key=candidate.stage_key,
        starts_at=starts_at,
        duration_minutes=minutes,
        created_by=candidate.hiring_manager_id,
        created_at=now,
        updated_at=now,
    )
    debrief = await _add(bot, debrief)
    async with transaction(bot.sessions) as session:
        for user_id in attendees:
            session.add(DebriefAttendee(debrief_id=debrief.id, user_id=user_id))
        await marks.candidate_changed(session, candidate.id)
    return debrief


async def _add(bot: BotContext, row: T) -> T:
    async with transaction(bot.sessions) as session:
        session.add(row)
        await session.flush()
        await session.refresh(row)
    return row


def hours(n: float) -> timedelta:
    return timedelta(hours=n)
