"""The insights' queries: each one statement over the whole history, answering with
aggregates whose number of rows depends on the kits (stages, competencies, questions,
interviewers), never on the number of candidates. ``bot.insight_stats`` does the maths
on them (shrinkage, intervals, agreement); ``bot.insights`` puts them together.

A stage's *verdict* for a candidate is what the hiring manager decided there: 2 when they
moved on (advance, offer, hired), 1 when they were rejected; withdrawals and holds say
nothing about the candidate's answers and count as neither.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Float,
    String,
    and_,
    case,
    cast,
    func,
    literal,
    null,
    or_,
    true,
    union_all,
    update,
)
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import Subquery
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import Select

from storage.db import upsert_insert
from storage.digest import Days, days
from storage.models import (
    Candidate,
    Decision,
    InsightsRun,
    Interview,
    Outcome,
    RatingKind,
    Scorecard,
    ScorecardAnswer,
    ScorecardRating,
)

PASSED = (Outcome.ADVANCE, Outcome.OFFER, Outcome.HIRED)
# Decisions that end a candidate's time in a stage (hired follows an offer in the same
# stage, so the offer is the end).
LEAVING = (Outcome.ADVANCE, Outcome.OFFER, Outcome.REJECT, Outcome.WITHDRAWN)
VERDICT_PASSED = 2
VERDICT_REJECTED = 1
NO_SOURCE = ""


def rows_of(*columns: Any) -> Select[*tuple[Any, ...]]:
    """``SELECT`` of any number of columns, answered as rows: sqlmodel's ``select`` is typed
    for at most four (and answers one column as scalars)."""
    return Select(*columns)


def verdicts() -> Subquery:
    """(candidate_id, stage_key, verdict) for every stage decided either way."""
    verdict = func.max(
        case(
            (col(Decision.outcome).in_(PASSED), VERDICT_PASSED),
            (col(Decision.outcome) == Outcome.REJECT, VERDICT_REJECTED),
            else_=None,
        )
    )
    return (
        rows_of(col(Decision.candidate_id), col(Decision.stage_key), verdict.label("verdict"))
        .group_by(col(Decision.candidate_id), col(Decision.stage_key))
        .subquery("verdicts")
    )


def of_interview(decided: Subquery) -> ColumnElement[bool]:
    """Joins ``verdicts()`` to the ``Interview`` of the query: its candidate and stage."""
    return and_(
        decided.c.candidate_id == col(Interview.candidate_id),
        decided.c.stage_key == col(Interview.stage_key),
    )


# ----------------------------------------------------------------- the funnel


@dataclass(frozen=True)
class StageStatusCount:
    stage_key: str
    status: str
    source: str
    count: int


async def candidates_by_stage(session: AsyncSession) -> list[StageStatusCount]:
    """How many candidates stand in each stage with each status, by source (folded to
    lower case; ``NO_SOURCE`` for none)."""
    source = _source()
    statement = rows_of(
        col(Candidate.stage_key), col(Candidate.status), source, func.count()
    ).group_by(col(Candidate.stage_key), col(Candidate.status), source)
    rows = (await session.exec(statement)).all()
    return [StageStatusCount(stage, status, src, int(n)) for stage, status, src, n in rows]


@dataclass(frozen=True)
class StageDays:
    """Days spent in a stage by the candidates who left it, from one source (``None``: from
    all): how many, and the median and 90th percentile (nearest rank)."""

    stage_key: str
    source: str | None
    count: int
    median: float
    p90: float


def _rank(count: ColumnElement[int], percent: int) -> ColumnElement[int]:
    # ceil(count * percent / 100) in integers (``//``: SQLAlchemy's ``/`` divides exactly).
    return (count * percent + 99) // 100


def _source() -> ColumnElement[str]:
    return func.coalesce(func.lower(func.trim(col(Candidate.source))), NO_SOURCE)


async def days_in_stage(session: AsyncSession) -> list[StageDays]:
    """Per stage, overall and per source, from entering it (the candidate's creation, or
    the decision that moved them there) to the decision that ended it. Percentiles are
    picked by rank in SQL, so the rows fetched are two per stage and source."""
    previous = func.lag(col(Decision.decided_at)).over(
        partition_by=col(Decision.candidate_id),
        order_by=(col(Decision.decided_at), col(Decision.id)),
    )
    moves = (
        rows_of(
            col(Decision.candidate_id),
            col(Decision.stage_key),
            col(Decision.decided_at),
            previous.label("entered_at"),
        )
        .where(col(Decision.outcome).in_(LEAVING))
        .subquery("moves")
    )
    entered = func.coalesce(moves.c.entered_at, col(Candidate.created_at))
    stays = (
        rows_of(
            moves.c.stage_key,
            _source().label("source"),
            (Days(moves.c.decided_at) - Days(entered)).label("spent"),
        )
        .join(Candidate, col(Candidate.id) == moves.c.candidate_id)
        .subquery("stays")
    )

    def ranked(by_source: bool) -> Select[*tuple[Any, ...]]:
        groups = [stays.c.stage_key, stays.c.source] if by_source else [stays.c.stage_key]
        source = stays.c.source if by_source else cast(null(), String)
        return rows_of(
            stays.c.stage_key,
            source.label("source"),
            stays.c.spent,
            func.row_number().over(partition_by=groups, order_by=stays.c.spent).label("rank"),
            func.count().over(partition_by=groups).label("total"),
        )

    both = union_all(ranked(False), ranked(True)).subquery("ranked")
    median_rank, p90_rank = _rank(both.c.total, 50), _rank(both.c.total, 90)
    statement = rows_of(
        both.c.stage_key,
        both.c.source,
        both.c.total,
        both.c.spent,
        both.c.rank == median_rank,
        both.c.rank == p90_rank,
    ).where(or_(both.c.rank == median_rank, both.c.rank == p90_rank))
    found: dict[tuple[str, str | None], dict[str, float]] = {}
    totals: dict[tuple[str, str | None], int] = {}
    for stage, source, total, spent, is_median, is_p90 in (await session.exec(statement)).all():
        totals[stage, source] = int(total)
        if is_median:
            found.setdefault((stage, source), {})["median"] = float(spent)
        if is_p90:
            found.setdefault((stage, source), {})["p90"] = float(spent)
    return [
        StageDays(stage, source, totals[stage, source], values["median"], values["p90"])
        for (stage, source), values in found.items()
    ]


@dataclass(frozen=True)
class FlagCount:
    stage_key: str
    flag: str
    raised: int
    rejected: int


async def red_flags_before_rejection(session: AsyncSession) -> list[FlagCount]:
    """Per red flag: on how many scorecards it was raised, and how many of those were of a
    candidate then rejected at that stage. The flags are a JSON list per scorecard,
    unnested by the database (``json_each`` / ``json_array_elements_text``)."""
    dialect = session.get_bind().dialect.name
    unnest = func.json_array_elements_text if dialect == "postgresql" else func.json_each
    flags = unnest(col(Scorecard.red_flags)).table_valued("value").alias("flags")
    decided = verdicts()
    rejected = func.sum(case((decided.c.verdict == VERDICT_REJECTED, 1), else_=0))
    statement = (
        rows_of(col(Interview.stage_key), flags.c.value, func.count(), rejected)
        .select_from(Scorecard)
        .join(flags, true())
        .join(Interview, col(Interview.id) == col(Scorecard.interview_id))
        .outerjoin(decided, of_interview(decided))
        .group_by(col(Interview.stage_key), flags.c.value)
    )
    rows = (await session.exec(statement)).all()
    return [FlagCount(stage, str(flag), int(n), int(r or 0)) for stage, flag, n, r in rows]


# ----------------------------------------------------------------- interviewers


@dataclass(frozen=True)
class RatingSums:
    """One interviewer's ratings of one competency of one stage: how many, their sum, and
    against the mean of the rest of the same panel (where there was one) the number of
    such ratings and the sum and sum of squares of the differences."""

    interviewer_id: str
    stage_key: str
    competency: str
    count: int
    total: float
    paired: int
    others_sum: float
    diff_sum: float
    diff_squares: float


def _competency_ratings() -> Select[*tuple[Any, ...]]:
    """Every competency rating given, with its interviewer and interview."""
    return (
        rows_of(
            col(Scorecard.interviewer_id),
            col(Scorecard.interview_id),
            col(ScorecardRating.key),
            col(ScorecardRating.score),
        )
        .join(Scorecard, col(Scorecard.id) == col(ScorecardRating.scorecard_id))
        .where(
            col(ScorecardRating.kind) == RatingKind.COMPETENCY,
            col(ScorecardRating.score).is_not(None),
        )
    )


async def rating_sums(session: AsyncSession, interviewer_id: str | None = None) -> list[RatingSums]:
    """Every interviewer's (or one's) ratings per competency against their panels. Each
    rating sees its unit's (interview and competency) sum and count through a window, so
    that no rating is joined to another."""
    chosen = _competency_ratings()
    if interviewer_id is not None:
        # Only the panels they sat on: the window then reads those, not every rating.
        sat = rows_of(col(Scorecard.interview_id)).where(
            col(Scorecard.interviewer_id) == interviewer_id
        )
        chosen = chosen.where(col(Scorecard.interview_id).in_(sat))
    ratings = chosen.subquery("ratings")
    unit = (ratings.c.interview_id, ratings.c.key)
    score = cast(ratings.c.score, Float)
    within = rows_of(
        ratings.c.interviewer_id,
        ratings.c.interview_id,
        ratings.c.key,
        score.label("score"),
        func.sum(score).over(partition_by=unit).label("total"),
        func.count().over(partition_by=unit).label("rated"),
    ).subquery("within")
    others = (within.c.total - within.c.score) / func.nullif(within.c.rated - 1, 0)
    diff = within.c.score - others
    statement = (
        rows_of(
            within.c.interviewer_id,
            col(Interview.stage_key),
            within.c.key,
            func.count(),
            func.sum(within.c.score),
            func.count(diff),
            func.coalesce(func.sum(others), 0.0),
            func.coalesce(func.sum(diff), 0.0),
            func.coalesce(func.sum(diff * diff), 0.0),
        )
        .join(Interview, col(Interview.id) == within.c.interview_id)
        .group_by(within.c.interviewer_id, col(Interview.stage_key), within.c.key)
    )
    if interviewer_id is not None:
        statement = statement.where(within.c.interviewer_id == interviewer_id)
    return [
        RatingSums(who, stage, key, int(n), float(t), int(p), float(o), float(d), float(d2))
        for who, stage, key, n, t, p, o, d, d2 in (await session.exec(statement)).all()
    ]


@dataclass(frozen=True)
class Recommendations:
    """One interviewer's overall recommendations: how many scorecards, how many strong yes
    (4) and strong no (1), how many of the stage were decided, and how many of those
    matched the decision (3-4 with moving on, 1-2 with a rejection)."""

    interviewer_id: str
    scorecards: int
    strong_yes: int
    strong_no: int
    decided: int
    matched: int


async def recommendations(
    session: AsyncSession, interviewer_id: str | None = None
) -> list[Recommendations]:
    decided = verdicts()
    said_yes = col(Scorecard.overall) >= 3
    matched = or_(
        and_(said_yes, decided.c.verdict == VERDICT_PASSED),
        and_(~said_yes, decided.c.verdict == VERDICT_REJECTED),
    )
    statement = (
        rows_of(
            col(Scorecard.interviewer_id),
            func.count(),
            func.sum(case((col(Scorecard.overall) == 4, 1), else_=0)),
            func.sum(case((col(Scorecard.overall) == 1, 1), else_=0)),
            func.count(decided.c.verdict),
            func.sum(case((matched, 1), else_=0)),
        )
        .join(Interview, col(Interview.id) == col(Scorecard.interview_id))
        .outerjoin(decided, of_interview(decided))
        .group_by(col(Scorecard.interviewer_id))
    )
    if interviewer_id is not None:
        statement = statement.where(col(Scorecard.interviewer_id) == interviewer_id)
    return [
        Recommendations(who, int(n), int(y or 0), int(no or 0), int(d), int(m or 0))
        for who, n, y, no, d, m in (await session.exec(statement)).all()
    ]


async def scorecard_counts(session: AsyncSession, at_least: int) -> list[tuple[str, int]]:
    """Interviewers with at least ``at_least`` scorecards, and how many they have."""
    count = func.count()
    statement = (
        rows_of(col(Scorecard.interviewer_id), count)
        .group_by(col(Scorecard.interviewer_id))
        .having(count >= at_least)
        .order_by(col(Scorecard.interviewer_id))
    )
    return [(who, int(n)) for who, n in (await session.exec(statement)).all()]


# ----------------------------------------------------------------- agreement


SCORES = (1, 2, 3, 4)


@dataclass(frozen=True)
class Coincidence:
    """Krippendorff's coincidences of one competency: pairs of ratings (``first``,
    ``second``) given to the same candidate in the same interview by two panelists, each
    pair weighted 1 / (ratings in that interview - 1)."""

    stage_key: str
    competency: str
    first: int
    second: int
    weight: float


async def coincidences(session: AsyncSession) -> list[Coincidence]:
    """Each competency's coincidence matrix, from how many of each score every unit
    (interview and competency) holds: a unit with n_c ratings c and n_k ratings k among m
    holds n_c * n_k ordered pairs (c, k), n_c * (n_c - 1) when c = k, each weighted
    1 / (m - 1). So no rating is joined to another."""
    ratings = _competency_ratings().subquery("ratings")
    units = (
        rows_of(
            ratings.c.interview_id,
            ratings.c.key,
            func.count().label("rated"),
            *(
                func.sum(case((ratings.c.score == score, 1), else_=0)).label(f"n{score}")
                for score in SCORES
            ),
        )
        .group_by(ratings.c.interview_id, ratings.c.key)
        .having(func.count() > 1)
        .subquery("units")
    )
    pairs = [(c, k) for c in SCORES for k in SCORES]

    def weight(c: int, k: int) -> Any:
        n_c, n_k = units.c[f"n{c}"], units.c[f"n{k}"]
        together = n_c * (n_c - 1) if c == k else n_c * n_k
        return func.sum(cast(together, Float) / (units.c.rated - 1))

    statement = (
        rows_of(col(Interview.stage_key), units.c.key, *(weight(c, k) for c, k in pairs))
        .join(Interview, col(Interview.id) == units.c.interview_id)
        .group_by(col(Interview.stage_key), units.c.key)
    )
    result = []
    for stage, key, *weights in (await session.exec(statement)).all():
        result += [
            Coincidence(stage, key, c, k, float(w))
            for (c, k), w in zip(pairs, weights, strict=True)
            if w
        ]
    return result


# ----------------------------------------------------------------- questions


@dataclass(frozen=True)
class QuestionSums:
    """One question of one stage: loops it was asked in and not (by anyone on the panel),
    its ratings 1-4 counted (one per scorecard),
    the mean rating of candidates who then moved on and of those rejected, and sums for
    the trend of its rating over time (time in days before now)."""

    stage_key: str
    question_key: str
    asked: int
    not_asked: int
    counts: tuple[int, int, int, int]
    passed: int
    passed_total: float
    rejected: int
    rejected_total: float
    time_sum: float
    time_squares: float
    product_sum: float
    first_day: float | None
    last_day: float | None


# ----------------------------------------------------------------- the DMs, once


async def claim_run(
    session: AsyncSession, period: str, recipient_id: str, *, now: datetime, stale_before: datetime
) -> bool:
    """Take the right to send ``recipient_id`` their insights of ``period`` (``"week:2026-W49"``,
    ``"month:2026-12"``). False when sent, or when another claim is younger than
    ``stale_before`` (a replica is sending it right now)."""
    insert = upsert_insert(session)
    statement = insert(InsightsRun).values(period=period, recipient_id=recipient_id, started_at=now)
    statement = statement.on_conflict_do_update(
        index_elements=[col(InsightsRun.period), col(InsightsRun.recipient_id)],
        set_={"started_at": now},
        where=and_(col(InsightsRun.sent_at).is_(None), col(InsightsRun.started_at) < stale_before),
    )
    result = await session.exec(statement)
    return bool(result.rowcount == 1)


async def record_sent(
    session: AsyncSession, period: str, recipient_id: str, *, now: datetime
) -> None:
    await session.exec(
        update(InsightsRun)
        .where(col(InsightsRun.period) == period, col(InsightsRun.recipient_id) == recipient_id)
        .values(sent_at=now)
    )


async def unsent(session: AsyncSession, period: str, recipients: Sequence[str]) -> list[str]:
    """Of ``recipients``, those not yet sent ``period``'s insights, in the order given."""
    if not recipients:
        return []
    statement = select(col(InsightsRun.recipient_id)).where(
        col(InsightsRun.period) == period,
        col(InsightsRun.recipient_id).in_(recipients),
        col(InsightsRun.sent_at).is_not(None),
    )
    sent = set((await session.exec(statement)).all())
    return [who for who in recipients if who not in sent]


