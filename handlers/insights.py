"""``/mlops-candidate insights`` and the insights DMs: the message, then each chart as a
PNG in the same DM with its summary and alt text."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import outbox
from bot.charts import render_png
from bot.context import BotContext
from bot.insight_charts import INTERVIEWERS_CHARTED, Chart, own_charts, team_charts
from bot.insights import OwnInsights, TeamInsights, may_read_team_insights, team_insights
from handlers.command_call import CommandCall
from handlers.insights_blocks import own_insights_message, team_insights_message
from handlers.mrkdwn import escape_clipped
from storage.db import transaction

COMMENT_LIMIT = 3000


async def run_insights(call: CommandCall) -> None:
    bot = call.bot
    if not await may_read_team_insights(bot, call.user_id):
        admins = ", ".join(f"<@{user}>" for user in sorted(bot.settings.hiring_admins))
        ask = f" Ask {admins}." if admins else " Ask a hiring manager."
        await call.ephemeral(
            "Only hiring managers and admins can read the team's insights; your own "
            "calibration is on your App Home once you have five scorecards, and comes by "
            f"DM each month.{ask}"
        )
        return
    # Building and drawing take a moment: acknowledge first, deliver after.
    await call.ephemeral("Putting the team's insights together: they arrive in our DM shortly.")
    dm = await team_insights_dm(call.client, await team_insights(bot))
    async with transaction(bot.sessions) as session:
        await dm.queue(session, bot, call.user_id)


async def display_names(client: AsyncWebClient, user_ids: Iterable[str]) -> dict[str, str]:
    """Each user's display name, for chart labels (a PNG cannot show a mention); the id
    when the profile cannot be read."""
    names: dict[str, str] = {}
    for user_id in dict.fromkeys(user_ids):
        try:
            user = (await client.users_info(user=user_id)).get("user") or {}
        except (SlackApiError, TimeoutError, aiohttp.ClientError):
            user = {}
        profile = user.get("profile") or {}
        names[user_id] = str(
            profile.get("display_name") or user.get("real_name") or user.get("name") or user_id
        )
    return names


@dataclass(frozen=True)
class InsightsDm:
    """An insights DM rendered and its charts drawn, before any transaction: queueing it
    for each recipient only inserts rows (``bot.notifier.Outgoing``)."""

    text: str
    blocks: list[dict[str, Any]]
    charts: tuple[tuple[Chart, bytes], ...]

    async def queue(self, session: AsyncSession, bot: BotContext, recipient_id: str) -> None:
        """The message, then each chart as a PNG in the same DM with its summary and alt
        text; the outbox sends them in this order."""
        await outbox.dm(session, bot, recipient_id, self.text, self.blocks)
        for chart, png in self.charts:
            await outbox.upload(
                session,
                bot,
                recipient_id,
                content=png,
                filename=f"insights-{chart.key}.png",
                title=chart.data.title,
                initial_comment=chart_comment(chart),
                alt_text=chart.alt_text,
            )


async def team_insights_dm(client: AsyncWebClient, insights: TeamInsights) -> InsightsDm:
    charted = [c.interviewer_id for c in insights.calibrations[:INTERVIEWERS_CHARTED]]
    charts = team_charts(insights, await display_names(client, charted))
    text, blocks = team_insights_message(insights)
    return InsightsDm(text, blocks, await _drawn(charts))


async def own_insights_dm(insights: OwnInsights) -> InsightsDm:
    text, blocks = own_insights_message(insights)
    return InsightsDm(text, blocks, await _drawn(own_charts(insights)))


def chart_comment(chart: Chart) -> str:
    """The chart's summary as the upload's comment: it names people and kit texts, so it is
    escaped for mrkdwn and clipped."""
    return escape_clipped(chart.summary, COMMENT_LIMIT)


async def _drawn(charts: Sequence[Chart]) -> tuple[tuple[Chart, bytes], ...]:
    # Drawing is CPU work: keep the event loop free meanwhile.
    return tuple([(chart, await asyncio.to_thread(render_png, chart.data)) for chart in charts])
