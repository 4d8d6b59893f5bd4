"""Queries on debrief meetings and their attendees."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam
from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Debrief, DebriefAttendee, InterviewStatus
from storage.types import UTCDateTime


async def get_debrief(session: AsyncSession, debrief_id: int) -> Debrief | None:
    return await session.get(Debrief, debrief_id)


async def debrief_by_view(session: AsyncSession, view_id: str) -> Debrief | None:
    """The debrief a schedule modal created, if that modal was submitted before."""
    result = await session.exec(select(Debrief).where(Debrief.schedule_view_id == view_id))
    return result.first()


async def attendees_of(session: AsyncSession, debrief_id: int) -> list[str]:
    """The attendees' user ids, sorted so that output is stable."""
    result = await session.exec(
        select(DebriefAttendee.user_id)
        .where(DebriefAttendee.debrief_id == debrief_id)
        .order_by(col(DebriefAttendee.user_id))
    )
    return list(result.all())


async def add_attendees(session: AsyncSession, debrief_id: int, user_ids: Iterable[str]) -> None:
    session.add_all(DebriefAttendee(debrief_id=debrief_id, user_id=user_id) for user_id in user_ids)


async def remove_attendees(session: AsyncSession, debrief_id: int, user_ids: Sequence[str]) -> None:
    if not user_ids:
        return
    await session.exec(
        delete(DebriefAttendee).where(
            col(DebriefAttendee.debrief_id) == debrief_id,
            col(DebriefAttendee.user_id).in_(user_ids),
        )
    )


# Built once: every card asks it (building it cost more than its answer).
_SCHEDULED_IN_STAGE = (
    select(Debrief)
    .where(
        col(Debrief.candidate_id) == bindparam("candidate_id"),
        col(Debrief.stage_key) == bindparam("stage_key"),
        col(Debrief.status) == InterviewStatus.SCHEDULED,
    )
    .order_by(col(Debrief.starts_at), col(Debrief.id))
)
_SCHEDULED_IN_STAGE_SINCE = _SCHEDULED_IN_STAGE.where(
    col(Debrief.starts_at) >= bindparam("since", type_=UTCDateTime())
)


async def scheduled_in_stage(
    session: AsyncSession, candidate_id: int, stage_key: str, *, since: datetime | None = None
) -> list[Debrief]:
    """The scheduled (not cancelled) debriefs of a candidate's stage, earliest first; with
    ``since``, only those starting at or after it."""
    params: dict[str, Any] = {"candidate_id": candidate_id, "stage_key": stage_key}
    query = _SCHEDULED_IN_STAGE
    if since is not None:
        query, params["since"] = _SCHEDULED_IN_STAGE_SINCE, since
    return list((await session.exec(query, params=params)).all())
