"""Connected calendars: connect one from App Home, remove it, and say what is connected.

The address (or the CalDAV URL, user and password) is stored encrypted with SECRET_KEY
and never shown back: its owner sees a description (``calendar_sources.describe``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.busy import Interval
from bot.calendar_sources import (
    CalendarUnavailable,
    address_problem,
    describe,
    feed_url,
    serialise,
    source_of,
)
from bot.context import BotContext
from bot.errors import Conflict, InvalidInput
from bot.secret_box import SecretBox, SecretsUnavailable
from storage import calendars as store
from storage.db import transaction
from storage.models import CalendarConnection, CalendarKind

logger = logging.getLogger(__name__)

NOT_SET_UP = (
    "Calendars are not set up on this bot yet: an admin has to set SECRET_KEY first, so "
    "that your calendar's address can be stored encrypted."
)
MAX_USERNAME = 200
MAX_PASSWORD = 500


class CalendarField(StrEnum):
    ICS_URL = "ics_url"
    CALDAV_URL = "caldav_url"
    CALDAV_USERNAME = "caldav_username"
    CALDAV_PASSWORD = "caldav_password"


@dataclass(frozen=True)
class CalendarForm:
    ics_url: str | None = None
    caldav_url: str | None = None
    caldav_username: str | None = None
    caldav_password: str | None = None


def box(bot: BotContext) -> SecretBox:
    return SecretBox(bot.settings.secret_keys)


def _clean(form: CalendarForm) -> tuple[str, str, str]:
    """(kind, plain secret, label), or InvalidInput naming the fields to fix."""
    ics_url = feed_url(form.ics_url or "")
    caldav_url = (form.caldav_url or "").strip()
    username = (form.caldav_username or "").strip()
    password = form.caldav_password or ""
    if ics_url and (caldav_url or username or password):
        raise InvalidInput(
            {CalendarField.ICS_URL: "Fill in the iCal address or the CalDAV fields, not both."}
        )
    if ics_url:
        if problem := address_problem(ics_url):
            raise InvalidInput({CalendarField.ICS_URL: problem})
        kind = CalendarKind.ICS_FEED
        return kind, serialise(kind, url=ics_url), describe(kind, ics_url)
    if not caldav_url:
        raise InvalidInput(
            {
                CalendarField.ICS_URL: "Paste your calendar's secret iCal address, or fill in "
                "the CalDAV fields below."
            }
        )
    errors: dict[str, str] = {}
    if problem := address_problem(caldav_url):
        errors[CalendarField.CALDAV_URL] = problem
    if not username or len(username) > MAX_USERNAME:
        errors[CalendarField.CALDAV_USERNAME] = "Enter the user name you sign in with."
    if not password or len(password) > MAX_PASSWORD:
        errors[CalendarField.CALDAV_PASSWORD] = "Enter an app password for this calendar."
    if errors:
        raise InvalidInput(errors)
    kind = CalendarKind.CALDAV
    plain = serialise(kind, url=caldav_url, username=username, password=password)
    return kind, plain, describe(kind, caldav_url, username)


async def connect(bot: BotContext, user_id: str, form: CalendarForm) -> CalendarConnection:
    """Store the user's calendar, replacing one connected before."""
    secrets = box(bot)
    if not secrets.ready:
        raise Conflict(NOT_SET_UP)
    kind, plain, label = _clean(form)
    connection = CalendarConnection(
        user_id=user_id,
        kind=kind,
        secret=secrets.seal(plain),
        label=label,
        connected_at=bot.clock.now(),
    )
    async with transaction(bot.sessions) as session:
        await store.save(session, connection)
    logger.info("calendar (%s) connected by %s", kind, user_id)
    return connection


async def disconnect(bot: BotContext, user_id: str) -> bool:
    async with transaction(bot.sessions) as session:
        removed = await store.remove(session, user_id)
    if removed:
        logger.info("calendar disconnected by %s", user_id)
    return removed


async def connection_of(bot: BotContext, user_id: str) -> CalendarConnection | None:
    async with bot.sessions() as session:
        return await store.get(session, user_id)


async def try_read(
    bot: BotContext, connection: CalendarConnection, zone: ZoneInfo
) -> tuple[list[Interval], str | None]:
    """Read the next week once, to tell the owner at once whether the bot can: the busy
    intervals and None, or nothing and the reason it cannot."""
    now = bot.clock.now()
    try:
        source = source_of(connection.kind, box(bot).open(connection.secret))
        return await source.busy(now, now + timedelta(days=7), zone), None
    except (CalendarUnavailable, SecretsUnavailable) as error:
        return [], str(error)
