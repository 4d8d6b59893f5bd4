"""The candidate's thread in the hiring channel: posting the card, keeping it current, and
replying under it. Every flow that tells the thread something goes through here.

The database is the truth and the card a view of it: a card that cannot be posted (the bot
is not in the channel) is posted later by ``refresh_card``, which anything that changes a
candidate calls; a card that cannot be edited is logged, and the change stays saved.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.candidates import get_candidate, record_card
from bot.context import BotContext
from bot.kits import UnknownStageError
from bot.next_step import describe_next_step
from handlers.candidate_card import card_blocks, card_text
from handlers.kit_blocks import question_set_blocks
from handlers.mrkdwn import escape
from storage import candidates as store
from storage.models import Candidate

logger = logging.getLogger(__name__)

# Channel errors after which nothing can be posted until someone fixes the channel.
_UNUSABLE = frozenset(
    {"channel_not_found", "not_in_channel", "is_archived", "method_not_supported_for_channel_type"}
)
# Cards retried per `list`: enough for a backlog, few enough to keep the command quick.
PENDING_CARDS_PER_LIST = 10
# An intake younger than this may still be posting its own card: leave it alone.
PENDING_CARD_GRACE = timedelta(minutes=1)


class ChannelUnavailable(Exception):
    """Slack will not take the bot's messages in ``channel_id``: ``error`` says why
    (``not_in_channel`` once joining failed, ``channel_not_found``, ``is_archived``)."""

    def __init__(self, channel_id: str, error: str) -> None:
        super().__init__(f"{channel_id}: {error}")
        self.channel_id = channel_id
        self.error = error


def thread_link(candidate: Candidate) -> str | None:
    """A permalink to the candidate's thread, for DMs, digests and lists; None until the
    card is posted."""
    return candidate.permalink


async def post_message(client: AsyncWebClient, channel_id: str, **kwargs: Any) -> str:
    """chat.postMessage in a channel, joining it first if it is public and the bot is not
    in it; the new message's ts. ChannelUnavailable when Slack will not have it."""
    kwargs = {"unfurl_links": False, "unfurl_media": False, **kwargs}
    try:
        response = await client.chat_postMessage(channel=channel_id, **kwargs)
    except SlackApiError as error:
        code = str(error.response.get("error", ""))
        if code != "not_in_channel":
            if code in _UNUSABLE:
                raise ChannelUnavailable(channel_id, code) from error
            raise
        await _join(client, channel_id)
        response = await client.chat_postMessage(channel=channel_id, **kwargs)
    return str(response["ts"])


async def _join(client: AsyncWebClient, channel_id: str) -> None:
    try:
        await client.conversations_join(channel=channel_id)
    except SlackApiError as error:
        # A private channel answers method_not_supported_for_channel_type: bots join those
        # only when invited, so the channel stays unusable until someone does.
        raise ChannelUnavailable(channel_id, "not_in_channel") from error
    logger.info("joined channel %s to post in it", channel_id)


async def post_card(client: AsyncWebClient, bot: BotContext, candidate: Candidate) -> Candidate:
    """Post the card in the hiring channel, remember where, and start the thread with the
    current stage's question set. ChannelUnavailable if the channel will not have it."""
    channel_id = bot.settings.hiring_channel_id
    async with bot.sessions() as session:
        step = await describe_next_step(session, bot.kits, candidate)
    ts = await post_message(
        client,
        channel_id,
        text=card_text(candidate, bot.kits),
        blocks=card_blocks(candidate, bot.kits, step),
    )
    permalink = await _permalink(client, channel_id, ts)
    posted = await record_card(
        bot, _id(candidate), channel_id=channel_id, ts=ts, permalink=permalink
    )
    logger.info("posted the card of candidate %s", posted.id)
    await post_stage_kit(client, bot, posted)
    return posted


async def _permalink(client: AsyncWebClient, channel_id: str, ts: str) -> str | None:
    try:
        response = await client.chat_getPermalink(channel=channel_id, message_ts=ts)
    except SlackApiError as error:
        # Lists and DMs then go without a link; the card itself is fine.
        logger.warning("no permalink for %s/%s: %s", channel_id, ts, error.response.get("error"))
        return None
    return str(response["permalink"])


