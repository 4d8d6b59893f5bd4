"""Adding candidates in tests the way users do: by submitting the New candidate modal.

Tests of later flows start with ``candidate = await add_candidate(harness)``.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select

from handlers.ids import IntakeBlock, View
from slackfake import requests as sr
from storage.models import Candidate
from tests.harness import HIRING_MANAGER, Harness, Reply


def intake_values(
    name: str | None = "Jane Doe",
    *,
    level: str | None = "senior",
    location: str | None = "uk_london",
    profile_url: str | None = None,
    source: str | None = None,
    hiring_manager: str | None = HIRING_MANAGER,
    notes: str | None = None,
    email: str | None = None,
    timezone: str | None = None,
    hours: str | None = None,
) -> dict[str, dict[str, Any]]:
    """``view.state.values`` of a filled-in New candidate modal."""
    return {
        IntakeBlock.NAME: sr.text_value(IntakeBlock.NAME, name),
        IntakeBlock.LEVEL: sr.radio_value(IntakeBlock.LEVEL, level),
        IntakeBlock.LOCATION: sr.select_value(IntakeBlock.LOCATION, location),
        IntakeBlock.PROFILE_URL: sr.url_value(IntakeBlock.PROFILE_URL, profile_url),
        IntakeBlock.SOURCE: sr.text_value(IntakeBlock.SOURCE, source),
        IntakeBlock.HIRING_MANAGER: sr.user_value(IntakeBlock.HIRING_MANAGER, hiring_manager),
        IntakeBlock.NOTES: sr.text_value(IntakeBlock.NOTES, notes),
        IntakeBlock.EMAIL: sr.text_value(IntakeBlock.EMAIL, email),
        IntakeBlock.TIMEZONE: sr.text_value(IntakeBlock.TIMEZONE, timezone),
        IntakeBlock.HOURS: sr.text_value(IntakeBlock.HOURS, hours),
    }


async def submit_intake(
    harness: Harness,
    name: str | None = "Jane Doe",
    *,
    user_id: str = HIRING_MANAGER,
    view_id: str | None = None,
    **fields: Any,
) -> Reply:
    return await harness.submit(
        View.NEW_CANDIDATE, intake_values(name, **fields), user_id=user_id, view_id=view_id
    )


async def add_candidate(
    harness: Harness, name: str = "Jane Doe", *, user_id: str = HIRING_MANAGER, **fields: Any
) -> Candidate:
    """Submit the modal and return the candidate it stored (with its card posted, when the
    fake's channel allows)."""
    reply = await submit_intake(harness, name, user_id=user_id, **fields)
    assert reply.status == 200 and not reply.text, reply.text
    return await latest_candidate(harness)


async def latest_candidate(harness: Harness) -> Candidate:
    async with harness.bot.sessions() as session:
        statement = select(Candidate).order_by(col(Candidate.id).desc())
        candidate = (await session.exec(statement)).first()
    assert candidate is not None, "no candidate stored"
    return candidate


async def all_candidates(harness: Harness) -> list[Candidate]:
    async with harness.bot.sessions() as session:
        return list((await session.exec(select(Candidate).order_by(col(Candidate.id)))).all())
