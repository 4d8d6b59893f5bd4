"""The App Home tab: published when a user opens it, with their next interviews, the
scorecards they owe, and every subcommand."""

from __future__ import annotations

import json
from datetime import timedelta

from bot.clock import FrozenClock
from bot.home import HomeInterview, HomeSummary
from handlers.commands import SUBCOMMANDS
from handlers.home import SHOWN, home_view
from slackfake.blockkit import view_errors
from storage.models import Candidate, CandidateStatus, Interview
from tests.harness import HIRING_CHANNEL, Harness
from tests.pipeline_seed import add_candidate, add_interview, add_scorecard, hours

ANA = "U0ANA"
NOTHING = HomeSummary(upcoming=(), owed=())


def home_opened(user_id: str, tab: str = "home") -> dict[str, str]:
    return {
        "type": "app_home_opened",
        "user": user_id,
        "channel": "D0HOME",
        "tab": tab,
        "event_ts": "1764496800.000100",
    }


def shown(view: dict) -> str:
    return json.dumps(view["blocks"])


def test_home_view_names_the_hiring_channel_and_every_subcommand() -> None:
    view = home_view(
        "C0HIRING", [("help", "Show this message"), ("new [name]", "Register")], NOTHING
    )
    assert view["type"] == "home"
    assert "<#C0HIRING>" in shown(view)
    assert "/mlops-candidate help" in shown(view) and "/mlops-candidate new [name]" in shown(view)
    assert "No interviews coming up." in shown(view) and "you are up to date" in shown(view)


def _item(name: str, clock: FrozenClock, permalink: str | None = None) -> HomeInterview:
    candidate = Candidate(name=name, permalink=permalink)
    interview = Interview(candidate_id=1, stage_key="technical", starts_at=clock.now())
    return HomeInterview(interview, candidate, stage=None)


def test_home_view_escapes_names_and_summarises_a_long_list(clock: FrozenClock) -> None:
    upcoming = tuple(_item(f"Candidate {n}", clock) for n in range(SHOWN + 3))
    owed = (_item("<!channel> Eve", clock, permalink="https://x.slack.com/archives/C0/p1"),)
    view = home_view("C0HIRING", [], HomeSummary(upcoming=upcoming, owed=owed))
    text = shown(view)
    assert "Candidate 9" in text and "Candidate 10" not in text and "and 3 more" in text
    assert "<!channel>" not in text and "&lt;!channel&gt; Eve" in text
    assert "<https://x.slack.com/archives/C0/p1|" in text
    assert view_errors(view) == []


async def test_opening_the_home_tab_lists_the_users_interviews_and_owed_scorecards(
    harness: Harness, clock: FrozenClock
) -> None:
    bot, now = harness.bot, clock.now()
    coming = await add_candidate(bot, "Ada Coming", fake=harness.fake)
    await add_interview(bot, coming, [ANA, "U0BEN"], starts_at=now + hours(24))
    owed = await add_candidate(bot, "Bob Owed", fake=harness.fake)
    await add_interview(bot, owed, [ANA], starts_at=now - hours(26))
    done = await add_candidate(bot, "Cy Done")
    interview = await add_interview(bot, done, [ANA], starts_at=now - hours(30))
    await add_scorecard(bot, interview, ANA, submitted_at=now - hours(20))
    closed = await add_candidate(bot, "Di Closed", status=CandidateStatus.REJECTED)
    await add_interview(bot, closed, [ANA], starts_at=now + hours(2))
    other = await add_candidate(bot, "Ed Other")
    await add_interview(bot, other, ["U0BEN"], starts_at=now + hours(3))

    reply = await harness.event(home_opened(ANA))
    assert reply.status == 200
    [call] = harness.fake.calls_to("views.publish")
    assert call.response["ok"], call.response
    assert call.args["user_id"] == ANA
    upcoming, owing = (block["text"]["text"] for block in call.args["view"]["blocks"][2:4])
    assert "Ada Coming" in upcoming and "Bob Owed" not in upcoming
    assert "Bob Owed" in owing and "Ada Coming" not in owing
    everything = shown(call.args["view"])
    for absent in ("Cy Done", "Di Closed", "Ed Other"):
        assert absent not in everything
    assert f"<#{HIRING_CHANNEL}>" in everything
    for subcommand in SUBCOMMANDS:
        assert f"/mlops-candidate {subcommand.usage}" in everything
    assert (now + timedelta(hours=24)).strftime("%d %b") in upcoming


async def test_opening_the_messages_tab_publishes_nothing(harness: Harness) -> None:
    reply = await harness.event(home_opened(ANA, tab="messages"))
    assert reply.status == 200
    assert harness.fake.calls_to("views.publish") == []
