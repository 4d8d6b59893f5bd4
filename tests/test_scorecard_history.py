"""The scorecard history mechanism on its own: what a change is, and when one is kept."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from bot.context import BotContext
from bot.scorecard_history import FieldChange, RevisionKind, diff, record_read, record_revision
from bot.scorecards import submit_scorecard
from storage.db import transaction
from storage.models import Scorecard, ScorecardRevision
from tests.conftest import START
from tests.loop_rows import PANEL, add_candidate, add_interview, scorecard_form

# Its SQL can behave differently by dialect: it runs on PostgreSQL too.
pytestmark = pytest.mark.both_databases

ANA = PANEL[0]


def test_a_diff_lists_changed_fields_in_order_and_missing_ones_as_none() -> None:
    before = {"overall": 4, "competency:a": 4, "evidence": "."}
    after = {"overall": 2, "competency:a": 4, "evidence": "Real evidence.", "quality:b": None}
    assert diff(before, after) == (
        FieldChange("overall", 4, 2),
        FieldChange("evidence", ".", "Real evidence."),
    )
    assert diff(before, {**before, "quality:new": 3}) == (FieldChange("quality:new", None, 3),)
    assert diff(before, dict(before)) == ()


async def test_a_revision_is_kept_only_for_a_change_and_knows_about_reads(
    bot: BotContext,
) -> None:
    interview_id = await add_interview(bot, await add_candidate(bot))
    async with transaction(bot.sessions) as session:
        await submit_scorecard(
            session, bot, user_id=ANA, interview_id=interview_id, form=scorecard_form(bot.kits)
        )
        card = (await session.exec(select(Scorecard))).one()
        assert card.id is not None
        fields = {"overall": 3}
        keep = dict(
            scorecard_id=card.id,
            interview_id=interview_id,
            author_id=ANA,
            actor_id=ANA,
            kind=RevisionKind.EDIT,
        )
        assert await record_revision(session, before=fields, after=fields, at=START, **keep) is None
        first = await record_revision(
            session, before=fields, after={"overall": 4}, at=START, **keep
        )
        await record_read(session, interview_id, ANA, START + timedelta(minutes=5))
        # A read after an edit does not make that edit "after reading"; the next one is.
        second = await record_revision(
            session,
            before={"overall": 4},
            after={"overall": 1},
            at=START + timedelta(minutes=10),
            reason="Heard the others at the debrief.",
            **keep,
        )
    assert first is not None and not first.after_reading_others
    assert second is not None and second.after_reading_others
    assert second.reason == "Heard the others at the debrief."
    async with bot.sessions() as session:
        stored = (await session.exec(select(ScorecardRevision))).all()
    assert [(r.changes, r.after_reading_others) for r in stored] == [
        ([{"field": "overall", "before": 3, "after": 4}], False),
        ([{"field": "overall", "before": 4, "after": 1}], True),
    ]
