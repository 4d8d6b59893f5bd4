"""Decision service: outcomes open per status and stage, transitions, audit, guards."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import select

from bot.clock import FrozenClock
from bot.context import BotContext
from bot.decisions import (
    OUTCOME,
    REASON,
    DecisionResult,
    check_decision,
    open_decision,
    outcomes_for,
    record_decision,
    record_decision_once,
)
from bot.errors import Conflict, InvalidInput, PermissionDenied
from bot.kits import Kits
from bot.scorecards import submit_scorecard
from storage.db import transaction
from storage.models import AuditEvent, Candidate, CandidateStatus, Decision, Outcome
from tests.conftest import START
from tests.harness import HIRING_MANAGER
from tests.loop_rows import PANEL, add_candidate, add_interview, scorecard_form

# Its SQL can behave differently by dialect: it runs on PostgreSQL too.
pytestmark = pytest.mark.both_databases

ADMIN = "U0ADM"


def candidate(stage_key: str, status: CandidateStatus) -> Candidate:
    return Candidate(stage_key=stage_key, status=status)


@pytest.mark.parametrize(
    ("stage_key", "status", "outcomes"),
    [
        ("screening", "active", "advance offer hold reject withdrawn"),
        ("technical", "on_hold", "advance offer resume reject withdrawn"),
        ("system_design", "active", "offer hold reject withdrawn"),
        ("system_design", "offer", "hired withdrawn reject"),
        ("technical", "rejected", ""),
        ("system_design", "hired", ""),
    ],
)
def test_outcomes_open_to_a_candidate(
    kits: Kits, stage_key: str, status: str, outcomes: str
) -> None:
    found = outcomes_for(kits, candidate(stage_key, CandidateStatus(status)))
    assert " ".join(found) == outcomes


@pytest.mark.parametrize(
    ("outcome", "reason", "fields"),
    [
        (None, "Strong loop", {OUTCOME}),
        ("advance", None, {REASON}),
        ("advance", "   ", {REASON}),
        ("advance", "r" * 3001, {REASON}),
        ("hired", "Not open before an offer", {OUTCOME}),
        (None, "", {OUTCOME, REASON}),
    ],
)
def test_check_decision_errors(outcome: str | None, reason: str | None, fields: set[str]) -> None:
    outcomes = (Outcome.ADVANCE, Outcome.OFFER, Outcome.HOLD, Outcome.REJECT)
    with pytest.raises(InvalidInput) as caught:
        check_decision(outcomes, outcome, reason)
    assert set(caught.value.fields) == fields


def test_check_decision_strips_the_reason() -> None:
    assert check_decision((Outcome.HOLD,), "hold", "  wait  ") == (Outcome.HOLD, "wait")


async def decide(
    bot: BotContext,
    candidate_id: int,
    outcome: str,
    *,
    actor_id: str = HIRING_MANAGER,
    reason: str = "Consistent evidence across the panel.",
    view_id: str | None = None,
    seen: tuple[str, str] | None = None,
) -> DecisionResult:
    async with transaction(bot.sessions) as session:
        current = await session.get(Candidate, candidate_id)
        assert current is not None
        stage_key, status = seen or (current.stage_key, current.status)
        return await record_decision(
            session,
            bot,
            actor_id=actor_id,
            candidate_id=candidate_id,
            outcome=outcome,
            reason=reason,
            seen_stage_key=stage_key,
            seen_status=status,
            view_id=view_id,
        )


async def reload(bot: BotContext, candidate_id: int) -> Candidate:
    async with bot.sessions() as session:
        found = await session.get(Candidate, candidate_id)
        assert found is not None
        return found


async def test_advance_moves_to_the_next_stage_and_is_audited(
    bot: BotContext, clock: FrozenClock
) -> None:
    candidate_id = await add_candidate(bot, stage_key="screening")
    clock.advance(timedelta(days=2))
    result = await decide(bot, candidate_id, "advance", view_id="V1")
    assert result.created and not result.closed
    assert (result.stage.key, result.next_stage and result.next_stage.key) == (
        "screening",
        "technical",
    )
    stored = await reload(bot, candidate_id)
    assert (stored.stage_key, stored.status, stored.stage_entered_at) == (
        "technical",
        CandidateStatus.ACTIVE,
        START + timedelta(days=2),
    )
    async with bot.sessions() as session:
        decision = (await session.exec(select(Decision))).one()
        event = (await session.exec(select(AuditEvent))).one()
    assert (decision.outcome, decision.stage_key, decision.decided_by) == (
        "advance",
        "screening",
        HIRING_MANAGER,
    )
    assert decision.reason == "Consistent evidence across the panel."
    assert (event.actor_id, event.action, event.at) == (
        HIRING_MANAGER,
        "decision_recorded",
        START + timedelta(days=2),
    )
    assert event.detail == {
        "decision_id": decision.id,
        "outcome": "advance",
        "stage_key": "screening",
        "next_stage_key": "technical",
        # No interview at this stage: nothing missing, no panel to decide against.
        "scorecards_in": 0,
        "scorecards_expected": 0,
        "scorecards_missing": [],
        "against_panel": False,
        "justification": None,
    }


async def test_reject_closes_the_candidate(bot: BotContext) -> None:
    candidate_id = await add_candidate(bot)
    result = await decide(bot, candidate_id, "reject")
    assert result.closed and result.next_stage is None
    stored = await reload(bot, candidate_id)
    assert (stored.status, stored.closed_at, stored.stage_key) == ("rejected", START, "technical")


async def test_offer_then_hired_closes(bot: BotContext) -> None:
    candidate_id = await add_candidate(bot, stage_key="system_design")
    assert not (await decide(bot, candidate_id, "offer")).closed
    assert (await reload(bot, candidate_id)).status == CandidateStatus.OFFER
    assert (await decide(bot, candidate_id, "hired")).closed
    stored = await reload(bot, candidate_id)
    assert (stored.status, stored.closed_at) == (CandidateStatus.HIRED, START)
    with pytest.raises(Conflict, match="closed"):
        await decide(bot, candidate_id, "withdrawn")


async def test_hold_and_resume_keep_the_stage(bot: BotContext) -> None:
    candidate_id = await add_candidate(bot)
    await decide(bot, candidate_id, "hold")
    stored = await reload(bot, candidate_id)
    assert (stored.stage_key, stored.status, stored.closed_at) == ("technical", "on_hold", None)
    await decide(bot, candidate_id, "resume")
    stored = await reload(bot, candidate_id)
    assert (stored.stage_key, stored.status, stored.closed_at) == ("technical", "active", None)


async def test_advance_is_not_open_at_the_last_stage(bot: BotContext) -> None:
    candidate_id = await add_candidate(bot, stage_key="system_design")
    with pytest.raises(InvalidInput) as caught:
        await decide(bot, candidate_id, "advance")
    assert list(caught.value.fields) == [OUTCOME]
    assert (await reload(bot, candidate_id)).stage_key == "system_design"


async def test_only_the_hiring_manager_and_admins_decide(make_harness: Any) -> None:
    bot = (await make_harness(hiring_admins=frozenset({ADMIN}))).bot
    candidate_id = await add_candidate(bot)
    for user_id in (PANEL[0], "U0ZED"):
        with pytest.raises(PermissionDenied, match="hiring manager"):
            await decide(bot, candidate_id, "reject", actor_id=user_id)
        async with bot.sessions() as session:
            with pytest.raises(PermissionDenied):
                await open_decision(session, bot, user_id=user_id, candidate_id=candidate_id)
    assert (await reload(bot, candidate_id)).status == CandidateStatus.ACTIVE
    assert (await decide(bot, candidate_id, "hold", actor_id=ADMIN)).created


async def test_a_form_opened_before_another_decision_is_refused(bot: BotContext) -> None:
    candidate_id = await add_candidate(bot, stage_key="screening")
    await decide(bot, candidate_id, "advance")
    with pytest.raises(Conflict, match="since you opened"):
        await decide(bot, candidate_id, "reject", seen=("screening", "active"))
    assert (await reload(bot, candidate_id)).status == CandidateStatus.ACTIVE


async def test_the_same_form_submitted_twice_records_once(bot: BotContext) -> None:
    candidate_id = await add_candidate(bot, stage_key="screening")
    first = await decide(bot, candidate_id, "advance", view_id="V1")
    again = await decide(bot, candidate_id, "advance", view_id="V1", seen=("screening", "active"))
    assert not again.created
    assert again.decision.id == first.decision.id
    assert again.next_stage is not None and again.next_stage.key == "technical"
    async with bot.sessions() as session:
        assert len((await session.exec(select(Decision))).all()) == 1
    assert (await reload(bot, candidate_id)).stage_key == "technical"


async def test_the_form_lists_qualities_nobody_observed(bot: BotContext) -> None:
    candidate_id = await add_candidate(bot)
    interview_id = await add_interview(bot, candidate_id)
    form = scorecard_form(bot.kits, qualities={"production_mindset": 3})
    async with transaction(bot.sessions) as session:
        await submit_scorecard(session, bot, user_id=PANEL[0], interview_id=interview_id, form=form)
    async with bot.sessions() as session:
        draft = await open_decision(session, bot, user_id=HIRING_MANAGER, candidate_id=candidate_id)
    assert [q.id for q in draft.unobserved_qualities] == [
        "systems_thinking",
        "ml_infra_translation",
    ]
    assert draft.outcomes[0] == Outcome.ADVANCE
    assert draft.next_stage is not None and draft.next_stage.key == "system_design"


async def test_the_same_form_arriving_twice_at_once_records_once_and_answers_both(
    bot: BotContext,
) -> None:
    candidate_id = await add_candidate(bot, stage_key="screening")
    form = {
        "actor_id": HIRING_MANAGER,
        "candidate_id": candidate_id,
        "outcome": "advance",
        "reason": "Strong production ownership.",
        "seen_stage_key": "screening",
        "seen_status": "active",
        "view_id": "VTWICE",
    }
    results = await asyncio.gather(*(record_decision_once(bot, **form) for _ in range(2)))
    assert sorted(r.created for r in results) == [False, True]
    assert results[0].decision.id == results[1].decision.id
    async with bot.sessions() as session:
        assert len((await session.exec(select(Decision))).all()) == 1
    assert (await reload(bot, candidate_id)).stage_key == "technical"
