"""Scorecards: an interviewer's ratings and evidence for one interview.

One scorecard per interviewer per interview, written by the interviewers on its panel
who attended (the hiring manager and admins too, when they sit on it): a scorecard is
evidence from the room. It can be edited until a decision closes the interview's stage
for the candidate; after that it is read-only. One that arrives after the decision is
still taken, marked late (the hiring manager is told): evidence is never turned away.
Every edit is kept (`bot.scorecard_history`).
Nothing here shows anyone else's scorecard: reading others' goes through
`bot.feedback_access`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final, Literal

from sqlmodel.ext.asyncio.session import AsyncSession

from bot import reminder_planning
from bot.candidates import get_candidate, is_closed
from bot.context import BotContext
from bot.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from bot.interviews import get_interview
from bot.kits import Quality, Stage
from bot.question_answers import SCORES as SCORES  # the scale, shared with the notes
from bot.question_answers import Sheet, evidence_from, kept_answers, read_sheet
from bot.question_answers import suggested_ratings as suggested_from_sheet
from bot.scorecard_history import Revision, RevisionKind, record_revision, revisions_of
from storage import marks
from storage import notes as notes_store
from storage import scorecards as store
from storage.audit import record_event
from storage.debriefs import scheduled_in_stage
from storage.decisions import stage_closing_decision
from storage.interviews import interviewers_of, interviews_of_user
from storage.models import (
    Candidate,
    Interview,
    InterviewInterviewer,
    InterviewStatus,
    RatingKind,
    Scorecard,
    ScorecardAnswer,
    row_id,
)

MAX_EVIDENCE: Final = 3000
MAX_PRIVATE_NOTE: Final = 3000
NOT_OBSERVED: Final = "not_observed"
NOT_ASSESSED: Final = "not_assessed"
AUDIT_SUBMITTED: Final = "scorecard_submitted"
AUDIT_EDITED: Final = "scorecard_edited"
AUDIT_CONFIRMED: Final = "scorecard_confirmed_after_debrief"
AUDIT_CHANGED: Final = "scorecard_changed_after_debrief"
MAX_REASON: Final = 3000

# A quality's choice: a score, "not observed", or None when nothing was chosen.
QualityChoice = int | Literal["not_observed"] | None
# A competency's: a score, "not assessed" (it never came up), or None when nothing was chosen.
CompetencyChoice = int | Literal["not_assessed"] | None

OVERALL: Final = "overall"
RED_FLAGS: Final = "red_flags"
EVIDENCE: Final = "evidence"
PRIVATE_NOTE: Final = "private_note"
REASON: Final = "reason"  # of a change after the debrief


def rating_field(kind: str, key: str) -> str:
    """The name under which a rating's error is reported: ``"competency:k8s_serving"``."""
    return f"{kind}:{key}"


@dataclass(frozen=True)
class ScorecardForm:
    """What an interviewer entered, unchecked; None where nothing was chosen."""

    competencies: Mapping[str, CompetencyChoice]
    qualities: Mapping[str, QualityChoice]
    red_flags: Sequence[str]
    overall: int | None
    evidence: str | None
    private_note: str | None


@dataclass(frozen=True)
class ScorecardContent:
    """A scorecard as read back. ``competencies`` maps to None for "not assessed",
    ``qualities`` for "not observed"."""

    id: int
    interview_id: int
    interviewer_id: str
    overall: int
    competencies: Mapping[str, int | None]
    qualities: Mapping[str, int | None]
    red_flags: tuple[str, ...]
    evidence: str
    private_note: str | None
    submitted_at: datetime
    updated_at: datetime
    revisions: tuple[Revision, ...] = ()
    late: bool = False

    @property
    def edited_after_reading(self) -> bool:
        """Its form saved again after its author had been shown the others' scorecards. A
        change after the debrief is not counted: reading the others is what a debrief is
        for, and such a change is shown on its own, with its reason."""
        return any(
            revision.after_reading_others and revision.kind == RevisionKind.EDIT
            for revision in self.revisions
        )

    @property
    def debrief_changes(self) -> tuple[Revision, ...]:
        return tuple(r for r in self.revisions if r.kind == RevisionKind.DEBRIEF)


@dataclass(frozen=True)
class Progress:
    """Scorecards in from the interviewers expected to write one (those who attended)."""

    submitted: int
    expected: int

    @property
    def complete(self) -> bool:
        return self.expected > 0 and self.submitted >= self.expected


