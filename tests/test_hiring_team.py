"""The hiring team's boundary: who is on it, kept current, and every listener's refusal
of anyone outside it (one line, nothing about any candidate); a panel member outside the
team acts on their own interviews only."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from sqlmodel import select

from bot.clock import FrozenClock
from bot.hiring_team import (
    FAILED_TTL,
    MEMBERS_TTL,
    HiringTeam,
    team_only_text,
)
from handlers.ids import Action, View
from handlers.refs import Ref, ref
from handlers.team_access import SlackMembers, channel_warning
from slackfake import FakeSlack
from storage.models import Candidate, Debrief, Decision, Interview, Scorecard
from tests.flows import scorecard_values, submit_scorecard
from tests.harness import HIRING_CHANNEL, HIRING_MANAGER, Harness, free_port
from tests.seed import add_candidate, add_debrief, add_interview, hours

ADMIN = "U0ADMIN"
OUTSIDER = "U0OUTSIDER"  # in the workspace, not in the hiring channel
PANELIST = "U0PANEL"  # not in the hiring channel, but interviews Jane
MEMBER = "U0MEMBER"  # in the hiring channel
REFUSAL = team_only_text(HIRING_CHANNEL, frozenset({ADMIN}))


@pytest.fixture
async def team(make_harness: Any, fake_slack: FakeSlack) -> Harness:
    """A team of the hiring manager, a member and an admin; an outsider and a panelist who
    are not in the channel; Jane with a Technical interview that has ended."""
    harness: Harness = await make_harness(hiring_admins=frozenset({ADMIN}))
    for user_id in (MEMBER, OUTSIDER, PANELIST):
        fake_slack.add_user(user_id)
    fake_slack.set_members(HIRING_CHANNEL, [HIRING_MANAGER, MEMBER, fake_slack.bot_user_id])
    bot = harness.bot
    jane = await add_candidate(bot, "Jane Doe", fake=fake_slack)
    await add_interview(bot, jane, [PANELIST, MEMBER], starts_at=bot.clock.now() - hours(3))
    await add_debrief(bot, jane, [HIRING_MANAGER], starts_at=bot.clock.now() + hours(30))
    await add_candidate(bot, "Sam Secret", fake=fake_slack)
    fake_slack.clear()
    return harness


async def _ids(harness: Harness, model: Any) -> list[int]:
    async with harness.bot.sessions() as session:
        return [row.id for row in (await session.exec(select(model))).all()]


def _nothing_said_or_opened(harness: Harness) -> None:
    for method in ("views.open", "chat.postMessage", "chat.update", "chat.postEphemeral"):
        assert harness.fake.calls_to(method) == [], method


# --------------------------------------------------------------------- who is on the team


async def test_the_team_is_read_once_then_cached_for_a_few_minutes(
    harness: Harness, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    fake_slack.set_members(HIRING_CHANNEL, [HIRING_MANAGER])
    team = HiringTeam(HIRING_CHANNEL, frozenset({ADMIN}), clock)
    assert harness.app is not None
    source = SlackMembers(harness.app.client)
    assert await team.includes(HIRING_MANAGER, source)
    assert await team.includes(ADMIN, source)  # admins without being in the channel
    assert not await team.includes(OUTSIDER, source)
    assert len(fake_slack.calls_to("conversations.members")) == 1
    fake_slack.set_members(HIRING_CHANNEL, [HIRING_MANAGER, OUTSIDER])
    clock.advance(MEMBERS_TTL - timedelta(seconds=1))
    assert not await team.includes(OUTSIDER, source)
    clock.advance(timedelta(seconds=1))
    assert await team.includes(OUTSIDER, source)
    assert len(fake_slack.calls_to("conversations.members")) == 2


async def test_members_are_read_across_every_page(fake_slack: FakeSlack, harness: Harness) -> None:
    people = [f"U{index:08d}" for index in range(2345)]
    fake_slack.set_members(HIRING_CHANNEL, people)
    assert harness.app is not None
    members = await SlackMembers(harness.app.client).channel_members(HIRING_CHANNEL)
    assert members == frozenset(people)
    calls = fake_slack.calls_to("conversations.members")
    assert len(calls) == 3 and "cursor" not in calls[0].args
    assert [bool(c.args.get("cursor")) for c in calls] == [False, True, True]
    assert calls[-1].response["response_metadata"]["next_cursor"] == ""


async def test_the_fake_refuses_a_cursor_it_did_not_give(harness: Harness) -> None:
    assert harness.app is not None
    with pytest.raises(SlackApiError) as refused:
        await harness.app.client.conversations_members(
            channel=HIRING_CHANNEL, cursor="bm90LWEtY3Vyc29y"
        )
    assert refused.value.response["error"] == "invalid_cursor"


async def test_join_and_leave_events_change_the_team_at_once(team: Harness) -> None:
    assert "hiring team" in (await team.command("list", user_id=OUTSIDER)).json["text"]
    await team.join_channel(OUTSIDER)
    assert "Jane Doe" in (await team.command("list", user_id=OUTSIDER)).text
    await team.leave_channel(MEMBER)
    assert (await team.command("list", user_id=MEMBER)).json["text"] == REFUSAL
    # An event about another channel changes nothing.
    await team.event({"type": "member_left_channel", "user": OUTSIDER, "channel": "C0OTHER"})
    assert "Jane Doe" in (await team.command("list", user_id=OUTSIDER)).text


async def test_unreadable_members_leave_only_the_admins_and_say_why(
    team: Harness, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    clock.advance(MEMBERS_TTL)
    fake_slack.fail("conversations.members", "channel_not_found")
    text = (await team.command("list")).json["text"]
    assert "hiring team" in text and "channel_not_found" in text and "Jane" not in text
    assert "Jane Doe" in (await team.command("list", user_id=ADMIN)).text
    # Slack is asked again soon, and the team is back once it answers.
    clock.advance(FAILED_TTL)
    assert "Jane Doe" in (await team.command("list")).text


# --------------------------------------------------------------------- commands


@pytest.mark.parametrize(
    "text",
    [
        "new Jane",
        "list",
        "list all",
        "find Jane",
        "find Nobody",
        "salary",
        "schedule Jane Doe",
        "debrief Jane Doe",
        "digest",
        "decide Jane Doe",
        "export Jane Doe",
        "erase Jane Doe",
        "edit Jane Doe",
        "scorecard Sam Secret",
        "scorecard Nobody At All",
        "edit #1",
        "edit #999",
    ],
)
async def test_anyone_outside_the_team_gets_one_line_and_nothing_about_candidates(
    team: Harness, text: str
) -> None:
    reply = await team.command(text, user_id=OUTSIDER)
    assert reply.status == 200
    body = reply.json
    assert body["response_type"] == "ephemeral" and body["text"] == REFUSAL
    assert "blocks" not in body or body["blocks"] is None
    _nothing_said_or_opened(team)


async def test_help_outside_the_team_lists_only_what_they_may_use(team: Harness) -> None:
    shown = json.dumps((await team.command("help", user_id=OUTSIDER)).json)
    assert "scorecard NAME" in shown and "help" in shown
    for hidden in ("new [name]", "list [all]", "find NAME", "salary", "erase NAME", "edit NAME"):
        assert hidden not in shown


# --------------------------------------------------------------------- buttons


async def _refused_click(harness: Harness, action: Action, value: str) -> None:
    reply = await harness.action(action, user_id=OUTSIDER, value=value)
    assert reply.status == 200
    (answer,) = harness.fake.calls_to("response_url")
    assert answer.args["text"] == REFUSAL and answer.args["response_type"] == "ephemeral"
    _nothing_said_or_opened(harness)


@pytest.mark.parametrize(
    ("action", "kind"),
    [
        (Action.SCHEDULE_INTERVIEW, Ref.CANDIDATE),
        (Action.SUBMIT_SCORECARD, Ref.CANDIDATE),
        (Action.RECORD_DECISION, Ref.CANDIDATE),
        (Action.SCHEDULE_DEBRIEF, Ref.CANDIDATE),
        (Action.EDIT_CANDIDATE, Ref.CANDIDATE),
        (Action.RESCHEDULE_INTERVIEW, Ref.INTERVIEW),
        (Action.CANCEL_INTERVIEW, Ref.INTERVIEW),
        (Action.VIEW_SCORECARDS, Ref.INTERVIEW),
        (Action.VIEW_SUMMARY, Ref.INTERVIEW),
        (Action.SUBMIT_SCORECARD, Ref.INTERVIEW),
        (Action.NOT_ATTENDED, Ref.INTERVIEW),
        (Action.RESCHEDULE_DEBRIEF, Ref.DEBRIEF),
        (Action.CANCEL_DEBRIEF, Ref.DEBRIEF),
    ],
)
async def test_every_button_refuses_anyone_outside_the_team(
    team: Harness, action: Action, kind: Ref
) -> None:
    await _refused_click(team, action, ref(kind, 1))
    assert await _ids(team, Interview) == [1] and await _ids(team, Debrief) == [1]


async def test_a_panelist_outside_the_team_is_refused_the_pipelines_buttons(
    team: Harness,
) -> None:
    for action in (Action.SCHEDULE_INTERVIEW, Action.RECORD_DECISION, Action.EDIT_CANDIDATE):
        team.fake.clear()
        reply = await team.action(action, user_id=PANELIST, value=ref(Ref.CANDIDATE, 1))
        assert reply.status == 200
        assert team.fake.calls_to("response_url")[0].args["text"] == REFUSAL
        assert team.fake.calls_to("views.open") == []


# --------------------------------------------------------------------- modal submissions


@pytest.mark.parametrize(
    ("callback_id", "metadata"),
    [
        (View.NEW_CANDIDATE, ""),
        (View.EDIT_CANDIDATE, '{"candidate_id": 1, "digest": "x"}'),
        (View.SCHEDULE_INTERVIEW, '{"candidate_id": 1}'),
        (View.SCHEDULE_DEBRIEF, '{"candidate_id": 1}'),
        (View.DECISION, '{"candidate_id": 1, "stage_key": "technical", "status": "active"}'),
        (View.DECISION_CONFIRM, '{"candidate_id": 1, "stage_key": "technical"}'),
        (View.ERASE_CANDIDATE, ref(Ref.CANDIDATE, 1)),
        (View.SCORECARD, '{"interview_id": 1}'),
    ],
)
async def test_a_form_submitted_from_outside_the_team_is_refused_and_stores_nothing(
    team: Harness, callback_id: str, metadata: str
) -> None:
    values = scorecard_values(team.bot.kits) if callback_id == View.SCORECARD else {}
    reply = await team.submit(callback_id, values, user_id=OUTSIDER, private_metadata=metadata)
    assert reply.status == 200
    body = reply.json
    assert body["response_action"] == "update"
    assert body["view"]["blocks"][0]["text"]["text"] == REFUSAL
    _nothing_said_or_opened(team)
    assert await _ids(team, Candidate) == [1, 2]
    for model in (Scorecard, Decision):
        assert await _ids(team, model) == []


# --------------------------------------------------------------------- a panelist outside


async def test_a_panelist_outside_the_team_acts_on_their_own_interview_only(
    team: Harness,
) -> None:
    # Their scorecard, from the DM's button and by name.
    await submit_scorecard(team, PANELIST, 1)
    assert len(await _ids(team, Scorecard)) == 1
    team.fake.clear()
    reply = await team.command("scorecard Jane Doe", user_id=PANELIST)
    assert reply.status == 200 and reply.text == ""
    assert team.fake.calls_to("views.open")[0].args["view"]["callback_id"] == View.SCORECARD
    # Another candidate's name gets the same line as a name that does not exist.
    for other in ("Sam Secret", "Nobody"):
        assert (await team.command(f"scorecard {other}", user_id=PANELIST)).json["text"] == REFUSAL
    # Having submitted, they read the panel's scorecards (the independence rule applies).
    team.fake.clear()
    await team.action(Action.VIEW_SCORECARDS, user_id=PANELIST, value=ref(Ref.INTERVIEW, 1))
    (opened,) = team.fake.calls_to("views.open")
    assert opened.response["ok"]
    # And nothing of the pipeline.
    assert (await team.command("list", user_id=PANELIST)).json["text"] == REFUSAL


async def test_a_panelist_outside_the_team_may_say_they_did_not_attend(team: Harness) -> None:
    reply = await team.action(Action.NOT_ATTENDED, user_id=PANELIST, value=ref(Ref.INTERVIEW, 1))
    assert reply.status == 200
    (answer,) = team.fake.calls_to("response_url")
    assert "you owe no scorecard" in answer.args["text"]


async def test_the_channel_warning_names_what_slack_answered(
    harness: Harness, fake_slack: FakeSlack
) -> None:
    assert harness.app is not None
    client = harness.app.client
    fake_slack.add_channel("C0PRIVATE", is_private=True)
    assert await channel_warning(client, "C0PRIVATE") is None
    warning = await channel_warning(client, HIRING_CHANNEL)  # not a channel the fake has
    assert warning is not None and "channel_not_found" in warning and "\n" not in warning
    fake_slack.add_channel("C0OPEN", name="jobs", is_private=False)
    public = await channel_warning(client, "C0OPEN")
    assert public is not None and "(#jobs) is public" in public


async def test_a_connection_failure_reading_members_leaves_only_the_admins(
    clock: FrozenClock,
) -> None:
    nowhere = AsyncWebClient(
        token="xoxb-1", base_url=f"http://127.0.0.1:{free_port()}/api/", retry_handlers=[]
    )
    team = HiringTeam(HIRING_CHANNEL, frozenset({ADMIN}), clock)
    assert not await team.includes(HIRING_MANAGER, SlackMembers(nowhere))
    assert await team.includes(ADMIN, SlackMembers(nowhere))
    assert "ClientConnectorError" in team.refusal().message


async def test_a_panelist_outside_the_team_hears_why_their_own_scorecard_cannot_open(
    team: Harness,
) -> None:
    bot = team.bot
    async with bot.sessions() as session:
        sam = await session.get(Candidate, 2)
    assert sam is not None
    await add_interview(bot, sam, [PANELIST], starts_at=bot.clock.now() + hours(5))
    reply = await team.command("scorecard Sam Secret", user_id=PANELIST)
    assert "has not started yet" in reply.json["text"]
    assert team.fake.calls_to("views.open") == []
