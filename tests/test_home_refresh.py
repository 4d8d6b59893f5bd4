"""App Home kept current as time passes: the periodic job republishes the desks that time
alone changed since its last run (an interview started or ended, a scorecard became late,
a debrief ended, a deadline moved someone's on-time figure), those only, paced, once
however many replicas run it. Driven with the injected clock: the job's pauses move it."""

from __future__ import annotations

import asyncio
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.clock import FrozenClock, SystemClock
from bot.config import load_settings
from bot.context import BotContext
from bot.home_refresh import JOB, PUBLISHES_PER_MINUTE
from bot.jobs import Jobs
from bot.kits import Kits
from bot.slack_client import build_client
from handlers.block_kit import MAX_VIEW_BLOCKS
from handlers.home import HomePublisher
from handlers.slack_notifier import SlackNotifier
from slackfake import FakeSlack
from slackfake.blockkit import view_errors
from storage.db import create_engine, session_factory, transaction
from storage.models import JobWindow
from tests.bot_process import BotProcess
from tests.calls import render_blocks
from tests.harness import HIRING_CHANNEL, HIRING_MANAGER, SIGNING_SECRET, Harness
from tests.seed import add_candidate, add_debrief, add_interview, hours

# Its SQL can behave differently by dialect: it runs on PostgreSQL too.
pytestmark = pytest.mark.both_databases

ANA, BEN, ED, ADMIN = "U0ANA", "U0BEN", "U0ED", "U0ADMIN"


class Paced:
    """The job's pause: moves the bot's clock and the fake's, and records each wait."""

    def __init__(self, clock: FrozenClock, fake: FakeSlack) -> None:
        self.clock = clock
        self.waits: list[float] = []
        self.seconds = 0.0
        fake.clock = lambda: self.seconds

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.seconds += seconds
        self.clock.advance(timedelta(seconds=seconds))


def jobs_of(bot: BotContext, pause: Paced) -> Jobs:
    return Jobs(bot, SlackNotifier(build_client(bot.settings), bot.clock), "test", pause=pause)


def published(fake: FakeSlack) -> dict[str, dict[str, Any]]:
    return {c.args["user_id"]: c.args["view"] for c in fake.calls_to("views.publish")}


async def seed(bot: BotContext, fake: FakeSlack) -> None:
    """In an hour: Ana's interview of Kim starts; Jane's scorecard from Ana falls due; a
    debrief of Lou with Ben ends. Ed has nothing, Cy's interview is next week."""
    now = bot.clock.now()
    for user_id in (ANA, BEN, ED):
        fake.add_user(user_id)
    kim = await add_candidate(bot, "Kim Soon", fake=fake)
    await add_interview(bot, kim, [ANA], starts_at=now + hours(0.5), minutes=60)
    jane = await add_candidate(bot, "Jane Doe", fake=fake)
    # Ends 23 h ago: its scorecard (FEEDBACK_DUE_HOURS 24) is late in an hour.
    await add_interview(bot, jane, [ANA], starts_at=now - hours(24), minutes=60)
    lou = await add_candidate(bot, "Lou Debrief", fake=fake)
    await add_debrief(bot, lou, [BEN], starts_at=now + hours(0.25), minutes=30)
    cy = await add_candidate(bot, "Cy Later", fake=fake)
    await add_interview(bot, cy, ["U0CY"], starts_at=now + timedelta(days=7))


