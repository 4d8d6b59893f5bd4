"""What changing an interview and changing a debrief have in common, piece by piece:
storing a submitted modal's new row once, who a new list of people adds, keeps and
removes, and the audit entry of the change. Each service keeps its own rules and steps
(``bot.interviews``, ``bot.debriefs``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.audit import record_event
from storage.models import Debrief, Interview

Person = TypeVar("Person")


@dataclass(frozen=True)
class PeopleChange(Generic[Person]):
    """The people of a meeting before a change and as wanted after it."""

    added: tuple[str, ...]  # user ids, in the wanted order
    kept: tuple[Person, ...]  # in the wanted order
    removed: tuple[Person, ...]  # in the order they were

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed)


def people_change(
    before: Sequence[Person], wanted: Sequence[str], user_of: Callable[[Person], str]
) -> PeopleChange[Person]:
    """Who ``wanted`` (user ids) adds to ``before``, keeps and removes; ``user_of`` reads
    a person's user id (the people are seats with their DMs, or plain user ids)."""
    by_user = {user_of(person): person for person in before}
    return PeopleChange(
        added=tuple(user_id for user_id in wanted if user_id not in by_user),
        kept=tuple(by_user[user_id] for user_id in wanted if user_id in by_user),
        removed=tuple(person for person in before if user_of(person) not in wanted),
    )


async def insert_once(
    session: AsyncSession, meeting: Interview | Debrief, already: Callable[[], Exception]
) -> None:
    """Store a meeting a modal created. Its view id is unique: the caller has looked for
    the view's meeting first, and when the same view is submitted twice at once the other
    request stores it between that look and this insert: ``already()`` is raised."""
    session.add(meeting)
    try:
        await session.flush()
    except IntegrityError as error:
        raise already() from error


async def record_change(
    session: AsyncSession, action: str, meeting: Interview | Debrief, actor_id: str, at: datetime
) -> None:
    """The audit entry of a meeting's change."""
    key = "interview_id" if isinstance(meeting, Interview) else "debrief_id"
    # Ids and the stage only: the audit trail holds no personal data of its own.
    await record_event(
        session,
        actor_id=actor_id,
        candidate_id=meeting.candidate_id,
        action=action,
        detail={key: meeting.id, "stage": meeting.stage_key},
        at=at,
    )
