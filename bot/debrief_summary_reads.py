"""The debrief summary of an interview as one reader gets it: the maths of
``bot.debrief_summary`` over the scorecards that count, with the independence rule of
``bot.feedback_access`` applied to the reader. What *View summary*, the debrief pack, the
hiring manager's DM and the thread's *panel complete* note show.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.candidates import get_candidate
from bot.context import BotContext
from bot.debrief_summary import DebriefSummary, summarise
from bot.feedback_access import Panel, check_may_view, may_view, panel_of, remember_read
from bot.interviews import get_interview
from bot.kits import UnknownStageError
from bot.scorecards import Progress, counted, observed_qualities, progress_of, read_contents
from storage import scorecards as store
from storage.interviews import claim_summary, interviewers_of
from storage.models import Candidate, Interview, row_id


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
    found = await panel_of(session, bot, user_id, interview_id)
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
    found = await panel_of(session, bot, user_id, interview_id)
    check_may_view(bot, found)
    summary = await _summary(session, bot, found) if found.scorecards else None
    if summary is not None:
        await remember_read(session, bot, user_id, interview_id, summary.interviewer_ids)
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
            await remember_read(
                session, bot, user_id, entry.interview.id, entry.summary.interviewer_ids
            )


async def _summary(session: AsyncSession, bot: BotContext, found: Panel) -> DebriefSummary | None:
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
