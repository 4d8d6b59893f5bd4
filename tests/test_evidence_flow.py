"""Issue 14 end to end through the Slack-like harness, a three-person panel: notes taken as
a draft, the scorecard prefilled from them, a summary with *not assessed* and a 3-vs-1
disagreement, the DM after the debrief to confirm or change ratings with a reason, the
change shown before and after, and a decision against the panel that asks why."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import select

from bot.clock import FrozenClock
from bot.reminder_rules import ReminderKind
from bot.reminder_sweep import send_due_reminders
from bot.slack_client import build_client
from handlers.ids import Action, DebriefBlock, DebriefChangeBlock, ScorecardBlock
from handlers.refs import Ref, ref
from handlers.scorecard_modal import rating_block_id
from handlers.slack_notifier import SlackNotifier
from slackfake import requests as sr
from slackfake.blockkit import message_errors, view_errors
from storage.models import (
    AuditEvent,
    Candidate,
    RatingKind,
    Reminder,
    ScorecardAnswer,
    ScorecardRevision,
)
from tests.harness import HIRING_MANAGER, Harness
from tests.intake_helpers import add_candidate
from tests.loop_rows import PANEL, add_interview
from tests.render import render_blocks
from tests.scorecard_helpers import (
    click,
    decide,
    open_scorecard,
    scorecard_values,
    submit_scorecard,
    submit_view,
    view_as,
)
from tests.test_notes import close, note, take_notes

# Its SQL can behave differently by dialect: it runs on PostgreSQL too.
pytestmark = pytest.mark.both_databases

ANA, BEN, CAT = PANEL
WHY = "Cat's probe showed no p99 budget: the 100 ms was never split"


@pytest.fixture
async def panel(make_harness: Any) -> tuple[Harness, Candidate, int]:
    harness = await make_harness()
    for user_id, name in zip(PANEL, ("Ana", "Ben", "Cat"), strict=True):
        harness.fake.add_user(user_id, real_name=name)
    candidate = await add_candidate(harness, "Jane Doe")
    assert candidate.id is not None
    await decide(harness, candidate.id, "advance")
    harness.fake.clear()
    return harness, candidate, await add_interview(harness.bot, candidate.id)


def chosen(view: dict[str, Any]) -> dict[str, Any]:
    """The state a modal's prefilled choices submit as: what the interviewer confirms."""
    values: dict[str, Any] = {}
    for block in view["blocks"]:
        block_id, element = block.get("block_id"), block.get("element", {})
        initial = element.get("initial_option")
        if block_id and initial is not None:
            values[block_id] = sr.radio_value(element["action_id"], initial["value"])
    return values


async def summary_text(harness: Harness, interview_id: int) -> str:
    view, _ = await view_as(harness, Action.VIEW_SUMMARY, HIRING_MANAGER, interview_id)
    assert view is not None and view_errors(view) == []
    return render_blocks(view["blocks"])


