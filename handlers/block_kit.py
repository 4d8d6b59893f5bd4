"""Block Kit for messages and read-only views: sections, context, buttons, and packing long
text into sections within Slack's limits. Texts given to them are already escaped where a
person wrote them. Modal inputs are in `handlers.modal_parts`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from handlers.modal_parts import plain
from handlers.mrkdwn import link

Block = dict[str, Any]

SECTION_LIMIT = 3000  # characters of a section's text
OPTION_LIMIT = 75  # characters of an option's text or description
HEADER_LIMIT = 150


def mrkdwn(text: str) -> dict[str, str]:
    return {"type": "mrkdwn", "text": text}


def section(text: str) -> Block:
    return {"type": "section", "text": mrkdwn(text)}


def context(*texts: str) -> Block:
    return {"type": "context", "elements": [mrkdwn(text) for text in texts]}


def header(text: str) -> Block:
    return {"type": "header", "text": plain(clip(text, HEADER_LIMIT))}


def divider() -> Block:
    return {"type": "divider"}


def button(text: str, action_id: str, value: str, *, style: str | None = None) -> dict[str, Any]:
    result: dict[str, Any] = {
        "type": "button",
        "text": plain(text),
        "action_id": action_id,
        "value": value,
    }
    if style:
        result["style"] = style
    return result


def actions(*elements: dict[str, Any]) -> Block:
    return {"type": "actions", "elements": list(elements)}


def clip(text: str, limit: int) -> str:
    """Plain text cut to ``limit`` characters with an ellipsis (plain text has no entities)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def packed_sections(lines: Sequence[str], limit: int = SECTION_LIMIT) -> list[Block]:
    """Sections holding ``lines`` in order, as few as fit ``limit`` characters each; a line
    longer than a section is split over several."""
    texts: list[str] = []
    for line in lines:
        for part in split_escaped(line, limit):
            if texts and len(texts[-1]) + 1 + len(part) <= limit:
                texts[-1] += "\n" + part
            else:
                texts.append(part)
    return [section(text) for text in texts]


def split_escaped(text: str, limit: int = SECTION_LIMIT) -> list[str]:
    """An escaped mrkdwn text in pieces of at most ``limit`` characters, cut preferably at
    a line break or a space and never inside an entity such as ``&amp;``."""
    pieces: list[str] = []
    while len(text) > limit:
        cut = max(text.rfind("\n", 0, limit), text.rfind(" ", 0, limit))
        if cut <= 0:
            cut = limit
            entity = text.rfind("&", cut - 4, cut)
            if entity != -1 and ";" not in text[entity:cut]:
                cut = entity
        pieces.append(text[:cut])
        text = text[cut:].lstrip("\n ")
    return [*pieces, text] if text else pieces


def danger_button(
    text: str, action_id: str, value: str, *, asks: str, told: str, confirm: str
) -> dict[str, Any]:
    """A red button that asks first: ``asks`` is the dialog's title, ``told`` its text,
    ``confirm`` the text of the button that goes ahead."""
    return button(text, action_id, value, style="danger") | {
        "confirm": {
            "title": plain(asks),
            "text": plain(told),
            "confirm": plain(confirm),
            "deny": plain("Keep it"),
            "style": "danger",
        },
    }


def meeting_note(
    summary: str,
    *,
    cancelled: bool,
    duration_minutes: int,
    video_link: str | None,
    scheduled_by: str,
    changed_by: str | None,
    buttons: Sequence[dict[str, Any]],
    icon: str = "",
) -> tuple[str, list[Block]]:
    """The thread note of an interview or a debrief: when, who, how long, the call, and its
    buttons while it stands; struck through once cancelled. ``summary`` is already mrkdwn;
    ``changed_by`` is who last rescheduled or cancelled it."""
    if cancelled:
        who = f" by <@{changed_by}>" if changed_by else ""
        text = f"~{summary}~ Cancelled{who}."
        return text, [section(text)]
    details = [f"{duration_minutes} min"]
    if video_link:
        details.append(link(video_link, "Video call"))
    details.append(f"Scheduled by <@{scheduled_by}>")
    if changed_by:
        details.append(f"rescheduled by <@{changed_by}>")
    lead = f"{icon} {summary}" if icon else summary
    return summary, [section(lead), context(" · ".join(details)), actions(*buttons)]
