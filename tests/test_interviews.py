"""Interview scheduling in the domain: the rules as plain functions, the services on a
real migrated database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import col, select

from bot import interviews
from bot.clock import FrozenClock
from bot.config import Settings
from bot.context import BotContext
from bot.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from bot.interviews import (
    AlreadySubmitted,
    InterviewForm,
    SlackUser,
    UserKind,
    cancel_interview,
    candidate_to_schedule,
    duration_error,
    form_errors,
    interview_to_change,
    interviewers_error,
    interviews_of,
    reschedule_interview,
    schedule_interview,
    scheduled_in_stage,
    starts_at_error,
    video_link_error,
)
from bot.kits import Kits
from bot.next_step import describe_next_step
from bot.permissions import may_change_panel, may_manage_interview
from storage.db import create_engine, session_factory, transaction
from storage.models import (
    AuditEvent,
    Candidate,
    CandidateStatus,
    Interview,
    InterviewInterviewer,
)
from tests.conftest import START

# Its SQL can behave differently by dialect: it runs on PostgreSQL too.
pytestmark = pytest.mark.both_databases

HM = "U0HM"
ANA, BEN, CY = "U0ANA", "U0BEN", "U0CY"
PEOPLE = {
    user_id: SlackUser(user_id, name, UserKind.PERSON)
    for user_id, name in ((ANA, "Ana"), (BEN, "Ben"), (CY, "Cy"))
}
TOMORROW = START + timedelta(days=1)


@pytest.fixture
async def context(
    settings: Settings, database_url: str, clock: FrozenClock, kits: Kits
) -> AsyncIterator[BotContext]:
    engine = create_engine(database_url)
    yield BotContext(
        settings=replace(settings, hiring_admins=frozenset({"U0ADMIN"})),
        engine=engine,
        sessions=session_factory(engine),
        clock=clock,
        kits=kits,
    )
    await engine.dispose()


async def add_candidate(
    bot: BotContext, *, status: str = CandidateStatus.ACTIVE, stage_key: str = "screening"
) -> int:
    async with transaction(bot.sessions) as session:
        candidate = Candidate(
            name="Jane Doe",
            name_key="jane doe",
            level="senior",
            location="uk_london",
            hiring_manager_id=HM,
            created_by=HM,
            stage_key=stage_key,
            status=status,
            stage_entered_at=START,
            last_activity_at=START,
            created_at=START,
            updated_at=START,
        )
        session.add(candidate)
        await session.flush()
        assert candidate.id is not None
        return candidate.id


def form(**changes: object) -> InterviewForm:
    base = InterviewForm(
        stage_key="technical",
        interviewer_ids=(ANA, BEN),
        starts_at=TOMORROW,
        duration_minutes=None,
        video_link=None,
    )
    return replace(base, **changes)


async def schedule(
    bot: BotContext, candidate_id: int, view_id: str = "V1", **changes: object
) -> int:
    async with transaction(bot.sessions) as session:
        scheduled = await schedule_interview(
            session,
            bot,
            candidate_id=candidate_id,
            form=form(**changes),
            users=PEOPLE,
            actor_id=HM,
            view_id=view_id,
        )
        assert scheduled.interview.id is not None
        return scheduled.interview.id


async def stored(bot: BotContext) -> tuple[list[Interview], list[InterviewInterviewer]]:
    async with bot.sessions() as session:
        interviews = list((await session.exec(select(Interview))).all())
        interviewers = list((await session.exec(select(InterviewInterviewer))).all())
    return interviews, interviewers


# --------------------------------------------------------------------- rules


def test_interviewers_must_be_one_to_five_active_people() -> None:
    users = PEOPLE | {
        "U0BOT": SlackUser("U0BOT", "Deploy Bot", UserKind.BOT),
        "U0GONE": SlackUser("U0GONE", "Old Timer", UserKind.DEACTIVATED),
    }
    assert interviewers_error((ANA,), users) is None
    assert interviewers_error((), users) == "Pick at least one interviewer."
    six = tuple(f"U0P{n}" for n in range(6))
    assert interviewers_error(six, users) == "Pick at most 5 interviewers (you picked 6)."
    assert interviewers_error((ANA, "U0BOT"), users) == (
        "Deploy Bot is a bot: interviewers must be people."
    )
    assert interviewers_error(("U0GONE",), users) == "Old Timer's account is deactivated."
    assert interviewers_error(("U0NOBODY",), users) == (
        "U0NOBODY is not a member of this workspace."
    )


def test_start_may_be_recent_but_not_more_than_a_week_ago() -> None:
    assert starts_at_error(None, START) == "Pick the date and time of the interview."
    assert starts_at_error(START - timedelta(days=7), START) is None
    assert starts_at_error(START - timedelta(days=7, seconds=1), START) == (
        "That is more than 7 days ago: check the date."
    )
    assert starts_at_error(START + timedelta(days=60), START) is None


def test_duration_and_link_rules() -> None:
    assert duration_error(None) is None
    assert duration_error(90) is None
    assert duration_error(4) == "Pick a length from 5 to 480 minutes."
    assert duration_error(481) == "Pick a length from 5 to 480 minutes."
    assert video_link_error(None) is None
    assert video_link_error("https://meet.example.com/abc-defg") is None
    web_address = "Enter a web address starting with http:// or https://, or leave it empty."
    assert video_link_error("ftp://example.com/x") == web_address
    assert video_link_error("meet.example.com") == web_address
    assert video_link_error("https://example.com/<@U0ANA>") == (
        "A web address cannot contain spaces or the characters < > |."
    )
    assert video_link_error("https://example.com/" + "a" * 481) == (
        "At most 500 characters; this link has 501."
    )


def test_form_errors_names_every_bad_field(kits: Kits) -> None:
    closed = Candidate(name="x", status=CandidateStatus.REJECTED)
    bad = InterviewForm(
        stage_key="onsite",
        interviewer_ids=(),
        starts_at=None,
        duration_minutes=1000,
        video_link="not a link",
    )
    errors = form_errors(bad, kits=kits, candidate=closed, users={}, now=START)
    assert errors == {
        "candidate": "This candidate is closed (rejected): they take no new interviews.",
        "stage": "That stage no longer exists: pick another.",
        "interviewers": "Pick at least one interviewer.",
        "starts_at": "Pick the date and time of the interview.",
        "duration": "Pick a length from 5 to 480 minutes.",
        "video_link": "Enter a web address starting with http:// or https://, or leave it empty.",
    }
    active = Candidate(name="x", status=CandidateStatus.ON_HOLD)
    assert form_errors(form(), kits=kits, candidate=active, users=PEOPLE, now=START) == {}


def test_who_may_manage_an_interview() -> None:
    def may(user_id: str) -> bool:
        return may_manage_interview(
            frozenset({"U0ADMIN"}), user_id, hiring_manager_id=HM, scheduled_by="U0REC"
        )

    assert may(HM) and may("U0REC") and may("U0ADMIN")
    assert not may(ANA)


def test_who_may_change_a_panel() -> None:
    def may(user_id: str) -> bool:
        return may_change_panel(frozenset({"U0ADMIN"}), user_id, hiring_manager_id=HM)

    # Whoever scheduled it may move it, but not join it: that is how the others' scorecards
    # would be read and left.
    assert may(HM) and may("U0ADMIN")
    assert not may("U0REC") and not may(ANA)


# --------------------------------------------------------------------- services


async def test_schedule_stores_the_interview_and_its_interviewers(context: BotContext) -> None:
    candidate_id = await add_candidate(context)
    context.clock.advance(timedelta(hours=1))  # type: ignore[attr-defined]

    interview_id = await schedule(context, candidate_id, video_link="https://meet.example.com/x")

    [interview], interviewers = await stored(context)
    assert interview.id == interview_id
    assert (interview.stage_key, interview.starts_at, interview.duration_minutes) == (
        "technical",
        TOMORROW,
        90,
    )
    assert interview.video_link == "https://meet.example.com/x"
    assert (interview.created_by, interview.schedule_view_id) == (HM, "V1")
    assert interview.status == "scheduled"
    assert sorted(row.user_id for row in interviewers) == [ANA, BEN]
    async with context.sessions() as session:
        candidate = await session.get(Candidate, candidate_id)
    assert candidate is not None
    assert candidate.last_activity_at == START + timedelta(hours=1)


async def test_an_explicit_length_beats_the_stages(context: BotContext) -> None:
    candidate_id = await add_candidate(context)
    await schedule(context, candidate_id, duration_minutes=45)
    [interview], _ = await stored(context)
    assert interview.duration_minutes == 45


async def test_bad_form_stores_nothing(context: BotContext) -> None:
    candidate_id = await add_candidate(context)
    with pytest.raises(InvalidInput) as caught:
        await schedule(context, candidate_id, interviewer_ids=(), starts_at=None)
    assert set(caught.value.fields) == {"interviewers", "starts_at"}
    assert await stored(context) == ([], [])


async def test_closed_candidate_takes_no_interview(context: BotContext) -> None:
    candidate_id = await add_candidate(context, status=CandidateStatus.HIRED)
    with pytest.raises(InvalidInput) as caught:
        await schedule(context, candidate_id)
    assert caught.value.fields == {
        "candidate": "This candidate is closed (hired): they take no new interviews."
    }
    async with context.sessions() as session:
        with pytest.raises(Conflict, match="closed"):
            await candidate_to_schedule(session, candidate_id)
    assert await stored(context) == ([], [])


async def test_same_view_submitted_twice_schedules_once(context: BotContext) -> None:
    candidate_id = await add_candidate(context)
    await schedule(context, candidate_id, view_id="V1")
    with pytest.raises(AlreadySubmitted):
        await schedule(context, candidate_id, view_id="V1")
    await schedule(context, candidate_id, view_id="V2")
    interviews, _ = await stored(context)
    assert [interview.schedule_view_id for interview in interviews] == ["V1", "V2"]


async def test_a_racing_double_submission_schedules_once(
    context: BotContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    candidate_id = await add_candidate(context)
    await schedule(context, candidate_id, view_id="V1")

    # The second request checked for the view before the first one committed.
    async def not_yet(*_: object) -> None:
        return None

    monkeypatch.setattr(interviews.store, "interview_by_view", not_yet)
    with pytest.raises(AlreadySubmitted):
        await schedule(context, candidate_id, view_id="V1")
    interviews_stored, interviewers = await stored(context)
    assert len(interviews_stored) == 1 and len(interviewers) == 2


async def test_unknown_candidate(context: BotContext) -> None:
    with pytest.raises(NotFound):
        await schedule(context, 999)


async def test_reschedule_changes_time_and_interviewers(context: BotContext) -> None:
    candidate_id = await add_candidate(context)
    interview_id = await schedule(context, candidate_id)
    later = TOMORROW + timedelta(days=2)
    async with transaction(context.sessions) as session:
        result = await reschedule_interview(
            session,
            context,
            interview_id=interview_id,
            form=form(interviewer_ids=(BEN, CY), starts_at=later, duration_minutes=60),
            users=PEOPLE,
            actor_id=HM,
        )
    assert result.changed
    assert result.interviewer_ids == (BEN, CY)
    assert (result.added, [row.user_id for row in result.kept]) == ((CY,), [BEN])
    assert [row.user_id for row in result.removed] == [ANA]
    [interview], interviewers = await stored(context)
    assert (interview.starts_at, interview.duration_minutes) == (later, 60)
    assert sorted(row.user_id for row in interviewers) == [BEN, CY]


async def test_reschedule_with_nothing_changed_is_not_a_change(context: BotContext) -> None:
    candidate_id = await add_candidate(context)
    interview_id = await schedule(context, candidate_id)
    async with transaction(context.sessions) as session:
        result = await reschedule_interview(
            session, context, interview_id=interview_id, form=form(), users=PEOPLE, actor_id=HM
        )
    assert not result.changed
    assert (result.added, result.removed) == ((), ())
    assert [row.user_id for row in result.kept] == [ANA, BEN]


async def test_only_the_manager_the_scheduler_or_an_admin_may_change(
    context: BotContext,
) -> None:
    candidate_id = await add_candidate(context)
    interview_id = await schedule(context, candidate_id)
    async with transaction(context.sessions) as session:
        with pytest.raises(PermissionDenied) as caught:
            await cancel_interview(session, context, interview_id=interview_id, actor_id=ANA)
        assert "<@U0HM>" in caught.value.message
        with pytest.raises(PermissionDenied):
            await reschedule_interview(
                session,
                context,
                interview_id=interview_id,
                form=form(starts_at=TOMORROW + timedelta(hours=1)),
                users=PEOPLE,
                actor_id=ANA,
            )
        with pytest.raises(PermissionDenied):
            await interview_to_change(session, context, interview_id, ANA)
        await interview_to_change(session, context, interview_id, "U0ADMIN")
    [interview], _ = await stored(context)
    assert (interview.status, interview.starts_at) == ("scheduled", TOMORROW)


async def test_cancel_once_then_nothing_more_to_change(context: BotContext) -> None:
    candidate_id = await add_candidate(context)
    interview_id = await schedule(context, candidate_id)
    async with transaction(context.sessions) as session:
        first = await cancel_interview(
            session, context, interview_id=interview_id, actor_id="U0ADMIN"
        )
    async with transaction(context.sessions) as session:
        again = await cancel_interview(session, context, interview_id=interview_id, actor_id=HM)
    assert first.changed and not again.changed
    assert [row.user_id for row in first.interviewers] == [ANA, BEN]
    async with transaction(context.sessions) as session:
        with pytest.raises(Conflict, match="cancelled"):
            await reschedule_interview(
                session, context, interview_id=interview_id, form=form(), users=PEOPLE, actor_id=HM
            )
        with pytest.raises(Conflict, match="cancelled"):
            await interview_to_change(session, context, interview_id, HM)
    [interview], _ = await stored(context)
    assert interview.status == "cancelled"


async def test_cancelling_is_allowed_for_a_closed_candidate(context: BotContext) -> None:
    candidate_id = await add_candidate(context)
    interview_id = await schedule(context, candidate_id)
    async with transaction(context.sessions) as session:
        candidate = await session.get(Candidate, candidate_id)
        assert candidate is not None
        candidate.status = CandidateStatus.REJECTED
    async with transaction(context.sessions) as session:
        with pytest.raises(InvalidInput):
            await reschedule_interview(
                session, context, interview_id=interview_id, form=form(), users=PEOPLE, actor_id=HM
            )
        result = await cancel_interview(session, context, interview_id=interview_id, actor_id=HM)
    assert result.changed


async def test_each_change_is_audited_without_personal_data(context: BotContext) -> None:
    candidate_id = await add_candidate(context)
    interview_id = await schedule(context, candidate_id)
    async with transaction(context.sessions) as session:
        await reschedule_interview(
            session,
            context,
            interview_id=interview_id,
            form=form(interviewer_ids=(ANA,)),
            users=PEOPLE,
            actor_id="U0ADMIN",
        )
        await cancel_interview(session, context, interview_id=interview_id, actor_id=HM)
    async with context.sessions() as session:
        events = (await session.exec(select(AuditEvent).order_by(col(AuditEvent.id)))).all()
    assert [(e.action, e.actor_id, e.candidate_id, e.detail) for e in events] == [
        (action, actor, candidate_id, {"interview_id": interview_id, "stage": "technical"})
        for action, actor in (
            ("interview_scheduled", HM),
            ("interview_rescheduled", "U0ADMIN"),
            ("interview_cancelled", HM),
        )
    ]


async def test_next_step_names_the_current_stages_interview(context: BotContext) -> None:
    candidate_id = await add_candidate(context, stage_key="technical")
    await schedule(context, candidate_id, view_id="V1", stage_key="screening")
    async with context.sessions() as session:
        candidate = await session.get(Candidate, candidate_id)
        assert candidate is not None
        assert (await describe_next_step(session, context.kits, candidate)).text == (
            "Schedule the Technical interview"
        )
    await schedule(context, candidate_id, view_id="V2", starts_at=TOMORROW + timedelta(days=1))
    await schedule(context, candidate_id, view_id="V3")
    async with context.sessions() as session:
        assert [i.schedule_view_id for i in await scheduled_in_stage(session, candidate)] == [
            "V3",
            "V2",
        ]
        step = await describe_next_step(session, context.kits, candidate)
        assert (step.text, step.at) == (
            "Technical interview",
            datetime(2026, 12, 2, 10, 0, tzinfo=UTC),
        )


async def test_interviews_of_a_user(context: BotContext) -> None:
    jane = await add_candidate(context)
    other = await add_candidate(context)
    later = await schedule(context, jane, view_id="V1", starts_at=TOMORROW + timedelta(days=1))
    sooner = await schedule(context, other, view_id="V2")
    cancelled = await schedule(context, jane, view_id="V3", interviewer_ids=(ANA,))
    await schedule(context, jane, view_id="V4", interviewer_ids=(CY,))
    async with transaction(context.sessions) as session:
        await cancel_interview(session, context, interview_id=cancelled, actor_id=HM)
    async with context.sessions() as session:
        assert [i.id for i in await interviews_of(session, ANA)] == [sooner, later]
        assert [i.id for i in await interviews_of(session, ANA, candidate_id=jane)] == [later]
        assert await interviews_of(session, "U0NOBODY") == []
