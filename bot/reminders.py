"""Reminders: planned by domain events, sent by the sweep job, once.

The domain services call the functions of the first half inside their own transaction
(an interview scheduled, a scorecard submitted, a decision recorded …); each turns the
event into reminder rows or cancels them. ``send_due_reminders`` is the body of the sweep
job: claim what is due, check that it still matters, hold it for the recipient's working
hours, send it, record the outcome.

Delivery is at least once: a replica that dies between sending and recording leaves its
claim to expire after ``settings.reminder_lease``, and the reminder is sent again then.
Every other path sends once.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel.ext.asyncio.session import AsyncSession

from bot import metrics
from bot import reminder_rules as rules
from bot.context import BotContext
from bot.errors import Conflict, NotFound, PermissionDenied
from bot.kits import UnknownStageError
from bot.notifier import Notifier, SendResult
from bot.reminder_rules import ReminderKind
from storage import debriefs as debrief_store
from storage import reminders as store
from storage.db import transaction
from storage.models import (
    CLOSED_STATUSES,
    Candidate,
    Debrief,
    Interview,
    InterviewInterviewer,
    InterviewStatus,
    Reminder,
    row_id,
)
from storage.scorecards import scorecard_of

if TYPE_CHECKING:
    from bot.feedback_access import SummarySoFar

logger = logging.getLogger(__name__)

BATCH_SIZE = 20
# One sweep sends at most this many batches (10,000 reminders); the next sweep carries on.
MAX_BATCHES = 500
MAX_ATTEMPTS = 5
RETRY_FIRST = timedelta(minutes=1)
RETRY_LONGEST = timedelta(minutes=30)

NOT_YOUR_DEBRIEF = "That debrief is for its attendees and the candidate's hiring manager."

INTERVIEWER_KINDS = (
    ReminderKind.INTERVIEW_SOON,
    ReminderKind.SCORECARD_NUDGE,
    ReminderKind.SCORECARD_DUE,
    ReminderKind.SCORECARD_ASKED,
)
DECISION_KINDS = (ReminderKind.DEBRIEF_DECISION, ReminderKind.DEBRIEF_PENDING)


# ----------------------------------------------------------------- domain events


def _rows(
    planned: Iterable[rules.Planned],
    *,
    candidate_id: int,
    now: datetime,
    interview_id: int | None = None,
    debrief_id: int | None = None,
) -> list[dict[str, Any]]:
    return [
        {
            "kind": p.kind,
            "recipient_id": p.recipient_id,
            "candidate_id": candidate_id,
            "interview_id": interview_id,
            "debrief_id": debrief_id,
            "due_at": p.due_at,
            "dedupe_key": p.dedupe_key,
            "created_at": now,
        }
        for p in planned
    ]


def ends_at(meeting: Interview | Debrief) -> datetime:
    return meeting.starts_at + timedelta(minutes=meeting.duration_minutes)


async def interview_planned(
    session: AsyncSession,
    interview: Interview,
    interviewer_ids: Sequence[str],
    *,
    hiring_manager_id: str,
    feedback_due_hours: int,
    now: datetime,
) -> None:
    """An interview was scheduled or rescheduled (new time or new interviewers).

    Reminders whose time moved are re-armed; those of interviewers taken off it are
    cancelled; a repeated call changes nothing.
    """
    interview_id = row_id(interview)
    planned = rules.plan_interview(
        interview_id,
        interview.starts_at,
        ends_at(interview),
        interviewer_ids,
        hiring_manager_id,
        feedback_due_hours=feedback_due_hours,
        now=now,
    )
    await store.cancel(
        session, interview_id=interview_id, keep_keys=[p.dedupe_key for p in planned]
    )
    await store.plan(
        session,
        _rows(planned, candidate_id=interview.candidate_id, interview_id=interview_id, now=now),
    )


async def interview_cancelled(session: AsyncSession, interview_id: int) -> None:
    await store.cancel(session, interview_id=interview_id)


async def scorecard_submitted(
    session: AsyncSession,
    interview: Interview,
    interviewer_id: str,
    *,
    hiring_manager_id: str,
    now: datetime,
) -> None:
    """The interviewer's own reminders stop; when the interview's last scorecard is in,
    the escalation stops and the hiring manager has a day to decide."""
    await _interviewer_done(session, interview, interviewer_id, hiring_manager_id, now)


async def _interviewer_done(
    session: AsyncSession,
    interview: Interview,
    interviewer_id: str,
    hiring_manager_id: str,
    now: datetime,
) -> None:
    interview_id = row_id(interview)
    await store.cancel(
        session, interview_id=interview_id, recipient_id=interviewer_id, kinds=INTERVIEWER_KINDS
    )
    if await store.missing_scorecards(session, [interview_id]):
        return
    await store.cancel(session, interview_id=interview_id, kinds=[ReminderKind.ESCALATION])
    pending = rules.plan_decision_pending(interview_id, hiring_manager_id, now=now)
    await store.plan(
        session,
        _rows([pending], candidate_id=interview.candidate_id, interview_id=interview.id, now=now),
    )


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
    session.add(seat)
    await session.flush()
    await _interviewer_done(session, interview, user_id, candidate.hiring_manager_id, now)
    return candidate, interview


async def decision_recorded(session: AsyncSession, candidate_id: int, *, closed: bool) -> None:
    """A decision ends the wait for one; closing the candidate ends everything."""
    kinds = None if closed else DECISION_KINDS
    await store.cancel(session, candidate_id=candidate_id, kinds=kinds)


async def debrief_planned(
    session: AsyncSession,
    debrief: Debrief,
    attendee_ids: Sequence[str],
    *,
    hiring_manager_id: str,
    now: datetime,
) -> None:
    """A debrief was scheduled or rescheduled."""
    debrief_id = row_id(debrief)
    planned = rules.plan_debrief(
        debrief_id, debrief.starts_at, ends_at(debrief), attendee_ids, hiring_manager_id, now=now
    )
    await store.cancel(session, debrief_id=debrief_id, keep_keys=[p.dedupe_key for p in planned])
    await store.plan(
        session, _rows(planned, candidate_id=debrief.candidate_id, debrief_id=debrief_id, now=now)
    )


async def debrief_cancelled(session: AsyncSession, debrief_id: int) -> None:
    await store.cancel(session, debrief_id=debrief_id)


# ----------------------------------------------------------------- what a reminder says


@dataclass(frozen=True)
class ReminderMessage:
    """Everything a reminder's DM shows; which fields are set depends on ``kind``."""

    reminder_id: int
    kind: ReminderKind
    recipient_id: str
    candidate: Candidate
    stage_title: str
    interview: Interview | None = None
    debrief: Debrief | None = None
    # scorecard due and escalation: when it was due; escalation: who is late
    scorecard_due_at: datetime | None = None
    late: tuple[str, ...] = ()
    # debrief chase: the recipient's interviews without their scorecard
    missing: tuple[Interview, ...] = ()
    # debrief pack: each interview of the stage, its summary as the recipient may see it
    pack: tuple[SummarySoFar, ...] = ()

    @property
    def meeting_starts_at(self) -> datetime | None:
        """The start of the meeting this reminder prepares for, if it prepares for one."""
        if self.kind not in rules.MEETING_KINDS:
            return None
        meeting = self.interview or self.debrief
        return meeting.starts_at if meeting is not None else None


