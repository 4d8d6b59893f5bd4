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
from bot.kits import UnknownStageError
from bot.scorecards import (
    Progress,
    ScorecardContent,
    observed_qualities,
    progress_of,
    read_contents,
)
from storage import scorecards as store
from storage.db import transaction
from storage.interviews import claim_summary, interviewers_of, release_summary
from storage.models import Candidate, Interview, InterviewInterviewer, Scorecard


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


@dataclass(frozen=True)
class _Panel:
    """An interview as the rule needs it: its panel, its scorecards, and who reads."""

    interview: Interview
    candidate: Candidate
    panel: list[InterviewInterviewer]
    scorecards: list[Scorecard]
    reader: Reader


async def _panel(session: AsyncSession, bot: BotContext, user_id: str, interview_id: int) -> _Panel:
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
    return _Panel(interview, candidate, panel, scorecards, reader)


async def visible_scorecards(
    session: AsyncSession, bot: BotContext, *, user_id: str, interview_id: int
) -> VisibleScorecards:
    """The scorecards of an interview as ``user_id`` may see them; PermissionDenied, with
    the reason, when they may see none."""
    found = await _panel(session, bot, user_id, interview_id)
    reader = found.reader
    if not may_view(reader):
        raise PermissionDenied(_refusal(reader, found.candidate))
    contents = [
        card if may_read_note(reader, card.interviewer_id) else replace(card, private_note=None)
        for card in await read_contents(session, found.scorecards)
    ]
    return VisibleScorecards(
        interview=found.interview,
        candidate=found.candidate,
        progress=progress_of(found.panel, found.scorecards),
        scorecards=contents,
        all_notes=reader.oversees,
    )


@dataclass(frozen=True)
class SummarySoFar:
    """An interview's debrief summary from the scorecards in so far, as one reader may
    see it: what the debrief pack shows each attendee."""

    interview: Interview
    progress: Progress
    # None when the ratings are hidden from the reader, or no scorecard is in yet.
    summary: DebriefSummary | None
    ratings_hidden: bool
    # The reader is on the panel and their own scorecard is still missing.
    owes_scorecard: bool


async def summary_so_far(
    session: AsyncSession, bot: BotContext, *, user_id: str, interview_id: int
) -> SummarySoFar:
    """The summary of the scorecards in so far, for ``user_id``: an interviewer who has
    not submitted sees no one else's ratings, only how many are in."""
    found = await _panel(session, bot, user_id, interview_id)
    progress = progress_of(found.panel, found.scorecards)
    on_panel = any(seat.user_id == user_id and seat.attended for seat in found.panel)
    bare = SummarySoFar(
        found.interview,
        progress,
        summary=None,
        ratings_hidden=not may_view(found.reader),
        owes_scorecard=on_panel and not found.reader.has_submitted,
    )
    if bare.ratings_hidden or not found.scorecards:
        return bare
    try:
        stage = bot.kits.stage(found.interview.stage_key)
    except UnknownStageError:
        # A kit removed since the interview: no competencies to sum the ratings up by.
        return bare
    assert found.candidate.id is not None
    summary = summarise(
        stage,
        bot.kits.qualities,
        await read_contents(session, found.scorecards),
        observed_in_loop=await observed_qualities(session, found.candidate.id),
    )
    return replace(bare, summary=summary)


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


async def summary_to_post(
    session: AsyncSession, bot: BotContext, interview_id: int
) -> ThreadSummary | None:
    """``thread_summary``, claimed for posting: None while a scorecard is missing and once
    someone has posted it, so two last scorecards landing together post it once."""
    found = await thread_summary(session, bot, interview_id)
    if found is None or not await claim_summary(session, interview_id, bot.clock.now()):
        return None
    return found


async def unclaim_summary(bot: BotContext, interview_id: int) -> None:
    """The claimed summary did not reach the thread: let the next scorecard post it."""
    async with transaction(bot.sessions) as session:
        await release_summary(session, interview_id)


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
