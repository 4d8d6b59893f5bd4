"""App Home as each person's desk, driven as Slack drives it: ``app_home_opened`` events and
clicks on the tab's buttons, signed, with every Web API call recorded by the fake.

The three roles: an interviewer (next interviews with *Open kit* and *Take notes*, owed
scorecards with *Submit scorecard*, debriefs with *Open pack*, their own on-time figure), a
hiring manager (their candidates by stage, decisions and debriefs waiting, late scorecards
with *Nudge*, the per-person figures) and an admin (the team, undelivered messages,
configuration)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import col, select

from bot import outbox
from bot.clock import FrozenClock
from bot.context import BotContext
from bot.reminder_rules import ReminderKind
from bot.reminder_sweep import send_due_reminders
from bot.slack_client import build_client
from handlers.block_kit import MAX_VIEW_BLOCKS
from handlers.commands import SUBCOMMANDS
from handlers.ids import Action, View
from handlers.kit_blocks import salary_text
from handlers.nudge_value import nudge_value
from handlers.refs import Ref, ref
from handlers.slack_notifier import SlackNotifier
from slackfake.blockkit import view_errors
from storage.db import transaction
from storage.models import Candidate, CandidateStatus, Reminder, Scorecard
from tests.harness import HIRING_CHANNEL, HIRING_MANAGER, Harness
from tests.pipeline_seed import (
    add_candidate,
    add_debrief,
    add_interview,
    add_many,
    add_scorecard,
    hours,
)
from tests.render import render_blocks
from tests.scorecard_helpers import scorecard_values, submit_view

# Its SQL can behave differently by dialect: it runs on PostgreSQL too.
pytestmark = pytest.mark.both_databases

ANA, BEN, ADMIN, ED = "U0ANA", "U0BEN", "U0ADMIN", "U0ED"


def home_opened(user_id: str, tab: str = "home") -> dict[str, str]:
    return {
        "type": "app_home_opened",
        "user": user_id,
        "channel": "D0HOME",
        "tab": tab,
        "event_ts": "1764496800.000100",
    }


async def open_home(harness: Harness, user_id: str) -> dict[str, Any]:
    """Open the tab; the view the bot published, checked by the fake."""
    reply = await harness.event(home_opened(user_id))
    assert reply.status == 200
    call = harness.fake.calls_to("views.publish")[-1]
    assert call.args["user_id"] == user_id and call.response["ok"], call.response
    return call.args["view"]


def text_of(view: dict[str, Any]) -> str:
    return render_blocks(view["blocks"])


def buttons(view: dict[str, Any], action: Action) -> list[str]:
    """The values of the view's buttons with ``action``, in order."""
    found = []
    for block in view["blocks"]:
        elements = [*block.get("elements", []), block.get("accessory") or {}]
        found += [e["value"] for e in elements if e.get("action_id") == action]
    return found


async def seed(bot: BotContext, harness: Harness) -> dict[str, Any]:
    """Jane: Technical yesterday, Ben's card in, Ana's overdue. Bob: Screening complete,
    waiting for a decision. Kim: Technical tomorrow with Ana. Lou: a debrief tomorrow."""
    now, fake = bot.clock.now(), harness.fake
    # The hiring team is the channel's members: Ana and Ben are, Ed is not.
    for user_id in (ANA, BEN):
        fake.add_user(user_id)
    jane = await add_candidate(bot, "Jane Doe", fake=fake)
    jane_interview = await add_interview(bot, jane, [ANA, BEN], starts_at=now - hours(30))
    await add_scorecard(bot, jane_interview, BEN, submitted_at=now - hours(20))
    bob = await add_candidate(bot, "Bob Stone", fake=fake, stage="screening")
    bob_interview = await add_interview(bot, bob, [BEN], starts_at=now - hours(10))
    await add_scorecard(bot, bob_interview, BEN, submitted_at=now - hours(8))
    kim = await add_candidate(bot, "Kim Soon", fake=fake)
    kim_interview = await add_interview(bot, kim, [ANA], starts_at=now + hours(24))
    lou = await add_candidate(bot, "Lou Debrief", fake=fake)
    debrief = await add_debrief(bot, lou, [ANA, HIRING_MANAGER], starts_at=now + hours(26))
    return {
        "bob": bob,
        "jane": jane,
        "jane_interview": jane_interview,
        "kim_interview": kim_interview,
        "debrief": debrief,
    }


