"""A candidate's right to their data: export everything we hold, or erase it.

Who may: the candidate's hiring manager or an admin may export; erasing is for admins,
or for the hiring manager when the team has no admins.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from bot import outbox
from bot.candidates import get_candidate, resolve_candidate
from bot.context import BotContext
from bot.errors import NotFound, PermissionDenied
from bot.permissions import may_erase_candidate, may_export_candidate
from storage import outbox as outbox_store
from storage import privacy as store
from storage.audit import record_event
from storage.models import Candidate, OutboxStatus, row_id

AUDIT_ERASED = "candidate_erased"
EXPORT_FORMAT = "mlops-hiring-bot/candidate-export/v1"


@dataclass(frozen=True)
class Shared:
    """A message that names the candidate among others (a digest): edited, not deleted."""

    row_id: int
    channel: str
    ts: str
    text: str
    blocks: list[dict[str, Any]] | None


@dataclass(frozen=True)
class Erasure:
    """What was erased, and where the bot's Slack messages about the candidate were: every
    message and file the outbox remembers (``messages``), the shared ones naming them, and
    what older versions of the bot kept (the thread, interview and incident DMs). ``name``
    is held in memory only, to take it out of the shared messages."""

    candidate_id: int
    records: int
    thread: tuple[str, str] | None
    direct_messages: list[tuple[str, str]]
    messages: list[outbox.Remembered] = field(default_factory=list)
    shared: list[Shared] = field(default_factory=list)
    name: str = ""


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
        # Where the bot said something about them in Slack: what an erase deletes.
        "slack_messages": [
            {"channel": m.channel, "ts": m.ts, "file_id": m.file_id, "what": m.what}
            for m in await outbox.remembered(session, candidate_id)
        ],
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
    shared = [
        Shared(
            row.id,
            row.sent_channel,
            row.sent_ts,
            row.payload.get("text") or "",
            row.payload.get("blocks"),
        )
        for row in await outbox_store.mentioning(session, candidate_id)
        if row.status == OutboxStatus.SENT and row.id and row.sent_channel and row.sent_ts
    ]
    erasure = Erasure(
        candidate_id=candidate_id,
        records=sum(len(rows) for rows in records.values()),
        thread=thread,
        direct_messages=await store.direct_messages(session, candidate_id),
        messages=await outbox.remembered(session, candidate_id),
        shared=shared,
        name=candidate.name,
    )
    if not await store.delete_candidate(session, candidate_id):
        return None
    # What is still queued about them is never sent; what is on its way is taken back.
    await outbox_store.forget_candidate(session, candidate_id)
    await record_event(
        session,
        actor_id=actor_id,
        candidate_id=None,
        action=AUDIT_ERASED,
        detail={"candidate_id": candidate_id, "records": erasure.records, **why},
        at=bot.clock.now(),
    )
    return erasure
