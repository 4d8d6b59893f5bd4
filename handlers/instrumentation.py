"""Request metrics: every request from Slack is counted once, with its kind, its outcome
and the time until its listener finished.

Bolt's global middleware runs before the listener and cannot wrap it, and a listener may
finish after the HTTP answer has gone (the ack comes first), so the count happens where
the request's handling ends: in the listener runner's completion handler, in the error
handler (which runs before it and records the failure), or where a middleware answers
by itself (a redelivered event).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.listener.async_listener_completion_handler import (
    AsyncListenerCompletionHandler,
)
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from bot import metrics

_STARTED = "request_started"
_KIND = "request_kind"
_COUNTED = "request_counted"
# Interaction payload types counted under their own name; anything else is "other".
_PAYLOAD_KINDS = frozenset(
    {
        "block_actions",
        "view_submission",
        "view_closed",
        "shortcut",
        "message_action",
        "block_suggestion",
    }
)


def request_kind(body: dict[str, Any]) -> str:
    if "command" in body:
        return "command"
    kind = body.get("type")
    if kind == "event_callback":
        return "event"
    return kind if kind in _PAYLOAD_KINDS else "other"


def finish_request(context: dict[str, Any], outcome: str) -> None:
    """Count the request with ``outcome``; later calls for the same request do nothing."""
    if context.get(_COUNTED) or _STARTED not in context:
        return
    context[_COUNTED] = True
    metrics.request_finished(context[_KIND], outcome, time.perf_counter() - context[_STARTED])


async def start_request(
    context: dict[str, Any], body: dict[str, Any], next: Callable[[], Awaitable[None]]
) -> None:
    context[_STARTED] = time.perf_counter()
    context[_KIND] = request_kind(body)
    await next()


class _CountCompleted(AsyncListenerCompletionHandler):
    async def handle(self, request: AsyncBoltRequest, response: BoltResponse | None) -> None:
        # After a failure the error handler has already counted it with its outcome.
        finish_request(request.context, "ok")


def register(app: AsyncApp) -> None:
    app.use(start_request)
    app.listener_runner.listener_completion_handler = _CountCompleted()
