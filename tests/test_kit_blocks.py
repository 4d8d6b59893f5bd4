"""Block Kit builders for the kits: structure, Slack's limits, escaping, salary formatting."""

import re
from typing import Any

import pytest

from bot.kits import (
    Competency,
    Quality,
    Question,
    RedFlag,
    SalaryLevel,
    SalaryRegion,
    SalaryTable,
    Stage,
)
from handlers.block_kit import text_length
from handlers.kit_blocks import (
    KIT_TEXT_LIMIT,
    MAX_BLOCKS,
    interview_kit_blocks,
    question_set_blocks,
    salary_table_blocks,
    salary_text,
)
from handlers.mrkdwn import escape
from slackfake.blockkit import message_errors
from tests.calls import mrkdwn_text, mrkdwn_texts
from tests.kit_samples import KITS, PING, PING_ESCAPED, huge_qualities, huge_stage

DASH = "\N{EN DASH}"  # money ranges use it; ruff flags the literal


def assert_postable(blocks: list[dict[str, Any]]) -> None:
    """Slack accepts the message, and a caller can still add its own few blocks."""
    assert message_errors(blocks) == []
    assert len(blocks) <= MAX_BLOCKS
    for text in mrkdwn_texts(blocks):
        # Every `&` starts one of the three entities: kit text never cut one in two.
        assert re.findall(r"&(?!amp;|lt;|gt;)", text) == []
        assert "<" not in text and ">" not in text


def stage_with(**changes: Any) -> Stage:
    return KITS.stage("screening").model_copy(update=changes)


# The shipped kits


@pytest.mark.parametrize("key", [stage.key for stage in KITS.stages])
def test_question_set_shows_the_whole_stage(key: str) -> None:
    stage = KITS.stage(key)

    blocks = question_set_blocks(stage)

    assert_postable(blocks)
    assert blocks[0] == {
        "type": "header",
        "text": {
            "type": "plain_text",
            "text": f"{stage.title} · {stage.duration_minutes} min",
        },
    }
    text = mrkdwn_text(blocks)
    assert f"*Goal:* {escape(stage.goal)}" in text
    for number, question in enumerate(stage.questions, start=1):
        assert f"*{number}.* {escape(question.prompt)}" in text
        assert f"_What good looks like:_ {escape(question.strong_answer)}" in text
        for follow_up in question.follow_ups:
            assert f"• {escape(follow_up)}" in text
    for flag in stage.red_flags:
        assert f"• {escape(flag.text)} — _suggests {escape(flag.suggests)}_" in text
    for competency in stage.competencies:
        assert f"• *{escape(competency.name)}*" in text
        assert escape(competency.one) not in text, "anchors are for the interviewer's kit"
    assert "not shown" not in text
    assert blocks[-1]["type"] == "context"


def test_question_sections_are_headed_once() -> None:
    text = mrkdwn_text(question_set_blocks(KITS.stage("technical")))
    assert text.count("*ML lifecycle*") == 1
    assert text.count("*Infrastructure*") == 1
    assert text.index("*ML lifecycle*") < text.index("*1.*") < text.index("*Infrastructure*")
    assert "*Questions*" not in text
    assert "*Questions*" in mrkdwn_text(question_set_blocks(KITS.stage("screening")))


@pytest.mark.parametrize("key", [stage.key for stage in KITS.stages])
def test_interview_kit_adds_anchors_and_qualities(key: str) -> None:
    stage = KITS.stage(key)

    blocks = interview_kit_blocks(stage, KITS.qualities)

    assert_postable(blocks)
    assert blocks[0]["text"]["text"] == (
        f"Interview kit: {stage.title} · {stage.duration_minutes} min"
    )
    text = mrkdwn_text(blocks)
    for question in stage.questions:
        assert escape(question.prompt) in text
    for competency in stage.competencies:
        assert f"*{escape(competency.name)}*" in text
        assert f"_A 1 looks like:_ {escape(competency.one)}" in text
        assert f"_A 4 looks like:_ {escape(competency.four)}" in text
    for quality in KITS.qualities:
        assert f"*{escape(quality.name)}*" in text
        assert escape(quality.description) in text
        assert f"_A 4 looks like:_ {escape(quality.four)}" in text
    assert "not shown" not in text


# Limits and escaping


def test_a_huge_stage_is_cut_to_fit_and_says_so() -> None:
    stage = huge_stage()

    for blocks in (question_set_blocks(stage), interview_kit_blocks(stage, huge_qualities())):
        assert_postable(blocks)
        text = mrkdwn_text(blocks)
        shown = [int(n) for n in re.findall(r"^\*(\d+)\.\*", text, flags=re.MULTILINE)]
        assert shown == list(range(1, len(shown) + 1))
        assert shown, "some questions always fit"
        assert f"_… {60 - len(shown)} more questions not shown" in text


def test_each_part_of_a_huge_kit_keeps_to_its_own_budget() -> None:
    blocks = interview_kit_blocks(huge_stage(), huge_qualities())

    text = mrkdwn_text(blocks)
    assert text.count("_A 1 looks like:_ " + "&lt;" * 300) >= 1, "some competencies fit"
    assert re.search(r"_… \d+ more competencies not shown", text)
    assert re.search(r"_… \d+ more qualities not shown", text)
    assert re.search(r"_… \d+ more questions not shown", text)
    assert text_length(blocks) <= KIT_TEXT_LIMIT


