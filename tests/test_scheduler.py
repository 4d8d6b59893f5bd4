"""The schedule as registration data: job ids, triggers and next run times. No job is
left to fire: the scheduler is never started."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.config import Settings, parse_working_days
from bot.context import BotContext
from bot.jobs import Jobs
from bot.retention import QUIET_HOUR
from bot.scheduler import (
    DAILY_DIGEST_JOB,
    FORGET_EVENTS_JOB,
    HOME_REFRESH_JOB,
    INSIGHTS_JOB,
    REMINDER_SWEEP_JOB,
    RETENTION_JOB,
    build_scheduler,
    register_jobs,
)
from bot.slack_client import build_client
from handlers.slack_notifier import SlackNotifier

# Its SQL can behave differently by dialect: it runs on PostgreSQL too.
pytestmark = pytest.mark.both_databases

MONDAY_10 = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)


def _registered(bot: BotContext, settings: Settings) -> dict:
    scheduler = build_scheduler(settings)
    jobs = Jobs(bot, SlackNotifier(build_client(settings), bot.clock), "test")
    register_jobs(scheduler, settings, jobs, MONDAY_10)
    # Registering again (a second start in one process) replaces rather than duplicates.
    register_jobs(scheduler, settings, jobs, MONDAY_10)
    return {job.id: job for job in scheduler.get_jobs()}


def test_sweep_runs_at_start_and_at_least_every_30_seconds(bot: BotContext) -> None:
    jobs = _registered(bot, bot.settings)
    assert set(jobs) == {
        REMINDER_SWEEP_JOB,
        DAILY_DIGEST_JOB,
        FORGET_EVENTS_JOB,
        HOME_REFRESH_JOB,
        INSIGHTS_JOB,
    }
    sweep = jobs[REMINDER_SWEEP_JOB]
    assert isinstance(sweep.trigger, IntervalTrigger)
    assert sweep.trigger.interval == bot.settings.reminder_sweep <= timedelta(seconds=30)
    assert sweep.next_run_time == MONDAY_10  # overdue reminders go out at start-up
    assert sweep.func.__name__ == "sweep_reminders"


def test_digest_cron_at_digest_time_in_timezone_on_working_days(bot: BotContext) -> None:
    settings = replace(
        bot.settings,
        timezone=ZoneInfo("Asia/Jerusalem"),
        digest_time=time(8, 30),
        working_days=parse_working_days("sun-thu"),
    )
    digest = _registered(bot, settings)[DAILY_DIGEST_JOB]
    assert isinstance(digest.trigger, CronTrigger)
    zone = settings.timezone
    # From Thursday evening the next run is Sunday 08:30 local: Friday and Saturday are off.
    thursday_evening = datetime(2026, 12, 3, 20, 0, tzinfo=zone)
    fires = digest.trigger.get_next_fire_time(None, thursday_evening)
    assert fires == datetime(2026, 12, 6, 8, 30, tzinfo=zone)
    following = digest.trigger.get_next_fire_time(fires, fires + timedelta(seconds=1))
    assert following == datetime(2026, 12, 7, 8, 30, tzinfo=zone)
    # It also runs at start-up, to catch up on a digest the bot was down for.
    assert digest.next_run_time == MONDAY_10
    assert digest.func.__name__ == "daily_digest"


def test_old_event_deliveries_are_forgotten_every_hour(bot: BotContext) -> None:
    forget = _registered(bot, bot.settings)[FORGET_EVENTS_JOB]
    assert isinstance(forget.trigger, IntervalTrigger)
    assert forget.trigger.interval == timedelta(hours=1)
    assert forget.func.__name__ == "forget_old_events"


def test_home_tabs_changed_by_time_are_refreshed_at_start_and_every_5_minutes(
    bot: BotContext,
) -> None:
    refresh = _registered(bot, bot.settings)[HOME_REFRESH_JOB]
    assert isinstance(refresh.trigger, IntervalTrigger)
    assert refresh.trigger.interval == timedelta(minutes=5)
    assert refresh.next_run_time == MONDAY_10
    assert refresh.func.__name__ == "refresh_homes"


def test_retention_runs_nightly_at_the_quiet_hour_only_when_set(bot: BotContext) -> None:
    assert RETENTION_JOB not in _registered(bot, bot.settings)
    settings = replace(bot.settings, retention_days=90, timezone=ZoneInfo("Europe/Berlin"))
    job = _registered(bot, settings)[RETENTION_JOB]
    assert isinstance(job.trigger, CronTrigger) and job.func.__name__ == "retention"
    zone = settings.timezone
    fires = job.trigger.get_next_fire_time(None, datetime(2026, 12, 3, 20, 0, tzinfo=zone))
    assert fires == datetime(2026, 12, 4, QUIET_HOUR.hour, QUIET_HOUR.minute, tzinfo=zone)


def test_insights_dms_run_at_digest_time_on_working_days_and_at_start(bot: BotContext) -> None:
    """The job itself sends each week's and month's DMs once; the schedule only wakes it."""
    job = _registered(bot, bot.settings)[INSIGHTS_JOB]
    assert isinstance(job.trigger, CronTrigger)
    assert str(job.trigger) == str(_registered(bot, bot.settings)[DAILY_DIGEST_JOB].trigger)
    assert job.next_run_time == MONDAY_10
    assert job.func.__name__ == "insights_dms"
