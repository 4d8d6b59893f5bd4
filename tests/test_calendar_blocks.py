"""The calendar builders with any text a person can type: Slack accepts the result, and
nothing typed can ping or link."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.calendar_sources import describe
from bot.calendars import MAX_USERNAME
from bot.candidate_email import RenderedEmail
from bot.home import HomeSummary
from bot.meeting_sync import Change
from handlers.calendar_blocks import calendar_section, connect_modal, read_note
from handlers.home import home_view
from handlers.invitation_text import forward_comment, invitation_comment
from slackfake.blockkit import view_errors
from storage.models import CalendarConnection, CalendarKind

# Any characters, including &<>, emoji, combining marks and right-to-left text.
TYPED = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)) | st.sampled_from("&<>@!|*_~`"),
    max_size=MAX_USERNAME,
)
NOW = datetime(2026, 11, 30, 10, tzinfo=UTC)


def no_markup(text: str) -> bool:
    """Every "<" in the text is one of ours: a mention we wrote, never one typed."""
    return "<!" not in text and "<http" not in text


@settings(max_examples=60, deadline=None)
@given(username=TYPED.filter(lambda s: s.strip()), problem=TYPED)
def test_the_home_calendar_section_takes_any_user_name_and_reason(
    username: str, problem: str
) -> None:
    label = describe(CalendarKind.CALDAV, "https://dav.example.com/cal/", username)
    connection = CalendarConnection(
        user_id="U1", kind=CalendarKind.CALDAV, secret="x", label=label, connected_at=NOW
    )
    blocks = calendar_section(connection, read_note(problem, 0))
    view = home_view("C0HIRING", [], HomeSummary(), calendar=blocks)
    assert view_errors(view) == []
    assert no_markup(blocks[0]["text"]["text"])


@settings(max_examples=60, deadline=None)
@given(name=TYPED.filter(lambda s: s.strip()), body=TYPED, address=TYPED)
def test_the_forwarded_email_escapes_what_people_typed(name: str, body: str, address: str) -> None:
    email = RenderedEmail(f"Your interview, {name}", body)
    comment = forward_comment(email, reason=None, candidate_name=name, address=address)
    assert no_markup(comment.replace("```", ""))
    assert no_markup(invitation_comment(f"Technical interview: {name}", Change.MOVED, body))


def test_the_connect_modal_is_one_slack_accepts() -> None:
    assert view_errors(connect_modal()) == []
