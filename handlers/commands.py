"""``/mlops-candidate``: the one place its subcommands are registered and routed."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.context import BotContext
from handlers import (
    candidate_edit,
    candidate_intake,
    debrief_meeting,
    decision,
    digest_command,
    insights,
    interview,
    listing,
    privacy,
    scorecard,
)
from handlers.command_call import CommandCall
from handlers.help_blocks import help_blocks, help_text
from handlers.ids import COMMAND
from handlers.team_access import in_team

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
    Subcommand("new", "new [name]", "Add a candidate (opens a form)", candidate_intake.run_new),
    Subcommand(
        "schedule", "schedule NAME", "Schedule an interview (opens a form)", interview.run_schedule
    ),
    Subcommand(
        "debrief", "debrief NAME", "Schedule a debrief (opens a form)", debrief_meeting.run_debrief
    ),
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
        "edit", "edit NAME", "Correct a candidate's details (opens a form)", candidate_edit.run_edit
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
    bot: BotContext,
) -> None:
    name, args = split_command(str(body.get("text", "")))
    call = CommandCall(ack=ack, respond=respond, client=client, bot=bot, body=body, args=args)
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
