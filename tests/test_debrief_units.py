"""Debriefs without Slack: the rules as plain functions, the default attendees on a real
database, and the pure Block Kit builders (note, DMs, modal)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

import pytest

from bot.clock import local_time
from bot.context import BotContext
from bot.debrief_summary import summarise
from bot.debrief_summary_reads import SummarySoFar
from bot.debriefs import (
    DebriefForm,
    attendees_error,
    default_attendees,
    form_errors,
    starts_at_error,
    upcoming_error,
)
from bot.errors import NotFound
from bot.interviews import SlackUser, UserKind
from bot.next_step import NextStep, next_step
from bot.permissions import may_manage_debrief
from bot.reminder_messages import ReminderMessage
from bot.reminder_rules import ReminderKind
from bot.scorecards import Progress
from handlers.debrief_meeting_blocks import (
    cancelled_dm,
    debrief_note,
    invitation_dm,
    removed_dm,
    rescheduled_dm,
    unreachable_reply,
)
from handlers.debrief_meeting_modal import DebriefMetadata, debrief_modal, field_errors, parse_form
from handlers.ids import Action, DebriefBlock, View
from handlers.mrkdwn import date_token
from handlers.reminder_blocks import MAX_PACK_INTERVIEWS, reminder_blocks
from slackfake import requests as sr
from slackfake.blockkit import message_errors, view_errors
from storage.db import transaction
from storage.interviews import get_interviewer
from storage.models import Candidate, CandidateStatus, Debrief, Interview, InterviewStatus
from tests.calls import buttons, mrkdwn_text
from tests.harness import HIRING_MANAGER
from tests.kit_samples import KITS, PING, PING_ESCAPED
from tests.seed import add_candidate, add_interview, scorecard_content

NOW = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
WHEN = datetime(2026, 12, 3, 15, 0, tzinfo=UTC)
ANA, BEN = "U0ANA", "U0BEN"
PEOPLE = {ANA: SlackUser(ANA, "Ana", UserKind.PERSON), BEN: SlackUser(BEN, "Ben", UserKind.PERSON)}


def debrief(**changes: object) -> Debrief:
    values: dict[str, object] = {
        "id": 4,
        "candidate_id": 3,
        "stage_key": "technical",
        "starts_at": WHEN,
        "duration_minutes": 30,
        "created_by": "U0HM",
    }
    return Debrief(**(values | changes))


def candidate(**changes: object) -> Candidate:
    values: dict[str, object] = {"id": 3, "name": "Jane Doe", "stage_key": "technical"}
    return Candidate(**(values | changes))


# --------------------------------------------------------------------- rules


def test_attendees_must_be_one_to_ten_active_people() -> None:
    users = PEOPLE | {"U0BOT": SlackUser("U0BOT", "Deploy Bot", UserKind.BOT)}
    assert attendees_error((ANA, BEN), users) is None
    assert attendees_error((), users) == "Pick at least one attendee."
    assert attendees_error(("U0BOT",), users) == "Deploy Bot is a bot: attendees must be people."
    assert attendees_error(("U0NOBODY",), users) == "U0NOBODY is not a member of this workspace."
    eleven = tuple(f"U{n}" for n in range(11))
    assert attendees_error(eleven, {}) == "Pick at most 10 attendees (you picked 11)."


def test_a_debrief_may_start_up_to_five_minutes_ago() -> None:
    assert starts_at_error(NOW - timedelta(minutes=5), NOW) is None
    assert starts_at_error(NOW - timedelta(minutes=5, seconds=1), NOW) == (
        "That time has passed: pick a time from now on."
    )
    assert starts_at_error(None, NOW) == "Pick the date and time of the debrief."


def test_an_upcoming_debrief_blocks_another_but_not_its_own_reschedule() -> None:
    existing = debrief()
    in_utc = partial(local_time, zone=UTC)
    assert upcoming_error([], in_utc) is None
    assert upcoming_error([existing], in_utc, debrief_id=existing.id) is None
    assert "already scheduled for Thu 03 Dec 2026 15:00 UTC:" in (
        upcoming_error([existing], in_utc) or ""
    )
    # In the reader's zone, named: a modal's error cannot hold Slack's date token.
    tokyo = upcoming_error([existing], partial(local_time, zone=ZoneInfo("Asia/Tokyo"))) or ""
    assert "already scheduled for Fri 04 Dec 2026 00:00 JST:" in tokyo


def test_form_errors_name_every_bad_field_at_once() -> None:
    form = DebriefForm(attendee_ids=(), starts_at=None, duration_minutes=0, video_link="ftp://x")
    closed = candidate(status=CandidateStatus.HIRED)
    errors = form_errors(form, candidate=closed, upcoming=[], users={}, now=NOW, zone=UTC)
    assert set(errors) == {"candidate", "attendees", "starts_at", "duration", "video_link"}
    assert errors["candidate"] == "This candidate is closed (hired): there is nothing to debrief."
    good = DebriefForm((ANA,), WHEN, None, None)
    assert (
        form_errors(good, candidate=candidate(), upcoming=[], users=PEOPLE, now=NOW, zone=UTC) == {}
    )


def test_the_hiring_manager_the_scheduler_and_admins_manage_a_debrief() -> None:
    rule = {"hiring_manager_id": "U0HM", "scheduled_by": "U0REC"}
    assert may_manage_debrief(frozenset(), "U0HM", **rule)
    assert may_manage_debrief(frozenset(), "U0REC", **rule)
    assert may_manage_debrief(frozenset({"U0ADMIN"}), "U0ADMIN", **rule)
    assert not may_manage_debrief(frozenset({"U0ADMIN"}), ANA, **rule)


async def test_default_attendees_are_who_attended_the_stage_then_the_hiring_manager(
    bot: BotContext,
) -> None:
    person = await add_candidate(bot, stage="technical")
    first = await add_interview(bot, person, (BEN, ANA), starts_at=WHEN)
    await add_interview(bot, person, (ANA, HIRING_MANAGER), starts_at=WHEN + timedelta(hours=2))
    await add_interview(bot, person, ("U0SCREEN",), starts_at=WHEN, stage="screening")
    cancelled = await add_interview(bot, person, ("U0CANCEL",), starts_at=WHEN)
    async with transaction(bot.sessions) as session:
        seat = await get_interviewer(session, first.id or 0, BEN)
        assert seat is not None
        seat.attended = False
        stored = await session.get(type(cancelled), cancelled.id)
        assert stored is not None
        stored.status = InterviewStatus.CANCELLED
    async with bot.sessions() as session:
        assert await default_attendees(session, person) == [ANA, HIRING_MANAGER]


# --------------------------------------------------------------------- the thread note and DMs


def test_the_note_names_time_and_attendees_with_buttons_and_escapes_the_stage() -> None:
    text, blocks = debrief_note(
        PING, debrief(video_link="https://meet.example.com/d"), [ANA, BEN], changed_by=ANA
    )
    assert text == f"*{PING_ESCAPED} debrief* on {date_token(WHEN)} with <@{ANA}> <@{BEN}>"
    assert message_errors(blocks) == []
    shown = mrkdwn_text(blocks)
    assert "<https://meet.example.com/d|Video call>" in shown and "30 min" in shown
    assert f"rescheduled by <@{ANA}>" in shown
    assert [(b["action_id"], b["value"]) for b in buttons(blocks)] == [
        (Action.RESCHEDULE_DEBRIEF, "debrief:4"),
        (Action.CANCEL_DEBRIEF, "debrief:4"),
    ]
    assert buttons(blocks)[1]["confirm"]["title"]["text"] == "Cancel this debrief?"


def test_a_cancelled_note_is_struck_through_without_buttons() -> None:
    text, blocks = debrief_note("Technical", debrief(status="cancelled"), [ANA], changed_by=BEN)
    assert (
        text == f"~*Technical debrief* on {date_token(WHEN)} with <@{ANA}>~ Cancelled by <@{BEN}>."
    )
    assert buttons(blocks) == []


def test_the_dms_escape_the_candidate_name() -> None:
    one = debrief()
    text, blocks = invitation_dm(
        "Technical", one, [ANA], candidate_name=PING, invited_by=BEN, thread_url=None
    )
    assert message_errors(blocks) == []
    for shown in (
        text,
        mrkdwn_text(blocks),
        rescheduled_dm("Technical", one, [ANA], candidate_name=PING, changed_by=BEN),
        removed_dm("Technical", one, candidate_name=PING, changed_by=BEN),
        cancelled_dm("Technical", one, candidate_name=PING, changed_by=BEN),
    ):
        assert PING_ESCAPED in shown and PING not in shown


def test_the_unreachable_reply_says_why_for_each() -> None:
    assert unreachable_reply([(ANA, "cannot_dm_bot"), (BEN, "weird")]) == (
        f":warning: I could not tell <@{ANA}> (a bot), <@{BEN}> (Slack error weird) about the "
        "debrief by DM. Please let them know another way."
    )


# --------------------------------------------------------------------- the modal


def test_the_modal_is_valid_block_kit_and_reads_back() -> None:
    view = debrief_modal(candidate(name=PING), "Technical", [ANA, BEN])
    assert view_errors(view) == []
    assert view["callback_id"] == View.SCHEDULE_DEBRIEF
    assert PING_ESCAPED in view["blocks"][0]["text"]["text"]
    assert DebriefMetadata.decode(view["private_metadata"]) == DebriefMetadata(candidate_id=3)
    submitted = {
        DebriefBlock.STARTS_AT: sr.datetime_value(DebriefBlock.STARTS_AT, WHEN),
        DebriefBlock.ATTENDEES: sr.users_value(DebriefBlock.ATTENDEES, [ANA, BEN, ANA]),
        DebriefBlock.DURATION: sr.select_value(DebriefBlock.DURATION, "45"),
        DebriefBlock.VIDEO_LINK: sr.url_value(DebriefBlock.VIDEO_LINK, " https://x.example "),
    }
    assert parse_form(submitted) == DebriefForm((ANA, BEN), WHEN, 45, "https://x.example")
    assert parse_form({}) == DebriefForm((), None, None, None)


def test_the_reschedule_modal_keeps_an_unusual_length() -> None:
    view = debrief_modal(candidate(), "Technical", [ANA], debrief=debrief(duration_minutes=50))
    assert view_errors(view) == []
    assert DebriefMetadata.decode(view["private_metadata"]).debrief_id == 4
    [length] = [b for b in view["blocks"] if b.get("block_id") == DebriefBlock.DURATION]
    assert length["element"]["initial_option"]["value"] == "50"
    assert "50" in [option["value"] for option in length["element"]["options"]]


def test_field_errors_land_under_their_inputs() -> None:
    fields = {"candidate": "closed", "starts_at": "past", "attendees": "none"}
    assert field_errors(fields) == {
        DebriefBlock.STARTS_AT: "closed past",
        DebriefBlock.ATTENDEES: "none",
    }


def test_metadata_we_did_not_write_is_refused() -> None:
    with pytest.raises(NotFound):
        DebriefMetadata.decode('{"candidate_id": "x"}')


# --------------------------------------------------------------------- the pack


def pack_entry(interview_id: int, *, summary: bool) -> SummarySoFar:
    stage = KITS.stage("technical")
    cards = [
        scorecard_content(
            user,
            score,
            {c.id: score for c in stage.competencies},
            red_flags=[f.id for f in stage.red_flags],
        )
        for user, score in (("U0ANA", 4), ("U0BEN", 1), ("U0CY", 2))
    ]
    figures = summarise(stage, KITS.qualities, cards, observed_in_loop=()) if summary else None
    interview = Interview(id=interview_id, candidate_id=3, stage_key="technical", starts_at=WHEN)
    return SummarySoFar(
        interview,
        candidate(name=PING),
        Progress(submitted=3, expected=3),
        summary=figures,
        ratings_hidden=not summary,
        owes_scorecard=False,
    )


def pack_message(pack: tuple[SummarySoFar, ...]) -> ReminderMessage:
    return ReminderMessage(
        reminder_id=1,
        kind=ReminderKind.DEBRIEF_PACK,
        recipient_id="U0HM",
        candidate=candidate(name=PING),
        stage_title="Technical",
        debrief=debrief(),
        pack=pack,
    )


def test_a_pack_of_many_interviews_stays_within_slacks_limits() -> None:
    pack = tuple(pack_entry(n, summary=True) for n in range(1, 8))
    text, blocks = reminder_blocks(pack_message(pack), "https://example.slack.com/archives/C1/p1")
    assert message_errors(blocks) == [] and len(blocks) <= 50
    shown = mrkdwn_text(blocks)
    assert shown.count("*Competencies*") == MAX_PACK_INTERVIEWS
    assert f"and {7 - MAX_PACK_INTERVIEWS} more interviews" in shown
    assert "Disagreements to discuss" in shown and PING_ESCAPED in text


def test_a_pack_without_figures_has_no_scale_note() -> None:
    _, blocks = reminder_blocks(pack_message((pack_entry(1, summary=False),)), None)
    shown = mrkdwn_text(blocks)
    assert "3 of 3 scorecards in" in shown and "The ratings are for its interviewers" in shown
    assert "Mean to one decimal" not in shown and "*Competencies*" not in shown
    _, empty = reminder_blocks(pack_message(()), None)
    assert "No interviews are recorded for this stage." in mrkdwn_text(empty)


def test_a_pack_asks_first_for_a_scorecard_owed_in_another_interview() -> None:
    later = Interview(id=9, candidate_id=3, stage_key="system_design", starts_at=WHEN)
    entry = replace(pack_entry(1, summary=False), owes_elsewhere=later)
    _, blocks = reminder_blocks(pack_message((entry,)), None)
    assert message_errors(blocks) == []
    assert "Your scorecard of another interview of theirs is not in yet" in mrkdwn_text(blocks)
    (button,) = [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert (button["action_id"], button["value"]) == (Action.SUBMIT_SCORECARD, "interview:9")


def test_the_card_shows_a_scheduled_debrief_as_the_next_step() -> None:
    active = candidate(status=CandidateStatus.ACTIVE)
    assert next_step(active, KITS, debrief=debrief()) == NextStep("Technical debrief", WHEN)
    on_hold = candidate(status=CandidateStatus.ON_HOLD)
    assert next_step(on_hold, KITS, debrief=debrief()).text.startswith("On hold")
