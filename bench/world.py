"""The world of one run: the fake Web API, a database, the bot and the bare baseline."""

from __future__ import annotations

import asyncio
import shutil
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import aiohttp

from bench.procs import Server, free_port, spawn
from bench.sizes import Sizes
from slackfake import Call, FakeSlack
from slackfake import requests as sr
from storage.migrate import upgrade
from tests.harness import HIRING_CHANNEL, HIRING_MANAGER, SIGNING_SECRET

__all__ = [
    "HIRING_CHANNEL",
    "HIRING_MANAGER",
    "POSTS_PER_SECOND",
    "Bench",
    "Posted",
    "Run",
    "World",
    "world",
]

T = TypeVar("T")
R = TypeVar("R")
# Slack's limit on chat.postMessage, per channel: where a measurement posts many messages,
# the fake says no past it, as Slack does.
POSTS_PER_SECOND = 1.0

# Fills a freshly migrated database, given its URL.
Seeder = Callable[[str], Awaitable[None]]


@dataclass
class Run:
    """What one run of a measurement found: its figures, failed checks, and figures it
    could not measure on this checkout, with the reason."""

    figures: dict[str, float] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    missing: dict[str, str] = field(default_factory=dict)

    def check(self, ok: bool, failure: str) -> None:
        if not ok:
            self.failures.append(failure)


@dataclass(frozen=True)
class Posted:
    status: int
    text: str
    sent: float  # time.monotonic() just before the request was written
    answered: float  # time.monotonic() once the whole answer was read

    @property
    def seconds(self) -> float:
        return self.answered - self.sent


def quiet_digest() -> dict[str, str]:
    """A time zone where it is about noon now, and the digest at 23:59 there.

    The bot posts a missed digest at start-up; with the digest time later today it only
    declines, so a digest goes out only where a measurement asks for it.
    """
    offset = 12 - datetime.now(UTC).hour  # -11 … +12: Etc/GMT has every one of them
    # Etc/GMT's signs are POSIX's: Etc/GMT-3 is three hours ahead of UTC.
    zone = "Etc/GMT" if offset == 0 else f"Etc/GMT{-offset:+d}"
    return {"TIMEZONE": zone, "DIGEST_TIME": "23:59"}


@dataclass
class World:
    fake: FakeSlack
    workdir: Path
    database_url: str
    session: aiohttp.ClientSession
    servers: list[Server] = field(default_factory=list)
    _by_trigger: dict[str, Call] = field(default_factory=dict)
    _indexed: int = 0

    def bot_env(self, port: int, **overrides: str) -> dict[str, str]:
        """The settings the bench depends on; the others keep their defaults."""
        env = {
            "SLACK_BOT_TOKEN": self.fake.bot_token,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_APP_TOKEN": "",
            "SLACK_API_URL": self.fake.api_url,
            "HIRING_CHANNEL_ID": HIRING_CHANNEL,
            # A team that restricts who adds candidates, as most will: `new` then checks
            # its permission in the database before it acks.
            "HIRING_ADMINS": HIRING_MANAGER,
            "DATABASE_URL": self.database_url,
            "HOST": "127.0.0.1",
            "PORT": str(port),
            **quiet_digest(),
            # Reminders go out whenever the bench runs, not only in office hours.
            "WORKING_DAYS": "mon-sun",
            "WORKING_HOURS": "00:00-24:00",
            "LOG_LEVEL": "INFO",
        }
        return env | overrides

    async def start_bot(self, **overrides: str) -> Server:
        """``python -m bot``, exactly as production runs it (HTTP mode, migrations at start)."""
        port = free_port()
        server = spawn("bot", ["-m", "bot"], self.bot_env(port, **overrides), port, self.workdir)
        self.servers.append(server)
        await server.wait_ready("/healthz")
        return server

    async def start_bare(self) -> Server:
        port = free_port()
        server = spawn("bare", ["-m", "bench.bare"], self.bot_env(port), port, self.workdir)
        self.servers.append(server)
        await server.wait_ready("/healthz")
        return server

    async def post(self, url: str, body: str) -> Posted:
        """POST a signed form body (slash command or interaction), timed."""
        headers = sr.signed_headers(body, SIGNING_SECRET, content_type=sr.FORM)
        sent = time.monotonic()
        async with self.session.post(url, data=body.encode(), headers=headers) as response:
            text = await response.text()
        return Posted(response.status, text, sent, time.monotonic())

    async def call_for_trigger(self, trigger_id: str, within: float) -> Call | None:
        """The Web API call that used ``trigger_id`` (views.open, …), once it arrives."""
        deadline = time.monotonic() + within
        while True:
            # Only the calls that arrived since the last look: many waiters poll at once.
            for call in self.fake.calls[self._indexed :]:
                if "trigger_id" in call.args:
                    self._by_trigger[str(call.args["trigger_id"])] = call
            self._indexed = len(self.fake.calls)
            found = self._by_trigger.get(trigger_id)
            if found is not None or time.monotonic() > deadline:
                return found
            await asyncio.sleep(0.01)

    async def wait_for_calls(
        self, method: str, count: int, within: float, where: Callable[[Call], bool] = bool
    ) -> list[Call]:
        """The successful calls of ``method`` matching ``where``, once ``count`` of them
        arrived or ``within`` seconds passed."""
        return await self.fake.wait_for_calls(
            method,
            count,
            where=lambda call: bool(call.response.get("ok")) and where(call),
            within=within,
        )

    def command(self, text: str, *, user_id: str = HIRING_MANAGER) -> tuple[str, str]:
        """A signed-ready ``/mlops-candidate`` body and its fresh trigger id."""
        trigger_id = self.fake.new_trigger_id()
        body = sr.slash_command(
            text,
            user_id=user_id,
            channel_id=HIRING_CHANNEL,
            trigger_id=trigger_id,
            response_url=self.fake.response_url(),
        )
        return body, trigger_id


