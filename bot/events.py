"""Slack's Events API delivers at least once: an event it did not see acknowledged within
3 s is sent again (``X-Slack-Retry-Num``), possibly to another replica. Each ``event_id``
is recorded on arrival and handled only the first time.

Recording on arrival makes handling at most once: a replica that dies while handling an
event does not get it redelivered. For the events the bot listens to (the Home tab
opening) a lost one costs nothing; a twice-handled one would post twice.
"""

from __future__ import annotations

from datetime import timedelta

from bot.context import BotContext
from storage import events
from storage.db import transaction

# Slack redelivers for a few minutes at most (three retries); a day is a wide margin.
KEEP_DELIVERIES = timedelta(days=1)


async def first_delivery(bot: BotContext, event_id: str) -> bool:
    """Record the event; True if no replica had received it before."""
    async with transaction(bot.sessions) as session:
        return await events.record_delivery(session, event_id, bot.clock.now())


async def forget_old_deliveries(bot: BotContext) -> int:
    """Delete records older than any redelivery; returns how many."""
    async with transaction(bot.sessions) as session:
        return await events.forget_deliveries_before(session, bot.clock.now() - KEEP_DELIVERIES)
