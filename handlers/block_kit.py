"""Block Kit for messages and read-only views: sections, fields, context, buttons, and
packing long text into sections within Slack's limits.

Texts given to them are already escaped where a person wrote them; each builder clips its
text to the limit of the place it goes (``handlers.mrkdwn.clip``), so that no text can make
Slack refuse a message. What only modal forms use (metadata, field errors, refusals) is
in ``handlers.modals``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from handlers.mrkdwn import clip, clip_plain, link, safe_cut

Block = dict[str, Any]

# Slack's Block Kit reference: section text 3,000, a field 2,000 (10 fields at most),
# header 150, a button's text 75, a context block's elements 10;
# 50 blocks in a message, 100 in a modal or Home tab.
SECTION_LIMIT = 3000
FIELD_LIMIT = 2000
MAX_FIELDS = 10
HEADER_LIMIT = 150
BUTTON_LIMIT = 75
CONTEXT_LIMIT = 3000
MAX_CONTEXT_ELEMENTS = 10
MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
# Slack refuses a message whose blocks hold more text than this in all (msg_blocks_too_long;
# its staff give 12,000 characters, the markdown block's documented limit).
MESSAGE_TEXT_LIMIT = 12_000
# A confirmation dialog: title 100, text 300, its buttons 30.
CONFIRM_TITLE_LIMIT = 100
CONFIRM_TEXT_LIMIT = 300
CONFIRM_BUTTON_LIMIT = 30
# An option's text and description: 75 characters (Block Kit's option object).
OPTION_LIMIT = 75
_TEXT_TYPES = ("mrkdwn", "plain_text")


def plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def mrkdwn(text: str) -> dict[str, str]:
    return {"type": "mrkdwn", "text": text}


def section(text: str) -> Block:
    return {"type": "section", "text": mrkdwn(clip(text, SECTION_LIMIT))}


def fields(*texts: str) -> Block:
    """A section of side-by-side fields: at most ten, each clipped to a field's limit."""
    return {
        "type": "section",
        "fields": [mrkdwn(clip(text, FIELD_LIMIT)) for text in texts[:MAX_FIELDS]],
    }


def context(*texts: str) -> Block:
    return {
        "type": "context",
        "elements": [mrkdwn(clip(text, CONTEXT_LIMIT)) for text in texts[:MAX_CONTEXT_ELEMENTS]],
    }


def header(text: str, *, emoji: bool = True) -> Block:
    """A header: plain text, which Slack never reads as mentions, so it is not escaped;
    ``emoji=False`` shows `:codes:` as typed (a name, say)."""
    shown = plain(clip_plain(text, HEADER_LIMIT))
    return {"type": "header", "text": shown if emoji else shown | {"emoji": False}}


def divider() -> Block:
    return {"type": "divider"}


def button(text: str, action_id: str, value: str, *, style: str | None = None) -> dict[str, Any]:
    result: dict[str, Any] = {
        "type": "button",
        "text": plain(clip_plain(text, BUTTON_LIMIT)),
        "action_id": action_id,
        "value": value,
    }
    if style:
        result["style"] = style
    return result


def actions(*elements: dict[str, Any]) -> Block:
    return {"type": "actions", "elements": list(elements)}


def text_length(blocks: Any) -> int:
    """Characters of text in ``blocks``: what counts toward ``MESSAGE_TEXT_LIMIT``."""
    if isinstance(blocks, dict):
        own = len(blocks["text"]) if blocks.get("type") in _TEXT_TYPES else 0
        return own + sum(text_length(value) for value in blocks.values())
    if isinstance(blocks, list):
        return sum(text_length(value) for value in blocks)
    return 0


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
    a line break or a space and never inside an entity, a token or a character cluster."""
    pieces: list[str] = []
    while len(text) > limit:
        cut = max(text.rfind("\n", 0, limit), text.rfind(" ", 0, limit))
        if cut <= 0:
            cut = safe_cut(text, limit) or limit
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
            "title": plain(clip_plain(asks, CONFIRM_TITLE_LIMIT)),
            "text": plain(clip_plain(told, CONFIRM_TEXT_LIMIT)),
            "confirm": plain(clip_plain(confirm, CONFIRM_BUTTON_LIMIT)),
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


def option(text: str, value: str, *, description: str | None = None) -> Block:
    """An option of a select, radio buttons or checkboxes; its texts clipped to Slack's 75."""
    result: Block = {"text": plain(clip_plain(text, OPTION_LIMIT)), "value": value}
    if description:
        result["description"] = plain(clip_plain(description, OPTION_LIMIT))
    return result


def input_block(
    block_id: str,
    label: str,
    element: Block,
    *,
    optional: bool = False,
    hint: str | None = None,
) -> Block:
    result: Block = {
        "type": "input",
        "block_id": block_id,
        "label": plain(label),
        "element": element,
        "optional": optional,
    }
    if hint:
        result["hint"] = plain(hint)
    return result
