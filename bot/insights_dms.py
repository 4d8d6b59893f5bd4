"""The periodic insights DMs: weekly, the team's insights to each hiring manager and
admin; monthly, to each interviewer with ``MIN_SCORECARDS`` scorecards, their own.

The job runs at the digest's time on working days and once at start-up; each DM of a
period goes to each person once, across restarts and replicas, as the digest does: a row
of ``insights_run`` per (period, recipient) is claimed, the DM queued in the outbox and
the row marked sent in one transaction: queued once, and delivered by the outbox, which
retries what Slack refuses for a while and shows what it refuses for good to the admins.
A run after a restart catches up on a week or month the bot was down for.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot.context import BotContext
from bot.insights import MIN_SCORECARDS, own_from, period_keys, team_insights
from bot.notifier import Notifier, Outgoing
from storage import insights as queries
from storage.db import transaction

# A claim older than this is a replica that died while sending: another may send.
CLAIM_STALE_AFTER = timedelta(minutes=10)


@dataclass
class InsightsReport:
    sent: int = 0
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
    # Drawn once, before any transaction, for every hiring manager and admin.
    team_dm: Outgoing | None = None
    for recipient in weekly:
        if not await bot.team.includes(recipient, notifier):
            report.skipped += 1
            continue
        if team_dm is None:
            team_dm = await notifier.team_insights_dm(team)
        await _queue_once(bot, week, recipient, report, team_dm)
    for recipient in monthly:
        own = own_from(team.calibrations, recipient, team.generated_at)
        await _queue_once(bot, month, recipient, report, await notifier.own_insights_dm(own))
    return report


async def _queue_once(
    bot: BotContext, period: str, recipient: str, report: InsightsReport, dm: Outgoing
) -> None:
    """The claim, the DM's rows and the mark commit together: queued once a period."""
    now = bot.clock.now()
    async with transaction(bot.sessions) as session:
        claimed = await queries.claim_run(
            session, period, recipient, now=now, stale_before=now - CLAIM_STALE_AFTER
        )
        if not claimed:
            return
        await dm.queue(session, bot, recipient)
        await queries.record_sent(session, period, recipient, now=now)
    report.sent += 1
