"""One invocation of a ``/mlops-candidate`` subcommand, as each subcommand receives it: who
asked, with what, and the two ways to answer (an ephemeral reply, or a modal opened for a
named candidate). Apart from the router (``handlers/commands.py``), so that a subcommand
does not import the module that imports it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.candidates import resolve_candidate
from bot.context import BotContext
from bot.errors import DomainError
from storage.interviews import sits_on_panel
from storage.models import row_id


@dataclass
class CommandCall:
    """One invocation of a subcommand, parsed from the slash command payload."""

    ack: AsyncAck
    respond: AsyncRespond
    client: AsyncWebClient
    bot: BotContext
    body: dict[str, Any]
    args: str
    # On the hiring team: set before the subcommand runs.
    in_team: bool = False

    @property
    def user_id(self) -> str:
        return str(self.body["user_id"])

    @property
    def channel_id(self) -> str:
        return str(self.body.get("channel_id", ""))

    @property
    def trigger_id(self) -> str:
        return str(self.body.get("trigger_id", ""))

    async def ephemeral(self, text: str, blocks: list[dict[str, Any]] | None = None) -> None:
        """Answer in the acknowledgement itself: the fastest way to show a reply."""
        await self.ack(response_type="ephemeral", text=text, blocks=blocks)

    async def open_candidate_modal(self, build: Callable[[int], Awaitable[dict[str, Any]]]) -> None:
        """``<subcommand> <name>``: find the candidate named, build the modal for them, then
        ack and open it at once (the trigger dies 3 s after Slack sent the command). A
        DomainError on the way (no such candidate, not allowed) is the ephemeral answer.

        Someone outside the hiring team reaches only candidates they interview: for anyone
        else, and for any name that is not one of those, the answer is the team's refusal,
        so that it tells nothing about which names exist."""
        outsider = self.bot.team.refusal().message
        try:
            async with self.bot.sessions() as session:
                candidate = await resolve_candidate(session, self.args)
                seated = self.in_team or await sits_on_panel(
                    session, self.user_id, candidate_id=row_id(candidate)
                )
        except DomainError as refused:
            await self.ephemeral(refused.message if self.in_team else outsider)
            return
        if not seated:
            await self.ephemeral(outsider)
            return
        try:
            view = await build(row_id(candidate))
        except DomainError as refused:
            await self.ephemeral(refused.message)
            return
        await self.ack()
        await self.client.views_open(trigger_id=self.trigger_id, view=view)
