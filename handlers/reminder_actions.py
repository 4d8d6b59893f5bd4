"""Buttons in reminder DMs that only reminders carry: *I did not attend*."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot import interviews, outbox
from bot.context import BotContext
from bot.errors import NotFound
from bot.scorecards import interview_progress
from handlers.ids import Action
from handlers.refs import Ref, parse_ref
from handlers.reminder_blocks import not_attended_notice
from handlers.scorecard import announce_panel_complete
from handlers.team_access import require_team_or_panel
from storage.db import transaction


async def on_not_attended(
    ack: AsyncAck,
    body: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond,
    bot: BotContext,
    user_id: str,
) -> None:
    await ack()
    kind, interview_id = parse_ref(body["actions"][0].get("value"))
    if kind != Ref.INTERVIEW:
        raise NotFound("That button no longer points at an interview.")
    await require_team_or_panel(bot, client, user_id, interview_id=interview_id)
    async with bot.sessions() as session:
        was_complete = (await interview_progress(session, interview_id)).complete
    async with transaction(bot.sessions) as session:
        candidate, interview = await interviews.mark_not_attended(
            session, interview_id, user_id, now=bot.clock.now()
        )
        title = bot.kits.stage_title(interview.stage_key)
        await outbox.dm(
            session,
            bot,
            candidate.hiring_manager_id,
            not_attended_notice(candidate, interview, title, user_id),
            candidate_id=candidate.id,
        )
        if not was_complete:
            # The scorecards still owed may all be in now: the debrief summary is due.
            await announce_panel_complete(session, bot, interview_id)
    await respond(
        text="Noted: you owe no scorecard for it, and the hiring manager knows.",
        response_type="ephemeral",
        replace_original=False,
    )
    bot.home_changes.touched([user_id, candidate.hiring_manager_id])


def register(app: AsyncApp) -> None:
    app.action(Action.NOT_ATTENDED)(on_not_attended)
