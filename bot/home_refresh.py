"""Keeping App Home current as time passes.

Listeners name the desks a change touches (``bot.home_changes``, published by the process's
``handlers.home.HomePublisher``); this
job catches what time alone changes: an interview starting (off "next") or ending (onto
"owed"), a debrief ending, a scorecard becoming late, a stage becoming ready for a
decision at its debrief's end, a deadline entering or leaving the 30-day on-time figure.
Each run takes the window of time since the last run (``storage.job_windows``: once,
whichever replica, after any downtime), finds whose desks it touched by index
(``storage.desk.changed_by_time``), and republishes those only, paced under Slack's limit
for ``views.publish``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

from bot.context import BotContext
from bot.digest import SLA_WINDOW
from bot.kits import MAX_DURATION_MINUTES
from bot.notifier import Notifier
from storage import desk as queries
from storage.candidates import hiring_managers
from storage.db import transaction
from storage.job_windows import claim_window

logger = logging.getLogger(__name__)

JOB = "home.refresh"
EVERY = timedelta(minutes=5)
# views.publish is Tier 4 (100+ a minute); kept under it, leaving room for the listeners'.
PUBLISHES_PER_MINUTE = 60
Pause = Callable[[float], Awaitable[None]]


@dataclass(frozen=True)
class HomeRefreshReport:
    claimed: bool
    users: tuple[str, ...] = ()
    failed: int = 0


async def refresh_homes_changed_by_time(
    bot: BotContext, notifier: Notifier, *, pause: Pause = asyncio.sleep
) -> HomeRefreshReport:
    now = bot.clock.now()
    async with transaction(bot.sessions) as session:
        since = await claim_window(session, JOB, now, first=now - EVERY)
    if since is None:
        return HomeRefreshReport(claimed=False)
    async with bot.sessions() as session:
        changes = await queries.changed_by_time(
            session,
            since,
            now,
            longest=timedelta(minutes=MAX_DURATION_MINUTES),
            figure_window=SLA_WINDOW,
        )
        users = set(changes.interviewers | changes.managers | changes.figures)
        if changes.figures:
            # The per-person table of the hiring managers and admins moved too.
            users |= set(await hiring_managers(session)) | set(bot.settings.hiring_admins)
    failed = 0
    for index, user_id in enumerate(sorted(users)):
        if index:
            await pause(60 / PUBLISHES_PER_MINUTE)
        if not await notifier.publish_home(bot, user_id):
            failed += 1
    if users:
        logger.info("republished %d App Home tab(s) changed by time", len(users) - failed)
    return HomeRefreshReport(claimed=True, users=tuple(sorted(users)), failed=failed)