@dataclass(frozen=True)
class ScorecardDraft:
    """What the scorecard modal needs: the interview, the kit, and any earlier submission."""

    interview: Interview
    candidate: Candidate
    stage: Stage
    qualities: tuple[Quality, ...]
    existing: ScorecardContent | None
    read_only: bool
    # A first scorecard after a decision closed the stage: taken, and marked late.
    late: bool = False
    # From the interviewer's notes (*Take notes*), for a first scorecard: a rating per
    # competency to confirm, and the evidence to start from.
    suggested: Mapping[str, CompetencyChoice] = field(default_factory=dict)
    evidence_from_notes: str | None = None

    def submitted(self) -> ScorecardContent:
        """The scorecard the author submitted; Conflict when there is none."""
        if self.existing is None:
            raise Conflict(_NOT_IN)
        return self.existing


@dataclass(frozen=True)
class SubmitResult:
    interview: Interview
    candidate: Candidate
    stage: Stage
    scorecard_id: int
    created: bool
    changed: bool
    progress: Progress
    late: bool = False


@dataclass(frozen=True)
class _Valid:
    ratings: tuple[tuple[str, str, int | None], ...]
    overall: int
    red_flags: tuple[str, ...]
    evidence: str
    private_note: str | None


@dataclass(frozen=True)
class _Scorable:
    interview: Interview
    candidate: Candidate
    stage: Stage
    panel: list[InterviewInterviewer]
    stage_closed: bool


def _score(choice: object) -> int | None:
    """The rating chosen, or None for "not assessed", "not observed" or no choice."""
    return choice if isinstance(choice, int) and choice in SCORES else None


def validate(stage: Stage, qualities: Sequence[Quality], form: ScorecardForm) -> _Valid:
    """The form's values checked against the stage's kit; InvalidInput names every problem."""
    errors: dict[str, str] = {}
    ratings: list[tuple[str, str, int | None]] = []
    for competency in stage.competencies:
        assessed = form.competencies.get(competency.id)
        score = _score(assessed)
        if score is None and assessed != NOT_ASSESSED:
            errors[rating_field(RatingKind.COMPETENCY, competency.id)] = (
                "Choose a rating from 1 to 4, or Not assessed if it did not come up."
            )
        ratings.append((RatingKind.COMPETENCY, competency.id, score))
    for quality in qualities:
        observed = form.qualities.get(quality.id)
        score = _score(observed)
        if score is None and observed != NOT_OBSERVED:
            errors[rating_field(RatingKind.QUALITY, quality.id)] = (
                "Choose a rating from 1 to 4, or Not observed."
            )
        ratings.append((RatingKind.QUALITY, quality.id, score))
    known_flags = {flag.id for flag in stage.red_flags}
    if any(flag not in known_flags for flag in form.red_flags):
        errors[RED_FLAGS] = "A red flag here is no longer in the kit: please reopen the form."
    overall = _score(form.overall)
    if overall is None:
        errors[OVERALL] = "Choose your overall recommendation."
    evidence = (form.evidence or "").strip()
    if not evidence:
        errors[EVIDENCE] = "Write the evidence behind your ratings: what the candidate said or did."
    elif len(evidence) > MAX_EVIDENCE:
        errors[EVIDENCE] = (
            f"Keep the evidence to {MAX_EVIDENCE:,} characters; it has {len(evidence):,}."
        )
    note = (form.private_note or "").strip() or None
    if note is not None and len(note) > MAX_PRIVATE_NOTE:
        errors[PRIVATE_NOTE] = (
            f"Keep the note to {MAX_PRIVATE_NOTE:,} characters; it has {len(note):,}."
        )
    if errors or overall is None:
        raise InvalidInput(errors)
    return _Valid(
        ratings=tuple(ratings),
        overall=overall,
        red_flags=tuple(flag.id for flag in stage.red_flags if flag.id in form.red_flags),
        evidence=evidence,
        private_note=note,
    )


