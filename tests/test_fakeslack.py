"""Tests of the test harness itself: the fake Slack and the signed-request builders.

The fake is driven by the real slack_sdk clients and a real bolt AsyncApp, so a fake that
drifted from what slack_sdk sends or from what Slack answers would fail here first.
"""

import asyncio
import json
import os
import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

import aiohttp
import pytest
from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from slackfake import FakeSlack, SlackError, message_errors, view_errors
from slackfake.requests import (
    block_actions,
    checkboxes_value,
    datetime_value,
    event_callback,
    number_value,
    post,
    radio_value,
    select_value,
    signed_headers,
    slash_command,
    slash_command_payload,
    text_value,
    url_value,
    url_verification,
    user_value,
    users_value,
    view_closed,
    view_submission,
)

SIGNING_SECRET = "test-signing-secret"
START = 1_732_800_000.0


class ManualClock:
    """A clock the test moves by hand, injected into the fake."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture(autouse=True)
def no_real_slack_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    # bolt and slack_sdk read SLACK_* variables; a developer's real ones must not leak in.
    for name in list(os.environ):
        if name.startswith("SLACK_"):
            monkeypatch.delenv(name)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
async def fake(clock: ManualClock) -> AsyncIterator[FakeSlack]:
    async with FakeSlack(clock=clock) as running:
        yield running


@pytest.fixture
def client(fake: FakeSlack) -> AsyncWebClient:
    return AsyncWebClient(token=fake.bot_token, base_url=fake.api_url)


async def slack_error(call: Any) -> SlackApiError:
    """The SlackApiError an awaited client call raises."""
    with pytest.raises(SlackApiError) as raised:
        await call
    return raised.value


# ------------------------------------------------------------------ Block Kit builders


def plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text}


def section(text: str = "hello", **extra: Any) -> dict[str, Any]:
    return {"type": "section", "text": mrkdwn(text), **extra}


def fields(*texts: dict[str, Any]) -> dict[str, Any]:
    return {"type": "section", "fields": list(texts)}


def button(text: str = "Go", action_id: str = "go", **extra: Any) -> dict[str, Any]:
    return {"type": "button", "text": plain(text), "action_id": action_id, **extra}


def actions(*elements: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"type": "actions", "elements": list(elements), **extra}


def buttons(count: int) -> dict[str, Any]:
    return actions(*(button(action_id=f"b{i}") for i in range(count)))


def option(text: str, value: str | None = None) -> dict[str, Any]:
    return {"text": plain(text), "value": value or text}


def confirm(
    *, title: str = "Sure?", text: str = "It cannot be undone.", ok: str = "Yes", deny: str = "No"
) -> dict[str, Any]:
    return {"title": plain(title), "text": plain(text), "confirm": plain(ok), "deny": plain(deny)}


def options(count: int) -> list[dict[str, Any]]:
    return [option(f"o{i}") for i in range(count)]


def choice(kind: str, opts: list[dict[str, Any]]) -> dict[str, Any]:
    """An actions block holding one static_select, checkboxes or radio_buttons element."""
    return actions({"type": kind, "action_id": kind, "options": opts})


def text_input(label: str = "Name", **element: Any) -> dict[str, Any]:
    return {
        "type": "input",
        "block_id": "name",
        "label": plain(label),
        "element": {"type": "plain_text_input", "action_id": "name", **element},
    }


def modal(*blocks: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": "new_candidate",
        "title": plain("New candidate"),
        "submit": plain("Create"),
        "blocks": list(blocks) or [section()],
        **extra,
    }


# ------------------------------------------------------------------ Block Kit limits (pure)

ELEMENT = "/blocks/0/elements/0"
CONFIRM = f"{ELEMENT}/confirm"
OPTION = f"{ELEMENT}/options/0"
INPUT = "/view/blocks/0"
FIELD = f"{INPUT}/element"

# (build(n), the largest n Slack accepts, json-pointer of the one error at n + 1)
MESSAGE_LIMITS: list[tuple[Callable[[int], Any], int, str]] = [
    (lambda n: [section() for _ in range(n)], 50, "/blocks"),
    (lambda n: [section("x" * n)], 3000, "/blocks/0/text/text"),
    (lambda n: [fields(*[mrkdwn("f")] * n)], 10, "/blocks/0/fields"),
    (lambda n: [fields(mrkdwn("x" * n))], 2000, "/blocks/0/fields/0/text"),
    (lambda n: [{"type": "header", "text": plain("x" * n)}], 150, "/blocks/0/text/text"),
    (lambda n: [{"type": "context", "elements": [mrkdwn("c")] * n}], 10, "/blocks/0/elements"),
    (lambda n: [buttons(n)], 25, "/blocks/0/elements"),
    (lambda n: [actions(button(text="x" * n))], 75, f"{ELEMENT}/text/text"),
    (lambda n: [actions(button(url="u" * n))], 3000, f"{ELEMENT}/url"),
    (lambda n: [actions(button(value="v" * n))], 2000, f"{ELEMENT}/value"),
    (lambda n: [choice("static_select", options(n))], 100, f"{ELEMENT}/options"),
    (lambda n: [choice("static_select", [option("x" * n, "v")])], 75, f"{OPTION}/text/text"),
    (lambda n: [choice("static_select", [option("t", "v" * n)])], 150, f"{OPTION}/value"),
    (lambda n: [choice("checkboxes", options(n))], 10, f"{ELEMENT}/options"),
    (lambda n: [choice("radio_buttons", options(n))], 10, f"{ELEMENT}/options"),
    (lambda n: [section(block_id="b" * n)], 255, "/blocks/0/block_id"),
    (lambda n: [actions(button(action_id="a" * n))], 255, f"{ELEMENT}/action_id"),
    (lambda n: [actions(button(confirm=confirm(title="t" * n)))], 100, f"{CONFIRM}/title/text"),
    (lambda n: [actions(button(confirm=confirm(text="t" * n)))], 300, f"{CONFIRM}/text/text"),
    (lambda n: [actions(button(confirm=confirm(ok="c" * n)))], 30, f"{CONFIRM}/confirm/text"),
    (lambda n: [actions(button(confirm=confirm(deny="d" * n)))], 30, f"{CONFIRM}/deny/text"),
    (lambda n: [{"type": "context", "elements": [mrkdwn("x" * n)]}], 3000, f"{ELEMENT}/text"),
    (
        lambda n: [actions({"type": "radio_buttons", "action_id": "r", "options": options(1),
                            "initial_option": option("x" * n, "o0")})],
        75,
        f"{ELEMENT}/initial_option/text/text",
    ),
]  # fmt: skip
VIEW_LIMITS: list[tuple[Callable[[int], Any], int, str]] = [
    (lambda n: modal(*(section() for _ in range(n))), 100, "/view/blocks"),
    (lambda n: modal(title=plain("t" * n)), 24, "/view/title/text"),
    (lambda n: modal(submit=plain("s" * n)), 24, "/view/submit/text"),
    (lambda n: modal(close=plain("c" * n)), 24, "/view/close/text"),
    (lambda n: modal(private_metadata="m" * n), 3000, "/view/private_metadata"),
    (lambda n: modal(callback_id="c" * n), 255, "/view/callback_id"),
    (lambda n: modal(text_input(label="l" * n)), 2000, f"{INPUT}/label/text"),
    (lambda n: modal(text_input() | {"hint": plain("h" * n)}), 2000, f"{INPUT}/hint/text"),
    (lambda n: modal(text_input(placeholder=plain("p" * n))), 150, f"{FIELD}/placeholder/text"),
    (lambda n: modal(text_input(max_length=n)), 3000, f"{FIELD}/max_length"),
    (lambda n: modal(text_input(min_length=n)), 3000, f"{FIELD}/min_length"),
    (lambda n: modal(text_input(initial_value="i" * n)), 3000, f"{FIELD}/initial_value"),
    (
        lambda n: modal(text_input(initial_value="i" * n, max_length=100)),
        100,
        f"{FIELD}/initial_value",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("build", "limit", "pointer"), MESSAGE_LIMITS)
def test_each_message_limit_accepts_the_maximum_and_rejects_one_more(
    build: Callable[[int], Any], limit: int, pointer: str
) -> None:
    assert message_errors(build(limit)) == []
    (error,) = message_errors(build(limit + 1))
    assert error.endswith(f"[json-pointer:{pointer}]")


@pytest.mark.parametrize(("build", "limit", "pointer"), VIEW_LIMITS)
def test_each_view_limit_accepts_the_maximum_and_rejects_one_more(
    build: Callable[[int], Any], limit: int, pointer: str
) -> None:
    assert view_errors(build(limit)) == []
    (error,) = view_errors(build(limit + 1))
    assert error.endswith(f"[json-pointer:{pointer}]")


@pytest.mark.parametrize(
    ("blocks", "error"),
    [
        ([{"type": "carousel"}], "unsupported type: carousel [json-pointer:/blocks/0/type]"),
        (
            [{"type": "header", "text": mrkdwn("*x*")}],
            "must be plain_text, not mrkdwn [json-pointer:/blocks/0/text/type]",
        ),
        ([section("")], "must be more than 0 characters [json-pointer:/blocks/0/text/text]"),
        (
            [{"type": "section", "text": {"type": "markdown", "text": "x"}}],
            "unsupported type: markdown [json-pointer:/blocks/0/text/type]",
        ),
        (
            [{"type": "section", "text": mrkdwn("x") | {"emoji": True}}],
            "invalid additional property: emoji [json-pointer:/blocks/0/text]",
        ),
        ([{"type": "section"}], "must define either `text` or `fields` [json-pointer:/blocks/0]"),
        (
            [actions(button(), button())],
            "duplicate action_id: go [json-pointer:/blocks/0/elements/1/action_id]",
        ),
        (
            [section(block_id="b"), section(block_id="b")],
            "duplicate block_id: b [json-pointer:/blocks/1/block_id]",
        ),
        (
            [section(block_id="")],
            "must be more than 0 characters [json-pointer:/blocks/0/block_id]",
        ),
    ],
)
def test_message_structure_rejections(blocks: list[dict[str, Any]], error: str) -> None:
    assert message_errors(blocks) == [error]


@pytest.mark.parametrize(
    ("view", "error"),
    [
        (modal() | {"title": None}, "missing required field: title [json-pointer:/view]"),
        (
            modal(text_input()) | {"submit": None},
            "submit is required when the view has an input block [json-pointer:/view]",
        ),
        (
            modal({"type": "input", "label": plain("Name")}),
            "missing required field: element [json-pointer:/view/blocks/0]",
        ),
        (
            {"type": "workflow_step", "blocks": []},
            "unsupported type: workflow_step [json-pointer:/view/type]",
        ),
    ],
)
def test_view_structure_rejections(view: dict[str, Any], error: str) -> None:
    assert view_errors(view) == [error]


def test_action_id_is_unique_per_block_not_per_message() -> None:
    # Slack only requires action_id to be unique within its block, so one action_id per row
    # of a list is a legitimate pattern.
    assert message_errors([actions(button()), actions(button())]) == []


# ------------------------------------------------------------------ Web API shapes


async def test_auth_test_answers_with_slack_shape(fake: FakeSlack, client: AsyncWebClient) -> None:
    response = await client.auth_test()
    assert response.data == {
        "ok": True,
        "url": "https://fake-workspace.slack.com/",
        "team": "Fake Workspace",
        "user": "hiring-bot",
        "team_id": "T0TEST",
        "user_id": "UBOT",
        "bot_id": "B0TEST",
        "is_enterprise_install": False,
    }
    assert [(c.method, c.token) for c in fake.calls] == [("auth.test", fake.bot_token)]


async def test_post_message_returns_channel_increasing_ts_and_message(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    blocks = [section("*Jane Doe* — screening")]
    root = await client.chat_postMessage(channel="C1", text="Jane Doe", blocks=blocks)
    reply = await client.chat_postMessage(channel="C1", text="note", thread_ts=root["ts"])

    assert root["channel"] == "C1"
    assert re.fullmatch(r"\d{10}\.\d{6}", root["ts"])
    assert reply["ts"] > root["ts"]  # fixed-width "seconds.micros" strings sort in time order
    assert root["message"]["text"] == "Jane Doe"
    assert root["message"]["blocks"] == blocks
    assert root["message"]["bot_id"] == "B0TEST"
    assert reply["message"]["thread_ts"] == root["ts"]
    call = fake.calls_to("chat.postMessage")[0]
    assert call.args == {"channel": "C1", "text": "Jane Doe", "blocks": blocks}
    assert call.response == root.data


async def test_arguments_are_read_from_json_form_and_query(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    blocks = [section("form")]
    # A form body carries blocks as a JSON string; the fake decodes it.
    await client.api_call(
        "chat.postMessage",
        data={"channel": "C1", "text": "form", "blocks": json.dumps(blocks)},
    )
    # slack_sdk sends `params` of a POST (e.g. conversations.join) as a query string.
    await client.api_call("chat.postMessage", params={"channel": "C1", "text": "query"})
    await client.users_info(user="UBOT")  # GET with a query string
    # The token may also come as an argument instead of the Authorization header.
    await AsyncWebClient(base_url=fake.api_url).api_call(
        "auth.test", data={"token": fake.bot_token}
    )

    form, query, get, token_arg = fake.calls
    assert form.args == {"channel": "C1", "text": "form", "blocks": blocks}
    assert query.args == {"channel": "C1", "text": "query"}
    assert get.args == {"user": "UBOT"}
    assert token_arg.token == fake.bot_token
    assert token_arg.response["ok"] is True
    assert "token" not in token_arg.args


async def test_unknown_method_is_answered_and_recorded(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    error = await slack_error(client.api_call("candidates.list", json={"limit": 5}))
    assert error.response.data == {
        "ok": False,
        "error": "unknown_method",
        "req_method": "candidates.list",
    }
    assert fake.calls_to("candidates.list")[0].args == {"limit": 5}


async def test_missing_or_wrong_token_is_rejected(fake: FakeSlack) -> None:
    def client_with(token: str | None) -> AsyncWebClient:
        return AsyncWebClient(token=token, base_url=fake.api_url)

    assert (await slack_error(client_with(None).auth_test())).response["error"] == "not_authed"
    wrong = client_with("xoxb-wrong").chat_postMessage(channel="C1", text="hi")
    assert (await slack_error(wrong)).response["error"] == "invalid_auth"
    app_token_posting = client_with(fake.app_token).chat_postMessage(channel="C1", text="hi")
    assert (await slack_error(app_token_posting)).response["error"] == "invalid_auth"
    bot_token_socket = client_with(None).apps_connections_open(app_token=fake.bot_token)
    assert (await slack_error(bot_token_socket)).response["error"] == "invalid_auth"
    assert [c.response["ok"] for c in fake.calls] == [False] * 4


async def test_invalid_blocks_answer_has_slacks_shape(client: AsyncWebClient) -> None:
    error = await slack_error(
        client.chat_postMessage(channel="C1", text="x", blocks=[section() for _ in range(51)])
    )
    assert error.response.data == {
        "ok": False,
        "error": "invalid_blocks",
        "errors": ["no more than 50 items allowed [json-pointer:/blocks]"],
        "response_metadata": {
            "messages": ["[ERROR] no more than 50 items allowed [json-pointer:/blocks]"]
        },
    }


@pytest.mark.parametrize(
    ("blocks", "expected"),
    [
        (
            [section("x" * 3001)],
            "must be less than 3001 characters [json-pointer:/blocks/0/text/text]",
        ),
        (
            [actions(button(text="b" * 76))],
            f"must be less than 76 characters [json-pointer:{ELEMENT}/text/text]",
        ),
        (
            [actions(button(), button())],
            "duplicate action_id: go [json-pointer:/blocks/0/elements/1/action_id]",
        ),
    ],
)
@pytest.mark.parametrize("method", ["chat.postMessage", "chat.postEphemeral", "chat.update"])
async def test_every_message_method_rejects_invalid_blocks(
    fake: FakeSlack,
    client: AsyncWebClient,
    method: str,
    blocks: list[dict[str, Any]],
    expected: str,
) -> None:
    ts = fake.add_message("C1", text="before")
    arguments = {"channel": "C1", "text": "x", "blocks": blocks, "user": "U1", "ts": ts}
    error = await slack_error(client.api_call(method, json=arguments))
    assert error.response["error"] == "invalid_blocks"
    assert error.response["errors"] == [expected]


async def test_message_needs_a_channel_text_of_bounded_length(client: AsyncWebClient) -> None:
    no_text = client.chat_postMessage(channel="C1", text="")
    with pytest.warns(UserWarning, match="`text` argument is missing"):
        assert (await slack_error(no_text)).response["error"] == "no_text"
    no_channel = client.chat_postMessage(channel="", text="hi")
    assert (await slack_error(no_channel)).response["error"] == "channel_not_found"
    too_long = client.chat_postMessage(channel="C1", text="x" * 40_001)
    assert (await slack_error(too_long)).response["error"] == "msg_too_long"
    assert (await client.chat_postMessage(channel="C1", text="x" * 40_000))["ok"]


async def test_blocks_with_too_much_text_in_all_are_msg_blocks_too_long(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    # Every block within its own limit, 12,000 characters of text in all: Slack's most.
    fits = [section("x" * 3000) for _ in range(4)]
    assert (await client.chat_postMessage(channel="C1", text="t", blocks=fits))["ok"]
    over = [*fits, {"type": "context", "elements": [mrkdwn("x")]}]
    error = await slack_error(client.chat_postMessage(channel="C1", text="t", blocks=over))
    assert error.response["error"] == "msg_blocks_too_long"
    # A command's answer through its response_url takes the same blocks.
    answer = await AsyncWebhookClient(fake.response_url()).send(text="t", blocks=over)
    assert (answer.status_code, answer.body) == (200, "ok")


async def test_update_and_permalink_need_a_known_message(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    posted = await client.chat_postMessage(channel="C1", text="Stage: screening")
    updated = await client.chat_update(
        channel="C1", ts=posted["ts"], text="Stage: technical", blocks=[section("technical")]
    )
    assert updated["ts"] == posted["ts"]
    assert updated["text"] == "Stage: technical"
    assert updated["message"]["blocks"] == [section("technical")]
    assert "edited" in updated["message"]

    link = await client.chat_getPermalink(channel="C1", message_ts=posted["ts"])
    assert link["permalink"] == (
        f"https://fake-workspace.slack.com/archives/C1/p{posted['ts'].replace('.', '')}"
    )
    seeded = fake.add_message("C1", text="seeded earlier")
    assert (await client.chat_update(channel="C1", ts=seeded, text="now updated"))["ok"]
    missing = client.chat_update(channel="C1", ts="1.000001", text="lost")
    assert (await slack_error(missing)).response["error"] == "message_not_found"


async def test_post_ephemeral_answers_message_ts(client: AsyncWebClient) -> None:
    response = await client.chat_postEphemeral(channel="C1", user="U1", text="Only you")
    assert set(response.data) == {"ok", "message_ts"}


# ------------------------------------------------------------------ channels, DMs, users


async def test_public_channel_needs_a_join_before_posting(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    fake.add_channel("C_HIRING", name="hiring", is_member=False)
    refused = client.chat_postMessage(channel="C_HIRING", text="hi")
    assert (await slack_error(refused)).response["error"] == "not_in_channel"

    joined = await client.conversations_join(channel="C_HIRING")
    assert joined["channel"]["id"] == "C_HIRING"
    assert joined["channel"]["is_member"] is True
    assert (await client.chat_postMessage(channel="C_HIRING", text="hi"))["ok"]
    again = await client.conversations_join(channel="C_HIRING")
    assert again["warning"] == "already_in_channel"
    info = await client.conversations_info(channel="C_HIRING")
    assert info["channel"]["name"] == "hiring"
    assert info["channel"]["is_private"] is False


async def test_private_and_unknown_channels(fake: FakeSlack, client: AsyncWebClient) -> None:
    fake.add_channel("G_SECRET", is_private=True, is_member=False)
    fake.add_channel("G_INVITED", is_private=True, is_member=True)

    join = client.conversations_join(channel="G_SECRET")
    assert (await slack_error(join)).response["error"] == "method_not_supported_for_channel_type"
    hidden = client.chat_postMessage(channel="G_SECRET", text="hi")
    assert (await slack_error(hidden)).response["error"] == "channel_not_found"
    assert (await client.chat_postMessage(channel="G_INVITED", text="hi"))["ok"]
    unknown = client.chat_postMessage(channel="C404", text="hi")
    assert (await slack_error(unknown)).response["error"] == "channel_not_found"


async def test_dm_ids_are_stable_and_posting_to_a_user_lands_in_the_dm(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    fake.add_channel("C_HIRING")  # strict mode: DMs must still work
    first = await client.conversations_open(users="U_ANA")
    second = await client.conversations_open(users=["U_ANA"])
    dm = first["channel"]["id"]
    assert dm.startswith("D")
    assert second["channel"]["id"] == dm
    assert second["already_open"] is True
    assert (await client.chat_postMessage(channel=dm, text="Your kit"))["channel"] == dm
    assert (await client.chat_postMessage(channel="U_ANA", text="Reminder"))["channel"] == dm
    other = await client.conversations_open(users="U_BEN")
    assert other["channel"]["id"] != dm

    fake.add_user("U_GONE", deleted=True)
    gone = client.conversations_open(users="U_GONE")
    assert (await slack_error(gone)).response["error"] == "user_disabled"


async def test_users_info(fake: FakeSlack, client: AsyncWebClient) -> None:
    fake.add_user("U_ANA", name="ana", real_name="Ana Lima", tz="Europe/Berlin", tz_offset=3600)
    user = (await client.users_info(user="U_ANA"))["user"]
    assert {k: user[k] for k in ("id", "name", "real_name", "tz", "tz_offset", "is_bot")} == {
        "id": "U_ANA",
        "name": "ana",
        "real_name": "Ana Lima",
        "tz": "Europe/Berlin",
        "tz_offset": 3600,
        "is_bot": False,
    }
    assert user["deleted"] is False
    assert (await client.users_info(user="UBOT"))["user"]["is_bot"] is True
    missing = client.users_info(user="U_NOBODY")
    assert (await slack_error(missing)).response["error"] == "user_not_found"


# ------------------------------------------------------------------ views and triggers


async def test_views_open_answers_the_stored_view(fake: FakeSlack, client: AsyncWebClient) -> None:
    sent = modal(text_input(), private_metadata='{"candidate": 7}')
    view = (await client.views_open(trigger_id=fake.new_trigger_id(), view=sent))["view"]
    assert re.fullmatch(r"V[0-9A-Z]+", view["id"])
    assert view["hash"]
    assert view["state"] == {"values": {}}
    assert view["root_view_id"] == view["id"]
    for key in ("type", "callback_id", "private_metadata", "title", "submit", "blocks"):
        assert view[key] == sent[key]
    # slack_sdk sends views.open as JSON; the view arrives as an object either way.
    assert fake.calls_to("views.open")[0].args["view"] == sent


async def test_views_update_and_publish(fake: FakeSlack, client: AsyncWebClient) -> None:
    opened = (await client.views_open(trigger_id=fake.new_trigger_id(), view=modal()))["view"]
    updated = await client.views_update(
        view_id=opened["id"], hash=opened["hash"], view=modal(section("Saved"))
    )
    assert updated["view"]["id"] == opened["id"]
    assert updated["view"]["blocks"] == [section("Saved")]
    stale = client.views_update(view_id=opened["id"], hash=opened["hash"], view=modal())
    assert (await slack_error(stale)).response["error"] == "hash_conflict"
    missing = client.views_update(view_id="V404", view=modal())
    assert (await slack_error(missing)).response["error"] == "not_found"

    home = {"type": "home", "blocks": [section("Pipeline")]}
    published = (await client.views_publish(user_id="U_HM", view=home))["view"]
    again = (await client.views_publish(user_id="U_HM", view=home))["view"]
    assert published["type"] == "home"
    assert again["id"] == published["id"]
    as_modal = client.views_publish(user_id="U_HM", view=modal())
    assert (await slack_error(as_modal)).response["error"] == "invalid_arguments"


async def test_view_over_limits_is_invalid_arguments(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    too_long = modal(title=plain("t" * 25))
    error = await slack_error(client.views_open(trigger_id=fake.new_trigger_id(), view=too_long))
    assert error.response.data == {
        "ok": False,
        "error": "invalid_arguments",
        "response_metadata": {
            "messages": ["[ERROR] must be less than 25 characters [json-pointer:/view/title/text]"]
        },
    }


async def test_trigger_ids_expire_and_are_single_use(
    fake: FakeSlack, client: AsyncWebClient, clock: ManualClock
) -> None:
    stale = fake.new_trigger_id()
    clock.advance(3.5)
    expired = client.views_open(trigger_id=stale, view=modal())
    assert (await slack_error(expired)).response["error"] == "expired_trigger_id"

    fresh = fake.new_trigger_id()
    clock.advance(2.9)
    assert (await client.views_open(trigger_id=fresh, view=modal()))["ok"]
    reused = client.views_push(trigger_id=fresh, view=modal())
    assert (await slack_error(reused)).response["error"] == "exchanged_trigger_id"
    made_up = client.views_open(trigger_id="12345.98765.abcd2358fdea", view=modal())
    assert (await slack_error(made_up)).response["error"] == "invalid_trigger_id"


# ------------------------------------------------------------------ failures and rate limits


async def test_queued_failures(fake: FakeSlack, client: AsyncWebClient) -> None:
    fake.fail("chat.postMessage", "not_in_channel")
    fake.fail("conversations.open", "cannot_dm_bot", when=lambda a: a["users"] == "U9", times=2)
    fake.fail("chat.update", "ratelimited", status=429, headers={"Retry-After": "7"})

    first = client.chat_postMessage(channel="C1", text="hi")
    assert (await slack_error(first)).response["error"] == "not_in_channel"
    assert (await client.chat_postMessage(channel="C1", text="hi"))["ok"]

    assert (await client.conversations_open(users="U1"))["ok"]
    for _ in range(2):
        bot = client.conversations_open(users="U9")
        assert (await slack_error(bot)).response["error"] == "cannot_dm_bot"
    assert (await client.conversations_open(users="U9"))["ok"]

    limited = await slack_error(client.chat_update(channel="C1", ts="1.0", text="x"))
    assert limited.response.status_code == 429
    assert limited.response.headers["Retry-After"] == "7"


async def test_rate_limit_answers_429_with_retry_after(
    fake: FakeSlack, client: AsyncWebClient, clock: ManualClock
) -> None:
    fake.rate_limit("chat.postMessage", per_channel_per_second=1)
    assert (await client.chat_postMessage(channel="C1", text="1"))["ok"]
    error = await slack_error(client.chat_postMessage(channel="C1", text="2"))
    assert error.response.status_code == 429
    assert error.response.headers["Retry-After"] == "1"
    assert error.response.data == {"ok": False, "error": "ratelimited"}
    clock.advance(0.5)  # half a request earned: still refused, and never "Retry-After: 0"
    half = await slack_error(client.chat_postMessage(channel="C1", text="2"))
    assert half.response.headers["Retry-After"] == "1"
    assert (await client.chat_postMessage(channel="C2", text="other channel"))["ok"]
    clock.advance(0.5)
    assert (await client.chat_postMessage(channel="C1", text="3"))["ok"]

    fake.rate_limit("chat.update", per_channel_per_second=0.25)
    ts = fake.add_message("C1", text="x")
    assert (await client.chat_update(channel="C1", ts=ts, text="y"))["ok"]
    slow = await slack_error(client.chat_update(channel="C1", ts=ts, text="z"))
    assert slow.response.headers["Retry-After"] == "4"


# ------------------------------------------------------------------ response_url


async def test_response_url_posts_are_recorded_and_checked(fake: FakeSlack) -> None:
    url = fake.response_url()
    webhook = AsyncWebhookClient(url)
    sent = await webhook.send(text="Usage: /mlops-candidate new", response_type="ephemeral")
    assert (sent.status_code, sent.body) == (200, "ok")

    refused = await webhook.send(text="x", blocks=[section() for _ in range(51)])
    assert (refused.status_code, refused.body) == (400, "invalid_blocks")
    empty = await webhook.send(response_type="ephemeral")
    assert (empty.status_code, empty.body) == (400, "no_text")

    first, second, third = fake.calls_to("response_url")
    assert first.args == {"text": "Usage: /mlops-candidate new", "response_type": "ephemeral"}
    assert first.response == {"ok": True}
    assert second.response["errors"] == ["no more than 50 items allowed [json-pointer:/blocks]"]
    assert third.response["error"] == "no_text"
    assert fake.response_url() != url


# ------------------------------------------------------------------ Socket Mode


async def test_socket_mode_says_hello_and_returns_the_ack(fake: FakeSlack) -> None:
    opened = await AsyncWebClient(base_url=fake.api_url).apps_connections_open(
        app_token=fake.app_token
    )
    assert opened["url"].startswith(f"ws://{fake.base_url.removeprefix('http://')}/socket/")
    with pytest.raises(RuntimeError, match="no Socket Mode client"):
        await fake.send_envelope("events_api", {})

    async with aiohttp.ClientSession() as session, session.ws_connect(opened["url"]) as socket:
        hello = await socket.receive_json()
        assert hello["type"] == "hello"
        assert hello["num_connections"] == 1
        assert hello["connection_info"] == {"app_id": "A0TEST"}
        await fake.wait_connected(timeout=1)

        async def ack_next() -> None:
            envelope = await socket.receive_json()
            assert envelope["accepts_response_payload"] is False
            assert envelope["payload"] == {"type": "event_callback"}
            await socket.send_json({"envelope_id": envelope["envelope_id"]})

        acking = asyncio.ensure_future(ack_next())
        ack = await fake.send_envelope("events_api", {"type": "event_callback"}, timeout=1)
        await acking
        assert set(ack) == {"envelope_id"}


async def test_bolt_app_in_socket_mode_acks_a_slash_command(fake: FakeSlack) -> None:
    app = AsyncApp(client=AsyncWebClient(token=fake.bot_token, base_url=fake.api_url))

    @app.command("/mlops-candidate")
    async def command(ack: Any, command: dict[str, Any]) -> None:
        await ack(f"Unknown subcommand `{command['text']}`")

    handler = AsyncSocketModeHandler(app, app_token=fake.app_token)
    await handler.connect_async()
    try:
        await fake.wait_connected()
        payload = slash_command_payload(
            "frobnicate", trigger_id=fake.new_trigger_id(), response_url=fake.response_url()
        )
        ack = await fake.send_envelope("slash_commands", payload)
    finally:
        await handler.close_async()

    assert ack["payload"] == {"text": "Unknown subcommand `frobnicate`"}
    assert [c.token for c in fake.calls_to("apps.connections.open")] == [fake.app_token]


# ------------------------------------------------------------------ signed requests into bolt


@asynccontextmanager
async def serving(app: AsyncApp) -> AsyncIterator[str]:
    """Run ``app`` over real HTTP on an ephemeral port; yield its events URL."""
    runner = web.AppRunner(app.web_app(path="/slack/events"))
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    host, port = runner.addresses[0][:2]
    try:
        yield f"http://{host}:{port}/slack/events"
    finally:
        await runner.cleanup()


@pytest.fixture
def bolt_app(fake: FakeSlack) -> AsyncApp:
    return AsyncApp(
        client=AsyncWebClient(token=fake.bot_token, base_url=fake.api_url),
        signing_secret=SIGNING_SECRET,
        process_before_response=True,
    )


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as opened:
        yield opened


def test_signed_headers_verify_with_slack_sdk() -> None:
    body = slash_command("help", trigger_id="1.2.3", response_url="https://example.test/r")
    headers = signed_headers(body, SIGNING_SECRET, content_type="application/x-www-form-urlencoded")
    verifier = SignatureVerifier(SIGNING_SECRET)
    assert verifier.is_valid_request(body, headers)
    assert not SignatureVerifier("another-secret").is_valid_request(body, headers)
    assert headers["Content-Type"] == "application/x-www-form-urlencoded"


def test_slash_command_body_has_slacks_fields_in_order() -> None:
    body = slash_command(
        "new Jane Doe", trigger_id="1.2.3", response_url="https://example.test/r", user_name="ana"
    )
    fields = parse_qsl(body)
    assert [name for name, _ in fields] == [
        "token",
        "team_id",
        "team_domain",
        "channel_id",
        "channel_name",
        "user_id",
        "user_name",
        "command",
        "text",
        "api_app_id",
        "is_enterprise_install",
        "response_url",
        "trigger_id",
    ]
    assert dict(fields)["text"] == "new Jane Doe"
    assert "command=%2Fmlops-candidate" in body


def test_state_value_helpers_build_slacks_shapes() -> None:
    when = datetime(2024, 11, 28, 14, 30, tzinfo=UTC)
    values = (
        text_value("name", "Jane")
        | url_value("profile", "https://example.test/jane")
        | number_value("years", 7)
        | select_value("level", "senior", "Senior")
        | radio_value("overall", "3")
        | checkboxes_value("flags", ["no_monitoring", ("blame", "Blames others")])
        | user_value("manager", "U_HM")
        | users_value("panel", ["U1", "U2"])
        | datetime_value("starts", when)
    )
    assert values == {
        "name": {"type": "plain_text_input", "value": "Jane"},
        "profile": {"type": "url_text_input", "value": "https://example.test/jane"},
        "years": {"type": "number_input", "value": "7"},
        "level": {
            "type": "static_select",
            "selected_option": {
                "text": {"type": "plain_text", "text": "Senior", "emoji": True},
                "value": "senior",
            },
        },
        "overall": {
            "type": "radio_buttons",
            "selected_option": {
                "text": {"type": "plain_text", "text": "3", "emoji": True},
                "value": "3",
            },
        },
        "flags": {
            "type": "checkboxes",
            "selected_options": [
                {"text": plain("no_monitoring") | {"emoji": True}, "value": "no_monitoring"},
                {"text": plain("Blames others") | {"emoji": True}, "value": "blame"},
            ],
        },
        "manager": {"type": "users_select", "selected_user": "U_HM"},
        "panel": {"type": "multi_users_select", "selected_users": ["U1", "U2"]},
        "starts": {"type": "datetimepicker", "selected_date_time": 1732804200},
    }  # fmt: skip
    assert select_value("level", None) == {
        "level": {"type": "static_select", "selected_option": None}
    }
    with pytest.raises(ValueError, match="aware"):
        datetime_value("starts", datetime(2024, 11, 28, 14, 30))


async def test_signed_slash_command_drives_bolt_which_opens_a_modal(
    fake: FakeSlack, bolt_app: AsyncApp, session: aiohttp.ClientSession
) -> None:
    @bolt_app.command("/mlops-candidate")
    async def command(ack: Any, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        await client.views_open(trigger_id=body["trigger_id"], view=modal(text_input()))

    trigger_id = fake.new_trigger_id()
    body = slash_command("new", trigger_id=trigger_id, response_url=fake.response_url())
    async with serving(bolt_app) as url:
        assert await post(session, url, body, SIGNING_SECRET) == (200, "")
        assert (await post(session, url, body, "wrong-secret"))[0] == 401
        old = await post(session, url, body, SIGNING_SECRET, timestamp=int(START))
        assert old[0] == 401  # more than 5 minutes off

    (opened,) = fake.calls_to("views.open")
    assert opened.args["trigger_id"] == trigger_id
    assert opened.response["ok"] is True


async def test_view_submission_and_closed_reach_bolt_with_slacks_state_shape(
    fake: FakeSlack, bolt_app: AsyncApp, session: aiohttp.ClientSession
) -> None:
    seen: list[dict[str, Any]] = []

    @bolt_app.view("new_candidate")
    async def submitted(ack: Any, view: dict[str, Any]) -> None:
        seen.append(view)
        await ack(response_action="errors", errors={"name": "Name is required"})

    @bolt_app.view_closed("new_candidate")
    async def closed(ack: Any, body: dict[str, Any]) -> None:
        seen.append(body)
        await ack()

    sent = modal(text_input(), private_metadata='{"candidate": 7}', notify_on_close=True)
    opened = (
        await AsyncWebClient(token=fake.bot_token, base_url=fake.api_url).views_open(
            trigger_id=fake.new_trigger_id(), view=sent
        )
    )["view"]
    submission = view_submission(
        user_id="U_HM", view=opened, values={"name": text_value("name", None)}
    )
    async with serving(bolt_app) as url:
        status, answer = await post(session, url, submission, SIGNING_SECRET)
        assert (status, answer) == (
            200,
            {"response_action": "errors", "errors": {"name": "Name is required"}},
        )
        closing = view_closed(user_id="U_HM", view=opened)
        assert await post(session, url, closing, SIGNING_SECRET) == (200, "")

    submitted_view, closed_body = seen
    assert submitted_view["id"] == opened["id"]
    assert submitted_view["private_metadata"] == '{"candidate": 7}'
    assert submitted_view["state"]["values"] == {
        "name": {"name": {"type": "plain_text_input", "value": None}}
    }
    assert closed_body["type"] == "view_closed"


async def test_block_actions_events_and_url_verification_reach_bolt(
    fake: FakeSlack, bolt_app: AsyncApp, session: aiohttp.ClientSession, client: AsyncWebClient
) -> None:
    clicks: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []

    @bolt_app.action("advance")
    async def clicked(ack: Any, body: dict[str, Any], action: dict[str, Any]) -> None:
        clicks.append({"action": action, "container": body["container"]})
        await ack()

    @bolt_app.event("app_home_opened")
    async def home(event: dict[str, Any]) -> None:
        events.append(event)

    posted = await client.chat_postMessage(channel="C1", text="Jane", blocks=[actions(button())])
    click = block_actions(
        user_id="U_HM",
        action_id="advance",
        value="candidate:7",
        trigger_id=fake.new_trigger_id(),
        channel_id="C1",
        message=posted["message"],
        response_url=fake.response_url(),
    )
    event = {"type": "app_home_opened", "user": "U_HM", "channel": "D1", "tab": "home"}
    async with serving(bolt_app) as url:
        assert (await post(session, url, click, SIGNING_SECRET))[0] == 200
        assert (await post(session, url, event_callback(event), SIGNING_SECRET))[0] == 200
        challenge = await post(session, url, url_verification("c-123"), SIGNING_SECRET)
        assert challenge == (200, {"challenge": "c-123"})

    (clicked_once,) = clicks
    assert clicked_once["action"]["value"] == "candidate:7"
    assert clicked_once["action"]["type"] == "button"
    assert clicked_once["container"] == {
        "type": "message",
        "message_ts": posted["ts"],
        "channel_id": "C1",
        "is_ephemeral": False,
    }
    assert events == [event]


# --------------------------------------------------------------------- what a client shows


async def test_a_view_returned_in_an_ack_is_checked_like_views_update() -> None:
    fake = FakeSlack()
    modal = {"type": "modal", "title": {"type": "plain_text", "text": "Form"}, "blocks": []}
    stored = fake.accept_view(modal)
    assert fake.view(stored["id"]) == stored
    replaced = fake.accept_view(modal | {"blocks": [{"type": "divider"}]}, view_id=stored["id"])
    assert replaced["id"] == stored["id"] and replaced["hash"] != "" and replaced["blocks"]
    too_many = modal | {"blocks": [{"type": "divider"}] * 101}
    with pytest.raises(SlackError) as refused:
        fake.accept_view(too_many, view_id=stored["id"])
    assert refused.value.body["error"] == "invalid_arguments"
    assert fake.view(stored["id"])["blocks"] == [{"type": "divider"}]  # unchanged
    with pytest.raises(SlackError):
        fake.accept_view(modal | {"type": "home"})


def test_a_dm_opened_for_a_client_is_the_one_the_bot_posts_to() -> None:
    fake = FakeSlack()
    assert fake.dm_channel("U0ANA") is None
    dm = fake.open_dm("U0ANA")
    assert dm.startswith("D") and fake.open_dm("U0ANA") == dm == fake.dm_channel("U0ANA")
    assert fake.user("U0NOBODY") is None and fake.home_view("U0ANA") is None