async def test_the_interviewers_desk_and_a_scorecard_submitted_from_it(harness: Harness) -> None:
    bot = harness.bot
    rows = await seed(bot, harness)
    view = await open_home(harness, ANA)
    text = text_of(view)
    assert view_errors(view) == []
    assert "Your next interviews" in text and "Kim Soon\n[Open kit] [Take notes]" in text
    assert "Scorecards you owe" in text and "Jane Doe  [Submit scorecard]" in text
    assert "Your debriefs" in text and "Lou Debrief  [Open pack]" in text
    # Not a hiring manager nor an admin: nobody else's candidates, nobody's figures.
    for absent in ("Bob Stone", "Waiting on you", "by interviewer", "Admin", "· benchmark"):
        assert absent not in text, absent
    assert f"<#{HIRING_CHANNEL}>" in str(view)
    for subcommand in SUBCOMMANDS:
        assert f"/mlops-candidate {subcommand.usage}" in text

    # Submit scorecard opens the modal right there; submitting it empties the list.
    [owed] = buttons(view, Action.SUBMIT_SCORECARD)
    assert owed == ref(Ref.INTERVIEW, rows["jane_interview"].id)
    harness.fake.clear()
    await harness.action(
        Action.SUBMIT_SCORECARD, user_id=ANA, value=owed, view=view, response_url=None
    )
    [opened] = harness.fake.calls_to("views.open")
    modal = opened.response["view"]
    assert modal["callback_id"] == View.SCORECARD
    reply = await submit_view(harness, ANA, modal, scorecard_values(bot.kits))
    assert reply.status == 200 and reply.text == ""
    async with bot.sessions() as session:
        cards = (await session.exec(select(Scorecard))).all()
        assert sorted(c.interviewer_id for c in cards) == [ANA, BEN, BEN]
    # The submitter's and the hiring manager's tabs are republished, without being opened.
    published = {c.args["user_id"]: c.args["view"] for c in harness.fake.calls_to("views.publish")}
    assert set(published) == {ANA, HIRING_MANAGER}
    assert "None: you are up to date." in text_of(published[ANA])
    manager = text_of(published[HIRING_MANAGER])
    assert "Jane Doe · Technical" in manager
    # The marks the submission kept: Ana's scorecard is no longer late, and Jane's stage,
    # every scorecard in, waits for a decision.
    assert "Late scorecards" not in manager
    decisions = manager[manager.index("Decisions to record") : manager.index("Debriefs to")]
    assert "Jane Doe · Technical · ready since" in decisions


async def test_open_kit_and_open_pack_open_modals_for_those_who_may_read_them(
    harness: Harness,
) -> None:
    bot = harness.bot
    rows = await seed(bot, harness)
    view = await open_home(harness, ANA)
    [kit] = buttons(view, Action.OPEN_KIT)
    assert kit == ref(Ref.INTERVIEW, rows["kim_interview"].id)
    harness.fake.clear()
    await harness.action(Action.OPEN_KIT, user_id=ANA, value=kit, view=view, response_url=None)
    [opened] = harness.fake.calls_to("views.open")
    assert opened.response["ok"], opened.response
    shown = render_blocks(opened.args["view"]["blocks"])
    assert "Kim Soon" in shown and "Interview kit: Technical" in shown
    # Someone off the panel learns nothing: the refusal, no modal.
    harness.fake.clear()
    await harness.action(Action.OPEN_KIT, user_id=ED, value=kit, response_url=None)
    assert harness.fake.calls_to("views.open") == []
    [refusal] = harness.fake.calls_to("chat.postMessage")
    assert "That kit is for the interview's panel" in refusal.args["text"]
    assert "Kim" not in refusal.args["text"]

    [pack] = buttons(view, Action.OPEN_PACK)
    harness.fake.clear()
    await harness.action(Action.OPEN_PACK, user_id=ANA, value=pack, view=view, response_url=None)
    [opened] = harness.fake.calls_to("views.open")
    assert opened.response["ok"], opened.response
    assert "debrief for *Lou Debrief*" in str(opened.args["view"]["blocks"])
    harness.fake.clear()
    await harness.action(Action.OPEN_PACK, user_id=ED, value=pack, response_url=None)
    assert harness.fake.calls_to("views.open") == []


async def test_own_on_time_figure_is_shown_to_the_person_alone(
    harness: Harness, clock: FrozenClock
) -> None:
    bot, now = harness.bot, clock.now()
    past = await add_candidate(bot, "Past Loop", status=CandidateStatus.REJECTED)
    for days, late in ((5, False), (6, True)):
        interview = await add_interview(bot, past, [ANA], starts_at=now - timedelta(days=days))
        delay = hours(30) if late else hours(2)
        await add_scorecard(bot, interview, ANA, submitted_at=interview.starts_at + delay)
    mine = text_of(await open_home(harness, ANA))
    assert "Your scorecards, last 30 days: 50% in on time (1 of 2). Only you see this." in mine
    assert "50%" not in text_of(await open_home(harness, BEN))
    # The hiring manager sees everyone's, in the table.
    manager = text_of(await open_home(harness, HIRING_MANAGER))
    assert "• @U0ANA: 50% in on time (1 of 2)" in manager


