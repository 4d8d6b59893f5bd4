"""The insights' maths, on the aggregates ``storage.insights`` reads: pure functions.

- An interviewer's offset on a competency is the mean of (their rating - the mean of the
  rest of the same panel), shrunk towards the team's offset (zero by construction) as if
  ``PRIOR_RATINGS`` ratings of offset zero had been seen too: three scorecards do not
  brand anyone. Its interval is the normal 95% one, shrunk alike.
- Agreement is Krippendorff's alpha from the coincidences of the panels' ratings, with
  the ordinal metric by default (1-4 is an order, not a distance) or the interval one.
- A question's trend is the least-squares slope of its ratings on the day given.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

PRIOR_RATINGS = 5
Z95 = 1.96
# Without a panel to estimate it from, a rating's spread is taken as one point.
DEFAULT_SD = 1.0


@dataclass(frozen=True)
class Estimate:
    value: float
    low: float
    high: float
    count: int

    @property
    def half_width(self) -> float:
        return (self.high - self.low) / 2

    def excludes_zero(self) -> bool:
        return self.low > 0 or self.high < 0


def mean_and_sd(count: int, total: float, squares: float) -> tuple[float, float]:
    """Mean and sample standard deviation from a count, a sum and a sum of squares."""
    if count == 0:
        return 0.0, 0.0
    mean = total / count
    if count < 2:
        return mean, 0.0
    variance = max(0.0, (squares - count * mean * mean) / (count - 1))
    return mean, math.sqrt(variance)


def shrunk_offset(count: int, total: float, squares: float, prior: int = PRIOR_RATINGS) -> Estimate:
    """The shrunk mean offset of ``count`` differences (their sum and sum of squares)."""
    if count == 0:
        return Estimate(0.0, -math.inf, math.inf, 0)
    mean, sd = mean_and_sd(count, total, squares)
    sd = sd if sd > 0 else DEFAULT_SD
    weight = count / (count + prior)
    value = weight * mean
    half = Z95 * sd / math.sqrt(count) * weight
    return Estimate(value, value - half, value + half, count)


def shrunk_mean(count: int, total: float, team_mean: float, prior: int = PRIOR_RATINGS) -> float:
    """A mean of ``count`` ratings pulled towards the team's mean."""
    return (total + prior * team_mean) / (count + prior)


class Metric(StrEnum):
    INTERVAL = "interval"
    ORDINAL = "ordinal"


def krippendorff_alpha(
    coincidences: Mapping[tuple[int, int], float], metric: Metric = Metric.ORDINAL
) -> float | None:
    """Alpha from the coincidence matrix ``o[c, k]`` (ordered pairs within units, each
    weighted 1/(m_u - 1)); None when there is nothing to compare (no pairable values, or
    every value the same, where alpha is undefined)."""
    totals: dict[int, float] = defaultdict(float)
    for (first, _second), weight in coincidences.items():
        totals[first] += weight
    n = sum(totals.values())
    if n <= 1 or len([v for v in totals.values() if v > 0]) < 2:
        return None
    values = sorted(totals)

    def distance(c: int, k: int) -> float:
        if metric == Metric.INTERVAL:
            return float((c - k) ** 2)
        low, high = min(c, k), max(c, k)
        between = sum(totals[g] for g in values if low <= g <= high)
        return (between - (totals[c] + totals[k]) / 2) ** 2

    observed = sum(w * distance(c, k) for (c, k), w in coincidences.items()) / n
    expected = sum(totals[c] * totals[k] * distance(c, k) for c in values for k in values) / (
        n * (n - 1)
    )
    if expected == 0:
        return None
    return 1 - observed / expected


def alpha_from_units(
    units: Iterable[Iterable[int]], metric: Metric = Metric.ORDINAL
) -> float | None:
    """Alpha straight from units of values: the definition, for checking the SQL path."""
    matrix: dict[tuple[int, int], float] = defaultdict(float)
    for unit in units:
        ratings = list(unit)
        if len(ratings) < 2:
            continue
        for i, first in enumerate(ratings):
            for j, second in enumerate(ratings):
                if i != j:
                    matrix[first, second] += 1 / (len(ratings) - 1)
    return krippendorff_alpha(matrix, metric)


def slope(count: int, x_sum: float, x_squares: float, y_sum: float, xy_sum: float) -> float | None:
    """Least-squares slope of y on x; None without two distinct x."""
    if count < 2:
        return None
    spread = x_squares - x_sum * x_sum / count
    if spread <= 1e-12:
        return None
    return (xy_sum - x_sum * y_sum / count) / spread


def share(part: int, whole: int) -> float | None:
    return part / whole if whole else None
