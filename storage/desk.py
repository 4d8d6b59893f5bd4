"""App Home's queries for one person: their next interviews, the scorecards they owe, their
debriefs. Each is one statement that the database cuts to the first rows and counts, so a
desk costs the same for a pipeline of any size."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.digest import OPEN, days, end_days, first_rows
from storage.models import (
    Candidate,
    Debrief,
    DebriefAttendee,
    Interview,
    InterviewInterviewer,
    InterviewStatus,
    Scorecard,
)
from storage.reminders import seat_scorecard

Listed = tuple[list[tuple[Interview, Candidate]], int]


def _interviews_of(user_id: str) -> Any:
    return (
        select(Interview, Candidate)
        .join(Candidate, col(Candidate.id) == col(Interview.candidate_id))
        .join(InterviewInterviewer, col(InterviewInterviewer.interview_id) == col(Interview.id))
        .where(
            col(InterviewInterviewer.user_id) == user_id,
            col(Interview.status) == InterviewStatus.SCHEDULED,
            col(Candidate.status).in_(OPEN),
        )
    )


async def upcoming_interviews(
    session: AsyncSession, user_id: str, now: datetime, *, limit: int
) -> Listed:
    """The user's interviews still to come, soonest first, and how many there are."""
    statement = (
        _interviews_of(user_id)
        .where(col(Interview.starts_at) >= now)
        .order_by(col(Interview.starts_at), col(Interview.id))
    )
    rows, total = await first_rows(session, statement, limit)
    return [(interview, candidate) for interview, candidate in rows], total


async def owed_scorecards(
    session: AsyncSession, user_id: str, now: datetime, *, limit: int
) -> Listed:
    """The user's ended interviews without their scorecard (nor marked not attended),
    oldest first, and how many there are."""
    statement = (
        _interviews_of(user_id)
        .outerjoin(Scorecard, seat_scorecard())
        .where(
            col(InterviewInterviewer.attended),
            col(Scorecard.id).is_(None),
            end_days(Interview) <= days(now),
        )
        .order_by(col(Interview.starts_at), col(Interview.id))
    )
    rows, total = await first_rows(session, statement, limit)
    return [(interview, candidate) for interview, candidate in rows], total


async def upcoming_debriefs(
    session: AsyncSession, user_id: str, now: datetime, *, limit: int
) -> tuple[list[tuple[Debrief, Candidate]], int]:
    """The debriefs the user attends that have not ended, soonest first."""
    statement = (
        select(Debrief, Candidate)
        .join(Candidate, col(Candidate.id) == col(Debrief.candidate_id))
        .join(DebriefAttendee, col(DebriefAttendee.debrief_id) == col(Debrief.id))
        .where(
            col(DebriefAttendee.user_id) == user_id,
            col(Debrief.status) == InterviewStatus.SCHEDULED,
            col(Candidate.status).in_(OPEN),
            end_days(Debrief) > days(now),
        )
        .order_by(col(Debrief.starts_at), col(Debrief.id))
    )
    rows, total = await first_rows(session, statement, limit)
    return [(debrief, candidate) for debrief, candidate in rows], total
