"""Finding times a whole panel is free: pure, so every rule is tested with plain data.

Each interviewer is free inside ``WORKING_HOURS`` on ``WORKING_DAYS`` in their own time
zone and outside their busy intervals; the candidate, when they stated hours and a zone,
inside those too. Someone whose calendar is unknown counts as free: the modal names them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.busy import Interval, free_of
from bot.config import WorkingHours

SLOTS_SHOWN = 5
HORIZON_WORKING_DAYS = 10
STEP = timedelta(minutes=30)
# Nobody wants an invitation for an interview that starts in ten minutes.
MIN_NOTICE = timedelta(hours=1)


@dataclass(frozen=True)
class Attendee:
    zone: ZoneInfo
    busy: Sequence[Interval] = ()


@dataclass(frozen=True)
class CandidateWindow:
    zone: ZoneInfo
    hours: WorkingHours


def within_hours(
    start: datetime, end: datetime, zone: ZoneInfo, hours: WorkingHours, days: frozenset[int]
) -> bool:
    """Whether [start, end) lies inside one working day's hours on ``zone``'s wall clock."""
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    if local_start.weekday() not in days or not hours.contains(local_start.time()):
        return False
    if local_end.date() == local_start.date():
        return hours.end is None or local_end.time() <= hours.end
    # Only "until 24:00" reaches midnight, and nothing past it.
    return hours.end is None and local_end.time() == time(0) and (local_end - local_start).days < 1


def horizon_end(now: datetime, zone: ZoneInfo, days: frozenset[int], working_days: int) -> datetime:
    """The end of the ``working_days``-th working day from today (today included), in
    ``zone``."""
    day = now.astimezone(zone).date()
    counted = 0
    while True:
        if day.weekday() in days:
            counted += 1
            if counted == working_days:
                break
        day += timedelta(days=1)
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)


def find_slots(
    attendees: Sequence[Attendee],
    *,
    duration: timedelta,
    now: datetime,
    hours: WorkingHours,
    days: frozenset[int],
    zone: ZoneInfo,
    candidate: CandidateWindow | None = None,
    count: int = SLOTS_SHOWN,
) -> list[datetime]:
    """The first ``count`` starts, on a half-hour grid, in the next ten working days (of
    ``zone``, the team's) where everyone is free for ``duration``."""
    if not days:
        return []
    grid_origin = datetime(2000, 1, 1, tzinfo=now.tzinfo)
    earliest = now + MIN_NOTICE
    steps = -(-(earliest - grid_origin) // STEP)  # rounded up onto the grid
    start = grid_origin + steps * STEP
    last = horizon_end(now, zone, days, HORIZON_WORKING_DAYS) - duration
    found: list[datetime] = []
    while start <= last and len(found) < count:
        end = start + duration
        if all(
            within_hours(start, end, person.zone, hours, days) and free_of(person.busy, start, end)
            for person in attendees
        ) and (
            candidate is None
            or within_hours(start, end, candidate.zone, candidate.hours, frozenset(range(7)))
        ):
            found.append(start)
        start += STEP
    return found
