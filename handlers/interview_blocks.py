"""Block Kit for one interview: its note in the candidate's thread and the interviewers' DMs.

Pure functions from domain objects to (fallback text, blocks). The candidate's name and
the kit are text people wrote, so both are escaped; a video link is shown as a link.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.kits import Quality, Stage
from handlers.block_kit import (
    Block,
    actions,
    button,
    context,
    danger_button,
    meeting_note,
    section,
)
from handlers.ids import Action
from handlers.incident_blocks import start_incident_button
from handlers.kit_blocks import KIT_LINK_LIMIT, interview_kit_blocks
from handlers.mrkdwn import date_token, escape, link
from handlers.refs import Ref, ref
from handlers.undelivered_reasons import problem
from storage.models import Interview, InterviewStatus

OWN_BLOCKS = 3
"""Blocks an interviewer's DM adds to the kit (intro, links, the scorecard button): the kit
keeps to ``MAX_BLOCKS`` so that the DM stays within Slack's 50."""


def interview_name(stage: Stage) -> str:
    """``*Technical interview*``, as the thread and the DMs name an interview."""
    return f"*{escape(stage.short_title)} interview*"


def mentions(user_ids: Sequence[str]) -> str:
    return " ".join(f"<@{user_id}>" for user_id in user_ids)


def interview_summary(stage: Stage, interview: Interview, interviewer_ids: Sequence[str]) -> str:
    """``*Technical interview* on <!date…> with <@a> <@b>``."""
    return (
        f"{interview_name(stage)} on {date_token(interview.starts_at)} "
        f"with {mentions(interviewer_ids)}"
    )


def interview_note(
    stage: Stage,
    interview: Interview,
    interviewer_ids: Sequence[str],
    *,
    changed_by: str | None = None,
) -> tuple[str, list[Block]]:
    """The thread note of an interview: what, when, who, and its Reschedule and Cancel
    buttons while it is scheduled. ``changed_by`` is who last rescheduled or cancelled it."""
    value = ref(Ref.INTERVIEW, _id(interview))
    return meeting_note(
        interview_summary(stage, interview, interviewer_ids),
        cancelled=interview.status == InterviewStatus.CANCELLED,
        duration_minutes=interview.duration_minutes,
        video_link=interview.video_link,
        scheduled_by=interview.created_by,
        changed_by=changed_by,
        buttons=[
            button("Reschedule", Action.RESCHEDULE_INTERVIEW, value),
            button("View scorecards", Action.VIEW_SCORECARDS, value),
            danger_button(
                "Cancel",
                Action.CANCEL_INTERVIEW,
                value,
                asks="Cancel this interview?",
                told="The interviewers are told by DM.",
                confirm="Cancel interview",
            ),
        ],
    )


def interviewer_dm(
    stage: Stage,
    qualities: Sequence[Quality],
    interview: Interview,
    interviewer_ids: Sequence[str],
    *,
    candidate_name: str,
    thread_url: str | None,
    incident: bool = False,
) -> tuple[str, list[Block]]:
    """An interviewer's DM: who and when, the stage's kit, and the Submit scorecard and
    Take notes buttons; with ``incident``, a *Start incident* button to run one of the
    stage's scenarios."""
    when = date_token(interview.starts_at)
    name = escape(candidate_name)
    intro = (
        f"You're interviewing *{name}*: {interview_name(stage)} on {when} "
        f"({interview.duration_minutes} min) with {mentions(interviewer_ids)}."
    )
    links = [link(thread_url, "Candidate's thread")] if thread_url else []
    if interview.video_link:
        links.append(link(interview.video_link, "Video call", limit=KIT_LINK_LIMIT))
    links.append("Submit your scorecard before you read anyone else's.")
    submit = button(
        "Submit scorecard",
        Action.SUBMIT_SCORECARD,
        ref(Ref.INTERVIEW, _id(interview)),
        style="primary",
    )
    notes = button("Take notes", Action.TAKE_NOTES, ref(Ref.INTERVIEW, _id(interview)))
    buttons = [submit, notes]
    if incident:
        buttons.append(start_incident_button(_id(interview)))
    blocks = [
        section(intro),
        context(" · ".join(links)),
        *interview_kit_blocks(stage, qualities),
        actions(*buttons),
    ]
    text = f"Interview kit: {interview_name(stage)} with *{name}* on {when}"
    return text, blocks


def closed_dm(
    stage: Stage, interview: Interview, *, candidate_name: str, reason: str
) -> tuple[str, list[Block]]:
    """What an interviewer's kit DM becomes once they no longer interview: ``reason`` says
    why (cancelled, or taken off the interview)."""
    text = (
        f"~{interview_name(stage)} with *{escape(candidate_name)}* on "
        f"{date_token(interview.starts_at)}~ {reason}"
    )
    return text, [section(text)]


def rescheduled_dm(
    stage: Stage,
    interview: Interview,
    interviewer_ids: Sequence[str],
    *,
    candidate_name: str,
    changed_by: str,
) -> str:
    return (
        f"<@{changed_by}> changed your {interview_name(stage)} with *{escape(candidate_name)}*: "
        f"now on {date_token(interview.starts_at)} ({interview.duration_minutes} min) "
        f"with {mentions(interviewer_ids)}. Your kit above is up to date."
    )


def removed_dm(stage: Stage, interview: Interview, *, candidate_name: str, changed_by: str) -> str:
    return (
        f"<@{changed_by}> took you off the {interview_name(stage)} with "
        f"*{escape(candidate_name)}* on {date_token(interview.starts_at)}: "
        "no scorecard is needed from you."
    )


def cancelled_dm(
    stage: Stage, interview: Interview, *, candidate_name: str, changed_by: str
) -> str:
    return (
        f"<@{changed_by}> cancelled the {interview_name(stage)} with "
        f"*{escape(candidate_name)}* on {date_token(interview.starts_at)}."
    )


def rescheduled_reply(
    stage: Stage, interview: Interview, interviewer_ids: Sequence[str], *, changed_by: str
) -> str:
    """The thread's record of a change (the note itself is edited in place)."""
    return (
        f"<@{changed_by}> rescheduled the {interview_summary(stage, interview, interviewer_ids)}."
    )


def cancelled_reply(stage: Stage, interview: Interview, *, changed_by: str) -> str:
    return (
        f"<@{changed_by}> cancelled the {interview_name(stage)} on "
        f"{date_token(interview.starts_at)}."
    )


def unreachable_reply(failures: Sequence[tuple[str, str]]) -> str:
    """Who could not be sent their kit, each ``(user_id, Slack error)``, and what to do."""
    return (
        f":warning: I could not send the interview kit to {unreachable_people(failures)}. "
        "Please share the kit with them another way."
    )


def unreachable_people(failures: Sequence[tuple[str, str]]) -> str:
    """``<@U1> (deactivated), <@U2> (a bot)``: whom a DM did not reach, and why."""
    return ", ".join(f"<@{user_id}> ({problem(error).short})" for user_id, error in failures)


def _id(interview: Interview) -> int:
    if interview.id is None:
        raise ValueError("the interview must be stored before it is shown")
    return interview.id
