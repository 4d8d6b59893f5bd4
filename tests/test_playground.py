"""The playground without a browser: its clock, its form filler, what it shows of the fake's
refusals, its page API's answers to bad input, and ``--demo`` in the real process."""

from __future__ import annotations

import json
import sys
import urllib.error
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from time import monotonic, sleep
from typing import Any
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.config import WorkingHours
from playground.clock import PlaygroundClock, next_working_morning
from playground.forms import fill
from playground.people import (
    CHANNEL_MEMBERS,
    HIRING_CHANNEL,
    HIRING_MANAGER,
    INTERVIEWERS,
    OUTSIDER,
    bot_environment,
    populate,
)
from playground.relay import Delivery, Relay
from playground.web import Playground, build_page_app
from slackfake import FakeSlack
from tests.browser import PlaygroundProcess

ANA = INTERVIEWERS[1]


# ------------------------------------------------------------------ clock


def test_the_clock_runs_with_real_time_shifted_and_only_moves_forward() -> None:
    clock = PlaygroundClock(timedelta(days=-2))
    assert abs(clock.now() - (datetime.now(UTC) - timedelta(days=2))) < timedelta(seconds=5)
    clock.advance(timedelta(hours=3))
    assert clock.offset == timedelta(days=-2, hours=3)
    for backwards in (timedelta(0), timedelta(hours=-1)):
        with pytest.raises(ValueError, match="only moves forward"):
            clock.advance(backwards)
    assert clock.offset == timedelta(days=-2, hours=3)
    assert clock.now().tzinfo is UTC


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        # Monday 08:00 in São Paulo (11:00 UTC): the same morning.
        (datetime(2026, 12, 7, 11, 0, tzinfo=UTC), datetime(2026, 12, 7, 12, 5, tzinfo=UTC)),
        # Monday 10:00 there: Tuesday.
        (datetime(2026, 12, 7, 13, 0, tzinfo=UTC), datetime(2026, 12, 8, 12, 5, tzinfo=UTC)),
        # Friday evening there: Monday, over the weekend.
        (datetime(2026, 12, 11, 22, 0, tzinfo=UTC), datetime(2026, 12, 14, 12, 5, tzinfo=UTC)),
    ],
)
def test_next_working_morning_is_in_the_persons_zone_on_a_working_day(
    now: datetime, expected: datetime
) -> None:
    hours = WorkingHours(time(9), time(18))
    zone = ZoneInfo("America/Sao_Paulo")
    assert next_working_morning(now, zone, frozenset(range(5)), hours) == expected


def test_a_week_without_working_days_has_no_working_morning() -> None:
    hours = WorkingHours(time(9), time(18))
    with pytest.raises(ValueError, match="no working day"):
        next_working_morning(datetime(2026, 12, 7, tzinfo=UTC), ZoneInfo("UTC"), frozenset(), hours)


# ------------------------------------------------------------------ form filler

VIEW = {
    "blocks": [
        {"type": "section", "text": {"type": "mrkdwn", "text": "intro"}},
        {
            "type": "input",
            "block_id": "rating:a",
            "element": {
                "type": "radio_buttons",
                "action_id": "rating",
                "options": [
                    {"text": {"type": "plain_text", "text": str(n)}, "value": str(n)}
                    for n in (1, 2, 3, 4)
                ],
            },
        },
        {
            "type": "input",
            "block_id": "rating:b",
            "element": {
                "type": "static_select",
                "action_id": "rating",
                "options": [{"text": {"type": "plain_text", "text": "x"}, "value": "4"}],
            },
        },
        {
            "type": "input",
            "block_id": "who",
            "element": {"type": "users_select", "action_id": "who", "initial_user": "U1"},
        },
        {
            "type": "input",
            "block_id": "when",
            "element": {"type": "datetimepicker", "action_id": "when"},
        },
        {
            "type": "input",
            "block_id": "note",
            "element": {"type": "plain_text_input", "action_id": "note"},
        },
    ]
}


def test_fill_answers_by_block_then_action_id_and_keeps_initial_values() -> None:
    values = fill(VIEW, {"rating:a": "2", "rating": "4", "when": 1_800_000_000})
    assert values["rating:a"]["rating"]["selected_option"]["value"] == "2"
    assert values["rating:b"]["rating"]["selected_option"]["value"] == "4"
    assert values["who"]["who"] == {"type": "users_select", "selected_user": "U1"}
    assert values["when"]["when"]["selected_date_time"] == 1_800_000_000
    assert values["note"]["note"] == {"type": "plain_text_input", "value": None}


def test_fill_refuses_an_option_the_element_does_not_offer() -> None:
    with pytest.raises(ValueError, match="rating has no option '7'"):
        fill(VIEW, {"rating": "7"})


# ------------------------------------------------------------------ settings


