"""The New candidate modal: its view, and reading a submission of it back. Pure functions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.candidates import (
    NAME_MAX,
    NOTES_MAX,
    OTHER_LOCATION,
    OTHER_LOCATION_NAME,
    SOURCE_MAX,
    CandidateForm,
)
from bot.kits import SalaryTable
from handlers.ids import IntakeBlock, View

Block = dict[str, Any]

# The form's field names, as bot.candidates reports errors on them, to the block showing each.
FIELD_BLOCKS: Mapping[str, IntakeBlock] = {
    "name": IntakeBlock.NAME,
    "level": IntakeBlock.LEVEL,
    "location": IntakeBlock.LOCATION,
    "profile_url": IntakeBlock.PROFILE_URL,
    "source": IntakeBlock.SOURCE,
    "hiring_manager": IntakeBlock.HIRING_MANAGER,
    "notes": IntakeBlock.NOTES,
}


def new_candidate_modal(salary: SalaryTable, *, name: str, hiring_manager_id: str) -> dict:
    """The modal ``/mlops-candidate new [name]`` opens; ``name`` prefills the first input.

    Levels and locations are the salary table's, so that the card can show a benchmark.
    """
    name_input: dict[str, Any] = _plain_input(IntakeBlock.NAME, NAME_MAX, "e.g. Jane Doe")
    if name.strip():
        # Slack refuses an initial value longer than the input allows.
        name_input["initial_value"] = " ".join(name.split())[:NAME_MAX]
    locations = [_option(region.name, region.key) for region in salary.regions]
    locations.append(_option(OTHER_LOCATION_NAME, OTHER_LOCATION))
    blocks = [
        _input(IntakeBlock.NAME, "Full name", name_input),
        _input(
            IntakeBlock.LEVEL,
            "Level",
            {
                "type": "radio_buttons",
                "action_id": IntakeBlock.LEVEL,
                "options": [_option(level.name, level.key) for level in salary.levels],
            },
        ),
        _input(
            IntakeBlock.LOCATION,
            "Location",
            {
                "type": "static_select",
                "action_id": IntakeBlock.LOCATION,
                "placeholder": _plain("Where the candidate would work from"),
                "options": locations,
            },
            hint="Sets the salary benchmark shown on the card.",
        ),
        _input(
            IntakeBlock.PROFILE_URL,
            "Profile link",
            {
                "type": "url_text_input",
                "action_id": IntakeBlock.PROFILE_URL,
                "placeholder": _plain("https://www.linkedin.com/in/…"),
            },
            optional=True,
        ),
        _input(
            IntakeBlock.SOURCE,
            "Source",
            _plain_input(IntakeBlock.SOURCE, SOURCE_MAX, "Referral, job board, agency…"),
            optional=True,
        ),
        _input(
            IntakeBlock.HIRING_MANAGER,
            "Hiring manager",
            {
                "type": "users_select",
                "action_id": IntakeBlock.HIRING_MANAGER,
                "initial_user": hiring_manager_id,
            },
        ),
        _input(
            IntakeBlock.NOTES,
            "Notes",
            _plain_input(IntakeBlock.NOTES, NOTES_MAX, "Anything the interviewers should know")
            | {"multiline": True},
            optional=True,
        ),
    ]
    return {
        "type": "modal",
        "callback_id": View.NEW_CANDIDATE,
        "title": _plain("New candidate"),
        "submit": _plain("Add candidate"),
        "close": _plain("Cancel"),
        "blocks": blocks,
    }


def read_new_candidate(values: Mapping[str, Mapping[str, Any]]) -> CandidateForm:
    """The submitted ``view.state.values`` as a form; missing inputs become None."""

    def state(block: IntakeBlock) -> Mapping[str, Any]:
        return values.get(block, {}).get(block) or {}

    def selected(block: IntakeBlock) -> str | None:
        option = state(block).get("selected_option")
        return option.get("value") if isinstance(option, Mapping) else None

    return CandidateForm(
        name=state(IntakeBlock.NAME).get("value"),
        level=selected(IntakeBlock.LEVEL),
        location=selected(IntakeBlock.LOCATION),
        profile_url=state(IntakeBlock.PROFILE_URL).get("value"),
        source=state(IntakeBlock.SOURCE).get("value"),
        hiring_manager_id=state(IntakeBlock.HIRING_MANAGER).get("selected_user"),
        notes=state(IntakeBlock.NOTES).get("value"),
    )


def field_errors(fields: Mapping[str, str]) -> dict[str, str]:
    """``response_action: errors`` of an InvalidInput: its field names to block ids.

    A field no block shows lands on the name, so that no error is ever dropped silently.
    """
    errors: dict[str, str] = {}
    for field, message in fields.items():
        block = FIELD_BLOCKS.get(field, IntakeBlock.NAME)
        errors[block] = f"{errors[block]} {message}" if block in errors else message
    return errors


def _input(
    block: IntakeBlock,
    label: str,
    element: dict[str, Any],
    *,
    optional: bool = False,
    hint: str | None = None,
) -> Block:
    result: Block = {
        "type": "input",
        "block_id": block,
        "label": _plain(label),
        "element": element,
        "optional": optional,
    }
    if hint:
        result["hint"] = _plain(hint)
    return result


def _plain_input(block: IntakeBlock, max_length: int, placeholder: str) -> dict[str, Any]:
    return {
        "type": "plain_text_input",
        "action_id": block,
        "max_length": max_length,
        "placeholder": _plain(placeholder),
    }


def _option(text: str, value: str) -> dict[str, Any]:
    return {"text": _plain(text), "value": value}


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": True}
