"""Insights: each interviewer's calibration, the panels' agreement, the funnel, and which
questions separate candidates, from the whole history.

Two readers: an interviewer sees their own calibration only (``own_insights``: nothing
about anyone else, not even who sat with them); hiring managers and admins see the
team's (``team_insights``). Every figure built on fewer than ``SMALL`` observations is
marked ``small`` and is shown as such, never as a finding; an interviewer's calibration
starts at ``MIN_SCORECARDS`` scorecards, and a question is judged after ``MIN_LOOPS``.

The statistics come from a fixed number of SQL statements (``storage.insights``); this
module only puts them together (and ``bot.insight_stats`` does the maths).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlmodel.ext.asyncio.session import AsyncSession

from bot import permissions
from bot.context import BotContext
from bot.insight_stats import (
    PRIOR_RATINGS,
    Estimate,
    Metric,
    krippendorff_alpha,
    mean_and_sd,
    share,
    shrunk_offset,
    slope,
)
from bot.kits import Kits, UnknownStageError
from storage import candidates as candidate_store
from storage import insights as queries
from storage.db import statements_beside_the_loop
from storage.insights import NO_SOURCE, QuestionSums, RatingSums, Recommendations
from storage.models import CLOSED_STATUSES, CandidateStatus

MIN_SCORECARDS = 5
MIN_LOOPS = 10
# Fewer observations than this: shown, labelled "small numbers", never called a finding.
SMALL = 5
# An offset of half a point either way, with its interval clear of zero, is a lean.
LEAN = 0.5
# A question "everyone passes" when this share of its ratings is 3 or 4 …
PASS_SHARE = 0.9
# … or does not separate when its ratings spread less than this (standard deviation) …
MIN_SPREAD = 0.5
# … or when those who moved on and those rejected differ by less than this on it.
MIN_SEPARATION = 0.5
# Drifting upwards: its ratings rose by this much over the period it was asked in.
DRIFT = 0.8


class Lean(StrEnum):
    LENIENT = "lenient"
    HARSH = "harsh"
    IN_LINE = "in line"
    TOO_FEW = "too few to say"


def lean_of(offset: Estimate) -> Lean:
    if offset.count < SMALL:
        return Lean.TOO_FEW
    if offset.excludes_zero() and offset.value >= LEAN:
        return Lean.LENIENT
    if offset.excludes_zero() and offset.value <= -LEAN:
        return Lean.HARSH
    return Lean.IN_LINE


@dataclass(frozen=True)
class CompetencyCalibration:
    stage_key: str
    competency_key: str
    name: str
    ratings: int
    mean: float
    # The mean of the rest of the same panels for the same candidates; None without one.
    panel_mean: float | None
    offset: Estimate

    @property
    def small(self) -> bool:
        return self.offset.count < SMALL

    @property
    def lean(self) -> Lean:
        return lean_of(self.offset)


@dataclass(frozen=True)
class Calibration:
    """One interviewer's calibration: per competency, and over all of them."""

    interviewer_id: str
    scorecards: int
    strong_yes: int
    strong_no: int
    decided: int
    matched: int
    competencies: tuple[CompetencyCalibration, ...]
    overall: Estimate

    @property
    def lean(self) -> Lean:
        return Lean.TOO_FEW if self.small else lean_of(self.overall)

    @property
    def small(self) -> bool:
        return self.scorecards < MIN_SCORECARDS


@dataclass(frozen=True)
class Agreement:
    stage_key: str
    competency_key: str
    name: str
    # Ratings that had another rating of the same candidate to be compared with.
    pairable: int
    alpha: float | None

    @property
    def small(self) -> bool:
        return self.pairable < 2 * SMALL


@dataclass(frozen=True)
class SourceCounts:
    entered: int = 0
    moved_on: int = 0
    stopped: int = 0
    median_days: float | None = None


@dataclass(frozen=True)
class StageFunnel:
    stage_key: str
    title: str
    entered: int
    still_in: int
    stopped: int
    moved_on: int
    median_days: float | None
    p90_days: float | None
    days_count: int
    by_source: Mapping[str, SourceCounts]

    @property
    def decided(self) -> int:
        return self.moved_on + self.stopped

    @property
    def conversion(self) -> float | None:
        return share(self.moved_on, self.decided)

    @property
    def small(self) -> bool:
        return self.decided < SMALL


