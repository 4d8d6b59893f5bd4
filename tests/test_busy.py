"""Busy times from iCalendar data: recurrences, exceptions, zones, DST, all-day events."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.busy import FeedError, Interval, busy_intervals, merge
from tests.calendar_servers import fixture

LONDON, BERLIN = ZoneInfo("Europe/London"), ZoneInfo("Europe/Berlin")


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def test_a_weekly_meeting_keeps_its_moved_occurrence_and_drops_the_excluded_one() -> None:
    busy = busy_intervals(
        fixture("weekly_with_exception.ics"), utc(2026, 11, 23), utc(2026, 12, 22), LONDON
    )
    assert busy == [
        Interval(utc(2026, 11, 23, 14), utc(2026, 11, 23, 15)),
        # 30 Nov moved to 13:00 by its RECURRENCE-ID override; 7 Dec excluded (EXDATE).
        Interval(utc(2026, 11, 30, 13), utc(2026, 11, 30, 14)),
        Interval(utc(2026, 12, 14, 14), utc(2026, 12, 14, 15)),
        Interval(utc(2026, 12, 21, 14), utc(2026, 12, 21, 15)),
    ]


def test_a_weekly_meeting_keeps_its_wall_clock_time_across_a_dst_change() -> None:
    busy = busy_intervals(fixture("dst_weekly.ics"), utc(2026, 10, 1), utc(2026, 12, 1), LONDON)
    # 10:00 in New York: 14:00 UTC before 1 November, 15:00 UTC after.
    assert [interval.start for interval in busy] == [
        utc(2026, 10, 22, 14),
        utc(2026, 10, 29, 14),
        utc(2026, 11, 5, 15),
        utc(2026, 11, 12, 15),
    ]


def test_all_day_events_are_the_owners_day_and_other_zones_are_converted() -> None:
    data = fixture("all_day_and_zones.ics")
    busy = busy_intervals(data, utc(2026, 11, 30), utc(2026, 12, 7), BERLIN)
    assert busy == [
        # The whole of 1 December in Berlin.
        Interval(utc(2026, 11, 30, 23), utc(2026, 12, 1, 23)),
        # 09:00 in Tokyo; the free (TRANSP:TRANSPARENT) and the cancelled events are absent.
        Interval(utc(2026, 12, 2, 0), utc(2026, 12, 2, 1)),
    ]
    in_london = busy_intervals(data, utc(2026, 11, 30), utc(2026, 12, 7), LONDON)
    # In London the day ends when the Tokyo call starts: the two merge.
    assert in_london == [Interval(utc(2026, 12, 1), utc(2026, 12, 2, 1))]


def test_only_what_overlaps_the_window_counts() -> None:
    busy = busy_intervals(
        fixture("weekly_with_exception.ics"), utc(2026, 11, 30, 13, 30), utc(2026, 12, 1), LONDON
    )
    assert busy == [Interval(utc(2026, 11, 30, 13), utc(2026, 11, 30, 14))]


@pytest.mark.parametrize(
    "garbage",
    ["", "<html>Sign in</html>", "BEGIN:VCALENDAR\nBEGIN:VEVENT\n", "\x00\xff" * 10],
)
def test_garbage_is_a_feed_error(garbage: str) -> None:
    with pytest.raises(FeedError, match="not an iCalendar file"):
        busy_intervals(garbage, utc(2026, 11, 30), utc(2026, 12, 7), LONDON)


def test_overlapping_and_touching_intervals_merge() -> None:
    a = Interval(utc(2026, 12, 1, 9), utc(2026, 12, 1, 10))
    b = Interval(utc(2026, 12, 1, 9, 30), utc(2026, 12, 1, 11))
    c = Interval(utc(2026, 12, 1, 11), utc(2026, 12, 1, 12))
    d = Interval(utc(2026, 12, 1, 13), utc(2026, 12, 1, 14))
    assert merge([d, c, b, a]) == [Interval(a.start, c.end), d]
