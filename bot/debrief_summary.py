"""The debrief summary of an interview: the maths, from scorecards to figures. Pure.

Per competency (and quality, and the overall recommendation): the scores given, their
mean to one decimal and their spread (highest minus lowest). Also how many of each
recommendation, every red flag with who raised it, the disagreements worth a discussion
(a 4 beside a 1 or a 2), and the qualities that nobody in the whole loop has observed yet.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from bot.kits import Quality, Stage
from bot.scorecards import SCORES, ScorecardContent

STRONG_YES = 4
# A 4 beside one of these is a disagreement to talk through.
LOW_SCORES = frozenset({1, 2})


@dataclass(frozen=True)
class Figures:
    scores: tuple[int, ...]
    mean: Decimal  # rounded half up to one decimal: 3.25 shows as 3.3, as people expect
    spread: int


@dataclass(frozen=True)
class RatedItem:
    """A competency, a quality or the overall recommendation, and who gave which score."""

    key: str
    name: str
    scores: tuple[tuple[str, int], ...]  # (interviewer id, score) in scorecard order

    @property
    def figures(self) -> Figures | None:
        return figures([score for _, score in self.scores])


@dataclass(frozen=True)
class RaisedFlag:
    key: str
    text: str
    raised_by: tuple[str, ...]


@dataclass(frozen=True)
class Disagreement:
    item: RatedItem
    strong_yes_by: tuple[str, ...]
    low_by: tuple[tuple[str, int], ...]  # (interviewer id, 1 or 2)


@dataclass(frozen=True)
class DebriefSummary:
    stage: Stage
    interviewer_ids: tuple[str, ...]
    competencies: tuple[RatedItem, ...]
    qualities: tuple[RatedItem, ...]
    overall: RatedItem
    # How many scorecards recommend each score, strong yes (4) first.
    recommendations: tuple[tuple[int, int], ...]
    red_flags: tuple[RaisedFlag, ...]
    disagreements: tuple[Disagreement, ...]
    unobserved_qualities: tuple[Quality, ...]
    # Whose scorecard changed after they had read the others' (bot.scorecard_history).
    edited_after_reading: tuple[str, ...] = ()


def figures(scores: Sequence[int]) -> Figures | None:
    """Mean (one decimal, half up) and spread of some scores; None for no scores."""
    if not scores:
        return None
    mean = (Decimal(sum(scores)) / len(scores)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return Figures(scores=tuple(scores), mean=mean, spread=max(scores) - min(scores))


def disagreement(item: RatedItem) -> Disagreement | None:
    """A strong yes beside a no or a strong no on the same item, or None."""
    high = tuple(user for user, score in item.scores if score == STRONG_YES)
    low = tuple((user, score) for user, score in item.scores if score in LOW_SCORES)
    if not high or not low:
        return None
    return Disagreement(item=item, strong_yes_by=high, low_by=low)


def unobserved_qualities(
    qualities: Sequence[Quality], observed: Collection[str]
) -> tuple[Quality, ...]:
    return tuple(quality for quality in qualities if quality.id not in observed)


def summarise(
    stage: Stage,
    qualities: Sequence[Quality],
    scorecards: Sequence[ScorecardContent],
    *,
    observed_in_loop: Collection[str],
) -> DebriefSummary:
    """The summary of one interview's ``scorecards``; ``observed_in_loop`` holds the ids of
    the qualities rated anywhere in the candidate's loop, these scorecards included."""
    competencies = tuple(
        RatedItem(
            key=competency.id,
            name=competency.name,
            scores=_scores(scorecards, lambda card: card.competencies, competency.id),
        )
        for competency in stage.competencies
    )
    rated_qualities = tuple(
        RatedItem(
            key=quality.id,
            name=quality.name,
            scores=_scores(scorecards, lambda card: card.qualities, quality.id),
        )
        for quality in qualities
    )
    overall = RatedItem(
        key="overall",
        name="Overall recommendation",
        scores=tuple((card.interviewer_id, card.overall) for card in scorecards),
    )
    items = (*competencies, *rated_qualities, overall)
    return DebriefSummary(
        stage=stage,
        interviewer_ids=tuple(card.interviewer_id for card in scorecards),
        competencies=competencies,
        qualities=rated_qualities,
        overall=overall,
        recommendations=tuple(
            (score, sum(1 for card in scorecards if card.overall == score))
            for score in sorted(SCORES, reverse=True)
        ),
        red_flags=_raised_flags(stage, scorecards),
        disagreements=tuple(found for item in items if (found := disagreement(item))),
        unobserved_qualities=unobserved_qualities(qualities, observed_in_loop),
        edited_after_reading=tuple(
            card.interviewer_id for card in scorecards if card.edited_after_reading
        ),
    )


def _scores(
    scorecards: Sequence[ScorecardContent],
    ratings: Callable[[ScorecardContent], Mapping[str, int | None]],
    key: str,
) -> tuple[tuple[str, int], ...]:
    return tuple(
        (card.interviewer_id, score)
        for card in scorecards
        if (score := ratings(card).get(key)) is not None
    )


def _raised_flags(stage: Stage, scorecards: Sequence[ScorecardContent]) -> tuple[RaisedFlag, ...]:
    """Flags in kit order; a flag since removed from the kit is still shown, by its id."""
    texts = {flag.id: flag.text for flag in stage.red_flags}
    keys = list(texts)
    keys += [key for card in scorecards for key in card.red_flags if key not in texts]
    raised = []
    for key in dict.fromkeys(keys):
        by = tuple(card.interviewer_id for card in scorecards if key in card.red_flags)
        if by:
            raised.append(RaisedFlag(key=key, text=texts.get(key, key), raised_by=by))
    return tuple(raised)
