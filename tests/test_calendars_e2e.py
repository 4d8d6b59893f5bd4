"""The issue's "Done when", end to end against real servers: a panel of three (one on
CalDAV in Radicale, two on iCal feeds in two other time zones) connects from App Home;
*Find a time* proposes the right slots; the chosen one reaches every calendar (CalDAV
written, the feeds' owners an .ics in their DMs) and the candidate's inbox (aiosmtpd);
a reschedule moves it everywhere and a cancel removes it."""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from cryptography.fernet import Fernet
from icalendar import Calendar

from bot.config import SmtpSettings
from handlers.ids import Action, CalendarBlock, ScheduleBlock, View
from slackfake import FakeSlack
from slackfake import requests as sr
from storage.models import Interview
from tests.calendar_servers import (
    CALDAV_PASSWORD,
    FeedServer,
    Radicale,
    SmtpSink,
    attachment,
    body,
    fixture,
)
from tests.flows import add_candidate
from tests.harness import HIRING_MANAGER, Harness

ANA, BEN, CY = "U0ANA", "U0BEN", "U0CY"
KEY = Fernet.generate_key().decode()
MAIL_FROM = "hiring@example.com"
CANDIDATE_EMAIL = "jane.doe@example.com"
# Ben (New York) is busy on Monday 30 November 11:00-12:00 his time: 16:00-17:00 UTC.
BEN_FEED = """BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//tests//EN\r
BEGIN:VEVENT\r
UID:ben-1@tests\r
DTSTAMP:20261101T000000Z\r
DTSTART;TZID=America/New_York:20261130T110000\r
DTEND;TZID=America/New_York:20261130T120000\r
SUMMARY:Dentist\r
END:VEVENT\r
END:VCALENDAR\r
"""


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def schedule_values(
    *, slot: datetime | None = None, starts_at: datetime | None = None
) -> dict[str, dict[str, Any]]:
    values = {
        ScheduleBlock.STAGE: sr.select_value(ScheduleBlock.STAGE, "screening"),
        ScheduleBlock.INTERVIEWERS: sr.users_value(ScheduleBlock.INTERVIEWERS, (ANA, BEN, CY)),
        ScheduleBlock.STARTS_AT: sr.datetime_value(ScheduleBlock.STARTS_AT, starts_at),
        ScheduleBlock.DURATION: sr.select_value(ScheduleBlock.DURATION, "60"),
        ScheduleBlock.VIDEO_LINK: sr.url_value(
            ScheduleBlock.VIDEO_LINK, "https://meet.example.com/x"
        ),
    }
    if slot is not None:
        values[ScheduleBlock.SLOT] = sr.radio_value(ScheduleBlock.SLOT, str(int(slot.timestamp())))
    return values


async def connect(harness: Harness, user_id: str, **fields: str | None) -> None:
    reply = await harness.action(Action.CONNECT_CALENDAR, user_id=user_id)
    assert reply.status == 200
    view = harness.fake.calls_to("views.open")[-1].response["view"]
    assert view["callback_id"] == View.CONNECT_CALENDAR
    values = {
        block: sr.text_value(block, fields.get(block.name.lower())) for block in CalendarBlock
    }
    reply = await harness.post(sr.view_submission(user_id=user_id, view=view, values=values))
    assert (reply.status, reply.text) == (200, "")
    home = harness.fake.calls_to("views.publish")[-1]
    assert home.args["user_id"] == user_id
    assert "Read it" in str(home.args["view"]), "the first read of the calendar failed"


def dm_of(fake: FakeSlack, user_id: str) -> str:
    return str(fake.dm_channel(user_id))


def ics_files(fake: FakeSlack, user_dm: str) -> list[Calendar]:
    return [
        Calendar.from_ical(upload.content)
        for upload in fake.files.values()
        if upload.channel == user_dm and upload.filename.endswith(".ics")
    ]


def event_of(calendar: Calendar) -> Any:
    [event] = calendar.walk("VEVENT")
    return event


