"""Slack events already received, so that a redelivery is recognised (by ``event_id``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import upsert_insert
from storage.models import ProcessedEvent


async def record_delivery(session: AsyncSession, event_id: str, received_at: datetime) -> bool:
    """Note the event; False if it was noted before.

    ``ON CONFLICT DO NOTHING`` rather than catching the duplicate key: two replicas given
    the same event at once both finish cleanly, and the row count says which one won.
    """
    statement = (
        upsert_insert(session)(ProcessedEvent)
        .values(event_id=event_id, received_at=received_at)
        .on_conflict_do_nothing(index_elements=["event_id"])
    )
    result = await session.exec(statement)
    return bool(result.rowcount)


async def forget_deliveries_before(session: AsyncSession, cutoff: datetime) -> int:
    result = await session.exec(
        delete(ProcessedEvent).where(col(ProcessedEvent.received_at) < cutoff)
    )
    return int(result.rowcount)
