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
    Interview,
    InterviewInterviewer,
    InterviewStatus,
)
from tests.harness import HIRING_CHANNEL, HIRING_MANAGER

PANEL = ("U0ANA", "U0BEN", "U0CAT")


async def add_candidate(
    bot: BotContext,
    *,
    name: str = "Jane Doe",
    stage_key: str = "technical",
    status: CandidateStatus = CandidateStatus.ACTIVE,
    hiring_manager_id: str = HIRING_MANAGER,
    thread_ts: str | None = None,
) -> int:
    now = bot.clock.now()
    async with transaction(bot.sessions) as session:
        candidate = Candidate(
            name=name,
            name_key=name.lower(),
            level="senior",
            location="us",
            hiring_manager_id=hiring_manager_id,
            created_by=hiring_manager_id,
            stage_key=stage_key,
            status=status,
            stage_entered_at=now,
            last_activity_at=now,
            channel_id=HIRING_CHANNEL if thread_ts else None,
            thread_ts=thread_ts,
            created_at=now,
            updated_at=now,
        )
        session.add(candidate)
        await session.flush()
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
    """An interview that ended an hour ago unless ``starts_at`` says otherwise."""
    now = bot.clock.now()
    absent = set(not_attended)
    async with transaction(bot.sessions) as session:
        interview = Interview(
            candidate_id=candidate_id,
            stage_key=stage_key,
            starts_at=starts_at or now - timedelta(hours=2, minutes=30),
            duration_minutes=90,
            status=status,
            created_by=HIRING_MANAGER,
            created_at=now,
            updated_at=now,
        )
        session.add(interview)
        await session.flush()
        assert interview.id is not None
        session.add_all(
            InterviewInterviewer(
                interview_id=interview.id, user_id=user_id, attended=user_id not in absent
            )
            for user_id in panel
        )
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
