"""The App Home tab: each person's desk (bot.home), built from parts.

Each part is a function of the ``HomeSummary`` that returns its blocks (none when it has
nothing to say); ``PARTS`` is their order. A new part (a calendar's, say) is one more
function in that list. Lines with a button are a section each; the view keeps to Slack's
100 blocks for any pipeline size because every list is cut (``bot.home.SHOWN``) and says
how many more there are. The manager's and admin's parts are for the hiring team: someone
outside it sees only their own work.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import aiohttp
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.calendars import connection_of
from bot.context import BotContext
from bot.digest import Section, StageCount, Timeliness
from bot.hiring_team import team_only_text
from bot.home import (
    HomeDebrief,
    HomeInterview,
    HomeSummary,
    Late,
    ManagerDesk,
    home_summary,
)
from bot.insights import MIN_SCORECARDS
from bot.outbox import Undelivered
from bot.slack_client import error_code
from handlers.block_kit import (
    MAX_VIEW_BLOCKS,
    Block,
    actions,
    button,
    context,
    divider,
    header,
    packed_sections,
    section,
)
from handlers.calendar_blocks import calendar_section
from handlers.help_blocks import help_blocks
from handlers.ids import Action
from handlers.insights_blocks import (
    competency_table,
    interviewer_lines,
    lean_text,
    recommendation_text,
)
from handlers.kit_blocks import salary_text
from handlers.mrkdwn import date_token, escape, link
from handlers.nudge_value import nudge_value
from handlers.refs import Ref, ref
from handlers.team_access import in_team
from handlers.undelivered_reasons import problem
from storage.digest import CandidateRow
from storage.models import Candidate

INTRO = (
    "I run the interview loop for hiring MLOps engineers: one thread per candidate in "
    "{channel}, interview kits by DM, independent scorecards, debrief summaries, decisions "
    "on the record, reminders that respect working hours, and a daily digest."
)
Part = Callable[[HomeSummary], list[Block]]

logger = logging.getLogger(__name__)


def _name(candidate: Candidate | CandidateRow) -> str:
    who = candidate.name
    return link(candidate.permalink, who) if candidate.permalink else escape(who)


def _with_button(text: str, accessory: dict[str, Any]) -> Block:
    return section(text) | {"accessory": accessory}


def _more(listed: Section[Any]) -> list[Block]:
    return [context(f"_and {listed.more} more_")] if listed.more else []


def _interview_line(item: HomeInterview) -> str:
    stage = item.stage.short_title if item.stage else item.interview.stage_key
    return (
        f"{date_token(item.interview.starts_at)}: *{escape(stage)}* interview with "
        f"{_name(item.candidate)}"
    )


def _percent(figure: Timeliness) -> str:
    return f"{figure.percent}% in on time ({figure.on_time} of {figure.owed})"


# ----------------------------------------------------------------- everyone


def upcoming_part(summary: HomeSummary) -> list[Block]:
    blocks = [section("*Your next interviews*")]
    if not summary.upcoming:
        return [*blocks, context("No interviews coming up.")]
    for item in summary.upcoming.items:
        value = ref(Ref.INTERVIEW, item.interview.id or 0)
        # Notes are taken during the interview: the kit and the notes side by side.
        blocks += [
            section(_interview_line(item)),
            actions(
                button("Open kit", Action.OPEN_KIT, value),
                button("Take notes", Action.TAKE_NOTES, value),
            ),
        ]
    return blocks + _more(summary.upcoming)


def owed_part(summary: HomeSummary) -> list[Block]:
    blocks = [section("*Scorecards you owe*")]
    if not summary.owed:
        return [*blocks, context("None: you are up to date.")]
    for item in summary.owed.items:
        value = ref(Ref.INTERVIEW, item.interview.id or 0)
        submit = button("Submit scorecard", Action.SUBMIT_SCORECARD, value, style="primary")
        blocks.append(_with_button(_interview_line(item), submit))
    return blocks + _more(summary.owed)


def debriefs_part(summary: HomeSummary) -> list[Block]:
    if not summary.debriefs:
        return []
    blocks = [section("*Your debriefs*")]
    for item in summary.debriefs.items:
        blocks.append(_with_button(_debrief_line(item), _pack_button(item)))
    return blocks + _more(summary.debriefs)


def _debrief_line(item: HomeDebrief) -> str:
    return (
        f"{date_token(item.debrief.starts_at)}: *{escape(item.stage_title)}* debrief for "
        f"{_name(item.candidate)}"
    )


def _pack_button(item: HomeDebrief) -> dict[str, Any]:
    return button("Open pack", Action.OPEN_PACK, ref(Ref.DEBRIEF, item.debrief.id or 0))


def own_figure_part(summary: HomeSummary) -> list[Block]:
    if summary.timeliness is None:
        return []
    return [
        context(
            f"Your scorecards, last 30 days: {_percent(summary.timeliness)}. Only you see this."
        )
    ]


def own_calibration_part(summary: HomeSummary) -> list[Block]:
    """The reader's own calibration, once they have scorecards: only they see it."""
    own = summary.calibration
    if own is None:
        return []
    if own.calibration is None:
        return [
            context(
                f"Your calibration against your panels starts at {MIN_SCORECARDS} scorecards; "
                f"you have {own.scorecards}."
            )
        ]
    calibration = own.calibration
    return [
        section(
            f"*Your calibration*: you {lean_text(calibration, own=True)}. "
            f"{recommendation_text(calibration).capitalize()}."
        ),
        section(competency_table(calibration, own=True)),
        context("Only you see this: your ratings against the rest of your panels."),
    ]


