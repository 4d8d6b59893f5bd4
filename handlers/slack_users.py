"""Who Slack says the picked users are (a person, a bot, deactivated, unknown), with their
profile's zone and email: the one place that asks ``users.info`` for a form's people."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.interviews import MAX_INTERVIEWERS, SlackUser, UserKind
from bot.slack_client import error_code

# Slack's own bot user: users.info does not flag it as a bot.
_SLACKBOT = "USLACKBOT"


async def lookup_users(
    client: AsyncWebClient, user_ids: Sequence[str], *, most: int = MAX_INTERVIEWERS
) -> dict[str, SlackUser]:
    """What Slack says about each picked user, asked once each and all at once. Nothing is
    asked for more than ``most`` users: the count alone is the error then."""
    if len(user_ids) > most:
        return {}
    found = await asyncio.gather(*(_lookup_user(client, user_id) for user_id in set(user_ids)))
    return {user.id: user for user in found}


async def _lookup_user(client: AsyncWebClient, user_id: str) -> SlackUser:
    try:
        response = await client.users_info(user=user_id)
    except SlackApiError as error:
        if error_code(error) == "user_not_found":
            return SlackUser(user_id, user_id, UserKind.UNKNOWN)
        raise
    user = response["user"]
    name = str(user.get("real_name") or user.get("name") or user_id)
    if user.get("deleted"):
        return SlackUser(user_id, name, UserKind.DEACTIVATED)
    if user.get("is_bot") or user_id == _SLACKBOT:
        return SlackUser(user_id, name, UserKind.BOT)
    email = (user.get("profile") or {}).get("email")
    return SlackUser(user_id, name, UserKind.PERSON, timezone=user.get("tz"), email=email)
