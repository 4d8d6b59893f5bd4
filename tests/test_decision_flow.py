"""Record decision driven as Slack does: the form, confirmation, card, thread, next stage."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import col, select

from handlers.ids import Action, DecisionBlock, View
from handlers.refs import Ref, ref
from slackfake import requests as sr
from storage.models import AuditEvent, Candidate, CandidateStatus, Decision, Interview
from tests.conftest import START
from tests.flows import (
    add_candidate,
    decide,
    decision_values,
    open_decision,
    submit_scorecard,
    submit_view,
)
from tests.harness import HIRING_CHANNEL, HIRING_MANAGER, Harness
from tests.kit_samples import PING, PING_ESCAPED
from tests.seed import PANEL, add_interview_id

ADMIN = "U0ADM"


@pytest.fixture
async def harness(make_harness: Any) -> Harness:
    return await make_harness(hiring_admins=frozenset({ADMIN}))


@pytest.fixture
async def jane(harness: Harness) -> Candidate:
    """Jane Doe at the Screening stage, her card posted."""
    candidate = await add_candidate(harness, user_id=ADMIN)
    harness.fake.clear()
    return candidate


async def reload(harness: Harness, candidate_id: int | None) -> Candidate:
    async with harness.bot.sessions() as session:
        found = await session.get(Candidate, candidate_id)
    assert found is not None
    return found


async def decisions(harness: Harness) -> list[Decision]:
    async with harness.bot.sessions() as session:
        return list((await session.exec(select(Decision))).all())


def thread_texts(harness: Harness, candidate: Candidate) -> list[str]:
    return [
        call.args["text"]
        for call in harness.fake.calls_to("chat.postMessage")
        if call.args.get("thread_ts") == candidate.thread_ts
    ]


async def test_advance_updates_card_thread_and_posts_the_next_question_set(
    harness: Harness, jane: Candidate
) -> None:
    reply = await decide(harness, jane.id or 0, "advance", f"Clear production story {PING}")
    assert reply.status == 200 and reply.text == ""
    stored = await reload(harness, jane.id)
    assert (stored.stage_key, stored.status) == ("technical", CandidateStatus.ACTIVE)
    (update,) = harness.fake.calls_to("chat.update")
    assert update.args["ts"] == jane.thread_ts and "Technical" in update.args["text"]
    texts = thread_texts(harness, jane)
    assert texts[0] == (
        f"<@{HIRING_MANAGER}> recorded a decision at the *Screening* stage: *Advance to Technical*"
    )
    assert texts[1].startswith("Technical question set")
    posted = harness.fake.calls_to("chat.postMessage")[0].args
    assert PING_ESCAPED in str(posted["blocks"]) and PING not in str(posted["blocks"])
    async with harness.bot.sessions() as session:
        event = (await session.exec(select(AuditEvent).order_by(col(AuditEvent.id).desc()))).first()
    assert event is not None
    assert (event.actor_id, event.action, event.at) == (HIRING_MANAGER, "decision_recorded", START)
    assert event.detail["outcome"] == "advance" and event.detail["next_stage_key"] == "technical"


async def test_reject_asks_for_confirmation_then_closes(harness: Harness, jane: Candidate) -> None:
    _, view = await open_decision(harness, jane.id or 0)
    assert view is not None and view["callback_id"] == View.DECISION
    first = await submit_view(harness, HIRING_MANAGER, view, decision_values("reject", "No depth"))
    assert first.json["response_action"] == "update"
    confirm = first.json["view"]
    assert confirm["callback_id"] == View.DECISION_CONFIRM
    assert confirm["submit"]["text"] == "Reject"
    reason = next(b for b in confirm["blocks"] if b.get("block_id") == DecisionBlock.REASON)
    assert reason["element"]["initial_value"] == "No depth"
    # Nothing is recorded until it is confirmed.
    assert await decisions(harness) == []
    assert (await reload(harness, jane.id)).status == CandidateStatus.ACTIVE

    values = {DecisionBlock.REASON: sr.text_value(DecisionBlock.REASON, "No production depth")}
    confirmed = await submit_view(harness, HIRING_MANAGER, confirm | {"id": view["id"]}, values)
    assert confirmed.status == 200 and confirmed.text == ""
    stored = await reload(harness, jane.id)
    assert (stored.status, stored.closed_at) == (CandidateStatus.REJECTED, START)
    (decision,) = await decisions(harness)
    assert (decision.outcome, decision.reason) == ("reject", "No production depth")
    assert thread_texts(harness, jane) == [
        f"<@{HIRING_MANAGER}> recorded a decision at the *Screening* stage: *Reject*"
    ]
    assert "Rejected" in str(harness.fake.calls_to("chat.update")[0].args["blocks"])
    # The same confirmation submitted again records nothing more.
    again = await submit_view(harness, HIRING_MANAGER, confirm | {"id": view["id"]}, values)
    assert again.text == ""
    assert len(await decisions(harness)) == 1
    # And a closed candidate takes no decision.
    _, closed = await open_decision(harness, jane.id or 0)
    assert closed is None
    assert "closed" in harness.fake.calls_to("response_url")[-1].args["text"]


async def test_offer_at_the_last_stage_then_hired(harness: Harness, jane: Candidate) -> None:
    await decide(harness, jane.id or 0, "advance")
    await decide(harness, jane.id or 0, "advance")
    _, view = await open_decision(harness, jane.id or 0)
    assert view is not None
    options = [
        o["value"]
        for b in view["blocks"]
        if b.get("block_id") == DecisionBlock.OUTCOME
        for o in b["element"]["options"]
    ]
    assert options == ["offer", "hold", "reject", "withdrawn"]  # no advance at the last stage
    first = await submit_view(harness, HIRING_MANAGER, view, decision_values("offer"))
    confirm_text = str(first.json["view"]["blocks"])
    # No scorecard yet: nobody has observed any of the three qualities.
    assert "Not observed yet in the whole loop" in confirm_text
    assert "Production mindset from day one" in confirm_text
    # The salary benchmark, off the card, is shown to whoever confirms the offer.
    assert "*Salary benchmark*" in confirm_text and "£95k" in confirm_text
    await submit_view(
        harness,
        HIRING_MANAGER,
        first.json["view"] | {"id": view["id"]},
        {DecisionBlock.REASON: sr.text_value(DecisionBlock.REASON, "Offer")},
    )
    assert (await reload(harness, jane.id)).status == CandidateStatus.OFFER
    assert (await decide(harness, jane.id or 0, "hired")).text == ""
    stored = await reload(harness, jane.id)
    assert (stored.status, stored.closed_at) == (CandidateStatus.HIRED, START)
    assert [d.outcome for d in await decisions(harness)] == [
        "advance",
        "advance",
        "offer",
        "hired",
    ]


async def test_hold_is_recorded_without_confirmation(harness: Harness, jane: Candidate) -> None:
    reply = await decide(harness, jane.id or 0, "hold", "Waiting on references")
    assert reply.text == ""
    assert (await reload(harness, jane.id)).status == CandidateStatus.ON_HOLD


@pytest.mark.parametrize(
    ("outcome", "reason", "block"),
    [
        (None, "Because", DecisionBlock.OUTCOME),
        ("advance", None, DecisionBlock.REASON),
        ("advance", "   ", DecisionBlock.REASON),
        ("advance", "r" * 3001, DecisionBlock.REASON),
    ],
)
async def test_form_errors_store_nothing(
    harness: Harness, jane: Candidate, outcome: str | None, reason: str | None, block: str
) -> None:
    _, view = await open_decision(harness, jane.id or 0)
    assert view is not None
    reply = await submit_view(harness, HIRING_MANAGER, view, decision_values(outcome, reason))
    assert reply.json["response_action"] == "errors"
    assert list(reply.json["errors"]) == [block]
    assert await decisions(harness) == []
    assert (await reload(harness, jane.id)).stage_key == "screening"


async def test_a_blank_reason_at_confirmation_stores_nothing(
    harness: Harness, jane: Candidate
) -> None:
    _, view = await open_decision(harness, jane.id or 0)
    assert view is not None
    first = await submit_view(harness, HIRING_MANAGER, view, decision_values("reject"))
    values = {DecisionBlock.REASON: sr.text_value(DecisionBlock.REASON, " ")}
    reply = await submit_view(
        harness, HIRING_MANAGER, first.json["view"] | {"id": view["id"]}, values
    )
    assert list(reply.json["errors"]) == [DecisionBlock.REASON]
    assert await decisions(harness) == []


@pytest.mark.parametrize("user_id", [PANEL[0], "U0ZED"])
async def test_only_the_hiring_manager_and_admins_may_decide(
    harness: Harness, jane: Candidate, user_id: str
) -> None:
    await harness.join_channel(user_id)  # so on the hiring team
    reply, view = await open_decision(harness, jane.id or 0, user_id=user_id)
    assert reply.status == 200 and view is None
    (answer,) = harness.fake.calls_to("response_url")
    assert f"Only the candidate's hiring manager (<@{HIRING_MANAGER}>)" in answer.args["text"]
    command = await harness.command("decide Jane Doe", user_id=user_id)
    assert "Only the candidate's hiring manager" in command.json["text"]
    assert harness.fake.calls_to("views.open") == []


async def test_an_admin_may_decide_and_the_command_opens_the_form(
    harness: Harness, jane: Candidate
) -> None:
    reply = await harness.command("decide jane", user_id=ADMIN)
    assert reply.status == 200 and reply.text == ""
    (opened,) = harness.fake.calls_to("views.open")
    assert opened.args["view"]["callback_id"] == View.DECISION
    assert (await decide(harness, jane.id or 0, "hold", user_id=ADMIN)).text == ""


async def test_a_form_overtaken_by_another_decision_is_refused(
    harness: Harness, jane: Candidate
) -> None:
    _, stale = await open_decision(harness, jane.id or 0)
    assert stale is not None
    await decide(harness, jane.id or 0, "advance")
    reply = await submit_view(harness, HIRING_MANAGER, stale, decision_values("hold"))
    assert reply.json["response_action"] == "update"
    assert "since you opened this form" in str(reply.json["view"]["blocks"])
    assert [d.outcome for d in await decisions(harness)] == ["advance"]


async def test_a_decision_from_the_summary_moves_the_candidate_on(
    harness: Harness, jane: Candidate
) -> None:
    assert jane.id is not None
    interview_id = await add_interview_id(
        harness.bot, jane.id, stage_key="screening", panel=PANEL[:1]
    )
    harness.fake.add_user(PANEL[0])
    await submit_scorecard(harness, PANEL[0], interview_id, stage_key="screening", overall=4)
    (summary,) = [
        call.args
        for call in harness.fake.calls_to("chat.postMessage")
        if "Panel complete" in str(call.args.get("blocks"))
    ]
    assert summary["channel"] == HIRING_CHANNEL
    buttons = {
        element["action_id"]: element["value"]
        for block in summary["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
    }
    # The summary's button is the card's: the same action, the same candidate.
    assert buttons[Action.RECORD_DECISION] == ref(Ref.CANDIDATE, jane.id)
    assert (await decide(harness, jane.id, "advance")).text == ""
    assert (await reload(harness, jane.id)).stage_key == "technical"


# ----------------------------------------------------------------------------- on evidence


@pytest.fixture
async def two_of_three(harness: Harness, jane: Candidate) -> Candidate:
    """Jane's screening panel: Ana and Ben say yes (4, 3); Cat's scorecard is missing."""
    assert jane.id is not None
    for user_id in PANEL:
        harness.fake.add_user(user_id)
    interview_id = await add_interview_id(harness.bot, jane.id, stage_key="screening")
    await submit_scorecard(harness, PANEL[0], interview_id, stage_key="screening", overall=4)
    await submit_scorecard(harness, PANEL[1], interview_id, stage_key="screening", overall=3)
    harness.fake.clear()
    return jane


async def test_the_form_shows_which_scorecards_are_in_and_missing(
    harness: Harness, two_of_three: Candidate
) -> None:
    _, view = await open_decision(harness, two_of_three.id or 0)
    assert view is not None
    shown = str(view["blocks"])
    assert (
        f"2 of 3 *Screening* scorecards in · missing: <@{PANEL[2]}> · panel recommends yes 2 : no 0"
        in shown
    )


async def test_against_the_panel_with_one_missing_needs_a_second_reason(
    harness: Harness, two_of_three: Candidate
) -> None:
    jane = two_of_three
    _, view = await open_decision(harness, jane.id or 0)
    assert view is not None
    first = await submit_view(harness, HIRING_MANAGER, view, decision_values("reject", "Weak."))
    confirm = first.json["view"] | {"id": view["id"]}
    asks = {
        block["block_id"]: block["label"]["text"]
        for block in confirm["blocks"]
        if block["type"] == "input"
    }
    assert asks[DecisionBlock.JUSTIFICATION] == (
        "Why decide against the panel, and why not wait for the missing scorecards?"
    )
    # Left empty: a clear error under it, nothing recorded.
    values = {
        DecisionBlock.REASON: sr.text_value(DecisionBlock.REASON, "Weak."),
        DecisionBlock.JUSTIFICATION: sr.text_value(DecisionBlock.JUSTIFICATION, "  "),
    }
    reply = await submit_view(harness, HIRING_MANAGER, confirm, values)
    assert list(reply.json["errors"]) == [DecisionBlock.JUSTIFICATION]
    assert await decisions(harness) == []
    assert (await reload(harness, jane.id)).status == CandidateStatus.ACTIVE

    values[DecisionBlock.JUSTIFICATION] = sr.text_value(
        DecisionBlock.JUSTIFICATION, "Both yeses missed the <!channel> rollback gap."
    )
    reply = await submit_view(harness, HIRING_MANAGER, confirm, values)
    assert (reply.status, reply.text) == (200, "")
    assert (await reload(harness, jane.id)).status == CandidateStatus.REJECTED
    (note,) = [
        call.args
        for call in harness.fake.calls_to("chat.postMessage")
        if call.args.get("thread_ts") == jane.thread_ts
    ]
    text = str(note["blocks"])
    assert "*Reason:* Weak." in text
    assert (
        "*Why decide against the panel, and why not wait for the missing scorecards?* "
        "Both yeses missed the &lt;!channel&gt; rollback gap." in text
    )
    async with harness.bot.sessions() as session:
        event = (
            await session.exec(select(AuditEvent).where(AuditEvent.action == "decision_recorded"))
        ).one()
    assert event.detail is not None
    assert {key: event.detail[key] for key in ("against_panel", "justification")} == {
        "against_panel": True,
        "justification": "Both yeses missed the <!channel> rollback gap.",
    }
    assert event.detail["scorecards_missing"] == [PANEL[2]]
    assert (event.detail["scorecards_in"], event.detail["scorecards_expected"]) == (2, 3)


async def test_with_the_panel_and_every_scorecard_in_no_second_reason(
    harness: Harness, two_of_three: Candidate
) -> None:
    """Hold takes no side: it is recorded at once even with a scorecard missing."""
    jane = two_of_three
    assert jane.id is not None
    _, view = await open_decision(harness, jane.id)
    assert view is not None
    reply = await submit_view(harness, HIRING_MANAGER, view, decision_values("hold"))
    assert (reply.status, reply.text) == (200, "")
    assert (await reload(harness, jane.id)).status == CandidateStatus.ON_HOLD


async def test_going_with_the_panel_while_waiting_asks_why_not_wait(
    harness: Harness, two_of_three: Candidate
) -> None:
    _, view = await open_decision(harness, two_of_three.id or 0)
    assert view is not None
    first = await submit_view(harness, HIRING_MANAGER, view, decision_values("advance"))
    assert first.json["response_action"] == "update"
    labels = [b["label"]["text"] for b in first.json["view"]["blocks"] if b["type"] == "input"]
    assert labels[-1] == "Why not wait for the missing scorecards?"
    assert await decisions(harness) == []


async def test_with_every_scorecard_in_going_with_the_panel_is_recorded_at_once(
    harness: Harness, two_of_three: Candidate
) -> None:
    jane = two_of_three
    assert jane.id is not None
    async with harness.bot.sessions() as session:
        interview_id = (await session.exec(select(Interview.id))).one()
    assert interview_id is not None
    await submit_scorecard(harness, PANEL[2], interview_id, stage_key="screening", overall=2)
    _, view = await open_decision(harness, jane.id)
    assert view is not None
    assert "3 of 3 *Screening* scorecards in · panel recommends yes 2 : no 1" in str(view["blocks"])
    reply = await submit_view(harness, HIRING_MANAGER, view, decision_values("advance"))
    assert (reply.status, reply.text) == (200, "")
    assert (await reload(harness, jane.id)).stage_key == "technical"
