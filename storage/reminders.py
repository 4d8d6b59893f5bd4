"""Reminder rows: planning them idempotently, claiming the due ones, recording the outcome.

Claiming is how replicas share the work without talking to each other. A claim is one
conditional ``UPDATE`` that moves due rows to ``claimed`` under a token unique to the
claimer, with a lease; the rows it moved are the claimer's alone, and every later write
is conditional on still holding that token. PostgreSQL also gets ``FOR UPDATE SKIP
LOCKED`` so that two replicas pick disjoint rows instead of queueing on the same ones;
SQLite serialises writers anyway and ignores the clause. A claimer that dies leaves its
rows claimed until the lease expires; then they are claimable again.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, update
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import upsert_insert
from storage.models import (
    Decision,
    Interview,
    InterviewInterviewer,
    InterviewStatus,
    Reminder,
    ReminderStatus,
    Scorecard,
)

OPEN_STATUSES = (ReminderStatus.PENDING, ReminderStatus.CLAIMED)


async def plan(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """Make the reminders in ``rows`` exist, one statement whatever their number.

    Each row holds the columns of a new reminder. A row whose ``dedupe_key`` exists is
    left alone when its due time is unchanged (a repeated event changes nothing) and is
    re-armed, back to pending at the new time, when it moved (a rescheduled interview's
    kit goes out again before the new time, even if it went out before the old one).
    """
    if not rows:
        return
    statement = upsert_insert(session)(Reminder).values(list(rows))
    statement = statement.on_conflict_do_update(
        index_elements=[col(Reminder.dedupe_key)],
        set_={
            "due_at": statement.excluded.due_at,
            "status": ReminderStatus.PENDING,
            "lease_until": None,
            "claimed_by": None,
            "attempts": 0,
            "last_error": None,
            "sent_at": None,
            "message_ts": None,
        },
        where=col(Reminder.due_at) != statement.excluded.due_at,
    )
    await session.exec(statement)


async def plan_once(session: AsyncSession, row: dict[str, Any]) -> bool:
    """Create one reminder unless its ``dedupe_key`` exists, whatever its state: True if
    it was created. The unique key is what makes "at most once" hold across replicas."""
    statement = upsert_insert(session)(Reminder).values(row)
    statement = statement.on_conflict_do_nothing(index_elements=[col(Reminder.dedupe_key)])
    result = await session.exec(statement)
    return bool(result.rowcount == 1)


async def existing_reminder_keys(session: AsyncSession, keys: Collection[str]) -> set[str]:
    """Which of ``keys`` name a reminder that exists (sent, pending or given up)."""
    if not keys:
        return set()
    rows = await session.exec(
        select(Reminder.dedupe_key).where(col(Reminder.dedupe_key).in_(list(keys)))
    )
    return set(rows)


async def cancel(
    session: AsyncSession,
    *,
    interview_id: int | None = None,
    debrief_id: int | None = None,
    candidate_id: int | None = None,
    recipient_id: str | None = None,
    kinds: Collection[str] | None = None,
    keep_keys: Collection[str] | None = None,
) -> int:
    """Cancel the open reminders matching every filter given; return how many.

    ``keep_keys`` spares reminders by dedupe key: re-planning an interview cancels what
    belonged to interviewers no longer on it and keeps the rest.
    """
    conditions: list[ColumnElement[bool]] = [col(Reminder.status).in_(OPEN_STATUSES)]
    if interview_id is not None:
        conditions.append(col(Reminder.interview_id) == interview_id)
    if debrief_id is not None:
        conditions.append(col(Reminder.debrief_id) == debrief_id)
    if candidate_id is not None:
        conditions.append(col(Reminder.candidate_id) == candidate_id)
    if recipient_id is not None:
        conditions.append(col(Reminder.recipient_id) == recipient_id)
    if kinds is not None:
        conditions.append(col(Reminder.kind).in_(list(kinds)))
    if keep_keys:
        conditions.append(col(Reminder.dedupe_key).not_in(list(keep_keys)))
    statement = (
        update(Reminder)
        .where(*conditions)
        .values(status=ReminderStatus.CANCELLED, lease_until=None, claimed_by=None)
    )
    result = await session.exec(statement, execution_options={"synchronize_session": False})
    return int(result.rowcount)


def _claimable(now: datetime) -> ColumnElement[bool]:
    return or_(
        and_(col(Reminder.status) == ReminderStatus.PENDING, col(Reminder.due_at) <= now),
        and_(col(Reminder.status) == ReminderStatus.CLAIMED, col(Reminder.lease_until) <= now),
    )


async def claim_due(
    session: AsyncSession, *, now: datetime, lease_until: datetime, token: str, limit: int
) -> list[Reminder]:
    """Claim up to ``limit`` due reminders (oldest first) for ``token`` and return them.

    Pending rows that are due, and claimed rows whose lease has run out, are claimable.
    The claimable condition is repeated on the outer ``UPDATE`` so that a row another
    claimer took between the subquery and the update is not taken twice.

    The candidates are a CTE, not a subquery of ``IN``: PostgreSQL may plan the latter as
    the inner side of a nested loop and run it again for each row, each run locking the
    next ``limit`` rows, so that one claim takes every due reminder. A CTE that locks rows
    runs once.
    """
    candidates = (
        select(Reminder.id)
        .where(_claimable(now))
        .order_by(col(Reminder.due_at), col(Reminder.id))
        .limit(limit)
        .with_for_update(skip_locked=True)
        .cte("candidates")
    )
    statement = (
        update(Reminder)
        .where(col(Reminder.id).in_(select(candidates.c.id)), _claimable(now))
        .values(status=ReminderStatus.CLAIMED, lease_until=lease_until, claimed_by=token)
    )
    result = await session.exec(statement, execution_options={"synchronize_session": False})
    if result.rowcount == 0:
        return []
    claimed = await session.exec(
        select(Reminder)
        .where(col(Reminder.claimed_by) == token, col(Reminder.status) == ReminderStatus.CLAIMED)
        .order_by(col(Reminder.due_at), col(Reminder.id))
    )
    return list(claimed.all())


async def _finish(
    session: AsyncSession, reminder_id: int, token: str, values: dict[str, Any]
) -> bool:
    """Write the outcome of a claim; False when the claim was lost (lease expired and
    another claimer took the row, or the reminder was cancelled or re-armed meanwhile)."""
    statement = (
        update(Reminder)
        .where(
            col(Reminder.id) == reminder_id,
            col(Reminder.claimed_by) == token,
            col(Reminder.status) == ReminderStatus.CLAIMED,
        )
        .values(lease_until=None, **values)
    )
    result = await session.exec(statement, execution_options={"synchronize_session": False})
    return result.rowcount == 1


async def mark_sent(
    session: AsyncSession, reminder_id: int, token: str, *, now: datetime, message_ts: str | None
) -> bool:
    return await _finish(
        session,
        reminder_id,
        token,
        {
            "status": ReminderStatus.SENT,
            "sent_at": now,
            "message_ts": message_ts,
            "attempts": Reminder.attempts + 1,
            "last_error": None,
        },
    )


async def mark_failed(session: AsyncSession, reminder_id: int, token: str, *, error: str) -> bool:
    return await _finish(
        session,
        reminder_id,
        token,
        {
            "status": ReminderStatus.FAILED,
            "attempts": Reminder.attempts + 1,
            "last_error": error[:200],
        },
    )


async def release(
    session: AsyncSession,
    reminder_id: int,
    token: str,
    *,
    due_at: datetime,
    error: str | None = None,
) -> bool:
    """Give a claimed reminder back, due again at ``due_at``: held for working hours
    (no error, no attempt counted) or to be retried after a transient failure."""
    values: dict[str, Any] = {
        "status": ReminderStatus.PENDING,
        "claimed_by": None,
        "due_at": due_at,
    }
    if error is not None:
        values |= {"attempts": Reminder.attempts + 1, "last_error": error[:200]}
    return await _finish(session, reminder_id, token, values)


async def mark_obsolete(session: AsyncSession, reminder_id: int, token: str, reason: str) -> bool:
    """Cancel a claimed reminder whose reason is gone (the scorecard is in, the interview
    was cancelled); ``reason`` is kept in ``last_error`` for whoever looks at the row."""
    return await _finish(
        session,
        reminder_id,
        token,
        {"status": ReminderStatus.CANCELLED, "last_error": reason[:200]},
    )


# ----------------------------------------------------------------- at send time
# A reminder is checked against the current state just before it goes out, so that one
# whose reason is gone (a scorecard came in, an interviewer was marked absent) is dropped
# even if the event that should have cancelled it was missed.


def seat_scorecard() -> ColumnElement[bool]:
    """Joins an interviewer's seat to the scorecard they owe for it."""
    return and_(
        col(Scorecard.interview_id) == col(InterviewInterviewer.interview_id),
        col(Scorecard.interviewer_id) == col(InterviewInterviewer.user_id),
    )


