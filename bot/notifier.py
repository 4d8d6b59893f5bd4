"""How scheduled jobs reach people, without the domain importing Slack.

The jobs decide what to say and to whom; an implementation of ``Notifier`` (in
``handlers/slack_notifier.py``) renders it as Block Kit and sends it through Slack.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from bot.context import BotContext
    from bot.digest import Digest
    from bot.insights import OwnInsights, TeamInsights
    from bot.privacy import Erasure
    from bot.reminders import ReminderMessage
    from bot.retention import RetentionNotice


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

    async def retention_warning(self, notice: RetentionNotice) -> SendResult:
        """DM the hiring manager that a closed candidate is about to be erased."""
        ...

    async def delete_messages(self, erasure: Erasure) -> tuple[int, list[str]]:
        """Delete the bot's messages about an erased candidate: how many, and the errors."""
        ...

    async def publish_home(self, bot: BotContext, user_id: str) -> bool:
        """Republish a user's App Home as it is now; False when Slack refused it."""
        ...

    async def channel_members(self, channel_id: str) -> frozenset[str]:
        """Every member of a channel (``bot.hiring_team.MemberSource``): who is on the team."""
        ...

    async def send_team_insights(self, recipient_id: str, insights: TeamInsights) -> SendResult:
        """DM a hiring manager or admin the team's insights, charts included."""
        ...

    async def send_own_insights(self, insights: OwnInsights) -> SendResult:
        """DM an interviewer their own calibration, and nothing about anyone else."""
        ...
