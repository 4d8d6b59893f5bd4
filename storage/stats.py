"""Counts that ``/metrics`` reads at scrape time: one cheap indexed query each."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Reminder, ReminderStatus

UNSENT = (ReminderStatus.PENDING, ReminderStatus.CLAIMED)


async def count_unsent_reminders(session: AsyncSession, now: datetime) -> tuple[int, int]:
    """Reminders not yet sent nor given up: (already due, due later)."""
    due = case((col(Reminder.due_at) <= now, 1), else_=0)
    statement = select(func.count(), func.coalesce(func.sum(due), 0)).where(
        col(Reminder.status).in_(UNSENT)
    )
    total, due_now = (await session.exec(statement)).one()
    return int(due_now), int(total) - int(due_now)
