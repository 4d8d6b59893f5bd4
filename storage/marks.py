"""Marks kept on the rows as they change, so that the digest and the desks find what they
list by index instead of recomputing it over the whole pipeline each time.

- Each interviewer's seat: when its scorecard is due (``scorecard_due_at``: the interview's
  end plus FEEDBACK_DUE_HOURS as it was when the interview was scheduled or moved, like its
  reminders; none for a seat marked not attended or a cancelled interview), when it came
  in (``scorecard_in_at``), and the deadline again while it is still owed to an open
  candidate (``owed_due_at``: the overdue list).
- Each candidate: since when their current stage has been ready for a decision with none
  recorded since (``stage_ready_at``): when its last scorecard came in, or when its
  debrief ends if one is scheduled (a time to come: the readers compare it with now).

The writers call ``interview_changed`` after scheduling, moving or cancelling an interview
or changing its panel; ``scorecard_in`` when a scorecard arrives; ``seat_excused`` when a
seat is marked not attended; ``candidate_changed`` after a decision or a change to a
debrief.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, case, func, literal, update
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import (
    CLOSED_STATUSES,
    Candidate,
    Debrief,
    Decision,
    Interview,
    InterviewInterviewer,
    InterviewStatus,
    Scorecard,
)
from storage.types import UTCDateTime

Seat = InterviewInterviewer


def scorecard_deadline(interview: Interview, due_hours: int) -> datetime:
    return interview.starts_at + timedelta(minutes=interview.duration_minutes, hours=due_hours)


async def interview_changed(session: AsyncSession, interview: Interview, due_hours: int) -> None:
    """Bring the interview's seats and its candidate's marks up to date, in the caller's
    transaction."""
    await session.flush()
    due = (
        scorecard_deadline(interview, due_hours)
        if interview.status == InterviewStatus.SCHEDULED
        else None
    )
    submitted = (
        select(Scorecard.submitted_at)
        .where(
            col(Scorecard.interview_id) == col(Seat.interview_id),
            col(Scorecard.interviewer_id) == col(Seat.user_id),
        )
        .scalar_subquery()
    )
    await _update_seats(
        session,
        col(Seat.interview_id) == interview.id,
        # Typed as the column, so that the aware time is stored as UTC like any other.
        scorecard_due_at=case((col(Seat.attended), literal(due, UTCDateTime())), else_=None),
        scorecard_in_at=submitted,
    )
    await candidate_changed(session, interview.candidate_id)


async def scorecard_in(
    session: AsyncSession, interview: Interview, user_id: str, at: datetime
) -> None:
    """A scorecard arrived: its seat owes nothing now (the others owe what they owed), and
    its stage may be complete."""
    params = {"seat_interview": interview.id, "seat_user": user_id, "at": at}
    await session.exec(_SCORECARD_IN, params=params)
    candidate = await session.get(Candidate, interview.candidate_id)
    if candidate is not None:
        await _mark_stage_ready(session, candidate)


async def seat_excused(
    session: AsyncSession, seat: InterviewInterviewer, candidate_id: int
) -> None:
    """A seat marked not attended owes no scorecard: no deadline, and its stage may be
    complete now."""
    seat.scorecard_due_at = None
    session.add(seat)
    await candidate_changed(session, candidate_id)


async def candidate_changed(session: AsyncSession, candidate_id: int) -> None:
    """Recompute the candidate's marks: which of their seats are owed (none once the
    candidate is closed), and ``stage_ready_at``. Four statements for one candidate."""
    await session.flush()
    candidate = await session.get(Candidate, candidate_id)
    if candidate is None:
        return
    open_ = candidate.status not in CLOSED_STATUSES
    owed = case((col(Seat.scorecard_in_at).is_(None), col(Seat.scorecard_due_at)), else_=None)
    interviews = select(Interview.id).where(col(Interview.candidate_id) == candidate_id)
    await _update_seats(
        session,
        col(Seat.interview_id).in_(interviews.scalar_subquery()),
        owed_due_at=owed if open_ else None,
    )
    await _mark_stage_ready(session, candidate)


async def _mark_stage_ready(session: AsyncSession, candidate: Candidate) -> None:
    candidate.stage_ready_at = await _stage_ready(session, candidate)
    session.add(candidate)
    await session.flush()


# Built once: every scorecard asks them (building one cost more than SQLite's answer).
_SCORECARD_IN = (
    update(Seat)
    .where(
        # Not named as columns: an UPDATE keeps those names for its SET clause.
        col(Seat.interview_id) == bindparam("seat_interview"),
        col(Seat.user_id) == bindparam("seat_user"),
    )
    .values(scorecard_in_at=bindparam("at", type_=UTCDateTime()), owed_due_at=None)
    .execution_options(synchronize_session=False)
)
_SCHEDULED_DEBRIEF_END = (
    select(Debrief.starts_at, Debrief.duration_minutes)
    .where(
        col(Debrief.candidate_id) == bindparam("candidate_id"),
        col(Debrief.stage_key) == bindparam("stage_key"),
        col(Debrief.status) == InterviewStatus.SCHEDULED,
    )
    .order_by(col(Debrief.starts_at).desc())
    .limit(1)
)
_STAGE_SCORECARDS = (
    select(
        func.count(),
        func.count(col(Seat.scorecard_in_at)),
        func.max(col(Seat.scorecard_in_at), type_=UTCDateTime()),
    )
    .select_from(Seat)
    .join(Interview, col(Interview.id) == col(Seat.interview_id))
    .where(
        col(Interview.candidate_id) == bindparam("candidate_id"),
        col(Interview.stage_key) == bindparam("stage_key"),
        col(Seat.scorecard_due_at).is_not(None),
    )
)
_LAST_STAGE_DECISION = select(func.max(Decision.decided_at, type_=UTCDateTime())).where(
    col(Decision.candidate_id) == bindparam("candidate_id"),
    col(Decision.stage_key) == bindparam("stage_key"),
)


async def _stage_ready(session: AsyncSession, candidate: Candidate) -> datetime | None:
    """When the current stage's debrief ends if one is scheduled, else when its last
    scorecard came in if all are; none when a decision of the stage came at or after."""
    stage = {"candidate_id": candidate.id, "stage_key": candidate.stage_key}
    debrief = (await session.exec(_SCHEDULED_DEBRIEF_END, params=stage)).first()
    ready: datetime | None = None
    if debrief is not None:
        starts_at, minutes = debrief
        ready = starts_at + timedelta(minutes=minutes)
    else:
        owed, done, last = (await session.exec(_STAGE_SCORECARDS, params=stage)).one()
        if owed and owed == done:
            ready = last
    if ready is None:
        return None
    decided = (await session.exec(_LAST_STAGE_DECISION, params=stage)).one()
    return None if decided is not None and decided >= ready else ready


async def _update_seats(session: AsyncSession, *where: ColumnElement[bool], **values: Any) -> None:
    await session.exec(
        update(Seat).where(*where).values(**values).execution_options(synchronize_session=False)
    )
