"""Running the bot: build its context, serve Slack, and shut down cleanly."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable

import aiohttp
from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from slack_sdk.web.async_client import AsyncWebClient

from bot.app import build_app
from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.context import BotContext
from bot.digest import current_digest
from bot.jobs import Jobs, replica_name
from bot.kits import default_prompts_dir, load_kits
from bot.scheduler import RunsInFlight, build_scheduler, register_jobs
from bot.server import AccessLogger, build_health_app, build_web_app
from bot.slack_client import build_client, build_sender_client
from handlers.digest_blocks import digest_text
from handlers.home import HomePublisher
from handlers.outbox_sender import OutboxSender
from handlers.slack_notifier import SlackNotifier
from handlers.team_access import SlackMembers, channel_warning
from storage.db import create_engine, session_factory

logger = logging.getLogger(__name__)

# How long in-flight HTTP requests may take to finish once shutdown starts.
SHUTDOWN_GRACE_SECONDS = 10.0


def create_context(settings: Settings, clock: Clock | None = None) -> BotContext:
    kits = load_kits(settings.prompts_dir or default_prompts_dir())
    engine = create_engine(settings.database_url)
    return BotContext(
        settings=settings,
        engine=engine,
        sessions=session_factory(engine),
        clock=clock or SystemClock(),
        kits=kits,
    )


async def print_digest(settings: Settings) -> None:
    """``python -m bot digest --print``: today's digest as text, posted nowhere."""
    bot = create_context(settings)
    try:
        print(digest_text(await current_digest(bot), settings.timezone))
    finally:
        await bot.engine.dispose()


async def announce_hiring_channel(bot: BotContext, client: AsyncWebClient) -> None:
    """At start-up: warn when the hiring channel is public, and read the hiring team once so
    that the first command does not wait for it."""
    warning = await channel_warning(client, bot.settings.hiring_channel_id)
    if warning is not None:
        logger.warning(warning)
    await bot.team.members(SlackMembers(client))


async def check_hiring_channel(settings: Settings) -> str:
    """``python -m bot check``: the hiring channel's line."""
    client = build_client(settings)
    warning = await channel_warning(client, settings.hiring_channel_id)
    return warning or f"ok: the hiring channel {settings.hiring_channel_id} is private"


def _stop_on_signals(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)


async def serve(
    settings: Settings,
    stop: asyncio.Event | None = None,
    *,
    clock: Clock | None = None,
    started: Callable[[AsyncIOScheduler], None] | None = None,
) -> None:
    """Run until ``stop`` is set (SIGTERM or SIGINT when not given).

    ``clock`` and ``started`` are the playground's: its clock moves forward on request, and
    it runs the due jobs at once when it does. ``python -m bot`` passes neither.
    """
    if stop is None:
        stop = asyncio.Event()
        _stop_on_signals(stop)
    bot = create_context(settings, clock)
    # One connection pool for every Web API call of the process, listeners and jobs alike.
    session = aiohttp.ClientSession()
    app = build_app(bot, client=build_client(settings, session=session))
    scheduler = build_scheduler(settings)
    in_flight = RunsInFlight(scheduler)
    jobs = Jobs(bot, SlackNotifier(app.client, bot.clock), replica_name())
    register_jobs(scheduler, settings, jobs, bot.clock.now())
    # Socket Mode serves health and metrics too, for probes and scrapers.
    sender = OutboxSender(bot, build_sender_client(settings, session=session), replica_name())
    publisher = HomePublisher(bot, app.client)
    # Set at shutdown: the sender and the publisher finish what the last requests queued.
    background_stop = asyncio.Event()
    sending: asyncio.Task[None] | None = None
    publishing: asyncio.Task[None] | None = None
    web_app = build_health_app(bot) if settings.socket_mode else build_web_app(app, bot)
    runner = web.AppRunner(
        web_app, shutdown_timeout=SHUTDOWN_GRACE_SECONDS, access_log_class=AccessLogger
    )
    try:
        await announce_hiring_channel(bot, app.client)
        sending = asyncio.create_task(sender.run(background_stop), name="outbox sender")
        publishing = asyncio.create_task(publisher.run(background_stop), name="home publisher")
        await runner.setup()
        await web.TCPSite(runner, settings.host, settings.port).start()
        if settings.app_token is not None:
            # Imported here: HTTP mode, the mode of several replicas, has no use for it.
            from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

            handler = AsyncSocketModeHandler(app, settings.app_token)
            await handler.connect_async()
            logger.info("connected to Slack in Socket Mode")
            logger.info("health on http://%s:%d/healthz", settings.host, settings.port)
            scheduler.start()
            await stop.wait()
            await handler.close_async()
        else:
            logger.info("listening on http://%s:%d/slack/events", settings.host, settings.port)
            scheduler.start()
            if started is not None:
                started(scheduler)
            await stop.wait()
            logger.info("shutting down: finishing in-flight requests")
    finally:
        await runner.cleanup()
        if scheduler.running:
            # Runs under way finish, with the session and the engine still open.
            scheduler.pause()
            await in_flight.finish(SHUTDOWN_GRACE_SECONDS)
            scheduler.shutdown(wait=False)
        background_stop.set()
        if publishing is not None:
            try:
                await asyncio.wait_for(publishing, SHUTDOWN_GRACE_SECONDS)
            except TimeoutError:
                logger.warning("some App Home tabs not republished before stopping")
        if sending is not None:
            # Messages of the last requests go out before the connections close.
            try:
                await asyncio.wait_for(sending, SHUTDOWN_GRACE_SECONDS)
                await asyncio.wait_for(sender.drain(), SHUTDOWN_GRACE_SECONDS)
            except TimeoutError:
                logger.warning("outbox: some messages left for the next start or replica")
        await session.close()
        await bot.engine.dispose()
        logger.info("stopped")
