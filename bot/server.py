"""``POST /slack/events`` (HTTP mode), ``GET /healthz`` and ``GET /metrics`` on aiohttp."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier

from bot import metrics
from bot.context import BotContext
from storage.db import ping

logger = logging.getLogger(__name__)

BOT_CONTEXT = web.AppKey("bot_context", BotContext)
BOLT_APP = web.AppKey("bolt_app", AsyncApp)


class AccessLogger(AbstractAccessLogger):
    """One line per request to our HTTP server: method, path without its query, status
    and time; no query strings, referrers or user agents."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        self.logger.info("%s %s %d %.3fs", request.method, request.path, response.status, time)


def _parse(
    body: str, query: str, headers: dict[str, str | Sequence[str]]
) -> AsyncBoltRequest | None:
    """Bolt's request, or None for a body that is neither form, JSON nor a JSON payload.

    Bolt answers those with a 500 and a traceback; Slack never sends them, so they are
    a client's mistake and get a 400.
    """
    try:
        request = AsyncBoltRequest(body=body, query=query, headers=headers)
    except (ValueError, AttributeError, TypeError):
        # ValueError: not JSON; the others: JSON that is not an object, which bolt's
        # field extractors assume.
        return None
    return request if isinstance(request.body, dict) else None


async def slack_events(request: web.Request) -> web.StreamResponse:
    app = request.app[BOLT_APP]
    bot = request.app[BOT_CONTEXT]
    raw = await request.read()
    try:
        body = raw.decode("utf-8")
    except UnicodeDecodeError:
        return web.Response(status=400, text="body is not UTF-8")
    headers = {key.lower(): value for key, value in request.headers.items()}
    verifier = SignatureVerifier(bot.settings.signing_secret or "")
    if not verifier.is_valid_request(body, headers):
        return web.Response(status=401, text="invalid signature")
    bolt_request = _parse(body, request.query_string, {**request.headers})
    if bolt_request is None:
        logger.warning("rejected a signed request whose body could not be parsed")
        return web.Response(status=400, text="malformed body")
    response = await app.async_dispatch(bolt_request)
    return await to_aiohttp_response(response)


async def healthz(request: web.Request) -> web.Response:
    if await ping(request.app[BOT_CONTEXT].engine):
        return web.json_response({"status": "ok"})
    return web.json_response({"status": "database unavailable"}, status=503)


async def metrics_endpoint(request: web.Request) -> web.Response:
    body = await metrics.exposition(request.app[BOT_CONTEXT])
    return web.Response(body=body, headers={"Content-Type": metrics.CONTENT_TYPE})


def build_health_app(bot: BotContext) -> web.Application:
    """``/healthz`` and ``/metrics`` alone: what Socket Mode serves, since Slack reaches it
    over its own websocket."""
    web_app = web.Application(client_max_size=1024 * 1024)
    web_app[BOT_CONTEXT] = bot
    web_app.router.add_get("/healthz", healthz)
    web_app.router.add_get("/metrics", metrics_endpoint)
    return web_app


def build_web_app(app: AsyncApp, bot: BotContext) -> web.Application:
    web_app = build_health_app(bot)
    web_app[BOLT_APP] = app
    web_app.router.add_post("/slack/events", slack_events)
    return web_app
