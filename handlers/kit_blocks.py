"""Block Kit for the interview kits: the question set, the interviewer's kit, salaries.

Pure functions from `bot.kits` objects to Slack blocks. Kit text is team-edited, so all
of it is escaped, and every message stays within Slack's limits however long a team
makes its kit: text is packed into sections of at most 3,000 characters, and what does
not fit in the block budget is cut from the end of its part with a "… N more" note
(in practice only a very long custom stage loses its last questions).
"""

from collections.abc import Sequence
from typing import Any

from bot.kits import Quality, Question, SalaryTable, Stage
from handlers.mrkdwn import escape, escape_clipped

Block = dict[str, Any]

MAX_BLOCKS = 45
"""Blocks a kit message uses at most. Slack allows 50; the rest is for the caller's own
blocks (a link to the candidate's thread, a *Submit scorecard* button)."""

_SECTION_LIMIT = 3000
# One escaped text is cut to this, so that with its label it always fits in a section.
_TEXT_LIMIT = 2000
# Block budgets of the parts that come after the questions. Only texts swollen by
# escaping reach them; the questions get whatever the message has left.
_RED_FLAG_BLOCKS = 4
_COMPETENCY_BLOCKS = 8
_QUALITY_BLOCKS = 8

_SCALE = "Scorecard scale: *1* strong no · *2* no · *3* yes · *4* strong yes. No neutral middle."
# Ranges (1 to 4, $150k to $180k) take an en dash, named because ruff flags the literal.
_DASH = "\N{EN DASH}"
_COMPETENCIES = f"*Competencies to rate, 1{_DASH}4*"


def question_set_blocks(stage: Stage) -> list[Block]:
    """The stage's question set, posted in a candidate's thread when they enter the stage."""
    competencies = [[f"• *{_shown(competency.name)}*"] for competency in stage.competencies]
    tail = [
        _divider(),
        *_red_flag_blocks(stage),
        *_packed(_COMPETENCIES, competencies, "\n", _COMPETENCY_BLOCKS, "competency"),
        _context(_SCALE),
    ]
    return _with_questions(stage, f"{stage.title} · {stage.duration_minutes} min", tail)


def interview_kit_blocks(stage: Stage, qualities: Sequence[Quality]) -> list[Block]:
    """An interviewer's kit, sent by DM: the question set, what a 1 and a 4 look like for
    each competency, and the qualities every scorecard rates."""
    competencies = [
        [
            f"*{_shown(competency.name)}*",
            f"_A 1 looks like:_ {_shown(competency.one)}",
            f"_A 4 looks like:_ {_shown(competency.four)}",
        ]
        for competency in stage.competencies
    ]
    quality_items = [
        [
            f"*{_shown(quality.name)}*",
            _shown(quality.description),
            f"_A 1 looks like:_ {_shown(quality.one)}",
            f"_A 4 looks like:_ {_shown(quality.four)}",
        ]
        for quality in qualities
    ]
    tail = [
        _divider(),
        *_red_flag_blocks(stage),
        *_packed(_COMPETENCIES, competencies, "\n\n", _COMPETENCY_BLOCKS, "competency"),
        _divider(),
        *_packed(
            f"*Qualities to look for* (rate each 1{_DASH}4, or _not observed_)",
            quality_items,
            "\n\n",
            _QUALITY_BLOCKS,
            "quality",
        ),
        _context(f"{_SCALE} Submit your scorecard before you read anyone else's."),
    ]
    header = f"Interview kit: {stage.title} · {stage.duration_minutes} min"
    return _with_questions(stage, header, tail)


def salary_table_blocks(
    salary: SalaryTable, *, region_key: str | None = None, level_key: str | None = None
) -> list[Block]:
    """The salary benchmarks, optionally only one region and/or one level.

    An unknown key shows what the valid keys are instead of an empty table.
    """
    regions = [region for region in salary.regions if region_key in (None, region.key)]
    levels = [level for level in salary.levels if level_key in (None, level.key)]
    blocks = [_header(salary.title)]
    if regions and levels:
        blocks += [
            {
                "type": "section",
                "text": _mrkdwn(f"*{_shown(region.name)}*"),
                "fields": [
                    _mrkdwn(f"*{_shown(level.name)}*\n{_money_range(region.symbol, band)}")
                    for level in levels
                    if (band := region.band(level.key))
                ],
            }
            for region in regions
        ]
    else:
        lines = []
        if not regions:
            keys = ", ".join(f"`{region.key}`" for region in salary.regions)
            lines.append(f"No salary benchmark for region `{_shown(region_key or '', 100)}`.")
            lines.append(f"Regions: {keys}")
        if not levels:
            keys = ", ".join(f"`{level.key}`" for level in salary.levels)
            lines.append(f"No salary benchmark for level `{_shown(level_key or '', 100)}`.")
            lines.append(f"Levels: {keys}")
        blocks.append(_section("\n".join(lines)))
    blocks.append(_context(_shown(salary.note), f"Source: {_shown(salary.source)}"))
    return blocks


