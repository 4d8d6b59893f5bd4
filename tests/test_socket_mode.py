"""Socket Mode: the same bot, connected over a websocket instead of serving HTTP."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace

import aiohttp

from bot.config import Settings
from bot.runtime import serve
from slackfake import FakeSlack
from slackfake import requests as sr
from tests.harness import free_port


async def test_socket_mode_acks_a_slash_command_envelope(
    settings: Settings, fake_slack: FakeSlack
) -> None:
    stop = asyncio.Event()
    port = free_port()
    socket_settings = replace(
        settings,
        app_token=fake_slack.app_token,
        signing_secret=None,
        host="127.0.0.1",
        port=port,
    )
    running = asyncio.create_task(serve(socket_settings, stop))
    try:
        await fake_slack.wait_connected(timeout=10)
        # No Slack endpoint, but health and metrics for probes and scrapers.
        async with aiohttp.ClientSession() as session:
            for path, status in (("/healthz", 200), ("/metrics", 200), ("/slack/events", 404)):
                async with session.get(f"http://127.0.0.1:{port}{path}") as response:
                    assert response.status == status, path
        payload = sr.slash_command_payload(
            "help", trigger_id=fake_slack.new_trigger_id(), response_url=fake_slack.response_url()
        )
        ack = await fake_slack.send_envelope("slash_commands", payload, timeout=10)
        assert ack["payload"]["response_type"] == "ephemeral"
        assert "/mlops-candidate help" in json.dumps(ack["payload"]["blocks"])
        assert fake_slack.calls_to("apps.connections.open")[0].token == fake_slack.app_token
    finally:
        stop.set()
        await asyncio.wait_for(running, timeout=15)
