"""The source of "now": injected everywhere so that tests never wait for real time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, aware, in UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FrozenClock:
    """A clock that moves only when told to; for tests and the benchmark."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("FrozenClock needs an aware datetime")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> None:
        self._now += delta

    def set(self, moment: datetime) -> None:
        self._now = moment.astimezone(UTC)


def local_time(moment: datetime, zone: tzinfo) -> str:
    """``Mon 30 Nov 2026 11:00 CET``: for plain text that cannot hold Slack's date token (an
    option's text, a form's error), in the reader's zone and naming it."""
    local = moment.astimezone(zone)
    return f"{local:%a %d %b %Y %H:%M} {local.tzname() or ''}".rstrip()


def zone_named(name: str | None, default: ZoneInfo) -> ZoneInfo:
    """The IANA zone ``name``, or ``default`` when it is missing or unknown."""
    if not name:
        return default
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return default
