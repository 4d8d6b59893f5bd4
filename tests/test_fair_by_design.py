"""Fair by design: every free-text field a user fills in about a candidate says, in its
hint, what not to record. Driven as Slack does: the modals the bot really opens."""

from __future__ import annotations

from typing import Any

from handlers.ids import DecisionBlock, IntakeBlock, ScorecardBlock
from handlers.modals import NOT_TO_RECORD
from storage.models import Candidate
from tests.flows import add_candidate, decision_values, open_decision, open_scorecard, submit_view
from tests.harness import HIRING_MANAGER, Harness
from tests.seed import PANEL, add_interview_id


def free_text_inputs(view: dict[str, Any]) -> dict[str, str]:
    """Block id to hint of each multi-line text input of a view."""
    return {
        block["block_id"]: block.get("hint", {}).get("text", "")
        for block in view["blocks"]
        if block["type"] == "input"
        and block["element"]["type"] == "plain_text_input"
        and block["element"].get("multiline")
    }


async def test_every_free_text_field_says_what_not_to_record(make_harness: Any) -> None:
    harness: Harness = await make_harness()
    for user_id in PANEL:
        harness.fake.add_user(user_id)
    assert (await harness.command("new")).status == 200
    intake = harness.fake.calls_to("views.open")[-1].response["view"]
    candidate: Candidate = await add_candidate(harness)
    assert candidate.id is not None
    interview_id = await add_interview_id(harness.bot, candidate.id)
    scorecard = await open_scorecard(harness, PANEL[0], interview_id)
    _, decision = await open_decision(harness, candidate.id)
    assert decision is not None
    # An offer asks for confirmation in a second step, with the reason still editable.
    reply = await submit_view(harness, HIRING_MANAGER, decision, decision_values("offer"))
    assert reply.json["response_action"] == "update"
    confirm = reply.json["view"]

    fields = {
        "intake": free_text_inputs(intake),
        "scorecard": free_text_inputs(scorecard),
        "decision": free_text_inputs(decision),
        "confirm": free_text_inputs(confirm),
    }
    assert {name: sorted(hints) for name, hints in fields.items()} == {
        "intake": [IntakeBlock.NOTES],
        "scorecard": [ScorecardBlock.EVIDENCE, ScorecardBlock.PRIVATE_NOTE],
        "decision": [DecisionBlock.REASON],
        "confirm": [DecisionBlock.REASON],
    }
    for hints in fields.values():
        for hint in hints.values():
            assert hint.endswith(NOT_TO_RECORD), hint
            assert "salary history" in hint and "protected characteristics" in hint
