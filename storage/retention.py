"""Queries for retention: closed candidates due a warning or an erasure, and the claims
that make each happen once however many replicas run the job."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import CLOSED_STATUSES, Candidate

_CLOSED = col(Candidate.status).in_(CLOSED_STATUSES)


async def to_warn(
    session: AsyncSession, *, closed_before: datetime, kept_before: datetime, limit: int
) -> Sequence[Candidate]:
    """Closed candidates not yet warned whose erasure comes within the warning's notice:
    closed before ``closed_before`` and not kept past ``kept_before``."""
    statement = (
        select(Candidate)
        .where(
            _CLOSED,
            col(Candidate.closed_at) <= closed_before,
            col(Candidate.retention_warned_at).is_(None),
            or_(col(Candidate.keep_until).is_(None), col(Candidate.keep_until) <= kept_before),
        )
        .order_by(col(Candidate.id))
        .limit(limit)
    )
    return (await session.exec(statement)).all()


async def to_erase(
    session: AsyncSession,
    *,
    closed_before: datetime,
    warned_before: datetime,
    now: datetime,
    limit: int,
) -> Sequence[int]:
    """Ids of closed candidates past retention, warned long enough ago, kept no longer."""
    statement = (
        select(Candidate.id)
        .where(
            _CLOSED,
            col(Candidate.closed_at) <= closed_before,
            col(Candidate.retention_warned_at) <= warned_before,
            or_(col(Candidate.keep_until).is_(None), col(Candidate.keep_until) <= now),
        )
        .order_by(col(Candidate.id))
        .limit(limit)
    )
    return [candidate_id for candidate_id in (await session.exec(statement)).all() if candidate_id]


async def claim_warning(session: AsyncSession, candidate_id: int, now: datetime) -> bool:
    """Mark the candidate warned; False when someone else did first."""
    result = await session.exec(
        update(Candidate)
        .where(col(Candidate.id) == candidate_id, col(Candidate.retention_warned_at).is_(None))
        .values(retention_warned_at=now)
    )
    return bool(result.rowcount)
