"""What a user's Home tab shows: their next interviews and the scorecards they owe."""

from __future__ import annotations

from dataclasses import dataclass

from bot.context import BotContext
from bot.interviews import interviews_of
from bot.kits import Stage, UnknownStageError
from bot.reminders import ends_at
from storage import candidates as candidate_store
from storage.models import CLOSED_STATUSES, Candidate, Interview
from storage.reminders import scorecard_seats


@dataclass(frozen=True)
class HomeInterview:
    interview: Interview
    candidate: Candidate
    stage: Stage | None


@dataclass(frozen=True)
class HomeSummary:
    upcoming: tuple[HomeInterview, ...]
    # Interviews that have ended without the user's scorecard, oldest first.
    owed: tuple[HomeInterview, ...]


async def home_summary(bot: BotContext, user_id: str) -> HomeSummary:
    """The user's scheduled interviews of open candidates: those still to come, and those
    over whose scorecard they have not submitted (nor marked as not attended)."""
    now = bot.clock.now()
    async with bot.sessions() as session:
        interviews = await interviews_of(session, user_id)
        ended = [i.id for i in interviews if i.id is not None and ends_at(i) <= now]
        seats = await scorecard_seats(session, ended)
        owed = {interview_id for interview_id, seat, done in seats if seat == user_id and not done}
        items: list[HomeInterview] = []
        for interview in interviews:
            candidate = await candidate_store.get(session, interview.candidate_id)
            if candidate is not None and candidate.status not in CLOSED_STATUSES:
                items.append(HomeInterview(interview, candidate, _stage(bot, interview)))
    return HomeSummary(
        upcoming=tuple(item for item in items if item.interview.starts_at >= now),
        owed=tuple(item for item in items if item.interview.id in owed),
    )


def _stage(bot: BotContext, interview: Interview) -> Stage | None:
    try:
        return bot.kits.stage(interview.stage_key)
    except UnknownStageError:
        return None
