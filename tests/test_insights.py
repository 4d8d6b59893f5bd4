"""Insights on a seeded history (tests/insights_seed.py): the lenient and the harsh
interviewer, the question everyone passes, the one that separates, the leaked one and the
stage where most candidates stop are each named in the texts and visible in the charts,
read back from the figures; an interviewer's DM holds nothing about anyone else; the
DMs go once per period; the statistics cost the same statements for any history."""

from __future__ import annotations

from datetime import timedelta

import pytest
from matplotlib.figure import Figure
from sqlmodel import col, select

from bot import outbox
from bot.charts import draw
from bot.clock import FrozenClock
from bot.home import home_summary
from bot.insight_charts import own_charts, team_charts
from bot.insight_stats import Metric, alpha_from_units, krippendorff_alpha, shrunk_offset
from bot.insights import (
    Lean,
    QuestionFlag,
    TeamInsights,
    own_insights,
    team_insights,
)
from bot.insights_dms import run_insights_dms
from bot.kits import Kits
from bot.slack_client import build_client
from handlers.home import own_calibration_part, team_calibration_part
from handlers.insights_blocks import own_insights_message, team_insights_message
from handlers.slack_notifier import SlackNotifier
from slackfake import Call, FakeSlack
from slackfake.blockkit import message_errors
from storage import insights as queries
from storage.models import InsightsRun, RatingKind, Scorecard, ScorecardRating
from tests.harness import HIRING_MANAGER, Harness
from tests.insights_seed import (
    EVERYONE_PASSES,
    FAIR_ONE,
    FAIR_TWO,
    HARSH,
    INTERVIEWERS,
    LEAKED,
    LENIENT,
    NAME_PREFIX,
    SEPARATES,
    seed_history,
)
from tests.test_charts import plotted_bars
from tests.test_digest import counted_statements

# Its SQL can behave differently by dialect: it runs on PostgreSQL too.
pytestmark = pytest.mark.both_databases

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
NAMES = {LENIENT: "Lena Lenient", HARSH: "Hugo Harsh", FAIR_ONE: "Fay Fair", FAIR_TWO: "Finn Fair"}


def tick_labels(figure: Figure) -> list[str]:
    [axes] = figure.axes
    return [tick.get_text() for tick in axes.get_xticklabels()]


@pytest.fixture
async def seeded(harness: Harness, kits: Kits) -> TeamInsights:
    for user_id, name in NAMES.items():
        harness.fake.add_user(user_id, real_name=name)
    await seed_history(harness.bot, kits)
    return await team_insights(harness.bot)


def sent_to(fake: FakeSlack, user_id: str) -> list[Call]:
    """Every message and file the bot sent into ``user_id``'s DM."""
    posted = [
        c for c in fake.calls_to("chat.postMessage") if fake.dm_user(c.args["channel"]) == user_id
    ]
    files = [
        c
        for c in fake.calls_to("files.completeUploadExternal")
        if fake.dm_user(c.args["channel_id"]) == user_id
    ]
    return posted + files


def uploads(fake: FakeSlack) -> list[Call]:
    return fake.calls_to("files.getUploadURLExternal")


# ----------------------------------------------------------------- what it finds


async def test_every_seeded_finding_is_named_in_the_text(seeded: TeamInsights) -> None:
    insights = seeded
    stop = insights.stop_stage
    assert stop is not None and stop.stage_key == "technical"
    assert stop.stopped * 2 > stop.decided
    # Interview two days in, decision a day after it; a day more at each later stage.
    assert [s.median_days for s in insights.funnel] == [3.0, 4.0, 5.0]
    assert [s.p90_days for s in insights.funnel] == [3.0, 4.0, 5.0]
    assert {s: c.median_days for s, c in stop.by_source.items()} == {"linkedin": 4, "referral": 4}
    leans = {c.interviewer_id: c.lean for c in insights.calibrations}
    assert leans == {
        LENIENT: Lean.LENIENT,
        HARSH: Lean.HARSH,
        FAIR_ONE: Lean.IN_LINE,
        FAIR_TWO: Lean.IN_LINE,
    }
    questions = {q.question_key: q for q in insights.questions}
    assert questions[EVERYONE_PASSES].flags == (QuestionFlag.EVERYONE_PASSES,)
    assert QuestionFlag.DRIFTS_UP in questions[LEAKED].flags
    assert questions[SEPARATES].flags == ()
    separating = questions[SEPARATES]
    assert separating.passed_mean is not None and separating.rejected_mean is not None
    assert separating.passed_mean - separating.rejected_mean > 1

    text, blocks = team_insights_message(insights)
    shown = str(blocks)
    assert "Most candidates stop at *Technical*" in shown
    assert f"<@{LENIENT}> *rates higher than their panels*" in shown
    assert f"<@{HARSH}> *rates lower than their panels*" in shown
    assert f"change question `{EVERYONE_PASSES}` in `stages/technical.toml`" in shown
    assert f"change question `{LEAKED}` in `stages/technical.toml`" in shown
    assert "possibly leaked" in shown
    assert f"`{SEPARATES}`" not in shown.split("*Questions*")[1].split("```")[0]
    assert "Krippendorff" in shown and "Red flags before rejections" in shown
    assert "Most candidates stop at Technical" in text
    assert message_errors(blocks) == []
    # No candidate is named: the insights are about the process, not about people applying.
    assert NAME_PREFIX not in shown + text