async def concurrently(
    items: Sequence[T], in_flight: int, work: Callable[[T], Awaitable[R]]
) -> list[R]:
    """``work`` on every item, ``in_flight`` at a time, as a client with that many
    connections would; results in the order of ``items``."""
    results: dict[int, R] = {}
    queue = iter(enumerate(items))

    async def worker() -> None:
        for index, item in queue:
            results[index] = await work(item)

    await asyncio.gather(*(worker() for _ in range(in_flight)))
    return [results[index] for index in range(len(items))]


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


@dataclass
class Bench:
    """What the runs of one bench share: sizes, a root folder, and seeded databases."""

    sizes: Sizes
    root: Path
    _templates: dict[str, Path] = field(default_factory=dict)

    async def database(self, name: str, seed: Seeder | None = None) -> Path:
        """A migrated database seeded by ``seed``, built once per bench and reused."""
        if name not in self._templates:
            path = self.root / "templates" / f"{name}.db"
            await asyncio.to_thread(path.parent.mkdir, parents=True, exist_ok=True)
            await asyncio.to_thread(path.unlink, missing_ok=True)
            # Alembic runs its own event loop, so it gets a thread of its own.
            await asyncio.to_thread(upgrade, sqlite_url(path))
            if seed is not None:
                await seed(sqlite_url(path))
            self._templates[name] = path
        return self._templates[name]

    @staticmethod
    async def copy(template: Path, workdir: Path) -> Path:
        """A copy of ``template`` in ``workdir``, for one run to change."""
        await asyncio.to_thread(workdir.mkdir, parents=True, exist_ok=True)
        target = workdir / "hiring.db"
        await asyncio.to_thread(shutil.copyfile, template, target)
        return target


@asynccontextmanager
async def world(workdir: Path, database: Path) -> AsyncIterator[World]:
    """A started fake and client session around a run on ``database``."""
    fake = FakeSlack()
    await fake.start()
    fake.add_user(HIRING_MANAGER, name="hm", real_name="Hana Manager", tz="Europe/London")
    # Slack keeps connections to an app open; so does the load generator.
    connector = aiohttp.TCPConnector(limit=0)
    session = aiohttp.ClientSession(connector=connector)
    state = World(fake, workdir, sqlite_url(database), session)
    try:
        yield state
    finally:
        for server in state.servers:
            # Off the event loop: the fake on it answers what the bot sends on its way out
            # (the last App Home tabs, the outbox's last rows).
            await asyncio.to_thread(server.stop)
        await session.close()
        await fake.stop()
