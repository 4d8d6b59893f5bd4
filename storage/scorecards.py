"""Queries on scorecards and their ratings, and on the panels that owe them."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import and_, bindparam, delete, insert
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import upsert_insert
from storage.models import (
    Interview,
    InterviewInterviewer,
    InterviewStatus,
    RatingKind,
    Scorecard,
    ScorecardRating,
    ScorecardRead,
    ScorecardRevision,
)

# Built once, as the statements every scorecard submission runs are: building one cost
# more than SQLite's answer to it (bench, 20 in flight).
_SCORECARD_OF = select(Scorecard).where(
    col(Scorecard.interview_id) == bindparam("interview_id"),
    col(Scorecard.interviewer_id) == bindparam("interviewer_id"),
)
_SCORECARDS_OF_INTERVIEW = (
    select(Scorecard)
    .where(col(Scorecard.interview_id) == bindparam("interview_id"))
    .order_by(col(Scorecard.submitted_at), col(Scorecard.id))
)
_DELETE_RATINGS = delete(ScorecardRating).where(
    col(ScorecardRating.scorecard_id) == bindparam("scorecard_id")
)
_INSERT_RATINGS = insert(ScorecardRating)


@cache
def _insert_once(dialect_insert: Any) -> Any:
    """The scorecard's insert that does nothing on a second one for the seat (and returns
    no id), per dialect."""
    return (
        dialect_insert(Scorecard)
        .on_conflict_do_nothing(index_elements=["interview_id", "interviewer_id"])
        .returning(col(Scorecard.id))
    )


async def scorecard_of(
    session: AsyncSession, interview_id: int, interviewer_id: str
) -> Scorecard | None:
    params = {"interview_id": interview_id, "interviewer_id": interviewer_id}
    return (await session.exec(_SCORECARD_OF, params=params)).first()


async def scorecards_of_interview(session: AsyncSession, interview_id: int) -> list[Scorecard]:
    """Its scorecards in the order they came in."""
    params = {"interview_id": interview_id}
    return list((await session.exec(_SCORECARDS_OF_INTERVIEW, params=params)).all())


async def ratings_of(
    session: AsyncSession, scorecard_ids: Iterable[int]
) -> dict[int, list[ScorecardRating]]:
    """The ratings of each scorecard, by scorecard id (an id without ratings maps to [])."""
    ids = list(scorecard_ids)
    found: dict[int, list[ScorecardRating]] = {scorecard_id: [] for scorecard_id in ids}
    if not ids:
        return found
    query = select(ScorecardRating).where(col(ScorecardRating.scorecard_id).in_(ids))
    for rating in (await session.exec(query)).all():
        found[rating.scorecard_id].append(rating)
    return found


async def insert_scorecard_once(session: AsyncSession, values: dict[str, Any]) -> int | None:
    """Insert a scorecard unless its (interview, interviewer) already has one; its id if it
    was inserted. Two submissions racing (a double click) then agree on one row instead of
    one of them failing on the unique constraint."""
    connection = await session.connection()
    result = await connection.execute(_insert_once(upsert_insert(session)), values)
    inserted = result.scalar_one_or_none()
    return None if inserted is None else int(inserted)


async def update_scorecard(
    session: AsyncSession, scorecard: Scorecard, values: dict[str, Any], updated_at: datetime
) -> None:
    for name, value in values.items():
        setattr(scorecard, name, value)
    scorecard.updated_at = updated_at
    session.add(scorecard)
    await session.flush()


async def replace_ratings(
    session: AsyncSession, scorecard_id: int, ratings: Sequence[tuple[str, str, int | None]]
) -> None:
    """Set the scorecard's ratings to ``ratings``: (kind, key, score) triples."""
    await session.exec(_DELETE_RATINGS, params={"scorecard_id": scorecard_id})
    await add_ratings(session, scorecard_id, ratings)


async def add_ratings(
    session: AsyncSession, scorecard_id: int, ratings: Sequence[tuple[str, str, int | None]]
) -> None:
    """The ratings of a scorecard that has none yet."""
    if ratings:
        # Plain rows through the connection, one statement for the form: the ORM's unit of
        # work was a tenth of a submission's time, and its bulk insert split the rows by
        # which of them have a score.
        connection = await session.connection()
        await connection.execute(
            _INSERT_RATINGS,
            [
                {"scorecard_id": scorecard_id, "kind": kind, "key": key, "score": score}
                for kind, key, score in ratings
            ],
        )