async def test_the_charts_plot_the_findings(seeded: TeamInsights) -> None:
    charts = {chart.key: chart for chart in team_charts(seeded, NAMES)}
    assert set(charts) == {"funnel", "calibration", "questions"}

    funnel = draw(charts["funnel"].data)
    bars = plotted_bars(funnel)
    assert tick_labels(funnel)[1] == "Technical"
    assert funnel.axes[0].get_title() == "Funnel: most candidates stop at Technical"
    by_stage = {s.title: s for s in seeded.funnel}
    assert bars["Entered"] == [float(s.entered) for s in seeded.funnel]
    assert bars["Stopped"][1] == by_stage["Technical"].stopped == max(bars["Stopped"])
    assert bars["Stopped"][1] > bars["Moved on"][1]
    assert "Most candidates stop at Technical" in charts["funnel"].summary
    assert "Technical: 32 entered" in charts["funnel"].alt_text

    calibration = draw(charts["calibration"].data)
    offsets = plotted_bars(calibration)
    assert set(offsets) == set(NAMES.values())
    assert min(offsets["Lena Lenient"]) > 0 and max(offsets["Hugo Harsh"]) < 0
    assert all(abs(value) < 0.3 for value in offsets["Fay Fair"] + offsets["Finn Fair"])
    [axes] = calibration.axes
    # Every bar carries its interval: one error bar per value.
    assert len(axes.collections) == len(offsets)
    assert "Lena Lenient rates higher than their panels" in charts["calibration"].summary
    assert "Hugo Harsh rates lower than their panels" in charts["calibration"].summary

    questions = draw(charts["questions"].data)
    labels = tick_labels(questions)
    assert f"{EVERYONE_PASSES} [all pass]" in labels
    assert f"{SEPARATES}" in labels
    leaked = next(label for label in labels if label.startswith(LEAKED))
    assert "drifts up" in leaked
    shares = plotted_bars(questions)
    everyone = labels.index(f"{EVERYONE_PASSES} [all pass]")
    assert shares["3 solid"][everyone] + shares["4 exceptional"][everyone] == pytest.approx(100)
    separating = labels.index(SEPARATES)
    assert shares["1 no evidence"][separating] > 10
    assert (
        "experiment_tracking (everyone passes) in stages/technical.toml"
        in charts["questions"].summary
    )


async def test_the_charts_draw_under_two_seconds_and_as_png(seeded: TeamInsights) -> None:
    from bot.charts import render_png

    for chart in team_charts(seeded, NAMES):
        assert render_png(chart.data).startswith(PNG_MAGIC)


async def test_few_scorecards_are_small_numbers_not_findings(harness: Harness, kits: Kits) -> None:
    await seed_history(harness.bot, kits, count=3)
    insights = await team_insights(harness.bot)
    assert insights.stop_stage is None
    assert insights.leaning == ()
    assert insights.flagged == ()
    _, blocks = team_insights_message(insights)
    shown = str(blocks)
    assert "small numbers" in shown
    assert "rates higher" not in shown and "rates lower" not in shown
    assert "Nothing stands out yet." in shown
    charts = {chart.key: chart for chart in team_charts(insights, NAMES)}
    legend = [series.name for series in charts["calibration"].data.series]
    # Fay sat on every panel (five scorecards); the others on one or two.
    assert [name for name in legend if not name.endswith("(small numbers)")] == ["Fay Fair"]
    labels = list(charts["questions"].data.x)
    assert labels and all("small numbers" in label or "not asked" in label for label in labels)
    assert "small numbers" in charts["calibration"].summary
    # Three scorecards do not brand anyone: the lenient one's offset is shrunk and wide.
    lenient = next(c for c in insights.calibrations if c.interviewer_id == LENIENT)
    assert lenient.lean == Lean.TOO_FEW