# ----------------------------------------------------------------- hiring managers


def manager_part(summary: HomeSummary) -> list[Block]:
    desk = summary.manager
    if desk is None:
        return []
    blocks = [divider(), header("Waiting on you")]
    blocks += _candidate_list(
        "Decisions to record",
        desk.waiting,
        lambda w: (
            f"{_name(w.candidate)} · {escape(w.stage_title)} · ready since {date_token(w.since)}"
            + _benchmark(desk, w.candidate.id)
        ),
        lambda w: button(
            "Record decision",
            Action.RECORD_DECISION,
            ref(Ref.CANDIDATE, w.candidate.id),
            style="primary",
        ),
    )
    blocks += _candidate_list(
        "Debriefs to schedule",
        desk.debrief_to_schedule,
        lambda w: f"{_name(w.candidate)} · {escape(w.stage_title)} · every scorecard in",
        lambda w: button(
            "Schedule debrief", Action.SCHEDULE_DEBRIEF, ref(Ref.CANDIDATE, w.candidate.id)
        ),
    )
    blocks += _late(desk.late)
    blocks.append(section("*Your candidates by stage*"))
    blocks += _stages(desk.stages) or [context("No open candidates.")]
    return blocks


def _benchmark(desk: ManagerDesk, candidate_id: int) -> str:
    """The candidate's salary benchmark, for the hiring manager deciding on them."""
    placed = desk.placements.get(candidate_id)
    band = salary_text(desk.salary, *placed) if desk.salary and placed else None
    return f" · benchmark {band}" if band else ""


def _candidate_list(
    title: str,
    listed: Section[Any],
    line: Callable[[Any], str],
    action: Callable[[Any], dict[str, Any]],
) -> list[Block]:
    if not listed:
        return []
    return [
        section(f"*{title}*"),
        *(_with_button(line(i), action(i)) for i in listed.items),
        *_more(listed),
    ]


def _late(listed: Section[Late]) -> list[Block]:
    if not listed:
        return []
    blocks = [section("*Late scorecards*")]
    for late in listed.items:
        text = (
            f"<@{late.interviewer_id}> · {_name(late.candidate)} · {escape(late.stage_title)}, "
            f"due {date_token(late.due_at)}"
        )
        if late.nudged_today:
            blocks.append(section(f"{text} · _nudged today_"))
        else:
            value = nudge_value(late.interview_id, late.interviewer_id)
            blocks.append(_with_button(text, button("Nudge", Action.NUDGE, value)))
    return blocks + _more(listed)


def _stages(stages: Sequence[StageCount]) -> list[Block]:
    lines: list[str] = []
    for stage in stages:
        names = ", ".join(_name(line.candidate) for line in stage.listed)
        more = f" and {stage.more} more" if stage.more else ""
        lines.append(
            f"*{escape(stage.title)}* · {stage.total}" + (f": {names}{more}" if names else "")
        )
    return packed_sections(lines)


