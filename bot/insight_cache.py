"""Everyone's calibration, kept a few minutes per process: hiring managers' and admins'
App Home shows it on every open, and it reads every rating ever given (about a second
for 5,000 candidates), while it changes only with new scorecards."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.insights import Calibration

CALIBRATION_TTL = timedelta(minutes=10)


@dataclass
class CalibrationCache:
    computed_at: datetime | None = None
    calibrations: tuple[Calibration, ...] = ()

    def get(self, now: datetime) -> tuple[Calibration, ...] | None:
        if self.computed_at is None or now - self.computed_at >= CALIBRATION_TTL:
            return None
        return self.calibrations

    def put(self, now: datetime, calibrations: tuple[Calibration, ...]) -> None:
        self.computed_at, self.calibrations = now, calibrations
