"""The Schedule interview modal: its view, its private metadata, and reading it back.

One modal serves scheduling and rescheduling; the metadata says which. Every input block
and its element share the id of a ``ScheduleBlock`` member, so a field error keyed by a
member lands under its input.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bot.find_time import FoundTimes
from bot.interviews import MAX_INTERVIEWERS, FormField, InterviewForm
from bot.kits import Kits, Stage, UnknownStageError
from handlers.block_kit import input_block, option, plain, section
from handlers.ids import ScheduleBlock, View
from handlers.interview_find_time_blocks import find_time_button, found_blocks, picked_slot
from handlers.modals import ViewMetadata, errors_by_block, picked_moment
from handlers.mrkdwn import escape
from storage.models import Candidate, Interview, row_id

Block = dict[str, Any]

STAGE_LENGTH = "stage"
"""The duration option meaning "the chosen stage's own length"."""
DURATIONS = (15, 30, 45, 60, 75, 90, 120, 180, 240)

FIELD_BLOCKS: Mapping[str, ScheduleBlock] = {
    # The candidate has no input; a closed one is reported at the top, under the stage.
    FormField.CANDIDATE: ScheduleBlock.STAGE,
    FormField.STAGE: ScheduleBlock.STAGE,
    FormField.INTERVIEWERS: ScheduleBlock.INTERVIEWERS,
    FormField.STARTS_AT: ScheduleBlock.STARTS_AT,
    FormField.DURATION: ScheduleBlock.DURATION,
    FormField.VIDEO_LINK: ScheduleBlock.VIDEO_LINK,
}


class ScheduleMetadata(ViewMetadata):
    """What the modal is about: a candidate, and the interview when rescheduling."""

    candidate_id: int
    interview_id: int | None = None


def schedule_modal(
    kits: Kits,
    candidate: Candidate,
    *,
    interview: Interview | None = None,
    interviewer_ids: Sequence[str] = (),
    found: FoundTimes | None = None,
    find_note: str | None = None,
) -> dict[str, Any]:
    """The modal for a new interview (stage: the candidate's current one), or prefilled
    with an existing ``interview`` and its ``interviewer_ids`` to reschedule it; ``found``
    adds the times *Find a time* proposes, ``find_note`` a word under its button."""
    metadata = ScheduleMetadata(
        candidate_id=row_id(candidate), interview_id=interview.id if interview else None
    )
    stage_key = interview.stage_key if interview else candidate.stage_key
    current = _stage_or_none(kits, candidate.stage_key)
    intro = f"*{escape(candidate.name)}*"
    if current is not None:
        intro += f" · currently in {escape(current.title)}"
    interviewers: Block = {
        "type": "multi_users_select",
        "action_id": ScheduleBlock.INTERVIEWERS,
        "placeholder": plain("Pick 1 to 5 people"),
        "max_selected_items": MAX_INTERVIEWERS,
    }
    if interviewer_ids:
        interviewers["initial_users"] = list(interviewer_ids)
    starts_at: Block = {"type": "datetimepicker", "action_id": ScheduleBlock.STARTS_AT}
    if interview is not None:
        starts_at["initial_date_time"] = int(interview.starts_at.timestamp())
    video: Block = {
        "type": "url_text_input",
        "action_id": ScheduleBlock.VIDEO_LINK,
        "placeholder": plain("https://"),
    }
    if interview is not None and interview.video_link:
        video["initial_value"] = interview.video_link
    blocks = [
        section(intro),
        input_block(ScheduleBlock.STAGE, "Stage", _stage_select(kits, stage_key)),
        input_block(ScheduleBlock.INTERVIEWERS, "Interviewers", interviewers),
        *find_time_button(find_note),
        *(found_blocks(found) if found is not None else ()),
        input_block(
            ScheduleBlock.STARTS_AT,
            "Date and time",
            starts_at,
            # With proposed times shown, picking one is enough.
            optional=bool(found and found.slots),
            hint="Or pick a proposed time above." if found and found.slots else None,
        ),
        input_block(
            ScheduleBlock.DURATION,
            "Length",
            _duration_select(kits, interview),
            hint="The stage's own length: "
            + ", ".join(
                f"{stage.short_title} {stage.duration_minutes} min" for stage in kits.stages
            ),
        ),
        input_block(ScheduleBlock.VIDEO_LINK, "Video call link", video, optional=True),
    ]
    title = "Reschedule interview" if interview else "Schedule interview"
    return {
        "type": "modal",
        "callback_id": View.SCHEDULE_INTERVIEW,
        "private_metadata": metadata.encode(),
        "title": plain(title),
        "submit": plain("Save" if interview else "Schedule"),
        "close": plain("Cancel"),
        "blocks": blocks,
    }


def parse_form(values: Mapping[str, Mapping[str, Any]]) -> InterviewForm:
    """The submitted ``view.state.values`` as a form; anything missing or malformed is
    left empty for the rules to report."""

    def state(block: ScheduleBlock) -> Mapping[str, Any]:
        return values.get(block, {}).get(block) or {}

    stage = (state(ScheduleBlock.STAGE).get("selected_option") or {}).get("value")
    users = state(ScheduleBlock.INTERVIEWERS).get("selected_users") or []
    length = (state(ScheduleBlock.DURATION).get("selected_option") or {}).get("value", "")
    link = (state(ScheduleBlock.VIDEO_LINK).get("value") or "").strip()
    typed = picked_moment(state(ScheduleBlock.STARTS_AT).get("selected_date_time"))
    return InterviewForm(
        stage_key=stage,
        # A user picked twice is one interviewer.
        interviewer_ids=tuple(dict.fromkeys(str(user) for user in users)),
        starts_at=picked_slot(values) or typed,
        duration_minutes=int(length) if str(length).isdigit() else None,
        video_link=link or None,
    )


def slot_conflict(values: Mapping[str, Mapping[str, Any]]) -> dict[str, str]:
    """A proposed time picked and a different one typed: which one is meant is unclear."""
    slot = picked_slot(values)
    state = values.get(ScheduleBlock.STARTS_AT, {}).get(ScheduleBlock.STARTS_AT) or {}
    typed = picked_moment(state.get("selected_date_time"))
    if slot is not None and typed is not None and slot != typed:
        return {ScheduleBlock.SLOT: "Pick a proposed time or type one below, not both."}
    return {}


def field_errors(fields: Mapping[str, str]) -> dict[str, str]:
    """``response_action: errors`` for a form's InvalidInput: each message under its block."""
    return errors_by_block(fields, FIELD_BLOCKS, ScheduleBlock.STAGE)


def _stage_or_none(kits: Kits, key: str) -> Stage | None:
    try:
        return kits.stage(key)
    except UnknownStageError:
        return None


def _stage_select(kits: Kits, selected_key: str) -> Block:
    options = {stage.key: option(stage.title, stage.key) for stage in kits.stages}
    select: Block = {
        "type": "static_select",
        "action_id": ScheduleBlock.STAGE,
        "placeholder": plain("Pick a stage"),
        "options": list(options.values()),
    }
    if selected_key in options:
        select["initial_option"] = options[selected_key]
    return select


def _duration_select(kits: Kits, interview: Interview | None) -> Block:
    stage_length = option("The stage's own length", STAGE_LENGTH)
    minutes = set(DURATIONS)
    selected = stage_length
    if interview is not None:
        stage = _stage_or_none(kits, interview.stage_key)
        if stage is None or interview.duration_minutes != stage.duration_minutes:
            minutes.add(interview.duration_minutes)
            selected = _minutes_option(interview.duration_minutes)
    return {
        "type": "static_select",
        "action_id": ScheduleBlock.DURATION,
        "options": [stage_length, *(_minutes_option(m) for m in sorted(minutes))],
        "initial_option": selected,
    }


def _minutes_option(minutes: int) -> Block:
    return option(f"{minutes} min", str(minutes))
