"""The tables of the whole hiring loop: candidates to decisions, reminders and audit.

Enumerated columns are stored as short strings (``StrEnum`` values), so that a
migration never has to alter a database enum type and PostgreSQL and SQLite agree.
All times are UTC (see ``UTCDateTime``).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy import JSON, Column, Index, String, UniqueConstraint, false
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime


class CandidateStatus(StrEnum):
    ACTIVE = "active"
    ON_HOLD = "on_hold"
    OFFER = "offer"
    HIRED = "hired"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


CLOSED_STATUSES = frozenset(
    {CandidateStatus.HIRED, CandidateStatus.REJECTED, CandidateStatus.WITHDRAWN}
)


class InterviewStatus(StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class Outcome(StrEnum):
    ADVANCE = "advance"
    REJECT = "reject"
    OFFER = "offer"
    HOLD = "hold"
    RESUME = "resume"  # off hold, back to active in the same stage
    HIRED = "hired"
    WITHDRAWN = "withdrawn"


class RatingKind(StrEnum):
    COMPETENCY = "competency"
    QUALITY = "quality"


class ReminderStatus(StrEnum):
    PENDING = "pending"
    CLAIMED = "claimed"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"


class OutboxMethod(StrEnum):
    POST = "post"  # chat.postMessage in a channel, or a reply in a thread
    DM = "dm"  # chat.postMessage to a person (Slack opens the DM)
    UPDATE = "update"  # chat.update of the message posted under the same key
    DELETE = "delete"  # chat.delete (or files.delete) of a message sent before
    UPLOAD = "upload"  # files_upload_v2 into a person's DM


class OutboxStatus(StrEnum):
    PENDING = "pending"
    CLAIMED = "claimed"
    SENT = "sent"
    FAILED = "failed"  # Slack refused it for good, or it stayed undelivered too long
    CANCELLED = "cancelled"  # its reason went away before it was sent (an erase)


class UnsavedRow(RuntimeError):
    """A row's id was needed before the row was flushed to the database: a bug, not input."""


class HasId(Protocol):
    @property
    def id(self) -> int | None: ...


def row_id(row: HasId) -> int:
    """The id of a row read from or flushed to the database.

    A table's ``id`` is None only between building a row and flushing it, so code holding
    a stored row asks here instead of narrowing with an ``assert`` (which ``python -O``
    drops): the type is ``int``, and the mistake of asking too early is named.
    """
    if row.id is None:
        raise UnsavedRow(f"{type(row).__name__} has no id yet: it was never flushed")
    return row.id


def _utc(**kwargs: Any) -> Any:
    return Field(sa_type=UTCDateTime, **kwargs)


def _str(length: int, **kwargs: Any) -> Any:
    return Field(sa_type=String(length), **kwargs)


