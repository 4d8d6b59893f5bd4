"""*Take notes* (the interviewer's kit DM, the hour-before reminder, App Home): the modal of
the stage's questions, saved as the author's draft on *Save* and when it is closed."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.context import BotContext
from bot.errors import DomainError
from bot.interview_notes import open_notes, save_notes
from handlers.ids import Action, View
from handlers.interview_notes_blocks import (
    NotesMetadata,
    notes_field_errors,
    notes_modal,
    read_notes_form,
)
from handlers.modals import form_submission
from handlers.team_access import interview_of_button, require_team_or_panel
from storage.db import transaction

logger = logging.getLogger(__name__)

TITLE = "Notes not saved"


async def on_take_notes(
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
        sheet = await open_notes(session, bot, user_id=user_id, interview_id=interview_id)
    await client.views_open(trigger_id=body["trigger_id"], view=notes_modal(sheet))


@form_submission(title=TITLE, field_errors=notes_field_errors)
async def on_notes_saved(
    ack: AsyncAck,
    view: dict[str, Any],
    client: AsyncWebClient,
    bot: BotContext,
    user_id: str,
) -> None:
    """*Save*: kept, and the modal closes; a refusal stays in it, saying why."""
    metadata = NotesMetadata.decode(view.get("private_metadata"))
    await require_team_or_panel(bot, client, user_id, interview_id=metadata.interview_id)
    await _save(bot, user_id, metadata.interview_id, view)
    await ack()


async def on_notes_closed(
    ack: AsyncAck,
    view: dict[str, Any],
    client: AsyncWebClient,
    bot: BotContext,
    user_id: str,
) -> None:
    """Closed without *Save*: what the form held is kept all the same. A closed modal has
    nowhere to show a refusal, so one (a stale form, someone no longer on the panel) is
    logged, and nothing is saved."""
    await ack()
    try:
        metadata = NotesMetadata.decode(view.get("private_metadata"))
        await require_team_or_panel(bot, client, user_id, interview_id=metadata.interview_id)
        await _save(bot, user_id, metadata.interview_id, view)
    except DomainError as refused:
        logger.info("notes closed by %s not saved: %s", user_id, type(refused).__name__)


async def _save(bot: BotContext, user_id: str, interview_id: int, view: dict[str, Any]) -> None:
    async with transaction(bot.sessions) as session:
        await save_notes(
            session,
            bot,
            user_id=user_id,
            interview_id=interview_id,
            answers=read_notes_form(view["state"]["values"]),
        )


def register(app: AsyncApp) -> None:
    app.action(Action.TAKE_NOTES)(on_take_notes)
    app.view(View.TAKE_NOTES)(on_notes_saved)
    app.view_closed(View.TAKE_NOTES)(on_notes_closed)
