"""The value of a *Nudge* button: an interview, and the one late interviewer to nudge or
none for all of them (``"interview:7"``, ``"interview:7/U0ANA"``)."""

from __future__ import annotations

from handlers.refs import Ref, ref, ref_id


def nudge_value(interview_id: int, user_id: str | None = None) -> str:
    value = ref(Ref.INTERVIEW, interview_id)
    return f"{value}/{user_id}" if user_id else value


def parse_nudge_value(value: str | None) -> tuple[int, str | None]:
    """The interview and the person; NotFound for a value we did not write."""
    interview, _, user_id = (value or "").partition("/")
    return ref_id(interview, Ref.INTERVIEW), user_id or None
