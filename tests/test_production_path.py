"""The production path: the real ``python -m bot`` (HTTP mode with bolt's default
process_before_response=False, and Socket Mode) driven through the whole loop and through
every listener's refusal, against the fake Slack.

One process per mode for the module; the loop runs once per mode, at LOG_LEVEL=DEBUG, and
the tests below read what it left: answers, Slack calls, connections, the log.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from bot.app import build_app
from bot.clock import SystemClock
from bot.config import load_settings
from bot.context import BotContext
from bot.kits import Kits
from handlers.ids import (
    Action,
    DebriefChangeBlock,
    DecisionBlock,
    NotesBlock,
    ScheduleBlock,
    View,
)
from handlers.interview_modal import STAGE_LENGTH
from handlers.interview_notes_blocks import notes_block_id
from handlers.refs import Ref, ref, ref_id
from slackfake import Call, FakeSlack
from slackfake import requests as sr
from storage.db import create_engine, session_factory, transaction
from storage.models import Debrief, ScorecardDraft
from tests.bot_process import MODES, Answer, BotProcess
from tests.flows import decision_values, intake_values, scorecard_values
from tests.harness import HIRING_CHANNEL, HIRING_MANAGER, SIGNING_SECRET, Reply

pytestmark = pytest.mark.asyncio(loop_scope="module")

ANA, BEN, CY = "U0ANA", "U0BEN", "U0CY"
STRANGER = "U0STRANGER"
# In the workspace but not in the hiring channel: outside the hiring team.
OUTSIDER = "U0OUTSIDER"
# Unmistakable in a log: the candidate's name, the evidence and the private note typed in
# the loop must never be found there.
NAME = "Zofia Quellbright"
EVIDENCE = "Evidence-Marigold: rolled back the canary on drift"
PRIVATE_NOTE = "Note-Juniper: asked about visa timing"
INTAKE_NOTE = "Intake-Saffron: referred by a former colleague"
# Slack calls that carry a refusal to the user, besides the ack itself.
REFUSAL_SURFACES = ("response_url", "chat.postEphemeral", "chat.postMessage")
WITHIN = 10.0


@pytest_asyncio.fixture(scope="module", loop_scope="module", params=MODES)
async def process(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    migrated_template: Path,
    kits: Kits,
) -> AsyncIterator[BotProcess]:
    workdir = tmp_path_factory.mktemp(f"bot-{request.param}")
    database = workdir / "hiring.db"
    shutil.copyfile(migrated_template, database)
    fake = FakeSlack()
    await fake.start()
    fake.add_user(HIRING_MANAGER, real_name="Hana Manager", tz="Europe/London")
    for user_id, name in ((ANA, "Ana"), (BEN, "Ben"), (CY, "Cy"), (STRANGER, "Stan")):
        fake.add_user(user_id, real_name=name)
    fake.add_user(OUTSIDER, real_name="Olly")
    team = [HIRING_MANAGER, ANA, BEN, CY, STRANGER, fake.bot_user_id]
    fake.set_members(HIRING_CHANNEL, team)
    settings = load_settings(
        {
            "SLACK_BOT_TOKEN": fake.bot_token,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": fake.api_url,
            "HIRING_CHANNEL_ID": HIRING_CHANNEL,
            "DATABASE_URL": f"sqlite+aiosqlite:///{database}",
        }
    )
    engine = create_engine(settings.database_url)
    bot = BotContext(
        settings=settings,
        engine=engine,
        sessions=session_factory(engine),
        clock=SystemClock(),
        kits=kits,
    )
    running = BotProcess(
        bot=bot, fake=fake, mode=request.param, workdir=workdir, env={"LOG_LEVEL": "DEBUG"}
    )
    try:
        await running.start()
        yield running
    finally:
        await running.stop()
        await engine.dispose()
        await fake.stop()


# --------------------------------------------------------------------- the loop


@dataclass
class LoopRun:
    """What one run of the loop left behind."""

    answers: list[Answer]
    connections: int
    effects: dict[str, int] = field(default_factory=dict)
    refusals: dict[str, str] = field(default_factory=dict)


def button_values(blocks: Any, action_id: str) -> list[str]:
    """The values of the ``action_id`` buttons anywhere in ``blocks``."""
    if isinstance(blocks, list):
        return [value for block in blocks for value in button_values(block, action_id)]
    if not isinstance(blocks, dict):
        return []
    found = [str(blocks["value"])] if blocks.get("action_id") == action_id else []
    for child in blocks.values():
        if isinstance(child, list | dict):
            found += button_values(child, action_id)
    return found


async def opened_view(process: BotProcess, trigger_id: str) -> dict[str, Any]:
    """The modal the bot opened with ``trigger_id``, once it has."""
    opened = await process.fake.wait_for_calls(
        "views.open", where=lambda c: c.args.get("trigger_id") == trigger_id, within=WITHIN
    )
    assert opened and opened[0].response["ok"], f"no modal opened for {trigger_id}"
    return dict(opened[0].response["view"])


async def click_and_open(
    process: BotProcess, action: Action, user_id: str, value: str
) -> dict[str, Any]:
    trigger_id = process.fake.new_trigger_id()
    await process.action(action, user_id=user_id, value=value, trigger_id=trigger_id)
    return await opened_view(process, trigger_id)


async def submit(
    process: BotProcess, user_id: str, view: dict[str, Any], values: dict[str, Any]
) -> Reply:
    return await process.post(sr.view_submission(user_id=user_id, view=view, values=values))


async def refusal_shown(process: BotProcess, user_id: str, since: int, reply: Reply) -> str | None:
    """What told ``user_id`` no: the ack's own answer, or the first message to them among
    the fake's calls from the ``since``-th on."""
    answer = reply.json
    if isinstance(answer, dict) and (answer.get("response_action") or answer.get("text")):
        return str(answer.get("response_action") or "ephemeral ack")

    def to_user(call: Call) -> bool:
        # response_url posts reach the user who clicked; a DM's channel is the user's id.
        return call.method == "response_url" or user_id in (
            call.args.get("user"),
            call.args.get("channel"),
        )

    told = await process.fake.wait_for_calls(
        REFUSAL_SURFACES, where=to_user, since=since, within=WITHIN
    )
    return told[0].method if told else None