@dataclass(frozen=True)
class RedFlagCount:
    stage_title: str
    text: str
    raised: int
    rejected: int

    @property
    def small(self) -> bool:
        return self.raised < SMALL


class QuestionFlag(StrEnum):
    EVERYONE_PASSES = "everyone passes"
    NO_SPREAD = "ratings hardly vary"
    DOES_NOT_SEPARATE = "does not separate who moves on"
    DRIFTS_UP = "ratings drift upwards (possibly leaked)"


@dataclass(frozen=True)
class QuestionInsight:
    stage_key: str
    question_key: str
    prompt: str
    # Where a team changes it: the kit file, relative to PROMPTS_DIR, and the question id.
    kit_file: str
    asked: int
    not_asked: int
    counts: tuple[int, int, int, int]
    mean: float | None
    spread: float | None
    pass_share: float | None
    # Mean rating of those who then moved on, of those rejected, and how many of each.
    passed_mean: float | None
    rejected_mean: float | None
    passed: int
    rejected: int
    # Change of its mean rating over the period it was asked in (slope x period).
    rise: float | None
    flags: tuple[QuestionFlag, ...] = ()

    @property
    def rated(self) -> int:
        return sum(self.counts)

    @property
    def judged(self) -> bool:
        return self.asked >= MIN_LOOPS


@dataclass(frozen=True)
class TeamInsights:
    generated_at: datetime
    funnel: tuple[StageFunnel, ...]
    calibrations: tuple[Calibration, ...]
    agreement: tuple[Agreement, ...]
    red_flags: tuple[RedFlagCount, ...]
    questions: tuple[QuestionInsight, ...] = ()
    sources: tuple[str, ...] = ()

    @property
    def stop_stage(self) -> StageFunnel | None:
        """The stage where most of the candidates decided there stopped, if any did and the
        numbers are not small."""
        stops = [s for s in self.funnel if not s.small and s.stopped * 2 > s.decided]
        return max(stops, key=lambda s: s.stopped / s.decided, default=None)

    @property
    def leaning(self) -> tuple[Calibration, ...]:
        return tuple(c for c in self.calibrations if c.lean in (Lean.LENIENT, Lean.HARSH))

    @property
    def flagged(self) -> tuple[QuestionInsight, ...]:
        return tuple(q for q in self.questions if q.flags)


@dataclass(frozen=True)
class OwnInsights:
    """What one interviewer is shown of themselves: ``calibration`` is None until they
    have ``MIN_SCORECARDS`` scorecards (``scorecards`` says how many they have)."""

    interviewer_id: str
    generated_at: datetime
    scorecards: int
    calibration: Calibration | None


# ----------------------------------------------------------------- access


async def may_read_team_insights(bot: BotContext, user_id: str) -> bool:
    """The team's insights are for hiring managers (of any candidate) and admins."""
    admins = bot.settings.hiring_admins
    if permissions.is_admin(admins, user_id):
        return True
    async with bot.sessions() as session:
        manages = await candidate_store.manages_any(session, user_id)
    return permissions.may_read_insights(admins, user_id, is_hiring_manager=manages)


# ----------------------------------------------------------------- building


def _competency_name(kits: Kits, stage_key: str, key: str) -> str:
    try:
        stage = kits.stage(stage_key)
    except UnknownStageError:
        return key
    return next((c.name for c in stage.competencies if c.id == key), key)


