"""What a person's App Home shows: their desk.

Everyone: their next interviews, the scorecards they owe, their debriefs, their own
on-time figure. A hiring manager also: their candidates by stage, the decisions and
debriefs waiting on them, and who is late with which scorecard. An admin also: the team's
figures per person, the messages that could not be delivered, configuration problems.

Every list is cut and counted by the database (``storage.desk``, ``storage.digest``), so
a desk costs a fixed number of statements for a pipeline of any size.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from bot import outbox
from bot.context import BotContext
from bot.digest import (
    SLA_WINDOW,
    Section,
    StageCount,
    Timeliness,
    Waiting,
    pipeline_lines,
    stages_of,
    waiting_for_decision,
)
from bot.insights import Calibration, OwnInsights, cached_calibrations, read_own
from bot.kits import SalaryTable, Stage, UnknownStageError
from bot.nudges import nudge_key
from bot.outbox import Undelivered
from storage import candidates as candidate_store
from storage import desk as queries
from storage import digest as pipeline_queries
from storage.digest import CandidateRow
from storage.models import Candidate, Debrief, Interview
from storage.reminders import existing_reminder_keys

# Lines with a button per list: a Home tab holds 100 blocks, and each such line is one.
SHOWN = 5
# Lines of text-only lists (several to a block).
LISTED = 10


@dataclass(frozen=True)
class HomeInterview:
    interview: Interview
    candidate: Candidate
    stage: Stage | None


@dataclass(frozen=True)
class HomeDebrief:
    debrief: Debrief
    candidate: Candidate
    stage_title: str


@dataclass(frozen=True)
class Late:
    """A scorecard past its deadline, and whether its interviewer was nudged today."""

    candidate: CandidateRow
    interview_id: int
    interviewer_id: str
    stage_title: str
    due_at: datetime
    nudged_today: bool


@dataclass(frozen=True)
class ManagerDesk:
    stages: tuple[StageCount, ...]
    waiting: Section[Waiting]
    # Of those waiting, the ones with no debrief scheduled for their stage.
    debrief_to_schedule: Section[Waiting]
    late: Section[Late]
    # The salary benchmark stays off the public card but is the hiring manager's to see
    # where an offer is decided: each waiting candidate's location and level, and the table.
    placements: dict[int, tuple[str, str]] = field(default_factory=dict)
    salary: SalaryTable | None = None


@dataclass(frozen=True)
class AdminDesk:
    stages: tuple[StageCount, ...]
    timeliness: Section[Timeliness]
    undelivered: Section[Undelivered]
    # Configuration problems: open candidates in a stage no kit defines, by stage key.
    orphan_stages: tuple[tuple[str, int], ...]
    # Open candidates whose card is not in the hiring channel (the bot keeps trying).
    unposted: tuple[Candidate, ...] = ()


@dataclass(frozen=True)
class HomeSummary:
    upcoming: Section[HomeInterview] = field(default_factory=Section)
    # Interviews that have ended without the user's scorecard, oldest first.
    owed: Section[HomeInterview] = field(default_factory=Section)
    debriefs: Section[HomeDebrief] = field(default_factory=Section)
    timeliness: Timeliness | None = None
    manager: ManagerDesk | None = None
    admin: AdminDesk | None = None
    # Everyone's figure, for hiring managers and admins.
    team_timeliness: Section[Timeliness] = field(default_factory=Section)
    hiring_channel_id: str = ""
    # The user's own calibration (None: no scorecard yet), and for hiring managers and
    # admins everyone's, most leaning first.
    calibration: OwnInsights | None = None
    team_calibration: tuple[Calibration, ...] = ()


async def home_summary(bot: BotContext, user_id: str) -> HomeSummary:
    now = bot.clock.now()
    async with bot.sessions() as session:
        upcoming, upcoming_total = await queries.upcoming_interviews(
            session, user_id, now, limit=SHOWN
        )
        owed, owed_total = await queries.owed_scorecards(session, user_id, now, limit=SHOWN)
        debriefs, debriefs_total = await queries.upcoming_debriefs(
            session, user_id, now, limit=SHOWN
        )
        mine, _ = await pipeline_queries.feedback_timeliness(
            session, now - SLA_WINDOW, now, user_id=user_id, limit=1
        )
        is_admin = bot.is_admin(user_id)
        manages = await candidate_store.manages_any(session, user_id)
        team = Section[Timeliness]()
        if is_admin or manages:
            rows, total = await pipeline_queries.feedback_timeliness(
                session, now - SLA_WINDOW, now, limit=LISTED
            )
            team = Section.counted([Timeliness(u, o, t) for u, o, t in rows], total)
        manager = await _manager_desk(session, bot, user_id, now) if manages else None
        admin = await _admin_desk(session, bot, now, team) if is_admin else None
        own = await read_own(session, bot.kits, user_id, now)
        everyone = await cached_calibrations(session, bot) if is_admin or manages else ()
    return HomeSummary(
        upcoming=Section.counted([_item(bot, i, c) for i, c in upcoming], upcoming_total),
        owed=Section.counted([_item(bot, i, c) for i, c in owed], owed_total),
        debriefs=Section.counted(
            [HomeDebrief(d, c, bot.kits.stage_title(d.stage_key)) for d, c in debriefs],
            debriefs_total,
        ),
        timeliness=Timeliness(user_id, mine[0][1], mine[0][2]) if mine else None,
        manager=manager,
        admin=admin,
        team_timeliness=team,
        hiring_channel_id=bot.settings.hiring_channel_id,
        calibration=own if own.scorecards else None,
        team_calibration=everyone,
    )


async def _manager_desk(
    session: AsyncSession, bot: BotContext, user_id: str, now: datetime
) -> ManagerDesk:
    title = bot.kits.stage_title
    counts = await pipeline_queries.stage_counts(session, manager=user_id)
    listed = await pipeline_lines(session, bot, now, counts, manager=user_id, per_stage=LISTED)
    waiting = await waiting_for_decision(session, now, title, limit=LISTED, manager=user_id)
    ids = [w.candidate.id for w in waiting.items]
    debriefs = await pipeline_queries.current_stage_debriefs(session, ids)
    with_debrief = {d.candidate_id for d in debriefs}
    rows, total = await pipeline_queries.overdue_scorecards(
        session, now, limit=SHOWN, manager=user_id
    )
    day = now.astimezone(bot.settings.timezone).date()
    keys = [nudge_key(interview_id, user, day) for _, user, _, _, interview_id in rows]
    nudged = await existing_reminder_keys(session, keys)
    late = [
        Late(c, interview_id, user, title(stage), due_at, key in nudged)
        for (c, user, stage, due_at, interview_id), key in zip(rows, keys, strict=True)
    ]
    to_schedule = [w for w in waiting.items if w.candidate.id not in with_debrief]
    shown = waiting.items[:SHOWN]
    return ManagerDesk(
        stages=stages_of(counts, listed, bot, title),
        waiting=Section.counted(shown, len(waiting.items) + waiting.more),
        debrief_to_schedule=Section.of(to_schedule, SHOWN),
        late=Section.counted(late, total),
        placements=await candidate_store.placements(session, [w.candidate.id for w in shown]),
        salary=bot.kits.salary,
    )


async def _admin_desk(
    session: AsyncSession, bot: BotContext, now: datetime, team: Section[Timeliness]
) -> AdminDesk:
    title = bot.kits.stage_title
    counts = await pipeline_queries.stage_counts(session)
    listed = await pipeline_lines(session, bot, now, counts, per_stage=LISTED)
    undelivered = await outbox.undelivered(session, now, limit=100)
    return AdminDesk(
        stages=stages_of(counts, listed, bot, title),
        timeliness=team,
        undelivered=Section.of(undelivered, LISTED),
        orphan_stages=_orphan_stages(bot, counts),
        unposted=tuple(await candidate_store.unposted_open(session, limit=LISTED)),
    )


def _orphan_stages(
    bot: BotContext, counts: list[tuple[str, str, int]]
) -> tuple[tuple[str, int], ...]:
    """What is wrong with the set-up that the bot can see from its data: candidates in a
    stage whose kit file is gone. (Kit files themselves are what ``python -m bot check``
    validates; start-up validates them too and a bad one stops it, so a running bot has
    none.)"""
    known = {stage.key for stage in bot.kits.stages}
    orphans: dict[str, int] = {}
    for stage_key, _, count in counts:
        if stage_key not in known:
            orphans[stage_key] = orphans.get(stage_key, 0) + count
    return tuple(sorted(orphans.items()))


def _item(bot: BotContext, interview: Interview, candidate: Candidate) -> HomeInterview:
    try:
        stage: Stage | None = bot.kits.stage(interview.stage_key)
    except UnknownStageError:
        stage = None
    return HomeInterview(interview, candidate, stage)
