"""What a decision stands on: the stage's scorecards in and missing, and the panel's
majority recommendation. A decision taken with scorecards missing, or against that
majority, needs a second reason (`guard_of`): not a refusal, a record of why.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.debrief_summary import split_of
from bot.scorecards import counted
from storage import scorecards as store
from storage.interviews import interviewers_of, interviews_of_candidate
from storage.models import Outcome, row_id

# Decisions that go with the panel's yes, and with its no; hold, resume and withdrawn
# take no side.
FOR_THE_CANDIDATE: Final = frozenset({Outcome.ADVANCE, Outcome.OFFER, Outcome.HIRED})
AGAINST_THE_CANDIDATE: Final = frozenset({Outcome.REJECT})


@dataclass(frozen=True)
class StageEvidence:
    """The scorecards of a candidate's stage: expected from those who attended its
    scheduled interviews, begun or not."""

    expected: int
    submitted: int
    missing: tuple[str, ...]  # interviewer ids, in interview then panel order
    yes: int
    no: int

    @property
    def majority(self) -> Outcome | None:
        """ADVANCE for a majority of yes, REJECT for a majority of no, else None."""
        if self.yes > self.no:
            return Outcome.ADVANCE
        if self.no > self.yes:
            return Outcome.REJECT
        return None


@dataclass(frozen=True)
class Guard:
    """Why a decision needs a second reason; neither: it does not."""

    missing: bool
    against_panel: bool

    @property
    def needed(self) -> bool:
        return self.missing or self.against_panel


NO_GUARD: Final = Guard(missing=False, against_panel=False)


def guard_of(evidence: StageEvidence, outcome: Outcome) -> Guard:
    against = (evidence.majority == Outcome.ADVANCE and outcome in AGAINST_THE_CANDIDATE) or (
        evidence.majority == Outcome.REJECT and outcome in FOR_THE_CANDIDATE
    )
    takes_side = outcome in FOR_THE_CANDIDATE | AGAINST_THE_CANDIDATE
    return Guard(missing=takes_side and bool(evidence.missing), against_panel=against)


async def stage_evidence(session: AsyncSession, candidate_id: int, stage_key: str) -> StageEvidence:
    expected = submitted = 0
    missing: list[str] = []
    overall: list[int] = []
    for interview in await interviews_of_candidate(session, candidate_id):
        if interview.stage_key != stage_key:
            continue
        interview_id = row_id(interview)
        panel = await interviewers_of(session, interview_id)
        cards = counted(panel, await store.scorecards_of_interview(session, interview_id))
        written = {card.interviewer_id for card in cards}
        attending = [member.user_id for member in panel if member.attended]
        expected += len(attending)
        submitted += len(cards)
        missing += [user_id for user_id in attending if user_id not in written]
        overall += [card.overall for card in cards]
    split = split_of(overall)
    return StageEvidence(
        expected=expected,
        submitted=submitted,
        missing=tuple(missing),
        yes=split.yes,
        no=split.no,
    )
