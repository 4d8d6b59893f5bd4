"""Calendar sources against real servers: Radicale for CalDAV, a local HTTP server for iCal
feeds (one that hangs, one that answers garbage); and the panel's availability on top."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from cryptography.fernet import Fernet

from bot.availability import BusyCache, Status, panel_availability
from bot.busy import Interval, busy_intervals
from bot.calendar_sources import CalDavCalendar, CalendarUnavailable, IcsFeed, serialise
from bot.clock import FrozenClock
from bot.context import BotContext
from bot.secret_box import SecretBox
from storage import calendars as store
from storage.db import transaction
from storage.models import CalendarConnection, CalendarKind
from tests.calendar_servers import CALDAV_PASSWORD, FeedServer, Radicale, fixture

LONDON = ZoneInfo("Europe/London")
START, END = datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 12, 22, tzinfo=UTC)
KEY = Fernet.generate_key().decode()


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def invitation(uid: str, start: datetime) -> str:
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//tests//EN\r\nBEGIN:VEVENT\r\n"
        f"UID:{uid}\r\nDTSTAMP:20261130T100000Z\r\nDTSTART:{start:%Y%m%dT%H%M%SZ}\r\n"
        f"DTEND:{start + timedelta(hours=1):%Y%m%dT%H%M%SZ}\r\nSUMMARY:Interview\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    )


async def test_caldav_busy_times_match_the_same_events_read_from_a_file(
    radicale: Radicale,
) -> None:
    files = ("weekly_with_exception.ics", "dst_weekly.ics", "all_day_and_zones.ics")
    name = f"busy-{uuid.uuid4().hex[:8]}"
    url = await radicale.make_calendar("ana", name, *(fixture(f) for f in files))
    calendar = CalDavCalendar(url, "ana", CALDAV_PASSWORD)

    busy = await calendar.busy(START, END, LONDON)

    expected = sorted(i for f in files for i in busy_intervals(fixture(f), START, END, LONDON))
    assert busy == expected
    assert Interval(utc(2026, 11, 30, 13), utc(2026, 11, 30, 14)) in busy  # the moved one
    assert Interval(utc(2026, 11, 5, 15), utc(2026, 11, 5, 16)) in busy  # after the DST change


async def test_caldav_events_are_written_moved_and_removed_by_uid(radicale: Radicale) -> None:
    name = f"write-{uuid.uuid4().hex[:8]}"
    calendar = CalDavCalendar(await radicale.make_calendar("ben", name), "ben", CALDAV_PASSWORD)

    await calendar.put_event(
        "interview-1@tests", invitation("interview-1@tests", utc(2026, 12, 1, 14))
    )
    await calendar.put_event(
        "interview-1@tests", invitation("interview-1@tests", utc(2026, 12, 2, 15))
    )
    [stored] = await radicale.events("ben", name)
    assert "DTSTART:20261202T150000Z" in stored

    await calendar.remove_event("interview-1@tests")
    await calendar.remove_event("interview-1@tests")  # gone already: nothing to do
    assert await radicale.events("ben", name) == []


async def test_a_refused_password_is_calendar_unavailable(radicale: Radicale) -> None:
    url = await radicale.make_calendar("cy", f"pw-{uuid.uuid4().hex[:8]}")
    with pytest.raises(CalendarUnavailable) as raised:
        await CalDavCalendar(url, "cy", "wrong-password").busy(START, END, LONDON)
    assert "wrong-password" not in str(raised.value)


async def test_feeds_read_and_fail_with_a_reason_that_hides_the_address(
    feed_server: FeedServer,
) -> None:
    feed_server.feeds["ben"] = fixture("dst_weekly.ics")
    assert len(await IcsFeed(feed_server.url("ben")).busy(START, END, LONDON)) == 4
    for name, reason in (("garbage", "not an iCalendar file"), ("missing", "HTTP 404")):
        with pytest.raises(CalendarUnavailable, match=reason) as raised:
            await IcsFeed(feed_server.url(name)).busy(START, END, LONDON)
        assert "token" not in str(raised.value)


async def _connect(bot: BotContext, user_id: str, url: str) -> None:
    box = SecretBox([KEY])
    async with transaction(bot.sessions) as session:
        await store.save(
            session,
            CalendarConnection(
                user_id=user_id,
                kind=CalendarKind.ICS_FEED,
                secret=box.seal(serialise(CalendarKind.ICS_FEED, url=url)),
                label="feed",
                connected_at=bot.clock.now(),
            ),
        )


async def test_a_panel_is_read_at_once_and_slow_or_broken_feeds_are_named(
    bot: BotContext, feed_server: FeedServer, clock: FrozenClock
) -> None:
    feed_server.feeds["ok"] = fixture("weekly_with_exception.ics")
    for user_id, feed in (("U1", "ok"), ("U2", "hang"), ("U3", "garbage")):
        await _connect(bot, user_id, feed_server.url(feed))
    cache = BusyCache()

    async def ask() -> dict[str, Status]:
        found = await panel_availability(
            sessions=bot.sessions,
            box=SecretBox([KEY]),
            cache=cache,
            clock=clock,
            user_ids=["U1", "U2", "U3", "U4"],
            zones={},
            start=clock.now(),
            end=clock.now() + timedelta(days=14),
            budget_seconds=0.5,
        )
        return {person.user_id: person.status for person in found}

    assert await ask() == {
        "U1": Status.READ,
        "U2": Status.TOO_SLOW,
        "U3": Status.UNAVAILABLE,
        "U4": Status.NO_CALENDAR,
    }
    assert feed_server.requests.count("ok") == 1
    # Within five minutes the good feed is not fetched again; after them it is.
    await ask()
    assert feed_server.requests.count("ok") == 1
    clock.advance(timedelta(minutes=5))
    await ask()
    assert feed_server.requests.count("ok") == 2
