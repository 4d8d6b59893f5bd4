"""APScheduler wiring: which jobs run when. The jobs' bodies live in ``bot/jobs.py``."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from apscheduler.events import (
    EVENT_JOB_ERROR,
    EVENT_JOB_EXECUTED,
    EVENT_JOB_MISSED,
    EVENT_JOB_SUBMITTED,
    JobEvent,
)
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.config import DAY_NAMES, Settings
from bot.home_refresh import EVERY as HOME_REFRESH_EVERY
from bot.jobs import Jobs
from bot.retention import QUIET_HOUR

REMINDER_SWEEP_JOB = "reminders.sweep"
DAILY_DIGEST_JOB = "digest.daily"
FORGET_EVENTS_JOB = "events.forget"
RETENTION_JOB = "retention.daily"
HOME_REFRESH_JOB = "home.refresh"
INSIGHTS_JOB = "insights.periodic"

logger = logging.getLogger(__name__)


def build_scheduler(settings: Settings) -> AsyncIOScheduler:
    # In-memory job store: APScheduler 3 cannot share a persistent one between
    # processes, and the jobs only poll the database, which holds the real state.
    return AsyncIOScheduler(
        timezone=settings.timezone,
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 30},
    )


class RunsInFlight:
    """The job runs started and not finished, told by the scheduler's events.

    APScheduler 3's asyncio executor cancels the runs in flight when it shuts down, which
    can leave a message half sent and logs a traceback; shutdown waits for them instead.
    Each submission ends in one event, as every job coalesces its missed runs.
    """

    def __init__(self, scheduler: AsyncIOScheduler) -> None:
        self._running = 0
        self._idle = asyncio.Event()
        self._idle.set()
        scheduler.add_listener(self._started, EVENT_JOB_SUBMITTED)
        scheduler.add_listener(self._ended, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR | EVENT_JOB_MISSED)

    def _started(self, _event: JobEvent) -> None:
        self._running += 1
        self._idle.clear()

    def _ended(self, _event: JobEvent) -> None:
        self._running = max(0, self._running - 1)
        if self._running == 0:
            self._idle.set()

    async def finish(self, within: float) -> None:
        """Return once no run is in flight, or after ``within`` seconds."""
        try:
            await asyncio.wait_for(self._idle.wait(), within)
        except TimeoutError:
            logger.warning("%d scheduled job run(s) cut short by shutdown", self._running)


def digest_trigger(settings: Settings) -> CronTrigger:
    days = ",".join(DAY_NAMES[day] for day in sorted(settings.working_days))
    return CronTrigger(
        day_of_week=days,
        hour=settings.digest_time.hour,
        minute=settings.digest_time.minute,
        timezone=settings.timezone,
    )


def register_jobs(
    scheduler: AsyncIOScheduler, settings: Settings, jobs: Jobs, now: datetime
) -> None:
    """Add the jobs under stable ids (adding again replaces them).

    Both also run once at start-up: reminders that fell due while the bot was down go
    out at once, and a digest the bot was down for is posted late rather than never
    (the job itself declines before the digest time, on other days, and when posted).
    """
    scheduler.add_job(
        jobs.sweep_reminders,
        IntervalTrigger(
            seconds=settings.reminder_sweep.total_seconds(), timezone=settings.timezone
        ),
        id=REMINDER_SWEEP_JOB,
        name="send due reminders",
        replace_existing=True,
        next_run_time=now,
    )
    scheduler.add_job(
        jobs.daily_digest,
        digest_trigger(settings),
        id=DAILY_DIGEST_JOB,
        name="post the daily digest",
        replace_existing=True,
        next_run_time=now,
    )
    # At the digest's time too, and at start-up: the job sends each week's and month's
    # insights once, catching up on a period the bot was down at the start of.
    scheduler.add_job(
        jobs.insights_dms,
        digest_trigger(settings),
        id=INSIGHTS_JOB,
        name="send the weekly and monthly insights DMs",
        replace_existing=True,
        next_run_time=now,
    )
    if settings.retention_days is not None:
        scheduler.add_job(
            jobs.retention,
            CronTrigger(hour=QUIET_HOUR.hour, minute=QUIET_HOUR.minute, timezone=settings.timezone),
            id=RETENTION_JOB,
            name="warn of and erase closed candidates past RETENTION_DAYS",
            replace_existing=True,
        )
    scheduler.add_job(
        jobs.refresh_homes,
        IntervalTrigger(seconds=HOME_REFRESH_EVERY.total_seconds(), timezone=settings.timezone),
        id=HOME_REFRESH_JOB,
        name="republish the App Home tabs that time changed",
        replace_existing=True,
        # At start-up too: what time changed while the bot was down.
        next_run_time=now,
    )
    # Redeliveries come within minutes; the records of older events only take room.
    scheduler.add_job(
        jobs.forget_old_events,
        IntervalTrigger(hours=1, timezone=settings.timezone),
        id=FORGET_EVENTS_JOB,
        name="forget old event deliveries",
        replace_existing=True,
    )
