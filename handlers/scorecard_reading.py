"""*View scorecards* and *View summary*: an interview's scorecards, or its debrief summary
so far, as `bot.feedback_access` lets the person who asks see them, in a modal only they
see. A refusal says why, in a message only they see."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.context import BotContext
from bot.debrief_summary_reads import visible_summary
from bot.feedback_access import visible_scorecards
from bot.incident_runs import visible_timelines
from handlers.debrief_summary_blocks import summary_modal
from handlers.ids import Action
from handlers.incident_timeline_blocks import panel_timelines_blocks
from handlers.scorecard_reading_modal import scorecards_modal
from handlers.team_access import interview_of_button
from storage.db import transaction


async def on_view_scorecards(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    client: AsyncWebClient,
    bot: BotContext,
    user_id: str,
) -> None:
    await ack()
    interview_id = await interview_of_button(bot, client, user_id, action)
    # A transaction: what the reader was shown is recorded.
    async with transaction(bot.sessions) as session:
        visible = await visible_scorecards(session, bot, user_id=user_id, interview_id=interview_id)
        timelines = await visible_timelines(
            session, bot, user_id=user_id, interview_id=interview_id
        )
    stage = bot.kits.stage(visible.interview.stage_key)
    view = scorecards_modal(
        visible,
        stage,
        bot.kits.qualities,
        lead=panel_timelines_blocks(timelines, with_text=True),
    )
    await client.views_open(trigger_id=body["trigger_id"], view=view)


async def on_view_summary(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    client: AsyncWebClient,
    bot: BotContext,
    user_id: str,
) -> None:
    await ack()
    interview_id = await interview_of_button(bot, client, user_id, action)
    async with transaction(bot.sessions) as session:
        entry = await visible_summary(session, bot, user_id=user_id, interview_id=interview_id)
        timelines = await visible_timelines(
            session, bot, user_id=user_id, interview_id=interview_id
        )
    title = bot.kits.stage_title(entry.interview.stage_key)
    view = summary_modal(entry, title, timelines=panel_timelines_blocks(timelines, with_text=True))
    await client.views_open(trigger_id=body["trigger_id"], view=view)


def register(app: AsyncApp) -> None:
    app.action(Action.VIEW_SCORECARDS)(on_view_scorecards)
    app.action(Action.VIEW_SUMMARY)(on_view_summary)
