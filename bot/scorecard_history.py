"""Scorecard history: every change to a scorecard after its first submission, kept.

One small mechanism for every way a scorecard changes: its author saving the form again
(``RevisionKind.EDIT``), and any later kind (a rating changed at the debrief, with a
reason) adds a member and calls ``record_revision`` the same way. A revision says what
changed (each field's value before and after), when, by whom, why when a reason was asked
for, and whether the author had been shown the others' scorecards of the interview by
then. Every surface that shows others' scorecards calls ``record_read`` (through
``bot.feedback_access``), which is what makes that last fact known.

A scorecard is compared as flat fields (``"overall"``, ``"competency:k8s_serving"``,
``"evidence"`` …): what the fields are is ``bot.scorecards``' business, not this module's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from storage import scorecards as store
from storage.models import ScorecardRevision


class RevisionKind(StrEnum):
    EDIT = "edit"  # the author saved their scorecard's form again
    DEBRIEF = "debrief"  # the author changed ratings after the debrief, saying why


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: Any
    after: Any


@dataclass(frozen=True)
class Revision:
    changed_at: datetime
    changed_by: str
    kind: str
    reason: str | None
    after_reading_others: bool
    changes: tuple[FieldChange, ...]


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[FieldChange, ...]:
    """The fields whose value differs, in the order of ``before`` then new ones; a field
    missing on one side is None there."""
    fields = [*before, *(field for field in after if field not in before)]
    return tuple(
        FieldChange(field, before.get(field), after.get(field))
        for field in fields
        if before.get(field) != after.get(field)
    )


async def record_revision(
    session: AsyncSession,
    *,
    scorecard_id: int,
    interview_id: int,
    author_id: str,
    actor_id: str,
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    kind: RevisionKind,
    at: datetime,
    reason: str | None = None,
) -> Revision | None:
    """Keep the change from ``before`` to ``after``; None (and nothing kept) when nothing
    changed, such as a form submitted twice."""
    changes = diff(before, after)
    if not changes:
        return None
    read_at = await store.first_read_at(session, interview_id, author_id)
    row = ScorecardRevision(
        scorecard_id=scorecard_id,
        changed_at=at,
        changed_by=actor_id,
        kind=kind,
        reason=reason,
        after_reading_others=read_at is not None and read_at <= at,
        changes=[{"field": c.field, "before": c.before, "after": c.after} for c in changes],
    )
    await store.add_revision(session, row)
    return _revision(row)


async def revisions_of(
    session: AsyncSession, scorecard_ids: Iterable[int]
) -> dict[int, tuple[Revision, ...]]:
    """Each scorecard's revisions, oldest first."""
    found = await store.revisions_of(session, scorecard_ids)
    return {key: tuple(_revision(row) for row in rows) for key, rows in found.items()}


async def record_read(
    session: AsyncSession, interview_id: int, reader_id: str, at: datetime
) -> None:
    """``reader_id`` was shown others' scorecards of the interview (their content)."""
    await store.record_read(session, interview_id, reader_id, at)


def _revision(row: ScorecardRevision) -> Revision:
    return Revision(
        changed_at=row.changed_at,
        changed_by=row.changed_by,
        kind=row.kind,
        reason=row.reason,
        after_reading_others=row.after_reading_others,
        changes=tuple(
            FieldChange(str(c["field"]), c.get("before"), c.get("after")) for c in row.changes
        ),
    )
