"""The calendar listeners as production runs them (the app ``bot.runtime`` builds, acks
from a task, process_before_response off), in HTTP mode and in Socket Mode: each success
and refusal."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest
from aiohttp import web
from cryptography.fernet import Fernet
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

from bot.app import build_app
from bot.calendars import NOT_SET_UP
from bot.config import Settings
from bot.runtime import create_context
from bot.server import build_web_app
from handlers.ids import Action, CalendarBlock, ScheduleBlock
from slackfake import FakeSlack
from slackfake import requests as sr
from tests.calendar_servers import FeedServer, fixture
from tests.harness import HIRING_MANAGER, SIGNING_SECRET
from tests.seed import add_candidate

KEY = Fernet.generate_key().decode()
Send = Callable[[str, dict[str, Any]], Awaitable[tuple[int, Any]]]


async def until(condition: Callable[[], bool]) -> None:
    """Wait for work the bot does after its ack, for at most 10 s."""
    async with asyncio.timeout(10):
        # Polling: the effect is a call the fake records, which signals nothing.
        while not condition():  # noqa: ASYNC110
            await asyncio.sleep(0.02)


@pytest.fixture(params=["http", "socket"])
async def running(
    request: pytest.FixtureRequest, settings: Settings, fake_slack: FakeSlack
) -> AsyncIterator[tuple[Send, Settings]]:
    """The bot as ``python -m bot`` builds it (acks from a task, process_before_response
    off), served over HTTP or Socket Mode, and how to send it an interaction. The
    scheduler is left out: its jobs are not what these tests are about."""
    mode = request.param
    keys = () if "no_key" in request.node.name else (KEY,)
    served = replace(settings, secret_keys=keys)
    bot = create_context(served)
    app = build_app(bot)
    session = aiohttp.ClientSession()
    runner = web.AppRunner(build_web_app(app, bot))
    handler = AsyncSocketModeHandler(app, fake_slack.app_token)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    events_url = f"http://127.0.0.1:{runner.addresses[0][1]}/slack/events"

    async def send(kind: str, payload: dict[str, Any]) -> tuple[int, Any]:
        if mode == "socket":
            ack = await fake_slack.send_envelope(kind, payload, timeout=10)
            return 200, ack.get("payload")
        body = urlencode({"payload": json.dumps(payload)})
        status, answer = await sr.post(session, events_url, body, SIGNING_SECRET)
        return status, answer or None

    try:
        if mode == "socket":
            await handler.connect_async()
            await fake_slack.wait_connected(timeout=10)
        yield send, served
    finally:
        if mode == "socket":
            await handler.close_async()
        await session.close()
        await runner.cleanup()
        await bot.engine.dispose()


def connect_payload(fake: FakeSlack, view: dict[str, Any], **fields: str) -> dict[str, Any]:
    values = {b: sr.text_value(b, fields.get(b.name.lower())) for b in CalendarBlock}
    return sr.view_submission_payload(user_id=HIRING_MANAGER, view=view, values=values)


async def open_connect(send: Send, fake: FakeSlack) -> dict[str, Any]:
    status, _ = await send(
        "interactive",
        sr.block_actions_payload(
            user_id=HIRING_MANAGER,
            action_id=Action.CONNECT_CALENDAR,
            trigger_id=fake.new_trigger_id(),
        ),
    )
    assert status == 200
    await until(lambda: bool(fake.calls_to("views.open")))
    return fake.calls_to("views.open")[-1].response["view"]


async def test_connect_refuses_bad_input_then_connects_and_finds_a_time(
    running: tuple[Send, Settings], fake_slack: FakeSlack, feed_server: FeedServer
) -> None:
    send, _ = running
    view = await open_connect(send, fake_slack)
    status, ack = await send(
        "interactive", connect_payload(fake_slack, view, ics_url="ftp://example.com/x.ics")
    )
    assert status == 200 and ack["response_action"] == "errors"
    assert CalendarBlock.ICS_URL in ack["errors"]

    feed_server.feeds["hm"] = fixture("dst_weekly.ics")
    status, ack = await send(
        "interactive", connect_payload(fake_slack, view, ics_url=feed_server.url("hm"))
    )
    assert (status, ack) == (200, None)
    await until(lambda: "Read it" in str(fake_slack.calls_to("views.publish")))

    # Find a time in a Schedule interview modal of a candidate.
    context = create_context(running[1])
    try:
        candidate = await add_candidate(context, fake=fake_slack, stage="screening")
    finally:
        await context.engine.dispose()
    await send(
        "interactive",
        sr.block_actions_payload(
            user_id=HIRING_MANAGER,
            action_id=Action.SCHEDULE_INTERVIEW,
            value=f"candidate:{candidate.id}",
            trigger_id=fake_slack.new_trigger_id(),
        ),
    )
    await until(lambda: len(fake_slack.calls_to("views.open")) == 2)
    schedule = fake_slack.calls_to("views.open")[-1].response["view"]
    values = {
        ScheduleBlock.INTERVIEWERS: sr.users_value(ScheduleBlock.INTERVIEWERS, [HIRING_MANAGER])
    }
    status, _ = await send(
        "interactive",
        sr.block_actions_payload(
            user_id=HIRING_MANAGER,
            action_id=Action.FIND_TIME,
            view=schedule | {"state": {"values": values}},
            trigger_id=fake_slack.new_trigger_id(),
        ),
    )
    assert status == 200
    await until(lambda: bool(fake_slack.calls_to("views.update")))
    updated = fake_slack.calls_to("views.update")[-1].args["view"]
    assert any(b.get("block_id") == ScheduleBlock.SLOT for b in updated["blocks"])

    status, _ = await send(
        "interactive",
        sr.block_actions_payload(
            user_id=HIRING_MANAGER,
            action_id=Action.DISCONNECT_CALENDAR,
            trigger_id=fake_slack.new_trigger_id(),
        ),
    )
    assert status == 200
    await until(lambda: "Disconnected" in str(fake_slack.calls_to("views.publish")[-1].args))


async def test_connect_without_a_secret_key_no_key_says_why(
    running: tuple[Send, Settings], fake_slack: FakeSlack
) -> None:
    send, _ = running
    status, _ = await send(
        "interactive",
        sr.block_actions_payload(
            user_id=HIRING_MANAGER,
            action_id=Action.CONNECT_CALENDAR,
            trigger_id=fake_slack.new_trigger_id(),
        ),
    )
    assert status == 200
    # From App Home there is no channel: the refusal comes by DM.
    await until(lambda: bool(fake_slack.calls_to("chat.postMessage")))
    [told] = fake_slack.calls_to("chat.postMessage")
    assert (told.args["channel"], told.args["text"]) == (HIRING_MANAGER, NOT_SET_UP)
    assert fake_slack.calls_to("views.open") == []
