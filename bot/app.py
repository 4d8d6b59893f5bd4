"""Assembles the Slack app: the one place listeners are wired to it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.context import BotContext
from bot.slack_client import build_client
from handlers import (
    calendar_connect,
    candidate_edit,
    candidate_intake,
    commands,
    debrief_meeting,
    decision,
    dedupe,
    errors,
    home,
    incident,
    instrumentation,
    interview,
    interview_find_time,
    interview_notes,
    kit,
    nudge,
    privacy,
    reminder_actions,
    retention,
    scorecard,
    scorecard_after_debrief,
    scorecard_reading,
    team_access,
)


def build_app(
    bot: BotContext,
    *,
    client: AsyncWebClient | None = None,
    process_before_response: bool = False,
) -> AsyncApp:
    """A fresh app per call: nothing is created at import, so tests build their own.

    ``process_before_response`` makes every listener finish before the HTTP answer;
    tests use it so that all Slack calls have happened when the request returns.
    """
    settings = bot.settings
    app = AsyncApp(
        # bolt's own default name (the file that builds the app), given: without it bolt
        # finds it with inspect.stack(), which reads every frame's source, about 0.1 s at
        # each start and each app a test builds.
        name="app.py",
        client=client or build_client(settings),
        signing_secret=settings.signing_secret,
        process_before_response=process_before_response,
    )

    async def inject_context(context: dict[str, Any], next: Callable[[], Awaitable[None]]) -> None:
        context["bot"] = bot
        bot.home_changes.request_seen()
        await next()

    instrumentation.register(app)
    app.use(inject_context)
    dedupe.register(app)
    errors.register(app)
    team_access.register(app)
    commands.register(app)
    candidate_edit.register(app)
    candidate_intake.register(app)
    interview.register(app)
    interview_find_time.register(app)
    privacy.register(app)
    debrief_meeting.register(app)
    scorecard.register(app)
    scorecard_reading.register(app)
    decision.register(app)
    home.register(app)
    calendar_connect.register(app)
    reminder_actions.register(app)
    incident.register(app)
    retention.register(app)
    kit.register(app)
    nudge.register(app)
    interview_notes.register(app)
    scorecard_after_debrief.register(app)
    return app
