"""The daily digest as a Slack message and as terminal text: pure functions of a
``Digest`` and the links to the candidates' threads.

One section block per part of the digest, each cut to fit Slack's 3,000 characters with
"… and N more", so that a pipeline of any size stays far below the 50-block limit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bot.digest import Digest, MeetingKind, PipelineLine, Section, StageCount
from handlers.block_kit import MESSAGE_TEXT_LIMIT, Block, header, section
from handlers.mrkdwn import date_token, escape
from storage.digest import CandidateRow

MAX_BLOCKS = 50
# Under Slack's 3,000 characters per section text, leaving room for the "more" line.
SECTION_CHARS = 2800
# "\n_… and 9999 more_"
_MORE_LINE = 24
OUTCOME_WORDS = {
    "advance": "advanced",
    "reject": "rejected",
    "offer": "offer made",
    "hold": "on hold",
    "hired": "hired",
    "withdrawn": "withdrew",
}


@dataclass(frozen=True)
class _Style:
    """How a line names people, candidates and times, and shows team-edited text (stage
    titles): mrkdwn for Slack, plain for a terminal."""

    user: Callable[[str], str]
    candidate: Callable[[CandidateRow], str]
    when: Callable[[datetime], str]
    heading: Callable[[str], str]
    text: Callable[[str], str]


def _slack_candidate(row: CandidateRow) -> str:
    name = escape(row.name)
    return f"<{row.permalink}|{name}>" if row.permalink else name


def _plain_candidate(row: CandidateRow) -> str:
    return f"{row.name} ({row.permalink})" if row.permalink else row.name


SLACK_STYLE = _Style(
    user=lambda user_id: f"<@{user_id}>",
    candidate=_slack_candidate,
    when=date_token,
    heading=lambda text: f"*{text}*",
    text=escape,
)
PLAIN_STYLE = _Style(
    user=lambda user_id: f"@{user_id}",
    candidate=_plain_candidate,
    when=lambda moment: moment.astimezone(UTC).strftime("%a %d %b %H:%M UTC"),
    heading=lambda text: text,
    text=lambda text: text,
)


def _title(digest: Digest) -> str:
    return f"Hiring digest · {digest.day:%A %d %B}"


def digest_summary(digest: Digest) -> str:
    """The notification text: a line of counts."""
    if digest.is_empty:
        return f"{_title(digest)}: nothing pending."
    counts: list[tuple[Section[Any], str, str]] = [
        (digest.overdue, "overdue scorecard", "overdue scorecards"),
        (digest.waiting, "candidate waiting for a decision", "candidates waiting for a decision"),
        (digest.idle, "idle candidate", "idle candidates"),
        (digest.today, "meeting today", "meetings today"),
    ]
    open_candidates = sum(stage.total for stage in digest.stages)
    parts = [
        f"{n} {one if n == 1 else many}"
        for listed, one, many in counts
        if (n := len(listed.items) + listed.more)
    ] or ["nothing overdue"]
    pipeline = f"{open_candidates} open candidate{'' if open_candidates == 1 else 's'}"
    return f"{_title(digest)}: {pipeline}; {', '.join(parts)}."


def _parts(digest: Digest, style: _Style) -> list[tuple[str, list[str], int]]:
    """``(heading, lines, more)`` of each part of the digest that has something to say:
    what asks for action first, then today, then the pipeline stage by stage."""
    parts: list[tuple[str, list[str], int]] = [_overdue(digest.overdue, style)]
    parts.append(
        (
            "Waiting for a decision",
            [
                f"• {style.candidate(w.candidate)} · {style.text(w.stage_title)} · ready since "
                f"{style.when(w.since)}"
                for w in digest.waiting.items
            ],
            digest.waiting.more,
        )
    )
    parts.append(
        (
            "Idle for more than 5 working days",
            [
                f"• {style.candidate(i.candidate)} · {style.text(i.stage_title)} · last activity "
                f"{style.when(i.last_activity_at)}"
                for i in digest.idle.items
            ],
            digest.idle.more,
        )
    )
    parts.append(
        (
            "Today",
            [
                f"• {style.when(m.starts_at)} {style.text(m.stage_title)} "
                f"{'interview' if m.kind == MeetingKind.INTERVIEW else 'debrief'}: "
                f"{style.candidate(m.candidate)} with {', '.join(map(style.user, m.people))}"
                for m in digest.today.items
            ],
            digest.today.more,
        )
    )
    parts += [_stage(stage, style) for stage in digest.stages]
    parts.append(
        (
            "Decisions since the last digest",
            [
                f"• {style.candidate(d.candidate)}: {OUTCOME_WORDS.get(d.outcome, d.outcome)} "
                f"after {style.text(d.stage_title)}, by {style.user(d.decided_by)}"
                for d in digest.decisions.items
            ],
            digest.decisions.more,
        )
    )
    if digest.timeliness is not None:
        team = digest.timeliness
        parts.append(
            (
                "Scorecards on time, last 30 days",
                [f"The team: {team.percent}% in on time ({team.on_time} of {team.owed})"],
                0,
            )
        )
    return [part for part in parts if part[1]]


def _stage(stage: StageCount, style: _Style) -> tuple[str, list[str], int]:
    """A stage's heading with its counts, and its first candidates."""
    extra = [f"{n} {word}" for n, word in ((stage.on_hold, "on hold"), (stage.offer, "offer")) if n]
    heading = f"{style.text(stage.title)} · {stage.total}" + (
        f" ({', '.join(extra)})" if extra else ""
    )
    return heading, [_pipeline_line(line, style) for line in stage.listed], stage.more


