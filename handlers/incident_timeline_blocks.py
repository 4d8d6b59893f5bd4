"""Block Kit of incident timelines: on the scorecard (the interviewer's own, and as the
evidence it starts from), and side by side for the panel in the debrief summary (*View
summary* and the hiring manager's DM) and in *View scorecards*.

Pure. What the candidate said (hypotheses) and the interviewer's notes are typed text:
escaped and clipped wherever mrkdwn shows them, and shown only where the caller passes
``with_text`` (a DM of figures never does).
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.incident_timeline import Entry, Timeline, clock_text
from handlers.block_kit import FIELD_LIMIT, MAX_FIELDS, Block, fields, packed_sections, section
from handlers.mrkdwn import clip, clip_plain, escape, escape_clipped

MESSAGE_BUDGET = 3000
"""Characters the panel's timelines take at most in a message beside the summary's
figures (the hiring manager's DM): Slack allows 12,000 in all."""
_STATEMENT_LIMIT = 300  # one hypothesis or note in a side-by-side column


def timeline_figures(timeline: Timeline) -> list[str]:
    """The run in figures, one mrkdwn line each: what the scorecard and summary lead with."""
    first = timeline.first_hypothesis_after
    found = timeline.root_cause_after
    lines = [
        f"Scenario: _{escape(timeline.scenario_title)}_",
        "First hypothesis: " + (f"`{clock_text(first)}`" if first is not None else "_none logged_"),
        f"Asked for ({len(timeline.asked_for)}): {_names(timeline.asked_for)}",
        f"Handed over ({len(timeline.handed_over)}): {_names(timeline.handed_over)}",
    ]
    if timeline.unrevealed:
        lines.append(f"Not revealed: {_names(timeline.unrevealed)}")
    lines.append(
        f"Root cause: found at `{clock_text(found)}`"
        if found is not None
        else "Root cause: _not found_"
    )
    return lines


def own_timeline_blocks(timeline: Timeline) -> list[Block]:
    """The interviewer's own timeline at the top of their scorecard."""
    lines = [
        ":stopwatch: *Your incident run*",
        *timeline_figures(timeline),
        *_statement_lines("Hypotheses, in order", timeline.hypotheses),
    ]
    return packed_sections(lines)


def panel_timelines_blocks(
    timelines: Sequence[Timeline], *, with_text: bool, budget: int = MAX_FIELDS * FIELD_LIMIT
) -> list[Block]:
    """Each panelist's timeline in a column of its own, side by side, all columns within
    ``budget`` characters."""
    if not timelines:
        return []
    shown = timelines[:MAX_FIELDS]
    width = min(FIELD_LIMIT, budget // len(shown))
    columns = []
    for timeline in shown:
        lines = [f"*<@{timeline.interviewer_id}>*", *timeline_figures(timeline)]
        if with_text:
            lines += _statement_lines("Hypotheses", timeline.hypotheses)
            lines += _statement_lines("Notes", timeline.notes)
        columns.append(_fit(lines, width))
    return [section(":stopwatch: *Incident runs, side by side*"), fields(*columns)]


def timeline_evidence(timeline: Timeline, limit: int) -> str:
    """The run as plain text for the scorecard's evidence field, which it starts from."""
    first = timeline.first_hypothesis_after
    found = timeline.root_cause_after
    lines = [
        f"Incident: {timeline.scenario_title}",
        "Time to first hypothesis: " + (clock_text(first) if first is not None else "none logged"),
        f"Asked for ({len(timeline.asked_for)}): {', '.join(timeline.asked_for) or 'none'}",
        f"Handed over ({len(timeline.handed_over)}): {', '.join(timeline.handed_over) or 'none'}",
        "Root cause: " + (f"found at {clock_text(found)}" if found is not None else "not found"),
    ]
    for title, entries in (("Hypotheses", timeline.hypotheses), ("Notes", timeline.notes)):
        if entries:
            lines.append(f"{title}:")
            lines += [f"- {clock_text(entry.elapsed)} {entry.text or ''}" for entry in entries]
    return clip_plain("\n".join(lines), limit)


def _statement_lines(title: str, entries: Sequence[Entry]) -> list[str]:
    if not entries:
        return []
    return [
        f"*{title}*",
        *(
            f"`{clock_text(entry.elapsed)}` {escape_clipped(entry.text or '', _STATEMENT_LIMIT)}"
            for entry in entries
        ),
    ]


def _names(labels: Sequence[str]) -> str:
    return ", ".join(escape(label) for label in labels) or "_none_"


def _fit(lines: Sequence[str], limit: int) -> str:
    """Whole lines up to ``limit`` characters; an ellipsis line says some were left out.
    A first line longer than ``limit`` is clipped (safely, never inside an entity)."""
    kept: list[str] = []
    size = 0
    for line in lines:
        if size + len(line) + 1 > limit - 2:
            kept.append("…" if kept else clip(line, limit))
            break
        kept.append(line)
        size += len(line) + 1
    return "\n".join(kept)
