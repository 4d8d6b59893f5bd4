"""The "next step" line of a candidate's card: what the team should do now.

``next_step`` is pure, so each case is a plain unit test. ``describe_next_step`` looks up
what it needs and is what the card calls. As the loop grows (interviews scheduled,
scorecards in, a debrief waiting), add the facts to ``describe_next_step`` and the
sentences to ``next_step``; the card needs no change.
"""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.candidates import stage_title
from bot.kits import Kits
from storage.models import Candidate, CandidateStatus


def next_step(candidate: Candidate, kits: Kits) -> str:
    """Plain text (the card escapes it): one short sentence, no mentions."""
    match candidate.status:
        case CandidateStatus.ON_HOLD:
            return "On hold: record a decision to resume or close"
        case CandidateStatus.OFFER:
            return "Offer made: record hired or withdrawn"
        case CandidateStatus.HIRED:
            return "Hired: nothing left to do"
        case CandidateStatus.REJECTED | CandidateStatus.WITHDRAWN:
            return "Closed: nothing left to do"
    return f"Schedule the {stage_title(kits, candidate)} interview"


async def describe_next_step(session: AsyncSession, kits: Kits, candidate: Candidate) -> str:
    """The card's next-step line, from what the database knows now."""
    return next_step(candidate, kits)
