"""*Edit* on the card and ``/mlops-candidate edit NAME``: the intake form prefilled, its
submission, and refreshing what shows the candidate (the card, the thread, kit DMs)."""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import outbox
from bot.candidate_edits import Edited, candidate_to_edit, details_digest, edit_candidate, form_of
from bot.candidates import DuplicateCandidate
from bot.context import BotContext
from handlers.candidate_card import duplicate_text, edited_reply, new_manager_text
from handlers.candidate_form import (
    FIELD_BLOCKS,
    EditMetadata,
    edit_candidate_modal,
    field_errors,
    read_new_candidate,
)
from handlers.candidate_thread import post_in_thread, refresh_card
from handlers.command_call import CommandCall
from handlers.ids import Action, View
from handlers.interview import refresh_kit_dms
from handlers.modals import form_submission
from handlers.refs import Ref, ref_id
from handlers.team_access import require_team
from storage.models import row_id

logger = logging.getLogger(__name__)

_REFUSED = "Candidate not changed"


async def edit_view(bot: BotContext, user_id: str, candidate_id: int) -> dict[str, Any]:
    async with bot.sessions() as session:
        candidate = await candidate_to_edit(session, bot, user_id, candidate_id)
    metadata = EditMetadata(candidate_id=candidate_id, digest=details_digest(candidate))
    return edit_candidate_modal(bot.kits.salary, form_of(candidate), metadata)


async def run_edit(call: CommandCall) -> None:
    """``/mlops-candidate edit <name or #id>``."""

    async def build(candidate_id: int) -> dict[str, Any]:
        return await edit_view(call.bot, call.user_id, candidate_id)

    await call.open_candidate_modal(build)


async def on_edit_button(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    client: AsyncWebClient,
    bot: BotContext,
    user_id: str,
) -> None:
    await ack()
    await require_team(bot, client, user_id)
    view = await edit_view(bot, user_id, ref_id(action.get("value"), Ref.CANDIDATE))
    await client.views_open(trigger_id=body["trigger_id"], view=view)


@form_submission(title=_REFUSED, field_errors=field_errors)
async def on_edit_submit(
    ack: AsyncAck,
    view: dict[str, Any],
    client: AsyncWebClient,
    bot: BotContext,
    user_id: str,
) -> None:
    try:
        await require_team(bot, client, user_id)
        metadata = EditMetadata.decode(view.get("private_metadata"))
        edited = await edit_candidate(
            bot,
            read_new_candidate(view["state"]["values"]),
            actor_id=user_id,
            candidate_id=metadata.candidate_id,
            seen_digest=metadata.digest,
            announce=partial(announce_edit, bot=bot, actor_id=user_id),
        )
    except DuplicateCandidate as duplicate:
        block = FIELD_BLOCKS[duplicate.field]
        await ack(response_action="errors", errors={block: duplicate_text(duplicate.existing)})
        return
    # Committed: only now may the modal close.
    await ack()
    if edited.changes:
        logger.info(
            "candidate %s edited by %s: %s", metadata.candidate_id, user_id, sorted(edited.changes)
        )


async def announce_edit(
    session: AsyncSession, edited: Edited, *, bot: BotContext, actor_id: str
) -> None:
    """The card, the thread and the kit DMs show the new details; a new hiring manager
    hears that the candidate is theirs. In the edit's transaction."""
    candidate = edited.candidate
    await refresh_card(session, bot, row_id(candidate))
    await post_in_thread(session, bot, candidate, text=edited_reply(actor_id, edited.changes))
    await refresh_kit_dms(session, bot, candidate)
    if edited.previous_hiring_manager is not None and candidate.hiring_manager_id != actor_id:
        await outbox.dm(
            session,
            bot,
            candidate.hiring_manager_id,
            new_manager_text(candidate, actor_id),
            candidate_id=candidate.id,
        )


def register(app: AsyncApp) -> None:
    app.action(Action.EDIT_CANDIDATE)(on_edit_button)
    app.view(View.EDIT_CANDIDATE)(on_edit_submit)
