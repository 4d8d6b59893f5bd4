"""The Slack Web API client, with slack-sdk's own retry handlers."""

from __future__ import annotations

from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.config import Settings


def build_client(settings: Settings) -> AsyncWebClient:
    # Only the connection-error handler is on by default; 429 (which honours
    # Retry-After) and 500/503 are what a busy workspace actually sends.
    return AsyncWebClient(
        token=settings.bot_token,
        base_url=settings.slack_api_url,
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(max_retry_count=2),
            AsyncRateLimitErrorRetryHandler(max_retry_count=3),
            AsyncServerErrorRetryHandler(max_retry_count=2),
        ],
    )
