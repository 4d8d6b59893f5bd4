"""A pipeline written straight into the tables, in bulk: thousands of rows a second.

The rows are what the bot itself would have stored (see storage/models.py), with ids
given here so that one executemany per table does it; all times are relative to ``now``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert
from sqlmodel import SQLModel

from bot.kits import Kits
from storage.db import SessionFactory, transaction
from storage.models import (
    Candidate,
    CandidateStatus,
    Decision,
    Interview,
    InterviewInterviewer,
    InterviewStatus,
    Outcome,
    RatingKind,
    Reminder,
    ReminderStatus,
    Scorecard,
    ScorecardAnswer,
    ScorecardRating,
)

HIRING_CHANNEL = "C0HIRING"
HIRING_MANAGER = "U0HM"
BATCH = 5000
DUE_HOURS = 24


@dataclass(frozen=True)
class Shape:
    """How big the pipeline is, per candidate and per interview."""

    candidates: int
    interviews: int  # per candidate, one stage after another, all in the past
    interviewers: int  # per interview
    scorecards: int  # submitted per interview, at most ``interviewers``
    # Interviewers added to each candidate's latest interview who have not submitted:
    # the overdue scorecards of the digest.
    late_interviewers: int = 0
    interviewer_pool: int = 200
    decisions: bool = False  # an "advance" for every stage but the current one
    # Notes per question on every scorecard (every fourth question not asked) and a red
    # flag on every tenth: what the insights read.
    answers: bool = False


def interviewer_id(index: int) -> str:
    return f"U0INT{index:05d}"


def interviewers_of(shape: Shape, interview_id: int, latest: bool) -> list[str]:
    """Distinct users per interview, spread evenly over the pool."""
    width = shape.interviewers + shape.late_interviewers
    count = width if latest else shape.interviewers
    return [
        interviewer_id((interview_id * width + j) % shape.interviewer_pool) for j in range(count)
    ]


async def _bulk(
    sessions: SessionFactory, model: type[SQLModel], rows: Iterator[dict[str, Any]]
) -> None:
    batch: list[dict[str, Any]] = []
    async with transaction(sessions) as session:
        for row in rows:
            batch.append(row)
            if len(batch) == BATCH:
                await session.exec(insert(model), params=batch)
                batch = []
        if batch:
            await session.exec(insert(model), params=batch)


def _candidates(shape: Shape, kits: Kits, now: datetime) -> Iterator[dict[str, Any]]:
    stages = kits.stages
    for number in range(1, shape.candidates + 1):
        stage = stages[
            min(shape.interviews, len(stages)) - 1 - number % min(shape.interviews, len(stages))
        ]
        entered = now - timedelta(days=number % 20, hours=1)
        yield {
            "id": number,
            "name": f"Candidate {number}",
            "name_key": f"candidate {number}",
            "level": "senior" if number % 2 else "mid",
            "location": "uk",
            "profile_url": f"https://example.com/in/candidate-{number}",
            "profile_url_key": f"example.com/in/candidate-{number}",
            "source": "referral",
            "notes": None,
            "hiring_manager_id": HIRING_MANAGER,
            "created_by": HIRING_MANAGER,
            "stage_key": stage.key,
            "status": CandidateStatus.ACTIVE,
            "stage_entered_at": entered,
            "last_activity_at": now - timedelta(days=number % 10),
            "channel_id": HIRING_CHANNEL,
            "thread_ts": f"1700000000.{number:06d}",
            "permalink": f"https://fake-workspace.slack.com/archives/{HIRING_CHANNEL}/p{number}",
            "created_at": entered - timedelta(days=30),
            "updated_at": entered,
        }


@dataclass(frozen=True)
class _Interview:
    id: int
    candidate_id: int
    stage_key: str
    starts_at: datetime
    latest: bool


def _interviews(shape: Shape, kits: Kits, now: datetime) -> Iterator[_Interview]:
    stages = kits.stages
    for candidate in range(1, shape.candidates + 1):
        for k in range(shape.interviews):
            yield _Interview(
                id=(candidate - 1) * shape.interviews + k + 1,
                candidate_id=candidate,
                stage_key=stages[k % len(stages)].key,
                # Two days apart, the latest ending two days ago: its scorecards are overdue.
                starts_at=now - timedelta(days=2 * (shape.interviews - k) + 1),
                latest=k == shape.interviews - 1,
            )


async def seed_pipeline(sessions: SessionFactory, kits: Kits, shape: Shape, now: datetime) -> None:
    submitted = {
        (card["interview_id"], card["interviewer_id"]): card["submitted_at"]
        for card, _ in _scorecards(shape, kits, now)
    }
    ready = _stage_ready(shape, kits, now, submitted)
    await _bulk(
        sessions,
        Candidate,
        (row | {"stage_ready_at": ready.get(row["id"])} for row in _candidates(shape, kits, now)),
    )
    await _bulk(
        sessions,
        Interview,
        (
            {
                "id": i.id,
                "candidate_id": i.candidate_id,
                "stage_key": i.stage_key,
                "starts_at": i.starts_at,
                "duration_minutes": 60,
                "status": InterviewStatus.SCHEDULED,
                "message_ts": f"1700000001.{i.id:06d}",
                "created_by": HIRING_MANAGER,
                "created_at": i.starts_at - timedelta(days=7),
                "updated_at": i.starts_at - timedelta(days=7),
            }
            for i in _interviews(shape, kits, now)
        ),
    )
    await _bulk(
        sessions,
        InterviewInterviewer,
        (
            {
                "interview_id": i.id,
                "user_id": user,
                "attended": True,
                # What storage.marks keeps, FEEDBACK_DUE_HOURS at its default.
                "scorecard_due_at": i.starts_at + timedelta(minutes=60, hours=DUE_HOURS),
                "scorecard_in_at": submitted.get((i.id, user)),
                "owed_due_at": None
                if (i.id, user) in submitted
                else i.starts_at + timedelta(minutes=60, hours=DUE_HOURS),
            }
            for i in _interviews(shape, kits, now)
            for user in interviewers_of(shape, i.id, i.latest)
        ),
    )
    if shape.scorecards:
        await _seed_scorecards(sessions, kits, shape, now)
    if shape.decisions:
        await _bulk(sessions, Decision, _decisions(shape, kits, now))
    if shape.scorecards and shape.answers:
        await _bulk(sessions, ScorecardAnswer, _answers(shape, kits, now))


def _red_flags(shape: Shape, kits: Kits, stage_key: str, number: int) -> list[str]:
    if not shape.answers or number % 10:
        return []
    return [kits.stage(stage_key).red_flags[0].id]


def _stage_ready(
    shape: Shape, kits: Kits, now: datetime, submitted: dict[tuple[int, str], datetime]
) -> dict[int, datetime]:
    """Each candidate's ``stage_ready_at`` as storage.marks keeps it: the last scorecard
    of their current stage when all are in and no decision of the stage came since."""
    stage_of = {row["id"]: row["stage_key"] for row in _candidates(shape, kits, now)}
    decided: dict[tuple[int, str], datetime] = {}
    if shape.decisions:
        for row in _decisions(shape, kits, now):
            key = (row["candidate_id"], row["stage_key"])
            decided[key] = max(decided.get(key, row["decided_at"]), row["decided_at"])
    seats: dict[int, list[datetime | None]] = {}
    for i in _interviews(shape, kits, now):
        if i.stage_key == stage_of[i.candidate_id]:
            seats.setdefault(i.candidate_id, []).extend(
                submitted.get((i.id, user)) for user in interviewers_of(shape, i.id, i.latest)
            )
    ready: dict[int, datetime] = {}
    for candidate_id, times in seats.items():
        if not times or None in times:
            continue
        last = max(t for t in times if t is not None)
        at = decided.get((candidate_id, stage_of[candidate_id]))
        if at is None or at < last:
            ready[candidate_id] = last
    return ready


def _scorecards(
    shape: Shape, kits: Kits, now: datetime
) -> Iterator[tuple[dict[str, Any], list[str]]]:
    qualities = [q.id for q in kits.qualities]
    number = 0
    for i in _interviews(shape, kits, now):
        competencies = [c.id for c in kits.stage(i.stage_key).competencies]
        for user in interviewers_of(shape, i.id, i.latest)[: shape.scorecards]:
            number += 1
            # Every fifth one a day late: the feedback SLA has something to count.
            submitted = i.starts_at + timedelta(hours=26 if number % 5 == 0 else 3)
            yield (
                {
                    "id": number,
                    "interview_id": i.id,
                    "interviewer_id": user,
                    "overall": 1 + number % 4,
                    "evidence": "Walked through a model rollback and its monitoring.",
                    "private_note": None,
                    "red_flags": _red_flags(shape, kits, i.stage_key, number),
                    "submitted_at": submitted,
                    "updated_at": submitted,
                },
                competencies + qualities,
            )


async def _seed_scorecards(
    sessions: SessionFactory, kits: Kits, shape: Shape, now: datetime
) -> None:
    qualities = {q.id for q in kits.qualities}
    await _bulk(sessions, Scorecard, (card for card, _ in _scorecards(shape, kits, now)))
    await _bulk(
        sessions,
        ScorecardRating,
        (
            {
                "scorecard_id": card["id"],
                "kind": RatingKind.QUALITY if key in qualities else RatingKind.COMPETENCY,
                "key": key,
                "score": 1 + (card["id"] + n) % 4,
            }
            for card, keys in _scorecards(shape, kits, now)
            for n, key in enumerate(keys)
        ),
    )


def _answers(shape: Shape, kits: Kits, now: datetime) -> Iterator[dict[str, Any]]:
    interviews = {i.id: i.stage_key for i in _interviews(shape, kits, now)}
    for card, _ in _scorecards(shape, kits, now):
        questions = kits.stage(interviews[card["interview_id"]]).questions
        for n, question in enumerate(questions):
            skipped = (card["id"] + n) % 4 == 0
            yield {
                "scorecard_id": card["id"],
                "question_key": question.id,
                "competency_key": None,
                "rating": None if skipped else 1 + (card["id"] * 3 + n) % 4,
                "not_asked": skipped,
                "notes": None if skipped else "Covered the rollback path and its alerts.",
            }


def _decisions(shape: Shape, kits: Kits, now: datetime) -> Iterator[dict[str, Any]]:
    number = 0
    for i in _interviews(shape, kits, now):
        if i.latest:
            continue
        number += 1
        # Every seventh within the last day: the digest's "decisions since yesterday".
        decided = now - timedelta(hours=5) if number % 7 == 0 else i.starts_at + timedelta(days=1)
        yield {
            "id": number,
            "candidate_id": i.candidate_id,
            "stage_key": i.stage_key,
            "outcome": Outcome.ADVANCE,
            "reason": "Strong on the ML lifecycle.",
            "decided_by": HIRING_MANAGER,
            "decided_at": decided,
        }


async def seed_reminders(
    sessions: SessionFactory, shape: Shape, kits: Kits, kind: str, now: datetime
) -> int:
    """One reminder, due a minute ago, per interviewer of each interview; returns how many."""
    rows = [
        {
            "id": n + 1,
            "kind": kind,
            "recipient_id": user,
            "candidate_id": i.candidate_id,
            "interview_id": i.id,
            "due_at": now - timedelta(minutes=1),
            "status": ReminderStatus.PENDING,
            "attempts": 0,
            "dedupe_key": f"{kind}:interview:{i.id}:{user}",
            "created_at": now - timedelta(days=1),
        }
        for n, (i, user) in enumerate(
            (i, user)
            for i in _interviews(shape, kits, now)
            for user in interviewers_of(shape, i.id, i.latest)
        )
    ]
    await _bulk(sessions, Reminder, iter(rows))
    return len(rows)
