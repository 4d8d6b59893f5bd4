"""Block Kit of the scorecard form: the modal to fill in or edit, its read-only form once a
decision closed the stage, the choice of interview, and reading a submission back.

Pure functions of domain objects. Kit texts (competencies, qualities, red flags) are
team-edited and candidate names user-typed, so both are escaped wherever mrkdwn shows them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, tzinfo
from typing import Any

from bot.clock import local_time
from bot.incident_timeline import Timeline
from bot.kits import Competency, Quality, Stage
from bot.scorecards import (
    EVIDENCE,
    MAX_EVIDENCE,
    MAX_PRIVATE_NOTE,
    MAX_REASON,
    NOT_ASSESSED,
    NOT_OBSERVED,
    OVERALL,
    PRIVATE_NOTE,
    REASON,
    RED_FLAGS,
    SCORES,
    CompetencyChoice,
    DebriefChange,
    QualityChoice,
    ScorecardContent,
    ScorecardDraft,
    ScorecardForm,
)
from handlers.block_kit import Block, context, divider, input_block, option, plain, section
from handlers.ids import DebriefChangeBlock, ScorecardBlock, View
from handlers.incident_timeline_blocks import own_timeline_blocks, timeline_evidence
from handlers.modals import ViewMetadata, errors_by_block, fair_hint
from handlers.mrkdwn import clip_plain, date_token, escape
from handlers.scorecard_reading_modal import (
    NOT_ASSESSED_LABEL,
    NOT_OBSERVED_LABEL,
    RATING_SCALE_TEXT,
    evidence_text,
    score_text,
    scorecard_content_blocks,
)
from storage.models import Interview, RatingKind, row_id

_HINT_LIMIT = 2000  # an input's hint
SUGGESTED_NOTE = (
    ":memo: Ratings below are suggested from how you rated the questions in *Take notes* "
    "(a competency's questions averaged; all of them not asked: _Not assessed_). They are "
    "yours to confirm: check each one before you submit."
)
FROM_NOTES_NOTE = (
    "The evidence starts from your notes per question; they are kept with the scorecard "
    "in full, whatever you keep here."
)

_RATING_BLOCKS = {
    RatingKind.COMPETENCY: ScorecardBlock.COMPETENCY,
    RatingKind.QUALITY: ScorecardBlock.QUALITY,
}
# A field no block shows lands on the evidence, so that no error is dropped silently.
_FALLBACK = ScorecardBlock.EVIDENCE
_FIELD_BLOCKS = {
    OVERALL: ScorecardBlock.OVERALL,
    RED_FLAGS: ScorecardBlock.RED_FLAGS,
    EVIDENCE: ScorecardBlock.EVIDENCE,
    PRIVATE_NOTE: ScorecardBlock.PRIVATE_NOTE,
}


class ScorecardMetadata(ViewMetadata):
    """The modal's private_metadata: which interview the scorecard is for."""

    interview_id: int


def rating_block_id(kind: RatingKind, key: str) -> str:
    return f"{_RATING_BLOCKS[kind]}:{key}"


