"""Scorecard submissions: signed view_submissions, each answered once it is committed.

``scorecard_candidates`` (100) candidates have one interview each, long over, with
``scorecards / scorecard_candidates`` (10) interviewers who have not submitted. Each
interviewer first opens the modal as Slack users do, with the *Submit scorecard* button
of their interview (not timed); then every modal the bot opened is filled in and submitted,
``in_flight`` (20) at a time. Latency is from the request to the end of its answer. As each
answer arrives the bench looks the scorecard up in the database: the bot promises that a
modal closes only once its scorecard is committed.

The floor: then the same submissions, as many at a time, go to bare bolt
(``bench/bare.py``), which acks each once one row naming it is committed through the bot's
database layer. What the bot takes beyond it is what the bot does with a scorecard.
"""

from __future__ import annotations

import sqlite3
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, update
from sqlmodel import col, select

from bench.forms import filled
from bench.report import Figure, below
from bench.seed import Shape, interviewers_of, seed_pipeline
from bench.sizes import Sizes
from bench.stats import percentile
from bench.world import (
    HIRING_CHANNEL,
    POSTS_PER_SECOND,
    Bench,
    Posted,
    Run,
    World,
    concurrently,
    world,
)
from bot.kits import default_prompts_dir, load_kits
from handlers.ids import Action, View
from handlers.refs import Ref, ref
from slackfake import requests as sr
from storage.db import create_engine, session_factory, transaction
from storage.models import Candidate

EVIDENCE = "Designed a canary rollout with automatic rollback on drift alerts."
# A trigger lives 3 s: a views.open later than this has failed anyway.
OPEN_WAIT = 5.0
PERCENTILES = (50, 95, 99)
# Reads per way of reading, for the statement floor.
READS = 2000


@dataclass(frozen=True)
class Seat:
    interview_id: int
    user_id: str


def unavailable() -> str | None:
    if not hasattr(View, "SCORECARD"):
        return "no scorecard modal on this checkout (scorecards)"
    return None


def _shape(sizes: Sizes) -> Shape:
    return Shape(
        candidates=sizes.scorecard_candidates,
        interviews=1,
        interviewers=sizes.scorecards // sizes.scorecard_candidates,
        scorecards=0,
    )


def _seats(shape: Shape) -> list[Seat]:
    # With one interview each, interview n belongs to candidate n.
    return [
        Seat(interview, user)
        for interview in range(1, shape.candidates + 1)
        for user in interviewers_of(shape, interview, latest=True)
    ]


async def _database(bench: Bench) -> Path:
    shape = _shape(bench.sizes)

    async def seed(url: str) -> None:
        engine = create_engine(url)
        try:
            await seed_pipeline(
                session_factory(engine), load_kits(default_prompts_dir()), shape, datetime.now(UTC)
            )
        finally:
            await engine.dispose()

    return await bench.database(f"scorecards-{bench.sizes.scorecards}", seed)


async def _post_cards(state: World, candidates: int) -> None:
    """Each candidate's card as a message the fake knows, so the bot can update it."""
    engine = create_engine(state.database_url)
    try:
        async with transaction(session_factory(engine)) as session:
            for number in range(1, candidates + 1):
                ts = state.fake.add_message(HIRING_CHANNEL, text=f"card {number}")
                await session.exec(
                    update(Candidate)
                    .where(col(Candidate.id) == number)
                    .values(channel_id=HIRING_CHANNEL, thread_ts=ts)
                )
    finally:
        await engine.dispose()


async def _timed(read: Callable[[], Awaitable[object]]) -> float:
    """Microseconds per ``read``, after one to warm the caches."""
    await read()
    started = time.perf_counter()
    for _ in range(READS):
        await read()
    return (time.perf_counter() - started) / READS * 1e6


async def _read_costs(url: str, database: Path) -> dict[str, float]:
    """Microseconds per read of one candidate by primary key, run alone after the bot has
    stopped: as the bot's ORM queries run (an entity through a session), as plain rows
    through the same connection (SQLAlchemy Core), and straight through sqlite3. A
    submission runs a few dozen statements: this is what each costs before it does anything."""
    table = Candidate.__table__  # type: ignore[attr-defined]
    entity = select(Candidate).where(col(Candidate.id) == bindparam("id"))
    rows = select(table).where(table.c.id == bindparam("id"))
    plain = sqlite3.connect(database)
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            connection = await session.connection()

            async def orm() -> object:
                return (await session.exec(entity, params={"id": 1})).all()

            async def core() -> object:
                return (await connection.execute(rows, {"id": 1})).all()

            async def straight() -> object:
                return plain.execute("SELECT * FROM candidate WHERE id = ?", (1,)).fetchall()

            return {
                "read.orm": await _timed(orm),
                "read.core": await _timed(core),
                "read.sqlite": await _timed(straight),
            }
    finally:
        await engine.dispose()
        plain.close()