async def refused_click(
    process: BotProcess, action: Action, user_id: str, value: str
) -> str | None:
    """Click a button the bot refuses ``user_id``; what told them no."""
    since = len(process.fake.calls)
    reply = await process.action(action, user_id=user_id, value=value, channel_id=HIRING_CHANNEL)
    return await refusal_shown(process, user_id, since, reply)


def schedule_values(interviewers: tuple[str, ...]) -> dict[str, Any]:
    # Yesterday: the panel has met, so its scorecards are due.
    starts_at = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(days=1)
    return {
        ScheduleBlock.STAGE: sr.select_value(ScheduleBlock.STAGE, "screening"),
        ScheduleBlock.INTERVIEWERS: sr.users_value(ScheduleBlock.INTERVIEWERS, interviewers),
        ScheduleBlock.STARTS_AT: sr.datetime_value(ScheduleBlock.STARTS_AT, starts_at),
        ScheduleBlock.DURATION: sr.select_value(ScheduleBlock.DURATION, STAGE_LENGTH),
        ScheduleBlock.VIDEO_LINK: sr.url_value(ScheduleBlock.VIDEO_LINK, None),
    }


NOTES = "Notes-Heliotrope: drift caught by a shadow model"
REASON = "Reason-Tamarind: the debrief showed the drift story was second-hand"


