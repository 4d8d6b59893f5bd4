"""Everything the bot says in Slack, queued as rows in the caller's transaction.

A flow renders its messages and hands them here inside the transaction of the change that
causes them: a committed change always gets its messages, a rolled-back one never does, and
the user's action has succeeded once it commits, whatever Slack does next. The sender
(``handlers/outbox_sender.py``) drains the rows, paced by Slack's answers, and records
where each message went so that later edits, thread replies and an erase can find it.

Messages are named by a key ("card:12", "kit:interview:7:U0ANA"): putting a message under
a key that exists edits it (or, while the first version is still queued, replaces it, so
five edits in a second send the newest state once).
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import event
from sqlalchemy import update as sql_update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.context import BotContext
from storage import incidents as incident_store
from storage import outbox as store
from storage.models import (
    Candidate,
    Debrief,
    DigestRun,
    Interview,
    InterviewInterviewer,
    OutboxMessage,
    OutboxMethod,
    OutboxStatus,
    row_id,
)

# Shown to admins and in the digest for this long after a message was refused.
UNDELIVERED_WINDOW = timedelta(days=7)
# DMs whose refusal the candidate's thread hears of (``handlers/undelivered.py``): a
# panel without its kits, a debrief an attendee does not know of.
KIT_DM = "kit"
DEBRIEF_DM = "debrief"


def card_key(candidate_id: int) -> str:
    return f"card:{candidate_id}"


def kit_key(interview_id: int, user_id: str) -> str:
    return f"kit:interview:{interview_id}:{user_id}"


def _wake_after_commit(session: AsyncSession, bot: BotContext) -> None:
    """Wake this process's sender once the rows are committed (never before: it would not
    see them); other replicas' rows are found by the sender's poll."""
    sync = session.sync_session
    if sync.info.get("outbox_wake"):
        return
    sync.info["outbox_wake"] = True

    def committed(_session: Any) -> None:
        sync.info.pop("outbox_wake", None)
        bot.outbox_ready.set()

    def rolled_back(_session: Any) -> None:
        sync.info.pop("outbox_wake", None)

    event.listen(sync, "after_commit", committed, once=True)
    event.listen(sync, "after_rollback", rolled_back, once=True)


async def _put(
    session: AsyncSession,
    bot: BotContext,
    *,
    method: OutboxMethod,
    lane: str,
    target: str,
    payload: dict[str, Any],
    key: str | None,
    parent_key: str | None = None,
    candidate_id: int | None = None,
    mentions: Iterable[int] = (),
) -> bool:
    """Queue a row; True when it makes a new message (not an edit of one under ``key``)."""
    now = bot.clock.now()
    _wake_after_commit(session, bot)
    if key is not None:
        existing = await store.latest(session, key)
        if existing is not None and existing.status != OutboxStatus.FAILED:
            if existing.status == OutboxStatus.PENDING and await store.replace_pending(
                session, row_id(existing), _merged(existing.payload, payload)
            ):
                return False
            # Posted, or on its way: edit it once Slack has given it a ts.
            method, lane, target = OutboxMethod.UPDATE, existing.lane, existing.target
    row = OutboxMessage(
        method=method,
        key=key,
        lane=lane,
        target=target,
        parent_key=parent_key,
        payload=payload,
        candidate_id=candidate_id,
        next_attempt_at=now,
        created_at=now,
    )
    await store.add(session, row, mentions)
    return method != OutboxMethod.UPDATE


def _merged(queued: dict[str, Any], newer: dict[str, Any]) -> dict[str, Any]:
    # New content; where and how the queued message goes (thread, permalink) stays.
    return {**queued, "text": newer.get("text"), "blocks": newer.get("blocks")}


async def adopt(
    session: AsyncSession,
    bot: BotContext,
    key: str,
    *,
    channel_id: str,
    ts: str,
    candidate_id: int | None,
    lane: str | None = None,
) -> None:
    """Remember a message posted before the outbox existed under ``key``, so that edits
    and replies find it (``lane``: the person, for a DM)."""
    now = bot.clock.now()
    await store.add(
        session,
        OutboxMessage(
            method=OutboxMethod.POST if lane is None else OutboxMethod.DM,
            key=key,
            lane=lane or channel_id,
            target=lane or channel_id,
            payload={},
            candidate_id=candidate_id,
            status=OutboxStatus.SENT,
            next_attempt_at=now,
            created_at=now,
            sent_at=now,
            sent_channel=channel_id,
            sent_ts=ts,
        ),
    )


def _message(text: str, blocks: Sequence[dict[str, Any]] | None) -> dict[str, Any]:
    return {"text": text, "blocks": list(blocks) if blocks is not None else None}


async def post(
    session: AsyncSession,
    bot: BotContext,
    channel_id: str,
    text: str,
    blocks: Sequence[dict[str, Any]] | None = None,
    *,
    key: str | None = None,
    thread_of: str | None = None,
    thread_ts: str | None = None,
    candidate_id: int | None = None,
    mentions: Iterable[int] = (),
    permalink: bool = False,
) -> bool:
    """A message in a channel; under ``thread_of`` (the key of the message it replies to,
    looked up when sent) or ``thread_ts`` when known. ``permalink`` asks the sender to fetch
    the message's permalink once posted (the card's, for links in DMs and lists)."""
    payload = _message(text, blocks)
    if thread_ts is not None:
        payload["thread_ts"] = thread_ts
    if permalink:
        payload["permalink"] = True
    return await _put(
        session,
        bot,
        method=OutboxMethod.POST,
        lane=channel_id,
        target=channel_id,
        payload=payload,
        key=key,
        parent_key=thread_of if thread_ts is None else None,
        candidate_id=candidate_id,
        mentions=mentions,
    )


async def dm(
    session: AsyncSession,
    bot: BotContext,
    user_id: str,
    text: str,
    blocks: Sequence[dict[str, Any]] | None = None,
    *,
    key: str | None = None,
    candidate_id: int | None = None,
    report: str | None = None,
) -> bool:
    """A DM to one person: the one way the bot sends one. True when it is a new message
    (with ``key``, False when it edits the one sent before). ``report`` (``KIT_DM``,
    ``DEBRIEF_DM``) has a refusal said in the candidate's thread."""
    payload = _message(text, blocks)
    if report is not None:
        payload["report"] = report
    return await _put(
        session,
        bot,
        method=OutboxMethod.DM,
        lane=user_id,
        target=user_id,
        payload=payload,
        key=key,
        candidate_id=candidate_id,
    )


