"""The candidate's thread in the hiring channel: the card, kept current, and the replies
under it. Every flow that tells the thread something goes through here, inside the
transaction of the change it reports: the messages are outbox rows (``bot/outbox.py``),
sent once the change commits, the card first and its replies after it.

The database is the truth and the card a view of it: a card Slack refused (the bot is not
in the channel) is queued again by the next ``refresh_card``, which anything that changes a
candidate calls, and by ``list``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from bot import outbox
from bot.candidates import get_candidate
from bot.context import BotContext
from bot.kits import UnknownStageError
from bot.next_step import describe_next_step
from handlers.candidate_card import card_blocks, card_text
from handlers.kit_blocks import question_set_blocks
from handlers.mrkdwn import escape
from storage import candidates as store
from storage import outbox as outbox_store
from storage.models import Candidate, OutboxStatus, row_id

logger = logging.getLogger(__name__)

# Cards queued again per `list`: enough for a backlog, few enough to keep the command quick.
PENDING_CARDS_PER_LIST = 10


def thread_link(candidate: Candidate) -> str | None:
    """A permalink to the candidate's thread, for DMs, digests and lists; None until the
    card is posted."""
    return candidate.permalink


async def refresh_card(session: AsyncSession, bot: BotContext, candidate_id: int) -> None:
    """Re-render the card from the session's state and queue it: an edit of the card in
    place, or the card itself (with the question set of the stage under it) when it was
    never posted or Slack refused it."""
    candidate = await get_candidate(session, candidate_id)
    step = await describe_next_step(session, bot.kits, candidate)
    key = outbox.card_key(candidate_id)
    await _adopt(session, bot, candidate, key, candidate.thread_ts)
    new = await outbox.post(
        session,
        bot,
        candidate.channel_id or bot.settings.hiring_channel_id,
        card_text(candidate, bot.kits),
        card_blocks(candidate, bot.kits, step),
        key=key,
        candidate_id=candidate_id,
        permalink=True,
    )
    if new:
        await post_stage_kit(session, bot, candidate)


async def post_pending_cards(session: AsyncSession, bot: BotContext) -> None:
    """Queue again the cards Slack refused (the channel was unusable then)."""
    for candidate in await store.unposted_open(session, limit=PENDING_CARDS_PER_LIST):
        candidate_id = row_id(candidate)
        latest = await outbox_store.latest(session, outbox.card_key(candidate_id))
        if latest is None or latest.status == OutboxStatus.FAILED:
            await refresh_card(session, bot, candidate_id)


async def post_in_thread(
    session: AsyncSession,
    bot: BotContext,
    candidate: Candidate,
    *,
    text: str,
    blocks: Sequence[dict[str, Any]] | None = None,
    key: str | None = None,
    posted_ts: str | None = None,
) -> None:
    """Reply in the candidate's thread, the one way to: queued behind the card, which is
    queued first if it never was. With ``key`` the reply is one to keep current: a later
    call with the same key edits it (``posted_ts``: where a reply posted before the outbox
    existed is)."""
    candidate_id = row_id(candidate)
    card = outbox.card_key(candidate_id)
    latest = await outbox_store.latest(session, card)
    if latest is None and candidate.thread_ts is not None:
        await _adopt(session, bot, candidate, card, candidate.thread_ts)
    elif latest is None or latest.status == OutboxStatus.FAILED:
        await refresh_card(session, bot, candidate_id)
    if key is not None:
        await _adopt(session, bot, candidate, key, posted_ts)
    await outbox.post(
        session,
        bot,
        candidate.channel_id or bot.settings.hiring_channel_id,
        text,
        blocks,
        key=key,
        thread_of=card,
        candidate_id=candidate_id,
    )


async def post_stage_kit(session: AsyncSession, bot: BotContext, candidate: Candidate) -> None:
    """The question set of the candidate's current stage, as a reply in their thread."""
    try:
        stage = bot.kits.stage(candidate.stage_key)
    except UnknownStageError:
        logger.warning("candidate %s is in a stage no kit defines", candidate.id)
        return
    text = f"{escape(stage.title)} question set · {stage.duration_minutes} min"
    await post_in_thread(session, bot, candidate, text=text, blocks=question_set_blocks(stage))


async def _adopt(
    session: AsyncSession, bot: BotContext, candidate: Candidate, key: str, ts: str | None
) -> None:
    """A message posted before the outbox existed becomes the row its key names."""
    if ts is None or candidate.channel_id is None:
        return
    if await outbox_store.latest(session, key) is None:
        await outbox.adopt(
            session, bot, key, channel_id=candidate.channel_id, ts=ts, candidate_id=candidate.id
        )
