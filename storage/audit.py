"""The audit trail: who did what to which candidate, and when."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import AuditEvent

# A plain row, built once: an event is written with nearly every change, and an ORM object
# with its flush cost more than the change it records.
_INSERT = insert(AuditEvent)


async def record_event(
    session: AsyncSession,
    *,
    actor_id: str,
    candidate_id: int | None,
    action: str,
    detail: dict[str, Any],
    at: datetime,
) -> None:
    # Flushed first: the event may name a candidate this session has just added.
    await session.flush()
    connection = await session.connection()
    await connection.execute(
        _INSERT,
        {
            "at": at,
            "actor_id": actor_id,
            "candidate_id": candidate_id,
            "action": action,
            "detail": detail,
        },
    )