async def test_only_the_desks_time_changed_are_republished(make_harness: Any) -> None:
    harness: Harness = await make_harness(hiring_admins=frozenset({ADMIN}))
    bot, fake = harness.bot, harness.fake
    clock = bot.clock
    assert isinstance(clock, FrozenClock)
    await seed(bot, fake)
    pause = Paced(clock, fake)
    jobs = jobs_of(bot, pause)
    # The first run covers the last few minutes: nothing happened in them.
    first = await jobs.refresh_homes()
    assert first is not None and first.claimed and first.users == ()
    assert fake.calls_to("views.publish") == []

    clock.advance(hours(1.5))
    report = await jobs.refresh_homes()
    assert report is not None and report.claimed and report.failed == 0
    # Ana: an interview started and ended, a scorecard fell due; Ben: his debrief ended;
    # the hiring manager: a scorecard became late; a deadline passed, so the figures of
    # the hiring manager's and the admin's table moved. Ed and Cy: nothing.
    assert set(report.users) == {ANA, BEN, HIRING_MANAGER, ADMIN}
    views = published(fake)
    assert set(views) == {ANA, BEN, HIRING_MANAGER, ADMIN}
    ana = render_blocks(views[ANA]["blocks"])
    assert "No interviews coming up." in ana
    assert "Kim Soon  [Submit scorecard]" in ana and "Jane Doe  [Submit scorecard]" in ana
    assert "Your scorecards, last 30 days: 0% in on time (0 of 1)" in ana
    assert "Your debriefs" not in render_blocks(views[BEN]["blocks"])
    manager = render_blocks(views[HIRING_MANAGER]["blocks"])
    assert "Late scorecards" in manager and "@U0ANA · Jane Doe · Technical" in manager
    for view in views.values():
        assert view_errors(view) == [] and len(view["blocks"]) <= MAX_VIEW_BLOCKS
    # Paced: one publish a second at most (60 a minute), the first at once.
    assert pause.waits == [60 / PUBLISHES_PER_MINUTE] * 3

    # Run again at once: the window is empty of changes, nothing is republished.
    fake.clear()
    again = await jobs.refresh_homes()
    assert again is not None and again.users == ()
    assert fake.calls_to("views.publish") == []


async def test_a_window_missed_while_the_bot_was_down_is_caught_up(make_harness: Any) -> None:
    harness: Harness = await make_harness()
    bot, fake = harness.bot, harness.fake
    clock = bot.clock
    assert isinstance(clock, FrozenClock)
    await seed(bot, fake)
    jobs = jobs_of(bot, Paced(clock, fake))
    await jobs.refresh_homes()
    # Down for a day: the next run covers the whole day, from where the last one stopped.
    clock.advance(timedelta(days=1))
    ran_at = clock.now()
    report = await jobs.refresh_homes()
    assert report is not None and ANA in report.users and ED not in report.users
    async with bot.sessions() as session:
        window = await session.get(JobWindow, JOB)
        assert window is not None and window.until == ran_at


async def test_replicas_running_together_republish_each_desk_once(make_harness: Any) -> None:
    first: Harness = await make_harness()
    second: Harness = await make_harness()
    fake = first.fake
    clock = first.bot.clock
    assert isinstance(clock, FrozenClock) and second.bot.clock is clock
    await seed(first.bot, fake)
    pause = Paced(clock, fake)
    await jobs_of(first.bot, pause).refresh_homes()
    clock.advance(hours(1.5))
    reports = await asyncio.gather(
        jobs_of(first.bot, pause).refresh_homes(), jobs_of(second.bot, pause).refresh_homes()
    )
    assert sorted(r is not None and r.claimed for r in reports) == [False, True]
    users = [c.args["user_id"] for c in fake.calls_to("views.publish")]
    assert sorted(users) == sorted(set(users)) and ANA in users


async def test_a_refused_publish_is_counted_and_the_others_go_out(harness: Harness) -> None:
    bot, fake = harness.bot, harness.fake
    clock = bot.clock
    assert isinstance(clock, FrozenClock)
    await seed(bot, fake)
    jobs = jobs_of(bot, Paced(clock, fake))
    await jobs.refresh_homes()
    clock.advance(hours(1.5))
    fake.fail("views.publish", "not_enabled", when=lambda args: args["user_id"] == ANA)
    report = await jobs.refresh_homes()
    assert report is not None and report.failed == 1
    refused = [c for c in fake.calls_to("views.publish") if not c.response["ok"]]
    assert [c.args["user_id"] for c in refused] == [ANA]
    assert BEN in published(fake)


