"""*Find a time*: the first free slots of a panel, from their calendars, their working
hours in their own time zones, and the candidate's stated hours."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot import availability
from bot.availability import Availability
from bot.calendars import box
from bot.config import ConfigError, parse_working_hours
from bot.context import BotContext
from bot.slots import HORIZON_WORKING_DAYS, Attendee, CandidateWindow, find_slots, horizon_end
from storage.models import Candidate


@dataclass(frozen=True)
class FoundTimes:
    slots: tuple[datetime, ...]
    people: tuple[Availability, ...]
    duration_minutes: int
    # False when the candidate stated no usable hours and zone: only the panel counted.
    candidate_window: bool


def zone_of(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name) if name else ZoneInfo("UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def candidate_window(candidate: Candidate) -> CandidateWindow | None:
    if not candidate.timezone or not candidate.hours:
        return None
    try:
        return CandidateWindow(ZoneInfo(candidate.timezone), parse_working_hours(candidate.hours))
    except (ZoneInfoNotFoundError, ValueError, ConfigError):
        return None


async def find_time(
    bot: BotContext,
    *,
    candidate: Candidate,
    user_ids: Sequence[str],
    zones: Mapping[str, str | None],
    duration_minutes: int,
    budget_seconds: float = availability.FETCH_BUDGET_SECONDS,
) -> FoundTimes:
    settings = bot.settings
    now = bot.clock.now()
    end = horizon_end(now, settings.timezone, settings.working_days, HORIZON_WORKING_DAYS)
    people_zones = {user_id: zone_of(zones.get(user_id)) for user_id in user_ids}
    people = await availability.panel_availability(
        sessions=bot.sessions,
        box=box(bot),
        cache=bot.busy_cache,
        clock=bot.clock,
        user_ids=user_ids,
        zones=people_zones,
        start=now,
        end=end,
        budget_seconds=budget_seconds,
    )
    window = candidate_window(candidate)
    slots = find_slots(
        [Attendee(people_zones[person.user_id], person.busy) for person in people],
        duration=timedelta(minutes=duration_minutes),
        now=now,
        hours=settings.working_hours,
        days=settings.working_days,
        zone=settings.timezone,
        candidate=window,
    )
    return FoundTimes(tuple(slots), tuple(people), duration_minutes, window is not None)
