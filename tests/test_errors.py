"""The one error handler: domain errors reach the user's surface, others get a reference."""

from __future__ import annotations

import logging
import time
from typing import Any

import pytest
from slack_bolt.async_app import AsyncAck
from slack_bolt.request.async_request import AsyncBoltRequest

from bot.app import build_app
from bot.errors import PermissionDenied
from slackfake import requests as sr
from tests.harness import SIGNING_SECRET, Harness


@pytest.fixture
async def failing(harness: Harness) -> Harness:
    """The harness's app with two extra listeners that fail after acking."""
    assert harness.app is not None

    async def denied(ack: AsyncAck) -> None:
        await ack()
        raise PermissionDenied("Only the hiring manager can do that.")

    async def broken(ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        raise RuntimeError(f"secret candidate detail {body['text']}")

    harness.app.command("/denied")(denied)
    harness.app.command("/broken")(broken)
    return harness


async def _send(harness: Harness, command: str) -> int:
    body = sr.slash_command(
        "Jane Doe",
        command=command,
        user_id="U0ANA",
        trigger_id=harness.fake.new_trigger_id(),
        response_url=harness.fake.response_url(),
    )
    return (await harness.post(body)).status


async def test_domain_error_is_shown_to_the_user_as_an_ephemeral(failing: Harness) -> None:
    assert await _send(failing, "/denied") == 200
    [call] = failing.fake.calls_to("response_url")
    assert call.args["text"] == "Only the hiring manager can do that."
    assert call.args["response_type"] == "ephemeral"


async def test_unexpected_error_is_logged_with_a_reference_the_user_can_quote(
    failing: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="handlers.errors"):
        assert await _send(failing, "/broken") == 200
    [call] = failing.fake.calls_to("response_url")
    [record] = [r for r in caplog.records if r.name == "handlers.errors"]
    assert isinstance(record.args, tuple)
    exception_name, reference = record.args[0], record.args[1]
    assert exception_name == "RuntimeError"
    assert f"`{reference}`" in call.args["text"]
    assert "in broken" in record.getMessage()
    assert "Jane Doe" not in call.args["text"]
    assert "Jane Doe" not in caplog.text


@pytest.mark.parametrize("envelope", ["http", "socket_mode"])
async def test_a_refusal_after_the_ack_is_answered_200_at_once_in_production_mode(
    harness: Harness, envelope: str
) -> None:
    """Production acks from a task (process_before_response=False, and Socket Mode): a
    listener that raises after acking must not turn its ack into bolt's 404 after 3 s."""
    app = build_app(harness.bot)

    async def denied(ack: AsyncAck) -> None:
        await ack()
        raise PermissionDenied("Only the hiring manager can do that.")

    app.command("/denied")(denied)
    where = {
        "trigger_id": harness.fake.new_trigger_id(),
        "response_url": harness.fake.response_url(),
    }
    if envelope == "http":
        body = sr.slash_command("Jane Doe", command="/denied", **where)
        headers = sr.signed_headers(body, SIGNING_SECRET, content_type=sr.FORM)
        request = AsyncBoltRequest(body=body, headers=headers)
    else:
        payload = sr.slash_command_payload("Jane Doe", command="/denied", **where)
        request = AsyncBoltRequest(body=payload, mode="socket_mode")
    started = time.monotonic()
    response = await app.async_dispatch(request)

    assert (response.status, time.monotonic() - started < 1.0) == (200, True)
    [shown] = await harness.fake.wait_for_calls("response_url", 1)
    assert shown.args["text"] == "Only the hiring manager can do that."
