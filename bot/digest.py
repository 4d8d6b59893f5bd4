"""The daily digest: what the hiring channel reads each working morning.

``build_digest`` turns a fixed set of aggregate queries into a ``Digest``; each list is
cut to what one Slack message can show, with the count of what was left out.
``run_daily_digest`` is the cron job's body: it posts a local day's digest once, however
many replicas run it and however often the bot restarts.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any, Generic, Protocol, TypeVar

from sqlmodel.ext.asyncio.session import AsyncSession

from bot import metrics, permissions
from bot.candidates import level_name
from bot.context import BotContext
from bot.next_step import NextStep, next_step
from bot.reminder_rules import working_days_back
from bot.scorecards import Progress
from storage import candidates as candidates_store
from storage import digest as queries
from storage.db import transaction
from storage.digest import CandidateRow
from storage.models import (
    CandidateStatus,
    Debrief,
    DebriefAttendee,
    Interview,
    InterviewInterviewer,
    row_id,
)

logger = logging.getLogger(__name__)

IDLE_WORKING_DAYS = 5
SLA_WINDOW = timedelta(days=30)
SLA_MIN_INTERVIEWS = 3
# Lines per section: enough to act on, and the whole digest stays one readable message.
MAX_LINES = 10
# A claim on a day older than this is a replica that died while posting.
CLAIM_STALE_AFTER = timedelta(minutes=10)

T = TypeVar("T")
Titles = Callable[[str], str]


@dataclass(frozen=True)
class Section(Generic[T]):
    """The first lines of a list and how many more there were."""

    items: tuple[T, ...] = ()
    more: int = 0

    @classmethod
    def of(cls, items: Sequence[T], limit: int = MAX_LINES) -> Section[T]:
        return cls(tuple(items[:limit]), max(len(items) - limit, 0))

    @classmethod
    def counted(cls, items: Sequence[T], total: int) -> Section[T]:
        """The lines the database kept and the count of all it found."""
        return cls(tuple(items), max(total - len(items), 0))

    def __bool__(self) -> bool:
        return bool(self.items)


@dataclass(frozen=True)
class PipelineLine:
    """An open candidate as the pipeline lists them."""

    candidate: CandidateRow
    level: str
    days_in_stage: int
    next_step: NextStep


@dataclass(frozen=True)
class StageCount:
    title: str
    active: int
    on_hold: int
    offer: int
    # The first candidates of the stage, longest in it first.
    listed: tuple[PipelineLine, ...] = ()

    @property
    def more(self) -> int:
        return max(self.total - len(self.listed), 0)

    @property
    def total(self) -> int:
        return self.active + self.on_hold + self.offer


@dataclass(frozen=True)
class Overdue:
    interviewer_id: str
    candidate: CandidateRow
    stage_title: str
    due_at: datetime


@dataclass(frozen=True)
class Waiting:
    candidate: CandidateRow
    stage_title: str
    since: datetime


@dataclass(frozen=True)
class Idle:
    candidate: CandidateRow
    stage_title: str
    last_activity_at: datetime


@dataclass(frozen=True)
class DecisionLine:
    candidate: CandidateRow
    stage_title: str
    outcome: str
    decided_by: str
    decided_at: datetime


class MeetingKind(StrEnum):
    INTERVIEW = "interview"
    DEBRIEF = "debrief"


@dataclass(frozen=True)
class Meeting:
    kind: MeetingKind
    candidate: CandidateRow
    stage_title: str
    starts_at: datetime
    people: tuple[str, ...]


@dataclass(frozen=True)
class Timeliness:
    """Scorecards owed and in on time; ``interviewer_id`` is None for the whole team."""

    interviewer_id: str | None
    owed: int
    on_time: int

    @property
    def percent(self) -> int:
        return round(100 * self.on_time / self.owed) if self.owed else 100


@dataclass(frozen=True)
class Digest:
    day: date
    stages: tuple[StageCount, ...] = ()
    overdue: Section[Overdue] = field(default_factory=Section)
    waiting: Section[Waiting] = field(default_factory=Section)
    idle: Section[Idle] = field(default_factory=Section)
    decisions: Section[DecisionLine] = field(default_factory=Section)
    today: Section[Meeting] = field(default_factory=Section)
    # The team's figure only: each person's is theirs (App Home), never the channel's.
    timeliness: Timeliness | None = None

    @property
    def is_empty(self) -> bool:
        """Nothing in the pipeline and nothing that happened or is due."""
        return not (
            self.stages or self.overdue or self.waiting or self.idle or self.decisions or self.today
        )


def digest_candidates(digest: Digest) -> set[int]:
    """Every candidate the digest names, so that erasing one edits them out of it."""
    lines: list[Any] = [line for stage in digest.stages for line in stage.listed]
    for section in (digest.overdue, digest.waiting, digest.idle, digest.decisions, digest.today):
        lines += section.items
    return {line.candidate.id for line in lines}


def local_day(bot: BotContext, moment: datetime) -> date:
    return moment.astimezone(bot.settings.timezone).date()


def _day_bounds(bot: BotContext, day: date) -> tuple[datetime, datetime]:
    zone = bot.settings.timezone
    start = datetime.combine(day, time(0), tzinfo=zone)
    return start, datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)


async def build_digest(session: AsyncSession, bot: BotContext, now: datetime) -> Digest:
    """The digest of ``now``'s local day. A fixed number of statements, whatever the size
    of the pipeline: no query runs per candidate, and every list is cut and counted by the
    database, so the rows fetched do not grow with the pipeline either."""
    settings = bot.settings
    day = local_day(bot, now)
    title = bot.kits.stage_title
    previous = await queries.previous_digest_at(session, day)
    since = previous or now - timedelta(days=1)
    rows, total = await queries.overdue_scorecards(session, now, limit=MAX_LINES)
    overdue = [
        Overdue(interviewer, candidate, title(stage), due_at)
        for candidate, interviewer, stage, due_at, _ in rows
    ]
    waiting = await waiting_for_decision(session, now, title)
    idle_before = working_days_back(
        now, IDLE_WORKING_DAYS, settings.timezone, settings.working_days
    )
    idle_rows, idle_total = await queries.idle_candidates(session, idle_before, limit=MAX_LINES)
    idle = [Idle(candidate, title(candidate.stage_key), last) for candidate, last in idle_rows]
    decision_rows, decision_total = await queries.decisions_since(session, since, limit=MAX_LINES)
    decisions = [
        DecisionLine(candidate, title(stage), outcome, by, at)
        for candidate, stage, outcome, by, at in decision_rows
    ]
    start, end = _day_bounds(bot, day)
    interviews = await queries.meetings_between(
        session, start, end, Interview, InterviewInterviewer
    )
    debriefs = await queries.meetings_between(session, start, end, Debrief, DebriefAttendee)
    today = _meetings(MeetingKind.INTERVIEW, interviews, title) + _meetings(
        MeetingKind.DEBRIEF, debriefs, title
    )
    today.sort(key=lambda meeting: meeting.starts_at)
    owed, on_time = await queries.team_timeliness(session, now - SLA_WINDOW, now)
    counts = await queries.stage_counts(session)
    listed = await pipeline_lines(session, bot, now, counts)
    return Digest(
        day=day,
        stages=stages_of(counts, listed, bot, title),
        overdue=Section.counted(overdue, total),
        waiting=waiting,
        idle=Section.counted(idle, idle_total),
        decisions=Section.counted(decisions, decision_total),
        today=Section.of(today),
        timeliness=Timeliness(None, owed, on_time) if owed else None,
    )


async def pipeline_lines(
    session: AsyncSession,
    bot: BotContext,
    now: datetime,
    counts: Sequence[tuple[str, str, int]],
    *,
    manager: str | None = None,
    per_stage: int = MAX_LINES,
) -> dict[str, list[PipelineLine]]:
    """The first open candidates of each stage (of one hiring manager's, or all, as
    ``counts`` from ``stage_counts`` has them) with their next step, by stage key: three
    statements for any number of candidates."""
    groups = [(stage_key, status) for stage_key, status, _ in counts]
    candidates = await queries.pipeline_listing(
        session, groups, per_stage=per_stage, manager=manager
    )
    ids = [c.id for c in candidates if c.id is not None]
    latest: dict[int, tuple[Interview, Progress]] = {}
    for current, expected, submitted in await queries.current_stage_interviews(session, ids):
        latest[current.candidate_id] = (current, Progress(submitted, expected))
    debriefs = {d.candidate_id: d for d in await queries.current_stage_debriefs(session, ids)}
    lines: dict[str, list[PipelineLine]] = defaultdict(list)
    for candidate in candidates:
        candidate_id = row_id(candidate)
        interview, progress = latest.get(candidate_id) or (None, None)
        step = next_step(candidate, bot.kits, interview, progress, debriefs.get(candidate_id))
        lines[candidate.stage_key].append(
            PipelineLine(
                queries.candidate_row(candidate),
                level_name(bot.kits, candidate),
                max((now - candidate.stage_entered_at).days, 0),
                step,
            )
        )
    return lines


def stages_of(
    rows: Sequence[tuple[str, str, int]],
    listed: Mapping[str, Sequence[PipelineLine]],
    bot: BotContext,
    title: Titles,
) -> tuple[StageCount, ...]:
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for stage_key, status, count in rows:
        counts[stage_key][status] += count
    order = [stage.key for stage in bot.kits.stages]
    keys = sorted(counts, key=lambda key: (order.index(key) if key in order else len(order), key))
    return tuple(
        StageCount(
            title(key),
            counts[key][CandidateStatus.ACTIVE],
            counts[key][CandidateStatus.ON_HOLD],
            counts[key][CandidateStatus.OFFER],
            tuple(listed.get(key, ())),
        )
        for key in keys
    )


async def waiting_for_decision(
    session: AsyncSession,
    now: datetime,
    title: Titles,
    *,
    limit: int = MAX_LINES,
    manager: str | None = None,
) -> Section[Waiting]:
    """Candidates (one hiring manager's, or all) whose current stage is ready for a
    decision and has had none since, longest waiting first."""
    rows, total = await queries.waiting_for_decision(session, now, limit=limit, manager=manager)
    return Section.counted([Waiting(row, title(row.stage_key), at) for row, at in rows], total)


def _meetings(
    kind: MeetingKind,
    rows: Sequence[tuple[CandidateRow, int, str, datetime, str]],
    title: Titles,
) -> list[Meeting]:
    people: dict[int, list[str]] = defaultdict(list)
    first: dict[int, tuple[CandidateRow, str, datetime]] = {}
    for candidate, meeting_id, stage, starts_at, user in rows:
        first.setdefault(meeting_id, (candidate, stage, starts_at))
        people[meeting_id].append(user)
    return [
        Meeting(kind, candidate, title(stage), starts_at, tuple(people[meeting_id]))
        for meeting_id, (candidate, stage, starts_at) in first.items()
    ]


# ----------------------------------------------------------------- posting


class RunOutcome(StrEnum):
    NOT_A_WORKING_DAY = "not_a_working_day"
    TOO_EARLY = "too_early"
    ALREADY_POSTED = "already_posted"
    POSTED = "posted"


async def current_digest(bot: BotContext) -> Digest:
    async with bot.sessions() as session:
        return await build_digest(session, bot, bot.clock.now())


async def may_post_digest(bot: BotContext, user_id: str) -> bool:
    admins = bot.settings.hiring_admins
    is_manager = not permissions.is_admin(admins, user_id) and await _manages_any(bot, user_id)
    return permissions.may_post_digest(admins, user_id, is_hiring_manager=is_manager)


async def _manages_any(bot: BotContext, user_id: str) -> bool:
    async with bot.sessions() as session:
        return await candidates_store.manages_any(session, user_id)


class DigestNotifier(Protocol):
    """What the digest asks of the notifier (``bot.notifier.Notifier``)."""

    async def queue_digest(
        self,
        session: AsyncSession,
        bot: BotContext,
        digest: Digest,
        channel_id: str,
        key: str | None = None,
    ) -> None:
        """Queue the digest for a channel (``key``: the day's, whose ts is kept)."""
        ...


async def post_digest_now(bot: BotContext, notifier: DigestNotifier) -> None:
    """Queue the digest at once (the slash command): it does not count as the day's."""
    async with transaction(bot.sessions) as session:
        digest = await build_digest(session, bot, bot.clock.now())
        await notifier.queue_digest(session, bot, digest, bot.settings.hiring_channel_id)


async def run_daily_digest(bot: BotContext, notifier: DigestNotifier) -> RunOutcome:
    """Post today's digest unless it is posted, it is not a working day, or it is not
    yet time; a run after a restart catches up on a digest the bot was down for."""
    outcome = await _run_daily_digest(bot, notifier)
    metrics.digest_run(outcome)
    return outcome


async def _run_daily_digest(bot: BotContext, notifier: DigestNotifier) -> RunOutcome:
    settings = bot.settings
    now = bot.clock.now()
    local = now.astimezone(settings.timezone)
    if local.weekday() not in settings.working_days:
        return RunOutcome.NOT_A_WORKING_DAY
    if local.time() < settings.digest_time:
        return RunOutcome.TOO_EARLY
    day = local.date()
    # The day's claim, the digest and its record commit together: once, whatever happens.
    async with transaction(bot.sessions) as session:
        claimed = await queries.claim_day(
            session, day, now=now, stale_before=now - CLAIM_STALE_AFTER
        )
        if not claimed:
            return RunOutcome.ALREADY_POSTED
        digest = await build_digest(session, bot, now)
        channel = settings.hiring_channel_id
        await notifier.queue_digest(session, bot, digest, channel, key=f"digest:{day}")
        await queries.record_posted(session, day, now=now, channel_id=channel, ts=None)
    logger.info("queued the digest of %s", day)
    return RunOutcome.POSTED