async def read_contents(
    session: AsyncSession, scorecards: Sequence[Scorecard]
) -> list[ScorecardContent]:
    """Scorecard rows with their ratings and revisions, in the given order."""
    ids = [card.id for card in scorecards if card.id]
    ratings = await store.ratings_of(session, ids)
    revisions = await revisions_of(session, ids)
    contents = []
    for card in scorecards:
        own = ratings[row_id(card)]
        contents.append(
            ScorecardContent(
                id=row_id(card),
                interview_id=card.interview_id,
                interviewer_id=card.interviewer_id,
                overall=card.overall,
                competencies={
                    rating.key: rating.score
                    for rating in own
                    if rating.kind == RatingKind.COMPETENCY
                },
                qualities={
                    rating.key: rating.score for rating in own if rating.kind == RatingKind.QUALITY
                },
                red_flags=tuple(card.red_flags),
                evidence=card.evidence,
                private_note=card.private_note,
                submitted_at=card.submitted_at,
                updated_at=card.updated_at,
                revisions=revisions[row_id(card)],
                late=card.late,
            )
        )
    return contents


def counted(
    panel: Sequence[InterviewInterviewer], scorecards: Sequence[Scorecard]
) -> list[Scorecard]:
    """The scorecards that count, in their order: those of interviewers on the panel who
    attended. One whose author was taken off the panel (or marked as not attended) stays
    stored, but leaves the count and the summary, and comes back if they are put back."""
    expected = {member.user_id for member in panel if member.attended}
    return [card for card in scorecards if card.interviewer_id in expected]


def progress_of(panel: Sequence[InterviewInterviewer], scorecards: Sequence[Scorecard]) -> Progress:
    """Interviewers marked as not attended owe no scorecard and are not counted."""
    expected = {member.user_id for member in panel if member.attended}
    return Progress(submitted=len(counted(panel, scorecards)), expected=len(expected))


def scorecard_fields(
    *,
    overall: int,
    ratings: Mapping[tuple[str, str], int | None],
    red_flags: Sequence[str],
    evidence: str,
    private_note: str | None,
) -> dict[str, Any]:
    """A scorecard as flat fields, what its history compares: ``"overall"``, one
    ``"competency:…"`` or ``"quality:…"`` per rating, the red flags, the evidence, the note."""
    return {
        OVERALL: overall,
        **{rating_field(kind, key): score for (kind, key), score in sorted(ratings.items())},
        RED_FLAGS: list(red_flags),
        EVIDENCE: evidence,
        PRIVATE_NOTE: private_note,
    }


def content_fields(card: ScorecardContent) -> dict[str, Any]:
    ratings = {(RatingKind.COMPETENCY.value, k): s for k, s in card.competencies.items()}
    ratings |= {(RatingKind.QUALITY.value, k): s for k, s in card.qualities.items()}
    return scorecard_fields(
        overall=card.overall,
        ratings=ratings,
        red_flags=card.red_flags,
        evidence=card.evidence,
        private_note=card.private_note,
    )


async def interview_progress(session: AsyncSession, interview_id: int) -> Progress:
    panel = await interviewers_of(session, interview_id)
    return progress_of(panel, await store.scorecards_of_interview(session, interview_id))


async def stage_is_closed(session: AsyncSession, candidate: Candidate, stage_key: str) -> bool:
    """True once a decision ended this stage for the candidate, or the candidate is closed;
    the stage's scorecards are then read-only."""
    if is_closed(candidate):
        return True
    return await stage_closing_decision(session, row_id(candidate), stage_key) is not None


async def interviews_to_score(
    session: AsyncSession, bot: BotContext, *, user_id: str, candidate_id: int
) -> list[Interview]:
    """The candidate's interviews this user may write a scorecard for, latest first: those
    with them on the panel (the hiring manager's and admins' too). Only those begun."""
    candidate = await get_candidate(session, candidate_id)
    interviews = await interviews_of_user(session, user_id, candidate_id=candidate_id)
    if not interviews:
        raise PermissionDenied(
            "You are not an interviewer of this candidate, so there is no scorecard for "
            f"you to submit. {_how_to_join(bot, candidate, user_id)}"
        )
    now = bot.clock.now()
    begun = [interview for interview in interviews if interview.starts_at <= now]
    if not begun:
        raise Conflict(_NOT_STARTED)
    return begun[::-1]


async def open_scorecard(
    session: AsyncSession, bot: BotContext, *, user_id: str, interview_id: int
) -> ScorecardDraft:
    """The user's scorecard for an interview, to fill in, edit, or (stage closed) read."""
    scorable = await _scorable(session, bot, user_id, interview_id)
    existing = await store.scorecard_of(session, interview_id, user_id)
    contents = await read_contents(session, [existing]) if existing else []
    sheet: Sheet = {}
    if existing is None:
        sheet = read_sheet(await notes_store.draft_of(session, interview_id, user_id))
    return ScorecardDraft(
        interview=scorable.interview,
        candidate=scorable.candidate,
        stage=scorable.stage,
        qualities=bot.kits.qualities,
        existing=contents[0] if contents else None,
        read_only=scorable.stage_closed and existing is not None,
        late=scorable.stage_closed and existing is None,
        suggested=suggested_ratings(scorable.stage, sheet),
        evidence_from_notes=evidence_from(scorable.stage, sheet, MAX_EVIDENCE),
    )


