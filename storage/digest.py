"""The daily digest's queries: each one statement over the whole pipeline, so that a
digest costs the same number of statements for 50 candidates or 5,000. Also the
once-a-day bookkeeping of ``digest_run``.

The end of an interview and its scorecard deadline are computed in SQL, so that filters
and on-time counts need no row-by-row work here: as numbers of days (``Days``) where rows
are compared, as times (``PlusMinutes``) where one is shown. Every list is cut and counted
by the database (``first_rows``), so the rows fetched do not grow with the pipeline.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Float, and_, case, delete, func, true, union_all, update
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import Select

from storage.db import upsert_insert
from storage.models import (
    CLOSED_STATUSES,
    Candidate,
    CandidateStatus,
    Debrief,
    DebriefAttendee,
    Decision,
    DigestRun,
    Interview,
    InterviewInterviewer,
    InterviewStatus,
    Scorecard,
    row_id,
)
from storage.scorecards import seat_scorecard
from storage.types import UTCDateTime

OPEN = tuple(s for s in CandidateStatus if s not in CLOSED_STATUSES)


class PlusMinutes(FunctionElement[datetime]):
    """``moment + minutes``: a UTC time column plus a number of minutes."""

    type = UTCDateTime()
    inherit_cache = True
    name = "plus_minutes"


@compiles(PlusMinutes)
def _plus_minutes(element: PlusMinutes, compiler: SQLCompiler, **kw: Any) -> str:
    moment, minutes = (compiler.process(c, **kw) for c in element.clauses)
    return f"({moment} + ({minutes}) * INTERVAL '1 minute')"


@compiles(PlusMinutes, "sqlite")
def _plus_minutes_sqlite(element: PlusMinutes, compiler: SQLCompiler, **kw: Any) -> str:
    moment, minutes = (compiler.process(c, **kw) for c in element.clauses)
    # SQLite stores "YYYY-MM-DD HH:MM:SS.ffffff"; strftime drops the fraction, so it is put
    # back to keep the result comparable, as text, with the stored values.
    return (
        f"(strftime('%Y-%m-%d %H:%M:%S', {moment}, ({minutes}) || ' minutes')"
        f" || substr({moment}, 20))"
    )


class Days(FunctionElement[float]):
    """A UTC time as days since 1970 (a float). Filters compare these numbers rather than
    times built per row: SQLite builds a time string three times slower than it reads one
    as a number (BENCHMARKS.md, the digest), and the digest compares every seat's deadline."""

    type = Float()
    inherit_cache = True
    name = "days"


@compiles(Days)
def _days(element: Days, compiler: SQLCompiler, **kw: Any) -> str:
    (moment,) = (compiler.process(c, **kw) for c in element.clauses)
    return f"(EXTRACT(EPOCH FROM {moment}) / 86400.0)"


@compiles(Days, "sqlite")
def _days_sqlite(element: Days, compiler: SQLCompiler, **kw: Any) -> str:
    (moment,) = (compiler.process(c, **kw) for c in element.clauses)
    return f"(julianday({moment}) - 2440587.5)"


def days(moment: datetime) -> float:
    """``moment`` as ``Days`` measures it, computed here once rather than per row."""
    return moment.timestamp() / 86400


def end_days(meeting: type[Interview] | type[Debrief]) -> ColumnElement[float]:
    return Days(col(meeting.starts_at)) + col(meeting.duration_minutes) / 1440.0


@dataclass(frozen=True)
class CandidateRow:
    """The columns of a candidate that a digest line shows."""

    id: int
    name: str
    stage_key: str
    status: str
    permalink: str | None


CANDIDATE_COLUMNS = (
    col(Candidate.id),
    col(Candidate.name),
    col(Candidate.stage_key),
    col(Candidate.status),
    col(Candidate.permalink),
)


def _candidate(row: Any) -> CandidateRow:
    return CandidateRow(*row[: len(CANDIDATE_COLUMNS)])


def candidate_select(*columns: Any) -> Select[*tuple[Any, ...]]:
    """``SELECT`` a candidate's row (``CANDIDATE_COLUMNS``) then ``columns``: sqlmodel's
    ``select`` is typed for at most four columns, and these rows are wider."""
    return Select(*CANDIDATE_COLUMNS, *columns)


def candidate_row(candidate: Candidate) -> CandidateRow:
    return CandidateRow(
        row_id(candidate),
        candidate.name,
        candidate.stage_key,
        candidate.status,
        candidate.permalink,
    )


