"""``/mlops-candidate insights`` and the insights DMs: the message, then each chart as a
PNG in the same DM with its summary and alt text."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.charts import render_png
from bot.insight_charts import INTERVIEWERS_CHARTED, Chart, own_charts, team_charts
from bot.insights import OwnInsights, TeamInsights, may_read_team_insights, team_insights
from bot.notifier import SendResult
from handlers.dm_files import upload_to_dm
from handlers.insights_blocks import own_insights_message, team_insights_message
from handlers.mrkdwn import escape_clipped
from handlers.schedule import send_dm

if TYPE_CHECKING:
    # The command table imports this module to route to it.
    from handlers.commands import CommandCall

logger = logging.getLogger(__name__)

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
    result = await deliver_team_insights(call.client, call.user_id, await team_insights(bot))
    if not result.ok:
        await call.respond(
            text=f":warning: The insights could not be sent to you: `{result.error}`.",
            response_type="ephemeral",
        )


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


async def deliver_team_insights(
    client: AsyncWebClient, recipient_id: str, insights: TeamInsights
) -> SendResult:
    charted = [c.interviewer_id for c in insights.calibrations[:INTERVIEWERS_CHARTED]]
    charts = team_charts(insights, await display_names(client, charted))
    text, blocks = team_insights_message(insights)
    return await _deliver(client, recipient_id, text, blocks, charts)


async def deliver_own_insights(client: AsyncWebClient, insights: OwnInsights) -> SendResult:
    text, blocks = own_insights_message(insights)
    return await _deliver(client, insights.interviewer_id, text, blocks, own_charts(insights))


def chart_comment(chart: Chart) -> str:
    """The chart's summary as the upload's comment: it names people and kit texts, so it is
    escaped for mrkdwn and clipped."""
    return escape_clipped(chart.summary, COMMENT_LIMIT)


async def _deliver(
    client: AsyncWebClient,
    recipient_id: str,
    text: str,
    blocks: list[dict[str, Any]],
    charts: Sequence[Chart],
) -> SendResult:
    sent = await send_dm(client, recipient_id, text, blocks)
    if sent.error is not None:
        return SendResult(ok=False, error=sent.error)
    for chart in charts:
        # Drawing is CPU work: keep the event loop free meanwhile.
        png = await asyncio.to_thread(render_png, chart.data)
        try:
            await upload_to_dm(
                client,
                recipient_id,
                content=png,
                filename=f"insights-{chart.key}.png",
                title=chart.data.title,
                initial_comment=chart_comment(chart),
                alt_text=chart.alt_text,
            )
        except SlackApiError as error:
            # The figures are in the message's tables; a chart that did not go is logged.
            logger.warning(
                "insights chart %s to %s not uploaded: %s",
                chart.key,
                recipient_id,
                error.response.get("error"),
            )
    return SendResult(ok=True, ts=sent.ts, channel=sent.channel_id)