async def refresh_card(client: AsyncWebClient, bot: BotContext, candidate_id: int) -> None:
    """Re-render the card from the database and edit it in place; post it (with the first
    question set) if it never made it to the channel."""
    async with bot.sessions() as session:
        candidate = await get_candidate(session, candidate_id)
        step = await describe_next_step(session, bot.kits, candidate)
    if candidate.thread_ts is None or candidate.channel_id is None:
        await _post_pending(client, bot, candidate)
        return
    try:
        await client.chat_update(
            channel=candidate.channel_id,
            ts=candidate.thread_ts,
            text=card_text(candidate, bot.kits),
            blocks=card_blocks(candidate, bot.kits, step),
        )
    except SlackApiError as error:
        logger.warning(
            "card of candidate %s not updated: %s", candidate_id, error.response.get("error")
        )


async def _post_pending(
    client: AsyncWebClient, bot: BotContext, candidate: Candidate
) -> Candidate | None:
    """The candidate with their card posted, or None if the channel still refuses it."""
    try:
        return await post_card(client, bot, candidate)
    except ChannelUnavailable as problem:
        logger.warning(
            "card of candidate %s still not posted: HIRING_CHANNEL_ID=%s answers %s",
            candidate.id,
            problem.channel_id,
            problem.error,
        )
        return None


async def post_pending_cards(client: AsyncWebClient, bot: BotContext) -> None:
    """Post the cards that could not be posted when their candidates were added."""
    async with bot.sessions() as session:
        pending = await store.unposted_open(session, limit=PENDING_CARDS_PER_LIST)
    settled = bot.clock.now() - PENDING_CARD_GRACE
    for candidate in pending:
        # One failure means the channel is still unusable: the rest would fail alike.
        if candidate.created_at <= settled and await _post_pending(client, bot, candidate) is None:
            return


async def post_in_thread(
    client: AsyncWebClient,
    bot: BotContext,
    candidate: Candidate,
    *,
    text: str,
    blocks: list[dict[str, Any]] | None = None,
) -> str | None:
    """Reply in the candidate's thread; the reply's ts. If the card was never posted, it
    is tried first; None when the thread still does not exist or the channel refuses."""
    if candidate.thread_ts is None or candidate.channel_id is None:
        # The caller's copy may predate the card: only the database knows.
        async with bot.sessions() as session:
            candidate = await get_candidate(session, _id(candidate))
        if candidate.thread_ts is None:
            posted = await _post_pending(client, bot, candidate)
            if posted is None:
                return None
            candidate = posted
    if candidate.thread_ts is None or candidate.channel_id is None:
        return None
    try:
        return await post_message(
            client, candidate.channel_id, thread_ts=candidate.thread_ts, text=text, blocks=blocks
        )
    except ChannelUnavailable as problem:
        logger.warning(
            "reply for candidate %s not posted: %s answers %s",
            candidate.id,
            problem.channel_id,
            problem.error,
        )
        return None


async def update_in_thread(
    client: AsyncWebClient,
    bot: BotContext,
    candidate: Candidate,
    message_ts: str | None,
    *,
    text: str,
    blocks: list[dict[str, Any]] | None = None,
) -> str | None:
    """Edit a reply of the candidate's thread in place, or post it if it never made it
    there (``message_ts`` None). The ts of a newly posted reply, else None; an edit Slack
    refuses is logged, and what it showed stays saved."""
    if message_ts is None or candidate.channel_id is None:
        return await post_in_thread(client, bot, candidate, text=text, blocks=blocks)
    try:
        await client.chat_update(
            channel=candidate.channel_id, ts=message_ts, text=text, blocks=blocks
        )
    except SlackApiError as error:
        logger.warning(
            "reply %s for candidate %s not edited: %s",
            message_ts,
            candidate.id,
            error.response.get("error"),
        )
    return None


async def post_stage_kit(client: AsyncWebClient, bot: BotContext, candidate: Candidate) -> None:
    """The question set of the candidate's current stage, as a reply in their thread."""
    try:
        stage = bot.kits.stage(candidate.stage_key)
    except UnknownStageError:
        logger.warning("candidate %s is in a stage no kit defines", candidate.id)
        return
    text = f"{escape(stage.title)} question set · {stage.duration_minutes} min"
    await post_in_thread(client, bot, candidate, text=text, blocks=question_set_blocks(stage))


def _id(candidate: Candidate) -> int:
    if candidate.id is None:
        raise ValueError("a candidate must be saved before it has a thread")
    return candidate.id