async def test_notes_to_scorecard_to_debrief_change_to_a_guarded_decision(
    panel: tuple[Harness, Candidate, int], clock: FrozenClock
) -> None:
    harness, candidate, interview_id = panel
    bot = harness.bot
    assert candidate.id is not None

    # Ana takes notes during the interview and closes the form: a draft.
    notes = await take_notes(harness, ANA, interview_id)
    await close(
        harness,
        ANA,
        notes,
        note("experiment_tracking", "MLflow for five, runs linked to the registry", "3")
        | note("versioning_rollback", "Canary, one-step rollback to the last good model", "4")
        | note("k8s_serving", "Sized replicas from a load test; p99 budget split", "3")
        | note("autoscaling", None, "not_asked")
        | note("serving_monitoring", "Drift, latency, business metric; owners", "3"),
    )
    # Her scorecard starts from the notes; she confirms the suggestions and rates the rest.
    form = await open_scorecard(harness, ANA, interview_id)
    values = scorecard_values(bot.kits, overall=3)
    values |= {key: value for key, value in chosen(form).items() if key.startswith("scorecard_c")}
    values[rating_block_id(RatingKind.COMPETENCY, "feature_consistency")] = sr.radio_value(
        ScorecardBlock.COMPETENCY, "3"
    )
    assert values[rating_block_id(RatingKind.COMPETENCY, "autoscaling")] == sr.radio_value(
        ScorecardBlock.COMPETENCY, "not_assessed"
    )
    evidence = form["blocks"][
        [b.get("block_id") for b in form["blocks"]].index("scorecard_evidence")
    ]
    values[ScorecardBlock.EVIDENCE] = sr.text_value(
        ScorecardBlock.EVIDENCE, evidence["element"]["initial_value"]
    )
    reply = await submit_view(harness, ANA, form, values)
    assert (reply.status, reply.text) == (200, "")
    # Ben and Cat: nobody reached autoscaling; Kubernetes serving 3, 3 and 1.
    unasked = {"autoscaling": "not_assessed"}
    await submit_scorecard(harness, BEN, interview_id, competencies=unasked, overall=3)
    await submit_scorecard(
        harness, CAT, interview_id, competencies=unasked | {"k8s_serving": 1}, overall=2
    )

    before = await summary_text(harness, interview_id)
    assert "*Split 2 : 1* (yes : no) · Serving on Kubernetes under a latency budget 3 / 3 / 1" in (
        before
    )
    assert "Nobody on the panel assessed:* *Autoscaling and capacity*" in before

    # The debrief, an hour from now, with the panel and the hiring manager.
    reply = await harness.action(
        Action.SCHEDULE_DEBRIEF, user_id=HIRING_MANAGER, value=ref(Ref.CANDIDATE, candidate.id)
    )
    debrief_form = harness.fake.calls_to("views.open")[-1].response["view"]
    starts_at = clock.now() + timedelta(hours=1)
    reply = await submit_view(
        harness,
        HIRING_MANAGER,
        debrief_form,
        {
            DebriefBlock.STARTS_AT: sr.datetime_value(DebriefBlock.STARTS_AT, starts_at),
            DebriefBlock.ATTENDEES: sr.users_value(
                DebriefBlock.ATTENDEES, (*PANEL, HIRING_MANAGER)
            ),
            DebriefBlock.DURATION: sr.select_value(DebriefBlock.DURATION, "30"),
            DebriefBlock.VIDEO_LINK: sr.url_value(DebriefBlock.VIDEO_LINK, None),
        },
    )
    assert (reply.status, reply.text) == (200, "")

    # Not before it ends; then each panelist gets the DM, the hiring manager (no scorecard)
    # does not.
    notifier = SlackNotifier(build_client(bot.settings), clock)
    clock.advance(timedelta(hours=1, minutes=29))
    harness.fake.clear()
    await send_due_reminders(bot, notifier, owner="test")
    await harness.deliver()
    assert [
        c for c in harness.fake.calls_to("chat.postMessage") if "still stand" in str(c.args)
    ] == []
    clock.advance(timedelta(minutes=2))
    await send_due_reminders(bot, notifier, owner="test")
    await harness.deliver()
    asked = {
        call.args["channel"]: call.args["blocks"]
        for call in harness.fake.calls_to("chat.postMessage")
        if "still stand" in str(call.args)
    }
    assert set(asked) == set(PANEL)
    assert all(message_errors(blocks) == [] for blocks in asked.values())
    cats = render_blocks(asked[CAT])
    assert "*Your ratings:* Overall 2 · No" in cats
    assert "Serving on Kubernetes under a latency budget 1" in cats
    assert "Autoscaling and capacity not assessed" in cats
    async with bot.sessions() as session:
        hms = (
            await session.exec(
                select(Reminder).where(
                    Reminder.kind == ReminderKind.DEBRIEF_CONFIRM,
                    Reminder.recipient_id == HIRING_MANAGER,
                )
            )
        ).one()
    assert (hms.status, hms.last_error) == ("cancelled", "no scorecard to confirm")

    # Ana confirms; Ben changes Kubernetes serving from 3 to 2, saying why.
    value = ref(Ref.INTERVIEW, interview_id)
    harness.fake.clear()
    await harness.action(Action.CONFIRM_RATINGS, user_id=ANA, value=value)
    [told] = harness.fake.calls_to("response_url")
    assert "your ratings stand" in told.args["text"]
    _, change = await click(harness, Action.CHANGE_RATINGS, user_id=BEN, value=value)
    assert change is not None and view_errors(change) == []
    k8s = rating_block_id(RatingKind.COMPETENCY, "k8s_serving")
    values = chosen(change) | {k8s: sr.radio_value(ScorecardBlock.COMPETENCY, "2")}
    # Without a reason: said under the reason, nothing changed.
    reply = await submit_view(harness, BEN, change, values)
    assert reply.json["errors"] == {
        DebriefChangeBlock.REASON: "Say why your ratings changed: what the debrief brought out."
    }
    # The same ratings with a reason: nothing to change, press Confirm.
    reason = {DebriefChangeBlock.REASON: sr.text_value(DebriefChangeBlock.REASON, WHY)}
    reply = await submit_view(harness, BEN, change, chosen(change) | reason)
    assert "Confirm ratings" in str(reply.json["errors"])
    reply = await submit_view(harness, BEN, change, values | reason)
    assert reply.json["response_action"] == "update"
    assert "before and after" in str(reply.json["view"])
    # Someone outside the panel cannot change Ben's, nor open the change.
    _, refused = await click(harness, Action.CHANGE_RATINGS, user_id=HIRING_MANAGER, value=value)
    assert refused is None

    # A decision against the panel's 2 : 1 yes asks why, and keeps the answer.
    reply = await decide(
        harness,
        candidate.id,
        "reject",
        "No latency budget under probing.",
        justification="The split was on the one skill the role needs most.",
    )
    assert (reply.status, reply.text) == (200, "")
    async with bot.sessions() as session:
        decided = (
            await session.exec(
                select(AuditEvent)
                .where(AuditEvent.action == "decision_recorded")
                .order_by(AuditEvent.id.desc())  # type: ignore[union-attr]
            )
        ).first()
        revisions = (await session.exec(select(ScorecardRevision))).all()
        confirmed = (
            await session.exec(
                select(AuditEvent).where(AuditEvent.action == "scorecard_confirmed_after_debrief")
            )
        ).all()
        answers = (await session.exec(select(ScorecardAnswer))).all()
    assert decided is not None and decided.detail["against_panel"] is True
    assert [(r.kind, r.reason, r.changes) for r in revisions] == [
        ("debrief", WHY, [{"field": "competency:k8s_serving", "before": 3, "after": 2}])
    ]
    assert [event.actor_id for event in confirmed] == [ANA]
    assert {a.question_key for a in answers} == {
        "experiment_tracking",
        "versioning_rollback",
        "k8s_serving",
        "autoscaling",
        "serving_monitoring",
    }

    after = await summary_text(harness, interview_id)
    assert "*Split 2 : 1* (yes : no) · Serving on Kubernetes under a latency budget 3 / 2 / 1" in (
        after
    )
    assert "Nobody on the panel assessed:* *Autoscaling and capacity*" in after
    assert f"• @{BEN} · Serving on Kubernetes under a latency budget: 3 → *2*" in after, after
    # The reason is in View scorecards, with the change.
    scorecards, _ = await view_as(harness, Action.VIEW_SCORECARDS, HIRING_MANAGER, interview_id)
    assert scorecards is not None
    shown = render_blocks(scorecards["blocks"])
    assert "Changed after the debrief" in shown and WHY in shown, shown