def suggested_ratings(stage: Stage, sheet: Sheet) -> dict[str, CompetencyChoice]:
    """The competency ratings the question ratings suggest, as the form's choices."""
    return {
        key: NOT_ASSESSED if score is None else score
        for key, score in suggested_from_sheet(stage, sheet).items()
    }


async def _keep_answers(
    session: AsyncSession, stage: Stage, scorecard_id: int, interview_id: int, user_id: str
) -> None:
    """The scorecard keeps the author's notes per question as they are when it is saved;
    without notes, whatever it kept before stays."""
    sheet = read_sheet(await notes_store.draft_of(session, interview_id, user_id))
    if not sheet:
        return
    rows = [
        ScorecardAnswer(
            scorecard_id=scorecard_id,
            question_key=key,
            competency_key=competency,
            rating=answer.rating,
            not_asked=answer.not_asked,
            notes=answer.notes,
        )
        for key, competency, answer in kept_answers(stage, sheet)
    ]
    await notes_store.replace_answers(session, scorecard_id, rows)


async def submit_scorecard(
    session: AsyncSession,
    bot: BotContext,
    *,
    user_id: str,
    interview_id: int,
    form: ScorecardForm,
) -> SubmitResult:
    """Store the user's scorecard for the interview, creating it or editing their own.
    The one function every submission goes through, in the caller's transaction: what must
    happen with each (cancelling the interviewer's reminders) is one line here.

    A resubmission of the same values (a double click, a retried request) changes nothing
    and reports ``changed=False``.
    """
    scorable = await _scorable(session, bot, user_id, interview_id, lock=True)
    valid = validate(scorable.stage, bot.kits.qualities, form)
    now = bot.clock.now()
    inserted = await store.insert_scorecard_once(
        session,
        {
            "interview_id": interview_id,
            "interviewer_id": user_id,
            "submitted_at": now,
            "updated_at": now,
            "late": scorable.stage_closed,
            **_values(valid),
        },
    )
    created = inserted is not None
    late = scorable.stage_closed
    if inserted is not None:
        scorecard_id = inserted
        await store.add_ratings(session, scorecard_id, valid.ratings)
        await marks.scorecard_in(session, scorable.interview, user_id, now)
        changed = True
    else:
        if scorable.stage_closed:
            # An edit after the decision: the scorecard the decision stood on stays as it was.
            raise Conflict(_CLOSED)
        scorecard = await store.scorecard_of(session, interview_id, user_id)
        if scorecard is None:
            # There a moment ago: only an erasure in between removes it.
            raise NotFound("That interview no longer exists.")
        scorecard_id, late = row_id(scorecard), scorecard.late
        changed = await _revise(
            session, scorecard, valid, actor_id=user_id, kind=RevisionKind.EDIT, at=now
        )
    await _keep_answers(session, scorable.stage, scorecard_id, interview_id, user_id)
    if created and not scorable.stage_closed:
        await reminder_planning.interviewer_done(
            session,
            scorable.interview,
            user_id,
            hiring_manager_id=scorable.candidate.hiring_manager_id,
            now=now,
        )
    if changed:
        await _touched(
            session,
            scorable.candidate,
            user_id,
            AUDIT_SUBMITTED if created else AUDIT_EDITED,
            {"interview_id": interview_id, "scorecard_id": scorecard_id},
            now,
        )
    progress = progress_of(
        scorable.panel, await store.scorecards_of_interview(session, interview_id)
    )
    return SubmitResult(
        interview=scorable.interview,
        candidate=scorable.candidate,
        stage=scorable.stage,
        scorecard_id=scorecard_id,
        created=created,
        changed=changed,
        progress=progress,
        late=late,
    )


def _values(valid: _Valid) -> dict[str, Any]:
    """A checked form as the scorecard row's own columns (the ratings are rows of theirs)."""
    return {
        "overall": valid.overall,
        "evidence": valid.evidence,
        "private_note": valid.private_note,
        "red_flags": list(valid.red_flags),
    }


