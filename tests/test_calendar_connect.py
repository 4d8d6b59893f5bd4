"""Connecting a calendar from App Home, its secret kept secret, *Find a time* naming who
could not be read, and the hiring manager's copy of the candidate's invitation."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import pytest
from cryptography.fernet import Fernet
from icalendar import Calendar
from sqlmodel import select

from bot import availability, calendar_sources
from bot.calendars import NOT_SET_UP
from bot.secret_box import SecretBox, SecretsUnavailable
from handlers.ids import Action, CalendarBlock, ScheduleBlock
from slackfake import FakeSlack
from slackfake import requests as sr
from storage.models import CalendarConnection
from tests.calendar_servers import FeedServer, fixture
from tests.flows import add_candidate, submit_intake
from tests.harness import HIRING_MANAGER, Harness

ANA, BEN, CY, DEE = "U0ANA", "U0BEN", "U0CY", "U0DEE"
KEY = Fernet.generate_key().decode()


@pytest.fixture
async def calendars(make_harness: Any, fake_slack: FakeSlack) -> Harness:
    for user_id, zone in (
        (ANA, "Europe/London"),
        (BEN, "America/New_York"),
        (CY, "UTC"),
        (DEE, "UTC"),
    ):
        fake_slack.add_user(user_id, real_name=user_id[2:].title(), tz=zone)
    harness: Harness = await make_harness(secret_keys=(KEY,))
    return harness


def connect_values(**fields: str | None) -> dict[str, dict[str, Any]]:
    return {block: sr.text_value(block, fields.get(block.name.lower())) for block in CalendarBlock}


async def submit_connect(harness: Harness, user_id: str, **fields: str | None) -> Any:
    await harness.action(Action.CONNECT_CALENDAR, user_id=user_id)
    view = harness.fake.calls_to("views.open")[-1].response["view"]
    return await harness.post(
        sr.view_submission(user_id=user_id, view=view, values=connect_values(**fields))
    )


async def stored(harness: Harness) -> list[CalendarConnection]:
    async with harness.bot.sessions() as session:
        return list((await session.exec(select(CalendarConnection))).all())


async def test_a_feed_is_stored_encrypted_and_never_logged_or_shown(
    calendars: Harness, feed_server: FeedServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    feed_server.feeds["ana"] = fixture("weekly_with_exception.ics")
    url = feed_server.url("ana")
    reply = await submit_connect(calendars, ANA, ics_url=url)
    assert (reply.status, reply.text) == (200, "")
    [connection] = await stored(calendars)
    # Unreadable without SECRET_KEY, or with another key; readable with it.
    assert url not in connection.secret and "s3cr3t" not in connection.secret
    with pytest.raises(SecretsUnavailable):
        SecretBox([]).open(connection.secret)
    with pytest.raises(SecretsUnavailable):
        SecretBox([Fernet.generate_key().decode()]).open(connection.secret)
    assert url in SecretBox([KEY]).open(connection.secret)
    # Home shows what it is and that it was read, not the address.
    home = calendars.fake.calls_to("views.publish")[-1]
    shown = str(home.args["view"])
    assert "iCal feed on 127.0.0.1" in shown and "Read it" in shown and "s3cr3t" not in shown
    # Find a time and scheduling read it again; nothing logged it at DEBUG.
    candidate = await add_candidate(calendars)
    await find_time(calendars, candidate.id, (ANA,))
    assert "s3cr3t" not in caplog.text
    assert all("s3cr3t" not in str(record.args) for record in caplog.records)


async def test_bad_inputs_are_field_errors_and_nothing_is_stored(calendars: Harness) -> None:
    cases = [
        ({}, CalendarBlock.ICS_URL, "secret iCal address"),
        ({"ics_url": "ftp://example.com/cal.ics"}, CalendarBlock.ICS_URL, "https://"),
        (
            {"ics_url": "https://example.com/a.ics", "caldav_username": "ana"},
            CalendarBlock.ICS_URL,
            "not both",
        ),
        ({"caldav_url": "https://dav.example.com/ana/"}, CalendarBlock.CALDAV_USERNAME, "user"),
        (
            {"caldav_url": "https://dav.example.com/ana/", "caldav_username": "ana"},
            CalendarBlock.CALDAV_PASSWORD,
            "app password",
        ),
    ]
    for fields, block, words in cases:
        reply = await submit_connect(calendars, ANA, **fields)
        assert reply.status == 200
        assert reply.json["response_action"] == "errors"
        assert words in reply.json["errors"][block], (fields, reply.json)
    assert await stored(calendars) == []


async def test_an_unreadable_feed_is_connected_and_said_to_be_unavailable(
    calendars: Harness, feed_server: FeedServer
) -> None:
    reply = await submit_connect(calendars, ANA, ics_url=feed_server.url("garbage"))
    assert (reply.status, reply.text) == (200, "")
    shown = str(calendars.fake.calls_to("views.publish")[-1].args["view"])
    assert "Calendar unavailable: the feed is not an iCalendar file" in shown


async def test_without_a_secret_key_connecting_is_explained(make_harness: Any) -> None:
    harness: Harness = await make_harness()
    reply = await harness.action(Action.CONNECT_CALENDAR, user_id=ANA)
    assert reply.status == 200
    assert harness.fake.calls_to("views.open") == []
    [told] = harness.fake.calls_to("response_url")
    assert told.args["text"] == NOT_SET_UP


async def test_nothing_to_disconnect_is_said(calendars: Harness) -> None:
    reply = await calendars.action(Action.DISCONNECT_CALENDAR, user_id=ANA)
    assert reply.status == 200
    [told] = calendars.fake.calls_to("response_url")
    assert told.args["text"] == "You have no calendar connected."


async def test_its_owner_disconnects_it(calendars: Harness, feed_server: FeedServer) -> None:
    feed_server.feeds["ana"] = fixture("dst_weekly.ics")
    await submit_connect(calendars, ANA, ics_url=feed_server.url("ana"))
    reply = await calendars.action(Action.DISCONNECT_CALENDAR, user_id=ANA)
    assert reply.status == 200
    assert await stored(calendars) == []
    shown = str(calendars.fake.calls_to("views.publish")[-1].args["view"])
    assert "Disconnected" in shown and "Not connected" in shown


async def find_time(harness: Harness, candidate_id: int, interviewers: tuple[str, ...]) -> Any:
    await harness.action(Action.SCHEDULE_INTERVIEW, value=f"candidate:{candidate_id}")
    opened = harness.fake.calls_to("views.open")[-1].response["view"]
    values = {
        ScheduleBlock.STAGE: sr.select_value(ScheduleBlock.STAGE, "screening"),
        ScheduleBlock.INTERVIEWERS: sr.users_value(ScheduleBlock.INTERVIEWERS, interviewers),
        ScheduleBlock.DURATION: sr.select_value(ScheduleBlock.DURATION, "stage"),
    }
    reply = await harness.post(
        sr.block_actions(
            user_id=HIRING_MANAGER,
            action_id=Action.FIND_TIME,
            view=opened | {"state": {"values": values}},
            trigger_id=harness.fake.new_trigger_id(),
        )
    )
    assert reply.status == 200
    return harness.fake.calls_to("views.update")[-1].args["view"]


async def test_find_time_names_who_it_could_not_read(
    calendars: Harness, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(availability, "FETCH_BUDGET_SECONDS", 0.5)
    # Connecting reads the feed once, with the feeds' own timeout: the hanging one's ends.
    monkeypatch.setattr(calendar_sources, "FETCH_TIMEOUT_SECONDS", 0.5)
    feed_server.feeds["ana"] = fixture("weekly_with_exception.ics")
    for user_id, feed in ((ANA, "ana"), (BEN, "hang"), (CY, "garbage")):
        await submit_connect(calendars, user_id, ics_url=feed_server.url(feed))
    monkeypatch.setattr(calendar_sources, "FETCH_TIMEOUT_SECONDS", 10.0)
    candidate = await add_candidate(calendars)

    view = await find_time(calendars, candidate.id, (ANA, BEN, CY, DEE))

    text = str(view["blocks"])
    assert f"No calendar: check with them: <@{DEE}>" in text
    assert f"Calendar unavailable: <@{CY}>" in text
    assert f"Calendar too slow to answer: <@{BEN}>" in text
    [slots] = [b for b in view["blocks"] if b.get("block_id") == ScheduleBlock.SLOT]
    assert len(slots["element"]["options"]) == 5
    [starts] = [b for b in view["blocks"] if b.get("block_id") == ScheduleBlock.STARTS_AT]
    assert starts["optional"] is True


async def test_find_time_without_interviewers_asks_for_them(calendars: Harness) -> None:
    candidate = await add_candidate(calendars)
    view = await find_time(calendars, candidate.id, ())
    assert "Pick the interviewers first." in str(view["blocks"])


async def test_a_picked_slot_and_a_different_typed_time_is_a_field_error(
    calendars: Harness,
) -> None:
    candidate = await add_candidate(calendars)
    await calendars.action(Action.SCHEDULE_INTERVIEW, value=f"candidate:{candidate.id}")
    view = calendars.fake.calls_to("views.open")[-1].response["view"]
    values = {
        ScheduleBlock.STAGE: sr.select_value(ScheduleBlock.STAGE, "screening"),
        ScheduleBlock.INTERVIEWERS: sr.users_value(ScheduleBlock.INTERVIEWERS, (ANA,)),
        ScheduleBlock.STARTS_AT: sr.datetime_value(
            ScheduleBlock.STARTS_AT, datetime(2026, 12, 2, 9, tzinfo=UTC)
        ),
        ScheduleBlock.DURATION: sr.select_value(ScheduleBlock.DURATION, "stage"),
        ScheduleBlock.SLOT: sr.radio_value(ScheduleBlock.SLOT, "1796205600"),
    }
    reply = await calendars.post(
        sr.view_submission(user_id=HIRING_MANAGER, view=view, values=values)
    )
    assert reply.json == {
        "response_action": "errors",
        "errors": {ScheduleBlock.SLOT: "Pick a proposed time or type one below, not both."},
    }


async def test_without_smtp_the_hiring_manager_gets_the_email_to_forward(
    calendars: Harness,
) -> None:
    candidate = await add_candidate(
        calendars, "Jane <!channel> Doe", email="jane@example.com", timezone="Asia/Tokyo"
    )
    await calendars.action(Action.SCHEDULE_INTERVIEW, value=f"candidate:{candidate.id}")
    view = calendars.fake.calls_to("views.open")[-1].response["view"]
    values = {
        ScheduleBlock.STAGE: sr.select_value(ScheduleBlock.STAGE, "screening"),
        ScheduleBlock.INTERVIEWERS: sr.users_value(ScheduleBlock.INTERVIEWERS, (ANA,)),
        ScheduleBlock.STARTS_AT: sr.datetime_value(
            ScheduleBlock.STARTS_AT, datetime(2026, 12, 2, 9, tzinfo=UTC)
        ),
        ScheduleBlock.DURATION: sr.select_value(ScheduleBlock.DURATION, "stage"),
    }
    reply = await calendars.post(
        sr.view_submission(user_id=HIRING_MANAGER, view=view, values=values)
    )
    assert (reply.status, reply.text) == (200, "")
    [forward] = [
        f for f in calendars.fake.files.values() if f.filename == "invitation-for-candidate.ics"
    ]
    [complete] = [
        call
        for call in calendars.fake.calls_to("files.completeUploadExternal")
        if call.args.get("files") and "candidate" in str(call.args["files"])
    ]
    comment = complete.args["initial_comment"]
    assert "no SMTP_URL" in comment and "jane@example.com" in comment
    assert "Wednesday 2 December 2026, 18:00 (Asia/Tokyo)" in comment
    assert "&lt;!channel&gt;" in comment and "<!channel>" not in comment
    [event] = Calendar.from_ical(forward.content).walk("VEVENT")
    assert str(event["ATTENDEE"]) == "mailto:jane@example.com"


async def test_intake_refuses_a_bad_email_zone_or_hours(calendars: Harness) -> None:
    reply = await submit_intake(
        calendars, email="jane at example", timezone="Mars/Olympus", hours="9 to 5"
    )
    errors = reply.json["errors"]
    assert set(errors) == {"candidate_email", "candidate_timezone", "candidate_hours"}
    reply = await submit_intake(calendars, hours="09:00-17:00")
    assert reply.json["errors"] == {"candidate_timezone": "Hours need the time zone they are in."}
