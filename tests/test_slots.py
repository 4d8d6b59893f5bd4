"""The slot finder: everyone free, in their own working hours, and the candidate's."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.busy import Interval
from bot.config import WorkingHours
from bot.slots import Attendee, CandidateWindow, find_slots, horizon_end, within_hours

LONDON, NEW_YORK, BERLIN = (
    ZoneInfo(z) for z in ("Europe/London", "America/New_York", "Europe/Berlin")
)
UTC_ZONE = ZoneInfo("UTC")
NINE_TO_SIX = WorkingHours(time(9), time(18))
WEEKDAYS = frozenset(range(5))
MONDAY = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def slots(
    attendees: list[Attendee],
    *,
    now: datetime = MONDAY,
    candidate: CandidateWindow | None = None,
    count: int = 5,
) -> list[datetime]:
    return find_slots(
        attendees,
        duration=timedelta(minutes=60),
        now=now,
        hours=NINE_TO_SIX,
        days=WEEKDAYS,
        zone=UTC_ZONE,
        candidate=candidate,
        count=count,
    )


def test_three_zones_meet_where_their_working_hours_overlap() -> None:
    found = slots([Attendee(LONDON), Attendee(NEW_YORK), Attendee(BERLIN)])
    # New York opens at 14:00 UTC, Berlin closes at 17:00 UTC: 60 min fits 14:00-16:00.
    assert found == [
        utc(2026, 11, 30, 14),
        utc(2026, 11, 30, 14, 30),
        utc(2026, 11, 30, 15),
        utc(2026, 11, 30, 15, 30),
        utc(2026, 11, 30, 16),
    ]


def test_busy_times_and_the_candidates_hours_are_kept_out() -> None:
    ana = Attendee(LONDON, [Interval(utc(2026, 11, 30, 14), utc(2026, 11, 30, 15))])
    candidate = CandidateWindow(NEW_YORK, WorkingHours(time(9), time(11)))
    found = slots([ana, Attendee(BERLIN)], candidate=candidate, count=3)
    # The candidate's 09:00-11:00 is 14:00-16:00 UTC; Ana is busy until 15:00.
    assert found == [utc(2026, 11, 30, 15), utc(2026, 12, 1, 14), utc(2026, 12, 1, 14, 30)]


def test_at_least_an_hour_of_notice_and_no_weekend() -> None:
    friday_evening = datetime(2026, 12, 4, 16, 40, tzinfo=UTC)
    found = slots([Attendee(LONDON)], now=friday_evening, count=1)
    assert found == [utc(2026, 12, 7, 9)]


def test_nothing_is_proposed_when_nobody_is_ever_free() -> None:
    always = Attendee(LONDON, [Interval(utc(2026, 11, 1), utc(2027, 1, 1))])
    assert slots([always, Attendee(BERLIN)]) == []


def test_the_horizon_is_ten_working_days_of_the_team() -> None:
    end = horizon_end(MONDAY, UTC_ZONE, WEEKDAYS, 10)
    assert end == utc(2026, 12, 12)  # the end of Friday 11 December


def test_a_window_until_midnight_reaches_midnight_and_no_further() -> None:
    late = WorkingHours(time(22), None)
    assert within_hours(utc(2026, 12, 1, 23), utc(2026, 12, 2), UTC_ZONE, late, WEEKDAYS)
    assert not within_hours(utc(2026, 12, 1, 23), utc(2026, 12, 2, 0, 30), UTC_ZONE, late, WEEKDAYS)
