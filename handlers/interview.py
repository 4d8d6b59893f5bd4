"""Scheduling interviews in Slack: the card's *Schedule interview* button and
``/mlops-candidate schedule <name>``, the modal's submission, and the thread note's
Reschedule and Cancel buttons; then telling the thread and each interviewer.

The thread note, the kit DMs and the card are queued in the transaction of the change, so
a committed interview always gets them. A DM that Slack refuses never undoes the
scheduling: it is recorded per interviewer and the thread says who could not be reached
(``handlers/undelivered.py``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import interviews, outbox
from bot.context import BotContext
from bot.interviews import (
    AlreadySubmitted,
    Cancelled,
    Rescheduled,
    Scheduled,
)
from bot.kits import Stage, UnknownStageError
from bot.meeting_sync import Change
from handlers.candidate_thread import post_in_thread, refresh_card, thread_link
from handlers.command_call import CommandCall
from handlers.ids import Action, View
from handlers.interview_blocks import (
    cancelled_dm,
    cancelled_reply,
    closed_dm,
    interview_note,
    interviewer_dm,
    removed_dm,
    rescheduled_dm,
    rescheduled_reply,
)
from handlers.interview_modal import (
    ScheduleMetadata,
    field_errors,
    parse_form,
    schedule_modal,
    slot_conflict,
)
from handlers.invitation_delivery import interview_invitations
from handlers.modals import form_submission
from handlers.refs import Ref, ref_id
from handlers.slack_users import lookup_users
from handlers.team_access import require_team
from storage import outbox as outbox_store
from storage.db import transaction
from storage.interviews import interviewers_of, interviews_of_candidate
from storage.models import Candidate, Interview, InterviewInterviewer, row_id

logger = logging.getLogger(__name__)

_REFUSED = "Interview not saved"


# --------------------------------------------------------------------- opening the modal


async def run_schedule(call: CommandCall) -> None:
    """``/mlops-candidate schedule <name or #id>``."""

    async def build(candidate_id: int) -> dict[str, Any]:
        async with call.bot.sessions() as session:
            candidate = await interviews.candidate_to_schedule(session, candidate_id)
        return schedule_modal(call.bot.kits, candidate)

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
    candidate_id = ref_id(action.get("value"), Ref.CANDIDATE)
    async with bot.sessions() as session:
        candidate = await interviews.candidate_to_schedule(session, candidate_id)
    await client.views_open(trigger_id=body["trigger_id"], view=schedule_modal(bot.kits, candidate))


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
    interview_id = ref_id(action.get("value"), Ref.INTERVIEW)
    async with bot.sessions() as session:
        interview, candidate, interviewer_ids = await interviews.interview_to_change(
            session, bot, interview_id, user_id
        )
    view = schedule_modal(bot.kits, candidate, interview=interview, interviewer_ids=interviewer_ids)
    await client.views_open(trigger_id=body["trigger_id"], view=view)


# --------------------------------------------------------------------- the submission


@form_submission(title=_REFUSED, field_errors=field_errors)
async def on_schedule_submit(
    ack: AsyncAck,
    view: dict[str, Any],
    client: AsyncWebClient,
    bot: BotContext,
    user_id: str,
) -> None:
    try:
        await require_team(bot, client, user_id)
        metadata = ScheduleMetadata.decode(view.get("private_metadata"))
        conflict = slot_conflict(view["state"]["values"])
        if conflict:
            await ack(response_action="errors", errors=conflict)
            return
        form = parse_form(view["state"]["values"])
        users = await lookup_users(client, form.interviewer_ids)
        # The thread, the kits and the card are told in the change's own transaction.
        async with transaction(bot.sessions) as session:
            if metadata.interview_id is None:
                scheduled = await interviews.schedule_interview(
                    session,
                    bot,
                    candidate_id=metadata.candidate_id,
                    form=form,
                    users=users,
                    actor_id=user_id,
                    view_id=str(view["id"]),
                )
                await announce_scheduled(session, bot, scheduled)
                result: Scheduled | Rescheduled = scheduled
            else:
                result = await interviews.reschedule_interview(
                    session,
                    bot,
                    interview_id=metadata.interview_id,
                    form=form,
                    users=users,
                    actor_id=user_id,
                )
                if result.changed:
                    await announce_rescheduled(session, bot, result, user_id)
    except AlreadySubmitted:
        await ack()
        return
    # Committed: only now may the modal close.
    await ack()
    interview, candidate = result.interview, result.candidate
    if isinstance(result, Scheduled):
        await interview_invitations(
            bot,
            interview,
            candidate,
            Change.SCHEDULED,
            interviewer_ids=result.interviewer_ids,
            users=users,
        )
    elif result.changed:
        removed_ids = [row.user_id for row in result.removed]
        await interview_invitations(
            bot,
            interview,
            candidate,
            Change.MOVED,
            interviewer_ids=result.interviewer_ids,
            users={**users, **await lookup_users(client, removed_ids)},
            removed_ids=removed_ids,
        )
    else:
        return
    # Those taken off the panel see the interview leave their desk.
    removed = [seat.user_id for seat in result.removed] if not isinstance(result, Scheduled) else []
    people = [*result.interviewer_ids, *removed, result.candidate.hiring_manager_id]
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
        result = await interviews.cancel_interview(
            session, bot, interview_id=ref_id(action.get("value"), Ref.INTERVIEW), actor_id=user_id
        )
        if result.changed:
            await announce_cancelled(session, bot, result, user_id)
    if not result.changed:
        await respond(
            text="This interview was already cancelled.",
            response_type="ephemeral",
            replace_original=False,
        )
        return
    people = [seat.user_id for seat in result.interviewers]
    await interview_invitations(
        bot,
        result.interview,
        result.candidate,
        Change.CANCELLED,
        interviewer_ids=people,
        users=await lookup_users(client, people),
    )
    bot.home_changes.touched([*people, result.candidate.hiring_manager_id])


