"""Prometheus metrics, served at ``GET /metrics`` in HTTP mode.

Each replica exposes its own counters (Prometheus scrapes every pod and sums them); the
gauges read from the database at scrape time (reminders pending, database up) show the
same value on every replica, so aggregate them with ``max``, not ``sum``.

Label values come from small fixed sets (request kinds, outcomes, Slack method names and
error codes, reminder kinds): never a user, a channel or a candidate.
"""

from __future__ import annotations

import logging

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Counter, Gauge, Histogram
from prometheus_client.exposition import generate_latest

from bot.context import BotContext
from storage.db import is_unavailable
from storage.stats import count_unsent_reminders

logger = logging.getLogger(__name__)

CONTENT_TYPE = CONTENT_TYPE_LATEST

REQUESTS = Counter(
    "hiring_slack_requests",
    "Requests from Slack by kind (command, block_actions, view_submission, event, …) and "
    "outcome (ok, user_error, unavailable, error, duplicate)",
    ("kind", "outcome"),
)
HANDLER_SECONDS = Histogram(
    "hiring_handler_seconds",
    "Time from a request's arrival until its listener finished, by request kind",
    ("kind",),
    # Slack wants the ack within 3 s; listeners that post and update messages may run longer.
    buckets=(0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0, 30.0),
)
SLACK_API_ERRORS = Counter(
    "hiring_slack_api_errors",
    "Failed Slack Web API attempts by method and error code (ratelimited, channel_not_found, "
    "http_503, connection_error, …); a retried attempt counts each time",
    ("method", "error"),
)
REMINDERS = Counter(
    "hiring_reminders",
    "Reminders handed to the outbox by the sweep, by kind and outcome (sent); the outbox "
    "counts what Slack took or refused (hiring_outbox_messages)",
    ("kind", "outcome"),
)
OUTBOX = Counter(
    "hiring_outbox_messages",
    "Messages handled by the outbox sender, by method (post, dm, update, delete, upload) "
    "and outcome (sent, failed)",
    ("method", "outcome"),
)
REMINDER_SWEEPS = Counter(
    "hiring_reminder_sweeps",
    "Runs of the reminder sweep by outcome (ok, failed): a replica whose count stops rising "
    "sends no reminders",
    ("outcome",),
)
REMINDERS_UNSENT = Gauge(
    "hiring_reminders_pending",
    "Reminders not yet sent or given up, read from the database at scrape time; "
    "due=now are already due (a backlog), due=later are for the future",
    ("due",),
)
DIGEST_RUNS = Counter(
    "hiring_digest_runs",
    "Daily digest runs by outcome (posted, already_posted, failed)",
    ("outcome",),
)
DATABASE_UP = Gauge("hiring_database_up", "1 when the database answered the last scrape")


def request_finished(kind: str, outcome: str, seconds: float | None) -> None:
    REQUESTS.labels(kind=kind, outcome=outcome).inc()
    if seconds is not None:
        HANDLER_SECONDS.labels(kind=kind).observe(seconds)


def slack_api_error(method: str, error: str) -> None:
    SLACK_API_ERRORS.labels(method=method, error=error).inc()


def reminder_sent(kind: str) -> None:
    REMINDERS.labels(kind=kind, outcome="sent").inc()


def outbox_sent(method: str) -> None:
    OUTBOX.labels(method=method, outcome="sent").inc()


def outbox_failed(method: str) -> None:
    OUTBOX.labels(method=method, outcome="failed").inc()


def reminder_sweep(outcome: str) -> None:
    REMINDER_SWEEPS.labels(outcome=outcome).inc()


def digest_run(outcome: str) -> None:
    DIGEST_RUNS.labels(outcome=outcome).inc()


async def _refresh_from_database(bot: BotContext) -> None:
    try:
        async with bot.sessions() as session:
            due_now, later = await count_unsent_reminders(session, bot.clock.now())
    except Exception as error:
        if not is_unavailable(error):
            raise
        # No stale figure: a dashboard should see the gap, and the database as down.
        DATABASE_UP.set(0)
        REMINDERS_UNSENT.clear()
        return
    DATABASE_UP.set(1)
    REMINDERS_UNSENT.labels(due="now").set(due_now)
    REMINDERS_UNSENT.labels(due="later").set(later)


async def exposition(bot: BotContext) -> bytes:
    """The metrics in Prometheus' text format, with the database gauges read now."""
    await _refresh_from_database(bot)
    return generate_latest(REGISTRY)
