"""*Edit* on the card and ``/mlops-candidate edit NAME``: the intake form prefilled, its
submission, and refreshing what shows the candidate (the card, the thread, kit DMs)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.candidate_edits import Edited, candidate_to_edit, details_digest, edit_candidate, form_of
from bot.candidates import DuplicateCandidate
from bot.context import BotContext
from bot.errors import DomainError
from handlers.candidate_card import duplicate_text, edited_reply, new_manager_text
from handlers.candidate_thread import post_in_thread, refresh_card
from handlers.ids import Action, View
from handlers.intake_modal import (
    FIELD_BLOCKS,
    EditMetadata,
    edit_candidate_modal,
    field_errors,
    read_new_candidate,
)
from handlers.modals import refuse_submission
from handlers.refs import Ref, ref_id
from handlers.schedule import refresh_kit_dms, send_dm
from handlers.team_access import refused_submission, require_team
from storage.models import row_id

if TYPE_CHECKING:
    from handlers.commands import CommandCall

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
    context: dict[str, Any],
) -> None:
    await ack()
    bot: BotContext = context["bot"]
    user_id = str(body["user"]["id"])
    await require_team(bot, client, user_id)
    view = await edit_view(bot, user_id, ref_id(action.get("value"), Ref.CANDIDATE))
    await client.views_open(trigger_id=body["trigger_id"], view=view)


async def on_edit_submit(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    client: AsyncWebClient,
    context: dict[str, Any],
) -> None:
    bot: BotContext = context["bot"]
    actor_id = str(body["user"]["id"])
    if await refused_submission(ack, bot, client, actor_id, title=_REFUSED):
        return
    try:
        metadata = EditMetadata.decode(view.get("private_metadata"))
        edited = await edit_candidate(
            bot,
            read_new_candidate(view["state"]["values"]),
            actor_id=actor_id,
            candidate_id=metadata.candidate_id,
            seen_digest=metadata.digest,
        )
    except DuplicateCandidate as duplicate:
        block = FIELD_BLOCKS[duplicate.field]
        await ack(response_action="errors", errors={block: duplicate_text(duplicate.existing)})
        return
    except DomainError as refused:
        await refuse_submission(ack, refused, title=_REFUSED, field_errors=field_errors)
        return
    # Committed: only now may the modal close.
    await ack()
    if edited.changes:
        logger.info(
            "candidate %s edited by %s: %s", metadata.candidate_id, actor_id, sorted(edited.changes)
        )
        await announce_edit(client, bot, edited, actor_id)


async def announce_edit(
    client: AsyncWebClient, bot: BotContext, edited: Edited, actor_id: str
) -> None:
    """The card, the thread and the kit DMs show the new details; a new hiring manager
    hears that the candidate is theirs."""
    candidate = edited.candidate
    await refresh_card(client, bot, row_id(candidate))
    await post_in_thread(client, bot, candidate, text=edited_reply(actor_id, edited.changes))
    await refresh_kit_dms(client, bot, candidate)
    if edited.previous_hiring_manager is not None and candidate.hiring_manager_id != actor_id:
        await send_dm(client, candidate.hiring_manager_id, new_manager_text(candidate, actor_id))


def register(app: AsyncApp) -> None:
    app.action(Action.EDIT_CANDIDATE)(on_edit_button)
    app.view(View.EDIT_CANDIDATE)(on_edit_submit)
