"""Where a person's calendar lives, behind one small interface.

``CalendarSource.busy`` is all scheduling needs; a source that can also hold the bot's
events (``WritableCalendar``) gets invitations written to it directly. Google's and
Microsoft's own APIs fit as two more classes with the same methods.

Errors are ``CalendarUnavailable`` with a short reason that never repeats the address or
the password: callers log and show it as it is.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, cast, runtime_checkable
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import aiohttp

from bot.busy import FeedError, Interval, busy_intervals, merge
from storage.models import CalendarKind

# caldav takes 0.2 s to import, and every start of `python -m bot` and of each of its
# commands paid for it: it is imported where a CalDAV calendar is used.
if TYPE_CHECKING:
    from caldav import aio as caldav

# caldav's DEBUG lines carry request details; the bot's DEBUG must not carry secrets.
logging.getLogger("caldav").setLevel(logging.WARNING)

# A feed larger than this is not a person's calendar; reading it would only cost memory.
MAX_FEED_BYTES = 10 * 1024 * 1024
FETCH_TIMEOUT_SECONDS = 10.0


class CalendarUnavailable(Exception):
    """The calendar could not be read or written; ``str()`` is a reason fit to show."""


@runtime_checkable
class CalendarSource(Protocol):
    async def busy(self, start: datetime, end: datetime, zone: ZoneInfo) -> list[Interval]:
        """Merged busy intervals overlapping [start, end); ``zone`` reads all-day events."""
        ...


@runtime_checkable
class WritableCalendar(CalendarSource, Protocol):
    async def put_event(self, uid: str, ics: str) -> None:
        """Create the event ``uid`` or replace it (a reschedule)."""
        ...

    async def remove_event(self, uid: str) -> None:
        """Delete the event ``uid``; nothing happens if it is not there."""
        ...


@dataclass(frozen=True)
class IcsFeed:
    """A secret iCal address (Google's "secret address in iCal format", Outlook's
    "publish calendar", Apple's public calendar link). Read only."""

    url: str

    async def busy(self, start: datetime, end: datetime, zone: ZoneInfo) -> list[Interval]:
        timeout = aiohttp.ClientTimeout(total=FETCH_TIMEOUT_SECONDS)
        try:
            async with (
                aiohttp.ClientSession(timeout=timeout) as session,
                session.get(self.url, headers={"Accept": "text/calendar"}) as response,
            ):
                if response.status != 200:
                    raise CalendarUnavailable(f"the feed answered HTTP {response.status}")
                data = await response.content.read(MAX_FEED_BYTES + 1)
        except (aiohttp.ClientError, TimeoutError) as error:
            # str(error) can hold the address: the type alone is logged and shown.
            reason = f"the feed could not be fetched ({type(error).__name__})"
            raise CalendarUnavailable(reason) from None
        if len(data) > MAX_FEED_BYTES:
            raise CalendarUnavailable("the feed is larger than 10 MB")
        try:
            return busy_intervals(data, start, end, zone)
        except FeedError as error:
            raise CalendarUnavailable(f"the feed is {error}") from None


class _DavEvent(Protocol):
    data: Any

    async def delete(self) -> None: ...


class _AsyncDavCalendar(Protocol):
    """The part of ``caldav.Calendar`` used here, as it behaves on an ``AsyncDAVClient``."""

    async def search(self, *, start: datetime, end: datetime, event: bool) -> list[_DavEvent]: ...

    async def save_event(self, ics: str) -> object: ...

    async def get_event_by_uid(self, uid: str) -> _DavEvent: ...


def _dav_calendar(client: caldav.AsyncDAVClient, url: str) -> _AsyncDavCalendar:
    # caldav's Calendar serves both clients; its annotations describe only the synchronous
    # one, while on an AsyncDAVClient every method returns a coroutine.
    from caldav import aio

    return cast(_AsyncDavCalendar, aio.Calendar(client=cast(Any, client), url=url))


@dataclass(frozen=True)
class CalDavCalendar:
    """One calendar collection on a CalDAV server (Fastmail, Nextcloud, iCloud with an
    app password, Radicale…). Read and written."""

    url: str
    username: str
    password: str

    def __repr__(self) -> str:
        return "CalDavCalendar(…)"

    def _client(self) -> caldav.AsyncDAVClient:
        from caldav import aio

        return aio.AsyncDAVClient(
            url=self.url,
            username=self.username,
            password=self.password,
            # App passwords are Basic auth everywhere; without this the client first asks
            # unauthenticated to find out, and servers delay refused requests (Radicale 1 s).
            auth_type="basic",
            timeout=int(FETCH_TIMEOUT_SECONDS),
            enable_rfc6764=False,
        )

    async def busy(self, start: datetime, end: datetime, zone: ZoneInfo) -> list[Interval]:
        try:
            async with self._client() as client:
                calendar = _dav_calendar(client, self.url)
                found = await calendar.search(start=start, end=end, event=True)
                texts = [str(item.data) for item in found]
        except Exception as error:  # caldav and its HTTP client raise many kinds
            raise CalendarUnavailable(_caldav_reason(error)) from None
        try:
            return merge(
                interval for text in texts for interval in busy_intervals(text, start, end, zone)
            )
        except FeedError as error:
            raise CalendarUnavailable(f"the calendar holds an event that is {error}") from None

    async def put_event(self, uid: str, ics: str) -> None:
        try:
            async with self._client() as client:
                calendar = _dav_calendar(client, self.url)
                await calendar.save_event(ics)
        except Exception as error:
            raise CalendarUnavailable(_caldav_reason(error)) from None

    async def remove_event(self, uid: str) -> None:
        from caldav.lib import error as caldav_error

        try:
            async with self._client() as client:
                calendar = _dav_calendar(client, self.url)
                try:
                    event = await calendar.get_event_by_uid(uid)
                except caldav_error.NotFoundError:
                    return
                await event.delete()
        except Exception as error:
            raise CalendarUnavailable(_caldav_reason(error)) from None


def _caldav_reason(error: Exception) -> str:
    from caldav.lib import error as caldav_error

    if isinstance(error, caldav_error.AuthorizationError):
        return "the CalDAV server refused the user or password"
    if isinstance(error, caldav_error.NotFoundError):
        return "the CalDAV server has no calendar at that address"
    return f"the CalDAV server could not be reached ({type(error).__name__})"


# --------------------------------------------------------------------- stored form


def feed_url(raw: str) -> str:
    """A pasted address as fetched: webcal:// (Apple, Outlook) is https://."""
    text = raw.strip()
    if text.lower().startswith("webcal://"):
        return "https://" + text[len("webcal://") :]
    return text


def address_problem(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return "Paste the full address, starting with https:// or webcal://."
    if any(char.isspace() for char in url):
        return "An address cannot contain spaces."
    if len(url) > 2000:
        return "That address is longer than 2,000 characters."
    return None


def describe(kind: str, url: str, username: str | None = None) -> str:
    """What the owner is shown of their connection: enough to recognise it, not to use it."""
    host = urlsplit(url).hostname or "?"
    if kind == CalendarKind.CALDAV:
        return f"CalDAV calendar of {username} on {host}"
    return f"iCal feed on {host} (address ending …{url[-4:]})"


def serialise(kind: str, *, url: str, username: str = "", password: str = "") -> str:
    """The plain text that is encrypted into ``CalendarConnection.secret``."""
    if kind == CalendarKind.CALDAV:
        return json.dumps({"url": url, "username": username, "password": password})
    return json.dumps({"url": url})


def source_of(kind: str, plain: str) -> CalendarSource:
    if kind == CalendarKind.CALDAV:
        return caldav_calendar(plain)
    return IcsFeed(json.loads(plain)["url"])


def caldav_calendar(plain: str) -> CalDavCalendar:
    """The CalDAV calendar of a connection's opened secret."""
    data = json.loads(plain)
    return CalDavCalendar(data["url"], data["username"], data["password"])