def team_figures_part(summary: HomeSummary) -> list[Block]:
    """Each interviewer's on-time figure: for hiring managers and admins, never a channel."""
    listed = summary.team_timeliness
    if not listed:
        return []
    lines = ["*Scorecards on time, last 30 days, by interviewer* (least on time first)"]
    lines += [f"• <@{t.interviewer_id}>: {_percent(t)}" for t in listed.items]
    if listed.more:
        lines.append(f"_and {listed.more} more_")
    return packed_sections(lines)


def team_calibration_part(summary: HomeSummary) -> list[Block]:
    """Everyone's calibration, for hiring managers and admins; never a channel."""
    found = summary.team_calibration
    if not found:
        return []
    lines = ["*Interviewer calibration* (most leaning first)", *interviewer_lines(found)]
    return [
        *packed_sections(lines),
        context("Charts, the funnel and the questions: `/mlops-candidate insights`."),
    ]


# ----------------------------------------------------------------- admins


def _channel(summary: HomeSummary) -> str:
    return f"<#{summary.hiring_channel_id}>" if summary.hiring_channel_id else "the channel"


def admin_part(summary: HomeSummary) -> list[Block]:
    desk = summary.admin
    if desk is None:
        return []
    blocks = [divider(), header("Admin")]
    blocks.append(section("*The team's pipeline*"))
    blocks += _stages(desk.stages) or [context("No open candidates.")]
    blocks += _undelivered(desk.undelivered)
    lines = ["*Configuration*"]
    lines += [
        f"• {n} open candidate{'' if n == 1 else 's'} in stage `{escape(key)}`, which no kit "
        "in `PROMPTS_DIR` defines: restore its file or record a decision for them."
        for key, n in desk.orphan_stages
    ]
    if desk.unposted:
        names = ", ".join(escape(c.name) for c in desk.unposted)
        lines.append(
            f"• Cards not in {_channel(summary)} yet: {names}. I keep trying; check that I am "
            "a member of the channel and that `HIRING_CHANNEL_ID` names it."
        )
    if len(lines) == 1:
        lines.append("No problems found.")
    return blocks + packed_sections(lines)


def _undelivered(listed: Section[Undelivered]) -> list[Block]:
    lines = ["*Messages that could not be delivered, last 7 days*"]
    if not listed:
        lines.append("None.")
    for failed in listed.items:
        words = problem(failed.error)
        times = "once" if failed.count == 1 else f"{failed.count} times"
        lines.append(
            f"• To <@{failed.recipient_id}> ({times}, last {date_token(failed.latest)}): "
            f"{words.what} {words.todo}"
        )
    if listed.more:
        lines.append(f"_and {listed.more} more_")
    return packed_sections(lines)


# What someone outside the hiring team sees: their own work only.
OWN_PARTS: tuple[Part, ...] = (
    upcoming_part,
    owed_part,
    debriefs_part,
    own_figure_part,
    own_calibration_part,
)
PARTS: tuple[Part, ...] = (
    *OWN_PARTS,
    manager_part,
    team_figures_part,
    team_calibration_part,
    admin_part,
)


def home_view(
    hiring_channel_id: str,
    usages: Sequence[tuple[str, str]],
    summary: HomeSummary,
    *,
    member: bool = True,
    admins: frozenset[str] = frozenset(),
    calendar: Sequence[dict[str, Any]] = (),
) -> dict[str, Any]:
    """``member`` False: the user is outside the hiring team and sees only their own work."""
    intro = INTRO.format(channel=f"<#{hiring_channel_id}>")
    desk = [block for part in (PARTS if member else OWN_PARTS) for block in part(summary)]
    if not member:
        desk.append(context(team_only_text(hiring_channel_id, admins)))
    tail = [*calendar, divider(), *help_blocks(usages)]
    head = [header("MLOps hiring"), section(intro)]
    # Every part is cut already; this only guards the limit should parts grow.
    room = MAX_VIEW_BLOCKS - len(head) - len(tail)
    if len(desk) > room:
        desk = [*desk[: room - 1], context("_More than fits here: see the digest in the channel._")]
    return {"type": "home", "blocks": [*head, *desk, *tail]}


