"""Block Kit for the interview kits: the question set, the interviewer's kit, salaries.

Pure functions from `bot.kits` objects to Slack blocks. Kit text is team-edited, so all
of it is escaped, and every message stays within Slack's limits however long a team
makes its kit: text is packed into sections of at most 3,000 characters, and what does
not fit in the message's budget of blocks and of text (Slack refuses more than 12,000
characters a message) is cut from the end of its part with a "… N more" note (in practice
only a very long custom stage loses its last questions).
"""

from collections.abc import Sequence

from bot.kits import Quality, Question, SalaryTable, Stage
from handlers.block_kit import (
    MESSAGE_TEXT_LIMIT,
    SECTION_LIMIT,
    Block,
    context,
    divider,
    header,
    mrkdwn,
    section,
    text_length,
)
from handlers.mrkdwn import escape, escape_clipped
from handlers.scorecard_reading_modal import RATING_SCALE_TEXT

MAX_BLOCKS = 45
"""Blocks a kit message uses at most. Slack allows 50; the rest is for the caller's own
blocks (a link to the candidate's thread, a *Submit scorecard* button)."""
KIT_TEXT_LIMIT = 8400
"""Characters of text a kit holds at most (the built-in Technical kit has 8,000): Slack
refuses a message with more than ``MESSAGE_TEXT_LIMIT`` in all, and the caller's own text
(who, when, the call, the thread) keeps to ``OWN_TEXT_LIMIT``."""
OWN_TEXT_LIMIT = MESSAGE_TEXT_LIMIT - KIT_TEXT_LIMIT
KIT_LINK_LIMIT = OWN_TEXT_LIMIT // 3
"""Characters a link (the video call's) may take in a message that carries a kit; a longer
one is shown as its label."""

# One escaped text is cut to this, so that with its label it always fits in a section.
_TEXT_LIMIT = 1500
# (blocks, characters) of the parts that come after the questions (the built-in kits use
# about two thirds of each); only texts swollen by escaping reach them. The questions get
# whatever the message has left.
_RED_FLAG_BUDGET = (4, 1000)
_COMPETENCY_BUDGET = (8, 1900)
_QUALITY_BUDGET = (8, 2400)
_GOAL_SHOWN = 600
# Room kept for the "… N more not shown" note.
_NOTE_ROOM = 120

_SCALE = f"Scorecard scale. {RATING_SCALE_TEXT} No neutral middle."
# Ranges (1 to 4, $150k to $180k) take an en dash, named because ruff flags the literal.
_DASH = "\N{EN DASH}"
_COMPETENCIES = f"*Competencies to rate, 1{_DASH}4*"


def question_set_blocks(stage: Stage) -> list[Block]:
    """The stage's question set, posted in a candidate's thread when they enter the stage."""
    competencies = [[f"• *{_shown(competency.name)}*"] for competency in stage.competencies]
    tail = [
        divider(),
        *_red_flag_blocks(stage),
        *_packed(_COMPETENCIES, competencies, "\n", _COMPETENCY_BUDGET, "competency"),
        context(_SCALE),
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
        divider(),
        *_red_flag_blocks(stage),
        *_packed(_COMPETENCIES, competencies, "\n\n", _COMPETENCY_BUDGET, "competency"),
        divider(),
        *_packed(
            f"*Qualities to look for* (rate each 1{_DASH}4, or _not observed_)",
            quality_items,
            "\n\n",
            _QUALITY_BUDGET,
            "quality",
        ),
        context(f"{_SCALE} Submit your scorecard before you read anyone else's."),
    ]
    title = f"Interview kit: {stage.title} · {stage.duration_minutes} min"
    return _with_questions(stage, title, tail)


