"""Debrief meetings: schedule, reschedule and cancel, and the rules a debrief must meet.

A debrief is the meeting where a stage's interviewers and the hiring manager talk the
scorecards through before the decision. It belongs to the candidate's stage at the time it
is scheduled. Like interviews (``bot.interviews``), the rules are pure functions over a
parsed form and facts the caller looked up, and each service is one function so that what
must happen with every (re)scheduling, planning its reminders, is one line in it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from enum import StrEnum
from functools import partial

from sqlmodel.ext.asyncio.session import AsyncSession

from bot import reminder_planning
from bot.candidates import get_candidate, is_closed
from bot.clock import local_time
from bot.context import BotContext
from bot.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from bot.interviews import (
    SlackUser,
    duration_error,
    people_error,
    scheduled_in_stage,
    video_link_error,
)
from bot.meeting_changes import insert_once, people_change, record_change
from bot.permissions import may_manage_debrief
from storage import debriefs as store
from storage import marks
from storage.interviews import interviewers_of
from storage.models import Candidate, Debrief, InterviewStatus, row_id

MAX_ATTENDEES = 10
DEFAULT_DURATION_MINUTES = 30
# A time as its reader should see it.
ShowTime = Callable[[datetime], str]
# A debrief is planned ahead, but one starting now is fine: the picker has no seconds and
# a modal can stay open a few minutes before it is submitted.
PAST_GRACE = timedelta(minutes=5)

AUDIT_SCHEDULED = "debrief_scheduled"
AUDIT_RESCHEDULED = "debrief_rescheduled"
AUDIT_CANCELLED = "debrief_cancelled"


class FormField(StrEnum):
    """The inputs of the debrief form; ``InvalidInput.fields`` is keyed by these."""

    CANDIDATE = "candidate"
    ATTENDEES = "attendees"
    STARTS_AT = "starts_at"
    DURATION = "duration"
    VIDEO_LINK = "video_link"


@dataclass(frozen=True)
class DebriefForm:
    """The debrief modal's values, parsed but not yet checked."""

    attendee_ids: tuple[str, ...]
    starts_at: datetime | None
    duration_minutes: int | None  # None: DEFAULT_DURATION_MINUTES
    video_link: str | None


class AlreadySubmitted(Conflict):
    """The same debrief modal was submitted before: the debrief exists once already."""

    def __init__(self) -> None:
        super().__init__("This debrief is already scheduled.")


# --------------------------------------------------------------------- rules


def attendees_error(ids: Sequence[str], users: Mapping[str, SlackUser]) -> str | None:
    """1 to 10 people, each an active human account of the workspace."""
    return people_error(ids, users, role="attendee", most=MAX_ATTENDEES)


def starts_at_error(starts_at: datetime | None, now: datetime) -> str | None:
    if starts_at is None:
        return "Pick the date and time of the debrief."
    if starts_at < now - PAST_GRACE:
        return "That time has passed: pick a time from now on."
    return None


def closed_error(candidate: Candidate) -> str | None:
    if is_closed(candidate):
        return f"This candidate is closed ({candidate.status}): there is nothing to debrief."
    return None


def upcoming_error(
    upcoming: Sequence[Debrief], show_time: ShowTime, debrief_id: int | None = None
) -> str | None:
    """One upcoming debrief per stage: a second would invite the same people twice. Its
    time as ``show_time`` shows it to the reader: Slack's date token in a message, the
    reader's zone, named, in a modal's field error (which cannot hold the token)."""
    others = [debrief for debrief in upcoming if debrief.id != debrief_id]
    if not others:
        return None
    when = show_time(others[0].starts_at)
    return (
        f"A debrief of this stage is already scheduled for {when}: reschedule that one "
        "from its note in the candidate's thread."
    )


def form_errors(
    form: DebriefForm,
    *,
    candidate: Candidate,
    upcoming: Sequence[Debrief],
    users: Mapping[str, SlackUser],
    now: datetime,
    zone: tzinfo,
    debrief_id: int | None = None,
) -> dict[str, str]:
    """Every problem of the form, by field; empty when it may be saved. ``upcoming`` are
    the stage's scheduled debriefs yet to start; ``debrief_id`` the one being changed;
    ``zone`` the reader's, for times in the errors (plain text)."""
    errors = {
        FormField.CANDIDATE: closed_error(candidate)
        or upcoming_error(upcoming, partial(local_time, zone=zone), debrief_id),
        FormField.ATTENDEES: attendees_error(form.attendee_ids, users),
        FormField.STARTS_AT: starts_at_error(form.starts_at, now),
        FormField.DURATION: duration_error(form.duration_minutes),
        FormField.VIDEO_LINK: video_link_error(form.video_link),
    }
    return {str(field): error for field, error in errors.items() if error is not None}


