"""Queries on interviewers' notes per question: their drafts, and the answers a submitted
scorecard keeps."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import upsert_insert
from storage.models import ScorecardAnswer, ScorecardDraft


async def draft_of(
    session: AsyncSession, interview_id: int, author_id: str
) -> dict[str, dict[str, Any]]:
    """The author's draft answers of the interview by question key ({} when none)."""
    draft = await session.get(ScorecardDraft, (interview_id, author_id))
    return dict(draft.answers) if draft is not None else {}


async def drafts_among(
    session: AsyncSession, author_id: str, interview_ids: Iterable[int]
) -> set[int]:
    """Which of ``interview_ids`` the author has a draft of."""
    ids = list(interview_ids)
    if not ids:
        return set()
    query = select(ScorecardDraft.interview_id).where(
        ScorecardDraft.author_id == author_id, col(ScorecardDraft.interview_id).in_(ids)
    )
    return set((await session.exec(query)).all())


async def save_draft(
    session: AsyncSession,
    interview_id: int,
    author_id: str,
    answers: Mapping[str, dict[str, Any]],
    at: datetime,
) -> None:
    """Store the draft whole: two saves racing (Save and a close) leave the later one."""
    statement = (
        upsert_insert(session)(ScorecardDraft)
        .values(
            interview_id=interview_id, author_id=author_id, answers=dict(answers), updated_at=at
        )
        .on_conflict_do_update(
            index_elements=["interview_id", "author_id"],
            set_={"answers": dict(answers), "updated_at": at},
        )
    )
    await session.exec(statement)


async def answers_of(
    session: AsyncSession, scorecard_ids: Iterable[int]
) -> dict[int, list[ScorecardAnswer]]:
    """Each scorecard's answers per question (an id without any maps to [])."""
    ids = list(scorecard_ids)
    found: dict[int, list[ScorecardAnswer]] = {scorecard_id: [] for scorecard_id in ids}
    if not ids:
        return found
    query = (
        select(ScorecardAnswer)
        .where(col(ScorecardAnswer.scorecard_id).in_(ids))
        .order_by(col(ScorecardAnswer.scorecard_id), col(ScorecardAnswer.question_key))
    )
    for answer in (await session.exec(query)).all():
        found[answer.scorecard_id].append(answer)
    return found


async def replace_answers(
    session: AsyncSession, scorecard_id: int, answers: Sequence[ScorecardAnswer]
) -> None:
    await session.exec(
        delete(ScorecardAnswer).where(col(ScorecardAnswer.scorecard_id) == scorecard_id)
    )
    session.add_all(answers)
    await session.flush()
