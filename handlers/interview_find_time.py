"""The *Find a time* button of the Schedule interview modal: read the panel's calendars
and update the modal in place with the first free times.

No trigger is needed for views.update, but the person is waiting: the calendars are read
in parallel within a budget (``bot.availability.FETCH_BUDGET_SECONDS``), and whoever was
too slow is named in the modal instead of holding it up.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot import interviews
from bot.candidates import get_candidate
from bot.context import BotContext
from bot.find_time import find_time
from bot.kits import UnknownStageError
from bot.slack_client import error_code
from handlers.ids import Action
from handlers.interview_modal import ScheduleMetadata, parse_form, schedule_modal
from handlers.slack_users import lookup_users
from storage.models import Candidate

logger = logging.getLogger(__name__)


async def on_find_time(
    ack: AsyncAck,
    body: dict[str, Any],
    client: AsyncWebClient,
    bot: BotContext,
    user_id: str,
) -> None:
    await ack()
    view = body.get("view") or {}
    metadata = ScheduleMetadata.decode(str(view.get("private_metadata", "")))
    form = parse_form(view.get("state", {}).get("values", {}))
    async with bot.sessions() as session:
        candidate = await get_candidate(session, metadata.candidate_id)
        interview = (
            await interviews.get_interview(session, metadata.interview_id)
            if metadata.interview_id is not None
            else None
        )
    ids = list(form.interviewer_ids)
    found = None
    if ids:
        users = await lookup_users(client, ids)
        found = await find_time(
            bot,
            candidate=candidate,
            user_ids=ids,
            zones={user_id: user.timezone for user_id, user in users.items()},
            duration_minutes=form.duration_minutes or _stage_length(bot, form.stage_key, candidate),
        )
    updated = schedule_modal(
        bot.kits,
        candidate,
        interview=interview,
        interviewer_ids=ids,
        found=found,
        find_note=None if ids else "Pick the interviewers first.",
    )
    try:
        await client.views_update(view_id=view["id"], hash=view.get("hash"), view=updated)
    except SlackApiError as error:
        # Closed meanwhile, or changed by another click: nothing to show the answer in.
        logger.info("Find a time not shown: %s", error_code(error))


def _stage_length(bot: BotContext, stage_key: str | None, candidate: Candidate) -> int:
    for key in (stage_key, candidate.stage_key):
        try:
            return bot.kits.stage(key or "").duration_minutes
        except UnknownStageError:
            continue
    return bot.kits.first_stage.duration_minutes


def register(app: AsyncApp) -> None:
    app.action(Action.FIND_TIME)(on_find_time)
