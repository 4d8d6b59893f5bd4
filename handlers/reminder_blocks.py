"""The DMs that reminders send, one builder per kind: pure functions of a
``ReminderMessage`` and the link to the candidate's thread."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.debrief_summary_reads import SummarySoFar
from bot.kits import Stage
from bot.nudges import Nudged
from bot.reminder_messages import ReminderMessage
from bot.reminder_rules import ReminderKind
from bot.scorecards import ScorecardContent
from handlers.block_kit import (
    MESSAGE_TEXT_LIMIT,
    Block,
    actions,
    button,
    context,
    section,
    text_length,
)
from handlers.debrief_summary_blocks import SCALE_NOTE, summary_figures_blocks
from handlers.ids import Action
from handlers.kit_blocks import KIT_LINK_LIMIT
from handlers.mrkdwn import date_token, escape, escape_clipped, link
from handlers.nudge_value import nudge_value
from handlers.refs import Ref, ref
from handlers.scorecard_reading_modal import score_text
from storage.models import Candidate, Interview, row_id

# A chase offers a button for at most this many interviews (a stage has one or two).
MAX_BUTTONS = 5
# The pack summarises at most this many interviews: each takes up to ten of a message's
# fifty blocks.
MAX_PACK_INTERVIEWS = 4
# Characters the pack keeps free for its closing notes and the link to the thread.
_PACK_NOTES = 1000
# How much of a competency's name the ratings to confirm show.
_NAME_SHOWN = 160


def reminder_blocks(message: ReminderMessage, thread_url: str | None) -> tuple[str, list[Block]]:
    """The notification text and the blocks of one reminder's DM."""
    text, blocks = _BUILDERS[message.kind](message)
    if thread_url:
        blocks.append(context(link(thread_url, f"Open {message.candidate.name}'s thread")))
    return text, blocks


def not_attended_notice(
    candidate: Candidate, interview: Interview, stage_title: str, user_id: str
) -> str:
    """Tells the hiring manager that an interviewer will send no scorecard."""
    return (
        f":information_source: <@{user_id}> did not attend the *{escape(stage_title)}* "
        f"interview with *{escape(candidate.name)}* of {date_token(interview.starts_at)}, "
        "so they owe no scorecard for it."
    )


def nudged_text(nudged: Nudged) -> str:
    """What the person who pressed *Nudge* is told."""
    parts = []
    if nudged.sent:
        parts.append(
            f"I'll ask {', '.join(f'<@{u}>' for u in nudged.sent)} for their scorecard by DM "
            "now, or when their working day starts."
        )
    if nudged.already:
        parts.append(
            f"{', '.join(f'<@{u}>' for u in nudged.already)} already had a nudge today: one a "
            "day is enough."
        )
    return " ".join(parts)


def _name(message: ReminderMessage) -> str:
    return escape(message.candidate.name)


# A message lacking what its kind shows is a bug in bot.reminder_messages, named as one: these
# checks hold under ``python -O``, which would drop an ``assert``.
def _interview(message: ReminderMessage) -> Interview:
    if message.interview is None:
        raise ValueError(f"a {message.kind} reminder needs its interview")
    return message.interview


def _due_at(message: ReminderMessage) -> datetime:
    if message.scorecard_due_at is None:
        raise ValueError(f"a {message.kind} reminder needs its scorecard's due time")
    return message.scorecard_due_at


def _meeting_line(message: ReminderMessage) -> str:
    """When, how long, and the call; a link too long to leave room for the rest of the
    message (a kit, a list of interviews) is shown as its label."""
    meeting = message.interview or message.debrief
    if meeting is None:
        raise ValueError(f"a {message.kind} reminder needs its meeting")
    video = meeting.video_link
    call = link(video, "Join the call", limit=KIT_LINK_LIMIT) if video else ""
    when = f"{date_token(meeting.starts_at)} ({meeting.duration_minutes} min)"
    return f"{when} · {call}" if call else when


def _interview_soon(message: ReminderMessage) -> tuple[str, list[Block]]:
    """Short: the kit came in full with the invitation, and *Open kit* shows it again."""
    text = f"Your {escape(message.stage_title)} interview with {_name(message)} starts soon"
    head = (
        f":calendar: Your *{escape(message.stage_title)}* interview with *{_name(message)}* "
        "starts soon."
    )
    # The call has a block of its own: beside a long name, a long link would not fit.
    when = _meeting_line(message)
    value = ref(Ref.INTERVIEW, row_id(_interview(message)))
    kit = button("Open kit", Action.OPEN_KIT, value)
    notes = button("Take notes", Action.TAKE_NOTES, value)
    return text, [section(head), context(when), actions(kit, notes)]


