"""``--demo``: three candidates at different stages, played through the bot as people
would (commands, buttons, modals), with the clock moved on between steps.

The clock starts ``SPAN`` in the past and ends near the wall clock, so the story has
happened by the time the page opens: Priya passed screening and is half-way through the
technical round (one scorecard late), Tomás's screening panel is complete and a debrief is
booked, Jordan's screening is tomorrow.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from playground.forms import fill
from playground.people import HIRING_CHANNEL, HIRING_MANAGER, INTERVIEWERS
from playground.web import Playground

SPAN = timedelta(days=6)
# How long the bot may take to do what a click asks (it works after its ack).
PATIENCE = 10.0

RAVI, ANA, SAM = INTERVIEWERS


class DemoError(Exception):
    """The bot did not do what the demo expected; the message says which step."""


async def _until(found: Callable[[], Any], what: str) -> Any:
    for _ in range(int(PATIENCE / 0.05)):
        result = found()
        if result:
            return result
        await asyncio.sleep(0.05)
    raise DemoError(f"demo: gave up waiting for {what}")


def _slot(moment: datetime, *, hours: float) -> int:
    """Unix seconds ``hours`` after ``moment``, on the half hour."""
    later = moment + timedelta(hours=hours)
    return int(later.timestamp()) // 1800 * 1800


class Demo:
    def __init__(self, playground: Playground) -> None:
        self.pg = playground

    def _top_modal(self, user_id: str, *, besides: str | None = None) -> dict[str, Any] | None:
        self.pg.surfaces.refresh()
        stack = self.pg.surfaces.modals.get(user_id, [])
        if not stack or stack[-1] == besides:
            return None
        return self.pg.fake.view(stack[-1])

    def _card(self, name: str) -> dict[str, Any] | None:
        for message in self.pg.fake.messages_in(HIRING_CHANNEL):
            if message.get("thread_ts", message["ts"]) == message["ts"] and name in str(
                message.get("blocks")
            ):
                return message
        return None

    async def _answer_modals(self, user_id: str, answers: Mapping[str, Any]) -> None:
        """Submit the modal the user has open, and any the bot opens after it."""
        view = await _until(lambda: self._top_modal(user_id), "a modal to open")
        while view is not None:
            result = await self.pg.submit(user_id, view["id"], fill(view, answers))
            if result["errors"] or result["status"] != 200:
                raise DemoError(f"demo: {view['callback_id']} refused: {result}")
            await asyncio.sleep(0.2)
            view = self._top_modal(user_id)

    async def _click(
        self, user_id: str, name: str, action_id: str, answers: Mapping[str, Any]
    ) -> None:
        card = await _until(lambda: self._card(name), f"{name}'s card")
        for block in card.get("blocks", []):
            for element in block.get("elements", []):
                if element.get("action_id") == action_id:
                    await self.pg.action(
                        user_id,
                        element,
                        block.get("block_id", ""),
                        channel_id=HIRING_CHANNEL,
                        ts=card["ts"],
                        view_id=None,
                        values=None,
                    )
                    await self._answer_modals(user_id, answers)
                    return
        raise DemoError(f"demo: {name}'s card has no {action_id} button")

    async def new_candidate(self, name: str, level: str, location: str, notes: str) -> None:
        await self.pg.command(HIRING_MANAGER.id, "new", HIRING_CHANNEL)
        await self._answer_modals(
            HIRING_MANAGER.id,
            {
                "candidate_name": name,
                "candidate_level": level,
                "candidate_location": location,
                "candidate_profile_url": "https://www.linkedin.com/in/"
                + name.lower().replace(" ", "-").replace("á", "a"),
                "candidate_source": "Referral",
                "candidate_hiring_manager": HIRING_MANAGER.id,
                "candidate_notes": notes,
            },
        )
        await _until(lambda: self._card(name), f"{name}'s card")

    async def schedule(self, name: str, panel: list[str], starts_at: int, stage: str) -> None:
        answers = {
            "schedule_stage": stage,
            "schedule_interviewers": panel,
            "schedule_starts_at": starts_at,
            "schedule_video_link": "https://meet.example.com/mlops-loop",
        }
        await self._click(HIRING_MANAGER.id, name, "schedule_interview", answers)

    async def scorecard(self, user_id: str, name: str, score: str, evidence: str) -> None:
        answers = {
            "scorecard_competency": score,
            "scorecard_quality": score,
            "scorecard_overall": score,
            "scorecard_evidence": evidence,
        }
        await self._click(user_id, name, "submit_scorecard", answers)

    async def play(self) -> None:
        clock = self.pg.clock
        await self.new_candidate(
            "Priya Raman", "senior", "uk_london", "Ran *Kubeflow* on GKE for 40 teams."
        )
        await self.new_candidate(
            "Tomás Ortega", "mid", "de_nl", "Feature store migration at a fintech."
        )
        await self.new_candidate("Jordan Lee", "mid", "remote_us", "Applied via the careers page.")
        start = clock.now()
        await self.schedule("Priya Raman", [RAVI.id, ANA.id], _slot(start, hours=1), "screening")
        await self.schedule("Tomás Ortega", [SAM.id, RAVI.id], _slot(start, hours=2), "screening")
        await self.pg.advance(4)
        await self.scorecard(RAVI.id, "Priya Raman", "4", "Walked through canary rollouts.")
        await self.scorecard(ANA.id, "Priya Raman", "3", "Solid on drift monitoring.")
        await self.scorecard(SAM.id, "Tomás Ortega", "3", "Good feature store depth.")
        await self.scorecard(RAVI.id, "Tomás Ortega", "2", "Vague on rollback plans.")
        await self._click(
            HIRING_MANAGER.id,
            "Priya Raman",
            "record_decision",
            {"decision_outcome": "advance", "decision_reason": "Strong screening panel."},
        )
        await self._click(
            HIRING_MANAGER.id,
            "Tomás Ortega",
            "schedule_debrief",
            {"debrief_starts_at": _slot(start, hours=SPAN.total_seconds() / 3600 + 20)},
        )
        await self.pg.advance(20)
        technical = _slot(clock.now(), hours=2)
        await self.schedule("Priya Raman", [SAM.id, ANA.id], technical, "technical")
        await self.pg.advance(4)
        await self.scorecard(SAM.id, "Priya Raman", "3", "Clear on GPU scheduling trade-offs.")
        jordan = _slot(start, hours=SPAN.total_seconds() / 3600 + 26)
        await self.schedule("Jordan Lee", [ANA.id], jordan, "screening")
        # Back to the present: Ana's technical scorecard is late, so her reminder is due.
        rest = -clock.offset - timedelta(minutes=1)
        if rest > timedelta(0):
            clock.advance(rest)
        self.pg.run_due_jobs()


async def seed(playground: Playground) -> None:
    await Demo(playground).play()