def _rest(row: Any) -> tuple[Any, ...]:
    return tuple(row[len(CANDIDATE_COLUMNS) :])


def _open_candidate() -> ColumnElement[bool]:
    return col(Candidate.status).in_(OPEN)


def _managed_by(manager: str | None) -> ColumnElement[bool]:
    """The candidates of one hiring manager (their App Home), or all (None)."""
    if manager is None:
        return true()
    return col(Candidate.hiring_manager_id) == manager


async def first_rows(
    session: AsyncSession, statement: Any, limit: int, *, counted: Any = None
) -> tuple[list[Any], int]:
    """The first ``limit`` rows of ``statement`` and how many it has in all, in two
    statements. Where an index gives the statement's order, the database reads ``limit``
    rows and stops, and counts the rest from the index without reading them: a count in
    the same statement (``COUNT(*) OVER ()``) would make it read and sort every match.
    ``counted``: the same rows without the joins that only fetch columns to show. Fewer
    rows than ``limit`` are all of them: then there is nothing more to count."""
    rows = list(await session.exec(statement.limit(limit)))
    if len(rows) < limit:
        return rows, len(rows)
    source = statement if counted is None else counted
    count = select(func.count()).select_from(source.order_by(None).subquery())
    return rows, int((await session.exec(count)).one())


async def stage_counts(
    session: AsyncSession, *, manager: str | None = None
) -> list[tuple[str, str, int]]:
    """``(stage_key, status, count)`` of the candidates not closed."""
    rows = await session.exec(
        select(Candidate.stage_key, Candidate.status, func.count())
        .where(_open_candidate(), _managed_by(manager))
        .group_by(col(Candidate.stage_key), col(Candidate.status))
    )
    return [(stage, status, int(count)) for stage, status, count in rows]


async def pipeline_listing(
    session: AsyncSession,
    groups: Collection[tuple[str, str]],
    *,
    per_stage: int,
    manager: str | None = None,
) -> list[Candidate]:
    """The first ``per_stage`` open candidates of each stage, longest in it first, from
    ``groups``, the (stage_key, status) pairs there are (``stage_counts``): one statement
    whose parts each read ``per_stage`` rows of an index in its order and stop."""
    if not groups:
        return []
    firsts = [
        select(Candidate.id)
        .where(
            col(Candidate.status) == status,
            col(Candidate.stage_key) == stage_key,
            _managed_by(manager),
        )
        .order_by(col(Candidate.stage_entered_at), col(Candidate.id))
        .limit(per_stage)
        .subquery()
        .select()
        for stage_key, status in sorted(set(groups))
    ]
    ids = union_all(*firsts).subquery()
    rows = await session.exec(
        select(Candidate)
        .where(col(Candidate.id).in_(select(ids.c.id)))
        .order_by(col(Candidate.stage_key), col(Candidate.stage_entered_at), col(Candidate.id))
    )
    kept: list[Candidate] = []
    listed: dict[str, int] = {}
    for candidate in rows:
        listed[candidate.stage_key] = listed.get(candidate.stage_key, 0) + 1
        if listed[candidate.stage_key] <= per_stage:
            kept.append(candidate)
    return kept


async def current_stage_interviews(
    session: AsyncSession, candidate_ids: Collection[int]
) -> list[tuple[Interview, int, int]]:
    """``(interview, expected, submitted)`` of each scheduled interview of the candidates'
    current stages, earliest first."""
    if not candidate_ids:
        return []
    rows = await session.exec(
        select(
            Interview, func.count(col(InterviewInterviewer.user_id)), func.count(col(Scorecard.id))
        )
        .join(Candidate, col(Candidate.id) == col(Interview.candidate_id))
        .outerjoin(
            InterviewInterviewer,
            and_(
                col(InterviewInterviewer.interview_id) == col(Interview.id),
                col(InterviewInterviewer.attended),
            ),
        )
        .outerjoin(Scorecard, seat_scorecard())
        .where(
            col(Interview.candidate_id).in_(list(candidate_ids)),
            col(Interview.stage_key) == col(Candidate.stage_key),
            col(Interview.status) == InterviewStatus.SCHEDULED,
        )
        .group_by(col(Interview.id))
        .order_by(col(Interview.starts_at), col(Interview.id))
    )
    return [(interview, int(expected), int(done)) for interview, expected, done in rows]