# ----------------------------------------------------------------- the maths


def test_alpha_of_a_worked_example() -> None:
    # Values 1..4 once each, in units (1, 2) and (3, 4): D_o = 1, D_e = 40 / 12.
    units = [[1, 2], [3, 4]]
    assert alpha_from_units(units, Metric.INTERVAL) == pytest.approx(0.7)
    assert alpha_from_units([[1, 1], [2, 2], [4, 4]], Metric.ORDINAL) == pytest.approx(1.0)
    assert alpha_from_units([[3, 3], [3, 3]]) is None  # no variation: undefined
    assert krippendorff_alpha({}) is None


async def test_alpha_from_sql_equals_the_definition(harness: Harness, seeded: TeamInsights) -> None:
    async with harness.bot.sessions() as session:
        rows = (
            await session.exec(
                select(Scorecard.interview_id, ScorecardRating.key, ScorecardRating.score)
                .join(Scorecard, col(Scorecard.id) == col(ScorecardRating.scorecard_id))
                .where(col(ScorecardRating.kind) == RatingKind.COMPETENCY)
            )
        ).all()
    units: dict[tuple[int, str], list[int]] = {}
    for interview_id, key, score in rows:
        if score is not None:
            units.setdefault((interview_id, key), []).append(score)
    for agreement in seeded.agreement:
        mine = [v for (_, key), v in units.items() if key == agreement.competency_key]
        assert agreement.alpha == pytest.approx(alpha_from_units(mine)), agreement.name


def test_shrinkage_pulls_few_ratings_towards_the_team() -> None:
    few = shrunk_offset(3, 3 * 1.5, 3 * 1.5**2 + 0.5)
    many = shrunk_offset(60, 60 * 1.5, 60 * 1.5**2 + 10)
    # Five ratings of offset zero are added: 3 of 8 and 60 of 65 of the raw 1.5 remain.
    assert few.value == pytest.approx(1.5 * 3 / 8)
    assert many.value == pytest.approx(1.5 * 60 / 65)
    assert few.half_width > many.half_width


# ----------------------------------------------------------------- Slack


async def test_command_dms_the_manager_the_insights_and_three_charts(
    harness: Harness, seeded: TeamInsights
) -> None:
    fake = harness.fake
    reply = await harness.command("insights", user_id=HIRING_MANAGER)
    assert "arrive in our DM" in reply.json["text"]
    [message] = [c for c in sent_to(fake, HIRING_MANAGER) if c.method == "chat.postMessage"]
    assert f"<@{LENIENT}>" in str(message.args["blocks"])
    assert len(uploads(fake)) == 3
    for upload in uploads(fake):
        assert upload.args["alt_txt"], "a chart without alt text"
    files = list(fake.files.values())
    assert [f.content.startswith(PNG_MAGIC) for f in files] == [True] * 3
    comments = [str(c.args.get("initial_comment")) for c in sent_to(fake, HIRING_MANAGER)]
    assert any("Most candidates stop at Technical" in comment for comment in comments)


async def test_command_is_refused_to_an_interviewer_who_manages_no_one(
    harness: Harness, seeded: TeamInsights
) -> None:
    fake = harness.fake
    reply = await harness.command("insights", user_id=FAIR_ONE)
    assert "Only hiring managers and admins" in reply.json["text"]
    assert fake.calls_to("chat.postMessage") == [] and uploads(fake) == []


async def test_an_interviewers_dm_holds_nothing_about_anyone_else(
    harness: Harness, seeded: TeamInsights
) -> None:
    fake = harness.fake
    report = await run_insights_dms(
        harness.bot, SlackNotifier(build_client(harness.bot.settings), harness.bot.clock)
    )
    await harness.deliver()
    # Weekly to the hiring manager; monthly to each of the four interviewers.
    assert report.sent == 5
    sent = sent_to(fake, LENIENT)
    assert sent
    everything = str([c.args for c in sent]) + str(
        [u.args for u in uploads(fake) if u.args.get("filename") == "insights-calibration.png"]
    )
    assert "rate higher than your panels" in everything
    others = [who for who in INTERVIEWERS if who != LENIENT] + [HIRING_MANAGER]
    strangers = [*others, *(NAMES[who] for who in others if who in NAMES), NAME_PREFIX]
    assert [word for word in strangers if word in everything] == []
    own = await own_insights(harness.bot, LENIENT)
    [chart] = own_charts(own)
    assert [series.name for series in chart.data.series] == ["You"]
    assert min(plotted_bars(draw(chart.data))["You"]) > 0


