"""The scheduled jobs' bodies, bound to one bot and notifier; ``bot/scheduler.py`` says
when each runs. A job never raises into the scheduler: a failed run is logged and the
next run tries again, since all the state is in the database."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import traceback
from dataclasses import dataclass

from bot.context import BotContext
from bot.digest import RunOutcome, run_daily_digest
from bot.events import forget_old_deliveries
from bot.home_refresh import HomeRefreshReport, Pause, refresh_homes_changed_by_time
from bot.insights_dms import InsightsReport, run_insights_dms
from bot.notifier import Notifier
from bot.reminder_sweep import SweepReport, send_due_reminders
from bot.retention import RetentionReport, run_retention

logger = logging.getLogger(__name__)


def replica_name() -> str:
    """Names this process in reminder claims, for whoever reads the table."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _log_failure(job: str, error: Exception) -> None:
    # The stack without the message: messages can quote candidate data.
    stack = "".join(traceback.format_tb(error.__traceback__))
    logger.error("%s failed with %s; the next run retries\n%s", job, type(error).__name__, stack)


@dataclass
class Jobs:
    bot: BotContext
    notifier: Notifier
    owner: str
    # How the jobs wait between calls they pace (the tests' moves their clock instead).
    pause: Pause = asyncio.sleep

    async def sweep_reminders(self) -> SweepReport | None:
        try:
            return await send_due_reminders(self.bot, self.notifier, owner=self.owner)
        except Exception as error:
            _log_failure("the reminder sweep", error)
            return None

    async def daily_digest(self) -> RunOutcome | None:
        try:
            return await run_daily_digest(self.bot, self.notifier)
        except Exception as error:
            _log_failure("the daily digest", error)
            return None

    async def insights_dms(self) -> InsightsReport | None:
        try:
            return await run_insights_dms(self.bot, self.notifier)
        except Exception as error:
            _log_failure("the insights DMs", error)
            return None

    async def retention(self) -> RetentionReport | None:
        try:
            return await run_retention(self.bot, self.notifier)
        except Exception as error:
            _log_failure("retention", error)
            return None

    async def refresh_homes(self) -> HomeRefreshReport | None:
        try:
            return await refresh_homes_changed_by_time(self.bot, self.notifier, pause=self.pause)
        except Exception as error:
            _log_failure("refreshing App Home tabs", error)
            return None

    async def forget_old_events(self) -> int | None:
        try:
            return await forget_old_deliveries(self.bot)
        except Exception as error:
            _log_failure("forgetting old event deliveries", error)
            return None
