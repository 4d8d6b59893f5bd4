"""Block Kit for the insights: the team's message (hiring managers and admins), an
interviewer's own, and the App Home's calibration parts.

Figures stand in monospace tables beside the charts; every figure resting on fewer than
``bot.insights.SMALL`` observations says "small numbers" next to it. Text from a team's
kit (competency names, red flags, question ids) is clipped to its cell and escaped.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.insights import (
    LEAN_LABELS,
    MIN_LOOPS,
    MIN_SCORECARDS,
    SMALL,
    Calibration,
    Lean,
    OwnInsights,
    QuestionInsight,
    StageFunnel,
    TeamInsights,
    lean_words,
    signed,
)
from handlers.block_kit import Block, context, divider, header, packed_sections, section
from handlers.mrkdwn import clip_plain, date_token, escape

CELL = 28
TABLE_ROWS = 15
LINES = 15
SMALL_NOTE = "small numbers"
# A figure that cannot be computed (nothing to compute it from).
NONE = "n/a"
FOOTNOTE = (
    f"Figures from fewer than {SMALL} observations are marked _{SMALL_NOTE}_: they are "
    "shown, not findings. Offsets are shrunk towards the team's while there are few."
)


def table(headings: Sequence[str], rows: Sequence[Sequence[str]], limit: int = TABLE_ROWS) -> str:
    """A monospace table: cells clipped to ``CELL`` characters, then escaped."""
    shown = [[clip_plain(cell, CELL) for cell in row] for row in [headings, *rows[:limit]]]
    widths = [max(len(row[i]) for row in shown) for i in range(len(headings))]
    lines = [
        "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in shown
    ]
    more = f"\n_and {len(rows) - limit} more_" if len(rows) > limit else ""
    return "```\n" + escape("\n".join(lines)) + "\n```" + more


def _number(value: float | None, digits: int = 1) -> str:
    return NONE if value is None else f"{value:.{digits}f}"


def _percent(part: int, whole: int) -> str:
    return NONE if not whole else f"{round(100 * part / whole)}%"


def _small(count: int, threshold: int = SMALL) -> str:
    return f" ({SMALL_NOTE})" if count < threshold else ""


# ----------------------------------------------------------------- calibration


def lean_text(calibration: Calibration, *, own: bool = False) -> str:
    """The calibration's verdict, in bold when it leans either way, and its figures."""
    verdict, figures = lean_words(calibration, own=own)
    if calibration.lean in (Lean.LENIENT, Lean.HARSH):
        return f"*{verdict}*: {figures}"
    return f"{verdict} ({figures})" if calibration.lean == Lean.TOO_FEW else f"{verdict}: {figures}"


def recommendation_text(calibration: Calibration) -> str:
    n = calibration.scorecards
    matched = (
        f"matched the decision {calibration.matched} of {calibration.decided}"
        + _small(calibration.decided)
        if calibration.decided
        else "no decisions yet"
    )
    return (
        f"strong yes {_percent(calibration.strong_yes, n)}, strong no "
        f"{_percent(calibration.strong_no, n)} of {n} scorecards; {matched}"
    )


def competency_table(calibration: Calibration, *, own: bool) -> str:
    who = "You" if own else "Them"
    rows = [
        [
            f"{c.name}",
            str(c.ratings),
            _number(c.mean),
            _number(c.panel_mean),
            f"{signed(c.offset.value)} ±{c.offset.half_width:.1f}" if c.offset.count else NONE,
            SMALL_NOTE if c.small else LEAN_LABELS[c.lean],
        ]
        for c in calibration.competencies
    ]
    return table(("Competency", "Ratings", who, "Panel", "Offset (95%)", ""), rows)


def own_insights_message(insights: OwnInsights) -> tuple[str, list[Block]]:
    """An interviewer's monthly DM: their figures against their panels', nothing else."""
    blocks: list[Block] = [
        header("Your interviewing, in figures"),
        context(f"Only you see this. As of {date_token(insights.generated_at)}."),
    ]
    calibration = insights.calibration
    if calibration is None:
        text = (
            f"You have {insights.scorecards} scorecard{'' if insights.scorecards == 1 else 's'}: "
            f"your calibration starts at {MIN_SCORECARDS}."
        )
        return text, [*blocks, section(text)]
    summary = f"Over all competencies you {lean_text(calibration, own=True)}."
    blocks += [
        section(summary),
        section(f"Your recommendations: {recommendation_text(calibration)}."),
        section(competency_table(calibration, own=True)),
        context(
            "Offset: your rating minus the mean of the rest of the same panel, for the same "
            f"candidates. {FOOTNOTE} Nobody else is named or ranked here, nor anywhere."
        ),
    ]
    return summary.replace("*", ""), blocks


# ----------------------------------------------------------------- the team


def funnel_table(stages: Sequence[StageFunnel]) -> str:
    rows = [
        [
            s.title,
            str(s.entered),
            str(s.moved_on),
            str(s.stopped),
            str(s.still_in),
            _percent(s.moved_on, s.decided) + (" small" if s.small else ""),
            _number(s.median_days),
            _number(s.p90_days),
        ]
        for s in stages
    ]
    return table(
        ("Stage", "Entered", "Moved on", "Stopped", "Still in", "Converted", "Median d", "P90 d"),
        rows,
    )


