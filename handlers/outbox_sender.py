"""The outbox's sender: claims rows, sends them to Slack, records what came of it.

Each lane (a channel, or the person a DM goes to) is sent in order, one message after
another, while all lanes go at once: Slack's limit on ``chat.postMessage`` is per channel
(about one a second), so a lane that is told ``429 Retry-After: n`` waits n seconds, and
from then on keeps a second between its messages, while every other lane keeps flowing.
A transient failure (5xx, a dropped connection, a timeout) is retried with a growing delay
for up to ``GIVE_UP_AFTER``; any other error is Slack saying no for good
(``channel_not_found``, ``account_inactive``, ``invalid_blocks`` …): the row is marked
failed at once and shown to admins in words (``handlers/undelivered_reasons.py``).

Claims, loads and records are done in batches, one statement each, so that the CPU per
message is that of its HTTP request. Delivery is at least once: a replica that dies
after Slack took a message and before it recorded it leaves the row claimed, and once the
lease runs out another replica sends it again.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot import metrics
from bot import outbox as domain
from bot.context import BotContext
from bot.slack_client import error_code
from handlers.mrkdwn import clip_plain
from handlers.undelivered import tell_refusals
from storage import outbox as store
from storage.db import statements_beside_the_loop, transaction
from storage.models import OutboxMessage, OutboxMethod, OutboxStatus

logger = logging.getLogger(__name__)

BATCH = 500
# Claimed at once from a lane that has never been told to slow down.
PER_LANE = 10
# A lane told to slow down keeps this gap between its messages (Slack: 1 per second per
# channel), counted from Slack's answer to the one before, which came after Slack counted
# it: a message a hair early costs a 429 and a whole second of Retry-After.
PACED_GAP = timedelta(seconds=1.02)
GIVE_UP_AFTER = timedelta(hours=6)
RETRY_FIRST = timedelta(seconds=2)
RETRY_LONGEST = timedelta(minutes=10)
ALT_TEXT_LIMIT = 1000
# How often the sender looks for rows queued by other replicas when nothing woke it.
POLL_SECONDS = 2.0
# Woken by a commit, it waits this long for the commits right behind it: one claim and one
# record for a burst of submissions, rather than two more writers per submission (SQLite
# has one writer at a time, and the users' transactions wait behind the sender's).
GATHER_SECONDS = 0.05
# Worth another attempt: Slack is busy or down. Anything else will not mend by waiting.
TRANSIENT_ERRORS = frozenset(
    {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
)
_POSTED = frozenset({OutboxMethod.POST, OutboxMethod.DM})


@dataclass
class _Outcome:
    row: OutboxMessage
    status: OutboxStatus
    tried: int = 1
    retry_at: datetime | None = None
    error: str | None = None
    channel: str | None = None
    ts: str | None = None
    file_id: str | None = None
    permalink: str | None = None

    def params(self, now: datetime) -> dict[str, Any]:
        return {
            "row_id": self.row.id,
            "new_status": self.status,
            "tried": self.tried,
            "retry_at": self.retry_at or self.row.next_attempt_at,
            "error": self.error[:200] if self.error else None,
            "channel": self.channel,
            "ts": self.ts,
            "file": self.file_id,
            "at": now if self.status == OutboxStatus.SENT else None,
        }


class _Transient(Exception):
    def __init__(self, error: str, retry_after: float | None = None) -> None:
        super().__init__(error)
        self.error = error
        self.retry_after = retry_after


class _Permanent(Exception):
    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


class OutboxSender:
    """One per process; ``drain`` sends what can go now, ``run`` keeps doing so."""

    def __init__(self, bot: BotContext, client: AsyncWebClient, owner: str) -> None:
        self._bot = bot
        self._client = client
        self._owner = owner[:40]
        self._lock = asyncio.Lock()
        # By the bot's clock: when each paused lane may send again, and which lanes Slack
        # has told to slow down (kept for the life of the process: channels do not change).
        self._lane_free: dict[str, datetime] = {}
        self._paced: set[str] = set()
        self._me: str | None = None

    # ------------------------------------------------------------- the loop

    async def run(self, stop: asyncio.Event) -> None:
        """Drain whenever a commit queued rows, when the next row falls due, and every
        ``POLL_SECONDS`` for other replicas' rows, until ``stop``."""
        ready = self._bot.outbox_ready
        while not stop.is_set():
            ready.clear()
            try:
                next_at = await self.drain()
            except Exception as error:
                # The type only: messages of database errors can quote candidate data.
                logger.error("outbox drain failed with %s; retrying", type(error).__name__)
                next_at = None
            delay = POLL_SECONDS
            if next_at is not None:
                delay = min(delay, max((next_at - self._bot.clock.now()).total_seconds(), 0.0))
            if delay <= 0:
                continue
            waits = [asyncio.ensure_future(ready.wait()), asyncio.ensure_future(stop.wait())]
            await asyncio.wait(waits, timeout=delay, return_when=asyncio.FIRST_COMPLETED)
            for waiting in waits:
                waiting.cancel()
            if ready.is_set() and not stop.is_set():
                await asyncio.sleep(GATHER_SECONDS)

    async def drain(self) -> datetime | None:
        """Send every row that can go now; when the next one can (None: nothing is left)."""
        async with self._lock:
            while True:
                now = self._bot.clock.now()
                self._lane_free = {lane: t for lane, t in self._lane_free.items() if t > now}
                token = f"{self._owner}/{uuid.uuid4().hex[:16]}"
                async with transaction(self._bot.sessions) as session:
                    with statements_beside_the_loop():
                        rows = await store.claim(
                            session,
                            now=now,
                            lease_until=now + self._bot.settings.reminder_lease,
                            token=token,
                            limit=BATCH,
                            per_lane=PER_LANE,
                            one_per_lane=self._paced,
                            skip_lanes=self._lane_free.keys(),
                        )
                if not rows:
                    break
                await self._send_batch(rows, token)
            async with self._bot.sessions() as session:
                with statements_beside_the_loop():
                    next_at = await store.next_due(session, self._bot.clock.now())
        moments = [t for t in (next_at, *self._lane_free.values()) if t is not None]
        return min(moments) if moments else None

    # ------------------------------------------------------------- one batch

    async def _send_batch(self, rows: Sequence[OutboxMessage], token: str) -> None:
        keys = {row.parent_key for row in rows if row.parent_key}
        keys |= {row.key for row in rows if row.key and row.method == OutboxMethod.UPDATE}
        async with self._bot.sessions() as session:
            targets = await store.sent_by_key(session, keys)
        lanes: dict[str, list[OutboxMessage]] = {}
        for row in rows:
            lanes.setdefault(row.lane, []).append(row)
        results = await asyncio.gather(
            *(self._send_lane(lane, queued, targets) for lane, queued in lanes.items())
        )
        outcomes = [outcome for lane in results for outcome in lane]
        now = self._bot.clock.now()
        sent = [
            (o.row.key, o.channel, o.ts, o.permalink)
            for o in outcomes
            if o.status == OutboxStatus.SENT
            and o.row.key
            and o.row.method in _POSTED
            and o.channel
            and o.ts
        ]
        async with transaction(self._bot.sessions) as session:
            await store.record(session, token, [o.params(now) for o in outcomes])
            await domain.record_sent(session, now, sent)
            erased = await store.cancelled_among(
                session, [o.row.id for o in outcomes if o.status == OutboxStatus.SENT and o.row.id]
            )
            for row in erased:
                await self._unsend(session, row, outcomes)
            refused = [
                (o.row, o.error or "unknown_error")
                for o in outcomes
                if o.status == OutboxStatus.FAILED
            ]
            if refused:
                await tell_refusals(session, self._bot, refused, await self._bot_user_id())
        for outcome in outcomes:
            if outcome.status == OutboxStatus.SENT:
                metrics.outbox_sent(outcome.row.method)
            elif outcome.status == OutboxStatus.FAILED:
                metrics.outbox_failed(outcome.row.method)

    async def _bot_user_id(self) -> str | None:
        """The bot's own user id, for "invite @bot" in what people are told."""
        if self._me is None:
            try:
                self._me = str((await self._api(self._client.auth_test))["user_id"])
            except (_Permanent, _Transient):
                return None
        return self._me

    async def _unsend(self, session: Any, row: OutboxMessage, outcomes: list[_Outcome]) -> None:
        """An erase cancelled the row while it was on its way: take the message back."""
        outcome = next(o for o in outcomes if o.row.id == row.id)
        if outcome.channel is not None and (outcome.ts or outcome.file_id):
            await domain.delete(
                session,
                self._bot,
                channel_id=outcome.channel,
                ts=outcome.ts,
                file_id=outcome.file_id,
                lane=row.lane,
            )

    async def _send_lane(
        self, lane: str, rows: list[OutboxMessage], targets: dict[str, store.Sent]
    ) -> list[_Outcome]:
        outcomes: list[_Outcome] = []
        for index, row in enumerate(rows):
            now = self._bot.clock.now()
            free_at = self._lane_free.get(lane)
            if free_at is not None and free_at > now:
                # Paced: the rest wait their turn, in order, with no attempt counted.
                outcomes += [
                    _Outcome(r, OutboxStatus.PENDING, tried=0, retry_at=free_at, error=r.last_error)
                    for r in rows[index:]
                ]
                break
            outcome = await self._send_one(row, targets, now)
            outcomes.append(outcome)
            if outcome.status == OutboxStatus.SENT and row.key and row.method in _POSTED:
                # Its replies may be further down this very batch.
                targets[row.key] = store.Sent(outcome.status, outcome.channel, outcome.ts, None)
            if outcome.status == OutboxStatus.SENT and lane in self._paced:
                self._lane_free[lane] = self._bot.clock.now() + PACED_GAP
            if outcome.status == OutboxStatus.PENDING:
                # A retry later holds the lane: whatever follows must not overtake it.
                outcomes += [
                    _Outcome(r, OutboxStatus.PENDING, tried=0, error=r.last_error)
                    for r in rows[index + 1 :]
                ]
                break
        return outcomes

    async def _send_one(
        self, row: OutboxMessage, targets: dict[str, store.Sent], now: datetime
    ) -> _Outcome:
        try:
            return await self._checked(row, targets)
        except _Permanent as refused:
            logger.warning(
                "outbox message %s (%s to %s) refused: %s",
                row.id,
                row.method,
                row.target,
                refused.error,
            )
            return _Outcome(row, OutboxStatus.FAILED, error=refused.error)
        except _Transient as problem:
            if problem.retry_after is not None:
                # Slack's own pacing for this channel: not a failure of the message.
                free_at = self._bot.clock.now() + timedelta(seconds=problem.retry_after)
                self._lane_free[row.lane] = free_at
                self._paced.add(row.lane)
                return _Outcome(
                    row, OutboxStatus.PENDING, tried=0, retry_at=free_at, error=row.last_error
                )
            if now - row.created_at >= GIVE_UP_AFTER:
                logger.warning("outbox message %s given up: %s", row.id, problem.error)
                return _Outcome(row, OutboxStatus.FAILED, error=problem.error)
            delay = min(RETRY_FIRST * 2**row.attempts, RETRY_LONGEST)
            return _Outcome(row, OutboxStatus.PENDING, retry_at=now + delay, error=problem.error)

    async def _checked(self, row: OutboxMessage, targets: dict[str, store.Sent]) -> _Outcome:
        try:
            return await self._call(row, targets)
        except (_Permanent, _Transient):
            raise
        except Exception as error:
            # A bug must not hold the lane's claim until the lease: retried like a 5xx. The
            # type only: the message could quote the payload.
            logger.error("outbox message %s raised %s", row.id, type(error).__name__)
            raise _Transient("internal_error") from error

    async def _call(self, row: OutboxMessage, targets: dict[str, store.Sent]) -> _Outcome:
        payload = row.payload
        if row.method in _POSTED:
            arguments: dict[str, Any] = {"text": payload.get("text") or ""}
            if payload.get("blocks") is not None:
                arguments["blocks"] = payload["blocks"]
            thread_ts = payload.get("thread_ts")
            if row.parent_key:
                parent = targets.get(row.parent_key)
                if parent is None or parent.ts is None:
                    raise _Permanent("thread_not_found")
                thread_ts = parent.ts
            if thread_ts:
                arguments["thread_ts"] = thread_ts
            response = await self._post(row, arguments)
            channel, ts = str(response["channel"]), str(response["ts"])
            permalink = await self._permalink(channel, ts) if payload.get("permalink") else None
            return _Outcome(row, OutboxStatus.SENT, channel=channel, ts=ts, permalink=permalink)
        if row.method == OutboxMethod.UPDATE:
            original = targets.get(row.key or "")
            if original is None or original.ts is None or original.channel is None:
                # The original never made it (its own failure is shown): nothing to edit.
                return _Outcome(row, OutboxStatus.CANCELLED, tried=0, error="nothing_to_edit")
            await self._api(
                self._client.chat_update,
                channel=original.channel,
                ts=original.ts,
                text=payload.get("text") or "",
                blocks=payload.get("blocks"),
            )
            return _Outcome(row, OutboxStatus.SENT, channel=original.channel, ts=original.ts)
        if row.method == OutboxMethod.DELETE:
            return await self._delete(row)
        return await self._upload(row)

    async def _post(self, row: OutboxMessage, arguments: dict[str, Any]) -> dict[str, Any]:
        call = {"channel": row.target, "unfurl_links": False, "unfurl_media": False, **arguments}
        try:
            return await self._api(self._client.chat_postMessage, **call)
        except _Permanent as refused:
            if refused.error != "not_in_channel" or row.method != OutboxMethod.POST:
                raise
        # A public channel the bot was never added to: join it, as a person would.
        try:
            await self._api(self._client.conversations_join, channel=row.target)
        except _Permanent as refused:
            raise _Permanent("not_in_channel") from refused
        return await self._api(self._client.chat_postMessage, **call)

    async def _permalink(self, channel: str, ts: str) -> str | None:
        try:
            response = await self._api(
                self._client.chat_getPermalink, channel=channel, message_ts=ts
            )
        except (_Permanent, _Transient):
            return None  # links go without it; the message itself is fine
        return str(response["permalink"])

    async def _delete(self, row: OutboxMessage) -> _Outcome:
        payload = row.payload
        try:
            if payload.get("file_id"):
                await self._api(self._client.files_delete, file=payload["file_id"])
            if payload.get("ts"):
                await self._api(self._client.chat_delete, channel=row.target, ts=payload["ts"])
        except _Permanent as refused:
            if refused.error not in ("message_not_found", "file_not_found", "file_deleted"):
                raise
        return _Outcome(row, OutboxStatus.SENT, channel=row.target, ts=payload.get("ts"))

    async def _upload(self, row: OutboxMessage) -> _Outcome:
        payload = row.payload
        opened = await self._api(self._client.conversations_open, users=row.target)
        channel = str(opened["channel"]["id"])
        extra: dict[str, str] = {}
        if payload.get("initial_comment"):
            extra["initial_comment"] = payload["initial_comment"]
        if payload.get("alt_text"):
            # Slack's parameter is spelt alt_txt and takes up to 1,000 characters.
            extra["alt_txt"] = clip_plain(payload["alt_text"], ALT_TEXT_LIMIT)
        response = await self._api(
            self._client.files_upload_v2,
            channel=channel,
            content=domain.file_content(payload),
            filename=payload["filename"],
            title=payload["title"],
            **extra,
        )
        uploaded = response.get("file") or (response.get("files") or [{}])[0]
        return _Outcome(row, OutboxStatus.SENT, channel=channel, file_id=uploaded.get("id"))

    async def _api(self, method: Any, **arguments: Any) -> dict[str, Any]:
        """One Web API call; Slack's no as _Permanent or _Transient."""
        try:
            response = await method(**arguments)
        except SlackApiError as error:
            status = int(error.response.status_code)
            code = error_code(error)
            if status == 429 or code == "ratelimited":
                raise _Transient(code, _retry_after(error.response.headers)) from error
            if status >= 500 or code in TRANSIENT_ERRORS:
                raise _Transient(code) from error
            raise _Permanent(code) from error
        except (TimeoutError, aiohttp.ClientError) as error:
            raise _Transient(type(error).__name__) from error
        return dict(response.data) if isinstance(response.data, dict) else {}


def _retry_after(headers: Any) -> float:
    try:
        return max(float(headers.get("Retry-After", 1)), 1.0)
    except (TypeError, ValueError):
        return 1.0
