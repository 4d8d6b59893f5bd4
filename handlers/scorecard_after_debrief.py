"""After a debrief, from its DM (``ReminderKind.DEBRIEF_CONFIRM``): *Confirm ratings*, and
*Change ratings* with its modal, a change kept in the scorecard's history with its reason."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.context import BotContext
from bot.scorecards import change_after_debrief, confirm_after_debrief, open_debrief_change
from handlers.ids import Action, View
from handlers.modals import form_submission, notice_modal
from handlers.scorecard_modal import (
    ScorecardMetadata,
    debrief_change_field_errors,
    debrief_change_modal,
    read_debrief_change,
)
from handlers.team_access import interview_of_button, require_team_or_panel
from storage.db import transaction

TITLE = "Ratings not changed"
CONFIRMED = (
    "Noted: your ratings stand as they were. The summary keeps them, and the hiring manager "
    "decides on them."
)
CHANGED = (
    "Saved: your ratings changed, with your reason. The debrief summary shows each change, "
    "before and after."
)


async def on_confirm_ratings(
    ack: AsyncAck,
    action: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond,
    bot: BotContext,
    user_id: str,
) -> None:
    await ack()
    interview_id = await interview_of_button(bot, client, user_id, action)
    async with transaction(bot.sessions) as session:
        await confirm_after_debrief(session, bot, user_id=user_id, interview_id=interview_id)
    await respond(text=CONFIRMED, response_type="ephemeral", replace_original=False)


async def on_change_ratings(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    client: AsyncWebClient,
    bot: BotContext,
    user_id: str,
) -> None:
    await ack()
    interview_id = await interview_of_button(bot, client, user_id, action)
    async with bot.sessions() as session:
        draft = await open_debrief_change(session, bot, user_id=user_id, interview_id=interview_id)
    await client.views_open(trigger_id=body["trigger_id"], view=debrief_change_modal(draft))


@form_submission(title=TITLE, field_errors=debrief_change_field_errors)
async def on_change_submitted(
    ack: AsyncAck,
    view: dict[str, Any],
    client: AsyncWebClient,
    bot: BotContext,
    user_id: str,
) -> None:
    metadata = ScorecardMetadata.decode(view.get("private_metadata"))
    await require_team_or_panel(bot, client, user_id, interview_id=metadata.interview_id)
    async with transaction(bot.sessions) as session:
        await change_after_debrief(
            session,
            bot,
            user_id=user_id,
            interview_id=metadata.interview_id,
            change=read_debrief_change(view["state"]["values"]),
        )
    await ack(response_action="update", view=notice_modal("Ratings changed", CHANGED))


def register(app: AsyncApp) -> None:
    app.action(Action.CONFIRM_RATINGS)(on_confirm_ratings)
    app.action(Action.CHANGE_RATINGS)(on_change_ratings)
    app.view(View.DEBRIEF_CHANGE)(on_change_submitted)