def source_table(insights: TeamInsights) -> str | None:
    if len(insights.sources) < 2:
        return None
    stages = insights.funnel
    rows = []
    for source in insights.sources:
        counts = [s.by_source[source] for s in stages]
        row = [source or "(none given)", str(counts[0].entered if counts else 0)]
        for stage_counts in counts:
            decided = stage_counts.moved_on + stage_counts.stopped
            converted = (
                f"{stage_counts.moved_on}/{decided}"
                if decided < SMALL
                else _percent(stage_counts.moved_on, decided)
            )
            days = stage_counts.median_days
            row.append(converted + ("" if days is None else f" {days:.0f}d"))
        rows.append(row)
    return table(("Source", "Entered", *(s.title for s in stages)), rows)


def question_lines(questions: Sequence[QuestionInsight]) -> list[str]:
    return [
        f"• `{escape(q.question_key)}` ({escape(', '.join(f.value for f in q.flags))}): change "
        f"question `{escape(q.question_key)}` in `{escape(q.kit_file)}`"
        for q in questions
        if q.flags
    ]


def question_table(questions: Sequence[QuestionInsight]) -> str:
    rows = [
        [
            q.question_key,
            str(q.asked),
            str(q.not_asked),
            _number(q.mean),
            _number(q.spread),
            _number(q.passed_mean),
            _number(q.rejected_mean),
            NONE if q.rise is None else signed(q.rise),
            "" if q.judged else SMALL_NOTE,
        ]
        for q in questions
    ]
    return table(
        ("Question", "Loops", "Not asked", "Mean", "SD", "Moved on", "Rejected", "Drift", ""), rows
    )


def interviewer_lines(calibrations: Sequence[Calibration]) -> list[str]:
    lines = [
        f"• <@{c.interviewer_id}> {lean_text(c)}; {recommendation_text(c)}"
        for c in calibrations[:LINES]
    ]
    if len(calibrations) > LINES:
        lines.append(f"_and {len(calibrations) - LINES} more, in line or with few scorecards_")
    return lines


def team_summary(insights: TeamInsights) -> list[str]:
    """The findings, one line each: what the charts show, by name."""
    lines = []
    stop = insights.stop_stage
    if stop is not None:
        lines.append(
            f"Most candidates stop at *{escape(stop.title)}*: {stop.stopped} of "
            f"{stop.decided} decided there."
        )
    for c in insights.leaning:
        lines.append(f"<@{c.interviewer_id}> {lean_text(c)}.")
    for q in insights.flagged:
        lines.append(
            f"Question `{escape(q.question_key)}`: {escape(', '.join(f.value for f in q.flags))}."
        )
    return lines or ["Nothing stands out yet."]


def team_insights_message(insights: TeamInsights) -> tuple[str, list[Block]]:
    """The hiring manager's and admin's insights: findings first, then each table."""
    summary = team_summary(insights)
    blocks: list[Block] = [
        header("Hiring insights"),
        context(f"The whole history, as of {date_token(insights.generated_at)}. {FOOTNOTE}"),
        *packed_sections(["*What stands out*", *(f"• {line}" for line in summary)]),
        divider(),
        section("*Funnel*: candidates entering each stage, converted to the next, days there"),
        section(funnel_table(insights.funnel)),
    ]
    by_source = source_table(insights)
    if by_source:
        blocks += [
            section("*By source*: converted at each stage, and median days there"),
            section(by_source),
        ]
    blocks += [
        divider(),
        *packed_sections(
            [
                "*Interviewers*: each one's ratings against the rest of the same panels",
                *(interviewer_lines(insights.calibrations) or ["No scorecards yet."]),
            ]
        ),
    ]
    if insights.agreement:
        rows = [
            [
                f"{a.name}",
                NONE if a.alpha is None else f"{a.alpha:.2f}",
                str(a.pairable),
                SMALL_NOTE if a.small else "",
            ]
            for a in insights.agreement
        ]
        blocks += [
            section("*Agreement between panelists* (Krippendorff's alpha, ordinal; 1 is full)"),
            section(table(("Competency", "Alpha", "Ratings", ""), rows)),
        ]
    if insights.red_flags:
        rows = [
            [f.text, str(f.raised), str(f.rejected), SMALL_NOTE if f.small else ""]
            for f in insights.red_flags
        ]
        blocks += [
            section("*Red flags before rejections*: scorecards raising each, then rejected"),
            section(table(("Red flag", "Raised", "Rejected", ""), rows)),
        ]
    blocks.append(divider())
    if insights.questions:
        lines = question_lines(insights.questions) or [
            f"No question flagged (each is judged after {MIN_LOOPS} loops)."
        ]
        blocks += [
            *packed_sections(["*Questions*", *lines]),
            section(question_table(insights.questions)),
        ]
    else:
        blocks.append(section("*Questions*: no notes per question recorded yet."))
    text = "Hiring insights: " + " ".join(summary)
    return text.replace("*", ""), blocks
