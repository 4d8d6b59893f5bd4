"""The daily digest: its sections against a seeded pipeline, its empty form, Slack's
block limit with a large pipeline, once a day across replicas and restarts, a constant
number of statements, the slash command and ``python -m bot digest --print``."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot import digest as daily
from bot import outbox
from bot.clock import FrozenClock
from bot.context import BotContext
from bot.digest import RunOutcome, build_digest
from bot.notifier import Notifier
from bot.slack_client import build_client
from handlers.digest_blocks import digest_blocks
from handlers.slack_notifier import SlackNotifier
from slackfake import FakeSlack
from storage.db import transaction
from storage.models import CandidateStatus, DigestRun, Reminder, ReminderStatus
from tests.bot_process import clean_env, run_bot
from tests.harness import HIRING_CHANNEL, HIRING_MANAGER, SIGNING_SECRET, Harness, deliver
from tests.probes import counted_statements
from tests.seed import (
    add_candidate,
    add_debrief,
    add_decision,
    add_interview,
    add_many,
    add_scorecard,
    hours,
)

# Its SQL can behave differently by dialect: it runs on PostgreSQL too.
pytestmark = pytest.mark.both_databases

ANA, BEN = "U0ANA", "U0BEN"
NOW = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)  # Monday; the digest time is 09:00 UTC


@pytest.fixture
def notifier(harness: Harness, clock: FrozenClock) -> SlackNotifier:
    return SlackNotifier(build_client(harness.bot.settings), clock)


async def run_daily_digest(bot: BotContext, notifier: Notifier) -> RunOutcome:
    """The job, then the outbox's sender: the digest in the channel as users see it."""
    outcome = await daily.run_daily_digest(bot, notifier)
    await deliver(bot)
    return outcome


def posts(fake: FakeSlack) -> list[dict[str, Any]]:
    return [
        c.args for c in fake.calls_to("chat.postMessage") if c.args["channel"] == HIRING_CHANNEL
    ]


def section_texts(blocks: list[dict[str, Any]]) -> dict[str, str]:
    """Section texts by their first line, the heading."""
    texts = [b["text"]["text"] for b in blocks if b["type"] == "section"]
    return {text.split("\n")[0].strip("*"): text for text in texts}


async def seed_pipeline(bot: BotContext, fake: FakeSlack) -> None:
    # Jane: Technical yesterday with Ana and Ben; Ben's card is in, Ana's is overdue.
    jane = await add_candidate(bot, "Jane <Doe>", fake=fake)
    jane_interview = await add_interview(bot, jane, [ANA, BEN], starts_at=NOW - hours(30))
    await add_scorecard(bot, jane_interview, BEN, submitted_at=NOW - hours(20))
    # Bob: every Screening scorecard in, no decision yet.
    bob = await add_candidate(bot, "Bob Stone", fake=fake, stage="screening")
    bob_interview = await add_interview(bot, bob, [BEN], starts_at=NOW - hours(10))
    await add_scorecard(bot, bob_interview, BEN, submitted_at=NOW - hours(8))
    # Carl: untouched for two weeks.
    await add_candidate(bot, "Carl Idle", fake=fake, last_activity_at=NOW - timedelta(days=14))
    # Dora: advanced on Friday, after the last digest (there was none: the day before).
    dora = await add_candidate(bot, "Dora Decided", fake=fake, stage="system_design")
    await add_decision(bot, dora, "advance", decided_at=NOW - hours(3), stage="technical")
    # Eve: an interview this afternoon and a debrief this evening.
    eve = await add_candidate(bot, "Eve Today", fake=fake, stage="system_design")
    await add_interview(bot, eve, [ANA], starts_at=NOW + hours(4))
    await add_debrief(bot, eve, [ANA, HIRING_MANAGER], starts_at=NOW + hours(7))
    # Ana owes two more, one in on time, one late.
    past = await add_candidate(bot, "Past Loop", fake=fake, status=CandidateStatus.REJECTED)
    for days, late in ((5, False), (6, True)):
        interview = await add_interview(bot, past, [ANA], starts_at=NOW - timedelta(days=days))
        delay = hours(30) if late else hours(2)
        await add_scorecard(bot, interview, ANA, submitted_at=interview.starts_at + delay)
    # A reminder that could not be delivered.
    async with transaction(bot.sessions) as session:
        session.add(
            Reminder(
                kind="scorecard_due",
                recipient_id="U0GONE",
                candidate_id=jane.id,
                due_at=NOW - hours(5),
                status=ReminderStatus.FAILED,
                last_error="account_inactive",
                dedupe_key="scorecard_due:interview:99:U0GONE",
                created_at=NOW - hours(50),
            )
        )


