"""The baseline: a bare slack-bolt AsyncApp that acks and, for ``new``, opens a modal.

``python -m bench.bare`` serves it the way bolt's own ``app.start()`` does (aiohttp,
``process_before_response=False``), logging at INFO like the bot, so that the two differ
only in what the bot does on top of bolt.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from aiohttp import web
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

COMMAND = "/mlops-candidate"
MODAL = {
    "type": "modal",
    "callback_id": "bare_new",
    "title": {"type": "plain_text", "text": "New candidate"},
    "submit": {"type": "plain_text", "text": "Create"},
    "blocks": [
        {
            "type": "input",
            "block_id": "name",
            "label": {"type": "plain_text", "text": "Name"},
            "element": {"type": "plain_text_input", "action_id": "name"},
        }
    ],
}


def build_bare_app(token: str, signing_secret: str, api_url: str) -> AsyncApp:
    app = AsyncApp(
        client=AsyncWebClient(token=token, base_url=api_url),
        signing_secret=signing_secret,
    )

    async def on_command(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        if str(body.get("text", "")).startswith("new"):
            await ack()
            await client.views_open(trigger_id=body["trigger_id"], view=MODAL)
        else:
            await ack(response_type="ephemeral", text="help")

    app.command(COMMAND)(on_command)
    return app


async def healthz(_request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


def main() -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    env = os.environ
    app = build_bare_app(env["SLACK_BOT_TOKEN"], env["SLACK_SIGNING_SECRET"], env["SLACK_API_URL"])
    web_app = app.web_app(path="/slack/events")
    web_app.router.add_get("/healthz", healthz)
    web.run_app(web_app, host="127.0.0.1", port=int(env["PORT"]), print=None)


if __name__ == "__main__":
    main()
