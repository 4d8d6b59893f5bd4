"""``python -m bot playground``: the fake Slack, the bot and the page, in one process.

One process so that the bot can read the playground's clock: the clock is an object
handed to ``serve``, not a setting, so nothing in ``python -m bot`` can turn it on.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import secrets
import signal
import socket
import tempfile
from collections.abc import Mapping
from datetime import datetime, timedelta
from pathlib import Path

import aiohttp
from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.config import load_settings
from bot.runtime import serve
from bot.scheduler import DAILY_DIGEST_JOB, REMINDER_SWEEP_JOB
from playground import demo
from playground.clock import PlaygroundClock
from playground.people import bot_environment, populate
from playground.relay import Relay
from playground.web import Playground, build_page_app
from slackfake import FakeSlack
from storage.migrate import upgrade

logger = logging.getLogger(__name__)

# Tried in turn from the asked port when it is taken.
PORTS_TRIED = 20


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _serve_page(app: web.Application, port: int) -> tuple[web.AppRunner, int]:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    for candidate in range(port, port + PORTS_TRIED) if port else [0]:
        try:
            site = web.TCPSite(runner, "127.0.0.1", candidate)
            await site.start()
        except OSError as error:
            if error.errno != errno.EADDRINUSE:
                raise
            continue
        return runner, int(runner.addresses[-1][1])
    await runner.cleanup()
    raise OSError(f"ports {port}-{port + PORTS_TRIED - 1} are all taken; pass --port")


async def _bot_up(session: aiohttp.ClientSession, url: str, task: asyncio.Task[None]) -> None:
    for _ in range(300):
        if task.done():
            task.result()  # the bot stopped: its error is the playground's
            raise RuntimeError("the bot stopped before it served")
        try:
            async with session.get(url) as response:
                if response.status == 200:
                    return
        except aiohttp.ClientConnectionError:
            pass
        await asyncio.sleep(0.05)
    raise RuntimeError("the bot did not start within 15 s")


async def run(
    environ: Mapping[str, str],
    *,
    port: int,
    seed_demo: bool,
    folder: Path,
    stop: asyncio.Event,
) -> None:
    clock = PlaygroundClock(-demo.SPAN if seed_demo else timedelta(0))
    fake = FakeSlack(clock=clock.timestamp)
    populate(fake)
    await fake.start()
    secret = secrets.token_hex(16)
    bot_port = _free_port()
    env = bot_environment(
        environ,
        fake,
        signing_secret=secret,
        port=bot_port,
        database_url=f"sqlite+aiosqlite:///{folder / 'playground.db'}",
    )
    settings = load_settings(env)
    await asyncio.to_thread(upgrade, settings.database_url)
    schedulers: list[AsyncIOScheduler] = []
    bot_stop = asyncio.Event()
    bot_task = asyncio.create_task(
        serve(settings, bot_stop, clock=clock, started=schedulers.append)
    )

    def run_due_jobs() -> None:
        for scheduler in schedulers:
            for job_id in (REMINDER_SWEEP_JOB, DAILY_DIGEST_JOB):
                job = scheduler.get_job(job_id)
                if job is not None:
                    job.modify(next_run_time=datetime.now(scheduler.timezone))

    session = aiohttp.ClientSession()
    page_runner: web.AppRunner | None = None
    try:
        base = f"http://127.0.0.1:{bot_port}"
        await _bot_up(session, f"{base}/healthz", bot_task)
        relay = Relay(fake, session, f"{base}/slack/events", secret)
        playground = Playground(
            fake,
            relay,
            clock,
            run_due_jobs,
            working_days=settings.working_days,
            working_hours=settings.working_hours,
        )
        if seed_demo:
            print("playground: playing the demo story…", flush=True)
            await demo.seed(playground)
        page_runner, page_port = await _serve_page(build_page_app(playground), port)
        print(f"playground: open http://127.0.0.1:{page_port}/ (Ctrl+C stops)", flush=True)
        stopped = asyncio.ensure_future(stop.wait())
        await asyncio.wait([stopped, bot_task], return_when=asyncio.FIRST_COMPLETED)
        stopped.cancel()
    finally:
        if page_runner is not None:
            await page_runner.cleanup()
        bot_stop.set()
        await asyncio.gather(bot_task, return_exceptions=True)
        await session.close()
        await fake.stop()


def main(environ: Mapping[str, str], *, port: int, seed_demo: bool) -> None:
    # The page polls and the sweep runs every 2 s, and each start migrates a new database:
    # their lines would bury the bot's own.
    for name in ("aiohttp.access", "alembic", "bot.reminder_sweep"):
        logging.getLogger(name).setLevel(logging.WARNING)
    # A jump of the clock makes it warn of "missed" runs, which the jump itself caused.
    logging.getLogger("apscheduler").setLevel(logging.ERROR)

    async def _main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        # A fresh workspace every start: the fake's messages live in memory, so the
        # database must start as empty as they do.
        with tempfile.TemporaryDirectory(prefix="hiring-playground-") as folder:
            await run(environ, port=port, seed_demo=seed_demo, folder=Path(folder), stop=stop)

    asyncio.run(_main())