def calibrations(
    kits: Kits, sums: Iterable[RatingSums], recommended: Iterable[Recommendations]
) -> list[Calibration]:
    """Each interviewer's calibration, most leaning (either way) first."""
    by_person: dict[str, list[RatingSums]] = defaultdict(list)
    for row in sums:
        by_person[row.interviewer_id].append(row)
    result = []
    for rec in recommended:
        rows = sorted(
            by_person.get(rec.interviewer_id, []), key=lambda r: (r.stage_key, r.competency)
        )
        competencies = tuple(
            CompetencyCalibration(
                stage_key=r.stage_key,
                competency_key=r.competency,
                name=_competency_name(kits, r.stage_key, r.competency),
                ratings=r.count,
                mean=r.total / r.count,
                panel_mean=r.others_sum / r.paired if r.paired else None,
                offset=shrunk_offset(r.paired, r.diff_sum, r.diff_squares),
            )
            for r in rows
        )
        # Over all competencies the prior is five scorecards' worth of ratings, so that a
        # scorecard of five competencies does not count as five scorecards.
        per_card = max(1, round(sum(r.count for r in rows) / max(rec.scorecards, 1)))
        overall = shrunk_offset(
            sum(r.paired for r in rows),
            sum(r.diff_sum for r in rows),
            sum(r.diff_squares for r in rows),
            prior=PRIOR_RATINGS * per_card,
        )
        result.append(
            Calibration(
                interviewer_id=rec.interviewer_id,
                scorecards=rec.scorecards,
                strong_yes=rec.strong_yes,
                strong_no=rec.strong_no,
                decided=rec.decided,
                matched=rec.matched,
                competencies=competencies,
                overall=overall,
            )
        )
    return sorted(result, key=lambda c: (-abs(c.overall.value), c.interviewer_id))


def agreements(kits: Kits, found: Iterable[queries.Coincidence]) -> list[Agreement]:
    matrices: dict[tuple[str, str], dict[tuple[int, int], float]] = defaultdict(dict)
    for row in found:
        matrices[row.stage_key, row.competency][row.first, row.second] = row.weight
    return [
        Agreement(
            stage_key=stage,
            competency_key=key,
            name=_competency_name(kits, stage, key),
            pairable=round(sum(matrix.values())),
            alpha=krippendorff_alpha(matrix, Metric.ORDINAL),
        )
        for (stage, key), matrix in sorted(
            matrices.items(), key=lambda item: _order(kits, *item[0])
        )
    ]


def _order(kits: Kits, stage_key: str, key: str = "") -> tuple[int, str]:
    try:
        return kits.stage(stage_key).order, key
    except UnknownStageError:
        return 1 << 30, f"{stage_key}:{key}"


def funnel(
    kits: Kits,
    counts: Iterable[queries.StageStatusCount],
    days: Iterable[queries.StageDays],
) -> tuple[list[StageFunnel], list[str]]:
    """Per stage of the kits, in order: how many reached it, are still in it, stopped there
    (closed without being hired), and moved on (reached a later stage, or were hired or
    offered at the last); and the sources, most candidates first."""
    stages = list(kits.stages)
    position = {stage.key: index for index, stage in enumerate(stages)}
    reached: dict[tuple[int, str], int] = defaultdict(int)
    still: dict[tuple[int, str], int] = defaultdict(int)
    stopped: dict[tuple[int, str], int] = defaultdict(int)
    finished: dict[tuple[int, str], int] = defaultdict(int)
    per_source: dict[str, int] = defaultdict(int)
    for row in counts:
        index = position.get(row.stage_key)
        if index is None:
            continue
        source = row.source or NO_SOURCE
        per_source[source] += row.count
        for earlier in range(index + 1):
            reached[earlier, source] += row.count
        if row.status in (CandidateStatus.HIRED, CandidateStatus.OFFER):
            finished[index, source] += row.count
        elif row.status in CLOSED_STATUSES:
            stopped[index, source] += row.count
        else:
            still[index, source] += row.count
    sources = sorted(per_source, key=lambda s: (-per_source[s], s))
    by_stage_days = {(d.stage_key, d.source): d for d in days}
    result = []
    for index, stage in enumerate(stages):
        last = index == len(stages) - 1

        def moved(source: str, index: int = index, last: bool = last) -> int:
            return finished[index, source] if last else reached[index + 1, source]

        by_source = {
            source: SourceCounts(
                reached[index, source],
                moved(source),
                stopped[index, source],
                _median(by_stage_days.get((stage.key, source))),
            )
            for source in sources
        }
        spent = by_stage_days.get((stage.key, None))
        result.append(
            StageFunnel(
                stage_key=stage.key,
                title=stage.title,
                entered=sum(c.entered for c in by_source.values()),
                still_in=sum(still[index, s] for s in sources),
                stopped=sum(c.stopped for c in by_source.values()),
                moved_on=sum(c.moved_on for c in by_source.values()),
                median_days=spent.median if spent else None,
                p90_days=spent.p90 if spent else None,
                days_count=spent.count if spent else 0,
                by_source=by_source,
            )
        )
    return result, sources


