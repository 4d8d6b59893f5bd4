"""*Keep 90 more days* in the retention warning DM."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond

from bot.context import BotContext
from bot.retention import keep_candidate
from handlers.ids import Action
from handlers.refs import Ref, ref_id
from handlers.retention_blocks import kept_text


async def on_keep(
    ack: AsyncAck,
    action: dict[str, Any],
    respond: AsyncRespond,
    bot: BotContext,
    user_id: str,
) -> None:
    await ack()
    notice = await keep_candidate(bot, user_id, ref_id(action.get("value"), Ref.CANDIDATE))
    # The warning becomes the answer, its button gone: one click keeps once.
    await respond(text=kept_text(notice, user_id), replace_original=True)


def register(app: AsyncApp) -> None:
    app.action(Action.KEEP_CANDIDATE)(on_keep)
