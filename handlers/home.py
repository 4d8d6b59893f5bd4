"""The App Home tab: the user's next interviews, the scorecards they owe, the commands, and
for the hiring team the pipeline (someone outside it sees only their own interviews)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.candidates import PipelineGroup, pipeline
from bot.context import BotContext
from bot.hiring_team import team_only_text
from bot.home import HomeInterview, HomeSummary, home_summary
from handlers.block_kit import Block, context, divider, header, packed_sections, section
from handlers.commands import usages
from handlers.help_blocks import help_blocks
from handlers.mrkdwn import date_token, escape, link
from handlers.team_access import in_team
from storage.models import Candidate

INTRO = (
    "I run the interview loop for hiring MLOps engineers: one thread per candidate in "
    "{channel}, interview kits by DM, independent scorecards, debrief summaries, decisions "
    "on the record, reminders that respect working hours, and a daily digest."
)
# Lines per list: the tab stays short.
SHOWN = 10


def _name(candidate: Candidate) -> str:
    name = candidate.name
    return link(candidate.permalink, name) if candidate.permalink else escape(name)


def _line(item: HomeInterview) -> str:
    stage = escape(item.stage.short_title) if item.stage else escape(item.interview.stage_key)
    who = _name(item.candidate)
    return f"• {date_token(item.interview.starts_at)}: *{stage}* interview with {who}"


def _listing(title: str, items: Sequence[HomeInterview], empty: str) -> list[Block]:
    """The title and a line per item, in as many sections as long names need."""
    lines = [_line(item) for item in items[:SHOWN]] or [f"_{empty}_"]
    if len(items) > SHOWN:
        lines.append(f"_and {len(items) - SHOWN} more_")
    return packed_sections([f"*{title}*", *lines])


def pipeline_blocks(groups: Sequence[PipelineGroup]) -> list[Block]:
    """Open candidates by stage, a few names each, linked to their threads."""
    lines = []
    for group in groups[:SHOWN]:
        names = ", ".join(_name(candidate) for candidate in group.candidates[:SHOWN])
        more = len(group.candidates) - SHOWN
        tail = f" _and {more} more_" if more > 0 else ""
        lines.append(f"• *{escape(group.title)}* ({len(group.candidates)}): {names}{tail}")
    return packed_sections(["*Pipeline*", *(lines or ["_No open candidates._"])])


def home_view(
    hiring_channel_id: str,
    usages: Sequence[tuple[str, str]],
    summary: HomeSummary,
    *,
    groups: Sequence[PipelineGroup] | None,
    admins: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """``groups`` None: the user is outside the hiring team and sees no pipeline."""
    intro = INTRO.format(channel=f"<#{hiring_channel_id}>")
    team_part = (
        pipeline_blocks(groups)
        if groups is not None
        else [context(team_only_text(hiring_channel_id, admins))]
    )
    return {
        "type": "home",
        "blocks": [
            header("MLOps hiring"),
            section(intro),
            *_listing("Your next interviews", summary.upcoming, "No interviews coming up."),
            *_listing("Scorecards you owe", summary.owed, "None: you are up to date."),
            *team_part,
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
    bot: BotContext = context["bot"]
    user_id = str(event["user"])
    member = await in_team(bot, client, user_id)
    summary = await home_summary(bot, user_id)
    groups = None
    if member:
        async with bot.sessions() as session:
            groups = await pipeline(session, bot.kits, include_closed=False)
    view = home_view(
        bot.settings.hiring_channel_id,
        usages(in_team=member),
        summary,
        groups=groups,
        admins=bot.settings.hiring_admins,
    )
    await client.views_publish(user_id=user_id, view=view)


def register(app: AsyncApp) -> None:
    app.event("app_home_opened")(on_home_opened)
