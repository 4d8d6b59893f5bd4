"""The HTTP surface: signatures, malformed bodies, help, health."""

from __future__ import annotations

import json
import logging
import time
from dataclasses import replace
from urllib.parse import quote

import aiohttp
import pytest

from handlers.commands import SUBCOMMANDS
from storage.db import create_engine, session_factory
from tests.harness import Harness


async def test_help_lists_every_subcommand_in_an_ephemeral(harness: Harness) -> None:
    reply = await harness.command("help")
    assert reply.status == 200
    body = reply.json
    assert body["response_type"] == "ephemeral"
    shown = json.dumps(body["blocks"])
    for subcommand in SUBCOMMANDS:
        assert f"/mlops-candidate {subcommand.usage}" in shown
    assert harness.fake.calls_to("chat.postMessage") == []


async def test_empty_text_shows_help(harness: Harness) -> None:
    reply = await harness.command("")
    assert "/mlops-candidate help" in json.dumps(reply.json["blocks"])


async def test_unknown_subcommand_is_named_and_help_follows(harness: Harness) -> None:
    reply = await harness.command("frobnicate <!channel>")
    body = reply.json
    assert body["response_type"] == "ephemeral"
    assert "Unknown subcommand `frobnicate`" in body["blocks"][0]["text"]["text"]
    assert "/mlops-candidate help" in json.dumps(body["blocks"])


async def test_user_text_in_an_unknown_subcommand_is_escaped(harness: Harness) -> None:
    reply = await harness.command("<!channel>")
    text = reply.json["blocks"][0]["text"]["text"]
    assert "<!channel>" not in text and "&lt;!channel&gt;" in text


async def test_bad_signature_is_401_and_nothing_happens(harness: Harness) -> None:
    reply = await harness.post("command=%2Fmlops-candidate&text=help", secret="wrong")
    assert reply.status == 401
    assert harness.fake.calls == []


async def test_stale_timestamp_is_401(harness: Harness) -> None:
    reply = await harness.post(
        "command=%2Fmlops-candidate&text=help", timestamp=int(time.time()) - 6 * 60
    )
    assert reply.status == 401


async def test_unsigned_request_is_401(harness: Harness) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.post(harness.events_url, data=b"text=help") as response,
    ):
        assert response.status == 401


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("{not json", "application/json"),
        ("[1, 2, 3]", "application/json"),
        ("payload=%7Bnot-json", "application/x-www-form-urlencoded"),
        ("payload=" + quote("[1]"), "application/x-www-form-urlencoded"),
        ("payload=" + quote('"text"'), "application/x-www-form-urlencoded"),
    ],
)
async def test_signed_but_malformed_body_is_400_without_error_logs(
    harness: Harness, body: str, content_type: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        reply = await harness.post(body, content_type=content_type)
    assert reply.status == 400
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert harness.fake.calls == []


@pytest.mark.parametrize(
    "payload",
    [
        {"type": "message_action", "callback_id": "nobody_handles_this", "user": {"id": "U0X"}},
        {"type": "block_suggestion", "action_id": "nothing", "user": {"id": "U0X"}},
    ],
)
async def test_payload_type_we_do_not_handle_is_4xx_and_harmless(
    harness: Harness, payload: dict, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        reply = await harness.post("payload=" + quote(json.dumps(payload)))
    assert 400 <= reply.status < 500
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert [c.method for c in harness.fake.calls if c.method != "auth.test"] == []


async def test_url_verification_answers_the_challenge(harness: Harness) -> None:
    body = json.dumps({"type": "url_verification", "challenge": "abc123", "token": "x"})
    reply = await harness.post(body, content_type="application/json")
    assert reply.status == 200 and "abc123" in reply.text


async def test_healthz_is_ok_when_the_database_answers(harness: Harness) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{harness.base_url}/healthz") as response,
    ):
        assert response.status == 200
        assert await response.json() == {"status": "ok"}


async def test_healthz_is_503_when_the_database_does_not_answer(harness: Harness) -> None:
    # Nothing listens on port 1: every connection is refused at once. (A SQLite file that
    # cannot be opened would do too, but aiosqlite's worker thread then outlives the test.)
    engine = create_engine("postgresql+asyncpg://bot:secret@127.0.0.1:1/hiring")
    broken = replace(harness.bot, engine=engine, sessions=session_factory(engine))
    other = Harness(bot=broken, fake=harness.fake)
    await other.start()
    try:
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"{other.base_url}/healthz") as response,
        ):
            assert response.status == 503
    finally:
        await other.stop()
        await engine.dispose()
