"""``bot.notifier.Notifier`` for Slack: what the scheduled jobs say, rendered as Block Kit
and queued in the outbox; profile time zones read from the Web API."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import outbox
from bot.clock import Clock, zone_named
from bot.context import BotContext
from bot.digest import Digest, digest_candidates
from bot.insights import OwnInsights, TeamInsights
from bot.privacy import Erasure
from bot.reminder_messages import ReminderMessage
from bot.retention import RetentionNotice
from bot.slack_client import error_code
from handlers.candidate_thread import thread_link
from handlers.digest_blocks import digest_blocks, digest_summary
from handlers.home import publish_home
from handlers.insights import InsightsDm, own_insights_dm, team_insights_dm
from handlers.privacy import delete_bot_messages
from handlers.reminder_blocks import reminder_blocks
from handlers.retention_blocks import retention_warning_dm
from handlers.team_access import SlackMembers

logger = logging.getLogger(__name__)

# Profiles rarely change zone; an hour keeps a travelling user's reminders close to right
# without a users.info call per reminder.
TIMEZONE_TTL = timedelta(hours=1)


async def reader_zone(client: AsyncWebClient, bot: BotContext, user_id: str) -> ZoneInfo:
    """The zone of a reader's Slack profile, for text that cannot hold a date token (an
    option's text); the team's zone when the profile cannot be read."""
    name = await SlackNotifier(client, bot.clock).user_timezone(user_id)
    return zone_named(name, bot.settings.timezone)


class SlackNotifier:
    def __init__(self, client: AsyncWebClient, clock: Clock) -> None:
        self._client = client
        self._clock = clock
        self._zones: dict[str, tuple[str | None, datetime]] = {}
        self._bot_user_id: str | None = None

    async def user_timezone(self, user_id: str) -> str | None:
        now = self._clock.now()
        cached = self._zones.get(user_id)
        if cached is not None and now - cached[1] < TIMEZONE_TTL:
            return cached[0]
        try:
            response = await self._client.users_info(user=user_id)
        except SlackApiError as error:
            logger.warning("users.info for %s failed: %s", user_id, error_code(error))
            return None
        except (TimeoutError, aiohttp.ClientError):
            return None
        zone = (response.get("user") or {}).get("tz")
        self._zones[user_id] = (zone, now)
        return zone

    async def queue_reminder(
        self, session: AsyncSession, bot: BotContext, message: ReminderMessage
    ) -> None:
        text, blocks = reminder_blocks(message, thread_link(message.candidate))
        await outbox.dm(
            session, bot, message.recipient_id, text, blocks, candidate_id=message.candidate.id
        )

    async def queue_digest(
        self,
        session: AsyncSession,
        bot: BotContext,
        digest: Digest,
        channel_id: str,
        key: str | None = None,
    ) -> None:
        # Shared by every candidate it names: an erase edits their name out of it.
        await outbox.post(
            session,
            bot,
            channel_id,
            digest_summary(digest),
            digest_blocks(digest),
            key=key,
            mentions=digest_candidates(digest),
        )

    async def queue_retention_warning(
        self, session: AsyncSession, bot: BotContext, notice: RetentionNotice
    ) -> None:
        text, blocks = retention_warning_dm(notice)
        await outbox.dm(
            session,
            bot,
            notice.candidate.hiring_manager_id,
            text,
            blocks,
            candidate_id=notice.candidate.id,
        )

    async def channel_members(self, channel_id: str) -> frozenset[str]:
        return await SlackMembers(self._client).channel_members(channel_id)

    async def team_insights_dm(self, insights: TeamInsights) -> InsightsDm:
        return await team_insights_dm(self._client, insights)

    async def own_insights_dm(self, insights: OwnInsights) -> InsightsDm:
        return await own_insights_dm(insights)

    async def delete_messages(self, bot: BotContext, erasure: Erasure) -> tuple[int, list[str]]:
        if self._bot_user_id is None:
            # The thread's replies are the bot's own when posted under its user id.
            self._bot_user_id = str((await self._client.auth_test())["user_id"])
        return await delete_bot_messages(self._client, bot, erasure, self._bot_user_id)

    async def publish_home(self, bot: BotContext, user_id: str) -> bool:
        return await publish_home(self._client, bot, user_id)
