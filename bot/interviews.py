"""Interviews: schedule, reschedule and cancel, and the rules a schedule must meet.

The rules are pure functions over a parsed form and facts the caller looked up (what
Slack says about each interviewer, the candidate, "now"), so every rule is tested alone
and the listener only has to map a field's error to its block. The services take the
session of the caller's transaction; each is one function so that what must happen with
every (re)scheduling, such as planning reminders, is one line in it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlmodel.ext.asyncio.session import AsyncSession

from bot import reminder_planning
from bot.candidates import get_candidate, is_closed, url_problem
from bot.context import BotContext
from bot.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from bot.kits import MAX_DURATION_MINUTES, Kits, UnknownStageError
from bot.meeting_changes import insert_once, people_change, record_change
from bot.permissions import may_change_panel, may_manage_interview
from storage import interviews as store
from storage import marks
from storage.models import (
    Candidate,
    Interview,
    InterviewInterviewer,
    InterviewStatus,
    row_id,
)
from storage.scorecards import has_scorecards, scorecard_of

MAX_INTERVIEWERS = 5
MIN_DURATION_MINUTES = 5
# An interview may be recorded after the fact, but not one from long ago: that is
# almost always a mis-picked month or year.
PAST_LIMIT = timedelta(days=7)


AUDIT_SCHEDULED = "interview_scheduled"
AUDIT_RESCHEDULED = "interview_rescheduled"
AUDIT_CANCELLED = "interview_cancelled"


class FormField(StrEnum):
    """The inputs of the schedule form; ``InvalidInput.fields`` is keyed by these."""

    CANDIDATE = "candidate"
    STAGE = "stage"
    INTERVIEWERS = "interviewers"
    STARTS_AT = "starts_at"
    DURATION = "duration"
    VIDEO_LINK = "video_link"


class UserKind(StrEnum):
    PERSON = "person"
    BOT = "bot"
    DEACTIVATED = "deactivated"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class SlackUser:
    """What scheduling needs to know about a picked user (from Slack's users.info)."""

    id: str
    name: str
    kind: UserKind
    timezone: str | None = None  # IANA zone of their Slack profile
    email: str | None = None  # their profile's, for calendar invitations


@dataclass(frozen=True)
class InterviewForm:
    """The schedule modal's values, parsed but not yet checked."""

    stage_key: str | None
    interviewer_ids: tuple[str, ...]
    starts_at: datetime | None
    duration_minutes: int | None  # None: the stage's own length
    video_link: str | None


class AlreadySubmitted(Conflict):
    """The same schedule modal was submitted before: the interview exists once already."""

    def __init__(self) -> None:
        super().__init__("This interview is already scheduled.")


# --------------------------------------------------------------------- rules


def interviewers_error(ids: Sequence[str], users: Mapping[str, SlackUser]) -> str | None:
    """1 to 5 people, each an active human account of the workspace."""
    return people_error(ids, users, role="interviewer", most=MAX_INTERVIEWERS)


def people_error(
    ids: Sequence[str], users: Mapping[str, SlackUser], *, role: str, most: int
) -> str | None:
    """1 to ``most`` people, each an active human account of the workspace; ``role`` names
    one of them in the messages ("interviewer", "attendee")."""
    if not ids:
        return f"Pick at least one {role}."
    if len(ids) > most:
        return f"Pick at most {most} {role}s (you picked {len(ids)})."
    problems = {
        UserKind.BOT: f"{{}} is a bot: {role}s must be people.",
        UserKind.DEACTIVATED: "{}'s account is deactivated.",
        UserKind.UNKNOWN: "{} is not a member of this workspace.",
    }
    for user_id in ids:
        user = users.get(user_id, SlackUser(user_id, user_id, UserKind.UNKNOWN))
        if user.kind in problems:
            return problems[user.kind].format(user.name)
    return None


def starts_at_error(starts_at: datetime | None, now: datetime) -> str | None:
    if starts_at is None:
        return "Pick the date and time of the interview."
    if starts_at < now - PAST_LIMIT:
        return "That is more than 7 days ago: check the date."
    return None


def duration_error(minutes: int | None) -> str | None:
    if minutes is not None and not MIN_DURATION_MINUTES <= minutes <= MAX_DURATION_MINUTES:
        return f"Pick a length from {MIN_DURATION_MINUTES} to {MAX_DURATION_MINUTES} minutes."
    return None


def video_link_error(link: str | None) -> str | None:
    return None if link is None else url_problem(link)


def stage_error(kits: Kits, stage_key: str | None) -> str | None:
    if stage_key is None:
        return "Pick a stage."
    try:
        kits.stage(stage_key)
    except UnknownStageError:
        return "That stage no longer exists: pick another."
    return None


def closed_error(candidate: Candidate) -> str | None:
    if is_closed(candidate):
        return f"This candidate is closed ({candidate.status}): they take no new interviews."
    return None


def form_errors(
    form: InterviewForm,
    *,
    kits: Kits,
    candidate: Candidate,
    users: Mapping[str, SlackUser],
    now: datetime,
) -> dict[str, str]:
    """Every problem of the form, by field; empty when it may be saved."""
    errors = {
        FormField.CANDIDATE: closed_error(candidate),
        FormField.STAGE: stage_error(kits, form.stage_key),
        FormField.INTERVIEWERS: interviewers_error(form.interviewer_ids, users),
        FormField.STARTS_AT: starts_at_error(form.starts_at, now),
        FormField.DURATION: duration_error(form.duration_minutes),
        FormField.VIDEO_LINK: video_link_error(form.video_link),
    }
    return {str(field): error for field, error in errors.items() if error is not None}


# --------------------------------------------------------------------- services


@dataclass(frozen=True)
class Scheduled:
    interview: Interview
    candidate: Candidate
    interviewer_ids: tuple[str, ...]


@dataclass(frozen=True)
class Rescheduled:
    interview: Interview
    candidate: Candidate
    interviewer_ids: tuple[str, ...]  # as now, in the form's order
    added: tuple[str, ...]
    # The rows of those who stay and of those taken off, with where their DMs are.
    kept: tuple[InterviewInterviewer, ...]
    removed: tuple[InterviewInterviewer, ...]
    changed: bool  # False when the form changed nothing (a resubmitted modal)


@dataclass(frozen=True)
class Cancelled:
    interview: Interview
    candidate: Candidate
    interviewers: tuple[InterviewInterviewer, ...]
    changed: bool  # False when it was cancelled already


async def candidate_to_schedule(session: AsyncSession, candidate_id: int) -> Candidate:
    """The candidate a new interview is for; Conflict if they are closed."""
    candidate = await get_candidate(session, candidate_id)
    error = closed_error(candidate)
    if error is not None:
        raise Conflict(error)
    return candidate


async def get_interview(
    session: AsyncSession, interview_id: int, *, lock: bool = False
) -> Interview:
    interview = await store.get_interview(session, interview_id, lock=lock)
    if interview is None:
        raise NotFound("That interview no longer exists.")
    return interview


async def interview_to_change(
    session: AsyncSession, bot: BotContext, interview_id: int, user_id: str
) -> tuple[Interview, Candidate, list[str]]:
    """An interview the user may reschedule or cancel, its candidate and interviewers."""
    interview = await get_interview(session, interview_id)
    candidate = await get_candidate(session, interview.candidate_id)
    _check_may_manage(bot, candidate, interview, user_id)
    if interview.status == InterviewStatus.CANCELLED:
        raise Conflict("This interview was cancelled. Schedule a new one from the card.")
    rows = await store.interviewers_of(session, interview_id)
    return interview, candidate, [row.user_id for row in rows]


async def schedule_interview(
    session: AsyncSession,
    bot: BotContext,
    *,
    candidate_id: int,
    form: InterviewForm,
    users: Mapping[str, SlackUser],
    actor_id: str,
    view_id: str,
) -> Scheduled:
    """Store a new interview and its interviewers.

    InvalidInput names every bad field; AlreadySubmitted when this view created one before.
    """
    if await store.interview_by_view(session, view_id) is not None:
        raise AlreadySubmitted
    candidate = await get_candidate(session, candidate_id)
    now = bot.clock.now()
    stage_key, starts_at = _check_form(form, bot.kits, candidate, users, now)
    stage = bot.kits.stage(stage_key)
    interview = Interview(
        candidate_id=candidate_id,
        stage_key=stage.key,
        starts_at=starts_at,
        duration_minutes=form.duration_minutes or stage.duration_minutes,
        video_link=form.video_link,
        schedule_view_id=view_id,
        created_by=actor_id,
        created_at=now,
        updated_at=now,
    )
    await insert_once(session, interview, AlreadySubmitted)
    await store.add_interviewers(session, row_id(interview), form.interviewer_ids)
    candidate.last_activity_at = now
    await record_change(session, AUDIT_SCHEDULED, interview, actor_id, now)
    await _plan_reminders(session, bot, interview, candidate, form.interviewer_ids, now)
    await marks.interview_changed(session, interview, bot.settings.feedback_due_hours)
    return Scheduled(interview, candidate, form.interviewer_ids)


async def reschedule_interview(
    session: AsyncSession,
    bot: BotContext,
    *,
    interview_id: int,
    form: InterviewForm,
    users: Mapping[str, SlackUser],
    actor_id: str,
) -> Rescheduled:
    """Change an interview's stage, time, length, link or interviewers.

    The panel is changed by the hiring manager and admins only: whoever scheduled the
    interview could otherwise sit on it, read the others' scorecards and leave. An
    interview with scorecards keeps its stage: they were written against its kit. Adding
    someone to a completed panel lets its completion be announced again."""
    interview = await get_interview(session, interview_id, lock=True)
    candidate = await get_candidate(session, interview.candidate_id)
    _check_may_manage(bot, candidate, interview, actor_id)
    if interview.status == InterviewStatus.CANCELLED:
        raise Conflict("This interview was cancelled. Schedule a new one from the card.")
    now = bot.clock.now()
    stage_key, starts_at = _check_form(form, bot.kits, candidate, users, now)
    stage = bot.kits.stage(stage_key)
    rows = await store.interviewers_of(session, interview_id)
    wanted = form.interviewer_ids
    people = people_change(rows, wanted, user_of=lambda row: row.user_id)
    details = (
        stage.key,
        starts_at,
        form.duration_minutes or stage.duration_minutes,
        form.video_link,
    )
    current = (
        interview.stage_key,
        interview.starts_at,
        interview.duration_minutes,
        interview.video_link,
    )
    _check_panel_change(bot, candidate, actor_id, panel_changed=people.changed)
    if stage.key != interview.stage_key and await has_scorecards(session, interview_id):
        raise InvalidInput(
            {FormField.STAGE: _KEEPS_STAGE.format(stage=bot.kits.stage_title(interview.stage_key))}
        )
    changed = details != current or people.changed
    if changed:
        if people.added:
            interview.summary_posted_at = None
        (
            interview.stage_key,
            interview.starts_at,
            interview.duration_minutes,
            interview.video_link,
        ) = details
        interview.updated_at = now
        candidate.last_activity_at = now
        removed_ids = [row.user_id for row in people.removed]
        await store.remove_interviewers(session, interview_id, removed_ids)
        await store.add_interviewers(session, interview_id, people.added)
        await record_change(session, AUDIT_RESCHEDULED, interview, actor_id, now)
        await _plan_reminders(session, bot, interview, candidate, wanted, now)
        await marks.interview_changed(session, interview, bot.settings.feedback_due_hours)
    return Rescheduled(
        interview, candidate, wanted, people.added, people.kept, people.removed, changed
    )


async def cancel_interview(
    session: AsyncSession, bot: BotContext, *, interview_id: int, actor_id: str
) -> Cancelled:
    """Mark an interview cancelled; cancelling it again changes nothing."""
    interview = await get_interview(session, interview_id)
    candidate = await get_candidate(session, interview.candidate_id)
    _check_may_manage(bot, candidate, interview, actor_id)
    rows = tuple(await store.interviewers_of(session, interview_id))
    if interview.status == InterviewStatus.CANCELLED:
        return Cancelled(interview, candidate, rows, changed=False)
    now = bot.clock.now()
    interview.status = InterviewStatus.CANCELLED
    interview.updated_at = now
    candidate.last_activity_at = now
    await record_change(session, AUDIT_CANCELLED, interview, actor_id, now)
    await reminder_planning.interview_cancelled(session, interview_id)
    await marks.interview_changed(session, interview, bot.settings.feedback_due_hours)
    return Cancelled(interview, candidate, rows, changed=True)


async def mark_not_attended(
    session: AsyncSession, interview_id: int, user_id: str, *, now: datetime
) -> tuple[Candidate, Interview]:
    """An interviewer says they did not attend: they owe no scorecard and get no more
    reminders for it. Returns the candidate and interview, to tell the hiring manager."""
    seat = await session.get(InterviewInterviewer, (interview_id, user_id))
    interview = await session.get(Interview, interview_id)
    if seat is None or interview is None:
        raise PermissionDenied("Only an interviewer of this interview can mark it not attended.")
    if interview.status != InterviewStatus.SCHEDULED:
        raise Conflict("This interview was cancelled: there is nothing to mark.")
    candidate = await session.get(Candidate, interview.candidate_id)
    if candidate is None:
        raise NotFound("That interview no longer exists.")
    if not seat.attended:
        raise Conflict("You have already marked this interview as not attended.")
    if await scorecard_of(session, interview_id, user_id) is not None:
        raise Conflict(
            "Your scorecard for this interview is in, so you attended it. To change what it "
            "says, open it again with *Submit scorecard*."
        )
    seat.attended = False
    await marks.seat_excused(session, seat, interview.candidate_id)
    await reminder_planning.interviewer_done(
        session, interview, user_id, hiring_manager_id=candidate.hiring_manager_id, now=now
    )
    return candidate, interview


async def _plan_reminders(
    session: AsyncSession,
    bot: BotContext,
    interview: Interview,
    candidate: Candidate,
    interviewer_ids: Sequence[str],
    now: datetime,
) -> None:
    await reminder_planning.interview_planned(
        session,
        interview,
        interviewer_ids,
        hiring_manager_id=candidate.hiring_manager_id,
        feedback_due_hours=bot.settings.feedback_due_hours,
        now=now,
    )


async def scheduled_in_stage(session: AsyncSession, candidate: Candidate) -> list[Interview]:
    """The candidate's scheduled (not cancelled) interviews of their current stage,
    earliest first."""
    return await store.stage_interviews(session, row_id(candidate), candidate.stage_key)


async def interviews_of(
    session: AsyncSession, user_id: str, *, candidate_id: int | None = None
) -> list[Interview]:
    """The scheduled interviews a user is an interviewer of, earliest first; optionally
    only those of one candidate."""
    return await store.interviews_of_user(session, user_id, candidate_id=candidate_id)


def _check_form(
    form: InterviewForm,
    kits: Kits,
    candidate: Candidate,
    users: Mapping[str, SlackUser],
    now: datetime,
) -> tuple[str, datetime]:
    """The form's stage key and start, once every field is valid."""
    errors = form_errors(form, kits=kits, candidate=candidate, users=users, now=now)
    # form_errors names a missing stage or start, so with no errors both are there.
    if errors or form.stage_key is None or form.starts_at is None:
        raise InvalidInput(errors)
    return form.stage_key, form.starts_at


_KEEPS_STAGE = (
    "This interview has scorecards, written against the {stage} kit, so it keeps its "
    "stage: schedule a new interview for another stage."
)
_PANEL_REFUSED = (
    "Only the candidate's hiring manager or a hiring admin can change who interviews. "
    "You can still move the time, the length and the link."
)


def _check_panel_change(
    bot: BotContext, candidate: Candidate, actor_id: str, *, panel_changed: bool
) -> None:
    if panel_changed and not may_change_panel(
        bot.settings.hiring_admins, actor_id, hiring_manager_id=candidate.hiring_manager_id
    ):
        raise InvalidInput({FormField.INTERVIEWERS: _PANEL_REFUSED})


def _check_may_manage(
    bot: BotContext, candidate: Candidate, interview: Interview, user_id: str
) -> None:
    if not may_manage_interview(
        bot.settings.hiring_admins,
        user_id,
        hiring_manager_id=candidate.hiring_manager_id,
        scheduled_by=interview.created_by,
    ):
        raise PermissionDenied(
            f"Only the hiring manager (<@{candidate.hiring_manager_id}>), the person who "
            f"scheduled this interview (<@{interview.created_by}>) or an admin can change it."
        )
