"""The Web API client retries what a busy Slack sends, using slack-sdk's own handlers."""

from __future__ import annotations

from bot.config import Settings
from bot.slack_client import build_client
from slackfake import FakeSlack


async def test_client_uses_the_configured_base_url(
    settings: Settings, fake_slack: FakeSlack
) -> None:
    client = build_client(settings)
    assert client.base_url == fake_slack.api_url
    response = await client.auth_test()
    assert response["user_id"] == fake_slack.bot_user_id


async def test_rate_limit_is_retried_after_retry_after(
    settings: Settings, fake_slack: FakeSlack
) -> None:
    fake_slack.fail("chat.postMessage", "ratelimited", status=429, headers={"Retry-After": "1"})
    response = await build_client(settings).chat_postMessage(channel="C0HIRING", text="hi")
    assert response["ok"]
    assert [c.response["ok"] for c in fake_slack.calls_to("chat.postMessage")] == [False, True]


async def test_server_error_is_retried(settings: Settings, fake_slack: FakeSlack) -> None:
    fake_slack.fail("chat.postMessage", "service_unavailable", status=503)
    response = await build_client(settings).chat_postMessage(channel="C0HIRING", text="hi")
    assert response["ok"]
    assert len(fake_slack.calls_to("chat.postMessage")) == 2
