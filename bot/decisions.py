"""Decisions: the hiring manager's call on a candidate at a stage, and its consequences.

Advance moves the candidate to the next stage; offer and hold change their status;
reject, and after an offer hired or withdrawn, close them. Each decision is stored with
its reason and an audit event. Who may decide: `bot.permissions.may_record_decision`.
A decision with the stage's scorecards missing, or against the panel's majority, also
needs a second reason (`bot.decision_evidence`), kept in the audit and shown in the thread.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Final

from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import reminder_planning
from bot.candidates import get_candidate, is_closed
from bot.context import BotContext
from bot.debrief_summary import unobserved_qualities
from bot.decision_evidence import NO_GUARD, Guard, StageEvidence, guard_of, stage_evidence
from bot.errors import Conflict, InvalidInput, PermissionDenied
from bot.kits import Kits, Quality, Stage
from bot.permissions import may_record_decision
from bot.scorecards import observed_qualities
from storage import marks
from storage.audit import record_event
from storage.db import transaction
from storage.decisions import add_decision, decision_by_view
from storage.models import Candidate, CandidateStatus, Decision, Outcome, row_id

MAX_REASON: Final = 3000
OUTCOME: Final = "outcome"
REASON: Final = "reason"
JUSTIFICATION: Final = "justification"
AUDIT_RECORDED: Final = "decision_recorded"

# Outcomes that end or commit to something: the form asks to confirm them first.
NEEDS_CONFIRMATION: Final = frozenset(
    {Outcome.REJECT, Outcome.OFFER, Outcome.HIRED, Outcome.WITHDRAWN}
)

_STATUS_AFTER: Final = {
    Outcome.ADVANCE: CandidateStatus.ACTIVE,
    Outcome.OFFER: CandidateStatus.OFFER,
    Outcome.HOLD: CandidateStatus.ON_HOLD,
    Outcome.RESUME: CandidateStatus.ACTIVE,
    Outcome.REJECT: CandidateStatus.REJECTED,
    Outcome.HIRED: CandidateStatus.HIRED,
    Outcome.WITHDRAWN: CandidateStatus.WITHDRAWN,
}


@dataclass(frozen=True)
class DecisionDraft:
    """What the decision form offers: the outcomes open to this candidate now."""

    candidate: Candidate
    stage: Stage
    next_stage: Stage | None
    outcomes: tuple[Outcome, ...]
    # The qualities nobody in the loop has observed yet: worth knowing before an offer.
    unobserved_qualities: tuple[Quality, ...]
    # The stage's scorecards: how many are in, whose are missing, what the panel says.
    evidence: StageEvidence

    def guard(self, outcome: Outcome) -> Guard:
        return guard_of(self.evidence, outcome)


@dataclass(frozen=True)
class DecisionResult:
    decision: Decision
    candidate: Candidate
    stage: Stage  # the stage decided on
    next_stage: Stage | None  # where an advance took the candidate
    # False when this form had already been recorded (a resubmitted view): nothing to post.
    created: bool
    # The second reason, where the decision needed one (or was given one anyway).
    justification: str | None = None
    guard: Guard = NO_GUARD

    @property
    def closed(self) -> bool:
        return is_closed(self.candidate)


def outcomes_for(kits: Kits, candidate: Candidate) -> tuple[Outcome, ...]:
    """The decisions open to a candidate: none once closed; after an offer, hired,
    withdrawn or reject; otherwise advance (unless at the last stage), offer, hold (or,
    when on hold, resume), reject and withdrawn."""
    if is_closed(candidate):
        return ()
    if candidate.status == CandidateStatus.OFFER:
        return (Outcome.HIRED, Outcome.WITHDRAWN, Outcome.REJECT)
    outcomes = [Outcome.ADVANCE] if kits.next_stage(candidate.stage_key) else []
    outcomes.append(Outcome.OFFER)
    on_hold = candidate.status == CandidateStatus.ON_HOLD
    outcomes.append(Outcome.RESUME if on_hold else Outcome.HOLD)
    outcomes += [Outcome.REJECT, Outcome.WITHDRAWN]
    return tuple(outcomes)


def check_decision(
    outcomes: tuple[Outcome, ...], outcome: str | None, reason: str | None
) -> tuple[Outcome, str]:
    """The chosen outcome and the stripped reason; InvalidInput names each problem."""
    errors: dict[str, str] = {}
    if outcome not in outcomes:
        errors[OUTCOME] = "Choose a decision."
    text = (reason or "").strip()
    if not text:
        errors[REASON] = "Give the reason for this decision: the thread keeps it."
    elif len(text) > MAX_REASON:
        errors[REASON] = f"Keep the reason to {MAX_REASON:,} characters; it has {len(text):,}."
    if errors:
        raise InvalidInput(errors)
    return Outcome(str(outcome)), text


def check_justification(guard: Guard, justification: str | None) -> str | None:
    """The stripped second reason; InvalidInput when the guard needs one and it is empty."""
    text = (justification or "").strip() or None
    if text is None and guard.needed:
        raise InvalidInput({JUSTIFICATION: justification_question(guard)})
    if text is not None and len(text) > MAX_REASON:
        raise InvalidInput(
            {JUSTIFICATION: f"Keep it to {MAX_REASON:,} characters; it has {len(text):,}."}
        )
    return text


def justification_question(guard: Guard) -> str:
    """What the second reason answers."""
    if guard.missing and guard.against_panel:
        return "Why decide against the panel, and why not wait for the missing scorecards?"
    if guard.against_panel:
        return "Why decide against the panel?"
    return "Why not wait for the missing scorecards?"


async def open_decision(
    session: AsyncSession, bot: BotContext, *, user_id: str, candidate_id: int
) -> DecisionDraft:
    candidate = await _decidable(session, bot, user_id, candidate_id)
    observed = await observed_qualities(session, row_id(candidate))
    return DecisionDraft(
        candidate=candidate,
        stage=bot.kits.stage(candidate.stage_key),
        next_stage=bot.kits.next_stage(candidate.stage_key),
        outcomes=outcomes_for(bot.kits, candidate),
        unobserved_qualities=unobserved_qualities(bot.kits.qualities, observed),
        evidence=await stage_evidence(session, row_id(candidate), candidate.stage_key),
    )


async def check_form(
    session: AsyncSession,
    bot: BotContext,
    *,
    user_id: str,
    candidate_id: int,
    outcome: str | None,
    reason: str | None,
    seen_stage_key: str,
    seen_status: str,
) -> tuple[DecisionDraft, Outcome, str]:
    """Everything `record_decision` checks, storing nothing: the draft, the chosen outcome
    and the stripped reason. The form showed the candidate at ``seen_stage_key`` with
    ``seen_status``; Conflict if they have moved since."""
    draft = await open_decision(session, bot, user_id=user_id, candidate_id=candidate_id)
    candidate = draft.candidate
    if (candidate.stage_key, candidate.status) != (seen_stage_key, seen_status):
        raise Conflict(
            "A decision was recorded for this candidate since you opened this form. "
            "Open *Record decision* again to see where they are now."
        )
    chosen, text = check_decision(draft.outcomes, outcome, reason)
    return draft, chosen, text


async def record_decision(
    session: AsyncSession,
    bot: BotContext,
    *,
    actor_id: str,
    candidate_id: int,
    outcome: str | None,
    reason: str | None,
    seen_stage_key: str,
    seen_status: str,
    view_id: str | None = None,
    justification: str | None = None,
) -> DecisionResult:
    """Record a decision (see `check_form` for what is refused). The one function every
    decision goes through, in the caller's transaction: what must happen with each
    (cancelling the reminders of closed work) is one line here. A form already recorded
    (same ``view_id``) returns its decision with ``created=False``.

    One decision at a time per candidate, enforced by the database: the candidate's row
    is locked first, so that of two decisions submitted at the same moment (an advance and
    a hold, on two replicas) the second waits, then finds the candidate moved on and is
    refused, instead of both being recorded."""
    await get_candidate(session, candidate_id, lock=True)
    if view_id is not None and (done := await decision_by_view(session, view_id)):
        return await _result_of(session, bot, done)
    draft, chosen, text = await check_form(
        session,
        bot,
        user_id=actor_id,
        candidate_id=candidate_id,
        outcome=outcome,
        reason=reason,
        seen_stage_key=seen_stage_key,
        seen_status=seen_status,
    )
    guard = draft.guard(chosen)
    second = check_justification(guard, justification)
    now = bot.clock.now()
    candidate, stage = draft.candidate, draft.stage
    next_stage = draft.next_stage if chosen == Outcome.ADVANCE else None
    decision = await add_decision(
        session,
        Decision(
            candidate_id=candidate_id,
            stage_key=stage.key,
            outcome=chosen,
            reason=text,
            decided_by=actor_id,
            decided_at=now,
            decision_view_id=view_id,
        ),
    )
    candidate.status = _STATUS_AFTER[chosen]
    if next_stage is not None:
        candidate.stage_key = next_stage.key
        candidate.stage_entered_at = now
    if is_closed(candidate):
        candidate.closed_at = now
    candidate.last_activity_at = candidate.updated_at = now
    session.add(candidate)
    await reminder_planning.decision_recorded(session, candidate_id, closed=is_closed(candidate))
    await marks.candidate_changed(session, candidate_id)
    await record_event(
        session,
        actor_id=actor_id,
        candidate_id=candidate_id,
        action=AUDIT_RECORDED,
        detail={
            "decision_id": decision.id,
            "outcome": chosen.value,
            "stage_key": stage.key,
            "next_stage_key": next_stage.key if next_stage else None,
            "scorecards_in": draft.evidence.submitted,
            "scorecards_expected": draft.evidence.expected,
            "scorecards_missing": list(draft.evidence.missing),
            "against_panel": guard.against_panel,
            "justification": second,
        },
        at=now,
    )
    return DecisionResult(
        decision=decision,
        candidate=candidate,
        stage=stage,
        next_stage=next_stage,
        created=True,
        justification=second,
        guard=guard,
    )


async def _decidable(
    session: AsyncSession, bot: BotContext, user_id: str, candidate_id: int
) -> Candidate:
    candidate = await get_candidate(session, candidate_id)
    if not may_record_decision(
        bot.settings.hiring_admins, user_id, hiring_manager_id=candidate.hiring_manager_id
    ):
        raise PermissionDenied(
            f"Only the candidate's hiring manager (<@{candidate.hiring_manager_id}>) and "
            "admins can record a decision."
        )
    if is_closed(candidate):
        raise Conflict(f"This candidate is closed ({candidate.status}): no decision is left.")
    return candidate


async def record_decision_once(
    bot: BotContext,
    *,
    actor_id: str,
    candidate_id: int,
    outcome: str | None,
    reason: str | None,
    seen_stage_key: str,
    seen_status: str,
    view_id: str,
    justification: str | None = None,
    announce: Callable[[AsyncSession, DecisionResult], Awaitable[None]] | None = None,
) -> DecisionResult:
    """``record_decision`` in a transaction of its own, for a form submitted from Slack;
    ``announce`` queues the messages that tell of a new decision, in that transaction.

    The same form can arrive twice at the same moment (a double click, or Slack's retry
    reaching another replica): the submission that loses the insert on the unique view id
    answers with the decision the other one stored, like a later resubmission would.
    """
    try:
        async with transaction(bot.sessions) as session:
            result = await record_decision(
                session,
                bot,
                actor_id=actor_id,
                candidate_id=candidate_id,
                outcome=outcome,
                reason=reason,
                seen_stage_key=seen_stage_key,
                seen_status=seen_status,
                view_id=view_id,
                justification=justification,
            )
            if result.created and announce is not None:
                await announce(session, result)
            return result
    except IntegrityError:
        async with bot.sessions() as session:
            done = await decision_by_view(session, view_id)
            if done is None:
                raise
            return await _result_of(session, bot, done)


async def _result_of(session: AsyncSession, bot: BotContext, decision: Decision) -> DecisionResult:
    candidate = await get_candidate(session, decision.candidate_id)
    advanced = decision.outcome == Outcome.ADVANCE
    return DecisionResult(
        decision=decision,
        candidate=candidate,
        stage=bot.kits.stage(decision.stage_key),
        next_stage=bot.kits.next_stage(decision.stage_key) if advanced else None,
        created=False,
    )
