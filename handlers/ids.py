"""Every action, view and block id the app uses: a builder and its listener share the
member, never a repeated string literal."""

from __future__ import annotations

from enum import StrEnum

COMMAND = "/mlops-candidate"


class Action(StrEnum):
    SCHEDULE_INTERVIEW = "schedule_interview"
    SUBMIT_SCORECARD = "submit_scorecard"
    RECORD_DECISION = "record_decision"
    VIEW_SCORECARDS = "view_scorecards"
    VIEW_SUMMARY = "view_summary"
    SCHEDULE_DEBRIEF = "schedule_debrief"
    OPEN_THREAD = "open_thread"
    RESCHEDULE_INTERVIEW = "reschedule_interview"
    CANCEL_INTERVIEW = "cancel_interview"
    NOT_ATTENDED = "not_attended"
    RESCHEDULE_DEBRIEF = "reschedule_debrief"
    CANCEL_DEBRIEF = "cancel_debrief"
    CONNECT_CALENDAR = "connect_calendar"
    DISCONNECT_CALENDAR = "disconnect_calendar"
    FIND_TIME = "find_time"
    START_INCIDENT = "start_incident"
    # One button per inject: the action id is ``incident_reveal:<inject id>``.
    INCIDENT_REVEAL = "incident_reveal"
    INCIDENT_HYPOTHESIS = "incident_hypothesis"
    INCIDENT_NOTE = "incident_note"
    INCIDENT_ROOT_CAUSE = "incident_root_cause"
    INCIDENT_ANSWER_KEY = "incident_answer_key"
    EDIT_CANDIDATE = "edit_candidate"
    KEEP_CANDIDATE = "keep_candidate"
    OPEN_KIT = "open_kit"
    NUDGE = "nudge"
    OPEN_PACK = "open_pack"
    TAKE_NOTES = "take_notes"
    CONFIRM_RATINGS = "confirm_ratings"
    CHANGE_RATINGS = "change_ratings"


class View(StrEnum):
    NEW_CANDIDATE = "new_candidate"
    EDIT_CANDIDATE = "edit_candidate"
    ERASE_CANDIDATE = "erase_candidate"
    SCHEDULE_INTERVIEW = "schedule_interview"
    SCHEDULE_DEBRIEF = "schedule_debrief"
    SCORECARD = "scorecard"
    SCORECARD_CHOICE = "scorecard_choice"
    DECISION = "decision"
    DECISION_CONFIRM = "decision_confirm"
    CONNECT_CALENDAR = "connect_calendar"
    START_INCIDENT = "start_incident"
    INCIDENT_REVEAL = "incident_reveal"
    INCIDENT_STATEMENT = "incident_statement"
    TAKE_NOTES = "take_notes"
    DEBRIEF_CHANGE = "debrief_change"


class IntakeBlock(StrEnum):
    """Inputs of the New candidate modal; each is also its element's action id."""

    NAME = "candidate_name"
    LEVEL = "candidate_level"
    LOCATION = "candidate_location"
    PROFILE_URL = "candidate_profile_url"
    SOURCE = "candidate_source"
    HIRING_MANAGER = "candidate_hiring_manager"
    NOTES = "candidate_notes"
    EMAIL = "candidate_email"
    TIMEZONE = "candidate_timezone"
    HOURS = "candidate_hours"


class ScheduleBlock(StrEnum):
    """Inputs of the Schedule interview modal; each is also its element's action id."""

    STAGE = "schedule_stage"
    INTERVIEWERS = "schedule_interviewers"
    STARTS_AT = "schedule_starts_at"
    DURATION = "schedule_duration"
    VIDEO_LINK = "schedule_video_link"
    FIND_TIME = "schedule_find_time"  # the actions block of the Find a time button
    SLOT = "schedule_slot"


class DebriefBlock(StrEnum):
    """Inputs of the Schedule debrief modal; each is also its element's action id."""

    STARTS_AT = "debrief_starts_at"
    ATTENDEES = "debrief_attendees"
    DURATION = "debrief_duration"
    VIDEO_LINK = "debrief_video_link"


class ScorecardBlock(StrEnum):
    """Inputs of the scorecard modals; each is also its element's action id. A rating's
    block id adds the competency or quality id: ``scorecard_competency:k8s_serving``."""

    INTERVIEW = "scorecard_interview"
    COMPETENCY = "scorecard_competency"
    QUALITY = "scorecard_quality"
    RED_FLAGS = "scorecard_red_flags"
    OVERALL = "scorecard_overall"
    EVIDENCE = "scorecard_evidence"
    PRIVATE_NOTE = "scorecard_private_note"


class NotesBlock(StrEnum):
    """Inputs of the *Take notes* modal; each is also its element's action id. A block id
    adds the question's key: ``notes_text:k8s_serving``."""

    NOTES = "notes_text"
    RATING = "notes_rating"


class DebriefChangeBlock(StrEnum):
    """Inputs of the modal that changes ratings after a debrief, besides the scorecard's
    own rating inputs (``ScorecardBlock``)."""

    REASON = "debrief_change_reason"


class DecisionBlock(StrEnum):
    """Inputs of the decision modals; each is also its element's action id."""

    OUTCOME = "decision_outcome"
    REASON = "decision_reason"
    JUSTIFICATION = "decision_justification"


class CalendarBlock(StrEnum):
    """Inputs of the Connect calendar modal; each is also its element's action id."""

    ICS_URL = "calendar_ics_url"
    CALDAV_URL = "calendar_caldav_url"
    CALDAV_USERNAME = "calendar_caldav_username"
    CALDAV_PASSWORD = "calendar_caldav_password"


class IncidentBlock(StrEnum):
    """Inputs of the incident modals; each is also its element's action id."""

    SCENARIO = "incident_scenario"
    ASKED = "incident_asked"
    TEXT = "incident_text"
