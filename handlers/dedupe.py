"""Events API redeliveries are answered without running a listener again (bot.events)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from bot.events import first_delivery
from handlers.instrumentation import finish_request

logger = logging.getLogger(__name__)


async def skip_redelivered_events(
    request: AsyncBoltRequest,
    body: dict[str, Any],
    context: dict[str, Any],
    next: Callable[[], Awaitable[None]],
) -> BoltResponse | None:
    event_id = body.get("event_id") if body.get("type") == "event_callback" else None
    if not event_id or await first_delivery(context["bot"], str(event_id)):
        await next()
        return None
    retry = request.headers.get("x-slack-retry-num", ["-"])[0]
    logger.info("skipped event %s: already received (retry %s)", event_id, retry)
    finish_request(context, "duplicate")
    # A 200 tells Slack to stop redelivering.
    return BoltResponse(status=200, body="")


def register(app: AsyncApp) -> None:
    app.use(skip_redelivered_events)
