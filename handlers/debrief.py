"""Debrief meetings in Slack: the *Schedule debrief* button (on the card and on the debrief
summary) and ``/mlops-candidate debrief <name>``, the modal's submission, and the thread
note's Reschedule and Cancel buttons; then telling the thread and each attendee.

A DM that Slack refuses never undoes the scheduling: the thread says who could not be
reached.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import debriefs
from bot.context import BotContext
from bot.debriefs import MAX_ATTENDEES, AlreadySubmitted, Cancelled, Rescheduled, Scheduled
from bot.errors import DomainError
from bot.interviews import DmOutcome
from bot.meeting_sync import Change
from bot.reminders import stage_title
from handlers.candidate_thread import post_in_thread, refresh_card, thread_link, update_in_thread
from handlers.debrief_blocks import (
    cancelled_dm,
    cancelled_reply,
    debrief_note,
    invitation_dm,
    removed_dm,
    rescheduled_dm,
    rescheduled_reply,
    unreachable_reply,
)
from handlers.debrief_modal import DebriefMetadata, debrief_modal, field_errors, parse_form
from handlers.home import refresh_homes
from handlers.ids import Action, View
from handlers.invitation_delivery import debrief_invitations
from handlers.modals import refuse_submission
from handlers.refs import Ref, ref_id
from handlers.schedule import lookup_users, send_dm
from handlers.team_access import refused_submission, require_team
from storage.db import transaction
from storage.models import Candidate, Debrief, row_id

if TYPE_CHECKING:
    from handlers.commands import CommandCall

logger = logging.getLogger(__name__)

_REFUSED = "Debrief not saved"

# A DM to send: the user, the text, and the blocks if any.
Message = tuple[str, str, list[dict[str, Any]] | None]


# --------------------------------------------------------------------- opening the modal


async def run_debrief(call: CommandCall) -> None:
    """``/mlops-candidate debrief <name or #id>``."""

    async def build(candidate_id: int) -> dict[str, Any]:
        async with call.bot.sessions() as session:
            return await _new_debrief_modal(session, call.bot, candidate_id)

    await call.open_candidate_modal(build)


async def on_schedule_button(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    client: AsyncWebClient,
    context: dict[str, Any],
) -> None:
    await ack()
    bot: BotContext = context["bot"]
    await require_team(bot, client, str(body["user"]["id"]))
    async with bot.sessions() as session:
        view = await _new_debrief_modal(session, bot, ref_id(action.get("value"), Ref.CANDIDATE))
    await client.views_open(trigger_id=body["trigger_id"], view=view)


async def on_reschedule_button(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    client: AsyncWebClient,
    context: dict[str, Any],
) -> None:
    await ack()
    bot: BotContext = context["bot"]
    await require_team(bot, client, str(body["user"]["id"]))
    async with bot.sessions() as session:
        debrief, candidate, attendee_ids = await debriefs.debrief_to_change(
            session, bot, ref_id(action.get("value"), Ref.DEBRIEF), str(body["user"]["id"])
        )
    title = stage_title(bot, debrief.stage_key)
    view = debrief_modal(candidate, title, attendee_ids, debrief=debrief)
    await client.views_open(trigger_id=body["trigger_id"], view=view)


async def _new_debrief_modal(
    session: AsyncSession, bot: BotContext, candidate_id: int
) -> dict[str, Any]:
    candidate = await debriefs.candidate_to_debrief(session, candidate_id, bot.clock.now())
    attendees = await debriefs.default_attendees(session, candidate)
    return debrief_modal(candidate, stage_title(bot, candidate.stage_key), attendees)


# --------------------------------------------------------------------- the submission


