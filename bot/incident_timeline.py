"""A run's timeline: what was revealed and said, and when, measured from the start.

Pure: built from the stored run and its entries and the scenario (which gives inject
labels; a scenario removed from `prompts/` since leaves its ids instead).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.incident_scenarios import Scenario
from storage.models import IncidentEvent, IncidentEventKind, IncidentRun


@dataclass(frozen=True)
class Entry:
    elapsed: timedelta
    kind: IncidentEventKind
    text: str | None = None
    inject_label: str | None = None
    # For a reveal: True when the candidate asked for it, False when handed over.
    asked: bool | None = None


@dataclass(frozen=True)
class Timeline:
    interviewer_id: str
    scenario_key: str
    scenario_title: str
    started_at: datetime
    entries: tuple[Entry, ...]
    root_cause_after: timedelta | None
    # Labels of the scenario's injects nobody revealed.
    unrevealed: tuple[str, ...]

    @property
    def hypotheses(self) -> tuple[Entry, ...]:
        return self._of(IncidentEventKind.HYPOTHESIS)

    @property
    def notes(self) -> tuple[Entry, ...]:
        return self._of(IncidentEventKind.NOTE)

    @property
    def first_hypothesis_after(self) -> timedelta | None:
        return self.hypotheses[0].elapsed if self.hypotheses else None

    @property
    def asked_for(self) -> tuple[str, ...]:
        """Injects the candidate asked for, in the order they were revealed."""
        return tuple(entry.inject_label or "" for entry in self._first_reveals() if entry.asked)

    @property
    def handed_over(self) -> tuple[str, ...]:
        """Injects handed over without being asked for."""
        return tuple(entry.inject_label or "" for entry in self._first_reveals() if not entry.asked)

    def _of(self, kind: IncidentEventKind) -> tuple[Entry, ...]:
        return tuple(entry for entry in self.entries if entry.kind == kind)

    def _first_reveals(self) -> list[Entry]:
        # Showing the same evidence again is no new information about the candidate.
        seen: set[str | None] = set()
        first = []
        for entry in self._of(IncidentEventKind.REVEAL):
            if entry.inject_label not in seen:
                seen.add(entry.inject_label)
                first.append(entry)
        return first


def build_timeline(
    run: IncidentRun, events: Sequence[IncidentEvent], scenario: Scenario | None
) -> Timeline:
    labels = {inject.id: inject.label for inject in scenario.injects} if scenario else {}
    entries = tuple(
        Entry(
            elapsed=event.at - run.started_at,
            kind=IncidentEventKind(event.kind),
            text=event.text,
            inject_label=labels.get(event.inject_id, event.inject_id) if event.inject_id else None,
            asked=event.asked,
        )
        for event in events
        if event.run_id == run.id
    )
    revealed = {event.inject_id for event in events if event.run_id == run.id}
    return Timeline(
        interviewer_id=run.interviewer_id,
        scenario_key=run.scenario_key,
        scenario_title=scenario.title if scenario else run.scenario_key,
        started_at=run.started_at,
        entries=entries,
        root_cause_after=run.root_cause_at - run.started_at if run.root_cause_at else None,
        unrevealed=tuple(
            inject.label
            for inject in (scenario.injects if scenario else ())
            if inject.id not in revealed
        ),
    )


def clock_text(elapsed: timedelta) -> str:
    """``7:05`` for seven minutes five seconds; ``1:02:05`` past the hour."""
    seconds = max(0, int(elapsed.total_seconds()))
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"
