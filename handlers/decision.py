"""*Record decision* (card, debrief summary, ``/mlops-candidate decide <name>``): the form,
its confirmation step, and what follows a decision: the card, the thread, the next stage."""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.context import BotContext
from bot.decisions import (
    NEEDS_CONFIRMATION,
    DecisionResult,
    check_form,
    open_decision,
    record_decision_once,
)
from handlers.candidate_thread import post_in_thread, post_stage_kit, refresh_card
from handlers.command_call import CommandCall
from handlers.decision_modal import (
    DecisionMetadata,
    decision_blocks,
    decision_field_errors,
    decision_modal,
    decision_text,
    needs_confirmation_modal,
    read_decision,
    read_justification,
)
from handlers.ids import Action, View
from handlers.kit_blocks import salary_text
from handlers.modals import form_submission
from handlers.refs import Ref, ref_id
from handlers.team_access import require_team
from storage.models import row_id

logger = logging.getLogger(__name__)

_REFUSED = "Decision not recorded"


async def decision_view(bot: BotContext, user_id: str, candidate_id: int) -> dict[str, Any]:
    async with bot.sessions() as session:
        draft = await open_decision(session, bot, user_id=user_id, candidate_id=candidate_id)
    return decision_modal(draft)


async def run_decide(call: CommandCall) -> None:
    """``/mlops-candidate decide <name>``."""

    async def build(candidate_id: int) -> dict[str, Any]:
        return await decision_view(call.bot, call.user_id, candidate_id)

    await call.open_candidate_modal(build)


async def on_record_decision(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    client: AsyncWebClient,
    bot: BotContext,
    user_id: str,
) -> None:
    await ack()
    await require_team(bot, client, user_id)
    candidate_id = ref_id(action.get("value"), Ref.CANDIDATE)
    view = await decision_view(bot, user_id, candidate_id)
    await client.views_open(trigger_id=body["trigger_id"], view=view)


@form_submission(title=_REFUSED, field_errors=decision_field_errors)
async def on_decision_submitted(
    ack: AsyncAck,
    view: dict[str, Any],
    client: AsyncWebClient,
    bot: BotContext,
    user_id: str,
) -> None:
    """The form: a decision that needs confirming turns the modal into its confirmation;
    any other is recorded at once."""
    outcome, reason = read_decision(view["state"]["values"])
    await require_team(bot, client, user_id)
    metadata = DecisionMetadata.decode(view.get("private_metadata"))
    async with bot.sessions() as session:
        draft, chosen, text = await check_form(
            session,
            bot,
            user_id=user_id,
            candidate_id=metadata.candidate_id,
            outcome=outcome,
            reason=reason,
            seen_stage_key=metadata.stage_key,
            seen_status=metadata.status,
        )
    # A guarded decision confirms too: its second step asks for the second reason.
    if chosen in NEEDS_CONFIRMATION or draft.guard(chosen).needed:
        benchmark = salary_text(bot.kits.salary, draft.candidate.location, draft.candidate.level)
        view = needs_confirmation_modal(draft, chosen, text, benchmark=benchmark)
        await ack(response_action="update", view=view)
        return
    result = await _store(bot, user_id, view, metadata, outcome)
    await _close_and_announce(ack, client, bot, result)


@form_submission(title=_REFUSED, field_errors=decision_field_errors)
async def on_decision_confirmed(
    ack: AsyncAck,
    view: dict[str, Any],
    client: AsyncWebClient,
    bot: BotContext,
    user_id: str,
) -> None:
    await require_team(bot, client, user_id)
    metadata = DecisionMetadata.decode(view.get("private_metadata"))
    result = await _store(bot, user_id, view, metadata, metadata.outcome)
    await _close_and_announce(ack, client, bot, result)


async def _store(
    bot: BotContext,
    user_id: str,
    view: dict[str, Any],
    metadata: DecisionMetadata,
    outcome: str | None,
) -> DecisionResult:
    _, reason = read_decision(view["state"]["values"])
    return await record_decision_once(
        bot,
        justification=read_justification(view["state"]["values"]),
        actor_id=user_id,
        candidate_id=metadata.candidate_id,
        outcome=outcome,
        reason=reason,
        seen_stage_key=metadata.stage_key,
        seen_status=metadata.status,
        # The confirmation replaces the form in place: one view id for both steps.
        view_id=str(view["id"]),
        announce=partial(announce, bot=bot),
    )


async def _close_and_announce(
    ack: AsyncAck, client: AsyncWebClient, bot: BotContext, result: DecisionResult
) -> None:
    # Committed: only now may the modal close.
    await ack()
    if not result.created:
        return
    decision = result.decision
    logger.info(
        "decision %s (%s) for candidate %s by %s",
        decision.id,
        decision.outcome,
        decision.candidate_id,
        decision.decided_by,
    )
    bot.home_changes.touched([result.candidate.hiring_manager_id, result.decision.decided_by])


async def announce(session: AsyncSession, result: DecisionResult, *, bot: BotContext) -> None:
    """The card shows the new stage or status; the thread records the decision and, after
    an advance, starts the next stage with its question set. In the decision's transaction."""
    candidate = result.candidate
    await refresh_card(session, bot, row_id(candidate))
    await post_in_thread(
        session, bot, candidate, text=decision_text(result), blocks=decision_blocks(result)
    )
    if result.next_stage is not None:
        await post_stage_kit(session, bot, candidate)


def register(app: AsyncApp) -> None:
    app.action(Action.RECORD_DECISION)(on_record_decision)
    app.view(View.DECISION)(on_decision_submitted)
    app.view(View.DECISION_CONFIRM)(on_decision_confirmed)
