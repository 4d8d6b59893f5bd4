"""Property tests of issue 14's builders: notes of any length and characters, kits of any
size, and the changes after a debrief, through the fake's Block Kit validator (the helpers
and settings of ``tests.test_clipping_properties``)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from hypothesis import example, given
from hypothesis import strategies as st

from bot.debrief_summary import summarise
from bot.debrief_summary_reads import SummarySoFar
from bot.interview_notes import NotesSheet
from bot.kits import Stage
from bot.question_answers import MAX_NOTES, Answer, evidence_from
from bot.reminder_messages import ReminderMessage
from bot.reminder_rules import ReminderKind
from bot.scorecard_history import FieldChange, Revision, RevisionKind
from bot.scorecards import MAX_EVIDENCE, MAX_REASON, Progress, suggested_ratings
from bot.scorecards import ScorecardDraft as Draft
from handlers.debrief_summary_blocks import summary_dm, summary_modal
from handlers.interview_notes_blocks import (
    MAX_QUESTIONS,
    NO_RATING,
    NOT_ASKED,
    notes_modal,
    read_notes_form,
)
from handlers.reminder_blocks import reminder_blocks
from handlers.scorecard_modal import debrief_change_modal, scorecard_modal
from tests.conftest import START
from tests.typed_text import (
    KITS,
    PROPERTY,
    USERS,
    WORST_KIT,
    amps,
    assert_message,
    assert_view,
    candidate,
    debrief_row,
    edited_stage,
    interview,
    kit_texts,
    scorecard,
    typed,
)

ANSWERS = st.builds(
    Answer,
    rating=st.one_of(st.none(), st.integers(1, 4)),
    not_asked=st.booleans(),
    notes=st.one_of(st.none(), typed(MAX_NOTES)),
)


def with_questions(stage: Stage, count: int) -> Stage:
    """``stage`` with ``count`` questions, its own repeated under new keys."""
    questions = tuple(
        stage.questions[n % len(stage.questions)].model_copy(update={"id": f"q{n}"})
        for n in range(count)
    )
    return stage.model_copy(update={"questions": questions})


def form_state(view: dict[str, Any]) -> dict[str, Any]:
    """What the modal submits untouched: each input's initial value."""
    values: dict[str, Any] = {}
    for block in view["blocks"]:
        element = block.get("element")
        if element is None:
            continue
        if element["type"] == "plain_text_input":
            state = {"type": element["type"], "value": element.get("initial_value")}
        else:
            state = {"type": element["type"], "selected_option": element.get("initial_option")}
        values[block["block_id"]] = {element["action_id"]: state}
    return values


@PROPERTY
@example(WORST_KIT, 120, Answer(4, False, amps(MAX_NOTES)), amps(100))
@given(kit_texts, st.integers(1, 120), ANSWERS, typed(100))
def test_the_notes_modal_of_any_kit_with_any_notes(
    texts: dict[str, str], count: int, answer: Answer, name: str
) -> None:
    """Every question up to the modal's room, the rest named; what it shows reads back as
    the draft it came from (an answer marked not asked keeps no rating)."""
    stage = with_questions(edited_stage(texts), count)
    sheet = {question.id: answer for question in stage.questions}
    view = notes_modal(NotesSheet(interview(), candidate(name), stage, sheet, scorecard_in=True))
    assert_view(view)
    assert len(view["blocks"]) <= 100
    shown = stage.questions[:MAX_QUESTIONS]
    expected = Answer(
        None if answer.not_asked else answer.rating,
        answer.not_asked,
        (answer.notes or "").strip() or None,
    )
    assert read_notes_form(form_state(view)) == {question.id: expected for question in shown}
    assert ("more question" in str(view)) == (count > MAX_QUESTIONS)


def test_an_emptied_rating_reads_as_no_rating() -> None:
    state = {"notes_rating:q": {"notes_rating": {"selected_option": {"value": NO_RATING}}}}
    assert read_notes_form(state) == {"q": Answer()}
    state = {"notes_rating:q": {"notes_rating": {"selected_option": {"value": NOT_ASKED}}}}
    assert read_notes_form(state) == {"q": Answer(not_asked=True)}


@PROPERTY
@example(WORST_KIT, Answer(3, False, amps(MAX_NOTES)), amps(100))
@given(kit_texts, ANSWERS, typed(100))
def test_the_scorecard_prefilled_from_notes(
    texts: dict[str, str], answer: Answer, name: str
) -> None:
    stage = edited_stage(texts)
    sheet = {question.id: answer for question in stage.questions}
    evidence = evidence_from(stage, sheet, MAX_EVIDENCE)
    assert evidence is None or len(evidence) <= MAX_EVIDENCE
    draft = Draft(
        interview(),
        candidate(name),
        stage,
        KITS.qualities,
        None,
        False,
        suggested=suggested_ratings(stage, sheet),
        evidence_from_notes=evidence,
    )
    assert_view(scorecard_modal(draft))


def debrief_change(reason: str) -> Revision:
    return Revision(
        START,
        "U0BEN",
        RevisionKind.DEBRIEF,
        reason,
        True,
        (FieldChange("competency:k8s_serving", 3, 2), FieldChange("overall", 3, None)),
    )


@PROPERTY
@example(WORST_KIT, amps(MAX_REASON), amps(100))
@given(kit_texts, typed(MAX_REASON), typed(100))
def test_the_debrief_confirmation_the_change_and_the_summary(
    texts: dict[str, str], reason: str, name: str
) -> None:
    stage = edited_stage(texts)
    person = candidate(name)
    cards = [
        replace(scorecard(reason, None, user), revisions=(debrief_change(reason),) * 4)
        for user in USERS
    ]
    message = ReminderMessage(
        reminder_id=1,
        kind=ReminderKind.DEBRIEF_CONFIRM,
        recipient_id="U0BEN",
        candidate=person,
        stage_title=texts["title"],
        debrief=debrief_row(None),
        own=tuple(cards),
        stage=stage,
    )
    assert_message(*reminder_blocks(message, "https://x/p?a=1&b=2"))
    draft = Draft(interview(), person, stage, KITS.qualities, cards[0], False)
    assert_view(debrief_change_modal(draft))
    summary = summarise(stage, KITS.qualities, cards, observed_in_loop=())
    # Four revisions of two ratings each, by every interviewer.
    assert len(summary.changed_after_debrief) == 4 * 2 * len(USERS)
    entry = SummarySoFar(
        interview(), person, Progress(5, 5), summary, ratings_hidden=False, owes_scorecard=False
    )
    assert_message(*summary_dm(entry, texts["title"]))
    assert_view(summary_modal(entry, texts["title"]))