async def update(
    session: AsyncSession,
    bot: BotContext,
    key: str,
    text: str,
    blocks: Sequence[dict[str, Any]] | None = None,
) -> bool:
    """Edit the message sent (or queued) under ``key``; False when there is none."""
    existing = await store.latest(session, key)
    if existing is None or existing.status == OutboxStatus.FAILED:
        return False
    await _put(
        session,
        bot,
        method=OutboxMethod.UPDATE,
        lane=existing.lane,
        target=existing.target,
        payload=_message(text, blocks),
        key=key,
        candidate_id=existing.candidate_id,
    )
    return True


async def delete(
    session: AsyncSession,
    bot: BotContext,
    *,
    channel_id: str,
    ts: str | None = None,
    file_id: str | None = None,
    lane: str | None = None,
) -> None:
    """Delete a message (or a file) Slack holds. No candidate id: the row must not name
    anyone, since it outlives the rows that did."""
    await _put(
        session,
        bot,
        method=OutboxMethod.DELETE,
        lane=lane or channel_id,
        target=channel_id,
        payload={"ts": ts, "file_id": file_id},
        key=None,
    )


async def upload(
    session: AsyncSession,
    bot: BotContext,
    user_id: str,
    *,
    content: bytes | str,
    filename: str,
    title: str,
    initial_comment: str | None = None,
    alt_text: str | None = None,
    candidate_id: int | None = None,
) -> None:
    """A file into a person's DM (an export, an invitation, a chart; ``alt_text``: what an
    image shows, for screen readers)."""
    raw = content.encode() if isinstance(content, str) else content
    payload = {
        "content": base64.b64encode(raw).decode("ascii"),
        "filename": filename,
        "title": title,
        "initial_comment": initial_comment,
        "alt_text": alt_text,
    }
    await _put(
        session,
        bot,
        method=OutboxMethod.UPLOAD,
        lane=user_id,
        target=user_id,
        payload=payload,
        key=None,
        candidate_id=candidate_id,
    )


