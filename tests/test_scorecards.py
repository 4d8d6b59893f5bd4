"""Scorecard service: validation, one per interviewer, edits, progress, who may submit."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import func, select

from bot.context import BotContext
from bot.debrief_summary_reads import summary_to_post
from bot.errors import Conflict, InvalidInput, PermissionDenied
from bot.scorecards import (
    EVIDENCE,
    MAX_EVIDENCE,
    OVERALL,
    PRIVATE_NOTE,
    RED_FLAGS,
    SubmitResult,
    open_scorecard,
    rating_field,
    submit_scorecard,
    validate,
)
from storage.db import transaction
from storage.models import (
    AuditEvent,
    CandidateStatus,
    Decision,
    InterviewStatus,
    Outcome,
    RatingKind,
    Scorecard,
    ScorecardRating,
)
from tests.conftest import START
from tests.harness import HIRING_MANAGER
from tests.loop_rows import PANEL, add_candidate, add_interview, scorecard_form

# Its SQL can behave differently by dialect: it runs on PostgreSQL too.
pytestmark = pytest.mark.both_databases

ANA, BEN, CAT = PANEL


async def submit(bot: BotContext, user_id: str, interview_id: int, **form: Any) -> SubmitResult:
    async with transaction(bot.sessions) as session:
        return await submit_scorecard(
            session,
            bot,
            user_id=user_id,
            interview_id=interview_id,
            form=scorecard_form(bot.kits, **form),
        )


async def count(bot: BotContext, model: type) -> int:
    async with bot.sessions() as session:
        return (await session.exec(select(func.count()).select_from(model))).one()


async def interview(bot: BotContext, **kwargs: Any) -> int:
    return await add_interview(bot, await add_candidate(bot), **kwargs)


# ----------------------------------------------------------------------------- validation


def test_a_complete_form_is_valid_and_its_text_is_stripped(bot: BotContext) -> None:
    stage = bot.kits.stage("technical")
    form = scorecard_form(
        bot.kits,
        competencies={"k8s_serving": 4},
        qualities={"production_mindset": 2},
        red_flags=["rollback_is_retraining", "cicd_needs_googling"],
        evidence="  Solid.  ",
        private_note="   ",
    )
    valid = validate(stage, bot.kits.qualities, form)
    assert valid.evidence == "Solid."
    assert valid.private_note is None
    assert (RatingKind.COMPETENCY, "k8s_serving", 4) in valid.ratings
    assert (RatingKind.QUALITY, "production_mindset", 2) in valid.ratings
    assert (RatingKind.QUALITY, "systems_thinking", None) in valid.ratings
    # Kit order, whatever order the boxes were ticked in.
    assert valid.red_flags == ("cicd_needs_googling", "rollback_is_retraining")


def test_every_missing_rating_is_named(bot: BotContext) -> None:
    stage = bot.kits.stage("technical")
    form = scorecard_form(
        bot.kits,
        competencies={"autoscaling": None, "ml_monitoring": 0},
        qualities={"systems_thinking": None, "production_mindset": 5},
        overall=None,
    )
    with pytest.raises(InvalidInput) as caught:
        validate(stage, bot.kits.qualities, form)
    assert set(caught.value.fields) == {
        rating_field(RatingKind.COMPETENCY, "autoscaling"),
        rating_field(RatingKind.COMPETENCY, "ml_monitoring"),
        rating_field(RatingKind.QUALITY, "systems_thinking"),
        rating_field(RatingKind.QUALITY, "production_mindset"),
        OVERALL,
    }
    assert caught.value.fields[OVERALL] == "Choose your overall recommendation."


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"evidence": None}, EVIDENCE, "Write the evidence"),
        ({"evidence": " \n\t "}, EVIDENCE, "Write the evidence"),
        ({"evidence": "x" * (MAX_EVIDENCE + 1)}, EVIDENCE, "it has 3,001"),
        ({"private_note": "y" * 3001}, PRIVATE_NOTE, "Keep the note to 3,000"),
        ({"red_flags": ["not_in_the_kit"]}, RED_FLAGS, "no longer in the kit"),
    ],
)
def test_text_and_flag_errors(bot: BotContext, changes: dict, field: str, message: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        validate(
            bot.kits.stage("technical"), bot.kits.qualities, scorecard_form(bot.kits, **changes)
        )
    assert list(caught.value.fields) == [field]
    assert message in caught.value.fields[field]


def test_evidence_of_exactly_the_limit_is_accepted(bot: BotContext) -> None:
    form = scorecard_form(bot.kits, evidence="e" * MAX_EVIDENCE)
    assert len(validate(bot.kits.stage("technical"), bot.kits.qualities, form).evidence) == 3000


# ----------------------------------------------------------------------------- submitting


async def test_submit_stores_the_card_its_ratings_and_an_audit_event(bot: BotContext) -> None:
    interview_id = await interview(bot)
    result = await submit(bot, ANA, interview_id, qualities={"systems_thinking": 4})
    assert (result.created, result.changed) == (True, True)
    assert (result.progress.submitted, result.progress.expected) == (1, 3)
    assert not result.progress.complete
    async with bot.sessions() as session:
        card = (await session.exec(select(Scorecard))).one()
        ratings = (await session.exec(select(ScorecardRating))).all()
        event = (await session.exec(select(AuditEvent))).one()
    assert (card.interviewer_id, card.overall, card.submitted_at) == (ANA, 3, START)
    assert len(ratings) == 5 + 3  # technical's competencies and the three qualities
    assert {(r.key, r.score) for r in ratings if r.kind == RatingKind.QUALITY} == {
        ("systems_thinking", 4),
        ("ml_infra_translation", None),
        ("production_mindset", None),
    }
    assert (event.actor_id, event.action) == (ANA, "scorecard_submitted")
    assert event.detail == {"interview_id": interview_id, "scorecard_id": card.id}


async def test_the_same_values_twice_store_one_card_and_change_nothing(bot: BotContext) -> None:
    interview_id = await interview(bot)
    await submit(bot, ANA, interview_id)
    again = await submit(bot, ANA, interview_id)
    assert (again.created, again.changed) == (False, False)
    assert await count(bot, Scorecard) == 1
    assert await count(bot, AuditEvent) == 1


async def test_a_double_click_racing_itself_stores_one_card(bot: BotContext) -> None:
    interview_id = await interview(bot)
    results = await asyncio.gather(*(submit(bot, ANA, interview_id) for _ in range(2)))
    assert sorted(result.created for result in results) == [False, True]
    assert await count(bot, Scorecard) == 1


async def test_an_edit_updates_the_card_in_place(bot: BotContext, clock: Any) -> None:
    interview_id = await interview(bot)
    first = await submit(bot, ANA, interview_id)
    clock.advance(timedelta(minutes=10))
    edit = await submit(bot, ANA, interview_id, score=2, evidence="Second thoughts.")
    assert (edit.created, edit.changed, edit.scorecard_id) == (False, True, first.scorecard_id)
    async with bot.sessions() as session:
        card = (await session.exec(select(Scorecard))).one()
        scores = {r.score for r in (await session.exec(select(ScorecardRating))).all()}
        actions = [e.action for e in (await session.exec(select(AuditEvent))).all()]
    assert (card.evidence, card.submitted_at, card.updated_at) == (
        "Second thoughts.",
        START,
        START + timedelta(minutes=10),
    )
    assert scores == {2, None}
    assert actions == ["scorecard_submitted", "scorecard_edited"]


async def _summary_due(bot: BotContext, interview_id: int) -> bool:
    async with transaction(bot.sessions) as session:
        return await summary_to_post(session, bot, interview_id) is not None


async def test_the_summary_is_due_once_when_the_last_expected_card_is_in(
    bot: BotContext,
) -> None:
    interview_id = await interview(bot, not_attended=[CAT])
    await submit(bot, ANA, interview_id)
    assert not await _summary_due(bot, interview_id)
    last = await submit(bot, BEN, interview_id)
    assert (last.progress.submitted, last.progress.expected) == (2, 2)
    assert await _summary_due(bot, interview_id)
    # Whoever asks next (a simultaneous last card, an edit) finds it claimed.
    assert not await _summary_due(bot, interview_id)
    await submit(bot, BEN, interview_id, score=4)
    assert not await _summary_due(bot, interview_id)
    # Whoever did not attend writes no card at all.
    with pytest.raises(Conflict, match="marked this interview as not attended"):
        await submit(bot, CAT, interview_id)


async def test_a_non_interviewer_is_refused_and_nothing_is_stored(bot: BotContext) -> None:
    interview_id = await interview(bot)
    with pytest.raises(PermissionDenied, match="Only the interviewers"):
        await submit(bot, "U0ZED", interview_id)
    async with bot.sessions() as session:
        with pytest.raises(PermissionDenied):
            await open_scorecard(session, bot, user_id="U0ZED", interview_id=interview_id)
    assert await count(bot, Scorecard) == 0
    assert await count(bot, AuditEvent) == 0


@pytest.mark.parametrize("user_id", [HIRING_MANAGER, "U0ADM"])
async def test_off_the_panel_the_hiring_manager_and_admins_write_no_card(
    make_harness: Any, user_id: str
) -> None:
    # A scorecard is evidence from the room: off the panel it would not count, so it is
    # refused with the way onto the panel rather than silently left out.
    bot = (await make_harness(hiring_admins=frozenset({"U0ADM"}))).bot
    interview_id = await interview(bot)
    with pytest.raises(PermissionDenied, match="add yourself to the panel"):
        await submit(bot, user_id, interview_id)
    assert await count(bot, Scorecard) == 0


async def test_a_cancelled_or_future_interview_takes_no_card(bot: BotContext) -> None:
    candidate_id = await add_candidate(bot)
    cancelled = await add_interview(bot, candidate_id, status=InterviewStatus.CANCELLED)
    future = await add_interview(bot, candidate_id, starts_at=START + timedelta(hours=1))
    with pytest.raises(Conflict, match="cancelled"):
        await submit(bot, ANA, cancelled)
    with pytest.raises(Conflict, match="not started yet"):
        await submit(bot, ANA, future)
    assert await count(bot, Scorecard) == 0


async def decide(bot: BotContext, candidate_id: int, outcome: Outcome, stage_key: str) -> None:
    async with transaction(bot.sessions) as session:
        session.add(
            Decision(
                candidate_id=candidate_id,
                stage_key=stage_key,
                outcome=outcome,
                reason="r",
                decided_by=HIRING_MANAGER,
                decided_at=START,
            )
        )


async def test_a_decision_closing_the_stage_makes_cards_read_only(bot: BotContext) -> None:
    candidate_id = await add_candidate(bot)
    interview_id = await add_interview(bot, candidate_id)
    await submit(bot, ANA, interview_id)
    await decide(bot, candidate_id, Outcome.HOLD, "technical")
    # A hold keeps the stage open.
    assert (await submit(bot, ANA, interview_id, score=4)).changed
    await decide(bot, candidate_id, Outcome.ADVANCE, "technical")
    async with bot.sessions() as session:
        draft = await open_scorecard(session, bot, user_id=ANA, interview_id=interview_id)
        assert draft.read_only
        assert draft.existing is not None and draft.existing.competencies["autoscaling"] == 4
        # Ben never submitted: his scorecard is still taken after the decision, as late.
        late = await open_scorecard(session, bot, user_id=BEN, interview_id=interview_id)
        assert (late.late, late.read_only, late.existing) == (True, False, None)
    with pytest.raises(Conflict, match="read-only"):
        await submit(bot, ANA, interview_id, score=1)
    result = await submit(bot, BEN, interview_id, score=2)
    assert (result.created, result.late) == (True, True)
    # A late scorecard is not edited after the decision either.
    with pytest.raises(Conflict, match="read-only"):
        await submit(bot, BEN, interview_id, score=1)
    async with bot.sessions() as session:
        scores = {r.score for r in (await session.exec(select(ScorecardRating))).all()}
        cards = {card.interviewer_id: card.late for card in (await session.exec(select(Scorecard)))}
    assert scores == {4, 2, None}
    assert cards == {ANA: False, BEN: True}


async def test_a_closed_candidate_takes_a_first_scorecard_as_late_only(bot: BotContext) -> None:
    candidate_id = await add_candidate(bot, status=CandidateStatus.WITHDRAWN)
    interview_id = await add_interview(bot, candidate_id)
    assert (await submit(bot, ANA, interview_id)).late
    with pytest.raises(Conflict, match="read-only"):
        await submit(bot, ANA, interview_id, score=4)


async def test_opening_shows_the_users_own_card_only(bot: BotContext) -> None:
    interview_id = await interview(bot)
    await submit(bot, ANA, interview_id, private_note="Ana's note")
    async with bot.sessions() as session:
        mine = await open_scorecard(session, bot, user_id=ANA, interview_id=interview_id)
        theirs = await open_scorecard(session, bot, user_id=BEN, interview_id=interview_id)
    assert mine.existing is not None and mine.existing.private_note == "Ana's note"
    assert not mine.read_only
    assert theirs.existing is None
