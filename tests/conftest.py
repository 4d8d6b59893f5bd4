"""Fixtures: a migrated database per test, a fake Slack, a clock, and the harness."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.clock import FrozenClock
from bot.config import Settings, load_settings
from bot.context import BotContext
from bot.kits import Kits, default_prompts_dir, load_kits
from storage.db import create_engine, session_factory
from storage.migrate import upgrade
from tests.fakeslack import FakeSlack
from tests.harness import HIRING_CHANNEL, HIRING_MANAGER, SIGNING_SECRET, Harness

# A Monday, mid-morning UTC: inside default working hours.
START = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def isolated_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Real tokens or settings in the developer's shell must never reach a test."""
    names = (
        "SLACK_",
        "HIRING_",
        "DATABASE_URL",
        "HOST",
        "PORT",
        "TIMEZONE",
        "DIGEST_TIME",
        "WORKING_",
        "FEEDBACK_DUE_HOURS",
        "PROMPTS_DIR",
    )
    for name in list(os.environ):
        if name.startswith(names):
            monkeypatch.delenv(name)


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The migrations run once; each test gets a copy of the resulting file."""
    path = tmp_path_factory.mktemp("template") / "hiring.db"
    upgrade(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture
def database_url(migrated_template: Path, tmp_path: Path) -> str:
    path = tmp_path / "hiring.db"
    shutil.copyfile(migrated_template, path)
    return f"sqlite+aiosqlite:///{path}"


@pytest.fixture(scope="session")
def kits() -> Kits:
    return load_kits(default_prompts_dir())


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    fake = FakeSlack()
    await fake.start()
    fake.add_user(HIRING_MANAGER, name="hm", real_name="Hana Manager", tz="Europe/London")
    try:
        yield fake
    finally:
        await fake.stop()


@pytest.fixture
def settings(fake_slack: FakeSlack, database_url: str) -> Settings:
    return load_settings(
        {
            "SLACK_BOT_TOKEN": fake_slack.bot_token,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": fake_slack.api_url,
            "HIRING_CHANNEL_ID": HIRING_CHANNEL,
            "DATABASE_URL": database_url,
        }
    )


@pytest.fixture
async def make_harness(
    settings: Settings, fake_slack: FakeSlack, clock: FrozenClock, kits: Kits
) -> AsyncIterator[Callable[..., Any]]:
    """Build a harness; keyword arguments replace settings (e.g. ``hiring_admins``)."""
    started: list[Harness] = []

    async def build(**overrides: Any) -> Harness:
        bot_settings = replace(settings, **overrides)
        prompts = overrides.get("prompts_dir")
        engine = create_engine(bot_settings.database_url)
        bot = BotContext(
            settings=bot_settings,
            engine=engine,
            sessions=session_factory(engine),
            clock=clock,
            kits=load_kits(prompts) if prompts else kits,
        )
        harness = Harness(bot=bot, fake=fake_slack)
        await harness.start()
        started.append(harness)
        return harness

    try:
        yield build
    finally:
        for harness in started:
            await harness.stop()
            await harness.bot.engine.dispose()


@pytest.fixture
async def harness(make_harness: Callable[..., Any]) -> Harness:
    return await make_harness()


@pytest.fixture
def bot(harness: Harness) -> Iterator[BotContext]:
    yield harness.bot