def _median(days: queries.StageDays | None) -> float | None:
    return days.median if days else None


def red_flag_counts(kits: Kits, found: Iterable[queries.FlagCount]) -> list[RedFlagCount]:
    result = []
    for row in found:
        try:
            stage = kits.stage(row.stage_key)
            text = next((f.text for f in stage.red_flags if f.id == row.flag), row.flag)
            title = stage.title
        except UnknownStageError:
            text, title = row.flag, row.stage_key
        result.append(RedFlagCount(title, text, row.raised, row.rejected))
    return sorted(result, key=lambda f: (-f.rejected, -f.raised, f.text))


def question_insight(kits: Kits, sums: QuestionSums) -> QuestionInsight:
    """One question's figures and, once asked in ``MIN_LOOPS`` loops, its flags."""
    rated = sum(sums.counts)
    total = sum(score * n for score, n in zip((1, 2, 3, 4), sums.counts, strict=True))
    squares = sum(score * score * n for score, n in zip((1, 2, 3, 4), sums.counts, strict=True))
    mean, spread = mean_and_sd(rated, total, squares) if rated else (None, None)
    passes = share(sums.counts[2] + sums.counts[3], rated)
    passed_mean = sums.passed_total / sums.passed if sums.passed else None
    rejected_mean = sums.rejected_total / sums.rejected if sums.rejected else None
    trend = slope(rated, sums.time_sum, sums.time_squares, total, sums.product_sum)
    period = (
        sums.last_day - sums.first_day
        if sums.first_day is not None and sums.last_day is not None
        else 0.0
    )
    rise = trend * period if trend is not None else None
    flags: list[QuestionFlag] = []
    if sums.asked >= MIN_LOOPS and rated >= MIN_LOOPS:
        if passes is not None and passes >= PASS_SHARE:
            flags.append(QuestionFlag.EVERYONE_PASSES)
        elif spread is not None and spread < MIN_SPREAD:
            flags.append(QuestionFlag.NO_SPREAD)
        elif (
            passed_mean is not None
            and rejected_mean is not None
            and min(sums.passed, sums.rejected) >= SMALL
            and passed_mean - rejected_mean < MIN_SEPARATION
        ):
            flags.append(QuestionFlag.DOES_NOT_SEPARATE)
        if rise is not None and rise >= DRIFT:
            flags.append(QuestionFlag.DRIFTS_UP)
    try:
        stage = kits.stage(sums.stage_key)
        prompt = next((q.prompt for q in stage.questions if q.id == sums.question_key), "")
    except UnknownStageError:
        prompt = ""
    return QuestionInsight(
        stage_key=sums.stage_key,
        question_key=sums.question_key,
        prompt=prompt,
        kit_file=kits.stage_files.get(sums.stage_key, f"stages/{sums.stage_key}.toml"),
        asked=sums.asked,
        not_asked=sums.not_asked,
        counts=sums.counts,
        mean=mean,
        spread=spread,
        pass_share=passes,
        passed_mean=passed_mean,
        rejected_mean=rejected_mean,
        passed=sums.passed,
        rejected=sums.rejected,
        rise=rise,
        flags=tuple(flags),
    )


async def _questions(session: AsyncSession, kits: Kits, now: datetime) -> list[QuestionInsight]:
    rows = await queries.question_sums(session, now)
    found = [question_insight(kits, row) for row in rows]
    return sorted(found, key=lambda q: (not q.flags, _order(kits, q.stage_key, q.question_key)))


