"""What every service and listener needs, assembled once per process."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.availability import BusyCache
from bot.clock import Clock
from bot.config import Settings
from bot.hiring_team import HiringTeam
from bot.home_changes import HomeChanges
from bot.insight_cache import CalibrationCache
from bot.kits import Kits
from storage.db import SessionFactory


@dataclass
class BotContext:
    settings: Settings
    engine: AsyncEngine
    sessions: SessionFactory
    clock: Clock
    kits: Kits
    # Busy times of connected calendars, for a few minutes: one per process.
    busy_cache: BusyCache = field(default_factory=BusyCache)
    # Set when a transaction that queued outbox rows commits: wakes this process's sender.
    outbox_ready: asyncio.Event = field(default_factory=asyncio.Event)
    # Whose App Home a committed change moved: republished by this process's home publisher.
    home_changes: HomeChanges = field(default_factory=HomeChanges)
    # Everyone's calibration for App Home, for a few minutes: one per process.
    calibrations: CalibrationCache = field(default_factory=CalibrationCache)
    # Built from the settings and the clock: who counts as the hiring team, cached.
    team: HiringTeam = field(init=False)

    def __post_init__(self) -> None:
        self.team = HiringTeam(
            self.settings.hiring_channel_id, self.settings.hiring_admins, self.clock
        )

    def is_admin(self, user_id: str) -> bool:
        return user_id in self.settings.hiring_admins
