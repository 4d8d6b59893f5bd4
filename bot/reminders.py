"""Reminders: planned by domain events, sent by the sweep job, once.

The domain services call the functions of the first half inside their own transaction
(an interview scheduled, a scorecard submitted, a decision recorded …); each turns the
event into reminder rows or cancels them. ``send_due_reminders`` is the body of the sweep
job: claim what is due, check that it still matters, hold it for the recipient's working
hours, send it, record the outcome.

A reminder is one kind of outbox message: the sweep queues it (``bot/outbox.py``) in the
transaction that marks it sent, and the outbox's sender delivers it, retrying what Slack
could not take. A replica that dies with a claimed batch leaves its claim to expire after
``settings.reminder_lease``; the batch is then queued by another, once, since queueing
and recording commit together.
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

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import metrics
from bot import reminder_rules as rules
from bot.context import BotContext
from bot.errors import Conflict, NotFound, PermissionDenied
from bot.kits import Stage, UnknownStageError
from bot.notifier import Notifier
from bot.reminder_rules import ReminderKind
from storage import debriefs as debrief_store
from storage import decisions as decision_store
from storage import interviews as interview_store
from storage import marks
from storage import reminders as store
from storage import scorecards as scorecard_store
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
    from bot.scorecards import ScorecardContent

logger = logging.getLogger(__name__)

# A batch is claimed, loaded, queued and recorded with a few statements: large batches
# keep the CPU per reminder low (BENCHMARKS.md, the reminder burst).
BATCH_SIZE = 500
# One sweep queues at most this many batches (10,000 reminders); the next one carries on.
MAX_BATCHES = 20

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
    if await scorecard_store.missing_scorecards(session, [interview_id]):
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
    await marks.seat_excused(session, seat, interview.candidate_id)
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
    # debrief confirm: the recipient's scorecards of the stage, and the kit that names
    # their ratings (None when the stage's kit file is gone)
    own: tuple[ScorecardContent, ...] = ()
    stage: Stage | None = None

    @property
    def meeting_starts_at(self) -> datetime | None:
        """The start of the meeting this reminder prepares for, if it prepares for one."""
        if self.kind not in rules.MEETING_KINDS:
            return None
        meeting = self.interview or self.debrief
        return meeting.starts_at if meeting is not None else None


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
        stage_title=bot.kits.stage_title(meeting.stage_key),
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
        missing = await _missing_scorecards(session, meeting_id)
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
        if await decision_store.decided_since(
            session, candidate_id, meeting.stage_key, reminder.created_at
        ):
            return "decision recorded"
        return base
    interviews = await interview_store.stage_interviews(session, candidate_id, meeting.stage_key)
    if kind == ReminderKind.DEBRIEF_CONFIRM:
        return await _own_scorecards(session, bot, reminder, base, interviews)
    if kind == ReminderKind.DEBRIEF_CHASE:
        seats = await scorecard_store.scorecard_seats(session, [i.id for i in interviews if i.id])
        owed = {
            interview_id for interview_id, user, done in seats if user == recipient and not done
        }
        mine = tuple(i for i in interviews if i.id in owed)
        return _with(base, missing=mine) if mine else "no scorecard missing"
    if now >= ends_at(meeting):
        return "debrief over"
    return _with(base, pack=await _pack(session, bot, recipient, interviews))


async def _own_scorecards(
    session: AsyncSession,
    bot: BotContext,
    reminder: Reminder,
    base: ReminderMessage,
    interviews: Sequence[Interview],
) -> ReminderMessage | str:
    """The recipient's scorecards of the debriefed stage, to confirm or change; none once
    a decision has closed the stage (its scorecards are read-only then)."""
    from bot.scorecards import read_contents, stage_is_closed  # see the import in _pack

    assert base.debrief is not None
    stage_key = base.debrief.stage_key
    if await stage_is_closed(session, base.candidate, stage_key):
        return "stage closed"
    found = [
        card
        for interview in interviews
        if interview.id is not None
        and (card := await scorecard_of(session, interview.id, reminder.recipient_id))
    ]
    if not found:
        return "no scorecard to confirm"
    try:
        stage: Stage | None = bot.kits.stage(stage_key)
    except UnknownStageError:
        stage = None
    return _with(base, own=tuple(await read_contents(session, found)), stage=stage)


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
    interviews = await interview_store.stage_interviews(session, candidate.id, debrief.stage_key)
    return ReminderMessage(
        reminder_id=0,
        kind=ReminderKind.DEBRIEF_PACK,
        recipient_id=user_id,
        candidate=candidate,
        stage_title=bot.kits.stage_title(debrief.stage_key),
        debrief=debrief,
        pack=await _pack(session, bot, user_id, interviews),
    )


def _with(base: ReminderMessage, **changes: Any) -> ReminderMessage:
    return ReminderMessage(**{**base.__dict__, **changes})


# ----------------------------------------------------------------- the sweep


class Outcome(StrEnum):
    SENT = "sent"  # handed to the outbox, which delivers it
    HELD = "held"  # outside the recipient's working hours
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


async def send_due_reminders(bot: BotContext, notifier: Notifier, *, owner: str) -> SweepReport:
    """Hand every due reminder to the outbox, in batches each claimed under a fresh token:
    a batch's reminders are loaded with a few statements, rendered, queued and recorded in
    one transaction, and the outbox's sender delivers them (retries included)."""
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
        if claimed:
            report.outcomes.update(await _queue_batch(bot, notifier, claimed, token))
        if len(claimed) < BATCH_SIZE:
            break
    if report.outcomes:
        logger.info("reminder sweep: %s", dict(report.outcomes))
    return report


