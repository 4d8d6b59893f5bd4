"""The one error handler: a domain error becomes a message on the surface the user is on;
anything else is logged with a reference the user can quote."""

from __future__ import annotations

import logging
import traceback
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

from bot.errors import DomainError, Unavailable, as_domain_error
from handlers.instrumentation import finish_request

logger = logging.getLogger(__name__)


def user_message(error: DomainError | None) -> tuple[str, str | None]:
    """The text for the user and, for unexpected errors (None), the reference to log."""
    if error is not None:
        return error.message, None
    reference = uuid.uuid4().hex[:8]
    return (
        f":warning: Something went wrong on our side. Please try again; if it persists, "
        f"give your admin the reference `{reference}`.",
        reference,
    )


def _user_id(body: dict[str, Any]) -> str | None:
    user = body.get("user")
    if isinstance(user, dict):
        return user.get("id")
    return body.get("user_id")


def _channel_id(body: dict[str, Any]) -> str | None:
    channel = body.get("channel")
    if isinstance(channel, dict):
        return channel.get("id")
    return body.get("channel_id")


async def show_error(
    client: AsyncWebClient, respond: AsyncRespond | None, body: dict[str, Any], text: str
) -> None:
    """Tell the user where they are: the response_url, an ephemeral in the channel, or a DM."""
    user_id = _user_id(body)
    channel_id = _channel_id(body)
    # Bolt passes a respond even when the payload has no response_url (a modal submission).
    if respond is not None and respond.response_url:
        await respond(text=text, response_type="ephemeral", replace_original=False)
    elif user_id and channel_id:
        await client.chat_postEphemeral(channel=channel_id, user=user_id, text=text)
    elif user_id:
        await client.chat_postMessage(channel=user_id, text=text)


async def on_error(
    error: Exception,
    body: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond | None,
    response: BoltResponse | None,
    context: dict[str, Any],
) -> BoltResponse | None:
    # The one place where a database outage becomes a "try again" for the user.
    domain_error = as_domain_error(error)
    text, reference = user_message(domain_error)
    finish_request(context, _outcome(domain_error))
    if reference is not None:
        # The stack without the exception's message: messages can quote candidate data.
        stack = "".join(traceback.format_tb(error.__traceback__))
        logger.error(
            "unhandled %s in a listener (reference %s)\n%s",
            type(error).__name__,
            reference,
            stack,
        )
    elif isinstance(domain_error, Unavailable):
        logger.warning("unavailable (%s): %s", type(error).__name__, domain_error.message)
        if body.get("type") == "event_callback" and response is not None:
            # Nobody to tell, but Slack redelivers an event answered with an error (three
            # times, within minutes), by when the database may be back.
            return BoltResponse(status=503, body="")
    try:
        await show_error(client, respond, body, text)
    except Exception as failure:
        # The type only: a Slack error's text can echo the message, and so candidate data.
        logger.warning("could not show an error to the user: %s", type(failure).__name__)
    if response is None:
        return None
    # Bolt marks the request 500 whatever the cause; the user has been told, and Slack
    # would only show its own generic failure on top, so answer 200 with what was acked.
    return BoltResponse(status=200, body=response.body, headers=response.headers)


def _outcome(error: DomainError | None) -> str:
    if error is None:
        return "error"
    return "unavailable" if isinstance(error, Unavailable) else "user_error"


class KeptAck(AsyncAck):
    """An ack that an error raised after it cannot take back.

    In production (``process_before_response=False``, and always in Socket Mode) bolt runs
    the listener in a task and answers Slack with what ``ack()`` stored, polling for it
    every 10 ms. When the listener raises after acking, bolt 1.30 stores None over the ack
    (``slack_bolt/listener/asyncio_runner.py``) before the poll sees it, waits out the 3 s
    and answers 404, or in Socket Mode nothing. The error handler tells the user; what was
    acked stays the answer, so listeners may raise domain errors anywhere.
    """

    def __init__(self) -> None:
        self._response: BoltResponse | None = None
        # slack-bolt leaves AsyncAck.__init__ unannotated (untyped_calls_exclude in
        # pyproject.toml does not reach a super() call).
        super().__init__()  # type: ignore[no-untyped-call]

    @property
    def response(self) -> BoltResponse | None:
        return self._response

    @response.setter
    def response(self, value: BoltResponse | None) -> None:
        if value is not None or self._response is None:
            self._response = value


async def keep_ack(context: dict[str, Any], next: Callable[[], Awaitable[None]]) -> None:
    # Bolt hands every listener, and its runner, the context's "ack".
    context["ack"] = KeptAck()
    await next()


def register(app: AsyncApp) -> None:
    app.use(keep_ack)
    app.error(on_error)
