"""Rows of a hiring loop written straight to the database, for tests of scorecards and
decisions that need a candidate, an interview and its panel but not the Slack flows that
normally create them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

from bot.context import BotContext
from bot.kits import Kits
from bot.scorecards import NOT_OBSERVED, QualityChoice, ScorecardForm
from storage.db import transaction
from storage.models import (
    Candidate,
    CandidateStatus,
    InterviewInterviewer,
    InterviewStatus,
)
from tests import pipeline_seed as seed

PANEL = ("U0ANA", "U0BEN", "U0CAT")


async def add_candidate(
    bot: BotContext,
    *,
    stage_key: str = "technical",
    status: CandidateStatus = CandidateStatus.ACTIVE,
) -> int:
    candidate = await seed.add_candidate(bot, stage=stage_key, status=status)
    assert candidate.id is not None
    return candidate.id


async def add_interview(
    bot: BotContext,
    candidate_id: int,
    *,
    stage_key: str = "technical",
    panel: Iterable[str] = PANEL,
    not_attended: Iterable[str] = (),
    starts_at: datetime | None = None,
    status: InterviewStatus = InterviewStatus.SCHEDULED,
) -> int:
    """A 90-minute interview that ended an hour ago unless ``starts_at`` says otherwise;
    ``not_attended`` are marked so, as their *I did not attend* button does."""
    async with bot.sessions() as session:
        candidate = await session.get(Candidate, candidate_id)
    assert candidate is not None
    interview = await seed.add_interview(
        bot,
        candidate,
        list(panel),
        starts_at=starts_at or bot.clock.now() - timedelta(hours=2, minutes=30),
        minutes=90,
        stage=stage_key,
    )
    async with transaction(bot.sessions) as session:
        interview.status = status
        session.add(interview)
        for user_id in not_attended:
            seat = await session.get(InterviewInterviewer, (interview.id, user_id))
            assert seat is not None
            seat.attended = False
            session.add(seat)
    assert interview.id is not None
    return interview.id


def scorecard_form(
    kits: Kits,
    stage_key: str = "technical",
    *,
    score: int = 3,
    competencies: Mapping[str, int | None] | None = None,
    qualities: Mapping[str, QualityChoice] | None = None,
    overall: int | None = 3,
    red_flags: Iterable[str] = (),
    evidence: str | None = "Walked through a canary rollout with clear rollback steps.",
    private_note: str | None = None,
) -> ScorecardForm:
    """A complete, valid form: every competency ``score``, qualities not observed;
    ``competencies`` and ``qualities`` override single entries."""
    stage = kits.stage(stage_key)
    return ScorecardForm(
        competencies={c.id: score for c in stage.competencies} | dict(competencies or {}),
        qualities={q.id: NOT_OBSERVED for q in kits.qualities} | dict(qualities or {}),
        red_flags=list(red_flags),
        overall=overall,
        evidence=evidence,
        private_note=private_note,
    )
