"""Windows of time claimed by periodic jobs: each stretch of time is one replica's, once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import upsert_insert
from storage.models import JobWindow


async def claim_window(
    session: AsyncSession, name: str, now: datetime, *, first: datetime
) -> datetime | None:
    """Take the window from where the job's last run stopped (``first`` on its very first
    run) to ``now``, and return its start; None when it is empty or another replica took
    it first. The compare-and-set on ``until`` is what makes it one replica's: of two
    replicas that read the same start, the second's update finds it moved and changes
    nothing."""
    insert = upsert_insert(session)
    await session.exec(
        insert(JobWindow)
        .values(name=name, until=first)
        .on_conflict_do_nothing(index_elements=[col(JobWindow.name)])
    )
    since = (await session.exec(select(JobWindow.until).where(JobWindow.name == name))).one()
    if since >= now:
        return None
    result = await session.exec(
        update(JobWindow)
        .where(col(JobWindow.name) == name, col(JobWindow.until) == since)
        .values(until=now)
        .execution_options(synchronize_session=False)
    )
    return since if result.rowcount == 1 else None