async def test_the_bot_runs_against_the_fake_whatever_slack_settings_the_shell_has(
    fake_slack: FakeSlack,
) -> None:
    fake = fake_slack
    environ = {
        "SLACK_BOT_TOKEN": "xoxb-real",
        "SLACK_APP_TOKEN": "xapp-real",
        "DATABASE_URL": "postgresql://prod/db",
        "DIGEST_TIME": "08:30",
    }
    env = bot_environment(
        environ, fake, signing_secret="s", port=4000, database_url="sqlite+aiosqlite:///x.db"
    )
    assert "SLACK_APP_TOKEN" not in env  # never Socket Mode to a real workspace
    assert env["SLACK_BOT_TOKEN"] == fake.bot_token
    assert env["DATABASE_URL"] == "sqlite+aiosqlite:///x.db"
    assert env["HOST"] == "127.0.0.1"
    assert env["DIGEST_TIME"] == "08:30"  # the person's own non-Slack settings are kept


# ------------------------------------------------------------------ the page API, in process


@dataclass
class Page:
    playground: Playground
    session: aiohttp.ClientSession
    base: str
    job_runs: list[int]


@pytest.fixture
async def page() -> AsyncIterator[Page]:
    async with FakeSlack() as fake, aiohttp.ClientSession() as session:
        populate(fake)
        clock = PlaygroundClock()
        fake.clock = clock.timestamp
        relay = Relay(fake, session, "http://127.0.0.1:9/slack/events", "secret")
        ran: list[int] = []
        playground = Playground(
            fake,
            relay,
            clock,
            lambda: ran.append(1),
            working_days=frozenset(range(5)),
            working_hours=WorkingHours(time(9), time(18)),
        )
        runner = aiohttp.web.AppRunner(build_page_app(playground))
        await runner.setup()
        await aiohttp.web.TCPSite(runner, "127.0.0.1", 0).start()
        port = runner.addresses[0][1]
        try:
            yield Page(playground, session, f"http://127.0.0.1:{port}", ran)
        finally:
            await runner.cleanup()


async def test_a_message_slack_would_refuse_is_shown_with_slacks_reasons(page: Page) -> None:
    playground = page.playground
    client = AsyncWebClient(token=playground.fake.bot_token, base_url=playground.fake.api_url)
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "x"}}] * 51
    with pytest.raises(SlackApiError):
        await client.chat_postMessage(channel=HIRING_CHANNEL, text="t", blocks=blocks)
    violations = playground.state(HIRING_MANAGER.id)["violations"]
    assert [v["error"] for v in violations] == ["invalid_blocks"]
    assert "50" in " ".join(violations[0]["details"])
    assert playground.fake.messages_in(HIRING_CHANNEL) == []


async def test_a_modal_opened_with_a_stale_trigger_is_shown_as_slack_refuses_it(page: Page) -> None:
    playground = page.playground
    fake = playground.fake
    trigger = playground.relay.trigger(ANA.id, None)
    view = {"type": "modal", "title": {"type": "plain_text", "text": "T"}, "blocks": []}
    playground.clock.advance(timedelta(seconds=4))
    client = AsyncWebClient(token=fake.bot_token, base_url=fake.api_url)
    with pytest.raises(SlackApiError):
        await client.views_open(trigger_id=trigger, view=view)
    state = playground.state(ANA.id)
    assert state["modals"] == []
    assert [v["error"] for v in state["violations"]] == ["expired_trigger_id"]
    fresh = playground.relay.trigger(ANA.id, None)
    await client.views_open(trigger_id=fresh, view=view)
    assert [m["title"]["text"] for m in playground.state(ANA.id)["modals"]] == ["T"]
    assert playground.state(HIRING_MANAGER.id)["modals"] == []  # only Ana's screen


async def test_closing_a_modal_sends_what_it_held_as_slack_does(
    page: Page, monkeypatch: pytest.MonkeyPatch
) -> None:
    """*Take notes* keeps what a closed form held: the page's close carries the values."""
    playground, fake = page.playground, page.playground.fake
    sent: list[dict[str, Any]] = []

    async def post(body: str) -> Delivery:
        sent.append(json.loads(parse_qs(body)["payload"][0]))
        return Delivery(200, "")

    monkeypatch.setattr(playground.relay, "_post", post)
    client = AsyncWebClient(token=fake.bot_token, base_url=fake.api_url)
    view = {
        "type": "modal",
        "callback_id": "take_notes",
        "notify_on_close": True,
        "title": {"type": "plain_text", "text": "Notes"},
        "blocks": [],
    }
    opened = await client.views_open(trigger_id=playground.relay.trigger(ANA.id, None), view=view)
    values = {"notes_text:q": {"notes_text": {"type": "plain_text_input", "value": "kept"}}}
    body = {"user": ANA.id, "view_id": opened["view"]["id"], "values": values}
    async with page.session.post(f"{page.base}/api/close", json=body) as reply:
        assert reply.status == 200
    [closed] = sent
    assert closed["type"] == "view_closed"
    assert closed["view"]["state"]["values"] == values


