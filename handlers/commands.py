"""``/mlops-candidate``: the one place its subcommands are registered and routed."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.candidates import resolve_candidate
from bot.context import BotContext
from bot.errors import DomainError
from handlers import (
    debrief,
    decision,
    digest_command,
    edit_candidate,
    insights,
    intake,
    listing,
    privacy,
    schedule,
    scorecard,
)
from handlers.help_blocks import help_blocks, help_text
from handlers.ids import COMMAND
from handlers.team_access import in_team
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


Handler = Callable[[CommandCall], Awaitable[None]]


class Access(Enum):
    """Who may run a subcommand at all; each then applies its own rules on top."""

    ANYONE = "anyone"
    # The hiring team, and interviewers outside it for their own candidates.
    PANEL = "panel"
    TEAM = "team"


@dataclass(frozen=True)
class Subcommand:
    name: str
    usage: str
    summary: str
    run: Handler
    access: Access = Access.TEAM


async def _help(call: CommandCall) -> None:
    shown = usages(in_team=call.in_team)
    await call.ephemeral(help_text(shown), help_blocks(shown))


SUBCOMMANDS: tuple[Subcommand, ...] = (
    Subcommand("help", "help", "Show this message", _help, Access.ANYONE),
    Subcommand("new", "new [name]", "Add a candidate (opens a form)", intake.run_new),
    Subcommand(
        "schedule", "schedule NAME", "Schedule an interview (opens a form)", schedule.run_schedule
    ),
    Subcommand("debrief", "debrief NAME", "Schedule a debrief (opens a form)", debrief.run_debrief),
    Subcommand("list", "list [all]", "Candidates by stage (all: closed too)", listing.run_list),
    Subcommand("find", "find NAME", "Candidates whose name contains NAME", listing.run_find),
    Subcommand("salary", "salary [region] [level]", "Salary benchmarks", listing.run_salary),
    Subcommand(
        "digest", "digest", "Post the daily digest in the channel now", digest_command.run_digest
    ),
    Subcommand(
        "insights",
        "insights",
        "Calibration, funnel, questions",
        insights.run_insights,
    ),
    Subcommand(
        "export", "export NAME", "DM yourself all data held on a candidate", privacy.run_export
    ),
    Subcommand(
        "erase", "erase NAME", "Erase a candidate and their data for good", privacy.run_erase
    ),
    Subcommand(
        "scorecard",
        "scorecard NAME",
        "Submit your scorecard (opens a form)",
        scorecard.run_scorecard,
        Access.PANEL,
    ),
    Subcommand("decide", "decide NAME", "Record a decision (opens a form)", decision.run_decide),
    Subcommand(
        "edit", "edit NAME", "Correct a candidate's details (opens a form)", edit_candidate.run_edit
    ),
)


def usages(*, in_team: bool) -> list[tuple[str, str]]:
    """The subcommands someone may use: outside the team, only their own scorecards."""
    return [(s.usage, s.summary) for s in SUBCOMMANDS if in_team or s.access != Access.TEAM]


def split_command(text: str) -> tuple[str, str]:
    """``"new Jane Doe"`` to ``("new", "Jane Doe")``; an empty text asks for help."""
    name, _, rest = text.strip().partition(" ")
    return name.lower() or "help", rest.strip()


async def on_command(
    ack: AsyncAck,
    respond: AsyncRespond,
    client: AsyncWebClient,
    body: dict[str, Any],
    context: dict[str, Any],
) -> None:
    name, args = split_command(str(body.get("text", "")))
    call = CommandCall(
        ack=ack, respond=respond, client=client, bot=context["bot"], body=body, args=args
    )
    call.in_team = await in_team(call.bot, client, call.user_id)
    for subcommand in SUBCOMMANDS:
        if subcommand.name == name:
            if subcommand.access == Access.TEAM and not call.in_team:
                await call.ephemeral(call.bot.team.refusal().message)
                return
            await subcommand.run(call)
            return
    shown = usages(in_team=call.in_team)
    await call.ephemeral(help_text(shown, unknown=name), help_blocks(shown, unknown=name))


def register(app: AsyncApp) -> None:
    app.command(COMMAND)(on_command)
