"""`/mlops-candidate new`, the New candidate modal and the card, driven as Slack does."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import select

from bot.clock import FrozenClock
from handlers.candidate_thread import post_in_thread, post_stage_kit, refresh_card, thread_link
from handlers.ids import Action, IntakeBlock, View
from handlers.refs import Ref, ref
from slackfake import FakeSlack
from storage import candidates as store
from storage.db import transaction
from storage.models import AuditEvent, Candidate, CandidateStatus
from tests.calls import mrkdwn_texts
from tests.flows import add_candidate, submit_intake
from tests.harness import HIRING_CHANNEL, HIRING_MANAGER, Harness
from tests.seed import all_candidates

EVE = "<!channel> Eve <@U0123>"


def _posts(harness: Harness) -> list[Any]:
    return harness.fake.calls_to("chat.postMessage")


async def _set_status(harness: Harness, candidate_id: int, status: CandidateStatus) -> None:
    async with harness.bot.sessions() as session, session.begin():
        candidate = await session.get(Candidate, candidate_id)
        assert candidate is not None
        candidate.status = status
        session.add(candidate)


# --------------------------------------------------------------------- opening the modal


async def test_new_opens_the_modal_at_once_with_the_name_prefilled(harness: Harness) -> None:
    reply = await harness.command("new   Jane   Doe ")
    assert reply.status == 200 and reply.text == ""
    (opened,) = harness.fake.calls_to("views.open")
    assert opened.response["ok"], opened.response
    view = opened.args["view"]
    assert view["callback_id"] == View.NEW_CANDIDATE
    blocks = {block["block_id"]: block for block in view["blocks"]}
    assert blocks[IntakeBlock.NAME]["element"]["initial_value"] == "Jane Doe"
    assert blocks[IntakeBlock.HIRING_MANAGER]["element"]["initial_user"] == HIRING_MANAGER
    assert harness.fake.calls[-1].method == "views.open"


async def test_new_without_a_name_leaves_the_name_empty(harness: Harness) -> None:
    await harness.command("new")
    view = harness.fake.calls_to("views.open")[0].args["view"]
    assert "initial_value" not in view["blocks"][0]["element"]


async def test_a_prefilled_name_is_cut_to_what_the_input_accepts(harness: Harness) -> None:
    await harness.command("new " + "x" * 150)
    (opened,) = harness.fake.calls_to("views.open")
    assert opened.response["ok"], opened.response
    assert len(opened.args["view"]["blocks"][0]["element"]["initial_value"]) == 100


# --------------------------------------------------------------------- a good submission


async def test_submission_stores_the_candidate_and_posts_the_card_and_the_screening_kit(
    harness: Harness, clock: FrozenClock
) -> None:
    reply = await submit_intake(
        harness,
        "Jane Doe",
        profile_url="https://www.linkedin.com/in/jane-doe/",
        source="Referral from Ana",
        notes="Ran the feature store at Acme.",
    )
    assert reply.status == 200 and reply.text == ""  # the modal closes

    (candidate,) = await all_candidates(harness.bot)
    assert candidate.name == "Jane Doe" and candidate.stage_key == "screening"
    assert candidate.status == CandidateStatus.ACTIVE
    assert candidate.stage_entered_at == clock.now()

    card, kit = _posts(harness)
    assert card.args["channel"] == HIRING_CHANNEL and "thread_ts" not in card.args
    assert card.args["unfurl_links"] is False and card.args["unfurl_media"] is False
    header = card.args["blocks"][0]["text"]["text"]
    assert header == "Jane Doe · Senior (5+ yrs)"
    fields = " ".join(f["text"] for f in card.args["blocks"][1]["fields"])
    for shown in ("UK (London)", f"<@{HIRING_MANAGER}>", "Referral from Ana"):
        assert shown in fields
    # The whole channel reads the card: no salary benchmark to anchor interviewers.
    assert "£" not in fields and "base" not in fields and "Salary" not in fields
    assert "<https://www.linkedin.com/in/jane-doe/|linkedin.com/in/jane-doe>" in fields
    assert "Screening" in fields and "Active" in fields
    buttons = next(b for b in card.args["blocks"] if b["type"] == "actions")["elements"]
    assert [b["action_id"] for b in buttons] == [
        Action.SCHEDULE_INTERVIEW,
        Action.SUBMIT_SCORECARD,
        Action.RECORD_DECISION,
        Action.SCHEDULE_DEBRIEF,
        Action.EDIT_CANDIDATE,
    ]
    assert {b["value"] for b in buttons} == {ref(Ref.CANDIDATE, candidate.id or 0)}

    assert kit.args["thread_ts"] == card.response["ts"]
    assert kit.args["blocks"][0]["text"]["text"].startswith("Screening")

    assert candidate.channel_id == HIRING_CHANNEL
    assert candidate.thread_ts == card.response["ts"]
    (permalink,) = harness.fake.calls_to("chat.getPermalink")
    assert candidate.permalink == permalink.response["permalink"]

    async with harness.bot.sessions() as session:
        events = (await session.exec(select(AuditEvent))).all()
    assert [(e.action, e.actor_id, e.candidate_id) for e in events] == [
        ("candidate_created", HIRING_MANAGER, candidate.id)
    ]


async def test_the_card_for_other_locations_names_the_location(harness: Harness) -> None:
    await add_candidate(harness, location="other", level="mid")
    card = _posts(harness)[0]
    fields = " ".join(f["text"] for f in card.args["blocks"][1]["fields"])
    assert "Other" in fields and "benchmark" not in fields
    assert card.args["blocks"][0]["text"]["text"] == "Jane Doe · Mid-level (3\N{EN DASH}5 yrs)"


async def test_user_text_pings_nobody_on_the_card(harness: Harness) -> None:
    await add_candidate(
        harness,
        EVE,
        source="<!here> & friends",
        notes="<@U0ANA> said <!subteam^S1> *bold*",
        profile_url="https://example.com/a?b=1&c=2",
    )
    card = _posts(harness)[0]
    assert card.response["ok"], card.response
    texts = [*mrkdwn_texts(card.args["blocks"]), card.args["text"]]
    for text in texts:
        for ping in ("<!channel>", "<!here>", "<!subteam", "<@U0123>", "<@U0ANA>"):
            assert ping not in text
    shown = "\n".join(texts)
    assert "&lt;!channel&gt; Eve &lt;@U0123&gt;" in shown
    assert "&lt;!here&gt; &amp; friends" in shown
    assert "<https://example.com/a?b=1&amp;c=2|" in shown
    # The header is plain text, which Slack never reads as a mention: shown as typed.
    assert card.args["blocks"][0]["text"] == {
        "type": "plain_text",
        "text": f"{EVE} · Senior (5+ yrs)",
        "emoji": False,
    }


async def test_a_100_character_name_fits_the_header(harness: Harness) -> None:
    await add_candidate(harness, "N" * 100, level="mid")
    card = _posts(harness)[0]
    assert card.response["ok"], card.response


# --------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("fields", "block", "expected"),
    [
        ({"name": None}, IntakeBlock.NAME, "Enter the candidate's full name"),
        ({"name": "   \n "}, IntakeBlock.NAME, "Enter the candidate's full name"),
        ({"name": "x" * 101}, IntakeBlock.NAME, "At most 100 characters; this name has 101"),
        ({"profile_url": "ftp://example.com/jane"}, IntakeBlock.PROFILE_URL, "http://"),
        ({"profile_url": "javascript:alert(1)"}, IntakeBlock.PROFILE_URL, "http://"),
        ({"profile_url": "linkedin.com/in/jane"}, IntakeBlock.PROFILE_URL, "http://"),
        ({"profile_url": "https://x.com/a|b"}, IntakeBlock.PROFILE_URL, "< > |"),
        ({"level": None}, IntakeBlock.LEVEL, "Choose a level"),
        ({"level": "principal"}, IntakeBlock.LEVEL, "Choose a level"),
        ({"location": "mars"}, IntakeBlock.LOCATION, "Choose a location"),
        ({"hiring_manager": None}, IntakeBlock.HIRING_MANAGER, "Choose the hiring manager"),
        ({"source": "s" * 201}, IntakeBlock.SOURCE, "At most 200"),
        ({"notes": "n" * 3001}, IntakeBlock.NOTES, "At most 3000"),
    ],
)
async def test_bad_input_is_a_field_error_and_nothing_is_stored(
    harness: Harness, fields: dict[str, Any], block: str, expected: str
) -> None:
    values: dict[str, Any] = {"name": "Jane Doe", **fields}
    name = values.pop("name")
    reply = await submit_intake(harness, name, **values)
    assert reply.status == 200
    body = reply.json
    assert body["response_action"] == "errors"
    assert list(body["errors"]) == [block]
    assert expected in body["errors"][block]
    assert await all_candidates(harness.bot) == []
    assert _posts(harness) == []


async def test_every_bad_field_is_reported_at_once(harness: Harness) -> None:
    reply = await submit_intake(harness, "", level=None, profile_url="nope")
    assert set(reply.json["errors"]) == {
        IntakeBlock.NAME,
        IntakeBlock.LEVEL,
        IntakeBlock.PROFILE_URL,
    }


async def test_an_open_candidate_with_the_same_name_is_an_error_linking_their_thread(
    harness: Harness,
) -> None:
    first = await add_candidate(harness, EVE)
    harness.fake.clear()
    reply = await submit_intake(harness, "  <!CHANNEL>  eve   <@u0123> ")
    error = reply.json["errors"][IntakeBlock.NAME]
    assert f"#{first.id}" in error and first.permalink and first.permalink in error
    assert "&lt;!channel&gt; Eve &lt;@U0123&gt;" in error and "<!channel>" not in error
    assert len(await all_candidates(harness.bot)) == 1
    assert _posts(harness) == []


async def test_an_open_candidate_with_the_same_profile_link_is_an_error(harness: Harness) -> None:
    first = await add_candidate(harness, profile_url="https://www.linkedin.com/in/jane/")
    reply = await submit_intake(harness, "Jane D.", profile_url="http://LinkedIn.com/in/jane")
    error = reply.json["errors"][IntakeBlock.PROFILE_URL]
    assert f"#{first.id}" in error
    assert len(await all_candidates(harness.bot)) == 1


async def test_a_closed_candidate_does_not_block_the_same_name(harness: Harness) -> None:
    first = await add_candidate(harness)
    await _set_status(harness, first.id or 0, CandidateStatus.REJECTED)
    await add_candidate(harness)
    assert len(await all_candidates(harness.bot)) == 2


# --------------------------------------------------------------------- submitted twice


async def test_the_same_view_submitted_twice_creates_one_candidate_and_one_card(
    harness: Harness,
) -> None:
    first = await submit_intake(harness, view_id="VDOUBLE01")
    second = await submit_intake(harness, view_id="VDOUBLE01")
    assert first.text == "" and second.text == ""  # both close the modal, no error
    assert len(await all_candidates(harness.bot)) == 1
    assert len(_posts(harness)) == 2  # the card and its question set, once


async def test_two_submissions_of_one_view_at_the_same_moment_create_one_candidate(
    harness: Harness,
) -> None:
    replies = await asyncio.gather(*(submit_intake(harness, view_id="VRACE0001") for _ in range(3)))
    assert all(reply.status == 200 and reply.text == "" for reply in replies)
    assert len(await all_candidates(harness.bot)) == 1
    assert len(_posts(harness)) == 2


async def test_losing_the_insert_race_answers_with_the_winner(
    harness: Harness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    await submit_intake(harness, view_id="VRACE0002")
    harness.fake.clear()

    def once_not_yet_committed(name: str) -> None:
        real = getattr(store, name)

        async def lookup(session: Any, key: str) -> Candidate | None:
            monkeypatch.setattr(store, name, real)
            return None

        monkeypatch.setattr(store, name, lookup)

    # The other submission commits between our checks and our insert.
    once_not_yet_committed("by_intake_view")
    once_not_yet_committed("open_with_name_key")
    with caplog.at_level(logging.INFO, logger="bot.candidates"):
        reply = await submit_intake(harness, view_id="VRACE0002")
    assert reply.status == 200 and reply.text == ""
    assert "submitted twice" in caplog.text  # the unique view id caught it
    assert len(await all_candidates(harness.bot)) == 1
    assert _posts(harness) == []


# --------------------------------------------------------------------- the hiring channel


async def _refresh(harness: Harness, candidate_id: int) -> None:
    async with transaction(harness.bot.sessions) as session:
        await refresh_card(session, harness.bot, candidate_id)
    await harness.deliver()


async def test_a_public_channel_the_bot_is_not_in_is_joined_and_the_card_posted(
    harness: Harness, fake_slack: FakeSlack
) -> None:
    fake_slack.add_channel(HIRING_CHANNEL, is_private=False, is_member=False)
    candidate = await add_candidate(harness)
    # A public channel's members are listed whether or not the bot is in it.
    skipped = ("auth.test", "conversations.members", "views.publish")
    methods = [c.method for c in fake_slack.calls if c.method not in skipped]
    assert methods[:3] == ["chat.postMessage", "conversations.join", "chat.postMessage"]
    assert candidate.thread_ts is not None
    assert _posts(harness)[-1].args["thread_ts"] == candidate.thread_ts


async def test_a_private_channel_without_the_bot_keeps_the_candidate_and_tells_the_user(
    make_harness: Any, fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    # Its members cannot be read either, so only an admin is on the team meanwhile.
    harness = await make_harness(hiring_admins=frozenset({"U0ANA"}))
    fake_slack.add_channel(HIRING_CHANNEL, is_private=True, is_member=False)
    with caplog.at_level(logging.INFO):
        reply = await submit_intake(harness, EVE, user_id="U0ANA", notes="secret notes")
    assert reply.text == ""
    (candidate,) = await all_candidates(harness.bot)
    assert candidate.thread_ts is None

    (dm,) = [c for c in _posts(harness) if c.response["ok"]]
    assert dm.args["channel"] == "U0ANA"
    assert "/invite <@UBOT>" in dm.args["text"] and f"#{candidate.id}" in dm.args["text"]
    assert "&lt;!channel&gt; Eve" in dm.args["text"] and "<!channel>" not in dm.args["text"]
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and "HIRING_CHANNEL_ID=C0HIRING" in errors[0]
    for record in caplog.records:
        assert "Eve" not in record.getMessage() and "secret" not in record.getMessage()

    # Once invited, the next touch posts the card and its question set.
    fake_slack.add_channel(HIRING_CHANNEL, is_private=True, is_member=True)
    harness.fake.clear()
    await _refresh(harness, candidate.id or 0)
    card, kit = _posts(harness)
    assert card.args["channel"] == HIRING_CHANNEL and kit.args["thread_ts"] == card.response["ts"]
    (candidate,) = await all_candidates(harness.bot)
    assert candidate.thread_ts == card.response["ts"] and candidate.permalink


async def test_a_private_channel_without_the_bot_refuses_its_members_saying_why(
    harness: Harness, fake_slack: FakeSlack
) -> None:
    fake_slack.add_channel(HIRING_CHANNEL, is_private=True, is_member=False)
    reply = await harness.command("new Jane")
    text = reply.json["text"]
    assert "hiring team" in text and "channel_not_found" in text and "/invite" in text
    assert harness.fake.calls_to("views.open") == []


async def test_an_unknown_channel_is_an_error_log_naming_the_setting_and_a_dm(
    make_harness: Any, fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    harness = await make_harness(hiring_admins=frozenset({HIRING_MANAGER}))
    fake_slack.add_channel("C0OTHER")
    with caplog.at_level(logging.ERROR):
        await add_candidate(harness)
    (dm,) = [c for c in _posts(harness) if c.response["ok"]]
    assert dm.args["channel"] == HIRING_MANAGER and "HIRING_CHANNEL_ID" in dm.args["text"]
    (error,) = [r.getMessage() for r in caplog.records]
    assert "HIRING_CHANNEL_ID=C0HIRING" in error and "channel_not_found" in error
    assert "Jane" not in error
    assert len(await all_candidates(harness.bot)) == 1


# --------------------------------------------------------------------- who may add


async def test_with_admins_set_a_stranger_is_told_who_to_ask(make_harness: Any) -> None:
    harness = await make_harness(hiring_admins=frozenset({"U0ADMIN", "U0BOSS"}))
    reply = await harness.command("new Jane", user_id="U0STRANGER")
    body = reply.json
    assert body["response_type"] == "ephemeral"
    assert "<@U0ADMIN>" in body["text"] and "<@U0BOSS>" in body["text"]
    assert harness.fake.calls_to("views.open") == []


async def test_with_admins_set_admins_and_hiring_managers_may_add(make_harness: Any) -> None:
    harness = await make_harness(hiring_admins=frozenset({"U0ADMIN"}))
    harness.fake.add_user("U0HANA")  # a member of the hiring channel
    await harness.command("new", user_id="U0ADMIN")
    await add_candidate(harness, user_id="U0ADMIN", hiring_manager="U0HANA")
    await harness.command("new", user_id="U0HANA")
    assert len(harness.fake.calls_to("views.open")) == 2


async def test_with_admins_set_a_member_submitting_anyway_stores_nothing(
    make_harness: Any,
) -> None:
    harness = await make_harness(hiring_admins=frozenset({"U0ADMIN"}))
    harness.fake.add_user("U0MEMBER")  # in the channel, but neither admin nor manager
    reply = await submit_intake(harness, user_id="U0MEMBER")
    # Not a field to correct: the form gives way to the reason, the admins named.
    notice = reply.json["view"]["blocks"][0]["text"]["text"]
    assert reply.json["response_action"] == "update"
    assert "hiring admin" in notice and "<@U0ADMIN>" in notice
    assert await all_candidates(harness.bot) == []


async def test_someone_outside_the_team_submitting_a_form_anyway_stores_nothing(
    harness: Harness,
) -> None:
    reply = await submit_intake(harness, user_id="U0STRANGER")
    notice = reply.json["view"]["blocks"][0]["text"]["text"]
    assert reply.json["response_action"] == "update" and "hiring team" in notice
    assert await all_candidates(harness.bot) == []
    assert harness.fake.calls_to("chat.postMessage") == []


async def test_without_admins_any_member_of_the_channel_may_add(harness: Harness) -> None:
    harness.fake.add_user("U0ANYONE")
    await harness.command("new", user_id="U0ANYONE")
    assert len(harness.fake.calls_to("views.open")) == 1
    reply = await harness.command("new", user_id="U0STRANGER")
    assert "hiring team" in reply.json["text"]
    assert len(harness.fake.calls_to("views.open")) == 1


# --------------------------------------------------------------------- the card over time


async def test_refresh_card_edits_the_card_in_place(harness: Harness) -> None:
    candidate = await add_candidate(harness)
    await _set_status(harness, candidate.id or 0, CandidateStatus.REJECTED)
    harness.fake.clear()
    await _refresh(harness, candidate.id or 0)
    (update,) = harness.fake.calls_to("chat.update")
    assert update.response["ok"], update.response
    assert update.args["ts"] == candidate.thread_ts
    blocks = update.args["blocks"]
    assert "Rejected" in json.dumps(blocks)
    assert not [b for b in blocks if b["type"] == "actions"]  # closed: no more buttons
    assert _posts(harness) == []


async def test_a_card_deleted_in_slack_does_not_fail_a_refresh(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    candidate = await add_candidate(harness)
    harness.fake.fail("chat.update", "message_not_found")
    with caplog.at_level(logging.WARNING):
        await _refresh(harness, candidate.id or 0)
    assert "message_not_found" in caplog.text


async def test_days_in_stage_follow_the_injected_clock(
    harness: Harness, clock: FrozenClock
) -> None:
    from bot.candidates import days_in_stage

    candidate = await add_candidate(harness)
    clock.advance(timedelta(days=3, hours=5))
    assert days_in_stage(candidate, clock.now()) == 3


async def test_post_in_thread_replies_under_the_card(harness: Harness) -> None:
    candidate = await add_candidate(harness)
    harness.fake.clear()
    async with transaction(harness.bot.sessions) as session:
        await post_in_thread(session, harness.bot, candidate, text="Hello thread")
    await harness.deliver()
    (reply,) = _posts(harness)
    assert reply.args["thread_ts"] == candidate.thread_ts
    assert thread_link(candidate) == candidate.permalink


async def test_post_in_thread_without_a_card_tries_the_card_first(
    make_harness: Any, fake_slack: FakeSlack
) -> None:
    harness = await make_harness(hiring_admins=frozenset({HIRING_MANAGER}))
    fake_slack.add_channel(HIRING_CHANNEL, is_private=True, is_member=False)
    stale = await add_candidate(harness)
    assert thread_link(stale) is None
    async with transaction(harness.bot.sessions) as session:
        await post_in_thread(session, harness.bot, stale, text="Hello")
    await harness.deliver()
    assert [c for c in _posts(harness) if c.response["ok"] and c.args.get("thread_ts")] == []

    fake_slack.add_channel(HIRING_CHANNEL, is_private=True, is_member=True)
    fake_slack.clear()
    async with transaction(harness.bot.sessions) as session:
        await post_in_thread(session, harness.bot, stale, text="Hello")
    await harness.deliver()
    card, kit, hello = _posts(harness)
    assert kit.args["thread_ts"] == hello.args["thread_ts"] == card.response["ts"]


async def test_post_stage_kit_posts_the_current_stage(harness: Harness) -> None:
    candidate = await add_candidate(harness)
    candidate.stage_key = "technical"
    harness.fake.clear()
    async with transaction(harness.bot.sessions) as session:
        await post_stage_kit(session, harness.bot, candidate)
    await harness.deliver()
    (kit,) = _posts(harness)
    assert kit.args["thread_ts"] == candidate.thread_ts
    assert kit.args["blocks"][0]["text"]["text"].startswith("Technical")
