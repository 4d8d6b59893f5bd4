"""Everything stored about one candidate: read it all out, or delete it all."""

from __future__ import annotations

from typing import Any

from sqlmodel import SQLModel, col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import (
    AuditEvent,
    Candidate,
    Debrief,
    DebriefAttendee,
    Decision,
    IncidentEvent,
    IncidentRun,
    Interview,
    InterviewInterviewer,
    Reminder,
    Scorecard,
    ScorecardRating,
    ScorecardRead,
    ScorecardRevision,
)


def _rows(rows: list[SQLModel] | Any) -> list[dict[str, Any]]:
    return [row.model_dump(mode="json") for row in rows]


async def candidate_records(session: AsyncSession, candidate_id: int) -> dict[str, Any]:
    """Every row that belongs to the candidate, as JSON-ready dicts, table by table."""
    interview_ids = select(Interview.id).where(Interview.candidate_id == candidate_id)
    debrief_ids = select(Debrief.id).where(Debrief.candidate_id == candidate_id)
    scorecard_ids = select(Scorecard.id).where(col(Scorecard.interview_id).in_(interview_ids))
    queries: dict[str, Any] = {
        "candidate": select(Candidate).where(Candidate.id == candidate_id),
        "interviews": select(Interview).where(Interview.candidate_id == candidate_id),
        "interviewers": select(InterviewInterviewer).where(
            col(InterviewInterviewer.interview_id).in_(interview_ids)
        ),
        "scorecards": select(Scorecard).where(col(Scorecard.id).in_(scorecard_ids)),
        "ratings": select(ScorecardRating).where(
            col(ScorecardRating.scorecard_id).in_(scorecard_ids)
        ),
        "scorecard_revisions": select(ScorecardRevision).where(
            col(ScorecardRevision.scorecard_id).in_(scorecard_ids)
        ),
        "scorecard_reads": select(ScorecardRead).where(
            col(ScorecardRead.interview_id).in_(interview_ids)
        ),
        "decisions": select(Decision).where(Decision.candidate_id == candidate_id),
        "debriefs": select(Debrief).where(Debrief.candidate_id == candidate_id),
        "debrief_attendees": select(DebriefAttendee).where(
            col(DebriefAttendee.debrief_id).in_(debrief_ids)
        ),
        "reminders": select(Reminder).where(Reminder.candidate_id == candidate_id),
        "incident_runs": select(IncidentRun).where(IncidentRun.candidate_id == candidate_id),
        "incident_events": select(IncidentEvent).where(
            col(IncidentEvent.run_id).in_(
                select(IncidentRun.id).where(IncidentRun.candidate_id == candidate_id)
            )
        ),
        "audit_events": select(AuditEvent).where(AuditEvent.candidate_id == candidate_id),
    }
    return {name: _rows((await session.exec(query)).all()) for name, query in queries.items()}


async def direct_messages(session: AsyncSession, candidate_id: int) -> list[tuple[str, str]]:
    """(channel, ts) of the interview DMs and incident run messages the bot sent about the
    candidate."""
    rows = await session.exec(
        select(InterviewInterviewer.dm_channel_id, InterviewInterviewer.dm_ts)
        .join(Interview, col(Interview.id) == col(InterviewInterviewer.interview_id))
        .where(Interview.candidate_id == candidate_id)
        .where(col(InterviewInterviewer.dm_ts).is_not(None))
    )
    runs = await session.exec(
        select(IncidentRun.dm_channel_id, IncidentRun.dm_ts).where(
            IncidentRun.candidate_id == candidate_id
        )
    )
    return [(channel, ts) for channel, ts in [*rows.all(), *runs.all()] if channel and ts]


async def delete_candidate(session: AsyncSession, candidate_id: int) -> None:
    """Delete the candidate; the foreign keys cascade to everything that belongs to it."""
    await session.exec(delete(Candidate).where(col(Candidate.id) == candidate_id))