async def test_the_hiring_managers_desk_and_a_nudge_at_most_once_a_day(
    harness: Harness, clock: FrozenClock
) -> None:
    bot = harness.bot
    rows = await seed(bot, harness)
    async with bot.sessions() as session:
        bob = await session.get(Candidate, rows["bob"].id)
        assert bob is not None
        bob.location = "uk_london"
        session.add(bob)
        await session.commit()
    view = await open_home(harness, HIRING_MANAGER)
    text = text_of(view)
    assert view_errors(view) == []
    assert "Decisions to record" in text and "Bob Stone · Screening" in text
    # Off the public card, the salary benchmark is where the hiring manager decides.
    band = salary_text(bot.kits.salary, "uk_london", "senior")
    assert band and f"benchmark {band}" in text
    assert "Debriefs to schedule" in text
    assert "Late scorecards" in text and "@U0ANA · Jane Doe · Technical" in text
    assert "Your candidates by stage" in text
    assert "*Technical* · 3: Jane Doe, Kim Soon, Lou Debrief" in text
    [nudge] = buttons(view, Action.NUDGE)
    assert nudge == nudge_value(rows["jane_interview"].id, ANA)

    for _ in range(2):
        harness.fake.clear()
        reply = await harness.action(
            Action.NUDGE, user_id=HIRING_MANAGER, value=nudge, view=view, response_url=None
        )
        assert reply.status == 200
    # The second click changed nothing: one reminder, and the tab says so.
    asked = await asked_reminders(bot)
    assert len(asked) == 1 and asked[0].recipient_id == ANA
    [published] = harness.fake.calls_to("views.publish")
    republished = text_of(published.args["view"])
    assert "Jane Doe · Technical, due" in republished and "nudged today" in republished
    assert buttons(published.args["view"], Action.NUDGE) == []
    # It goes out as a DM, once, with the Submit scorecard button.
    notifier = SlackNotifier(build_client(bot.settings), clock)
    assert (await send_due_reminders(bot, notifier, owner="test")).sent == 1
    await harness.deliver()
    [dm] = [c for c in harness.fake.calls_to("chat.postMessage") if c.args["channel"] == ANA]
    assert "waiting for your" in str(dm.args["blocks"]) and "submit_scorecard" in str(dm.args)
    # Tomorrow another is allowed.
    clock.advance(timedelta(days=1))
    await harness.action(Action.NUDGE, user_id=HIRING_MANAGER, value=nudge, response_url=None)
    assert len(await asked_reminders(bot)) == 2


async def test_nudge_is_refused_to_others_and_when_nobody_is_late(harness: Harness) -> None:
    bot = harness.bot
    rows = await seed(bot, harness)
    value = nudge_value(rows["jane_interview"].id, ANA)
    await harness.action(Action.NUDGE, user_id=ED, value=value, response_url=None)
    await harness.action(
        Action.NUDGE,
        user_id=HIRING_MANAGER,
        value=nudge_value(rows["jane_interview"].id, BEN),
        response_url=None,
    )
    assert await asked_reminders(bot) == []
    texts = [c.args["text"] for c in harness.fake.calls_to("chat.postMessage")]
    assert any("Only the candidate's hiring manager and admins can nudge" in t for t in texts)
    assert any("there is nobody to nudge" in t for t in texts)


async def asked_reminders(bot: BotContext) -> list[Reminder]:
    async with bot.sessions() as session:
        statement = select(Reminder).where(col(Reminder.kind) == ReminderKind.SCORECARD_ASKED)
        return list((await session.exec(statement)).all())


async def test_the_admins_desk_says_what_failed_in_words(make_harness: Any) -> None:
    harness = await make_harness(hiring_admins=frozenset({ADMIN}))
    bot = harness.bot
    rows = await seed(bot, harness)
    await add_candidate(bot, "Olga Orphan", stage="retired_stage")
    # A DM Slack refused for good: the outbox gives it up and the admins read why.
    harness.fake.fail(
        "chat.postMessage", "account_inactive", when=lambda a: a["channel"] == "U0GONE"
    )
    async with transaction(bot.sessions) as session:
        await outbox.dm(
            session, bot, "U0GONE", "Your scorecard is due", candidate_id=rows["jane"].id
        )
    await harness.deliver()
    view = await open_home(harness, ADMIN)
    text = text_of(view)
    assert view_errors(view) == []
    assert (
        "The team's pipeline" in text and "*Technical* · 3: Jane Doe, Kim Soon, Lou Debrief" in text
    )
    assert "To @U0GONE (once" in text
    assert "The recipient's Slack account is deactivated." in text
    assert "account_inactive" not in text
    assert "1 open candidate in stage `retired_stage`, which no kit" in text
    # Olga's card was never posted (she was added without the fake's channel).
    assert f"Cards not in #{HIRING_CHANNEL} yet: Olga Orphan." in text
    # Nobody else reads the undelivered list.
    assert "U0GONE" not in text_of(await open_home(harness, HIRING_MANAGER))


