"""The reminder sweep: claim what is due, check that it still matters, hold it for the
recipient's working hours, queue it, record the outcome; once.

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
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot import metrics
from bot import reminder_rules as rules
from bot.clock import zone_named
from bot.context import BotContext
from bot.debrief_summary_reads import record_shown
from bot.notifier import Notifier
from bot.reminder_messages import ReminderMessage, load_message, prefetch
from storage import reminders as store
from storage.db import transaction
from storage.models import Reminder, row_id

logger = logging.getLogger(__name__)

# A batch is claimed, loaded, queued and recorded with a few statements: large batches
# keep the CPU per reminder low (BENCHMARKS.md, the reminder burst).
BATCH_SIZE = 500
# One sweep queues at most this many batches (10,000 reminders); the next one carries on.
MAX_BATCHES = 20


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
        await prefetch(session, claimed)
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
            held = await store.mark_obsolete(session, row_id(reminder), token, reason)
            outcomes.append(Outcome.OBSOLETE if held else Outcome.LOST)
        for reminder, allowed in held_until:
            held = await store.release(session, row_id(reminder), token, due_at=allowed)
            outcomes.append(Outcome.HELD if held else Outcome.LOST)
        # One statement records the batch; a reminder whose claim was lost meanwhile
        # (another replica took it over) is not queued twice.
        kept = await store.mark_sent_many(
            session, [row_id(reminder) for reminder, _ in to_send], token, now=now
        )
        for reminder, message in to_send:
            if reminder.id not in kept:
                outcomes.append(Outcome.LOST)
                continue
            await notifier.queue_reminder(session, bot, message)
            if message.pack:
                await record_shown(session, bot, reminder.recipient_id, message.pack)
            outcomes.append(Outcome.SENT)
    for reminder, _ in to_send:
        if reminder.id in kept:
            metrics.reminder_sent(reminder.kind)
    return outcomes
