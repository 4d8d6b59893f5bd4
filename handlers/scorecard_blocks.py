"""Block Kit of scorecards arriving: the thread's progress reply after each submission, its
note once the panel is complete (who, never what), and the hiring manager's DM about a
scorecard that came in after the decision.

Pure. Stage titles are team-edited, so they are escaped; nothing a person typed in a
scorecard appears here.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.kits import Stage
from bot.scorecards import Progress
from handlers.block_kit import Block, actions, button, context, header, section
from handlers.debrief_summary_blocks import HIDDEN_NOTE, NAME_SHOWN
from handlers.ids import Action
from handlers.mrkdwn import escape, escape_clipped
from handlers.refs import Ref, ref


def scorecard_progress_text(
    user_id: str, stage: Stage, progress: Progress, *, late: bool = False
) -> str:
    """ "<@U0ANA> submitted the *Technical* scorecard (2 of 3)", with "late, after the
    decision" for one that came in after the stage's decision."""
    when = " late, after the decision" if late else ""
    return (
        f"<@{user_id}> submitted the *{escape(stage.title)}* scorecard{when} "
        f"({progress.submitted} of {progress.expected})"
    )


def late_scorecard_dm(
    user_id: str, stage: Stage, candidate_name: str, interview_id: int
) -> tuple[str, list[Block]]:
    """The hiring manager's DM: evidence arrived after their decision."""
    text = (
        f"<@{user_id}> submitted a *{escape_clipped(stage.title, NAME_SHOWN)}* scorecard for "
        f"*{escape_clipped(candidate_name, NAME_SHOWN)}* after the decision"
    )
    return text, [
        section(f":hourglass: {text}. It is marked late; read it in case it changes anything."),
        actions(
            button("View scorecards", Action.VIEW_SCORECARDS, ref(Ref.INTERVIEW, interview_id))
        ),
    ]


def scorecard_progress_blocks(
    user_id: str, stage: Stage, progress: Progress, interview_id: int, *, late: bool = False
) -> list[Block]:
    return [
        section(scorecard_progress_text(user_id, stage, progress, late=late)),
        actions(
            button("View scorecards", Action.VIEW_SCORECARDS, ref(Ref.INTERVIEW, interview_id))
        ),
    ]


def panel_complete_text(stage_title: str, count: int, hiring_manager_id: str) -> str:
    """The notification text: who is asked, and for what."""
    title = escape_clipped(stage_title, NAME_SHOWN)
    return (
        f"<@{hiring_manager_id}> all {count} scorecards of the *{title}* interview are in: "
        "the panel is complete"
    )


def panel_complete_blocks(
    stage_title: str,
    interviewer_ids: Sequence[str],
    *,
    hiring_manager_id: str,
    candidate_id: int,
    interview_id: int,
) -> list[Block]:
    """The thread's note when the last expected scorecard is in: who submitted and what is
    next, never what anyone rated: a later interviewer reads the thread too. The summary
    opens from *View summary*, for those independent feedback allows."""
    panel = ", ".join(f"<@{user_id}>" for user_id in interviewer_ids)
    candidate = ref(Ref.CANDIDATE, candidate_id)
    interview = ref(Ref.INTERVIEW, interview_id)
    return [
        header(f"Panel complete · {stage_title}"),
        section(
            f"{panel_complete_text(stage_title, len(interviewer_ids), hiring_manager_id)} "
            f"({panel}).\n*Next:* <@{hiring_manager_id}> records a decision, after a debrief "
            "if the team holds one."
        ),
        actions(
            button("View summary", Action.VIEW_SUMMARY, interview, style="primary"),
            button("View scorecards", Action.VIEW_SCORECARDS, interview),
            button("Record decision", Action.RECORD_DECISION, candidate),
            button("Schedule debrief", Action.SCHEDULE_DEBRIEF, candidate),
        ),
        context(HIDDEN_NOTE),
    ]
