"""Retention: closed candidates are erased ``RETENTION_DAYS`` after they closed, as
``erase`` does, and their hiring manager is told seven days before, with a way to keep
them 90 more days.

The job runs at a quiet hour. A candidate is never erased without the warning's full seven
days: one closed long ago when the setting is first turned on is warned first and erased a
week later. Each warning and each erasure is claimed in the database, so they happen once
however many replicas run the job.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Protocol

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.candidates import get_candidate
from bot.context import BotContext
from bot.errors import Conflict, PermissionDenied
from bot.permissions import may_edit_candidate
from bot.privacy import Erasure, erase
from storage import retention as store
from storage.audit import record_event
from storage.db import transaction
from storage.models import CLOSED_STATUSES, Candidate, row_id

logger = logging.getLogger(__name__)

NOTICE = timedelta(days=7)
KEEP_MORE = timedelta(days=90)
QUIET_HOUR = time(3, 0)
"""When the job runs, in ``TIMEZONE``: nobody is working, so no one's thread vanishes
under them."""
BATCH = 100
RETENTION_ACTOR = "retention"
AUDIT_KEPT = "retention_extended"


class ErasedMeanwhile(Exception):
    """Another replica erased the candidate first: roll back and move on."""


@dataclass(frozen=True)
class RetentionNotice:
    """Told to the hiring manager: this candidate is erased on ``erase_on``."""

    candidate: Candidate
    erase_on: datetime


@dataclass(frozen=True)
class RetentionReport:
    warned: int
    erased: int


def erase_on(candidate: Candidate, days: int, now: datetime) -> datetime:
    """When the candidate is erased: ``days`` after closing, or when kept until, and never
    sooner than the notice after a warning sent ``now``."""
    if candidate.closed_at is None:
        raise ValueError("an open candidate has no erasure date")
    due = candidate.closed_at + timedelta(days=days)
    if candidate.keep_until is not None:
        due = max(due, candidate.keep_until)
    warned = candidate.retention_warned_at or now
    return max(due, warned + NOTICE)


class RetentionNotifier(Protocol):
    """What the retention job asks of the notifier (``bot.notifier.Notifier``)."""

    async def queue_retention_warning(
        self, session: AsyncSession, bot: BotContext, notice: RetentionNotice
    ) -> None:
        """Queue the DM telling the hiring manager that a closed candidate is to be erased."""
        ...

    async def delete_messages(self, bot: BotContext, erasure: Erasure) -> tuple[int, list[str]]:
        """Delete the bot's messages about an erased candidate: how many, and the errors."""
        ...


async def run_retention(bot: BotContext, notifier: RetentionNotifier) -> RetentionReport:
    """The job's body: warn who is due a warning, then erase who is due an erasure."""
    days = bot.settings.retention_days
    if days is None:
        return RetentionReport(0, 0)
    now = bot.clock.now()
    warned = await _warn(bot, notifier, days, now)
    erased = await _erase_due(bot, notifier, days, now)
    if warned or erased:
        logger.info("retention: %d hiring managers warned, %d candidates erased", warned, erased)
    return RetentionReport(warned, erased)


async def _warn(bot: BotContext, notifier: RetentionNotifier, days: int, now: datetime) -> int:
    async with bot.sessions() as session:
        due = await store.to_warn(
            session,
            closed_before=now - timedelta(days=days) + NOTICE,
            kept_before=now + NOTICE,
            limit=BATCH,
        )
    sent = 0
    for candidate in due:
        # The claim and the DM commit together: warned once, and told for sure.
        async with transaction(bot.sessions) as session:
            if not await store.claim_warning(session, row_id(candidate), now):
                continue
            notice = RetentionNotice(candidate, erase_on(candidate, days, now))
            await notifier.queue_retention_warning(session, bot, notice)
        sent += 1
    return sent


async def _erase_due(bot: BotContext, notifier: RetentionNotifier, days: int, now: datetime) -> int:
    async with bot.sessions() as session:
        due = await store.to_erase(
            session,
            closed_before=now - timedelta(days=days),
            warned_before=now - NOTICE,
            now=now,
            limit=BATCH,
        )
    erased = 0
    for candidate_id in due:
        try:
            async with transaction(bot.sessions) as session:
                candidate = await session.get(Candidate, candidate_id)
                if candidate is None:
                    continue
                erasure = await erase(
                    session, bot, candidate, actor_id=RETENTION_ACTOR, reason="retention"
                )
                if erasure is None:
                    raise ErasedMeanwhile
        except ErasedMeanwhile:
            continue
        erased += 1
        await _delete_messages(bot, notifier, erasure)
    return erased


async def _delete_messages(bot: BotContext, notifier: RetentionNotifier, erasure: Erasure) -> None:
    deleted, failures = await notifier.delete_messages(bot, erasure)
    logger.info("retention erased candidate %s and %d messages", erasure.candidate_id, deleted)
    if failures:
        logger.warning(
            "%d messages about candidate %s could not be deleted (%s)",
            len(failures),
            erasure.candidate_id,
            ", ".join(sorted(set(failures))),
        )


async def keep_candidate(bot: BotContext, actor_id: str, candidate_id: int) -> RetentionNotice:
    """*Keep 90 more days*: the erasure moves 90 days past when it was due, the warning
    comes again a week before. The hiring manager and admins may."""
    days = bot.settings.retention_days
    async with transaction(bot.sessions) as session:
        candidate = await get_candidate(session, candidate_id)
        if not may_edit_candidate(
            bot.settings.hiring_admins, actor_id, hiring_manager_id=candidate.hiring_manager_id
        ):
            raise PermissionDenied(
                f"Only the hiring manager <@{candidate.hiring_manager_id}> or a hiring admin "
                "can keep this candidate longer."
            )
        if candidate.status not in CLOSED_STATUSES or days is None:
            raise Conflict("This candidate is not due to be erased.")
        now = bot.clock.now()
        before = erase_on(candidate, days, now)
        candidate.keep_until = max(before, now) + KEEP_MORE
        candidate.retention_warned_at = None
        session.add(candidate)
        await record_event(
            session,
            actor_id=actor_id,
            candidate_id=candidate_id,
            action=AUDIT_KEPT,
            detail={"keep_until": candidate.keep_until.isoformat()},
            at=now,
        )
    return RetentionNotice(candidate, candidate.keep_until)
