"""Outbox rows: queueing messages, coalescing edits, claiming what can go now, recording
what came of it, and finding what was sent about a candidate.

Claims follow ``storage/reminders.py``: a conditional ``UPDATE`` moves rows to ``claimed``
under a token unique to the claimer with a lease, and every later write is conditional on
still holding that token; a claimer that dies leaves its rows to be taken over once the
lease runs out. One more rule keeps each lane (a channel, or the person a DM goes to) in
order: a row is claimable only when every open row before it in its lane is claimable too,
so nothing overtakes a row that waits (for ``Retry-After``, for a backoff, or in another
replica's hands). On PostgreSQL a claim first takes a transaction-scoped advisory lock so
that two replicas never claim from one lane at once; each claim is one short statement, so
the lock is held for milliseconds. SQLite serialises writers anyway.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Table, and_, bindparam, case, delete, func, insert, or_, text, update
from sqlalchemy.orm import load_only
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import OutboxMention, OutboxMessage, OutboxMethod, OutboxStatus
from storage.types import UTCDateTime

OPEN = (OutboxStatus.PENDING, OutboxStatus.CLAIMED)
# Methods that create a message (and so a ts that later rows refer to by key).
POSTING = (OutboxMethod.POST, OutboxMethod.DM, OutboxMethod.UPLOAD)
# Any constant: the lock only has to be the same one in every replica.
_CLAIM_LOCK = 0x0B0C5


def _claimable(now: datetime) -> ColumnElement[bool]:
    return or_(
        and_(
            col(OutboxMessage.status) == OutboxStatus.PENDING,
            col(OutboxMessage.next_attempt_at) <= now,
        ),
        and_(
            col(OutboxMessage.status) == OutboxStatus.CLAIMED,
            col(OutboxMessage.lease_until) <= now,
        ),
    )


# Built once: every message queued under a key (each card edit, three times a scorecard)
# asks this, and building the statement cost more than SQLite's answer.
_LATEST = (
    select(OutboxMessage)
    .where(
        col(OutboxMessage.key) == bindparam("key"),
        col(OutboxMessage.status) != OutboxStatus.CANCELLED,
    )
    .order_by(col(OutboxMessage.id).desc())
    .limit(1)
)


# Not named as columns: an UPDATE keeps those names for its SET clause.
_REPLACE_PENDING = (
    update(OutboxMessage)
    .where(
        col(OutboxMessage.id) == bindparam("pending_id"),
        col(OutboxMessage.status) == OutboxStatus.PENDING,
    )
    .values(payload=bindparam("new_payload", type_=JSON))
)


async def latest(session: AsyncSession, key: str) -> OutboxMessage | None:
    """The newest row of ``key`` that is not cancelled, or None."""
    return (await session.exec(_LATEST, params={"key": key})).first()


async def replace_pending(session: AsyncSession, row_id: int, payload: dict[str, Any]) -> bool:
    """Give a pending row newer content; False when it was claimed meanwhile."""
    result = await session.exec(
        _REPLACE_PENDING,
        params={"pending_id": row_id, "new_payload": payload},
        execution_options={"synchronize_session": False},
    )
    return bool(result.rowcount == 1)


async def set_content(
    session: AsyncSession, row_id: int, text: str, blocks: list[dict[str, Any]] | None
) -> None:
    """Replace what a row says (a shared message edited to drop an erased candidate)."""
    row = await session.get(OutboxMessage, row_id)
    if row is not None:
        row.payload = {**row.payload, "text": text, "blocks": blocks}
        session.add(row)


# Plain rows: a request queues two or three messages, and the ORM's unit of work for each
# cost more than the change that caused it.
_INSERT = insert(OutboxMessage)
_INSERT_FOR_ID = _INSERT.returning(col(OutboxMessage.id))
_INSERT_MENTIONS = insert(OutboxMention)


async def add(session: AsyncSession, row: OutboxMessage, mentions: Iterable[int] = ()) -> None:
    """Write ``row`` now (the session does not track it)."""
    values = row.model_dump(exclude={"id"})
    connection = await session.connection()
    wanted = set(mentions)
    if not wanted:
        await connection.execute(_INSERT, values)
        return
    message_id = (await connection.execute(_INSERT_FOR_ID, values)).scalar_one()
    await connection.execute(
        _INSERT_MENTIONS, [{"message_id": message_id, "candidate_id": c} for c in wanted]
    )


async def claim(
    session: AsyncSession,
    *,
    now: datetime,
    lease_until: datetime,
    token: str,
    limit: int,
    per_lane: int,
    one_per_lane: Collection[str] = (),
    skip_lanes: Collection[str] = (),
) -> list[OutboxMessage]:
    """Claim up to ``limit`` rows that can be sent now, oldest first: at most ``per_lane``
    from each lane, one from each of ``one_per_lane`` (lanes Slack told to slow down), none
    from ``skip_lanes`` (lanes waiting out a ``Retry-After``)."""
    if session.get_bind().dialect.name == "postgresql":
        connection = await session.connection()
        await connection.execute(text(f"SELECT pg_advisory_xact_lock({_CLAIM_LOCK})"))
    waiting = case((_claimable(now), 0), else_=1)
    lane, order = col(OutboxMessage.lane), col(OutboxMessage.id)
    open_rows = (
        select(
            col(OutboxMessage.id).label("id"),
            col(OutboxMessage.lane).label("lane"),
            func.sum(waiting).over(partition_by=lane, order_by=order).label("blocked"),
            func.row_number().over(partition_by=lane, order_by=order).label("n"),
        )
        .where(col(OutboxMessage.status).in_(OPEN))
        .subquery("open_rows")
    )
    most = (
        case((open_rows.c.lane.in_(list(one_per_lane)), 1), else_=per_lane)
        if one_per_lane
        else per_lane
    )
    chosen = select(open_rows.c.id).where(open_rows.c.blocked == 0, open_rows.c.n <= most)
    if skip_lanes:
        chosen = chosen.where(open_rows.c.lane.not_in(list(skip_lanes)))
    ids = list((await session.exec(chosen.order_by(open_rows.c.id).limit(limit))).all())
    if not ids:
        return []
    await session.exec(
        update(OutboxMessage)
        .where(col(OutboxMessage.id).in_(ids), _claimable(now))
        .values(status=OutboxStatus.CLAIMED, lease_until=lease_until, claimed_by=token),
        execution_options={"synchronize_session": False},
    )
    rows = await session.exec(
        select(OutboxMessage)
        .where(
            col(OutboxMessage.claimed_by) == token,
            col(OutboxMessage.status) == OutboxStatus.CLAIMED,
        )
        .order_by(col(OutboxMessage.id))
        .execution_options(populate_existing=True)
    )
    return list(rows.all())


@dataclass(frozen=True)
class Sent:
    """Where a posting row's message is, or why it is not (its status)."""

    status: str
    channel: str | None
    ts: str | None
    file_id: str | None


