"""The New candidate modal and the Edit candidate modal (the same form, prefilled): their
views, and reading a submission back. Pure functions."""

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
from handlers.block_kit import input_block, option, plain
from handlers.ids import IntakeBlock, View
from handlers.modals import ViewMetadata, errors_by_block, fair_hint

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


class EditMetadata(ViewMetadata):
    """The Edit candidate form's context: whom it edits, and the details it was opened
    with (``bot.candidate_edits.details_digest``)."""

    candidate_id: int
    digest: str


def new_candidate_modal(
    salary: SalaryTable, *, name: str, hiring_manager_id: str
) -> dict[str, Any]:
    """The modal ``/mlops-candidate new [name]`` opens; ``name`` prefills the first input.

    Levels and locations are the salary table's, as the salary benchmarks use them.
    """
    return {
        "type": "modal",
        "callback_id": View.NEW_CANDIDATE,
        "title": plain("New candidate"),
        "submit": plain("Add candidate"),
        "close": plain("Cancel"),
        "blocks": _intake_blocks(
            salary, CandidateForm(name=name, hiring_manager_id=hiring_manager_id)
        ),
    }


def edit_candidate_modal(
    salary: SalaryTable, current: CandidateForm, metadata: EditMetadata
) -> dict[str, Any]:
    """*Edit* on the card and ``/mlops-candidate edit NAME``: the intake form with the
    candidate's current details."""
    return {
        "type": "modal",
        "callback_id": View.EDIT_CANDIDATE,
        "private_metadata": metadata.encode(),
        "title": plain("Edit candidate"),
        "submit": plain("Save"),
        "close": plain("Cancel"),
        "blocks": _intake_blocks(salary, current),
    }


def _intake_blocks(salary: SalaryTable, values: CandidateForm) -> list[Block]:
    """The form's inputs, each showing the value in ``values`` where it has one."""
    name_input = _initial(
        _plain_input(IntakeBlock.NAME, NAME_MAX, "e.g. Jane Doe"),
        # Slack refuses an initial value longer than the input allows.
        " ".join((values.name or "").split())[:NAME_MAX],
    )
    levels = [option(level.name, level.key) for level in salary.levels]
    locations = [option(region.name, region.key) for region in salary.regions]
    locations.append(option(OTHER_LOCATION_NAME, OTHER_LOCATION))
    level_input = _chosen(
        {"type": "radio_buttons", "action_id": IntakeBlock.LEVEL, "options": levels},
        values.level,
    )
    location_input = _chosen(
        {
            "type": "static_select",
            "action_id": IntakeBlock.LOCATION,
            "placeholder": plain("Where the candidate would work from"),
            "options": locations,
        },
        values.location,
    )
    profile_input = _initial(
        {
            "type": "url_text_input",
            "action_id": IntakeBlock.PROFILE_URL,
            "placeholder": plain("https://www.linkedin.com/in/…"),
        },
        values.profile_url,
    )
    source_input = _initial(
        _plain_input(IntakeBlock.SOURCE, SOURCE_MAX, "Referral, job board, agency…"),
        values.source,
    )
    manager_input: dict[str, Any] = {
        "type": "users_select",
        "action_id": IntakeBlock.HIRING_MANAGER,
    }
    if values.hiring_manager_id:
        manager_input["initial_user"] = values.hiring_manager_id
    notes_input = _initial(
        _plain_input(IntakeBlock.NOTES, NOTES_MAX, "Anything the interviewers should know")
        | {"multiline": True},
        values.notes,
    )
    return [
        input_block(IntakeBlock.NAME, "Full name", name_input),
        input_block(IntakeBlock.LEVEL, "Level", level_input),
        input_block(
            IntakeBlock.LOCATION,
            "Location",
            location_input,
            hint="Sets the salary benchmark the hiring manager and admins see.",
        ),
        input_block(IntakeBlock.PROFILE_URL, "Profile link", profile_input, optional=True),
        input_block(IntakeBlock.SOURCE, "Source", source_input, optional=True),
        input_block(IntakeBlock.HIRING_MANAGER, "Hiring manager", manager_input),
        input_block(
            IntakeBlock.NOTES,
            "Notes",
            notes_input,
            optional=True,
            hint=fair_hint("Seen by the hiring team and the interviewers."),
        ),
        *_contact_inputs(values),
    ]


def _initial(element: dict[str, Any], value: str | None) -> dict[str, Any]:
    if value and value.strip():
        element["initial_value"] = value
    return element


def _chosen(element: dict[str, Any], value: str | None) -> dict[str, Any]:
    """Select ``value``'s option; none when the table no longer has it (Slack refuses an
    initial option that is not one of the options)."""
    for choice in element["options"]:
        if choice["value"] == value:
            element["initial_option"] = choice
    return element


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


def _contact_inputs(values: CandidateForm) -> list[Block]:
    """Optional: where the candidate's invitations go, and when they can meet."""
    return [
        input_block(
            IntakeBlock.EMAIL,
            "Candidate's email",
            _initial(
                {
                    "type": "email_text_input",
                    "action_id": IntakeBlock.EMAIL,
                    "placeholder": plain("jane@example.com"),
                },
                values.email,
            ),
            optional=True,
            hint="Interview invitations go there (or to you to forward, without email set up).",
        ),
        input_block(
            IntakeBlock.TIMEZONE,
            "Candidate's time zone",
            _initial(_plain_input(IntakeBlock.TIMEZONE, 64, "e.g. Europe/Berlin"), values.timezone),
            optional=True,
        ),
        input_block(
            IntakeBlock.HOURS,
            "Hours they can interview",
            _initial(_plain_input(IntakeBlock.HOURS, 11, "e.g. 09:00-17:00"), values.hours),
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
