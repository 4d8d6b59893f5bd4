"""APScheduler wiring: which jobs run when. The jobs' bodies live with their domain."""

from __future__ import annotations

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.config import Settings


def build_scheduler(settings: Settings) -> AsyncIOScheduler:
    # In-memory job store: APScheduler 3 cannot share a persistent one between
    # processes, and the jobs only poll the database, which holds the real state.
    return AsyncIOScheduler(
        timezone=settings.timezone,
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 30},
    )