# --------------------------------------------------------------------- services


@dataclass(frozen=True)
class Scheduled:
    debrief: Debrief
    candidate: Candidate
    attendee_ids: tuple[str, ...]


@dataclass(frozen=True)
class Rescheduled:
    debrief: Debrief
    candidate: Candidate
    attendee_ids: tuple[str, ...]  # as now, in the form's order
    added: tuple[str, ...]
    kept: tuple[str, ...]
    removed: tuple[str, ...]
    changed: bool  # False when the form changed nothing (a resubmitted modal)


@dataclass(frozen=True)
class Cancelled:
    debrief: Debrief
    candidate: Candidate
    attendee_ids: tuple[str, ...]
    changed: bool  # False when it was cancelled already


async def candidate_to_debrief(
    session: AsyncSession, candidate_id: int, now: datetime, show_time: ShowTime
) -> Candidate:
    """The candidate a new debrief is for; Conflict if they are closed or their stage's
    debrief is already scheduled (its time as ``show_time`` shows it)."""
    candidate = await get_candidate(session, candidate_id)
    upcoming = await _upcoming(session, candidate, now)
    error = closed_error(candidate) or upcoming_error(upcoming, show_time)
    if error is not None:
        raise Conflict(error)
    return candidate


async def default_attendees(session: AsyncSession, candidate: Candidate) -> list[str]:
    """Who a new debrief invites unless told otherwise: the interviewers of the current
    stage's interviews (those who attended), then the hiring manager."""
    people: dict[str, None] = {}
    for interview in await scheduled_in_stage(session, candidate):
        for seat in await interviewers_of(session, row_id(interview)):
            if seat.attended:
                people[seat.user_id] = None
    people[candidate.hiring_manager_id] = None
    return list(people)


async def get_debrief(session: AsyncSession, debrief_id: int) -> Debrief:
    debrief = await store.get_debrief(session, debrief_id)
    if debrief is None:
        raise NotFound("That debrief no longer exists.")
    return debrief


async def debrief_to_change(
    session: AsyncSession, bot: BotContext, debrief_id: int, user_id: str
) -> tuple[Debrief, Candidate, list[str]]:
    """A debrief the user may reschedule or cancel, its candidate and attendees."""
    debrief = await get_debrief(session, debrief_id)
    candidate = await get_candidate(session, debrief.candidate_id)
    _check_may_manage(bot, candidate, debrief, user_id)
    _check_scheduled(debrief)
    return debrief, candidate, await store.attendees_of(session, debrief_id)


async def schedule_debrief(
    session: AsyncSession,
    bot: BotContext,
    *,
    candidate_id: int,
    form: DebriefForm,
    users: Mapping[str, SlackUser],
    actor_id: str,
    view_id: str,
    zone: tzinfo,
) -> Scheduled:
    """Store a new debrief of the candidate's current stage and its attendees.

    InvalidInput names every bad field; AlreadySubmitted when this view created one before.
    One upcoming debrief per stage, enforced by the database: the candidate's row is
    locked first, so of two forms submitted at the same moment the second waits, then sees
    the first one's debrief.
    """
    candidate = await get_candidate(session, candidate_id, lock=True)
    if await store.debrief_by_view(session, view_id) is not None:
        raise AlreadySubmitted
    now = bot.clock.now()
    upcoming = await _upcoming(session, candidate, now)
    starts_at = _check_form(form, candidate, upcoming, users, now, zone)
    debrief = Debrief(
        candidate_id=candidate_id,
        stage_key=candidate.stage_key,
        starts_at=starts_at,
        duration_minutes=form.duration_minutes or DEFAULT_DURATION_MINUTES,
        video_link=form.video_link,
        schedule_view_id=view_id,
        created_by=actor_id,
        created_at=now,
        updated_at=now,
    )
    await insert_once(session, debrief, AlreadySubmitted)
    await store.add_attendees(session, row_id(debrief), form.attendee_ids)
    candidate.last_activity_at = now
    await record_change(session, AUDIT_SCHEDULED, debrief, actor_id, now)
    await _plan_reminders(session, debrief, candidate, form.attendee_ids, now)
    await marks.candidate_changed(session, candidate_id)
    return Scheduled(debrief, candidate, form.attendee_ids)


