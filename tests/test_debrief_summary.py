"""The debrief summary's maths: means, spreads, counts, flags, disagreements, gaps."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

import pytest

from bot.debrief_summary import Figures, RatedItem, disagreement, figures, summarise
from bot.kits import Kits
from bot.scorecards import ScorecardContent
from tests.conftest import START


def card(
    interviewer_id: str,
    overall: int,
    competencies: Mapping[str, int],
    *,
    qualities: Mapping[str, int | None] | None = None,
    red_flags: Sequence[str] = (),
) -> ScorecardContent:
    return ScorecardContent(
        id=abs(hash(interviewer_id)),
        interview_id=1,
        interviewer_id=interviewer_id,
        overall=overall,
        competencies=competencies,
        qualities=qualities or {},
        red_flags=tuple(red_flags),
        evidence="e",
        private_note=None,
        submitted_at=START,
        updated_at=START,
    )


@pytest.mark.parametrize(
    ("scores", "mean", "spread"),
    [
        ([3], "3.0", 0),
        ([3, 4], "3.5", 1),
        ([4, 3, 3], "3.3", 1),  # 3.333…
        ([4, 4, 3], "3.7", 1),  # 3.666…
        ([1, 4, 4, 4], "3.3", 3),  # 3.25 rounds half up, not to even
        ([1, 2, 4, 4], "2.8", 3),  # 2.75
        ([2, 2, 1, 2, 1], "1.6", 1),
    ],
)
def test_mean_to_one_decimal_and_spread(scores: list[int], mean: str, spread: int) -> None:
    assert figures(scores) == Figures(scores=tuple(scores), mean=Decimal(mean), spread=spread)


def test_no_scores_have_no_figures() -> None:
    assert figures([]) is None


@pytest.mark.parametrize(
    ("scores", "found"),
    [
        ([4, 1], True),
        ([4, 2, 3], True),
        ([4, 3, 3], False),
        ([3, 2, 1], False),
        ([4, 4], False),
    ],
)
def test_disagreement_is_a_4_beside_a_1_or_2(scores: list[int], found: bool) -> None:
    item = RatedItem(key="k", name="K", scores=tuple((f"U{i}", s) for i, s in enumerate(scores)))
    assert (disagreement(item) is not None) is found


def test_summary_of_three_cards(kits: Kits) -> None:
    stage = kits.stage("technical")
    base = {c.id: 3 for c in stage.competencies}
    cards = [
        card(
            "U0ANA",
            4,
            base | {"k8s_serving": 4},
            qualities={"systems_thinking": 4, "production_mindset": None},
            red_flags=["accuracy_only_monitoring"],
        ),
        card(
            "U0BEN",
            3,
            base | {"k8s_serving": 2, "autoscaling": 4},
            qualities={"systems_thinking": 3},
        ),
        card(
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
    assert qualities["systems_thinking"] == Figures((4, 3), Decimal("3.5"), 1)
    assert qualities["production_mindset"] is None  # "not observed" is not a score

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

    assert [(d.item.key, d.strong_yes_by, d.low_by) for d in summary.disagreements] == [
        ("k8s_serving", ("U0ANA",), (("U0BEN", 2), ("U0CAT", 1))),
        ("overall", ("U0ANA",), (("U0CAT", 1),)),
    ]
    assert [q.id for q in summary.unobserved_qualities] == [
        "ml_infra_translation",
        "production_mindset",
    ]
    assert summary.interviewer_ids == ("U0ANA", "U0BEN", "U0CAT")
