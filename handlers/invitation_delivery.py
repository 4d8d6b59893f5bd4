"""Invitations after an interview or a debrief changed: an ``.ics`` in each person's DM
beside their kit or invitation, the event in connected CalDAV calendars, and the
candidate's email (or the hiring manager's copy to forward).

Runs after the change committed and the thread and DMs were queued (calendars and mail
are not Slack and cannot wait in a transaction); the files go through the outbox, queued
together once the calendars are written. A failure here is shown to whom it concerns and
never undoes the change.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import replace

from bot import outbox
from bot.context import BotContext
from bot.interviews import SlackUser
from bot.invitations import Guest
from bot.meeting_sync import (
    Change,
    Invitation,
    MailOutcome,
    debrief_meeting,
    interview_meeting,
    invitation,
    mail_candidate,
    next_sequence,
    write_calendars,
)
from handlers.candidate_thread import thread_link
from handlers.invitation_text import forward_comment, invitation_comment
from storage.db import transaction
from storage.models import Candidate, Debrief, Interview

logger = logging.getLogger(__name__)

# A file for someone's DM: the user id and outbox.upload's arguments.
_File = tuple[str, dict[str, str]]


def _names(ids: Sequence[str], users: Mapping[str, SlackUser]) -> list[str]:
    return [users[user_id].name if user_id in users else user_id for user_id in ids]


def _guests(ids: Sequence[str], users: Mapping[str, SlackUser]) -> tuple[Guest, ...]:
    """Those whose Slack profile has an address: their calendar then knows the invitation
    is theirs."""
    found = (users.get(user_id) for user_id in ids)
    return tuple(Guest(user.name, user.email) for user in found if user and user.email)


async def interview_invitations(
    bot: BotContext,
    interview: Interview,
    candidate: Candidate,
    change: Change,
    *,
    interviewer_ids: Sequence[str],
    users: Mapping[str, SlackUser],
    removed_ids: Sequence[str] = (),
) -> None:
    await next_sequence(bot, interview, change)
    title = bot.kits.stage_title(interview.stage_key)
    names = _names(interviewer_ids, users)
    meeting = interview_meeting(
        bot,
        interview,
        candidate,
        stage_title=title,
        interviewer_names=names,
        thread_url=thread_link(candidate),
    )
    meeting = replace(meeting, guests=_guests(interviewer_ids, users))
    files = await _files(bot, invitation(bot, meeting, change), interviewer_ids, removed_ids)
    mail = await mail_candidate(
        bot, candidate, meeting, change, stage_title=title, interviewer_names=names
    )
    # Not sent (no SMTP, or it failed): what was rendered goes to the hiring manager.
    if (
        mail.outcome in (MailOutcome.NO_SMTP, MailOutcome.FAILED)
        and mail.email is not None
        and mail.attachment is not None
        and candidate.email is not None
    ):
        file = {
            "content": mail.attachment,
            "filename": "invitation-for-candidate.ics",
            "title": f"{title} interview (for the candidate)",
            "initial_comment": forward_comment(
                mail.email,
                reason=mail.reason,
                candidate_name=candidate.name,
                address=candidate.email,
            ),
        }
        files.append((candidate.hiring_manager_id, file))
    await _upload(bot, candidate, files)


async def debrief_invitations(
    bot: BotContext,
    debrief: Debrief,
    candidate: Candidate,
    change: Change,
    *,
    attendee_ids: Sequence[str],
    users: Mapping[str, SlackUser],
    removed_ids: Sequence[str] = (),
) -> None:
    await next_sequence(bot, debrief, change)
    meeting = debrief_meeting(
        bot,
        debrief,
        candidate,
        stage_title=bot.kits.stage_title(debrief.stage_key),
        attendee_names=_names(attendee_ids, users),
        thread_url=thread_link(candidate),
    )
    meeting = replace(meeting, guests=_guests(attendee_ids, users))
    files = await _files(bot, invitation(bot, meeting, change), attendee_ids, removed_ids)
    await _upload(bot, candidate, files)


async def _files(
    bot: BotContext, sent: Invitation, present: Sequence[str], removed: Sequence[str]
) -> list[_File]:
    """The event into CalDAV calendars; then the file for every DM: the invitation to those
    on it, a cancellation to those taken off."""
    problems = await write_calendars(bot, sent, present=present, removed=removed)
    withdrawn = invitation(bot, sent.meeting, Change.CANCELLED)
    return [
        (
            user_id,
            {
                "content": files.attachment,
                "filename": files.filename,
                "title": files.meeting.summary,
                "initial_comment": invitation_comment(
                    files.meeting.summary, files.change, problems.get(user_id)
                ),
            },
        )
        for files, user_ids in ((sent, present), (withdrawn, removed))
        for user_id in user_ids
    ]


async def _upload(bot: BotContext, candidate: Candidate, files: Sequence[_File]) -> None:
    async with transaction(bot.sessions) as session:
        for user_id, file in files:
            await outbox.upload(session, bot, user_id, **file, candidate_id=candidate.id)