async def test_the_dms_are_queued_once_a_period_and_a_refusal_is_told_to_the_admins(
    harness: Harness, seeded: TeamInsights, clock: FrozenClock
) -> None:
    bot, fake = harness.bot, harness.fake
    notifier = SlackNotifier(build_client(bot.settings), bot.clock)
    fake.fail("chat.postMessage", "account_inactive", when=lambda a: a["channel"] == LENIENT)
    assert (await run_insights_dms(bot, notifier)).sent == 5
    await harness.deliver()
    # The four Slack took are in their DMs; the one it refused for good is not queued
    # again (the outbox gave it up), and the admins' App Home says why.
    delivered = {
        fake.dm_user(c.args["channel"])
        for c in fake.calls_to("chat.postMessage")
        if c.response.get("ok")
    }
    assert delivered == {HIRING_MANAGER, *(who for who in INTERVIEWERS if who != LENIENT)}
    assert (await run_insights_dms(bot, notifier)).sent == 0
    async with bot.sessions() as session:
        refused = await outbox.undelivered(session, clock.now(), limit=10)
    assert [(u.recipient_id, u.error) for u in refused] == [(LENIENT, "account_inactive")]
    async with bot.sessions() as session:
        runs = (await session.exec(select(InsightsRun))).all()
    assert {r.period for r in runs} == {"week:2026-W49", "month:2026-11"}
    # A week on it is December: both again; a week after that, only the weekly one.
    clock.advance(timedelta(days=7))
    assert (await run_insights_dms(bot, notifier)).sent == 5
    clock.advance(timedelta(days=7))
    assert (await run_insights_dms(bot, notifier)).sent == 1


async def test_insights_cost_the_same_statements_for_any_history(
    harness: Harness, kits: Kits
) -> None:
    bot = harness.bot
    counts = []
    for count in (5, 40):
        await seed_history(bot, kits, count=count)
        with counted_statements(bot) as statements:
            await team_insights(bot)
        counts.append(len(statements))
    assert counts[0] == counts[1] <= 8


# ----------------------------------------------------------------- App Home


async def test_home_shows_each_interviewer_their_own_and_managers_the_team(
    harness: Harness, seeded: TeamInsights
) -> None:
    bot = harness.bot
    mine = own_calibration_part(await home_summary(bot, LENIENT))
    shown = str(mine)
    assert "you *rate higher than your panels*" in shown
    assert [who for who in (HARSH, FAIR_ONE, FAIR_TWO, *NAMES.values()) if who in shown] == []
    team = team_calibration_part(await home_summary(bot, HIRING_MANAGER))
    assert f"<@{HARSH}> *rates lower than their panels*" in str(team)
    assert team_calibration_part(await home_summary(bot, LENIENT)) == []


async def test_own_message_before_five_scorecards_says_when_it_starts(
    harness: Harness, kits: Kits
) -> None:
    await seed_history(harness.bot, kits, count=1)
    own = await own_insights(harness.bot, LENIENT)
    text, blocks = own_insights_message(own)
    assert own.calibration is None and "starts at 5" in text
    assert own_charts(own) == []
    assert message_errors(blocks) == []


async def test_statistics_queries_run_on_an_empty_history(harness: Harness) -> None:
    insights = await team_insights(harness.bot)
    assert insights.calibrations == () and insights.questions == ()
    assert team_charts(insights, {}) == []
    async with harness.bot.sessions() as session:
        assert await queries.days_in_stage(session) == []


async def test_home_reads_everyones_calibration_at_most_every_ten_minutes(
    harness: Harness, seeded: TeamInsights, clock: FrozenClock
) -> None:
    bot = harness.bot
    counts = []
    for step in (timedelta(0), timedelta(minutes=9), timedelta(minutes=1)):
        clock.advance(step)
        with counted_statements(bot) as statements:
            await home_summary(bot, HIRING_MANAGER)
        counts.append(len(statements))
    # Cached for the second open; read again (two statements) once ten minutes have passed.
    assert counts[0] == counts[2] == counts[1] + 2