async def take_notes_and_change_after_debrief(
    process: BotProcess, run: LoopRun, interview: str, candidate: str
) -> None:
    """Ana takes notes from her kit DM's *Take notes* and closes the form (kept); someone
    off the panel is refused. A debrief of the stage ended an hour ago: Ana confirms her
    ratings, then changes one with a reason; someone off the panel may not."""
    fake, bot = process.fake, process.bot
    notes = await click_and_open(process, Action.TAKE_NOTES, ANA, interview)
    key = bot.kits.stage("screening").questions[0].id
    state = {
        notes_block_id(NotesBlock.NOTES, key): sr.text_value(NotesBlock.NOTES, NOTES),
        notes_block_id(NotesBlock.RATING, key): sr.select_value(NotesBlock.RATING, "3"),
    }
    reply = await process.post(sr.view_closed(user_id=ANA, view=notes, values=state))
    assert reply.status == 200, reply.text
    interview_id = ref_id(interview, Ref.INTERVIEW)
    # The close is acknowledged first and saved after: wait for the draft, as a user would.
    deadline = asyncio.get_running_loop().time() + WITHIN
    draft = None
    while draft is None and asyncio.get_running_loop().time() < deadline:
        async with bot.sessions() as session:
            draft = await session.get(ScorecardDraft, (interview_id, ANA))
        await asyncio.sleep(0.05)
    run.effects["notes kept on close"] = int(draft is not None and key in draft.answers)
    run.refusals["Take notes, not on the panel"] = str(
        await refused_click(process, Action.TAKE_NOTES, STRANGER, interview)
    )
    ended = datetime.now(UTC) - timedelta(hours=1)
    async with transaction(bot.sessions) as session:
        session.add(
            Debrief(
                candidate_id=ref_id(candidate, Ref.CANDIDATE),
                stage_key="screening",
                starts_at=ended - timedelta(minutes=30),
                created_by=HIRING_MANAGER,
                created_at=ended,
                updated_at=ended,
            )
        )
    since = len(fake.calls)
    await process.action(Action.CONFIRM_RATINGS, user_id=ANA, value=interview)
    confirmed = await fake.wait_for_calls(
        "response_url", where=lambda c: "ratings stand" in str(c.args), since=since, within=WITHIN
    )
    run.effects["ratings confirmed"] = len(confirmed)
    change = await click_and_open(process, Action.CHANGE_RATINGS, ANA, interview)
    values = scorecard_values(bot.kits, "screening", score=2)
    values[DebriefChangeBlock.REASON] = sr.text_value(DebriefChangeBlock.REASON, REASON)
    reply = await submit(process, ANA, change, values)
    assert reply.json and reply.json.get("response_action") == "update", reply.text
    run.effects["ratings changed after the debrief"] = int("before and after" in reply.text)
    run.refusals["Change ratings, not on the panel"] = str(
        await refused_click(process, Action.CHANGE_RATINGS, STRANGER, interview)
    )


