"""A file in someone's DMs (an export, an invitation): the one way the bot uploads.

files_upload_v2 makes Slack's three calls (files.getUploadURLExternal, the upload itself,
files.completeUploadExternal); the file appears in the DM with its comment.
"""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

logger = logging.getLogger(__name__)


async def upload_to_dm(
    client: AsyncWebClient,
    user_id: str,
    *,
    content: str,
    filename: str,
    title: str,
    comment: str,
) -> str | None:
    """Upload ``content`` into ``user_id``'s DM; None when done, else Slack's error code."""
    try:
        dm = await client.conversations_open(users=user_id)
        await client.files_upload_v2(
            channel=dm["channel"]["id"],
            content=content,
            filename=filename,
            title=title,
            initial_comment=comment,
        )
    except SlackApiError as error:
        code = str(error.response.get("error") or "unknown_error")
        logger.warning("file %s for %s not uploaded: %s", filename, user_id, code)
        return code
    return None
