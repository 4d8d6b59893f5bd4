"""What the people concerned hear when Slack refuses a message for good: the candidate's
thread names who did not get their interview kit or debrief invitation, and whoever added
a candidate hears why the card is not in the hiring channel. Admins see every refusal on
their App Home (``bot/outbox.py``'s ``undelivered``)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from sqlalchemy import update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import outbox
from bot.context import BotContext
from handlers import debrief_meeting_blocks, interview_blocks
from handlers.candidate_card import card_not_posted_text
from handlers.candidate_thread import post_in_thread
from storage.models import Candidate, InterviewInterviewer, OutboxMessage

logger = logging.getLogger(__name__)

_REPLIES: dict[str, Callable[[Sequence[tuple[str, str]]], str]] = {
    outbox.KIT_DM: interview_blocks.unreachable_reply,
    outbox.DEBRIEF_DM: debrief_meeting_blocks.unreachable_reply,
}


async def tell_refusals(
    session: AsyncSession,
    bot: BotContext,
    refused: Sequence[tuple[OutboxMessage, str]],
    bot_user_id: str | None,
) -> None:
    """In the transaction that records the refusals: one thread note per candidate and
    kind, naming everyone its DMs did not reach."""
    unreachable: dict[tuple[str, int], list[tuple[str, str]]] = {}
    for row, error in refused:
        if row.candidate_id is None:
            continue
        report = row.payload.get("report")
        if report in _REPLIES:
            unreachable.setdefault((report, row.candidate_id), []).append((row.target, error))
            if report == outbox.KIT_DM and row.key:
                await _seat_error(session, row.key, error)
        elif row.key == outbox.card_key(row.candidate_id):
            _log_card(row, error)
            candidate = await session.get(Candidate, row.candidate_id)
            if candidate is not None and candidate.created_by:
                text = card_not_posted_text(candidate, row.target, error, bot_user_id)
                await outbox.dm(session, bot, candidate.created_by, text)
    for (report, candidate_id), failures in unreachable.items():
        candidate = await session.get(Candidate, candidate_id)
        if candidate is not None:
            await post_in_thread(session, bot, candidate, text=_REPLIES[report](failures))


async def _seat_error(session: AsyncSession, key: str, error: str) -> None:
    """The interviewer's seat keeps why their kit did not arrive."""
    _, _, interview_id, user_id = key.split(":", 3)
    await session.exec(
        update(InterviewInterviewer)
        .where(
            col(InterviewInterviewer.interview_id) == int(interview_id),
            col(InterviewInterviewer.user_id) == user_id,
        )
        .values(dm_error=error[:64]),
        execution_options={"synchronize_session": False},
    )


def _log_card(row: OutboxMessage, error: str) -> None:
    if error == "channel_not_found":
        logger.error(
            "HIRING_CHANNEL_ID=%s: Slack answers channel_not_found; fix the setting, or "
            "invite the bot if the channel is private (candidate %s kept, card not posted)",
            row.target,
            row.candidate_id,
        )
    else:
        logger.warning(
            "card of candidate %s not posted: HIRING_CHANNEL_ID=%s answers %s",
            row.candidate_id,
            row.target,
            error,
        )
