"""Block Kit of *Take notes*: the modal listing the stage's questions, each with its notes,
an optional 1-4 or *not asked*, and reading a saved or closed form back.

Pure. Kit texts are team-edited and notes user-typed: inputs hold them as plain text, and
every text is clipped to its place's limit, so a kit of any size and notes of any length
make a modal Slack accepts (100 blocks; a label and a hint 2,000 characters; an input
3,000). Questions beyond the modal's room are named in a note, never dropped silently,
and their earlier notes stay in the draft (``bot.question_answers.merged``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from bot.interview_notes import NotesSheet
from bot.kits import Question, Stage
from bot.question_answers import MAX_NOTES, SCORES, Answer
from handlers.block_kit import MAX_VIEW_BLOCKS, Block, context, input_block, option, plain, section
from handlers.ids import NotesBlock, View
from handlers.modals import NOT_TO_RECORD, ViewMetadata
from handlers.mrkdwn import clip_plain, date_token, escape_clipped
from handlers.scorecard_reading_modal import evidence_text
from storage.models import row_id

LABEL_LIMIT: Final = 2000  # an input block's label
HINT_LIMIT: Final = 2000  # an input block's hint
NOT_ASKED: Final = "not_asked"
NO_RATING: Final = "none"
NOT_ASKED_LABEL: Final = "Not asked"
_HEAD_BLOCKS: Final = 3
# Blocks per question: its notes and its rating.
_PER_QUESTION: Final = 2
MAX_QUESTIONS: Final = (MAX_VIEW_BLOCKS - _HEAD_BLOCKS - 1) // _PER_QUESTION
_NAME_SHOWN: Final = 200


class NotesMetadata(ViewMetadata):
    """The modal's private_metadata: which interview the notes are of."""

    interview_id: int


def notes_block_id(kind: NotesBlock, question_key: str) -> str:
    return f"{kind}:{question_key}"


def notes_modal(sheet: NotesSheet) -> dict[str, Any]:
    """The form, prefilled from the author's draft. Closing it saves it too (Slack sends
    view_closed because of notify_on_close)."""
    stage, interview = sheet.stage, sheet.interview
    head = [
        section(
            f"*{escape_clipped(sheet.candidate.name, _NAME_SHOWN)}* · "
            f"{escape_clipped(stage.title, _NAME_SHOWN)} interview on "
            f"{date_token(interview.starts_at)}"
        ),
        context(
            "Only you see these notes. *Save* keeps them, and so does closing this window: "
            "reopen *Take notes* to continue. Your scorecard starts from them: ratings "
            "suggested from the questions' 1-4, the evidence from the notes."
        ),
    ]
    if sheet.scorecard_in:
        head.append(
            context(
                "Your scorecard is in, with your notes as they were then: save it again "
                "(*Submit scorecard*) to carry changes made here into it."
            )
        )
    shown = stage.questions[:MAX_QUESTIONS]
    blocks = list(head)
    for number, question in enumerate(shown, start=1):
        blocks += _question_inputs(stage, number, question, sheet.answers.get(question.id))
    left = len(stage.questions) - len(shown)
    if left:
        blocks.append(
            context(
                f"_… {left} more question{'s' if left > 1 else ''} of this kit not shown: a "
                f"Slack form holds {MAX_QUESTIONS}. Note their answers in the scorecard's "
                "evidence._"
            )
        )
    return {
        "type": "modal",
        "callback_id": View.TAKE_NOTES,
        "title": plain("Interview notes"),
        "submit": plain("Save"),
        "close": plain("Close"),
        "notify_on_close": True,
        "private_metadata": NotesMetadata(interview_id=row_id(interview)).encode(),
        "blocks": blocks,
    }


def _question_inputs(
    stage: Stage, number: int, question: Question, answer: Answer | None
) -> list[Block]:
    notes: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": NotesBlock.NOTES,
        "multiline": True,
        "max_length": MAX_NOTES,
    }
    if answer is not None and answer.notes:
        notes["initial_value"] = answer.notes[:MAX_NOTES]
    good = f"Good: {' '.join(question.strong_answer.split())}"
    hint = f"{clip_plain(good, HINT_LIMIT - len(NOT_TO_RECORD) - 1)} {NOT_TO_RECORD}"
    options = [
        option("No rating yet", NO_RATING),
        *(option(evidence_text(score), str(score)) for score in SCORES),
        option(NOT_ASKED_LABEL, NOT_ASKED),
    ]
    rating: dict[str, Any] = {
        "type": "static_select",
        "action_id": NotesBlock.RATING,
        "placeholder": plain("Rate it, or mark it not asked"),
        "options": options,
    }
    initial = _initial(options, answer)
    if initial is not None:
        rating["initial_option"] = initial
    informs = _competency_name(stage, question)
    label = f"Rating of {number}" + (f" · {informs}" if informs else "")
    return [
        input_block(
            notes_block_id(NotesBlock.NOTES, question.id),
            clip_plain(f"{number}. {' '.join(question.prompt.split())}", LABEL_LIMIT),
            notes,
            optional=True,
            hint=hint,
        ),
        input_block(
            notes_block_id(NotesBlock.RATING, question.id),
            clip_plain(label, LABEL_LIMIT),
            rating,
            optional=True,
        ),
    ]


def _competency_name(stage: Stage, question: Question) -> str | None:
    return next((c.name for c in stage.competencies if c.id == question.competency), None)


def _initial(options: list[dict[str, Any]], answer: Answer | None) -> dict[str, Any] | None:
    if answer is None:
        return None
    if answer.not_asked:
        return options[-1]
    if answer.rating in SCORES:
        return options[answer.rating]
    return None


def read_notes_form(values: Mapping[str, Mapping[str, Any]]) -> dict[str, Answer]:
    """The form's ``view.state.values`` as answers by question key: every question it
    showed, an emptied one as an empty answer (which removes it from the draft)."""
    found: dict[str, dict[str, Any]] = {}
    for block_id, actions in values.items():
        kind, _, key = block_id.partition(":")
        if not key or not isinstance(actions, Mapping):
            continue
        if kind == NotesBlock.NOTES:
            state = actions.get(NotesBlock.NOTES)
            value = state.get("value") if isinstance(state, Mapping) else None
            found.setdefault(key, {})["notes"] = value if isinstance(value, str) else None
        elif kind == NotesBlock.RATING:
            state = actions.get(NotesBlock.RATING)
            chosen = state.get("selected_option") if isinstance(state, Mapping) else None
            value = chosen.get("value") if isinstance(chosen, Mapping) else None
            found.setdefault(key, {})["choice"] = value
    answers = {}
    for key, parts in found.items():
        choice = parts.get("choice")
        rating = int(choice) if choice in {str(score) for score in SCORES} else None
        notes = (parts.get("notes") or "").strip() or None
        answers[key] = Answer(rating=rating, not_asked=choice == NOT_ASKED, notes=notes)
    return answers


def notes_field_errors(fields: Mapping[str, str]) -> dict[str, str]:
    """``response_action: errors`` of ``bot.interview_notes.notes_errors``: each under its
    question's notes."""
    return {notes_block_id(NotesBlock.NOTES, key): message for key, message in fields.items()}
