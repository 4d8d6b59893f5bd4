"""Rows of a hiring loop in the database: candidates, interviews and their panels,
scorecards, decisions and debriefs written straight, for tests of what reads them (the
jobs, the scorecard and decision services) without the Slack flows that normally store
them, with the marks the flows keep (``storage.marks``), as they keep them; and the rows a
flow stored, read back.

``add_candidate`` and ``add_interview`` return the rows; ``add_candidate_id`` and
``add_interview_id`` their ids, for the service tests that pass ids around. Driving the
flows as users do is ``tests/flows.py``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from sqlmodel import col, select

from bot.context import BotContext
from bot.kits import Kits
from bot.scorecards import NOT_OBSERVED, QualityChoice, ScorecardContent, ScorecardForm
from slackfake import FakeSlack
from storage import marks
from storage.db import transaction
from storage.models import (
    Candidate,
    CandidateStatus,
    Debrief,
    DebriefAttendee,
    Decision,
    Interview,
    InterviewInterviewer,
    InterviewStatus,
    Reminder,
    Scorecard,
    row_id,
)
from tests.harness import HIRING_CHANNEL, HIRING_MANAGER

T = TypeVar("T")
PANEL = ("U0ANA", "U0BEN", "U0CAT")
# When scorecard_content's scorecards were written (the suite's frozen start).
SCORED_AT = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)


async def add_candidate(
    bot: BotContext,
    name: str = "Jane Doe",
    *,
    fake: FakeSlack | None = None,
    stage: str = "technical",
    status: str = CandidateStatus.ACTIVE,
    hiring_manager_id: str = HIRING_MANAGER,
    last_activity_at: datetime | None = None,
) -> Candidate:
    """A candidate; with ``fake``, its card is a message the fake knows, linked as intake
    links it."""
    now = bot.clock.now()
    thread_ts = fake.add_message(HIRING_CHANNEL, text="card") if fake is not None else None
    permalink = (
        f"https://fake-workspace.slack.com/archives/{HIRING_CHANNEL}/p{thread_ts.replace('.', '')}"
        if thread_ts
        else None
    )
    candidate = Candidate(
        name=name,
        name_key=name.lower(),
        level="senior",
        location="us",
        hiring_manager_id=hiring_manager_id,
        created_by=hiring_manager_id,
        stage_key=stage,
        status=status,
        stage_entered_at=now,
        last_activity_at=last_activity_at or now,
        channel_id=HIRING_CHANNEL if fake is not None else None,
        thread_ts=thread_ts,
        permalink=permalink,
        created_at=now,
        updated_at=now,
    )
    return await _add(bot, candidate)


async def add_many(
    bot: BotContext,
    count: int,
    *,
    interviewers: Sequence[str],
    starts_at: datetime,
    last_activity_at: datetime,
    first: int = 0,
) -> None:
    """``count`` candidates, each with one interview and no scorecard, in one transaction."""
    now = bot.clock.now()
    async with transaction(bot.sessions) as session:
        for index in range(first, first + count):
            candidate = Candidate(
                name=f"Candidate {index:04d}",
                name_key=f"candidate {index:04d}",
                level="senior",
                location="us",
                hiring_manager_id=HIRING_MANAGER,
                created_by=HIRING_MANAGER,
                stage_key="technical",
                stage_entered_at=now,
                last_activity_at=last_activity_at,
                permalink=f"https://fake-workspace.slack.com/archives/{HIRING_CHANNEL}/p{index}",
                created_at=now,
                updated_at=now,
            )
            session.add(candidate)
            await session.flush()
            interview = Interview(
                candidate_id=candidate.id,
                stage_key="technical",
                starts_at=starts_at,
                duration_minutes=60,
                created_by=HIRING_MANAGER,
                created_at=now,
                updated_at=now,
            )
            session.add(interview)
            await session.flush()
            user_id = interviewers[index % len(interviewers)]
            session.add(InterviewInterviewer(interview_id=interview.id, user_id=user_id))
            await marks.interview_changed(session, interview, bot.settings.feedback_due_hours)


async def add_interview(
    bot: BotContext,
    candidate: Candidate,
    interviewers: Sequence[str],
    *,
    starts_at: datetime,
    minutes: int = 60,
    stage: str | None = None,
) -> Interview:
    now = bot.clock.now()
    interview = Interview(
        candidate_id=row_id(candidate),
        stage_key=stage or candidate.stage_key,
        starts_at=starts_at,
        duration_minutes=minutes,
        created_by=candidate.hiring_manager_id,
        created_at=now,
        updated_at=now,
    )
    interview = await _add(bot, interview)
    async with transaction(bot.sessions) as session:
        for user_id in interviewers:
            session.add(InterviewInterviewer(interview_id=interview.id, user_id=user_id))
        await marks.interview_changed(session, interview, bot.settings.feedback_due_hours)
    return interview


async def add_scorecard(
    bot: BotContext, interview: Interview, interviewer_id: str, *, submitted_at: datetime
) -> Scorecard:
    scorecard = Scorecard(
        interview_id=row_id(interview),
        interviewer_id=interviewer_id,
        overall=3,
        evidence="Solid answers.",
        submitted_at=submitted_at,
        updated_at=submitted_at,
    )
    scorecard = await _add(bot, scorecard)
    async with transaction(bot.sessions) as session:
        await marks.scorecard_in(session, interview, interviewer_id, submitted_at)
    return scorecard


async def add_decision(
    bot: BotContext,
    candidate: Candidate,
    outcome: str,
    *,
    decided_at: datetime,
    decided_by: str = HIRING_MANAGER,
    stage: str | None = None,
) -> Decision:
    decision = Decision(
        candidate_id=row_id(candidate),
        stage_key=stage or candidate.stage_key,
        outcome=outcome,
        reason="Strong loop.",
        decided_by=decided_by,
        decided_at=decided_at,
    )
    decision = await _add(bot, decision)
    async with transaction(bot.sessions) as session:
        await marks.candidate_changed(session, row_id(candidate))
    return decision


async def add_debrief(
    bot: BotContext,
    candidate: Candidate,
    attendees: Sequence[str],
    *,
    starts_at: datetime,
    minutes: int = 30,
) -> Debrief:
    now = bot.clock.now()
    debrief = Debrief(
        candidate_id=row_id(candidate),
        stage_key=candidate.stage_key,
        starts_at=starts_at,
        duration_minutes=minutes,
        created_by=candidate.hiring_manager_id,
        created_at=now,
        updated_at=now,
    )
    debrief = await _add(bot, debrief)
    async with transaction(bot.sessions) as session:
        for user_id in attendees:
            session.add(DebriefAttendee(debrief_id=debrief.id, user_id=user_id))
        await marks.candidate_changed(session, row_id(candidate))
    return debrief


async def add_candidate_id(
    bot: BotContext,
    *,
    stage_key: str = "technical",
    status: str = CandidateStatus.ACTIVE,
    hiring_manager_id: str = HIRING_MANAGER,
) -> int:
    candidate = await add_candidate(
        bot, stage=stage_key, status=status, hiring_manager_id=hiring_manager_id
    )
    return row_id(candidate)


async def add_interview_id(
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
    assert candidate is not None, f"no candidate #{candidate_id}"
    interview = await add_interview(
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
            assert seat is not None, f"{user_id} is not on the panel"
            seat.attended = False
            session.add(seat)
    return row_id(interview)


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


def scorecard_content(
    interviewer_id: str,
    overall: int,
    competencies: Mapping[str, int | None],
    *,
    qualities: Mapping[str, int | None] | None = None,
    red_flags: Sequence[str] = (),
) -> ScorecardContent:
    """A scorecard as read back, for the summary's maths: no database needed."""
    return ScorecardContent(
        id=abs(hash(interviewer_id)),
        interview_id=1,
        interviewer_id=interviewer_id,
        overall=overall,
        competencies=competencies,
        qualities=qualities or {},
        red_flags=tuple(red_flags),
        evidence="e",
        private_note=None,
        submitted_at=SCORED_AT,
        updated_at=SCORED_AT,
    )


