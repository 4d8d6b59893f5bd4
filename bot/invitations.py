"""Calendar invitations as iCalendar text (RFC 5545/5546), built apart from any sending.

One UID per interview or debrief for its whole life; SEQUENCE rises with every change,
so a calendar replaces the event it holds; METHOD:REQUEST invites, METHOD:CANCEL removes.
A CalDAV calendar stores the event without a METHOD (RFC 4791 forbids one there).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from icalendar import Calendar, Event, vCalAddress, vText

PRODID = "-//mlops-hiring-bot//Interview scheduling//EN"
# Organizer of invitations when no MAIL_FROM is set: calendars need one to accept a REQUEST.
DEFAULT_ORGANIZER = "noreply@mlops-hiring-bot.invalid"


class Method(StrEnum):
    REQUEST = "REQUEST"
    CANCEL = "CANCEL"


@dataclass(frozen=True)
class Guest:
    name: str
    email: str


@dataclass(frozen=True)
class Meeting:
    uid: str
    sequence: int
    summary: str
    starts_at: datetime
    duration_minutes: int
    description: str
    organizer: str
    video_link: str | None = None
    url: str | None = None
    guests: Sequence[Guest] = ()

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)


def meeting_uid(kind: str, record_id: int, install: str) -> str:
    """Stable for the record's life; ``install`` keeps two teams' interview #7 apart."""
    return f"{kind}-{record_id}-{install.lower()}@mlops-hiring-bot"


def ics(meeting: Meeting, method: Method | None, *, stamp: datetime) -> str:
    """The invitation as text; ``method`` None for storing in a CalDAV calendar."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    if method is not None:
        calendar.add("method", method.value)
    event = Event()
    event.add("uid", meeting.uid)
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", stamp)
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", meeting.ends_at)
    event.add("summary", meeting.summary)
    event.add("description", meeting.description)
    if meeting.video_link:
        event.add("location", meeting.video_link)
    if meeting.url:
        event.add("url", meeting.url)
    if method is not None:
        _add_people(event, meeting)
    cancelled = method is Method.CANCEL
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE")
    calendar.add_component(event)
    data: bytes = calendar.to_ical()
    return data.decode()


def _add_people(event: Event, meeting: Meeting) -> None:
    """Organizer and attendees: for invitations only. In a CalDAV calendar they would make
    the server send invitations of its own (RFC 6638 implicit scheduling)."""
    organizer = vCalAddress(f"mailto:{meeting.organizer}")
    organizer.params["cn"] = vText("Hiring team")
    event.add("organizer", organizer)
    for guest in meeting.guests:
        attendee = vCalAddress(f"mailto:{guest.email}")
        attendee.params["cn"] = vText(guest.name)
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        attendee.params["partstat"] = vText("NEEDS-ACTION")
        attendee.params["rsvp"] = vText("TRUE")
        event.add("attendee", attendee, encode=False)
