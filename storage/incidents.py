"""Queries on incident runs and the entries of their timelines."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import upsert_insert
from storage.models import IncidentEvent, IncidentRun


async def get_run(session: AsyncSession, run_id: int) -> IncidentRun | None:
    return await session.get(IncidentRun, run_id)


async def run_of(
    session: AsyncSession, interview_id: int, interviewer_id: str
) -> IncidentRun | None:
    query = select(IncidentRun).where(
        IncidentRun.interview_id == interview_id, IncidentRun.interviewer_id == interviewer_id
    )
    return (await session.exec(query)).first()


async def runs_of_interview(session: AsyncSession, interview_id: int) -> list[IncidentRun]:
    """Its runs in the order they started."""
    query = (
        select(IncidentRun)
        .where(IncidentRun.interview_id == interview_id)
        .order_by(col(IncidentRun.started_at), col(IncidentRun.id))
    )
    return list((await session.exec(query)).all())


async def add_run(session: AsyncSession, run: IncidentRun) -> IncidentRun | None:
    """Store a run; None when this interviewer already has one for the interview (two
    clicks on *Start* at once)."""
    values = run.model_dump(exclude={"id"})
    inserted = await session.exec(
        upsert_insert(session)(IncidentRun)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["interview_id", "interviewer_id"])
        .returning(col(IncidentRun.id))
    )
    run_id = inserted.scalar_one_or_none()
    return None if run_id is None else await session.get(IncidentRun, run_id)


async def previous_scenario(session: AsyncSession, stage_key: str, candidate_id: int) -> str | None:
    """The scenario of the latest run of the stage with another candidate."""
    query = (
        select(IncidentRun.scenario_key)
        .where(IncidentRun.stage_key == stage_key, IncidentRun.candidate_id != candidate_id)
        .order_by(col(IncidentRun.started_at).desc(), col(IncidentRun.id).desc())
        .limit(1)
    )
    return (await session.exec(query)).first()


async def last_used(session: AsyncSession, stage_key: str) -> dict[str, datetime]:
    """When each scenario of the stage was last started; unused ones are absent."""
    query = (
        select(IncidentRun.scenario_key, func.max(IncidentRun.started_at))
        .where(IncidentRun.stage_key == stage_key)
        .group_by(col(IncidentRun.scenario_key))
    )
    return {key: at for key, at in (await session.exec(query)).all()}


async def events_of(session: AsyncSession, run_ids: Sequence[int]) -> list[IncidentEvent]:
    """The entries of these runs in the order they were logged."""
    query = (
        select(IncidentEvent)
        .where(col(IncidentEvent.run_id).in_(run_ids))
        .order_by(col(IncidentEvent.at), col(IncidentEvent.id))
    )
    return list((await session.exec(query)).all())


async def add_event(session: AsyncSession, event: IncidentEvent) -> None:
    session.add(event)
    await session.flush()


async def stop_clock(session: AsyncSession, run_id: int, at: datetime) -> bool:
    """Mark the root cause found; False when it already was."""
    result = await session.exec(
        update(IncidentRun)
        .where(col(IncidentRun.id) == run_id, col(IncidentRun.root_cause_at).is_(None))
        .values(root_cause_at=at),
        execution_options={"synchronize_session": False},
    )
    return result.rowcount == 1


async def record_run_message(session: AsyncSession, run_id: int, channel_id: str, ts: str) -> None:
    await session.exec(
        update(IncidentRun)
        .where(col(IncidentRun.id) == run_id)
        .values(dm_channel_id=channel_id, dm_ts=ts),
        execution_options={"synchronize_session": False},
    )
