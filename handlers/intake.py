"""``/mlops-candidate new [name]`` and the New candidate modal's submission."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.candidates import (
    DuplicateCandidate,
    creation_refused,
    may_create,
    register_candidate,
)
from bot.context import BotContext
from bot.errors import InvalidInput, PermissionDenied
from handlers.candidate_card import card_not_posted_text, duplicate_text
from handlers.candidate_thread import ChannelUnavailable, post_card
from handlers.home import refresh_homes
from handlers.ids import IntakeBlock, View
from handlers.intake_modal import (
    FIELD_BLOCKS,
    field_errors,
    new_candidate_modal,
    read_new_candidate,
)
from handlers.team_access import refused_submission

if TYPE_CHECKING:
    from handlers.commands import CommandCall

logger = logging.getLogger(__name__)

# A modal's field errors are plain text, so this cannot mention anyone.
_REFUSED_IN_MODAL = (
    "Only the hiring admins and the hiring managers of existing candidates can add "
    "candidates. Ask a hiring admin."
)


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


async def on_new_candidate(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    client: AsyncWebClient,
    context: dict[str, Any],
) -> None:
    bot: BotContext = context["bot"]
    user_id = str(body["user"]["id"])
    if await refused_submission(ack, bot, client, user_id, title="Candidate not added"):
        return
    form = read_new_candidate(view["state"]["values"])
    try:
        registration = await register_candidate(
            bot, form, created_by=user_id, view_id=str(view["id"])
        )
    except DuplicateCandidate as duplicate:
        block = FIELD_BLOCKS[duplicate.field]
        await ack(response_action="errors", errors={block: duplicate_text(duplicate.existing)})
        return
    except InvalidInput as invalid:
        await ack(response_action="errors", errors=field_errors(invalid.fields))
        return
    except PermissionDenied:
        await ack(response_action="errors", errors={IntakeBlock.NAME: _REFUSED_IN_MODAL})
        return
    # Committed: only now may the modal close.
    await ack()
    if not registration.created:
        return
    candidate = registration.candidate
    logger.info("candidate %s added by %s", candidate.id, user_id)
    try:
        await post_card(client, bot, candidate)
    except ChannelUnavailable as problem:
        if problem.error == "channel_not_found":
            logger.error(
                "HIRING_CHANNEL_ID=%s: Slack answers channel_not_found; fix the setting, or "
                "invite the bot if the channel is private (candidate %s kept, card not posted)",
                problem.channel_id,
                candidate.id,
            )
        else:
            logger.warning(
                "card of candidate %s not posted: HIRING_CHANNEL_ID=%s answers %s",
                candidate.id,
                problem.channel_id,
                problem.error,
            )
        # An ephemeral needs the bot in the channel, which is the problem: a DM always works.
        text = card_not_posted_text(
            candidate, problem.channel_id, problem.error, context.get("bot_user_id")
        )
        await client.chat_postMessage(channel=user_id, text=text)
    await refresh_homes(client, bot, [candidate.hiring_manager_id])


def register(app: AsyncApp) -> None:
    app.view(View.NEW_CANDIDATE)(on_new_candidate)