async def observed_quality_keys(session: AsyncSession, candidate_id: int) -> set[str]:
    """The qualities someone rated (not "not observed") anywhere in the candidate's loop, in
    scorecards that count (by an interviewer still on the panel, who attended)."""
    query = (
        select(ScorecardRating.key)
        .join(Scorecard)
        .join(Interview)
        .join(
            InterviewInterviewer,
            (col(InterviewInterviewer.interview_id) == Scorecard.interview_id)
            & (col(InterviewInterviewer.user_id) == Scorecard.interviewer_id),
        )
        .where(
            col(InterviewInterviewer.attended).is_(True),
            Interview.candidate_id == candidate_id,
            Interview.status != InterviewStatus.CANCELLED,
            ScorecardRating.kind == RatingKind.QUALITY,
            col(ScorecardRating.score).is_not(None),
        )
        .distinct()
    )
    return set((await session.exec(query)).all())


async def has_scorecards(session: AsyncSession, interview_id: int) -> bool:
    query = select(Scorecard.id).where(Scorecard.interview_id == interview_id).limit(1)
    return (await session.exec(query)).first() is not None


async def add_revision(session: AsyncSession, revision: ScorecardRevision) -> None:
    session.add(revision)
    await session.flush()


async def revisions_of(
    session: AsyncSession, scorecard_ids: Iterable[int]
) -> dict[int, list[ScorecardRevision]]:
    """The revisions of each scorecard, oldest first (an id without any maps to [])."""
    ids = list(scorecard_ids)
    found: dict[int, list[ScorecardRevision]] = {scorecard_id: [] for scorecard_id in ids}
    if not ids:
        return found
    query = (
        select(ScorecardRevision)
        .where(col(ScorecardRevision.scorecard_id).in_(ids))
        .order_by(col(ScorecardRevision.changed_at), col(ScorecardRevision.id))
    )
    for revision in (await session.exec(query)).all():
        found[revision.scorecard_id].append(revision)
    return found


async def record_read(
    session: AsyncSession, interview_id: int, reader_id: str, at: datetime
) -> None:
    """Remember that ``reader_id`` was shown others' scorecards of the interview; the first
    time is kept, the last one moves."""
    statement = (
        upsert_insert(session)(ScorecardRead)
        .values(interview_id=interview_id, reader_id=reader_id, first_read_at=at, last_read_at=at)
        .on_conflict_do_update(
            index_elements=["interview_id", "reader_id"], set_={"last_read_at": at}
        )
    )
    await session.exec(statement)


async def first_read_at(
    session: AsyncSession, interview_id: int, reader_id: str
) -> datetime | None:
    read = await session.get(ScorecardRead, (interview_id, reader_id))
    return read.first_read_at if read is not None else None


async def owed_interviews(
    session: AsyncSession, user_id: str, candidate_id: int
) -> list[Interview]:
    """The candidate's scheduled interviews with ``user_id`` on the panel, attending, and
    no scorecard of theirs in; earliest first."""
    theirs = (
        select(Scorecard.id)
        .where(col(Scorecard.interview_id) == Interview.id, Scorecard.interviewer_id == user_id)
        .exists()
    )
    query = (
        select(Interview)
        .join(InterviewInterviewer, col(InterviewInterviewer.interview_id) == Interview.id)
        .where(
            Interview.candidate_id == candidate_id,
            Interview.status == InterviewStatus.SCHEDULED,
            InterviewInterviewer.user_id == user_id,
            col(InterviewInterviewer.attended).is_(True),
            ~theirs,
        )
        .order_by(col(Interview.starts_at), col(Interview.id))
    )
    return list((await session.exec(query)).all())


def seat_scorecard() -> ColumnElement[bool]:
    """Joins an interviewer's seat to the scorecard they owe for it."""
    return and_(
        col(Scorecard.interview_id) == col(InterviewInterviewer.interview_id),
        col(Scorecard.interviewer_id) == col(InterviewInterviewer.user_id),
    )


# Built once: every scorecard asks whether its panel is complete.
_SCORECARD_SEATS = (
    select(
        InterviewInterviewer.interview_id,
        InterviewInterviewer.user_id,
        col(Scorecard.id).is_not(None),
    )
    .outerjoin(Scorecard, seat_scorecard())
    .where(
        col(InterviewInterviewer.interview_id).in_(bindparam("interview_ids", expanding=True)),
        col(InterviewInterviewer.attended),
    )
    .order_by(col(InterviewInterviewer.interview_id), col(InterviewInterviewer.user_id))
)


async def scorecard_seats(
    session: AsyncSession, interview_ids: Collection[int]
) -> list[tuple[int, str, bool]]:
    """``(interview_id, user_id, submitted)`` for each attending interviewer."""
    if not interview_ids:
        return []
    rows = await session.exec(_SCORECARD_SEATS, params={"interview_ids": list(interview_ids)})
    return [(interview_id, user_id, bool(submitted)) for interview_id, user_id, submitted in rows]


async def missing_scorecards(
    session: AsyncSession, interview_ids: Collection[int]
) -> list[tuple[int, str]]:
    """``(interview_id, user_id)`` of each attending interviewer with no scorecard yet."""
    seats = await scorecard_seats(session, interview_ids)
    return [(interview_id, user_id) for interview_id, user_id, submitted in seats if not submitted]
