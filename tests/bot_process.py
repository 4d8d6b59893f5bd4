"""The real ``python -m bot`` in a subprocess, driven as Slack drives it in production: signed
HTTP requests in HTTP mode, envelopes over the fake's WebSocket in Socket Mode.

:class:`BotProcess` is a :class:`~tests.harness.Harness` whose requests go to the process,
so the in-process tests' request builders work on it unchanged. Unlike the in-process app
(``process_before_response=True``) the process answers first and calls Slack afterwards:
wait for its calls with ``fake.wait_for_calls``. Every answer is kept in ``answers``.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import aiohttp

from bench.procs import Server, free_port, spawn
from bench.world import quiet_digest
from slackfake import requests as sr
from tests.harness import HIRING_CHANNEL, SIGNING_SECRET, Harness, Reply

HTTP = "http"
SOCKET_MODE = "socket"
MODES = (HTTP, SOCKET_MODE)
# Slack gives up on an app that has not answered within 3 s.
ANSWER_WITHIN = 3.0
# Status of a Socket Mode envelope not acknowledged within ANSWER_WITHIN: bolt sends no
# acknowledgement at all for a request it would have answered with an error over HTTP.
NOT_ACKNOWLEDGED = 0


@dataclass(frozen=True)
class Answer:
    """How the process answered one request."""

    request: str  # what was sent, e.g. "block_actions record_decision"
    status: int  # HTTP status; in Socket Mode 200 once acked, NOT_ACKNOWLEDGED otherwise
    seconds: float

    @property
    def in_time(self) -> bool:
        return 200 <= self.status < 300 and self.seconds < ANSWER_WITHIN


def describe(payload: dict[str, Any]) -> str:
    """A request in a few words, for a failing assertion's message."""
    if "command" in payload:
        return f"command {payload['command']} {str(payload.get('text', '')).split(' ')[0]}"
    kind = str(payload.get("type"))
    if kind == "block_actions":
        return f"{kind} {payload['actions'][0]['action_id']}"
    if kind in ("view_submission", "view_closed"):
        return f"{kind} {payload['view'].get('callback_id')}"
    if kind == "event_callback":
        return f"event {payload['event'].get('type')}"
    return kind


def envelope_of(body: str, content_type: str) -> tuple[str, dict[str, Any]]:
    """The Socket Mode envelope type and payload Slack sends for what it would POST as
    ``body`` over HTTP."""
    if content_type == sr.JSON:
        return "events_api", json.loads(body)
    fields = dict(parse_qsl(body, keep_blank_values=True))
    if "payload" in fields:
        return "interactive", json.loads(fields["payload"])
    return "slash_commands", fields


@dataclass
class BotProcess(Harness):
    """``python -m bot`` in ``workdir`` against the fake, in ``mode``; ``bot`` is this
    test process's view of the same database (for reading) and of the kits."""

    mode: str = HTTP
    workdir: Path = field(default_factory=Path)
    env: dict[str, str] = field(default_factory=dict)
    server: Server | None = None
    answers: list[Answer] = field(default_factory=list)

    def process_env(self, port: int) -> dict[str, str]:
        mode_env = (
            {"SLACK_APP_TOKEN": self.fake.app_token}
            if self.mode == SOCKET_MODE
            else {"SLACK_SIGNING_SECRET": SIGNING_SECRET}
        )
        return {
            "SLACK_BOT_TOKEN": self.fake.bot_token,
            "SLACK_API_URL": self.fake.api_url,
            "HIRING_CHANNEL_ID": HIRING_CHANNEL,
            "DATABASE_URL": self.bot.settings.database_url,
            "HOST": "127.0.0.1",
            "PORT": str(port),
            **quiet_digest(),
            **mode_env,
            **self.env,
        }

    async def start(self) -> None:
        port = free_port()
        self.server = spawn("bot", ["-m", "bot"], self.process_env(port), port, self.workdir)
        self.base_url = self.server.url
        # Socket Mode serves /healthz too, for probes.
        await self.server.wait_ready("/healthz")
        if self.mode == SOCKET_MODE:
            await self.fake.wait_connected(timeout=ANSWER_WITHIN * 10)
        self._session = aiohttp.ClientSession()

    async def stop(self) -> None:
        if self.server is not None:
            # Off the event loop: the fake Slack on it answers the process on its way out.
            await asyncio.to_thread(self.server.stop)
        if self._session is not None:
            await self._session.close()

    @property
    def log(self) -> str:
        assert self.server is not None, "process not started"
        return self.server.log.read_text(errors="replace")

    async def wait_for_log(self, text: str, within: float = 10.0) -> str:
        """The log once ``text`` is in it: the process writes after Slack answered."""
        deadline = time.monotonic() + within
        while text not in (log := self.log):
            assert time.monotonic() < deadline, f"{text!r} not logged within {within} s"
            await asyncio.sleep(0.05)
        return log

    async def post(
        self,
        body: str,
        *,
        content_type: str = sr.FORM,
        secret: str = SIGNING_SECRET,
        timestamp: int | None = None,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        envelope_type, payload = envelope_of(body, content_type)
        started = time.monotonic()
        if self.mode == HTTP:
            reply = await super().post(
                body, content_type=content_type, secret=secret, timestamp=timestamp, headers=headers
            )
        else:
            reply = await self._send_envelope(envelope_type, payload)
        self.answers.append(Answer(describe(payload), reply.status, time.monotonic() - started))
        return reply

    async def _send_envelope(self, envelope_type: str, payload: dict[str, Any]) -> Reply:
        try:
            ack = await self.fake.send_envelope(envelope_type, payload, timeout=ANSWER_WITHIN)
        except TimeoutError:
            return Reply(NOT_ACKNOWLEDGED, "")
        answer = ack.get("payload")
        return Reply(200, json.dumps(answer) if answer else "")
