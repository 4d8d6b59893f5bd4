"""Resident memory of the bot process: idle after start-up on an empty database, and
after it posted the digest of the largest pipeline (``/mlops-candidate digest``, which
also gives the digest's time end to end in the bot: request to message in the channel)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bench import digest
from bench.report import Figure
from bench.sizes import Sizes
from bench.world import HIRING_CHANNEL, Bench, Run, World, world

DIGEST_WAIT = 60.0


async def _digest_in_bot(state: World, run: Run, size: int, settle: float) -> None:
    bot = await state.start_bot()
    await asyncio.sleep(settle)
    body, _ = state.command("digest")
    posted = await state.post(bot.events_url, body)
    run.check(posted.status == 200, f"/mlops-candidate digest answered {posted.status}")
    calls = await state.wait_for_calls(
        "chat.postMessage",
        1,
        DIGEST_WAIT,
        lambda call: call.args.get("channel") == HIRING_CHANNEL,
    )
    run.check(bool(calls), f"no digest of {size} candidates in the channel within {DIGEST_WAIT} s")
    if not calls:
        return
    await asyncio.sleep(settle)
    rss, peak = bot.memory_mib()
    run.figures["memory.digest"] = rss
    run.figures["memory.digest.peak"] = peak
    run.figures["digest.in_bot"] = (calls[0].at - posted.sent) * 1000


async def run_once(bench: Bench, workdir: Path, index: int) -> Run:
    run = Run()
    empty = await bench.copy(await bench.database("empty"), workdir / "idle")
    async with world(workdir / "idle", empty) as state:
        bot = await state.start_bot()
        await asyncio.sleep(bench.sizes.settle_seconds)
        run.figures["memory.idle"] = bot.memory_mib()[0]
    size = max(bench.sizes.digest_candidates)
    seeded = await bench.copy(await digest.pipeline(bench, size), workdir / "digest")
    async with world(workdir / "digest", seeded) as state:
        await _digest_in_bot(state, run, size, bench.sizes.settle_seconds)
    return run


def figures(sizes: Sizes) -> list[Figure]:
    size = max(sizes.digest_candidates)
    return [
        Figure("memory.idle", "bot RSS, idle after start-up", "MiB"),
        Figure("memory.digest", f"bot RSS after the digest of {size} candidates", "MiB"),
        Figure("memory.digest.peak", f"bot peak RSS, digest of {size} candidates", "MiB"),
        Figure("digest.in_bot", f"digest of {size} in the bot: request → posted", "ms"),
    ]
