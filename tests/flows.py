"""Driving the bot in Slack the way users do: the New candidate modal, *Schedule interview*
and *Schedule debrief*, the scorecard and decision modals, buttons clicked and views
submitted as signed requests through the ``Harness``, and the sweep run at a chosen time.

The people and times the forms are filled in with by default are here too. What the bot
said back is read with ``tests/calls.py``; rows are written straight with ``tests/seed.py``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.clock import FrozenClock
from bot.kits import Kits
from bot.reminder_sweep import send_due_reminders
from bot.scorecards import NOT_OBSERVED
from handlers.ids import (
    Action,
    DebriefBlock,
    DecisionBlock,
    IntakeBlock,
    NotesBlock,
    ScheduleBlock,
    ScorecardBlock,
    View,
)
from handlers.interview_modal import STAGE_LENGTH
from handlers.interview_notes_blocks import notes_block_id
from handlers.refs import Ref, ref
from handlers.scorecard_modal import rating_block_id
from handlers.slack_notifier import SlackNotifier
from slackfake import FakeSlack
from slackfake import requests as sr
from storage.models import Candidate, Debrief, Interview, RatingKind
from tests.calls import assert_closed
from tests.harness import HIRING_CHANNEL, HIRING_MANAGER, Harness, Reply
from tests.seed import latest_candidate, stored_debriefs, stored_interviews

Values = dict[str, dict[str, Any]]

# Who the forms invite by default, and the rest of the team the people fixture adds.
ANA, BEN, CY = "U0ANA", "U0BEN", "U0CY"
RECRUITER, ADMIN = "U0REC", "U0ADMIN"
BOT_USER, GONE = "U0DEPLOYBOT", "U0GONE"
# The screening interview is Wednesday 14:00 UTC; the debrief Thursday 15:00-15:30.
WHEN = INTERVIEW_AT = datetime(2026, 12, 2, 14, 0, tzinfo=UTC)
LATER = WHEN + timedelta(days=2, hours=1)
DEBRIEF_AT = datetime(2026, 12, 3, 15, 0, tzinfo=UTC)


def add_people(fake: FakeSlack) -> None:
    """The team of the scheduling tests: three interviewers, a recruiter, an admin, a bot
    user and a deactivated account."""
    for user_id, name in ((ANA, "Ana"), (BEN, "Ben"), (CY, "Cy"), (RECRUITER, "Rae")):
        fake.add_user(user_id, real_name=name)
    fake.add_user(ADMIN, real_name="Ada Admin")
    fake.add_user(BOT_USER, real_name="Deploy Bot", is_bot=True)
    fake.add_user(GONE, real_name="Old Timer", deleted=True)


# --------------------------------------------------------------------- clicks and views


async def click(
    harness: Harness, action: Action, *, user_id: str, value: str, **kwargs: Any
) -> tuple[Reply, dict[str, Any] | None]:
    """Click a button; the reply and the view the bot opened (None if it opened none)."""
    before = len(harness.fake.calls_to("views.open"))
    reply = await harness.action(action, user_id=user_id, value=value, **kwargs)
    opened = harness.fake.calls_to("views.open")[before:]
    assert len(opened) <= 1
    if not opened:
        return reply, None
    assert opened[0].response["ok"], opened[0].response
    return reply, opened[0].response["view"]


async def submit_view(
    harness: Harness, user_id: str, view: Mapping[str, Any], values: Values, **kwargs: Any
) -> Reply:
    return await harness.post(
        sr.view_submission(user_id=user_id, view=view, values=values, **kwargs)
    )


def last_opened_view(harness: Harness) -> dict[str, Any]:
    return harness.fake.calls_to("views.open")[-1].response["view"]


# --------------------------------------------------------------------- new candidate


def intake_values(
    name: str | None = "Jane Doe",
    *,
    level: str | None = "senior",
    location: str | None = "uk_london",
    profile_url: str | None = None,
    source: str | None = None,
    hiring_manager: str | None = HIRING_MANAGER,
    notes: str | None = None,
    email: str | None = None,
    timezone: str | None = None,
    hours: str | None = None,
) -> dict[str, dict[str, Any]]:
    """``view.state.values`` of a filled-in New candidate modal."""
    return {
        IntakeBlock.NAME: sr.text_value(IntakeBlock.NAME, name),
        IntakeBlock.LEVEL: sr.radio_value(IntakeBlock.LEVEL, level),
        IntakeBlock.LOCATION: sr.select_value(IntakeBlock.LOCATION, location),
        IntakeBlock.PROFILE_URL: sr.url_value(IntakeBlock.PROFILE_URL, profile_url),
        IntakeBlock.SOURCE: sr.text_value(IntakeBlock.SOURCE, source),
        IntakeBlock.HIRING_MANAGER: sr.user_value(IntakeBlock.HIRING_MANAGER, hiring_manager),
        IntakeBlock.NOTES: sr.text_value(IntakeBlock.NOTES, notes),
        IntakeBlock.EMAIL: sr.text_value(IntakeBlock.EMAIL, email),
        IntakeBlock.TIMEZONE: sr.text_value(IntakeBlock.TIMEZONE, timezone),
        IntakeBlock.HOURS: sr.text_value(IntakeBlock.HOURS, hours),
    }


async def submit_intake(
    harness: Harness,
    name: str | None = "Jane Doe",
    *,
    user_id: str = HIRING_MANAGER,
    view_id: str | None = None,
    **fields: Any,
) -> Reply:
    return await harness.submit(
        View.NEW_CANDIDATE, intake_values(name, **fields), user_id=user_id, view_id=view_id
    )


async def add_candidate(
    harness: Harness, name: str = "Jane Doe", *, user_id: str = HIRING_MANAGER, **fields: Any
) -> Candidate:
    """Submit the modal and return the candidate it stored (with its card posted, when the
    fake's channel allows)."""
    assert_closed(await submit_intake(harness, name, user_id=user_id, **fields))
    return await latest_candidate(harness.bot)


# --------------------------------------------------------------------- interviews


def schedule_values(
    stage: str | None = "screening",
    interviewers: Sequence[str] = (ANA, BEN),
    starts_at: datetime | None = WHEN,
    *,
    duration: str = STAGE_LENGTH,
    link: str | None = None,
) -> Values:
    """``view.state.values`` of a filled-in Schedule (or Reschedule) interview modal."""
    return {
        ScheduleBlock.STAGE: sr.select_value(ScheduleBlock.STAGE, stage),
        ScheduleBlock.INTERVIEWERS: sr.users_value(ScheduleBlock.INTERVIEWERS, interviewers),
        ScheduleBlock.STARTS_AT: sr.datetime_value(ScheduleBlock.STARTS_AT, starts_at),
        ScheduleBlock.DURATION: sr.select_value(ScheduleBlock.DURATION, duration),
        ScheduleBlock.VIDEO_LINK: sr.url_value(ScheduleBlock.VIDEO_LINK, link),
    }


async def open_schedule(
    harness: Harness, candidate: Candidate, user_id: str = HIRING_MANAGER
) -> dict[str, Any]:
    """Click the card's Schedule interview button; the modal Slack opened."""
    reply = await harness.action(
        Action.SCHEDULE_INTERVIEW, user_id=user_id, value=f"candidate:{candidate.id}"
    )
    assert reply.status == 200
    return last_opened_view(harness)


async def submit_schedule(
    harness: Harness, view: dict[str, Any], *, user_id: str = HIRING_MANAGER, **changes: Any
) -> Reply:
    """Submit the Schedule interview modal: ``schedule_values`` with ``changes``."""
    return await submit_view(harness, user_id, view, schedule_values(**changes))


async def schedule(
    harness: Harness, candidate: Candidate, *, user_id: str = HIRING_MANAGER, **changes: Any
) -> Interview:
    """Schedule an interview through the modal; the interview it stored."""
    view = await open_schedule(harness, candidate, user_id)
    assert_closed(await submit_schedule(harness, view, user_id=user_id, **changes))
    [interview] = [
        i for i in await stored_interviews(harness.bot) if i.schedule_view_id == view["id"]
    ]
    return interview


async def reschedule(
    harness: Harness,
    interview_id: int,
    *,
    user_id: str,
    stage: str,
    interviewers: Sequence[str],
    starts_at: datetime,
) -> Reply:
    """*Reschedule* on the interview's note, the form submitted with these values."""
    reply, view = await click(
        harness,
        Action.RESCHEDULE_INTERVIEW,
        user_id=user_id,
        value=ref(Ref.INTERVIEW, interview_id),
    )
    assert view is not None, reply.text
    return await submit_view(
        harness, user_id, view, schedule_values(stage, interviewers, starts_at)
    )


def scorecard_values(
    kits: Kits,
    stage_key: str = "technical",
    *,
    score: int | None = 3,
    competencies: Mapping[str, int | str | None] | None = None,
    qualities: Mapping[str, int | str | None] | None = None,
    overall: int | None = 3,
    red_flags: Iterable[str] = (),
    evidence: str | None = "Explained canary rollouts and when to roll back.",
    private_note: str | None = None,
) -> Values:
    """``view.state.values`` of a scorecard modal: every competency ``score``, every quality
    not observed, unless overridden; None leaves a choice empty."""
    stage = kits.stage(stage_key)
    chosen_competencies: dict[str, int | str | None] = {c.id: score for c in stage.competencies}
    chosen_competencies |= dict(competencies or {})
    chosen_qualities: dict[str, int | str | None] = {q.id: NOT_OBSERVED for q in kits.qualities}
    chosen_qualities |= dict(qualities or {})
    values: Values = {
        rating_block_id(RatingKind.COMPETENCY, key): sr.radio_value(
            ScorecardBlock.COMPETENCY, None if value is None else str(value)
        )
        for key, value in chosen_competencies.items()
    }
    values |= {
        rating_block_id(RatingKind.QUALITY, key): sr.radio_value(
            ScorecardBlock.QUALITY, None if value is None else str(value)
        )
        for key, value in chosen_qualities.items()
    }
    values |= {
        ScorecardBlock.RED_FLAGS: sr.checkboxes_value(ScorecardBlock.RED_FLAGS, red_flags),
        ScorecardBlock.OVERALL: sr.radio_value(
            ScorecardBlock.OVERALL, None if overall is None else str(overall)
        ),
        ScorecardBlock.EVIDENCE: sr.text_value(ScorecardBlock.EVIDENCE, evidence),
        ScorecardBlock.PRIVATE_NOTE: sr.text_value(ScorecardBlock.PRIVATE_NOTE, private_note),
    }
    return values


async def open_scorecard(harness: Harness, user_id: str, interview_id: int) -> dict[str, Any]:
    """The interviewer's *Submit scorecard* button in their DM; the modal it opened."""
    reply, view = await click(
        harness,
        Action.SUBMIT_SCORECARD,
        user_id=user_id,
        value=ref(Ref.INTERVIEW, interview_id),
    )
    assert reply.status == 200 and view is not None, harness.fake.calls_to("response_url")
    return view


async def submit_scorecard(
    harness: Harness, user_id: str, interview_id: int, **values: Any
) -> Reply:
    """Open the modal from the DM and submit it; the modal must close."""
    view = await open_scorecard(harness, user_id, interview_id)
    reply = await submit_view(harness, user_id, view, scorecard_values(harness.bot.kits, **values))
    assert_closed(reply)
    return reply


# --------------------------------------------------------------------- notes and decisions


def note(key: str, notes: str | None = None, choice: str | None = None) -> dict[str, Any]:
    """One question's state in the form: its notes and its rating choice."""
    return {
        notes_block_id(NotesBlock.NOTES, key): sr.text_value(NotesBlock.NOTES, notes),
        notes_block_id(NotesBlock.RATING, key): sr.select_value(NotesBlock.RATING, choice),
    }


async def take_notes(harness: Harness, user_id: str, interview_id: int) -> dict[str, Any]:
    """The *Take notes* button of the interviewer's kit DM; the modal it opened."""
    reply, view = await click(
        harness, Action.TAKE_NOTES, user_id=user_id, value=ref(Ref.INTERVIEW, interview_id)
    )
    assert reply.status == 200 and view is not None, harness.fake.calls_to("response_url")
    return view


async def close(harness: Harness, user_id: str, view: dict[str, Any], values: Any) -> Reply:
    """The modal closed with the form as it stood (view_closed, as *notify_on_close* asks)."""
    return await harness.post(sr.view_closed(user_id=user_id, view=view, values=values))


def decision_values(outcome: str | None, reason: str | None = "Strong, consistent loop.") -> Values:
    return {
        DecisionBlock.OUTCOME: sr.radio_value(DecisionBlock.OUTCOME, outcome),
        DecisionBlock.REASON: sr.text_value(DecisionBlock.REASON, reason),
    }


async def open_decision(
    harness: Harness, candidate_id: int, *, user_id: str = HIRING_MANAGER
) -> tuple[Reply, dict[str, Any] | None]:
    return await click(
        harness,
        Action.RECORD_DECISION,
        user_id=user_id,
        value=ref(Ref.CANDIDATE, candidate_id),
        channel_id=HIRING_CHANNEL,
    )


async def decide(
    harness: Harness,
    candidate_id: int,
    outcome: str,
    reason: str = "Strong, consistent loop.",
    *,
    user_id: str = HIRING_MANAGER,
    justification: str = "The team agreed not to wait.",
) -> Reply:
    """Record a decision through the form, confirming it if the bot asks (with the
    ``justification`` when it asks for a second reason); the last reply."""
    _, view = await open_decision(harness, candidate_id, user_id=user_id)
    assert view is not None
    reply = await submit_view(harness, user_id, view, decision_values(outcome, reason))
    answer = reply.json
    if answer and answer.get("response_action") == "update":
        # The confirmation replaces the form in place: Slack keeps the view id.
        confirm = answer["view"] | {"id": view["id"]}
        values = {DecisionBlock.REASON: sr.text_value(DecisionBlock.REASON, reason)}
        if any(block.get("block_id") == DecisionBlock.JUSTIFICATION for block in confirm["blocks"]):
            values[DecisionBlock.JUSTIFICATION] = sr.text_value(
                DecisionBlock.JUSTIFICATION, justification
            )
        reply = await submit_view(harness, user_id, confirm, values)
    return reply


async def view_as(
    harness: Harness, action: Action, user_id: str, interview_id: int
) -> tuple[dict[str, Any] | None, str]:
    """Click *View scorecards* or *View summary*: the modal opened, or None and the answer
    only the clicker sees."""
    before = len(harness.fake.calls_to("response_url"))
    _, view = await click(harness, action, user_id=user_id, value=ref(Ref.INTERVIEW, interview_id))
    answers = harness.fake.calls_to("response_url")[before:]
    return view, answers[0].args["text"] if answers else ""


# --------------------------------------------------------------------- debriefs


def debrief_values(
    *,
    starts_at: datetime | None = DEBRIEF_AT,
    attendees: tuple[str, ...] = (ANA, BEN, HIRING_MANAGER),
    duration: str = "30",
    link: str | None = None,
) -> Values:
    """``view.state.values`` of a filled-in Schedule debrief modal."""
    return {
        DebriefBlock.STARTS_AT: sr.datetime_value(DebriefBlock.STARTS_AT, starts_at),
        DebriefBlock.ATTENDEES: sr.users_value(DebriefBlock.ATTENDEES, attendees),
        DebriefBlock.DURATION: sr.select_value(DebriefBlock.DURATION, duration),
        DebriefBlock.VIDEO_LINK: sr.url_value(DebriefBlock.VIDEO_LINK, link),
    }


async def with_interview(harness: Harness, *, user_id: str = HIRING_MANAGER) -> Candidate:
    """A candidate whose screening interview with Ana and Ben is scheduled."""
    candidate = await add_candidate(harness, user_id=user_id)
    await schedule(harness, candidate, starts_at=INTERVIEW_AT)
    return candidate


async def open_debrief(
    harness: Harness, candidate: Candidate, user_id: str = HIRING_MANAGER
) -> dict[str, Any]:
    """Click the card's Schedule debrief button; the modal Slack opened."""
    reply = await harness.action(
        Action.SCHEDULE_DEBRIEF, user_id=user_id, value=f"candidate:{candidate.id}"
    )
    assert reply.status == 200
    return last_opened_view(harness)


async def open_debrief_reschedule(
    harness: Harness, debrief: Debrief, user_id: str = HIRING_MANAGER
) -> dict[str, Any]:
    await harness.action(Action.RESCHEDULE_DEBRIEF, user_id=user_id, value=f"debrief:{debrief.id}")
    return last_opened_view(harness)


async def submit_debrief(
    harness: Harness, view: dict[str, Any], *, user_id: str = HIRING_MANAGER, **changes: Any
) -> Reply:
    """Submit the Schedule debrief modal: ``debrief_values`` with ``changes``."""
    return await submit_view(harness, user_id, view, debrief_values(**changes))


async def schedule_debrief(
    harness: Harness, candidate: Candidate, *, user_id: str = HIRING_MANAGER, **changes: Any
) -> Debrief:
    """Schedule a debrief through the modal; the debrief it stored."""
    view = await open_debrief(harness, candidate, user_id)
    assert_closed(await submit_debrief(harness, view, user_id=user_id, **changes))
    [debrief] = [d for d in await stored_debriefs(harness.bot) if d.schedule_view_id == view["id"]]
    return debrief


# --------------------------------------------------------------------- events and jobs


def home_opened(user_id: str, tab: str = "home") -> dict[str, str]:
    """The app_home_opened event Slack sends when ``user_id`` opens the app's Home tab."""
    return {
        "type": "app_home_opened",
        "user": user_id,
        "channel": "D0HOME",
        "tab": tab,
        "event_ts": "1764496800.000100",
    }


async def deliver_event(
    harness: Harness, event_id: str, *, retry_num: int | None = None, user_id: str = "U0ANA"
) -> Reply:
    """An event_callback as Slack sends it; a redelivery carries X-Slack-Retry-Num."""
    headers = {}
    if retry_num is not None:
        headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"}
    body = sr.event_callback(home_opened(user_id), event_id=event_id)
    return await harness.post(body, content_type=sr.JSON, headers=headers)


async def sweep_at(harness: Harness, notifier: SlackNotifier, moment: datetime) -> None:
    """The reminder sweep, run with the frozen clock set to ``moment``, and what it queued
    sent."""
    clock = harness.bot.clock
    assert isinstance(clock, FrozenClock)
    clock.set(moment)
    await send_due_reminders(harness.bot, notifier, owner="test")
    await harness.deliver()


def tie_clocks(fake: FakeSlack, clock: FrozenClock) -> None:
    """The fake's rate limits run on the bot's clock: a test moves both at once."""
    fake.clock = lambda: clock.now().timestamp()


async def deliver_all(harness: Harness, clock: FrozenClock, *, most: int = 10_000) -> None:
    """Drain, moving the clock to each next moment the sender names, until nothing is left."""
    assert harness.sender is not None
    for _ in range(most):
        next_at = await harness.sender.drain()
        if next_at is None:
            return
        clock.set(max(next_at, clock.now()))
    raise AssertionError("the outbox never emptied")
