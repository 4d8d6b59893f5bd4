"""Slack's error codes for a message that did not arrive, in words: what happened and what
to do. The one place that reads them, for the thread's "could not send" notes and the
admins' list of undelivered messages."""

from __future__ import annotations

from dataclasses import dataclass

from handlers.mrkdwn import escape


@dataclass(frozen=True)
class Problem:
    short: str  # beside a name: "<@U1> (deactivated)"
    what: str  # a sentence: what happened
    todo: str  # a sentence: what a person can do about it


_PROBLEMS = {
    "cannot_dm_bot": Problem(
        "a bot",
        "The recipient is a bot, and bots cannot receive DMs.",
        "Replace them with a person on the panel.",
    ),
    "user_not_found": Problem(
        "not found",
        "Slack does not know this user any more.",
        "Check the panel and replace whoever has left.",
    ),
    "account_inactive": Problem(
        "deactivated",
        "The recipient's Slack account is deactivated.",
        "Replace them on the panel or reassign their scorecards.",
    ),
    "user_disabled": Problem(
        "deactivated",
        "The recipient's Slack account is disabled.",
        "Replace them on the panel or reassign their scorecards.",
    ),
    "channel_not_found": Problem(
        "no channel",
        "The conversation the message was for no longer exists.",
        "Check the bot's channel setting (`HIRING_CHANNEL_ID`).",
    ),
    "not_in_channel": Problem(
        "not in the channel",
        "The bot is not a member of the channel.",
        "Invite the bot to the channel.",
    ),
    "is_archived": Problem(
        "archived channel",
        "The channel is archived.",
        "Unarchive it or point `HIRING_CHANNEL_ID` at the new channel.",
    ),
    "invalid_blocks": Problem(
        "message refused",
        "Slack refused the message's layout.",
        "Report it to whoever runs the bot: it is a bug.",
    ),
    "msg_too_long": Problem(
        "message refused",
        "Slack refused the message as too long.",
        "Report it to whoever runs the bot: it is a bug.",
    ),
}


def problem(error: str) -> Problem:
    """The words for ``error``; a code not listed says it is Slack's and that the send can
    be retried."""
    found = _PROBLEMS.get(error)
    if found is not None:
        return found
    code = escape(error)
    return Problem(
        f"Slack error {code}",
        f"Slack answered `{code}`.",
        "Tell whoever runs the bot; the logs have the details.",
    )