async def run_loop(process: BotProcess) -> LoopRun:
    """Intake, schedule, two scorecards of three, View scorecards and View summary refused
    and allowed, I did not attend refused and accepted (completing the panel), a scorecard
    refused to whoever did not attend, Record decision refused and recorded, digest: as the
    issue's users click it."""
    fake, kits = process.fake, process.bot.kits
    first_answer, connections = len(process.answers), fake.connections
    response_urls = len(fake.calls_to("response_url"))
    run = LoopRun(answers=[], connections=0)

    trigger_id = fake.new_trigger_id()
    await process.command("new", trigger_id=trigger_id)
    intake = await opened_view(process, trigger_id)
    reply = await submit(process, HIRING_MANAGER, intake, intake_values(NAME, notes=INTAKE_NOTE))
    assert (reply.status, reply.text) == (200, ""), reply.text
    cards = await fake.wait_for_calls(
        "chat.postMessage",
        where=lambda c: bool(button_values(c.args.get("blocks"), Action.SCHEDULE_INTERVIEW)),
        within=WITHIN,
    )
    assert cards, "the candidate's card was not posted"
    card = cards[0]
    candidate = button_values(card.args["blocks"], Action.SCHEDULE_INTERVIEW)[0]

    schedule = await click_and_open(process, Action.SCHEDULE_INTERVIEW, HIRING_MANAGER, candidate)
    reply = await submit(process, HIRING_MANAGER, schedule, schedule_values((ANA, BEN, CY)))
    assert (reply.status, reply.text) == (200, ""), reply.text

    def interview_buttons(call: Call) -> list[str]:
        values = button_values(call.args.get("blocks"), Action.SUBMIT_SCORECARD)
        return [value for value in values if value.startswith(f"{Ref.INTERVIEW}:")]

    kits_sent = await fake.wait_for_calls(
        "chat.postMessage", 3, where=lambda c: bool(interview_buttons(c)), within=WITHIN
    )
    run.effects["interview kits sent by DM"] = len(kits_sent)
    interview = interview_buttons(kits_sent[0])[0]

    for interviewer in (ANA, BEN):
        form = await click_and_open(process, Action.SUBMIT_SCORECARD, interviewer, interview)
        values = scorecard_values(kits, "screening", evidence=EVIDENCE, private_note=PRIVATE_NOTE)
        reply = await submit(process, interviewer, form, values)
        assert (reply.status, reply.text) == (200, ""), reply.text

    # The desk: Ana and Ben's tabs and the hiring manager's were republished after each
    # scorecard; Ana opens her kit again; the hiring manager nudges Cy, who is late.
    homes = await fake.wait_for_calls(
        "views.publish", where=lambda c: c.args.get("user_id") == HIRING_MANAGER, within=WITHIN
    )
    run.effects["hiring manager's home refreshed"] = len(homes)
    await click_and_open(process, Action.OPEN_KIT, ANA, interview)
    run.refusals["Open kit, not on the panel"] = str(
        await refused_click(process, Action.OPEN_KIT, STRANGER, interview)
    )
    since = len(fake.calls)
    await process.action(Action.NUDGE, user_id=HIRING_MANAGER, value=interview)
    nudged = await fake.wait_for_calls(
        "response_url", where=lambda c: "<@U0CY>" in str(c.args), since=since, within=WITHIN
    )
    run.effects["nudge answered"] = len(nudged)
    run.refusals["View scorecards, own scorecard owed"] = str(
        await refused_click(process, Action.VIEW_SCORECARDS, CY, interview)
    )
    await click_and_open(process, Action.VIEW_SCORECARDS, ANA, interview)
    # Independent feedback: the summary is checked per reader, as the scorecards are; an
    # interviewer who did not attend writes none; one whose scorecard is in did attend.
    run.refusals["View summary, own scorecard owed"] = str(
        await refused_click(process, Action.VIEW_SUMMARY, CY, interview)
    )
    run.refusals["I did not attend, own scorecard in"] = str(
        await refused_click(process, Action.NOT_ATTENDED, ANA, interview)
    )
    since = len(fake.calls)
    await process.action(Action.NOT_ATTENDED, user_id=CY, value=interview)
    complete = await fake.wait_for_calls(
        "chat.postMessage",
        where=lambda c: "Panel complete" in str(c.args.get("blocks")),
        since=since,
        within=WITHIN,
    )
    run.effects["panel complete notes"] = len(complete)
    run.refusals["Submit scorecard, did not attend"] = str(
        await refused_click(process, Action.SUBMIT_SCORECARD, CY, interview)
    )
    await click_and_open(process, Action.VIEW_SUMMARY, ANA, interview)
    await take_notes_and_change_after_debrief(process, run, interview, candidate)
    run.refusals["Record decision, not the hiring manager"] = str(
        await refused_click(process, Action.RECORD_DECISION, ANA, candidate)
    )
    # Against the panel's yes, a reject asks why in its confirmation, and without an
    # answer is refused under that field.
    form = await click_and_open(process, Action.RECORD_DECISION, HIRING_MANAGER, candidate)
    reply = await submit(process, HIRING_MANAGER, form, decision_values("reject"))
    assert reply.json and reply.json.get("response_action") == "update", reply.text
    confirm = reply.json["view"] | {"id": form["id"]}
    reply = await submit(process, HIRING_MANAGER, confirm, decision_values("reject"))
    run.refusals["Reject against the panel, no second reason"] = str(
        (reply.json or {}).get("errors", {}).get(DecisionBlock.JUSTIFICATION)
    )
    form = await click_and_open(process, Action.RECORD_DECISION, HIRING_MANAGER, candidate)
    reply = await submit(process, HIRING_MANAGER, form, decision_values("advance"))
    if reply.json and reply.json.get("response_action") == "update":
        # The confirmation replaces the form in place: Slack keeps the view id.
        confirm = reply.json["view"] | {"id": form["id"]}
        reply = await submit(process, HIRING_MANAGER, confirm, decision_values("advance"))
    assert (reply.status, reply.text) == (200, ""), reply.text
    updated = await fake.wait_for_calls(
        "chat.update", where=lambda c: c.args.get("ts") == card.response["ts"], within=WITHIN
    )
    run.effects["card updated"] = len(updated)

    since = len(fake.calls)
    await process.command("digest")
    digests = await fake.wait_for_calls(
        "chat.postMessage",
        where=lambda c: c.args.get("channel") == HIRING_CHANNEL and not c.args.get("thread_ts"),
        since=since,
        within=WITHIN,
    )
    run.effects["digest posted"] = len(digests)
    run.effects["thread notes"] = len(
        [
            c
            for c in fake.calls_to("chat.postMessage")
            if c.args.get("thread_ts") == card.response["ts"]
        ]
    )
    run.effects["modals opened"] = len([c for c in fake.calls_to("views.open") if c.response["ok"]])
    run.answers = process.answers[first_answer:]
    run.connections = fake.connections - connections
    run.effects["response_url answers"] = len(fake.calls_to("response_url")) - response_urls
    return run


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def loop(process: BotProcess) -> LoopRun:
    return await run_loop(process)


