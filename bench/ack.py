"""Ack latency: ``help`` and ``new`` against the bot and bare bolt, paired, under one load.

Each of ``in_flight`` workers takes the next command of a shuffled list and sends it to the
bot and to the bare app at the same moment (alternating which goes first), so that both see
``in_flight`` requests at a time and the same machine load throughout. Latency is from just
before the request is written to the end of the answer; for ``new`` also from then to the
arrival of ``views.open`` at the fake, matched by trigger id.
"""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass
from pathlib import Path

from bench.report import Figure, at_most, below
from bench.sizes import Sizes
from bench.stats import percentile
from bench.world import Bench, Posted, Run, World, world
from handlers.commands import SUBCOMMANDS

TARGETS = ("bot", "bare")
KINDS = ("help", "new")
PERCENTILES = (50, 95, 99)
# Commands sent to each target before measuring: the first request pays for bolt's
# auth.test and for lazy imports, which is start-up, not steady state.
WARM_UP = 10
VIEWS_OPEN_WAIT = 10.0


@dataclass(frozen=True)
class Sample:
    target: str
    kind: str
    trigger_id: str
    posted: Posted


def bot_has_new() -> bool:
    """Whether the intake command is on this checkout (otherwise ``new`` answers help)."""
    return any(subcommand.name == "new" for subcommand in SUBCOMMANDS)


def _text(kind: str) -> str:
    return "new Jane Doe" if kind == "new" else "help"


async def _send(state: World, url: str, target: str, kind: str) -> Sample:
    body, trigger_id = state.command(_text(kind))
    return Sample(target, kind, trigger_id, await state.post(url, body))


async def _drive(
    state: World, urls: dict[str, str], kinds: list[str], in_flight: int
) -> list[Sample]:
    samples: list[Sample] = []
    jobs = iter(enumerate(kinds))

    async def worker() -> None:
        for index, kind in jobs:
            order = TARGETS if index % 2 == 0 else TARGETS[::-1]
            pair = await asyncio.gather(*(_send(state, urls[t], t, kind) for t in order))
            samples.extend(pair)

    await asyncio.gather(*(worker() for _ in range(in_flight)))
    return samples


def _record(
    run: Run, prefix: str, seconds: dict[str, list[float]], bot_missing: str | None
) -> None:
    """Percentiles in ms of both targets and the ratio of their medians; without the bot's
    when ``bot_missing`` says why they mean nothing on this checkout."""
    for target in TARGETS:
        for q in PERCENTILES:
            key = f"{prefix}.{target}.p{q}"
            if target == "bot" and bot_missing is not None:
                run.missing[key] = bot_missing
            else:
                run.figures[key] = percentile(seconds[target], q) * 1000
    if bot_missing is not None:
        run.missing[f"{prefix}.ratio.p50"] = bot_missing
    else:
        run.figures[f"{prefix}.ratio.p50"] = (
            run.figures[f"{prefix}.bot.p50"] / run.figures[f"{prefix}.bare.p50"]
        )


async def run_once(bench: Bench, workdir: Path, index: int) -> Run:
    run = Run()
    sizes = bench.sizes
    with_new = bot_has_new()
    database = await bench.copy(await bench.database("empty"), workdir)
    async with world(workdir, database) as state:
        bot, bare = await asyncio.gather(state.start_bot(), state.start_bare())
        urls = {"bot": bot.events_url, "bare": bare.events_url}
        await _drive(state, urls, ["help", "new"] * (WARM_UP // 2), sizes.in_flight)
        kinds = ["help"] * sizes.help_requests + ["new"] * sizes.new_requests
        random.Random(index).shuffle(kinds)
        cpu_before = {"bot": bot.cpu_seconds(), "bare": bare.cpu_seconds()}
        samples = await _drive(state, urls, kinds, sizes.in_flight)
        cpu = {"bot": bot.cpu_seconds(), "bare": bare.cpu_seconds()}
        opened_by = {
            s.trigger_id for s in samples if s.kind == "new" and (with_new or s.target == "bare")
        }
        calls = await state.wait_for_calls(
            "views.open",
            len(opened_by),
            VIEWS_OPEN_WAIT,
            lambda call: call.args.get("trigger_id") in opened_by,
        )
        opened = {str(call.args["trigger_id"]): call.at for call in calls}

    bad = [s for s in samples if s.posted.status != 200]
    run.check(not bad, f"{len(bad)} of {len(samples)} commands not answered 200")
    run.check(
        len(opened) == len(opened_by),
        f"{len(opened_by) - len(opened)} of {len(opened_by)} views.open failed or never came",
    )
    for target in TARGETS:
        run.figures[f"ack.cpu.{target}"] = (cpu[target] - cpu_before[target]) * 1000 / len(kinds)
    if run.figures["ack.cpu.bare"] > 0:
        run.figures["ack.cpu.ratio"] = run.figures["ack.cpu.bot"] / run.figures["ack.cpu.bare"]
    else:
        run.missing["ack.cpu.ratio"] = "too few commands for the kernel's 10 ms CPU ticks"
    reason = None if with_new else "no `new` subcommand on this checkout (intake)"
    for kind in KINDS:
        acks = {
            t: [s.posted.seconds for s in samples if (t, kind) == (s.target, s.kind)]
            for t in TARGETS
        }
        _record(run, f"ack.{kind}", acks, reason if kind == "new" else None)
    delays = {
        t: [
            opened[s.trigger_id] - s.posted.sent
            for s in samples
            if s.target == t and s.trigger_id in opened
        ]
        for t in TARGETS
    }
    _record(run, "views_open", delays, reason)
    return run


def figures(sizes: Sizes) -> list[Figure]:
    result: list[Figure] = []
    for kind in KINDS:
        for target in TARGETS:
            for q in PERCENTILES:
                limit = below(3000, "ms") if target == "bot" and q == 99 else None
                result.append(
                    Figure(f"ack.{kind}.{target}.p{q}", f"ack `{kind}` {target} p{q}", "ms", limit)
                )
        result.append(
            Figure(f"ack.{kind}.ratio.p50", f"ack `{kind}` p50 bot / bare", "x", at_most(1.5, "x"))
        )
    for target in TARGETS:
        result.append(Figure(f"ack.cpu.{target}", f"CPU per command, {target} process", "ms"))
    result.append(Figure("ack.cpu.ratio", "CPU per command bot / bare", "x"))
    for target in TARGETS:
        for q in PERCENTILES:
            limit = below(3000, "ms") if target == "bot" and q == 99 else None
            result.append(
                Figure(
                    f"views_open.{target}.p{q}", f"request → views.open {target} p{q}", "ms", limit
                )
            )
    result.append(Figure("views_open.ratio.p50", "request → views.open p50 bot / bare", "x"))
    return result
