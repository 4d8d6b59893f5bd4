"""``/mlops-candidate export NAME`` and ``/mlops-candidate erase NAME``."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot import outbox, privacy
from bot.context import BotContext
from bot.errors import DomainError
from bot.slack_client import error_code
from handlers.command_call import CommandCall
from handlers.ids import View
from handlers.modals import form_submission
from handlers.mrkdwn import escape
from handlers.privacy_blocks import erase_modal, erased_text, export_comment
from handlers.refs import parse_ref
from handlers.team_access import require_team
from storage import outbox as outbox_store
from storage.db import transaction
from storage.models import row_id

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
    # The file is remembered with the candidate: erasing them deletes it too.
    async with transaction(call.bot.sessions) as session:
        await outbox.upload(
            session,
            call.bot,
            call.user_id,
            content=json.dumps(document, indent=2, ensure_ascii=False),
            filename=f"candidate-{candidate_id}.json",
            title=f"Candidate #{candidate_id} export",
            initial_comment=export_comment(candidate),
            candidate_id=candidate_id,
        )
    await call.ephemeral(f"The export of candidate #{candidate_id} is on its way to your DMs.")
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
    client: AsyncWebClient, bot: BotContext, erasure: privacy.Erasure, bot_user_id: str | None
) -> tuple[int, list[str]]:
    """Delete what the bot said about the candidate (every message and file the outbox
    remembers, and what older versions kept), and take their name out of the shared
    messages that listed them among others; the count and the errors met.

    Direct calls rather than outbox rows: whoever erased is told what could not be
    deleted and why, and the rows that named the candidate are gone with them."""
    failures: list[str] = []
    files = [m.file_id for m in erasure.messages if m.file_id]
    locations = [(m.channel, m.ts) for m in erasure.messages if m.ts]
    locations += erasure.direct_messages
    if erasure.thread is not None:
        try:
            locations += await _bot_messages_in_thread(client, *erasure.thread, bot_user_id)
        except SlackApiError as error:
            failures.append(error_code(error))
            locations.append(erasure.thread)
    deleted = 0
    for channel, ts in dict.fromkeys(locations):
        deleted += await _gone(client.chat_delete(channel=channel, ts=ts), failures)
    for file_id in dict.fromkeys(files):
        deleted += await _gone(client.files_delete(file=file_id), failures)
    for shared in erasure.shared:
        text, blocks = _without(shared, erasure.name)
        await _gone(
            client.chat_update(channel=shared.channel, ts=shared.ts, text=text, blocks=blocks),
            failures,
        )
        # The stored copy loses the name too: a later erase edits from it again.
        async with transaction(bot.sessions) as session:
            await outbox_store.set_content(session, shared.row_id, text, blocks)
    return deleted, failures


async def _gone(call: Awaitable[Any], failures: list[str]) -> int:
    """1 when the call did its job or the message is gone anyway; else its error noted."""
    try:
        await call
    except SlackApiError as error:
        code = error_code(error)
        if code in ("message_not_found", "file_not_found", "file_deleted"):
            return 1
        failures.append(code)
        return 0
    return 1


ERASED_NAME = "(an erased candidate)"


def _without(shared: privacy.Shared, name: str) -> tuple[str, list[dict[str, Any]] | None]:
    """The shared message as it was, the candidate's name (as the builders wrote it)
    replaced."""
    names = sorted({name, escape(name)}, key=len, reverse=True)

    def clean(value: Any) -> Any:
        if isinstance(value, str):
            for written in names:
                value = value.replace(written, ERASED_NAME)
            return value
        if isinstance(value, list):
            return [clean(item) for item in value]
        if isinstance(value, dict):
            return {key: clean(item) for key, item in value.items()}
        return value

    return clean(shared.text), clean(shared.blocks)


@form_submission(title="Not erased")
async def on_erase_submit(
    ack: AsyncAck,
    view: dict[str, Any],
    client: AsyncWebClient,
    bot: BotContext,
    user_id: str,
    bot_user_id: str | None,
) -> None:
    await require_team(bot, client, user_id)
    _, candidate_id = parse_ref(view.get("private_metadata"))
    async with transaction(bot.sessions) as session:
        erasure = await privacy.erase_candidate(session, bot, user_id, candidate_id)
    # Erased and committed: only now may the modal close.
    await ack()
    deleted, failures = await delete_bot_messages(client, bot, erasure, bot_user_id)
    logger.info("candidate %s erased by %s", candidate_id, user_id)
    await _tell(bot, user_id, erased_text(candidate_id, erasure.records, deleted, failures))


async def _tell(bot: BotContext, user_id: str, text: str) -> None:
    async with transaction(bot.sessions) as session:
        await outbox.dm(session, bot, user_id, text)


def register(app: AsyncApp) -> None:
    app.view(View.ERASE_CANDIDATE)(on_erase_submit)
