"""The Schedule debrief modal: its view, its private metadata, and reading it back.

One modal serves scheduling and rescheduling; the metadata says which. Every input block
and its element share the id of a ``DebriefBlock`` member, so a field error keyed by a
member lands under its input.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bot.debriefs import DEFAULT_DURATION_MINUTES, MAX_ATTENDEES, DebriefForm, FormField
from handlers.block_kit import input_block, option, plain, section
from handlers.ids import DebriefBlock, View
from handlers.modals import ViewMetadata, errors_by_block, picked_moment
from handlers.mrkdwn import escape
from storage.models import Candidate, Debrief, row_id

Block = dict[str, Any]

DURATIONS = (15, 30, 45, 60, 90)

FIELD_BLOCKS: Mapping[str, DebriefBlock] = {
    # The candidate has no input; their problems are reported at the top, under the time.
    FormField.CANDIDATE: DebriefBlock.STARTS_AT,
    FormField.STARTS_AT: DebriefBlock.STARTS_AT,
    FormField.ATTENDEES: DebriefBlock.ATTENDEES,
    FormField.DURATION: DebriefBlock.DURATION,
    FormField.VIDEO_LINK: DebriefBlock.VIDEO_LINK,
}


class DebriefMetadata(ViewMetadata):
    """What the modal is about: a candidate, and the debrief when rescheduling."""

    candidate_id: int
    debrief_id: int | None = None


def debrief_modal(
    candidate: Candidate,
    stage_title: str,
    attendee_ids: Sequence[str],
    *,
    debrief: Debrief | None = None,
) -> dict[str, Any]:
    """The modal for a new debrief of the candidate's ``stage_title`` stage, or prefilled
    with an existing ``debrief`` to reschedule it; ``attendee_ids`` are preselected."""
    metadata = DebriefMetadata(
        candidate_id=row_id(candidate), debrief_id=debrief.id if debrief else None
    )
    intro = f"*{escape(candidate.name)}* · {escape(stage_title)} debrief"
    starts_at: Block = {"type": "datetimepicker", "action_id": DebriefBlock.STARTS_AT}
    if debrief is not None:
        starts_at["initial_date_time"] = int(debrief.starts_at.timestamp())
    attendees: Block = {
        "type": "multi_users_select",
        "action_id": DebriefBlock.ATTENDEES,
        "placeholder": plain(f"Pick 1 to {MAX_ATTENDEES} people"),
        "max_selected_items": MAX_ATTENDEES,
    }
    if attendee_ids:
        attendees["initial_users"] = list(attendee_ids[:MAX_ATTENDEES])
    video: Block = {
        "type": "url_text_input",
        "action_id": DebriefBlock.VIDEO_LINK,
        "placeholder": plain("https://"),
    }
    if debrief is not None and debrief.video_link:
        video["initial_value"] = debrief.video_link
    blocks = [
        section(intro),
        input_block(DebriefBlock.STARTS_AT, "Date and time", starts_at),
        input_block(
            DebriefBlock.ATTENDEES,
            "Attendees",
            attendees,
            hint="Invited by DM. By default the stage's interviewers and the hiring manager.",
        ),
        input_block(DebriefBlock.DURATION, "Length", _duration_select(debrief)),
        input_block(DebriefBlock.VIDEO_LINK, "Video call link", video, optional=True),
    ]
    return {
        "type": "modal",
        "callback_id": View.SCHEDULE_DEBRIEF,
        "private_metadata": metadata.encode(),
        "title": plain("Reschedule debrief" if debrief else "Schedule debrief"),
        "submit": plain("Save" if debrief else "Schedule"),
        "close": plain("Cancel"),
        "blocks": blocks,
    }


def parse_form(values: Mapping[str, Mapping[str, Any]]) -> DebriefForm:
    """The submitted ``view.state.values`` as a form; anything missing or malformed is
    left empty for the rules to report."""

    def state(block: DebriefBlock) -> Mapping[str, Any]:
        return values.get(block, {}).get(block) or {}

    users = state(DebriefBlock.ATTENDEES).get("selected_users") or []
    length = str((state(DebriefBlock.DURATION).get("selected_option") or {}).get("value", ""))
    link = (state(DebriefBlock.VIDEO_LINK).get("value") or "").strip()
    return DebriefForm(
        # A user picked twice is one attendee.
        attendee_ids=tuple(dict.fromkeys(str(user) for user in users)),
        starts_at=picked_moment(state(DebriefBlock.STARTS_AT).get("selected_date_time")),
        duration_minutes=int(length) if length.isdigit() else None,
        video_link=link or None,
    )


def field_errors(fields: Mapping[str, str]) -> dict[str, str]:
    """``response_action: errors`` of an InvalidInput: each message under its block."""
    return errors_by_block(fields, FIELD_BLOCKS, DebriefBlock.STARTS_AT)


def _duration_select(debrief: Debrief | None) -> Block:
    selected = debrief.duration_minutes if debrief else DEFAULT_DURATION_MINUTES
    minutes = sorted({*DURATIONS, selected})
    return {
        "type": "static_select",
        "action_id": DebriefBlock.DURATION,
        "options": [_minutes_option(m) for m in minutes],
        "initial_option": _minutes_option(selected),
    }


def _minutes_option(minutes: int) -> Block:
    return option(f"{minutes} min", str(minutes))