async def scorecard_seats(
    session: AsyncSession, interview_ids: Collection[int]
) -> list[tuple[int, str, bool]]:
    """``(interview_id, user_id, submitted)`` for each attending interviewer."""
    if not interview_ids:
        return []
    rows = await session.exec(
        select(
            InterviewInterviewer.interview_id,
            InterviewInterviewer.user_id,
            col(Scorecard.id).is_not(None),
        )
        .outerjoin(Scorecard, seat_scorecard())
        .where(
            col(InterviewInterviewer.interview_id).in_(list(interview_ids)),
            col(InterviewInterviewer.attended),
        )
        .order_by(col(InterviewInterviewer.interview_id), col(InterviewInterviewer.user_id))
    )
    return [(interview_id, user_id, bool(submitted)) for interview_id, user_id, submitted in rows]


async def missing_scorecards(
    session: AsyncSession, interview_ids: Collection[int]
) -> list[tuple[int, str]]:
    """``(interview_id, user_id)`` of each attending interviewer with no scorecard yet."""
    seats = await scorecard_seats(session, interview_ids)
    return [(interview_id, user_id) for interview_id, user_id, submitted in seats if not submitted]


async def stage_interviews(
    session: AsyncSession, candidate_id: int, stage_key: str
) -> list[Interview]:
    """The scheduled (not cancelled) interviews of a candidate's stage, earliest first."""
    rows = await session.exec(
        select(Interview)
        .where(
            col(Interview.candidate_id) == candidate_id,
            col(Interview.stage_key) == stage_key,
            col(Interview.status) == InterviewStatus.SCHEDULED,
        )
        .order_by(col(Interview.starts_at), col(Interview.id))
    )
    return list(rows.all())


async def decided_since(
    session: AsyncSession, candidate_id: int, stage_key: str, since: datetime
) -> bool:
    """Whether a decision on the candidate's ``stage_key`` was recorded at or after ``since``."""
    rows = await session.exec(
        select(Decision.id)
        .where(
            col(Decision.candidate_id) == candidate_id,
            col(Decision.stage_key) == stage_key,
            col(Decision.decided_at) >= since,
        )
        .limit(1)
    )
    return rows.first() is not None


async def reassign(
    session: AsyncSession,
    *,
    candidate_id: int,
    kinds: Sequence[str],
    old_recipient: str,
    new_recipient: str,
) -> None:
    """Pending reminders of these kinds for ``old_recipient`` go to ``new_recipient``; the
    dedupe key names the new recipient, so re-planning finds them."""
    rows = await session.exec(
        select(Reminder).where(
            Reminder.candidate_id == candidate_id,
            Reminder.recipient_id == old_recipient,
            col(Reminder.kind).in_(kinds),
            Reminder.status == ReminderStatus.PENDING,
        )
    )
    for reminder in rows.all():
        reminder.recipient_id = new_recipient
        reminder.dedupe_key = reminder.dedupe_key.removesuffix(old_recipient) + new_recipient
        session.add(reminder)
