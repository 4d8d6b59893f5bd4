"""Running an incident scenario in a system-design interview: start the clock, reveal
evidence, log hypotheses and notes, stop the clock at the root cause; and the timelines
that the scorecard and the debrief summary show.

A run belongs to one interviewer: its buttons are in their DM, and nobody else reads its
timeline until `bot.feedback_access` lets them read that interviewer's scorecard.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.candidates import get_candidate
from bot.context import BotContext
from bot.debrief_summary_reads import summary_so_far
from bot.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from bot.incident_scenarios import Inject, Scenario
from bot.incident_timeline import Entry, Timeline, build_timeline
from bot.interviews import get_interview
from bot.kits import Stage
from storage import incidents as store
from storage.audit import record_event
from storage.interviews import interviewers_of
from storage.models import (
    Candidate,
    IncidentEvent,
    IncidentEventKind,
    IncidentRun,
    Interview,
    InterviewStatus,
    row_id,
)

MAX_STATEMENT: Final = 1000
STATEMENT: Final = "text"
SCENARIO: Final = "scenario"
AUDIT_STARTED: Final = "incident_started"

_NOT_ON_PANEL = "Only the interviewers of this interview can run its incident."
_NOT_YOURS = "This incident run is another interviewer's: start your own from your kit."
_STARTED = (
    "You have already started this interview's incident: its run message, with the brief "
    "and the buttons, is in your DM with me."
)
_STOPPED = "The clock of this run has stopped: the root cause was found. Nothing more is logged."
_EPOCH = datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True)
class StartOffer:
    """What *Start incident* offers: the scenarios to pick from and the one suggested."""

    interview: Interview
    candidate: Candidate
    stage: Stage
    choices: tuple[Scenario, ...]
    suggested: Scenario
    # The previous candidate's scenario, left out of the choices.
    previous_key: str | None
    # A panelist already runs this one: the candidate hears one scenario.
    panel_key: str | None


@dataclass(frozen=True)
class RunState:
    run: IncidentRun
    scenario: Scenario
    candidate: Candidate
    interview: Interview
    stage: Stage

    @property
    def run_id(self) -> int:
        return row_id(self.run)


@dataclass(frozen=True)
class Logged:
    """One entry just logged, with the run it belongs to."""

    state: RunState
    entry: Entry


@dataclass(frozen=True)
class Revealed(Logged):
    """An inject just revealed: the entry logged and the evidence it shows."""

    inject: Inject


async def offer_incident(
    session: AsyncSession, bot: BotContext, *, user_id: str, interview_id: int
) -> StartOffer:
    """The choice of scenario; Conflict when the user already started their run."""
    interview, candidate, stage = await _panel_interview(session, bot, user_id, interview_id)
    if await store.run_of(session, interview_id, user_id) is not None:
        raise Conflict(_STARTED)
    scenarios = bot.kits.incidents_of(stage.key)
    if not scenarios:
        raise NotFound(f"The {stage.title} stage has no incident scenarios in prompts/incidents/.")
    panel = await store.runs_of_interview(session, interview_id)
    panel_scenario = next((bot.kits.incident(run.scenario_key) for run in panel), None)
    if panel_scenario is not None:
        return StartOffer(
            interview, candidate, stage, (panel_scenario,), panel_scenario, None, panel_scenario.key
        )
    previous = await store.previous_scenario(session, stage.key, row_id(candidate))
    choices = tuple(s for s in scenarios if s.key != previous) or scenarios
    used = await store.last_used(session, stage.key)
    # The least recently used first, so that a team's scenarios take turns.
    suggested = min(choices, key=lambda scenario: used.get(scenario.key, _EPOCH))
    return StartOffer(interview, candidate, stage, choices, suggested, previous, None)


async def start_incident(
    session: AsyncSession,
    bot: BotContext,
    *,
    user_id: str,
    interview_id: int,
    scenario_key: str | None,
) -> RunState:
    """Start the user's run: the clock starts now."""
    offer = await offer_incident(session, bot, user_id=user_id, interview_id=interview_id)
    if offer.panel_key is not None:
        # A panelist started first: the candidate hears their scenario, whatever was picked.
        scenario: Scenario | None = offer.suggested
    else:
        scenario = next((s for s in offer.choices if s.key == scenario_key), None)
    if scenario is None:
        raise InvalidInput({SCENARIO: "Choose one of the scenarios offered."})
    now = bot.clock.now()
    run = await store.add_run(
        session,
        IncidentRun(
            interview_id=interview_id,
            candidate_id=row_id(offer.candidate),
            stage_key=offer.stage.key,
            interviewer_id=user_id,
            scenario_key=scenario.key,
            started_at=now,
        ),
    )
    if run is None:
        # The same interviewer's other click got there first.
        raise Conflict(_STARTED)
    # Which scenario each candidate had, for comparing like with like later.
    await record_event(
        session,
        actor_id=user_id,
        candidate_id=offer.candidate.id,
        action=AUDIT_STARTED,
        detail={"interview_id": interview_id, "scenario": scenario.key},
        at=now,
    )
    return RunState(run, scenario, offer.candidate, offer.interview, offer.stage)


