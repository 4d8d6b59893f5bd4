"""Reminders planned by domain events: the hooks the services call.

The domain services call these inside their own transaction (an interview scheduled, a
scorecard submitted, a decision recorded …); each turns the event into reminder rows, by
the rules of ``bot.reminder_rules``, or cancels them. What a due reminder says is
``bot.reminder_messages``; sending it, ``bot.reminder_sweep``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from bot import reminder_rules as rules
from bot.reminder_rules import ReminderKind
from storage import reminders as store
from storage.models import Debrief, Interview, row_id
from storage.scorecards import missing_scorecards


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


async def interviewer_done(
    session: AsyncSession,
    interview: Interview,
    interviewer_id: str,
    *,
    hiring_manager_id: str,
    now: datetime,
) -> None:
    """The interviewer owes nothing more for this interview (their scorecard is in, or
    they did not attend): their own reminders stop; when no scorecard is missing any more,
    the escalation stops and the hiring manager has a day to decide."""
    interview_id = row_id(interview)
    await store.cancel(
        session,
        interview_id=interview_id,
        recipient_id=interviewer_id,
        kinds=rules.INTERVIEWER_KINDS,
    )
    if await missing_scorecards(session, [interview_id]):
        return
    await store.cancel(session, interview_id=interview_id, kinds=[ReminderKind.ESCALATION])
    pending = rules.plan_decision_pending(interview_id, hiring_manager_id, now=now)
    await store.plan(
        session,
        _rows([pending], candidate_id=interview.candidate_id, interview_id=interview.id, now=now),
    )


async def decision_recorded(session: AsyncSession, candidate_id: int, *, closed: bool) -> None:
    """A decision ends the wait for one; closing the candidate ends everything."""
    kinds = None if closed else rules.DECISION_KINDS
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
