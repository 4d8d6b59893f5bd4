"""Block Kit for one debrief meeting: its note in the candidate's thread, the attendees'
invitations and the notices of a change.

Pure functions from domain objects to (fallback text, blocks) or text. The candidate's name
and the stage title are text people wrote, so both are escaped; a video link is shown as a
link.
"""

from __future__ import annotations

from collections.abc import Sequence

from handlers.block_kit import Block, button, context, danger_button, meeting_note, section
from handlers.ids import Action
from handlers.interview_blocks import mentions, unreachable_people
from handlers.mrkdwn import date_token, escape, link
from handlers.refs import Ref, ref
from storage.models import Debrief, InterviewStatus


def debrief_name(stage_title: str) -> str:
    """``*Technical debrief*``, as the thread and the DMs name a debrief."""
    return f"*{escape(stage_title)} debrief*"


def debrief_summary(stage_title: str, debrief: Debrief, attendee_ids: Sequence[str]) -> str:
    """``*Technical debrief* on <!date…> with <@a> <@b>``."""
    return (
        f"{debrief_name(stage_title)} on {date_token(debrief.starts_at)} "
        f"with {mentions(attendee_ids)}"
    )


def debrief_note(
    stage_title: str,
    debrief: Debrief,
    attendee_ids: Sequence[str],
    *,
    changed_by: str | None = None,
) -> tuple[str, list[Block]]:
    """The thread note of a debrief: when, who, and its Reschedule and Cancel buttons while
    it is scheduled. ``changed_by`` is who last rescheduled or cancelled it."""
    value = ref(Ref.DEBRIEF, _id(debrief))
    return meeting_note(
        debrief_summary(stage_title, debrief, attendee_ids),
        cancelled=debrief.status == InterviewStatus.CANCELLED,
        duration_minutes=debrief.duration_minutes,
        video_link=debrief.video_link,
        scheduled_by=debrief.created_by,
        changed_by=changed_by,
        buttons=[
            button("Reschedule", Action.RESCHEDULE_DEBRIEF, value),
            danger_button(
                "Cancel",
                Action.CANCEL_DEBRIEF,
                value,
                asks="Cancel this debrief?",
                told="The attendees are told by DM.",
                confirm="Cancel debrief",
            ),
        ],
        icon=":busts_in_silhouette:",
    )


def invitation_dm(
    stage_title: str,
    debrief: Debrief,
    attendee_ids: Sequence[str],
    *,
    candidate_name: str,
    invited_by: str,
    thread_url: str | None,
) -> tuple[str, list[Block]]:
    """An attendee's invitation: what, when, with whom, and where to read up."""
    name = escape(candidate_name)
    when = date_token(debrief.starts_at)
    intro = (
        f":busts_in_silhouette: <@{invited_by}> invited you to the {debrief_name(stage_title)} "
        f"for *{name}* on {when} ({debrief.duration_minutes} min) with {mentions(attendee_ids)}."
    )
    links = [link(thread_url, "Candidate's thread")] if thread_url else []
    if debrief.video_link:
        links.append(link(debrief.video_link, "Video call"))
    links.append("Interviewers: submit your scorecard before the debrief.")
    text = f"Debrief invitation: {debrief_name(stage_title)} for *{name}* on {when}"
    return text, [section(intro), context(" · ".join(links))]


def rescheduled_dm(
    stage_title: str,
    debrief: Debrief,
    attendee_ids: Sequence[str],
    *,
    candidate_name: str,
    changed_by: str,
) -> str:
    video = f" · {link(debrief.video_link, 'Video call')}" if debrief.video_link else ""
    return (
        f"<@{changed_by}> moved the {debrief_name(stage_title)} for *{escape(candidate_name)}*: "
        f"now on {date_token(debrief.starts_at)} ({debrief.duration_minutes} min) "
        f"with {mentions(attendee_ids)}{video}."
    )


def removed_dm(stage_title: str, debrief: Debrief, *, candidate_name: str, changed_by: str) -> str:
    return (
        f"<@{changed_by}> took you off the {debrief_name(stage_title)} for "
        f"*{escape(candidate_name)}* on {date_token(debrief.starts_at)}: you need not attend."
    )


def cancelled_dm(
    stage_title: str, debrief: Debrief, *, candidate_name: str, changed_by: str
) -> str:
    return (
        f"<@{changed_by}> cancelled the {debrief_name(stage_title)} for "
        f"*{escape(candidate_name)}* on {date_token(debrief.starts_at)}."
    )


def rescheduled_reply(
    stage_title: str, debrief: Debrief, attendee_ids: Sequence[str], *, changed_by: str
) -> str:
    """The thread's record of a change (the note itself is edited in place)."""
    return f"<@{changed_by}> rescheduled the {debrief_summary(stage_title, debrief, attendee_ids)}."


def cancelled_reply(stage_title: str, debrief: Debrief, *, changed_by: str) -> str:
    return (
        f"<@{changed_by}> cancelled the {debrief_name(stage_title)} on "
        f"{date_token(debrief.starts_at)}."
    )


def unreachable_reply(failures: Sequence[tuple[str, str]]) -> str:
    """Whom the debrief's DM did not reach, each ``(user_id, Slack error)``, and what to do."""
    return (
        f":warning: I could not tell {unreachable_people(failures)} about the debrief by DM. "
        "Please let them know another way."
    )


def _id(debrief: Debrief) -> int:
    if debrief.id is None:
        raise ValueError("the debrief must be stored before it is shown")
    return debrief.id
