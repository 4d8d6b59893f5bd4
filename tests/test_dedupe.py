"""Events API redeliveries (X-Slack-Retry-Num) are recognised by event_id: the listener
runs once, on one replica or several."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import select

from bot.clock import FrozenClock
from bot.events import KEEP_DELIVERIES, forget_old_deliveries
from slackfake import requests as sr
from storage.db import transaction
from storage.models import ProcessedEvent
from tests.harness import Harness, Reply
from tests.intake_helpers import all_candidates, submit_intake
from tests.test_home import home_opened

# Its SQL can behave differently by dialect: it runs on PostgreSQL too.
pytestmark = pytest.mark.both_databases


async def deliver(
    harness: Harness, event_id: str, *, retry_num: int | None = None, user_id: str = "U0ANA"
) -> Reply:
    """An event_callback as Slack sends it; a redelivery carries X-Slack-Retry-Num."""
    headers = {}
    if retry_num is not None:
        headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"}
    body = sr.event_callback(home_opened(user_id), event_id=event_id)
    return await harness.post(body, content_type=sr.JSON, headers=headers)


async def test_a_redelivered_event_runs_the_listener_once(harness: Harness) -> None:
    first = await deliver(harness, "Ev0AAA0001")
    second = await deliver(harness, "Ev0AAA0001", retry_num=1)
    assert (first.status, second.status) == (200, 200)
    assert len(harness.fake.calls_to("views.publish")) == 1
    async with harness.bot.sessions() as session:
        rows = (await session.exec(select(ProcessedEvent))).all()
    assert [row.event_id for row in rows] == ["Ev0AAA0001"]


async def test_every_retry_of_an_event_is_skipped(harness: Harness) -> None:
    await deliver(harness, "Ev0AAA0002")
    for retry in (1, 2, 3):
        assert (await deliver(harness, "Ev0AAA0002", retry_num=retry)).status == 200
    assert len(harness.fake.calls_to("views.publish")) == 1


async def test_distinct_events_each_run(harness: Harness) -> None:
    await deliver(harness, "Ev0AAA0003")
    await deliver(harness, "Ev0AAA0004")
    assert len(harness.fake.calls_to("views.publish")) == 2


async def test_a_redelivery_to_another_replica_is_skipped(
    make_harness: Callable[..., Any],
) -> None:
    first, second = await make_harness(), await make_harness()
    await deliver(first, "Ev0AAA0005")
    assert (await deliver(second, "Ev0AAA0005", retry_num=1)).status == 200
    assert len(first.fake.calls_to("views.publish")) == 1


async def test_simultaneous_deliveries_to_two_replicas_run_once(
    make_harness: Callable[..., Any],
) -> None:
    first, second = await make_harness(), await make_harness()
    replies = await asyncio.gather(
        deliver(first, "Ev0AAA0006"), deliver(second, "Ev0AAA0006", retry_num=1)
    )
    assert [reply.status for reply in replies] == [200, 200]
    assert len(first.fake.calls_to("views.publish")) == 1


async def test_old_deliveries_are_forgotten_recent_ones_kept(
    harness: Harness, clock: FrozenClock
) -> None:
    await deliver(harness, "Ev0OLD")
    clock.advance(KEEP_DELIVERIES + timedelta(minutes=1))
    await deliver(harness, "Ev0NEW")
    assert await forget_old_deliveries(harness.bot) == 1
    async with transaction(harness.bot.sessions) as session:
        kept = (await session.exec(select(ProcessedEvent.event_id))).all()
    assert kept == ["Ev0NEW"]


async def test_a_modal_submitted_to_two_replicas_at_once_creates_one_record(
    make_harness: Callable[..., Any],
) -> None:
    # Slack resends a view_submission it saw no answer to; the load balancer may pick the
    # other replica. The view id, unique in the table, is what both replicas agree on.
    first, second = await make_harness(), await make_harness()
    replies = await asyncio.gather(
        submit_intake(first, view_id="VREPLICAS1"), submit_intake(second, view_id="VREPLICAS1")
    )
    assert [(reply.status, reply.text) for reply in replies] == [(200, ""), (200, "")]
    assert len(await all_candidates(first)) == 1
    # The card and its question set, posted by one replica only.
    assert len(first.fake.calls_to("chat.postMessage")) == 2