async def test_a_large_wave_is_paced_under_slacks_limit(harness: Harness) -> None:
    """Forty interviewers whose interviews all end in the window: forty publishes, at
    Tier 4's pace, none answered 429 by a fake that allows one a second."""
    bot, fake = harness.bot, harness.fake
    clock = bot.clock
    assert isinstance(clock, FrozenClock)
    now = clock.now()
    for n in range(40):
        candidate = await add_candidate(bot, f"Candidate {n:02d}", hiring_manager_id=f"U0HM{n:02d}")
        await add_interview(bot, candidate, [f"U0I{n:03d}"], starts_at=now + hours(1))
    pause = Paced(clock, fake)
    fake.rate_limit("views.publish", PUBLISHES_PER_MINUTE / 60)
    jobs = jobs_of(bot, pause)
    await jobs.refresh_homes()
    clock.advance(hours(3))
    report = await jobs.refresh_homes()
    assert report is not None and len(report.users) == 40 and report.failed == 0
    calls = fake.calls_to("views.publish")
    assert len(calls) == 40 and all(c.response["ok"] for c in calls)


async def test_the_real_process_catches_up_at_start(
    tmp_path: Path, migrated_template: Path, kits: Kits
) -> None:
    """``python -m bot`` runs the job at start-up: the desks that time changed while it was
    down are republished, the one Slack refuses is logged, nobody else's is touched."""
    database = tmp_path / "hiring.db"
    shutil.copyfile(migrated_template, database)
    fake = FakeSlack()
    await fake.start()
    url = f"sqlite+aiosqlite:///{database}"
    settings = load_settings(
        {
            "SLACK_BOT_TOKEN": fake.bot_token,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": fake.api_url,
            "HIRING_CHANNEL_ID": HIRING_CHANNEL,
            "DATABASE_URL": url,
        }
    )
    engine = create_engine(url)
    bot = BotContext(
        settings=settings,
        engine=engine,
        sessions=session_factory(engine),
        clock=SystemClock(),
        kits=kits,
    )
    now = datetime.now(UTC)
    process = BotProcess(bot=bot, fake=fake, workdir=tmp_path)
    try:
        fake.add_user(HIRING_MANAGER)
        fake.set_members(HIRING_CHANNEL, [HIRING_MANAGER, ANA, BEN, ED, fake.bot_user_id])
        jane = await add_candidate(bot, "Jane Doe", fake=fake)
        # Ended half an hour ago, while the bot was down: Ana owes it now.
        await add_interview(bot, jane, [ANA, BEN], starts_at=now - hours(1.5), minutes=60)
        kim = await add_candidate(bot, "Kim Soon", fake=fake)
        await add_interview(bot, kim, [ED], starts_at=now + timedelta(days=2))
        async with transaction(bot.sessions) as session:
            session.add(JobWindow(name=JOB, until=now - hours(2)))
        fake.fail("views.publish", "not_enabled", when=lambda args: args["user_id"] == BEN)
        await process.start()
        calls = await fake.wait_for_calls(
            "views.publish", 2, where=lambda c: c.args["user_id"] in (ANA, BEN), within=15
        )
        assert len(calls) == 2
        views = published(fake)
        assert "Jane Doe  [Submit scorecard]" in render_blocks(views[ANA]["blocks"])
        assert ED not in views and HIRING_MANAGER not in views
        assert "App Home of U0BEN not refreshed: not_enabled" in await process.wait_for_log(
            "App Home of U0BEN not refreshed"
        )
        # Still serving Slack after the refusal.
        assert (await process.command("help")).status == 200
    finally:
        await process.stop()
        await engine.dispose()
        await fake.stop()


async def publishing(publisher: HomePublisher) -> tuple[asyncio.Event, asyncio.Task[None]]:
    stop = asyncio.Event()
    return stop, asyncio.create_task(publisher.run(stop))


