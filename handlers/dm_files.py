"""Files the bot sends someone in a DM (an export, a chart): the one way to upload."""

from __future__ import annotations

from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from handlers.mrkdwn import clip_plain

ALT_TEXT_LIMIT = 1000


async def upload_to_dm(
    client: AsyncWebClient,
    user_id: str,
    *,
    content: bytes | str,
    filename: str,
    title: str,
    initial_comment: str | None = None,
    alt_text: str | None = None,
) -> None:
    """conversations.open, then files_upload_v2 into that DM (``alt_text``: what an image
    shows, for screen readers; Slack takes up to 1,000 characters)."""
    dm = await client.conversations_open(users=user_id)
    arguments: dict[str, Any] = {"initial_comment": initial_comment} if initial_comment else {}
    if alt_text:
        arguments["alt_txt"] = clip_plain(alt_text, ALT_TEXT_LIMIT)
    await client.files_upload_v2(
        channel=dm["channel"]["id"], content=content, filename=filename, title=title, **arguments
    )