async def test_changes_wait_for_the_debrief_and_end_with_the_decision(
    panel: tuple[Harness, Candidate, int], clock: FrozenClock
) -> None:
    harness, candidate, interview_id = panel
    bot = harness.bot
    assert candidate.id is not None
    value = ref(Ref.INTERVIEW, interview_id)
    await submit_scorecard(harness, ANA, interview_id)

    async def told(user_id: str, action: Action) -> str:
        harness.fake.clear()
        _, view = await click(harness, action, user_id=user_id, value=value)
        assert view is None
        answers = harness.fake.calls_to("response_url") + harness.fake.calls_to("chat.postMessage")
        return str(answers[0].args)

    # No debrief has ended: the scorecard's own form is the way to change it.
    assert "No debrief of this stage has ended yet" in await told(ANA, Action.CHANGE_RATINGS)
    assert "No debrief of this stage has ended yet" in await told(ANA, Action.CONFIRM_RATINGS)
    # A debrief an hour from now, then over; Ben has no scorecard to confirm.
    reply = await harness.action(
        Action.SCHEDULE_DEBRIEF, user_id=HIRING_MANAGER, value=ref(Ref.CANDIDATE, candidate.id)
    )
    form = harness.fake.calls_to("views.open")[-1].response["view"]
    reply = await submit_view(
        harness,
        HIRING_MANAGER,
        form,
        {
            DebriefBlock.STARTS_AT: sr.datetime_value(
                DebriefBlock.STARTS_AT, clock.now() + timedelta(hours=1)
            ),
            DebriefBlock.ATTENDEES: sr.users_value(DebriefBlock.ATTENDEES, (ANA, BEN)),
            DebriefBlock.DURATION: sr.select_value(DebriefBlock.DURATION, "30"),
            DebriefBlock.VIDEO_LINK: sr.url_value(DebriefBlock.VIDEO_LINK, None),
        },
    )
    assert (reply.status, reply.text) == (200, "")
    clock.advance(timedelta(hours=2))
    assert "not in: submit it" in await told(BEN, Action.CHANGE_RATINGS)
    # The decision closes the stage before the DM goes: the DM is dropped, and the buttons
    # of an earlier one say why.
    await decide(harness, candidate.id, "advance", justification="Enough evidence.")
    notifier = SlackNotifier(build_client(bot.settings), clock)
    harness.fake.clear()
    await send_due_reminders(bot, notifier, owner="test")
    await harness.deliver()
    posted = harness.fake.calls_to("chat.postMessage")
    assert [call for call in posted if "still stand" in str(call.args)] == []
    async with bot.sessions() as session:
        reasons = (
            await session.exec(
                select(Reminder.last_error).where(Reminder.kind == ReminderKind.DEBRIEF_CONFIRM)
            )
        ).all()
    assert list(reasons) == ["stage closed", "stage closed"]
    assert "read-only" in await told(ANA, Action.CHANGE_RATINGS)
