"""A claim takes at most one batch of due reminders, on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import select

from bot.clock import FrozenClock
from bot.reminder_rules import ReminderKind
from storage import reminders as store
from storage.db import transaction
from storage.models import Reminder, ReminderStatus, row_id
from tests import seed
from tests.harness import Harness

# Its SQL can behave differently by dialect: it runs on PostgreSQL too.
pytestmark = pytest.mark.both_databases


async def test_a_claim_takes_at_most_its_limit_and_the_next_claim_the_next_ones(
    harness: Harness, clock: FrozenClock
) -> None:
    now = clock.now()
    async with transaction(harness.bot.sessions) as session:
        session.add_all(
            Reminder(
                kind="scorecard_nudge",
                recipient_id=f"U0R{index:04d}",
                due_at=now - timedelta(minutes=1),
                dedupe_key=f"nudge:{index}",
                created_at=now,
            )
            for index in range(50)
        )
    claims = []
    for token in ("first", "second", "third"):
        async with transaction(harness.bot.sessions) as session:
            claimed = await store.claim_due(
                session, now=now, lease_until=now + timedelta(minutes=1), token=token, limit=20
            )
        claims.append([reminder.recipient_id for reminder in claimed])
    assert [len(claim) for claim in claims] == [20, 20, 10]
    # Oldest first, and no reminder in two claims.
    in_order = [recipient for claim in claims for recipient in claim]
    assert in_order == [f"U0R{index:04d}" for index in range(50)]


async def test_a_cancel_takes_exactly_the_open_reminders_every_filter_given_names(
    harness: Harness, clock: FrozenClock
) -> None:
    """Each filter combination the planners use, on the same rows: only open reminders
    matching every filter given are cancelled, and the count says how many."""
    candidate = await seed.add_candidate(harness.bot, fake=harness.fake, stage="technical")
    candidate_id = row_id(candidate)
    first, second = [await seed.add_interview_id(harness.bot, candidate_id) for _ in range(2)]
    now = clock.now()
    planned = {
        # key: (interview, recipient, kind, status)
        "a": (first, "U0ANA", ReminderKind.SCORECARD_NUDGE, ReminderStatus.PENDING),
        "b": (first, "U0ANA", ReminderKind.SCORECARD_DUE, ReminderStatus.CLAIMED),
        "c": (first, "U0ANA", ReminderKind.SCORECARD_DUE, ReminderStatus.SENT),
        "d": (first, "U0BEN", ReminderKind.SCORECARD_NUDGE, ReminderStatus.PENDING),
        "e": (first, "U0HM", ReminderKind.ESCALATION, ReminderStatus.PENDING),
        "f": (second, "U0ANA", ReminderKind.SCORECARD_NUDGE, ReminderStatus.PENDING),
        "g": (second, "U0HM", ReminderKind.ESCALATION, ReminderStatus.PENDING),
    }
    async with transaction(harness.bot.sessions) as session:
        session.add_all(
            Reminder(
                kind=kind,
                recipient_id=recipient,
                candidate_id=candidate_id,
                interview_id=interview,
                status=status,
                due_at=now,
                dedupe_key=key,
                created_at=now,
            )
            for key, (interview, recipient, kind, status) in planned.items()
        )

    async def cancel(**filters: Any) -> tuple[int, set[str]]:
        async with transaction(harness.bot.sessions) as session:
            count = await store.cancel(session, **filters)
            rows = await session.exec(
                select(Reminder.dedupe_key).where(Reminder.status == ReminderStatus.CANCELLED)
            )
            return count, set(rows)

    nudges = [ReminderKind.SCORECARD_NUDGE, ReminderKind.SCORECARD_DUE]
    assert await cancel(interview_id=first, kinds=[]) == (0, set())
    assert await cancel(interview_id=first, recipient_id="U0ANA", kinds=nudges) == (2, {"a", "b"})
    assert await cancel(interview_id=first, kinds=[ReminderKind.ESCALATION]) == (
        1,
        {"a", "b", "e"},
    )
    assert await cancel(candidate_id=candidate_id, keep_keys=["g"]) == (
        2,
        {"a", "b", "d", "e", "f"},
    )
    assert await cancel(interview_id=second) == (1, {"a", "b", "d", "e", "f", "g"})
