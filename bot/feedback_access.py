"""Independent feedback: who may read which scorecards. Every read of scorecard content
for someone other than its author goes through this module, and is remembered
(``bot.scorecard_history.record_read``) so that a later edit of the reader's own
scorecard shows as "edited after reading the others".

The rule: nobody reads another's ratings or evidence of a candidate while their own
scorecard for that candidate is owed, before or after their interview. On a panel,
everyone is an interviewer first: the hiring manager and admins who sit on one read its
scorecards once their own is in, like every interviewer. Off the panel, the candidate's
hiring manager and admins read them at any time. An interviewer marked as not attended
writes no scorecard and reads none of that interview. Only the scorecards that count are
shown (``bot.scorecards.counted``): one by someone taken off the panel leaves with them.
Private notes are for the hiring manager and admins (and whoever wrote the note).
Hiding buttons is not enough: the rule is applied where data is read.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.candidates import get_candidate
from bot.context import BotContext
from bot.debrief_summary import DebriefSummary, summarise
from bot.errors import PermissionDenied
from bot.interviews import get_interview
from bot.kits import UnknownStageError
from bot.scorecard_history import record_read
from bot.scorecards import (
    Progress,
    ScorecardContent,
    counted,
    observed_qualities,
    owed_by,
    progress_of,
    read_contents,
)
from storage import scorecards as store
from storage.interviews import claim_summary, interviewers_of
from storage.models import Candidate, Interview, InterviewInterviewer, Scorecard, row_id


class Seat(StrEnum):
    """Where the reader sits on the interview's panel."""

    NONE = "none"
    ATTENDED = "attended"
    EXCUSED = "excused"  # marked *I did not attend*


@dataclass(frozen=True)
class Reader:
    """Who asks, in the terms the rule needs."""

    user_id: str
    oversees: bool  # the candidate's hiring manager, or an admin
    seat: Seat
    has_submitted: bool
    # Their own scorecard of this interview is owed (the stage is open, they attend).
    owes: bool = False
    # Another interview of the same candidate whose scorecard they owe.
    owes_elsewhere: Interview | None = None


def may_view(reader: Reader) -> bool:
    """May ``reader`` read the scorecards of an interview?"""
    if reader.owes or reader.owes_elsewhere is not None:
        return False
    return reader.oversees or (reader.seat == Seat.ATTENDED and reader.has_submitted)


def may_read_note(reader: Reader, author_id: str) -> bool:
    """May ``reader`` read the private note of the scorecard written by ``author_id``?"""
    return reader.oversees or reader.user_id == author_id


@dataclass(frozen=True)
class _Panel:
    """An interview as the rule needs it: its panel, the scorecards that count, who reads."""

    interview: Interview
    candidate: Candidate
    panel: list[InterviewInterviewer]
    scorecards: list[Scorecard]
    reader: Reader


async def _panel(session: AsyncSession, bot: BotContext, user_id: str, interview_id: int) -> _Panel:
    interview = await get_interview(session, interview_id)
    candidate = await get_candidate(session, interview.candidate_id)
    panel = await interviewers_of(session, interview_id)
    every = await store.scorecards_of_interview(session, interview_id)
    seat = next((member for member in panel if member.user_id == user_id), None)
    owed = await owed_by(session, candidate, user_id)
    reader = Reader(
        user_id=user_id,
        oversees=user_id == candidate.hiring_manager_id or bot.is_admin(user_id),
        seat=Seat.NONE if seat is None else Seat.ATTENDED if seat.attended else Seat.EXCUSED,
        has_submitted=any(card.interviewer_id == user_id for card in every),
        owes=any(other.id == interview_id for other in owed),
        owes_elsewhere=next((other for other in owed if other.id != interview_id), None),
    )
    return _Panel(interview, candidate, panel, counted(panel, every), reader)


def _check(bot: BotContext, found: _Panel) -> None:
    if not may_view(found.reader):
        raise PermissionDenied(_refusal(bot, found.reader, found.candidate))


async def _remember_read(
    session: AsyncSession, bot: BotContext, user_id: str, interview_id: int, authors: Iterable[str]
) -> None:
    if any(author != user_id for author in authors):
        await record_read(session, interview_id, user_id, bot.clock.now())


@dataclass(frozen=True)
class VisibleScorecards:
    interview: Interview
    candidate: Candidate
    progress: Progress
    scorecards: list[ScorecardContent]
    # The reader sees the private notes of every scorecard, not only their own.
    all_notes: bool


async def visible_scorecards(
    session: AsyncSession, bot: BotContext, *, user_id: str, interview_id: int
) -> VisibleScorecards:
    """The scorecards of an interview as ``user_id`` may see them; PermissionDenied, with
    the reason, when they may see none. Call it in a transaction: the read is recorded."""
    found = await _panel(session, bot, user_id, interview_id)
    _check(bot, found)
    reader = found.reader
    contents = [
        card if may_read_note(reader, card.interviewer_id) else replace(card, private_note=None)
        for card in await read_contents(session, found.scorecards)
    ]
    await _remember_read(
        session, bot, user_id, interview_id, (card.interviewer_id for card in contents)
    )
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
    see it: what *View summary*, the debrief pack and the hiring manager's DM show."""

    interview: Interview
    candidate: Candidate
    progress: Progress
    # None when the ratings are hidden from the reader, or no scorecard is in yet.
    summary: DebriefSummary | None
    ratings_hidden: bool
    # The reader is on the panel and their own scorecard is still missing.
    owes_scorecard: bool
    # Another interview of the candidate whose scorecard the reader owes: that one first.
    owes_elsewhere: Interview | None = None


