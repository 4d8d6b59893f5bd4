"""The playground's clock: real time plus an offset that the page moves forward."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.config import WorkingHours

# Just inside the window, so that what waited for it is due at once.
INTO_THE_DAY = timedelta(minutes=5)


class PlaygroundClock:
    """Runs like the wall clock, shifted by ``offset``; ``advance`` jumps ahead so that
    reminders and the digest can be seen without waiting. Built only by the playground."""

    def __init__(self, offset: timedelta = timedelta(0)) -> None:
        self._offset = offset

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset

    def timestamp(self) -> float:
        """Unix seconds of ``now``: the fake Slack's clock, so message times and trigger
        expiry follow the bot's time."""
        return self.now().timestamp()

    @property
    def offset(self) -> timedelta:
        return self._offset

    def advance(self, delta: timedelta) -> None:
        if delta <= timedelta(0):
            raise ValueError("the playground clock only moves forward")
        self._offset += delta


def next_working_morning(
    now: datetime, zone: ZoneInfo, days: frozenset[int], hours: WorkingHours
) -> datetime:
    """The first moment after ``now`` that is a few minutes into working hours, on a working
    day, in ``zone``: where a jump of the clock shows what waits for someone's hours."""
    local = now.astimezone(zone)
    for ahead in range(8):
        day = local.date() + timedelta(days=ahead)
        start = datetime.combine(day, hours.start, zone) + INTO_THE_DAY
        if day.weekday() in days and start > local:
            return start.astimezone(UTC)
    raise ValueError("no working day in the week")