def scorecard_modal(draft: ScorecardDraft, *, timeline: Timeline | None = None) -> dict[str, Any]:
    """The form to fill in (or edit, prefilled), or the read-only scorecard once closed.
    An incident run's ``timeline`` leads the form, and a new scorecard's evidence starts
    from it."""
    if draft.read_only:
        return _read_only_modal(draft)
    existing = draft.existing
    intro = _intro(draft)
    if draft.late:
        intro.append(
            context(
                ":hourglass: A decision has been recorded at this stage. Your scorecard is "
                "still taken: it is marked late, and the hiring manager is told."
            )
        )
    evidence = existing.evidence if existing else draft.evidence_from_notes
    if timeline is not None:
        intro += own_timeline_blocks(timeline)
        evidence = evidence or timeline_evidence(timeline, MAX_EVIDENCE)
    if existing is not None:
        intro.append(
            context(
                f"You submitted this on {date_token(existing.submitted_at)}. "
                "Change anything and save: edits are open until a decision closes the stage."
            )
        )
    earlier = existing.competencies if existing else _suggested(draft)
    suggested = [] if existing or not draft.suggested else [context(SUGGESTED_NOTE)]
    if existing is None and draft.evidence_from_notes:
        suggested.append(context(FROM_NOTES_NOTE))
    blocks = [
        *intro,
        section("*Competencies* · rate the evidence you heard, or choose _Not assessed_"),
        *suggested,
        *(_competency_input(c, earlier) for c in draft.stage.competencies),
        divider(),
        section("*Qualities* · rate what you saw, or choose _Not observed_"),
        *(_quality_input(q, existing) for q in draft.qualities),
        divider(),
        _red_flags_input(draft.stage, existing),
        _overall_input(existing.overall if existing else None),
        input_block(
            ScorecardBlock.EVIDENCE,
            "Evidence",
            _text_input(ScorecardBlock.EVIDENCE, MAX_EVIDENCE, evidence),
            hint=fair_hint("What the candidate said or did that backs your ratings."),
        ),
        input_block(
            ScorecardBlock.PRIVATE_NOTE,
            "Private note for the hiring manager",
            _text_input(
                ScorecardBlock.PRIVATE_NOTE,
                MAX_PRIVATE_NOTE,
                existing.private_note if existing else None,
            ),
            optional=True,
            hint=fair_hint("Only the hiring manager and admins can read it."),
        ),
    ]
    return {
        "type": "modal",
        "callback_id": View.SCORECARD,
        "title": plain(draft.stage.short_title),
        "submit": plain("Save changes" if existing else "Submit"),
        "close": plain("Cancel"),
        "private_metadata": _metadata(draft.interview),
        "blocks": blocks,
    }


def debrief_change_modal(draft: ScorecardDraft) -> dict[str, Any]:
    """After the debrief: the author's competency ratings and recommendation, prefilled, to
    change with a reason (the rest of the scorecard stays as it is)."""
    existing = draft.submitted()
    blocks = [
        section(
            f"*{escape(draft.candidate.name)}* · {escape(draft.stage.title)} interview on "
            f"{date_token(draft.interview.starts_at)}"
        ),
        context(
            "Change what the debrief changed your mind about, and say why. The summary shows "
            "each change, before and after; your scorecard's history keeps it with the reason."
        ),
        *(_competency_input(c, existing.competencies) for c in draft.stage.competencies),
        _overall_input(existing.overall),
        input_block(
            DebriefChangeBlock.REASON,
            "Why your ratings changed",
            _text_input(DebriefChangeBlock.REASON, MAX_REASON, None),
            hint=fair_hint(
                "What the debrief brought out: evidence you had missed or weighed anew."
            ),
        ),
    ]
    return {
        "type": "modal",
        "callback_id": View.DEBRIEF_CHANGE,
        "title": plain("Change ratings"),
        "submit": plain("Save change"),
        "close": plain("Cancel"),
        "private_metadata": _metadata(draft.interview),
        "blocks": blocks,
    }


def read_debrief_change(values: Mapping[str, Mapping[str, Any]]) -> DebriefChange:
    form = read_scorecard_form(values)
    reason = values.get(DebriefChangeBlock.REASON, {}).get(DebriefChangeBlock.REASON)
    return DebriefChange(
        competencies=form.competencies,
        overall=form.overall,
        reason=reason.get("value") if isinstance(reason, Mapping) else None,
    )


def debrief_change_field_errors(fields: Mapping[str, str]) -> dict[str, str]:
    """The change's InvalidInput: ratings under their inputs, the rest under the reason."""
    blocks = {field: _block_of(field) for field in fields}
    blocks |= {REASON: DebriefChangeBlock.REASON}
    shown = {field: block for field, block in blocks.items() if block != _FALLBACK}
    return errors_by_block(fields, shown, DebriefChangeBlock.REASON)