async def refresh_home(
    client: AsyncWebClient, bot: BotContext, user_id: str, calendar_note: str | None = None
) -> None:
    """Publish the user's Home tab as it is now (``calendar_note``: what a calendar change
    just found, shown in the calendar section)."""
    # Imported here: the subcommands' module imports the listeners that refresh homes.
    from handlers.commands import usages

    member = await in_team(bot, client, user_id)
    summary = await home_summary(bot, user_id)
    calendar = calendar_section(await connection_of(bot, user_id), calendar_note)
    view = home_view(
        bot.settings.hiring_channel_id,
        usages(in_team=member),
        summary,
        member=member,
        admins=bot.settings.hiring_admins,
        calendar=calendar,
    )
    await client.views_publish(user_id=user_id, view=view)


# The publisher holds back while requests keep arriving (a burst's answers come first), but
# never longer than this: then the tabs of that burst so far go out.
QUIET_SECONDS = 0.25
LONGEST_HOLD_SECONDS = 5.0
# While requests keep arriving, tabs take at most this share of the event loop: a tab costs
# about what a scorecard does (20-60 ms of CPU, a hiring manager's 230 ms: its desk's
# queries), a submission touches two, and a burst's answers come first. The tabs of a burst
# catch up once it is over.
BUSY_SHARE = 0.05


class HomePublisher:
    """Republishes the Home tabs that committed changes touched (``bot.home_changes``):
    everyone waiting once per round, after the requests of the moment are answered. A
    failure is logged, not shown: the user's action has succeeded, and the tab is rebuilt
    whenever it is opened."""

    def __init__(
        self,
        bot: BotContext,
        client: AsyncWebClient,
        *,
        quiet: float = QUIET_SECONDS,
        longest: float = LONGEST_HOLD_SECONDS,
        pause: Callable[[float], Awaitable[None]] = asyncio.sleep,
        timer: Callable[[], float] = time.monotonic,
    ) -> None:
        self._bot = bot
        self._client = client
        self._quiet = quiet
        self._longest = longest
        self._pause = pause
        self._timer = timer

    async def run(self, stop: asyncio.Event) -> None:
        """Publish whenever changes are waiting, until ``stop``; then what is left."""
        changes = self._bot.home_changes
        while not stop.is_set():
            waits = [asyncio.ensure_future(w) for w in (changes.ready.wait(), stop.wait())]
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
            for waiting in waits:
                waiting.cancel()
            held = 0.0
            while held < self._longest and (gap := self._quiet - changes.quiet_for()) > 0:
                try:
                    await asyncio.wait_for(stop.wait(), gap)
                    break
                except TimeoutError:
                    held += gap
            # At shutdown what is left goes out at once.
            await self.publish(paced=not stop.is_set())

    async def publish(self, *, paced: bool = False) -> None:
        """Everyone waiting, one after the other on the connections already open. ``paced``
        (the background loop): while requests keep arriving, each tab is followed by a
        pause that keeps the tabs to ``BUSY_SHARE`` of the loop."""
        changes = self._bot.home_changes
        for user_id in changes.take():
            started = self._timer()
            await publish_home(self._client, self._bot, user_id)
            if paced and changes.quiet_for() < self._quiet:
                await self._pause((self._timer() - started) * (1 / BUSY_SHARE - 1))


async def publish_home(client: AsyncWebClient, bot: BotContext, user_id: str) -> bool:
    """``refresh_home`` after a change that is already committed: False, and logged, when
    Slack refuses or cannot be reached, never an error for the user's action."""
    try:
        await refresh_home(client, bot, user_id)
    except SlackApiError as error:
        logger.warning("App Home of %s not refreshed: %s", user_id, error_code(error))
        return False
    except (TimeoutError, aiohttp.ClientError) as error:
        logger.warning("App Home of %s not refreshed: %s", user_id, type(error).__name__)
        return False
    return True


async def on_home_opened(
    event: dict[str, Any],
    client: AsyncWebClient,
    bot: BotContext,
) -> None:
    # The Messages tab opening is the same event; only the Home tab has a view to publish.
    if event.get("tab") != "home":
        return
    await refresh_home(client, bot, event["user"])


def register(app: AsyncApp) -> None:
    app.event("app_home_opened")(on_home_opened)