async def test_the_outsider_receives_nothing_of_the_private_channel(page: Page) -> None:
    playground = page.playground
    playground.fake.add_message(HIRING_CHANNEL, text="card")
    assert OUTSIDER.id not in CHANNEL_MEMBERS
    assert playground.state(OUTSIDER.id)["messages"][HIRING_CHANNEL] == []
    assert len(playground.state(ANA.id)["messages"][HIRING_CHANNEL]) == 1


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/command", {"user": "U0NOBODY", "text": "new"}),
        ("/api/clock", {"hours": 0}),
        ("/api/clock", {"hours": -5}),
        ("/api/clock", {"hours": 24 * 8}),
        ("/api/clock", [1, 2]),
        ("/api/nothing", {"user": HIRING_MANAGER.id}),
    ],
)
async def test_the_page_api_answers_bad_input_clearly_and_changes_nothing(
    page: Page, path: str, body: object
) -> None:
    playground, session, base = page.playground, page.session, page.base
    before = playground.clock.offset
    async with session.post(f"{base}{path}", json=body) as reply:
        assert reply.status in (400, 404)
        assert "Traceback" not in await reply.text()
    assert playground.clock.offset == before
    assert playground.fake.calls == []


async def test_next_working_morning_moves_the_clock_into_the_persons_hours(page: Page) -> None:
    playground, session, base = page.playground, page.session, page.base
    async with session.post(f"{base}/api/morning", json={"user": ANA.id}) as reply:
        assert reply.status == 200
    local = playground.clock.now().astimezone(ZoneInfo(ANA.tz))
    assert local.weekday() < 5
    assert time(9, 4) <= local.time() <= time(9, 6)
    assert page.job_runs == [1]


async def test_moving_the_clock_runs_the_due_jobs_at_once(page: Page) -> None:
    playground, session, base = page.playground, page.session, page.base
    before = playground.clock.now()
    async with session.post(f"{base}/api/clock", json={"hours": 24}) as reply:
        assert reply.status == 200
    assert playground.clock.now() - before >= timedelta(hours=24)
    assert page.job_runs == [1]
    async with session.get(f"{base}/api/state?user=U0NOBODY") as reply:
        assert reply.status == 400


# ------------------------------------------------------------------ --demo, the real process


def test_demo_seeds_three_candidates_at_different_stages(tmp_path: Path) -> None:
    # A digest every day just after midnight, so that a day and a half brings one whatever
    # day and hour the test runs.
    every_day = {"WORKING_DAYS": "mon-sun", "DIGEST_TIME": "00:01"}
    with PlaygroundProcess.start(tmp_path, "--demo", env_extra=every_day) as process:
        state = process.get(f"api/state?user={HIRING_MANAGER.id}")
        messages = state["messages"][HIRING_CHANNEL]
        cards = [m for m in messages if _field(m, "Stage") is not None]
        stages = {
            name: _field(card, "Stage")
            for card in cards
            for name in ("Priya Raman", "Tomás Ortega", "Jordan Lee")
            if name in str(card["blocks"])
        }
        assert stages == {
            "Priya Raman": "Technical",
            "Tomás Ortega": "Screening",
            "Jordan Lee": "Screening",
        }
        text = str(messages)
        assert "debrief" in text.lower()
        assert state["violations"] == []
        digests = _digests(process)
        # Ana's technical scorecard is late: a day and a half on the new day's digest is in
        # the channel, and by the start of Ana's next working day (São Paulo; a day and a
        # half on can fall in her evening) the reminder is in her DMs.
        process.post("api/clock", {"user": ANA.id, "hours": 36})
        _wait(lambda: _digests(process)[len(digests) :])
        process.post("api/morning", {"user": ANA.id})
        reminder = _wait(
            lambda: [
                m["text"]
                for m in process.get(f"api/state?user={ANA.id}")["messages"]["dm"]
                if m["text"].startswith("Your scorecard for")
            ]
        )
        assert "Priya Raman" in reminder[0]
        with pytest.raises(urllib.error.HTTPError):
            process.post("api/clock", {"hours": -1})


def _digests(process: PlaygroundProcess) -> list[str]:
    messages = process.get(f"api/state?user={HIRING_MANAGER.id}")["messages"][HIRING_CHANNEL]
    return [m["text"] for m in messages if m["text"].startswith("Hiring digest")]


def _field(message: dict, label: str) -> str | None:
    for block in message.get("blocks") or []:
        for field in block.get("fields", []):
            if field["text"].startswith(f"*{label}*"):
                return field["text"].split("\n", 1)[1]
    return None


def _wait(read: Callable[[], list[str]], within: float = 30.0) -> list[str]:
    """What ``read`` finds, once it finds something. Generous: the process runs the jobs a
    clock change made due, then its outbox sends, on a machine other tests share."""
    deadline = monotonic() + within
    while not (found := read()):
        if monotonic() > deadline:
            raise AssertionError(f"it never arrived within {within:.0f} s")
        sleep(0.1)
    return found


def test_without_the_playground_installed_the_command_says_so_in_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.__main__ import EXIT_CONFIG, main

    # As in the container image, which ships the bot without playground/ and slackfake/.
    monkeypatch.setitem(sys.modules, "playground.main", None)
    assert main(["playground"]) == EXIT_CONFIG
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        "error: the playground is not installed here: run `make run` in a clone of the repository"
    ]
