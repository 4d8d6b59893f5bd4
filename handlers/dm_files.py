"""Files the bot sends someone in a DM (an export, a chart): the one way to upload."""

from __future__ import annotations

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
    await client.files_upload_v2(
        channel=dm["channel"]["id"],
        content=content,
        filename=filename,
        title=title,
        initial_comment=initial_comment or None,
        alt_txt=clip_plain(alt_text, ALT_TEXT_LIMIT) if alt_text else None,
    )
