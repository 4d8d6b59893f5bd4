"""Block Kit of ``list``, ``find`` and ``salary``: ephemeral answers, pure functions.

A long pipeline stays within one message: lines are packed into sections of at most 3,000
characters, and past Slack's 50 blocks the rest is counted in a closing note.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.candidates import (
    PipelineGroup,
    days_in_stage,
    is_closed,
    level_name,
)
from bot.kits import Kits, SalaryTable
from bot.salary_lookup import SalaryQuery
from handlers.block_kit import SECTION_LIMIT, Block, context, header, section
from handlers.candidate_card import status_label
from handlers.candidate_thread import thread_link
from handlers.ids import COMMAND
from handlers.kit_blocks import salary_table_blocks
from handlers.mrkdwn import escape, escape_clipped
from storage.models import Candidate, CandidateStatus

MAX_BLOCKS = 50
# What a user typed, echoed back: enough to recognise it.
_QUERY_SHOWN = 80


def candidate_line(candidate: Candidate, kits: Kits, now: datetime) -> str:
    """One candidate in a list: name linking to the thread, number, level, time in stage."""
    name = escape(candidate.name)
    link = thread_link(candidate)
    parts = [f"*<{link}|{name}>*" if link else f"*{name}*", f"#{candidate.id}"]
    parts.append(escape(level_name(kits, candidate)))
    if is_closed(candidate):
        parts.append(
            f"{status_label(candidate)} at {escape(kits.stage_title(candidate.stage_key))}"
        )
    else:
        parts.append(_days(days_in_stage(candidate, now)))
        if candidate.status != CandidateStatus.ACTIVE:
            parts.append(status_label(candidate))
    if not link:
        parts.append("_card not posted yet_")
    return "• " + " · ".join(parts)


def pipeline_blocks(
    groups: Sequence[PipelineGroup], kits: Kits, now: datetime, *, include_closed: bool
) -> list[Block]:
    open_count = sum(
        len(group.candidates) for group in groups if not is_closed(group.candidates[0])
    )
    noun = "candidate" if open_count == 1 else "candidates"
    blocks: list[Block] = [header(f"Pipeline: {open_count} open {noun}")]
    if not groups:
        blocks.append(section(f"Nobody yet. Add a candidate with `{COMMAND} new`."))
    parts = [
        (f"*{escape(group.title)}* ({len(group.candidates)})", group.candidates) for group in groups
    ]
    footer = (
        "Days count from when each candidate entered their stage."
        if include_closed
        else f"Days count from when each candidate entered their stage. "
        f"`{COMMAND} list all` adds closed candidates."
    )
    return blocks + _packed(parts, kits, now, MAX_BLOCKS - len(blocks) - 1) + [context(footer)]


def pipeline_text(groups: Sequence[PipelineGroup]) -> str:
    """The fallback text: the counts per heading."""
    counts = ", ".join(f"{escape(g.title)} {len(g.candidates)}" for g in groups)
    return f"Pipeline: {counts}" if counts else "Pipeline: no candidates yet"


def find_blocks(
    query: str, candidates: Sequence[Candidate], kits: Kits, now: datetime
) -> list[Block]:
    shown = escape_clipped(query, _QUERY_SHOWN)
    if not candidates:
        return [
            section(f"No candidate's name contains “{shown}”. `{COMMAND} list all` shows everyone.")
        ]
    noun = "candidate matches" if len(candidates) == 1 else "candidates match"
    heading = f"*{len(candidates)} {noun} “{shown}”*"
    return _packed([(heading, candidates)], kits, now, MAX_BLOCKS)


def find_text(query: str, candidates: Sequence[Candidate]) -> str:
    return f"{len(candidates)} found for “{escape_clipped(query, _QUERY_SHOWN)}”"


def salary_blocks(salary: SalaryTable, query: SalaryQuery) -> list[Block]:
    """The benchmark table cut to the regions and level asked for; for words that match
    nothing, what there is to choose from."""
    if query.unknown_region is None:
        regions = salary.model_copy(update={"regions": query.regions})
        return salary_table_blocks(regions, level_key=query.level.key if query.level else None)
    choices = "\n".join(
        f"• {escape(region.name)}: `{region.key.replace('_', ' ')}`" for region in salary.regions
    )
    levels = ", ".join(f"`{level.key}` ({escape(level.name)})" for level in salary.levels)
    return [
        section(
            f":warning: No salary region matches "
            f"“{escape_clipped(query.unknown_region, _QUERY_SHOWN)}”.\n"
            f"Regions (a word of the name is enough, e.g. `london`, `uk`, `nyc`):\n{choices}\n"
            f"Levels: {levels}\nFor example `{COMMAND} salary london senior`."
        )
    ]


def salary_text(salary: SalaryTable, query: SalaryQuery) -> str:
    if query.unknown_region is not None:
        return f"No salary region matches “{escape_clipped(query.unknown_region, _QUERY_SHOWN)}”"
    return escape(salary.title)


def _days(days: int) -> str:
    if days == 0:
        return "entered today"
    return f"{days} day in stage" if days == 1 else f"{days} days in stage"


def _packed(
    parts: Sequence[tuple[str, Sequence[Candidate]]], kits: Kits, now: datetime, budget: int
) -> list[Block]:
    """Each heading with its candidates' lines, in sections of at most 3,000 characters and
    at most ``budget`` blocks; what does not fit is counted in a note, the last block."""
    texts: list[str] = []
    total = sum(len(candidates) for _, candidates in parts)
    shown = 0
    for heading, candidates in parts:
        pieces = [heading, *(candidate_line(c, kits, now) for c in candidates)]
        for index, piece in enumerate(pieces):
            if index > 0 and len(texts[-1]) + 1 + len(piece) <= SECTION_LIMIT:
                texts[-1] += "\n" + piece
            elif len(texts) < budget - 1:
                texts.append(piece)
            else:
                if index == 1:
                    texts.pop()  # a heading with none of its lines
                note = (
                    f"… {total - shown} more not shown: the message would be too long for "
                    f"Slack. `{COMMAND} find jane` narrows it down."
                )
                return [*map(section, texts), context(note)]
            shown += index > 0
    return [section(text) for text in texts]
