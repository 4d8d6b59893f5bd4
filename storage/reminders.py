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

from collections.abc import Callable, Collection, Sequence
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import and_, bindparam, or_, update
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import upsert_insert
from storage.models import Reminder, ReminderStatus

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


_CANCEL_FILTERS: dict[str, Callable[[], ColumnElement[bool]]] = {
    "interview_id": lambda: col(Reminder.interview_id) == bindparam("by_interview_id"),
    "debrief_id": lambda: col(Reminder.debrief_id) == bindparam("by_debrief_id"),
    "candidate_id": lambda: col(Reminder.candidate_id) == bindparam("by_candidate_id"),
    "recipient_id": lambda: col(Reminder.recipient_id) == bindparam("by_recipient_id"),
    "kinds": lambda: col(Reminder.kind).in_(bindparam("by_kinds", expanding=True)),
    "keep_keys": lambda: col(Reminder.dedupe_key).not_in(bindparam("by_keep_keys", expanding=True)),
}


@cache
def _cancelling(filters: tuple[str, ...]) -> Any:
    """The cancelling ``UPDATE`` for one combination of filters, built once: every
    scorecard cancels its interviewer's reminders, and building it cost more than running it."""
    return (
        update(Reminder)
        .where(col(Reminder.status).in_(OPEN_STATUSES), *(_CANCEL_FILTERS[f]() for f in filters))
        .values(status=ReminderStatus.CANCELLED, lease_until=None, claimed_by=None)
    )


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
    given = {
        "interview_id": interview_id,
        "debrief_id": debrief_id,
        "candidate_id": candidate_id,
        "recipient_id": recipient_id,
        "kinds": None if kinds is None else list(kinds),
        "keep_keys": list(keep_keys) if keep_keys else None,
    }
    filters = tuple(name for name, value in given.items() if value is not None)
    # Not named as columns: an UPDATE keeps those names for its SET clause.
    params = {f"by_{name}": given[name] for name in filters}
    result = await session.exec(
        _cancelling(filters),
        params=params,
        execution_options={"synchronize_session": False},
    )
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


async def mark_sent_many(
    session: AsyncSession, reminder_ids: Sequence[int], token: str, *, now: datetime
) -> set[int]:
    """Record that these claimed reminders were handed to the outbox, in one statement;
    the ids still held by ``token`` (a claim lost to another replica is left alone)."""
    if not reminder_ids:
        return set()
    statement = (
        update(Reminder)
        .where(
            col(Reminder.id).in_(list(reminder_ids)),
            col(Reminder.claimed_by) == token,
            col(Reminder.status) == ReminderStatus.CLAIMED,
        )
        .values(
            status=ReminderStatus.SENT,
            sent_at=now,
            lease_until=None,
            attempts=Reminder.attempts + 1,
            last_error=None,
        )
        .returning(col(Reminder.id))
    )
    result = await session.exec(statement, execution_options={"synchronize_session": False})
    return set(result.scalars())


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
