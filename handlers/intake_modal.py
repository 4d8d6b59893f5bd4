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
from handlers.modal_parts import errors_by_block, fair_hint, input_block, option, plain

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
    "email": IntakeBlock.EMAIL,
    "timezone": IntakeBlock.TIMEZONE,
    "hours": IntakeBlock.HOURS,
}


def new_candidate_modal(salary: SalaryTable, *, name: str, hiring_manager_id: str) -> dict:
    """The modal ``/mlops-candidate new [name]`` opens; ``name`` prefills the first input.

    Levels and locations are the salary table's, so that the card can show a benchmark.
    """
    name_input: dict[str, Any] = _plain_input(IntakeBlock.NAME, NAME_MAX, "e.g. Jane Doe")
    if name.strip():
        # Slack refuses an initial value longer than the input allows.
        name_input["initial_value"] = " ".join(name.split())[:NAME_MAX]
    locations = [option(region.name, region.key) for region in salary.regions]
    locations.append(option(OTHER_LOCATION_NAME, OTHER_LOCATION))
    blocks = [
        input_block(IntakeBlock.NAME, "Full name", name_input),
        input_block(
            IntakeBlock.LEVEL,
            "Level",
            {
                "type": "radio_buttons",
                "action_id": IntakeBlock.LEVEL,
                "options": [option(level.name, level.key) for level in salary.levels],
            },
        ),
        input_block(
            IntakeBlock.LOCATION,
            "Location",
            {
                "type": "static_select",
                "action_id": IntakeBlock.LOCATION,
                "placeholder": plain("Where the candidate would work from"),
                "options": locations,
            },
            hint="Sets the salary benchmark shown on the card.",
        ),
        input_block(
            IntakeBlock.PROFILE_URL,
            "Profile link",
            {
                "type": "url_text_input",
                "action_id": IntakeBlock.PROFILE_URL,
                "placeholder": plain("https://www.linkedin.com/in/…"),
            },
            optional=True,
        ),
        input_block(
            IntakeBlock.SOURCE,
            "Source",
            _plain_input(IntakeBlock.SOURCE, SOURCE_MAX, "Referral, job board, agency…"),
            optional=True,
        ),
        input_block(
            IntakeBlock.HIRING_MANAGER,
            "Hiring manager",
            {
                "type": "users_select",
                "action_id": IntakeBlock.HIRING_MANAGER,
                "initial_user": hiring_manager_id,
            },
        ),
        input_block(
            IntakeBlock.NOTES,
            "Notes",
            _plain_input(IntakeBlock.NOTES, NOTES_MAX, "Anything the interviewers should know")
            | {"multiline": True},
            optional=True,
            hint=fair_hint("Seen by the hiring team and the interviewers."),
        ),
        *_contact_inputs(),
    ]
    return {
        "type": "modal",
        "callback_id": View.NEW_CANDIDATE,
        "title": plain("New candidate"),
        "submit": plain("Add candidate"),
        "close": plain("Cancel"),
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
        email=state(IntakeBlock.EMAIL).get("value"),
        timezone=state(IntakeBlock.TIMEZONE).get("value"),
        hours=state(IntakeBlock.HOURS).get("value"),
    )


def _contact_inputs() -> list[Block]:
    """Optional: where the candidate's invitations go, and when they can meet."""
    return [
        input_block(
            IntakeBlock.EMAIL,
            "Candidate's email",
            {
                "type": "email_text_input",
                "action_id": IntakeBlock.EMAIL,
                "placeholder": plain("jane@example.com"),
            },
            optional=True,
            hint="Interview invitations go there (or to you to forward, without email set up).",
        ),
        input_block(
            IntakeBlock.TIMEZONE,
            "Candidate's time zone",
            _plain_input(IntakeBlock.TIMEZONE, 64, "e.g. Europe/Berlin"),
            optional=True,
        ),
        input_block(
            IntakeBlock.HOURS,
            "Hours they can interview",
            _plain_input(IntakeBlock.HOURS, 11, "e.g. 09:00-17:00"),
            optional=True,
            hint="In their time zone; Find a time keeps to them.",
        ),
    ]


def field_errors(fields: Mapping[str, str]) -> dict[str, str]:
    """``response_action: errors`` of an InvalidInput; a field no block shows lands on the
    name."""
    return errors_by_block(fields, FIELD_BLOCKS, IntakeBlock.NAME)


def _plain_input(block: IntakeBlock, max_length: int, placeholder: str) -> dict[str, Any]:
    return {
        "type": "plain_text_input",
        "action_id": block,
        "max_length": max_length,
        "placeholder": plain(placeholder),
    }
