"""An incident run in the interviewer's DM: *Start incident* on the system-design kit,
the scenario's modal, one *Reveal* per inject, *Hypothesis*, *Note*, *Answer key* and
*Root cause found*. Evidence, charts included, goes to the interviewer's DM for them to
screen-share; the answer key opens in a modal, so that the DM never shows it.

The buttons ack only once the domain has accepted the click (a read or one short
transaction, well inside Slack's 3 s): a refusal raised after the ack would, under bolt's
asynchronous ack, erase the ack and leave Slack a 404, whereas raised before it, the
error handler answers 200 and tells the user why.
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import outbox
from bot.charts import render_png
from bot.context import BotContext
from bot.errors import NotFound
from bot.incident_runs import (
    Logged,
    Revealed,
    RunState,
    log_statement,
    offer_incident,
    reveal,
    root_cause_found,
    run_state,
    running_state,
    start_incident,
)
from handlers.ids import Action, View
from handlers.incident_blocks import entry_text, evidence_message, run_message, stopped_message
from handlers.incident_modal import (
    RevealMetadata,
    StartMetadata,
    StatementMetadata,
    answer_key_modal,
    incident_field_errors,
    read_asked,
    read_scenario,
    read_statement,
    reveal_modal,
    start_modal,
    statement_modal,
)
from handlers.modals import form_submission
from handlers.refs import Ref, ref_id
from storage.db import transaction
from storage.models import IncidentEventKind, row_id

logger = logging.getLogger(__name__)

_STATEMENT_KINDS = {
    Action.INCIDENT_HYPOTHESIS: IncidentEventKind.HYPOTHESIS,
    Action.INCIDENT_NOTE: IncidentEventKind.NOTE,
}


async def on_start_button(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    client: AsyncWebClient,
    bot: BotContext,
    user_id: str,
) -> None:
    """The kit's *Start incident*: the choice of scenario."""
    interview_id = ref_id(action.get("value"), Ref.INTERVIEW)
    async with bot.sessions() as session:
        offer = await offer_incident(session, bot, user_id=user_id, interview_id=interview_id)
    await ack()
    await client.views_open(trigger_id=body["trigger_id"], view=start_modal(offer))


@form_submission(title="Incident not started", field_errors=incident_field_errors)
async def on_start_submit(
    ack: AsyncAck,
    view: dict[str, Any],
    bot: BotContext,
    user_id: str,
) -> None:
    metadata = StartMetadata.decode(view.get("private_metadata"))
    async with transaction(bot.sessions) as session:
        state = await start_incident(
            session,
            bot,
            user_id=user_id,
            interview_id=metadata.interview_id,
            scenario_key=read_scenario(view["state"]["values"]),
        )
        await outbox.dm(
            session,
            bot,
            user_id,
            *run_message(state),
            key=f"incident:{state.run_id}",
            candidate_id=state.candidate.id,
        )
    await ack()
    logger.info("incident run %s started by %s", state.run_id, user_id)


async def on_reveal_button(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    client: AsyncWebClient,
    bot: BotContext,
    user_id: str,
) -> None:
    state = await _running(bot, user_id, action)
    inject_id = str(action.get("action_id", "")).partition(":")[2]
    inject = state.scenario.inject(inject_id)
    if inject is None:
        raise NotFound("That evidence is no longer in the scenario. Please reopen the run.")
    await ack()
    await client.views_open(trigger_id=body["trigger_id"], view=reveal_modal(state, inject))


@form_submission(title="Not revealed", field_errors=incident_field_errors)
async def on_reveal_submit(
    ack: AsyncAck,
    view: dict[str, Any],
    bot: BotContext,
    user_id: str,
) -> None:
    metadata = RevealMetadata.decode(view.get("private_metadata"))
    async with transaction(bot.sessions) as session:
        logged = await reveal(
            session,
            bot,
            user_id=user_id,
            run_id=metadata.run_id,
            inject_id=metadata.inject_id,
            asked=read_asked(view["state"]["values"]),
        )
        await outbox.dm(session, bot, user_id, *evidence_message(logged), candidate_id=_cid(logged))
        await _upload_chart(session, bot, user_id, logged)
    await ack()