def salary_text(salary: SalaryTable, region_key: str, level_key: str) -> str | None:
    """The base band for the candidate card, such as "$150k" to "$180k" followed by "base";
    None if the table has no such region or level (an "Other" location, say)."""
    region = salary.region(region_key)
    band = region.band(level_key) if region else None
    if region is None or band is None:
        return None
    return f"{_money_range(region.symbol, band)} base"


def _with_questions(stage: Stage, header: str, tail: list[Block]) -> list[Block]:
    head = [_header(header), _section(f"*Goal:* {_shown(stage.goal)}"), _divider()]
    budget = MAX_BLOCKS - len(head) - len(tail)
    items = _question_items(stage.questions)
    heading = "" if stage.questions[0].section else "*Questions*"
    return [*head, *_packed(heading, items, "\n\n", budget, "question"), *tail]


def _question_items(questions: Sequence[Question]) -> list[list[str]]:
    items = []
    section = None
    for number, question in enumerate(questions, start=1):
        lines = []
        if question.section and question.section != section:
            lines.append(f"*{_shown(question.section)}*")
        section = question.section
        lines.append(f"*{number}.* {_shown(question.prompt)}")
        lines.append(f"_What good looks like:_ {_shown(question.strong_answer)}")
        if question.follow_ups:
            lines.append("_Follow-ups:_")
            lines += [f"• {_shown(follow_up)}" for follow_up in question.follow_ups]
        items.append(lines)
    return items


def _red_flag_blocks(stage: Stage) -> list[Block]:
    items = [
        [f"• {_shown(flag.text)} — _suggests {_shown(flag.suggests)}_"] for flag in stage.red_flags
    ]
    return _packed("*Red flags to listen for*", items, "\n", _RED_FLAG_BLOCKS, "red flag")


_PLURALS = {
    "competency": "competencies",
    "quality": "qualities",
    "question": "questions",
    "red flag": "red flags",
}


def _packed(
    heading: str, items: Sequence[Sequence[str]], gap: str, budget: int, noun: str
) -> list[Block]:
    """Sections holding `heading` and `items` (each a list of lines) in `budget` blocks.

    Items are packed greedily, `gap` between two of them; those that do not fit are
    dropped from the end and counted in a context note that takes the last block.
    """
    texts: list[str] = []
    for index, item in enumerate(items):
        lines = [heading, *item] if index == 0 and heading else list(item)
        grown = _append(texts, lines, gap)
        last = index == len(items) - 1
        if len(grown) > (budget if last else budget - 1):
            left = len(items) - index
            word = noun if left == 1 else _PLURALS[noun]
            note = f"_… {left} more {word} not shown: the message would be too long for Slack._"
            return [*map(_section, texts), _context(note)]
        texts = grown
    return [_section(text) for text in texts]


def _append(texts: list[str], lines: Sequence[str], gap: str) -> list[str]:
    """`texts` with `lines` added: after the last text if they fit, else in a block of
    their own; only an item longer than a block is split, between two lines."""
    whole = "\n".join(lines)
    if texts and len(texts[-1]) + len(gap) + len(whole) <= _SECTION_LIMIT:
        return [*texts[:-1], texts[-1] + gap + whole]
    if len(whole) <= _SECTION_LIMIT:
        return [*texts, whole]
    texts = [*texts, lines[0]]
    for line in lines[1:]:
        if len(texts[-1]) + 1 + len(line) <= _SECTION_LIMIT:
            texts[-1] += "\n" + line
        else:
            texts.append(line)
    return texts


def _shown(text: str, limit: int = _TEXT_LIMIT) -> str:
    """`text` escaped for mrkdwn, cut with an ellipsis if escaping made it too long."""
    return escape_clipped(text, limit)


def _money_range(symbol: str, band: tuple[int, int]) -> str:
    low, high = band
    return f"{_money(low, symbol)}{_DASH}{_money(high, symbol)}"


def _money(amount: int, symbol: str) -> str:
    """150000 as "$150k"; 152500 as "$152.5k"."""
    thousands = f"{amount / 1000:.1f}".removesuffix(".0")
    return f"{escape(symbol)}{thousands}k"


def _divider() -> Block:
    return {"type": "divider"}


def _header(text: str) -> Block:
    return {"type": "header", "text": {"type": "plain_text", "text": text, "emoji": True}}


def _section(text: str) -> Block:
    return {"type": "section", "text": _mrkdwn(text)}


def _context(*texts: str) -> Block:
    return {"type": "context", "elements": [_mrkdwn(text) for text in texts]}


def _mrkdwn(text: str) -> dict[str, str]:
    return {"type": "mrkdwn", "text": text}