def interview_choice_modal(
    interviews: Sequence[Interview], stages: Mapping[str, Stage], zone: tzinfo = UTC
) -> dict[str, Any]:
    """Which interview to score, when the user has several of this candidate. An option's
    text cannot hold a date token, so times are in ``zone``, the reader's."""
    # The time goes first: a long stage title is what gets clipped to Slack's 75 characters.
    options = [
        option(f"{local_time(i.starts_at, zone)} · {stages[i.stage_key].title}", str(i.id))
        for i in interviews[:100]
    ]
    return {
        "type": "modal",
        "callback_id": View.SCORECARD_CHOICE,
        "title": plain("Submit scorecard"),
        "submit": plain("Next"),
        "close": plain("Cancel"),
        "blocks": [
            input_block(
                ScorecardBlock.INTERVIEW,
                "Which interview?",
                {
                    "type": "static_select",
                    "action_id": ScorecardBlock.INTERVIEW,
                    "options": options,
                    "initial_option": options[0],
                },
            )
        ],
    }


def read_scorecard_form(values: Mapping[str, Mapping[str, Any]]) -> ScorecardForm:
    """The submitted ``view.state.values`` as a form; anything missing or not ours is None."""

    def state(block_id: str, action_id: ScorecardBlock) -> Mapping[str, Any]:
        found = values.get(block_id, {}).get(action_id)
        return found if isinstance(found, Mapping) else {}

    def selected(block_id: str, action_id: ScorecardBlock) -> str | None:
        chosen = state(block_id, action_id).get("selected_option")
        return chosen.get("value") if isinstance(chosen, Mapping) else None

    competencies: dict[str, CompetencyChoice] = {}
    qualities: dict[str, QualityChoice] = {}
    for block_id in values:
        kind, _, key = block_id.partition(":")
        if kind == ScorecardBlock.COMPETENCY:
            choice = selected(block_id, ScorecardBlock.COMPETENCY)
            competencies[key] = NOT_ASSESSED if choice == NOT_ASSESSED else _score(choice)
        elif kind == ScorecardBlock.QUALITY:
            choice = selected(block_id, ScorecardBlock.QUALITY)
            qualities[key] = NOT_OBSERVED if choice == NOT_OBSERVED else _score(choice)
    flags = state(ScorecardBlock.RED_FLAGS, ScorecardBlock.RED_FLAGS).get("selected_options")
    return ScorecardForm(
        competencies=competencies,
        qualities=qualities,
        red_flags=[str(flag.get("value")) for flag in flags or [] if isinstance(flag, Mapping)],
        overall=_score(selected(ScorecardBlock.OVERALL, ScorecardBlock.OVERALL)),
        evidence=state(ScorecardBlock.EVIDENCE, ScorecardBlock.EVIDENCE).get("value"),
        private_note=state(ScorecardBlock.PRIVATE_NOTE, ScorecardBlock.PRIVATE_NOTE).get("value"),
    )


def read_chosen_interview(values: Mapping[str, Mapping[str, Any]]) -> int | None:
    chosen = values.get(ScorecardBlock.INTERVIEW, {}).get(ScorecardBlock.INTERVIEW, {})
    value = (chosen.get("selected_option") or {}).get("value", "")
    return int(value) if str(value).isdigit() else None


def scorecard_field_errors(fields: Mapping[str, str]) -> dict[str, str]:
    """``response_action: errors`` of an InvalidInput from `bot.scorecards.validate`."""
    return errors_by_block(fields, {field: _block_of(field) for field in fields}, _FALLBACK)


def _read_only_modal(draft: ScorecardDraft) -> dict[str, Any]:
    blocks = [
        *_intro(draft),
        context("A decision has closed this stage: your scorecard is read-only."),
    ]
    if draft.existing is not None:
        blocks += scorecard_content_blocks(
            draft.stage, draft.qualities, draft.existing, show_author=False
        )
    return {
        "type": "modal",
        "callback_id": View.SCORECARD,
        "title": plain(draft.stage.short_title),
        "close": plain("Close"),
        "private_metadata": _metadata(draft.interview),
        "blocks": blocks,
    }


