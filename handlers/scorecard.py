"""*Submit scorecard* (the interviewer's DM, the card, ``/mlops-candidate scorecard <name>``),
the scorecard modal's submission, and what the thread hears of it: who submitted, how many
are in, and that the panel is complete once the last expected one arrives (the hiring
manager then gets the debrief summary by DM)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import outbox
from bot.context import BotContext
from bot.debrief_summary_reads import record_shown, summary_to_post
from bot.incident_runs import own_timeline, visible_timelines
from bot.scorecards import SubmitResult, interviews_to_score, open_scorecard, submit_scorecard
from handlers.candidate_thread import post_in_thread, refresh_card
from handlers.command_call import CommandCall
from handlers.debrief_summary_blocks import summary_dm
from handlers.ids import Action, ScorecardBlock, View
from handlers.incident_timeline_blocks import MESSAGE_BUDGET, panel_timelines_blocks
from handlers.modals import form_submission
from handlers.refs import Ref, parse_ref
from handlers.scorecard_blocks import (
    late_scorecard_dm,
    panel_complete_blocks,
    panel_complete_text,
    scorecard_progress_blocks,
    scorecard_progress_text,
)
from handlers.scorecard_modal import (
    ScorecardMetadata,
    interview_choice_modal,
    read_chosen_interview,
    read_scorecard_form,
    scorecard_field_errors,
    scorecard_modal,
)
from handlers.slack_notifier import reader_zone
from handlers.team_access import require_team_or_panel
from storage.db import transaction
from storage.models import row_id

logger = logging.getLogger(__name__)


async def scorecard_view(
    client: AsyncWebClient,
    bot: BotContext,
    user_id: str,
    *,
    candidate_id: int | None = None,
    interview_id: int | None = None,
) -> dict[str, Any]:
    """The modal to open: the scorecard of one interview, or a choice among the user's
    interviews of a candidate when there are several."""
    async with bot.sessions() as session:
        if interview_id is None:
            if candidate_id is None:
                raise TypeError("scorecard_view needs a candidate_id or an interview_id")
            interviews = await interviews_to_score(
                session, bot, user_id=user_id, candidate_id=candidate_id
            )
            if len(interviews) > 1:
                stages = {s.key: s for s in bot.kits.stages}
                zone = await reader_zone(client, bot, user_id)
                return interview_choice_modal(interviews, stages, zone)
            interview_id = row_id(interviews[0])
        draft = await open_scorecard(session, bot, user_id=user_id, interview_id=interview_id)
        timeline = await own_timeline(session, bot, user_id=user_id, interview_id=interview_id)
    return scorecard_modal(draft, timeline=timeline)


async def run_scorecard(call: CommandCall) -> None:
    """``/mlops-candidate scorecard <name>``."""

    async def build(candidate_id: int) -> dict[str, Any]:
        return await scorecard_view(call.client, call.bot, call.user_id, candidate_id=candidate_id)

    await call.open_candidate_modal(build)


async def on_submit_scorecard(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    client: AsyncWebClient,
    bot: BotContext,
    user_id: str,
) -> None:
    """The button: its value is the interview (in a DM) or the candidate (on the card)."""
    await ack()
    kind, record_id = parse_ref(action.get("value"))
    if kind == Ref.INTERVIEW:
        await require_team_or_panel(bot, client, user_id, interview_id=record_id)
        view = await scorecard_view(client, bot, user_id, interview_id=record_id)
    else:
        await require_team_or_panel(bot, client, user_id, candidate_id=record_id)
        view = await scorecard_view(client, bot, user_id, candidate_id=record_id)
    await client.views_open(trigger_id=body["trigger_id"], view=view)


def _on_interview_choice(fields: Mapping[str, str]) -> dict[str, str]:
    return {ScorecardBlock.INTERVIEW: " ".join(fields.values())}


@form_submission(title="Submit scorecard", field_errors=_on_interview_choice)
async def on_interview_chosen(
    ack: AsyncAck,
    view: dict[str, Any],
    client: AsyncWebClient,
    bot: BotContext,
    user_id: str,
) -> None:
    """The choice of interview: the same modal turns into that interview's scorecard."""
    interview_id = read_chosen_interview(view["state"]["values"])
    if interview_id is None:
        await ack(
            response_action="errors", errors={ScorecardBlock.INTERVIEW: "Choose an interview."}
        )
        return
    await require_team_or_panel(bot, client, user_id, interview_id=interview_id)
    scorecard = await scorecard_view(client, bot, user_id, interview_id=interview_id)
    await ack(response_action="update", view=scorecard)


