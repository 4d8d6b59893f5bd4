"""Block Kit pieces that every modal uses: plain text, options, input blocks, and field
errors placed under their inputs."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from handlers.mrkdwn import clip_plain

Block = dict[str, Any]

# An option's text and description: 75 characters (Block Kit's option object).
OPTION_LIMIT = 75
# What nobody should write down about a candidate, said under every free-text field: what
# is not recorded cannot sway a decision, nor be read back in a dispute.
NOT_TO_RECORD = (
    "Leave out salary history (unlawful to ask in many US states) and protected "
    "characteristics: age, family plans, health, religion, origin and the like."
)


def plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def fair_hint(purpose: str) -> str:
    """A free-text field's hint: what it is for, then what not to record."""
    return f"{purpose} {NOT_TO_RECORD}"


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


def errors_by_block(
    fields: Mapping[str, str], blocks: Mapping[str, str], fallback: str
) -> dict[str, str]:
    """``response_action: errors`` from an InvalidInput's fields: each message under the
    block ``blocks`` names for its field. A field without one lands on ``fallback``, so
    that no error is ever dropped silently; two on one block are joined."""
    errors: dict[str, str] = {}
    for field, message in fields.items():
        block = blocks.get(field, fallback)
        errors[block] = f"{errors[block]} {message}" if block in errors else message
    return errors


def picked_moment(epoch: Any) -> datetime | None:
    """A datetimepicker's ``selected_date_time`` (Unix seconds) as an aware UTC datetime;
    None when nothing, or nothing sensible, was picked."""
    try:
        return datetime.fromtimestamp(int(epoch), UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None
