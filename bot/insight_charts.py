"""The insights as charts: what each of the three draws (``bot.charts.ChartData``), a
one-line summary to show with it and alt text for screen readers, figures included.

Figures resting on small numbers say so: in the summary, in an interviewer's legend entry
(under ``MIN_SCORECARDS`` scorecards) and on a question's bar (under ``MIN_LOOPS`` loops).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.charts import ChartData, ChartStyle, Series
from bot.insights import (
    MIN_LOOPS,
    Calibration,
    OwnInsights,
    QuestionFlag,
    QuestionInsight,
    TeamInsights,
    lean_words,
)

INTERVIEWERS_CHARTED = 6
QUESTIONS_CHARTED = 15


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{round(value * 100)}%"


@dataclass(frozen=True)
class Chart:
    """A chart to send: what to draw, a one-line summary shown with it, and alt text
    for screen readers that says what the picture shows, figures included."""

    key: str
    data: ChartData
    summary: str
    alt_text: str


def funnel_chart(insights: TeamInsights) -> Chart | None:
    stages = insights.funnel
    if not any(s.entered for s in stages):
        return None
    titles = [s.title for s in stages]
    stop = insights.stop_stage
    data = ChartData(
        title=f"Funnel: most candidates stop at {stop.title}"
        if stop
        else "Funnel: candidates per stage",
        x_label="Stage",
        y_label="Candidates",
        x=titles,
        series=(
            Series("Entered", [float(s.entered) for s in stages]),
            Series("Moved on", [float(s.moved_on) for s in stages]),
            Series("Stopped", [float(s.stopped) for s in stages]),
        ),
        style=ChartStyle.BARS,
    )
    summary = (
        f"Most candidates stop at {stop.title}: {stop.stopped} of {stop.decided} decided there."
        if stop
        else "No stage where most candidates stop"
        + (" (small numbers)." if all(s.small for s in stages) else ".")
    )
    parts = [
        f"{s.title}: {s.entered} entered, {s.moved_on} moved on, {s.stopped} stopped, "
        f"{s.still_in} still in"
        + (" (small numbers)" if s.small else f", {_percent(s.conversion)} converted")
        for s in stages
    ]
    return Chart(
        "funnel", data, summary, "Bar chart of the funnel. " + "; ".join(parts) + ". " + summary
    )


def calibration_chart(
    calibrations: Sequence[Calibration], names: Mapping[str, str], *, own: bool = False
) -> Chart | None:
    """Offsets per competency with their 95% intervals: each charted interviewer a series
    (``own``: the one reader, called "You")."""
    charted = [c for c in calibrations if c.competencies][:INTERVIEWERS_CHARTED]
    if not charted:
        return None
    keys: list[tuple[str, str]] = []
    labels: dict[tuple[str, str], str] = {}
    for calibration in charted:
        for competency in calibration.competencies:
            pair = (competency.stage_key, competency.competency_key)
            if pair not in labels:
                keys.append(pair)
                labels[pair] = competency.competency_key
    series = []
    lines = []
    for calibration in charted:
        by_key = {(c.stage_key, c.competency_key): c for c in calibration.competencies}
        name = "You" if own else names.get(calibration.interviewer_id, calibration.interviewer_id)
        if calibration.small:
            name = f"{name} (small numbers)"
        values: list[float] = []
        errors: list[float] = []
        for key in keys:
            rated = by_key.get(key)
            if rated is None or rated.offset.count == 0:
                values.append(0.0)
                errors.append(0.0)
                continue
            values.append(round(rated.offset.value, 2))
            errors.append(round(min(rated.offset.half_width, 3.0), 2))
        series.append(Series(name, values, errors))
        verdict, figures = lean_words(calibration, own=own)
        lines.append(f"{name} {verdict}, {figures}")
    data = ChartData(
        title="Calibration: rating minus the rest of the panel, per competency",
        x_label="Competency",
        y_label="Offset (points, 95% interval)",
        x=[labels[k] for k in keys],
        series=series,
        style=ChartStyle.BARS,
    )
    summary = "; ".join(lines) + "."
    alt = (
        "Bar chart of rating offsets against the rest of the panel, per competency, with "
        "95% intervals. "
        + " ".join(
            f"{s.name}: "
            + ", ".join(
                f"{x} {v:+.1f} (±{e:.1f})"
                for x, v, e in zip(data.x, s.values, s.errors or (), strict=True)
            )
            + "."
            for s in series
        )
    )
    return Chart("calibration", data, summary, alt)


def question_label(question: QuestionInsight) -> str:
    if not question.rated:
        return f"{question.question_key} [not asked]"
    if not question.judged:
        return f"{question.question_key} [{question.asked} loops: small numbers]"
    marks = {
        QuestionFlag.EVERYONE_PASSES: "all pass",
        QuestionFlag.NO_SPREAD: "no spread",
        QuestionFlag.DOES_NOT_SEPARATE: "no separation",
        QuestionFlag.DRIFTS_UP: "drifts up",
    }
    suffix = ", ".join(marks[f] for f in question.flags)
    return f"{question.question_key} [{suffix}]" if suffix else question.question_key


def question_chart(insights: TeamInsights) -> Chart | None:
    """Each question's ratings as shares of 100%, flagged questions first; a question never
    rated is an empty bar labelled so."""
    shown = [q for q in insights.questions if q.asked + q.not_asked][:QUESTIONS_CHARTED]
    if not shown:
        return None
    names = ("1 no evidence", "2 some", "3 solid", "4 exceptional")

    def percent(part: int, q: QuestionInsight) -> float:
        return round(100 * part / q.rated, 1) if q.rated else 0.0

    data = ChartData(
        title="Question spread: share of each rating",
        x_label="Question [flag]",
        y_label="Share of its ratings (%)",
        x=[question_label(q) for q in shown],
        series=[
            Series(name, [percent(q.counts[i], q) for q in shown]) for i, name in enumerate(names)
        ],
        style=ChartStyle.STACKED,
    )
    flagged = [q for q in shown if q.flags]
    if flagged:
        summary = "Flagged: " + "; ".join(
            f"{q.question_key} ({', '.join(f.value for f in q.flags)}) in {q.kit_file}"
            for q in flagged
        )
    elif any(q.judged for q in shown):
        summary = "No question flagged"
    else:
        summary = f"No question flagged: none asked in {MIN_LOOPS} loops yet (small numbers)"
    alt = "Stacked bar chart of each question's ratings. " + " ".join(
        f"{q.question_key}: asked in {q.asked} loops, not in {q.not_asked}, ratings 1 to 4: "
        f"{', '.join(str(n) for n in q.counts)}" + ("" if q.judged else " (small numbers)") + "."
        for q in shown
    )
    return Chart("questions", data, summary + ".", f"{alt} {summary}.")


def team_charts(insights: TeamInsights, names: Mapping[str, str]) -> list[Chart]:
    found = (
        funnel_chart(insights),
        calibration_chart(insights.calibrations, names),
        question_chart(insights),
    )
    return [chart for chart in found if chart is not None]


def own_charts(insights: OwnInsights) -> list[Chart]:
    if insights.calibration is None:
        return []
    chart = calibration_chart((insights.calibration,), {}, own=True)
    return [chart] if chart else []
