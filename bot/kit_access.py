"""Who may open an interview's kit again (*Open kit*): its interviewers, the candidate's
hiring manager and admins. Anyone else hears what they would for an interview that does
not exist, so that nothing is learnt about a candidate."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.context import BotContext
from bot.errors import NotFound
from storage import interviews as store
from storage.models import Candidate, Interview

NOT_YOURS = "That kit is for the interview's panel and its hiring manager."


async def interview_for_kit(
    session: AsyncSession, bot: BotContext, user_id: str, interview_id: int
) -> tuple[Candidate, Interview]:
    interview = await session.get(Interview, interview_id)
    candidate = await session.get(Candidate, interview.candidate_id) if interview else None
    if interview is None or candidate is None:
        raise NotFound(NOT_YOURS)
    panel = {seat.user_id for seat in await store.interviewers_of(session, interview_id)}
    if user_id in panel or user_id == candidate.hiring_manager_id or bot.is_admin(user_id):
        return candidate, interview
    raise NotFound(NOT_YOURS)
