"""Property tests of everything the insights render from text a team or Slack supplies:
stage titles, competency names, red flags and question ids from a team's own kit, people's
display names on the charts. Whatever they hold, the messages stay valid Block Kit within
Slack's limits and every ``<`` in them is one of ours (a mention or a date)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.home import HomeSummary
from bot.insight_charts import team_charts
from bot.insight_stats import Estimate
from bot.insights import (
    Agreement,
    Calibration,
    CompetencyCalibration,
    OwnInsights,
    QuestionFlag,
    QuestionInsight,
    RedFlagCount,
    SourceCounts,
    StageFunnel,
    TeamInsights,
)
from bot.kits import MAX_NAME, MAX_OPTION
from handlers.block_kit import MAX_MESSAGE_BLOCKS, MESSAGE_TEXT_LIMIT
from handlers.home import own_calibration_part, team_calibration_part
from handlers.insights import chart_comment
from handlers.insights_blocks import own_insights_message, team_insights_message
from slackfake.blockkit import blocks_text_length, message_errors

NOW = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
OURS = re.compile(r"<@U[0-9A-Z]+>|<!date\^[^<>]*>")
name = st.text(min_size=1, max_size=MAX_NAME)
option = st.text(min_size=1, max_size=MAX_OPTION)
# Ids are checked by the kit's schema (snake_case) and by Slack: a few stand for all.
key = st.sampled_from(["k8s_serving", "a", "x" * 40, "feature_store_2"])
user = st.sampled_from([f"U0{n:04d}" for n in range(30)])
PROPERTY = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def only_our_tokens(text: str) -> bool:
    return "<" not in OURS.sub("", text) and ">" not in OURS.sub("", text)


def texts(blocks: Any) -> list[str]:
    if isinstance(blocks, dict):
        own = [blocks["text"]] if isinstance(blocks.get("text"), str) else []
        return own + [t for value in blocks.values() for t in texts(value)]
    if isinstance(blocks, list):
        return [t for value in blocks for t in texts(value)]
    return []


@st.composite
def calibrations(draw: st.DrawFn) -> Calibration:
    competencies = tuple(
        CompetencyCalibration(
            stage_key=draw(key),
            competency_key=draw(key),
            name=draw(name),
            ratings=draw(st.integers(0, 500)),
            mean=draw(st.floats(1, 4)),
            panel_mean=draw(st.none() | st.floats(1, 4)),
            offset=Estimate(0.6, 0.1, 1.1, draw(st.integers(0, 500))),
        )
        for _ in range(draw(st.integers(0, 6)))
    )
    scorecards = draw(st.integers(0, 500))
    return Calibration(
        interviewer_id=draw(user),
        scorecards=scorecards,
        strong_yes=draw(st.integers(0, scorecards)),
        strong_no=draw(st.integers(0, scorecards)),
        decided=scorecards,
        matched=draw(st.integers(0, scorecards)),
        competencies=competencies,
        overall=Estimate(draw(st.floats(-3, 3)), -3.0, 3.0, draw(st.integers(0, 500))),
    )


@st.composite
def team(draw: st.DrawFn) -> TeamInsights:
    sources = tuple(draw(st.lists(st.text(max_size=200), max_size=6, unique=True)))
    stages = tuple(
        StageFunnel(
            stage_key=draw(key),
            title=draw(name),
            entered=draw(st.integers(0, 5000)),
            still_in=draw(st.integers(0, 5000)),
            stopped=draw(st.integers(0, 5000)),
            moved_on=draw(st.integers(0, 5000)),
            median_days=draw(st.none() | st.floats(0, 400)),
            p90_days=draw(st.none() | st.floats(0, 400)),
            days_count=draw(st.integers(0, 5000)),
            by_source={s: SourceCounts(3, 1, 1) for s in sources},
        )
        for _ in range(draw(st.integers(1, 6)))
    )
    questions = tuple(
        QuestionInsight(
            stage_key=draw(key),
            question_key=draw(key),
            prompt=draw(st.text(max_size=300)),
            kit_file=f"stages/{draw(st.text(min_size=1, max_size=60))}.toml",
            asked=draw(st.integers(0, 500)),
            not_asked=draw(st.integers(0, 500)),
            counts=(1, 2, 3, 4),
            mean=2.5,
            spread=1.0,
            pass_share=0.5,
            passed_mean=None,
            rejected_mean=3.0,
            passed=0,
            rejected=9,
            rise=draw(st.none() | st.floats(-3, 3)),
            flags=tuple(draw(st.lists(st.sampled_from(list(QuestionFlag)), max_size=2))),
        )
        for _ in range(draw(st.integers(0, 18)))
    )
    return TeamInsights(
        generated_at=NOW,
        funnel=stages,
        calibrations=tuple(draw(st.lists(calibrations(), max_size=17))),
        agreement=tuple(
            Agreement(draw(key), draw(key), draw(name), draw(st.integers(0, 99)), 0.4)
            for _ in range(draw(st.integers(0, 20)))
        ),
        red_flags=tuple(
            RedFlagCount(draw(name), draw(option), 4, 2) for _ in range(draw(st.integers(0, 17)))
        ),
        questions=questions,
        sources=sources,
    )


def check_message(blocks: list[dict[str, Any]], text: str) -> None:
    assert message_errors(blocks) == []
    assert len(blocks) <= MAX_MESSAGE_BLOCKS
    assert blocks_text_length(blocks) <= MESSAGE_TEXT_LIMIT
    assert len(text) <= MESSAGE_TEXT_LIMIT
    for shown in [*texts(blocks), text]:
        assert only_our_tokens(shown), shown


@PROPERTY
@given(team())
def test_the_team_message_holds_any_kit_text(insights: TeamInsights) -> None:
    text, blocks = team_insights_message(insights)
    check_message(blocks, text)


@PROPERTY
@given(team(), st.dictionaries(user, st.text(max_size=120)))
def test_chart_comments_escape_names_and_kit_text(
    insights: TeamInsights, names: dict[str, str]
) -> None:
    for chart in team_charts(insights, names):
        assert only_our_tokens(chart_comment(chart))
        assert "&" not in chart_comment(chart).replace("&amp;", "").replace("&lt;", "").replace(
            "&gt;", ""
        )


@PROPERTY
@given(calibrations())
def test_an_interviewers_message_and_home_hold_any_kit_text(calibration: Calibration) -> None:
    own = OwnInsights(calibration.interviewer_id, NOW, calibration.scorecards, calibration)
    text, blocks = own_insights_message(own)
    check_message(blocks, text)
    summary = HomeSummary(calibration=own, team_calibration=(calibration,))
    for part in (own_calibration_part(summary), team_calibration_part(summary)):
        assert message_errors(part) == []
        assert all(only_our_tokens(shown) for shown in texts(part))