async def on_statement_button(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    client: AsyncWebClient,
    bot: BotContext,
    user_id: str,
) -> None:
    """*Hypothesis* or *Note*: a small modal to write what was said."""
    kind = _STATEMENT_KINDS[Action(action["action_id"])]
    state = await _running(bot, user_id, action)
    await ack()
    await client.views_open(trigger_id=body["trigger_id"], view=statement_modal(state, kind))


@form_submission(title="Not logged", field_errors=incident_field_errors)
async def on_statement_submit(
    ack: AsyncAck,
    view: dict[str, Any],
    bot: BotContext,
    user_id: str,
) -> None:
    metadata = StatementMetadata.decode(view.get("private_metadata"))
    async with transaction(bot.sessions) as session:
        logged = await log_statement(
            session,
            bot,
            user_id=user_id,
            run_id=metadata.run_id,
            kind=metadata.kind,
            text=read_statement(view["state"]["values"]),
        )
        await outbox.dm(session, bot, user_id, entry_text(logged.entry), candidate_id=_cid(logged))
    await ack()


async def on_answer_key(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    client: AsyncWebClient,
    bot: BotContext,
    user_id: str,
) -> None:
    run_id = ref_id(action.get("value"), Ref.INCIDENT)
    async with bot.sessions() as session:
        state = await run_state(session, bot, user_id=user_id, run_id=run_id)
    await ack()
    await client.views_open(trigger_id=body["trigger_id"], view=answer_key_modal(state))


async def on_root_cause(
    ack: AsyncAck,
    action: dict[str, Any],
    respond: AsyncRespond,
    bot: BotContext,
    user_id: str,
) -> None:
    """*Root cause found*: the clock stops, and the run message loses its buttons."""
    run_id = ref_id(action.get("value"), Ref.INCIDENT)
    async with transaction(bot.sessions) as session:
        logged = await root_cause_found(session, bot, user_id=user_id, run_id=run_id)
    await ack()
    text, blocks = stopped_message(logged, row_id(logged.state.interview))
    await respond(text=text, blocks=blocks, replace_original=True)


async def _upload_chart(
    session: AsyncSession, bot: BotContext, user_id: str, logged: Revealed
) -> None:
    inject = logged.inject
    if inject.chart is None:
        return
    # Drawing takes tens of milliseconds of CPU: keep the event loop free meanwhile.
    png = await asyncio.to_thread(render_png, inject.chart.data())
    await outbox.upload(
        session,
        bot,
        user_id,
        content=png,
        filename=f"{inject.id}.png",
        title=inject.chart.title,
        candidate_id=_cid(logged),
    )


async def _running(bot: BotContext, user_id: str, action: dict[str, Any]) -> RunState:
    """The user's run that a button names, while its clock runs."""
    run_id = ref_id(action.get("value"), Ref.INCIDENT)
    async with bot.sessions() as session:
        return await running_state(session, bot, user_id, run_id)


def _cid(logged: Logged) -> int | None:
    return logged.state.candidate.id


def register(app: AsyncApp) -> None:
    app.action(Action.START_INCIDENT)(on_start_button)
    app.view(View.START_INCIDENT)(on_start_submit)
    app.action(re.compile(rf"^{Action.INCIDENT_REVEAL}:"))(on_reveal_button)
    app.view(View.INCIDENT_REVEAL)(on_reveal_submit)
    app.action(Action.INCIDENT_HYPOTHESIS)(on_statement_button)
    app.action(Action.INCIDENT_NOTE)(on_statement_button)
    app.view(View.INCIDENT_STATEMENT)(on_statement_submit)
    app.action(Action.INCIDENT_ANSWER_KEY)(on_answer_key)
    app.action(Action.INCIDENT_ROOT_CAUSE)(on_root_cause)
