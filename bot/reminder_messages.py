"""What a reminder says: the DM a due reminder carries, read from the current state.

A reminder is checked against the current state just before it goes out, so that one
whose reason is gone (a scorecard came in, an interviewer was marked absent, the meeting
was cancelled) is dropped even if the event that should have cancelled it was missed.
``load_message`` gives either the message or the reason it is no longer sent; the debrief
pack applies the independence rule to its recipient (``bot.feedback_access``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import reminder_rules as rules
from bot.context import BotContext
from bot.debrief_summary_reads import SummarySoFar, summary_so_far
from bot.errors import NotFound
from bot.kits import Stage, UnknownStageError
from bot.reminder_planning import ends_at
from bot.reminder_rules import ReminderKind
from bot.scorecards import ScorecardContent, read_contents, stage_is_closed
from storage import debriefs as debrief_store
from storage import decisions as decision_store
from storage import interviews as interview_store
from storage import scorecards as scorecard_store
from storage.models import (
    CLOSED_STATUSES,
    Candidate,
    Debrief,
    Interview,
    InterviewStatus,
    Reminder,
    row_id,
)
from storage.scorecards import scorecard_of

NOT_YOUR_DEBRIEF = "That debrief is for its attendees and the candidate's hiring manager."


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
    if kind in rules.INTERVIEWER_KINDS or kind == ReminderKind.ESCALATION:
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
    if kind in rules.DECISION_KINDS:
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
    if base.debrief is None:
        return "no debrief"
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


# A sweep's batch reads the scorecards its interviews still miss with one statement and
# keeps them in the session's ``info`` under this key, by interview.
_MISSING = "reminder_messages.missing_scorecards"


async def _missing_scorecards(session: AsyncSession, interview_id: int) -> list[tuple[int, str]]:
    prefetched = session.info.get(_MISSING)
    if prefetched is not None and interview_id in prefetched:
        return list(prefetched[interview_id])
    return await scorecard_store.missing_scorecards(session, [interview_id])


async def prefetch(session: AsyncSession, claimed: Sequence[Reminder]) -> None:
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
