"""The Slack Web API client, with slack-sdk's own retry handlers and error counting."""

from __future__ import annotations

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient

from bot import metrics
from bot.config import Settings


class ErrorCounter(AsyncRetryHandler):
    """Counts each failed Web API attempt in ``metrics``; never asks for a retry.

    slack-sdk shows every attempt's outcome to its retry handlers and to nothing else, and
    bolt copies the handlers into the client it makes for each request, so this sees the
    calls of listeners and of scheduled jobs alike.
    """

    def __init__(self) -> None:
        super().__init__(max_retry_count=0)

    async def can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        code = _error_code(response, error)
        if code is not None:
            metrics.slack_api_error(request.url.rstrip("/").rsplit("/", 1)[-1], code)
        return False


def _error_code(response: HttpResponse | None, error: Exception | None) -> str | None:
    if error is not None:
        return "timeout" if isinstance(error, TimeoutError) else "connection_error"
    if response is None:
        return None
    body = response.body if isinstance(response.body, dict) else {}
    if body.get("ok") is False:
        return error_code(response)
    return f"http_{response.status_code}" if response.status_code >= 400 else None


def error_code(failed: SlackApiError | HttpResponse) -> str:
    """Slack's error code for a call it refused: the answer's ``error``, else the HTTP status
    (a 429 or a 5xx from a proxy may carry no body). The one place that reads it."""
    if isinstance(failed, SlackApiError):
        body: object = failed.response.data
        status = failed.response.status_code
    else:
        body, status = failed.body, failed.status_code
    code = body.get("error") if isinstance(body, dict) else None
    return str(code or f"http_{status}")


def build_client(
    settings: Settings, *, session: aiohttp.ClientSession | None = None
) -> AsyncWebClient:
    """The client; give it the process's ``session``, or slack-sdk opens a session, and
    so a connection (at slack.com a TCP and TLS handshake), for every call. Bolt hands
    the session on to the client it makes for each request, and to Socket Mode."""
    # Only the connection-error handler is on by default; 429 (which honours
    # Retry-After) and 500/503 are what a busy workspace actually sends. The counter goes
    # first: the first handler that retries ends the round.
    return AsyncWebClient(
        token=settings.bot_token,
        base_url=settings.slack_api_url,
        session=session,
        retry_handlers=[
            ErrorCounter(),
            AsyncConnectionErrorRetryHandler(max_retry_count=2),
            AsyncRateLimitErrorRetryHandler(max_retry_count=3),
            AsyncServerErrorRetryHandler(max_retry_count=2),
        ],
    )


def build_sender_client(
    settings: Settings, *, session: aiohttp.ClientSession | None = None
) -> AsyncWebClient:
    """The outbox sender's client: errors are counted but never retried here, since the
    sender retries through its rows, pacing each channel by Slack's ``Retry-After``
    instead of sleeping on one request while the other channels wait."""
    return AsyncWebClient(
        token=settings.bot_token,
        base_url=settings.slack_api_url,
        session=session,
        retry_handlers=[ErrorCounter()],
    )