async def _queue_batch(
    bot: BotContext, notifier: Notifier, claimed: Sequence[Reminder], token: str
) -> list[Outcome]:
    settings = bot.settings
    recipients = sorted({reminder.recipient_id for reminder in claimed})
    # Profiles are read from Slack outside the transaction (cached for an hour).
    names = await asyncio.gather(*(notifier.user_timezone(user) for user in recipients))
    zones = {
        user: zone_named(name, settings.timezone)
        for user, name in zip(recipients, names, strict=True)
    }
    outcomes: list[Outcome] = []
    now = bot.clock.now()
    # Read without holding the database's writer (SQLite has one): the sender and the
    # users' transactions go on meanwhile; only the outcomes are written below.
    obsolete: list[tuple[Reminder, str]] = []
    held_until: list[tuple[Reminder, datetime]] = []
    to_send: list[tuple[Reminder, ReminderMessage]] = []
    async with bot.sessions() as session:
        await _prefetch(session, claimed)
        for reminder in claimed:
            message = await load_message(session, bot, reminder, now)
            if isinstance(message, str):
                obsolete.append((reminder, message))
                continue
            allowed = rules.deliverable_at(
                now,
                zones[reminder.recipient_id],
                settings.working_days,
                settings.working_hours,
                message.meeting_starts_at,
            )
            if allowed > now:
                held_until.append((reminder, allowed))
                continue
            to_send.append((reminder, message))
    async with transaction(bot.sessions) as session:
        for reminder, reason in obsolete:
            held = await store.mark_obsolete(session, _rid(reminder), token, reason)
            outcomes.append(Outcome.OBSOLETE if held else Outcome.LOST)
        for reminder, allowed in held_until:
            held = await store.release(session, _rid(reminder), token, due_at=allowed)
            outcomes.append(Outcome.HELD if held else Outcome.LOST)
        # One statement records the batch; a reminder whose claim was lost meanwhile
        # (another replica took it over) is not queued twice.
        kept = await store.mark_sent_many(
            session, [_rid(reminder) for reminder, _ in to_send], token, now=now
        )
        for reminder, message in to_send:
            if reminder.id not in kept:
                outcomes.append(Outcome.LOST)
                continue
            await notifier.queue_reminder(session, bot, message)
            if message.pack:
                from bot.feedback_access import record_shown  # see the import in _details

                await record_shown(session, bot, reminder.recipient_id, message.pack)
            outcomes.append(Outcome.SENT)
    for reminder, _ in to_send:
        if reminder.id in kept:
            metrics.reminder_sent(reminder.kind)
    return outcomes


# A sweep's batch reads the scorecards its interviews still miss with one statement and
# keeps them in the session's ``info`` under this key, by interview.
_MISSING = "reminders.missing_scorecards"


async def _missing_scorecards(session: AsyncSession, interview_id: int) -> list[tuple[int, str]]:
    prefetched = session.info.get(_MISSING)
    if prefetched is not None and interview_id in prefetched:
        return list(prefetched[interview_id])
    return await scorecard_store.missing_scorecards(session, [interview_id])


async def _prefetch(session: AsyncSession, claimed: Sequence[Reminder]) -> None:
    """Load the batch's candidates, interviews and debriefs with one statement each, and
    the scorecards its interviews miss: the per-reminder lookups then find them in the
    session instead of asking the database."""
    interview_ids = sorted({r.interview_id for r in claimed if r.interview_id is not None})
    missing: dict[int, list[tuple[int, str]]] = {i: [] for i in interview_ids}
    for interview_id, user_id in await scorecard_store.missing_scorecards(session, interview_ids):
        missing[interview_id].append((interview_id, user_id))
    session.info[_MISSING] = missing
    for model, ids in (
        (Candidate, {r.candidate_id for r in claimed}),
        (Interview, {r.interview_id for r in claimed}),
        (Debrief, {r.debrief_id for r in claimed}),
    ):
        wanted = [i for i in ids if i is not None]
        if wanted:
            await session.exec(select(model).where(col(model.id).in_(wanted)))


def _rid(reminder: Reminder) -> int:
    assert reminder.id is not None
    return reminder.id
