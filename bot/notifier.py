"""How scheduled jobs reach people, without the domain importing Slack.

The jobs decide what to say and to whom; an implementation of ``Notifier`` (in
``handlers/slack_notifier.py``) renders it as Block Kit and sends it through Slack.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from bot.digest import Digest
    from bot.reminders import ReminderMessage


@dataclass(frozen=True)
class SendResult:
    """What came of one message: its ``ts`` when posted, else Slack's error code.

    ``retryable`` marks failures worth another attempt later (rate limits and server
    errors that outlasted the client's own retries, a lost connection).
    """

    ok: bool
    ts: str | None = None
    channel: str | None = None
    error: str | None = None
    retryable: bool = False


class Notifier(Protocol):
    async def user_timezone(self, user_id: str) -> str | None:
        """The IANA zone of a user's Slack profile, or None when it cannot be read."""
        ...

    async def deliver_reminder(self, message: ReminderMessage) -> SendResult:
        """Send one reminder by DM to its recipient."""
        ...

    async def post_digest(self, digest: Digest, channel_id: str) -> SendResult:
        """Post the digest in a channel."""
        ...