# --------------------------------------------------------------------- read back


async def latest_candidate(bot: BotContext) -> Candidate:
    async with bot.sessions() as session:
        statement = select(Candidate).order_by(col(Candidate.id).desc())
        candidate = (await session.exec(statement)).first()
    assert candidate is not None, "no candidate stored"
    return candidate


async def all_candidates(bot: BotContext) -> list[Candidate]:
    async with bot.sessions() as session:
        return list((await session.exec(select(Candidate).order_by(col(Candidate.id)))).all())


async def stored_interviews(bot: BotContext) -> list[Interview]:
    async with bot.sessions() as session:
        return list((await session.exec(select(Interview).order_by(col(Interview.id)))).all())


async def interviewer_rows(
    bot: BotContext, interview: Interview
) -> dict[str, InterviewInterviewer]:
    async with bot.sessions() as session:
        rows = await session.exec(
            select(InterviewInterviewer).where(InterviewInterviewer.interview_id == interview.id)
        )
        return {row.user_id: row for row in rows.all()}


async def stored_debriefs(bot: BotContext) -> list[Debrief]:
    async with bot.sessions() as session:
        return list((await session.exec(select(Debrief).order_by(col(Debrief.id)))).all())


async def attendees(bot: BotContext, debrief: Debrief) -> list[str]:
    async with bot.sessions() as session:
        rows = await session.exec(
            select(DebriefAttendee.user_id)
            .where(DebriefAttendee.debrief_id == debrief.id)
            .order_by(col(DebriefAttendee.user_id))
        )
        return list(rows.all())


async def debrief_reminders(bot: BotContext, **filters: Any) -> list[Reminder]:
    """The debriefs' reminders by due time, then recipient; ``filters`` are column values."""
    async with bot.sessions() as session:
        statement = (
            select(Reminder)
            .where(col(Reminder.debrief_id).is_not(None))
            .order_by(col(Reminder.due_at), col(Reminder.recipient_id))
        )
        for name, value in filters.items():
            statement = statement.where(getattr(Reminder, name) == value)
        return list((await session.exec(statement)).all())


async def _add(bot: BotContext, row: T) -> T:
    async with transaction(bot.sessions) as session:
        session.add(row)
        await session.flush()
        await session.refresh(row)
    return row


def hours(n: float) -> timedelta:
    return timedelta(hours=n)