async def _open(state: World, url: str, seat: Seat) -> dict[str, Any]:
    """The seat's scorecard modal, opened through its button ({} if none came): the
    next click waits for it, as a person would."""
    trigger_id = state.fake.new_trigger_id()
    body = sr.block_actions(
        user_id=seat.user_id,
        action_id=Action.SUBMIT_SCORECARD,
        value=ref(Ref.INTERVIEW, seat.interview_id),
        trigger_id=trigger_id,
    )
    clicked = await state.post(url, body)
    if clicked.status != 200:
        return {}
    call = await state.call_for_trigger(trigger_id, OPEN_WAIT)
    return call.response.get("view", {}) if call is not None else {}


async def run_once(bench: Bench, workdir: Path, index: int) -> Run:
    run = Run()
    shape = _shape(bench.sizes)
    seats = _seats(shape)
    database = await bench.copy(await _database(bench), workdir)
    committed = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    early: list[Seat] = []

    def body(seat: Seat, view: dict[str, Any]) -> str:
        return sr.view_submission(
            user_id=seat.user_id, view=view, values=filled(view, seat.interview_id, EVIDENCE)
        )

    async def submit(item: tuple[Seat, dict[str, Any]]) -> Posted:
        seat, view = item
        posted = await state.post(bot.events_url, body(seat, view))
        if posted.status != 200 or posted.text:
            return posted
        found = committed.execute(
            "SELECT 1 FROM scorecard WHERE interview_id = ? AND interviewer_id = ?",
            (seat.interview_id, seat.user_id),
        ).fetchone()
        if found is None:
            early.append(seat)
        return posted

    async with world(workdir, database) as state:
        # The cards and thread notes go to one channel: Slack takes one a second there.
        state.fake.rate_limit("chat.postMessage", POSTS_PER_SECOND)
        for user in {seat.user_id for seat in seats}:
            state.fake.add_user(user)
        await _post_cards(state, shape.candidates)
        bot = await state.start_bot()
        views = await concurrently(
            seats, bench.sizes.in_flight, lambda seat: _open(state, bot.events_url, seat)
        )
        opened = [
            (s, v)
            for s, v in zip(seats, views, strict=True)
            if v.get("callback_id") == View.SCORECARD
        ]
        run.check(
            len(opened) == len(seats), f"{len(seats) - len(opened)} scorecard modals did not open"
        )
        cpu = bot.cpu_seconds()
        answers = await concurrently(opened, bench.sizes.in_flight, submit)
        cpu = bot.cpu_seconds() - cpu
        bare = await state.start_bare()
        bare_cpu = bare.cpu_seconds()
        floor = await concurrently(
            opened,
            bench.sizes.in_flight,
            lambda item: state.post(bare.events_url, body(*item)),
        )
        bare_cpu = bare.cpu_seconds() - bare_cpu
    committed.close()
    run.figures |= await _read_costs(state.database_url, database)
    refused = Counter(a.status for a in answers if a.status != 200 or a.text)
    run.check(
        not refused,
        f"{refused.total()} of {len(answers)} submissions not accepted (HTTP status: count "
        f"{dict(refused)}; bolt answers 404 when a listener has not acked within 3 s)",
    )
    run.check(not early, f"{len(early)} modals closed before their scorecard was committed")
    run.check(
        all(a.status == 200 for a in floor),
        f"{sum(a.status != 200 for a in floor)} submissions to bare bolt not accepted",
    )
    for name, timed, seconds in (("scorecard", answers, cpu), ("scorecard.bare", floor, bare_cpu)):
        if timed:
            for q in PERCENTILES:
                run.figures[f"{name}.p{q}"] = percentile([a.seconds for a in timed], q) * 1000
            run.figures[f"{name}.cpu"] = seconds / len(timed) * 1000
    return run


def figures(sizes: Sizes) -> list[Figure]:
    n, people = sizes.scorecards, sizes.scorecard_candidates
    bot = [
        Figure(
            f"scorecard.p{q}",
            f"{n} scorecards for {people} candidates: request → committed p{q}",
            "ms",
            below(3000, "ms") if q == 99 else None,
        )
        for q in PERCENTILES
    ]
    bare = [
        Figure(
            f"scorecard.bare.p{q}",
            f"the same {n} submissions to bare bolt, one row committed: p{q}",
            "ms",
        )
        for q in PERCENTILES
    ]
    cpu = [
        Figure("scorecard.cpu", "CPU per scorecard submitted, bot process", "ms"),
        Figure("scorecard.bare.cpu", "CPU per submission, bare bolt process", "ms"),
    ]
    reads = [
        Figure("read.orm", "one read by primary key through storage.db: an ORM entity", "µs"),
        Figure("read.core", "the same read as plain rows (SQLAlchemy Core)", "µs"),
        Figure("read.sqlite", "the same read straight through sqlite3", "µs"),
    ]
    return bot + bare + cpu + reads