async def team_insights(bot: BotContext) -> TeamInsights:
    """The team's insights: a fixed number of statements for any history."""
    kits, now = bot.kits, bot.clock.now()
    # Its statements scan the whole history: SQLite works on them beside the loop.
    with statements_beside_the_loop():
        async with bot.sessions() as session:
            counts = await queries.candidates_by_stage(session)
            days = await queries.days_in_stage(session)
            found = await read_calibrations(session, kits)
            pairs = await queries.coincidences(session)
            flags = await queries.red_flags_before_rejection(session)
            questions = await _questions(session, kits, now)
    stages, sources = funnel(kits, counts, days)
    return TeamInsights(
        generated_at=now,
        funnel=tuple(stages),
        calibrations=tuple(found),
        agreement=tuple(agreements(kits, pairs)),
        red_flags=tuple(red_flag_counts(kits, flags)),
        questions=tuple(questions),
        sources=tuple(sources),
    )


async def own_insights(bot: BotContext, user_id: str) -> OwnInsights:
    """One interviewer's own calibration: queries filtered to their scorecards, so that
    nothing of anyone else's is read beyond the panel means their offsets are measured by."""
    async with bot.sessions() as session:
        return await read_own(session, bot.kits, user_id, bot.clock.now())


async def read_own(session: AsyncSession, kits: Kits, user_id: str, now: datetime) -> OwnInsights:
    recommended = await queries.recommendations(session, interviewer_id=user_id)
    sums = await queries.rating_sums(session, interviewer_id=user_id)
    return own_from(calibrations(kits, sums, recommended), user_id, now)


async def read_calibrations(session: AsyncSession, kits: Kits) -> list[Calibration]:
    """Everyone's calibration (two statements)."""
    sums = await queries.rating_sums(session)
    return calibrations(kits, sums, await queries.recommendations(session))


async def cached_calibrations(session: AsyncSession, bot: BotContext) -> tuple[Calibration, ...]:
    """Everyone's calibration as of at most ``CALIBRATION_TTL`` ago (``bot.insight_cache``)."""
    now = bot.clock.now()
    found = bot.calibrations.get(now)
    if found is None:
        with statements_beside_the_loop():
            found = tuple(await read_calibrations(session, bot.kits))
        bot.calibrations.put(now, found)
    return found


def own_from(found: Iterable[Calibration], interviewer_id: str, now: datetime) -> OwnInsights:
    """One interviewer's slice of everyone's calibration."""
    calibration = next((c for c in found if c.interviewer_id == interviewer_id), None)
    count = calibration.scorecards if calibration else 0
    shown = calibration if count >= MIN_SCORECARDS else None
    return OwnInsights(interviewer_id, now, count, shown)


# ----------------------------------------------------------------- words


def signed(value: float) -> str:
    """``+0.9``, ``-1.0``; never ``-0.0``."""
    return f"{round(value, 1) or 0.0:+.1f}"


def lean_words(calibration: Calibration, *, own: bool = False) -> tuple[str, str]:
    """What an interviewer's calibration says, as a predicate of their name (or of "you"),
    and the figures it rests on."""
    offset = calibration.overall
    rate, are, have, their = (
        ("rate", "are", "have", "your") if own else ("rates", "is", "has", "their")
    )
    if calibration.lean == Lean.TOO_FEW:
        figures = (
            f"{calibration.scorecards} scorecards, {offset.count} ratings beside a panel: "
            "small numbers"
        )
        return f"{have} too few scorecards to say", figures
    figures = f"{signed(offset.value)} ({signed(offset.low)} to {signed(offset.high)}) points"
    verdict = {
        Lean.LENIENT: f"{rate} higher than {their} panels",
        Lean.HARSH: f"{rate} lower than {their} panels",
    }.get(calibration.lean, f"{are} in line with {their} panels")
    return verdict, figures


LEAN_LABELS = {
    Lean.LENIENT: "higher",
    Lean.HARSH: "lower",
    Lean.IN_LINE: "in line",
    Lean.TOO_FEW: "too few",
}


def period_keys(moment: datetime) -> tuple[str, str]:
    """The week's and the month's keys of a local time: ``week:2026-W49``, ``month:2026-12``."""
    year, week, _ = moment.isocalendar()
    return f"week:{year}-W{week:02d}", f"month:{moment:%Y-%m}"