class Candidate(SQLModel, table=True):
    __tablename__ = "candidate"
    __table_args__ = (
        # The pipeline by stage, longest in it first; idle candidates; those waiting.
        Index("ix_candidate_status_stage", "status", "stage_key", "stage_entered_at"),
        Index("ix_candidate_status_activity", "status", "last_activity_at"),
        Index("ix_candidate_status_ready", "status", "stage_ready_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = _str(100)
    # Case-folded, whitespace-folded name: duplicate checks and search use it. Case folding
    # makes a character up to three (bot.candidates.CASEFOLD_GROWTH): 3 x the name's 100.
    name_key: str = _str(300, index=True)
    level: str = _str(20)
    location: str = _str(40)
    profile_url: str | None = _str(500, default=None)
    # SHA-256 of the normalised link (bot.candidates.profile_key), in hex.
    profile_url_key: str | None = _str(64, default=None, index=True)
    source: str | None = _str(200, default=None)
    notes: str | None = _str(3000, default=None)
    # Where invitations go by email, and when and where the candidate can meet: optional.
    email: str | None = _str(254, default=None)
    timezone: str | None = _str(64, default=None)
    hours: str | None = _str(11, default=None)  # "HH:MM-HH:MM" in their time zone
    hiring_manager_id: str = _str(32, index=True)
    created_by: str = _str(32)
    stage_key: str = _str(40)
    status: str = _str(20, default=CandidateStatus.ACTIVE)
    stage_entered_at: datetime = _utc()
    last_activity_at: datetime = _utc()
    channel_id: str | None = _str(32, default=None)
    thread_ts: str | None = _str(32, default=None)
    # chat.getPermalink of the card, kept so that DMs, digests and lists link to the
    # thread without a Slack call each.
    permalink: str | None = _str(500, default=None)
    # Slack's view id of the intake modal: a resubmitted view finds its candidate.
    intake_view_id: str | None = _str(32, default=None, unique=True)
    created_at: datetime = _utc()
    updated_at: datetime = _utc()
    closed_at: datetime | None = _utc(default=None)
    # Retention (RETENTION_DAYS): when the hiring manager was told of the coming erasure,
    # and until when they asked to keep the candidate.
    retention_warned_at: datetime | None = _utc(default=None)
    keep_until: datetime | None = _utc(default=None)
    # Since when the current stage has had every scorecard in with no decision since: the
    # digest's "decisions waiting" read by index (storage.marks keeps it).
    stage_ready_at: datetime | None = _utc(default=None)


class Interview(SQLModel, table=True):
    __tablename__ = "interview"
    __table_args__ = (
        Index("ix_interview_status_starts", "status", "starts_at"),
        # A few candidates' scheduled interviews (the pipeline's next steps).
        Index("ix_interview_candidate_status", "candidate_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    candidate_id: int = Field(foreign_key="candidate.id", index=True, ondelete="CASCADE")
    stage_key: str = _str(40)
    starts_at: datetime = _utc()
    duration_minutes: int
    video_link: str | None = _str(500, default=None)
    status: str = _str(20, default=InterviewStatus.SCHEDULED)
    # The thread reply that announces the interview, edited on reschedule or cancel.
    message_ts: str | None = _str(32, default=None)
    schedule_view_id: str | None = _str(32, default=None, unique=True)
    # Set by whoever posts the debrief summary: two last scorecards landing together
    # must not post it twice.
    summary_posted_at: datetime | None = _utc(default=None)
    # The .ics SEQUENCE: raised on every reschedule and on cancel, so calendars apply the
    # newest invitation of the interview's one UID.
    ics_sequence: int = 0
    created_by: str = _str(32)
    created_at: datetime = _utc()
    updated_at: datetime = _utc()


class InterviewInterviewer(SQLModel, table=True):
    __tablename__ = "interview_interviewer"
    __table_args__ = (
        # The team's on-time figure: deadlines in a window, and whether each was met.
        Index("ix_seat_due_in", "scorecard_due_at", "scorecard_in_at"),
        # One interviewer's figure.
        Index("ix_seat_user_due", "user_id", "scorecard_due_at"),
        # Overdue scorecards: counted by deadline, listed by interviewer.
        Index("ix_seat_owed", "owed_due_at"),
        Index("ix_seat_user_owed", "user_id", "owed_due_at"),
    )

    interview_id: int = Field(foreign_key="interview.id", primary_key=True, ondelete="CASCADE")
    user_id: str = _str(32, primary_key=True)
    attended: bool = True
    dm_channel_id: str | None = _str(32, default=None)
    dm_ts: str | None = _str(32, default=None)
    dm_error: str | None = _str(64, default=None)
    # Kept by storage.marks: when this seat's scorecard is due (none when it owes none:
    # not attended, interview cancelled), when it came in, and the deadline again while it
    # is owed to an open candidate.
    scorecard_due_at: datetime | None = _utc(default=None)
    scorecard_in_at: datetime | None = _utc(default=None)
    owed_due_at: datetime | None = _utc(default=None)


class Scorecard(SQLModel, table=True):
    __tablename__ = "scorecard"
    __table_args__ = (UniqueConstraint("interview_id", "interviewer_id"),)

    id: int | None = Field(default=None, primary_key=True)
    interview_id: int = Field(foreign_key="interview.id", index=True, ondelete="CASCADE")
    interviewer_id: str = _str(32)
    overall: int
    evidence: str = _str(3000)
    private_note: str | None = _str(3000, default=None)
    red_flags: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    submitted_at: datetime = _utc()
    updated_at: datetime = _utc()
    # Submitted after a decision had closed its stage: accepted, and shown as late.
    late: bool = Field(default=False, sa_column_kwargs={"server_default": false()})


class ScorecardRating(SQLModel, table=True):
    __tablename__ = "scorecard_rating"

    scorecard_id: int = Field(foreign_key="scorecard.id", primary_key=True, ondelete="CASCADE")
    kind: str = _str(20, primary_key=True)
    key: str = _str(40, primary_key=True)
    # None means "not observed" (allowed for qualities only).
    score: int | None = None


class ScorecardAnswer(SQLModel, table=True):
    """What the interviewer noted on one question of the kit: notes, an optional 1-4 and
    whether it was asked at all. Kept with the scorecard so that later analytics can say
    which question separates candidates; a scorecard from before notes has none."""

    __tablename__ = "scorecard_answer"

    scorecard_id: int = Field(foreign_key="scorecard.id", primary_key=True, ondelete="CASCADE")
    question_key: str = _str(80, primary_key=True)
    # The competency the kit said the question informs, as it said when the card was stored.
    competency_key: str | None = _str(40, default=None)
    rating: int | None = None  # 1-4, None when not rated
    not_asked: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    notes: str | None = _str(3000, default=None)


class ScorecardDraft(SQLModel, table=True):
    """An interviewer's notes of an interview before the scorecard: only its author sees
    it, it is saved on every *Save* and on closing the modal, and prefills the scorecard."""

    __tablename__ = "scorecard_draft"

    interview_id: int = Field(foreign_key="interview.id", primary_key=True, ondelete="CASCADE")
    author_id: str = _str(32, primary_key=True)
    # {question_key: {"rating": 1-4 | None, "not_asked": bool, "notes": str | None}}
    answers: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    updated_at: datetime = _utc()


class ScorecardRevision(SQLModel, table=True):
    """One change to a scorecard after its first submission: what changed (each field's
    value before and after), when, by whom, of which kind (an edit of the form; later kinds
    such as a change at the debrief add their own), why if a reason was asked for, and
    whether the author had read the others' scorecards of the interview by then."""

    __tablename__ = "scorecard_revision"

    id: int | None = Field(default=None, primary_key=True)
    scorecard_id: int = Field(foreign_key="scorecard.id", index=True, ondelete="CASCADE")
    changed_at: datetime = _utc()
    changed_by: str = _str(32)
    kind: str = _str(20)
    reason: str | None = _str(3000, default=None)
    after_reading_others: bool = False
    # [{"field": "competency:k8s_serving", "before": 2, "after": 4}, …]
    changes: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )


class ScorecardRead(SQLModel, table=True):
    """Someone was shown other people's scorecards of an interview (their content, not a
    count): what makes a later edit of their own "edited after reading the others"."""

    __tablename__ = "scorecard_read"

    interview_id: int = Field(foreign_key="interview.id", primary_key=True, ondelete="CASCADE")
    reader_id: str = _str(32, primary_key=True)
    first_read_at: datetime = _utc()
    last_read_at: datetime = _utc()


class Decision(SQLModel, table=True):
    __tablename__ = "decision"

    id: int | None = Field(default=None, primary_key=True)
    candidate_id: int = Field(foreign_key="candidate.id", index=True, ondelete="CASCADE")
    stage_key: str = _str(40)
    outcome: str = _str(20)
    reason: str = _str(3000)
    decided_by: str = _str(32)
    decided_at: datetime = _utc(index=True)
    decision_view_id: str | None = _str(32, default=None, unique=True)


class Debrief(SQLModel, table=True):
    __tablename__ = "debrief"

    id: int | None = Field(default=None, primary_key=True)
    candidate_id: int = Field(foreign_key="candidate.id", index=True, ondelete="CASCADE")
    stage_key: str = _str(40)
    starts_at: datetime = _utc()
    duration_minutes: int = 30
    video_link: str | None = _str(500, default=None)
    status: str = _str(20, default=InterviewStatus.SCHEDULED)
    message_ts: str | None = _str(32, default=None)
    schedule_view_id: str | None = _str(32, default=None, unique=True)
    ics_sequence: int = 0
    created_by: str = _str(32)
    created_at: datetime = _utc()
    updated_at: datetime = _utc()


class DebriefAttendee(SQLModel, table=True):
    __tablename__ = "debrief_attendee"

    debrief_id: int = Field(foreign_key="debrief.id", primary_key=True, ondelete="CASCADE")
    user_id: str = _str(32, primary_key=True)


class Reminder(SQLModel, table=True):
    __tablename__ = "reminder"
    __table_args__ = (Index("ix_reminder_status_due", "status", "due_at"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = _str(40)
    recipient_id: str = _str(32)
    candidate_id: int | None = Field(
        default=None, foreign_key="candidate.id", index=True, ondelete="CASCADE"
    )
    interview_id: int | None = Field(
        default=None, foreign_key="interview.id", index=True, ondelete="CASCADE"
    )
    debrief_id: int | None = Field(
        default=None, foreign_key="debrief.id", index=True, ondelete="CASCADE"
    )
    due_at: datetime = _utc()
    status: str = _str(20, default=ReminderStatus.PENDING)
    # Until when the replica that claimed it owns it; past that, another may resend.
    lease_until: datetime | None = _utc(default=None)
    claimed_by: str | None = _str(64, default=None)
    attempts: int = 0
    last_error: str | None = _str(200, default=None)
    sent_at: datetime | None = _utc(default=None)
    message_ts: str | None = _str(32, default=None)
    # Makes the same reminder impossible to create twice, e.g. "nudge:interview:7:U123".
    dedupe_key: str = _str(200, unique=True)
    created_at: datetime = _utc()


class OutboxMessage(SQLModel, table=True):
    """A message the bot is to send, or has sent, to Slack: written in the transaction of
    the change that causes it, sent by ``handlers/outbox_sender.py``, and kept once sent so
    that the candidate's erase can find it (``candidate_id``, ``sent_channel``/``sent_ts``)."""

    __tablename__ = "outbox_message"
    __table_args__ = (
        Index("ix_outbox_message_status_lane", "status", "lane", "id"),
        Index("ix_outbox_message_key_status", "key", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    method: str = _str(10)
    # What the message is ("card:12", "kit:interview:7:U0ANA"): later edits of the same
    # thing find it by key, and pending ones coalesce into one.
    key: str | None = _str(200, default=None)
    # Sent in id order per lane (a channel, or the person a DM goes to), one lane at a time.
    lane: str = _str(40)
    # The channel or user id the message goes to.
    target: str = _str(40)
    # The key of the message this one replies under (a thread note under its card): its
    # ts is looked up at send time, so a note never overtakes its card.
    parent_key: str | None = _str(200, default=None)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # No foreign key: the rows outlive the candidate's erase long enough to delete in Slack.
    candidate_id: int | None = Field(default=None, index=True)
    status: str = _str(12, default=OutboxStatus.PENDING)
    attempts: int = 0
    next_attempt_at: datetime = _utc()
    lease_until: datetime | None = _utc(default=None)
    claimed_by: str | None = _str(64, default=None)
    last_error: str | None = _str(200, default=None)
    sent_channel: str | None = _str(40, default=None)
    sent_ts: str | None = _str(32, default=None)
    file_id: str | None = _str(40, default=None)
    created_at: datetime = _utc()
    sent_at: datetime | None = _utc(default=None)


class OutboxMention(SQLModel, table=True):
    """A shared message (the digest) that names a candidate: erase edits it, not deletes."""

    __tablename__ = "outbox_mention"

    message_id: int = Field(foreign_key="outbox_message.id", primary_key=True, ondelete="CASCADE")
    candidate_id: int = Field(primary_key=True, index=True)


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _utc(index=True)
    actor_id: str = _str(32)
    candidate_id: int | None = Field(
        default=None, foreign_key="candidate.id", index=True, ondelete="CASCADE"
    )
    action: str = _str(40)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class DigestRun(SQLModel, table=True):
    __tablename__ = "digest_run"

    # One row per local day: the primary key is what makes the digest post once.
    day: date = Field(primary_key=True)
    started_at: datetime = _utc()
    posted_at: datetime | None = _utc(default=None)
    channel_id: str | None = _str(32, default=None)
    message_ts: str | None = _str(32, default=None)


class InsightsRun(SQLModel, table=True):
    """One periodic insights DM: the primary key (period, recipient) is what sends each
    person their week's or month's insights once, across restarts and replicas."""

    __tablename__ = "insights_run"

    # "week:2026-W49" or "month:2026-12"
    period: str = _str(20, primary_key=True)
    recipient_id: str = _str(32, primary_key=True)
    started_at: datetime = _utc()
    sent_at: datetime | None = _utc(default=None)


class ProcessedEvent(SQLModel, table=True):
    __tablename__ = "processed_event"

    # Slack's event_id: a retried delivery of the same event is recognised here.
    event_id: str = _str(64, primary_key=True)
    received_at: datetime = _utc(index=True)


class CalendarKind(StrEnum):
    ICS_FEED = "ics"
    CALDAV = "caldav"


class CalendarConnection(SQLModel, table=True):
    """A person's connected calendar: one per Slack user."""

    __tablename__ = "calendar_connection"

    user_id: str = _str(32, primary_key=True)
    kind: str = _str(20)
    # Fernet token of the feed address, or of the CalDAV URL, user and password as JSON.
    secret: str = _str(4000)
    # What the owner is shown: the host and the address's last characters, nothing usable.
    label: str = _str(200)
    connected_at: datetime = _utc()


class IncidentEventKind(StrEnum):
    REVEAL = "reveal"
    HYPOTHESIS = "hypothesis"
    NOTE = "note"
    ROOT_CAUSE = "root_cause"


class IncidentRun(SQLModel, table=True):
    """One interviewer's run of an incident scenario in a system-design interview: which
    scenario the candidate had, and when the clock started and stopped."""

    __tablename__ = "incident_run"
    __table_args__ = (
        UniqueConstraint("interview_id", "interviewer_id"),
        Index("ix_incident_run_stage_started", "stage_key", "started_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    interview_id: int = Field(foreign_key="interview.id", index=True, ondelete="CASCADE")
    candidate_id: int = Field(foreign_key="candidate.id", index=True, ondelete="CASCADE")
    stage_key: str = _str(40)
    interviewer_id: str = _str(32)
    scenario_key: str = _str(40)
    started_at: datetime = _utc()
    # Set by *Root cause found*: the clock stops there.
    root_cause_at: datetime | None = _utc(default=None)
    # The run message in the interviewer's DM, reached by erase.
    dm_channel_id: str | None = _str(32, default=None)
    dm_ts: str | None = _str(32, default=None)


class IncidentEvent(SQLModel, table=True):
    """One entry of a run's timeline: evidence revealed, or what the candidate said."""

    __tablename__ = "incident_event"

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="incident_run.id", index=True, ondelete="CASCADE")
    kind: str = _str(20)
    at: datetime = _utc()
    inject_id: str | None = _str(40, default=None)
    # For a reveal: True when the candidate asked for it, False when it was handed over.
    asked: bool | None = None
    text: str | None = _str(1000, default=None)


class JobWindow(SQLModel, table=True):
    """How far a periodic job has covered time: its next run takes the window from
    ``until`` to its own now, whichever replica runs it, and after any downtime."""

    __tablename__ = "job_window"

    name: str = _str(40, primary_key=True)
    until: datetime = _utc()
