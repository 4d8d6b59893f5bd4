"""The baseline: a bare slack-bolt AsyncApp that acks and, for ``new``, opens a modal; a
submitted view is acked once one row naming it is committed, through the bot's own database
layer (``storage.db``), as the bot's scorecard is.

``python -m bench.bare`` serves it the way bolt's own ``app.start()`` does (aiohttp,
``process_before_response=False``), logging at INFO like the bot, so that the two differ
only in what the bot does on top of bolt.
"""

from __future__ import annotations

import logging
import os
import re
from typing import Any

from aiohttp import web
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import text

from storage.db import create_engine, session_factory, transaction

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


# A table of the baseline's own: the bot's tables have rules (one scorecard a seat) that
# the baseline does not keep.
BARE_TABLE = "bare_submission"


def build_bare_app(token: str, signing_secret: str, api_url: str, database_url: str) -> AsyncApp:
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
    sessions = session_factory(create_engine(database_url))

    async def on_submission(ack: AsyncAck, body: dict[str, Any]) -> None:
        async with transaction(sessions) as session:
            connection = await session.connection()
            await connection.execute(
                text(f"INSERT INTO {BARE_TABLE} (user_id, view_id) VALUES (:user, :view)"),
                {"user": body["user"]["id"], "view": body["view"]["id"]},
            )
        await ack()

    app.view(re.compile(".*"))(on_submission)
    return app


async def create_table(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                text(
                    f"CREATE TABLE IF NOT EXISTS {BARE_TABLE} "
                    "(id INTEGER PRIMARY KEY, user_id TEXT, view_id TEXT)"
                )
            )
    finally:
        await engine.dispose()


async def healthz(_request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


def main() -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    env = os.environ
    app = build_bare_app(
        env["SLACK_BOT_TOKEN"],
        env["SLACK_SIGNING_SECRET"],
        env["SLACK_API_URL"],
        env["DATABASE_URL"],
    )
    web_app = app.web_app(path="/slack/events")
    web_app.router.add_get("/healthz", healthz)
    web_app.on_startup.append(lambda _app: create_table(env["DATABASE_URL"]))
    web.run_app(web_app, host="127.0.0.1", port=int(env["PORT"]), print=None)


if __name__ == "__main__":
    main()