async def sent_by_key(session: AsyncSession, keys: Collection[str]) -> dict[str, Sent]:
    """For each key, its newest posting row that is not cancelled: where it went, if it did."""
    if not keys:
        return {}
    newest = (
        select(func.max(OutboxMessage.id))
        .where(
            col(OutboxMessage.key).in_(list(keys)),
            col(OutboxMessage.method).in_(POSTING),
            col(OutboxMessage.status) != OutboxStatus.CANCELLED,
        )
        .group_by(col(OutboxMessage.key))
    )
    # Five columns: more than sqlmodel's select is typed for, and the payload stays unread.
    fields: list[Any] = [
        OutboxMessage.key,
        OutboxMessage.status,
        OutboxMessage.sent_channel,
        OutboxMessage.sent_ts,
        OutboxMessage.file_id,
    ]
    rows = await session.exec(
        select(OutboxMessage).options(load_only(*fields)).where(col(OutboxMessage.id).in_(newest))
    )
    return {
        str(row.key): Sent(row.status, row.sent_channel, row.sent_ts, row.file_id) for row in rows
    }


# The outcome of one claimed row, as bound parameters of one executemany UPDATE.
_TABLE: Table = OutboxMessage.__table__  # type: ignore[attr-defined]
_OUTCOME = (
    update(_TABLE)
    .where(
        _TABLE.c.id == bindparam("row_id"),
        _TABLE.c.claimed_by == bindparam("token"),
        _TABLE.c.status == OutboxStatus.CLAIMED,
    )
    .values(
        status=bindparam("new_status"),
        attempts=_TABLE.c.attempts + bindparam("tried"),
        next_attempt_at=bindparam("retry_at"),
        last_error=bindparam("error"),
        sent_channel=bindparam("channel"),
        sent_ts=bindparam("ts"),
        file_id=bindparam("file"),
        sent_at=bindparam("at"),
        lease_until=None,
    )
)


