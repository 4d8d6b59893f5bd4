"""Block Kit for reading scorecards: one scorecard's content, and the *View scorecards*
modal with every scorecard the reader may see (`bot.feedback_access` decided which, and
removed the private notes they may not read). Pure; everything a person wrote is escaped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bot.feedback_access import VisibleScorecards
from bot.kits import Quality, Stage
from bot.scorecard_history import Revision, RevisionKind
from bot.scorecards import (
    EVIDENCE,
    OVERALL,
    PRIVATE_NOTE,
    RED_FLAGS,
    ScorecardContent,
    rating_field,
)
from handlers.block_kit import Block, context, divider, packed_sections, plain, section
from handlers.mrkdwn import date_token, escape
from storage.models import RatingKind

# The overall recommendation is a hiring call; a competency or quality rating says how much
# evidence the interview gave, so that nobody is pushed to a yes or a no on one skill.
SCALE = {1: "Strong no", 2: "No", 3: "Yes", 4: "Strong yes"}
EVIDENCE_SCALE = {1: "No evidence", 2: "Some evidence", 3: "Solid evidence", 4: "Exceptional"}
NOT_ASSESSED_LABEL = "Not assessed"
RATING_SCALE_TEXT = (
    "Competencies and qualities: *1* no evidence · *2* some · *3* solid · *4* exceptional, "
    "or _Not assessed_ when it did not come up. Overall: *1* strong no · *2* no · *3* yes · "
    "*4* strong yes."
)
NOT_OBSERVED_LABEL = "Not observed"
EDITED_AFTER_READING = ":pencil2: *edited after reading the others*"
LATE = ":hourglass: *late: submitted after the decision*"
MAX_VIEW_BLOCKS = 100


def score_text(score: int) -> str:
    """An overall recommendation: ``3`` as "3 · Yes"."""
    return f"{score} · {SCALE[score]}"


def evidence_text(score: int) -> str:
    """A competency's or quality's rating: ``3`` as "3 · Solid evidence"."""
    return f"{score} · {EVIDENCE_SCALE[score]}"


def scorecard_content_blocks(
    stage: Stage,
    qualities: Sequence[Quality],
    card: ScorecardContent,
    *,
    show_author: bool,
) -> list[Block]:
    """One scorecard: recommendation, ratings, red flags, evidence and (if present) the
    private note. Ratings of competencies or qualities the kit has since dropped are left
    out; the rest is shown whole, split over sections where it is long."""
    when = f"submitted {date_token(card.submitted_at)}"
    if card.updated_at != card.submitted_at:
        when += f", edited {date_token(card.updated_at)}"
    if card.late:
        when += f"\n{LATE}"
    if card.edited_after_reading:
        when += f"\n{EDITED_AFTER_READING}"
    who = f"<@{card.interviewer_id}> · " if show_author else ""
    lines = [
        f"• {escape(c.name)}: *{_rating_text(card.competencies[c.id], NOT_ASSESSED_LABEL)}*"
        for c in stage.competencies
        if c.id in card.competencies
    ]
    lines += [
        f"• {escape(q.name)}: *{_rating_text(card.qualities[q.id], NOT_OBSERVED_LABEL)}*"
        for q in qualities
        if q.id in card.qualities
    ]
    flag_texts = {flag.id: flag.text for flag in stage.red_flags}
    flags = [escape(flag_texts.get(key, key)) for key in card.red_flags]
    blocks = [
        section(f"{who}Overall: *{score_text(card.overall)}*\n{when}"),
        *packed_sections(lines),
        section(
            ":triangular_flag_on_post: *Red flags:* " + "; ".join(flags)
            if flags
            else "_No red flags raised._"
        ),
        *packed_sections([f"*Evidence*\n{escape(card.evidence)}"]),
    ]
    if card.private_note:
        blocks += packed_sections(
            [f"*Private note for the hiring manager*\n{escape(card.private_note)}"]
        )
    if card.revisions:
        names = field_names(stage, qualities)
        blocks += packed_sections(
            ["*History*", *(revision_line(names, revision) for revision in card.revisions)]
        )
    return blocks


def field_names(stage: Stage, qualities: Sequence[Quality]) -> dict[str, str]:
    """What each field of a scorecard's history is called on screen."""
    names = {OVERALL: "Overall", RED_FLAGS: "red flags", EVIDENCE: "evidence"}
    names[PRIVATE_NOTE] = "private note"
    names |= {rating_field(RatingKind.COMPETENCY, c.id): c.name for c in stage.competencies}
    names |= {rating_field(RatingKind.QUALITY, q.id): q.name for q in qualities}
    return names


def revision_line(names: Mapping[str, str], revision: Revision) -> str:
    """One change: when, whether after reading the others, and what (scores before and
    after; for texts and flags only that they changed, the card shows them as they are)."""
    parts = []
    for change in revision.changes:
        name = escape(names.get(change.field, change.field))
        if _is_score(change.before) or _is_score(change.after):
            unrated = _unrated(change.field)
            before, after = _score(change.before, unrated), _score(change.after, unrated)
            parts.append(f"{name} {before} → {after}")
        else:
            parts.append(f"{name} changed")
    if revision.kind == RevisionKind.DEBRIEF:
        what = "Changed after the debrief"
        after = ""
    else:
        what = "Edited"
        after = " after reading the others" if revision.after_reading_others else ""
    line = f"• {what} {date_token(revision.changed_at)}{after}: {'; '.join(parts)}"
    if revision.reason:
        line += f" ({escape(revision.reason)})"
    return line


def _is_score(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _unrated(field: str) -> str:
    """What an empty rating of the field means: a competency not assessed, a quality not
    observed."""
    kind, _, _ = field.partition(":")
    return "not assessed" if kind == RatingKind.COMPETENCY else "not observed"


def _score(value: Any, unrated: str) -> str:
    return str(value) if _is_score(value) else unrated


def scorecards_modal(
    visible: VisibleScorecards,
    stage: Stage,
    qualities: Sequence[Quality],
    *,
    lead: Sequence[Block] = (),
) -> dict[str, Any]:
    """Every scorecard the reader may see for one interview, newest submission last;
    ``lead`` (the incident timelines the reader may see) comes first."""
    progress = visible.progress
    blocks = [
        section(
            f"*{escape(visible.candidate.name)}* · {escape(stage.title)} interview on "
            f"{date_token(visible.interview.starts_at)}\n"
            f"{progress.submitted} of {progress.expected} expected scorecards in"
        )
    ]
    if not visible.all_notes:
        blocks.append(context("Private notes are shown only to the hiring manager and admins."))
    blocks += lead
    for index, card in enumerate(visible.scorecards):
        content = [
            divider(),
            *scorecard_content_blocks(stage, qualities, card, show_author=True),
        ]
        # One block stays free for the note on what did not fit.
        if len(blocks) + len(content) > MAX_VIEW_BLOCKS - 1:
            left = len(visible.scorecards) - index
            blocks.append(context(f"… {left} more scorecard(s) are too long to show in this view."))
            break
        blocks += content
    if not visible.scorecards:
        blocks.append(section("_No scorecard has been submitted yet._"))
    return {
        "type": "modal",
        "title": plain("Scorecards"),
        "close": plain("Close"),
        "blocks": blocks,
    }


def _rating_text(score: int | None, unrated: str) -> str:
    return unrated if score is None else evidence_text(score)
