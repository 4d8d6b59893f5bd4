"""The "next step" line of a candidate's card: what the team should do now.

``next_step`` is pure, so each case is a plain unit test. ``describe_next_step`` looks up
what it needs and is what the card calls. As the loop grows (interviews scheduled,
scorecards in, a debrief waiting), add the facts to ``describe_next_step`` and the
sentences to ``next_step``; the card needs no change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.interviews import scheduled_in_stage
from bot.kits import Kits
from bot.scorecards import Progress, interview_progress
from storage import debriefs as debrief_store
from storage.models import Candidate, CandidateStatus, Debrief, Interview, row_id


@dataclass(frozen=True)
class NextStep:
    """One short sentence, no mentions, and when it happens if it is a meeting: the card
    shows ``at`` with Slack's date token so that every reader sees their own time."""

    text: str
    at: datetime | None = None


def next_step(
    candidate: Candidate,
    kits: Kits,
    interview: Interview | None = None,
    progress: Progress | None = None,
    debrief: Debrief | None = None,
) -> NextStep:
    """``interview`` is the last scheduled interview of the current stage, if any,
    ``progress`` its scorecards, ``debrief`` the stage's last scheduled debrief."""
    match candidate.status:
        case CandidateStatus.ON_HOLD:
            return NextStep("On hold: record a decision to resume or close")
        case CandidateStatus.OFFER:
            return NextStep("Offer made: record hired or withdrawn")
        case CandidateStatus.HIRED:
            return NextStep("Hired: nothing left to do")
        case CandidateStatus.REJECTED | CandidateStatus.WITHDRAWN:
            return NextStep("Closed: nothing left to do")
    title = kits.stage_title(candidate.stage_key)
    if debrief is not None:
        return NextStep(f"{title} debrief", debrief.starts_at)
    if progress is not None and progress.complete:
        return NextStep(f"{title} scorecards all in: record a decision")
    if progress is not None and progress.submitted:
        return NextStep(f"{title} scorecards: {progress.submitted} of {progress.expected} in")
    if interview is not None:
        return NextStep(f"{title} interview", interview.starts_at)
    return NextStep(f"Schedule the {title} interview")


async def describe_next_step(session: AsyncSession, kits: Kits, candidate: Candidate) -> NextStep:
    """The card's next-step line, from what the database knows now."""
    debriefs = await debrief_store.scheduled_in_stage(
        session, row_id(candidate), candidate.stage_key
    )
    debrief = debriefs[-1] if debriefs else None
    interviews = await scheduled_in_stage(session, candidate)
    if not interviews:
        return next_step(candidate, kits, debrief=debrief)
    latest = interviews[-1]
    progress = await interview_progress(session, row_id(latest))
    return next_step(candidate, kits, latest, progress, debrief)
