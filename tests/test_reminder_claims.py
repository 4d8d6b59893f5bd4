"""A claim takes at most one batch of due reminders, on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.clock import FrozenClock
from storage import reminders as store
from storage.db import transaction
from storage.models import Reminder
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