async def _revise(
    session: AsyncSession,
    scorecard: Scorecard,
    valid: _Valid,
    *,
    actor_id: str,
    kind: RevisionKind,
    at: datetime,
    reason: str | None = None,
) -> bool:
    """Change a stored scorecard to ``valid``, keeping the change in its history; False
    (and nothing changed) when it already says that."""
    scorecard_id = row_id(scorecard)
    (before,) = await read_contents(session, [scorecard])
    revision = await record_revision(
        session,
        scorecard_id=scorecard_id,
        interview_id=scorecard.interview_id,
        author_id=scorecard.interviewer_id,
        actor_id=actor_id,
        before=content_fields(before),
        after=scorecard_fields(
            overall=valid.overall,
            ratings={(kind, key): score for kind, key, score in valid.ratings},
            red_flags=valid.red_flags,
            evidence=valid.evidence,
            private_note=valid.private_note,
        ),
        kind=kind,
        at=at,
        reason=reason,
    )
    if revision is None:
        return False
    await store.update_scorecard(session, scorecard, _values(valid), at)
    await store.replace_ratings(session, scorecard_id, valid.ratings)
    return True


async def _touched(
    session: AsyncSession,
    candidate: Candidate,
    actor_id: str,
    action: str,
    detail: dict[str, Any],
    at: datetime,
) -> None:
    """A scorecard of the candidate changed: their activity moves, and the audit keeps it."""
    candidate.last_activity_at = at
    session.add(candidate)
    await record_event(
        session, actor_id=actor_id, candidate_id=candidate.id, action=action, detail=detail, at=at
    )


# ----------------------------------------------------------------- after the debrief


@dataclass(frozen=True)
class DebriefChange:
    """What the author changes after the debrief: competency ratings and the overall
    recommendation (None where nothing was chosen), and why."""

    competencies: Mapping[str, CompetencyChoice]
    overall: int | None
    reason: str | None


async def open_debrief_change(
    session: AsyncSession, bot: BotContext, *, user_id: str, interview_id: int
) -> ScorecardDraft:
    """The user's scorecard, to confirm or change after a debrief of its stage has ended;
    Conflict before then (the scorecard's own form is the way), without a scorecard, or
    once a decision closed the stage."""
    scorable = await _scorable(session, bot, user_id, interview_id)
    existing = await store.scorecard_of(session, interview_id, user_id)
    if existing is None:
        raise Conflict(_NOT_IN)
    if scorable.stage_closed:
        raise Conflict(_CLOSED)
    now = bot.clock.now()
    debriefs = await scheduled_in_stage(
        session, row_id(scorable.candidate), scorable.interview.stage_key
    )
    if not any(reminder_planning.ends_at(debrief) <= now for debrief in debriefs):
        raise Conflict(
            "No debrief of this stage has ended yet: until one has, change your scorecard "
            "with *Submit scorecard*."
        )
    (content,) = await read_contents(session, [existing])
    return ScorecardDraft(
        interview=scorable.interview,
        candidate=scorable.candidate,
        stage=scorable.stage,
        qualities=bot.kits.qualities,
        existing=content,
        read_only=False,
    )


async def confirm_after_debrief(
    session: AsyncSession, bot: BotContext, *, user_id: str, interview_id: int
) -> ScorecardDraft:
    """The author says their ratings stand after the debrief: kept in the audit."""
    draft = await open_debrief_change(session, bot, user_id=user_id, interview_id=interview_id)
    submitted = draft.submitted()
    await record_event(
        session,
        actor_id=user_id,
        candidate_id=draft.candidate.id,
        action=AUDIT_CONFIRMED,
        detail={"interview_id": interview_id, "scorecard_id": submitted.id},
        at=bot.clock.now(),
    )
    return draft


