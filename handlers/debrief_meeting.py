"""Debrief meetings in Slack: the *Schedule debrief* button (on the card and on the debrief
summary) and ``/mlops-candidate debrief <name>``, the modal's submission, and the thread
note's Reschedule and Cancel buttons; then telling the thread and each attendee.

A DM that Slack refuses never undoes the scheduling: the thread says who could not be
reached.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import debriefs, outbox
from bot.context import BotContext
from bot.debriefs import MAX_ATTENDEES, AlreadySubmitted, Cancelled, Rescheduled, Scheduled
from bot.meeting_sync import Change
from bot.outbox import DEBRIEF_DM
from handlers.candidate_thread import post_in_thread, refresh_card, thread_link
from handlers.command_call import CommandCall
from handlers.debrief_meeting_blocks import (
    cancelled_dm,
    cancelled_reply,
    debrief_note,
    invitation_dm,
    removed_dm,
    rescheduled_dm,
    rescheduled_reply,
)
from handlers.debrief_meeting_modal import DebriefMetadata, debrief_modal, field_errors, parse_form
from handlers.ids import Action, View
from handlers.invitation_delivery import debrief_invitations
from handlers.modals import form_submission
from handlers.mrkdwn import date_token
from handlers.refs import Ref, ref_id
from handlers.slack_notifier import reader_zone
from handlers.slack_users import lookup_users
from handlers.team_access import require_team
from storage.db import transaction
from storage.models import Candidate, Debrief, row_id

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
    bot: BotContext,
    user_id: str,
) -> None:
    await ack()
    await require_team(bot, client, user_id)
    async with bot.sessions() as session:
        view = await _new_debrief_modal(session, bot, ref_id(action.get("value"), Ref.CANDIDATE))
    await client.views_open(trigger_id=body["trigger_id"], view=view)


async def on_reschedule_button(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    client: AsyncWebClient,
    bot: BotContext,
    user_id: str,
) -> None:
    await ack()
    await require_team(bot, client, user_id)
    async with bot.sessions() as session:
        debrief, candidate, attendee_ids = await debriefs.debrief_to_change(
            session, bot, ref_id(action.get("value"), Ref.DEBRIEF), user_id
        )
    title = bot.kits.stage_title(debrief.stage_key)
    view = debrief_modal(candidate, title, attendee_ids, debrief=debrief)
    await client.views_open(trigger_id=body["trigger_id"], view=view)


async def _new_debrief_modal(
    session: AsyncSession, bot: BotContext, candidate_id: int
) -> dict[str, Any]:
    # The refusal is a message: Slack's date token shows its reader their own time.
    now = bot.clock.now()
    candidate = await debriefs.candidate_to_debrief(session, candidate_id, now, date_token)
    attendees = await debriefs.default_attendees(session, candidate)
    return debrief_modal(candidate, bot.kits.stage_title(candidate.stage_key), attendees)


# --------------------------------------------------------------------- the submission


@form_submission(title=_REFUSED, field_errors=field_errors)
async def on_debrief_submit(
    ack: AsyncAck,
    view: dict[str, Any],
    client: AsyncWebClient,
    bot: BotContext,
    user_id: str,
) -> None:
    try:
        await require_team(bot, client, user_id)
        form = parse_form(view["state"]["values"])
        users = await lookup_users(client, form.attendee_ids, most=MAX_ATTENDEES)
        # Times in the form's errors are the reader's.
        zone = await reader_zone(client, bot, user_id)
        metadata = DebriefMetadata.decode(view.get("private_metadata"))
        # The thread, the DMs and the card are told in the change's own transaction.
        async with transaction(bot.sessions) as session:
            if metadata.debrief_id is None:
                scheduled = await debriefs.schedule_debrief(
                    session,
                    bot,
                    candidate_id=metadata.candidate_id,
                    form=form,
                    users=users,
                    actor_id=user_id,
                    view_id=str(view["id"]),
                    zone=zone,
                )
                await announce_scheduled(session, bot, scheduled)
                result: Scheduled | Rescheduled = scheduled
            else:
                result = await debriefs.reschedule_debrief(
                    session,
                    bot,
                    debrief_id=metadata.debrief_id,
                    form=form,
                    users=users,
                    actor_id=user_id,
                    zone=zone,
                )
                if result.changed:
                    await announce_rescheduled(session, bot, result, user_id)
    except AlreadySubmitted:
        await ack()
        return
    # Committed: only now may the modal close.
    await ack()
    removed: Sequence[str] = ()
    if isinstance(result, Scheduled):
        change = Change.SCHEDULED
    elif result.changed:
        change, removed = Change.MOVED, result.removed
    else:
        return
    await _invitations(
        client, bot, result.debrief, result.candidate, change, result.attendee_ids, removed
    )
    people = [*result.attendee_ids, *removed, result.candidate.hiring_manager_id]
    bot.home_changes.touched(people)


# --------------------------------------------------------------------- cancelling


async def on_cancel_button(
    ack: AsyncAck,
    action: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond,
    bot: BotContext,
    user_id: str,
) -> None:
    await ack()
    await require_team(bot, client, user_id)
    async with transaction(bot.sessions) as session:
        result = await debriefs.cancel_debrief(
            session, bot, debrief_id=ref_id(action.get("value"), Ref.DEBRIEF), actor_id=user_id
        )
        if result.changed:
            await announce_cancelled(session, bot, result, user_id)
    if not result.changed:
        await respond(
            text="This debrief was already cancelled.",
            response_type="ephemeral",
            replace_original=False,
        )
        return
    await _invitations(
        client, bot, result.debrief, result.candidate, Change.CANCELLED, result.attendee_ids
    )
    bot.home_changes.touched([*result.attendee_ids, result.candidate.hiring_manager_id])


# --------------------------------------------------------------------- telling people
# Each runs in the transaction of the change it tells: the rows it queues commit with it.


def note_key(debrief: Debrief) -> str:
    """The debrief's note in the candidate's thread, kept current as it changes."""
    return f"thread:{debrief.candidate_id}:debrief:{debrief.id}"


async def announce_scheduled(session: AsyncSession, bot: BotContext, result: Scheduled) -> None:
    debrief, candidate = result.debrief, result.candidate
    title = bot.kits.stage_title(debrief.stage_key)
    logger.info("debrief %s scheduled for candidate %s", debrief.id, candidate.id)
    text, blocks = debrief_note(title, debrief, result.attendee_ids)
    await post_in_thread(session, bot, candidate, text=text, blocks=blocks, key=note_key(debrief))
    invitations = [
        (user_id, *_invitation(bot, title, candidate, debrief, result.attendee_ids))
        for user_id in result.attendee_ids
    ]
    await _tell(session, bot, candidate, invitations)
    await refresh_card(session, bot, row_id(candidate))


async def announce_rescheduled(
    session: AsyncSession, bot: BotContext, result: Rescheduled, actor_id: str
) -> None:
    debrief, candidate, attendee_ids = result.debrief, result.candidate, result.attendee_ids
    title = bot.kits.stage_title(debrief.stage_key)
    logger.info("debrief %s of candidate %s rescheduled", debrief.id, candidate.id)
    await _edit_note(session, bot, candidate, debrief, title, attendee_ids, actor_id)
    reply = rescheduled_reply(title, debrief, attendee_ids, changed_by=actor_id)
    await post_in_thread(session, bot, candidate, text=reply)
    name = candidate.name
    moved = rescheduled_dm(title, debrief, attendee_ids, candidate_name=name, changed_by=actor_id)
    removed = removed_dm(title, debrief, candidate_name=name, changed_by=actor_id)
    messages: list[Message] = [
        (user_id, *_invitation(bot, title, candidate, debrief, attendee_ids, actor_id))
        for user_id in result.added
    ]
    messages += [(user_id, moved, None) for user_id in result.kept]
    messages += [(user_id, removed, None) for user_id in result.removed]
    await _tell(session, bot, candidate, messages)
    await refresh_card(session, bot, row_id(candidate))


async def announce_cancelled(
    session: AsyncSession, bot: BotContext, result: Cancelled, actor_id: str
) -> None:
    debrief, candidate = result.debrief, result.candidate
    title = bot.kits.stage_title(debrief.stage_key)
    logger.info("debrief %s of candidate %s cancelled", debrief.id, candidate.id)
    await _edit_note(session, bot, candidate, debrief, title, result.attendee_ids, actor_id)
    await post_in_thread(
        session, bot, candidate, text=cancelled_reply(title, debrief, changed_by=actor_id)
    )
    notice = cancelled_dm(title, debrief, candidate_name=candidate.name, changed_by=actor_id)
    await _tell(
        session, bot, candidate, [(user_id, notice, None) for user_id in result.attendee_ids]
    )
    await refresh_card(session, bot, row_id(candidate))


async def _edit_note(
    session: AsyncSession,
    bot: BotContext,
    candidate: Candidate,
    debrief: Debrief,
    title: str,
    attendee_ids: Sequence[str],
    actor_id: str,
) -> None:
    text, blocks = debrief_note(title, debrief, attendee_ids, changed_by=actor_id)
    await post_in_thread(
        session,
        bot,
        candidate,
        text=text,
        blocks=blocks,
        key=note_key(debrief),
        posted_ts=debrief.message_ts,
    )


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
    session: AsyncSession, bot: BotContext, candidate: Candidate, messages: Sequence[Message]
) -> None:
    """DM each message; whom Slack will not let us reach is said in the thread
    (``handlers/undelivered.py``)."""
    for user_id, text, blocks in messages:
        await outbox.dm(
            session, bot, user_id, text, blocks, candidate_id=candidate.id, report=DEBRIEF_DM
        )


def register(app: AsyncApp) -> None:
    app.action(Action.SCHEDULE_DEBRIEF)(on_schedule_button)
    app.action(Action.RESCHEDULE_DEBRIEF)(on_reschedule_button)
    app.action(Action.CANCEL_DEBRIEF)(on_cancel_button)
    app.view(View.SCHEDULE_DEBRIEF)(on_debrief_submit)
