"""The words that go with an invitation file in Slack: pure builders."""

from __future__ import annotations

from bot.candidate_email import RenderedEmail
from bot.meeting_sync import Change
from handlers.mrkdwn import escape, escape_clipped

# A file's comment is a message: its text stays well inside Slack's 4,000 characters.
BODY_MAX = 3000

_ADD = {
    Change.SCHEDULED: ":calendar: Open the invitation to add *{summary}* to your calendar.",
    Change.MOVED: ":calendar: *{summary}* moved: open the invitation to update your calendar.",
    Change.CANCELLED: ":calendar: *{summary}* is cancelled: open this to remove it from your "
    "calendar.",
}


def invitation_comment(summary: str, change: Change, calendar_problem: str | None) -> str:
    text = _ADD[change].format(summary=escape(summary))
    if calendar_problem is not None:
        text += (
            f"\n:warning: Your connected calendar was not updated ({escape(calendar_problem)}); "
            "this file does it by hand."
        )
    return text


def forward_comment(
    email: RenderedEmail, *, reason: str | None, candidate_name: str, address: str
) -> str:
    """The hiring manager's copy of a candidate email to forward, with why it is theirs:
    sending failed for ``reason``, or (None) there is no SMTP server."""
    if reason is not None:
        why = f"The email to {escape(candidate_name)} could not be sent ({escape(reason)})"
    else:
        why = f"This bot sends no email (no SMTP_URL), so here is {escape(candidate_name)}'s"
    body = escape_clipped(email.body, BODY_MAX)
    return (
        f"{why}: please forward it to {escape(address)} with the attached invitation.\n"
        f"*Subject:* {escape(email.subject)}\n```{body}```"
    )
