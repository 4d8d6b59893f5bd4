"""*Nudge* (App Home) and *Nudge them* (the escalation DM): ask late interviewers for their
scorecard, at most once a day each (bot.nudges)."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond

from bot.context import BotContext
from bot.nudges import nudge
from handlers.ids import Action
from handlers.nudge_value import parse_nudge_value
from handlers.reminder_blocks import nudged_text
from storage.db import transaction


async def on_nudge(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    respond: AsyncRespond,
    bot: BotContext,
    user_id: str,
) -> None:
    await ack()
    interview_id, late_id = parse_nudge_value(action.get("value"))
    async with transaction(bot.sessions) as session:
        nudged = await nudge(
            session,
            bot,
            actor_id=user_id,
            interview_id=interview_id,
            user_id=late_id,
            now=bot.clock.now(),
        )
    # App Home shows who was nudged today; a DM's button answers in the conversation.
    if body.get("view", {}).get("type") == "home":
        bot.home_changes.touched([user_id])
    elif respond.response_url:
        await respond(text=nudged_text(nudged), response_type="ephemeral", replace_original=False)


def register(app: AsyncApp) -> None:
    app.action(Action.NUDGE)(on_nudge)