def salary_table_blocks(
    salary: SalaryTable, *, region_key: str | None = None, level_key: str | None = None
) -> list[Block]:
    """The salary benchmarks, optionally only one region and/or one level.

    An unknown key shows what the valid keys are instead of an empty table.
    """
    regions = [region for region in salary.regions if region_key in (None, region.key)]
    levels = [level for level in salary.levels if level_key in (None, level.key)]
    blocks = [header(salary.title)]
    if regions and levels:
        blocks += [
            {
                "type": "section",
                "text": mrkdwn(f"*{_shown(region.name)}*"),
                "fields": [
                    mrkdwn(f"*{_shown(level.name)}*\n{_money_range(region.symbol, band)}")
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
        blocks.append(section("\n".join(lines)))
    blocks.append(context(_shown(salary.note), f"Source: {_shown(salary.source)}"))
    return blocks


def salary_text(salary: SalaryTable, region_key: str, level_key: str) -> str | None:
    """The base band of a candidate (the offer's confirmation), such as "$150k" to "$180k"
    followed by "base"; None if the table has no such region or level (an "Other" location)."""
    region = salary.region(region_key)
    band = region.band(level_key) if region else None
    if region is None or band is None:
        return None
    return f"{_money_range(region.symbol, band)} base"


def _with_questions(stage: Stage, title: str, tail: list[Block]) -> list[Block]:
    head = [header(title), section(f"*Goal:* {_shown(stage.goal, _GOAL_SHOWN)}"), divider()]
    budget = (MAX_BLOCKS - len(head) - len(tail), KIT_TEXT_LIMIT - text_length([*head, *tail]))
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
    return _packed("*Red flags to listen for*", items, "\n", _RED_FLAG_BUDGET, "red flag")


_PLURALS = {
    "competency": "competencies",
    "quality": "qualities",
    "question": "questions",
    "red flag": "red flags",
}


def _packed(
    heading: str,
    items: Sequence[Sequence[str]],
    gap: str,
    budget: tuple[int, int],
    noun: str,
) -> list[Block]:
    """Sections holding `heading` and `items` (each a list of lines) within `budget`:
    at most so many blocks and so many characters.

    Items are packed greedily, `gap` between two of them; those that do not fit are
    dropped from the end and counted in a context note that takes the last block.
    """
    blocks, chars = budget
    texts: list[str] = []
    for index, item in enumerate(items):
        lines = [heading, *item] if index == 0 and heading else list(item)
        grown = _append(texts, lines, gap)
        last = index == len(items) - 1
        size = sum(map(len, grown))
        if len(grown) > (blocks if last else blocks - 1) or size > (
            chars if last else chars - _NOTE_ROOM
        ):
            if index == 0:
                # Rather than nothing, the first item's lines that fit (its title first).
                texts = _first_lines(lines, chars - _NOTE_ROOM)
                index += bool(texts)
            left = len(items) - index
            word = noun if left == 1 else _PLURALS[noun]
            what = f"{left} more {word}" if left else "the rest"
            note = f"_… {what} not shown: the message would be too long for Slack._"
            return [*map(section, texts), context(note)]
        texts = grown
    return [section(text) for text in texts]


def _first_lines(lines: Sequence[str], chars: int) -> list[str]:
    """As many of `lines` as fit `chars` characters, in one section."""
    text = ""
    for line in lines:
        grown = f"{text}\n{line}" if text else line
        if len(grown) > min(chars, SECTION_LIMIT):
            break
        text = grown
    return [text] if text else []


def _append(texts: list[str], lines: Sequence[str], gap: str) -> list[str]:
    """`texts` with `lines` added: after the last text if they fit, else in a block of
    their own; only an item longer than a block is split, between two lines."""
    whole = "\n".join(lines)
    if texts and len(texts[-1]) + len(gap) + len(whole) <= SECTION_LIMIT:
        return [*texts[:-1], texts[-1] + gap + whole]
    if len(whole) <= SECTION_LIMIT:
        return [*texts, whole]
    texts = [*texts, lines[0]]
    for line in lines[1:]:
        if len(texts[-1]) + 1 + len(line) <= SECTION_LIMIT:
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
