"""Block Kit of the debrief summary, where `bot.feedback_access` decided the reader may see
it: *View summary*, the hiring manager's DM, the debrief pack. (What the thread hears as
scorecards arrive is ``handlers/scorecard_blocks.py``.)

Pure. Kit texts are team-edited, so they are escaped; nothing a person typed in a
scorecard (evidence, notes) appears here: *View scorecards* shows it, to those allowed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.debrief_summary import (
    DISAGREEMENT_SPREAD,
    MIN_SCORES_FOR_MEAN,
    ChangedRating,
    DebriefSummary,
    Disagreement,
    Figures,
    RatedItem,
)
from bot.debrief_summary_reads import SummarySoFar
from bot.kits import Competency, Quality
from handlers.block_kit import (
    Block,
    actions,
    button,
    context,
    packed_sections,
    plain,
    section,
)
from handlers.ids import Action
from handlers.mrkdwn import date_token, escape, escape_clipped
from handlers.refs import Ref, ref
from handlers.scorecard_reading_modal import SCALE
from storage.models import row_id

MINUS = "\N{MINUS SIGN}"
# How much of a kit's names and red flags a summary shows: enough to recognise them, little
# enough that a summary of the longest kit fits one message (the pack shows several).
NAME_SHOWN = 160
_FLAG_SHOWN = 300
# Changes after the debrief listed at most: a panel's handful, with room for the rest.
_CHANGES_SHOWN = 12
SCALE_NOTE = (
    "Competencies and qualities 1 no evidence to 4 exceptional; recommendations 1 strong no "
    f"to 4 strong yes. Mean to one decimal from {MIN_SCORES_FOR_MEAN} scores up, else the "
    f"scores themselves; spread = highest {MINUS} lowest. Evidence and notes are in "
    "*View scorecards*."
)
HIDDEN_NOTE = (
    "Ratings, red flags and evidence open to the interviewers once their own scorecard is "
    "in, and to the hiring manager and admins: feedback stays independent."
)
_HIDDEN_FROM_YOU = (
    "The ratings open to you once your own scorecard of this candidate is in: on a panel, "
    "everyone is an interviewer first."
)


def summary_dm(
    entry: SummarySoFar, stage_title: str, *, timelines: Sequence[Block] = ()
) -> tuple[str, list[Block]]:
    """The hiring manager's DM when a panel completes: the summary as the rule lets them
    see it (with the panel's incident ``timelines``), and the buttons to act on it."""
    candidate, interview = entry.candidate, entry.interview
    name = escape(candidate.name)
    text = f"The {_shown(stage_title)} panel for {name} is complete"
    head = (
        f"All {entry.progress.submitted} scorecards of *{name}*'s *{_shown(stage_title)}* "
        f"interview of {date_token(interview.starts_at)} are in."
    )
    blocks = [section(head)]
    if entry.summary is not None:
        blocks += [*summary_figures_blocks(entry.summary), context(SCALE_NOTE)]
    elif entry.ratings_hidden:
        blocks.append(section(_HIDDEN_FROM_YOU))
    blocks += timelines
    decide = ref(Ref.CANDIDATE, row_id(candidate))
    blocks.append(
        actions(
            button("Record decision", Action.RECORD_DECISION, decide, style="primary"),
            button("Schedule debrief", Action.SCHEDULE_DEBRIEF, decide),
            button(
                "View scorecards", Action.VIEW_SCORECARDS, ref(Ref.INTERVIEW, row_id(interview))
            ),
        )
    )
    return text, blocks


def summary_modal(
    entry: SummarySoFar, stage_title: str, *, timelines: Sequence[Block] = ()
) -> dict[str, Any]:
    """*View summary*: the debrief summary of one interview so far, for one reader, with
    the panel's incident ``timelines`` side by side."""
    progress = entry.progress
    blocks = [
        section(
            f"*{escape(entry.candidate.name)}* · {_shown(stage_title)} interview on "
            f"{date_token(entry.interview.starts_at)}\n"
            f"{progress.submitted} of {progress.expected} expected scorecards in"
        )
    ]
    if entry.summary is None:
        blocks.append(section("_No scorecard has been submitted yet._"))
    else:
        blocks += [*summary_figures_blocks(entry.summary), context(SCALE_NOTE)]
    blocks += timelines
    return {
        "type": "modal",
        "title": plain("Debrief summary"),
        "close": plain("Close"),
        "blocks": blocks,
    }


def summary_figures_blocks(summary: DebriefSummary) -> list[Block]:
    """What a summary says: recommendations, competencies, qualities, red flags,
    disagreements, and what the loop has not observed. The thread's summary and the
    debrief pack both show it."""
    blocks = [
        section(verdict_text(summary)),
        section(_recommendations(summary)),
        *packed_sections(
            [
                "*Competencies*",
                *(_item_line(item, "not assessed") for item in summary.competencies),
            ]
        ),
        *packed_sections(
            [
                "*Qualities in this interview*",
                *(_item_line(item, "not observed") for item in summary.qualities),
            ]
        ),
        *packed_sections(_red_flag_lines(summary)),
    ]
    if summary.disagreements:
        blocks += packed_sections(
            [
                f":warning: *Disagreements to discuss* (scores {DISAGREEMENT_SPREAD} or more "
                "apart)",
                *(_disagreement_line(found) for found in summary.disagreements),
            ]
        )
    changes = summary.changed_after_debrief
    if changes:
        more = len(changes) - _CHANGES_SHOWN
        blocks += packed_sections(
            [
                ":arrows_counterclockwise: *Changed after the debrief*, before → after (the "
                "reasons are in *View scorecards*)",
                *(_changed_line(changed) for changed in changes[:_CHANGES_SHOWN]),
                *([f"_and {more} more changes: see *View scorecards*_"] if more > 0 else []),
            ]
        )
    if summary.unassessed_competencies:
        blocks.append(section(unassessed_text(summary.unassessed_competencies)))
    blocks.append(section(unobserved_text(summary.unobserved_qualities)))
    if summary.edited_after_reading:
        people = ", ".join(f"<@{user_id}>" for user_id in summary.edited_after_reading)
        blocks.append(section(f":pencil2: *Edited after reading the others:* {people}"))
    return blocks


def verdict_text(summary: DebriefSummary) -> str:
    """The summary in one line: "Split 2 : 1 (yes : no) · Kubernetes serving 4 / 2 / 1"."""
    split = summary.split
    if split.divided:
        head = f":scales: *Split {split.yes} : {split.no}* (yes : no)"
    else:
        head = f"*Agreed {split.yes} : {split.no}* (yes : no)"
    apart = [
        f"{_shown(found.item.name)} {' / '.join(map(str, found.scores_high_first))}"
        for found in summary.disagreements
    ]
    if apart:
        return f"{head} · {', '.join(apart)}"
    return f"{head} · no scores {DISAGREEMENT_SPREAD} or more apart"


def _recommendations(summary: DebriefSummary) -> str:
    counts = " · ".join(f"{SCALE[score]} *{count}*" for score, count in summary.recommendations)
    line = f"*Recommendations:* {counts}"
    figures = summary.overall.figures
    if figures is not None:
        line += f"  ({_figures_text(figures)})"
    return line


def _item_line(item: RatedItem, unrated: str) -> str:
    figures = item.figures
    who = f"{unrated} by {', '.join(map(_mention, item.not_assessed_by))}"
    if figures is None:
        return f"• {_shown(item.name)}: _{who if item.not_assessed_by else unrated}_"
    aside = f" · _{who}_" if item.not_assessed_by else ""
    return f"• {_shown(item.name)}: {_figures_text(figures)}{aside}"


def _figures_text(figures: Figures) -> str:
    """ "mean *2.3* · spread 3 · scores 4, 2, 1", or with fewer scores than a mean needs,
    "scores *4, 2* · spread 2"."""
    listed = ", ".join(map(str, figures.scores))
    if figures.mean is None:
        return f"scores *{listed}* · spread {figures.spread}"
    return f"mean *{figures.mean}* · spread {figures.spread} · scores {listed}"


def _red_flag_lines(summary: DebriefSummary) -> Sequence[str]:
    if not summary.red_flags:
        return ["*Red flags:* none raised"]
    return [
        ":triangular_flag_on_post: *Red flags raised*",
        *(
            f"• {_shown(flag.text, _FLAG_SHOWN)}: {', '.join(map(_mention, flag.raised_by))}"
            for flag in summary.red_flags
        ),
    ]


def _disagreement_line(found: Disagreement) -> str:
    ranked = sorted(found.item.scores, key=lambda given: given[1], reverse=True)
    return f"• {_shown(found.item.name)}: " + ", ".join(
        f"{_mention(user)} {score}" for user, score in ranked
    )


def _changed_line(changed: ChangedRating) -> str:
    def shown(score: int | None) -> str:
        if score is None:
            return "not assessed"
        return f"{score} · {SCALE[score]}" if changed.overall else str(score)

    return (
        f"• {_mention(changed.interviewer_id)} · {_shown(changed.name)}: "
        f"{shown(changed.before)} → *{shown(changed.after)}*"
    )


def _mention(user_id: str) -> str:
    return f"<@{user_id}>"


def _shown(text: str, limit: int = NAME_SHOWN) -> str:
    return escape_clipped(text, limit)


def unassessed_text(competencies: Sequence[Competency]) -> str:
    """The competencies nobody on this panel rated: a gap, not a low score."""
    names = ", ".join(f"*{_shown(competency.name)}*" for competency in competencies)
    return (
        f":grey_question: *Nobody on the panel assessed:* {names}. There is no evidence "
        "either way: ask in the debrief or in a later interview."
    )


def unobserved_text(qualities: Sequence[Quality]) -> str:
    """Which qualities nobody in the whole loop has observed: worth knowing before an offer."""
    if not qualities:
        return "Every quality has been observed somewhere in the loop."
    names = ", ".join(f"*{_shown(quality.name)}*" for quality in qualities)
    return (
        f":eyes: *Not observed yet in the whole loop:* {names}. "
        "Nobody has rated these: decide knowingly before an offer."
    )