async def test_a_burst_of_changes_publishes_each_tab_once(harness: Harness) -> None:
    """Three scorecards for one hiring manager in a moment: her tab is published once, after
    them, and each interviewer's once."""
    fake, changes = harness.fake, harness.bot.home_changes
    publisher = HomePublisher(harness.bot, build_client(harness.bot.settings), quiet=0.05)
    stop, task = await publishing(publisher)
    for interviewer in (ANA, BEN, ED):
        changes.request_seen()
        changes.touched([interviewer, HIRING_MANAGER])
    calls = await fake.wait_for_calls("views.publish", 4, within=10)
    stop.set()
    await asyncio.wait_for(task, 10)
    users = [c.args["user_id"] for c in calls]
    assert sorted(users) == sorted([ANA, BEN, ED, HIRING_MANAGER])
    assert len(fake.calls_to("views.publish")) == 4
    assert changes.take() == []


async def test_tabs_wait_while_requests_arrive_but_not_for_ever(harness: Harness) -> None:
    """Requests every 50 ms for 3 s: the tab waits for them (answers come first), but goes
    out after at most ``longest`` of them, long before they stop."""
    fake, changes = harness.fake, harness.bot.home_changes
    publisher = HomePublisher(
        harness.bot, build_client(harness.bot.settings), quiet=0.2, longest=0.6
    )
    stop, task = await publishing(publisher)
    changes.request_seen()
    changes.touched([ANA])
    published_while_busy: list[int] = []
    for tick in range(60):
        changes.request_seen()
        if fake.calls_to("views.publish") and not published_while_busy:
            published_while_busy.append(tick)
        await asyncio.sleep(0.05)
    stop.set()
    await asyncio.wait_for(task, 10)
    # Not before about 0.6 s of requests (12 ticks; 4 ticks of 0.2 s quiet never came),
    # and before the 3 s of requests were over.
    assert published_while_busy and 4 <= published_while_busy[0] < 60
    assert [c.args["user_id"] for c in fake.calls_to("views.publish")] == [ANA]


async def test_tabs_left_waiting_at_shutdown_are_published(harness: Harness) -> None:
    fake, changes = harness.fake, harness.bot.home_changes
    publisher = HomePublisher(harness.bot, build_client(harness.bot.settings), quiet=30)
    stop, task = await publishing(publisher)
    changes.request_seen()
    changes.touched([BEN])
    await asyncio.sleep(0.1)
    assert not fake.calls_to("views.publish")
    stop.set()
    await asyncio.wait_for(task, 10)
    assert [c.args["user_id"] for c in fake.calls_to("views.publish")] == [BEN]


async def test_while_requests_arrive_tabs_take_a_twentieth_of_the_loop(harness: Harness) -> None:
    """Each tab published while requests keep arriving is followed by a pause nineteen
    times as long as it took (the answers come first); once requests stop, none."""
    fake, changes = harness.fake, harness.bot.home_changes
    pauses: list[float] = []

    async def pause(seconds: float) -> None:
        pauses.append(seconds)

    ticks = iter(range(1000))

    def timer() -> float:
        # Every reading 10 ms after the one before: each tab takes 10 ms.
        return next(ticks) * 0.01

    client = build_client(harness.bot.settings)
    busy = HomePublisher(harness.bot, client, quiet=30, pause=pause, timer=timer)
    changes.request_seen()
    changes.touched([ANA, BEN, ED])
    await busy.publish(paced=True)
    assert pauses == pytest.approx([0.19, 0.19, 0.19])
    quiet = HomePublisher(harness.bot, client, quiet=0, pause=pause, timer=timer)
    changes.touched([HIRING_MANAGER])
    await quiet.publish(paced=True)
    assert len(pauses) == 3
    users = [c.args["user_id"] for c in fake.calls_to("views.publish")]
    assert users == [ANA, BEN, ED, HIRING_MANAGER]
