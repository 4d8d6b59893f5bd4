"""How scheduled jobs reach people, without the domain importing Slack.

The jobs decide what to say and to whom; an implementation of ``Notifier`` (in
``handlers/slack_notifier.py``) renders it as Block Kit and queues it in the outbox, in the
job's transaction, for the sender to deliver.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from bot.digest import DigestNotifier
from bot.retention import RetentionNotifier

if TYPE_CHECKING:
    from sqlmodel.ext.asyncio.session import AsyncSession

    from bot.context import BotContext
    from bot.insights import OwnInsights, TeamInsights
    from bot.reminder_messages import ReminderMessage


class Notifier(DigestNotifier, RetentionNotifier, Protocol):
    """Everything the jobs ask; a job that defines its own part (the digest, retention)
    declares it beside the messages it sends, so that it need not import this module."""

    async def user_timezone(self, user_id: str) -> str | None:
        """The IANA zone of a user's Slack profile, or None when it cannot be read."""
        ...

    async def queue_reminder(
        self, session: AsyncSession, bot: BotContext, message: ReminderMessage
    ) -> None:
        """Queue one reminder, a DM to its recipient."""
        ...

    async def publish_home(self, bot: BotContext, user_id: str) -> bool:
        """Republish a user's App Home as it is now; False when Slack refused it."""
        ...

    async def channel_members(self, channel_id: str) -> frozenset[str]:
        """Every member of a channel (``bot.hiring_team.MemberSource``): who is on the team."""
        ...

    async def team_insights_dm(self, insights: TeamInsights) -> Outgoing:
        """The team's insights as a DM for hiring managers and admins, charts drawn: one
        rendering for every recipient."""
        ...

    async def own_insights_dm(self, insights: OwnInsights) -> Outgoing:
        """An interviewer's own calibration as a DM, and nothing about anyone else."""
        ...


class Outgoing(Protocol):
    """A message rendered outside any transaction, so that queueing it holds no lock while
    it renders."""

    async def queue(self, session: AsyncSession, bot: BotContext, recipient_id: str) -> None:
        """Queue it, and its files, for ``recipient_id`` in the caller's transaction."""
        ...
