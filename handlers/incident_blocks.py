"""Block Kit of an incident run in the interviewer's DM: the run message (brief, clock,
one button per inject, Hypothesis, Note, Root cause found), the evidence revealed, and the
timeline entries as they are logged.

Pure. Scenario texts are team-edited and statements typed during the interview, so all
of them are escaped and clipped to Slack's limits.
"""

from __future__ import annotations

from typing import Any

from bot.incident_runs import Logged, Revealed, RunState
from bot.incident_scenarios import Inject, InjectKind
from bot.incident_timeline import Entry, clock_text
from handlers.block_kit import (
    SECTION_LIMIT,
    Block,
    actions,
    button,
    context,
    divider,
    header,
    section,
)
from handlers.ids import Action
from handlers.mrkdwn import date_token, escape, escape_clipped
from handlers.refs import Ref, ref
from storage.models import IncidentEventKind

KIND_ICONS = {
    InjectKind.DASHBOARD: ":bar_chart:",
    InjectKind.ALERT: ":rotating_light:",
    InjectKind.LOG: ":scroll:",
    InjectKind.DATA_QUALITY: ":mag:",
    InjectKind.UPSTREAM_CHANGE: ":arrows_counterclockwise:",
}
_TEXT_LIMIT = SECTION_LIMIT - 100  # a text with its label in one section
# An inject's "reveal when" in the run message: eight of them and the brief stay inside
# the 12,000 characters of a message even when escaping swells them.
_ASK_LIMIT = 700
_STATEMENT_WORDS = {
    IncidentEventKind.HYPOTHESIS: (":bulb:", "Hypothesis"),
    IncidentEventKind.NOTE: (":memo:", "Note"),
}


def start_incident_button(interview_id: int) -> dict[str, Any]:
    return button("Start incident", Action.START_INCIDENT, ref(Ref.INTERVIEW, interview_id))


def reveal_action_id(inject: Inject) -> str:
    return f"{Action.INCIDENT_REVEAL}:{inject.id}"


def run_message(state: RunState) -> tuple[str, list[Block]]:
    """The run as the interviewer drives it: read the brief, reveal evidence when asked."""
    scenario = state.scenario
    value = ref(Ref.INCIDENT, state.run_id)
    title = f"Incident: {scenario.title}"
    blocks = [
        header(title),
        section(f"*Read this out:*\n{escape_clipped(scenario.brief, _TEXT_LIMIT)}"),
        context(
            f"Clock started {date_token(state.run.started_at)} · candidate "
            f"*{escape_clipped(state.candidate.name, 200)}* · every entry below shows the "
            "time since the start"
        ),
        divider(),
        section("*Evidence:* reveal each one only when the candidate asks for it."),
    ]
    for inject in scenario.injects:
        icon = KIND_ICONS[inject.kind]
        blocks.append(
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": f"{icon} *{escape(inject.label)}*\n"
                    f"_Reveal when:_ {escape_clipped(inject.ask, _ASK_LIMIT)}",
                },
                "accessory": button("Reveal", reveal_action_id(inject), value),
            }
        )
    blocks += [
        divider(),
        actions(
            button("Hypothesis", Action.INCIDENT_HYPOTHESIS, value, style="primary"),
            button("Note", Action.INCIDENT_NOTE, value),
            button("Answer key", Action.INCIDENT_ANSWER_KEY, value),
            button("Root cause found", Action.INCIDENT_ROOT_CAUSE, value, style="danger")
            | {
                "confirm": {
                    "title": {"type": "plain_text", "text": "Root cause found?"},
                    "text": {"type": "plain_text", "text": "This stops the clock."},
                    "confirm": {"type": "plain_text", "text": "Stop the clock"},
                    "deny": {"type": "plain_text", "text": "Not yet"},
                }
            },
        ),
        context(
            "*Answer key* shows the root cause and what strong and weak investigations look "
            "like in a window only you see: this DM stays safe to screen-share."
        ),
    ]
    return f"{title} (the clock is running)", blocks


def stopped_message(logged: Logged, interview_id: int) -> tuple[str, list[Block]]:
    """What the run message becomes once the root cause is found: no more buttons."""
    scenario = logged.state.scenario
    found = clock_text(logged.entry.elapsed)
    text = f"Incident: {escape(scenario.title)}. Root cause found at {found}; clock stopped."
    blocks = [
        header(f"Incident: {scenario.title}"),
        section(
            f":white_check_mark: Root cause found at `{found}`: the clock has stopped. "
            "Your scorecard starts from the run's timeline."
        ),
        actions(
            button(
                "Submit scorecard",
                Action.SUBMIT_SCORECARD,
                ref(Ref.INTERVIEW, interview_id),
                style="primary",
            )
        ),
    ]
    return text, blocks


def evidence_message(logged: Revealed) -> tuple[str, list[Block]]:
    """The evidence to screen-share, and how it came to be revealed."""
    inject = logged.inject
    how = "they asked for it" if logged.entry.asked else "handed over"
    lead = (
        f"`{clock_text(logged.entry.elapsed)}` {KIND_ICONS[inject.kind]} "
        f"*{escape(inject.label)}* ({how})"
    )
    blocks = [section(lead), section(escape_clipped(inject.text, _TEXT_LIMIT))]
    if inject.chart is not None:
        blocks.append(context(f"Chart: {escape(inject.chart.title)} (below)"))
    return f"{escape(inject.label)}: revealed", blocks


def entry_text(entry: Entry) -> str:
    """One logged hypothesis or note as its DM line, with the time since the start."""
    icon, word = _STATEMENT_WORDS[entry.kind]
    return (
        f"`{clock_text(entry.elapsed)}` {icon} *{word}:* "
        f"{escape_clipped(entry.text or '', _TEXT_LIMIT)}"
    )