@form_submission(title="Scorecard not saved", field_errors=scorecard_field_errors)
async def on_scorecard_submitted(
    ack: AsyncAck,
    view: dict[str, Any],
    client: AsyncWebClient,
    bot: BotContext,
    user_id: str,
) -> None:
    metadata = ScorecardMetadata.decode(view.get("private_metadata"))
    await require_team_or_panel(bot, client, user_id, interview_id=metadata.interview_id)
    async with transaction(bot.sessions) as session:
        result = await submit_scorecard(
            session,
            bot,
            user_id=user_id,
            interview_id=metadata.interview_id,
            form=read_scorecard_form(view["state"]["values"]),
        )
        await tell_thread(session, bot, user_id, result)
    # Committed: only now may the modal close.
    await ack()
    logger.info(
        "scorecard %s for interview %s by %s (created=%s, changed=%s)",
        result.scorecard_id,
        metadata.interview_id,
        user_id,
        result.created,
        result.changed,
    )
    if result.created and not result.late:
        bot.home_changes.touched([user_id, result.candidate.hiring_manager_id])


async def tell_thread(
    session: AsyncSession, bot: BotContext, user_id: str, result: SubmitResult
) -> None:
    """A new scorecard is announced, its content never; an edit is not announced. The
    card's next step counts the scorecards in. In the submission's transaction."""
    if not result.created:
        return
    interview_id = row_id(result.interview)
    await refresh_card(session, bot, row_id(result.candidate))
    late = result.late
    await post_in_thread(
        session,
        bot,
        result.candidate,
        text=scorecard_progress_text(user_id, result.stage, result.progress, late=late),
        blocks=scorecard_progress_blocks(
            user_id, result.stage, result.progress, interview_id, late=late
        ),
    )
    if late:
        # The decision is taken: no "panel complete, record a decision" now, but the
        # hiring manager hears that evidence came in after it.
        await outbox.dm(
            session,
            bot,
            result.candidate.hiring_manager_id,
            *late_scorecard_dm(user_id, result.stage, result.candidate.name, interview_id),
            candidate_id=result.candidate.id,
        )
        return
    if result.progress.complete:
        # Read in this transaction: nothing to announce before the last scorecard.
        await announce_panel_complete(session, bot, interview_id)


async def announce_panel_complete(
    session: AsyncSession, bot: BotContext, interview_id: int
) -> None:
    """Once, when the last expected scorecard is in: the thread says the panel is complete
    and what is next (never what anyone rated), and the hiring manager gets the summary by
    DM as the independence rule lets them see it. Called, in the transaction of the change,
    after every new scorecard and whenever a panel completes another way (an excused or
    removed last interviewer): the claim and the messages commit together."""
    found = await summary_to_post(session, bot, interview_id)
    if found is None:
        return
    candidate = found.candidate
    hiring_manager = candidate.hiring_manager_id
    timelines = await visible_timelines(
        session, bot, user_id=hiring_manager, interview_id=interview_id
    )
    title = bot.kits.stage_title(found.interview.stage_key)
    await post_in_thread(
        session,
        bot,
        candidate,
        text=panel_complete_text(title, len(found.interviewer_ids), candidate.hiring_manager_id),
        blocks=panel_complete_blocks(
            title,
            found.interviewer_ids,
            hiring_manager_id=candidate.hiring_manager_id,
            candidate_id=row_id(candidate),
            interview_id=interview_id,
        ),
    )
    logger.info("panel of interview %s complete", interview_id)
    shown = panel_timelines_blocks(timelines, with_text=False, budget=MESSAGE_BUDGET)
    await outbox.dm(
        session,
        bot,
        hiring_manager,
        *summary_dm(found.for_hiring_manager, title, timelines=shown),
        candidate_id=candidate.id,
    )
    await record_shown(session, bot, hiring_manager, [found.for_hiring_manager])


def register(app: AsyncApp) -> None:
    app.action(Action.SUBMIT_SCORECARD)(on_submit_scorecard)
    app.view(View.SCORECARD_CHOICE)(on_interview_chosen)
    app.view(View.SCORECARD)(on_scorecard_submitted)
