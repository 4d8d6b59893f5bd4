"""``/mlops-candidate new [name]`` and the New candidate modal's submission."""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.candidates import (
    DuplicateCandidate,
    creation_refused,
    may_create,
    register_candidate,
)
from bot.context import BotContext
from handlers.candidate_card import duplicate_text
from handlers.candidate_form import (
    FIELD_BLOCKS,
    field_errors,
    new_candidate_modal,
    read_new_candidate,
)
from handlers.candidate_thread import refresh_card
from handlers.command_call import CommandCall
from handlers.ids import View
from handlers.modals import form_submission
from handlers.team_access import require_team
from storage.models import Candidate, row_id

logger = logging.getLogger(__name__)


async def run_new(call: CommandCall) -> None:
    bot = call.bot
    admins = bot.settings.hiring_admins
    async with bot.sessions() as session:
        allowed = await may_create(session, admins, call.user_id)
    if not allowed:
        await call.ephemeral(creation_refused(admins))
        return
    # The trigger dies 3 s after Slack sent the command: nothing between ack and open.
    await call.ack()
    await call.client.views_open(
        trigger_id=call.trigger_id,
        view=new_candidate_modal(bot.kits.salary, name=call.args, hiring_manager_id=call.user_id),
    )


@form_submission(title="Candidate not added", field_errors=field_errors)
async def on_new_candidate(
    ack: AsyncAck,
    view: dict[str, Any],
    client: AsyncWebClient,
    bot: BotContext,
    user_id: str,
) -> None:
    form = read_new_candidate(view["state"]["values"])
    try:
        await require_team(bot, client, user_id)
        registration = await register_candidate(
            bot, form, created_by=user_id, view_id=str(view["id"]), announce=partial(_card, bot=bot)
        )
    except DuplicateCandidate as duplicate:
        block = FIELD_BLOCKS[duplicate.field]
        await ack(response_action="errors", errors={block: duplicate_text(duplicate.existing)})
        return
    # Committed: only now may the modal close.
    await ack()
    if not registration.created:
        return
    candidate = registration.candidate
    logger.info("candidate %s added by %s", candidate.id, user_id)
    bot.home_changes.touched([candidate.hiring_manager_id])


async def _card(session: AsyncSession, candidate: Candidate, *, bot: BotContext) -> None:
    """The new candidate's card and first question set, queued with the candidate. A card
    the hiring channel refuses is said to whoever added them (``handlers/undelivered.py``)."""
    await refresh_card(session, bot, row_id(candidate))


def register(app: AsyncApp) -> None:
    app.view(View.NEW_CANDIDATE)(on_new_candidate)