async def test_every_request_of_the_loop_is_answered_2xx_within_3_s(loop: LoopRun) -> None:
    late = [answer for answer in loop.answers if not answer.in_time]
    assert late == []
    assert len(loop.answers) >= 14


async def test_every_effect_of_the_loop_appears(loop: LoopRun) -> None:
    effects = loop.effects
    assert effects["interview kits sent by DM"] == 3
    # intake, schedule, two scorecards, Open kit, View scorecards and View summary allowed,
    # Take notes, Change ratings, the decision refused (a reject against the panel with no
    # second reason), the decision
    assert effects["modals opened"] == 11
    assert effects["notes kept on close"] == 1
    assert effects["ratings confirmed"] == 1
    assert effects["ratings changed after the debrief"] == 1
    assert effects["panel complete notes"] == 1
    assert effects["hiring manager's home refreshed"] >= 1
    assert effects["nudge answered"] == 1
    assert effects["card updated"] >= 1
    assert effects["digest posted"] == 1
    assert effects["thread notes"] >= 3, effects
    assert "None" not in loop.refusals.values(), loop.refusals


async def test_the_loop_reuses_its_connections_to_slack(loop: LoopRun) -> None:
    # Before one session per process: a connection per Web API call, about 30 a loop.
    # Bolt's respond opens a connection of its own for each response_url answer.
    web_api = loop.connections - loop.effects["response_url answers"]
    assert web_api <= 4, (loop.connections, loop.effects)


async def test_the_log_at_debug_holds_no_candidate_data(loop: LoopRun, process: BotProcess) -> None:
    log = process.log
    assert "DEBUG" in log, "the process did not log at DEBUG"
    typed = (NAME, EVIDENCE, PRIVATE_NOTE, INTAKE_NOTE, NOTES, REASON)
    assert [text for text in typed if text in log] == []


# --------------------------------------------------------------------- every refusal

Send = Callable[[BotProcess], Awaitable[Reply]]


def click(action: Action) -> Send:
    """A button whose value points at nothing: every button listener refuses it."""

    async def send(process: BotProcess) -> Reply:
        return await process.action(
            action, user_id=STRANGER, value=ref(Ref.INTERVIEW, 999_999), channel_id=HIRING_CHANNEL
        )

    return send