def stage_title(bot: BotContext, stage_key: str) -> str:
    """A stage's title by key; a key whose kit file is gone shows as itself."""
    try:
        return bot.kits.stage(stage_key).title
    except UnknownStageError:
        return stage_key


async def load_message(
    session: AsyncSession, bot: BotContext, reminder: Reminder, now: datetime
) -> ReminderMessage | str:
    """What the reminder should say now, or why it no longer should be sent."""
    candidate = (
        await session.get(Candidate, reminder.candidate_id) if reminder.candidate_id else None
    )
    if candidate is None or candidate.status in CLOSED_STATUSES:
        return "candidate closed"
    interview = (
        await session.get(Interview, reminder.interview_id) if reminder.interview_id else None
    )
    debrief = await session.get(Debrief, reminder.debrief_id) if reminder.debrief_id else None
    meeting = interview or debrief
    if meeting is None or meeting.status != InterviewStatus.SCHEDULED:
        return "meeting cancelled"
    kind = ReminderKind(reminder.kind)
    base = ReminderMessage(
        reminder_id=row_id(reminder),
        kind=kind,
        recipient_id=reminder.recipient_id,
        candidate=candidate,
        stage_title=stage_title(bot, meeting.stage_key),
        interview=interview,
        debrief=debrief,
    )
    if kind in rules.MEETING_KINDS and now >= meeting.starts_at:
        return "meeting started"
    return await _details(session, bot, reminder, base, meeting, now)


