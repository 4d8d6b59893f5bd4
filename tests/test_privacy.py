"""Exporting and erasing a candidate's data, through Slack."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlmodel import func, select

from handlers.ids import View
from slackfake import FakeSlack
from slackfake import requests as sr
from storage.models import AuditEvent, Candidate, Interview, Reminder
from tests.flows import ANA, BEN, add_candidate, open_schedule, submit_schedule
from tests.harness import HIRING_CHANNEL, HIRING_MANAGER, Harness

# Its SQL can behave differently by dialect: it runs on PostgreSQL too.
pytestmark = pytest.mark.both_databases

ADMIN, STRANGER = "U0ADMIN", "U0STRANGER"


@pytest.fixture
async def scheduled(harness: Harness, fake_slack: FakeSlack) -> Candidate:
    """A candidate with a posted card, a thread, and an interview DM'd to two people."""
    fake_slack.add_user(ANA, real_name="Ana")
    fake_slack.add_user(BEN, real_name="Ben")
    candidate = await add_candidate(harness, "Jane <!channel> Doe", notes="Met at KubeCon")
    view = await open_schedule(harness, candidate)
    reply = await submit_schedule(harness, view, starts_at=datetime(2026, 12, 2, 14, 0, tzinfo=UTC))
    assert reply.status == 200 and not reply.text
    return candidate


async def _count(harness: Harness, model: Any) -> int:
    async with harness.bot.sessions() as session:
        return (await session.exec(select(func.count()).select_from(model))).one()


async def test_export_sends_every_record_as_a_json_file_in_a_dm(
    harness: Harness, scheduled: Candidate
) -> None:
    reply = await harness.command(f"export #{scheduled.id}")
    assert reply.json["response_type"] == "ephemeral"
    assert f"#{scheduled.id}" in reply.json["text"]
    # The interview's invitations are files too; the export is the one JSON file.
    [upload] = [f for f in harness.fake.files.values() if f.filename.endswith(".json")]
    document = json.loads(upload.content)
    assert document["candidate"][0]["name"] == "Jane <!channel> Doe"
    assert document["candidate"][0]["notes"] == "Met at KubeCon"
    assert len(document["interviews"]) == 1 and len(document["interviewers"]) == 2
    assert document["reminders"] and document["audit_events"]
    assert upload.filename == f"candidate-{scheduled.id}.json"
    [dm] = harness.fake.calls_to("conversations.open")[-1:]
    assert upload.channel == dm.response["channel"]["id"]
    complete = harness.fake.calls_to("files.completeUploadExternal")[-1]
    assert "&lt;!channel&gt;" in complete.args["initial_comment"]


async def test_export_is_refused_to_anyone_but_the_hiring_manager_and_admins(
    harness: Harness, scheduled: Candidate
) -> None:
    await harness.join_channel(STRANGER)  # in the hiring channel
    reply = await harness.command(f"export #{scheduled.id}", user_id=STRANGER)
    assert f"<@{HIRING_MANAGER}>" in reply.json["text"]
    assert not [f for f in harness.fake.files.values() if f.filename.endswith(".json")]


async def test_erase_asks_for_confirmation_then_deletes_records_and_bot_messages(
    harness: Harness, scheduled: Candidate
) -> None:
    thread_before = harness.fake.messages_in(HIRING_CHANNEL)
    assert len(thread_before) >= 3  # card, screening kit, interview note
    reply = await harness.command(f"erase #{scheduled.id}")
    assert reply.status == 200
    view = harness.fake.calls_to("views.open")[-1].response["view"]
    assert view["callback_id"] == View.ERASE_CANDIDATE
    assert await _count(harness, Candidate) == 1

    reply = await harness.post(sr.view_submission(user_id=HIRING_MANAGER, view=view, values={}))
    assert reply.status == 200 and not reply.text

    for model in (Candidate, Interview, Reminder):
        assert await _count(harness, model) == 0
    async with harness.bot.sessions() as session:
        [event] = (await session.exec(select(AuditEvent))).all()
    assert event.action == "candidate_erased" and event.candidate_id is None
    assert "Jane" not in json.dumps(event.detail)
    assert harness.fake.messages_in(HIRING_CHANNEL) == []
    interviewer_dms = {harness.fake.dm_channel(user) or "" for user in (ANA, BEN)}
    assert len(interviewer_dms) == 2
    assert [harness.fake.messages_in(dm) for dm in interviewer_dms] == [[], []]
    summary = harness.fake.calls_to("chat.postMessage")[-1]
    assert summary.args["channel"] == HIRING_MANAGER
    assert "erased" in summary.args["text"] and "could not" not in summary.args["text"]


async def test_erase_is_for_admins_when_the_team_has_some(
    make_harness: Any, fake_slack: FakeSlack
) -> None:
    harness = await make_harness(hiring_admins=frozenset({ADMIN, HIRING_MANAGER}))
    await harness.join_channel("U0OTHERHM")
    candidate = await add_candidate(harness, hiring_manager="U0OTHERHM")
    reply = await harness.command(f"erase #{candidate.id}", user_id="U0OTHERHM")
    assert "Only a hiring admin" in reply.json["text"]
    assert harness.fake.calls_to("views.open") == []
    assert await _count(harness, Candidate) == 1


async def test_a_stale_erase_modal_changes_nothing_for_someone_no_longer_allowed(
    harness: Harness, scheduled: Candidate
) -> None:
    await harness.join_channel(STRANGER)  # in the hiring channel, but not allowed to erase
    await harness.command(f"erase #{scheduled.id}")
    view = harness.fake.calls_to("views.open")[-1].response["view"]
    reply = await harness.post(sr.view_submission(user_id=STRANGER, view=view, values={}))
    assert reply.status == 200
    assert await _count(harness, Candidate) == 1
    # The form gives way to the reason.
    assert reply.json["response_action"] == "update"
    [notice] = reply.json["view"]["blocks"]
    assert "Only the hiring manager" in notice["text"]["text"]


async def test_unknown_candidate_is_named_clearly(harness: Harness) -> None:
    reply = await harness.command("erase #999")
    assert "#999 no longer exists" in reply.json["text"]
