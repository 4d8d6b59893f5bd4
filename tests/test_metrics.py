"""``GET /metrics``: requests by kind and outcome, handler latency, Slack API errors by
code, reminders pending read from the database at scrape time."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from slack_bolt.async_app import AsyncAck
from slack_sdk.errors import SlackApiError

from bot.clock import FrozenClock
from bot.config import Settings
from bot.errors import PermissionDenied
from bot.jobs import Jobs
from bot.slack_client import build_client
from handlers.slack_notifier import SlackNotifier
from slackfake import FakeSlack
from storage.db import transaction
from storage.models import Reminder, ReminderStatus
from tests.flows import deliver_event
from tests.harness import Harness
from tests.scrape import Counts, requests, scrape


async def test_metrics_are_served_in_prometheus_text_format(harness: Harness) -> None:
    await harness.command("help")
    samples = await scrape(harness.base_url)
    assert samples['hiring_slack_requests_total{kind="command",outcome="ok"}'] >= 1
    assert samples['hiring_handler_seconds_count{kind="command"}'] >= 1
    assert samples["hiring_database_up"] == 1


async def test_requests_are_counted_once_by_kind_and_outcome(harness: Harness) -> None:
    assert harness.app is not None

    async def denied(ack: AsyncAck) -> None:
        await ack()
        raise PermissionDenied("Only the hiring manager can do that.")

    async def broken(ack: AsyncAck) -> None:
        await ack()
        raise RuntimeError("a bug")

    harness.app.command("/denied")(denied)
    harness.app.command("/broken")(broken)
    counts = Counts(
        requests("command", "ok"),
        requests("command", "user_error"),
        requests("command", "error"),
        requests("event", "ok"),
        requests("event", "duplicate"),
        ("hiring_handler_seconds_count", {"kind": "command"}),
    )
    await harness.command("help")
    for command in ("/denied", "/broken"):
        assert (await harness.command("", command=command)).status == 200
    await deliver_event(harness, "Ev0METRICS")
    await deliver_event(harness, "Ev0METRICS", retry_num=1)
    assert counts.deltas() == [1, 1, 1, 1, 1, 3]


async def test_slack_api_errors_are_counted_by_method_and_code(
    settings: Settings, fake_slack: FakeSlack
) -> None:
    counts = Counts(
        ("hiring_slack_api_errors_total", {"method": "chat.postMessage", "error": "ratelimited"}),
        ("hiring_slack_api_errors_total", {"method": "chat.update", "error": "message_not_found"}),
    )
    client = build_client(settings)
    fake_slack.fail("chat.postMessage", "ratelimited", status=429, headers={"Retry-After": "0"})
    assert (await client.chat_postMessage(channel="C0HIRING", text="hi"))["ok"]
    with pytest.raises(SlackApiError):
        await client.chat_update(channel="C0HIRING", ts="1.000001", text="edit")
    # The retried 429 counts once, the call that then succeeded not at all.
    assert counts.deltas() == [1, 1]


async def test_errors_of_a_listener_s_own_client_are_counted(harness: Harness) -> None:
    # Bolt gives each request a fresh client: the counter must travel with it.
    counts = Counts(
        ("hiring_slack_api_errors_total", {"method": "views.publish", "error": "not_enabled"}),
        requests("event", "error"),
    )
    harness.fake.fail("views.publish", "not_enabled")
    assert (await deliver_event(harness, "Ev0NOTENABLED")).status == 200
    assert counts.deltas() == [1, 1]


def reminder(key: str, status: str, due_in: timedelta, clock: FrozenClock) -> Reminder:
    now = clock.now()
    return Reminder(
        kind="scorecard_due",
        recipient_id="U0ANA",
        due_at=now + due_in,
        status=status,
        dedupe_key=key,
        created_at=now,
    )


async def test_reminders_pending_are_read_from_the_database_at_scrape_time(
    harness: Harness, clock: FrozenClock
) -> None:
    rows: list[Any] = [
        reminder("due-pending", ReminderStatus.PENDING, -timedelta(minutes=5), clock),
        reminder("due-claimed", ReminderStatus.CLAIMED, -timedelta(minutes=1), clock),
        reminder("later", ReminderStatus.PENDING, timedelta(hours=2), clock),
        reminder("sent", ReminderStatus.SENT, -timedelta(hours=1), clock),
        reminder("failed", ReminderStatus.FAILED, -timedelta(hours=1), clock),
        reminder("cancelled", ReminderStatus.CANCELLED, timedelta(hours=1), clock),
    ]
    async with transaction(harness.bot.sessions) as session:
        session.add_all(rows)
    samples = await scrape(harness.base_url)
    assert samples['hiring_reminders_pending{due="now"}'] == 2
    assert samples['hiring_reminders_pending{due="later"}'] == 1
    clock.advance(timedelta(hours=3))
    samples = await scrape(harness.base_url)
    assert samples['hiring_reminders_pending{due="now"}'] == 3
    assert samples['hiring_reminders_pending{due="later"}'] == 0


async def test_each_reminder_sweep_is_counted_with_its_outcome(
    harness: Harness, notifier: SlackNotifier, monkeypatch: pytest.MonkeyPatch
) -> None:
    sweeps = Counts(
        ("hiring_reminder_sweeps_total", {"outcome": "ok"}),
        ("hiring_reminder_sweeps_total", {"outcome": "failed"}),
    )
    jobs = Jobs(harness.bot, notifier, "test")

    assert await jobs.sweep_reminders() is not None
    assert sweeps.deltas() == [1, 0]

    async def broken(*args: Any, **kwargs: Any) -> None:
        raise ConnectionError("database gone")

    monkeypatch.setattr("bot.jobs.send_due_reminders", broken)
    assert await jobs.sweep_reminders() is None
    assert sweeps.deltas() == [1, 1]
    samples = await scrape(harness.base_url)
    assert samples['hiring_reminder_sweeps_total{outcome="failed"}'] >= 1