async def record(session: AsyncSession, token: str, outcomes: Sequence[dict[str, Any]]) -> None:
    """Write the outcomes of claimed rows in one statement; rows whose claim was lost (the
    lease ran out and another replica took them, or an erase cancelled them) stay as the
    other writer left them. Each outcome has ``row_id``, ``new_status``, ``tried`` (0 or 1),
    ``retry_at``, ``error``, ``channel``, ``ts``, ``file`` and ``at``."""
    if not outcomes:
        return
    connection = await session.connection()
    await connection.execute(_OUTCOME, [{**outcome, "token": token} for outcome in outcomes])


async def cancelled_among(session: AsyncSession, ids: Collection[int]) -> list[OutboxMessage]:
    """Those of ``ids`` cancelled while they were being sent (an erase raced the sender)."""
    if not ids:
        return []
    rows = await session.exec(
        select(OutboxMessage).where(
            col(OutboxMessage.id).in_(list(ids)),
            col(OutboxMessage.status) == OutboxStatus.CANCELLED,
        )
    )
    return list(rows.all())


async def next_due(session: AsyncSession, after: datetime) -> datetime | None:
    """The first moment after ``after`` at which an open row becomes claimable (a pending
    row's next attempt, a claimed row's lease), or None. Rows due already but not claimed
    wait behind one of those, in their lane."""
    moment = func.coalesce(OutboxMessage.lease_until, OutboxMessage.next_attempt_at)
    result = await session.exec(
        select(func.min(moment)).where(col(OutboxMessage.status).in_(OPEN), moment > after)
    )
    value = result.first()
    return None if value is None else _aware(value)


def _aware(value: Any) -> datetime:
    # Through coalesce SQLite may hand back its string or a naive datetime.
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return UTCDateTime().process_result_value(value, None)  # type: ignore[arg-type, return-value]


async def remembered(session: AsyncSession, candidate_id: int) -> list[OutboxMessage]:
    """Every message still standing in Slack that was sent about the candidate."""
    rows = await session.exec(
        select(OutboxMessage)
        .where(
            col(OutboxMessage.candidate_id) == candidate_id,
            col(OutboxMessage.method).in_(POSTING),
            col(OutboxMessage.status) == OutboxStatus.SENT,
        )
        .order_by(col(OutboxMessage.id))
    )
    return list(rows.all())


async def mentioning(session: AsyncSession, candidate_id: int) -> list[OutboxMessage]:
    """Shared messages (sent, or still to send) that name the candidate among others."""
    rows = await session.exec(
        select(OutboxMessage)
        .join(OutboxMention, col(OutboxMention.message_id) == col(OutboxMessage.id))
        .where(
            col(OutboxMention.candidate_id) == candidate_id,
            col(OutboxMessage.status) != OutboxStatus.CANCELLED,
        )
        .order_by(col(OutboxMessage.id))
    )
    return list(rows.all())


async def forget_candidate(session: AsyncSession, candidate_id: int) -> None:
    """Cancel what is still to be sent about the candidate and drop every row that held
    their data (the sender deletes in Slack whatever was in flight, see ``cancelled_among``).
    Rows in flight keep their id so the sender can find them; their payload is emptied."""
    await session.exec(
        update(OutboxMessage)
        .where(
            col(OutboxMessage.candidate_id) == candidate_id,
            col(OutboxMessage.status) == OutboxStatus.CLAIMED,
        )
        .values(status=OutboxStatus.CANCELLED, payload={}, key=None, parent_key=None),
        execution_options={"synchronize_session": False},
    )
    await session.exec(
        delete(OutboxMessage).where(
            col(OutboxMessage.candidate_id) == candidate_id,
            col(OutboxMessage.status) != OutboxStatus.CANCELLED,
        ),
        execution_options={"synchronize_session": False},
    )
    await session.exec(
        delete(OutboxMention).where(col(OutboxMention.candidate_id) == candidate_id),
        execution_options={"synchronize_session": False},
    )


async def undelivered(session: AsyncSession, *, since: datetime, limit: int) -> list[OutboxMessage]:
    """Messages Slack refused for good since ``since``, newest first."""
    rows = await session.exec(
        select(OutboxMessage)
        .where(
            col(OutboxMessage.status) == OutboxStatus.FAILED,
            col(OutboxMessage.created_at) >= since,
        )
        .order_by(col(OutboxMessage.id).desc())
        .limit(limit)
    )
    return list(rows.all())
