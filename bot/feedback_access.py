"""Independent feedback: who may read which scorecards. Every read of scorecard content
for someone other than its author goes through this module.

Interviewers must not anchor on each other, so an interviewer reads the other scorecards
of an interview only once their own is in. The candidate's hiring manager and the admins
read them at any time. Private notes are for the hiring manager and admins (and whoever
wrote the note). Hiding buttons is not enough: the rule is applied where data is read.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.candidates import get_candidate
from bot.context import BotContext
from bot.debrief_summary import DebriefSummary, summarise
from bot.errors import PermissionDenied
from bot.interviews import get_interview
from bot.scorecards import (
    Progress,
    ScorecardContent,
    observed_qualities,
    progress_of,
    read_contents,
)
from storage import scorecards as store
from storage.interviews import interviewers_of
from storage.models import Candidate, Interview


@dataclass(frozen=True)
class Reader:
    """Who asks, in the terms the rule needs."""

    user_id: str
    is_hiring_manager: bool
    is_admin: bool
    is_interviewer: bool
    has_submitted: bool

    @property
    def oversees(self) -> bool:
        return self.is_hiring_manager or self.is_admin


@dataclass(frozen=True)
class VisibleScorecards:
    interview: Interview
    candidate: Candidate
    progress: Progress
    scorecards: list[ScorecardContent]
    # The reader sees the private notes of every scorecard, not only their own.
    all_notes: bool


def may_view(reader: Reader) -> bool:
    """May ``reader`` read the scorecards of an interview?"""
    return reader.oversees or (reader.is_interviewer and reader.has_submitted)


def may_read_note(reader: Reader, author_id: str) -> bool:
    """May ``reader`` read the private note of the scorecard written by ``author_id``?"""
    return reader.oversees or reader.user_id == author_id


def reader_of(
    bot: BotContext,
    user_id: str,
    *,
    candidate: Candidate,
    panel: Collection[str],
    submitted: Collection[str],
) -> Reader:
    return Reader(
        user_id=user_id,
        is_hiring_manager=user_id == candidate.hiring_manager_id,
        is_admin=bot.is_admin(user_id),
        is_interviewer=user_id in panel,
        has_submitted=user_id in submitted,
    )


async def visible_scorecards(
    session: AsyncSession, bot: BotContext, *, user_id: str, interview_id: int
) -> VisibleScorecards:
    """The scorecards of an interview as ``user_id`` may see them; PermissionDenied, with
    the reason, when they may see none."""
    interview = await get_interview(session, interview_id)
    candidate = await get_candidate(session, interview.candidate_id)
    panel = await interviewers_of(session, interview_id)
    scorecards = await store.scorecards_of_interview(session, interview_id)
    reader = reader_of(
        bot,
        user_id,
        candidate=candidate,
        panel={member.user_id for member in panel},
        submitted={card.interviewer_id for card in scorecards},
    )
    if not may_view(reader):
        raise PermissionDenied(_refusal(reader, candidate))
    contents = [
        card if may_read_note(reader, card.interviewer_id) else replace(card, private_note=None)
        for card in await read_contents(session, scorecards)
    ]
    return VisibleScorecards(
        interview=interview,
        candidate=candidate,
        progress=progress_of(panel, scorecards),
        scorecards=contents,
        all_notes=reader.oversees,
    )


@dataclass(frozen=True)
class ThreadSummary:
    interview: Interview
    candidate: Candidate
    summary: DebriefSummary


async def thread_summary(
    session: AsyncSession, bot: BotContext, interview_id: int
) -> ThreadSummary | None:
    """The debrief summary of an interview for its candidate's thread, or None while an
    expected scorecard is missing: until then the thread would show the interviewers who
    have not submitted what the others rated. Private notes and evidence never reach it."""
    interview = await get_interview(session, interview_id)
    panel = await interviewers_of(session, interview_id)
    scorecards = await store.scorecards_of_interview(session, interview_id)
    if not progress_of(panel, scorecards).complete:
        return None
    summary = summarise(
        bot.kits.stage(interview.stage_key),
        bot.kits.qualities,
        await read_contents(session, scorecards),
        observed_in_loop=await observed_qualities(session, interview.candidate_id),
    )
    candidate = await get_candidate(session, interview.candidate_id)
    return ThreadSummary(interview=interview, candidate=candidate, summary=summary)


def _refusal(reader: Reader, candidate: Candidate) -> str:
    if reader.is_interviewer:
        return (
            "Submit your own scorecard first: the other interviewers' scorecards open to you "
            "once yours is in, so that everyone's feedback stays independent."
        )
    return (
        "Only the interviewers of this interview (once they have submitted their own), the "
        f"candidate's hiring manager (<@{candidate.hiring_manager_id}>) and admins can read "
        "its scorecards."
    )
