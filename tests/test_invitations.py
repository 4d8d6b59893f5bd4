"""Invitations as iCalendar text, and the candidate's email from its template."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from bot.candidate_email import (
    EMAIL_FILE,
    EmailFacts,
    EmailKind,
    build_message,
    load_candidate_emails,
    render,
)
from bot.invitations import Guest, Meeting, Method, ics, meeting_uid
from bot.kits import KitError, default_prompts_dir

START = datetime(2026, 12, 2, 14, 0, tzinfo=UTC)
STAMP = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
MEETING = Meeting(
    uid=meeting_uid("interview", 7, "C0HIRING"),
    sequence=3,
    summary="Technical interview: Jane Doe",
    starts_at=START,
    duration_minutes=90,
    description="Interviewers: Ana, Ben",
    organizer="hiring@example.com",
    video_link="https://meet.example.com/x",
    url="https://slack.example.com/thread",
    guests=(Guest("Jane Doe", "jane@example.com"),),
)


def event(text: str) -> tuple[Calendar, object]:
    calendar = Calendar.from_ical(text)
    [found] = calendar.walk("VEVENT")
    return calendar, found


def test_a_request_carries_uid_sequence_times_organizer_and_attendee() -> None:
    calendar, found = event(ics(MEETING, Method.REQUEST, stamp=STAMP))
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(found["UID"]) == "interview-7-c0hiring@mlops-hiring-bot"
    assert int(found["SEQUENCE"]) == 3
    assert found["DTSTART"].dt == START
    assert found["DTEND"].dt == datetime(2026, 12, 2, 15, 30, tzinfo=UTC)
    assert str(found["ORGANIZER"]) == "mailto:hiring@example.com"
    assert str(found["ATTENDEE"]) == "mailto:jane@example.com"
    assert found["ATTENDEE"].params["CN"] == "Jane Doe"
    assert str(found["LOCATION"]) == "https://meet.example.com/x"
    assert str(found["STATUS"]) == "CONFIRMED"


def test_a_cancel_says_so_and_a_stored_event_has_no_method() -> None:
    calendar, found = event(ics(MEETING, Method.CANCEL, stamp=STAMP))
    assert (str(calendar["METHOD"]), str(found["STATUS"])) == ("CANCEL", "CANCELLED")
    stored, _ = event(ics(MEETING, None, stamp=STAMP))
    assert "METHOD" not in stored


FACTS = EmailFacts(
    candidate_name="Jane Doe",
    stage="Technical",
    starts_at=START,
    duration_minutes=90,
    zone=ZoneInfo("America/Los_Angeles"),
    video_link=None,
    interviewers=("Ana", "Ben"),
)


def test_each_email_is_rendered_in_the_candidates_time_zone() -> None:
    templates = load_candidate_emails(None)
    invitation = render(templates, EmailKind.INVITATION, FACTS)
    assert invitation.subject == "Your Technical interview on Wednesday 2 December 2026, 06:00"
    assert "(America/Los_Angeles), for 90 minutes, with Ana, Ben" in invitation.body
    assert "Video call: a link will follow" in invitation.body
    assert render(templates, EmailKind.CANCELLATION, FACTS).subject.startswith("Cancelled:")
    message = build_message(
        invitation, to="jane@example.com", mail_from="hr@example.com", ics="X", method="REQUEST"
    )
    [part] = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert part.get_param("method") == "REQUEST"


@pytest.mark.parametrize(
    ("edit", "where", "problem"),
    [
        (("$stage interview on", "$room interview on"), "invitation.subject", "$room"),
        (("Hello $candidate_name", "Pay 5$ now"), "invitation.body", "$$"),
        (('[cancellation]\nsubject = "', '[cancellation]\nsubjet = "'), "cancellation", "subjet"),
    ],
)
def test_a_bad_template_names_the_file_the_field_and_the_problem(
    tmp_path: Path, edit: tuple[str, str], where: str, problem: str
) -> None:
    shutil.copy(default_prompts_dir() / EMAIL_FILE, tmp_path / EMAIL_FILE)
    path = tmp_path / EMAIL_FILE
    path.write_text(path.read_text().replace(*edit, 1))
    with pytest.raises(KitError) as raised:
        load_candidate_emails(tmp_path)
    message = str(raised.value)
    assert message.startswith(f"{EMAIL_FILE}: {where}") and problem in message


def test_a_team_folder_without_the_file_uses_the_shipped_one(tmp_path: Path) -> None:
    assert load_candidate_emails(tmp_path) == load_candidate_emails(None)
