"""A candidate's right to their data: export everything we hold, or erase it.

Who may: the candidate's hiring manager or an admin may export; erasing is for admins,
or for the hiring manager when the team has no admins.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.candidates import get_candidate, resolve_candidate
from bot.context import BotContext
from bot.errors import NotFound, PermissionDenied
from bot.permissions import may_erase_candidate, may_export_candidate
from storage import privacy as store
from storage.models import AuditEvent, Candidate, row_id

AUDIT_ERASED = "candidate_erased"
EXPORT_FORMAT = "mlops-hiring-bot/candidate-export/v1"


@dataclass(frozen=True)
class Erasure:
    """What was erased, and where the bot's Slack messages about the candidate were."""

    candidate_id: int
    records: int
    thread: tuple[str, str] | None
    direct_messages: list[tuple[str, str]]


async def candidate_to_export(
    session: AsyncSession, bot: BotContext, actor_id: str, text: str
) -> Candidate:
    candidate = await resolve_candidate(session, text)
    if not may_export_candidate(
        bot.settings.hiring_admins, actor_id, hiring_manager_id=candidate.hiring_manager_id
    ):
        raise PermissionDenied(
            f"Only the hiring manager <@{candidate.hiring_manager_id}> or a hiring admin can "
            "export a candidate's data."
        )
    return candidate


async def export_candidate(
    session: AsyncSession, bot: BotContext, actor_id: str, candidate_id: int
) -> dict[str, Any]:
    """Every record about the candidate, as one JSON-ready document."""
    candidate = await get_candidate(session, candidate_id)
    await candidate_to_export(session, bot, actor_id, f"#{candidate.id}")
    return {
        "format": EXPORT_FORMAT,
        "exported_at": bot.clock.now().isoformat(),
        "exported_by": actor_id,
        **await store.candidate_records(session, candidate_id),
    }


def _refuse_erasure(bot: BotContext, actor_id: str, candidate: Candidate) -> None:
    if not may_erase_candidate(
        bot.settings.hiring_admins, actor_id, hiring_manager_id=candidate.hiring_manager_id
    ):
        who = "a hiring admin" if bot.settings.hiring_admins else "the hiring manager"
        raise PermissionDenied(f"Only {who} can erase a candidate.")


async def candidate_to_erase(
    session: AsyncSession, bot: BotContext, actor_id: str, text: str
) -> Candidate:
    candidate = await resolve_candidate(session, text)
    _refuse_erasure(bot, actor_id, candidate)
    return candidate


async def erase_candidate(
    session: AsyncSession, bot: BotContext, actor_id: str, candidate_id: int
) -> Erasure:
    """Delete every record of the candidate; the audit keeps only that #id was erased."""
    candidate = await get_candidate(session, candidate_id)
    _refuse_erasure(bot, actor_id, candidate)
    erasure = await erase(session, bot, candidate, actor_id=actor_id)
    if erasure is None:
        raise NotFound(f"Candidate #{candidate_id} no longer exists.")
    return erasure


async def erase(
    session: AsyncSession, bot: BotContext, candidate: Candidate, *, actor_id: str, **why: Any
) -> Erasure | None:
    """Erase ``candidate`` for whoever decided it (a person, or retention), audited with
    ``why``; None when another erasure of it committed first, and then the caller's
    transaction must be rolled back."""
    candidate_id = row_id(candidate)
    records = await store.candidate_records(session, candidate_id)
    thread = (
        (candidate.channel_id, candidate.thread_ts)
        if candidate.channel_id and candidate.thread_ts
        else None
    )
    erasure = Erasure(
        candidate_id=candidate_id,
        records=sum(len(rows) for rows in records.values()),
        thread=thread,
        direct_messages=await store.direct_messages(session, candidate_id),
    )
    if not await store.delete_candidate(session, candidate_id):
        return None
    session.add(
        AuditEvent(
            at=bot.clock.now(),
            actor_id=actor_id,
            candidate_id=None,
            action=AUDIT_ERASED,
            detail={"candidate_id": candidate_id, "records": erasure.records, **why},
        )
    )
    return erasure