def _scorecard_nudge(message: ReminderMessage) -> tuple[str, list[Block]]:
    text = f"How did the interview with {_name(message)} go?"
    body = (
        f":wave: How did the *{escape(message.stage_title)}* interview with *{_name(message)}* "
        f"go? Your scorecard is due {date_token(_due_at(message))}: "
        "write it while it is fresh."
    )
    return text, [section(body), _scorecard_actions(message, not_attended=True)]


def _scorecard_due(message: ReminderMessage) -> tuple[str, list[Block]]:
    text = f"Your scorecard for {_name(message)} is due"
    body = (
        f":hourglass: Your *{escape(message.stage_title)}* scorecard for *{_name(message)}* "
        f"was due {date_token(_due_at(message))}. The team cannot decide without "
        "it: please submit it now. The hiring manager hears about it in a day."
    )
    return text, [section(body), _scorecard_actions(message, not_attended=True)]


def _scorecard_asked(message: ReminderMessage) -> tuple[str, list[Block]]:
    text = f"The team is waiting for your scorecard for {_name(message)}"
    body = (
        f":wave: <@{message.candidate.hiring_manager_id}>'s team is waiting for your "
        f"*{escape(message.stage_title)}* scorecard for *{_name(message)}*, due "
        f"{date_token(_due_at(message))}: the decision waits on it."
    )
    return text, [section(body), _scorecard_actions(message, not_attended=True)]


def _escalation(message: ReminderMessage) -> tuple[str, list[Block]]:
    interview = _interview(message)
    people = ", ".join(f"<@{user}>" for user in message.late)
    text = f"Scorecards are late for {_name(message)}"
    body = (
        f":rotating_light: Scorecards are late for *{_name(message)}*'s "
        f"*{escape(message.stage_title)}* interview of "
        f"{date_token(interview.starts_at)}: {people}, due since "
        f"{date_token(_due_at(message))}."
    )
    nudge = button("Nudge them", Action.NUDGE, nudge_value(row_id(interview)))
    return text, [section(body), actions(nudge)]


def _debrief_chase(message: ReminderMessage) -> tuple[str, list[Block]]:
    text = f"Submit your scorecard for {_name(message)} before the debrief"
    listed = "\n".join(
        f"• {escape(message.stage_title)} interview of {date_token(i.starts_at)}"
        for i in message.missing
    )
    body = (
        f":memo: The *{escape(message.stage_title)}* debrief for *{_name(message)}* is "
        f"{_meeting_line(message)}. Please submit your scorecard before it, so that the team "
        f"decides on everyone's evidence:\n{listed}"
    )
    # One actions block per button: an action id must be unique within its block, and
    # the scorecard listener knows one id.
    buttons = [
        actions(
            button(
                "Submit scorecard",
                Action.SUBMIT_SCORECARD,
                ref(Ref.INTERVIEW, interview.id or 0),
                style="primary",
            )
        )
        for interview in message.missing[:MAX_BUTTONS]
    ]
    return text, [section(body), *buttons]


def _debrief_pack(message: ReminderMessage) -> tuple[str, list[Block]]:
    text = f"The debrief for {_name(message)} starts soon"
    head = (
        f":busts_in_silhouette: The *{escape(message.stage_title)}* debrief for "
        f"*{_name(message)}* starts soon: {_meeting_line(message)}. The scorecards so far:"
    )
    blocks = [section(head)]
    shown = 0
    for entry in message.pack[:MAX_PACK_INTERVIEWS]:
        more = _pack_entry(message.stage_title, entry)
        # Room stays for the closing notes and the thread link.
        if text_length([*blocks, *more]) > MESSAGE_TEXT_LIMIT - _PACK_NOTES:
            break
        blocks += more
        shown += 1
    if not message.pack:
        blocks.append(section("No interviews are recorded for this stage."))
    if len(message.pack) > shown:
        more_count = len(message.pack) - shown
        blocks.append(context(f"and {more_count} more interviews: see the candidate's thread"))
    if any(entry.summary for entry in message.pack):
        blocks.append(context(SCALE_NOTE))
    return text, blocks


