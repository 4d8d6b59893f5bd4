"""APScheduler wiring: which jobs run when. The jobs' bodies live in ``bot/jobs.py``."""

from __future__ import annotations

from datetime import datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.config import DAY_NAMES, Settings
from bot.jobs import Jobs

REMINDER_SWEEP_JOB = "reminders.sweep"
DAILY_DIGEST_JOB = "digest.daily"
FORGET_EVENTS_JOB = "events.forget"


def build_scheduler(settings: Settings) -> AsyncIOScheduler:
    # In-memory job store: APScheduler 3 cannot share a persistent one between
    # processes, and the jobs only poll the database, which holds the real state.
    return AsyncIOScheduler(
        timezone=settings.timezone,
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 30},
    )


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
    # Redeliveries come within minutes; the records of older events only take room.
    scheduler.add_job(
        jobs.forget_old_events,
        IntervalTrigger(hours=1, timezone=settings.timezone),
        id=FORGET_EVENTS_JOB,
        name="forget old event deliveries",
        replace_existing=True,
    )