async def on_debrief_submit(
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
    form = parse_form(view["state"]["values"])
    users = await lookup_users(client, form.attendee_ids, most=MAX_ATTENDEES)
    try:
        metadata = DebriefMetadata.decode(view.get("private_metadata"))
        async with transaction(bot.sessions) as session:
            if metadata.debrief_id is None:
                result: Scheduled | Rescheduled = await debriefs.schedule_debrief(
                    session,
                    bot,
                    candidate_id=metadata.candidate_id,
                    form=form,
                    users=users,
                    actor_id=actor_id,
                    view_id=str(view["id"]),
                )
            else:
                result = await debriefs.reschedule_debrief(
                    session,
                    bot,
                    debrief_id=metadata.debrief_id,
                    form=form,
                    users=users,
                    actor_id=actor_id,
                )
    except AlreadySubmitted:
        await ack()
        return
    except DomainError as refused:
        await refuse_submission(ack, refused, title=_REFUSED, field_errors=field_errors)
        return
    # Committed: only now may the modal close.
    await ack()
    if isinstance(result, Scheduled):
        await announce_scheduled(client, bot, result)
    elif result.changed:
        await announce_rescheduled(client, bot, result, actor_id)
    else:
        return
    removed = result.removed if not isinstance(result, Scheduled) else ()
    people = [*result.attendee_ids, *removed, result.candidate.hiring_manager_id]
    await refresh_homes(client, bot, people)


# --------------------------------------------------------------------- cancelling


async def on_cancel_button(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond,
    context: dict[str, Any],
) -> None:
    await ack()
    bot: BotContext = context["bot"]
    actor_id = str(body["user"]["id"])
    await require_team(bot, client, actor_id)
    async with transaction(bot.sessions) as session:
        result = await debriefs.cancel_debrief(
            session, bot, debrief_id=ref_id(action.get("value"), Ref.DEBRIEF), actor_id=actor_id
        )
    if not result.changed:
        await respond(
            text="This debrief was already cancelled.",
            response_type="ephemeral",
            replace_original=False,
        )
        return
    await announce_cancelled(client, bot, result, actor_id)
    await refresh_homes(client, bot, [*result.attendee_ids, result.candidate.hiring_manager_id])


# --------------------------------------------------------------------- telling people


async def announce_scheduled(client: AsyncWebClient, bot: BotContext, result: Scheduled) -> None:
    debrief, candidate = result.debrief, result.candidate
    title = stage_title(bot, debrief.stage_key)
    logger.info("debrief %s scheduled for candidate %s", debrief.id, candidate.id)
    text, blocks = debrief_note(title, debrief, result.attendee_ids)
    note_ts = await post_in_thread(client, bot, candidate, text=text, blocks=blocks)
    invitations = [
        (user_id, *_invitation(bot, title, candidate, debrief, result.attendee_ids))
        for user_id in result.attendee_ids
    ]
    await _tell(client, bot, candidate, invitations)
    await _finish(client, bot, candidate, debrief, note_ts)
    await _invitations(client, bot, debrief, candidate, Change.SCHEDULED, result.attendee_ids)


async def announce_rescheduled(
    client: AsyncWebClient, bot: BotContext, result: Rescheduled, actor_id: str
) -> None:
    debrief, candidate, attendee_ids = result.debrief, result.candidate, result.attendee_ids
    title = stage_title(bot, debrief.stage_key)
    logger.info("debrief %s of candidate %s rescheduled", debrief.id, candidate.id)
    text, blocks = debrief_note(title, debrief, attendee_ids, changed_by=actor_id)
    note_ts = await update_in_thread(
        client, bot, candidate, debrief.message_ts, text=text, blocks=blocks
    )
    reply = rescheduled_reply(title, debrief, attendee_ids, changed_by=actor_id)
    await post_in_thread(client, bot, candidate, text=reply)
    name = candidate.name
    moved = rescheduled_dm(title, debrief, attendee_ids, candidate_name=name, changed_by=actor_id)
    removed = removed_dm(title, debrief, candidate_name=name, changed_by=actor_id)
    messages: list[Message] = [
        (user_id, *_invitation(bot, title, candidate, debrief, attendee_ids, actor_id))
        for user_id in result.added
    ]
    messages += [(user_id, moved, None) for user_id in result.kept]
    messages += [(user_id, removed, None) for user_id in result.removed]
    await _tell(client, bot, candidate, messages)
    await _finish(client, bot, candidate, debrief, note_ts)
    await _invitations(client, bot, debrief, candidate, Change.MOVED, attendee_ids, result.removed)


async def announce_cancelled(
    client: AsyncWebClient, bot: BotContext, result: Cancelled, actor_id: str
) -> None:
    debrief, candidate = result.debrief, result.candidate
    title = stage_title(bot, debrief.stage_key)
    logger.info("debrief %s of candidate %s cancelled", debrief.id, candidate.id)
    text, blocks = debrief_note(title, debrief, result.attendee_ids, changed_by=actor_id)
    await update_in_thread(client, bot, candidate, debrief.message_ts, text=text, blocks=blocks)
    await post_in_thread(
        client, bot, candidate, text=cancelled_reply(title, debrief, changed_by=actor_id)
    )
    notice = cancelled_dm(title, debrief, candidate_name=candidate.name, changed_by=actor_id)
    await _tell(
        client, bot, candidate, [(user_id, notice, None) for user_id in result.attendee_ids]
    )
    await refresh_card(client, bot, row_id(candidate))
    await _invitations(client, bot, debrief, candidate, Change.CANCELLED, result.attendee_ids)


async def _invitations(
    client: AsyncWebClient,
    bot: BotContext,
    debrief: Debrief,
    candidate: Candidate,
    change: Change,
    attendee_ids: Sequence[str],
    removed_ids: Sequence[str] = (),
) -> None:
    users = await lookup_users(client, [*attendee_ids, *removed_ids], most=MAX_ATTENDEES * 2)
    await debrief_invitations(
        client,
        bot,
        debrief,
        candidate,
        change,
        attendee_ids=attendee_ids,
        users=users,
        removed_ids=removed_ids,
    )


def _invitation(
    bot: BotContext,
    title: str,
    candidate: Candidate,
    debrief: Debrief,
    attendee_ids: Sequence[str],
    invited_by: str | None = None,
) -> tuple[str, list[dict[str, Any]]]:
    return invitation_dm(
        title,
        debrief,
        attendee_ids,
        candidate_name=candidate.name,
        invited_by=invited_by or debrief.created_by,
        thread_url=thread_link(candidate),
    )


async def _tell(
    client: AsyncWebClient, bot: BotContext, candidate: Candidate, messages: Sequence[Message]
) -> None:
    """DM each message; whom Slack would not let us reach is said in the thread."""
    outcomes: list[DmOutcome] = [
        await send_dm(client, user_id, text, blocks) for user_id, text, blocks in messages
    ]
    failures = [(outcome.user_id, outcome.error) for outcome in outcomes if outcome.error]
    if failures:
        await post_in_thread(client, bot, candidate, text=unreachable_reply(failures))


async def _finish(
    client: AsyncWebClient,
    bot: BotContext,
    candidate: Candidate,
    debrief: Debrief,
    note_ts: str | None,
) -> None:
    """Remember a newly posted note, so that later changes edit it; update the card."""
    if note_ts is not None:
        async with transaction(bot.sessions) as session:
            await debriefs.record_note(session, row_id(debrief), note_ts)
    await refresh_card(client, bot, row_id(candidate))


def register(app: AsyncApp) -> None:
    app.action(Action.SCHEDULE_DEBRIEF)(on_schedule_button)
    app.action(Action.RESCHEDULE_DEBRIEF)(on_reschedule_button)
    app.action(Action.CANCEL_DEBRIEF)(on_cancel_button)
    app.view(View.SCHEDULE_DEBRIEF)(on_debrief_submit)
