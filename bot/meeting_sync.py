"""When an interview or a debrief is scheduled, moved or cancelled: its invitation, built
once per change, reaches the connected CalDAV calendars and the candidate's inbox.

Slack's share (the ``.ics`` in each DM, the hiring manager's copy to forward) is sent by
``handlers/invitation_delivery.py`` from what this module builds. Nothing here undoes the
change it follows: a calendar or a mail server that fails is reported, not retried.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.calendar_sources import CalendarUnavailable, caldav_calendar
from bot.calendars import box
from bot.candidate_email import (
    EmailFacts,
    EmailKind,
    MailNotSent,
    RenderedEmail,
    build_message,
    load_candidate_emails,
    render,
    send,
)
from bot.context import BotContext
from bot.errors import NotFound
from bot.invitations import DEFAULT_ORGANIZER, Guest, Meeting, Method, ics, meeting_uid
from bot.secret_box import SecretsUnavailable
from storage import calendars as calendar_store
from storage.db import transaction
from storage.models import CalendarKind, Candidate, Debrief, Interview, row_id

logger = logging.getLogger(__name__)


class Change(StrEnum):
    SCHEDULED = "scheduled"
    MOVED = "moved"
    CANCELLED = "cancelled"

    @property
    def method(self) -> Method:
        return Method.CANCEL if self is Change.CANCELLED else Method.REQUEST

    @property
    def email(self) -> EmailKind:
        return {
            Change.SCHEDULED: EmailKind.INVITATION,
            Change.MOVED: EmailKind.UPDATE,
            Change.CANCELLED: EmailKind.CANCELLATION,
        }[self]


@dataclass(frozen=True)
class Invitation:
    """One change's invitation for the team: the meeting and its ``.ics`` texts."""

    meeting: Meeting
    change: Change
    attachment: str  # METHOD:REQUEST or CANCEL, for DMs and email
    stored: str  # without METHOD, for CalDAV calendars

    @property
    def filename(self) -> str:
        return "cancelled.ics" if self.change is Change.CANCELLED else "invitation.ics"


def organizer(bot: BotContext) -> str:
    smtp = bot.settings.smtp
    return smtp.mail_from if smtp is not None else DEFAULT_ORGANIZER


async def next_sequence(bot: BotContext, record: Interview | Debrief, change: Change) -> int:
    """The SEQUENCE of this change: 0 when new, one more than the last otherwise."""
    if change is Change.SCHEDULED:
        return record.ics_sequence
    async with transaction(bot.sessions) as session:
        row = (
            await session.get(Interview, row_id(record))
            if isinstance(record, Interview)
            else await session.get(Debrief, row_id(record))
        )
        if row is None:
            raise NotFound("That meeting no longer exists.")
        row.ics_sequence += 1
        sequence = row.ics_sequence
    record.ics_sequence = sequence
    return sequence


def invitation(bot: BotContext, meeting: Meeting, change: Change) -> Invitation:
    stamp = bot.clock.now()
    return Invitation(
        meeting=meeting,
        change=change,
        attachment=ics(meeting, change.method, stamp=stamp),
        stored=ics(meeting, None, stamp=stamp),
    )


def interview_meeting(
    bot: BotContext,
    interview: Interview,
    candidate: Candidate,
    *,
    stage_title: str,
    interviewer_names: Sequence[str],
    thread_url: str | None,
) -> Meeting:
    """The team's view of an interview: who, the video link and the thread."""
    lines = [
        f"{stage_title} interview with {candidate.name}.",
        f"Interviewers: {', '.join(interviewer_names)}",
    ]
    if interview.video_link:
        lines.append(f"Video call: {interview.video_link}")
    if thread_url:
        lines.append(f"Candidate thread in Slack: {thread_url}")
    return Meeting(
        uid=meeting_uid("interview", row_id(interview), bot.settings.hiring_channel_id),
        sequence=interview.ics_sequence,
        summary=f"{stage_title} interview: {candidate.name}",
        starts_at=interview.starts_at,
        duration_minutes=interview.duration_minutes,
        description="\n".join(lines),
        organizer=organizer(bot),
        video_link=interview.video_link,
        url=thread_url,
    )


def debrief_meeting(
    bot: BotContext,
    debrief: Debrief,
    candidate: Candidate,
    *,
    stage_title: str,
    attendee_names: Sequence[str],
    thread_url: str | None,
) -> Meeting:
    lines = [f"{stage_title} debrief for {candidate.name}.", f"With: {', '.join(attendee_names)}"]
    if debrief.video_link:
        lines.append(f"Video call: {debrief.video_link}")
    if thread_url:
        lines.append(f"Candidate thread in Slack: {thread_url}")
    return Meeting(
        uid=meeting_uid("debrief", row_id(debrief), bot.settings.hiring_channel_id),
        sequence=debrief.ics_sequence,
        summary=f"{stage_title} debrief: {candidate.name}",
        starts_at=debrief.starts_at,
        duration_minutes=debrief.duration_minutes,
        description="\n".join(lines),
        organizer=organizer(bot),
        video_link=debrief.video_link,
        url=thread_url,
    )


