"""``bot.notifier.Notifier`` through Slack's Web API: what the scheduled jobs send."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.clock import Clock
from bot.context import BotContext
from bot.digest import Digest
from bot.insights import OwnInsights, TeamInsights
from bot.notifier import SendResult
from bot.privacy import Erasure
from bot.reminders import ReminderMessage, zone_named
from bot.retention import RetentionNotice
from handlers.candidate_thread import thread_link
from handlers.digest_blocks import digest_blocks, digest_summary
from handlers.home import refresh_home
from handlers.insights import deliver_own_insights, deliver_team_insights
from handlers.privacy import delete_bot_messages
from handlers.reminder_blocks import reminder_blocks
from handlers.retention_blocks import retention_warning_dm
from handlers.team_access import SlackMembers

logger = logging.getLogger(__name__)

# Profiles rarely change zone; an hour keeps a travelling user's reminders close to right
# without a users.info call per reminder.
TIMEZONE_TTL = timedelta(hours=1)
# Worth another attempt later: Slack is busy or down, or the connection dropped. Anything
# else (account_inactive, user_not_found, cannot_dm_bot, user_disabled …) will not mend.
RETRYABLE_ERRORS = frozenset(
    {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
)


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
            logger.warning("users.info for %s failed: %s", user_id, _error_code(error))
            return None
        except (TimeoutError, aiohttp.ClientError):
            return None
        zone = (response.get("user") or {}).get("tz")
        self._zones[user_id] = (zone, now)
        return zone

    async def deliver_reminder(self, message: ReminderMessage) -> SendResult:
        text, blocks = reminder_blocks(message, thread_link(message.candidate))
        return await self._post(
            channel=message.recipient_id, text=text, blocks=blocks, unfurl_links=False
        )

    async def post_digest(self, digest: Digest, channel_id: str) -> SendResult:
        return await self._post(
            channel=channel_id,
            text=digest_summary(digest),
            blocks=digest_blocks(digest),
            unfurl_links=False,
        )

    async def retention_warning(self, notice: RetentionNotice) -> SendResult:
        text, blocks = retention_warning_dm(notice)
        return await self._post(
            channel=notice.candidate.hiring_manager_id,
            text=text,
            blocks=blocks,
            unfurl_links=False,
        )

    async def channel_members(self, channel_id: str) -> frozenset[str]:
        return await SlackMembers(self._client).channel_members(channel_id)

    async def send_team_insights(self, recipient_id: str, insights: TeamInsights) -> SendResult:
        return await deliver_team_insights(self._client, recipient_id, insights)

    async def send_own_insights(self, insights: OwnInsights) -> SendResult:
        return await deliver_own_insights(self._client, insights)

    async def delete_messages(self, erasure: Erasure) -> tuple[int, list[str]]:
        if self._bot_user_id is None:
            # The thread's replies are the bot's own when posted under its user id.
            self._bot_user_id = str((await self._client.auth_test())["user_id"])
        return await delete_bot_messages(self._client, erasure, self._bot_user_id)

    async def publish_home(self, bot: BotContext, user_id: str) -> bool:
        try:
            await refresh_home(self._client, bot, user_id)
        except SlackApiError as error:
            logger.warning("App Home of %s not refreshed: %s", user_id, _error_code(error))
            return False
        except (TimeoutError, aiohttp.ClientError) as error:
            logger.warning("App Home of %s not refreshed: %s", user_id, type(error).__name__)
            return False
        return True

    async def _post(self, **arguments: Any) -> SendResult:
        try:
            response = await self._client.chat_postMessage(**arguments)
        except SlackApiError as error:
            code = _error_code(error)
            status = error.response.status_code
            retryable = code in RETRYABLE_ERRORS or status == 429 or status >= 500
            return SendResult(ok=False, error=code, retryable=retryable)
        except (TimeoutError, aiohttp.ClientError) as error:
            return SendResult(ok=False, error=type(error).__name__, retryable=True)
        return SendResult(ok=True, ts=response.get("ts"), channel=response.get("channel"))


def _error_code(error: SlackApiError) -> str:
    body = error.response.data if isinstance(error.response.data, dict) else {}
    return str(body.get("error") or f"http_{error.response.status_code}")