async def current_stage_debriefs(
    session: AsyncSession, candidate_ids: Collection[int]
) -> list[Debrief]:
    """The scheduled debriefs of the candidates' current stages, earliest first."""
    if not candidate_ids:
        return []
    rows = await session.exec(
        select(Debrief)
        .join(Candidate, col(Candidate.id) == col(Debrief.candidate_id))
        .where(
            col(Debrief.candidate_id).in_(list(candidate_ids)),
            col(Debrief.stage_key) == col(Candidate.stage_key),
            col(Debrief.status) == InterviewStatus.SCHEDULED,
        )
        .order_by(col(Debrief.starts_at), col(Debrief.id))
    )
    return list(rows.all())


async def overdue_scorecards(
    session: AsyncSession, now: datetime, *, limit: int, manager: str | None = None
) -> tuple[list[tuple[CandidateRow, str, str, datetime, int]], int]:
    """The first ``limit`` ``(candidate, interviewer_id, stage_key, due_at, interview_id)`` of the
    scorecards past their deadline, by interviewer then deadline, and how many there are.
    Found by the seats' stored owed deadlines (``storage.marks``): by index, in its order."""
    seat = InterviewInterviewer
    statement = (
        candidate_select(seat.user_id, Interview.stage_key, seat.owed_due_at, Interview.id)
        .select_from(seat)
        .join(Interview, col(Interview.id) == col(seat.interview_id))
        .join(Candidate, col(Candidate.id) == col(Interview.candidate_id))
        .where(col(seat.owed_due_at) <= now, _managed_by(manager))
        .order_by(col(seat.user_id), col(seat.owed_due_at))
    )
    # Owed seats are of open candidates only: all of them, counted from the index alone.
    everyone = select(seat.user_id).where(col(seat.owed_due_at) <= now)
    counted = everyone if manager is None else None
    rows, total = await first_rows(session, statement, limit, counted=counted)
    return [(_candidate(row), *_rest(row)) for row in rows], total


async def waiting_for_decision(
    session: AsyncSession, now: datetime, *, limit: int, manager: str | None = None
) -> tuple[list[tuple[CandidateRow, datetime]], int]:
    """The first ``limit`` ``(candidate, ready_since)`` of the active candidates (one hiring
    manager's, or all) whose current stage is ready for a decision and has had none since,
    longest waiting first, and how many there are: ``Candidate.stage_ready_at``, kept by
    ``storage.marks`` (every scorecard in, or the debrief over), read by index."""
    ready = col(Candidate.stage_ready_at)
    statement = (
        candidate_select(ready)
        .where(
            col(Candidate.status) == CandidateStatus.ACTIVE,
            ready <= now,
            _managed_by(manager),
        )
        .order_by(ready, col(Candidate.id))
    )
    rows, total = await first_rows(session, statement, limit)
    return [(_candidate(row), *_rest(row)) for row in rows], total


async def idle_candidates(
    session: AsyncSession, before: datetime, *, limit: int
) -> tuple[list[tuple[CandidateRow, datetime]], int]:
    """The first ``limit`` active candidates untouched since before ``before``, longest
    idle first, and how many there are."""
    rows, total = await first_rows(
        session,
        candidate_select(Candidate.last_activity_at)
        .where(
            col(Candidate.status) == CandidateStatus.ACTIVE,
            col(Candidate.last_activity_at) < before,
        )
        .order_by(col(Candidate.last_activity_at), col(Candidate.id)),
        limit,
    )
    return [(_candidate(row), *_rest(row)) for row in rows], total


async def decisions_since(
    session: AsyncSession, since: datetime, *, limit: int
) -> tuple[list[tuple[CandidateRow, str, str, str, datetime]], int]:
    """The first ``limit`` ``(candidate, stage_key, outcome, decided_by, decided_at)``,
    oldest first, and how many there are."""
    rows, total = await first_rows(
        session,
        candidate_select(
            Decision.stage_key,
            Decision.outcome,
            Decision.decided_by,
            Decision.decided_at,
        )
        .join(Decision, col(Decision.candidate_id) == col(Candidate.id))
        .where(col(Decision.decided_at) >= since)
        .order_by(col(Decision.decided_at), col(Decision.id)),
        limit,
        counted=select(Decision.id).where(col(Decision.decided_at) >= since),
    )
    return [(_candidate(row), *_rest(row)) for row in rows], total


