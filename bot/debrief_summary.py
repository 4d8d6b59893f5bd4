"""The debrief summary of an interview: the maths, from scorecards to figures. Pure.

Per competency (and quality, and the overall recommendation): the scores given, who chose
*Not assessed*, their spread (highest minus lowest) and, from three scores up, their mean to
one decimal (a mean of two scores is false precision: the scores themselves say more). Also
how many of each recommendation and whether they split between yes and no, every red flag
with who raised it, the disagreements worth a discussion (two scores of an item 2 or more
apart), the competencies nobody on the panel assessed, and the qualities that nobody in the
whole loop has observed yet; and every rating changed after the debrief, before and after
(``bot.scorecard_history`` keeps them, with the reasons).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from bot.kits import Competency, Quality, Stage
from bot.scorecards import OVERALL, SCORES, ScorecardContent, rating_field
from storage.models import RatingKind

# Two scores of an item this far apart are a disagreement to talk through: a 3 beside a 1
# as much as a 4 beside a 2.
DISAGREEMENT_SPREAD = 2
# Fewer scores than this show as themselves, without a mean.
MIN_SCORES_FOR_MEAN = 3
# An overall recommendation of 3 or 4 is a yes, of 1 or 2 a no.
YES = frozenset({3, 4})


@dataclass(frozen=True)
class Figures:
    scores: tuple[int, ...]
    # Rounded half up to one decimal (3.25 shows as 3.3, as people expect); None below
    # MIN_SCORES_FOR_MEAN scores.
    mean: Decimal | None
    spread: int


@dataclass(frozen=True)
class RatedItem:
    """A competency, a quality or the overall recommendation, and who gave which score."""

    key: str
    name: str
    scores: tuple[tuple[str, int], ...]  # (interviewer id, score) in scorecard order
    # Who chose *Not assessed* (competencies) or *Not observed* (qualities).
    not_assessed_by: tuple[str, ...] = ()

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
    """An item whose scores are DISAGREEMENT_SPREAD or more apart."""

    item: RatedItem

    @property
    def scores_high_first(self) -> tuple[int, ...]:
        return tuple(sorted((score for _, score in self.item.scores), reverse=True))


@dataclass(frozen=True)
class Split:
    """How many overall recommendations say yes (3, 4) and how many no (1, 2)."""

    yes: int
    no: int

    @property
    def divided(self) -> bool:
        return self.yes > 0 and self.no > 0


@dataclass(frozen=True)
class ChangedRating:
    """A rating its author changed after the debrief: the item, before and after (None:
    not assessed), kept in the scorecard's history with the reason."""

    interviewer_id: str
    name: str
    before: int | None
    after: int | None
    overall: bool = False


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
    split: Split = Split(yes=0, no=0)
    # The stage's competencies that no scorecard rated: all chose *Not assessed*.
    unassessed_competencies: tuple[Competency, ...] = ()
    # Whose scorecard changed after they had read the others' (bot.scorecard_history).
    edited_after_reading: tuple[str, ...] = ()
    # Ratings changed after the debrief, in the order they changed.
    changed_after_debrief: tuple[ChangedRating, ...] = ()


def figures(scores: Sequence[int]) -> Figures | None:
    """Spread and, from MIN_SCORES_FOR_MEAN scores, mean (one decimal, half up) of some
    scores; None for no scores."""
    if not scores:
        return None
    mean = None
    if len(scores) >= MIN_SCORES_FOR_MEAN:
        mean = (Decimal(sum(scores)) / len(scores)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return Figures(scores=tuple(scores), mean=mean, spread=max(scores) - min(scores))


def disagreement(item: RatedItem) -> Disagreement | None:
    """The item's scores DISAGREEMENT_SPREAD or more apart, or None."""
    found = item.figures
    if found is None or found.spread < DISAGREEMENT_SPREAD:
        return None
    return Disagreement(item=item)


def split_of(overall: Sequence[int]) -> Split:
    yes = sum(1 for score in overall if score in YES)
    return Split(yes=yes, no=len(overall) - yes)


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
            not_assessed_by=_not_assessed(
                scorecards, lambda card: card.competencies, competency.id
            ),
        )
        for competency in stage.competencies
    )
    rated_qualities = tuple(
        RatedItem(
            key=quality.id,
            name=quality.name,
            scores=_scores(scorecards, lambda card: card.qualities, quality.id),
            not_assessed_by=_not_assessed(scorecards, lambda card: card.qualities, quality.id),
        )
        for quality in qualities
    )
    overall = RatedItem(
        key="overall",
        name="Overall recommendation",
        scores=tuple((card.interviewer_id, card.overall) for card in scorecards),
    )
    # The overall recommendation's disagreement is its split, reported as such.
    items = (*competencies, *rated_qualities)
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
        split=split_of([card.overall for card in scorecards]),
        unassessed_competencies=tuple(
            competency
            for competency, item in zip(stage.competencies, competencies, strict=True)
            if not item.scores
        ),
        edited_after_reading=tuple(
            card.interviewer_id for card in scorecards if card.edited_after_reading
        ),
        changed_after_debrief=_changed_after_debrief(stage, scorecards),
    )


def _changed_after_debrief(
    stage: Stage, scorecards: Sequence[ScorecardContent]
) -> tuple[ChangedRating, ...]:
    names = {rating_field(RatingKind.COMPETENCY, c.id): c.name for c in stage.competencies}
    names[OVERALL] = "Overall recommendation"
    changed = [
        (revision.changed_at, card.interviewer_id, change)
        for card in scorecards
        for revision in card.debrief_changes
        for change in revision.changes
        if change.field in names
    ]
    return tuple(
        ChangedRating(
            interviewer_id=author,
            name=names[change.field],
            before=change.before,
            after=change.after,
            overall=change.field == OVERALL,
        )
        for _, author, change in sorted(changed, key=lambda found: found[0])
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


def _not_assessed(
    scorecards: Sequence[ScorecardContent],
    ratings: Callable[[ScorecardContent], Mapping[str, int | None]],
    key: str,
) -> tuple[str, ...]:
    """Who chose *Not assessed* on purpose: a rating kept without a score. A scorecard from
    before the kit had the item holds no rating of it at all, and is not counted here."""
    return tuple(
        card.interviewer_id
        for card in scorecards
        if key in ratings(card) and ratings(card)[key] is None
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
