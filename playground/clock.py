"""The playground's clock: real time plus an offset that the page moves forward."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


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