def _pack_entry(stage_title: str, entry: SummarySoFar) -> list[Block]:
    """One interview in the pack: how many scorecards are in and, if the recipient may see
    them, what they say; an interviewer who owes theirs is asked for it instead."""
    interview, progress = entry.interview, entry.progress
    value = ref(Ref.INTERVIEW, row_id(interview))
    line = (
        f"*{escape(stage_title)} interview of {date_token(interview.starts_at)}*: "
        f"{progress.submitted} of {progress.expected} scorecards in"
    )
    if entry.summary is not None:
        view = button("View scorecards", Action.VIEW_SCORECARDS, value)
        return [section(line), *summary_figures_blocks(entry.summary), actions(view)]
    owed = interview if entry.owes_scorecard else entry.owes_elsewhere
    if owed is not None and owed.id is not None:
        yours = "Yours" if owed is interview else "Your scorecard of another interview of theirs"
        ask = (
            f"{line}\n{yours} is not in yet: the others' ratings open to you once it is, so "
            "that your feedback stays your own."
        )
        owed_ref = ref(Ref.INTERVIEW, owed.id)
        submit = button("Submit scorecard", Action.SUBMIT_SCORECARD, owed_ref, style="primary")
        return [section(ask), actions(submit)]
    if entry.ratings_hidden and progress.submitted:
        line += (
            "\nThe ratings are for its interviewers (once their own is in), the hiring "
            "manager and admins."
        )
    return [section(line)]


def _debrief_decision(message: ReminderMessage) -> tuple[str, list[Block]]:
    text = f"Record a decision for {_name(message)}"
    body = (
        f":white_check_mark: The *{escape(message.stage_title)}* debrief for *{_name(message)}* "
        "has ended. Please record the decision while it is fresh: advance, reject, offer "
        "or hold."
    )
    return text, [section(body), _decision_actions(message)]


def _debrief_pending(message: ReminderMessage) -> tuple[str, list[Block]]:
    text = f"{_name(message)} is waiting for a decision"
    since = "the debrief" if message.debrief is not None else "every scorecard came in"
    body = (
        f":hourglass: *{_name(message)}* has waited a day for a "
        f"*{escape(message.stage_title)}* decision since {since}. Candidates who wait go "
        "elsewhere: please record one."
    )
    return text, [section(body), _decision_actions(message)]


def _debrief_confirm(message: ReminderMessage) -> tuple[str, list[Block]]:
    """After the debrief: the recipient's ratings, to confirm or to change with a reason."""
    text = f"Do your ratings of {_name(message)} still stand after the debrief?"
    head = (
        f":ballot_box_with_check: The *{escape(message.stage_title)}* debrief for "
        f"*{_name(message)}* has ended. Do your ratings still stand? *Confirm* them, or "
        "*Change* them and say why: the summary shows each change, before and after, and "
        "your scorecard's history keeps it."
    )
    blocks = [section(head)]
    for card in message.own[:MAX_BUTTONS]:
        value = ref(Ref.INTERVIEW, card.interview_id)
        blocks += [
            section(own_ratings_text(message.stage, card)),
            actions(
                button("Confirm ratings", Action.CONFIRM_RATINGS, value, style="primary"),
                button("Change ratings", Action.CHANGE_RATINGS, value),
            ),
        ]
    return text, blocks


def own_ratings_text(stage: Stage | None, card: ScorecardContent) -> str:
    """ "*Your ratings:* Overall 3 · Yes · Kubernetes serving 2 · Autoscaling not assessed"."""
    names = {c.id: c.name for c in stage.competencies} if stage else {}
    order = [*names, *(key for key in card.competencies if key not in names)]
    rated = [
        f"{escape_clipped(names.get(key, key), _NAME_SHOWN)} "
        f"{'not assessed' if (score := card.competencies[key]) is None else score}"
        for key in order
        if key in card.competencies
    ]
    return f"*Your ratings:* Overall {score_text(card.overall)} · " + " · ".join(rated)


_BUILDERS: dict[ReminderKind, Callable[[ReminderMessage], tuple[str, list[Block]]]] = {
    ReminderKind.INTERVIEW_SOON: _interview_soon,
    ReminderKind.SCORECARD_NUDGE: _scorecard_nudge,
    ReminderKind.SCORECARD_DUE: _scorecard_due,
    ReminderKind.ESCALATION: _escalation,
    ReminderKind.DEBRIEF_CHASE: _debrief_chase,
    ReminderKind.DEBRIEF_PACK: _debrief_pack,
    ReminderKind.DEBRIEF_DECISION: _debrief_decision,
    ReminderKind.DEBRIEF_PENDING: _debrief_pending,
    ReminderKind.SCORECARD_ASKED: _scorecard_asked,
    ReminderKind.DEBRIEF_CONFIRM: _debrief_confirm,
}


def _scorecard_actions(message: ReminderMessage, *, not_attended: bool = False) -> Block:
    value = ref(Ref.INTERVIEW, row_id(_interview(message)))
    elements = [button("Submit scorecard", Action.SUBMIT_SCORECARD, value, style="primary")]
    if not_attended:
        elements.append(button("I did not attend", Action.NOT_ATTENDED, value))
    return actions(*elements)


def _decision_actions(message: ReminderMessage) -> Block:
    value = ref(Ref.CANDIDATE, row_id(message.candidate))
    return actions(button("Record decision", Action.RECORD_DECISION, value, style="primary"))
