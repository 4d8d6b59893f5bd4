"""*Open kit* and *Open pack*: an interview's kit or a debrief's pack in a modal, from the
hour-before reminder or App Home, for those who may read it."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.context import BotContext
from bot.debrief_summary_reads import record_shown
from bot.errors import NotFound
from bot.kit_access import interview_for_kit
from bot.kits import UnknownStageError
from bot.reminder_messages import pack_on_request
from handlers.block_kit import plain, section
from handlers.candidate_thread import thread_link
from handlers.ids import Action
from handlers.interview_blocks import interview_name
from handlers.kit_blocks import interview_kit_blocks
from handlers.mrkdwn import date_token, escape
from handlers.refs import Ref, ref_id
from handlers.reminder_blocks import reminder_blocks
from storage.db import transaction
from storage.models import Candidate, Interview


async def on_open_kit(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    client: AsyncWebClient,
    bot: BotContext,
    user_id: str,
) -> None:
    await ack()
    interview_id = ref_id(action.get("value"), Ref.INTERVIEW)
    async with bot.sessions() as session:
        candidate, interview = await interview_for_kit(session, bot, user_id, interview_id)
    await client.views_open(
        trigger_id=body["trigger_id"], view=kit_modal(bot, candidate, interview)
    )


def kit_modal(bot: BotContext, candidate: Candidate, interview: Interview) -> dict[str, Any]:
    try:
        stage = bot.kits.stage(interview.stage_key)
    except UnknownStageError as gone:
        raise NotFound("The kit of that stage is no longer in the team's kits.") from gone
    head = (
        f"{interview_name(stage)} with *{escape(candidate.name)}*, "
        f"{date_token(interview.starts_at)}"
    )
    return {
        "type": "modal",
        "title": plain("Interview kit"),
        "close": plain("Close"),
        "blocks": [section(head), *interview_kit_blocks(stage, bot.kits.qualities)],
    }


async def on_open_pack(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    client: AsyncWebClient,
    bot: BotContext,
    user_id: str,
) -> None:
    """*Open pack* on App Home: the debrief pack as the user may read it, in a modal."""
    await ack()
    debrief_id = ref_id(action.get("value"), Ref.DEBRIEF)
    async with bot.sessions() as session:
        message = await pack_on_request(session, bot, user_id, debrief_id)
    _, blocks = reminder_blocks(message, thread_link(message.candidate))
    view = {
        "type": "modal",
        "title": plain("Debrief pack"),
        "close": plain("Close"),
        "blocks": blocks,
    }
    await client.views_open(trigger_id=body["trigger_id"], view=view)
    # Shown others' ratings: remembered, as when the pack comes by DM.
    async with transaction(bot.sessions) as session:
        await record_shown(session, bot, user_id, message.pack)


def register(app: AsyncApp) -> None:
    app.action(Action.OPEN_KIT)(on_open_kit)
    app.action(Action.OPEN_PACK)(on_open_pack)
