"""App Home's queries for one person: their next interviews, the scorecards they owe, their
debriefs. Each is one statement that the database cuts to the first rows and counts, so a
desk costs the same for a pipeline of any size."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.digest import OPEN, days, end_days, first_rows
from storage.models import (
    Candidate,
    CandidateStatus,
    Debrief,
    DebriefAttendee,
    Interview,
    InterviewInterviewer,
    InterviewStatus,
    Scorecard,
)
from storage.scorecards import seat_scorecard

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


@dataclass(frozen=True)
class TimeChanges:
    """Who finds their desk changed by time alone over a window (see ``changed_by_time``)."""

    # Their interviews started (off "next") or ended (onto "owed"), their debriefs ended.
    interviewers: frozenset[str] = frozenset()
    # Their candidates' scorecards became late, or their stages ready for a decision.
    managers: frozenset[str] = frozenset()
    # Whose 30-day on-time figure moved: a deadline passed, or fell out of the 30 days.
    figures: frozenset[str] = frozenset()


async def changed_by_time(
    session: AsyncSession,
    since: datetime,
    until: datetime,
    *,
    longest: timedelta,
    figure_window: timedelta,
) -> TimeChanges:
    """What time alone changed on the desks between ``since`` and ``until``: found by
    index from the times stored (meetings' starts, seats' deadlines, candidates' ready
    times), five statements whatever the pipeline's size. ``longest``: the longest meeting
    there can be, so that those ending in the window are found by their start."""
    interviewers: set[str] = set()
    for user_id, starts_at, minutes in await session.exec(
        select(InterviewInterviewer.user_id, Interview.starts_at, Interview.duration_minutes)
        .join(Interview, col(Interview.id) == col(InterviewInterviewer.interview_id))
        .where(
            col(Interview.status) == InterviewStatus.SCHEDULED,
            col(Interview.starts_at) > since - longest,
            col(Interview.starts_at) <= until,
        )
    ):
        if _passes(since, until, starts_at, starts_at + timedelta(minutes=minutes)):
            interviewers.add(user_id)
    for user_id, starts_at, minutes in await session.exec(
        select(DebriefAttendee.user_id, Debrief.starts_at, Debrief.duration_minutes)
        .join(Debrief, col(Debrief.id) == col(DebriefAttendee.debrief_id))
        .where(
            col(Debrief.status) == InterviewStatus.SCHEDULED,
            col(Debrief.starts_at) > since - longest,
            col(Debrief.starts_at) <= until,
        )
    ):
        if _passes(since, until, starts_at + timedelta(minutes=minutes)):
            interviewers.add(user_id)
    seat = InterviewInterviewer
    late = (
        select(Candidate.hiring_manager_id)
        .join(Interview, col(Interview.candidate_id) == col(Candidate.id))
        .join(seat, col(seat.interview_id) == col(Interview.id))
        .where(col(seat.owed_due_at) > since, col(seat.owed_due_at) <= until)
    )
    ready = select(Candidate.hiring_manager_id).where(
        col(Candidate.status) == CandidateStatus.ACTIVE,
        col(Candidate.stage_ready_at) > since,
        col(Candidate.stage_ready_at) <= until,
    )
    managers = set(await session.exec(late)) | set(await session.exec(ready))
    due = col(seat.scorecard_due_at)
    figures = set(
        await session.exec(
            select(seat.user_id)
            .where(
                or_(
                    and_(due > since, due <= until),
                    and_(due > since - figure_window, due <= until - figure_window),
                )
            )
            .distinct()
        )
    )
    return TimeChanges(frozenset(interviewers), frozenset(managers), frozenset(figures))


def _passes(since: datetime, until: datetime, *moments: datetime) -> bool:
    return any(since < moment <= until for moment in moments)
