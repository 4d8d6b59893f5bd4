"""When each reminder falls due, and when its recipient may be disturbed.

Pure functions of times and settings: the escalation ladder of an interview and of a
debrief, and the working-hours rule (a reminder due outside the recipient's working hours
or days waits for the start of their next working day).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.config import WorkingHours


class ReminderKind(StrEnum):
    INTERVIEW_SOON = "interview_soon"
    SCORECARD_NUDGE = "scorecard_nudge"
    SCORECARD_DUE = "scorecard_due"
    ESCALATION = "escalation"
    DEBRIEF_CHASE = "debrief_chase"
    DEBRIEF_PACK = "debrief_pack"
    DEBRIEF_DECISION = "debrief_decision"
    DEBRIEF_PENDING = "debrief_pending"
    # A hiring manager's *Nudge*: at most one a day per person and interview.
    SCORECARD_ASKED = "scorecard_asked"
    # Once a debrief has ended: each panelist confirms their ratings or changes them.
    DEBRIEF_CONFIRM = "debrief_confirm"


# Reminders that prepare for a meeting: never held past the meeting's start (see
# ``deliverable_at``), and pointless once it has begun.
MEETING_KINDS = frozenset(
    {ReminderKind.INTERVIEW_SOON, ReminderKind.DEBRIEF_CHASE, ReminderKind.DEBRIEF_PACK}
)

# Reminders an interviewer gets about an interview: they stop once the interviewer's
# scorecard is in or they did not attend.
INTERVIEWER_KINDS = (
    ReminderKind.INTERVIEW_SOON,
    ReminderKind.SCORECARD_NUDGE,
    ReminderKind.SCORECARD_DUE,
    ReminderKind.SCORECARD_ASKED,
)
# Reminders that wait for a decision: a decision on the stage ends them.
DECISION_KINDS = (ReminderKind.DEBRIEF_DECISION, ReminderKind.DEBRIEF_PENDING)

INTERVIEW_SOON_BEFORE = timedelta(hours=1)
NUDGE_AFTER_END = timedelta(hours=1)
ESCALATION_AFTER_DUE = timedelta(hours=24)
DEBRIEF_CHASE_BEFORE = timedelta(hours=24)
DEBRIEF_PACK_BEFORE = timedelta(minutes=15)
DECISION_PENDING_AFTER = timedelta(hours=24)


@dataclass(frozen=True)
class Planned:
    """A reminder that should exist; its dedupe key names it across re-plannings."""

    kind: ReminderKind
    recipient_id: str
    due_at: datetime
    dedupe_key: str


def dedupe_key(kind: ReminderKind, subject: str, subject_id: int, recipient_id: str) -> str:
    """``"scorecard_nudge:interview:7:U0ANA"``: one reminder per kind, record and person."""
    return f"{kind}:{subject}:{subject_id}:{recipient_id}"


def scorecard_due_at(ends_at: datetime, feedback_due_hours: int) -> datetime:
    return ends_at + timedelta(hours=feedback_due_hours)


def plan_interview(
    interview_id: int,
    starts_at: datetime,
    ends_at: datetime,
    interviewer_ids: Iterable[str],
    hiring_manager_id: str,
    *,
    feedback_due_hours: int,
    now: datetime,
) -> list[Planned]:
    """The ladder of one interview: the kit an hour before, a nudge an hour after the end,
    the firmer "due" at the deadline, and a day later the escalation to the hiring manager.

    An interview scheduled less than an hour ahead gets its kit at once; one already
    started gets none. The nudge is left out once the deadline is past, but the firmer
    "due" is always planned, at once when overdue: an interview recorded days later, even
    after its escalation time, still asks its interviewers for their scorecards.
    """
    due = scorecard_due_at(ends_at, feedback_due_hours)
    escalation = due + ESCALATION_AFTER_DUE
    rungs = [
        (ReminderKind.INTERVIEW_SOON, max(starts_at - INTERVIEW_SOON_BEFORE, now), now < starts_at),
        (ReminderKind.SCORECARD_NUDGE, ends_at + NUDGE_AFTER_END, now < due),
        (ReminderKind.SCORECARD_DUE, due, True),
    ]
    planned = [
        _planned(kind, "interview", interview_id, user_id, due_at)
        for user_id in dict.fromkeys(interviewer_ids)
        for kind, due_at, wanted in rungs
        if wanted
    ]
    planned.append(
        _planned(ReminderKind.ESCALATION, "interview", interview_id, hiring_manager_id, escalation)
    )
    return planned


def plan_debrief(
    debrief_id: int,
    starts_at: datetime,
    ends_at: datetime,
    attendee_ids: Iterable[str],
    hiring_manager_id: str,
    *,
    now: datetime,
) -> list[Planned]:
    """A debrief's reminders: the chase for missing scorecards a day before (at once when
    it is sooner), the pack a quarter of an hour before, when it ends the call to confirm
    or change their ratings (to each attendee; one without a scorecard is spared it at
    delivery), and for the hiring manager the call to record a decision when it ends and
    the nudge a day after that."""
    attendee_rungs = [
        (ReminderKind.DEBRIEF_CHASE, max(starts_at - DEBRIEF_CHASE_BEFORE, now)),
        (ReminderKind.DEBRIEF_PACK, max(starts_at - DEBRIEF_PACK_BEFORE, now)),
    ]
    planned = [
        _planned(kind, "debrief", debrief_id, user_id, due_at)
        for user_id in dict.fromkeys(attendee_ids)
        for kind, due_at in attendee_rungs
        if now < starts_at
    ]
    planned += [
        _planned(ReminderKind.DEBRIEF_CONFIRM, "debrief", debrief_id, user_id, ends_at)
        for user_id in dict.fromkeys(attendee_ids)
    ]
    planned.append(
        _planned(ReminderKind.DEBRIEF_DECISION, "debrief", debrief_id, hiring_manager_id, ends_at)
    )
    planned.append(
        _planned(
            ReminderKind.DEBRIEF_PENDING,
            "debrief",
            debrief_id,
            hiring_manager_id,
            ends_at + DECISION_PENDING_AFTER,
        )
    )
    return planned


def plan_decision_pending(interview_id: int, hiring_manager_id: str, *, now: datetime) -> Planned:
    """Every scorecard of an interview is in: a decision is expected within a day."""
    return _planned(
        ReminderKind.DEBRIEF_PENDING,
        "interview",
        interview_id,
        hiring_manager_id,
        now + DECISION_PENDING_AFTER,
    )


def _planned(
    kind: ReminderKind, subject: str, subject_id: int, recipient_id: str, due_at: datetime
) -> Planned:
    return Planned(kind, recipient_id, due_at, dedupe_key(kind, subject, subject_id, recipient_id))


# ----------------------------------------------------------------- working hours


def _local(day: date, moment: time, zone: ZoneInfo) -> datetime:
    # A wall time skipped by a DST change resolves forwards (02:30 becomes 03:30).
    return datetime.combine(day, moment, tzinfo=zone)


def _window(day: date, zone: ZoneInfo, hours: WorkingHours) -> tuple[datetime, datetime]:
    start = _local(day, hours.start, zone)
    if hours.end is None:
        return start, _local(day + timedelta(days=1), time(0), zone)
    return start, _local(day, hours.end, zone)


def next_allowed_moment(
    moment: datetime, zone: ZoneInfo, working_days: frozenset[int], hours: WorkingHours
) -> datetime:
    """``moment`` if it is inside working hours on a working day in ``zone``; otherwise
    the start of the next working window there."""
    today = moment.astimezone(zone).date()
    # Eight days cover any non-empty set of working days from any starting point.
    for offset in range(8):
        day = today + timedelta(days=offset)
        if day.weekday() not in working_days:
            continue
        start, end = _window(day, zone, hours)
        if moment < start:
            return start
        if moment < end:
            return moment
    raise ValueError("working_days is empty")


def deliverable_at(
    now: datetime,
    zone: ZoneInfo,
    working_days: frozenset[int],
    hours: WorkingHours,
    meeting_starts_at: datetime | None = None,
) -> datetime:
    """When a reminder due now may be sent to someone in ``zone``.

    A reminder that prepares for a meeting is never held past the meeting's start: the
    meeting itself is outside the recipient's hours and they have agreed to attend, so the
    kit at 07:30 for an 08:30 interview beats the kit at 09:00.
    """
    allowed = next_allowed_moment(now, zone, working_days, hours)
    if meeting_starts_at is not None and allowed > meeting_starts_at:
        return now
    return allowed


def working_days_back(
    now: datetime, count: int, zone: ZoneInfo, working_days: frozenset[int]
) -> datetime:
    """The local midnight that starts the ``count``-th working day before today: whatever
    was last touched before it has been idle for more than ``count`` working days."""
    day = now.astimezone(zone).date()
    seen = 0
    while seen < count:
        day -= timedelta(days=1)
        if day.weekday() in working_days:
            seen += 1
    return _local(day, time(0), zone)
