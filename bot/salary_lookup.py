"""Reading what people type after ``salary``: "london", "uk london senior", "mid us".

Words naming a level ("mid", "mid-level", "senior", "sr") pick the level; the other words
pick every region whose key or name holds all of them ("uk" is both UK rows, "uk london"
only London). Pure: the caller shows the result.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.kits import SalaryLevel, SalaryRegion, SalaryTable

_WORD = re.compile(r"[a-z0-9]+")
# Shorthands people use for the two levels, beside the table's own keys and names.
_LEVEL_ALIASES = {"sr": "senior", "snr": "senior", "intermediate": "mid", "middle": "mid"}


@dataclass(frozen=True)
class SalaryQuery:
    regions: tuple[SalaryRegion, ...]
    level: SalaryLevel | None
    # What the user typed for a region that matched none; the regions are then all of them.
    unknown_region: str | None = None


def _words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


def _level_words(salary: SalaryTable) -> dict[str, SalaryLevel]:
    words: dict[str, SalaryLevel] = {}
    for level in salary.levels:
        # "Mid-level (3-5 yrs)" gives "mid-level" and "midlevel"; the key gives "mid".
        first = level.name.split()[0].casefold()
        for word in (level.key, first, first.replace("-", "")):
            words[word] = level
    for alias, key in _LEVEL_ALIASES.items():
        if (aliased := salary.level(key)) is not None:
            words[alias] = aliased
    return words


def parse_salary_query(salary: SalaryTable, text: str) -> SalaryQuery:
    levels = _level_words(salary)
    level: SalaryLevel | None = None
    others: list[str] = []
    for token in text.split():
        if token.casefold() in levels:
            level = levels[token.casefold()]
        else:
            others.append(token)
    region_words = _words(" ".join(others))
    if not others:
        return SalaryQuery(salary.regions, level)
    matched = tuple(
        region
        for region in salary.regions
        if region_words
        and set(region_words) <= {*_words(region.key.replace("_", " ")), *_words(region.name)}
    )
    if not matched:
        return SalaryQuery(salary.regions, level, unknown_region=" ".join(others))
    return SalaryQuery(matched, level)
