"""Block Kit of the decision flow: the *Record decision* form, the confirmation step that
reject, offer, hired and withdrawn go through, and the decision's reply in the thread.

Pure. Candidate names, reasons and kit texts are escaped wherever mrkdwn shows them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.decision_evidence import StageEvidence
from bot.decisions import (
    JUSTIFICATION,
    MAX_REASON,
    OUTCOME,
    REASON,
    DecisionDraft,
    DecisionResult,
    justification_question,
)
from bot.kits import Stage
from handlers.block_kit import Block, context, input_block, option, packed_sections, plain, section
from handlers.debrief_summary_blocks import unobserved_text
from handlers.ids import DecisionBlock, View
from handlers.modals import ViewMetadata, errors_by_block, fair_hint
from handlers.mrkdwn import escape, escape_clipped
from storage.models import Outcome, row_id

# The reason as the thread shows it: all of any reason the form takes, unless escaping
# swells it past what a message holds (the decision keeps it whole).
REASON_SHOWN = 9000
_CLOSES = "This closes the candidate: no more interviews or decisions."
# What the confirmation asks, and the label of its button.
_CONFIRM: Mapping[Outcome, tuple[str, str]] = {
    Outcome.REJECT: (":warning: Reject *{name}*? " + _CLOSES, "Reject"),
    Outcome.OFFER: ("Record an offer for *{name}*?", "Record offer"),
    Outcome.HIRED: ("Record *{name}* as hired? " + _CLOSES, "Record hire"),
    Outcome.WITHDRAWN: ("Record that *{name}* withdrew? " + _CLOSES, "Record withdrawal"),
}
_FIELD_BLOCKS = {
    OUTCOME: DecisionBlock.OUTCOME,
    REASON: DecisionBlock.REASON,
    JUSTIFICATION: DecisionBlock.JUSTIFICATION,
}
_MISSING_SHOWN = 20  # mentions of missing interviewers; more are counted


class DecisionMetadata(ViewMetadata):
    """The modal's private_metadata: the candidate as the form showed them, and (in the
    confirmation step) the outcome being confirmed."""

    candidate_id: int
    stage_key: str
    status: str
    outcome: Outcome | None = None


def outcome_label(outcome: Outcome, next_stage: Stage | None) -> str:
    """Plain text: "Advance to System design", "Make an offer", …"""
    match outcome:
        case Outcome.ADVANCE:
            return f"Advance to {next_stage.title}" if next_stage else "Advance"
        case Outcome.OFFER:
            return "Make an offer"
        case Outcome.HOLD:
            return "Put on hold"
        case Outcome.RESUME:
            return "Take off hold"
        case Outcome.REJECT:
            return "Reject"
        case Outcome.HIRED:
            return "Hired: offer accepted"
        case Outcome.WITHDRAWN:
            return "Withdrawn"


def decision_modal(draft: DecisionDraft) -> dict[str, Any]:
    options = [option(outcome_label(o, draft.next_stage), o.value) for o in draft.outcomes]
    blocks = [
        _where(draft),
        context(evidence_text(draft.stage, draft.evidence)),
        input_block(
            DecisionBlock.OUTCOME,
            "Decision",
            {"type": "radio_buttons", "action_id": DecisionBlock.OUTCOME, "options": options},
        ),
        _reason_input(None),
    ]
    if Outcome.OFFER in draft.outcomes:
        blocks.insert(1, context(unobserved_text(draft.unobserved_qualities)))
    return {
        "type": "modal",
        "callback_id": View.DECISION,
        "title": plain("Record decision"),
        "submit": plain("Continue"),
        "close": plain("Cancel"),
        "private_metadata": _metadata(draft, None),
        "blocks": blocks,
    }


def needs_confirmation_modal(
    draft: DecisionDraft, outcome: Outcome, reason: str, *, benchmark: str | None = None
) -> dict[str, Any]:
    """The second step: says what the decision does, and keeps the reason editable (it is
    what will be stored) so that nothing typed is lost between the two steps. An offer
    shows the candidate's salary benchmark (the card does not), from ``benchmark``."""
    name = escape(draft.candidate.name)
    if outcome in _CONFIRM:
        question, submit = _CONFIRM[outcome]
        question = question.format(name=name)
    else:
        label = escape(outcome_label(outcome, draft.next_stage))
        question, submit = f"*{label}* for *{name}*?", "Record decision"
    blocks = [section(question)]
    if outcome == Outcome.OFFER:
        blocks.append(section(unobserved_text(draft.unobserved_qualities)))
        shown = benchmark or "No benchmark for this location and level."
        blocks.append(section(f"*Salary benchmark*\n{shown}"))
    blocks.append(_reason_input(reason))
    guard = draft.guard(outcome)
    if guard.needed:
        blocks.insert(1, section(evidence_text(draft.stage, draft.evidence)))
        blocks.append(
            input_block(
                DecisionBlock.JUSTIFICATION,
                justification_question(guard),
                {
                    "type": "plain_text_input",
                    "action_id": DecisionBlock.JUSTIFICATION,
                    "multiline": True,
                    "max_length": MAX_REASON,
                },
                hint=fair_hint("Shown with the decision in the thread, and kept in the audit."),
            )
        )
    return {
        "type": "modal",
        "callback_id": View.DECISION_CONFIRM,
        "title": plain("Confirm decision"),
        "submit": plain(submit),
        "close": plain("Cancel"),
        "private_metadata": _metadata(draft, outcome),
        "blocks": blocks,
    }


