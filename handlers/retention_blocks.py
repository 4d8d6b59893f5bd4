"""The retention warning DM and what replaces it once the candidate is kept. Pure."""

from __future__ import annotations

from bot.retention import KEEP_MORE, RetentionNotice
from handlers.block_kit import Block, actions, button, section
from handlers.ids import Action
from handlers.mrkdwn import date_token, escape, link
from handlers.refs import Ref, ref
from storage.models import row_id


def _who(notice: RetentionNotice) -> str:
    candidate = notice.candidate
    name = f"*{escape(candidate.name)}*"
    shown = link(candidate.permalink, candidate.name) if candidate.permalink else name
    return f"{shown} (#{candidate.id})"


def retention_warning_dm(notice: RetentionNotice) -> tuple[str, list[Block]]:
    text = (
        f":hourglass: {_who(notice)} will be erased on {date_token(notice.erase_on)}: the "
        "candidate, their interviews, scorecards and decisions, and the bot's messages about "
        "them. `RETENTION_DAYS` says how long closed candidates are kept; "
        "`/mlops-candidate export` first if anyone needs a copy."
    )
    days = KEEP_MORE.days
    keep = button(
        f"Keep {days} more days",
        Action.KEEP_CANDIDATE,
        ref(Ref.CANDIDATE, row_id(notice.candidate)),
    )
    return text, [section(text), actions(keep)]


def kept_text(notice: RetentionNotice, actor_id: str) -> str:
    return (
        f":white_check_mark: <@{actor_id}> kept {_who(notice)}: erased on "
        f"{date_token(notice.erase_on)} instead, with a reminder a week before."
    )