async def run_state(
    session: AsyncSession, bot: BotContext, *, user_id: str, run_id: int
) -> RunState:
    """The user's own run; NotFound or PermissionDenied otherwise."""
    run = await store.get_run(session, run_id)
    if run is None:
        raise NotFound("That incident run no longer exists.")
    if run.interviewer_id != user_id:
        raise PermissionDenied(_NOT_YOURS)
    interview = await get_interview(session, run.interview_id)
    candidate = await get_candidate(session, run.candidate_id)
    return _state(bot, run, candidate, interview, bot.kits.stage(interview.stage_key))


async def reveal(
    session: AsyncSession,
    bot: BotContext,
    *,
    user_id: str,
    run_id: int,
    inject_id: str,
    asked: bool,
) -> Revealed:
    """Log an inject as revealed: asked for by the candidate, or handed over."""
    state = await running_state(session, bot, user_id, run_id)
    inject = state.scenario.inject(inject_id)
    if inject is None:
        raise NotFound("That evidence is no longer in the scenario. Please reopen the run.")
    event = IncidentEvent(
        run_id=run_id,
        kind=IncidentEventKind.REVEAL,
        at=bot.clock.now(),
        inject_id=inject.id,
        asked=asked,
    )
    await store.add_event(session, event)
    return Revealed(state, _entry(state, event, inject.label), inject)


async def log_statement(
    session: AsyncSession,
    bot: BotContext,
    *,
    user_id: str,
    run_id: int,
    kind: IncidentEventKind,
    text: str | None,
) -> Logged:
    """Log a hypothesis the candidate put forward, or the interviewer's note."""
    cleaned = (text or "").strip()
    if not cleaned:
        raise InvalidInput({STATEMENT: "Write what was said."})
    if len(cleaned) > MAX_STATEMENT:
        raise InvalidInput({STATEMENT: f"At most {MAX_STATEMENT} characters, please."})
    state = await running_state(session, bot, user_id, run_id)
    event = IncidentEvent(run_id=run_id, kind=kind, at=bot.clock.now(), text=cleaned)
    await store.add_event(session, event)
    return Logged(state, _entry(state, event))


async def root_cause_found(
    session: AsyncSession, bot: BotContext, *, user_id: str, run_id: int
) -> Logged:
    """Stop the clock: the candidate found the root cause."""
    state = await running_state(session, bot, user_id, run_id)
    now = bot.clock.now()
    if not await store.stop_clock(session, run_id, now):
        raise Conflict(_STOPPED)
    event = IncidentEvent(run_id=run_id, kind=IncidentEventKind.ROOT_CAUSE, at=now)
    await store.add_event(session, event)
    return Logged(state, _entry(state, event))


async def own_timeline(
    session: AsyncSession, bot: BotContext, *, user_id: str, interview_id: int
) -> Timeline | None:
    """The user's own timeline of the interview, for their scorecard; None without a run."""
    run = await store.run_of(session, interview_id, user_id)
    if run is None:
        return None
    return (await _timelines(session, bot, [run]))[0]


async def visible_timelines(
    session: AsyncSession, bot: BotContext, *, user_id: str, interview_id: int
) -> list[Timeline]:
    """The interview's timelines that ``user_id`` may read: their own, and the others'
    when the independence rule lets them read the others' ratings."""
    runs = await store.runs_of_interview(session, interview_id)
    if any(run.interviewer_id != user_id for run in runs):
        so_far = await summary_so_far(session, bot, user_id=user_id, interview_id=interview_id)
        if so_far.ratings_hidden:
            runs = [run for run in runs if run.interviewer_id == user_id]
    return await _timelines(session, bot, runs)


async def _timelines(
    session: AsyncSession, bot: BotContext, runs: list[IncidentRun]
) -> list[Timeline]:
    events = await store.events_of(session, [run.id for run in runs if run.id is not None])
    return [build_timeline(run, events, bot.kits.incident(run.scenario_key)) for run in runs]


async def _panel_interview(
    session: AsyncSession, bot: BotContext, user_id: str, interview_id: int
) -> tuple[Interview, Candidate, Stage]:
    interview = await get_interview(session, interview_id)
    panel = await interviewers_of(session, interview_id)
    if not any(seat.user_id == user_id and seat.attended for seat in panel):
        raise PermissionDenied(_NOT_ON_PANEL)
    if interview.status == InterviewStatus.CANCELLED:
        raise Conflict("This interview was cancelled.")
    candidate = await get_candidate(session, interview.candidate_id)
    return interview, candidate, bot.kits.stage(interview.stage_key)


async def running_state(
    session: AsyncSession, bot: BotContext, user_id: str, run_id: int
) -> RunState:
    """The user's own run while its clock runs; Conflict once the root cause is found."""
    state = await run_state(session, bot, user_id=user_id, run_id=run_id)
    if state.run.root_cause_at is not None:
        raise Conflict(_STOPPED)
    return state


def _state(
    bot: BotContext, run: IncidentRun, candidate: Candidate, interview: Interview, stage: Stage
) -> RunState:
    scenario = bot.kits.incident(run.scenario_key)
    if scenario is None:
        raise NotFound(
            f"The scenario {run.scenario_key!r} is no longer in prompts/incidents/; "
            "this run cannot go on."
        )
    return RunState(run, scenario, candidate, interview, stage)


def _entry(state: RunState, event: IncidentEvent, label: str | None = None) -> Entry:
    return Entry(
        elapsed=event.at - state.run.started_at,
        kind=IncidentEventKind(event.kind),
        text=event.text,
        inject_label=label,
        asked=event.asked,
    )
