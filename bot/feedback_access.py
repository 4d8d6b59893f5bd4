"""Independent feedback: who may read which scorecards. Every read of scorecard content
for someone other than its author goes through this rule (here for the scorecards
themselves, in ``bot.debrief_summary_reads`` for their summary), and is remembered
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

from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import StrEnum

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.candidates import get_candidate
from bot.context import BotContext
from bot.errors import PermissionDenied
from bot.interviews import get_interview
from bot.scorecard_history import record_read
from bot.scorecards import (
    Progress,
    ScorecardContent,
    counted,
    owed_by,
    progress_of,
    read_contents,
)
from storage import scorecards as store
from storage.interviews import interviewers_of
from storage.models import Candidate, Interview, InterviewInterviewer, Scorecard


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
class Panel:
    """An interview as the rule needs it: its panel, the scorecards that count, who reads."""

    interview: Interview
    candidate: Candidate
    panel: list[InterviewInterviewer]
    scorecards: list[Scorecard]
    reader: Reader


async def panel_of(
    session: AsyncSession, bot: BotContext, user_id: str, interview_id: int
) -> Panel:
    """The interview, its panel and the scorecards that count, and ``user_id`` as the
    rule sees them."""
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
    return Panel(interview, candidate, panel, counted(panel, every), reader)


def check_may_view(bot: BotContext, found: Panel) -> None:
    """PermissionDenied, saying why, unless the reader may read the panel's scorecards."""
    if not may_view(found.reader):
        raise PermissionDenied(_refusal(bot, found.reader, found.candidate))


async def remember_read(
    session: AsyncSession, bot: BotContext, user_id: str, interview_id: int, authors: Iterable[str]
) -> None:
    """``user_id`` was shown the work of ``authors``: remembered when it was not all theirs."""
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
    found = await panel_of(session, bot, user_id, interview_id)
    check_may_view(bot, found)
    reader = found.reader
    contents = [
        card if may_read_note(reader, card.interviewer_id) else replace(card, private_note=None)
        for card in await read_contents(session, found.scorecards)
    ]
    await remember_read(
        session, bot, user_id, interview_id, (card.interviewer_id for card in contents)
    )
    return VisibleScorecards(
        interview=found.interview,
        candidate=found.candidate,
        progress=progress_of(found.panel, found.scorecards),
        scorecards=contents,
        all_notes=reader.oversees,
    )


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