async def test_sections_against_a_seeded_pipeline(
    harness: Harness, notifier: SlackNotifier
) -> None:
    bot, fake = harness.bot, harness.fake
    await seed_pipeline(bot, fake)
    assert await run_daily_digest(bot, notifier) == RunOutcome.POSTED
    [post] = posts(fake)
    sections = section_texts(post["blocks"])
    assert post["blocks"][0]["type"] == "header"
    headings = list(sections)
    # What asks for action comes first, then today, then the pipeline stage by stage.
    assert headings == [
        "Overdue scorecards",
        "Waiting for a decision",
        "Idle for more than 5 working days",
        "Today",
        "Screening · 1",
        "Technical · 2",
        "System design: production incident · 2",
        "Decisions since the last digest",
        "Scorecards on time, last 30 days",
    ]
    technical = sections["Technical · 2"]
    assert "Jane &lt;Doe&gt;" in technical and "Carl Idle" in technical
    assert "Senior" in technical and "0 days in stage" in technical
    assert "next: Technical scorecards: 1 of 2 in" in technical
    assert "next: Schedule the Technical interview" in technical
    overdue = sections["Overdue scorecards"]
    assert f"<@{ANA}>" in overdue and "Jane &lt;Doe&gt;" in overdue and f"<@{BEN}>" not in overdue
    assert "Bob Stone" in sections["Waiting for a decision"]
    assert "Jane" not in sections["Waiting for a decision"]
    assert "Carl Idle" in sections["Idle for more than 5 working days"]
    decisions = sections["Decisions since the last digest"]
    assert "Dora Decided" in decisions and "advanced" in decisions
    today = sections["Today"]
    assert "Technical interview" not in today and "Eve Today" in today
    assert today.index("interview") < today.index("debrief")
    timeliness = sections["Scorecards on time, last 30 days"]
    # The team's figure: Ana's 3 owed (Jane's overdue one and the two past, 1 on time) and
    # Ben's 1 of 1; Bob's deadline is still ahead. Nobody's own figure reaches the channel.
    assert timeliness.endswith("The team: 50% in on time (2 of 4)")
    assert "<@" not in timeliness
    # Undelivered messages are for admins (App Home), not the channel.
    assert "U0GONE" not in str(post) and "account_inactive" not in str(post)
    # Every candidate line links to its thread.
    link = "https://fake-workspace.slack.com/archives/C0HIRING/p"
    for heading in ("Overdue scorecards", "Waiting for a decision", "Today", "Technical · 2"):
        assert f"<{link}" in sections[heading], heading
    async with bot.sessions() as session:
        run = await session.get(DigestRun, NOW.date())
        assert (
            run is not None
            and run.message_ts == fake.calls_to("chat.postMessage")[-1].response["ts"]
        )


async def test_an_empty_pipeline_is_one_line(harness: Harness, notifier: SlackNotifier) -> None:
    assert await run_daily_digest(harness.bot, notifier) == RunOutcome.POSTED
    [post] = posts(harness.fake)
    assert len(post["blocks"]) == 1
    assert post["blocks"][0]["text"]["text"].endswith("nothing pending.")


async def test_three_hundred_candidates_stay_within_50_blocks(
    harness: Harness, notifier: SlackNotifier
) -> None:
    bot, fake = harness.bot, harness.fake
    await add_many(
        bot,
        300,
        interviewers=[f"U0I{n:02d}" for n in range(40)],
        starts_at=NOW - hours(48),
        last_activity_at=NOW - timedelta(days=30),
    )
    assert await run_daily_digest(bot, notifier) == RunOutcome.POSTED
    [post] = posts(fake)
    # The fake rejects what Slack rejects: over 50 blocks, over 3,000 characters a section.
    assert fake.calls_to("chat.postMessage")[-1].response["ok"]
    assert len(post["blocks"]) <= 50
    sections = section_texts(post["blocks"])
    assert "_… and 290 more_" in sections["Idle for more than 5 working days"]
    assert "_… and 290 more_" in sections["Overdue scorecards"]
    technical = sections["Technical · 300"]
    assert technical.count("\n• ") == 10 and technical.endswith("_… and 290 more_")
    assert "Candidate 0000" in technical and "Candidate 0010" not in technical


