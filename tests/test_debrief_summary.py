"""The debrief summary's maths: means, spreads, counts, flags, disagreements, gaps."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.debrief_summary import Figures, RatedItem, Split, disagreement, figures, summarise
from bot.kits import Kits
from tests.seed import scorecard_content


@pytest.mark.parametrize(
    ("scores", "mean", "spread"),
    [
        ([4, 3, 3], "3.3", 1),  # 3.333…
        ([4, 4, 3], "3.7", 1),  # 3.666…
        ([1, 4, 4, 4], "3.3", 3),  # 3.25 rounds half up, not to even
        ([1, 2, 4, 4], "2.8", 3),  # 2.75
        ([2, 2, 1, 2, 1], "1.6", 1),
    ],
)
def test_mean_to_one_decimal_and_spread(scores: list[int], mean: str, spread: int) -> None:
    assert figures(scores) == Figures(scores=tuple(scores), mean=Decimal(mean), spread=spread)


@pytest.mark.parametrize(("scores", "spread"), [([3], 0), ([3, 4], 1), ([4, 1], 3)])
def test_fewer_than_three_scores_have_no_mean(scores: list[int], spread: int) -> None:
    """A mean of one or two scores is false precision: the scores are shown instead."""
    assert figures(scores) == Figures(scores=tuple(scores), mean=None, spread=spread)


def test_no_scores_have_no_figures() -> None:
    assert figures([]) is None


@pytest.mark.parametrize(
    ("scores", "found"),
    [
        ([4, 1], True),
        ([4, 2, 3], True),
        ([3, 1], True),  # not only beside a 4
        ([3, 2, 1], True),
        ([2, 4], True),
        ([4, 3, 3], False),
        ([3, 2], False),
        ([1, 2, 2], False),
        ([4, 4], False),
        ([1], False),
    ],
)
def test_disagreement_is_two_scores_2_or_more_apart(scores: list[int], found: bool) -> None:
    item = RatedItem(key="k", name="K", scores=tuple((f"U{i}", s) for i, s in enumerate(scores)))
    assert (disagreement(item) is not None) is found


def test_summary_of_three_cards(kits: Kits) -> None:
    stage = kits.stage("technical")
    base = {c.id: 3 for c in stage.competencies}
    cards = [
        scorecard_content(
            "U0ANA",
            4,
            base | {"k8s_serving": 4},
            qualities={"systems_thinking": 4, "production_mindset": None},
            red_flags=["accuracy_only_monitoring"],
        ),
        scorecard_content(
            "U0BEN",
            3,
            base | {"k8s_serving": 2, "autoscaling": 4},
            qualities={"systems_thinking": 3},
        ),
        scorecard_content(
            "U0CAT",
            1,
            base | {"k8s_serving": 1},
            red_flags=["rollback_is_retraining", "accuracy_only_monitoring", "removed_flag"],
        ),
    ]
    summary = summarise(stage, kits.qualities, cards, observed_in_loop={"systems_thinking"})

    by_key = {item.key: item for item in summary.competencies}
    k8s = by_key["k8s_serving"].figures
    assert k8s is not None and (k8s.scores, k8s.mean, k8s.spread) == ((4, 2, 1), Decimal("2.3"), 3)
    autoscaling = by_key["autoscaling"].figures
    assert autoscaling is not None and (autoscaling.mean, autoscaling.spread) == (Decimal("3.3"), 1)
    assert [item.key for item in summary.competencies] == [c.id for c in stage.competencies]

    qualities = {item.key: item.figures for item in summary.qualities}
    assert qualities["systems_thinking"] == Figures((4, 3), None, 1)  # two: no mean
    assert qualities["production_mindset"] is None  # "not observed" is not a score
    observed_by = {item.key: item.not_assessed_by for item in summary.qualities}
    assert observed_by["production_mindset"] == ("U0ANA",)

    assert summary.recommendations == ((4, 1), (3, 1), (2, 0), (1, 1))
    overall = summary.overall.figures
    assert overall is not None and (overall.mean, overall.spread) == (Decimal("2.7"), 3)

    assert [(flag.key, flag.raised_by) for flag in summary.red_flags] == [
        ("accuracy_only_monitoring", ("U0ANA", "U0CAT")),
        ("rollback_is_retraining", ("U0CAT",)),
        ("removed_flag", ("U0CAT",)),
    ]
    assert summary.red_flags[0].text.startswith("Can't describe monitoring")
    assert summary.red_flags[2].text == "removed_flag"

    # The overall recommendation's disagreement is the split, not a line here.
    assert [(d.item.key, d.scores_high_first) for d in summary.disagreements] == [
        ("k8s_serving", (4, 2, 1)),
    ]
    assert summary.split == Split(yes=2, no=1) and summary.split.divided
    assert [q.id for q in summary.unobserved_qualities] == [
        "ml_infra_translation",
        "production_mindset",
    ]
    assert summary.interviewer_ids == ("U0ANA", "U0BEN", "U0CAT")


def test_not_assessed_is_left_out_of_figures_and_named(kits: Kits) -> None:
    stage = kits.stage("technical")
    rated = {c.id: 3 for c in stage.competencies}
    cards = [
        scorecard_content("U0ANA", 3, rated | {"autoscaling": None, "k8s_serving": 4}),
        scorecard_content("U0BEN", 3, rated | {"autoscaling": None, "k8s_serving": None}),
        scorecard_content("U0CAT", 4, rated | {"autoscaling": None, "k8s_serving": 3}),
    ]
    summary = summarise(stage, kits.qualities, cards, observed_in_loop=set())

    by_key = {item.key: item for item in summary.competencies}
    k8s = by_key["k8s_serving"]
    # Two scores, not three: no mean, and "not assessed" is not a 0 or a 1.
    assert k8s.figures == Figures(scores=(4, 3), mean=None, spread=1)
    assert k8s.not_assessed_by == ("U0BEN",)
    assert by_key["autoscaling"].figures is None
    assert by_key["autoscaling"].not_assessed_by == ("U0ANA", "U0BEN", "U0CAT")
    assert [c.id for c in summary.unassessed_competencies] == ["autoscaling"]
    assert summary.disagreements == ()
    assert summary.split == Split(yes=3, no=0) and not summary.split.divided


def test_a_rating_the_kit_did_not_have_yet_is_not_counted_as_not_assessed(kits: Kits) -> None:
    """A scorecard from before a competency was added to the kit holds no rating of it:
    it did not choose Not assessed, it was never asked."""
    stage = kits.stage("technical")
    older = {c.id: 3 for c in stage.competencies if c.id != "autoscaling"}
    summary = summarise(
        stage, kits.qualities, [scorecard_content("U0ANA", 3, older)], observed_in_loop=set()
    )
    autoscaling = next(item for item in summary.competencies if item.key == "autoscaling")
    assert autoscaling.not_assessed_by == () and autoscaling.figures is None
    assert [c.id for c in summary.unassessed_competencies] == ["autoscaling"]
