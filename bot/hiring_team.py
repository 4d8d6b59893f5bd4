"""The hiring team: the members of the hiring channel plus ``HIRING_ADMINS``.

Only the team sees the pipeline. Membership comes from Slack (``conversations.members``)
through a ``MemberSource`` that ``handlers/`` implements; it is cached for a few minutes and
kept current between reads from the channel's ``member_joined_channel`` and
``member_left_channel`` events. Each replica keeps its own cache, and an event reaches one
replica only: the others catch up within ``MEMBERS_TTL``.
"""

from __future__ import annotations

import logging
from collections.abc import Set
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from bot.clock import Clock
from bot.errors import PermissionDenied

logger = logging.getLogger(__name__)

MEMBERS_TTL = timedelta(minutes=5)
# After Slack refused the member list, ask again this soon: the team is the admins alone
# meanwhile, so a short wait keeps members from being refused for long.
FAILED_TTL = timedelta(seconds=30)


class MembersUnavailable(Exception):
    """Slack would not list the channel's members; ``error`` is its error code."""

    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


class MemberSource(Protocol):
    async def channel_members(self, channel_id: str) -> frozenset[str]:
        """Every member of the channel; MembersUnavailable when Slack refuses."""
        ...


class OutsideTeam(PermissionDenied):
    """The one answer for anyone outside the hiring team: it names where the team is and
    who the admins are, and nothing about any candidate."""

    def __init__(self, channel_id: str, admins: Set[str], problem: str | None = None) -> None:
        super().__init__(team_only_text(channel_id, admins, problem))


def team_only_text(channel_id: str, admins: Set[str], problem: str | None = None) -> str:
    """The refusal; ``problem`` is Slack's error when the channel's members could not be
    read, which is then the likelier reason and is said instead of "ask to be added"."""
    who = ", ".join(f"<@{admin}>" for admin in sorted(admins))
    admins_part = f" and the hiring admins ({who})" if who else ""
    text = f":lock: This is for the hiring team: the members of <#{channel_id}>{admins_part}."
    if problem is None:
        return f"{text} Ask to be added to the channel if you need it."
    return (
        f"{text} I cannot read that channel's members right now (Slack answers `{problem}`): "
        "if it is private, invite me there with `/invite`; until then only the hiring admins "
        "count as the team."
    )


@dataclass
class HiringTeam:
    channel_id: str
    admins: frozenset[str]
    clock: Clock
    _members: frozenset[str] | None = field(default=None, init=False)
    _expires_at: datetime | None = field(default=None, init=False)
    # Slack's error the last time the members could not be read; None once they could.
    _problem: str | None = field(default=None, init=False)

    def refusal(self) -> OutsideTeam:
        return OutsideTeam(self.channel_id, self.admins, self._problem)

    async def members(self, source: MemberSource) -> frozenset[str]:
        """The channel's members, from the cache while it is fresh."""
        now = self.clock.now()
        if self._members is not None and self._expires_at is not None and now < self._expires_at:
            return self._members
        try:
            members = await source.channel_members(self.channel_id)
            self._expires_at = now + MEMBERS_TTL
            self._problem = None
        except MembersUnavailable as problem:
            # Closed, not open: without the list only the admins are the team.
            logger.warning(
                "cannot list the members of HIRING_CHANNEL_ID=%s: Slack answers %s; until it "
                "can, only HIRING_ADMINS count as the hiring team",
                self.channel_id,
                problem.error,
            )
            members = frozenset()
            self._expires_at = now + FAILED_TTL
            self._problem = problem.error
        self._members = members
        return members

    async def includes(self, user_id: str, source: MemberSource) -> bool:
        # Admins first: no Slack call before an admin's answer.
        return user_id in self.admins or user_id in await self.members(source)

    async def require(self, user_id: str, source: MemberSource) -> None:
        """OutsideTeam unless ``user_id`` is on the hiring team."""
        if not await self.includes(user_id, source):
            raise self.refusal()

    def joined(self, channel_id: str, user_id: str) -> None:
        """A ``member_joined_channel`` event: kept in the cache until it is next read."""
        if channel_id == self.channel_id and self._members is not None:
            self._members = self._members | {user_id}

    def left(self, channel_id: str, user_id: str) -> None:
        """A ``member_left_channel`` event: the person is out of the team at once."""
        if channel_id == self.channel_id and self._members is not None:
            self._members = self._members - {user_id}
