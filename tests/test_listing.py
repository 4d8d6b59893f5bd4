"""`list`, `find` and `salary`, through the harness, and their builders alone."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.candidates import CLOSED_GROUP, group_by_stage
from bot.clock import FrozenClock
from bot.kits import Kits
from bot.salary_lookup import parse_salary_query
from handlers.listing_blocks import MAX_BLOCKS, pipeline_blocks
from slackfake import FakeSlack
from slackfake.blockkit import message_errors
from storage.models import Candidate, CandidateStatus
from tests.harness import HIRING_CHANNEL, HIRING_MANAGER, Harness
from tests.intake_helpers import add_candidate, all_candidates

# Its SQL can behave differently by dialect: it runs on PostgreSQL too.
pytestmark = pytest.mark.both_databases

NOW = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)


async def _update(harness: Harness, candidate: Candidate, **fields: Any) -> None:
    async with harness.bot.sessions() as session, session.begin():
        for name, value in fields.items():
            setattr(candidate, name, value)
        session.add(candidate)


def _texts(reply: Any) -> str:
    body = reply.json
    assert body["response_type"] == "ephemeral"
    assert message_errors(body["blocks"]) == []
    return json.dumps(body["blocks"], ensure_ascii=False)


# --------------------------------------------------------------------- list


async def test_list_of_nobody_says_how_to_add_someone(harness: Harness) -> None:
    shown = _texts(await harness.command("list"))
    assert "Nobody yet" in shown and "/mlops-candidate new" in shown


async def test_list_groups_open_candidates_by_stage_with_days_and_links(
    harness: Harness, clock: FrozenClock
) -> None:
    jane = await add_candidate(harness, "Jane Doe")
    clock.advance(timedelta(days=2))
    omar = await add_candidate(harness, "Omar Ali", level="mid")
    await _update(harness, omar, stage_key="technical", stage_entered_at=clock.now())
    hana = await add_candidate(harness, "Hana Lee")
    await _update(harness, hana, status=CandidateStatus.REJECTED)
    clock.advance(timedelta(days=3, hours=1))

    shown = _texts(await harness.command("list"))
    assert "Pipeline: 2 open candidates" in shown
    assert shown.index("*Screening* (1)") < shown.index("*Technical* (1)")
    assert (
        f"*<{jane.permalink}|Jane Doe>* · #{jane.id} · Senior (5+ yrs) · 5 days in stage" in shown
    )
    assert f"*<{omar.permalink}|Omar Ali>* · #{omar.id} · Mid-level" in shown
    assert "3 days in stage" in shown
    assert "Hana" not in shown and "list all" in shown

    everyone = _texts(await harness.command("list all"))
    assert f"*{CLOSED_GROUP}* (1)" in everyone and "Rejected at Screening" in everyone


async def test_list_escapes_names(harness: Harness) -> None:
    await add_candidate(harness, "<!channel> Eve <@U0123>")
    shown = _texts(await harness.command("list"))
    assert "<!channel>" not in shown and "&lt;!channel&gt; Eve &lt;@U0123&gt;" in shown


async def test_list_posts_the_cards_the_channel_refused_before(
    make_harness: Any, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    # Members of a private channel without the bot cannot be read: an admin is the team.
    harness = await make_harness(hiring_admins=frozenset({HIRING_MANAGER}))
    fake_slack.add_channel(HIRING_CHANNEL, is_private=True, is_member=False)
    await add_candidate(harness, "Jane Doe")
    shown = _texts(await harness.command("list"))
    assert "card not posted yet" in shown

    fake_slack.add_channel(HIRING_CHANNEL, is_private=True, is_member=True)  # invited
    clock.advance(timedelta(minutes=5))
    fake_slack.clear()
    shown = _texts(await harness.command("list"))
    assert "card not posted yet" in shown  # the answer came first
    card, kit = fake_slack.calls_to("chat.postMessage")
    assert card.args["channel"] == HIRING_CHANNEL and kit.args["thread_ts"] == card.response["ts"]
    (jane,) = await all_candidates(harness)
    assert jane.thread_ts == card.response["ts"]
    fake_slack.clear()
    shown = _texts(await harness.command("list"))
    assert "card not posted yet" not in shown and fake_slack.calls_to("chat.postMessage") == []


async def test_list_with_something_else_after_it_says_what_it_takes(harness: Harness) -> None:
    reply = await harness.command("list everything")
    assert "`list all`" in reply.json["text"]


def _many(count: int, kits: Kits) -> list[Candidate]:
    stages = [stage.key for stage in kits.stages]
    return [
        Candidate(
            id=number,
            name=f"<&> Candidate {number} " + "x" * 80,
            level="senior",
            location="uk_london",
            stage_key=stages[number % len(stages)],
            status=CandidateStatus.ACTIVE,
            stage_entered_at=NOW,
            permalink=f"https://fake.slack.com/archives/C0HIRING/p{number:016d}",
        )
        for number in range(1, count + 1)
    ]


def test_a_long_pipeline_stays_within_one_message_and_counts_the_rest(kits: Kits) -> None:
    candidates = _many(600, kits)
    blocks = pipeline_blocks(group_by_stage(candidates, kits), kits, NOW, include_closed=False)
    assert message_errors(blocks) == []
    assert len(blocks) <= MAX_BLOCKS
    shown = sum(text.count("• ") for b in blocks if (text := b.get("text", {}).get("text")))
    note = blocks[-2]["elements"][0]["text"]
    assert f"… {600 - shown} more not shown" in note


def test_a_pipeline_that_fits_shows_everyone(kits: Kits) -> None:
    candidates = _many(30, kits)
    blocks = pipeline_blocks(group_by_stage(candidates, kits), kits, NOW, include_closed=True)
    assert message_errors(blocks) == []
    shown = json.dumps(blocks, ensure_ascii=False)
    assert shown.count("• ") == 30 and "more not shown" not in shown


def test_groups_follow_the_loop_then_unknown_stages_then_closed(kits: Kits) -> None:
    def candidate(number: int, stage: str, status: str = CandidateStatus.ACTIVE) -> Candidate:
        return Candidate(id=number, stage_key=stage, status=status)

    groups = group_by_stage(
        [
            candidate(1, "gone_stage"),
            candidate(2, "system_design"),
            candidate(3, "screening", CandidateStatus.HIRED),
            candidate(4, "screening", CandidateStatus.ON_HOLD),
            candidate(5, "screening"),
        ],
        kits,
    )
    assert [(g.title, [c.id for c in g.candidates]) for g in groups] == [
        ("Screening", [4, 5]),
        ("System design: production incident", [2]),
        ("gone_stage", [1]),
        (CLOSED_GROUP, [3]),
    ]


# --------------------------------------------------------------------- find


async def test_find_matches_part_of_a_name_closed_candidates_too(harness: Harness) -> None:
    jane = await add_candidate(harness, "Jane Doe")
    await add_candidate(harness, "Omar Ali")
    janet = await add_candidate(harness, "Janet  SMITH")
    await _update(harness, janet, status=CandidateStatus.WITHDRAWN)
    shown = _texts(await harness.command("find  JAN"))
    assert "2 candidates match “JAN”" in shown
    assert f"#{jane.id}" in shown and "Withdrawn at Screening" in shown and "Omar" not in shown


@pytest.mark.parametrize("query", ["nobody", "100%", "_", "<!channel>"])
async def test_find_without_a_match_says_so_and_echoes_safely(harness: Harness, query: str) -> None:
    await add_candidate(harness, "Jane Doe")
    shown = _texts(await harness.command(f"find {query}"))
    assert "No candidate's name contains" in shown and "<!channel>" not in shown


async def test_find_without_text_says_what_it_takes(harness: Harness) -> None:
    reply = await harness.command("find   ")
    assert "find jane" in reply.json["text"]


# --------------------------------------------------------------------- salary


async def test_salary_alone_is_the_whole_table(harness: Harness, kits: Kits) -> None:
    await add_candidate(harness)  # the hiring manager of a candidate reads the benchmarks
    shown = _texts(await harness.command("salary"))
    for region in kits.salary.regions:
        assert region.name in shown
    assert "Mid-level" in shown and "Senior" in shown


@pytest.mark.parametrize(
    ("text", "regions", "level"),
    [
        ("london", ["uk_london"], None),
        ("uk london", ["uk_london"], None),
        ("UK London senior", ["uk_london"], "senior"),
        ("senior", None, "senior"),
        ("mid", None, "mid"),
        ("mid-level", None, "mid"),
        ("sr nyc", ["us_bay_area_nyc"], "senior"),
        ("uk", ["uk_london", "uk_other"], None),
        ("uk_other", ["uk_other"], None),
        ("germany", ["de_nl"], None),
        ("remote mid", ["remote_us"], "mid"),
    ],
)
def test_friendly_salary_words(
    kits: Kits, text: str, regions: list[str] | None, level: str | None
) -> None:
    query = parse_salary_query(kits.salary, text)
    expected = regions or [region.key for region in kits.salary.regions]
    assert [region.key for region in query.regions] == expected
    assert (query.level.key if query.level else None) == level
    assert query.unknown_region is None


@pytest.mark.parametrize("text", ["mars", "!!!", "principal", "london principal"])
def test_words_that_name_no_region_or_level_are_unknown(kits: Kits, text: str) -> None:
    assert parse_salary_query(kits.salary, text).unknown_region is not None


async def test_salary_is_refused_to_team_members_who_only_interview(
    make_harness: Any,
) -> None:
    harness = await make_harness(hiring_admins=frozenset({"U0ADMIN"}))
    harness.fake.add_user("U0ANA")  # in the hiring channel
    await add_candidate(harness, user_id="U0ADMIN")
    reply = await harness.command("salary london senior", user_id="U0ANA")
    assert "hiring managers and admins" in reply.json["text"] and "95k" not in reply.text
    admin = await harness.command("salary london senior", user_id="U0ADMIN")
    assert "95k" in admin.text


async def test_salary_for_one_region_and_level(harness: Harness) -> None:
    await add_candidate(harness)
    blocks = (await harness.command("salary london senior")).json["blocks"]
    regions = [b for b in blocks if b["type"] == "section"]
    assert len(regions) == 1 and regions[0]["text"]["text"] == "*UK (London)*"
    assert [f["text"] for f in regions[0]["fields"]] == ["*Senior (5+ yrs)*\n£95k\N{EN DASH}£140k"]


async def test_an_unknown_region_lists_the_choices(harness: Harness, kits: Kits) -> None:
    await add_candidate(harness)
    shown = _texts(await harness.command("salary <!channel> mars"))
    assert "No salary region matches “&lt;!channel&gt; mars”" in shown
    for region in kits.salary.regions:
        assert region.name in shown
    assert "`mid`" in shown and "`senior`" in shown and "<!channel>" not in shown