async def managers(session: AsyncSession) -> list[str]:
    """Everyone who is the hiring manager of a candidate, open or closed."""
    statement = select(col(Candidate.hiring_manager_id)).distinct()
    return sorted(str(who) for who in (await session.exec(statement)).all())


async def question_sums(session: AsyncSession, now: datetime) -> list[QuestionSums]:
    """Per question of each stage, from the notes per question kept with scorecards."""
    decided = verdicts()
    when = Days(col(Scorecard.submitted_at))
    answers = (
        rows_of(
            col(Interview.stage_key),
            col(Scorecard.interview_id),
            col(ScorecardAnswer.question_key),
            col(ScorecardAnswer.not_asked),
            col(ScorecardAnswer.rating),
            decided.c.verdict,
            # Days before ``now``: squares stay small in floating point.
            (when - days(now)).label("day"),
        )
        .join(Scorecard, col(Scorecard.id) == col(ScorecardAnswer.scorecard_id))
        .join(Interview, col(Interview.id) == col(Scorecard.interview_id))
        .outerjoin(decided, of_interview(decided))
        .subquery("answers")
    )
    has_rating = answers.c.rating.is_not(None)
    value = cast(answers.c.rating, Float)

    def rated(term: ColumnElement[Any], condition: ColumnElement[bool] | None = None) -> Any:
        where = has_rating if condition is None else and_(has_rating, condition)
        return func.coalesce(func.sum(case((where, term), else_=0)), 0)

    passed = answers.c.verdict == VERDICT_PASSED
    rejected = answers.c.verdict == VERDICT_REJECTED
    # Loops (interviews), not scorecards: a question asked by a panel of three is asked once.
    asked = func.count(func.distinct(case((~answers.c.not_asked, answers.c.interview_id))))
    skipped = func.count(func.distinct(case((answers.c.not_asked, answers.c.interview_id))))
    statement = rows_of(
        answers.c.stage_key,
        answers.c.question_key,
        asked,
        skipped,
        *(rated(literal(1), answers.c.rating == score) for score in (1, 2, 3, 4)),
        rated(literal(1), passed),
        rated(value, passed),
        rated(literal(1), rejected),
        rated(value, rejected),
        rated(answers.c.day),
        rated(answers.c.day * answers.c.day),
        rated(answers.c.day * value),
        func.min(case((has_rating, answers.c.day))),
        func.max(case((has_rating, answers.c.day))),
    ).group_by(answers.c.stage_key, answers.c.question_key)
    result = []
    for row in (await session.exec(statement)).all():
        stage, key, loops, skipped, c1, c2, c3, c4, p, pt, r, rt, ts, tq, ps, first, last = row
        result.append(
            QuestionSums(
                stage_key=stage,
                question_key=key,
                asked=int(loops),
                not_asked=int(skipped or 0),
                counts=(int(c1), int(c2), int(c3), int(c4)),
                passed=int(p),
                passed_total=float(pt),
                rejected=int(r),
                rejected_total=float(rt),
                time_sum=float(ts),
                time_squares=float(tq),
                product_sum=float(ps),
                first_day=None if first is None else float(first),
                last_day=None if last is None else float(last),
            )
        )
    return result