async def change_after_debrief(
    session: AsyncSession,
    bot: BotContext,
    *,
    user_id: str,
    interview_id: int,
    change: DebriefChange,
) -> ScorecardDraft:
    """Change the author's ratings after the debrief, with a reason: kept in the scorecard's
    history (before, after, why), which the debrief summary shows. InvalidInput names
    a missing rating, a missing reason, or a change that changes nothing."""
    draft = await open_debrief_change(session, bot, user_id=user_id, interview_id=interview_id)
    card = draft.submitted()
    form = ScorecardForm(
        competencies=change.competencies,
        qualities={
            key: NOT_OBSERVED if score is None else score for key, score in card.qualities.items()
        },
        red_flags=card.red_flags,
        overall=change.overall,
        evidence=card.evidence,
        private_note=card.private_note,
    )
    errors: dict[str, str] = {}
    valid: _Valid | None = None
    try:
        valid = validate(draft.stage, bot.kits.qualities, form)
    except InvalidInput as invalid:
        errors = dict(invalid.fields)
    reason = (change.reason or "").strip()
    if not reason:
        errors[REASON] = "Say why your ratings changed: what the debrief brought out."
    elif len(reason) > MAX_REASON:
        errors[REASON] = f"Keep the reason to {MAX_REASON:,} characters; it has {len(reason):,}."
    if errors or valid is None:
        raise InvalidInput(errors)
    scorecard = await store.scorecard_of(session, interview_id, user_id)
    if scorecard is None:
        # There a moment ago: only an erasure in between removes it.
        raise NotFound("That interview no longer exists.")
    now = bot.clock.now()
    if not await _revise(
        session,
        scorecard,
        valid,
        actor_id=user_id,
        kind=RevisionKind.DEBRIEF,
        at=now,
        reason=reason,
    ):
        raise InvalidInput(
            {REASON: "These are the ratings you gave: to keep them, press *Confirm ratings*."}
        )
    await _touched(
        session,
        draft.candidate,
        user_id,
        AUDIT_CHANGED,
        {"interview_id": interview_id, "scorecard_id": scorecard.id},
        now,
    )
    return draft


_NOT_IN = "Your scorecard of this interview is not in: submit it with *Submit scorecard*."
_CLOSED = "A decision has closed this stage for the candidate, so its scorecards are read-only now."
_NOT_STARTED = "This interview has not started yet: submit your scorecard once it is over."


def _how_to_join(bot: BotContext, candidate: Candidate, user_id: str) -> str:
    if user_id == candidate.hiring_manager_id or bot.is_admin(user_id):
        return (
            "If you interviewed, add yourself to the panel with *Reschedule* on the "
            "interview's note in the candidate's thread."
        )
    return (
        f"If you interviewed, the hiring manager (<@{candidate.hiring_manager_id}>) or an "
        "admin can add you to the panel with *Reschedule* on the interview's note in the "
        "candidate's thread."
    )


_EXCUSED = (
    "You marked this interview as not attended, so it takes no scorecard from you, and its "
    "interviewers' scorecards stay closed to you. If that was a mistake, tell the hiring "
    "manager (<@{hm}>)."
)


async def _scorable(
    session: AsyncSession, bot: BotContext, user_id: str, interview_id: int, *, lock: bool = False
) -> _Scorable:
    """The interview as its scorecard needs it. With ``lock``, a reschedule of it waits for
    this transaction (and the other way round), so a scorecard always meets the interview's
    current stage and panel."""
    interview = await get_interview(session, interview_id, lock=lock)
    if interview.status == InterviewStatus.CANCELLED:
        raise Conflict("This interview was cancelled, so it takes no scorecard.")
    candidate = await get_candidate(session, interview.candidate_id)
    panel = await interviewers_of(session, interview_id)
    seat = next((member for member in panel if member.user_id == user_id), None)
    if seat is None:
        raise PermissionDenied(
            "Only the interviewers of this interview write its scorecards. "
            + _how_to_join(bot, candidate, user_id)
        )
    if not seat.attended:
        raise Conflict(_EXCUSED.format(hm=candidate.hiring_manager_id))
    if interview.starts_at > bot.clock.now():
        raise Conflict(_NOT_STARTED)
    return _Scorable(
        interview=interview,
        candidate=candidate,
        stage=bot.kits.stage(interview.stage_key),
        panel=panel,
        stage_closed=await stage_is_closed(session, candidate, interview.stage_key),
    )


async def owed_by(session: AsyncSession, candidate: Candidate, user_id: str) -> list[Interview]:
    """The candidate's interviews whose scorecard ``user_id`` still owes: on the panel,
    attending, none in yet, the stage still open. Begun or not: nobody should read the
    others before their own interview either."""
    if is_closed(candidate):
        return []
    candidate_id = row_id(candidate)
    return [
        interview
        for interview in await store.owed_interviews(session, user_id, candidate_id)
        if await stage_closing_decision(session, candidate_id, interview.stage_key) is None
    ]


async def observed_qualities(session: AsyncSession, candidate_id: int) -> frozenset[str]:
    """Ids of the qualities someone has rated anywhere in the candidate's loop so far."""
    return frozenset(await store.observed_quality_keys(session, candidate_id))
