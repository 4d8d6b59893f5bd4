"""Scheduling interviews through Slack: signed requests in, recorded Web API calls out."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.kits import default_prompts_dir
from handlers.ids import Action, ScheduleBlock
from handlers.mrkdwn import date_token
from storage.models import Candidate, CandidateStatus
from tests.calls import (
    all_text,
    buttons,
    dms,
    errors_of,
    mrkdwn_text,
    next_step_of,
    thread_calls,
    updates_of,
)
from tests.conftest import START
from tests.flows import (
    ADMIN,
    ANA,
    BEN,
    BOT_USER,
    CY,
    GONE,
    LATER,
    RECRUITER,
    WHEN,
    add_candidate,
    open_schedule,
    schedule,
    submit_schedule,
)
from tests.harness import HIRING_CHANNEL, HIRING_MANAGER, Harness
from tests.kit_samples import MINIMAL_STAGE
from tests.seed import interviewer_rows, stored_interviews

pytestmark = pytest.mark.usefixtures("people")


# --------------------------------------------------------------------- opening the modal


async def test_card_button_opens_the_modal_on_the_current_stage(harness: Harness) -> None:
    candidate = await add_candidate(harness)
    harness.fake.clear()

    view = await open_schedule(harness, candidate)

    assert harness.fake.calls[0].method == "views.open", "nothing before the modal opens"
    assert view["title"]["text"] == "Schedule interview"
    [stage] = [b for b in view["blocks"] if b.get("block_id") == ScheduleBlock.STAGE]
    assert stage["element"]["initial_option"]["value"] == "screening"
    assert harness.fake.calls_to("users.info") == [], "users are checked at submission"


async def test_schedule_subcommand_opens_the_modal(harness: Harness) -> None:
    candidate = await add_candidate(harness)
    harness.fake.clear()

    reply = await harness.command("schedule jane")

    assert (reply.status, reply.text) == (200, "")
    [opened] = harness.fake.calls_to("views.open")
    assert f'"candidate_id":{candidate.id}' in opened.args["view"]["private_metadata"]


async def test_schedule_subcommand_names_what_is_wrong(harness: Harness) -> None:
    await add_candidate(harness)
    harness.fake.clear()

    for text, expected in (
        ("schedule", "Which candidate?"),
        ("schedule nobody", "No open candidate"),
    ):
        reply = await harness.command(text)
        assert reply.json["response_type"] == "ephemeral"
        assert expected in reply.json["text"]
    assert harness.fake.calls_to("views.open") == []


async def test_a_closed_candidate_takes_no_new_interview(harness: Harness) -> None:
    candidate = await add_candidate(harness)
    view = await open_schedule(harness, candidate)
    async with harness.bot.sessions() as session:
        row = await session.get(Candidate, candidate.id)
        assert row is not None
        row.status = CandidateStatus.REJECTED
        session.add(row)
        await session.commit()
    harness.fake.clear()

    await harness.action(Action.SCHEDULE_INTERVIEW, value=f"candidate:{candidate.id}")
    reply = await harness.command(f"schedule #{candidate.id}")
    # The modal opened before the rejection cannot be submitted either.
    submitted = await submit_schedule(harness, view)

    [ephemeral] = harness.fake.calls_to("response_url")
    assert "closed (rejected)" in ephemeral.args["text"]
    assert "closed (rejected)" in reply.json["text"]
    assert errors_of(submitted) == {
        ScheduleBlock.STAGE: "This candidate is closed (rejected): they take no new interviews."
    }
    assert harness.fake.calls_to("views.open") == []
    assert await stored_interviews(harness.bot) == []


# --------------------------------------------------------------------- scheduling


async def test_scheduling_notes_it_in_the_thread_and_dms_each_interviewer_the_kit(
    harness: Harness,
) -> None:
    candidate = await add_candidate(harness)
    question_set = thread_calls(harness.fake, candidate)
    harness.fake.clear()

    interview = await schedule(
        harness, candidate, stage="technical", link="https://meet.example.com/x"
    )

    # Stored with its interviewers, in UTC, with the stage's own length.
    assert (interview.stage_key, interview.starts_at, interview.duration_minutes) == (
        "technical",
        WHEN,
        90,
    )
    assert interview.created_by == HIRING_MANAGER
    # The thread: the note with its buttons.
    [note] = thread_calls(harness.fake, candidate)
    assert (
        note.args["text"] == f"*Technical interview* on {date_token(WHEN)} with <@{ANA}> <@{BEN}>"
    )
    assert f"<!date^{int(WHEN.timestamp())}^" in note.args["text"]
    assert [(b["action_id"], b["value"]) for b in buttons(note.args["blocks"])] == [
        (Action.RESCHEDULE_INTERVIEW, f"interview:{interview.id}"),
        (Action.VIEW_SCORECARDS, f"interview:{interview.id}"),
        (Action.CANCEL_INTERVIEW, f"interview:{interview.id}"),
    ]
    assert interview.message_ts == note.response["ts"]
    # Each interviewer: the kit with the button (Slack opens the DM); then the DM is
    # opened for the invitation file.
    assert [call.args["users"] for call in harness.fake.calls_to("conversations.open")] == [
        ANA,
        BEN,
    ]
    sent = dms(harness.fake)
    rows = await interviewer_rows(harness.bot, interview)
    technical = harness.bot.kits.stage("technical")
    for user_id in (ANA, BEN):
        [dm] = sent[user_id]
        text = mrkdwn_text(dm.args["blocks"])
        for question in technical.questions:
            assert question.prompt[:60] in text
        for flag in technical.red_flags:
            assert flag.suggests in text
        for competency in technical.competencies:
            assert competency.name in text
        assert candidate.permalink is not None and candidate.permalink in text
        assert "<https://meet.example.com/x|Video call>" in text
        submit, notes = buttons(dm.args["blocks"])
        assert (submit["action_id"], submit["value"]) == (
            Action.SUBMIT_SCORECARD,
            f"interview:{interview.id}",
        )
        assert (notes["action_id"], notes["value"]) == (
            Action.TAKE_NOTES,
            f"interview:{interview.id}",
        )
        assert (rows[user_id].dm_channel_id, rows[user_id].dm_ts, rows[user_id].dm_error) == (
            dm.response["channel"],
            dm.response["ts"],
            None,
        )
    # The card is brought up to date, and the kit posted at intake is the thread's first reply.
    [card] = updates_of(harness.fake, HIRING_CHANNEL, candidate.thread_ts)
    assert next_step_of(card) == "Schedule the Screening interview", "a later stage's interview"
    assert "question set" in question_set[0].args["text"]
    assert harness.bot.kits.stage("screening").questions[0].prompt[:60] in mrkdwn_text(
        question_set[0].args["blocks"]
    )


async def test_the_card_shows_the_current_stages_interview_until_cancelled(
    harness: Harness,
) -> None:
    candidate = await add_candidate(harness)
    harness.fake.clear()
    interview = await schedule(harness, candidate)
    [card] = updates_of(harness.fake, HIRING_CHANNEL, candidate.thread_ts)
    assert next_step_of(card) == f"Screening interview on {date_token(WHEN)}"

    harness.fake.clear()
    await harness.action(Action.CANCEL_INTERVIEW, value=f"interview:{interview.id}")
    [card] = updates_of(harness.fake, HIRING_CHANNEL, candidate.thread_ts)
    assert next_step_of(card) == "Schedule the Screening interview"


async def test_an_explicit_length_is_kept(harness: Harness) -> None:
    candidate = await add_candidate(harness)
    interview = await schedule(harness, candidate, duration="45")
    assert interview.duration_minutes == 45


TOO_EARLY = START - timedelta(days=7, minutes=1)
VALIDATION_ERRORS = [
    pytest.param(
        {"interviewers": ()},
        ScheduleBlock.INTERVIEWERS,
        "Pick at least one interviewer.",
        id="none",
    ),
    pytest.param(
        {"interviewers": (ANA, BEN, CY, RECRUITER, ADMIN, HIRING_MANAGER)},
        ScheduleBlock.INTERVIEWERS,
        "Pick at most 5 interviewers (you picked 6).",
        id="six",
    ),
    pytest.param(
        {"interviewers": (ANA, BOT_USER)},
        ScheduleBlock.INTERVIEWERS,
        "Deploy Bot is a bot: interviewers must be people.",
        id="bot",
    ),
    pytest.param(
        {"interviewers": ("USLACKBOT",)},
        ScheduleBlock.INTERVIEWERS,
        "Slackbot is a bot: interviewers must be people.",
        id="slackbot",
    ),
    pytest.param(
        {"interviewers": (GONE,)},
        ScheduleBlock.INTERVIEWERS,
        "Old Timer's account is deactivated.",
        id="deactivated",
    ),
    pytest.param(
        {"starts_at": None},
        ScheduleBlock.STARTS_AT,
        "Pick the date and time of the interview.",
        id="no-time",
    ),
    pytest.param(
        {"starts_at": TOO_EARLY},
        ScheduleBlock.STARTS_AT,
        "That is more than 7 days ago: check the date.",
        id="past",
    ),
    pytest.param(
        {"link": "ftp://files.example.com/call"},
        ScheduleBlock.VIDEO_LINK,
        "Enter a web address starting with http:// or https://, or leave it empty.",
        id="bad-link",
    ),
    pytest.param({"stage": None}, ScheduleBlock.STAGE, "Pick a stage.", id="no-stage"),
]


@pytest.mark.parametrize(("changes", "block", "message"), VALIDATION_ERRORS)
async def test_every_bad_input_is_a_field_error_and_nothing_is_stored(
    harness: Harness, changes: dict[str, Any], block: ScheduleBlock, message: str
) -> None:
    harness.fake.add_user("USLACKBOT", real_name="Slackbot")
    candidate = await add_candidate(harness)
    view = await open_schedule(harness, candidate)
    harness.fake.clear()

    reply = await submit_schedule(harness, view, **changes)

    assert errors_of(reply) == {block: message}
    assert await stored_interviews(harness.bot) == []
    assert {call.method for call in harness.fake.calls} <= {"users.info"}
    assert len(harness.fake.calls_to("users.info")) <= 5


async def test_a_week_ago_is_still_fine(harness: Harness) -> None:
    candidate = await add_candidate(harness)
    interview = await schedule(harness, candidate, starts_at=START - timedelta(days=7))
    assert interview.starts_at == START - timedelta(days=7)


async def test_users_are_looked_up_once_each(harness: Harness) -> None:
    candidate = await add_candidate(harness)
    view = await open_schedule(harness, candidate)
    harness.fake.clear()
    await submit_schedule(harness, view, interviewers=(ANA, BEN, ANA))
    assert sorted(call.args["user"] for call in harness.fake.calls_to("users.info")) == [ANA, BEN]


async def test_a_dm_slack_refuses_is_reported_in_the_thread(harness: Harness) -> None:
    candidate = await add_candidate(harness)
    harness.fake.fail("chat.postMessage", "user_disabled", when=lambda args: args["channel"] == BEN)
    harness.fake.fail("chat.postMessage", "cannot_dm_bot", when=lambda args: args["channel"] == ANA)
    harness.fake.clear()

    interview = await schedule(harness, candidate, interviewers=(ANA, BEN))

    note, warning = thread_calls(harness.fake, candidate)
    assert note.args["text"].startswith("*Screening interview*")
    assert warning.args["text"] == (
        f":warning: I could not send the interview kit to <@{ANA}> (a bot), "
        f"<@{BEN}> (deactivated). Please share the kit with them another way."
    )
    rows = await interviewer_rows(harness.bot, interview)
    assert (rows[ANA].dm_error, rows[BEN].dm_error) == ("cannot_dm_bot", "user_disabled")
    assert interview.status == "scheduled"
    assert updates_of(harness.fake, HIRING_CHANNEL, candidate.thread_ts), "card still refreshed"


async def test_the_same_modal_submitted_twice_schedules_once(harness: Harness) -> None:
    candidate = await add_candidate(harness)
    view = await open_schedule(harness, candidate)
    harness.fake.clear()

    first = await submit_schedule(harness, view)
    again = await submit_schedule(harness, view)

    assert (first.status, first.text, again.status, again.text) == (200, "", 200, "")
    assert len(await stored_interviews(harness.bot)) == 1
    assert len(thread_calls(harness.fake, candidate)) == 1
    # Two interviewers, each sent their kit and their invitation once.
    assert sorted(dms(harness.fake)) == [ANA, BEN]
    assert all(len(sent) == 1 for sent in dms(harness.fake).values())
    assert len(harness.fake.calls_to("files.completeUploadExternal")) == 2


async def test_two_submissions_at_once_schedule_once(harness: Harness) -> None:
    candidate = await add_candidate(harness)
    view = await open_schedule(harness, candidate)
    harness.fake.clear()

    replies = await asyncio.gather(submit_schedule(harness, view), submit_schedule(harness, view))

    assert [(reply.status, reply.text) for reply in replies] == [(200, ""), (200, "")]
    assert len(await stored_interviews(harness.bot)) == 1
    assert len(thread_calls(harness.fake, candidate)) == 1


# --------------------------------------------------------------------- reschedule and cancel


async def test_reschedule_edits_the_note_and_tells_each_interviewer(harness: Harness) -> None:
    candidate = await add_candidate(harness)
    interview = await schedule(harness, candidate, user_id=RECRUITER)
    before = await interviewer_rows(harness.bot, interview)
    harness.fake.clear()

    await harness.action(Action.RESCHEDULE_INTERVIEW, value=f"interview:{interview.id}")
    [opened] = harness.fake.calls_to("views.open")
    view = opened.response["view"]
    assert view["title"]["text"] == "Reschedule interview"
    reply = await submit_schedule(harness, view, interviewers=(BEN, CY), starts_at=LATER)

    assert (reply.status, reply.text) == (200, "")
    [after] = await stored_interviews(harness.bot)
    assert after.starts_at == LATER
    summary = f"*Screening interview* on {date_token(LATER)} with <@{BEN}> <@{CY}>"
    [note] = updates_of(harness.fake, HIRING_CHANNEL, interview.message_ts)
    assert note.args["text"] == summary
    assert f"rescheduled by <@{HIRING_MANAGER}>" in mrkdwn_text(note.args["blocks"])
    [reply_in_thread] = thread_calls(harness.fake, candidate)
    assert reply_in_thread.args["text"] == f"<@{HIRING_MANAGER}> rescheduled the {summary}."
    # Ben stays: his kit DM is edited and he is told; Cy gets a kit; Ana is taken off.
    [ben_kit] = updates_of(harness.fake, before[BEN].dm_channel_id or "", before[BEN].dm_ts)
    assert date_token(LATER) in ben_kit.args["blocks"][0]["text"]["text"]
    sent = dms(harness.fake)
    [ben_notice] = sent[BEN]
    assert ben_notice.args["text"].startswith(
        f"<@{HIRING_MANAGER}> changed your *Screening interview*"
    )
    [cy_kit] = sent[CY]
    assert buttons(cy_kit.args["blocks"])[0]["action_id"] == Action.SUBMIT_SCORECARD
    [ana_kit] = updates_of(harness.fake, before[ANA].dm_channel_id or "", before[ANA].dm_ts)
    assert buttons(ana_kit.args["blocks"]) == [] and "no longer on it" in ana_kit.args["text"]
    [ana_notice] = sent[ANA]
    assert "took you off" in ana_notice.args["text"]
    rows = await interviewer_rows(harness.bot, interview)
    assert sorted(rows) == [BEN, CY]
    assert rows[BEN].dm_ts == before[BEN].dm_ts, "the kit DM stays the one to edit"
    assert rows[CY].dm_ts == cy_kit.response["ts"]
    assert updates_of(harness.fake, HIRING_CHANNEL, candidate.thread_ts)


async def test_resubmitting_an_unchanged_reschedule_tells_nobody(harness: Harness) -> None:
    candidate = await add_candidate(harness)
    interview = await schedule(harness, candidate)
    await harness.action(Action.RESCHEDULE_INTERVIEW, value=f"interview:{interview.id}")
    view = harness.fake.calls_to("views.open")[-1].response["view"]
    harness.fake.clear()

    reply = await submit_schedule(harness, view)

    assert (reply.status, reply.text) == (200, "")
    assert [call.method for call in harness.fake.calls] == ["users.info", "users.info"]


async def test_cancel_marks_it_edits_the_note_and_tells_the_interviewers(harness: Harness) -> None:
    candidate = await add_candidate(harness)
    interview = await schedule(harness, candidate, user_id=RECRUITER)
    rows = await interviewer_rows(harness.bot, interview)
    harness.fake.clear()

    reply = await harness.action(
        Action.CANCEL_INTERVIEW, user_id=RECRUITER, value=f"interview:{interview.id}"
    )

    assert reply.status == 200
    [after] = await stored_interviews(harness.bot)
    assert after.status == "cancelled"
    [note] = updates_of(harness.fake, HIRING_CHANNEL, interview.message_ts)
    assert note.args["text"].startswith("~*Screening interview*")
    assert note.args["text"].endswith(f"Cancelled by <@{RECRUITER}>.")
    assert buttons(note.args["blocks"]) == []
    [in_thread] = thread_calls(harness.fake, candidate)
    assert in_thread.args["text"] == (
        f"<@{RECRUITER}> cancelled the *Screening interview* on {date_token(WHEN)}."
    )
    sent = dms(harness.fake)
    for user_id in (ANA, BEN):
        [kit] = updates_of(harness.fake, rows[user_id].dm_channel_id or "", rows[user_id].dm_ts)
        assert buttons(kit.args["blocks"]) == []
        [notice] = sent[user_id]
        assert notice.args["text"].startswith(f"<@{RECRUITER}> cancelled the *Screening interview*")
    assert updates_of(harness.fake, HIRING_CHANNEL, candidate.thread_ts)

    harness.fake.clear()
    await harness.action(Action.CANCEL_INTERVIEW, value=f"interview:{interview.id}")
    [again] = harness.fake.calls_to("response_url")
    assert again.args["text"] == "This interview was already cancelled."
    assert harness.fake.calls_to("chat.postMessage") == []


@pytest.mark.parametrize("action", [Action.RESCHEDULE_INTERVIEW, Action.CANCEL_INTERVIEW])
async def test_others_may_not_reschedule_or_cancel(harness: Harness, action: Action) -> None:
    candidate = await add_candidate(harness)
    interview = await schedule(harness, candidate, user_id=RECRUITER)
    harness.fake.clear()

    reply = await harness.action(action, user_id=ANA, value=f"interview:{interview.id}")

    assert reply.status == 200
    [answer] = harness.fake.calls_to("response_url")
    assert answer.args["response_type"] == "ephemeral"
    assert answer.args["text"] == (
        f"Only the hiring manager (<@{HIRING_MANAGER}>), the person who scheduled this "
        f"interview (<@{RECRUITER}>) or an admin can change it."
    )
    assert [call.method for call in harness.fake.calls] == ["response_url"]
    [after] = await stored_interviews(harness.bot)
    assert after.status == "scheduled"


async def test_a_reschedule_modal_submitted_by_someone_else_is_refused(harness: Harness) -> None:
    candidate = await add_candidate(harness)
    interview = await schedule(harness, candidate)
    await harness.action(Action.RESCHEDULE_INTERVIEW, value=f"interview:{interview.id}")
    view = harness.fake.calls_to("views.open")[-1].response["view"]

    reply = await submit_schedule(harness, view, user_id=ANA, starts_at=LATER)

    # Not a field to correct: the form gives way to the reason, mentions and all.
    assert reply.json["response_action"] == "update"
    assert all_text(reply.json["view"]["blocks"]) == (
        f"Only the hiring manager (<@{HIRING_MANAGER}>), the person who scheduled this "
        f"interview (<@{HIRING_MANAGER}>) or an admin can change it."
    )
    [after] = await stored_interviews(harness.bot)
    assert after.starts_at == WHEN


async def test_admins_may_change_any_interview(make_harness: Callable[..., Any]) -> None:
    harness: Harness = await make_harness(hiring_admins=frozenset({ADMIN}))
    candidate = await add_candidate(harness, user_id=ADMIN, hiring_manager=HIRING_MANAGER)
    interview = await schedule(harness, candidate)
    harness.fake.clear()

    await harness.action(Action.CANCEL_INTERVIEW, user_id=ADMIN, value=f"interview:{interview.id}")

    [after] = await stored_interviews(harness.bot)
    assert after.status == "cancelled"


# --------------------------------------------------------------------- a team's own stages


async def test_a_fourth_stage_in_prompts_dir_can_be_scheduled(
    make_harness: Callable[..., Any], tmp_path: Path
) -> None:
    prompts = tmp_path / "prompts"
    shutil.copytree(
        default_prompts_dir(), prompts, ignore=shutil.ignore_patterns("*.py", "__pycache__")
    )
    (prompts / "stages" / "take_home.toml").write_text(MINIMAL_STAGE, encoding="utf-8")
    harness: Harness = await make_harness(prompts_dir=prompts)
    candidate = await add_candidate(harness)

    view = await open_schedule(harness, candidate)
    [stage] = [b for b in view["blocks"] if b.get("block_id") == ScheduleBlock.STAGE]
    assert [o["value"] for o in stage["element"]["options"]] == [
        "screening",
        "technical",
        "take_home",
        "system_design",
    ]
    [length] = [b for b in view["blocks"] if b.get("block_id") == ScheduleBlock.DURATION]
    assert "Take-home 45 min" in length["hint"]["text"]
    harness.fake.clear()
    reply = await submit_schedule(harness, view, stage="take_home", interviewers=(ANA,))

    assert (reply.status, reply.text) == (200, "")
    [interview] = await stored_interviews(harness.bot)
    assert (interview.stage_key, interview.duration_minutes) == ("take_home", 45)
    [note] = thread_calls(harness.fake, candidate)
    assert note.args["text"].startswith("*Take-home interview* on ")
    [dm] = dms(harness.fake)[ANA]
    text = mrkdwn_text(dm.args["blocks"])
    assert "Walk me through your pipeline." in text
    assert "Cannot explain code they submitted" in text
    assert dm.args["blocks"][2]["text"]["text"] == "Interview kit: Take-home review · 45 min"
