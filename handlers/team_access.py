"""The hiring team's boundary in Slack: reading the hiring channel's members, keeping them
current from its join and leave events, and the checks every listener makes (a button
raises the refusal for the error handler to show; a modal's submission shows it in place
through ``handlers.modals.refuse_submission``).

The rule itself (who is on the team, the one refusal) is ``bot.hiring_team``; this module
is where Slack answers it.
"""

from __future__ import annotations

from typing import Any

import aiohttp
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.context import BotContext
from bot.hiring_team import MembersUnavailable
from bot.slack_client import error_code
from handlers.refs import Ref, ref_id
from storage.interviews import sits_on_panel

# conversations.members pages: Slack's largest page, so a big channel costs few calls.
PAGE_SIZE = 1000


class SlackMembers:
    """``bot.hiring_team.MemberSource`` through ``conversations.members``, every page."""

    def __init__(self, client: AsyncWebClient) -> None:
        self._client = client

    async def channel_members(self, channel_id: str) -> frozenset[str]:
        members: set[str] = set()
        try:
            # slack_sdk follows response_metadata.next_cursor for us.
            async for page in await self._client.conversations_members(
                channel=channel_id, limit=PAGE_SIZE
            ):
                members.update(str(member) for member in page.get("members", []))
        except SlackApiError as error:
            raise MembersUnavailable(error_code(error)) from error
        except (TimeoutError, aiohttp.ClientError) as error:
            raise MembersUnavailable(type(error).__name__) from error
        return frozenset(members)


async def channel_warning(client: AsyncWebClient, channel_id: str) -> str | None:
    """One line for the operator when the hiring channel is public (names, decisions and red
    flags there are readable by the whole workspace) or cannot be read; None when private."""
    try:
        response = await client.conversations_info(channel=channel_id)
    except SlackApiError as error:
        return (
            f"warning: cannot read HIRING_CHANNEL_ID={channel_id}: Slack answers "
            f"{error_code(error)}; invite the bot if the channel is private"
        )
    except (TimeoutError, aiohttp.ClientError) as error:
        return f"warning: cannot check HIRING_CHANNEL_ID={channel_id}: {type(error).__name__}"
    channel = response.get("channel") or {}
    if channel.get("is_private"):
        return None
    return (
        f"warning: the hiring channel {channel_id} (#{channel.get('name', '?')}) is public: "
        "candidates' names, decisions and red flags in it are readable by the whole "
        "workspace; make it private (channel settings > Change to a private channel)"
    )


async def in_team(bot: BotContext, client: AsyncWebClient, user_id: str) -> bool:
    return await bot.team.includes(user_id, SlackMembers(client))


async def require_team(bot: BotContext, client: AsyncWebClient, user_id: str) -> None:
    """OutsideTeam (shown as the one refusal line) unless ``user_id`` is on the team."""
    await bot.team.require(user_id, SlackMembers(client))


async def require_team_or_panel(
    bot: BotContext,
    client: AsyncWebClient,
    user_id: str,
    *,
    interview_id: int | None = None,
    candidate_id: int | None = None,
) -> None:
    """The team, or an interviewer of that interview (of any interview of that candidate):
    someone outside the team acts on their own interviews only."""
    if await in_team(bot, client, user_id):
        return
    async with bot.sessions() as session:
        seated = await sits_on_panel(
            session, user_id, interview_id=interview_id, candidate_id=candidate_id
        )
    if not seated:
        raise bot.team.refusal()


async def on_member_joined(
    event: dict[str, Any],
    bot: BotContext,
) -> None:
    bot.team.joined(str(event.get("channel", "")), str(event.get("user", "")))


async def on_member_left(
    event: dict[str, Any],
    bot: BotContext,
) -> None:
    bot.team.left(str(event.get("channel", "")), str(event.get("user", "")))


def register(app: AsyncApp) -> None:
    app.event("member_joined_channel")(on_member_joined)
    app.event("member_left_channel")(on_member_left)


async def interview_of_button(
    bot: BotContext, client: AsyncWebClient, user_id: str, action: dict[str, Any]
) -> int:
    """The interview a button names, once ``user_id`` may act on it: the team, or its
    panel."""
    interview_id = ref_id(action.get("value"), Ref.INTERVIEW)
    await require_team_or_panel(bot, client, user_id, interview_id=interview_id)
    return interview_id
