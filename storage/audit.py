"""The audit trail: who did what to which candidate, and when."""

from __future__ import annotations

from datetime import datetime
from typing import Any

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
