"""Queries on interviews and their interviewers."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import bindparam, update
from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Interview, InterviewInterviewer, InterviewStatus

# Built once, as the statements every scorecard submission runs are: building one cost
# more than SQLite's answer to it (bench, 20 in flight).
_LOCKED_INTERVIEW = (
    select(Interview)
    .where(col(Interview.id) == bindparam("id"))
    .with_for_update()
    .execution_options(populate_existing=True)
)
_INTERVIEWERS_OF = (
    select(InterviewInterviewer)
    .where(col(InterviewInterviewer.interview_id) == bindparam("interview_id"))
    .order_by(col(InterviewInterviewer.user_id))
)


async def get_interview(
    session: AsyncSession, interview_id: int, *, lock: bool = False
) -> Interview | None:
    """With ``lock``, the row is locked until the transaction ends (PostgreSQL; SQLite
    lets one writer in at a time anyway) and read afresh, so that changes to one interview
    (a reschedule, a scorecard) take turns."""
    if not lock:
        return await session.get(Interview, interview_id)
    return (await session.exec(_LOCKED_INTERVIEW, params={"id": interview_id})).first()


async def interview_by_view(session: AsyncSession, view_id: str) -> Interview | None:
    """The interview a schedule modal created, if that modal was submitted before."""
    result = await session.exec(select(Interview).where(Interview.schedule_view_id == view_id))
    return result.first()


async def interviewers_of(session: AsyncSession, interview_id: int) -> list[InterviewInterviewer]:
    """The interviewers of an interview, ordered by user id so that output is stable."""
    result = await session.exec(_INTERVIEWERS_OF, params={"interview_id": interview_id})
    return list(result.all())


async def add_interviewers(
    session: AsyncSession, interview_id: int, user_ids: Iterable[str]
) -> None:
    session.add_all(
        InterviewInterviewer(interview_id=interview_id, user_id=user_id) for user_id in user_ids
    )


async def remove_interviewers(
    session: AsyncSession, interview_id: int, user_ids: Sequence[str]
) -> None:
    if not user_ids:
        return
    await session.exec(
        delete(InterviewInterviewer).where(
            col(InterviewInterviewer.interview_id) == interview_id,
            col(InterviewInterviewer.user_id).in_(user_ids),
        )
    )


async def get_interviewer(
    session: AsyncSession, interview_id: int, user_id: str
) -> InterviewInterviewer | None:
    return await session.get(InterviewInterviewer, (interview_id, user_id))


async def interviews_of_user(
    session: AsyncSession, user_id: str, *, candidate_id: int | None = None
) -> list[Interview]:
    """Scheduled (not cancelled) interviews the user is an interviewer of, earliest first."""
    query = (
        select(Interview)
        .join(InterviewInterviewer, col(InterviewInterviewer.interview_id) == Interview.id)
        .where(
            InterviewInterviewer.user_id == user_id,
            Interview.status == InterviewStatus.SCHEDULED,
        )
        .order_by(col(Interview.starts_at), col(Interview.id))
    )
    if candidate_id is not None:
        query = query.where(Interview.candidate_id == candidate_id)
    result = await session.exec(query)
    return list(result.all())


async def interviews_of_candidate(session: AsyncSession, candidate_id: int) -> list[Interview]:
    """Scheduled (not cancelled) interviews of a candidate, earliest first."""
    result = await session.exec(
        select(Interview)
        .where(
            Interview.candidate_id == candidate_id,
            Interview.status == InterviewStatus.SCHEDULED,
        )
        .order_by(col(Interview.starts_at), col(Interview.id))
    )
    return list(result.all())


async def claim_summary(session: AsyncSession, interview_id: int, now: datetime) -> bool:
    """Mark the interview's debrief summary as posted; False when someone already had."""
    result = await session.exec(
        update(Interview)
        .where(col(Interview.id) == interview_id, col(Interview.summary_posted_at).is_(None))
        .values(summary_posted_at=now),
        execution_options={"synchronize_session": False},
    )
    return result.rowcount == 1


async def sits_on_panel(
    session: AsyncSession,
    user_id: str,
    *,
    interview_id: int | None = None,
    candidate_id: int | None = None,
) -> bool:
    """Whether ``user_id`` is an interviewer of that interview, or of any interview of that
    candidate (cancelled ones included: their scorecards may still be read)."""
    statement = select(InterviewInterviewer.interview_id).where(
        InterviewInterviewer.user_id == user_id
    )
    if interview_id is not None:
        statement = statement.where(InterviewInterviewer.interview_id == interview_id)
    if candidate_id is not None:
        statement = statement.join(
            Interview, col(Interview.id) == col(InterviewInterviewer.interview_id)
        ).where(Interview.candidate_id == candidate_id)
    return (await session.exec(statement.limit(1))).first() is not None


# Built once: every card asks it (building it cost more than its answer).
_STAGE_INTERVIEWS = (
    select(Interview)
    .where(
        col(Interview.candidate_id) == bindparam("candidate_id"),
        col(Interview.stage_key) == bindparam("stage_key"),
        col(Interview.status) == InterviewStatus.SCHEDULED,
    )
    .order_by(col(Interview.starts_at), col(Interview.id))
)


async def stage_interviews(
    session: AsyncSession, candidate_id: int, stage_key: str
) -> list[Interview]:
    """The scheduled (not cancelled) interviews of a candidate's stage, earliest first."""
    params = {"candidate_id": candidate_id, "stage_key": stage_key}
    return list((await session.exec(_STAGE_INTERVIEWS, params=params)).all())
