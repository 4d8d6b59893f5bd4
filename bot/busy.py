"""Busy times from iCalendar data: every event of a calendar between two moments, with
recurrences expanded by recurring-ical-events (RRULE, RDATE, EXDATE, RECURRENCE-ID
overrides, time zones and their DST changes), as merged UTC intervals.

Pure functions: the sources in ``bot/calendar_sources.py`` fetch, this reads.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Component


class FeedError(Exception):
    """What a calendar answered is not a calendar; the message is safe to log and show."""


@dataclass(frozen=True, order=True)
class Interval:
    """[start, end) in aware UTC."""

    start: datetime
    end: datetime

    def overlaps(self, start: datetime, end: datetime) -> bool:
        return self.start < end and start < self.end


def parse_calendar(data: bytes | str) -> Calendar:
    try:
        calendar = Calendar.from_ical(data)
    except (ValueError, IndexError, KeyError) as error:
        raise FeedError("not an iCalendar file") from error
    if not isinstance(calendar, Calendar) or calendar.name != "VCALENDAR":
        raise FeedError("not an iCalendar file")
    return calendar


def busy_intervals(
    data: bytes | str, start: datetime, end: datetime, zone: ZoneInfo
) -> list[Interval]:
    """Merged busy intervals of the calendar ``data`` that overlap [start, end).

    ``zone`` is the owner's: all-day events and floating times are read in it. Free
    (TRANSP:TRANSPARENT) and cancelled events do not make anyone busy.
    """
    # Imported here: it (and the CLI toolkit it brings) is needed only when a calendar is
    # read, not at every start.
    import recurring_ical_events

    calendar = parse_calendar(data)
    try:
        occurrences = recurring_ical_events.of(calendar, skip_bad_series=True).between(start, end)
    except (ValueError, TypeError) as error:
        raise FeedError("a calendar event could not be read") from error
    found: list[Interval] = []
    for event in occurrences:
        if str(event.get("TRANSP", "")).upper() == "TRANSPARENT":
            continue
        if str(event.get("STATUS", "")).upper() == "CANCELLED":
            continue
        interval = _interval(event, zone)
        if interval is not None and interval.overlaps(start, end):
            found.append(interval)
    return merge(found)


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for interval in sorted(intervals):
        if merged and interval.start <= merged[-1].end:
            last = merged[-1]
            merged[-1] = Interval(last.start, max(last.end, interval.end))
        else:
            merged.append(interval)
    return merged


def _interval(event: Component, zone: ZoneInfo) -> Interval | None:
    if "DTSTART" not in event:
        return None
    begin: date | datetime = event.decoded("DTSTART")
    finish: date | datetime
    if "DTEND" in event:
        finish = event.decoded("DTEND")
    elif "DURATION" in event:
        duration: timedelta = event.decoded("DURATION")
        finish = begin + duration
    else:
        # RFC 5545: a date lasts the day, a date-time is an instant.
        finish = begin + timedelta(days=1) if not isinstance(begin, datetime) else begin
    start, end = _moment(begin, zone), _moment(finish, zone)
    return Interval(start, end) if end > start else None


def _moment(value: date | datetime, zone: ZoneInfo) -> datetime:
    if not isinstance(value, datetime):
        value = datetime.combine(value, time(0))
    if value.tzinfo is None:
        # A date or a floating time is the owner's wall clock.
        value = value.replace(tzinfo=zone)
    return value.astimezone(UTC)


def free_of(busy: Sequence[Interval], start: datetime, end: datetime) -> bool:
    return not any(interval.overlaps(start, end) for interval in busy)
