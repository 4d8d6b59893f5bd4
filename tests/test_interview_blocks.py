"""Block Kit of one interview and of the schedule modal, as pure functions."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.errors import NotFound
from bot.interviews import InterviewForm
from handlers.ids import Action, ScheduleBlock, View
from handlers.interview_blocks import (
    OWN_BLOCKS,
    interview_note,
    interviewer_dm,
    unreachable_reply,
)
from handlers.interview_modal import (
    ScheduleMetadata,
    field_errors,
    parse_form,
    schedule_modal,
)
from handlers.kit_blocks import MAX_BLOCKS
from handlers.mrkdwn import date_token, link
from slackfake import requests as sr
from slackfake.blockkit import message_errors, view_errors
from storage.models import Candidate, Interview, InterviewStatus
from tests.calls import buttons, mrkdwn_text
from tests.kit_samples import KITS, PING, PING_ESCAPED, huge_qualities, huge_stage

WHEN = datetime(2026, 12, 1, 14, 30, tzinfo=UTC)
EPOCH = int(WHEN.timestamp())
TOKEN = f"<!date^{EPOCH}^{{date_short_pretty}} at {{time}}|Tue 01 Dec 2026 14:30 UTC>"


def interview(**changes: object) -> Interview:
    values: dict[str, object] = {
        "id": 7,
        "candidate_id": 3,
        "stage_key": "technical",
        "starts_at": WHEN,
        "duration_minutes": 90,
        "created_by": "U0HM",
    }
    return Interview(**(values | changes))


def candidate(**changes: object) -> Candidate:
    values: dict[str, object] = {"id": 3, "name": "Jane Doe", "stage_key": "screening"}
    return Candidate(**(values | changes))


# --------------------------------------------------------------------- mrkdwn helpers


def test_date_token_shows_each_reader_their_own_time() -> None:
    assert date_token(WHEN) == TOKEN


def test_link_escapes_and_keeps_its_url_whole() -> None:
    assert link("https://x.example/?a=1&b=<2>|3", "Video <call>") == (
        "<https://x.example/?a=1&amp;b=&lt;2&gt;%7C3|Video &lt;call&gt;>"
    )


# --------------------------------------------------------------------- the thread note


def test_note_names_stage_time_and_interviewers_with_buttons() -> None:
    text, blocks = interview_note(
        KITS.stage("technical"),
        interview(video_link="https://meet.example.com/abc"),
        ["U0ANA", "U0BEN"],
    )

    assert text == f"*Technical interview* on {TOKEN} with <@U0ANA> <@U0BEN>"
    assert message_errors(blocks) == []
    assert blocks[0]["text"]["text"] == text
    assert blocks[1]["elements"][0]["text"] == (
        "90 min · <https://meet.example.com/abc|Video call> · Scheduled by <@U0HM>"
    )
    reschedule, scorecards, cancel = buttons(blocks)
    assert (reschedule["action_id"], reschedule["value"]) == (
        Action.RESCHEDULE_INTERVIEW,
        "interview:7",
    )
    assert (scorecards["action_id"], scorecards["value"]) == (Action.VIEW_SCORECARDS, "interview:7")
    assert (cancel["action_id"], cancel["value"]) == (Action.CANCEL_INTERVIEW, "interview:7")
    assert cancel["confirm"]["confirm"]["text"] == "Cancel interview"


def test_note_after_a_change_and_after_cancelling() -> None:
    stage = KITS.stage("system_design")
    _, blocks = interview_note(stage, interview(), ["U0ANA"], changed_by="U0REC")
    assert blocks[1]["elements"][0]["text"].endswith("rescheduled by <@U0REC>")

    text, blocks = interview_note(
        stage, interview(status=InterviewStatus.CANCELLED), ["U0ANA"], changed_by="U0REC"
    )
    assert text == f"~*System design interview* on {TOKEN} with <@U0ANA>~ Cancelled by <@U0REC>."
    assert buttons(blocks) == []


# --------------------------------------------------------------------- the interviewer's DM


def test_dm_holds_the_kit_the_thread_link_and_the_scorecard_button() -> None:
    stage = KITS.stage("technical")
    text, blocks = interviewer_dm(
        stage,
        KITS.qualities,
        interview(video_link="https://meet.example.com/abc"),
        ["U0ANA", "U0BEN"],
        candidate_name=PING,
        thread_url="https://fake.slack.com/archives/C0HIRING/p1",
    )

    assert message_errors(blocks) == []
    assert PING not in text and PING_ESCAPED in text
    assert blocks[0]["text"]["text"] == (
        f"You're interviewing *{PING_ESCAPED}*: *Technical interview* on {TOKEN} (90 min) "
        "with <@U0ANA> <@U0BEN>."
    )
    assert "<https://fake.slack.com/archives/C0HIRING/p1|Candidate's thread>" in mrkdwn_text(blocks)
    assert "<https://meet.example.com/abc|Video call>" in mrkdwn_text(blocks)
    for question in stage.questions:
        assert question.prompt in mrkdwn_text(blocks)
    submit, notes = buttons(blocks)
    assert (submit["action_id"], submit["value"]) == (Action.SUBMIT_SCORECARD, "interview:7")
    assert (notes["action_id"], notes["value"]) == (Action.TAKE_NOTES, "interview:7")


def test_dm_of_the_longest_kit_fits_slack() -> None:
    _, blocks = interviewer_dm(
        huge_stage(),
        huge_qualities(),
        interview(),
        ["U0ANA"] * 5,
        candidate_name="x" * 100,
        thread_url=None,
    )
    assert message_errors(blocks) == []
    assert len(blocks) <= MAX_BLOCKS + OWN_BLOCKS <= 50
    assert "Candidate's thread" not in mrkdwn_text(blocks)


def test_unreachable_interviewers_are_named_with_the_reason() -> None:
    assert unreachable_reply(
        [("U0BOT", "cannot_dm_bot"), ("U0GONE", "user_disabled"), ("U0X", "fatal_error")]
    ) == (
        ":warning: I could not send the interview kit to <@U0BOT> (a bot), "
        "<@U0GONE> (deactivated), <@U0X> (Slack error fatal_error). "
        "Please share the kit with them another way."
    )


# --------------------------------------------------------------------- the modal


def test_new_modal_defaults_to_the_current_stage() -> None:
    view = schedule_modal(KITS, candidate(name=PING, stage_key="technical"))

    assert view_errors(view) == []
    assert view["callback_id"] == View.SCHEDULE_INTERVIEW
    assert ScheduleMetadata.decode(view["private_metadata"]) == ScheduleMetadata(candidate_id=3)
    assert view["title"]["text"] == "Schedule interview"
    assert view["blocks"][0]["text"]["text"] == f"*{PING_ESCAPED}* · currently in Technical"
    inputs = {block["block_id"]: block for block in view["blocks"] if block["type"] == "input"}
    # Find a time's button and its proposed times come only once it is pressed.
    shown_later = {ScheduleBlock.FIND_TIME, ScheduleBlock.SLOT}
    assert list(inputs) == [block for block in ScheduleBlock if block not in shown_later]
    stage = inputs[ScheduleBlock.STAGE]["element"]
    assert [option["value"] for option in stage["options"]] == [s.key for s in KITS.stages]
    assert stage["initial_option"]["value"] == "technical"
    assert inputs[ScheduleBlock.INTERVIEWERS]["element"]["max_selected_items"] == 5
    assert "initial_users" not in inputs[ScheduleBlock.INTERVIEWERS]["element"]
    assert "initial_date_time" not in inputs[ScheduleBlock.STARTS_AT]["element"]
    duration = inputs[ScheduleBlock.DURATION]
    assert duration["element"]["initial_option"]["value"] == "stage"
    assert duration["hint"]["text"] == (
        "The stage's own length: Screening 30 min, Technical 90 min, System design 60 min"
    )
    assert inputs[ScheduleBlock.VIDEO_LINK]["optional"] is True


def test_reschedule_modal_is_prefilled() -> None:
    view = schedule_modal(
        KITS,
        candidate(),
        interview=interview(duration_minutes=50, video_link="https://meet.example.com/abc"),
        interviewer_ids=["U0ANA", "U0BEN"],
    )

    assert view_errors(view) == []
    assert view["title"]["text"] == "Reschedule interview"
    assert ScheduleMetadata.decode(view["private_metadata"]) == ScheduleMetadata(
        candidate_id=3, interview_id=7
    )
    inputs = {
        block["block_id"]: block["element"] for block in view["blocks"] if block["type"] == "input"
    }
    assert inputs[ScheduleBlock.STAGE]["initial_option"]["value"] == "technical"
    assert inputs[ScheduleBlock.INTERVIEWERS]["initial_users"] == ["U0ANA", "U0BEN"]
    assert inputs[ScheduleBlock.STARTS_AT]["initial_date_time"] == EPOCH
    assert inputs[ScheduleBlock.DURATION]["initial_option"]["value"] == "50"
    assert "50" in [option["value"] for option in inputs[ScheduleBlock.DURATION]["options"]]
    assert inputs[ScheduleBlock.VIDEO_LINK]["initial_value"] == "https://meet.example.com/abc"


def test_reschedule_modal_of_a_stage_length_interview_keeps_stage_length() -> None:
    view = schedule_modal(KITS, candidate(), interview=interview(), interviewer_ids=["U0ANA"])
    [duration] = [b for b in view["blocks"] if b.get("block_id") == ScheduleBlock.DURATION]
    assert duration["element"]["initial_option"]["value"] == "stage"


def test_parse_form_reads_every_input() -> None:
    values = {
        ScheduleBlock.STAGE: sr.select_value(ScheduleBlock.STAGE, "technical"),
        ScheduleBlock.INTERVIEWERS: sr.users_value(
            ScheduleBlock.INTERVIEWERS, ["U0ANA", "U0BEN", "U0ANA"]
        ),
        ScheduleBlock.STARTS_AT: sr.datetime_value(ScheduleBlock.STARTS_AT, WHEN),
        ScheduleBlock.DURATION: sr.select_value(ScheduleBlock.DURATION, "45"),
        ScheduleBlock.VIDEO_LINK: sr.url_value(ScheduleBlock.VIDEO_LINK, " https://x.example/a "),
    }
    assert parse_form(values) == InterviewForm(
        stage_key="technical",
        interviewer_ids=("U0ANA", "U0BEN"),
        starts_at=WHEN,
        duration_minutes=45,
        video_link="https://x.example/a",
    )


def test_parse_form_leaves_missing_and_malformed_inputs_empty() -> None:
    values = {
        ScheduleBlock.STARTS_AT: sr.datetime_value(ScheduleBlock.STARTS_AT, 10**20),
        ScheduleBlock.DURATION: sr.select_value(ScheduleBlock.DURATION, "stage"),
        ScheduleBlock.VIDEO_LINK: sr.url_value(ScheduleBlock.VIDEO_LINK, "   "),
    }
    assert parse_form(values) == InterviewForm(None, (), None, None, None)


def test_field_errors_land_under_their_blocks() -> None:
    fields = {"candidate": "Closed.", "stage": "Pick a stage.", "video_link": "Bad link."}
    assert field_errors(fields) == {
        ScheduleBlock.STAGE: "Closed. Pick a stage.",
        ScheduleBlock.VIDEO_LINK: "Bad link.",
    }


@pytest.mark.parametrize(
    "text", ["", "{}", '{"candidate_id": "x"}', '{"candidate_id": 1, "evil": 1}']
)
def test_metadata_we_did_not_write_is_refused(text: str) -> None:
    with pytest.raises(NotFound, match="out of date"):
        ScheduleMetadata.decode(text)
