"""Queries of connected calendars. The secret column holds ciphertext only: encrypting and
decrypting is the domain's job (``bot/secret_box.py``)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func
from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import CalendarConnection


async def get(session: AsyncSession, user_id: str) -> CalendarConnection | None:
    return await session.get(CalendarConnection, user_id)


async def of_users(session: AsyncSession, user_ids: Sequence[str]) -> list[CalendarConnection]:
    if not user_ids:
        return []
    statement = select(CalendarConnection).where(col(CalendarConnection.user_id).in_(user_ids))
    return list((await session.exec(statement)).all())


async def save(session: AsyncSession, connection: CalendarConnection) -> None:
    """Insert, or replace the user's earlier connection."""
    existing = await session.get(CalendarConnection, connection.user_id)
    if existing is not None:
        await session.delete(existing)
        await session.flush()
    session.add(connection)


async def remove(session: AsyncSession, user_id: str) -> bool:
    result = await session.exec(
        delete(CalendarConnection).where(col(CalendarConnection.user_id) == user_id)
    )
    return bool(result.rowcount)


async def count(session: AsyncSession) -> int:
    return int((await session.exec(select(func.count()).select_from(CalendarConnection))).one())


async def all_secrets(session: AsyncSession) -> list[str]:
    return list((await session.exec(select(CalendarConnection.secret))).all())