async def test_someone_outside_the_loop_sees_no_candidate(harness: Harness) -> None:
    await seed(harness.bot, harness)
    text = text_of(await open_home(harness, ED))
    for name in ("Jane", "Bob", "Kim", "Lou"):
        assert name not in text
    assert "No interviews coming up." in text and "None: you are up to date." in text


async def test_any_pipeline_size_stays_within_100_blocks(
    harness: Harness, clock: FrozenClock
) -> None:
    now = clock.now()
    # 300 candidates, each an interview of Ana's over two days ago without her scorecard:
    # all late, all owed by her, all the hiring manager's.
    await add_many(
        harness.bot,
        300,
        interviewers=[ANA],
        starts_at=now - hours(48),
        last_activity_at=now,
    )
    for _ in range(8):
        await add_interview(
            harness.bot, await add_candidate(harness.bot, "Soon"), [ANA], starts_at=now + hours(5)
        )
    for user_id in (ANA, HIRING_MANAGER):
        view = await open_home(harness, user_id)
        assert len(view["blocks"]) <= MAX_VIEW_BLOCKS and view_errors(view) == []
    ana = text_of(await open_home(harness, ANA))
    assert "and 295 more" in ana and "and 3 more" in ana
    manager = text_of(await open_home(harness, HIRING_MANAGER))
    assert "*Technical* · 308" in manager and "and 298 more" in manager


async def test_opening_the_messages_tab_publishes_nothing(harness: Harness) -> None:
    reply = await harness.event(home_opened(ANA, tab="messages"))
    assert reply.status == 200
    assert harness.fake.calls_to("views.publish") == []


async def test_nudge_them_in_the_escalation_dm_nudges_every_late_interviewer(
    harness: Harness,
) -> None:
    bot, now = harness.bot, harness.bot.clock.now()
    jane = await add_candidate(bot, "Jane Doe", fake=harness.fake)
    interview = await add_interview(bot, jane, [ANA, BEN, ED], starts_at=now - hours(60))
    await add_scorecard(bot, interview, ED, submitted_at=now - hours(50))
    value = nudge_value(interview.id or 0)
    reply = await harness.action(Action.NUDGE, user_id=HIRING_MANAGER, value=value)
    assert reply.status == 200
    assert sorted(r.recipient_id for r in await asked_reminders(bot)) == [ANA, BEN]
    [told] = harness.fake.calls_to("response_url")
    assert "I'll ask <@U0ANA>, <@U0BEN> for their scorecard" in told.args["text"]
    await harness.action(Action.NUDGE, user_id=HIRING_MANAGER, value=value)
    assert len(await asked_reminders(bot)) == 2
    again = harness.fake.calls_to("response_url")[-1].args["text"]
    assert "already had a nudge today" in again


async def test_cancelled_and_not_attended_take_late_scorecards_off_the_desk(
    harness: Harness,
) -> None:
    """The stored marks follow the buttons: an interview cancelled owes nothing, a seat
    marked not attended owes nothing, and its stage is then complete."""
    bot, now = harness.bot, harness.bot.clock.now()
    for user_id in (ANA, BEN):
        harness.fake.add_user(user_id)
    jane = await add_candidate(bot, "Jane Doe", fake=harness.fake)
    first = await add_interview(bot, jane, [ANA], starts_at=now - hours(40))
    second = await add_interview(bot, jane, [BEN], starts_at=now - hours(30))
    await add_scorecard(bot, second, BEN, submitted_at=now - hours(28))
    late = text_of(await open_home(harness, HIRING_MANAGER))
    assert "@U0ANA · Jane Doe · Technical" in late and "Decisions to record" not in late

    await harness.action(Action.NOT_ATTENDED, user_id=ANA, value=ref(Ref.INTERVIEW, first.id))
    after = text_of(await open_home(harness, HIRING_MANAGER))
    assert "Late scorecards" not in after
    assert "Jane Doe · Technical · ready since" in after

    bob = await add_candidate(bot, "Bob Stone", fake=harness.fake)
    bobs = await add_interview(bot, bob, [ANA], starts_at=now - hours(40))
    assert "@U0ANA · Bob Stone" in text_of(await open_home(harness, HIRING_MANAGER))
    await harness.action(Action.CANCEL_INTERVIEW, value=ref(Ref.INTERVIEW, bobs.id))
    assert "Bob Stone · Technical, due" not in text_of(await open_home(harness, HIRING_MANAGER))
