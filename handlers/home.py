"""The App Home tab: what the bot does, where the hiring happens, and its commands."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from handlers.commands import SUBCOMMANDS
from handlers.help_blocks import help_blocks

INTRO = (
    "I run the interview loop for hiring MLOps engineers: one thread per candidate in "
    "{channel}, interview kits by DM, independent scorecards, debrief summaries, decisions "
    "on the record, reminders that respect working hours, and a daily digest."
)


def home_view(hiring_channel_id: str, usages: Sequence[tuple[str, str]]) -> dict[str, Any]:
    intro = INTRO.format(channel=f"<#{hiring_channel_id}>")
    return {
        "type": "home",
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": "MLOps hiring"}},
            {"type": "section", "text": {"type": "mrkdwn", "text": intro}},
            {"type": "divider"},
            *help_blocks(usages),
        ],
    }


async def on_home_opened(
    event: dict[str, Any], client: AsyncWebClient, context: dict[str, Any]
) -> None:
    # The Messages tab opening is the same event; only the Home tab has a view to publish.
    if event.get("tab") != "home":
        return
    usages = [(s.usage, s.summary) for s in SUBCOMMANDS]
    view = home_view(context["bot"].settings.hiring_channel_id, usages)
    await client.views_publish(user_id=event["user"], view=view)


def register(app: AsyncApp) -> None:
    app.event("app_home_opened")(on_home_opened)
