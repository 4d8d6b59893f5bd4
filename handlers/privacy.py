"""``/mlops-candidate export NAME`` and ``/mlops-candidate erase NAME``."""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot import privacy
from bot.context import BotContext
from bot.errors import DomainError
from handlers.dm_files import upload_to_dm
from handlers.ids import View
from handlers.privacy_blocks import erase_modal, erased_text, export_comment
from handlers.refs import parse_ref
from handlers.team_access import refused_submission
from storage.db import transaction
from storage.models import row_id

if TYPE_CHECKING:
    from handlers.commands import CommandCall

logger = logging.getLogger(__name__)


async def run_export(call: CommandCall) -> None:
    try:
        async with call.bot.sessions() as session:
            candidate = await privacy.candidate_to_export(
                session, call.bot, call.user_id, call.args
            )
            candidate_id = row_id(candidate)
            document = await privacy.export_candidate(session, call.bot, call.user_id, candidate_id)
    except DomainError as error:
        await call.ephemeral(error.message)
        return
    await call.ephemeral(f"The export of candidate #{candidate_id} is on its way to your DMs.")
    await upload_to_dm(
        call.client,
        call.user_id,
        content=json.dumps(document, indent=2, ensure_ascii=False),
        filename=f"candidate-{candidate_id}.json",
        title=f"Candidate #{candidate_id} export",
        initial_comment=export_comment(candidate),
    )
    logger.info("candidate %s exported by %s", candidate_id, call.user_id)


async def run_erase(call: CommandCall) -> None:
    try:
        async with call.bot.sessions() as session:
            candidate = await privacy.candidate_to_erase(session, call.bot, call.user_id, call.args)
    except DomainError as error:
        await call.ephemeral(error.message)
        return
    # The trigger dies 3 s after Slack sent the command: nothing between ack and open.
    await call.ack()
    await call.client.views_open(trigger_id=call.trigger_id, view=erase_modal(candidate))


async def _bot_messages_in_thread(
    client: AsyncWebClient, channel: str, thread_ts: str, bot_user_id: str | None
) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    async for page in await client.conversations_replies(channel=channel, ts=thread_ts, limit=200):
        found += [
            (channel, message["ts"])
            for message in page.get("messages", [])
            if message.get("user") == bot_user_id
        ]
    return found


async def delete_bot_messages(
    client: AsyncWebClient, erasure: privacy.Erasure, bot_user_id: str | None
) -> tuple[int, list[str]]:
    """Delete what the bot said about the candidate; the count and the errors it met."""
    failures: list[str] = []
    locations = list(erasure.direct_messages)
    if erasure.thread is not None:
        try:
            locations += await _bot_messages_in_thread(client, *erasure.thread, bot_user_id)
        except SlackApiError as error:
            failures.append(str(error.response.get("error")))
            locations.append(erasure.thread)
    deleted = 0
    for channel, ts in locations:
        try:
            await client.chat_delete(channel=channel, ts=ts)
            deleted += 1
        except SlackApiError as error:
            if error.response.get("error") != "message_not_found":
                failures.append(str(error.response.get("error")))
    return deleted, failures


async def on_erase_submit(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    client: AsyncWebClient,
    context: dict[str, Any],
) -> None:
    bot: BotContext = context["bot"]
    actor_id = str(body["user"]["id"])
    if await refused_submission(ack, bot, client, actor_id, title="Not erased"):
        return
    _, candidate_id = parse_ref(view.get("private_metadata"))
    try:
        async with transaction(bot.sessions) as session:
            erasure = await privacy.erase_candidate(session, bot, actor_id, candidate_id)
    except DomainError as error:
        await ack()
        await client.chat_postMessage(channel=actor_id, text=error.message)
        return
    # Erased and committed: only now may the modal close.
    await ack()
    deleted, failures = await delete_bot_messages(client, erasure, context.get("bot_user_id"))
    logger.info("candidate %s erased by %s", candidate_id, actor_id)
    await client.chat_postMessage(
        channel=actor_id, text=erased_text(candidate_id, erasure.records, deleted, failures)
    )


def register(app: AsyncApp) -> None:
    app.view(View.ERASE_CANDIDATE)(on_erase_submit)
