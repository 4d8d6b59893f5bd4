"""Queries on candidates. Each takes the session first; none commits."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from storage.models import CLOSED_STATUSES, Candidate

_OPEN = col(Candidate.status).not_in(CLOSED_STATUSES)


async def get(session: AsyncSession, candidate_id: int) -> Candidate | None:
    return await session.get(Candidate, candidate_id)


async def lock(session: AsyncSession, candidate_id: int) -> Candidate | None:
    """The candidate, read afresh and locked until the transaction ends: decisions and
    debriefs of one candidate take turns, so the second sees what the first did. On
    PostgreSQL a row lock; SQLite lets one writer in at a time anyway."""
    query = (
        select(Candidate)
        .where(Candidate.id == candidate_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return (await session.exec(query)).first()


async def by_intake_view(session: AsyncSession, view_id: str) -> Candidate | None:
    """The candidate a New candidate modal created, if that view was submitted before."""
    result = await session.exec(select(Candidate).where(Candidate.intake_view_id == view_id))
    return result.first()


async def open_with_name_key(
    session: AsyncSession, name_key: str, *, excluding: int | None = None
) -> Candidate | None:
    statement = select(Candidate).where(Candidate.name_key == name_key, _OPEN)
    return await _first_other(session, statement, excluding)


async def open_with_profile_key(
    session: AsyncSession, profile_key: str, *, excluding: int | None = None
) -> Candidate | None:
    statement = select(Candidate).where(Candidate.profile_url_key == profile_key, _OPEN)
    return await _first_other(session, statement, excluding)


async def _first_other(
    session: AsyncSession, statement: SelectOfScalar[Candidate], excluding: int | None
) -> Candidate | None:
    """The first match by id, leaving out the candidate ``excluding`` (the one edited)."""
    if excluding is not None:
        statement = statement.where(col(Candidate.id) != excluding)
    return (await session.exec(statement.order_by(col(Candidate.id)))).first()


async def open_whose_name_contains(session: AsyncSession, fragment: str) -> Sequence[Candidate]:
    """Open candidates whose ``name_key`` contains ``fragment`` (already normalised)."""
    return await _whose_name_contains(session, fragment, include_closed=False)


async def whose_name_contains(session: AsyncSession, fragment: str) -> Sequence[Candidate]:
    """Every candidate, closed ones too, whose ``name_key`` contains ``fragment``."""
    return await _whose_name_contains(session, fragment, include_closed=True)


async def _whose_name_contains(
    session: AsyncSession, fragment: str, *, include_closed: bool
) -> Sequence[Candidate]:
    # autoescape: a "%" or "_" the user typed is an ordinary character, not a wildcard.
    matches = col(Candidate.name_key).contains(fragment, autoescape=True)
    statement = select(Candidate).where(matches)
    if not include_closed:
        statement = statement.where(_OPEN)
    return (await session.exec(statement.order_by(col(Candidate.id)))).all()


async def pipeline(session: AsyncSession, *, include_closed: bool) -> Sequence[Candidate]:
    """Candidates for the list, oldest in their stage first."""
    statement = select(Candidate)
    if not include_closed:
        statement = statement.where(_OPEN)
    statement = statement.order_by(col(Candidate.stage_entered_at), col(Candidate.id))
    return (await session.exec(statement)).all()


async def unposted_open(session: AsyncSession, *, limit: int) -> Sequence[Candidate]:
    """Open candidates whose card never reached the channel, oldest first."""
    statement = (
        select(Candidate)
        .where(col(Candidate.thread_ts).is_(None), _OPEN)
        .order_by(col(Candidate.id))
        .limit(limit)
    )
    return (await session.exec(statement)).all()


async def manages_any(session: AsyncSession, user_id: str) -> bool:
    """Whether ``user_id`` is the hiring manager of at least one candidate."""
    statement = select(Candidate.id).where(Candidate.hiring_manager_id == user_id).limit(1)
    return (await session.exec(statement)).first() is not None


async def placements(session: AsyncSession, ids: Sequence[int]) -> dict[int, tuple[str, str]]:
    """Each candidate's location and level (what their salary benchmark is read by)."""
    if not ids:
        return {}
    statement = select(Candidate.id, Candidate.location, Candidate.level).where(
        col(Candidate.id).in_(ids)
    )
    rows = (await session.exec(statement)).all()
    return {i: (loc, level) for i, loc, level in rows if i is not None}
