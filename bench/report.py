"""Figures, their targets, and the Markdown table of a whole bench."""

from __future__ import annotations

import operator
import os
import platform
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from bench.stats import Spread, spread


@dataclass(frozen=True)
class Target:
    text: str  # as the issue states it, e.g. "< 3000 ms"
    met: Callable[[float], bool]


def below(limit: float, unit: str) -> Target:
    return Target(f"< {limit:g} {unit}".strip(), lambda value: operator.lt(value, limit))


def at_most(limit: float, unit: str) -> Target:
    return Target(f"≤ {limit:g} {unit}".strip(), lambda value: operator.le(value, limit))


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    unit: str
    target: Target | None = None


def load_average() -> str:
    """The 1-minute load: other work on the machine shows in every figure."""
    return f"{os.getloadavg()[0]:.1f}"


def machine() -> str:
    cores = os.cpu_count()
    processor = platform.processor() or platform.machine()
    return (
        f"{cores} cores ({processor}), Linux {platform.release()}, "
        f"Python {platform.python_version()}"
    )


def _number(value: float, unit: str) -> str:
    if unit in ("x", "%"):
        return f"{value:.2f}"
    if abs(value) >= 100 or value == int(value):
        return f"{value:.0f}"
    return f"{value:.1f}" if abs(value) >= 10 else f"{value:.2f}"


def _verdict(figure: Figure, summary: Spread) -> str:
    if figure.target is None:
        return ""
    if figure.target.met(summary.high):
        return "met"
    if figure.target.met(summary.median):
        return "met at median, missed at worst"
    return "**missed**"


def table(
    figures: Sequence[Figure],
    runs: Mapping[str, Sequence[float]],
    missing: Mapping[str, str] | None = None,
) -> str:
    """One row per figure: median, min and max over the runs, and the target if any."""
    lines = [
        "| figure | unit | median | min | max | runs | target | |",
        "|---|---|---:|---:|---:|---:|---|---|",
    ]
    for figure in figures:
        values = runs.get(figure.key)
        target = figure.target.text if figure.target else ""
        if not values:
            reason = (missing or {}).get(figure.key, "not measured")
            lines.append(
                f"| {figure.label} | {figure.unit} | - | - | - | 0 | {target} | {reason} |"
            )
            continue
        summary = spread(values)
        cells = [_number(v, figure.unit) for v in (summary.median, summary.low, summary.high)]
        lines.append(
            f"| {figure.label} | {figure.unit} | {' | '.join(cells)} | {summary.runs} "
            f"| {target} | {_verdict(figure, summary)} |"
        )
    return "\n".join(lines)
