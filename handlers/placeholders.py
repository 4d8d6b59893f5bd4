"""Card buttons whose flows are not built yet answer "not available yet" instead of nothing.

``NOT_YET_AVAILABLE`` is the one list of such action ids. Whoever implements one of these
actions deletes its id from the tuple in the same change that registers the real listener
(bolt would otherwise run both); when the tuple is empty, delete this module and its
``register`` call in ``bot/app.py``.
"""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from handlers.errors import show_error
from handlers.ids import Action

NOT_YET_AVAILABLE: tuple[Action, ...] = (
    Action.SUBMIT_SCORECARD,
    Action.RECORD_DECISION,
)

BUTTON_NAMES = {
    Action.SUBMIT_SCORECARD: "Submit scorecard",
    Action.RECORD_DECISION: "Record decision",
}


def not_available_text(action_id: str) -> str:
    name = BUTTON_NAMES.get(Action(action_id), action_id)
    return (
        f":construction: *{name}* is not available yet: this part of the bot is still being "
        "built. Nothing was changed."
    )


async def on_not_yet_available(
    ack: AsyncAck,
    body: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond | None,
    action: dict[str, Any],
) -> None:
    await ack()
    await show_error(client, respond, body, not_available_text(action["action_id"]))


def register(app: AsyncApp) -> None:
    for action_id in NOT_YET_AVAILABLE:
        app.action(action_id)(on_not_yet_available)
