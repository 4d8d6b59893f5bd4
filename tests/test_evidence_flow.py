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
from handlers.ids import Action, DebriefChangeBlock, ScorecardBlock
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
    row_id,
)
from tests import seed
from tests.calls import assert_closed, render_blocks
from tests.flows import (
    click,
    close,
    decide,
    note,
    open_scorecard,
    schedule_debrief,
    scorecard_values,
    submit_scorecard,
    submit_view,
    sweep_at,
    take_notes,
    view_as,
)
from tests.harness import HIRING_MANAGER, Harness
from tests.seed import PANEL, add_interview_id

# Its SQL can behave differently by dialect: it runs on PostgreSQL too.
pytestmark = pytest.mark.both_databases

ANA, BEN, CAT = PANEL
WHY = "Cat's probe showed no p99 budget: the 100 ms was never split"


@pytest.fixture
async def panel(make_harness: Any) -> tuple[Harness, Candidate, int]:
    """A candidate in the Technical stage, their card in the channel, and an interview with
    Ana, Ben and Cat that ended an hour ago (rows written straight: intake and advancing
    are driven through Slack elsewhere)."""
    harness = await make_harness()
    for user_id, name in zip(PANEL, ("Ana", "Ben", "Cat"), strict=True):
        harness.fake.add_user(user_id, real_name=name)
    candidate = await seed.add_candidate(harness.bot, fake=harness.fake, stage="technical")
    return harness, candidate, await add_interview_id(harness.bot, row_id(candidate))


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


async def score_from_notes(harness: Harness, interview_id: int) -> dict[str, Any]:
    """Ana takes notes during the interview and closes the form (a draft); her scorecard
    starts from them, and she confirms the suggestions and rates the rest. Ben and Cat
    score too: nobody reached autoscaling; Kubernetes serving 3, 3 and 1. What Ana
    submitted."""
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
    form = await open_scorecard(harness, ANA, interview_id)
    values = scorecard_values(harness.bot.kits, overall=3)
    values |= {key: value for key, value in chosen(form).items() if key.startswith("scorecard_c")}
    values[rating_block_id(RatingKind.COMPETENCY, "feature_consistency")] = sr.radio_value(
        ScorecardBlock.COMPETENCY, "3"
    )
    evidence = form["blocks"][
        [b.get("block_id") for b in form["blocks"]].index("scorecard_evidence")
    ]
    values[ScorecardBlock.EVIDENCE] = sr.text_value(
        ScorecardBlock.EVIDENCE, evidence["element"]["initial_value"]
    )
    assert_closed(await submit_view(harness, ANA, form, values))
    unasked = {"autoscaling": "not_assessed"}
    await submit_scorecard(harness, BEN, interview_id, competencies=unasked, overall=3)
    await submit_scorecard(
        harness, CAT, interview_id, competencies=unasked | {"k8s_serving": 1}, overall=2
    )
    return values


async def debrief_in_an_hour(harness: Harness, candidate: Candidate) -> None:
    """The hiring manager schedules the debrief, an hour from now, with the panel."""
    starts_at = harness.bot.clock.now() + timedelta(hours=1)
    await schedule_debrief(
        harness, candidate, starts_at=starts_at, attendees=(*PANEL, HIRING_MANAGER)
    )


@pytest.fixture
async def scored(panel: tuple[Harness, Candidate, int]) -> tuple[Harness, Candidate, int]:
    """Ana's scorecard from her notes, Ben's and Cat's beside it."""
    harness, _, interview_id = panel
    await score_from_notes(harness, interview_id)
    return panel


@pytest.fixture
async def debriefed(
    scored: tuple[Harness, Candidate, int], notifier: SlackNotifier, clock: FrozenClock
) -> tuple[Harness, Candidate, int]:
    """And the debrief over, its DMs asking whether the ratings stand sent."""
    harness, candidate, _ = scored
    await debrief_in_an_hour(harness, candidate)
    await sweep_at(harness, notifier, clock.now() + timedelta(hours=1, minutes=31))
    harness.fake.clear()
    return scored


async def confirm_and_change(harness: Harness, interview_id: int) -> None:
    """Ana confirms her ratings; Ben changes Kubernetes serving from 3 to 2, saying why."""
    value = ref(Ref.INTERVIEW, interview_id)
    await harness.action(Action.CONFIRM_RATINGS, user_id=ANA, value=value)
    _, change = await click(harness, Action.CHANGE_RATINGS, user_id=BEN, value=value)
    assert change is not None
    k8s = rating_block_id(RatingKind.COMPETENCY, "k8s_serving")
    values = chosen(change) | {k8s: sr.radio_value(ScorecardBlock.COMPETENCY, "2")}
    reason = {DebriefChangeBlock.REASON: sr.text_value(DebriefChangeBlock.REASON, WHY)}
    reply = await submit_view(harness, BEN, change, values | reason)
    assert reply.json["response_action"] == "update"