def test_kit_text_cannot_ping_anyone() -> None:
    stage = stage_with(
        goal=PING,
        questions=(
            Question(id="q", section=PING, prompt=PING, strong_answer=PING, follow_ups=(PING,)),
        ),
        competencies=(Competency(id="c", name=PING, one=PING, four=PING),),
        red_flags=(RedFlag(id="r", text=PING, suggests=PING),),
    )
    qualities = (Quality(id="q", name=PING, description=PING, one=PING, four=PING),)

    for blocks in (question_set_blocks(stage), interview_kit_blocks(stage, qualities)):
        assert_postable(blocks)
        text = mrkdwn_text(blocks)
        assert "<!channel>" not in text
        assert "<@U0123>" not in text
        assert text.count(PING_ESCAPED) >= 7


def test_escape_is_slacks_three_characters() -> None:
    assert escape(PING) == PING_ESCAPED
    assert escape("*bold* _italic_ ~strike~ `code`") == "*bold* _italic_ ~strike~ `code`"
    assert escape("&amp;") == "&amp;amp;"


# Salaries


def region_sections(blocks: list[dict[str, Any]]) -> list[tuple[str, list[str]]]:
    return [
        (block["text"]["text"], [field["text"] for field in block["fields"]])
        for block in blocks
        if block["type"] == "section" and "fields" in block
    ]


def test_salary_table_shows_every_region_and_level() -> None:
    blocks = salary_table_blocks(KITS.salary)

    assert_postable(blocks)
    assert blocks[0]["text"]["text"] == "MLOps engineer base salary, 2026"
    sections = region_sections(blocks)
    assert [name for name, _ in sections] == [f"*{r.name}*" for r in KITS.salary.regions]
    assert sections[0][1] == [
        f"*Mid-level (3{DASH}5 yrs)*\n$150k{DASH}$180k",
        f"*Senior (5+ yrs)*\n$180k{DASH}$230k",
    ]
    assert sections[2][1][0].endswith(f"£75k{DASH}£95k")
    assert sections[4][1][0].endswith(f"€75k{DASH}€95k")
    footer = blocks[-1]
    assert footer["type"] == "context"
    assert f"adds 20{DASH}60%" in footer["elements"][0]["text"]
    assert footer["elements"][1]["text"] == "Source: VAMI Editorial, March 2026"


def test_salary_table_filters() -> None:
    london = region_sections(salary_table_blocks(KITS.salary, region_key="uk_london"))
    assert london == [
        (
            "*UK (London)*",
            [f"*Mid-level (3{DASH}5 yrs)*\n£75k{DASH}£95k", f"*Senior (5+ yrs)*\n£95k{DASH}£140k"],
        )
    ]
    senior = region_sections(salary_table_blocks(KITS.salary, level_key="senior"))
    assert len(senior) == 6
    assert all(len(fields) == 1 and "Senior" in fields[0] for _, fields in senior)
    one = salary_table_blocks(KITS.salary, region_key="de_nl", level_key="mid")
    assert region_sections(one) == [
        ("*Germany / Netherlands*", [f"*Mid-level (3{DASH}5 yrs)*\n€75k{DASH}€95k"])
    ]


def test_salary_table_explains_unknown_keys() -> None:
    blocks = salary_table_blocks(KITS.salary, region_key="<!here>", level_key="principal")

    assert_postable(blocks)
    assert region_sections(blocks) == []
    text = mrkdwn_text(blocks)
    assert "No salary benchmark for region `&lt;!here&gt;`." in text
    assert "`us_bay_area_nyc`, `us_other`, `uk_london`, `uk_other`, `de_nl`, `remote_us`" in text
    assert "No salary benchmark for level `principal`." in text
    assert "Levels: `mid`, `senior`" in text


def test_salary_text_for_the_candidate_card() -> None:
    assert salary_text(KITS.salary, "us_bay_area_nyc", "mid") == f"$150k{DASH}$180k base"
    assert salary_text(KITS.salary, "uk_london", "senior") == f"£95k{DASH}£140k base"
    assert salary_text(KITS.salary, "de_nl", "mid") == f"€75k{DASH}€95k base"
    assert salary_text(KITS.salary, "other", "mid") is None
    assert salary_text(KITS.salary, "uk_london", "principal") is None


def test_money_that_is_not_whole_thousands() -> None:
    table = SalaryTable(
        title="Odd amounts",
        note="For the test.",
        source="Nobody",
        levels=(SalaryLevel(key="mid", name="Mid"), SalaryLevel(key="senior", name="Senior")),
        regions=(
            SalaryRegion(
                key="ch",
                name="Switzerland",
                currency="CHF",
                symbol="Fr.",
                mid=(152_500, 1_250_000),
                senior=(900, 1_000),
            ),
        ),
    )
    assert salary_text(table, "ch", "mid") == f"Fr.152.5k{DASH}Fr.1250k base"
    assert salary_text(table, "ch", "senior") == f"Fr.0.9k{DASH}Fr.1k base"
