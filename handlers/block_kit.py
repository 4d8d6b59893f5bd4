"""Small Block Kit constructors shared by the builders, and text packing within Slack's
limits. Texts given to them are already escaped where a person wrote them."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

Block = dict[str, Any]

SECTION_LIMIT = 3000  # characters of a section's text
OPTION_LIMIT = 75  # characters of an option's text or description
HEADER_LIMIT = 150


def plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": True}


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


def option(text: str, value: str, description: str | None = None) -> dict[str, Any]:
    """An option; texts are plain and clipped to Slack's 75 characters."""
    result: dict[str, Any] = {"text": plain(clip(text, OPTION_LIMIT)), "value": value}
    if description:
        result["description"] = plain(clip(description, OPTION_LIMIT))
    return result


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


def input_block(
    block_id: str,
    label: str,
    element: dict[str, Any],
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


def field_errors(fields: Mapping[str, str], block_of: Callable[[str], str]) -> dict[str, str]:
    """``response_action: errors`` of an InvalidInput: each field's message on the block
    ``block_of(field)``; messages landing on one block are joined, never dropped."""
    errors: dict[str, str] = {}
    for field, message in fields.items():
        block = block_of(field)
        errors[block] = f"{errors[block]} {message}" if block in errors else message
    return errors