async def _details(
    session: AsyncSession,
    bot: BotContext,
    reminder: Reminder,
    base: ReminderMessage,
    meeting: Interview | Debrief,
    now: datetime,
) -> ReminderMessage | str:
    kind, recipient = base.kind, reminder.recipient_id
    candidate_id, meeting_id = row_id(base.candidate), row_id(meeting)
    if kind in INTERVIEWER_KINDS or kind == ReminderKind.ESCALATION:
        missing = await store.missing_scorecards(session, [meeting_id])
        due_at = rules.scorecard_due_at(ends_at(meeting), bot.settings.feedback_due_hours)
        if kind == ReminderKind.ESCALATION:
            if not missing:
                return "all scorecards in"
            late = tuple(user for _, user in missing)
            return _with(base, late=late, scorecard_due_at=due_at)
        if (meeting_id, recipient) not in missing:
            return "scorecard in or not attended"
        if kind == ReminderKind.INTERVIEW_SOON:
            # The kit went in full with the invitation; this one links to it.
            return base
        return _with(base, scorecard_due_at=due_at)
    if kind in DECISION_KINDS:
        if await store.decided_since(session, candidate_id, meeting.stage_key, reminder.created_at):
            return "decision recorded"
        return base
    interviews = await store.stage_interviews(session, candidate_id, meeting.stage_key)
    if kind == ReminderKind.DEBRIEF_CHASE:
        seats = await store.scorecard_seats(session, [i.id for i in interviews if i.id])
        owed = {
            interview_id for interview_id, user, done in seats if user == recipient and not done
        }
        mine = tuple(i for i in interviews if i.id in owed)
        return _with(base, missing=mine) if mine else "no scorecard missing"
    if now >= ends_at(meeting):
        return "debrief over"
    return _with(base, pack=await _pack(session, bot, recipient, interviews))


async def _pack(
    session: AsyncSession, bot: BotContext, recipient: str, interviews: Sequence[Interview]
) -> tuple[SummarySoFar, ...]:
    """Each interview of the stage as ``recipient`` may read it (the independence rule)."""
    # Imported here because bot.scorecards, which the feedback rule reads through, plans
    # its reminders through this module: at the top, the two would import each other.
    from bot.feedback_access import summary_so_far

    return tuple(
        [
            await summary_so_far(session, bot, user_id=recipient, interview_id=interview.id)
            for interview in interviews
            if interview.id is not None
        ]
    )


async def pack_on_request(
    session: AsyncSession, bot: BotContext, user_id: str, debrief_id: int
) -> ReminderMessage:
    """The debrief pack, asked for (App Home's *Open pack*) rather than sent 15 minutes
    before: for the debrief's attendees, the hiring manager and admins, at any time."""
    debrief = await session.get(Debrief, debrief_id)
    candidate = await session.get(Candidate, debrief.candidate_id) if debrief else None
    if debrief is None or candidate is None or candidate.id is None:
        raise NotFound(NOT_YOUR_DEBRIEF)
    attendees = await debrief_store.attendees_of(session, debrief_id)
    allowed = user_id in attendees or user_id == candidate.hiring_manager_id
    if not (allowed or bot.is_admin(user_id)):
        raise NotFound(NOT_YOUR_DEBRIEF)
    interviews = await store.stage_interviews(session, candidate.id, debrief.stage_key)
    return ReminderMessage(
        reminder_id=0,
        kind=ReminderKind.DEBRIEF_PACK,
        recipient_id=user_id,
        candidate=candidate,
        stage_title=stage_title(bot, debrief.stage_key),
        debrief=debrief,
        pack=await _pack(session, bot, user_id, interviews),
    )


def _with(base: ReminderMessage, **changes: Any) -> ReminderMessage:
    return ReminderMessage(**{**base.__dict__, **changes})


# ----------------------------------------------------------------- the sweep


class Outcome(StrEnum):
    SENT = "sent"
    HELD = "held"  # outside the recipient's working hours
    RETRYING = "retrying"
    FAILED = "failed"
    OBSOLETE = "obsolete"
    LOST = "lost"  # the claim expired before the outcome was recorded


@dataclass
class SweepReport:
    outcomes: Counter[Outcome]

    @property
    def sent(self) -> int:
        return self.outcomes[Outcome.SENT]


def zone_named(name: str | None, default: ZoneInfo) -> ZoneInfo:
    """The IANA zone ``name``, or ``default`` when it is missing or unknown."""
    if not name:
        return default
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return default


def retry_delay(attempts: int) -> timedelta:
    """1, 2, 4 … minutes after the 1st, 2nd, 3rd … failed attempt, at most 30."""
    delay: timedelta = RETRY_FIRST * 2 ** max(attempts - 1, 0)
    return min(delay, RETRY_LONGEST)