async def test_a_fresh_candidate_and_tomorrows_interview_are_named_and_linked(
    harness: Harness, notifier: SlackNotifier
) -> None:
    """The issue's case: nothing overdue, yet the digest is the pipeline."""
    bot, fake = harness.bot, harness.fake
    fresh = await add_candidate(bot, "Fay Fresh", fake=fake, stage="screening")
    soon = await add_candidate(bot, "Tom Tomorrow", fake=fake)
    tomorrow = NOW + hours(24)
    await add_interview(bot, soon, [ANA], starts_at=tomorrow)
    assert await run_daily_digest(bot, notifier) == RunOutcome.POSTED
    [post] = posts(fake)
    assert fake.calls_to("chat.postMessage")[-1].response["ok"]
    assert post["text"].endswith("2 open candidates; nothing overdue.")
    sections = section_texts(post["blocks"])
    assert list(sections) == ["Screening · 1", "Technical · 1"]
    assert f"<{fresh.permalink}|Fay Fresh>" in sections["Screening · 1"]
    assert "next: Schedule the Screening interview" in sections["Screening · 1"]
    technical = sections["Technical · 1"]
    assert f"<{soon.permalink}|Tom Tomorrow>" in technical
    assert f"next: Technical interview <!date^{int(tomorrow.timestamp())}^" in technical


