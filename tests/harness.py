"""The bot as Slack sees it: a real HTTP server, signed requests in, a fake Web API out."""

from __future__ import annotations

import json
import socket
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import aiohttp
from aiohttp import web
from slack_bolt.async_app import AsyncApp

from bot.app import build_app
from bot.context import BotContext
from bot.server import build_web_app
from bot.slack_client import build_sender_client
from handlers.home import HomePublisher
from handlers.outbox_sender import OutboxSender
from slackfake import FakeSlack
from slackfake import requests as sr
from storage.db import is_unavailable

SIGNING_SECRET = "test-signing-secret"
HIRING_CHANNEL = "C0HIRING"
HIRING_MANAGER = "U0HM"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (for a server that needs it upfront)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Reply:
    status: int
    text: str

    @property
    def json(self) -> Any:
        return json.loads(self.text) if self.text else None


async def deliver(bot: BotContext) -> datetime | None:
    """What the outbox of ``bot``'s database holds that can go now, sent by a sender of its
    own (as another replica's would be); when the next row can go."""
    sender = OutboxSender(bot, build_sender_client(bot.settings), "test")
    return await sender.drain()


@dataclass
class Harness:
    """Drives one bot over HTTP; every Slack call it makes lands in ``fake.calls``."""

    bot: BotContext
    fake: FakeSlack
    base_url: str = ""
    app: AsyncApp | None = None
    _runner: web.AppRunner | None = None
    _session: aiohttp.ClientSession | None = None
    _view_ids: dict[str, int] = field(default_factory=dict)
    sender: OutboxSender | None = None
    homes: HomePublisher | None = None

    async def start(self) -> None:
        self.app = build_app(self.bot, process_before_response=True)
        self.sender = OutboxSender(self.bot, build_sender_client(self.bot.settings), "harness")
        self.homes = HomePublisher(self.bot, self.app.client)
        self._runner = web.AppRunner(build_web_app(self.app, self.bot))
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.base_url = f"http://127.0.0.1:{port}"
        self._session = aiohttp.ClientSession()

    async def stop(self) -> None:
        if self._session is not None:
            await self._session.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def events_url(self) -> str:
        return f"{self.base_url}/slack/events"

    async def post(
        self,
        body: str,
        *,
        content_type: str = "application/x-www-form-urlencoded",
        secret: str = SIGNING_SECRET,
        timestamp: int | None = None,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        assert self._session is not None, "harness not started"
        signed = sr.signed_headers(body, secret, timestamp=timestamp, content_type=content_type)
        async with self._session.post(
            self.events_url, data=body.encode(), headers=signed | (headers or {})
        ) as response:
            reply = Reply(response.status, await response.text())
        # What the request queued goes out now, as the process's sender and home publisher
        # would send it a moment after the answer: tests then see Slack as a user would.
        await self.deliver()
        if self.homes is not None:
            await self.homes.publish()
        return reply

    async def deliver(self) -> None:
        """Send what the outbox holds that can go now (by the injected clock). A bot in a
        process of its own (``tests/bot_process.py``) has its own sender."""
        if self.sender is None:
            return
        try:
            await self.sender.drain()
        except Exception as error:
            # A test of a database outage: the sender waits for it like the request did.
            if not is_unavailable(error):
                raise

    async def command(
        self,
        text: str,
        *,
        user_id: str = HIRING_MANAGER,
        channel_id: str = HIRING_CHANNEL,
        command: str = "/mlops-candidate",
        trigger_id: str | None = None,
    ) -> Reply:
        body = sr.slash_command(
            text,
            command=command,
            user_id=user_id,
            channel_id=channel_id,
            trigger_id=trigger_id or self.fake.new_trigger_id(),
            response_url=self.fake.response_url(),
        )
        return await self.post(body)

    async def action(
        self, action_id: str, *, user_id: str = HIRING_MANAGER, **kwargs: Any
    ) -> Reply:
        kwargs.setdefault("trigger_id", self.fake.new_trigger_id())
        kwargs.setdefault("response_url", self.fake.response_url())
        return await self.post(sr.block_actions(user_id=user_id, action_id=action_id, **kwargs))

    async def submit(
        self,
        callback_id: str,
        values: dict[str, Any],
        *,
        user_id: str = HIRING_MANAGER,
        private_metadata: str = "",
        view_id: str | None = None,
    ) -> Reply:
        """Submit a modal; a fresh view id each time unless a resubmission is wanted."""
        if view_id is None:
            self._view_ids[callback_id] = self._view_ids.get(callback_id, 0) + 1
            view_id = f"V{callback_id.upper()[:10]}{self._view_ids[callback_id]:04d}"
        body = sr.view_submission(
            user_id=user_id,
            callback_id=callback_id,
            values=values,
            private_metadata=private_metadata,
            view_id=view_id,
        )
        return await self.post(body)

    async def event(self, event: dict[str, Any], **kwargs: Any) -> Reply:
        return await self.post(sr.event_callback(event, **kwargs), content_type="application/json")

    async def join_channel(self, user_id: str, channel_id: str = HIRING_CHANNEL) -> None:
        """``user_id`` joins the channel: the fake lists them as a member, and the bot hears
        ``member_joined_channel`` as Slack would send it."""
        self.fake.add_user(user_id)
        await self.event({"type": "member_joined_channel", "user": user_id, "channel": channel_id})

    async def leave_channel(self, user_id: str, channel_id: str = HIRING_CHANNEL) -> None:
        self.fake.remove_member(channel_id, user_id)
        await self.event({"type": "member_left_channel", "user": user_id, "channel": channel_id})