# --------------------------------------------------------------------- CalDAV calendars


async def write_calendars(
    bot: BotContext,
    invitation: Invitation,
    *,
    present: Sequence[str],
    removed: Sequence[str] = (),
) -> dict[str, str]:
    """Put the event in the CalDAV calendars of ``present`` (remove it on a cancel) and take
    it out of those of ``removed``. The users whose calendar failed, with the reason."""
    cancelled = invitation.change is Change.CANCELLED
    async with bot.sessions() as session:
        connections = await calendar_store.of_users(session, [*present, *removed])
    secrets = box(bot)
    jobs: dict[str, asyncio.Future[None]] = {}
    failures: dict[str, str] = {}
    for connection in connections:
        if connection.kind != CalendarKind.CALDAV:
            continue
        try:
            calendar = caldav_calendar(secrets.open(connection.secret))
        except SecretsUnavailable as error:
            failures[connection.user_id] = str(error)
            continue
        uid = invitation.meeting.uid
        if cancelled or connection.user_id in removed:
            jobs[connection.user_id] = asyncio.ensure_future(calendar.remove_event(uid))
        else:
            jobs[connection.user_id] = asyncio.ensure_future(
                calendar.put_event(uid, invitation.stored)
            )
    outcomes = await asyncio.gather(*jobs.values(), return_exceptions=True)
    for user_id, outcome in zip(jobs, outcomes, strict=True):
        if isinstance(outcome, CalendarUnavailable):
            logger.warning("calendar of %s not updated: %s", user_id, outcome)
            failures[user_id] = str(outcome)
        elif isinstance(outcome, BaseException):
            raise outcome
    return failures


# --------------------------------------------------------------------- the candidate


class MailOutcome(StrEnum):
    SENT = "sent"
    NO_SMTP = "no_smtp"  # the hiring manager forwards it
    FAILED = "failed"  # the hiring manager forwards it, told why
    NO_ADDRESS = "no_address"


@dataclass(frozen=True)
class CandidateMail:
    outcome: MailOutcome
    email: RenderedEmail | None = None
    attachment: str | None = None
    reason: str | None = None


def candidate_zone(candidate: Candidate) -> ZoneInfo:
    try:
        return ZoneInfo(candidate.timezone) if candidate.timezone else ZoneInfo("UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


async def mail_candidate(
    bot: BotContext,
    candidate: Candidate,
    team_meeting: Meeting,
    change: Change,
    *,
    stage_title: str,
    interviewer_names: Sequence[str],
) -> CandidateMail:
    """Email the candidate their invitation (or its update, or its cancellation); without
    SMTP, or when sending fails, return what the hiring manager should forward."""
    if not candidate.email:
        return CandidateMail(MailOutcome.NO_ADDRESS)
    zone = candidate_zone(candidate)
    facts = EmailFacts(
        candidate_name=candidate.name,
        stage=stage_title,
        starts_at=team_meeting.starts_at,
        duration_minutes=team_meeting.duration_minutes,
        zone=zone,
        video_link=team_meeting.video_link,
        interviewers=tuple(interviewer_names),
    )
    email = render(load_candidate_emails(bot.settings.prompts_dir), change.email, facts)
    # Their copy: their own summary, no link into our Slack, themselves as the attendee.
    meeting = Meeting(
        uid=team_meeting.uid,
        sequence=team_meeting.sequence,
        summary=f"{stage_title} interview",
        starts_at=team_meeting.starts_at,
        duration_minutes=team_meeting.duration_minutes,
        description=email.body,
        organizer=team_meeting.organizer,
        video_link=team_meeting.video_link,
        guests=(Guest(candidate.name, candidate.email),),
    )
    attachment = ics(meeting, change.method, stamp=bot.clock.now())
    smtp = bot.settings.smtp
    if smtp is None:
        return CandidateMail(MailOutcome.NO_SMTP, email, attachment)
    message = build_message(
        email, to=candidate.email, mail_from=smtp.mail_from, ics=attachment, method=change.method
    )
    try:
        await send(smtp, message)
    except MailNotSent as error:
        logger.warning("email to candidate %s not sent: %s", candidate.id, error)
        return CandidateMail(MailOutcome.FAILED, email, attachment, reason=str(error))
    logger.info("email (%s) sent to candidate %s", change.email, candidate.id)
    return CandidateMail(MailOutcome.SENT, email, attachment)
