"""A hiring history with something to find, written straight to the database.

Forty candidates over about four months, two sources. Every screening panel has two
interviewers, every later one three; ``FAIR_ONE`` and ``FAIR_TWO`` rate each candidate as
they are, ``LENIENT`` a point and a half above, ``HARSH`` a point and a half below.
Most candidates pass screening and most of those stop at *Technical*. In the technical
interview, ``experiment_tracking`` is rated 3 or 4 for everyone, ``k8s_serving`` follows
the candidate (it separates), and ``feature_consistency`` rises with the date whoever
answers (it leaked).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, insert
from sqlmodel import select

from bot.context import BotContext
from bot.kits import Kits
from storage.db import transaction
from storage.models import (
    Candidate,
    CandidateStatus,
    Decision,
    Interview,
    InterviewInterviewer,
    Outcome,
    RatingKind,
    Scorecard,
    ScorecardAnswer,
    ScorecardRating,
)

LENIENT, HARSH, FAIR_ONE, FAIR_TWO = "U0LENIENT", "U0HARSH", "U0FAIRONE", "U0FAIRTWO"
INTERVIEWERS = (LENIENT, HARSH, FAIR_ONE, FAIR_TWO)
MANAGER = "U0HM"
EVERYONE_PASSES = "experiment_tracking"
SEPARATES = "k8s_serving"
LEAKED = "feature_consistency"
NOT_ASKED = "versioning_rollback"
STOP_STAGE = "technical"
NAME_PREFIX = "Seeded Candidate"


@dataclass
class Seeded:
    candidates: int = 0
    names: list[str] = field(default_factory=list)


def _clip(value: float) -> int:
    return max(1, min(4, round(value)))


def _bias(interviewer: str) -> float:
    return {LENIENT: 1.5, HARSH: -1.5}.get(interviewer, 0.0)


async def seed_history(
    bot: BotContext, kits: Kits, *, count: int = 40, end: datetime | None = None
) -> Seeded:
    """``count`` candidates whose loops end before ``end`` (the clock's now)."""
    now = end or bot.clock.now()
    start = now - timedelta(days=130)
    rng = random.Random(18)
    seeded = Seeded()
    stages = [stage.key for stage in kits.stages]
    # Ids given here rather than flushed for: one flush for the whole history is fast.
    async with bot.sessions() as session:
        first_id = 1 + int((await session.exec(select(func.count()).select_from(Candidate))).one())
        ids = {
            "interview": int((await session.exec(select(func.max(Interview.id)))).one() or 0),
            "scorecard": int((await session.exec(select(func.max(Scorecard.id)))).one() or 0),
        }
    rows: list[Any] = []
    for index in range(count):
        created = start + timedelta(days=index * 3)
        # Screening: most pass. Technical: most stop. System design: a few offers.
        quality = 1.0 + 3.0 * rng.random()
        # Screening lets four in five through; Technical only the strong.
        screened, strong = index % 5 != 4, quality >= 3.0
        reached = 1 + (1 if screened else 0) + (1 if screened and strong else 0)
        still_open = index >= count - 2
        name = f"{NAME_PREFIX} {index:03d}"
        seeded.names.append(name)
        candidate = Candidate(
            id=first_id + index,
            name=name,
            name_key=name.lower(),
            level="senior",
            location="us",
            source="Referral" if index % 3 == 0 else "LinkedIn",
            hiring_manager_id=MANAGER,
            created_by=MANAGER,
            stage_key=stages[reached - 1],
            status=CandidateStatus.ACTIVE,
            stage_entered_at=created,
            last_activity_at=created,
            created_at=created,
            updated_at=created,
        )
        rows.append(candidate)
        moment = created
        for position in range(reached):
            stage = kits.stages[position]
            moment += timedelta(days=2 + position)
            panel = _panel(index, position)
            ids["interview"] += 1
            interview = Interview(
                id=ids["interview"],
                candidate_id=candidate.id,
                stage_key=stage.key,
                starts_at=moment,
                duration_minutes=stage.duration_minutes,
                created_by=MANAGER,
                created_at=moment,
                updated_at=moment,
            )
            rows.append(interview)
            for interviewer in panel:
                rows.append(InterviewInterviewer(interview_id=interview.id, user_id=interviewer))
                ids["scorecard"] += 1
                card = Scorecard(
                    id=ids["scorecard"],
                    interview_id=interview.id,
                    interviewer_id=interviewer,
                    overall=_clip(quality + _bias(interviewer)),
                    evidence="seeded",
                    red_flags=(
                        ["cicd_needs_googling"] if quality < 1.6 and stage.key == STOP_STAGE else []
                    ),
                    submitted_at=moment + timedelta(hours=3),
                    updated_at=moment + timedelta(hours=3),
                )
                rows.append(card)
                for competency in stage.competencies:
                    noise = rng.choice((-0.3, 0.0, 0.3))
                    score = _clip(quality + noise + _bias(interviewer))
                    rows.append(
                        ScorecardRating(
                            scorecard_id=card.id,
                            kind=RatingKind.COMPETENCY,
                            key=competency.id,
                            score=score,
                        )
                    )
                if stage.key == STOP_STAGE:
                    rows += _answers(card.id, quality, index / max(count - 1, 1), rng)
            last_stage = position == reached - 1
            if last_stage and still_open:
                break
            if last_stage:
                final = stage.key == stages[-1]
                offered = final and quality >= 3.5
                outcome = Outcome.OFFER if offered else Outcome.REJECT
            else:
                outcome = Outcome.ADVANCE
            decided = moment + timedelta(days=1 + position)
            rows.append(
                Decision(
                    candidate_id=candidate.id,
                    stage_key=stage.key,
                    outcome=outcome,
                    reason="seeded",
                    decided_by=MANAGER,
                    decided_at=decided,
                )
            )
            if last_stage:
                candidate.status = (
                    CandidateStatus.OFFER if outcome == Outcome.OFFER else CandidateStatus.REJECTED
                )
                candidate.closed_at = decided
        seeded.candidates += 1
    async with transaction(bot.sessions) as session:
        connection = await session.connection()
        # Parents first, each table as plain rows in one statement: the ORM's unit of work
        # for the 17,000 rows was a third of the insights tests' time.
        for table in (
            Candidate,
            Interview,
            InterviewInterviewer,
            Scorecard,
            Decision,
            ScorecardRating,
            ScorecardAnswer,
        ):
            # Decisions take their ids from the database, as the bot's do.
            unset = {"id"} if table is Decision else None
            await connection.execute(
                insert(table),
                [row.model_dump(exclude=unset) for row in rows if isinstance(row, table)],
            )
    return seeded


def _panel(index: int, position: int) -> tuple[str, ...]:
    if position == 0:
        return (FAIR_ONE, LENIENT if index % 2 else HARSH)
    return (FAIR_ONE, FAIR_TWO, LENIENT if index % 2 else HARSH)


def _answers(
    scorecard_id: int, quality: float, progress: float, rng: random.Random
) -> list[ScorecardAnswer]:
    return [
        ScorecardAnswer(
            scorecard_id=scorecard_id,
            question_key=EVERYONE_PASSES,
            rating=rng.choice((3, 4)),
            notes="knows the tools",
        ),
        ScorecardAnswer(scorecard_id=scorecard_id, question_key=SEPARATES, rating=_clip(quality)),
        ScorecardAnswer(
            scorecard_id=scorecard_id,
            question_key=LEAKED,
            rating=_clip(1 + 3 * progress + rng.choice((-0.3, 0.0, 0.3))),
        ),
        ScorecardAnswer(scorecard_id=scorecard_id, question_key=NOT_ASKED, not_asked=True),
    ]
