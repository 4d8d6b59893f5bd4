"""The App Home tab: published when a user opens it, listing every subcommand."""

from __future__ import annotations

import json

from handlers.commands import SUBCOMMANDS
from handlers.home import home_view
from tests.harness import HIRING_CHANNEL, Harness


def home_opened(user_id: str, tab: str = "home") -> dict[str, str]:
    return {
        "type": "app_home_opened",
        "user": user_id,
        "channel": "D0HOME",
        "tab": tab,
        "event_ts": "1764496800.000100",
    }


def test_home_view_names_the_hiring_channel_and_every_subcommand() -> None:
    view = home_view("C0HIRING", [("help", "Show this message"), ("new [name]", "Register")])
    assert view["type"] == "home"
    shown = json.dumps(view["blocks"])
    assert "<#C0HIRING>" in shown
    assert "/mlops-candidate help" in shown and "/mlops-candidate new [name]" in shown


async def test_opening_the_home_tab_publishes_the_home_view(harness: Harness) -> None:
    reply = await harness.event(home_opened("U0ANA"))
    assert reply.status == 200
    [call] = harness.fake.calls_to("views.publish")
    assert call.response["ok"], call.response
    assert call.args["user_id"] == "U0ANA"
    shown = json.dumps(call.args["view"]["blocks"])
    assert f"<#{HIRING_CHANNEL}>" in shown
    for subcommand in SUBCOMMANDS:
        assert f"/mlops-candidate {subcommand.usage}" in shown


async def test_opening_the_messages_tab_publishes_nothing(harness: Harness) -> None:
    reply = await harness.event(home_opened("U0ANA", tab="messages"))
    assert reply.status == 200
    assert harness.fake.calls_to("views.publish") == []
