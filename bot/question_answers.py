"""An interviewer's answer sheet: per question of the kit, notes, an optional 1-4 and
whether it was asked. Pure: how a sheet is read back from storage, what it suggests for
the scorecard (a rating per competency, the evidence), and what a scorecard keeps of it.

The sheet is stored as JSON (a draft) and as rows (a submitted scorecard's answers); a
draft written by an older version, or edited by hand, may hold anything, so reading it
keeps what makes sense and drops the rest rather than failing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Final

from bot.kits import Stage

SCORES: Final = (1, 2, 3, 4)
MAX_NOTES: Final = 3000
# How much of a question's prompt leads its notes in the evidence: enough to recognise it.
PROMPT_IN_EVIDENCE: Final = 120
ELLIPSIS: Final = "\N{HORIZONTAL ELLIPSIS}"

# A competency's suggestion: a score, or None for "not assessed" (none of its questions
# was asked).
Suggestion = int | None


@dataclass(frozen=True)
class Answer:
    """One question's notes; ``rating`` None when not rated."""

    rating: int | None = None
    not_asked: bool = False
    notes: str | None = None

    @property
    def empty(self) -> bool:
        return self.rating is None and not self.not_asked and not self.notes

    def stored(self) -> dict[str, Any]:
        return {"rating": self.rating, "not_asked": self.not_asked, "notes": self.notes}


Sheet = Mapping[str, Answer]


def read_sheet(raw: Mapping[str, Any]) -> dict[str, Answer]:
    """A stored draft's answers by question key; entries that make no sense are dropped."""
    sheet = {}
    for key, value in raw.items():
        if not isinstance(value, Mapping):
            continue
        rating = value.get("rating")
        notes = value.get("notes")
        answer = Answer(
            rating=rating if rating in SCORES and not isinstance(rating, bool) else None,
            not_asked=value.get("not_asked") is True,
            notes=notes if isinstance(notes, str) and notes.strip() else None,
        )
        if not answer.empty:
            sheet[str(key)] = answer
    return sheet


def merged(earlier: Sheet, saved: Sheet) -> dict[str, Answer]:
    """``earlier`` with the questions of ``saved`` replaced: a form that showed only some
    questions (a long kit, a question since removed) loses none of the others."""
    combined = {**earlier, **saved}
    return {key: answer for key, answer in combined.items() if not answer.empty}


def suggested_ratings(stage: Stage, sheet: Sheet) -> dict[str, Suggestion]:
    """Per competency the sheet says something about: the mean of its questions' ratings,
    rounded half up to a whole score; None (not assessed) when each of its questions was
    marked *not asked*. A competency with neither is left out: nothing to suggest."""
    suggestions: dict[str, Suggestion] = {}
    for competency in stage.competencies:
        questions = stage.questions_of(competency.id)
        answers = [sheet[q.id] for q in questions if q.id in sheet]
        ratings = [answer.rating for answer in answers if answer.rating is not None]
        if ratings:
            mean = Decimal(sum(ratings)) / len(ratings)
            suggestions[competency.id] = int(mean.quantize(Decimal(1), ROUND_HALF_UP))
        elif questions and len(answers) == len(questions) and all(a.not_asked for a in answers):
            suggestions[competency.id] = None
    return suggestions


def evidence_from(stage: Stage, sheet: Sheet, limit: int) -> str | None:
    """The notes in kit order, each after the start of its question, as the evidence
    starts; cut at ``limit`` characters (the full notes stay with the scorecard)."""
    parts = []
    for question in stage.questions:
        answer = sheet.get(question.id)
        if answer is None or not answer.notes:
            continue
        prompt = _clipped(" ".join(question.prompt.split()), PROMPT_IN_EVIDENCE)
        parts.append(f"{prompt}\n{answer.notes.strip()}")
    if not parts:
        return None
    return _clipped("\n\n".join(parts), limit)


def kept_answers(stage: Stage, sheet: Sheet) -> list[tuple[str, str | None, Answer]]:
    """What a submitted scorecard keeps: (question key, competency it informs, answer),
    for every question of the sheet; one no longer in the kit informs none."""
    informs = {question.id: question.competency for question in stage.questions}
    return [(key, informs.get(key), answer) for key, answer in sorted(sheet.items())]


def _clipped(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + ELLIPSIS