# --------------------------------------------------------------------- telling people
# Each runs in the transaction of the change it tells: the rows it queues commit with it.


def note_key(interview: Interview) -> str:
    """The interview's note in the candidate's thread, kept current as it changes."""
    return f"thread:{interview.candidate_id}:interview:{interview.id}"


async def announce_scheduled(session: AsyncSession, bot: BotContext, result: Scheduled) -> None:
    interview, candidate = result.interview, result.candidate
    stage = bot.kits.stage(interview.stage_key)
    logger.info("interview %s scheduled for candidate %s", interview.id, candidate.id)
    text, blocks = interview_note(stage, interview, result.interviewer_ids)
    await post_in_thread(session, bot, candidate, text=text, blocks=blocks, key=note_key(interview))
    kit = _kit(bot, stage, candidate, interview, result.interviewer_ids)
    for user_id in result.interviewer_ids:
        await _put_kit(session, bot, candidate, interview, user_id, kit)
    await refresh_card(session, bot, row_id(candidate))


async def announce_rescheduled(
    session: AsyncSession, bot: BotContext, result: Rescheduled, actor_id: str
) -> None:
    interview, candidate = result.interview, result.candidate
    stage = bot.kits.stage(interview.stage_key)
    interviewer_ids = result.interviewer_ids
    logger.info("interview %s of candidate %s rescheduled", interview.id, candidate.id)
    await _edit_note(session, bot, stage, candidate, interview, interviewer_ids, actor_id)
    await post_in_thread(
        session,
        bot,
        candidate,
        text=rescheduled_reply(stage, interview, interviewer_ids, changed_by=actor_id),
    )
    kept = {row.user_id: row for row in result.kept}
    kit = _kit(bot, stage, candidate, interview, interviewer_ids)
    for user_id in interviewer_ids:
        row = kept.get(user_id)
        if row is not None:
            await _adopt_kit(session, bot, candidate, row)
        if not await _put_kit(session, bot, candidate, interview, user_id, kit):
            # The kit was edited in place: an edit alone notifies nobody.
            change = rescheduled_dm(
                stage,
                interview,
                interviewer_ids,
                candidate_name=candidate.name,
                changed_by=actor_id,
            )
            await outbox.dm(session, bot, user_id, change, candidate_id=candidate.id)
    for row in result.removed:
        notice = removed_dm(stage, interview, candidate_name=candidate.name, changed_by=actor_id)
        await _withdraw_kit(
            session,
            bot,
            stage,
            candidate,
            interview,
            row,
            reason="You are no longer on it.",
            notice=notice,
        )
    await refresh_card(session, bot, row_id(candidate))
    if result.removed:
        # Imported here: handlers.scorecard imports this module's helpers.
        from handlers.scorecard import announce_panel_complete

        # Taking off the last interviewer who owed a scorecard completes the panel.
        await announce_panel_complete(session, bot, row_id(interview))