def _intro(draft: ScorecardDraft) -> list[Block]:
    return [
        section(
            f"*{escape(draft.candidate.name)}* · {escape(draft.stage.title)} interview on "
            f"{date_token(draft.interview.starts_at)}"
        ),
        context(
            f"{RATING_SCALE_TEXT} The other interviewers see your scorecard only once they "
            "have submitted theirs."
        ),
    ]


def _metadata(interview: Interview) -> str:
    return ScorecardMetadata(interview_id=row_id(interview)).encode()


def _suggested(draft: ScorecardDraft) -> dict[str, int | None]:
    """The notes' suggestions as the form's earlier choices (None: not assessed)."""
    return {
        key: None if choice == NOT_ASSESSED else choice
        for key, choice in draft.suggested.items()
        if choice is not None
    }


def _competency_input(competency: Competency, earlier: Mapping[str, int | None]) -> Block:
    return _rating_input(
        RatingKind.COMPETENCY, competency, option(NOT_ASSESSED_LABEL, NOT_ASSESSED), earlier
    )


def _quality_input(quality: Quality, existing: ScorecardContent | None) -> Block:
    return _rating_input(
        RatingKind.QUALITY,
        quality,
        option(NOT_OBSERVED_LABEL, NOT_OBSERVED),
        existing.qualities if existing else {},
    )


def _rating_input(
    kind: RatingKind,
    item: Competency | Quality,
    unrated: dict[str, Any],
    earlier: Mapping[str, int | None],
) -> Block:
    """A 1 to 4 evidence rating with its "not assessed" choice; an earlier empty rating
    (stored as no score) reopens on that choice."""
    options = [*(option(evidence_text(score), str(score)) for score in SCORES), unrated]
    initial = None
    if item.id in earlier:
        score = earlier[item.id]
        initial = unrated if score is None else options[score - 1]
    return input_block(
        rating_block_id(kind, item.id),
        item.name,
        _radio(_RATING_BLOCKS[kind], options, initial),
        hint=_anchors(item.one, item.four),
    )


def _red_flags_input(stage: Stage, existing: ScorecardContent | None) -> Block:
    options = [
        option(flag.text, flag.id, description=f"Suggests {flag.suggests}")
        for flag in stage.red_flags
    ]
    element: dict[str, Any] = {
        "type": "checkboxes",
        "action_id": ScorecardBlock.RED_FLAGS,
        "options": options,
    }
    ticked = [o for o in options if existing and o["value"] in existing.red_flags]
    if ticked:
        element["initial_options"] = ticked
    return input_block(ScorecardBlock.RED_FLAGS, "Red flags you heard", element, optional=True)


def _anchors(one: str, four: str) -> str:
    return clip_plain(f"1 looks like: {one}\n4 looks like: {four}", _HINT_LIMIT)


def _overall_input(score: int | None) -> Block:
    return input_block(
        ScorecardBlock.OVERALL,
        "Overall recommendation",
        _radio(ScorecardBlock.OVERALL, _recommendation_options(), _initial_recommendation(score)),
    )


def _recommendation_options() -> list[dict[str, Any]]:
    return [option(score_text(score), str(score)) for score in SCORES]


def _initial_recommendation(score: int | None) -> dict[str, Any] | None:
    return option(score_text(score), str(score)) if score in SCORES else None


def _radio(
    action_id: ScorecardBlock, options: list[dict[str, Any]], initial: dict[str, Any] | None
) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "radio_buttons", "action_id": action_id, "options": options}
    if initial is not None:
        element["initial_option"] = initial
    return element


def _text_input(
    action_id: ScorecardBlock | DebriefChangeBlock, max_length: int, initial: str | None
) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": action_id,
        "multiline": True,
        "max_length": max_length,
    }
    if initial:
        element["initial_value"] = initial
    return element


def _block_of(field: str) -> str:
    kind, _, key = field.partition(":")
    if kind in _RATING_BLOCKS:
        return rating_block_id(RatingKind(kind), key)
    return _FIELD_BLOCKS.get(field, _FALLBACK)


def _score(value: str | None) -> int | None:
    return int(value) if value in {str(score) for score in SCORES} else None
