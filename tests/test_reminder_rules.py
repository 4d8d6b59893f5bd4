"""The escalation ladder and the working-hours rule, as pure functions."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.config import WorkingHours, parse_working_days, parse_working_hours
from bot.reminder_rules import (
    ReminderKind,
    deliverable_at,
    next_allowed_moment,
    plan_debrief,
    plan_interview,
    working_days_back,
)

MON_10 = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)  # a Monday
OFFICE = WorkingHours(time(9), time(18))
MON_FRI = parse_working_days("mon-fri")
UTC_ZONE = ZoneInfo("UTC")


def _times(planned: list) -> dict[tuple[ReminderKind, str], datetime]:
    return {(p.kind, p.recipient_id): p.due_at for p in planned}


def test_interview_ladder_times_and_keys() -> None:
    start = MON_10 + timedelta(days=1)
    planned = plan_interview(
        7,
        start,
        start + timedelta(minutes=90),
        ["U0ANA", "U0BEN", "U0ANA"],
        "U0HM",
        feedback_due_hours=24,
        now=MON_10,
    )
    times = _times(planned)
    end = start + timedelta(minutes=90)
    assert times == {
        (ReminderKind.INTERVIEW_SOON, "U0ANA"): start - timedelta(hours=1),
        (ReminderKind.SCORECARD_NUDGE, "U0ANA"): end + timedelta(hours=1),
        (ReminderKind.SCORECARD_DUE, "U0ANA"): end + timedelta(hours=24),
        (ReminderKind.INTERVIEW_SOON, "U0BEN"): start - timedelta(hours=1),
        (ReminderKind.SCORECARD_NUDGE, "U0BEN"): end + timedelta(hours=1),
        (ReminderKind.SCORECARD_DUE, "U0BEN"): end + timedelta(hours=24),
        (ReminderKind.ESCALATION, "U0HM"): end + timedelta(hours=48),
    }
    keys = [p.dedupe_key for p in planned]
    assert len(set(keys)) == len(keys)
    assert "scorecard_nudge:interview:7:U0ANA" in keys


def test_an_interview_less_than_an_hour_ahead_gets_its_kit_at_once() -> None:
    start = MON_10 + timedelta(minutes=20)
    planned = plan_interview(
        1, start, start + timedelta(hours=1), ["U0ANA"], "U0HM", feedback_due_hours=24, now=MON_10
    )
    assert _times(planned)[(ReminderKind.INTERVIEW_SOON, "U0ANA")] == MON_10


def test_an_interview_recorded_afterwards_skips_the_rungs_already_overtaken() -> None:
    start = MON_10 - timedelta(days=1, hours=2)  # ended 25 h ago: the scorecard is due
    planned = plan_interview(
        1, start, start + timedelta(hours=1), ["U0ANA"], "U0HM", feedback_due_hours=24, now=MON_10
    )
    assert {p.kind for p in planned} == {ReminderKind.SCORECARD_DUE, ReminderKind.ESCALATION}


def test_an_interview_recorded_after_its_escalation_still_reminds_its_interviewers() -> None:
    # Ended three days ago: past the deadline (24 h) and the escalation (48 h) alike.
    start = MON_10 - timedelta(days=3, hours=1)
    planned = plan_interview(
        1,
        start,
        start + timedelta(hours=1),
        ["U0ANA", "U0BOB"],
        "U0HM",
        feedback_due_hours=24,
        now=MON_10,
    )
    assert {(p.kind, p.recipient_id) for p in planned} == {
        (ReminderKind.SCORECARD_DUE, "U0ANA"),
        (ReminderKind.SCORECARD_DUE, "U0BOB"),
        (ReminderKind.ESCALATION, "U0HM"),
    }


def test_debrief_chase_a_day_before_or_at_once_and_pack_a_quarter_hour_before() -> None:
    start = MON_10 + timedelta(days=2)
    end = start + timedelta(minutes=30)
    times = _times(plan_debrief(3, start, end, ["U0ANA", "U0HM"], "U0HM", now=MON_10))
    assert times[(ReminderKind.DEBRIEF_CHASE, "U0ANA")] == start - timedelta(hours=24)
    assert times[(ReminderKind.DEBRIEF_PACK, "U0ANA")] == start - timedelta(minutes=15)
    assert times[(ReminderKind.DEBRIEF_DECISION, "U0HM")] == end
    assert times[(ReminderKind.DEBRIEF_PENDING, "U0HM")] == end + timedelta(hours=24)
    soon = MON_10 + timedelta(hours=3)
    times = _times(
        plan_debrief(3, soon, soon + timedelta(minutes=30), ["U0ANA"], "U0HM", now=MON_10)
    )
    assert times[(ReminderKind.DEBRIEF_CHASE, "U0ANA")] == MON_10


def test_inside_working_hours_is_sent_as_it_is() -> None:
    assert next_allowed_moment(MON_10, UTC_ZONE, MON_FRI, OFFICE) == MON_10


def test_evening_waits_for_the_next_morning_and_friday_for_monday() -> None:
    evening = datetime(2026, 11, 30, 19, 0, tzinfo=UTC)
    assert next_allowed_moment(evening, UTC_ZONE, MON_FRI, OFFICE) == datetime(
        2026, 12, 1, 9, 0, tzinfo=UTC
    )
    friday_evening = datetime(2026, 12, 4, 18, 0, tzinfo=UTC)  # 18:00 is already outside
    assert next_allowed_moment(friday_evening, UTC_ZONE, MON_FRI, OFFICE) == datetime(
        2026, 12, 7, 9, 0, tzinfo=UTC
    )
    early = datetime(2026, 11, 30, 7, 59, tzinfo=UTC)
    assert next_allowed_moment(early, UTC_ZONE, MON_FRI, OFFICE) == datetime(
        2026, 11, 30, 9, 0, tzinfo=UTC
    )


def test_the_recipients_own_zone_decides() -> None:
    tokyo, los_angeles = ZoneInfo("Asia/Tokyo"), ZoneInfo("America/Los_Angeles")
    # Monday 10:00 UTC is 19:00 in Tokyo and 02:00 in Los Angeles.
    assert next_allowed_moment(MON_10, tokyo, MON_FRI, OFFICE) == datetime(
        2026, 12, 1, 9, 0, tzinfo=tokyo
    )
    assert next_allowed_moment(MON_10, los_angeles, MON_FRI, OFFICE) == datetime(
        2026, 11, 30, 9, 0, tzinfo=los_angeles
    )


def test_a_sunday_to_thursday_week() -> None:
    sun_thu = parse_working_days("sun-thu")
    friday_noon = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
    assert next_allowed_moment(friday_noon, UTC_ZONE, sun_thu, OFFICE) == datetime(
        2026, 12, 6, 9, 0, tzinfo=UTC
    )
    sunday_noon = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
    assert next_allowed_moment(sunday_noon, UTC_ZONE, sun_thu, OFFICE) == sunday_noon


def test_every_day_all_day_never_waits_and_weekdays_all_day_wait_for_monday() -> None:
    always = parse_working_hours("00:00-24:00")
    every_day = parse_working_days("mon-sun")
    saturday_night = datetime(2026, 12, 5, 23, 59, tzinfo=UTC)
    assert next_allowed_moment(saturday_night, UTC_ZONE, every_day, always) == saturday_night
    assert next_allowed_moment(saturday_night, UTC_ZONE, MON_FRI, always) == datetime(
        2026, 12, 7, 0, 0, tzinfo=UTC
    )


def test_a_meeting_reminder_is_never_held_past_the_meeting() -> None:
    early = datetime(2026, 11, 30, 7, 30, tzinfo=UTC)
    meeting = early + timedelta(hours=1)
    assert deliverable_at(early, UTC_ZONE, MON_FRI, OFFICE, meeting) == early
    assert deliverable_at(early, UTC_ZONE, MON_FRI, OFFICE) == datetime(
        2026, 11, 30, 9, 0, tzinfo=UTC
    )
    later = early + timedelta(hours=3)
    assert deliverable_at(early, UTC_ZONE, MON_FRI, OFFICE, later) == datetime(
        2026, 11, 30, 9, 0, tzinfo=UTC
    )


def test_working_days_back_skips_weekends() -> None:
    # Five working days before Monday 30 Nov start on Monday 23 Nov.
    assert working_days_back(MON_10, 5, UTC_ZONE, MON_FRI) == datetime(
        2026, 11, 23, 0, 0, tzinfo=UTC
    )
    wednesday = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
    assert working_days_back(wednesday, 5, UTC_ZONE, MON_FRI) == datetime(
        2026, 11, 25, 0, 0, tzinfo=UTC
    )