def file_content(payload: dict[str, Any]) -> bytes:
    return base64.b64decode(payload["content"])


# ----------------------------------------------------------------- after sending


async def record_sent(
    session: AsyncSession, now: datetime, sent: Sequence[tuple[str, str, str, str | None]]
) -> None:
    """Keep where the messages that other records point at went: a card's ts and
    permalink on its candidate, a meeting's note on the meeting, a kit DM's on the
    interviewer's seat, an incident run's on
    the run, the day's digest on its run. ``sent`` holds
    ``(key, channel, ts, permalink)``."""
    for key, channel, ts, permalink in sent:
        kind, _, rest = key.partition(":")
        if kind == "card":
            await session.exec(
                sql_update(Candidate)
                .where(col(Candidate.id) == int(rest))
                .values(channel_id=channel, thread_ts=ts, permalink=permalink, updated_at=now),
                execution_options={"synchronize_session": False},
            )
        elif kind == "kit":
            _, interview_id, user_id = rest.split(":", 2)
            await session.exec(
                sql_update(InterviewInterviewer)
                .where(
                    col(InterviewInterviewer.interview_id) == int(interview_id),
                    col(InterviewInterviewer.user_id) == user_id,
                )
                .values(dm_channel_id=channel, dm_ts=ts, dm_error=None),
                execution_options={"synchronize_session": False},
            )
        elif kind == "thread":
            # "thread:12:interview:7": a meeting's note, kept on the meeting.
            _, subject, subject_id = rest.split(":", 2)
            for model in (Interview, Debrief):
                if model.__name__.lower() == subject:
                    await session.exec(
                        sql_update(model)
                        .where(col(model.id) == int(subject_id))
                        .values(message_ts=ts),
                        execution_options={"synchronize_session": False},
                    )
        elif kind == "digest":
            await session.exec(
                sql_update(DigestRun)
                .where(col(DigestRun.day) == date.fromisoformat(rest))
                .values(channel_id=channel, message_ts=ts),
                execution_options={"synchronize_session": False},
            )
        elif kind == "incident":
            await incident_store.record_run_message(session, int(rest), channel, ts)


# ----------------------------------------------------------------- for people


@dataclass(frozen=True)
class Remembered:
    """A message or file the bot left in Slack about a candidate."""

    channel: str
    ts: str | None
    file_id: str | None
    what: str  # its key, or its method when it has none


async def remembered(session: AsyncSession, candidate_id: int) -> list[Remembered]:
    """Every message and file standing in Slack about the candidate: for erase and export."""
    return [
        Remembered(row.sent_channel or row.target, row.sent_ts, row.file_id, row.key or row.method)
        for row in await store.remembered(session, candidate_id)
    ]


@dataclass(frozen=True)
class Undelivered:
    recipient_id: str  # a user id for DMs and files, a channel id for posts
    error: str
    count: int
    latest: datetime


async def undelivered(session: AsyncSession, now: datetime, *, limit: int) -> list[Undelivered]:
    """Messages Slack refused for good in the last week, grouped by recipient and reason."""
    groups: dict[tuple[str, str], list[datetime]] = {}
    for row in await store.undelivered(session, since=now - UNDELIVERED_WINDOW, limit=500):
        groups.setdefault((row.target, row.last_error or "unknown_error"), []).append(
            row.created_at
        )
    found = [
        Undelivered(target, error, len(times), max(times))
        for (target, error), times in groups.items()
    ]
    found.sort(key=lambda u: u.latest, reverse=True)
    return found[:limit]
