"""The candidate's card: the root message of their thread in the hiring channel. Pure.

The salary benchmark is not on it: the whole channel reads the card, and interviewers who
see a number are anchored by it (the hiring manager and admins have ``salary`` and the
offer's confirmation).

Everything a person typed (name, source, notes, link) and everything a team edited (stage
titles, region and level names) is escaped; the header is plain text, which Slack never
reads as mentions, so the name is shown there as typed. Each text is clipped to the limit
of its place, so that no name, link or note the form accepts can make Slack refuse the card.
"""

from __future__ import annotations

from typing import Any

from bot.candidates import is_closed, level_name, location_name
from bot.kits import Kits
from bot.next_step import NextStep
from handlers.block_kit import (
    FIELD_LIMIT,
    Block,
    actions,
    button,
    context,
    fields,
    header,
    section,
)
from handlers.ids import Action
from handlers.mrkdwn import clip_plain, date_token, escape, escape_clipped, link
from handlers.refs import Ref, ref
from storage.models import Candidate, CandidateStatus

NOTES_SHOWN = 2000
# What the profile field shows of the address, and the room its label ("*Profile*") takes.
_LINK_SHOWN = 60
_FIELD_LABEL = 20

STATUS_LABELS = {
    CandidateStatus.ACTIVE: "Active",
    CandidateStatus.ON_HOLD: "On hold",
    CandidateStatus.OFFER: "Offer made",
    CandidateStatus.HIRED: "Hired",
    CandidateStatus.REJECTED: "Rejected",
    CandidateStatus.WITHDRAWN: "Withdrawn",
}
_NONE = "\N{EM DASH}"

BUTTONS = (
    (Action.SCHEDULE_INTERVIEW, "Schedule interview"),
    (Action.SUBMIT_SCORECARD, "Submit scorecard"),
    (Action.RECORD_DECISION, "Record decision"),
    (Action.SCHEDULE_DEBRIEF, "Schedule debrief"),
    (Action.EDIT_CANDIDATE, "Edit"),
)


def status_label(candidate: Candidate) -> str:
    return STATUS_LABELS.get(CandidateStatus(candidate.status), candidate.status)


def card_text(candidate: Candidate, kits: Kits) -> str:
    """The message's ``text``: what notifications and screen readers show."""
    return (
        f"{escape(candidate.name)} ({escape(level_name(kits, candidate))}): "
        f"{escape(kits.stage_title(candidate.stage_key))}, {status_label(candidate).lower()}"
    )


def next_step_text(step: NextStep) -> str:
    if step.at is None:
        return escape(step.text)
    return f"{escape(step.text)} on {date_token(step.at)}"


def card_blocks(candidate: Candidate, kits: Kits, next_step: NextStep) -> list[Block]:
    """The card, with the next step ``bot.next_step`` worked out."""
    card_fields = [
        ("Location", escape(location_name(kits, candidate))),
        ("Hiring manager", f"<@{candidate.hiring_manager_id}>"),
        ("Source", escape(candidate.source) if candidate.source else _NONE),
        ("Profile", _profile(candidate.profile_url)),
        ("Stage", escape(kits.stage_title(candidate.stage_key))),
        ("Status", status_label(candidate)),
        ("Next step", next_step_text(next_step)),
    ]
    blocks: list[Block] = [
        header(f"{candidate.name} · {level_name(kits, candidate)}", emoji=False),
        fields(*(f"*{label}*\n{value}" for label, value in card_fields)),
    ]
    if candidate.notes:
        blocks.append(section(f"*Notes*\n{escape_clipped(candidate.notes, NOTES_SHOWN)}"))
    if not is_closed(candidate):
        value = ref(Ref.CANDIDATE, candidate.id or 0)
        blocks.append(actions(*(button(text, action, value) for action, text in BUTTONS)))
    blocks.append(
        context(
            f"Candidate #{candidate.id} · added by <@{candidate.created_by}> "
            f"{date_token(candidate.created_at)} · everything about them happens in this thread"
        )
    )
    return blocks


def _profile(url: str | None) -> str:
    """The profile link, shown by its address without the scheme (linkedin.com/in/jane); an
    address so long once escaped that the link would not fit its field is shown unlinked."""
    if not url:
        return _NONE
    shown = url.split("://", 1)[-1].removeprefix("www.").rstrip("/")
    return link(url, clip_plain(shown, _LINK_SHOWN), limit=FIELD_LIMIT - _FIELD_LABEL)


_FIELD_LABELS = {
    "name": "name",
    "level": "level",
    "location": "location",
    "profile_url": "profile link",
    "source": "source",
    "hiring_manager_id": "hiring manager",
    "notes": "notes",
}


def edited_reply(actor_id: str, changes: dict[str, tuple[Any, Any]]) -> str:
    """The thread's note of an edit: who changed which fields (the card shows the values;
    the audit keeps the old ones)."""
    labels = []
    for name, (old, new) in changes.items():
        label = _FIELD_LABELS.get(name, name)
        if name == "hiring_manager_id":
            label += f" (<@{old}> → <@{new}>)"
        labels.append(label)
    return f":pencil2: <@{actor_id}> edited the candidate's details: {', '.join(labels)}."


def new_manager_text(candidate: Candidate, actor_id: str) -> str:
    """Told by DM to whom an edit made the candidate's hiring manager."""
    where = f" <{candidate.permalink}|Their thread>." if candidate.permalink else ""
    return (
        f":bust_in_silhouette: <@{actor_id}> made you the hiring manager of "
        f"*{escape(candidate.name)}* (#{candidate.id}): decisions and reminders about them "
        f"now come to you.{where}"
    )


def duplicate_text(existing: Candidate) -> str:
    """The modal's field error for a name or link an open candidate already has. Plain
    text, so the thread link is a bare address (Slack still makes it clickable)."""
    where = (
        f"Their thread: {existing.permalink}"
        if existing.permalink
        else "Their card is not posted yet."
    )
    return f"{escape(existing.name)} is already an open candidate (#{existing.id}). {where}"


def card_not_posted_text(
    candidate: Candidate, channel_id: str, error: str, bot_user_id: str | None
) -> str:
    """Told by DM to whoever added ``candidate`` when the hiring channel refused the card."""
    me = f"<@{bot_user_id}>" if bot_user_id else "the bot"
    saved = f":warning: *{escape(candidate.name)}* is saved as candidate #{candidate.id}, but"
    if error == "channel_not_found":
        return (
            f"{saved} I cannot find the hiring channel `{channel_id}` (the `HIRING_CHANNEL_ID` "
            f"setting). If it is a private channel, invite me there with `/invite {me}`; "
            "otherwise ask whoever runs the bot to correct `HIRING_CHANNEL_ID`. The card is "
            "posted the next time anyone lists or works on the candidate."
        )
    if error == "is_archived":
        return (
            f"{saved} the hiring channel <#{channel_id}> is archived. Ask whoever runs the bot "
            "to unarchive it or to change `HIRING_CHANNEL_ID`."
        )
    return (
        f"{saved} I am not a member of the hiring channel <#{channel_id}> and cannot join it "
        f"myself. Invite me with `/invite {me}` in that channel; the card is posted the next "
        "time anyone lists or works on the candidate."
    )
