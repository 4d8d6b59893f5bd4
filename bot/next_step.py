"""The "next step" line of a candidate's card: what the team should do now.

``next_step`` is pure, so each case is a plain unit test. ``describe_next_step`` looks up
what it needs and is what the card calls. As the loop grows (interviews scheduled,
scorecards in, a debrief waiting), add the facts to ``describe_next_step`` and the
sentences to ``next_step``; the card needs no change.
"""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.candidates import stage_title
from bot.interviews import scheduled_in_stage
from bot.kits import Kits
from storage.models import Candidate, CandidateStatus, Interview


def next_step(candidate: Candidate, kits: Kits, interview: Interview | None = None) -> str:
    """Plain text (the card escapes it): one short sentence, no mentions. ``interview`` is
    the last scheduled interview of the current stage, if any."""
    match candidate.status:
        case CandidateStatus.ON_HOLD:
            return "On hold: record a decision to resume or close"
        case CandidateStatus.OFFER:
            return "Offer made: record hired or withdrawn"
        case CandidateStatus.HIRED:
            return "Hired: nothing left to do"
        case CandidateStatus.REJECTED | CandidateStatus.WITHDRAWN:
            return "Closed: nothing left to do"
    if interview is not None:
        # Plain text cannot hold Slack's date token, so the time says it is UTC.
        when = interview.starts_at.strftime("%a %d %b, %H:%M UTC")
        return f"{stage_title(kits, candidate)} interview on {when}"
    return f"Schedule the {stage_title(kits, candidate)} interview"


async def describe_next_step(session: AsyncSession, kits: Kits, candidate: Candidate) -> str:
    """The card's next-step line, from what the database knows now."""
    interviews = await scheduled_in_stage(session, candidate)
    return next_step(candidate, kits, interviews[-1] if interviews else None)