async def summary_so_far(
    session: AsyncSession, bot: BotContext, *, user_id: str, interview_id: int
) -> SummarySoFar:
    """The summary of the scorecards in so far, for ``user_id``: one who may not read them
    sees only how many are in. Nothing is recorded: a DM that carries it calls
    ``record_shown`` in the transaction that queues it."""
    found = await _panel(session, bot, user_id, interview_id)
    bare = SummarySoFar(
        found.interview,
        found.candidate,
        progress_of(found.panel, found.scorecards),
        summary=None,
        ratings_hidden=not may_view(found.reader),
        owes_scorecard=found.reader.owes,
        owes_elsewhere=found.reader.owes_elsewhere,
    )
    if bare.ratings_hidden or not found.scorecards:
        return bare
    return replace(bare, summary=await _summary(session, bot, found))


async def visible_summary(
    session: AsyncSession, bot: BotContext, *, user_id: str, interview_id: int
) -> SummarySoFar:
    """*View summary*: the summary so far, or PermissionDenied with the reason. Call it in a
    transaction: the read is recorded."""
    found = await _panel(session, bot, user_id, interview_id)
    _check(bot, found)
    summary = await _summary(session, bot, found) if found.scorecards else None
    if summary is not None:
        await _remember_read(session, bot, user_id, interview_id, summary.interviewer_ids)
    return SummarySoFar(
        found.interview,
        found.candidate,
        progress_of(found.panel, found.scorecards),
        summary=summary,
        ratings_hidden=False,
        owes_scorecard=False,
    )


async def record_shown(
    session: AsyncSession, bot: BotContext, user_id: str, entries: Sequence[SummarySoFar]
) -> None:
    """A DM carrying these summaries is queued for ``user_id`` in this transaction:
    remember which showed them others' ratings."""
    for entry in entries:
        if entry.summary is not None and entry.interview.id is not None:
            await _remember_read(
                session, bot, user_id, entry.interview.id, entry.summary.interviewer_ids
            )


async def _summary(session: AsyncSession, bot: BotContext, found: _Panel) -> DebriefSummary | None:
    try:
        stage = bot.kits.stage(found.interview.stage_key)
    except UnknownStageError:
        # A kit removed since the interview: no competencies to sum the ratings up by.
        return None
    return summarise(
        stage,
        bot.kits.qualities,
        await read_contents(session, found.scorecards),
        observed_in_loop=await observed_qualities(session, row_id(found.candidate)),
    )


@dataclass(frozen=True)
class PanelComplete:
    """What the thread hears when every expected scorecard is in: who submitted, never
    what; and what the hiring manager's DM shows them (the rule applied to them)."""

    interview: Interview
    candidate: Candidate
    interviewer_ids: tuple[str, ...]
    for_hiring_manager: SummarySoFar


async def panel_complete(
    session: AsyncSession, bot: BotContext, interview_id: int
) -> PanelComplete | None:
    """The completed panel of an interview, or None while an expected scorecard is missing."""
    interview = await get_interview(session, interview_id)
    panel = await interviewers_of(session, interview_id)
    scorecards = counted(panel, await store.scorecards_of_interview(session, interview_id))
    if not progress_of(panel, scorecards).complete:
        return None
    candidate = await get_candidate(session, interview.candidate_id)
    return PanelComplete(
        interview=interview,
        candidate=candidate,
        interviewer_ids=tuple(card.interviewer_id for card in scorecards),
        for_hiring_manager=await summary_so_far(
            session, bot, user_id=candidate.hiring_manager_id, interview_id=interview_id
        ),
    )


async def summary_to_post(
    session: AsyncSession, bot: BotContext, interview_id: int
) -> PanelComplete | None:
    """``panel_complete``, claimed for posting: None while a scorecard is missing and once
    someone has posted it, so two last scorecards landing together post it once."""
    found = await panel_complete(session, bot, interview_id)
    if found is None or not await claim_summary(session, interview_id, bot.clock.now()):
        return None
    return found


def _refusal(bot: BotContext, reader: Reader, candidate: Candidate) -> str:
    independent = "so that everyone's feedback stays independent."
    if reader.owes:
        return (
            "Submit your own scorecard first: the other interviewers' scorecards open to you "
            f"once yours is in, {independent}"
        )
    if reader.owes_elsewhere is not None:
        title = bot.kits.stage_title(reader.owes_elsewhere.stage_key)
        return (
            f"Submit your scorecard for your *{title}* interview with this candidate first: "
            f"the others' scorecards of this candidate open to you once yours is in, {independent}"
        )
    if reader.seat == Seat.EXCUSED:
        return (
            "You marked this interview as not attended, so its scorecards stay closed to you: "
            "they are for its interviewers (once their own is in), the hiring manager "
            f"(<@{candidate.hiring_manager_id}>) and admins."
        )
    return (
        "Only the interviewers of this interview (once they have submitted their own), the "
        f"candidate's hiring manager (<@{candidate.hiring_manager_id}>) and admins can read "
        "its scorecards."
    )