def check_invitation(
    calendar: Calendar, *, uid: str, sequence: int, method: str, start: datetime
) -> None:
    event = event_of(calendar)
    assert str(calendar["METHOD"]) == method
    assert (str(event["UID"]), int(event["SEQUENCE"])) == (uid, sequence)
    assert event["DTSTART"].dt == start
    assert event["DTEND"].dt - event["DTSTART"].dt == utc(2026, 1, 1, 1) - utc(2026, 1, 1)


async def test_a_panel_of_three_finds_a_time_and_the_invitation_follows_every_change(
    make_harness: Any,
    fake_slack: FakeSlack,
    radicale: Radicale,
    feed_server: FeedServer,
    smtp_sink: SmtpSink,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    smtp = SmtpSettings("127.0.0.1", smtp_sink.port, False, None, None, MAIL_FROM)
    harness: Harness = await make_harness(secret_keys=(KEY,), smtp=smtp)
    fake_slack.add_user(ANA, real_name="Ana", tz="Europe/London", email="ana@example.com")
    fake_slack.add_user(BEN, real_name="Ben", tz="America/New_York", email="ben@example.com")
    fake_slack.add_user(CY, real_name="Cy", tz="Europe/Berlin", email="cy@example.com")
    # Ana: CalDAV, a weekly Monday 14:00 London meeting whose 30 November occurrence moved
    # to 13:00. Ben: a feed in New York. Cy: a feed in Berlin, off all of 1 December, with
    # a free and a cancelled event on 3 December that must not block it.
    calendar_name = f"work-{uuid.uuid4().hex[:8]}"
    ana_url = await radicale.make_calendar(
        "ana", calendar_name, fixture("weekly_with_exception.ics")
    )
    feed_server.feeds["ben"] = BEN_FEED
    feed_server.feeds["cy"] = fixture("all_day_and_zones.ics")
    await connect(
        harness, ANA, caldav_url=ana_url, caldav_username="ana", caldav_password=CALDAV_PASSWORD
    )
    await connect(harness, BEN, ics_url=feed_server.url("ben"))
    await connect(harness, CY, ics_url=feed_server.url("cy"))
    # The candidate can meet 09:00-10:30 New York time: 14:00-15:30 UTC.
    candidate = await add_candidate(
        harness, email=CANDIDATE_EMAIL, timezone="America/New_York", hours="09:00-10:30"
    )

    # Find a time, in the modal the card's button opened.
    await harness.action(Action.SCHEDULE_INTERVIEW, value=f"candidate:{candidate.id}")
    opened = fake_slack.calls_to("views.open")[-1].response["view"]
    state = {"state": {"values": schedule_values()}}
    reply = await harness.post(
        sr.block_actions(
            user_id=HIRING_MANAGER,
            action_id=Action.FIND_TIME,
            view=opened | state,
            trigger_id=fake_slack.new_trigger_id(),
        )
    )
    assert reply.status == 200
    update = fake_slack.calls_to("views.update")[-1]
    assert update.args["view_id"] == opened["id"]
    [slot_block] = [
        b for b in update.args["view"]["blocks"] if b.get("block_id") == ScheduleBlock.SLOT
    ]
    proposed = [int(o["value"]) for o in slot_block["element"]["options"]]
    assert proposed == [
        int(moment.timestamp())
        for moment in (
            utc(2026, 11, 30, 14),  # free since Ana's meeting moved to 13:00
            utc(2026, 11, 30, 14, 30),  # 15:00 would end past the candidate's 10:30
            utc(2026, 12, 2, 14),  # 1 December is Cy's day off in Berlin
            utc(2026, 12, 2, 14, 30),
            utc(2026, 12, 3, 14),  # Cy's free and cancelled events block nothing
        )
    ]

    # Pick the first: it is scheduled, and the invitation reaches everyone.
    updated = update.response["view"]
    reply = await harness.post(
        sr.view_submission(
            user_id=HIRING_MANAGER, view=updated, values=schedule_values(slot=utc(2026, 11, 30, 14))
        )
    )
    assert (reply.status, reply.text) == (200, "")
    async with harness.bot.sessions() as session:
        interview = await session.get(Interview, 1)
    assert interview is not None and interview.starts_at == utc(2026, 11, 30, 14)
    uid = f"interview-{interview.id}-c0hiring@mlops-hiring-bot"
    [stored] = [e for e in await radicale.events("ana", calendar_name) if f"UID:{uid}" in e]
    assert "DTSTART:20261130T140000Z" in stored
    assert "METHOD" not in stored
    for user in (ANA, BEN, CY):
        [file] = ics_files(fake_slack, dm_of(fake_slack, user))
        check_invitation(file, uid=uid, sequence=0, method="REQUEST", start=utc(2026, 11, 30, 14))
        # Each interviewer's calendar knows the invitation is theirs by their address.
        assert [str(a) for a in event_of(file)["ATTENDEE"]] == [
            "mailto:ana@example.com",
            "mailto:ben@example.com",
            "mailto:cy@example.com",
        ]
    # A CalDAV calendar holds the event alone: no organizer or attendees to invite.
    assert "ORGANIZER" not in stored and "ATTENDEE" not in stored
    [mail] = smtp_sink.messages
    assert smtp_sink.envelopes[0] == (MAIL_FROM, [CANDIDATE_EMAIL])
    assert mail["To"] == CANDIDATE_EMAIL and "Screening" in mail["Subject"]
    assert "Monday 30 November 2026, 09:00 (America/New_York)" in body(mail)
    invitation = Calendar.from_ical(attachment(mail))
    check_invitation(invitation, uid=uid, sequence=0, method="REQUEST", start=utc(2026, 11, 30, 14))
    assert str(event_of(invitation)["ATTENDEE"]) == f"mailto:{CANDIDATE_EMAIL}"
    assert str(event_of(invitation)["ORGANIZER"]) == f"mailto:{MAIL_FROM}"

    # Reschedule to Wednesday 14:00, typed: everything moves, SEQUENCE 1.
    moved = utc(2026, 12, 2, 14)
    await harness.action(Action.RESCHEDULE_INTERVIEW, value=f"interview:{interview.id}")
    view = fake_slack.calls_to("views.open")[-1].response["view"]
    reply = await harness.post(
        sr.view_submission(
            user_id=HIRING_MANAGER, view=view, values=schedule_values(starts_at=moved)
        )
    )
    assert (reply.status, reply.text) == (200, "")
    [stored] = [e for e in await radicale.events("ana", calendar_name) if f"UID:{uid}" in e]
    assert "DTSTART:20261202T140000Z" in stored
    for user in (ANA, BEN, CY):
        _, file = ics_files(fake_slack, dm_of(fake_slack, user))
        check_invitation(file, uid=uid, sequence=1, method="REQUEST", start=moved)
    _, mail = smtp_sink.messages
    assert mail["Subject"].strip().startswith("New time for your Screening interview")
    assert "Wednesday 2 December 2026, 09:00" in body(mail)
    check_invitation(
        Calendar.from_ical(attachment(mail)), uid=uid, sequence=1, method="REQUEST", start=moved
    )

    # Cancel: gone from Ana's calendar, a CANCEL for everyone, SEQUENCE 2.
    reply = await harness.action(Action.CANCEL_INTERVIEW, value=f"interview:{interview.id}")
    assert reply.status == 200
    assert not [e for e in await radicale.events("ana", calendar_name) if f"UID:{uid}" in e]
    for user in (ANA, BEN, CY):
        *_, file = ics_files(fake_slack, dm_of(fake_slack, user))
        check_invitation(file, uid=uid, sequence=2, method="CANCEL", start=moved)
    *_, mail = smtp_sink.messages
    assert len(smtp_sink.messages) == 3 and mail["Subject"].strip().startswith("Cancelled:")
    check_invitation(
        Calendar.from_ical(attachment(mail)), uid=uid, sequence=2, method="CANCEL", start=moved
    )
    # At DEBUG, through all of it, no log line held a feed's secret or the CalDAV password.
    logged = caplog.text + "".join(str(record.args) for record in caplog.records)
    assert "s3cr3t" not in logged and CALDAV_PASSWORD not in logged
