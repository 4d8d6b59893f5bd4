"""*Take notes*: an interviewer's notes per question during the interview, kept as a draft
that only its author sees, until the scorecard takes them over (``bot.scorecards``).

The draft is in the database: it survives a restart, and every save (the form's *Save*,
or closing the form) keeps the questions the form did not show.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.candidates import get_candidate
from bot.context import BotContext
from bot.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from bot.interviews import get_interview
from bot.kits import Stage, UnknownStageError
from bot.question_answers import MAX_NOTES, SCORES, Answer, Sheet, merged, read_sheet
from storage import notes as store
from storage.interviews import interviewers_of
from storage.models import Candidate, Interview, InterviewStatus
from storage.scorecards import scorecard_of

NOT_YOURS: Final = "Notes are taken by the interview's interviewers, each for themselves."
KIT_GONE: Final = "The kit of that stage is no longer in the team's kits."


@dataclass(frozen=True)
class NotesSheet:
    """What the *Take notes* form shows: the interview, its kit and the author's draft."""

    interview: Interview
    candidate: Candidate
    stage: Stage
    answers: Sheet
    # Their scorecard is in: saving here no longer changes it until they save it again.
    scorecard_in: bool = False


async def open_notes(
    session: AsyncSession, bot: BotContext, *, user_id: str, interview_id: int
) -> NotesSheet:
    """The user's notes of an interview they sit on the panel of, at any time: before it
    (to prepare), during it, and after."""
    interview = await get_interview(session, interview_id)
    seated = {seat.user_id for seat in await interviewers_of(session, interview_id)}
    if user_id not in seated:
        raise PermissionDenied(NOT_YOURS)
    if interview.status == InterviewStatus.CANCELLED:
        raise Conflict("This interview was cancelled: there is nothing to take notes on.")
    try:
        stage = bot.kits.stage(interview.stage_key)
    except UnknownStageError as gone:
        raise NotFound(KIT_GONE) from gone
    return NotesSheet(
        interview=interview,
        candidate=await get_candidate(session, interview.candidate_id),
        stage=stage,
        answers=read_sheet(await store.draft_of(session, interview_id, user_id)),
        scorecard_in=await scorecard_of(session, interview_id, user_id) is not None,
    )


def notes_errors(stage: Stage, answers: Mapping[str, Answer]) -> dict[str, str]:
    """Problems of a saved form by question key; Slack's own limits catch these first, so
    only a request that bypassed the form meets them."""
    known = {question.id for question in stage.questions}
    errors = {}
    for key, answer in answers.items():
        if key not in known:
            errors[key] = "This question is no longer in the kit: please reopen the form."
        elif answer.rating is not None and answer.rating not in SCORES:
            errors[key] = "Rate from 1 to 4, or leave it empty."
        elif answer.notes is not None and len(answer.notes) > MAX_NOTES:
            errors[key] = f"Keep a question's notes to {MAX_NOTES:,} characters."
    return errors


async def save_notes(
    session: AsyncSession,
    bot: BotContext,
    *,
    user_id: str,
    interview_id: int,
    answers: Mapping[str, Answer],
) -> NotesSheet:
    """Keep the form's answers in the user's draft, with those of questions the form did
    not show; InvalidInput (by question key) for answers that cannot be kept."""
    sheet = await open_notes(session, bot, user_id=user_id, interview_id=interview_id)
    errors = notes_errors(sheet.stage, answers)
    if errors:
        raise InvalidInput(errors)
    cleaned = {
        key: Answer(answer.rating, answer.not_asked, (answer.notes or "").strip() or None)
        for key, answer in answers.items()
    }
    kept = merged(sheet.answers, cleaned)
    stored = {key: answer.stored() for key, answer in kept.items()}
    await store.save_draft(session, interview_id, user_id, stored, bot.clock.now())
    return NotesSheet(
        interview=sheet.interview,
        candidate=sheet.candidate,
        stage=sheet.stage,
        answers=kept,
        scorecard_in=sheet.scorecard_in,
    )
