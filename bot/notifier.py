"""How scheduled jobs reach people, without the domain importing Slack.

The jobs decide what to say and to whom; an implementation of ``Notifier`` (in
``handlers/slack_notifier.py``) renders it as Block Kit and queues it in the outbox, in the
job's transaction, for the sender to deliver.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from sqlmodel.ext.asyncio.session import AsyncSession

    from bot.context import BotContext
    from bot.digest import Digest
    from bot.insights import OwnInsights, TeamInsights
    from bot.privacy import Erasure
    from bot.reminder_messages import ReminderMessage
    from bot.retention import RetentionNotice


class Notifier(Protocol):
    async def user_timezone(self, user_id: str) -> str | None:
        """The IANA zone of a user's Slack profile, or None when it cannot be read."""
        ...

    async def queue_reminder(
        self, session: AsyncSession, bot: BotContext, message: ReminderMessage
    ) -> None:
        """Queue one reminder, a DM to its recipient."""
        ...

    async def queue_digest(
        self,
        session: AsyncSession,
        bot: BotContext,
        digest: Digest,
        channel_id: str,
        key: str | None = None,
    ) -> None:
        """Queue the digest for a channel (``key``: the day's, whose ts is kept)."""
        ...

    async def queue_retention_warning(
        self, session: AsyncSession, bot: BotContext, notice: RetentionNotice
    ) -> None:
        """Queue the DM telling the hiring manager that a closed candidate is to be erased."""
        ...

    async def delete_messages(self, bot: BotContext, erasure: Erasure) -> tuple[int, list[str]]:
        """Delete the bot's messages about an erased candidate: how many, and the errors."""
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
