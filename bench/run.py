"""``python -m bench``: run the measurements, repeat them, print and save the table."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from bench import ack, burst, digest, insights, memory, scorecards
from bench.procs import REPO
from bench.report import Figure, load_average, machine, table
from bench.sizes import SIZES, Sizes
from bench.world import Bench, Run

RESULTS = REPO / "bench" / "results"


@dataclass(frozen=True)
class Measurement:
    name: str
    figures: Callable[[Sizes], list[Figure]]
    # (the bench, this run's own folder, the run's index)
    run_once: Callable[[Bench, Path, int], Awaitable[Run]]
    # Why it cannot run on this checkout (its code has not landed), or None.
    unavailable: Callable[[], str | None] = lambda: None


MEASUREMENTS = (
    Measurement("ack", ack.figures, ack.run_once),
    Measurement("scorecards", scorecards.figures, scorecards.run_once, scorecards.unavailable),
    Measurement("digest", digest.figures, digest.run_once),
    Measurement("insights", insights.figures, insights.run_once),
    Measurement("burst", burst.figures, burst.run_once),
    Measurement("memory", memory.figures, memory.run_once),
)


@dataclass
class Results:
    sizes: Sizes
    runs: dict[str, list[float]] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    missing: dict[str, str] = field(default_factory=dict)
    figures: list[Figure] = field(default_factory=list)

    def markdown(self) -> str:
        return table(self.figures, self.runs, self.missing)


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


async def run_bench(names: Sequence[str], sizes: Sizes, runs: int, workdir: Path) -> Results:
    results = Results(sizes)
    bench = Bench(sizes, workdir)
    for measurement in MEASUREMENTS:
        if measurement.name not in names:
            continue
        figures = measurement.figures(sizes)
        results.figures.extend(figures)
        reason = measurement.unavailable()
        if reason is not None:
            _say(f"{measurement.name}: not measured: {reason}")
            results.missing |= {figure.key: reason for figure in figures}
            continue
        for index in range(runs):
            started = time.monotonic()
            run = await measurement.run_once(bench, workdir / f"{measurement.name}-{index}", index)
            _say(
                f"{measurement.name}: run {index + 1}/{runs} in {time.monotonic() - started:.1f} s"
            )
            for key, value in run.figures.items():
                results.runs.setdefault(key, []).append(value)
            results.missing |= run.missing
            results.failures.extend(
                f"{measurement.name} run {index + 1}: {f}" for f in run.failures
            )
    return results


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--size", choices=sorted(SIZES), default="full")
    parser.add_argument(
        "--quick",
        action="store_const",
        const="quick",
        dest="size",
        help="smaller sizes, for a look in well under a minute",
    )
    parser.add_argument("--runs", type=int, default=3, help="repetitions of each (default 3)")
    names = [m.name for m in MEASUREMENTS]
    parser.add_argument(
        "--only", default=",".join(names), help=f"comma-separated subset of {','.join(names)}"
    )
    parser.add_argument("--out", type=Path, default=RESULTS, help="where results are saved")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    names = [name.strip() for name in args.only.split(",") if name.strip()]
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    workdir = args.out / stamp
    load_before = load_average()
    results = asyncio.run(run_bench(names, SIZES[args.size], args.runs, workdir))
    text = (
        f"Machine: {machine()}. Size: {args.size}, {args.runs} runs. "
        f"Load average (1 min) {load_before} before, {load_average()} after.\n\n"
        f"{results.markdown()}\n"
    )
    print(text)
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "results.md").write_text(text)
    (workdir / "results.json").write_text(
        json.dumps(
            {
                "size": args.size,
                "machine": machine(),
                "runs": results.runs,
                "failures": results.failures,
                "missing": results.missing,
            },
            indent=2,
        )
    )
    for failure in results.failures:
        _say(f"FAILED: {failure}")
    return 1 if results.failures else 0