async def test_the_scorecard_starts_from_the_notes_and_the_summary_shows_the_split(
    panel: tuple[Harness, Candidate, int],
) -> None:
    harness, _, interview_id = panel

    submitted = await score_from_notes(harness, interview_id)

    # The note "not asked" came back as the rating "not assessed".
    assert submitted[rating_block_id(RatingKind.COMPETENCY, "autoscaling")] == sr.radio_value(
        ScorecardBlock.COMPETENCY, "not_assessed"
    )
    async with harness.bot.sessions() as session:
        answers = (await session.exec(select(ScorecardAnswer))).all()
    assert {a.question_key for a in answers} == {
        "experiment_tracking",
        "versioning_rollback",
        "k8s_serving",
        "autoscaling",
        "serving_monitoring",
    }
    before = await summary_text(harness, interview_id)
    assert "*Split 2 : 1* (yes : no) · Serving on Kubernetes under a latency budget 3 / 3 / 1" in (
        before
    )
    assert "Nobody on the panel assessed:* *Autoscaling and capacity*" in before


async def test_after_the_debrief_each_panelist_is_asked_whether_their_ratings_stand(
    scored: tuple[Harness, Candidate, int], notifier: SlackNotifier, clock: FrozenClock
) -> None:
    harness, candidate, _ = scored
    await debrief_in_an_hour(harness, candidate)
    start = clock.now()

    # Not before it ends; then each panelist gets the DM, the hiring manager (no scorecard)
    # does not.
    harness.fake.clear()
    await sweep_at(harness, notifier, start + timedelta(hours=1, minutes=29))
    assert [
        c for c in harness.fake.calls_to("chat.postMessage") if "still stand" in str(c.args)
    ] == []
    await sweep_at(harness, notifier, start + timedelta(hours=1, minutes=31))
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
    async with harness.bot.sessions() as session:
        hms = (
            await session.exec(
                select(Reminder).where(
                    Reminder.kind == ReminderKind.DEBRIEF_CONFIRM,
                    Reminder.recipient_id == HIRING_MANAGER,
                )
            )
        ).one()
    assert (hms.status, hms.last_error) == ("cancelled", "no scorecard to confirm")


async def test_ratings_are_confirmed_as_they_are_or_changed_with_a_reason(
    debriefed: tuple[Harness, Candidate, int],
) -> None:
    harness, _, interview_id = debriefed
    value = ref(Ref.INTERVIEW, interview_id)

    # Ana confirms; Ben changes Kubernetes serving from 3 to 2, saying why.
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
    async with harness.bot.sessions() as session:
        revisions = (await session.exec(select(ScorecardRevision))).all()
        confirmed = (
            await session.exec(
                select(AuditEvent).where(AuditEvent.action == "scorecard_confirmed_after_debrief")
            )
        ).all()
    assert [(r.kind, r.reason, r.changes) for r in revisions] == [
        ("debrief", WHY, [{"field": "competency:k8s_serving", "before": 3, "after": 2}])
    ]
    assert [event.actor_id for event in confirmed] == [ANA]


async def test_a_decision_against_the_panel_asks_why_and_the_summary_shows_the_change(
    debriefed: tuple[Harness, Candidate, int],
) -> None:
    harness, candidate, interview_id = debriefed
    await confirm_and_change(harness, interview_id)

    # A decision against the panel's 2 : 1 yes asks why, and keeps the answer.
    reply = await decide(
        harness,
        row_id(candidate),
        "reject",
        "No latency budget under probing.",
        justification="The split was on the one skill the role needs most.",
    )
    assert (reply.status, reply.text) == (200, "")
    async with harness.bot.sessions() as session:
        decided = (
            await session.exec(
                select(AuditEvent)
                .where(AuditEvent.action == "decision_recorded")
                .order_by(AuditEvent.id.desc())  # type: ignore[union-attr]
            )
        ).first()
    assert decided is not None and decided.detail["against_panel"] is True

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
    panel: tuple[Harness, Candidate, int], notifier: SlackNotifier, clock: FrozenClock
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
    await schedule_debrief(
        harness, candidate, starts_at=clock.now() + timedelta(hours=1), attendees=(ANA, BEN)
    )
    clock.advance(timedelta(hours=2))
    assert "not in: submit it" in await told(BEN, Action.CHANGE_RATINGS)
    # The decision closes the stage before the DM goes: the DM is dropped, and the buttons
    # of an earlier one say why.
    await decide(harness, candidate.id, "advance", justification="Enough evidence.")
    harness.fake.clear()
    await sweep_at(harness, notifier, clock.now())
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
