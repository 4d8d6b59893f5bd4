"""Independent feedback: the rule itself, and what each role reads from the database."""

from __future__ import annotations

from typing import Any

import pytest

from bot.context import BotContext
from bot.debrief_summary_reads import panel_complete
from bot.errors import PermissionDenied
from bot.feedback_access import (
    Reader,
    Seat,
    VisibleScorecards,
    may_read_note,
    may_view,
    visible_scorecards,
)
from bot.scorecards import submit_scorecard
from storage.db import transaction
from storage.models import Interview
from tests.harness import HIRING_MANAGER
from tests.loop_rows import PANEL, add_candidate, add_interview, scorecard_form

# Its SQL can behave differently by dialect: it runs on PostgreSQL too.
pytestmark = pytest.mark.both_databases

ANA, BEN, CAT = PANEL
ADMIN = "U0ADM"
OUTSIDER = "U0ZED"


def reader(**facts: Any) -> Reader:
    defaults: dict[str, Any] = dict(oversees=False, seat=Seat.NONE, has_submitted=False)
    return Reader(user_id=ANA, **(defaults | facts))


ON_PANEL = {"seat": Seat.ATTENDED}


@pytest.mark.parametrize(
    ("facts", "views"),
    [
        (ON_PANEL | {"owes": True}, False),
        (ON_PANEL | {"has_submitted": True}, True),
        ({"oversees": True}, True),
        # On a panel, the hiring manager and admins are interviewers first.
        (ON_PANEL | {"oversees": True, "owes": True}, False),
        (ON_PANEL | {"oversees": True, "has_submitted": True}, True),
        # A stage closed without their scorecard: nothing is owed any more.
        (ON_PANEL | {"oversees": True}, True),
        (ON_PANEL, False),
        ({}, False),
        # Someone taken off the panel after submitting reads nothing any more.
        ({"has_submitted": True}, False),
        # Marked as not attended: reads nothing of it.
        ({"seat": Seat.EXCUSED}, False),
        ({"seat": Seat.EXCUSED, "oversees": True}, True),
        # Owing a scorecard of the same candidate elsewhere closes every interview of theirs.
        ({"oversees": True, "owes_elsewhere": Interview(id=9)}, False),
        (ON_PANEL | {"has_submitted": True, "owes_elsewhere": Interview(id=9)}, False),
    ],
)
def test_may_view(facts: dict[str, Any], views: bool) -> None:
    assert may_view(reader(**facts)) is views


def test_private_notes_are_for_the_hiring_manager_admins_and_the_author() -> None:
    interviewer = reader(seat=Seat.ATTENDED, has_submitted=True)
    assert may_read_note(interviewer, ANA)
    assert not may_read_note(interviewer, BEN)
    assert may_read_note(reader(oversees=True), BEN)


@pytest.fixture
async def admin_bot(make_harness: Any) -> BotContext:
    return (await make_harness(hiring_admins=frozenset({ADMIN}))).bot


async def panel_with_two_cards(bot: BotContext) -> int:
    """Ana and Ben have submitted, each with a private note; Cat has not."""
    interview_id = await add_interview(bot, await add_candidate(bot))
    for user_id in (ANA, BEN):
        async with transaction(bot.sessions) as session:
            form = scorecard_form(bot.kits, private_note=f"note by {user_id}")
            await submit_scorecard(
                session, bot, user_id=user_id, interview_id=interview_id, form=form
            )
    return interview_id


async def read_as(bot: BotContext, user_id: str, interview_id: int) -> VisibleScorecards:
    async with transaction(bot.sessions) as session:
        return await visible_scorecards(session, bot, user_id=user_id, interview_id=interview_id)


def notes(visible: VisibleScorecards) -> dict[str, str | None]:
    return {card.interviewer_id: card.private_note for card in visible.scorecards}


async def test_an_interviewer_who_has_submitted_reads_all_cards_but_only_their_note(
    admin_bot: BotContext,
) -> None:
    interview_id = await panel_with_two_cards(admin_bot)
    visible = await read_as(admin_bot, ANA, interview_id)
    assert notes(visible) == {ANA: f"note by {ANA}", BEN: None}
    assert not visible.all_notes
    assert (visible.progress.submitted, visible.progress.expected) == (2, 3)


async def test_an_interviewer_who_has_not_submitted_reads_nothing(admin_bot: BotContext) -> None:
    interview_id = await panel_with_two_cards(admin_bot)
    with pytest.raises(PermissionDenied, match="Submit your own scorecard first"):
        await read_as(admin_bot, CAT, interview_id)


@pytest.mark.parametrize("user_id", [HIRING_MANAGER, ADMIN])
async def test_the_hiring_manager_and_admins_read_everything(
    admin_bot: BotContext, user_id: str
) -> None:
    interview_id = await panel_with_two_cards(admin_bot)
    visible = await read_as(admin_bot, user_id, interview_id)
    assert notes(visible) == {ANA: f"note by {ANA}", BEN: f"note by {BEN}"}
    assert visible.all_notes


async def test_anyone_else_reads_nothing(admin_bot: BotContext) -> None:
    interview_id = await panel_with_two_cards(admin_bot)
    with pytest.raises(PermissionDenied, match="Only the interviewers") as caught:
        await read_as(admin_bot, OUTSIDER, interview_id)
    assert f"<@{HIRING_MANAGER}>" in caught.value.message


async def test_an_interviewer_of_another_interview_reads_nothing(admin_bot: BotContext) -> None:
    interview_id = await panel_with_two_cards(admin_bot)
    candidate_id = (await read_as(admin_bot, HIRING_MANAGER, interview_id)).candidate.id
    assert candidate_id is not None
    other = await add_interview(admin_bot, candidate_id, panel=[OUTSIDER])
    async with transaction(admin_bot.sessions) as session:
        await submit_scorecard(
            session,
            admin_bot,
            user_id=OUTSIDER,
            interview_id=other,
            form=scorecard_form(admin_bot.kits),
        )
    with pytest.raises(PermissionDenied):
        await read_as(admin_bot, OUTSIDER, interview_id)


async def test_the_panel_is_complete_only_once_every_expected_card_is_in(
    admin_bot: BotContext,
) -> None:
    interview_id = await panel_with_two_cards(admin_bot)
    async with admin_bot.sessions() as session:
        assert await panel_complete(session, admin_bot, interview_id) is None
    async with transaction(admin_bot.sessions) as session:
        await submit_scorecard(
            session,
            admin_bot,
            user_id=CAT,
            interview_id=interview_id,
            form=scorecard_form(admin_bot.kits, qualities={"production_mindset": 4}),
        )
    async with admin_bot.sessions() as session:
        found = await panel_complete(session, admin_bot, interview_id)
    assert found is not None
    assert found.interview.id == interview_id
    assert found.interviewer_ids == (ANA, BEN, CAT)
    # The hiring manager's DM carries the summary: they are not on the panel.
    summary = found.for_hiring_manager.summary
    assert summary is not None and summary.interviewer_ids == (ANA, BEN, CAT)
    assert [q.id for q in summary.unobserved_qualities] == [
        "systems_thinking",
        "ml_infra_translation",
    ]
