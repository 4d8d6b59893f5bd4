"""*Find a time* inside the Schedule interview modal: its button, and the slots and notes
it found. Pure builders."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from bot.availability import Status
from bot.find_time import FoundTimes
from handlers.block_kit import input_block, plain
from handlers.ids import Action, ScheduleBlock
from handlers.mrkdwn import date_token

Block = dict[str, Any]

_NOTES = {
    Status.NO_CALENDAR: "No calendar: check with them",
    Status.UNAVAILABLE: "Calendar unavailable",
    Status.TOO_SLOW: "Calendar too slow to answer",
}


def find_time_button(note: str | None = None) -> list[Block]:
    blocks: list[Block] = [
        {
            "type": "actions",
            "block_id": ScheduleBlock.FIND_TIME,
            "elements": [
                {
                    "type": "button",
                    "action_id": Action.FIND_TIME,
                    "text": plain("Find a time"),
                    "value": "find",
                }
            ],
        }
    ]
    if note:
        blocks.append(_context(note))
    return blocks


def found_blocks(found: FoundTimes) -> list[Block]:
    """The proposed slots as a choice, and who was not counted and why."""
    blocks: list[Block] = []
    if found.slots:
        options = [
            {"text": {"type": "mrkdwn", "text": date_token(slot)}, "value": _value(slot)}
            for slot in found.slots
        ]
        blocks.append(
            input_block(
                ScheduleBlock.SLOT,
                "Proposed times",
                {"type": "radio_buttons", "action_id": ScheduleBlock.SLOT, "options": options},
                optional=True,
                hint=f"Everyone free for {found.duration_minutes} min, in their working hours"
                + (" and the candidate's." if found.candidate_window else "."),
            )
        )
    else:
        blocks.append(
            _context(
                "No time in the next ten working days suits everyone: type one below, "
                "or change the panel."
            )
        )
    missing: dict[Status, list[str]] = {}
    for person in found.people:
        if person.status in _NOTES:
            missing.setdefault(person.status, []).append(f"<@{person.user_id}>")
    lines = [f"{_NOTES[status]}: {' '.join(who)}" for status, who in missing.items()]
    if missing:
        lines.append("_They count as free above._")
    if lines:
        blocks.append(_context("\n".join(lines)))
    return blocks


def picked_slot(values: Mapping[str, Mapping[str, Any]]) -> datetime | None:
    chosen = (values.get(ScheduleBlock.SLOT, {}).get(ScheduleBlock.SLOT) or {}).get(
        "selected_option"
    )
    raw = str((chosen or {}).get("value") or "")
    return datetime.fromtimestamp(int(raw), UTC) if raw.isdigit() else None


def _value(slot: datetime) -> str:
    return str(int(slot.timestamp()))


def _context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}
