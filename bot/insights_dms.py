"""The periodic insights DMs: weekly, the team's insights to each hiring manager and
admin; monthly, to each interviewer with ``MIN_SCORECARDS`` scorecards, their own.

The job runs at the digest's time on working days and once at start-up; each DM of a
period goes to each person once, across restarts and replicas, as the digest does: a row
of ``insights_run`` per (period, recipient) is claimed before sending and marked sent
after (released when the DM failed, so that the next run tries again). A run after a
restart catches up on a week or month the bot was down for.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from bot.context import BotContext
from bot.insights import MIN_SCORECARDS, own_from, period_keys, team_insights
from bot.notifier import Notifier, SendResult
from storage import insights as queries
from storage.db import transaction

logger = logging.getLogger(__name__)

# A claim older than this is a replica that died while sending: another may send.
CLAIM_STALE_AFTER = timedelta(minutes=10)


@dataclass
class InsightsReport:
    sent: int = 0
    failed: int = 0
    # The hiring managers no longer on the hiring team: the team's insights are not theirs.
    skipped: int = 0


async def run_insights_dms(bot: BotContext, notifier: Notifier) -> InsightsReport:
    report = InsightsReport()
    settings = bot.settings
    local = bot.clock.now().astimezone(settings.timezone)
    if local.weekday() not in settings.working_days or local.time() < settings.digest_time:
        return report
    week, month = period_keys(local)
    async with bot.sessions() as session:
        managers = set(await queries.managers(session)) | set(settings.hiring_admins)
        weekly = await queries.unsent(session, week, sorted(managers))
        counts = await queries.scorecard_counts(session, MIN_SCORECARDS)
        monthly = await queries.unsent(session, month, [who for who, _ in counts])
    if not weekly and not monthly:
        return report
    # One build serves every DM of the run: each person's own calibration is their slice
    # of the team's, computed with the same statements.
    team = await team_insights(bot)
    for recipient in weekly:
        if not await bot.team.includes(recipient, notifier):
            report.skipped += 1
            continue
        await _send_once(
            bot, week, recipient, report, partial(notifier.send_team_insights, recipient, team)
        )
    for recipient in monthly:
        own = own_from(team.calibrations, recipient, team.generated_at)
        await _send_once(bot, month, recipient, report, partial(notifier.send_own_insights, own))
    return report


async def _send_once(
    bot: BotContext,
    period: str,
    recipient: str,
    report: InsightsReport,
    send: Callable[[], Awaitable[SendResult]],
) -> None:
    now = bot.clock.now()
    async with transaction(bot.sessions) as session:
        claimed = await queries.claim_run(
            session, period, recipient, now=now, stale_before=now - CLAIM_STALE_AFTER
        )
    if not claimed:
        return
    result = await send()
    async with transaction(bot.sessions) as session:
        if result.ok:
            await queries.record_sent(session, period, recipient, now=bot.clock.now())
        else:
            await queries.release_run(session, period, recipient)
    if result.ok:
        report.sent += 1
    else:
        report.failed += 1
        logger.warning("insights of %s to %s not sent: %s", period, recipient, result.error)
