"""Shutting down: a scheduled job under way finishes, and the outbox's send in flight with
it, through the session and engine that close after them, rather than being cancelled
half way."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from datetime import time

import pytest
from sqlmodel import select

from bot.config import Settings
from bot.runtime import serve
from slackfake import FakeSlack
from storage.db import create_engine, session_factory
from storage.models import OutboxMessage, OutboxStatus
from tests.harness import HIRING_CHANNEL, free_port


async def test_a_digest_being_posted_at_shutdown_is_finished(
    settings: Settings, fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    # Due at start-up whatever day and hour the test runs: the job posts it at once.
    due = replace(
        settings,
        host="127.0.0.1",
        port=free_port(),
        digest_time=time(0, 0),
        working_days=frozenset(range(7)),
    )
    fake_slack.latency("chat.postMessage", 1.0)
    stop = asyncio.Event()
    with caplog.at_level(logging.INFO):
        running = asyncio.create_task(serve(due, stop))
        posting = await fake_slack.wait_for_calls(
            "chat.postMessage", where=lambda c: c.args.get("channel") == HIRING_CHANNEL
        )
        assert posting, "the digest job did not start"
        stop.set()
        await asyncio.wait_for(running, timeout=15)

    assert "queued the digest of" in caplog.text
    # The sender's post in flight was finished and recorded, not cancelled.
    engine = create_engine(due.database_url)
    try:
        async with session_factory(engine)() as session:
            rows = (await session.exec(select(OutboxMessage))).all()
    finally:
        await engine.dispose()
    assert [(row.status, row.sent_ts is not None) for row in rows] == [(OutboxStatus.SENT, True)]
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
