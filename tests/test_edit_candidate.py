"""*Edit* on the card and ``/mlops-candidate edit NAME``: the form prefilled, who may, what
bad input gets, and everything that shows the candidate refreshed, the change audited."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlmodel import col, select

from handlers.ids import Action, IntakeBlock, ScheduleBlock, View
from handlers.refs import Ref, ref
from slackfake import FakeSlack
from slackfake import requests as sr
from storage.models import AuditEvent, Candidate, Interview, Reminder
from tests.flows import add_candidate, intake_values
from tests.harness import HIRING_CHANNEL, HIRING_MANAGER, Harness, Reply
from tests.seed import all_candidates

ANA, BEN, ADMIN = "U0ANA", "U0BEN", "U0ADMIN"
WHEN = datetime(2026, 12, 2, 14, 0, tzinfo=UTC)


@pytest.fixture
async def editing(make_harness: Any, fake_slack: FakeSlack) -> Harness:
    """Jane, with her card and a Screening interview whose kit DMs went to Ana and Ben."""
    for user_id in (ANA, BEN, ADMIN):
        fake_slack.add_user(user_id)
    harness: Harness = await make_harness(hiring_admins=frozenset({ADMIN}))
    jane = await add_candidate(
        harness,
        user_id=ADMIN,
        profile_url="https://www.linkedin.com/in/jane-doe",
        source="Referral",
    )
    await harness.action(
        Action.SCHEDULE_INTERVIEW, value=ref(Ref.CANDIDATE, jane.id or 0), user_id=HIRING_MANAGER
    )
    view = harness.fake.calls_to("views.open")[-1].response["view"]
    reply = await harness.post(
        sr.view_submission(
            user_id=HIRING_MANAGER,
            view=view,
            values={
                ScheduleBlock.STAGE: sr.select_value(ScheduleBlock.STAGE, "screening"),
                ScheduleBlock.INTERVIEWERS: sr.users_value(ScheduleBlock.INTERVIEWERS, [ANA, BEN]),
                ScheduleBlock.STARTS_AT: sr.datetime_value(ScheduleBlock.STARTS_AT, WHEN),
                ScheduleBlock.DURATION: sr.select_value(ScheduleBlock.DURATION, "30"),
                ScheduleBlock.VIDEO_LINK: sr.url_value(ScheduleBlock.VIDEO_LINK, None),
            },
        )
    )
    assert (reply.status, reply.text) == (200, "")
    harness.fake.clear()
    return harness


async def _open(harness: Harness, user_id: str = HIRING_MANAGER) -> dict[str, Any]:
    reply = await harness.command("edit Jane Doe", user_id=user_id)
    assert (reply.status, reply.text) == (200, ""), reply.text
    return harness.fake.calls_to("views.open")[-1].response["view"]


async def _save(
    harness: Harness, view: dict[str, Any], *, user_id: str = HIRING_MANAGER, **changes: Any
) -> Reply:
    fields: dict[str, Any] = {
        "level": "senior",
        "location": "uk_london",
        "profile_url": "https://www.linkedin.com/in/jane-doe",
        "source": "Referral",
    }
    fields.update(changes)
    name = fields.pop("name", "Jane Doe")
    values = intake_values(name, **fields)
    return await harness.post(sr.view_submission(user_id=user_id, view=view, values=values))


async def _audit(harness: Harness) -> list[AuditEvent]:
    async with harness.bot.sessions() as session:
        query = select(AuditEvent).where(AuditEvent.action == "candidate_edited")
        return list((await session.exec(query.order_by(col(AuditEvent.id)))).all())


def _inputs(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {block["block_id"]: block["element"] for block in view["blocks"]}


async def test_the_command_opens_the_intake_form_prefilled(editing: Harness) -> None:
    view = await _open(editing)
    assert view["callback_id"] == View.EDIT_CANDIDATE and view["title"]["text"] == "Edit candidate"
    inputs = _inputs(view)
    assert inputs[IntakeBlock.NAME]["initial_value"] == "Jane Doe"
    assert inputs[IntakeBlock.LEVEL]["initial_option"]["value"] == "senior"
    assert inputs[IntakeBlock.LOCATION]["initial_option"]["value"] == "uk_london"
    assert inputs[IntakeBlock.PROFILE_URL]["initial_value"].endswith("/in/jane-doe")
    assert inputs[IntakeBlock.SOURCE]["initial_value"] == "Referral"
    assert inputs[IntakeBlock.HIRING_MANAGER]["initial_user"] == HIRING_MANAGER
    assert "initial_value" not in inputs[IntakeBlock.NOTES]


async def test_the_cards_edit_button_opens_the_same_form(editing: Harness) -> None:
    await editing.action(Action.EDIT_CANDIDATE, value=ref(Ref.CANDIDATE, 1), user_id=ADMIN)
    (opened,) = editing.fake.calls_to("views.open")
    assert opened.response["ok"] and opened.args["view"]["callback_id"] == View.EDIT_CANDIDATE


async def test_a_team_member_who_is_not_the_hiring_manager_is_refused(editing: Harness) -> None:
    reply = await editing.command("edit Jane Doe", user_id=ANA)
    assert "Only the hiring manager <@U0HM> or a hiring admin" in reply.json["text"]
    await editing.action(Action.EDIT_CANDIDATE, value=ref(Ref.CANDIDATE, 1), user_id=ANA)
    assert "Only the hiring manager" in editing.fake.calls_to("response_url")[0].args["text"]
    assert editing.fake.calls_to("views.open") == []


async def test_a_submission_by_someone_no_longer_allowed_changes_nothing(
    editing: Harness,
) -> None:
    view = await _open(editing)
    reply = await _save(editing, view, user_id=ANA, name="Jane Smith")
    assert "Only the hiring manager" in json.dumps(reply.json)
    assert [c.name for c in await all_candidates(editing.bot)] == ["Jane Doe"]
    assert await _audit(editing) == []


async def test_saving_changes_audits_old_and_new_and_refreshes_every_view(
    editing: Harness,
) -> None:
    view = await _open(editing)
    reply = await _save(
        editing, view, name="Jane Smith", level="mid", hiring_manager=BEN, notes="Re-levelled"
    )
    assert (reply.status, reply.text) == (200, "")

    (jane,) = await all_candidates(editing.bot)
    assert (jane.name, jane.name_key, jane.level, jane.hiring_manager_id) == (
        "Jane Smith",
        "jane smith",
        "mid",
        BEN,
    )
    (event,) = await _audit(editing)
    assert event.actor_id == HIRING_MANAGER and event.at == editing.bot.clock.now()
    assert event.detail == {
        "name": {"old": "Jane Doe", "new": "Jane Smith"},
        "level": {"old": "senior", "new": "mid"},
        "hiring_manager_id": {"old": HIRING_MANAGER, "new": BEN},
        "notes": {"old": None, "new": "Re-levelled"},
    }

    updates = editing.fake.calls_to("chat.update")
    (card,) = [
        u for u in updates if u.args["channel"] == HIRING_CHANNEL and u.args["ts"] == jane.thread_ts
    ]
    assert card.args["blocks"][0]["text"]["text"].startswith("Jane Smith")
    kit_dms = [u for u in updates if u.args["channel"].startswith("D")]
    assert len(kit_dms) == 2 and all("Jane Smith" in u.args["text"] for u in kit_dms)
    posts = editing.fake.calls_to("chat.postMessage")
    (note,) = [p for p in posts if p.args.get("thread_ts") == jane.thread_ts]
    assert "edited the candidate's details: name, level, hiring manager" in note.args["text"]
    (told,) = [p for p in posts if editing.fake.dm_user(p.args["channel"])]
    assert "made you the hiring manager of *Jane Smith*" in told.args["text"]
    # The name is found under its new spelling only.
    assert "Jane Smith" in (await editing.command("find smith")).text
    assert "No open candidate" in (await editing.command("schedule Jane Doe")).json["text"]


async def test_reminders_for_the_hiring_manager_follow_a_new_one(editing: Harness) -> None:
    async with editing.bot.sessions() as session:
        before = {r.kind: r.recipient_id for r in (await session.exec(select(Reminder))).all()}
    assert before["escalation"] == HIRING_MANAGER
    view = await _open(editing)
    await _save(editing, view, hiring_manager=BEN)
    async with editing.bot.sessions() as session:
        rows = (await session.exec(select(Reminder).where(Reminder.kind == "escalation"))).all()
    assert {r.recipient_id for r in rows} == {BEN}
    assert all(r.dedupe_key.endswith(f":{BEN}") for r in rows)


async def test_saving_the_same_details_changes_and_says_nothing(editing: Harness) -> None:
    view = await _open(editing)
    editing.fake.clear()
    reply = await _save(editing, view)
    assert (reply.status, reply.text) == (200, "")
    assert await _audit(editing) == [] and editing.fake.calls == []


@pytest.mark.parametrize(
    ("changes", "block", "message"),
    [
        ({"name": "  "}, IntakeBlock.NAME, "Enter the candidate's full name."),
        ({"name": "J" * 101}, IntakeBlock.NAME, "At most 100 characters"),
        ({"level": None}, IntakeBlock.LEVEL, "Choose a level."),
        ({"location": "mars"}, IntakeBlock.LOCATION, "Choose a location"),
        ({"profile_url": "javascript:alert(1)"}, IntakeBlock.PROFILE_URL, "http"),
        ({"source": "s" * 201}, IntakeBlock.SOURCE, "At most 200"),
        ({"hiring_manager": None}, IntakeBlock.HIRING_MANAGER, "Choose the hiring manager."),
        ({"notes": "n" * 3001}, IntakeBlock.NOTES, "At most 3000"),
    ],
)
async def test_bad_input_is_a_field_error_and_nothing_is_lost(
    editing: Harness, changes: dict[str, Any], block: str, message: str
) -> None:
    view = await _open(editing)
    editing.fake.clear()
    reply = await _save(editing, view, **changes)
    assert reply.json["response_action"] == "errors"
    assert message in reply.json["errors"][block]
    (jane,) = await all_candidates(editing.bot)
    assert (jane.name, jane.level, jane.hiring_manager_id) == ("Jane Doe", "senior", HIRING_MANAGER)
    assert await _audit(editing) == [] and editing.fake.calls == []


async def test_a_name_or_link_of_another_open_candidate_is_refused(editing: Harness) -> None:
    await add_candidate(
        editing, "Sam Other", profile_url="https://linkedin.com/in/sam", user_id=ADMIN
    )
    view = await _open(editing)
    reply = await _save(editing, view, name="SAM  other")
    assert "is already an open candidate (#2)" in reply.json["errors"][IntakeBlock.NAME]
    reply = await _save(editing, view, profile_url="http://www.LinkedIn.com/in/sam/")
    assert "(#2)" in reply.json["errors"][IntakeBlock.PROFILE_URL]
    names = [c.name for c in await all_candidates(editing.bot)]
    assert names == ["Jane Doe", "Sam Other"] and await _audit(editing) == []


async def test_a_form_overtaken_by_another_edit_saves_nothing(editing: Harness) -> None:
    first, second = await _open(editing), await _open(editing, user_id=ADMIN)
    assert (await _save(editing, first, name="Jane Smith")).text == ""
    reply = await _save(editing, second, user_id=ADMIN, level="mid")
    assert reply.json["response_action"] == "update"
    assert "changed this candidate's details since you opened" in json.dumps(reply.json)
    (jane,) = await all_candidates(editing.bot)
    assert (jane.name, jane.level) == ("Jane Smith", "senior")
    assert len(await _audit(editing)) == 1


async def test_a_closed_candidate_can_be_corrected_by_command(editing: Harness) -> None:
    async with editing.bot.sessions() as session, session.begin():
        jane = (await session.exec(select(Candidate))).one()
        jane.status = "rejected"
        session.add(jane)
    reply = await editing.command("edit #1")
    assert (reply.status, reply.text) == (200, "")
    view = editing.fake.calls_to("views.open")[-1].response["view"]
    assert (await _save(editing, view, name="Jane Doe-Smith")).text == ""
    assert (await all_candidates(editing.bot))[0].name == "Jane Doe-Smith"
    async with editing.bot.sessions() as session:
        assert len((await session.exec(select(Interview))).all()) == 1  # history kept