def read_decision(values: Mapping[str, Mapping[str, Any]]) -> tuple[str | None, str | None]:
    """(outcome, reason) from the submitted ``view.state.values``; None where missing."""
    outcome = values.get(DecisionBlock.OUTCOME, {}).get(DecisionBlock.OUTCOME, {})
    reason = values.get(DecisionBlock.REASON, {}).get(DecisionBlock.REASON, {})
    return (outcome.get("selected_option") or {}).get("value"), reason.get("value")


def read_justification(values: Mapping[str, Mapping[str, Any]]) -> str | None:
    """The second reason, when the confirmation asked for one."""
    field = values.get(DecisionBlock.JUSTIFICATION, {}).get(DecisionBlock.JUSTIFICATION, {})
    value = field.get("value")
    return value if isinstance(value, str) else None


def evidence_text(stage: Stage, evidence: StageEvidence) -> str:
    """ "2 of 3 *Technical* scorecards in · missing: @cat · panel: yes 2 : no 0"."""
    line = f"{evidence.submitted} of {evidence.expected} *{escape(stage.title)}* scorecards in"
    if evidence.missing:
        shown = ", ".join(f"<@{user_id}>" for user_id in evidence.missing[:_MISSING_SHOWN])
        more = len(evidence.missing) - _MISSING_SHOWN
        line += f" · missing: {shown}" + (f" and {more} more" if more > 0 else "")
    if evidence.submitted:
        line += f" · panel recommends yes {evidence.yes} : no {evidence.no}"
    return line


def decision_field_errors(fields: Mapping[str, str]) -> dict[str, str]:
    """``response_action: errors`` of an InvalidInput; unknown fields land on the reason."""
    return errors_by_block(fields, _FIELD_BLOCKS, DecisionBlock.REASON)


def decision_text(result: DecisionResult) -> str:
    """The first line of the thread's record of a decision."""
    label = outcome_label(Outcome(result.decision.outcome), result.next_stage)
    return (
        f"<@{result.decision.decided_by}> recorded a decision at the "
        f"*{escape(result.stage.title)}* stage: *{label}*"
    )


def decision_blocks(result: DecisionResult) -> list[Block]:
    # With a second reason the two share what one reason may show, so that the message
    # stays within what Slack takes.
    shown = REASON_SHOWN // 2 if result.justification else REASON_SHOWN
    lines = [decision_text(result), f"*Reason:* {escape_clipped(result.decision.reason, shown)}"]
    if result.justification:
        question = justification_question(result.guard) if result.guard.needed else "Also"
        lines.append(f"*{question}* {escape_clipped(result.justification, shown)}")
    return packed_sections(lines)


def _where(draft: DecisionDraft) -> Block:
    status = draft.candidate.status.replace("_", " ")
    return section(
        f"*{escape(draft.candidate.name)}* · {escape(draft.stage.title)} stage · {status}"
    )


def _reason_input(initial: str | None) -> Block:
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": DecisionBlock.REASON,
        "multiline": True,
        "max_length": MAX_REASON,
    }
    if initial:
        element["initial_value"] = initial
    return input_block(
        DecisionBlock.REASON,
        "Reason",
        element,
        hint=fair_hint("Recorded with the decision in the thread."),
    )


def _metadata(draft: DecisionDraft, outcome: Outcome | None) -> str:
    candidate = draft.candidate
    return DecisionMetadata(
        candidate_id=row_id(candidate),
        stage_key=candidate.stage_key,
        status=candidate.status,
        outcome=outcome,
    ).encode()