def stale_form(view: View, values: dict[str, Any] | None = None) -> Send:
    """A form submitted with metadata the bot did not write (an older version's)."""

    async def send(process: BotProcess) -> Reply:
        return await process.submit(
            view, values or {}, user_id=STRANGER, private_metadata="written by an old version"
        )

    return send


def command(text: str) -> Send:
    async def send(process: BotProcess) -> Reply:
        return await process.command(text, user_id=STRANGER)

    return send


async def reveal_clicked(process: BotProcess) -> Reply:
    """An inject's *Reveal*: its action id names the inject, its value a run that is gone."""
    return await process.action(
        f"{Action.INCIDENT_REVEAL}:alerts",
        user_id=STRANGER,
        value=ref(Ref.INCIDENT, 999_999),
        channel_id=HIRING_CHANNEL,
    )


async def home_opened(process: BotProcess) -> Reply:
    return await process.event({"type": "app_home_opened", "user": STRANGER, "tab": "home"})


def membership(kind: str) -> Send:
    """Someone joins or leaves a channel that is not the hiring channel: nothing to refuse,
    nothing changes, but the event is answered in time."""

    async def send(process: BotProcess) -> Reply:
        event = {"type": kind, "user": "U0PASSERBY", "channel": "C0ELSEWHERE"}
        return await process.event(event)

    return send


def closed_stale_form(view: View) -> Send:
    """A form closed with metadata the bot did not write: a closed modal has nowhere to
    show a refusal, so nothing is saved and nothing shown (the in-process tests check the
    draft)."""

    async def send(process: BotProcess) -> Reply:
        return await process.post(
            sr.view_closed(user_id=STRANGER, callback_id=view, private_metadata="old")
        )

    return send


# Events that refuse nobody: answered in time is all they owe.
NO_REFUSAL = (
    "handlers.team_access.on_member_joined",
    "handlers.team_access.on_member_left",
    "handlers.interview_notes.on_notes_closed",
)


async def find_time_in_stale_form(process: BotProcess) -> Reply:
    """*Find a time* in a Schedule interview modal an older version opened."""
    view = {"id": "V0OLD", "hash": "1.x", "private_metadata": "old", "state": {"values": {}}}
    return await process.action(
        Action.FIND_TIME, user_id=STRANGER, view=view, channel_id=HIRING_CHANNEL
    )