async def reschedule_debrief(
    session: AsyncSession,
    bot: BotContext,
    *,
    debrief_id: int,
    form: DebriefForm,
    users: Mapping[str, SlackUser],
    actor_id: str,
    zone: tzinfo,
) -> Rescheduled:
    """Change a debrief's time, length, link or attendees; its reminders follow. Locks the
    candidate as scheduling does: a debrief moved into the future meets a new one in turn."""
    debrief = await get_debrief(session, debrief_id)
    candidate = await get_candidate(session, debrief.candidate_id, lock=True)
    _check_may_manage(bot, candidate, debrief, actor_id)
    _check_scheduled(debrief)
    now = bot.clock.now()
    upcoming = await _upcoming(session, candidate, now, debrief.stage_key)
    starts_at = _check_form(form, candidate, upcoming, users, now, zone, debrief_id=debrief_id)
    before = await store.attendees_of(session, debrief_id)
    wanted = form.attendee_ids
    people = people_change(before, wanted, user_of=lambda user_id: user_id)
    details = (starts_at, form.duration_minutes or DEFAULT_DURATION_MINUTES, form.video_link)
    current = (debrief.starts_at, debrief.duration_minutes, debrief.video_link)
    changed = details != current or people.changed
    if changed:
        debrief.starts_at, debrief.duration_minutes, debrief.video_link = details
        debrief.updated_at = now
        candidate.last_activity_at = now
        await store.remove_attendees(session, debrief_id, people.removed)
        await store.add_attendees(session, debrief_id, people.added)
        await record_change(session, AUDIT_RESCHEDULED, debrief, actor_id, now)
        await _plan_reminders(session, debrief, candidate, wanted, now)
        await marks.candidate_changed(session, debrief.candidate_id)
    return Rescheduled(
        debrief, candidate, wanted, people.added, people.kept, people.removed, changed
    )


async def cancel_debrief(
    session: AsyncSession, bot: BotContext, *, debrief_id: int, actor_id: str
) -> Cancelled:
    """Mark a debrief cancelled and drop its reminders; cancelling it again changes nothing."""
    debrief = await get_debrief(session, debrief_id)
    candidate = await get_candidate(session, debrief.candidate_id)
    _check_may_manage(bot, candidate, debrief, actor_id)
    attendee_ids = tuple(await store.attendees_of(session, debrief_id))
    if debrief.status == InterviewStatus.CANCELLED:
        return Cancelled(debrief, candidate, attendee_ids, changed=False)
    now = bot.clock.now()
    debrief.status = InterviewStatus.CANCELLED
    debrief.updated_at = now
    candidate.last_activity_at = now
    await record_change(session, AUDIT_CANCELLED, debrief, actor_id, now)
    await reminder_planning.debrief_cancelled(session, debrief_id)
    await marks.candidate_changed(session, debrief.candidate_id)
    return Cancelled(debrief, candidate, attendee_ids, changed=True)


async def _upcoming(
    session: AsyncSession, candidate: Candidate, now: datetime, stage_key: str | None = None
) -> list[Debrief]:
    """The scheduled debriefs of ``stage_key`` (default: the current stage) yet to start."""
    return await store.scheduled_in_stage(
        session, row_id(candidate), stage_key or candidate.stage_key, since=now
    )


async def _plan_reminders(
    session: AsyncSession,
    debrief: Debrief,
    candidate: Candidate,
    attendee_ids: Sequence[str],
    now: datetime,
) -> None:
    await reminder_planning.debrief_planned(
        session, debrief, attendee_ids, hiring_manager_id=candidate.hiring_manager_id, now=now
    )


def _check_form(
    form: DebriefForm,
    candidate: Candidate,
    upcoming: Sequence[Debrief],
    users: Mapping[str, SlackUser],
    now: datetime,
    zone: tzinfo,
    *,
    debrief_id: int | None = None,
) -> datetime:
    """The form's start, once every field is valid."""
    errors = form_errors(
        form,
        candidate=candidate,
        upcoming=upcoming,
        users=users,
        now=now,
        zone=zone,
        debrief_id=debrief_id,
    )
    # form_errors names a missing start, so with no errors it is there.
    if errors or form.starts_at is None:
        raise InvalidInput(errors)
    return form.starts_at


def _check_scheduled(debrief: Debrief) -> None:
    if debrief.status == InterviewStatus.CANCELLED:
        raise Conflict("This debrief was cancelled. Schedule a new one from the card.")


def _check_may_manage(
    bot: BotContext, candidate: Candidate, debrief: Debrief, user_id: str
) -> None:
    if not may_manage_debrief(
        bot.settings.hiring_admins,
        user_id,
        hiring_manager_id=candidate.hiring_manager_id,
        scheduled_by=debrief.created_by,
    ):
        raise PermissionDenied(
            f"Only the hiring manager (<@{candidate.hiring_manager_id}>), the person who "
            f"scheduled this debrief (<@{debrief.created_by}>) or an admin can change it."
        )
