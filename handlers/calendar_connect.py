"""App Home's *Connect calendar*, *Replace* and *Disconnect* buttons and the modal."""

from __future__ import annotations

import logging
from typing import Any
from zoneinfo import ZoneInfo

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot import calendars
from bot.context import BotContext
from bot.errors import Conflict, NotFound
from bot.find_time import zone_of
from handlers.calendar_blocks import connect_modal, field_errors, read_connect_form, read_note
from handlers.home import refresh_home
from handlers.ids import Action, View
from handlers.modals import form_submission
from handlers.slack_users import lookup_users

logger = logging.getLogger(__name__)

_TITLE = "Connect calendar"


async def on_connect_button(
    ack: AsyncAck,
    body: dict[str, Any],
    client: AsyncWebClient,
    bot: BotContext,
) -> None:
    await ack()
    if not calendars.box(bot).ready:
        raise Conflict(calendars.NOT_SET_UP)
    await client.views_open(trigger_id=body["trigger_id"], view=connect_modal())


@form_submission(title=_TITLE, field_errors=field_errors)
async def on_connect_submit(
    ack: AsyncAck,
    view: dict[str, Any],
    client: AsyncWebClient,
    bot: BotContext,
    user_id: str,
) -> None:
    form = read_connect_form(view["state"]["values"])
    connection = await calendars.connect(bot, user_id, form)
    # Stored: the modal closes, then the first read tells the owner whether it works.
    await ack()
    busy, problem = await calendars.try_read(bot, connection, await _zone(client, user_id))
    await refresh_home(client, bot, user_id, read_note(problem, len(busy)))


async def on_disconnect_button(
    ack: AsyncAck,
    client: AsyncWebClient,
    bot: BotContext,
    user_id: str,
) -> None:
    await ack()
    if not await calendars.disconnect(bot, user_id):
        raise NotFound("You have no calendar connected.")
    await refresh_home(client, bot, user_id, "Disconnected: the address is deleted.")


async def _zone(client: AsyncWebClient, user_id: str) -> ZoneInfo:
    users = await lookup_users(client, [user_id])
    return zone_of(users[user_id].timezone if user_id in users else None)


def register(app: AsyncApp) -> None:
    app.action(Action.CONNECT_CALENDAR)(on_connect_button)
    app.action(Action.DISCONNECT_CALENDAR)(on_disconnect_button)
    app.view(View.CONNECT_CALENDAR)(on_connect_submit)
