"""Block Kit of scorecards arriving in the candidate's thread: the progress reply after
each submission (who, never what), and the debrief summary once the panel is complete.

Pure. Kit texts are team-edited, so they are escaped; nothing a person typed in a
scorecard (evidence, notes) appears here: *View scorecards* shows it, to those allowed.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.debrief_summary import DebriefSummary, Disagreement, RatedItem
from bot.kits import Quality, Stage
from bot.scorecards import Progress
from handlers.block_kit import (
    Block,
    actions,
    button,
    context,
    header,
    packed_sections,
    section,
)
from handlers.ids import Action
from handlers.mrkdwn import escape, escape_clipped
from handlers.refs import Ref, ref
from handlers.scorecard_view_modal import SCALE

MINUS = "\N{MINUS SIGN}"
# How much of a kit's names and red flags a summary shows: enough to recognise them, little
# enough that a summary of the longest kit fits one message (the pack shows several).
_NAME_SHOWN = 160
_FLAG_SHOWN = 300
SCALE_NOTE = (
    f"Scores 1 strong no to 4 strong yes. Mean to one decimal; spread = highest {MINUS} "
    "lowest. Evidence and notes are in *View scorecards*."
)


def scorecard_progress_text(user_id: str, stage: Stage, progress: Progress) -> str:
    """ "<@U0ANA> submitted the *Technical* scorecard (2 of 3)"."""
    return (
        f"<@{user_id}> submitted the *{escape(stage.title)}* scorecard "
        f"({progress.submitted} of {progress.expected})"
    )


def scorecard_progress_blocks(
    user_id: str, stage: Stage, progress: Progress, interview_id: int
) -> list[Block]:
    return [
        section(scorecard_progress_text(user_id, stage, progress)),
        actions(
            button("View scorecards", Action.VIEW_SCORECARDS, ref(Ref.INTERVIEW, interview_id))
        ),
    ]


def debrief_summary_text(summary: DebriefSummary, hiring_manager_id: str) -> str:
    """The notification text: who is asked, and for what."""
    return (
        f"<@{hiring_manager_id}> all {len(summary.interviewer_ids)} scorecards of the "
        f"*{escape(summary.stage.title)}* interview are in: debrief summary"
    )


def debrief_summary_blocks(
    summary: DebriefSummary,
    *,
    hiring_manager_id: str,
    candidate_id: int,
    interview_id: int,
) -> list[Block]:
    """The summary posted in the thread when the last expected scorecard is in."""
    panel = ", ".join(f"<@{user_id}>" for user_id in summary.interviewer_ids)
    blocks = [
        header(f"Debrief summary · {summary.stage.title}"),
        section(
            f"{debrief_summary_text(summary, hiring_manager_id)} ({panel}). "
            "Talk it through, then record a decision."
        ),
        *summary_figures_blocks(summary),
    ]
    candidate = ref(Ref.CANDIDATE, candidate_id)
    blocks += [
        actions(
            button("Record decision", Action.RECORD_DECISION, candidate, style="primary"),
            button("Schedule debrief", Action.SCHEDULE_DEBRIEF, candidate),
            button("View scorecards", Action.VIEW_SCORECARDS, ref(Ref.INTERVIEW, interview_id)),
        ),
        context(SCALE_NOTE),
    ]
    return blocks


def summary_figures_blocks(summary: DebriefSummary) -> list[Block]:
    """What a summary says: recommendations, competencies, qualities, red flags,
    disagreements, and what the loop has not observed. The thread's summary and the
    debrief pack both show it."""
    blocks = [
        section(_recommendations(summary)),
        *packed_sections(
            ["*Competencies*", *(_item_line(item, "no scores") for item in summary.competencies)]
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
                ":warning: *Disagreements to discuss* (a strong yes beside a no)",
                *(_disagreement_line(found) for found in summary.disagreements),
            ]
        )
    blocks.append(section(unobserved_text(summary.unobserved_qualities)))
    return blocks


def _recommendations(summary: DebriefSummary) -> str:
    counts = " · ".join(f"{SCALE[score]} *{count}*" for score, count in summary.recommendations)
    line = f"*Recommendations:* {counts}"
    figures = summary.overall.figures
    if figures is not None:
        line += f"  (mean {figures.mean} · spread {figures.spread})"
    return line


def _item_line(item: RatedItem, unrated: str) -> str:
    figures = item.figures
    if figures is None:
        return f"• {_shown(item.name)}: _{unrated}_"
    scores = ", ".join(str(score) for score in figures.scores)
    return (
        f"• {_shown(item.name)}: mean *{figures.mean}* · spread {figures.spread} · scores {scores}"
    )


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
    high = ", ".join(f"<@{user}>" for user in found.strong_yes_by)
    low = ", ".join(f"<@{user}> {score}" for user, score in found.low_by)
    return f"• {_shown(found.item.name)}: 4 from {high}; {low}"


def _mention(user_id: str) -> str:
    return f"<@{user_id}>"


def _shown(text: str, limit: int = _NAME_SHOWN) -> str:
    return escape_clipped(text, limit)


def unobserved_text(qualities: Sequence[Quality]) -> str:
    """Which qualities nobody in the whole loop has observed: worth knowing before an offer."""
    if not qualities:
        return "Every quality has been observed somewhere in the loop."
    names = ", ".join(f"*{_shown(quality.name)}*" for quality in qualities)
    return (
        f":eyes: *Not observed yet in the whole loop:* {names}. "
        "Nobody has rated these: decide knowingly before an offer."
    )
