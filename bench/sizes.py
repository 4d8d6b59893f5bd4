"""How big each measurement is: the issue's sizes, a quick pass, and the smoke test's."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Sizes:
    help_requests: int
    new_requests: int
    in_flight: int
    scorecards: int
    scorecard_candidates: int
    digest_candidates: tuple[int, ...]
    reminders: int
    reminder_recipients: int
    # How long the memory measurement lets the bot settle (its first jobs after start-up,
    # the digest command's task): the smoke test reads no figure, so it waits less.
    settle_seconds: float = 1.0


FULL = Sizes(
    help_requests=500,
    new_requests=200,
    in_flight=20,
    scorecards=1000,
    scorecard_candidates=100,
    digest_candidates=(500, 5000),
    reminders=2000,
    reminder_recipients=200,
)
QUICK = Sizes(
    help_requests=100,
    new_requests=40,
    in_flight=20,
    scorecards=200,
    scorecard_candidates=20,
    digest_candidates=(100, 1000),
    reminders=400,
    reminder_recipients=80,
)
SMOKE = Sizes(
    help_requests=8,
    new_requests=4,
    in_flight=4,
    scorecards=12,
    scorecard_candidates=3,
    digest_candidates=(4, 12),
    reminders=12,
    reminder_recipients=6,
    settle_seconds=0.1,
)
SIZES = {"full": FULL, "quick": QUICK, "smoke": SMOKE}
