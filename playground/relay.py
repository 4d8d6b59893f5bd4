"""Slack's side of the conversation: what a person does on the page, sent to the bot as
Slack sends it (signed v0 requests to ``/slack/events``), with triggers and response URLs
issued by the fake so that its rules hold."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp

from playground.people import HIRING_CHANNEL, HIRING_CHANNEL_NAME
from slackfake import FakeSlack
from slackfake import requests as sr


@dataclass
class Delivery:
    """The bot's HTTP answer to one request."""

    status: int
    body: dict[str, Any] | str

    @property
    def ack(self) -> dict[str, Any]:
        return self.body if isinstance(self.body, dict) else {}


@dataclass(frozen=True)
class Origin:
    """Who caused a trigger or a response URL, and where."""

    user_id: str
    channel_id: str | None


class Relay:
    def __init__(
        self, fake: FakeSlack, session: aiohttp.ClientSession, events_url: str, secret: str
    ) -> None:
        self._fake = fake
        self._session = session
        self._events_url = events_url
        self._secret = secret
        self.triggers: dict[str, Origin] = {}
        self.response_urls: dict[str, Origin] = {}

    async def command(self, user_id: str, text: str, channel_id: str) -> Delivery:
        body = sr.slash_command(
            text,
            user_id=user_id,
            channel_id=channel_id,
            channel_name=HIRING_CHANNEL_NAME if channel_id == HIRING_CHANNEL else "directmessage",
            trigger_id=self.trigger(user_id, channel_id),
            response_url=self._response_url(user_id, channel_id),
            team_id=self._fake.team_id,
        )
        return await self._post(body)

    async def action(
        self,
        user_id: str,
        element: Mapping[str, Any],
        block_id: str,
        *,
        message: dict[str, Any] | None = None,
        channel_id: str | None = None,
        view: dict[str, Any] | None = None,
    ) -> Delivery:
        """A click on ``element`` (a button, or a static select with ``selected_option``) in
        a message of ``channel_id`` or in ``view``."""
        body = sr.block_actions(
            user_id=user_id,
            action_id=str(element.get("action_id", "")),
            block_id=block_id,
            value=element.get("value"),
            selected_option=element.get("selected_option"),
            trigger_id=self.trigger(user_id, channel_id),
            channel_id=channel_id,
            message=message,
            view=view,
            response_url=self._response_url(user_id, channel_id) if message else None,
            team_id=self._fake.team_id,
        )
        return await self._post(body)

    async def submit(
        self, user_id: str, view: dict[str, Any], values: Mapping[str, Mapping[str, Any]]
    ) -> Delivery:
        body = sr.view_submission(
            user_id=user_id,
            view=view,
            values=values,
            trigger_id=self.trigger(user_id, None),
            team_id=self._fake.team_id,
        )
        return await self._post(body)

    async def closed(
        self, user_id: str, view: dict[str, Any], values: Mapping[str, Mapping[str, Any]]
    ) -> Delivery:
        """The modal closed: as in Slack, view_closed carries what its inputs held."""
        return await self._post(sr.view_closed(user_id=user_id, view=view, values=values))

    async def home_opened(self, user_id: str) -> Delivery:
        event = {
            "type": "app_home_opened",
            "user": user_id,
            "channel": self._fake.dm_channel(user_id) or "D0PGHOME",
            "tab": "home",
            "event_ts": f"{self._fake.clock():.6f}",
        }
        return await self._post(sr.event_callback(event, team_id=self._fake.team_id))

    def trigger(self, user_id: str, channel_id: str | None) -> str:
        """A fresh trigger id from the fake, remembered as ``user_id``'s."""
        trigger_id = self._fake.new_trigger_id()
        self.triggers[trigger_id] = Origin(user_id, channel_id)
        return trigger_id

    def _response_url(self, user_id: str, channel_id: str | None) -> str:
        url = self._fake.response_url()
        self.response_urls[url] = Origin(user_id, channel_id)
        return url

    async def _post(self, body: str) -> Delivery:
        status, answer = await sr.post(self._session, self._events_url, body, self._secret)
        if isinstance(answer, str) and answer.startswith("{"):
            answer = json.loads(answer)
        return Delivery(status, answer)