async def send_due_reminders(bot: BotContext, notifier: Notifier, *, owner: str) -> SweepReport:
    """Send every reminder that is due, in batches each claimed under a fresh token."""
    report = SweepReport(Counter())
    for _ in range(MAX_BATCHES):
        now = bot.clock.now()
        token = f"{owner[:40]}/{uuid.uuid4().hex[:16]}"
        async with transaction(bot.sessions) as session:
            claimed = await store.claim_due(
                session,
                now=now,
                lease_until=now + bot.settings.reminder_lease,
                token=token,
                limit=BATCH_SIZE,
            )
        report.outcomes.update(await _deliver_batch(bot, notifier, claimed, token))
        if len(claimed) < BATCH_SIZE:
            break
    if report.outcomes:
        logger.info("reminder sweep: %s", dict(report.outcomes))
    return report


async def _deliver_batch(
    bot: BotContext, notifier: Notifier, claimed: Sequence[Reminder], token: str
) -> list[Outcome]:
    """Different recipients at once, each one's reminders in order: Slack's rate limit is
    per channel, so sending one DM after another would leave the limit of every other
    channel unused (BENCHMARKS.md, the reminder burst)."""
    by_recipient: dict[str, list[Reminder]] = {}
    for reminder in claimed:
        by_recipient.setdefault(reminder.recipient_id, []).append(reminder)

    async def in_order(reminders: list[Reminder]) -> list[Outcome]:
        return [await _deliver(bot, notifier, reminder, token) for reminder in reminders]

    groups = await asyncio.gather(*(in_order(group) for group in by_recipient.values()))
    return [outcome for group in groups for outcome in group]


async def _deliver(bot: BotContext, notifier: Notifier, reminder: Reminder, token: str) -> Outcome:
    now = bot.clock.now()
    async with bot.sessions() as session:
        message = await load_message(session, bot, reminder, now)
    if isinstance(message, str):
        return await _record(bot, Outcome.OBSOLETE, store.mark_obsolete, reminder, token, message)
    settings = bot.settings
    zone = zone_named(await notifier.user_timezone(reminder.recipient_id), settings.timezone)
    allowed = rules.deliverable_at(
        now, zone, settings.working_days, settings.working_hours, message.meeting_starts_at
    )
    if allowed > now:
        return await _record(bot, Outcome.HELD, store.release, reminder, token, due_at=allowed)
    try:
        result = await notifier.deliver_reminder(message)
    except Exception as error:
        # A bug in rendering must not leave the row claimed forever; the type is enough
        # to find it, and the message could quote candidate data.
        logger.error("reminder %s raised %s while sending", reminder.id, type(error).__name__)
        result = SendResult(ok=False, error="internal_error", retryable=True)
    if result.ok and message.pack:
        from bot.feedback_access import record_shown  # see the import in _details

        await record_shown(bot, reminder.recipient_id, message.pack)
    return await _settle(bot, reminder, token, result)


async def _settle(bot: BotContext, reminder: Reminder, token: str, result: SendResult) -> Outcome:
    now = bot.clock.now()
    if result.ok:
        return await _record(
            bot, Outcome.SENT, store.mark_sent, reminder, token, now=now, message_ts=result.ts
        )
    error = result.error or "unknown_error"
    if result.retryable and reminder.attempts + 1 < MAX_ATTEMPTS:
        logger.warning("reminder %s failed with %s; will retry", reminder.id, error)
        due_at = now + retry_delay(reminder.attempts + 1)
        return await _record(
            bot, Outcome.RETRYING, store.release, reminder, token, due_at=due_at, error=error
        )
    logger.warning(
        "reminder %s (%s to %s) failed: %s",
        reminder.id,
        reminder.kind,
        reminder.recipient_id,
        error,
    )
    return await _record(bot, Outcome.FAILED, store.mark_failed, reminder, token, error=error)


async def _record(
    bot: BotContext,
    outcome: Outcome,
    write: Any,
    reminder: Reminder,
    token: str,
    *args: Any,
    **kwargs: Any,
) -> Outcome:
    async with transaction(bot.sessions) as session:
        held = await write(session, reminder.id, token, *args, **kwargs)
    if held:
        if outcome == Outcome.SENT:
            metrics.reminder_sent(reminder.kind)
        elif outcome == Outcome.FAILED:
            metrics.reminder_failed(reminder.kind)
        return outcome
    if outcome == Outcome.SENT:
        logger.warning(
            "reminder %s was sent after its claim expired: it may have gone out twice",
            reminder.id,
        )
    return Outcome.LOST