def _pipeline_line(line: PipelineLine, style: _Style) -> str:
    days = f"{line.days_in_stage} day{'' if line.days_in_stage == 1 else 's'} in stage"
    step = style.text(line.next_step.text)
    if line.next_step.at is not None:
        step += f" {style.when(line.next_step.at)}"
    return f"• {style.candidate(line.candidate)} · {style.text(line.level)} · {days} · next: {step}"


def _overdue(section: Section[Any], style: _Style) -> tuple[str, list[str], int]:
    by_person: dict[str, list[str]] = {}
    for line in section.items:
        due = style.when(line.due_at)
        by_person.setdefault(line.interviewer_id, []).append(
            f"{style.candidate(line.candidate)} ({style.text(line.stage_title)}, due {due})"
        )
    lines = [f"• {style.user(user)}: {'; '.join(items)}" for user, items in by_person.items()]
    return "Overdue scorecards", lines, section.more


def _fitted(heading: str, lines: list[str], more: int, chars: int) -> str:
    """Heading and lines within ``chars``; lines that do not fit join ``more``."""
    text = heading
    for index, line in enumerate(lines):
        if len(text) + 1 + len(line) > chars:
            more += len(lines) - index
            break
        text += "\n" + line
    if more:
        text += f"\n_… and {more} more_"
    return text


def _budgets(wanted: Sequence[int], total: int) -> list[int]:
    """Characters for each part: all it wants when the message has room, else an equal share
    with what the shorter parts leave over going to the longer ones."""
    budgets = [0] * len(wanted)
    left, open_parts = total, sorted(range(len(wanted)), key=lambda i: wanted[i])
    while open_parts:
        share = left // len(open_parts)
        index = open_parts.pop(0)
        budgets[index] = min(wanted[index], share, SECTION_CHARS)
        left -= budgets[index]
    return budgets


def digest_blocks(digest: Digest) -> list[Block]:
    """The digest message; each candidate's name links to their thread."""
    if digest.is_empty:
        return [section(f"*{_title(digest)}*: nothing pending.")]
    style = SLACK_STYLE
    blocks: list[Block] = [header(_title(digest))]
    parts = _parts(digest, style)[: MAX_BLOCKS - 1]
    # The heading's "more" line and the header's text come out of Slack's total too.
    room = MESSAGE_TEXT_LIMIT - len(_title(digest)) - len(parts) * _MORE_LINE
    wanted = [
        len(heading) + sum(len(line) + 1 for line in lines) + 5 for heading, lines, _ in parts
    ]
    blocks += [
        section(_fitted(style.heading(heading), lines, more, chars))
        for (heading, lines, more), chars in zip(parts, _budgets(wanted, room), strict=True)
    ]
    return blocks


def digest_text(digest: Digest) -> str:
    """The digest for a terminal: the same parts, plain text, times in UTC."""
    if digest.is_empty:
        return f"{_title(digest)}: nothing pending."
    parts = [_title(digest)]
    for heading, lines, more in _parts(digest, PLAIN_STYLE):
        parts.append("\n".join([heading, *lines, *([f"… and {more} more"] if more else [])]))
    return "\n\n".join(parts)