async def test_posted_once_per_day_across_replicas_and_restarts(
    make_harness: Callable[..., Any], clock: FrozenClock
) -> None:
    first, second = await make_harness(), await make_harness()
    one = SlackNotifier(build_client(first.bot.settings), clock)
    two = SlackNotifier(build_client(second.bot.settings), clock)
    outcomes = await asyncio.gather(
        run_daily_digest(first.bot, one), run_daily_digest(second.bot, two)
    )
    assert sorted(outcomes) == sorted([RunOutcome.POSTED, RunOutcome.ALREADY_POSTED])
    clock.advance(hours(2))
    third = await make_harness()  # a restart later that day
    again = SlackNotifier(build_client(third.bot.settings), clock)
    assert await run_daily_digest(third.bot, again) == RunOutcome.ALREADY_POSTED
    assert len(posts(first.fake)) == 1
    clock.set(datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
    assert await run_daily_digest(third.bot, again) == RunOutcome.POSTED


async def test_not_on_days_off_nor_before_the_digest_time(
    harness: Harness, notifier: SlackNotifier, clock: FrozenClock
) -> None:
    clock.set(datetime(2026, 12, 5, 10, 0, tzinfo=UTC))  # Saturday
    assert await run_daily_digest(harness.bot, notifier) == RunOutcome.NOT_A_WORKING_DAY
    clock.set(datetime(2026, 12, 7, 8, 59, tzinfo=UTC))  # Monday, a minute early
    assert await run_daily_digest(harness.bot, notifier) == RunOutcome.TOO_EARLY
    assert posts(harness.fake) == []


async def test_a_digest_the_channel_refuses_is_shown_to_admins_and_the_day_is_done(
    harness: Harness, notifier: SlackNotifier
) -> None:
    harness.fake.fail("chat.postMessage", "channel_not_found")
    assert await run_daily_digest(harness.bot, notifier) == RunOutcome.POSTED
    async with harness.bot.sessions() as session:
        assert await session.get(DigestRun, NOW.date()) is not None
        [refused] = await outbox.undelivered(session, NOW, limit=10)
    assert (refused.recipient_id, refused.error) == (HIRING_CHANNEL, "channel_not_found")
    # Once a day, whatever Slack said: the next run does not post it again.
    assert await run_daily_digest(harness.bot, notifier) == RunOutcome.ALREADY_POSTED


async def test_the_digest_costs_no_more_statements_for_a_larger_pipeline(
    harness: Harness,
) -> None:
    bot = harness.bot
    counts = []
    for first, size in ((0, 3), (3, 7), (10, 90)):
        await add_many(
            bot,
            size,
            interviewers=[ANA, BEN],
            starts_at=NOW - hours(30),
            last_activity_at=NOW - timedelta(days=30),
            first=first,
        )
        async with bot.sessions() as session:
            with counted_statements(bot) as statements:
                digest = await build_digest(session, bot, NOW)
        assert len(digest.overdue.items) + digest.overdue.more == first + size
        assert len(digest.idle.items) + digest.idle.more == first + size
        counts.append(len(statements))
    # A list as long as its lines or longer is two statements, its first lines then its
    # count from the index; a shorter one is only its lines.
    assert counts[0] < counts[1] == counts[2] <= 16


async def test_no_statement_of_the_digest_reads_a_whole_table(harness: Harness) -> None:
    """What makes the digest's cost flat: every statement finds its rows by an index (or
    reads one in its order and stops at the lines shown), none scans a table, on SQLite's
    own plans."""
    bot = harness.bot
    if bot.engine.dialect.name != "sqlite":
        return
    await seed_pipeline(bot, harness.fake)
    await add_many(
        bot, 30, interviewers=[ANA, BEN], starts_at=NOW - hours(30), last_activity_at=NOW
    )
    async with bot.sessions() as session:
        with counted_statements(bot) as statements:
            await build_digest(session, bot, NOW)
    scans = []
    async with bot.engine.connect() as connection:
        for statement, parameters in statements:
            plan = await connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
            scans += [
                (detail, statement)
                for *_, detail in plan
                if detail.startswith("SCAN ")
                and " USING " not in detail
                and not detail.startswith(("SCAN (subquery", "SCAN anon_"))
            ]
    assert scans == []


async def test_digest_command_posts_now_for_hiring_managers(harness: Harness) -> None:
    bot, fake = harness.bot, harness.fake
    await seed_pipeline(bot, fake)
    reply = await harness.command("digest", user_id=HIRING_MANAGER)
    assert reply.status == 200 and "Posting the digest" in reply.json["text"]
    [post] = posts(fake)
    assert "Overdue scorecards" in str(post["blocks"])
    # On demand it does not count as the day's digest.
    async with bot.sessions() as session:
        assert await session.get(DigestRun, NOW.date()) is None


async def test_digest_command_refuses_others_and_posts_nothing(
    make_harness: Callable[..., Any],
) -> None:
    harness = await make_harness(hiring_admins=frozenset({"U0ADMIN"}))
    await add_candidate(harness.bot, "Jane Doe", fake=harness.fake)
    await harness.join_channel(ANA)  # on the team, but neither a hiring manager nor an admin
    reply = await harness.command("digest", user_id=ANA)
    assert reply.status == 200
    assert "Only hiring managers and admins" in reply.json["text"]
    assert "<@U0ADMIN>" in reply.json["text"]
    assert posts(harness.fake) == []
    reply = await harness.command("digest", user_id="U0ADMIN")
    assert "Posting the digest" in reply.json["text"] and len(posts(harness.fake)) == 1


def test_blocks_escape_names_and_fall_back_without_links() -> None:
    from bot.digest import Digest, Idle, Section
    from storage.digest import CandidateRow

    row = CandidateRow(1, "<!channel> Eve <@U0123>", "technical", "active", None)
    digest = Digest(day=NOW.date(), idle=Section.of([Idle(row, "Technical", NOW)]))
    text = str(digest_blocks(digest))
    assert "&lt;!channel&gt; Eve &lt;@U0123&gt;" in text and "<!channel>" not in text


async def test_python_m_bot_digest_print_prints_without_posting(
    harness: Harness, settings: Any, tmp_path: Path
) -> None:
    # The subprocess runs on the real clock, so the idle candidate is idle by it.
    month_ago = datetime.now(UTC) - timedelta(days=30)
    await add_candidate(harness.bot, "Jane <Doe>", fake=harness.fake, last_activity_at=month_ago)
    harness.fake.clear()
    env = clean_env(
        SLACK_BOT_TOKEN=harness.fake.bot_token,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=harness.fake.api_url,
        HIRING_CHANNEL_ID=HIRING_CHANNEL,
        DATABASE_URL=settings.database_url,
    )
    code, text, err = await run_bot(["digest", "--print"], tmp_path, env)
    assert code == 0, err
    assert text.startswith("Hiring digest") and "Idle for more than 5 working days" in text
    # Plain text for a terminal: no mrkdwn escaping, the thread's link spelled out.
    assert "Jane <Doe> (https://fake-workspace.slack.com/archives/C0HIRING/p" in text
    assert posts(harness.fake) == []