async def meetings_between(
    session: AsyncSession,
    start: datetime,
    end: datetime,
    meeting: type[Interview] | type[Debrief],
    seat: type[InterviewInterviewer] | type[DebriefAttendee],
) -> list[tuple[CandidateRow, int, str, datetime, str]]:
    """``(candidate, meeting_id, stage_key, starts_at, user_id)``, one row per person, for
    the scheduled interviews (with their interviewers) or debriefs (with their attendees)
    starting in ``[start, end)``."""
    meeting_id = (
        col(InterviewInterviewer.interview_id)
        if seat is InterviewInterviewer
        else col(DebriefAttendee.debrief_id)
    )
    rows = await session.exec(
        candidate_select(meeting.id, meeting.stage_key, meeting.starts_at, seat.user_id)
        .join(meeting, col(meeting.candidate_id) == col(Candidate.id))
        .join(seat, col(meeting_id) == col(meeting.id))
        .where(
            _open_candidate(),
            col(meeting.status) == InterviewStatus.SCHEDULED,
            col(meeting.starts_at) >= start,
            col(meeting.starts_at) < end,
        )
        .order_by(col(meeting.starts_at), col(meeting.id), col(seat.user_id))
    )
    return [(_candidate(row), *_rest(row)) for row in rows]


def _timeliness(statement: Any, since: datetime, now: datetime) -> Any:
    """``statement`` over the seats whose scorecard deadline fell in ``[since, now]``, read
    from the stored deadlines by index: owed, and on time if in by then."""
    due = col(InterviewInterviewer.scorecard_due_at)
    return statement.where(due >= since, due <= now)


def _on_time() -> Any:
    seat = InterviewInterviewer
    on_time = case((col(seat.scorecard_in_at) <= col(seat.scorecard_due_at), 1), else_=0)
    return func.coalesce(func.sum(on_time), 0)


async def team_timeliness(session: AsyncSession, since: datetime, now: datetime) -> tuple[int, int]:
    """``(owed, on_time)`` of the whole team: one row, whatever the team's size."""
    statement = select(func.count(), _on_time()).select_from(InterviewInterviewer)
    owed, on_time = (await session.exec(_timeliness(statement, since, now))).one()
    return int(owed), int(on_time)


async def feedback_timeliness(
    session: AsyncSession,
    since: datetime,
    now: datetime,
    *,
    user_id: str | None = None,
    limit: int,
) -> tuple[list[tuple[str, int, int]], int]:
    """The first ``limit`` ``(interviewer_id, owed, on_time)``, least on time first, and
    how many interviewers there are; ``user_id`` keeps that person's alone."""
    statement = select(InterviewInterviewer.user_id, func.count(), _on_time())
    statement = _timeliness(statement.select_from(InterviewInterviewer), since, now)
    if user_id is not None:
        statement = statement.where(col(InterviewInterviewer.user_id) == user_id)
    statement = statement.group_by(col(InterviewInterviewer.user_id)).order_by(
        (_on_time() * 1.0 / func.count()), col(InterviewInterviewer.user_id)
    )
    rows, total = await first_rows(session, statement, limit)
    return [(user, int(owed), int(done)) for user, owed, done in rows], total


async def previous_digest_at(session: AsyncSession, day: date) -> datetime | None:
    """When the last digest before ``day`` was posted."""
    rows = await session.exec(select(func.max(DigestRun.posted_at)).where(col(DigestRun.day) < day))
    return rows.one()


# ----------------------------------------------------------------- once a day


async def claim_day(
    session: AsyncSession, day: date, *, now: datetime, stale_before: datetime
) -> bool:
    """Take the right to post ``day``'s digest. False when it is posted, or when another
    claim on it is younger than ``stale_before`` (a replica is posting it right now)."""
    insert = upsert_insert(session)
    statement = insert(DigestRun).values(day=day, started_at=now)
    statement = statement.on_conflict_do_update(
        index_elements=[col(DigestRun.day)],
        set_={"started_at": now},
        where=and_(col(DigestRun.posted_at).is_(None), col(DigestRun.started_at) < stale_before),
    )
    result = await session.exec(statement)
    return bool(result.rowcount == 1)


async def record_posted(
    session: AsyncSession, day: date, *, now: datetime, channel_id: str | None, ts: str | None
) -> None:
    await session.exec(
        update(DigestRun)
        .where(col(DigestRun.day) == day)
        .values(posted_at=now, channel_id=channel_id, message_ts=ts)
    )


async def release_day(session: AsyncSession, day: date) -> None:
    """Give up a claim whose post failed, so that a later run may try again."""
    await session.exec(
        delete(DigestRun).where(col(DigestRun.day) == day, col(DigestRun.posted_at).is_(None))
    )
