"""Who may do what: one pure function per rule, fed with facts the caller looked up.

Each rule takes the settings' ``HIRING_ADMINS`` and what it needs to know about the user
(is this person the candidate's hiring manager, an interviewer …) and answers yes or no;
it never queries anything itself, so each rule is tested as a plain function and every
surface (command, button, modal) asks the same function.
"""

from __future__ import annotations

from collections.abc import Set


def is_admin(admins: Set[str], user_id: str) -> bool:
    return user_id in admins


def may_create_candidate(admins: Set[str], user_id: str, *, is_hiring_manager: bool) -> bool:
    """With no ``HIRING_ADMINS`` anyone may; otherwise admins and the hiring managers of
    existing candidates (``is_hiring_manager``: of any candidate, open or closed)."""
    return not admins or is_admin(admins, user_id) or is_hiring_manager


def may_manage_interview(
    admins: Set[str], user_id: str, *, hiring_manager_id: str, scheduled_by: str
) -> bool:
    """Reschedule or cancel an interview: the candidate's hiring manager, whoever
    scheduled the interview, and admins."""
    return is_admin(admins, user_id) or user_id in (hiring_manager_id, scheduled_by)


def may_post_digest(admins: Set[str], user_id: str, *, is_hiring_manager: bool) -> bool:
    """Admins and hiring managers (of any candidate) may post the digest on demand."""
    return is_admin(admins, user_id) or is_hiring_manager


def may_export_candidate(admins: Set[str], user_id: str, *, hiring_manager_id: str) -> bool:
    """A candidate's data goes to their hiring manager and to admins."""
    return is_admin(admins, user_id) or user_id == hiring_manager_id


def may_erase_candidate(admins: Set[str], user_id: str, *, hiring_manager_id: str) -> bool:
    """Erasing cannot be undone: admins only, or the hiring manager in a team with none."""
    return is_admin(admins, user_id) if admins else user_id == hiring_manager_id


def may_manage_debrief(
    admins: Set[str], user_id: str, *, hiring_manager_id: str, scheduled_by: str
) -> bool:
    """Reschedule or cancel a debrief: the same people as for an interview."""
    return may_manage_interview(
        admins, user_id, hiring_manager_id=hiring_manager_id, scheduled_by=scheduled_by
    )


def may_change_panel(admins: Set[str], user_id: str, *, hiring_manager_id: str) -> bool:
    """Add or remove interviewers of a scheduled interview: the candidate's hiring manager
    and admins. Whoever scheduled it may move it, but not sit on it and read the others."""
    return user_id == hiring_manager_id or is_admin(admins, user_id)


def may_record_decision(admins: Set[str], user_id: str, *, hiring_manager_id: str) -> bool:
    """Advance, reject, offer, hold: the candidate's hiring manager and admins."""
    return user_id == hiring_manager_id or is_admin(admins, user_id)


def may_edit_candidate(admins: Set[str], user_id: str, *, hiring_manager_id: str) -> bool:
    """Correct a candidate's details: the candidate's hiring manager and admins."""
    return user_id == hiring_manager_id or is_admin(admins, user_id)


def may_read_salary(admins: Set[str], user_id: str, *, is_hiring_manager: bool) -> bool:
    """The salary benchmarks anchor whoever reads them, so they are for admins and hiring
    managers (of any candidate), not for interviewers."""
    return is_admin(admins, user_id) or is_hiring_manager


def may_read_insights(admins: Set[str], user_id: str, *, is_hiring_manager: bool) -> bool:
    """The team's insights (everyone's calibration, the funnel, the questions) are for
    admins and hiring managers (of any candidate); each interviewer sees their own."""
    return is_admin(admins, user_id) or is_hiring_manager
