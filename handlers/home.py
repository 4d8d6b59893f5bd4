"""The App Home tab: the user's next interviews, the scorecards they owe, and the commands."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.calendars import connection_of
from bot.context import BotContext
from bot.home import HomeInterview, HomeSummary, home_summary
from handlers.block_kit import Block, divider, header, packed_sections, section
from handlers.calendar_blocks import calendar_section
from handlers.commands import SUBCOMMANDS
from handlers.help_blocks import help_blocks
from handlers.mrkdwn import date_token, escape, link

INTRO = (
    "I run the interview loop for hiring MLOps engineers: one thread per candidate in "
    "{channel}, interview kits by DM, independent scorecards, debrief summaries, decisions "
    "on the record, reminders that respect working hours, and a daily digest."
)
# Lines per list: the tab stays short.
SHOWN = 10


def _line(item: HomeInterview) -> str:
    stage = escape(item.stage.short_title) if item.stage else escape(item.interview.stage_key)
    name = item.candidate.name
    who = link(item.candidate.permalink, name) if item.candidate.permalink else escape(name)
    return f"• {date_token(item.interview.starts_at)}: *{stage}* interview with {who}"


def _listing(title: str, items: Sequence[HomeInterview], empty: str) -> list[Block]:
    """The title and a line per item, in as many sections as long names need."""
    lines = [_line(item) for item in items[:SHOWN]] or [f"_{empty}_"]
    if len(items) > SHOWN:
        lines.append(f"_and {len(items) - SHOWN} more_")
    return packed_sections([f"*{title}*", *lines])


def home_view(
    hiring_channel_id: str,
    usages: Sequence[tuple[str, str]],
    summary: HomeSummary,
    calendar: Sequence[dict[str, Any]] = (),
) -> dict[str, Any]:
    intro = INTRO.format(channel=f"<#{hiring_channel_id}>")
    return {
        "type": "home",
        "blocks": [
            header("MLOps hiring"),
            section(intro),
            *_listing("Your next interviews", summary.upcoming, "No interviews coming up."),
            *_listing("Scorecards you owe", summary.owed, "None: you are up to date."),
            *calendar,
            divider(),
            *help_blocks(usages),
        ],
    }


async def on_home_opened(
    event: dict[str, Any], client: AsyncWebClient, context: dict[str, Any]
) -> None:
    # The Messages tab opening is the same event; only the Home tab has a view to publish.
    if event.get("tab") != "home":
        return
    await publish_home(client, context["bot"], event["user"])


async def publish_home(
    client: AsyncWebClient, bot: BotContext, user_id: str, calendar_note: str | None = None
) -> None:
    summary = await home_summary(bot, user_id)
    connection = await connection_of(bot, user_id)
    usages = [(s.usage, s.summary) for s in SUBCOMMANDS]
    calendar = calendar_section(connection, calendar_note)
    view = home_view(bot.settings.hiring_channel_id, usages, summary, calendar)
    await client.views_publish(user_id=user_id, view=view)


def register(app: AsyncApp) -> None:
    app.event("app_home_opened")(on_home_opened)
