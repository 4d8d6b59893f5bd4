"""A burst of reminders all due at once, against Slack's per-channel rate limit.

The fake answers chat.postMessage at most ``RATE`` times a second per channel, with 429
and Retry-After beyond that. Where the floor lies depends on how the reminders spread over
recipients: one each to 2,000 people is limited by nothing but the bot's own speed (the
floor is ~0), 2,000 to one person by the limit alone (~33 minutes). The scenario sits in
between so that both count: ``reminder_recipients`` interviewers (200) owe ``reminders``
(2,000) overdue scorecards, 10 each, and every reminder is a DM of its own. Each DM channel
then needs at least (10 - 1) / RATE = 9 s from its first message to its last, and to meet
that the bot has to keep all 200 channels busy at once (about 200 messages a second).

The bot is ``python -m bot``, started on the seeded database: its scheduler sweeps due
reminders at start-up and every 20 s thereafter. Elapsed time is from the first DM to the
last, as they reach the fake; CPU time is the bot process's, from start-up to the last DM.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from bench.report import Figure, at_most
from bench.seed import Shape, interviewer_id, seed_pipeline, seed_reminders
from bench.sizes import Sizes
from bench.world import POSTS_PER_SECOND, Bench, Run, world
from bot.kits import default_prompts_dir, load_kits
from bot.reminder_rules import ReminderKind
from storage.db import create_engine, session_factory

RATE = POSTS_PER_SECOND
INTERVIEWS_PER_CANDIDATE = 4


def burst_shape(sizes: Sizes) -> Shape:
    """One interviewer per interview, interviews spread evenly over the recipients."""
    return Shape(
        candidates=sizes.reminders // INTERVIEWS_PER_CANDIDATE,
        interviews=INTERVIEWS_PER_CANDIDATE,
        interviewers=1,
        scorecards=0,
        interviewer_pool=sizes.reminder_recipients,
    )


def floor_seconds(sizes: Sizes) -> float:
    per_channel = -(-sizes.reminders // sizes.reminder_recipients)
    return (per_channel - 1) / RATE


def time_limit(sizes: Sizes) -> float:
    """How long a run may take before it is reported as not finished."""
    return max(120.0, 10 * floor_seconds(sizes))


async def _database(bench: Bench) -> Path:
    shape = burst_shape(bench.sizes)

    async def seed(url: str) -> None:
        engine = create_engine(url)
        sessions = session_factory(engine)
        kits = load_kits(default_prompts_dir())
        now = datetime.now(UTC)
        try:
            await seed_pipeline(sessions, kits, shape, now)
            await seed_reminders(sessions, shape, kits, ReminderKind.SCORECARD_DUE, now)
        finally:
            await engine.dispose()

    return await bench.database(f"reminders-{bench.sizes.reminders}", seed)


async def run_once(bench: Bench, workdir: Path, index: int) -> Run:
    run = Run()
    sizes = bench.sizes
    total = burst_shape(sizes).candidates * INTERVIEWS_PER_CANDIDATE
    recipients = {interviewer_id(n) for n in range(sizes.reminder_recipients)}
    database = await bench.copy(await _database(bench), workdir)
    async with world(workdir, database) as state:
        for user in recipients:
            state.fake.add_user(user)
        state.fake.rate_limit("chat.postMessage", RATE)
        bot = await state.start_bot()
        cpu_start = bot.cpu_seconds()
        sent = await state.wait_for_calls(
            "chat.postMessage",
            total,
            time_limit(sizes),
            lambda call: call.args.get("channel") in recipients,
        )
        cpu = bot.cpu_seconds() - cpu_start
        refused = len(state.fake.calls_to("chat.postMessage")) - len(sent)
    copies = Counter((call.args["channel"], call.args.get("text")) for call in sent)
    twice = sum(1 for n in copies.values() if n > 1)
    run.check(twice == 0, f"{twice} reminders sent more than once")
    run.check(
        len(copies) == total,
        f"{len(copies)} of {total} reminders sent within {time_limit(sizes):.0f} s",
    )
    if sent:
        first, last = min(c.at for c in sent), max(c.at for c in sent)
        run.figures["burst.elapsed"] = last - first
        run.figures["burst.floor"] = floor_seconds(sizes)
        run.figures["burst.ratio"] = (last - first) / floor_seconds(sizes)
        run.figures["burst.cpu"] = cpu
        run.figures["burst.cpu_per_message"] = cpu * 1000 / len(sent)
        run.figures["burst.refused"] = refused
    return run


def figures(sizes: Sizes) -> list[Figure]:
    n, people = sizes.reminders, sizes.reminder_recipients
    return [
        Figure("burst.elapsed", f"{n} reminders to {people} people: first DM → last", "s"),
        Figure("burst.floor", "floor set by 1 message/s per DM channel", "s"),
        Figure("burst.ratio", "burst / floor", "x", at_most(1.1, "x")),
        Figure("burst.cpu", "bot CPU time, ready → last DM", "s"),
        Figure("burst.cpu_per_message", "bot CPU per reminder sent", "ms"),
        Figure("burst.refused", "chat.postMessage answered 429", "count"),
    ]
