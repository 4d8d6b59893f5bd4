"""Queries on decisions: the outcome recorded for a candidate at a stage."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Decision, Outcome

# A hold, and resuming after one, keep the stage open (more interviews may follow); every
# other outcome ends it.
STAGE_CLOSING_OUTCOMES = frozenset(set(Outcome) - {Outcome.HOLD, Outcome.RESUME})


async def add_decision(session: AsyncSession, decision: Decision) -> Decision:
    session.add(decision)
    await session.flush()
    return decision


async def decision_by_view(session: AsyncSession, view_id: str) -> Decision | None:
    query = select(Decision).where(Decision.decision_view_id == view_id)
    return (await session.exec(query)).first()


# Built once: every scorecard and card asks it (building it cost more than its answer).
_STAGE_CLOSING = (
    select(Decision)
    .where(
        col(Decision.candidate_id) == bindparam("candidate_id"),
        col(Decision.stage_key) == bindparam("stage_key"),
        col(Decision.outcome).in_(STAGE_CLOSING_OUTCOMES),
    )
    .order_by(col(Decision.decided_at), col(Decision.id))
)


async def stage_closing_decision(
    session: AsyncSession, candidate_id: int, stage_key: str
) -> Decision | None:
    """The first decision that ended this stage for the candidate, if any."""
    params = {"candidate_id": candidate_id, "stage_key": stage_key}
    return (await session.exec(_STAGE_CLOSING, params=params)).first()


async def decided_since(
    session: AsyncSession, candidate_id: int, stage_key: str, since: datetime
) -> bool:
    """Whether a decision on the candidate's ``stage_key`` was recorded at or after ``since``."""
    rows = await session.exec(
        select(Decision.id)
        .where(
            col(Decision.candidate_id) == candidate_id,
            col(Decision.stage_key) == stage_key,
            col(Decision.decided_at) >= since,
        )
        .limit(1)
    )
    return rows.first() is not None
