"""Driving the scorecard, reschedule and decision modals in tests the way users do: click,
get the view the bot opened, submit it with values."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from bot.kits import Kits
from bot.scorecards import NOT_OBSERVED
from handlers.ids import Action, DecisionBlock, ScheduleBlock, ScorecardBlock
from handlers.interview_modal import STAGE_LENGTH
from handlers.refs import Ref, ref
from handlers.scorecard_modal import rating_block_id
from slackfake import requests as sr
from storage.models import RatingKind
from tests.harness import HIRING_CHANNEL, HIRING_MANAGER, Harness, Reply

Values = dict[str, dict[str, Any]]


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


async def submit_view(
    harness: Harness, user_id: str, view: Mapping[str, Any], values: Values, **kwargs: Any
) -> Reply:
    return await harness.post(
        sr.view_submission(user_id=user_id, view=view, values=values, **kwargs)
    )


async def submit_scorecard(
    harness: Harness, user_id: str, interview_id: int, **values: Any
) -> Reply:
    """Open the modal from the DM and submit it; the modal must close."""
    view = await open_scorecard(harness, user_id, interview_id)
    reply = await submit_view(harness, user_id, view, scorecard_values(harness.bot.kits, **values))
    assert reply.status == 200 and reply.text == "", reply.text
    return reply


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


def schedule_values(stage: str, interviewers: Sequence[str], starts_at: datetime) -> Values:
    """``view.state.values`` of a filled-in Schedule (or Reschedule) interview modal."""
    return {
        ScheduleBlock.STAGE: sr.select_value(ScheduleBlock.STAGE, stage),
        ScheduleBlock.INTERVIEWERS: sr.users_value(ScheduleBlock.INTERVIEWERS, interviewers),
        ScheduleBlock.STARTS_AT: sr.datetime_value(ScheduleBlock.STARTS_AT, starts_at),
        ScheduleBlock.DURATION: sr.select_value(ScheduleBlock.DURATION, STAGE_LENGTH),
        ScheduleBlock.VIDEO_LINK: sr.url_value(ScheduleBlock.VIDEO_LINK, None),
    }


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