async def announce_cancelled(
    session: AsyncSession, bot: BotContext, result: Cancelled, actor_id: str
) -> None:
    interview, candidate = result.interview, result.candidate
    stage = bot.kits.stage(interview.stage_key)
    interviewer_ids = [row.user_id for row in result.interviewers]
    logger.info("interview %s of candidate %s cancelled", interview.id, candidate.id)
    await _edit_note(session, bot, stage, candidate, interview, interviewer_ids, actor_id)
    await post_in_thread(
        session, bot, candidate, text=cancelled_reply(stage, interview, changed_by=actor_id)
    )
    for row in result.interviewers:
        notice = cancelled_dm(stage, interview, candidate_name=candidate.name, changed_by=actor_id)
        await _withdraw_kit(
            session, bot, stage, candidate, interview, row, reason="Cancelled.", notice=notice
        )
    await refresh_card(session, bot, row_id(candidate))


async def refresh_kit_dms(session: AsyncSession, bot: BotContext, candidate: Candidate) -> None:
    """Edit the kit DMs of the candidate's interviews still to come, after their details
    changed (a corrected name shows everywhere)."""
    now = bot.clock.now()
    for interview in await interviews_of_candidate(session, row_id(candidate)):
        if interview.starts_at < now:
            continue
        try:
            stage = bot.kits.stage(interview.stage_key)
        except UnknownStageError:
            continue  # a kit removed since: the DM keeps what it showed
        rows = await interviewers_of(session, row_id(interview))
        kit = _kit(bot, stage, candidate, interview, [row.user_id for row in rows])
        for row in rows:
            await _adopt_kit(session, bot, candidate, row)
            await outbox.update(session, bot, outbox.kit_key(row_id(interview), row.user_id), *kit)


async def _withdraw_kit(
    session: AsyncSession,
    bot: BotContext,
    stage: Stage,
    candidate: Candidate,
    interview: Interview,
    row: InterviewInterviewer,
    *,
    reason: str,
    notice: str,
) -> None:
    """Strike through an interviewer's kit DM, its button gone, and tell them why in a new
    message (an edit alone notifies nobody)."""
    text, blocks = closed_dm(stage, interview, candidate_name=candidate.name, reason=reason)
    await _adopt_kit(session, bot, candidate, row)
    await outbox.update(session, bot, outbox.kit_key(row_id(interview), row.user_id), text, blocks)
    await outbox.dm(session, bot, row.user_id, notice, candidate_id=candidate.id)


async def _edit_note(
    session: AsyncSession,
    bot: BotContext,
    stage: Stage,
    candidate: Candidate,
    interview: Interview,
    interviewer_ids: Sequence[str],
    actor_id: str,
) -> None:
    """Edit the interview's thread note in place; post it if it never made it."""
    text, blocks = interview_note(stage, interview, interviewer_ids, changed_by=actor_id)
    await post_in_thread(
        session,
        bot,
        candidate,
        text=text,
        blocks=blocks,
        key=note_key(interview),
        posted_ts=interview.message_ts,
    )


async def _put_kit(
    session: AsyncSession,
    bot: BotContext,
    candidate: Candidate,
    interview: Interview,
    user_id: str,
    kit: tuple[str, list[dict[str, Any]]],
) -> bool:
    """The interviewer's kit DM, sent or edited in place; True when newly sent."""
    key = outbox.kit_key(row_id(interview), user_id)
    return await outbox.dm(
        session, bot, user_id, *kit, key=key, candidate_id=candidate.id, report=outbox.KIT_DM
    )


async def _adopt_kit(
    session: AsyncSession, bot: BotContext, candidate: Candidate, row: InterviewInterviewer
) -> None:
    """A kit DM sent before the outbox existed becomes the row its key names."""
    if row.dm_channel_id is None or row.dm_ts is None:
        return
    key = outbox.kit_key(row.interview_id, row.user_id)
    if await outbox_store.latest(session, key) is None:
        await outbox.adopt(
            session,
            bot,
            key,
            channel_id=row.dm_channel_id,
            ts=row.dm_ts,
            candidate_id=candidate.id,
            lane=row.user_id,
        )


def _kit(
    bot: BotContext,
    stage: Stage,
    candidate: Candidate,
    interview: Interview,
    interviewer_ids: Sequence[str],
) -> tuple[str, list[dict[str, Any]]]:
    return interviewer_dm(
        stage,
        bot.kits.qualities,
        interview,
        interviewer_ids,
        candidate_name=candidate.name,
        thread_url=thread_link(candidate),
        incident=bool(bot.kits.incidents_of(stage.key)),
    )


def register(app: AsyncApp) -> None:
    app.action(Action.SCHEDULE_INTERVIEW)(on_schedule_button)
    app.action(Action.RESCHEDULE_INTERVIEW)(on_reschedule_button)
    app.action(Action.CANCEL_INTERVIEW)(on_cancel_button)
    app.view(View.SCHEDULE_INTERVIEW)(on_schedule_submit)
