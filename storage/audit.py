"""The audit trail: who did what to which candidate, and when."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import AuditEvent


async def record_event(
    session: AsyncSession,
    *,
    actor_id: str,
    candidate_id: int | None,
    action: str,
    detail: dict[str, Any],
    at: datetime,
) -> AuditEvent:
    event = AuditEvent(
        at=at, actor_id=actor_id, candidate_id=candidate_id, action=action, detail=detail
    )
    session.add(event)
    await session.flush()
    return event


async def events_for(session: AsyncSession, candidate_id: int) -> list[AuditEvent]:
    """A candidate's audit events, oldest first."""
    query = (
        select(AuditEvent)
        .where(AuditEvent.candidate_id == candidate_id)
        .order_by(col(AuditEvent.at), col(AuditEvent.id))
    )
    return list((await session.exec(query)).all())