# Every listener bot/app.py wires, by module and name, and a request it refuses.
REFUSALS: dict[str, Send] = {
    "handlers.commands.on_command": command("decide Nobody We Know"),
    "handlers.debrief_meeting.on_schedule_button": click(Action.SCHEDULE_DEBRIEF),
    "handlers.debrief_meeting.on_reschedule_button": click(Action.RESCHEDULE_DEBRIEF),
    "handlers.debrief_meeting.on_cancel_button": click(Action.CANCEL_DEBRIEF),
    "handlers.debrief_meeting.on_debrief_submit": stale_form(View.SCHEDULE_DEBRIEF),
    "handlers.decision.on_record_decision": click(Action.RECORD_DECISION),
    "handlers.decision.on_decision_submitted": stale_form(
        View.DECISION, decision_values("advance")
    ),
    "handlers.decision.on_decision_confirmed": stale_form(View.DECISION_CONFIRM),
    # Home refuses nobody: a stranger is shown an empty desk.
    "handlers.home.on_home_opened": home_opened,
    "handlers.incident.on_start_button": click(Action.START_INCIDENT),
    "handlers.incident.on_start_submit": stale_form(View.START_INCIDENT),
    "handlers.incident.on_reveal_button": reveal_clicked,
    "handlers.incident.on_reveal_submit": stale_form(View.INCIDENT_REVEAL),
    "handlers.incident.on_statement_button": click(Action.INCIDENT_HYPOTHESIS),
    "handlers.incident.on_statement_submit": stale_form(View.INCIDENT_STATEMENT),
    "handlers.incident.on_answer_key": click(Action.INCIDENT_ANSWER_KEY),
    "handlers.incident.on_root_cause": click(Action.INCIDENT_ROOT_CAUSE),
    "handlers.kit.on_open_kit": click(Action.OPEN_KIT),
    "handlers.kit.on_open_pack": click(Action.OPEN_PACK),
    "handlers.interview_notes.on_take_notes": click(Action.TAKE_NOTES),
    "handlers.interview_notes.on_notes_saved": stale_form(View.TAKE_NOTES),
    "handlers.interview_notes.on_notes_closed": closed_stale_form(View.TAKE_NOTES),
    "handlers.scorecard_after_debrief.on_confirm_ratings": click(Action.CONFIRM_RATINGS),
    "handlers.scorecard_after_debrief.on_change_ratings": click(Action.CHANGE_RATINGS),
    "handlers.scorecard_after_debrief.on_change_submitted": stale_form(View.DEBRIEF_CHANGE),
    "handlers.nudge.on_nudge": click(Action.NUDGE),
    "handlers.candidate_intake.on_new_candidate": stale_form(
        View.NEW_CANDIDATE, intake_values(None)
    ),
    "handlers.privacy.on_erase_submit": stale_form(View.ERASE_CANDIDATE),
    "handlers.reminder_actions.on_not_attended": click(Action.NOT_ATTENDED),
    "handlers.interview.on_schedule_button": click(Action.SCHEDULE_INTERVIEW),
    "handlers.interview.on_reschedule_button": click(Action.RESCHEDULE_INTERVIEW),
    "handlers.interview.on_cancel_button": click(Action.CANCEL_INTERVIEW),
    "handlers.interview.on_schedule_submit": stale_form(View.SCHEDULE_INTERVIEW),
    "handlers.scorecard.on_submit_scorecard": click(Action.SUBMIT_SCORECARD),
    "handlers.scorecard.on_interview_chosen": stale_form(View.SCORECARD_CHOICE),
    "handlers.scorecard.on_scorecard_submitted": stale_form(View.SCORECARD),
    # No SECRET_KEY in this process: calendars cannot be connected, and none is to remove.
    "handlers.calendar_connect.on_connect_button": click(Action.CONNECT_CALENDAR),
    "handlers.calendar_connect.on_connect_submit": stale_form(View.CONNECT_CALENDAR),
    "handlers.calendar_connect.on_disconnect_button": click(Action.DISCONNECT_CALENDAR),
    "handlers.interview_find_time.on_find_time": find_time_in_stale_form,
    "handlers.scorecard_reading.on_view_scorecards": click(Action.VIEW_SCORECARDS),
    "handlers.scorecard_reading.on_view_summary": click(Action.VIEW_SUMMARY),
    "handlers.candidate_edit.on_edit_button": click(Action.EDIT_CANDIDATE),
    "handlers.candidate_edit.on_edit_submit": stale_form(View.EDIT_CANDIDATE, intake_values(None)),
    "handlers.retention.on_keep": click(Action.KEEP_CANDIDATE),
    "handlers.team_access.on_member_joined": membership("member_joined_channel"),
    "handlers.team_access.on_member_left": membership("member_left_channel"),
}


async def test_every_listener_the_app_wires_has_its_refusal_here(kits: Kits) -> None:
    settings = load_settings(
        {"SLACK_BOT_TOKEN": "xoxb-x", "SLACK_SIGNING_SECRET": "s", "HIRING_CHANNEL_ID": "C0X"}
    )
    engine = create_engine("sqlite+aiosqlite://")
    bot = BotContext(settings, engine, session_factory(engine), SystemClock(), kits)
    wired = {
        f"{listener.ack_function.__module__}.{listener.ack_function.__qualname__}"
        for listener in build_app(bot)._async_listeners
    }
    assert wired == set(REFUSALS)


@pytest.mark.parametrize("listener", sorted(REFUSALS))
async def test_every_listener_refuses_with_an_answer_in_time(
    process: BotProcess, listener: str
) -> None:
    since = len(process.fake.calls)
    reply = await REFUSALS[listener](process)
    answer = process.answers[-1]
    assert answer.in_time, answer
    assert "didn't call ack()" not in process.log
    if listener == "handlers.home.on_home_opened":
        published = await process.fake.wait_for_calls("views.publish", since=since, within=WITHIN)
        assert published, "no home published"
        return
    if listener in NO_REFUSAL:
        return
    assert await refusal_shown(process, STRANGER, since, reply) is not None, (
        "the user was told nothing"
    )


# --------------------------------------------------------------------- outside the team

TEAM_REFUSALS: dict[str, Send] = {
    "command": lambda process: process.command(f"find {NAME}", user_id=OUTSIDER),
    "card button": lambda process: process.action(
        Action.SCHEDULE_INTERVIEW,
        user_id=OUTSIDER,
        value=ref(Ref.CANDIDATE, 1),
        channel_id=HIRING_CHANNEL,
    ),
    "form": lambda process: process.submit(
        View.EDIT_CANDIDATE,
        intake_values(NAME),
        user_id=OUTSIDER,
        private_metadata='{"candidate_id": 1, "digest": "x"}',
    ),
}


@pytest.mark.parametrize("surface", sorted(TEAM_REFUSALS))
async def test_outside_the_hiring_team_one_line_in_time(process: BotProcess, surface: str) -> None:
    """Someone outside the hiring channel: the team's one line, answered within 3 s, naming
    no candidate, in either mode."""
    since = len(process.fake.calls)
    reply = await TEAM_REFUSALS[surface](process)
    assert process.answers[-1].in_time, process.answers[-1]
    answer = reply.json if isinstance(reply.json, dict) else {}
    shown = str(answer.get("text") or answer.get("view") or "")
    if not shown:
        told = await process.fake.wait_for_calls("response_url", since=since, within=WITHIN)
        assert told, "the user was told nothing"
        shown = str(told[0].args.get("text"))
    assert "This is for the hiring team" in shown and NAME not in shown
    assert [call.method for call in process.fake.calls[since:] if call.method == "views.open"] == []


# --------------------------------------------------------------------- insights


async def told(process: BotProcess, reply: Reply, since: int) -> str:
    """The ephemeral answer to a command: in its acknowledgement, or by response_url."""
    answer = reply.json if isinstance(reply.json, dict) else {}
    if answer.get("text"):
        return str(answer["text"])
    sent = await process.fake.wait_for_calls("response_url", since=since, within=WITHIN)
    assert sent, "the user was told nothing"
    return str(sent[0].args.get("text"))


async def test_insights_reach_the_hiring_manager_with_their_charts(
    loop: LoopRun, process: BotProcess
) -> None:
    """After the loop (one candidate, two scorecards): the message and two charts (the
    funnel, the calibration; no notes per question yet) in the hiring manager's DM."""
    since = len(process.fake.calls)
    reply = await process.command("insights", user_id=HIRING_MANAGER)
    assert process.answers[-1].in_time, process.answers[-1]
    assert "arrive in our DM" in await told(process, reply, since)
    charts = await process.fake.wait_for_calls(
        "files.completeUploadExternal", 2, since=since, within=WITHIN
    )
    assert len(charts) == 2
    messages = process.fake.calls_to("chat.postMessage")
    assert any("Hiring insights" in str(call.args.get("blocks")) for call in messages)
    assert NAME not in process.log


@pytest.mark.parametrize(
    ("user_id", "refusal"),
    [(ANA, "Only hiring managers and admins"), (OUTSIDER, "This is for the hiring team")],
)
async def test_insights_are_refused_to_an_interviewer_and_an_outsider(
    loop: LoopRun, process: BotProcess, user_id: str, refusal: str
) -> None:
    since = len(process.fake.calls)
    reply = await process.command("insights", user_id=user_id)
    assert process.answers[-1].in_time, process.answers[-1]
    assert refusal in await told(process, reply, since)
    later = process.fake.calls[since:]
    assert [c for c in later if c.method.startswith("files.")] == []
